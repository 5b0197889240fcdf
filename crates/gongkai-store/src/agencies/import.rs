//! An agency file written in one transaction ([`import`]): each entry added, changed or left as it is, by
//! code, with its leaders; closures recorded with their successor.

use super::*;

/// Every agency's code, parent, region and whether it is closed: what an agency file is checked against
/// ([`gongkai_core::directory::check`]).
pub async fn existing(store: &Store) -> Result<Vec<directory::Existing>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.code, p.code AS parent_code, a.region, a.closed_on FROM agencies a \
         LEFT JOIN agencies p ON p.id = a.parent_id",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(directory::Existing {
                code: row.try_get("code")?,
                parent: row.try_get("parent_code")?,
                region: row.try_get("region")?,
                closed: row.try_get::<Option<String>, _>("closed_on")?.is_some(),
            })
        })
        .collect()
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportCounts {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// The columns an entry sets, in the order of [`STORED`].
const STORED: &str = "name, kind, region, index_pattern, office, phone, fax, email, address, postcode, \
                      hours, overview, duties";

/// An agency's stored fields (as text, parent as id) and its leaders.
type Stored = (i64, Vec<Option<String>>, Option<i64>, Vec<directory::LeaderEntry>);

async fn stored(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
) -> Result<Option<Stored>, StoreError> {
    let sql = format!("SELECT id, parent_id, {STORED} FROM agencies WHERE code = $1");
    let Some(row) =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&mut **transaction).await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let parent: Option<i64> = row.try_get("parent_id")?;
    let mut fields = Vec::with_capacity(13);
    for column in STORED.split(',').map(str::trim) {
        fields.push(Some(row.try_get::<String, _>(column)?));
    }
    let leaders = sqlx::query(
        "SELECT name, post, duties, biography FROM leaders WHERE agency_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&mut **transaction)
    .await?
    .iter()
    .map(|row| {
        Ok(directory::LeaderEntry {
            name: row.try_get("name")?,
            post: row.try_get("post")?,
            duties: row.try_get("duties")?,
            biography: row.try_get("biography")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Some((id, fields, parent, leaders)))
}

async fn id_of(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
) -> Result<i64, StoreError> {
    sqlx::query("SELECT id FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?
        .try_get("id")
        .map_err(StoreError::from)
}

/// Writes a checked agency file: `order` and `regions` are what [`gongkai_core::directory::check`]
/// returned for these entries against [`existing`]. In one transaction, by code: a new code is added, a
/// known one updated where the file says something else (a field the file leaves out keeps its value), and
/// the closures and successors set last (a successor may come later in the file). Audited as one action,
/// `action` (`agency.import` for a file, `agency.edit` for one agency changed in the back office or with
/// `gongkai agency edit`), with the codes added and changed.
pub async fn import(
    store: &Store,
    entries: &[directory::AgencyEntry],
    order: &[usize],
    regions: &[String],
    action: &str,
    actor: &Actor<'_>,
) -> Result<ImportCounts, StoreError> {
    let mut tally = ImportTally::default();
    let mut transaction = store.begin_write().await?;
    let now = now_text();
    for index in order {
        let entry = &entries[*index];
        write_entry(&mut transaction, entry, &regions[*index], &now, &mut tally).await?;
    }
    for index in order {
        close_entry(&mut transaction, &entries[*index], &mut tally).await?;
    }
    tally.counts.unchanged = order.len() - tally.counts.added - tally.counts.changed;
    let after = serde_json::json!({
        "added": tally.added, "changed": tally.changed, "unchanged": tally.counts.unchanged
    })
    .to_string();
    audit::record(&mut transaction, actor, action, "agencies", Some(&after)).await?;
    transaction.commit().await?;
    Ok(tally.counts)
}

/// What an import did so far: its counts, and the codes added and changed for the audit entry.
#[derive(Default)]
struct ImportTally {
    counts: ImportCounts,
    added: Vec<String>,
    changed: Vec<String>,
}

/// Adds or updates the agency of one entry, and replaces its leaders when the entry lists them.
async fn write_entry(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &directory::AgencyEntry,
    region: &str,
    now: &str,
    tally: &mut ImportTally,
) -> Result<(), StoreError> {
    let kind = AgencyKind::from_name(&entry.kind).map(AgencyKind::code).ok_or_else(|| {
        StoreError::InvalidData(format!("agency kind `{}` is not known", entry.kind))
    })?;
    // `None` keeps the stored parent (below); `""` is the top of the tree.
    let parent = match entry.parent.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(code) => Some(id_of(transaction, code).await?),
    };
    let given = given_fields(entry, kind, region);
    let code = entry.code.trim();
    let id = match stored(transaction, code).await? {
        None => insert_agency(transaction, code, parent, now, &given, tally).await?,
        Some(found) => update_agency(transaction, entry, parent, &given, found, tally).await?,
    };
    if let Some(leaders) = &entry.leaders {
        let leaders = leaders
            .iter()
            .map(|leader| [leader.name.as_str(), &leader.post, &leader.duties, &leader.biography]);
        put_leaders(transaction, id, leaders).await?;
    }
    Ok(())
}

/// The fields an entry gives, in the order of [`STORED`]; `None` where the file leaves one out.
fn given_fields(entry: &directory::AgencyEntry, kind: &str, region: &str) -> [Option<String>; 13] {
    [
        Some(entry.name.trim().to_owned()),
        Some(kind.to_owned()),
        Some(region.to_owned()),
        entry.index_pattern.clone(),
        entry.office.clone(),
        entry.phone.clone(),
        entry.fax.clone(),
        entry.email.clone(),
        entry.address.clone(),
        entry.postcode.clone(),
        entry.hours.clone(),
        entry.overview.clone(),
        entry.duties.clone(),
    ]
}

/// Adds the agency `code` (with the default index pattern if none is given); returns its id.
async fn insert_agency(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
    parent: Option<i64>,
    now: &str,
    given: &[Option<String>; 13],
    tally: &mut ImportTally,
) -> Result<i64, StoreError> {
    let values: Vec<String> = given
        .iter()
        .enumerate()
        .map(|(column, value)| match (column, value) {
            (3, None) => directory::DEFAULT_INDEX_PATTERN.to_owned(),
            (_, value) => value.clone().unwrap_or_default(),
        })
        .collect();
    let sql = format!(
        "INSERT INTO agencies (code, parent_id, created_at, {STORED}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).bind(parent).bind(now);
    for value in &values {
        query = query.bind(value.clone());
    }
    query.execute(&mut **transaction).await?;
    tally.counts.added += 1;
    tally.added.push(code.to_owned());
    id_of(transaction, code).await
}

/// Updates a known agency where the entry says something else (a field or parent left out keeps the
/// stored one); returns its id.
async fn update_agency(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &directory::AgencyEntry,
    parent: Option<i64>,
    given: &[Option<String>; 13],
    (id, fields, stored_parent, leaders): Stored,
    tally: &mut ImportTally,
) -> Result<i64, StoreError> {
    let parent = if entry.parent.is_none() { stored_parent } else { parent };
    let values: Vec<String> = given
        .iter()
        .zip(&fields)
        .map(|(given, stored)| given.clone().or_else(|| stored.clone()).unwrap_or_default())
        .collect();
    let same_fields =
        values.iter().zip(&fields).all(|(value, stored)| Some(value) == stored.as_ref());
    let same_leaders = entry.leaders.as_ref().is_none_or(|given| *given == leaders);
    if !(same_fields && stored_parent == parent && same_leaders) {
        let sql = "UPDATE agencies SET parent_id = $1, name = $2, kind = $3, region = $4, index_pattern = $5, office = $6, phone = $7, fax = $8, email = $9, address = $10, postcode = $11, hours = $12, overview = $13, duties = $14 WHERE id = $15";
        let mut query = sqlx::query(sql).bind(parent);
        for value in &values {
            query = query.bind(value.clone());
        }
        query.bind(id).execute(&mut **transaction).await?;
        tally.counts.changed += 1;
        tally.changed.push(entry.code.trim().to_owned());
    }
    Ok(id)
}

/// Sets the closing day and successor an entry gives, where they differ from what is stored; an
/// agency not added or changed before counts as changed.
async fn close_entry(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &directory::AgencyEntry,
    tally: &mut ImportTally,
) -> Result<(), StoreError> {
    let Some(day) = entry.closed_on.as_deref() else { return Ok(()) };
    let day = directory::closing_day(day)
        .ok_or_else(|| StoreError::InvalidData(format!("closing day `{day}` is not a date")))?;
    let successor = match entry.successor.as_deref() {
        Some(code) => Some(id_of(transaction, code.trim()).await?),
        None => None,
    };
    let row = sqlx::query("SELECT closed_on, successor_id FROM agencies WHERE code = $1")
        .bind(entry.code.trim())
        .fetch_one(&mut **transaction)
        .await?;
    let stored: (Option<String>, Option<i64>) =
        (row.try_get("closed_on")?, row.try_get("successor_id")?);
    if stored == (Some(day.to_string()), successor) {
        return Ok(());
    }
    sqlx::query("UPDATE agencies SET closed_on = $1, successor_id = $2 WHERE code = $3")
        .bind(day.to_string())
        .bind(successor)
        .bind(entry.code.trim())
        .execute(&mut **transaction)
        .await?;
    let code = entry.code.trim().to_owned();
    if !tally.changed.contains(&code) && !tally.added.contains(&code) {
        tally.counts.changed += 1;
        tally.changed.push(code);
    }
    Ok(())
}
