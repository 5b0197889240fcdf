//! The audit trail: every state-changing action (who, when, from where, what, before and after) in an
//! append-only, hash-chained log.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's fields; the first entry chains
//! from 64 zeros. `prev_hash` is unique, so two concurrent appends cannot fork the chain (the loser retries),
//! and `audit_head` holds the count and the newest hash, so removing the newest entries is caught as well.
//! [`verify`] walks the chain and names the first entry that does not verify.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Store, StoreError, now_text};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One action to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action<'a> {
    /// Who: a username, or `system`/`cli:<user>`.
    pub actor: &'a str,
    /// From where: a client address or `cli`.
    pub address: &'a str,
    /// What, e.g. `agency.add`, `application.event`.
    pub action: &'a str,
    /// The record acted on, e.g. `agency:3301`.
    pub subject: &'a str,
    /// The record before and after, as JSON (personal data masked by the caller).
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// The chain's hash of an entry written at `at` after the entry whose hash is `prev_hash`: SHA-256 over the
/// previous hash and the fields, each followed by 0x1f, an absent state as NUL.
pub fn entry_hash(prev_hash: &str, at: &str, action: &Action<'_>) -> String {
    request_entry_hash(prev_hash, at, action, None)
}

/// [`entry_hash`] of an entry written for the request `request` (its `X-Request-Id`): the id follows the
/// fields, with its 0x1f, so an entry without one hashes as entries did before the column existed.
pub fn request_entry_hash(
    prev_hash: &str,
    at: &str,
    action: &Action<'_>,
    request: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for field in [
        prev_hash,
        at,
        action.actor,
        action.address,
        action.action,
        action.subject,
        action.before.unwrap_or("\u{0}"),
        action.after.unwrap_or("\u{0}"),
    ] {
        hasher.update(field.as_bytes());
        hasher.update([0x1f]);
    }
    if let Some(request) = request {
        hasher.update(request.as_bytes());
        hasher.update([0x1f]);
    }
    hex::encode(hasher.finalize())
}

tokio::task_local! {
    /// The request the current task works for (its `X-Request-Id`), set by the web layer around each request
    /// ([`for_request`]); entries appended while it is set carry it.
    static REQUEST: String;
}

/// Runs `future` on behalf of the request `id`: every audit entry it appends records the id, so the entry
/// and the server's log lines of that request point at each other. Work the future spawns onto other tasks
/// does not inherit it.
pub async fn for_request<F: std::future::Future>(id: String, future: F) -> F::Output {
    REQUEST.scope(id, future).await
}

/// The current task's request id, if it works for one.
fn current_request() -> Option<String> {
    REQUEST.try_with(Clone::clone).ok()
}

/// Appends `action` inside the caller's transaction (so the action and its record commit together).
async fn append_in(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    action: &Action<'_>,
) -> Result<(), StoreError> {
    let head = sqlx::query("SELECT entries, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut **transaction)
        .await?;
    let (entries, prev_hash) = match head {
        Some(row) => (row.try_get::<i64, _>("entries")?, row.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_owned()),
    };
    let at = now_text();
    let request = current_request();
    let hash = request_entry_hash(&prev_hash, &at, action, request.as_deref());
    sqlx::query(
        "INSERT INTO audit_log (at, actor, address, action, subject, before_state, after_state, prev_hash, hash, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&at)
    .bind(action.actor)
    .bind(action.address)
    .bind(action.action)
    .bind(action.subject)
    .bind(action.before)
    .bind(action.after)
    .bind(&prev_hash)
    .bind(&hash)
    .bind(request.as_deref())
    .execute(&mut **transaction)
    .await?;
    sqlx::query(
        "INSERT INTO audit_head (id, entries, hash) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET entries = excluded.entries, hash = excluded.hash",
    )
    .bind(entries + 1)
    .bind(&hash)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// Who acts, and from where: a username (or `cli:<user>`, `public`, `system`) and a client address (or `cli`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub address: &'a str,
}

impl<'a> Actor<'a> {
    pub const fn new(name: &'a str, address: &'a str) -> Actor<'a> {
        Actor { name, address }
    }
}

/// Records an action by `actor` inside the caller's transaction. Every store write goes through here.
pub(crate) async fn record(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor<'_>,
    action: &str,
    subject: &str,
    after: Option<&str>,
) -> Result<(), StoreError> {
    record_change(transaction, actor, action, subject, None, after).await
}

/// Records a change with the record's state before and after it.
pub(crate) async fn record_change(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    actor: &Actor<'_>,
    action: &str,
    subject: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<(), StoreError> {
    let entry =
        Action { actor: actor.name, address: actor.address, action, subject, before, after };
    append_in(transaction, &entry).await
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry verifies.
    Intact { entries: u64 },
    /// The first entry (by position in the chain, 1-based) that does not verify, and how.
    Broken { position: u64, id: Option<i64>, kind: Break },
}

/// How the chain broke; shown (in English) as the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Break {
    /// An entry does not follow the one before it: an entry was removed or the order changed.
    #[error("does not follow the entry before it (an entry was removed or reordered)")]
    Unlinked,
    /// An entry's content does not match its hash: it was edited.
    #[error("its content does not match its hash (the entry was edited)")]
    Edited,
    /// The log ends before its head says: the newest entries were removed.
    #[error(
        "the log's head records {head_entries} entries but it ends before (entries were removed from the end)"
    )]
    Truncated { head_entries: i64 },
}

/// Entries [`verify`] reads at a time (memory stays bounded however long the log).
const VERIFY_BATCH: usize = 10_000;

/// The head: how many entries the log should have, and the newest hash.
async fn head(store: &Store) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("SELECT entries, hash FROM audit_head WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(match head {
        Some(row) => (row.try_get::<i64, _>("entries")?, row.try_get::<String, _>("hash")?),
        None => (0, GENESIS.to_owned()),
    })
}

/// Walks the chain from the first entry, [`VERIFY_BATCH`] entries at a time, and reports the first break.
/// Entries appended while it walks are walked too: the head is read after the last entry, and if it counts
/// more, the walk goes on from there.
pub async fn verify(store: &Store) -> Result<Verification, StoreError> {
    walk(store, VERIFY_BATCH).await
}

async fn walk(store: &Store, batch: usize) -> Result<Verification, StoreError> {
    let mut prev_hash = GENESIS.to_owned();
    let mut position = 0u64;
    let mut last_id = i64::MIN;
    loop {
        let rows = sqlx::query(
            "SELECT id, at, actor, address, action, subject, before_state, after_state, prev_hash, hash, \
             request_id FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(last_id)
        .bind(batch as i64)
        .fetch_all(store.pool())
        .await?;
        for row in &rows {
            position += 1;
            let id: i64 = row.try_get("id")?;
            last_id = id;
            let at: String = row.try_get("at")?;
            let fields: Vec<String> = ["actor", "address", "action", "subject"]
                .into_iter()
                .map(|column| row.try_get::<String, _>(column))
                .collect::<Result<_, _>>()?;
            let before: Option<String> = row.try_get("before_state")?;
            let after: Option<String> = row.try_get("after_state")?;
            let stored_prev: String = row.try_get("prev_hash")?;
            let stored_hash: String = row.try_get("hash")?;
            let request: Option<String> = row.try_get("request_id")?;
            if stored_prev != prev_hash {
                return Ok(Verification::Broken { position, id: Some(id), kind: Break::Unlinked });
            }
            let action = Action {
                actor: &fields[0],
                address: &fields[1],
                action: &fields[2],
                subject: &fields[3],
                before: before.as_deref(),
                after: after.as_deref(),
            };
            if request_entry_hash(&prev_hash, &at, &action, request.as_deref()) != stored_hash {
                return Ok(Verification::Broken { position, id: Some(id), kind: Break::Edited });
            }
            prev_hash = stored_hash;
        }
        if rows.len() == batch {
            continue;
        }
        let (head_entries, head_hash) = head(store).await?;
        if head_entries as u64 > position && !rows.is_empty() {
            // Appended since this batch was read (or removed from the end: the next read finds none).
            continue;
        }
        if head_entries as u64 != position || head_hash != prev_hash {
            return Ok(Verification::Broken {
                position: position + 1,
                id: None,
                kind: Break::Truncated { head_entries },
            });
        }
        return Ok(Verification::Intact { entries: position });
    }
}

/// Appends one action in its own transaction.
pub async fn append(store: &Store, action: &Action<'_>) -> Result<(), StoreError> {
    // A concurrent append may take the same previous hash; the unique `prev_hash` makes one of them fail,
    // and it retries on the new head.
    let mut attempts = 0;
    loop {
        let mut transaction = store.begin_write().await?;
        match append_in(&mut transaction, action).await {
            Ok(()) => {
                transaction.commit().await?;
                return Ok(());
            }
            Err(StoreError::Database(sqlx::Error::Database(err)))
                if err.is_unique_violation() && attempts < 5 =>
            {
                attempts += 1;
            }
            Err(err) => return Err(err),
        }
    }
}

/// How many entries the log has: a number that grows with every committed change anywhere on the platform
/// (every state-changing store function audits itself in its own transaction, and each entry extends the
/// hash chain's head), so a value derived from the database and read together with it stays valid while
/// this number is unchanged.
pub async fn entries(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT entries FROM audit_head WHERE id = 1")
        .fetch_optional(store.pool())
        .await?;
    Ok(match row {
        Some(row) => row.try_get("entries")?,
        None => 0,
    })
}

/// How many entries record `action` (e.g. `access.denied`).
pub async fn count_actions(store: &Store, action: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(store.pool())
        .await?
        .try_get("n")?)
}

/// One entry of the log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    /// When, as RFC 3339 in UTC.
    pub at: String,
    pub actor: String,
    pub address: String,
    pub action: String,
    pub subject: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub hash: String,
    /// The request it was written for (`X-Request-Id`), when written during one.
    pub request_id: Option<String>,
}

/// Which entries [`search`] returns; every condition given must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Query<'a> {
    /// Exactly this actor (`clerk`, `public`, `cli:root`).
    pub actor: Option<&'a str>,
    /// Actions starting with this (`application.` for every handling step, `user.sign_in_failed`).
    pub action: Option<&'a str>,
    /// Subjects starting with this (`application:YSQ2026000001`, `agency:`).
    pub subject: Option<&'a str>,
    /// Exactly this client address.
    pub address: Option<&'a str>,
    /// At or after this instant and before that one, compared as text with the stored RFC 3339 UTC
    /// instants: give `2026-12-02T16:00:00` without fraction or zone, so that entries within that second
    /// (stored as `…16:00:00.25Z`) sort after it.
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
    /// Only entries older than this id (the next page of a newest-first listing).
    pub before_id: Option<i64>,
    /// Exactly this request id (from a log line's `request_id`).
    pub request: Option<&'a str>,
}

/// The first text after every text that starts with `prefix`: `prefix` followed by the last code point
/// (UTF-8 keeps code point order bytewise, so `prefix <= text < bound` holds exactly for the texts starting
/// with `prefix`, save those continuing with U+10FFFF itself, a noncharacter).
fn prefix_bound(prefix: &str) -> String {
    let mut bound = String::with_capacity(prefix.len() + 4);
    bound.push_str(prefix);
    bound.push(char::MAX);
    bound
}

/// The newest entries matching `query`, at most `limit`, newest first.
pub async fn search(
    store: &Store,
    query: &Query<'_>,
    limit: u32,
) -> Result<Vec<Entry>, StoreError> {
    // Prefixes are ranges compared bytewise, so both backends agree (SQLite's LIKE ignores ASCII case,
    // PostgreSQL's does not) and the indexes of schema 6 serve them; PostgreSQL compares in the "C"
    // collation its indexes use, whatever the database's collation.
    let bytewise = match store.backend() {
        crate::Backend::Postgres => " COLLATE \"C\"",
        crate::Backend::Sqlite => "",
    };
    let mut conditions = Vec::new();
    let mut values: Vec<String> = Vec::new();
    let mut condition = |column: &str, operator: &str, value: String| {
        values.push(value);
        let collate = if operator == "=" { "" } else { bytewise };
        conditions.push(format!("{column}{collate} {operator} ${}", values.len()));
    };
    if let Some(actor) = query.actor {
        condition("actor", "=", actor.to_owned());
    }
    for (column, prefix) in [("action", query.action), ("subject", query.subject)] {
        if let Some(prefix) = prefix {
            condition(column, ">=", prefix.to_owned());
            condition(column, "<", prefix_bound(prefix));
        }
    }
    if let Some(address) = query.address {
        condition("address", "=", address.to_owned());
    }
    if let Some(request) = query.request {
        condition("request_id", "=", request.to_owned());
    }
    if let Some(from) = query.from {
        condition("at", ">=", from.to_owned());
    }
    if let Some(until) = query.until {
        condition("at", "<", until.to_owned());
    }
    let mut sql = String::from(
        "SELECT id, at, actor, address, action, subject, before_state, after_state, hash, request_id \
         FROM audit_log",
    );
    if let Some(before_id) = query.before_id {
        // An integer, written into the text: ids are the log's own.
        conditions.push(format!("id < {before_id}"));
    }
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    // Only fixed conditions and integers are written into the text; every value typed is bound.
    let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in &values {
        statement = statement.bind(value);
    }
    statement
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|row| {
            Ok(Entry {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor: row.try_get("actor")?,
                address: row.try_get("address")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                before: row.try_get("before_state")?,
                after: row.try_get("after_state")?,
                hash: row.try_get("hash")?,
                request_id: row.try_get("request_id")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The walk across batch boundaries (two entries a batch over seven): intact, then each kind of break
    /// found where it is, the last entry of a batch and the first of the next included.
    #[tokio::test]
    async fn the_chain_is_walked_in_batches() {
        let dir = std::env::temp_dir().join(format!("gk_audit_walk_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            Store::open(&format!("sqlite://{}", dir.join("gongkai.db").display())).await.unwrap();
        for index in 0..7 {
            let subject = format!("test:{index}");
            let action = Action {
                actor: "tester",
                address: "127.0.0.1",
                action: "test.act",
                subject: &subject,
                before: None,
                after: Some("{}"),
            };
            append(&store, &action).await.unwrap();
        }
        for batch in [1, 2, 3, 7, 8] {
            assert_eq!(walk(&store, batch).await.unwrap(), Verification::Intact { entries: 7 });
        }
        let broken = |verification: Verification| match verification {
            Verification::Broken { position, kind, .. } => (position, kind),
            intact => panic!("not caught: {intact:?}"),
        };
        // The fourth entry edited: the first of the second batch.
        store
            .execute_admin("UPDATE audit_log SET actor = 'x' WHERE subject = 'test:3'")
            .await
            .unwrap();
        assert_eq!(broken(walk(&store, 3).await.unwrap()), (4, Break::Edited));
        store
            .execute_admin("UPDATE audit_log SET actor = 'tester' WHERE subject = 'test:3'")
            .await
            .unwrap();
        assert_eq!(walk(&store, 3).await.unwrap(), Verification::Intact { entries: 7 });
        // The last entry removed, after a full batch (six entries left, three a batch).
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:6'").await.unwrap();
        let truncated = Break::Truncated { head_entries: 7 };
        assert_eq!(broken(walk(&store, 3).await.unwrap()), (7, truncated));
        assert_eq!(broken(walk(&store, 4).await.unwrap()), (7, truncated));
        // The third removed: the fourth no longer follows.
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:2'").await.unwrap();
        assert_eq!(broken(walk(&store, 2).await.unwrap()), (3, Break::Unlinked));
        store.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }
}
