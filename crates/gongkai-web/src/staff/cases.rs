//! Handling applications: the staff home, an agency's dashboard and case list, registering applications
//! that arrive in person, by post, by letter, by fax or online, the case page (timeline, the clock's trace,
//! letters) and every handling step, each checked by the reply clock before it is recorded.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, ClockError, ClockReport, Event, Party, State as ClockState};
use gongkai_core::fee;
use gongkai_core::letters::{self, CaseFacts, Letter, ReplyFacts};
use gongkai_core::regime::{Channel, Intake, ReceiptError, Regime};
use gongkai_core::report::records::{
    NonProcessing, OtherHandling, Outcome, Unavailability, Withholding,
};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications::{self, NewApplication};
use gongkai_store::handling::{self, Case, Filter, NewStep};
use gongkai_store::{StoreError, letters as stored_letters};
use serde::Deserialize;
use time::Date;

use super::{CsrfForm, Need, Staff, parse_date, role_label};
use crate::apply::{self, ApplicationForm};
use crate::error::PageForm;
use crate::{AppState, PageError, csrf};

/// Cases listed on one page at most (a dashboard shows every open case of the agency).
const MAX_LISTED: i64 = 5_000;
/// Rows of the dashboard's list of all open cases (the groups above it count every case).
const OPEN_SHOWN: usize = 500;
/// "Due soon": within this many working days.
const DUE_SOON_WORKING_DAYS: u32 = 3;

pub(crate) fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

// ---------------------------------------------------------------------------------------------------------
// Home and dashboard

#[derive(Template)]
#[template(path = "staff/home.html")]
struct HomePage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agencies: Vec<(&'a AgencyRow, Vec<&'static str>)>,
}

pub(crate) async fn home(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let all = state.agencies().await?;
    let readable = staff.readable(&all);
    if readable.len() == 1 && !staff.is_platform_admin() {
        return Ok(Redirect::to(&format!("/staff/agencies/{}", readable[0].code)).into_response());
    }
    let agencies = readable
        .into_iter()
        .map(|agency| {
            let roles = staff
                .roles
                .iter()
                .filter(|(code, _)| code.as_deref() == Some(agency.code.as_str()))
                .map(|(_, role)| role_label(role))
                .collect();
            (agency, roles)
        })
        .collect();
    let (token, cookie) = csrf::issue(&headers)?;
    let page = HomePage { staff: &staff, csrf: &token, agencies };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}

/// One row of a case list.
pub(crate) struct CaseLine {
    tracking_number: String,
    received: String,
    channel: &'static str,
    subject: String,
    state: String,
    due: String,
    handler: String,
    note: String,
}

fn subject_line(description: &str) -> String {
    let line = description.lines().next().unwrap_or_default().trim();
    let mut out: String = line.chars().take(40).collect();
    if line.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn case_line(case: &Case, report: Result<&ClockReport, &ClockError>, note: &str) -> CaseLine {
    let (received, state, due) = match report {
        Ok(report) => (
            report.received.to_string(),
            report.state.label().to_owned(),
            report
                .due
                .map(|due| format!("{due}{}", if report.provisional { "（暂定）" } else { "" }))
                .unwrap_or_default(),
        ),
        Err(_) => (case.intake.submitted.to_string(), "记录有误，请核对".to_owned(), String::new()),
    };
    CaseLine {
        tracking_number: case.tracking_number.clone(),
        received,
        channel: case.intake.channel.label(),
        subject: subject_line(&case.description),
        state,
        due,
        handler: case.handler.clone().unwrap_or_else(|| "未分配".to_owned()),
        note: note.to_owned(),
    }
}

/// Whether the newest extension step is a request nobody decided yet.
fn extension_pending(case: &Case) -> Option<&handling::Step> {
    let last = case.steps.iter().rev().find(|step| {
        matches!(
            step.event,
            Event::ExtensionRequested { .. }
                | Event::ExtensionApproved { .. }
                | Event::ExtensionRefused { .. }
        )
    })?;
    matches!(last.event, Event::ExtensionRequested { .. }).then_some(last)
}

#[derive(Template)]
#[template(path = "staff/dashboard.html")]
struct DashboardPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    can_handle: bool,
    can_supervise: bool,
    can_administer: bool,
    today: String,
    groups: Arc<Groups>,
    months: Vec<(u8, i64)>,
    month_max: i64,
    reminder: Option<String>,
    year: i32,
    year_total: i64,
}

/// The dashboard's case lists of one agency on one day.
#[derive(Default)]
pub(crate) struct Groups {
    overdue: Vec<CaseLine>,
    due_soon: Vec<CaseLine>,
    approval: Vec<CaseLine>,
    applicant: Vec<CaseLine>,
    lapsed: Vec<CaseLine>,
    /// The newest [`OPEN_SHOWN`] open cases.
    open: Vec<CaseLine>,
    open_total: usize,
}

/// What the dashboard's lists depend on: the agency, the database as of a length of the audit log (every
/// change is audited in its own transaction, so the lists stay right while it is unchanged), the day, and
/// the calendar in use.
pub(crate) type GroupsKey = (i64, i64, Date, usize);

/// Every open case of the agency sorted into the dashboard's lists by the reply clock, as of `today`.
async fn groups(state: &AppState, agency_id: i64, today: Date) -> Result<Arc<Groups>, PageError> {
    let calendar = state.calendar();
    let marker = gongkai_store::audit::entries(state.store()).await?;
    let key: GroupsKey = (agency_id, marker, today, Arc::as_ptr(&calendar) as usize);
    if let Some(groups) = state.dashboards().get(&key) {
        return Ok(groups);
    }
    // One computation at a time: requests that arrive meanwhile wait for it and reuse it.
    let _computing = state.dashboards_computing().lock().await;
    if let Some(groups) = state.dashboards().get(&key) {
        return Ok(groups);
    }
    let open = handling::cases(state.store(), agency_id, Filter::Open, i64::MAX).await?;
    let soon_limit = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS).ok();
    let mut groups = Groups::default();
    for case in &open {
        let report = clock::evaluate(&case.clock_application(), &calendar, today);
        let line = |note: &str| case_line(case, report.as_ref(), note);
        if let Ok(report) = &report {
            match report.state {
                ClockState::Overdue => groups.overdue.push(line("")),
                ClockState::InProgress
                    if report.due.zip(soon_limit).is_some_and(|(due, limit)| due <= limit) =>
                {
                    groups.due_soon.push(line(""))
                }
                ClockState::AwaitingSupplement => groups.applicant.push(line("等待补正")),
                ClockState::AwaitingPayment => groups.applicant.push(line("等待缴费")),
                ClockState::Lapsed(_) => groups.lapsed.push(line("待办结")),
                _ => {}
            }
        }
        if let Some(step) = extension_pending(case) {
            groups.approval.push(line(&format!("{} 申请延期", step.recorded_by)));
        }
        if groups.open.len() < OPEN_SHOWN {
            groups.open.push(line(""));
        }
    }
    groups.open_total = open.len();
    let groups = Arc::new(groups);
    state.dashboards().put(key, Arc::clone(&groups));
    Ok(groups)
}

pub(crate) async fn dashboard(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let today = state.today();
    // Every open case is counted (the groups must be complete); the open list shows the newest ones.
    let groups = groups(&state, agency.id, today).await?;
    let months = applications::monthly_intake(state.store(), agency.id, today.year()).await?;
    let agencies = state.agencies().await?;
    let (token, cookie) = csrf::issue(&headers)?;
    let page = DashboardPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        can_handle: staff.may(&agency.code, &agencies, Need::Handle),
        can_supervise: staff.may(&agency.code, &agencies, Need::Supervise),
        can_administer: staff.may(&agency.code, &agencies, Need::Administer),
        today: today.to_string(),
        groups,
        year_total: months.iter().sum(),
        month_max: months.iter().copied().max().unwrap_or(0).max(1),
        months: (1..=12u8).zip(months).collect(),
        reminder: super::reports::reminder(&state, &agency).await?,
        year: today.year(),
    };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    year: i32,
    years: Vec<i32>,
    cases: Vec<CaseLine>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct YearQuery {
    year: String,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let agency = staff.agency(&state, &code, Need::Read).await?;
    let today = state.today();
    let year = query.year.parse::<i32>().ok().filter(|year| (2008..=today.year()).contains(year));
    let year = year.unwrap_or(today.year());
    let calendar = state.calendar();
    let cases = handling::cases(state.store(), agency.id, Filter::Year(year), MAX_LISTED).await?;
    let lines = cases
        .iter()
        .map(|case| {
            let report = clock::evaluate(&case.clock_application(), &calendar, today);
            let outcome = case.outcome.map(|outcome| outcome.label()).unwrap_or_default();
            case_line(case, report.as_ref(), outcome)
        })
        .collect();
    let (token, cookie) = csrf::issue(&headers)?;
    let page = ListPage {
        staff: &staff,
        csrf: &token,
        agency: &agency,
        year,
        years: (2008..=today.year()).rev().collect(),
        cases: lines,
    };
    Ok(no_store(csrf::with_cookie(Html(page.render()?).into_response(), cookie)))
}

// ---------------------------------------------------------------------------------------------------------
// Registering an application

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
            match gongkai_core::regime::receipt_date(&intake, Regime::Ordinance2019) {
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
            let errors = [("submitted", clock_error_text(&err))];
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
            Ok(receipt) => receipt,
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

// ---------------------------------------------------------------------------------------------------------
// The case page

/// The reply categories offered, by regime: (code, label, outcome).
fn outcome_options(regime: Regime) -> Vec<(&'static str, &'static str, Outcome)> {
    let mut options = vec![
        (
            "already_published",
            "予以公开：所申请信息已经主动公开（第三十六条第一项）",
            Outcome::AlreadyPublished,
        ),
        ("disclosed", "予以公开（第三十六条第二项）", Outcome::Disclosed),
        ("partial", "部分公开（第三十七条）", Outcome::PartiallyDisclosed),
        (
            "withheld.state_secret",
            "不予公开：属于国家秘密",
            Outcome::Withheld(Withholding::StateSecret),
        ),
        (
            "withheld.forbidden_by_law",
            "不予公开：其他法律行政法规禁止公开",
            Outcome::Withheld(Withholding::ForbiddenByLaw),
        ),
        (
            "withheld.security",
            "不予公开：危及“三安全一稳定”",
            Outcome::Withheld(Withholding::Security),
        ),
        (
            "withheld.trade_secret",
            "不予公开：保护第三方合法权益（商业秘密）",
            Outcome::Withheld(Withholding::ThirdPartyTradeSecret),
        ),
        (
            "withheld.privacy",
            "不予公开：保护第三方合法权益（个人隐私）",
            Outcome::Withheld(Withholding::ThirdPartyPrivacy),
        ),
        (
            "withheld.third_party",
            "不予公开：保护第三方合法权益（其他）",
            Outcome::Withheld(Withholding::ThirdPartyOther),
        ),
        (
            "withheld.internal",
            "不予公开：属于三类内部事务信息",
            Outcome::Withheld(Withholding::Internal),
        ),
        (
            "withheld.deliberative",
            "不予公开：属于四类过程性信息",
            Outcome::Withheld(Withholding::Deliberative),
        ),
        (
            "withheld.enforcement_file",
            "不予公开：属于行政执法案卷",
            Outcome::Withheld(Withholding::EnforcementFile),
        ),
        (
            "withheld.administrative_query",
            "不予公开：属于行政查询事项",
            Outcome::Withheld(Withholding::AdministrativeQuery),
        ),
        (
            "unavailable.not_held",
            "无法提供：本机关不掌握相关政府信息",
            Outcome::Unavailable(Unavailability::NotHeld),
        ),
        (
            "unavailable.needs_creation",
            "无法提供：没有现成信息需要另行制作",
            Outcome::Unavailable(Unavailability::NeedsCreation),
        ),
        (
            "unavailable.still_unclear",
            "无法提供：补正后申请内容仍不明确",
            Outcome::Unavailable(Unavailability::StillUnclear),
        ),
        ("not_this_agency", "不属于本机关负责公开（告知负责机关）", Outcome::NotThisAgency),
        (
            "not_processed.petition",
            "不予处理：信访举报投诉类申请",
            Outcome::NotProcessed(NonProcessing::Petition),
        ),
        (
            "not_processed.repeat",
            "不予处理：重复申请",
            Outcome::NotProcessed(NonProcessing::Repeat),
        ),
        (
            "not_processed.publication",
            "不予处理：要求提供公开出版物",
            Outcome::NotProcessed(NonProcessing::Publication),
        ),
        (
            "not_processed.excessive",
            "不予处理：无正当理由大量反复申请",
            Outcome::NotProcessed(NonProcessing::Excessive),
        ),
        (
            "not_processed.confirmation",
            "不予处理：要求行政机关确认或重新出具已获取信息",
            Outcome::NotProcessed(NonProcessing::Confirmation),
        ),
        ("other.other", "其他处理", Outcome::OtherHandling(OtherHandling::Other)),
    ];
    if regime == Regime::Ordinance2007 {
        options.push((
            "withheld.not_government_information",
            "不予公开：不是《条例》所指政府信息（2007年条例）",
            Outcome::Withheld(Withholding::NotGovernmentInformation),
        ));
        options.push(("told_to_amend", "告知作出更改补充（2007年条例）", Outcome::ToldToAmend));
        options.push((
            "told_other_channel",
            "告知通过其他途径办理（2007年条例）",
            Outcome::ToldOtherChannel,
        ));
    }
    options
}

/// Delivery of the reply and the date it counts from (国办公开办函〔2016〕235号).
const SEND_METHODS: [(&str, &str); 3] = [
    ("direct", "直接送达（日期填申请人签收之日）"),
    ("post", "邮政寄送（日期填交邮之日）"),
    ("online", "网上或电子邮件送达（日期填发送之日）"),
];

struct StepLine {
    seq: i64,
    date: String,
    label: String,
    details: Vec<(String, String)>,
    recorded_by: String,
    recorded_at: String,
}

fn event_label(event: &Event) -> String {
    match event {
        Event::SupplementRequested { .. } => "告知补正".to_owned(),
        Event::SupplementReceived { .. } => "收到补正材料".to_owned(),
        Event::ConsultationSent { party: Party::ThirdParty, .. } => "征求第三方意见".to_owned(),
        Event::ConsultationSent { party: Party::OtherAgency, .. } => "征求其他机关意见".to_owned(),
        Event::ConsultationAnswered { .. } => "收到意见".to_owned(),
        Event::ExtensionRequested { .. } => "申请延期答复".to_owned(),
        Event::ExtensionRefused { .. } => "不同意延期".to_owned(),
        Event::ExtensionApproved { working_days, .. } => format!("批准延期{working_days}个工作日"),
        Event::FeeNotified { amount_yuan, .. } => format!("发出缴费通知（{amount_yuan}元）"),
        Event::FeePaid { .. } => "申请人已缴费".to_owned(),
        Event::Replied { .. } => "答复送达".to_owned(),
    }
}

fn detail_label(key: &str) -> &str {
    match key {
        "items" => "补正事项",
        "reply_by" => "补正期限",
        "consulted" => "征求意见对象",
        "opinion" => "意见",
        "note" => "说明",
        "reason" => "理由",
        "working_days" => "申请延长工作日",
        "basis" => "计费方式",
        "outcome" => "答复类型",
        "access" => "提供方式",
        "withheld_parts" => "不予公开部分",
        "reasons" => "理由",
        "responsible" => "负责公开的机关",
        "method" => "送达方式",
        "requested_by" => "申请人（工作人员）",
        other => other,
    }
}

fn step_lines(case: &Case) -> Vec<StepLine> {
    case.steps
        .iter()
        .map(|step| StepLine {
            seq: step.seq,
            date: step.event.date().to_string(),
            label: event_label(&step.event),
            details: step
                .details
                .as_object()
                .map(|object| {
                    object
                        .iter()
                        .filter_map(|(key, value)| {
                            let text = match value {
                                serde_json::Value::String(text) => text.clone(),
                                serde_json::Value::Null => return None,
                                other => other.to_string(),
                            };
                            (!text.is_empty()).then(|| (detail_label(key).to_owned(), text))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            recorded_by: step.recorded_by.clone(),
            recorded_at: super::china_datetime(&step.recorded_at),
        })
        .collect()
}

/// What the case page offers, from the case's state and the viewer's roles.
#[derive(Debug, Default)]
struct Offers {
    supplement: bool,
    supplement_received: bool,
    consult: bool,
    consult_answered: bool,
    extension_request: bool,
    extension_decide: bool,
    fee: bool,
    fee_paid: bool,
    reply: bool,
    close: bool,
}

impl Offers {
    fn offered(&self, action: &str) -> bool {
        match action {
            "supplement" => self.supplement,
            "supplement_received" => self.supplement_received,
            "consult" => self.consult,
            "consult_answered" => self.consult_answered,
            "extension_request" => self.extension_request,
            "extension_decide" => self.extension_decide,
            "fee" => self.fee,
            "fee_paid" => self.fee_paid,
            "reply" => self.reply,
            "close" => self.close,
            _ => false,
        }
    }
}

fn offers(
    case: &Case,
    report: Option<&ClockReport>,
    handle: bool,
    approve: bool,
    viewer: &str,
) -> Offers {
    let Some(report) = report else {
        return Offers::default();
    };
    if case.outcome.is_some() {
        return Offers::default();
    }
    let events = case.events();
    let has = |test: fn(&Event) -> bool| events.iter().any(test);
    let supplement_requested = has(|event| matches!(event, Event::SupplementRequested { .. }));
    let pending = extension_pending(case);
    // Once approved, never again (art. 33); after a refusal the clerk may ask again.
    let extension_used =
        pending.is_some() || has(|event| matches!(event, Event::ExtensionApproved { .. }));
    let lapsed = matches!(report.state, ClockState::Lapsed(_));
    let open = !lapsed && report.state != ClockState::Replied;
    Offers {
        supplement: handle && open && !supplement_requested,
        supplement_received: handle && report.state == ClockState::AwaitingSupplement,
        consult: handle && open && report.state != ClockState::InConsultation,
        consult_answered: handle && report.state == ClockState::InConsultation,
        extension_request: handle && open && !extension_used,
        extension_decide: approve && open && pending.is_some_and(|step| step.recorded_by != viewer),
        fee: handle
            && open
            && report.regime == Regime::Ordinance2019
            && !has(|event| matches!(event, Event::FeeNotified { .. })),
        fee_paid: handle && report.state == ClockState::AwaitingPayment,
        reply: handle
            && open
            && !matches!(
                report.state,
                ClockState::AwaitingSupplement | ClockState::AwaitingPayment
            ),
        close: handle && lapsed,
    }
}

#[derive(Template)]
#[template(path = "staff/case.html")]
struct CasePage<'a> {
    staff: &'a Staff,
    csrf: &'a str,
    agency: &'a AgencyRow,
    case: &'a Case,
    applicant: applications::Applicant,
    applicant_type: &'static str,
    report: Option<ClockReport>,
    clock_error: Option<String>,
    steps: Vec<StepLine>,
    letters: Vec<(i64, &'static str, &'static str, String, String)>,
    /// The applicant's attached files: (id, name, size).
    files: Vec<(i64, String, String)>,
    /// Whether the viewer may open them (the handler, the agency's heads).
    sees_applicant: bool,
    offers: Offers,
    outcomes: Vec<(&'static str, &'static str, Outcome)>,
    send_methods: &'static [(&'static str, &'static str)],
    other_agencies: Vec<(String, String)>,
    can_handle: bool,
    is_handler: bool,
    today: String,
    max_extension: u32,
    error: Option<(String, String)>,
    /// The error of an action whose form is not on the page (the case moved on): shown above the forms.
    orphan_error: Option<String>,
    form: StepForm,
    pending_reason: String,
}

impl CasePage<'_> {
    fn error_in(&self, action: &str) -> Option<&str> {
        self.error.as_ref().filter(|(at, _)| at == action).map(|(_, message)| message.as_str())
    }

    /// A field's value: what was typed when the form comes back with an error, else `fallback`.
    fn kept<'b>(&'b self, action: &str, field: &str, fallback: &'b str) -> &'b str {
        if self.error.as_ref().is_some_and(|(at, _)| at == action) {
            self.form.value(field)
        } else {
            fallback
        }
    }
}

async fn case_for(
    state: &AppState,
    staff: &Staff,
    tracking: &str,
    need: Need,
) -> Result<(Case, AgencyRow), PageError> {
    let case = match handling::case(state.store(), tracking).await {
        Ok(case) => case,
        Err(StoreError::NotFound { .. }) => return Err(PageError::NotFound),
        Err(err) => return Err(err.into()),
    };
    staff.require(state, &case.agency_code, need, &format!("application:{tracking}")).await?;
    let agency = state.agency(&case.agency_code).await?;
    Ok((case, agency))
}

/// A step form that comes back: its status, the action, the message and what was typed.
struct Back {
    status: StatusCode,
    action: String,
    message: String,
    form: StepForm,
}

async fn render_case(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    case: Case,
    agency: AgencyRow,
    back: Option<Back>,
) -> Result<Response, PageError> {
    let (status, error, form) = match back {
        Some(back) => (back.status, Some((back.action, back.message)), back.form),
        None => (StatusCode::OK, None, StepForm::default()),
    };
    let today = state.today();
    let calendar = state.calendar();
    let agencies = state.agencies().await?;
    let applicant =
        applications::applicant(state.store(), &case.tracking_number, &staff.username).await?;
    let evaluated = clock::evaluate(&case.clock_application(), &calendar, today);
    let (report, clock_error) = match evaluated {
        Ok(report) => (Some(report), None),
        Err(err) => (None, Some(clock_error_text(&err))),
    };
    let can_handle = staff.may(&agency.code, &agencies, Need::Handle);
    let can_approve = staff.may(&agency.code, &agencies, Need::Approve);
    let letters = stored_letters::of_case(state.store(), &case.tracking_number)
        .await?
        .into_iter()
        .map(|letter| {
            let format = if letter.media_type.contains("pdf") { "PDF" } else { "DOCX" };
            (
                letter.id,
                stored_letters::kind_label(&letter.kind),
                format,
                super::china_datetime(&letter.generated_at).chars().take(10).collect(),
                letter.sent_on.unwrap_or_default(),
            )
        })
        .collect();
    let files = applications::attached_files(state.store(), &case.tracking_number)
        .await?
        .into_iter()
        .map(|file| (file.id, file.name, crate::portal::human_size(file.size)))
        .collect();
    let sees_applicant = may_see_applicant(staff, case.handler.as_deref(), &agency.code, &agencies);
    let offers = offers(&case, report.as_ref(), can_handle, can_approve, &staff.username);
    let regime = report.as_ref().map_or(Regime::Ordinance2019, |report| report.regime);
    let pending_reason = extension_pending(&case)
        .and_then(|step| step.details.get("reason").and_then(|value| value.as_str()))
        .unwrap_or_default()
        .to_owned();
    let orphan_error = error
        .as_ref()
        .filter(|(action, _)| !offers.offered(action))
        .map(|(_, message)| message.clone());
    let (token, cookie) = csrf::issue(headers)?;
    let page = CasePage {
        staff,
        csrf: &token,
        agency: &agency,
        applicant_type: case.applicant_type.label(),
        case: &case,
        applicant,
        report,
        clock_error,
        steps: step_lines(&case),
        letters,
        files,
        sees_applicant,
        offers,
        outcomes: outcome_options(regime),
        send_methods: &SEND_METHODS,
        other_agencies: agencies
            .iter()
            .filter(|other| other.code != agency.code)
            .map(|other| (other.code.clone(), other.name.clone()))
            .collect(),
        can_handle,
        is_handler: case.handler.as_deref() == Some(staff.username.as_str()),
        today: today.to_string(),
        max_extension: regime.max_extension_working_days(),
        error,
        orphan_error,
        form,
        pending_reason,
    };
    Ok(no_store(csrf::with_cookie((status, Html(page.render()?)).into_response(), cookie)))
}

pub(crate) async fn case_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let (case, agency) = case_for(&state, &staff, &tracking, Need::Read).await?;
    render_case(&state, &staff, &headers, case, agency, None).await
}

/// A clerk takes the case (becomes its handler, the only one who sees the applicant unmasked).
pub(crate) async fn assign(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let (case, _) = case_for(&state, &staff, &tracking, Need::Handle).await?;
    applications::assign(state.store(), &case.tracking_number, &staff.username, &staff.actor())
        .await?;
    Ok(Redirect::to(&format!("/staff/cases/{}", case.tracking_number)).into_response())
}

/// A letter of a case, for staff who may read the agency's cases: as sent for the case's handler and the
/// agency's heads (who sign letters), with the applicant's personal data masked for every other reader
/// (reviewers, agency admins, supervisors, other clerks) — as the case page masks the applicant for them.
/// Every download is written to the audit trail.
pub(crate) async fn letter(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let subject = format!("letter:{id}");
    let Some(copy) = stored_letters::staff_copy(state.store(), id).await? else {
        return Err(PageError::NotFound);
    };
    staff.require(&state, &copy.agency, Need::Read, &subject).await?;
    let agencies = state.agencies().await?;
    let as_sent = may_see_applicant(&staff, copy.handler.as_deref(), &copy.agency, &agencies);
    let Some(data) = stored_letters::staff_file(state.store(), &copy, !as_sent).await? else {
        return Ok(crate::error::page(
            StatusCode::FORBIDDEN,
            "无权下载该文书",
            "该文书生成时尚未保存遮盖个人信息的副本，只能由该申请的经办人或本单位负责人下载。",
        ));
    };
    let after = serde_json::json!({ "masked": !as_sent }).to_string();
    staff.record(&state, "letter.download", &subject, Some(&after)).await?;
    let extension = if copy.letter.media_type.contains("pdf") { "pdf" } else { "docx" };
    let masked = if as_sent { "" } else { "-masked" };
    let name = format!("{}-{}{masked}.{extension}", copy.tracking_number, copy.letter.kind);
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = data.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&copy.letter.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A file the applicant attached, for the case's handler and the agency's heads (it is the applicant's own
/// material: an ID scan, evidence). Other readers are refused; every download is audited.
pub(crate) async fn attached_file(
    State(state): State<AppState>,
    staff: Staff,
    Path((tracking, id)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let (case, agency) = case_for(&state, &staff, &tracking, Need::Read).await?;
    let agencies = state.agencies().await?;
    let subject = format!("application:{}:attachment:{id}", case.tracking_number);
    if !may_see_applicant(&staff, case.handler.as_deref(), &agency.code, &agencies) {
        staff.refused_access(&state, "handler_or_head", &agency.code, &subject).await;
        return Err(PageError::Forbidden);
    }
    let (file, data) = applications::attached_file(state.store(), &case.tracking_number, id)
        .await?
        .ok_or(PageError::NotFound)?;
    staff.record(&state, "attachment.download", &subject, None).await?;
    let mut response = data.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&file.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers
        .insert(header::CONTENT_DISPOSITION, crate::portal::disposition("attachment", &file.name));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Whether `staff` sees the applicant's own data and material of a case of the agency `code` handled by
/// `handler`: its handler, or a head of its agency (who signs its letters).
fn may_see_applicant(
    staff: &Staff,
    handler: Option<&str>,
    code: &str,
    agencies: &[AgencyRow],
) -> bool {
    handler == Some(staff.username.as_str()) || staff.may(code, agencies, Need::Approve)
}

// ---------------------------------------------------------------------------------------------------------
// Handling steps

/// Every field any step form posts; each action reads its own.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub(crate) struct StepForm {
    csrf: String,
    version: String,
    action: String,
    on: String,
    items: String,
    reply_by: String,
    party: String,
    consulted: String,
    opinion: String,
    note: String,
    reason: String,
    working_days: String,
    decision: String,
    basis: String,
    nth: String,
    pages: String,
    outcome: String,
    access: String,
    withheld_parts: String,
    reasons: String,
    responsible: String,
    method: String,
}

impl StepForm {
    fn value(&self, field: &str) -> &str {
        match field {
            "on" => &self.on,
            "items" => &self.items,
            "reply_by" => &self.reply_by,
            "party" => &self.party,
            "consulted" => &self.consulted,
            "opinion" => &self.opinion,
            "note" => &self.note,
            "reason" => &self.reason,
            "working_days" => &self.working_days,
            "decision" => &self.decision,
            "basis" => &self.basis,
            "nth" => &self.nth,
            "pages" => &self.pages,
            "outcome" => &self.outcome,
            "access" => &self.access,
            "withheld_parts" => &self.withheld_parts,
            "reasons" => &self.reasons,
            "responsible" => &self.responsible,
            "method" => &self.method,
            _ => "",
        }
    }
}

/// The reason a step is refused, in Chinese, for the clerk.
pub(crate) fn clock_error_text(err: &ClockError) -> String {
    err.in_chinese()
}

/// A refused step: the message shown in the action's form.
struct Refusal {
    status: StatusCode,
    message: String,
}

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal { status: StatusCode::UNPROCESSABLE_ENTITY, message: message.into() }
}

/// What a valid step records and sends.
struct Planned {
    event: Option<Event>,
    details: serde_json::Value,
    outcome: Option<Outcome>,
    letter: Option<(&'static str, LetterPlan)>,
    action: &'static str,
}

enum LetterPlan {
    Supplement { items: String, reply_by: Date },
    Consultation { consulted: String, other_agency: bool },
    Extension { working_days: u32, reason: String },
    Fee { amount: u64, basis: String },
    Reply { outcome: Outcome, reply: OwnedReply },
}

#[derive(Default)]
struct OwnedReply {
    access: String,
    withheld_parts: String,
    reasons: String,
    responsible: Option<(String, String)>,
}

fn need_of(action: &str) -> Need {
    match action {
        "extension_decide" => Need::Approve,
        _ => Need::Handle,
    }
}

fn plan(
    case: &Case,
    form: &StepForm,
    staff: &Staff,
    today: Date,
    agencies: &[AgencyRow],
    regime: Regime,
) -> Result<Planned, Refusal> {
    let on = match parse_date(&form.on) {
        Some(on) if on > today => return Err(refuse("办理日期不能晚于今天。")),
        Some(on) => on,
        None => return Err(refuse("请填写办理日期（格式：2026-11-27）。")),
    };
    let text = |value: &str| value.trim().to_owned();
    let planned = |event: Event, details: serde_json::Value, action: &'static str| Planned {
        event: Some(event),
        details,
        outcome: None,
        letter: None,
        action,
    };
    match form.action.as_str() {
        "supplement" => {
            let items = text(&form.items);
            if items.chars().count() < 2 {
                return Err(refuse("请写明需要补正的事项。"));
            }
            let reply_by = parse_date(&form.reply_by)
                .ok_or_else(|| refuse("请填写补正期限（格式：2026-12-11）。"))?;
            if reply_by <= on {
                return Err(refuse("补正期限应晚于告知日期，给申请人合理的补正时间。"));
            }
            let mut planned = planned(
                Event::SupplementRequested { on, reply_by: Some(reply_by) },
                serde_json::json!({ "items": items, "reply_by": reply_by.to_string() }),
                "supplement",
            );
            planned.letter = Some(("supplement", LetterPlan::Supplement { items, reply_by }));
            Ok(planned)
        }
        "supplement_received" => Ok(planned(
            Event::SupplementReceived { on },
            serde_json::json!({ "note": text(&form.note) }),
            "supplement_received",
        )),
        "consult" => {
            let consulted = text(&form.consulted);
            if consulted.is_empty() {
                return Err(refuse("请填写征求意见的第三方或机关名称。"));
            }
            let party = match form.party.as_str() {
                "third_party" => Party::ThirdParty,
                "other_agency" if regime == Regime::Ordinance2019 => Party::OtherAgency,
                "other_agency" => {
                    return Err(refuse("2007年《条例》未规定征求其他机关意见的期间扣除。"));
                }
                _ => return Err(refuse("请选择征求意见的对象类型。")),
            };
            let mut planned = planned(
                Event::ConsultationSent { on, party },
                serde_json::json!({ "consulted": consulted }),
                "consult",
            );
            planned.letter = Some((
                "consultation",
                LetterPlan::Consultation { consulted, other_agency: party == Party::OtherAgency },
            ));
            Ok(planned)
        }
        "consult_answered" => {
            let opinion = match form.opinion.as_str() {
                "agree" => "同意公开",
                "disagree" => "不同意公开",
                "none" => "逾期未提出意见",
                _ => return Err(refuse("请选择对方的意见。")),
            };
            Ok(planned(
                Event::ConsultationAnswered { on },
                serde_json::json!({ "opinion": opinion, "note": text(&form.note) }),
                "consult_answered",
            ))
        }
        "extension_request" => {
            let reason = text(&form.reason);
            if reason.chars().count() < 4 {
                return Err(refuse("请写明需要延长答复期限的理由。"));
            }
            let working_days: u32 = form
                .working_days
                .trim()
                .parse()
                .ok()
                .filter(|days| *days >= 1)
                .ok_or_else(|| refuse("请填写申请延长的工作日数（1至20）。"))?;
            if working_days > regime.max_extension_working_days() {
                return Err(refuse(format!(
                    "延长的期限最长不得超过{}个工作日。",
                    regime.max_extension_working_days()
                )));
            }
            Ok(planned(
                Event::ExtensionRequested { on },
                serde_json::json!({ "reason": reason, "working_days": working_days }),
                "extension.request",
            ))
        }
        "extension_decide" => {
            let Some(request) = extension_pending(case) else {
                return Err(refuse("没有待审批的延期申请。"));
            };
            if request.recorded_by == staff.username {
                return Err(Refusal {
                    status: StatusCode::FORBIDDEN,
                    message: "不能审批自己提出的延期申请。".to_owned(),
                });
            }
            let reason = request
                .details
                .get("reason")
                .and_then(|value| value.as_str())
                .unwrap_or_default()
                .to_owned();
            match form.decision.as_str() {
                "approve" => {
                    let requested = request
                        .details
                        .get("working_days")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(u64::from(regime.max_extension_working_days()));
                    let working_days: u32 = if form.working_days.trim().is_empty() {
                        u32::try_from(requested).unwrap_or(regime.max_extension_working_days())
                    } else {
                        form.working_days
                            .trim()
                            .parse()
                            .map_err(|_| refuse("批准延长的工作日数应为整数。"))?
                    };
                    let mut planned = planned(
                        Event::ExtensionApproved { on, working_days },
                        serde_json::json!({ "requested_by": request.recorded_by, "note": text(&form.note) }),
                        "extension.approve",
                    );
                    planned.letter =
                        Some(("extension", LetterPlan::Extension { working_days, reason }));
                    Ok(planned)
                }
                "refuse" => Ok(planned(
                    Event::ExtensionRefused { on },
                    serde_json::json!({ "requested_by": request.recorded_by, "note": text(&form.note) }),
                    "extension.refuse",
                )),
                _ => Err(refuse("请选择同意或不同意延期。")),
            }
        }
        "fee" => {
            let (quote, basis) = match form.basis.as_str() {
                "per_application" => {
                    let nth: u64 = form
                        .nth
                        .trim()
                        .parse()
                        .map_err(|_| refuse("请填写该申请人本月的申请件数序号（整数）。"))?;
                    let quote = fee::per_application(nth).map_err(|_| {
                        refuse(format!(
                            "申请件数序号应为1至{}之间的整数。",
                            fee::MAX_APPLICATION_NUMBER
                        ))
                    })?;
                    (quote, format!("按件计收，本自然月第{nth}件"))
                }
                "per_volume" => {
                    let pages: u64 =
                        form.pages.trim().parse().map_err(|_| refuse("请填写页数（整数）。"))?;
                    let quote = fee::per_volume(pages)
                        .map_err(|_| refuse(format!("页数应为不超过{}的整数。", fee::MAX_PAGES)))?;
                    (quote, format!("按量计收，共{pages}页"))
                }
                _ => return Err(refuse("请选择计费方式。")),
            };
            if quote.amount_yuan == 0 {
                return Err(refuse(
                    "按该标准计算的费用为0元，无需发出缴费通知（国办函〔2020〕109号）。",
                ));
            }
            let mut planned = planned(
                Event::FeeNotified { on, amount_yuan: quote.amount_yuan },
                serde_json::json!({ "basis": basis }),
                "fee",
            );
            planned.letter = Some(("fee", LetterPlan::Fee { amount: quote.amount_yuan, basis }));
            Ok(planned)
        }
        "fee_paid" => Ok(planned(
            Event::FeePaid { on },
            serde_json::json!({ "note": text(&form.note) }),
            "fee_paid",
        )),
        "reply" => {
            let Some((_, label, outcome)) =
                outcome_options(regime).into_iter().find(|(code, _, _)| *code == form.outcome)
            else {
                return Err(refuse("请选择答复类型。"));
            };
            let method = SEND_METHODS
                .iter()
                .find(|(code, _)| *code == form.method)
                .ok_or_else(|| refuse("请选择送达方式。"))?;
            let mut reply = OwnedReply {
                access: text(&form.access),
                withheld_parts: text(&form.withheld_parts),
                reasons: text(&form.reasons),
                responsible: None,
            };
            match outcome {
                Outcome::PartiallyDisclosed
                    if reply.withheld_parts.is_empty() || reply.reasons.is_empty() =>
                {
                    return Err(refuse(
                        "部分公开须写明不予公开的部分及其理由（《条例》第三十七条）。",
                    ));
                }
                Outcome::Withheld(_) | Outcome::NotProcessed(_) if reply.reasons.is_empty() => {
                    return Err(refuse("请写明理由。"));
                }
                Outcome::NotThisAgency => {
                    if let Some(other) = agencies.iter().find(|other| {
                        other.code == form.responsible && other.code != case.agency_code
                    }) {
                        let contact = [other.office.as_str(), other.phone.as_str()]
                            .iter()
                            .filter(|part| !part.is_empty())
                            .copied()
                            .collect::<Vec<_>>()
                            .join("，");
                        reply.responsible = Some((other.name.clone(), contact));
                    } else if !form.responsible.is_empty() {
                        return Err(refuse("请从列表中选择负责公开的机关。"));
                    }
                }
                _ => {}
            }
            let mut planned = planned(
                Event::Replied { on },
                serde_json::json!({
                    "outcome": label,
                    "access": reply.access,
                    "withheld_parts": reply.withheld_parts,
                    "reasons": reply.reasons,
                    "responsible": reply.responsible.as_ref().map(|(name, _)| name.clone()),
                    "method": method.1,
                }),
                "reply",
            );
            planned.outcome = Some(outcome);
            planned.letter = Some(("reply", LetterPlan::Reply { outcome, reply }));
            Ok(planned)
        }
        _ => Err(refuse("未知的办理事项。")),
    }
}

/// The review body named in a reply: the parent government (2023 《行政复议法》 art. 24: a department's
/// decisions are reviewed by the government at its level; a government's by the one above).
fn review_body(agency: &AgencyRow, agencies: &[AgencyRow]) -> Option<String> {
    let parent = agency.parent_code.as_deref()?;
    agencies.iter().find(|other| other.code == parent).map(|other| other.name.clone())
}

/// What a letter is composed from besides its plan.
struct LetterContext<'a> {
    case: &'a Case,
    agency: &'a AgencyRow,
    agencies: &'a [AgencyRow],
    applicant: &'a str,
    /// The clock with the step recorded.
    report: &'a ClockReport,
    on: Date,
    calendar: &'a Calendar,
}

fn compose(plan: &LetterPlan, context: &LetterContext<'_>) -> Letter {
    let LetterContext { case, agency, agencies, applicant, report, on, calendar } = *context;
    let contact = [agency.office.as_str(), agency.phone.as_str()]
        .iter()
        .filter(|part| !part.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("，");
    let facts = CaseFacts {
        agency: &agency.name,
        contact: &contact,
        tracking_number: &case.tracking_number,
        applicant,
        received: report.received,
        request: &case.description,
        regime: report.regime,
        date: on,
    };
    match plan {
        LetterPlan::Supplement { items, reply_by } => letters::supplement(&facts, items, *reply_by),
        LetterPlan::Consultation { consulted, other_agency } => {
            let answer_by = calendar
                .add_working_days(on, clock::CONSULTATION_WORKING_DAYS)
                .unwrap_or(on + time::Duration::days(21));
            letters::consultation(&facts, consulted, *other_agency, answer_by)
        }
        LetterPlan::Extension { working_days, reason } => letters::extension(
            &facts,
            *working_days,
            report.due.unwrap_or(on),
            report.provisional,
            reason,
        ),
        LetterPlan::Fee { amount, basis } => {
            letters::fee(&facts, *amount, basis, clock::fee_payment_due(calendar, on))
        }
        LetterPlan::Reply { outcome, reply } => {
            let review = review_body(agency, agencies);
            let facts_reply = ReplyFacts {
                access: &reply.access,
                withheld_parts: &reply.withheld_parts,
                reasons: &reply.reasons,
                responsible_agency: reply
                    .responsible
                    .as_ref()
                    .map(|(name, contact)| (name.as_str(), contact.as_str())),
                review_body: review.as_deref(),
            };
            letters::reply(&facts, *outcome, &facts_reply)
        }
    }
}

pub(crate) async fn step(
    State(state): State<AppState>,
    staff: Staff,
    Path(tracking): Path<String>,
    headers: HeaderMap,
    PageForm(form): PageForm<StepForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let need = need_of(&form.action);
    let (case, agency) = case_for(&state, &staff, &tracking, need).await?;
    let today = state.today();
    let calendar = state.calendar();
    let agencies = state.agencies().await?;
    let back = |case: Case, agency: AgencyRow, refusal: Refusal, form: StepForm| {
        let action = form.action.clone();
        let state = state.clone();
        let staff = staff.clone();
        let headers = headers.clone();
        async move {
            let back = Back { status: refusal.status, action, message: refusal.message, form };
            render_case(&state, &staff, &headers, case, agency, Some(back)).await
        }
    };
    if form.action == "close" {
        return close(&state, &staff, &headers, case, agency, form).await;
    }
    if case.outcome.is_some() {
        let refusal = refuse("该申请已办结，不能再办理。");
        return back(case, agency, refusal, form).await;
    }
    if form.version.trim().parse::<i64>().ok() != Some(case.version()) {
        let refusal = Refusal {
            status: StatusCode::CONFLICT,
            message: "该申请在您打开页面后已被他人更新，请核对下方最新办理记录后重新提交。"
                .to_owned(),
        };
        return back(case, agency, refusal, form).await;
    }
    let current = clock::evaluate(&case.clock_application(), &calendar, today);
    let regime = match &current {
        Ok(report) => report.regime,
        Err(err) => {
            let refusal = refuse(format!("该申请的办理记录有误：{}", clock_error_text(err)));
            return back(case, agency, refusal, form).await;
        }
    };
    let planned = match plan(&case, &form, &staff, today, &agencies, regime) {
        Ok(planned) => planned,
        Err(refusal) => return back(case, agency, refusal, form).await,
    };
    // The clock must accept the case with the new step, as of today.
    let mut application = case.clock_application();
    if let Some(event) = &planned.event {
        application.events.push(event.clone());
    }
    let report = match clock::evaluate(&application, &calendar, today) {
        Ok(report) => report,
        Err(err) => return back(case, agency, refuse(clock_error_text(&err)), form).await,
    };
    if matches!(planned.event, Some(Event::ExtensionRequested { .. }))
        && current.as_ref().is_ok_and(|report| {
            report.due.is_some_and(|due| due < planned.event.as_ref().map_or(today, Event::date))
        })
    {
        let refusal = refuse("答复期限已过，不能再申请延期（《条例》第三十三条）。");
        return back(case, agency, refusal, form).await;
    }
    let actor = staff.actor();
    if case.handler.is_none() && need == Need::Handle {
        applications::assign(state.store(), &case.tracking_number, &staff.username, &actor).await?;
    }
    let handler = case.handler.clone().unwrap_or_else(|| staff.username.clone());
    let step = NewStep {
        event: planned.event.clone(),
        details: planned.details.clone(),
        outcome: planned.outcome,
        regime: planned.outcome.map(|_| regime),
        action: planned.action,
    };
    // The step's letters are made first and written with the step in one transaction.
    let rendered = match &planned.letter {
        Some((kind, letter_plan)) => {
            let applicant =
                applications::applicant(state.store(), &case.tracking_number, &handler).await?;
            let on = planned.event.as_ref().map_or(today, Event::date);
            let mut context = LetterContext {
                case: &case,
                agency: &agency,
                agencies: &agencies,
                applicant: &applicant.name,
                report: &report,
                on,
                calendar: &calendar,
            };
            let letter = compose(letter_plan, &context);
            let masked_name = applications::mask(&applicant.name, 1, 0);
            context.applicant = &masked_name;
            let masked = compose(letter_plan, &context);
            render_letter(kind, &letter, &masked, on)?
        }
        None => Vec::new(),
    };
    let letters: Vec<stored_letters::NewLetter<'_>> = rendered
        .iter()
        .map(|(kind, media_type, data, masked, on)| stored_letters::NewLetter {
            kind,
            media_type,
            data,
            masked: Some(masked),
            sent_on: Some(*on),
        })
        .collect();
    let recorded = handling::record_with_letters(
        state.store(),
        &case.tracking_number,
        case.version(),
        &step,
        &letters,
        &actor,
    )
    .await;
    match recorded {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            let fresh = handling::case(state.store(), &case.tracking_number).await?;
            let refusal = Refusal {
                status: StatusCode::CONFLICT,
                message: "该申请刚刚被他人更新，您的操作未保存。请核对最新办理记录后重新提交。"
                    .to_owned(),
            };
            return back(fresh, agency, refusal, form).await;
        }
        Err(err) => return Err(err.into()),
    }
    Ok(Redirect::to(&format!("/staff/cases/{}#timeline", case.tracking_number)).into_response())
}

/// A rendered letter: kind, media type, the letter as sent, its masked copy, the day it is sent.
type RenderedLetter = (&'static str, &'static str, Vec<u8>, Vec<u8>, Date);

/// Renders `letter` and its `masked` copy as DOCX and PDF.
fn render_letter(
    kind: &'static str,
    letter: &Letter,
    masked: &Letter,
    on: Date,
) -> Result<Vec<RenderedLetter>, PageError> {
    let failed = |format: &str, err: &dyn std::fmt::Display| {
        tracing::error!(error = %err, format, "rendering a letter failed");
        PageError::Unavailable
    };
    let docx =
        |letter: &Letter| gongkai_render::letter::docx(letter).map_err(|err| failed("docx", &err));
    let pdf =
        |letter: &Letter| gongkai_render::letter::pdf(letter).map_err(|err| failed("pdf", &err));
    Ok(vec![
        (
            kind,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx(letter)?,
            docx(masked)?,
            on,
        ),
        (kind, "application/pdf", pdf(letter)?, pdf(masked)?, on),
    ])
}

/// Closes a lapsed case as 其他处理 (2019 条例 art. 30 for an unmet 补正; 国办函〔2020〕109号 for an unpaid
/// fee): only once the clock says it lapsed.
async fn close(
    state: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    case: Case,
    agency: AgencyRow,
    form: StepForm,
) -> Result<Response, PageError> {
    let report = clock::evaluate(&case.clock_application(), &state.calendar(), state.today());
    let lapse = match report.as_ref().map(|report| report.state) {
        Ok(ClockState::Lapsed(reason)) if case.outcome.is_none() => reason,
        _ => {
            let message = "只有逾期未补正或逾期未缴费的申请才能按“其他处理”办结。".to_owned();
            let back = Back {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                action: "close".to_owned(),
                message,
                form,
            };
            return render_case(state, staff, headers, case, agency, Some(back)).await;
        }
    };
    let outcome = match lapse {
        clock::LapseReason::SupplementNotReceived => {
            Outcome::OtherHandling(OtherHandling::NoSupplement)
        }
        clock::LapseReason::FeeNotPaid => Outcome::OtherHandling(OtherHandling::FeeNotPaid),
    };
    let regime = report.as_ref().map(|report| report.regime).ok();
    let step = NewStep {
        event: None,
        details: serde_json::json!({ "outcome": outcome.label() }),
        outcome: Some(outcome),
        regime,
        action: "close",
    };
    let version = form.version.trim().parse::<i64>().unwrap_or(-1);
    match handling::record(state.store(), &case.tracking_number, version, &step, &staff.actor())
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/staff/cases/{}", case.tracking_number)).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            let fresh = handling::case(state.store(), &case.tracking_number).await?;
            let message = "该申请刚刚被他人更新，请核对后重新提交。".to_owned();
            let back =
                Back { status: StatusCode::CONFLICT, action: "close".to_owned(), message, form };
            render_case(state, staff, headers, fresh, agency, Some(back)).await
        }
        Err(err) => Err(err.into()),
    }
}
