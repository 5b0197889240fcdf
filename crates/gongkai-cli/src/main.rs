//! `gongkai`: the one binary of the platform. Each subcommand parses its flags, reads what it needs (files,
//! the current date) and hands plain values to `gongkai-core`.
//!
//! Exit codes: 0 success; 1 a check found problems (e.g. `calendar check` found differing days);
//! 2 bad input (a clear message naming the argument).

mod agency_cmd;
mod api_key_cmd;
mod audit_cmd;
mod bench_cmd;
mod calendar_cmd;
mod config;
mod db_cmd;
mod deadline;
mod demo;
mod duties;
mod fee_cmd;
mod index_cmd;
mod register_cmd;
mod report_cmd;
mod serve_cmd;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use time::Date;

/// gongkai (公开): government information disclosure platform.
#[derive(Debug, Parser)]
#[command(name = "gongkai", version, about, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform over HTTP (the main job).
    Serve(serve_cmd::ServeArgs),
    /// Compute the reply deadline of a disclosure application and show how it was reached.
    Deadline(deadline::DeadlineArgs),
    /// Compute the information processing fee (信息处理费, 国办函〔2020〕109号).
    Fee(fee_cmd::FeeArgs),
    /// Working-day calendar commands.
    #[command(subcommand)]
    Calendar(calendar_cmd::CalendarCommand),
    /// Walk through worked examples of the reply clock under both regulations.
    Demo(demo::DemoArgs),
    /// Derive an annual report from records, check it, and write it as HTML, DOCX, XLSX, PDF, JSON, text or CSV.
    Report(report_cmd::ReportArgs),
    /// Create or update the database schema.
    Migrate(db_cmd::MigrateArgs),
    /// Manage agencies.
    #[command(subcommand)]
    Agency(db_cmd::AgencyCommand),
    /// Manage staff accounts and roles.
    #[command(subcommand)]
    User(db_cmd::UserCommand),
    /// Write a consistent backup of the database while it is in use.
    Backup(db_cmd::BackupArgs),
    /// Restore a backup into an empty database.
    Restore(db_cmd::RestoreArgs),
    /// Benchmarks on any corpus (search index build and query latency).
    #[command(subcommand)]
    Bench(bench_cmd::BenchCommand),
    /// Search index commands.
    #[command(subcommand)]
    Index(index_cmd::IndexCommand),
    /// Check published annual reports (PDF, HTML, text or DOCX): tables against the format's rules, prose against tables.
    Audit(audit_cmd::AuditArgs),
    /// Import an agency's application register or catalog list from XLSX or CSV (all rows or none).
    #[command(subcommand)]
    Import(register_cmd::ImportCommand),
    /// Export an agency's application register or catalog list to XLSX or CSV.
    Export(register_cmd::ExportArgs),
    /// Issue, list and revoke an agency's API keys (for the systems that write through `/api/v1`).
    #[command(subcommand, name = "api-key")]
    ApiKey(api_key_cmd::ApiKeyCommand),
    /// Check the hash-chained audit log.
    #[command(subcommand, name = "audit-log")]
    AuditLog(db_cmd::AuditLogCommand),
    /// The settings of `gongkai serve`: flags, GONGKAI_* variables and a TOML file.
    #[command(subcommand)]
    Config(config::ConfigCommand),
}

/// A failure the user can fix: reported as `error: ARG: message`, exit code 2.
#[derive(Debug)]
pub(crate) struct UsageError {
    pub(crate) argument: &'static str,
    pub(crate) message: String,
}

impl UsageError {
    pub(crate) fn new(argument: &'static str, message: impl Into<String>) -> UsageError {
        UsageError { argument, message: message.into() }
    }
}

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.argument, self.message)
    }
}

impl std::error::Error for UsageError {}

/// What a subcommand reports back to `main`.
pub(crate) enum Outcome {
    Success,
    /// A check ran and found problems.
    ProblemsFound,
}

/// Writes `bytes` to `path` through a temporary file beside it and a rename, so that a failure never
/// leaves half a file.
pub(crate) fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".partial");
    let temporary = std::path::PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .with_context(|| format!("writing `{}`", temporary.display()))?;
    std::fs::rename(&temporary, path).with_context(|| format!("writing `{}`", path.display()))
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse_date(text: &str) -> Result<Date, String> {
    gongkai_core::dates::parse_ymd(text)
        .ok_or_else(|| format!("`{text}` is not a date in the form YYYY-MM-DD"))
}

/// Today in China (UTC+8, no daylight saving): the edge where the clock is read.
pub(crate) fn today_in_china() -> Date {
    gongkai_web::china_today()
}

/// mimalloc, not the system allocator: loading a region's records decodes hundreds of thousands of rows of
/// small strings, and glibc's malloc spent half of that time in its own bookkeeping (perf; docs/BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The matches are kept beside the parsed arguments: they tell where each value of `serve` came from
    // (flag, variable, default), which its configuration file needs.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let sub = |name: &str| matches.subcommand_matches(name).cloned().unwrap_or_default();
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = match cli.command {
        Command::Serve(args) => serve_cmd::run(&args, &sub("serve"), &mut out),
        Command::Deadline(args) => deadline::run(&args, &mut out),
        Command::Fee(args) => fee_cmd::run(&args, &mut out),
        Command::Calendar(command) => calendar_cmd::run(&command, &mut out),
        Command::Demo(args) => demo::run(&args, &mut out),
        Command::Report(args) => report_cmd::run(&args, &mut out),
        Command::Migrate(args) => db_cmd::migrate(&args, &mut out),
        Command::Agency(command) => db_cmd::agency(&command, &mut out),
        Command::User(command) => db_cmd::user(&command, &mut out),
        Command::ApiKey(command) => api_key_cmd::run(&command, &mut out),
        Command::Bench(command) => bench_cmd::run(&command, &mut out),
        Command::Index(command) => index_cmd::run(&command, &mut out),
        Command::Audit(args) => audit_cmd::run(&args, &mut out),
        Command::Import(command) => register_cmd::import(&command, &mut out),
        Command::Export(args) => register_cmd::export(&args, &mut out),
        Command::AuditLog(command) => db_cmd::audit_log(&command, &mut out),
        Command::Backup(args) => db_cmd::backup(&args, &mut out),
        Command::Restore(args) => db_cmd::restore(&args, &mut out),
        Command::Config(config::ConfigCommand::Check(args)) => {
            let check = sub("config").subcommand_matches("check").cloned().unwrap_or_default();
            config::check(&args, &check, &mut out)
        }
    };
    let _ = out.flush();
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::ProblemsFound) => ExitCode::from(1),
        Err(err) => {
            match err.downcast_ref::<UsageError>() {
                Some(usage) => eprintln!("error: {usage}"),
                None => eprintln!("error: {err:#}"),
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
