//! A step as parsed from its form ([`Command`]) and the choices it is made of: the consulted party's
//! opinion, the fee basis, the send method and the reply categories with their articles.

use time::Date;

use crate::clock::Party;
use crate::records::{NonProcessing, OtherHandling, Outcome, Unavailability, Withholding};
use crate::regime::Regime;

use super::Action;

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

    /// The method's name, as a case records and shows it ("邮政寄送").
    pub fn name(self) -> &'static str {
        match self {
            SendMethod::Direct => "直接送达",
            SendMethod::Post => "邮政寄送",
            SendMethod::Online => "网上或电子邮件送达",
        }
    }

    /// The method a case's step records: its name, or — as steps recorded before the name was kept —
    /// its form label with the hint.
    pub fn from_stored(text: &str) -> Option<SendMethod> {
        SendMethod::ALL.into_iter().find(|method| text == method.name() || text == method.label())
    }

    /// The label of the form's choice, with the day the reply's date is: signed for, posted, sent. A hint
    /// for the one who records the reply, never stored ([`SendMethod::name`] is).
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

impl ReplyOption {
    /// Whether the reply names the agency responsible (art. 36(5), not this agency's information).
    pub fn names_responsible(&self) -> bool {
        self.outcome == Outcome::NotThisAgency
    }
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
    /// The platform code of that agency when the application is transferred (转办) to it as well: it then
    /// opens there as a new application, received that day. Not a rule of the 条例, which only has the
    /// applicant told (art. 36(5)); a consolidated platform's practice [U], stated in the letter.
    pub transfer_to: Option<String>,
}

/// The reply: its category, how it is served, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub on: Date,
    pub category: ReplyOption,
    pub method: SendMethod,
    /// How the information is provided or where it is published.
    pub access: String,
    /// For a partial disclosure: the parts withheld.
    pub withheld_parts: String,
    pub reasons: String,
    /// For a not-this-agency reply: the agency responsible (ignored for any other category).
    pub responsible: Option<Responsible>,
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
    Reply(Reply),
    /// Closes a lapsed case as 其他处理.
    Close,
    /// Asks the applicant to state their reasons (2019 条例 art. 35); `facts` says what exceeds a reasonable
    /// range (e.g. how many applications they made lately).
    RequestReasons {
        on: Date,
        facts: String,
    },
    /// The reasons are reasonable but no reply is possible within art. 33's period: a reasonable later date
    /// `until`, with `reason` (art. 35).
    DeferReply {
        on: Date,
        until: Date,
        reason: String,
    },
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
            Command::Reply(_) => Action::Reply,
            Command::Close => Action::Close,
            Command::RequestReasons { .. } => Action::Reasons,
            Command::DeferReply { .. } => Action::Defer,
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
            | Command::Reply(Reply { on, .. })
            | Command::RequestReasons { on, .. }
            | Command::DeferReply { on, .. } => Some(*on),
            Command::Close => None,
        }
    }
}
