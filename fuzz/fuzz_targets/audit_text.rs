//! The report reader on arbitrary text: no panic, bounded work; every format forced and detected.
#![no_main]

use gongkai_audit::{Kind, audit_document, read};
use gongkai_core::report::format::FormatId;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(document) = read(data, Kind::Text) {
        let _ = audit_document(&document, Kind::Text, None);
        for format in FormatId::ALL {
            let _ = audit_document(&document, Kind::Text, Some(format));
        }
    }
});
