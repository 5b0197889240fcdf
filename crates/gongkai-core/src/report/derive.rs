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

use std::collections::{BTreeSet, HashMap};

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
    let (first_day, last_day) = year_bounds(year);
    let in_year = |date: Date| date.year() == year;
    let mut measures = Measures::default();
    let mut extras = Extras::default();

    // Applications, counted into arrays indexed by applicant column (the last is "all").
    const COLUMNS: usize = ApplicantType::ALL.len() + 1;
    let mut new = [0i64; COLUMNS];
    let mut carried_in = [0i64; COLUMNS];
    let mut carried_out = [0i64; COLUMNS];
    let mut results = [[0i64; COLUMNS]; RESULT_MEASURES.len()];
    let mut received_by_channel = [0i64; 4];
    let (mut concluded, mut extended) = (0i64, 0i64);
    let mut answers = [0i64; LEGACY_ANSWER_MEASURES.len()];
    for application in &records.applications {
        let Some(counted) = count_application(application, calendar, &mut extras.record_problems)
        else {
            continue;
        };
        let columns = [counted.applicant as usize, COLUMNS - 1];
        let ended_before_year = counted.ended.is_some_and(|(date, _)| date < first_day);
        if counted.received > last_day || ended_before_year {
            continue;
        }
        let code = counted.applicant.code();
        let this = || Source::Application { tracking_number: application.tracking_number.clone() };
        let both =
            |prefix: &str| vec![measure::key(&[prefix, code]), measure::key(&[prefix, "all"])];
        if in_year(counted.received) {
            columns.iter().for_each(|column| new[*column] += 1);
            let channel = match counted.channel {
                Channel::InPerson => 0,
                Channel::Fax => 1,
                Channel::Online => 2,
                Channel::Post | Channel::Letter => 3,
            };
            received_by_channel[channel] += 1;
            recorder.note(
                || {
                    let mut keys = both(APP_NEW);
                    keys.push(APP_RECEIVED.to_owned());
                    keys.push(measure::key(&[APP_RECEIVED, RECEIVED_CHANNELS[channel]]));
                    keys
                },
                this,
            );
        } else {
            columns.iter().for_each(|column| carried_in[*column] += 1);
            recorder.note(|| both(APP_CARRIED_IN), this);
        }
        match counted.ended {
            Some((ended_on, outcome)) if ended_on <= last_day => {
                let result =
                    RESULT_MEASURES.iter().position(|measure| *measure == outcome.measure());
                let result = result.expect("every outcome maps to a result row");
                columns.iter().for_each(|column| results[result][*column] += 1);
                concluded += 1;
                let late = year <= 2018 && ended_late_or_extended(application, ended_on, calendar);
                if late {
                    extended += 1;
                }
                let answer = LEGACY_ANSWER_MEASURES
                    .iter()
                    .position(|measure| *measure == outcome.legacy_measure());
                answers[answer.expect("every outcome maps to an answer type")] += 1;
                recorder.note(
                    || {
                        let mut keys = both(&measure::key(&[APP_RESULT, outcome.measure()]));
                        keys.extend(both(APP_RESULT_TOTAL));
                        if outcome.measure().starts_with("other.") {
                            keys.extend(both(APP_RESULT_OTHER));
                        }
                        keys.push(APP_CONCLUDED.to_owned());
                        keys.push(
                            if late { APP_CONCLUDED_EXTENDED } else { APP_CONCLUDED_ON_TIME }
                                .to_owned(),
                        );
                        keys.push(APP_ANSWERED.to_owned());
                        keys.push(measure::key(&[APP_ANSWER, outcome.legacy_measure()]));
                        if outcome.legacy_measure().starts_with("refused.") {
                            keys.push(APP_ANSWER_REFUSED.to_owned());
                        }
                        keys
                    },
                    this,
                );
            }
            _ => {
                columns.iter().for_each(|column| carried_out[*column] += 1);
                recorder.note(|| both(APP_CARRIED_OUT), this);
            }
        }
    }
    let column_codes = ApplicantType::ALL.iter().map(|applicant| applicant.code()).chain(["all"]);
    for (column, code) in column_codes.enumerate() {
        measures.add(&measure::key(&[APP_NEW, code]), new[column]);
        measures.add(&measure::key(&[APP_CARRIED_IN, code]), carried_in[column]);
        measures.add(&measure::key(&[APP_CARRIED_OUT, code]), carried_out[column]);
        let mut total = 0;
        let mut other = 0;
        for (index, result) in RESULT_MEASURES.iter().enumerate() {
            let count = results[index][column];
            measures.add(&measure::key(&[APP_RESULT, result, code]), count);
            total += count;
            if result.starts_with("other.") {
                other += count;
            }
        }
        measures.add(&measure::key(&[APP_RESULT_TOTAL, code]), total);
        measures.add(&measure::key(&[APP_RESULT_OTHER, code]), other);
    }
    measures.add(APP_RECEIVED, received_by_channel.iter().sum());
    for (index, channel) in RECEIVED_CHANNELS.into_iter().enumerate() {
        measures.add(&measure::key(&[APP_RECEIVED, channel]), received_by_channel[index]);
    }
    measures.add(APP_CONCLUDED, concluded);
    measures.add(APP_CONCLUDED_ON_TIME, concluded - extended);
    measures.add(APP_CONCLUDED_EXTENDED, extended);
    measures.add(APP_ANSWERED, answers.iter().sum());
    let mut refused = 0;
    for (index, answer) in LEGACY_ANSWER_MEASURES.iter().enumerate() {
        measures.add(&measure::key(&[APP_ANSWER, answer]), answers[index]);
        if answer.starts_with("refused.") {
            refused += answers[index];
        }
    }
    measures.add(APP_ANSWER_REFUSED, refused);

    // Catalog.
    measures.add(CATALOG_TOTAL, 0);
    measures.add(CATALOG_NORMATIVE, 0);
    for channel in crate::records::PublishChannel::ALL {
        measures.add(&measure::key(&[CATALOG_CHANNEL, channel.code()]), 0);
    }
    let mut channel_counts = [0i64; 5];
    let mut total = 0i64;
    let mut normative = 0i64;
    // Categories in the order the agency first used them (as its own catalog lists them). Agencies use a
    // handful, so a short list checked from the last hit beats hashing every item's category.
    let mut categories: Vec<(&str, u64)> = Vec::new();
    let mut last = 0usize;
    for item in records.catalog.iter().filter(|item| in_year(item.published)) {
        recorder.note(
            || {
                let mut keys = vec![CATALOG_TOTAL.to_owned()];
                if item.normative {
                    keys.push(CATALOG_NORMATIVE.to_owned());
                }
                keys.extend(
                    item.channels.iter().map(|c| measure::key(&[CATALOG_CHANNEL, c.code()])),
                );
                keys
            },
            || Source::Item { index_number: item.index_number.clone(), title: item.title.clone() },
        );
        total += 1;
        normative += i64::from(item.normative);
        let category = item.category.as_str();
        if categories.get(last).is_none_or(|(name, _)| *name != category) {
            last = match categories.iter().position(|(name, _)| *name == category) {
                Some(index) => index,
                None => {
                    categories.push((category, 0));
                    categories.len() - 1
                }
            };
        }
        categories[last].1 += 1;
        for channel in &item.channels {
            channel_counts[*channel as usize] += 1;
        }
    }
    // Items counted in the database (a region's roll-up): the same sums; categories the items did not
    // use yet follow in the tally's order.
    for tally in records.catalog_tallies.iter().filter(|tally| tally.year == year) {
        total += tally.total() as i64;
        normative += tally.normative as i64;
        for (category, count) in &tally.categories {
            match categories.iter_mut().find(|(name, _)| name == category) {
                Some((_, sum)) => *sum += count,
                None => categories.push((category, *count)),
            }
        }
        for (channel, count) in &tally.channels {
            channel_counts[*channel as usize] += *count as i64;
        }
    }
    measures.add(CATALOG_TOTAL, total);
    measures.add(CATALOG_NORMATIVE, normative);
    for channel in crate::records::PublishChannel::ALL {
        measures.add(
            &measure::key(&[CATALOG_CHANNEL, channel.code()]),
            channel_counts[channel as usize],
        );
    }
    extras.categories =
        categories.into_iter().map(|(name, count)| (name.to_owned(), count)).collect();

    // Normative documents.
    for (kind, prefix) in
        [(NormativeKind::Rule, NORMATIVE_RULE), (NormativeKind::Document, NORMATIVE_DOC)]
    {
        let documents = records.normative_documents.iter().filter(|document| document.kind == kind);
        let (mut made, mut repealed, mut in_force, mut published, mut published_total) =
            (0, 0, 0, 0, 0);
        for document in documents {
            let counts = [
                ("made", in_year(document.made)),
                ("repealed", document.repealed.is_some_and(in_year)),
                (
                    "in_force",
                    document.made <= last_day
                        && document.repealed.is_none_or(|date| date > last_day),
                ),
                ("published", document.published.is_some_and(in_year)),
                ("published_total", document.published.is_some_and(|date| date <= last_day)),
            ];
            made += i64::from(counts[0].1);
            repealed += i64::from(counts[1].1);
            in_force += i64::from(counts[2].1);
            published += i64::from(counts[3].1);
            published_total += i64::from(counts[4].1);
            recorder.note(
                || {
                    let counted = counts.iter().filter(|(_, counted)| *counted);
                    counted.map(|(name, _)| measure::key(&[prefix, name])).collect()
                },
                || Source::Document {
                    number: document.number.clone(),
                    title: document.title.clone(),
                },
            );
        }
        measures.add(&measure::key(&[prefix, "made"]), made);
        measures.add(&measure::key(&[prefix, "repealed"]), repealed);
        measures.add(&measure::key(&[prefix, "in_force"]), in_force);
        measures.add(&measure::key(&[prefix, "published"]), published);
        measures.add(&measure::key(&[prefix, "published_total"]), published_total);
    }

    // Declared figures from other systems.
    for figure in records.declared.iter().filter(|figure| figure.year == year) {
        measures.set(&figure.measure, figure.value);
        recorder.note(
            || vec![figure.measure.clone()],
            || Source::Declared { source: figure.source.clone() },
        );
    }

    // Responses and interpretations.
    let responses: Vec<_> =
        records.responses.iter().filter(|response| in_year(response.date)).collect();
    let topics: BTreeSet<&str> =
        responses.iter().filter_map(|response| response.topic.as_deref()).collect();
    measures.add(RESPONSE_TOPICS, topics.len() as i64);
    let responses_key = |kind: ResponseKind| match kind {
        ResponseKind::PressConference => RESPONSE_PRESS_CONFERENCE,
        ResponseKind::OnlineInterview => RESPONSE_ONLINE_INTERVIEW,
        ResponseKind::Interpretation => RESPONSE_INTERPRETATION,
        ResponseKind::WeiboWechat => RESPONSE_WEIBO_WECHAT,
        ResponseKind::Other => RESPONSE_OTHER,
    };
    for response in &responses {
        recorder.note(
            || {
                let key = responses_key(response.kind);
                let mut keys = vec![key.to_owned()];
                if response.topic.is_some() {
                    keys.push(RESPONSE_TOPICS.to_owned());
                }
                if response.head_attended {
                    keys.push(measure::key(&[key, HEAD]));
                }
                keys
            },
            || Source::Response { date: response.date, topic: response.topic.clone() },
        );
    }
    for (kind, key) in [
        (ResponseKind::PressConference, RESPONSE_PRESS_CONFERENCE),
        (ResponseKind::OnlineInterview, RESPONSE_ONLINE_INTERVIEW),
        (ResponseKind::Interpretation, RESPONSE_INTERPRETATION),
        (ResponseKind::WeiboWechat, RESPONSE_WEIBO_WECHAT),
        (ResponseKind::Other, RESPONSE_OTHER),
    ] {
        let of_kind = responses.iter().filter(|response| response.kind == kind);
        measures.add(key, of_kind.clone().count() as i64);
        if matches!(kind, ResponseKind::PressConference | ResponseKind::OnlineInterview) {
            measures.add(
                &measure::key(&[key, HEAD]),
                of_kind.filter(|response| response.head_attended).count() as i64,
            );
        }
    }

    // Reviews and lawsuits.
    let result_name = |result: CaseResult| match result {
        CaseResult::Upheld => "upheld",
        CaseResult::Corrected => "corrected",
        CaseResult::Other => "other",
    };
    // 2019/2021: cases filed in the year, with their status at the year's end.
    let status_at_year_end = |decided: Option<(CaseResult, Date)>| match decided {
        Some((result, date)) if date <= last_day => result_name(result),
        _ => "pending",
    };
    for prefix in [REVIEW, SUIT_DIRECT, SUIT_AFTER_REVIEW] {
        for result in ["upheld", "corrected", "other", "pending", "total"] {
            measures.add(&measure::key(&[prefix, result]), 0);
        }
    }
    for prefix in [REVIEW_CONCLUDED, SUIT_CONCLUDED] {
        for result in ["upheld", "corrected", "other", "total"] {
            measures.add(&measure::key(&[prefix, result]), 0);
        }
    }
    for review in &records.reviews {
        recorder.note(
            || {
                let mut keys = Vec::new();
                if in_year(review.filed) {
                    keys.push(measure::key(&[REVIEW, status_at_year_end(review.decided)]));
                    keys.push(measure::key(&[REVIEW, TOTAL]));
                }
                if let Some((result, _)) = review.decided.filter(|(_, date)| in_year(*date)) {
                    keys.push(measure::key(&[REVIEW_CONCLUDED, result_name(result)]));
                    keys.push(measure::key(&[REVIEW_CONCLUDED, TOTAL]));
                }
                keys
            },
            || Source::Review { filed: review.filed, application: review.application.clone() },
        );
        if in_year(review.filed) {
            measures.add(&measure::key(&[REVIEW, status_at_year_end(review.decided)]), 1);
            measures.add(&measure::key(&[REVIEW, TOTAL]), 1);
        }
        if let Some((result, _)) = review.decided.filter(|(_, date)| in_year(*date)) {
            measures.add(&measure::key(&[REVIEW_CONCLUDED, result_name(result)]), 1);
            measures.add(&measure::key(&[REVIEW_CONCLUDED, TOTAL]), 1);
        }
    }
    for lawsuit in records.lawsuits.iter().filter(|lawsuit| !lawsuit.as_review_organ) {
        let prefix = if lawsuit.after_review { SUIT_AFTER_REVIEW } else { SUIT_DIRECT };
        recorder.note(
            || {
                let mut keys = Vec::new();
                if in_year(lawsuit.filed) {
                    keys.push(measure::key(&[prefix, status_at_year_end(lawsuit.decided)]));
                    keys.push(measure::key(&[prefix, TOTAL]));
                }
                if let Some((result, _)) = lawsuit.decided.filter(|(_, date)| in_year(*date)) {
                    keys.push(measure::key(&[SUIT_CONCLUDED, result_name(result)]));
                    keys.push(measure::key(&[SUIT_CONCLUDED, TOTAL]));
                }
                keys
            },
            || Source::Lawsuit { filed: lawsuit.filed, application: lawsuit.application.clone() },
        );
        if in_year(lawsuit.filed) {
            measures.add(&measure::key(&[prefix, status_at_year_end(lawsuit.decided)]), 1);
            measures.add(&measure::key(&[prefix, TOTAL]), 1);
        }
        if let Some((result, _)) = lawsuit.decided.filter(|(_, date)| in_year(*date)) {
            measures.add(&measure::key(&[SUIT_CONCLUDED, result_name(result)]), 1);
            measures.add(&measure::key(&[SUIT_CONCLUDED, TOTAL]), 1);
        }
    }
    let complaints = records.complaints.iter().filter(|complaint| in_year(complaint.received));
    count_each(&mut measures, recorder, COMPLAINT_TOTAL, complaints, |complaint| {
        Source::Complaint { received: complaint.received, summary: complaint.summary.clone() }
    });

    // Organisation at the year's end.
    let offices =
        records.offices.iter().filter(|office| active_at(office.from, office.to, last_day));
    count_each(&mut measures, recorder, ORG_OFFICES, offices, |office| Source::Office {
        name: office.name.clone(),
    });
    let points = records
        .reading_points
        .iter()
        .filter(|point| active_at(point.opened, point.closed, last_day));
    count_each(&mut measures, recorder, ORG_READING_POINTS, points, |point| Source::ReadingPoint {
        name: point.name.clone(),
    });
    let staff: Vec<_> =
        records.staff.iter().filter(|staff| active_at(staff.from, staff.to, last_day)).collect();
    for member in &staff {
        let kind = if member.full_time { ORG_STAFF_FULL_TIME } else { ORG_STAFF_PART_TIME };
        recorder.note(
            || vec![ORG_STAFF.to_owned(), kind.to_owned()],
            || Source::Staff { id: member.id.clone() },
        );
    }
    let full_time = staff.iter().filter(|staff| staff.full_time).count() as i64;
    measures.add(ORG_STAFF_FULL_TIME, full_time);
    measures.add(ORG_STAFF_PART_TIME, staff.len() as i64 - full_time);
    measures.add(ORG_STAFF, staff.len() as i64);
    let funding: Vec<_> = records.funding.iter().filter(|funding| funding.year == year).collect();
    if !funding.is_empty() {
        measures.set(ORG_FUNDING, funding.iter().map(|funding| funding.amount_wan_yuan).sum());
        recorder.note(|| vec![ORG_FUNDING.to_owned()], || Source::Funding { year });
    }
    let meetings = records.meetings.iter().filter(|meeting| in_year(meeting.date));
    count_each(&mut measures, recorder, TRAINING_MEETINGS, meetings, |meeting| Source::Meeting {
        date: meeting.date,
        title: meeting.title.clone(),
    });
    let trainings: Vec<_> =
        records.trainings.iter().filter(|training| in_year(training.date)).collect();
    for training in &trainings {
        recorder.note(
            || vec![TRAINING_COURSES.to_owned(), TRAINING_TRAINEES.to_owned()],
            || Source::Training {
                date: training.date,
                title: training.title.clone(),
                trainees: training.trainees,
            },
        );
    }
    measures.add(TRAINING_COURSES, trainings.len() as i64);
    measures.add(
        TRAINING_TRAINEES,
        trainings.iter().map(|training| i64::from(training.trainees)).sum(),
    );

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

#[cfg(test)]
mod tests;
