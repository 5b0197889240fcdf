//! The office's records through an agency key: its applications with their state and reply clock
//! (`applications:read`, personal data masked unless the key holds `applications:personal`), ledger entries
//! and declared figures (`ledger:write`), and the year's annual report as JSON (`reports:read`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use gongkai_core::clock::{self, LapseReason, State as ClockState};
use gongkai_core::report::values::Quantity;
use gongkai_store::StoreError;
use gongkai_store::api_keys::Scope;
use gongkai_store::applications;
use gongkai_store::handling::{self, Filter};
use gongkai_store::ledger::{self, Entry};
use serde::Deserialize;
use serde_json::json;

use super::auth::{KeyAuth, Once, Written, idempotency_key};
use super::publish::{Whole, date, json_body};
use super::{ApiError, bad, number};
use crate::AppState;

/// Most applications in one answer.
const MAX_APPLICATIONS: i64 = 500;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ApplicationsQuery {
    year: Option<String>,
}

fn state_code(state: ClockState) -> &'static str {
    match state {
        ClockState::InProgress => "in_progress",
        ClockState::AwaitingSupplement => "awaiting_supplement",
        ClockState::InConsultation => "in_consultation",
        ClockState::AwaitingPayment => "awaiting_payment",
        ClockState::Overdue => "overdue",
        ClockState::Replied => "replied",
        ClockState::Lapsed(LapseReason::SupplementNotReceived) => "lapsed_no_supplement",
        ClockState::Lapsed(LapseReason::FeeNotPaid) => "lapsed_fee_not_paid",
    }
}

/// `GET /api/v1/agencies/{code}/applications[?year=]`: the open applications, or every one received in
/// `year`, newest first, each with its reply clock as of today.
pub(crate) async fn applications(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(code): Path<String>,
    Query(query): Query<ApplicationsQuery>,
) -> Result<Response, ApiError> {
    let agency = state.agency(&code).await?;
    let subject = format!("agency:{}", agency.code);
    auth.require(&state, Scope::ApplicationsRead, &agency.code, &subject).await?;
    let year = super::year_filter(query.year.as_deref())?;
    let filter = year.map_or(Filter::Open, Filter::Year);
    let mut cases = handling::cases(state.store(), agency.id, filter, MAX_APPLICATIONS + 1).await?;
    let truncated = cases.len() > MAX_APPLICATIONS as usize;
    cases.truncate(MAX_APPLICATIONS as usize);
    let personal = auth.key.allows(Scope::ApplicationsPersonal);
    let calendar = state.calendar();
    let today = state.today();
    let mut list = Vec::with_capacity(cases.len());
    for case in &cases {
        let applicant =
            applications::applicant_for(state.store(), &case.tracking_number, |_| personal).await?;
        let clock = clock::evaluate(&case.clock_application(), &calendar, today);
        let clock = match &clock {
            Ok(report) => json!({
                "state": state_code(report.state),
                "state_label": report.state.label(),
                "received": report.received.to_string(),
                "due": report.due.map(|due| due.to_string()),
                "provisional": report.provisional,
                "on_time": report.on_time,
                "allowed_working_days": report.allowed_working_days,
                "used_working_days": report.used_working_days,
            }),
            Err(_) => json!({
                "state": "record_error",
                "state_label": "记录有误，请核对",
                "received": case.intake.submitted.to_string(),
                "due": null,
                "provisional": false,
                "on_time": null,
                "allowed_working_days": null,
                "used_working_days": null,
            }),
        };
        list.push(json!({
            "tracking_number": case.tracking_number,
            "channel": case.intake.channel,
            "applicant_type": case.applicant_type.code(),
            "applicant": {
                "name": applicant.name,
                "id_type": applicant.id_type,
                "id_number": applicant.id_number,
                "phone": applicant.phone,
                "address": applicant.address,
                "email": applicant.email,
                "masked": applicant.masked,
            },
            "description": case.description,
            "handler": case.handler,
            "outcome": case.outcome.map(|outcome| outcome.label()),
            "clock": clock,
        }));
    }
    // Which applicants a key saw unmasked is kept, as the back office keeps each view of a case.
    let revealed: Vec<&str> = if personal {
        cases.iter().map(|case| case.tracking_number.as_str()).collect()
    } else {
        Vec::new()
    };
    let after =
        json!({ "year": year, "count": list.len(), "personal": personal, "unmasked": revealed })
            .to_string();
    auth.record_read(&state, "api.applications.read", &subject, Some(&after)).await?;
    Ok(Json(json!({ "applications": list, "truncated": truncated })).into_response())
}

/// A ledger entry as a system sends it.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(crate) enum LedgerInput {
    Response {
        day: String,
        response_kind: String,
        topic: String,
        #[serde(default)]
        head_attended: bool,
    },
    Review {
        filed: String,
        application: String,
    },
    Lawsuit {
        filed: String,
        application: String,
        #[serde(default)]
        after_review: bool,
        #[serde(default)]
        as_review_organ: bool,
    },
    Complaint {
        received: String,
        summary: String,
        /// The application it is about, if any (one of the agency's tracking numbers); absent, `null` or
        /// blank for none.
        #[serde(default)]
        application: Option<String>,
    },
    Meeting {
        day: String,
        title: String,
    },
    Training {
        day: String,
        title: String,
        trainees: Whole,
    },
    Staff {
        from: String,
        label: String,
        #[serde(default)]
        full_time: bool,
    },
    Funding {
        year: Whole,
        amount_wan_yuan: String,
    },
    Declared {
        year: Whole,
        measure: String,
        value: String,
        source: String,
    },
}

/// Longest free text of a ledger entry (as in the back office).
const MAX_TEXT_CHARS: usize = 500;

fn text<'a>(field: &str, value: &'a str) -> Result<&'a str, ApiError> {
    if gongkai_core::publishing::is_blank(value) || value.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`{field}` must be 1 to {MAX_TEXT_CHARS} characters, not blank"),
        ));
    }
    Ok(value)
}

fn quantity(field: &str, value: &str) -> Result<Quantity, ApiError> {
    let well_formed = {
        let (whole, fraction) = value.split_once('.').unwrap_or((value, "0"));
        (1..=12).contains(&whole.len())
            && (1..=4).contains(&fraction.len())
            && whole.bytes().chain(fraction.bytes()).all(|byte| byte.is_ascii_digit())
    };
    Quantity::parse(value)
        .ok()
        .filter(|_| well_formed)
        .filter(|quantity| quantity.ten_thousandths() >= 0)
        .ok_or_else(|| {
            ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`{field}` must be a number ≥ 0 with at most 4 decimals, as text"),
            )
        })
}

/// `POST /api/v1/agencies/{code}/ledger`: records one ledger entry (a declared figure or the funding replaces
/// the year's earlier value, as in the back office).
pub(crate) async fn ledger(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let input: LedgerInput = json_body(&headers, &body)?;
    let agency = state.agency(&code).await?;
    auth.require(&state, Scope::LedgerWrite, &agency.code, &format!("agency:{}", agency.code))
        .await?;
    let once = Once::new(&auth, key, &format!("ledger:{}", agency.code), &body);
    if let Some(answer) = once.replayed(&state).await? {
        return Ok(answer);
    }
    let today = state.today();
    let day = |field: &str, text: &str| {
        let day = date(field, text)?;
        if day > today {
            return Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("`{field}` is after today (China)"),
            ));
        }
        Ok(day)
    };
    let year_ok = |year: Whole| match year.0.and_then(|year| i32::try_from(year).ok()) {
        Some(year) if (2008..=today.year()).contains(&year) => Ok(year),
        _ => Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("`year` must be 2008 to {}", today.year()),
        )),
    };
    let entry = match &input {
        LedgerInput::Response { day: on, response_kind, topic, head_attended } => {
            let kind = crate::staff::ledger::response_kind(response_kind)
                .ok_or_else(|| bad(format!("unknown `response_kind` `{response_kind}`")))?;
            Entry::Response {
                day: day("day", on)?,
                kind,
                topic: text("topic", topic)?,
                head_attended: *head_attended,
            }
        }
        LedgerInput::Review { filed, application } => Entry::Review {
            filed: day("filed", filed)?,
            application: text("application", application)?,
        },
        LedgerInput::Lawsuit { filed, application, after_review, as_review_organ } => {
            Entry::Lawsuit {
                filed: day("filed", filed)?,
                application: text("application", application)?,
                after_review: *after_review,
                as_review_organ: *as_review_organ,
            }
        }
        LedgerInput::Complaint { received, summary, application } => Entry::Complaint {
            received: day("received", received)?,
            summary: text("summary", summary)?,
            application: match application.as_deref() {
                Some(number) if !gongkai_core::publishing::is_blank(number) => {
                    text("application", number)?
                }
                _ => "",
            },
        },
        LedgerInput::Meeting { day: on, title } => {
            Entry::Meeting { day: day("day", on)?, title: text("title", title)? }
        }
        LedgerInput::Training { day: on, title, trainees } => Entry::Training {
            day: day("day", on)?,
            title: text("title", title)?,
            trainees: trainees
                .0
                .and_then(|trainees| u32::try_from(trainees).ok())
                .ok_or_else(|| bad("`trainees` must be 0 to 4294967295"))?,
        },
        LedgerInput::Staff { from, label, full_time } => Entry::Staff {
            label: text("label", label)?,
            full_time: *full_time,
            from: day("from", from)?,
        },
        LedgerInput::Funding { year, amount_wan_yuan } => Entry::Funding {
            year: year_ok(*year)?,
            amount_wan_yuan: quantity("amount_wan_yuan", amount_wan_yuan)?,
        },
        LedgerInput::Declared { year, measure, value, source } => {
            let year = year_ok(*year)?;
            if !crate::staff::ledger::declarable(year).iter().any(|(known, _)| known == measure) {
                return Err(ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!(
                        "`measure` `{measure}` is not a figure of the {year} report that comes from other systems"
                    ),
                ));
            }
            Entry::Declared {
                year,
                measure,
                value: quantity("value", value)?,
                source: text("source", source)?,
            }
        }
    };
    let mut held = match once.begin(&state).await? {
        Ok(held) => held,
        Err(answer) => return Ok(answer),
    };
    ledger::add_once(&mut held, &agency, &entry, &auth.actor()).await.map_err(|err| match err {
        StoreError::NotFound { what: "application", key } => ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("the agency has no application `{key}`"),
        ),
        StoreError::InvalidData(message) => ApiError(StatusCode::UNPROCESSABLE_ENTITY, message),
        StoreError::Refused(refused) => {
            ApiError(StatusCode::UNPROCESSABLE_ENTITY, refused.to_string())
        }
        other => other.into(),
    })?;
    let written =
        Written { status: StatusCode::CREATED, body: json!({ "recorded": true }), location: None };
    Once::commit(held, written).await
}

/// `GET /api/v1/agencies/{code}/reports/{year}`: the year's annual report as the records say now (the
/// back office's preview), in the JSON of `gongkai report --output json`, with its sign-off state.
pub(crate) async fn report(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path((code, year)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let agency = state.agency(&code).await?;
    let subject = format!("report:{}:{year}", agency.code);
    auth.require(&state, Scope::ReportsRead, &agency.code, &subject).await?;
    let year: i32 = number::<i64>("year", Some(year.as_str()))?
        .and_then(|year| i32::try_from(year).ok())
        .filter(|year| (2008..=2100).contains(year))
        .ok_or_else(|| bad("the report year must be 2008 to 2100"))?;
    let workflow = gongkai_store::reports::workflow(state.store(), &agency.code, year).await?;
    let report = crate::staff::reports::build(&state, &agency, year, workflow.as_ref())
        .await
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()))?;
    let rendered =
        gongkai_render::render(&report, gongkai_render::Output::Json).map_err(|err| {
            tracing::error!(error = %err, "rendering a report as JSON failed");
            ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
        })?;
    let mut document: serde_json::Value = serde_json::from_slice(&rendered)
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()))?;
    if let Some(object) = document.as_object_mut() {
        let stage = workflow.as_ref().map_or("draft", |workflow| workflow.state.code());
        object.insert("sign_off_state".to_owned(), json!(stage));
    }
    auth.record_read(&state, "api.report.read", &subject, None).await?;
    Ok(Json(document).into_response())
}
