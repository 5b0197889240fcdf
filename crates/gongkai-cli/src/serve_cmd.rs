//! `gongkai serve`: the platform's web server (the main job).

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;

use gongkai_store::{catalog, sessions};

use crate::db_cmd::{self, DbArgs};
use crate::{Outcome, UsageError};

#[derive(Debug, Clone, Args)]
pub(crate) struct ServeArgs {
    /// A TOML file of settings, keyed by these flags' names without `--` (`addr = "0.0.0.0:8080"`); a flag
    /// or a GONGKAI_* variable overrides the file, the file overrides the default.
    #[arg(long, env = "GONGKAI_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// The address to listen on.
    #[arg(long, env = "GONGKAI_ADDR", default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub(crate) addr: String,
    /// Load the demo agencies first when the database has none.
    #[arg(long, env = "GONGKAI_DEMO", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) demo: bool,
    /// Worker threads of the runtime (default: one per core).
    #[arg(long, env = "GONGKAI_THREADS", value_name = "N")]
    pub(crate) threads: Option<usize>,
    #[command(flatten)]
    pub(crate) index: crate::index_cmd::IndexDirArg,
    /// Which log lines are written: a tracing filter such as `info`, `warn` or `info,gongkai_web=debug`.
    #[arg(long, env = "GONGKAI_LOG", default_value = "info,sqlx=warn", value_name = "FILTER")]
    pub(crate) log: String,
    /// How log lines are written to stderr: `text` (for a person) or `json` (one object a line, with the
    /// request's id, for a log collector).
    #[arg(
        long,
        value_enum,
        default_value = "text",
        env = "GONGKAI_LOG_FORMAT",
        value_name = "FORMAT"
    )]
    pub(crate) log_format: LogFormat,
    /// Turn off the per-address rate limits (for load tests from one address; never in production).
    #[arg(long, env = "GONGKAI_NO_RATE_LIMIT", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) no_rate_limit: bool,
    /// Send the staff session cookie without `Secure`, for a plain-HTTP intranet address (browsers treat
    /// localhost as secure, so a local demo works without this).
    #[arg(long, env = "GONGKAI_INSECURE_COOKIES", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) insecure_cookies: bool,
    /// Send HSTS (Strict-Transport-Security, one year) on every answer: for TLS that ends in front of gongkai
    /// without an X-Forwarded-Proto header. Behind a --trusted-proxy that sends `X-Forwarded-Proto: https`,
    /// HSTS is on without this.
    #[arg(
        long,
        env = "GONGKAI_HSTS",
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value = "false",
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub(crate) hsts: bool,
    /// A load balancer or reverse proxy in front of this instance (an address or a network such as
    /// 10.0.0.0/8; repeat or separate with commas): its X-Forwarded-For names the client for the rate
    /// limits and the audit trail. Without it the header is ignored.
    #[arg(long, env = "GONGKAI_TRUSTED_PROXY", value_name = "IP|CIDR", value_delimiter = ',')]
    pub(crate) trusted_proxy: Vec<String>,
    /// The server's secret key file: verification codes are stored as HMACs under it, so a backup alone
    /// does not reveal them. Made (mode 0600) when missing; every instance on one database needs the same
    /// file. Keep it out of backups of the database, and back it up on its own.
    #[arg(
        long,
        env = "GONGKAI_SECRET_FILE",
        default_value = "gongkai-secret.key",
        value_name = "FILE"
    )]
    pub(crate) secret_file: std::path::PathBuf,
    /// Turn `/metrics` off (it answers 404, and requests are not timed).
    #[arg(long, env = "GONGKAI_NO_METRICS", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_value = "false", default_missing_value = "true", action = clap::ArgAction::Set, value_parser = clap::builder::BoolishValueParser::new())]
    pub(crate) no_metrics: bool,
    /// Who may read `/metrics`: addresses or networks (repeat or separate with commas), such as the
    /// scraper's; default loopback only. A request that came through a proxy that is not a --trusted-proxy
    /// is refused.
    #[arg(long, env = "GONGKAI_METRICS_FROM", value_name = "IP|CIDR", value_delimiter = ',')]
    pub(crate) metrics_from: Vec<String>,
    /// Write a backup into this directory on a schedule (every --backup-every hours, keeping the newest
    /// --backup-keep), by one instance at a time; off without it.
    #[arg(long, env = "GONGKAI_BACKUP_DIR", value_name = "DIR")]
    pub(crate) backup_dir: Option<std::path::PathBuf>,
    /// Hours between scheduled backups.
    #[arg(long, env = "GONGKAI_BACKUP_EVERY", default_value_t = 24, value_name = "HOURS")]
    pub(crate) backup_every: u32,
    /// Scheduled backups kept (older ones are deleted).
    #[arg(long, env = "GONGKAI_BACKUP_KEEP", default_value_t = 7, value_name = "N")]
    pub(crate) backup_keep: usize,
    /// Encrypt scheduled backups with age to these recipients (`age1…` or a file of them), as `gongkai
    /// backup --encrypt-to` does.
    #[arg(
        long,
        env = "GONGKAI_BACKUP_ENCRYPT_TO",
        value_name = "RECIPIENT",
        value_delimiter = ','
    )]
    pub(crate) backup_encrypt_to: Vec<String>,
    #[command(flatten)]
    pub(crate) notify: NotifyArgs,
}

/// Where the applicant's notifications go out. Without --smtp-url no e-mail is sent and without --sms-url
/// no SMS; each case then records that its notices were not sent, and why.
#[derive(Debug, Clone, Args)]
pub(crate) struct NotifyArgs {
    /// The SMTP server for e-mail notices: `smtp://user:password@host:587?tls=required` (STARTTLS),
    /// `smtps://user:password@host:465` (TLS), or `smtp://host:25` (a local relay, no TLS).
    #[arg(long, env = "GONGKAI_SMTP_URL", hide_env_values = true, value_name = "URL")]
    pub(crate) smtp_url: Option<String>,
    /// The sender of e-mail notices, such as "某市司法局 <gongkai@example.gov.cn>".
    #[arg(long, env = "GONGKAI_MAIL_FROM", value_name = "ADDRESS")]
    pub(crate) mail_from: Option<String>,
    /// The SMS gateway: each SMS is an HTTP POST of --sms-template to this URL.
    #[arg(long, env = "GONGKAI_SMS_URL", hide_env_values = true, value_name = "URL")]
    pub(crate) sms_url: Option<String>,
    /// The JSON body of an SMS request, with {phone} and {text} where the gateway wants them.
    #[arg(
        long,
        env = "GONGKAI_SMS_TEMPLATE",
        value_name = "JSON",
        hide_env_values = true,
        default_value = gongkai_web::notify::DEFAULT_SMS_TEMPLATE
    )]
    pub(crate) sms_template: String,
    /// What in the gateway's JSON answer means the SMS was taken, as a JSON pointer and a value (`/code=0`);
    /// without it any 2xx answer does.
    #[arg(long, env = "GONGKAI_SMS_SUCCESS", value_name = "POINTER=VALUE")]
    pub(crate) sms_success: Option<String>,
}

impl NotifyArgs {
    /// The outbox's worker for these settings (refused with the flag to fix).
    fn outbox(
        &self,
        store: &gongkai_store::Store,
    ) -> Result<gongkai_web::notify::Outbox, UsageError> {
        let (mailer, sms) = self.channels()?;
        Ok(gongkai_web::notify::Outbox::new(store.clone(), mailer, sms))
    }

    /// The mailer and the SMS gateway these settings give (refused with the flag to fix); call inside the
    /// runtime.
    pub(crate) fn channels(
        &self,
    ) -> Result<
        (Option<gongkai_web::notify::Mailer>, Option<gongkai_web::notify::SmsGateway>),
        UsageError,
    > {
        use gongkai_web::notify::{ConfigError, Mailer, SmsGateway};
        // Each fault names the setting to fix.
        let flag = |err: &ConfigError| match err {
            ConfigError::SmtpUrl(_) => "--smtp-url",
            ConfigError::From(_) => "--mail-from",
            ConfigError::SmsUrl => "--sms-url",
            ConfigError::SmsTemplate(_) => "--sms-template",
            ConfigError::SmsSuccess => "--sms-success",
        };
        let mailer = match (&self.smtp_url, &self.mail_from) {
            (Some(url), Some(from)) => Some(
                Mailer::new(url, from)
                    .map_err(|err| UsageError::new(flag(&err), err.to_string()))?,
            ),
            (Some(_), None) => {
                return Err(UsageError::new(
                    "--mail-from",
                    "e-mail notices need a sender (--mail-from or GONGKAI_MAIL_FROM)",
                ));
            }
            _ => None,
        };
        let sms = match &self.sms_url {
            Some(url) => Some(
                SmsGateway::new(url, &self.sms_template, self.sms_success.as_deref())
                    .map_err(|err| UsageError::new(flag(&err), err.to_string()))?,
            ),
            None => None,
        };
        Ok((mailer, sms))
    }
}

/// The log lines' format (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub(crate) fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// What [`validate`] makes of the settings.
pub(crate) struct Checked {
    pub(crate) addr: SocketAddr,
    pub(crate) proxies: gongkai_web::client::TrustedProxies,
    pub(crate) filter: tracing_subscriber::EnvFilter,
    pub(crate) metrics: Option<gongkai_web::metrics::Access>,
    pub(crate) backups: Option<crate::duties::Backups>,
}

/// Checks the settings that can be checked before starting: the address, the proxies, the threads, the log
/// filter, who may read the metrics, the backup schedule.
pub(crate) fn validate(args: &ServeArgs) -> Result<Checked, UsageError> {
    let addr: SocketAddr = args.addr.parse().map_err(|_| {
        UsageError::new(
            "--addr",
            format!("`{}` is not an address such as 127.0.0.1:8080", args.addr),
        )
    })?;
    let proxies = gongkai_web::client::TrustedProxies::parse(&args.trusted_proxy)
        .map_err(|err| UsageError::new("--trusted-proxy", err.to_string()))?;
    if args.threads == Some(0) {
        return Err(UsageError::new("--threads", "must be at least 1"));
    }
    let filter = tracing_subscriber::EnvFilter::try_new(&args.log).map_err(|err| {
        UsageError::new(
            "--log",
            format!("`{}` is not a log filter such as info or warn: {err}", args.log),
        )
    })?;
    let metrics = match (args.no_metrics, args.metrics_from.is_empty()) {
        (true, _) => None,
        (false, true) => Some(gongkai_web::metrics::Access::loopback()),
        (false, false) => Some(
            gongkai_web::metrics::Access::parse(&args.metrics_from)
                .map_err(|err| UsageError::new("--metrics-from", err.to_string()))?,
        ),
    };
    if args.backup_every == 0 {
        return Err(UsageError::new("--backup-every", "must be at least 1 (hour)"));
    }
    if args.backup_keep == 0 {
        return Err(UsageError::new("--backup-keep", "must be at least 1"));
    }
    let backups = match &args.backup_dir {
        None if !args.backup_encrypt_to.is_empty() => {
            return Err(UsageError::new(
                "--backup-encrypt-to",
                "is set but --backup-dir is not (scheduled backups are off)",
            ));
        }
        None => None,
        Some(dir) => {
            if !dir.is_dir() {
                return Err(UsageError::new(
                    "--backup-dir",
                    format!("`{}` is not a directory", dir.display()),
                ));
            }
            let recipients = crate::db_cmd::recipients(&args.backup_encrypt_to)
                .map_err(|err| UsageError::new("--backup-encrypt-to", err.message))?;
            Some(crate::duties::Backups {
                dir: dir.clone(),
                every_hours: args.backup_every,
                keep: args.backup_keep,
                recipients,
            })
        }
    };
    Ok(Checked { addr, proxies, filter, metrics, backups })
}

pub(crate) fn run(
    args: &ServeArgs,
    matches: &clap::ArgMatches,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let mut args = args.clone();
    crate::config::resolve(&mut args, matches)?;
    let args = &args;
    let Checked { addr, proxies, filter, metrics, backups } = validate(args)?;
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match args.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        builder.worker_threads(threads);
    }
    let runtime = builder.enable_all().build().context("starting the runtime")?;
    let key = gongkai_store::secret::CodeKey::load_or_create(&args.secret_file).map_err(|err| {
        UsageError::new("--secret-file", format!("{}: {err}", args.secret_file.display()))
    })?;
    runtime.block_on(async {
        let store = db_cmd::open(&args.db).await?.with_code_key(key);
        store.check_code_key().await.map_err(|err| match err {
            gongkai_store::StoreError::KeyMismatch => UsageError::new(
                "--secret-file",
                format!(
                    "`{}` is not the key this database was used with; start with the original key file \
                     (the same file on every instance)",
                    args.secret_file.display()
                ),
            )
            .into(),
            other => anyhow::Error::new(other),
        })?;
        if args.demo && gongkai_store::agencies::list(&store).await?.is_empty() {
            for (code, saved) in db_cmd::load_demo_agencies(&store).await? {
                tracing::info!(agency = %code, items = saved.catalog_items, applications = saved.applications, "demo data loaded");
            }
            db_cmd::load_demo_staff(&store).await?;
        }
        let outbox = args.notify.outbox(&store)?;
        let mut state =
            gongkai_web::AppState::new(store.clone()).await?.with_channels(outbox.channels());
        if args.no_rate_limit {
            state = state.without_rate_limits();
        }
        if args.insecure_cookies {
            state = state.without_secure_cookies();
        }
        if args.hsts {
            state = state.with_hsts();
        }
        if !proxies.is_empty() {
            state = state.with_trusted_proxies(proxies);
        }
        if let Some(access) = metrics {
            state = state.with_metrics(access);
        }
        let search = std::sync::Arc::new(crate::index_cmd::open(&args.index.dir)?);
        start_indexer(store.clone(), state.clone(), search);
        start_catch_ups(store.clone());
        crate::duties::spawn(store.clone(), state.clone(), crate::duties::Schedule::new(backups));
        outbox.spawn();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|err| UsageError::new("--addr", format!("cannot listen on {addr}: {err}")))?;
        let local = listener.local_addr()?;
        // Both lines go out in one write: a caller that reads the first line and closes the pipe (a test, a
        // supervisor script) must not make a later write fail and stop the server.
        let mut banner = format!("gongkai serving on http://{local}/ (Ctrl-C to stop)\n");
        if args.demo {
            let names: Vec<&str> = db_cmd::DEMO_STAFF.iter().map(|(name, ..)| *name).collect();
            banner.push_str(&format!(
                "back office: http://{local}/staff — demo accounts {} (password {})\n",
                names.join(", "),
                db_cmd::DEMO_PASSWORD
            ));
        }
        out.write_all(banner.as_bytes())?;
        out.flush()?;
        tracing::info!(%local, backend = ?store.backend(), "listening");
        gongkai_web::serve(listener, state, shutdown_signal()).await?;
        store.close().await;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(Outcome::Success)
}

/// Brings the derived columns and tables of applications up to date once at start — the case search's text
/// index and the applicants' keys —, which requests otherwise fill one batch at a time: after an upgrade or a
/// bulk import they are complete within seconds of starting, not after many requests.
fn start_catch_ups(store: gongkai_store::Store) {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match gongkai_store::handling::search::catch_up(&store, None).await {
            Ok(caught) if caught.added > 0 => tracing::info!(
                applications = caught.added,
                seconds = started.elapsed().as_secs_f64(),
                "case search index brought up to date"
            ),
            Ok(_) => {}
            Err(err) => {
                tracing::error!(error = %err, "indexing applications for case search failed")
            }
        }
        let started = std::time::Instant::now();
        match gongkai_store::applicants::catch_up(&store, None).await {
            Ok(_) => tracing::debug!(
                seconds = started.elapsed().as_secs_f64(),
                "applicant keys up to date"
            ),
            Err(err) => tracing::error!(error = %err, "keying applicants failed"),
        }
    });
}

/// How often an instance deletes outbox rows older than a day.
const OUTBOX_PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// Keeps the search index current: a new (or emptied) index is rebuilt from the database first, and search
/// answers "being prepared" until then; afterwards the outbox is applied every few seconds.
fn start_indexer(
    store: gongkai_store::Store,
    state: gongkai_web::AppState,
    search: std::sync::Arc<gongkai_search::SearchIndex>,
) {
    tokio::spawn(async move {
        // A new or emptied index, or one whose marker is older than the oldest outbox row kept (the instance
        // was down longer than the outbox keeps), is rebuilt.
        let marker = search.marker().ok().flatten();
        let oldest = gongkai_store::catalog::oldest_change(&store).await.ok().flatten();
        let behind =
            matches!((marker, oldest), (Some(marker), Some(oldest)) if marker + 1 < oldest);
        let fresh = marker.is_none() || search.is_empty() || behind;
        let catch_up = if fresh {
            let started = std::time::Instant::now();
            match gongkai_web::indexer::rebuild(&store, &search).await {
                Ok(rebuilt) => {
                    tracing::info!(
                        items = rebuilt.items,
                        seconds = started.elapsed().as_secs_f64(),
                        "search index built"
                    );
                    gongkai_web::indexer::CatchUp::after(&search, &rebuilt)
                }
                Err(err) => {
                    tracing::error!(error = %err, "building the search index failed; search stays unavailable");
                    return;
                }
            }
        } else {
            gongkai_web::indexer::CatchUp::new(&search)
        };
        state.set_search(std::sync::Arc::clone(&search));
        let mut catch_up = match catch_up {
            Ok(catch_up) => catch_up,
            Err(err) => {
                tracing::error!(error = %err, "reading the search index marker failed");
                return;
            }
        };
        let mut interval = tokio::time::interval(gongkai_web::indexer::CATCH_UP_INTERVAL);
        let mut last_prune = std::time::Instant::now();
        loop {
            interval.tick().await;
            if last_prune.elapsed() >= OUTBOX_PRUNE_EVERY {
                last_prune = std::time::Instant::now();
                let day_ago = (time::OffsetDateTime::now_utc() - time::Duration::days(1))
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default();
                let now = time::OffsetDateTime::now_utc();
                pruned(
                    "expired staff sessions",
                    sessions::sweep(&store, now.unix_timestamp()).await,
                );
                pruned(
                    "old attempt throttles",
                    gongkai_store::throttle::forget_old(&store, now).await,
                );
                pruned("old form tokens", gongkai_store::once::forget_old(&store, now).await);
                pruned("search outbox rows", catalog::prune_changes(&store, &day_ago).await);
            }
            match catch_up.run(&store, &search).await {
                Ok(0) => {}
                Ok(count) => tracing::info!(items = count, "search index caught up"),
                Err(err) => tracing::warn!(error = %err, "search index catch-up failed; retrying"),
            }
        }
    });
}

/// Logs what an hourly pruning deleted (nothing when it deleted nothing), or that it failed.
fn pruned(what: &str, deleted: Result<u64, gongkai_store::StoreError>) {
    match deleted {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, what, "pruned"),
        Err(err) => tracing::warn!(error = %err, what, "pruning failed"),
    }
}

/// Ctrl-C or SIGTERM: stop accepting, finish the requests in flight.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
