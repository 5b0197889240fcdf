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

/// A sent letter on the status page: `(id, name, format, sent on)`.
pub(crate) type LetterLink = (i64, String, &'static str, String);

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
    /// What the applicant's last action did, or why it was refused: (is an error, text).
    message: Option<(bool, String)>,
    /// Whether the case is open (the applicant may still act on it).
    open: bool,
    /// Whether a 补正 is awaited (the form to send it is shown).
    awaiting_supplement: bool,
    delivery_form: String,
    delivery_forms: &'static [&'static str],
    transferred_from: Option<String>,
    transferred_to: Option<String>,
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
    match verified(&state, client, &headers, &number, code).await? {
        Ok(()) => status_page(&state, &headers, &number, code, None).await,
        Err(answer) => Ok(answer),
    }
}

/// The message for a number or code that does not match.
const WRONG: &str = "查询号或查询码不正确，请核对后重新输入。";

/// Checks a posted number and code, counting a wrong code against the number and the client's network
/// (`guard`): `Err` with the page to answer when they do not match or the guesser is held.
async fn verified(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    number: &str,
    code: &str,
) -> Result<Result<(), Response>, PageError> {
    // A field left empty is asked for (and counts as no guess).
    let missing = match (number.is_empty(), code.is_empty()) {
        (true, true) => Some("请填写查询号和查询码。"),
        (true, false) => Some("请填写查询号（提交申请时给出，如YSQ2026000001）。"),
        (false, true) => Some("请填写查询码（提交申请时与查询号一同给出的6位数字）。"),
        (false, false) => None,
    };
    if let Some(message) = missing {
        return Ok(Err(track_page(headers, number, Some(message), StatusCode::OK)?));
    }
    if !plausible(number, code) {
        return Ok(Err(track_page(headers, number, Some(WRONG), StatusCode::OK)?));
    }
    let check = async {
        Ok(gongkai_store::applications::verify_code(state.store(), number, code)
            .await?
            .then_some(()))
    };
    Ok(match guard::check_code(state, "code", number, client, check).await? {
        Guarded::Found(()) => Ok(()),
        Guarded::Wrong => Err(track_page(headers, number, Some(WRONG), StatusCode::OK)?),
        Guarded::Throttled(wait) => Err(guard::throttled(wait)),
    })
}

/// The status page of `number` (its code already checked), with the message of the applicant's last action.
async fn status_page(
    state: &AppState,
    headers: &HeaderMap,
    number: &str,
    code: &str,
    message: Option<(bool, String)>,
) -> Result<Response, PageError> {
    let status = gongkai_store::applications::public_status(state.store(), number, code)
        .await?
        .ok_or(PageError::NotFound)?;
    let letters: Vec<LetterLink> =
        gongkai_store::letters::sent_to_applicant(state.store(), number, code)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|letter| {
                let format = if letter.media_type.contains("pdf") { "PDF" } else { "Word" };
                (letter.id, letter.title, format, letter.sent_on)
            })
            .collect();
    let (csrf, cookie) = csrf::issue(headers)?;
    let open = status.outcome.is_none();
    let application =
        Application { intake: status.intake, regime: status.regime, events: status.events };
    let report = clock::evaluate(&application, &state.calendar(), state.today());
    let mut page = StatusPage {
        csrf,
        code: code.to_owned(),
        letters,
        tracking_number: status.tracking_number,
        agency_name: status.agency_name,
        regime: String::new(),
        received: application.intake.submitted.to_string(),
        state: "办理中".to_owned(),
        due: None,
        provisional: false,
        provisional_note: String::new(),
        steps: Vec::new(),
        message,
        open,
        awaiting_supplement: false,
        delivery_form: status.delivery_form,
        delivery_forms: &crate::apply::DELIVERY_FORMS,
        transferred_from: status.transferred_from,
        transferred_to: status.transferred_to,
    };
    match report {
        Ok(report) => {
            page.regime = report.regime.title().to_owned();
            page.received = report.received.to_string();
            page.state = if status.withdrawn {
                "已撤回（终止办理）".to_owned()
            } else {
                report.state.label().to_owned()
            };
            page.due = report.due.map(|due| due.to_string());
            page.provisional = report.provisional;
            page.provisional_note = provisional_note(&report.provisional_years);
            page.awaiting_supplement = open && report.state == clock::State::AwaitingSupplement;
            page.steps = report
                .trace
                .iter()
                .map(|step| match step.kind {
                    // A withdrawal ends the case as its reply; the trace says what it was.
                    clock::StepKind::Replied if status.withdrawn => TraceStep {
                        date: step.date.to_string(),
                        text: format!("{}申请人撤回申请，终止办理", step.date),
                        citation: String::new(),
                    },
                    _ => TraceStep {
                        date: step.date.to_string(),
                        text: step.text.clone(),
                        citation: step.citation.clone(),
                    },
                })
                .collect();
        }
        // Records the clock cannot read are a staff matter; the applicant sees the stage as received.
        Err(err) => tracing::warn!(error = %err, "reply clock refused an application's events"),
    }
    let mut response = Html(page.render()?).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(csrf::with_cookie(response, cookie))
}

/// The number and code every applicant action posts, with its own fields.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ActionForm {
    csrf: String,
    tracking_number: String,
    code: String,
    /// The 补正's text.
    note: String,
    /// The withdrawal's confirmation.
    confirm: String,
    delivery_form: String,
}

/// The applicant's 补正 with its files (multipart).
pub(crate) struct SupplementSubmission {
    form: ActionForm,
    files: Vec<(String, Vec<u8>)>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for SupplementSubmission {
    type Rejection = PageError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, PageError> {
        let (form, files) =
            crate::apply::form_with_files(request, state, |form: &mut ActionForm, name| {
                Some(match name {
                    "csrf" => &mut form.csrf,
                    "tracking_number" => &mut form.tracking_number,
                    "code" => &mut form.code,
                    "note" => &mut form.note,
                    _ => return None,
                })
            })
            .await?;
        Ok(SupplementSubmission { form, files })
    }
}

/// The case and its agency, for an applicant's action.
async fn case_of(
    state: &AppState,
    number: &str,
) -> Result<(gongkai_store::handling::Case, gongkai_store::agencies::AgencyRow), PageError> {
    let case = gongkai_store::handling::case(state.store(), number).await?;
    let agency = state.agency(&case.agency_code).await?;
    Ok((case, agency))
}

/// Records what the applicant did (`applied`, with `files`) and answers with the status page and its
/// message; a refusal or a case that moved meanwhile answers with the reason and records nothing.
async fn act(
    state: &AppState,
    headers: &HeaderMap,
    client: std::net::IpAddr,
    form: &ActionForm,
    files: &[(String, Vec<u8>)],
    decide: impl FnOnce(
        &gongkai_core::handling::Situation<'_>,
    ) -> Result<gongkai_core::handling::Applied, String>,
    done: &str,
) -> Result<Response, PageError> {
    csrf::check(headers, &form.csrf)?;
    let number = form.tracking_number.trim().to_uppercase();
    let code = form.code.trim();
    if let Err(answer) = verified(state, client, headers, &number, code).await? {
        return Ok(answer);
    }
    let refused = |text: String| Some((true, text));
    let (case, agency) = case_of(state, &number).await?;
    let application = case.clock_application();
    let calendar = state.calendar();
    let situation = gongkai_core::handling::Situation::new(
        &application,
        &calendar,
        state.today(),
        case.outcome,
        case.pending_extension(),
    );
    let applied =
        match situation.map_err(|err| err.in_chinese()).and_then(|situation| decide(&situation)) {
            Ok(applied) => applied,
            Err(text) => return status_page(state, headers, &number, code, refused(text)).await,
        };
    // The applicant's own letter names them in full (they are its addressee).
    let applicant =
        gongkai_store::applications::applicant_for(state.store(), &number, |_| true).await?.name;
    let network = crate::client::network_key(client);
    let uploaded = crate::staff::cases::Uploaded { files, network: &network };
    let address = client.to_string();
    let actor = gongkai_store::Actor::new("applicant", &address);
    let recorded = crate::staff::cases::record_applied(
        state, &case, &agency, &applied, &applicant, uploaded, &actor,
    )
    .await?;
    let message = match recorded {
        Ok(_) => Some((false, done.to_owned())),
        Err(gongkai_store::StoreError::Conflict { .. }) => refused(
            "承办机关刚刚更新了该申请，您的操作未保存。请查看最新进度后重新提交。".to_owned(),
        ),
        Err(gongkai_store::StoreError::Quota(_)) => {
            refused("今日上传的附件已达上限，请明日再提交附件。".to_owned())
        }
        Err(err) => return Err(err.into()),
    };
    status_page(state, headers, &number, code, message).await
}

/// The applicant sends the 补正 online (text and up to three files): the supplement has arrived today.
pub(crate) async fn supplement(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    SupplementSubmission { form, files }: SupplementSubmission,
) -> Result<Response, PageError> {
    let note = form.note.trim().to_owned();
    let file_error = crate::apply::check_files(&files).map(|error| error.message);
    let decide = |situation: &gongkai_core::handling::Situation<'_>| {
        if let Some(error) = file_error {
            return Err(error);
        }
        if note.is_empty() && files.is_empty() {
            return Err("请填写补正内容或上传补正材料。".to_owned());
        }
        if note.chars().count() > 2000 || crate::apply::has_control(&note, true) {
            return Err("补正内容不超过2000字，且不能包含控制字符。".to_owned());
        }
        let names: Vec<String> = files
            .iter()
            .filter_map(|(name, _)| gongkai_store::catalog::attachment_name(name).ok())
            .collect();
        gongkai_core::handling::supplement_sent(situation, &note, &names)
            .map_err(|refusal| refusal.in_chinese())
    };
    let done = "补正材料已提交。答复期限自今日起重新计算，请留意办理进度。";
    act(&state, &headers, client, &form, &files, decide, done).await
}

/// The applicant withdraws the application (confirmed on the form): the case closes with its letter.
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    let confirmed = form.confirm == "yes";
    let decide = |situation: &gongkai_core::handling::Situation<'_>| {
        if !confirmed {
            return Err("请勾选确认撤回申请。".to_owned());
        }
        gongkai_core::handling::withdraw(situation)
            .map_err(|_| "该申请已办结（或因逾期未补正、未缴费视为放弃），不能撤回。".to_owned())
    };
    let done = "您的申请已撤回，本机关终止办理。终止办理告知书见下方文书。";
    act(&state, &headers, client, &form, &[], decide, done).await
}

/// The applicant chooses how to receive the reply.
pub(crate) async fn delivery(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    PageForm(form): PageForm<ActionForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let number = form.tracking_number.trim().to_uppercase();
    let code = form.code.trim();
    if let Err(answer) = verified(&state, client, &headers, &number, code).await? {
        return Ok(answer);
    }
    let chosen = form.delivery_form.trim();
    let message = if !crate::apply::DELIVERY_FORMS.contains(&chosen) {
        (true, "请选择获取信息的方式。".to_owned())
    } else {
        let applicant =
            gongkai_store::applications::applicant_for(state.store(), &number, |_| true).await?;
        if chosen == "电子邮件" && !gongkai_core::notices::is_email(&applicant.email) {
            (true, "您申请时未留有效的电子邮箱，无法选择电子邮件方式；请联系承办机关。".to_owned())
        } else {
            let address = client.to_string();
            let actor = gongkai_store::Actor::new("applicant", &address);
            match gongkai_store::applications::choose_delivery(
                state.store(),
                &number,
                code,
                chosen,
                &actor,
            )
            .await?
            {
                Some(()) => (false, format!("获取信息的方式已改为：{chosen}。")),
                None => (true, "该申请已办结，不能再更改获取方式。".to_owned()),
            }
        }
    };
    status_page(&state, &headers, &number, code, Some(message)).await
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
    let name = format!("{number}{}.{extension}", letter.title);
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
    format!(
        "{}节假日安排尚未公布，暂按法定节假日和周末计算（调休未计入），公布后自动更新",
        years.join("、")
    )
}
