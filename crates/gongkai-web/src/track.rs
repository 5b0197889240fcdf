//! Tracking an application with its number and verification code: the stage, the due date and the reply
//! clock's trace, never the applicant's identity. A wrong code and an unknown number get the same answer.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::clock::{self, Application};
use serde::Deserialize;

use crate::client::ClientAddress;
use crate::error::PageForm;
use crate::guard::{self, Guarded};
use crate::{AppState, PageError, csrf};

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    csrf: &'a str,
    tracking_number: &'a str,
    message: Option<&'a str>,
}

pub(crate) struct TraceStep {
    pub(crate) date: String,
    pub(crate) text: String,
    pub(crate) citation: String,
}

/// A sent letter on the status page: `(id, name, sent on)`.
pub(crate) type LetterLink = (i64, &'static str, String);

#[derive(Template)]
#[template(path = "status.html")]
struct StatusPage {
    csrf: String,
    code: String,
    letters: Vec<LetterLink>,
    tracking_number: String,
    agency_name: String,
    regime: String,
    received: String,
    state: String,
    due: Option<String>,
    provisional: bool,
    provisional_note: String,
    steps: Vec<TraceStep>,
}

fn track_page(
    headers: &HeaderMap,
    tracking_number: &str,
    message: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let body = TrackPage { csrf: &token, tracking_number, message }.render()?;
    Ok(csrf::with_cookie((status, Html(body)).into_response(), cookie))
}

pub(crate) async fn form(headers: HeaderMap) -> Result<Response, PageError> {
    track_page(&headers, "", None, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct TrackForm {
    csrf: String,
    tracking_number: String,
    code: String,
}

/// Whether a number and code are worth looking up: numbers are at most 32 characters, codes 16.
fn plausible(number: &str, code: &str) -> bool {
    !number.is_empty() && number.len() <= 32 && !code.is_empty() && code.len() <= 16
}

pub(crate) async fn lookup(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<TrackForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let number = form.tracking_number.trim().to_uppercase();
    let code = form.code.trim();
    let wrong = "查询号或查询码不正确，请核对后重新输入。";
    if !plausible(&number, code) {
        return track_page(&headers, &number, Some(wrong), StatusCode::OK);
    }
    let found = guard::check_code(
        &state,
        "code",
        &number,
        client,
        gongkai_store::applications::public_status(state.store(), &number, code),
    )
    .await?;
    let status = match found {
        Guarded::Found(status) => status,
        Guarded::Wrong => return track_page(&headers, &number, Some(wrong), StatusCode::OK),
        Guarded::Throttled(wait) => return Ok(guard::throttled(wait)),
    };
    let letters: Vec<LetterLink> =
        gongkai_store::letters::sent_to_applicant(state.store(), &number, code)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|letter| (letter.id, letter.kind.label(), letter.sent_on))
            .collect();
    let (csrf, cookie) = csrf::issue(&headers)?;
    let application =
        Application { intake: status.intake, regime: status.regime, events: status.events };
    let report = clock::evaluate(&application, &state.calendar(), state.today());
    let page = match report {
        Ok(report) => StatusPage {
            csrf: csrf.clone(),
            code: code.to_owned(),
            letters: letters.clone(),
            tracking_number: status.tracking_number,
            agency_name: status.agency_name,
            regime: report.regime.title().to_owned(),
            received: report.received.to_string(),
            state: report.state.label().to_owned(),
            due: report.due.map(|due| due.to_string()),
            provisional: report.provisional,
            provisional_note: provisional_note(&report.provisional_years),
            steps: report
                .trace
                .iter()
                .map(|step| TraceStep {
                    date: step.date.to_string(),
                    text: step.text.clone(),
                    citation: step.citation.clone(),
                })
                .collect(),
        },
        Err(err) => {
            // Records the clock cannot read are a staff matter; the applicant sees the stage as received.
            tracing::warn!(error = %err, "reply clock refused an application's events");
            StatusPage {
                csrf: csrf.clone(),
                code: code.to_owned(),
                letters: letters.clone(),
                tracking_number: status.tracking_number,
                agency_name: status.agency_name,
                regime: String::new(),
                received: application.intake.submitted.to_string(),
                state: "办理中".to_owned(),
                due: None,
                provisional: false,
                provisional_note: String::new(),
                steps: Vec::new(),
            }
        }
    };
    let mut response = Html(page.render()?).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(csrf::with_cookie(response, cookie))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LetterForm {
    csrf: String,
    tracking_number: String,
    code: String,
    letter: String,
}

/// A sent letter's file, for the applicant (number, code and letter id posted from the status page).
pub(crate) async fn letter(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<LetterForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let number = form.tracking_number.trim().to_uppercase();
    let code = form.code.trim();
    let id: i64 = form.letter.trim().parse().map_err(|_| PageError::NotFound)?;
    if !plausible(&number, code) {
        return Err(PageError::NotFound);
    }
    // The code is checked (and a wrong one counted) before the letter is looked for.
    let verified = async {
        Ok(gongkai_store::applications::verify_code(state.store(), &number, code)
            .await?
            .then_some(()))
    };
    match guard::check_code(&state, "code", &number, client, verified).await? {
        Guarded::Found(()) => {}
        Guarded::Wrong => return Err(PageError::NotFound),
        Guarded::Throttled(wait) => return Ok(guard::throttled(wait)),
    }
    let (letter, data) = gongkai_store::letters::applicant_copy(state.store(), &number, code, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let extension = match letter.media_type.as_str() {
        "application/pdf" => "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        _ => "bin",
    };
    let name = format!("{number}{}.{extension}", letter.kind.label());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                header::HeaderValue::from_str(&letter.media_type)
                    .map_err(|_| PageError::NotFound)?,
            ),
            (header::CONTENT_DISPOSITION, crate::portal::disposition("attachment", &name)),
            (header::CACHE_CONTROL, header::HeaderValue::from_static("no-store")),
        ],
        data,
    )
        .into_response())
}

/// The note next to a provisional due date.
pub(crate) fn provisional_note(years: &[i32]) -> String {
    let years: Vec<String> = years.iter().map(|year| format!("{year}年")).collect();
    format!("{}节假日安排尚未公布，暂按周末计算，公布后自动更新", years.join("、"))
}
