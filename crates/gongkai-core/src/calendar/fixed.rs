//! The statutory holidays themselves (法定节假日), as 《全国年节及纪念日放假办法》 fixes them, for a year whose
//! State Council notice is not out yet.
//!
//! The 办法 says which days are holidays; the yearly notice only arranges around them (补休 for a holiday on a
//! weekend, bridging days, 调休 working weekends). So in a year without a notice these days are certainly off,
//! while a weekday next to them may still become a day off and a weekend day a working day: the answer stays
//! provisional ([`super::Calendar::lenient_day`]).
//!
//! Revisions (State Council orders; the periods are checked against every notice from 2008 to 2026 in the tests):
//!
//! | in force | order | 春节 | 劳动节 | also |
//! |---|---|---|---|---|
//! | 1999-09-18 – 2007-12-31 | 国务院令第270号 | 初一–初三 | 5-1..5-3 | 元旦, 国庆 10-1..10-3 |
//! | 2008-01-01 – 2013-12-31 | 国务院令第513号 | 除夕, 初一, 初二 | 5-1 | 元旦, 清明, 端午, 中秋, 国庆 10-1..10-3 |
//! | 2014-01-01 – 2024-12-31 | 国务院令第644号 | 初一–初三 | 5-1 | as 513 |
//! | 2025-01-01 – | 国务院令第795号 | 除夕, 初一–初三 | 5-1, 5-2 | as 513 |
//!
//! 除夕 is the day before 正月初一 (腊月廿九 in a year whose twelfth month is short). Where two holidays fall on
//! the same day (中秋 on 1 October, as in 2001 and 2020) the day is off once, under both names.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use time::{Date, Duration, Month};

/// The festival dates by year, generated from the Chinese calendar (see the file's header).
const FESTIVAL_DATES: &str = include_str!("../../data/festival-dates.txt");

/// A revision of 《全国年节及纪念日放假办法》.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// 国务院令第270号 (1999), in force 1999-09-18 to 2007-12-31.
    Order270,
    /// 国务院令第513号 (2007), in force 2008-01-01 to 2013-12-31.
    Order513,
    /// 国务院令第644号 (2013), in force 2014-01-01 to 2024-12-31.
    Order644,
    /// 国务院令第795号 (2024), in force from 2025-01-01.
    Order795,
}

impl Revision {
    /// The revision in force for the whole of `year` (each took effect on 1 January, but 270 in September 1999);
    /// `None` before 2000.
    pub fn for_year(year: i32) -> Option<Revision> {
        match year {
            ..=1999 => None,
            2000..=2007 => Some(Revision::Order270),
            2008..=2013 => Some(Revision::Order513),
            2014..=2024 => Some(Revision::Order644),
            _ => Some(Revision::Order795),
        }
    }

    /// The order's number as cited (e.g. "国务院令第795号").
    pub fn citation(self) -> &'static str {
        match self {
            Revision::Order270 => "国务院令第270号",
            Revision::Order513 => "国务院令第513号",
            Revision::Order644 => "国务院令第644号",
            Revision::Order795 => "国务院令第795号",
        }
    }
}

/// The four festivals the 办法 fixes by the Chinese calendar, in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Festivals {
    /// 正月初一.
    pub spring: Date,
    /// The day of the solar term 清明.
    pub qingming: Date,
    /// 五月初五.
    pub dragon_boat: Date,
    /// 八月十五.
    pub mid_autumn: Date,
}

/// The festival dates of `year`, where the table has them (2000 through 2100).
pub fn festivals(year: i32) -> Option<Festivals> {
    festival_table().get(&year).copied()
}

/// The years the festival table covers.
pub fn festival_years() -> std::ops::RangeInclusive<i32> {
    let table = festival_table();
    let first = table.keys().next().copied().unwrap_or(0);
    let last = table.keys().next_back().copied().unwrap_or(-1);
    first..=last
}

fn festival_table() -> &'static BTreeMap<i32, Festivals> {
    static TABLE: OnceLock<BTreeMap<i32, Festivals>> = OnceLock::new();
    TABLE.get_or_init(|| {
        parse_festival_dates(FESTIVAL_DATES)
            .unwrap_or_else(|err| panic!("built-in festival dates are invalid: {err}"))
    })
}

fn parse_festival_dates(source: &str) -> Result<BTreeMap<i32, Festivals>, String> {
    let mut table = BTreeMap::new();
    for (index, line) in source.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [year, spring, qingming, dragon_boat, mid_autumn] = fields[..] else {
            return Err(format!(
                "line {}: expected five fields, found {}",
                index + 1,
                fields.len()
            ));
        };
        let year: i32 =
            year.parse().map_err(|_| format!("line {}: bad year `{year}`", index + 1))?;
        let date = |month_day: &str| {
            crate::dates::parse_ymd(&format!("{year}-{month_day}"))
                .ok_or_else(|| format!("line {}: bad date `{month_day}`", index + 1))
        };
        let festivals = Festivals {
            spring: date(spring)?,
            qingming: date(qingming)?,
            dragon_boat: date(dragon_boat)?,
            mid_autumn: date(mid_autumn)?,
        };
        if table.insert(year, festivals).is_some() {
            return Err(format!("line {}: year {year} listed twice", index + 1));
        }
    }
    Ok(table)
}

/// Every statutory holiday of `year` with its name(s), by the revision in force that year; `None` for a year
/// outside the festival table or before 2000.
pub fn holidays(year: i32) -> Option<BTreeMap<Date, String>> {
    let revision = Revision::for_year(year)?;
    let festivals = festivals(year)?;
    let fixed = |month: Month, day: u8| {
        Date::from_calendar_date(year, month, day).expect("fixed holidays are valid dates")
    };
    let run = |first: Date, days: i64| (0..days).map(move |offset| first + Duration::days(offset));
    let eve = festivals.spring - Duration::days(1);

    let mut days: Vec<(Date, &str)> = vec![(fixed(Month::January, 1), "元旦")];
    let spring: Vec<Date> = match revision {
        Revision::Order270 | Revision::Order644 => run(festivals.spring, 3).collect(),
        Revision::Order513 => run(eve, 3).collect(),
        Revision::Order795 => run(eve, 4).collect(),
    };
    days.extend(spring.into_iter().map(|date| (date, "春节")));
    let labour = match revision {
        Revision::Order270 => 3,
        Revision::Order513 | Revision::Order644 => 1,
        Revision::Order795 => 2,
    };
    days.extend(run(fixed(Month::May, 1), labour).map(|date| (date, "劳动节")));
    days.extend(run(fixed(Month::October, 1), 3).map(|date| (date, "国庆节")));
    if revision != Revision::Order270 {
        days.push((festivals.qingming, "清明节"));
        days.push((festivals.dragon_boat, "端午节"));
        days.push((festivals.mid_autumn, "中秋节"));
    }

    let mut named: BTreeMap<Date, String> = BTreeMap::new();
    for (date, name) in days {
        // 除夕 of a festival in late January still lies in the same year (正月初一 is never before 21 January).
        debug_assert_eq!(date.year(), year);
        named
            .entry(date)
            .and_modify(|names| {
                names.push('、');
                names.push_str(name);
            })
            .or_insert_with(|| name.to_owned());
    }
    Some(named)
}

/// The statutory holiday on `date`, if any (its name or names), for the years 2000 through 2100.
pub fn holiday_on(date: Date) -> Option<&'static str> {
    static ALL: OnceLock<BTreeMap<Date, String>> = OnceLock::new();
    ALL.get_or_init(|| festival_years().filter_map(holidays).flatten().collect())
        .get(&date)
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use time::macros::date;

    #[test]
    fn the_table_parses_and_covers_2000_through_2100() {
        assert_eq!(festival_years(), 2000..=2100);
        assert_eq!(festival_table().len(), 101);
    }

    #[test]
    fn the_table_refuses_bad_lines() {
        assert!(
            parse_festival_dates("2027 02-06 04-05 06-09").unwrap_err().contains("five fields")
        );
        assert!(
            parse_festival_dates("2027 02-30 04-05 06-09 09-15").unwrap_err().contains("02-30")
        );
        let twice = "2027 02-06 04-05 06-09 09-15\n2027 02-06 04-05 06-09 09-15";
        assert!(parse_festival_dates(twice).unwrap_err().contains("twice"));
    }

    /// Dates read off published almanacs (春节, 清明, 端午, 中秋).
    #[test]
    fn festival_dates_of_the_coming_years() {
        let expected = [
            (
                2027,
                date!(2027 - 02 - 06),
                date!(2027 - 04 - 05),
                date!(2027 - 06 - 09),
                date!(2027 - 09 - 15),
            ),
            (
                2028,
                date!(2028 - 01 - 26),
                date!(2028 - 04 - 04),
                date!(2028 - 05 - 28),
                date!(2028 - 10 - 03),
            ),
            (
                2029,
                date!(2029 - 02 - 13),
                date!(2029 - 04 - 04),
                date!(2029 - 06 - 16),
                date!(2029 - 09 - 22),
            ),
            (
                2030,
                date!(2030 - 02 - 03),
                date!(2030 - 04 - 05),
                date!(2030 - 06 - 05),
                date!(2030 - 09 - 12),
            ),
        ];
        for (year, spring, qingming, dragon_boat, mid_autumn) in expected {
            assert_eq!(
                festivals(year),
                Some(Festivals { spring, qingming, dragon_boat, mid_autumn }),
                "{year}"
            );
        }
    }

    /// 清明 by the rule for the 21st century: 4 April + ⌊Y·0.2422 + 4.81⌋ − ⌊Y/4⌋ − 4 (Y = year mod 100).
    #[test]
    fn qingming_follows_the_century_rule() {
        for year in 2000..2100 {
            let y = f64::from(year % 100);
            let day = (y * 0.2422 + 4.81).floor() as u8 - (year % 100 / 4) as u8;
            let expected = Date::from_calendar_date(year, Month::April, day).unwrap();
            assert_eq!(festivals(year).unwrap().qingming, expected, "{year}");
        }
    }

    /// Each festival falls within its season, and a Chinese year is 353–355 or 383–385 days long.
    #[test]
    fn festival_dates_are_plausible() {
        let within = |date: Date, from: (Month, u8), to: (Month, u8)| {
            let bound = |(month, day)| Date::from_calendar_date(date.year(), month, day).unwrap();
            (bound(from)..=bound(to)).contains(&date)
        };
        for year in festival_years() {
            let f = festivals(year).unwrap();
            assert!(within(f.spring, (Month::January, 21), (Month::February, 20)), "{year}");
            assert!(within(f.qingming, (Month::April, 4), (Month::April, 5)), "{year}");
            assert!(within(f.dragon_boat, (Month::May, 27), (Month::June, 25)), "{year}");
            assert!(within(f.mid_autumn, (Month::September, 7), (Month::October, 8)), "{year}");
            if let Some(next) = festivals(year + 1) {
                let length = (next.spring - f.spring).whole_days();
                assert!([353, 354, 355, 383, 384, 385].contains(&length), "{year}: {length}");
            }
        }
    }

    #[test]
    fn revisions_by_year() {
        assert_eq!(Revision::for_year(1999), None);
        assert_eq!(Revision::for_year(2007), Some(Revision::Order270));
        assert_eq!(Revision::for_year(2008), Some(Revision::Order513));
        assert_eq!(Revision::for_year(2014), Some(Revision::Order644));
        assert_eq!(Revision::for_year(2024), Some(Revision::Order644));
        assert_eq!(Revision::for_year(2025), Some(Revision::Order795));
        assert_eq!(Revision::Order795.citation(), "国务院令第795号");
    }

    /// 2027 under 国务院令第795号: 13 days, 除夕 (2-5) to 初三 (2-8), 劳动节 5-1 and 5-2.
    #[test]
    fn the_holidays_of_2027() {
        let days = holidays(2027).unwrap();
        let listed: Vec<(Date, &str)> =
            days.iter().map(|(date, name)| (*date, name.as_str())).collect();
        assert_eq!(
            listed,
            vec![
                (date!(2027 - 01 - 01), "元旦"),
                (date!(2027 - 02 - 05), "春节"),
                (date!(2027 - 02 - 06), "春节"),
                (date!(2027 - 02 - 07), "春节"),
                (date!(2027 - 02 - 08), "春节"),
                (date!(2027 - 04 - 05), "清明节"),
                (date!(2027 - 05 - 01), "劳动节"),
                (date!(2027 - 05 - 02), "劳动节"),
                (date!(2027 - 06 - 09), "端午节"),
                (date!(2027 - 09 - 15), "中秋节"),
                (date!(2027 - 10 - 01), "国庆节"),
                (date!(2027 - 10 - 02), "国庆节"),
                (date!(2027 - 10 - 03), "国庆节"),
            ]
        );
    }

    #[test]
    fn coinciding_holidays_are_one_day_under_both_names() {
        // 2020: 中秋 fell on 1 October.
        let days = holidays(2020).unwrap();
        assert_eq!(days.get(&date!(2020 - 10 - 01)).map(String::as_str), Some("国庆节、中秋节"));
        assert_eq!(days.len(), 10);
        assert_eq!(holidays(1999), None);
        assert_eq!(holidays(2101), None);
    }

    /// The revisions' days, year by year, against our notices: every statutory holiday of 2007–2026 is a day
    /// off (`tests/holiday_cn.rs` checks the same against the holiday-cn data set).
    #[test]
    fn every_statutory_holiday_was_a_day_off_in_its_notice() {
        let calendar = Calendar::builtin();
        for year in 2007..=2026 {
            for (date, name) in holidays(year).unwrap() {
                let day = calendar.day(date).unwrap();
                assert!(
                    !day.working,
                    "{year}: {date} ({name}) is a working day in the notice data"
                );
            }
        }
    }

    /// The table is what the tyme4rs crate (an independent implementation of the Chinese calendar) computes.
    #[test]
    fn festival_dates_match_tyme4rs() {
        use tyme4rs::tyme::lunar::LunarDay;
        use tyme4rs::tyme::solar::{SolarDay, SolarTerm};
        let as_date = |day: SolarDay| {
            Date::from_calendar_date(
                day.get_year() as i32,
                Month::try_from(day.get_month() as u8).unwrap(),
                day.get_day() as u8,
            )
            .unwrap()
        };
        for year in festival_years() {
            let lunar =
                |month, day| as_date(LunarDay::from_ymd(year as isize, month, day).get_solar_day());
            let qingming = as_date(
                SolarTerm::from_name(year as isize, "清明").get_julian_day().get_solar_day(),
            );
            let expected = Festivals {
                spring: lunar(1, 1),
                qingming,
                dragon_boat: lunar(5, 5),
                mid_autumn: lunar(8, 15),
            };
            assert_eq!(festivals(year), Some(expected), "{year}");
        }
    }
}
