//! Publishing in the back office: a new catalog item gets its 索引号 from the agency's pattern and a serial
//! taken atomically per agency and year; editing is made against the item's version; channels are kept with
//! the day the item went out on each; a normative document is registered (and its repeal recorded) for the
//! annual report; bulk edits of category or validity. Every write also goes to the search outbox.

use gongkai_core::publishing::index_number;
use gongkai_core::records::PublishChannel;
use gongkai_core::vocabulary::Kind;
use sqlx::Row;
use time::Date;

use crate::catalog::record_changes;
use crate::{Actor, Refused, Store, StoreError, Transaction, agencies, audit, vocabularies};

/// An item as the publishing form gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub body: &'a str,
    pub category: &'a str,
    pub subject: &'a str,
    pub genre: &'a str,
    pub doc_number: &'a str,
    pub formed: Option<Date>,
    pub published: Date,
    /// 有效, 失效 or 废止.
    pub validity: &'a str,
    pub normative: bool,
    /// For a normative document: the day it was repealed.
    pub repealed: Option<Date>,
    pub channels: &'a [(PublishChannel, Date)],
}

/// The validity values an item can have.
pub use gongkai_core::publishing::VALIDITIES;

fn check(publication: &Publication<'_>) -> Result<(), StoreError> {
    if publication.title.trim().is_empty() || publication.category.trim().is_empty() {
        return Err(StoreError::InvalidData("an item needs a title and a category".to_owned()));
    }
    if !VALIDITIES.contains(&publication.validity) {
        return Err(StoreError::InvalidData(format!("validity `{}`", publication.validity)));
    }
    if publication.channels.is_empty() {
        return Err(StoreError::InvalidData("an item goes out on at least one channel".to_owned()));
    }
    Ok(())
}

async fn write_channels(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    item_id: i64,
    channels: &[(PublishChannel, Date)],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM item_channels WHERE item_id = $1")
        .bind(item_id)
        .execute(&mut **transaction)
        .await?;
    for (channel, day) in channels {
        sqlx::query("INSERT INTO item_channels (item_id, channel, published) VALUES ($1, $2, $3)")
            .bind(item_id)
            .bind(channel.code())
            .bind(day.to_string())
            .execute(&mut **transaction)
            .await
            .map_err(|err| StoreError::on_unique(err, "channel", channel.code()))?;
    }
    Ok(())
}

/// Registers or updates the normative document an item is (by the agency and 文号).
async fn write_normative(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    agency_id: i64,
    publication: &Publication<'_>,
) -> Result<(), StoreError> {
    if !publication.normative {
        return Ok(());
    }
    if publication.doc_number.trim().is_empty() {
        return Err(Refused::NormativeWithoutNumber.into());
    }
    let made = publication.formed.unwrap_or(publication.published).to_string();
    let updated = sqlx::query(
        "UPDATE normative_documents SET title = $1, made = $2, published = $3, repealed = $4 \
         WHERE agency_id = $5 AND number = $6",
    )
    .bind(publication.title)
    .bind(&made)
    .bind(publication.published.to_string())
    .bind(publication.repealed.map(|day| day.to_string()))
    .bind(agency_id)
    .bind(publication.doc_number)
    .execute(&mut **transaction)
    .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO normative_documents (agency_id, kind, number, title, made, published, repealed) \
             VALUES ($1, 'document', $2, $3, $4, $5, $6)",
        )
        .bind(agency_id)
        .bind(publication.doc_number)
        .bind(publication.title)
        .bind(&made)
        .bind(publication.published.to_string())
        .bind(publication.repealed.map(|day| day.to_string()))
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// The agency's terms for the item's 目录分类, 主题分类 and 体裁 (`vocabularies`): what was typed in another
/// form lands on the term; a value not in a set-up list is refused.
/// On an edit, `stored` holds the item's values as they are: kept even when a list set since leaves them out.
async fn terms(
    transaction: &mut Transaction,
    agency_id: i64,
    publication: &Publication<'_>,
    stored: Option<&[String; 3]>,
) -> Result<(String, String, String), StoreError> {
    let kept = |at: usize| stored.map(|values| values[at].as_str());
    Ok((
        vocabularies::term_in(
            transaction,
            agency_id,
            Kind::Category,
            publication.category,
            kept(0),
        )
        .await?,
        vocabularies::term_in(transaction, agency_id, Kind::Subject, publication.subject, kept(1))
            .await?,
        vocabularies::term_in(transaction, agency_id, Kind::Genre, publication.genre, kept(2))
            .await?,
    ))
}

/// Publishes a new item in the agency `code`; returns its id and 索引号.
pub async fn publish(
    store: &Store,
    code: &str,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(i64, String), StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let done = publish_in(&mut transaction, store, &agency, publication, actor).await?;
    transaction.commit().await?;
    Ok(done)
}

/// [`publish`], in the transaction of an API write made once (`once::Held`): its `Idempotency-Key` is kept
/// with the change, in one commit.
pub async fn publish_once(
    held: &mut crate::once::Held,
    store: &Store,
    agency: &agencies::AgencyRow,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(i64, String), StoreError> {
    publish_in(held.transaction(), store, agency, publication, actor).await
}

/// The write itself; nothing in it takes a second connection from the pool (a writer waiting for one while
/// holding SQLite's write lock would starve behind the writers queued for that lock).
async fn publish_in(
    transaction: &mut Transaction,
    store: &Store,
    agency: &agencies::AgencyRow,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(i64, String), StoreError> {
    check(publication)?;
    let (category, subject, genre) = terms(transaction, agency.id, publication, None).await?;
    let year = publication.published.year();
    let counter = format!("index:{}:{year}", agency.id);
    // The serial: the agency's items of the year plus one the first time, then one more each time. A number
    // the catalog already has (imported items numbered otherwise) is skipped.
    let mut attempt = 0;
    let (id, number) = loop {
        attempt += 1;
        let serial: i64 = sqlx::query(
            "INSERT INTO counters (name, value) VALUES ($1, (SELECT COUNT(*) + 1 FROM catalog_items \
             WHERE agency_id = $2 AND published >= $3 AND published < $4)) \
             ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
        )
        .bind(&counter)
        .bind(agency.id)
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .fetch_one(&mut **transaction)
        .await?
        .try_get("value")?;
        let number = index_number(
            &agency.index_pattern,
            &agency.code,
            publication.published,
            u64::try_from(serial).unwrap_or(0),
        )
        .map_err(Refused::IndexPattern)?;
        let taken: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM catalog_items WHERE agency_id = $1 AND index_number = $2",
        )
        .bind(agency.id)
        .bind(&number)
        .fetch_one(&mut **transaction)
        .await?
        .try_get("n")?;
        if taken > 0 && attempt < 1_000 {
            continue;
        }
        let id: i64 = sqlx::query(
            "INSERT INTO catalog_items (agency_id, index_number, title, summary, body, category, subject, genre, \
             doc_number, formed, published, validity, disclosure, normative) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, '主动公开', $13) RETURNING id",
        )
        .bind(agency.id)
        .bind(&number)
        .bind(publication.title.trim())
        .bind(publication.summary.trim())
        .bind(publication.body)
        .bind(&category)
        .bind(&subject)
        .bind(&genre)
        .bind(publication.doc_number.trim())
        .bind(publication.formed.map(|day| day.to_string()))
        .bind(publication.published.to_string())
        .bind(publication.validity)
        .bind(i64::from(publication.normative))
        .fetch_one(&mut **transaction)
        .await
        .map_err(|err| StoreError::on_unique(err, "index number", &number))?
        .try_get("id")?;
        break (id, number);
    };
    write_channels(transaction, id, publication.channels).await?;
    write_normative(transaction, agency.id, publication).await?;
    record_changes(transaction, store.backend(), &[id]).await?;
    let after = serde_json::json!({
        "index_number": number,
        "title": publication.title,
        "category": category,
        "published": publication.published.to_string(),
        "channels": publication.channels.iter().map(|(channel, day)| (channel.code(), day.to_string())).collect::<Vec<_>>(),
    })
    .to_string();
    audit::record(transaction, actor, "catalog.publish", &format!("item:{id}"), Some(&after))
        .await?;
    Ok((id, number))
}

/// The agency code and version of an item (the caller checks access and shows the version in the form).
pub async fn owner(store: &Store, item_id: i64) -> Result<Option<(String, i64)>, StoreError> {
    let row = sqlx::query(
        "SELECT g.code, c.version FROM catalog_items c JOIN agencies g ON g.id = c.agency_id WHERE c.id = $1",
    )
    .bind(item_id)
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| Ok((row.try_get("code")?, row.try_get("version")?))).transpose()
}

/// Edits an item if its version is still `expected_version` (the 索引号 never changes).
pub async fn edit(
    store: &Store,
    item_id: i64,
    expected_version: i64,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    edit_in(&mut transaction, store, item_id, expected_version, publication, actor).await?;
    transaction.commit().await?;
    Ok(())
}

/// [`edit`], in the transaction of an API write made once (`once::Held`): its `Idempotency-Key` is kept
/// with the change, in one commit.
pub async fn edit_once(
    held: &mut crate::once::Held,
    store: &Store,
    item_id: i64,
    expected_version: i64,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    edit_in(held.transaction(), store, item_id, expected_version, publication, actor).await
}

async fn edit_in(
    transaction: &mut Transaction,
    store: &Store,
    item_id: i64,
    expected_version: i64,
    publication: &Publication<'_>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    check(publication)?;
    let stored =
        sqlx::query("SELECT agency_id, category, subject, genre FROM catalog_items WHERE id = $1")
            .bind(item_id)
            .fetch_optional(&mut **transaction)
            .await?;
    let Some(stored) = stored else {
        return Err(StoreError::Conflict { expected: expected_version });
    };
    let agency_id: i64 = stored.try_get("agency_id")?;
    let values: [String; 3] =
        [stored.try_get("category")?, stored.try_get("subject")?, stored.try_get("genre")?];
    let (category, subject, genre) =
        terms(transaction, agency_id, publication, Some(&values)).await?;
    let updated = sqlx::query(
        "UPDATE catalog_items SET title = $1, summary = $2, body = $3, category = $4, subject = $5, genre = $6, \
         doc_number = $7, formed = $8, published = $9, validity = $10, normative = $11, version = version + 1 \
         WHERE id = $12 AND version = $13 AND withdrawn_at IS NULL",
    )
    .bind(publication.title.trim())
    .bind(publication.summary.trim())
    .bind(publication.body)
    .bind(&category)
    .bind(&subject)
    .bind(&genre)
    .bind(publication.doc_number.trim())
    .bind(publication.formed.map(|day| day.to_string()))
    .bind(publication.published.to_string())
    .bind(publication.validity)
    .bind(i64::from(publication.normative))
    .bind(item_id)
    .bind(expected_version)
    .execute(&mut **transaction)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::Conflict { expected: expected_version });
    }
    write_channels(transaction, item_id, publication.channels).await?;
    write_normative(transaction, agency_id, publication).await?;
    record_changes(transaction, store.backend(), &[item_id]).await?;
    let after = serde_json::json!({
        "title": publication.title,
        "category": category,
        "validity": publication.validity,
        "version": expected_version + 1,
    })
    .to_string();
    audit::record(transaction, actor, "catalog.edit", &format!("item:{item_id}"), Some(&after))
        .await?;
    Ok(())
}

/// What a bulk edit sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkField {
    Category,
    Validity,
}

/// Sets the category or validity of the agency's items `ids` (others' items are not touched); returns how
/// many changed.
pub async fn bulk_set(
    store: &Store,
    agency_id: i64,
    ids: &[i64],
    field: BulkField,
    value: &str,
    actor: &Actor<'_>,
) -> Result<usize, StoreError> {
    let value = value.trim();
    match field {
        BulkField::Validity if !VALIDITIES.contains(&value) => {
            return Err(StoreError::InvalidData(format!("validity `{value}`")));
        }
        BulkField::Category if value.is_empty() => {
            return Err(StoreError::InvalidData("an empty category".to_owned()));
        }
        _ => {}
    }
    let sql = match field {
        BulkField::Category => {
            "UPDATE catalog_items SET category = $1, version = version + 1 \
             WHERE id = $2 AND agency_id = $3 AND withdrawn_at IS NULL"
        }
        BulkField::Validity => {
            "UPDATE catalog_items SET validity = $1, version = version + 1 \
             WHERE id = $2 AND agency_id = $3 AND withdrawn_at IS NULL"
        }
    };
    let mut transaction = store.begin_write().await?;
    let term;
    let value = match field {
        BulkField::Category => {
            term = vocabularies::term_in(&mut transaction, agency_id, Kind::Category, value, None)
                .await?;
            term.as_str()
        }
        BulkField::Validity => value,
    };
    let mut changed = Vec::new();
    for id in ids {
        let updated = sqlx::query(sql)
            .bind(value)
            .bind(*id)
            .bind(agency_id)
            .execute(&mut *transaction)
            .await?;
        if updated.rows_affected() == 1 {
            changed.push(*id);
        }
    }
    record_changes(&mut transaction, store.backend(), &changed).await?;
    let after = serde_json::json!({
        "field": match field { BulkField::Category => "category", BulkField::Validity => "validity" },
        "value": value,
        "items": changed,
    })
    .to_string();
    audit::record(
        &mut transaction,
        actor,
        "catalog.bulk_edit",
        &format!("agency_id:{agency_id}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(changed.len())
}
