//! Logical backup and restore: every table's rows as JSON lines, read in one consistent snapshot while the
//! platform runs, and restorable into an empty database of either backend (SQLite → PostgreSQL works).
//!
//! File format: the first line is a header `{"gongkai_backup": 2, "schema_version": N, "backend": "…"}`; then one
//! line per table `{"table": "…", "columns": [...]}` followed by one line per row, a JSON array of values
//! (integers, strings, `null`, and blobs as `{"hex": "…"}`); the last line is `{"end": {"tables": T, "rows": R}}`.
//! Column types come from the database catalog, so the backup follows the schema without a hand-kept column
//! list. A file cut short — even exactly after a complete row — lacks its end line (or its counts differ) and
//! restores nothing. Files of format 1 (no end line) restore when every table is there.

use std::io::{BufRead, Write};

use serde_json::{Value, json};
use sqlx::Row;

use crate::{Backend, Store, StoreError};

/// Tables in an order that satisfies every foreign key; every other table of the schema is in
/// [`NOT_BACKED_UP_TABLES`] (a test checks the two cover the schema on both backends). `secret_keys` is
/// backed up: a platform restored under another key file is refused at start, as the verification codes in
/// it would not verify.
pub const TABLES: [&str; 40] = [
    "blobs",
    "agencies",
    "leaders",
    "users",
    "user_roles",
    "api_keys",
    "catalog_items",
    "item_channels",
    "catalog_changes",
    "attachments",
    "normative_documents",
    "applications",
    "application_events",
    "letters",
    "notifications",
    "reviews",
    "lawsuits",
    "complaints",
    "responses",
    "declared_figures",
    "staff_assignments",
    "offices",
    "funding",
    "reading_points",
    "bookings",
    "meetings",
    "trainings",
    "fees",
    "staff_texts",
    "annual_reports",
    "report_files",
    "register_uploads",
    "history_reports",
    "calendar_years",
    "site",
    "vocabulary_terms",
    "counters",
    "secret_keys",
    "audit_log",
    "audit_head",
];

/// Tables left out of a backup, each because a restored platform makes it afresh: staff sessions, attempt
/// throttles and one-time form tokens (short-lived), the catalog's tallies (rebuilt by the restore's
/// inserts), the case search's progress mark (the case search is rebuilt at start), and the scheduled
/// duties' leases and runs (this instance's operations, not the platform's records).
pub const NOT_BACKED_UP_TABLES: [&str; 8] = [
    "sessions",
    "throttles",
    "form_submissions",
    "catalog_tallies",
    "channel_tallies",
    "application_search_mark",
    "duty_leases",
    "duty_runs",
];

/// Columns written as NULL: a receipt's verification code waiting in the outbox (the codes are otherwise kept
/// only as keyed hashes, so a backup alone must not reveal one). A restored receipt goes out without it.
const NOT_BACKED_UP: [(&str, &str); 1] = [("notifications", "secret")];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Text,
    Blob,
}

async fn columns(
    connection: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<Vec<(String, Kind)>, StoreError> {
    let rows = match backend {
        Backend::Sqlite => {
            sqlx::query("SELECT name, type AS declared FROM pragma_table_info($1) ORDER BY cid")
                .bind(table)
                .fetch_all(&mut *connection)
                .await?
        }
        Backend::Postgres => {
            sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS declared \
                 FROM information_schema.columns \
                 WHERE table_name = $1 AND table_schema = current_schema() ORDER BY ordinal_position",
            )
            .bind(table)
            .fetch_all(&mut *connection)
            .await?
        }
    };
    rows.iter()
        .map(|row| {
            let name: String = row.try_get("name")?;
            let declared: String = row.try_get("declared")?;
            let kind = match declared.to_ascii_lowercase().as_str() {
                "integer" | "bigint" => Kind::Integer,
                "blob" | "bytea" => Kind::Blob,
                _ => Kind::Text,
            };
            Ok((name, kind))
        })
        .collect()
}

/// The table being restored: its name, columns and INSERT statement.
struct RestoreTarget {
    table: String,
    columns: Vec<(String, Kind)>,
    insert: String,
}

/// The backup file format written: 2 adds the end line.
const FORMAT: i64 = 2;

/// What a backup or restore handled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

/// Writes a consistent snapshot of every table to `out`.
pub async fn backup(store: &Store, out: &mut impl Write) -> Result<Summary, StoreError> {
    store.check_schema().await?;
    let version = store.schema_version().await?.unwrap_or_default();
    let mut transaction = store.pool().begin().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *transaction)
            .await?;
    }
    let io = |err: std::io::Error| StoreError::InvalidData(format!("writing the backup: {err}"));
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    writeln!(
        out,
        "{}",
        json!({ "gongkai_backup": FORMAT, "schema_version": version, "backend": backend })
    )
    .map_err(io)?;
    let mut summary = Summary::default();
    for table in TABLES {
        let columns = columns(&mut transaction, store.backend(), table).await?;
        let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
        writeln!(out, "{}", json!({ "table": table, "columns": names })).map_err(io)?;
        let order: Vec<String> = (1..=names.len()).map(|index| index.to_string()).collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {}", names.join(", "), order.join(", "));
        // Row by row, never a whole table in memory (`blobs` holds every attachment): the server writes
        // scheduled backups while it serves.
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *transaction);
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
            let row = &row;
            let mut values = Vec::with_capacity(columns.len());
            for (index, (name, kind)) in columns.iter().enumerate() {
                if NOT_BACKED_UP.contains(&(table, name.as_str())) {
                    values.push(Value::Null);
                    continue;
                }
                let value = match kind {
                    Kind::Integer => {
                        row.try_get::<Option<i64>, _>(index)?.map_or(Value::Null, Value::from)
                    }
                    Kind::Text => {
                        row.try_get::<Option<String>, _>(index)?.map_or(Value::Null, Value::from)
                    }
                    Kind::Blob => row
                        .try_get::<Option<Vec<u8>>, _>(index)?
                        .map_or(Value::Null, |bytes| json!({ "hex": hex::encode(bytes) })),
                };
                values.push(value);
            }
            writeln!(out, "{}", Value::Array(values)).map_err(io)?;
            summary.rows += 1;
        }
        summary.tables += 1;
    }
    transaction.commit().await?;
    writeln!(out, "{}", json!({ "end": { "tables": summary.tables, "rows": summary.rows } }))
        .map_err(io)?;
    out.flush().map_err(io)?;
    Ok(summary)
}

/// The error for a file that is not a whole gongkai backup, saying why.
fn invalid(message: String) -> StoreError {
    StoreError::InvalidData(format!("not a gongkai backup: {message}"))
}

/// Restores a backup into `store`, which must be migrated and empty; all or nothing (one transaction).
pub async fn restore(store: &Store, input: &mut impl BufRead) -> Result<Summary, StoreError> {
    let mut lines = input.lines();
    let (format, version) = read_header(lines.next())?;
    check_restorable(store, version).await?;
    let mut transaction = store.begin_write().await?;
    let mut restoring = Restore::new(store.backend());
    for line in lines {
        let line = line.map_err(|err| invalid(err.to_string()))?;
        restoring.read_line(&mut transaction, &line).await?;
    }
    restoring.check_end(format)?;
    restoring.link_agencies(&mut transaction).await?;
    if store.backend() == Backend::Postgres {
        continue_identities(&mut transaction, store.backend()).await?;
    }
    transaction.commit().await?;
    Ok(restoring.summary)
}

/// Reads the header line: the file's format (one this build reads) and its schema version.
fn read_header(first: Option<std::io::Result<String>>) -> Result<(Option<i64>, i64), StoreError> {
    let header: Value = match first {
        Some(line) => serde_json::from_str(&line.map_err(|err| invalid(err.to_string()))?)
            .map_err(|err| invalid(err.to_string()))?,
        None => return Err(invalid("the file is empty".to_owned())),
    };
    let format = header.get("gongkai_backup").and_then(Value::as_i64);
    if !matches!(format, Some(1..=FORMAT)) {
        return Err(invalid("the first line is not a gongkai backup header".to_owned()));
    }
    let version = header.get("schema_version").and_then(Value::as_i64).unwrap_or_default();
    Ok((format, version))
}

/// Refuses a backup of a newer schema than this build knows, and a database that is not empty.
async fn check_restorable(store: &Store, version: i64) -> Result<(), StoreError> {
    store.check_schema().await?;
    let known = store.known_schema_version();
    if version > known {
        return Err(StoreError::NewerSchema { found: version, known });
    }
    let existing: i64 = sqlx::query("SELECT COUNT(*) AS n FROM agencies")
        .fetch_one(store.pool())
        .await?
        .try_get("n")?;
    if existing > 0 {
        return Err(StoreError::InvalidData(
            "restore needs an empty database; this one has agencies".to_owned(),
        ));
    }
    Ok(())
}

/// An agency's id, parent id and successor id, the last two set once every agency is in.
type AgencyLink = (Option<i64>, Option<i64>, Option<i64>);

/// A row's INSERT with its values bound.
type RowInsert = sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>;

/// A restore under way: what was read, the table whose rows come next and the agencies' links.
struct Restore {
    backend: Backend,
    summary: Summary,
    current: Option<RestoreTarget>,
    /// An agency's parent and successor may have a higher id than it (an agency moved under, or merged
    /// into, one added later): agencies are inserted without them, and these set once all are in.
    links: Vec<(i64, Option<i64>, Option<i64>)>,
    end: Option<Value>,
}

impl Restore {
    /// A restore that has read nothing after the header.
    fn new(backend: Backend) -> Restore {
        Restore {
            backend,
            summary: Summary::default(),
            current: None,
            links: Vec::new(),
            end: None,
        }
    }

    /// Takes one line after the header: the end line, a table line or a row of the current table.
    async fn read_line(
        &mut self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
        line: &str,
    ) -> Result<(), StoreError> {
        if self.end.is_some() {
            return Err(invalid("lines after the end line".to_owned()));
        }
        let value: Value = serde_json::from_str(line).map_err(|err| invalid(err.to_string()))?;
        if let Some(counts) = value.get("end") {
            self.end = Some(counts.clone());
            return Ok(());
        }
        if let Some(table) = value.get("table").and_then(Value::as_str) {
            return self.start_table(transaction, table, &value).await;
        }
        self.insert_row(transaction, &value).await
    }

    /// Starts the rows of `table`, whose columns the line `value` lists as the database has them.
    async fn start_table(
        &mut self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
        table: &str,
        value: &Value,
    ) -> Result<(), StoreError> {
        if !TABLES.contains(&table) {
            return Err(invalid(format!("unknown table `{table}`")));
        }
        let columns = columns(transaction, self.backend, table).await?;
        let names: Vec<String> = columns.iter().map(|(name, _)| name.clone()).collect();
        let listed: Vec<String> = value
            .get("columns")
            .and_then(Value::as_array)
            .map(|columns| {
                columns.iter().filter_map(|column| column.as_str().map(str::to_owned)).collect()
            })
            .unwrap_or_default();
        if listed != names {
            return Err(invalid(format!(
                "table `{table}` has columns {listed:?}, the database {names:?}"
            )));
        }
        let placeholders: Vec<String> =
            (1..=names.len()).map(|index| format!("${index}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        self.summary.tables += 1;
        self.current = Some(RestoreTarget { table: table.to_owned(), columns, insert: sql });
        Ok(())
    }

    /// Inserts the row `value` into the current table, keeping an agency's links for later.
    async fn insert_row(
        &mut self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
        value: &Value,
    ) -> Result<(), StoreError> {
        let Some(target) = &self.current else {
            return Err(invalid("a row before any table".to_owned()));
        };
        let (table, columns) = (&target.table, &target.columns);
        let values = value
            .as_array()
            .ok_or_else(|| invalid(format!("a row of `{table}` is not an array")))?;
        if values.len() != columns.len() {
            return Err(invalid(format!(
                "a row of `{table}` has {} values for {} columns",
                values.len(),
                columns.len()
            )));
        }
        let (query, link) = bind_row(target, values)?;
        query.execute(&mut **transaction).await?;
        if let (Some(id), parent, successor) = link
            && (parent.is_some() || successor.is_some())
        {
            self.links.push((id, parent, successor));
        }
        self.summary.rows += 1;
        Ok(())
    }

    /// Whole, or nothing: a file cut short can end exactly after a complete row.
    fn check_end(&self, format: Option<i64>) -> Result<(), StoreError> {
        let summary = &self.summary;
        match (format, &self.end) {
            (Some(1), None) if summary.tables == TABLES.len() => {}
            (Some(1), _) => {
                return Err(invalid(format!(
                    "{} of {} tables: the file was cut short",
                    summary.tables,
                    TABLES.len()
                )));
            }
            (_, Some(counts))
                if counts.get("tables").and_then(Value::as_u64) == Some(summary.tables as u64)
                    && counts.get("rows").and_then(Value::as_u64) == Some(summary.rows) => {}
            (_, Some(_)) => {
                return Err(invalid(format!(
                    "its end line does not match the {} tables and {} rows read",
                    summary.tables, summary.rows
                )));
            }
            (_, None) => return Err(invalid("no end line: the file was cut short".to_owned())),
        }
        Ok(())
    }

    /// Sets the agencies' parents and successors, now that every agency is in.
    async fn link_agencies(
        &self,
        transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<(), StoreError> {
        for &(id, parent, successor) in &self.links {
            sqlx::query("UPDATE agencies SET parent_id = $1, successor_id = $2 WHERE id = $3")
                .bind(parent)
                .bind(successor)
                .bind(id)
                .execute(&mut **transaction)
                .await?;
        }
        Ok(())
    }
}

/// The INSERT of `target` with a row's `values` bound; an agency's parent and successor are bound as
/// NULL and returned with its id.
fn bind_row(
    target: &RestoreTarget,
    values: &[Value],
) -> Result<(RowInsert, AgencyLink), StoreError> {
    let RestoreTarget { table, columns, insert: sql } = target;
    let mut query: RowInsert = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
    let mut link: AgencyLink = (None, None, None);
    for (value, (column, kind)) in values.iter().zip(columns) {
        let wrong = || invalid(format!("`{table}.{column}`: unexpected value {value}"));
        if table == "agencies" && matches!(column.as_str(), "id" | "parent_id" | "successor_id") {
            let number =
                if value.is_null() { None } else { Some(value.as_i64().ok_or_else(wrong)?) };
            match column.as_str() {
                "id" => link.0 = number,
                "parent_id" => {
                    link.1 = number;
                    query = query.bind(None::<i64>);
                    continue;
                }
                _ => {
                    link.2 = number;
                    query = query.bind(None::<i64>);
                    continue;
                }
            }
        }
        query = match kind {
            Kind::Integer => query.bind(if value.is_null() {
                None
            } else {
                Some(value.as_i64().ok_or_else(wrong)?)
            }),
            Kind::Text => query.bind(if value.is_null() {
                None
            } else {
                Some(value.as_str().ok_or_else(wrong)?.to_owned())
            }),
            Kind::Blob => query.bind(if value.is_null() {
                None
            } else {
                let text = value.get("hex").and_then(Value::as_str).ok_or_else(wrong)?;
                Some(hex::decode(text).map_err(|_| wrong())?)
            }),
        };
    }
    Ok((query, link))
}

/// On PostgreSQL: identity columns continue after the restored ids.
async fn continue_identities(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
) -> Result<(), StoreError> {
    for table in TABLES {
        let columns = columns(transaction, backend, table).await?;
        let identity = columns
            .first()
            .filter(|(name, kind)| matches!(name.as_str(), "id" | "seq") && *kind == Kind::Integer);
        if let Some((column, _)) = identity
            && table != "audit_head"
        {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut **transaction).await?;
        }
    }
    Ok(())
}
