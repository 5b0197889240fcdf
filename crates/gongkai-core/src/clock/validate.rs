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
}

pub(super) fn validate(
    events: &[Event],
    regime: Regime,
    received: Date,
) -> Result<Facts, ClockError> {
    let mut facts = Facts {
        supplement: None,
        consultations: Vec::new(),
        extension: None,
        extension_requests: Vec::new(),
        fee: None,
        replied: None,
    };
    for event in events {
        if event.date() < received {
            return Err(ClockError::BeforeReceipt {
                event: event_name(event),
                on: event.date(),
                received,
            });
        }
    }
    // Replies first, so that everything else can be checked against it.
    for event in events {
        if let Event::Replied { on } = event {
            if let Some(first) = facts.replied {
                return Err(ClockError::SecondReply { first, second: *on });
            }
            facts.replied = Some(*on);
        }
    }
    if let Some(replied) = facts.replied {
        for event in events {
            if !matches!(event, Event::Replied { .. }) && event.date() > replied {
                return Err(ClockError::AfterReply {
                    event: event_name(event),
                    on: event.date(),
                    replied,
                });
            }
        }
    }

    let mut supplement_received = None;
    let mut sent = Vec::new();
    let mut answered = Vec::new();
    let mut fee_paid = None;
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
                if supplement_received.is_some() {
                    return Err(ClockError::SecondSupplement);
                }
                supplement_received = Some(on);
            }
            Event::ConsultationSent { on, party } => sent.push((on, party)),
            Event::ConsultationAnswered { on } => answered.push(on),
            Event::ExtensionRequested { on } => facts.extension_requests.push((on, false)),
            Event::ExtensionRefused { on } => facts.extension_requests.push((on, true)),
            Event::ExtensionApproved { on, working_days } => {
                if facts.extension.is_some() {
                    return Err(ClockError::SecondExtension);
                }
                let max = regime.max_extension_working_days();
                if working_days == 0 {
                    return Err(ClockError::EmptyExtension);
                }
                if working_days > max {
                    return Err(ClockError::ExtensionTooLong {
                        requested: working_days,
                        max,
                        regime,
                    });
                }
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
                if fee_paid.is_some() {
                    return Err(ClockError::FeePayment {
                        paid: on,
                        problem: "is a second payment",
                    });
                }
                fee_paid = Some(on);
            }
            Event::Replied { .. } => {}
        }
    }

    if let Some(received_on) = supplement_received {
        match &mut facts.supplement {
            None => return Err(ClockError::SupplementNotRequested { received: received_on }),
            Some((requested, _, _)) if received_on < *requested => {
                return Err(ClockError::SupplementBeforeRequest {
                    requested: *requested,
                    received: received_on,
                });
            }
            Some((_, _, received)) => *received = Some(received_on),
        }
    }

    if let Some(paid) = fee_paid {
        match &mut facts.fee {
            None => return Err(ClockError::FeePayment { paid, problem: "without a fee notice" }),
            Some((notified, _, _)) if paid < *notified => {
                return Err(ClockError::FeePayment { paid, problem: "before the fee notice" });
            }
            Some((_, _, slot)) => *slot = Some(paid),
        }
    }

    // Pair the i-th request for opinion with the i-th answer, in date order; intervals may not overlap.
    sent.sort_by_key(|(on, _)| *on);
    answered.sort();
    if answered.len() > sent.len() {
        return Err(ClockError::ConsultationNotSent { answered: answered[sent.len()] });
    }
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
        facts.consultations.push((*sent_on, answer, *party));
    }
    Ok(facts)
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
    }
}
