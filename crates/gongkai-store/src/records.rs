//! Saving and loading an agency's records (the report engine's `AgencyRecords`) as rows.
//!
//! Loading returns the records in the order they were saved, so a report built from the database is the
//! report built from the records that were loaded into it.

use gongkai_core::records::{
    Agency, AgencyRecords, ApplicationRecord, CatalogItem, CatalogTally, Complaint, DeclaredFigure,
    FeeRecord, Funding, Lawsuit, Meeting, NormativeDocument, Office, Response, Review,
    StaffAssignment, StaffText, Training,
};
use gongkai_core::regime::Intake;
use gongkai_core::report::values::Quantity;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use crate::agencies::{self, AgencyRow};
use crate::audit;
use crate::{Actor, Store, StoreError, now_text};

/// An enum as the text serde gives it (`natural`, `website`, …); structured values as JSON.
pub(crate) fn to_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    // A unit variant's name straight from the text (no JSON value built: a year's load decodes hundreds of
    // thousands), else the text as JSON.
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text))
        .or_else(|_| serde_json::from_str(text))
        .map_err(|err| StoreError::InvalidData(format!("`{text}`: {err}")))
}

fn date_text(date: Date) -> String {
    date.to_string()
}

pub(crate) fn parse_date(text: &str) -> Result<Date, StoreError> {
    // The one form the store writes (`YYYY-MM-DD`, see `date_text`).
    gongkai_core::dates::parse_ymd(text)
        .ok_or_else(|| StoreError::InvalidData(format!("date `{text}`: not YYYY-MM-DD")))
}

/// The date in the column `index` (a name; kept generic while positional reads are replaced).
pub(crate) fn date_at<I: sqlx::ColumnIndex<AnyRow>>(
    row: &AnyRow,
    index: I,
) -> Result<Date, StoreError> {
    parse_date(&row.try_get::<String, _>(index)?)
}

/// The date in the column `index`, if any.
pub(crate) fn optional_date_at<I: sqlx::ColumnIndex<AnyRow>>(
    row: &AnyRow,
    index: I,
) -> Result<Option<Date>, StoreError> {
    row.try_get::<Option<String>, _>(index)?.as_deref().map(parse_date).transpose()
}

fn flag(value: bool) -> i64 {
    i64::from(value)
}

/// What [`save`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub catalog_items: usize,
    pub applications: usize,
    pub events: usize,
    pub other_records: usize,
}

/// Saves `records` for the agency `code` (which must exist) in one transaction, audited as one action.
pub async fn save(
    store: &Store,
    code: &str,
    records: &AgencyRecords,
    actor: &Actor<'_>,
) -> Result<Saved, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let id = agency.id;
    let mut saved = Saved::default();
    let mut tx = store.begin_write().await?;

    let metadata = crate::catalog::ItemMetadata::default();
    saved.catalog_items = crate::catalog::insert_items(
        &mut tx,
        store.backend(),
        id,
        records.catalog.iter().map(|item| (item, &metadata)),
    )
    .await?;
    for document in &records.normative_documents {
        sqlx::query(
            "INSERT INTO normative_documents (agency_id, kind, number, title, made, published, repealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(to_text(&document.kind))
        .bind(&document.number)
        .bind(&document.title)
        .bind(date_text(document.made))
        .bind(document.published.map(date_text))
        .bind(document.repealed.map(date_text))
        .execute(&mut *tx)
        .await?;
        saved.other_records += 1;
    }
    let recorded_at = now_text();
    for application in &records.applications {
        let row = sqlx::query(
            "INSERT INTO applications (agency_id, tracking_number, applicant_type, channel, submitted, signed_for, \
             confirmed, regime, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(id)
        .bind(&application.tracking_number)
        .bind(to_text(&application.applicant))
        .bind(to_text(&application.intake.channel))
        .bind(date_text(application.intake.submitted))
        .bind(application.intake.signed_for.map(date_text))
        .bind(application.intake.confirmed.map(date_text))
        .bind(application.regime.map(|regime| regime.code().to_owned()))
        .bind(application.outcome.map(|outcome| serde_json::to_string(&outcome).unwrap_or_default()))
        .bind(&recorded_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| StoreError::on_unique(err, "tracking number", &application.tracking_number))?;
        let application_id: i64 = row.try_get("id")?;
        for (seq, event) in application.events.iter().enumerate() {
            let json = serde_json::to_string(event)
                .map_err(|err| StoreError::InvalidData(err.to_string()))?;
            sqlx::query(
                "INSERT INTO application_events (application_id, seq, event, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(application_id)
            .bind(seq as i64)
            .bind(json)
            .bind(actor.name)
            .bind(&recorded_at)
            .execute(&mut *tx)
            .await?;
            saved.events += 1;
        }
        saved.applications += 1;
    }
    let decided = |decided: &Option<(gongkai_core::records::CaseResult, Date)>| {
        (decided.map(|(result, _)| to_text(&result)), decided.map(|(_, date)| date_text(date)))
    };
    for review in &records.reviews {
        let (result, day) = decided(&review.decided);
        sqlx::query("INSERT INTO reviews (agency_id, application, filed, result, decided) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&review.application)
            .bind(date_text(review.filed))
            .bind(result)
            .bind(day)
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for lawsuit in &records.lawsuits {
        let (result, day) = decided(&lawsuit.decided);
        sqlx::query(
            "INSERT INTO lawsuits (agency_id, application, filed, after_review, as_review_organ, result, decided) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(&lawsuit.application)
        .bind(date_text(lawsuit.filed))
        .bind(flag(lawsuit.after_review))
        .bind(flag(lawsuit.as_review_organ))
        .bind(result)
        .bind(day)
        .execute(&mut *tx)
        .await?;
        saved.other_records += 1;
    }
    for complaint in &records.complaints {
        sqlx::query("INSERT INTO complaints (agency_id, received, summary) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(date_text(complaint.received))
            .bind(&complaint.summary)
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for response in &records.responses {
        sqlx::query("INSERT INTO responses (agency_id, day, kind, topic, head_attended) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(date_text(response.date))
            .bind(to_text(&response.kind))
            .bind(&response.topic)
            .bind(flag(response.head_attended))
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for staff in &records.staff {
        sqlx::query("INSERT INTO staff_assignments (agency_id, label, full_time, from_day, to_day) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&staff.id)
            .bind(flag(staff.full_time))
            .bind(date_text(staff.from))
            .bind(staff.to.map(date_text))
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for office in &records.offices {
        sqlx::query(
            "INSERT INTO offices (agency_id, name, from_day, to_day) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&office.name)
        .bind(date_text(office.from))
        .bind(office.to.map(date_text))
        .execute(&mut *tx)
        .await?;
        saved.other_records += 1;
    }
    for point in &records.reading_points {
        sqlx::query("INSERT INTO reading_points (agency_id, name, address, opened, closed) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&point.name)
            .bind(&point.address)
            .bind(date_text(point.opened))
            .bind(point.closed.map(date_text))
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for funding in &records.funding {
        sqlx::query("INSERT INTO funding (agency_id, year, amount) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(i64::from(funding.year))
            .bind(funding.amount_wan_yuan.ten_thousandths())
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for meeting in &records.meetings {
        sqlx::query("INSERT INTO meetings (agency_id, day, title) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(date_text(meeting.date))
            .bind(&meeting.title)
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for training in &records.trainings {
        sqlx::query(
            "INSERT INTO trainings (agency_id, day, title, trainees) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(date_text(training.date))
        .bind(&training.title)
        .bind(i64::from(training.trainees))
        .execute(&mut *tx)
        .await?;
        saved.other_records += 1;
    }
    for fee in &records.fees {
        sqlx::query("INSERT INTO fees (agency_id, application, day, amount_yuan, waived) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(&fee.application)
            .bind(date_text(fee.date))
            .bind(fee.amount_yuan as i64)
            .bind(flag(fee.waived))
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    for figure in &records.declared {
        sqlx::query("INSERT INTO declared_figures (agency_id, year, measure, value, source) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(i64::from(figure.year))
            .bind(&figure.measure)
            .bind(figure.value.ten_thousandths())
            .bind(&figure.source)
            .execute(&mut *tx)
            .await
            .map_err(|err| StoreError::on_unique(err, "declared figure", &format!("{} {}", figure.year, figure.measure)))?;
        saved.other_records += 1;
    }
    for text in &records.texts {
        let paragraphs = serde_json::to_string(&text.paragraphs)
            .map_err(|err| StoreError::InvalidData(err.to_string()))?;
        sqlx::query("INSERT INTO staff_texts (agency_id, year, section, paragraphs) VALUES ($1, $2, $3, $4)")
            .bind(id)
            .bind(i64::from(text.year))
            .bind(to_text(&text.section))
            .bind(paragraphs)
            .execute(&mut *tx)
            .await?;
        saved.other_records += 1;
    }
    let subject = format!("agency:{code}");
    let after = serde_json::to_string(&saved).unwrap_or_default();
    audit::record(&mut tx, actor, "records.import", &subject, Some(&after)).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Every query that loads agencies' records. `{agencies}` stands for the agencies' ids (integers from the
/// database, written into the text); each row starts with the agency id. Each is served by an index led by
/// `agency_id` (or the primary key of the joined table); `tests/store.rs` checks the plans.
pub const LOAD_QUERIES: [&str; 17] = [
    "SELECT agency_id, id, index_number, title, category, formed, published, normative FROM catalog_items WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT i.agency_id, c.item_id, c.channel FROM item_channels c JOIN catalog_items i ON i.id = c.item_id WHERE i.agency_id IN ({agencies}) ORDER BY c.item_id",
    "SELECT agency_id, kind, number, title, made, published, repealed FROM normative_documents WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, application, filed, result, decided FROM reviews WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, application, filed, after_review, as_review_organ, result, decided FROM lawsuits WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, received, summary FROM complaints WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, day, kind, topic, head_attended FROM responses WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, label, full_time, from_day, to_day FROM staff_assignments WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, name, from_day, to_day FROM offices WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, name, address, opened, closed FROM reading_points WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, year, amount FROM funding WHERE agency_id IN ({agencies}) ORDER BY agency_id, year",
    "SELECT agency_id, day, title FROM meetings WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, day, title, trainees FROM trainings WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, application, day, amount_yuan, waived FROM fees WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, year, measure, value, source FROM declared_figures WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT agency_id, year, section, paragraphs FROM staff_texts WHERE agency_id IN ({agencies}) ORDER BY agency_id, year, section",
    // Each application with its events in order as one JSON array (`string_agg`: PostgreSQL, and SQLite
    // since 3.44; the bundled SQLite is newer): one row per application, not one per event.
    "SELECT a.agency_id, a.id, a.tracking_number, a.applicant_type, a.channel, a.submitted, a.signed_for, a.confirmed, a.regime, a.outcome, \
     (SELECT '[' || string_agg(e.event, ',' ORDER BY e.seq) || ']' FROM application_events e WHERE e.application_id = a.id) AS events \
     FROM applications a WHERE a.agency_id IN ({agencies}) ORDER BY a.agency_id, a.id",
];

/// The queries that read a year's catalog tallies of agencies instead of loading the items
/// ([`CatalogTally`]), the year bound as `$1`: items per category in the order of first use, with the
/// normative ones; and items per channel. The database keeps the tallies in the transaction of every change
/// to an item or its channels (triggers of schema version 5).
pub const TALLY_QUERIES: [&str; 2] = [
    "SELECT agency_id, category, items, normative FROM catalog_tallies \
     WHERE agency_id IN ({agencies}) AND year = $1 AND items > 0 ORDER BY agency_id, first_item",
    "SELECT agency_id, channel, items FROM channel_tallies \
     WHERE agency_id IN ({agencies}) AND year = $1 AND items > 0",
];

/// What the tallies count, counted from the items themselves (tests compare the two), bound to the year's
/// first and last day as `$1` and `$2`.
pub const TALLY_COUNTS: [&str; 2] = [
    "SELECT agency_id, category, COUNT(*) AS items, \
     SUM(CASE WHEN normative <> 0 THEN 1 ELSE 0 END) AS normative \
     FROM catalog_items WHERE agency_id IN ({agencies}) AND published >= $1 AND published <= $2 \
     GROUP BY agency_id, category ORDER BY agency_id, MIN(id)",
    "SELECT i.agency_id, c.channel, COUNT(*) AS items FROM item_channels c JOIN catalog_items i ON i.id = c.item_id \
     WHERE i.agency_id IN ({agencies}) AND i.published >= $1 AND i.published <= $2 \
     GROUP BY i.agency_id, c.channel",
];

/// The applications a report of the year can count: submitted by its last day (`$1`; received on or after
/// submission) and not replied before its first day (`$2`; a reply ends an application, so one replied
/// earlier counts in none of the year's figures, nor in last year's carried-out count, the one figure of last
/// year's applications that the rules compare with). Applied on top of the load queries when loading for one
/// year.
const APPLICATIONS_OF_YEAR: &str =
    " AND a.submitted <= $1 AND (a.replied IS NULL OR a.replied >= $2)";

/// What a report of a year reads of each other kind of record (index-aligned with [`LOAD_QUERIES`] 2–15),
/// as a condition added to the load query when loading for one year. A report of year Y derives Y's table
/// and, to check it against last year's, Y−1's ([`gongkai_core::report::build`]); each condition keeps every
/// row that either derivation can count, bound as `$1` = the first day of Y−1 and `$2` = the last day of Y
/// (dated records) or `$1` = Y−1 and `$2` = Y (records of a year):
///
/// - normative documents: every one (the count in force and the count published to date reach back to
///   documents of any year);
/// - reviews and lawsuits: filed, or concluded, in Y−1 or Y (counted as filed with their status at the
///   year's end, or as concluded);
/// - complaints, responses, meetings, trainings, fees: dated in Y−1 or Y;
/// - staff, offices, reading points: begun by the end of Y and not ended before Y−1 (counted when active on
///   a year's last day);
/// - funding, declared figures, staff-written texts: of Y−1 or Y.
///
/// The report of the year from these rows equals the one from every record (tested on both databases).
const YEAR_FILTERS: [Option<(&str, YearBound)>; 14] = [
    None,
    Some((
        " AND ((filed >= $1 AND filed <= $2) OR (decided >= $1 AND decided <= $2))",
        YearBound::Days,
    )),
    Some((
        " AND ((filed >= $1 AND filed <= $2) OR (decided >= $1 AND decided <= $2))",
        YearBound::Days,
    )),
    Some((" AND received >= $1 AND received <= $2", YearBound::Days)),
    Some((" AND day >= $1 AND day <= $2", YearBound::Days)),
    Some((" AND from_day <= $2 AND (to_day IS NULL OR to_day >= $1)", YearBound::Days)),
    Some((" AND from_day <= $2 AND (to_day IS NULL OR to_day >= $1)", YearBound::Days)),
    Some((" AND opened <= $2 AND (closed IS NULL OR closed >= $1)", YearBound::Days)),
    Some((" AND year >= $1 AND year <= $2", YearBound::Years)),
    Some((" AND day >= $1 AND day <= $2", YearBound::Days)),
    Some((" AND day >= $1 AND day <= $2", YearBound::Days)),
    Some((" AND day >= $1 AND day <= $2", YearBound::Days)),
    Some((" AND year >= $1 AND year <= $2", YearBound::Years)),
    Some((" AND year >= $1 AND year <= $2", YearBound::Years)),
];

/// How a [`YEAR_FILTERS`] condition is bound.
#[derive(Debug, Clone, Copy)]
enum YearBound {
    /// The first day of the year before and the last day of the year, as text.
    Days,
    /// The year before and the year, as integers.
    Years,
}

/// The load query `index` of [`LOAD_QUERIES`] (2–16) as loading for `year` runs it: with its
/// [`YEAR_FILTERS`] condition or, for the applications, [`APPLICATIONS_OF_YEAR`], and the values to bind.
pub fn year_query(index: usize, year: i32) -> (String, Vec<Bound>) {
    let last_day = Bound::Text(format!("{year:04}-12-31"));
    if index == 16 {
        let condition = APPLICATIONS_OF_YEAR;
        let bounds = vec![last_day, Bound::Text(format!("{year:04}-01-01"))];
        return (with_condition(LOAD_QUERIES[16], condition), bounds);
    }
    match index.checked_sub(2).and_then(|at| YEAR_FILTERS.get(at).copied().flatten()) {
        Some((condition, YearBound::Days)) => (
            with_condition(LOAD_QUERIES[index], condition),
            vec![Bound::Text(format!("{:04}-01-01", year - 1)), last_day],
        ),
        Some((condition, YearBound::Years)) => (
            with_condition(LOAD_QUERIES[index], condition),
            vec![Bound::Integer(i64::from(year) - 1), Bound::Integer(i64::from(year))],
        ),
        None => (LOAD_QUERIES[index].to_owned(), Vec::new()),
    }
}

/// `sql` with `condition` added to its outer `WHERE` (before its last `ORDER BY`).
fn with_condition(sql: &str, condition: &str) -> String {
    match sql.rfind(" ORDER BY") {
        Some(at) => format!("{}{condition}{}", &sql[..at], &sql[at..]),
        None => format!("{sql}{condition}"),
    }
}

/// What to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Every record.
    Everything,
    /// What the report of one year counts: the year's catalog items as tallies, the applications submitted
    /// by the year's end and not replied before it; of the other records, those the year's or last year's
    /// table can count ([`YEAR_FILTERS`]).
    Year(i32),
}

fn agency_of(row: &AgencyRow) -> Agency {
    Agency {
        code: row.code.clone(),
        name: row.name.clone(),
        kind: row.kind,
        office: row.office.clone(),
        phone: row.phone.clone(),
    }
}

/// Loads every record of the agency `code`.
pub async fn load(store: &Store, code: &str) -> Result<AgencyRecords, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut loaded = load_scoped(store, std::slice::from_ref(&agency), Scope::Everything).await?;
    Ok(loaded.pop().unwrap_or_default())
}

/// Loads what the report of `year` counts for each of `agencies` (in their order), with a few queries for
/// all of them: a region's roll-up reads thousands of agencies. Catalog items come as one
/// [`CatalogTally`] per agency; a report derived from these records equals the one derived from
/// [`load`]'s (tested on both databases).
pub async fn load_for_year(
    store: &Store,
    agencies: &[AgencyRow],
    year: i32,
) -> Result<Vec<AgencyRecords>, StoreError> {
    load_scoped(store, agencies, Scope::Year(year)).await
}

/// A value bound to a load query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Text(String),
    Integer(i64),
}

/// Runs `sql` for the agencies in `ids` (a comma-separated list of integers), binding `values`.
async fn rows_of(
    store: &Store,
    sql: &str,
    ids: &str,
    values: &[Bound],
) -> Result<Vec<AnyRow>, StoreError> {
    // Only the integer ids are written into the text; values are bound.
    let sql = sql.replace("{agencies}", ids);
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in values {
        query = match value {
            Bound::Text(text) => query.bind(text.clone()),
            Bound::Integer(number) => query.bind(*number),
        };
    }
    Ok(query.fetch_all(store.pool()).await?)
}

/// The catalog tallies of `year` for `agencies` (one per agency, in their order), as the database keeps
/// them (`counted` = false) or counted from the items (`counted` = true; what tests compare them with).
pub async fn catalog_tallies(
    store: &Store,
    agencies: &[AgencyRow],
    year: i32,
    counted: bool,
) -> Result<Vec<CatalogTally>, StoreError> {
    let mut tallies = vec![CatalogTally { year, ..CatalogTally::default() }; agencies.len()];
    if agencies.is_empty() {
        return Ok(tallies);
    }
    let position: std::collections::HashMap<i64, usize> =
        agencies.iter().enumerate().map(|(index, row)| (row.id, index)).collect();
    let ids = agencies.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(",");
    let at = |row: &AnyRow| -> Result<usize, StoreError> {
        let id: i64 = row.try_get("agency_id")?;
        position.get(&id).copied().ok_or_else(|| StoreError::InvalidData(format!("agency {id}")))
    };
    let (queries, values) = if counted {
        (
            TALLY_COUNTS,
            vec![Bound::Text(format!("{year:04}-01-01")), Bound::Text(format!("{year:04}-12-31"))],
        )
    } else {
        (TALLY_QUERIES, vec![Bound::Integer(i64::from(year))])
    };
    for row in rows_of(store, queries[0], &ids, &values).await? {
        let tally = &mut tallies[at(&row)?];
        let count: i64 = row.try_get("items")?;
        let normative: i64 = row.try_get("normative")?;
        tally.categories.push((row.try_get("category")?, count as u64));
        tally.normative += normative as u64;
    }
    for row in rows_of(store, queries[1], &ids, &values).await? {
        let channel = from_text(&row.try_get::<String, _>("channel")?)?;
        let count: i64 = row.try_get("items")?;
        tallies[at(&row)?].channels.push((channel, count as u64));
    }
    for tally in &mut tallies {
        tally.channels.sort();
    }
    Ok(tallies)
}

async fn load_scoped(
    store: &Store,
    agencies: &[AgencyRow],
    scope: Scope,
) -> Result<Vec<AgencyRecords>, StoreError> {
    let mut all: Vec<AgencyRecords> = agencies
        .iter()
        .map(|row| AgencyRecords { agency: Some(agency_of(row)), ..AgencyRecords::default() })
        .collect();
    if agencies.is_empty() {
        return Ok(all);
    }
    let position: std::collections::HashMap<i64, usize> =
        agencies.iter().enumerate().map(|(index, row)| (row.id, index)).collect();
    let ids = agencies.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(",");
    let at = |row: &AnyRow| -> Result<usize, StoreError> {
        let id: i64 = row.try_get("agency_id")?;
        position.get(&id).copied().ok_or_else(|| StoreError::InvalidData(format!("agency {id}")))
    };
    let rows = async |index: usize| match scope {
        Scope::Everything => rows_of(store, LOAD_QUERIES[index], &ids, &[]).await,
        Scope::Year(year) => {
            let (sql, bounds) = year_query(index, year);
            rows_of(store, &sql, &ids, &bounds).await
        }
    };

    match scope {
        Scope::Everything => {
            let mut channels_by_item: std::collections::HashMap<
                i64,
                Vec<gongkai_core::records::PublishChannel>,
            > = std::collections::HashMap::new();
            for row in rows(1).await? {
                channels_by_item
                    .entry(row.try_get("item_id")?)
                    .or_default()
                    .push(from_text(&row.try_get::<String, _>("channel")?)?);
            }
            for row in rows(0).await? {
                let item_id: i64 = row.try_get("id")?;
                let mut channels = channels_by_item.remove(&item_id).unwrap_or_default();
                channels.sort();
                all[at(&row)?].catalog.push(CatalogItem {
                    index_number: row.try_get("index_number")?,
                    title: row.try_get("title")?,
                    category: row.try_get("category")?,
                    formed: optional_date_at(&row, "formed")?,
                    published: date_at(&row, "published")?,
                    channels,
                    normative: row.try_get::<i64, _>("normative")? != 0,
                });
            }
        }
        Scope::Year(year) => {
            let tallies = catalog_tallies(store, agencies, year, false).await?;
            for (records, tally) in all.iter_mut().zip(tallies) {
                records.catalog_tallies.push(tally);
            }
        }
    }
    for row in rows(2).await? {
        all[at(&row)?].normative_documents.push(NormativeDocument {
            kind: from_text(&row.try_get::<String, _>("kind")?)?,
            number: row.try_get("number")?,
            title: row.try_get("title")?,
            made: date_at(&row, "made")?,
            published: optional_date_at(&row, "published")?,
            repealed: optional_date_at(&row, "repealed")?,
        });
    }
    let (applications_sql, bounds) = match scope {
        Scope::Everything => (LOAD_QUERIES[16].to_owned(), Vec::new()),
        Scope::Year(year) => year_query(16, year),
    };
    for row in rows_of(store, &applications_sql, &ids, &bounds).await? {
        let regime: Option<String> = row.try_get("regime")?;
        let events: Option<String> = row.try_get("events")?;
        let outcome: Option<String> = row.try_get("outcome")?;
        all[at(&row)?].applications.push(ApplicationRecord {
            tracking_number: row.try_get("tracking_number")?,
            applicant: from_text(&row.try_get::<String, _>("applicant_type")?)?,
            intake: Intake {
                channel: from_text(&row.try_get::<String, _>("channel")?)?,
                submitted: date_at(&row, "submitted")?,
                signed_for: optional_date_at(&row, "signed_for")?,
                confirmed: optional_date_at(&row, "confirmed")?,
            },
            regime: regime
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(StoreError::InvalidData)?,
            events: events
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|err| StoreError::InvalidData(format!("application events: {err}")))?
                .unwrap_or_default(),
            outcome: outcome
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|err| StoreError::InvalidData(format!("outcome: {err}")))?,
        });
    }
    let decided = |row: &AnyRow| -> Result<_, StoreError> {
        let result: Option<String> = row.try_get("result")?;
        match (result, optional_date_at(row, "decided")?) {
            (Some(result), Some(day)) => Ok(Some((from_text(&result)?, day))),
            _ => Ok(None),
        }
    };
    for row in rows(3).await? {
        all[at(&row)?].reviews.push(Review {
            application: row.try_get("application")?,
            filed: date_at(&row, "filed")?,
            decided: decided(&row)?,
        });
    }
    for row in rows(4).await? {
        all[at(&row)?].lawsuits.push(Lawsuit {
            application: row.try_get("application")?,
            filed: date_at(&row, "filed")?,
            after_review: row.try_get::<i64, _>("after_review")? != 0,
            as_review_organ: row.try_get::<i64, _>("as_review_organ")? != 0,
            decided: decided(&row)?,
        });
    }
    for row in rows(5).await? {
        all[at(&row)?].complaints.push(Complaint {
            received: date_at(&row, "received")?,
            summary: row.try_get("summary")?,
        });
    }
    for row in rows(6).await? {
        all[at(&row)?].responses.push(Response {
            date: date_at(&row, "day")?,
            kind: from_text(&row.try_get::<String, _>("kind")?)?,
            topic: row.try_get("topic")?,
            head_attended: row.try_get::<i64, _>("head_attended")? != 0,
        });
    }
    for row in rows(7).await? {
        all[at(&row)?].staff.push(StaffAssignment {
            id: row.try_get("label")?,
            full_time: row.try_get::<i64, _>("full_time")? != 0,
            from: date_at(&row, "from_day")?,
            to: optional_date_at(&row, "to_day")?,
        });
    }
    for row in rows(8).await? {
        all[at(&row)?].offices.push(Office {
            name: row.try_get("name")?,
            from: date_at(&row, "from_day")?,
            to: optional_date_at(&row, "to_day")?,
        });
    }
    for row in rows(9).await? {
        all[at(&row)?].reading_points.push(gongkai_core::records::ReadingPoint {
            name: row.try_get("name")?,
            address: row.try_get("address")?,
            opened: date_at(&row, "opened")?,
            closed: optional_date_at(&row, "closed")?,
        });
    }
    for row in rows(10).await? {
        all[at(&row)?].funding.push(Funding {
            year: row.try_get::<i64, _>("year")? as i32,
            amount_wan_yuan: Quantity::from_ten_thousandths(row.try_get("amount")?),
        });
    }
    for row in rows(11).await? {
        all[at(&row)?]
            .meetings
            .push(Meeting { date: date_at(&row, "day")?, title: row.try_get("title")? });
    }
    for row in rows(12).await? {
        all[at(&row)?].trainings.push(Training {
            date: date_at(&row, "day")?,
            title: row.try_get("title")?,
            trainees: row.try_get::<i64, _>("trainees")? as u32,
        });
    }
    for row in rows(13).await? {
        all[at(&row)?].fees.push(FeeRecord {
            application: row.try_get("application")?,
            date: date_at(&row, "day")?,
            amount_yuan: row.try_get::<i64, _>("amount_yuan")? as u64,
            waived: row.try_get::<i64, _>("waived")? != 0,
        });
    }
    for row in rows(14).await? {
        all[at(&row)?].declared.push(DeclaredFigure {
            year: row.try_get::<i64, _>("year")? as i32,
            measure: row.try_get("measure")?,
            value: Quantity::from_ten_thousandths(row.try_get("value")?),
            source: row.try_get("source")?,
        });
    }
    for row in rows(15).await? {
        all[at(&row)?].texts.push(StaffText {
            year: row.try_get::<i64, _>("year")? as i32,
            section: from_text(&row.try_get::<String, _>("section")?)?,
            paragraphs: serde_json::from_str(&row.try_get::<String, _>("paragraphs")?)
                .map_err(|err| StoreError::InvalidData(format!("staff text: {err}")))?,
        });
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::records::ResponseKind;

    #[test]
    fn dates_are_read_in_the_form_they_are_written() {
        let day = time::macros::date!(2025 - 02 - 28);
        assert_eq!(parse_date(&date_text(day)).unwrap(), day);
        assert_eq!(parse_date("2024-02-29").unwrap(), time::macros::date!(2024 - 02 - 29));
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "2025/01/01",
            "",
            "２０２５-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_read_as_unit_variants_or_as_json() {
        let kind: ResponseKind = from_text("online_interview").unwrap();
        assert_eq!(kind, ResponseKind::OnlineInterview);
        let kind: ResponseKind = from_text("\"press_conference\"").unwrap();
        assert_eq!(kind, ResponseKind::PressConference);
        assert!(from_text::<ResponseKind>("no_such_kind").is_err());
    }
}
