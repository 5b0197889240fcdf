//! Cost of evaluating the reply clock, which dashboards and region roll-ups run once per application.

use criterion::{Criterion, criterion_group, criterion_main};
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, Application, Event, Party};
use gongkai_core::regime::{Channel, Intake};
use std::hint::black_box;
use time::macros::date;

fn bench_clock(c: &mut Criterion) {
    let calendar = Calendar::builtin();
    let plain = Application {
        intake: Intake::received_on(Channel::Online, date!(2026 - 03 - 02)),
        regime: None,
        events: vec![],
    };
    let busy = Application {
        intake: Intake::received_on(Channel::Online, date!(2026 - 02 - 10)),
        regime: None,
        events: vec![
            Event::SupplementRequested {
                on: date!(2026 - 02 - 11),
                reply_by: Some(date!(2026 - 02 - 27)),
            },
            Event::SupplementReceived { on: date!(2026 - 02 - 13) },
            Event::ConsultationSent { on: date!(2026 - 02 - 26), party: Party::ThirdParty },
            Event::ConsultationAnswered { on: date!(2026 - 03 - 06) },
            Event::ExtensionApproved { on: date!(2026 - 03 - 20), working_days: 20 },
            Event::Replied { on: date!(2026 - 04 - 20) },
        ],
    };
    c.bench_function("clock/plain_application", |b| {
        b.iter(|| clock::evaluate(black_box(&plain), calendar, date!(2026 - 03 - 10)).unwrap())
    });
    c.bench_function("clock/supplement_consultation_extension_reply", |b| {
        b.iter(|| clock::evaluate(black_box(&busy), calendar, date!(2026 - 04 - 20)).unwrap())
    });
    c.bench_function("calendar/add_20_working_days", |b| {
        b.iter(|| calendar.add_working_days(black_box(date!(2026 - 02 - 10)), 20).unwrap())
    });
}

criterion_group!(benches, bench_clock);
criterion_main!(benches);
