//! Deriving one agency's annual report from 100,000 applications and 1,000,000 catalog items
//! (target ≤ 50 ms): measures of the year and of the year before (for cross-year rules), rules, narrative.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{Event, Party};
use gongkai_core::regime::{Channel, Intake};
use gongkai_core::report::format::FormatId;
use gongkai_core::report::records::{
    AgencyRecords, ApplicantType, ApplicationRecord, CatalogItem, NonProcessing, Outcome,
    PublishChannel, Unavailability, Withholding,
};
use gongkai_core::report::{self};
use time::{Date, Duration};

const CATEGORIES: [&str; 6] =
    ["政策文件", "工作信息", "人事信息", "媒体报道", "规划计划", "财政信息"];
const OUTCOMES: [Outcome; 8] = [
    Outcome::Disclosed,
    Outcome::Disclosed,
    Outcome::Disclosed,
    Outcome::PartiallyDisclosed,
    Outcome::AlreadyPublished,
    Outcome::Withheld(Withholding::ThirdPartyPrivacy),
    Outcome::Unavailable(Unavailability::NotHeld),
    Outcome::NotProcessed(NonProcessing::Repeat),
];

/// Records of one large agency over 2024–2025: items and applications spread over both years.
fn large_agency(n_items: usize, n_applications: usize) -> AgencyRecords {
    let mut records = gongkai_demo::wenzhou_justice();
    records.catalog.clear();
    records.applications.clear();
    let start = Date::from_calendar_date(2024, time::Month::January, 1).unwrap();
    for index in 0..n_items {
        let published = start + Duration::days((index * 731 / n_items) as i64);
        let mut channels = vec![PublishChannel::Website];
        if index % 7 == 0 {
            channels.push(PublishChannel::Wechat);
        }
        if index % 23 == 0 {
            channels.push(PublishChannel::Weibo);
        }
        records.catalog.push(CatalogItem {
            index_number: format!("BENCH/{}-{index:07}", published.year()),
            title: format!("基准测试信息{index}"),
            category: CATEGORIES[index % CATEGORIES.len()].to_owned(),
            formed: None,
            published,
            channels,
            normative: index % 97 == 0,
        });
    }
    let channels =
        [Channel::Online, Channel::InPerson, Channel::Post, Channel::Letter, Channel::Fax];
    for index in 0..n_applications {
        let received = start + Duration::days((index * 720 / n_applications) as i64);
        let mut events = Vec::new();
        if index % 10 == 0 {
            events.push(Event::ConsultationSent {
                on: received + Duration::days(3),
                party: Party::ThirdParty,
            });
            events.push(Event::ConsultationAnswered { on: received + Duration::days(10) });
        }
        events.push(Event::Replied { on: received + Duration::days(14 + (index % 9) as i64) });
        records.applications.push(ApplicationRecord {
            tracking_number: format!("BENCH-{index:06}"),
            applicant: ApplicantType::ALL[index % ApplicantType::ALL.len()],
            intake: Intake::received_on(channels[index % channels.len()], received),
            regime: None,
            events,
            outcome: Some(OUTCOMES[index % OUTCOMES.len()]),
        });
    }
    records
}

fn bench_report(c: &mut Criterion) {
    let records = large_agency(1_000_000, 100_000);
    let calendar = Calendar::builtin();
    let report = report::build(&records, 2025, None, calendar).unwrap();
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.values.get("t3", "new", "total").is_some());
    let mut group = c.benchmark_group("report");
    group.sample_size(20);
    group.bench_function("build_2021_format_100k_applications_1m_items", |b| {
        b.iter(|| {
            report::build(black_box(&records), 2025, Some(FormatId::F2021), calendar).unwrap()
        })
    });
    group.bench_function("table_values_only_100k_applications_1m_items", |b| {
        b.iter(|| report::table_values(black_box(&records), 2025, FormatId::F2021, calendar))
    });
    group.finish();
}

criterion_group!(benches, bench_report);
criterion_main!(benches);
