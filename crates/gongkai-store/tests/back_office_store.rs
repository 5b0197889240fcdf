//! The back office's storage on both backends: staff sessions, accounts as a request sees them, recording
//! handling steps against the version the clerk saw (concurrent steps: exactly one wins), closing a case,
//! the case list with its steps, monthly intake, and the case's letters.

mod common;

use gongkai_core::clock::{Event, Party};
use gongkai_core::records::{ApplicantType, Outcome};
use gongkai_core::regime::{Channel, Intake};
use gongkai_store::agencies::{self, NewAgency};
use gongkai_store::api_keys::{self, Scope};
use gongkai_store::applications::{self, NewApplication};
use gongkai_store::handling::{self, Filter, NewStep};
use gongkai_store::{Store, StoreError, letters, sessions, users};
use time::macros::date;

use common::{TEST, on_both};

async fn agency(store: &Store, code: &str) -> i64 {
    agencies::add(
        store,
        &NewAgency {
            code,
            name: "温州市司法局",
            kind: gongkai_core::records::AgencyKind::Department,
            region: "浙江省温州市",
            parent_code: None,
            index_pattern: "{code}/{year}-{serial:05}",
            office: "办公室",
            phone: "0577-88000000",
            address: "温州市鹿城区",
            hours: "工作日",
        },
        &TEST,
    )
    .await
    .unwrap()
    .id
}

async fn apply(store: &Store, code: &str, submitted: time::Date) -> String {
    let application = NewApplication {
        applicant: ApplicantType::Natural,
        name: "张三",
        id_type: "居民身份证",
        id_number: "11010519491231002X",
        phone: "13800138000",
        address: "温州市",
        email: "",
        description: "律师事务所年度考核结果\n第二行",
        delivery_form: "邮寄纸质文本",
        intake: Intake::received_on(Channel::Online, submitted),
    };
    applications::intake(store, code, &application, &TEST).await.unwrap().tracking_number
}

fn step(event: Event, action: &str) -> NewStep<'_> {
    NewStep {
        event: Some(event),
        details: serde_json::json!({ "note": action }),
        outcome: None,
        regime: None,
        action,
    }
}

#[tokio::test]
async fn sessions_expire_and_are_swept() {
    on_both(|store, _| async move {
        assert!(sessions::create(&store, "a", "{\"uid\":1}", 1_000).await.unwrap());
        assert!(!sessions::create(&store, "a", "{}", 2_000).await.unwrap(), "ids are unique");
        assert_eq!(
            sessions::load(&store, "a", 999).await.unwrap(),
            Some(("{\"uid\":1}".to_owned(), 1_000))
        );
        assert_eq!(sessions::load(&store, "a", 1_000).await.unwrap(), None, "expired");
        sessions::save(&store, "a", "{\"uid\":2}", 5_000).await.unwrap();
        assert_eq!(sessions::load(&store, "a", 1_000).await.unwrap().unwrap().0, "{\"uid\":2}");
        sessions::save(&store, "b", "{}", 10).await.unwrap();
        assert_eq!(sessions::sweep(&store, 100).await.unwrap(), 1);
        sessions::delete(&store, "a").await.unwrap();
        assert_eq!(sessions::load(&store, "a", 0).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn an_account_reflects_roles_and_password_now() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        users::add(&store, "clerk", "王经办", "a long password", &TEST).await.unwrap();
        users::grant(&store, "clerk", users::Role::Clerk, Some("SFJ"), &TEST).await.unwrap();
        let id = users::find(&store, "clerk").await.unwrap().unwrap().id;
        let before = users::account(&store, id).await.unwrap().unwrap();
        assert_eq!(before.user.roles, [(Some("SFJ".to_owned()), users::Role::Clerk)]);
        users::set_password(&store, "clerk", "another long password", &TEST).await.unwrap();
        let after = users::account(&store, id).await.unwrap().unwrap();
        assert_ne!(before.fingerprint, after.fingerprint, "a new password, a new fingerprint");
        assert_eq!(users::holders(&store, "SFJ", users::Role::Clerk).await.unwrap(), ["clerk"]);
        assert!(users::account(&store, id + 100).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn the_user_list_is_the_platforms_or_one_agencys() {
    on_both(|store, backend| async move {
        agency(&store, "SFJ").await;
        agency(&store, "JYJ").await;
        for (name, display) in [("d", "丁"), ("b", "乙"), ("a", "甲"), ("c", "丙")] {
            users::add(&store, name, display, "a long password", &TEST).await.unwrap();
        }
        users::grant(&store, "a", users::Role::Clerk, Some("SFJ"), &TEST).await.unwrap();
        users::grant(&store, "a", users::Role::Reviewer, Some("JYJ"), &TEST).await.unwrap();
        users::grant(&store, "b", users::Role::Clerk, Some("JYJ"), &TEST).await.unwrap();
        users::grant(&store, "c", users::Role::PlatformAdmin, None, &TEST).await.unwrap();

        let all = users::list(&store, None).await.unwrap();
        let names = |list: &[users::UserRow]| {
            list.iter().map(|user| user.username.clone()).collect::<Vec<_>>()
        };
        assert_eq!(names(&all), ["a", "b", "c", "d"], "{backend}: by username");
        for user in &all {
            assert_eq!(Some(user), users::find(&store, &user.username).await.unwrap().as_ref());
        }
        assert!(all[3].roles.is_empty());
        let sfj = users::list(&store, Some("SFJ")).await.unwrap();
        assert_eq!(sfj, all[..1], "{backend}: whoever holds a role there, with all their roles");
        assert_eq!(
            sfj[0].roles,
            [
                (Some("SFJ".to_owned()), users::Role::Clerk),
                (Some("JYJ".to_owned()), users::Role::Reviewer)
            ]
        );
        assert_eq!(names(&users::list(&store, Some("JYJ")).await.unwrap()), ["a", "b"]);
        assert!(users::list(&store, Some("XXX")).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn steps_are_recorded_against_the_version_seen() {
    on_both(|store, backend| async move {
        let agency_id = agency(&store, "SFJ").await;
        let tracking = apply(&store, "SFJ", date!(2026 - 11 - 02)).await;
        let case = handling::case(&store, &tracking).await.unwrap();
        assert_eq!(case.version(), 0);
        assert_eq!(case.agency_code, "SFJ");

        let sent = step(
            Event::ConsultationSent { on: date!(2026 - 11 - 03), party: Party::ThirdParty },
            "consult",
        );
        assert_eq!(handling::record(&store, &tracking, 0, &sent, &TEST).await.unwrap(), 1);
        // A second clerk who saw version 0 is refused; nothing is overwritten.
        let other =
            step(Event::ExtensionRequested { on: date!(2026 - 11 - 03) }, "extension.request");
        assert!(matches!(
            handling::record(&store, &tracking, 0, &other, &TEST).await,
            Err(StoreError::Conflict { expected: 0 })
        ));

        // Concurrent steps on the same version: exactly one is recorded.
        let mut tasks = Vec::new();
        for n in 0..6 {
            let store = store.clone();
            let tracking = tracking.clone();
            tasks.push(tokio::spawn(async move {
                let answered = NewStep {
                    event: Some(Event::ConsultationAnswered { on: date!(2026 - 11 - 10) }),
                    details: serde_json::json!({ "n": n }),
                    outcome: None,
                    regime: None,
                    action: "consult_answered",
                };
                handling::record(&store, &tracking, 1, &answered, &TEST).await
            }));
        }
        let mut wins = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(version) => {
                    assert_eq!(version, 2);
                    wins += 1;
                }
                Err(StoreError::Conflict { .. }) => {}
                Err(other) => panic!("{backend}: {other}"),
            }
        }
        assert_eq!(wins, 1, "{backend}");

        // The reply closes the case: no step after it.
        let reply = NewStep {
            event: Some(Event::Replied { on: date!(2026 - 11 - 20) }),
            details: serde_json::json!({ "method": "post" }),
            outcome: Some(Outcome::Disclosed),
            regime: Some(gongkai_core::regime::Regime::Ordinance2019),
            action: "reply",
        };
        assert_eq!(handling::record(&store, &tracking, 2, &reply, &TEST).await.unwrap(), 3);
        let late = step(Event::FeePaid { on: date!(2026 - 11 - 21) }, "fee_paid");
        assert!(matches!(
            handling::record(&store, &tracking, 3, &late, &TEST).await,
            Err(StoreError::Conflict { .. })
        ));
        let case = handling::case(&store, &tracking).await.unwrap();
        assert_eq!(case.outcome, Some(Outcome::Disclosed));
        assert_eq!(case.steps.len(), 3);
        assert_eq!(case.steps[0].recorded_by, "test");
        assert_eq!(case.steps[0].details["note"], "consult");
        assert_eq!(case.events().last(), Some(&Event::Replied { on: date!(2026 - 11 - 20) }));

        // Lists: the open list no longer has it; the year list does, with its steps.
        let open_case = apply(&store, "SFJ", date!(2026 - 03 - 09)).await;
        let open = handling::cases(&store, agency_id, Filter::Open, 100).await.unwrap();
        assert_eq!(
            open.iter().map(|case| case.tracking_number.as_str()).collect::<Vec<_>>(),
            [open_case.as_str()]
        );
        let year = handling::cases(&store, agency_id, Filter::Year(2026), 100).await.unwrap();
        assert_eq!(year.len(), 2);
        assert_eq!(year[0].tracking_number, tracking, "newest first");
        assert_eq!(year[0].steps.len(), 3);
        assert!(
            handling::cases(&store, agency_id, Filter::Year(2025), 100).await.unwrap().is_empty()
        );
        let months = applications::monthly_intake(&store, agency_id, 2026).await.unwrap();
        assert_eq!(months[2], 1);
        assert_eq!(months[10], 1);
        assert_eq!(months.iter().sum::<i64>(), 2);

        // Closing without an event (a lapse) sets the outcome once.
        let close = NewStep {
            event: None,
            details: serde_json::json!({}),
            outcome: Some(Outcome::OtherHandling(
                gongkai_core::records::OtherHandling::NoSupplement,
            )),
            regime: None,
            action: "close",
        };
        assert_eq!(handling::record(&store, &open_case, 0, &close, &TEST).await.unwrap(), 0);
        assert!(handling::record(&store, &open_case, 0, &close, &TEST).await.is_err());

        // Letters of the case, staff copy with its agency.
        let id = letters::add(
            &store,
            &tracking,
            letters::LetterKind::Reply,
            "application/pdf",
            b"%PDF-1.7 test",
            &TEST,
        )
        .await
        .unwrap();
        let listed = letters::of_case(&store, &tracking).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].sent_on, None);
        let copy = letters::staff_copy(&store, id).await.unwrap().unwrap();
        assert_eq!(
            (copy.letter.kind.code(), copy.agency.as_str(), copy.tracking_number.as_str()),
            ("reply", "SFJ", tracking.as_str())
        );
        let data = letters::staff_file(&store, &copy, false).await.unwrap();
        assert_eq!(data.as_deref(), Some(&b"%PDF-1.7 test"[..]));
        // A letter added on its own has no masked copy: none is served in its place.
        assert_eq!(letters::staff_file(&store, &copy, true).await.unwrap(), None);
        assert!(letters::staff_copy(&store, id + 1).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn the_report_workflow_goes_step_by_step() {
    use gongkai_store::reports::{self, Transition, WorkflowError};
    on_both(|store, backend| async move {
        agency(&store, "SFJ").await;
        assert!(reports::workflow(&store, "SFJ", 2026).await.unwrap().is_none());
        reports::set_text(&store, "SFJ", 2026, "problems", &["一是……".to_owned()], &TEST)
            .await
            .unwrap();
        let submit = Transition::Submit { preparer: "clerk", phone: "0577-1" };
        let first =
            reports::transition(&store, "SFJ", 2026, "2021", 0, submit, &TEST).await.unwrap();
        assert_eq!((first.state.code(), first.version), ("submitted", 1), "{backend}");
        // Texts are frozen while it is reviewed; a stale version is refused.
        assert!(matches!(
            reports::set_text(&store, "SFJ", 2026, "problems", &[], &TEST).await,
            Err(WorkflowError::WrongState { .. })
        ));
        let sign = Transition::Sign { head: "head" };
        assert!(
            matches!(
                reports::transition(&store, "SFJ", 2026, "2021", 1, sign, &TEST).await,
                Err(WorkflowError::WrongState { .. })
            ),
            "not before review"
        );
        let own = Transition::Approve { reviewer: "clerk", comments: "" };
        assert!(matches!(
            reports::transition(&store, "SFJ", 2026, "2021", 1, own, &TEST).await,
            Err(WorkflowError::SamePerson { .. })
        ));
        let back = Transition::Return { reviewer: "reviewer", comments: "补充" };
        let returned =
            reports::transition(&store, "SFJ", 2026, "2021", 1, back, &TEST).await.unwrap();
        assert_eq!((returned.state.code(), returned.comments.as_str()), ("returned", "补充"));
        assert!(matches!(
            reports::transition(&store, "SFJ", 2026, "2021", 1, submit, &TEST).await,
            Err(WorkflowError::Store(StoreError::Conflict { expected: 1 }))
        ));
        reports::transition(&store, "SFJ", 2026, "2021", 2, submit, &TEST).await.unwrap();
        let approve = Transition::Approve { reviewer: "reviewer", comments: "同意" };
        let approved =
            reports::transition(&store, "SFJ", 2026, "2021", 3, approve, &TEST).await.unwrap();
        assert_eq!(approved.reviewer.as_deref(), Some("reviewer"));
        let files = [reports::ReportFile {
            kind: "html",
            media_type: "text/html",
            data: b"<p>r</p>".to_vec(),
        }];
        assert!(
            reports::publish_signed(&store, "SFJ", 2026, "2021", &files, &TEST).await.is_err(),
            "not signed yet"
        );
        let signed =
            reports::transition(&store, "SFJ", 2026, "2021", 4, sign, &TEST).await.unwrap();
        assert_eq!((signed.state.code(), signed.head.as_deref()), ("signed", Some("head")));
        assert!(signed.signed_at.is_some());
        reports::publish_signed(&store, "SFJ", 2026, "2021", &files, &TEST).await.unwrap();
        assert_eq!(reports::published(&store, "SFJ").await.unwrap()[0].year, 2026);
        let all = reports::workflows(&store, "SFJ").await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.state.code(), "published");
        assert_eq!(
            reports::texts(&store, "SFJ", 2026).await.unwrap(),
            [("problems".to_owned(), vec!["一是……".to_owned()])]
        );
    })
    .await;
}

#[tokio::test]
async fn the_ledger_records_and_lists_the_year() {
    use gongkai_core::records::{CaseResult, ResponseKind};
    use gongkai_core::report::values::Quantity;
    use gongkai_store::ledger::{self, Entry};
    on_both(|store, backend| async move {
        agency(&store, "SFJ").await;
        let tracking = apply(&store, "SFJ", date!(2026 - 03 - 02)).await;
        let entries = [
            Entry::Response {
                day: date!(2026 - 06 - 01),
                kind: ResponseKind::PressConference,
                topic: "新政",
                head_attended: true,
            },
            Entry::Review { filed: date!(2026 - 05 - 06), application: &tracking },
            Entry::Lawsuit {
                filed: date!(2026 - 07 - 01),
                application: "",
                after_review: true,
                as_review_organ: false,
            },
            Entry::Complaint {
                received: date!(2026 - 04 - 01),
                summary: "未按时答复",
                application: &tracking,
            },
            Entry::Meeting { day: date!(2026 - 02 - 10), title: "推进会" },
            Entry::Training { day: date!(2026 - 03 - 10), title: "条例培训", trainees: 35 },
            Entry::Staff { label: "王经办", full_time: true, from: date!(2025 - 01 - 01) },
            Entry::Funding { year: 2026, amount_wan_yuan: Quantity::parse("3.5").unwrap() },
            Entry::Declared {
                year: 2026,
                measure: "declared.licensing.decisions",
                value: Quantity::count(128),
                source: "省政务服务网",
            },
        ];
        for entry in &entries {
            ledger::add(&store, "SFJ", entry, &TEST).await.unwrap();
        }
        let missing = Entry::Review { filed: date!(2026 - 05 - 06), application: "YSQ2026999999" };
        assert!(matches!(
            ledger::add(&store, "SFJ", &missing, &TEST).await,
            Err(StoreError::NotFound { .. })
        ));
        // Funding and declared figures replace the year's value.
        ledger::add(
            &store,
            "SFJ",
            &Entry::Funding { year: 2026, amount_wan_yuan: Quantity::count(4) },
            &TEST,
        )
        .await
        .unwrap();
        let lines = ledger::lines(&store, "SFJ", 2026).await.unwrap();
        let kinds: Vec<&str> = lines.iter().map(|line| line.kind).collect();
        assert_eq!(
            kinds,
            [
                "response",
                "review",
                "lawsuit",
                "complaint",
                "meeting",
                "training",
                "staff",
                "declared",
                "funding"
            ],
            "{backend}"
        );
        assert_eq!(lines[0].text, "press_conference：新政（主要负责人参加）");
        assert_eq!(lines[5].text, "条例培训（35人次）");
        assert_eq!(lines.last().unwrap().text, "4万元");
        let review = lines[1].id;
        assert!(
            ledger::decide(
                &store,
                "SFJ",
                "review",
                review,
                CaseResult::Upheld,
                date!(2026 - 05 - 01),
                &TEST
            )
            .await
            .is_err(),
            "before it was filed"
        );
        ledger::decide(
            &store,
            "SFJ",
            "review",
            review,
            CaseResult::Upheld,
            date!(2026 - 08 - 01),
            &TEST,
        )
        .await
        .unwrap();
        let records = gongkai_store::records::load(&store, "SFJ").await.unwrap();
        assert_eq!(records.reviews[0].decided, Some((CaseResult::Upheld, date!(2026 - 08 - 01))));
        assert_eq!(records.funding[0].amount_wan_yuan, Quantity::count(4));
        assert_eq!(records.responses.len(), 1);

        // The staff member leaves; the review recorded by mistake is removed, its result with it.
        let lines = ledger::lines(&store, "SFJ", 2026).await.unwrap();
        let staff = lines.iter().find(|line| line.kind == "staff").unwrap().id;
        ledger::staff_left(&store, "SFJ", staff, date!(2026 - 09 - 30), &TEST).await.unwrap();
        assert!(
            ledger::staff_left(&store, "SFJ", staff, date!(2026 - 10 - 31), &TEST).await.is_err(),
            "{backend}: gone already"
        );
        let lines = ledger::lines(&store, "SFJ", 2026).await.unwrap();
        let ended = lines.iter().find(|line| line.id == staff && line.kind == "staff").unwrap();
        assert_eq!(ended.ended.as_deref(), Some("2026-09-30"), "{backend}");
        ledger::remove(&store, "SFJ", "review", review, &TEST).await.unwrap();
        assert!(matches!(
            ledger::remove(&store, "SFJ", "review", review, &TEST).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            ledger::remove(&store, "SFJ", "funding", 1, &TEST).await,
            Err(StoreError::InvalidData(_))
        ));
        let complaint = lines.iter().find(|line| line.kind == "complaint").unwrap().id;
        let founded = gongkai_core::records::ComplaintResult::PartlyFounded;
        let early = date!(2026 - 03 - 31);
        assert!(
            ledger::conclude_complaint(&store, "SFJ", complaint, founded, early, "x", &TEST)
                .await
                .is_err(),
            "{backend}: before it was received"
        );
        let on = date!(2026 - 04 - 15);
        ledger::conclude_complaint(&store, "SFJ", complaint, founded, on, "已约谈", &TEST)
            .await
            .unwrap();
        assert!(
            ledger::conclude_complaint(&store, "SFJ", complaint, founded, on, "again", &TEST)
                .await
                .is_err(),
            "{backend}: once"
        );
        let disputes = ledger::disputes(&store, "SFJ", &tracking).await.unwrap();
        assert_eq!(
            disputes.iter().map(|dispute| dispute.kind).collect::<Vec<_>>(),
            ["complaint"],
            "{backend}: the review about it was removed above"
        );
        let records = gongkai_store::records::load(&store, "SFJ").await.unwrap();
        assert_eq!(records.complaints[0].application.as_deref(), Some(tracking.as_str()));
        let concluded = records.complaints[0].concluded.as_ref().unwrap();
        assert_eq!((concluded.on, concluded.result), (on, founded), "{backend}");
        assert_eq!(concluded.handling, "已约谈");
        assert!(records.reviews.is_empty(), "{backend}");
        assert_eq!(records.staff[0].to, Some(date!(2026 - 09 - 30)), "{backend}");
        assert_eq!(
            gongkai_store::audit::count_actions(&store, "ledger.review.remove").await.unwrap(),
            1
        );
        // The trail says whose entries were removed, ended and concluded, and keeps the removed one.
        let query = gongkai_store::audit::Query { action: Some("ledger."), ..Default::default() };
        let trail = gongkai_store::audit::search(&store, &query, 50).await.unwrap();
        for action in ["ledger.review.remove", "ledger.staff.left", "ledger.complaint.conclude"] {
            let entry = trail.iter().find(|entry| entry.action == action).unwrap();
            assert_eq!(entry.subject, "agency:SFJ", "{backend}: {action}");
        }
        let removed = trail.iter().find(|entry| entry.action == "ledger.review.remove").unwrap();
        assert!(removed.before.as_deref().unwrap().contains(&tracking), "{backend}: {removed:?}");
        let verified = gongkai_store::audit::verify(&store).await.unwrap();
        assert!(matches!(verified, gongkai_store::audit::Verification::Intact { .. }), "{backend}");
    })
    .await;
}

/// The catalog tallies the database keeps (schema version 5 triggers) equal counting the items, after a
/// random run of the back office's writes: publishing, edits that move an item to another category or
/// year, make it (non-)normative or change its channels, bulk category edits and withdrawals, in two
/// agencies.
#[tokio::test]
async fn catalog_tallies_follow_every_publishing_change() {
    use gongkai_core::records::PublishChannel;
    use gongkai_store::{catalog, publishing, records};

    on_both(|store, backend| async move {
        let ids = [agency(&store, "T1").await, agency(&store, "T2").await];
        let rows = [
            agencies::by_code(&store, "T1").await.unwrap(),
            agencies::by_code(&store, "T2").await.unwrap(),
        ];
        let categories = ["政策文件", "工作动态", "人事信息"];
        let channels = [
            PublishChannel::Website,
            PublishChannel::Gazette,
            PublishChannel::Weibo,
            PublishChannel::Wechat,
            PublishChannel::Other,
        ];
        // A small linear congruential generator: the same run every time.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((seed >> 33) as usize) % bound
        };
        // (item id, agency index, version, withdrawn)
        let mut items: Vec<(i64, usize, i64, bool)> = Vec::new();
        for step in 0..120 {
            let year = 2024 + next(2) as i32;
            let published =
                time::Date::from_calendar_date(year, time::Month::March, 1 + next(28) as u8)
                    .unwrap();
            let mut chosen: Vec<(PublishChannel, time::Date)> =
                vec![(channels[next(channels.len())], published)];
            if next(2) == 0 {
                let other = channels[next(channels.len())];
                if other != chosen[0].0 {
                    chosen.push((other, published));
                }
            }
            let normative = next(3) == 0;
            let number =
                if normative { format!("温司发〔{year}〕{step}号") } else { String::new() };
            let publication = publishing::Publication {
                title: "关于印发某某办法的通知",
                summary: "",
                body: "正文",
                category: categories[next(categories.len())],
                subject: "",
                genre: "",
                doc_number: &number,
                formed: None,
                published,
                validity: "有效",
                normative,
                repealed: None,
                channels: &chosen,
            };
            let live: Vec<usize> = (0..items.len()).filter(|&index| !items[index].3).collect();
            match next(10) {
                0..=4 => {
                    let owner = next(2);
                    let code = if owner == 0 { "T1" } else { "T2" };
                    let (id, _) =
                        publishing::publish(&store, code, &publication, &TEST).await.unwrap();
                    items.push((id, owner, 1, false));
                }
                5..=7 if !live.is_empty() => {
                    let index = live[next(live.len())];
                    let (id, _, version, _) = items[index];
                    publishing::edit(&store, id, version, &publication, &TEST).await.unwrap();
                    items[index].2 += 1;
                }
                8 if !live.is_empty() => {
                    let owner = next(2);
                    let mine: Vec<i64> = live
                        .iter()
                        .filter(|&&index| items[index].1 == owner)
                        .map(|&index| items[index].0)
                        .collect();
                    let changed = publishing::bulk_set(
                        &store,
                        ids[owner],
                        &mine,
                        publishing::BulkField::Category,
                        categories[next(categories.len())],
                        &TEST,
                    )
                    .await
                    .unwrap();
                    assert_eq!(changed, mine.len());
                    for &index in &live {
                        if items[index].1 == owner {
                            items[index].2 += 1;
                        }
                    }
                }
                9 if !live.is_empty() => {
                    let index = live[next(live.len())];
                    catalog::withdraw(&store, items[index].0, &TEST).await.unwrap();
                    items[index].2 += 1;
                    items[index].3 = true;
                }
                _ => {}
            }
            if step % 20 == 19 {
                for year in [2023, 2024, 2025] {
                    let kept = records::catalog_tallies(&store, &rows, year, false).await.unwrap();
                    let counted =
                        records::catalog_tallies(&store, &rows, year, true).await.unwrap();
                    assert_eq!(kept, counted, "{backend}: step {step}, {year}");
                }
            }
        }
        let kept = records::catalog_tallies(&store, &rows, 2025, false).await.unwrap();
        let total: u64 = kept.iter().flat_map(|tally| &tally.categories).map(|(_, n)| n).sum();
        assert!(total > 10, "{backend}: {kept:?}");
    })
    .await;
}

#[tokio::test]
async fn api_keys_are_found_by_their_secret_and_revoked_for_good() {
    on_both(|store, _| async move {
        let sfj = agency(&store, "SFJ").await;
        agency(&store, "CZJ").await;
        let issued = api_keys::issue(
            &store,
            "SFJ",
            " 网站群 ",
            &[Scope::ReportsRead, Scope::CatalogWrite, Scope::CatalogWrite],
            Some(date!(2026 - 12 - 31)),
            &TEST,
        )
        .await
        .unwrap();
        assert_eq!(issued.key.name, "网站群");
        assert_eq!(issued.key.scopes, [Scope::CatalogWrite, Scope::ReportsRead], "sorted, once each");
        let found = api_keys::authenticate(&store, &issued.token).await.unwrap().unwrap();
        assert_eq!((found.id, found.agency_code.as_str()), (issued.key.id, "SFJ"));
        assert_eq!(found.expires_on, Some(date!(2026 - 12 - 31)));
        assert!(found.last_used_at.is_some(), "marked used");
        assert_eq!(found.actor_name(), "api:SFJ/网站群");
        assert!(found.usable_on(date!(2026 - 12 - 31)).is_ok());
        assert_eq!(found.usable_on(date!(2027 - 01 - 01)), Err(api_keys::Refusal::Expired));
        // A wrong secret, a malformed key: not found.
        let (prefix, _) = issued.token.rsplit_once('_').unwrap();
        let wrong = format!("{prefix}_{}", "0".repeat(64));
        assert!(api_keys::authenticate(&store, &wrong).await.unwrap().is_none());
        assert!(api_keys::authenticate(&store, "gk_x_y").await.unwrap().is_none());
        // Names are the agency's own; another agency may use the same one.
        let again = api_keys::issue(&store, "SFJ", "网站群", &[Scope::ReportsRead], None, &TEST).await;
        assert!(matches!(again, Err(StoreError::Duplicate { .. })), "{again:?}");
        api_keys::issue(&store, "CZJ", "网站群", &[Scope::ReportsRead], None, &TEST).await.unwrap();
        for (name, scopes) in [("", &[Scope::ReportsRead][..]), ("a/b", &[Scope::ReportsRead]), ("无权限", &[])] {
            let refused = api_keys::issue(&store, "SFJ", name, scopes, None, &TEST).await;
            assert!(matches!(refused, Err(StoreError::InvalidData(_))), "{name}: {refused:?}");
        }
        // Revoked: still listed (the audit trail names it), no longer usable; another agency cannot revoke it.
        let other = api_keys::revoke(&store, sfj + 1, issued.key.id, &TEST).await;
        assert!(matches!(other, Err(StoreError::NotFound { .. })));
        api_keys::revoke(&store, sfj, issued.key.id, &TEST).await.unwrap();
        api_keys::revoke(&store, sfj, issued.key.id, &TEST).await.unwrap();
        let listed = api_keys::list(&store, sfj).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].revoked_at.is_some());
        let found = api_keys::authenticate(&store, &issued.token).await.unwrap().unwrap();
        assert_eq!(found.usable_on(date!(2026 - 12 - 01)), Err(api_keys::Refusal::Revoked));
        assert_eq!(
            store
                .count_admin("SELECT COUNT(*) FROM audit_log WHERE action IN ('apikey.issue', 'apikey.revoke')")
                .await
                .unwrap(),
            3,
            "two issued, one revoked (the second revocation changed nothing)"
        );
    })
    .await;
}

/// A notice of 2026-11-20 in `category`, published on `channels`.
fn notice<'a>(
    category: &'a str,
    channels: &'a [(gongkai_core::records::PublishChannel, time::Date)],
) -> gongkai_store::publishing::Publication<'a> {
    gongkai_store::publishing::Publication {
        title: "关于某事项的通知",
        summary: "",
        body: "",
        category,
        subject: "",
        genre: "",
        doc_number: "",
        formed: None,
        published: date!(2026 - 11 - 20),
        validity: "有效",
        normative: false,
        repealed: None,
        channels,
    }
}

#[tokio::test]
async fn an_api_write_keeps_its_idempotency_key_in_its_own_commit() {
    use gongkai_core::records::PublishChannel;
    use gongkai_store::once::{self, Begun};
    use gongkai_store::publishing;
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let sfj = agencies::by_code(&store, "SFJ").await.unwrap();
        let channels = [(PublishChannel::Website, date!(2026 - 11 - 20))];
        let item = notice("通知公告", &channels);
        let now = time::OffsetDateTime::now_utc();
        let token = "0123456789abcdef0123456789abcdef";
        // A write dropped before its commit leaves neither the item nor the key.
        let Begun::Fresh(mut held) =
            once::begin(&store, token, "api:publish", "req-1", now).await.unwrap()
        else {
            panic!("a new key")
        };
        publishing::publish_once(&mut held, &store, &sfj, &item, &TEST).await.unwrap();
        drop(held);
        assert_eq!(once::lookup(&store, token, "api:publish", "req-1").await.unwrap(), None);
        assert_eq!(store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(), 0);
        // Committed: the item and the answer together; the same key again finds the answer.
        let Begun::Fresh(mut held) =
            once::begin(&store, token, "api:publish", "req-1", now).await.unwrap()
        else {
            panic!("the key is free again")
        };
        publishing::publish_once(&mut held, &store, &sfj, &item, &TEST).await.unwrap();
        once::commit(held, "answer-1").await.unwrap();
        assert_eq!(store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(), 1);
        assert_eq!(
            once::lookup(&store, token, "api:publish", "req-1").await.unwrap().as_deref(),
            Some("answer-1")
        );
        let again = once::begin(&store, token, "api:publish", "req-1", now).await.unwrap();
        assert!(matches!(again, Begun::Answered(answer) if answer == "answer-1"));
        // Another request with the key is refused, however it asks.
        let other = once::begin(&store, token, "api:publish", "req-2", now).await;
        assert!(matches!(other, Err(StoreError::InvalidData(_))));
        let other = once::lookup(&store, token, "api:edit", "req-1").await;
        assert!(matches!(other, Err(StoreError::InvalidData(_))));
        assert_eq!(store.count_admin("SELECT COUNT(*) FROM catalog_items").await.unwrap(), 1);
    })
    .await;
}

/// Case search on both databases: by number, text (a substring of the description; of the applicant's name
/// only in the searcher's own cases), date, open or closed, outcome and handler, paged with the exact total,
/// and an application that arrives after a search is found by the next one.
#[tokio::test]
async fn cases_are_found_by_number_text_date_state_outcome_and_handler() {
    use gongkai_store::handling::search::{self, CaseQuery, Handler, Status};
    on_both(|store, _| async move {
        let sfj = agency(&store, "SFJ").await;
        let other = agency(&store, "CZJ").await;
        let texts = [
            ("王五", "关于拆迁补偿标准的文件", date!(2026 - 03 - 02)),
            ("李四", "律师事务所年度考核结果", date!(2026 - 04 - 10)),
            ("王小明", "拆迁安置房分配名单", date!(2026 - 05 - 20)),
            ("赵六", "2025年ABC项目的审批材料", date!(2025 - 12 - 30)),
        ];
        let mut numbers = Vec::new();
        for (name, description, submitted) in texts {
            let application = NewApplication {
                applicant: ApplicantType::Natural,
                name,
                id_type: "居民身份证",
                id_number: "11010519491231002X",
                phone: "13800138000",
                address: "温州市",
                email: "",
                description,
                delivery_form: "邮寄纸质文本",
                intake: Intake::received_on(Channel::Online, submitted),
            };
            numbers.push(
                applications::intake(&store, "SFJ", &application, &TEST)
                    .await
                    .unwrap()
                    .tracking_number,
            );
        }
        // Another agency's case with the same words is never found from this one.
        apply(&store, "CZJ", date!(2026 - 03 - 03)).await;
        users::add_with_role(
            &store,
            "clerk",
            "经办人",
            "password-123456",
            Some((users::Role::Clerk, Some("SFJ"))),
            &TEST,
        )
        .await
        .unwrap();
        applications::assign(&store, &numbers[2], "clerk", &TEST).await.unwrap();
        let close = NewStep {
            outcome: Some(Outcome::Disclosed),
            ..step(Event::Replied { on: date!(2026 - 03 - 10) }, "reply")
        };
        handling::record(&store, &numbers[0], 0, &close, &TEST).await.unwrap();

        let find = |query: CaseQuery, page: u32, per_page: u32| {
            let store = store.clone();
            async move {
                let found = search::search(&store, &[sfj], &query, page, per_page).await.unwrap();
                let numbers: Vec<String> =
                    found.cases.iter().map(|case| case.tracking_number.clone()).collect();
                assert!(!found.total.more);
                (found.total.at_least, numbers)
            }
        };
        let text = |text: &str| CaseQuery { text: text.to_owned(), ..CaseQuery::default() };
        // Newest received first, every case of the agency without conditions.
        let all = find(CaseQuery::default(), 1, 10).await;
        assert_eq!(
            all,
            (
                4,
                vec![
                    numbers[2].clone(),
                    numbers[1].clone(),
                    numbers[0].clone(),
                    numbers[3].clone()
                ]
            )
        );
        // Substrings of any length, several words all required.
        assert_eq!(
            find(text("拆迁"), 1, 10).await,
            (2, vec![numbers[2].clone(), numbers[0].clone()])
        );
        assert_eq!(find(text("补偿标准"), 1, 10).await, (1, vec![numbers[0].clone()]));
        assert_eq!(find(text("迁"), 1, 10).await.0, 2);
        assert_eq!(find(text("果"), 1, 10).await, (1, vec![numbers[1].clone()]));
        assert_eq!(find(text("拆迁 名单"), 1, 10).await, (1, vec![numbers[2].clone()]));
        assert_eq!(find(text("abc"), 1, 10).await, (1, vec![numbers[3].clone()]));
        assert_eq!(find(text("补偿名单"), 1, 10).await.0, 0);
        assert_eq!(find(text("，。"), 1, 10).await.0, 0);
        // The applicant's name: not for others; for the handler, in their own case only.
        assert_eq!(find(text("王"), 1, 10).await.0, 0);
        let mine = CaseQuery { handled_by: Some("clerk".to_owned()), ..text("王") };
        assert_eq!(find(mine, 1, 10).await, (1, vec![numbers[2].clone()]));
        // Number, dates, state, outcome, handler.
        let number = CaseQuery {
            number: numbers[1][numbers[1].len() - 3..].to_owned(),
            ..CaseQuery::default()
        };
        assert_eq!(find(number, 1, 10).await.1, vec![numbers[1].clone()]);
        let wildcard = CaseQuery { number: "%".to_owned(), ..CaseQuery::default() };
        assert_eq!(find(wildcard, 1, 10).await.0, 0);
        let dates = CaseQuery {
            from: Some(date!(2026 - 03 - 02)),
            to: Some(date!(2026 - 04 - 10)),
            ..CaseQuery::default()
        };
        assert_eq!(find(dates, 1, 10).await, (2, vec![numbers[1].clone(), numbers[0].clone()]));
        let open = CaseQuery { status: Status::Open, ..CaseQuery::default() };
        assert_eq!(find(open, 1, 10).await.0, 3);
        let closed = CaseQuery { status: Status::Closed, ..CaseQuery::default() };
        assert_eq!(find(closed, 1, 10).await.1, vec![numbers[0].clone()]);
        let disclosed = CaseQuery { outcome: Some("disclosed".to_owned()), ..CaseQuery::default() };
        assert_eq!(find(disclosed, 1, 10).await.1, vec![numbers[0].clone()]);
        let withheld = CaseQuery { outcome: Some("withheld".to_owned()), ..CaseQuery::default() };
        assert_eq!(find(withheld, 1, 10).await.0, 0);
        let handled =
            CaseQuery { handler: Handler::User("clerk".to_owned()), ..CaseQuery::default() };
        assert_eq!(find(handled, 1, 10).await.1, vec![numbers[2].clone()]);
        let unassigned = CaseQuery { handler: Handler::Unassigned, ..CaseQuery::default() };
        assert_eq!(find(unassigned, 1, 10).await.0, 3);
        // Pages: the exact total on each, nothing past the end.
        assert_eq!(find(CaseQuery::default(), 2, 3).await, (4, vec![numbers[3].clone()]));
        assert_eq!(find(CaseQuery::default(), 3, 3).await, (4, vec![]));
        // Steps come with the cases.
        let found = search::search(&store, &[sfj], &text("补偿标准"), 1, 10).await.unwrap();
        assert_eq!(found.cases[0].steps.len(), 1);
        assert!(search::search(&store, &[sfj], &CaseQuery::default(), 0, 10).await.is_err());
        // An application received after a search is found by the next.
        let later = apply(&store, "SFJ", date!(2026 - 06 - 01)).await;
        assert_eq!(find(text("考核结果"), 1, 10).await, (2, vec![later, numbers[1].clone()]));
        // A bulk import beyond one batch: the search indexes one batch itself and scans the rest, so the
        // last row is found before the background catch-up, and after it.
        let rows: Vec<String> = (0..2_100)
            .map(|index| {
                let text = if index == 2_099 { "尾部特殊词汇" } else { "批量导入" };
                format!(
                    "({sfj}, 'BULK{index:05}', 'natural', '', '{text}', 'letter', '2024-05-01', '2024-05-01T00:00:00Z')"
                )
            })
            .collect();
        store
            .execute_admin(&format!(
                "INSERT INTO applications (agency_id, tracking_number, applicant_type, applicant_name, description, \
                 channel, submitted, created_at) VALUES {}",
                rows.join(", ")
            ))
            .await
            .unwrap();
        assert_eq!(find(text("特殊词汇"), 1, 10).await, (1, vec!["BULK02099".to_owned()]));
        let caught = search::catch_up(&store, None).await.unwrap();
        assert!(caught.complete);
        assert_eq!(find(text("特殊词汇"), 1, 10).await, (1, vec!["BULK02099".to_owned()]));
        assert_eq!(find(text("批量"), 1, 1).await.0, 2_099);
        let _ = other;
    })
    .await;
}

/// The same applicant recognised on both databases: by ID number however written, or by phone without one;
/// counted on the platform and at the agency; the month's running count (按件计收) by date received and then
/// arrival; an earlier identical request flagged; the database holds only keyed hashes.
#[tokio::test]
async fn an_applicant_is_recognised_across_applications_without_keeping_their_number_in_clear() {
    use gongkai_store::applicants;
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        agency(&store, "CZJ").await;
        let apply_as = |code: &'static str,
                        id: &'static str,
                        phone: &'static str,
                        description: &'static str,
                        on| {
            let store = store.clone();
            async move {
                let application = NewApplication {
                    applicant: ApplicantType::Natural,
                    name: "张三",
                    id_type: "居民身份证",
                    id_number: id,
                    phone,
                    address: "温州市",
                    email: "",
                    description,
                    delivery_form: "邮寄纸质文本",
                    intake: Intake::received_on(Channel::Online, on),
                };
                applications::intake(&store, code, &application, &TEST)
                    .await
                    .unwrap()
                    .tracking_number
            }
        };
        let october = apply_as(
            "SFJ",
            "11010519491231002X",
            "",
            "律师事务所年度考核结果",
            date!(2026 - 10 - 30),
        )
        .await;
        let first =
            apply_as("SFJ", "110105 19491231 002x", "", "拆迁补偿标准", date!(2026 - 11 - 05))
                .await;
        let other_agency =
            apply_as("CZJ", "11010519491231002X", "", "预算", date!(2026 - 11 - 06)).await;
        let second = apply_as(
            "SFJ",
            "11010519491231002X",
            "13800138000",
            "律师事务所 年度考核结果。",
            date!(2026 - 11 - 09),
        )
        .await;
        // Registered later but received earlier the same month: counted by the day received.
        let late_entry =
            apply_as("SFJ", "11010519491231002X", "", "人民调解", date!(2026 - 11 - 02)).await;
        let by_phone =
            apply_as("SFJ", "", "+86 138 0013 8000", "信访", date!(2026 - 11 - 10)).await;
        let nobody = apply_as("SFJ", "", "", "无名", date!(2026 - 11 - 10)).await;

        // The October request was answered before the identical one of 11-09 was made: a repeat. Before its
        // answer it is not flagged.
        let before_answer = applicants::history(&store, &second).await.unwrap();
        assert!(before_answer.earlier.iter().all(|earlier| !earlier.same_request));
        let answer = NewStep {
            outcome: Some(Outcome::Disclosed),
            ..step(Event::Replied { on: date!(2026 - 11 - 02) }, "reply")
        };
        handling::record(&store, &october, 0, &answer, &TEST).await.unwrap();
        let history = applicants::history(&store, &second).await.unwrap();
        assert!(history.identified);
        assert_eq!((history.on_platform, history.at_agency), (5, 4));
        // November at SFJ: 11-02 (late entry), 11-05, 11-09 — all three, and this one the third.
        assert_eq!((history.nth_in_month, history.in_month), (3, 3));
        assert_eq!(applicants::history(&store, &first).await.unwrap().in_month, 3);
        let earlier: Vec<(&str, bool)> = history
            .earlier
            .iter()
            .map(|earlier| (earlier.tracking_number.as_str(), earlier.same_request))
            .collect();
        assert_eq!(
            earlier,
            vec![(first.as_str(), false), (late_entry.as_str(), false), (october.as_str(), true)]
        );
        assert_eq!(applicants::history(&store, &late_entry).await.unwrap().nth_in_month, 1);
        assert_eq!(applicants::history(&store, &first).await.unwrap().nth_in_month, 2);
        assert_eq!(applicants::history(&store, &october).await.unwrap().nth_in_month, 1);
        assert_eq!(applicants::history(&store, &other_agency).await.unwrap().at_agency, 1);
        // The phone alone is another identity (the ID-holder's phone does not merge them).
        let phone = applicants::history(&store, &by_phone).await.unwrap();
        assert_eq!((phone.identified, phone.on_platform), (true, 1));
        let unknown = applicants::history(&store, &nobody).await.unwrap();
        assert!(!unknown.identified);
        assert_eq!(unknown.nth_in_month, 1);
        // Only keyed hashes: no row's key contains the number, and it is the same for the same person.
        let distinct = store
            .count_admin(
                "SELECT COUNT(DISTINCT applicant_key) FROM applications WHERE applicant_key <> ''",
            )
            .await
            .unwrap();
        assert_eq!(distinct, 2);
        let clear = store
            .count_admin(
                "SELECT COUNT(*) FROM applications WHERE applicant_key LIKE '%1101051949%'",
            )
            .await
            .unwrap();
        assert_eq!(clear, 0);
    })
    .await;
}

/// Issue #20: 目录分类 typed as "工作信息类" made a second facet beside 工作信息. Every catalog write (publish,
/// import) stores the agency's term; once the agency's list is set, a value outside it is refused.
#[tokio::test]
async fn catalog_values_land_on_the_agencys_terms_and_a_set_list_refuses_others() {
    use gongkai_core::records::{CatalogItem, PublishChannel};
    use gongkai_core::vocabulary::{Kind, parse};
    use gongkai_store::Refused;
    use gongkai_store::catalog::{self, ItemMetadata, NewItem};
    use gongkai_store::publishing::{self, Publication};
    use gongkai_store::vocabularies;
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let channels = [(PublishChannel::Website, date!(2026 - 11 - 20))];
        let publication = |category: &'static str| notice(category, &channels);
        let categories = |store: Store| async move {
            let sfj = agencies::by_code(&store, "SFJ").await.unwrap();
            let mut categories = catalog::facets(&store, sfj.id).await.unwrap().0;
            categories.sort();
            categories
        };
        // An open list (none set): a known value in another form joins it; a new value is taken.
        for category in ["工作信息", "工作信息类", " 工作 信息 "] {
            publishing::publish(&store, "SFJ", &publication(category), &TEST).await.unwrap();
        }
        let (finance, _) =
            publishing::publish(&store, "SFJ", &publication("财政信息"), &TEST).await.unwrap();
        assert_eq!(
            categories(store.clone()).await,
            [("工作信息".to_owned(), 3), ("财政信息".to_owned(), 1)]
        );
        // The list set by the admin, with another system's name as an alias.
        let list = parse("工作信息\n财政信息\n通知公告\n工作动态=工作信息");
        vocabularies::set(&store, "SFJ", Kind::Category, &list, &TEST).await.unwrap();
        publishing::publish(&store, "SFJ", &publication("工作动态"), &TEST).await.unwrap();
        let refused = publishing::publish(&store, "SFJ", &publication("人事信息"), &TEST).await;
        let Err(StoreError::Refused(Refused::NotInVocabulary { field, message })) = refused else {
            panic!("a value outside a set list is refused: {refused:?}");
        };
        assert_eq!(field, "category");
        assert!(message.contains("请选用：工作信息、财政信息、通知公告"), "{message}");
        // An import maps the other system's names too, and writes nothing when one value is unknown.
        let item = |number: &str, category: &str| NewItem {
            record: CatalogItem {
                index_number: number.to_owned(),
                title: "导入的信息".to_owned(),
                category: category.to_owned(),
                formed: None,
                published: date!(2026 - 10 - 01),
                channels: vec![PublishChannel::Website],
                normative: false,
            },
            metadata: ItemMetadata::default(),
        };
        let written = catalog::import(
            &store,
            "SFJ",
            &[item("X-1", "工作动态类"), item("X-2", "通知公告")],
            100,
            &TEST,
        )
        .await
        .unwrap();
        assert_eq!(written, 2);
        assert!(catalog::import(&store, "SFJ", &[item("X-3", "人事")], 100, &TEST).await.is_err());
        assert_eq!(
            categories(store.clone()).await,
            [("工作信息".to_owned(), 5), ("财政信息".to_owned(), 1), ("通知公告".to_owned(), 1)]
        );
        // Review: a list set later without an item's value still lets the item be edited as it is (a title
        // corrected), but not moved to another value outside the list.
        let narrower = parse("工作信息\n通知公告");
        vocabularies::set(&store, "SFJ", Kind::Category, &narrower, &TEST).await.unwrap();
        let retitled = Publication {
            title: "关于某事项的通知（更正）", ..publication("财政信息")
        };
        publishing::edit(&store, finance, 1, &retitled, &TEST).await.unwrap();
        let moved = publishing::edit(&store, finance, 2, &publication("人事信息"), &TEST).await;
        assert!(
            matches!(moved, Err(StoreError::Refused(Refused::NotInVocabulary { .. }))),
            "{moved:?}"
        );
        vocabularies::set(&store, "SFJ", Kind::Category, &list, &TEST).await.unwrap();
        // A list that would confuse is refused; an empty one opens the list again.
        let twice = parse("工作信息\n工作信息类");
        assert!(matches!(
            vocabularies::set(&store, "SFJ", Kind::Category, &twice, &TEST).await,
            Err(StoreError::InvalidData(_))
        ));
        vocabularies::set(&store, "SFJ", Kind::Category, &parse(""), &TEST).await.unwrap();
        assert!(vocabularies::vocabulary(&store, "SFJ", Kind::Category).await.unwrap().open);
        publishing::publish(&store, "SFJ", &publication("人事信息"), &TEST).await.unwrap();
    })
    .await;
}

/// Issue #20: the platform's marks for the public footer, kept and checked.
#[tokio::test]
async fn the_platforms_marks_are_kept_and_checked() {
    use gongkai_core::site::SiteInfo;
    use gongkai_store::site;
    on_both(|store, _| async move {
        assert_eq!(site::info(&store).await.unwrap(), SiteInfo::default());
        let info = SiteInfo {
            host: " 温州市人民政府办公室 ".to_owned(),
            icp: "浙ICP备05013566号".to_owned(),
            ..SiteInfo::default()
        };
        site::set_info(&store, &info, &TEST).await.unwrap();
        let stored = site::info(&store).await.unwrap();
        assert_eq!(stored.host, "温州市人民政府办公室", "trimmed");
        assert_eq!(stored.icp, "浙ICP备05013566号");
        let wrong = SiteInfo { icp: "05013566".to_owned(), ..stored.clone() };
        assert!(site::set_info(&store, &wrong, &TEST).await.is_err());
        assert_eq!(site::info(&store).await.unwrap(), stored, "nothing written");
    })
    .await;
}
