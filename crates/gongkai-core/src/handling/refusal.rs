//! Why a step is refused, with the rule it applies and the message the clerk reads.

use time::Date;

use crate::clock::ClockError;
use crate::fee;
use crate::regime::Regime;

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
    #[error("a request for reasons does not say what exceeds a reasonable range")]
    ReasonsFactsMissing,
    #[error("the reply was due on `{due}`, before the request for reasons")]
    ReasonsAfterDue { due: Date },
    #[error("a later reply date needs the reason it cannot be met in time")]
    DeferralReasonMissing,
    #[error("a later reply date is set after the applicant was asked for reasons, on a later day")]
    DeferralBeforeReasons,
    #[error("the reply was due on `{due}`, before the later reply date was set")]
    DeferralAfterDue { due: Date },
    #[error("a later reply date more than a year ahead")]
    DeferralTooFar,
    #[error("no extension after a later reply date was set under art. 35")]
    ExtensionAfterDeferral,
    #[error("a later reply date must fall after the due date `{due}`")]
    DeferralNotLater { due: Date },
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
    #[error("reply category {0} is not one of this case's regulation")]
    ReplyNotUnderRegime(&'static str),
    #[error("a partial disclosure without the parts withheld and their reasons")]
    PartialWithoutParts,
    #[error("a refusal without reasons")]
    ReasonsMissing,
    #[error("the case's records cannot be read: {0}")]
    Unreadable(ClockError),
    #[error("the case has not lapsed")]
    NotLapsed,
    #[error("no 补正 is awaited")]
    NoSupplementAwaited,
    #[error("disclosing over a third party's objection without reasons")]
    OverruledWithoutReasons,
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
            Refusal::ReasonsFactsMissing
            | Refusal::ReasonsAfterDue { .. }
            | Refusal::DeferralReasonMissing
            | Refusal::DeferralNotLater { .. }
            | Refusal::DeferralBeforeReasons
            | Refusal::DeferralAfterDue { .. }
            | Refusal::DeferralTooFar
            | Refusal::ExtensionAfterDeferral => {
                "《条例》第三十五条".to_owned()
            }
            Refusal::ConsultedMissing => "《条例》第三十二条、第三十四条".to_owned(),
            Refusal::AgencyConsultationUnder2007 => {
                "2007年《条例》第二十三条、第二十四条".to_owned()
            }
            Refusal::ExtensionReasonMissing | Refusal::ExtensionAfterDue { .. } => {
                "《条例》第三十三条第二款（2007年《条例》第二十四条第二款）".to_owned()
            }
            Refusal::ExtensionLength { regime: Regime::Ordinance2007, .. } => {
                "2007年《条例》第二十四条第二款".to_owned()
            }
            Refusal::ExtensionLength { .. } => "《条例》第三十三条第二款".to_owned(),
            Refusal::Fee(_) | Refusal::ZeroFee => {
                "国办函〔2020〕109号".to_owned()
            }
            Refusal::ReplyNotUnderRegime(_) => "《条例》第三十六条".to_owned(),
            Refusal::PartialWithoutParts => "《条例》第三十七条".to_owned(),
            Refusal::ReasonsMissing => {
                "《条例》第三十六条第（三）项（不予公开）；第三十五条、第三十六条第（六）项、第三十九条（不予处理）"
                    .to_owned()
            }
            Refusal::NotLapsed => "《条例》第三十条；国办函〔2020〕109号".to_owned(),
            Refusal::NoSupplementAwaited => "《条例》第三十条".to_owned(),
            Refusal::OverruledWithoutReasons => {
                "《条例》第三十二条（2007年《条例》第二十三条）".to_owned()
            }
            Refusal::Closed
            | Refusal::FutureDate
            | Refusal::NotHandler
            | Refusal::NoPendingExtension
            | Refusal::Clock(_)
            | Refusal::Unreadable(_) => return None,
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
            Refusal::DeferralBeforeReasons => {
                "须先要求申请人说明理由，并在其后另日确定延迟答复的期限。".to_owned()
            }
            Refusal::DeferralAfterDue { .. } => {
                "答复期限已过，不能再确定延迟答复的期限，请及时答复。".to_owned()
            }
            Refusal::DeferralTooFar => "延迟答复的期限不宜超过一年，请核对日期。".to_owned(),
            Refusal::ExtensionAfterDeferral => {
                "已确定延迟答复的合理期限，不再适用第三十三条的延期。".to_owned()
            }
            Refusal::DeferralReasonMissing => {
                "请写明无法在法定期限内答复的原因。".to_owned()
            }
            Refusal::DeferralNotLater { due } => {
                format!("延迟答复的期限应晚于现答复期限{due}。")
            }
            Refusal::ReasonsAfterDue { .. } => {
                "答复期限已过，不能再要求申请人说明理由，请及时答复。".to_owned()
            }
            Refusal::ReasonsFactsMissing => {
                "请写明申请数量、频次明显超过合理范围的情况（如该申请人近期提交申请的件数）。".to_owned()
            }
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
            Refusal::ReplyNotUnderRegime(_) => "请选择答复类型。".to_owned(),
            Refusal::PartialWithoutParts => {
                "部分公开须写明不予公开的部分及其理由（《条例》第三十七条）。".to_owned()
            }
            Refusal::ReasonsMissing => "请写明理由。".to_owned(),
            Refusal::NotLapsed => {
                "只有逾期未补正或逾期未缴费的申请才能按“其他处理”办结。".to_owned()
            }
            Refusal::NoSupplementAwaited => {
                "该申请当前无需补正；如需补充说明，请联系承办机关。".to_owned()
            }
            Refusal::OverruledWithoutReasons => {
                "第三方不同意公开：决定公开须写明不公开可能对公共利益造成重大影响的理由，并将书面告知第三方（《条例》第三十二条）。"
                    .to_owned()
            }
            Refusal::Clock(err) => err.in_chinese(),
            Refusal::Unreadable(err) => format!("该申请的办理记录有误：{}", err.in_chinese()),
        }
    }
}
