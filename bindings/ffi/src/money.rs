//! Money for screens: what a resident types in yuan, read exactly as fen, and fen shown as
//! people read them, both by the core's one implementation (`linli_core::money`), so no app
//! parses or formats money with floats of its own.

use linli_core::Fen;

/// An amount typed in yuan (`300000`, `1,234.5`, `¥12.30`, full-width commas too) as exact
/// integer fen; nothing when it is not an amount, has more than two decimals, is negative or is
/// beyond what Linli accepts. Whether it fits a budget is the rules' business, not this.
#[uniffi::export]
pub fn parse_yuan(text: String) -> Option<i64> {
    text.parse::<Fen>().ok().map(Fen::get).filter(|f| *f >= 0)
}

/// Fen as people read them: `¥1,234.50`.
#[uniffi::export]
pub fn format_fen(fen: i64) -> String {
    Fen(fen).to_string()
}
