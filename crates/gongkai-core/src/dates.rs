//! Dates as the platform writes and reads them: `YYYY-MM-DD` (the database, forms, files, the API), and
//! the day in China an instant falls on. One parser and one "today" for every crate (the edges read the
//! clock and pass the instant in; the core never reads it).

use time::{Date, OffsetDateTime, UtcOffset};

/// A date written `YYYY-MM-DD`, exactly (ten characters, no spaces, a real calendar day); `None` otherwise.
/// Read byte by byte, without a format description: the store reads every date of a region's records
/// through here.
pub fn parse_ymd(text: &str) -> Option<Date> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u16> {
        bytes[range].iter().try_fold(0u16, |value, &byte| {
            byte.is_ascii_digit().then(|| value * 10 + u16::from(byte - b'0'))
        })
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()
}

/// China's offset from UTC: eight hours, all year (no daylight saving since 1991).
pub const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// The day in China at `instant` — the day the statute's periods count in.
pub fn day_in_china(instant: OffsetDateTime) -> Date {
    instant.to_offset(CHINA).date()
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn only_a_real_day_written_in_full_is_a_date() {
        assert_eq!(parse_ymd("2026-12-07"), Some(date!(2026 - 12 - 07)));
        assert_eq!(parse_ymd("2024-02-29"), Some(date!(2024 - 02 - 29)));
        for text in [
            "2026-2-07",
            "2026-12-7",
            " 2026-12-07",
            "2026-12-07 ",
            "2026/12/07",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "20261207",
            "",
            "２０２６-12-07",
        ] {
            assert_eq!(parse_ymd(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_day_in_china_turns_at_sixteen_hundred_utc() {
        assert_eq!(day_in_china(datetime!(2026-12-06 15:59:59 UTC)), date!(2026 - 12 - 06));
        assert_eq!(day_in_china(datetime!(2026-12-06 16:00:00 UTC)), date!(2026 - 12 - 07));
    }
}
