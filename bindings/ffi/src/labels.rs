//! What people read for the codes the core gives (`voting`, `shortlisted`, `misuse_of_funds`,
//! `late_ballot`, ...), in Chinese or English, from the core's one table: an app shows these and
//! carries no translations of its own. Also the cycle's own satisfaction gate, in words.

use crate::{Device, Language, LinliError, id};
use linli_core::Lang;

/// A code with its label.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LabelItem {
    /// What the code names: `phase`, `proposal_status`, `category`, `report_kind`,
    /// `ballot_status`, `role` or `exclusion`.
    pub kind: String,
    /// The code, as records and lists carry it.
    pub code: String,
    /// The label for people.
    pub label: String,
}

/// When a cycle's satisfaction-gated final payment may be released, from its genesis.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SatisfactionGate {
    /// The share of good ratings asked, in percent (80 in the programmes).
    pub threshold_pct: u8,
    /// Whether the share must be above it (the programmes' "above 80 %") or at least at it.
    pub strictly_above: bool,
    /// Fewest stars that count as satisfied.
    pub good_stars: u8,
    /// Fewest ratings before the gate can open.
    pub min_ratings: u32,
    /// The gate in words, in the device's language ("满意度超过 80% 前暂缓拨付尾款").
    pub label: String,
}

fn items(lang: Lang) -> Vec<LabelItem> {
    linli_core::store::labels(lang)
        .into_iter()
        .map(|(kind, code, label)| LabelItem {
            kind: kind.into(),
            code: code.into(),
            label,
        })
        .collect()
}

/// Every code a screen shows, with its label in `language`. Read it once and look codes up.
#[uniffi::export]
pub fn labels(language: Language) -> Vec<LabelItem> {
    items(language.into())
}

/// The label of one code in `language`; the code itself when this build does not know it.
#[uniffi::export]
pub fn label(code: String, language: Language) -> String {
    linli_core::store::label(language.into(), &code)
}

#[uniffi::export]
impl Device {
    /// Every code a screen shows, labelled in this device's language.
    pub fn labels(&self) -> Vec<LabelItem> {
        items(self.lang())
    }

    /// The cycle's satisfaction gate (threshold, stars, fewest ratings) and its words in this
    /// device's language: what a project screen says while the final payment waits.
    pub fn satisfaction_gate(&self, cycle_id: String) -> Result<SatisfactionGate, LinliError> {
        let rule = self
            .store()?
            .satisfaction_rule(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(SatisfactionGate {
            threshold_pct: rule.threshold_pct,
            strictly_above: rule.strictly_above,
            good_stars: rule.good_stars,
            min_ratings: rule.min_ratings,
            label: rule.gate_label(self.lang()),
        })
    }
}
