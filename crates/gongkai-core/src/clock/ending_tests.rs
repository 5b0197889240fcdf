//! Tests of `clock`: ending tests.

use time::macros::date;

use super::*;
use crate::regime::Channel;

#[track_caller]
fn check_agrees(events: Vec<Event>, reason: LapseReason) {
    let application = Application {
        intake: Intake::received_on(Channel::Online, date!(2026 - 03 - 02)),
        regime: None,
        events,
    };
    let calendar = Calendar::builtin();
    let ending = ending(&application.events, calendar).expect("the application lapses");
    assert_eq!(ending.lapse, Some(reason));
    let on_the_day = evaluate(&application, calendar, ending.date).unwrap();
    assert_eq!(on_the_day.state, State::Lapsed(reason));
    let day_before = evaluate(&application, calendar, ending.date.previous_day().unwrap()).unwrap();
    assert!(!matches!(day_before.state, State::Lapsed(_)), "{:?}", day_before.state);
}

#[test]
fn ending_agrees_with_the_clock_on_a_supplement_lapse() {
    let events = vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 05),
        reply_by: Some(date!(2026 - 03 - 20)),
    }];
    check_agrees(events, LapseReason::SupplementNotReceived);
}

#[test]
fn ending_agrees_with_the_clock_on_a_fee_lapse() {
    let events = vec![Event::FeeNotified { on: date!(2026 - 03 - 04), amount_yuan: 200 }];
    check_agrees(events, LapseReason::FeeNotPaid);
}
