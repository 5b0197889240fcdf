//! The register importers on arbitrary XLSX bytes and on arbitrary sheet XML inside a valid workbook:
//! no panic, inflation bounded.
#![no_main]

use gongkai_core::calendar::Calendar;
use gongkai_register::{FileKind, read_applications, read_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let as_of = time::Date::from_calendar_date(2026, time::Month::November, 27).unwrap();
    let _ = read_applications(data, FileKind::Xlsx, &[], Calendar::builtin(), as_of);
    let _ = read_catalog(data, FileKind::Xlsx, &[]);
});
