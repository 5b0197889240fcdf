//! Agencies as a tree (province → city/county → department), each with its code, region, index-number
//! pattern and contact details.

use serde::Serialize;
use sqlx::Row;

use crate::audit;
use crate::{Actor, Store, StoreError, now_text};

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// `government` or `department`.
    pub kind: String,
    pub region: String,
    pub parent_code: Option<String>,
    /// The 索引号 pattern, e.g. `{code}/{year}-{serial:05}`.
    pub index_pattern: String,
    pub office: String,
    pub phone: String,
    pub address: String,
    pub hours: String,
}

/// A new agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub region: &'a str,
    pub parent_code: Option<&'a str>,
    pub index_pattern: &'a str,
    pub office: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub hours: &'a str,
}

const SELECT: &str = "SELECT a.id, a.code, a.name, a.kind, a.region, p.code, a.index_pattern, a.office, a.phone, \
                      a.address, a.hours FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id";

fn from_row(row: &sqlx::any::AnyRow) -> Result<AgencyRow, StoreError> {
    Ok(AgencyRow {
        id: row.try_get(0)?,
        code: row.try_get(1)?,
        name: row.try_get(2)?,
        kind: row.try_get(3)?,
        region: row.try_get(4)?,
        parent_code: row.try_get(5)?,
        index_pattern: row.try_get(6)?,
        office: row.try_get(7)?,
        phone: row.try_get(8)?,
        address: row.try_get(9)?,
        hours: row.try_get(10)?,
    })
}

/// Adds an agency (audited as `actor`).
pub async fn add(
    store: &Store,
    agency: &NewAgency<'_>,
    actor: &Actor<'_>,
) -> Result<AgencyRow, StoreError> {
    if !matches!(agency.kind, "government" | "department") {
        return Err(StoreError::InvalidData(format!(
            "agency kind `{}` must be government or department",
            agency.kind
        )));
    }
    let mut transaction = store.begin_write().await?;
    let parent_id: Option<i64> = match agency.parent_code {
        Some(code) => Some(
            sqlx::query("SELECT id FROM agencies WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *transaction)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "parent agency",
                    key: code.to_owned(),
                })?
                .try_get(0)?,
        ),
        None => None,
    };
    sqlx::query(
        "INSERT INTO agencies (code, name, kind, region, parent_id, index_pattern, office, phone, address, hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(agency.code)
    .bind(agency.name)
    .bind(agency.kind)
    .bind(agency.region)
    .bind(parent_id)
    .bind(agency.index_pattern)
    .bind(agency.office)
    .bind(agency.phone)
    .bind(agency.address)
    .bind(agency.hours)
    .bind(now_text())
    .execute(&mut *transaction)
    .await
    .map_err(|err| StoreError::on_unique(err, "agency", agency.code))?;
    let subject = format!("agency:{}", agency.code);
    let after = serde_json::json!({ "code": agency.code, "name": agency.name, "kind": agency.kind, "region": agency.region, "parent": agency.parent_code }).to_string();
    audit::record(&mut transaction, actor, "agency.add", &subject, Some(&after)).await?;
    transaction.commit().await?;
    by_code(store, agency.code).await
}

pub async fn by_code(store: &Store, code: &str) -> Result<AgencyRow, StoreError> {
    let sql = format!("{SELECT} WHERE a.code = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?;
    from_row(&row)
}

/// Every agency, ordered by code.
pub async fn list(store: &Store) -> Result<Vec<AgencyRow>, StoreError> {
    let sql = format!("{SELECT} ORDER BY a.code");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(store.pool()).await?;
    rows.iter().map(from_row).collect()
}

/// 领导信息: one of the agency's leaders, in the agency's order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Leader {
    /// 姓名.
    pub name: String,
    /// 职务.
    pub post: String,
    /// 分工.
    pub duties: String,
    /// 履历.
    pub biography: String,
}

/// What the portal shows of an agency beyond its contact details: 机构概况, 主要职责, the 公开指南's e-mail,
/// postcode and fax, and the leaders.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Profile {
    /// Paragraphs separated by blank lines.
    pub overview: String,
    /// Paragraphs separated by blank lines.
    pub duties: String,
    pub email: String,
    pub postcode: String,
    pub fax: String,
    pub leaders: Vec<Leader>,
}

/// Replaces the profile and the leaders of the agency `code` (audited with before and after).
pub async fn set_profile(
    store: &Store,
    code: &str,
    profile: &Profile,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let agency = by_code(store, code).await?;
    let before = self::profile(store, code).await?;
    let mut transaction = store.begin_write().await?;
    sqlx::query(
        "UPDATE agencies SET overview = $1, duties = $2, email = $3, postcode = $4, fax = $5 WHERE id = $6",
    )
    .bind(&profile.overview)
    .bind(&profile.duties)
    .bind(&profile.email)
    .bind(&profile.postcode)
    .bind(&profile.fax)
    .bind(agency.id)
    .execute(&mut *transaction)
    .await?;
    sqlx::query("DELETE FROM leaders WHERE agency_id = $1")
        .bind(agency.id)
        .execute(&mut *transaction)
        .await?;
    for (seq, leader) in profile.leaders.iter().enumerate() {
        sqlx::query(
            "INSERT INTO leaders (agency_id, seq, name, post, duties, biography) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(agency.id)
        .bind(seq as i64)
        .bind(&leader.name)
        .bind(&leader.post)
        .bind(&leader.duties)
        .bind(&leader.biography)
        .execute(&mut *transaction)
        .await?;
    }
    let before = serde_json::to_string(&before)
        .map_err(|err| StoreError::InvalidData(format!("profile: {err}")))?;
    let after = serde_json::to_string(profile)
        .map_err(|err| StoreError::InvalidData(format!("profile: {err}")))?;
    audit::record_change(
        &mut transaction,
        actor,
        "agency.profile",
        &format!("agency:{code}"),
        Some(&before),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The profile and leaders of the agency `code`.
pub async fn profile(store: &Store, code: &str) -> Result<Profile, StoreError> {
    let row = sqlx::query(
        "SELECT id, overview, duties, email, postcode, fax FROM agencies WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?;
    let id: i64 = row.try_get(0)?;
    let leaders = sqlx::query(
        "SELECT name, post, duties, biography FROM leaders WHERE agency_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        Ok(Leader {
            name: row.try_get(0)?,
            post: row.try_get(1)?,
            duties: row.try_get(2)?,
            biography: row.try_get(3)?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Profile {
        overview: row.try_get(1)?,
        duties: row.try_get(2)?,
        email: row.try_get(3)?,
        postcode: row.try_get(4)?,
        fax: row.try_get(5)?,
        leaders,
    })
}
