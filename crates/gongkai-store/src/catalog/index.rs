//! What the search index reads of the catalog: the documents, and the outbox of changes (`catalog_changes`)
//! the indexer catches up from.

use sqlx::Row;

use super::{BATCH, placeholders};
use crate::{Store, StoreError};

/// What the search index holds of an item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDocument {
    pub id: i64,
    pub agency_code: String,
    pub agency_name: String,
    pub index_number: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: String,
    pub genre: String,
    pub doc_number: String,
    pub published: String,
    /// Withdrawn items leave the index.
    pub withdrawn: bool,
}

const DOCUMENT_SQL: &str = "SELECT c.id, g.code AS agency_code, g.name AS agency_name, \
                            c.index_number, c.title, c.summary, c.body, c.category, c.genre, \
                            c.doc_number, c.published, c.withdrawn_at FROM catalog_items c \
                            JOIN agencies g ON g.id = c.agency_id";

fn document_at(row: &sqlx::any::AnyRow) -> Result<IndexDocument, StoreError> {
    let withdrawn: Option<String> = row.try_get("withdrawn_at")?;
    Ok(IndexDocument {
        id: row.try_get("id")?,
        agency_code: row.try_get("agency_code")?,
        agency_name: row.try_get("agency_name")?,
        index_number: row.try_get("index_number")?,
        title: row.try_get("title")?,
        summary: row.try_get("summary")?,
        body: row.try_get("body")?,
        category: row.try_get("category")?,
        genre: row.try_get("genre")?,
        doc_number: row.try_get("doc_number")?,
        published: row.try_get("published")?,
        withdrawn: withdrawn.is_some(),
    })
}

/// Up to `limit` items with ids above `after_id`, in id order (a rebuild pages through the catalog).
pub async fn documents_after(
    store: &Store,
    after_id: i64,
    limit: i64,
) -> Result<Vec<IndexDocument>, StoreError> {
    let sql = format!("{DOCUMENT_SQL} WHERE c.id > $1 ORDER BY c.id LIMIT $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(after_id)
        .bind(limit)
        .fetch_all(store.pool())
        .await?;
    rows.iter().map(document_at).collect()
}

/// The items `ids` as they are now (missing ids are left out).
pub async fn documents(store: &Store, ids: &[i64]) -> Result<Vec<IndexDocument>, StoreError> {
    let mut documents = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(BATCH) {
        let sql = format!(
            "{DOCUMENT_SQL} WHERE c.id IN {} ORDER BY c.id",
            placeholders(store.backend(), 1, chunk.len(), 1)
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            query = query.bind(*id);
        }
        for row in query.fetch_all(store.pool()).await? {
            documents.push(document_at(&row)?);
        }
    }
    Ok(documents)
}

/// The newest outbox sequence number (0 when empty): a rebuild starts catching up after it.
pub async fn last_change(store: &Store) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT MAX(seq) AS max_seq FROM catalog_changes")
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("max_seq")?.unwrap_or(0))
}

/// Outbox rows after `after_seq`, and those recorded at or after `since` (an RFC 3339 time: a transaction
/// that committed late under a lower number is read again); returns `(seq, item id)` in sequence order.
pub async fn changes_after(
    store: &Store,
    after_seq: i64,
    since: &str,
    limit: i64,
) -> Result<Vec<(i64, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, item_id FROM catalog_changes WHERE seq > $1 OR changed_at >= $2 ORDER BY seq LIMIT $3",
    )
    .bind(after_seq)
    .bind(since)
    .bind(limit)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(|row| Ok((row.try_get("seq")?, row.try_get("item_id")?))).collect()
}

/// Deletes outbox rows recorded before `before` (an RFC 3339 time), except the newest; returns how many. Every instance reads
/// the last minute again, so rows a day old are never needed; an instance that was down longer rebuilds its
/// index (its marker is then older than the oldest row, which [`oldest_change`] tells).
pub async fn prune_changes(store: &Store, before: &str) -> Result<u64, StoreError> {
    // The newest row stays, so the newest sequence number survives for a rebuild's marker.
    Ok(sqlx::query(
        "DELETE FROM catalog_changes WHERE changed_at < $1 AND seq < (SELECT MAX(seq) FROM catalog_changes)",
    )
        .bind(before)
        .execute(store.pool())
        .await?
        .rows_affected())
}

/// The oldest outbox sequence still kept (`None` when the outbox is empty).
pub async fn oldest_change(store: &Store) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query("SELECT MIN(seq) AS min_seq FROM catalog_changes")
        .fetch_one(store.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("min_seq")?)
}
