//! What the applicant is told by e-mail or SMS when a case moves: the receipt (tracking number, verification
//! code, due date), a 补正 request, a consultation that pauses the period, an approved extension, a fee
//! notice, the reply and the closing of a lapsed case.
//!
//! A notice only tells; the letter it goes with is the statutory document and cites the articles (the e-mail
//! carries it as a PDF). A notice therefore states facts the case already holds — dates, the tracking number,
//! the amount — and no article numbers of its own, so it cannot contradict its letter.

use time::Date;

use crate::clock::Event;
use crate::handling::LetterPlan;

/// Stands for the verification code in a stored receipt: the code is put in only when the notice is sent,
/// so the outbox does not keep it once the notice is out.
pub const CODE_PLACEHOLDER: &str = "{查询码}";

/// The receipt's line with the code, and the same in the SMS.
const CODE_LINE: &str = "查询码：{查询码}（请妥善保存，与申请编号一起用于查询）。";
const SMS_CODE: &str = "，查询码{查询码}";

/// `text` with the verification code put in, or, when the code is no longer kept (a notice sent again after
/// it was dropped), with the code's mention replaced by where to find it.
pub fn fill_code(text: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => text.replace(CODE_PLACEHOLDER, code),
        None => text
            .replace(
                CODE_LINE,
                "查询码请使用提交申请时页面显示的查询码（为安全起见，再次发送的通知不含查询码）。",
            )
            .replace(SMS_CODE, "")
            .replace(CODE_PLACEHOLDER, "（见提交申请时的页面）"),
    }
}

/// Why the applicant is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Receipt,
    Supplement,
    Consultation,
    Extension,
    Fee,
    Reply,
    Closed,
    /// Asked to state reasons (art. 35).
    Reasons,
    /// A later reply date set under art. 35.
    Deferral,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 9] = [
        NoticeKind::Receipt,
        NoticeKind::Supplement,
        NoticeKind::Consultation,
        NoticeKind::Extension,
        NoticeKind::Fee,
        NoticeKind::Reply,
        NoticeKind::Closed,
        NoticeKind::Reasons,
        NoticeKind::Deferral,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "receipt",
            NoticeKind::Supplement => "supplement",
            NoticeKind::Consultation => "consultation",
            NoticeKind::Extension => "extension",
            NoticeKind::Fee => "fee",
            NoticeKind::Reply => "reply",
            NoticeKind::Closed => "closed",
            NoticeKind::Reasons => "reasons",
            NoticeKind::Deferral => "deferral",
        }
    }

    pub fn from_code(code: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The case page's name of the notice.
    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Receipt => "受理回执",
            NoticeKind::Supplement => "补正通知",
            NoticeKind::Consultation => "征求意见（期限中止）通知",
            NoticeKind::Extension => "延期答复通知",
            NoticeKind::Fee => "收费通知",
            NoticeKind::Reply => "答复通知",
            NoticeKind::Closed => "办结通知",
            NoticeKind::Reasons => "说明理由通知",
            NoticeKind::Deferral => "延迟答复通知",
        }
    }
}

/// A notice: the e-mail's subject and text, and the SMS text (short, without the letter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub subject: String,
    pub body: String,
    pub sms: String,
}

/// `2026年12月7日`.
fn day(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
}

/// Every notice's last lines: that it is sent by the system, and the agency.
fn sign_off(body: &mut String, agency: &str) {
    body.push_str("本邮件由系统自动发送，请勿直接回复。\n");
    body.push_str(agency);
    body.push('\n');
}

fn notice(kind: NoticeKind, agency: &str, tracking: &str, lines: &[String], sms: String) -> Notice {
    let mut body = format!("您好：\n\n您向{agency}提交的政府信息公开申请（申请编号 {tracking}）");
    for line in lines.iter().filter(|line| !line.is_empty()) {
        body.push_str(line);
        body.push('\n');
    }
    body.push_str("\n凭申请编号和查询码可在本平台“申请查询”页面查看办理进度和全部文书。\n");
    sign_off(&mut body, agency);
    Notice {
        kind,
        subject: format!("【{agency}】政府信息公开申请 {tracking}：{}", kind.label()),
        body,
        sms: format!("【{agency}】{sms}"),
    }
}

/// The receipt of an application received on `received`, due on `due` (`None` while the period has not
/// started); `provisional` when the due date counts days of a year whose holiday notice is not out yet.
pub fn receipt(
    agency: &str,
    tracking: &str,
    received: Date,
    due: Option<Date>,
    provisional: bool,
) -> Notice {
    let due_line = match due {
        Some(due) if provisional => format!(
            "按现行节假日安排推算，答复期限至{}（下一年度放假安排公布后可能调整）。",
            day(due)
        ),
        Some(due) => format!("答复期限至{}。", day(due)),
        None => "答复期限可在本平台查询。".to_owned(),
    };
    let lines = [format!("已于{}收到。", day(received)), CODE_LINE.to_owned(), due_line];
    let sms = format!(
        "您的政府信息公开申请已收到，申请编号{tracking}{SMS_CODE}{}",
        match due {
            Some(due) if provisional => format!("，答复期限暂定至{}。", day(due)),
            Some(due) => format!("，答复期限至{}。", day(due)),
            None => "。".to_owned(),
        }
    );
    notice(NoticeKind::Receipt, agency, tracking, &lines, sms)
}

/// The receipt of an application transferred (转办) from `from_agency`, where it was `from_tracking`: it
/// is tracked with the code of that application, so no code is sent again.
pub fn transferred_receipt(
    agency: &str,
    tracking: &str,
    from_agency: &str,
    from_tracking: &str,
    received: Date,
    due: Option<Date>,
) -> Notice {
    let mut body = format!(
        "您好：\n\n您的政府信息公开申请（原申请编号 {from_tracking}）已由{from_agency}转至{agency}办理，\
         新申请编号 {tracking}，本机关于{}收到。\n查询时可使用新申请编号或原申请编号，查询码不变。\n",
        day(received)
    );
    if let Some(due) = due {
        body.push_str(&format!("答复期限至{}。\n", day(due)));
    }
    body.push('\n');
    sign_off(&mut body, agency);
    Notice {
        kind: NoticeKind::Receipt,
        subject: format!("【{agency}】政府信息公开申请 {tracking}：转办受理回执"),
        body,
        sms: format!(
            "【{agency}】您的申请{from_tracking}已由{from_agency}转至本机关办理，新申请编号{tracking}，查询码不变。"
        ),
    }
}

/// The notice of a recorded step: its `event` (`None` when a lapsed case is closed), its letter `plan`, and
/// the due date after it. Steps the applicant is not told of (an extension asked for but not yet decided, a
/// refused one, the arrival of what they sent, an opinion received) have none.
pub fn of_step(
    agency: &str,
    tracking: &str,
    event: Option<&Event>,
    plan: Option<&LetterPlan>,
    due: Option<Date>,
) -> Option<Notice> {
    match (event, plan) {
        // A withdrawal is recorded as the reply that ends the case; its notice says what it is.
        (_, Some(LetterPlan::Withdrawal { requested_on })) => {
            let lines = [
                format!("已按您于{}提出的撤回请求终止办理。", day(*requested_on)),
                "终止办理告知书见附件。如仍需获取相关信息，可以重新提出申请。".to_owned(),
            ];
            let sms = format!("您的申请{tracking}已按您的撤回请求终止办理。");
            Some(notice(NoticeKind::Closed, agency, tracking, &lines, sms))
        }
        (
            Some(Event::SupplementRequested { on, .. }),
            Some(LetterPlan::Supplement { items, reply_by }),
        ) => {
            let lines = [
                format!("需要补正。请于{}前补正以下内容：{items}", day(*reply_by)),
                format!(
                    "补正告知书（{}）见附件。答复期限自收到补正材料之日起计算；无正当理由逾期不补正的，视为放弃申请。",
                    day(*on)
                ),
            ];
            let sms = format!(
                "您的申请{tracking}需要补正，请于{}前补正，详见补正通知书。",
                day(*reply_by)
            );
            Some(notice(NoticeKind::Supplement, agency, tracking, &lines, sms))
        }
        (Some(Event::ReasonsRequested { on }), Some(LetterPlan::Reasons { .. })) => {
            let lines = [
                "因申请公开政府信息的数量、频次明显超过合理范围，需要您向本机关说明申请理由。"
                    .to_owned(),
                format!("要求说明理由告知书（{}）见附件。", day(*on)),
            ];
            let sms = format!("您的申请{tracking}需要说明申请理由，详见要求说明理由告知书。");
            Some(notice(NoticeKind::Reasons, agency, tracking, &lines, sms))
        }
        (Some(Event::ReplyDeferred { until, .. }), Some(LetterPlan::Deferral { .. })) => {
            let lines = [
                format!(
                    "经审查您说明的申请理由，确定延迟答复的合理期限，将于{}前答复。",
                    day(*until)
                ),
                "延迟答复告知书见附件。".to_owned(),
            ];
            let sms = format!("您的申请{tracking}将于{}前答复，详见延迟答复告知书。", day(*until));
            Some(notice(NoticeKind::Deferral, agency, tracking, &lines, sms))
        }
        (Some(Event::ConsultationSent { on, .. }), _) => {
            let lines = [format!(
                "需要征求有关方面意见，已于{}发出征求意见函。征求意见所需时间不计算在答复期限内，收到意见后继续办理。",
                day(*on)
            )];
            let sms = format!("您的申请{tracking}正在征求有关方面意见，所需时间不计入答复期限。");
            Some(notice(NoticeKind::Consultation, agency, tracking, &lines, sms))
        }
        (Some(Event::ExtensionApproved { working_days, .. }), _) => {
            let until =
                due.map(|due| format!("，延长后的答复期限至{}", day(due))).unwrap_or_default();
            let lines = [
                format!("答复期限经批准延长{working_days}个工作日{until}。"),
                "延期答复告知书见附件。".to_owned(),
            ];
            let sms = format!("您的申请{tracking}答复期限延长{working_days}个工作日{until}。");
            Some(notice(NoticeKind::Extension, agency, tracking, &lines, sms))
        }
        (Some(Event::FeeNotified { amount_yuan, .. }), _) => {
            let lines = [
                format!("需缴纳信息处理费{amount_yuan}元，缴费方式和期限见附件缴费通知书。"),
                "逾期未缴纳的，视为放弃申请。".to_owned(),
            ];
            let sms = format!("您的申请{tracking}需缴纳信息处理费{amount_yuan}元，详见收费通知。");
            Some(notice(NoticeKind::Fee, agency, tracking, &lines, sms))
        }
        (Some(Event::Replied { on }), Some(LetterPlan::Reply { outcome, responsible, .. })) => {
            let moved = responsible
                .as_ref()
                .filter(|agency| agency.transfer_to.is_some())
                .map(|agency| {
                    format!("您的申请已转至{}办理，该机关自收到之日起依法答复，可凭原申请编号和查询码查询。", agency.name)
                });
            let lines = [
                format!("已于{}作出答复（{}）。", day(*on), outcome.label()),
                moved.unwrap_or_default(),
                format!("{}见附件。", crate::letters::reply_title(*outcome)),
            ];
            let sms = format!(
                "您的申请{tracking}已答复（{}），答复书请查收邮件或在平台查询。",
                outcome.label()
            );
            Some(notice(NoticeKind::Reply, agency, tracking, &lines, sms))
        }
        (None, Some(LetterPlan::Reply { outcome, .. })) => {
            let lines = [
                format!("已办结（{}）。", outcome.label()),
                format!("{}见附件。", crate::letters::reply_title(*outcome)),
            ];
            let sms = format!("您的申请{tracking}已办结（{}），详见告知书。", outcome.label());
            Some(notice(NoticeKind::Closed, agency, tracking, &lines, sms))
        }
        _ => None,
    }
}

/// Whether `address` is an e-mail address a notice can go to: one `@`, a local part and a dotted domain, no
/// space or control character, at most 254 characters (RFC 5321's path limit). A finer check is the mail
/// server's; this one keeps what the applicant mistyped out of the outbox.
pub fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && address.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>')
}

/// Whether `phone` is a mainland mobile number an SMS can go to: 11 digits starting 13–19, optionally written
/// with +86 or 86 before it (a landline takes no SMS).
pub fn mobile(phone: &str) -> Option<&str> {
    let digits = phone.trim();
    let digits =
        digits.strip_prefix("+86").or_else(|| digits.strip_prefix("86")).map_or(digits, str::trim);
    let bytes = digits.as_bytes();
    let ok = bytes.len() == 11
        && bytes[0] == b'1'
        && (b'3'..=b'9').contains(&bytes[1])
        && bytes.iter().all(u8::is_ascii_digit);
    ok.then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Outcome;
    use time::macros::date;

    #[test]
    fn the_receipt_names_the_number_the_code_and_the_due_date() {
        let notice = receipt(
            "某市司法局",
            "YSQ2026000001",
            date!(2026 - 12 - 07),
            Some(date!(2026 - 12 - 28)),
            false,
        );
        assert_eq!(notice.kind, NoticeKind::Receipt);
        assert!(notice.subject.contains("YSQ2026000001"), "{}", notice.subject);
        assert!(notice.body.contains("已于2026年12月7日收到"), "{}", notice.body);
        assert!(notice.body.contains(CODE_PLACEHOLDER));
        assert!(notice.body.contains("答复期限至2026年12月28日。"), "{}", notice.body);
        assert!(notice.sms.starts_with("【某市司法局】"));
        assert!(notice.sms.contains("查询码{查询码}"));
        let provisional = receipt(
            "某局",
            "YSQ2026000002",
            date!(2026 - 12 - 20),
            Some(date!(2027 - 01 - 19)),
            true,
        );
        assert!(provisional.body.contains("可能调整"), "{}", provisional.body);
        assert!(provisional.sms.contains("暂定至2027年1月19日"), "{}", provisional.sms);
        // The clock could not give a date: the receipt does not invent one.
        let unknown = receipt("某局", "YSQ2026000003", date!(2026 - 12 - 20), None, false);
        assert!(unknown.body.contains("答复期限可在本平台查询") && !unknown.body.contains("补正"));
        // The code goes in when sent; a notice sent again without it says where to find it.
        assert!(fill_code(&notice.body, Some("123456")).contains("查询码：123456（请妥善保存"));
        let again = fill_code(&notice.body, None);
        assert!(
            !again.contains(CODE_PLACEHOLDER) && again.contains("提交申请时页面显示的查询码"),
            "{again}"
        );
        let sms = fill_code(&notice.sms, None);
        assert!(!sms.contains("查询码") && sms.contains("YSQ2026000001，答复期限"), "{sms}");
    }

    #[test]
    fn a_transferred_application_is_acknowledged_without_a_new_code() {
        let notice = transferred_receipt(
            "温州市财政局",
            "YSQ2026000002",
            "温州市司法局",
            "YSQ2026000001",
            date!(2026 - 11 - 20),
            Some(date!(2026 - 12 - 18)),
        );
        assert!(
            notice.body.contains("已由温州市司法局转至温州市财政局办理，新申请编号 YSQ2026000002"),
            "{}",
            notice.body
        );
        assert!(notice.body.contains("查询码不变") && !notice.body.contains(CODE_PLACEHOLDER));
        assert!(notice.body.contains("答复期限至2026年12月18日"));
    }

    #[test]
    fn each_step_the_applicant_must_know_of_has_its_notice() {
        let supplement = of_step(
            "某局",
            "YSQ2026000001",
            Some(&Event::SupplementRequested {
                on: date!(2026 - 12 - 07),
                reply_by: Some(date!(2026 - 12 - 21)),
            }),
            Some(&LetterPlan::Supplement {
                items: "所需信息的名称".into(),
                reply_by: date!(2026 - 12 - 21),
            }),
            None,
        )
        .unwrap();
        assert_eq!(supplement.kind, NoticeKind::Supplement);
        assert!(
            supplement.body.contains("请于2026年12月21日前补正以下内容：所需信息的名称"),
            "{}",
            supplement.body
        );
        // Art. 30's condition, and the attachment by the name it bears.
        assert!(
            supplement.body.contains("无正当理由逾期不补正的，视为放弃申请"),
            "{}",
            supplement.body
        );
        assert!(
            supplement.body.contains("补正告知书（2026年12月7日）见附件"),
            "{}",
            supplement.body
        );
        let extension = of_step(
            "某局",
            "YSQ2026000001",
            Some(&Event::ExtensionApproved { on: date!(2026 - 12 - 07), working_days: 20 }),
            None,
            Some(date!(2027 - 01 - 26)),
        )
        .unwrap();
        assert!(
            extension.body.contains("延长20个工作日，延长后的答复期限至2027年1月26日"),
            "{}",
            extension.body
        );
        let fee = of_step(
            "某局",
            "Y",
            Some(&Event::FeeNotified { on: date!(2026 - 12 - 07), amount_yuan: 100 }),
            None,
            None,
        )
        .unwrap();
        assert!(fee.sms.contains("100元"));
        let reply = of_step(
            "某局",
            "Y",
            Some(&Event::Replied { on: date!(2026 - 12 - 07) }),
            Some(&LetterPlan::Reply {
                outcome: Outcome::Disclosed,
                access: String::new(),
                withheld_parts: String::new(),
                reasons: String::new(),
                responsible: None,
            }),
            None,
        )
        .unwrap();
        assert_eq!(reply.kind, NoticeKind::Reply);
        let withdrawn = of_step(
            "某局",
            "Y",
            Some(&Event::Replied { on: date!(2026 - 12 - 07) }),
            Some(&LetterPlan::Withdrawal { requested_on: date!(2026 - 12 - 07) }),
            None,
        )
        .expect("a withdrawal is told");
        assert_eq!(withdrawn.kind, NoticeKind::Closed);
        assert!(
            withdrawn.body.contains("撤回请求终止办理") && !withdrawn.body.contains("答复（"),
            "{}",
            withdrawn.body
        );
        assert!(reply.body.contains("已于2026年12月7日作出答复（予以公开）"), "{}", reply.body);
        assert!(reply.body.contains("政府信息公开申请答复书见附件"), "{}", reply.body);
        for silent in [
            Event::ExtensionRequested { on: date!(2026 - 12 - 07) },
            Event::ExtensionRefused { on: date!(2026 - 12 - 07) },
            Event::SupplementReceived { on: date!(2026 - 12 - 07) },
            Event::ConsultationAnswered { on: date!(2026 - 12 - 07) },
            Event::FeePaid { on: date!(2026 - 12 - 07) },
        ] {
            assert_eq!(of_step("某局", "Y", Some(&silent), None, None), None, "{silent:?}");
        }
        for kind in NoticeKind::ALL {
            assert_eq!(NoticeKind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn addresses_and_mobile_numbers_are_checked_before_anything_is_queued() {
        for good in ["zhang@example.cn", "a.b+c@mail.example.com.cn"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "zhang",
            "zhang@",
            "@example.cn",
            "zhang@example",
            "zhang@@example.cn",
            "zh ang@example.cn",
            "zhang@example..cn",
            "<a@b.cn>",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert_eq!(mobile("13812345678"), Some("13812345678"));
        assert_eq!(mobile("+86 13812345678"), Some("13812345678"));
        assert_eq!(mobile("0577-88888888"), None);
        assert_eq!(mobile("12812345678"), None);
        assert_eq!(mobile("1381234567"), None);
    }
}
