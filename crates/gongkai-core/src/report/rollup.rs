//! The roll-up report of a region (汇总): one report for a government and every agency below it, in the
//! year's format, derived from all their records at once — so every figure is the exact sum of the
//! agencies' figures by construction, and the region's tables obey the same rules. An agency that has not
//! published its own report of the year gets a finding: its figures are in the sum as the records say, not
//! as it reported them.

use std::collections::BTreeMap;

use super::format::Severity;
use super::rules::Finding;
use super::values::Quantity;
use super::{Report, ReportError};
use crate::calendar::Calendar;
use crate::records::{Agency, AgencyRecords, DeclaredFigure};

/// One agency of the region: its records and whether it published its report of the year.
#[derive(Debug, Clone)]
pub struct Member {
    pub records: AgencyRecords,
    pub published: bool,
}

/// All members' records as one agency's: lists concatenated; declared figures summed per year and measure
/// (each agency declares its own; the region's figure is their sum); staff-written paragraphs dropped (the
/// region's narrative is its own).
pub fn merge(region: Agency, members: impl IntoIterator<Item = AgencyRecords>) -> AgencyRecords {
    let mut merged = AgencyRecords { agency: Some(region), ..AgencyRecords::default() };
    let mut declared: BTreeMap<(i32, String), (Quantity, Vec<String>)> = BTreeMap::new();
    for records in members {
        merged.catalog.extend(records.catalog);
        merged.catalog_tallies.extend(records.catalog_tallies);
        merged.normative_documents.extend(records.normative_documents);
        merged.applications.extend(records.applications);
        merged.reviews.extend(records.reviews);
        merged.lawsuits.extend(records.lawsuits);
        merged.complaints.extend(records.complaints);
        merged.responses.extend(records.responses);
        merged.staff.extend(records.staff);
        merged.offices.extend(records.offices);
        merged.reading_points.extend(records.reading_points);
        merged.funding.extend(records.funding);
        merged.meetings.extend(records.meetings);
        merged.trainings.extend(records.trainings);
        merged.fees.extend(records.fees);
        for figure in records.declared {
            let entry = declared
                .entry((figure.year, figure.measure))
                .or_insert((Quantity::ZERO, Vec::new()));
            entry.0 = entry.0 + figure.value;
            if !entry.1.contains(&figure.source) {
                entry.1.push(figure.source);
            }
        }
    }
    merged.declared = declared
        .into_iter()
        .map(|((year, measure), (value, sources))| DeclaredFigure {
            year,
            measure,
            value,
            source: sources.join("；"),
        })
        .collect();
    merged
}

/// The region's report of `year`: the members' records merged and derived as one, plus a finding for each
/// member (named by its agency) that has not published its own report of the year.
pub fn build(
    region: Agency,
    members: Vec<Member>,
    year: i32,
    calendar: &Calendar,
) -> Result<Report, ReportError> {
    let unreported: Vec<String> = members
        .iter()
        .filter(|member| !member.published)
        .map(|member| {
            member.records.agency.as_ref().map_or_else(String::new, |agency| agency.name.clone())
        })
        .collect();
    let count = members.len();
    let merged = merge(region, members.into_iter().map(|member| member.records));
    let subject = super::text::Subject::Region { members: count };
    let mut report = super::build_for(&merged, year, None, calendar, None, subject)?;
    for name in unreported {
        report.findings.push(Finding {
            rule: "rollup.unreported".to_owned(),
            description: format!(
                "{name}尚未公开{year}年度报告，汇总中其数据为系统根据记录计算的数据"
            ),
            source: "《中华人民共和国政府信息公开条例》第四十九条".to_owned(),
            severity: Severity::Warning,
            location: name,
            cells: Vec::new(),
            expected: Quantity::ZERO,
            found: Quantity::ZERO,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::records::{AgencyKind, CatalogItem, CatalogTally, PublishChannel};

    fn agency(code: &str, name: &str) -> Agency {
        Agency {
            code: code.to_owned(),
            name: name.to_owned(),
            kind: AgencyKind::Department,
            office: String::new(),
            phone: String::new(),
        }
    }

    fn records(code: &str, name: &str, items: usize, declared: i64) -> AgencyRecords {
        AgencyRecords {
            agency: Some(agency(code, name)),
            catalog: (0..items)
                .map(|n| CatalogItem {
                    index_number: format!("{code}/2025-{n:05}"),
                    title: format!("{name}信息{n}"),
                    category: "通知公告".to_owned(),
                    formed: None,
                    published: date!(2025 - 03 - 01),
                    channels: vec![PublishChannel::Website],
                    normative: false,
                })
                .collect(),
            declared: vec![DeclaredFigure {
                year: 2025,
                measure: "declared.licensing.decisions".to_owned(),
                value: Quantity::count(declared),
                source: format!("{name}系统"),
            }],
            ..AgencyRecords::default()
        }
    }

    #[test]
    fn a_tally_of_the_items_gives_the_report_of_the_items() {
        let calendar = Calendar::builtin();
        // One year of each report format; a sixth of the items fall in the year before.
        for year in [2016, 2019, 2025] {
            let mut records = records("A", "甲局", 40, 3);
            for (n, item) in records.catalog.iter_mut().enumerate() {
                item.category = ["通知公告", "人事信息", "财政信息"][n % 7 % 3].to_owned();
                item.normative = n % 5 == 0;
                item.channels = match n % 4 {
                    0 => vec![PublishChannel::Website, PublishChannel::Wechat],
                    1 => vec![PublishChannel::Gazette],
                    2 => vec![],
                    _ => {
                        vec![PublishChannel::Weibo, PublishChannel::Other, PublishChannel::Website]
                    }
                };
                let in_year = n % 6 != 0;
                item.published = time::Date::from_calendar_date(
                    if in_year { year } else { year - 1 },
                    time::Month::March,
                    1 + (n % 28) as u8,
                )
                .unwrap();
            }
            let tally = CatalogTally::of(year, &records.catalog);
            assert_eq!(tally.total(), 40 - 7, "items of the year before are not in the tally");
            assert_eq!(tally.categories[0].0, "人事信息", "item 0 is of the year before");
            let tallied = AgencyRecords {
                catalog: Vec::new(),
                catalog_tallies: vec![tally, CatalogTally::of(year - 1, &records.catalog)],
                ..records.clone()
            };
            let items = super::super::build(&records, year, None, calendar).unwrap();
            let tallies = super::super::build(&tallied, year, None, calendar).unwrap();
            assert_eq!(items.values, tallies.values, "{year}");
            assert_eq!(items.categories, tallies.categories, "{year}");
            assert_eq!(items.sections, tallies.sections, "{year}");
            assert_eq!(items.findings, tallies.findings, "{year}");
        }
    }

    #[test]
    fn the_region_is_the_sum_of_its_agencies() {
        let calendar = Calendar::builtin();
        let a = records("A", "甲局", 3, 10);
        let b = records("B", "乙局", 5, 7);
        let region = Agency { kind: AgencyKind::Government, ..agency("ZF", "某市人民政府") };
        let alone_a = super::super::build(&a, 2025, None, calendar).unwrap();
        let alone_b = super::super::build(&b, 2025, None, calendar).unwrap();
        let members =
            vec![Member { records: a, published: true }, Member { records: b, published: false }];
        let report = build(region, members, 2025, calendar).unwrap();
        // Every cell is the sum of the two agencies' cells.
        for (key, value) in report.values.iter() {
            let left = alone_a.values.get(&key.table, &key.row, &key.column);
            let right = alone_b.values.get(&key.table, &key.row, &key.column);
            let expected = match (left, right) {
                (None, None) => None,
                (left, right) => {
                    Some(left.unwrap_or(Quantity::ZERO) + right.unwrap_or(Quantity::ZERO))
                }
            };
            assert_eq!(*value, expected, "{key:?}");
        }
        let declared =
            report.values.iter().find(|(key, _)| key.row == "licensing").map(|(_, value)| *value);
        assert_eq!(declared, Some(Some(Quantity::count(17))), "10 + 7");
        // Only the unpublished agency is named; otherwise the region's tables are consistent.
        let unreported: Vec<&str> = report
            .findings
            .iter()
            .filter(|finding| finding.rule == "rollup.unreported")
            .map(|f| f.location.as_str())
            .collect();
        assert_eq!(unreported, ["乙局"]);
        assert_eq!(report.findings.len(), 1, "{:?}", report.findings);
        assert!(!report.findings[0].compares(), "a note, not a comparison of cells");
        assert!(report.title.contains("某市人民政府"));
    }

    /// Issue #20: the region's narrative gives the region's sums and the number of its agencies, and never
    /// speaks of one member as "本机关" (a member's staff, trainings or data sources as the city's).
    #[test]
    fn the_region_speaks_of_its_agencies_never_of_one_as_itself() {
        let calendar = Calendar::builtin();
        let mut a = records("A", "甲局", 3, 10);
        a.staff.push(crate::records::StaffAssignment {
            id: "a-1".to_owned(),
            full_time: true,
            from: time::Date::from_calendar_date(2020, time::Month::January, 1).unwrap(),
            to: None,
        });
        let b = records("B", "乙局", 5, 7);
        let region = Agency { kind: AgencyKind::Government, ..agency("ZF", "某市人民政府") };
        let members =
            vec![Member { records: a, published: true }, Member { records: b, published: true }];
        let report = build(region, members, 2025, calendar).unwrap();
        let text: Vec<&str> = report
            .sections
            .iter()
            .flat_map(|section| section.paragraphs.iter().map(|paragraph| paragraph.text.as_str()))
            .collect();
        let all = text.join("\n");
        assert!(!all.contains("本机关"), "{all}");
        assert!(all.contains("2025年，本区域2个单位共主动公开政府信息8条。"), "{all}");
        assert!(all.contains("本区域2个单位从事政府信息公开工作人员共1人"), "{all}");
        assert!(all.contains("为各单位相关业务系统统计填报数据的合计"), "{all}");
        assert!(!all.contains("甲局系统"), "no member's data source as the region's: {all}");
        assert!(
            !all.contains("将重点做好以下工作"),
            "no lead-in to improvements nobody wrote: {all}"
        );
        assert!(
            all.contains("见各单位公布的本年度政府信息公开工作年度报告"),
            "the problems' section is not empty: {all}"
        );
    }
}
