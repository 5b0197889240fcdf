//! The kinds of record stored one row each in a table of their own, keyed by agency: each names its table,
//! its columns, how it is written and read, and what loading a year keeps of it. Saving and loading
//! ([`super::save`], [`super::load_scoped`]) run one path for all of them.

use gongkai_core::records::{
    AgencyRecords, Complaint, ComplaintConclusion, ComplaintResult, DeclaredFigure, FeeRecord,
    Funding, Lawsuit, Meeting, NormativeDocument, Office, ReadingPoint, Response, Review,
    StaffAssignment, StaffText, Training,
};
use gongkai_core::report::values::Quantity;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use super::{Bound, date_at, date_text, from_text, optional_date_at, to_text};
use crate::StoreError;

/// How a kind's condition for loading one year is bound.
#[derive(Debug, Clone, Copy)]
pub(crate) enum YearBound {
    /// `$1` the first day of the year before, `$2` the last day of the year, as text.
    Days,
    /// `$1` the year before, `$2` the year, as integers.
    Years,
}

/// A kind of record kept one row each in `TABLE`, whose first column is `agency_id`.
pub(crate) trait Kind: Sized {
    /// The table.
    const TABLE: &'static str;
    /// The columns after `agency_id`, in the order [`Kind::values`] gives them.
    const COLUMNS: &'static [&'static str];
    /// The order rows load in: the order they were saved.
    const ORDER: &'static str = "agency_id, id";
    /// What loading for one year keeps (see `super::kind_query`), as a condition on the rows.
    const OF_YEAR: Option<(&'static str, YearBound)>;

    /// The values of [`Kind::COLUMNS`], in their order.
    fn values(&self) -> Result<Vec<Bound>, StoreError>;

    /// The record of a row holding at least [`Kind::COLUMNS`].
    fn read(row: &AnyRow) -> Result<Self, StoreError>;

    /// The agency's records of this kind.
    fn of(records: &AgencyRecords) -> &[Self];

    /// Where loaded records of this kind go.
    fn into(records: &mut AgencyRecords) -> &mut Vec<Self>;

    /// What a second record with the same key is called, and its key, where the table keeps it unique.
    fn key(&self) -> Option<(&'static str, String)> {
        None
    }
}

/// The query that loads every row of `K` for the agencies written in for `{agencies}`.
pub(super) fn select<K: Kind>() -> String {
    format!(
        "SELECT agency_id, {} FROM {} WHERE agency_id IN ({{agencies}}) ORDER BY {}",
        K::COLUMNS.join(", "),
        K::TABLE,
        K::ORDER
    )
}

/// The statement that inserts one row of `K` for the agency bound as `$1`.
pub(super) fn insert<K: Kind>() -> String {
    let places = (2..=K::COLUMNS.len() + 1).map(|at| format!("${at}")).collect::<Vec<_>>();
    format!(
        "INSERT INTO {} (agency_id, {}) VALUES ($1, {})",
        K::TABLE,
        K::COLUMNS.join(", "),
        places.join(", ")
    )
}

fn text(value: &str) -> Bound {
    Bound::Text(value.to_owned())
}

fn name<T: serde::Serialize>(value: &T) -> Bound {
    Bound::Text(to_text(value))
}

fn day(value: Date) -> Bound {
    Bound::Text(date_text(value))
}

fn maybe_day(value: Option<Date>) -> Bound {
    value.map_or(Bound::Null, day)
}

fn maybe_text(value: Option<&str>) -> Bound {
    value.map_or(Bound::Null, text)
}

fn flag(value: bool) -> Bound {
    Bound::Integer(i64::from(value))
}

fn flag_at(row: &AnyRow, column: &str) -> Result<bool, StoreError> {
    Ok(row.try_get::<i64, _>(column)? != 0)
}

fn name_at<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, StoreError> {
    from_text(&row.try_get::<String, _>(column)?)
}

/// A review's or lawsuit's result and its date, as the two columns `result` and `decided`.
fn decided_values(decided: Option<(gongkai_core::records::CaseResult, Date)>) -> [Bound; 2] {
    match decided {
        Some((result, date)) => [name(&result), day(date)],
        None => [Bound::Null, Bound::Null],
    }
}

fn decided_at(
    row: &AnyRow,
) -> Result<Option<(gongkai_core::records::CaseResult, Date)>, StoreError> {
    let result: Option<String> = row.try_get("result")?;
    match (result, optional_date_at(row, "decided")?) {
        (Some(result), Some(day)) => Ok(Some((from_text(&result)?, day))),
        _ => Ok(None),
    }
}

/// Filed, or concluded, in the year before or the year.
const FILED_OR_DECIDED: Option<(&str, YearBound)> = Some((
    " AND ((filed >= $1 AND filed <= $2) OR (decided >= $1 AND decided <= $2))",
    YearBound::Days,
));
/// Dated (`day`) in the year before or the year.
const DATED: Option<(&str, YearBound)> = Some((" AND day >= $1 AND day <= $2", YearBound::Days));
/// Of the year before or the year.
const OF_YEARS: Option<(&str, YearBound)> =
    Some((" AND year >= $1 AND year <= $2", YearBound::Years));
/// Begun by the end of the year and not ended before the year before.
const SPANNING: Option<(&str, YearBound)> =
    Some((" AND from_day <= $2 AND (to_day IS NULL OR to_day >= $1)", YearBound::Days));

impl Kind for NormativeDocument {
    const TABLE: &'static str = "normative_documents";
    const COLUMNS: &'static [&'static str] =
        &["kind", "number", "title", "made", "published", "repealed"];
    const OF_YEAR: Option<(&'static str, YearBound)> = None;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![
            name(&self.kind),
            text(&self.number),
            text(&self.title),
            day(self.made),
            maybe_day(self.published),
            maybe_day(self.repealed),
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            kind: name_at(row, "kind")?,
            number: row.try_get("number")?,
            title: row.try_get("title")?,
            made: date_at(row, "made")?,
            published: optional_date_at(row, "published")?,
            repealed: optional_date_at(row, "repealed")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.normative_documents
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.normative_documents
    }
}

impl Kind for Review {
    const TABLE: &'static str = "reviews";
    const COLUMNS: &'static [&'static str] = &["application", "filed", "result", "decided"];
    const OF_YEAR: Option<(&'static str, YearBound)> = FILED_OR_DECIDED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        let [result, decided] = decided_values(self.decided);
        Ok(vec![maybe_text(self.application.as_deref()), day(self.filed), result, decided])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            application: row.try_get("application")?,
            filed: date_at(row, "filed")?,
            decided: decided_at(row)?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.reviews
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.reviews
    }
}

impl Kind for Lawsuit {
    const TABLE: &'static str = "lawsuits";
    const COLUMNS: &'static [&'static str] =
        &["application", "filed", "after_review", "as_review_organ", "result", "decided"];
    const OF_YEAR: Option<(&'static str, YearBound)> = FILED_OR_DECIDED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        let [result, decided] = decided_values(self.decided);
        Ok(vec![
            maybe_text(self.application.as_deref()),
            day(self.filed),
            flag(self.after_review),
            flag(self.as_review_organ),
            result,
            decided,
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            application: row.try_get("application")?,
            filed: date_at(row, "filed")?,
            after_review: flag_at(row, "after_review")?,
            as_review_organ: flag_at(row, "as_review_organ")?,
            decided: decided_at(row)?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.lawsuits
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.lawsuits
    }
}

impl Kind for Complaint {
    const TABLE: &'static str = "complaints";
    const COLUMNS: &'static [&'static str] =
        &["received", "summary", "application", "concluded", "result", "handling"];
    const OF_YEAR: Option<(&'static str, YearBound)> =
        Some((" AND received >= $1 AND received <= $2", YearBound::Days));

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        let concluded = self.concluded.as_ref();
        Ok(vec![
            day(self.received),
            text(&self.summary),
            maybe_text(self.application.as_deref()),
            maybe_day(concluded.map(|conclusion| conclusion.on)),
            maybe_text(concluded.map(|conclusion| conclusion.result.code())),
            maybe_text(concluded.map(|conclusion| conclusion.handling.as_str())),
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        let result: Option<String> = row.try_get("result")?;
        let concluded = match (optional_date_at(row, "concluded")?, result) {
            (Some(on), Some(result)) => Some(ComplaintConclusion {
                on,
                result: ComplaintResult::from_code(&result).ok_or_else(|| {
                    StoreError::InvalidData(format!("complaint result `{result}`"))
                })?,
                handling: row.try_get::<Option<String>, _>("handling")?.unwrap_or_default(),
            }),
            _ => None,
        };
        Ok(Self {
            received: date_at(row, "received")?,
            summary: row.try_get("summary")?,
            application: row.try_get("application")?,
            concluded,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.complaints
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.complaints
    }
}

impl Kind for Response {
    const TABLE: &'static str = "responses";
    const COLUMNS: &'static [&'static str] = &["day", "kind", "topic", "head_attended"];
    const OF_YEAR: Option<(&'static str, YearBound)> = DATED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![
            day(self.date),
            name(&self.kind),
            maybe_text(self.topic.as_deref()),
            flag(self.head_attended),
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            date: date_at(row, "day")?,
            kind: name_at(row, "kind")?,
            topic: row.try_get("topic")?,
            head_attended: flag_at(row, "head_attended")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.responses
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.responses
    }
}

impl Kind for StaffAssignment {
    const TABLE: &'static str = "staff_assignments";
    const COLUMNS: &'static [&'static str] = &["label", "full_time", "from_day", "to_day"];
    const OF_YEAR: Option<(&'static str, YearBound)> = SPANNING;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![text(&self.id), flag(self.full_time), day(self.from), maybe_day(self.to)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.try_get("label")?,
            full_time: flag_at(row, "full_time")?,
            from: date_at(row, "from_day")?,
            to: optional_date_at(row, "to_day")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.staff
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.staff
    }
}

impl Kind for Office {
    const TABLE: &'static str = "offices";
    const COLUMNS: &'static [&'static str] = &["name", "from_day", "to_day"];
    const OF_YEAR: Option<(&'static str, YearBound)> = SPANNING;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![text(&self.name), day(self.from), maybe_day(self.to)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            name: row.try_get("name")?,
            from: date_at(row, "from_day")?,
            to: optional_date_at(row, "to_day")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.offices
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.offices
    }
}

impl Kind for ReadingPoint {
    const TABLE: &'static str = "reading_points";
    const COLUMNS: &'static [&'static str] = &["name", "address", "opened", "closed"];
    const OF_YEAR: Option<(&'static str, YearBound)> =
        Some((" AND opened <= $2 AND (closed IS NULL OR closed >= $1)", YearBound::Days));

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![text(&self.name), text(&self.address), day(self.opened), maybe_day(self.closed)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            name: row.try_get("name")?,
            address: row.try_get("address")?,
            opened: date_at(row, "opened")?,
            closed: optional_date_at(row, "closed")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.reading_points
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.reading_points
    }
}

impl Kind for Funding {
    const TABLE: &'static str = "funding";
    const COLUMNS: &'static [&'static str] = &["year", "amount"];
    const ORDER: &'static str = "agency_id, year";
    const OF_YEAR: Option<(&'static str, YearBound)> = OF_YEARS;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![
            Bound::Integer(i64::from(self.year)),
            Bound::Integer(self.amount_wan_yuan.ten_thousandths()),
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            year: year_at(row)?,
            amount_wan_yuan: Quantity::from_ten_thousandths(row.try_get("amount")?),
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.funding
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.funding
    }
}

impl Kind for Meeting {
    const TABLE: &'static str = "meetings";
    const COLUMNS: &'static [&'static str] = &["day", "title"];
    const OF_YEAR: Option<(&'static str, YearBound)> = DATED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![day(self.date), text(&self.title)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self { date: date_at(row, "day")?, title: row.try_get("title")? })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.meetings
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.meetings
    }
}

impl Kind for Training {
    const TABLE: &'static str = "trainings";
    const COLUMNS: &'static [&'static str] = &["day", "title", "trainees"];
    const OF_YEAR: Option<(&'static str, YearBound)> = DATED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![day(self.date), text(&self.title), Bound::Integer(i64::from(self.trainees))])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        let trainees: i64 = row.try_get("trainees")?;
        Ok(Self {
            date: date_at(row, "day")?,
            title: row.try_get("title")?,
            trainees: u32::try_from(trainees)
                .map_err(|_| StoreError::InvalidData(format!("trainees {trainees}")))?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.trainings
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.trainings
    }
}

impl Kind for FeeRecord {
    const TABLE: &'static str = "fees";
    const COLUMNS: &'static [&'static str] = &["application", "day", "amount_yuan", "waived"];
    const OF_YEAR: Option<(&'static str, YearBound)> = DATED;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        let amount = i64::try_from(self.amount_yuan)
            .map_err(|_| StoreError::InvalidData(format!("fee {} yuan", self.amount_yuan)))?;
        Ok(vec![text(&self.application), day(self.date), Bound::Integer(amount), flag(self.waived)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        let amount: i64 = row.try_get("amount_yuan")?;
        Ok(Self {
            application: row.try_get("application")?,
            date: date_at(row, "day")?,
            amount_yuan: u64::try_from(amount)
                .map_err(|_| StoreError::InvalidData(format!("fee {amount} yuan")))?,
            waived: flag_at(row, "waived")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.fees
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.fees
    }
}

impl Kind for DeclaredFigure {
    const TABLE: &'static str = "declared_figures";
    const COLUMNS: &'static [&'static str] = &["year", "measure", "value", "source"];
    const OF_YEAR: Option<(&'static str, YearBound)> = OF_YEARS;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        Ok(vec![
            Bound::Integer(i64::from(self.year)),
            text(&self.measure),
            Bound::Integer(self.value.ten_thousandths()),
            text(&self.source),
        ])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            year: year_at(row)?,
            measure: row.try_get("measure")?,
            value: Quantity::from_ten_thousandths(row.try_get("value")?),
            source: row.try_get("source")?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.declared
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.declared
    }

    fn key(&self) -> Option<(&'static str, String)> {
        Some(("declared figure", format!("{} {}", self.year, self.measure)))
    }
}

impl Kind for StaffText {
    const TABLE: &'static str = "staff_texts";
    const COLUMNS: &'static [&'static str] = &["year", "section", "paragraphs"];
    const ORDER: &'static str = "agency_id, year, section";
    const OF_YEAR: Option<(&'static str, YearBound)> = OF_YEARS;

    fn values(&self) -> Result<Vec<Bound>, StoreError> {
        let paragraphs = serde_json::to_string(&self.paragraphs)
            .map_err(|err| StoreError::InvalidData(err.to_string()))?;
        Ok(vec![Bound::Integer(i64::from(self.year)), name(&self.section), Bound::Text(paragraphs)])
    }

    fn read(row: &AnyRow) -> Result<Self, StoreError> {
        Ok(Self {
            year: year_at(row)?,
            section: name_at(row, "section")?,
            paragraphs: serde_json::from_str(&row.try_get::<String, _>("paragraphs")?)
                .map_err(|err| StoreError::InvalidData(format!("staff text: {err}")))?,
        })
    }

    fn of(records: &AgencyRecords) -> &[Self] {
        &records.texts
    }

    fn into(records: &mut AgencyRecords) -> &mut Vec<Self> {
        &mut records.texts
    }
}

fn year_at(row: &AnyRow) -> Result<i32, StoreError> {
    let year: i64 = row.try_get("year")?;
    i32::try_from(year).map_err(|_| StoreError::InvalidData(format!("year {year}")))
}
