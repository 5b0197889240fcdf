//! Scheduled duties (issue #21): the work a running platform does on its own — verifying the audit trail's
//! hash chain every day, writing backups, checking each instance's search index — and what each run found.
//!
//! A platform-wide duty runs on one instance at a time: the instance takes the duty's lease ([`claim`]) for
//! as long as the run may take, and gives it back when done ([`release`]). A lease whose time has passed is
//! free again, so an instance killed mid-run holds the duty up for that long at most. Every run is kept
//! ([`record`], the latest [`KEPT_RUNS`] per duty) for the admin's page and `/metrics`.

use sqlx::Row;

use crate::{Store, StoreError};

/// The audit chain's verification (daily).
pub const AUDIT_VERIFY: &str = "audit-verify";
/// A backup into the configured directory.
pub const BACKUP: &str = "backup";
/// An instance's search index against the catalog (each instance its own; no lease).
pub const INDEX_HEALTH: &str = "index-health";

/// Runs kept per duty; older ones are deleted as new ones are recorded.
pub const KEPT_RUNS: i64 = 200;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Done, everything in order (the chain intact, the backup written).
    Ok,
    /// Done, and it found something wrong (a break in the chain, an index that differs from the catalog).
    Problem,
    /// Not done: the database or the disk failed. Tried again sooner than the schedule's interval.
    Failed,
}

impl Status {
    fn code(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Problem => "problem",
            Status::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> Result<Status, StoreError> {
        match code {
            "ok" => Ok(Status::Ok),
            "problem" => Ok(Status::Problem),
            "failed" => Ok(Status::Failed),
            other => Err(StoreError::InvalidData(format!("duty run outcome `{other}`"))),
        }
    }
}

/// One run of a duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub duty: String,
    /// The instance that ran it (`host:pid:token`).
    pub holder: String,
    /// Unix seconds.
    pub started_at: i64,
    pub finished_at: i64,
    pub status: Status,
    /// What it found, in Chinese as the admin's page shows it (entries verified, the break, the file
    /// written, the error).
    pub detail: String,
}

/// Takes the lease on `duty` for `holder` until `until` (unix seconds) when it is free: never taken,
/// past its time at `now`, or already `holder`'s. Returns whether `holder` holds it now. One statement:
/// two instances asking at once cannot both get it.
pub async fn claim(
    store: &Store,
    duty: &str,
    holder: &str,
    now: i64,
    until: i64,
) -> Result<bool, StoreError> {
    let taken = sqlx::query(
        "INSERT INTO duty_leases (duty, holder, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (duty) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE duty_leases.expires_at <= $4 OR duty_leases.holder = excluded.holder",
    )
    .bind(duty)
    .bind(holder)
    .bind(until)
    .bind(now)
    .execute(store.pool())
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Gives the lease on `duty` back, if `holder` still holds it.
pub async fn release(store: &Store, duty: &str, holder: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM duty_leases WHERE duty = $1 AND holder = $2")
        .bind(duty)
        .bind(holder)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Keeps a run, and forgets the duty's runs beyond the latest [`KEPT_RUNS`].
pub async fn record(store: &Store, run: &Run) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO duty_runs (duty, holder, started_at, finished_at, outcome, detail) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&run.duty)
    .bind(&run.holder)
    .bind(run.started_at)
    .bind(run.finished_at)
    .bind(run.status.code())
    .bind(&run.detail)
    .execute(&mut *transaction)
    .await?;
    sqlx::query(
        "DELETE FROM duty_runs WHERE duty = $1 AND id <= \
         (SELECT id FROM duty_runs WHERE duty = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
    )
    .bind(&run.duty)
    .bind(KEPT_RUNS)
    .execute(&mut *transaction)
    .await?;
    transaction.commit().await?;
    Ok(())
}

fn run_of(row: &sqlx::any::AnyRow) -> Result<Run, StoreError> {
    Ok(Run {
        duty: row.try_get("duty")?,
        holder: row.try_get("holder")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        status: Status::from_code(&row.try_get::<String, _>("outcome")?)?,
        detail: row.try_get("detail")?,
    })
}

/// The latest run of `duty`, if any.
pub async fn last(store: &Store, duty: &str) -> Result<Option<Run>, StoreError> {
    let row = sqlx::query(
        "SELECT duty, holder, started_at, finished_at, outcome, detail FROM duty_runs \
         WHERE duty = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(duty)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(run_of).transpose()
}

/// The latest `limit` runs of every duty, newest first.
pub async fn recent(store: &Store, limit: i64) -> Result<Vec<Run>, StoreError> {
    let rows = sqlx::query(
        "SELECT duty, holder, started_at, finished_at, outcome, detail FROM duty_runs \
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(run_of).collect()
}

/// The latest run of `duty` by each holder that ran it at or after `since` (unix seconds), by holder: one
/// line per instance for a duty each instance does (the index check), so a healthy instance's run does not
/// hide another's problem.
pub async fn latest_by_holder(
    store: &Store,
    duty: &str,
    since: i64,
) -> Result<Vec<Run>, StoreError> {
    let rows = sqlx::query(
        "SELECT duty, holder, started_at, finished_at, outcome, detail FROM duty_runs \
         WHERE id IN (SELECT MAX(id) FROM duty_runs WHERE duty = $1 AND finished_at >= $2 GROUP BY holder) \
         ORDER BY holder",
    )
    .bind(duty)
    .bind(since)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(run_of).collect()
}

/// When the audit chain was last verified and whether it was intact then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// Unix seconds (the run's end).
    pub at: i64,
    pub intact: bool,
}

/// The latest scheduled verification of the audit chain that was done (a run that failed to read the chain
/// says nothing about it), if any.
pub async fn last_verification(store: &Store) -> Result<Option<Verified>, StoreError> {
    let row = sqlx::query(
        "SELECT finished_at, outcome FROM duty_runs WHERE duty = $1 AND outcome <> 'failed' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(AUDIT_VERIFY)
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| {
        Ok(Verified {
            at: row.try_get("finished_at")?,
            intact: row.try_get::<String, _>("outcome")? == "ok",
        })
    })
    .transpose()
}
