//! The registry of record kinds: one table from which every fact about a kind comes.
//!
//! Each row of [`kinds!`] names a kind, its body type, its stable name, the phases it is accepted
//! in, the cycle document it lives in ([`Home`]) and whether it shows on a project's timeline.
//! The row's order is the kind's rank, its place in the fold's total order: the PB pipeline order,
//! so a record always comes after the kinds it can depend on. What cannot be a column (the shape
//! check, the photos a body references, the records a closing record names) is the body type's
//! [`RecordBody`](crate::record::shape::RecordBody) implementation, next to the type.
//!
//! Everything generated from the table matches exhaustively, and nothing outside it matches on
//! [`Kind`] with a catch-all arm: adding a row fails to compile until its body implements
//! [`RecordBody`], and the fold's rule dispatch (`fold::apply_record`) has an arm for it.

use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::phase::Phase;
use crate::record::ballot::{Ballot, PaperBallot, Seal};
use crate::record::blob::BlobRef;
use crate::record::comment::{Comment, CommentHiding};
use crate::record::cycle::{Genesis, PhaseChange};
use crate::record::evaluation::{CompletionReport, InstalmentSchedule, PaymentRelease, Rating};
use crate::record::list::RecordList;
use crate::record::meeting::{Meeting, MeetingItem};
use crate::record::monitoring::{MonitoringReport, ProgressUpdate, ReportResponse};
use crate::record::proposal::{Proposal, ProposalRevision, Recategorisation, Review};
use crate::record::resolution::Resolution;
use crate::record::roll::{Revocation, RollEntry};
use crate::record::roundtable::Roundtable;
use crate::record::shape::RecordBody;
use crate::record::tender::{Award, Bid, BidClosing, BidOpening, SealedBid, Tender};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Which of a cycle's documents a kind's records live in (see `store::docs`). Records are split
/// so that no document grows with the whole cycle: a phone merging ballots does not re-read the
/// proposals, and a hub serving the works does not re-read the ballots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Home {
    /// The main document: genesis, phases, proposals, deliberation, seal, resolution.
    Main,
    /// The roll shards, by record id.
    Roll,
    /// The ballot shards, by signer key.
    Ballots,
    /// The same ballot shards, by record id: one desk enters thousands of paper sheets under
    /// its cadre's key, which would otherwise fill a single shard.
    BallotsById,
    /// The works shards (tender to payment, and comments), by signer key.
    Works,
}

macro_rules! kinds {
    ($( $variant:ident ( $ty:ty ) = $name:literal, phases $phases:expr, home $home:ident,
        timeline $timeline:literal ;)*) => {
        /// The kind of a record. Declaration order is the fold's rank order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind {
            $(
                #[doc = concat!("A `", $name, "` record.")]
                $variant,
            )*
        }

        /// A decoded record body.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize)]
        #[serde(untagged)]
        pub enum Body {
            $(
                #[doc = concat!("A `", $name, "` body.")]
                $variant($ty),
            )*
        }

        impl Kind {
            /// Every kind in rank order.
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];

            /// Stable snake_case name, as written in the envelope.
            pub fn as_str(self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }

            /// Parses the snake_case name.
            pub fn parse(s: &str) -> Option<Kind> {
                match s { $($name => Some(Kind::$variant),)* _ => None }
            }

            /// Phases in which a record of this kind is accepted. Empty: the kind needs no phase
            /// reference (genesis, roll, phase changes).
            pub fn allowed_phases(self) -> &'static [Phase] {
                match self { $(Kind::$variant => $phases,)* }
            }

            /// The cycle document records of this kind live in.
            pub fn home(self) -> Home {
                match self { $(Kind::$variant => Home::$home,)* }
            }

            /// Whether records of this kind appear on a proposal's or project's timeline (what
            /// happened to it, start to end). Roll records, phase changes and ballots do not:
            /// they concern the cycle, or are counted in the tally instead.
            pub fn on_timeline(self) -> bool {
                match self { $(Kind::$variant => $timeline,)* }
            }
        }

        impl Body {
            /// The body's kind.
            pub fn kind(&self) -> Kind {
                match self { $(Body::$variant(_) => Kind::$variant,)* }
            }

            /// Decodes a body of `kind` from JSON (unknown fields rejected).
            pub fn decode(kind: Kind, json: &str) -> Result<Body, Exclusion> {
                match kind {
                    $(Kind::$variant => serde_json::from_str::<$ty>(json).map(Body::$variant),)*
                }
                .map_err(|e| Exclusion::Malformed { detail: format!("{} body: {e}", kind.as_str()) })
            }

            /// Encodes the body as JSON.
            pub fn encode(&self) -> String {
                match self {
                    $(Body::$variant(b) => serde_json::to_string(b),)*
                }
                .expect("record bodies always serialise")
            }

            /// The body's own shape check (see [`RecordBody::check_body`]).
            pub fn check_shape(&self, pool: Fen) -> Result<(), Exclusion> {
                match self { $(Body::$variant(b) => b.check_body(pool),)* }
            }

            /// The photos and files the body references.
            pub fn blob_refs(&self) -> &[BlobRef] {
                match self { $(Body::$variant(b) => b.blob_refs(),)* }
            }

            /// The records a closing record names (see [`RecordBody::named_records`]).
            pub fn named_records(&self) -> Option<&[Uuid]> {
                match self { $(Body::$variant(b) => b.named_records(),)* }
            }
        }
    };
}

use Phase::*;
kinds! {
    Genesis(Box<Genesis>) = "genesis",
        phases &[], home Main, timeline false;
    RollEntry(RollEntry) = "roll_entry",
        phases &[], home Roll, timeline false;
    Revocation(Revocation) = "revocation",
        phases &[], home Main, timeline false;
    PhaseChange(PhaseChange) = "phase_change",
        phases &[], home Main, timeline false;
    Proposal(Box<Proposal>) = "proposal",
        phases &[Proposals], home Main, timeline true;
    ProposalRevision(Box<ProposalRevision>) = "proposal_revision",
        phases &[Proposals, Deliberation], home Main, timeline true;
    Review(Review) = "review",
        phases &[Deliberation], home Main, timeline true;
    Recategorisation(Recategorisation) = "recategorisation",
        phases &[Proposals, Deliberation], home Main, timeline true;
    Roundtable(Box<Roundtable>) = "roundtable",
        phases &[Deliberation], home Main, timeline true;
    Ballot(Ballot) = "ballot",
        phases &[Voting], home Ballots, timeline false;
    PaperBallot(PaperBallot) = "paper_ballot",
        phases &[Voting], home BallotsById, timeline false;
    RecordList(RecordList) = "record_list",
        phases &[Voting, Implementation, Evaluation], home Main, timeline false;
    Seal(Seal) = "seal",
        phases &[Voting], home Main, timeline true;
    Meeting(Meeting) = "meeting",
        phases &[Deliberation, Voting, Resolution, Tender, Implementation, Evaluation],
        home Main, timeline true;
    MeetingItem(MeetingItem) = "meeting_item",
        phases &[Deliberation, Voting, Resolution, Tender, Implementation, Evaluation],
        home Main, timeline false;
    Resolution(Resolution) = "resolution",
        phases &[Resolution], home Main, timeline true;
    Tender(Tender) = "tender",
        phases &[Tender], home Works, timeline true;
    Bid(Bid) = "bid",
        phases &[Tender], home Works, timeline true;
    SealedBid(SealedBid) = "sealed_bid",
        phases &[Tender], home Works, timeline true;
    BidClosing(BidClosing) = "bid_closing",
        phases &[Tender], home Works, timeline true;
    BidOpening(BidOpening) = "bid_opening",
        phases &[Tender], home Works, timeline true;
    Award(Award) = "award",
        phases &[Tender], home Works, timeline true;
    InstalmentSchedule(InstalmentSchedule) = "instalment_schedule",
        phases &[Tender, Implementation], home Works, timeline true;
    ProgressUpdate(ProgressUpdate) = "progress_update",
        phases &[Implementation, Evaluation], home Works, timeline true;
    MonitoringReport(MonitoringReport) = "monitoring_report",
        phases &[Implementation, Evaluation], home Works, timeline true;
    ReportResponse(ReportResponse) = "report_response",
        phases &[Implementation, Evaluation], home Works, timeline true;
    CompletionReport(CompletionReport) = "completion_report",
        phases &[Implementation, Evaluation], home Works, timeline true;
    Rating(Rating) = "rating",
        phases &[Evaluation], home Works, timeline true;
    PaymentRelease(PaymentRelease) = "payment_release",
        phases &[Implementation, Evaluation], home Works, timeline true;
    Comment(Comment) = "comment",
        phases &[Proposals, Deliberation, Voting, Resolution, Tender, Implementation, Evaluation],
        home Works, timeline false;
    CommentHiding(CommentHiding) = "comment_hiding",
        phases &[Proposals, Deliberation, Voting, Resolution, Tender, Implementation, Evaluation,
            Closed],
        home Works, timeline false;
}

impl Kind {
    /// Position in the fold's total order: the row's place in the table, except that a paper
    /// ballot shares the ballot's rank. The two are one member's vote in either form, ordered
    /// among each other by time, so a phone ballot cast after a paper one is applied in place
    /// (docs/tally.md §Paper and phone).
    pub fn rank(self) -> u8 {
        match self {
            Kind::PaperBallot => Kind::Ballot as u8,
            k => k as u8,
        }
    }

    /// Commentary: comments and their hiding. They rank after every other kind and no rule of
    /// another kind reads them, so the fold applies a new record of either group in place
    /// whatever the other group last saw (`CycleState::apply_new`): a comment posted during the
    /// vote does not make the next ballot refold the cycle.
    pub fn is_commentary(self) -> bool {
        match self {
            Kind::Comment | Kind::CommentHiding => true,
            Kind::Genesis
            | Kind::RollEntry
            | Kind::Revocation
            | Kind::PhaseChange
            | Kind::Proposal
            | Kind::ProposalRevision
            | Kind::Review
            | Kind::Recategorisation
            | Kind::Roundtable
            | Kind::Ballot
            | Kind::PaperBallot
            | Kind::RecordList
            | Kind::Seal
            | Kind::Meeting
            | Kind::MeetingItem
            | Kind::Resolution
            | Kind::Tender
            | Kind::Bid
            | Kind::SealedBid
            | Kind::BidClosing
            | Kind::BidOpening
            | Kind::Award
            | Kind::InstalmentSchedule
            | Kind::ProgressUpdate
            | Kind::MonitoringReport
            | Kind::ReportResponse
            | Kind::CompletionReport
            | Kind::Rating
            | Kind::PaymentRelease => false,
        }
    }

    /// Kinds whose records of different members commute in the fold: a ballot, a paper ballot
    /// or a rating reads only kinds ranked below it and the earlier records of its own rank
    /// about the same member (the member's current ballot or rating), and no rule of its own
    /// rank reads another member's. So a late ballot of a member with nothing folded after it is
    /// applied in place among the other members' ballots (docs/sync.md §Folding what arrives
    /// late). Every other kind reads records of its own rank (a review its proposal's earlier
    /// reviews, a bid the tender's other bids, a comment the one it replies to) or is rare.
    pub fn commutes_by_member(self) -> bool {
        match self {
            Kind::Ballot | Kind::PaperBallot | Kind::Rating => true,
            Kind::Genesis
            | Kind::RollEntry
            | Kind::Revocation
            | Kind::PhaseChange
            | Kind::Proposal
            | Kind::ProposalRevision
            | Kind::Review
            | Kind::Recategorisation
            | Kind::Roundtable
            | Kind::RecordList
            | Kind::Seal
            | Kind::Meeting
            | Kind::MeetingItem
            | Kind::Resolution
            | Kind::Tender
            | Kind::Bid
            | Kind::SealedBid
            | Kind::BidClosing
            | Kind::BidOpening
            | Kind::Award
            | Kind::InstalmentSchedule
            | Kind::ProgressUpdate
            | Kind::MonitoringReport
            | Kind::ReportResponse
            | Kind::CompletionReport
            | Kind::Comment
            | Kind::CommentHiding
            | Kind::PaymentRelease => false,
        }
    }

    /// Current body schema version for this kind.
    pub fn schema(self) -> u32 {
        1
    }

    /// The kinds shown on timelines, in rank order.
    pub fn on_timelines() -> impl Iterator<Item = Kind> {
        Kind::ALL.iter().copied().filter(|k| k.on_timeline())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_ranks_follow_the_table() {
        for (i, k) in Kind::ALL.iter().enumerate() {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
            let shared = *k == Kind::PaperBallot;
            assert_eq!(usize::from(k.rank()) + usize::from(shared), i);
        }
        assert_eq!(Kind::parse("vote"), None);
    }

    #[test]
    fn only_records_of_the_cycle_itself_need_no_phase() {
        let phaseless: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| k.allowed_phases().is_empty())
            .collect();
        assert_eq!(
            phaseless,
            [
                Kind::Genesis,
                Kind::RollEntry,
                Kind::Revocation,
                Kind::PhaseChange
            ]
        );
        assert!(phaseless.iter().all(|k| !k.on_timeline()));
    }
}
