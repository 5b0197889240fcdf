//! The store on both backends: every test runs on a fresh SQLite file and a fresh PostgreSQL database.
//!
//! PostgreSQL is reached at `GONGKAI_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/test`, as on CI);
//! if it cannot be reached the test fails: a run that silently skips PostgreSQL proves nothing.

mod common;

use gongkai_core::calendar::Calendar;
use gongkai_core::report;
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::audit::{self, Action, Break, Verification};
use gongkai_store::{Actor, Store, StoreError, records, users};

use common::{TEST, next_id, on_both};

fn city<'a>() -> NewAgency<'a> {
    NewAgency {
        code: "330300",
        name: "温州市人民政府",
        kind: gongkai_core::records::AgencyKind::Government,
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
        agencies::add(&store, &city(), &TEST).await.unwrap();
        let bureau = NewAgency {
            code: "330300-SFJ",
            name: "温州市司法局",
            kind: gongkai_core::records::AgencyKind::Department,
            parent_code: Some("330300"),
            ..city()
        };
        let added = agencies::add(&store, &bureau, &TEST).await.unwrap();
        assert_eq!(added.parent_code.as_deref(), Some("330300"), "{backend}");
        let listed: Vec<String> =
            agencies::list(&store).await.unwrap().into_iter().map(|agency| agency.code).collect();
        assert_eq!(listed, vec!["330300", "330300-SFJ"]);
        let duplicate = agencies::add(&store, &city(), &TEST).await.unwrap_err();
        assert!(
            matches!(duplicate, StoreError::Duplicate { what: "agency", .. }),
            "{backend}: {duplicate}"
        );
        let orphan = NewAgency { code: "X", parent_code: Some("nowhere"), ..city() };
        assert!(matches!(
            agencies::add(&store, &orphan, &TEST).await,
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
async fn users_sign_in_and_hold_roles_per_agency() {
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), &TEST).await.unwrap();
        users::add(&store, "clerk1", "经办人一", "correct horse battery", &TEST).await.unwrap();
        users::grant(&store, "clerk1", users::Role::Clerk, Some("330300"), &TEST).await.unwrap();
        let user = match sign_in(&store, "clerk1", "correct horse battery", 0).await {
            users::SignIn::Success(user) => user,
            other => panic!("{backend}: {other:?}"),
        };
        assert_eq!(user.roles, vec![(Some("330300".to_owned()), users::Role::Clerk)], "{backend}");
        assert_eq!(sign_in(&store, "clerk1", "wrong password!", 0).await, users::SignIn::Refused);
        assert_eq!(
            sign_in(&store, "nobody", "correct horse battery", 0).await,
            users::SignIn::Refused
        );
        assert!(matches!(
            users::add(&store, "clerk1", "x", "correct horse battery", &TEST).await,
            Err(StoreError::Duplicate { .. })
        ));
        assert!(matches!(
            users::add(&store, "short", "x", "short", &TEST).await,
            Err(StoreError::Refused(gongkai_store::Refused::PasswordTooShort))
        ));
        // A role is one of the known ones before it reaches the store.
        let unknown = "emperor".parse::<users::Role>().unwrap_err();
        assert!(unknown.contains("unknown role `emperor`"), "{unknown}");
        assert!(matches!(
            users::grant(&store, "clerk1", users::Role::PlatformAdmin, Some("330300"), &TEST).await,
            Err(StoreError::Refused(gongkai_store::Refused::RoleScope))
        ));
        let again = users::grant(&store, "clerk1", users::Role::Clerk, Some("330300"), &TEST).await;
        assert!(matches!(again, Err(StoreError::Duplicate { .. })), "{backend}: {again:?}");
        users::set_password(&store, "clerk1", "another long password", &TEST).await.unwrap();
        assert!(matches!(
            sign_in(&store, "clerk1", "another long password", 0).await,
            users::SignIn::Success(_)
        ));
    })
    .await;
}

/// Signs in at 2026-11-27T10:00Z plus `seconds`, from 198.51.100.7.
async fn sign_in(store: &Store, username: &str, password: &str, seconds: i64) -> users::SignIn {
    sign_in_from(store, username, password, seconds, "198.51.100.7").await
}

async fn sign_in_from(
    store: &Store,
    username: &str,
    password: &str,
    seconds: i64,
    from: &str,
) -> users::SignIn {
    let now = time::macros::datetime!(2026-11-27 10:00 UTC) + time::Duration::seconds(seconds);
    users::sign_in(store, username, password, now, &Actor::new(username, from), from).await.unwrap()
}

fn throttled(seconds: i64) -> users::SignIn {
    users::SignIn::Throttled { wait: time::Duration::seconds(seconds) }
}

#[tokio::test]
async fn failed_sign_ins_slow_the_guesser_down_without_locking_the_owner_out() {
    on_both(|store, backend| async move {
        users::add(&store, "head1", "负责人", "correct horse battery", &TEST).await.unwrap();
        let free = users::FROM_ONE_PLACE.free;
        for attempt in 1..=free {
            assert_eq!(sign_in(&store, "head1", "guess", 0).await, users::SignIn::Refused, "{backend}: {attempt}");
        }
        // Past the free failures: 1 s, then 2 s, 4 s … from the failure.
        assert_eq!(sign_in(&store, "head1", "guess", 0).await, throttled(1), "{backend}");
        // While blocked even the right password is not checked, and the attempt is not counted.
        assert_eq!(sign_in(&store, "head1", "correct horse battery", 0).await, throttled(1), "{backend}");
        assert_eq!(sign_in(&store, "head1", "guess", 1).await, throttled(2), "{backend}");
        assert_eq!(sign_in(&store, "head1", "guess", 3).await, throttled(4), "{backend}");
        // The owner, from their own address, is not held by the guesser's failures.
        assert!(matches!(
            sign_in_from(&store, "head1", "correct horse battery", 3, "203.0.113.9").await,
            users::SignIn::Success(_)
        ), "{backend}");
        // Once the wait is over the right password works and clears the account's failures.
        assert!(matches!(sign_in(&store, "head1", "correct horse battery", 7).await, users::SignIn::Success(_)));
        assert_eq!(sign_in(&store, "head1", "guess", 8).await, users::SignIn::Refused, "{backend}: count cleared");
        // An unknown username is answered exactly alike.
        for attempt in 1..=free {
            assert_eq!(sign_in(&store, "nobody", "guess", 10).await, users::SignIn::Refused, "{backend}: {attempt}");
        }
        assert_eq!(sign_in(&store, "nobody", "guess", 10).await, throttled(1), "{backend}");
        // Spread over many addresses, guesses at one account still slow down, but at most a minute.
        let mut last = users::SignIn::Refused;
        for n in 0..40 {
            last = sign_in_from(&store, "head1", "guess", 20 + n * 70, &format!("192.0.2.{n}")).await;
        }
        assert_eq!(last, throttled(60), "{backend}: the account-wide wait is capped at a minute");
        let audited = store
            .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'user.sign_in_failed' AND subject = 'user:head1'")
            .await
            .unwrap();
        assert!(audited >= 8, "{backend}: failures against a real account are audited ({audited})");
        let leaked = store.count_admin("SELECT COUNT(*) FROM audit_log WHERE after_state LIKE '%guess%'").await.unwrap();
        assert_eq!(leaked, 0, "{backend}: passwords are never logged");
    })
    .await;
}

#[tokio::test]
async fn an_office_behind_one_address_is_forgiven_its_typos_and_names_cannot_pose_as_keys() {
    on_both(|store, backend| async move {
        users::add(&store, "alice", "负责人", "correct horse battery", &TEST).await.unwrap();
        // A hundred typos a day from one office (one every 10 minutes, each a different colleague's):
        // forgiven as they come, never held.
        for n in 0..100 {
            let answer =
                sign_in_from(&store, &format!("colleague{n}"), "typo", n * 600, "198.51.100.7")
                    .await;
            assert_eq!(answer, users::SignIn::Refused, "{backend}: typo {n}");
        }
        // Someone types `alice@203.0.113.5` as a username, from 21 addresses (past that name's free attempts):
        // alice, from that address, is not held by it.
        for n in 0..21 {
            sign_in_from(&store, "alice@203.0.113.5", "guess", 70_000, &format!("192.0.2.{n}"))
                .await;
        }
        assert!(
            matches!(
                sign_in_from(&store, "alice", "correct horse battery", 70_000, "203.0.113.5").await,
                users::SignIn::Success(_)
            ),
            "{backend}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_server_with_another_key_file_is_refused() {
    on_both(|store, backend| async move {
        store.check_code_key().await.unwrap();
        store.check_code_key().await.unwrap();
        let other =
            store.clone().with_code_key(gongkai_store::secret::CodeKey::generate().unwrap());
        assert!(
            matches!(other.check_code_key().await, Err(StoreError::KeyMismatch)),
            "{backend}: codes issued under the first key would no longer verify"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_at_the_same_time_each_count() {
    on_both(|store, backend| async move {
        users::add(&store, "head1", "负责人", "correct horse battery", &TEST).await.unwrap();
        let attempts: Vec<_> = (0..=users::FROM_ONE_PLACE.free)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { sign_in(&store, "head1", "guess", 0).await })
            })
            .collect();
        let mut slowed = 0;
        for attempt in attempts {
            match attempt.await.unwrap() {
                users::SignIn::Throttled { .. } => slowed += 1,
                users::SignIn::Refused => {}
                other => panic!("{backend}: {other:?}"),
            }
        }
        assert!(slowed >= 1, "{backend}: six guesses at once are slowed as six in a row are");
        assert!(matches!(
            sign_in(&store, "head1", "correct horse battery", 0).await,
            users::SignIn::Throttled { .. }
        ));
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
            kind: gongkai_core::records::AgencyKind::Department,
            office: &agency.office,
            phone: &agency.phone,
            ..city()
        };
        agencies::add(&store, &new, &TEST).await.unwrap();
        let saved = records::save(&store, &agency.code, &demo, &TEST).await.unwrap();
        assert_eq!(saved.catalog_items, demo.catalog.len(), "{backend}");
        let loaded = records::load(&store, &agency.code).await.unwrap();
        assert_eq!(loaded.catalog.len(), demo.catalog.len());
        assert_eq!(
            loaded.applications, demo.applications,
            "{backend}: applications with their events"
        );
        // Every other kind of record comes back as it was saved, in its order.
        assert_eq!(loaded.normative_documents, demo.normative_documents, "{backend}");
        assert_eq!(loaded.reviews, demo.reviews, "{backend}");
        assert_eq!(loaded.lawsuits, demo.lawsuits, "{backend}");
        assert_eq!(loaded.complaints, demo.complaints, "{backend}");
        assert_eq!(loaded.responses, demo.responses, "{backend}");
        assert_eq!(loaded.staff, demo.staff, "{backend}");
        assert_eq!(loaded.offices, demo.offices, "{backend}");
        assert_eq!(loaded.reading_points, demo.reading_points, "{backend}");
        assert_eq!(loaded.funding, demo.funding, "{backend}");
        assert_eq!(loaded.meetings, demo.meetings, "{backend}");
        assert_eq!(loaded.trainings, demo.trainings, "{backend}");
        assert_eq!(loaded.fees, demo.fees, "{backend}");
        assert_eq!(loaded.declared, demo.declared, "{backend}");
        // Staff-written texts load by year and section, not in the order saved.
        assert_eq!(loaded.texts.len(), demo.texts.len(), "{backend}");
        assert!(demo.texts.iter().all(|text| loaded.texts.contains(text)), "{backend}");
        for kind in [
            demo.normative_documents.len(),
            demo.reviews.len(),
            demo.lawsuits.len(),
            demo.responses.len(),
            demo.staff.len(),
            demo.trainings.len(),
        ] {
            assert!(kind > 0, "the demo has records of every kind this test compares");
        }
        for year in 2018..=2025 {
            let from_demo = report::build(&demo, year, None, Calendar::builtin()).unwrap();
            let from_store = report::build(&loaded, year, None, Calendar::builtin()).unwrap();
            assert_eq!(from_store, from_demo, "{backend}: report {year}");
        }
        // Loading a year for several agencies at once (catalog items counted in the database) gives the
        // same reports as loading each agency's every record.
        let large = gongkai_demo::scale::large_agency("LARGE", 300, 60);
        agencies::add(&store, &NewAgency { code: "LARGE", name: "大局", ..new.clone() }, &TEST)
            .await
            .unwrap();
        records::save(&store, "LARGE", &large, &TEST).await.unwrap();
        let rows = vec![
            agencies::by_code(&store, &agency.code).await.unwrap(),
            agencies::by_code(&store, "LARGE").await.unwrap(),
        ];
        let everything = [loaded.clone(), records::load(&store, "LARGE").await.unwrap()];
        for year in 2018..=2025 {
            let of_year = records::load_for_year(&store, &rows, year).await.unwrap();
            assert_eq!(of_year.len(), 2);
            let kept = records::catalog_tallies(&store, &rows, year, false).await.unwrap();
            let counted = records::catalog_tallies(&store, &rows, year, true).await.unwrap();
            assert_eq!(kept, counted, "{backend}: {year}");
            for (slice, all) in of_year.iter().zip(&everything) {
                assert!(slice.catalog.is_empty(), "{backend}: counted, not loaded");
                // Applications replied before the year are not loaded: they count in none of its figures.
                let replied_before = all
                    .applications
                    .iter()
                    .filter(|application| {
                        application.events.iter().any(|event| {
                            matches!(event, gongkai_core::clock::Event::Replied { on } if on.year() < year)
                        })
                    })
                    .count();
                assert_eq!(
                    slice.applications.len(),
                    all.applications
                        .iter()
                        .filter(|application| application.intake.submitted.year() <= year)
                        .count()
                        - replied_before,
                    "{backend}: {year}"
                );
                // Of the other records, only those of the year and the year before are loaded.
                let of_years = |date: time::Date| (year - 1..=year).contains(&date.year());
                assert_eq!(
                    slice.responses,
                    all.responses.iter().filter(|r| of_years(r.date)).cloned().collect::<Vec<_>>(),
                    "{backend}: {year}"
                );
                assert_eq!(
                    slice.trainings.len(),
                    all.trainings.iter().filter(|t| of_years(t.date)).count(),
                    "{backend}: {year}"
                );
                let from_slice = report::build(slice, year, None, Calendar::builtin()).unwrap();
                let from_all = report::build(all, year, None, Calendar::builtin()).unwrap();
                assert_eq!(from_slice, from_all, "{backend}: {} {year}", from_all.agency.code);
            }
        }
        // Saving the same records again collides on index numbers and writes nothing.
        let again = records::save(&store, &agency.code, &demo, &TEST).await.unwrap_err();
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
        agencies::add(&store, &NewAgency { code: &agency.code, ..city() }, &TEST).await.unwrap();
        let few = gongkai_core::records::AgencyRecords {
            applications: demo.applications[..4].to_vec(),
            ..Default::default()
        };
        records::save(&store, &agency.code, &few, &TEST).await.unwrap();
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
fn assert_broken_at(
    verification: Verification,
    expected_position: u64,
    expected_kind: Break,
    backend: &str,
) {
    match verification {
        Verification::Broken { position, kind, .. } => {
            assert_eq!((position, kind), (expected_position, expected_kind), "{backend}")
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
        assert_broken_at(audit::verify(&store).await.unwrap(), 3, Break::Edited, backend);
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_a_deleted_entry() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:1'").await.unwrap();
        assert_broken_at(audit::verify(&store).await.unwrap(), 2, Break::Unlinked, backend);
    })
    .await;
}

#[tokio::test]
async fn audit_chain_catches_the_newest_entry_deleted() {
    on_both(|store, backend| async move {
        audited_store(&store).await;
        store.execute_admin("DELETE FROM audit_log WHERE subject = 'test:4'").await.unwrap();
        let truncated = Break::Truncated { head_entries: 5 };
        assert_broken_at(audit::verify(&store).await.unwrap(), 5, truncated, backend);
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
        assert_broken_at(audit::verify(&store).await.unwrap(), 2, Break::Unlinked, backend);
    })
    .await;
}

#[tokio::test]
async fn the_log_is_searched_by_actor_action_subject_address_and_time_newest_first() {
    on_both(|store, backend| async move {
        let acts = [
            ("clerk", "10.0.0.1", "application.reply", "application:YSQ2026000001"),
            ("clerk", "10.0.0.1", "letter.send", "letter:1"),
            ("head", "10.0.0.2", "application.extension_approve", "application:YSQ2026000011"),
            ("public", "198.51.100.7", "application.intake", "application:YSQ2026000002"),
            ("clerk", "10.0.0.1", "user.sign_in_failed", "user:clerk"),
            // Wildcards in a prefix are plain characters: `a_b` must not find `axb`.
            ("test", "cli", "test.a_b", "x%y"),
            ("test", "cli", "test.axb", "xzy"),
        ];
        for (actor, address, action, subject) in acts {
            let entry = Action { actor, address, action, subject, before: None, after: Some("{}") };
            audit::append(&store, &entry).await.unwrap();
        }
        let search = |query: audit::Query<'static>, limit| {
            let store = store.clone();
            async move {
                audit::search(&store, &query, limit)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|entry| entry.subject)
                    .collect::<Vec<_>>()
            }
        };
        let all = audit::search(&store, &audit::Query::default(), 100).await.unwrap();
        assert_eq!(all.len(), 7, "{backend}");
        assert!(all.windows(2).all(|pair| pair[0].id > pair[1].id), "{backend}: newest first");
        assert_eq!(all[6].after.as_deref(), Some("{}"));
        assert_eq!(all[6].hash.len(), 64);
        assert_eq!(
            search(audit::Query { actor: Some("clerk"), ..Default::default() }, 100).await,
            ["user:clerk", "letter:1", "application:YSQ2026000001"],
            "{backend}"
        );
        assert_eq!(
            search(audit::Query { action: Some("application."), ..Default::default() }, 100).await,
            ["application:YSQ2026000002", "application:YSQ2026000011", "application:YSQ2026000001"],
            "{backend}"
        );
        assert_eq!(
            search(
                audit::Query { subject: Some("application:YSQ202600000"), ..Default::default() },
                100
            )
            .await,
            ["application:YSQ2026000002", "application:YSQ2026000001"],
            "{backend}"
        );
        assert_eq!(
            search(audit::Query { action: Some("test.a_b"), ..Default::default() }, 100).await,
            ["x%y"],
            "{backend}"
        );
        assert_eq!(
            search(audit::Query { subject: Some("x%"), ..Default::default() }, 100).await,
            ["x%y"],
            "{backend}"
        );
        // Prefixes are case-sensitive on both backends (SQLite's LIKE would not be).
        assert!(
            search(audit::Query { action: Some("APPLICATION."), ..Default::default() }, 100)
                .await
                .is_empty(),
            "{backend}"
        );
        assert_eq!(
            search(audit::Query { address: Some("10.0.0.2"), ..Default::default() }, 100).await,
            ["application:YSQ2026000011"],
            "{backend}"
        );
        // Several conditions hold together.
        assert_eq!(
            search(
                audit::Query {
                    actor: Some("clerk"),
                    action: Some("application."),
                    ..Default::default()
                },
                100
            )
            .await,
            ["application:YSQ2026000001"],
            "{backend}"
        );
        // Pages: newest first, the next page from the last id shown.
        let first: Vec<audit::Entry> =
            audit::search(&store, &audit::Query::default(), 3).await.unwrap();
        assert_eq!(first.len(), 3);
        let next = audit::search(
            &store,
            &audit::Query { before_id: Some(first[2].id), ..Default::default() },
            3,
        )
        .await
        .unwrap();
        assert_eq!(
            next.iter().map(|entry| entry.id).collect::<Vec<_>>(),
            [all[3].id, all[4].id, all[5].id]
        );
        // A time window, compared as stored: from the fourth entry's instant to the sixth's (excluded).
        let (from, until) = (all[3].at.clone(), all[1].at.clone());
        let expected: Vec<String> = all
            .iter()
            .filter(|entry| entry.at >= from && entry.at < until)
            .map(|entry| entry.subject.clone())
            .collect();
        assert!(expected.contains(&all[3].subject), "{backend}");
        let found = audit::search(
            &store,
            &audit::Query { from: Some(&from), until: Some(&until), ..Default::default() },
            100,
        )
        .await
        .unwrap();
        assert_eq!(
            found.into_iter().map(|entry| entry.subject).collect::<Vec<_>>(),
            expected,
            "{backend}"
        );
        assert!(
            audit::search(
                &store,
                &audit::Query { actor: Some("nobody"), ..Default::default() },
                100
            )
            .await
            .unwrap()
            .is_empty()
        );
    })
    .await;
}

#[tokio::test]
async fn every_state_change_is_audited() {
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), &Actor::new("admin", "cli")).await.unwrap();
        users::add(&store, "head1", "负责人", "correct horse battery", &Actor::new("admin", "cli"))
            .await
            .unwrap();
        users::grant(
            &store,
            "head1",
            users::Role::Head,
            Some("330300"),
            &Actor::new("admin", "cli"),
        )
        .await
        .unwrap();
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 3 },
            "{backend}"
        );
        // A failed action writes nothing, not even an audit entry.
        let _ = agencies::add(&store, &city(), &Actor::new("admin", "cli")).await;
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
    let dir =
        std::env::temp_dir().join(format!("gk_backup_{}_{name}_{}", std::process::id(), next_id()));
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
            &TEST,
        )
        .await
        .unwrap();
        records::save(&source, &agency.code, &demo, &TEST).await.unwrap();
        users::add(&source, "head1", "负责人", "correct horse battery", &TEST).await.unwrap();
        let key = gongkai_store::secret::CodeKey::generate().unwrap();
        let source = source.with_code_key(key.clone());
        source.check_code_key().await.unwrap();

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
        // The key's check value came along: the restored platform runs with the source's key file only.
        assert!(
            store.clone().with_code_key(key.clone()).check_code_key().await.is_ok(),
            "{backend}"
        );
        assert!(matches!(store.check_code_key().await, Err(StoreError::KeyMismatch)), "{backend}");
        // The tallies are not in the backup: the restore's inserts rebuilt them, as the source has them.
        let rows = [agencies::by_code(&store, &agency.code).await.unwrap()];
        let source_rows = [agencies::by_code(&source, &agency.code).await.unwrap()];
        for year in 2018..=2025 {
            let kept = records::catalog_tallies(&store, &rows, year, false).await.unwrap();
            assert_eq!(kept, records::catalog_tallies(&store, &rows, year, true).await.unwrap());
            assert_eq!(
                kept,
                records::catalog_tallies(&source, &source_rows, year, false).await.unwrap()
            );
            assert!(year < 2019 || !kept[0].categories.is_empty(), "{backend}: {year}");
        }
        assert_eq!(
            audit::verify(&store).await.unwrap(),
            Verification::Intact { entries: 3 },
            "{backend}"
        );
        // New rows continue after the restored ids, and the chain goes on.
        agencies::add(&store, &city(), &TEST).await.unwrap();
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
        // Cut exactly after a complete row (the line parses): still nothing. (Data-dependent cuts above
        // sometimes landed there, and a truncated backup restored half a platform.)
        let at_row = cut.iter().rposition(|&byte| byte == b'\n').unwrap();
        let refused =
            gongkai_store::backup::restore(&empty, &mut &cut[..at_row]).await.unwrap_err();
        assert!(refused.to_string().contains("cut short"), "{refused}");
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
        agencies::add(&store, &city(), &TEST).await.unwrap();
        let mut tasks = Vec::new();
        for index in 0..60 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let application = NewApplication {
                    applicant: gongkai_core::records::ApplicantType::Natural,
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
                applications::intake(&store, "330300", &application, &Actor::new("public", "203.0.113.9")).await
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

fn item(
    index_number: &str,
    channels: &[gongkai_core::records::PublishChannel],
) -> gongkai_store::catalog::NewItem {
    gongkai_store::catalog::NewItem {
        record: gongkai_core::records::CatalogItem {
            index_number: index_number.to_owned(),
            title: format!("关于{index_number}的通知"),
            category: "政策文件".to_owned(),
            formed: Some(time::macros::date!(2025 - 03 - 01)),
            published: time::macros::date!(2025 - 03 - 05),
            channels: channels.to_vec(),
            normative: false,
        },
        metadata: gongkai_store::catalog::ItemMetadata {
            doc_number: "温司发〔2025〕12号".to_owned(),
            ..Default::default()
        },
    }
}

#[tokio::test]
async fn catalog_import_writes_batches_with_channels_and_names_a_duplicate_index_number() {
    use gongkai_core::records::PublishChannel::{Website, Wechat};
    use gongkai_store::catalog;
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), &TEST).await.unwrap();
        // 1,203 items: more than two full 500-row statements, in transactions of 600.
        let items: Vec<_> = (0..1203)
            .map(|n| {
                item(
                    &format!("330300/2025-{n:05}"),
                    if n % 3 == 0 { &[Website, Wechat] } else { &[Website] },
                )
            })
            .collect();
        assert_eq!(
            catalog::import(&store, "330300", &items, 600, &TEST).await.unwrap(),
            1203,
            "{backend}"
        );
        let loaded = records::load(&store, "330300").await.unwrap();
        assert_eq!(loaded.catalog.len(), 1203);
        assert_eq!(
            loaded.catalog[3].channels,
            vec![Website, Wechat],
            "{backend}: channels follow their item"
        );
        assert_eq!(loaded.catalog[1202].index_number, "330300/2025-01202", "{backend}: order kept");
        let doc_numbers = store
            .count_admin(
                "SELECT COUNT(*) FROM catalog_items WHERE doc_number = '温司发〔2025〕12号'",
            )
            .await
            .unwrap();
        assert_eq!(doc_numbers, 1203);

        // Against the catalog: named, and the failing transaction writes nothing.
        let again =
            vec![item("330300/2025-09999", &[Website]), item("330300/2025-00007", &[Website])];
        match catalog::import(&store, "330300", &again, 100, &TEST).await {
            Err(StoreError::Duplicate { key, .. }) => {
                assert_eq!(key, "330300/2025-00007", "{backend}")
            }
            other => panic!("{backend}: {other:?}"),
        }
        // Within one import.
        let twice =
            vec![item("330300/2025-08888", &[Website]), item("330300/2025-08888", &[Website])];
        assert!(matches!(
            catalog::import(&store, "330300", &twice, 100, &TEST).await,
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(
            store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(),
            1203,
            "{backend}"
        );
        assert!(matches!(
            catalog::import(&store, "nobody", &again, 100, &TEST).await,
            Err(StoreError::NotFound { .. })
        ));
        // Two transactions of 600 and one of 3 → three audited imports.
        let imports = store
            .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'catalog.import'")
            .await
            .unwrap();
        assert_eq!(imports, 3, "{backend}");
        assert!(matches!(audit::verify(&store).await.unwrap(), Verification::Intact { .. }));
    })
    .await;
}

const NOTICE_2027: &str = r#"
year = 2027
[[notice]]
id = "annual"
title = "国务院办公厅关于2027年部分节假日安排的通知"
url = "https://www.gov.cn/example-2027"
[[holiday]]
name = "元旦"
off = ["2027-01-01..2027-01-03"]
"#;

#[tokio::test]
async fn calendar_years_entered_in_the_database_extend_the_built_in_calendar() {
    use gongkai_store::calendar;
    on_both(|store, backend| async move {
        let before = calendar::effective(&store).await.unwrap();
        assert!(!before.covers(2027), "{backend}: the built-in data stops at 2026");
        assert_eq!(calendar::add_year(&store, NOTICE_2027, "2027.toml", false, &TEST).await.unwrap(), 2027);
        let after = calendar::effective(&store).await.unwrap();
        assert!(after.covers(2027));
        // 2027-01-01 (Friday) is a holiday; 2027-01-04 (Monday) the first working day.
        assert!(!after.is_working_day(time::macros::date!(2027 - 01 - 01)).unwrap());
        assert!(after.is_working_day(time::macros::date!(2027 - 01 - 04)).unwrap());

        // A second entry, or a built-in year, needs an explicit correction.
        assert!(matches!(
            calendar::add_year(&store, NOTICE_2027, "2027.toml", false, &TEST).await,
            Err(StoreError::Duplicate { .. })
        ));
        let year_2026 = NOTICE_2027.replace("2027", "2026");
        assert!(matches!(
            calendar::add_year(&store, &year_2026, "2026.toml", false, &TEST).await,
            Err(StoreError::Duplicate { .. })
        ));
        assert!(matches!(
            calendar::add_year(&store, "year = 2027", "bad.toml", false, &TEST).await,
            Err(StoreError::InvalidData(_))
        ));
        // The correction replaces the built-in 2026: 2026-02-16 (春节) is no longer off in the corrected data.
        calendar::add_year(&store, &year_2026, "2026.toml", true, &TEST).await.unwrap();
        let corrected = calendar::effective(&store).await.unwrap();
        assert!(corrected.is_working_day(time::macros::date!(2026 - 02 - 16)).unwrap(), "{backend}");
        let corrections = store
            .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'calendar.correct' AND before_state LIKE '%built-in%'")
            .await
            .unwrap();
        assert_eq!(corrections, 1, "{backend}: the correction is audited with what it replaced");
    })
    .await;
}

#[tokio::test]
async fn the_public_status_needs_the_right_code_and_never_tells_whether_a_number_exists() {
    use gongkai_store::applications;
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), &TEST).await.unwrap();
        let application = applications::NewApplication {
            applicant: gongkai_core::records::ApplicantType::Natural,
            name: "李四",
            id_type: "居民身份证",
            id_number: "11010519491231002X",
            phone: "13900001111",
            address: "温州市",
            email: "",
            description: "某某文件",
            delivery_form: "邮寄纸质文本",
            intake: gongkai_core::regime::Intake::received_on(
                gongkai_core::regime::Channel::Online,
                time::macros::date!(2026 - 11 - 20),
            ),
        };
        let receipt = applications::intake(&store, "330300", &application, &TEST).await.unwrap();
        let status = applications::public_status(
            &store,
            &receipt.tracking_number,
            &receipt.verification_code,
        )
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{backend}: the right code opens the status"));
        assert_eq!(status.agency_code, "330300");
        assert_eq!(status.intake, application.intake);
        assert!(status.events.is_empty());
        let wrong =
            applications::public_status(&store, &receipt.tracking_number, "999999x").await.unwrap();
        let unknown = applications::public_status(&store, "YSQ2026999999", "123456").await.unwrap();
        assert_eq!(wrong, None);
        assert_eq!(unknown, None);
    })
    .await;
}

/// Every query behind an agency's report is served by an index (SQLite's planner, which is what the embedded
/// default runs): a full scan of a per-agency table would grow with the whole platform.
#[tokio::test]
async fn the_report_queries_use_indexes() {
    let dir = std::env::temp_dir().join(format!("gk_plans_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.join("plans.db").display())).await.unwrap();
    // Every query as loading everything runs it, and as loading a year runs it (with its conditions).
    let queries = records::load_queries(None)
        .into_iter()
        .chain(records::load_queries(Some(2025)))
        .map(|(sql, _)| sql)
        .chain(records::TALLY_QUERIES.iter().map(|sql| (*sql).to_owned()));
    for sql in queries {
        let sql = sql
            .replace("{agencies}", "1, 2")
            .replace("$1", "'2025-01-01'")
            .replace("$2", "'2025-12-31'");
        let plan = store.plan_admin(&format!("EXPLAIN QUERY PLAN {sql}")).await.unwrap();
        for step in &plan {
            let scan = step.starts_with("SCAN ") && !step.contains("USING");
            assert!(!scan, "`{sql}` scans a table: {plan:?}");
        }
        assert!(
            plan.iter().any(|step| step.contains("USING INDEX")
                || step.contains("USING COVERING INDEX")
                || step.contains("PRIMARY KEY")),
            "`{sql}`: {plan:?}"
        );
    }
    store.close().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn personal_data_is_unmasked_only_for_the_handler_of_the_case() {
    use gongkai_store::applications;
    on_both(|store, backend| async move {
        agencies::add(&store, &city(), &TEST).await.unwrap();
        users::add(&store, "clerk1", "经办人一", "correct horse battery", &TEST).await.unwrap();
        users::add(&store, "clerk2", "经办人二", "correct horse battery", &TEST).await.unwrap();
        let application = applications::NewApplication {
            applicant: gongkai_core::records::ApplicantType::Natural,
            name: "王小明",
            id_type: "居民身份证",
            id_number: "11010519491231002X",
            phone: "13900001111",
            address: "温州市鹿城区人民路1号",
            email: "wang@example.cn",
            description: "某某文件",
            delivery_form: "电子邮件",
            intake: gongkai_core::regime::Intake::received_on(
                gongkai_core::regime::Channel::Online,
                time::macros::date!(2026 - 11 - 20),
            ),
        };
        let receipt = applications::intake(&store, "330300", &application, &TEST).await.unwrap();
        let number = receipt.tracking_number.as_str();
        // Nobody handles it yet: masked for everyone.
        let seen = applications::applicant(&store, number, "clerk1").await.unwrap();
        assert!(seen.masked, "{backend}");
        assert_eq!(
            (seen.name.as_str(), seen.id_number.as_str(), seen.phone.as_str(), seen.address.as_str(), seen.email.as_str()),
            ("王**", "1101**********002X", "139****1111", "温州市********", "***@example.cn")
        );
        applications::assign(&store, number, "clerk1", &Actor::new("head1", "10.0.0.5")).await.unwrap();
        let handler = applications::applicant(&store, number, "clerk1").await.unwrap();
        assert!(!handler.masked);
        assert_eq!((handler.name.as_str(), handler.phone.as_str()), ("王小明", "13900001111"));
        assert!(applications::applicant(&store, number, "clerk2").await.unwrap().masked, "{backend}");
        assert!(matches!(
            applications::assign(&store, number, "nobody", &TEST).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            applications::applicant(&store, "YSQ2026999999", "clerk1").await,
            Err(StoreError::NotFound { .. })
        ));
        let assigned = store
            .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'application.assign' AND address = '10.0.0.5'")
            .await
            .unwrap();
        assert_eq!(assigned, 1);
    })
    .await;
}

/// Days that sit on the edges the year filters of `load_for_year` decide on (the first and last day of each
/// year), and days between, from a fixed seed.
fn edge_days(seed: &mut u64, count: usize) -> Vec<time::Date> {
    let mut days = Vec::with_capacity(count);
    for _ in 0..count {
        *seed =
            seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let pick = (*seed >> 33) as i64;
        let year = 2016 + (pick % 11) as i32;
        let first = time::Date::from_calendar_date(year, time::Month::January, 1).unwrap();
        days.push(match pick % 4 {
            0 => first,
            1 => time::Date::from_calendar_date(year, time::Month::December, 31).unwrap(),
            _ => first + time::Duration::days((pick >> 8) % 365),
        });
    }
    days
}

#[tokio::test]
async fn a_years_load_keeps_every_record_that_year_or_the_year_before_can_count() {
    use gongkai_core::records::{
        CaseResult, Complaint, FeeRecord, Funding, Lawsuit, Meeting, Office, ReadingPoint,
        Response, ResponseKind, Review, StaffAssignment, Training,
    };
    use gongkai_core::report::values::Quantity;
    on_both(|store, backend| async move {
        let mut records = gongkai_demo::wenzhou_justice();
        records.catalog.clear();
        records.applications.clear();
        records.fees.clear();
        records.reviews.clear();
        records.lawsuits.clear();
        let code = records.agency.as_ref().unwrap().code.clone();
        let mut seed = 20_261_202;
        let starts = edge_days(&mut seed, 120);
        let lengths = edge_days(&mut seed, 120);
        let results = [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other];
        for (n, (&start, &other)) in starts.iter().zip(&lengths).enumerate() {
            // An end on or after the start: from the same day to several years later; some never end.
            let end = (n % 5 != 0).then(|| start.max(other));
            let decided = end.map(|day| (results[n % 3], day));
            records.reviews.push(Review { filed: start, application: None, decided });
            records.lawsuits.push(Lawsuit {
                filed: start,
                after_review: n % 2 == 0,
                as_review_organ: n % 7 == 0,
                application: None,
                decided,
            });
            records.staff.push(StaffAssignment {
                id: format!("edge-{n}"),
                full_time: n % 2 == 1,
                from: start,
                to: end,
            });
            records.offices.push(Office { name: format!("办公室{n}"), from: start, to: end });
            records.reading_points.push(ReadingPoint {
                name: format!("查阅点{n}"),
                address: "温州市".to_owned(),
                opened: start,
                closed: end,
            });
            records.complaints.push(Complaint {
                received: start,
                summary: format!("投诉{n}"),
                application: None,
                concluded: None,
            });
            records.responses.push(Response {
                date: start,
                kind: ResponseKind::OnlineInterview,
                topic: None,
                head_attended: n % 3 == 0,
            });
            records.meetings.push(Meeting { date: start, title: format!("会议{n}") });
            records.trainings.push(Training {
                date: start,
                title: format!("培训{n}"),
                trainees: n as u32,
            });
            records.fees.push(FeeRecord {
                application: format!("edge-{n}"),
                date: start,
                amount_yuan: 100,
                waived: n % 4 == 0,
            });
        }
        records.funding.retain(|funding| funding.year > 2026);
        records.funding.extend((2016..=2026).map(|year| Funding {
            year,
            amount_wan_yuan: Quantity::from_ten_thousandths(i64::from(year) * 10),
        }));
        let new = NewAgency {
            code: &code,
            name: "边界局",
            kind: gongkai_core::records::AgencyKind::Department,
            ..city()
        };
        agencies::add(&store, &new, &TEST).await.unwrap();
        records::save(&store, &code, &records, &TEST).await.unwrap();
        let rows = vec![agencies::by_code(&store, &code).await.unwrap()];
        let all = records::load(&store, &code).await.unwrap();
        for year in 2017..=2026 {
            let slice = records::load_for_year(&store, &rows, year).await.unwrap().remove(0);
            assert!(
                slice.reviews.len() < all.reviews.len(),
                "{backend}: {year} loads fewer reviews"
            );
            let from_slice = report::build(&slice, year, None, Calendar::builtin()).unwrap();
            let from_all = report::build(&all, year, None, Calendar::builtin()).unwrap();
            assert_eq!(from_slice, from_all, "{backend}: {year}");
        }
    })
    .await;
}

/// Review of issue #17: an agency moved under, or merged into, an agency added after it has a parent or
/// successor with a higher id; the backup must still restore (agencies are inserted before their links).
#[tokio::test]
async fn a_backup_restores_after_an_agency_moved_under_and_merged_into_a_newer_one() {
    use gongkai_core::directory::{self, AgencyEntry};
    let store = fresh_sqlite("moved").await;
    agencies::add(&store, &city(), &TEST).await.unwrap();
    let entry = |code: &str, parent: &str| AgencyEntry {
        code: code.to_owned(),
        name: format!("{code}局"),
        kind: "department".to_owned(),
        parent: Some(parent.to_owned()),
        ..AgencyEntry::default()
    };
    let apply = |entries: Vec<AgencyEntry>| {
        let store = store.clone();
        async move {
            let existing = agencies::existing(&store).await.unwrap();
            let (order, regions) = directory::check(&entries, &existing).unwrap();
            agencies::import(&store, &entries, &order, &regions, "agency.import", &TEST)
                .await
                .unwrap();
        }
    };
    apply(vec![entry("OLD", "330300")]).await;
    apply(vec![entry("NEW", "330300")]).await;
    // OLD (lower id) moves under NEW (higher id), then is merged into it.
    apply(vec![entry("OLD", "NEW")]).await;
    agencies::close(&store, "OLD", Some("NEW"), time::macros::date!(2026 - 06 - 30), &TEST)
        .await
        .unwrap();
    let copy = fresh_sqlite("moved-copy").await;
    let mut bytes = Vec::new();
    gongkai_store::backup::backup(&store, &mut bytes).await.unwrap();
    gongkai_store::backup::restore(&copy, &mut bytes.as_slice()).await.unwrap();
    assert_eq!(backup_lines(&copy).await, backup_lines(&store).await);
    let old = agencies::by_code(&copy, "OLD").await.unwrap();
    assert_eq!(old.parent_code.as_deref(), Some("NEW"));
    assert_eq!(old.successor.map(|(code, _)| code).as_deref(), Some("NEW"));
}

/// Review of issue #17: the tree's latest items for a level of more agencies than SQLite takes terms in one
/// compound SELECT (500).
#[tokio::test]
async fn the_latest_items_of_a_level_of_600_agencies() {
    let store = fresh_sqlite("latest600").await;
    let ids: Vec<i64> = (1..=600).collect();
    let found = gongkai_store::catalog::latest_of(&store, &ids, 3).await.unwrap();
    assert!(found.is_empty());
}

/// Every table of the schema is either backed up or listed as left out (with its reason), on both
/// backends: a table added by a migration and forgotten in both lists would be lost by a backup and a
/// restore (as the site marks and the vocabularies were, issue #21).
#[tokio::test]
async fn every_table_is_backed_up_or_left_out_on_purpose() {
    on_both(|store, backend| async move {
        let sql = match store.backend() {
            gongkai_store::Backend::Sqlite => {
                "SELECT name, 0 FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name NOT LIKE '_sqlx%' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            }
            gongkai_store::Backend::Postgres => {
                "SELECT table_name::text, 0::bigint FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name NOT LIKE '_sqlx%'"
            }
        };
        let virtual_tables = ["application_search", "application_numbers"];
        let shadow = |name: &str| {
            virtual_tables.iter().any(|table| {
                ["_data", "_idx", "_docsize", "_config", "_content"]
                    .iter()
                    .any(|suffix| name == format!("{table}{suffix}"))
            })
        };
        let tables: Vec<String> = store
            .counts_admin(sql)
            .await
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .filter(|name| !shadow(name))
            .collect();
        let listed = |name: &str| {
            gongkai_store::backup::TABLES.contains(&name)
                || gongkai_store::backup::NOT_BACKED_UP_TABLES.contains(&name)
        };
        let forgotten: Vec<&String> = tables.iter().filter(|name| !listed(name)).collect();
        assert!(forgotten.is_empty(), "{backend}: in neither list: {forgotten:?}");
        for table in gongkai_store::backup::TABLES {
            assert!(tables.iter().any(|name| name == table), "{backend}: no table {table}");
        }
    })
    .await;
}

/// Issue #21: a duty's lease is held by one instance at a time; it is free again once given back or once
/// its time has passed (a killed instance); runs are kept, the latest first, and the latest verification
/// is what `/metrics` and the admin page show.
#[tokio::test]
async fn a_duty_lease_goes_to_one_instance_at_a_time_and_runs_are_kept() {
    use gongkai_store::duties::{self, Run, Status};
    on_both(|store, backend| async move {
        let duty = duties::AUDIT_VERIFY;
        assert!(duties::claim(&store, duty, "a:1", 1_000, 1_600).await.unwrap(), "{backend}");
        assert!(
            !duties::claim(&store, duty, "b:2", 1_100, 1_700).await.unwrap(),
            "{backend}: held"
        );
        assert!(
            duties::claim(&store, duty, "a:1", 1_200, 1_800).await.unwrap(),
            "{backend}: renewed"
        );
        // Past its time, another instance takes it (the holder was killed mid-run).
        assert!(
            duties::claim(&store, duty, "b:2", 1_800, 2_400).await.unwrap(),
            "{backend}: expired"
        );
        // The former holder cannot give back what it no longer holds.
        duties::release(&store, duty, "a:1").await.unwrap();
        assert!(!duties::claim(&store, duty, "c:3", 1_900, 2_500).await.unwrap(), "{backend}");
        duties::release(&store, duty, "b:2").await.unwrap();
        assert!(
            duties::claim(&store, duty, "c:3", 1_900, 2_500).await.unwrap(),
            "{backend}: released"
        );
        // Another duty's lease is its own.
        assert!(
            duties::claim(&store, duties::BACKUP, "a:1", 1_900, 2_500).await.unwrap(),
            "{backend}"
        );

        assert_eq!(duties::last_verification(&store).await.unwrap(), None, "{backend}");
        let run = |at: i64, outcome: Status| Run {
            duty: duty.to_owned(),
            holder: "c:3".to_owned(),
            started_at: at,
            finished_at: at + 2,
            status: outcome,
            detail: format!("run at {at}"),
        };
        duties::record(&store, &run(2_000, Status::Ok)).await.unwrap();
        duties::record(&store, &run(3_000, Status::Problem)).await.unwrap();
        assert_eq!(
            duties::last(&store, duty).await.unwrap(),
            Some(run(3_000, Status::Problem)),
            "{backend}"
        );
        assert_eq!(
            duties::last_verification(&store).await.unwrap(),
            Some(duties::Verified { at: 3_002, intact: false }),
            "{backend}"
        );
        // A run that could not read the chain says nothing about it: the last one done still counts.
        duties::record(&store, &run(3_500, Status::Failed)).await.unwrap();
        assert_eq!(
            duties::last_verification(&store).await.unwrap(),
            Some(duties::Verified { at: 3_002, intact: false }),
            "{backend}"
        );
        // One line per instance for a duty each instance does, the latest of each, since a time.
        let check = |holder: &str, at: i64, outcome: Status| Run {
            duty: duties::INDEX_HEALTH.to_owned(),
            holder: holder.to_owned(),
            started_at: at,
            finished_at: at,
            status: outcome,
            detail: String::new(),
        };
        for (holder, at, outcome) in [
            ("a", 100, Status::Ok),
            ("b", 150, Status::Problem),
            ("a", 200, Status::Ok),
            ("old", 50, Status::Problem),
        ] {
            duties::record(&store, &check(holder, at, outcome)).await.unwrap();
        }
        let latest = duties::latest_by_holder(&store, duties::INDEX_HEALTH, 90).await.unwrap();
        assert_eq!(latest, [check("a", 200, Status::Ok), check("b", 150, Status::Problem)]);
        assert_eq!(duties::last(&store, duties::BACKUP).await.unwrap(), None, "{backend}");
        // Only the latest KEPT_RUNS are kept.
        for at in 0..duties::KEPT_RUNS + 5 {
            duties::record(&store, &run(10_000 + at, Status::Ok)).await.unwrap();
        }
        let kept = store
            .count_admin("SELECT COUNT(*) FROM duty_runs WHERE duty = 'audit-verify'")
            .await
            .unwrap();
        assert_eq!(kept, duties::KEPT_RUNS, "{backend}");
        let recent = duties::recent(&store, 3).await.unwrap();
        assert_eq!(recent[0].started_at, 10_000 + duties::KEPT_RUNS + 4, "{backend}");
        assert_eq!(recent[0].status, Status::Ok, "{backend}");
    })
    .await;
}

/// Issue #21: entries written on behalf of a request carry its id (the one on the request's log lines), are
/// found by it, and the id is part of the chain: changing it breaks the chain like any other field; entries
/// written outside a request have none and hash as before the column existed.
#[tokio::test]
async fn audit_entries_carry_the_request_id_inside_the_chain() {
    on_both(|store, backend| async move {
        let entry = |subject: &'static str| Action {
            actor: "clerk",
            address: "10.0.0.1",
            action: "application.reply",
            subject,
            before: None,
            after: Some("{}"),
        };
        audit::append(&store, &entry("application:A")).await.unwrap();
        audit::for_request("req-7f3a".to_owned(), async {
            audit::append(&store, &entry("application:B")).await.unwrap();
            audit::append(&store, &entry("application:C")).await.unwrap();
        })
        .await;
        let found = audit::search(
            &store,
            &audit::Query { request: Some("req-7f3a"), ..Default::default() },
            10,
        )
        .await
        .unwrap();
        let subjects: Vec<&str> = found.iter().map(|entry| entry.subject.as_str()).collect();
        assert_eq!(subjects, ["application:C", "application:B"], "{backend}");
        let all = audit::search(&store, &audit::Query::default(), 10).await.unwrap();
        assert_eq!(all[2].request_id, None, "{backend}: written outside a request");
        assert_eq!(all[0].request_id.as_deref(), Some("req-7f3a"), "{backend}");
        assert_eq!(audit::verify(&store).await.unwrap(), Verification::Intact { entries: 3 });
        store
            .execute_admin(
                "UPDATE audit_log SET request_id = 'req-other' WHERE subject = 'application:B'",
            )
            .await
            .unwrap();
        assert!(
            matches!(
                audit::verify(&store).await.unwrap(),
                Verification::Broken { position: 2, kind: Break::Edited, .. }
            ),
            "{backend}"
        );
    })
    .await;
}
