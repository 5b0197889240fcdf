//! Saving and loading an agency's records (the report engine's `AgencyRecords`) as rows.
//!
//! Loading returns the records in the order they were saved, so a report built from the database is the
//! report built from the records that were loaded into it.

use gongkai_core::records::{
    Agency, AgencyRecords, ApplicationRecord, CatalogItem, CatalogTally, Complaint, DeclaredFigure,
    FeeRecord, Funding, Lawsuit, Meeting, NormativeDocument, Office, PublishChannel, ReadingPoint,
    Response, Review, StaffAssignment, StaffText, Training,
};
use gongkai_core::regime::Intake;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use crate::agencies::{self, AgencyRow};
use kinds::{Kind, YearBound};

mod kinds;
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
    saved.other_records += insert::<NormativeDocument>(&mut tx, id, records).await?;
    (saved.applications, saved.events) =
        insert_applications(&mut tx, id, &records.applications, actor).await?;
    saved.other_records += insert::<Review>(&mut tx, id, records).await?
        + insert::<Lawsuit>(&mut tx, id, records).await?
        + insert::<Complaint>(&mut tx, id, records).await?
        + insert::<Response>(&mut tx, id, records).await?
        + insert::<StaffAssignment>(&mut tx, id, records).await?
        + insert::<Office>(&mut tx, id, records).await?
        + insert::<ReadingPoint>(&mut tx, id, records).await?
        + insert::<Funding>(&mut tx, id, records).await?
        + insert::<Meeting>(&mut tx, id, records).await?
        + insert::<Training>(&mut tx, id, records).await?
        + insert::<FeeRecord>(&mut tx, id, records).await?
        + insert::<DeclaredFigure>(&mut tx, id, records).await?
        + insert::<StaffText>(&mut tx, id, records).await?;
    let subject = format!("agency:{code}");
    let after = serde_json::to_string(&saved).unwrap_or_default();
    audit::record(&mut tx, actor, "records.import", &subject, Some(&after)).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Inserts `applications` with their events for the agency `agency_id`; returns how many of each.
async fn insert_applications(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    applications: &[ApplicationRecord],
    actor: &Actor<'_>,
) -> Result<(usize, usize), StoreError> {
    let recorded_at = now_text();
    let mut events = 0;
    for application in applications {
        let row = sqlx::query(
            "INSERT INTO applications (agency_id, tracking_number, applicant_type, channel, submitted, signed_for, \
             confirmed, regime, outcome, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(agency_id)
        .bind(&application.tracking_number)
        .bind(to_text(&application.applicant))
        .bind(to_text(&application.intake.channel))
        .bind(date_text(application.intake.submitted))
        .bind(application.intake.signed_for.map(date_text))
        .bind(application.intake.confirmed.map(date_text))
        .bind(application.regime.map(|regime| regime.code().to_owned()))
        .bind(application.outcome.map(|outcome| serde_json::to_string(&outcome).unwrap_or_default()))
        .bind(&recorded_at)
        .fetch_one(&mut **tx)
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
            .execute(&mut **tx)
            .await?;
            events += 1;
        }
    }
    Ok((applications.len(), events))
}

/// Inserts the agency's records of kind `K` (one path for every kind, [`kinds::Kind`]); returns how many.
async fn insert<K: Kind>(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    records: &AgencyRecords,
) -> Result<usize, StoreError> {
    let sql = kinds::insert::<K>();
    for record in K::of(records) {
        insert_row(tx, &sql, agency_id, record).await?;
    }
    Ok(K::of(records).len())
}

/// Inserts one record of kind `K` for the agency `agency_id` in `transaction` (the ledger's entries go
/// through here, as a whole import goes through [`insert`]).
pub(crate) async fn insert_record<K: Kind>(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    record: &K,
) -> Result<(), StoreError> {
    insert_row(transaction, &kinds::insert::<K>(), agency_id, record).await
}

/// Runs `sql` (the kind's insert) for `record`; a second record with a unique key is a `Duplicate`.
async fn insert_row<K: Kind>(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    sql: &str,
    agency_id: i64,
    record: &K,
) -> Result<(), StoreError> {
    let query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id);
    bound(query, record.values()?).execute(&mut **transaction).await.map_err(|err| match record
        .key()
    {
        Some((what, key)) => StoreError::on_unique(err, what, &key),
        None => StoreError::Database(err),
    })?;
    Ok(())
}

/// Deletes the row `id` of the agency `agency_id`'s ledger entries of `kind` (`response`, `review`,
/// `lawsuit`, `complaint`, `meeting`, `training`, `staff`) in `transaction`; returns the record as it was
/// (for the audit trail), or `None` when the agency has no such row.
pub(crate) async fn delete_entry(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    kind: &str,
    id: i64,
) -> Result<Option<serde_json::Value>, StoreError> {
    match kind {
        "response" => delete_row::<Response>(transaction, agency_id, id).await,
        "review" => delete_row::<Review>(transaction, agency_id, id).await,
        "lawsuit" => delete_row::<Lawsuit>(transaction, agency_id, id).await,
        "complaint" => delete_row::<Complaint>(transaction, agency_id, id).await,
        "meeting" => delete_row::<Meeting>(transaction, agency_id, id).await,
        "training" => delete_row::<Training>(transaction, agency_id, id).await,
        "staff" => delete_row::<StaffAssignment>(transaction, agency_id, id).await,
        other => Err(StoreError::InvalidData(format!("ledger kind `{other}`"))),
    }
}

/// Reads, then deletes, the row `id` of kind `K` if it is the agency's.
async fn delete_row<K: Kind + Serialize>(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    id: i64,
) -> Result<Option<serde_json::Value>, StoreError> {
    let select = format!(
        "SELECT agency_id, {} FROM {} WHERE id = $1 AND agency_id = $2",
        K::COLUMNS.join(", "),
        K::TABLE
    );
    let Some(row) = sqlx::query(sqlx::AssertSqlSafe(select))
        .bind(id)
        .bind(agency_id)
        .fetch_optional(&mut **transaction)
        .await?
    else {
        return Ok(None);
    };
    let record = serde_json::to_value(K::read(&row)?)
        .map_err(|err| StoreError::InvalidData(err.to_string()))?;
    let sql = format!("DELETE FROM {} WHERE id = $1 AND agency_id = $2", K::TABLE);
    let deleted = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(agency_id)
        .execute(&mut **transaction)
        .await?;
    if deleted.rows_affected() != 1 {
        return Err(StoreError::InvalidData(format!(
            "{} row {id} changed while removed",
            K::TABLE
        )));
    }
    Ok(Some(record))
}

/// `query` with `values` bound in order.
fn bound<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    values: Vec<Bound>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for value in values {
        query = match value {
            Bound::Text(text) => query.bind(text),
            Bound::Integer(number) => query.bind(number),
            Bound::Null => query.bind(None::<String>),
        };
    }
    query
}

/// The query that loads the catalog items, then their channels, of the agencies written in for `{agencies}`
/// (integers from the database, written into the text); each row starts with the agency id.
const CATALOG_QUERIES: [&str; 2] = [
    "SELECT agency_id, id, index_number, title, category, formed, published, normative FROM catalog_items WHERE agency_id IN ({agencies}) ORDER BY agency_id, id",
    "SELECT i.agency_id, c.item_id, c.channel FROM item_channels c JOIN catalog_items i ON i.id = c.item_id WHERE i.agency_id IN ({agencies}) ORDER BY c.item_id",
];

/// The query that loads the applications: each with its events in order as one JSON array (`string_agg`:
/// PostgreSQL, and SQLite since 3.44; the bundled SQLite is newer): one row per application, not one per
/// event.
const APPLICATIONS_QUERY: &str = "SELECT a.agency_id, a.id, a.tracking_number, a.applicant_type, a.channel, a.submitted, a.signed_for, a.confirmed, a.regime, a.outcome, \
     (SELECT '[' || string_agg(e.event, ',' ORDER BY e.seq) || ']' FROM application_events e WHERE e.application_id = a.id) AS events \
     FROM applications a WHERE a.agency_id IN ({agencies}) ORDER BY a.agency_id, a.id";

/// Every query that loads agencies' records as loading everything (`year` None) or one year's report
/// (`Some(year)`: see `kind_query`) runs it, with the values it binds: `{agencies}` stands for the
/// agencies' ids. Each is served by an index led by `agency_id` (or the primary key of the joined table);
/// `tests/store.rs` checks the plans. (Loading a year reads catalog tallies, [`TALLY_QUERIES`], not items.)
pub fn load_queries(year: Option<i32>) -> Vec<(String, Vec<Bound>)> {
    let mut queries = Vec::new();
    if year.is_none() {
        queries.extend(CATALOG_QUERIES.iter().map(|sql| ((*sql).to_owned(), Vec::new())));
    }
    queries.push(applications_query(year));
    queries.extend([
        kind_query::<NormativeDocument>(year),
        kind_query::<Review>(year),
        kind_query::<Lawsuit>(year),
        kind_query::<Complaint>(year),
        kind_query::<Response>(year),
        kind_query::<StaffAssignment>(year),
        kind_query::<Office>(year),
        kind_query::<ReadingPoint>(year),
        kind_query::<Funding>(year),
        kind_query::<Meeting>(year),
        kind_query::<Training>(year),
        kind_query::<FeeRecord>(year),
        kind_query::<DeclaredFigure>(year),
        kind_query::<StaffText>(year),
    ]);
    queries
}

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
/// year's applications that the rules compare with). Added to [`APPLICATIONS_QUERY`] when loading for one
/// year.
const APPLICATIONS_OF_YEAR: &str =
    " AND a.submitted <= $1 AND (a.replied IS NULL OR a.replied >= $2)";

/// The applications' query as loading everything (`None`) or one year runs it, with its values.
fn applications_query(year: Option<i32>) -> (String, Vec<Bound>) {
    match year {
        None => (APPLICATIONS_QUERY.to_owned(), Vec::new()),
        Some(year) => (
            with_condition(APPLICATIONS_QUERY, APPLICATIONS_OF_YEAR),
            vec![Bound::Text(format!("{year:04}-12-31")), Bound::Text(format!("{year:04}-01-01"))],
        ),
    }
}

/// What a report of a year reads of each other kind of record ([`Kind::OF_YEAR`]), as a condition added to
/// the kind's query when loading for one year. A report of year Y derives Y's table and, to check it against
/// last year's, Y−1's ([`gongkai_core::report::build`]); each condition keeps every row that either
/// derivation can count, bound as `$1` = the first day of Y−1 and `$2` = the last day of Y (dated records)
/// or `$1` = Y−1 and `$2` = Y (records of a year):
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
/// Returns the query of kind `K` as loading everything (`None`) or one year runs it, with its values.
fn kind_query<K: Kind>(year: Option<i32>) -> (String, Vec<Bound>) {
    let sql = kinds::select::<K>();
    match (year, K::OF_YEAR) {
        (Some(year), Some((condition, YearBound::Days))) => (
            with_condition(&sql, condition),
            vec![
                Bound::Text(format!("{:04}-01-01", year - 1)),
                Bound::Text(format!("{year:04}-12-31")),
            ],
        ),
        (Some(year), Some((condition, YearBound::Years))) => (
            with_condition(&sql, condition),
            vec![Bound::Integer(i64::from(year) - 1), Bound::Integer(i64::from(year))],
        ),
        (_, None) | (None, _) => (sql, Vec::new()),
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
    /// table can count (`kind_query`).
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
    /// SQL `NULL` (a text column's).
    Null,
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
    Ok(bound(sqlx::query(sqlx::AssertSqlSafe(sql)), values.to_vec())
        .fetch_all(store.pool())
        .await?)
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

/// The agencies being loaded: their ids as written into the queries, and where each one's records go.
struct Loading<'a> {
    store: &'a Store,
    ids: String,
    position: std::collections::HashMap<i64, usize>,
    year: Option<i32>,
}

impl Loading<'_> {
    /// The index of the agency a row (led by `agency_id`) belongs to.
    fn at(&self, row: &AnyRow) -> Result<usize, StoreError> {
        let id: i64 = row.try_get("agency_id")?;
        self.position
            .get(&id)
            .copied()
            .ok_or_else(|| StoreError::InvalidData(format!("agency {id}")))
    }

    async fn rows(&self, (sql, values): (String, Vec<Bound>)) -> Result<Vec<AnyRow>, StoreError> {
        rows_of(self.store, &sql, &self.ids, &values).await
    }

    /// Loads the records of kind `K` into `all`.
    async fn kind<K: Kind>(&self, all: &mut [AgencyRecords]) -> Result<(), StoreError> {
        for row in self.rows(kind_query::<K>(self.year)).await? {
            K::into(&mut all[self.at(&row)?]).push(K::read(&row)?);
        }
        Ok(())
    }

    /// Loads every catalog item with its channels into `all`.
    async fn catalog(&self, all: &mut [AgencyRecords]) -> Result<(), StoreError> {
        let mut channels_by_item: std::collections::HashMap<i64, Vec<PublishChannel>> =
            std::collections::HashMap::new();
        for row in self.rows((CATALOG_QUERIES[1].to_owned(), Vec::new())).await? {
            channels_by_item
                .entry(row.try_get("item_id")?)
                .or_default()
                .push(from_text(&row.try_get::<String, _>("channel")?)?);
        }
        for row in self.rows((CATALOG_QUERIES[0].to_owned(), Vec::new())).await? {
            let item_id: i64 = row.try_get("id")?;
            let mut channels = channels_by_item.remove(&item_id).unwrap_or_default();
            channels.sort();
            all[self.at(&row)?].catalog.push(CatalogItem {
                index_number: row.try_get("index_number")?,
                title: row.try_get("title")?,
                category: row.try_get("category")?,
                formed: optional_date_at(&row, "formed")?,
                published: date_at(&row, "published")?,
                channels,
                normative: row.try_get::<i64, _>("normative")? != 0,
            });
        }
        Ok(())
    }

    /// Loads the applications with their events into `all`.
    async fn applications(&self, all: &mut [AgencyRecords]) -> Result<(), StoreError> {
        for row in self.rows(applications_query(self.year)).await? {
            all[self.at(&row)?].applications.push(application_of(&row)?);
        }
        Ok(())
    }
}

/// The application in a row of [`APPLICATIONS_QUERY`].
fn application_of(row: &AnyRow) -> Result<ApplicationRecord, StoreError> {
    let regime: Option<String> = row.try_get("regime")?;
    let events: Option<String> = row.try_get("events")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(ApplicationRecord {
        tracking_number: row.try_get("tracking_number")?,
        applicant: from_text(&row.try_get::<String, _>("applicant_type")?)?,
        intake: Intake {
            channel: from_text(&row.try_get::<String, _>("channel")?)?,
            submitted: date_at(row, "submitted")?,
            signed_for: optional_date_at(row, "signed_for")?,
            confirmed: optional_date_at(row, "confirmed")?,
        },
        regime: regime.as_deref().map(str::parse).transpose().map_err(StoreError::InvalidData)?,
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
    })
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
    let loading = Loading {
        store,
        ids: agencies.iter().map(|row| row.id.to_string()).collect::<Vec<_>>().join(","),
        position: agencies.iter().enumerate().map(|(index, row)| (row.id, index)).collect(),
        year: match scope {
            Scope::Everything => None,
            Scope::Year(year) => Some(year),
        },
    };
    match scope {
        Scope::Everything => loading.catalog(&mut all).await?,
        Scope::Year(year) => {
            let tallies = catalog_tallies(store, agencies, year, false).await?;
            for (records, tally) in all.iter_mut().zip(tallies) {
                records.catalog_tallies.push(tally);
            }
        }
    }
    loading.kind::<NormativeDocument>(&mut all).await?;
    loading.applications(&mut all).await?;
    loading.kind::<Review>(&mut all).await?;
    loading.kind::<Lawsuit>(&mut all).await?;
    loading.kind::<Complaint>(&mut all).await?;
    loading.kind::<Response>(&mut all).await?;
    loading.kind::<StaffAssignment>(&mut all).await?;
    loading.kind::<Office>(&mut all).await?;
    loading.kind::<ReadingPoint>(&mut all).await?;
    loading.kind::<Funding>(&mut all).await?;
    loading.kind::<Meeting>(&mut all).await?;
    loading.kind::<Training>(&mut all).await?;
    loading.kind::<FeeRecord>(&mut all).await?;
    loading.kind::<DeclaredFigure>(&mut all).await?;
    loading.kind::<StaffText>(&mut all).await?;
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
