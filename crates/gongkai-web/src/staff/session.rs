//! The `tower-sessions` store over the platform database (`gongkai_store::sessions`), so every instance
//! behind a load balancer shares the staff's sessions. (`tower-sessions-sqlx-store` is built for another sqlx
//! and another `SessionStore` trait; see stack.md.)

use std::collections::HashMap;

use async_trait::async_trait;
use gongkai_store::Store;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

/// Sessions kept in the `sessions` table.
#[derive(Clone, Debug)]
pub(crate) struct DatabaseSessions {
    store: Store,
}

impl DatabaseSessions {
    pub(crate) fn new(store: Store) -> DatabaseSessions {
        DatabaseSessions { store }
    }
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

fn encode(record: &Record) -> Result<String, session_store::Error> {
    serde_json::to_string(&record.data).map_err(|err| session_store::Error::Encode(err.to_string()))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DatabaseSessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        let expires = record.expiry_date.unix_timestamp();
        // A random 128-bit id collides with negligible probability; draw again if it ever does.
        while !gongkai_store::sessions::create(&self.store, &record.id.to_string(), &data, expires)
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        gongkai_store::sessions::save(
            &self.store,
            &record.id.to_string(),
            &encode(record)?,
            record.expiry_date.unix_timestamp(),
        )
        .await
        .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires)) =
            gongkai_store::sessions::load(&self.store, &id.to_string(), now())
                .await
                .map_err(backend)?
        else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> = serde_json::from_str(&data)
            .map_err(|err| session_store::Error::Decode(err.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|err| session_store::Error::Decode(err.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        gongkai_store::sessions::delete(&self.store, &id.to_string()).await.map_err(backend)
    }
}
