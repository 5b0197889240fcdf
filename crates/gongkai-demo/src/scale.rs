//! Synthetic records at scale for benchmarks: not realistic prose, realistic volume and spread.

use gongkai_core::clock::{Event, Party};
use gongkai_core::records::{
    AgencyRecords, ApplicantType, ApplicationRecord, CatalogItem, NonProcessing, Outcome,
    PublishChannel, Unavailability, Withholding,
};
use gongkai_core::regime::{Channel, Intake};
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

/// Records of one large agency over 2024–2025: `n_items` catalog items and `n_applications` applications
/// spread evenly over both years, every outcome row and channel used. `prefix` makes index and tracking
/// numbers unique across agencies.
pub fn large_agency(prefix: &str, n_items: usize, n_applications: usize) -> AgencyRecords {
    let mut records = crate::wenzhou_justice();
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
            index_number: format!("{prefix}/{}-{index:07}", published.year()),
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
            tracking_number: format!("{prefix}-{index:06}"),
            applicant: ApplicantType::ALL[index % ApplicantType::ALL.len()],
            intake: Intake::received_on(channels[index % channels.len()], received),
            regime: None,
            events,
            outcome: Some(OUTCOMES[index % OUTCOMES.len()]),
        });
    }
    records
}
