//! Registers (台账) brought in and taken out: an agency's applications with their steps and personal
//! data, and its catalog list with the items' metadata.
//!
//! An import is one transaction, audited as one action: all rows or none. Records already present (the
//! agency's own tracking or index number) are skipped, so importing a file again adds nothing; a tracking
//! number another agency holds is refused (tracking numbers are unique on the platform).

use std::collections::{HashMap, HashSet};

use gongkai_core::records::{ApplicationRecord, CatalogItem, Ledger};
use serde::Serialize;
use sqlx::Row;

use crate::catalog::{ItemMetadata, NewItem, placeholders};
use crate::records::to_text;
use crate::{Actor, Backend, Store, StoreError, agencies, audit, now_text};

/// Rows per multi-row `INSERT` (10 parameters each).
const BATCH: usize = 500;

/// An application of a register with the personal data the register holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterApplication {
    pub record: ApplicationRecord,
    pub applicant_name: String,
    pub description: String,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub added: usize,
    /// Rows whose record the agency already has (same tracking or index number): not written again.
    pub already_present: usize,
}

/// Which of `numbers` exist, and under which agency, in `column` of `table`.
async fn existing(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    table: &str,
    column: &str,
    numbers: &[&str],
) -> Result<HashMap<String, i64>, StoreError> {
    let mut found = HashMap::new();
    for chunk in numbers.chunks(BATCH) {
        let sql = format!(
            "SELECT {column}, agency_id FROM {table} WHERE {column} IN {}",
            placeholders(backend, 1, chunk.len(), 1)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for number in chunk {
            query = query.bind(*number);
        }
        for row in query.fetch_all(&mut **transaction).await? {
            found.insert(row.try_get(column)?, row.try_get("agency_id")?);
        }
    }
    Ok(found)
}

/// Imports applications into the agency `code`; `progress` is told how many rows are written so far.
pub async fn import_applications(
    store: &Store,
    code: &str,
    entries: &[RegisterApplication],
    actor: &Actor<'_>,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<ImportSummary, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let backend = store.backend();
    let mut transaction = store.begin_write().await?;
    let numbers: Vec<&str> =
        entries.iter().map(|entry| entry.record.tracking_number.as_str()).collect();
    let present =
        existing(&mut transaction, backend, "applications", "tracking_number", &numbers).await?;
    if let Some((number, _)) = present.iter().find(|(_, owner)| **owner != agency.id) {
        return Err(StoreError::Duplicate {
            what: "tracking number (of another agency)",
            key: number.clone(),
        });
    }
    let new: Vec<&RegisterApplication> = entries
        .iter()
        .filter(|entry| !present.contains_key(&entry.record.tracking_number))
        .collect();
    let recorded_at = now_text();
    let mut written = 0;
    for chunk in new.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO applications (agency_id, tracking_number, applicant_type, applicant_name, description, \
             channel, submitted, signed_for, confirmed, outcome, created_at) VALUES {} RETURNING id, tracking_number",
            placeholders(backend, chunk.len(), 11, 1)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for entry in chunk {
            let record = &entry.record;
            query = query
                .bind(agency.id)
                .bind(&record.tracking_number)
                .bind(to_text(&record.applicant))
                .bind(&entry.applicant_name)
                .bind(&entry.description)
                .bind(to_text(&record.intake.channel))
                .bind(record.intake.submitted.to_string())
                .bind(record.intake.signed_for.map(|date| date.to_string()))
                .bind(record.intake.confirmed.map(|date| date.to_string()))
                .bind(
                    record
                        .outcome
                        .map(|outcome| serde_json::to_string(&outcome).unwrap_or_default()),
                )
                .bind(&recorded_at);
        }
        let rows = query.fetch_all(&mut *transaction).await.map_err(|err| {
            StoreError::on_unique(err, "tracking number", "(written concurrently)")
        })?;
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for row in &rows {
            ids.insert(row.try_get("tracking_number")?, row.try_get("id")?);
        }
        let mut events = Vec::new();
        for entry in chunk {
            let id = ids.get(&entry.record.tracking_number).copied().ok_or_else(|| {
                StoreError::InvalidData(format!(
                    "no id returned for `{}`",
                    entry.record.tracking_number
                ))
            })?;
            for (seq, event) in entry.record.events.iter().enumerate() {
                let json = serde_json::to_string(event)
                    .map_err(|err| StoreError::InvalidData(err.to_string()))?;
                events.push((id, seq as i64, json));
            }
        }
        for event_chunk in events.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO application_events (application_id, seq, event, recorded_by, recorded_at) VALUES {}",
                placeholders(backend, event_chunk.len(), 5, 1)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, seq, json) in event_chunk {
                query = query.bind(*id).bind(*seq).bind(json).bind(actor.name).bind(&recorded_at);
            }
            query.execute(&mut *transaction).await?;
        }
        written += chunk.len();
        progress(written);
    }
    let summary = ImportSummary { added: new.len(), already_present: entries.len() - new.len() };
    let after = serde_json::to_string(&summary).unwrap_or_default();
    audit::record(
        &mut transaction,
        actor,
        "applications.import",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(summary)
}

/// Imports catalog items into the agency `code`, skipping index numbers the agency already has.
pub async fn import_catalog(
    store: &Store,
    code: &str,
    items: &[NewItem],
    actor: &Actor<'_>,
) -> Result<ImportSummary, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let backend = store.backend();
    let mut transaction = store.begin_write().await?;
    let numbers: Vec<&str> = items.iter().map(|item| item.record.index_number.as_str()).collect();
    let present: HashSet<String> =
        existing(&mut transaction, backend, "catalog_items", "index_number", &numbers)
            .await?
            .into_iter()
            .filter(|(_, owner)| *owner == agency.id)
            .map(|(number, _)| number)
            .collect();
    let new: Vec<&NewItem> =
        items.iter().filter(|item| !present.contains(&item.record.index_number)).collect();
    // Values from the register's system land on the agency's terms; one outside a set list refuses all.
    let resolved =
        crate::vocabularies::resolve_items(&mut transaction, agency.id, new.iter().copied())
            .await?;
    crate::catalog::insert_items(
        &mut transaction,
        backend,
        agency.id,
        resolved.iter().map(|(record, metadata)| (record.as_ref(), metadata.as_ref())),
    )
    .await?;
    let summary = ImportSummary { added: new.len(), already_present: items.len() - new.len() };
    let after = serde_json::to_string(&summary).unwrap_or_default();
    audit::record(
        &mut transaction,
        actor,
        "catalog.import",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(summary)
}

/// The agency's applications with their steps and the personal data a register holds, in the order
/// they were recorded.
pub async fn export_applications(
    store: &Store,
    code: &str,
) -> Result<Vec<RegisterApplication>, StoreError> {
    let records = crate::records::load(store, code).await?;
    let agency = agencies::by_code(store, code).await?;
    let rows = sqlx::query("SELECT tracking_number, applicant_name, description FROM applications WHERE agency_id = $1")
        .bind(agency.id)
        .fetch_all(store.pool())
        .await?;
    let mut personal: HashMap<String, (String, String)> = HashMap::with_capacity(rows.len());
    for row in rows {
        personal.insert(
            row.try_get("tracking_number")?,
            (row.try_get("applicant_name")?, row.try_get("description")?),
        );
    }
    Ok(records
        .applications
        .into_iter()
        .map(|record| {
            let (applicant_name, description) =
                personal.remove(&record.tracking_number).unwrap_or_default();
            RegisterApplication { record, applicant_name, description }
        })
        .collect())
}

/// The agency's catalog items with their metadata, in the order they were added (withdrawn items too:
/// they were published, and the annual report counts them).
pub async fn export_catalog(store: &Store, code: &str) -> Result<Vec<NewItem>, StoreError> {
    let records = crate::records::load(store, code).await?;
    let agency = agencies::by_code(store, code).await?;
    let rows = sqlx::query(
        "SELECT index_number, summary, body, subject, genre, doc_number, validity, disclosure FROM catalog_items \
         WHERE agency_id = $1",
    )
    .bind(agency.id)
    .fetch_all(store.pool())
    .await?;
    let mut metadata: HashMap<String, ItemMetadata> = HashMap::with_capacity(rows.len());
    for row in rows {
        metadata.insert(
            row.try_get("index_number")?,
            ItemMetadata {
                summary: row.try_get("summary")?,
                body: row.try_get("body")?,
                subject: row.try_get("subject")?,
                genre: row.try_get("genre")?,
                doc_number: row.try_get("doc_number")?,
                validity: row.try_get("validity")?,
                disclosure: row.try_get("disclosure")?,
            },
        );
    }
    Ok(records
        .catalog
        .into_iter()
        .map(|record: CatalogItem| {
            let metadata = metadata.remove(&record.index_number).unwrap_or_default();
            NewItem { record, metadata }
        })
        .collect())
}

/// A register uploaded in the back office, kept until it is imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upload {
    pub id: i64,
    pub agency_code: String,
    /// `applications`, `catalog`, `reviews` or `lawsuits`.
    pub kind: String,
    pub name: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// What the import did (JSON: `{"added":…,"already_present":…}` or `{"error":…}`).
    pub result: Option<String>,
}

/// Keeps an uploaded register of the agency `code` (`kind`: `applications` or `catalog`) until its import is
/// confirmed; returns its id.
pub async fn stage(
    store: &Store,
    code: &str,
    kind: &str,
    name: &str,
    bytes: &[u8],
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    if !matches!(
        kind,
        "applications"
            | "catalog"
            | "reviews"
            | "lawsuits"
            | "responses"
            | "trainings"
            | "meetings"
    ) {
        return Err(StoreError::InvalidData(format!("register kind `{kind}` is not known")));
    }
    let agency = agencies::by_code(store, code).await?;
    let sha256 = crate::blobs::digest(bytes);
    let media_type = if bytes.starts_with(b"PK\x03\x04") {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv"
    };
    let mut transaction = store.begin_write().await?;
    crate::blobs::put(&mut transaction, &sha256, media_type, bytes).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO register_uploads (agency_id, kind, name, sha256, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(agency.id)
    .bind(kind)
    .bind(name)
    .bind(&sha256)
    .bind(actor.name)
    .bind(now_text())
    .fetch_one(&mut *transaction)
    .await?
    .try_get("id")?;
    let after =
        serde_json::json!({ "kind": kind, "name": name, "sha256": sha256, "size": bytes.len() })
            .to_string();
    audit::record(
        &mut transaction,
        actor,
        "register.upload",
        &format!("register_upload:{id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(id)
}

const UPLOAD_SELECT: &str = "SELECT u.id, g.code, u.kind, u.name, u.uploaded_by, u.uploaded_at, u.started_at, \
                             u.finished_at, u.result FROM register_uploads u JOIN agencies g ON g.id = u.agency_id";

fn upload_at(row: &sqlx::any::AnyRow) -> Result<Upload, StoreError> {
    Ok(Upload {
        id: row.try_get("id")?,
        agency_code: row.try_get("code")?,
        kind: row.try_get("kind")?,
        name: row.try_get("name")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_at: row.try_get("uploaded_at")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        result: row.try_get("result")?,
    })
}

/// The upload `id` and its file's bytes.
pub async fn upload(store: &Store, id: i64) -> Result<Option<(Upload, Vec<u8>)>, StoreError> {
    let sql = format!("{UPLOAD_SELECT} WHERE u.id = $1");
    let Some(row) =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(store.pool()).await?
    else {
        return Ok(None);
    };
    let upload = upload_at(&row)?;
    let sha256: String = sqlx::query("SELECT sha256 FROM register_uploads WHERE id = $1")
        .bind(id)
        .fetch_one(store.pool())
        .await?
        .try_get("sha256")?;
    let (_, bytes) = crate::blobs::get(store.pool(), &sha256)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "register file", key: sha256.clone() })?;
    Ok(Some((upload, bytes)))
}

/// The agency's latest uploads, newest first.
pub async fn uploads(store: &Store, code: &str, limit: i64) -> Result<Vec<Upload>, StoreError> {
    let sql = format!("{UPLOAD_SELECT} WHERE g.code = $1 ORDER BY u.id DESC LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(upload_at).collect()
}

/// How long an import may run before its start is taken as interrupted (the process stopped while it ran:
/// its transaction wrote nothing, and it may be confirmed again).
pub const IMPORT_STALE_AFTER: time::Duration = time::Duration::minutes(30);

/// Whether an upload's import was started and neither finished nor is still within
/// [`IMPORT_STALE_AFTER`] of its start: interrupted.
pub fn interrupted(upload: &Upload) -> bool {
    let Some(started) = upload.started_at.as_deref() else { return false };
    upload.finished_at.is_none()
        && time::OffsetDateTime::parse(started, &time::format_description::well_known::Rfc3339)
            .is_ok_and(|started| started + IMPORT_STALE_AFTER < time::OffsetDateTime::now_utc())
}

/// Marks the upload `id` as being imported: `false` when it was already started and not interrupted (a
/// second confirmation imports nothing).
pub async fn start(store: &Store, id: i64) -> Result<bool, StoreError> {
    let cutoff = (time::OffsetDateTime::now_utc() - IMPORT_STALE_AFTER)
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|err| StoreError::InvalidData(format!("time: {err}")))?;
    let mut transaction = store.begin_write().await?;
    let started = sqlx::query(
        "UPDATE register_uploads SET started_at = $1 WHERE id = $2 \
         AND (started_at IS NULL OR (finished_at IS NULL AND started_at < $3))",
    )
    .bind(now_text())
    .bind(id)
    .bind(cutoff)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    transaction.commit().await?;
    Ok(started == 1)
}

/// Records what the import of the upload `id` did.
pub async fn finish(store: &Store, id: i64, result: &str) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    sqlx::query("UPDATE register_uploads SET finished_at = $1, result = $2 WHERE id = $3")
        .bind(now_text())
        .bind(result)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    transaction.commit().await?;
    Ok(())
}

/// A stored value of such a record.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Cell {
    Text(Option<String>),
    Integer(i64),
}

/// The table, its columns (after `agency_id`) and the rows of a register, as stored.
fn table_rows(ledger: &Ledger) -> (&'static str, &'static [&'static str], Vec<Vec<Cell>>) {
    use crate::records::to_text;
    use Cell::{Integer, Text};
    let decided = |decided: &Option<(gongkai_core::records::CaseResult, time::Date)>| {
        [
            Text(decided.map(|(result, _)| to_text(&result))),
            Text(decided.map(|(_, day)| day.to_string())),
        ]
    };
    match ledger {
        Ledger::Reviews(reviews) => (
            "reviews",
            &["application", "filed", "result", "decided"],
            reviews
                .iter()
                .map(|review| {
                    let [result, day] = decided(&review.decided);
                    vec![
                        Text(review.application.clone()),
                        Text(Some(review.filed.to_string())),
                        result,
                        day,
                    ]
                })
                .collect(),
        ),
        Ledger::Lawsuits(lawsuits) => (
            "lawsuits",
            &["application", "filed", "after_review", "as_review_organ", "result", "decided"],
            lawsuits
                .iter()
                .map(|lawsuit| {
                    let [result, day] = decided(&lawsuit.decided);
                    vec![
                        Text(lawsuit.application.clone()),
                        Text(Some(lawsuit.filed.to_string())),
                        Integer(i64::from(lawsuit.after_review)),
                        Integer(i64::from(lawsuit.as_review_organ)),
                        result,
                        day,
                    ]
                })
                .collect(),
        ),
        Ledger::Responses(responses) => (
            "responses",
            &["day", "kind", "topic", "head_attended"],
            responses
                .iter()
                .map(|response| {
                    vec![
                        Text(Some(response.date.to_string())),
                        Text(Some(to_text(&response.kind))),
                        Text(response.topic.clone()),
                        Integer(i64::from(response.head_attended)),
                    ]
                })
                .collect(),
        ),
        Ledger::Trainings(trainings) => (
            "trainings",
            &["day", "title", "trainees"],
            trainings
                .iter()
                .map(|training| {
                    vec![
                        Text(Some(training.date.to_string())),
                        Text(Some(training.title.clone())),
                        Integer(i64::from(training.trainees)),
                    ]
                })
                .collect(),
        ),
        Ledger::Meetings(meetings) => (
            "meetings",
            &["day", "title"],
            meetings
                .iter()
                .map(|meeting| {
                    vec![Text(Some(meeting.date.to_string())), Text(Some(meeting.title.clone()))]
                })
                .collect(),
        ),
    }
}

/// Imports a register of reviews, lawsuits, responses, trainings or meetings into the agency `code` in one
/// transaction, audited as one action: rows the agency already has (every column the same) are skipped, so
/// a register imported twice adds nothing; a review or lawsuit naming an application the agency does not
/// have is refused (nothing written).
pub async fn import_ledger(
    store: &Store,
    code: &str,
    ledger: &Ledger,
    actor: &Actor<'_>,
) -> Result<ImportSummary, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let (table, columns, rows) = table_rows(ledger);
    let mut transaction = store.begin_write().await?;
    if matches!(table, "reviews" | "lawsuits") {
        let named: HashSet<&str> = rows
            .iter()
            .filter_map(|row| match &row[0] {
                Cell::Text(Some(number)) => Some(number.as_str()),
                _ => None,
            })
            .collect();
        for number in named {
            let found: i64 = sqlx::query(
                "SELECT COUNT(*) AS found FROM applications \
                 WHERE agency_id = $1 AND tracking_number = $2",
            )
            .bind(agency.id)
            .bind(number)
            .fetch_one(&mut *transaction)
            .await?
            .try_get("found")?;
            if found == 0 {
                return Err(StoreError::NotFound { what: "application", key: number.to_owned() });
            }
        }
    }
    // Which columns hold integers (the same in every row).
    let integer: Vec<bool> = match rows.first() {
        Some(row) => row.iter().map(|cell| matches!(cell, Cell::Integer(_))).collect(),
        None => vec![false; columns.len()],
    };
    let sql = format!("SELECT {} FROM {table} WHERE agency_id = $1", columns.join(", "));
    let mut present: HashMap<Vec<Cell>, usize> = HashMap::new();
    for row in
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency.id).fetch_all(&mut *transaction).await?
    {
        let mut key = Vec::with_capacity(columns.len());
        for (&column, is_integer) in columns.iter().zip(&integer) {
            key.push(if *is_integer {
                Cell::Integer(row.try_get(column)?)
            } else {
                Cell::Text(row.try_get(column)?)
            });
        }
        *present.entry(key).or_default() += 1;
    }
    let placeholders: Vec<String> =
        (2..=columns.len() + 1).map(|index| format!("${index}")).collect();
    let insert = format!(
        "INSERT INTO {table} (agency_id, {}) VALUES ($1, {})",
        columns.join(", "),
        placeholders.join(", ")
    );
    let mut summary = ImportSummary::default();
    for row in rows {
        // A register may hold two identical rows (two trainings on one day under one title): each stored
        // row stands for one of the register's.
        if let Some(count) = present.get_mut(&row).filter(|count| **count > 0) {
            *count -= 1;
            summary.already_present += 1;
            continue;
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(insert.clone())).bind(agency.id);
        for cell in row {
            query = match cell {
                Cell::Text(text) => query.bind(text),
                Cell::Integer(number) => query.bind(number),
            };
        }
        query.execute(&mut *transaction).await?;
        summary.added += 1;
    }
    let after =
        serde_json::json!({ "added": summary.added, "already_present": summary.already_present })
            .to_string();
    audit::record(
        &mut transaction,
        actor,
        &format!("{table}.import"),
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(summary)
}
