//! Each agency's controlled vocabularies ([`Vocabulary`]: 目录分类, 主题分类, 体裁), set by its admin, and
//! their use on every catalog write: publishing, editing, bulk edits and imports store the agency's term for
//! what was typed or imported (`gongkai_core::vocabulary`), or refuse a value not in a set-up list.

use std::borrow::Cow;

use gongkai_core::records::CatalogItem;
use gongkai_core::vocabulary::{Kind, Resolved, Vocabulary};
use sqlx::Row;

use crate::catalog::{ItemMetadata, NewItem};
use crate::{Actor, Store, StoreError, Transaction, agencies, audit};

/// The column of `catalog_items` a kind is stored in.
fn column(kind: Kind) -> &'static str {
    match kind {
        Kind::Category => "category",
        Kind::Subject => "subject",
        Kind::Genre => "genre",
    }
}

/// The agency's list of `kind`: the terms its admin set, or, when none are set, an open list of the values
/// its items use (most used first).
pub(crate) async fn load(
    connection: &mut sqlx::AnyConnection,
    agency_id: i64,
    kind: Kind,
) -> Result<Vocabulary, StoreError> {
    match set_list(connection, agency_id, kind).await? {
        Some(list) => Ok(list),
        None => Ok(Vocabulary::open(in_use(connection, agency_id, kind).await?)),
    }
}

/// The values the agency's items use for `kind`, most used first.
async fn in_use(
    connection: &mut sqlx::AnyConnection,
    agency_id: i64,
    kind: Kind,
) -> Result<Vec<String>, StoreError> {
    let sql = format!(
        "SELECT {0} AS term FROM catalog_items WHERE agency_id = $1 AND {0} <> '' \
         GROUP BY {0} ORDER BY COUNT(*) DESC, {0}",
        column(kind)
    );
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id).fetch_all(&mut *connection).await?;
    Ok(rows.iter().map(|row| row.try_get("term")).collect::<Result<Vec<String>, _>>()?)
}

/// The list of `kind` the agency's admin set, if any.
async fn set_list(
    connection: &mut sqlx::AnyConnection,
    agency_id: i64,
    kind: Kind,
) -> Result<Option<Vocabulary>, StoreError> {
    let rows = sqlx::query(
        "SELECT term, alias_of FROM vocabulary_terms WHERE agency_id = $1 AND kind = $2 ORDER BY position",
    )
    .bind(agency_id)
    .bind(kind.code())
    .fetch_all(&mut *connection)
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut vocabulary = Vocabulary::default();
    for row in rows {
        let term: String = row.try_get("term")?;
        match row.try_get::<Option<String>, _>("alias_of")? {
            Some(of) => vocabulary.aliases.push((term, of)),
            None => vocabulary.terms.push(term),
        }
    }
    Ok(Some(vocabulary))
}

/// Items to import with the agency's terms for their 目录分类, 主题分类 and 体裁 (values from other systems
/// land on the terms; an item is copied only when one of its values changes), all resolved before anything
/// is written: a value outside a set list refuses the whole import.
pub(crate) async fn resolve_items<'a>(
    connection: &mut sqlx::AnyConnection,
    agency_id: i64,
    items: impl IntoIterator<Item = &'a NewItem>,
) -> Result<Vec<(Cow<'a, CatalogItem>, Cow<'a, ItemMetadata>)>, StoreError> {
    let category = load(connection, agency_id, Kind::Category).await?;
    let subject = load(connection, agency_id, Kind::Subject).await?;
    let genre = load(connection, agency_id, Kind::Genre).await?;
    let mut categories = category.resolver(Kind::Category);
    let mut subjects = subject.resolver(Kind::Subject);
    let mut genres = genre.resolver(Kind::Genre);
    let mut resolved = Vec::new();
    for item in items {
        let category = self::resolved(Kind::Category, categories.resolve(&item.record.category))?;
        let subject = self::resolved(Kind::Subject, subjects.resolve(&item.metadata.subject))?;
        let genre = self::resolved(Kind::Genre, genres.resolve(&item.metadata.genre))?;
        let record = if category == item.record.category {
            Cow::Borrowed(&item.record)
        } else {
            Cow::Owned(CatalogItem { category, ..item.record.clone() })
        };
        let metadata = if subject == item.metadata.subject && genre == item.metadata.genre {
            Cow::Borrowed(&item.metadata)
        } else {
            Cow::Owned(ItemMetadata { subject, genre, ..item.metadata.clone() })
        };
        resolved.push((record, metadata));
    }
    Ok(resolved)
}

/// The agency `code`'s list of `kind` (see [`load`]).
pub async fn vocabulary(store: &Store, code: &str, kind: Kind) -> Result<Vocabulary, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut connection = store.pool().acquire().await?;
    load(&mut connection, agency.id, kind).await
}

/// The agency `code`'s three lists, in [`Kind::ALL`]'s order (the pages that show them all).
pub async fn lists(store: &Store, code: &str) -> Result<Vec<(Kind, Vocabulary)>, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut connection = store.pool().acquire().await?;
    let mut lists = Vec::with_capacity(Kind::ALL.len());
    for kind in Kind::ALL {
        lists.push((kind, load(&mut connection, agency.id, kind).await?));
    }
    Ok(lists)
}

/// Sets the agency `code`'s list of `kind` (audited with before and after); an empty list makes it open
/// again. Refused with the first problem when the list would confuse (`Vocabulary::problems`). Items keep
/// their values: a value the new list names otherwise is rewritten on the item's next edit.
pub async fn set(
    store: &Store,
    code: &str,
    kind: Kind,
    vocabulary: &Vocabulary,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    if let Some(problem) = vocabulary.problems(kind).into_iter().next() {
        return Err(StoreError::InvalidData(problem));
    }
    let agency = agencies::by_code(store, code).await?;
    let before = {
        let mut connection = store.pool().acquire().await?;
        load(&mut connection, agency.id, kind).await?
    };
    let mut transaction = store.begin_write().await?;
    sqlx::query("DELETE FROM vocabulary_terms WHERE agency_id = $1 AND kind = $2")
        .bind(agency.id)
        .bind(kind.code())
        .execute(&mut *transaction)
        .await?;
    let rows = vocabulary
        .terms
        .iter()
        .map(|term| (term, None))
        .chain(vocabulary.aliases.iter().map(|(alias, term)| (alias, Some(term))));
    for (position, (term, alias_of)) in rows.enumerate() {
        sqlx::query(
            "INSERT INTO vocabulary_terms (agency_id, kind, position, term, alias_of) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(agency.id)
        .bind(kind.code())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(term)
        .bind(alias_of)
        .execute(&mut *transaction)
        .await
        .map_err(|err| StoreError::on_unique(err, "vocabulary term", term))?;
    }
    let json = |vocabulary: &Vocabulary| {
        serde_json::json!({
            "terms": vocabulary.terms,
            "aliases": vocabulary.aliases,
            "open": vocabulary.open,
        })
        .to_string()
    };
    audit::record_change(
        &mut transaction,
        actor,
        "vocabulary.set",
        &format!("agency:{code}:{}", kind.code()),
        Some(&json(&before)),
        Some(&json(vocabulary)),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The term to store for `value` of `kind` in the agency's write (inside its transaction, so cheap in the
/// common case): "" for none; in a set list, its term or the refusal; in an open list, the value itself when
/// an item already uses it (one indexed lookup), else the list of values in use is read to join a value
/// written otherwise ("工作信息类" → "工作信息"). `kept` is the item's stored value on an edit: kept as it is even
/// when a list set since leaves it out, so that a title can still be corrected.
pub(crate) async fn term_in(
    transaction: &mut Transaction,
    agency_id: i64,
    kind: Kind,
    value: &str,
    kept: Option<&str>,
) -> Result<String, StoreError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(String::new());
    }
    if let Some(list) = set_list(transaction, agency_id, kind).await? {
        return match list.resolve(kind, value) {
            Resolved::Unknown(_) if kept == Some(value) => Ok(value.to_owned()),
            resolved => self::resolved(kind, resolved),
        };
    }
    let sql = format!(
        "SELECT 1 AS one FROM catalog_items WHERE agency_id = $1 AND {} = $2 LIMIT 1",
        column(kind)
    );
    let used = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(agency_id)
        .bind(value)
        .fetch_optional(&mut **transaction)
        .await?
        .is_some();
    if used {
        return Ok(value.to_owned());
    }
    let open = Vocabulary::open(in_use(transaction, agency_id, kind).await?);
    resolved(kind, open.resolve(kind, value))
}

/// A resolution of a value of `kind` as the store writes it.
pub(crate) fn resolved(kind: Kind, resolved: Resolved) -> Result<String, StoreError> {
    match resolved {
        Resolved::Empty => Ok(String::new()),
        Resolved::Term(term) => Ok(term),
        Resolved::Unknown(message) => Err(StoreError::Refused(crate::Refused::NotInVocabulary {
            field: kind.code(),
            message,
        })),
    }
}
