//! `gongkai report`: derive an annual report from records, check it, render it.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use gongkai_core::calendar::Calendar;
use gongkai_core::report::format::{FormatId, Severity};
use gongkai_core::report::{self, Report};
use gongkai_render::Output;

use crate::{Outcome, UsageError};

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["out", "check"])))]
#[command(group(clap::ArgGroup::new("source").required(true).args(["demo", "agency"])))]
pub(crate) struct ReportArgs {
    /// A demo dataset (`wenzhou-justice`: the founding document's bureau, 2018 reconstructed, 2019–2025 synthetic).
    #[arg(long, value_name = "NAME")]
    demo: Option<String>,
    /// The agency (by code) whose records in the database (`--db`) the report is built from.
    #[arg(long, value_name = "CODE")]
    agency: Option<String>,
    #[command(flatten)]
    db: crate::db_cmd::DbArgs,
    /// The report year.
    #[arg(long, value_name = "YYYY")]
    year: i32,
    /// The official format; `auto` follows the year (≤ 2018 pre2019, 2019–2020 2019, ≥ 2021 2021).
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: FormatChoice,
    /// Write the report here; the extension picks html, docx, xlsx, pdf, json, txt (the seed's plain-text layout) or csv (every table cell on a line).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the findings of the format's rules; exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, Clone, Copy)]
enum FormatChoice {
    Auto,
    Fixed(FormatId),
}

fn parse_format(text: &str) -> Result<FormatChoice, String> {
    if text == "auto" { Ok(FormatChoice::Auto) } else { text.parse().map(FormatChoice::Fixed) }
}

fn build(args: &ReportArgs) -> anyhow::Result<Report> {
    let (records, calendar) = match (&args.demo, &args.agency) {
        (Some(demo), _) => (
            gongkai_demo::by_name(demo).ok_or_else(|| {
                UsageError::new(
                    "--demo",
                    format!(
                        "unknown demo `{demo}`: expected one of {}",
                        gongkai_demo::NAMES.join(", ")
                    ),
                )
            })?,
            Calendar::builtin().clone(),
        ),
        (None, Some(code)) => crate::db_cmd::block_on(async {
            let store = crate::db_cmd::open(&args.db).await?;
            let records =
                gongkai_store::records::load(&store, code).await.map_err(|err| match err {
                    gongkai_store::StoreError::NotFound { .. } => {
                        anyhow::Error::new(UsageError::new("--agency", err.to_string()))
                    }
                    other => anyhow::Error::new(other),
                })?;
            // The database's calendar: built-in years plus those a platform admin entered.
            let calendar = gongkai_store::calendar::effective(&store).await;
            store.close().await;
            anyhow::Ok((records, calendar?))
        })??,
        (None, None) => unreachable!("clap requires --demo or --agency"),
    };
    let format = match args.format {
        FormatChoice::Auto => None,
        FormatChoice::Fixed(format) => Some(format),
    };
    report::build(&records, args.year, format, &calendar)
        .map_err(|err| UsageError::new("--year", err.to_string()).into())
}

fn print_findings(report: &Report, out: &mut impl Write) -> anyhow::Result<()> {
    writeln!(
        out,
        "{} ({} format, {})",
        report.title,
        report.format,
        report.format.format().notice
    )?;
    if report.findings.is_empty() {
        writeln!(out, "no findings")?;
    } else {
        writeln!(out, "{} findings", report.findings.len())?;
    }
    for finding in &report.findings {
        let severity = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(
            out,
            "  {severity} [{}] {}: {} — expected {}, found {} ({})",
            finding.rule,
            finding.location,
            finding.description,
            finding.expected,
            finding.found,
            finding.source
        )?;
    }
    for problem in &report.record_problems {
        writeln!(out, "  record: {problem}")?;
    }
    Ok(())
}

pub(crate) fn run(args: &ReportArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let output = match &args.out {
        Some(path) => Some(Output::from_file_name(&path.to_string_lossy()).ok_or_else(|| {
            UsageError::new(
                "--out",
                format!(
                    "`{}`: the extension must be html, docx, xlsx, pdf or json",
                    path.display()
                ),
            )
        })?),
        None => None,
    };
    let report = build(args)?;
    if let (Some(path), Some(output)) = (&args.out, output) {
        let bytes = gongkai_render::render(&report, output).context("rendering the report")?;
        crate::write_atomically(path, &bytes)?;
        writeln!(
            out,
            "wrote {} ({} bytes, {} format, {} findings)",
            path.display(),
            bytes.len(),
            report.format,
            report.findings.len()
        )?;
    }
    if args.check {
        print_findings(&report, out)?;
        if !report.findings.is_empty() {
            return Ok(Outcome::ProblemsFound);
        }
    }
    Ok(Outcome::Success)
}
