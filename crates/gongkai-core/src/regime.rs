//! Which regulation governs an application, and when it counts as received.
//!
//! - The 2007 条例 (国务院令第492号) took effect on 2008-05-01.
//! - The 2019 revised 条例 (国务院令第711号) took effect on 2019-05-15 and governs every application received
//!   from that day on; an application received earlier stays under the 2007 条例 to its end.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::Date;
use time::macros::date;

/// The day the 2007 条例 (国务院令第492号) took effect.
pub const ORDINANCE_2007_IN_FORCE: Date = date!(2008 - 05 - 01);
/// The day the 2019 条例 (国务院令第711号) took effect.
pub const ORDINANCE_2019_IN_FORCE: Date = date!(2019 - 05 - 15);

/// The regulation an application is handled under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Regime {
    /// 《中华人民共和国政府信息公开条例》(2007, 国务院令第492号).
    #[serde(rename = "2007")]
    Ordinance2007,
    /// 《中华人民共和国政府信息公开条例》(2019 revision, 国务院令第711号).
    #[serde(rename = "2019")]
    Ordinance2019,
}

impl Regime {
    /// The regulation in force on the day of receipt, or `None` before the 2007 条例 took effect.
    pub fn in_force_on(receipt: Date) -> Option<Regime> {
        if receipt >= ORDINANCE_2019_IN_FORCE {
            Some(Regime::Ordinance2019)
        } else if receipt >= ORDINANCE_2007_IN_FORCE {
            Some(Regime::Ordinance2007)
        } else {
            None
        }
    }

    /// The reply period in working days.
    ///
    /// 2007 条例 art. 24: "应当自收到申请之日起15个工作日内予以答复"; 2019 条例 art. 33: "应当自收到申请之日起
    /// 20个工作日内予以答复".
    pub fn reply_working_days(self) -> u32 {
        match self {
            Regime::Ordinance2007 => 15,
            Regime::Ordinance2019 => 20,
        }
    }

    /// The longest extension, in working days, once approved by the head of the disclosure office.
    ///
    /// 2007 条例 art. 24: "延长答复的期限最长不得超过15个工作日"; 2019 条例 art. 33: "延长的期限最长不得超过
    /// 20个工作日".
    pub fn max_extension_working_days(self) -> u32 {
        match self {
            Regime::Ordinance2007 => 15,
            Regime::Ordinance2019 => 20,
        }
    }

    /// The regulation's Chinese name, as cited on status pages and in letters.
    pub fn title(self) -> &'static str {
        match self {
            Regime::Ordinance2007 => "《中华人民共和国政府信息公开条例》（2007年）",
            Regime::Ordinance2019 => "《中华人民共和国政府信息公开条例》（2019年修订）",
        }
    }

    /// The short code used in the CLI and JSON ("2007" or "2019").
    pub fn code(self) -> &'static str {
        match self {
            Regime::Ordinance2007 => "2007",
            Regime::Ordinance2019 => "2019",
        }
    }

    /// The regulation's name as cited in traces and letters.
    pub fn citation(self) -> &'static str {
        match self {
            Regime::Ordinance2007 => "《政府信息公开条例》（2007年，国务院令第492号）",
            Regime::Ordinance2019 => "《政府信息公开条例》（2019年修订，国务院令第711号）",
        }
    }
}

impl fmt::Display for Regime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Regime {
    type Err = String;
    fn from_str(text: &str) -> Result<Regime, String> {
        match text {
            "2007" => Ok(Regime::Ordinance2007),
            "2019" => Ok(Regime::Ordinance2019),
            other => Err(format!("unknown regime `{other}`: expected `2007` or `2019`")),
        }
    }
}

/// How an application reached the agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Channel {
    /// 当面提交.
    InPerson,
    /// 邮寄 with signature on receipt (挂号信, EMS).
    Post,
    /// 平常信函: ordinary letter needing no signature.
    Letter,
    /// 互联网渠道: the online form or the application mailbox.
    Online,
    /// 传真.
    Fax,
}

impl Channel {
    pub const ALL: [Channel; 5] =
        [Channel::InPerson, Channel::Post, Channel::Letter, Channel::Online, Channel::Fax];

    pub fn code(self) -> &'static str {
        match self {
            Channel::InPerson => "in-person",
            Channel::Post => "post",
            Channel::Letter => "letter",
            Channel::Online => "online",
            Channel::Fax => "fax",
        }
    }

    /// The Chinese name used in registers and reports.
    pub fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "当面",
            Channel::Post => "邮寄",
            Channel::Letter => "平常信函",
            Channel::Online => "网络",
            Channel::Fax => "传真",
        }
    }
}

impl FromStr for Channel {
    type Err = String;
    fn from_str(text: &str) -> Result<Channel, String> {
        Channel::ALL.into_iter().find(|channel| channel.code() == text).ok_or_else(|| {
            format!(
                "unknown channel `{text}`: expected one of in-person, post, letter, online, fax"
            )
        })
    }
}

/// The facts of intake from which the date of receipt follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    pub channel: Channel,
    /// The day the applicant handed in, posted or sent the application.
    pub submitted: Date,
    /// For [`Channel::Post`]: the day the agency signed for the mail.
    pub signed_for: Option<Date>,
    /// For letters, online and fax: the day the office and the applicant confirmed the application.
    pub confirmed: Option<Date>,
}

impl Intake {
    /// An intake whose channel-specific receipt event happened on `date` (what a register records).
    pub fn received_on(channel: Channel, date: Date) -> Intake {
        match channel {
            Channel::InPerson => {
                Intake { channel, submitted: date, signed_for: None, confirmed: None }
            }
            Channel::Post => {
                Intake { channel, submitted: date, signed_for: Some(date), confirmed: None }
            }
            Channel::Letter | Channel::Online | Channel::Fax => {
                Intake { channel, submitted: date, signed_for: None, confirmed: Some(date) }
            }
        }
    }
}

/// The date of receipt and the rule that gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub date: Date,
    pub rule: String,
    pub citation: &'static str,
}

/// Why the date of receipt cannot be determined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("a {channel} application needs the date the agency {what}")]
    Missing { channel: &'static str, what: &'static str },
    #[error("the {what} date `{date}` is before the submission date `{submitted}`")]
    BeforeSubmission { what: &'static str, date: Date, submitted: Date },
}

impl Intake {
    /// Whether the intake has the dates its channel needs, in order. The receipt rules of
    /// [`receipt_date`] are the same under both 条例, so no regime is needed to check them.
    pub fn check(&self) -> Result<(), ReceiptError> {
        receipt_date(self, Regime::Ordinance2019).map(|_| ())
    }
}

/// The date of receipt (收到申请之日) by channel.
///
/// 2019 条例 art. 31: (一) in person: the day of submission; (二) by post: the day the agency signs for it, and for
/// an ordinary letter needing no signature, the day the office confirms it with the applicant, which it must do
/// on the day it arrives; (三) online or by the office's fax: the day both sides confirm it.
/// Before 2019-05-15 the same rules come from 国办公开办函〔2015〕207号, which we apply to every application
/// under the 2007 条例 (before 2015 there was no national rule; the 207号 letter interpreted the 2007 条例).
pub fn receipt_date(intake: &Intake, regime: Regime) -> Result<Receipt, ReceiptError> {
    let citation = match regime {
        Regime::Ordinance2019 => "《政府信息公开条例》第三十一条",
        Regime::Ordinance2007 => "国办公开办函〔2015〕207号",
    };
    let later_than_submission = |what: &'static str, date: Date| {
        if date < intake.submitted {
            Err(ReceiptError::BeforeSubmission { what, date, submitted: intake.submitted })
        } else {
            Ok(date)
        }
    };
    let (date, rule) = match intake.channel {
        Channel::InPerson => (intake.submitted, "当面提交的，以提交之日为收到申请之日".to_owned()),
        Channel::Post => {
            let date = intake
                .signed_for
                .ok_or(ReceiptError::Missing { channel: "post", what: "signed for it" })?;
            (
                later_than_submission("signed-for", date)?,
                "邮寄提交的，以行政机关签收之日为收到申请之日".to_owned(),
            )
        }
        Channel::Letter => {
            let date = intake.confirmed.ok_or(ReceiptError::Missing {
                channel: "letter",
                what: "confirmed it with the applicant",
            })?;
            (
                later_than_submission("confirmation", date)?,
                "以平常信函等无需签收的方式提交的，以与申请人确认之日为收到申请之日".to_owned(),
            )
        }
        Channel::Online | Channel::Fax => {
            let channel = intake.channel.code();
            let date = intake
                .confirmed
                .ok_or(ReceiptError::Missing { channel, what: "and the applicant confirmed it" })?;
            (
                later_than_submission("confirmation", date)?,
                format!("通过{}提交的，以双方确认之日为收到申请之日", intake.channel.label()),
            )
        }
    };
    Ok(Receipt { date, rule, citation })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipt_before_2019_05_15_is_under_the_2007_ordinance() {
        assert_eq!(Regime::in_force_on(date!(2019 - 05 - 14)), Some(Regime::Ordinance2007));
        assert_eq!(Regime::in_force_on(date!(2019 - 05 - 15)), Some(Regime::Ordinance2019));
        assert_eq!(Regime::in_force_on(date!(2008 - 05 - 01)), Some(Regime::Ordinance2007));
        assert_eq!(Regime::in_force_on(date!(2008 - 04 - 30)), None);
    }

    #[test]
    fn art_31_post_counts_from_signature_not_posting() {
        let intake = Intake {
            channel: Channel::Post,
            submitted: date!(2024 - 03 - 01),
            signed_for: Some(date!(2024 - 03 - 05)),
            confirmed: None,
        };
        let receipt = receipt_date(&intake, Regime::Ordinance2019).unwrap();
        assert_eq!(receipt.date, date!(2024 - 03 - 05));
        assert_eq!(receipt.citation, "《政府信息公开条例》第三十一条");
    }

    #[test]
    fn art_31_online_needs_confirmation_after_submission() {
        let mut intake = Intake::received_on(Channel::Online, date!(2024 - 03 - 01));
        intake.confirmed = None;
        assert!(matches!(
            receipt_date(&intake, Regime::Ordinance2019),
            Err(ReceiptError::Missing { .. })
        ));
        intake.confirmed = Some(date!(2024 - 02 - 28));
        assert!(matches!(
            receipt_date(&intake, Regime::Ordinance2019),
            Err(ReceiptError::BeforeSubmission { .. })
        ));
    }

    #[test]
    fn unknown_channel_is_named_in_the_error() {
        let err = "email".parse::<Channel>().unwrap_err();
        assert!(err.contains("`email`"), "{err}");
    }
}
