//! The portal's storage on both backends: profiles and leaders, catalog listing and facets, attachments,
//! the search outbox, the report archive, and reading-point bookings (seat limit under concurrency, the
//! calendar's non-working days, cancellation).

mod common;

use gongkai_core::calendar::Calendar;
use gongkai_core::reading::Schedule;
use gongkai_core::records::{AgencyRecords, CatalogItem, PublishChannel, ReadingPoint};
use gongkai_store::agencies::{self, Leader, NewAgency, Profile};
use gongkai_store::bookings::{self, Booked, NewBooking};
use gongkai_store::catalog::{self, Filter, ItemMetadata, NewItem};
use gongkai_store::{Store, StoreError, records, reports};
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

fn item(code: &str, n: usize, category: &str, published: time::Date) -> NewItem {
    NewItem {
        record: CatalogItem {
            index_number: format!("{code}/{}-{n:05}", published.year()),
            title: format!("第{n}号信息"),
            category: category.to_owned(),
            formed: Some(published),
            published,
            channels: vec![PublishChannel::Website],
            normative: false,
        },
        metadata: ItemMetadata {
            body: format!("正文{n}"),
            doc_number: format!("温司发〔{}〕{n}号", published.year()),
            ..ItemMetadata::default()
        },
    }
}

#[tokio::test]
async fn profiles_and_leaders_are_replaced_whole() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let leader = |name: &str| Leader {
            name: name.to_owned(),
            post: "局长".to_owned(),
            duties: "主持全面工作".to_owned(),
            biography: "履历".to_owned(),
            photo: None,
        };
        let profile = Profile {
            overview: "概况".to_owned(),
            leaders: vec![leader("甲"), leader("乙")],
            ..Profile::default()
        };
        agencies::set_profile(&store, "SFJ", &profile, &TEST).await.unwrap();
        assert_eq!(agencies::profile(&store, "SFJ").await.unwrap(), profile);
        let shorter = Profile { leaders: vec![leader("丙")], ..profile };
        agencies::set_profile(&store, "SFJ", &shorter, &TEST).await.unwrap();
        assert_eq!(agencies::profile(&store, "SFJ").await.unwrap().leaders, vec![leader("丙")]);
        assert!(matches!(
            agencies::profile(&store, "NONE").await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn the_catalog_lists_by_category_and_year_with_paging_and_feeds_the_outbox() {
    on_both(|store, _| async move {
        let id = agency(&store, "SFJ").await;
        let items: Vec<NewItem> = (1..=45)
            .map(|n| {
                let category = if n % 3 == 0 { "政策文件" } else { "工作信息" };
                let published = if n <= 30 { date!(2024 - 03 - 01) } else { date!(2025 - 03 - 01) }
                    + time::Duration::days(n as i64);
                item("SFJ", n, category, published)
            })
            .collect();
        catalog::import(&store, "SFJ", &items, 20, &TEST).await.unwrap();
        let all = catalog::list(&store, id, Filter::default(), 40, 20).await.unwrap();
        assert_eq!((all.total, all.items.len()), (45, 5));
        let first = catalog::list(&store, id, Filter::default(), 0, 1).await.unwrap();
        assert_eq!(first.items[0].title, "第45号信息", "newest first");
        let policy = catalog::list(
            &store,
            id,
            Filter { category: Some("政策文件"), year: Some(2025) },
            0,
            50,
        )
        .await
        .unwrap();
        assert_eq!(policy.total, 5, "n = 33, 36, 39, 42, 45");
        let (categories, years) = catalog::facets(&store, id).await.unwrap();
        assert_eq!(categories, vec![("工作信息".to_owned(), 30), ("政策文件".to_owned(), 15)]);
        assert_eq!(years, vec![(2025, 15), (2024, 30)]);
        // Every imported item is in the outbox, once.
        let changes = catalog::changes_after(&store, 0, "9999", 1_000).await.unwrap();
        assert_eq!(changes.len(), 45);
        let last = catalog::last_change(&store).await.unwrap();
        assert_eq!(changes.last().unwrap().0, last);
        // Withdrawing hides the item from listings and adds an outbox row.
        let target = all.items[0].id;
        catalog::withdraw(&store, target, &TEST).await.unwrap();
        assert_eq!(catalog::list(&store, id, Filter::default(), 0, 100).await.unwrap().total, 44);
        let after = catalog::changes_after(&store, last, "9999", 10).await.unwrap();
        assert_eq!(after.iter().map(|(_, item)| *item).collect::<Vec<_>>(), vec![target]);
        let documents = catalog::documents(&store, &[target]).await.unwrap();
        assert!(documents[0].withdrawn);
        assert!(catalog::item(&store, target).await.unwrap().unwrap().withdrawn);
        assert!(matches!(
            catalog::withdraw(&store, target, &TEST).await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn attachments_keep_only_the_file_name_and_accepted_types() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        catalog::import(
            &store,
            "SFJ",
            &[item("SFJ", 1, "政策文件", date!(2025 - 01 - 02))],
            10,
            &TEST,
        )
        .await
        .unwrap();
        let id = catalog::documents_after(&store, 0, 10).await.unwrap()[0].id;
        let stored = catalog::attach(&store, id, "../../etc/附件1.pdf", b"%PDF-1.7 test", &TEST)
            .await
            .unwrap();
        assert_eq!(stored.name, "附件1.pdf");
        assert_eq!(stored.media_type, "application/pdf");
        let (name, media_type, data) =
            catalog::attachment(&store, id, stored.id).await.unwrap().unwrap();
        assert_eq!(
            (name.as_str(), media_type.as_str(), data.as_slice()),
            ("附件1.pdf", "application/pdf", &b"%PDF-1.7 test"[..])
        );
        assert!(
            catalog::attachment(&store, id + 1, stored.id).await.unwrap().is_none(),
            "belongs to its item only"
        );
        for bad in ["run.exe", "..", "", "page.html"] {
            assert!(
                matches!(
                    catalog::attach(&store, id, bad, b"x", &TEST).await,
                    Err(StoreError::InvalidData(_))
                ),
                "{bad}"
            );
        }
        let huge = vec![0u8; catalog::ATTACHMENT_LIMIT + 1];
        assert!(matches!(
            catalog::attach(&store, id, "big.pdf", &huge, &TEST).await,
            Err(StoreError::InvalidData(_))
        ));
        assert_eq!(catalog::item(&store, id).await.unwrap().unwrap().attachments.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn published_reports_are_frozen_files_and_republishing_replaces_them() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let file = |kind: &'static str, text: &str| reports::ReportFile {
            kind,
            media_type: "text/plain",
            data: text.as_bytes().to_vec(),
        };
        reports::publish(
            &store,
            "SFJ",
            2024,
            "2021",
            &[file("html", "v1"), file("json", "{}")],
            &TEST,
        )
        .await
        .unwrap();
        reports::publish(&store, "SFJ", 2023, "2021", &[file("html", "old")], &TEST).await.unwrap();
        let listed = reports::published(&store, "SFJ").await.unwrap();
        assert_eq!(
            listed.iter().map(|r| (r.year, r.kinds.clone())).collect::<Vec<_>>(),
            vec![
                (2024, vec!["html".to_owned(), "json".to_owned()]),
                (2023, vec!["html".to_owned()]),
            ]
        );
        reports::publish(&store, "SFJ", 2024, "2021", &[file("html", "v2")], &TEST).await.unwrap();
        assert_eq!(reports::file(&store, "SFJ", 2024, "html").await.unwrap().unwrap().1, b"v2");
        assert!(reports::file(&store, "SFJ", 2024, "json").await.unwrap().is_none());
        assert!(
            reports::publish(&store, "SFJ", 2022, "2021", &[file("json", "{}")], &TEST)
                .await
                .is_err(),
            "HTML is required"
        );
    })
    .await;
}

async fn reading_point(store: &Store, capacity: i64) -> i64 {
    let records = AgencyRecords {
        reading_points: vec![ReadingPoint {
            name: "查阅点".to_owned(),
            address: "一楼".to_owned(),
            opened: date!(2019 - 01 - 01),
            closed: None,
        }],
        ..AgencyRecords::default()
    };
    records::save(store, "SFJ", &records, &TEST).await.unwrap();
    let point = bookings::reading_points(store, "SFJ", date!(2026 - 11 - 20)).await.unwrap()[0].id;
    let schedule = Schedule::typed("09:00-10:30 14:00-15:30", [""; 7]).unwrap();
    configure(store, point, capacity, &schedule, &[]).await.unwrap();
    point
}

async fn configure(
    store: &Store,
    point: i64,
    capacity: i64,
    schedule: &Schedule,
    closed_days: &[time::Date],
) -> Result<i64, StoreError> {
    let change = bookings::PointChange { hours: "工作日", capacity, schedule, closed_days };
    bookings::configure(store, "SFJ", point, &change, date!(2026 - 09 - 25), &TEST).await
}

/// A reading point closed on Wednesdays and open only in the morning on Fridays: each day offers its own
/// slots; changing the week reports the bookings it strands; a refused change writes nothing.
#[tokio::test]
async fn a_weekday_that_differs_offers_its_own_slots() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let point = reading_point(&store, 2).await;
        let calendar = Calendar::builtin().clone();
        let today = date!(2026 - 09 - 25);
        let week = Schedule::typed(
            "09:00-10:30 14:00-15:30",
            ["", "", "不开放", "", "09:00-10:30", "", ""],
        )
        .unwrap();
        assert_eq!(configure(&store, point, 2, &week, &[]).await.unwrap(), 0);
        let book = |day: time::Date, slot: &'static str| {
            let (store, calendar) = (store.clone(), calendar.clone());
            async move {
                let booking =
                    NewBooking { point_id: point, day, slot, name: "王五", phone: "13800000000" };
                bookings::book(&store, &calendar, today, &booking, &TEST).await.unwrap()
            }
        };
        // 2026-09-30 is a Wednesday, 2026-10-09 a Friday, 2026-10-12 a Monday.
        let wednesday = book(date!(2026 - 09 - 30), "09:00-10:30").await;
        assert_eq!(
            wednesday,
            Booked::Refused("该查阅点每星期三不开放，请选择其他日期。".to_owned())
        );
        let afternoon = book(date!(2026 - 10 - 09), "14:00-15:30").await;
        assert_eq!(
            afternoon,
            Booked::Refused(
                "所选时段在2026-10-09不开放，当日可预约的时段为：09:00-10:30。".to_owned()
            )
        );
        assert!(matches!(book(date!(2026 - 10 - 09), "09:00-10:30").await, Booked::Confirmed(_)));
        assert!(matches!(book(date!(2026 - 10 - 12), "14:00-15:30").await, Booked::Confirmed(_)));
        let stored = bookings::reading_point(&store, point, today).await.unwrap().unwrap();
        assert_eq!(stored.schedule, week);
        assert_eq!(stored.slots_on(date!(2026 - 10 - 09)), ["09:00-10:30"]);
        // Fridays closed from now on and 10-12 a closure day: both bookings stand, and are reported.
        let closed_fridays =
            Schedule::typed("09:00-10:30 14:00-15:30", ["", "", "不开放", "", "不开放", "", ""])
                .unwrap();
        assert_eq!(
            configure(&store, point, 2, &closed_fridays, &[date!(2026 - 10 - 12)]).await.unwrap(),
            2
        );
        // Saved again as it is: those two were told of already, nothing more is stranded.
        assert_eq!(
            configure(&store, point, 2, &closed_fridays, &[date!(2026 - 10 - 12)]).await.unwrap(),
            0
        );
        // A refused change (no seats) leaves the closure days and the week as they were.
        assert!(matches!(
            configure(&store, point, 0, &week, &[date!(2026 - 10 - 13)]).await,
            Err(StoreError::Refused(gongkai_store::Refused::Capacity(0)))
        ));
        let stored = bookings::reading_point(&store, point, today).await.unwrap().unwrap();
        assert_eq!(
            (stored.schedule, stored.closed_days),
            (closed_fridays, vec!["2026-10-12".to_owned()])
        );
    })
    .await;
}

/// A leader's photo: set on the leader at its place under its name, kept when the leaders are saved again
/// (the same name, wherever it moves), served only for the agency whose leader has it; a photo that is not
/// JPEG or PNG, or a leader who is no longer there, is refused with nothing written.
#[tokio::test]
async fn a_leaders_photo_follows_the_leader() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        agency(&store, "JYJ").await;
        let leader = |name: &str| Leader {
            name: name.to_owned(),
            post: "局长".to_owned(),
            ..Leader::default()
        };
        let profile = Profile { leaders: vec![leader("甲"), leader("乙")], ..Profile::default() };
        agencies::set_profile(&store, "SFJ", &profile, &TEST).await.unwrap();
        let png = b"\x89PNG\r\n\x1a\n photo of yi";
        agencies::set_leader_photo(&store, "SFJ", 1, "乙", Some(("image/png", png)), &TEST)
            .await
            .unwrap();
        let sha = agencies::profile(&store, "SFJ").await.unwrap().leaders[1].photo.clone().unwrap();
        assert_eq!(
            agencies::leader_photo(&store, "SFJ", &sha).await.unwrap(),
            Some(("image/png".to_owned(), png.to_vec()))
        );
        assert_eq!(agencies::leader_photo(&store, "JYJ", &sha).await.unwrap(), None);
        // Saved again with 乙 first and 甲 gone: 乙 keeps the photo, 丙 has none.
        let again = Profile { leaders: vec![leader("乙"), leader("丙")], ..Profile::default() };
        agencies::set_profile(&store, "SFJ", &again, &TEST).await.unwrap();
        let leaders = agencies::profile(&store, "SFJ").await.unwrap().leaders;
        assert_eq!(
            (leaders[0].photo.as_deref(), leaders[1].photo.as_deref()),
            (Some(sha.as_str()), None)
        );
        // The form showed 丙 at place 0, since changed: refused.
        assert!(matches!(
            agencies::set_leader_photo(&store, "SFJ", 0, "丙", Some(("image/png", png)), &TEST)
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            agencies::set_leader_photo(&store, "SFJ", 1, "丙", Some(("image/gif", png)), &TEST)
                .await,
            Err(StoreError::InvalidData(_))
        ));
        assert_eq!(agencies::profile(&store, "SFJ").await.unwrap().leaders[1].photo, None);
        // Removed: no longer served.
        agencies::set_leader_photo(&store, "SFJ", 0, "乙", None, &TEST).await.unwrap();
        assert_eq!(agencies::leader_photo(&store, "SFJ", &sha).await.unwrap(), None);
    })
    .await;
}

#[tokio::test]
async fn bookings_never_exceed_the_seats_even_when_concurrent() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let point = reading_point(&store, 3).await;
        let calendar = Calendar::builtin().clone();
        let today = date!(2026 - 11 - 20);
        let tasks: Vec<_> = (0..12)
            .map(|n| {
                let store = store.clone();
                let calendar = calendar.clone();
                tokio::spawn(async move {
                    let phone = format!("138000000{n:02}");
                    let booking = NewBooking {
                        point_id: point,
                        day: date!(2026 - 11 - 23),
                        slot: "09:00-10:30",
                        name: "王五",
                        phone: &phone,
                    };
                    bookings::book(&store, &calendar, today, &booking, &TEST).await.unwrap()
                })
            })
            .collect();
        let mut confirmed = Vec::new();
        let mut full = 0;
        for task in tasks {
            match task.await.unwrap() {
                Booked::Confirmed(receipt) => confirmed.push(receipt),
                Booked::Full => full += 1,
                Booked::Refused(reason) => panic!("refused: {reason}"),
            }
        }
        assert_eq!((confirmed.len(), full), (3, 9));
        assert_eq!(
            bookings::taken(&store, point, date!(2026 - 11 - 23)).await.unwrap(),
            vec![("09:00-10:30".to_owned(), 3)]
        );
        // A wrong code cancels nothing and answers like an unknown reference.
        let first = &confirmed[0];
        assert!(
            bookings::cancel(&store, &first.reference, "000000x", &TEST).await.unwrap().is_none()
        );
        assert!(
            bookings::cancel(&store, "YY2026999999", &first.code, &TEST).await.unwrap().is_none()
        );
        let cancelled =
            bookings::cancel(&store, &first.reference, &first.code, &TEST).await.unwrap().unwrap();
        assert!(cancelled.cancelled);
        // The freed seat can be booked again, once.
        let again = NewBooking {
            point_id: point,
            day: date!(2026 - 11 - 23),
            slot: "09:00-10:30",
            name: "赵六",
            phone: "13900000000",
        };
        assert!(matches!(
            bookings::book(&store, &calendar, today, &again, &TEST).await.unwrap(),
            Booked::Confirmed(_)
        ));
        assert_eq!(
            bookings::book(&store, &calendar, today, &again, &TEST).await.unwrap(),
            Booked::Full
        );
    })
    .await;
}

#[tokio::test]
async fn bookings_follow_the_calendar_and_the_window() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let point = reading_point(&store, 2).await;
        let calendar = Calendar::builtin().clone();
        let today = date!(2026 - 09 - 25);
        let on = |day: time::Date, slot: &'static str| NewBooking {
            point_id: point,
            day,
            slot,
            name: "王五",
            phone: "13800000000",
        };
        let refused = |booked: Booked| matches!(booked, Booked::Refused(_));
        // 2026-10-01 is 国庆节; 2026-09-27 is a Sunday; 2026-10-10 is a Saturday worked as 调休 [per the 2026 notice].
        for (day, slot) in [
            (date!(2026 - 10 - 01), "09:00-10:30"),
            (date!(2026 - 09 - 27), "09:00-10:30"),
            (today, "09:00-10:30"),
            (date!(2026 - 12 - 25), "09:00-10:30"),
            (date!(2026 - 09 - 28), "11:00-12:00"),
        ] {
            assert!(
                refused(
                    bookings::book(&store, &calendar, today, &on(day, slot), &TEST).await.unwrap()
                ),
                "{day} {slot}"
            );
        }
        let working_saturday = calendar.is_working_day(date!(2026 - 10 - 10)).unwrap();
        assert!(working_saturday, "the 2026 notice makes 10-10 a working day");
        let booked = bookings::book(
            &store,
            &calendar,
            today,
            &on(date!(2026 - 10 - 10), "09:00-10:30"),
            &TEST,
        )
        .await
        .unwrap();
        assert_eq!(matches!(booked, Booked::Confirmed(_)), working_saturday);
        assert!(matches!(
            bookings::book(
                &store,
                &calendar,
                today,
                &on(date!(2026 - 09 - 28), "14:00-15:30"),
                &TEST
            )
            .await
            .unwrap(),
            Booked::Confirmed(_)
        ));
    })
    .await;
}

#[tokio::test]
async fn the_applicant_sees_only_sent_letters_addressed_to_them() {
    use gongkai_store::{applications, letters};
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let application = online_application();
        let receipt = applications::intake(&store, "SFJ", &application, &TEST).await.unwrap();
        let number = receipt.tracking_number.as_str();
        let code = receipt.verification_code.as_str();
        let consultation = letters::add(
            &store,
            number,
            letters::LetterKind::Consultation,
            "application/pdf",
            b"%PDF third party",
            &TEST,
        )
        .await
        .unwrap();
        let reply = letters::add(
            &store,
            number,
            letters::LetterKind::Reply,
            "application/pdf",
            b"%PDF reply",
            &TEST,
        )
        .await
        .unwrap();
        assert_eq!(
            letters::sent_to_applicant(&store, number, code).await.unwrap(),
            Some(vec![]),
            "nothing sent yet"
        );
        letters::mark_sent(&store, consultation, date!(2026 - 11 - 10), &TEST).await.unwrap();
        letters::mark_sent(&store, reply, date!(2026 - 11 - 20), &TEST).await.unwrap();
        assert!(
            matches!(
                letters::mark_sent(&store, reply, date!(2026 - 11 - 21), &TEST).await,
                Err(StoreError::NotFound { .. })
            ),
            "sent once"
        );
        let sent = letters::sent_to_applicant(&store, number, code).await.unwrap().unwrap();
        assert_eq!(
            sent.iter().map(|l| (l.kind.code(), l.sent_on.as_str())).collect::<Vec<_>>(),
            vec![("reply", "2026-11-20")]
        );
        let (_, data) =
            letters::applicant_copy(&store, number, code, reply).await.unwrap().unwrap();
        assert_eq!(data, b"%PDF reply");
        assert!(
            letters::applicant_copy(&store, number, code, consultation).await.unwrap().is_none(),
            "never the third party's letter"
        );
        assert!(letters::sent_to_applicant(&store, number, "000000x").await.unwrap().is_none());
        assert!(letters::applicant_copy(&store, number, "000000x", reply).await.unwrap().is_none());
        // A letter is a DOCX or a PDF, never something a browser would open as a page.
        for media_type in ["text/plain", "text/html", ""] {
            let refused =
                letters::add(&store, number, letters::LetterKind::Reply, media_type, b"x", &TEST)
                    .await;
            assert!(
                matches!(refused, Err(StoreError::InvalidData(_))),
                "{media_type}: {refused:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn old_outbox_rows_are_pruned() {
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let items = [
            item("SFJ", 1, "工作信息", date!(2025 - 01 - 02)),
            item("SFJ", 2, "工作信息", date!(2025 - 01 - 03)),
        ];
        catalog::import(&store, "SFJ", &items, 10, &TEST).await.unwrap();
        let newest = catalog::last_change(&store).await.unwrap();
        assert_eq!(catalog::oldest_change(&store).await.unwrap(), Some(newest - 1));
        assert_eq!(
            catalog::prune_changes(&store, "2000-01-01T00:00:00Z").await.unwrap(),
            0,
            "recent rows stay"
        );
        assert_eq!(
            catalog::prune_changes(&store, "9999-01-01T00:00:00Z").await.unwrap(),
            1,
            "all but the newest"
        );
        assert_eq!(catalog::oldest_change(&store).await.unwrap(), Some(newest));
        assert_eq!(catalog::last_change(&store).await.unwrap(), newest);
    })
    .await;
}

#[tokio::test]
async fn an_application_with_attached_files_is_received_on_both_databases() {
    // The day's quota sums the applicant's attached bytes: on PostgreSQL SUM(bigint) is NUMERIC, which the
    // `Any` driver cannot decode, so the sum is cast back to BIGINT.
    use gongkai_store::applications;
    on_both(|store, _| async move {
        agency(&store, "SFJ").await;
        let application = online_application();
        let files = vec![("身份证明.pdf".to_owned(), b"%PDF-1.7 id".to_vec())];
        for _ in 0..2 {
            let receipt = applications::intake_with_attachments(
                &store,
                "SFJ",
                &application,
                &files,
                "203.0.113.0",
                None,
                &TEST,
            )
            .await
            .unwrap();
            let attached =
                applications::attached_files(&store, &receipt.tracking_number).await.unwrap();
            assert_eq!(attached.len(), 1);
            assert_eq!(attached[0].name, "身份证明.pdf");
        }
    })
    .await;
}

/// One applicant's online application of 2 November 2026.
fn online_application() -> gongkai_store::applications::NewApplication<'static> {
    use gongkai_core::records::ApplicantType;
    use gongkai_core::regime::{Channel, Intake};
    gongkai_store::applications::NewApplication {
        applicant: ApplicantType::Natural,
        name: "张三",
        id_type: "居民身份证",
        id_number: "11010519491231002X",
        phone: "13812345678",
        address: "温州市",
        email: "",
        description: "人民调解经费",
        delivery_form: "电子邮件",
        intake: Intake::received_on(Channel::Online, date!(2026 - 11 - 02)),
    }
}

/// The notification outbox on both databases: the receipt is queued with the intake (e-mail pending, the SMS
/// skipped with its reason when no gateway is configured), claimed once, retried after a passing failure,
/// given up after a permanent one, and a claim left by a stopped process becomes `unknown`, never a second
/// send.
#[tokio::test]
async fn the_outbox_claims_each_notice_once_and_keeps_its_fate() {
    use gongkai_store::applications::{self, ReceiptNotice};
    use gongkai_store::notifications::{self, Channel, Channels, Miss, Status};
    on_both(|store, backend| async move {
        agency(&store, "SFJ").await;
        let mut application = online_application();
        application.email = "zhangsan@example.cn";
        let notice = ReceiptNotice {
            due: Some(date!(2026 - 11 - 30)),
            provisional: false,
            channels: Channels { email: true, sms: false },
        };
        let receipt = applications::intake_with_attachments(
            &store,
            "SFJ",
            &application,
            &[],
            "",
            Some(notice),
            &TEST,
        )
        .await
        .unwrap();
        let case = gongkai_store::handling::case(&store, &receipt.tracking_number).await.unwrap();
        let queued = notifications::of_case(&store, case.id).await.unwrap();
        let fates: Vec<(Channel, Status)> = queued.iter().map(|n| (n.channel, n.status)).collect();
        assert_eq!(
            fates,
            [(Channel::Email, Status::Pending), (Channel::Sms, Status::Skipped)],
            "{backend}"
        );
        assert!(queued[1].last_error.contains("短信网关"), "{backend}");

        let email = Channels { email: true, sms: false };
        assert!(
            notifications::claim(&store, Channels { email: false, sms: true }, 300, 10)
                .await
                .unwrap()
                .is_empty(),
            "a worker without SMTP leaves e-mail alone ({backend})"
        );
        let claimed = notifications::claim(&store, email, 300, 10).await.unwrap();
        assert_eq!(claimed.len(), 1, "{backend}");
        assert!(
            claimed[0].body.contains(&format!("查询码：{}", receipt.verification_code)),
            "{backend}"
        );
        assert!(claimed[0].body.contains("2026年11月30日"), "{backend}");
        assert!(
            notifications::claim(&store, email, 300, 10).await.unwrap().is_empty(),
            "claimed once ({backend})"
        );
        // A passing failure: back in the queue for later, the code still kept for the next attempt.
        assert!(
            notifications::mark_failed(&store, &claimed[0], "connection refused", Miss::Passing)
                .await
                .unwrap()
        );
        let waiting = &notifications::of_case(&store, case.id).await.unwrap()[0];
        assert_eq!((waiting.status, waiting.attempts), (Status::Pending, 1), "{backend}");
        assert!(
            notifications::claim(&store, email, 300, 10).await.unwrap().is_empty(),
            "not before its time"
        );
        assert_eq!(notifications::backlog(&store).await.unwrap().0, 1, "{backend}");
        store.execute_admin("UPDATE notifications SET next_attempt_at = 0").await.unwrap();
        let again = notifications::claim(&store, email, 300, 10).await.unwrap();
        assert_eq!(again[0].attempts, 2, "{backend}");
        assert!(again[0].body.contains(&receipt.verification_code), "{backend}");
        // A late answer to the first claim changes nothing: the row belongs to the second one now.
        assert!(
            !notifications::mark_sent(&store, &claimed[0]).await.unwrap(),
            "a stale claim is not recorded ({backend})"
        );
        assert!(notifications::mark_sent(&store, &again[0]).await.unwrap());
        let sent = &notifications::of_case(&store, case.id).await.unwrap()[0];
        assert_eq!(sent.status, Status::Sent, "{backend}");
        assert!(sent.sent_at.is_some());
        let codes = store
            .count_admin("SELECT COUNT(*) FROM notifications WHERE secret IS NOT NULL")
            .await
            .unwrap();
        assert_eq!(codes, 0, "the code is dropped once sent ({backend})");
        assert!(
            !notifications::mark_failed(&store, &again[0], "late", Miss::Permanent).await.unwrap(),
            "a sent notice stays sent ({backend})"
        );
        assert_eq!(notifications::of_case(&store, case.id).await.unwrap()[0].status, Status::Sent);

        // A claim whose lease ran out (the process stopped mid-send) is unknown, not sent again; the
        // stopped worker's late answer is not recorded.
        let second = applications::intake_with_attachments(
            &store,
            "SFJ",
            &application,
            &[],
            "",
            Some(notice),
            &TEST,
        )
        .await
        .unwrap();
        let stale = notifications::claim(&store, email, -1, 10).await.unwrap();
        assert_eq!(stale.len(), 1, "{backend}");
        assert_eq!(notifications::expire_leases(&store).await.unwrap(), 1, "{backend}");
        assert!(
            notifications::claim(&store, email, 300, 10).await.unwrap().is_empty(),
            "{backend}"
        );
        assert!(!notifications::mark_sent(&store, &stale[0]).await.unwrap(), "{backend}");
        let case = gongkai_store::handling::case(&store, &second.tracking_number).await.unwrap();
        let unknown = &notifications::of_case(&store, case.id).await.unwrap()[0];
        assert_eq!(unknown.status, Status::Unknown, "{backend}");
        // Resent by a person, then refused for good: failed at once.
        notifications::resend(&store, &second.tracking_number, unknown.id, &TEST).await.unwrap();
        let retried = notifications::claim(&store, email, 300, 10).await.unwrap();
        assert!(
            retried[0].body.contains("提交申请时页面显示的查询码"),
            "the code was dropped ({backend})"
        );
        assert!(
            notifications::mark_failed(&store, &retried[0], "550 no such mailbox", Miss::Permanent)
                .await
                .unwrap()
        );
        let failed = &notifications::of_case(&store, case.id).await.unwrap()[0];
        assert_eq!(
            (failed.status, failed.last_error.as_str()),
            (Status::Failed, "550 no such mailbox")
        );
        assert!(
            matches!(
                notifications::resend(&store, &receipt.tracking_number, failed.id, &TEST).await,
                Err(StoreError::Conflict { .. })
            ),
            "another case's notice is not resent through this one ({backend})"
        );
        // A backup never holds a waiting code.
        let third = applications::intake_with_attachments(
            &store,
            "SFJ",
            &application,
            &[],
            "",
            Some(notice),
            &TEST,
        )
        .await
        .unwrap();
        let mut backup = Vec::new();
        gongkai_store::backup::backup(&store, &mut backup).await.unwrap();
        let text = String::from_utf8(backup).unwrap();
        let mut lines =
            text.lines().skip_while(|line| !line.contains(r#""table":"notifications""#));
        let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
        let at =
            header["columns"].as_array().unwrap().iter().position(|name| name == "secret").unwrap();
        let rows: Vec<serde_json::Value> = lines
            .take_while(|line| line.starts_with('['))
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(rows.len(), 6, "three receipts, by e-mail and SMS ({backend})");
        assert!(
            rows.iter().all(|row| row[at].is_null()),
            "no waiting code in a backup ({backend})"
        );
        let waiting = store
            .count_admin(&format!(
                "SELECT COUNT(*) FROM notifications WHERE secret = '{}'",
                third.verification_code
            ))
            .await
            .unwrap();
        assert_eq!(waiting, 1, "while the database keeps it for sending ({backend})");
    })
    .await;
}

/// A transfer (转办) on both databases: the application opens again at the other agency with its files, is
/// tracked with the first code through a second transfer, and is refused to its own agency.
#[tokio::test]
async fn a_transferred_application_keeps_its_files_and_its_code() {
    use gongkai_core::clock::Event;
    use gongkai_core::records::Outcome;
    use gongkai_store::applications::{self, Transfer};
    use gongkai_store::handling::{self, NewStep, With};
    use gongkai_store::notifications::Channels;
    on_both(|store, backend| async move {
        for code in ["SFJ", "CZJ", "JYJ"] {
            agency(&store, code).await;
        }
        let files = vec![("身份证明.pdf".to_owned(), b"%PDF-1.7 id".to_vec())];
        let receipt = applications::intake_with_attachments(
            &store,
            "SFJ",
            &online_application(),
            &files,
            "203.0.113.0",
            None,
            &TEST,
        )
        .await
        .unwrap();
        let step = NewStep {
            event: Some(Event::Replied { on: date!(2026 - 11 - 03) }),
            details: serde_json::json!({}),
            outcome: Some(Outcome::NotThisAgency),
            regime: None,
            action: "reply",
        };
        let transfer = |to| Transfer {
            to,
            on: date!(2026 - 11 - 03),
            due: None,
            channels: Channels::default(),
        };
        let to_itself = With { transfer: Some(transfer("SFJ")), ..With::default() };
        assert!(
            handling::record_with(&store, &receipt.tracking_number, 0, &step, to_itself, &TEST)
                .await
                .is_err(),
            "not to its own agency ({backend})"
        );
        assert_eq!(
            handling::case(&store, &receipt.tracking_number).await.unwrap().outcome,
            None,
            "nothing kept"
        );
        let with = With { transfer: Some(transfer("CZJ")), ..With::default() };
        handling::record_with(&store, &receipt.tracking_number, 0, &step, with, &TEST)
            .await
            .unwrap();
        let first = handling::case(&store, &receipt.tracking_number).await.unwrap();
        let moved = first.transferred_to.expect("linked");
        assert_eq!(
            applications::attached_files(&store, &moved).await.unwrap().len(),
            1,
            "{backend}"
        );
        assert!(
            applications::verify_code(&store, &moved, &receipt.verification_code).await.unwrap()
        );
        assert!(!applications::verify_code(&store, &moved, "000000").await.unwrap(), "{backend}");
        let status = applications::public_status(&store, &moved, &receipt.verification_code)
            .await
            .unwrap()
            .expect("tracked with the first code");
        assert_eq!(status.transferred_from.as_deref(), Some(receipt.tracking_number.as_str()));
        // Onwards again: still the first code.
        let with = With { transfer: Some(transfer("JYJ")), ..With::default() };
        handling::record_with(&store, &moved, 0, &step, with, &TEST).await.unwrap();
        let last = handling::case(&store, &moved).await.unwrap().transferred_to.expect("linked");
        assert!(
            applications::verify_code(&store, &last, &receipt.verification_code).await.unwrap()
        );
        let audited = store
            .count_admin("SELECT COUNT(*) FROM audit_log WHERE action = 'application.transfer'")
            .await
            .unwrap();
        assert_eq!(audited, 2, "{backend}");
    })
    .await;
}
