//! Pabulib (`.pb`) files and Linli's counting rules for researchers: read a file from any city's
//! participatory budget, run every rule the core has on it and compare with the city's own
//! selection. The parsing and the rules are the core's (`linli_core::pabulib`,
//! `linli_core::tally`); this module only carries them across the boundary.

use crate::LinliError;
use linli_core::pabulib::Instance;
use linli_core::tally::{Election, Rule};
use std::sync::Arc;

/// A counting rule that runs on an election (a sealed cycle or a Pabulib file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum CountingRule {
    /// Greedy by approvals (or points) within the budget: today's practice in most cities.
    Greedy,
    /// Method of Equal Shares, without completion.
    Mes,
    /// Method of Equal Shares, completed by raising every voter's budget one currency unit at a
    /// time (pabutools' `equalshares/add1`).
    MesAdd1,
    /// Borda points from ranked (ordinal) ballots, selected greedily.
    Borda,
}

impl CountingRule {
    fn core(self) -> Rule {
        match self {
            CountingRule::Greedy => Rule::Greedy,
            CountingRule::Mes => Rule::Mes,
            CountingRule::MesAdd1 => Rule::MesAdd1,
            CountingRule::Borda => Rule::Borda,
        }
    }
}

/// Every counting rule the core has, in a stable order (what a researcher loops over).
#[uniffi::export]
pub fn counting_rules() -> Vec<CountingRule> {
    vec![
        CountingRule::Greedy,
        CountingRule::Mes,
        CountingRule::MesAdd1,
        CountingRule::Borda,
    ]
}

/// The stable name of a rule (`greedy`, `mes`, `mes-add1`, `borda`), as the CLI and the
/// genesis spell it.
#[uniffi::export]
pub fn counting_rule_name(rule: CountingRule) -> String {
    rule.core().as_str().into()
}

/// One `META` line of a file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PbMetaEntry {
    /// The key (`budget`, `vote_type`, `unit`, ...).
    pub key: String,
    /// The value as written.
    pub value: String,
}

/// One project of a file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PbProjectItem {
    /// `project_id`.
    pub id: String,
    /// The cost in scaled integer units: the file's cost times [`PabulibInstance::scale`], so
    /// that fractional costs stay exact (never a float).
    pub cost: u64,
    /// The `name` column, when the file has one.
    pub name: Option<String>,
    /// Whether the city selected it (the `selected` column is `1`); absent when the file has
    /// no such column.
    pub city_selected: Option<bool>,
}

/// A project's score under a rule: approvals, Borda points or total points.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PbScore {
    /// `project_id`.
    pub project_id: String,
    /// The score.
    pub score: u64,
}

/// What a rule selects on a file.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PbOutcome {
    /// The rule's stable name.
    pub rule: String,
    /// The selected project ids, in the order the rule selected them.
    pub selected: Vec<String>,
    /// The selection's total cost, in scaled units.
    pub cost: u64,
    /// The budget, in scaled units.
    pub budget: u64,
    /// Every project's score, in file order.
    pub scores: Vec<PbScore>,
}

/// A Pabulib instance read into memory, ready for the counting rules. Immutable, so it may be
/// shared between threads.
#[derive(uniffi::Object)]
pub struct PabulibInstance {
    instance: Instance,
    election: Election,
}

impl PabulibInstance {
    fn of(instance: Instance) -> Arc<PabulibInstance> {
        let election = instance.election();
        Arc::new(PabulibInstance { instance, election })
    }
}

fn bad_file(e: linli_core::pabulib::PabulibError) -> LinliError {
    LinliError::invalid(e.to_string())
}

#[uniffi::export]
impl PabulibInstance {
    /// Reads a `.pb` file's text.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<PabulibInstance>, LinliError> {
        Instance::parse(&text)
            .map(PabulibInstance::of)
            .map_err(bad_file)
    }

    /// Reads a `.pb` file from disk (UTF-8).
    #[uniffi::constructor]
    pub fn read(path: String) -> Result<Arc<PabulibInstance>, LinliError> {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| LinliError::invalid(format!("{path}: {e}")))?;
        PabulibInstance::parse(text)
    }

    /// The `META` section, in file order.
    pub fn meta(&self) -> Vec<PbMetaEntry> {
        self.instance
            .meta
            .iter()
            .map(|(key, value)| PbMetaEntry {
                key: key.clone(),
                value: value.clone(),
            })
            .collect()
    }

    /// The projects, in file order.
    pub fn projects(&self) -> Vec<PbProjectItem> {
        let has_selected = self
            .instance
            .project_columns
            .iter()
            .any(|c| c == "selected");
        self.instance
            .projects
            .iter()
            .map(|p| PbProjectItem {
                id: p.id.clone(),
                cost: p.cost,
                name: p.fields.get("name").cloned(),
                city_selected: has_selected
                    .then(|| p.fields.get("selected").is_some_and(|s| s.trim() == "1")),
            })
            .collect()
    }

    /// How many votes the file holds.
    pub fn vote_count(&self) -> u64 {
        self.instance.votes.len() as u64
    }

    /// The vote type (`approval`, `ordinal`, `cumulative`, `scoring`, ...).
    pub fn vote_type(&self) -> String {
        self.instance.vote_type().into()
    }

    /// The budget in scaled units.
    pub fn budget(&self) -> u64 {
        self.instance.budget
    }

    /// The power of ten costs and the budget were multiplied by to be integers.
    pub fn scale(&self) -> u64 {
        self.instance.scale
    }

    /// The project ids the city selected, when the file says (the `selected` column).
    pub fn city_selection(&self) -> Option<Vec<String>> {
        self.instance.city_selection()
    }

    /// Runs a counting rule. A rule that needs another ballot type (Borda on approval ballots)
    /// is refused as `InvalidInput`, with the reason.
    pub fn count(&self, rule: CountingRule) -> Result<PbOutcome, LinliError> {
        let rule = rule.core();
        let outcome = self
            .election
            .run(rule)
            .map_err(|e| LinliError::invalid(e.to_string()))?;
        let names = &self.election.names;
        Ok(PbOutcome {
            rule: rule.as_str().into(),
            selected: outcome.selected.iter().map(|p| names[*p].clone()).collect(),
            cost: outcome.cost,
            budget: self.election.budget,
            scores: names
                .iter()
                .zip(&outcome.scores)
                .map(|(id, score)| PbScore {
                    project_id: id.clone(),
                    score: *score,
                })
                .collect(),
        })
    }

    /// The file written back in the `.pb` format (what `linli pabulib export` writes for a
    /// sealed cycle).
    pub fn to_pb(&self) -> String {
        self.instance.write()
    }
}
