//! The letter a step sends ([`LetterPlan`]) and its composition from the case and the sending agency.

use time::Date;

use crate::calendar::Calendar;
use crate::clock::{self, ClockReport};
use crate::letters::{self, CaseFacts, Letter, LetterKind, ReplyFacts};
use crate::records::Outcome;

use super::Responsible;

/// The letter a step sends, before it is composed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LetterPlan {
    Supplement {
        items: String,
        reply_by: Date,
    },
    Consultation {
        consulted: String,
        other_agency: bool,
    },
    Extension {
        working_days: u32,
        reason: String,
    },
    Fee {
        amount_yuan: u64,
        basis: String,
    },
    Reply {
        outcome: Outcome,
        access: String,
        withheld_parts: String,
        reasons: String,
        responsible: Option<Responsible>,
    },
    /// The applicant withdrew the application on `requested_on`: the case ends without a decision.
    Withdrawal {
        requested_on: Date,
    },
    /// To a third party who objected: the information is disclosed anyway, for `reasons` (art. 32).
    ThirdParty {
        party: String,
        reasons: String,
    },
    /// To the applicant: state the reasons for applications beyond a reasonable range (art. 35).
    Reasons {
        facts: String,
    },
    /// To the applicant: the reasons are reasonable; the reply will come by `until` (art. 35).
    Deferral {
        until: Date,
        reason: String,
    },
}

/// The agency that sends a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender<'a> {
    pub name: &'a str,
    pub office: &'a str,
    pub phone: &'a str,
    /// The name of the agency above it in the platform's tree, if any.
    pub parent: Option<&'a str>,
}

impl Sender<'_> {
    /// "联系方式": the disclosure office and its phone, as far as they are known.
    pub fn contact(&self) -> String {
        contact(self.office, self.phone)
    }

    /// The body that hears an administrative review of the agency's reply: the government above it (2023
    /// 《行政复议法》 art. 24: a department's decisions are reviewed by the government at its level, a
    /// government's by the one above — in the platform's tree, the parent either way).
    pub fn review_body(&self) -> Option<&str> {
        self.parent
    }
}

/// An office and phone as one contact line.
pub fn contact(office: &str, phone: &str) -> String {
    [office, phone].iter().filter(|part| !part.is_empty()).copied().collect::<Vec<_>>().join("，")
}

impl LetterPlan {
    /// The platform agency the application is transferred to with this letter, if any.
    pub fn transfer_to(&self) -> Option<&str> {
        match self {
            LetterPlan::Reply { responsible: Some(agency), .. } => agency.transfer_to.as_deref(),
            _ => None,
        }
    }

    /// The letter's kind, as the case's letters are stored.
    pub fn kind(&self) -> LetterKind {
        match self {
            // Stored with the 补正 notices, the other letter that asks the applicant for something (the
            // stored kind's CHECK list has no kind of its own for it); its title tells them apart.
            LetterPlan::Supplement { .. } | LetterPlan::Reasons { .. } => LetterKind::Supplement,
            // A letter to the consulted party, never to the applicant, as the consultation letter.
            LetterPlan::Consultation { .. } | LetterPlan::ThirdParty { .. } => {
                LetterKind::Consultation
            }
            // Stored with the extension notices, the other letter that moves the reply's date.
            LetterPlan::Extension { .. } | LetterPlan::Deferral { .. } => LetterKind::Extension,
            LetterPlan::Fee { .. } => LetterKind::Fee,
            LetterPlan::Reply { .. } | LetterPlan::Withdrawal { .. } => LetterKind::Reply,
        }
    }

    /// The letter, dated `on`, from `sender` to `applicant` about the case (`tracking_number`, `request`);
    /// `report` is the clock with the step recorded.
    #[allow(clippy::too_many_arguments)]
    pub fn compose(
        &self,
        sender: &Sender<'_>,
        tracking_number: &str,
        request: &str,
        applicant: &str,
        report: &ClockReport,
        on: Date,
        calendar: &Calendar,
    ) -> Letter {
        let contact = sender.contact();
        let facts = CaseFacts {
            agency: sender.name,
            contact: &contact,
            tracking_number,
            applicant,
            received: report.received,
            request,
            regime: report.regime,
            date: on,
        };
        match self {
            LetterPlan::Supplement { items, reply_by } => {
                letters::supplement(&facts, items, *reply_by)
            }
            LetterPlan::Consultation { consulted, other_agency } => {
                let answer_by = calendar
                    .add_working_days(on, clock::CONSULTATION_WORKING_DAYS)
                    .unwrap_or(on + time::Duration::days(21));
                letters::consultation(&facts, consulted, *other_agency, answer_by)
            }
            LetterPlan::Extension { working_days, reason } => letters::extension(
                &facts,
                *working_days,
                report.due.unwrap_or(on),
                report.provisional,
                reason,
            ),
            LetterPlan::Fee { amount_yuan, basis } => {
                letters::fee(&facts, *amount_yuan, basis, clock::fee_payment_due(calendar, on))
            }
            LetterPlan::Reply { outcome, access, withheld_parts, reasons, responsible } => {
                let reply = ReplyFacts {
                    access,
                    withheld_parts,
                    reasons,
                    responsible_agency: responsible
                        .as_ref()
                        .map(|agency| (agency.name.as_str(), agency.contact.as_str())),
                    transferred: responsible
                        .as_ref()
                        .is_some_and(|agency| agency.transfer_to.is_some()),
                    review_body: sender.review_body(),
                };
                letters::reply(&facts, *outcome, &reply)
            }
            LetterPlan::Withdrawal { requested_on } => letters::withdrawal(&facts, *requested_on),
            LetterPlan::ThirdParty { party, reasons } => {
                letters::third_party_notice(&facts, party, reasons)
            }
            LetterPlan::Reasons { facts: stated } => letters::reasons_request(&facts, stated),
            LetterPlan::Deferral { until, reason } => letters::deferral(&facts, *until, reason),
        }
    }
}
