//! The state of one cycle: the deterministic fold of its valid records. Every map is a `BTreeMap`
//! so the state serialises to the same bytes whatever order the records arrived in.

use crate::exclusion::Exclusion;
use crate::identity::DeviceKey;
use crate::money::Fen;
use crate::phase::Phase;
use crate::record::Kind;
use crate::record::cycle::Genesis;
use crate::record::evaluation::Instalment;
use crate::record::list::ListOf;
use crate::record::monitoring::ReportKind;
use crate::record::proposal::{PaperSubmitter, ProposalContent, ReviewDecision};
use crate::record::roundtable::Roundtable;
use crate::role::Role;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Whether a record counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Verdict {
    /// Counted.
    Valid,
    /// Kept and shown, not counted.
    Excluded {
        /// Why.
        reason: Exclusion,
    },
}

impl Verdict {
    /// True when the record counts.
    pub fn is_valid(&self) -> bool {
        matches!(self, Verdict::Valid)
    }
}

/// A member of the cycle's roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Member id.
    pub id: Uuid,
    /// Display name (from the latest roll entry).
    pub display_name: String,
    /// Roles (union of all valid roll entries).
    pub roles: BTreeSet<Role>,
    /// Attested to be at least 15.
    pub age_15_plus: bool,
    /// Device keys, in roll order.
    pub keys: Vec<DeviceKey>,
    /// Members (cadres) who attested this member's entries.
    pub attested_by: BTreeSet<Uuid>,
    /// The age band of the latest entry that records one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_band: Option<crate::record::roll::AgeBand>,
}

/// A device key on the roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyState {
    /// Whose key.
    pub member: Uuid,
    /// The roll entry (or genesis) that registered it.
    pub entry: Uuid,
    /// Set when revoked: records with a higher sequence number do not count (unless `kept`
    /// names records, which then decides alone).
    pub revoked_after: Option<u64>,
    /// When a revocation in effect keeps records: the only records of this key that count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<BTreeSet<Uuid>>,
}

impl KeyState {
    /// Why a record of this key at `seq` with id `id` does not count, if it is cut off by a
    /// revocation.
    pub fn revoked(&self, id: &Uuid, seq: u64) -> Option<Exclusion> {
        cut_off(self.revoked_after?, self.kept.as_ref(), id, seq)
    }
}

/// The one revocation rule: when revocations keep records, only those count; otherwise the
/// records after `after_seq` do not.
pub(crate) fn cut_off(
    after_seq: u64,
    kept: Option<&BTreeSet<Uuid>>,
    id: &Uuid,
    seq: u64,
) -> Option<Exclusion> {
    let out = match kept {
        Some(kept) => !kept.contains(id),
        None => seq > after_seq,
    };
    out.then_some(Exclusion::RevokedKey { after_seq })
}

/// Lifecycle of a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Submitted, awaiting review.
    Submitted,
    /// On the ballot.
    Shortlisted,
    /// Merged into another proposal.
    Merged,
    /// Not taken forward.
    Rejected,
    /// Funded by the council resolution.
    Funded,
}

impl ProposalStatus {
    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Submitted => "submitted",
            ProposalStatus::Shortlisted => "shortlisted",
            ProposalStatus::Merged => "merged",
            ProposalStatus::Rejected => "rejected",
            ProposalStatus::Funded => "funded",
        }
    }
}

/// A review decision in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewState {
    /// The review record.
    pub id: Uuid,
    /// The reviewing cadre.
    pub by: Uuid,
    /// The decision.
    pub decision: ReviewDecision,
    /// The reason.
    pub reason: String,
}

/// A proposal as folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalState {
    /// Proposal id (its record id).
    pub id: Uuid,
    /// The member who signed it.
    pub signer_member: Uuid,
    /// The paper submitter, when a cadre entered it for someone.
    pub on_behalf_of: Option<PaperSubmitter>,
    /// Current content (latest valid revision).
    pub content: ProposalContent,
    /// Valid revisions applied.
    pub revisions: u32,
    /// The review in effect.
    pub review: Option<ReviewState>,
    /// Review history (record ids, fold order).
    pub review_history: Vec<Uuid>,
    /// Live approval count from current ballots.
    pub votes: u64,
    /// Comments on it (hidden ones included, listed as hidden).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<Uuid>,
    /// Claimed submission time.
    pub submitted_at: DateTime<Utc>,
}

impl ProposalState {
    /// Status derived from the review and the resolution.
    pub fn status(&self, funded: bool) -> ProposalStatus {
        if funded {
            return ProposalStatus::Funded;
        }
        match self.review.as_ref().map(|r| &r.decision) {
            None => ProposalStatus::Submitted,
            Some(ReviewDecision::Shortlist) => ProposalStatus::Shortlisted,
            Some(ReviewDecision::MergeInto { .. }) => ProposalStatus::Merged,
            Some(ReviewDecision::Reject) => ProposalStatus::Rejected,
        }
    }

    /// True when the proposal is on the ballot.
    pub fn is_shortlisted(&self) -> bool {
        matches!(
            self.review.as_ref().map(|r| &r.decision),
            Some(ReviewDecision::Shortlist)
        )
    }
}

/// A valid ballot record (current or superseded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BallotState {
    /// The voter.
    pub member: Uuid,
    /// Chosen proposals (best first for ranked ballots).
    pub choices: Vec<Uuid>,
    /// Points per choice (cumulative ballots).
    pub points: Vec<u32>,
    /// Claimed time.
    pub cast_at: DateTime<Utc>,
    /// Set for a paper ballot: the sheet and the cadre who entered it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperMark>,
}

impl BallotState {
    /// How the ballot was cast, as Pabulib's `voting_method` names it: `paper` or `internet`.
    pub fn voting_method(&self) -> &'static str {
        if self.paper.is_some() {
            "paper"
        } else {
            "internet"
        }
    }
}

/// Where a paper ballot came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaperMark {
    /// The sheet's number.
    pub sheet: String,
    /// The cadre (member) who entered it.
    pub entered_by: Uuid,
}

/// A comment as folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentState {
    /// What it is about (a proposal or project, or a meeting).
    pub on: Uuid,
    /// The comment it answers.
    pub reply_to: Option<Uuid>,
    /// The member who signed it (the cadre, for a comment entered on someone's behalf).
    pub signer_member: Uuid,
    /// Who wrote it, when a cadre entered it for them.
    pub on_behalf_of: Option<PaperSubmitter>,
    /// Typed at the desk in the hall.
    pub in_hall: bool,
    /// The text.
    pub text: String,
    /// Effective time.
    pub at: DateTime<Utc>,
    /// Set once a cadre hid it: the hiding record and its reason.
    pub hidden: Option<(Uuid, String)>,
}

/// A meeting as folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingState {
    /// The meeting record.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// Agenda, in order.
    pub agenda: Vec<Uuid>,
    /// Start and end.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// The item under discussion, once the chair moved to one.
    pub current: Option<Uuid>,
    /// The comments on the meeting, fold order.
    pub comments: Vec<Uuid>,
}

/// The seal in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealState {
    /// Seal record id.
    pub id: Uuid,
    /// Sealing cadre.
    pub by: Uuid,
    /// Ballots counted.
    pub ballots: BTreeSet<Uuid>,
    /// Of those, paper ballots.
    #[serde(skip_serializing_if = "is_zero")]
    pub paper: usize,
    /// Votes per shortlisted proposal among the sealed ballots.
    pub counts: BTreeMap<Uuid, u64>,
    /// Proposals selected by greedy-by-votes within the pool (ties: lower proposal id first).
    pub selected: Vec<Uuid>,
}

/// A valid record list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListState {
    /// What the ids are.
    pub of: ListOf,
    /// The member who signed it.
    pub by: Uuid,
    /// The ids, in order.
    pub ids: Vec<Uuid>,
}

/// The council resolution in effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolutionState {
    /// Resolution record id.
    pub id: Uuid,
    /// Funded proposals and amounts.
    pub funded: BTreeMap<Uuid, Fen>,
    /// Deviations from the sealed result, with reasons.
    pub deviations: BTreeMap<Uuid, String>,
    /// Sum funded.
    pub total: Fen,
    /// The council meeting it was passed at, whose comments stay attached to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting: Option<Uuid>,
}

/// A tender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenderState {
    /// Project (proposal id).
    pub project: Uuid,
    /// Budget ceiling.
    pub budget: Fen,
    /// Deadline.
    pub deadline: DateTime<Utc>,
    /// Bids (record ids): open bids, or the openings of sealed bids.
    pub bids: BTreeSet<Uuid>,
    /// The award, once made.
    pub award: Option<Uuid>,
    /// Whether bids are sealed until bidding closes.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub sealed: bool,
    /// The cadre's closing of a sealed tender, once signed, and its time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closing: Option<(Uuid, DateTime<Utc>)>,
    /// The sealed bids the closing names (received by the deadline).
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub closed_bids: BTreeSet<Uuid>,
}

/// A sealed bid: a contractor's commitment, until it is opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SealedBidState {
    /// The tender.
    pub tender: Uuid,
    /// The bidding contractor.
    pub contractor: Uuid,
    /// The commitment.
    pub commitment: String,
    /// Its opening, once made and valid.
    pub opening: Option<Uuid>,
}

/// A bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BidState {
    /// The tender.
    pub tender: Uuid,
    /// The bidding contractor.
    pub contractor: Uuid,
    /// Price.
    pub amount: Fen,
}

/// A monitoring report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportState {
    /// The project.
    pub project: Uuid,
    /// The reporter.
    pub reporter: Uuid,
    /// Kind.
    pub kind: ReportKind,
    /// Text.
    pub text: String,
    /// Number of photos.
    pub photos: u32,
    /// Claimed time.
    pub at: DateTime<Utc>,
    /// Responses (record ids, fold order).
    pub responses: Vec<Uuid>,
}

/// An instalment schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleState {
    /// The award.
    pub award: Uuid,
    /// The project.
    pub project: Uuid,
    /// Instalments.
    pub instalments: Vec<Instalment>,
    /// For each instalment, the release record once released.
    pub released: Vec<Option<Uuid>>,
}

/// A funded project from the resolution onwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct ProjectState {
    /// Amount funded by the resolution.
    pub funded: Fen,
    /// The award in effect.
    pub award: Option<Uuid>,
    /// The awarded contractor.
    pub contractor: Option<Uuid>,
    /// The winning price.
    pub contract_amount: Option<Fen>,
    /// The schedule in effect.
    pub schedule: Option<Uuid>,
    /// Latest progress percentage.
    pub progress: u8,
    /// Progress update records.
    pub updates: Vec<Uuid>,
    /// Monitoring reports.
    pub reports: Vec<Uuid>,
    /// Completion report in effect.
    pub completion: Option<Uuid>,
    /// Current rating per member: (rating record, stars).
    pub ratings: BTreeMap<Uuid, (Uuid, u8)>,
}

/// Two records that conflicted, and which one the total order kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// What they were about (a proposal, a voter, a tender, ...).
    pub subject: Uuid,
    /// The record kept.
    pub kept: Uuid,
    /// The record that lost.
    pub lost: Uuid,
}

/// Rows the store must rewrite after a change.
#[derive(Debug, Clone, Default)]
pub struct Dirty {
    /// Everything (after a full fold).
    pub all: bool,
    /// Cycle summary.
    pub cycle: bool,
    /// Members.
    pub members: BTreeSet<Uuid>,
    /// Proposals.
    pub proposals: BTreeSet<Uuid>,
    /// Proposals whose searchable text changed.
    pub proposal_text: BTreeSet<Uuid>,
    /// Reports.
    pub reports: BTreeSet<Uuid>,
    /// Projects.
    pub projects: BTreeSet<Uuid>,
    /// Record verdicts.
    pub records: BTreeSet<Uuid>,
    /// Comments (new or hidden), for the views and the hall screen.
    pub comments: BTreeSet<Uuid>,
}

/// Order key of a record in the fold: (kind rank, effective time, signer, seq, id).
pub type OrderKey = (u8, DateTime<Utc>, DeviceKey, u64, Uuid);

/// The folded state of one cycle.
#[derive(Debug, Clone, Serialize)]
pub struct CycleState {
    /// The cycle id.
    pub cycle: Uuid,
    /// The trusted genesis record id.
    pub genesis_id: Uuid,
    /// The genesis body, once known.
    pub genesis: Option<Genesis>,
    /// Members by id.
    pub members: BTreeMap<Uuid, Member>,
    /// Device keys on the roll.
    pub keys: BTreeMap<DeviceKey, KeyState>,
    /// Valid phase records (the genesis counts as the outreach phase record).
    pub phases: BTreeMap<Uuid, Phase>,
    /// The current phase and the record that opened it.
    pub phase: (Phase, Uuid),
    /// Proposals by id.
    pub proposals: BTreeMap<Uuid, ProposalState>,
    /// Roundtables by record id.
    pub roundtables: BTreeMap<Uuid, Roundtable>,
    /// Every valid ballot record by id (current and superseded).
    pub ballot_records: BTreeMap<Uuid, BallotState>,
    /// Each voter's current ballot.
    pub current_ballots: BTreeMap<Uuid, Uuid>,
    /// How many of the current ballots are paper ballots (kept as ballots are cast, so that
    /// the desk's totals and the funnel do not look up every ballot).
    #[serde(skip)]
    pub(crate) current_paper: usize,
    /// Sealed bids by id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sealed_bids: BTreeMap<Uuid, SealedBidState>,
    /// The seal in effect.
    pub seal: Option<SealState>,
    /// Valid record lists (the long lists closing records name), by id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lists: BTreeMap<Uuid, ListState>,
    /// Seals and releases this device cannot check yet because it lacks records they name: the
    /// closing record's id and the ids it lacks (ballots, ratings or lists). They are
    /// excluded as `unknown_reference` until a sync brings what is missing.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub lacking: BTreeMap<Uuid, Vec<Uuid>>,
    /// The resolution in effect.
    pub resolution: Option<ResolutionState>,
    /// Tenders by id.
    pub tenders: BTreeMap<Uuid, TenderState>,
    /// Bids by id.
    pub bids: BTreeMap<Uuid, BidState>,
    /// Funded projects by proposal id.
    pub projects: BTreeMap<Uuid, ProjectState>,
    /// Monitoring reports by id.
    pub reports: BTreeMap<Uuid, ReportState>,
    /// Instalment schedules by id.
    pub schedules: BTreeMap<Uuid, ScheduleState>,
    /// Valid rating records: id -> (project, member, stars, effective time).
    pub rating_records: BTreeMap<Uuid, (Uuid, Uuid, u8, DateTime<Utc>)>,
    /// Comments by record id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<Uuid, CommentState>,
    /// Meetings by record id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub meetings: BTreeMap<Uuid, MeetingState>,
    /// Every record's verdict.
    pub verdicts: BTreeMap<Uuid, Verdict>,
    /// Kind of every decoded record (for display).
    pub kinds: BTreeMap<Uuid, Kind>,
    /// Conflicts surfaced by the fold.
    pub conflicts: Vec<Conflict>,
    /// Per signer: highest sequence number applied and its effective time.
    pub heads: BTreeMap<DeviceKey, (u64, DateTime<Utc>)>,
    /// Order key of the last record applied, commentary apart (see [`Kind::is_commentary`]).
    pub last_key: Option<OrderKey>,
    /// Set when a comment or hiding names a record this state does not have: a main record
    /// arriving later may make it count, so such records take the full fold.
    #[serde(skip)]
    pub(crate) commentary_waiting: bool,
    /// Per (kind rank, member): the order key of the latest record of a kind that commutes
    /// between members (ballots, paper ballots, ratings) about that member, valid or not. What
    /// tells whether a late record of such a kind can be applied in place (derived: both folds
    /// fill it alike).
    #[serde(skip)]
    pub(crate) member_keys: std::collections::HashMap<(u8, Uuid), OrderKey>,
    /// Ranks of the [`Kind::commutes_by_member`] kinds that a record folded after them reads
    /// (a seal reads the ballots): a late record of such a rank takes the full fold.
    #[serde(skip)]
    pub(crate) read_ranks: BTreeSet<u8>,
    /// Order key of the last comment or hiding applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_commentary_key: Option<OrderKey>,
    /// Rows to rewrite (not part of the state's identity).
    #[serde(skip)]
    pub dirty: Dirty,
    /// How many verdicts are exclusions, kept as verdicts change so that writing the cycle's
    /// summary after a vote does not count them (derived from `verdicts`).
    #[serde(skip)]
    excluded: usize,
}

impl CycleState {
    /// An empty state for a cycle trusting `genesis_id`.
    pub fn new(cycle: Uuid, genesis_id: Uuid) -> CycleState {
        CycleState {
            cycle,
            genesis_id,
            genesis: None,
            members: BTreeMap::new(),
            keys: BTreeMap::new(),
            phases: BTreeMap::new(),
            phase: (Phase::Outreach, genesis_id),
            proposals: BTreeMap::new(),
            roundtables: BTreeMap::new(),
            ballot_records: BTreeMap::new(),
            current_ballots: BTreeMap::new(),
            current_paper: 0,
            seal: None,
            sealed_bids: BTreeMap::new(),
            lists: BTreeMap::new(),
            lacking: BTreeMap::new(),
            resolution: None,
            tenders: BTreeMap::new(),
            bids: BTreeMap::new(),
            projects: BTreeMap::new(),
            reports: BTreeMap::new(),
            schedules: BTreeMap::new(),
            rating_records: BTreeMap::new(),
            comments: BTreeMap::new(),
            meetings: BTreeMap::new(),
            verdicts: BTreeMap::new(),
            kinds: BTreeMap::new(),
            conflicts: Vec::new(),
            heads: BTreeMap::new(),
            last_key: None,
            last_commentary_key: None,
            commentary_waiting: false,
            member_keys: Default::default(),
            read_ranks: BTreeSet::new(),
            dirty: Dirty {
                all: true,
                ..Dirty::default()
            },
            excluded: 0,
        }
    }

    /// The state as canonical bytes: equal states give equal bytes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("state serialises")
    }

    /// The budget pool (zero before the genesis is known).
    pub fn pool(&self) -> Fen {
        self.genesis
            .as_ref()
            .map(|g| g.budget_pool)
            .unwrap_or(Fen::ZERO)
    }

    /// True when the proposal is funded by the resolution in effect.
    pub fn is_funded(&self, proposal: &Uuid) -> bool {
        self.resolution
            .as_ref()
            .is_some_and(|r| r.funded.contains_key(proposal))
    }

    /// The member holding `key`, if the key is on the roll.
    pub fn member_of(&self, key: &DeviceKey) -> Option<&Member> {
        self.keys.get(key).and_then(|k| self.members.get(&k.member))
    }

    /// Sets a record's verdict and marks it for rewriting.
    /// A record new to the state that counts is not marked: the views keep rows only for
    /// excluded records, and a new one has none to remove (the common case of a vote).
    pub(crate) fn set_verdict(&mut self, id: Uuid, verdict: Verdict) {
        let now_excluded = matches!(verdict, Verdict::Excluded { .. });
        let before = self.verdicts.insert(id, verdict);
        if let Some(Verdict::Excluded { .. }) = before {
            self.excluded -= 1;
        }
        if now_excluded {
            self.excluded += 1;
        }
        if now_excluded || before.is_some() {
            self.dirty.records.insert(id);
        }
    }

    /// Forgets a record's verdict (the fold decides it again).
    pub(crate) fn clear_verdict(&mut self, id: &Uuid) {
        if let Some(Verdict::Excluded { .. }) = self.verdicts.remove(id) {
            self.excluded -= 1;
        }
        self.dirty.records.insert(*id);
    }

    /// How many records of the cycle are excluded (invalid, superseded, refused), without
    /// walking the verdicts.
    pub fn excluded_count(&self) -> usize {
        self.excluded
    }

    /// Excludes a record.
    pub(crate) fn exclude(&mut self, id: Uuid, reason: Exclusion) {
        self.set_verdict(id, Verdict::Excluded { reason });
    }

    /// Takes the dirty set, leaving it empty.
    pub fn take_dirty(&mut self) -> Dirty {
        std::mem::take(&mut self.dirty)
    }

    /// How many current ballots are paper ballots (the rest were cast on phones).
    pub fn current_paper_ballots(&self) -> usize {
        self.current_paper
    }

    /// The current ballot of a member, if any.
    pub fn ballot_of(&self, member: &Uuid) -> Option<(Uuid, &BallotState)> {
        let id = self.current_ballots.get(member)?;
        Some((*id, self.ballot_records.get(id)?))
    }
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}
