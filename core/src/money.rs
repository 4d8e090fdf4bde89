//! Money as integer fen (1/100 CNY). Never floats.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in fen (分, 1/100 yuan). Always an integer; arithmetic is checked.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

/// The largest amount Linli accepts anywhere: ¥10 billion, far above any community fund, far
/// below `i64::MAX` so that sums of many amounts cannot overflow.
pub const MAX_FEN: i64 = 1_000_000_000_000;

impl Fen {
    /// Zero fen.
    pub const ZERO: Fen = Fen(0);

    /// Builds an amount from whole yuan.
    pub const fn yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    /// The raw number of fen.
    pub const fn get(self) -> i64 {
        self.0
    }

    /// True when the amount is strictly positive and at most [`MAX_FEN`].
    pub fn is_valid_positive(self) -> bool {
        self.0 > 0 && self.0 <= MAX_FEN
    }

    /// Checked addition.
    pub fn checked_add(self, other: Fen) -> Option<Fen> {
        self.0.checked_add(other.0).map(Fen)
    }

    /// Sums amounts, returning `None` on overflow or when the sum leaves `0..=MAX_FEN`.
    pub fn checked_sum<I: IntoIterator<Item = Fen>>(items: I) -> Option<Fen> {
        let mut total = Fen::ZERO;
        for f in items {
            total = total.checked_add(f)?;
            if !(0..=MAX_FEN).contains(&total.0) {
                return None;
            }
        }
        Some(total)
    }
}

impl fmt::Display for Fen {
    /// Formats as `¥1,234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let neg = self.0 < 0;
        let abs = self.0.unsigned_abs();
        let yuan = abs / 100;
        let fen = abs % 100;
        let digits = yuan.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{}¥{}.{:02}", if neg { "-" } else { "" }, grouped, fen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_grouping() {
        assert_eq!(Fen(30_000_000).to_string(), "¥300,000.00");
        assert_eq!(Fen(5).to_string(), "¥0.05");
        assert_eq!(Fen(-123_456).to_string(), "-¥1,234.56");
    }

    #[test]
    fn sum_rejects_overflow_and_negative_totals() {
        assert_eq!(Fen::checked_sum([Fen(1), Fen(2)]), Some(Fen(3)));
        assert_eq!(Fen::checked_sum([Fen(MAX_FEN), Fen(1)]), None);
        assert_eq!(Fen::checked_sum([Fen(i64::MAX), Fen(i64::MAX)]), None);
        assert_eq!(Fen::checked_sum([Fen(-5)]), None);
    }
}
