//! The steps of handling an application: what a case allows, who may take a step, and what a step records
//! and sends.
//!
//! The back office parses each step form into a [`Command`] and asks [`apply`]; it decides nothing itself.
//! [`offers`] says which steps the case page shows, [`allowed`] refuses a step with a [`Refusal`] citing its
//! rule, and [`apply`] returns what the step records (the clock [`Event`], the details kept with it, the
//! outcome that closes the case) and the letter it sends ([`LetterPlan`], composed by
//! [`LetterPlan::compose`]).
//!
//! ```text
//!                 supplement ──▶ AwaitingSupplement ──supplement_received──▶ InProgress
//!                 consult    ──▶ InConsultation     ──consult_answered────▶ InProgress
//!                 fee        ──▶ AwaitingPayment    ──fee_paid────────────▶ InProgress
//!  InProgress ──  extension_request ──▶ (pending) ──extension_decide──▶ approved once (art. 33) / refused
//!  / Overdue      reply ──▶ Replied (closed with its outcome)
//!                 no supplement / no fee in time ──▶ Lapsed ──close──▶ closed as 其他处理
//! ```

use serde_json::json;
use time::Date;

use crate::calendar::Calendar;
use crate::clock::{self, Application, ClockError, ClockReport, Event, LapseReason, Party, State};
use crate::fee;
use crate::letters::{self, CaseFacts, Letter, ReplyFacts};
use crate::regime::Regime;
use crate::report::records::{NonProcessing, OtherHandling, Outcome, Unavailability, Withholding};

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
}

impl Action {
    pub const ALL: [Action; 10] = [
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
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|action| action.code() == code)
    }

    /// What the step is called on the case page.
    pub fn label(self) -> &'static str {
        match self {
            Action::Supplement => "告知补正",
            Action::SupplementReceived => "登记收到补正材料",
            Action::Consult => "征求意见",
            Action::ConsultAnswered => "登记收到意见",
            Action::ExtensionRequest => "申请延期答复",
            Action::ExtensionDecide => "审批延期",
            Action::Fee => "发出缴费通知",
            Action::FeePaid => "登记已缴费",
            Action::Reply => "答复",
            Action::Close => "按“其他处理”办结",
        }
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
    /// Handles applications (the agency's clerks and heads).
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
        Ok(Situation { application, calendar, today, outcome, pending_extension, report })
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
        extension_request: handle && open && !extension_used,
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
    }
}

/// The consulted party's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opinion {
    Agree,
    Disagree,
    /// No opinion within the period (art. 32: 逾期未提出意见的，由行政机关依照本条例的规定决定是否公开).
    NoneInTime,
}

impl Opinion {
    pub fn from_code(code: &str) -> Option<Opinion> {
        match code {
            "agree" => Some(Opinion::Agree),
            "disagree" => Some(Opinion::Disagree),
            "none" => Some(Opinion::NoneInTime),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Opinion::Agree => "同意公开",
            Opinion::Disagree => "不同意公开",
            Opinion::NoneInTime => "逾期未提出意见",
        }
    }
}

/// How the fee is charged (国办函〔2020〕109号: 按件 or 按量).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeBasis {
    /// The applicant's `nth` application in the calendar month.
    PerApplication {
        nth: u64,
    },
    PerVolume {
        pages: u64,
    },
}

/// How the reply is served, and the day it counts from (国办公开办函〔2016〕235号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMethod {
    Direct,
    Post,
    Online,
}

impl SendMethod {
    pub const ALL: [SendMethod; 3] = [SendMethod::Direct, SendMethod::Post, SendMethod::Online];

    pub fn code(self) -> &'static str {
        match self {
            SendMethod::Direct => "direct",
            SendMethod::Post => "post",
            SendMethod::Online => "online",
        }
    }

    pub fn from_code(code: &str) -> Option<SendMethod> {
        SendMethod::ALL.into_iter().find(|method| method.code() == code)
    }

    /// The label, with the day the reply's date is: signed for, posted, sent.
    pub fn label(self) -> &'static str {
        match self {
            SendMethod::Direct => "直接送达（日期填申请人签收之日）",
            SendMethod::Post => "邮政寄送（日期填交邮之日）",
            SendMethod::Online => "网上或电子邮件送达（日期填发送之日）",
        }
    }
}

/// A reply category offered on the case page: its form code, its label with the article, the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplyOption {
    pub code: &'static str,
    pub label: &'static str,
    pub outcome: Outcome,
    /// Offered only for a case under the 2007 条例.
    pub only_2007: bool,
}

const fn option(code: &'static str, label: &'static str, outcome: Outcome) -> ReplyOption {
    ReplyOption { code, label, outcome, only_2007: false }
}

const fn option_2007(code: &'static str, label: &'static str, outcome: Outcome) -> ReplyOption {
    ReplyOption { code, label, outcome, only_2007: true }
}

/// Every reply category: those of 2019 条例 art. 36 with their grounds, then the 2007-era answers.
pub const REPLY_OPTIONS: [ReplyOption; 26] = [
    option(
        "already_published",
        "予以公开：所申请信息已经主动公开（第三十六条第一项）",
        Outcome::AlreadyPublished,
    ),
    option("disclosed", "予以公开（第三十六条第二项）", Outcome::Disclosed),
    option("partial", "部分公开（第三十七条）", Outcome::PartiallyDisclosed),
    option(
        "withheld.state_secret",
        "不予公开：属于国家秘密",
        Outcome::Withheld(Withholding::StateSecret),
    ),
    option(
        "withheld.forbidden_by_law",
        "不予公开：其他法律行政法规禁止公开",
        Outcome::Withheld(Withholding::ForbiddenByLaw),
    ),
    option(
        "withheld.security",
        "不予公开：危及“三安全一稳定”",
        Outcome::Withheld(Withholding::Security),
    ),
    option(
        "withheld.trade_secret",
        "不予公开：保护第三方合法权益（商业秘密）",
        Outcome::Withheld(Withholding::ThirdPartyTradeSecret),
    ),
    option(
        "withheld.privacy",
        "不予公开：保护第三方合法权益（个人隐私）",
        Outcome::Withheld(Withholding::ThirdPartyPrivacy),
    ),
    option(
        "withheld.third_party",
        "不予公开：保护第三方合法权益（其他）",
        Outcome::Withheld(Withholding::ThirdPartyOther),
    ),
    option(
        "withheld.internal",
        "不予公开：属于三类内部事务信息",
        Outcome::Withheld(Withholding::Internal),
    ),
    option(
        "withheld.deliberative",
        "不予公开：属于四类过程性信息",
        Outcome::Withheld(Withholding::Deliberative),
    ),
    option(
        "withheld.enforcement_file",
        "不予公开：属于行政执法案卷",
        Outcome::Withheld(Withholding::EnforcementFile),
    ),
    option(
        "withheld.administrative_query",
        "不予公开：属于行政查询事项",
        Outcome::Withheld(Withholding::AdministrativeQuery),
    ),
    option(
        "unavailable.not_held",
        "无法提供：本机关不掌握相关政府信息",
        Outcome::Unavailable(Unavailability::NotHeld),
    ),
    option(
        "unavailable.needs_creation",
        "无法提供：没有现成信息需要另行制作",
        Outcome::Unavailable(Unavailability::NeedsCreation),
    ),
    option(
        "unavailable.still_unclear",
        "无法提供：补正后申请内容仍不明确",
        Outcome::Unavailable(Unavailability::StillUnclear),
    ),
    option("not_this_agency", "不属于本机关负责公开（告知负责机关）", Outcome::NotThisAgency),
    option(
        "not_processed.petition",
        "不予处理：信访举报投诉类申请",
        Outcome::NotProcessed(NonProcessing::Petition),
    ),
    option(
        "not_processed.repeat",
        "不予处理：重复申请",
        Outcome::NotProcessed(NonProcessing::Repeat),
    ),
    option(
        "not_processed.publication",
        "不予处理：要求提供公开出版物",
        Outcome::NotProcessed(NonProcessing::Publication),
    ),
    option(
        "not_processed.excessive",
        "不予处理：无正当理由大量反复申请",
        Outcome::NotProcessed(NonProcessing::Excessive),
    ),
    option(
        "not_processed.confirmation",
        "不予处理：要求行政机关确认或重新出具已获取信息",
        Outcome::NotProcessed(NonProcessing::Confirmation),
    ),
    option("other.other", "其他处理", Outcome::OtherHandling(OtherHandling::Other)),
    option_2007(
        "withheld.not_government_information",
        "不予公开：不是《条例》所指政府信息（2007年条例）",
        Outcome::Withheld(Withholding::NotGovernmentInformation),
    ),
    option_2007("told_to_amend", "告知作出更改补充（2007年条例）", Outcome::ToldToAmend),
    option_2007(
        "told_other_channel",
        "告知通过其他途径办理（2007年条例）",
        Outcome::ToldOtherChannel,
    ),
];

/// The reply categories for a case under `regime`, in the page's order.
pub fn reply_options(regime: Regime) -> Vec<ReplyOption> {
    REPLY_OPTIONS
        .into_iter()
        .filter(|option| !option.only_2007 || regime == Regime::Ordinance2007)
        .collect()
}

/// The reply category with the form code `code`, under any regime.
pub fn reply_option(code: &str) -> Option<ReplyOption> {
    REPLY_OPTIONS.into_iter().find(|option| option.code == code)
}

/// The agency a not-this-agency reply names (2019 条例 art. 36(5): "告知申请人并说明理由；能够确定负责
/// 公开该政府信息的行政机关的，告知申请人该行政机关的名称、联系方式").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responsible {
    pub name: String,
    pub contact: String,
}

/// A step, as parsed from its form: every value typed, nothing yet checked against the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    RequestSupplement {
        on: Date,
        items: String,
        reply_by: Date,
    },
    SupplementReceived {
        on: Date,
        note: String,
    },
    Consult {
        on: Date,
        party: Party,
        consulted: String,
    },
    ConsultationAnswered {
        on: Date,
        opinion: Opinion,
        note: String,
    },
    RequestExtension {
        on: Date,
        working_days: u32,
        reason: String,
    },
    /// The head's decision; `working_days` `None` approves what was asked for.
    DecideExtension {
        on: Date,
        approve: bool,
        working_days: Option<u32>,
        note: String,
    },
    NotifyFee {
        on: Date,
        basis: FeeBasis,
    },
    FeePaid {
        on: Date,
        note: String,
    },
    Reply {
        on: Date,
        reply: ReplyOption,
        method: SendMethod,
        access: String,
        withheld_parts: String,
        reasons: String,
        responsible: Option<Responsible>,
    },
    /// Closes a lapsed case as 其他处理.
    Close,
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::RequestSupplement { .. } => Action::Supplement,
            Command::SupplementReceived { .. } => Action::SupplementReceived,
            Command::Consult { .. } => Action::Consult,
            Command::ConsultationAnswered { .. } => Action::ConsultAnswered,
            Command::RequestExtension { .. } => Action::ExtensionRequest,
            Command::DecideExtension { .. } => Action::ExtensionDecide,
            Command::NotifyFee { .. } => Action::Fee,
            Command::FeePaid { .. } => Action::FeePaid,
            Command::Reply { .. } => Action::Reply,
            Command::Close => Action::Close,
        }
    }

    /// The day the step happened; `None` for closing, which is recorded on the day.
    pub fn on(&self) -> Option<Date> {
        match self {
            Command::RequestSupplement { on, .. }
            | Command::SupplementReceived { on, .. }
            | Command::Consult { on, .. }
            | Command::ConsultationAnswered { on, .. }
            | Command::RequestExtension { on, .. }
            | Command::DecideExtension { on, .. }
            | Command::NotifyFee { on, .. }
            | Command::FeePaid { on, .. }
            | Command::Reply { on, .. } => Some(*on),
            Command::Close => None,
        }
    }
}

/// Why a step is refused. [`Refusal::basis`] names the rule where one applies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the case is closed")]
    Closed,
    #[error("the step is dated after today")]
    FutureDate,
    #[error("only the agency's handlers take handling steps")]
    NotHandler,
    #[error("only the head of the disclosure office approves an extension")]
    NotApprover,
    #[error("the supplement notice names nothing to supplement")]
    SupplementItemsMissing,
    #[error("the supplement period ends on or before the notice")]
    SupplementPeriodTooShort,
    #[error("the consulted party is not named")]
    ConsultedMissing,
    #[error("the 2007 ordinance has no consultation of other agencies")]
    AgencyConsultationUnder2007,
    #[error("no reason for the extension")]
    ExtensionReasonMissing,
    #[error("an extension of {asked} working days: from 1 to {max}")]
    ExtensionLength { asked: u32, max: u32, regime: Regime },
    #[error("the reply period ended on {due}; no extension after it")]
    ExtensionAfterDue { due: Date },
    #[error("no extension request awaits a decision")]
    NoPendingExtension,
    #[error("a head cannot decide their own extension request")]
    OwnExtension,
    #[error("fee: {0}")]
    Fee(fee::FeeError),
    #[error("the fee comes to 0 yuan")]
    ZeroFee,
    #[error("no fee under the 2007 ordinance")]
    FeeUnder2007,
    #[error("reply category {0} is not one of this case's regulation")]
    ReplyNotUnderRegime(&'static str),
    #[error("a partial disclosure without the parts withheld and their reasons")]
    PartialWithoutParts,
    #[error("a refusal without reasons")]
    ReasonsMissing,
    #[error("the case has not lapsed")]
    NotLapsed,
    #[error(transparent)]
    Clock(#[from] ClockError),
}

impl Refusal {
    /// The rule the refusal applies, where one does.
    pub fn basis(&self) -> Option<String> {
        Some(match self {
            Refusal::NotApprover | Refusal::OwnExtension => "《条例》第三十三条第二款".to_owned(),
            Refusal::SupplementItemsMissing | Refusal::SupplementPeriodTooShort => {
                "《条例》第三十条".to_owned()
            }
            Refusal::ConsultedMissing => "《条例》第三十二条、第三十四条".to_owned(),
            Refusal::AgencyConsultationUnder2007 => {
                "2007年《条例》第二十三条、第二十四条".to_owned()
            }
            Refusal::ExtensionReasonMissing | Refusal::ExtensionAfterDue { .. } => {
                "《条例》第三十三条第二款".to_owned()
            }
            Refusal::ExtensionLength { regime: Regime::Ordinance2007, .. } => {
                "2007年《条例》第二十四条第二款".to_owned()
            }
            Refusal::ExtensionLength { .. } => "《条例》第三十三条第二款".to_owned(),
            Refusal::Fee(_) | Refusal::ZeroFee | Refusal::FeeUnder2007 => {
                "国办函〔2020〕109号".to_owned()
            }
            Refusal::ReplyNotUnderRegime(_) => "《条例》第三十六条".to_owned(),
            Refusal::PartialWithoutParts => "《条例》第三十七条".to_owned(),
            Refusal::ReasonsMissing => "《条例》第三十六条第三项".to_owned(),
            Refusal::NotLapsed => "《条例》第三十条；国办函〔2020〕109号".to_owned(),
            Refusal::Closed
            | Refusal::FutureDate
            | Refusal::NotHandler
            | Refusal::NoPendingExtension
            | Refusal::Clock(_) => return None,
        })
    }

    /// Whether the refusal is about who asks (403) rather than what was asked (422).
    pub fn forbidden(&self) -> bool {
        matches!(self, Refusal::NotHandler | Refusal::NotApprover | Refusal::OwnExtension)
    }

    /// The message shown in the step's form.
    pub fn in_chinese(&self) -> String {
        match self {
            Refusal::Closed => "该申请已办结，不能再办理。".to_owned(),
            Refusal::FutureDate => "办理日期不能晚于今天。".to_owned(),
            Refusal::NotHandler => "您没有办理该申请的权限。".to_owned(),
            Refusal::NotApprover => "延期须经政府信息公开工作机构负责人同意。".to_owned(),
            Refusal::SupplementItemsMissing => "请写明需要补正的事项。".to_owned(),
            Refusal::SupplementPeriodTooShort => {
                "补正期限应晚于告知日期，给申请人合理的补正时间。".to_owned()
            }
            Refusal::ConsultedMissing => "请填写征求意见的第三方或机关名称。".to_owned(),
            Refusal::AgencyConsultationUnder2007 => {
                "2007年《条例》未规定征求其他机关意见的期间扣除。".to_owned()
            }
            Refusal::ExtensionReasonMissing => "请写明需要延长答复期限的理由。".to_owned(),
            Refusal::ExtensionLength { asked: 0, max, .. } => {
                format!("请填写申请延长的工作日数（1至{max}）。")
            }
            Refusal::ExtensionLength { max, .. } => {
                format!("延长的期限最长不得超过{max}个工作日。")
            }
            Refusal::ExtensionAfterDue { .. } => {
                "答复期限已过，不能再申请延期（《条例》第三十三条）。".to_owned()
            }
            Refusal::NoPendingExtension => "没有待审批的延期申请。".to_owned(),
            Refusal::OwnExtension => "不能审批自己提出的延期申请。".to_owned(),
            Refusal::Fee(
                fee::FeeError::ZeroApplicationNumber | fee::FeeError::ApplicationNumberTooLarge,
            ) => format!("申请件数序号应为1至{}之间的整数。", fee::MAX_APPLICATION_NUMBER),
            Refusal::Fee(fee::FeeError::TooManyPages) => {
                format!("页数应为不超过{}的整数。", fee::MAX_PAGES)
            }
            Refusal::ZeroFee => {
                "按该标准计算的费用为0元，无需发出缴费通知（国办函〔2020〕109号）。".to_owned()
            }
            Refusal::FeeUnder2007 => {
                "2007年《条例》施行期间受理的申请不收取信息处理费。".to_owned()
            }
            Refusal::ReplyNotUnderRegime(_) => "请选择答复类型。".to_owned(),
            Refusal::PartialWithoutParts => {
                "部分公开须写明不予公开的部分及其理由（《条例》第三十七条）。".to_owned()
            }
            Refusal::ReasonsMissing => "请写明理由。".to_owned(),
            Refusal::NotLapsed => {
                "只有逾期未补正或逾期未缴费的申请才能按“其他处理”办结。".to_owned()
            }
            Refusal::Clock(err) => err.in_chinese(),
        }
    }
}

/// The letter a step sends, before it is composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterPlan {
    Supplement {
        items: String,
        reply_by: Date,
    },
    Consultation {
        consulted: String,
        other_agency: bool,
    },
    Extension {
        working_days: u32,
        reason: String,
    },
    Fee {
        amount_yuan: u64,
        basis: String,
    },
    Reply {
        outcome: Outcome,
        access: String,
        withheld_parts: String,
        reasons: String,
        responsible: Option<Responsible>,
    },
}

/// The agency that sends a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender<'a> {
    pub name: &'a str,
    pub office: &'a str,
    pub phone: &'a str,
    /// The name of the agency above it in the platform's tree, if any.
    pub parent: Option<&'a str>,
}

impl Sender<'_> {
    /// "联系方式": the disclosure office and its phone, as far as they are known.
    pub fn contact(&self) -> String {
        contact(self.office, self.phone)
    }

    /// The body that hears an administrative review of the agency's reply: the government above it (2023
    /// 《行政复议法》 art. 24: a department's decisions are reviewed by the government at its level, a
    /// government's by the one above — in the platform's tree, the parent either way).
    pub fn review_body(&self) -> Option<&str> {
        self.parent
    }
}

/// An office and phone as one contact line.
pub fn contact(office: &str, phone: &str) -> String {
    [office, phone].iter().filter(|part| !part.is_empty()).copied().collect::<Vec<_>>().join("，")
}

impl LetterPlan {
    /// The letter's kind, as the case's letters are stored.
    pub fn kind(&self) -> &'static str {
        match self {
            LetterPlan::Supplement { .. } => "supplement",
            LetterPlan::Consultation { .. } => "consultation",
            LetterPlan::Extension { .. } => "extension",
            LetterPlan::Fee { .. } => "fee",
            LetterPlan::Reply { .. } => "reply",
        }
    }

    /// The letter, dated `on`, from `sender` to `applicant` about the case (`tracking_number`, `request`);
    /// `report` is the clock with the step recorded.
    #[allow(clippy::too_many_arguments)]
    pub fn compose(
        &self,
        sender: &Sender<'_>,
        tracking_number: &str,
        request: &str,
        applicant: &str,
        report: &ClockReport,
        on: Date,
        calendar: &Calendar,
    ) -> Letter {
        let contact = sender.contact();
        let facts = CaseFacts {
            agency: sender.name,
            contact: &contact,
            tracking_number,
            applicant,
            received: report.received,
            request,
            regime: report.regime,
            date: on,
        };
        match self {
            LetterPlan::Supplement { items, reply_by } => {
                letters::supplement(&facts, items, *reply_by)
            }
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
            LetterPlan::Fee { amount_yuan, basis } => {
                letters::fee(&facts, *amount_yuan, basis, clock::fee_payment_due(calendar, on))
            }
            LetterPlan::Reply { outcome, access, withheld_parts, reasons, responsible } => {
                let reply = ReplyFacts {
                    access,
                    withheld_parts,
                    reasons,
                    responsible_agency: responsible
                        .as_ref()
                        .map(|agency| (agency.name.as_str(), agency.contact.as_str())),
                    review_body: sender.review_body(),
                };
                letters::reply(&facts, *outcome, &reply)
            }
        }
    }
}

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
    /// The audit trail's name of the step.
    pub audit_action: &'static str,
    /// The clock with the step recorded, as of today.
    pub report: ClockReport,
    /// The day the step is dated (today for closing).
    pub on: Date,
}

/// Checks `command` against the case and the actor; the first rule it breaks.
pub fn allowed(
    situation: &Situation<'_>,
    actor: &Actor<'_>,
    command: &Command,
) -> Result<(), Refusal> {
    apply(situation, actor, command).map(|_| ())
}

/// The step `command` on the case, once every rule allows it.
pub fn apply(
    situation: &Situation<'_>,
    actor: &Actor<'_>,
    command: &Command,
) -> Result<Applied, Refusal> {
    if situation.outcome.is_some() {
        return Err(if command == &Command::Close { Refusal::NotLapsed } else { Refusal::Closed });
    }
    let on = command.on().unwrap_or(situation.today);
    if on > situation.today {
        return Err(Refusal::FutureDate);
    }
    let regime = situation.report.regime;
    let (event, details, outcome, letter, audit_action) = match command {
        Command::RequestSupplement { items, reply_by, .. } => {
            let items = items.trim();
            if items.chars().count() < 2 {
                return Err(Refusal::SupplementItemsMissing);
            }
            if *reply_by <= on {
                return Err(Refusal::SupplementPeriodTooShort);
            }
            (
                Some(Event::SupplementRequested { on, reply_by: Some(*reply_by) }),
                json!({ "items": items, "reply_by": reply_by.to_string() }),
                None,
                Some(LetterPlan::Supplement { items: items.to_owned(), reply_by: *reply_by }),
                "supplement",
            )
        }
        Command::SupplementReceived { note, .. } => (
            Some(Event::SupplementReceived { on }),
            json!({ "note": note.trim() }),
            None,
            None,
            "supplement_received",
        ),
        Command::Consult { party, consulted, .. } => {
            let consulted = consulted.trim();
            if consulted.is_empty() {
                return Err(Refusal::ConsultedMissing);
            }
            if *party == Party::OtherAgency && regime == Regime::Ordinance2007 {
                return Err(Refusal::AgencyConsultationUnder2007);
            }
            (
                Some(Event::ConsultationSent { on, party: *party }),
                json!({ "consulted": consulted }),
                None,
                Some(LetterPlan::Consultation {
                    consulted: consulted.to_owned(),
                    other_agency: *party == Party::OtherAgency,
                }),
                "consult",
            )
        }
        Command::ConsultationAnswered { opinion, note, .. } => (
            Some(Event::ConsultationAnswered { on }),
            json!({ "opinion": opinion.label(), "note": note.trim() }),
            None,
            None,
            "consult_answered",
        ),
        Command::RequestExtension { working_days, reason, .. } => {
            let reason = reason.trim();
            if reason.chars().count() < 4 {
                return Err(Refusal::ExtensionReasonMissing);
            }
            let max = regime.max_extension_working_days();
            if *working_days == 0 || *working_days > max {
                return Err(Refusal::ExtensionLength { asked: *working_days, max, regime });
            }
            if let Some(due) = situation.report.due.filter(|due| *due < on) {
                return Err(Refusal::ExtensionAfterDue { due });
            }
            // A request after an approval is recorded (the head will see it) but the clock never lets a
            // second approval through (art. 33: once); the page does not offer it.
            (
                Some(Event::ExtensionRequested { on }),
                json!({ "reason": reason, "working_days": working_days }),
                None,
                None,
                "extension.request",
            )
        }
        Command::DecideExtension { approve, working_days, note, .. } => {
            let Some(request) = situation.pending_extension else {
                return Err(Refusal::NoPendingExtension);
            };
            if request.requested_by == actor.username {
                return Err(Refusal::OwnExtension);
            }
            let details = json!({ "requested_by": request.requested_by, "note": note.trim() });
            if *approve {
                let max = regime.max_extension_working_days();
                let working_days = working_days.or(request.working_days).unwrap_or(max);
                (
                    Some(Event::ExtensionApproved { on, working_days }),
                    details,
                    None,
                    Some(LetterPlan::Extension { working_days, reason: request.reason.to_owned() }),
                    "extension.approve",
                )
            } else {
                (Some(Event::ExtensionRefused { on }), details, None, None, "extension.refuse")
            }
        }
        Command::NotifyFee { basis, .. } => {
            if regime == Regime::Ordinance2007 {
                return Err(Refusal::FeeUnder2007);
            }
            let (quote, basis) = match *basis {
                FeeBasis::PerApplication { nth } => (
                    fee::per_application(nth).map_err(Refusal::Fee)?,
                    format!("按件计收，本自然月第{nth}件"),
                ),
                FeeBasis::PerVolume { pages } => (
                    fee::per_volume(pages).map_err(Refusal::Fee)?,
                    format!("按量计收，共{pages}页"),
                ),
            };
            if quote.amount_yuan == 0 {
                return Err(Refusal::ZeroFee);
            }
            (
                Some(Event::FeeNotified { on, amount_yuan: quote.amount_yuan }),
                json!({ "basis": basis }),
                None,
                Some(LetterPlan::Fee { amount_yuan: quote.amount_yuan, basis }),
                "fee",
            )
        }
        Command::FeePaid { note, .. } => {
            (Some(Event::FeePaid { on }), json!({ "note": note.trim() }), None, None, "fee_paid")
        }
        Command::Reply { reply, method, access, withheld_parts, reasons, responsible, .. } => {
            if reply.only_2007 && regime != Regime::Ordinance2007 {
                return Err(Refusal::ReplyNotUnderRegime(reply.code));
            }
            let (access, withheld_parts, reasons) =
                (access.trim(), withheld_parts.trim(), reasons.trim());
            match reply.outcome {
                Outcome::PartiallyDisclosed if withheld_parts.is_empty() || reasons.is_empty() => {
                    return Err(Refusal::PartialWithoutParts);
                }
                Outcome::Withheld(_) | Outcome::NotProcessed(_) if reasons.is_empty() => {
                    return Err(Refusal::ReasonsMissing);
                }
                _ => {}
            }
            let responsible =
                responsible.clone().filter(|_| reply.outcome == Outcome::NotThisAgency);
            (
                Some(Event::Replied { on }),
                json!({
                    "outcome": reply.label,
                    "access": access,
                    "withheld_parts": withheld_parts,
                    "reasons": reasons,
                    "responsible": responsible.as_ref().map(|agency| agency.name.clone()),
                    "method": method.label(),
                }),
                Some(reply.outcome),
                Some(LetterPlan::Reply {
                    outcome: reply.outcome,
                    access: access.to_owned(),
                    withheld_parts: withheld_parts.to_owned(),
                    reasons: reasons.to_owned(),
                    responsible,
                }),
                "reply",
            )
        }
        Command::Close => {
            let State::Lapsed(lapse) = situation.report.state else {
                return Err(Refusal::NotLapsed);
            };
            let outcome = lapsed_outcome(lapse);
            (None, json!({ "outcome": outcome.label() }), Some(outcome), None, "close")
        }
    };
    // The clock must accept the case with the new step, as of today (a second 补正 notice, a step before
    // the receipt, an extension approved twice, a second fee notice are its refusals).
    let report = match &event {
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
    Ok(Applied { event, details, outcome, letter, audit_action, report, on })
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
