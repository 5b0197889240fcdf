//! A reading point's week (查阅点): the slots of its day, and those of any weekday that differs from it — a
//! point closed on Friday afternoons, or open only in the morning on Wednesdays. Which days are working days
//! at all is the calendar's ([`crate::calendar`]); a 调休 Saturday or Sunday has Saturday's or Sunday's
//! slots, which are the day's unless set otherwise.
//!
//! Stored as two texts: the day's slots, `09:00-10:30,10:30-12:00`, and the weekdays that differ,
//! `3=09:00-10:30;5=` (ISO weekday number, 1 = Monday; nothing after `=` is a weekday it does not open).

use std::fmt;

use serde::{Serialize, Serializer};
use time::Weekday;

/// The weekdays' names as the portal writes them, Monday first.
const WEEKDAY_NAMES: [&str; 7] =
    ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];

/// The name of a day's weekday, as the portal writes it (星期一 …).
pub fn weekday_name(weekday: Weekday) -> &'static str {
    WEEKDAY_NAMES[weekday.number_days_from_monday() as usize]
}

/// What a staff member types for a weekday the point does not open.
const CLOSED_WORDS: [&str; 5] = ["不开放", "闭馆", "休息", "关闭", "无"];

/// Why a schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// A slot (or a weekday's field) that is not `HH:MM-HH:MM` with the start first.
    #[error("slot `{0}` is not HH:MM-HH:MM with the start before the end")]
    BadSlot(String),
    /// Two slots of one day that overlap.
    #[error("slots {0} and {1} overlap")]
    Overlap(String, String),
    /// No slot in the day.
    #[error("a reading point needs at least one slot")]
    NoSlots,
    /// A stored weekday that is not `N=slots` with N from 1 to 7.
    #[error("`{0}` is not a weekday's slots (1=HH:MM-HH:MM,… with 1 = Monday … 7 = Sunday)")]
    BadWeekday(String),
    /// Every weekday marked as not open.
    #[error("the reading point opens on no weekday")]
    NeverOpen,
}

/// One bookable period of a day, `HH:MM-HH:MM`, in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Slot {
    start: u16,
    end: u16,
}

impl Slot {
    /// Reads `HH:MM-HH:MM` (two digits each, 00:00 to 23:59, the start before the end).
    pub fn parse(text: &str) -> Result<Self, ScheduleError> {
        let minutes = |part: &str| -> Option<u16> {
            let (hours, minutes) = part.split_once(':')?;
            if hours.len() != 2 || minutes.len() != 2 {
                return None;
            }
            let (hours, minutes): (u16, u16) = (hours.parse().ok()?, minutes.parse().ok()?);
            (hours < 24 && minutes < 60).then_some(hours * 60 + minutes)
        };
        text.trim()
            .split_once('-')
            .and_then(|(start, end)| Some((minutes(start)?, minutes(end)?)))
            .filter(|(start, end)| start < end)
            .map(|(start, end)| Slot { start, end })
            .ok_or_else(|| ScheduleError::BadSlot(text.trim().to_owned()))
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

impl Serialize for Slot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A reading point's week: the day's slots, and the weekdays whose slots differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Schedule {
    daily: Vec<Slot>,
    /// Monday first; `None` has the day's slots, `Some(empty)` does not open.
    weekdays: [Option<Vec<Slot>>; 7],
}

/// Sorts a day's slots and refuses overlapping ones (a seat cannot be in two slots at once).
fn day_of(mut slots: Vec<Slot>) -> Result<Vec<Slot>, ScheduleError> {
    slots.sort();
    slots.dedup();
    if let Some(pair) = slots.windows(2).find(|pair| pair[1].start < pair[0].end) {
        return Err(ScheduleError::Overlap(pair[0].to_string(), pair[1].to_string()));
    }
    Ok(slots)
}

/// Slots as typed or stored: separated by commas, semicolons (full-width too), 、, spaces or new lines;
/// full-width digits and colons, and 至, ～, － or — between the times, read as `HH:MM-HH:MM`.
fn slot_list(text: &str) -> Result<Vec<Slot>, ScheduleError> {
    let text: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (u32::from(c) - u32::from('０')) as u8),
            '：' => ':',
            '－' | '—' | '–' | '～' | '~' | '至' => '-',
            c => c,
        })
        .collect();
    text.split(|c: char| matches!(c, ',' | '，' | '、' | ';' | '；') || c.is_whitespace())
        .filter(|part| !part.trim().is_empty())
        .map(Slot::parse)
        .collect()
}

impl Schedule {
    /// A week from the day's slots (at least one) and the weekdays that differ (Monday first). Each day's
    /// slots are sorted; overlapping slots are refused, as is a week with no open weekday.
    pub fn new(daily: Vec<Slot>, weekdays: [Option<Vec<Slot>>; 7]) -> Result<Self, ScheduleError> {
        let daily = day_of(daily)?;
        if daily.is_empty() {
            return Err(ScheduleError::NoSlots);
        }
        let mut checked: [Option<Vec<Slot>>; 7] = Default::default();
        for (at, slots) in weekdays.into_iter().enumerate() {
            checked[at] = slots.map(day_of).transpose()?;
        }
        if checked.iter().all(|slots| slots.as_ref().is_some_and(Vec::is_empty)) {
            return Err(ScheduleError::NeverOpen);
        }
        Ok(Schedule { daily, weekdays: checked })
    }

    /// A week as staff type it: the day's slots, and per weekday (Monday first) blank for the day's slots,
    /// 不开放 (or 闭馆, 休息, 关闭, 无) for a weekday it does not open, or that weekday's slots.
    pub fn typed(daily: &str, weekdays: [&str; 7]) -> Result<Self, ScheduleError> {
        let mut week: [Option<Vec<Slot>>; 7] = Default::default();
        for (at, text) in weekdays.iter().enumerate() {
            let text = text.trim();
            week[at] = if text.is_empty() {
                None
            } else if CLOSED_WORDS.contains(&text) {
                Some(Vec::new())
            } else {
                let slots = slot_list(text)?;
                if slots.is_empty() {
                    return Err(ScheduleError::BadSlot(text.to_owned()));
                }
                Some(slots)
            };
        }
        Schedule::new(slot_list(daily)?, week)
    }

    /// A week as stored ([`Schedule::daily_text`], [`Schedule::weekly_text`]). Slots stored before weeks
    /// were checked for overlaps (schema 8 and earlier) are read as they are: each is still a slot of its
    /// own, booked by its text.
    pub fn stored(daily: &str, weekly: &str) -> Result<Self, ScheduleError> {
        let mut week: [Option<Vec<Slot>>; 7] = Default::default();
        for part in weekly.split(';').map(str::trim).filter(|part| !part.is_empty()) {
            let bad = || ScheduleError::BadWeekday(part.to_owned());
            let (number, slots) = part.split_once('=').ok_or_else(bad)?;
            let at = match number.trim().parse::<usize>() {
                Ok(number @ 1..=7) => number - 1,
                _ => return Err(bad()),
            };
            week[at] = Some(slot_list(slots)?);
        }
        match Schedule::new(slot_list(daily)?, week.clone()) {
            Err(ScheduleError::Overlap(..)) => {
                let sorted = |mut slots: Vec<Slot>| {
                    slots.sort();
                    slots.dedup();
                    slots
                };
                Ok(Schedule {
                    daily: sorted(slot_list(daily)?),
                    weekdays: week.map(|slots| slots.map(sorted)),
                })
            }
            other => other,
        }
    }

    /// The day's slots, in order.
    pub fn daily(&self) -> &[Slot] {
        &self.daily
    }

    /// A weekday's own slots where they differ from the day's (empty: it does not open).
    pub fn differs_on(&self, weekday: Weekday) -> Option<&[Slot]> {
        self.weekdays[weekday.number_days_from_monday() as usize].as_deref()
    }

    /// The slots offered on a working day falling on `weekday`, in order (empty: not open that weekday).
    pub fn on(&self, weekday: Weekday) -> &[Slot] {
        self.differs_on(weekday).unwrap_or(&self.daily)
    }

    /// Every slot of the week, in order, once: the columns of an availability table.
    pub fn all(&self) -> Vec<Slot> {
        let mut all: Vec<Slot> =
            self.daily.iter().chain(self.weekdays.iter().flatten().flatten()).copied().collect();
        all.sort();
        all.dedup();
        all
    }

    /// The day's slots as stored: `09:00-10:30,10:30-12:00`.
    pub fn daily_text(&self) -> String {
        join(&self.daily, ",")
    }

    /// The weekdays that differ as stored: `3=09:00-10:30;5=` (empty when none does).
    pub fn weekly_text(&self) -> String {
        self.weekdays
            .iter()
            .enumerate()
            .filter_map(|(at, slots)| {
                slots.as_ref().map(|slots| format!("{}={}", at + 1, join(slots, ",")))
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    /// A weekday's field as staff typed it: blank for the day's slots, 不开放, or its slots one per line.
    pub fn typed_weekday(&self, weekday: Weekday) -> String {
        match self.differs_on(weekday) {
            None => String::new(),
            Some([]) => CLOSED_WORDS[0].to_owned(),
            Some(slots) => join(slots, "\n"),
        }
    }
}

/// Slots as text with `separator` between them.
fn join(slots: &[Slot], separator: &str) -> String {
    slots.iter().map(Slot::to_string).collect::<Vec<_>>().join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(text: &str) -> Slot {
        Slot::parse(text).unwrap()
    }

    #[test]
    fn slots_are_hh_mm_ranges_with_the_start_first() {
        assert_eq!(slot("09:00-10:30").to_string(), "09:00-10:30");
        assert_eq!(slot(" 14:00-17:00 ").to_string(), "14:00-17:00");
        for bad in
            ["10:30-09:00", "09:00-09:00", "9:00-10:30", "09:00", "24:00-25:00", "09:60-10:00"]
        {
            assert_eq!(Slot::parse(bad), Err(ScheduleError::BadSlot(bad.to_owned())), "{bad}");
        }
    }

    #[test]
    fn a_weekday_that_differs_has_its_own_slots_and_the_rest_the_days() {
        // Closed on Friday afternoons, not open on Wednesdays; a 调休 Saturday has the day's slots.
        let week = Schedule::typed(
            "09:00-10:30\n10:30-12:00\n14:00-15:30",
            ["", "", "不开放", "", "09:00-10:30，10:30-12:00", "", ""],
        )
        .unwrap();
        let names = |slots: &[Slot]| slots.iter().map(Slot::to_string).collect::<Vec<_>>();
        assert_eq!(names(week.on(Weekday::Monday)), ["09:00-10:30", "10:30-12:00", "14:00-15:30"]);
        assert!(week.on(Weekday::Wednesday).is_empty());
        assert_eq!(names(week.on(Weekday::Friday)), ["09:00-10:30", "10:30-12:00"]);
        assert_eq!(week.on(Weekday::Saturday), week.daily());
        assert_eq!(week.weekly_text(), "3=;5=09:00-10:30,10:30-12:00");
        assert_eq!(week.typed_weekday(Weekday::Wednesday), "不开放");
        assert_eq!(week.typed_weekday(Weekday::Monday), "");
        // Stored and read back, the same week.
        assert_eq!(Schedule::stored(&week.daily_text(), &week.weekly_text()).unwrap(), week);
    }

    #[test]
    fn the_weeks_columns_are_every_slot_once_in_order() {
        let week =
            Schedule::stored("14:00-15:30,09:00-10:30", "2=08:30-09:00,09:00-10:30;4=16:00-17:00")
                .unwrap();
        let all: Vec<String> = week.all().iter().map(Slot::to_string).collect();
        assert_eq!(all, ["08:30-09:00", "09:00-10:30", "14:00-15:30", "16:00-17:00"]);
        assert_eq!(week.daily_text(), "09:00-10:30,14:00-15:30");
    }

    #[test]
    fn overlaps_empty_days_and_closed_weeks_are_refused() {
        assert_eq!(
            Schedule::typed("09:00-10:30 10:00-11:00", [""; 7]),
            Err(ScheduleError::Overlap("09:00-10:30".to_owned(), "10:00-11:00".to_owned()))
        );
        assert_eq!(Schedule::typed(" \n ", [""; 7]), Err(ScheduleError::NoSlots));
        assert_eq!(Schedule::typed("09:00-10:30", ["无"; 7]), Err(ScheduleError::NeverOpen));
        assert_eq!(
            Schedule::stored("09:00-10:30", "8=09:00-10:30"),
            Err(ScheduleError::BadWeekday("8=09:00-10:30".to_owned()))
        );
        // Adjacent slots do not overlap; the same slot twice is one.
        let week = Schedule::typed("09:00-10:30,10:30-12:00,09:00-10:30", [""; 7]).unwrap();
        assert_eq!(week.daily().len(), 2);
        // A weekday field of separators only is neither 不开放 nor slots.
        assert_eq!(
            Schedule::typed("09:00-10:30", ["，", "", "", "", "", "", ""]),
            Err(ScheduleError::BadSlot("，".to_owned()))
        );
    }

    #[test]
    fn slots_typed_in_full_width_are_read() {
        let week = Schedule::typed(
            "０９：００－１０：３０；14:00至15:30",
            ["", "", "", "", "9:00", "", ""],
        );
        assert_eq!(week, Err(ScheduleError::BadSlot("9:00".to_owned())));
        let week = Schedule::typed("０９：００－１０：３０；14:00至15:30", [""; 7]).unwrap();
        assert_eq!(week.daily_text(), "09:00-10:30,14:00-15:30");
    }

    #[test]
    fn overlapping_slots_stored_before_weeks_were_checked_are_still_read() {
        let week = Schedule::stored("09:00-10:30,10:00-11:00", "").unwrap();
        assert_eq!(week.daily_text(), "09:00-10:30,10:00-11:00");
        assert!(Schedule::typed("09:00-10:30,10:00-11:00", [""; 7]).is_err());
    }
}
