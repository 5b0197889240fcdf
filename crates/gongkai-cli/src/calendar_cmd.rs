//! `gongkai calendar`: checking the built-in working-day calendar.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Subcommand;
use gongkai_core::calendar::{Calendar, holiday_cn};
use time::{Date, Month};

use crate::{Outcome, UsageError};

#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCommand {
    /// Compare the built-in calendar with a directory of holiday-cn JSON files (YYYY.json); exit 0 only when
    /// every day of the years they cover agrees.
    Check {
        /// Directory holding holiday-cn `YYYY.json` files.
        dir: PathBuf,
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
    let CalendarCommand::Check { dir } = command;
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
