//! The working-day calendar (工作日历): public holidays and adjusted working days (调休) as set by the
//! State Council's yearly notices.
//!
//! Statutory periods in the 条例 are counted in working days (工作日): a day that is neither a weekend day
//! nor a statutory holiday, where a weekend day the notice turns into a working day (调休上班) counts as one.
//! The data lives in `data/calendar/YYYY.toml`, one file per notice year (see the README there).
//!
//! Two ways to ask:
//! - the strict API ([`Calendar::is_working_day`], [`Calendar::add_working_days`],
//!   [`Calendar::working_days_between`]) refuses any date in a year without data
//!   ([`CalendarError::NoCalendarData`]), never guessing;
//! - [`Calendar::lenient_day`] answers for any date — in a year without data from the statutory holidays of
//!   《全国年节及纪念日放假办法》 ([`fixed`]) and weekends — and says which year made the answer provisional. The reply clock uses it so that a period running into next
//!   year still gets a (provisional) due date before next year's notice is published.

pub mod fixed;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::Deserialize;
use time::{Date, Month, Weekday};

/// Notice files compiled into the crate by `build.rs`: (file name, contents).
const BUILTIN_FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/calendar_files.rs"));

/// From this day of December on, a date may still be changed by the next year's notice (the notices for
/// 2007, 2008, 2012, 2019 and 2023 all changed days between December 29 and 31 of the year before). While
/// that notice is missing, [`Calendar::lenient_day`] marks such days provisional.
const LATE_DECEMBER_FROM: u8 = 25;

/// Why a date has the status it has.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum DayReason {
    /// Monday to Friday with no notice entry.
    Weekday,
    /// Saturday or Sunday with no notice entry.
    Weekend,
    /// A day off set by a notice (the holiday's name, e.g. 春节).
    Holiday(String),
    /// A weekend day made a working day by a notice (调休上班; the holiday it belongs to).
    AdjustedWorkday(String),
}

impl DayReason {
    /// A short Chinese description for traces shown to clerks and applicants.
    pub fn describe(&self) -> String {
        match self {
            DayReason::Weekday => "工作日".to_owned(),
            DayReason::Weekend => "周末".to_owned(),
            DayReason::Holiday(name) => format!("{name}假期"),
            DayReason::AdjustedWorkday(name) => format!("{name}调休上班"),
        }
    }
}

/// One day as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub date: Date,
    pub working: bool,
    pub reason: DayReason,
}

/// A day answered by [`Calendar::lenient_day`], possibly without data for its year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LenientDay {
    pub day: Day,
    /// The year whose notice is missing, when the answer could still change once it is published.
    pub provisional: Option<i32>,
}

/// A failure to answer from the calendar data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no calendar data for {year}: the State Council notice for {year} has not been added")]
    NoCalendarData { year: i32 },
    #[error("date range is reversed: `{from}` is after `{to}`")]
    ReversedRange { from: Date, to: Date },
}

/// A notice file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarDataError {
    #[error("calendar file `{file}` is not valid: {message}")]
    Invalid { file: String, message: String },
    #[error("calendar year {year} is already present; replacing it needs an explicit correction")]
    DuplicateYear { year: i32 },
}

/// One State Council notice as recorded in a calendar file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Notice {
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NoticeFile {
    year: i32,
    notice: Vec<Notice>,
    #[serde(default)]
    holiday: Vec<HolidayEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HolidayEntry {
    name: String,
    notice: Option<String>,
    #[serde(default)]
    off: Vec<String>,
    #[serde(default)]
    work: Vec<String>,
}

/// A day a notice sets explicitly.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NoticeDay {
    working: bool,
    name: String,
}

/// The parsed contents of one notice year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeYear {
    pub year: i32,
    pub notices: Vec<Notice>,
    days: Vec<(Date, NoticeDay)>,
}

impl NoticeYear {
    /// Parses one notice file (the format of `data/calendar/README.md`). `file` names it in errors.
    pub fn parse(file: &str, source: &str) -> Result<NoticeYear, CalendarDataError> {
        let invalid =
            |message: String| CalendarDataError::Invalid { file: file.to_owned(), message };
        let parsed: NoticeFile = toml::from_str(source).map_err(|err| invalid(err.to_string()))?;
        if !(1949..=9999).contains(&parsed.year) {
            return Err(invalid(format!("year `{}` is out of range", parsed.year)));
        }
        if parsed.notice.is_empty() {
            return Err(invalid("at least one [[notice]] is required".to_owned()));
        }
        let notice_rank = |id: &Option<String>| -> Result<usize, CalendarDataError> {
            match id {
                None => Ok(0),
                Some(id) => parsed
                    .notice
                    .iter()
                    .position(|notice| &notice.id == id)
                    .ok_or_else(|| invalid(format!("holiday refers to unknown notice `{id}`"))),
            }
        };
        // Later notices override earlier ones: apply entries ordered by notice, then file order.
        let mut ranked = Vec::new();
        for (position, entry) in parsed.holiday.iter().enumerate() {
            ranked.push((notice_rank(&entry.notice)?, position, entry));
        }
        ranked.sort_by_key(|(rank, position, _)| (*rank, *position));

        let mut days: BTreeMap<Date, NoticeDay> = BTreeMap::new();
        for (_, _, entry) in ranked {
            for spec in &entry.off {
                for date in parse_date_spec(spec).map_err(&invalid)? {
                    check_date_belongs(parsed.year, date).map_err(&invalid)?;
                    days.insert(date, NoticeDay { working: false, name: entry.name.clone() });
                }
            }
            for spec in &entry.work {
                let date = parse_date(spec).map_err(&invalid)?;
                check_date_belongs(parsed.year, date).map_err(&invalid)?;
                if !is_weekend(date) {
                    return Err(invalid(format!(
                        "`{spec}` is listed as an adjusted working day but is not a weekend day"
                    )));
                }
                days.insert(date, NoticeDay { working: true, name: entry.name.clone() });
            }
        }
        Ok(NoticeYear {
            year: parsed.year,
            notices: parsed.notice,
            days: days.into_iter().collect(),
        })
    }
}

/// A notice for year Y sets days in Y, or in the last days of December of Y-1.
fn check_date_belongs(year: i32, date: Date) -> Result<(), String> {
    let previous_december =
        date.year() == year - 1 && date.month() == Month::December && date.day() >= 20;
    if date.year() == year || previous_december {
        Ok(())
    } else {
        Err(format!("`{date}` does not belong to the {year} notice"))
    }
}

fn parse_date(text: &str) -> Result<Date, String> {
    crate::dates::parse_ymd(text.trim())
        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))
}

fn parse_date_spec(spec: &str) -> Result<Vec<Date>, String> {
    match spec.split_once("..") {
        None => Ok(vec![parse_date(spec)?]),
        Some((from, to)) => {
            let (from, to) = (parse_date(from)?, parse_date(to)?);
            if to < from {
                return Err(format!("range `{spec}` is reversed"));
            }
            if (to - from).whole_days() > 31 {
                return Err(format!("range `{spec}` is longer than a month"));
            }
            let mut dates = Vec::new();
            let mut date = from;
            while date <= to {
                dates.push(date);
                date = date.next_day().expect("dates in range have a next day");
            }
            Ok(dates)
        }
    }
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The working-day calendar: which years it covers and every day a notice sets.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    years: BTreeMap<i32, Vec<Notice>>,
    days: BTreeMap<Date, NoticeDay>,
}

impl Calendar {
    /// The calendar compiled into gongkai (2007 through the latest notice in `data/calendar`).
    pub fn builtin() -> &'static Calendar {
        static BUILTIN: OnceLock<Calendar> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            let mut calendar = Calendar::default();
            for (file, source) in BUILTIN_FILES {
                let year = NoticeYear::parse(file, source)
                    .unwrap_or_else(|err| panic!("built-in calendar data is invalid: {err}"));
                calendar
                    .add_year(year)
                    .unwrap_or_else(|err| panic!("built-in calendar data is invalid: {err}"));
            }
            calendar
        })
    }

    /// Adds a notice year (e.g. one entered by a platform administrator when the notice appears).
    ///
    /// A year already present is refused: overriding data needs [`Calendar::replace_year`], which callers
    /// must audit as a correction.
    pub fn add_year(&mut self, year: NoticeYear) -> Result<(), CalendarDataError> {
        if self.years.contains_key(&year.year) {
            return Err(CalendarDataError::DuplicateYear { year: year.year });
        }
        self.insert_year(year);
        Ok(())
    }

    /// Replaces a notice year's days (an explicit, audited correction).
    pub fn replace_year(&mut self, year: NoticeYear) {
        let notice_year = year.year;
        self.days.retain(|date, _| !belongs_to_notice_year(*date, notice_year));
        self.insert_year(year);
    }

    fn insert_year(&mut self, year: NoticeYear) {
        self.years.insert(year.year, year.notices);
        for (date, day) in year.days {
            self.days.insert(date, day);
        }
    }

    /// Marks one more day off (used by tests and by administrators' one-off notices).
    pub fn with_extra_day_off(mut self, date: Date, name: &str) -> Calendar {
        self.days.insert(date, NoticeDay { working: false, name: name.to_owned() });
        self
    }

    /// The years whose notice is loaded.
    pub fn covered_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether the notice for `year` is loaded.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// The notices recorded for `year`.
    pub fn notices(&self, year: i32) -> Option<&[Notice]> {
        self.years.get(&year).map(Vec::as_slice)
    }

    /// The status of `date`, or [`CalendarError::NoCalendarData`] if its year is not covered.
    pub fn day(&self, date: Date) -> Result<Day, CalendarError> {
        if !self.covers(date.year()) {
            return Err(CalendarError::NoCalendarData { year: date.year() });
        }
        Ok(self.day_unchecked(date))
    }

    fn day_unchecked(&self, date: Date) -> Day {
        match self.days.get(&date) {
            Some(NoticeDay { working: true, name }) => {
                Day { date, working: true, reason: DayReason::AdjustedWorkday(name.clone()) }
            }
            Some(NoticeDay { working: false, name }) => {
                Day { date, working: false, reason: DayReason::Holiday(name.clone()) }
            }
            None if is_weekend(date) => Day { date, working: false, reason: DayReason::Weekend },
            None => Day { date, working: true, reason: DayReason::Weekday },
        }
    }

    /// Whether `date` is a working day (工作日).
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        self.day(date).map(|day| day.working)
    }

    /// The `n`-th working day after `start`; `start` itself is never counted (`n = 0` gives `start`).
    ///
    /// This is how statutory periods run: "自收到申请之日起20个工作日内" is due on the 20th working day after
    /// the day of receipt.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        self.day(start)?;
        let mut date = start;
        let mut counted = 0;
        while counted < n {
            date = next_day(date);
            if self.is_working_day(date)? {
                counted += 1;
            }
        }
        Ok(date)
    }

    /// The number of working days `d` with `from < d <= to` (the days a period has used by `to`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, CalendarError> {
        if to < from {
            return Err(CalendarError::ReversedRange { from, to });
        }
        self.day(from)?;
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = next_day(date);
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// The status of any date. In a year without data the statutory holidays themselves ([`fixed`]) and
    /// weekends are days off, while the notice's 补休 and 调休 are unknown; such an answer, and a late-December
    /// answer while next year's notice is missing, carries the missing year in `provisional`.
    pub fn lenient_day(&self, date: Date) -> LenientDay {
        let year = date.year();
        if !self.covers(year) {
            let day = match fixed::holiday_on(date) {
                Some(name) => {
                    Day { date, working: false, reason: DayReason::Holiday(name.to_owned()) }
                }
                None => self.day_unchecked(date),
            };
            return LenientDay { day, provisional: Some(year) };
        }
        let late_december = date.month() == Month::December && date.day() >= LATE_DECEMBER_FROM;
        let provisional = (late_december && !self.covers(year + 1)).then_some(year + 1);
        LenientDay { day: self.day_unchecked(date), provisional }
    }

    /// Every date from `from` to `to` (inclusive) whose status differs between the two calendars, with the
    /// status on each side (`None` where a side has no data for the year).
    pub fn differences(
        &self,
        other: &Calendar,
        from: Date,
        to: Date,
    ) -> Vec<(Date, Option<bool>, Option<bool>)> {
        let mut found = Vec::new();
        let mut date = from;
        while date <= to {
            let ours = self.is_working_day(date).ok();
            let theirs = other.is_working_day(date).ok();
            if ours != theirs {
                found.push((date, ours, theirs));
            }
            date = next_day(date);
        }
        found
    }

    /// Builds a calendar from explicit day lists (an external data set to compare against).
    ///
    /// `years` are the covered years; `days` are (date, working) entries overriding the weekday rule.
    pub fn from_day_list(years: &BTreeSet<i32>, days: &[(Date, bool, String)]) -> Calendar {
        let mut calendar = Calendar::default();
        for year in years {
            calendar.years.insert(*year, Vec::new());
        }
        for (date, working, name) in days {
            calendar.days.insert(*date, NoticeDay { working: *working, name: name.clone() });
        }
        calendar
    }
}

/// Reading the public holiday-cn data set (NateScarlet/holiday-cn: `{year, papers, days[{name, date,
/// isOffDay}]}`), used to check our own data against an independent source. Parsing only; the caller reads
/// the files.
pub mod holiday_cn {
    use std::collections::BTreeSet;

    use serde::Deserialize;
    use time::Date;

    use super::{Calendar, parse_date};

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct YearFile {
        year: i32,
        #[serde(default)]
        papers: Vec<String>,
        days: Vec<DayEntry>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct DayEntry {
        name: String,
        date: String,
        is_off_day: bool,
    }

    /// One year file of the data set.
    #[derive(Debug, Clone)]
    pub struct Year {
        pub year: i32,
        pub papers: Vec<String>,
        pub days: Vec<(Date, bool, String)>,
    }

    impl Year {
        /// Parses one `YYYY.json`; `days` holds (date, is working day, name).
        pub fn parse(json: &str) -> Result<Year, String> {
            let file: YearFile = serde_json::from_str(json).map_err(|err| err.to_string())?;
            let mut days = Vec::with_capacity(file.days.len());
            for entry in file.days {
                days.push((parse_date(&entry.date)?, !entry.is_off_day, entry.name));
            }
            Ok(Year { year: file.year, papers: file.papers, days })
        }

        /// A year with no days listed is a placeholder for a notice not yet published.
        pub fn is_placeholder(&self) -> bool {
            self.days.is_empty() && self.papers.is_empty()
        }
    }

    /// A calendar covering the non-placeholder years given.
    pub fn calendar(years: &[Year]) -> Calendar {
        let covered: BTreeSet<i32> =
            years.iter().filter(|year| !year.is_placeholder()).map(|year| year.year).collect();
        let days: Vec<(Date, bool, String)> =
            years.iter().flat_map(|year| year.days.iter().cloned()).collect();
        Calendar::from_day_list(&covered, &days)
    }
}

fn belongs_to_notice_year(date: Date, notice_year: i32) -> bool {
    date.year() == notice_year
        || (date.year() == notice_year - 1 && date.month() == Month::December && date.day() >= 20)
}

fn next_day(date: Date) -> Date {
    date.next_day().expect("calendar dates stay far below Date::MAX")
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[track_caller]
    fn check_working(date: Date, expected: bool) {
        assert_eq!(Calendar::builtin().is_working_day(date), Ok(expected), "{date}");
    }

    #[test]
    fn builtin_covers_2007_through_2026() {
        let years: Vec<i32> = Calendar::builtin().covered_years().collect();
        assert_eq!(years, (2007..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn spring_festival_2026_days_off_and_adjusted_saturdays() {
        check_working(date!(2026 - 02 - 14), true); // Saturday, 调休上班
        check_working(date!(2026 - 02 - 16), false); // Monday, 春节
        check_working(date!(2026 - 02 - 23), false);
        check_working(date!(2026 - 02 - 24), true);
        check_working(date!(2026 - 02 - 28), true); // Saturday, 调休上班
    }

    #[test]
    fn later_notice_overrides_earlier_one_in_2020() {
        // The annual notice made Saturday 2020-02-01 a working day; the extension notice made it a day off.
        check_working(date!(2020 - 02 - 01), false);
        check_working(date!(2020 - 02 - 03), true);
    }

    #[test]
    fn next_year_notice_sets_late_december_days() {
        // The 2019 notice: 2018-12-29 (Saturday) worked, 2018-12-31 (Monday) off.
        check_working(date!(2018 - 12 - 29), true);
        check_working(date!(2018 - 12 - 31), false);
    }

    #[test]
    fn the_2015_anniversary_notice_is_included() {
        check_working(date!(2015 - 09 - 03), false);
        check_working(date!(2015 - 09 - 04), false);
        check_working(date!(2015 - 09 - 06), true);
    }

    #[test]
    fn uncovered_year_is_an_error_never_a_guess() {
        let calendar = Calendar::builtin();
        assert_eq!(
            calendar.is_working_day(date!(2027 - 01 - 04)),
            Err(CalendarError::NoCalendarData { year: 2027 })
        );
        assert_eq!(
            calendar.is_working_day(date!(2006 - 12 - 30)),
            Err(CalendarError::NoCalendarData { year: 2006 })
        );
        assert_eq!(
            calendar.add_working_days(date!(2026 - 12 - 20), 20),
            Err(CalendarError::NoCalendarData { year: 2027 })
        );
    }

    #[test]
    fn add_working_days_skips_national_day_week() {
        // Received Tuesday 2025-09-30: 10-01..10-08 off, 10-11 (Saturday) worked.
        // Day 1 = 10-09, 2 = 10-10, 3 = 10-11 (调休), 4 = 10-13, 5 = 10-14.
        let calendar = Calendar::builtin();
        assert_eq!(calendar.add_working_days(date!(2025 - 09 - 30), 5), Ok(date!(2025 - 10 - 14)));
        assert_eq!(
            calendar.working_days_between(date!(2025 - 09 - 30), date!(2025 - 10 - 14)),
            Ok(5)
        );
    }

    #[test]
    fn working_days_between_refuses_reversed_range() {
        let calendar = Calendar::builtin();
        assert!(matches!(
            calendar.working_days_between(date!(2025 - 03 - 10), date!(2025 - 03 - 01)),
            Err(CalendarError::ReversedRange { .. })
        ));
    }

    #[test]
    fn lenient_day_marks_missing_year_and_late_december_provisional() {
        let calendar = Calendar::builtin();
        let day = calendar.lenient_day(date!(2027 - 01 - 04));
        assert!(day.day.working);
        assert_eq!(day.provisional, Some(2027));
        assert_eq!(calendar.lenient_day(date!(2026 - 12 - 28)).provisional, Some(2027));
        assert_eq!(calendar.lenient_day(date!(2026 - 12 - 01)).provisional, None);
        assert_eq!(calendar.lenient_day(date!(2025 - 12 - 29)).provisional, None);
    }

    #[test]
    fn lenient_day_knows_the_statutory_holidays_of_a_year_without_notice() {
        let calendar = Calendar::builtin();
        let new_year = calendar.lenient_day(date!(2027 - 01 - 01));
        assert_eq!(new_year.day.reason, DayReason::Holiday("元旦".to_owned()));
        assert!(!new_year.day.working);
        assert_eq!(new_year.provisional, Some(2027));
        // 除夕 2027 is Friday 02-05; 初三 Monday 02-08; Tuesday 02-09 is a plain (provisional) working day.
        assert!(!calendar.lenient_day(date!(2027 - 02 - 05)).day.working);
        assert!(!calendar.lenient_day(date!(2027 - 02 - 08)).day.working);
        assert!(calendar.lenient_day(date!(2027 - 02 - 09)).day.working);
        // National Day of 2030 (Tuesday to Thursday).
        for day in [date!(2030 - 10 - 01), date!(2030 - 10 - 03)] {
            assert_eq!(
                calendar.lenient_day(day).day.reason,
                DayReason::Holiday("国庆节".to_owned())
            );
        }
        // A covered year is answered from its notice: 2026-10-07 (Wednesday) off as the notice set it.
        assert_eq!(
            calendar.lenient_day(date!(2026 - 10 - 07)).day.reason,
            DayReason::Holiday("国庆节".to_owned())
        );
        assert!(calendar.lenient_day(date!(2026 - 10 - 08)).day.working);
    }

    #[test]
    fn a_year_already_present_is_refused_without_explicit_correction() {
        let mut calendar = Calendar::builtin().clone();
        let again = NoticeYear::parse("2026.toml", BUILTIN_FILES.last().unwrap().1).unwrap();
        assert_eq!(
            calendar.add_year(again.clone()),
            Err(CalendarDataError::DuplicateYear { year: 2026 })
        );
        calendar.replace_year(again);
        assert_eq!(calendar.is_working_day(date!(2026 - 02 - 14)), Ok(true));
    }

    #[test]
    fn adding_2027_makes_its_dates_answerable() {
        let mut calendar = Calendar::builtin().clone();
        let source = r#"
            year = 2027
            [[notice]]
            id = "annual"
            title = "国务院办公厅关于2027年部分节假日安排的通知"
            url = "https://example.invalid/2027"
            [[holiday]]
            name = "元旦"
            off = ["2027-01-01..2027-01-03"]
        "#;
        calendar.add_year(NoticeYear::parse("2027.toml", source).unwrap()).unwrap();
        assert_eq!(calendar.is_working_day(date!(2027 - 01 - 01)), Ok(false));
        assert_eq!(calendar.lenient_day(date!(2026 - 12 - 28)).provisional, None);
    }

    #[test]
    fn invalid_notice_files_are_refused_with_the_reason() {
        let bad_work_day = r#"
            year = 2030
            [[notice]]
            id = "annual"
            title = "t"
            url = "u"
            [[holiday]]
            name = "春节"
            work = ["2030-02-04"]
        "#;
        let err = NoticeYear::parse("2030.toml", bad_work_day).unwrap_err();
        assert!(err.to_string().contains("not a weekend day"), "{err}");

        let wrong_year = bad_work_day.replace("work = [\"2030-02-04\"]", "off = [\"2031-02-04\"]");
        let err = NoticeYear::parse("2030.toml", &wrong_year).unwrap_err();
        assert!(err.to_string().contains("does not belong"), "{err}");

        let unknown_notice = bad_work_day
            .replace("work = [\"2030-02-04\"]", "notice = \"x\"\noff = [\"2030-02-04\"]");
        let err = NoticeYear::parse("2030.toml", &unknown_notice).unwrap_err();
        assert!(err.to_string().contains("unknown notice"), "{err}");
    }
}
