//! Synthetic later years of the demo bureau: every outcome row, carry-over, reviews and suits.

use std::ops::RangeInclusive;

use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, Event, Party};
use gongkai_core::records::Content;
use gongkai_core::records::{
    AgencyRecords, ApplicantType, ApplicationRecord, CaseResult, CatalogItem, Complaint,
    DeclaredFigure, Funding, Lawsuit, Meeting, NonProcessing, NormativeDocument, NormativeKind,
    Office, OtherHandling, Outcome, PublishChannel, ReadingPoint, Response, ResponseKind, Review,
    StaffAssignment, StaffText, Training, Unavailability, Withholding,
};
use gongkai_core::regime::{Channel, Intake, Regime};
use gongkai_core::report::values::Quantity;
use time::Date;

use crate::rng::Rng;
use crate::seed2018::working_days;
use crate::{date, titles};

/// Every outcome that fills a row of the 2021 table 三 (fee lapses only from 2021, when fees began).
const OUTCOMES: [Outcome; 24] = [
    Outcome::Disclosed,
    Outcome::AlreadyPublished,
    Outcome::PartiallyDisclosed,
    Outcome::Withheld(Withholding::StateSecret),
    Outcome::Withheld(Withholding::ForbiddenByLaw),
    Outcome::Withheld(Withholding::Security),
    Outcome::Withheld(Withholding::ThirdPartyPrivacy),
    Outcome::Withheld(Withholding::ThirdPartyTradeSecret),
    Outcome::Withheld(Withholding::Internal),
    Outcome::Withheld(Withholding::Deliberative),
    Outcome::Withheld(Withholding::EnforcementFile),
    Outcome::Withheld(Withholding::AdministrativeQuery),
    Outcome::Unavailable(Unavailability::NotHeld),
    Outcome::NotThisAgency,
    Outcome::Unavailable(Unavailability::NeedsCreation),
    Outcome::Unavailable(Unavailability::StillUnclear),
    Outcome::NotProcessed(NonProcessing::Petition),
    Outcome::NotProcessed(NonProcessing::Repeat),
    Outcome::NotProcessed(NonProcessing::Publication),
    Outcome::NotProcessed(NonProcessing::Excessive),
    Outcome::NotProcessed(NonProcessing::Confirmation),
    Outcome::OtherHandling(OtherHandling::NoSupplement),
    Outcome::OtherHandling(OtherHandling::Other),
    Outcome::OtherHandling(OtherHandling::FeeNotPaid),
];

const CHANNELS: [Channel; 5] =
    [Channel::Online, Channel::Online, Channel::InPerson, Channel::Post, Channel::Letter];

fn add_working_days(start: Date, n: u32) -> Date {
    Calendar::builtin()
        .add_working_days(start, n)
        .expect("demo dates lie within the built-in calendar")
}

/// An application of `year` ending in `outcome`, received on `received`, with events that lead to it.
fn application(
    rng: &mut Rng,
    year: i32,
    index: usize,
    received: Date,
    outcome: Outcome,
    applicant: ApplicantType,
) -> ApplicationRecord {
    let channel = *rng.pick(&CHANNELS);
    let tracking_number = format!("{year}-YSQ-{:04}", index + 1);
    let mut events = Vec::new();
    let mut lapses = false;
    match outcome {
        Outcome::OtherHandling(OtherHandling::NoSupplement) => {
            let requested = add_working_days(received, 3);
            events.push(Event::SupplementRequested {
                on: requested,
                reply_by: Some(add_working_days(requested, 10)),
            });
            lapses = true;
        }
        Outcome::OtherHandling(OtherHandling::FeeNotPaid) => {
            let amount = 100 * rng.between(1, 5);
            events.push(Event::FeeNotified {
                on: add_working_days(received, 5),
                amount_yuan: amount,
            });
            lapses = true;
        }
        Outcome::Unavailable(Unavailability::StillUnclear) => {
            let requested = add_working_days(received, 2);
            events.push(Event::SupplementRequested {
                on: requested,
                reply_by: Some(add_working_days(requested, 10)),
            });
            events.push(Event::SupplementReceived { on: add_working_days(requested, 4) });
        }
        Outcome::Withheld(Withholding::ThirdPartyPrivacy | Withholding::ThirdPartyTradeSecret)
        | Outcome::PartiallyDisclosed => {
            let sent = add_working_days(received, 4);
            events.push(Event::ConsultationSent { on: sent, party: Party::ThirdParty });
            events.push(Event::ConsultationAnswered {
                on: add_working_days(sent, rng.between(3, 12) as u32),
            });
        }
        Outcome::Disclosed if year >= 2021 && rng.chance(8) => {
            let notified = add_working_days(received, 5);
            let paid = add_working_days(notified, rng.between(2, 10) as u32);
            let amount = 100 * rng.between(1, 3);
            events.push(Event::FeeNotified { on: notified, amount_yuan: amount });
            // The case's own steps are the fee's record: the report counts it from them.
            events.push(Event::FeePaid { on: paid });
        }
        Outcome::Disclosed if rng.chance(10) => {
            let sent = add_working_days(received, 3);
            events.push(Event::ConsultationSent { on: sent, party: Party::OtherAgency });
            events.push(Event::ConsultationAnswered {
                on: add_working_days(sent, rng.between(2, 8) as u32),
            });
        }
        _ => {}
    }
    if !lapses && rng.chance(12) {
        let requested = add_working_days(received, 14);
        events.push(Event::ExtensionRequested { on: requested });
        let regime = Regime::in_force_on(received).expect("demo dates are after 2008");
        let working_days = regime.max_extension_working_days();
        events.push(Event::ExtensionApproved { on: add_working_days(requested, 1), working_days });
    }
    if !lapses {
        // Reply within the period the clock gives, most well before the due date.
        let as_clock = clock::Application {
            intake: Intake::received_on(channel, received),
            regime: None,
            events: events.clone(),
        };
        let report = clock::evaluate(&as_clock, Calendar::builtin(), received)
            .expect("demo events are valid");
        let due = report.due.expect("a running period has a due date");
        let last_event = events.iter().map(Event::date).max().unwrap_or(received).max(received);
        let mut reply = add_working_days(last_event, rng.between(2, 12) as u32);
        if reply > due {
            reply = due;
        }
        events.push(Event::Replied { on: reply });
    }
    ApplicationRecord {
        tracking_number,
        applicant,
        intake: Intake::received_on(channel, received),
        regime: None,
        events,
        outcome: (!lapses).then_some(outcome),
    }
}

/// One synthetic year being added to the bureau's records, with the generator all its draws come from.
struct SyntheticYear<'r> {
    records: &'r mut AgencyRecords,
    rng: Rng,
    year: i32,
    days: Vec<Date>,
    code: String,
}

/// Adds `year` to the bureau's records; the sections draw from one generator, in this order.
fn add_year(records: &mut AgencyRecords, year: i32) {
    let rng = Rng::new(year as u64 * 7919);
    let days = working_days(year);
    let code = records.agency.as_ref().map(|agency| agency.code.clone()).unwrap_or_default();
    let mut synthetic = SyntheticYear { records, rng, year, days, code };
    let n_items = synthetic.add_catalog();
    synthetic.add_normative_documents(n_items);
    synthetic.repeal_older_documents();
    synthetic.add_applications();
    synthetic.add_reviews_and_lawsuits();
    synthetic.add_complaints();
    synthetic.add_responses();
    synthetic.add_organisation_changes();
    synthetic.add_funding_meetings_and_trainings();
    add_declared_figures(synthetic.records, &mut synthetic.rng, year);
    add_texts(synthetic.records, year);
}

impl SyntheticYear<'_> {
    /// Adds the year's catalog items, spread over its working days, and returns how many there are.
    fn add_catalog(&mut self) -> usize {
        let (year, code) = (self.year, &self.code);
        let n_items = self.rng.between(1_000, 1_300) as usize;
        for serial in 1..=n_items {
            let roll = self.rng.below(100);
            let category = match roll {
                0..=11 => "政策文件",
                12..=91 => "工作信息",
                92..=94 => "人事信息",
                _ => "媒体报道",
            };
            let published = self.days[(serial * self.days.len()) / (n_items + 1)];
            let channels = catalog_channels(&mut self.rng, category);
            self.records.catalog.push(CatalogItem {
                index_number: format!("{code}/{year}-{serial:05}"),
                title: titles::title(&mut self.rng, category, year, serial),
                category: category.to_owned(),
                formed: Some(published - time::Duration::days(2)),
                published,
                channels,
                normative: false,
            });
        }
        n_items
    }

    /// Adds the normative documents made this year, each published within 20 working days and catalogued.
    fn add_normative_documents(&mut self, n_items: usize) {
        let (year, code) = (self.year, &self.code);
        let n_made = self.rng.between(3, 8);
        for number in 1..=n_made {
            let made = self.days[self.rng.below(self.days.len() as u64 - 30) as usize];
            let published = add_working_days(made, self.rng.between(3, 15) as u32);
            let kind = if number == 1 && year % 3 == 0 {
                NormativeKind::Rule
            } else {
                NormativeKind::Document
            };
            let title = format!(
                "温州市司法局关于加强{}工作的规定",
                ["人民调解", "法律援助", "社区矫正", "公证", "律师"][number as usize % 5]
            );
            self.records.normative_documents.push(NormativeDocument {
                kind,
                number: format!("温司发〔{year}〕{number}号"),
                title: title.clone(),
                made,
                published: Some(published),
                repealed: None,
            });
            self.records.catalog.push(CatalogItem {
                index_number: format!("{code}/{year}-{:05}", n_items as u64 + number),
                title,
                category: "政策文件".to_owned(),
                formed: Some(made),
                published,
                channels: vec![PublishChannel::Website, PublishChannel::Gazette],
                normative: true,
            });
        }
    }

    /// Repeals one or two documents made at least two years earlier, in the middle of the year.
    fn repeal_older_documents(&mut self) {
        let year = self.year;
        let repeal_on = self.days[self.days.len() / 2];
        let mut to_repeal = self.rng.between(1, 2);
        for document in self.records.normative_documents.iter_mut() {
            if to_repeal > 0 && document.repealed.is_none() && document.made.year() <= year - 2 {
                document.repealed = Some(repeal_on);
                to_repeal -= 1;
            }
        }
    }

    /// Adds the year's applications: every outcome once, then mostly disclosures.
    fn add_applications(&mut self) {
        // Fee lapses only from 2021; the last few arrive in late December and are answered in January
        // (carried over).
        let year = self.year;
        let outcomes: Vec<Outcome> = OUTCOMES
            .iter()
            .copied()
            .filter(|outcome| {
                year >= 2021 || *outcome != Outcome::OtherHandling(OtherHandling::FeeNotPaid)
            })
            .collect();
        let n_applications = self.rng.between(50, 90) as usize;
        let december: Vec<Date> = self
            .days
            .iter()
            .copied()
            .filter(|day| day.month() == time::Month::December && day.day() >= 15)
            .collect();
        for index in 0..n_applications {
            let outcome = if index < outcomes.len() {
                outcomes[index]
            } else {
                *self.rng.pick(&[
                    Outcome::Disclosed,
                    Outcome::Disclosed,
                    Outcome::Disclosed,
                    Outcome::PartiallyDisclosed,
                    Outcome::AlreadyPublished,
                    Outcome::Unavailable(Unavailability::NotHeld),
                ])
            };
            let applicant = applicant_type(&mut self.rng, index);
            let received = if index + 4 >= n_applications {
                december[self.rng.below(december.len() as u64) as usize]
            } else {
                self.days[self.rng.below(self.days.len() as u64 - 25) as usize]
            };
            let record = application(&mut self.rng, year, index, received, outcome, applicant);
            self.records.applications.push(record);
        }
    }

    /// Adds reviews and lawsuits with every result in turn (some left pending), and 2021's joint suit.
    fn add_reviews_and_lawsuits(&mut self) {
        let year = self.year;
        let results =
            [Some(CaseResult::Upheld), Some(CaseResult::Corrected), Some(CaseResult::Other), None];
        for index in 0..self.rng.between(1, 3) {
            let filed = self.days[self.rng.below(self.days.len() as u64 - 60) as usize];
            let result = results[(index as usize + year as usize) % results.len()];
            self.records.reviews.push(Review {
                filed,
                application: Some(format!("{year}-YSQ-{:04}", index + 1)),
                decided: result.map(|result| (result, add_working_days(filed, 40))),
            });
        }
        for index in 0..self.rng.between(0, 2) {
            let filed = self.days[self.rng.below(self.days.len() as u64 - 90) as usize];
            let result = results[(index as usize + year as usize + 1) % results.len()];
            self.records.lawsuits.push(Lawsuit {
                filed,
                after_review: index % 2 == 1,
                as_review_organ: false,
                application: None,
                decided: result.map(|result| (result, add_working_days(filed, 60))),
            });
        }
        if year == 2021 {
            // Sued together with the original agency as the review organ: not counted (国办公开办函〔2016〕201号).
            self.records.lawsuits.push(Lawsuit {
                filed: date(2021, 6, 15),
                after_review: true,
                as_review_organ: true,
                application: None,
                decided: Some((CaseResult::Upheld, date(2021, 11, 3))),
            });
        }
    }

    /// Adds up to two complaints about late answers.
    fn add_complaints(&mut self) {
        for _ in 0..self.rng.between(0, 2) {
            self.records.complaints.push(Complaint {
                received: self.days[self.rng.below(self.days.len() as u64) as usize],
                summary: "反映信息公开答复不及时".to_owned(),
                application: None,
                concluded: None,
            });
        }
    }

    /// Adds responses and interpretations; some topics are answered through several channels (counted once).
    fn add_responses(&mut self) {
        let topics = ["法律援助申请条件", "社区矫正监管", "律师收费", "公证办理时限", "人民调解"];
        for (kind, low, high) in [
            (ResponseKind::PressConference, 1, 3),
            (ResponseKind::OnlineInterview, 1, 2),
            (ResponseKind::Interpretation, 4, 9),
            (ResponseKind::WeiboWechat, 2, 6),
            (ResponseKind::Other, 0, 2),
        ] {
            for _ in 0..self.rng.between(low, high) {
                let topic = (kind != ResponseKind::Interpretation)
                    .then(|| (*self.rng.pick(&topics)).to_owned());
                self.records.responses.push(Response {
                    date: self.days[self.rng.below(self.days.len() as u64) as usize],
                    kind,
                    topic,
                    head_attended: matches!(
                        kind,
                        ResponseKind::PressConference | ResponseKind::OnlineInterview
                    ) && self.rng.chance(50),
                });
            }
        }
    }

    /// Adds the staff member, office and reading point that arrive in 2019 and 2022.
    fn add_organisation_changes(&mut self) {
        if self.year == 2019 {
            self.records.staff.push(StaffAssignment {
                id: "staff-6".to_owned(),
                full_time: true,
                from: date(2019, 3, 1),
                to: None,
            });
            self.records.offices.push(Office {
                name: "政府信息公开办公室".to_owned(),
                from: date(2019, 3, 1),
                to: None,
            });
        }
        if self.year == 2022 {
            self.records.staff.push(StaffAssignment {
                id: "staff-7".to_owned(),
                full_time: true,
                from: date(2022, 7, 1),
                to: None,
            });
            self.records.reading_points.push(ReadingPoint {
                name: "市民中心查阅点".to_owned(),
                address: "温州市鹿城区市民中心".to_owned(),
                opened: date(2022, 4, 1),
                closed: None,
            });
        }
    }

    /// Adds the year's funding, its meetings and its trainings.
    fn add_funding_meetings_and_trainings(&mut self) {
        self.records.funding.push(Funding {
            year: self.year,
            amount_wan_yuan: Quantity::from_ten_thousandths(
                self.rng.between(15, 45) as i64 * 1_000,
            ),
        });
        for number in 0..self.rng.between(1, 3) {
            self.records.meetings.push(Meeting {
                date: self.days[(number as usize + 1) * 60],
                title: "政务公开工作专题会议".to_owned(),
            });
        }
        for number in 0..self.rng.between(2, 4) {
            self.records.trainings.push(Training {
                date: self.days[(number as usize + 1) * 45],
                title: "政府信息公开业务培训".to_owned(),
                trainees: self.rng.between(30, 80) as u32,
            });
        }
    }
}

/// The channels of a catalog item of `category`: always the website, some also elsewhere.
fn catalog_channels(rng: &mut Rng, category: &str) -> Vec<PublishChannel> {
    let mut channels = vec![PublishChannel::Website];
    if category == "政策文件" && rng.chance(10) {
        channels.push(PublishChannel::Gazette);
    }
    if category == "媒体报道" {
        channels.push(PublishChannel::Other);
    }
    if category == "工作信息" {
        if rng.chance(6) {
            channels.push(PublishChannel::Weibo);
        }
        if rng.chance(18) {
            channels.push(PublishChannel::Wechat);
        }
    }
    channels
}

/// The applicant of the `index`th application: every type twice first, then mostly natural persons.
fn applicant_type(rng: &mut Rng, index: usize) -> ApplicantType {
    if index < ApplicantType::ALL.len() * 2 {
        ApplicantType::ALL[index % ApplicantType::ALL.len()]
    } else if rng.chance(70) {
        ApplicantType::Natural
    } else {
        *rng.pick(&ApplicantType::ALL)
    }
}

/// Adds the figures of `year` that come from other systems, with their source.
fn add_declared_figures(records: &mut AgencyRecords, rng: &mut Rng, year: i32) {
    let source = "温州市司法局行政审批和执法办案系统年度统计".to_owned();
    let mut declare = |measure: &str, value: Quantity| {
        records.declared.push(DeclaredFigure {
            year,
            measure: measure.to_owned(),
            value,
            source: source.clone(),
        });
    };
    if year <= 2020 {
        declare("declared.licensing.items_last_year", Quantity::count(12));
        declare(
            "declared.licensing.items_change",
            Quantity::count(if year == 2019 { 0 } else { -1 }),
        );
        declare("declared.licensing.decisions", Quantity::count(rng.between(300, 600) as i64));
        declare("declared.other_services.items_last_year", Quantity::count(8));
        declare("declared.other_services.items_change", Quantity::count(1));
        declare("declared.other_services.decisions", Quantity::count(rng.between(50, 120) as i64));
        declare("declared.penalty.items_last_year", Quantity::count(30));
        declare("declared.penalty.items_change", Quantity::count(2));
        declare("declared.penalty.decisions", Quantity::count(rng.between(5, 20) as i64));
        declare("declared.enforcement.items_last_year", Quantity::count(0));
        declare("declared.enforcement.items_change", Quantity::count(0));
        declare("declared.enforcement.decisions", Quantity::count(0));
        declare("declared.fees.items_last_year", Quantity::count(2));
        declare("declared.fees.items_change", Quantity::count(0));
        declare("declared.procurement.items", Quantity::count(rng.between(3, 9) as i64));
        declare(
            "declared.procurement.amount",
            Quantity::from_ten_thousandths(rng.between(500_000, 2_000_000) as i64),
        );
    } else {
        declare("declared.licensing.decisions", Quantity::count(rng.between(300, 600) as i64));
        declare("declared.penalty.decisions", Quantity::count(rng.between(5, 20) as i64));
        declare("declared.enforcement.decisions", Quantity::count(0));
        declare(
            "declared.fees.amount",
            Quantity::from_ten_thousandths(rng.between(0, 3_000) as i64 * 10),
        );
    }
}

/// Adds the staff's texts of `year`: the overview, the problems and the other matters.
fn add_texts(records: &mut AgencyRecords, year: i32) {
    records.texts.push(StaffText {
        year,
        section: Content::Overview,
        paragraphs: vec![format!(
            "{year}年，我局坚持以公开为常态、不公开为例外，围绕公共法律服务、行政执法监督等重点领域深化政务公开，依法规范办理政府信息公开申请。"
        )],
    });
    records.texts.push(StaffText {
        year,
        section: Content::Problems,
        paragraphs: vec![
            "存在的主要问题：部分业务处室主动公开意识仍需加强，政策解读形式较为单一，依申请公开办理的规范化水平有待提高。".to_owned(),
            "一是落实公开属性源头认定，做到应公开尽公开。".to_owned(),
            "二是丰富政策解读形式，提高图解、视频解读比例。".to_owned(),
            "三是加强依申请公开答复文书审核，提升办理质量。".to_owned(),
        ],
    });
    records.texts.push(StaffText {
        year,
        section: Content::Other,
        paragraphs: vec!["本年度无其他需要报告的事项。".to_owned()],
    });
}

pub(crate) fn add(records: &mut AgencyRecords, years: RangeInclusive<i32>) {
    for year in years {
        add_year(records, year);
    }
}
