//! 历史报告: the annual reports an agency published before it came on the platform, kept in its archive as
//! published (PDF, DOCX, HTML), with what the auditor read of each when it was uploaded: the format, the
//! table's figures (so the first year on the platform is checked against the year before), the findings
//! (shown to staff), or why it could not be read.

use gongkai_core::report::format::FormatId;
use gongkai_core::report::values::{CellKey, Quantity, TableValues};
use serde::Serialize;
use sqlx::Row;

use crate::{Actor, Store, StoreError, agencies, audit, blobs, now_text};

/// What the auditor read of a history report.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reading {
    /// The format it was read as (`pre2019`, `2019`, `2021`), when its table was read.
    pub format: Option<FormatId>,
    pub figures: Option<TableValues>,
    /// The findings as JSON (the auditor's own serialisation).
    pub findings: Option<String>,
    /// Why its table was not read, in Chinese.
    pub unread: Option<String>,
}

/// A history report as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryReport {
    pub year: i32,
    pub name: String,
    pub media_type: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub format: Option<String>,
    /// How many findings the auditor made (`None` when it did not read the table).
    pub findings: Option<usize>,
    pub unread: Option<String>,
}

fn figures_json(values: &TableValues) -> String {
    let cells: Vec<(&CellKey, &Option<Quantity>)> = values.iter().collect();
    serde_json::to_string(&cells).unwrap_or_else(|_| "[]".to_owned())
}

fn figures_from(json: &str) -> Option<TableValues> {
    let cells: Vec<(CellKey, Option<Quantity>)> = serde_json::from_str(json).ok()?;
    let mut values = TableValues::default();
    for (key, value) in cells {
        values.set(key, value);
    }
    Some(values)
}

/// Puts the report of `year` into the archive of the agency `code` (replacing one of the same year; both
/// audited), with what the auditor read of it.
#[expect(clippy::too_many_arguments, reason = "one upload with its reading")]
pub async fn put(
    store: &Store,
    code: &str,
    year: i32,
    name: &str,
    media_type: &str,
    bytes: &[u8],
    reading: &Reading,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let sha256 = blobs::digest(bytes);
    let mut transaction = store.begin_write().await?;
    blobs::put(&mut transaction, &sha256, media_type, bytes).await?;
    let replaced = sqlx::query("DELETE FROM history_reports WHERE agency_id = $1 AND year = $2")
        .bind(agency.id)
        .bind(i64::from(year))
        .execute(&mut *transaction)
        .await?
        .rows_affected();
    sqlx::query(
        "INSERT INTO history_reports (agency_id, year, name, sha256, media_type, uploaded_by, uploaded_at, \
         format, figures, findings, unread) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(agency.id)
    .bind(i64::from(year))
    .bind(name)
    .bind(&sha256)
    .bind(media_type)
    .bind(actor.name)
    .bind(now_text())
    .bind(reading.format.map(|format| format.code().to_owned()))
    .bind(reading.figures.as_ref().map(figures_json))
    .bind(reading.findings.clone())
    .bind(reading.unread.clone())
    .execute(&mut *transaction)
    .await?;
    let after = serde_json::json!({
        "year": year, "name": name, "sha256": sha256, "replaced": replaced > 0,
        "format": reading.format.map(FormatId::code), "unread": reading.unread,
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "history_report.put",
        &format!("agency:{code}:{year}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// A listed history report from the columns `year, name, media_type, uploaded_by, uploaded_at, format,
/// findings, unread`.
fn listed(row: &sqlx::any::AnyRow) -> Result<HistoryReport, StoreError> {
    let findings: Option<String> = row.try_get("findings")?;
    Ok(HistoryReport {
        year: i32::try_from(row.try_get::<i64, _>("year")?).unwrap_or_default(),
        name: row.try_get("name")?,
        media_type: row.try_get("media_type")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
        format: row.try_get("format")?,
        findings: findings.as_deref().and_then(|json| {
            serde_json::from_str::<Vec<serde_json::Value>>(json).ok().map(|list| list.len())
        }),
        unread: row.try_get("unread")?,
    })
}

/// The agency's history reports, newest year first.
pub async fn list(store: &Store, code: &str) -> Result<Vec<HistoryReport>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let rows = sqlx::query(
        "SELECT year, name, media_type, uploaded_by, uploaded_at, format, findings, unread \
         FROM history_reports WHERE agency_id = $1 ORDER BY year DESC",
    )
    .bind(agency.id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(listed).collect()
}

/// The history reports of `year` of every agency, by agency code: what a supervisor's region page shows
/// of each agency's published report and its audit.
pub async fn of_year(
    store: &Store,
    year: i32,
) -> Result<std::collections::HashMap<String, HistoryReport>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.code, h.year, h.name, h.media_type, h.uploaded_by, h.uploaded_at, h.format, h.findings, \
         h.unread FROM history_reports h JOIN agencies a ON a.id = h.agency_id WHERE h.year = $1",
    )
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get::<String, _>("code")?, listed(row)?))).collect()
}

/// The findings (JSON) of the report of `year`, if it was read.
pub async fn findings(store: &Store, code: &str, year: i32) -> Result<Option<String>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let row =
        sqlx::query("SELECT findings FROM history_reports WHERE agency_id = $1 AND year = $2")
            .bind(agency.id)
            .bind(i64::from(year))
            .fetch_optional(store.pool())
            .await?;
    Ok(row.map(|row| row.try_get::<Option<String>, _>("findings")).transpose()?.flatten())
}

/// The file of the report of `year`: its name, media type and bytes.
pub async fn file(
    store: &Store,
    code: &str,
    year: i32,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let Some(row) =
        sqlx::query("SELECT name, sha256 FROM history_reports WHERE agency_id = $1 AND year = $2")
            .bind(agency.id)
            .bind(i64::from(year))
            .fetch_optional(store.pool())
            .await?
    else {
        return Ok(None);
    };
    let name: String = row.try_get("name")?;
    let sha256: String = row.try_get("sha256")?;
    Ok(blobs::get(store.pool(), &sha256)
        .await?
        .map(|(media_type, bytes)| (name, media_type, bytes)))
}

/// The table of `year` as the agency published it before the platform, for the cross-year rules of the
/// year after: its figures, when its table was read and the platform has not published a report of that
/// year itself (a report the platform published is derived from its records, which then hold that year).
pub async fn last_year(
    store: &Store,
    code: &str,
    year: i32,
) -> Result<Option<TableValues>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let published: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM annual_reports \
         WHERE agency_id = $1 AND year = $2 AND published_at IS NOT NULL",
    )
    .bind(agency.id)
    .bind(i64::from(year))
    .fetch_one(store.pool())
    .await?
    .try_get("n")?;
    if published > 0 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT figures FROM history_reports WHERE agency_id = $1 AND year = $2")
        .bind(agency.id)
        .bind(i64::from(year))
        .fetch_optional(store.pool())
        .await?;
    Ok(row
        .map(|row| row.try_get::<Option<String>, _>("figures"))
        .transpose()?
        .flatten()
        .and_then(|json| figures_from(&json)))
}
