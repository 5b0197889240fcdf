//! `gongkai audit FILE|DIR...`: check published annual reports (PDF, HTML, plain text or DOCX) against
//! their format's rules and their prose against their tables. A folder stands for the reports in it (batch
//! mode: a progress bar on standard error, a summary table at the end). Exit 0 without findings, 1 with
//! findings, 2 when a file cannot be read or has no statistics table (after auditing the others); a file
//! whose table is not read still has its prose checked by the checks that need no table, and shows them.

use std::io::Write;
use std::path::PathBuf;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;
use clap::Args;
use gongkai_audit::{Audit, AuditError, AuditFinding};
use gongkai_core::report::format::FormatId;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::Outcome;

/// The most bytes a report file may have (the largest real reports with images are a few MB).
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(Debug, Args)]
pub(crate) struct AuditArgs {
    /// Report files: .pdf, .html, .txt (tab-separated cells as copied from a word processor, or text laid out
    /// with spaces as `pdftotext -layout` gives it), .md (pipe tables) or .docx; a folder stands for every
    /// such file in it and its subfolders.
    #[arg(required = true, value_name = "FILE|DIR")]
    files: Vec<PathBuf>,
    /// The format of the statistics tables; `auto` picks the one the tables match best.
    #[arg(long, default_value = "auto", value_parser = parse_format)]
    format: FormatArg,
    /// Print the detected format, the parsed tables and the findings of each file as JSON.
    #[arg(long)]
    json: bool,
    /// Print only the summary table (agency, year, format, findings), not each finding.
    #[arg(long, conflicts_with = "json")]
    summary: bool,
}

const EXTENSIONS: [&str; 8] = ["html", "htm", "txt", "docx", "xhtml", "pdf", "md", "markdown"];

/// The files named, folders expanded to the reports in them (sorted, so runs are repeatable).
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found = Vec::new();
            let mut pending = vec![path.clone()];
            while let Some(dir) = pending.pop() {
                for entry in
                    std::fs::read_dir(&dir).with_context(|| format!("{}", dir.display()))?
                {
                    let entry_path = entry?.path();
                    if entry_path.is_dir() {
                        pending.push(entry_path);
                    } else if entry_path
                        .extension()
                        .and_then(|extension| extension.to_str())
                        .is_some_and(|extension| {
                            EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str())
                        })
                    {
                        found.push(entry_path);
                    }
                }
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Audits `files` on every core, in order of the list.
fn audit_all(files: &[PathBuf], format: Option<FormatId>, progress: &ProgressBar) -> Vec<Audited> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Audited>>> = files.iter().map(|_| Mutex::new(None)).collect();
    let workers =
        std::thread::available_parallelism().map_or(1, usize::from).min(files.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(index) else { break };
                    let result = match audit_file(path, format) {
                        Ok(result) => result,
                        Err(err) => (Err(AuditError::Unreadable(format!("{err:#}"))), Vec::new()),
                    };
                    if let Ok(mut slot) = results[index].lock() {
                        *slot = Some(result);
                    }
                    progress.inc(1);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner().ok().flatten().unwrap_or_else(|| {
                let unfinished = "the audit of this file did not finish".to_owned();
                (Err(AuditError::Unreadable(unfinished)), Vec::new())
            })
        })
        .collect()
}

/// `auto` (`None`) or a format.
#[derive(Debug, Clone, Copy)]
struct FormatArg(Option<FormatId>);

fn parse_format(text: &str) -> Result<FormatArg, String> {
    if text == "auto" {
        Ok(FormatArg(None))
    } else {
        text.parse().map(|format| FormatArg(Some(format)))
    }
}

/// A file's audit, and for a file whose table was not read, the findings of the prose checks that need no
/// table.
type Audited = (Result<Audit, AuditError>, Vec<AuditFinding>);

#[derive(Serialize)]
struct FileResult<'a> {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    audit: Option<&'a Audit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    /// Findings of the prose alone, for a file whose table was not read.
    #[serde(skip_serializing_if = "<[AuditFinding]>::is_empty")]
    prose_findings: &'a [AuditFinding],
}

fn audit_file(path: &PathBuf, format: Option<FormatId>) -> anyhow::Result<Audited> {
    let metadata = std::fs::metadata(path).with_context(|| format!("{}", path.display()))?;
    if metadata.len() > MAX_FILE {
        let too_large = format!(
            "the file has {} bytes, more than the {} MiB a report may have",
            metadata.len(),
            MAX_FILE / 1024 / 1024
        );
        return Ok((Err(AuditError::Unreadable(too_large)), Vec::new()));
    }
    let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
    let kind = gongkai_audit::Kind::detect(&bytes);
    let document = match gongkai_audit::read(&bytes, kind) {
        Ok(document) => document,
        Err(err) => return Ok((Err(err), Vec::new())),
    };
    Ok(match gongkai_audit::audit_document(&document, kind, format) {
        Err(err @ AuditError::NoTable { .. }) => {
            (Err(err), gongkai_audit::audit_prose(&document).1)
        }
        other => (other, Vec::new()),
    })
}

pub(crate) fn run(args: &AuditArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let files = expand(&args.files)?;
    if files.is_empty() {
        return Err(crate::UsageError::new(
            "FILE",
            "no report files (.pdf, .html, .txt, .md, .docx) found",
        )
        .into());
    }
    // The bar draws on standard error only when it is a terminal, and only for a batch.
    let progress =
        if files.len() > 1 { ProgressBar::new(files.len() as u64) } else { ProgressBar::hidden() };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} reports {per_sec} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut audits, prose): (Vec<_>, Vec<_>) =
        audit_all(&files, args.format.0, &progress).into_iter().unzip();
    progress.finish_and_clear();
    with_last_year(&mut audits);
    let results: Vec<(&PathBuf, Result<Audit, AuditError>)> = files.iter().zip(audits).collect();
    let failed = results.iter().filter(|(_, result)| result.is_err()).count();
    let findings: usize = results
        .iter()
        .filter_map(|(_, result)| result.as_ref().ok())
        .map(|audit| audit.findings.len())
        .sum();
    if args.json {
        let report: Vec<FileResult<'_>> = results
            .iter()
            .zip(&prose)
            .map(|((path, result), prose)| FileResult {
                file: path.display().to_string(),
                audit: result.as_ref().ok(),
                error: result.as_ref().err().map(ToString::to_string),
                prose_findings: prose,
            })
            .collect();
        serde_json::to_writer_pretty(&mut *out, &report)?;
        writeln!(out)?;
    } else {
        if !args.summary {
            for ((path, result), prose) in results.iter().zip(&prose) {
                match result {
                    Ok(audit) => print_audit(out, path, audit)?,
                    Err(err) => {
                        writeln!(out, "{}: error: {err}", path.display())?;
                        if !prose.is_empty() {
                            writeln!(
                                out,
                                "  the prose alone (checks that need no table): {} findings",
                                prose.len()
                            )?;
                            print_findings(out, prose)?;
                        }
                    }
                }
            }
        }
        if args.summary || results.len() > 1 {
            print_summary(out, &results)?;
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} files could not be audited", results.len());
    }
    Ok(if findings > 0 { Outcome::ProblemsFound } else { Outcome::Success })
}

/// Each report given with its agency's report of the year before gets the findings of the format's
/// cross-year rules against it ([`gongkai_audit::cross_year`]): `gongkai audit 2022.pdf 2023.pdf`.
fn with_last_year(audits: &mut [Result<Audit, AuditError>]) {
    let extra = gongkai_audit::cross_year_all(audits.iter().map(|audit| audit.as_ref().ok()));
    for (audit, extra) in audits.iter_mut().zip(extra) {
        if let Ok(audit) = audit {
            audit.findings.extend(extra);
        }
    }
}

fn print_audit(out: &mut impl Write, path: &std::path::Path, audit: &Audit) -> anyhow::Result<()> {
    let cells: usize = audit.tables.iter().map(|table| table.cells.len()).sum();
    writeln!(
        out,
        "{}: format {}{}, {} tables, {} cells, {} findings",
        path.display(),
        audit.format,
        audit.year.map(|year| format!(", year {year}")).unwrap_or_default(),
        audit.tables.len(),
        cells,
        audit.findings.len()
    )?;
    for table in &audit.tables {
        let reading = &table.reading;
        let check = if reading.column_check_rows == 0 {
            String::new()
        } else {
            format!(
                ", column sums held {} of {} times",
                reading.column_check_held, reading.column_check_rows
            )
        };
        writeln!(
            out,
            "  table {}: {} rows of {} found ({}){check}, mapping {}",
            table.title, reading.rows_found, reading.rows_expected, reading.layout, reading.mapping
        )?;
        for row in &table.unmatched_rows {
            writeln!(out, "  note: {}: a row not in the format: {row}", table.title)?;
        }
    }
    print_findings(out, &audit.findings)
}

/// Findings, numbered, each with where, the quote and the figures.
fn print_findings(out: &mut impl Write, findings: &[AuditFinding]) -> anyhow::Result<()> {
    for (index, finding) in findings.iter().enumerate() {
        writeln!(out, "  {}. [{}] {}", index + 1, finding.rule, finding.description)?;
        writeln!(out, "     where: {}", finding.location)?;
        if let Some(quote) = &finding.quote {
            writeln!(out, "     text: {quote}")?;
        }
        match (&finding.expected, &finding.found) {
            (Some(expected), Some(found)) => {
                writeln!(out, "     expected {expected}, found {found}")?
            }
            (None, Some(found)) => writeln!(out, "     found {found}")?,
            (Some(expected), None) => writeln!(out, "     expected {expected}")?,
            (None, None) => {}
        }
    }
    Ok(())
}

fn print_summary(
    out: &mut impl Write,
    results: &[(&PathBuf, Result<Audit, AuditError>)],
) -> anyhow::Result<()> {
    writeln!(out, "file\tagency\tyear\tformat\tfindings")?;
    let mut clean = 0;
    for (path, result) in results {
        match result {
            Ok(audit) => {
                clean += usize::from(audit.findings.is_empty());
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    path.display(),
                    audit.agency.as_deref().unwrap_or("-"),
                    audit.year.map_or_else(|| "-".to_owned(), |year| year.to_string()),
                    audit.format,
                    audit.findings.len()
                )?;
            }
            Err(err) => writeln!(out, "{}\t-\t-\t-\terror: {err}", path.display())?,
        }
    }
    let failed = results.iter().filter(|(_, result)| result.is_err()).count();
    writeln!(
        out,
        "{} reports: {} without findings, {} with findings, {} unreadable",
        results.len(),
        clean,
        results.len() - clean - failed,
        failed
    )?;
    Ok(())
}
