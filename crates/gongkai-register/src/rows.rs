//! Rows of a register as records, and records as rows.
//!
//! Reading validates every row and reports every problem (row, column, reason in Chinese); an application's
//! steps are checked by the reply clock itself ([`gongkai_core::clock::evaluate`]), so a register cannot
//! bring in a history the back office would refuse. Writing puts each field under its first header, so a
//! register written by gongkai reads back to the same records.

use std::collections::HashMap;

use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, Application, Event, Party};
use gongkai_core::records::{
    ApplicantType, ApplicationRecord, CatalogItem, OtherHandling, Outcome, PublishChannel,
    Unavailability, Withholding,
};
use gongkai_core::regime::{Channel, Intake, Regime};
use serde::Serialize;
use time::Date;

use crate::fields::{ColumnMap, Register};
use crate::sheet::Sheet;

mod applications;
mod outcomes;

pub use applications::applications;
use outcomes::*;

/// A problem with one cell or row, for the person who made the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The row number as the spreadsheet shows it.
    pub row: usize,
    /// The column's header (or 办理过程 for the steps as a whole).
    pub column: String,
    pub message: String,
}

/// An application of the register: the record the clock and the report count, and the personal data
/// the register holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationEntry {
    pub record: ApplicationRecord,
    pub applicant_name: String,
    pub description: String,
}

/// An item of a catalog list with its metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub item: CatalogItem,
    pub subject: String,
    pub genre: String,
    pub doc_number: String,
    pub validity: String,
    pub summary: String,
}

/// Parses a date as registers write it: 2025-01-02, 2025/1/2, 2025.1.2, 2025年1月2日, 20250102, or an
/// Excel date serial left as a number (45659: a date column formatted as 常规); a time after it is
/// ignored. Serials are read only between 1960 and 2099 (21916–73050), where a bare number in a date
/// column cannot be anything else.
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    if text.bytes().all(|byte| byte.is_ascii_digit()) {
        return match text.len() {
            5 => {
                let serial: i64 =
                    text.parse().ok().filter(|serial| (21_916..=73_050).contains(serial))?;
                let epoch = Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
                epoch.checked_add(time::Duration::days(serial))
            }
            8 => {
                let (year, rest) = text.split_at(4);
                let (month, day) = rest.split_at(2);
                let year: i32 = year.parse().ok().filter(|year| (1900..=2200).contains(year))?;
                let month = time::Month::try_from(month.parse::<u8>().ok()?).ok()?;
                Date::from_calendar_date(year, month, day.parse().ok()?).ok()
            }
            _ => None,
        };
    }
    let numbers: Vec<&str> =
        text.split(['-', '/', '.', '年', '月', '日']).filter(|part| !part.is_empty()).collect();
    let [year, month, day] = numbers.as_slice() else { return None };
    let year: i32 = year.parse().ok().filter(|year| (1900..=2200).contains(year))?;
    let month: u8 = month.parse().ok()?;
    let day: u8 = day.parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            ':' | '-' | '—' | '－' | '/' | '（' | '(' => '：',
            '）' | ')' => ' ',
            _ => c,
        })
        .filter(|c| *c != ' ')
        .collect()
}

fn applicant_type(text: &str) -> Option<ApplicantType> {
    let text = squeeze(text);
    if let Some(found) = ApplicantType::ALL.into_iter().find(|kind| kind.label() == text) {
        return Some(found);
    }
    Some(match text.as_str() {
        "公民" | "个人" | "自然人申请" => ApplicantType::Natural,
        "企业" | "公司" => ApplicantType::Business,
        "律师事务所" | "律师" => ApplicantType::LegalService,
        "社会组织" | "公益组织" => ApplicantType::PublicInterest,
        "法人或其他组织" | "其他组织" | "法人或其他组织：其他" => {
            ApplicantType::OtherOrganisation
        }
        _ => return None,
    })
}

fn channel(text: &str) -> Option<Channel> {
    let text = squeeze(text);
    if let Some(found) = Channel::ALL.into_iter().find(|channel| channel.label() == text) {
        return Some(found);
    }
    Some(match text.as_str() {
        "当面申请" | "当面提交" | "现场" | "现场申请" | "窗口" => Channel::InPerson,
        "邮政寄送" | "邮寄申请" | "邮政" | "挂号信" | "EMS" | "快递" => {
            Channel::Post
        }
        "信函" | "信函申请" | "来信" | "信件" => Channel::Letter,
        "网上申请" | "网络申请" | "在线" | "在线申请" | "互联网" | "电子邮件" | "网上" => {
            Channel::Online
        }
        "传真申请" => Channel::Fax,
        _ => return None,
    })
}

fn party(text: &str) -> Option<Party> {
    match squeeze(text).as_str() {
        "" | "第三方" | "第三人" => Some(Party::ThirdParty),
        "其他机关" | "其他行政机关" | "有关机关" | "相关机关" => {
            Some(Party::OtherAgency)
        }
        _ => None,
    }
}

pub(crate) fn yes(text: &str) -> Option<bool> {
    match squeeze(text).as_str() {
        "是" | "Y" | "y" | "√" | "yes" | "1" | "规范性文件" => Some(true),
        "" | "否" | "N" | "n" | "×" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn publish_channel(text: &str) -> Option<PublishChannel> {
    let text = squeeze(text);
    if let Some(found) = PublishChannel::ALL.into_iter().find(|channel| channel.label() == text) {
        return Some(found);
    }
    Some(match text.as_str() {
        "网站" | "门户网站" | "政府门户网站" | "部门网站" => {
            PublishChannel::Website
        }
        "公报" => PublishChannel::Gazette,
        "微博" => PublishChannel::Weibo,
        "微信" | "微信公众号" => PublishChannel::Wechat,
        "其他" | "报纸" | "公告栏" | "政务新媒体" => PublishChannel::Other,
        _ => return None,
    })
}

/// The cells of one row by field, with problems collected.
pub(crate) struct RowReader<'a> {
    map: &'a ColumnMap,
    headers: &'a [String],
    cells: &'a [String],
    row: usize,
    pub(crate) problems: Vec<Problem>,
}

impl<'a> RowReader<'a> {
    pub(crate) fn new(
        map: &'a ColumnMap,
        headers: &'a [String],
        cells: &'a [String],
        row: usize,
    ) -> RowReader<'a> {
        RowReader { map, headers, cells, row, problems: Vec::new() }
    }

    pub(crate) fn text(&self, key: &str) -> &str {
        self.map
            .column(key)
            .and_then(|column| self.cells.get(column))
            .map_or("", |cell| cell.trim())
    }

    /// Free text as written (only a cell of nothing but whitespace is empty), so that text survives a
    /// round trip exactly.
    fn free_text(&self, key: &str) -> String {
        let text = self
            .map
            .column(key)
            .and_then(|column| self.cells.get(column))
            .map_or("", String::as_str);
        if text.trim().is_empty() { String::new() } else { text.to_owned() }
    }

    pub(crate) fn header(&self, key: &str) -> String {
        self.map
            .column(key)
            .and_then(|column| self.headers.get(column))
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    pub(crate) fn problem(&mut self, key: &str, message: String) {
        let column = self.header(key);
        self.problems.push(Problem { row: self.row, column, message });
    }

    fn required(&mut self, key: &str) -> Option<String> {
        let text = self.text(key).to_owned();
        if text.is_empty() {
            self.problem(key, "必填，不能为空".to_owned());
            None
        } else {
            Some(text)
        }
    }

    pub(crate) fn date(&mut self, key: &str) -> Option<Date> {
        let text = self.text(key).to_owned();
        if text.is_empty() {
            return None;
        }
        let parsed = parse_date(&text);
        if parsed.is_none() {
            self.problem(key, format!("“{text}”不是日期（应为如 2025-01-02 或 2025年1月2日）"));
        }
        parsed
    }

    /// A required key that no earlier row of the file has (`seen`: key → its row).
    fn unique_key(
        &mut self,
        key: &str,
        name: &str,
        seen: &mut HashMap<String, usize>,
    ) -> Option<String> {
        let value = self.required(key)?;
        if let Some(first) = seen.insert(value.clone(), self.row) {
            self.problem(key, format!("{name}“{value}”与第{first}行重复"));
        }
        Some(value)
    }

    pub(crate) fn required_date(&mut self, key: &str) -> Option<Date> {
        if self.text(key).is_empty() {
            self.problem(key, "必填，不能为空".to_owned());
            return None;
        }
        self.date(key)
    }

    pub(crate) fn parsed<T>(
        &mut self,
        key: &str,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let text = self.text(key).to_owned();
        let parsed = parse(&text);
        if parsed.is_none() {
            self.problem(key, format!("“{text}”无法识别，应为{expected}"));
        }
        parsed
    }
}

/// Reads the items of a catalog list; every problem of every row, or every item.
pub fn catalog(sheet: &Sheet, map: &ColumnMap) -> Result<Vec<CatalogEntry>, Vec<Problem>> {
    debug_assert_eq!(map.register, Register::Catalog);
    let mut entries = Vec::with_capacity(sheet.rows.len());
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let channels = PublishChannel::ALL.map(PublishChannel::label).join("、");
    for (row, cells) in &sheet.rows {
        let mut reader =
            RowReader { map, headers: &sheet.headers, cells, row: *row, problems: Vec::new() };
        let index_number = reader.unique_key("index_number", "索引号", &mut seen);
        let title = reader.required("title").map(|_| reader.free_text("title"));
        let category = reader.required("category");
        let published = reader.required_date("published");
        let formed = reader.date("formed");
        if let (Some(formed), Some(published)) = (formed, published)
            && formed > published
        {
            reader.problem("formed", format!("成文日期 {formed} 晚于发布日期 {published}"));
        }
        let normative = reader.parsed("normative", yes, "“是”或“否”");
        let validity = match reader.text("validity") {
            "" => "有效".to_owned(),
            text @ ("有效" | "失效" | "废止" | "部分失效" | "已修改") => {
                text.to_owned()
            }
            text => {
                let text = text.to_owned();
                reader.problem(
                    "validity",
                    format!("“{text}”无法识别，应为有效、失效、废止、部分失效或已修改"),
                );
                String::new()
            }
        };
        let channel_text = reader.text("channels").to_owned();
        let mut item_channels = Vec::new();
        for part in channel_text
            .split(['、', ',', '，', ';', '；', '/', '|'])
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            match publish_channel(part) {
                Some(found) if !item_channels.contains(&found) => item_channels.push(found),
                Some(_) => {}
                None => reader.problem("channels", format!("“{part}”无法识别，应为{channels}")),
            }
        }
        if item_channels.is_empty() {
            // A list without the column is the list of the agency's website.
            item_channels.push(PublishChannel::Website);
        }
        let (Some(index_number), Some(title), Some(category), Some(published), Some(normative)) =
            (index_number, title, category, published, normative)
        else {
            problems.extend(reader.problems);
            continue;
        };
        if !reader.problems.is_empty() {
            problems.extend(reader.problems);
            continue;
        }
        entries.push(CatalogEntry {
            item: CatalogItem {
                index_number,
                title,
                category,
                formed,
                published,
                channels: item_channels,
                normative,
            },
            subject: reader.free_text("subject"),
            genre: reader.free_text("genre"),
            doc_number: reader.free_text("doc_number"),
            validity,
            summary: reader.free_text("summary"),
        });
    }
    if problems.is_empty() { Ok(entries) } else { Err(problems) }
}

/// The headers gongkai writes: the first header of each field.
pub fn headers(register: Register) -> Vec<&'static str> {
    register.fields().iter().map(|field| field.headers[0]).collect()
}

/// The date of receipt a register shows for an intake (the rule of the regime in force on submission).
fn receipt(intake: &Intake) -> Option<Date> {
    let regime = Regime::in_force_on(intake.submitted).unwrap_or(Regime::Ordinance2019);
    gongkai_core::regime::receipt_date(intake, regime).ok().map(|receipt| receipt.date)
}

fn date_text(date: Option<Date>) -> String {
    date.map(|date| date.to_string()).unwrap_or_default()
}

/// An application as a register row, in the order of [`headers`]. Steps a register has no column for
/// (a refused extension, a second consultation) are left out; the count of such cases is returned by
/// [`application_rows`].
fn application_row(entry: &ApplicationEntry) -> (Vec<String>, bool) {
    let record = &entry.record;
    let mut supplement_requested = None;
    let mut supplement_by = None;
    let mut supplement_received = None;
    let mut consultation: Option<(Date, Party)> = None;
    let mut consultation_answered = None;
    let mut extension = None;
    let mut fee: Option<(Date, u64)> = None;
    let mut fee_paid = None;
    let mut replied = None;
    let mut lossy = false;
    let set = |slot: &mut Option<Date>, on: Date, lossy: &mut bool| {
        *lossy |= slot.is_some();
        *slot = Some(on);
    };
    for event in &record.events {
        match *event {
            Event::SupplementRequested { on, reply_by } => {
                set(&mut supplement_requested, on, &mut lossy);
                supplement_by = reply_by;
            }
            Event::SupplementReceived { on } => set(&mut supplement_received, on, &mut lossy),
            Event::ConsultationSent { on, party } => {
                lossy |= consultation.is_some();
                consultation = Some((on, party));
            }
            Event::ConsultationAnswered { on } => set(&mut consultation_answered, on, &mut lossy),
            Event::ExtensionRequested { .. } => {}
            Event::ExtensionRefused { .. } => lossy = true,
            Event::ExtensionApproved { on, .. } => set(&mut extension, on, &mut lossy),
            Event::FeeNotified { on, amount_yuan } => {
                lossy |= fee.is_some();
                fee = Some((on, amount_yuan));
            }
            Event::FeePaid { on } => set(&mut fee_paid, on, &mut lossy),
            Event::Replied { on } => set(&mut replied, on, &mut lossy),
            // A register has no column for a request for reasons (art. 35): the row says less than the case.
            Event::ReasonsRequested { .. } | Event::ReplyDeferred { .. } => lossy = true,
        }
    }
    let party_text = |party: Party| match party {
        Party::ThirdParty => "第三方",
        Party::OtherAgency => "其他机关",
    };
    let row = vec![
        record.tracking_number.clone(),
        record.applicant.label().to_owned(),
        entry.applicant_name.clone(),
        record.intake.channel.label().to_owned(),
        record.intake.submitted.to_string(),
        date_text(record.intake.signed_for),
        date_text(record.intake.confirmed),
        date_text(receipt(&record.intake)),
        entry.description.clone(),
        date_text(supplement_requested),
        date_text(supplement_by),
        date_text(supplement_received),
        date_text(consultation.map(|(on, _)| on)),
        consultation.map(|(_, party)| party_text(party).to_owned()).unwrap_or_default(),
        date_text(consultation_answered),
        date_text(extension),
        date_text(fee.map(|(on, _)| on)),
        fee.map(|(_, amount)| amount.to_string()).unwrap_or_default(),
        date_text(fee_paid),
        date_text(replied),
        record.outcome.map(Outcome::register_label).unwrap_or_default(),
    ];
    (row, lossy)
}

/// Applications as register rows, and how many had steps the register cannot show.
pub fn application_rows(entries: &[ApplicationEntry]) -> (Vec<Vec<String>>, usize) {
    let mut lossy = 0;
    let rows = entries
        .iter()
        .map(|entry| {
            let (row, lost) = application_row(entry);
            lossy += usize::from(lost);
            row
        })
        .collect();
    (rows, lossy)
}

/// Catalog items as rows, in the order of [`headers`].
pub fn catalog_rows(entries: &[CatalogEntry]) -> Vec<Vec<String>> {
    entries
        .iter()
        .map(|entry| {
            vec![
                entry.item.index_number.clone(),
                entry.item.title.clone(),
                entry.item.category.clone(),
                entry.subject.clone(),
                entry.genre.clone(),
                entry.doc_number.clone(),
                date_text(entry.item.formed),
                entry.item.published.to_string(),
                entry.validity.clone(),
                if entry.item.normative { "是" } else { "否" }.to_owned(),
                entry
                    .item
                    .channels
                    .iter()
                    .map(|channel| channel.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                entry.summary.clone(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests;
