//! Catalog writes with an agency key (`catalog:write`): publish, edit, withdraw, attach — the same rules
//! (`gongkai_core::publishing::check_draft`) and the same 索引号 as the back office, through the same store
//! functions, each audited under the key's name.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use gongkai_core::publishing::{Draft, check_draft};
use gongkai_core::records::PublishChannel;
use gongkai_store::api_keys::Scope;
use gongkai_store::publishing::{self, Publication};
use gongkai_store::{StoreError, catalog};
use serde::Deserialize;
use serde_json::json;
use time::Date;

use super::auth::{KeyAuth, Once, Written, idempotency_key};
use super::{ApiError, bad};
use crate::AppState;

/// A JSON integer as the document's `integer` takes it: `35`, or `35.0` (JSON Schema counts a number with a
/// zero fraction as an integer); `None` when it is whole but beyond `i64`. A fraction is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Whole(pub(crate) Option<i64>);

impl<'de> Deserialize<'de> for Whole {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Whole, D::Error> {
        let number = serde_json::Number::deserialize(deserializer)?;
        if let Some(value) = number.as_i64() {
            return Ok(Whole(Some(value)));
        }
        if number.as_u64().is_some() {
            return Ok(Whole(None));
        }
        match number.as_f64() {
            Some(value) if value.is_finite() && value.fract() == 0.0 => {
                // Exactly representable within ±2^63 (every f64 of that size is whole).
                let fits = value.abs() < 9.223_372_036_854_775e18;
                #[allow(clippy::cast_possible_truncation)]
                Ok(Whole(fits.then_some(value as i64)))
            }
            _ => Err(serde::de::Error::custom("expected an integer")),
        }
    }
}

/// A catalog item as a system sends it (the fields of the back office's publishing form).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemInput {
    title: String,
    category: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    genre: String,
    #[serde(default)]
    doc_number: String,
    #[serde(default)]
    formed: Option<String>,
    /// Today (China) when absent.
    #[serde(default)]
    published: Option<String>,
    #[serde(default = "default_validity")]
    validity: String,
    #[serde(default)]
    normative: bool,
    #[serde(default)]
    repealed: Option<String>,
    /// Channel code → the day it went out there (`null`: the publication day). Absent: the website.
    #[serde(default, deserialize_with = "present")]
    channels: Option<Option<BTreeMap<String, Option<String>>>>,
    /// The version edited (required to edit, refused to publish).
    #[serde(default, deserialize_with = "present")]
    version: Option<Option<Whole>>,
}

/// A field that may be absent but, when present, is read as it is: `null` stays `Some(None)`, so a field the
/// document does not let be `null` is refused as such instead of read as absent.
fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

fn default_validity() -> String {
    "有效".to_owned()
}

/// A JSON request body, or 415 / 400 with what is wrong.
pub(crate) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json {
        return Err(ApiError(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "the body must be `application/json`".to_owned(),
        ));
    }
    serde_json::from_slice(body).map_err(|err| bad(format!("the JSON body is not valid: {err}")))
}

/// A `YYYY-MM-DD` date of a request (`field` names it in the error).
pub(crate) fn date(field: &str, text: &str) -> Result<Date, ApiError> {
    gongkai_core::dates::parse_ymd(text)
        .ok_or_else(|| bad(format!("`{field}` must be a date, YYYY-MM-DD")))
}

fn optional_date(field: &str, text: Option<&str>) -> Result<Option<Date>, ApiError> {
    text.map(|text| date(field, text)).transpose()
}

/// An item's days and channels, read and checked.
struct Checked {
    formed: Option<Date>,
    published: Date,
    repealed: Option<Date>,
    channels: Vec<(PublishChannel, Date)>,
}

/// The input read and checked, or 400 (unreadable) / 422 (a publishing rule broken, every one listed).
fn checked(input: &ItemInput, today: Date) -> Result<Checked, ApiError> {
    let formed = optional_date("formed", input.formed.as_deref())?;
    let published = optional_date("published", input.published.as_deref())?.unwrap_or(today);
    let repealed = optional_date("repealed", input.repealed.as_deref())?;
    let mut channels = Vec::new();
    match &input.channels {
        None => channels.push((PublishChannel::Website, published)),
        Some(None) => return Err(bad("`channels` must be an object, not null")),
        Some(Some(given)) => {
            for (code, day) in given {
                let channel = PublishChannel::ALL
                    .into_iter()
                    .find(|channel| channel.code() == code)
                    .ok_or_else(|| {
                        bad(format!(
                            "unknown channel `{code}`: use website, gazette, weibo, wechat or other"
                        ))
                    })?;
                let day = optional_date(&format!("channels.{code}"), day.as_deref())?
                    .unwrap_or(published);
                channels.push((channel, day));
            }
        }
    }
    let draft = Draft {
        title: &input.title,
        category: &input.category,
        body: &input.body,
        doc_number: &input.doc_number,
        published,
        formed,
        validity: &input.validity,
        normative: input.normative,
        repealed,
        channels: &channels,
    };
    let problems = check_draft(&draft, today);
    if !problems.is_empty() {
        let problems: Vec<String> = problems.iter().map(|problem| problem.english()).collect();
        return Err(ApiError(StatusCode::UNPROCESSABLE_ENTITY, problems.join("; ")));
    }
    Ok(Checked { formed, published, repealed, channels })
}

fn publication<'a>(input: &'a ItemInput, checked: &'a Checked) -> Publication<'a> {
    let Checked { formed, published, repealed, channels } = checked;
    Publication {
        title: &input.title,
        summary: &input.summary,
        body: &input.body,
        category: &input.category,
        subject: &input.subject,
        genre: &input.genre,
        doc_number: &input.doc_number,
        formed: *formed,
        published: *published,
        validity: &input.validity,
        normative: input.normative,
        repealed: *repealed,
        channels,
    }
}

/// A store refusal of a write as the API answers it.
fn refused(err: StoreError) -> ApiError {
    match err {
        StoreError::InvalidData(message) => ApiError(StatusCode::UNPROCESSABLE_ENTITY, message),
        StoreError::Refused(refused) => {
            ApiError(StatusCode::UNPROCESSABLE_ENTITY, refused.to_string())
        }
        StoreError::Duplicate { what, key } => {
            ApiError(StatusCode::UNPROCESSABLE_ENTITY, format!("{what} `{key}` is given twice"))
        }
        StoreError::Conflict { expected } => ApiError(
            StatusCode::CONFLICT,
            format!("the item is no longer at version {expected}: read it again and resend"),
        ),
        other => other.into(),
    }
}

/// `POST /api/v1/agencies/{code}/items`: publishes an item; 201 with its id, 索引号 and version.
pub(crate) async fn publish(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The request's form first (400, 415), then the record it names (404, 403), an earlier answer to the
    // same key, the rules (422), and the write with its key in one commit.
    let key = idempotency_key(&headers)?;
    let input: ItemInput = json_body(&headers, &body)?;
    if input.version.is_some() {
        return Err(bad("`version` is for editing an item (PUT /api/v1/items/{id})"));
    }
    let agency = state.agency(&code).await?;
    auth.require(&state, Scope::CatalogWrite, &agency.code, &format!("agency:{}", agency.code))
        .await?;
    let once = Once::new(&auth, key, &format!("publish:{}", agency.code), &body);
    if let Some(answer) = once.replayed(&state).await? {
        return Ok(answer);
    }
    let checked = checked(&input, state.today())?;
    let item = publication(&input, &checked);
    let mut held = match once.begin(&state).await? {
        Ok(held) => held,
        Err(answer) => return Ok(answer),
    };
    let (id, number) =
        publishing::publish_once(&mut held, state.store(), &agency, &item, &auth.actor())
            .await
            .map_err(refused)?;
    let written = Written {
        status: StatusCode::CREATED,
        body: json!({ "id": id, "index_number": number, "version": 1, "url": format!("/items/{id}") }),
        location: Some(format!("/api/v1/items/{id}")),
    };
    Once::commit(held, written).await
}

/// An item the key may write: its id, and whether it was withdrawn; or 404 / 403.
async fn writable(state: &AppState, auth: &KeyAuth, id: &str) -> Result<(i64, bool), ApiError> {
    let not_found = || ApiError(StatusCode::NOT_FOUND, format!("item `{id}` not found"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let item = catalog::item(state.store(), id).await?.ok_or_else(not_found)?;
    auth.require(state, Scope::CatalogWrite, &item.summary.agency_code, &format!("item:{id}"))
        .await?;
    Ok((id, item.withdrawn))
}

/// 410 for a withdrawn item: judged after an earlier answer to the same key is looked for, so a retry of a
/// write that went through (a withdrawal above all) gets its first answer, not 410.
fn live(id: i64, withdrawn: bool) -> Result<(), ApiError> {
    if withdrawn {
        return Err(ApiError(StatusCode::GONE, format!("item `{id}` was withdrawn")));
    }
    Ok(())
}

/// `PUT /api/v1/items/{id}`: replaces an item's fields (its 索引号 stays) if it is still at `version`.
pub(crate) async fn edit(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let input: ItemInput = json_body(&headers, &body)?;
    let version = input
        .version
        .flatten()
        .ok_or_else(|| bad("`version` is required to edit an item, as an integer"))?;
    // A version beyond any the item can have is one it is not at.
    let version = version.0.unwrap_or(-1);
    let (id, withdrawn) = writable(&state, &auth, &id).await?;
    let once = Once::new(&auth, key, &format!("edit:{id}"), &body);
    if let Some(answer) = once.replayed(&state).await? {
        return Ok(answer);
    }
    live(id, withdrawn)?;
    let checked = checked(&input, state.today())?;
    let item = publication(&input, &checked);
    let mut held = match once.begin(&state).await? {
        Ok(held) => held,
        Err(answer) => return Ok(answer),
    };
    publishing::edit_once(&mut held, state.store(), id, version, &item, &auth.actor())
        .await
        .map_err(refused)?;
    let number = catalog::item(state.store(), id)
        .await?
        .map(|item| item.summary.index_number)
        .unwrap_or_default();
    let written = Written {
        status: StatusCode::OK,
        body: json!({ "id": id, "index_number": number, "version": version + 1, "url": format!("/items/{id}") }),
        location: None,
    };
    Once::commit(held, written).await
}

/// `DELETE /api/v1/items/{id}`: withdraws an item from the public catalog (kept in the records).
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let (id, withdrawn) = writable(&state, &auth, &id).await?;
    let once = Once::new(&auth, key, &format!("withdraw:{id}"), &[]);
    if let Some(answer) = once.replayed(&state).await? {
        return Ok(answer);
    }
    live(id, withdrawn)?;
    let mut held = match once.begin(&state).await? {
        Ok(held) => held,
        Err(answer) => return Ok(answer),
    };
    catalog::withdraw_once(&mut held, state.store(), id, &auth.actor()).await.map_err(|err| {
        match err {
            // Withdrawn by someone else since it was read.
            StoreError::NotFound { .. } => {
                ApiError(StatusCode::GONE, format!("item `{id}` was withdrawn"))
            }
            other => other.into(),
        }
    })?;
    let written = Written {
        status: StatusCode::OK,
        body: json!({ "id": id, "withdrawn": true }),
        location: None,
    };
    Once::commit(held, written).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AttachQuery {
    name: Option<String>,
}

/// Longest attachment name.
const MAX_NAME_CHARS: usize = 200;

/// Whether `name` is an attachment name the API takes as it is: no path separator or control character,
/// ending in an accepted extension (the document states it; its length is checked before).
fn attachment_name_ok(name: &str) -> bool {
    !name.chars().any(|ch| ch == '/' || ch == '\\' || ch.is_control())
        && catalog::media_type_of(name).is_some()
        && catalog::attachment_name(name).is_ok()
}

/// `POST /api/v1/items/{id}/attachments?name=…`: attaches the body (the file's bytes) to an item.
pub(crate) async fn attach(
    State(state): State<AppState>,
    auth: KeyAuth,
    Path(id): Path<String>,
    Query(query): Query<AttachQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    let name = query.name.ok_or_else(|| bad("the query parameter `name` is required"))?;
    if !(1..=MAX_NAME_CHARS).contains(&name.chars().count()) {
        return Err(bad(format!("`name` must be 1 to {MAX_NAME_CHARS} characters")));
    }
    let (id, withdrawn) = writable(&state, &auth, &id).await?;
    let mut request = Vec::with_capacity(name.len() + body.len() + 1);
    request.extend_from_slice(name.as_bytes());
    request.push(0);
    request.extend_from_slice(&body);
    let once = Once::new(&auth, key, &format!("attach:{id}"), &request);
    if let Some(answer) = once.replayed(&state).await? {
        return Ok(answer);
    }
    live(id, withdrawn)?;
    if !attachment_name_ok(&name) {
        return Err(ApiError(
            StatusCode::UNPROCESSABLE_ENTITY,
            "`name` must be a file name without `/`, `\\` or control characters, ending in .pdf, .ofd, \
             .doc, .docx, .xls, .xlsx, .jpg, .jpeg, .png or .zip"
                .to_owned(),
        ));
    }
    let mut held = match once.begin(&state).await? {
        Ok(held) => held,
        Err(answer) => return Ok(answer),
    };
    let info = catalog::attach_once(&mut held, state.store(), id, &name, &body, &auth.actor())
        .await
        .map_err(refused)?;
    let written = Written {
        status: StatusCode::CREATED,
        body: json!({ "id": info.id, "name": info.name, "size": info.size, "media_type": info.media_type }),
        location: Some(format!("/items/{id}/attachments/{}", info.id)),
    };
    Once::commit(held, written).await
}
