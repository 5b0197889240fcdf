//! `gongkai deadline`: the reply clock from the command line.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use gongkai_core::calendar::{Calendar, NoticeYear};
use gongkai_core::clock::{self, Application, ClockError, ClockReport, Event, Party};
use gongkai_core::regime::{Channel, Intake, Regime};
use serde::Serialize;
use time::Date;

use crate::{Outcome, UsageError, parse_date, today_in_china};

#[derive(Debug, Args)]
pub(crate) struct DeadlineArgs {
    /// The date of receipt as the channel defines it: day handed in (in-person), signed for (post),
    /// confirmed with the applicant (letter, online, fax).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    received: Date,
    /// The regulation to apply; `auto` picks the one in force on the day of receipt (2019 from 2019-05-15).
    #[arg(long, default_value = "auto", value_parser = parse_regime)]
    regime: RegimeChoice,
    /// How the application arrived.
    #[arg(long, default_value = "in-person", value_parser = parse_channel)]
    channel: Channel,
    /// The office head approved an extension (at most once; 15 working days under 2007, 20 under 2019).
    #[arg(long)]
    extension: bool,
    /// The day the extension was approved [default: the original due date].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, requires = "extension")]
    extension_on: Option<Date>,
    /// Working days of extension [default: the statutory maximum].
    #[arg(long, value_name = "N", requires = "extension")]
    extension_days: Option<u32>,
    /// 补正: the day the notice went out and the day the supplement arrived (leave RECEIVED empty if not yet).
    #[arg(long, value_name = "REQUESTED:RECEIVED", value_parser = parse_interval)]
    supplement: Option<Interval>,
    /// The reply-by date stated in the 补正 notice (the supplement lapses after it).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date, requires = "supplement")]
    supplement_by: Option<Date>,
    /// Third-party consultation: the day the request for opinion was sent and the day the opinion arrived
    /// (leave ANSWERED empty if not yet). Repeat for several consultations; they may not overlap.
    #[arg(long, value_name = "SENT:ANSWERED", value_parser = parse_interval)]
    consultation: Vec<Interval>,
    /// Consultation of another agency (2019 条例 art. 34), as `--consultation`.
    #[arg(long, value_name = "SENT:ANSWERED", value_parser = parse_interval)]
    agency_consultation: Vec<Interval>,
    /// Fee notice and payment (leave PAID empty if not yet paid).
    #[arg(long, value_name = "NOTIFIED:PAID", value_parser = parse_interval)]
    fee: Option<Interval>,
    /// The fee amount in yuan, for the trace.
    #[arg(long, value_name = "YUAN", requires = "fee", default_value_t = 0)]
    fee_amount: u64,
    /// The day the reply was served (signed for, or posted).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    replied: Option<Date>,
    /// The day to evaluate the state on [default: today in China].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<Date>,
    /// An extra calendar year in gongkai's notice format (e.g. next year's notice); repeatable.
    #[arg(long, value_name = "FILE")]
    calendar: Vec<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Clone, Copy)]
enum RegimeChoice {
    Auto,
    Fixed(Regime),
}

fn parse_regime(text: &str) -> Result<RegimeChoice, String> {
    if text == "auto" { Ok(RegimeChoice::Auto) } else { text.parse().map(RegimeChoice::Fixed) }
}

fn parse_channel(text: &str) -> Result<Channel, String> {
    text.parse()
}

/// `START:END` with END optional (`START:` or `START`).
#[derive(Debug, Clone, Copy)]
struct Interval {
    start: Date,
    end: Option<Date>,
}

fn parse_interval(text: &str) -> Result<Interval, String> {
    let (start, end) = text.split_once(':').unwrap_or((text, ""));
    let start = parse_date(start)?;
    let end = if end.is_empty() { None } else { Some(parse_date(end)?) };
    if let Some(end) = end
        && end < start
    {
        return Err(format!("`{text}` is reversed: {end} is before {start}"));
    }
    Ok(Interval { start, end })
}

/// The JSON document `--json` prints (documented in README.md).
#[derive(Serialize)]
struct JsonOutput<'a> {
    as_of: Date,
    channel: Channel,
    #[serde(flatten)]
    report: &'a ClockReport,
}

fn build_application(args: &DeadlineArgs, extension_on: Option<Date>) -> Application {
    let mut events = Vec::new();
    if let Some(supplement) = args.supplement {
        events.push(Event::SupplementRequested {
            on: supplement.start,
            reply_by: args.supplement_by,
        });
        if let Some(received) = supplement.end {
            events.push(Event::SupplementReceived { on: received });
        }
    }
    for (intervals, party) in
        [(&args.consultation, Party::ThirdParty), (&args.agency_consultation, Party::OtherAgency)]
    {
        for interval in intervals {
            events.push(Event::ConsultationSent { on: interval.start, party });
            if let Some(answered) = interval.end {
                events.push(Event::ConsultationAnswered { on: answered });
            }
        }
    }
    if let Some(fee) = args.fee {
        events.push(Event::FeeNotified { on: fee.start, amount_yuan: args.fee_amount });
        if let Some(paid) = fee.end {
            events.push(Event::FeePaid { on: paid });
        }
    }
    if let Some(on) = extension_on {
        let regime = match args.regime {
            RegimeChoice::Fixed(regime) => Some(regime),
            RegimeChoice::Auto => Regime::in_force_on(args.received),
        };
        let max = regime.map_or(20, Regime::max_extension_working_days);
        events.push(Event::ExtensionApproved {
            on,
            working_days: args.extension_days.unwrap_or(max),
        });
    }
    if let Some(replied) = args.replied {
        events.push(Event::Replied { on: replied });
    }
    Application {
        intake: Intake::received_on(args.channel, args.received),
        regime: match args.regime {
            RegimeChoice::Auto => None,
            RegimeChoice::Fixed(regime) => Some(regime),
        },
        events,
    }
}

/// Names the flag a clock error comes from.
fn usage_error(err: ClockError) -> UsageError {
    let argument = match &err {
        ClockError::Receipt(_)
        | ClockError::BeforeOrdinance { .. }
        | ClockError::OutsideCalendar { .. } => "--received",
        ClockError::BeforeReceipt { event, .. } | ClockError::AfterReply { event, .. } => {
            match *event {
                "supplement request" | "supplement" => "--supplement",
                "consultation" | "consultation answer" => "--consultation",
                "extension" | "extension request" | "extension refusal" => "--extension-on",
                "fee notice" | "fee payment" => "--fee",
                _ => "--replied",
            }
        }
        ClockError::SecondSupplement
        | ClockError::SupplementBeforeRequest { .. }
        | ClockError::SupplementNotRequested { .. }
        | ClockError::SupplementReplyByReversed { .. } => "--supplement",
        ClockError::ConsultationReversed { .. }
        | ClockError::ConsultationNotSent { .. }
        | ClockError::OverlappingConsultations { .. } => "--consultation",
        ClockError::SecondExtension
        | ClockError::ExtensionTooLong { .. }
        | ClockError::EmptyExtension => "--extension-days",
        ClockError::FeeUnderOrdinance2007
        | ClockError::SecondFeeNotice
        | ClockError::FeePayment { .. } => "--fee",
        ClockError::SecondReply { .. } => "--replied",
        // No flag records a request for reasons (art. 35); these cannot come from the command line.
        ClockError::ReasonsUnderOrdinance2007
        | ClockError::SecondReasonsRequest
        | ClockError::DeferralWithoutReasons => "--received",
    };
    UsageError::new(argument, err.to_string())
}

fn load_calendar(files: &[PathBuf]) -> anyhow::Result<Calendar> {
    let mut calendar = Calendar::builtin().clone();
    for path in files {
        let source = std::fs::read_to_string(path)
            .with_context(|| format!("reading calendar file `{}`", path.display()))?;
        let year = NoticeYear::parse(&path.display().to_string(), &source)
            .map_err(|err| UsageError::new("--calendar", err.to_string()))?;
        calendar.add_year(year).map_err(|err| UsageError::new("--calendar", err.to_string()))?;
    }
    Ok(calendar)
}

pub(crate) fn run(args: &DeadlineArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let calendar = load_calendar(&args.calendar)?;
    let as_of = args.as_of.unwrap_or_else(today_in_china);
    let extension_on = if args.extension {
        match args.extension_on {
            Some(on) => Some(on),
            None => {
                // Approved on the last day it could be: the due date without the extension.
                let first = clock::evaluate(&build_application(args, None), &calendar, as_of)
                    .map_err(usage_error)?;
                Some(first.due.ok_or_else(|| {
                    UsageError::new(
                        "--extension",
                        "the period has not started yet; give --extension-on DATE",
                    )
                })?)
            }
        }
    } else {
        None
    };
    let application = build_application(args, extension_on);
    let report = clock::evaluate(&application, &calendar, as_of).map_err(usage_error)?;
    if args.json {
        let json = serde_json::to_string_pretty(&JsonOutput {
            as_of,
            channel: args.channel,
            report: &report,
        })?;
        writeln!(out, "{json}")?;
    } else {
        print_report(&report, as_of, out)?;
    }
    Ok(Outcome::Success)
}

fn print_report(report: &ClockReport, as_of: Date, out: &mut impl Write) -> anyhow::Result<()> {
    let due = report
        .due
        .map_or_else(|| "none (the period is not running)".to_owned(), |due| due.to_string());
    let provisional = if report.provisional {
        let years: Vec<String> = report.provisional_years.iter().map(i32::to_string).collect();
        format!(
            "yes: no holiday notice yet for {} (statutory holidays and weekends only, no 调休)",
            years.join(", ")
        )
    } else {
        "no".to_owned()
    };
    let on_time = match report.on_time {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not yet known",
    };
    writeln!(out, "regime:       {} {}", report.regime.code(), report.regime.citation())?;
    writeln!(out, "received:     {}", report.received)?;
    writeln!(out, "state:        {} (as of {as_of})", report.state.label())?;
    writeln!(out, "due:          {due}")?;
    writeln!(out, "on time:      {on_time}")?;
    writeln!(
        out,
        "working days: {} used of {} allowed, {} excluded",
        report.used_working_days, report.allowed_working_days, report.excluded_working_days
    )?;
    writeln!(out, "provisional:  {provisional}")?;
    writeln!(out, "trace:")?;
    for (index, step) in report.trace.iter().enumerate() {
        writeln!(out, "  {}. {} {}  [{}]", index + 1, step.date, step.text, step.citation)?;
        if !step.skipped.is_empty() {
            let spans: Vec<String> = step
                .skipped
                .iter()
                .map(|span| {
                    if span.from == span.to {
                        format!("{} {}", span.from, span.reason)
                    } else {
                        format!("{}..{} {}", span.from, span.to, span.reason)
                    }
                })
                .collect();
            writeln!(out, "     not counted: {}", spans.join("; "))?;
        }
    }
    if !report.findings.is_empty() {
        writeln!(out, "findings:")?;
        for finding in &report.findings {
            writeln!(out, "  - [{}] {}", finding.code, finding.text)?;
        }
    }
    Ok(())
}
