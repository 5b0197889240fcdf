//! Agency API keys: how the systems around a disclosure office (the site's CMS, the OA system, the province's
//! statistics platform) write and read through `/api/v1` in the agency's name.
//!
//! An agency's admin issues a key with a name, scopes and an optional last day; the key is shown once, as
//! `gk_<prefix>_<secret>`, and kept only as the SHA-256 of its secret (a key carries 256 random bits, so a
//! fast hash is enough, unlike a password). A key can be revoked; its row stays, so every audit entry made
//! with it (actor `api:<agency>/<name>`) is still explained.

use sqlx::Row;
use time::Date;

use crate::{Actor, Store, StoreError, agencies, audit};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Publish, edit and withdraw catalog items, attach files.
    CatalogWrite,
    /// Read the agency's applications with their state and reply clock, personal data masked.
    ApplicationsRead,
    /// Read the applicants' personal data unmasked (with [`Scope::ApplicationsRead`]).
    ApplicationsPersonal,
    /// Record ledger entries (台账) and declared figures.
    LedgerWrite,
    /// Read the agency's annual report as JSON.
    ReportsRead,
}

impl Scope {
    pub const ALL: [Scope; 5] = [
        Scope::CatalogWrite,
        Scope::ApplicationsRead,
        Scope::ApplicationsPersonal,
        Scope::LedgerWrite,
        Scope::ReportsRead,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Scope::CatalogWrite => "catalog:write",
            Scope::ApplicationsRead => "applications:read",
            Scope::ApplicationsPersonal => "applications:personal",
            Scope::LedgerWrite => "ledger:write",
            Scope::ReportsRead => "reports:read",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::CatalogWrite => "发布、修改、撤回主动公开信息",
            Scope::ApplicationsRead => "读取依申请公开办理情况（个人信息脱敏）",
            Scope::ApplicationsPersonal => "读取申请人个人信息（不脱敏）",
            Scope::LedgerWrite => "登记台账与报送数据",
            Scope::ReportsRead => "读取年度报告",
        }
    }

    pub fn parse(code: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.code() == code)
    }
}

/// A key as stored (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub agency_id: i64,
    pub agency_code: String,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<Scope>,
    /// The last day (in China) the key works.
    pub expires_on: Option<Date>,
    pub created_by: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl ApiKey {
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// The actor the audit trail names for what this key does.
    pub fn actor_name(&self) -> String {
        format!("api:{}/{}", self.agency_code, self.name)
    }

    /// Whether the key works on `today` (not revoked, not past its last day).
    pub fn usable_on(&self, today: Date) -> Result<(), Refusal> {
        if self.revoked_at.is_some() {
            return Err(Refusal::Revoked);
        }
        if self.expires_on.is_some_and(|last| today > last) {
            return Err(Refusal::Expired);
        }
        Ok(())
    }
}

/// Why a presented key is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Revoked,
    Expired,
}

/// A newly issued key: its row and the whole key, to be shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub key: ApiKey,
    pub token: String,
}

/// Longest key name.
pub const MAX_NAME_CHARS: usize = 40;

fn random_hex(bytes: usize) -> Result<String, StoreError> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer)
        .map_err(|err| StoreError::InvalidData(format!("no random bytes for an API key: {err}")))?;
    Ok(hex::encode(buffer))
}

fn digest(secret: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(secret.as_bytes()))
}

/// Whether `name` (trimmed) can name a key: 1 to [`MAX_NAME_CHARS`] characters, without `/` (it separates
/// agency and name in the audit trail's `api:<agency>/<name>`) or control characters.
pub fn name_ok(name: &str) -> bool {
    let name = name.trim();
    !name.is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && !name.chars().any(|c| c.is_control() || c == '/')
}

/// Issues a key for the agency `code`. The name must be new in the agency and [`name_ok`];
/// at least one scope.
pub async fn issue(
    store: &Store,
    code: &str,
    name: &str,
    scopes: &[Scope],
    expires_on: Option<Date>,
    actor: &Actor<'_>,
) -> Result<Issued, StoreError> {
    let name = name.trim();
    if !name_ok(name) {
        return Err(StoreError::InvalidData(format!(
            "a key name is 1 to {MAX_NAME_CHARS} characters, without `/` or control characters"
        )));
    }
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    if scopes.is_empty() {
        return Err(StoreError::InvalidData("a key needs at least one scope".to_owned()));
    }
    let agency = agencies::by_code(store, code).await?;
    let prefix = random_hex(6)?;
    let secret = random_hex(32)?;
    let scope_text = scopes.iter().map(|scope| scope.code()).collect::<Vec<_>>().join(" ");
    let created_at = crate::now_text();
    let mut transaction = store.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO api_keys (agency_id, name, prefix, secret_sha256, scopes, expires_on, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(agency.id)
    .bind(name)
    .bind(&prefix)
    .bind(digest(&secret))
    .bind(&scope_text)
    .bind(expires_on.map(|day| day.to_string()))
    .bind(actor.name)
    .bind(&created_at)
    .fetch_one(&mut *transaction)
    .await
    .map_err(|err| StoreError::on_unique(err, "API key", name))?
    .try_get("id")?;
    let after = serde_json::json!({
        "name": name,
        "prefix": prefix,
        "scopes": scope_text,
        "expires_on": expires_on.map(|day| day.to_string()),
    })
    .to_string();
    audit::record(&mut transaction, actor, "apikey.issue", &format!("agency:{code}"), Some(&after))
        .await?;
    transaction.commit().await?;
    let key = ApiKey {
        id,
        agency_id: agency.id,
        agency_code: agency.code,
        name: name.to_owned(),
        prefix: prefix.clone(),
        scopes,
        expires_on,
        created_by: actor.name.to_owned(),
        created_at,
        revoked_at: None,
        last_used_at: None,
    };
    Ok(Issued { key, token: format!("gk_{prefix}_{secret}") })
}

const SELECT: &str = "SELECT k.id, k.agency_id, a.code AS agency_code, k.name, k.prefix, k.scopes, k.expires_on, \
     k.created_by, k.created_at, k.revoked_at, k.last_used_at, k.secret_sha256 \
     FROM api_keys k JOIN agencies a ON a.id = k.agency_id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<ApiKey, StoreError> {
    let scopes: String = row.try_get("scopes")?;
    let expires_on: Option<String> = row.try_get("expires_on")?;
    let expires_on = expires_on.map(|text| crate::records::parse_date(&text)).transpose()?;
    Ok(ApiKey {
        id: row.try_get("id")?,
        agency_id: row.try_get("agency_id")?,
        agency_code: row.try_get("agency_code")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        scopes: scopes.split_whitespace().filter_map(Scope::parse).collect(),
        expires_on,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

/// The agency's keys, newest first (revoked ones too).
pub async fn list(store: &Store, agency_id: i64) -> Result<Vec<ApiKey>, StoreError> {
    let sql = format!("{SELECT} WHERE k.agency_id = $1 ORDER BY k.id DESC");
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(agency_id).fetch_all(store.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// The key a request presents (`gk_<prefix>_<secret>`), if it is one of this platform's with the right
/// secret; whether it may be used today is [`ApiKey::usable_on`]. Marks it used (at most once a minute).
pub async fn authenticate(store: &Store, token: &str) -> Result<Option<ApiKey>, StoreError> {
    let Some((prefix, secret)) = token.strip_prefix("gk_").and_then(|rest| rest.split_once('_'))
    else {
        return Ok(None);
    };
    let hex_of = |text: &str, len: usize| {
        text.len() == len && text.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    };
    if !hex_of(prefix, 12) || !hex_of(secret, 64) {
        return Ok(None);
    }
    let sql = format!("{SELECT} WHERE k.prefix = $1");
    let Some(row) =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(prefix).fetch_optional(store.pool()).await?
    else {
        return Ok(None);
    };
    let stored: String = row.try_get("secret_sha256")?;
    let given = digest(secret);
    // Compared without an early exit (the digests are public-length hex).
    let same = stored.len() == given.len()
        && stored.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if !same {
        return Ok(None);
    }
    let mut key = from_row(&row)?;
    // Written at most once a minute, and only then (a write on every request would queue every API call
    // behind SQLite's one writer).
    let now = time::OffsetDateTime::now_utc();
    let stale = key.last_used_at.as_deref().is_none_or(|last| {
        time::OffsetDateTime::parse(last, &time::format_description::well_known::Rfc3339)
            .is_ok_and(|last| now - last > time::Duration::minutes(1))
    });
    if stale {
        let at = crate::now_text();
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(key.id)
            .execute(store.pool())
            .await?;
        key.last_used_at = Some(at);
    }
    Ok(Some(key))
}

/// Revokes the agency's key `id` (from then on refused); revoking a revoked key changes nothing.
pub async fn revoke(
    store: &Store,
    agency_id: i64,
    id: i64,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    let row = sqlx::query("SELECT name, revoked_at FROM api_keys WHERE id = $1 AND agency_id = $2")
        .bind(id)
        .bind(agency_id)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "API key", key: id.to_string() })?;
    let name: String = row.try_get("name")?;
    let revoked: Option<String> = row.try_get("revoked_at")?;
    if revoked.is_some() {
        return Ok(());
    }
    sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
        .bind(crate::now_text())
        .bind(actor.name)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    let after = serde_json::json!({ "name": name }).to_string();
    audit::record(&mut transaction, actor, "apikey.revoke", &format!("api_key:{id}"), Some(&after))
        .await?;
    transaction.commit().await?;
    Ok(())
}
