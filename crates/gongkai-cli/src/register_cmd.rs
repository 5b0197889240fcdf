//! `gongkai import` and `gongkai export`: an agency's application register (依申请公开登记台账) and catalog
//! list (主动公开目录) from and to XLSX or CSV.
//!
//! Import is all or nothing per file: every row is validated first and every problem printed (row, column,
//! reason); one bad row and nothing is written (exit 1). Rows already in the database (same tracking or
//! index number) are skipped, so importing a file again adds nothing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use gongkai_register::{FileKind, Register, RegisterError, rows};
use gongkai_store::registers;
use indicatif::{ProgressBar, ProgressStyle};

use crate::db_cmd::{DbArgs, actor, block_on, open};
use crate::{Outcome, UsageError};

/// The most bytes a register file may have.
const MAX_FILE: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Which {
    /// 依申请公开登记台账: applications with their steps and outcome.
    Applications,
    /// 主动公开目录: catalog items with their metadata and channels.
    Catalog,
}

impl Which {
    fn register(self) -> Register {
        match self {
            Which::Applications => Register::Applications,
            Which::Catalog => Register::Catalog,
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// Import an application register (XLSX or CSV).
    Applications(ImportArgs),
    /// Import a catalog list (XLSX or CSV).
    Catalog(ImportArgs),
    /// Import a register of administrative reviews (行政复议台账, XLSX or CSV).
    Reviews(ImportArgs),
    /// Import a register of lawsuits (行政诉讼台账, XLSX or CSV).
    Lawsuits(ImportArgs),
    /// Import a register of responses and policy interpretations (回应关切台账, XLSX or CSV).
    Responses(ImportArgs),
    /// Import a register of training courses (培训台账, XLSX or CSV).
    Trainings(ImportArgs),
    /// Import a register of meetings (会议台账, XLSX or CSV).
    Meetings(ImportArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The agency (by code) whose register it is.
    #[arg(long, value_name = "CODE")]
    agency: String,
    /// The file: .xlsx (first sheet) or .csv (UTF-8 or GB18030).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Read the column HEADER as FIELD, for headers gongkai does not know (docs/REGISTERS.md lists the
    /// fields); repeatable.
    #[arg(long = "map", value_name = "HEADER=FIELD", value_parser = parse_mapping)]
    mappings: Vec<(String, String)>,
    /// Validate and report, write nothing.
    #[arg(long)]
    dry_run: bool,
}

fn parse_mapping(text: &str) -> Result<(String, String), String> {
    let (header, field) =
        text.split_once('=').ok_or_else(|| format!("`{text}` is not HEADER=FIELD"))?;
    if header.trim().is_empty() || field.trim().is_empty() {
        return Err(format!("`{text}` is not HEADER=FIELD"));
    }
    Ok((header.trim().to_owned(), field.trim().to_owned()))
}

#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Which register.
    #[arg(value_enum)]
    which: Which,
    /// The agency (by code).
    #[arg(long, value_name = "CODE")]
    agency: String,
    /// Write here; the extension picks xlsx or csv.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

fn file_kind(path: &std::path::Path, argument: &'static str) -> anyhow::Result<FileKind> {
    FileKind::from_name(&path.to_string_lossy()).ok_or_else(|| {
        UsageError::new(argument, format!("`{}`: use a .xlsx or .csv file", path.display())).into()
    })
}

fn bar(length: usize, what: &str) -> ProgressBar {
    let bar =
        if length >= 10_000 { ProgressBar::new(length as u64) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{bar:40}} {{pos}}/{{len}} {what} {{per_sec}} {{eta}}"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

pub(crate) fn import(command: &ImportCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let (which, args) = match command {
        ImportCommand::Applications(args) => (Which::Applications, args),
        ImportCommand::Catalog(args) => (Which::Catalog, args),
        ImportCommand::Reviews(args) => return import_cases(args, Register::Reviews, out),
        ImportCommand::Lawsuits(args) => return import_cases(args, Register::Lawsuits, out),
        ImportCommand::Responses(args) => return import_cases(args, Register::Responses, out),
        ImportCommand::Trainings(args) => return import_cases(args, Register::Trainings, out),
        ImportCommand::Meetings(args) => return import_cases(args, Register::Meetings, out),
    };
    let (kind, bytes) = read_register(args)?;
    let today = crate::today_in_china();
    block_on(async {
        let store = open(&args.db).await?;
        let result = match which {
            Which::Applications => {
                let calendar = gongkai_store::calendar::effective(&store).await?;
                gongkai_register::read_applications(&bytes, kind, &args.mappings, &calendar, today)
                    .map(|read| (read.unmapped, Entries::Applications(read.entries)))
            }
            Which::Catalog => gongkai_register::read_catalog(&bytes, kind, &args.mappings)
                .map(|read| (read.unmapped, Entries::Catalog(read.entries))),
        };
        let (unmapped, entries) = match result {
            Ok(read) => read,
            Err(err) => return print_problems(out, &args.file, err),
        };
        let count = entries.len();
        if read_only(out, &unmapped, count, args.dry_run)? {
            return Ok(Outcome::Success);
        }
        let progress = bar(count, "rows");
        let summary = match entries {
            Entries::Applications(entries) => {
                let entries = gongkai_web::imports::applications(entries);
                let report = |written: usize| progress.set_position(written as u64);
                registers::import_applications(&store, &args.agency, &entries, &actor(), &report)
                    .await
            }
            Entries::Catalog(entries) => {
                let items = gongkai_web::imports::catalog_items(entries);
                registers::import_catalog(&store, &args.agency, &items, &actor()).await
            }
        };
        progress.finish_and_clear();
        let summary = summary.map_err(|err| match err {
            gongkai_store::StoreError::NotFound { .. }
            | gongkai_store::StoreError::Duplicate { .. } => {
                anyhow::Error::from(UsageError::new("--agency", err.to_string()))
            }
            gongkai_store::StoreError::Refused(gongkai_store::Refused::NotInVocabulary {
                field,
                ..
            }) => anyhow::Error::from(UsageError::new(
                "FILE",
                format!("{err}; nothing was imported: add the value as an alias of a term (单位设置) or map the column ({field})"),
            )),
            other => anyhow::Error::new(other),
        })?;
        writeln!(
            out,
            "{}: {} rows, {} added, {} already present ({})",
            args.file.display(),
            count,
            summary.added,
            summary.already_present,
            which.register().name()
        )?;
        Ok(Outcome::Success)
    })?
}

/// The register file of `args`, its kind from its name, refused past [`MAX_FILE`].
fn read_register(args: &ImportArgs) -> anyhow::Result<(FileKind, Vec<u8>)> {
    let kind = file_kind(&args.file, "FILE")?;
    let size =
        std::fs::metadata(&args.file).with_context(|| format!("{}", args.file.display()))?.len();
    if size > MAX_FILE {
        return Err(UsageError::new(
            "FILE",
            format!("{size} bytes is more than a register may have"),
        )
        .into());
    }
    let bytes = std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?;
    Ok((kind, bytes))
}

/// Prints a register's problems (row, column, reason) as `import` does.
fn print_problems(
    out: &mut impl Write,
    file: &std::path::Path,
    err: RegisterError,
) -> anyhow::Result<Outcome> {
    match err {
        RegisterError::Rows(problems) => {
            writeln!(
                out,
                "{}: {} problems; nothing was imported:",
                file.display(),
                problems.len()
            )?;
            writeln!(out, "row\tcolumn\tproblem")?;
            for problem in &problems {
                writeln!(out, "{}\t{}\t{}", problem.row, problem.column, problem.message)?;
            }
            Ok(Outcome::ProblemsFound)
        }
        RegisterError::Columns(problems) => {
            writeln!(out, "{}: the columns cannot be read; nothing was imported:", file.display())?;
            for problem in &problems {
                writeln!(out, "  {problem}")?;
            }
            Ok(Outcome::ProblemsFound)
        }
        err => Err(UsageError::new("FILE", err.to_string()).into()),
    }
}

/// Says which columns were not read and, with `--dry-run`, that the rows are valid and nothing was
/// written; true when the import stops there.
fn read_only(
    out: &mut impl Write,
    unmapped: &[String],
    rows: usize,
    dry_run: bool,
) -> anyhow::Result<bool> {
    if !unmapped.is_empty() {
        writeln!(
            out,
            "columns not read (map them with --map HEADER=FIELD): {}",
            unmapped.join(", ")
        )?;
    }
    if dry_run {
        writeln!(out, "{rows} rows valid; nothing written (--dry-run)")?;
    }
    Ok(dry_run)
}

/// `import reviews|lawsuits|responses|trainings|meetings`: a register of the year's other records, all
/// rows or none, rows already present skipped.
fn import_cases(
    args: &ImportArgs,
    register: Register,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let (kind, bytes) = read_register(args)?;
    let read = gongkai_register::read_ledger(register, &bytes, kind, &args.mappings)
        .ok_or_else(|| UsageError::new("FILE", "not a register of the year's other records"))?;
    let (ledger, unmapped) = match read {
        Ok(read) => read,
        Err(err) => return print_problems(out, &args.file, err),
    };
    let count = ledger.len();
    if read_only(out, &unmapped, count, args.dry_run)? {
        return Ok(Outcome::Success);
    }
    let summary = block_on(async {
        let store = open(&args.db).await?;
        let summary = registers::import_ledger(&store, &args.agency, &ledger, &actor()).await;
        store.close().await;
        summary.map_err(|err| match err {
            gongkai_store::StoreError::NotFound { what: "agency", .. } => {
                anyhow::Error::from(UsageError::new("--agency", err.to_string()))
            }
            gongkai_store::StoreError::NotFound { .. } => {
                anyhow::Error::from(UsageError::new("FILE", format!("{err}: nothing was imported")))
            }
            other => anyhow::Error::new(other),
        })
    })??;
    writeln!(
        out,
        "{}: {} rows, {} added, {} already present ({})",
        args.file.display(),
        count,
        summary.added,
        summary.already_present,
        register.name()
    )?;
    Ok(Outcome::Success)
}

enum Entries {
    Applications(Vec<gongkai_register::ApplicationEntry>),
    Catalog(Vec<gongkai_register::CatalogEntry>),
}

impl Entries {
    fn len(&self) -> usize {
        match self {
            Entries::Applications(entries) => entries.len(),
            Entries::Catalog(entries) => entries.len(),
        }
    }
}

pub(crate) fn export(args: &ExportArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let kind = file_kind(&args.out, "--out")?;
    let (rows, lossy) = block_on(async {
        let store = open(&args.db).await?;
        let not_found = |err: gongkai_store::StoreError| match err {
            gongkai_store::StoreError::NotFound { .. } => {
                anyhow::Error::from(UsageError::new("--agency", err.to_string()))
            }
            other => anyhow::Error::new(other),
        };
        anyhow::Ok(match args.which {
            Which::Applications => {
                let applications = registers::export_applications(&store, &args.agency)
                    .await
                    .map_err(not_found)?;
                let entries: Vec<gongkai_register::ApplicationEntry> = applications
                    .into_iter()
                    .map(|application| gongkai_register::ApplicationEntry {
                        record: application.record,
                        applicant_name: application.applicant_name,
                        description: application.description,
                    })
                    .collect();
                rows::application_rows(&entries)
            }
            Which::Catalog => {
                let items =
                    registers::export_catalog(&store, &args.agency).await.map_err(not_found)?;
                let entries: Vec<gongkai_register::CatalogEntry> = items
                    .into_iter()
                    .map(|item| gongkai_register::CatalogEntry {
                        item: item.record,
                        subject: item.metadata.subject,
                        genre: item.metadata.genre,
                        doc_number: item.metadata.doc_number,
                        validity: item.metadata.validity,
                        summary: item.metadata.summary,
                    })
                    .collect();
                (rows::catalog_rows(&entries), 0)
            }
        })
    })??;
    let bytes = gongkai_register::write(args.which.register(), &rows, kind)?;
    crate::write_atomically(&args.out, &bytes)?;
    writeln!(
        out,
        "{}: {} rows ({})",
        args.out.display(),
        rows.len(),
        args.which.register().name()
    )?;
    if lossy > 0 {
        writeln!(
            out,
            "note: {lossy} applications have steps a register has no column for (a refused extension, a second \
             consultation or fee notice); the register shows the last of each"
        )?;
    }
    Ok(Outcome::Success)
}
