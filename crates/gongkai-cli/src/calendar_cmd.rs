//! `gongkai calendar`: checking the built-in working-day calendar, and entering a year's notice into the
//! database when the State Council publishes it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use gongkai_core::calendar::{Calendar, holiday_cn};
use time::{Date, Month};

use gongkai_store::StoreError;

use crate::db_cmd::{self, DbArgs};
use crate::{Outcome, UsageError};

#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCommand {
    /// Compare the built-in calendar with a directory of holiday-cn JSON files (YYYY.json); exit 0 only when
    /// every day of the years they cover agrees.
    Check {
        /// Directory holding holiday-cn `YYYY.json` files.
        dir: PathBuf,
    },
    /// Enter a year's holiday notice (a file in gongkai's calendar format, see
    /// crates/gongkai-core/data/calendar/README.md) into the database; every instance applies it.
    Add {
        /// The notice file, e.g. 2027.toml.
        file: PathBuf,
        /// Replace a year the built-in data or the database already has (audited with what it replaced).
        #[arg(long)]
        correction: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List the years entered into the database and the years the calendar covers.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

fn describe(status: Option<bool>) -> &'static str {
    match status {
        Some(true) => "working day",
        Some(false) => "day off",
        None => "no data",
    }
}

pub(crate) fn run(command: &CalendarCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        CalendarCommand::Check { dir } => check(dir, out),
        CalendarCommand::Add { file, correction, db } => add(file, *correction, db, out),
        CalendarCommand::List { db } => list(db, out),
    }
}

fn add(
    file: &std::path::Path,
    correction: bool,
    db: &DbArgs,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let text = std::fs::read_to_string(file)
        .map_err(|err| UsageError::new("FILE", format!("`{}`: {err}", file.display())))?;
    let source = file.file_name().and_then(|name| name.to_str()).unwrap_or("notice").to_owned();
    let year = db_cmd::block_on(async {
        let store = db_cmd::open(db).await?;
        let result =
            gongkai_store::calendar::add_year(&store, &text, &source, correction, &db_cmd::actor())
                .await;
        store.close().await;
        result.map_err(|err| match err {
            StoreError::Database(_) => anyhow::Error::new(err),
            other => UsageError::new("FILE", other.to_string()).into(),
        })
    })??;
    let verb = if correction { "corrected" } else { "added" };
    writeln!(out, "{verb} calendar year {year} from {source}")?;
    Ok(Outcome::Success)
}

fn list(db: &DbArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let (stored, covered) = db_cmd::block_on(async {
        let store = db_cmd::open(db).await?;
        let stored = gongkai_store::calendar::list(&store).await?;
        let covered: Vec<i32> =
            gongkai_store::calendar::effective(&store).await?.covered_years().collect();
        store.close().await;
        anyhow::Ok((stored, covered))
    })??;
    for year in &stored {
        let kind = if year.correction { "correction" } else { "added" };
        writeln!(
            out,
            "{}\t{kind}\t{}\tby {} at {}",
            year.year, year.source, year.entered_by, year.entered_at
        )?;
    }
    if let (Some(first), Some(last)) = (covered.first(), covered.last()) {
        writeln!(out, "the calendar covers {first}–{last} ({} years)", covered.len())?;
    }
    Ok(Outcome::Success)
}

fn check(dir: &std::path::Path, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let entries = std::fs::read_dir(dir)
        .map_err(|err| UsageError::new("DIR", format!("`{}`: {err}", dir.display())))?;
    let mut years = Vec::new();
    for entry in entries {
        let path = entry.with_context(|| format!("listing `{}`", dir.display()))?.path();
        let is_year_file = path.extension().is_some_and(|ext| ext == "json")
            && path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .is_some_and(|stem| stem.parse::<i32>().is_ok());
        if !is_year_file {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading `{}`", path.display()))?;
        let year = holiday_cn::Year::parse(&text).map_err(|err| {
            UsageError::new("DIR", format!("`{}` is not holiday-cn JSON: {err}", path.display()))
        })?;
        years.push(year);
    }
    let covered: Vec<i32> =
        years.iter().filter(|year| !year.is_placeholder()).map(|year| year.year).collect();
    let (Some(first), Some(last)) = (covered.iter().min(), covered.iter().max()) else {
        return Err(UsageError::new(
            "DIR",
            format!("no holiday-cn year files with data in `{}`", dir.display()),
        )
        .into());
    };
    let reference = holiday_cn::calendar(&years);
    let from = Date::from_calendar_date(*first, Month::January, 1)?;
    let to = Date::from_calendar_date(*last, Month::December, 31)?;
    let differences = Calendar::builtin().differences(&reference, from, to);
    let n_days = (to - from).whole_days() + 1;
    writeln!(
        out,
        "compared {n_days} days from {from} to {to} ({} years with data)",
        covered.len()
    )?;
    writeln!(out, "{} differing days", differences.len())?;
    for (date, ours, theirs) in &differences {
        writeln!(out, "  {date}: gongkai {}, reference {}", describe(*ours), describe(*theirs))?;
    }
    Ok(if differences.is_empty() { Outcome::Success } else { Outcome::ProblemsFound })
}
