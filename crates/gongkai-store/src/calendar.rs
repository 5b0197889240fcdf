//! Calendar years entered by a platform administrator when the State Council's holiday notice appears (the
//! 2026 notice was issued on 2025-11-04; gongkai's built-in data cannot know next year's until then).
//!
//! A year is stored as the text of a notice file in gongkai's calendar format, so every instance on the
//! database applies the same schedule. Adding a year the built-in data or the database already has is refused
//! unless it is marked as a correction, which the audit trail records with the text it replaced.

use gongkai_core::calendar::{Calendar, NoticeYear};
use sqlx::Row;

use crate::audit;
use crate::{Actor, Store, StoreError, now_text};

/// One stored calendar year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredYear {
    pub year: i32,
    pub source: String,
    pub entered_by: String,
    pub entered_at: String,
    pub correction: bool,
    pub notice: String,
}

/// Stores a notice year (the text of a calendar file). `correction` must be set to replace a year that the
/// built-in data or the database already has; the replaced text is kept in the audit trail.
pub async fn add_year(
    store: &Store,
    notice: &str,
    source: &str,
    correction: bool,
    actor: &Actor<'_>,
) -> Result<i32, StoreError> {
    let parsed = NoticeYear::parse(source, notice)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    let year = parsed.year;
    let mut transaction = store.begin_write().await?;
    let existing: Option<String> = sqlx::query("SELECT notice FROM calendar_years WHERE year = $1")
        .bind(i64::from(year))
        .fetch_optional(&mut *transaction)
        .await?
        .map(|row| row.try_get("notice"))
        .transpose()?;
    let builtin = Calendar::builtin().covers(year);
    if (existing.is_some() || builtin) && !correction {
        return Err(StoreError::Duplicate {
            what: "calendar year (replacing it needs an explicit correction)",
            key: year.to_string(),
        });
    }
    sqlx::query(
        "INSERT INTO calendar_years (year, source, entered_by, entered_at, correction, notice) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (year) DO UPDATE SET source = excluded.source, \
         entered_by = excluded.entered_by, entered_at = excluded.entered_at, correction = excluded.correction, \
         notice = excluded.notice",
    )
    .bind(i64::from(year))
    .bind(source)
    .bind(actor.name)
    .bind(now_text())
    .bind(i64::from(correction))
    .bind(notice)
    .execute(&mut *transaction)
    .await?;
    let before = match (&existing, builtin) {
        (Some(text), _) => Some(serde_json::json!({ "notice": text })),
        (None, true) => Some(serde_json::json!({ "notice": "built-in data" })),
        (None, false) => None,
    }
    .map(|value| value.to_string());
    let after = serde_json::json!({ "source": source, "notice": notice }).to_string();
    let action = if correction { "calendar.correct" } else { "calendar.add" };
    audit::record_change(
        &mut transaction,
        actor,
        action,
        &format!("calendar:{year}"),
        before.as_deref(),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(year)
}

/// Every stored year, oldest first.
pub async fn list(store: &Store) -> Result<Vec<StoredYear>, StoreError> {
    let rows = sqlx::query(
        "SELECT year, source, entered_by, entered_at, correction, notice FROM calendar_years ORDER BY year",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredYear {
                year: row.try_get::<i64, _>("year")? as i32,
                source: row.try_get("source")?,
                entered_by: row.try_get("entered_by")?,
                entered_at: row.try_get("entered_at")?,
                correction: row.try_get::<i64, _>("correction")? != 0,
                notice: row.try_get("notice")?,
            })
        })
        .collect()
}

/// The built-in calendar with the stored years applied (additions, and corrections replacing a year).
pub async fn effective(store: &Store) -> Result<Calendar, StoreError> {
    let mut calendar = Calendar::builtin().clone();
    for stored in list(store).await? {
        let year = NoticeYear::parse(&stored.source, &stored.notice).map_err(|err| {
            StoreError::InvalidData(format!("stored calendar year {}: {err}", stored.year))
        })?;
        if calendar.covers(year.year) {
            calendar.replace_year(year);
        } else {
            calendar
                .add_year(year)
                .map_err(|err| StoreError::InvalidData(format!("stored calendar year: {err}")))?;
        }
    }
    Ok(calendar)
}
