//! Proactive disclosure (主动公开) rules for publishing a catalog item: the 索引号 from the agency's pattern,
//! and the 20-working-day publication period.

use time::Date;

use crate::calendar::{Calendar, CalendarError};

/// Working days within which information must be published after it is formed or changed (2019 条例
/// art. 26: "属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起20个工作日内及时公开"; the same
/// period in 2007 条例 art. 18).
pub const PUBLICATION_WORKING_DAYS: u32 = 20;

/// An index-number pattern that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error(
        "unknown placeholder `{{{0}}}` in the index-number pattern (use code, year, month, serial)"
    )]
    Unknown(String),
    #[error("the index-number pattern has no `{{serial}}`, so two items would get the same number")]
    NoSerial,
    #[error("unclosed `{{` in the index-number pattern")]
    Unclosed,
}

/// The 索引号 of the `serial`-th item the agency `code` published in the year of `published`, from the
/// agency's `pattern`.
///
/// 《政府信息公开目录系统实施指引（试行）》: "索引号采用“前段码/后段码”的格式……前段码为信息发布单位的组织
/// 机构代码……后段码为“4位年份数字”加上“5位数字流水号”中间用“—”链接" — the default pattern
/// `{code}/{year}-{serial:05}` gives `000014349/2019-00007`. Agencies use variants (YYYYMM in the middle, no
/// slash), so the pattern is configurable: `{code}`, `{year}`, `{month}` (two digits), `{serial}` or
/// `{serial:0N}` (zero-padded to N digits).
pub fn index_number(
    pattern: &str,
    code: &str,
    published: Date,
    serial: u64,
) -> Result<String, PatternError> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    let mut has_serial = false;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('}').ok_or(PatternError::Unclosed)?;
        let placeholder = &after[..end];
        match placeholder {
            "code" => out.push_str(code),
            "year" => out.push_str(&format!("{:04}", published.year())),
            "month" => out.push_str(&format!("{:02}", u8::from(published.month()))),
            "serial" => {
                has_serial = true;
                out.push_str(&serial.to_string());
            }
            other => {
                match other.strip_prefix("serial:0").and_then(|width| width.parse::<usize>().ok()) {
                    Some(width) if width <= 12 => {
                        has_serial = true;
                        out.push_str(&format!("{serial:0width$}"));
                    }
                    _ => return Err(PatternError::Unknown(other.to_owned())),
                }
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if has_serial { Ok(out) } else { Err(PatternError::NoSerial) }
}

/// How many working days after the 20-working-day period (art. 26) an item formed on `formed` was published
/// on `published`; `None` when it was on time (or published before it was formed).
pub fn late_by(
    calendar: &Calendar,
    formed: Date,
    published: Date,
) -> Result<Option<u32>, CalendarError> {
    if published <= formed {
        return Ok(None);
    }
    let used = calendar.working_days_between(formed, published)?;
    Ok(used.checked_sub(PUBLICATION_WORKING_DAYS).filter(|late| *late > 0))
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn index_numbers_follow_the_pattern() {
        let day = date!(2019 - 03 - 07);
        assert_eq!(
            index_number("{code}/{year}-{serial:05}", "000014349", day, 7).unwrap(),
            "000014349/2019-00007"
        );
        assert_eq!(
            index_number("{code}/{year}{month}-{serial:05}", "11341702486344515H", day, 13)
                .unwrap(),
            "11341702486344515H/201903-00013"
        );
        assert_eq!(
            index_number("{code}-{year}-{serial}", "01527918X", day, 153077).unwrap(),
            "01527918X-2019-153077"
        );
        assert_eq!(index_number("{code}/{year}", "X", day, 1), Err(PatternError::NoSerial));
        assert!(matches!(
            index_number("{code}/{yr}-{serial}", "X", day, 1),
            Err(PatternError::Unknown(_))
        ));
        assert_eq!(index_number("{code", "X", day, 1), Err(PatternError::Unclosed));
    }

    #[test]
    fn publication_is_late_after_twenty_working_days() {
        let calendar = Calendar::builtin();
        // Formed Monday 2026-11-02: the 20th working day after is Monday 2026-11-30.
        assert_eq!(late_by(calendar, date!(2026 - 11 - 02), date!(2026 - 11 - 30)).unwrap(), None);
        assert_eq!(
            late_by(calendar, date!(2026 - 11 - 02), date!(2026 - 12 - 01)).unwrap(),
            Some(1)
        );
        // Across 国庆 2026 the period ends where the calendar's 20th working day is.
        let due = calendar.add_working_days(date!(2026 - 09 - 28), 20).unwrap();
        assert_eq!(late_by(calendar, date!(2026 - 09 - 28), due).unwrap(), None);
        let next = calendar.add_working_days(date!(2026 - 09 - 28), 21).unwrap();
        assert_eq!(late_by(calendar, date!(2026 - 09 - 28), next).unwrap(), Some(1));
        // A weekend right after the last day does not make it late.
        assert_eq!(late_by(calendar, date!(2026 - 11 - 06), date!(2026 - 12 - 05)).unwrap(), None);
        assert_eq!(late_by(calendar, date!(2026 - 11 - 02), date!(2026 - 11 - 01)).unwrap(), None);
    }
}
