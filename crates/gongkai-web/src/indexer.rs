//! Keeps the search index a faithful cache of the catalog: a rebuild from the database, and a catch-up loop
//! that applies the catalog's outbox (every instance runs its own, so an item published through any
//! instance is searchable on all of them within seconds).

use std::collections::HashSet;
use std::time::Duration;

use gongkai_search::{Document, SearchIndex};
use gongkai_store::catalog::{self, IndexDocument};
use gongkai_store::{Store, StoreError};

/// How often an instance reads the outbox.
pub const CATCH_UP_INTERVAL: Duration = Duration::from_secs(2);

/// How far back each catch-up re-reads the outbox by time: a change committed late under a lower sequence
/// number (concurrent transactions on PostgreSQL) is still applied.
pub const LOOKBACK: time::Duration = time::Duration::seconds(60);

/// Why indexing failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Search(#[from] gongkai_search::SearchError),
}

fn to_document(item: &IndexDocument) -> Document {
    Document {
        id: item.id.unsigned_abs(),
        agency_code: item.agency_code.clone(),
        agency_name: item.agency_name.clone(),
        index_number: item.index_number.clone(),
        title: item.title.clone(),
        summary: item.summary.clone(),
        body: item.body.clone(),
        category: item.category.clone(),
        genre: item.genre.clone(),
        doc_number: item.doc_number.clone(),
        published: item.published.clone(),
    }
}

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    /// Items in the index.
    pub items: u64,
    /// The recent outbox rows the rebuild already covers (committed before it read the catalog).
    pub covered: Vec<i64>,
}

fn lookback_start() -> String {
    (time::OffsetDateTime::now_utc() - LOOKBACK)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Rebuilds `index` from the whole catalog. The outbox position is read first, so changes made during the
/// rebuild are applied by the next catch-up.
pub async fn rebuild(store: &Store, index: &SearchIndex) -> Result<Rebuilt, IndexError> {
    let marker = catalog::last_change(store).await?;
    let covered: Vec<i64> = catalog::changes_after(store, i64::MAX, &lookback_start(), 1_000_000)
        .await?
        .into_iter()
        .map(|(seq, _)| seq)
        .filter(|seq| *seq <= marker)
        .collect();
    index.clear()?;
    let mut after = 0;
    let mut count = 0;
    loop {
        let batch = catalog::documents_after(store, after, 2_000).await?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.id;
        let live: Vec<Document> =
            batch.iter().filter(|item| !item.withdrawn).map(to_document).collect();
        count += live.len() as u64;
        index.upsert(&live)?;
    }
    index.commit(marker)?;
    Ok(Rebuilt { items: count, covered })
}

/// Applies the outbox rows not yet applied; remembers the recent ones in `applied`.
pub struct CatchUp {
    marker: i64,
    applied: HashSet<i64>,
}

impl CatchUp {
    /// Continues after the index's marker.
    pub fn new(index: &SearchIndex) -> Result<CatchUp, IndexError> {
        Ok(CatchUp { marker: index.marker()?.unwrap_or(0), applied: HashSet::new() })
    }

    /// Continues after a rebuild, without re-applying the rows it covered.
    pub fn after(index: &SearchIndex, rebuilt: &Rebuilt) -> Result<CatchUp, IndexError> {
        let mut catch_up = CatchUp::new(index)?;
        catch_up.applied.extend(rebuilt.covered.iter().copied());
        Ok(catch_up)
    }

    /// One round: returns how many items were re-indexed or removed.
    pub async fn run(&mut self, store: &Store, index: &SearchIndex) -> Result<usize, IndexError> {
        // Two reads, so that a bulk import in the last minute (thousands of rows in the time window) never
        // crowds the new rows out of one limited read: the rows after the marker (a time no row has, so
        // only the sequence matches), then the recent rows (no sequence is above i64::MAX).
        let mut rows = catalog::changes_after(store, self.marker, "9999", 10_000).await?;
        rows.extend(catalog::changes_after(store, i64::MAX, &lookback_start(), 1_000_000).await?);
        rows.sort_unstable();
        rows.dedup();
        let fresh: Vec<(i64, i64)> =
            rows.into_iter().filter(|(seq, _)| !self.applied.contains(seq)).collect();
        if fresh.is_empty() {
            return Ok(0);
        }
        let mut ids: Vec<i64> = fresh.iter().map(|(_, item)| *item).collect();
        ids.sort_unstable();
        ids.dedup();
        let documents = catalog::documents(store, &ids).await?;
        let live: Vec<Document> =
            documents.iter().filter(|item| !item.withdrawn).map(to_document).collect();
        let gone: Vec<u64> = ids
            .iter()
            .filter(|id| !documents.iter().any(|item| item.id == **id && !item.withdrawn))
            .map(|id| id.unsigned_abs())
            .collect();
        index.remove(gone);
        index.upsert(&live)?;
        let newest = fresh.iter().map(|(seq, _)| *seq).max().unwrap_or(self.marker);
        self.marker = self.marker.max(newest);
        index.commit(self.marker)?;
        self.applied.extend(fresh.iter().map(|(seq, _)| *seq));
        // Forget what the time window no longer returns (older than the marker by far).
        if self.applied.len() > 100_000 {
            let keep_from = self.marker - 50_000;
            self.applied.retain(|seq| *seq > keep_from);
        }
        Ok(ids.len())
    }
}
