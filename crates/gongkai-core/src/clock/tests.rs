//! Tests of `clock`.

use proptest::prelude::*;
use time::macros::date;

use super::*;
use crate::calendar::NoticeYear;
use crate::regime::Channel;

fn online(received: Date, events: Vec<Event>) -> Application {
    Application { intake: Intake::received_on(Channel::Online, received), regime: None, events }
}

fn run(application: &Application, as_of: Date) -> ClockReport {
    evaluate(application, Calendar::builtin(), as_of).expect("valid application")
}

/// One worked example: the due date and state as of `as_of`.
#[track_caller]
fn check(application: Application, as_of: Date, due: Option<Date>, state: State) {
    let report = run(&application, as_of);
    assert_eq!((report.due, report.state), (due, state), "trace: {:#?}", report.trace);
}

#[test]
fn art_33_reply_due_on_20th_working_day_after_receipt() {
    // Received Monday 2026-03-02; March 2026 has no holidays: 03-03 is day 1, 03-30 day 20.
    check(
        online(date!(2026 - 03 - 02), vec![]),
        date!(2026 - 03 - 10),
        Some(date!(2026 - 03 - 30)),
        State::InProgress,
    );
}

#[test]
fn art_33_period_skips_spring_festival_and_counts_adjusted_saturdays() {
    // Received Tuesday 2026-02-10: 02-11..13 are days 1–3, Saturday 02-14 (调休) day 4, 02-15..23 off,
    // 02-24..27 days 5–8, Saturday 02-28 (调休) day 9, 03-02..06 days 10–14, 03-09..13 days 15–19,
    // 03-16 day 20.
    let report = run(&online(date!(2026 - 02 - 10), vec![]), date!(2026 - 02 - 11));
    assert_eq!(report.due, Some(date!(2026 - 03 - 16)));
    let period = report.trace.iter().find(|step| step.kind == StepKind::Period).unwrap();
    assert!(period.skipped.iter().any(|span| span.from == date!(2026 - 02 - 15)
        && span.to == date!(2026 - 02 - 23)
        && span.reason == "春节假期"));
}

#[test]
fn art_24_of_2007_reply_due_on_15th_working_day() {
    // Received Tuesday 2018-09-25 (the day after 中秋): 09-26..28 days 1–3, weekend 09-29/30 worked
    // (国庆调休) days 4–5, 10-01..07 off, 10-08..12 days 6–10, 10-15..19 days 11–15.
    let report = run(&online(date!(2018 - 09 - 25), vec![]), date!(2018 - 09 - 26));
    assert_eq!(report.regime, Regime::Ordinance2007);
    assert_eq!(report.due, Some(date!(2018 - 10 - 19)));
}

#[test]
fn art_33_approved_extension_adds_up_to_20_working_days() {
    // Day 20 is 03-30; 20 more: 03-31..04-03 (21–24), 清明 04-04..06 off, 04-07 is 25 ... 04-28 is 40.
    let events = vec![
        Event::ExtensionRequested { on: date!(2026 - 03 - 19) },
        Event::ExtensionApproved { on: date!(2026 - 03 - 20), working_days: 20 },
    ];
    check(
        online(date!(2026 - 03 - 02), events),
        date!(2026 - 04 - 01),
        Some(date!(2026 - 04 - 28)),
        State::InProgress,
    );
}

#[test]
fn art_33_extension_request_without_approval_changes_nothing() {
    let events = vec![
        Event::ExtensionRequested { on: date!(2026 - 03 - 19) },
        Event::ExtensionRefused { on: date!(2026 - 03 - 20) },
    ];
    check(
        online(date!(2026 - 03 - 02), events),
        date!(2026 - 03 - 31),
        Some(date!(2026 - 03 - 30)),
        State::Overdue,
    );
}

#[test]
fn art_33_extension_approved_after_due_date_is_not_applied() {
    let events = vec![Event::ExtensionApproved { on: date!(2026 - 03 - 31), working_days: 20 }];
    let report = run(&online(date!(2026 - 03 - 02), events), date!(2026 - 04 - 01));
    assert_eq!(report.due, Some(date!(2026 - 03 - 30)));
    assert!(report.findings.iter().any(|finding| finding.code == "extension_after_due"));
}

#[test]
fn art_30_period_restarts_when_supplement_arrives() {
    // Supplement received Thursday 2026-03-12: 03-13 day 1 ... 04-03 day 16, 清明 off, 04-07..10 days 17–20.
    let events = vec![
        Event::SupplementRequested {
            on: date!(2026 - 03 - 05),
            reply_by: Some(date!(2026 - 03 - 20)),
        },
        Event::SupplementReceived { on: date!(2026 - 03 - 12) },
    ];
    let report = run(&online(date!(2026 - 03 - 02), events), date!(2026 - 03 - 13));
    assert_eq!(report.due, Some(date!(2026 - 04 - 10)));
    assert_eq!(report.clock_start, Some(date!(2026 - 03 - 12)));
    // The notice was due by the 7th working day after receipt: 03-11.
    assert_eq!(report.supplement_notice_due, Some(date!(2026 - 03 - 11)));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

#[test]
fn art_30_late_supplement_notice_is_a_finding() {
    let events = vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 12),
        reply_by: Some(date!(2026 - 03 - 27)),
    }];
    let report = run(&online(date!(2026 - 03 - 02), events), date!(2026 - 03 - 13));
    assert_eq!(report.state, State::AwaitingSupplement);
    assert_eq!(report.due, None);
    assert!(report.findings.iter().any(|finding| finding.code == "supplement_notice_late"));
}

#[test]
fn art_30_supplement_not_received_by_stated_date_ends_the_application() {
    let events = vec![Event::SupplementRequested {
        on: date!(2026 - 03 - 05),
        reply_by: Some(date!(2026 - 03 - 20)),
    }];
    let application = online(date!(2026 - 03 - 02), events);
    check(application.clone(), date!(2026 - 03 - 20), None, State::AwaitingSupplement);
    check(
        application,
        date!(2026 - 03 - 23),
        None,
        State::Lapsed(LapseReason::SupplementNotReceived),
    );
}

#[test]
fn art_33_consultation_days_do_not_count() {
    // Sent Monday 03-09, answered Friday 03-13: 03-10..13 (4 working days) excluded; 03-30 + 4 = 04-03.
    let events = vec![
        Event::ConsultationSent { on: date!(2026 - 03 - 09), party: Party::ThirdParty },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 13) },
    ];
    let report = run(&online(date!(2026 - 03 - 02), events), date!(2026 - 03 - 16));
    assert_eq!(report.due, Some(date!(2026 - 04 - 03)));
    assert_eq!(report.excluded_working_days, 4);
}

#[test]
fn art_32_unanswered_consultation_pauses_at_most_15_working_days() {
    // Sent 03-09; the third party's 15 working days end 03-30. Counted before: 03-03..06, 03-09 (5 days);
    // from 03-31: 03-31..04-03 (6–9), 04-07..10 (10–13), 04-13..17 (14–18), 04-20..21 (19–20).
    let events =
        vec![Event::ConsultationSent { on: date!(2026 - 03 - 09), party: Party::ThirdParty }];
    let application = online(date!(2026 - 03 - 02), events);
    check(
        application.clone(),
        date!(2026 - 03 - 20),
        Some(date!(2026 - 04 - 21)),
        State::InConsultation,
    );
    check(application, date!(2026 - 04 - 01), Some(date!(2026 - 04 - 21)), State::InProgress);
}

#[test]
fn art_34_other_agency_consultation_counts_under_2019_but_not_2007() {
    let events = vec![
        Event::ConsultationSent { on: date!(2026 - 03 - 09), party: Party::OtherAgency },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 13) },
    ];
    assert_eq!(
        run(&online(date!(2026 - 03 - 02), events), date!(2026 - 03 - 16)).due,
        Some(date!(2026 - 04 - 03))
    );

    // 2007 条例 art. 24 excludes only third-party consultation: Monday 2018-03-05 + 15 = 2018-03-26.
    let events = vec![
        Event::ConsultationSent { on: date!(2018 - 03 - 07), party: Party::OtherAgency },
        Event::ConsultationAnswered { on: date!(2018 - 03 - 09) },
    ];
    let report = run(&online(date!(2018 - 03 - 05), events), date!(2018 - 03 - 12));
    assert_eq!(report.due, Some(date!(2018 - 03 - 26)));
    assert!(
        report
            .findings
            .iter()
            .any(|finding| finding.code == "agency_consultation_counts_under_2007")
    );
}

#[test]
fn fee_notice_to_payment_does_not_count_109_hao() {
    // Notice 03-04, paid 03-11: 03-05..11 (5 working days) excluded; 03-30 + 5 = 04-07 (清明 skipped).
    let events = vec![
        Event::FeeNotified { on: date!(2026 - 03 - 04), amount_yuan: 200 },
        Event::FeePaid { on: date!(2026 - 03 - 11) },
    ];
    check(
        online(date!(2026 - 03 - 02), events),
        date!(2026 - 03 - 12),
        Some(date!(2026 - 04 - 07)),
        State::InProgress,
    );
}

#[test]
fn fee_not_paid_within_20_working_days_lapses_109_hao() {
    // Notice 03-04: payment is due by the 20th working day after, 04-01. While unpaid the period is
    // paused up to 04-01: 03-03..04 count (days 1–2), then 04-02..03 (3–4), 清明 off, 04-07..10 (5–8),
    // 04-13..17 (9–13), 04-20..24 (14–18), 04-27..28 (19–20).
    let events = vec![Event::FeeNotified { on: date!(2026 - 03 - 04), amount_yuan: 200 }];
    let application = online(date!(2026 - 03 - 02), events);
    check(
        application.clone(),
        date!(2026 - 04 - 01),
        Some(date!(2026 - 04 - 28)),
        State::AwaitingPayment,
    );
    check(application, date!(2026 - 04 - 02), None, State::Lapsed(LapseReason::FeeNotPaid));
}

#[test]
fn reply_after_due_date_is_late() {
    let application =
        online(date!(2026 - 03 - 02), vec![Event::Replied { on: date!(2026 - 03 - 31) }]);
    let report = run(&application, date!(2026 - 04 - 10));
    assert_eq!((report.state, report.on_time), (State::Replied, Some(false)));
    assert_eq!(report.used_working_days, 21);
}

#[test]
fn period_into_a_year_without_notice_is_provisional_and_recomputed_once_added() {
    // Received Tuesday 2026-12-15. Without the 2027 notice, 2027-01-01 (Friday) is still off — 元旦 is a
    // statutory holiday (国务院令第795号) — while any 调休 is unknown:
    // 12-16..18 (1–3), 12-21..25 (4–8), 12-28..31 (9–12), 01-04..08 (13–17), 01-11..13 (18–20).
    let application = online(date!(2026 - 12 - 15), vec![]);
    let report = run(&application, date!(2026 - 12 - 16));
    assert_eq!(report.due, Some(date!(2027 - 01 - 13)));
    assert!(report.provisional);
    assert_eq!(report.provisional_years, vec![2027]);

    // A notice that also gives 2026-12-31 off (a day only a notice can set) moves the date by one.
    let mut calendar = Calendar::builtin().clone();
    let notice = "year = 2027\n[[notice]]\nid = \"annual\"\ntitle = \"t\"\nurl = \"u\"\n\
                      [[holiday]]\nname = \"元旦\"\noff = [\"2026-12-31..2027-01-03\"]\n";
    calendar.add_year(NoticeYear::parse("2027.toml", notice).unwrap()).unwrap();
    let report = evaluate(&application, &calendar, date!(2026 - 12 - 16)).unwrap();
    assert_eq!(report.due, Some(date!(2027 - 01 - 14)));
    assert!(!report.provisional);
}

#[test]
fn explicit_regime_overrides_with_a_finding() {
    let mut application = online(date!(2026 - 03 - 02), vec![]);
    application.regime = Some(Regime::Ordinance2007);
    let report = run(&application, date!(2026 - 03 - 03));
    // 15 working days after 03-02: 03-23.
    assert_eq!(report.due, Some(date!(2026 - 03 - 23)));
    assert!(report.findings.iter().any(|finding| finding.code == "regime_overridden"));
}

#[track_caller]
fn check_error(application: Application, expected: ClockError) {
    assert_eq!(evaluate(&application, Calendar::builtin(), date!(2026 - 06 - 01)), Err(expected));
}

#[test]
fn supplement_received_before_it_was_requested_is_refused() {
    let events = vec![
        Event::SupplementRequested { on: date!(2026 - 03 - 10), reply_by: None },
        Event::SupplementReceived { on: date!(2026 - 03 - 05) },
    ];
    check_error(
        online(date!(2026 - 03 - 02), events),
        ClockError::SupplementBeforeRequest {
            requested: date!(2026 - 03 - 10),
            received: date!(2026 - 03 - 05),
        },
    );
}

#[test]
fn second_supplement_request_is_refused() {
    let events = vec![
        Event::SupplementRequested { on: date!(2026 - 03 - 03), reply_by: None },
        Event::SupplementRequested { on: date!(2026 - 03 - 04), reply_by: None },
    ];
    check_error(online(date!(2026 - 03 - 02), events), ClockError::SecondSupplement);
}

#[test]
fn second_extension_is_refused() {
    let events = vec![
        Event::ExtensionApproved { on: date!(2026 - 03 - 10), working_days: 10 },
        Event::ExtensionApproved { on: date!(2026 - 03 - 11), working_days: 10 },
    ];
    check_error(online(date!(2026 - 03 - 02), events), ClockError::SecondExtension);
}

#[test]
fn extension_longer_than_the_statute_allows_is_refused() {
    let mut application = online(date!(2018 - 03 - 05), vec![]);
    application
        .events
        .push(Event::ExtensionApproved { on: date!(2018 - 03 - 06), working_days: 20 });
    check_error(
        application,
        ClockError::ExtensionTooLong { requested: 20, max: 15, regime: Regime::Ordinance2007 },
    );
}

#[test]
fn overlapping_and_reversed_consultations_are_refused() {
    let overlapping = vec![
        Event::ConsultationSent { on: date!(2026 - 03 - 03), party: Party::ThirdParty },
        Event::ConsultationSent { on: date!(2026 - 03 - 05), party: Party::OtherAgency },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 10) },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 12) },
    ];
    check_error(
        online(date!(2026 - 03 - 02), overlapping),
        ClockError::OverlappingConsultations {
            first: date!(2026 - 03 - 03),
            second: date!(2026 - 03 - 05),
        },
    );
    let reversed = vec![
        Event::ConsultationSent { on: date!(2026 - 03 - 10), party: Party::ThirdParty },
        Event::ConsultationAnswered { on: date!(2026 - 03 - 05) },
    ];
    check_error(
        online(date!(2026 - 03 - 02), reversed),
        ClockError::ConsultationReversed {
            sent: date!(2026 - 03 - 10),
            answered: date!(2026 - 03 - 05),
        },
    );
}

#[test]
fn events_before_receipt_or_after_reply_are_refused() {
    let before =
        vec![Event::ConsultationSent { on: date!(2026 - 03 - 01), party: Party::ThirdParty }];
    check_error(
        online(date!(2026 - 03 - 02), before),
        ClockError::BeforeReceipt {
            event: "consultation",
            on: date!(2026 - 03 - 01),
            received: date!(2026 - 03 - 02),
        },
    );
    let after = vec![
        Event::Replied { on: date!(2026 - 03 - 10) },
        Event::ExtensionApproved { on: date!(2026 - 03 - 11), working_days: 5 },
    ];
    check_error(
        online(date!(2026 - 03 - 02), after),
        ClockError::AfterReply {
            event: "extension",
            on: date!(2026 - 03 - 11),
            replied: date!(2026 - 03 - 10),
        },
    );
}

#[test]
fn fee_notice_under_2007_ordinance_is_refused() {
    let events = vec![Event::FeeNotified { on: date!(2018 - 03 - 06), amount_yuan: 100 }];
    check_error(online(date!(2018 - 03 - 05), events), ClockError::FeeUnderOrdinance2007);
}

#[test]
fn receipt_outside_calendar_or_before_the_ordinance_is_refused() {
    let err = evaluate(
        &online(date!(2027 - 01 - 05), vec![]),
        Calendar::builtin(),
        date!(2027 - 01 - 05),
    );
    assert!(matches!(err, Err(ClockError::OutsideCalendar { .. })), "{err:?}");
    check_error(
        online(date!(2008 - 04 - 30), vec![]),
        ClockError::BeforeOrdinance { received: date!(2008 - 04 - 30) },
    );
}

#[test]
fn report_serialises_regime_and_due_as_plain_strings() {
    let report = run(&online(date!(2026 - 03 - 02), vec![]), date!(2026 - 03 - 03));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["regime"], "2019");
    assert_eq!(json["due"], "2026-03-30");
    assert_eq!(json["provisional"], false);
}

// Property tests over random applications received between 2008-05-01 and 2026-12-31.

fn any_receipt() -> impl Strategy<Value = Date> {
    let first = date!(2008 - 05 - 01).to_julian_day();
    let last = date!(2026 - 12 - 31).to_julian_day();
    (first..=last).prop_map(|day| Date::from_julian_day(day).unwrap())
}

fn plus_days(date: Date, days: i64) -> Date {
    date + time::Duration::days(days)
}

proptest! {
    #[test]
    fn due_date_is_always_a_working_day(received in any_receipt(), extension in 0u32..=15) {
        let events = if extension > 0 {
            vec![Event::ExtensionApproved { on: received, working_days: extension }]
        } else {
            vec![]
        };
        let report = run(&online(received, events), received);
        let due = report.due.unwrap();
        prop_assert!(Calendar::builtin().lenient_day(due).day.working, "{due} is not a working day");
        prop_assert!(due > received);
    }

    #[test]
    fn extension_never_shortens(received in any_receipt(), extension in 1u32..=15) {
        let without = run(&online(received, vec![]), received).due.unwrap();
        let events = vec![Event::ExtensionApproved { on: received, working_days: extension }];
        let with = run(&online(received, events), received).due.unwrap();
        prop_assert!(with > without);
    }

    #[test]
    fn adding_a_holiday_never_moves_the_due_date_earlier(received in any_receipt(), offset in 0i64..60) {
        let application = online(received, vec![]);
        let before = run(&application, received).due.unwrap();
        let calendar = Calendar::builtin().clone().with_extra_day_off(plus_days(received, offset), "测试假日");
        let after = evaluate(&application, &calendar, received).unwrap().due.unwrap();
        prop_assert!(after >= before, "{after} < {before}");
    }

    #[test]
    fn a_consultation_only_moves_the_due_date_later(
        received in any_receipt(),
        start in 0i64..30,
        length in 0i64..30,
        answered in any::<bool>(),
    ) {
        let plain = run(&online(received, vec![]), received).due.unwrap();
        let sent = plus_days(received, start);
        let mut events = vec![Event::ConsultationSent { on: sent, party: Party::ThirdParty }];
        if answered {
            events.push(Event::ConsultationAnswered { on: plus_days(sent, length) });
        }
        let consulted = run(&online(received, events), received).due.unwrap();
        prop_assert!(consulted >= plain, "{consulted} < {plain}");
    }
}
