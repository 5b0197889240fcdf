//! Finding cases: by tracking number, text, date of receipt, open or closed, outcome and handler, a page at a
//! time, with the exact number of matches.
//!
//! Text is matched as a substring of the request's description or the applicant's name. On SQLite an FTS5
//! table (`application_search`, schema 14) holds each application's text as character bigrams — every pair of
//! adjacent CJK characters, the last character of each run alone, and other words lowercased — so "拆迁补偿"
//! is the phrase "拆迁 迁补 补偿" and a single character a prefix query: exactly substring semantics, from an
//! index. The table is filled from the applications added since it was last brought up to date (their text
//! never changes), so every way an application arrives (online, counter, register import, transfer, restore)
//! is found without each having to write it: a search first indexes up to one batch of them itself, and any
//! still beyond the index (after an upgrade or a bulk import, while the server's background [`catch_up`]
//! works through them) are matched by a scan, so no search waits for the whole backlog and none misses an
//! application. On PostgreSQL the text is matched with `strpos` on lowercased text (a scan).

use sqlx::Row;
use time::Date;

use super::{Case, SELECT, case_from_row, step_from_row};
use crate::{Backend, Store, StoreError};

/// Open or closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Any,
    /// No outcome recorded yet.
    Open,
    /// Replied to or closed.
    Closed,
}

/// Who handles the case.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Handler {
    #[default]
    Any,
    Unassigned,
    User(String),
}

/// The outcome groups a search can ask for: (code, label, the stored outcome's JSON as a LIKE pattern).
pub const OUTCOMES: [(&str, &str, &str); 10] = [
    ("already_published", "已主动公开", "\"already\\_published\""),
    ("disclosed", "予以公开", "\"disclosed\""),
    ("partially_disclosed", "部分公开", "\"partially\\_disclosed\""),
    ("withheld", "不予公开", "{\"withheld\":%"),
    ("unavailable", "无法提供", "{\"unavailable\":%"),
    ("not_this_agency", "不属于本机关", "\"not\\_this\\_agency\""),
    ("not_processed", "不予处理", "{\"not\\_processed\":%"),
    ("other_handling", "其他处理", "{\"other\\_handling\":%"),
    ("told_to_amend", "告知作出更改补充", "\"told\\_to\\_amend\""),
    ("told_other_channel", "告知通过其他途径办理", "\"told\\_other\\_channel\""),
];

/// What to look for; every field set narrows the result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CaseQuery {
    /// Part of the tracking number.
    pub number: String,
    /// Words (separated by spaces), each a substring of the description — or of the applicant's name, in the
    /// cases `handled_by` handles.
    pub text: String,
    /// The searching user: the applicant's name is searched only in the cases this user handles, the only
    /// ones where they see it (a name typed in must not tell anyone else whether that person applied).
    pub handled_by: Option<String>,
    /// Received on or after.
    pub from: Option<Date>,
    /// Received on or before.
    pub to: Option<Date>,
    pub status: Status,
    /// A code of [`OUTCOMES`].
    pub outcome: Option<String>,
    pub handler: Handler,
}

/// Text matches (on the whole platform) up to which a search looks its cases up by id.
const BY_ID_UP_TO: i64 = 20_000;

/// Matches counted up to this many.
pub const COUNT_CAP: i64 = 10_000;

/// How many cases match: `at_least`, exactly unless `more` (beyond [`COUNT_CAP`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Total {
    pub at_least: i64,
    pub more: bool,
}

/// One page of matches, newest submitted first.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub cases: Vec<Case>,
    pub total: Total,
}

/// The highest application id in the text and number indexes.
async fn indexed(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT indexed FROM application_search_mark WHERE id = 1")
        .fetch_one(store.pool())
        .await?
        .try_get("indexed")?)
}

/// Why a query cannot be run.
fn invalid(message: String) -> StoreError {
    StoreError::InvalidData(message)
}

/// Adds `value` to the bound values; returns its placeholder.
fn bind(values: &mut Vec<String>, value: String) -> String {
    values.push(value);
    format!("${}", values.len())
}

/// A search's conditions beyond the agency test, their bound values, and whether the matches are selected
/// by id from an index (text or number).
struct Where {
    conditions: Vec<String>,
    values: Vec<String>,
    by_id: bool,
}

impl Where {
    /// The conditions of `query`; `None` when its words hold nothing that can occur in any text.
    async fn of(store: &Store, query: &CaseQuery) -> Result<Option<Where>, StoreError> {
        let mut clause = Where { conditions: Vec::new(), values: Vec::new(), by_id: false };
        let number = query.number.trim();
        let words: Vec<&str> = query.text.split_whitespace().collect();
        let sqlite = store.backend() == Backend::Sqlite;
        let indexed_number = sqlite && number.chars().count() >= 3;
        // The indexes are brought up to date (one batch at most) once, and the rows past them scanned.
        let indexed = if indexed_number || (sqlite && !words.is_empty()) {
            catch_up(store, Some(1)).await?;
            Some(indexed(store).await?)
        } else {
            None
        };
        if !number.is_empty() {
            clause.number(number, indexed.filter(|_| indexed_number));
        }
        if !words.is_empty() && !clause.text(store, query, &words, indexed).await? {
            return Ok(None);
        }
        clause.filters(query)?;
        Ok(Some(clause))
    }

    fn bind(&mut self, value: String) -> String {
        bind(&mut self.values, value)
    }

    /// Part of the tracking number: from the trigram index (three characters or more, SQLite), else a scan.
    fn number(&mut self, number: &str, indexed: Option<i64>) {
        let like = self.bind(format!("%{}%", escape_like(number)));
        let scanned = format!("tracking_number LIKE {like} ESCAPE '\\'");
        match indexed {
            Some(indexed) => {
                let phrase = self.bind(format!("\"{}\"", number.replace('"', "\"\"")));
                self.conditions.push(format!(
                    "a.id IN (SELECT rowid FROM application_numbers WHERE application_numbers MATCH {phrase} \
                     UNION ALL SELECT id FROM applications WHERE id > {indexed} AND {scanned})"
                ));
                self.by_id = true;
            }
            None => self.conditions.push(format!("a.{scanned}")),
        }
    }

    /// The words, each a substring of the description — or of the applicant's name in the searcher's own
    /// cases. On SQLite from the bigram index (rows past it scanned); on PostgreSQL a scan. False when the
    /// words hold nothing searchable.
    async fn text(
        &mut self,
        store: &Store,
        query: &CaseQuery,
        words: &[&str],
        indexed: Option<i64>,
    ) -> Result<bool, StoreError> {
        let (in_description, in_either) = match indexed {
            Some(indexed) => {
                let (Some(description), Some(either)) =
                    (fts_query(words, false), fts_query(words, true))
                else {
                    return Ok(false);
                };
                // Few matches on the whole platform: fetched by id. Many (a common word): read in the
                // agency's order, each row tested against them, which is cheaper than that many lookups.
                let widest = if query.handled_by.is_some() { &either } else { &description };
                let matches: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) AS n FROM (SELECT rowid FROM application_search \
                     WHERE application_search MATCH $1 LIMIT {}) m",
                    BY_ID_UP_TO + 1
                )))
                .bind(widest.clone())
                .fetch_one(store.pool())
                .await?
                .try_get("n")?;
                self.by_id |= matches <= BY_ID_UP_TO;
                // The rows past the index are scanned inside the subquery (by id range), so the outer query
                // still selects by id.
                let (scan_description, scan_either) = self.scan(store.backend(), words, "a2");
                let mut matching = |expression: String, scanned: String| {
                    format!(
                        "a.id IN (SELECT rowid FROM application_search WHERE application_search MATCH {} \
                         UNION ALL SELECT a2.id FROM applications a2 WHERE a2.id > {indexed} AND {scanned})",
                        self.bind(expression)
                    )
                };
                (matching(description, scan_description), matching(either, scan_either))
            }
            None => self.scan(store.backend(), words, "a"),
        };
        let condition = match &query.handled_by {
            Some(username) => {
                let me = self.bind(username.clone());
                format!(
                    "(({in_description}) OR (a.handler_id = (SELECT id FROM users WHERE username = {me}) \
                     AND ({in_either})))"
                )
            }
            None => format!("({in_description})"),
        };
        self.conditions.push(condition);
        Ok(true)
    }

    /// The words as substrings of the lowercased text of the rows named `alias`: in the description, and in
    /// the description or the applicant's name.
    fn scan(&mut self, backend: Backend, words: &[&str], alias: &str) -> (String, String) {
        let placeholders: Vec<String> =
            words.iter().map(|word| self.bind((*word).to_owned())).collect();
        let contains = |column: &str, placeholder: &str| match backend {
            Backend::Sqlite => format!("instr(lower({alias}.{column}), lower({placeholder}))"),
            Backend::Postgres => {
                format!("strpos(lower({alias}.{column}), lower({placeholder})) > 0")
            }
        };
        let all = |either: bool| {
            placeholders
                .iter()
                .map(|p| {
                    if either {
                        format!(
                            "({} OR {})",
                            contains("description", p),
                            contains("applicant_name", p)
                        )
                    } else {
                        contains("description", p)
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        (all(false), all(true))
    }

    /// Dates, open or closed, outcome group, handler.
    fn filters(&mut self, query: &CaseQuery) -> Result<(), StoreError> {
        if let Some(from) = query.from {
            let placeholder = self.bind(from.to_string());
            self.conditions.push(format!("a.submitted >= {placeholder}"));
        }
        if let Some(to) = query.to {
            let placeholder = self.bind(to.to_string());
            self.conditions.push(format!("a.submitted <= {placeholder}"));
        }
        match query.status {
            Status::Any => {}
            Status::Open => self.conditions.push("a.outcome IS NULL".to_owned()),
            Status::Closed => self.conditions.push("a.outcome IS NOT NULL".to_owned()),
        }
        if let Some(code) = &query.outcome {
            let (_, _, pattern) = OUTCOMES
                .iter()
                .find(|(known, _, _)| known == code)
                .ok_or_else(|| invalid(format!("unknown outcome `{code}`")))?;
            let placeholder = self.bind((*pattern).to_owned());
            self.conditions.push(format!("a.outcome LIKE {placeholder} ESCAPE '\\'"));
        }
        match &query.handler {
            Handler::Any => {}
            Handler::Unassigned => self.conditions.push("a.handler_id IS NULL".to_owned()),
            Handler::User(username) => {
                let placeholder = self.bind(username.clone());
                self.conditions.push(format!(
                    "a.handler_id = (SELECT id FROM users WHERE username = {placeholder})"
                ));
            }
        }
        Ok(())
    }
}

/// The cases of the agencies `agency_ids` matching `query`: page `page` (from 1) of `per_page`, each with its
/// steps, and the number of all matches.
pub async fn search(
    store: &Store,
    agency_ids: &[i64],
    query: &CaseQuery,
    page: u32,
    per_page: u32,
) -> Result<Found, StoreError> {
    if agency_ids.is_empty() || per_page == 0 {
        return Ok(Found { cases: Vec::new(), total: Total::default() });
    }
    if page == 0 {
        return Err(invalid("page numbers start at 1".to_owned()));
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        return Err(invalid(format!("the date range is reversed: {from} is after {to}")));
    }
    let Some(clause) = Where::of(store, query).await? else {
        // Nothing in the words can occur in any text (e.g. punctuation only).
        return Ok(Found { cases: Vec::new(), total: Total::default() });
    };
    let Where { conditions, values, by_id } = clause;
    // Composed from constants and integer ids only; values are bound. With the matches selected by id, the
    // agency test is kept off its index (`+`), so SQLite looks them up by id instead of reading every
    // application of the agency.
    let ids = agency_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let condition_with = |by_id: bool| {
        let agency = format!("{}a.agency_id IN ({ids})", if by_id { "+" } else { "" });
        std::iter::once(agency).chain(conditions.iter().cloned()).collect::<Vec<_>>().join(" AND ")
    };

    // Counted up to the cap: beyond it an exact figure costs a pass over every match and tells a clerk
    // nothing a narrower search would not.
    let count_sql = format!(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM applications a WHERE {} LIMIT {}) capped",
        condition_with(by_id),
        COUNT_CAP + 1
    );
    let mut count = sqlx::query(sqlx::AssertSqlSafe(count_sql));
    for value in &values {
        count = count.bind(value.clone());
    }
    let counted: i64 = count.fetch_one(store.pool()).await?.try_get("n")?;
    let total = Total { at_least: counted.min(COUNT_CAP), more: counted > COUNT_CAP };
    let offset = i64::from(page - 1) * i64::from(per_page);
    if !total.more && total.at_least <= offset {
        return Ok(Found { cases: Vec::new(), total });
    }
    // A few thousand matches are fetched by id and sorted; more are read newest first from the agency's
    // index until the page is full.
    let (condition, order) = if total.more || store.backend() != Backend::Sqlite {
        (condition_with(by_id && !total.more), "a.submitted DESC, a.id DESC")
    } else {
        (condition_with(by_id), "+a.submitted DESC, a.id DESC")
    };
    // The page's ids first (from the index alone where the conditions allow), then their rows: skipping
    // thousands of rows for a late page then reads no more than the index.
    let page_sql = format!(
        "{SELECT} WHERE a.id IN (SELECT a.id FROM applications a WHERE {condition} ORDER BY {order} \
         LIMIT {per_page} OFFSET {offset}) ORDER BY a.submitted DESC, a.id DESC"
    );
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(page_sql));
    for value in &values {
        rows = rows.bind(value.clone());
    }
    let mut cases: Vec<Case> =
        rows.fetch_all(store.pool()).await?.iter().map(case_from_row).collect::<Result<_, _>>()?;
    if cases.is_empty() {
        // Closed or moved since the count (and `IN ()` is no SQL on PostgreSQL).
        return Ok(Found { cases, total });
    }
    let ids = cases.iter().map(|case| case.id.to_string()).collect::<Vec<_>>().join(",");
    let events_sql = format!(
        "SELECT application_id, seq, event, details, recorded_by, recorded_at FROM application_events \
         WHERE application_id IN ({ids}) ORDER BY application_id, seq"
    );
    let position: std::collections::HashMap<i64, usize> =
        cases.iter().enumerate().map(|(index, case)| (case.id, index)).collect();
    for row in sqlx::query(sqlx::AssertSqlSafe(events_sql)).fetch_all(store.pool()).await? {
        let id: i64 = row.try_get("application_id")?;
        if let Some(&index) = position.get(&id) {
            cases[index].steps.push(step_from_row(&row)?);
        }
    }
    Ok(Found { cases, total })
}

/// `text` with LIKE's wildcards and the escape character escaped (for `ESCAPE '\'`).
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    escaped
}

/// Applications indexed per transaction while catching up.
const CATCH_UP_BATCH: i64 = 2_000;

/// Whether some application is not yet in `application_search`.
async fn behind(store: &Store) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM applications \
         WHERE id > (SELECT indexed FROM application_search_mark WHERE id = 1) LIMIT 1) m",
    )
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// How far a catch-up got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaughtUp {
    pub added: u64,
    /// Whether every application is now indexed.
    pub complete: bool,
}

/// Adds the applications not yet in `application_search` (SQLite), in batches of 2,000 each in its own
/// transaction — all of them, or `max_batches` batches at most. Applications are never deleted and their
/// description and applicant never change, so the rows past the highest id indexed
/// (`application_search_mark`) are all that is missing; the write lock taken first makes concurrent
/// catch-ups run one after the other.
pub async fn catch_up(store: &Store, max_batches: Option<usize>) -> Result<CaughtUp, StoreError> {
    let mut caught = CaughtUp { added: 0, complete: true };
    if store.backend() != Backend::Sqlite {
        return Ok(caught);
    }
    let mut batches = 0;
    while behind(store).await? {
        if max_batches.is_some_and(|max| batches >= max) {
            caught.complete = false;
            return Ok(caught);
        }
        batches += 1;
        let mut transaction = store.begin_write().await?;
        let rows = sqlx::query(
            "SELECT id, tracking_number, description, applicant_name FROM applications \
             WHERE id > (SELECT indexed FROM application_search_mark WHERE id = 1) ORDER BY id LIMIT $1",
        )
        .bind(CATCH_UP_BATCH)
        .fetch_all(&mut *transaction)
        .await?;
        let Some(last) = rows.last() else {
            continue;
        };
        let last: i64 = last.try_get("id")?;
        for row in &rows {
            let description: String = row.try_get("description")?;
            let name: String = row.try_get("applicant_name")?;
            let id: i64 = row.try_get("id")?;
            sqlx::query(
                "INSERT INTO application_search (rowid, description, applicant) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(terms(&description))
            .bind(terms(&name))
            .execute(&mut *transaction)
            .await?;
            sqlx::query("INSERT INTO application_numbers (rowid, number) VALUES ($1, $2)")
                .bind(id)
                .bind(row.try_get::<String, _>("tracking_number")?)
                .execute(&mut *transaction)
                .await?;
            caught.added += 1;
        }
        sqlx::query("UPDATE application_search_mark SET indexed = $1 WHERE id = 1")
            .bind(last)
            .execute(&mut *transaction)
            .await?;
        transaction.commit().await?;
    }
    Ok(caught)
}

/// Whether `ch` is written without spaces between words (CJK ideographs, kana, hangul).
fn is_cjk(ch: char) -> bool {
    matches!(ch,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{ac00}'..='\u{d7af}'
        | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

/// A run of characters of one kind.
enum Run {
    Cjk(Vec<char>),
    Word(String),
}

/// The runs of `text`: CJK characters, words of other letters and digits (lowercased); everything else
/// separates them.
fn runs(text: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut current: Option<Run> = None;
    for ch in text.chars() {
        let next = if is_cjk(ch) {
            Some(true)
        } else if ch.is_alphanumeric() {
            Some(false)
        } else {
            None
        };
        match (next, current.as_mut()) {
            (Some(true), Some(Run::Cjk(chars))) => chars.push(ch),
            (Some(false), Some(Run::Word(word))) => word.extend(ch.to_lowercase()),
            (None, _) => runs.extend(current.take()),
            (Some(cjk), _) => {
                runs.extend(current.take());
                current = Some(if cjk {
                    Run::Cjk(vec![ch])
                } else {
                    Run::Word(ch.to_lowercase().collect())
                });
            }
        }
    }
    runs.extend(current);
    runs
}

/// The indexed form of `text`: space-separated bigrams of each CJK run and its last character, and the other
/// words.
pub fn terms(text: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    for run in runs(text) {
        match run {
            Run::Cjk(chars) => {
                out.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
                out.extend(chars.last().map(char::to_string));
            }
            Run::Word(word) => out.push(word),
        }
    }
    out.join(" ")
}

/// The FTS5 query for the words (all must match), in the description only or also in the applicant's name;
/// `None` when they hold nothing searchable.
fn fts_query(words: &[&str], in_applicant: bool) -> Option<String> {
    let mut phrases: Vec<String> = Vec::new();
    for word in words {
        for run in runs(word) {
            phrases.push(match run {
                Run::Cjk(chars) if chars.len() == 1 => format!("\"{}\"*", chars[0]),
                Run::Cjk(chars) => {
                    let bigrams: Vec<String> =
                        chars.windows(2).map(|pair| pair.iter().collect()).collect();
                    format!("\"{}\"", bigrams.join(" "))
                }
                // Letters and digits only: no quote can occur inside.
                Run::Word(word) => format!("\"{word}\"*"),
            });
        }
    }
    if phrases.is_empty() {
        return None;
    }
    let all = phrases.join(" AND ");
    Some(if in_applicant { all } else { format!("description : ({all})") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_bigrams_last_characters_and_words() {
        assert_eq!(terms("拆迁补偿"), "拆迁 迁补 补偿 偿");
        assert_eq!(terms("关于2025年ABC项目"), "关于 于 2025 年 abc 项目 目");
        assert_eq!(terms("张三"), "张三 三");
        assert_eq!(terms("，。！"), "");
    }

    #[test]
    fn queries_are_phrases_of_bigrams_or_prefixes() {
        assert_eq!(fts_query(&["拆迁补偿"], true).as_deref(), Some("\"拆迁 迁补 补偿\""));
        assert_eq!(fts_query(&["迁", "abc"], true).as_deref(), Some("\"迁\"* AND \"abc\"*"));
        assert_eq!(fts_query(&["2025年"], true).as_deref(), Some("\"2025\"* AND \"年\"*"));
        assert_eq!(fts_query(&["\"*()"], true), None);
        assert_eq!(fts_query(&["张三"], false).as_deref(), Some("description : (\"张三\")"));
    }

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }
}
