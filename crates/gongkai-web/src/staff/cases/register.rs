//! Registering an application that arrived in person, by post, by letter, by fax or online.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use gongkai_core::clock::{self};
use gongkai_core::regime::{Channel, Intake, ReceiptError};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications::{self, NewApplication};
use serde::Deserialize;
use time::Date;

use super::no_store;
use crate::apply::{self, ApplicationForm};
use crate::error::PageForm;
use crate::staff::{Need, Staff, parse_date};
use crate::{AppState, PageError, csrf};

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct RegisterForm {
    #[serde(flatten)]
    applicant: ApplicationForm,
    channel: String,
    submitted: String,
    signed_for: String,
    confirmed: String,
}

#[derive(Template)]
#[template(path = "staff/register.html")]
struct RegisterPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    once: &'a str,
    agency: &'a AgencyRow,
    form: &'a RegisterForm,
    errors: &'a [(&'static str, String)],
    channels: Vec<(&'static str, &'static str)>,
    applicant_types: &'static [(&'static str, &'static str)],
    id_types: &'static [&'static str],
    delivery_forms: &'static [&'static str],
}

impl RegisterPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(name, _)| *name == field).map(|(_, message)| message.as_str())
    }
}

fn register_page(
    headers: &HeaderMap,
    staff: &Staff,
    agency: &AgencyRow,
    form: &RegisterForm,
    errors: &[(&'static str, String)],
) -> Result<Response, PageError> {
    let (token, cookie) = csrf::issue(headers)?;
    let once = crate::once::token(&form.applicant.once)?;
    let page = RegisterPage {
        staff,
        csrf: &token,
        once: &once,
        agency,
        form,
        errors,
        channels: Channel::ALL.iter().map(|channel| (channel.code(), channel.label())).collect(),
        applicant_types: &apply::APPLICANT_TYPES,
        id_types: &apply::ID_TYPES,
        delivery_forms: &apply::DELIVERY_FORMS,
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(no_store(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie)))
}

pub(crate) async fn register_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let form = RegisterForm {
        applicant: ApplicationForm {
            applicant_type: "natural".to_owned(),
            ..ApplicationForm::default()
        },
        channel: "letter".to_owned(),
        submitted: state.today().to_string(),
        ..RegisterForm::default()
    };
    register_page(&headers, &staff, &agency, &form, &[])
}

#[derive(Template)]
#[template(path = "staff/registered.html")]
struct RegisteredPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    tracking_number: &'a str,
    verification_code: &'a str,
    received: String,
    due: String,
}

/// The intake of a registered application, or the message for the field at fault.
fn register_intake(
    form: &RegisterForm,
    today: Date,
) -> Result<Intake, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    let channel = form.channel.parse::<Channel>().ok();
    if channel.is_none() {
        errors.push(("channel", "请选择申请方式。".to_owned()));
    }
    let mut date = |field: &'static str, text: &str, required: bool| -> Option<Date> {
        if text.trim().is_empty() {
            if required {
                errors.push((field, "请填写日期（格式：2026-11-27）。".to_owned()));
            }
            return None;
        }
        match parse_date(text) {
            Some(date) if date > today => {
                errors.push((field, "日期不能晚于今天。".to_owned()));
                None
            }
            Some(date) => Some(date),
            None => {
                errors.push((field, "日期格式不正确，请按 2026-11-27 的格式填写。".to_owned()));
                None
            }
        }
    };
    let submitted = date("submitted", &form.submitted, true);
    let signed_for = date("signed_for", &form.signed_for, channel == Some(Channel::Post));
    let confirmed = date(
        "confirmed",
        &form.confirmed,
        matches!(channel, Some(Channel::Letter | Channel::Fax | Channel::Online)),
    );
    match (channel, submitted) {
        (Some(channel), Some(submitted)) if errors.is_empty() => {
            let intake = Intake {
                channel,
                submitted,
                signed_for: if channel == Channel::Post { signed_for } else { None },
                confirmed: if matches!(channel, Channel::Letter | Channel::Fax | Channel::Online) {
                    confirmed
                } else {
                    None
                },
            };
            match intake.check() {
                Ok(_) => Ok(intake),
                Err(ReceiptError::BeforeSubmission { what, .. }) => {
                    let field = if what.contains("sign") { "signed_for" } else { "confirmed" };
                    Err(vec![(field, "该日期不能早于提交（寄出）日期。".to_owned())])
                }
                Err(ReceiptError::Missing { .. }) => {
                    Err(vec![("confirmed", "请填写收到申请的确认日期。".to_owned())])
                }
            }
        }
        _ => Err(errors),
    }
}

pub(crate) async fn register(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<RegisterForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.applicant.csrf)?;
    let agency = staff.agency(&state, &code, Need::Handle).await?;
    let today = state.today();
    let applicant = apply::validate(&form.applicant);
    let intake = register_intake(&form, today);
    let (applicant, intake) = match (applicant, intake) {
        (Ok(applicant), Ok(intake)) => (applicant, intake),
        (applicant, intake) => {
            let mut errors: Vec<(&'static str, String)> = applicant
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|error| (error.field, error.message))
                .collect();
            errors.extend(intake.err().unwrap_or_default());
            return register_page(&headers, &staff, &agency, &form, &errors);
        }
    };
    let clock = clock::evaluate(
        &clock::Application { intake: intake.clone(), regime: None, events: Vec::new() },
        &state.calendar(),
        today,
    );
    let report = match clock {
        Ok(report) => report,
        Err(err) => {
            let errors = [("submitted", err.in_chinese())];
            return register_page(&headers, &staff, &agency, &form, &errors);
        }
    };
    let form_applicant = &form.applicant;
    let application = NewApplication {
        applicant,
        name: form_applicant.name.trim(),
        id_type: form_applicant.id_type.trim(),
        id_number: &form_applicant.id_number.trim().to_uppercase(),
        phone: form_applicant.phone.trim(),
        address: form_applicant.address.trim(),
        email: form_applicant.email.trim(),
        description: form_applicant.description.trim(),
        delivery_form: form_applicant.delivery_form.trim(),
        intake,
    };
    let registered = |tracking_number: &str, verification_code: &str| {
        let (token, cookie) = csrf::issue(&headers)?;
        let page = RegisteredPage {
            staff: &staff,
            csrf: &token,
            agency: &agency,
            tracking_number,
            verification_code,
            received: report.received.to_string(),
            due: report.due.map(|due| due.to_string()).unwrap_or_default(),
        };
        Ok::<_, PageError>(no_store(csrf::with_cookie(
            Html(page.render()?).into_response(),
            cookie,
        )))
    };
    let token = match crate::once::begin(
        &state,
        &form.applicant.once,
        "registration",
        &form.applicant.csrf,
    )
    .await?
    {
        Ok(crate::once::Begin::Act(token)) => token,
        // The same form again (a reload of the receipt): the application it registered, not another.
        Ok(crate::once::Begin::Replay { result, secret }) => {
            return registered(&result, secret.as_deref().unwrap_or_default());
        }
        Err(pending) => return Ok(pending),
    };
    let actor = staff.actor();
    let receipt =
        match applications::intake(state.store(), &agency.code, &application, &actor).await {
            Ok(receipt) => {
                state.counters().received("staff");
                receipt
            }
            Err(err) => {
                crate::once::failed(&state, &token).await;
                return Err(err.into());
            }
        };
    crate::once::done(&state, &token, &receipt.tracking_number, Some(&receipt.verification_code))
        .await?;
    applications::assign(state.store(), &receipt.tracking_number, &staff.username, &actor).await?;
    registered(&receipt.tracking_number, &receipt.verification_code)
}
