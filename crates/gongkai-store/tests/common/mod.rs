//! The harness shared by the store's test files: every test runs on a fresh SQLite file, then on a fresh
//! PostgreSQL database at `GONGKAI_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`, as on CI). If
//! PostgreSQL cannot be reached the test fails: a run that silently skips it proves nothing.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use gongkai_store::{Actor, Store};

pub const TEST: Actor<'static> = Actor::new("test", "127.0.0.1");

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A number unique within this test process (for database and folder names).
pub fn next_id() -> usize {
    COUNTER.fetch_add(1, Ordering::SeqCst)
}

pub fn admin_url() -> String {
    std::env::var("GONGKAI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `body` on a fresh SQLite file, then on a fresh PostgreSQL database.
pub async fn on_both<F, Fut>(body: F)
where
    F: Fn(Store, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let n = next_id();
    let name = format!("gk_test_{}_{n}", std::process::id());

    let dir = std::env::temp_dir().join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite_url = format!("sqlite://{}", dir.join("gongkai.db").display());
    let store = Store::open(&sqlite_url).await.expect("SQLite store opens");
    body(store.clone(), "sqlite").await;
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();

    let admin = Store::connect(&admin_url()).await.unwrap_or_else(|err| {
        panic!("PostgreSQL at {} is required for the store tests: {err}", admin_url())
    });
    admin.execute_admin(&format!("CREATE DATABASE {name}")).await.expect("create test database");
    let base = admin_url();
    let pg_url = format!("{}/{name}", &base[..base.rfind('/').unwrap()]);
    let store = Store::open(&pg_url).await.expect("PostgreSQL store opens");
    body(store.clone(), "postgres").await;
    store.close().await;
    admin
        .execute_admin(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .expect("drop test database");
    admin.close().await;
    eprintln!("ran on sqlite and postgres");
}
