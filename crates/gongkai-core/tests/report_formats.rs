//! The three official formats: they load, every label is pinned (snapshot), and the labels match the
//! reference notes (gip-rules.md) and the founding document's annex when ../shared is present.

use std::fmt::Write as _;
use std::path::PathBuf;

use gongkai_core::report::format::{Format, FormatId};

fn shared(path: &str) -> Option<String> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared").join(path);
    match std::fs::read_to_string(&file) {
        Ok(text) => Some(text),
        Err(_) => {
            assert!(std::env::var_os("CI").is_none(), "CI must provide {}", file.display());
            None
        }
    }
}

/// Every label of a format, in order, as a readable listing.
fn listing(format: &Format) -> String {
    let mut out = String::new();
    writeln!(out, "{} {} ({})", format.id, format.name, format.notice).unwrap();
    for section in &format.sections {
        writeln!(
            out,
            "section {}、{} {:?} tables={:?}",
            section.number, section.title, section.content, section.tables
        )
        .unwrap();
    }
    for table in &format.tables {
        writeln!(out, "table {} {}", table.id, table.title).unwrap();
        for block in &table.blocks {
            if let Some(heading) = &block.heading {
                writeln!(out, "  block {heading}").unwrap();
            }
            for header_row in block.header_rows() {
                let cells: Vec<String> = header_row
                    .iter()
                    .map(|cell| format!("{}[{}x{}]", cell.label, cell.colspan, cell.rowspan))
                    .collect();
                writeln!(out, "    header {}", cells.join(" | ")).unwrap();
            }
            for column in &block.columns {
                writeln!(
                    out,
                    "    column {} = {} ({})",
                    column.key,
                    column.label,
                    column.unit.as_deref().unwrap_or("")
                )
                .unwrap();
            }
            for row in &block.rows {
                let indent = "  ".repeat(usize::from(row.level));
                let unit = row.unit.as_deref().map(|unit| format!(" [{unit}]")).unwrap_or_default();
                let note = row.note.as_deref().unwrap_or("");
                let group = if row.group { " (group)" } else { "" };
                writeln!(out, "    row {indent}{}{note}{unit}{group}", row.label).unwrap();
            }
        }
    }
    for rule in &format.rules {
        writeln!(out, "rule {} [{:?}] {}", rule.id, rule.severity, rule.description).unwrap();
    }
    out
}

#[test]
fn labels_of_the_pre2019_format_are_pinned() {
    insta::assert_snapshot!(listing(FormatId::Pre2019.format()));
}

#[test]
fn labels_of_the_2019_format_are_pinned() {
    insta::assert_snapshot!(listing(FormatId::F2019.format()));
}

#[test]
fn labels_of_the_2021_format_are_pinned() {
    insta::assert_snapshot!(listing(FormatId::F2021.format()));
}

#[test]
fn format_follows_the_report_year() {
    assert_eq!(FormatId::for_year(2018), FormatId::Pre2019);
    assert_eq!(FormatId::for_year(2019), FormatId::F2019);
    assert_eq!(FormatId::for_year(2020), FormatId::F2019);
    assert_eq!(FormatId::for_year(2021), FormatId::F2021);
    assert_eq!(FormatId::for_year(2026), FormatId::F2021);
}

/// Normalises quotes and spacing the way gip-rules.md writes labels.
fn normalise(text: &str) -> String {
    text.replace(['“', '”'], "\"").chars().filter(|c| !c.is_whitespace() && *c != '　').collect()
}

#[test]
fn every_2019_and_2021_label_appears_in_the_reference_notes() {
    let Some(rules) = shared("reference/gip-rules.md") else { return };
    let reference = normalise(&rules);
    for id in [FormatId::F2019, FormatId::F2021] {
        let format = id.format();
        let mut labels: Vec<String> = Vec::new();
        for table in &format.tables {
            for block in &table.blocks {
                labels.extend(block.heading.clone());
                // Table 四's column labels are "group value" pairs made for messages; its header carries the labels.
                labels.extend(
                    block
                        .columns
                        .iter()
                        .filter(|c| !c.label.contains(' '))
                        .map(|c| c.label.clone()),
                );
                labels.extend(
                    block
                        .rows
                        .iter()
                        .filter(|row| !row.label.is_empty())
                        .map(|row| row.label.clone()),
                );
                labels.extend(block.header_rows().into_iter().flatten().map(|cell| cell.label));
            }
        }
        labels.extend(
            format.sections.iter().map(|section| format!("{}、{}", section.number, section.title)),
        );
        for label in labels {
            assert!(
                reference.contains(&normalise(&label)),
                "{id}: `{label}` is not in gip-rules.md"
            );
        }
    }
}

#[test]
fn every_pre2019_label_appears_in_the_founding_document() {
    let Some(seed) = shared("seed/000_17fc34caf249113f.txt") else { return };
    let reference = normalise(&seed);
    let format = FormatId::Pre2019.format();
    for table in &format.tables {
        for block in &table.blocks {
            for row in &block.rows {
                let label = format!("{}{}", row.label, row.note.as_deref().unwrap_or(""));
                assert!(
                    reference.contains(&normalise(&label)),
                    "`{label}` is not in the seed's annex"
                );
                let unit_and_label =
                    format!("{}{}", normalise(&label), row.unit.as_deref().unwrap_or(""));
                assert!(
                    reference.contains(&unit_and_label),
                    "`{label}` has another unit in the seed"
                );
            }
        }
    }
    for section in &format.sections {
        assert!(
            reference.contains(&normalise(&section.title)),
            "section `{}` is not in the seed",
            section.title
        );
    }
}

#[test]
fn the_2021_results_have_21_leaves_and_the_2019_results_19() {
    for (id, leaves) in [(FormatId::F2021, 21), (FormatId::F2019, 19)] {
        let table = id.format().table("t3").unwrap();
        let rows = &table.blocks[0].rows;
        let start = rows.iter().position(|row| row.key == "results").unwrap();
        let end = rows.iter().position(|row| row.key == "total").unwrap();
        let count = rows[start + 1..end].iter().filter(|row| !row.group).count();
        assert_eq!(count, leaves, "{id}");
    }
}
