//! The reply clock (答复期限) of a disclosure application: from its events to its state, due date and a trace
//! a clerk or an applicant can read.
//!
//! The clock is a pure function of the application's events, the calendar and `as_of` (the day the caller
//! asks about). Nothing is stored: the due date is derived every time, so adding a holiday or next year's
//! notice re-times every open application.
//!
//! Rules, each with its source (details on the functions below):
//! - receipt date by channel: 2019 条例 art. 31 ([`crate::regime::receipt_date`]);
//! - the period: 15 (2007 art. 24) / 20 (2019 art. 33) working days after receipt, receipt day not counted;
//! - extension: at most once, at most 15 / 20 working days, only when the office head's approval is recorded
//!   (2007 art. 24, 2019 art. 33), and only while the period is still running;
//! - 补正: the notice is due within 7 working days of receipt and the period restarts from the day the
//!   supplement is received (2019 art. 30); if it is not received by the date stated, the application ends;
//! - consultation: time spent consulting a third party (2007 art. 24; 2019 arts. 32, 33) or another agency
//!   (2019 arts. 33, 34) does not count; under 2019 the consulted side has 15 working days;
//! - fee: payment is due within 20 working days of the fee notice, else the application lapses
//!   (国办函〔2020〕109号); the days from notice to payment do not count (our choice, see [`fee_pause`]).
//!
//! Counting convention: an excluded interval from day `a` to day `b` removes the working days `d` with
//! `a < d <= b` from the count — the day the letter goes out still counts, the day the answer arrives does
//! not, mirroring "the receipt day is not counted".

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::calendar::Calendar;
use crate::regime::{Intake, Regime};

mod error;
mod run;
mod validate;

pub use error::ClockError;
pub use run::evaluate;

/// Working days within which the 补正 notice must go out (2019 条例 art. 30: "自收到申请之日起7个工作日内
/// 一次性告知申请人作出补正").
pub const SUPPLEMENT_NOTICE_WORKING_DAYS: u32 = 7;

/// Working days a consulted third party or agency has to give its opinion (2019 条例 arts. 32 and 34:
/// "应当自收到征求意见书之日起15个工作日内提出意见"). We count from the day the request is sent, as the
/// agency cannot know the day it arrived.
pub const CONSULTATION_WORKING_DAYS: u32 = 15;

/// Working days within which a fee must be paid (国办函〔2020〕109号 as implemented, e.g. by Sichuan:
/// "申请人应当在收到收费通知次日起20个工作日内缴纳费用，逾期未缴纳的视为放弃申请").
pub const FEE_PAYMENT_WORKING_DAYS: u32 = 20;

/// Whether the days from the fee notice to payment are left out of the reply period.
///
/// Our notes could not verify a text saying so (gip-rules.md §4.7, [U]). We choose **yes**: the applicant
/// controls when the fee is paid, the 109号 办法 makes non-payment end the application (so the agency cannot
/// act before payment), and implementing notices treat the notice-to-payment time like consultation time.
/// Counting it would let an applicant make any case late by paying on the 20th day.
pub const fn fee_pause() -> bool {
    true
}

/// Who was consulted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// A third party whose lawful rights may be harmed (2007 art. 23; 2019 art. 32).
    ThirdParty,
    /// Another agency that made the information jointly (2019 art. 34).
    OtherAgency,
}

/// Something that happened to an application, with the day it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The 补正 notice was sent; `reply_by` is the reasonable period stated in it.
    SupplementRequested { on: Date, reply_by: Option<Date> },
    /// The applicant's supplement arrived.
    SupplementReceived { on: Date },
    /// A request for opinion (征求意见书) was sent.
    ConsultationSent { on: Date, party: Party },
    /// The opinion arrived.
    ConsultationAnswered { on: Date },
    /// A clerk asked to extend the period (no effect until approved).
    ExtensionRequested { on: Date },
    /// The office head refused the extension.
    ExtensionRefused { on: Date },
    /// The office head approved an extension of `working_days`.
    ExtensionApproved { on: Date, working_days: u32 },
    /// The fee notice (收费通知) was sent.
    FeeNotified { on: Date, amount_yuan: u64 },
    /// The fee was paid.
    FeePaid { on: Date },
    /// The reply was served: the day the applicant signed for it, or the day it was posted
    /// (国办公开办函〔2016〕235号).
    Replied { on: Date },
    /// The applicant was asked to state the reasons for applications whose number or frequency clearly
    /// exceeds a reasonable range (2019 条例 art. 35). It neither stops nor extends the period: the 条例 says
    /// nothing of it (our reading [U]); only a later date set and told ([`Event::ReplyDeferred`]) moves it.
    ReasonsRequested { on: Date },
    /// After asking for reasons, the agency found them reasonable but cannot reply within the period of art.
    /// 33, and set a reasonable later date `until`, telling the applicant (2019 条例 art. 35).
    ReplyDeferred { on: Date, until: Date },
}

impl Event {
    pub fn date(&self) -> Date {
        match self {
            Event::SupplementRequested { on, .. }
            | Event::SupplementReceived { on }
            | Event::ConsultationSent { on, .. }
            | Event::ConsultationAnswered { on }
            | Event::ExtensionRequested { on }
            | Event::ExtensionRefused { on }
            | Event::ExtensionApproved { on, .. }
            | Event::FeeNotified { on, .. }
            | Event::FeePaid { on }
            | Event::Replied { on }
            | Event::ReasonsRequested { on }
            | Event::ReplyDeferred { on, .. } => *on,
        }
    }
}

/// An application as the clock sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub intake: Intake,
    /// The regulation to apply; `None` picks the one in force on the day of receipt.
    pub regime: Option<Regime>,
    pub events: Vec<Event>,
}

/// Why an application ended without a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LapseReason {
    /// 申请人无正当理由逾期不补正 (2019 art. 30): report row 三（六）1.
    SupplementNotReceived,
    /// 申请人逾期未按收费通知要求缴纳费用 (国办函〔2020〕109号): report row 三（六）2.
    FeeNotPaid,
}

/// Where the application stands on `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Running, not yet due.
    InProgress,
    /// Waiting for the applicant's supplement; the period has not started.
    AwaitingSupplement,
    /// Waiting for an opinion; the period is paused.
    InConsultation,
    /// Waiting for the fee; the period is paused.
    AwaitingPayment,
    /// Not replied and past the due date.
    Overdue,
    /// The reply was served.
    Replied,
    /// Ended without a reply because the applicant did not act.
    Lapsed(LapseReason),
}

impl State {
    /// The Chinese label shown on status pages.
    pub fn label(self) -> &'static str {
        match self {
            State::InProgress => "办理中",
            State::AwaitingSupplement => "等待申请人补正",
            State::InConsultation => "征求意见中",
            State::AwaitingPayment => "等待缴费",
            State::Overdue => "已超期",
            State::Replied => "已答复",
            State::Lapsed(LapseReason::SupplementNotReceived) => "逾期未补正，不再处理",
            State::Lapsed(LapseReason::FeeNotPaid) => "逾期未缴费，不再处理",
        }
    }
}

/// A run of consecutive days left out of the count for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedSpan {
    pub from: Date,
    pub to: Date,
    pub reason: String,
}

/// What a trace step records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Regime,
    Received,
    SupplementRequested,
    SupplementReceived,
    SupplementLapsed,
    Consultation,
    Extension,
    Fee,
    Period,
    Replied,
    /// A request for reasons (art. 35), and a later reply date set after it.
    Reasons,
}

/// One step of the trace: the rule applied, its source, and the days it skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub kind: StepKind,
    pub date: Date,
    pub text: String,
    pub citation: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<SkippedSpan>,
}

/// Something a clerk should know that does not stop the clock (a late 补正 notice, a late extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub text: String,
}

/// The clock's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockReport {
    pub regime: Regime,
    pub received: Date,
    /// The day the period runs from: the receipt, or the arrival of the supplement.
    pub clock_start: Option<Date>,
    pub state: State,
    /// The due date; `None` while the period has not started (补正 outstanding) or when the application lapsed.
    pub due: Option<Date>,
    /// Whether the reply was (or, past the due date, can no longer be) on time; `None` while open and not due.
    pub on_time: Option<bool>,
    /// Working days allowed: the statutory period plus any approved extension.
    pub allowed_working_days: u32,
    /// Working days counted so far (up to the reply, or up to `as_of`).
    pub used_working_days: u32,
    /// Working days left out for consultation and fee payment.
    pub excluded_working_days: u32,
    /// True when a counted day lies in a year whose holiday notice is missing; see `provisional_years`.
    pub provisional: bool,
    pub provisional_years: Vec<i32>,
    /// The 补正 notice's last day (2019 art. 30), when one applies.
    pub supplement_notice_due: Option<Date>,
    pub trace: Vec<Step>,
    pub findings: Vec<Finding>,
}

/// A pause interval `(from, to]` and what it was for.
#[derive(Debug, Clone)]
struct Pause {
    from: Date,
    to: Date,
    reason: &'static str,
}

/// Counts working days on the lenient calendar, remembering every year it had to guess.
struct Counter<'a> {
    calendar: &'a Calendar,
    provisional_years: BTreeSet<i32>,
}

impl Counter<'_> {
    /// Whether `date` is a counted day, or the reason it is skipped.
    fn classify(&mut self, date: Date, pauses: &[Pause]) -> Result<(), String> {
        let lenient = self.calendar.lenient_day(date);
        if let Some(year) = lenient.provisional {
            self.provisional_years.insert(year);
        }
        if !lenient.day.working {
            return Err(lenient.day.reason.describe());
        }
        match pauses.iter().find(|pause| pause.from < date && date <= pause.to) {
            Some(pause) => Err(pause.reason.to_owned()),
            None => Ok(()),
        }
    }

    /// The `n`-th counted day after `start`, with the days skipped on the way.
    fn count_forward(&mut self, start: Date, n: u32, pauses: &[Pause]) -> (Date, Vec<SkippedSpan>) {
        let mut date = start;
        let mut counted = 0;
        let mut skipped: Vec<SkippedSpan> = Vec::new();
        while counted < n {
            date = date.next_day().expect("clock dates stay far below Date::MAX");
            match self.classify(date, pauses) {
                Ok(()) => counted += 1,
                Err(reason) => match skipped.last_mut() {
                    Some(span) if span.reason == reason && span.to.next_day() == Some(date) => {
                        span.to = date
                    }
                    _ => skipped.push(SkippedSpan { from: date, to: date, reason }),
                },
            }
        }
        (date, skipped)
    }

    /// Counted days `d` with `start < d <= end`.
    fn count_between(&mut self, start: Date, end: Date, pauses: &[Pause]) -> u32 {
        let mut date = start;
        let mut counted = 0;
        while date < end {
            date = date.next_day().expect("clock dates stay far below Date::MAX");
            if self.classify(date, pauses).is_ok() {
                counted += 1;
            }
        }
        counted
    }

    /// Working days in `(from, to]` that a pause removes (weekends and holidays are not counted twice).
    fn paused_working_days(&mut self, from: Date, to: Date) -> u32 {
        let mut date = from;
        let mut counted = 0;
        while date < to {
            date = date.next_day().expect("clock dates stay far below Date::MAX");
            if self.classify(date, &[]).is_ok() {
                counted += 1;
            }
        }
        counted
    }
}

fn article(regime: Regime, article_2007: &str, article_2019: &str) -> String {
    match regime {
        Regime::Ordinance2007 => format!("《政府信息公开条例》（2007年）{article_2007}"),
        Regime::Ordinance2019 => format!("《政府信息公开条例》{article_2019}"),
    }
}

/// How an application ended, as a fact of its events (independent of the day one asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ending {
    /// The day it ended: the reply, or the first day after the applicant's time ran out.
    pub date: Date,
    /// `None` for a reply; the reason for a lapse.
    pub lapse: Option<LapseReason>,
}

/// The day the fee must be paid by: the 20th working day after the notice (国办函〔2020〕109号).
pub fn fee_payment_due(calendar: &Calendar, notified: Date) -> Date {
    let mut counter = Counter { calendar, provisional_years: BTreeSet::new() };
    counter.count_forward(notified, FEE_PAYMENT_WORKING_DAYS, &[]).0
}

/// When the application ended, if it has: the reply; else the day after an unmet 补正 reply-by date
/// (2019 art. 30) or fee payment date (109号). An application ends on that day whatever day one asks,
/// so [`evaluate`] reports it `Lapsed` exactly when `as_of` is on or after [`Ending::date`].
/// Events are not validated here; call [`evaluate`] for that.
pub fn ending(events: &[Event], calendar: &Calendar) -> Option<Ending> {
    let mut supplement: Option<(Option<Date>, bool)> = None;
    let mut fee: Option<(Date, bool)> = None;
    for event in events {
        match *event {
            Event::Replied { on } => return Some(Ending { date: on, lapse: None }),
            Event::SupplementRequested { reply_by, .. } => {
                supplement = Some((reply_by, supplement.is_some_and(|s| s.1)))
            }
            Event::SupplementReceived { .. } => {
                supplement = Some((supplement.and_then(|s| s.0), true))
            }
            Event::FeeNotified { on, .. } => fee = Some((on, fee.is_some_and(|f| f.1))),
            Event::FeePaid { .. } => fee = fee.map(|(on, _)| (on, true)),
            _ => {}
        }
    }
    if let Some((Some(reply_by), false)) = supplement {
        return reply_by
            .next_day()
            .map(|date| Ending { date, lapse: Some(LapseReason::SupplementNotReceived) });
    }
    if let Some((notified, false)) = fee {
        return fee_payment_due(calendar, notified)
            .next_day()
            .map(|date| Ending { date, lapse: Some(LapseReason::FeeNotPaid) });
    }
    None
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod ending_tests;
