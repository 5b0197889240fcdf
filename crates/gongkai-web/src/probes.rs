//! The probes an orchestrator or a load balancer asks (issue #21): `/livez` — the process answers;
//! `/readyz` — this instance can serve: its database answers, the schema is the one this build knows (not
//! behind, waiting for `gongkai migrate`, nor ahead of it), and its search index is built (search answers
//! 503 until then). The answer says each part's state as JSON, with the index's lag behind the catalog's
//! changes (applied every few seconds; reported, not a reason to leave the pool). `/healthz` stays the
//! plain liveness answer older setups use.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::AppState;

/// `GET /livez`.
pub(crate) async fn live() -> Response {
    no_store((StatusCode::OK, "ok").into_response())
}

#[derive(Debug, Serialize)]
struct Readiness {
    ready: bool,
    /// `reachable` or why not.
    database: String,
    /// The schema version the database is at (`null` before any migration) and the one this build knows.
    schema: Option<i64>,
    schema_known: i64,
    /// `ready` or `building`.
    index: &'static str,
    /// Catalog changes not yet applied to the index (`null` while it is built or when unknown).
    index_lag: Option<i64>,
}

/// `GET /readyz`: 200 when ready, 503 with the same JSON when not.
pub(crate) async fn ready(State(state): State<AppState>) -> Response {
    let store = state.store();
    let schema_known = store.known_schema_version();
    let (database, schema) = match store.schema_version().await {
        Ok(schema) => ("reachable".to_owned(), schema),
        Err(err) => {
            tracing::warn!(error = %err, "readiness: the database does not answer");
            ("unreachable".to_owned(), None)
        }
    };
    let (index, index_lag) = match state.search() {
        None => ("building", None),
        Some(search) => {
            let lag = match (search.marker(), gongkai_store::catalog::last_change(store).await) {
                (Ok(marker), Ok(last)) => Some((last - marker.unwrap_or(0)).max(0)),
                _ => None,
            };
            ("ready", lag)
        }
    };
    let ready = database == "reachable" && schema == Some(schema_known) && index == "ready";
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = Readiness { ready, database, schema, schema_known, index, index_lag };
    no_store((status, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
