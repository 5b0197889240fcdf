//! The same applicant across applications (issue #19): each application keeps a keyed hash of its
//! applicant's identity (`applications.applicant_key`, schema 15; [`gongkai_core::applicants::identity`]
//! under the server's key, labelled for this use), so their applications are linked — across agencies — while
//! the database alone gives no ID or phone number away: the hash of a guessed number cannot be computed
//! without the key file.
//!
//! The key is filled in for the applications that lack it — before every read, one batch at most, and by
//! the server's background task all of them ([`catch_up`]) — so every way an application arrives is
//! covered without each writing it; `''` marks an application with no usable identity (a register entry
//! without the applicant's number).

use gongkai_core::applicants::{identity, request_fingerprint};
use gongkai_core::records::Outcome;
use sqlx::Row;
use time::Date;

use crate::records::date_at;
use crate::{Store, StoreError};

/// Applications keyed per transaction while catching up.
const CATCH_UP_BATCH: i64 = 2_000;
/// Earlier applications listed for the handler at most.
const EARLIER_LISTED: i64 = 20;

/// Fills `applicant_key` where it is missing, in batches of 2,000 each in its own transaction — all of them,
/// or `max_batches` batches at most; returns whether none is missing any more.
pub async fn catch_up(store: &Store, max_batches: Option<usize>) -> Result<bool, StoreError> {
    // Looked up first without the write lock: a case page (a read) takes it only when there is work.
    let missing: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM applications WHERE applicant_key IS NULL LIMIT 1) m",
    )
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    if missing == 0 {
        return Ok(true);
    }
    let mut batches = 0;
    loop {
        let mut transaction = store.begin_write().await?;
        let rows = sqlx::query(
            "SELECT id, id_number, phone FROM applications WHERE applicant_key IS NULL ORDER BY id LIMIT $1",
        )
        .bind(CATCH_UP_BATCH)
        .fetch_all(&mut *transaction)
        .await?;
        if rows.is_empty() {
            transaction.commit().await?;
            return Ok(true);
        }
        if max_batches.is_some_and(|max| batches >= max) {
            return Ok(false);
        }
        batches += 1;
        for row in &rows {
            let id_number: String = row.try_get("id_number")?;
            let phone: String = row.try_get("phone")?;
            let key = identity(&id_number, &phone)
                .map(|identity| store.code_key().applicant(&identity))
                .unwrap_or_default();
            sqlx::query("UPDATE applications SET applicant_key = $1 WHERE id = $2")
                .bind(key)
                .bind(row.try_get::<i64, _>("id")?)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
    }
}

/// An earlier application of the same applicant to the same agency.
#[derive(Debug, Clone, PartialEq)]
pub struct Earlier {
    pub tracking_number: String,
    pub submitted: Date,
    pub description: String,
    pub outcome: Option<Outcome>,
    /// It was answered (not withdrawn or lapsed) by the day this one was submitted, and its request is the
    /// same text as this one's: the repeated-application hint (art. 36(6)).
    pub same_request: bool,
}

/// An application's applicant as seen through their other applications.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// Whether the applicant could be identified at all (an ID or phone number on the application).
    pub identified: bool,
    /// Older applications are still being keyed (just after an upgrade): nothing can be counted yet.
    pub pending: bool,
    /// Their applications on the whole platform, this one included.
    pub on_platform: i64,
    /// Their applications to this agency, this one included.
    pub at_agency: i64,
    /// Which of their applications to this agency in its calendar month this one is (1 for the first), by
    /// date received and then order of arrival: the count 按件计收 charges by.
    pub nth_in_month: i64,
    /// All their applications to this agency submitted in that calendar month.
    pub in_month: i64,
    /// Their earlier applications to this agency (submitted before this one), newest first (at most 20).
    pub earlier: Vec<Earlier>,
}

/// The history of the applicant of `tracking_number`.
pub async fn history(store: &Store, tracking_number: &str) -> Result<History, StoreError> {
    let complete = catch_up(store, Some(1)).await?;
    let row = sqlx::query(
        "SELECT id, agency_id, applicant_key, submitted, description FROM applications WHERE tracking_number = $1",
    )
    .bind(tracking_number)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "application", key: tracking_number.to_owned() })?;
    if !complete {
        // More applications than one batch arrived unkeyed (an upgrade, a bulk import) and are still being
        // keyed: no count rather than a low one.
        return Ok(History { pending: true, ..History::default() });
    }
    let key: String = row.try_get::<Option<String>, _>("applicant_key")?.unwrap_or_default();
    if key.is_empty() {
        return Ok(History {
            nth_in_month: 1,
            in_month: 1,
            on_platform: 1,
            at_agency: 1,
            ..History::default()
        });
    }
    let id: i64 = row.try_get("id")?;
    let agency_id: i64 = row.try_get("agency_id")?;
    let submitted = date_at(&row, "submitted")?;
    let fingerprint = request_fingerprint(&row.try_get::<String, _>("description")?);
    let month_start = submitted.replace_day(1).expect("day 1 exists");
    let count = |sql: &'static str| sqlx::query(sql).bind(key.clone());
    // A transferred application is one request: counted once on the platform (where it was first made).
    let on_platform: i64 = count(
        "SELECT COUNT(*) AS n FROM applications WHERE applicant_key = $1 AND transferred_from IS NULL",
    )
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    let at_agency: i64 =
        count("SELECT COUNT(*) AS n FROM applications WHERE applicant_key = $1 AND agency_id = $2")
            .bind(agency_id)
            .fetch_one(store.pool())
            .await?
            .try_get("n")?;
    let nth_in_month: i64 = count(
        "SELECT COUNT(*) AS n FROM applications WHERE applicant_key = $1 AND agency_id = $2 \
         AND submitted >= $3 AND (submitted < $4 OR (submitted = $4 AND id <= $5))",
    )
    .bind(agency_id)
    .bind(month_start.to_string())
    .bind(submitted.to_string())
    .bind(id)
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    let month_end = if submitted.month() == time::Month::December {
        time::Date::from_calendar_date(submitted.year() + 1, time::Month::January, 1)
    } else {
        time::Date::from_calendar_date(submitted.year(), submitted.month().next(), 1)
    }
    .expect("the first of a month exists");
    let in_month: i64 = count(
        "SELECT COUNT(*) AS n FROM applications WHERE applicant_key = $1 AND agency_id = $2 \
         AND submitted >= $3 AND submitted < $4",
    )
    .bind(agency_id)
    .bind(month_start.to_string())
    .bind(month_end.to_string())
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    let earlier = count(
        "SELECT tracking_number, submitted, description, outcome, replied FROM applications \
         WHERE applicant_key = $1 AND agency_id = $2 AND (submitted < $4 OR (submitted = $4 AND id < $3)) \
         ORDER BY submitted DESC, id DESC LIMIT $5",
    )
    .bind(agency_id)
    .bind(id)
    .bind(submitted.to_string())
    .bind(EARLIER_LISTED)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        let description: String = row.try_get("description")?;
        let outcome: Option<Outcome> = row
            .try_get::<Option<String>, _>("outcome")?
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|err| StoreError::InvalidData(format!("outcome: {err}")))?;
        let replied: Option<String> = row.try_get("replied")?;
        // Answered before this one was submitted, and answered — not withdrawn or lapsed (其他处理).
        let answered_before = replied
            .as_deref()
            .and_then(gongkai_core::dates::parse_ymd)
            .is_some_and(|replied| replied <= submitted)
            && !matches!(outcome, None | Some(Outcome::OtherHandling(_)));
        Ok(Earlier {
            tracking_number: row.try_get("tracking_number")?,
            submitted: date_at(row, "submitted")?,
            same_request: answered_before
                && !fingerprint.is_empty()
                && request_fingerprint(&description) == fingerprint,
            description,
            outcome,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(History {
        identified: true,
        pending: false,
        on_platform,
        at_agency,
        nth_in_month,
        in_month,
        earlier,
    })
}
