//! The read-only JSON API (`/api/v1/...`): agencies, catalog items and search, described by the
//! `OpenAPI` document at `/api/v1/openapi.json` (kept in `static/openapi.json`; a test calls every path it lists and
//! checks the documented fields). Errors are JSON too: `{"error": "..."}` with the status.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai_store::StoreError;
use gongkai_store::catalog::{self, Filter};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;

const OPENAPI: &str = include_str!("../static/openapi.json");
/// Largest page of the item list.
const MAX_PER_PAGE: i64 = 100;

/// An API failure.
pub(crate) struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match err {
            StoreError::NotFound { what, key } => {
                ApiError(StatusCode::NOT_FOUND, format!("{what} `{key}` not found"))
            }
            other => {
                tracing::error!(error = %other, "api request failed");
                ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
            }
        }
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message.into())
}

pub(crate) async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], OPENAPI)
        .into_response()
}

pub(crate) async fn agencies(State(state): State<AppState>) -> Result<Response, ApiError> {
    let agencies = gongkai_store::agencies::list(state.store()).await?;
    let list: Vec<_> = agencies
        .iter()
        .map(|agency| {
            json!({
                "code": agency.code,
                "name": agency.name,
                "kind": agency.kind,
                "region": agency.region,
                "parent_code": agency.parent_code,
                "office": agency.office,
                "phone": agency.phone,
                "address": agency.address,
                "hours": agency.hours,
            })
        })
        .collect();
    Ok(Json(json!({ "agencies": list })).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ItemsQuery {
    category: Option<String>,
    year: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
}

fn number<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, ApiError> {
    value
        .filter(|value| !value.is_empty())
        .map(|value| value.parse::<T>().map_err(|_| bad(format!("`{name}` must be a number"))))
        .transpose()
}

pub(crate) async fn items(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(query): Query<ItemsQuery>,
) -> Result<Response, ApiError> {
    let agency = state.agency(&code).await?;
    let page: i64 = number("page", query.page.as_deref())?.unwrap_or(1);
    let per_page: i64 = number("per_page", query.per_page.as_deref())?.unwrap_or(20);
    if page < 1 || !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(bad(format!("`page` must be ≥ 1 and `per_page` 1 to {MAX_PER_PAGE}")));
    }
    let year: Option<i32> = number("year", query.year.as_deref())?;
    let filter = Filter { category: query.category.as_deref().filter(|c| !c.is_empty()), year };
    let offset = (page - 1).checked_mul(per_page).ok_or_else(|| bad("`page` is too large"))?;
    let listing = catalog::list(state.store(), agency.id, filter, offset, per_page).await?;
    Ok(Json(json!({ "total": listing.total, "page": page, "per_page": per_page, "items": listing.items }))
        .into_response())
}

pub(crate) async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError(StatusCode::NOT_FOUND, format!("item `{id}` not found")))?;
    let item = catalog::item(state.store(), id)
        .await?
        .ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("item `{id}` not found")))?;
    if item.withdrawn {
        return Err(ApiError(StatusCode::GONE, format!("item `{id}` was withdrawn")));
    }
    Ok(Json(item).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchQuery {
    #[serde(default)]
    q: String,
    agency: Option<String>,
    category: Option<String>,
    year: Option<String>,
    genre: Option<String>,
    sort: Option<String>,
    page: Option<String>,
    /// `all` (default) or `any`.
    #[serde(rename = "match")]
    match_words: Option<String>,
    /// `true` to count facets over the whole result (costly on a large index).
    facets: Option<String>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Response, ApiError> {
    if query.q.chars().count() > crate::search::MAX_QUERY_CHARS {
        return Err(bad(format!(
            "`q` is longer than {} characters",
            crate::search::MAX_QUERY_CHARS
        )));
    }
    let page: usize = number("page", query.page.as_deref())?.unwrap_or(1);
    if !(1..=100).contains(&page) {
        return Err(bad("`page` must be 1 to 100"));
    }
    let sort = match query.sort.as_deref() {
        None | Some("" | "relevance") => gongkai_search::Sort::Relevance,
        Some("date") => gongkai_search::Sort::Date,
        Some(_) => return Err(bad("`sort` must be relevance or date")),
    };
    let any_word = match query.match_words.as_deref() {
        None | Some("" | "all") => false,
        Some("any") => true,
        Some(_) => return Err(bad("`match` must be all or any")),
    };
    let request = gongkai_search::Request {
        any_word,
        text: query.q,
        agency: query.agency,
        category: query.category,
        year: number("year", query.year.as_deref())?,
        genre: query.genre,
        sort,
        offset: (page - 1) * 10,
        limit: 10,
        facets: match query.facets.as_deref() {
            None | Some("" | "false") => false,
            Some("true") => true,
            Some(_) => return Err(bad("`facets` must be true or false")),
        },
        snippets: true,
    };
    let index = state.search().ok_or_else(|| {
        ApiError(StatusCode::SERVICE_UNAVAILABLE, "search is not ready".to_owned())
    })?;
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|_| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()))?
        .map_err(|err| {
            tracing::error!(error = %err, "search failed");
            ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
        })?;
    Ok(Json(results).into_response())
}

/// Unknown API paths answer in JSON.
pub(crate) async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "no such API path".to_owned())
}
