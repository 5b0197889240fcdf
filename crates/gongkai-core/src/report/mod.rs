//! The annual report (政府信息公开工作年度报告), derived from records so that it cannot contradict itself.
//!
//! [`crate::records`] ──[`derive::measures`]──▶ measures ──[`derive::fill`] with a [`format::Format`]──▶ table cells
//!                                        └──[`text::sections`]──▶ narrative
//! cells (+ last year's) ──[`rules::check`]──▶ findings
//!
//! The same [`rules::check`] runs on tables people typed in (the auditor), so a generated report and an
//! audited one are held to one standard.

pub mod derive;
pub mod format;
pub mod measure;
pub mod rollup;
pub mod rules;
pub mod text;
pub mod values;

use serde::Serialize;
use time::Date;

use crate::calendar::Calendar;
use crate::records::{self, Agency, AgencyRecords};
use format::FormatId;
use rules::Finding;
use text::SectionText;
use values::TableValues;

/// The signature block (单位负责人, 审核人, 填报人, 联系电话, 填报日期) as roles; filled by the sign-off workflow.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct SignOff {
    pub head: Option<String>,
    pub reviewer: Option<String>,
    pub preparer: Option<String>,
    pub phone: Option<String>,
    pub date: Option<Date>,
}

/// A derived annual report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub format: FormatId,
    pub year: i32,
    pub agency: Agency,
    pub title: String,
    pub values: TableValues,
    /// Proactive items by catalog category (figure 1), in the agency's order.
    pub categories: Vec<(String, u64)>,
    pub sections: Vec<SectionText>,
    pub findings: Vec<Finding>,
    /// Records that could not be counted as they are, in Chinese.
    pub record_problems: Vec<String>,
    pub sign_off: SignOff,
}

/// Why a report cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the records name no agency")]
    NoAgency,
    #[error("report year {year} is out of range (2008–2100)")]
    YearOutOfRange { year: i32 },
}

/// The day the report of `year` must be published by (2019 条例 art. 49): a department of a people's
/// government by January 31 of the next year ("县级以上人民政府部门应当在每年1月31日前……向社会公布"), a
/// government's by March 31 ("县级以上地方人民政府的政府信息公开工作主管部门应当在每年3月31日前向社会公布本级
/// 政府上一年度政府信息公开工作年度报告"). Reports of years before 2019 follow the 2007 条例 (art. 31: March 31
/// for every agency; marked unverified [U] in gip-rules.md, we rely on it).
pub fn publication_deadline(kind: records::AgencyKind, year: i32) -> Option<time::Date> {
    let (month, day) = match kind {
        records::AgencyKind::Department if year >= 2019 => (time::Month::January, 31),
        _ => (time::Month::March, 31),
    };
    time::Date::from_calendar_date(year + 1, month, day).ok()
}

/// The report title as agencies publish it.
pub fn title(agency: &str, year: i32, format: FormatId) -> String {
    match format {
        FormatId::Pre2019 => format!("{agency}{year}年度政府信息公开工作报告"),
        _ => format!("{agency}{year}年政府信息公开工作年度报告"),
    }
}

/// Derives only the table values of `year` in `format` (what a cross-year check or a roll-up needs).
pub fn table_values(
    records: &AgencyRecords,
    year: i32,
    format: FormatId,
    calendar: &Calendar,
) -> TableValues {
    let (measures, _) = derive::measures(records, year, calendar);
    derive::fill(format.format(), &measures)
}

/// Builds the report of `year` from `records`, in `format` or the format of the year, and checks it
/// (including against last year's table, derived from the same records).
pub fn build(
    records: &AgencyRecords,
    year: i32,
    format: Option<FormatId>,
    calendar: &Calendar,
) -> Result<Report, ReportError> {
    build_after(records, year, format, calendar, None)
}

/// [`build`], with the cross-year rules (上年结转 = last year's 结转下年度, and the other carry-overs the format
/// defines) checked against `last_year` when given: the table of the year before as the agency published
/// it before it came on the platform (a 历史报告's figures), where the records hold nothing of that year.
pub fn build_after(
    records: &AgencyRecords,
    year: i32,
    format: Option<FormatId>,
    calendar: &Calendar,
    last_year: Option<&TableValues>,
) -> Result<Report, ReportError> {
    build_for(records, year, format, calendar, last_year, text::Subject::Agency)
}

/// [`build_after`], its narrative spoken for `subject` (a region's roll-up speaks of its members' sums).
pub(crate) fn build_for(
    records: &AgencyRecords,
    year: i32,
    format: Option<FormatId>,
    calendar: &Calendar,
    last_year: Option<&TableValues>,
    subject: text::Subject,
) -> Result<Report, ReportError> {
    if !(2008..=2100).contains(&year) {
        return Err(ReportError::YearOutOfRange { year });
    }
    let agency = records.agency.clone().ok_or(ReportError::NoAgency)?;
    let format_id = format.unwrap_or_else(|| FormatId::for_year(year));
    let definition = format_id.format();
    let (measures, extras) = derive::measures(records, year, calendar);
    let values = derive::fill(definition, &measures);
    let derived;
    let previous = match last_year {
        Some(published) => published,
        None => {
            derived = table_values(records, year - 1, FormatId::for_year(year - 1), calendar);
            &derived
        }
    };
    let findings = rules::check(definition, &values, Some(previous));
    let sections =
        text::sections(definition, year, subject, &agency.name, &measures, &extras, records);
    Ok(Report {
        format: format_id,
        year,
        title: title(&agency.name, year, format_id),
        sign_off: SignOff { phone: Some(agency.phone.clone()), ..SignOff::default() },
        agency,
        values,
        categories: extras.categories.clone(),
        sections,
        findings,
        record_problems: extras.record_problems,
    })
}

#[cfg(test)]
mod deadline_tests {
    use time::macros::date;

    use super::publication_deadline;
    use crate::records::AgencyKind;

    #[test]
    fn departments_publish_by_january_31_and_governments_by_march_31() {
        // 2019 条例 art. 49: the 2025 report of a department is due 2026-01-31, a government's 2026-03-31.
        assert_eq!(publication_deadline(AgencyKind::Department, 2025), Some(date!(2026 - 01 - 31)));
        assert_eq!(publication_deadline(AgencyKind::Government, 2025), Some(date!(2026 - 03 - 31)));
        // 2007 条例 art. 31: March 31 for everyone.
        assert_eq!(publication_deadline(AgencyKind::Department, 2018), Some(date!(2019 - 03 - 31)));
    }
}

#[cfg(test)]
mod carry_over_tests {
    use time::macros::date;

    use super::values::{CellKey, Quantity, TableValues};
    use super::{build, build_after};
    use crate::calendar::Calendar;
    use crate::clock::Event;
    use crate::records::{Agency, AgencyKind, AgencyRecords, ApplicantType, ApplicationRecord};
    use crate::regime::{Channel, Intake};

    /// The first year on the platform: two applications received in December 2025 were still open at the
    /// year's end, so 2026's 上年结转 is 2. The records hold nothing else of 2025, so only the report the
    /// agency published for 2025 can say whether that agrees with its 结转下年度.
    fn first_year() -> AgencyRecords {
        let application = |number: &str| ApplicationRecord {
            tracking_number: number.to_owned(),
            applicant: ApplicantType::Natural,
            intake: Intake::received_on(Channel::Online, date!(2025 - 12 - 29)),
            regime: None,
            events: vec![Event::Replied { on: date!(2026 - 01 - 09) }],
            outcome: Some(crate::records::Outcome::Disclosed),
        };
        AgencyRecords {
            agency: Some(Agency {
                code: "T".to_owned(),
                name: "测试局".to_owned(),
                kind: AgencyKind::Department,
                office: String::new(),
                phone: String::new(),
            }),
            applications: vec![application("A"), application("B")],
            ..AgencyRecords::default()
        }
    }

    fn published_2025(carried_out: i64) -> TableValues {
        let mut values = TableValues::default();
        values.set(CellKey::new("t3", "carried_out", "total"), Some(Quantity::count(carried_out)));
        values
            .set(CellKey::new("t3", "carried_out", "natural"), Some(Quantity::count(carried_out)));
        values
    }

    fn carry_over_findings(report: &super::Report) -> usize {
        report.findings.iter().filter(|finding| finding.rule == "t3.carry_over").count()
    }

    #[test]
    fn the_first_year_is_checked_against_the_report_published_before_the_platform() {
        let records = first_year();
        let calendar = Calendar::builtin();
        // Against the agency's 2025 report: it said 2 carried over, as the records do — no finding.
        let agreeing =
            build_after(&records, 2026, None, calendar, Some(&published_2025(2))).unwrap();
        assert_eq!(carry_over_findings(&agreeing), 0);
        // It said 5: the 2026 report's 上年结转 of 2 contradicts it, in both columns.
        let contradicting =
            build_after(&records, 2026, None, calendar, Some(&published_2025(5))).unwrap();
        assert_eq!(carry_over_findings(&contradicting), 2, "{:#?}", contradicting.findings);
        // Without it, last year is derived from the records, which agree with themselves.
        assert_eq!(carry_over_findings(&build(&records, 2026, None, calendar).unwrap()), 0);
    }
}
