//! Handling steps: each form parsed into a `core::handling::Command` (dates, numbers and choices read,
//! nothing decided), allowed or refused by the core, and recorded with its letters in one transaction.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_core::clock::{Event, Party};
use gongkai_core::handling::{
    self as rules, Action, Actor, Applied, Command, FeeBasis, LetterPlan, Opinion, Reply,
    Responsible, SendMethod, Sender, Situation,
};
use gongkai_core::letters::{Letter, LetterKind};
use gongkai_store::agencies::AgencyRow;
use gongkai_store::applications;
use gongkai_store::handling::{self, Case, NewStep};
use gongkai_store::{StoreError, letters as stored_letters};
use serde::Deserialize;
use time::Date;

use super::page::{Back, case_for, render_case};
use crate::error::PageForm;
use crate::staff::{Need, Staff, parse_date};
use crate::{AppState, PageError, csrf};

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
    /// `yes`: transfer the application to the responsible agency as well.
    transfer: String,
    /// What exceeds a reasonable range (a request for reasons, art. 35).
    facts: String,
    /// The later reply date (art. 35).
    until: String,
    method: String,
}

impl StepForm {
    pub(super) fn value(&self, field: &str) -> &str {
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
            "transfer" => &self.transfer,
            "facts" => &self.facts,
            "until" => &self.until,
            "method" => &self.method,
            _ => "",
        }
    }
}

/// A form that cannot become a command, or a command the core refused: the status and the message shown in
/// the action's form.
struct Refused {
    status: StatusCode,
    message: String,
}

fn invalid(message: impl Into<String>) -> Refused {
    Refused { status: StatusCode::UNPROCESSABLE_ENTITY, message: message.into() }
}

impl From<rules::Refusal> for Refused {
    fn from(refusal: rules::Refusal) -> Refused {
        let status = if refusal.forbidden() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Refused { status, message: refusal.in_chinese() }
    }
}

/// The agency a not-this-agency reply names: one of the platform's others, chosen from the list.
fn responsible(
    form: &StepForm,
    agencies: &[AgencyRow],
    own: &str,
) -> Result<Option<Responsible>, Refused> {
    let transfer = form.transfer == "yes";
    if let Some(other) =
        agencies.iter().find(|other| other.code == form.responsible && other.code != own)
    {
        if transfer && other.closed_on.is_some() {
            return Err(invalid("该机关已撤销，不能转办；请告知申请人向承接其职责的机关申请。"));
        }
        return Ok(Some(Responsible {
            name: other.name.clone(),
            contact: rules::contact(&other.office, &other.phone),
            transfer_to: transfer.then(|| other.code.clone()),
        }));
    }
    if transfer {
        Err(invalid("转办须从列表中选择本平台负责公开的机关。"))
    } else if form.responsible.is_empty() {
        Ok(None)
    } else {
        Err(invalid("请从列表中选择负责公开的机关。"))
    }
}

/// Reads the form of `action` into its command.
fn command(
    form: &StepForm,
    action: Action,
    agencies: &[AgencyRow],
    own: &str,
) -> Result<Command, Refused> {
    if action == Action::Close {
        return Ok(Command::Close);
    }
    let on = parse_date(&form.on).ok_or_else(|| invalid("请填写办理日期（格式：2026-11-27）。"))?;
    let note = form.note.clone();
    Ok(match action {
        Action::Supplement => Command::RequestSupplement {
            on,
            items: form.items.clone(),
            reply_by: parse_date(&form.reply_by)
                .ok_or_else(|| invalid("请填写补正期限（格式：2026-12-11）。"))?,
        },
        Action::SupplementReceived => Command::SupplementReceived { on, note },
        Action::Consult => Command::Consult {
            on,
            party: match form.party.as_str() {
                "third_party" => Party::ThirdParty,
                "other_agency" => Party::OtherAgency,
                _ => return Err(invalid("请选择征求意见的对象类型。")),
            },
            consulted: form.consulted.clone(),
        },
        Action::ConsultAnswered => Command::ConsultationAnswered {
            on,
            opinion: Opinion::from_code(&form.opinion)
                .ok_or_else(|| invalid("请选择对方的意见。"))?,
            note,
        },
        // Not a whole number of days reads as 0, which the core refuses with the range to use.
        Action::ExtensionRequest => Command::RequestExtension {
            on,
            working_days: form.working_days.trim().parse().unwrap_or(0),
            reason: form.reason.clone(),
        },
        Action::ExtensionDecide => {
            let approve = match form.decision.as_str() {
                "approve" => true,
                "refuse" => false,
                _ => return Err(invalid("请选择同意或不同意延期。")),
            };
            // The number of days is read only for an approval.
            let working_days = match form.working_days.trim() {
                "" => None,
                _ if !approve => None,
                days => Some(days.parse().map_err(|_| invalid("批准延长的工作日数应为整数。"))?),
            };
            Command::DecideExtension { on, approve, working_days, note }
        }
        Action::Fee => Command::NotifyFee {
            on,
            basis: match form.basis.as_str() {
                "per_application" => FeeBasis::PerApplication {
                    nth: form
                        .nth
                        .trim()
                        .parse()
                        .map_err(|_| invalid("请填写该申请人本月的申请件数序号（整数）。"))?,
                },
                "per_volume" => FeeBasis::PerVolume {
                    pages: form
                        .pages
                        .trim()
                        .parse()
                        .map_err(|_| invalid("请填写页数（整数）。"))?,
                },
                _ => return Err(invalid("请选择计费方式。")),
            },
        },
        Action::FeePaid => Command::FeePaid { on, note },
        Action::Reply => {
            let category =
                rules::reply_option(&form.outcome).ok_or_else(|| invalid("请选择答复类型。"))?;
            Command::Reply(Reply {
                on,
                category,
                method: SendMethod::from_code(&form.method)
                    .ok_or_else(|| invalid("请选择送达方式。"))?,
                access: form.access.clone(),
                withheld_parts: form.withheld_parts.clone(),
                reasons: form.reasons.clone(),
                responsible: if category.names_responsible() {
                    responsible(form, agencies, own)?
                } else {
                    None
                },
            })
        }
        Action::Close => Command::Close,
        Action::Reasons => Command::RequestReasons { on, facts: form.facts.clone() },
        Action::Defer => Command::DeferReply {
            on,
            until: crate::staff::parse_date(&form.until)
                .ok_or_else(|| invalid("请填写延迟答复的期限（日期）。"))?,
            reason: form.reason.clone(),
        },
    })
}

/// Who the staff member is on the case's agency, for the core.
pub(super) fn actor<'a>(staff: &'a Staff, agency: &AgencyRow, agencies: &[AgencyRow]) -> Actor<'a> {
    Actor {
        username: &staff.username,
        may_handle: staff.may(&agency.code, agencies, Need::Handle),
        may_approve: staff.may(&agency.code, agencies, Need::Approve),
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
    let action = Action::from_code(&form.action);
    let need =
        if action.is_some_and(Action::needs_approver) { Need::Approve } else { Need::Handle };
    let (case, agency) = case_for(&state, &staff, &tracking, need).await?;
    let back = |case: Case, agency: AgencyRow, refused: Refused, form: StepForm| {
        let state = state.clone();
        let staff = staff.clone();
        let headers = headers.clone();
        async move {
            let action = form.action.clone();
            let back = Back { status: refused.status, action, message: refused.message, form };
            render_case(&state, &staff, &headers, case, agency, Some(back)).await
        }
    };
    // A closed case says so first; then a stale form; then what the form asks.
    if let Err(refusal) = rules::if_open(case.outcome, action.unwrap_or(Action::Reply)) {
        return back(case, agency, refusal.into(), form).await;
    }
    if form.version.trim().parse::<i64>().ok() != Some(case.version()) {
        let refused = Refused {
            status: StatusCode::CONFLICT,
            message: "该申请在您打开页面后已被他人更新，请核对下方最新办理记录后重新提交。"
                .to_owned(),
        };
        return back(case, agency, refused, form).await;
    }
    let Some(action) = action else {
        return back(case, agency, invalid("未知的办理事项。"), form).await;
    };
    let today = state.today();
    let calendar = state.calendar();
    let agencies = state.agencies().await?;
    let application = case.clock_application();
    let situation =
        Situation::new(&application, &calendar, today, case.outcome, case.pending_extension())
            .map(|situation| situation.with_objections(objections(&case)));
    let situation = match situation {
        Ok(situation) => situation,
        Err(err) => return back(case, agency, rules::unreadable(action, err).into(), form).await,
    };
    let applied = command(&form, action, &agencies, &agency.code).and_then(|command| {
        rules::apply(&situation, &actor(&staff, &agency, &agencies), &command)
            .map_err(Refused::from)
    });
    let applied = match applied {
        Ok(applied) => applied,
        Err(refused) => return back(case, agency, refused, form).await,
    };
    let audit = staff.actor();
    // Whoever takes the first step becomes the handler (closing too: it sends the applicant a letter, which
    // must name them unmasked).
    if case.handler.is_none() && need == Need::Handle {
        applications::assign(state.store(), &case.tracking_number, &staff.username, &audit).await?;
    }
    let handler = case.handler.clone().unwrap_or_else(|| staff.username.clone());
    let applicant = match &applied.letter {
        Some(_) => {
            applications::applicant(state.store(), &case.tracking_number, &handler).await?.name
        }
        None => String::new(),
    };
    let recorded =
        record_applied(&state, &case, &agency, &applied, &applicant, Uploaded::default(), &audit)
            .await?;
    match recorded {
        Ok(_) => {}
        Err(StoreError::Conflict { .. }) => {
            let fresh = handling::case(state.store(), &case.tracking_number).await?;
            let refused = Refused {
                status: StatusCode::CONFLICT,
                message: "该申请刚刚被他人更新，您的操作未保存。请核对最新办理记录后重新提交。"
                    .to_owned(),
            };
            return back(fresh, agency, refused, form).await;
        }
        Err(err) => return Err(err.into()),
    }
    let anchor = if action == Action::Close { "" } else { "#timeline" };
    Ok(Redirect::to(&format!("/staff/cases/{}{anchor}", case.tracking_number)).into_response())
}

/// The third parties consulted on the case who answered that they do not agree to disclosure (art. 32).
fn objections(case: &Case) -> Vec<String> {
    let mut consulted: Option<String> = None;
    let mut objected = Vec::new();
    for step in &case.steps {
        match &step.event {
            Event::ConsultationSent { party: Party::ThirdParty, .. } => {
                consulted =
                    step.details.get("consulted").and_then(|name| name.as_str()).map(str::to_owned);
            }
            Event::ConsultationSent { .. } => consulted = None,
            Event::ConsultationAnswered { .. } => {
                let disagreed = step.details.get("opinion").and_then(|opinion| opinion.as_str())
                    == Some(Opinion::Disagree.label());
                if let Some(party) = consulted.take().filter(|_| disagreed)
                    && !objected.contains(&party)
                {
                    objected.push(party);
                }
            }
            _ => {}
        }
    }
    objected
}

/// Files the applicant sent with a step, and the client network they came from (for the day's quotas).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Uploaded<'a> {
    pub(crate) files: &'a [(String, Vec<u8>)],
    pub(crate) network: &'a str,
}

/// Records an allowed step on `case` against the version it was read at: its letters to `applicant`
/// (rendered as DOCX and PDF, with masked copies), the applicant's notice of it and any files sent with it,
/// all in one transaction. The inner result is the store's (a conflict for the caller to explain).
pub(crate) async fn record_applied(
    state: &AppState,
    case: &Case,
    agency: &AgencyRow,
    applied: &Applied,
    applicant: &str,
    uploaded: Uploaded<'_>,
    actor: &gongkai_store::Actor<'_>,
) -> Result<Result<i64, StoreError>, PageError> {
    let step = NewStep {
        event: applied.event.clone(),
        details: applied.details.clone(),
        outcome: applied.outcome,
        regime: applied.outcome.map(|_| applied.report.regime),
        action: applied.audit_action,
    };
    // The step's letters are made first and written with the step in one transaction: the applicant's, then
    // those to others (a third party told of a disclosure it objected to).
    let agencies = state.agencies().await?;
    let calendar = state.calendar();
    let mut rendered = Vec::new();
    for plan in applied.letter.iter().chain(&applied.others) {
        rendered.extend(letters_of(plan, case, agency, &agencies, applicant, applied, &calendar)?);
    }
    let letters: Vec<stored_letters::NewLetter<'_>> = rendered
        .iter()
        .map(|(kind, title, media_type, data, masked, on)| stored_letters::NewLetter {
            kind: *kind,
            title: Some(title),
            media_type,
            data,
            masked: Some(masked),
            sent_on: Some(*on),
        })
        .collect();
    let notice = gongkai_core::notices::of_step(
        &agency.name,
        &case.tracking_number,
        applied.event.as_ref(),
        applied.letter.as_ref(),
        applied.report.due,
    );
    let telling = notice
        .as_ref()
        .map(|notice| gongkai_store::notifications::Telling { notice, channels: state.channels() });
    // A transfer opens the application at the other agency, received the day of the reply, with its own
    // clock.
    let transfer = applied.letter.as_ref().and_then(LetterPlan::transfer_to).map(|to| {
        let intake = gongkai_core::regime::Intake::received_on(
            gongkai_core::regime::Channel::Online,
            applied.on,
        );
        let application =
            gongkai_core::clock::Application { intake, regime: None, events: Vec::new() };
        let due = gongkai_core::clock::evaluate(&application, &state.calendar(), applied.on)
            .ok()
            .and_then(|report| report.due);
        gongkai_store::applications::Transfer {
            to,
            on: applied.on,
            due,
            channels: state.channels(),
        }
    });
    let with = handling::With {
        letters: &letters,
        telling: telling.as_ref(),
        files: uploaded.files,
        network: uploaded.network,
        transfer,
    };
    Ok(handling::record_with(
        state.store(),
        &case.tracking_number,
        case.version(),
        &step,
        with,
        actor,
    )
    .await)
}

/// The step's letter to `applicant` and its copy with the name masked, each as DOCX and PDF.
fn letters_of(
    plan: &LetterPlan,
    case: &Case,
    agency: &AgencyRow,
    agencies: &[AgencyRow],
    applicant: &str,
    applied: &Applied,
    calendar: &gongkai_core::calendar::Calendar,
) -> Result<Vec<RenderedLetter>, PageError> {
    let parent = agency
        .parent_code
        .as_deref()
        .and_then(|parent| agencies.iter().find(|other| other.code == parent))
        .map(|parent| parent.name.as_str());
    let sender =
        Sender { name: &agency.name, office: &agency.office, phone: &agency.phone, parent };
    let compose = |applicant: &str| {
        plan.compose(
            &sender,
            &case.tracking_number,
            &case.description,
            applicant,
            &applied.report,
            applied.on,
            calendar,
        )
    };
    let letter = compose(applicant);
    let masked = compose(&applications::mask(applicant, 1, 0));
    render_letter(plan.kind(), &letter, &masked, applied.on)
}

/// A rendered letter: kind, title, media type, the letter as sent, its masked copy, the day it is sent.
type RenderedLetter = (LetterKind, String, &'static str, Vec<u8>, Vec<u8>, Date);

/// Renders `letter` and its `masked` copy as DOCX and PDF.
fn render_letter(
    kind: LetterKind,
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
            letter.title.clone(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            docx(letter)?,
            docx(masked)?,
            on,
        ),
        (kind, letter.title.clone(), "application/pdf", pdf(letter)?, pdf(masked)?, on),
    ])
}
