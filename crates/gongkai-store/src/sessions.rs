//! Staff sign-in sessions, stored in the database so that every instance behind a load balancer sees them.
//!
//! The web crate's `tower-sessions` store is a thin layer over these functions. A session is its id, its
//! data as JSON and its expiry in Unix seconds. Sessions are not part of a backup: a restored platform asks
//! everyone to sign in again.
//!
//! Rows are keyed by a SHA-256 digest of the session id, never the id itself: whoever reads the table (a
//! copy of the database, a read-only SQL account) cannot take over a live session with what they read.

use sha2::Digest;
use sqlx::Row;

use crate::{Store, StoreError};

/// The row key of the session `id`.
fn key(id: &str) -> String {
    hex::encode(sha2::Sha256::digest(id.as_bytes()))
}

/// The session `id`'s data and expiry, unless it is unknown or expired at `now` (Unix seconds).
pub async fn load(store: &Store, id: &str, now: i64) -> Result<Option<(String, i64)>, StoreError> {
    let row =
        sqlx::query("SELECT data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(key(id))
            .bind(now)
            .fetch_optional(store.pool())
            .await?;
    Ok(row
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("data")?, row.try_get("expires_at")?)))
        .transpose()?)
}

/// Inserts a new session; `false` when the id is taken (the caller draws another).
pub async fn create(
    store: &Store,
    id: &str,
    data: &str,
    expires_at: i64,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind(key(id))
    .bind(data)
    .bind(expires_at)
    .execute(store.pool())
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// Writes a session (insert or replace).
pub async fn save(store: &Store, id: &str, data: &str, expires_at: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at",
    )
    .bind(key(id))
    .bind(data)
    .bind(expires_at)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Deletes a session (sign-out).
pub async fn delete(store: &Store, id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(key(id)).execute(store.pool()).await?;
    Ok(())
}

/// Deletes the sessions expired at `now`; returns how many.
pub async fn sweep(store: &Store, now: i64) -> Result<u64, StoreError> {
    let deleted = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(store.pool())
        .await?;
    Ok(deleted.rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_are_keyed_by_a_digest_of_the_id() {
        let id = "k5HBnA3bGmHXJkWOAXdBXw";
        let key = super::key(id);
        assert_eq!(key.len(), 64);
        assert!(!key.contains(id));
        assert_eq!(key, super::key(id));
        assert_ne!(key, super::key("k5HBnA3bGmHXJkWOAXdBXx"));
    }
}
