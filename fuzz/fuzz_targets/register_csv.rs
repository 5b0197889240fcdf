//! The register importers on arbitrary CSV: no panic; every problem reported, never a partial result.
#![no_main]

use gongkai_core::calendar::Calendar;
use gongkai_register::{FileKind, read_applications, read_catalog};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let as_of = time::Date::from_calendar_date(2026, time::Month::November, 27).unwrap();
    let _ = read_applications(data, FileKind::Csv, &[], Calendar::builtin(), as_of);
    let _ = read_catalog(data, FileKind::Csv, &[]);
});
