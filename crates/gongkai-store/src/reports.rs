//! The annual-report archive: a published report is frozen as the files rendered when it was published
//! (HTML, DOCX, PDF, XLSX and the JSON of its figures), so later changes to the records never alter what the
//! public was given. The sign-off workflow (填报人 → 审核人 → 单位负责人) ends here.

use serde::Serialize;
use sqlx::Row;

use crate::{Actor, Store, StoreError, agencies, audit, blobs, now_text};

/// The kinds of file a published report is kept as.
pub const KINDS: [&str; 5] = ["html", "docx", "pdf", "xlsx", "json"];

/// A rendering of a report, to be frozen at publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// One of [`KINDS`].
    pub kind: &'static str,
    pub media_type: &'static str,
    pub data: Vec<u8>,
}

/// A report in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedReport {
    pub year: i32,
    /// The format id (e.g. `2021`).
    pub format: String,
    pub published_at: String,
    /// The kinds of file kept, in [`KINDS`] order.
    pub kinds: Vec<String>,
}

/// Publishes the report of the agency `code` for `year` as `files` (replacing an earlier publication of the
/// same year, which the audit trail keeps).
pub async fn publish(
    store: &Store,
    code: &str,
    year: i32,
    format: &str,
    files: &[ReportFile],
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    if let Some(file) = files.iter().find(|file| !KINDS.contains(&file.kind)) {
        return Err(StoreError::InvalidData(format!("report file kind `{}`", file.kind)));
    }
    if !files.iter().any(|file| file.kind == "html") {
        return Err(StoreError::InvalidData(
            "a published report needs its HTML rendering".to_owned(),
        ));
    }
    let agency = agencies::by_code(store, code).await?;
    let now = now_text();
    let mut transaction = store.pool().begin().await?;
    let existing =
        sqlx::query("SELECT id, state FROM annual_reports WHERE agency_id = $1 AND year = $2")
            .bind(agency.id)
            .bind(i64::from(year))
            .fetch_optional(&mut *transaction)
            .await?;
    let before = existing.as_ref().map(|row| row.try_get::<String, _>(1)).transpose()?;
    let report_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get(0)?;
            sqlx::query(
                "UPDATE annual_reports SET format = $1, state = 'published', published_at = $2, \
                 version = version + 1 WHERE id = $3",
            )
            .bind(format)
            .bind(&now)
            .bind(id)
            .execute(&mut *transaction)
            .await?;
            sqlx::query("DELETE FROM report_files WHERE report_id = $1")
                .bind(id)
                .execute(&mut *transaction)
                .await?;
            id
        }
        None => sqlx::query(
            "INSERT INTO annual_reports (agency_id, year, format, state, published_at) \
             VALUES ($1, $2, $3, 'published', $4) RETURNING id",
        )
        .bind(agency.id)
        .bind(i64::from(year))
        .bind(format)
        .bind(&now)
        .fetch_one(&mut *transaction)
        .await?
        .try_get(0)?,
    };
    let mut kept = Vec::new();
    for file in files {
        let sha256 = blobs::digest(&file.data);
        blobs::put(&mut transaction, &sha256, file.media_type, &file.data).await?;
        sqlx::query("INSERT INTO report_files (report_id, kind, sha256) VALUES ($1, $2, $3)")
            .bind(report_id)
            .bind(file.kind)
            .bind(&sha256)
            .execute(&mut *transaction)
            .await
            .map_err(|err| StoreError::on_unique(err, "report file", file.kind))?;
        kept.push(serde_json::json!({ "kind": file.kind, "sha256": sha256 }));
    }
    let after = serde_json::json!({ "format": format, "files": kept }).to_string();
    let before = before.map(|state| serde_json::json!({ "state": state }).to_string());
    audit::record_change(
        &mut transaction,
        actor,
        "report.publish",
        &format!("report:{code}:{year}"),
        before.as_deref(),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The agency's published reports, newest year first.
pub async fn published(store: &Store, code: &str) -> Result<Vec<PublishedReport>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let rows = sqlx::query(
        "SELECT r.year, r.format, r.published_at, f.kind FROM annual_reports r \
         JOIN report_files f ON f.report_id = r.id WHERE r.agency_id = $1 AND r.state = 'published' \
         ORDER BY r.year DESC",
    )
    .bind(agency.id)
    .fetch_all(store.pool())
    .await?;
    let mut reports: Vec<PublishedReport> = Vec::new();
    for row in &rows {
        let year = i32::try_from(row.try_get::<i64, _>(0)?)
            .map_err(|_| StoreError::InvalidData("report year".to_owned()))?;
        let kind: String = row.try_get(3)?;
        match reports.last_mut() {
            Some(report) if report.year == year => report.kinds.push(kind),
            _ => reports.push(PublishedReport {
                year,
                format: row.try_get(1)?,
                published_at: row.try_get::<Option<String>, _>(2)?.unwrap_or_default(),
                kinds: vec![kind],
            }),
        }
    }
    for report in &mut reports {
        report.kinds.sort_by_key(|kind| KINDS.iter().position(|known| known == kind));
    }
    Ok(reports)
}

/// The media type and bytes of a published report's file.
pub async fn file(
    store: &Store,
    code: &str,
    year: i32,
    kind: &str,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT f.sha256 FROM report_files f JOIN annual_reports r ON r.id = f.report_id \
         JOIN agencies g ON g.id = r.agency_id WHERE g.code = $1 AND r.year = $2 AND f.kind = $3 \
         AND r.state = 'published'",
    )
    .bind(code)
    .bind(i64::from(year))
    .bind(kind)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(row) => blobs::get(store.pool(), &row.try_get::<String, _>(0)?).await,
        None => Ok(None),
    }
}
