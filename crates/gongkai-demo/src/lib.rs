//! Demo data for gongkai: the founding document's bureau (温州市司法局) reconstructed for 2018, and synthetic
//! records of the same bureau for 2019–2025. See `data/README.md` for every choice the 2018 data makes where
//! the founding document contradicts itself.
//!
//! Everything is generated deterministically, so tests can pin figures.

pub mod portal;
mod rng;
pub mod scale;
mod seed2018;
mod synthetic;
mod titles;

use gongkai_core::records::{Agency, AgencyKind, AgencyRecords};
use time::{Date, Month};

/// The demo datasets by name.
pub const NAMES: [&str; 1] = ["wenzhou-justice"];

/// The demo dataset called `name`.
pub fn by_name(name: &str) -> Option<AgencyRecords> {
    match name {
        "wenzhou-justice" => Some(wenzhou_justice()),
        _ => None,
    }
}

/// The demo bureau: 2018 from the founding document, 2019–2025 synthetic.
pub fn wenzhou_justice() -> AgencyRecords {
    let mut records = AgencyRecords {
        agency: Some(Agency {
            code: "DEMO-330300-SFJ".to_owned(),
            name: "温州市司法局".to_owned(),
            kind: AgencyKind::Department,
            office: "温州市司法局政府信息公开办公室".to_owned(),
            phone: "0577-88367543".to_owned(),
        }),
        ..AgencyRecords::default()
    };
    seed2018::add(&mut records);
    synthetic::add(&mut records, 2019..=2025);
    records
}

/// A calendar date; panics on an invalid one (demo data is fixed).
pub(crate) fn date(year: i32, month: u8, day: u8) -> Date {
    Date::from_calendar_date(year, Month::try_from(month).expect("valid month"), day)
        .expect("valid demo date")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_is_deterministic() {
        assert_eq!(wenzhou_justice(), wenzhou_justice());
    }

    #[test]
    fn demo_has_the_seed_catalog_for_2018() {
        let records = wenzhou_justice();
        let in_2018 = records.catalog.iter().filter(|item| item.published.year() == 2018).count();
        assert_eq!(in_2018, 992);
    }
}
