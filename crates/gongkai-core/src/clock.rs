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
use crate::regime::{Intake, Receipt, Regime, receipt_date};

mod error;
mod validate;

pub use error::ClockError;
use validate::validate;

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
            | Event::Replied { on } => *on,
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

/// Runs the clock for `application` on `calendar`, as of the day `as_of`.
pub fn evaluate(
    application: &Application,
    calendar: &Calendar,
    as_of: Date,
) -> Result<ClockReport, ClockError> {
    // The receipt date does not depend on the regime; the regime depends on the receipt date.
    let provisional_receipt = receipt_date(&application.intake, Regime::Ordinance2019)?;
    let in_force = Regime::in_force_on(provisional_receipt.date);
    let regime = match (application.regime, in_force) {
        (Some(regime), _) => regime,
        (None, Some(regime)) => regime,
        (None, None) => {
            return Err(ClockError::BeforeOrdinance { received: provisional_receipt.date });
        }
    };
    let Receipt { date: received, rule: receipt_rule, citation: receipt_citation } =
        receipt_date(&application.intake, regime)?;
    calendar.day(received).map_err(|source| ClockError::OutsideCalendar { received, source })?;

    let facts = validate(&application.events, regime, received)?;
    let mut counter = Counter { calendar, provisional_years: BTreeSet::new() };
    let mut trace = Vec::new();
    let mut findings = Vec::new();

    let regime_text = match (application.regime, in_force) {
        (Some(chosen), Some(in_force)) if chosen != in_force => {
            findings.push(Finding {
                code: "regime_overridden",
                text: format!(
                    "按指定的{}计算；收到申请之日适用的是{}",
                    chosen.citation(),
                    in_force.citation()
                ),
            });
            format!("按指定的{}计算", chosen.citation())
        }
        _ => format!("收到申请之日为{received}，适用{}", regime.citation()),
    };
    trace.push(Step {
        kind: StepKind::Regime,
        date: received,
        text: regime_text,
        citation: "《政府信息公开条例》（2019年修订）自2019年5月15日起施行".to_owned(),
        skipped: Vec::new(),
    });
    trace.push(Step {
        kind: StepKind::Received,
        date: received,
        text: format!("{receipt_rule}：{received}；收到申请当日不计入期限"),
        citation: receipt_citation.to_owned(),
        skipped: Vec::new(),
    });

    let base_days = regime.reply_working_days();
    let mut clock_start = Some(received);
    let mut lapsed = None;
    let mut awaiting_supplement = false;
    let mut supplement_notice_due = None;

    // 补正 (2019 art. 30; 2007 art. 21(四)).
    if let Some((requested, reply_by, supplement)) = facts.supplement {
        let mut text = format!("{requested}告知申请人补正");
        if regime == Regime::Ordinance2019 {
            // Its own counter: the notice's last day does not make the due date provisional.
            let mut notice_counter = Counter { calendar, provisional_years: BTreeSet::new() };
            let notice_due =
                notice_counter.count_forward(received, SUPPLEMENT_NOTICE_WORKING_DAYS, &[]).0;
            supplement_notice_due = Some(notice_due);
            text.push_str(&format!(
                "（补正告知应于收到申请后7个工作日内发出，即不晚于{notice_due}）"
            ));
            if requested > notice_due {
                findings.push(Finding {
                    code: "supplement_notice_late",
                    text: format!("补正告知于{requested}发出，晚于第三十条规定的{notice_due}"),
                });
            }
        }
        match reply_by {
            Some(reply_by) => text.push_str(&format!("，补正期限至{reply_by}")),
            None => findings.push(Finding {
                code: "supplement_without_period",
                text: "补正告知未载明补正期限（第三十条要求说明合理的补正期限）".to_owned(),
            }),
        }
        trace.push(Step {
            kind: StepKind::SupplementRequested,
            date: requested,
            text,
            citation: article(regime, "第二十一条第（四）项", "第三十条"),
            skipped: Vec::new(),
        });
        match supplement {
            Some(arrived) => {
                clock_start = Some(arrived);
                let restart_note = match regime {
                    Regime::Ordinance2019 => "",
                    // The 2007 条例 states no restart; we apply the 2019 rule's restart, as practice did.
                    Regime::Ordinance2007 => {
                        "（2007年条例未明确规定，按实践中自收到补正之日起重新计算）"
                    }
                };
                trace.push(Step {
                    kind: StepKind::SupplementReceived,
                    date: arrived,
                    text: format!("{arrived}收到补正，答复期限自该日起重新计算{restart_note}"),
                    citation: article(regime, "第二十一条第（四）项", "第三十条"),
                    skipped: Vec::new(),
                });
            }
            None => match reply_by {
                Some(reply_by) if as_of > reply_by => {
                    lapsed = Some(LapseReason::SupplementNotReceived);
                    clock_start = None;
                    trace.push(Step {
                        kind: StepKind::SupplementLapsed,
                        date: reply_by,
                        text: format!(
                            "申请人未在{reply_by}前补正，视为放弃申请，不再处理（其他处理）"
                        ),
                        citation: article(regime, "第二十一条第（四）项", "第三十条"),
                        skipped: Vec::new(),
                    });
                }
                _ => {
                    awaiting_supplement = true;
                    clock_start = None;
                }
            },
        }
    }

    // Pauses after the clock starts: consultation and fee payment.
    let mut pauses: Vec<Pause> = Vec::new();
    let mut in_consultation = false;
    let mut awaiting_payment = false;
    for (sent, answered, party) in &facts.consultations {
        let counts = match (regime, party) {
            (Regime::Ordinance2007, Party::OtherAgency) => {
                findings.push(Finding {
                    code: "agency_consultation_counts_under_2007",
                    text: format!("{sent}征求其他机关意见：2007年条例仅扣除征求第三方意见的时间，该期间计入答复期限"),
                });
                false
            }
            _ => true,
        };
        let who = match party {
            Party::ThirdParty => "第三方",
            Party::OtherAgency => "其他机关",
        };
        let (end, note) = match regime {
            Regime::Ordinance2019 => {
                let cap = counter.count_forward(*sent, CONSULTATION_WORKING_DAYS, &[]).0;
                match answered {
                    Some(answered) if *answered <= cap => {
                        (*answered, format!("{answered}收到意见"))
                    }
                    Some(answered) => (
                        cap,
                        format!(
                            "{answered}收到意见，已超过15个工作日的意见期限（{cap}），超出部分计入答复期限"
                        ),
                    ),
                    None if as_of <= cap => {
                        in_consultation |= counts;
                        (cap, format!("尚未收到意见；意见期限至{cap}，按最长期限预计"))
                    }
                    None => (cap, format!("逾期未提出意见（期限至{cap}），由本机关依法决定")),
                }
            }
            Regime::Ordinance2007 => match answered {
                Some(answered) => (*answered, format!("{answered}收到意见")),
                None => {
                    in_consultation |= counts;
                    let end = as_of.max(*sent);
                    (end, format!("尚未收到意见；暂按截至{end}计算，收到意见前答复期限顺延"))
                }
            },
        };
        let citation = match (regime, party) {
            (Regime::Ordinance2007, _) => article(regime, "第二十三条、第二十四条", ""),
            (Regime::Ordinance2019, Party::ThirdParty) => {
                article(regime, "", "第三十二条、第三十三条")
            }
            (Regime::Ordinance2019, Party::OtherAgency) => {
                article(regime, "", "第三十三条、第三十四条")
            }
        };
        let excluded = if counts { counter.paused_working_days(*sent, end) } else { 0 };
        trace.push(Step {
            kind: StepKind::Consultation,
            date: *sent,
            text: if counts {
                format!("{sent}书面征求{who}意见，{note}；{sent}次日至{end}的{excluded}个工作日不计入答复期限")
            } else {
                format!("{sent}书面征求{who}意见，{note}")
            },
            citation,
            skipped: Vec::new(),
        });
        if counts {
            pauses.push(Pause { from: *sent, to: end, reason: "征求意见期间" });
        }
    }

    if let Some((notified, amount, paid)) = facts.fee {
        let pay_by = counter.count_forward(notified, FEE_PAYMENT_WORKING_DAYS, &[]).0;
        let (end, note) = match paid {
            Some(paid) if paid <= pay_by => (paid, format!("{paid}缴费")),
            Some(paid) => {
                findings.push(Finding {
                    code: "fee_paid_late",
                    text: format!("{paid}缴费，晚于缴费期限{pay_by}；逾期未缴费本应视为放弃申请"),
                });
                (paid, format!("{paid}缴费（逾期）"))
            }
            None if as_of > pay_by => {
                lapsed = lapsed.or(Some(LapseReason::FeeNotPaid));
                (pay_by, format!("申请人未在{pay_by}前缴费，视为放弃申请，不再处理（其他处理）"))
            }
            None => {
                awaiting_payment = true;
                (pay_by, format!("尚未缴费；缴费期限至{pay_by}"))
            }
        };
        let excluded = counter.paused_working_days(notified, end);
        trace.push(Step {
            kind: StepKind::Fee,
            date: notified,
            text: format!(
                "{notified}发出收费通知，金额{amount}元，应于收到通知次日起20个工作日内缴纳；{note}；\
                 通知至缴费期间的{excluded}个工作日不计入答复期限"
            ),
            citation: "国办函〔2020〕109号《政府信息公开信息处理费管理办法》".to_owned(),
            skipped: Vec::new(),
        });
        if fee_pause() {
            pauses.push(Pause { from: notified, to: end, reason: "收费通知至缴费期间" });
        }
    }

    for (on, refused) in &facts.extension_requests {
        trace.push(Step {
            kind: StepKind::Extension,
            date: *on,
            text: if *refused {
                format!("{on}延期申请未获政府信息公开工作机构负责人同意")
            } else {
                format!("{on}经办人申请延期（须经负责人同意方可延长）")
            },
            citation: article(regime, "第二十四条", "第三十三条"),
            skipped: Vec::new(),
        });
    }

    let mut allowed = base_days;
    let mut due = None;
    let mut excluded_total = 0;
    if let (Some(start), None) = (clock_start, lapsed) {
        let relevant: Vec<Pause> =
            pauses.iter().filter(|pause| pause.to > start).cloned().collect();
        excluded_total = relevant
            .iter()
            .map(|pause| counter.paused_working_days(pause.from.max(start), pause.to))
            .sum::<u32>();
        let (base_due, _) = counter.count_forward(start, base_days, &relevant);
        if let Some((approved_on, extension_days)) = facts.extension {
            if approved_on <= base_due {
                allowed += extension_days;
                trace.push(Step {
                    kind: StepKind::Extension,
                    date: approved_on,
                    text: format!(
                        "{approved_on}经政府信息公开工作机构负责人同意延长答复期限{extension_days}个工作日\
                         （最长{}个工作日），并应告知申请人",
                        regime.max_extension_working_days()
                    ),
                    citation: article(regime, "第二十四条", "第三十三条"),
                    skipped: Vec::new(),
                });
            } else {
                findings.push(Finding {
                    code: "extension_after_due",
                    text: format!(
                        "{approved_on}批准的延期晚于原答复期限{base_due}，不能延长已届满的期限"
                    ),
                });
            }
        }
        let (due_date, skipped) = counter.count_forward(start, allowed, &relevant);
        due = Some(due_date);
        let extension_text = if allowed > base_days {
            format!("（含延长的{}个工作日）", allowed - base_days)
        } else {
            String::new()
        };
        let pause_text = if excluded_total > 0 {
            format!("，扣除不计入期限的{excluded_total}个工作日")
        } else {
            String::new()
        };
        trace.push(Step {
            kind: StepKind::Period,
            date: due_date,
            text: format!(
                "自{start}次日起计算{allowed}个工作日{extension_text}{pause_text}，答复期限届满日为{due_date}"
            ),
            citation: article(regime, "第二十四条", "第三十三条"),
            skipped,
        });
    }

    let used = match (clock_start, lapsed) {
        (Some(start), None) => {
            let end = facts.replied.unwrap_or(as_of);
            let relevant: Vec<Pause> =
                pauses.iter().filter(|pause| pause.to > start).cloned().collect();
            if end > start { counter.count_between(start, end, &relevant) } else { 0 }
        }
        _ => 0,
    };

    let on_time = match (facts.replied, due) {
        (Some(replied), Some(due)) => Some(replied <= due),
        (None, Some(due))
            if as_of > due && lapsed.is_none() && !awaiting_payment && !in_consultation =>
        {
            Some(false)
        }
        _ => None,
    };
    if let Some(replied) = facts.replied {
        let verdict = match due {
            Some(due) if replied <= due => format!("，在期限{due}内"),
            Some(due) => format!("，超过期限{due}"),
            None => String::new(),
        };
        trace.push(Step {
            kind: StepKind::Replied,
            date: replied,
            text: format!("{replied}送达答复（直接送达以签收之日、邮寄以交邮之日为准）{verdict}"),
            citation: "国办公开办函〔2016〕235号".to_owned(),
            skipped: Vec::new(),
        });
    }

    let state = if facts.replied.is_some() {
        State::Replied
    } else if let Some(reason) = lapsed {
        State::Lapsed(reason)
    } else if awaiting_supplement {
        State::AwaitingSupplement
    } else if awaiting_payment {
        State::AwaitingPayment
    } else if in_consultation {
        State::InConsultation
    } else if on_time == Some(false) {
        State::Overdue
    } else {
        State::InProgress
    };

    let provisional_years: Vec<i32> = counter.provisional_years.into_iter().collect();
    if !provisional_years.is_empty() {
        let years = provisional_years.iter().map(i32::to_string).collect::<Vec<_>>().join("、");
        findings.push(Finding {
            code: "provisional",
            text: format!(
                "期限跨入尚未公布节假日安排的年份（{years}年），暂按周末休息计算；国务院通知公布后将重新计算"
            ),
        });
    }

    Ok(ClockReport {
        regime,
        received,
        clock_start,
        state,
        due,
        on_time,
        allowed_working_days: allowed,
        used_working_days: used,
        excluded_working_days: excluded_total,
        provisional: !provisional_years.is_empty(),
        provisional_years,
        supplement_notice_due,
        trace,
        findings,
    })
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod ending_tests;
