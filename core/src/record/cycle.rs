//! The cycle: its genesis record (the trust root), its rules and its phases.

use crate::exclusion::Exclusion;
use crate::lang::Lang;
use crate::money::{Fen, MAX_FEN};
use crate::text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::category::Category;
pub use crate::phase::Phase;
use crate::record::blob::BlobRef;
use crate::record::shape::RecordBody;

/// A planned window for one phase. Informational: the real phase is set by signed phase records,
/// because device clocks are claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseWindow {
    /// The phase.
    pub phase: Phase,
    /// First day (UTC date).
    pub start: NaiveDate,
    /// Last day (UTC date), inclusive.
    pub end: NaiveDate,
}

/// The kind of ballot residents cast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BallotKind {
    /// Approve between `min_picks` and `max_picks` shortlisted proposals.
    Approval,
    /// Approve proposals whose estimated costs add up to at most `cap` (budget-capped approval).
    Knapsack {
        /// The cap on the total cost of a ballot, in fen.
        cap: Fen,
    },
    /// Rank between `min_picks` and `max_picks` proposals, best first.
    Ranked,
    /// Spread up to `points` points over proposals.
    Cumulative {
        /// Points each voter may give in total.
        points: u32,
    },
}

impl BallotKind {
    /// Parses the way people write a ballot type: `approval`, `ranked`, `knapsack:CAP_YUAN`,
    /// `cumulative:POINTS` (what `linli cycle create --ballot` and the console take).
    pub fn parse(s: &str) -> Option<BallotKind> {
        let (name, arg) = match s.trim().split_once(':') {
            Some((n, a)) => (n, Some(a)),
            None => (s.trim(), None),
        };
        match (name, arg) {
            ("approval", None) => Some(BallotKind::Approval),
            ("ranked", None) => Some(BallotKind::Ranked),
            ("knapsack", Some(cap)) => cap.parse().ok().map(|cap| BallotKind::Knapsack { cap }),
            ("cumulative", Some(p)) => p
                .parse()
                .ok()
                .map(|points| BallotKind::Cumulative { points }),
            _ => None,
        }
    }
}

/// How residents vote and how the votes are counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VotingRules {
    /// The ballot type.
    pub ballot: BallotKind,
    /// Fewest proposals a ballot may name.
    pub min_picks: u32,
    /// Most proposals a ballot may name.
    pub max_picks: u32,
    /// The counting rule that selects proposals from the sealed ballots.
    pub rule: crate::tally::Rule,
    /// The fewest votes (approvals, Borda points or points) a proposal needs to be funded. New
    /// cycles need at least one; a genesis signed before this field existed asks for none.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub min_support: u64,
    /// How the counting rule orders proposals with equal scores.
    #[serde(default, skip_serializing_if = "TieBreak::is_by_id")]
    pub tie_break: TieBreak,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// How proposals with equal scores are ordered when the counting rule picks among them. The
/// rule is stated in the genesis and printed with the result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The cheaper proposal first (more of the pool is left for others); between equal costs, a
    /// public lot: the order of SHA-256(digest of the sealed ballot ids ‖ proposal id), which any
    /// device reproduces from the seal and which no one can steer without changing the ballots
    /// counted. The default for new cycles.
    LowerCostThenLot,
    /// The lower proposal id first, as pabutools orders projects by id: kept so that a cycle
    /// can be counted exactly as a Pabulib file is. What a genesis signed before the rule existed
    /// means.
    #[default]
    ById,
}

impl TieBreak {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TieBreak::LowerCostThenLot => "lower_cost_then_lot",
            TieBreak::ById => "by_id",
        }
    }

    /// How the rule reads for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TieBreak::LowerCostThenLot => lang.pick(
                "票数相同时，预算较低者优先；预算也相同时，按由封票推算的公开抽签",
                "equal scores: the lower cost first, then a public lot drawn from the seal",
            ),
            TieBreak::ById => lang.pick(
                "票数相同时，按提案编号顺序（与 pabutools 相同）",
                "equal scores: in proposal id order (as pabutools)",
            ),
        }
    }

    fn is_by_id(&self) -> bool {
        *self == TieBreak::ById
    }
}

impl VotingRules {
    /// Approval voting with `min..=max` picks, counted greedily by votes (today's practice), with
    /// the defaults of a new cycle: at least one vote to be funded, ties to the lower cost then a
    /// public lot.
    pub fn approval(min_picks: u32, max_picks: u32) -> VotingRules {
        VotingRules {
            ballot: BallotKind::Approval,
            min_picks,
            max_picks,
            rule: crate::tally::Rule::Greedy,
            min_support: 1,
            tie_break: TieBreak::LowerCostThenLot,
        }
    }

    /// Checks the rules on their own: the counting rule must fit the ballot type.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        use crate::tally::Rule;
        if self.min_picks > self.max_picks || self.max_picks == 0 {
            return Err(Exclusion::RuleViolation {
                detail: "voting needs min_picks <= max_picks and max_picks >= 1".into(),
            });
        }
        let fits = match (&self.ballot, self.rule) {
            (BallotKind::Approval | BallotKind::Knapsack { .. }, r) => r != Rule::Borda,
            (BallotKind::Ranked, r) => matches!(r, Rule::Borda | Rule::Greedy),
            (BallotKind::Cumulative { .. }, r) => r == Rule::Greedy,
        };
        if !fits {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "rule {} does not fit {:?} ballots",
                    self.rule.as_str(),
                    self.ballot
                ),
            });
        }
        match &self.ballot {
            BallotKind::Knapsack { cap } if !cap.is_valid_positive() => {
                Err(Exclusion::InvalidAmount {
                    field: "voting.ballot.cap".into(),
                    detail: format!("{cap} is not a positive amount"),
                })
            }
            BallotKind::Cumulative { points: 0 } => Err(Exclusion::RuleViolation {
                detail: "cumulative ballots need at least one point".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// When the satisfaction-gated final payment may be released.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionRule {
    /// Share of ratings that must be good, in percent (default 80).
    pub threshold_pct: u8,
    /// Fewest stars that count as good (default 4).
    pub good_stars: u8,
    /// Fewest ratings needed before the gate can open.
    pub min_ratings: u32,
    /// Whether the good share must be strictly above the threshold (the programmes' rule:
    /// "satisfaction above 80 %"), rather than at least at it. New cycles say so by default; a
    /// genesis signed before this field existed means "at least", as it did then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strictly_above: bool,
    /// Whether every funded project's instalment schedule must end in a satisfaction-gated
    /// instalment (the programmes' rule: the last payment depends on residents' satisfaction).
    /// New cycles say so by default; a genesis signed before this field existed did not ask it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gated_final_instalment: bool,
}

impl SatisfactionRule {
    /// What the gate asks, for people, from this cycle's own rule (a cycle may set another
    /// threshold than 80 %, or "at least" rather than "above"): what an app shows while the
    /// final payment waits.
    pub fn gate_label(&self, lang: Lang) -> String {
        let pct = self.threshold_pct;
        match (lang, self.strictly_above) {
            (Lang::Zh, true) => format!("满意度超过 {pct}% 前暂缓拨付尾款"),
            (Lang::Zh, false) => format!("满意度达到 {pct}% 前暂缓拨付尾款"),
            (Lang::En, true) => format!("final payment withheld until over {pct}% are satisfied"),
            (Lang::En, false) => {
                format!("final payment withheld until at least {pct}% are satisfied")
            }
        }
    }
}

impl Default for SatisfactionRule {
    fn default() -> Self {
        SatisfactionRule {
            threshold_pct: 80,
            good_stars: 4,
            min_ratings: 5,
            strictly_above: true,
            gated_final_instalment: true,
        }
    }
}

/// A project type the cycle's programme does not fund, with the programme's reason, shown to
/// whoever proposes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcludedType {
    /// The category excluded.
    pub category: Category,
    /// Why, in the programme's words ("community-driven projects only, not schools").
    pub reason: String,
}

impl ExcludedType {
    /// Parses `CATEGORY=REASON` (what `linli cycle create --exclude` and the console take).
    pub fn parse(s: &str) -> Option<ExcludedType> {
        let (c, reason) = s.split_once('=')?;
        Some(ExcludedType {
            category: Category::parse(c.trim())?,
            reason: reason.trim().to_string(),
        })
    }
}

/// The programme's rules on what may be proposed: which categories the cycle offers and which
/// project types it excludes. A genesis signed before these rules existed offers
/// [`Category::DEFAULT`] and excludes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// The categories a proposal may have (empty: [`Category::DEFAULT`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<Category>,
    /// The project types refused, with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<ExcludedType>,
}

impl Programme {
    /// The categories offered, in display order.
    pub fn offered(&self) -> &[Category] {
        if self.categories.is_empty() {
            &Category::DEFAULT
        } else {
            &self.categories
        }
    }

    /// Why a proposal of `category` is refused, if it is: an excluded type (with the programme's
    /// reason), or a category the cycle does not offer.
    pub fn refuse(&self, category: Category) -> Option<Exclusion> {
        if let Some(x) = self.excluded.iter().find(|x| x.category == category) {
            return Some(Exclusion::ExcludedCategory {
                category,
                reason: x.reason.clone(),
            });
        }
        (!self.offered().contains(&category)).then(|| Exclusion::RuleViolation {
            detail: format!(
                "category {} is not offered in this cycle",
                category.as_str()
            ),
        })
    }

    fn is_default(&self) -> bool {
        self.categories.is_empty() && self.excluded.is_empty()
    }

    /// Checks the rules on their own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check_count("categories", self.categories.len(), Category::ALL.len())?;
        text::check_count("excluded", self.excluded.len(), Category::ALL.len())?;
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.categories {
            if !seen.insert(*c) {
                return Err(Exclusion::RuleViolation {
                    detail: format!("category {} is offered twice", c.as_str()),
                });
            }
        }
        for x in &self.excluded {
            text::check("excluded.reason", &x.reason, 1, text::MEDIUM)?;
            if self.categories.contains(&x.category) {
                return Err(Exclusion::RuleViolation {
                    detail: format!(
                        "category {} is both offered and excluded",
                        x.category.as_str()
                    ),
                });
            }
        }
        Ok(())
    }
}

/// The cycle's founding record, signed by the creating cadre: the trust root of everything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// The community's name, e.g. "玉林社区".
    pub community: String,
    /// The cycle's year.
    pub year: i32,
    /// A title for the cycle, e.g. "2026年社区保障资金项目".
    pub title: String,
    /// The public fund to distribute, in fen.
    pub budget_pool: Fen,
    /// The planned calendar (informational).
    pub calendar: Vec<PhaseWindow>,
    /// Voting rules.
    pub voting: VotingRules,
    /// The satisfaction gate for final payments.
    pub satisfaction: SatisfactionRule,
    /// The founding cadre's member id (a fresh UUID v7).
    pub founder_member: Uuid,
    /// The founding cadre's display name.
    pub founder_name: String,
    /// What may be proposed.
    #[serde(default, skip_serializing_if = "Programme::is_default")]
    pub programme: Programme,
}

impl Genesis {
    /// Checks the record on its own (no other records needed).
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("community", &self.community, 1, text::SHORT)?;
        text::check("title", &self.title, 1, text::SHORT)?;
        text::check("founder_name", &self.founder_name, 1, text::SHORT)?;
        if !(2000..=2200).contains(&self.year) {
            return Err(Exclusion::RuleViolation {
                detail: format!("year {} out of range", self.year),
            });
        }
        if self.budget_pool.get() <= 0 || self.budget_pool.get() > MAX_FEN {
            return Err(Exclusion::InvalidAmount {
                field: "budget_pool".into(),
                detail: format!("{} is not a positive amount", self.budget_pool),
            });
        }
        text::check_count("calendar", self.calendar.len(), Phase::ALL.len())?;
        for w in &self.calendar {
            if w.end < w.start {
                return Err(Exclusion::RuleViolation {
                    detail: format!(
                        "calendar window for {} ends before it starts",
                        w.phase.as_str()
                    ),
                });
            }
        }
        self.voting.check_shape()?;
        self.programme.check_shape()?;
        let s = &self.satisfaction;
        if s.threshold_pct > 100 || !(1..=5).contains(&s.good_stars) {
            return Err(Exclusion::RuleViolation {
                detail: "satisfaction threshold must be 0-100 % and good stars 1-5".into(),
            });
        }
        Ok(())
    }
}

/// A cadre moves the cycle to a later phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseChange {
    /// The new phase; must be later than the previous one.
    pub to: Phase,
    /// The phase record (or the genesis) this change follows.
    pub prev: Uuid,
    /// Optional note for residents.
    pub note: String,
}

impl PhaseChange {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::MEDIUM)
    }
}

impl RecordBody for Genesis {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}

impl RecordBody for PhaseChange {
    fn check_body(&self, _pool: Fen) -> Result<(), Exclusion> {
        self.check_shape()
    }
    fn blob_refs(&self) -> &[BlobRef] {
        &[]
    }
    fn named_records(&self) -> Option<&[Uuid]> {
        None
    }
}
