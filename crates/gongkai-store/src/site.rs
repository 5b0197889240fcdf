//! The platform's marks as a government website ([`SiteInfo`]): one row, edited by the platform admin,
//! shown at the foot of every public page.

use gongkai_core::site::SiteInfo;
use sqlx::Row;

use crate::audit::{self, Actor};
use crate::{Store, StoreError};

/// The platform's marks; all empty until the admin sets them.
pub async fn info(store: &Store) -> Result<SiteInfo, StoreError> {
    let row =
        sqlx::query("SELECT info FROM site WHERE id = 1").fetch_optional(store.pool()).await?;
    match row {
        None => Ok(SiteInfo::default()),
        Some(row) => {
            let text: String = row.try_get("info")?;
            serde_json::from_str(&text)
                .map_err(|err| StoreError::InvalidData(format!("site info: {err}")))
        }
    }
}

/// Replaces the platform's marks (trimmed; refused with the first problem when a field is not in its
/// register's format), audited with before and after.
pub async fn set_info(store: &Store, info: &SiteInfo, actor: &Actor<'_>) -> Result<(), StoreError> {
    let info = info.trimmed();
    if let Some(problem) = info.problems().into_iter().next() {
        return Err(StoreError::InvalidData(problem.message));
    }
    let before = self::info(store).await?;
    let to_json = |info: &SiteInfo| {
        serde_json::to_string(info)
            .map_err(|err| StoreError::InvalidData(format!("site info: {err}")))
    };
    let (before, after) = (to_json(&before)?, to_json(&info)?);
    let mut transaction = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO site (id, info) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET info = excluded.info",
    )
    .bind(&after)
    .execute(&mut *transaction)
    .await?;
    audit::record_change(&mut transaction, actor, "site.info", "site", Some(&before), Some(&after))
        .await?;
    transaction.commit().await?;
    Ok(())
}
