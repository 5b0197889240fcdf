//! The store on both backends: every test runs on a fresh SQLite file and a fresh PostgreSQL database.
//!
//! PostgreSQL is reached at `GONGKAI_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`, as on CI);
//! if it cannot be reached the test fails: a run that silently skips PostgreSQL proves nothing.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use gongkai_core::calendar::Calendar;
use gongkai_core::report;
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::audit::{self, Action, Verification};
use gongkai_store::{Store, StoreError, records, users};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn admin_url() -> String {
    std::env::var("GONGKAI_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Runs `body` on a fresh SQLite file, then on a fresh PostgreSQL database.
async fn on_both<F, Fut>(body: F)
where
    F: Fn(Store, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
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

fn city<'a>() -> NewAgency<'a> {
    NewAgency {
        code: "330300",
        name: "温州市人民政府",
        kind: "government",
        region: "浙江省温州市",
        parent_code: None,
        index_pattern: "{code}/{year}-{serial:05}",
        office: "温州市人民政府办公室",
        phone: "0577-88888888",
        address: "温州市鹿城区市府路500号",
        hours: "工作日 8:30-12:00, 14:00-17:30",
    }
}

#[tokio::test]
async fn migrations_apply_on_both_backends_and_are_idempotent() {
    on_both(|store, backend| async move {
        store.migrate().await.unwrap_or_else(|err| panic!("{backend}: second migrate: {err}"));
        assert_eq!(
            store.schema_version().await.unwrap(),
            Some(store.known_schema_version()),
            "{backend}"
        );
        store.check_schema().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_database_from_a_newer_version_is_refused() {
    on_both(|store, backend| async move {
        let checksum = match store.backend() {
            gongkai_store::Backend::Sqlite => "X'00'",
            gongkai_store::Backend::Postgres => "'\\x00'::bytea",
        };
        store
            .execute_admin(&format!(
                "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (99999, 'from the future', CURRENT_TIMESTAMP, TRUE, {checksum}, 0)"
            ))
            .await
            .unwrap();
        let err = store.migrate().await.unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: 99999, .. }), "{backend}: {err}");
        assert!(err.to_string().contains("newer gongkai"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn agencies_form_a_tree_and_constraint_violations_are_typed() {
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), "test").await.unwrap();
        let bureau = NewAgency {
            code: "330300-SFJ",
            name: "温州市司法局",
            kind: "department",
            parent_code: Some("330300"),
            ..city()
        };
        let added = agencies::add(&store, &bureau, "test").await.unwrap();
        assert_eq!(added.parent_code.as_deref(), Some("330300"), "{backend}");
        let listed: Vec<String> =
            agencies::list(&store).await.unwrap().into_iter().map(|agency| agency.code).collect();
        assert_eq!(listed, vec!["330300", "330300-SFJ"]);
        let duplicate = agencies::add(&store, &city(), "test").await.unwrap_err();
        assert!(
            matches!(duplicate, StoreError::Duplicate { what: "agency", .. }),
            "{backend}: {duplicate}"
        );
        let orphan = NewAgency { code: "X", parent_code: Some("nowhere"), ..city() };
        assert!(matches!(
            agencies::add(&store, &orphan, "test").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            agencies::by_code(&store, "nowhere").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn users_authenticate_and_hold_roles_per_agency() {
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), "test").await.unwrap();
        users::add(&store, "clerk1", "经办人一", "correct horse battery", "test").await.unwrap();
        users::grant(&store, "clerk1", "clerk", Some("330300"), "test").await.unwrap();
        let user = users::authenticate(&store, "clerk1", "correct horse battery")
            .await
            .unwrap()
            .expect("signs in");
        assert_eq!(user.roles, vec![(Some("330300".to_owned()), "clerk".to_owned())], "{backend}");
        assert!(users::authenticate(&store, "clerk1", "wrong password!").await.unwrap().is_none());
        assert!(
            users::authenticate(&store, "nobody", "correct horse battery").await.unwrap().is_none()
        );
        assert!(matches!(
            users::add(&store, "clerk1", "x", "correct horse battery", "test").await,
            Err(StoreError::Duplicate { .. })
        ));
        assert!(matches!(
            users::add(&store, "short", "x", "short", "test").await,
            Err(StoreError::InvalidData(_))
        ));
        assert!(matches!(
            users::grant(&store, "clerk1", "emperor", Some("330300"), "test").await,
            Err(StoreError::InvalidData(_))
        ));
        let again = users::grant(&store, "clerk1", "clerk", Some("330300"), "test").await;
        assert!(matches!(again, Err(StoreError::Duplicate { .. })), "{backend}: {again:?}");
        users::set_password(&store, "clerk1", "another long password", "test").await.unwrap();
        assert!(
            users::authenticate(&store, "clerk1", "another long password").await.unwrap().is_some()
        );
    })
    .await;
}

#[tokio::test]
async fn demo_records_round_trip_and_give_the_same_reports() {
    on_both(|store, backend| async move {
        let demo = gongkai_demo::wenzhou_justice();
        let agency = demo.agency.clone().unwrap();
        let new = NewAgency {
            code: &agency.code,
            name: &agency.name,
            kind: "department",
            office: &agency.office,
            phone: &agency.phone,
            ..city()
        };
        agencies::add(&store, &new, "test").await.unwrap();
        let saved = records::save(&store, &agency.code, &demo, "test").await.unwrap();
        assert_eq!(saved.catalog_items, demo.catalog.len(), "{backend}");
        let loaded = records::load(&store, &agency.code).await.unwrap();
        assert_eq!(loaded.catalog.len(), demo.catalog.len());
        assert_eq!(
            loaded.applications, demo.applications,
            "{backend}: applications with their events"
        );
        for year in 2018..=2025 {
            let from_demo = report::build(&demo, year, None, Calendar::builtin()).unwrap();
            let from_store = report::build(&loaded, year, None, Calendar::builtin()).unwrap();
            assert_eq!(from_store, from_demo, "{backend}: report {year}");
        }
        // Saving the same records again collides on index numbers and writes nothing.
        let again = records::save(&store, &agency.code, &demo, "test").await.unwrap_err();
        assert!(matches!(again, StoreError::Duplicate { .. }), "{backend}: {again}");
        assert_eq!(
            records::load(&store, &agency.code).await.unwrap().catalog.len(),
            demo.catalog.len()
        );
    })
    .await;
}

#[tokio::test]
async fn application_events_are_append_only() {
    on_both(|store, backend| async move {
        let demo = gongkai_demo::wenzhou_justice();
        let agency = demo.agency.clone().unwrap();
        agencies::add(&store, &NewAgency { code: &agency.code, ..city() }, "test").await.unwrap();
        let few = gongkai_core::report::records::AgencyRecords {
            applications: demo.applications[..4].to_vec(),
            ..Default::default()
        };
        records::save(&store, &agency.code, &few, "test").await.unwrap();
        assert!(
            store.execute_admin("UPDATE application_events SET event = '{}'").await.is_err(),
            "{backend}: update"
        );
        assert!(
            store.execute_admin("DELETE FROM application_events").await.is_err(),
            "{backend}: delete"
        );
    })
    .await;
}

async fn audited_store(store: &Store) {
    for index in 0..5 {
        let subject = format!("test:{index}");
        audit::append(
            store,
            &Action {
                actor: "tester",
                address: "127.0.0.1",
                action: "test.act",
                subject: &subject,
                before: None,
                after: Some("{}"),
            },
        )
        .await
        .unwrap();
    }
    assert_eq!(audit::verify(store).await.unwrap(), Verification::Intact { entries: 5 });
}

#[track_caller]
fn assert_broken_at(verification: Verification, expected_position: u64, backend: &str) {
    match verification {
        Verification::Broken { position, .. } => {
            assert_eq!(position, expected_position, "{backend}")
        }
        other => panic!("{backend}: tampering not caught: {other:?}"),
    }
}

#[tokio::test]
async fn audit_chain_catches_an_edited_entry() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        store
            .execute_admin("UPDATE audit_log SET actor = 'someone else' WHERE subject = 'test:2'")
            .await
            .unwrap();
        assert_broken_at(audit::verify(&store).await.unwrap(), 3, backend);
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_a_deleted_entry() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:1'").await.unwrap();
        assert_broken_at(audit::verify(&store).await.unwrap(), 2, backend);
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_the_newest_entry_deleted() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:4'").await.unwrap();
        assert_broken_at(audit::verify(&store).await.unwrap(), 5, backend);
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_reordered_entries() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        // Swap the positions of the second and third entries.
        for sql in [
            "UPDATE audit_log SET id = 1000 WHERE subject = 'test:1'",
            "UPDATE audit_log SET id = (SELECT id FROM audit_log WHERE subject = 'test:1') - 998 WHERE subject = 'test:2'",
            "UPDATE audit_log SET id = 3 WHERE subject = 'test:1'",
        ] {
            store.execute_admin(sql).await.unwrap();
        }
        assert_broken_at(audit::verify(&store).await.unwrap(), 2, backend);
    })
    .await;
}

#[tokio::test]
async fn every_state_change_is_audited() {
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), "admin").await.unwrap();
        users::add(&store, "head1", "负责人", "correct horse battery", "admin").await.unwrap();
        users::grant(&store, "head1", "head", Some("330300"), "admin").await.unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 3 },
            "{backend}"
        );
        // A failed action writes nothing, not even an audit entry.
        let _ = agencies::add(&store, &city(), "admin").await;
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 3 },
            "{backend}"
        );
    })
    .await;
}

/// A fresh SQLite store in its own folder.
async fn fresh_sqlite(name: &str) -> Store {
    let dir = std::env::temp_dir().join(format!(
        "gk_backup_{}_{name}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    Store::open(&format!("sqlite://{}", dir.join("gongkai.db").display())).await.unwrap()
}

async fn backup_lines(store: &Store) -> Vec<String> {
    let mut bytes = Vec::new();
    gongkai_store::backup::backup(store, &mut bytes).await.unwrap();
    // Skip the header (it names the backend); sort rows so backends' orderings do not matter.
    let mut lines: Vec<String> =
        String::from_utf8(bytes).unwrap().lines().skip(1).map(str::to_owned).collect();
    lines.sort();
    lines
}

#[tokio::test]
async fn backup_restores_every_table_into_either_backend() {
    on_both(|store, backend| async move {
        let source = fresh_sqlite("source").await;
        let demo = gongkai_demo::wenzhou_justice();
        let agency = demo.agency.clone().unwrap();
        agencies::add(
            &source,
            &NewAgency { code: &agency.code, name: &agency.name, ..city() },
            "test",
        )
        .await
        .unwrap();
        records::save(&source, &agency.code, &demo, "test").await.unwrap();
        users::add(&source, "head1", "负责人", "correct horse battery", "test").await.unwrap();

        let mut bytes = Vec::new();
        let summary = gongkai_store::backup::backup(&source, &mut bytes).await.unwrap();
        assert_eq!(summary.tables, gongkai_store::backup::TABLES.len());
        let restored = gongkai_store::backup::restore(&store, &mut bytes.as_slice()).await.unwrap();
        assert_eq!(restored.rows, summary.rows, "{backend}");
        assert_eq!(
            backup_lines(&store).await,
            backup_lines(&source).await,
            "{backend}: every table equal"
        );
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 3 },
            "{backend}"
        );
        // New rows continue after the restored ids, and the chain goes on.
        agencies::add(&store, &city(), "test").await.unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 4 },
            "{backend}"
        );

        // This backend's backup restores into SQLite identically.
        let copy = fresh_sqlite("copy").await;
        let mut bytes = Vec::new();
        gongkai_store::backup::backup(&store, &mut bytes).await.unwrap();
        gongkai_store::backup::restore(&copy, &mut bytes.as_slice()).await.unwrap();
        assert_eq!(backup_lines(&copy).await, backup_lines(&store).await, "{backend} → sqlite");

        // A database with data is never overwritten; a damaged file writes nothing.
        let refused =
            gongkai_store::backup::restore(&store, &mut bytes.as_slice()).await.unwrap_err();
        assert!(refused.to_string().contains("empty database"), "{refused}");
        let empty = fresh_sqlite("empty").await;
        let cut = &bytes[..bytes.len() / 2];
        assert!(gongkai_store::backup::restore(&empty, &mut &cut[..cut.len() - 3]).await.is_err());
        let (agencies_after,): (i64,) = (agencies::list(&empty).await.unwrap().len() as i64,);
        assert_eq!(agencies_after, 0, "all or nothing");
        for store in [source, copy, empty] {
            store.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn concurrent_intakes_get_unique_tracking_numbers_and_mask_personal_data() {
    use gongkai_store::applications::{self, NewApplication};
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), "test").await.unwrap();
        let mut tasks = Vec::new();
        for index in 0..60 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let application = NewApplication {
                    applicant: gongkai_core::report::records::ApplicantType::Natural,
                    name: "张三",
                    id_type: "居民身份证",
                    id_number: "330302199001011234",
                    phone: "13812345678",
                    address: "温州市鹿城区",
                    email: "",
                    description: &format!("申请公开第{index}号文件"),
                    delivery_form: "电子邮件",
                    intake: gongkai_core::regime::Intake::received_on(
                        gongkai_core::regime::Channel::Online,
                        time::macros::date!(2026 - 11 - 20),
                    ),
                };
                applications::intake(&store, "330300", &application, "portal").await
            }));
        }
        let mut numbers = Vec::new();
        for task in tasks {
            let receipt = task.await.unwrap().unwrap_or_else(|err| panic!("{backend}: {err}"));
            assert!(applications::verify_code(&store, &receipt.tracking_number, &receipt.verification_code).await.unwrap());
            numbers.push(receipt.tracking_number);
        }
        numbers.sort();
        let expected: Vec<String> = (1..=60).map(|n| format!("YSQ2026{n:06}")).collect();
        assert_eq!(numbers, expected, "{backend}: unique and consecutive");
        assert!(!applications::verify_code(&store, &numbers[0], "000000x").await.unwrap());
        assert!(!applications::verify_code(&store, "YSQ2026999999", "123456").await.unwrap());
        let (leaked,): (i64,) = sqlx_count(&store, "SELECT COUNT(*) FROM audit_log WHERE after_state LIKE '%13812345678%' OR after_state LIKE '%199001011234%'").await;
        assert_eq!(leaked, 0, "{backend}: personal data in the audit trail");
        assert_eq!(audit::verify(&store).await.unwrap(), Verification::Intact { entries: 61 }, "{backend}");
    })
    .await;
}

async fn sqlx_count(store: &Store, sql: &str) -> (i64,) {
    (store.count_admin(sql).await.unwrap(),)
}
