//! `gongkai agency import | export | edit | close`: the platform's agencies set up and kept from files and
//! the command line, with the same checks as the back office (every parent known, no cycle, all or
//! nothing).

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use gongkai_core::directory::{self, AgencyEntry};
use gongkai_register::{AgencyFileKind, AgencyList, RegisterError, read_agencies, write_agencies};
use gongkai_store::{Store, StoreError, agencies};

use crate::db_cmd::{DbArgs, actor, block_on, open};
use crate::{Outcome, UsageError};

/// The largest agency file read (a province's few thousand agencies with their profiles fit easily).
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// A TOML file (`[[agency]]` tables, as `agency export` writes), or XLSX or CSV with the headers
    /// 机构代码, 机构名称, 机构类型, 上级机构代码, 地区, … (docs/AGENCIES.md).
    pub(crate) file: PathBuf,
    /// Check the file against the platform and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// Only this agency and the agencies under it.
    pub(crate) code: Option<String>,
    /// The TOML file to write.
    #[arg(long, value_name = "FILE.toml")]
    pub(crate) out: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct EditArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    pub(crate) code: String,
    #[arg(long)]
    pub(crate) name: Option<String>,
    /// `government` (政府) or `department` (部门).
    #[arg(long)]
    pub(crate) kind: Option<String>,
    /// Move the agency under another one (its code).
    #[arg(long)]
    pub(crate) parent: Option<String>,
    #[arg(long)]
    pub(crate) region: Option<String>,
    #[arg(long)]
    pub(crate) index_pattern: Option<String>,
    #[arg(long)]
    pub(crate) office: Option<String>,
    #[arg(long)]
    pub(crate) phone: Option<String>,
    #[arg(long)]
    pub(crate) fax: Option<String>,
    #[arg(long)]
    pub(crate) email: Option<String>,
    #[arg(long)]
    pub(crate) address: Option<String>,
    #[arg(long)]
    pub(crate) postcode: Option<String>,
    #[arg(long)]
    pub(crate) hours: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CloseArgs {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    pub(crate) code: String,
    /// The agency that takes over its work (合并 into it).
    #[arg(long)]
    pub(crate) successor: Option<String>,
    /// The day it closed (YYYY-MM-DD; default today in China).
    #[arg(long, value_parser = crate::parse_date)]
    pub(crate) on: Option<time::Date>,
}

fn print_problems(
    out: &mut impl Write,
    file: &str,
    list: Option<&AgencyList>,
    problems: &[directory::EntryProblem],
) -> anyhow::Result<()> {
    writeln!(out, "{file}: {} problems; nothing was written:", problems.len())?;
    writeln!(out, "row\tcolumn\tproblem")?;
    for problem in problems {
        match list {
            Some(list) => {
                let problem = list.problem(problem);
                writeln!(out, "{}\t{}\t{}", problem.row, problem.column, problem.message)?;
            }
            None => writeln!(out, "-\t{}\t{}", problem.field, problem.message)?,
        }
    }
    Ok(())
}

/// Checks `entries` against the platform and writes them; prints the problems instead if any.
async fn apply(
    store: &Store,
    entries: &[AgencyEntry],
    list: Option<&AgencyList>,
    file: &str,
    dry_run: bool,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let action = if list.is_some() { "agency.import" } else { "agency.edit" };
    let existing = agencies::existing(store).await?;
    let (order, regions) = match directory::check(entries, &existing) {
        Ok(checked) => checked,
        Err(problems) => {
            print_problems(out, file, list, &problems)?;
            return Ok(Outcome::ProblemsFound);
        }
    };
    if dry_run {
        writeln!(out, "{file}: {} agencies valid; nothing written (--dry-run)", entries.len())?;
        return Ok(Outcome::Success);
    }
    let counts = agencies::import(store, entries, &order, &regions, action, &actor()).await?;
    writeln!(
        out,
        "{file}: {} agencies, {} added, {} changed, {} unchanged",
        entries.len(),
        counts.added,
        counts.changed,
        counts.unchanged
    )?;
    Ok(Outcome::Success)
}

pub(crate) fn import(args: &ImportArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let name = args.file.display().to_string();
    let kind = AgencyFileKind::from_name(&name).ok_or_else(|| {
        UsageError::new("FILE", "use a .toml, .xlsx or .csv file (机构名录须为 TOML、XLSX 或 CSV)")
    })?;
    let size = std::fs::metadata(&args.file).with_context(|| name.clone())?.len();
    if size > MAX_FILE {
        return Err(UsageError::new(
            "FILE",
            format!("{size} bytes is more than an agency file may have"),
        )
        .into());
    }
    let bytes = std::fs::read(&args.file).with_context(|| name.clone())?;
    let list = match read_agencies(&bytes, kind) {
        Ok(list) => list,
        Err(RegisterError::Columns(problems)) => {
            writeln!(out, "{name}: the columns cannot be read; nothing was written:")?;
            for problem in &problems {
                writeln!(out, "  {problem}")?;
            }
            return Ok(Outcome::ProblemsFound);
        }
        Err(err) => return Err(UsageError::new("FILE", err.to_string()).into()),
    };
    if !list.unmapped.is_empty() {
        writeln!(out, "columns not read: {}", list.unmapped.join(", "))?;
    }
    block_on(async {
        let store = open(&args.db).await?;
        let outcome = apply(&store, &list.entries, Some(&list), &name, args.dry_run, out).await;
        store.close().await;
        outcome
    })?
}

pub(crate) fn export(args: &ExportArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let entries = block_on(async {
        let store = open(&args.db).await?;
        let entries = agencies::export(&store, args.code.as_deref()).await;
        store.close().await;
        entries.map_err(|err| match err {
            StoreError::NotFound { .. } => {
                anyhow::Error::from(UsageError::new("CODE", err.to_string()))
            }
            other => anyhow::Error::new(other),
        })
    })??;
    let text = write_agencies(&entries)?;
    crate::write_atomically(&args.out, text.as_bytes())?;
    writeln!(out, "wrote {} agencies to {}", entries.len(), args.out.display())?;
    Ok(Outcome::Success)
}

pub(crate) fn edit(args: &EditArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    block_on(async {
        let store = open(&args.db).await?;
        let outcome = async {
            let mut entry = agencies::export(&store, Some(&args.code))
                .await
                .map_err(|err| match err {
                    StoreError::NotFound { .. } => {
                        anyhow::Error::from(UsageError::new("CODE", err.to_string()))
                    }
                    other => anyhow::Error::new(other),
                })?
                .into_iter()
                .find(|entry| entry.code == args.code)
                .ok_or_else(|| {
                    UsageError::new("CODE", format!("agency `{}` does not exist", args.code))
                })?;
            let set = |slot: &mut Option<String>, value: &Option<String>| {
                if value.is_some() {
                    slot.clone_from(value);
                }
            };
            if let Some(name) = &args.name {
                entry.name.clone_from(name);
            }
            if let Some(kind) = &args.kind {
                entry.kind.clone_from(kind);
            }
            set(&mut entry.parent, &args.parent);
            set(&mut entry.region, &args.region);
            set(&mut entry.index_pattern, &args.index_pattern);
            set(&mut entry.office, &args.office);
            set(&mut entry.phone, &args.phone);
            set(&mut entry.fax, &args.fax);
            set(&mut entry.email, &args.email);
            set(&mut entry.address, &args.address);
            set(&mut entry.postcode, &args.postcode);
            set(&mut entry.hours, &args.hours);
            // The leaders and the closure are not edited here: keep them as they are.
            entry.leaders = None;
            entry.closed_on = None;
            entry.successor = None;
            apply(&store, &[entry], None, &args.code, false, out).await
        }
        .await;
        store.close().await;
        outcome
    })?
}

pub(crate) fn close(args: &CloseArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let day = args.on.unwrap_or_else(crate::today_in_china);
    let open_cases = block_on(async {
        let store = open(&args.db).await?;
        let closed =
            agencies::close(&store, &args.code, args.successor.as_deref(), day, &actor()).await;
        store.close().await;
        closed.map_err(|err| match err {
            StoreError::NotFound { .. } | StoreError::InvalidData(_) | StoreError::Refused(_) => {
                anyhow::Error::from(UsageError::new("CODE", err.to_string()))
            }
            other => anyhow::Error::new(other),
        })
    })??;
    match &args.successor {
        Some(successor) => {
            writeln!(out, "closed {} on {day}; its work passes to {successor}", args.code)?
        }
        None => writeln!(out, "closed {} on {day}", args.code)?,
    }
    if open_cases > 0 {
        writeln!(
            out,
            "warning: {open_cases} applications of {} have no reply recorded; its staff still answer them",
            args.code
        )?;
    }
    Ok(Outcome::Success)
}
