//! All of gongkai's SQL: the schema and migrations for SQLite and PostgreSQL, and typed access to agencies,
//! users, records and the audit trail.
//!
//! One code path for both databases: sqlx `AnyPool`, portable SQL with `$n` placeholders, and two migration
//! folders (`migrations/sqlite`, `migrations/postgres`) with the same tables. The database URL picks the
//! backend (`sqlite://…` or `postgres://…`).
//!
//! SQLite durability: WAL journal, `synchronous = FULL` (a committed transaction survives power loss, not
//! only a process crash), foreign keys on, a 5 s busy timeout — set on every connection. Every transaction
//! that writes begins with [`Store::begin_write`] (`BEGIN IMMEDIATE` on SQLite), so concurrent writers queue
//! on the busy timeout instead of failing with "database is locked".

pub mod agencies;
pub mod api_keys;
pub mod applicants;
pub mod applications;
pub mod audit;
pub mod backup;
mod blobs;
pub mod bookings;
pub mod calendar;
pub mod catalog;
pub mod duties;
pub mod handling;
pub mod history;
pub mod ledger;
pub mod letters;
pub mod notifications;
pub mod once;
pub mod publishing;
pub mod records;
pub mod registers;
pub mod reports;
pub mod secret;
pub mod sessions;
pub mod site;
pub mod throttle;
pub mod users;
pub mod vocabularies;

pub use audit::Actor;

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Executor, Row};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl {
                scheme: url.split(':').next().unwrap_or_default().to_owned(),
            })
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// A storage failure, typed where the caller can act on it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL scheme `{scheme}`: use sqlite://FILE or postgres://…")]
    UnsupportedUrl { scheme: String },
    #[error("{what} `{key}` does not exist")]
    NotFound { what: &'static str, key: String },
    #[error("{what} `{key}` already exists")]
    Duplicate { what: &'static str, key: String },
    #[error(
        "the database was written by a newer gongkai (schema version {found}, this build knows up to {known}); upgrade gongkai"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("the database has no gongkai schema yet; run `gongkai migrate`")]
    NotMigrated,
    #[error("{0}")]
    InvalidData(String),
    /// A value refused for a reason the caller tells its user in its own words (matched by variant, never
    /// by the message's text).
    #[error(transparent)]
    Refused(#[from] Refused),
    #[error(
        "the secret key is not the one this database was used with: the verification codes issued under it would not verify"
    )]
    KeyMismatch,
    #[error("upload refused: {0}")]
    Quota(#[from] applications::QuotaExceeded),
    #[error(
        "the record was changed by someone else (expected version {expected}); reload and try again"
    )]
    Conflict { expected: i64 },
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// What the store refuses that a form or the API explains to its user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a normative document needs its 文号")]
    NormativeWithoutNumber,
    /// The agency's 索引号 pattern cannot number an item.
    #[error(transparent)]
    IndexPattern(#[from] gongkai_core::publishing::PatternError),
    #[error("capacity {0} must be 1 to 500")]
    Capacity(i64),
    #[error("a reading point needs a name and an address")]
    PointWithoutNameOrAddress,
    #[error("agency `{code}` was closed on {closed}")]
    AgencyClosed { code: String, closed: String },
    #[error("the successor `{0}` is itself closed")]
    SuccessorClosed(String),
    #[error("a password needs at least {} characters", users::MIN_PASSWORD_CHARS)]
    PasswordTooShort,
    #[error("username `{0}` must be non-empty without spaces")]
    Username(String),
    #[error("platform_admin is granted without an agency; every other role needs one")]
    RoleScope,
    /// A 目录分类, 主题分类 or 体裁 not in the agency's set-up list (the message in Chinese names the terms).
    #[error("{field} is not in the agency's vocabulary ({message})")]
    NotInVocabulary { field: &'static str, message: String },
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Duplicate`].
    pub(crate) fn on_unique(err: sqlx::Error, what: &'static str, key: &str) -> StoreError {
        match &err {
            sqlx::Error::Database(database) if database.is_unique_violation() => {
                StoreError::Duplicate { what, key: key.to_owned() }
            }
            _ => StoreError::Database(err),
        }
    }
}

/// The store: a pool on one database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// Verification codes are stored as HMACs under this key (see [`secret`]): a random one per connection
    /// unless the server sets its own with [`Store::with_code_key`].
    code_key: std::sync::Arc<secret::CodeKey>,
}

impl Store {
    /// Connects to `url` (creating a SQLite file if missing). Does not migrate.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = match backend {
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        connection
                            .execute(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                            )
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store { pool, backend, code_key: std::sync::Arc::new(secret::CodeKey::generate()?) })
    }

    /// The store with `key` as its verification-code key: the server's key file, the same on every
    /// instance. Without it, codes issued by this store verify only through it.
    pub fn with_code_key(mut self, key: secret::CodeKey) -> Store {
        self.code_key = std::sync::Arc::new(key);
        self
    }

    pub(crate) fn code_key(&self) -> &secret::CodeKey {
        &self.code_key
    }

    /// Checks that this store's code key is the one the database was used with: the first time, records its
    /// check value; afterwards refuses another key ([`StoreError::KeyMismatch`]), with which every
    /// verification code issued would stop verifying.
    pub async fn check_code_key(&self) -> Result<(), StoreError> {
        let check = self.code_key.check_value();
        sqlx::query(
            "INSERT INTO secret_keys (name, check_value) VALUES ('codes', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(&check)
        .execute(&self.pool)
        .await?;
        let recorded: String =
            sqlx::query("SELECT check_value FROM secret_keys WHERE name = 'codes'")
                .fetch_one(&self.pool)
                .await?
                .try_get("check_value")?;
        if recorded == check { Ok(()) } else { Err(StoreError::KeyMismatch) }
    }

    /// Connects and brings the schema up to date (refusing a newer one).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool's open connections, how many of them are idle, and its limit (for `/metrics`).
    pub fn pool_status(&self) -> (u32, u32, u32) {
        let idle = u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX);
        (self.pool.size(), idle, self.pool.options().get_max_connections())
    }

    /// Begins a transaction that will write. On SQLite this is `BEGIN IMMEDIATE`: the write lock is taken
    /// at the start, waiting up to the busy timeout for another writer. A deferred `BEGIN` that reads first
    /// and writes later is refused at once (`SQLITE_BUSY`, no waiting) when another connection holds the
    /// write lock at that moment — as a transaction just dropped after a refusal does until its rollback
    /// has run on its connection's worker. PostgreSQL waits on row locks by itself: a plain `BEGIN`.
    pub(crate) async fn begin_write(&self) -> Result<Transaction, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// The newest schema version this build knows.
    pub fn known_schema_version(&self) -> i64 {
        self.backend.migrator().iter().map(|migration| migration.version).max().unwrap_or(0)
    }

    /// The schema version the database is at; `None` before any migration.
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master \
                 WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                 WHERE table_name = '_sqlx_migrations' AND table_schema = current_schema()"
            }
        };
        let count: i64 = sqlx::query(exists).fetch_one(&self.pool).await?.try_get("n")?;
        if count == 0 {
            return Ok(None);
        }
        let version: Option<i64> = sqlx::query(
            "SELECT MAX(version) AS version FROM _sqlx_migrations WHERE success = TRUE",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("version")?;
        Ok(version)
    }

    /// Refuses a database whose schema is newer than this build.
    pub async fn check_schema(&self) -> Result<(), StoreError> {
        let known = self.known_schema_version();
        match self.schema_version().await? {
            None => Err(StoreError::NotMigrated),
            Some(found) if found > known => Err(StoreError::NewerSchema { found, known }),
            Some(_) => Ok(()),
        }
    }

    /// Applies missing migrations; refuses a database from a newer version.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        if let Some(found) = self.schema_version().await? {
            let known = self.known_schema_version();
            if found > known {
                return Err(StoreError::NewerSchema { found, known });
            }
        }
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    /// Runs one SQL statement as given (tests: creating databases, tampering checks). Raw SQL on the store
    /// exists only with the `test-support` feature, which only tests and benchmarks enable.
    #[cfg(any(test, feature = "test-support"))]
    pub async fn execute_admin(&self, sql: &str) -> Result<u64, StoreError> {
        let result = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&self.pool).await?;
        Ok(result.rows_affected())
    }

    /// Runs a `SELECT COUNT(*) …` as given (administration and tests).
    #[cfg(any(test, feature = "test-support"))]
    pub async fn count_admin(&self, sql: &str) -> Result<i64, StoreError> {
        let (count,): (i64,) =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&self.pool).await?;
        Ok(count)
    }

    /// Runs a `SELECT key, COUNT(*) … GROUP BY key` as given and returns its (text, integer) rows
    /// (benchmarks: hand-written aggregates to compare the engine with).
    #[cfg(any(test, feature = "test-support"))]
    pub async fn counts_admin(&self, sql: &str) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(&self.pool).await?)
    }

    /// Runs an `EXPLAIN …` as given and returns its rows as text (query-plan checks in tests and benchmarks).
    #[cfg(any(test, feature = "test-support"))]
    pub async fn plan_admin(&self, sql: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                // SQLite: (id, parent, notused, detail); PostgreSQL: one text column.
                let last = row.len() - 1;
                Ok(row.try_get::<String, _>(last)?)
            })
            .collect()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Today's timestamp for `created_at` columns, RFC 3339 UTC. Storage is an edge, so it may read the clock.
/// A write transaction (see [`Store::begin_write`]).
pub(crate) type Transaction = sqlx::Transaction<'static, Any>;

pub(crate) fn now_text() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two writers on SQLite, the second reading before it writes while the first holds the write lock (as
    /// a transaction dropped after a refusal does until its rollback has run): the second waits and both
    /// commit. With a deferred `BEGIN` the second is refused with "database is locked" (CI, stop 13).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_writer_that_reads_first_waits_for_another_writer_on_sqlite() {
        let dir = std::env::temp_dir().join(format!("gk_write_lock_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store =
            Store::open(&format!("sqlite://{}", dir.join("gongkai.db").display())).await.unwrap();
        store.execute_admin("CREATE TABLE probe (n INTEGER NOT NULL)").await.unwrap();

        let mut first = store.begin_write().await.unwrap();
        sqlx::query("INSERT INTO probe (n) VALUES (1)").execute(&mut *first).await.unwrap();
        let second = tokio::spawn({
            let store = store.clone();
            async move {
                let mut second = store.begin_write().await?;
                let seen: i64 = sqlx::query("SELECT COUNT(*) AS n FROM probe")
                    .fetch_one(&mut *second)
                    .await?
                    .try_get("n")?;
                sqlx::query("INSERT INTO probe (n) VALUES ($1)")
                    .bind(seen + 2)
                    .execute(&mut *second)
                    .await?;
                second.commit().await?;
                Ok::<i64, StoreError>(seen)
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        first.commit().await.unwrap();

        let seen = second.await.unwrap().expect("the second writer waits, then commits");
        assert_eq!(seen, 1, "the second writer began after the first committed");
        assert_eq!(store.count_admin("SELECT COUNT(*) FROM probe").await.unwrap(), 2);
        store.close().await;
        std::fs::remove_dir_all(&dir).ok();
    }
}
