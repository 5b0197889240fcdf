//! The letters of handling an application: 补正告知书, 征求意见书, 延期答复告知书, 信息处理费缴费通知书 and the
//! reply (政府信息公开申请答复书 / 告知书), composed from the facts of the case.
//!
//! The wording follows the articles relied on, which each letter cites: the reply categories of 2019 条例
//! art. 36 (2007 条例 art. 21 for cases under the old regulation), the grounds of arts. 14–16, 30, 35, 37–39,
//! and the applicant's remedies (2019 条例 art. 51: 行政复议 within 60 days, 《行政复议法》 art. 20; 行政诉讼
//! within 6 months, 《行政诉讼法》 art. 46). The renderer lays the [`Letter`] out as DOCX and PDF.

use serde::Serialize;
use time::Date;

use crate::records::{NonProcessing, OtherHandling, Outcome, Unavailability, Withholding};
use crate::regime::Regime;

/// The kinds of letter a case sends, as its case file keeps them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LetterKind {
    /// 补正告知书 (2019 条例 art. 30).
    Supplement,
    /// 征求意见书, to a third party or another agency (arts. 32, 34).
    Consultation,
    /// 延长答复期限告知书 (art. 33).
    Extension,
    /// 信息处理费缴费通知书 (国办函〔2020〕109号).
    Fee,
    /// The reply (答复书 / 告知书, art. 36).
    Reply,
    /// 告知书 naming the agency that holds the information (art. 36(五)), when the case leaves this agency.
    Transfer,
}

impl LetterKind {
    /// Every kind.
    pub const ALL: [LetterKind; 6] = [
        LetterKind::Supplement,
        LetterKind::Consultation,
        LetterKind::Extension,
        LetterKind::Fee,
        LetterKind::Reply,
        LetterKind::Transfer,
    ];

    /// The kind as stored.
    pub const fn code(self) -> &'static str {
        match self {
            LetterKind::Supplement => "supplement",
            LetterKind::Consultation => "consultation",
            LetterKind::Extension => "extension",
            LetterKind::Fee => "fee",
            LetterKind::Reply => "reply",
            LetterKind::Transfer => "transfer",
        }
    }

    /// The kind named `code`.
    pub fn from_code(code: &str) -> Option<LetterKind> {
        LetterKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The letter's Chinese name.
    pub const fn label(self) -> &'static str {
        match self {
            LetterKind::Supplement => "补正告知书",
            LetterKind::Consultation => "征求意见书",
            LetterKind::Extension => "延长答复期限告知书",
            LetterKind::Fee => "收费通知书",
            LetterKind::Reply => "政府信息公开申请答复（告知）书",
            LetterKind::Transfer => "告知书（非本机关政府信息）",
        }
    }

    /// Whether the letter is addressed to the applicant (a consultation letter goes to the party consulted,
    /// and the applicant never sees it).
    pub const fn to_applicant(self) -> bool {
        !matches!(self, LetterKind::Consultation)
    }
}

impl std::fmt::Display for LetterKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A composed letter: what the renderer lays out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Letter {
    pub title: String,
    /// 文书编号, e.g. `YSQ2026000012-答`.
    pub number: String,
    /// The salutation line: `张三：`.
    pub addressee: String,
    pub paragraphs: Vec<String>,
    /// The agency (signature, and the seal goes over it).
    pub signer: String,
    /// The letter's date in Chinese: `2026年11月27日`.
    pub date: String,
    /// The rules relied on, for the case file (also cited in the text).
    pub citations: Vec<String>,
}

/// Who the case is about, shared by every letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts<'a> {
    pub agency: &'a str,
    /// The disclosure office and its phone, for "联系电话".
    pub contact: &'a str,
    pub tracking_number: &'a str,
    pub applicant: &'a str,
    pub received: Date,
    /// What was asked for (the application's description).
    pub request: &'a str,
    pub regime: Regime,
    /// The letter's date.
    pub date: Date,
}

/// The reply's content beyond its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReplyFacts<'a> {
    /// How the information is provided or where it is published (予以公开, 已主动公开, 部分公开).
    pub access: &'a str,
    /// The parts withheld in a partial disclosure, with their ground.
    pub withheld_parts: &'a str,
    /// The staff's statement of reasons (不予公开, 无法提供, 不予处理).
    pub reasons: &'a str,
    /// For [`Outcome::NotThisAgency`]: the agency responsible and its contact details.
    pub responsible_agency: Option<(&'a str, &'a str)>,
    /// Whether the application was transferred to that agency on the platform as well.
    pub transferred: bool,
    /// The body that hears an administrative review (the agency's parent government); `None` when unknown.
    pub review_body: Option<&'a str>,
}

/// `2026年11月27日`.
pub fn chinese_date(date: Date) -> String {
    format!("{}年{}月{}日", date.year(), u8::from(date.month()), date.day())
}

fn opening(facts: &CaseFacts<'_>) -> String {
    format!(
        "本机关于{}收到您提出的政府信息公开申请（申请编号：{}），申请获取“{}”。",
        chinese_date(facts.received),
        facts.tracking_number,
        quoted_request(facts.request)
    )
}

/// The request as quoted in a letter (“…”。): one line, without its own closing punctuation, so a request
/// typed as a sentence does not end the letter's sentence twice ("…。”。").
fn quoted_request(request: &str) -> String {
    let one_line = request.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line
        .trim_end_matches(['。', '.', '．', '；', ';', '，', ',', '！', '!', '？', '?'])
        .to_owned()
}

fn contact_line(facts: &CaseFacts<'_>) -> String {
    format!("联系方式：{}。", facts.contact)
}

/// The 条例 article of a reply category, as cited in the reply (2019: art. 36 and the grounds' articles;
/// 2007: art. 21 and arts. 14, 22).
pub fn reply_citation(outcome: Outcome, regime: Regime) -> String {
    let name = regime.title();
    let article = match regime {
        Regime::Ordinance2007 => match outcome {
            Outcome::AlreadyPublished | Outcome::Disclosed => "第二十一条第（一）项",
            Outcome::PartiallyDisclosed => "第二十一条第（一）项、第二十二条",
            Outcome::Withheld(_) => "第十四条、第二十一条第（二）项",
            Outcome::Unavailable(Unavailability::StillUnclear) | Outcome::ToldToAmend => {
                "第二十一条第（四）项"
            }
            Outcome::Unavailable(_) | Outcome::NotThisAgency => "第二十一条第（三）项",
            Outcome::NotProcessed(_) | Outcome::OtherHandling(_) | Outcome::ToldOtherChannel => {
                "第二十一条"
            }
        },
        Regime::Ordinance2019 => match outcome {
            Outcome::AlreadyPublished => "第三十六条第（一）项",
            Outcome::Disclosed => "第三十六条第（二）项",
            Outcome::PartiallyDisclosed => "第三十七条",
            Outcome::Withheld(reason) => match reason {
                Withholding::StateSecret | Withholding::ForbiddenByLaw | Withholding::Security => {
                    "第十四条、第三十六条第（三）项"
                }
                Withholding::ThirdPartyTradeSecret
                | Withholding::ThirdPartyPrivacy
                | Withholding::ThirdPartyOther => "第十五条、第三十六条第（三）项",
                Withholding::Internal => "第十六条第一款、第三十六条第（三）项",
                Withholding::Deliberative | Withholding::EnforcementFile => {
                    "第十六条第二款、第三十六条第（三）项"
                }
                Withholding::AdministrativeQuery => "第三十六条第（七）项",
                Withholding::NotGovernmentInformation => "第二条、第三十六条第（三）项",
            },
            Outcome::Unavailable(Unavailability::NotHeld) => "第三十六条第（四）项",
            Outcome::Unavailable(Unavailability::NeedsCreation) => "第三十八条",
            Outcome::Unavailable(Unavailability::StillUnclear) | Outcome::ToldToAmend => "第三十条",
            Outcome::NotThisAgency => "第三十六条第（五）项",
            Outcome::NotProcessed(reason) => match reason {
                NonProcessing::Petition => "第三十九条第一款",
                NonProcessing::Repeat => "第三十六条第（六）项",
                NonProcessing::Publication => "第三十九条第二款",
                NonProcessing::Excessive => "第三十五条",
                NonProcessing::Confirmation => "第二条、第三十六条",
            },
            Outcome::OtherHandling(OtherHandling::NoSupplement) => "第三十条",
            Outcome::OtherHandling(OtherHandling::FeeNotPaid) => {
                return "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）第八条"
                    .to_owned();
            }
            Outcome::OtherHandling(OtherHandling::Other) | Outcome::ToldOtherChannel => {
                "第三十六条"
            }
        },
    };
    format!("{name}{article}")
}

/// The decision sentence of a reply, per category.
fn decision(outcome: Outcome, reply: &ReplyFacts<'_>) -> String {
    let access = if reply.access.trim().is_empty() { "" } else { reply.access.trim() };
    match outcome {
        Outcome::AlreadyPublished => format!(
            "经查，您申请获取的政府信息已经主动公开。{}",
            if access.is_empty() {
                "您可以通过本机关政府信息公开平台查阅。".to_owned()
            } else {
                format!("获取方式和途径：{access}。")
            }
        ),
        Outcome::Disclosed => format!(
            "经审查，您申请获取的政府信息属于公开范围，本机关决定予以公开。{}",
            if access.is_empty() {
                "现随本答复书一并提供。".to_owned()
            } else {
                format!("提供方式：{access}。")
            }
        ),
        Outcome::PartiallyDisclosed => format!(
            "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。本机关决定部分公开：\
             可以公开的内容{}；不予公开的内容为{}，理由：{}。",
            if access.is_empty() {
                "随本答复书一并提供".to_owned()
            } else {
                format!("的提供方式为{access}")
            },
            nonempty(reply.withheld_parts, "相关部分"),
            nonempty(reply.reasons, "依法不予公开")
        ),
        Outcome::Withheld(reason) => format!(
            "经审查，您申请获取的政府信息{}，本机关决定不予公开。理由：{}。",
            withholding_text(reason),
            nonempty(reply.reasons, withholding_text(reason))
        ),
        Outcome::Unavailable(Unavailability::NotHeld) => format!(
            "经检索，本机关没有您申请获取的政府信息，该政府信息不存在。{}",
            sentence(reply.reasons)
        ),
        Outcome::Unavailable(Unavailability::NeedsCreation) => format!(
            "经审查，您申请获取的信息需要本机关对现有政府信息进行加工、分析，本机关可以不予提供。{}",
            sentence(reply.reasons)
        ),
        Outcome::Unavailable(Unavailability::StillUnclear) | Outcome::ToldToAmend => format!(
            "本机关已告知您对申请作出补正，补正后申请内容仍不明确，本机关无法提供。{}",
            sentence(reply.reasons)
        ),
        Outcome::NotThisAgency => match reply.responsible_agency {
            Some((name, contact)) if reply.transferred => format!(
                "经审查，您申请获取的政府信息不属于本机关负责公开。负责公开该政府信息的行政机关为{name}，\
                 联系方式：{contact}。本机关已将您的申请转至该机关办理，该机关自收到之日起依法答复；您可以凭原申请\
                 编号和查询码在本平台查询办理进度。{}",
                sentence(reply.reasons)
            ),
            Some((name, contact)) => format!(
                "经审查，您申请获取的政府信息不属于本机关负责公开。负责公开该政府信息的行政机关为{name}，\
                 联系方式：{contact}。您可以向该机关提出申请。{}",
                sentence(reply.reasons)
            ),
            None => format!(
                "经审查，您申请获取的政府信息不属于本机关负责公开。{}",
                sentence(reply.reasons)
            ),
        },
        Outcome::NotProcessed(reason) => format!(
            "经审查，{}，本机关不予处理。{}",
            match reason {
                NonProcessing::Petition => "您以政府信息公开申请的形式进行信访、投诉、举报等活动",
                NonProcessing::Repeat =>
                    "本机关已就您此前提出的政府信息公开申请作出答复，您重复申请公开相同政府信息",
                NonProcessing::Publication => "您要求提供的是公开出版物",
                NonProcessing::Excessive =>
                    "您申请公开政府信息的数量、频次明显超过合理范围，且说明的理由不合理",
                NonProcessing::Confirmation =>
                    "您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请",
            },
            sentence(reply.reasons)
        ),
        Outcome::OtherHandling(OtherHandling::NoSupplement) => format!(
            "本机关已一次性告知您对申请作出补正，您无正当理由逾期未补正，视为放弃申请，本机关不再处理该申请。{}",
            sentence(reply.reasons)
        ),
        Outcome::OtherHandling(OtherHandling::FeeNotPaid) => format!(
            "本机关已向您发出信息处理费缴费通知，您逾期未缴纳，视为放弃申请，本机关不再处理该申请。{}",
            sentence(reply.reasons)
        ),
        Outcome::OtherHandling(OtherHandling::Other) | Outcome::ToldOtherChannel => {
            format!(
                "经审查，{}",
                nonempty(reply.reasons, "本机关对您的申请作如下处理：请通过其他途径办理。")
            )
        }
    }
}

fn withholding_text(reason: Withholding) -> &'static str {
    match reason {
        Withholding::StateSecret => "属于国家秘密",
        Withholding::ForbiddenByLaw => "属于法律、行政法规禁止公开的信息",
        Withholding::Security => "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
        Withholding::ThirdPartyTradeSecret => "涉及商业秘密，公开会对第三方合法权益造成损害",
        Withholding::ThirdPartyPrivacy => "涉及个人隐私，公开会对第三方合法权益造成损害",
        Withholding::ThirdPartyOther => "公开会对第三方合法权益造成损害",
        Withholding::Internal => "属于人事管理、后勤管理、内部工作流程等内部事务信息",
        Withholding::Deliberative => "属于讨论记录、过程稿、磋商信函、请示报告等过程性信息",
        Withholding::EnforcementFile => "属于行政执法案卷信息",
        Withholding::AdministrativeQuery => {
            "属于有关法律、行政法规对信息的获取有特别规定的信息，请依照有关规定办理"
        }
        Withholding::NotGovernmentInformation => "不属于《条例》所指的政府信息",
    }
}

fn nonempty<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    let text = text.trim().trim_end_matches('。');
    if text.is_empty() { fallback } else { text }
}

fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else if text.ends_with('。') {
        text.to_owned()
    } else {
        format!("{text}。")
    }
}

/// The applicant's remedies (2019 条例 art. 51; 《行政复议法》 art. 20: 60 days; 《行政诉讼法》 art. 46: 6
/// months), stated in every reply.
pub fn remedies(review_body: Option<&str>) -> String {
    let review = match review_body {
        Some(body) => format!("向{body}申请行政复议"),
        None => "依法申请行政复议".to_owned(),
    };
    format!(
        "如对本答复不服，可以自收到本答复之日起60日内{review}，或者自收到本答复之日起6个月内依法向人民法院提起行政诉讼。"
    )
}

/// The title of the reply of `outcome`: 答复书 for a decision on the information, 告知书 for the others.
pub fn reply_title(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::AlreadyPublished
        | Outcome::Disclosed
        | Outcome::PartiallyDisclosed
        | Outcome::Withheld(_) => "政府信息公开申请答复书",
        _ => "政府信息公开申请告知书",
    }
}

/// The reply (答复书 for a decision on the information, 告知书 for the other categories).
pub fn reply(case: &CaseFacts<'_>, outcome: Outcome, reply: &ReplyFacts<'_>) -> Letter {
    let title = reply_title(outcome);
    let citation = reply_citation(outcome, case.regime);
    let paragraphs = vec![
        opening(case),
        decision(outcome, reply),
        format!("根据{citation}的规定，特此告知。"),
        remedies(reply.review_body),
        contact_line(case),
    ];
    Letter {
        title: title.to_owned(),
        number: format!("{}-答", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs,
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 公开决定告知书 to a third party who did not agree to disclosure: the agency discloses anyway because
/// withholding could gravely affect the public interest, and tells the party in writing what it discloses
/// and why (2019 条例 art. 32: "并将决定公开的政府信息内容和理由书面告知第三方"; 2007 art. 23). The applicant
/// is not named.
pub fn third_party_notice(case: &CaseFacts<'_>, party: &str, reasons: &str) -> Letter {
    let article = match case.regime {
        Regime::Ordinance2007 => "第二十三条",
        Regime::Ordinance2019 => "第三十二条",
    };
    let citation = format!("{}{article}", case.regime.title());
    Letter {
        title: "政府信息公开决定告知书（第三方）".to_owned(),
        number: format!("{}-告", case.tracking_number),
        addressee: format!("{party}："),
        paragraphs: vec![
            format!(
                "本机关于{}收到政府信息公开申请（申请编号：{}），申请获取“{}”。本机关就该信息的公开书面征求了贵方\
                 意见，贵方不同意公开。",
                chinese_date(case.received),
                case.tracking_number,
                quoted_request(case.request)
            ),
            format!(
                "本机关认为不公开可能对公共利益造成重大影响，决定予以公开。决定公开的政府信息内容：{}。理由：{}",
                case.request.trim().trim_end_matches('。'),
                sentence(reasons)
            ),
            format!("根据{citation}的规定，特此告知。"),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 终止办理告知书: the applicant withdrew the application on `requested_on`. Neither 条例 provides for a
/// withdrawal; the case ends by the applicant's own wish, counted as 其他处理 ([U]: the 2021 format has no
/// row of its own for it), and the letter cites no article for a decision it does not make. It tells the
/// applicant they may apply again; a withdrawal is not a decision on the information, so no remedy is stated.
pub fn withdrawal(case: &CaseFacts<'_>, requested_on: Date) -> Letter {
    Letter {
        title: "政府信息公开申请终止办理告知书".to_owned(),
        number: format!("{}-终", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!(
                "您于{}申请撤回上述政府信息公开申请。本机关依您的申请终止办理，不再作出答复。如仍需获取相关政府信息，\
                 您可以重新提出申请。",
                chinese_date(requested_on)
            ),
            "特此告知。".to_owned(),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: Vec::new(),
    }
}

/// 要求说明理由告知书 (2019 条例 art. 35: "申请人申请公开政府信息的数量、频次明显超过合理范围，行政机关可以
/// 要求申请人说明理由。行政机关认为申请理由不合理的，告知申请人不予处理；…认为申请理由合理，但是无法在本条例
/// 第三十三条规定的期限内答复申请人的，可以确定延迟答复的合理期限并告知申请人"). `stated` is what exceeds a
/// reasonable range, as the handler wrote it.
pub fn reasons_request(case: &CaseFacts<'_>, stated: &str) -> Letter {
    let citation = format!("{}第三十五条", case.regime.title());
    Letter {
        title: "政府信息公开申请要求说明理由告知书".to_owned(),
        number: format!("{}-理", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!(
                "经审查，{}您申请公开政府信息的数量、频次明显超过合理范围。根据{citation}的规定，请您向本机关\
                 说明申请理由。",
                sentence(stated)
            ),
            "本机关认为申请理由不合理的，将告知您不予处理；认为申请理由合理，但是无法在《条例》第三十三条规定的\
             期限内答复的，可以确定延迟答复的合理期限并告知您。"
                .to_owned(),
            "特此告知。".to_owned(),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 延迟答复告知书 (2019 条例 art. 35: "行政机关认为申请理由合理，但是无法在本条例第三十三条规定的期限内答复
/// 申请人的，可以确定延迟答复的合理期限并告知申请人").
pub fn deferral(case: &CaseFacts<'_>, until: Date, reason: &str) -> Letter {
    let citation = format!("{}第三十五条", case.regime.title());
    Letter {
        title: "政府信息公开申请延迟答复告知书".to_owned(),
        number: format!("{}-迟", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!(
                "经审查，本机关认为您说明的申请理由合理，但因{}，无法在{}第三十三条规定的期限内答复。根据\
                 {citation}的规定，本机关确定延迟答复的合理期限，将于{}前作出答复。",
                sentence(reason).trim_end_matches('。'),
                case.regime.title(),
                chinese_date(until)
            ),
            "特此告知。".to_owned(),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 补正告知书 (2019 条例 art. 30: "一次性告知申请人作出补正，说明需要补正的事项和合理的补正期限").
pub fn supplement(case: &CaseFacts<'_>, items: &str, reply_by: Date) -> Letter {
    let citation = format!("{}第三十条", case.regime.title());
    Letter {
        title: "政府信息公开申请补正告知书".to_owned(),
        number: format!("{}-补", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!("经审查，您的申请内容不明确，请您对以下事项作出补正：{}", sentence(items)),
            format!(
                "请于{}前将补正材料提交本机关。答复期限自本机关收到补正材料之日起计算；您无正当理由逾期不补正的，\
                 视为放弃申请，本机关不再处理该政府信息公开申请。",
                chinese_date(reply_by)
            ),
            format!("根据{citation}的规定，特此告知。"),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 征求意见书 to a third party (2019 条例 art. 32) or another agency (art. 34); the consulted side has 15
/// working days ([`crate::clock::CONSULTATION_WORKING_DAYS`]), given as the date `answer_by`.
pub fn consultation(
    case: &CaseFacts<'_>,
    consulted: &str,
    other_agency: bool,
    answer_by: Date,
) -> Letter {
    let (article, consequence) = if other_agency {
        ("第三十四条", "逾期未提出意见的，视为同意公开。")
    } else {
        ("第三十二条", "逾期未提出意见的，由本机关依照《条例》的规定决定是否公开。")
    };
    let citation = format!("{}{article}", case.regime.title());
    Letter {
        title: "政府信息公开征求意见书".to_owned(),
        number: format!("{}-征", case.tracking_number),
        addressee: format!("{consulted}："),
        paragraphs: vec![
            format!(
                "本机关于{}收到政府信息公开申请（申请编号：{}），申请获取“{}”。该信息的公开可能涉及贵方合法权益\
                 （或由贵方共同制作），根据{citation}的规定，现书面征求贵方意见。",
                chinese_date(case.received),
                case.tracking_number,
                quoted_request(case.request)
            ),
            format!(
                "请于{}前书面提出是否同意公开的意见；不同意公开的，请说明理由。{consequence}",
                chinese_date(answer_by)
            ),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 延期答复告知书 (2019 条例 art. 33 para. 2: extension approved by the head of the disclosure office, at
/// most 20 working days, and the applicant told).
///
/// `provisional` says the new due date counts days of a year whose holiday notice is not yet published; the
/// letter then says the date follows the notice once it is.
pub fn extension(
    case: &CaseFacts<'_>,
    working_days: u32,
    new_due: Date,
    provisional: bool,
    reason: &str,
) -> Letter {
    let citation = format!("{}第三十三条第二款", case.regime.title());
    Letter {
        title: "政府信息公开申请延期答复告知书".to_owned(),
        number: format!("{}-延", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!(
                "因{}，本机关无法在规定期限内作出答复。经本机关政府信息公开工作机构负责人同意，答复期限延长{working_days}个工作日，\
                 本机关将于{}前作出答复{}。",
                nonempty(reason, "需要进一步核实"),
                chinese_date(new_due),
                if provisional {
                    "（该日期按已公布的节假日安排计算，国务院公布新的节假日安排后以实际工作日为准）"
                } else {
                    ""
                }
            ),
            format!("根据{citation}的规定，特此告知。"),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

/// 信息处理费缴费通知书 (国办函〔2020〕109号): the amount, how it was computed, and the day payment is due;
/// unpaid by then, the application is treated as withdrawn.
pub fn fee(case: &CaseFacts<'_>, amount_yuan: u64, basis: &str, pay_by: Date) -> Letter {
    let citation = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）".to_owned();
    Letter {
        title: "政府信息公开信息处理费缴费通知书".to_owned(),
        number: format!("{}-费", case.tracking_number),
        addressee: format!("{}：", case.applicant),
        paragraphs: vec![
            opening(case),
            format!(
                "您申请公开政府信息的数量、频次明显超过合理范围，根据《中华人民共和国政府信息公开条例》第四十二条和{citation}，\
                 本机关依法收取信息处理费人民币{amount_yuan}元（{basis}）。"
            ),
            format!(
                "请于{}前缴纳。答复期限自您缴纳费用之日起继续计算；逾期未缴纳的，视为放弃申请，本机关不再处理该申请。",
                chinese_date(pay_by)
            ),
            contact_line(case),
        ],
        signer: case.agency.to_owned(),
        date: chinese_date(case.date),
        citations: vec![citation],
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    fn case() -> CaseFacts<'static> {
        CaseFacts {
            agency: "温州市司法局",
            contact: "市司法局办公室，0577-88367543",
            tracking_number: "YSQ2026000012",
            applicant: "张三",
            received: date!(2026 - 11 - 02),
            request: "2025年度律师事务所年度考核结果",
            regime: Regime::Ordinance2019,
            date: date!(2026 - 11 - 27),
        }
    }

    /// A request typed as a sentence, over two lines, is quoted once: no "…。”。" (issue #20).
    #[test]
    fn a_request_ending_in_punctuation_is_quoted_without_it() {
        let facts =
            CaseFacts { request: "2025年度律师事务所\n年度考核结果。 ", ..case() };
        let letter = reply(&facts, Outcome::Disclosed, &ReplyFacts::default());
        let text = letter.paragraphs.join("");
        assert!(text.contains("申请获取“2025年度律师事务所 年度考核结果”。"), "{text}");
        assert!(!text.contains("。”"), "{text}");
        let consulted =
            consultation(&facts, "某公司", false, date!(2026 - 11 - 20)).paragraphs.join("");
        assert!(!consulted.contains("。”"), "{consulted}");
    }

    #[test]
    fn a_reply_cites_its_article_and_the_remedies() {
        let letter = reply(
            &case(),
            Outcome::Withheld(Withholding::Deliberative),
            &ReplyFacts { review_body: Some("温州市人民政府"), ..ReplyFacts::default() },
        );
        assert_eq!(letter.title, "政府信息公开申请答复书");
        let text = letter.paragraphs.join("");
        assert!(text.contains("2026年11月2日收到"), "{text}");
        assert!(text.contains("过程性信息"), "{text}");
        assert!(text.contains("第十六条第二款、第三十六条第（三）项"), "{text}");
        assert!(text.contains("60日内向温州市人民政府申请行政复议"), "{text}");
        assert!(text.contains("6个月内"), "{text}");
        assert_eq!(letter.date, "2026年11月27日");
    }

    #[test]
    fn not_this_agency_names_the_responsible_agency() {
        let letter = reply(
            &case(),
            Outcome::NotThisAgency,
            &ReplyFacts {
                responsible_agency: Some(("温州市财政局", "0577-88888888")),
                ..ReplyFacts::default()
            },
        );
        assert_eq!(letter.title, "政府信息公开申请告知书");
        let text = letter.paragraphs.join("");
        assert!(text.contains("温州市财政局"), "{text}");
        assert!(text.contains("您可以向该机关提出申请") && !text.contains("转至"), "{text}");
        let transferred = reply(
            &case(),
            Outcome::NotThisAgency,
            &ReplyFacts {
                responsible_agency: Some(("温州市财政局", "0577-88888888")),
                transferred: true,
                ..ReplyFacts::default()
            },
        )
        .paragraphs
        .join("");
        assert!(transferred.contains("本机关已将您的申请转至该机关办理"), "{transferred}");
        assert!(!transferred.contains("您可以向该机关提出申请"), "{transferred}");
        assert!(text.contains("第三十六条第（五）项"), "{text}");
    }

    #[test]
    fn cases_under_the_2007_regulation_cite_its_articles() {
        let mut old = case();
        old.regime = Regime::Ordinance2007;
        old.received = date!(2018 - 03 - 05);
        let letter = reply(&old, Outcome::NotThisAgency, &ReplyFacts::default());
        assert!(letter.citations[0].contains("第二十一条第（三）项"), "{:?}", letter.citations);
        assert!(!letter.citations[0].contains("第三十六条"));
    }

    #[test]
    fn every_outcome_gets_a_letter_with_a_citation() {
        use crate::records::*;
        let outcomes = [
            Outcome::AlreadyPublished,
            Outcome::Disclosed,
            Outcome::PartiallyDisclosed,
            Outcome::Withheld(Withholding::StateSecret),
            Outcome::Unavailable(Unavailability::NeedsCreation),
            Outcome::NotProcessed(NonProcessing::Repeat),
            Outcome::OtherHandling(OtherHandling::FeeNotPaid),
        ];
        for outcome in outcomes {
            for regime in [Regime::Ordinance2007, Regime::Ordinance2019] {
                let mut facts = case();
                facts.regime = regime;
                let letter = reply(&facts, outcome, &ReplyFacts::default());
                assert!(!letter.citations[0].is_empty());
                assert!(letter.paragraphs.iter().all(|p| !p.contains("{")), "{letter:?}");
            }
        }
    }

    #[test]
    fn a_provisional_due_date_says_so() {
        let firm = extension(&case(), 20, date!(2026 - 12 - 31), false, "需要核实");
        assert!(!firm.paragraphs.join("").contains("为准"));
        let provisional = extension(&case(), 20, date!(2027 - 01 - 06), true, "需要核实");
        let text = provisional.paragraphs.join("");
        assert!(text.contains("2027年1月6日前作出答复（该日期按已公布的节假日安排计算"), "{text}");
    }

    #[test]
    fn the_supplement_notice_states_the_reply_by_date() {
        let letter = supplement(&case(), "请明确所需信息的年份", date!(2026 - 12 - 11));
        let text = letter.paragraphs.join("");
        assert!(text.contains("请明确所需信息的年份。"), "{text}");
        assert!(text.contains("2026年12月11日前"), "{text}");
        assert!(letter.citations[0].ends_with("第三十条"));
    }
}
