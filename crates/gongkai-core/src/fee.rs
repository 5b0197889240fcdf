//! The information processing fee (信息处理费), 国办函〔2020〕109号《政府信息公开信息处理费管理办法》.
//!
//! 2019 条例 art. 42: disclosure on application is free, but an agency may charge a processing fee when the
//! number or frequency of requests "明显超过合理范围". The 办法 (art. 3) charges either per application (按件)
//! or per volume (按量), both progressively ("超额累进"), and never both on one application.
//!
//! Amounts are whole yuan.

use serde::Serialize;

/// One progressive tier as applied to a quote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TierLine {
    /// First unit (application number or page) of the tier that is charged.
    pub from: u64,
    /// Last unit charged in this tier.
    pub to: u64,
    pub unit_price_yuan: u64,
    pub units: u64,
    pub subtotal_yuan: u64,
}

/// How a fee is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// 按件计收: by the applicant's running count of applications in the calendar month.
    PerApplication,
    /// 按量计收: by pages.
    PerVolume,
}

/// A computed fee with the tiers that make it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeQuote {
    pub basis: Basis,
    pub amount_yuan: u64,
    pub tiers: Vec<TierLine>,
    pub citation: &'static str,
}

/// Bad fee input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("the application's number in the month must be at least 1")]
    ZeroApplicationNumber,
    #[error("the application's number in the month must be at most {MAX_APPLICATION_NUMBER}")]
    ApplicationNumberTooLarge,
    #[error("a fee is charged for at most {MAX_PAGES} pages")]
    TooManyPages,
}

/// The largest running count of one applicant's applications in a month that a fee is computed for. Not from
/// 109号, which sets no ceiling: a bound so that every amount is exact in the store's 64-bit integers and a
/// mistyped count (an extra digit or three) is refused instead of billed; the fee there is 99,800 元.
pub const MAX_APPLICATION_NUMBER: u64 = 10_000;

/// The largest number of pages a fee is computed for (about 200 boxes of paper; 39,998,900 元). Like
/// [`MAX_APPLICATION_NUMBER`], our bound, not the 办法's.
pub const MAX_PAGES: u64 = 1_000_000;

/// The price of the `nth` application an applicant makes in one calendar month (109号 art. 4).
///
/// - 1st–10th: free ("10件以下（含10件）的，不收费");
/// - 11th–30th: 100 元 each;
/// - from the 31st, in bands of 10, each band 100 元 more: 31st–40th 200 元, 41st–50th 300 元, and so on
///   ("以10件为一档，每增加一档，收费标准提高100元/件").
pub fn per_application_unit_price(nth: u64) -> u64 {
    match nth {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100 * (1 + (nth - 30).div_ceil(10)),
    }
}

/// The fee for the `nth_in_month` application of one applicant in a calendar month (按件, 109号 art. 4).
pub fn per_application(nth_in_month: u64) -> Result<FeeQuote, FeeError> {
    if nth_in_month == 0 {
        return Err(FeeError::ZeroApplicationNumber);
    }
    if nth_in_month > MAX_APPLICATION_NUMBER {
        return Err(FeeError::ApplicationNumberTooLarge);
    }
    let price = per_application_unit_price(nth_in_month);
    let tiers = if price == 0 {
        Vec::new()
    } else {
        vec![TierLine {
            from: nth_in_month,
            to: nth_in_month,
            unit_price_yuan: price,
            units: 1,
            subtotal_yuan: price,
        }]
    };
    Ok(FeeQuote {
        basis: Basis::PerApplication,
        amount_yuan: price,
        tiers,
        citation: "国办函〔2020〕109号《政府信息公开信息处理费管理办法》第四条",
    })
}

/// Page tiers of 109号 art. 5: (last page of the tier, price per page).
const PAGE_TIERS: [(u64, u64); 4] = [(30, 0), (100, 10), (200, 20), (u64::MAX, 40)];

/// The fee for providing `pages` pages (按量, 109号 art. 5), progressive:
/// pages 1–30 free, 31–100 at 10 元, 101–200 at 20 元, from 201 at 40 元.
///
/// Example: 250 pages = 70 × 10 + 100 × 20 + 50 × 40 = 700 + 2,000 + 2,000 = 4,700 元.
/// More than [`MAX_PAGES`] pages are refused.
pub fn per_volume(pages: u64) -> Result<FeeQuote, FeeError> {
    if pages > MAX_PAGES {
        return Err(FeeError::TooManyPages);
    }
    let mut tiers = Vec::new();
    let mut previous_end = 0;
    for (tier_end, price) in PAGE_TIERS {
        if pages <= previous_end {
            break;
        }
        let last = pages.min(tier_end);
        let units = last - previous_end;
        if price > 0 {
            tiers.push(TierLine {
                from: previous_end + 1,
                to: last,
                unit_price_yuan: price,
                units,
                subtotal_yuan: units * price,
            });
        }
        previous_end = tier_end;
    }
    Ok(FeeQuote {
        basis: Basis::PerVolume,
        amount_yuan: tiers.iter().map(|tier| tier.subtotal_yuan).sum(),
        tiers,
        citation: "国办函〔2020〕109号《政府信息公开信息处理费管理办法》第五条",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_nth(nth: u64, expected_yuan: u64) {
        assert_eq!(per_application(nth).unwrap().amount_yuan, expected_yuan, "application #{nth}");
    }

    #[track_caller]
    fn check_pages(pages: u64, expected_yuan: u64) {
        assert_eq!(per_volume(pages).unwrap().amount_yuan, expected_yuan, "{pages} pages");
    }

    #[test]
    fn art_4_first_ten_applications_in_a_month_are_free() {
        check_nth(1, 0);
        check_nth(10, 0);
    }

    #[test]
    fn art_4_eleventh_to_thirtieth_cost_100() {
        check_nth(11, 100);
        check_nth(30, 100);
    }

    #[test]
    fn art_4_each_band_of_ten_after_thirty_adds_100() {
        check_nth(31, 200);
        check_nth(40, 200);
        check_nth(41, 300);
        check_nth(50, 300);
        check_nth(51, 400);
        check_nth(100, 800);
    }

    #[test]
    fn art_4_application_number_zero_is_refused() {
        assert_eq!(per_application(0), Err(FeeError::ZeroApplicationNumber));
    }

    #[test]
    fn counts_past_the_bounds_are_refused_not_wrapped() {
        // 100 × (1 + (10,000 − 30) / 10) = 100 × 998 = 99,800 元.
        check_nth(MAX_APPLICATION_NUMBER, 99_800);
        assert_eq!(
            per_application(MAX_APPLICATION_NUMBER + 1),
            Err(FeeError::ApplicationNumberTooLarge)
        );
        assert_eq!(per_application(u64::MAX), Err(FeeError::ApplicationNumberTooLarge));
        // 700 + 2,000 + (1,000,000 − 200) × 40 = 2,700 + 39,992,000 = 39,994,700 元.
        check_pages(MAX_PAGES, 39_994_700);
        assert_eq!(per_volume(MAX_PAGES + 1), Err(FeeError::TooManyPages));
        assert_eq!(per_volume(u64::MAX), Err(FeeError::TooManyPages));
        assert!(i64::try_from(per_volume(MAX_PAGES).unwrap().amount_yuan).is_ok());
    }

    #[test]
    fn art_5_pages_are_charged_progressively() {
        check_pages(0, 0);
        check_pages(30, 0);
        check_pages(31, 10);
        check_pages(100, 700); // 70 × 10
        check_pages(101, 720); // 700 + 1 × 20
        check_pages(200, 2_700); // 700 + 100 × 20
        check_pages(250, 4_700); // 2,700 + 50 × 40
    }

    #[test]
    fn art_5_quote_lists_each_tier() {
        let quote = per_volume(250).unwrap();
        let subtotals: Vec<u64> = quote.tiers.iter().map(|tier| tier.subtotal_yuan).collect();
        assert_eq!(subtotals, vec![700, 2_000, 2_000]);
        assert_eq!((quote.tiers[2].from, quote.tiers[2].to), (201, 250));
    }
}
