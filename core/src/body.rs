//! Record kinds and their bodies. The kind's rank is its place in the fold's total order: the PB
//! pipeline order, so a record always comes after the kinds it can depend on.

use crate::ballot::{Ballot, Seal};
use crate::cycle::{Genesis, Phase, PhaseChange};
use crate::evaluation::{CompletionReport, InstalmentSchedule, PaymentRelease, Rating};
use crate::exclusion::Exclusion;
use crate::monitoring::{MonitoringReport, ProgressUpdate, ReportResponse};
use crate::proposal::{Proposal, ProposalRevision, Review};
use crate::resolution::Resolution;
use crate::roll::{Revocation, RollEntry};
use crate::roundtable::Roundtable;
use crate::tender::{Award, Bid, Tender};
use serde::{Deserialize, Serialize};

macro_rules! kinds {
    ($( $variant:ident ( $ty:ty ) = $name:literal, $phases:expr ;)*) => {
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
        }
    };
}

use Phase::*;
kinds! {
    Genesis(Box<Genesis>) = "genesis", &[];
    RollEntry(RollEntry) = "roll_entry", &[];
    Revocation(Revocation) = "revocation", &[];
    PhaseChange(PhaseChange) = "phase_change", &[];
    Proposal(Box<Proposal>) = "proposal", &[Proposals];
    ProposalRevision(Box<ProposalRevision>) = "proposal_revision", &[Proposals, Deliberation];
    Review(Review) = "review", &[Deliberation];
    Roundtable(Box<Roundtable>) = "roundtable", &[Deliberation];
    Ballot(Ballot) = "ballot", &[Voting];
    Seal(Seal) = "seal", &[Voting];
    Resolution(Resolution) = "resolution", &[Resolution];
    Tender(Tender) = "tender", &[Tender];
    Bid(Bid) = "bid", &[Tender];
    Award(Award) = "award", &[Tender];
    InstalmentSchedule(InstalmentSchedule) = "instalment_schedule", &[Tender, Implementation];
    ProgressUpdate(ProgressUpdate) = "progress_update", &[Implementation, Evaluation];
    MonitoringReport(MonitoringReport) = "monitoring_report", &[Implementation, Evaluation];
    ReportResponse(ReportResponse) = "report_response", &[Implementation, Evaluation];
    CompletionReport(CompletionReport) = "completion_report", &[Implementation, Evaluation];
    Rating(Rating) = "rating", &[Evaluation];
    PaymentRelease(PaymentRelease) = "payment_release", &[Implementation, Evaluation];
}

impl Kind {
    /// Position in the fold's total order.
    pub fn rank(self) -> u8 {
        self as u8
    }

    /// Current body schema version for this kind.
    pub fn schema(self) -> u32 {
        1
    }
}
