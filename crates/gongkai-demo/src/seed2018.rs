//! The bureau's 2018, reconstructed from the founding document (see `data/README.md` for each choice).

use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{Event, Party};
use gongkai_core::records::Content;
use gongkai_core::records::{
    AgencyRecords, ApplicantType, ApplicationRecord, CatalogItem, Meeting, Outcome, PublishChannel,
    ReadingPoint, Response, ResponseKind, StaffAssignment, StaffText, Training, Withholding,
};
use gongkai_core::regime::{Channel, Intake};
use time::Date;

use crate::rng::Rng;
use crate::{date, titles};

/// The categories of the seed's figure 1, with their counts (137 + 811 + 19 + 25 = 992).
pub(crate) const CATEGORIES_2018: [(&str, usize); 4] =
    [("政策文件", 137), ("工作信息", 811), ("人事信息", 19), ("媒体报道", 25)];

/// Working days of `year` (built-in calendar), for spreading publication dates.
pub(crate) fn working_days(year: i32) -> Vec<Date> {
    let calendar = Calendar::builtin();
    let mut days = Vec::new();
    let mut day = date(year, 1, 1);
    while day.year() == year {
        if calendar.is_working_day(day).unwrap_or(false) {
            days.push(day);
        }
        day = day.next_day().expect("dates in range");
    }
    days
}

/// Adds the bureau's 2018: its catalog, applications, interpretation, organisation and texts.
pub(crate) fn add(records: &mut AgencyRecords) {
    add_catalog(records);
    add_applications(records);
    add_interpretation(records);
    add_organisation(records);
    add_texts(records);
}

/// Adds the 992 catalog items of 2018, spread over its working days.
fn add_catalog(records: &mut AgencyRecords) {
    let mut rng = Rng::new(2018);
    let days = working_days(2018);
    let code = records.agency.as_ref().map(|agency| agency.code.clone()).unwrap_or_default();

    // 992 items: all on the website; 25 媒体报道 also through other means (newspapers);
    // 16 工作信息 on Weibo and 132 more on WeChat (16 + 132 = 148 posts, the seed's total).
    let mut serial = 0;
    let mut work_items = 0;
    for (category, count) in CATEGORIES_2018 {
        for _ in 0..count {
            serial += 1;
            let published = days[(serial * days.len()) / 993];
            let mut channels = vec![PublishChannel::Website];
            if category == "媒体报道" {
                channels.push(PublishChannel::Other);
            }
            if category == "工作信息" {
                work_items += 1;
                if work_items <= 16 {
                    channels.push(PublishChannel::Weibo);
                } else if work_items <= 16 + 132 {
                    channels.push(PublishChannel::Wechat);
                }
            }
            records.catalog.push(CatalogItem {
                index_number: format!("{code}/2018-{serial:05}"),
                title: titles::title(&mut rng, category, 2018, serial),
                category: category.to_owned(),
                formed: published.previous_day(),
                published,
                channels,
                normative: false,
            });
        }
    }
}

/// Adds the four applications of 2018.
fn add_applications(records: &mut AgencyRecords) {
    // Three online applications on one matter, disclosed on time; one letter refused for privacy after a
    // third-party consultation and an approved extension.
    for (index, received) in
        [date(2018, 4, 9), date(2018, 4, 16), date(2018, 5, 7)].into_iter().enumerate()
    {
        records.applications.push(ApplicationRecord {
            tracking_number: format!("2018-YSQ-{:04}", index + 1),
            applicant: ApplicantType::Natural,
            intake: Intake::received_on(Channel::Online, received),
            regime: None,
            events: vec![Event::Replied { on: received + time::Duration::days(9) }],
            outcome: Some(Outcome::Disclosed),
        });
    }
    records.applications.push(ApplicationRecord {
        tracking_number: "2018-YSQ-0004".to_owned(),
        applicant: ApplicantType::Natural,
        intake: Intake::received_on(Channel::Letter, date(2018, 10, 22)),
        regime: None,
        events: vec![
            Event::ConsultationSent { on: date(2018, 10, 25), party: Party::ThirdParty },
            Event::ConsultationAnswered { on: date(2018, 11, 2) },
            Event::ExtensionRequested { on: date(2018, 11, 14) },
            Event::ExtensionApproved { on: date(2018, 11, 15), working_days: 15 },
            Event::Replied { on: date(2018, 11, 30) },
        ],
        outcome: Some(Outcome::Withheld(Withholding::ThirdPartyPrivacy)),
    });
}

/// Adds the director's policy interpretation in 温州都市报 (the seed's figure 4).
fn add_interpretation(records: &mut AgencyRecords) {
    records.responses.push(Response {
        date: date(2018, 9, 12),
        kind: ResponseKind::Interpretation,
        topic: None,
        head_attended: true,
    });
}

/// Adds the staff, reading points, meeting and trainings of 2018.
fn add_organisation(records: &mut AgencyRecords) {
    // Five part-time staff, two reading points, one meeting, two trainings with 95 trainees.
    for index in 0..5 {
        records.staff.push(StaffAssignment {
            id: format!("staff-{}", index + 1),
            full_time: false,
            from: date(2015, 1, 1),
            to: if index == 4 { Some(date(2020, 12, 31)) } else { None },
        });
    }
    for (name, address) in [
        ("市司法局政务服务窗口", "温州市鹿城区市府路500号"),
        ("市公共法律服务中心", "温州市鹿城区锦绣路"),
    ] {
        records.reading_points.push(ReadingPoint {
            name: name.to_owned(),
            address: address.to_owned(),
            opened: date(2016, 3, 1),
            closed: None,
        });
    }
    records
        .meetings
        .push(Meeting {
            date: date(2018, 3, 20), title: "全局政务公开工作会议".to_owned()
        });
    records.trainings.push(Training {
        date: date(2018, 5, 24),
        title: "政府信息公开业务培训".to_owned(),
        trainees: 60,
    });
    records.trainings.push(Training {
        date: date(2018, 11, 8),
        title: "政务新媒体运维培训".to_owned(),
        trainees: 35,
    });
}

/// Adds the staff's texts of 2018: the overview, proactive disclosure and problems.
fn add_texts(records: &mut AgencyRecords) {
    records.texts.push(StaffText {
        year: 2018,
        section: Content::Overview,
        paragraphs: vec![
            "2018年，我局继续深入贯彻实施《条例》和《浙江省政府信息公开暂行办法》，加强组织领导，健全信息公开工作制度，深化公开内容，进一步提高政府信息公开服务水平和部门工作透明度。".to_owned(),
        ],
    });
    records.texts.push(StaffText {
        year: 2018,
        section: Content::Proactive,
        paragraphs: vec![
            "我局完成集约化网站迁移，将门户网站作为政府信息公开的主要载体；通过“温州司法”微博、微信及时发布信息，并在《温州日报》《温州都市报》等媒体公开工作信息。".to_owned(),
        ],
    });
    records.texts.push(StaffText {
        year: 2018,
        section: Content::Problems,
        paragraphs: vec![
            "我局政府信息公开工作虽按要求完成，但主动公开的内容、渠道和方式离上级要求和群众需要仍有一定距离。".to_owned(),
            "一是确保重点领域信息及时、全面、准确公开。".to_owned(),
            "二是提高信息发布的规范性、及时性，更好地满足公众对各类公开信息的需求。".to_owned(),
            "三是推进网站和“两微”新媒体的运用，扩大宣传内容和影响范围。".to_owned(),
        ],
    });
}
