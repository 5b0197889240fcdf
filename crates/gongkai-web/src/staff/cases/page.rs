//! The case page: the applicant, the timeline, the clock's trace, the letters and the step forms the
//! core offers; the letters and attached files.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_core::clock::{ClockReport, Event, Party};
use gongkai_core::regime::Regime;
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications::{self};
use gongkai_store::handling::{self, Case};
use gongkai_store::{StoreError, letters as stored_letters};

use super::no_store;
use super::steps::{self, StepForm};
use crate::error::PageForm;
use crate::staff::{CsrfForm, Need, Staff};
use crate::{AppState, PageError, csrf};
use gongkai_core::handling::{self as rules, Action, Offers, SendMethod, Situation};

pub(super) struct StepLine {
    seq: i64,
    pub(super) date: String,
    pub(super) label: String,
    pub(super) details: Vec<(String, String)>,
    pub(super) recorded_by: String,
    pub(super) recorded_at: String,
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
        Event::ReasonsRequested { .. } => "要求说明理由".to_owned(),
        Event::ReplyDeferred { until, .. } => format!("确定延迟答复期限至{until}"),
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
        "facts" => "超过合理范围的情况",
        "until" => "延迟答复期限",
        "transferred_to" => "转送至",
        "by" => "提出人",
        "withdrawn" => "撤回申请",
        "files" => "附件",
        other => other,
    }
}

pub(super) fn step_lines(case: &Case) -> Vec<StepLine> {
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
                                // A method recorded with the form's hint, before its name was kept.
                                serde_json::Value::String(text) if key == "method" => {
                                    SendMethod::from_stored(text).map_or_else(
                                        || text.clone(),
                                        |method| method.name().to_owned(),
                                    )
                                }
                                serde_json::Value::String(text) => text.clone(),
                                serde_json::Value::Bool(flag) => {
                                    (if *flag { "是" } else { "否" }).to_owned()
                                }
                                serde_json::Value::Array(items) => items
                                    .iter()
                                    .map(|item| match item {
                                        serde_json::Value::String(text) => text.clone(),
                                        other => other.to_string(),
                                    })
                                    .collect::<Vec<_>>()
                                    .join("、"),
                                serde_json::Value::Null => return None,
                                other => other.to_string(),
                            };
                            (!text.is_empty()).then(|| (detail_label(key).to_owned(), text))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            recorded_by: step.recorded_by.clone(),
            recorded_at: crate::staff::china_datetime(&step.recorded_at),
        })
        .collect()
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
    letters: Vec<(i64, String, &'static str, String, String)>,
    /// The notifications to the applicant, oldest first.
    notices: Vec<NoticeLine>,
    /// Said under them: why the applicant could not be told, or that the platform cannot send.
    notices_note: String,
    /// Reviews and lawsuits about the case: (kind, filed, where it stands).
    disputes: Vec<(&'static str, String, String)>,
    /// The applicant's attached files: (id, name, size).
    files: Vec<(i64, String, String)>,
    /// Whether the viewer may open them (the handler, the agency's heads).
    sees_applicant: bool,
    offers: Offers,
    /// The reply categories of the case's regulation: (code, label).
    outcomes: Vec<(&'static str, &'static str)>,
    send_methods: Vec<(&'static str, &'static str)>,
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
    /// The applicant's other applications (counts for all; the list for those who see the applicant).
    history: gongkai_store::applicants::History,
    /// The fee form's 按件 count as the history gives it.
    nth_default: String,
    /// The request for reasons' facts as the history gives them.
    facts_default: String,
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

/// A notification as the case page lists it.
pub(super) struct NoticeLine {
    id: i64,
    kind: &'static str,
    channel: &'static str,
    /// Masked for readers who do not see the applicant.
    recipient: String,
    status: &'static str,
    resendable: bool,
    attempts: i64,
    /// The last error, or why it was not sent.
    detail: String,
    created: String,
    sent: String,
    with_letter: bool,
    /// The date of electronic service: a reply e-mailed to an applicant who chose e-mail (see
    /// [`electronic_service`]).
    service: String,
}

/// The date a reply sent by e-mail is served, read as the day the mail server took the message (a later
/// bounce is not seen): under
/// 国办公开办函〔2016〕235号 service follows "有关法律规定", and 《民事诉讼法》(2021) art. 90 dates electronic
/// service on the day the message reaches the addressee's system. The platform knows only when its own
/// server took the message (it does not see the addressee's mailbox); on the same day that is the day of
/// arrival, and staff see both dates. [U]: no notice of the State Council office addresses e-mail service.
fn electronic_service(notice: &gongkai_store::notifications::Notification, case: &Case) -> String {
    use gongkai_core::notices::NoticeKind;
    use gongkai_store::notifications::{Channel, Status};
    let replied = matches!(notice.kind, Some(NoticeKind::Reply | NoticeKind::Closed));
    // Served electronically: the reply was recorded as sent online (how it was served is the reply's record,
    // not the applicant's wish).
    let online = case.steps.iter().any(|step| {
        matches!(step.event, Event::Replied { .. })
            && step
                .details
                .get("method")
                .and_then(serde_json::Value::as_str)
                .and_then(SendMethod::from_stored)
                == Some(SendMethod::Online)
    });
    if replied && notice.channel == Channel::Email && notice.status == Status::Sent && online {
        notice
            .sent_at
            .as_deref()
            .map(crate::staff::china_datetime)
            .map(|at| at.chars().take(10).collect())
            .unwrap_or_default()
    } else {
        String::new()
    }
}

/// The case's notifications as its page lists them, and the line said under them.
async fn notice_lines(
    state: &AppState,
    case: &Case,
    applicant: &applications::Applicant,
) -> Result<(Vec<NoticeLine>, String), PageError> {
    let notices = gongkai_store::notifications::of_case(state.store(), case.id).await?;
    // Addresses and the servers' answers (which repeat them) as the applicant block shows personal data.
    let sees_applicant = !applicant.masked;
    let lines = notices
        .iter()
        .map(|notice| {
            let recipient = if sees_applicant {
                notice.recipient.clone()
            } else if notice.channel == gongkai_store::notifications::Channel::Email {
                notice
                    .recipient
                    .split_once('@')
                    .map(|(_, domain)| format!("***@{domain}"))
                    .unwrap_or_default()
            } else {
                applications::mask(&notice.recipient, 3, 4)
            };
            NoticeLine {
                id: notice.id,
                kind: notice.kind.map_or("通知", gongkai_core::notices::NoticeKind::label),
                channel: notice.channel.label(),
                recipient,
                status: notice.status.label(),
                resendable: notice.status.resendable(),
                attempts: notice.attempts,
                detail: if sees_applicant || notice.last_error.is_empty() {
                    notice.last_error.clone()
                } else if notice.status == gongkai_store::notifications::Status::Skipped {
                    // Why nothing was sent names no address.
                    notice.last_error.clone()
                } else {
                    "详情仅经办人可见".to_owned()
                },
                created: crate::staff::china_datetime(&notice.created_at),
                sent: notice
                    .sent_at
                    .as_deref()
                    .map(crate::staff::china_datetime)
                    .unwrap_or_default(),
                with_letter: notice.with_letter,
                service: electronic_service(notice, case),
            }
        })
        .collect();
    let channels = state.channels();
    let note = if applicant.email.is_empty() && applicant.phone.is_empty() {
        "申请人未留电子邮箱或手机号码，无法自动通知；请按申请人选择的方式送达文书。"
    } else if !channels.email && !channels.sms {
        "本平台未配置邮件或短信发送，申请人不会收到自动通知；文书可在申请查询页面查看，请按申请人选择的方式送达。"
    } else if notices.is_empty() {
        "暂无通知记录。"
    } else {
        ""
    };
    Ok((lines, note.to_owned()))
}

pub(super) async fn case_for(
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
pub(super) struct Back {
    pub(super) status: StatusCode,
    pub(super) action: String,
    pub(super) message: String,
    pub(super) form: StepForm,
}

/// The reviews and lawsuits recorded in the agency's ledger about the case, as its page lists them.
async fn disputes(
    state: &AppState,
    code: &str,
    tracking_number: &str,
) -> Result<Vec<(&'static str, String, String)>, PageError> {
    Ok(gongkai_store::ledger::disputes(state.store(), code, tracking_number)
        .await?
        .into_iter()
        .map(|dispute| {
            // A complaint is 办结, a review or lawsuit 审结.
            let (kind, concluded) = match dispute.kind {
                "lawsuit" => ("行政诉讼（立案）", "审结"),
                "complaint" => ("举报投诉（收到）", "办结"),
                _ => ("行政复议（立案）", "审结"),
            };
            let status = match dispute.decided {
                Some((result, day)) => {
                    format!("{day}{concluded}：{}", crate::staff::ledger::result_label(&result))
                }
                None => format!("尚未{concluded}"),
            };
            (kind, dispute.filed, status)
        })
        .collect())
}

pub(super) async fn render_case(
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
    let application = case.clock_application();
    let pending = case.pending_extension();
    let situation = Situation::new(&application, &calendar, today, case.outcome, pending);
    let can_handle = staff.may(&agency.code, &agencies, Need::Handle);
    let letters = stored_letters::of_case(state.store(), &case.tracking_number)
        .await?
        .into_iter()
        .map(|letter| {
            let format = if letter.media_type.contains("pdf") { "PDF" } else { "DOCX" };
            (
                letter.id,
                letter.title,
                format,
                crate::staff::china_datetime(&letter.generated_at).chars().take(10).collect(),
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
    let offers = situation.as_ref().map_or_else(
        |_| Offers::default(),
        |situation| rules::offers(situation, &steps::actor(staff, &agency, &agencies)),
    );
    // No forms without a readable clock, so no regime then.
    let regime = situation.as_ref().ok().map(|situation| situation.report.regime);
    let pending_reason = pending.map(|request| request.reason.to_owned()).unwrap_or_default();
    let orphan_error = error
        .as_ref()
        .filter(|(action, _)| {
            !Action::from_code(action).is_some_and(|action| offers.offered(action))
        })
        .map(|(_, message)| message.clone());
    let (report, clock_error) = match situation {
        Ok(situation) => (Some(situation.report), None),
        Err(err) => (None, Some(err.in_chinese())),
    };
    let (notices, notices_note) = notice_lines(state, &case, &applicant).await?;
    let history = gongkai_store::applicants::history(state.store(), &case.tracking_number).await?;
    let nth_default =
        if history.identified { history.nth_in_month.to_string() } else { String::new() };
    // What a request for reasons states: the month's total of the applicant's applications received here,
    // named by its month (the handler edits it).
    let facts_default = if history.identified && history.in_month > 1 {
        format!(
            "{}年{}月，本机关共收到您的政府信息公开申请{}件",
            case.intake.submitted.year(),
            u8::from(case.intake.submitted.month()),
            history.in_month
        )
    } else {
        String::new()
    };
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
        notices,
        notices_note,
        disputes: disputes(state, &agency.code, &case.tracking_number).await?,
        files,
        sees_applicant,
        offers,
        outcomes: regime
            .map(rules::reply_options)
            .unwrap_or_default()
            .into_iter()
            .map(|option| (option.code, option.label))
            .collect(),
        send_methods: SendMethod::ALL
            .into_iter()
            .map(|method| (method.code(), method.label()))
            .collect(),
        other_agencies: agencies
            .iter()
            .filter(|other| other.code != agency.code)
            .map(|other| (other.code.clone(), other.name.clone()))
            .collect(),
        can_handle,
        is_handler: case.handler.as_deref() == Some(staff.username.as_str()),
        today: today.to_string(),
        max_extension: regime.map_or(0, Regime::max_extension_working_days),
        error,
        orphan_error,
        form,
        pending_reason,
        history,
        nth_default,
        facts_default,
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

/// A handler sends a failed notice, or one whose fate is unknown, again (audited).
pub(crate) async fn resend_notice(
    State(state): State<AppState>,
    staff: Staff,
    Path((tracking, id)): Path<(String, String)>,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Result<Response, PageError> {
    csrf::check(&headers, &form.csrf)?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let (case, _) = case_for(&state, &staff, &tracking, Need::Handle).await?;
    match gongkai_store::notifications::resend(
        state.store(),
        &case.tracking_number,
        id,
        &staff.actor(),
    )
    .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict { .. }) => {
            return Ok(crate::error::page(
                StatusCode::CONFLICT,
                "无法重新发送",
                "该通知已发送、正在发送或不属于本申请，无需重新发送。请返回申请页面查看最新状态。",
            ));
        }
        Err(err) => return Err(err.into()),
    }
    Ok(Redirect::to(&format!("/staff/cases/{}#notices-h", case.tracking_number)).into_response())
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
    // Named by the letter's own title: letters of one stored kind differ (a 补正告知书 and a 要求说明理由告知书).
    let title = if copy.letter.title.is_empty() {
        copy.letter.kind.code()
    } else {
        copy.letter.title.as_str()
    };
    let name = format!("{}-{title}{masked}.{extension}", copy.tracking_number);
    let disposition = crate::portal::disposition("attachment", &name);
    let mut response = data.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&copy.letter.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CONTENT_DISPOSITION, disposition);
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
pub(super) fn may_see_applicant(
    staff: &Staff,
    handler: Option<&str>,
    code: &str,
    agencies: &[AgencyRow],
) -> bool {
    handler == Some(staff.username.as_str()) || staff.may(code, agencies, Need::Approve)
}
