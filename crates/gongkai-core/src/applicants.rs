//! Recognising the same applicant across applications, for the two rules that count by applicant:
//!
//! - the processing fee charged per application (按件计收) counts "同一申请人一个自然月内累计申请" the
//!   applicant's applications in a calendar month (国办函〔2020〕109号《政府信息公开信息处理费管理办法》 art. 4);
//! - a repeated application for the same information already answered is told it will not be handled again
//!   (不予重复处理, 2019 条例 art. 36(6)).
//!
//! An applicant is identified by their identity document's number, or, without one, by their phone number;
//! [`identity`] gives the normalised text the store keeps only as a keyed hash. Which applications count
//! toward the month is our reading [U]: 109号 charges the agency's own processing, so only applications to
//! the same agency are counted — a lower count, never a fee the applicant does not owe.

/// The normalised identity of an applicant: `id:` and the document number (its ASCII letters and digits,
/// full-width folded, upper-cased), or, without a usable number, `phone:` and the phone's digits
/// (a leading +86 or 0086 dropped); `None` when neither is usable (fewer than 6 letters and digits, 7 digits).
pub fn identity(id_number: &str, phone: &str) -> Option<String> {
    let id: String = id_number
        .chars()
        .map(fold_width)
        .filter(char::is_ascii_alphanumeric)
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    if id.len() >= 6 {
        return Some(format!("id:{id}"));
    }
    let trimmed = phone.trim();
    let mut digits: String = trimmed.chars().map(fold_width).filter(char::is_ascii_digit).collect();
    let international = trimmed.starts_with('+') || trimmed.starts_with("00");
    if international && digits.starts_with("0086") {
        digits.drain(..4);
    } else if international && digits.starts_with("86") {
        digits.drain(..2);
    }
    (digits.len() >= 7).then(|| format!("phone:{digits}"))
}

/// Full-width ASCII (`０`–`９`, `Ａ`–`Ｚ`, `ａ`–`ｚ`) as half-width.
fn fold_width(ch: char) -> char {
    match ch {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(ch as u32 - 0xfee0).unwrap_or(ch),
        _ => ch,
    }
}

/// The request's text as compared for a repeated application: whitespace and punctuation dropped,
/// full-width folded, letters lower-cased. Two requests are "the same information" for the hint only when
/// these are equal — a precise test; a reworded request is the handler's judgement.
pub fn request_fingerprint(description: &str) -> String {
    description
        .chars()
        .map(fold_width)
        .filter(|ch| ch.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_identifies_whatever_its_spelling() {
        let plain = identity("11010519491231002X", "");
        assert_eq!(plain.as_deref(), Some("id:11010519491231002X"));
        assert_eq!(identity(" 110105 19491231 002x ", "13800138000"), plain);
        assert_eq!(identity("１１０１０５１９４９１２３１００２Ｘ", ""), plain);
        // The 统一社会信用代码 of an organisation the same way.
        assert_eq!(identity("91330300MA2AAAAA1X", "").as_deref(), Some("id:91330300MA2AAAAA1X"));
    }

    #[test]
    fn without_a_number_the_phone_identifies() {
        let phone = identity("", "13800138000");
        assert_eq!(phone.as_deref(), Some("phone:13800138000"));
        assert_eq!(identity("", "+86 138-0013-8000"), phone);
        assert_eq!(identity("", "0086 13800138000"), phone);
        assert_eq!(identity("无", "138 0013 8000"), phone);
        assert_eq!(identity("身份证号码未填写", "138 0013 8000"), phone);
        // A landline keeps its area code; 86 in the middle of a number is not a country code.
        assert_eq!(identity("", "0577-88000000").as_deref(), Some("phone:057788000000"));
        assert_eq!(identity("", "86123456").as_deref(), Some("phone:86123456"));
    }

    #[test]
    fn nothing_usable_identifies_no_one() {
        assert_eq!(identity("", ""), None);
        assert_eq!(identity("12345", "123456"), None);
    }

    #[test]
    fn requests_compare_without_spacing_and_punctuation() {
        assert_eq!(
            request_fingerprint("2025年 全市人民调解案件数量统计。"),
            request_fingerprint("２０２５年全市人民调解案件数量统计")
        );
        assert_ne!(request_fingerprint("2025年统计"), request_fingerprint("2024年统计"));
    }
}
