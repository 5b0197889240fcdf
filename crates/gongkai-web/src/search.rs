//! The search page: whole platform or one agency, facets by agency, category, year and document type,
//! highlighted snippets, relevance or date order. An empty or punctuation-only query gets a page that says
//! what can be searched, not an error.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_search::{Request, Sort};
use serde::Deserialize;

use crate::portal::encode;
use crate::{AppState, PageError};

/// Longest query searched; longer input is cut here (and the page says so).
pub(crate) const MAX_QUERY_CHARS: usize = 100;
/// Hits per page.
const PER_PAGE: usize = 10;
/// Deepest page served (10 per page): nobody reads further, and deep offsets cost.
const MAX_PAGE: usize = 100;

#[derive(Debug, Default, Deserialize, Clone)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    agency: Option<String>,
    category: Option<String>,
    year: Option<String>,
    genre: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

impl SearchQuery {
    fn href(&self, change: &[(&str, Option<&str>)]) -> String {
        let mut pairs: Vec<(&str, Option<String>)> = vec![
            ("q", Some(self.q.clone())),
            ("agency", self.agency.clone()),
            ("category", self.category.clone()),
            ("year", self.year.clone()),
            ("genre", self.genre.clone()),
            ("sort", self.sort.clone()),
        ];
        for (name, value) in change {
            if let Some(pair) = pairs.iter_mut().find(|(known, _)| known == name) {
                pair.1 = value.map(str::to_owned);
            } else {
                pairs.push((name, value.map(str::to_owned)));
            }
        }
        let query: Vec<String> = pairs
            .into_iter()
            .filter_map(|(name, value)| {
                value.filter(|v| !v.is_empty()).map(|v| format!("{name}={}", encode(&v)))
            })
            .collect();
        format!("/search?{}", query.join("&"))
    }
}

pub(crate) struct FacetGroup {
    pub(crate) title: &'static str,
    /// `(label, count, href, current)`.
    pub(crate) values: Vec<(String, u64, String, bool)>,
    pub(crate) clear: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    q: String,
    truncated: bool,
    empty: bool,
    unavailable: bool,
    total: usize,
    hits: Vec<gongkai_search::Hit>,
    groups: Vec<FacetGroup>,
    by_relevance: String,
    by_date: String,
    date_sorted: bool,
    agency_name: Option<String>,
    agency: Option<String>,
    page: usize,
    previous: Option<String>,
    next: Option<String>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    Query(mut query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let truncated = query.q.chars().count() > MAX_QUERY_CHARS;
    if truncated {
        query.q = query.q.chars().take(MAX_QUERY_CHARS).collect();
    }
    let agencies = state.agencies().await?;
    let name_of = |code: &str| {
        agencies.iter().find(|agency| agency.code == code).map(|agency| agency.name.clone())
    };
    // Unknown filter values are dropped rather than answered with an empty page.
    query.agency = query.agency.filter(|code| name_of(code).is_some());
    let year = query.year.as_deref().and_then(|year| year.parse::<i32>().ok());
    if year.is_none() {
        query.year = None;
    }
    let page = query
        .page
        .as_deref()
        .and_then(|page| page.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE);
    let sort = if query.sort.as_deref() == Some("date") { Sort::Date } else { Sort::Relevance };
    let request = Request {
        text: query.q.clone(),
        agency: query.agency.clone(),
        category: query.category.clone().filter(|c| !c.is_empty()),
        year,
        genre: query.genre.clone().filter(|g| !g.is_empty()),
        sort,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
        facets: true,
        snippets: true,
        any_word: false,
    };
    let (results, unavailable) = match state.search() {
        Some(index) => {
            let results = run(&state, index, request)
                .await
                .map_err(|_| PageError::Unavailable)?
                .map_err(|err| {
                    tracing::error!(error = %err, "search failed");
                    PageError::Unavailable
                })?;
            (results, false)
        }
        None => (gongkai_search::Results::default(), true),
    };
    let facet = |title: &'static str,
                 name: &'static str,
                 values: &[(String, u64)],
                 label: &dyn Fn(&str) -> String| {
        let current = match name {
            "agency" => query.agency.as_deref(),
            "category" => query.category.as_deref(),
            "year" => query.year.as_deref(),
            _ => query.genre.as_deref(),
        };
        FacetGroup {
            title,
            values: values
                .iter()
                .take(20)
                .map(|(value, count)| {
                    (
                        label(value),
                        *count,
                        query.href(&[(name, Some(value)), ("page", None)]),
                        current == Some(value.as_str()),
                    )
                })
                .collect(),
            clear: current.map(|_| query.href(&[(name, None), ("page", None)])),
        }
    };
    let groups = vec![
        facet("发布机构", "agency", &results.facets.agencies, &|code| {
            name_of(code).unwrap_or_else(|| code.to_owned())
        }),
        facet("信息类别", "category", &results.facets.categories, &|value| value.to_owned()),
        facet("发布年份", "year", &results.facets.years, &|value| format!("{value}年")),
        facet("文种", "genre", &results.facets.genres, &|value| value.to_owned()),
    ];
    let pages = results.total.div_ceil(PER_PAGE).min(MAX_PAGE);
    let page_href = |number: usize| query.href(&[("page", Some(&number.to_string()))]);
    let status = if unavailable { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::OK };
    let view = SearchPage {
        truncated,
        empty: results.empty_query || query.q.trim().is_empty(),
        unavailable,
        total: results.total,
        groups,
        by_relevance: query.href(&[("sort", None), ("page", None)]),
        by_date: query.href(&[("sort", Some("date")), ("page", None)]),
        date_sorted: sort == Sort::Date,
        agency_name: query.agency.as_deref().and_then(name_of),
        agency: query.agency.clone(),
        previous: (page > 1).then(|| page_href(page - 1)),
        next: (page < pages).then(|| page_href(page + 1)),
        page,
        hits: results.hits,
        q: query.q.clone(),
    };
    Ok((status, Html(view.render()?)).into_response())
}

/// Runs `request` on the index off the async workers, counting the time the index took (`/metrics`).
pub(crate) async fn run(
    state: &AppState,
    index: std::sync::Arc<gongkai_search::SearchIndex>,
    request: gongkai_search::Request,
) -> Result<Result<gongkai_search::Results, gongkai_search::SearchError>, tokio::task::JoinError> {
    let (results, took) = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let results = index.search(&request);
        (results, started.elapsed())
    })
    .await?;
    state.counters().searched(took.as_secs_f64());
    Ok(results)
}
