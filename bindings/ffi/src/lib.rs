//! # linli-ffi
//!
//! Linli's core for Android, iOS and desktop scripts, through uniffi (proc-macros, library mode).
//! A thin layer: it wraps `linli_core::store::Store` in a thread-safe [`Device`] object, converts
//! types and errors in one place ([`error`], [`types`]) and holds no rules of its own.
//!
//! Calls are synchronous and may block on SQLite: shells call them off the UI thread. A Rust panic
//! is caught by uniffi at the boundary and reaches the app as an exception, never a crash.

uniffi::setup_scaffolding!();

mod ballot_box;
pub mod error;
mod labels;
mod money;
mod notes;
mod pabulib;
mod participation;
mod projects;
mod qr;
pub mod sync;
pub mod types;

pub use ballot_box::BallotBox;
pub use error::{CallbackError, LinliError};
pub use labels::*;
pub use money::*;
pub use notes::NotesDraftItem;
pub use pabulib::*;
pub use qr::*;
pub use sync::*;
pub use types::*;

use linli_core::identity::{DeviceKey, FileKeyStore, KeyError, KeyStore};
use linli_core::invite::Invite;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::record::cycle::{BallotKind, Genesis, Phase, SatisfactionRule, VotingRules};
use linli_core::record::proposal::{
    BudgetLine, Category, PaperSubmitter, Proposal, ProposalContent, ReviewDecision,
};
use linli_core::record::roll::{Role, RollEntry};
use linli_core::store::{ProposalFilter, Store};
use linli_core::{Fen, Lang};
use std::sync::{Arc, Mutex, RwLock};
use uuid::Uuid;

/// Secure key storage supplied by the app (Android Keystore, iOS Keychain). The core asks once
/// per open; only when `load_seed` says there is no seed (returns nothing) does it make a new
/// random seed and hand it to `store_seed`. A key store that cannot answer now (a locked
/// keychain) raises `CallbackError.Unavailable`: the device then refuses to open
/// (`LinliError.KeyStoreUnavailable`) instead of making a new identity.
#[uniffi::export(with_foreign)]
pub trait SecureKeyStore: Send + Sync {
    /// The stored 32-byte seed, or nothing when none was ever stored.
    fn load_seed(&self) -> Result<Option<Vec<u8>>, CallbackError>;
    /// Persist a new 32-byte seed.
    fn store_seed(&self, seed: Vec<u8>) -> Result<(), CallbackError>;
}

struct ForeignKeys(Arc<dyn SecureKeyStore>);

fn key_error(e: CallbackError) -> KeyError {
    match e {
        CallbackError::Unavailable { detail } => KeyError::Unavailable(detail),
        CallbackError::Failed { detail } => KeyError::Store(detail),
    }
}

impl KeyStore for ForeignKeys {
    fn load_or_create_seed(&self) -> Result<[u8; 32], KeyError> {
        if let Some(seed) = self.0.load_seed().map_err(key_error)? {
            return seed.try_into().map_err(|_| {
                KeyError::Corrupt("the app's key store returned a seed that is not 32 bytes".into())
            });
        }
        let seed = linli_core::identity::random_seed()?;
        self.0.store_seed(seed.to_vec()).map_err(key_error)?;
        Ok(seed)
    }
}

/// What changed, for an app's observer.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Change {
    /// The cycle; empty after a sync session, which may touch several.
    pub cycle_id: String,
    /// `action` (this device acted), `import` (a bundle arrived) or `sync` (a session brought
    /// records).
    pub source: String,
    /// Records added by the change (0 when only roundtable notes changed).
    pub records: u32,
}

/// Lets the app observe changes (to refresh its screens). Called after the change is committed,
/// on the thread that made it; keep it short and hand work to the UI thread.
#[uniffi::export(with_foreign)]
pub trait ChangeObserver: Send + Sync {
    /// A change was committed. An error raised here is dropped: it never changes the result of
    /// the action that was committed.
    fn on_change(&self, change: Change) -> Result<(), CallbackError>;
}

/// One device's Linli store: a SQLite file, this device's key, every cycle it follows.
#[derive(uniffi::Object)]
pub struct Device {
    store: RwLock<Option<Arc<Store>>>,
    lang: Mutex<Lang>,
    observer: RwLock<Option<Arc<dyn ChangeObserver>>>,
}

pub(crate) fn id(s: &str, what: &str) -> Result<Uuid, LinliError> {
    Uuid::parse_str(s.trim())
        .map_err(|_| LinliError::invalid(format!("{what} is not an id: {s:?}")))
}

/// A ballot from the ids an app passes: proposals in ballot order, points for a cumulative one
/// (empty otherwise).
pub(crate) fn ballot_of(choices: &[String], points: Vec<u32>) -> Result<Ballot, LinliError> {
    let choices = choices
        .iter()
        .map(|c| id(c, "proposal"))
        .collect::<Result<_, _>>()?;
    Ok(Ballot { choices, points })
}

fn phase(p: CyclePhase) -> Phase {
    match p {
        CyclePhase::Outreach => Phase::Outreach,
        CyclePhase::Proposals => Phase::Proposals,
        CyclePhase::Deliberation => Phase::Deliberation,
        CyclePhase::Voting => Phase::Voting,
        CyclePhase::Resolution => Phase::Resolution,
        CyclePhase::Tender => Phase::Tender,
        CyclePhase::Implementation => Phase::Implementation,
        CyclePhase::Evaluation => Phase::Evaluation,
        CyclePhase::Closed => Phase::Closed,
    }
}

fn role(r: MemberRole) -> Role {
    match r {
        MemberRole::Resident => Role::Resident,
        MemberRole::Cadre => Role::Cadre,
        MemberRole::Council => Role::Council,
        MemberRole::TableLeader => Role::TableLeader,
        MemberRole::Recorder => Role::Recorder,
        MemberRole::TechnicalAdviser => Role::TechnicalAdviser,
        MemberRole::Supervisor => Role::Supervisor,
        MemberRole::Contractor => Role::Contractor,
    }
}

fn category(c: ProposalCategory) -> Category {
    match c {
        ProposalCategory::ElderlyCare => Category::ElderlyCare,
        ProposalCategory::Children => Category::Children,
        ProposalCategory::Greening => Category::Greening,
        ProposalCategory::Safety => Category::Safety,
        ProposalCategory::Facilities => Category::Facilities,
        ProposalCategory::Culture => Category::Culture,
        ProposalCategory::Services => Category::Services,
        ProposalCategory::Other => Category::Other,
        ProposalCategory::CapacityBuilding => Category::CapacityBuilding,
        ProposalCategory::Education => Category::Education,
        ProposalCategory::HealthCare => Category::HealthCare,
    }
}

fn content(p: NewProposal) -> Result<ProposalContent, LinliError> {
    let lines: Vec<BudgetLine> = p
        .budget_lines
        .into_iter()
        .map(|l| BudgetLine {
            item: l.item,
            amount: Fen(l.amount_fen),
        })
        .collect();
    // An overflowing or negative sum is refused by the core's rules with a typed reason; here the
    // estimate is only computed without overflowing.
    let estimate = lines
        .iter()
        .try_fold(0i64, |acc, l| acc.checked_add(l.amount.get()))
        .unwrap_or(i64::MAX);
    Ok(ProposalContent {
        title: p.title,
        description: p.description,
        category: category(p.category),
        location: p.location,
        target_group: p.target_group,
        needs_assessment: p.needs_assessment,
        goals: p.goals,
        steps: p.steps,
        risks: p.risks,
        budget_lines: lines,
        estimated_budget: Fen(estimate),
        attachments: Vec::new(),
    })
}

impl Device {
    pub(crate) fn store(&self) -> Result<Arc<Store>, LinliError> {
        self.store
            .read()
            .map_err(|_| LinliError::Closed)?
            .clone()
            .ok_or(LinliError::Closed)
    }

    pub(crate) fn lang(&self) -> Lang {
        self.lang.lock().map(|l| *l).unwrap_or_default()
    }

    pub(crate) fn err(&self) -> impl Fn(linli_core::store::StoreError) -> LinliError + '_ {
        move |e| LinliError::from_store(e, self.lang())
    }

    pub(crate) fn act(&self, cycle_id: &str, body: Body) -> Result<String, LinliError> {
        Ok(self.submit(id(cycle_id, "cycle")?, body)?.to_string())
    }

    /// Signs and stores this device's ballot.
    pub(crate) fn cast(
        &self,
        cycle: Uuid,
        choices: &[String],
        points: Vec<u32>,
    ) -> Result<Uuid, LinliError> {
        self.submit(cycle, Body::Ballot(ballot_of(choices, points)?))
    }

    /// The voting rules of a cycle (from its genesis).
    pub(crate) fn rules_of(&self, cycle: Uuid) -> Result<BallotRules, LinliError> {
        let v = self.store()?.voting_rules(cycle).map_err(self.err())?;
        Ok(BallotRules {
            ballot: match v.ballot {
                BallotKind::Approval => BallotType::Approval,
                BallotKind::Knapsack { cap } => BallotType::Knapsack { cap_fen: cap.get() },
                BallotKind::Ranked => BallotType::Ranked,
                BallotKind::Cumulative { points } => BallotType::Cumulative { points },
            },
            min_picks: v.min_picks,
            max_picks: v.max_picks,
            rule: v.rule.as_str().into(),
        })
    }

    /// This device's current ballot in a cycle.
    pub(crate) fn ballot_of(&self, cycle: Uuid) -> Result<Option<MyBallot>, LinliError> {
        let b = self.store()?.my_ballot(cycle).map_err(self.err())?;
        Ok(b.map(|b| MyBallot {
            ballot_id: b.ballot.to_string(),
            choices: b.choices.iter().map(Uuid::to_string).collect(),
            points: b.points,
            status: b.status,
        }))
    }

    /// Signs and stores one action, then tells the observer.
    pub(crate) fn submit(&self, cycle: Uuid, body: Body) -> Result<Uuid, LinliError> {
        self.acted(cycle, |store| store.submit(cycle, body))
    }

    /// Runs one of the store's actions and tells the observer about it once it is committed.
    pub(crate) fn acted(
        &self,
        cycle: Uuid,
        action: impl FnOnce(&Store) -> linli_core::store::Result<Uuid>,
    ) -> Result<Uuid, LinliError> {
        let record = action(self.store()?.as_ref()).map_err(self.err())?;
        self.notify(cycle, "action", 1);
        Ok(record)
    }

    pub(crate) fn sync_err(&self, e: linli_core::sync::SyncError) -> LinliError {
        LinliError::from_sync(e, self.lang())
    }

    fn notify(&self, cycle: Uuid, source: &str, records: u32) {
        self.notify_change(cycle.to_string(), source, records);
    }

    /// Tells the observer about a committed change (`cycle_id` empty after a sync session, which
    /// may touch several cycles).
    pub(crate) fn notify_change(&self, cycle_id: String, source: &str, records: u32) {
        let observer = self.observer.read().ok().and_then(|o| o.clone());
        if let Some(o) = observer {
            // The change is committed whatever the observer says.
            let _ = o.on_change(Change {
                cycle_id,
                source: source.into(),
                records,
            });
        }
    }
}

#[uniffi::export]
impl Device {
    /// Opens (creating if needed) the device database at `path`. With no key store the secret key
    /// is kept in `<path>.key`.
    #[uniffi::constructor]
    pub fn open(
        path: String,
        key_store: Option<Arc<dyn SecureKeyStore>>,
    ) -> Result<Arc<Device>, LinliError> {
        if path.trim().is_empty() {
            return Err(LinliError::invalid("the database path is empty"));
        }
        let store = match key_store {
            Some(k) => Store::open_with_keys(&path, &ForeignKeys(k)),
            None => {
                Store::open_with_keys(&path, &FileKeyStore::beside(std::path::Path::new(&path)))
            }
        }
        .map_err(|e| LinliError::from_store(e, Lang::Zh))?;
        Ok(Arc::new(Device {
            store: RwLock::new(Some(Arc::new(store))),
            lang: Mutex::new(Lang::Zh),
            observer: RwLock::new(None),
        }))
    }

    /// Closes the store; every later call fails with `Closed`.
    pub fn close_store(&self) {
        if let Ok(mut s) = self.store.write() {
            *s = None;
        }
    }

    /// Sets (or, with `None`, removes) the observer told about every committed change.
    pub fn set_observer(&self, observer: Option<Arc<dyn ChangeObserver>>) {
        if let Ok(mut o) = self.observer.write() {
            *o = observer;
        }
    }

    /// The language of error messages (Chinese by default).
    pub fn set_language(&self, language: Language) {
        if let Ok(mut l) = self.lang.lock() {
            *l = language.into();
        }
    }

    /// This device's public key (64 hex characters): what a cadre registers on the roll.
    pub fn device_key(&self) -> Result<String, LinliError> {
        Ok(self.store()?.device_key().to_hex())
    }

    /// Founds a cycle with this device as the founding cadre. Returns the cycle id.
    pub fn create_cycle(&self, input: NewCycle) -> Result<String, LinliError> {
        let rule = input.rule.parse().map_err(LinliError::invalid)?;
        let genesis = Genesis {
            community: input.community,
            year: input.year,
            title: input.title,
            budget_pool: Fen(input.budget_pool_fen),
            calendar: Vec::new(),
            voting: VotingRules {
                rule,
                ballot: match input.ballot {
                    None | Some(BallotType::Approval) => BallotKind::Approval,
                    Some(BallotType::Knapsack { cap_fen }) => {
                        BallotKind::Knapsack { cap: Fen(cap_fen) }
                    }
                    Some(BallotType::Ranked) => BallotKind::Ranked,
                    Some(BallotType::Cumulative { points }) => BallotKind::Cumulative { points },
                },
                min_picks: input.min_picks,
                max_picks: input.max_picks,
                // A new cycle's defaults (one vote at least; ties to the lower cost, then a lot).
                ..VotingRules::approval(1, 1)
            },
            satisfaction: SatisfactionRule {
                threshold_pct: input.satisfaction_threshold_pct,
                min_ratings: input.min_ratings,
                ..SatisfactionRule::default()
            },
            founder_member: Uuid::now_v7(),
            founder_name: input.founder_name,
            programme: Default::default(),
        };
        Ok(self
            .store()?
            .create_cycle(genesis)
            .map_err(self.err())?
            .to_string())
    }

    /// The invite a cadre shows as a QR code: `linli:1:<cycle>:<genesis>:<cadre key>`.
    pub fn invite(&self, cycle_id: String) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let store = self.store()?;
        Ok(Invite {
            cycle,
            genesis: store.genesis_id(cycle).map_err(self.err())?,
            cadre: store.device_key(),
        }
        .encode())
    }

    /// Follows the cycle of an invite (then ask the cadre to register this device's key). Returns
    /// the cycle id.
    pub fn join(&self, invite: String) -> Result<String, LinliError> {
        let invite =
            Invite::parse(&invite).ok_or_else(|| LinliError::invalid("not a Linli invite"))?;
        self.store()?
            .follow_cycle(invite.cycle, invite.genesis)
            .map_err(self.err())?;
        Ok(invite.cycle.to_string())
    }

    /// Stops following a cycle this device has signed nothing in (joined by mistake, or from an
    /// invite whose genesis never arrives). Refused once the device has acted in it.
    pub fn leave_cycle(&self, cycle_id: String) -> Result<(), LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        self.store()?.leave_cycle(cycle).map_err(self.err())
    }

    /// A cadre registers a member's device on the roll. Returns the member id.
    pub fn register_member(
        &self,
        cycle_id: String,
        input: NewMember,
    ) -> Result<String, LinliError> {
        let member = match &input.member_id {
            Some(m) => id(m, "member")?,
            None => Uuid::now_v7(),
        };
        let device_key =
            DeviceKey::from_hex(input.device_key.trim()).map_err(LinliError::invalid)?;
        self.act(
            &cycle_id,
            Body::RollEntry(RollEntry {
                member,
                display_name: input.display_name,
                device_key: Some(device_key),
                age_band: None,
                roles: input.roles.into_iter().map(role).collect(),
                age_15_plus: input.age_15_plus,
                attestation: input.attestation,
            }),
        )?;
        Ok(member.to_string())
    }

    /// A cadre moves the cycle to a later phase.
    pub fn advance_phase(
        &self,
        cycle_id: String,
        to: CyclePhase,
        note: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let record = self.acted(cycle, |s| s.advance_phase(cycle, phase(to), &note))?;
        Ok(record.to_string())
    }

    /// A resident proposes. Returns the proposal id.
    pub fn propose(&self, cycle_id: String, proposal: NewProposal) -> Result<String, LinliError> {
        self.act(
            &cycle_id,
            Body::Proposal(Box::new(Proposal {
                content: content(proposal)?,
                on_behalf_of: None,
            })),
        )
    }

    /// A cadre enters a paper proposal for someone.
    pub fn enter_paper_proposal(
        &self,
        cycle_id: String,
        proposal: NewProposal,
        submitter_name: String,
    ) -> Result<String, LinliError> {
        self.act(
            &cycle_id,
            Body::Proposal(Box::new(Proposal {
                content: content(proposal)?,
                on_behalf_of: Some(PaperSubmitter {
                    name: submitter_name,
                    member: None,
                }),
            })),
        )
    }

    /// A cadre reviews a proposal, with a reason (replacing the review in effect).
    pub fn review(
        &self,
        cycle_id: String,
        proposal_id: String,
        outcome: ReviewOutcome,
        reason: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let proposal = id(&proposal_id, "proposal")?;
        let decision = match outcome {
            ReviewOutcome::Shortlist => ReviewDecision::Shortlist,
            ReviewOutcome::MergeInto { target } => ReviewDecision::MergeInto {
                target: id(&target, "proposal")?,
            },
            ReviewOutcome::Reject => ReviewDecision::Reject,
        };
        let record = self.acted(cycle, |s| s.review(cycle, proposal, decision, &reason))?;
        Ok(record.to_string())
    }

    /// A resident votes (or changes their vote) for these proposals.
    pub fn vote(&self, cycle_id: String, choices: Vec<String>) -> Result<String, LinliError> {
        self.vote_with_points(cycle_id, choices, Vec::new())
    }

    /// A resident spreads points over proposals (cycles with cumulative ballots): `points[i]`
    /// goes to `choices[i]`, each at least 1, at most the cycle's total in all.
    pub fn vote_with_points(
        &self,
        cycle_id: String,
        choices: Vec<String>,
        points: Vec<u32>,
    ) -> Result<String, LinliError> {
        Ok(self
            .cast(id(&cycle_id, "cycle")?, &choices, points)?
            .to_string())
    }

    /// How residents vote in this cycle (ballot type, picks, counting rule): what the ballot
    /// screen enforces before `vote`. Read from the cycle's founding record.
    pub fn voting_rules(&self, cycle_id: String) -> Result<BallotRules, LinliError> {
        self.rules_of(id(&cycle_id, "cycle")?)
    }

    /// The ballot screen of a cycle this device follows, bound to that cycle: its rules, this
    /// device's ballot, and casting it. An unknown cycle is an error. Casting through it costs
    /// fewer boundary crossings than `vote` (no cycle id to pass, no id returned).
    pub fn ballot_box(self: Arc<Self>, cycle_id: String) -> Result<Arc<BallotBox>, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        self.store()?.voting_rules(cycle).map_err(self.err())?;
        Ok(Arc::new(BallotBox::new(self, cycle)))
    }

    /// A cadre seals the vote: every current ballot this device holds, and the recount.
    pub fn seal_vote(&self, cycle_id: String, note: String) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        Ok(self.acted(cycle, |s| s.seal(cycle, &note))?.to_string())
    }

    /// A council member passes the resolution funding exactly the sealed selection.
    pub fn resolve_as_sealed(&self, cycle_id: String, note: String) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        Ok(self
            .acted(cycle, |s| s.resolve_as_sealed(cycle, &note))?
            .to_string())
    }

    /// Every cycle this device follows (a cadre tablet holds all of a community's), newest first,
    /// each with its first-screen summary.
    pub fn cycles(&self) -> Result<Vec<CycleSummary>, LinliError> {
        let rows = self.store()?.cycles().map_err(self.err())?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The cycle's first screen.
    pub fn summary(&self, cycle_id: String) -> Result<CycleSummary, LinliError> {
        Ok(self
            .store()?
            .summary(id(&cycle_id, "cycle")?)
            .map_err(self.err())?
            .into())
    }

    /// Proposals by score, optionally searched (Chinese works) or filtered by status.
    pub fn proposals(
        &self,
        cycle_id: String,
        search: Option<String>,
        status: Option<String>,
    ) -> Result<Vec<ProposalItem>, LinliError> {
        let filter = ProposalFilter {
            search,
            status,
            category: None,
        };
        let rows = self
            .store()?
            .proposals(id(&cycle_id, "cycle")?, &filter)
            .map_err(self.err())?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One proposal in full (description, goals, steps, risks, budget lines, attachments), or
    /// nothing if the cycle has no such proposal.
    pub fn proposal(
        &self,
        cycle_id: String,
        proposal_id: String,
    ) -> Result<Option<ProposalDetail>, LinliError> {
        let detail = self
            .store()?
            .proposal(id(&cycle_id, "cycle")?, id(&proposal_id, "proposal")?)
            .map_err(self.err())?;
        Ok(detail.map(Into::into))
    }

    /// This device's member's current ballot.
    pub fn my_ballot(&self, cycle_id: String) -> Result<Option<MyBallot>, LinliError> {
        self.ballot_of(id(&cycle_id, "cycle")?)
    }

    /// Records with their verdicts; `invalid_only` lists the ones not counted.
    pub fn records(
        &self,
        cycle_id: String,
        invalid_only: bool,
    ) -> Result<Vec<RecordItem>, LinliError> {
        let rows = self
            .store()?
            .records(id(&cycle_id, "cycle")?, invalid_only)
            .map_err(self.err())?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Re-verifies every signature, refolds, and reports the sealed tally (what an auditor does).
    pub fn verify(&self, cycle_id: String) -> Result<VerifyReport, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let store = self.store()?;
        let lang = self.lang();
        let audit = store.audit_against_device(cycle).map_err(self.err())?;
        let same = audit.matches_device_state;
        let r = audit.state.seal_report();
        Ok(VerifyReport {
            matches_device_state: same,
            rule: r.rule,
            seal_id: r.seal.map(|s| s.to_string()),
            sealed_ballots: r.sealed_ballots as u32,
            result: r
                .result
                .into_iter()
                .map(|l| SealedResult {
                    proposal_id: l.proposal.to_string(),
                    title: l.title,
                    score: l.score,
                    selected: l.selected,
                })
                .collect(),
            late_ballots: r.late_ballots.len() as u32,
            excluded_ballots: r
                .excluded_ballots
                .into_iter()
                .map(|b| RecordItem {
                    id: b.id.to_string(),
                    kind: Some("ballot".into()),
                    valid: false,
                    code: b.excluded.map(|e| e.code().into()),
                })
                .collect(),
            not_counted: r
                .not_counted
                .into_iter()
                .map(|(code, count)| ReasonCount {
                    label: linli_core::exclusion::label(&code, lang).to_string(),
                    code,
                    count: count as u32,
                })
                .collect(),
            lacking_records: r
                .lacking
                .iter()
                .flat_map(|(_, missing)| missing.iter().map(Uuid::to_string))
                .collect(),
            cherry_picked_releases: r
                .cherry_picked_releases
                .iter()
                .map(|v| v.id.to_string())
                .collect(),
            tie_break: r.tie_break.as_str().into(),
            tie_break_label: r.tie_break.label(lang).into(),
            min_support: r.min_support,
        })
    }

    /// Every record of a cycle as one bundle (a file to carry to another device).
    pub fn export_bundle(&self, cycle_id: String) -> Result<Vec<u8>, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let records = self.store()?.export(cycle).map_err(self.err())?;
        Ok(linli_core::bundle::encode(cycle, &records))
    }

    /// Imports a bundle from another device. A corrupt bundle changes nothing.
    pub fn import_bundle(
        &self,
        cycle_id: String,
        bundle: Vec<u8>,
    ) -> Result<ImportResult, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let records = linli_core::bundle::decode(cycle, &bundle)
            .map_err(|e| LinliError::invalid(e.to_string()))?;
        let r = self.store()?.import(cycle, &records).map_err(self.err())?;
        if r.new > 0 {
            self.notify(cycle, "import", r.new as u32);
        }
        Ok(ImportResult {
            new_records: r.new as u32,
            known_records: r.known as u32,
            excluded_records: r.excluded.len() as u32,
            refused_records: r.refused.len() as u32,
            held_records: r.held as u32,
        })
    }
}
