//! [`BallotBox`]: one cycle's ballot screen, bound to its cycle once.

use crate::{BallotRules, Device, LinliError, MyBallot};
use std::sync::Arc;
use uuid::Uuid;

/// The ballot screen of one cycle on one device: the cycle's voting rules, this device's ballot,
/// and casting (or changing) it. Obtained from `Device.ballotBox(cycleId)`; it keeps the device
/// alive and fails with `Closed` once the device is closed.
///
/// It does what `Device.vote`, `voteWithPoints`, `myBallot` and `votingRules` do, with the cycle
/// fixed and no ballot id returned: a vote then crosses the boundary three times instead of
/// five (see docs/benchmarks.md).
#[derive(uniffi::Object)]
pub struct BallotBox {
    device: Arc<Device>,
    cycle: Uuid,
}

impl BallotBox {
    pub(crate) fn new(device: Arc<Device>, cycle: Uuid) -> BallotBox {
        BallotBox { device, cycle }
    }
}

#[uniffi::export]
impl BallotBox {
    /// The cycle this ballot box belongs to.
    pub fn cycle_id(&self) -> String {
        self.cycle.to_string()
    }

    /// Votes (or changes this device's vote) for these proposals; in a ranked cycle the order is
    /// the ranking. The same checks as `Device.vote`: the whole ballot is refused (typed error,
    /// nothing stored) if it breaks the cycle's rules. Read the result with `myBallot`.
    pub fn vote(&self, choices: Vec<String>) -> Result<(), LinliError> {
        self.device.cast(self.cycle, &choices, Vec::new()).map(drop)
    }

    /// Spreads points over proposals (cumulative ballots): `points[i]` goes to `choices[i]`,
    /// each at least 1, at most the cycle's total in all.
    pub fn vote_with_points(
        &self,
        choices: Vec<String>,
        points: Vec<u32>,
    ) -> Result<(), LinliError> {
        self.device.cast(self.cycle, &choices, points).map(drop)
    }

    /// This device's current ballot and its status, or nothing before it has voted.
    pub fn my_ballot(&self) -> Result<Option<MyBallot>, LinliError> {
        self.device.ballot_of(self.cycle)
    }

    /// How residents vote in this cycle: ballot type, picks, counting rule.
    pub fn rules(&self) -> Result<BallotRules, LinliError> {
        self.device.rules_of(self.cycle)
    }
}
