//! Deriving a report year's measures from records, and filling a format's cells from them.
//!
//! Counting rules (each is how the official table reads; choices on unverified points are marked):
//! - **Applications (2019/2021 table 三).** New = received in the year; carried in = received before the
//!   year and not ended before it; a result = ended in the year (reply, or lapse of a 补正 or fee, see
//!   [`crate::clock::ending`]) under its outcome's row; carried out = received by the year's end and not
//!   ended by it. So 一 + 二 = 三（七） + 四 holds by construction, and the rules check it anyway.
//! - **Applications (pre-2019 统计表).** 收到 = received in the year, by channel (post and ordinary letters are
//!   信函); 办结 = ended in the year; 延期办结 = ended after the statutory period without extension, i.e. with
//!   an approved extension or late (our reading: the table has no row for late replies); 答复 = 办结, each
//!   under its legacy answer type.
//! - **Reviews and lawsuits (table 四)** are counted in the year they were filed, with their result if decided
//!   by the year's end, else 尚未审结 [U: no national text found; chosen so each case is reported once].
//!   Lawsuits where the agency is only the review organ are not counted (国办公开办函〔2016〕201号). The
//!   pre-2019 rows (no 尚未审结) count cases decided in the year.
//! - **Catalog.** Items published in the year; an item on several channels counts once in the total and once
//!   per channel.
//! - **Staff, offices, reading points**: those active on December 31. Funding: the year's records, not
//!   filled when there are none. Responses on one topic count once in 回应热点数.

use std::collections::HashMap;

use time::{Date, Month};

use super::format::Format;
use super::measure::{self, *};
use super::values::{CellKey, Quantity, TableValues};
use crate::calendar::Calendar;
use crate::clock::{self, Event, LapseReason};
use crate::records::{
    AgencyRecords, ApplicantType, ApplicationRecord, CaseResult, NormativeKind, OtherHandling,
    Outcome, ResponseKind,
};
use crate::regime::{Channel, Regime, receipt_date};

/// Every table 三 result measure of the 2021 format (the 2019 format sums `other.*`).
pub const RESULT_MEASURES: [&str; 21] = [
    "disclosed",
    "partial",
    "withheld.state_secret",
    "withheld.forbidden_by_law",
    "withheld.security",
    "withheld.third_party",
    "withheld.internal",
    "withheld.deliberative",
    "withheld.enforcement_file",
    "withheld.administrative_query",
    "unavailable.not_held",
    "unavailable.needs_creation",
    "unavailable.still_unclear",
    "not_processed.petition",
    "not_processed.repeat",
    "not_processed.publication",
    "not_processed.excessive",
    "not_processed.confirmation",
    "other.no_supplement",
    "other.fee_not_paid",
    "other.other",
];

/// The pre-2019 table's channels of receipt, in the order counted (post and letters are 信函).
const RECEIVED_CHANNELS: [&str; 4] = ["in_person", "fax", "online", "letter"];

/// Every pre-2019 answer measure.
pub const LEGACY_ANSWER_MEASURES: [&str; 13] = [
    "already_public",
    "disclosed",
    "partial",
    "refused.state_secret",
    "refused.trade_secret",
    "refused.privacy",
    "refused.security",
    "refused.not_government_information",
    "refused.other_law",
    "not_this_agency",
    "not_exist",
    "amend",
    "other_channel",
];

/// Named figures of one agency-year, before any format picks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Measures {
    values: HashMap<String, Quantity>,
}

impl Measures {
    fn add(&mut self, key: &str, amount: i64) {
        let entry = self.values.entry(key.to_owned()).or_default();
        *entry = *entry + Quantity::count(amount);
    }

    fn set(&mut self, key: &str, value: Quantity) {
        self.values.insert(key.to_owned(), value);
    }

    pub fn get(&self, key: &str) -> Option<Quantity> {
        self.values.get(key).copied()
    }
}

/// What the narrative needs beyond the table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// Proactive items by the agency's catalog category, in the order the agency first used them.
    pub categories: Vec<(String, u64)>,
    /// Fees actually collected in the year (元) and the number waived.
    pub fees_collected_yuan: u64,
    pub fees_waived: u64,
    /// Applications whose records could not be counted (e.g. a reply with no outcome), with the reason.
    pub record_problems: Vec<String>,
}

fn year_bounds(year: i32) -> (Date, Date) {
    let first = Date::from_calendar_date(year, Month::January, 1).expect("report years are valid");
    let last = Date::from_calendar_date(year, Month::December, 31).expect("report years are valid");
    (first, last)
}

fn active_at(from: Date, to: Option<Date>, day: Date) -> bool {
    from <= day && to.is_none_or(|to| to >= day)
}

/// An application's facts for counting.
struct Counted {
    applicant: ApplicantType,
    channel: Channel,
    received: Date,
    ended: Option<(Date, Outcome)>,
}

fn count_application(
    application: &ApplicationRecord,
    calendar: &Calendar,
    problems: &mut Vec<String>,
) -> Option<Counted> {
    let receipt = match receipt_date(
        &application.intake,
        application.regime.unwrap_or(Regime::Ordinance2019),
    ) {
        Ok(receipt) => receipt.date,
        Err(err) => {
            problems.push(format!("申请{}：{err}", application.tracking_number));
            return None;
        }
    };
    let ended = clock::ending(&application.events, calendar).map(|ending| {
        let outcome = match (ending.lapse, application.outcome) {
            (Some(LapseReason::SupplementNotReceived), _) => {
                Outcome::OtherHandling(OtherHandling::NoSupplement)
            }
            (Some(LapseReason::FeeNotPaid), _) => Outcome::OtherHandling(OtherHandling::FeeNotPaid),
            (None, Some(outcome)) => outcome,
            (None, None) => {
                problems.push(format!(
                    "申请{}：已答复但未记录答复类型，按“其他处理”统计",
                    application.tracking_number
                ));
                Outcome::OtherHandling(OtherHandling::Other)
            }
        };
        (ending.date, outcome)
    });
    Some(Counted {
        applicant: application.applicant,
        channel: application.intake.channel,
        received: receipt,
        ended,
    })
}

/// Whether a pre-2019 application ended after its statutory period without extension (延期办结).
fn ended_late_or_extended(
    application: &ApplicationRecord,
    ended_on: Date,
    calendar: &Calendar,
) -> bool {
    let as_clock = clock::Application {
        intake: application.intake.clone(),
        regime: application.regime,
        events: application.events.clone(),
    };
    match clock::evaluate(&as_clock, calendar, ended_on) {
        Ok(report) => {
            report.allowed_working_days > report.regime.reply_working_days()
                || report.on_time == Some(false)
        }
        Err(_) => false,
    }
}

/// A record behind a figure (drill-down from a report's cell to what it counts).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Application { tracking_number: String },
    Item { index_number: String, title: String },
    Document { number: String, title: String },
    Review { filed: Date, application: Option<String> },
    Lawsuit { filed: Date, application: Option<String> },
    Response { date: Date, topic: Option<String> },
    Complaint { received: Date, summary: String },
    Staff { id: String },
    Office { name: String },
    ReadingPoint { name: String },
    Funding { year: i32 },
    Meeting { date: Date, title: String },
    Training { date: Date, title: String, trainees: u32 },
    Declared { source: String },
}

/// The records behind each measure of a year, collected by the same counting as [`measures`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    by_measure: HashMap<String, Vec<Source>>,
}

impl Sources {
    /// The records behind `measure`, in the order they were counted.
    pub fn of(&self, measure: &str) -> &[Source] {
        self.by_measure.get(measure).map_or(&[], Vec::as_slice)
    }

    /// The records behind the cell `key` of `format` (its row's and column's measure).
    pub fn of_cell(&self, format: &Format, key: &CellKey) -> Option<&[Source]> {
        let table = format.tables.iter().find(|table| table.id == key.table)?;
        let (_, row, column) = table
            .value_cells()
            .find(|(_, row, column)| row.key == key.row && column.key == key.column)?;
        Some(self.of(&cell_measure(row.measure.as_deref().unwrap_or_default(), &column.measure)))
    }
}

/// Where counting notes its sources; does nothing (and builds no key) unless drilling down.
struct Recorder<'a>(Option<&'a mut Sources>);

impl Recorder<'_> {
    fn note(&mut self, keys: impl FnOnce() -> Vec<String>, source: impl FnOnce() -> Source) {
        if let Some(sources) = self.0.as_mut() {
            let source = source();
            for key in keys() {
                sources.by_measure.entry(key).or_default().push(source.clone());
            }
        }
    }
}

/// Counts `records` under `key`, each noted as the source `source` gives.
fn count_each<'r, T: 'r>(
    measures: &mut Measures,
    recorder: &mut Recorder<'_>,
    key: &str,
    records: impl Iterator<Item = &'r T>,
    source: impl Fn(&T) -> Source,
) {
    let mut count = 0;
    for record in records {
        count += 1;
        recorder.note(|| vec![key.to_owned()], || source(record));
    }
    measures.add(key, count);
}

/// Derives every measure of `year` from `records`.
pub fn measures(records: &AgencyRecords, year: i32, calendar: &Calendar) -> (Measures, Extras) {
    count(records, year, calendar, &mut Recorder(None))
}

/// The records behind every measure of `year`: each record under each measure it adds to.
pub fn sources(records: &AgencyRecords, year: i32, calendar: &Calendar) -> Sources {
    let mut sources = Sources::default();
    count(records, year, calendar, &mut Recorder(Some(&mut sources)));
    sources
}

fn count(
    records: &AgencyRecords,
    year: i32,
    calendar: &Calendar,
    recorder: &mut Recorder<'_>,
) -> (Measures, Extras) {
    let mut tally = count::Tally {
        records,
        year,
        calendar,
        recorder,
        measures: Measures::default(),
        extras: Extras::default(),
    };
    tally.applications();
    tally.catalog();
    tally.normative();
    tally.declared();
    tally.responses();
    tally.cases();
    tally.organisation();
    let count::Tally { measures, mut extras, .. } = tally;
    let (collected, waived) = fees(records, year, &mut extras.record_problems);
    extras.fees_collected_yuan = collected;
    extras.fees_waived = waived;
    (measures, extras)
}

/// The fees of the year for the report's 收费 sentence: (元 collected, number waived).
///
/// A processing fee (《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号) is collected on the day the
/// applicant pays it. One source of truth per fee:
/// - a case's own steps, when it has a 收费通知 ([`Event::FeeNotified`]): its amount counts in the year
///   of its 缴费 ([`Event::FeePaid`]); a notice never paid collects nothing (the case lapses instead);
/// - the ledger's fee rows (`records.fees`) for fees with no notice on their case (handled off the
///   platform, or waived): each counts in the year of its date.
///
/// A ledger row for a case that has its own notice is not counted again; where the two disagree (another
/// amount or day, or a waiver of a fee the case shows paid) a record problem names both.
fn fees(records: &AgencyRecords, year: i32, problems: &mut Vec<String>) -> (u64, u64) {
    let mut on_cases: HashMap<&str, (u64, Option<Date>)> = HashMap::new();
    for application in &records.applications {
        let mut notice: Option<u64> = None;
        let mut paid: Option<Date> = None;
        for event in &application.events {
            match *event {
                Event::FeeNotified { amount_yuan, .. } => notice = Some(amount_yuan),
                Event::FeePaid { on } => paid = Some(on),
                _ => {}
            }
        }
        if let Some(amount) = notice {
            on_cases.insert(application.tracking_number.as_str(), (amount, paid));
        }
    }
    let mut collected: u64 = on_cases
        .values()
        .filter(|(_, paid)| paid.is_some_and(|paid| paid.year() == year))
        .map(|(amount, _)| *amount)
        .sum();
    let mut waived = 0;
    for fee in &records.fees {
        if let Some((amount, paid)) = on_cases.get(fee.application.as_str()) {
            // A fee notified and then waived (减免) before it was paid: the waiver counts.
            if fee.waived && paid.is_none() {
                waived += u64::from(fee.date.year() == year);
                continue;
            }
            let relevant = fee.date.year() == year || paid.is_some_and(|paid| paid.year() == year);
            let agrees = !fee.waived && fee.amount_yuan == *amount && Some(fee.date) == *paid;
            if relevant && !agrees {
                let case = match paid {
                    Some(paid) => format!("{amount}元，{paid}缴费"),
                    None => format!("{amount}元，未缴费"),
                };
                let ledger = if fee.waived {
                    format!("{}减免", fee.date)
                } else {
                    format!("{}元，{}", fee.amount_yuan, fee.date)
                };
                problems.push(format!(
                    "申请{}：收费台账（{ledger}）与办理记录的收费（{case}）不一致，按办理记录计",
                    fee.application
                ));
            }
            continue;
        }
        if fee.date.year() != year {
            continue;
        }
        if fee.waived {
            waived += 1;
        } else {
            collected += fee.amount_yuan;
        }
    }
    (collected, waived)
}

/// The measure a cell shows: the row's and the column's measure joined with a dot.
pub fn cell_measure(row_measure: &str, column_measure: &str) -> String {
    match (row_measure.is_empty(), column_measure.is_empty()) {
        (true, _) => column_measure.to_owned(),
        (false, true) => row_measure.to_owned(),
        (false, false) => format!("{row_measure}.{column_measure}"),
    }
}

/// Fills every value cell of `format` from `measures`; a cell whose measure is absent is not filled.
pub fn fill(format: &Format, measures: &Measures) -> TableValues {
    let mut values = TableValues::default();
    for table in &format.tables {
        for (_, row, column) in table.value_cells() {
            let measure = cell_measure(row.measure.as_deref().unwrap_or_default(), &column.measure);
            values.set(CellKey::new(&table.id, &row.key, &column.key), measures.get(&measure));
        }
    }
    values
}

mod count;
#[cfg(test)]
mod tests;
