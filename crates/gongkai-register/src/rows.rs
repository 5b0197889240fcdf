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

mod outcomes;

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

/// Reads the applications of a register. `calendar` and `as_of` are what the reply clock checks the steps
/// with. Every problem of every row is returned; no record is returned unless all rows are valid.
pub fn applications(
    sheet: &Sheet,
    map: &ColumnMap,
    calendar: &Calendar,
    as_of: Date,
) -> Result<Vec<ApplicationEntry>, Vec<Problem>> {
    debug_assert_eq!(map.register, Register::Applications);
    let mut entries = Vec::with_capacity(sheet.rows.len());
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let types = ApplicantType::ALL.map(ApplicantType::label).join("、");
    let channels = Channel::ALL.map(Channel::label).join("、");
    for (row, cells) in &sheet.rows {
        let reader =
            RowReader { map, headers: &sheet.headers, cells, row: *row, problems: Vec::new() };
        match application_entry(reader, &mut seen, &types, &channels, calendar, as_of) {
            Ok(entry) => entries.push(entry),
            Err(found) => problems.extend(found),
        }
    }
    if problems.is_empty() { Ok(entries) } else { Err(problems) }
}

/// Reads one row of the applications register (`seen`: tracking number → its row): its entry, or
/// every problem of the row.
fn application_entry(
    mut reader: RowReader<'_>,
    seen: &mut HashMap<String, usize>,
    types: &str,
    channels: &str,
    calendar: &Calendar,
    as_of: Date,
) -> Result<ApplicationEntry, Vec<Problem>> {
    let tracking = reader.unique_key("tracking_number", "编号", seen);
    let applicant = reader
        .required("applicant_type")
        .and_then(|_| reader.parsed("applicant_type", applicant_type, types));
    let cells = ApplicationCells::read(&mut reader, channels);
    cells.check_steps(&mut reader);
    let lapse = matches!(
        cells.outcome,
        Some(Outcome::OtherHandling(OtherHandling::NoSupplement | OtherHandling::FeeNotPaid))
    );
    let intake = cells.read_intake(&mut reader);
    cells.check_reply(&mut reader, lapse);
    let (Some(tracking), Some(applicant), Some(intake)) = (tracking, applicant, intake) else {
        return Err(reader.problems);
    };
    if !reader.problems.is_empty() {
        return Err(reader.problems);
    }
    let events = cells.events(&intake);
    let application = Application { intake: intake.clone(), regime: None, events: events.clone() };
    if let Err(err) = clock::evaluate(&application, calendar, as_of) {
        let message = err.in_chinese();
        return Err(vec![Problem { row: reader.row, column: "办理过程".to_owned(), message }]);
    }
    Ok(ApplicationEntry {
        record: ApplicationRecord {
            tracking_number: tracking,
            applicant,
            intake,
            regime: None,
            events,
            // A lapse's outcome comes from the clock, not from the register.
            outcome: if lapse && cells.replied.is_none() { None } else { cells.outcome },
        },
        applicant_name: reader.free_text("applicant_name"),
        description: reader.free_text("description"),
    })
}

/// The cells of an application row from its channel on, each read by itself.
struct ApplicationCells {
    channel: Option<Channel>,
    submitted: Option<Date>,
    received: Option<Date>,
    signed_for: Option<Date>,
    confirmed: Option<Date>,
    supplement_requested: Option<Date>,
    supplement_by: Option<Date>,
    supplement_received: Option<Date>,
    consultation_sent: Option<Date>,
    consultation_party: Option<Party>,
    consultation_answered: Option<Date>,
    extension_approved: Option<Date>,
    fee_notified: Option<Date>,
    fee_amount: Option<u64>,
    fee_paid: Option<Date>,
    replied: Option<Date>,
    /// The outcome as written.
    outcome_text: String,
    outcome: Option<Outcome>,
    /// The outcome written says the application is not yet settled.
    open: bool,
}

impl ApplicationCells {
    /// Reads the cells of `reader`'s row from the channel on, reporting each that cannot be read.
    fn read(reader: &mut RowReader<'_>, channels: &str) -> ApplicationCells {
        let channel =
            reader.required("channel").and_then(|_| reader.parsed("channel", channel, channels));
        let submitted = reader.date("submitted");
        let received = reader.date("received");
        let signed_for = reader.date("signed_for");
        let confirmed = reader.date("confirmed");
        if reader.text("submitted").is_empty() && reader.text("received").is_empty() {
            let key =
                if reader.map.column("received").is_some() { "received" } else { "submitted" };
            reader.problem(key, "必填，不能为空".to_owned());
        }
        let supplement_requested = reader.date("supplement_requested");
        let supplement_by = reader.date("supplement_by");
        let supplement_received = reader.date("supplement_received");
        let consultation_sent = reader.date("consultation_sent");
        let consultation_party = reader.parsed("consultation_party", party, "第三方或其他机关");
        let consultation_answered = reader.date("consultation_answered");
        let extension_approved = reader.date("extension_approved");
        let fee_notified = reader.date("fee_notified");
        let fee_amount = read_fee_amount(reader);
        let fee_paid = reader.date("fee_paid");
        let replied = reader.date("replied");
        let (outcome_text, outcome, open) = read_outcome(reader);
        ApplicationCells {
            channel,
            submitted,
            received,
            signed_for,
            confirmed,
            supplement_requested,
            supplement_by,
            supplement_received,
            consultation_sent,
            consultation_party,
            consultation_answered,
            extension_approved,
            fee_notified,
            fee_amount,
            fee_paid,
            replied,
            outcome_text,
            outcome,
            open,
        }
    }

    /// Reports the steps that need another step the row does not have.
    fn check_steps(&self, reader: &mut RowReader<'_>) {
        if self.open && self.replied.is_some() {
            let outcome_text = &self.outcome_text;
            reader.problem(
                "replied",
                format!("答复结果为“{outcome_text}”（尚未办结），却填写了答复日期"),
            );
        }
        if self.supplement_by.is_some() && self.supplement_requested.is_none() {
            reader.problem("supplement_by", "有补正期限但没有补正告知日期".to_owned());
        }
        if self.supplement_received.is_some() && self.supplement_requested.is_none() {
            reader.problem("supplement_received", "有补正日期但没有补正告知日期".to_owned());
        }
        if self.consultation_answered.is_some() && self.consultation_sent.is_none() {
            reader.problem("consultation_answered", "有意见反馈日期但没有征求意见日期".to_owned());
        }
        if self.fee_notified.is_some() != self.fee_amount.is_some() {
            reader.problem("fee_amount", "收费通知日期与收费金额须同时填写".to_owned());
        }
        if self.fee_paid.is_some() && self.fee_notified.is_none() {
            reader.problem("fee_paid", "有缴费日期但没有收费通知日期".to_owned());
        }
    }

    /// The intake of the row, from its channel and dates (none when the channel is not read).
    fn read_intake(&self, reader: &mut RowReader<'_>) -> Option<Intake> {
        self.channel.and_then(|channel| {
            intake(reader, channel, self.submitted, self.received, self.signed_for, self.confirmed)
        })
    }

    /// Reports a reply date without an outcome, and an outcome without a reply date (but a lapse).
    fn check_reply(&self, reader: &mut RowReader<'_>, lapse: bool) {
        if self.replied.is_some() && self.outcome.is_none() && self.outcome_text.is_empty() {
            reader.problem("outcome", "已填答复日期，须填写答复结果".to_owned());
        }
        // An unreadable reply date is reported as such, not again as missing.
        if self.outcome.is_some() && reader.text("replied").is_empty() && !lapse {
            reader.problem("replied", "已填答复结果，须填写答复日期".to_owned());
        }
    }

    /// The steps of the row as events of the reply clock, in date order.
    fn events(&self, intake: &Intake) -> Vec<Event> {
        let mut events = Vec::new();
        if let Some(on) = self.supplement_requested {
            events.push(Event::SupplementRequested { on, reply_by: self.supplement_by });
        }
        if let Some(on) = self.supplement_received {
            events.push(Event::SupplementReceived { on });
        }
        if let Some(on) = self.consultation_sent {
            events.push(Event::ConsultationSent {
                on,
                party: self.consultation_party.unwrap_or(Party::ThirdParty),
            });
        }
        if let Some(on) = self.consultation_answered {
            events.push(Event::ConsultationAnswered { on });
        }
        if let Some(on) = self.extension_approved {
            let regime = Regime::in_force_on(
                intake.confirmed.or(intake.signed_for).unwrap_or(intake.submitted),
            )
            .unwrap_or(Regime::Ordinance2019);
            events.push(Event::ExtensionApproved {
                on,
                working_days: regime.max_extension_working_days(),
            });
        }
        if let (Some(on), Some(amount_yuan)) = (self.fee_notified, self.fee_amount) {
            events.push(Event::FeeNotified { on, amount_yuan });
        }
        if let Some(on) = self.fee_paid {
            events.push(Event::FeePaid { on });
        }
        if let Some(on) = self.replied {
            events.push(Event::Replied { on });
        }
        events.sort_by_key(Event::date);
        events
    }
}

/// The fee amount in 元 of `reader`'s row, when filled; a problem when it is not a whole number.
fn read_fee_amount(reader: &mut RowReader<'_>) -> Option<u64> {
    let fee_amount_text = reader.text("fee_amount").to_owned();
    if fee_amount_text.is_empty() {
        None
    } else {
        let amount = fee_amount_text.trim_end_matches('元').parse::<u64>().ok();
        if amount.is_none() {
            reader.problem("fee_amount", format!("“{fee_amount_text}”不是整数金额（元）"));
        }
        amount
    }
}

/// The outcome of `reader`'s row: its text, the outcome read, and whether the text says the
/// application is not yet settled.
fn read_outcome(reader: &mut RowReader<'_>) -> (String, Option<Outcome>, bool) {
    let outcome_text = reader.text("outcome").to_owned();
    let (outcome, open) = if outcome_text.is_empty() {
        (None, false)
    } else {
        match outcome(&outcome_text) {
            Ok(Some(outcome)) => (Some(outcome), false),
            Ok(None) => (None, true),
            Err(message) => {
                reader.problem("outcome", message);
                (None, false)
            }
        }
    };
    (outcome_text, outcome, open)
}

/// The intake of a register row, from its dates (条例第三十一条: the date of receipt is the day handed in,
/// signed for (邮寄) or confirmed (网上、信函、传真)).
///
/// - A receipt date alone (收到申请日期, 受理日期, 收件日期 …) is the register's statement of the date of
///   receipt, recorded as that: the channel's receipt event happened on it ([`Intake::received_on`]).
/// - A submission date alone is the day handed in or sent; the clock then needs the 签收/确认 date of a
///   posted or online application from its own column.
/// - Both: the submission date is kept, and the receipt date is the channel's receipt event (it must agree
///   with a 签收/确认 column where that is filled, and with the submission day for one handed in).
fn intake(
    reader: &mut RowReader<'_>,
    channel: Channel,
    submitted: Option<Date>,
    received: Option<Date>,
    signed_for: Option<Date>,
    confirmed: Option<Date>,
) -> Option<Intake> {
    let Some(received) = received else {
        return submitted.map(|submitted| Intake { channel, submitted, signed_for, confirmed });
    };
    let Some(submitted) = submitted else {
        let stated = Intake::received_on(channel, received);
        for (key, date) in [("signed_for", signed_for), ("confirmed", confirmed)] {
            if date.is_some_and(|date| date != received) {
                let header = reader.header("received");
                reader.problem(key, format!("与“{header}”{received}不一致"));
            }
        }
        return Some(Intake { signed_for: signed_for.or(stated.signed_for), ..stated });
    };
    if received < submitted {
        let header = reader.header("submitted");
        reader.problem("received", format!("收到日期 {received} 早于“{header}”{submitted}"));
        return None;
    }
    let stated = |slot: Option<Date>, key: &str, reader: &mut RowReader<'_>| {
        if slot.is_some_and(|date| date != received) {
            let header = reader.header("received");
            reader.problem(key, format!("与“{header}”{received}不一致"));
        }
        Some(received)
    };
    Some(match channel {
        Channel::InPerson => {
            if received != submitted {
                reader.problem(
                    "received",
                    format!(
                        "当面提交的申请当日收到：收到日期 {received} 应与申请日期 {submitted} 相同"
                    ),
                );
                return None;
            }
            Intake { channel, submitted, signed_for, confirmed }
        }
        Channel::Post => Intake {
            channel,
            submitted,
            signed_for: stated(signed_for, "signed_for", reader),
            confirmed,
        },
        Channel::Letter | Channel::Online | Channel::Fax => Intake {
            channel,
            submitted,
            signed_for,
            confirmed: stated(confirmed, "confirmed", reader),
        },
    })
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
