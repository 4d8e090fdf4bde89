//! Records and enums as the apps see them: ids are strings (UUIDs), money is integer fen (i64).

use linli_core::store::{
    CycleSummary as CoreSummary, ProposalRow as CoreProposal, RecordRow as CoreRecord,
};

/// The language of messages.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum Language {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

impl From<Language> for linli_core::Lang {
    fn from(l: Language) -> linli_core::Lang {
        match l {
            Language::Zh => linli_core::Lang::Zh,
            Language::En => linli_core::Lang::En,
        }
    }
}

/// A phase of the cycle.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum CyclePhase {
    /// Outreach.
    Outreach,
    /// Proposals.
    Proposals,
    /// Sorting and deliberation.
    Deliberation,
    /// Voting.
    Voting,
    /// Council resolution.
    Resolution,
    /// Tender.
    Tender,
    /// Implementation.
    Implementation,
    /// Evaluation.
    Evaluation,
    /// Closed.
    Closed,
}

/// A role on the roll.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum MemberRole {
    /// Resident.
    Resident,
    /// Cadre.
    Cadre,
    /// Council member.
    Council,
    /// Table leader.
    TableLeader,
    /// Recorder.
    Recorder,
    /// Technical adviser.
    TechnicalAdviser,
    /// Supervisor.
    Supervisor,
    /// Contractor.
    Contractor,
}

/// A proposal category.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum ProposalCategory {
    /// Elderly care.
    ElderlyCare,
    /// Children and youth.
    Children,
    /// Greening.
    Greening,
    /// Safety.
    Safety,
    /// Facilities.
    Facilities,
    /// Culture and sports.
    Culture,
    /// Services.
    Services,
    /// Other.
    Other,
    /// Capacity building of community organisations.
    CapacityBuilding,
    /// Education (most programmes exclude it).
    Education,
    /// Health care (most programmes exclude it).
    HealthCare,
}

/// A cadre's review decision.
#[derive(Debug, Clone, uniffi::Enum)]
pub enum ReviewOutcome {
    /// On the ballot.
    Shortlist,
    /// Merged into another proposal.
    MergeInto {
        /// The proposal it is merged into.
        target: String,
    },
    /// Not taken forward.
    Reject,
}

/// A new cycle, founded by this device's cadre.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewCycle {
    /// Community name.
    pub community: String,
    /// Year.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Budget pool in fen.
    pub budget_pool_fen: i64,
    /// Fewest picks per ballot.
    pub min_picks: u32,
    /// Most picks per ballot.
    pub max_picks: u32,
    /// Counting rule: greedy, mes, mes-add1.
    pub rule: String,
    /// The founding cadre's display name.
    pub founder_name: String,
    /// Share of good (4–5 star) ratings the final payment needs, in percent (usually 80).
    pub satisfaction_threshold_pct: u8,
    /// Fewest ratings before the final payment can be released.
    pub min_ratings: u32,
    /// The ballot residents cast; approval when not given.
    #[uniffi(default = None)]
    pub ballot: Option<BallotType>,
}

/// The kind of ballot a cycle uses.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum BallotType {
    /// Approve between `min_picks` and `max_picks` shortlisted proposals (Chengdu's practice).
    Approval,
    /// Approve proposals whose estimates add up to at most `cap_fen`.
    Knapsack {
        /// The cap on a ballot's total estimated cost, in fen.
        cap_fen: i64,
    },
    /// Rank between `min_picks` and `max_picks` proposals, best first.
    Ranked,
    /// Spread at most `points` points over proposals (`Device.vote_with_points`).
    Cumulative {
        /// Points each voter may give in total.
        points: u32,
    },
}

/// How residents vote in a cycle: what a ballot screen must let them do.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BallotRules {
    /// The ballot type.
    pub ballot: BallotType,
    /// Fewest proposals a ballot names.
    pub min_picks: u32,
    /// Most proposals a ballot names.
    pub max_picks: u32,
    /// The counting rule: greedy, mes, mes-add1, borda.
    pub rule: String,
}

/// A member to register.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewMember {
    /// Display name.
    pub display_name: String,
    /// The member's device key (64 hex characters, shown by their phone).
    pub device_key: String,
    /// Roles.
    pub roles: Vec<MemberRole>,
    /// Attested 15 or older.
    pub age_15_plus: bool,
    /// How the identity was checked.
    pub attestation: String,
    /// An existing member id (a new phone for a known member), or none for a new member.
    pub member_id: Option<String>,
}

/// One budget line.
#[derive(Debug, Clone, uniffi::Record)]
pub struct BudgetLineInput {
    /// What for.
    pub item: String,
    /// Amount in fen.
    pub amount_fen: i64,
}

/// A proposal's content. The estimate is the sum of the budget lines.
#[derive(Debug, Clone, uniffi::Record)]
pub struct NewProposal {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Category.
    pub category: ProposalCategory,
    /// Location.
    pub location: String,
    /// Who benefits.
    pub target_group: String,
    /// Needs assessment.
    pub needs_assessment: String,
    /// Goals.
    pub goals: Vec<String>,
    /// Steps.
    pub steps: Vec<String>,
    /// Risks.
    pub risks: Vec<String>,
    /// Budget lines.
    pub budget_lines: Vec<BudgetLineInput>,
}

/// A cycle's first screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CycleSummary {
    /// Cycle id.
    pub cycle_id: String,
    /// Community.
    pub community: String,
    /// Year.
    pub year: i32,
    /// Title.
    pub title: String,
    /// Pool in fen.
    pub pool_fen: i64,
    /// Phase (snake_case).
    pub phase: String,
    /// Members.
    pub members: u32,
    /// Proposals.
    pub proposals: u32,
    /// Voters with a current ballot.
    pub voters: u32,
    /// Records held.
    pub records: u32,
    /// Records not counted.
    pub invalid: u32,
    /// Sealed.
    pub sealed: bool,
    /// Ballots sealed.
    pub sealed_ballots: u32,
    /// Late ballots.
    pub late_ballots: u32,
    /// Funded total in fen.
    pub funded_fen: i64,
}

impl From<CoreSummary> for CycleSummary {
    fn from(s: CoreSummary) -> Self {
        CycleSummary {
            cycle_id: s.cycle.to_string(),
            community: s.community,
            year: s.year,
            title: s.title,
            pool_fen: s.pool.get(),
            phase: s.phase,
            members: s.members,
            proposals: s.proposals,
            voters: s.voters,
            records: s.records,
            invalid: s.invalid,
            sealed: s.sealed,
            sealed_ballots: s.sealed_ballots,
            late_ballots: s.late_ballots,
            funded_fen: s.funded.get(),
        }
    }
}

/// A proposal in a list.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProposalItem {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category (snake_case).
    pub category: String,
    /// Estimate in fen.
    pub estimate_fen: i64,
    /// Status (snake_case).
    pub status: String,
    /// Live score.
    pub votes: u64,
    /// Sealed score.
    pub sealed_votes: Option<u64>,
    /// Paper submitter, when entered by a cadre.
    pub on_behalf_of: Option<String>,
    /// The review's reason.
    pub review_reason: Option<String>,
    /// Comments shown with it (hidden ones not counted).
    pub comments: u32,
}

impl From<CoreProposal> for ProposalItem {
    fn from(p: CoreProposal) -> Self {
        ProposalItem {
            id: p.id.to_string(),
            title: p.title,
            category: p.category,
            estimate_fen: p.estimate.get(),
            status: p.status,
            votes: p.votes,
            sealed_votes: p.sealed_votes,
            on_behalf_of: p.on_behalf_of,
            review_reason: p.review_reason,
            comments: p.comments,
        }
    }
}

/// One proposal in full: its detail screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProposalDetail {
    /// What the list shows: title, status, votes, review reason, paper submitter.
    pub item: ProposalItem,
    /// The author's member id (the cadre's, for a paper proposal).
    pub author_id: String,
    /// What and why.
    pub description: String,
    /// Where in the community.
    pub location: String,
    /// Who benefits.
    pub target_group: String,
    /// The need, as assessed.
    pub needs_assessment: String,
    /// Goals.
    pub goals: Vec<String>,
    /// Implementation steps.
    pub steps: Vec<String>,
    /// Risks and how to handle them.
    pub risks: Vec<String>,
    /// Budget lines; they add up to the estimate.
    pub budget_lines: Vec<BudgetLineInput>,
    /// Photos and documents (fetch the bytes with `blob`).
    pub attachments: Vec<Attachment>,
    /// Valid revisions applied (the content is the latest).
    pub revisions: u32,
    /// When submitted (claimed by the signer, RFC 3339).
    pub submitted_at: String,
}

/// A file a record references by hash.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Attachment {
    /// SHA-256 of the bytes (64 hex characters): what `blob` takes.
    pub sha256: String,
    /// Media type, e.g. image/jpeg.
    pub mime: String,
    /// Size in bytes.
    pub size: u64,
    /// File name.
    pub name: String,
}

impl From<linli_core::store::ProposalDetail> for ProposalDetail {
    fn from(d: linli_core::store::ProposalDetail) -> Self {
        let c = d.content;
        ProposalDetail {
            author_id: d.row.author.to_string(),
            item: d.row.into(),
            description: c.description,
            location: c.location,
            target_group: c.target_group,
            needs_assessment: c.needs_assessment,
            goals: c.goals,
            steps: c.steps,
            risks: c.risks,
            budget_lines: c
                .budget_lines
                .into_iter()
                .map(|l| BudgetLineInput {
                    item: l.item,
                    amount_fen: l.amount.get(),
                })
                .collect(),
            attachments: c
                .attachments
                .into_iter()
                .map(|a| Attachment {
                    sha256: a.sha256,
                    mime: a.mime,
                    size: a.size,
                    name: a.name,
                })
                .collect(),
            revisions: d.revisions,
            submitted_at: d.submitted_at,
        }
    }
}

/// A record and its verdict.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RecordItem {
    /// Id.
    pub id: String,
    /// Kind.
    pub kind: Option<String>,
    /// Counted.
    pub valid: bool,
    /// Exclusion code when not counted.
    pub code: Option<String>,
}

impl From<CoreRecord> for RecordItem {
    fn from(r: CoreRecord) -> Self {
        RecordItem {
            id: r.id.to_string(),
            kind: r.kind,
            valid: r.valid,
            code: r.code,
        }
    }
}

/// This device's member's current ballot.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MyBallot {
    /// Ballot record id.
    pub ballot_id: String,
    /// Chosen proposals (for a ranked ballot, best first).
    pub choices: Vec<String>,
    /// Points per choice (cumulative ballots; empty otherwise).
    pub points: Vec<u32>,
    /// cast, sealed, late_ballot, ...
    pub status: String,
}

/// One line of the sealed result.
#[derive(Debug, Clone, uniffi::Record)]
pub struct SealedResult {
    /// Proposal id.
    pub proposal_id: String,
    /// Title.
    pub title: String,
    /// Score among the sealed ballots.
    pub score: u64,
    /// Selected by the cycle's rule.
    pub selected: bool,
}

/// The auditor's verification of the vote.
#[derive(Debug, Clone, uniffi::Record)]
pub struct VerifyReport {
    /// Re-verifying and refolding from the stored bytes gives the device's state.
    pub matches_device_state: bool,
    /// Counting rule.
    pub rule: String,
    /// The seal in effect.
    pub seal_id: Option<String>,
    /// Ballots sealed.
    pub sealed_ballots: u32,
    /// The sealed result by score.
    pub result: Vec<SealedResult>,
    /// Valid ballots the seal does not count.
    pub late_ballots: u32,
    /// Ballots not counted, with their exclusion codes.
    pub excluded_ballots: Vec<RecordItem>,
    /// The ballots not counted, grouped by exclusion code with how many.
    pub not_counted: Vec<ReasonCount>,
    /// Records a seal or release names that this device lacks, so it cannot check it yet: sync,
    /// then verify again.
    pub lacking_records: Vec<String>,
    /// Payment releases refused because they leave out ratings signed before them.
    pub cherry_picked_releases: Vec<String>,
    /// How equal scores are ordered (`lower_cost_then_lot`, `by_id`).
    pub tie_break: String,
    /// The same rule in the device's language.
    pub tie_break_label: String,
    /// The fewest votes a proposal needs to be funded.
    pub min_support: u64,
}

/// How many records share one exclusion code.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReasonCount {
    /// The stable exclusion code.
    pub code: String,
    /// Its short name in the device's language.
    pub label: String,
    /// How many.
    pub count: u32,
}

/// What an import did.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ImportResult {
    /// New records.
    pub new_records: u32,
    /// Records already held.
    pub known_records: u32,
    /// New records kept but not counted.
    pub excluded_records: u32,
    /// Records refused at the door (a signature that does not verify, undecodable bytes, another
    /// cycle's record): nothing of them is stored.
    pub refused_records: u32,
    /// Records by keys not on the roll, held aside until their signer is registered.
    pub held_records: u32,
}

/// What a resident's monitoring report says.
#[derive(Debug, Clone, Copy, uniffi::Enum)]
pub enum MonitoringKind {
    /// Work is progressing.
    Progress,
    /// Nothing has been done.
    NotStarted,
    /// Poor quality.
    PoorQuality,
    /// Suspected misuse of funds.
    MisuseOfFunds,
}

/// A photo taken by the app: its bytes and media type.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Photo {
    /// The bytes (stored once, by SHA-256).
    pub bytes: Vec<u8>,
    /// Media type, e.g. image/jpeg.
    pub mime: String,
    /// File name.
    pub name: String,
}

/// One instalment of a contractor's payment.
#[derive(Debug, Clone, uniffi::Record)]
pub struct InstalmentInput {
    /// Label.
    pub label: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Released only when satisfaction meets the cycle's gate (the last instalment only).
    pub requires_satisfaction: bool,
}

/// A roundtable recommendation.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RecommendationInput {
    /// The proposal.
    pub proposal_id: String,
    /// Why.
    pub note: String,
}

/// A roundtable session's record.
#[derive(Debug, Clone, uniffi::Record)]
pub struct RoundtableInput {
    /// Topic.
    pub topic: String,
    /// Table leader (member id).
    pub leader_id: String,
    /// Recorder (member id).
    pub recorder_id: String,
    /// Technical adviser (member id).
    pub adviser_id: Option<String>,
    /// Participants (member ids).
    pub participant_ids: Vec<String>,
    /// Proposals discussed (1 to 10).
    pub discussed_ids: Vec<String>,
    /// Minutes.
    pub notes: String,
    /// Up to three recommendations.
    pub recommendations: Vec<RecommendationInput>,
}

/// A member on the roll.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MemberItem {
    /// Member id.
    pub id: String,
    /// Display name.
    pub display_name: String,
    /// Roles (snake_case).
    pub roles: Vec<String>,
    /// Attested 15 or older.
    pub age_15_plus: bool,
}

/// One instalment and whether it is released.
#[derive(Debug, Clone, uniffi::Record)]
pub struct PaymentItem {
    /// Label.
    pub label: String,
    /// Amount in fen.
    pub amount_fen: i64,
    /// Needs the satisfaction gate.
    pub gated: bool,
    /// Released.
    pub released: bool,
}

/// A funded project: contract, progress, monitoring, satisfaction, payments.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ProjectItem {
    /// Project (proposal) id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Funded in fen.
    pub funded_fen: i64,
    /// Awarded contractor (member id).
    pub contractor_id: Option<String>,
    /// Contract in fen.
    pub contract_fen: Option<i64>,
    /// Progress percent.
    pub progress: u8,
    /// Monitoring reports.
    pub reports: u32,
    /// Completion reported.
    pub completed: bool,
    /// Current ratings.
    pub ratings: u32,
    /// Ratings of 4 or 5 stars.
    pub good_ratings: u32,
    /// Satisfaction meets the gate.
    pub satisfied: bool,
    /// Instalments.
    pub payments: Vec<PaymentItem>,
}

/// A monitoring report.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ReportItem {
    /// Report id.
    pub id: String,
    /// Project id.
    pub project_id: String,
    /// Kind (snake_case).
    pub kind: String,
    /// Text.
    pub text: String,
    /// Reporter (member id).
    pub reporter_id: String,
    /// Photos attached.
    pub photos: u32,
    /// Claimed time (RFC 3339).
    pub at: String,
    /// Responses.
    pub responses: u32,
}

/// One event in a project's life, for its timeline screen.
#[derive(Debug, Clone, uniffi::Record)]
pub struct TimelineEvent {
    /// The record.
    pub record_id: String,
    /// Claimed time (RFC 3339, UTC).
    pub at: String,
    /// Kind (snake_case): `proposal`, `review`, `roundtable`, `seal`, `resolution`, `tender`,
    /// `bid`, `award`, `instalment_schedule`, `progress_update`, `monitoring_report`,
    /// `report_response`, `completion_report`, `rating`, `payment_release`, ...
    pub kind: String,
    /// The member who signed it, when on the roll.
    pub actor_id: Option<String>,
    /// Their display name.
    pub actor_name: Option<String>,
    /// One line for people, in the device's language.
    pub text: String,
    /// The amount it names (budget, funding, bid, instalment) in fen.
    pub amount_fen: Option<i64>,
    /// A rating's stars.
    pub stars: Option<u8>,
    /// Counted by the fold.
    pub valid: bool,
    /// Why it is not counted (exclusion code).
    pub code: Option<String>,
}
