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

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not a number of yuan (digits, an optional sign, at most one decimal point).
    #[error("not an amount in yuan: {0:?}")]
    NotAnAmount(String),
    /// More than two decimals: fen are the smallest unit.
    #[error("at most two decimals (fen): {0:?}")]
    TooPrecise(String),
    /// Beyond what Linli accepts anywhere ([`MAX_FEN`]).
    #[error("amount out of range: {0:?}")]
    OutOfRange(String),
}

impl std::str::FromStr for Fen {
    type Err = MoneyError;

    /// Parses an amount in yuan as people write it: `300000`, `1,234.5`, `¥12.30`, `-5`. Exact:
    /// the decimals are read as fen, never through a float. Whether the amount is allowed (for
    /// example, positive) is the rules' business, not the parser's.
    fn from_str(text: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::NotAnAmount(text.to_string());
        let t = text
            .trim()
            .trim_start_matches(['¥', '￥'])
            .replace([',', '，'], "");
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, t),
        };
        let (whole, frac) = match t.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t.as_str(), ""),
        };
        if whole.is_empty() && frac.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(MoneyError::TooPrecise(text.to_string()));
        }
        let out_of_range = || MoneyError::OutOfRange(text.to_string());
        let yuan: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| out_of_range())?
        };
        let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
        let total = yuan
            .checked_mul(100)
            .and_then(|y| y.checked_add(fen))
            .filter(|v| *v <= MAX_FEN)
            .ok_or_else(out_of_range)?;
        Ok(Fen(if neg { -total } else { total }))
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
    fn parses_yuan_exactly() {
        for (text, fen) in [
            ("300000", 30_000_000),
            ("1,234.5", 123_450),
            ("¥12.30", 1_230),
            ("0.05", 5),
            (".5", 50),
            ("-5", -500),
            ("10000000000", MAX_FEN),
        ] {
            assert_eq!(text.parse::<Fen>(), Ok(Fen(fen)), "{text}");
        }
        for bad in ["", "abc", "1.2.3", "1e5", "¥", "--1", "1.-1"] {
            assert!(
                matches!(bad.parse::<Fen>(), Err(MoneyError::NotAnAmount(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            "1.234".parse::<Fen>(),
            Err(MoneyError::TooPrecise(_))
        ));
        assert!(matches!(
            "10000000000.01".parse::<Fen>(),
            Err(MoneyError::OutOfRange(_))
        ));
        assert!(matches!(
            "99999999999999999999".parse::<Fen>(),
            Err(MoneyError::OutOfRange(_))
        ));
    }

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
