//! The duties a running server does on a schedule (issue #21), each run kept with what it found
//! (`gongkai_store::duties`; the detail in Chinese, as the page shows it), shown to the platform admin on
//! the audit-log page and in `/metrics`:
//!
//! - the audit trail's hash chain is verified every day (a break is logged as an error);
//! - with `--backup-dir`, a backup is written every `--backup-every` hours, and only the newest
//!   `--backup-keep` are kept;
//! - each instance checks its own search index against the catalog every ten minutes.
//!
//! The first two are the platform's, done by one instance at a time: the one that takes the duty's lease in
//! the database. The index is each instance's own.

use std::path::{Path, PathBuf};
use std::time::Duration;

use gongkai_store::Store;
use gongkai_store::duties::{self, Run, Status};

/// How often the schedule is looked at, and how long after start the first look is.
const CHECK_EVERY: Duration = Duration::from_secs(60);
const FIRST_CHECK: Duration = Duration::from_secs(5);
/// The audit chain is verified this often.
const AUDIT_EVERY: i64 = 24 * 3600;
/// An instance's index is checked this often.
const INDEX_EVERY: Duration = Duration::from_secs(600);
/// How long a lease is held at most: a run longer than this could be started again by another instance.
const LEASE: i64 = 6 * 3600;
/// A run that could not be done (the database or the disk failed) is tried again this long after.
const RETRY_AFTER: i64 = 3600;
/// The names of backup files: `gongkai-backup-20261208T013000Z.jsonl` (or `.age` when encrypted).
const BACKUP_PREFIX: &str = "gongkai-backup-";

/// Scheduled backups (`--backup-dir` and its companions).
#[derive(Debug, Clone)]
pub(crate) struct Backups {
    pub(crate) dir: PathBuf,
    pub(crate) every_hours: u32,
    pub(crate) keep: usize,
    pub(crate) recipients: Vec<age::x25519::Recipient>,
}

/// What this instance does on schedule.
#[derive(Debug, Clone)]
pub(crate) struct Schedule {
    /// This instance, as a lease names it: `host:pid:token`, the token random per process (containers of
    /// one image can share a host name and a pid).
    pub(crate) holder: String,
    pub(crate) backups: Option<Backups>,
}

impl Schedule {
    pub(crate) fn new(backups: Option<Backups>) -> Schedule {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|name| name.trim().to_owned())
            .filter(|name| !name.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "gongkai".to_owned());
        let token = {
            use std::hash::{BuildHasher, Hasher};
            // RandomState is seeded from the system's randomness, differently in every process.
            std::collections::hash_map::RandomState::new().build_hasher().finish() & 0xffff_ffff
        };
        Schedule { holder: format!("{host}:{}:{token:08x}", std::process::id()), backups }
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Starts the schedule on the server's runtime.
pub(crate) fn spawn(store: Store, state: gongkai_web::AppState, schedule: Schedule) {
    tokio::spawn(async move {
        tokio::time::sleep(FIRST_CHECK).await;
        let mut last_index_check: Option<std::time::Instant> = None;
        loop {
            for run in run_due(&store, &schedule, now()).await {
                match run.status {
                    Status::Ok => {
                        tracing::info!(duty = %run.duty, detail = %run.detail, "scheduled duty done")
                    }
                    Status::Problem => tracing::error!(
                        duty = %run.duty, detail = %run.detail, "scheduled duty found a problem"
                    ),
                    Status::Failed => tracing::warn!(
                        duty = %run.duty, detail = %run.detail, "scheduled duty could not be done; retried within the hour"
                    ),
                }
            }
            if last_index_check.is_none_or(|at| at.elapsed() >= INDEX_EVERY)
                && let Some(search) = state.search()
            {
                last_index_check = Some(std::time::Instant::now());
                if let Some(run) = check_index(&store, &search, &schedule.holder).await {
                    if let Err(err) = duties::record(&store, &run).await {
                        tracing::warn!(error = %err, "recording the index check failed");
                    }
                    if run.status != Status::Ok {
                        tracing::warn!(detail = %run.detail, "search index check found a difference");
                    }
                }
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

/// Runs the platform's duties that are due at `now` and whose lease this instance gets; returns the runs
/// (each already recorded).
pub(crate) async fn run_due(store: &Store, schedule: &Schedule, now: i64) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut due = vec![(duties::AUDIT_VERIFY, AUDIT_EVERY)];
    if let Some(backups) = &schedule.backups {
        due.push((duties::BACKUP, i64::from(backups.every_hours) * 3600));
    }
    for (duty, every) in due {
        match once(store, schedule, duty, every, now).await {
            Ok(Some(run)) => runs.push(run),
            Ok(None) => {}
            Err(err) => tracing::warn!(duty, error = %err, "scheduled duty could not run"),
        }
    }
    runs
}

/// Whether `duty` is due: never run, last done `every` seconds or more before `now`, or last failed
/// [`RETRY_AFTER`] or more before it.
async fn is_due(store: &Store, duty: &str, every: i64, now: i64) -> anyhow::Result<bool> {
    Ok(duties::last(store, duty).await?.is_none_or(|run| {
        let wait = if run.status == Status::Failed { RETRY_AFTER.min(every) } else { every };
        run.finished_at + wait <= now
    }))
}

/// Runs `duty` when it is due and the lease is this instance's; the lease is given back afterwards.
async fn once(
    store: &Store,
    schedule: &Schedule,
    duty: &'static str,
    every: i64,
    now: i64,
) -> anyhow::Result<Option<Run>> {
    if !is_due(store, duty, every, now).await? {
        return Ok(None);
    }
    if !duties::claim(store, duty, &schedule.holder, now, now + LEASE).await? {
        return Ok(None);
    }
    let run = run_held(store, schedule, duty, every, now).await;
    // Given back whatever happened while it was held: a lease kept after an error would shut the other
    // instances out until it runs out.
    let released = duties::release(store, duty, &schedule.holder).await;
    let run = run?;
    released?;
    Ok(run)
}

/// The run itself, once the lease is held: looked at again (another instance may have finished it between
/// the look and the lease), done, recorded.
async fn run_held(
    store: &Store,
    schedule: &Schedule,
    duty: &'static str,
    every: i64,
    now: i64,
) -> anyhow::Result<Option<Run>> {
    if !is_due(store, duty, every, now).await? {
        return Ok(None);
    }
    let started_at = now;
    let (outcome, detail) = match duty {
        duties::AUDIT_VERIFY => verify(store).await,
        _ => match &schedule.backups {
            Some(backups) => backup(store, backups).await,
            None => (Status::Failed, "未设置备份目录".to_owned()),
        },
    };
    let run = Run {
        duty: duty.to_owned(),
        holder: schedule.holder.clone(),
        started_at,
        finished_at: self::now().max(started_at),
        status: outcome,
        detail,
    };
    duties::record(store, &run).await?;
    Ok(Some(run))
}

/// The chain's verification, in the words the admin's page uses for one asked for there.
async fn verify(store: &Store) -> (Status, String) {
    match gongkai_store::audit::verify(store).await {
        Ok(verification) => match gongkai_web::chain_sentence(&verification) {
            (true, sentence) => (Status::Ok, sentence),
            (false, sentence) => (Status::Problem, sentence),
        },
        Err(err) => (Status::Failed, format!("校验未能完成：{err}")),
    }
}

/// Writes a backup into the directory, then keeps only the newest ones. The backup runs on a blocking
/// thread (its file writes, encryption and fsync must not hold up a worker that serves requests), driving
/// the database queries from there.
async fn backup(store: &Store, backups: &Backups) -> (Status, String) {
    let stamp = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"))
        .unwrap_or_else(|_| now().to_string());
    let extension = if backups.recipients.is_empty() { "jsonl" } else { "age" };
    let path = backups.dir.join(format!("{BACKUP_PREFIX}{stamp}.{extension}"));
    let (store, backups_owned, target) = (store.clone(), backups.clone(), path.clone());
    let runtime = tokio::runtime::Handle::current();
    let written = tokio::task::spawn_blocking(move || {
        // What a run killed mid-write left: plaintext personal data, never a backup.
        remove_stale_partials(&backups_owned.dir);
        let summary = runtime.block_on(crate::db_cmd::backup_to(
            &store,
            &target,
            &backups_owned.recipients,
        ))?;
        let removed = prune(&backups_owned.dir, backups_owned.keep, &target);
        anyhow::Ok((summary, removed))
    })
    .await;
    match written {
        Ok(Ok((summary, removed))) => {
            let removed = match removed {
                Ok(0) => String::new(),
                Ok(count) => format!("，删除较早的备份{count}个"),
                Err(err) => format!("，删除较早的备份失败：{err}"),
            };
            (
                Status::Ok,
                format!(
                    "已备份{}张表共{}行到 {}{removed}",
                    summary.tables,
                    summary.rows,
                    path.display()
                ),
            )
        }
        Ok(Err(err)) => (Status::Failed, format!("写入 {} 失败：{err:#}", path.display())),
        Err(err) => (Status::Failed, format!("写入 {} 失败：{err}", path.display())),
    }
}

/// The time in the name of a backup this schedule wrote (`gongkai-backup-20261208T013000Z.jsonl` or
/// `.age`), or `None` for any other name: only these files are ever deleted.
fn backup_stamp(name: &str) -> Option<&str> {
    let rest = name.strip_prefix(BACKUP_PREFIX)?;
    let stamp = rest.strip_suffix(".jsonl").or_else(|| rest.strip_suffix(".age"))?;
    let bytes = stamp.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let shaped =
        bytes.len() == 16 && digits(0..8) && bytes[8] == b'T' && digits(9..15) && bytes[15] == b'Z';
    shaped.then_some(stamp)
}

/// Deletes all but the newest `keep` backups this schedule wrote into `dir` (by the time in their names),
/// never `written` (the one just made) and never any other file. Returns how many were deleted.
pub(crate) fn prune(dir: &Path, keep: usize, written: &Path) -> std::io::Result<usize> {
    let mut ours: Vec<(String, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let stamp = backup_stamp(name)?.to_owned();
            Some((stamp, path))
        })
        .collect();
    ours.sort();
    let surplus = ours.len().saturating_sub(keep);
    let mut removed = 0;
    for (_, path) in &ours[..surplus] {
        if path != written {
            std::fs::remove_file(path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Deletes the `.partial` files of this schedule's backups left in `dir` by a run that was killed.
fn remove_stale_partials(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        let stale = path
            .file_name()
            .and_then(|name| name.to_str())
            .and_then(|name| name.strip_suffix(".partial"))
            .is_some_and(|name| backup_stamp(name).is_some());
        if stale && let Err(err) = std::fs::remove_file(&path) {
            tracing::warn!(error = %err, path = %path.display(), "removing a stale partial backup failed");
        }
    }
}

/// This instance's index against the catalog, when nothing is waiting to be applied (before and after the
/// count): the index should hold exactly the items not withdrawn. `None` when it cannot be judged now.
async fn check_index(
    store: &Store,
    search: &gongkai_search::SearchIndex,
    holder: &str,
) -> Option<Run> {
    let started_at = now();
    let caught_up = |last: i64| search.marker().ok().flatten().is_some_and(|marker| marker >= last);
    let before = gongkai_store::catalog::last_change(store).await.ok()?;
    if !caught_up(before) {
        return None;
    }
    let live = gongkai_store::catalog::live_count(store).await.ok()?;
    let indexed = search.len();
    let after = gongkai_store::catalog::last_change(store).await.ok()?;
    if after != before || !caught_up(after) {
        return None;
    }
    let ok = u64::try_from(live).is_ok_and(|live| live == indexed);
    let outcome = if ok { Status::Ok } else { Status::Problem };
    let detail = if ok {
        format!("检索索引共{indexed}条，与目录中未撤回的{live}条一致")
    } else {
        format!(
            "检索索引共{indexed}条，目录中未撤回的为{live}条，二者不一致：请在该实例上运行 gongkai index rebuild"
        )
    };
    Some(Run {
        duty: duties::INDEX_HEALTH.to_owned(),
        holder: holder.to_owned(),
        started_at,
        finished_at: now().max(started_at),
        status: outcome,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest_of_our_backups_and_nothing_else_is_touched() {
        let dir = std::env::temp_dir().join(format!("gongkai-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "gongkai-backup-20261201T010000Z.jsonl",
            "gongkai-backup-20261202T010000Z.age",
            "gongkai-backup-20261203T010000Z.jsonl",
            "gongkai-backup-20261204T010000Z.jsonl.partial",
            // Names a person gave: never counted, never deleted (a review found the first counted as the
            // newest forever, so that with keep 1 each new backup was deleted as soon as written).
            "gongkai-backup-before-upgrade.jsonl",
            "gongkai-backup-2024-final.jsonl",
            "notes.txt",
        ];
        for name in names {
            std::fs::write(dir.join(name), "x").unwrap();
        }
        let written = dir.join("gongkai-backup-20261203T010000Z.jsonl");
        assert_eq!(prune(&dir, 2, &written).unwrap(), 1);
        let left = |dir: &Path| {
            let mut left: Vec<String> = std::fs::read_dir(dir)
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            left.sort();
            left
        };
        assert_eq!(
            left(&dir),
            [
                "gongkai-backup-2024-final.jsonl",
                "gongkai-backup-20261202T010000Z.age",
                "gongkai-backup-20261203T010000Z.jsonl",
                "gongkai-backup-20261204T010000Z.jsonl.partial",
                "gongkai-backup-before-upgrade.jsonl",
                "notes.txt"
            ]
        );
        // With keep 1 the one just written stays, whatever sorts after it.
        assert_eq!(prune(&dir, 1, &written).unwrap(), 1);
        assert!(written.exists());
        remove_stale_partials(&dir);
        assert!(!dir.join("gongkai-backup-20261204T010000Z.jsonl.partial").exists());
        assert!(
            dir.join("notes.txt").exists() && dir.join("gongkai-backup-2024-final.jsonl").exists()
        );
        std::fs::remove_dir_all(&dir).ok();
    }

    /// A run that could not be done is tried again an hour later, not a whole interval later (a review found
    /// a failed backup waiting a day); one done waits its interval.
    #[tokio::test]
    async fn a_failed_run_is_due_again_after_an_hour() {
        let dir = std::env::temp_dir().join(format!("gongkai-due-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.join("g.db").display())).await.unwrap();
        let now = 1_800_000_000;
        let day = 24 * 3600;
        assert!(is_due(&store, duties::BACKUP, day, now).await.unwrap(), "never run");
        let run = |finished_at: i64, outcome: Status| Run {
            duty: duties::BACKUP.to_owned(),
            holder: "test".to_owned(),
            started_at: finished_at,
            finished_at,
            status: outcome,
            detail: String::new(),
        };
        duties::record(&store, &run(now - 600, Status::Failed)).await.unwrap();
        assert!(!is_due(&store, duties::BACKUP, day, now).await.unwrap(), "failed 10 minutes ago");
        duties::record(&store, &run(now - RETRY_AFTER, Status::Failed)).await.unwrap();
        assert!(is_due(&store, duties::BACKUP, day, now).await.unwrap(), "failed an hour ago");
        duties::record(&store, &run(now - RETRY_AFTER, Status::Ok)).await.unwrap();
        assert!(!is_due(&store, duties::BACKUP, day, now).await.unwrap(), "done an hour ago");
        duties::record(&store, &run(now - day, Status::Problem)).await.unwrap();
        assert!(is_due(&store, duties::BACKUP, day, now).await.unwrap(), "done a day ago");
        store.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn only_the_schedules_own_names_are_backups() {
        assert_eq!(backup_stamp("gongkai-backup-20261208T013000Z.jsonl"), Some("20261208T013000Z"));
        assert_eq!(backup_stamp("gongkai-backup-20261208T013000Z.age"), Some("20261208T013000Z"));
        for name in [
            "gongkai-backup-20261208T013000Z.jsonl.partial",
            "gongkai-backup-2026120xT013000Z.jsonl",
            "gongkai-backup-20261208T013000.jsonl",
            "gongkai-backup-final.jsonl",
            "backup-20261208T013000Z.jsonl",
        ] {
            assert_eq!(backup_stamp(name), None, "{name}");
        }
    }
}
