//! Commands on a database: `migrate`, `agency`, `user`, `demo load`, `audit-log verify`, `backup`, `restore`.
//!
//! The database URL comes from `--db` or `GONGKAI_DATABASE_URL` (default `sqlite://gongkai.db`).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};
use gongkai_core::reading::Schedule;
use gongkai_store::agencies::{self, Leader, NewAgency, Profile};
use gongkai_store::audit::{self, Verification};
use gongkai_store::backup::Summary;
use gongkai_store::catalog::{self, ItemMetadata, NewItem};
use gongkai_store::{Actor, Store, StoreError, records, users};
use gongkai_store::{bookings, reports};

use crate::{Outcome, UsageError};
use gongkai_core::records::AgencyKind;

/// The database to use.
#[derive(Debug, Clone, Args)]
pub(crate) struct DbArgs {
    /// Database URL: `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`.
    #[arg(
        long = "db",
        env = "GONGKAI_DATABASE_URL",
        hide_env_values = true,
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
pub(crate) fn usage(argument: &'static str) -> impl Fn(StoreError) -> anyhow::Error {
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
    /// Add or update agencies from a TOML, XLSX or CSV file, by code (all of them or none).
    Import(crate::agency_cmd::ImportArgs),
    /// Write the agencies (all, or one and those under it) to a TOML file `agency import` reads back.
    Export(crate::agency_cmd::ExportArgs),
    /// Change an agency's name, kind, place in the tree, region, 索引号 pattern or contact details.
    Edit(crate::agency_cmd::EditArgs),
    /// Close an agency (撤销 or 合并 into a successor); it keeps its place in the tree and its archive.
    Close(crate::agency_cmd::CloseArgs),
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
            let kind = AgencyKind::from_name(kind).ok_or_else(|| {
                UsageError::new("--kind", format!("`{kind}`: government or department"))
            })?;
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
                        agency.code,
                        agency.name,
                        agency.kind.code(),
                        agency.region,
                        parent
                    )?;
                }
                writeln!(out, "{} agencies", list.len())?;
            }
        }
        AgencyCommand::Import(args) => return crate::agency_cmd::import(args, out),
        AgencyCommand::Export(args) => return crate::agency_cmd::export(args, out),
        AgencyCommand::Edit(args) => return crate::agency_cmd::edit(args, out),
        AgencyCommand::Close(args) => return crate::agency_cmd::close(args, out),
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
        role: users::Role,
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
                let result = users::grant(&store, username, *role, agency.as_deref(), &actor())
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
                    photo: None,
                })
                .collect(),
        };
        agencies::set_profile(store, demo.code, &profile, &actor()).await?;
        let today = gongkai_web::china_today();
        let schedule = Schedule::typed(&gongkai_demo::portal::READING_SLOTS.join(","), [""; 7])?;
        let change = bookings::PointChange {
            hours: gongkai_demo::portal::READING_HOURS,
            capacity: gongkai_demo::portal::READING_CAPACITY,
            schedule: &schedule,
            closed_days: &[],
        };
        for point in bookings::reading_points(store, demo.code, today).await? {
            bookings::configure(store, demo.code, point.id, &change, today, &actor()).await?;
        }
        for year in &demo.report_years {
            // Published ten days before the statutory deadline (never after today), signed by the demo
            // bureau's staff, as a bureau that kept its archive here would have done.
            let deadline =
                gongkai_core::report::publication_deadline(demo.kind, *year).unwrap_or(today);
            let on = (deadline - time::Duration::days(10)).min(today);
            let sign_off = demo_sign_off(demo.code, demo.phone, on);
            let files = render_report(&demo.records, *year, sign_off, &calendar)?;
            let format = gongkai_core::report::format::FormatId::for_year(*year).code();
            reports::publish_on(store, demo.code, *year, format, &files, on, &actor()).await?;
        }
        loaded.push((demo.code.to_owned(), saved));
    }
    // The platform's marks: the city government runs the demo platform. The registration numbers
    // (ICP, 公安, 网站标识码) stay empty: the demo has none, and a made-up number would pass for a real one.
    if let Some(host) = gongkai_demo::portal::agencies()
        .into_iter()
        .find(|demo| demo.code == gongkai_demo::portal::CITY)
    {
        let info = gongkai_core::site::SiteInfo {
            host: host.name.to_owned(),
            contact: host.phone.to_owned(),
            ..gongkai_core::site::SiteInfo::default()
        };
        gongkai_store::site::set_info(store, &info, &actor()).await?;
    }
    Ok(loaded)
}

/// The password of the demo staff accounts (`serve --demo` only; never use the demo accounts in production).
pub(crate) const DEMO_PASSWORD: &str = "gongkai-demo-2026";

/// The demo staff: (username, display name, role, agency code or `None` for the platform).
pub(crate) const DEMO_STAFF: [(&str, &str, users::Role, Option<&str>); 6] = [
    ("clerk", "王经办（司法局）", users::Role::Clerk, Some(gongkai_demo::portal::JUSTICE)),
    ("reviewer", "赵审核（司法局）", users::Role::Reviewer, Some(gongkai_demo::portal::JUSTICE)),
    ("head", "陈局长（司法局）", users::Role::Head, Some(gongkai_demo::portal::JUSTICE)),
    ("sfjadmin", "李管理（司法局）", users::Role::AgencyAdmin, Some(gongkai_demo::portal::JUSTICE)),
    ("supervisor", "市政府办公室", users::Role::Supervisor, Some("DEMO-330300-ZF")),
    ("admin", "平台管理员", users::Role::PlatformAdmin, None),
];

/// Adds the demo staff accounts with [`DEMO_PASSWORD`].
pub(crate) async fn load_demo_staff(store: &Store) -> anyhow::Result<()> {
    for (username, name, role, agency) in DEMO_STAFF {
        users::add(store, username, name, DEMO_PASSWORD, &actor()).await?;
        users::grant(store, username, role, agency, &actor()).await?;
    }
    Ok(())
}

/// The signature block of a demo agency's report: its demo staff (填报人 the clerk, 审核人 the reviewer,
/// 单位负责人 the head; names without the "（司法局）" the staff list adds), its phone, the day.
fn demo_sign_off(code: &str, phone: &str, on: time::Date) -> gongkai_core::report::SignOff {
    let name = |role: users::Role| {
        DEMO_STAFF
            .iter()
            .find(|(_, _, staff_role, agency)| *staff_role == role && *agency == Some(code))
            .map(|(_, name, _, _)| name.split('（').next().unwrap_or(name).to_owned())
    };
    gongkai_core::report::SignOff {
        head: name(users::Role::Head),
        reviewer: name(users::Role::Reviewer),
        preparer: name(users::Role::Clerk),
        phone: Some(phone.to_owned()),
        date: Some(on),
    }
}

/// The report of `year` in every output, for publication, with its signature block.
fn render_report(
    records: &gongkai_core::records::AgencyRecords,
    year: i32,
    sign_off: gongkai_core::report::SignOff,
    calendar: &gongkai_core::calendar::Calendar,
) -> anyhow::Result<Vec<reports::ReportFile>> {
    let mut report = gongkai_core::report::build(records, year, None, calendar)
        .with_context(|| format!("building the demo report of {year}"))?;
    report.sign_off = sign_off;
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
    /// Encrypt the backup with age to RECIPIENT: an X25519 public key `age1…`, or a file of them (one a line,
    /// `#` comments). Repeat for several recipients; the identity of any one of them restores the backup.
    #[arg(long = "encrypt-to", value_name = "RECIPIENT")]
    encrypt_to: Vec<String>,
    /// Where to write the backup (JSON lines, or an age file with --encrypt-to; written beside and renamed into
    /// place when complete).
    file: PathBuf,
}

/// Writes a consistent snapshot of the database while it is in use, encrypted with age when recipients are
/// given.
pub(crate) fn backup(args: &BackupArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    // Resolved before the database is opened: a bad recipient writes nothing.
    let recipients = recipients(&args.encrypt_to)?;
    let summary = block_on(async {
        let store = open(&args.db).await?;
        let written = backup_to(&store, &args.file, &recipients).await;
        store.close().await;
        written
    })??;
    let encrypted = match recipients.len() {
        0 => String::new(),
        1 => " (encrypted to 1 recipient)".to_owned(),
        n_recipients => format!(" (encrypted to {n_recipients} recipients)"),
    };
    writeln!(
        out,
        "backed up {} rows of {} tables to {}{encrypted}",
        summary.rows,
        summary.tables,
        args.file.display()
    )?;
    Ok(Outcome::Success)
}

/// Writes a backup of `store` to `path` (encrypted with age to `recipients` when there are any): into
/// `PATH.partial` beside it (`a.json` and `a.age` do not share one), readable by its owner only — a plain
/// backup holds every applicant's personal data and every password hash —, synced, then renamed into place.
/// A failure leaves nothing that could be mistaken for a backup. The serve command's scheduled backups use
/// it too.
pub(crate) async fn backup_to(
    store: &Store,
    path: &Path,
    recipients: &[age::x25519::Recipient],
) -> anyhow::Result<Summary> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = async {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file =
            options.open(&partial).with_context(|| format!("creating `{}`", partial.display()))?;
        write_backup(store, file, recipients).await
    }
    .await;
    match written {
        Ok(summary) => {
            std::fs::rename(&partial, path)
                .with_context(|| format!("writing `{}`", path.display()))?;
            Ok(summary)
        }
        Err(err) => {
            // Half a backup is no backup: nothing is left to be mistaken for one.
            std::fs::remove_file(&partial).ok();
            Err(err)
        }
    }
}

/// Writes the backup into `file`, through age when there are recipients.
///
/// The store's backup writes to any `Write`, so encryption wraps the file as the lines are written: the
/// plaintext never reaches the disk, and no temporary file is needed.
async fn write_backup(
    store: &Store,
    file: File,
    recipients: &[age::x25519::Recipient],
) -> anyhow::Result<Summary> {
    let mut writer = BufWriter::new(file);
    if recipients.is_empty() {
        let summary = gongkai_store::backup::backup(store, &mut writer).await?;
        writer.flush().context("writing the backup")?;
        synced(writer)?;
        return Ok(summary);
    }
    let encryptor = age::Encryptor::with_recipients(
        recipients.iter().map(|recipient| recipient as &dyn age::Recipient),
    )
    .context("encrypting the backup")?;
    let mut encrypted = encryptor.wrap_output(writer).context("writing the backup")?;
    let summary = gongkai_store::backup::backup(store, &mut encrypted).await?;
    // `finish` seals the last chunk; a file without it does not decrypt.
    let mut writer = encrypted.finish().context("writing the backup")?;
    writer.flush().context("writing the backup")?;
    synced(writer)?;
    Ok(summary)
}

/// Flushes the file to disk before it is renamed into place, so a crash never leaves a backup that is short.
fn synced(writer: BufWriter<File>) -> anyhow::Result<()> {
    let file = writer.into_inner().map_err(|err| err.into_error()).context("writing the backup")?;
    file.sync_all().context("writing the backup")
}

/// Whether `text` is an age secret key, which must never be echoed in a message.
fn is_secret_key(text: &str) -> bool {
    text.get(..15).is_some_and(|prefix| prefix.eq_ignore_ascii_case("AGE-SECRET-KEY-"))
}

/// The recipients named by `--encrypt-to`: each value is an X25519 public key `age1…` or a file of them, one a
/// line, with blank lines and `#` comments (the format of age's recipients files).
pub(crate) fn recipients(values: &[String]) -> Result<Vec<age::x25519::Recipient>, UsageError> {
    let bad = |message: String| UsageError::new("--encrypt-to", message);
    let secret = "an age secret key (`AGE-SECRET-KEY-1…`), not a recipient; give its public key `age1…` \
                  (`age-keygen -y IDENTITY_FILE` prints it)";
    let mut recipients = Vec::new();
    for value in values {
        if is_secret_key(value) {
            return Err(bad(format!("the value is {secret}")));
        }
        if value.starts_with("age1") {
            let recipient = value.parse().map_err(|reason| {
                bad(format!("`{value}` is not an age X25519 recipient: {reason}"))
            })?;
            recipients.push(recipient);
            continue;
        }
        let path = Path::new(value);
        if !path.is_file() {
            return Err(bad(format!(
                "`{value}` is neither an age X25519 recipient (`age1…`) nor a file of them"
            )));
        }
        let text = std::fs::read_to_string(path).map_err(|err| bad(format!("`{value}`: {err}")))?;
        let n_before = recipients.len();
        // Line numbers, not lines, in messages: a wrong file could hold anything.
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line_number = index + 1;
            if is_secret_key(line) {
                return Err(bad(format!("`{value}` line {line_number} is {secret}")));
            }
            let recipient = line.parse().map_err(|reason| {
                bad(format!(
                    "`{value}` line {line_number} is not an age X25519 recipient (`age1…`): {reason}"
                ))
            })?;
            recipients.push(recipient);
        }
        if recipients.len() == n_before {
            return Err(bad(format!("`{value}` holds no recipient")));
        }
    }
    Ok(recipients)
}

#[derive(Debug, Args)]
pub(crate) struct RestoreArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The age identity file that decrypts a backup written with --encrypt-to (`AGE-SECRET-KEY-1…` lines and
    /// `#` comments, as `age-keygen` writes it).
    #[arg(long, value_name = "FILE")]
    identity: Option<PathBuf>,
    /// A file written by `gongkai backup`; the database must be empty.
    file: PathBuf,
}

/// How an age file begins: the version line of its header (`age-encryption.org/v1`).
const AGE_HEADER: &[u8] = b"age-encryption.org/";

/// Restores a backup into an empty database, all or nothing, decrypting it first when it is an age file.
pub(crate) fn restore(args: &RestoreArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    // Everything about the files and the key is checked before the database is opened, so a failure here
    // leaves the target as it was.
    let identities = match &args.identity {
        Some(path) => Some((path.as_path(), identities(path)?)),
        None => None,
    };
    let unreadable =
        |err: std::io::Error| UsageError::new("FILE", format!("`{}`: {err}", args.file.display()));
    let mut reader = BufReader::new(File::open(&args.file).map_err(unreadable)?);
    let encrypted = reader.fill_buf().map_err(unreadable)?.starts_with(AGE_HEADER);
    let mut input: Box<dyn BufRead> = match (&identities, encrypted) {
        (None, true) => {
            return Err(UsageError::new(
                "--identity",
                format!(
                    "`{}` is an encrypted backup (age); give the identity file that decrypts it with \
                     --identity FILE",
                    args.file.display()
                ),
            )
            .into());
        }
        (Some((path, identities)), true) => {
            Box::new(BufReader::new(decrypt(reader, identities, path, &args.file)?))
        }
        (_, false) => Box::new(reader),
    };
    let summary = block_on(async {
        let store = open(&args.db).await?;
        let summary =
            gongkai_store::backup::restore(&store, &mut input).await.map_err(usage("FILE"));
        store.close().await;
        summary
    })??;
    let note = match (&identities, encrypted) {
        (_, true) => " (decrypted)",
        (Some(_), false) => " (not encrypted; --identity was not needed)",
        (None, false) => "",
    };
    writeln!(
        out,
        "restored {} rows of {} tables from {}{note}",
        summary.rows,
        summary.tables,
        args.file.display()
    )?;
    Ok(Outcome::Success)
}

/// An age identity (secret key).
type AgeIdentity = Box<dyn age::Identity + Send + Sync>;

/// The identities of an age identity file: `AGE-SECRET-KEY-1…` lines, blank lines and `#` comments.
fn identities(path: &Path) -> Result<Vec<AgeIdentity>, UsageError> {
    let bad =
        |message: String| UsageError::new("--identity", format!("`{}`: {message}", path.display()));
    let file = File::open(path).map_err(|err| bad(err.to_string()))?;
    // age's messages name the line, never its content.
    let identities = age::IdentityFile::from_buffer(BufReader::new(file))
        .and_then(|parsed| parsed.into_identities().map_err(std::io::Error::other))
        .map_err(|err| bad(format!("not an age identity file: {err}")))?;
    if identities.is_empty() {
        return Err(bad("holds no age identity (`AGE-SECRET-KEY-1…`)".to_owned()));
    }
    Ok(identities)
}

/// A reader of the plaintext of the age file `input`, once one of `identities` (read from `identity_file`)
/// has opened its header.
fn decrypt<R: BufRead>(
    input: R,
    identities: &[AgeIdentity],
    identity_file: &Path,
    backup_file: &Path,
) -> Result<age::stream::StreamReader<R>, UsageError> {
    let bad_backup = |err: age::DecryptError| {
        UsageError::new(
            "FILE",
            format!("`{}`: not a readable age file: {err}", backup_file.display()),
        )
    };
    let decryptor = age::Decryptor::new_buffered(input).map_err(bad_backup)?;
    decryptor
        .decrypt(identities.iter().map(|identity| identity.as_ref() as &dyn age::Identity))
        .map_err(|err| match err {
            age::DecryptError::NoMatchingKeys => UsageError::new(
                "--identity",
                format!(
                    "`{}`: no identity in it is a recipient of `{}`",
                    identity_file.display(),
                    backup_file.display()
                ),
            ),
            other => bad_backup(other),
        })
}
