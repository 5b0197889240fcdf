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

/// Whether `text` is blank: empty or only white space. White space is the characters every regular
/// expression engine agrees on (the API document states the same set as a pattern), not Rust's `trim`
/// alone: U+FEFF (a byte-order mark) counts as blank, as it does in ECMAScript's `\s`.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|ch| ch.is_whitespace() || ch == '\u{feff}')
}

/// Longest title of a catalog item, in characters.
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest body text of a catalog item, in characters (about 60 KB of Chinese; longer texts go out as an
/// attachment).
pub const MAX_BODY_CHARS: usize = 20_000;

/// An item about to be published or edited, with its dates read: what [`check_draft`] judges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft<'a> {
    pub title: &'a str,
    pub category: &'a str,
    pub body: &'a str,
    pub doc_number: &'a str,
    pub published: Date,
    pub formed: Option<Date>,
    /// 有效, 失效 or 废止 (see [`VALIDITIES`]).
    pub validity: &'a str,
    pub normative: bool,
    pub repealed: Option<Date>,
    pub channels: &'a [(crate::records::PublishChannel, Date)],
}

/// The validity values an item can have.
pub const VALIDITIES: [&str; 3] = ["有效", "失效", "废止"];

/// What is wrong with a [`Draft`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftProblem {
    TitleMissing,
    TitleTooLong,
    CategoryMissing,
    BodyTooLong,
    /// Published after today: an item is published when it goes out, not announced ahead.
    PublishedAfterToday,
    /// Formed (成文) after it was published.
    FormedAfterPublished,
    ValidityUnknown,
    /// A normative document (规范性文件) is registered by its 文号 for the annual report (2019 format table
    /// 二, 规章/规范性文件 rows), so it must have one.
    NormativeWithoutNumber,
    /// Only a normative document has a repeal date (废止).
    RepealedNotNormative,
    ChannelBeforePublished(crate::records::PublishChannel),
    ChannelAfterToday(crate::records::PublishChannel),
    /// An item goes out on at least one channel (the channels are counted in the annual report).
    NoChannel,
}

impl DraftProblem {
    /// The form field the problem is about.
    pub fn field(self) -> &'static str {
        match self {
            DraftProblem::TitleMissing | DraftProblem::TitleTooLong => "title",
            DraftProblem::CategoryMissing => "category",
            DraftProblem::BodyTooLong => "body",
            DraftProblem::PublishedAfterToday => "published",
            DraftProblem::FormedAfterPublished => "formed",
            DraftProblem::ValidityUnknown => "validity",
            DraftProblem::NormativeWithoutNumber => "doc_number",
            DraftProblem::RepealedNotNormative => "repealed",
            DraftProblem::ChannelBeforePublished(_)
            | DraftProblem::ChannelAfterToday(_)
            | DraftProblem::NoChannel => "channels",
        }
    }

    /// The problem as the back office shows it.
    pub fn message(self) -> String {
        match self {
            DraftProblem::TitleMissing => "请填写标题。".to_owned(),
            DraftProblem::TitleTooLong => format!("标题不能超过{MAX_TITLE_CHARS}个字。"),
            DraftProblem::CategoryMissing => "请填写或选择目录分类。".to_owned(),
            DraftProblem::BodyTooLong => "正文过长，请以附件形式发布。".to_owned(),
            DraftProblem::PublishedAfterToday => "发布日期不能晚于今天。".to_owned(),
            DraftProblem::FormedAfterPublished => "成文日期不能晚于发布日期。".to_owned(),
            DraftProblem::ValidityUnknown => "请选择有效性。".to_owned(),
            DraftProblem::NormativeWithoutNumber => "规范性文件须填写文号。".to_owned(),
            DraftProblem::RepealedNotNormative => "只有规范性文件才有废止日期。".to_owned(),
            DraftProblem::ChannelBeforePublished(channel) => {
                format!("{}的发布日期不能早于发布日期。", channel.label())
            }
            DraftProblem::ChannelAfterToday(channel) => {
                format!("{}的发布日期不能晚于今天。", channel.label())
            }
            DraftProblem::NoChannel => "请至少选择一个公开渠道。".to_owned(),
        }
    }

    /// The problem in English (the JSON API's errors).
    pub fn english(self) -> String {
        match self {
            DraftProblem::TitleMissing => "`title` is empty".to_owned(),
            DraftProblem::TitleTooLong => {
                format!("`title` is longer than {MAX_TITLE_CHARS} characters")
            }
            DraftProblem::CategoryMissing => "`category` is empty".to_owned(),
            DraftProblem::BodyTooLong => {
                format!(
                    "`body` is longer than {MAX_BODY_CHARS} characters; publish it as an attachment"
                )
            }
            DraftProblem::PublishedAfterToday => "`published` is after today (China)".to_owned(),
            DraftProblem::FormedAfterPublished => "`formed` is after `published`".to_owned(),
            DraftProblem::ValidityUnknown => "`validity` must be 有效, 失效 or 废止".to_owned(),
            DraftProblem::NormativeWithoutNumber => {
                "a normative document needs its `doc_number` (文号)".to_owned()
            }
            DraftProblem::RepealedNotNormative => {
                "only a normative document has a `repealed` date".to_owned()
            }
            DraftProblem::ChannelBeforePublished(channel) => {
                format!("channel `{}` is dated before `published`", channel.code())
            }
            DraftProblem::ChannelAfterToday(channel) => {
                format!("channel `{}` is dated after today (China)", channel.code())
            }
            DraftProblem::NoChannel => "an item goes out on at least one channel".to_owned(),
        }
    }
}

/// What is wrong with `draft` on `today`, in the order of the form's fields; empty when it can be published.
pub fn check_draft(draft: &Draft<'_>, today: Date) -> Vec<DraftProblem> {
    let mut problems = Vec::new();
    if is_blank(draft.title) {
        problems.push(DraftProblem::TitleMissing);
    } else if draft.title.chars().count() > MAX_TITLE_CHARS {
        problems.push(DraftProblem::TitleTooLong);
    }
    if is_blank(draft.category) {
        problems.push(DraftProblem::CategoryMissing);
    }
    if draft.body.chars().count() > MAX_BODY_CHARS {
        problems.push(DraftProblem::BodyTooLong);
    }
    if draft.published > today {
        problems.push(DraftProblem::PublishedAfterToday);
    }
    if draft.formed.is_some_and(|formed| formed > draft.published) {
        problems.push(DraftProblem::FormedAfterPublished);
    }
    if !VALIDITIES.contains(&draft.validity) {
        problems.push(DraftProblem::ValidityUnknown);
    }
    if draft.normative && is_blank(draft.doc_number) {
        problems.push(DraftProblem::NormativeWithoutNumber);
    }
    if draft.repealed.is_some() && !draft.normative {
        problems.push(DraftProblem::RepealedNotNormative);
    }
    for (channel, day) in draft.channels {
        if *day < draft.published {
            problems.push(DraftProblem::ChannelBeforePublished(*channel));
        } else if *day > today {
            problems.push(DraftProblem::ChannelAfterToday(*channel));
        }
    }
    if draft.channels.is_empty() {
        problems.push(DraftProblem::NoChannel);
    }
    problems
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

    fn draft<'a>(channels: &'a [(crate::records::PublishChannel, Date)]) -> Draft<'a> {
        Draft {
            title: "关于印发某办法的通知",
            category: "政策文件",
            body: "",
            doc_number: "",
            published: date!(2026 - 12 - 01),
            formed: Some(date!(2026 - 11 - 20)),
            validity: "有效",
            normative: false,
            repealed: None,
            channels,
        }
    }

    #[test]
    fn a_draft_is_checked_against_today_and_its_own_dates() {
        use crate::records::PublishChannel::{Gazette, Website};
        let today = date!(2026 - 12 - 07);
        let channels = [(Website, date!(2026 - 12 - 01)), (Gazette, date!(2026 - 12 - 07))];
        assert_eq!(check_draft(&draft(&channels), today), []);
        // Published tomorrow, formed after it, a channel before it and one after today.
        let late = [(Website, date!(2026 - 12 - 07)), (Gazette, date!(2026 - 12 - 09))];
        let mut wrong = draft(&late);
        wrong.published = date!(2026 - 12 - 08);
        wrong.formed = Some(date!(2026 - 12 - 09));
        assert_eq!(
            check_draft(&wrong, today),
            [
                DraftProblem::PublishedAfterToday,
                DraftProblem::FormedAfterPublished,
                DraftProblem::ChannelBeforePublished(Website),
                DraftProblem::ChannelAfterToday(Gazette),
            ]
        );
        let mut normative = draft(&[]);
        normative.normative = true;
        normative.title = " ";
        normative.validity = "现行有效";
        assert_eq!(
            check_draft(&normative, today),
            [
                DraftProblem::TitleMissing,
                DraftProblem::ValidityUnknown,
                DraftProblem::NormativeWithoutNumber,
                DraftProblem::NoChannel,
            ]
        );
        let long = "长".repeat(MAX_TITLE_CHARS + 1);
        let mut repealed = draft(&channels);
        repealed.repealed = Some(today);
        repealed.title = &long;
        assert_eq!(
            check_draft(&repealed, today),
            [DraftProblem::TitleTooLong, DraftProblem::RepealedNotNormative]
        );
        assert_eq!(
            DraftProblem::ChannelAfterToday(Gazette).message(),
            "政府公报的发布日期不能晚于今天。"
        );
        assert_eq!(DraftProblem::NoChannel.field(), "channels");
    }
}
