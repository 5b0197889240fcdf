//! Checks the built-in calendar day by day against the independent holiday-cn data set in
//! `../shared/data/holiday-cn` (present on developer machines and in CI; never needed at run time).

use std::path::PathBuf;

use gongkai_core::calendar::{Calendar, holiday_cn};
use time::macros::date;

fn holiday_cn_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/holiday-cn");
    dir.is_dir().then_some(dir)
}

#[test]
fn calendar_matches_holiday_cn_every_day_2007_through_2026() {
    let Some(dir) = holiday_cn_dir() else {
        // Outside CI the shared data may be absent; in CI its absence is a failure, never a silent skip.
        assert!(std::env::var_os("CI").is_none(), "CI must provide ../shared/data/holiday-cn");
        eprintln!("note: ../shared/data/holiday-cn not found; comparison not run");
        return;
    };
    let mut years = Vec::new();
    for year in 2007..=2027 {
        let path = dir.join(format!("{year}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        years.push(
            holiday_cn::Year::parse(&text)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display())),
        );
    }
    let reference = holiday_cn::calendar(&years);
    let differences =
        Calendar::builtin().differences(&reference, date!(2007 - 01 - 01), date!(2026 - 12 - 31));
    assert!(
        differences.is_empty(),
        "{} differing days, first: {:?}",
        differences.len(),
        &differences[..5.min(differences.len())]
    );
    // The comparison really ran over 20 years of data.
    assert_eq!(reference.covered_years().count(), 20);
}

/// Every statutory holiday of 《全国年节及纪念日放假办法》 as `calendar::fixed` computes it for 2007–2026 (the
/// revision of each year, the lunar festivals and 清明 from the festival table) is a day off in holiday-cn.
#[test]
fn every_statutory_holiday_is_a_day_off_in_holiday_cn() {
    let Some(dir) = holiday_cn_dir() else {
        assert!(std::env::var_os("CI").is_none(), "CI must provide ../shared/data/holiday-cn");
        eprintln!("note: ../shared/data/holiday-cn not found; comparison not run");
        return;
    };
    let mut years = Vec::new();
    for year in 2007..=2026 {
        let text = std::fs::read_to_string(dir.join(format!("{year}.json"))).unwrap();
        years.push(holiday_cn::Year::parse(&text).unwrap());
    }
    let theirs = holiday_cn::calendar(&years);
    let mut checked = 0;
    for year in 2007..=2026 {
        for (date, name) in gongkai_core::calendar::fixed::holidays(year).unwrap() {
            assert_eq!(theirs.is_working_day(date), Ok(false), "{date} ({name}) in holiday-cn");
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} days checked");
}
