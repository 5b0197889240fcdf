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
    publish_at(store, code, year, format, files, &now_text(), actor).await
}

/// [`publish`] with the day it was published on, for reports published before they came here (the demo's
/// archive): recorded as 09:00 China time that day.
pub async fn publish_on(
    store: &Store,
    code: &str,
    year: i32,
    format: &str,
    files: &[ReportFile],
    on: time::Date,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    publish_at(store, code, year, format, files, &format!("{on}T01:00:00Z"), actor).await
}

async fn publish_at(
    store: &Store,
    code: &str,
    year: i32,
    format: &str,
    files: &[ReportFile],
    now: &str,
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
    let mut transaction = store.begin_write().await?;
    let existing =
        sqlx::query("SELECT id, state FROM annual_reports WHERE agency_id = $1 AND year = $2")
            .bind(agency.id)
            .bind(i64::from(year))
            .fetch_optional(&mut *transaction)
            .await?;
    let before = existing.as_ref().map(|row| row.try_get::<String, _>("state")).transpose()?;
    let report_id: i64 = match existing {
        Some(row) => {
            let id: i64 = row.try_get("id")?;
            sqlx::query(
                "UPDATE annual_reports SET format = $1, state = 'published', published_at = $2, \
                 version = version + 1 WHERE id = $3",
            )
            .bind(format)
            .bind(now)
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
        .bind(now)
        .fetch_one(&mut *transaction)
        .await?
        .try_get("id")?,
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
        let year = i32::try_from(row.try_get::<i64, _>("year")?)
            .map_err(|_| StoreError::InvalidData("report year".to_owned()))?;
        let kind: String = row.try_get("kind")?;
        match reports.last_mut() {
            Some(report) if report.year == year => report.kinds.push(kind),
            _ => reports.push(PublishedReport {
                year,
                format: row.try_get("format")?,
                published_at: row.try_get::<Option<String>, _>("published_at")?.unwrap_or_default(),
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
        Some(row) => blobs::get(store.pool(), &row.try_get::<String, _>("sha256")?).await,
        None => Ok(None),
    }
}

/// Where a report stands in the sign-off workflow (填报人 → 审核人 → 单位负责人 → published).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// Texts being written.
    Draft,
    /// Waiting for the reviewer; once the workflow's `reviewer` is set, approved and waiting for the head.
    Submitted,
    /// Sent back by the reviewer with comments.
    Returned,
    /// Signed by the head.
    Signed,
    /// Frozen in the archive.
    Published,
}

impl ReportState {
    const ALL: [ReportState; 5] = [
        ReportState::Draft,
        ReportState::Submitted,
        ReportState::Returned,
        ReportState::Signed,
        ReportState::Published,
    ];

    /// The state as stored.
    pub const fn code(self) -> &'static str {
        match self {
            ReportState::Draft => "draft",
            ReportState::Submitted => "submitted",
            ReportState::Returned => "returned",
            ReportState::Signed => "signed",
            ReportState::Published => "published",
        }
    }

    /// The state named `code`.
    pub fn from_code(code: &str) -> Option<ReportState> {
        ReportState::ALL.into_iter().find(|state| state.code() == code)
    }

    /// The state as staff read it; a submitted report already `reviewed` waits for the head.
    pub const fn label(self, reviewed: bool) -> &'static str {
        match self {
            ReportState::Draft => "草稿",
            ReportState::Submitted if reviewed => "已审核，待单位负责人签发",
            ReportState::Submitted => "已提交，待审核",
            ReportState::Returned => "已退回修改",
            ReportState::Signed => "已签发，待公开",
            ReportState::Published => "已公开",
        }
    }

    /// Whether staff may still write the report's texts.
    pub const fn editable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::Returned)
    }

    /// Whether the clerk may submit it (again): a draft, a returned report, or a published one to correct.
    pub const fn submittable(self) -> bool {
        matches!(self, ReportState::Draft | ReportState::Returned | ReportState::Published)
    }
}

impl std::fmt::Display for ReportState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The report state in the column `state`.
fn state_at(row: &sqlx::any::AnyRow) -> Result<ReportState, StoreError> {
    let code: String = row.try_get("state")?;
    ReportState::from_code(&code)
        .ok_or_else(|| StoreError::InvalidData(format!("report state `{code}`")))
}

/// A year's report in the sign-off workflow ([`ReportState`]). People are stored as usernames.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Workflow {
    pub state: ReportState,
    pub format: String,
    pub preparer: Option<String>,
    pub reviewer: Option<String>,
    pub head: Option<String>,
    pub phone: Option<String>,
    pub comments: String,
    pub submitted_at: Option<String>,
    pub signed_at: Option<String>,
    pub published_at: Option<String>,
    /// Bumped by every change; a change is made against the version the user saw.
    pub version: i64,
}

/// One step of the workflow, by the user named (a username).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition<'a> {
    /// The clerk submits the report for review (from draft, returned, or published for a correction).
    Submit { preparer: &'a str, phone: &'a str },
    /// The reviewer sends it back with comments.
    Return { reviewer: &'a str, comments: &'a str },
    /// The reviewer approves it; it waits for the head.
    Approve { reviewer: &'a str, comments: &'a str },
    /// The head signs it.
    Sign { head: &'a str },
}

/// Why a transition is refused: the state it needs, or the person it must not be.
#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    /// The report is not in a state that allows the step (`None`: there is no report yet).
    #[error("the report is {}; this step is not possible now", state.map_or("not started", ReportState::code))]
    WrongState { state: Option<ReportState> },
    #[error("the same person cannot prepare and {role} a report")]
    SamePerson { role: &'static str },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn workflow_from_row(row: &sqlx::any::AnyRow) -> Result<Workflow, StoreError> {
    Ok(Workflow {
        state: state_at(row)?,
        format: row.try_get("format")?,
        preparer: row.try_get("preparer")?,
        reviewer: row.try_get("reviewer")?,
        head: row.try_get("head")?,
        phone: row.try_get("phone")?,
        comments: row.try_get("comments")?,
        submitted_at: row.try_get("submitted_at")?,
        signed_at: row.try_get("signed_at")?,
        published_at: row.try_get("published_at")?,
        version: row.try_get("version")?,
    })
}

const WORKFLOW_SELECT: &str = "SELECT r.state, r.format, r.preparer, r.reviewer, r.head, r.phone, r.comments, \
     r.submitted_at, r.signed_at, r.published_at, r.version FROM annual_reports r";

/// The workflow of the agency's report for `year`, if it was started.
pub async fn workflow(
    store: &Store,
    code: &str,
    year: i32,
) -> Result<Option<Workflow>, StoreError> {
    let sql = format!(
        "{WORKFLOW_SELECT} JOIN agencies g ON g.id = r.agency_id WHERE g.code = $1 AND r.year = $2"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .bind(i64::from(year))
        .fetch_optional(store.pool())
        .await?
        .map(|row| workflow_from_row(&row))
        .transpose()
}

/// The workflows of every agency's report for `year`, by agency code (one query for a whole region).
pub async fn workflows_of_year(
    store: &Store,
    year: i32,
) -> Result<std::collections::HashMap<String, Workflow>, StoreError> {
    let sql = format!(
        "{}, g.code FROM annual_reports r JOIN agencies g ON g.id = r.agency_id WHERE r.year = $1",
        WORKFLOW_SELECT.trim_end_matches(" FROM annual_reports r")
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|row| Ok((row.try_get::<String, _>("code")?, workflow_from_row(row)?)))
        .collect()
}

/// The agency's workflows by year.
pub async fn workflows(store: &Store, code: &str) -> Result<Vec<(i32, Workflow)>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.year, r.state, r.format, r.preparer, r.reviewer, r.head, r.phone, r.comments, \
         r.submitted_at, r.signed_at, r.published_at, r.version FROM annual_reports r \
         JOIN agencies g ON g.id = r.agency_id WHERE g.code = $1 ORDER BY r.year DESC",
    )
    .bind(code)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let year = i32::try_from(row.try_get::<i64, _>("year")?)
                .map_err(|_| StoreError::InvalidData("report year".to_owned()))?;
            Ok((year, workflow_from_row(row)?))
        })
        .collect()
}

/// Takes the workflow of the agency's `year` one step, if its version is still `expected_version` (0 when
/// it was not started). The report is created in `draft` by its first step (a submission).
pub async fn transition(
    store: &Store,
    code: &str,
    year: i32,
    format: &str,
    expected_version: i64,
    step: Transition<'_>,
    actor: &Actor<'_>,
) -> Result<Workflow, WorkflowError> {
    let agency = agencies::by_code(store, code).await?;
    let now = now_text();
    let mut transaction = store.begin_write().await?;
    let current = start_workflow(&mut transaction, agency.id, year, format).await?;
    if current.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version }.into());
    }
    let StepUpdate { action, sql, binds } = step_update(step, &current, format, &now)?;
    let mut query = sqlx::query(sql);
    for value in binds {
        query = query.bind(value);
    }
    query
        .bind(agency.id)
        .bind(i64::from(year))
        .execute(&mut *transaction)
        .await
        .map_err(StoreError::from)?;
    let after = read_workflow(&mut transaction, agency.id, year).await?;
    let before = serde_json::json!({ "state": current.state }).to_string();
    let after_json = serde_json::to_string(&after).unwrap_or_default();
    audit::record_change(
        &mut transaction,
        actor,
        action,
        &format!("report:{code}:{year}"),
        Some(&before),
        Some(&after_json),
    )
    .await?;
    transaction.commit().await.map_err(StoreError::from)?;
    Ok(after)
}

/// The workflow of the agency's `year` as the step finds it, created in `draft` if it was not started.
/// Writes first, so concurrent steps run one after the other (see `handling::record`).
async fn start_workflow(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    year: i32,
    format: &str,
) -> Result<Workflow, StoreError> {
    sqlx::query(
        "INSERT INTO annual_reports (agency_id, year, format, state, version) VALUES ($1, $2, $3, 'draft', 0) \
         ON CONFLICT (agency_id, year) DO UPDATE SET version = annual_reports.version",
    )
    .bind(agency_id)
    .bind(i64::from(year))
    .bind(format)
    .execute(&mut **transaction)
    .await?;
    read_workflow(transaction, agency_id, year).await
}

/// The workflow of the agency's `year`, read inside the step's transaction.
async fn read_workflow(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    year: i32,
) -> Result<Workflow, StoreError> {
    let sql = format!("{WORKFLOW_SELECT} WHERE r.agency_id = $1 AND r.year = $2");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agency_id)
        .bind(i64::from(year))
        .fetch_one(&mut **transaction)
        .await?;
    workflow_from_row(&row)
}

/// What a step writes: its audit action, its UPDATE and the values bound before the agency and year.
struct StepUpdate {
    action: &'static str,
    sql: &'static str,
    binds: Vec<Option<String>>,
}

/// The update `step` makes to the `current` workflow, or why the step is refused.
fn step_update(
    step: Transition<'_>,
    current: &Workflow,
    format: &str,
    now: &str,
) -> Result<StepUpdate, WorkflowError> {
    let wrong = || WorkflowError::WrongState { state: Some(current.state) };
    match step {
        Transition::Submit { preparer, phone } => {
            if !current.state.submittable() {
                return Err(wrong());
            }
            Ok(StepUpdate {
                action: "report.submit",
                sql: "UPDATE annual_reports SET state = 'submitted', format = $1, preparer = $2, phone = $3, \
                      reviewer = NULL, head = NULL, submitted_at = $4, signed_at = NULL, version = version + 1 \
                      WHERE agency_id = $5 AND year = $6",
                binds: vec![
                    Some(format.to_owned()),
                    Some(preparer.to_owned()),
                    Some(phone.to_owned()),
                    Some(now.to_owned()),
                ],
            })
        }
        Transition::Return { reviewer, comments } | Transition::Approve { reviewer, comments } => {
            if current.state != ReportState::Submitted || current.reviewer.is_some() {
                return Err(wrong());
            }
            if current.preparer.as_deref() == Some(reviewer) {
                return Err(WorkflowError::SamePerson { role: "review" });
            }
            Ok(review_update(matches!(step, Transition::Return { .. }), reviewer, comments))
        }
        Transition::Sign { head } => {
            if current.state != ReportState::Submitted || current.reviewer.is_none() {
                return Err(wrong());
            }
            if current.preparer.as_deref() == Some(head) {
                return Err(WorkflowError::SamePerson { role: "sign" });
            }
            Ok(StepUpdate {
                action: "report.sign",
                sql: "UPDATE annual_reports SET state = 'signed', head = $1, signed_at = $2, version = version + 1 \
                      WHERE agency_id = $3 AND year = $4",
                binds: vec![Some(head.to_owned()), Some(now.to_owned())],
            })
        }
    }
}

/// The reviewer's update: sending the report back (`returning`) or approving it, with comments.
fn review_update(returning: bool, reviewer: &str, comments: &str) -> StepUpdate {
    StepUpdate {
        action: if returning { "report.return" } else { "report.approve" },
        sql: if returning {
            // Who returned it is in the audit entry.
            "UPDATE annual_reports SET state = 'returned', comments = $1, reviewer = NULL, \
             version = version + 1 WHERE agency_id = $2 AND year = $3"
        } else {
            "UPDATE annual_reports SET comments = $1, reviewer = $2, version = version + 1 \
             WHERE agency_id = $3 AND year = $4"
        },
        binds: if returning {
            vec![Some(comments.to_owned())]
        } else {
            vec![Some(comments.to_owned()), Some(reviewer.to_owned())]
        },
    }
}

/// The staff-written paragraphs of the agency's `year`, by section code (`overview`, `problems`, …).
pub async fn texts(
    store: &Store,
    code: &str,
    year: i32,
) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.section, t.paragraphs FROM staff_texts t JOIN agencies g ON g.id = t.agency_id \
         WHERE g.code = $1 AND t.year = $2 ORDER BY t.section",
    )
    .bind(code)
    .bind(i64::from(year))
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            let paragraphs: String = row.try_get("paragraphs")?;
            let paragraphs: Vec<String> = serde_json::from_str(&paragraphs)
                .map_err(|err| StoreError::InvalidData(format!("staff text: {err}")))?;
            Ok((row.try_get("section")?, paragraphs))
        })
        .collect()
}

/// Replaces the staff-written paragraphs of `section` for the agency's `year` (only while the report is a
/// draft or returned: a submitted report is what the reviewer reads).
pub async fn set_text(
    store: &Store,
    code: &str,
    year: i32,
    section: &str,
    paragraphs: &[String],
    actor: &Actor<'_>,
) -> Result<(), WorkflowError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let state: Option<ReportState> =
        sqlx::query("SELECT state FROM annual_reports WHERE agency_id = $1 AND year = $2")
            .bind(agency.id)
            .bind(i64::from(year))
            .fetch_optional(&mut *transaction)
            .await
            .map_err(StoreError::from)?
            .as_ref()
            .map(state_at)
            .transpose()?;
    if let Some(state) = state.filter(|state| !state.editable()) {
        return Err(WorkflowError::WrongState { state: Some(state) });
    }
    let text = serde_json::to_string(paragraphs)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    sqlx::query(
        "INSERT INTO staff_texts (agency_id, year, section, paragraphs) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (agency_id, year, section) DO UPDATE SET paragraphs = excluded.paragraphs",
    )
    .bind(agency.id)
    .bind(i64::from(year))
    .bind(section)
    .bind(&text)
    .execute(&mut *transaction)
    .await
    .map_err(StoreError::from)?;
    audit::record(
        &mut transaction,
        actor,
        "report.text",
        &format!("report:{code}:{year}:{section}"),
        Some(&text),
    )
    .await?;
    transaction.commit().await.map_err(StoreError::from)?;
    Ok(())
}

/// Publishes a signed report as `files` (see [`publish`]); refused unless the head signed it.
pub async fn publish_signed(
    store: &Store,
    code: &str,
    year: i32,
    format: &str,
    files: &[ReportFile],
    actor: &Actor<'_>,
) -> Result<(), WorkflowError> {
    let current = workflow(store, code, year).await?;
    match current {
        Some(workflow) if workflow.state == ReportState::Signed => {
            publish(store, code, year, format, files, actor).await?;
            Ok(())
        }
        Some(workflow) => Err(WorkflowError::WrongState { state: Some(workflow.state) }),
        None => Err(WorkflowError::WrongState { state: None }),
    }
}
