//! Each agency's controlled vocabularies ([`Vocabulary`]: 目录分类, 主题分类, 体裁), set by its admin, and
//! their use on every catalog write: publishing, editing, bulk edits and imports store the agency's term for
//! what was typed or imported (`gongkai_core::vocabulary`), or refuse a value not in a set-up list.

use gongkai_core::vocabulary::{Kind, Resolved, Vocabulary};
use sqlx::Row;

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
    let rows = sqlx::query(
        "SELECT term, alias_of FROM vocabulary_terms WHERE agency_id = $1 AND kind = $2 ORDER BY position",
    )
    .bind(agency_id)
    .bind(kind.code())
    .fetch_all(&mut *connection)
    .await?;
    if rows.is_empty() {
        let sql = format!(
            "SELECT {0} AS term FROM catalog_items WHERE agency_id = $1 AND {0} <> '' \
             GROUP BY {0} ORDER BY COUNT(*) DESC, {0}",
            column(kind)
        );
        let in_use = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(agency_id)
            .fetch_all(&mut *connection)
            .await?
            .iter()
            .map(|row| row.try_get("term"))
            .collect::<Result<Vec<String>, _>>()?;
        return Ok(Vocabulary::open(in_use));
    }
    let mut vocabulary = Vocabulary::default();
    for row in rows {
        let term: String = row.try_get("term")?;
        match row.try_get::<Option<String>, _>("alias_of")? {
            Some(of) => vocabulary.aliases.push((term, of)),
            None => vocabulary.terms.push(term),
        }
    }
    Ok(vocabulary)
}

/// The agency `code`'s list of `kind` (see [`load`]).
pub async fn vocabulary(store: &Store, code: &str, kind: Kind) -> Result<Vocabulary, StoreError> {
    let agency = agencies::by_code(store, code).await?;
    let mut connection = store.pool().acquire().await?;
    load(&mut connection, agency.id, kind).await
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

/// The agency's three lists, loaded once for a write (inside its transaction).
pub(crate) struct Lists {
    category: Vocabulary,
    subject: Vocabulary,
    genre: Vocabulary,
}

impl Lists {
    pub(crate) async fn load(
        transaction: &mut Transaction,
        agency_id: i64,
    ) -> Result<Lists, StoreError> {
        Ok(Lists {
            category: load(transaction, agency_id, Kind::Category).await?,
            subject: load(transaction, agency_id, Kind::Subject).await?,
            genre: load(transaction, agency_id, Kind::Genre).await?,
        })
    }

    pub(crate) fn list(&self, kind: Kind) -> &Vocabulary {
        match kind {
            Kind::Category => &self.category,
            Kind::Subject => &self.subject,
            Kind::Genre => &self.genre,
        }
    }

    /// The term to store for `value` of `kind` ("" for none), or the refusal.
    pub(crate) fn term(&self, kind: Kind, value: &str) -> Result<String, StoreError> {
        resolved(kind, self.list(kind).resolve(kind, value))
    }
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
