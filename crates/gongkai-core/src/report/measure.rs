//! The names of the measures: what [`super::derive`] computes and the format files cite (a value row's or
//! column's `measure`; a cell is `row.measure . column.measure`). One constant per measure or family, so a
//! cell's figure is found in two greps: its name finds the constant here, the constant finds the lines of
//! `derive` that count it (and note the records behind it).
//!
//! A family is completed by [`key`]: `key(&[APP_RESULT, "withheld.state_secret", "natural"])` is
//! `app.result.withheld.state_secret.natural` — the result row's suffix from
//! [`crate::records::Outcome::measure`], the column's from [`crate::records::ApplicantType::code`] (or `all`).

/// A measure's name from a family and its parts, joined with `.`.
pub fn key(parts: &[&str]) -> String {
    parts.join(".")
}

/// Applications received in the year, by applicant type (`.natural` … `.all`).
pub const APP_NEW: &str = "app.new";
/// Applications carried over from the year before, by applicant type.
pub const APP_CARRIED_IN: &str = "app.carried_in";
/// Applications carried over to the year after, by applicant type.
pub const APP_CARRIED_OUT: &str = "app.carried_out";
/// Applications concluded in the year, by result row (`Outcome::measure`) and applicant type.
pub const APP_RESULT: &str = "app.result";
/// All results of the year, by applicant type.
pub const APP_RESULT_TOTAL: &str = "app.result.total";
/// The results of 其他处理 summed (the 2019 format's single row), by applicant type.
pub const APP_RESULT_OTHER: &str = "app.result.other";
/// Applications received in the year (pre-2019), and by channel (`.in_person`, `.fax`, `.online`,
/// `.letter`).
pub const APP_RECEIVED: &str = "app.received";
/// Applications concluded in the year (pre-2019), on time and extended.
pub const APP_CONCLUDED: &str = "app.concluded";
pub const APP_CONCLUDED_ON_TIME: &str = "app.concluded.on_time";
pub const APP_CONCLUDED_EXTENDED: &str = "app.concluded.extended";
/// Applications answered (pre-2019), and by answer type (`Outcome::legacy_measure`).
pub const APP_ANSWERED: &str = "app.answered";
pub const APP_ANSWER: &str = "app.answer";
/// The pre-2019 不同意公开 answers summed.
pub const APP_ANSWER_REFUSED: &str = "app.answer.refused";

/// Catalog items published in the year; normative ones; by channel (`PublishChannel::code`).
pub const CATALOG_TOTAL: &str = "catalog.total";
pub const CATALOG_NORMATIVE: &str = "catalog.normative";
pub const CATALOG_CHANNEL: &str = "catalog.channel";

/// Rules and normative documents: `.made`, `.repealed`, `.in_force`, `.published`, `.published_total`.
pub const NORMATIVE_RULE: &str = "normative.rule";
pub const NORMATIVE_DOC: &str = "normative.doc";

/// Responses to public concerns by kind; `.head` where the agency's head took part.
pub const RESPONSE_TOPICS: &str = "response.topics";
pub const RESPONSE_PRESS_CONFERENCE: &str = "response.press_conference";
pub const RESPONSE_ONLINE_INTERVIEW: &str = "response.online_interview";
pub const RESPONSE_INTERPRETATION: &str = "response.interpretation";
pub const RESPONSE_WEIBO_WECHAT: &str = "response.weibo_wechat";
pub const RESPONSE_OTHER: &str = "response.other";
/// The part of a response measure counting those the agency's head attended.
pub const HEAD: &str = "head";

/// Reviews filed in the year by status at the year's end (`.upheld`, `.corrected`, `.other`,
/// `.pending`, `.total`); reviews concluded in the year by result.
pub const REVIEW: &str = "review";
pub const REVIEW_CONCLUDED: &str = "review_concluded";
/// Lawsuits filed in the year, directly or after a review, by status; concluded in the year by result.
pub const SUIT_DIRECT: &str = "suit.direct";
pub const SUIT_AFTER_REVIEW: &str = "suit.after_review";
pub const SUIT_CONCLUDED: &str = "suit_concluded";
/// The part of a review or lawsuit family that counts every case.
pub const TOTAL: &str = "total";

pub const COMPLAINT_TOTAL: &str = "complaint.total";

/// The organisation at the year's end: offices, reading points, staff (full and part time), funding.
pub const ORG_OFFICES: &str = "org.offices";
pub const ORG_READING_POINTS: &str = "org.reading_points";
pub const ORG_STAFF: &str = "org.staff";
pub const ORG_STAFF_FULL_TIME: &str = "org.staff.full_time";
pub const ORG_STAFF_PART_TIME: &str = "org.staff.part_time";
pub const ORG_FUNDING: &str = "org.funding";

/// Meetings, training courses and trainees of the year.
pub const TRAINING_MEETINGS: &str = "training.meetings";
pub const TRAINING_COURSES: &str = "training.courses";
pub const TRAINING_TRAINEES: &str = "training.trainees";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_family_and_its_parts_make_the_cell_measure() {
        assert_eq!(
            key(&[APP_RESULT, "withheld.state_secret", "natural"]),
            "app.result.withheld.state_secret.natural"
        );
        assert_eq!(key(&[RESPONSE_PRESS_CONFERENCE, HEAD]), "response.press_conference.head");
        assert_eq!(key(&[SUIT_DIRECT, TOTAL]), "suit.direct.total");
    }
}
