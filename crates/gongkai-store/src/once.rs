//! Forms that act once. Each form page carries a random one-time token; the first post with it claims the
//! token, acts, and keeps its result; a reload of the answer page or a second click posts the same token
//! again and gets the first result back instead of a second application, booking or publication.
//!
//! A claim is its own row, written before the action and completed after it. While the first post is being
//! handled the token is *pending*: a second post waits for it or is told to wait. If the action fails the
//! claim is released, so the corrected form can be sent again with the same token. (A crash between the
//! action and its completion leaves the token pending: the form says the submission is being handled,
//! never acts twice.) Tokens are forgotten after a day.
//!
//! The JSON API's `Idempotency-Key`s use the same rows differently: the claim and the answer are written in
//! the write's own transaction ([`begin`], the write's `*_once` function, [`commit`]), so a key is either
//! with its committed write or not there at all — never pending, never in doubt after a crash — and a write
//! costs one commit, not three.

use sqlx::Row;

use crate::{Store, StoreError};

/// How long a token is remembered.
pub const FORGET_AFTER: time::Duration = time::Duration::hours(24);

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The token is new: act, then [`finish`] (or [`release`] on failure).
    Fresh,
    /// The token was used: the first result, and what it showed once (unsealed), if anything.
    Done { result: String, secret: Option<String> },
    /// The first post with this token is still being handled.
    Pending,
    /// The first post with this token began more than [`PENDING_FOR`] ago and never finished (the server
    /// stopped meanwhile): whether it acted is unknown, so it is not done again.
    Abandoned,
}

/// How long a claim may stay pending before it counts as abandoned.
pub const PENDING_FOR: time::Duration = time::Duration::minutes(2);

/// Whether `token` is a token this platform hands out: 32 lowercase hex digits.
pub fn is_token(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
}

/// A new token for a form page.
pub fn token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| {
        StoreError::InvalidData(format!("no random bytes for a form token: {err}"))
    })?;
    Ok(hex::encode(bytes))
}

/// Claims `token` for a form of `purpose` posted by `owner` (a digest of the browser's CSRF token), or finds
/// what its first post did. A token used for another purpose or by another browser is refused: a token seen
/// by someone else (a shared computer, a log) gives them nothing.
pub async fn claim(
    store: &Store,
    token: &str,
    purpose: &str,
    owner: &str,
    now: time::OffsetDateTime,
) -> Result<Claim, StoreError> {
    if !is_token(token) {
        return Err(StoreError::InvalidData("not a form token".to_owned()));
    }
    let created = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    // Twice at most: a claim released between the insert and the read is claimed again.
    for _ in 0..2 {
        let inserted = sqlx::query(
            "INSERT INTO form_submissions (token, purpose, owner, result, sealed, created_at) \
             VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (token) DO NOTHING",
        )
        .bind(token)
        .bind(purpose)
        .bind(owner)
        .bind(&created)
        .execute(store.pool())
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Fresh);
        }
        let row = sqlx::query(
            "SELECT purpose, owner, result, sealed, created_at FROM form_submissions WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(store.pool())
        .await?;
        let Some(row) = row else { continue };
        let (claimed_for, claimed_by): (String, String) =
            (row.try_get("purpose")?, row.try_get("owner")?);
        if claimed_for != purpose || claimed_by != owner {
            return Err(StoreError::InvalidData(
                "a form token of another form or another browser".to_owned(),
            ));
        }
        let result: Option<String> = row.try_get("result")?;
        let sealed: Option<String> = row.try_get("sealed")?;
        let began: String = row.try_get("created_at")?;
        return Ok(match result {
            Some(result) => Claim::Done {
                result,
                secret: sealed.and_then(|sealed| store.code_key().unseal(token, &sealed)),
            },
            None => {
                let began = time::OffsetDateTime::parse(
                    &began,
                    &time::format_description::well_known::Rfc3339,
                )
                .map_err(|err| StoreError::InvalidData(format!("form token time: {err}")))?;
                if now - began > PENDING_FOR { Claim::Abandoned } else { Claim::Pending }
            }
        });
    }
    Ok(Claim::Pending)
}

/// Keeps the result of the first post with `token`, and `secret` (what the answer showed once, at most 32
/// bytes) sealed under the server's key.
pub async fn finish(
    store: &Store,
    token: &str,
    result: &str,
    secret: Option<&str>,
) -> Result<(), StoreError> {
    let sealed = secret.and_then(|secret| store.code_key().seal(token, secret));
    sqlx::query("UPDATE form_submissions SET result = $1, sealed = $2 WHERE token = $3")
        .bind(result)
        .bind(sealed)
        .bind(token)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Gives `token` back after its action failed, so the form can be sent again.
pub async fn release(store: &Store, token: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM form_submissions WHERE token = $1 AND result IS NULL")
        .bind(token)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Forgets tokens claimed more than [`FORGET_AFTER`] before `now`; returns how many.
pub async fn forget_old(store: &Store, now: time::OffsetDateTime) -> Result<u64, StoreError> {
    let before = (now - FORGET_AFTER)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    Ok(sqlx::query("DELETE FROM form_submissions WHERE created_at < $1")
        .bind(before)
        .execute(store.pool())
        .await?
        .rows_affected())
}

/// What the first request with an API idempotency key answered, if it committed: `Ok(Some(answer))`; `Ok(None)`
/// when the key is new; `InvalidData` when the key was used for another request (`purpose` or `owner`).
pub async fn lookup(
    store: &Store,
    token: &str,
    purpose: &str,
    owner: &str,
) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT purpose, owner, result FROM form_submissions WHERE token = $1")
        .bind(token)
        .fetch_optional(store.pool())
        .await?;
    answer_of(row.as_ref(), purpose, owner)
}

fn answer_of(
    row: Option<&sqlx::any::AnyRow>,
    purpose: &str,
    owner: &str,
) -> Result<Option<String>, StoreError> {
    let Some(row) = row else { return Ok(None) };
    let (claimed_for, claimed_by): (String, String) =
        (row.try_get("purpose")?, row.try_get("owner")?);
    if claimed_for != purpose || claimed_by != owner {
        return Err(StoreError::InvalidData(
            "an idempotency key used for another request".to_owned(),
        ));
    }
    let answer: Option<String> = row.try_get("result")?;
    // A form's claim still pending has no answer; API keys are never pending (see the module's note).
    answer.map(Some).ok_or_else(|| {
        StoreError::InvalidData(
            "an idempotency key claimed by a request still being handled".to_owned(),
        )
    })
}

/// An API write's transaction holding its idempotency key (see [`begin`]).
pub struct Held {
    transaction: crate::Transaction,
    token: String,
}

impl Held {
    pub(crate) fn transaction(&mut self) -> &mut crate::Transaction {
        &mut self.transaction
    }
}

/// What [`begin`] found.
pub enum Begun {
    /// The key is new: write with the `*_once` function, then [`commit`] (dropping it rolls back).
    Fresh(Held),
    /// A request with the key committed first (a concurrent retry): its answer.
    Answered(String),
}

/// Begins an API write: its transaction, with `token` claimed for `purpose` by `owner` (a digest of the
/// request) as its first statement. On PostgreSQL a concurrent claim of the same key waits for the other
/// transaction, then finds its answer; SQLite writes one transaction at a time.
pub async fn begin(
    store: &Store,
    token: &str,
    purpose: &str,
    owner: &str,
    now: time::OffsetDateTime,
) -> Result<Begun, StoreError> {
    let created = now
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    let mut transaction = store.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO form_submissions (token, purpose, owner, result, sealed, created_at) \
         VALUES ($1, $2, $3, NULL, NULL, $4) ON CONFLICT (token) DO NOTHING",
    )
    .bind(token)
    .bind(purpose)
    .bind(owner)
    .bind(&created)
    .execute(&mut *transaction)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Begun::Fresh(Held { transaction, token: token.to_owned() }));
    }
    let row = sqlx::query("SELECT purpose, owner, result FROM form_submissions WHERE token = $1")
        .bind(token)
        .fetch_optional(&mut *transaction)
        .await?;
    let answer = answer_of(row.as_ref(), purpose, owner)?;
    transaction.rollback().await?;
    answer.map(Begun::Answered).ok_or_else(|| {
        StoreError::InvalidData("an idempotency key that vanished while it was claimed".to_owned())
    })
}

/// Keeps `answer` with the key and commits the write.
pub async fn commit(mut held: Held, answer: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE form_submissions SET result = $1 WHERE token = $2")
        .bind(answer)
        .bind(&held.token)
        .execute(&mut *held.transaction)
        .await?;
    held.transaction.commit().await?;
    Ok(())
}
