//! The applicant's notifications: an outbox written in the transaction of the intake or step it tells of, and
//! delivered by a worker (the web crate's `notify`) with retries.
//!
//! A row's life: `pending` → claimed (`sending`, with a lease) → `sent`, or back to `pending` with a later
//! attempt time after a passing failure, or `failed` (a permanent refusal, or attempts used up). A row still
//! `sending` when its lease runs out was being sent when the process stopped: whether the server took it
//! cannot be known, so it becomes `unknown` and waits for a person to check and resend — a notice is never
//! sent twice by the machine, and never lost silently. `skipped` records that nothing was sent and why (no
//! SMTP or gateway configured, an address that cannot take mail). Staff may resend a `failed` or `unknown`
//! one (audited).
//!
//! The e-mail of a step with a letter to the applicant carries the letter as PDF. The receipt's verification
//! code is kept in `secret` only while the row waits: it is put into the text when the notice is sent and
//! dropped when the row leaves `pending` for good.

use gongkai_core::notices::{Notice, NoticeKind, fill_code, is_email, mobile};
use sqlx::Row;

use crate::{Actor, Store, StoreError, audit, now_text};

/// Attempts before a notice that keeps failing is given up (`failed`): with [`retry_delay`] about a day.
pub const MAX_ATTEMPTS: i64 = 8;

/// How long after the `attempts`-th failed attempt the next one is made: 30 s, 2 min, 8 min, 32 min, then
/// every 2 hours — a server down for a night is caught up in the morning, a mailbox that refuses is not
/// hammered.
pub fn retry_delay(attempts: i64) -> i64 {
    match attempts {
        ..=1 => 30,
        2 => 120,
        3 => 480,
        4 => 1_920,
        _ => 7_200,
    }
}

/// How a notice travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn code(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Channel::Email => "电子邮件",
            Channel::Sms => "短信",
        }
    }

    fn from_code(code: &str) -> Result<Channel, StoreError> {
        match code {
            "email" => Ok(Channel::Email),
            "sms" => Ok(Channel::Sms),
            other => Err(StoreError::InvalidData(format!("notification channel `{other}`"))),
        }
    }
}

/// Where a notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Sending,
    Sent,
    Failed,
    Unknown,
    Skipped,
}

impl Status {
    const ALL: [Status; 6] = [
        Status::Pending,
        Status::Sending,
        Status::Sent,
        Status::Failed,
        Status::Unknown,
        Status::Skipped,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }

    /// The case page's word for it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Pending => "待发送",
            Status::Sending => "发送中",
            Status::Sent => "已发送",
            Status::Failed => "发送失败",
            Status::Unknown => "结果不明",
            Status::Skipped => "未发送",
        }
    }

    /// Whether staff may send it again.
    pub fn resendable(self) -> bool {
        matches!(self, Status::Failed | Status::Unknown)
    }

    fn from_code(code: &str) -> Result<Status, StoreError> {
        Status::ALL
            .into_iter()
            .find(|status| status.code() == code)
            .ok_or_else(|| StoreError::InvalidData(format!("notification status `{code}`")))
    }
}

/// The channels this platform can deliver through (set from the server's configuration).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Channels {
    pub email: bool,
    pub sms: bool,
}

/// What to tell the applicant: the notice, and the channels the platform can deliver through.
#[derive(Debug, Clone, Copy)]
pub struct Telling<'a> {
    pub notice: &'a Notice,
    pub channels: Channels,
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// One row to write: where it goes, what it says, and why it is not sent (`None`: it is to be sent).
struct Queued<'a> {
    channel: Channel,
    recipient: &'a str,
    subject: &'a str,
    body: &'a str,
    skipped: Option<&'static str>,
}

/// Writes the rows of `notice` to the applicant of `application` (id) in the caller's transaction: one per
/// channel the applicant can be reached on, `pending` where the platform can deliver, `skipped` with the
/// reason where it cannot. An e-mail carries the letter `letter` (id) when given. A landline number or no
/// contact at all writes nothing (the case page says the applicant cannot be told).
pub(crate) async fn enqueue(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    application: i64,
    telling: &Telling<'_>,
    secret: Option<&str>,
    letter: Option<i64>,
) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT email, phone FROM applications WHERE id = $1")
        .bind(application)
        .fetch_one(&mut **transaction)
        .await?;
    let email: String = row.try_get("email")?;
    let phone: String = row.try_get("phone")?;
    let email = email.trim();
    let notice = telling.notice;
    // Each channel the applicant can be reached on: (channel, recipient, subject, text, why not sent).
    let mut rows: Vec<Queued<'_>> = Vec::new();
    if !email.is_empty() {
        let skipped = if !is_email(email) {
            Some("邮箱地址格式有误，未发送")
        } else if !telling.channels.email {
            Some("本平台未配置邮件发送（SMTP），未发送")
        } else {
            None
        };
        rows.push(Queued {
            channel: Channel::Email,
            recipient: email,
            subject: &notice.subject,
            body: &notice.body,
            skipped,
        });
    }
    if let Some(number) = mobile(&phone) {
        let skipped = (!telling.channels.sms).then_some("本平台未配置短信网关，未发送");
        rows.push(Queued {
            channel: Channel::Sms,
            recipient: number,
            subject: "",
            body: &notice.sms,
            skipped,
        });
    }
    let now = unix_now();
    for row in rows {
        let status = if row.skipped.is_some() { Status::Skipped } else { Status::Pending };
        sqlx::query(
            "INSERT INTO notifications (application_id, kind, channel, recipient, subject, body, secret, letter_id, \
             status, next_attempt_at, last_error, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(application)
        .bind(notice.kind.code())
        .bind(row.channel.code())
        .bind(row.recipient)
        .bind(row.subject)
        .bind(row.body)
        .bind(secret.filter(|_| status == Status::Pending))
        .bind(letter.filter(|_| row.channel == Channel::Email))
        .bind(status.code())
        .bind(now)
        .bind(row.skipped.unwrap_or_default())
        .bind(now_text())
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// A notification claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub id: i64,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    /// The text with the verification code put in.
    pub body: String,
    pub tracking_number: String,
    /// The letter to attach: file name and PDF bytes.
    pub attachment: Option<(String, Vec<u8>)>,
    /// Attempts including this one.
    pub attempts: i64,
    /// The claim's random token: a result is recorded only on the claim it belongs to, so a late answer never
    /// lands on a row another worker or a person has taken over since.
    pub claim: String,
}

/// Marks notices still `sending` past their lease `unknown` (the process that claimed them stopped
/// mid-send); returns how many.
pub async fn expire_leases(store: &Store) -> Result<u64, StoreError> {
    let result = sqlx::query(
        "UPDATE notifications SET status = 'unknown', secret = NULL, \
         last_error = '发送过程中服务中断，无法确认是否送达；请核实后决定是否重发' \
         WHERE status = 'sending' AND claimed_until < $1",
    )
    .bind(unix_now())
    .execute(store.pool())
    .await?;
    Ok(result.rows_affected())
}

/// Claims up to `limit` notices due now on the `channels` this worker can send through, oldest first, for
/// `lease_seconds` (each is claimed by one worker, whatever the number of instances: the update re-checks
/// the state under the row's lock).
pub async fn claim(
    store: &Store,
    channels: Channels,
    lease_seconds: i64,
    limit: i64,
) -> Result<Vec<Outgoing>, StoreError> {
    let now = unix_now();
    // Composed from constants only.
    let on = match (channels.email, channels.sms) {
        (true, true) => "'email', 'sms'",
        (true, false) => "'email'",
        (false, true) => "'sms'",
        (false, false) => return Ok(Vec::new()),
    };
    let until = now + lease_seconds;
    let token = hex::encode(
        getrandom::u64().map_err(|err| StoreError::InvalidData(err.to_string()))?.to_le_bytes(),
    );
    let mut transaction = store.begin_write().await?;
    let mut claimed: Vec<i64> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE notifications SET status = 'sending', claimed_until = $1, claim = $4, attempts = attempts + 1 \
         WHERE status = 'pending' AND next_attempt_at <= $2 AND id IN \
         (SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= $2 \
         AND channel IN ({on}) ORDER BY id LIMIT $3) RETURNING id"
    )))
    .bind(until)
    .bind(now)
    .bind(limit)
    .bind(&token)
    .fetch_all(&mut *transaction)
    .await?
    .iter()
    .map(|row| row.try_get("id"))
    .collect::<Result<_, _>>()?;
    // In the order they were written (RETURNING gives no order).
    claimed.sort_unstable();
    let mut out = Vec::with_capacity(claimed.len());
    for id in claimed {
        let row = sqlx::query(
            "SELECT n.id, n.channel, n.recipient, n.subject, n.body, n.secret, n.attempts, a.tracking_number, \
             l.kind AS letter_kind, l.title AS letter_title, b.data AS letter_data \
             FROM notifications n JOIN applications a ON a.id = n.application_id \
             LEFT JOIN letters l ON l.id = n.letter_id LEFT JOIN blobs b ON b.sha256 = l.sha256 \
             WHERE n.id = $1",
        )
        .bind(id)
        .fetch_one(&mut *transaction)
        .await?;
        let secret: Option<String> = row.try_get("secret")?;
        let body: String = row.try_get("body")?;
        let subject: String = row.try_get("subject")?;
        let tracking_number: String = row.try_get("tracking_number")?;
        let letter_kind: Option<String> = row.try_get("letter_kind")?;
        let letter_title: Option<String> = row.try_get("letter_title")?;
        let letter_data: Option<Vec<u8>> = row.try_get("letter_data")?;
        let attachment = match (letter_kind, letter_data) {
            (Some(kind), Some(data)) => {
                let label = letter_title.unwrap_or_else(|| {
                    gongkai_core::letters::LetterKind::from_code(&kind)
                        .map_or("文书", gongkai_core::letters::LetterKind::label)
                        .to_owned()
                });
                Some((format!("{label}-{tracking_number}.pdf"), data))
            }
            _ => None,
        };
        out.push(Outgoing {
            id,
            channel: Channel::from_code(&row.try_get::<String, _>("channel")?)?,
            recipient: row.try_get("recipient")?,
            subject,
            body: fill_code(&body, secret.as_deref()),
            tracking_number,
            attachment,
            attempts: row.try_get("attempts")?,
            claim: token.clone(),
        });
    }
    transaction.commit().await?;
    Ok(out)
}

/// Records that the notice was taken by the mail server or gateway; `false` when the claim was no longer
/// current (its lease had run out and the row was marked unknown, or a person resent it).
pub async fn mark_sent(store: &Store, notice: &Outgoing) -> Result<bool, StoreError> {
    let result = sqlx::query(
        "UPDATE notifications SET status = 'sent', secret = NULL, claimed_until = NULL, last_error = '', \
         sent_at = $1 WHERE id = $2 AND status = 'sending' AND claim = $3",
    )
    .bind(now_text())
    .bind(notice.id)
    .bind(&notice.claim)
    .execute(store.pool())
    .await?;
    Ok(result.rows_affected() == 1)
}

/// How an attempt ended without the notice being taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// Nothing was taken and trying again can help (the server unreachable, a 4xx SMTP answer).
    Passing,
    /// Refused for good (a 5xx answer about the recipient, a gateway's 4xx).
    Permanent,
    /// The conversation broke off after the message may have been taken: whether it arrived cannot be
    /// known, so it waits for a person rather than a second automatic send.
    Unknown,
}

/// Records a failed attempt at the notice: tried again later when the miss is passing and attempts remain;
/// `false` when the claim was no longer current.
pub async fn mark_failed(
    store: &Store,
    notice: &Outgoing,
    error: &str,
    miss: Miss,
) -> Result<bool, StoreError> {
    let error: String = error.chars().take(500).collect();
    let status = match miss {
        Miss::Passing if notice.attempts < MAX_ATTEMPTS => "pending",
        Miss::Passing | Miss::Permanent => "failed",
        Miss::Unknown => "unknown",
    };
    let result = if status == "pending" {
        sqlx::query(
            "UPDATE notifications SET status = 'pending', claimed_until = NULL, last_error = $1, \
             next_attempt_at = $2 WHERE id = $3 AND status = 'sending' AND claim = $4",
        )
        .bind(&error)
        .bind(unix_now() + retry_delay(notice.attempts))
        .bind(notice.id)
        .bind(&notice.claim)
        .execute(store.pool())
        .await?
    } else {
        // Composed from the constants above.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE notifications SET status = '{status}', secret = NULL, claimed_until = NULL, \
             last_error = $1 WHERE id = $2 AND status = 'sending' AND claim = $3"
        )))
        .bind(&error)
        .bind(notice.id)
        .bind(&notice.claim)
        .execute(store.pool())
        .await?
    };
    Ok(result.rows_affected() == 1)
}

/// A notification as the case page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub kind: Option<NoticeKind>,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub status: Status,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub with_letter: bool,
}

/// The notifications of the application `application` (id), oldest first.
pub async fn of_case(store: &Store, application: i64) -> Result<Vec<Notification>, StoreError> {
    sqlx::query(
        "SELECT id, kind, channel, recipient, subject, status, attempts, last_error, created_at, sent_at, \
         letter_id FROM notifications WHERE application_id = $1 ORDER BY id",
    )
    .bind(application)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        Ok(Notification {
            id: row.try_get("id")?,
            kind: NoticeKind::from_code(&row.try_get::<String, _>("kind")?),
            channel: Channel::from_code(&row.try_get::<String, _>("channel")?)?,
            recipient: row.try_get("recipient")?,
            subject: row.try_get("subject")?,
            status: Status::from_code(&row.try_get::<String, _>("status")?)?,
            attempts: row.try_get("attempts")?,
            last_error: row.try_get("last_error")?,
            created_at: row.try_get("created_at")?,
            sent_at: row.try_get("sent_at")?,
            with_letter: row.try_get::<Option<i64>, _>("letter_id")?.is_some(),
        })
    })
    .collect()
}

/// Puts the `failed` or `unknown` notice `id` of the application `tracking_number` back in the queue (a
/// receipt goes out without its verification code, which was dropped: the applicant has it from the
/// receipt page). Refused with [`StoreError::Conflict`] for any other state.
pub async fn resend(
    store: &Store,
    tracking_number: &str,
    id: i64,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = $1, claimed_until = NULL, \
         last_error = '' WHERE id = $2 AND status IN ('failed', 'unknown') AND application_id = \
         (SELECT id FROM applications WHERE tracking_number = $3)",
    )
    .bind(unix_now())
    .bind(id)
    .bind(tracking_number)
    .execute(&mut *transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict { expected: id });
    }
    let after = serde_json::json!({ "notification": id }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "notification.resend",
        &format!("application:{tracking_number}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Notices waiting to go out (pending, or being sent), and the age in seconds of the oldest due one.
pub async fn backlog(store: &Store) -> Result<(i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS waiting, MIN(next_attempt_at) AS oldest FROM notifications \
         WHERE status IN ('pending', 'sending')",
    )
    .fetch_one(store.pool())
    .await?;
    let waiting: i64 = row.try_get("waiting")?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    Ok((waiting, oldest.map_or(0, |oldest| (unix_now() - oldest).max(0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_stop() {
        let delays: Vec<i64> = (1..=MAX_ATTEMPTS).map(retry_delay).collect();
        assert_eq!(delays, [30, 120, 480, 1_920, 7_200, 7_200, 7_200, 7_200]);
        assert!(delays.windows(2).all(|pair| pair[0] <= pair[1]));
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()).ok(), Some(status));
        }
        assert!(Status::Unknown.resendable() && Status::Failed.resendable());
        assert!(!Status::Sent.resendable() && !Status::Pending.resendable());
    }
}
