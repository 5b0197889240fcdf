//! Every output of every format from the demo data: produced, readable, and (with LibreOffice and poppler,
//! which .ci/run installs) converted back to text that holds the labels and figures.

use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai_core::calendar::Calendar;
use gongkai_core::report::format::FormatId;
use gongkai_core::report::{self, Report};
use gongkai_render::{Output, render};

/// One demo year per format.
const YEARS: [(FormatId, i32); 3] =
    [(FormatId::Pre2019, 2018), (FormatId::F2019, 2020), (FormatId::F2021, 2022)];

fn build(year: i32) -> Report {
    report::build(&gongkai_demo::wenzhou_justice(), year, None, Calendar::builtin()).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-render-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A tool from Debian that CI installs; outside CI its absence skips the check with a note.
fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|out| out.status.success());
    if !found {
        assert!(std::env::var_os("CI").is_none(), "CI must install `{name}`");
        eprintln!("note: `{name}` not installed; conversion check not run");
    }
    found
}

/// Labels and figures every rendering of `report` must contain.
fn expected_text(report: &Report) -> Vec<String> {
    let mut expected = vec![report.title.clone()];
    let format = report.format.format();
    for table in &format.tables {
        for block in &table.blocks {
            expected.extend(
                block.rows.iter().filter(|row| !row.label.is_empty()).map(|row| row.label.clone()),
            );
        }
    }
    match report.format {
        FormatId::Pre2019 => expected.extend(["992".to_owned(), "132".to_owned(), "95".to_owned()]),
        _ => {
            let new = report.values.get("t3", "new", "total").unwrap();
            expected.push(new.to_string());
        }
    }
    expected
}

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[track_caller]
fn assert_contains_all(text: &str, expected: &[String], what: &str) {
    let squeezed = squeeze(text);
    for item in expected {
        assert!(squeezed.contains(&squeeze(item)), "{what}: `{item}` missing");
    }
}

#[test]
fn every_output_renders_for_all_three_formats() {
    for (format, year) in YEARS {
        let report = build(year);
        assert_eq!(report.format, format);
        for output in Output::EVERY {
            let bytes =
                render(&report, output).unwrap_or_else(|err| panic!("{format} {output}: {err}"));
            assert!(bytes.len() > 1_000, "{format} {output}: only {} bytes", bytes.len());
            let magic: &[u8] = match output {
                Output::Html => b"<!DOCTYPE html>",
                Output::Docx | Output::Xlsx => b"PK",
                Output::Pdf => b"%PDF-",
                Output::Json => b"{",
                Output::Text => report.title.as_bytes(),
                Output::Csv => "\u{feff}表格,行,列".as_bytes(),
            };
            assert!(bytes.starts_with(magic), "{format} {output}");
        }
    }
}

#[test]
fn html_has_every_label_the_chart_and_merged_headers() {
    for (format, year) in YEARS {
        let report = build(year);
        let html = String::from_utf8(render(&report, Output::Html).unwrap()).unwrap();
        assert_contains_all(&html, &expected_text(&report), &format!("{format} html"));
        assert!(html.contains("<svg"), "{format}: chart");
        assert!(html.contains("lang=\"zh-CN\""));
        if format != FormatId::Pre2019 {
            assert!(html.contains("colspan=\"3\" rowspan=\"3\""), "{format}: table 三 corner cell");
        }
    }
}

#[test]
fn json_lists_every_cell_with_its_labels() {
    for (format, year) in YEARS {
        let report = build(year);
        let json: serde_json::Value =
            serde_json::from_slice(&render(&report, Output::Json).unwrap()).unwrap();
        assert_eq!(json["format"], format.code());
        let cells = json["cells"].as_array().unwrap();
        let expected: usize =
            format.format().tables.iter().map(|table| table.value_cells().count()).sum();
        assert_eq!(cells.len(), expected);
        assert!(json["findings"].as_array().unwrap().is_empty());
    }
}

#[test]
fn xlsx_reads_back_with_the_figures() {
    use calamine::{Data, Reader, Xlsx};
    let report = build(2018);
    let bytes = render(&report, Output::Xlsx).unwrap();
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheets = workbook.sheet_names();
    assert!(sheets.iter().any(|name| name.contains("政府信息公开情况统计表")), "{sheets:?}");
    let range = workbook.worksheet_range(&sheets[0]).unwrap();
    let row = range
        .rows()
        .find(|row| matches!(&row[0], Data::String(label) if label.starts_with("2.政府网站公开政府信息数")))
        .expect("the website row");
    assert_eq!(row[2], Data::Float(992.0));
}

fn convert_with_libreoffice(input: &Path, filter: &str, out_dir: &Path) -> String {
    let status = Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to", filter, "--outdir"])
        .arg(out_dir)
        .arg(input)
        .env("HOME", out_dir)
        .output()
        .expect("soffice runs");
    assert!(status.status.success(), "soffice failed: {}", String::from_utf8_lossy(&status.stderr));
    let extension = filter.split(':').next().unwrap();
    let converted = out_dir.join(input.with_extension(extension).file_name().unwrap());
    std::fs::read_to_string(&converted)
        .unwrap_or_else(|err| panic!("{}: {err}", converted.display()))
}

#[test]
fn docx_and_xlsx_open_in_libreoffice_and_read_correctly() {
    if !tool("soffice") {
        return;
    }
    for (format, year) in YEARS {
        let report = build(year);
        let dir = scratch(&format!("lo-{format}"));
        let docx = dir.join("report.docx");
        std::fs::write(&docx, render(&report, Output::Docx).unwrap()).unwrap();
        let text = convert_with_libreoffice(&docx, "txt:Text (encoded):UTF8", &dir);
        assert_contains_all(
            &text,
            &expected_text(&report),
            &format!("{format} docx via LibreOffice"),
        );
        for role in ["单位负责人", "审核人", "填报人", "联系电话", "填报日期"] {
            assert!(text.contains(role), "{format}: signature role {role}");
        }
        let xlsx = dir.join("report.xlsx");
        std::fs::write(&xlsx, render(&report, Output::Xlsx).unwrap()).unwrap();
        // CSV of the first sheet: every label of the first table and its figures.
        let csv = convert_with_libreoffice(&xlsx, "csv:Text - txt - csv (StarCalc):44,34,76", &dir);
        let first_table = &report.format.format().tables[0];
        let labels: Vec<String> = first_table
            .blocks
            .iter()
            .flat_map(|block| {
                block.rows.iter().filter(|row| !row.label.is_empty()).map(|row| row.label.clone())
            })
            .collect();
        assert_contains_all(&csv, &labels, &format!("{format} xlsx via LibreOffice"));
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn pdf_text_holds_labels_and_figures_with_an_embedded_cjk_font() {
    if !tool("pdftotext") {
        return;
    }
    for (format, year) in YEARS {
        let report = build(year);
        let dir = scratch(&format!("pdf-{format}"));
        let pdf = dir.join("report.pdf");
        std::fs::write(&pdf, render(&report, Output::Pdf).unwrap()).unwrap();
        let text = Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
        // Poppler reads it without a complaint (issue #20: "Syntax Error: Suspects object is wrong type").
        assert_eq!(String::from_utf8_lossy(&text.stderr), "", "{format}: poppler's complaints");
        if tool("qpdf") {
            let check = Command::new("qpdf").arg("--check").arg(&pdf).output().unwrap();
            assert!(check.status.success(), "{format}: {}", String::from_utf8_lossy(&check.stdout));
        }
        let text = String::from_utf8(text.stdout).unwrap();
        assert_contains_all(&text, &expected_text(&report), &format!("{format} pdf"));
        let fonts = Command::new("pdffonts").arg(&pdf).output().unwrap();
        let fonts = String::from_utf8(fonts.stdout).unwrap();
        assert!(fonts.contains("NotoSansCJKsc"), "{format}: {fonts}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// Issue #20: in every demo year's PDF, no page ends with a section heading or a table's title whose table
/// (or text) starts on the next page: the title stays with its table.
#[test]
fn pdf_pages_never_end_with_a_heading_or_a_tables_title() {
    if !tool("pdftotext") {
        return;
    }
    let dir = scratch("pdf-pages");
    for year in 2018..=2025 {
        let report = build(year);
        let pdf = dir.join(format!("{year}.pdf"));
        std::fs::write(&pdf, render(&report, Output::Pdf).unwrap()).unwrap();
        let text = Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8(text.stdout).unwrap();
        let mut introducers: Vec<String> =
            report.format.format().tables.iter().map(|table| squeeze(&table.title)).collect();
        introducers.extend(report.sections.iter().map(|section| squeeze(&section.heading(year))));
        let pages: Vec<&str> = text.split('\u{c}').filter(|page| !page.trim().is_empty()).collect();
        assert!(pages.len() > 1, "{year}: {} pages", pages.len());
        for (number, page) in pages.iter().enumerate().take(pages.len() - 1) {
            // The last line of the page's text that is not its page number ("— 3 —").
            let last = page
                .lines()
                .map(squeeze)
                .rfind(|line| !line.is_empty() && !line.starts_with('—'))
                .unwrap_or_default();
            assert!(
                !introducers.contains(&last),
                "{year}: page {} ends with “{last}”, which introduces what is on the next page",
                number + 1
            );
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
