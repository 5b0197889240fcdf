//! The records an annual report is derived from: plain values, one type per kind of fact.
//!
//! Storage maps its rows to these types; the demo data builds them directly. Nothing here is a count typed
//! in by hand except [`DeclaredFigure`]s, which come from other systems (行政许可, 行政处罚, …) with a source.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::clock::Event;
use crate::quantity::Quantity;
use crate::regime::{Intake, Regime};

/// Whether an agency is a government (reports by 3月31日) or a government department (by 1月31日),
/// 2019 条例 art. 49.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    Government,
    Department,
}

impl AgencyKind {
    /// The code stored and written in agency files: `government`, `department`.
    pub fn code(self) -> &'static str {
        match self {
            AgencyKind::Government => "government",
            AgencyKind::Department => "department",
        }
    }

    /// How the portal names the kind.
    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::Government => "人民政府",
            AgencyKind::Department => "政府部门",
        }
    }

    /// The kind an agency file or a form names: the code, or the names agencies give it (政府, 人民政府 →
    /// government; 部门, 工作部门 → department).
    pub fn from_name(text: &str) -> Option<AgencyKind> {
        match text.trim() {
            "government" | "政府" | "人民政府" | "一级政府" | "地方政府" => {
                Some(AgencyKind::Government)
            }
            "department" | "部门" | "工作部门" | "政府部门" | "政府工作部门" | "直属机构" => {
                Some(AgencyKind::Department)
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agency {
    /// 统一社会信用代码 or another stable code.
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    /// The disclosure office, as named in the report's preamble.
    pub office: String,
    pub phone: String,
}

/// Where a catalog item went out (2019 条例 art. 23–24; the pre-2019 table counts each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishChannel {
    /// 政府网站.
    Website,
    /// 政府公报.
    Gazette,
    /// 政务微博.
    Weibo,
    /// 政务微信.
    Wechat,
    /// 其他方式 (newspapers, bulletin boards, …).
    Other,
}

impl PublishChannel {
    pub const ALL: [PublishChannel; 5] = [
        PublishChannel::Gazette,
        PublishChannel::Website,
        PublishChannel::Weibo,
        PublishChannel::Wechat,
        PublishChannel::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PublishChannel::Website => "website",
            PublishChannel::Gazette => "gazette",
            PublishChannel::Weibo => "weibo",
            PublishChannel::Wechat => "wechat",
            PublishChannel::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PublishChannel::Website => "政府网站",
            PublishChannel::Gazette => "政府公报",
            PublishChannel::Weibo => "政务微博",
            PublishChannel::Wechat => "政务微信",
            PublishChannel::Other => "其他方式",
        }
    }
}

/// A proactively published item (主动公开) and the channels it went out on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub index_number: String,
    pub title: String,
    /// The agency's own catalog category, used in the narrative and the chart (e.g. 政策文件, 工作信息).
    pub category: String,
    pub formed: Option<Date>,
    pub published: Date,
    /// Each channel once; an item on several channels counts once in the total and once per channel.
    pub channels: Vec<PublishChannel>,
    /// The item is a normative document (规范性文件).
    pub normative: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NormativeKind {
    /// 规章.
    Rule,
    /// (行政)规范性文件.
    Document,
}

/// A 规章 or 规范性文件 the agency made: when made, published, and repealed or expired (失效).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NormativeDocument {
    pub kind: NormativeKind,
    pub number: String,
    pub title: String,
    pub made: Date,
    pub published: Option<Date>,
    pub repealed: Option<Date>,
}

/// The applicant column of table 三.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// 自然人.
    Natural,
    /// 商业企业.
    Business,
    /// 科研机构.
    Research,
    /// 社会公益组织.
    PublicInterest,
    /// 法律服务机构.
    LegalService,
    /// 其他 (法人或其他组织).
    OtherOrganisation,
}

impl ApplicantType {
    pub const ALL: [ApplicantType; 6] = [
        ApplicantType::Natural,
        ApplicantType::Business,
        ApplicantType::Research,
        ApplicantType::PublicInterest,
        ApplicantType::LegalService,
        ApplicantType::OtherOrganisation,
    ];

    /// The measure suffix of the applicant column.
    pub fn code(self) -> &'static str {
        match self {
            ApplicantType::Natural => "natural",
            ApplicantType::Business => "business",
            ApplicantType::Research => "research",
            ApplicantType::PublicInterest => "public_interest",
            ApplicantType::LegalService => "legal_service",
            ApplicantType::OtherOrganisation => "other_org",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicantType::Natural => "自然人",
            ApplicantType::Business => "商业企业",
            ApplicantType::Research => "科研机构",
            ApplicantType::PublicInterest => "社会公益组织",
            ApplicantType::LegalService => "法律服务机构",
            ApplicantType::OtherOrganisation => "其他",
        }
    }
}

/// Grounds for withholding (不予公开), 2019 条例 arts. 14–16, plus the 2007-era grounds with no 2019 row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Withholding {
    /// 属于国家秘密 (art. 14).
    StateSecret,
    /// 其他法律行政法规禁止公开 (art. 14).
    ForbiddenByLaw,
    /// 危及“三安全一稳定” (art. 14).
    Security,
    /// 保护第三方合法权益: 商业秘密 (art. 15).
    ThirdPartyTradeSecret,
    /// 保护第三方合法权益: 个人隐私 (art. 15).
    ThirdPartyPrivacy,
    /// 保护第三方合法权益: other (art. 15).
    ThirdPartyOther,
    /// 属于三类内部事务信息 (art. 16 para. 1).
    Internal,
    /// 属于四类过程性信息 (art. 16 para. 2).
    Deliberative,
    /// 属于行政执法案卷 (art. 16 para. 2).
    EnforcementFile,
    /// 属于行政查询事项 (art. 36(7)).
    AdministrativeQuery,
    /// 不是《条例》所指政府信息 (2007-era answer; no 2019 row).
    NotGovernmentInformation,
}

/// Grounds for 无法提供.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailability {
    /// 本机关不掌握相关政府信息 (art. 36(4)).
    NotHeld,
    /// 没有现成信息需要另行制作 (art. 38).
    NeedsCreation,
    /// 补正后申请内容仍不明确 (art. 30).
    StillUnclear,
}

/// Grounds for 不予处理.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonProcessing {
    /// 信访举报投诉类申请 (art. 39 para. 1).
    Petition,
    /// 重复申请 (art. 36(6)).
    Repeat,
    /// 要求提供公开出版物 (art. 39 para. 2).
    Publication,
    /// 无正当理由大量反复申请 (art. 35).
    Excessive,
    /// 要求行政机关确认或重新出具已获取信息.
    Confirmation,
}

/// Grounds for 其他处理.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OtherHandling {
    /// 申请人无正当理由逾期不补正 (art. 30).
    NoSupplement,
    /// 申请人逾期未按收费通知要求缴纳费用 (国办函〔2020〕109号).
    FeeNotPaid,
    /// 其他 (e.g. withdrawn by the applicant).
    Other,
}

/// How an application ended: one taxonomy for both regulations.
///
/// Each outcome maps to one row of the 2019/2021 table 三 ([`Outcome::measure`]) and to one answer type of
/// the pre-2019 统计表 ([`Outcome::legacy_measure`]). Where the two do not line up (documented in
/// `docs/OUTCOMES.md`), the mapping picks the closest row and says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 所申请信息已经主动公开 (art. 36(1)): new 予以公开; old 属于已主动公开范围.
    AlreadyPublished,
    /// 予以公开 / 同意公开.
    Disclosed,
    /// 部分公开 / 同意部分公开 (art. 37): counted once, here only.
    PartiallyDisclosed,
    /// 不予公开 / 不同意公开.
    Withheld(Withholding),
    /// 无法提供.
    Unavailable(Unavailability),
    /// 不属于本行政机关负责公开 (art. 36(5)): new 无法提供 1; old 不属于本行政机关公开.
    NotThisAgency,
    /// 不予处理.
    NotProcessed(NonProcessing),
    /// 其他处理.
    OtherHandling(OtherHandling),
    /// 告知作出更改补充 (2007 art. 21(4), a final answer then).
    ToldToAmend,
    /// 告知通过其他途径办理 (2007-era answer).
    ToldOtherChannel,
}

impl Outcome {
    /// The table 三 measure suffix (`app.result.<this>`), 2021 rows; the 2019 format sums `other.*`.
    pub fn measure(self) -> &'static str {
        match self {
            Outcome::AlreadyPublished | Outcome::Disclosed => "disclosed",
            Outcome::PartiallyDisclosed => "partial",
            Outcome::Withheld(reason) => match reason {
                Withholding::StateSecret => "withheld.state_secret",
                Withholding::ForbiddenByLaw => "withheld.forbidden_by_law",
                Withholding::Security => "withheld.security",
                Withholding::ThirdPartyTradeSecret
                | Withholding::ThirdPartyPrivacy
                | Withholding::ThirdPartyOther => "withheld.third_party",
                Withholding::Internal => "withheld.internal",
                Withholding::Deliberative => "withheld.deliberative",
                Withholding::EnforcementFile => "withheld.enforcement_file",
                Withholding::AdministrativeQuery => "withheld.administrative_query",
                // No 2019 row: the closest is 其他处理/其他.
                Withholding::NotGovernmentInformation => "other.other",
            },
            Outcome::Unavailable(reason) => match reason {
                Unavailability::NotHeld => "unavailable.not_held",
                Unavailability::NeedsCreation => "unavailable.needs_creation",
                Unavailability::StillUnclear => "unavailable.still_unclear",
            },
            Outcome::NotThisAgency => "unavailable.not_held",
            Outcome::NotProcessed(reason) => match reason {
                NonProcessing::Petition => "not_processed.petition",
                NonProcessing::Repeat => "not_processed.repeat",
                NonProcessing::Publication => "not_processed.publication",
                NonProcessing::Excessive => "not_processed.excessive",
                NonProcessing::Confirmation => "not_processed.confirmation",
            },
            Outcome::OtherHandling(reason) => match reason {
                OtherHandling::NoSupplement => "other.no_supplement",
                OtherHandling::FeeNotPaid => "other.fee_not_paid",
                OtherHandling::Other => "other.other",
            },
            Outcome::ToldToAmend => "other.no_supplement",
            Outcome::ToldOtherChannel => "withheld.administrative_query",
        }
    }

    /// The pre-2019 answer type measure suffix (`app.answer.<this>`).
    pub fn legacy_measure(self) -> &'static str {
        match self {
            Outcome::AlreadyPublished => "already_public",
            Outcome::Disclosed => "disclosed",
            Outcome::PartiallyDisclosed => "partial",
            Outcome::Withheld(reason) => match reason {
                Withholding::StateSecret => "refused.state_secret",
                Withholding::ThirdPartyTradeSecret => "refused.trade_secret",
                Withholding::ThirdPartyPrivacy => "refused.privacy",
                Withholding::Security => "refused.security",
                Withholding::Internal
                | Withholding::Deliberative
                | Withholding::NotGovernmentInformation => "refused.not_government_information",
                Withholding::ForbiddenByLaw
                | Withholding::ThirdPartyOther
                | Withholding::EnforcementFile => "refused.other_law",
                Withholding::AdministrativeQuery => "other_channel",
            },
            Outcome::Unavailable(Unavailability::NotHeld | Unavailability::NeedsCreation) => {
                "not_exist"
            }
            Outcome::Unavailable(Unavailability::StillUnclear) => "amend",
            Outcome::NotThisAgency => "not_this_agency",
            Outcome::NotProcessed(NonProcessing::Excessive) => "refused.other_law",
            Outcome::NotProcessed(_) => "other_channel",
            Outcome::OtherHandling(OtherHandling::NoSupplement) | Outcome::ToldToAmend => "amend",
            Outcome::OtherHandling(OtherHandling::FeeNotPaid | OtherHandling::Other) => {
                "other_channel"
            }
            Outcome::ToldOtherChannel => "other_channel",
        }
    }

    /// The Chinese name of the outcome, as in the reply letter and the register.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::AlreadyPublished => "已主动公开",
            Outcome::Disclosed => "予以公开",
            Outcome::PartiallyDisclosed => "部分公开",
            Outcome::Withheld(_) => "不予公开",
            Outcome::Unavailable(_) => "无法提供",
            Outcome::NotThisAgency => "不属于本机关负责公开",
            Outcome::NotProcessed(_) => "不予处理",
            Outcome::OtherHandling(_) => "其他处理",
            Outcome::ToldToAmend => "告知作出更改补充",
            Outcome::ToldOtherChannel => "告知通过其他途径办理",
        }
    }
}

impl Outcome {
    /// Every outcome: the 2021 table's rows in order, then the 2007-era answers with no row of their own.
    pub const ALL: [Outcome; 28] = [
        Outcome::AlreadyPublished,
        Outcome::Disclosed,
        Outcome::PartiallyDisclosed,
        Outcome::Withheld(Withholding::StateSecret),
        Outcome::Withheld(Withholding::ForbiddenByLaw),
        Outcome::Withheld(Withholding::Security),
        Outcome::Withheld(Withholding::ThirdPartyTradeSecret),
        Outcome::Withheld(Withholding::ThirdPartyPrivacy),
        Outcome::Withheld(Withholding::ThirdPartyOther),
        Outcome::Withheld(Withholding::Internal),
        Outcome::Withheld(Withholding::Deliberative),
        Outcome::Withheld(Withholding::EnforcementFile),
        Outcome::Withheld(Withholding::AdministrativeQuery),
        Outcome::Withheld(Withholding::NotGovernmentInformation),
        Outcome::Unavailable(Unavailability::NotHeld),
        Outcome::Unavailable(Unavailability::NeedsCreation),
        Outcome::Unavailable(Unavailability::StillUnclear),
        Outcome::NotThisAgency,
        Outcome::NotProcessed(NonProcessing::Petition),
        Outcome::NotProcessed(NonProcessing::Repeat),
        Outcome::NotProcessed(NonProcessing::Publication),
        Outcome::NotProcessed(NonProcessing::Excessive),
        Outcome::NotProcessed(NonProcessing::Confirmation),
        Outcome::OtherHandling(OtherHandling::NoSupplement),
        Outcome::OtherHandling(OtherHandling::FeeNotPaid),
        Outcome::OtherHandling(OtherHandling::Other),
        Outcome::ToldToAmend,
        Outcome::ToldOtherChannel,
    ];

    /// The ground of an outcome that has one, as the 2021 table names it.
    pub fn ground(self) -> Option<&'static str> {
        Some(match self {
            Outcome::Withheld(reason) => match reason {
                Withholding::StateSecret => "属于国家秘密",
                Withholding::ForbiddenByLaw => "其他法律行政法规禁止公开",
                Withholding::Security => "危及“三安全一稳定”",
                Withholding::ThirdPartyTradeSecret => "保护第三方合法权益（商业秘密）",
                Withholding::ThirdPartyPrivacy => "保护第三方合法权益（个人隐私）",
                Withholding::ThirdPartyOther => "保护第三方合法权益",
                Withholding::Internal => "属于三类内部事务信息",
                Withholding::Deliberative => "属于四类过程性信息",
                Withholding::EnforcementFile => "属于行政执法案卷",
                Withholding::AdministrativeQuery => "属于行政查询事项",
                Withholding::NotGovernmentInformation => "不是《条例》所指政府信息",
            },
            Outcome::Unavailable(reason) => match reason {
                Unavailability::NotHeld => "本机关不掌握相关政府信息",
                Unavailability::NeedsCreation => "没有现成信息需要另行制作",
                Unavailability::StillUnclear => "补正后申请内容仍不明确",
            },
            Outcome::NotProcessed(reason) => match reason {
                NonProcessing::Petition => "信访举报投诉类申请",
                NonProcessing::Repeat => "重复申请",
                NonProcessing::Publication => "要求提供公开出版物",
                NonProcessing::Excessive => "无正当理由大量反复申请",
                NonProcessing::Confirmation => "要求行政机关确认或重新出具已获取信息",
            },
            Outcome::OtherHandling(reason) => match reason {
                OtherHandling::NoSupplement => "申请人无正当理由逾期不补正",
                OtherHandling::FeeNotPaid => "申请人逾期未按收费通知要求缴纳费用",
                OtherHandling::Other => "其他",
            },
            _ => return None,
        })
    }

    /// The outcome as a register (台账) writes it: the category, and the ground after a colon
    /// ("不予公开：属于国家秘密"). Distinct for every outcome.
    pub fn register_label(self) -> String {
        match self.ground() {
            Some(ground) => format!("{}：{ground}", self.label()),
            None => self.label().to_owned(),
        }
    }
}

/// A disclosure application: who, how it came in, what happened, and (once replied) the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationRecord {
    pub tracking_number: String,
    pub applicant: ApplicantType,
    pub intake: Intake,
    pub regime: Option<Regime>,
    pub events: Vec<Event>,
    /// Recorded with the reply; an application that lapsed (补正 or fee) gets its outcome from the clock.
    pub outcome: Option<Outcome>,
}

/// The result of an administrative review or a lawsuit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseResult {
    /// 结果维持 (维持具体行政行为, 驳回原告诉讼请求).
    Upheld,
    /// 结果纠正 (被依法纠错).
    Corrected,
    /// 其他结果 (withdrawn, terminated, …).
    Other,
}

/// An administrative review (行政复议) of the agency's disclosure work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub filed: Date,
    pub application: Option<String>,
    /// The result and the day it was decided; `None` while pending.
    pub decided: Option<(CaseResult, Date)>,
}

/// A lawsuit (行政诉讼) about the agency's disclosure work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lawsuit {
    pub filed: Date,
    /// 复议后起诉 (after a review) rather than 未经复议直接起诉.
    pub after_review: bool,
    /// The agency is sued only as the review organ (共同被告): not counted, 国办公开办函〔2016〕201号.
    pub as_review_organ: bool,
    pub application: Option<String>,
    pub decided: Option<(CaseResult, Date)>,
}

/// A complaint or report (举报投诉) about the agency's disclosure work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    pub received: Date,
    pub summary: String,
    /// The application it is about (a tracking number of the agency), if it names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    /// How it ended, once it was handled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concluded: Option<ComplaintConclusion>,
}

/// How a complaint was concluded: the day, what the agency found, and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintConclusion {
    pub on: Date,
    pub result: ComplaintResult,
    /// What was done (the reply to the complainant, the correction made).
    pub handling: String,
}

/// What handling a complaint found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintResult {
    /// 属实.
    Founded,
    /// 部分属实.
    PartlyFounded,
    /// 不属实.
    Unfounded,
}

impl ComplaintResult {
    /// Every result, in the order forms list them.
    pub const ALL: [ComplaintResult; 3] =
        [ComplaintResult::Founded, ComplaintResult::PartlyFounded, ComplaintResult::Unfounded];

    /// The result as stored and as forms name it.
    pub const fn code(self) -> &'static str {
        match self {
            ComplaintResult::Founded => "founded",
            ComplaintResult::PartlyFounded => "partly_founded",
            ComplaintResult::Unfounded => "unfounded",
        }
    }

    /// The result named `code`.
    pub fn from_code(code: &str) -> Option<ComplaintResult> {
        ComplaintResult::ALL.into_iter().find(|result| result.code() == code)
    }

    /// The result's Chinese name.
    pub const fn label(self) -> &'static str {
        match self {
            ComplaintResult::Founded => "属实",
            ComplaintResult::PartlyFounded => "部分属实",
            ComplaintResult::Unfounded => "不属实",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// 新闻发布会 (held or attended).
    PressConference,
    /// 政府网站在线访谈.
    OnlineInterview,
    /// 政策解读稿件.
    Interpretation,
    /// 微博微信回应.
    WeiboWechat,
    /// 其他方式回应.
    Other,
}

/// A response to public concern or an interpretation of policy (回应解读).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    pub date: Date,
    pub kind: ResponseKind,
    /// The hot topic or public opinion responded to; responses on one topic count once (计1次).
    pub topic: Option<String>,
    /// 主要负责同志参加.
    pub head_attended: bool,
}

/// A person assigned to disclosure work for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAssignment {
    /// An internal id; the report needs no names.
    pub id: String,
    pub full_time: bool,
    pub from: Date,
    pub to: Option<Date>,
}

/// A dedicated disclosure office (政府信息公开工作专门机构) for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Office {
    pub name: String,
    pub from: Date,
    pub to: Option<Date>,
}

/// A reading point (查阅点) for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadingPoint {
    pub name: String,
    pub address: String,
    pub opened: Date,
    pub closed: Option<Date>,
}

/// Dedicated funding (政府信息公开专项经费) for a year, in 万元.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funding {
    pub year: i32,
    pub amount_wan_yuan: Quantity,
}

/// A meeting on disclosure work (工作会议或专题会议).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub date: Date,
    pub title: String,
}

/// The records of one register of the year's other records, as an office keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ledger {
    Reviews(Vec<Review>),
    Lawsuits(Vec<Lawsuit>),
    Responses(Vec<Response>),
    Trainings(Vec<Training>),
    Meetings(Vec<Meeting>),
}

impl Ledger {
    pub fn len(&self) -> usize {
        match self {
            Ledger::Reviews(rows) => rows.len(),
            Ledger::Lawsuits(rows) => rows.len(),
            Ledger::Responses(rows) => rows.len(),
            Ledger::Trainings(rows) => rows.len(),
            Ledger::Meetings(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A training course (培训班) and its trainees (人次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    pub date: Date,
    pub title: String,
    pub trainees: u32,
}

/// A processing fee charged, or waived, on an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRecord {
    pub application: String,
    pub date: Date,
    pub amount_yuan: u64,
    pub waived: bool,
}

/// A figure that comes from another system (行政许可, 行政处罚, 行政强制, 行政事业性收费, 政府集中采购).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredFigure {
    pub year: i32,
    /// The measure it fills, e.g. `declared.licensing.decisions`.
    pub measure: String,
    pub value: Quantity,
    /// Where the figure comes from (system, office, document).
    pub source: String,
}

/// What a part of the report says: the topic of a format's section and of a paragraph staff wrote for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Content {
    Overview,
    Proactive,
    Applications,
    Fees,
    Reviews,
    Problems,
    Other,
    Annex,
}

/// A paragraph only people can write (overview highlights, problems and improvements), for one year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffText {
    pub year: i32,
    pub section: Content,
    pub paragraphs: Vec<String>,
}

/// An agency's catalog items of one year, counted where they are stored instead of listed one by one: what a
/// report derives from [`CatalogItem`]s (published in the year), for a region's roll-up over millions of
/// items. Counting the items of a year into a tally and deriving from the tally gives the same report as
/// deriving from the items (tested here and against both databases).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CatalogTally {
    /// The year the items were published in.
    pub year: i32,
    /// Items per category, in the order the agency first used each category in the year.
    pub categories: Vec<(String, u64)>,
    /// Items that are normative documents.
    pub normative: u64,
    /// Items per channel they went out on (an item on two channels counts on each).
    pub channels: Vec<(PublishChannel, u64)>,
}

impl CatalogTally {
    /// The tally of `items` published in `year`.
    pub fn of<'a>(year: i32, items: impl IntoIterator<Item = &'a CatalogItem>) -> CatalogTally {
        let mut tally = CatalogTally { year, ..CatalogTally::default() };
        let mut channels = [0u64; PublishChannel::ALL.len()];
        for item in items.into_iter().filter(|item| item.published.year() == year) {
            match tally.categories.iter_mut().find(|(name, _)| *name == item.category) {
                Some((_, count)) => *count += 1,
                None => tally.categories.push((item.category.clone(), 1)),
            }
            tally.normative += u64::from(item.normative);
            for channel in &item.channels {
                channels[*channel as usize] += 1;
            }
        }
        tally.channels = PublishChannel::ALL
            .into_iter()
            .map(|channel| (channel, channels[channel as usize]))
            .filter(|(_, count)| *count > 0)
            .collect();
        tally
    }

    /// The number of items.
    pub fn total(&self) -> u64 {
        self.categories.iter().map(|(_, count)| count).sum()
    }
}

/// Everything recorded for one agency.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AgencyRecords {
    pub agency: Option<Agency>,
    pub catalog: Vec<CatalogItem>,
    /// Catalog items counted rather than listed (see [`CatalogTally`]); a report counts both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub catalog_tallies: Vec<CatalogTally>,
    pub normative_documents: Vec<NormativeDocument>,
    pub applications: Vec<ApplicationRecord>,
    pub reviews: Vec<Review>,
    pub lawsuits: Vec<Lawsuit>,
    pub complaints: Vec<Complaint>,
    pub responses: Vec<Response>,
    pub staff: Vec<StaffAssignment>,
    pub offices: Vec<Office>,
    pub reading_points: Vec<ReadingPoint>,
    pub funding: Vec<Funding>,
    pub meetings: Vec<Meeting>,
    pub trainings: Vec<Training>,
    pub fees: Vec<FeeRecord>,
    pub declared: Vec<DeclaredFigure>,
    pub texts: Vec<StaffText>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_its_own_register_label() {
        let labels: std::collections::BTreeSet<String> =
            Outcome::ALL.iter().map(|outcome| outcome.register_label()).collect();
        assert_eq!(labels.len(), Outcome::ALL.len());
        assert_eq!(
            Outcome::Withheld(Withholding::StateSecret).register_label(),
            "不予公开：属于国家秘密"
        );
        assert_eq!(Outcome::Disclosed.register_label(), "予以公开");
    }
}
