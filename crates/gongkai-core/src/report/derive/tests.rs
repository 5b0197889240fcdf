//! Tests of `derive`.

use time::macros::date;

use super::*;
use crate::records::FeeRecord;
use crate::regime::Intake;

fn case(tracking: &str, events: Vec<Event>) -> ApplicationRecord {
    ApplicationRecord {
        tracking_number: tracking.to_owned(),
        applicant: ApplicantType::Natural,
        intake: Intake::received_on(Channel::Online, date!(2025 - 11 - 03)),
        regime: None,
        events,
        outcome: Some(Outcome::Disclosed),
    }
}

fn ledger(application: &str, date: Date, amount_yuan: u64, waived: bool) -> FeeRecord {
    FeeRecord { application: application.to_owned(), date, amount_yuan, waived }
}

/// 109号办法: a fee is collected when paid. A case's notice of 300 元 paid in 2026 counts in 2026 and
/// not in 2025 (when it was notified); an unpaid notice counts nowhere; a ledger fee of a case off the
/// platform (120 元) and a waiver count in their own year, as does the waiver of a notified fee never
/// paid; the ledger's copy of the first case's fee is not counted a second time. 2026: 300 + 120 =
/// 420 元, 2 waived.
#[test]
fn a_fee_is_counted_once_in_the_year_it_is_paid() {
    let records = AgencyRecords {
        applications: vec![
            case(
                "A",
                vec![
                    Event::FeeNotified { on: date!(2025 - 12 - 22), amount_yuan: 300 },
                    Event::FeePaid { on: date!(2026 - 01 - 06) },
                ],
            ),
            case("B", vec![Event::FeeNotified { on: date!(2026 - 03 - 02), amount_yuan: 500 }]),
        ],
        fees: vec![
            ledger("A", date!(2026 - 01 - 06), 300, false),
            ledger("OFF-1", date!(2026 - 05 - 06), 120, false),
            ledger("OFF-2", date!(2026 - 06 - 01), 0, true),
            ledger("OFF-3", date!(2025 - 06 - 01), 80, false),
            // B's notice, waived before it was paid.
            ledger("B", date!(2026 - 03 - 10), 0, true),
        ],
        ..AgencyRecords::default()
    };
    let mut problems = Vec::new();
    assert_eq!(fees(&records, 2026, &mut problems), (420, 2));
    assert_eq!(fees(&records, 2025, &mut problems), (80, 0));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn a_ledger_fee_that_contradicts_its_case_is_named_and_the_case_counts() {
    let records = AgencyRecords {
        applications: vec![case(
            "A",
            vec![
                Event::FeeNotified { on: date!(2026 - 03 - 02), amount_yuan: 300 },
                Event::FeePaid { on: date!(2026 - 03 - 09) },
            ],
        )],
        fees: vec![ledger("A", date!(2026 - 03 - 09), 200, false)],
        ..AgencyRecords::default()
    };
    let mut problems = Vec::new();
    assert_eq!(fees(&records, 2026, &mut problems), (300, 0));
    assert_eq!(
        problems,
        vec![
            "申请A：收费台账（200元，2026-03-09）与办理记录的收费（300元，2026-03-09缴费）不一致，按办理记录计"
        ]
    );
}
