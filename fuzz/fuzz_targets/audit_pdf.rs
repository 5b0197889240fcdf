//! The PDF reader on arbitrary bytes, and on arbitrary content streams in a valid one-page PDF, so that the
//! interpreter and the table rebuilding are reached: no panic, time and memory bounded by the reader's
//! budgets.
#![no_main]

use gongkai_audit::{Kind, audit_document, read};
use libfuzzer_sys::fuzz_target;

/// A one-page PDF whose page draws `content` (with a font, so text operators reach the glyph path).
fn one_page(content: &[u8]) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, body: &[u8]| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        pdf.extend_from_slice(body);
        pdf.extend_from_slice(b"\nendobj\n");
    };
    object(&mut pdf, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut pdf, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut pdf,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
          /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    );
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    object(&mut pdf, &stream);
    object(&mut pdf, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
    for offset in &offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", offsets.len() + 1)
            .as_bytes(),
    );
    pdf
}

fuzz_target!(|data: &[u8]| {
    if let Ok(document) = read(data, Kind::Pdf) {
        let _ = audit_document(&document, Kind::Pdf, None);
    }
    if let Ok(document) = read(&one_page(data), Kind::Pdf) {
        let _ = audit_document(&document, Kind::Pdf, None);
    }
});
