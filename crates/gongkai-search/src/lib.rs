//! Chinese full-text search over the catalog: a tantivy index whose text fields are cut by jieba (search
//! mode, so 政府信息公开 is found by 公开 and by 信息公开), with the disclosure field's own words added to the
//! dictionary, exact matches on 文号 and 索引号, facets by agency, category, year and document type,
//! highlighted snippets, and sorting by relevance or date.
//!
//! The index is a cache of the database: `gongkai index rebuild` makes it from the catalog, and each instance
//! keeps it current from the catalog's outbox. The last outbox sequence applied is kept in the index's commit
//! payload, so a restarted instance continues where it stopped.

mod tokenizer;

use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

pub use tokenizer::{DOMAIN_WORDS, JiebaTokenizer, terms};

/// Why the index failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
}

/// A document to index: a catalog item (or, in benchmarks, any text with a title).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Document {
    pub id: u64,
    pub agency_code: String,
    pub agency_name: String,
    pub index_number: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub category: String,
    /// 体裁 (document type), e.g. 通知.
    pub genre: String,
    pub doc_number: String,
    /// `YYYY-MM-DD`.
    pub published: String,
}

/// How to order hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search request; `text` is what the user typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Request {
    pub text: String,
    pub agency: Option<String>,
    pub category: Option<String>,
    pub year: Option<i32>,
    pub genre: Option<String>,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Count facets (the search page does; the API and the benchmark need not).
    pub facets: bool,
    /// Make highlighted snippets.
    pub snippets: bool,
    /// Match items having any of the words (ranked by how many and how well) instead of all of them: for
    /// suggestions while an applicant describes a request in a sentence.
    pub any_word: bool,
}

/// One hit. `title_html` and `snippet_html` are HTML-escaped with matches in `<mark>`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: u64,
    pub score: f32,
    pub title: String,
    pub title_html: String,
    pub snippet_html: String,
    pub agency_code: String,
    pub agency_name: String,
    pub category: String,
    pub genre: String,
    pub doc_number: String,
    pub index_number: String,
    pub published: String,
}

/// Facet counts of the whole result set, largest first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Facets {
    pub agencies: Vec<(String, u64)>,
    pub categories: Vec<(String, u64)>,
    pub years: Vec<(String, u64)>,
    pub genres: Vec<(String, u64)>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// The query had no searchable word (empty, or punctuation only).
    pub empty_query: bool,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    summary: Field,
    body: Field,
    doc_number_text: Field,
    doc_number: Field,
    index_number: Field,
    agency_code: Field,
    agency_name: Field,
    category: Field,
    genre: Field,
    published: Field,
    day: Field,
    facets: Field,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer::NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED | FAST),
        title: builder.add_text_field("title", text(true)),
        summary: builder.add_text_field("summary", text(true)),
        body: builder.add_text_field("body", text(true)),
        doc_number_text: builder.add_text_field("doc_number_text", text(false)),
        doc_number: builder.add_text_field("doc_number", STRING | STORED),
        index_number: builder.add_text_field("index_number", STRING | STORED),
        agency_code: builder.add_text_field("agency_code", STRING | STORED),
        agency_name: builder.add_text_field("agency_name", STORED),
        category: builder.add_text_field("category", STRING | STORED),
        genre: builder.add_text_field("genre", STRING | STORED),
        published: builder.add_text_field("published", STORED),
        day: builder.add_u64_field("day", INDEXED | FAST),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
    };
    (builder.build(), fields)
}

/// A search index on disk (or in memory for tests).
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

/// Heap for the index writer, split among its threads.
const WRITER_HEAP: usize = 128 * 1024 * 1024;

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when missing. An index whose schema is not
    /// this build's is recreated empty (the caller rebuilds it from the database).
    pub fn open(dir: &Path) -> Result<SearchIndex, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        // Random access: without readahead a query maps in the pages it reads, not 128 KiB around each
        // (on a 1M-document index, readahead tripled the resident index pages of a search server).
        let directory = tantivy::directory::MmapDirectory::open_with_madvice(
            dir,
            tantivy::directory::Advice::Random,
        )?;
        let index = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => {
                for entry in std::fs::read_dir(dir)? {
                    let path = entry?.path();
                    if path.is_file() {
                        std::fs::remove_file(path)?;
                    }
                }
                Index::create_in_dir(dir, schema)?
            }
            Err(err) => return Err(err.into()),
        };
        SearchIndex::with_index(index, fields)
    }

    /// An index in memory.
    pub fn in_memory() -> Result<SearchIndex, SearchError> {
        let (schema, fields) = schema();
        SearchIndex::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<SearchIndex, SearchError> {
        index.tokenizers().register(tokenizer::NAME, JiebaTokenizer);
        let writer = index.writer(WRITER_HEAP)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { index, reader, writer: Mutex::new(writer), fields })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds or replaces documents (by id); visible after [`SearchIndex::commit`].
    pub fn upsert<'d>(
        &self,
        documents: impl IntoIterator<Item = &'d Document>,
    ) -> Result<(), SearchError> {
        let writer = self.writer();
        for document in documents {
            writer.delete_term(Term::from_field_u64(self.fields.id, document.id));
            writer.add_document(self.to_tantivy(document))?;
        }
        Ok(())
    }

    /// Removes documents by id; visible after [`SearchIndex::commit`].
    pub fn remove(&self, ids: impl IntoIterator<Item = u64>) {
        let writer = self.writer();
        for id in ids {
            writer.delete_term(Term::from_field_u64(self.fields.id, id));
        }
    }

    /// Removes every document.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.writer().delete_all_documents()?;
        Ok(())
    }

    /// Commits the pending changes with `marker` (the last outbox sequence applied) and makes them visible.
    pub fn commit(&self, marker: i64) -> Result<(), SearchError> {
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&marker.to_string());
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The marker of the last commit (`None` for a new index).
    pub fn marker(&self) -> Result<Option<i64>, SearchError> {
        Ok(self.index.load_metas()?.payload.and_then(|payload| payload.parse().ok()))
    }

    /// How many documents are searchable.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn to_tantivy(&self, document: &Document) -> TantivyDocument {
        let fields = self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.id, document.id);
        doc.add_text(fields.title, &document.title);
        doc.add_text(fields.summary, &document.summary);
        doc.add_text(fields.body, &document.body);
        doc.add_text(fields.doc_number_text, &document.doc_number);
        doc.add_text(fields.doc_number, normalize_number(&document.doc_number));
        doc.add_text(fields.index_number, normalize_number(&document.index_number));
        doc.add_text(fields.agency_code, &document.agency_code);
        doc.add_text(fields.agency_name, &document.agency_name);
        doc.add_text(fields.category, &document.category);
        doc.add_text(fields.genre, &document.genre);
        doc.add_text(fields.published, &document.published);
        doc.add_u64(fields.day, day_number(&document.published));
        let year = document.published.get(..4).unwrap_or("0000");
        doc.add_facet(fields.facets, Facet::from_path(["agency", document.agency_code.as_str()]));
        doc.add_facet(fields.facets, Facet::from_path(["category", document.category.as_str()]));
        doc.add_facet(fields.facets, Facet::from_path(["year", year]));
        if !document.genre.is_empty() {
            doc.add_facet(fields.facets, Facet::from_path(["genre", document.genre.as_str()]));
        }
        doc
    }

    /// Runs a search.
    pub fn search(&self, request: &Request) -> Result<Results, SearchError> {
        let fields = self.fields;
        let words = terms(&request.text);
        let exact = normalize_number(&request.text);
        if words.is_empty() && !exact.chars().any(char::is_alphanumeric) {
            return Ok(Results { empty_query: true, ..Results::default() });
        }
        let query = self.query(request, &words, &exact);
        let searcher = self.reader.searcher();
        let (total, addresses) = top_docs(&searcher, &query, request)?;
        let facets =
            if request.facets { self.facets(&searcher, &query)? } else { Facets::default() };
        let body_snippets = if request.snippets {
            let mut body = SnippetGenerator::create(&searcher, &query, fields.body)?;
            body.set_max_num_chars(120);
            Some(body)
        } else {
            None
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for (score, address) in addresses {
            let doc: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&doc, score, request, &words, body_snippets.as_ref()));
        }
        Ok(Results { total, hits, facets, empty_query: false })
    }

    /// The query for `request`: its words or its 文号 or 索引号 (`exact`), within its filters.
    fn query(&self, request: &Request, words: &[String], exact: &str) -> BooleanQuery {
        let fields = self.fields;
        let text_clauses = self.word_clauses(words, request.any_word);
        // A 文号 or 索引号 typed as such finds its item first.
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !text_clauses.is_empty() {
            any.push((Occur::Should, Box::new(BooleanQuery::new(text_clauses))));
        }
        for field in [fields.doc_number, fields.index_number] {
            let term =
                TermQuery::new(Term::from_field_text(field, exact), IndexRecordOption::Basic);
            any.push((Occur::Should, Box::new(BoostQuery::new(Box::new(term), 50.0))));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
        push_filter(&mut clauses, fields.agency_code, request.agency.as_deref());
        push_filter(&mut clauses, fields.category, request.category.as_deref());
        push_filter(&mut clauses, fields.genre, request.genre.as_deref());
        if let Some(year) = request.year {
            let from = u64::try_from(year).unwrap_or(0) * 10_000;
            clauses.push((
                Occur::Must,
                Box::new(tantivy::query::RangeQuery::new(
                    std::ops::Bound::Included(Term::from_field_u64(fields.day, from + 101)),
                    std::ops::Bound::Included(Term::from_field_u64(fields.day, from + 1231)),
                )),
            ));
        }
        BooleanQuery::new(clauses)
    }

    /// A clause for each word: in the title, summary, body or 文号, the title weighing most; every word
    /// must occur, or any of them with `any_word`.
    fn word_clauses(&self, words: &[String], any_word: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let fields = self.fields;
        // Every word must occur in the title, summary, body or 文号; the title weighs most.
        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in words {
            let per_field: Vec<(Occur, Box<dyn Query>)> = [
                (fields.title, 3.0),
                (fields.summary, 1.5),
                (fields.body, 1.0),
                (fields.doc_number_text, 2.0),
            ]
            .into_iter()
            .map(|(field, boost)| {
                let term = TermQuery::new(
                    Term::from_field_text(field, word),
                    IndexRecordOption::WithFreqs,
                );
                (Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost)) as Box<dyn Query>)
            })
            .collect();
            let occur = if any_word { Occur::Should } else { Occur::Must };
            text_clauses.push((occur, Box::new(BooleanQuery::new(per_field))));
        }
        text_clauses
    }

    /// The hit for `doc`: its stored fields, its title marked up, and a snippet of its body when
    /// `body_snippets` is given.
    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        request: &Request,
        words: &[String],
        body_snippets: Option<&SnippetGenerator>,
    ) -> Hit {
        let fields = self.fields;
        let text = |field: Field| {
            doc.get_first(field).and_then(|value| value.as_str()).unwrap_or_default().to_owned()
        };
        let title = text(fields.title);
        let title_html = if request.snippets { highlight(&title, words) } else { escape(&title) };
        let snippet_html = match body_snippets {
            Some(generator) => {
                let snippet = generator.snippet_from_doc(doc);
                let html = mark_ranges(snippet.fragment(), snippet.highlighted());
                if html.is_empty() {
                    let summary = text(fields.summary);
                    let mut shown =
                        escape(&summary.chars().take(SUMMARY_CHARS).collect::<String>());
                    if summary.chars().count() > SUMMARY_CHARS {
                        shown.push('…');
                    }
                    shown
                } else {
                    let body = doc.get_first(fields.body).and_then(|value| value.as_str());
                    with_ellipses(html, snippet.fragment(), body.unwrap_or_default())
                }
            }
            None => String::new(),
        };
        Hit {
            id: doc.get_first(fields.id).and_then(|value| value.as_u64()).unwrap_or_default(),
            score,
            title,
            title_html,
            snippet_html,
            agency_code: text(fields.agency_code),
            agency_name: text(fields.agency_name),
            category: text(fields.category),
            genre: text(fields.genre),
            doc_number: text(fields.doc_number),
            index_number: text(fields.index_number),
            published: text(fields.published),
        }
    }

    fn facets(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
    ) -> Result<Facets, SearchError> {
        let mut collector = FacetCollector::for_field("facets");
        for root in ["/agency", "/category", "/year", "/genre"] {
            collector.add_facet(root);
        }
        let counts = searcher.search(query, &collector)?;
        let list = |root: &str| -> Vec<(String, u64)> {
            let mut values: Vec<(String, u64)> = counts
                .get(root)
                .map(|(facet, count)| {
                    let name =
                        facet.to_path().last().map(|part| (*part).to_owned()).unwrap_or_default();
                    (name, count)
                })
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            values
        };
        let mut years = list("/year");
        years.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(Facets {
            agencies: list("/agency"),
            categories: list("/category"),
            years,
            genres: list("/genre"),
        })
    }
}

/// How many documents match `query`, and the page of them `request` asks for in its order.
fn top_docs(
    searcher: &tantivy::Searcher,
    query: &BooleanQuery,
    request: &Request,
) -> Result<(usize, Vec<(f32, DocAddress)>), SearchError> {
    let limit = request.limit.clamp(1, 100);
    let top = TopDocs::with_limit(limit).and_offset(request.offset);
    let (total, addresses): (usize, Vec<(f32, DocAddress)>) = match request.sort {
        Sort::Relevance => searcher.search(query, &(Count, top.order_by_score()))?,
        Sort::Date => {
            let (total, hits) = searcher
                .search(query, &(Count, top.order_by_fast_field::<u64>("day", Order::Desc)))?;
            let hits = hits.into_iter().map(|(day, address)| (day.unwrap_or(0) as f32, address));
            (total, hits.collect())
        }
    };
    Ok((total, addresses))
}

/// Adds a required clause for `value` in `field` when it is given and not empty.
fn push_filter(clauses: &mut Vec<(Occur, Box<dyn Query>)>, field: Field, value: Option<&str>) {
    if let Some(value) = value.filter(|value| !value.is_empty()) {
        let term = Term::from_field_text(field, value);
        clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
    }
}

/// `YYYY-MM-DD` as the number YYYYMMDD (0 when unreadable), for date sorting and year ranges.
fn day_number(published: &str) -> u64 {
    published.chars().filter(char::is_ascii_digit).take(8).collect::<String>().parse().unwrap_or(0)
}

/// A 文号 or 索引号 as typed, comparable with the stored one: full-width digits and brackets made the usual
/// ones (〔〕 for the year bracket), spaces removed.
pub fn normalize_number(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|ch| !ch.is_whitespace())
        .map(|ch| match ch {
            '０'..='９' => char::from_u32(ch as u32 - '０' as u32 + '0' as u32).unwrap_or(ch),
            '[' | '［' | '【' | '(' | '（' => '〔',
            ']' | '］' | '】' | ')' | '）' => '〕',
            '／' => '/',
            '－' => '-',
            _ => ch,
        })
        .collect()
}

/// `text` escaped, with the words of the query in `<mark>`: the text is cut by the same tokenizer as the
/// index, so 12 is marked in 12号 but not inside 123 (the whole title, unlike a snippet).
fn highlight(text: &str, words: &[String]) -> String {
    use tantivy::tokenizer::{TokenStream, Tokenizer};
    let mut ranges = Vec::new();
    let mut tokenizer = JiebaTokenizer;
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        let token = stream.token();
        if words.contains(&token.text) {
            ranges.push(token.offset_from..token.offset_to);
        }
    }
    mark_ranges(text, &ranges)
}

/// `fragment` escaped with the byte `ranges` in `<mark>`. Search-mode tokens overlap (文职人员, 文职, 人员), and
/// tantivy's own `Snippet::to_html` assumes they do not (it panics on overlapping ranges), so the ranges
/// are merged here and kept within the fragment.
/// How much of the summary a hit shows when its body has no match.
const SUMMARY_CHARS: usize = 120;

/// `html` (the marked-up `fragment`) with "…" where the fragment cuts the `body` it comes from: at the
/// start unless the body starts with it, at the end unless the body ends with it (punctuation aside).
fn with_ellipses(html: String, fragment: &str, body: &str) -> String {
    // Punctuation and spaces at either end are not text the fragment leaves out.
    let edge = |c: char| !c.is_alphanumeric();
    let fragment = fragment.trim_matches(edge);
    let body = body.trim_matches(edge);
    let mut out = String::with_capacity(html.len() + 6);
    if !body.starts_with(fragment) {
        out.push('…');
    }
    out.push_str(&html);
    if !body.ends_with(fragment) {
        out.push('…');
    }
    out
}

fn mark_ranges(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut marked = vec![false; fragment.len()];
    for range in ranges {
        let end = range.end.min(fragment.len());
        for flag in marked.iter_mut().take(end).skip(range.start) {
            *flag = true;
        }
    }
    let mut out = String::with_capacity(fragment.len() + 32);
    let mut open = false;
    for (position, ch) in fragment.char_indices() {
        if marked[position] != open {
            out.push_str(if open { "</mark>" } else { "<mark>" });
            open = !open;
        }
        push_escaped(&mut out, ch);
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// Minimal HTML escaping for text shown as is.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        push_escaped(&mut out, ch);
    }
    out
}

/// Appends `ch` to `out`, escaped for HTML.
fn push_escaped(out: &mut String, ch: char) {
    match ch {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(ch),
    }
}

#[cfg(test)]
mod tests;
