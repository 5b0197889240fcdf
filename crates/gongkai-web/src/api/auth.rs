//! Agency keys on the API (`Authorization: Bearer gk_…`, see `gongkai_store::api_keys`) and idempotent writes
//! (`Idempotency-Key`, kept 24 hours through the store's one-time claims, `gongkai_store::once`).
//!
//! A key acts only in its own agency and within its scopes; a refusal is a JSON 401 (no key, an unknown,
//! revoked or expired one) or 403 (another agency, a scope the key lacks), and a 403 is written to the
//! audit trail. Under the key's name (`api:<agency>/<name>`) the store audits each write with the record it
//! changes, and this module each read of applications or a report; a request refused before it reached a
//! record (400, 401, 404, 415, 422) leaves no entry.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai_store::api_keys::{self, ApiKey, Scope};
use gongkai_store::audit;
use gongkai_store::once::{self, Begun, Held};
use serde_json::{Value, json};

use super::ApiError;
use crate::AppState;

/// The agency key a request presents, checked as usable today.
pub(crate) struct KeyAuth {
    pub(crate) key: ApiKey,
    actor: String,
    address: String,
}

impl FromRequestParts<AppState> for KeyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<KeyAuth, ApiError> {
        let unauthorized = |message: &str| ApiError(StatusCode::UNAUTHORIZED, message.to_owned());
        let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
            unauthorized("an agency API key is needed: `Authorization: Bearer gk_…`")
        })?;
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| unauthorized("the `Authorization` header must be `Bearer gk_…`"))?;
        let key = api_keys::authenticate(state.store(), token)
            .await?
            .ok_or_else(|| unauthorized("the API key is not valid"))?;
        match key.usable_on(state.today()) {
            Ok(()) => {}
            Err(api_keys::Refusal::Revoked) => return Err(unauthorized("the API key was revoked")),
            Err(_) => return Err(unauthorized("the API key has expired")),
        }
        let address = crate::client::ClientAddress::of(parts);
        Ok(KeyAuth { actor: key.actor_name(), key, address })
    }
}

impl KeyAuth {
    pub(crate) fn actor(&self) -> gongkai_store::Actor<'_> {
        gongkai_store::Actor::new(&self.actor, &self.address)
    }

    /// Ok when the key holds `scope` and belongs to the agency `code`; otherwise 403, audited.
    pub(crate) async fn require(
        &self,
        state: &AppState,
        scope: Scope,
        code: &str,
        subject: &str,
    ) -> Result<(), ApiError> {
        let problem = if self.key.agency_code != code {
            Some(format!("the API key belongs to another agency than `{code}`"))
        } else if !self.key.allows(scope) {
            Some(format!("the API key lacks the scope `{}`", scope.code()))
        } else {
            None
        };
        let Some(problem) = problem else { return Ok(()) };
        let after = json!({ "need": scope.code(), "agency": code }).to_string();
        let entry = audit::Action {
            actor: &self.actor,
            address: &self.address,
            action: "access.denied",
            subject,
            before: None,
            after: Some(&after),
        };
        if let Err(err) = audit::append(state.store(), &entry).await {
            tracing::error!(error = %err, "recording a refused API access failed");
        }
        Err(ApiError(StatusCode::FORBIDDEN, problem))
    }

    /// Writes a read made with this key to the audit trail.
    pub(crate) async fn record_read(
        &self,
        state: &AppState,
        action: &str,
        subject: &str,
        after: Option<&str>,
    ) -> Result<(), ApiError> {
        let entry = audit::Action {
            actor: &self.actor,
            address: &self.address,
            action,
            subject,
            before: None,
            after,
        };
        audit::append(state.store(), &entry).await?;
        Ok(())
    }
}

/// Longest `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 255;

/// A write's answer: status, JSON body, and where the created resource is.
pub(crate) struct Written {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) location: Option<String>,
}

impl Written {
    fn into_response(self, replayed: bool) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if let Some(location) = self.location.and_then(|url| HeaderValue::from_str(&url).ok()) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        if replayed {
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        }
        response
    }

    fn stored(&self) -> String {
        json!({ "status": self.status.as_u16(), "body": self.body, "location": self.location })
            .to_string()
    }

    fn from_stored(text: &str) -> Option<Written> {
        let value: Value = serde_json::from_str(text).ok()?;
        Some(Written {
            status: StatusCode::from_u16(u16::try_from(value.get("status")?.as_u64()?).ok()?)
                .ok()?,
            body: value.get("body")?.clone(),
            location: value.get("location").and_then(Value::as_str).map(str::to_owned),
        })
    }
}

/// The write's `Idempotency-Key`, or 400: checked with the rest of the request's form, before the record it
/// names is looked at.
pub(crate) fn idempotency_key(headers: &HeaderMap) -> Result<&[u8], ApiError> {
    let key = headers
        .get("idempotency-key")
        .ok_or_else(|| super::bad("the `Idempotency-Key` header is required on every write"))?
        .as_bytes();
    if !(1..=MAX_IDEMPOTENCY_KEY).contains(&key.len()) {
        return Err(super::bad(format!(
            "`Idempotency-Key` must be 1 to {MAX_IDEMPOTENCY_KEY} characters"
        )));
    }
    Ok(key)
}

/// A write's idempotency key, bound to the API key and to the request: the same `Idempotency-Key` of the
/// same API key with the same request gets the first committed answer again (`Idempotent-Replayed: true`),
/// never a second write; with another request, 422. The key is kept in the write's own transaction
/// (`gongkai_store::once::begin` … `commit`): a write that failed or was refused leaves no key behind, so
/// the request may be sent again with it.
pub(crate) struct Once {
    token: String,
    purpose: String,
    owner: String,
}

fn digest(parts: &[&[u8]]) -> String {
    let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
    for part in parts {
        sha2::Digest::update(&mut hasher, (part.len() as u64).to_be_bytes());
        sha2::Digest::update(&mut hasher, part);
    }
    hex::encode(sha2::Digest::finalize(hasher))
}

fn reused() -> ApiError {
    ApiError(
        StatusCode::UNPROCESSABLE_ENTITY,
        "this Idempotency-Key was used for a different request".to_owned(),
    )
}

impl Once {
    /// The key `key` (from [`idempotency_key`]) of `auth`'s API key for `operation` on `request`.
    pub(crate) fn new(auth: &KeyAuth, key: &[u8], operation: &str, request: &[u8]) -> Once {
        let id = auth.key.id.to_be_bytes();
        Once {
            token: digest(&[b"api-idempotency", &id, key])[..32].to_owned(),
            purpose: format!("api:{operation}"),
            owner: digest(&[operation.as_bytes(), request]),
        }
    }

    /// The first answer, when a write with this key committed.
    pub(crate) async fn replayed(&self, state: &AppState) -> Result<Option<Response>, ApiError> {
        match once::lookup(state.store(), &self.token, &self.purpose, &self.owner).await {
            Ok(answer) => answer.map(|answer| replay(&answer)).transpose(),
            Err(gongkai_store::StoreError::InvalidData(_)) => Err(reused()),
            Err(err) => Err(err.into()),
        }
    }

    /// The write's transaction with the key claimed in it, or the answer of a request with the same key
    /// that committed meanwhile.
    pub(crate) async fn begin(&self, state: &AppState) -> Result<Result<Held, Response>, ApiError> {
        let begun = once::begin(
            state.store(),
            &self.token,
            &self.purpose,
            &self.owner,
            time::OffsetDateTime::now_utc(),
        )
        .await;
        match begun {
            Ok(Begun::Fresh(held)) => Ok(Ok(held)),
            Ok(Begun::Answered(answer)) => Ok(Err(replay(&answer)?)),
            Err(gongkai_store::StoreError::InvalidData(_)) => Err(reused()),
            Err(err) => Err(err.into()),
        }
    }

    /// Commits the write with its answer kept under the key, and answers.
    pub(crate) async fn commit(held: Held, written: Written) -> Result<Response, ApiError> {
        once::commit(held, &written.stored()).await?;
        Ok(written.into_response(false))
    }
}

fn replay(answer: &str) -> Result<Response, ApiError> {
    let written = Written::from_stored(answer)
        .ok_or_else(|| ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned()))?;
    Ok(written.into_response(true))
}
