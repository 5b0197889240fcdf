//! The report reader on arbitrary DOCX (zip) bytes and on arbitrary `word/document.xml` wrapped in a zip:
//! no panic, memory bounded by the inflate limit.
#![no_main]

use std::io::Write;

use gongkai_audit::{Kind, audit_document, read};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The bytes as a whole file.
    if let Ok(document) = read(data, Kind::Docx) {
        let _ = audit_document(&document, Kind::Docx, None);
    }
    // The bytes as the document part of a valid zip, so the XML reader is reached.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    if zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).is_ok()
        && zip.write_all(data).is_ok()
        && let Ok(cursor) = zip.finish()
        && let Ok(document) = read(&cursor.into_inner(), Kind::Docx)
    {
        let _ = audit_document(&document, Kind::Docx, None);
    }
});
