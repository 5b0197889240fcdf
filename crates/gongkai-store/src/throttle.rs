//! Attempt throttles: growing delays after repeated failures of something guessable — a password, a
//! verification code — counted per key in the database, so every instance behind a load balancer sees the
//! same count and a restart forgets nothing.
//!
//! A key is what the failures are counted against: an account and an address, an account from anywhere, a
//! tracking or booking number. Each [`Policy`] lets `free` failures pass; each further failure blocks the key
//! for `base` × 2^(failures − free − 1), at most `max`. While a key is blocked, attempts are refused
//! *without being checked or counted* (so a blocked guesser learns nothing and cannot stretch the block
//! further by hammering it). A success clears the keys it names; failures are forgotten [`FORGET_AFTER`]
//! after the last one.
//!
//! Unlike a hard lockout, no key stays blocked for longer than its policy's `max` after the last failure, and
//! a policy keyed on an account alone has a short `max`: an outsider who knows a username can slow its owner
//! down, not shut them out.

use sqlx::Row;
use time::OffsetDateTime;

use crate::{Store, StoreError};

/// How long failures are remembered after the last one.
pub const FORGET_AFTER: time::Duration = time::Duration::hours(24);

/// How failures against one kind of key grow into delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures that cost nothing (typing mistakes).
    pub free: i64,
    /// The block after the first failure past the free ones.
    pub base: time::Duration,
    /// The longest block.
    pub max: time::Duration,
}

impl Policy {
    /// How long a key with `failures` failures is blocked after the last one (zero within the free ones).
    pub fn delay(&self, failures: i64) -> time::Duration {
        let past = failures - self.free;
        if past <= 0 {
            return time::Duration::ZERO;
        }
        // At most 2^62 times the base, computed in i128 milliseconds: no overflow for any count.
        let factor = 1i128 << (past - 1).min(62);
        let millis = self.base.whole_milliseconds().saturating_mul(factor);
        let max = self.max.whole_milliseconds();
        time::Duration::milliseconds(millis.min(max) as i64)
    }
}

/// The database's text of a time: RFC 3339 in UTC to the second, so that text order is time order.
fn text(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn parse(text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::InvalidData(format!("throttle time `{text}`: {err}")))
}

/// How long until every key in `keys` may be tried again (zero: none is blocked now).
pub async fn wait(
    store: &Store,
    keys: &[&str],
    now: OffsetDateTime,
) -> Result<time::Duration, StoreError> {
    let now_text = text(now);
    let mut longest = time::Duration::ZERO;
    for key in keys {
        let blocked: Option<Option<String>> =
            sqlx::query("SELECT blocked_until FROM throttles WHERE key = $1")
                .bind(*key)
                .fetch_optional(store.pool())
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
        if let Some(until) = blocked.flatten().filter(|until| *until > now_text) {
            longest = longest.max(parse(&until)? - now);
        }
    }
    Ok(longest)
}

/// Counts a failure against each `(key, policy)` and blocks the keys past their free failures; returns the
/// longest block now in force. Failures older than [`FORGET_AFTER`] start the count again.
pub async fn failed(
    store: &Store,
    keys: &[(&str, Policy)],
    now: OffsetDateTime,
) -> Result<time::Duration, StoreError> {
    let now_text = text(now);
    let stale = text(now - FORGET_AFTER);
    let mut transaction = store.begin_write().await?;
    let mut longest = time::Duration::ZERO;
    for (key, policy) in keys {
        let (failures,): (i64,) = sqlx::query_as(
            "INSERT INTO throttles (key, failures, blocked_until, last_failure) VALUES ($1, 1, NULL, $2) \
             ON CONFLICT (key) DO UPDATE SET last_failure = $2, failures = CASE \
             WHEN throttles.last_failure < $3 THEN 1 ELSE throttles.failures + 1 END RETURNING failures",
        )
        .bind(*key)
        .bind(&now_text)
        .bind(&stale)
        .fetch_one(&mut *transaction)
        .await?;
        let delay = policy.delay(failures);
        if delay > time::Duration::ZERO {
            sqlx::query("UPDATE throttles SET blocked_until = $1 WHERE key = $2")
                .bind(text(now + delay))
                .bind(*key)
                .execute(&mut *transaction)
                .await?;
            longest = longest.max(delay);
        }
    }
    transaction.commit().await?;
    Ok(longest)
}

/// Forgets the failures of `keys` (after a success).
pub async fn cleared(store: &Store, keys: &[&str]) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("DELETE FROM throttles WHERE key = $1")
            .bind(*key)
            .execute(store.pool())
            .await?;
    }
    Ok(())
}

/// Deletes the keys whose last failure is older than [`FORGET_AFTER`]; returns how many.
pub async fn forget_old(store: &Store, now: OffsetDateTime) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM throttles WHERE last_failure < $1")
        .bind(text(now - FORGET_AFTER))
        .execute(store.pool())
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_past_the_free_failures_up_to_the_max() {
        let policy =
            Policy { free: 5, base: time::Duration::seconds(1), max: time::Duration::minutes(15) };
        let delays: Vec<i64> = (1..=17).map(|n| policy.delay(n).whole_seconds()).collect();
        assert_eq!(
            delays,
            vec![0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900],
            "5 free, then 1 s doubling, at most 15 min"
        );
        assert_eq!(policy.delay(i64::MAX), time::Duration::minutes(15));
    }

    #[test]
    fn times_are_text_in_time_order() {
        let early = time::macros::datetime!(2026-12-06 09:05:07.9 +08:00);
        assert_eq!(text(early), "2026-12-06T01:05:07Z");
        assert!(text(early) < text(early + time::Duration::seconds(1)));
        assert_eq!(parse(&text(early)).unwrap().unix_timestamp(), early.unix_timestamp());
    }
}
