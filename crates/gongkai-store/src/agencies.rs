//! Agencies as a tree (province → city/county → department), each with its code, region, index-number
//! pattern and contact details.

use gongkai_core::directory;
use gongkai_core::records::AgencyKind;
use serde::Serialize;
use sqlx::Row;

use crate::{Actor, Store, StoreError, now_text};
use crate::{audit, blobs};

mod import;

pub use import::{ImportCounts, existing, import};

/// An agency as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgencyRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: AgencyKind,
    pub region: String,
    pub parent_code: Option<String>,
    /// The 索引号 pattern, e.g. `{code}/{year}-{serial:05}`.
    pub index_pattern: String,
    pub office: String,
    pub phone: String,
    pub address: String,
    pub hours: String,
    /// The day it closed (撤销, 合并), `YYYY-MM-DD`; `None` while it works.
    pub closed_on: Option<String>,
    /// The agency that took over its work, when it closed: code and name.
    pub successor: Option<(String, String)>,
}

/// A new agency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAgency<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: AgencyKind,
    pub region: &'a str,
    pub parent_code: Option<&'a str>,
    pub index_pattern: &'a str,
    pub office: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub hours: &'a str,
}

const SELECT: &str = "SELECT a.id, a.code, a.name, a.kind, a.region, p.code AS parent_code, \
                      a.index_pattern, a.office, a.phone, a.address, a.hours, a.closed_on, \
                      s.code AS successor_code, s.name AS successor_name FROM agencies a \
                      LEFT JOIN agencies p ON p.id = a.parent_id LEFT JOIN agencies s ON s.id = a.successor_id";

fn kind_of(code: &str) -> Result<AgencyKind, StoreError> {
    AgencyKind::from_name(code)
        .ok_or_else(|| StoreError::InvalidData(format!("agency kind `{code}`")))
}

fn from_row(row: &sqlx::any::AnyRow) -> Result<AgencyRow, StoreError> {
    Ok(AgencyRow {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: kind_of(&row.try_get::<String, _>("kind")?)?,
        region: row.try_get("region")?,
        parent_code: row.try_get("parent_code")?,
        index_pattern: row.try_get("index_pattern")?,
        office: row.try_get("office")?,
        phone: row.try_get("phone")?,
        address: row.try_get("address")?,
        hours: row.try_get("hours")?,
        closed_on: row.try_get("closed_on")?,
        successor: match (
            row.try_get::<Option<String>, _>("successor_code")?,
            row.try_get::<Option<String>, _>("successor_name")?,
        ) {
            (Some(code), Some(name)) => Some((code, name)),
            _ => None,
        },
    })
}

/// Adds an agency (audited as `actor`).
pub async fn add(
    store: &Store,
    agency: &NewAgency<'_>,
    actor: &Actor<'_>,
) -> Result<AgencyRow, StoreError> {
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
                .try_get("id")?,
        ),
        None => None,
    };
    sqlx::query(
        "INSERT INTO agencies (code, name, kind, region, parent_id, index_pattern, office, phone, address, hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(agency.code)
    .bind(agency.name)
    .bind(agency.kind.code())
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
    /// The SHA-256 of the leader's photo (JPEG or PNG), if the agency gave one; set with
    /// [`set_leader_photo`], read with [`leader_photo`]. Kept when the leaders are saved again under the
    /// same name.
    pub photo: Option<String>,
}

/// The media types a leader's photo may have.
pub const PHOTO_TYPES: [&str; 2] = ["image/jpeg", "image/png"];
/// The largest photo of a leader, in bytes.
pub const PHOTO_LIMIT: usize = 2 * 1024 * 1024;

/// Writes the agency's leaders in order in place of those it had, each keeping the photo the leader of
/// the same name had.
async fn put_leaders<'a>(
    transaction: &mut sqlx::Transaction<'static, sqlx::Any>,
    agency_id: i64,
    leaders: impl Iterator<Item = [&'a str; 4]>,
) -> Result<(), StoreError> {
    let photos: Vec<(String, String)> = sqlx::query(
        "SELECT name, photo_sha256 FROM leaders WHERE agency_id = $1 AND photo_sha256 IS NOT NULL \
         ORDER BY seq",
    )
    .bind(agency_id)
    .fetch_all(&mut **transaction)
    .await?
    .iter()
    .map(|row| Ok((row.try_get("name")?, row.try_get("photo_sha256")?)))
    .collect::<Result<_, StoreError>>()?;
    sqlx::query("DELETE FROM leaders WHERE agency_id = $1")
        .bind(agency_id)
        .execute(&mut **transaction)
        .await?;
    // Each photo goes once, to the first leader left of the same name (two leaders may share a name).
    let mut photos: Vec<Option<(String, String)>> = photos.into_iter().map(Some).collect();
    for (seq, [name, post, duties, biography]) in leaders.enumerate() {
        let photo = photos
            .iter_mut()
            .find(|photo| photo.as_ref().is_some_and(|(known, _)| known.trim() == name.trim()))
            .and_then(Option::take)
            .map(|(_, photo)| photo);
        sqlx::query(
            "INSERT INTO leaders (agency_id, seq, name, post, duties, biography, photo_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(agency_id)
        .bind(seq as i64)
        .bind(name)
        .bind(post)
        .bind(duties)
        .bind(biography)
        .bind(photo)
        .execute(&mut **transaction)
        .await?;
    }
    Ok(())
}

/// Sets (or, with `None`, removes) the photo of the agency's leader at position `seq`, who must still be
/// `name` (the list may have changed since the form was shown). `photo` is the image's media type, one of
/// [`PHOTO_TYPES`], and its bytes, at most [`PHOTO_LIMIT`]. Audited.
pub async fn set_leader_photo(
    store: &Store,
    code: &str,
    seq: i64,
    name: &str,
    photo: Option<(&str, &[u8])>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    if let Some((media_type, data)) = photo {
        if !PHOTO_TYPES.contains(&media_type) {
            return Err(StoreError::InvalidData(format!(
                "a leader's photo is JPEG or PNG, not {media_type}"
            )));
        }
        if data.is_empty() || data.len() > PHOTO_LIMIT {
            return Err(StoreError::InvalidData(format!(
                "a leader's photo is 1 byte to {PHOTO_LIMIT} bytes, not {}",
                data.len()
            )));
        }
    }
    let agency = by_code(store, code).await?;
    let mut transaction = store.begin_write().await?;
    let sha256 = match photo {
        Some((media_type, data)) => {
            let sha256 = blobs::digest(data);
            blobs::put(&mut transaction, &sha256, media_type, data).await?;
            Some(sha256)
        }
        None => None,
    };
    let updated = sqlx::query(
        "UPDATE leaders SET photo_sha256 = $1 WHERE agency_id = $2 AND seq = $3 AND name = $4",
    )
    .bind(&sha256)
    .bind(agency.id)
    .bind(seq)
    .bind(name)
    .execute(&mut *transaction)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::NotFound { what: "leader", key: format!("{code} #{seq} {name}") });
    }
    let after = serde_json::json!({ "leader": name, "photo": sha256 }).to_string();
    audit::record(
        &mut transaction,
        actor,
        "agency.leader_photo",
        &format!("agency:{code}"),
        Some(&after),
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// The photo `sha256` of one of the leaders of the agency `code`: its media type and bytes. `None` when
/// no leader of that agency has it (a blob is never served by its hash alone).
pub async fn leader_photo(
    store: &Store,
    code: &str,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let row = sqlx::query(
        "SELECT b.media_type, b.data FROM leaders l JOIN agencies a ON a.id = l.agency_id \
         JOIN blobs b ON b.sha256 = l.photo_sha256 WHERE a.code = $1 AND l.photo_sha256 = $2",
    )
    .bind(code)
    .bind(sha256)
    .fetch_optional(store.pool())
    .await?;
    row.map(|row| Ok((row.try_get("media_type")?, row.try_get("data")?))).transpose()
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
    let leaders = profile
        .leaders
        .iter()
        .map(|leader| [leader.name.as_str(), &leader.post, &leader.duties, &leader.biography]);
    put_leaders(&mut transaction, agency.id, leaders).await?;
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
    let id: i64 = row.try_get("id")?;
    let leaders = sqlx::query(
        "SELECT name, post, duties, biography, photo_sha256 FROM leaders WHERE agency_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        Ok(Leader {
            name: row.try_get("name")?,
            post: row.try_get("post")?,
            duties: row.try_get("duties")?,
            biography: row.try_get("biography")?,
            photo: row.try_get("photo_sha256")?,
        })
    })
    .collect::<Result<_, StoreError>>()?;
    Ok(Profile {
        overview: row.try_get("overview")?,
        duties: row.try_get("duties")?,
        email: row.try_get("email")?,
        postcode: row.try_get("postcode")?,
        fax: row.try_get("fax")?,
        leaders,
    })
}

/// The agencies as an agency file states them, every field given: all of them, or the agency `root` and
/// the agencies under it. Parents come before their children.
pub async fn export(
    store: &Store,
    root: Option<&str>,
) -> Result<Vec<directory::AgencyEntry>, StoreError> {
    let sql = "SELECT a.code, a.name, a.kind, p.code AS parent_code, a.region, a.index_pattern, \
         a.office, a.phone, a.fax, a.email, a.address, a.postcode, a.hours, a.overview, a.duties, \
         a.closed_on, s.code AS successor_code, a.id \
         FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id LEFT JOIN agencies s ON s.id = a.successor_id \
         ORDER BY a.code";
    let rows = sqlx::query(sql).fetch_all(store.pool()).await?;
    let mut leaders: std::collections::HashMap<i64, Vec<directory::LeaderEntry>> =
        std::collections::HashMap::new();
    for row in sqlx::query(
        "SELECT agency_id, name, post, duties, biography FROM leaders ORDER BY agency_id, seq",
    )
    .fetch_all(store.pool())
    .await?
    {
        leaders.entry(row.try_get("agency_id")?).or_default().push(directory::LeaderEntry {
            name: row.try_get("name")?,
            post: row.try_get("post")?,
            duties: row.try_get("duties")?,
            biography: row.try_get("biography")?,
        });
    }
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        let text = |column: &str| -> Result<Option<String>, StoreError> {
            Ok(Some(row.try_get::<String, _>(column)?))
        };
        let id: i64 = row.try_get("id")?;
        entries.push(directory::AgencyEntry {
            code: row.try_get("code")?,
            name: row.try_get("name")?,
            kind: row.try_get("kind")?,
            parent: row.try_get("parent_code")?,
            region: text("region")?,
            index_pattern: text("index_pattern")?,
            office: text("office")?,
            phone: text("phone")?,
            fax: text("fax")?,
            email: text("email")?,
            address: text("address")?,
            postcode: text("postcode")?,
            hours: text("hours")?,
            overview: text("overview")?,
            duties: text("duties")?,
            leaders: Some(leaders.remove(&id).unwrap_or_default()),
            closed_on: row.try_get("closed_on")?,
            successor: row.try_get("successor_code")?,
        });
    }
    // Parents first, breadth-first from the top of the tree. Stored agencies are not checked here: one
    // entered before the checks existed must not stop every other agency from being exported or edited.
    let mut children: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    let codes: std::collections::HashSet<&str> =
        entries.iter().map(|entry| entry.code.as_str()).collect();
    let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
    for (index, entry) in entries.iter().enumerate() {
        match entry.parent.as_deref().filter(|parent| codes.contains(parent)) {
            Some(parent) => children.entry(parent).or_default().push(index),
            None => queue.push_back(index),
        }
    }
    let mut order = Vec::with_capacity(entries.len());
    let mut placed = vec![false; entries.len()];
    while let Some(index) = queue.pop_front() {
        if std::mem::replace(&mut placed[index], true) {
            continue;
        }
        order.push(index);
        for child in children.get(entries[index].code.as_str()).into_iter().flatten() {
            queue.push_back(*child);
        }
    }
    // A cycle in the stored tree (only a database edited by hand has one): listed last.
    order.extend((0..entries.len()).filter(|index| !placed[*index]));
    let mut ordered: Vec<directory::AgencyEntry> =
        order.into_iter().map(|index| entries[index].clone()).collect();
    if let Some(root) = root {
        if !ordered.iter().any(|entry| entry.code == root) {
            return Err(StoreError::NotFound { what: "agency", key: root.to_owned() });
        }
        let mut inside: std::collections::HashSet<String> =
            std::collections::HashSet::from([root.to_owned()]);
        ordered.retain(|entry| {
            let keep = entry.code == root
                || entry.parent.as_ref().is_some_and(|parent| inside.contains(parent));
            if keep {
                inside.insert(entry.code.clone());
            }
            keep
        });
    }
    Ok(ordered)
}

/// Closes the agency `code` on `day` (撤销, 合并), with the agency that takes over its work. It stays in the
/// tree and keeps its archive; the portal marks it and names the successor. Refused: an agency already
/// closed, a successor that is itself, unknown or closed. Returns the number of its applications with no
/// reply recorded, which stay with it (to be handed over by its staff).
pub async fn close(
    store: &Store,
    code: &str,
    successor: Option<&str>,
    day: time::Date,
    actor: &Actor<'_>,
) -> Result<i64, StoreError> {
    let mut transaction = store.begin_write().await?;
    let row = sqlx::query("SELECT id, closed_on FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?;
    let id: i64 = row.try_get("id")?;
    if let Some(closed) = row.try_get::<Option<String>, _>("closed_on")? {
        return Err(crate::Refused::AgencyClosed { code: code.to_owned(), closed }.into());
    }
    let successor_id = match successor {
        Some(other) if other == code => {
            return Err(StoreError::InvalidData("an agency cannot succeed itself".to_owned()));
        }
        Some(other) => {
            let row = sqlx::query("SELECT id, closed_on FROM agencies WHERE code = $1")
                .bind(other)
                .fetch_optional(&mut *transaction)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "successor agency",
                    key: other.to_owned(),
                })?;
            if row.try_get::<Option<String>, _>("closed_on")?.is_some() {
                return Err(crate::Refused::SuccessorClosed(other.to_owned()).into());
            }
            Some(row.try_get::<i64, _>("id")?)
        }
        None => None,
    };
    sqlx::query("UPDATE agencies SET closed_on = $1, successor_id = $2 WHERE id = $3")
        .bind(day.to_string())
        .bind(successor_id)
        .bind(id)
        .execute(&mut *transaction)
        .await?;
    let open: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM applications \
         WHERE agency_id = $1 AND replied IS NULL AND outcome IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *transaction)
    .await?
    .try_get("n")?;
    let after = serde_json::json!({ "closed_on": day.to_string(), "successor": successor, "open_applications": open })
        .to_string();
    audit::record(&mut transaction, actor, "agency.close", &format!("agency:{code}"), Some(&after))
        .await?;
    transaction.commit().await?;
    Ok(open)
}
