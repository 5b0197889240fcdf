//! The settings of `gongkai serve` from four places, the first that gives one winning: a flag, a `GONGKAI_*`
//! variable, the TOML file of `--config` (`GONGKAI_CONFIG`), the built-in default.
//!
//! clap reads the flags, the variables and the defaults and tells where each value came from
//! ([`clap::ArgMatches::value_source`]); a value that came from its default is then replaced by the file's,
//! when the file has one. The file's keys are the flags' names without `--` (`addr`, `db`, `log-format`, …),
//! so the README's one table serves all three; a key the file does not know is refused with its line, not
//! ignored (a misspelt `trusted-proxies` would otherwise leave the rate limits counting the proxy).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use crate::serve_cmd::{LogFormat, ServeArgs};
use crate::{Outcome, UsageError};

/// `gongkai config …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ConfigCommand {
    /// Print the effective settings of `gongkai serve` — each with where it came from (flag, GONGKAI_*
    /// variable, --config file, default) and secrets masked — and check them; takes serve's flags. The output
    /// is itself a valid configuration file. Exit 2 when a setting is refused.
    Check(ServeArgs),
}

/// What a configuration file may say: every setting of `serve`, under its flag's name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    addr: Option<String>,
    db: Option<String>,
    index: Option<PathBuf>,
    secret_file: Option<PathBuf>,
    threads: Option<usize>,
    demo: Option<bool>,
    log: Option<String>,
    log_format: Option<LogFormat>,
    no_rate_limit: Option<bool>,
    insecure_cookies: Option<bool>,
    hsts: Option<bool>,
    trusted_proxy: Option<OneOrMany>,
    no_metrics: Option<bool>,
    metrics_from: Option<OneOrMany>,
    backup_dir: Option<PathBuf>,
    backup_every: Option<u32>,
    backup_keep: Option<usize>,
    backup_encrypt_to: Option<OneOrMany>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    sms_url: Option<String>,
    sms_template: Option<String>,
    sms_success: Option<String>,
}

/// `trusted-proxy = "10.0.0.0/8"` or `trusted-proxy = ["10.0.0.0/8", "192.0.2.10"]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(entry) => entry.split(',').map(|part| part.trim().to_owned()).collect(),
            OneOrMany::Many(entries) => entries,
        }
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Flag,
    Variable,
    File,
    Default,
}

/// One setting as `config check` shows it.
#[derive(Debug)]
pub(crate) struct Row {
    /// The file key (the flag's name without `--`).
    key: &'static str,
    /// The variable that sets it.
    variable: &'static str,
    /// The value as TOML, masked where it holds a secret; `None` when not set.
    value: Option<String>,
    source: Source,
}

/// Reads `--config`'s file (when given) and fills every setting of `args` that came from its default with
/// the file's value; returns each setting with its source. Refuses an unreadable file, an unknown key, a
/// value of the wrong type and settings that need one another.
pub(crate) fn resolve(args: &mut ServeArgs, matches: &ArgMatches) -> Result<Vec<Row>, UsageError> {
    let file = match &args.config {
        Some(path) => read(path)?,
        None => File::default(),
    };
    let mut rows = Vec::new();
    let mut row = |key: &'static str, variable: &'static str, value: Option<String>, source| {
        rows.push(Row { key, variable, value, source });
    };
    let text = |value: &str| Some(toml_string(value));
    let path = |value: &Path| Some(toml_string(&value.to_string_lossy()));
    let flag = |value: bool| Some(value.to_string());

    let source = layer(matches, "addr", file.addr, &mut args.addr);
    row("addr", "GONGKAI_ADDR", text(&args.addr), source);
    let source = layer(matches, "url", file.db, &mut args.db.url);
    row("db", "GONGKAI_DATABASE_URL", text(&mask_url(&args.db.url)), source);
    let source = layer(matches, "dir", file.index, &mut args.index.dir);
    row("index", "GONGKAI_INDEX_DIR", path(&args.index.dir), source);
    let source = layer(matches, "secret_file", file.secret_file, &mut args.secret_file);
    row("secret-file", "GONGKAI_SECRET_FILE", path(&args.secret_file), source);
    let source = layer(matches, "threads", file.threads.map(Some), &mut args.threads);
    row("threads", "GONGKAI_THREADS", args.threads.map(|threads| threads.to_string()), source);
    let source = layer(matches, "demo", file.demo, &mut args.demo);
    row("demo", "GONGKAI_DEMO", flag(args.demo), source);
    let source = layer(matches, "log", file.log, &mut args.log);
    row("log", "GONGKAI_LOG", text(&args.log), source);
    let source = layer(matches, "log_format", file.log_format, &mut args.log_format);
    row("log-format", "GONGKAI_LOG_FORMAT", text(args.log_format.name()), source);
    let source = layer(matches, "no_rate_limit", file.no_rate_limit, &mut args.no_rate_limit);
    row("no-rate-limit", "GONGKAI_NO_RATE_LIMIT", flag(args.no_rate_limit), source);
    let source =
        layer(matches, "insecure_cookies", file.insecure_cookies, &mut args.insecure_cookies);
    row("insecure-cookies", "GONGKAI_INSECURE_COOKIES", flag(args.insecure_cookies), source);
    let source = layer(matches, "hsts", file.hsts, &mut args.hsts);
    row("hsts", "GONGKAI_HSTS", flag(args.hsts), source);
    let proxies = file.trusted_proxy.map(OneOrMany::into_vec);
    let source = layer(matches, "trusted_proxy", proxies, &mut args.trusted_proxy);
    row("trusted-proxy", "GONGKAI_TRUSTED_PROXY", Some(toml_list(&args.trusted_proxy)), source);
    let source = layer(matches, "no_metrics", file.no_metrics, &mut args.no_metrics);
    row("no-metrics", "GONGKAI_NO_METRICS", flag(args.no_metrics), source);
    let networks = file.metrics_from.map(OneOrMany::into_vec);
    let source = layer(matches, "metrics_from", networks, &mut args.metrics_from);
    row("metrics-from", "GONGKAI_METRICS_FROM", Some(toml_list(&args.metrics_from)), source);
    let source = layer(matches, "backup_dir", file.backup_dir.map(Some), &mut args.backup_dir);
    row("backup-dir", "GONGKAI_BACKUP_DIR", args.backup_dir.as_deref().and_then(path), source);
    let source = layer(matches, "backup_every", file.backup_every, &mut args.backup_every);
    row("backup-every", "GONGKAI_BACKUP_EVERY", Some(args.backup_every.to_string()), source);
    let source = layer(matches, "backup_keep", file.backup_keep, &mut args.backup_keep);
    row("backup-keep", "GONGKAI_BACKUP_KEEP", Some(args.backup_keep.to_string()), source);
    let recipients = file.backup_encrypt_to.map(OneOrMany::into_vec);
    let source = layer(matches, "backup_encrypt_to", recipients, &mut args.backup_encrypt_to);
    row(
        "backup-encrypt-to",
        "GONGKAI_BACKUP_ENCRYPT_TO",
        Some(toml_list(&args.backup_encrypt_to)),
        source,
    );
    let notify = &mut args.notify;
    let source = layer(matches, "smtp_url", file.smtp_url.map(Some), &mut notify.smtp_url);
    row(
        "smtp-url",
        "GONGKAI_SMTP_URL",
        notify.smtp_url.as_deref().and_then(|url| text(&mask_url(url))),
        source,
    );
    let source = layer(matches, "mail_from", file.mail_from.map(Some), &mut notify.mail_from);
    let mail_from_source = source;
    row("mail-from", "GONGKAI_MAIL_FROM", notify.mail_from.as_deref().and_then(text), source);
    let source = layer(matches, "sms_url", file.sms_url.map(Some), &mut notify.sms_url);
    row(
        "sms-url",
        "GONGKAI_SMS_URL",
        notify.sms_url.as_deref().and_then(|url| text(&mask_url(url))),
        source,
    );
    let source = layer(matches, "sms_template", file.sms_template, &mut notify.sms_template);
    let template_source = source;
    // A gateway's body often carries its account and key: shown only when it is the built-in one.
    let template = if notify.sms_template == gongkai_web::notify::DEFAULT_SMS_TEMPLATE {
        text(&notify.sms_template)
    } else {
        text(&format!("*** ({} characters)", notify.sms_template.chars().count()))
    };
    row("sms-template", "GONGKAI_SMS_TEMPLATE", template, source);
    let source = layer(matches, "sms_success", file.sms_success.map(Some), &mut notify.sms_success);
    let success_source = source;
    row("sms-success", "GONGKAI_SMS_SUCCESS", notify.sms_success.as_deref().and_then(text), source);

    // What clap checks between flags, checked again now that the file may have given the values.
    if notify.smtp_url.is_none() && mail_from_source != Source::Default {
        return Err(UsageError::new("mail-from", "is set but smtp-url is not (e-mail needs both)"));
    }
    // The built-in template named again (as `config check` prints it) is no setting of its own.
    let own_template = template_source != Source::Default
        && notify.sms_template != gongkai_web::notify::DEFAULT_SMS_TEMPLATE;
    if notify.sms_url.is_none() && (own_template || success_source != Source::Default) {
        return Err(UsageError::new(
            "sms-url",
            "sms-template or sms-success is set but sms-url is not",
        ));
    }
    if args.hsts && args.insecure_cookies {
        return Err(UsageError::new(
            "hsts",
            "cannot be used with insecure-cookies (HSTS means the site is HTTPS only)",
        ));
    }
    Ok(rows)
}

/// The value of the argument `id`: the flag's or the variable's when given, else the file's when it has one,
/// else the default already in `field`.
fn layer<T>(matches: &ArgMatches, id: &str, file: Option<T>, field: &mut T) -> Source {
    match matches.value_source(id) {
        Some(ValueSource::CommandLine) => Source::Flag,
        Some(ValueSource::EnvVariable) => Source::Variable,
        _ => match file {
            Some(value) => {
                *field = value;
                Source::File
            }
            None => Source::Default,
        },
    }
}

fn read(path: &Path) -> Result<File, UsageError> {
    let text = std::fs::read_to_string(path)
        .map_err(|err| UsageError::new("--config", format!("{}: {err}", path.display())))?;
    toml::from_str(&text).map_err(|err| {
        // The message and the line only: toml's own rendering quotes the line, which may hold a password.
        let line =
            err.span().map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let at = line.map(|line| format!(" line {line}:")).unwrap_or_default();
        UsageError::new("--config", format!("{}:{at} {}", path.display(), err.message()))
    })
}

/// A TOML array of strings.
fn toml_list(values: &[String]) -> String {
    let listed = values.iter().map(|value| toml_string(value)).collect::<Vec<_>>();
    format!("[{}]", listed.join(", "))
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// `url` with its password and its query's values replaced by `***` (a database's or SMTP server's
/// password, an SMS gateway's key).
pub(crate) fn mask_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_owned(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let (query, fragment) = match query.split_once('#') {
                Some((query, fragment)) => (query, Some(fragment)),
                None => (query, None),
            };
            let masked = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, value)) if !value.is_empty() && !is_harmless(key) => {
                        format!("{key}=***")
                    }
                    _ => pair.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("&");
            match fragment {
                Some(fragment) => format!("{path}?{masked}#{fragment}"),
                None => format!("{path}?{masked}"),
            }
        }
        None => tail.to_owned(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// Query parameters that never hold a secret and help to read the setting.
fn is_harmless(key: &str) -> bool {
    matches!(key, "tls" | "sslmode" | "mode" | "timeout" | "connect_timeout")
}

/// `gongkai config check`: resolves like `serve`, checks what can be checked without starting (the address,
/// the database URL's scheme, the proxies, the log filter, the mail and SMS settings), prints the settings.
pub(crate) fn check(
    args: &ServeArgs,
    matches: &ArgMatches,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let mut args = args.clone();
    let rows = resolve(&mut args, matches)?;
    crate::serve_cmd::validate(&args)?;
    gongkai_store::Backend::from_url(&args.db.url)
        .map_err(|err| UsageError::new("--db", err.to_string()))?;
    crate::db_cmd::block_on(async { args.notify.channels().map(|_| ()) })??;
    match &args.config {
        Some(path) => {
            writeln!(out, "# gongkai serve: effective settings (file {})", path.display())?
        }
        None => writeln!(out, "# gongkai serve: effective settings (no --config file)")?,
    }
    writeln!(
        out,
        "# precedence: flag > GONGKAI_* variable > file > default; secrets shown as ***"
    )?;
    for row in &rows {
        let from = match row.source {
            Source::Flag => "flag".to_owned(),
            Source::Variable => row.variable.to_owned(),
            Source::File => "file".to_owned(),
            Source::Default => "default".to_owned(),
        };
        match &row.value {
            Some(value) => writeln!(out, "{} = {value}  # {from}", row.key)?,
            None => writeln!(out, "# {} is not set ({})", row.key, row.variable)?,
        }
    }
    writeln!(out, "# ok")?;
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_loses_its_password_and_query_values_but_keeps_the_rest() {
        assert_eq!(
            mask_url("postgres://gongkai:s3cret@db.internal:5432/gongkai?sslmode=require"),
            "postgres://gongkai:***@db.internal:5432/gongkai?sslmode=require"
        );
        assert_eq!(
            mask_url("smtp://mailer:pa:ss@mail.example.gov.cn:587?tls=required"),
            "smtp://mailer:***@mail.example.gov.cn:587?tls=required"
        );
        assert_eq!(
            mask_url("https://sms.example.com/send?account=wz&key=abc123#x"),
            "https://sms.example.com/send?account=***&key=***#x"
        );
        assert_eq!(mask_url("sqlite://gongkai.db"), "sqlite://gongkai.db");
        assert_eq!(mask_url("smtp://relay@localhost:25"), "smtp://relay@localhost:25");
    }

    /// A mistake on a line with a password names the line, never shows it (a review found toml's message
    /// quoting it onto stderr and into the journal).
    #[test]
    fn a_refused_file_never_echoes_its_lines() {
        let dir = std::env::temp_dir().join(format!("gongkai-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for text in [
            "addr = \"0.0.0.0:80\"\nsmtp_url = \"smtp://u:hunter2@mail.example.gov.cn\"\n",
            "db = postgres://gongkai:hunter2@db/gongkai\n",
        ] {
            let path = dir.join("gongkai.toml");
            std::fs::write(&path, text).unwrap();
            let message = read(&path).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
            assert!(message.contains("line "), "{message}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_file_with_an_unknown_key_or_a_wrong_type_is_refused_with_its_line() {
        let unknown =
            toml::from_str::<File>("addr = \"0.0.0.0:80\"\ntrusted-proxies = \"10.0.0.0/8\"\n")
                .unwrap_err()
                .to_string();
        assert!(unknown.contains("trusted-proxies") && unknown.contains("line 2"), "{unknown}");
        let wrong = toml::from_str::<File>("threads = \"four\"\n").unwrap_err().to_string();
        assert!(wrong.contains("threads") || wrong.contains("line 1"), "{wrong}");
        let file: File =
            toml::from_str("trusted-proxy = \"10.0.0.0/8, 192.0.2.10\"\nlog-format = \"json\"\n")
                .unwrap();
        assert_eq!(file.trusted_proxy.unwrap().into_vec(), ["10.0.0.0/8", "192.0.2.10"]);
        assert_eq!(file.log_format, Some(LogFormat::Json));
    }
}
