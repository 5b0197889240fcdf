//! Handling an application in the back office: the case as staff see it (intake, handler, the append-only
//! steps with their details) and recording a step.
//!
//! A case's version is the sequence number of its newest step (0 before any). A step is recorded against the
//! version the clerk saw: if someone recorded another step in between, the write is refused with
//! [`StoreError::Conflict`] and nothing is lost — the clerk reloads and sees both. Whether a step is allowed
//! in the case's state is the reply clock's business (`gongkai_core::clock::evaluate`), checked by the caller
//! on the same events this write is conditioned on.

pub mod search;

use gongkai_core::clock::Event;
use gongkai_core::records::{ApplicantType, Outcome};
use gongkai_core::regime::{Intake, Regime};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::records::{date_at, optional_date_at};
use crate::{Actor, Store, StoreError, audit, now_text};

/// One recorded step: the clock event, what else the clerk recorded with it, who and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub seq: i64,
    pub event: Event,
    /// A JSON object: reason, items, consulted party, opinion, outcome details…
    pub details: serde_json::Value,
    pub recorded_by: String,
    pub recorded_at: String,
}

/// An application as the back office sees it (the applicant's personal data comes separately, masked unless
/// the viewer handles the case: [`crate::applications::applicant`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub tracking_number: String,
    pub applicant_type: ApplicantType,
    pub intake: Intake,
    pub regime: Option<Regime>,
    pub outcome: Option<Outcome>,
    pub description: String,
    pub delivery_form: String,
    pub handler: Option<String>,
    pub created_at: String,
    /// The application it was transferred from (转办), at another agency of the platform.
    pub transferred_from: Option<String>,
    /// The application it was transferred to.
    pub transferred_to: Option<String>,
    pub steps: Vec<Step>,
}

impl Case {
    /// The version a step is recorded against.
    pub fn version(&self) -> i64 {
        self.steps.last().map_or(0, |step| step.seq)
    }

    /// The clock events, in order.
    pub fn events(&self) -> Vec<Event> {
        self.steps.iter().map(|step| step.event.clone()).collect()
    }

    /// The extension request nobody decided yet: who asked, for how many working days, and why.
    pub fn pending_extension(&self) -> Option<gongkai_core::handling::PendingExtension<'_>> {
        let index = gongkai_core::handling::pending_extension(&self.events())?;
        let step = self.steps.get(index)?;
        let details = &step.details;
        Some(gongkai_core::handling::PendingExtension {
            requested_by: &step.recorded_by,
            working_days: details
                .get("working_days")
                .and_then(serde_json::Value::as_u64)
                .and_then(|days| u32::try_from(days).ok()),
            reason: details.get("reason").and_then(serde_json::Value::as_str).unwrap_or_default(),
        })
    }

    /// The clock's view of the case.
    pub fn clock_application(&self) -> gongkai_core::clock::Application {
        gongkai_core::clock::Application {
            intake: self.intake.clone(),
            regime: self.regime,
            events: self.events(),
        }
    }
}

/// The serde tag of an event (`supplement_requested`, `replied`, …).
pub fn event_tag(event: &Event) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|value| value.get("event").and_then(|tag| tag.as_str().map(str::to_owned)))
        .unwrap_or_default()
}

const SELECT: &str = "SELECT a.id, a.agency_id, g.code, a.tracking_number, a.applicant_type, a.channel, a.submitted, \
     a.signed_for, a.confirmed, a.regime, a.outcome, a.description, a.delivery_form, u.username, a.created_at, \
     a.transferred_from, (SELECT t.tracking_number FROM applications t WHERE t.transferred_from = a.tracking_number) \
     AS transferred_to FROM applications a JOIN agencies g ON g.id = a.agency_id LEFT JOIN users u ON u.id = a.handler_id";

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|err| StoreError::InvalidData(format!("{what}: {err}")))
}

fn case_from_row(row: &AnyRow) -> Result<Case, StoreError> {
    let applicant: String = row.try_get("applicant_type")?;
    let channel: String = row.try_get("channel")?;
    let regime: Option<String> = row.try_get("regime")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(Case {
        id: row.try_get("id")?,
        agency_id: row.try_get("agency_id")?,
        agency_code: row.try_get("code")?,
        tracking_number: row.try_get("tracking_number")?,
        applicant_type: serde_json::from_value(serde_json::Value::String(applicant))
            .map_err(|err| StoreError::InvalidData(format!("applicant type: {err}")))?,
        intake: Intake {
            channel: channel.parse().map_err(StoreError::InvalidData)?,
            submitted: date_at(row, "submitted")?,
            signed_for: optional_date_at(row, "signed_for")?,
            confirmed: optional_date_at(row, "confirmed")?,
        },
        regime: regime.as_deref().map(str::parse).transpose().map_err(StoreError::InvalidData)?,
        outcome: outcome.as_deref().map(|text| parse_json(text, "outcome")).transpose()?,
        description: row.try_get("description")?,
        delivery_form: row.try_get("delivery_form")?,
        handler: row.try_get("username")?,
        created_at: row.try_get("created_at")?,
        transferred_from: row.try_get("transferred_from")?,
        transferred_to: row.try_get("transferred_to")?,
        steps: Vec::new(),
    })
}

fn step_from_row(row: &AnyRow) -> Result<Step, StoreError> {
    Ok(Step {
        seq: row.try_get("seq")?,
        event: parse_json(&row.try_get::<String, _>("event")?, "application event")?,
        details: parse_json(&row.try_get::<String, _>("details")?, "event details")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// The case `tracking_number` with its steps.
pub async fn case(store: &Store, tracking_number: &str) -> Result<Case, StoreError> {
    // Composed from constants only.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE a.tracking_number = $1")))
        .bind(tracking_number)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: "application",
            key: tracking_number.to_owned(),
        })?;
    let mut case = case_from_row(&row)?;
    case.steps = sqlx::query(
        "SELECT seq, event, details, recorded_by, recorded_at FROM application_events \
         WHERE application_id = $1 ORDER BY seq",
    )
    .bind(case.id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(step_from_row)
    .collect::<Result<_, _>>()?;
    Ok(case)
}

/// Which cases of an agency to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Not yet closed (no outcome recorded).
    Open,
    /// Every case received in the year.
    Year(i32),
}

/// The agency's cases (newest first), each with its steps, in two queries whatever their number.
pub async fn cases(
    store: &Store,
    agency_id: i64,
    filter: Filter,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    select(store, &agency_id.to_string(), filter, limit).await
}

/// The open cases of all the agencies `agency_ids` (a region), newest first, with their steps.
pub async fn open_cases_in(store: &Store, agency_ids: &[i64]) -> Result<Vec<Case>, StoreError> {
    if agency_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = agency_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    select(store, &ids, Filter::Open, i64::MAX).await
}

/// The cases of the agencies `ids` (integers from the database, comma-separated), in two queries.
async fn select(
    store: &Store,
    ids: &str,
    filter: Filter,
    limit: i64,
) -> Result<Vec<Case>, StoreError> {
    // The SQL is composed from the constants below and integer ids only; values are bound.
    let (condition, year) = match filter {
        Filter::Open => ("a.outcome IS NULL", None),
        Filter::Year(year) => ("a.submitted >= $2 AND a.submitted < $3", Some(year)),
    };
    let sql = format!(
        "{SELECT} WHERE a.agency_id IN ({ids}) AND {condition} ORDER BY a.submitted DESC, a.id DESC LIMIT $1"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
    if let Some(year) = year {
        query = query.bind(format!("{year:04}-01-01")).bind(format!("{:04}-01-01", year + 1));
    }
    let mut list: Vec<Case> =
        query.fetch_all(store.pool()).await?.iter().map(case_from_row).collect::<Result<_, _>>()?;
    if list.is_empty() {
        return Ok(list);
    }
    let lowest = list.iter().map(|case| case.id).min().unwrap_or(0);
    let events_sql = format!(
        "SELECT e.application_id, e.seq, e.event, e.details, e.recorded_by, e.recorded_at \
         FROM application_events e JOIN applications a ON a.id = e.application_id \
         WHERE a.agency_id IN ({ids}) AND e.application_id >= $1 AND {condition} ORDER BY e.application_id, e.seq"
    );
    let mut events = sqlx::query(sqlx::AssertSqlSafe(events_sql)).bind(lowest);
    if let Some(year) = year {
        events = events.bind(format!("{year:04}-01-01")).bind(format!("{:04}-01-01", year + 1));
    }
    let index: std::collections::HashMap<i64, usize> =
        list.iter().enumerate().map(|(position, case)| (case.id, position)).collect();
    for row in events.fetch_all(store.pool()).await? {
        let id: i64 = row.try_get("application_id")?;
        if let Some(&position) = index.get(&id) {
            list[position].steps.push(step_from_row(&row)?);
        }
    }
    Ok(list)
}

/// A step to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewStep<'a> {
    /// The clock event, or `None` for closing a case without one (a lapse: 其他处理).
    pub event: Option<Event>,
    pub details: serde_json::Value,
    /// Set when the step ends the case (a reply, or closing a lapsed case).
    pub outcome: Option<Outcome>,
    /// The regime the case is decided under (recorded with the outcome).
    pub regime: Option<Regime>,
    /// A short name of the step for the audit trail: `supplement`, `extension.approve`, `reply`, …
    pub action: &'a str,
}

/// Records `step` on the case `tracking_number` if its version is still `expected_version`; returns the new
/// version. Refused with [`StoreError::Conflict`] when another step came first or the case was already
/// closed. The step and its audit entry commit together.
pub async fn record(
    store: &Store,
    tracking_number: &str,
    expected_version: i64,
    step: &NewStep<'_>,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    record_with(store, tracking_number, expected_version, step, With::default(), actor).await
}

/// What a step writes besides its event, in the same transaction.
#[derive(Debug, Clone, Copy, Default)]
pub struct With<'a> {
    /// The step's letters (generated and sent with it): a reply is never recorded without its 答复书, nor a
    /// letter kept for a step that was refused.
    pub letters: &'a [crate::letters::NewLetter<'a>],
    /// The applicant's notice, its e-mail carrying the step's PDF letter to the applicant.
    pub telling: Option<&'a crate::notifications::Telling<'a>>,
    /// Files the applicant sent with the step (a 补正 online): checked and held to the day's quotas as at
    /// intake, `network` being the client's.
    pub files: &'a [(String, Vec<u8>)],
    pub network: &'a str,
    /// The application opens at another agency of the platform as well (转办).
    pub transfer: Option<crate::applications::Transfer<'a>>,
}

/// [`record`] with the step's letters, notice and files (see [`With`]), all or nothing.
pub async fn record_with(
    store: &Store,
    tracking_number: &str,
    expected_version: i64,
    step: &NewStep<'_>,
    with: With<'_>,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    let checked = crate::applications::check_files(with.files)?;
    let mut transaction = store.begin_write().await?;
    // SQLite's write lock was taken at the start (`begin_write`); writing first takes PostgreSQL's row lock.
    // Either way concurrent steps on one case run one after the other and the later one sees the earlier's
    // version.
    sqlx::query("UPDATE applications SET handler_id = handler_id WHERE tracking_number = $1")
        .bind(tracking_number)
        .execute(&mut *transaction)
        .await?;
    let row = sqlx::query(
        "SELECT a.id, a.outcome, \
         COALESCE((SELECT MAX(seq) FROM application_events e WHERE e.application_id = a.id), 0) \
         AS version FROM applications a WHERE a.tracking_number = $1",
    )
    .bind(tracking_number)
    .fetch_optional(&mut *transaction)
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "application", key: tracking_number.to_owned() })?;
    let id: i64 = row.try_get("id")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    let version: i64 = row.try_get("version")?;
    if version != expected_version || outcome.is_some() {
        return Err(StoreError::Conflict { expected: expected_version });
    }
    let mut new_version = version;
    let details = step.details.to_string();
    if let Some(event) = &step.event {
        new_version = version + 1;
        let text = serde_json::to_string(event)
            .map_err(|err| StoreError::InvalidData(format!("application event: {err}")))?;
        sqlx::query(
            "INSERT INTO application_events (application_id, seq, event, details, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(new_version)
        .bind(&text)
        .bind(&details)
        .bind(actor.name)
        .bind(now_text())
        .execute(&mut *transaction)
        .await
        .map_err(|err| match StoreError::on_unique(err, "step", tracking_number) {
            StoreError::Duplicate { .. } => StoreError::Conflict { expected: expected_version },
            other => other,
        })?;
    }
    if let Some(outcome) = step.outcome {
        let text = serde_json::to_string(&outcome)
            .map_err(|err| StoreError::InvalidData(format!("outcome: {err}")))?;
        let updated = sqlx::query(
            "UPDATE applications SET outcome = $1, regime = COALESCE($2, regime) WHERE id = $3 AND outcome IS NULL",
        )
        .bind(&text)
        .bind(step.regime.map(|regime| regime.code().to_owned()))
        .bind(id)
        .execute(&mut *transaction)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict { expected: expected_version });
        }
    }
    let after = serde_json::json!({
        "version": new_version,
        "event": step.event,
        "outcome": step.outcome,
        "details": step.details,
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        &format!("application.{}", step.action),
        &format!("application:{tracking_number}"),
        Some(&after),
    )
    .await?;
    if !checked.is_empty() {
        let id_number: String = sqlx::query("SELECT id_number FROM applications WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *transaction)
            .await?
            .try_get("id_number")?;
        let today = gongkai_core::dates::day_in_china(time::OffsetDateTime::now_utc());
        crate::applications::reserve_upload_quota(
            &mut transaction,
            &id_number,
            today,
            with.files,
            with.network,
        )
        .await?;
        crate::applications::attach(&mut transaction, id, &checked).await?;
    }
    let mut attached = None;
    for letter in with.letters {
        let letter_id =
            crate::letters::insert(&mut transaction, id, tracking_number, letter, actor).await?;
        if letter.media_type == "application/pdf" && letter.kind.to_applicant() {
            attached = Some(letter_id);
        }
    }
    if let Some(telling) = with.telling {
        crate::notifications::enqueue(&mut transaction, id, telling, None, attached).await?;
    }
    if let Some(transfer) = &with.transfer {
        crate::applications::transfer_in(&mut transaction, id, transfer, actor).await?;
    }
    transaction.commit().await?;
    Ok(new_version)
}
