//! Commands on a database: `migrate`, `agency`, `user`, `demo load`, `audit-log verify`.
//!
//! The database URL comes from `--db` or `GONGKAI_DATABASE_URL` (default `sqlite://gongkai.db`).

use std::io::{BufRead, Write};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use gongkai_store::agencies::{self, Leader, NewAgency, Profile};
use gongkai_store::audit::{self, Verification};
use gongkai_store::catalog::{self, ItemMetadata, NewItem};
use gongkai_store::{Actor, Store, StoreError, records, users};
use gongkai_store::{bookings, reports};

use crate::{Outcome, UsageError};

/// The database to use.
#[derive(Debug, Clone, Args)]
pub(crate) struct DbArgs {
    /// Database URL: `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(
        long = "db",
        env = "GONGKAI_DATABASE_URL",
        default_value = "sqlite://gongkai.db",
        value_name = "URL"
    )]
    pub(crate) url: String,
}

/// Runs `future` on a small runtime: the CLI is synchronous, the store async.
pub(crate) fn block_on<T>(future: impl std::future::Future<Output = T>) -> anyhow::Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?;
    Ok(runtime.block_on(future))
}

/// Opens the store, migrating it; user-fixable failures name `--db`.
pub(crate) async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    Store::open(&db.url).await.map_err(|err| match err {
        StoreError::UnsupportedUrl { .. } | StoreError::NewerSchema { .. } => {
            UsageError::new("--db", err.to_string()).into()
        }
        other => anyhow::Error::new(other).context(format!("opening `{}`", redact(&db.url))),
    })
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme), Some(at)) if url[scheme + 3..at].contains(':') => {
            let user_end = scheme + 3 + url[scheme + 3..at].find(':').unwrap_or(0);
            format!("{}:***{}", &url[..user_end], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The acting user for the audit trail.
pub(crate) fn actor() -> Actor<'static> {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let name = NAME.get_or_init(|| {
        format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned()))
    });
    Actor::new(name, "cli")
}

/// Maps store errors the user can fix to exit code 2.
fn usage(argument: &'static str) -> impl Fn(StoreError) -> anyhow::Error {
    move |err| match err {
        StoreError::Database(_) | StoreError::Migrate(_) => anyhow::Error::new(err),
        other => UsageError::new(argument, other.to_string()).into(),
    }
}

#[derive(Debug, Args)]
pub(crate) struct MigrateArgs {
    #[command(flatten)]
    db: DbArgs,
}

pub(crate) fn migrate(args: &MigrateArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let version = block_on(async {
        let store = open(&args.db).await?;
        let version = store.schema_version().await?;
        store.close().await;
        anyhow::Ok(version)
    })??;
    writeln!(out, "schema at version {}", version.unwrap_or_default())?;
    Ok(Outcome::Success)
}

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing would only obscure the flags"
)]
pub(crate) enum AgencyCommand {
    /// Add an agency.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// A stable code, e.g. the 统一社会信用代码.
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// `government` or `department`.
        #[arg(long, default_value = "department")]
        kind: String,
        /// The region, e.g. 浙江省温州市.
        #[arg(long)]
        region: String,
        /// The parent agency's code.
        #[arg(long)]
        parent: Option<String>,
        /// The 索引号 pattern.
        #[arg(long, default_value = "{code}/{year}-{serial:05}")]
        index_pattern: String,
        #[arg(long, default_value = "")]
        office: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        hours: String,
    },
    /// List agencies.
    List {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn agency(command: &AgencyCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        AgencyCommand::Add {
            db,
            code,
            name,
            kind,
            region,
            parent,
            index_pattern,
            office,
            phone,
            address,
            hours,
        } => {
            let agency = NewAgency {
                code,
                name,
                kind,
                region,
                parent_code: parent.as_deref(),
                index_pattern,
                office,
                phone,
                address,
                hours,
            };
            let added = block_on(async {
                let store = open(db).await?;
                let added = agencies::add(&store, &agency, &actor()).await.map_err(usage("--code"));
                store.close().await;
                added
            })??;
            writeln!(out, "added agency {} {}", added.code, added.name)?;
        }
        AgencyCommand::List { db, json } => {
            let list = block_on(async {
                let store = open(db).await?;
                let list = agencies::list(&store).await?;
                store.close().await;
                anyhow::Ok(list)
            })??;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for agency in &list {
                    let parent = agency.parent_code.as_deref().unwrap_or("-");
                    writeln!(
                        out,
                        "{}\t{}\t{}\t{}\tparent {}",
                        agency.code, agency.name, agency.kind, agency.region, parent
                    )?;
                }
                writeln!(out, "{} agencies", list.len())?;
            }
        }
    }
    Ok(Outcome::Success)
}

#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Add a staff account; the password is read from standard input (one line).
    Add {
        #[command(flatten)]
        db: DbArgs,
        username: String,
        /// The name shown in the back office.
        #[arg(long)]
        name: String,
    },
    /// Set a user's password, read from standard input (one line).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Grant a role: `clerk`, `reviewer`, `head`, `agency_admin`, `supervisor` (with --agency) or `platform_admin`.
    Grant {
        #[command(flatten)]
        db: DbArgs,
        username: String,
        role: String,
        #[arg(long)]
        agency: Option<String>,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

pub(crate) fn user(command: &UserCommand, out: &mut impl Write) -> anyhow::Result<Outcome> {
    match command {
        UserCommand::Add { db, username, name } => {
            let password = read_password()?;
            block_on(async {
                let store = open(db).await?;
                let result = users::add(&store, username, name, &password, &actor())
                    .await
                    .map_err(usage("USERNAME"));
                store.close().await;
                result
            })??;
            writeln!(out, "added user {username}")?;
        }
        UserCommand::Passwd { db, username } => {
            let password = read_password()?;
            block_on(async {
                let store = open(db).await?;
                let result = users::set_password(&store, username, &password, &actor())
                    .await
                    .map_err(usage("USERNAME"));
                store.close().await;
                result
            })??;
            writeln!(out, "password changed for {username}")?;
        }
        UserCommand::Grant { db, username, role, agency } => {
            block_on(async {
                let store = open(db).await?;
                let result = users::grant(&store, username, role, agency.as_deref(), &actor())
                    .await
                    .map_err(usage("ROLE"));
                store.close().await;
                result
            })??;
            writeln!(
                out,
                "granted {role} to {username}{}",
                agency.as_deref().map(|code| format!(" in {code}")).unwrap_or_default()
            )?;
        }
    }
    Ok(Outcome::Success)
}

/// Loads the demo agencies into a database.
pub(crate) fn demo_load(db: &DbArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let loaded = block_on(async {
        let store = open(db).await?;
        let loaded = load_demo_agencies(&store).await?;
        store.close().await;
        anyhow::Ok(loaded)
    })??;
    for (code, saved) in loaded {
        writeln!(
            out,
            "loaded {code}: {} catalog items, {} applications ({} events), {} other records",
            saved.catalog_items, saved.applications, saved.events, saved.other_records
        )?;
    }
    Ok(Outcome::Success)
}

/// Adds each agency of the demo platform (parents first) with its records, catalog texts, profile and
/// leaders, configures its reading points, and publishes the justice bureau's annual reports, each frozen
/// as HTML, DOCX, PDF, XLSX and JSON.
pub(crate) async fn load_demo_agencies(
    store: &Store,
) -> anyhow::Result<Vec<(String, records::Saved)>> {
    let mut loaded = Vec::new();
    let calendar = gongkai_store::calendar::effective(store).await?;
    for demo in gongkai_demo::portal::agencies() {
        let new = NewAgency {
            code: demo.code,
            name: demo.name,
            kind: demo.kind,
            region: demo.region,
            parent_code: demo.parent_code,
            index_pattern: "{code}/{year}-{serial:05}",
            office: &demo.office,
            phone: demo.phone,
            address: demo.address,
            hours: demo.hours,
        };
        agencies::add(store, &new, &actor()).await.map_err(usage("--db"))?;
        // The records go in with the report engine's fields; the catalog goes in with its texts.
        let mut without_catalog = demo.records.clone();
        without_catalog.catalog.clear();
        let mut saved = records::save(store, demo.code, &without_catalog, &actor()).await?;
        let items: Vec<NewItem> = demo
            .records
            .catalog
            .iter()
            .zip(&demo.texts)
            .map(|(record, text)| NewItem {
                record: record.clone(),
                metadata: ItemMetadata {
                    summary: text.summary.clone(),
                    body: text.body.clone(),
                    subject: text.subject.clone(),
                    genre: text.genre.clone(),
                    doc_number: text.doc_number.clone(),
                    validity: text.validity.clone(),
                    disclosure: "主动公开".to_owned(),
                },
            })
            .collect();
        saved.catalog_items = catalog::import(store, demo.code, &items, 5_000, &actor()).await?;
        let profile = Profile {
            overview: demo.overview.clone(),
            duties: demo.duties.clone(),
            email: demo.email.to_owned(),
            postcode: demo.postcode.to_owned(),
            fax: demo.fax.to_owned(),
            leaders: demo
                .leaders
                .iter()
                .map(|leader| Leader {
                    name: leader.name.to_owned(),
                    post: leader.post.to_owned(),
                    duties: leader.duties.clone(),
                    biography: leader.biography.clone(),
                })
                .collect(),
        };
        agencies::set_profile(store, demo.code, &profile, &actor()).await?;
        let today = gongkai_web::china_today();
        for point in bookings::reading_points(store, demo.code, today).await? {
            bookings::configure(
                store,
                point.id,
                gongkai_demo::portal::READING_HOURS,
                gongkai_demo::portal::READING_CAPACITY,
                &gongkai_demo::portal::READING_SLOTS,
                &actor(),
            )
            .await?;
        }
        for year in &demo.report_years {
            let files = render_report(&demo.records, *year, &calendar)?;
            let format = gongkai_core::report::format::FormatId::for_year(*year).code();
            reports::publish(store, demo.code, *year, format, &files, &actor()).await?;
        }
        loaded.push((demo.code.to_owned(), saved));
    }
    Ok(loaded)
}

/// The password of the demo staff accounts (`serve --demo` only; never use the demo accounts in production).
pub(crate) const DEMO_PASSWORD: &str = "gongkai-demo-2026";

/// The demo staff: (username, display name, role, agency code or `None` for the platform).
pub(crate) const DEMO_STAFF: [(&str, &str, &str, Option<&str>); 6] = [
    ("clerk", "王经办（司法局）", "clerk", Some(gongkai_demo::portal::JUSTICE)),
    ("reviewer", "赵审核（司法局）", "reviewer", Some(gongkai_demo::portal::JUSTICE)),
    ("head", "陈局长（司法局）", "head", Some(gongkai_demo::portal::JUSTICE)),
    ("sfjadmin", "李管理（司法局）", "agency_admin", Some(gongkai_demo::portal::JUSTICE)),
    ("supervisor", "市政府办公室", "supervisor", Some("DEMO-330300-ZF")),
    ("admin", "平台管理员", "platform_admin", None),
];

/// Adds the demo staff accounts with [`DEMO_PASSWORD`].
pub(crate) async fn load_demo_staff(store: &Store) -> anyhow::Result<()> {
    for (username, name, role, agency) in DEMO_STAFF {
        users::add(store, username, name, DEMO_PASSWORD, &actor()).await?;
        users::grant(store, username, role, agency, &actor()).await?;
    }
    Ok(())
}

/// The report of `year` in every output, for publication.
fn render_report(
    records: &gongkai_core::report::records::AgencyRecords,
    year: i32,
    calendar: &gongkai_core::calendar::Calendar,
) -> anyhow::Result<Vec<reports::ReportFile>> {
    let report = gongkai_core::report::build(records, year, None, calendar)
        .with_context(|| format!("building the demo report of {year}"))?;
    gongkai_render::Output::ALL
        .into_iter()
        .map(|output| {
            let data = gongkai_render::render(&report, output).with_context(|| {
                format!("rendering the demo report of {year} as {}", output.extension())
            })?;
            Ok(reports::ReportFile {
                kind: output.extension(),
                media_type: output.media_type(),
                data,
            })
        })
        .collect()
}

#[derive(Debug, Subcommand)]
pub(crate) enum AuditLogCommand {
    /// Walk the hash chain; exit 1 at the first entry that does not verify.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub(crate) fn audit_log(
    command: &AuditLogCommand,
    out: &mut impl Write,
) -> anyhow::Result<Outcome> {
    let AuditLogCommand::Verify { db } = command;
    let verification = block_on(async {
        let store = open(db).await?;
        let verification = audit::verify(&store).await?;
        store.close().await;
        anyhow::Ok(verification)
    })??;
    match verification {
        Verification::Intact { entries } => {
            writeln!(out, "all {entries} entries verify")?;
            Ok(Outcome::Success)
        }
        Verification::Broken { position, id, kind } => {
            let id = id.map(|id| format!(" (id {id})")).unwrap_or_default();
            writeln!(out, "entry {position}{id} does not verify: {kind}")?;
            Ok(Outcome::ProblemsFound)
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Where to write the backup (JSON lines; written beside and renamed into place when complete).
    file: std::path::PathBuf,
}

/// Writes a consistent snapshot of the database while it is in use.
pub(crate) fn backup(args: &BackupArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let partial = args.file.with_extension("partial");
    let summary = block_on(async {
        let store = open(&args.db).await?;
        let file = std::fs::File::create(&partial)
            .with_context(|| format!("creating `{}`", partial.display()))?;
        let mut writer = std::io::BufWriter::new(file);
        let summary = gongkai_store::backup::backup(&store, &mut writer).await;
        store.close().await;
        writer.flush().context("writing the backup")?;
        anyhow::Ok(summary?)
    })??;
    std::fs::rename(&partial, &args.file)
        .with_context(|| format!("writing `{}`", args.file.display()))?;
    writeln!(
        out,
        "backed up {} rows of {} tables to {}",
        summary.rows,
        summary.tables,
        args.file.display()
    )?;
    Ok(Outcome::Success)
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// A file written by `gongkai backup`; the database must be empty.
    file: std::path::PathBuf,
}

/// Restores a backup into an empty database, all or nothing.
pub(crate) fn restore(args: &RestoreArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let file = std::fs::File::open(&args.file)
        .map_err(|err| UsageError::new("FILE", format!("`{}`: {err}", args.file.display())))?;
    let summary = block_on(async {
        let store = open(&args.db).await?;
        let summary = gongkai_store::backup::restore(&store, &mut std::io::BufReader::new(file))
            .await
            .map_err(usage("FILE"));
        store.close().await;
        summary
    })??;
    writeln!(
        out,
        "restored {} rows of {} tables from {}",
        summary.rows,
        summary.tables,
        args.file.display()
    )?;
    Ok(Outcome::Success)
}
