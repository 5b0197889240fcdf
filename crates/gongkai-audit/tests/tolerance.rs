//! A report as people make them: a generated 2021 report edited the way hand-made reports differ (label
//! variants and typos, annotations in labels, an extra local row, full-width digits, 元 under a 万元 column
//! with a thousands separator, "无" and "/" for cells not filled). It reads back to the same figures, the
//! marks read as *not filled*, the local row is named, and nothing is reported.

use gongkai_audit::audit;
use gongkai_core::calendar::Calendar;
use gongkai_core::report;
use gongkai_core::report::format::FormatId;
use gongkai_core::report::values::Quantity;
use gongkai_render::{Output, render};

/// Replaces the text of the value cell `key` (`table/row/column`) in the generated HTML.
fn set_cell(html: &str, key: &str, text: &str) -> String {
    let marker = format!("data-cell=\"{key}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("cell {key}")) + marker.len();
    let end = start + html[start..].find("</td>").unwrap();
    format!("{}{text}{}", &html[..start], &html[end..])
}

fn full_width(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_ascii_digit() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
        .collect()
}

#[test]
fn a_hand_made_looking_report_reads_back_to_its_figures() {
    let records = gongkai_demo::wenzhou_justice();
    let report = report::build(&records, 2021, None, Calendar::builtin()).unwrap();
    assert!(report.findings.is_empty());
    let mut html = String::from_utf8(render(&report, Output::Html).unwrap()).unwrap();
    let value = |key: &str| {
        let parts: Vec<&str> = key.split('/').collect();
        report.values.get(parts[0], parts[1], parts[2])
    };

    // Label variants and typos seen in real reports, and a local annotation.
    for (from, to) in [
        ("只计这一情形", "只计这一情况"),
        ("5.属于三类内部事务信息", "５．属于三类内容事务信息"),
        ("（一）予以公开<", "（一）予以公开（含依申请公开后主动公开）<"),
    ] {
        assert!(html.contains(from), "{from}");
        html = html.replacen(from, to, 1);
    }
    // An extra local row after 一、本年新收.
    let new_row_end = html.find("data-cell=\"t3/new/total\"").unwrap();
    let insert_at = new_row_end + html[new_row_end..].find("</tr>").unwrap() + "</tr>".len();
    html.insert_str(
        insert_at,
        "<tr><th colspan=\"3\">其中：通过政务服务网收到</th><td>1</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td></tr>",
    );
    // Full-width digits.
    let total = value("t3/new/total").unwrap().to_string();
    html = set_cell(&html, "t3/new/total", &full_width(&total));
    // 元 with a thousands separator under the 万元 column.
    let fees = value("t2/fees/amount").expect("the demo declares fees");
    let yuan = fees.ten_thousandths();
    let with_separator = format!("{},{:03}元", yuan / 1000, yuan % 1000);
    assert!(yuan >= 1000, "fees of {yuan} 元 need no separator");
    html = set_cell(&html, "t2/fees/amount", &with_separator);
    // Marks of a cell not filled, on two cells that are 0.
    let zeros: Vec<String> = report
        .values
        .iter()
        .filter(|(key, value)| {
            key.table == "t3" && key.column == "research" && **value == Some(Quantity::ZERO)
        })
        .map(|(key, _)| key.to_string())
        .take(2)
        .collect();
    assert_eq!(zeros.len(), 2);
    html = set_cell(&html, &zeros[0], "无");
    html = set_cell(&html, &zeros[1], "/");

    let audited = audit(html.as_bytes(), None).unwrap();
    assert_eq!(audited.format, FormatId::F2021);
    assert!(audited.findings.is_empty(), "{:#?}", audited.findings);
    for (key, expected) in report.values.iter() {
        let read = audited.mapping.values.get(&key.table, &key.row, &key.column);
        if zeros.contains(&key.to_string()) {
            assert_eq!(read, None, "{key}: a mark reads as not filled");
        } else {
            assert_eq!(read, *expected, "{key}");
        }
    }
    let t3 = audited.tables.iter().find(|table| table.id == "t3").unwrap();
    assert_eq!(t3.unmatched_rows.len(), 1, "{:?}", t3.unmatched_rows);
    assert!(t3.unmatched_rows[0].starts_with("其中：通过政务服务网收到"));
    assert!(t3.missing_rows.is_empty());
}

/// The JSON's account of each table: how it was laid out, the rows found of those expected, the column
/// cross-check, and how sure the mapping is — for the demo's own report, every table complete.
#[test]
fn each_table_says_how_it_was_read_and_how_sure_the_mapping_is() {
    let records = gongkai_demo::wenzhou_justice();
    let report = report::build(&records, 2021, None, Calendar::builtin()).unwrap();
    let html = render(&report, Output::Html).unwrap();
    let audited = audit(&html, None).unwrap();
    for table in &audited.tables {
        let reading = &table.reading;
        assert_eq!((reading.layout, reading.mapping), ("cells", "complete"), "{table:?}");
        assert_eq!(reading.rows_found, reading.rows_expected, "{table:?}");
        assert_eq!(reading.column_check_held, reading.column_check_rows, "{table:?}");
    }
    let t3 = audited.tables.iter().find(|table| table.id == "t3").unwrap();
    assert!(t3.reading.column_check_rows >= 20, "{:?}", t3.reading);
    let json = serde_json::to_string(&audited).unwrap();
    assert!(json.contains(r#""mapping":"complete""#), "{json}");
}

/// A table read with its columns shifted (each row's values one column to the left, 自然人's under 总计):
/// the cross-check of 总计 against the other columns fails on most rows, so the table is not read and says
/// why — before, every row's total disagreed and a dozen false findings followed.
#[test]
fn a_table_read_with_its_columns_shifted_is_not_read() {
    let records = gongkai_demo::wenzhou_justice();
    let report = report::build(&records, 2021, None, Calendar::builtin()).unwrap();
    let mut html = String::from_utf8(render(&report, Output::Html).unwrap()).unwrap();
    let columns =
        ["natural", "business", "research", "public_interest", "legal_service", "other", "total"];
    let rows: std::collections::BTreeSet<String> = report
        .values
        .iter()
        .filter(|(key, _)| key.table == "t3")
        .map(|(key, _)| key.row.clone())
        .collect();
    for row in &rows {
        let text = |column: &str| {
            report.values.get("t3", row, column).map(|value| value.to_string()).unwrap_or_default()
        };
        let shifted: Vec<String> =
            (0..columns.len()).map(|at| text(columns[(at + 1) % columns.len()])).collect();
        for (column, value) in columns.iter().zip(&shifted) {
            html = set_cell(&html, &format!("t3/{row}/{column}"), value);
        }
    }
    match audit(html.as_bytes(), None) {
        Ok(audited) => {
            assert!(
                audited.findings.iter().all(|finding| !finding.rule.starts_with("t3.")),
                "{:#?}",
                audited.findings
            );
            let t3 = audited.tables.iter().find(|table| table.id == "t3").unwrap();
            assert!(
                t3.not_read.iter().any(|reason| reason.contains("各列的对应可能有误")),
                "{t3:?}"
            );
            // The JSON says so, with the check's figures.
            assert_eq!(t3.reading.mapping, "not read");
            assert!(t3.reading.column_check_held * 2 < t3.reading.column_check_rows, "{t3:?}");
        }
        Err(gongkai_audit::AuditError::NoTable { not_read, .. }) => assert!(
            not_read.iter().any(|reason| reason.contains("各列的对应可能有误")),
            "the reason is kept: {not_read:?}"
        ),
        Err(err) => panic!("{err}"),
    }
}
