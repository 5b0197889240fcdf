//! `gongkai demo`: worked examples of the reply clock under both regulations, as a clerk would see them.
//!
//! Until the portal and back office exist this is the command README's first line runs.

use std::io::Write;

use clap::Args;
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, Application, Event, Party};
use gongkai_core::fee;
use gongkai_core::regime::{Channel, Intake};
use time::Date;
use time::macros::date;

use crate::Outcome;

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    #[command(subcommand)]
    action: Option<DemoAction>,
}

#[derive(Debug, clap::Subcommand)]
enum DemoAction {
    /// Load the demo agencies and their records into a database.
    Load {
        #[command(flatten)]
        db: crate::db_cmd::DbArgs,
    },
}

struct Example {
    title: &'static str,
    channel: Channel,
    received: Date,
    events: Vec<Event>,
    as_of: Date,
}

fn examples() -> Vec<Example> {
    vec![
        Example {
            title: "2007 条例: letter confirmed just before National Day 2018, 15 working days",
            channel: Channel::Letter,
            received: date!(2018 - 09 - 25),
            events: vec![Event::Replied { on: date!(2018 - 10 - 18) }],
            as_of: date!(2018 - 10 - 18),
        },
        Example {
            title: "2019 条例: online application over Spring Festival 2026, third-party consultation",
            channel: Channel::Online,
            received: date!(2026 - 02 - 10),
            events: vec![
                Event::ConsultationSent { on: date!(2026 - 02 - 26), party: Party::ThirdParty },
                Event::ConsultationAnswered { on: date!(2026 - 03 - 06) },
                Event::Replied { on: date!(2026 - 03 - 20) },
            ],
            as_of: date!(2026 - 03 - 20),
        },
        Example {
            title: "2019 条例: 补正, then an approved extension",
            channel: Channel::Post,
            received: date!(2026 - 03 - 02),
            events: vec![
                Event::SupplementRequested {
                    on: date!(2026 - 03 - 05),
                    reply_by: Some(date!(2026 - 03 - 20)),
                },
                Event::SupplementReceived { on: date!(2026 - 03 - 12) },
                Event::ExtensionRequested { on: date!(2026 - 04 - 03) },
                Event::ExtensionApproved { on: date!(2026 - 04 - 07), working_days: 20 },
            ],
            as_of: date!(2026 - 04 - 20),
        },
        Example {
            title: "2019 条例: fee notice not paid within 20 working days",
            channel: Channel::Online,
            received: date!(2026 - 06 - 01),
            events: vec![Event::FeeNotified {
                on: date!(2026 - 06 - 03),
                amount_yuan: fee::per_application(31)
                    .map(|quote| quote.amount_yuan)
                    .unwrap_or_default(),
            }],
            as_of: date!(2026 - 07 - 06),
        },
        Example {
            title: "2019 条例: received mid-December 2026, before the 2027 holiday notice",
            channel: Channel::InPerson,
            received: date!(2026 - 12 - 15),
            events: vec![],
            as_of: date!(2026 - 12 - 15),
        },
    ]
}

pub(crate) fn run(args: &DemoArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    if let Some(DemoAction::Load { db }) = &args.action {
        return crate::db_cmd::demo_load(db, out);
    }
    let calendar = Calendar::builtin();
    let years: Vec<i32> = calendar.covered_years().collect();
    writeln!(
        out,
        "gongkai reply-clock demo (calendar data {}–{})\n",
        years.first().copied().unwrap_or_default(),
        years.last().copied().unwrap_or_default()
    )?;
    for (index, example) in examples().into_iter().enumerate() {
        let application = Application {
            intake: Intake::received_on(example.channel, example.received),
            regime: None,
            events: example.events,
        };
        let report = clock::evaluate(&application, calendar, example.as_of)?;
        writeln!(out, "{}. {}", index + 1, example.title)?;
        let due = report.due.map_or_else(|| "—".to_owned(), |due| due.to_string());
        writeln!(
            out,
            "   state {} as of {}; due {due}{}",
            report.state.label(),
            example.as_of,
            if report.provisional { " (provisional)" } else { "" }
        )?;
        for step in &report.trace {
            writeln!(out, "   - {} {}  [{}]", step.date, step.text, step.citation)?;
        }
        for finding in &report.findings {
            writeln!(out, "   ! {}", finding.text)?;
        }
        writeln!(out)?;
    }
    Ok(Outcome::Success)
}
