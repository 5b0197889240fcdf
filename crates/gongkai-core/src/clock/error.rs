//! What the clock refuses: input it cannot make sense of, with the reason in English and in Chinese.

use time::Date;

use crate::calendar::CalendarError;
use crate::regime::{ReceiptError, Regime};

/// Input the clock cannot make sense of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    #[error("received `{received}` is before the 2007 条例 took effect (2008-05-01)")]
    BeforeOrdinance { received: Date },
    #[error("received date `{received}` is outside the calendar: {source}")]
    OutsideCalendar { received: Date, source: CalendarError },
    #[error("{event} on `{on}` is before the application was received on `{received}`")]
    BeforeReceipt { event: &'static str, on: Date, received: Date },
    #[error("{event} on `{on}` is after the reply on `{replied}`")]
    AfterReply { event: &'static str, on: Date, replied: Date },
    #[error("a 补正 may be requested only once (2019 条例 art. 30: 一次性告知)")]
    SecondSupplement,
    #[error("supplement received on `{received}` before it was requested on `{requested}`")]
    SupplementBeforeRequest { requested: Date, received: Date },
    #[error("supplement received on `{received}` but no supplement was requested")]
    SupplementNotRequested { received: Date },
    #[error("supplement reply-by date `{reply_by}` is before the request on `{requested}`")]
    SupplementReplyByReversed { requested: Date, reply_by: Date },
    #[error("consultation answered on `{answered}` before it was sent on `{sent}`")]
    ConsultationReversed { sent: Date, answered: Date },
    #[error("consultation answered on `{answered}` but no consultation was open")]
    ConsultationNotSent { answered: Date },
    #[error(
        "consultations overlap: one sent on `{second}` while the one sent on `{first}` was still open"
    )]
    OverlappingConsultations { first: Date, second: Date },
    #[error("the extension may be approved only once (2019 条例 art. 33)")]
    SecondExtension,
    #[error(
        "an extension of {requested} working days exceeds the maximum of {max} under the {regime} 条例"
    )]
    ExtensionTooLong { requested: u32, max: u32, regime: Regime },
    #[error("an extension must be at least one working day")]
    EmptyExtension,
    #[error("信息处理费 (fee notices) exist only under the 2019 条例 (国办函〔2020〕109号)")]
    FeeUnderOrdinance2007,
    #[error("only one fee notice per application is supported")]
    SecondFeeNotice,
    #[error("a request for reasons (art. 35) exists only under the 2019 条例")]
    ReasonsUnderOrdinance2007,
    #[error("the applicant is asked for reasons once per application")]
    SecondReasonsRequest,
    #[error(
        "a later reply date (art. 35) follows a request for reasons, once, and lies after the day it is set"
    )]
    DeferralWithoutReasons,
    #[error("fee paid on `{paid}` {problem}")]
    FeePayment { paid: Date, problem: &'static str },
    #[error("the application was replied to twice (`{first}` and `{second}`)")]
    SecondReply { first: Date, second: Date },
}

impl ClockError {
    /// The reason in Chinese, for the clerk (a refused step, a rejected register row).
    pub fn in_chinese(&self) -> String {
        match self {
            ClockError::Receipt(ReceiptError::Missing { .. }) => {
                "缺少确定收到申请之日所需的日期（签收或确认日期）。".to_owned()
            }
            ClockError::Receipt(ReceiptError::BeforeSubmission { .. }) => {
                "签收或确认日期早于提交日期。".to_owned()
            }
            ClockError::BeforeOrdinance { .. } => {
                "收到申请之日早于《条例》施行日（2008年5月1日）。".to_owned()
            }
            ClockError::OutsideCalendar { .. } => "收到申请之日超出工作日历的范围。".to_owned(),
            ClockError::BeforeReceipt { on, received, .. } => {
                format!("办理日期 {on} 早于收到申请之日 {received}。")
            }
            ClockError::AfterReply { replied, .. } => {
                format!("该申请已于 {replied} 答复，不能再办理其他事项。")
            }
            ClockError::SecondSupplement => {
                "补正只能一次性告知，不能再次要求补正（《条例》第三十条）。".to_owned()
            }
            ClockError::SupplementBeforeRequest { requested, .. } => {
                format!("收到补正的日期早于告知补正的日期 {requested}。")
            }
            ClockError::SupplementNotRequested { .. } => {
                "尚未告知补正，不能登记收到补正。".to_owned()
            }
            ClockError::SupplementReplyByReversed { .. } => {
                "补正期限不能早于告知补正的日期。".to_owned()
            }
            ClockError::ConsultationReversed { sent, .. } => {
                format!("收到意见的日期早于发出征求意见书的日期 {sent}。")
            }
            ClockError::ConsultationNotSent { .. } => {
                "没有正在进行的征求意见，不能登记收到意见。".to_owned()
            }
            ClockError::OverlappingConsultations { first, .. } => {
                format!("{first} 发出的征求意见尚未收到答复，不能同时再次征求意见。")
            }
            ClockError::SecondExtension => {
                "答复期限只能延长一次（《条例》第三十三条），该申请已延期。".to_owned()
            }
            ClockError::ExtensionTooLong { max, .. } => {
                format!("延长的期限最长不得超过{max}个工作日。")
            }
            ClockError::EmptyExtension => "延长的期限至少为1个工作日。".to_owned(),
            ClockError::FeeUnderOrdinance2007 => {
                "信息处理费仅适用于2019年修订的《条例》（国办函〔2020〕109号）。".to_owned()
            }
            ClockError::SecondFeeNotice => "每件申请只能发出一次缴费通知。".to_owned(),
            ClockError::ReasonsUnderOrdinance2007 => {
                "要求说明理由（第三十五条）仅适用于2019年修订的《条例》。".to_owned()
            }
            ClockError::SecondReasonsRequest => "每件申请只能要求申请人说明理由一次。".to_owned(),
            ClockError::DeferralWithoutReasons => {
                "确定延迟答复的合理期限须在要求申请人说明理由之后，每件申请一次，且期限应晚于确定之日（《条例》第三十五条）。"
                    .to_owned()
            }
            ClockError::FeePayment { .. } => {
                "缴费日期有误：须在缴费通知之后、缴费期限之内。".to_owned()
            }
            ClockError::SecondReply { first, .. } => {
                format!("该申请已于 {first} 答复，不能重复答复。")
            }
        }
    }
}
