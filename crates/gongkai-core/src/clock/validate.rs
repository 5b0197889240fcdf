//! The events of an application checked and gathered into the facts the clock counts from: one 补正, one
//! approved extension, consultations that do not overlap, one fee notice, one reply, each in order.

use time::Date;

use super::{ClockError, Event, Party};
use crate::regime::Regime;

/// The events of one kind, validated into the facts the clock needs.
pub(super) struct Facts {
    pub(super) supplement: Option<(Date, Option<Date>, Option<Date>)>,
    pub(super) consultations: Vec<(Date, Option<Date>, Party)>,
    pub(super) extension: Option<(Date, u32)>,
    pub(super) extension_requests: Vec<(Date, bool)>,
    pub(super) fee: Option<(Date, u64, Option<Date>)>,
    pub(super) replied: Option<Date>,
    /// The day the applicant was asked for reasons (art. 35).
    pub(super) reasons: Option<Date>,
    /// The later reply date set after reasons found reasonable (art. 35): (decided on, until).
    pub(super) deferred: Option<(Date, Date)>,
}

/// The events one pass gathers that are matched with others only once all are seen: the
/// supplement's arrival, the consultations sent and answered, the fee's payment.
#[derive(Default)]
struct Loose {
    supplement_received: Option<Date>,
    sent: Vec<(Date, Party)>,
    answered: Vec<Date>,
    fee_paid: Option<Date>,
}

/// Checks the events against the day the application was received and against one another, and
/// gathers them into [`Facts`]; the first problem found is the error.
pub(super) fn validate(
    events: &[Event],
    regime: Regime,
    received: Date,
) -> Result<Facts, ClockError> {
    check_after_receipt(events, received)?;
    // Replies first, so that everything else can be checked against it.
    let replied = the_reply(events)?;
    if let Some(replied) = replied {
        check_before_reply(events, replied)?;
    }
    let mut facts = Facts {
        supplement: None,
        consultations: Vec::new(),
        extension: None,
        extension_requests: Vec::new(),
        fee: None,
        replied,
        reasons: None,
        deferred: None,
    };
    let loose = gather(events, regime, &mut facts)?;
    // A later reply date is set only after the applicant was asked for reasons (art. 35).
    if let Some((decided_on, _)) = facts.deferred
        && facts.reasons.is_none_or(|asked| asked >= decided_on)
    {
        return Err(ClockError::DeferralWithoutReasons);
    }
    if let Some(received_on) = loose.supplement_received {
        attach_supplement(&mut facts.supplement, received_on)?;
    }
    if let Some(paid) = loose.fee_paid {
        attach_payment(&mut facts.fee, paid)?;
    }
    facts.consultations = pair_consultations(loose.sent, loose.answered)?;
    Ok(facts)
}

/// Refuses the first event dated before the application was received.
fn check_after_receipt(events: &[Event], received: Date) -> Result<(), ClockError> {
    for event in events {
        if event.date() < received {
            return Err(ClockError::BeforeReceipt {
                event: event_name(event),
                on: event.date(),
                received,
            });
        }
    }
    Ok(())
}

/// The day of the one reply, if any; a second reply is refused.
fn the_reply(events: &[Event]) -> Result<Option<Date>, ClockError> {
    let mut replied = None;
    for event in events {
        if let Event::Replied { on } = event {
            if let Some(first) = replied {
                return Err(ClockError::SecondReply { first, second: *on });
            }
            replied = Some(*on);
        }
    }
    Ok(replied)
}

/// Refuses the first event, other than a reply, dated after the reply.
fn check_before_reply(events: &[Event], replied: Date) -> Result<(), ClockError> {
    for event in events {
        if !matches!(event, Event::Replied { .. }) && event.date() > replied {
            return Err(ClockError::AfterReply {
                event: event_name(event),
                on: event.date(),
                replied,
            });
        }
    }
    Ok(())
}

/// Records each event of a kind that may occur once (refusing a second) or that stands alone into
/// `facts`, and returns those still to be matched.
fn gather(events: &[Event], regime: Regime, facts: &mut Facts) -> Result<Loose, ClockError> {
    let mut loose = Loose::default();
    for event in events {
        match *event {
            Event::SupplementRequested { on, reply_by } => {
                if facts.supplement.is_some() {
                    return Err(ClockError::SecondSupplement);
                }
                if let Some(reply_by) = reply_by.filter(|reply_by| *reply_by < on) {
                    return Err(ClockError::SupplementReplyByReversed { requested: on, reply_by });
                }
                facts.supplement = Some((on, reply_by, None));
            }
            Event::SupplementReceived { on } => {
                if loose.supplement_received.is_some() {
                    return Err(ClockError::SecondSupplement);
                }
                loose.supplement_received = Some(on);
            }
            Event::ConsultationSent { on, party } => loose.sent.push((on, party)),
            Event::ConsultationAnswered { on } => loose.answered.push(on),
            Event::ExtensionRequested { on } => facts.extension_requests.push((on, false)),
            Event::ExtensionRefused { on } => facts.extension_requests.push((on, true)),
            Event::ExtensionApproved { on, working_days } => {
                if facts.extension.is_some() {
                    return Err(ClockError::SecondExtension);
                }
                check_extension_length(working_days, regime)?;
                facts.extension = Some((on, working_days));
            }
            Event::FeeNotified { on, amount_yuan } => {
                if regime == Regime::Ordinance2007 {
                    return Err(ClockError::FeeUnderOrdinance2007);
                }
                if facts.fee.is_some() {
                    return Err(ClockError::SecondFeeNotice);
                }
                facts.fee = Some((on, amount_yuan, None));
            }
            Event::FeePaid { on } => {
                if loose.fee_paid.is_some() {
                    return Err(ClockError::FeePayment {
                        paid: on,
                        problem: "is a second payment",
                    });
                }
                loose.fee_paid = Some(on);
            }
            Event::Replied { .. } => {}
            Event::ReasonsRequested { on } => {
                if regime == Regime::Ordinance2007 {
                    return Err(ClockError::ReasonsUnderOrdinance2007);
                }
                if facts.reasons.is_some() {
                    return Err(ClockError::SecondReasonsRequest);
                }
                facts.reasons = Some(on);
            }
            Event::ReplyDeferred { on, until } => {
                if regime == Regime::Ordinance2007 {
                    return Err(ClockError::ReasonsUnderOrdinance2007);
                }
                if facts.deferred.is_some() || until <= on {
                    return Err(ClockError::DeferralWithoutReasons);
                }
                facts.deferred = Some((on, until));
            }
        }
    }
    Ok(loose)
}

/// Refuses an approved extension of no working days, or of more than the regime allows.
fn check_extension_length(working_days: u32, regime: Regime) -> Result<(), ClockError> {
    let max = regime.max_extension_working_days();
    if working_days == 0 {
        return Err(ClockError::EmptyExtension);
    }
    if working_days > max {
        return Err(ClockError::ExtensionTooLong { requested: working_days, max, regime });
    }
    Ok(())
}

/// Records the supplement's arrival on its request; refused without a request or before it.
fn attach_supplement(
    supplement: &mut Option<(Date, Option<Date>, Option<Date>)>,
    received_on: Date,
) -> Result<(), ClockError> {
    match supplement {
        None => Err(ClockError::SupplementNotRequested { received: received_on }),
        Some((requested, _, _)) if received_on < *requested => {
            Err(ClockError::SupplementBeforeRequest {
                requested: *requested,
                received: received_on,
            })
        }
        Some((_, _, received)) => {
            *received = Some(received_on);
            Ok(())
        }
    }
}

/// Records the fee's payment on its notice; refused without a notice or before it.
fn attach_payment(
    fee: &mut Option<(Date, u64, Option<Date>)>,
    paid: Date,
) -> Result<(), ClockError> {
    match fee {
        None => Err(ClockError::FeePayment { paid, problem: "without a fee notice" }),
        Some((notified, _, _)) if paid < *notified => {
            Err(ClockError::FeePayment { paid, problem: "before the fee notice" })
        }
        Some((_, _, slot)) => {
            *slot = Some(paid);
            Ok(())
        }
    }
}

/// Pairs the i-th request for opinion with the i-th answer, in date order; intervals may not
/// overlap.
fn pair_consultations(
    mut sent: Vec<(Date, Party)>,
    mut answered: Vec<Date>,
) -> Result<Vec<(Date, Option<Date>, Party)>, ClockError> {
    sent.sort_by_key(|(on, _)| *on);
    answered.sort();
    if answered.len() > sent.len() {
        return Err(ClockError::ConsultationNotSent { answered: answered[sent.len()] });
    }
    let mut consultations = Vec::new();
    for (index, (sent_on, party)) in sent.iter().enumerate() {
        let answer = answered.get(index).copied();
        if let Some(answer) = answer
            && answer < *sent_on
        {
            return Err(ClockError::ConsultationReversed { sent: *sent_on, answered: answer });
        }
        if let Some((next_sent, _)) = sent.get(index + 1) {
            match answer {
                Some(answer) if answer <= *next_sent => {}
                _ => {
                    return Err(ClockError::OverlappingConsultations {
                        first: *sent_on,
                        second: *next_sent,
                    });
                }
            }
        }
        consultations.push((*sent_on, answer, *party));
    }
    Ok(consultations)
}

pub(super) fn event_name(event: &Event) -> &'static str {
    match event {
        Event::SupplementRequested { .. } => "supplement request",
        Event::SupplementReceived { .. } => "supplement",
        Event::ConsultationSent { .. } => "consultation",
        Event::ConsultationAnswered { .. } => "consultation answer",
        Event::ExtensionRequested { .. } => "extension request",
        Event::ExtensionRefused { .. } => "extension refusal",
        Event::ExtensionApproved { .. } => "extension",
        Event::FeeNotified { .. } => "fee notice",
        Event::FeePaid { .. } => "fee payment",
        Event::Replied { .. } => "reply",
        Event::ReasonsRequested { .. } => "request for reasons",
        Event::ReplyDeferred { .. } => "later reply date",
    }
}
