//! Agency keys on the API (`Authorization: Bearer gk_…`, see `gongkai_store::api_keys`) and idempotent writes
//! (`Idempotency-Key`, kept 24 hours through the store's one-time claims, `gongkai_store::once`).
//!
//! A key acts only in its own agency and within its scopes; a refusal is a JSON 401 (no key, an unknown,
//! revoked or expired one) or 403 (another agency, a scope the key lacks), and a 403 is written to the
//! audit trail. Every use is audited under the key's name (`api:<agency>/<name>`): writes by the store with
//! the record they change, reads here.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use gongkai_store::api_keys::{self, ApiKey, Scope};
use gongkai_store::audit;
use gongkai_store::once::{self, Claim};
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

/// Runs the write `act` once per `Idempotency-Key` (`key`, from [`idempotency_key`]) of this API key: the
/// first request acts and its answer (a success or a refusal the client must fix, not a server failure) is
/// kept 24 hours; the same key with the same request gets that answer again (`Idempotent-Replayed: true`);
/// with another request, 422; while the first is still being handled, the second waits up to 5 seconds,
/// then gets 409.
pub(crate) async fn once<F>(
    state: &AppState,
    auth: &KeyAuth,
    key: &[u8],
    operation: &str,
    request: &[u8],
    act: F,
) -> Result<Response, ApiError>
where
    F: std::future::Future<Output = Result<Written, ApiError>>,
{
    let digest = |parts: &[&[u8]]| {
        let mut hasher = <sha2::Sha256 as sha2::Digest>::new();
        for part in parts {
            sha2::Digest::update(&mut hasher, (part.len() as u64).to_be_bytes());
            sha2::Digest::update(&mut hasher, part);
        }
        hex::encode(sha2::Digest::finalize(hasher))
    };
    let id = auth.key.id.to_be_bytes();
    let token = digest(&[b"api-idempotency", &id, key])[..32].to_owned();
    let owner = digest(&[operation.as_bytes(), request]);
    let purpose = format!("api:{operation}");
    let mut fresh = false;
    for _ in 0..25 {
        let claim =
            once::claim(state.store(), &token, &purpose, &owner, time::OffsetDateTime::now_utc())
                .await;
        match claim {
            Ok(Claim::Fresh) => {
                fresh = true;
                break;
            }
            Ok(Claim::Done { result, .. }) => {
                let written = Written::from_stored(&result).ok_or_else(|| {
                    ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal error".to_owned())
                })?;
                return Ok(written.into_response(true));
            }
            Ok(Claim::Pending) => tokio::time::sleep(Duration::from_millis(200)).await,
            Ok(Claim::Abandoned) => {
                return Err(ApiError(
                    StatusCode::CONFLICT,
                    "the first request with this Idempotency-Key did not finish (the server stopped); \
                     whether it acted is unknown: check before sending it again with a new key"
                        .to_owned(),
                ));
            }
            Err(gongkai_store::StoreError::InvalidData(_)) => {
                return Err(ApiError(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "this Idempotency-Key was used for a different request".to_owned(),
                ));
            }
            Err(err) => return Err(err.into()),
        }
    }
    if !fresh {
        return Err(ApiError(
            StatusCode::CONFLICT,
            "a request with this Idempotency-Key is still being handled".to_owned(),
        ));
    }
    let outcome = act.await;
    let written = match outcome {
        Ok(written) => written,
        // A conflict is the record's state at that moment (another write came first): the same request
        // may be sent again with the same key once the client has read the record.
        Err(ApiError(status, message))
            if status.is_client_error() && status != StatusCode::CONFLICT =>
        {
            Written { status, body: json!({ "error": message }), location: None }
        }
        Err(err) => {
            if let Err(release) = once::release(state.store(), &token).await {
                tracing::error!(error = %release, "releasing an idempotency key failed");
            }
            return Err(err);
        }
    };
    once::finish(state.store(), &token, &written.stored(), None).await?;
    Ok(written.into_response(false))
}
