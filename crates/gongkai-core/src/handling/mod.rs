//! The steps of handling an application: what a case allows, who may take a step, and what a step records
//! and sends.
//!
//! The back office parses each step form into a [`Command`] and asks [`apply`]; it decides nothing itself.
//! [`offers`] says which steps the case page shows; [`apply`] refuses a step with a [`Refusal`] citing its
//! rule, or returns what the step records (the clock [`Event`], the details kept with it, the
//! outcome that closes the case) and the letter it sends ([`LetterPlan`], composed by
//! [`LetterPlan::compose`]).
//!
//! ```text
//!                 supplement ──▶ AwaitingSupplement ──supplement_received──▶ InProgress
//!                 consult    ──▶ InConsultation     ──consult_answered────▶ InProgress
//!                 fee        ──▶ AwaitingPayment    ──fee_paid────────────▶ InProgress
//!  InProgress ──  extension_request ──▶ (pending) ──extension_decide──▶ approved once (art. 33) / refused
//!  / Overdue      reply ──▶ Replied (closed with its outcome)
//!                 no supplement / no fee in time ──▶ Lapsed ──close──▶ closed as 其他处理 (告知书)
//! ```

mod command;
mod letter;
mod refusal;

use serde_json::json;
use time::Date;

use crate::calendar::Calendar;
use crate::clock::{self, Application, ClockError, ClockReport, Event, LapseReason, Party, State};
use crate::fee;
use crate::records::{OtherHandling, Outcome};
use crate::regime::Regime;

pub use command::{
    Command, FeeBasis, Opinion, REPLY_OPTIONS, Reply, ReplyOption, Responsible, SendMethod,
    reply_option, reply_options,
};
pub use letter::{LetterPlan, Sender, contact};
pub use refusal::Refusal;

/// A step of handling, as the case page names its forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Supplement,
    SupplementReceived,
    Consult,
    ConsultAnswered,
    ExtensionRequest,
    ExtensionDecide,
    Fee,
    FeePaid,
    Reply,
    Close,
    /// Ask the applicant for reasons (2019 条例 art. 35).
    Reasons,
    /// Reasons found reasonable but no reply possible in time: set a reasonable later date (art. 35).
    Defer,
}

impl Action {
    pub const ALL: [Action; 12] = [
        Action::Supplement,
        Action::SupplementReceived,
        Action::Consult,
        Action::ConsultAnswered,
        Action::ExtensionRequest,
        Action::ExtensionDecide,
        Action::Fee,
        Action::FeePaid,
        Action::Reply,
        Action::Close,
        Action::Reasons,
        Action::Defer,
    ];

    /// The form's `action` value.
    pub fn code(self) -> &'static str {
        match self {
            Action::Supplement => "supplement",
            Action::SupplementReceived => "supplement_received",
            Action::Consult => "consult",
            Action::ConsultAnswered => "consult_answered",
            Action::ExtensionRequest => "extension_request",
            Action::ExtensionDecide => "extension_decide",
            Action::Fee => "fee",
            Action::FeePaid => "fee_paid",
            Action::Reply => "reply",
            Action::Close => "close",
            Action::Reasons => "reasons",
            Action::Defer => "defer",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.code() == code)
    }

    /// Whether the step is the office head's (the approval of an extension, 2019 条例 art. 33: "经政府信息
    /// 公开工作机构负责人同意") rather than the handler's.
    pub fn needs_approver(self) -> bool {
        self == Action::ExtensionDecide
    }
}

/// Who takes a step: the user and what their roles allow on the case's agency.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub username: &'a str,
    /// Handles applications (the agency's clerks).
    pub may_handle: bool,
    /// Approves extensions (the head of the disclosure office).
    pub may_approve: bool,
}

/// An extension asked for and not yet decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingExtension<'a> {
    pub requested_by: &'a str,
    pub working_days: Option<u32>,
    pub reason: &'a str,
}

/// The index of the extension request nobody decided yet: the newest extension step, if it is a request.
pub fn pending_extension(events: &[Event]) -> Option<usize> {
    let (index, last) = events.iter().enumerate().rev().find(|(_, event)| {
        matches!(
            event,
            Event::ExtensionRequested { .. }
                | Event::ExtensionApproved { .. }
                | Event::ExtensionRefused { .. }
        )
    })?;
    matches!(last, Event::ExtensionRequested { .. }).then_some(index)
}

/// A case as the steps see it, on a day.
#[derive(Debug, Clone)]
pub struct Situation<'a> {
    /// The clock's view of the case (its events in order).
    pub application: &'a Application,
    pub calendar: &'a Calendar,
    pub today: Date,
    /// The outcome the case was closed with, if it was.
    pub outcome: Option<Outcome>,
    pub pending_extension: Option<PendingExtension<'a>>,
    /// The clock as of `today`, before the step.
    pub report: ClockReport,
    /// The third parties consulted who did not agree to disclosure (art. 32): a decision to disclose
    /// anyway tells each of them in writing, with the reasons.
    pub objections: Vec<String>,
}

impl<'a> Situation<'a> {
    /// The case on `today`; an error when the clock cannot read its records.
    pub fn new(
        application: &'a Application,
        calendar: &'a Calendar,
        today: Date,
        outcome: Option<Outcome>,
        pending_extension: Option<PendingExtension<'a>>,
    ) -> Result<Situation<'a>, ClockError> {
        let report = clock::evaluate(application, calendar, today)?;
        Ok(Situation {
            application,
            calendar,
            today,
            outcome,
            pending_extension,
            report,
            objections: Vec::new(),
        })
    }

    /// The same case, with the third parties who objected to disclosure.
    pub fn with_objections(mut self, objections: Vec<String>) -> Situation<'a> {
        self.objections = objections;
        self
    }

    fn has(&self, test: fn(&Event) -> bool) -> bool {
        self.application.events.iter().any(test)
    }

    fn open(&self) -> bool {
        !matches!(self.report.state, State::Lapsed(_) | State::Replied)
    }
}

/// The steps the case page offers a viewer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Offers {
    pub supplement: bool,
    pub supplement_received: bool,
    pub consult: bool,
    pub consult_answered: bool,
    pub extension_request: bool,
    pub extension_decide: bool,
    pub fee: bool,
    pub fee_paid: bool,
    pub reply: bool,
    pub close: bool,
    pub reasons: bool,
    pub defer: bool,
}

impl Offers {
    pub fn offered(&self, action: Action) -> bool {
        match action {
            Action::Supplement => self.supplement,
            Action::SupplementReceived => self.supplement_received,
            Action::Consult => self.consult,
            Action::ConsultAnswered => self.consult_answered,
            Action::ExtensionRequest => self.extension_request,
            Action::ExtensionDecide => self.extension_decide,
            Action::Fee => self.fee,
            Action::FeePaid => self.fee_paid,
            Action::Reply => self.reply,
            Action::Close => self.close,
            Action::Reasons => self.reasons,
            Action::Defer => self.defer,
        }
    }
}

/// The steps `actor` may take on the case now.
///
/// - 补正 is asked once (2019 条例 art. 30: "一次性告知申请人作出补正");
/// - an extension is approved once (art. 33: "延长答复期限" once, "最长不得超过20个工作日"); after a refusal
///   the clerk may ask again; the head decides a request they did not make themselves;
/// - a fee is notified once and only under the 2019 条例 (国办函〔2020〕109号);
/// - no reply while the applicant owes a supplement or a fee; a lapsed case is closed as 其他处理.
pub fn offers(situation: &Situation<'_>, actor: &Actor<'_>) -> Offers {
    if situation.outcome.is_some() {
        return Offers::default();
    }
    let state = situation.report.state;
    let open = situation.open();
    let handle = actor.may_handle;
    let pending = situation.pending_extension;
    let extension_used = pending.is_some()
        || situation.has(|event| matches!(event, Event::ExtensionApproved { .. }));
    Offers {
        supplement: handle
            && open
            && !situation.has(|event| matches!(event, Event::SupplementRequested { .. })),
        supplement_received: handle && state == State::AwaitingSupplement,
        consult: handle && open && state != State::InConsultation,
        consult_answered: handle && state == State::InConsultation,
        // After a later date under art. 35 the period is the one told to the applicant: no art. 33 extension.
        extension_request: handle
            && open
            && !extension_used
            && !situation.has(|event| matches!(event, Event::ReplyDeferred { .. })),
        extension_decide: actor.may_approve
            && open
            && pending.is_some_and(|request| request.requested_by != actor.username),
        fee: handle
            && open
            && situation.report.regime == Regime::Ordinance2019
            && !situation.has(|event| matches!(event, Event::FeeNotified { .. })),
        fee_paid: handle && state == State::AwaitingPayment,
        reply: handle
            && open
            && !matches!(state, State::AwaitingSupplement | State::AwaitingPayment),
        close: handle && matches!(state, State::Lapsed(_)),
        reasons: handle
            && state == State::InProgress
            && situation.report.regime == Regime::Ordinance2019
            && !situation.has(|event| matches!(event, Event::ReasonsRequested { .. })),
        defer: handle
            && state == State::InProgress
            && situation.has(|event| matches!(event, Event::ReasonsRequested { .. }))
            && !situation.has(|event| matches!(event, Event::ReplyDeferred { .. })),
    }
}

/// How far after the decision a later reply date under art. 35 may lie: the 条例 sets no bound; ours, so
/// that a mistyped year cannot keep a case from ever being overdue.
const DEFERRAL_MAX_DAYS: i64 = 366;

/// What an allowed step records and sends.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The clock event; `None` when closing a lapsed case.
    pub event: Option<Event>,
    /// What the step's record keeps beyond the event (the case page's timeline).
    pub details: serde_json::Value,
    /// The outcome that closes the case.
    pub outcome: Option<Outcome>,
    pub letter: Option<LetterPlan>,
    /// Letters the step sends to others than the applicant (the third parties told of a disclosure they
    /// objected to, art. 32).
    pub others: Vec<LetterPlan>,
    /// The audit trail's name of the step.
    pub audit_action: &'static str,
    /// The clock with the step recorded, as of today.
    pub report: ClockReport,
    /// The day the step is dated (today for closing).
    pub on: Date,
}

/// What a step records, before the clock and the roles are asked.
struct Step {
    event: Option<Event>,
    details: serde_json::Value,
    outcome: Option<Outcome>,
    letter: Option<LetterPlan>,
    others: Vec<LetterPlan>,
    audit_action: &'static str,
}

impl Step {
    fn event(event: Event, details: serde_json::Value, audit_action: &'static str) -> Step {
        Step {
            event: Some(event),
            details,
            outcome: None,
            letter: None,
            others: Vec::new(),
            audit_action,
        }
    }

    fn sending(mut self, letter: LetterPlan) -> Step {
        self.letter = Some(letter);
        self
    }
}

/// The step `command` on the case, once every rule allows it: first the form's own rules, then the clock
/// with the step added, then the actor's roles.
pub fn apply(
    situation: &Situation<'_>,
    actor: &Actor<'_>,
    command: &Command,
) -> Result<Applied, Refusal> {
    if_open(situation.outcome, command.action())?;
    let on = command.on().unwrap_or(situation.today);
    if on > situation.today {
        return Err(Refusal::FutureDate);
    }
    let step = match command {
        Command::RequestSupplement { items, reply_by, .. } => supplement(on, items, *reply_by)?,
        Command::SupplementReceived { note, .. } => Step::event(
            Event::SupplementReceived { on },
            json!({ "note": note.trim() }),
            "supplement_received",
        ),
        Command::Consult { party, consulted, .. } => consult(situation, on, *party, consulted)?,
        Command::ConsultationAnswered { opinion, note, .. } => Step::event(
            Event::ConsultationAnswered { on },
            json!({ "opinion": opinion.label(), "note": note.trim() }),
            "consult_answered",
        ),
        Command::RequestExtension { working_days, reason, .. } => {
            extension_request(situation, on, *working_days, reason)?
        }
        Command::DecideExtension { approve, working_days, note, .. } => {
            extension_decision(situation, actor, on, *approve, *working_days, note)?
        }
        Command::NotifyFee { basis, .. } => fee_notice(on, *basis)?,
        Command::FeePaid { note, .. } => {
            Step::event(Event::FeePaid { on }, json!({ "note": note.trim() }), "fee_paid")
        }
        Command::Reply(answer) => reply(situation, on, answer)?,
        Command::RequestReasons { facts, .. } => {
            let facts = facts.trim();
            if facts.chars().count() < 2 {
                return Err(Refusal::ReasonsFactsMissing);
            }
            // Asked within the period of art. 33, as an extension is.
            if let Some(due) = situation.report.due.filter(|due| *due < on) {
                return Err(Refusal::ReasonsAfterDue { due });
            }
            Step::event(Event::ReasonsRequested { on }, json!({ "facts": facts }), "reasons")
                .sending(LetterPlan::Reasons { facts: facts.to_owned() })
        }
        Command::DeferReply { until, reason, .. } => {
            let reason = reason.trim();
            if reason.chars().count() < 2 {
                return Err(Refusal::DeferralReasonMissing);
            }
            let asked = situation.application.events.iter().find_map(|event| match event {
                Event::ReasonsRequested { on } => Some(*on),
                _ => None,
            });
            if asked.is_none_or(|asked| asked >= on) {
                return Err(Refusal::DeferralBeforeReasons);
            }
            if let Some(due) = situation.report.due {
                if due < on {
                    return Err(Refusal::DeferralAfterDue { due });
                }
                if *until <= due {
                    return Err(Refusal::DeferralNotLater { due });
                }
            }
            if *until > on + time::Duration::days(DEFERRAL_MAX_DAYS) {
                return Err(Refusal::DeferralTooFar);
            }
            Step::event(
                Event::ReplyDeferred { on, until: *until },
                json!({ "until": until.to_string(), "reason": reason }),
                "defer",
            )
            .sending(LetterPlan::Deferral { until: *until, reason: reason.to_owned() })
        }
        Command::Close => {
            let State::Lapsed(lapse) = situation.report.state else {
                return Err(Refusal::NotLapsed);
            };
            let outcome = lapsed_outcome(lapse);
            let details = json!({ "outcome": outcome.label() });
            // The applicant is told the case is closed and why, with the remedies, as any reply tells them.
            let letter = LetterPlan::Reply {
                outcome,
                access: String::new(),
                withheld_parts: String::new(),
                reasons: String::new(),
                responsible: None,
            };
            Step {
                event: None,
                details,
                outcome: Some(outcome),
                letter: Some(letter),
                others: Vec::new(),
                audit_action: "close",
            }
        }
    };
    // The clock must accept the case with the new step, as of today (a second 补正 notice, a step before
    // the receipt, an extension approved twice, a second fee notice are its refusals).
    let report = match &step.event {
        Some(event) => {
            let mut application = situation.application.clone();
            application.events.push(event.clone());
            clock::evaluate(&application, situation.calendar, situation.today)?
        }
        None => situation.report.clone(),
    };
    // Who may take it. What the page offers is not checked again: it reads the case as of today, while a
    // step may be recorded days after it happened, and the clock judged the step as of its own date.
    if command.action().needs_approver() {
        if !actor.may_approve {
            return Err(Refusal::NotApprover);
        }
    } else if !actor.may_handle {
        return Err(Refusal::NotHandler);
    }
    let Step { event, details, outcome, letter, others, audit_action } = step;
    Ok(Applied { event, details, outcome, letter, others, audit_action, report, on })
}

/// 补正 (2019 条例 art. 30): the notice names what to supplement and gives a reasonable period after it.
fn supplement(on: Date, items: &str, reply_by: Date) -> Result<Step, Refusal> {
    let items = items.trim();
    if items.chars().count() < 2 {
        return Err(Refusal::SupplementItemsMissing);
    }
    if reply_by <= on {
        return Err(Refusal::SupplementPeriodTooShort);
    }
    Ok(Step::event(
        Event::SupplementRequested { on, reply_by: Some(reply_by) },
        json!({ "items": items, "reply_by": reply_by.to_string() }),
        "supplement",
    )
    .sending(LetterPlan::Supplement { items: items.to_owned(), reply_by }))
}

/// 征求意见: a third party (2019 条例 art. 32) or, under the 2019 条例 only, another agency (art. 34).
fn consult(
    situation: &Situation<'_>,
    on: Date,
    party: Party,
    consulted: &str,
) -> Result<Step, Refusal> {
    let consulted = consulted.trim();
    if consulted.is_empty() {
        return Err(Refusal::ConsultedMissing);
    }
    if party == Party::OtherAgency && situation.report.regime == Regime::Ordinance2007 {
        return Err(Refusal::AgencyConsultationUnder2007);
    }
    Ok(Step::event(
        Event::ConsultationSent { on, party },
        json!({ "consulted": consulted }),
        "consult",
    )
    .sending(LetterPlan::Consultation {
        consulted: consulted.to_owned(),
        other_agency: party == Party::OtherAgency,
    }))
}

/// A request to extend the period (2019 条例 art. 33; 2007 art. 24): with its reason, within the longest
/// extension, and before the period ends.
fn extension_request(
    situation: &Situation<'_>,
    on: Date,
    working_days: u32,
    reason: &str,
) -> Result<Step, Refusal> {
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(Refusal::ExtensionReasonMissing);
    }
    if situation.has(|event| matches!(event, Event::ReplyDeferred { .. })) {
        return Err(Refusal::ExtensionAfterDeferral);
    }
    let regime = situation.report.regime;
    let max = regime.max_extension_working_days();
    if working_days == 0 || working_days > max {
        return Err(Refusal::ExtensionLength { asked: working_days, max, regime });
    }
    if let Some(due) = situation.report.due.filter(|due| *due < on) {
        return Err(Refusal::ExtensionAfterDue { due });
    }
    // A request after an approval is recorded (the head will see it) but the clock never lets a second
    // approval through (art. 33: once); the page does not offer it.
    Ok(Step::event(
        Event::ExtensionRequested { on },
        json!({ "reason": reason, "working_days": working_days }),
        "extension.request",
    ))
}

/// The head's decision on the pending request (art. 33: "经政府信息公开工作机构负责人同意"), never on
/// their own; an approval without a number grants what was asked for.
fn extension_decision(
    situation: &Situation<'_>,
    actor: &Actor<'_>,
    on: Date,
    approve: bool,
    working_days: Option<u32>,
    note: &str,
) -> Result<Step, Refusal> {
    let Some(request) = situation.pending_extension else {
        return Err(Refusal::NoPendingExtension);
    };
    if request.requested_by == actor.username {
        return Err(Refusal::OwnExtension);
    }
    let details = json!({ "requested_by": request.requested_by, "note": note.trim() });
    if !approve {
        return Ok(Step::event(Event::ExtensionRefused { on }, details, "extension.refuse"));
    }
    let max = situation.report.regime.max_extension_working_days();
    let working_days = working_days.or(request.working_days).unwrap_or(max);
    Ok(Step::event(Event::ExtensionApproved { on, working_days }, details, "extension.approve")
        .sending(LetterPlan::Extension { working_days, reason: request.reason.to_owned() }))
}

/// The fee notice (国办函〔2020〕109号, 2019 条例 only): the amount by件 or by量, never 0 元.
fn fee_notice(on: Date, basis: FeeBasis) -> Result<Step, Refusal> {
    // Under the 2007 条例 the clock refuses the notice (no fee existed then); the page does not offer it.
    let (quote, basis) = match basis {
        FeeBasis::PerApplication { nth } => (
            fee::per_application(nth).map_err(Refusal::Fee)?,
            format!("按件计收，本自然月第{nth}件"),
        ),
        FeeBasis::PerVolume { pages } => {
            (fee::per_volume(pages).map_err(Refusal::Fee)?, format!("按量计收，共{pages}页"))
        }
    };
    if quote.amount_yuan == 0 {
        return Err(Refusal::ZeroFee);
    }
    let amount_yuan = quote.amount_yuan;
    Ok(Step::event(Event::FeeNotified { on, amount_yuan }, json!({ "basis": basis }), "fee")
        .sending(LetterPlan::Fee { amount_yuan, basis }))
}

/// The reply (2019 条例 art. 36): a category of the case's 条例, the withheld parts and their reasons for
/// a partial disclosure (art. 37), reasons for a refusal (art. 36(3)) or for not processing (arts. 35,
/// 36(6), 39).
fn reply(situation: &Situation<'_>, on: Date, answer: &Reply) -> Result<Step, Refusal> {
    let Reply { category: reply, method, access, withheld_parts, reasons, responsible, .. } =
        answer;
    if reply.only_2007 && situation.report.regime != Regime::Ordinance2007 {
        return Err(Refusal::ReplyNotUnderRegime(reply.code));
    }
    let (access, withheld_parts, reasons) = (access.trim(), withheld_parts.trim(), reasons.trim());
    match reply.outcome {
        Outcome::PartiallyDisclosed if withheld_parts.is_empty() || reasons.is_empty() => {
            return Err(Refusal::PartialWithoutParts);
        }
        Outcome::Withheld(_) | Outcome::NotProcessed(_) if reasons.is_empty() => {
            return Err(Refusal::ReasonsMissing);
        }
        _ => {}
    }
    // Disclosing what a consulted third party objected to: only for the public interest, with the reasons,
    // told to each of them in writing (2019 art. 32; 2007 art. 23).
    let disclosing = matches!(reply.outcome, Outcome::Disclosed | Outcome::PartiallyDisclosed);
    let others: Vec<LetterPlan> = if disclosing && !situation.objections.is_empty() {
        if reasons.is_empty() {
            return Err(Refusal::OverruledWithoutReasons);
        }
        situation
            .objections
            .iter()
            .map(|party| LetterPlan::ThirdParty {
                party: party.clone(),
                reasons: reasons.to_owned(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let responsible = responsible.clone().filter(|_| reply.outcome == Outcome::NotThisAgency);
    let details = json!({
        "outcome": reply.label,
        "access": access,
        "withheld_parts": withheld_parts,
        "reasons": reasons,
        "responsible": responsible.as_ref().map(|agency| agency.name.clone()),
        "transferred_to": responsible.as_ref().and_then(|agency| agency.transfer_to.clone()),
        "method": method.name(),
    });
    Ok(Step {
        event: Some(Event::Replied { on }),
        details,
        outcome: Some(reply.outcome),
        letter: Some(LetterPlan::Reply {
            outcome: reply.outcome,
            access: access.to_owned(),
            withheld_parts: withheld_parts.to_owned(),
            reasons: reasons.to_owned(),
            responsible,
        }),
        others,
        audit_action: "reply",
    })
}

/// The applicant withdraws the application online on `situation.today`: the case closes as 其他处理 (other)
/// with a 终止办理告知书, served online that day — recorded as the reply, so the clock and the annual report
/// see the case end on that day (2021 format 三（六）3 其他 [U]: no row is named for a withdrawal). Refused
/// once the case is closed (a reply cannot be withdrawn) or has lapsed (it is taken as abandoned already and
/// the agency closes it).
pub fn withdraw(situation: &Situation<'_>) -> Result<Applied, Refusal> {
    if situation.outcome.is_some() || matches!(situation.report.state, State::Lapsed(_)) {
        return Err(Refusal::Closed);
    }
    let on = situation.today;
    let event = Event::Replied { on };
    let mut application = situation.application.clone();
    application.events.push(event.clone());
    let report = clock::evaluate(&application, situation.calendar, situation.today)?;
    let outcome = Outcome::OtherHandling(OtherHandling::Other);
    Ok(Applied {
        event: Some(event),
        details: json!({
            "outcome": "申请人撤回申请，终止办理",
            "method": SendMethod::Online.name(),
            "by": "申请人（网上）",
            "withdrawn": true,
        }),
        outcome: Some(outcome),
        letter: Some(LetterPlan::Withdrawal { requested_on: on }),
        others: Vec::new(),
        audit_action: "withdraw",
        report,
        on,
    })
}

/// The applicant sends the 补正 online on `situation.today`, with `note` and the names of its `files`: the supplement has arrived
/// (2019 条例 art. 30: the period runs from its receipt). Only while a 补正 is awaited; the clock checks the
/// rest.
pub fn supplement_sent(
    situation: &Situation<'_>,
    note: &str,
    files: &[String],
) -> Result<Applied, Refusal> {
    if situation.outcome.is_some() {
        return Err(Refusal::Closed);
    }
    if situation.report.state != State::AwaitingSupplement {
        return Err(Refusal::NoSupplementAwaited);
    }
    let on = situation.today;
    let event = Event::SupplementReceived { on };
    let mut application = situation.application.clone();
    application.events.push(event.clone());
    let report = clock::evaluate(&application, situation.calendar, situation.today)?;
    Ok(Applied {
        event: Some(event),
        details: json!({ "note": note.trim(), "files": files, "by": "申请人（网上提交）" }),
        outcome: None,
        letter: None,
        others: Vec::new(),
        audit_action: "supplement_received",
        report,
        on,
    })
}

/// Refuses any step on a case closed with `outcome`: closing again is "not lapsed", anything else "closed".
/// Asked first, before the version of the form or the clock, so a closed case always says so.
pub fn if_open(outcome: Option<Outcome>, action: Action) -> Result<(), Refusal> {
    match outcome {
        None => Ok(()),
        Some(_) if action == Action::Close => Err(Refusal::NotLapsed),
        Some(_) => Err(Refusal::Closed),
    }
}

/// The refusal of a step on a case whose records the clock cannot read: closing needs a lapse the clock
/// cannot show; any other step is refused with the clock's reason.
pub fn unreadable(action: Action, err: ClockError) -> Refusal {
    if action == Action::Close { Refusal::NotLapsed } else { Refusal::Unreadable(err) }
}

/// The 其他处理 a lapsed case is closed with (2019 条例 art. 30 for an unmet 补正; 国办函〔2020〕109号 for
/// an unpaid fee: "视为放弃申请").
pub fn lapsed_outcome(lapse: LapseReason) -> Outcome {
    match lapse {
        LapseReason::SupplementNotReceived => Outcome::OtherHandling(OtherHandling::NoSupplement),
        LapseReason::FeeNotPaid => Outcome::OtherHandling(OtherHandling::FeeNotPaid),
    }
}

#[cfg(test)]
mod tests;
