//! Attempt throttles: growing delays after repeated attempts at something guessable — a password, a
//! verification code — counted per key in the database, so every instance behind a load balancer sees the
//! same count and a restart forgets nothing.
//!
//! A key is what attempts are counted against: an account from one network, an account from anywhere, a
//! network, a tracking or booking number. [`attempt`] counts an attempt against all its keys *before* the
//! secret is checked, in one transaction, unless one of them is blocked: so attempts sent in parallel are
//! counted one by one, and none slips through while another is being checked. Each [`Policy`] lets `free`
//! attempts pass; past them, each blocks the key for `base` × 2^(n − free − 1), at most `max`. While a key is
//! blocked, attempts are refused *without being checked or counted* (a blocked guesser learns nothing and
//! cannot stretch the block by hammering it). A right answer clears the keys that belong to it and takes its
//! own attempt back from the others ([`succeeded`]). Attempts are forgiven one per `forgive` that passes
//! between them, so an office's occasional typos never add up, and a key untouched for a day is deleted.
//!
//! Unlike a hard lockout, no key stays blocked for longer than its policy's `max`, and the policy of a key
//! anyone can name (an account from anywhere) has a short `max`: an outsider who knows a username can slow
//! its owner down, not shut them out.

use sqlx::Row;
use time::OffsetDateTime;

use crate::{Store, StoreError};

/// How long a key with no attempt is kept.
pub const FORGET_AFTER: time::Duration = time::Duration::hours(24);

/// How attempts against one kind of key grow into delays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts that cost nothing (typing mistakes).
    pub free: i64,
    /// The block after the first attempt past the free ones.
    pub base: time::Duration,
    /// The longest block.
    pub max: time::Duration,
    /// One attempt is forgiven for each `forgive` that passes before the next.
    pub forgive: time::Duration,
}

impl Policy {
    /// How long a key with `attempts` attempts is blocked after the last one (zero within the free ones).
    pub fn delay(&self, attempts: i64) -> time::Duration {
        let past = attempts - self.free;
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

/// A key an attempt is counted against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    /// The staff account a sign-in key belongs to (a password reset clears its keys).
    pub account: Option<String>,
    pub policy: Policy,
}

/// What [`attempt`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// Counted; check the secret. `blocks` is how long the keys are blocked from now on because of this
    /// attempt (zero within the free ones): the wait to tell a user whose attempt then fails.
    Allowed { blocks: time::Duration },
    /// A key is blocked: nothing was checked or counted; try again after `wait`.
    Blocked { wait: time::Duration },
}

/// Counts an attempt against every key, unless one is blocked at `now` (then nothing is counted). Keys are
/// taken in name order, so concurrent attempts on PostgreSQL lock their rows in one order.
pub async fn attempt(
    store: &Store,
    keys: &[Key],
    now: OffsetDateTime,
) -> Result<Attempt, StoreError> {
    let now = now.unix_timestamp();
    let mut sorted: Vec<&Key> = keys.iter().collect();
    sorted.sort_by(|left, right| left.name.cmp(&right.name));
    let mut transaction = store.begin_write().await?;
    let mut blocks = time::Duration::ZERO;
    for key in sorted {
        let forgive = key.policy.forgive.whole_seconds().max(1);
        // A blocked key is left as it is; otherwise the attempts, less those forgiven since the last one,
        // plus this one.
        let row = sqlx::query(
            "INSERT INTO throttles (key, account, failures, blocked_until, last_failure) VALUES ($1, $2, 1, 0, $3) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN throttles.blocked_until > $3 THEN throttles.failures \
                 WHEN throttles.failures - ($3 - throttles.last_failure) / $4 > 0 \
                 THEN throttles.failures - ($3 - throttles.last_failure) / $4 + 1 ELSE 1 END, \
             last_failure = CASE WHEN throttles.blocked_until > $3 THEN throttles.last_failure ELSE $3 END \
             RETURNING failures, blocked_until",
        )
        .bind(&key.name)
        .bind(key.account.as_deref())
        .bind(now)
        .bind(forgive)
        .fetch_one(&mut *transaction)
        .await?;
        let attempts: i64 = row.try_get("failures")?;
        let blocked_until: i64 = row.try_get("blocked_until")?;
        if blocked_until > now {
            transaction.rollback().await?;
            return Ok(Attempt::Blocked { wait: time::Duration::seconds(blocked_until - now) });
        }
        let delay = key.policy.delay(attempts);
        if delay > time::Duration::ZERO {
            // Whole seconds, rounded up: a block never ends early.
            let seconds = (delay.whole_milliseconds() as i64 + 999) / 1000;
            sqlx::query("UPDATE throttles SET blocked_until = $1 WHERE key = $2")
                .bind(now + seconds)
                .bind(&key.name)
                .execute(&mut *transaction)
                .await?;
            blocks = blocks.max(time::Duration::seconds(seconds));
        }
    }
    transaction.commit().await?;
    Ok(Attempt::Allowed { blocks })
}

/// After a right answer: forgets the keys of `clear` (its account, its number) and takes the attempt back from
/// `undo` (its network, where others' attempts still count), lifting a block that attempt set.
pub async fn succeeded(store: &Store, clear: &[&str], undo: &[Key]) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    for key in clear {
        sqlx::query("DELETE FROM throttles WHERE key = $1")
            .bind(*key)
            .execute(&mut *transaction)
            .await?;
    }
    for key in undo {
        sqlx::query(
            "UPDATE throttles SET failures = failures - 1, \
             blocked_until = CASE WHEN failures - 1 <= $2 THEN 0 ELSE blocked_until END \
             WHERE key = $1 AND failures > 0",
        )
        .bind(&key.name)
        .bind(key.policy.free)
        .execute(&mut *transaction)
        .await?;
    }
    transaction.commit().await?;
    Ok(())
}

/// Forgets every key of the staff account `account` (its password was reset), in the caller's transaction.
pub(crate) async fn clear_account(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    account: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM throttles WHERE account = $1")
        .bind(account)
        .execute(&mut **transaction)
        .await?;
    Ok(())
}

/// Deletes the keys with no attempt for [`FORGET_AFTER`] and no block in force; returns how many.
pub async fn forget_old(store: &Store, now: OffsetDateTime) -> Result<u64, StoreError> {
    let now = now.unix_timestamp();
    Ok(sqlx::query("DELETE FROM throttles WHERE last_failure < $1 AND blocked_until <= $2")
        .bind(now - FORGET_AFTER.whole_seconds())
        .bind(now)
        .execute(store.pool())
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_past_the_free_attempts_up_to_the_max() {
        let policy = Policy {
            free: 5,
            base: time::Duration::seconds(1),
            max: time::Duration::minutes(15),
            forgive: time::Duration::minutes(5),
        };
        let delays: Vec<i64> = (1..=17).map(|n| policy.delay(n).whole_seconds()).collect();
        assert_eq!(
            delays,
            vec![0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900],
            "5 free, then 1 s doubling, at most 15 min"
        );
        assert_eq!(policy.delay(i64::MAX), time::Duration::minutes(15));
    }
}
