//! Catalog items (主动公开目录) with their official metadata and the channels each went out on, written in
//! batches: one multi-row `INSERT` per few hundred items, so a register of a million items loads in a minute.

use std::collections::{HashMap, HashSet};

use gongkai_core::records::CatalogItem;
use serde::Serialize;
use sqlx::Row;

use crate::audit;
use crate::{Actor, Backend, Store, StoreError, Transaction, agencies, now_text, vocabularies};

mod index;

pub use index::{
    IndexDocument, changes_after, documents, documents_after, last_change, oldest_change,
    prune_changes,
};

/// The metadata of an item beyond what the annual report needs (the standard metadata block of the portal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMetadata {
    /// 内容概述.
    pub summary: String,
    pub body: String,
    /// 主题分类.
    pub subject: String,
    /// 体裁分类.
    pub genre: String,
    /// 文号, e.g. 温司发〔2018〕12号.
    pub doc_number: String,
    /// 有效性: 有效, 失效, 废止.
    pub validity: String,
    /// 公开方式: 主动公开.
    pub disclosure: String,
}

impl Default for ItemMetadata {
    fn default() -> ItemMetadata {
        ItemMetadata {
            summary: String::new(),
            body: String::new(),
            subject: String::new(),
            genre: String::new(),
            doc_number: String::new(),
            validity: "有效".to_owned(),
            disclosure: "主动公开".to_owned(),
        }
    }
}

/// An item to store: the report engine's record and the portal's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub record: CatalogItem,
    pub metadata: ItemMetadata,
}

/// Rows per `INSERT`: 14 parameters each stays far below SQLite's 32,766 and PostgreSQL's 65,535.
const BATCH: usize = 500;
const COLUMNS: &str = "agency_id, index_number, title, summary, body, category, subject, genre, doc_number, \
                       formed, published, validity, disclosure, normative";
const PER_ROW: usize = 14;

/// `rows` tuples of `per_row` parameters, numbered from `first`. SQLite gets plain `?`: its parser looks each
/// named `$n` up in a linear list, which makes a 7,000-parameter statement ~80× slower to run (measured:
/// 115 ms against 1.4 ms per 500-row statement); PostgreSQL needs `$n`.
pub(crate) fn placeholders(backend: Backend, rows: usize, per_row: usize, first: usize) -> String {
    let mut sql = String::with_capacity(rows * per_row * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..per_row {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(first + row * per_row + column).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Inserts items and their channels inside the caller's transaction; returns how many were written.
/// A duplicate index number (within the items or against the agency's catalog) is a typed error naming it.
pub(crate) async fn insert_items<'i>(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    agency_id: i64,
    items: impl IntoIterator<Item = (&'i CatalogItem, &'i ItemMetadata)>,
) -> Result<usize, StoreError> {
    let items: Vec<(&CatalogItem, &ItemMetadata)> = items.into_iter().collect();
    let mut seen = HashSet::with_capacity(items.len());
    for (item, _) in &items {
        if !seen.insert(item.index_number.as_str()) {
            return Err(StoreError::Duplicate {
                what: "index number",
                key: item.index_number.clone(),
            });
        }
    }
    let full_sql = batch_sql(backend, BATCH);
    for chunk in items.chunks(BATCH) {
        let sql =
            if chunk.len() == BATCH { full_sql.clone() } else { batch_sql(backend, chunk.len()) };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (item, metadata) in chunk {
            query = query
                .bind(agency_id)
                .bind(&item.index_number)
                .bind(&item.title)
                .bind(&metadata.summary)
                .bind(&metadata.body)
                .bind(&item.category)
                .bind(&metadata.subject)
                .bind(&metadata.genre)
                .bind(&metadata.doc_number)
                .bind(item.formed.map(|date| date.to_string()))
                .bind(item.published.to_string())
                .bind(&metadata.validity)
                .bind(&metadata.disclosure)
                .bind(i64::from(item.normative));
        }
        if let Some(existing) =
            existing_index_number(transaction, backend, agency_id, chunk).await?
        {
            return Err(StoreError::Duplicate { what: "index number", key: existing });
        }
        let rows = query
            .fetch_all(&mut **transaction)
            .await
            .map_err(|err| StoreError::on_unique(err, "index number", "(written concurrently)"))?;
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(rows.len());
        for row in &rows {
            ids.insert(row.try_get("index_number")?, row.try_get("id")?);
        }
        let channels: Vec<(i64, &str, String)> = chunk
            .iter()
            .flat_map(|(item, _)| {
                let id = ids.get(&item.index_number).copied().unwrap_or_default();
                item.channels
                    .iter()
                    .map(move |channel| (id, channel.code(), item.published.to_string()))
            })
            .collect();
        for channel_chunk in channels.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO item_channels (item_id, channel, published) VALUES {}",
                placeholders(backend, channel_chunk.len(), 3, 1)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, channel, published) in channel_chunk {
                query = query.bind(*id).bind(*channel).bind(published);
            }
            query.execute(&mut **transaction).await?;
        }
        let mut new_ids: Vec<i64> = ids.into_values().collect();
        new_ids.sort_unstable();
        record_changes(transaction, backend, &new_ids).await?;
    }
    Ok(items.len())
}

/// Writes one search-outbox row per changed item, inside the change's transaction.
pub(crate) async fn record_changes(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    item_ids: &[i64],
) -> Result<(), StoreError> {
    let changed = now_text();
    for chunk in item_ids.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO catalog_changes (item_id, changed_at) VALUES {}",
            placeholders(backend, chunk.len(), 2, 1)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id).bind(&changed);
        }
        query.execute(&mut **transaction).await?;
    }
    Ok(())
}

fn batch_sql(backend: Backend, rows: usize) -> String {
    format!(
        "INSERT INTO catalog_items ({COLUMNS}) VALUES {} RETURNING id, index_number",
        placeholders(backend, rows, PER_ROW, 1)
    )
}

/// The first index number of `chunk` that the agency's catalog already has.
async fn existing_index_number(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    agency_id: i64,
    chunk: &[(&CatalogItem, &ItemMetadata)],
) -> Result<Option<String>, StoreError> {
    let agency = match backend {
        Backend::Sqlite => "?",
        Backend::Postgres => "$1",
    };
    let sql = format!(
        "SELECT index_number FROM catalog_items WHERE agency_id = {agency} AND index_number IN {}",
        placeholders(backend, 1, chunk.len(), 2)
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id);
    for (item, _) in chunk {
        query = query.bind(&item.index_number);
    }
    let found: HashSet<String> = query
        .fetch_all(&mut **transaction)
        .await?
        .iter()
        .map(|row| row.try_get("index_number"))
        .collect::<Result<_, _>>()?;
    Ok(chunk
        .iter()
        .find(|(item, _)| found.contains(&item.index_number))
        .map(|(item, _)| item.index_number.clone()))
}

/// Imports items into the agency `code` in transactions of `per_transaction` items, each audited as one
/// `catalog.import` action; returns how many were written. On an error, the transactions before it stay
/// committed and the failing one writes nothing.
pub async fn import(
    store: &Store,
    code: &str,
    items: &[NewItem],
    per_transaction: usize,
    actor: &Actor<'_>,
) -> Result<usize, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let resolved = {
        let mut connection = store.pool().acquire().await?;
        vocabularies::resolve_items(&mut connection, agency.id, items).await?
    };
    let mut written = 0;
    for chunk in resolved.chunks(per_transaction.max(1)) {
        let mut transaction = store.begin_write().await?;
        let count = insert_items(
            &mut transaction,
            store.backend(),
            agency.id,
            chunk.iter().map(|(record, metadata)| (record.as_ref(), metadata.as_ref())),
        )
        .await?;
        let after = serde_json::json!({
            "items": count,
            "first": chunk.first().map(|(record, _)| record.index_number.as_str()),
            "last": chunk.last().map(|(record, _)| record.index_number.as_str()),
        })
        .to_string();
        audit::record(
            &mut transaction,
            actor,
            "catalog.import",
            &format!("agency:{code}"),
            Some(&after),
        )
        .await?;
        transaction.commit().await?;
        written += count;
    }
    Ok(written)
}

/// An item in a list: enough for a catalog row or a feed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemSummary {
    pub id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub index_number: String,
    pub title: String,
    pub category: String,
    pub doc_number: String,
    /// `YYYY-MM-DD`.
    pub published: String,
}

/// A page of an agency's catalog and how many items match in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    pub items: Vec<ItemSummary>,
    pub total: i64,
}

/// Which part of a catalog to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Filter<'a> {
    pub category: Option<&'a str>,
    pub year: Option<i32>,
}

/// A file attached to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentInfo {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub media_type: String,
}

/// An item with its whole metadata block, channels and attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemView {
    #[serde(flatten)]
    pub summary: ItemSummary,
    pub summary_text: String,
    pub body: String,
    pub subject: String,
    pub genre: String,
    pub formed: Option<String>,
    pub validity: String,
    pub disclosure: String,
    pub normative: bool,
    pub withdrawn: bool,
    /// `(channel code, date)`: website, gazette, weibo, wechat, other.
    pub channels: Vec<(String, String)>,
    pub attachments: Vec<AttachmentInfo>,
}

const SUMMARY_COLUMNS: &str = "c.id, g.code AS agency_code, g.name AS agency_name, c.index_number, \
                               c.title, c.category, c.doc_number, c.published";

fn summary_at(row: &sqlx::any::AnyRow) -> Result<ItemSummary, StoreError> {
    Ok(ItemSummary {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        agency_name: row.try_get("agency_name")?,
        index_number: row.try_get("index_number")?,
        title: row.try_get("title")?,
        category: row.try_get("category")?,
        doc_number: row.try_get("doc_number")?,
        published: row.try_get("published")?,
    })
}

/// The `WHERE` clause of a listing and its parameters after the agency id (`$1`).
fn filter_sql(filter: Filter<'_>) -> (String, Vec<String>) {
    let mut sql = String::from("c.agency_id = $1 AND c.withdrawn_at IS NULL");
    let mut binds = Vec::new();
    if let Some(category) = filter.category {
        binds.push(category.to_owned());
        sql.push_str(&format!(" AND c.category = ${}", binds.len() + 1));
    }
    if let Some(year) = filter.year {
        binds.push(format!("{year:04}-01-01"));
        sql.push_str(&format!(" AND c.published >= ${}", binds.len() + 1));
        binds.push(format!("{:04}-01-01", year + 1));
        sql.push_str(&format!(" AND c.published < ${}", binds.len() + 1));
    }
    (sql, binds)
}

/// Items of the agency `agency_id` matching `filter`, newest first, `limit` from `offset`; withdrawn items
/// are not listed.
pub async fn list(
    store: &Store,
    agency_id: i64,
    filter: Filter<'_>,
    offset: i64,
    limit: i64,
) -> Result<Listing, StoreError> {
    let total = count(store, agency_id, filter).await?;
    let items = page(store, agency_id, filter, offset, limit).await?;
    Ok(Listing { items, total })
}

/// How many live items of the agency match `filter`.
pub async fn count(store: &Store, agency_id: i64, filter: Filter<'_>) -> Result<i64, StoreError> {
    let (condition, binds) = filter_sql(filter);
    let sql = format!("SELECT COUNT(*) AS n FROM catalog_items c WHERE {condition}");
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id);
    for bind in &binds {
        query = query.bind(bind);
    }
    Ok(query.fetch_one(store.pool()).await?.try_get("n")?)
}

/// One page of [`list`] without counting the matches (the caller knows the total, e.g. from [`facets`]).
pub async fn page(
    store: &Store,
    agency_id: i64,
    filter: Filter<'_>,
    offset: i64,
    limit: i64,
) -> Result<Vec<ItemSummary>, StoreError> {
    let (condition, binds) = filter_sql(filter);
    let next = binds.len() + 2;
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM catalog_items c JOIN agencies g ON g.id = c.agency_id WHERE {condition} \
         ORDER BY c.published DESC, c.id DESC LIMIT ${next} OFFSET ${}",
        next + 1
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id);
    for bind in &binds {
        query = query.bind(bind);
    }
    let rows = query.bind(limit).bind(offset).fetch_all(store.pool()).await?;
    rows.iter().map(summary_at).collect()
}

/// The agency's categories with their item counts (largest first), and its years (newest first).
pub async fn facets(
    store: &Store,
    agency_id: i64,
) -> Result<(Vec<(String, i64)>, Vec<(i32, i64)>), StoreError> {
    let categories = sqlx::query(
        "SELECT category, COUNT(*) AS n FROM catalog_items \
         WHERE agency_id = $1 AND withdrawn_at IS NULL \
         GROUP BY category ORDER BY COUNT(*) DESC, category",
    )
    .bind(agency_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| Ok((row.try_get("category")?, row.try_get("n")?)))
    .collect::<Result<_, StoreError>>()?;
    let years = sqlx::query(
        "SELECT substr(published, 1, 4) AS year, COUNT(*) AS n FROM catalog_items \
         WHERE agency_id = $1 AND withdrawn_at IS NULL GROUP BY substr(published, 1, 4) ORDER BY 1 DESC",
    )
    .bind(agency_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        let year: String = row.try_get("year")?;
        let year = year
            .parse()
            .map_err(|_| StoreError::InvalidData(format!("published year `{year}`")))?;
        Ok((year, row.try_get("n")?))
    })
    .collect::<Result<_, StoreError>>()?;
    Ok((categories, years))
}

/// The newest `limit` items of the whole platform.
pub async fn latest(store: &Store, limit: i64) -> Result<Vec<ItemSummary>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM catalog_items c JOIN agencies g ON g.id = c.agency_id \
         WHERE c.withdrawn_at IS NULL ORDER BY c.published DESC, c.id DESC LIMIT $1"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(store.pool()).await?;
    rows.iter().map(summary_at).collect()
}

/// The newest `per_agency` items of each of `agencies` (by id), newest first within each agency: one query,
/// for the directory pages' lists of agencies with their latest publications.
pub async fn latest_of(
    store: &Store,
    agencies: &[i64],
    per_agency: i64,
) -> Result<Vec<ItemSummary>, StoreError> {
    if agencies.is_empty() {
        return Ok(Vec::new());
    }
    // One index range (agency_id, published) read backwards per agency, rather than ranking all their
    // items: a department with 100,000 items costs what one with ten does.
    // SQLite takes at most 500 terms in one compound SELECT: a level of a flat platform may have more.
    const TERMS: usize = 400;
    let per_agency = per_agency.clamp(1, 20);
    let mut found = Vec::new();
    for chunk in agencies.chunks(TERMS) {
        let parts: Vec<String> = chunk
            .iter()
            .map(|agency| {
                format!(
                    "SELECT * FROM (SELECT {SUMMARY_COLUMNS} FROM catalog_items c JOIN agencies g ON g.id = c.agency_id \
                     WHERE c.agency_id = {agency} AND c.withdrawn_at IS NULL \
                     ORDER BY c.published DESC, c.id DESC LIMIT {per_agency}) AS latest_{agency}"
                )
            })
            .collect();
        let sql = parts.join(" UNION ALL ");
        for row in sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(store.pool()).await? {
            found.push(summary_at(&row)?);
        }
    }
    Ok(found)
}

/// One item with its metadata block, channels and attachments (withdrawn items too: the page says so).
pub async fn item(store: &Store, id: i64) -> Result<Option<ItemView>, StoreError> {
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, c.summary, c.body, c.subject, c.genre, c.formed, c.validity, c.disclosure, \
         c.normative, c.withdrawn_at FROM catalog_items c JOIN agencies g ON g.id = c.agency_id WHERE c.id = $1"
    );
    let Some(row) =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(store.pool()).await?
    else {
        return Ok(None);
    };
    // Channels and attachments in one round trip: `kind` 0 is a channel, 1 an attachment.
    let parts = sqlx::query(
        "SELECT 0 AS kind, 0 AS id, channel AS name, published AS extra, 0 AS size FROM item_channels \
         WHERE item_id = $1 \
         UNION ALL SELECT 1, a.id, a.name, b.media_type, b.size FROM attachments a \
         JOIN blobs b ON b.sha256 = a.sha256 WHERE a.item_id = $2 \
         ORDER BY 1, 4, 3, 2",
    )
    .bind(id)
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    let mut channels = Vec::new();
    let mut attachments = Vec::new();
    for part in &parts {
        let kind: i64 = part.try_get("kind")?;
        if kind == 0 {
            channels.push((part.try_get("name")?, part.try_get("extra")?));
        } else {
            attachments.push(AttachmentInfo {
                id: part.try_get("id")?,
                name: part.try_get("name")?,
                size: part.try_get("size")?,
                media_type: part.try_get("extra")?,
            });
        }
    }
    attachments.sort_by_key(|attachment| attachment.id);
    let withdrawn: Option<String> = row.try_get("withdrawn_at")?;
    Ok(Some(ItemView {
        summary: summary_at(&row)?,
        summary_text: row.try_get("summary")?,
        body: row.try_get("body")?,
        subject: row.try_get("subject")?,
        genre: row.try_get("genre")?,
        formed: row.try_get("formed")?,
        validity: row.try_get("validity")?,
        disclosure: row.try_get("disclosure")?,
        normative: row.try_get::<i64, _>("normative")? != 0,
        withdrawn: withdrawn.is_some(),
        channels,
        attachments,
    }))
}

/// Largest attachment accepted (a scanned document of a few dozen pages).
pub const ATTACHMENT_LIMIT: usize = 20 * 1024 * 1024;

/// Attaches a file to an item. The name is reduced to its last path component (no traversal can reach the
/// disk: files live in the database as content-addressed blobs); the media type must be one the portal
/// serves (PDF, OFD, DOC(X), XLS(X), JPEG, PNG, ZIP).
pub async fn attach(
    store: &Store,
    item_id: i64,
    name: &str,
    data: &[u8],
    actor: &Actor<'_>,
) -> Result<AttachmentInfo, StoreError> {
    let mut transaction = store.begin_write().await?;
    let done = attach_in(&mut transaction, store, item_id, name, data, actor).await?;
    transaction.commit().await?;
    Ok(done)
}

/// [`attach`], in the transaction of an API write made once (`once::Held`): its `Idempotency-Key` is kept
/// with the change, in one commit.
pub async fn attach_once(
    held: &mut crate::once::Held,
    store: &Store,
    item_id: i64,
    name: &str,
    data: &[u8],
    actor: &Actor<'_>,
) -> Result<AttachmentInfo, StoreError> {
    attach_in(held.transaction(), store, item_id, name, data, actor).await
}

async fn attach_in(
    transaction: &mut Transaction,
    store: &Store,
    item_id: i64,
    name: &str,
    data: &[u8],
    actor: &Actor<'_>,
) -> Result<AttachmentInfo, StoreError> {
    // Staff files are taken by their name: agencies' .doc files are often RTF, HTML or WPS underneath, and a
    // catalog attachment is always served as a download (`nosniff`), never shown as a page.
    let (name, media_type) = checked_attachment(name, data, ATTACHMENT_LIMIT, false)?;
    let sha256 = crate::blobs::digest(data);
    crate::blobs::put(transaction, &sha256, media_type, data).await?;
    let id: i64 = sqlx::query(
        "INSERT INTO attachments (item_id, name, sha256) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(item_id)
    .bind(&name)
    .bind(&sha256)
    .fetch_one(&mut **transaction)
    .await?
    .try_get("id")?;
    record_changes(transaction, store.backend(), &[item_id]).await?;
    let after =
        serde_json::json!({ "name": name, "sha256": sha256, "size": data.len() }).to_string();
    audit::record(transaction, actor, "catalog.attach", &format!("item:{item_id}"), Some(&after))
        .await?;
    Ok(AttachmentInfo { id, name, size: data.len() as i64, media_type: media_type.to_owned() })
}

/// The usable name and media type of a file to attach, or why it is refused: the name is cut to its last
/// component, the type must be one the portal serves and the size at most `limit` bytes.
pub(crate) fn checked_attachment(
    name: &str,
    data: &[u8],
    limit: usize,
    by_content: bool,
) -> Result<(String, &'static str), StoreError> {
    let name = attachment_name(name)?;
    let media_type = media_type_of(&name).ok_or_else(|| {
        StoreError::InvalidData(format!(
            "attachment `{name}`: only PDF, OFD, DOC, DOCX, XLS, XLSX, JPG, PNG and ZIP files are accepted"
        ))
    })?;
    if data.len() > limit {
        return Err(StoreError::InvalidData(format!(
            "attachment `{name}` is {} bytes; the limit is {limit}",
            data.len()
        )));
    }
    if by_content && !data.is_empty() && !content_matches(media_type, data) {
        return Err(StoreError::InvalidData(format!(
            "attachment `{name}`: its content is not a {media_type} file"
        )));
    }
    Ok((name, media_type))
}

/// Whether `data` begins as a file of `media_type` does (its magic bytes). A file's name says what the
/// sender claims, its first bytes what it is: an HTML page named `.pdf` is refused, so it is never served
/// as a PDF. PDF allows bytes before its header (ISO 32000 §7.5.2, within the first 1024); OFD, DOCX, XLSX
/// and ZIP are ZIP archives; DOC (or RTF saved as .doc) and XLS are OLE compound files. Applied to what the
/// public uploads.
pub fn content_matches(media_type: &str, data: &[u8]) -> bool {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    match media_type {
        "application/pdf" => {
            data[..data.len().min(1024)].windows(5).any(|window| window == b"%PDF-")
        }
        "application/ofd"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/zip" => data.starts_with(ZIP),
        // Word also saves RTF under .doc.
        "application/msword" => data.starts_with(OLE) || data.starts_with(b"{\\rtf"),
        "application/vnd.ms-excel" => data.starts_with(OLE),
        "image/jpeg" => data.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => data.starts_with(b"\x89PNG\r\n\x1a\n"),
        _ => false,
    }
}

/// The last component of a client-supplied file name, without control characters; refuses empty names and
/// the names `.` and `..`.
pub fn attachment_name(name: &str) -> Result<String, StoreError> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|ch| !ch.is_control()).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." || cleaned.chars().count() > 200 {
        return Err(StoreError::InvalidData(format!("attachment name `{name}` is not usable")));
    }
    Ok(cleaned)
}

/// The media type served for an attachment named `name`, if its extension is accepted.
pub fn media_type_of(name: &str) -> Option<&'static str> {
    let extension = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "pdf" => "application/pdf",
        "ofd" => "application/ofd",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "zip" => "application/zip",
        _ => return None,
    })
}

/// An attachment's name, media type and bytes, if it belongs to `item_id` and that item is public: a
/// withdrawn item's attachments are not served (an item is often withdrawn because a file exposed personal
/// data).
pub async fn attachment(
    store: &Store,
    item_id: i64,
    attachment_id: i64,
) -> Result<Option<(String, String, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT a.name, b.media_type, b.data FROM attachments a JOIN blobs b ON b.sha256 = a.sha256 \
         JOIN catalog_items c ON c.id = a.item_id \
         WHERE a.id = $1 AND a.item_id = $2 AND c.withdrawn_at IS NULL",
    )
    .bind(attachment_id)
    .bind(item_id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| Ok((row.try_get("name")?, row.try_get("media_type")?, row.try_get("data")?)))
        .transpose()
}

/// Withdraws an item from the public catalog (it stays in the database and the audit trail).
pub async fn withdraw(store: &Store, item_id: i64, actor: &Actor<'_>) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    withdraw_in(&mut transaction, store, item_id, actor).await?;
    transaction.commit().await?;
    Ok(())
}

/// [`withdraw`], in the transaction of an API write made once (`once::Held`): its `Idempotency-Key` is kept
/// with the change, in one commit.
pub async fn withdraw_once(
    held: &mut crate::once::Held,
    store: &Store,
    item_id: i64,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    withdraw_in(held.transaction(), store, item_id, actor).await
}

async fn withdraw_in(
    transaction: &mut Transaction,
    store: &Store,
    item_id: i64,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE catalog_items SET withdrawn_at = $1, version = version + 1 WHERE id = $2 AND withdrawn_at IS NULL",
    )
    .bind(now_text())
    .bind(item_id)
    .execute(&mut **transaction)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound { what: "published item", key: item_id.to_string() });
    }
    record_changes(transaction, store.backend(), &[item_id]).await?;
    audit::record(transaction, actor, "catalog.withdraw", &format!("item:{item_id}"), None).await?;
    Ok(())
}

/// `(id, agency code, published)` of the live items with ids in `(after_id, until_id]`, for the sitemap.
pub async fn sitemap_entries(
    store: &Store,
    after_id: i64,
    until_id: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, published FROM catalog_items WHERE id > $1 AND id <= $2 AND withdrawn_at IS NULL ORDER BY id",
    )
    .bind(after_id)
    .bind(until_id)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("id")?, row.try_get("published")?))).collect()
}

/// Items not withdrawn: what a complete search index holds.
pub async fn live_count(store: &Store) -> Result<i64, StoreError> {
    let (count,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM catalog_items WHERE withdrawn_at IS NULL")
            .fetch_one(store.pool())
            .await?;
    Ok(count)
}

/// The highest item id (0 for an empty catalog).
pub async fn max_id(store: &Store) -> Result<i64, StoreError> {
    let row =
        sqlx::query("SELECT MAX(id) AS max_id FROM catalog_items").fetch_one(store.pool()).await?;
    Ok(row.try_get::<Option<i64>, _>("max_id")?.unwrap_or(0))
}
