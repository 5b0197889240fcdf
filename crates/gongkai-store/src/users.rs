//! Staff accounts: argon2id password hashes and roles per agency.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sqlx::Row;

use crate::audit;
use crate::{Store, StoreError, now_text};

/// The roles a user can hold.
pub const ROLES: [&str; 6] =
    ["clerk", "reviewer", "head", "agency_admin", "platform_admin", "supervisor"];

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn hash_password(password: &str) -> Result<String, StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(StoreError::InvalidData(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| StoreError::InvalidData(format!("hashing the password failed: {err}")))
}

/// Whether `password` matches the stored PHC string.
pub fn password_matches(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// (agency code or `None` for platform roles, role).
    pub roles: Vec<(Option<String>, String)>,
}

/// Adds a user.
pub async fn add(
    store: &Store,
    username: &str,
    display_name: &str,
    password: &str,
    actor: &str,
) -> Result<(), StoreError> {
    if username.trim().is_empty() || username.chars().any(char::is_whitespace) {
        return Err(StoreError::InvalidData(format!(
            "username `{username}` must be non-empty without spaces"
        )));
    }
    let hash = hash_password(password)?;
    let mut transaction = store.pool().begin().await?;
    sqlx::query("INSERT INTO users (username, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(username)
        .bind(display_name)
        .bind(&hash)
        .bind(now_text())
        .execute(&mut *transaction)
        .await
        .map_err(|err| StoreError::on_unique(err, "user", username))?;
    let subject = format!("user:{username}");
    let after =
        serde_json::json!({ "username": username, "display_name": display_name }).to_string();
    audit::record(&mut transaction, actor, "user.add", &subject, Some(&after)).await?;
    transaction.commit().await?;
    Ok(())
}

/// Sets a new password (and clears a lockout).
pub async fn set_password(
    store: &Store,
    username: &str,
    password: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let hash = hash_password(password)?;
    let mut transaction = store.pool().begin().await?;
    let updated = sqlx::query("UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE username = $2")
        .bind(&hash)
        .bind(username)
        .execute(&mut *transaction)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "user", key: username.to_owned() });
    }
    let subject = format!("user:{username}");
    audit::record(&mut transaction, actor, "user.passwd", &subject, None).await?;
    transaction.commit().await?;
    Ok(())
}

/// Grants `role` in `agency` (`None` for `platform_admin`).
pub async fn grant(
    store: &Store,
    username: &str,
    role: &str,
    agency: Option<&str>,
    actor: &str,
) -> Result<(), StoreError> {
    if !ROLES.contains(&role) {
        return Err(StoreError::InvalidData(format!(
            "unknown role `{role}`: expected one of {}",
            ROLES.join(", ")
        )));
    }
    if (role == "platform_admin") != agency.is_none() {
        return Err(StoreError::InvalidData(
            "platform_admin is granted without an agency; every other role needs one".to_owned(),
        ));
    }
    let mut transaction = store.pool().begin().await?;
    let user_id: i64 = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "user", key: username.to_owned() })?
        .try_get(0)?;
    let agency_id: Option<i64> = match agency {
        Some(code) => Some(
            sqlx::query("SELECT id FROM agencies WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *transaction)
                .await?
                .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?
                .try_get(0)?,
        ),
        None => None,
    };
    let key = format!("{username}:{role}@{}", agency.unwrap_or("platform"));
    sqlx::query("INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(agency_id)
        .bind(role)
        .execute(&mut *transaction)
        .await
        .map_err(|err| StoreError::on_unique(err, "role", &key))?;
    let subject = format!("user:{username}");
    let after = serde_json::json!({ "role": role, "agency": agency }).to_string();
    audit::record(&mut transaction, actor, "user.grant", &subject, Some(&after)).await?;
    transaction.commit().await?;
    Ok(())
}

/// A user with roles; `None` if there is no such user.
pub async fn find(store: &Store, username: &str) -> Result<Option<UserRow>, StoreError> {
    let Some(row) = sqlx::query("SELECT id, username, display_name FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(store.pool())
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get(0)?;
    let roles = sqlx::query(
        "SELECT a.code, r.role FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.user_id = $1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| Ok((row.try_get::<Option<String>, _>(0)?, row.try_get::<String, _>(1)?)))
    .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Some(UserRow { id, username: row.try_get(1)?, display_name: row.try_get(2)?, roles }))
}

/// Checks a password; `None` for an unknown user or a wrong password (the same answer for both).
pub async fn authenticate(
    store: &Store,
    username: &str,
    password: &str,
) -> Result<Option<UserRow>, StoreError> {
    let stored: Option<String> =
        sqlx::query("SELECT password_hash FROM users WHERE username = $1 AND disabled = 0")
            .bind(username)
            .fetch_optional(store.pool())
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
    match stored {
        Some(stored) if password_matches(&stored, password) => find(store, username).await,
        _ => Ok(None),
    }
}
