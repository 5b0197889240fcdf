//! PDF input (issue #23): a report as agencies publish it — printed to PDF by a word processor from its
//! DOCX or its web page, borders drawn, a table continued over a page — reads as its source does, figure
//! for figure and finding for finding; a PDF that cannot be read says why and yields nothing.
//!
//! LibreOffice makes the PDFs (it exports with `ToUnicode` maps and subset fonts, as Word and WPS do); without
//! it (`soffice` not on the path) these tests say so and check nothing. `.ci/run` installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai_audit::document::{Document, RawTable};
use gongkai_audit::{Audit, AuditError, Kind, PdfProblem, audit, audit_document};
use gongkai_core::calendar::Calendar;
use gongkai_core::report;
use gongkai_core::report::values::Quantity;
use gongkai_render::{Output, render};

fn soffice() -> bool {
    let found =
        Command::new("soffice").arg("--version").output().is_ok_and(|out| out.status.success());
    if !found {
        eprintln!("soffice not found: the LibreOffice PDF tests check nothing");
    }
    found
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-pdf-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `file` printed to PDF by LibreOffice with `filter` (default: its PDF export).
fn print_to_pdf(file: &Path, filter: &str) -> Vec<u8> {
    let dir = file.parent().unwrap();
    let out = Command::new("soffice")
        .args(["--headless", "--norestore", "--convert-to", filter, "--outdir"])
        .arg(dir)
        .arg(file)
        .env("HOME", dir)
        .output()
        .expect("soffice runs");
    assert!(out.status.success(), "soffice: {}", String::from_utf8_lossy(&out.stderr));
    let pdf = file.with_extension("pdf");
    std::fs::read(&pdf).unwrap_or_else(|err| panic!("{}: {err}", pdf.display()))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A document as a web page with bordered tables (as a site's CMS publishes a report).
fn as_html(document: &Document) -> String {
    let mut html = String::from(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>\
         table{border-collapse:collapse} td{border:1px solid #000;padding:2px}</style></head><body>",
    );
    let table_html = |table: &RawTable| {
        let mut out = String::from("<table border=\"1\" cellspacing=\"0\">");
        for row in &table.rows {
            out.push_str("<tr>");
            for cell in row {
                out.push_str(&format!(
                    "<td colspan=\"{}\" rowspan=\"{}\">{}</td>",
                    cell.colspan,
                    cell.rowspan,
                    escape(&cell.text)
                ));
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        out
    };
    for paragraph in &document.paragraphs {
        html.push_str(&format!("<p>{}</p>", escape(paragraph)));
    }
    for table in &document.tables {
        html.push_str(&table_html(table));
    }
    html.push_str("</body></html>");
    html
}

/// What must be the same in two audits of one report: format, year, every figure, every finding.
fn assert_same(source: &Audit, pdf: &Audit, what: &str) {
    assert_eq!(pdf.kind, Kind::Pdf);
    assert_eq!((pdf.format, pdf.year), (source.format, source.year), "{what}");
    let mut differences = Vec::new();
    for (key, value) in source.mapping.values.iter() {
        let read = pdf.mapping.values.get(&key.table, &key.row, &key.column);
        if !pdf.mapping.values.has(&key.table, &key.row, &key.column) || read != *value {
            differences.push(format!("{key}: source {value:?}, pdf {read:?}"));
        }
    }
    assert!(differences.is_empty(), "{what}: {}", differences.join("\n"));
    assert_eq!(pdf.mapping.values.len(), source.mapping.values.len(), "{what}");
    assert_same_findings(source, pdf, what);
}

/// The same findings (rule, expected, found), in any order.
fn assert_same_findings(source: &Audit, pdf: &Audit, what: &str) {
    let findings = |audit: &Audit| {
        let mut findings: Vec<(String, Option<String>, Option<String>)> = audit
            .findings
            .iter()
            .map(|finding| (finding.rule.clone(), finding.expected.clone(), finding.found.clone()))
            .collect();
        findings.sort();
        findings
    };
    assert_eq!(findings(pdf), findings(source), "{what}");
}

/// The demo's reports as Word documents, printed to PDF: their tables continue over pages.
#[test]
fn reports_printed_from_word_documents_read_as_the_documents() {
    if !soffice() {
        return;
    }
    let dir = scratch("docx");
    let records = gongkai_demo::wenzhou_justice();
    for year in [2018, 2020, 2023] {
        let report = report::build(&records, year, None, Calendar::builtin()).unwrap();
        let docx = render(&report, Output::Docx).unwrap();
        let path = dir.join(format!("report-{year}.docx"));
        std::fs::write(&path, &docx).unwrap();
        let pdf = print_to_pdf(&path, "pdf");
        let from_docx = audit(&docx, None).unwrap();
        let from_pdf = audit(&pdf, None).unwrap_or_else(|err| panic!("{year}: {err}"));
        assert_same(&from_docx, &from_pdf, &format!("{year} printed from DOCX"));
        assert!(from_pdf.findings.is_empty(), "{year}: {:#?}", from_pdf.findings);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The founding document, published as a web page and printed to PDF: the same fourteen findings.
#[test]
fn the_seed_printed_to_pdf_has_its_fourteen_findings() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/seed/000_17fc34caf249113f.txt");
    let Ok(text) = std::fs::read(&seed) else {
        eprintln!("../shared/seed not present: nothing checked");
        return;
    };
    if !soffice() {
        return;
    }
    let source = audit(&text, None).unwrap();
    assert_eq!(source.findings.len(), 14);
    let document = gongkai_audit::read(&text, Kind::Text).unwrap();
    let dir = scratch("seed");
    // With borders drawn (its table over two pages, a row split by the break), and without (columns
    // apart only by space).
    for (name, borders) in [("ruled", true), ("unruled", false)] {
        let page = dir.join(format!("seed-{name}.html"));
        let mut html = as_html(&document);
        if !borders {
            html = html.replace(" border=\"1\"", "");
        }
        std::fs::write(&page, html).unwrap();
        let pdf = print_to_pdf(&page, "pdf:writer_web_pdf_Export");
        let from_pdf = audit(&pdf, None).unwrap();
        if borders {
            assert_same(&source, &from_pdf, "seed printed from its web page, ruled");
        } else {
            // Without borders a label wrapped over two lines ends the table for the text reader: the
            // rows after it (funding, meetings, trainings) are not read; nor is a row whose blank cell
            // the gaps do not place (专职人员数) — never misread.
            assert_same_findings(&source, &from_pdf, "seed printed unruled");
            let mut missing = 0;
            for (key, value) in source.mapping.values.iter() {
                if from_pdf.mapping.values.has(&key.table, &key.row, &key.column) {
                    let read = from_pdf.mapping.values.get(&key.table, &key.row, &key.column);
                    assert_eq!(read, *value, "unruled: {key}");
                } else {
                    missing += 1;
                }
            }
            assert!(missing <= 5, "unruled: {missing} cells not read");
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn unreadable(bytes: &[u8]) -> PdfProblem {
    match gongkai_audit::read(bytes, Kind::detect(bytes)) {
        Err(AuditError::Pdf(problem)) => problem,
        other => panic!("read: {other:?}"),
    }
}

/// A PDF cut short, encrypted with a password, scanned (an image, no text) or without a page: refused with
/// its reason, never half read.
#[test]
fn pdfs_that_cannot_be_read_say_why() {
    let records = gongkai_demo::wenzhou_justice();
    let report = report::build(&records, 2020, None, Calendar::builtin()).unwrap();
    let pdf = render(&report, Output::Pdf).unwrap();
    assert_eq!(Kind::detect(&pdf), Kind::Pdf);
    let cut = &pdf[..pdf.len() * 2 / 3];
    assert_eq!(unreadable(cut), PdfProblem::Truncated);
    assert_eq!(unreadable(b"%PDF-1.7\n%%EOF\n"), PdfProblem::Damaged);
    if !soffice() {
        return;
    }
    let dir = scratch("bad");
    let docx = dir.join("locked.docx");
    std::fs::write(&docx, render(&report, Output::Docx).unwrap()).unwrap();
    let locked = print_to_pdf(
        &docx,
        r#"pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"secret"}}"#,
    );
    assert_eq!(unreadable(&locked), PdfProblem::Encrypted);
    std::fs::remove_dir_all(&dir).ok();
}

/// A PDF of `objects` (object 1 the catalog), numbered in order, with its cross-reference table.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", index + 1).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

/// A stream object holding `data`.
fn stream(dictionary: &str, data: &[u8]) -> Vec<u8> {
    let mut object = format!("<< {dictionary} /Length {} >>\nstream\n", data.len()).into_bytes();
    object.extend_from_slice(data);
    object.extend_from_slice(b"\nendstream");
    object
}

/// A one-page PDF: the catalog, the page tree and a page of `resources` drawing object `contents`, then
/// `objects` (numbered from 4).
fn page_pdf(resources: &str, contents: usize, objects: Vec<Vec<u8>>) -> Vec<u8> {
    let page = format!(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << {resources} >> \
         /Contents {contents} 0 R >>"
    );
    let mut all = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        page.into_bytes(),
    ];
    all.extend(objects);
    pdf_of(&all)
}

/// A scan: one page that is one picture (a grey 4×4 image drawn over the page), no text.
fn scanned_pdf() -> Vec<u8> {
    let pixels = vec![0x80u8; 4 * 4 * 3];
    page_pdf(
        "/XObject << /Scan 4 0 R >>",
        5,
        vec![
            stream(
                "/Type /XObject /Subtype /Image /Width 4 /Height 4 /ColorSpace /DeviceRGB /BitsPerComponent 8",
                &pixels,
            ),
            stream("", b"q 595 0 0 842 0 0 cm /Scan Do Q"),
        ],
    )
}

#[test]
fn a_scanned_pdf_is_refused_as_scanned() {
    assert_eq!(unreadable(&scanned_pdf()), PdfProblem::Scanned);
}

/// The PDF of a report is audited in the format its table has, with the same findings as its figures give
/// (a report with one contradiction keeps it through the PDF).
#[test]
fn a_contradiction_survives_the_pdf() {
    let records = gongkai_demo::wenzhou_justice();
    let mut report = report::build(&records, 2023, None, Calendar::builtin()).unwrap();
    let (key, value) = report
        .values
        .iter()
        .find_map(|(key, value)| {
            value
                .filter(|value| key.column == "total" && value.whole() > 0)
                .map(|value| (key.clone(), value))
        })
        .expect("a total above zero");
    report.values.set(key, Some(Quantity::count(value.whole() + 1)));
    let html = render(&report, Output::Html).unwrap();
    let pdf = render(&report, Output::Pdf).unwrap();
    let from_html = audit(&html, None).unwrap();
    let from_pdf = audit(&pdf, None).unwrap();
    assert!(!from_html.findings.is_empty());
    assert_same(&from_html, &from_pdf, "a report with a wrong total");
    let document: Document = gongkai_audit::read(&pdf, Kind::Pdf).unwrap();
    assert!(audit_document(&document, Kind::Pdf, None).is_ok());
}

/// Ten-digit counts do not fit their columns: in the PDF they overprint the next cell. No reader can tell
/// whose figure is whose, so the table is not read — no table, no findings — rather than misread.
#[test]
fn figures_that_overprint_their_cells_are_not_read() {
    let records = gongkai_demo::wenzhou_justice();
    let mut report = report::build(&records, 2020, None, Calendar::builtin()).unwrap();
    let keys: Vec<_> = report.values.iter().map(|(key, _)| key.clone()).collect();
    for (index, key) in keys.into_iter().enumerate() {
        if key.table == "t3" {
            let value = if index % 3 == 0 { 8_255_395_048 } else { 27 };
            report.values.set(key, Some(Quantity::count(value)));
        }
    }
    let pdf = render(&report, Output::Pdf).unwrap();
    match audit(&pdf, None) {
        Err(AuditError::NoTable { .. }) => {}
        Ok(audit) => assert!(
            audit.tables.iter().all(|table| table.id != "t3"),
            "the overprinted table was read: {:#?}",
            audit.findings
        ),
        Err(other) => panic!("{other}"),
    }
}

/// A one-page PDF whose page draws `content` (as the fuzz target `audit_pdf` builds it).
fn one_page(content: &[u8]) -> Vec<u8> {
    page_pdf(
        "/Font << /F1 5 0 R >>",
        4,
        vec![
            stream("", content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ],
    )
}

/// Found by the fuzzer (issue #23): a page whose content nests dictionaries ~150 deep made the PDF crate's
/// content-stream parser backtrack for three minutes on 45 KB. Such a page is refused as damaged, at once
/// (before the fix this test ran for minutes).
#[test]
fn a_page_nesting_dictionaries_deep_is_refused_not_parsed_for_minutes() {
    // The second: ~20 deep, 73 s, found after the first fix (which allowed 24).
    for name in ["content-nested-dicts.bin", "content-nested-dicts-2.bin"] {
        let content =
            std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz").join(name))
                .unwrap();
        assert_eq!(unreadable(&one_page(&content)), PdfProblem::Damaged, "{name}");
    }
    // A page with the shallow dictionaries pages have (marked content) is interpreted, not refused as
    // damaged (this font has no glyph outlines to map, so it has no text).
    let marked = b"/P << /MCID 0 >> BDC 0 0 m 100 0 l S EMC";
    assert_eq!(unreadable(&one_page(marked)), PdfProblem::NoText);
}

/// Found by the fuzzer (issue #23): a file nesting arrays (or dictionaries) thousands deep overflowed the
/// stack of the PDF crate's recursive parser and aborted the process — the CLI, or the whole server with an
/// upload. Such a file is refused as damaged before it is parsed (before the fix this test aborted).
#[test]
fn a_file_nesting_arrays_thousands_deep_is_refused_not_a_stack_overflow() {
    for nested in
        ["[".repeat(60_000) + &"]".repeat(60_000), "<< /A ".repeat(60_000) + &">>".repeat(60_000)]
    {
        let mut pdf = one_page(b"0 0 m 100 0 l S");
        let at = pdf.windows(10).position(|window| window == b"/MediaBox ").unwrap();
        let extra = format!("/Foo {nested} ");
        pdf.splice(at..at, extra.bytes());
        // The offsets of the xref table are off now: the reader repairs them, as it does for real files.
        assert_eq!(unreadable(&pdf), PdfProblem::Damaged);
    }
}
