//! Exact quantities: counts are whole numbers; money in 万元 may have decimals (e.g. 0.04 万元 = 400 元). A
//! [`Quantity`] keeps ten-thousandths as an integer, so every sum a rule checks is exact. Records (fees,
//! funding, declared figures) and report values both use it; it belongs to neither.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// A number in ten-thousandths of its unit (four decimals: 1 元 in 万元).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Quantity(i64);

impl Quantity {
    pub const ZERO: Quantity = Quantity(0);
    const SCALE: i64 = 10_000;

    /// A whole count.
    pub const fn count(n: i64) -> Quantity {
        Quantity(n * Quantity::SCALE)
    }

    /// From ten-thousandths (e.g. 元 when the unit is 万元).
    pub const fn from_ten_thousandths(raw: i64) -> Quantity {
        Quantity(raw)
    }

    pub fn ten_thousandths(self) -> i64 {
        self.0
    }

    pub fn is_whole(self) -> bool {
        self.0 % Quantity::SCALE == 0
    }

    /// The whole part (exact for counts).
    pub fn whole(self) -> i64 {
        self.0 / Quantity::SCALE
    }

    /// Parses `12`, `-3`, `0.04`, `1,234.5`; at most four decimals.
    pub fn parse(text: &str) -> Result<Quantity, String> {
        let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
        let (negative, digits) = match cleaned.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, cleaned.as_str()),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let valid = !whole.is_empty()
            && whole.chars().all(|c| c.is_ascii_digit())
            && fraction.chars().all(|c| c.is_ascii_digit())
            && fraction.len() <= 4;
        if !valid {
            return Err(format!("`{text}` is not a number with at most four decimals"));
        }
        let whole: i64 = whole.parse().map_err(|_| format!("`{text}` is too large"))?;
        let fraction_value: i64 = format!("{fraction:0<4}").parse().unwrap_or(0);
        let raw = whole
            .checked_mul(Quantity::SCALE)
            .and_then(|raw| raw.checked_add(fraction_value))
            .ok_or_else(|| format!("`{text}` is too large"))?;
        Ok(Quantity(if negative { -raw } else { raw }))
    }
}

impl fmt::Display for Quantity {
    /// Whole numbers without decimals; others with trailing zeros trimmed (`0.04`, `2.5`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let absolute = self.0.unsigned_abs();
        let whole = absolute / Quantity::SCALE as u64;
        let fraction = absolute % Quantity::SCALE as u64;
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let digits = format!("{fraction:04}");
            write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

impl Add for Quantity {
    type Output = Quantity;
    fn add(self, other: Quantity) -> Quantity {
        Quantity(self.0 + other.0)
    }
}

impl Sub for Quantity {
    type Output = Quantity;
    fn sub(self, other: Quantity) -> Quantity {
        Quantity(self.0 - other.0)
    }
}

impl std::iter::Sum for Quantity {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Quantity {
        iter.fold(Quantity::ZERO, Add::add)
    }
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_whole() {
            serializer.serialize_i64(self.whole())
        } else {
            serializer.serialize_f64(self.0 as f64 / Quantity::SCALE as f64)
        }
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::String(text) => text.clone(),
            other => {
                return Err(serde::de::Error::custom(format!("expected a number, found {other}")));
            }
        };
        Quantity::parse(&text).map_err(serde::de::Error::custom)
    }
}
