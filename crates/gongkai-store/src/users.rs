//! Staff accounts: argon2id password hashes and roles per agency.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sqlx::Row;

use crate::audit;
use crate::throttle::{self, Attempt, Key, Policy};
use crate::{Actor, Store, StoreError, now_text};

/// A role a user holds: at an agency, or (the platform admin alone) on the whole platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 填报人/经办人: handles applications, prepares the report.
    Clerk,
    /// 审核人: reviews the report.
    Reviewer,
    /// 单位负责人: approves extensions, signs the report.
    Head,
    /// 单位管理员: the agency's staff, profile and keys.
    AgencyAdmin,
    /// 平台管理员: the platform.
    PlatformAdmin,
    /// 监督: reads the agencies below the one it is held at.
    Supervisor,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 6] = [
        Role::Clerk,
        Role::Reviewer,
        Role::Head,
        Role::AgencyAdmin,
        Role::PlatformAdmin,
        Role::Supervisor,
    ];

    /// The roles an agency's own admin grants.
    pub const OF_AGENCY_STAFF: [Role; 4] =
        [Role::Clerk, Role::Reviewer, Role::Head, Role::AgencyAdmin];

    /// The role as stored and as forms and the CLI name it.
    pub const fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Reviewer => "reviewer",
            Role::Head => "head",
            Role::AgencyAdmin => "agency_admin",
            Role::PlatformAdmin => "platform_admin",
            Role::Supervisor => "supervisor",
        }
    }

    /// The role's Chinese name.
    pub const fn label(self) -> &'static str {
        match self {
            Role::Clerk => "填报人/经办人",
            Role::Reviewer => "审核人",
            Role::Head => "单位负责人",
            Role::AgencyAdmin => "单位管理员",
            Role::PlatformAdmin => "平台管理员",
            Role::Supervisor => "监督（本区域）",
        }
    }

    /// The role named `code`.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.code() == code)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(code: &str) -> Result<Role, String> {
        Role::from_code(code).ok_or_else(|| {
            let known = Role::ALL.map(Role::code).join(", ");
            format!("unknown role `{code}`: expected one of {known}")
        })
    }
}

/// A role as read from the store.
fn role_at(row: &sqlx::any::AnyRow) -> Result<Role, StoreError> {
    let code: String = row.try_get("role")?;
    code.parse().map_err(StoreError::InvalidData)
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Password hashes computed or checked at once, at most. Each argon2id run holds 19 MiB (m=19456 KiB) for tens
/// of milliseconds; unbounded, 80 parallel sign-ins took a server from 261 to 846 MiB in a second. Further
/// requests wait their turn (the sign-in form is rate-limited per client, so the queue stays short).
pub const CONCURRENT_HASHES: usize = 4;

static HASHING: std::sync::LazyLock<std::sync::Arc<tokio::sync::Semaphore>> =
    std::sync::LazyLock::new(|| {
        std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENT_HASHES))
    });

/// Runs one argon2 computation on tokio's blocking pool once one of [`CONCURRENT_HASHES`] places is free. The
/// place goes with the computation: a request that times out meanwhile does not free it early.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StoreError> {
    let place = std::sync::Arc::clone(&HASHING)
        .acquire_owned()
        .await
        .map_err(|err| StoreError::InvalidData(format!("password hashing: {err}")))?;
    tokio::task::spawn_blocking(move || {
        let done = work();
        drop(place);
        done
    })
    .await
    .map_err(|err| StoreError::InvalidData(format!("password hashing: {err}")))
}

/// The argon2id PHC string of `password`, computed on tokio's blocking pool (tens of milliseconds of CPU
/// that would otherwise stall every request sharing the runtime thread).
async fn hash_password(password: &str) -> Result<String, StoreError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(crate::Refused::PasswordTooShort.into());
    }
    let password = password.to_owned();
    hashing(move || hash_now(&password)).await?
}

fn hash_now(password: &str) -> Result<String, StoreError> {
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

/// [`password_matches`] on tokio's blocking pool, for the same reason as [`hash_password`]; with no stored
/// hash (an unknown user) against a dummy one, so that the answer takes as long.
async fn verify(stored: Option<String>, password: &str) -> Result<bool, StoreError> {
    let password = password.to_owned();
    hashing(move || match &stored {
        Some(stored) => password_matches(stored, &password),
        None => password_matches(dummy_hash(), &password),
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// (agency code or `None` for platform roles, role).
    pub roles: Vec<(Option<String>, Role)>,
    pub disabled: bool,
}

/// Adds a user.
pub async fn add(
    store: &Store,
    username: &str,
    display_name: &str,
    password: &str,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    add_with_role(store, username, display_name, password, None, actor).await
}

/// Adds a user and, in the same transaction, grants them `role` at the agency (`(role, agency)`): an agency
/// admin adds its staff this way, so no account is left without the role it was made for.
pub async fn add_with_role(
    store: &Store,
    username: &str,
    display_name: &str,
    password: &str,
    role: Option<(Role, Option<&str>)>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    if username.trim().is_empty() || username.chars().any(char::is_whitespace) {
        return Err(crate::Refused::Username(username.to_owned()).into());
    }
    if let Some((role, agency)) = role {
        check_role(role, agency)?;
    }
    let hash = hash_password(password).await?;
    let mut transaction = store.begin_write().await?;
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
    if let Some((role, agency)) = role {
        grant_in(&mut transaction, username, role, agency, actor).await?;
    }
    transaction.commit().await?;
    Ok(())
}

fn check_role(role: Role, agency: Option<&str>) -> Result<(), StoreError> {
    if (role == Role::PlatformAdmin) != agency.is_none() {
        return Err(crate::Refused::RoleScope.into());
    }
    Ok(())
}

/// Sets a new password, and forgets the account's failed sign-ins (an admin's reset lets its owner in at once).
pub async fn set_password(
    store: &Store,
    username: &str,
    password: &str,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let hash = hash_password(password).await?;
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
        .bind(&hash)
        .bind(username)
        .execute(&mut *transaction)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "user", key: username.to_owned() });
    }
    let subject = format!("user:{username}");
    audit::record(&mut transaction, actor, "user.passwd", &subject, None).await?;
    // The account's waits end with the reset (its keys from every network).
    throttle::clear_account(&mut transaction, username).await?;
    transaction.commit().await?;
    Ok(())
}

/// Grants `role` in `agency` (`None` for `platform_admin`).
pub async fn grant(
    store: &Store,
    username: &str,
    role: Role,
    agency: Option<&str>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    check_role(role, agency)?;
    let mut transaction = store.begin_write().await?;
    grant_in(&mut transaction, username, role, agency, actor).await?;
    transaction.commit().await?;
    Ok(())
}

async fn grant_in(
    transaction: &mut sqlx::Transaction<'_, sqlx::Any>,
    username: &str,
    role: Role,
    agency: Option<&str>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let user_id: i64 = sqlx::query("SELECT id FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **transaction)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "user", key: username.to_owned() })?
        .try_get("id")?;
    let agency_id: Option<i64> = match agency {
        Some(code) => Some(
            sqlx::query("SELECT id FROM agencies WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut **transaction)
                .await?
                .ok_or_else(|| StoreError::NotFound { what: "agency", key: code.to_owned() })?
                .try_get("id")?,
        ),
        None => None,
    };
    let key = format!("{username}:{role}@{}", agency.unwrap_or("platform"));
    sqlx::query("INSERT INTO user_roles (user_id, agency_id, role) VALUES ($1, $2, $3)")
        .bind(user_id)
        .bind(agency_id)
        .bind(role.code())
        .execute(&mut **transaction)
        .await
        .map_err(|err| StoreError::on_unique(err, "role", &key))?;
    let subject = format!("user:{username}");
    let after = serde_json::json!({ "role": role, "agency": agency }).to_string();
    audit::record(transaction, actor, "user.grant", &subject, Some(&after)).await?;
    Ok(())
}

/// A user with roles; `None` if there is no such user.
pub async fn find(store: &Store, username: &str) -> Result<Option<UserRow>, StoreError> {
    let Some(row) =
        sqlx::query("SELECT id, username, display_name, disabled FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(store.pool())
            .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    let roles = sqlx::query(
        "SELECT a.code, r.role FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.user_id = $1 ORDER BY r.id",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| {
        Ok((row.try_get::<Option<String>, _>("code")?, role_at(row)?))
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    let disabled: i64 = row.try_get("disabled")?;
    Ok(Some(UserRow {
        id,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        roles,
        disabled: disabled != 0,
    }))
}

/// Sign-ins to one account from one network (an IPv4 address, an IPv6 /64): five typing mistakes are free,
/// then each further attempt blocks the pair for twice as long, 1 s up to 15 minutes; one attempt is forgiven
/// every 5 minutes. A guesser from one place gets a few hundred guesses a day.
pub const FROM_ONE_PLACE: Policy = Policy {
    free: 5,
    base: time::Duration::SECOND,
    max: time::Duration::minutes(15),
    forgive: time::Duration::minutes(5),
};
/// Sign-ins to one account from anywhere (guessers spread over many addresses): twenty free, then doubling
/// delays of at most one minute, one forgiven every 10 minutes. Short on purpose: anyone who knows a
/// username can trigger it, so it may slow the owner down but never shut them out for long.
pub const TO_ONE_ACCOUNT: Policy = Policy {
    free: 20,
    base: time::Duration::SECOND,
    max: time::Duration::MINUTE,
    forgive: time::Duration::minutes(10),
};
/// Sign-ins from one network to any account (one guess at each of many accounts): thirty free, then doubling
/// delays from 2 s up to 15 minutes, one forgiven every 2 minutes (an office behind one address types its
/// passwords wrong now and then all day without ever being held).
pub const FROM_ONE_NETWORK: Policy = Policy {
    free: 30,
    base: time::Duration::seconds(2),
    max: time::Duration::minutes(15),
    forgive: time::Duration::minutes(2),
};

/// The answer to a sign-in attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Success(UserRow),
    /// Unknown user, disabled user or wrong password: the same answer for all three.
    Refused,
    /// Too many attempts for this username or from this network: try again after `wait`. The same for known
    /// and unknown usernames (the keys are the name typed, not the account).
    Throttled {
        wait: time::Duration,
    },
}

/// The throttle keys of a sign-in as `username` from `network`: the name is hex-encoded, so no name can
/// be made to look like another's key (`alice@198.51.100.7` is not alice from that address).
fn sign_in_keys(username: &str, network: &str) -> [Key; 3] {
    let name = hex::encode(username.as_bytes());
    let account = Some(username.to_owned());
    [
        Key {
            name: format!("signin:{name}@{network}"),
            account: account.clone(),
            policy: FROM_ONE_PLACE,
        },
        Key { name: format!("signin:{name}"), account, policy: TO_ONE_ACCOUNT },
        Key { name: format!("signin-from:{network}"), account: None, policy: FROM_ONE_NETWORK },
    ]
}

/// Checks a password at `now` from `from` (an actor whose name is the username tried and whose address is the
/// client's), throttled per username and `network` (the client's address, an IPv6 address cut to its /64)
/// by [`FROM_ONE_PLACE`], [`TO_ONE_ACCOUNT`] and [`FROM_ONE_NETWORK`]. The attempt is counted before the
/// password is checked; a success clears the username's keys and takes the attempt back from the network's.
/// Failures against existing accounts are audited (after the answer, so that its timing does not tell
/// known from unknown usernames); the password never is.
pub async fn sign_in(
    store: &Store,
    username: &str,
    password: &str,
    now: time::OffsetDateTime,
    from: &Actor<'_>,
    network: &str,
) -> Result<SignIn, StoreError> {
    let [pair, account, place] = sign_in_keys(username, network);
    let blocks =
        match throttle::attempt(store, &[pair.clone(), account.clone(), place.clone()], now).await?
        {
            Attempt::Blocked { wait } => return Ok(SignIn::Throttled { wait }),
            Attempt::Allowed { blocks } => blocks,
        };
    let stored: Option<String> =
        sqlx::query("SELECT password_hash FROM users WHERE username = $1 AND disabled = 0")
            .bind(username)
            .fetch_optional(store.pool())
            .await?
            .map(|row| row.try_get("password_hash"))
            .transpose()?;
    let known = stored.is_some();
    // An unknown user is checked against a dummy hash, so timing does not tell which usernames exist.
    if verify(stored, password).await? && known {
        throttle::succeeded(store, &[&pair.name, &account.name], &[place]).await?;
        return Ok(find(store, username).await?.map_or(SignIn::Refused, SignIn::Success));
    }
    if known {
        let after = serde_json::json!({ "blocked_seconds": blocks.whole_seconds() }).to_string();
        let store = store.clone();
        let subject = format!("user:{username}");
        let (name, address) = (from.name.to_owned(), from.address.to_owned());
        tokio::spawn(async move {
            let entry = audit::Action {
                actor: &name,
                address: &address,
                action: "user.sign_in_failed",
                subject: &subject,
                before: None,
                after: Some(&after),
            };
            if let Err(err) = audit::append(&store, &entry).await {
                tracing::error!(error = %err, "recording a failed sign-in failed");
            }
        });
    }
    Ok(if blocks > time::Duration::ZERO {
        SignIn::Throttled { wait: blocks }
    } else {
        SignIn::Refused
    })
}

/// An argon2id hash of a random password, checked against when the username is unknown.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let random = format!("{:032x}", getrandom::u64().unwrap_or(0x5eed) as u128 * 0x9e37_79b9);
        hash_now(&random).unwrap_or_default()
    })
}

/// A signed-in user as each request sees them: the roles held now (a revoked role stops working at once) and
/// a fingerprint of the password hash (changing the password ends every other session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user: UserRow,
    pub fingerprint: String,
}

/// A short digest of a stored password hash, kept in the session instead of the hash itself.
pub fn fingerprint(password_hash: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(password_hash.as_bytes())[..12])
}

/// The enabled user `id` with roles and fingerprint; `None` for an unknown or disabled user.
pub async fn account(store: &Store, id: i64) -> Result<Option<Account>, StoreError> {
    let Some(row) =
        sqlx::query("SELECT username, password_hash FROM users WHERE id = $1 AND disabled = 0")
            .bind(id)
            .fetch_optional(store.pool())
            .await?
    else {
        return Ok(None);
    };
    let username: String = row.try_get("username")?;
    let hash: String = row.try_get("password_hash")?;
    Ok(find(store, &username).await?.map(|user| Account { user, fingerprint: fingerprint(&hash) }))
}

/// Every user with their roles, by username; with `agency`, only those holding a role in that agency (with
/// all their roles). Two queries whatever the number of users.
pub async fn list(store: &Store, agency: Option<&str>) -> Result<Vec<UserRow>, StoreError> {
    const IN_AGENCY: &str = "SELECT r.user_id FROM user_roles r JOIN agencies a ON a.id = r.agency_id WHERE a.code = $1";
    let (users_sql, roles_sql) = match agency {
        None => (
            "SELECT id, username, display_name, disabled FROM users ORDER BY username".to_owned(),
            "SELECT r.user_id, a.code, r.role FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id \
             ORDER BY r.id"
                .to_owned(),
        ),
        Some(_) => (
            format!(
                "SELECT id, username, display_name, disabled FROM users WHERE id IN ({IN_AGENCY}) \
                 ORDER BY username"
            ),
            format!(
                "SELECT r.user_id, a.code, r.role FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id \
                 WHERE r.user_id IN ({IN_AGENCY}) ORDER BY r.id"
            ),
        ),
    };
    let mut roles: std::collections::HashMap<i64, Vec<(Option<String>, Role)>> =
        std::collections::HashMap::new();
    let mut query = sqlx::query(sqlx::AssertSqlSafe(roles_sql));
    if let Some(code) = agency {
        query = query.bind(code.to_owned());
    }
    for row in query.fetch_all(store.pool()).await? {
        roles
            .entry(row.try_get("user_id")?)
            .or_default()
            .push((row.try_get("code")?, role_at(&row)?));
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(users_sql));
    if let Some(code) = agency {
        query = query.bind(code.to_owned());
    }
    query
        .fetch_all(store.pool())
        .await?
        .iter()
        .map(|row| {
            let id: i64 = row.try_get("id")?;
            let disabled: i64 = row.try_get("disabled")?;
            Ok(UserRow {
                id,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                roles: roles.remove(&id).unwrap_or_default(),
                disabled: disabled != 0,
            })
        })
        .collect()
}

/// The usernames holding `role` in the agency `code`.
pub async fn holders(store: &Store, code: &str, role: Role) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query(
        "SELECT u.username FROM user_roles r JOIN users u ON u.id = r.user_id JOIN agencies a ON a.id = r.agency_id \
         WHERE a.code = $1 AND r.role = $2 AND u.disabled = 0 ORDER BY u.username",
    )
    .bind(code)
    .bind(role.code())
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|row| row.try_get("username"))
    .collect::<Result<_, _>>()?)
}

/// Takes back `role` in `agency` (`None` for `platform_admin`).
pub async fn revoke(
    store: &Store,
    username: &str,
    role: Role,
    agency: Option<&str>,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let key = format!("{username}:{role}@{}", agency.unwrap_or("platform"));
    let mut transaction = store.begin_write().await?;
    let deleted = sqlx::query(
        "DELETE FROM user_roles WHERE role = $1 \
         AND user_id = (SELECT id FROM users WHERE username = $2) \
         AND ((agency_id IS NULL AND $3 IS NULL) OR agency_id = (SELECT id FROM agencies WHERE code = $3))",
    )
    .bind(role.code())
    .bind(username)
    .bind(agency)
    .execute(&mut *transaction)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "role", key });
    }
    let before = serde_json::json!({ "role": role, "agency": agency }).to_string();
    audit::record_change(
        &mut transaction,
        actor,
        "user.revoke",
        &format!("user:{username}"),
        Some(&before),
        None,
    )
    .await?;
    transaction.commit().await?;
    Ok(())
}

/// Disables (or enables again) an account: a disabled user cannot sign in and their sessions end.
pub async fn set_disabled(
    store: &Store,
    username: &str,
    disabled: bool,
    actor: &Actor<'_>,
) -> Result<(), StoreError> {
    let mut transaction = store.begin_write().await?;
    let updated = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
        .bind(i64::from(disabled))
        .bind(username)
        .execute(&mut *transaction)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "user", key: username.to_owned() });
    }
    let after = serde_json::json!({ "disabled": disabled }).to_string();
    let action = if disabled { "user.disable" } else { "user.enable" };
    audit::record(&mut transaction, actor, action, &format!("user:{username}"), Some(&after))
        .await?;
    transaction.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Finding 8 of issue #16: argon2 ran on the unbounded blocking pool (19 MiB each), so 80 parallel
    /// sign-ins took 80 × 19 MiB at once.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_a_few_password_hashes_run_at_once() {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let jobs: Vec<_> = (0..32)
            .map(|_| {
                let (running, most) = (Arc::clone(&running), Arc::clone(&most));
                tokio::spawn(hashing(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for job in jobs {
            job.await.unwrap().unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most <= CONCURRENT_HASHES, "{most} ran at once");
        assert!(most > 1, "they still run side by side ({most})");
    }
}
