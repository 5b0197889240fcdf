//! Content-addressed files (attachments, letters, published reports): stored once per SHA-256.

use sqlx::Row;

use crate::StoreError;

/// Stores `data` under `sha256` unless it is already there.
pub(crate) async fn put(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    sha256: &str,
    media_type: &str,
    data: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size, media_type, data) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(data.len() as i64)
    .bind(media_type)
    .bind(data.to_vec())
    .execute(&mut **transaction)
    .await?;
    Ok(())
}

/// The hex SHA-256 of `data`.
pub(crate) fn digest(data: &[u8]) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(data))
}

/// A blob's media type and bytes.
pub(crate) async fn get(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    sha256: &str,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    let row = sqlx::query("SELECT media_type, data FROM blobs WHERE sha256 = $1")
        .bind(sha256)
        .fetch_optional(executor)
        .await?;
    row.map(|row| Ok((row.try_get("media_type")?, row.try_get("data")?))).transpose()
}
