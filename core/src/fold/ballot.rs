//! The rules for ballot records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{BallotState, Conflict, CycleState, PaperMark, SealState, Verdict};
use crate::money::Fen;
use crate::record::ballot::*;
use crate::record::cycle::{BallotKind, TieBreak};
use crate::record::list::{ListOf, MAX_INLINE_IDS, RecordList};
use crate::role::Role;
use crate::tally::{Ballots, Election, Rule};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

impl CycleState {
    /// A resident of voting age casts (or replaces) their ballot from their phone. It replaces
    /// their earlier phone ballot, and a paper ballot entered for them (docs/tally.md §Paper and
    /// phone: the member's own signature wins over a cadre's entry).
    pub(crate) fn apply_ballot(&mut self, ctx: &Ctx, b: &Ballot) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Resident)?;
        self.check_voter(&ctx.member)?;
        self.check_choices(b)?;
        self.cast(ctx, ctx.member, b, None);
        Ok(())
    }

    /// A cadre enters a paper ballot for a member on the roll. Refused when the member's phone
    /// ballot already counts, or another paper ballot of theirs does.
    pub(crate) fn apply_paper_ballot(
        &mut self,
        ctx: &Ctx,
        b: &PaperBallot,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        self.require_member(&b.member)?;
        if !self.has_role(&b.member, Role::Resident) {
            return Err(Exclusion::MissingRole {
                role: Role::Resident,
            });
        }
        self.check_voter(&b.member)?;
        self.check_choices(&b.ballot)?;
        if let Some((id, current)) = self.ballot_of(&b.member) {
            return Err(match &current.paper {
                None => Exclusion::VotedByPhone { ballot: id },
                Some(mark) => Exclusion::PaperDuplicate {
                    counted: id,
                    sheet: mark.sheet.clone(),
                },
            });
        }
        let mark = PaperMark {
            sheet: b.sheet.clone(),
            entered_by: ctx.member,
        };
        self.cast(ctx, b.member, &b.ballot, Some(mark));
        Ok(())
    }

    /// Voters must be attested as 15 or older.
    fn check_voter(&self, member: &Uuid) -> Result<(), Exclusion> {
        if self.members.get(member).is_some_and(|m| m.age_15_plus) {
            Ok(())
        } else {
            Err(Exclusion::NotEligible {
                detail: "voters must be attested as 15 or older".into(),
            })
        }
    }

    /// The cycle's ballot rules: how many choices, shortlisted proposals only, the knapsack cap
    /// and the cumulative points.
    fn check_choices(&self, b: &Ballot) -> Result<(), Exclusion> {
        let rules = &self.genesis.as_ref().expect("roll implies genesis").voting;
        let n = b.choices.len() as u32;
        if n < rules.min_picks || n > rules.max_picks {
            return Err(Exclusion::RuleViolation {
                detail: format!(
                    "a ballot names {} to {} proposals, not {n}",
                    rules.min_picks, rules.max_picks
                ),
            });
        }
        for p in &b.choices {
            if !self.proposal(p)?.is_shortlisted() {
                return Err(Exclusion::RuleViolation {
                    detail: format!("proposal {p} is not on the ballot"),
                });
            }
        }
        match rules.ballot {
            BallotKind::Approval | BallotKind::Ranked if !b.points.is_empty() => {
                return Err(Exclusion::RuleViolation {
                    detail: "only cumulative ballots give points".into(),
                });
            }
            BallotKind::Knapsack { cap } => {
                let total = Fen::checked_sum(
                    b.choices
                        .iter()
                        .map(|p| self.proposals[p].content.estimated_budget),
                )
                .unwrap_or(Fen(i64::MAX));
                if total > cap {
                    return Err(Exclusion::OverBudget {
                        amount: total,
                        limit: cap,
                    });
                }
            }
            BallotKind::Cumulative { points } => {
                let given: u64 = b.points.iter().map(|p| u64::from(*p)).sum();
                if b.points.len() != b.choices.len()
                    || b.points.contains(&0)
                    || given > u64::from(points)
                {
                    return Err(Exclusion::RuleViolation {
                        detail: format!(
                            "a cumulative ballot gives 1 or more points per choice, {points} in all (given {given})"
                        ),
                    });
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Makes a checked ballot the member's current one, taking the one it replaces out of the
    /// live scores.
    fn cast(&mut self, ctx: &Ctx, member: Uuid, b: &Ballot, paper: Option<PaperMark>) {
        let ballot = BallotState {
            member,
            choices: b.choices.clone(),
            points: b.points.clone(),
            cast_at: ctx.time,
            paper,
        };
        if let Some(prev) = self.current_ballots.insert(member, ctx.id) {
            let old = &self.ballot_records[&prev];
            let (scores, was_paper) = (self.scores_of(old), old.paper.is_some());
            for (p, score) in scores {
                if let Some(ps) = self.proposals.get_mut(&p) {
                    ps.votes -= score;
                }
            }
            let reason = if was_paper {
                self.current_paper -= 1;
                Exclusion::VotedByPhone { ballot: ctx.id }
            } else {
                Exclusion::Superseded { by: ctx.id }
            };
            self.set_verdict(prev, Verdict::Excluded { reason });
        }
        for (p, score) in self.scores_of(&ballot) {
            self.proposals.get_mut(&p).expect("checked").votes += score;
        }
        self.current_paper += usize::from(ballot.paper.is_some());
        self.ballot_records.insert(ctx.id, ballot);
    }

    /// What one ballot adds to each proposal's score under the cycle's rules: one per approval,
    /// Borda points (L-1, L-2, ..., 0) for ranked ballots counted by Borda, the points given for
    /// cumulative ballots.
    pub fn scores_of(&self, b: &BallotState) -> Vec<(Uuid, u64)> {
        let rules = &self.genesis.as_ref().expect("ballots imply genesis").voting;
        match (&rules.ballot, rules.rule) {
            (BallotKind::Ranked, Rule::Borda) => {
                let l = b.choices.len() as u64;
                b.choices
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (*p, l - i as u64 - 1))
                    .collect()
            }
            (BallotKind::Cumulative { .. }, _) => b
                .choices
                .iter()
                .zip(&b.points)
                .map(|(p, pts)| (*p, u64::from(*pts)))
                .collect(),
            _ => b.choices.iter().map(|p| (*p, 1)).collect(),
        }
    }

    /// The shortlisted proposals, in id order.
    fn shortlisted(&self) -> Vec<Uuid> {
        self.proposals
            .values()
            .filter(|p| p.is_shortlisted())
            .map(|p| p.id)
            .collect()
    }

    /// Scores of every shortlisted proposal over the given ballots.
    pub fn recount(&self, ballots: &[Uuid]) -> BTreeMap<Uuid, u64> {
        let mut counts: BTreeMap<Uuid, u64> =
            self.shortlisted().into_iter().map(|p| (p, 0)).collect();
        for id in ballots {
            for (p, s) in self.scores_of(&self.ballot_records[id]) {
                if let Some(c) = counts.get_mut(&p) {
                    *c += s;
                }
            }
        }
        counts
    }

    /// Runs the cycle's counting rule on the given ballots: the selection, in the rule's order.
    ///
    /// Proposals below the cycle's minimum support are left out before the rule runs; proposals
    /// with equal scores are ordered by the cycle's tie-break rule ([`TieBreak`]).
    pub fn select(&self, ballots: &[Uuid]) -> Vec<Uuid> {
        self.select_scored(ballots, &self.recount(ballots))
    }

    /// [`CycleState::select`] with the ballots' scores already recounted (the seal has them).
    fn select_scored(&self, ballots: &[Uuid], scores: &BTreeMap<Uuid, u64>) -> Vec<Uuid> {
        let rules = &self.genesis.as_ref().expect("ballots imply genesis").voting;
        let ids: Vec<Uuid> = self
            .shortlisted()
            .into_iter()
            .filter(|p| scores.get(p).copied().unwrap_or(0) >= rules.min_support)
            .collect();
        let names = self.tie_order(rules.tie_break, &ids, ballots);
        let index: BTreeMap<Uuid, usize> = ids.iter().enumerate().map(|(i, p)| (*p, i)).collect();
        let pick = |b: &BallotState| -> Vec<usize> {
            b.choices
                .iter()
                .filter_map(|p| index.get(p).copied())
                .collect()
        };
        let records: Vec<&BallotState> =
            ballots.iter().map(|id| &self.ballot_records[id]).collect();
        let ballots = match rules.ballot {
            BallotKind::Ranked => Ballots::Ranked(records.iter().map(|b| pick(b)).collect()),
            BallotKind::Cumulative { .. } => Ballots::Cumulative(
                records
                    .iter()
                    .map(|b| {
                        b.choices
                            .iter()
                            .zip(&b.points)
                            .filter_map(|(p, pts)| Some((*index.get(p)?, u64::from(*pts))))
                            .collect()
                    })
                    .collect(),
            ),
            _ => Ballots::Approval(records.iter().map(|b| pick(b)).collect()),
        };
        let election = Election {
            names,
            costs: ids
                .iter()
                .map(|p| self.proposals[p].content.estimated_budget.get().max(0) as u64)
                .collect(),
            budget: self.pool().get().max(0) as u64,
            ballots,
            unit: 100,
        };
        match election.run(rules.rule) {
            Ok(outcome) => outcome.selected.into_iter().map(|i| ids[i]).collect(),
            // The genesis check guarantees the rule fits the ballots; nothing is selected otherwise.
            Err(_) => Vec::new(),
        }
    }

    /// The names the counting rule orders equal scores by (it takes the lexicographically lower
    /// first): the proposal id, or its cost (20 digits) followed by its lot, the SHA-256 of the
    /// sealed ballot set's digest and the proposal id.
    fn tie_order(&self, rule: TieBreak, ids: &[Uuid], ballots: &[Uuid]) -> Vec<String> {
        match rule {
            TieBreak::ById => ids.iter().map(Uuid::to_string).collect(),
            TieBreak::LowerCostThenLot => {
                let digest = ballot_set_digest(ballots);
                ids.iter()
                    .map(|p| {
                        let cost = self.proposals[p].content.estimated_budget.get().max(0);
                        format!("{cost:020}{}", hex::encode(lot(&digest, p)))
                    })
                    .collect()
            }
        }
    }

    /// A cadre seals the vote. The named ballots must be valid, one per voter, and the stated
    /// scores must equal the recount. Current ballots not named are marked late.
    pub(crate) fn apply_seal(&mut self, ctx: &Ctx, b: &Seal) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        if let Some(first) = &self.seal {
            return Err(Exclusion::Conflicting { with: first.id });
        }
        let named = self.resolve_listed(ctx, ListOf::Ballots, &b.ballots, &b.ballot_lists)?;
        let missing: Vec<Uuid> = named
            .iter()
            .filter(|id| !self.ballot_records.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(self.lacks(ctx, "ballot", missing));
        }
        // The sealed ballot of each voter: one at most.
        let mut counted_of: BTreeMap<Uuid, Uuid> = BTreeMap::new();
        for id in &named {
            let member = self.ballot_records[id].member;
            if counted_of.insert(member, *id).is_some() {
                return Err(Exclusion::RuleViolation {
                    detail: format!("the seal counts two ballots of member {member}"),
                });
            }
        }
        let counts = self.recount(&named);
        let stated: BTreeMap<Uuid, u64> = b.counts.iter().map(|c| (c.proposal, c.votes)).collect();
        if stated != counts {
            let detail = counts
                .iter()
                .find(|(p, v)| stated.get(p) != Some(v))
                .map(|(p, v)| format!("proposal {p}: stated {:?}, recounted {v}", stated.get(p)))
                .unwrap_or_else(|| "the seal states counts for proposals not on the ballot".into());
            return Err(Exclusion::TallyMismatch { detail });
        }
        let selected = self.select_scored(&named, &counts);
        let sealed: BTreeSet<Uuid> = named.iter().copied().collect();
        for id in &sealed {
            self.set_verdict(*id, Verdict::Valid);
        }
        let late: Vec<(Uuid, Uuid)> = self
            .current_ballots
            .iter()
            .filter(|(_, id)| !sealed.contains(id))
            .map(|(m, id)| (*m, *id))
            .collect();
        for (member, id) in late {
            self.set_verdict(
                id,
                Verdict::Excluded {
                    reason: Exclusion::LateBallot { seal: ctx.id },
                },
            );
            if let Some(counted) = counted_of.get(&member) {
                self.conflicts.push(Conflict {
                    subject: member,
                    kept: *counted,
                    lost: id,
                });
            }
        }
        let paper = sealed
            .iter()
            .filter(|id| self.ballot_records[*id].paper.is_some())
            .count();
        self.seal = Some(SealState {
            id: ctx.id,
            by: ctx.member,
            paper,
            ballots: sealed,
            counts,
            selected,
        });
        self.dirty.cycle = true;
        self.dirty.proposals.extend(self.proposals.keys().copied());
        Ok(())
    }

    /// Late ballots: valid current ballots the seal does not count.
    pub fn late_ballots(&self) -> Vec<Uuid> {
        match &self.seal {
            None => Vec::new(),
            Some(s) => self
                .current_ballots
                .values()
                .filter(|id| !s.ballots.contains(id))
                .copied()
                .collect(),
        }
    }

    /// Drafts the seal a cadre would sign now: every current ballot, and the recount.
    pub fn draft_seal(&self, note: &str) -> Seal {
        let ballots: Vec<Uuid> = self.current_ballots.values().copied().collect();
        let counts = self.recount(&ballots);
        Seal {
            ballots,
            ballot_lists: Vec::new(),
            counts: counts
                .into_iter()
                .map(|(proposal, votes)| SealedCount { proposal, votes })
                .collect(),
            note: note.to_string(),
        }
    }

    /// The seal as Linli signs it: the ballots inline when there are at most
    /// [`MAX_INLINE_IDS`], otherwise in record lists signed just before the seal, whose ids the
    /// signer puts in `ballot_lists` (see `Store::seal`).
    pub fn draft_seal_with_lists(&self, note: &str) -> (Vec<RecordList>, Seal) {
        let mut seal = self.draft_seal(note);
        if seal.ballots.len() <= MAX_INLINE_IDS {
            return (Vec::new(), seal);
        }
        let lists = RecordList::split(ListOf::Ballots, &seal.ballots);
        seal.ballots.clear();
        (lists, seal)
    }
}

/// The SHA-256 of a ballot set, its ids sorted: what the public lot is drawn from.
pub fn ballot_set_digest(ballots: &[Uuid]) -> [u8; 32] {
    let mut sorted = ballots.to_vec();
    sorted.sort();
    let mut h = Sha256::new();
    for b in &sorted {
        h.update(b.as_bytes());
    }
    h.finalize().into()
}

/// A proposal's lot among equal scores and costs: SHA-256(ballot set digest ‖ proposal id); the
/// lower lot goes first. Anyone can redo it by hand from the seal with `sha256sum`.
pub fn lot(digest: &[u8; 32], proposal: &Uuid) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(digest);
    h.update(proposal.as_bytes());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::ballot::{Ballot, SealedCount};
    use crate::record::cycle::VotingRules;

    fn ballot(choices: Vec<uuid::Uuid>) -> Body {
        Body::Ballot(Ballot::approve(choices))
    }

    #[test]
    fn a_ballot_counts_and_a_later_one_replaces_it() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000, 30_000]);
        let first = kit.sign(Who::Resident(0), ballot(vec![p[0]]));
        let second = kit.sign(Who::Resident(0), ballot(vec![p[1], p[2]]));
        kit.sign(Who::Resident(1), ballot(vec![p[1]]));
        let st = kit.state();
        assert_eq!(kit.code(first), "superseded");
        assert_eq!(kit.code(second), "valid");
        let votes: Vec<u64> = p.iter().map(|id| st.proposals[id].votes).collect();
        assert_eq!(votes, [0, 2, 1]);
    }

    #[test]
    fn ballots_outside_the_rules_are_refused_with_their_reason() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000, 30_000]);
        let too_many = kit.sign(Who::Resident(0), ballot(p.clone()));
        let none = kit.sign(Who::Resident(1), ballot(vec![]));
        let twice = kit.sign(Who::Resident(2), ballot(vec![p[0], p[0]]));
        let unknown = kit.sign(Who::Resident(2), ballot(vec![uuid::Uuid::from_u128(9)]));
        let stranger = kit.sign(Who::Stranger, ballot(vec![p[0]]));
        assert_eq!(kit.code(too_many), "rule_violation");
        assert_eq!(kit.code(none), "rule_violation");
        assert_eq!(kit.code(twice), "rule_violation");
        assert_eq!(kit.code(unknown), "unknown_reference");
        assert_eq!(kit.code(stranger), "unknown_signer");
        assert!(kit.state().proposals.values().all(|p| p.votes == 0));
    }

    #[test]
    fn a_ballot_before_the_vote_opens_is_out_of_phase() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        kit.advance(Phase::Proposals);
        let p = kit.propose(0, "路灯", 5_000);
        let early = kit.sign(Who::Resident(1), ballot(vec![p]));
        assert_eq!(kit.code(early), "wrong_phase");
    }

    #[test]
    fn a_seal_counts_the_ballots_it_names_and_lists_the_rest_as_late() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000]);
        kit.sign(Who::Resident(0), ballot(vec![p[0]]));
        kit.sign(Who::Resident(1), ballot(vec![p[0], p[1]]));
        let seal = kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        let late = kit.sign(Who::Resident(2), ballot(vec![p[1]]));
        let st = kit.state();
        assert_eq!(kit.code(seal), "valid");
        assert_eq!(kit.code(late), "late_ballot");
        let sealed = st.seal.as_ref().expect("sealed");
        assert_eq!(sealed.ballots.len(), 2);
        assert_eq!(sealed.counts[&p[0]], 2);
        assert_eq!(sealed.counts[&p[1]], 1);
        assert_eq!(st.late_ballots(), [late]);
    }

    #[test]
    fn a_seal_with_wrong_counts_or_by_a_resident_is_refused() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        let p = kit.open_vote(&[10_000, 20_000]);
        kit.sign(Who::Resident(0), ballot(vec![p[0]]));
        let mut forged = kit.state().draft_seal("封存");
        forged.counts = vec![
            SealedCount {
                proposal: p[0],
                votes: 1,
            },
            SealedCount {
                proposal: p[1],
                votes: 5,
            },
        ];
        let wrong = kit.sign(Who::Cadre, Body::Seal(forged));
        let by_resident = kit.sign(Who::Resident(1), Body::Seal(kit.state().draft_seal("")));
        assert_eq!(kit.code(wrong), "tally_mismatch");
        assert_eq!(kit.code(by_resident), "missing_role");
        assert!(kit.state().seal.is_none());
    }

    #[test]
    fn a_seal_may_not_count_a_voter_twice_or_name_an_unknown_ballot() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        let p = kit.open_vote(&[10_000, 20_000]);
        let first = kit.sign(Who::Resident(0), ballot(vec![p[0]]));
        let second = kit.sign(Who::Resident(0), ballot(vec![p[1]]));
        let mut twice = kit.state().draft_seal("封存");
        twice.ballots = vec![first, second];
        twice.counts = kit
            .state()
            .recount(&[first, second])
            .into_iter()
            .map(|(proposal, votes)| SealedCount { proposal, votes })
            .collect();
        let double = kit.sign(Who::Cadre, Body::Seal(twice));
        let mut unknown = kit.state().draft_seal("封存");
        unknown.ballots.push(uuid::Uuid::from_u128(77));
        let phantom = kit.sign(Who::Cadre, Body::Seal(unknown));
        assert_eq!(kit.code(double), "rule_violation");
        assert_eq!(kit.code(phantom), "unknown_reference");
    }

    /// A proposal with no vote is not funded even when it fits the pool; equal scores go to the
    /// lower cost; equal costs to the lot any device draws from the seal.
    #[test]
    fn counting_needs_support_and_breaks_ties_by_cost_then_lot() {
        use crate::fold::ballot::{ballot_set_digest, lot};
        let mut kit = Kit::new(VotingRules::approval(1, 1), 4);
        let p = kit.open_vote(&[200_000, 150_000, 140_000, 10_000]);
        let b: Vec<_> = (0..3)
            .map(|i| kit.sign(Who::Resident(i), ballot(vec![p[i]])))
            .collect();
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        let st = kit.state();
        let sealed = st.seal.as_ref().unwrap();
        assert_eq!(
            sealed.selected,
            [p[2], p[1]],
            "cheaper first; the 0-vote one is left out"
        );
        assert_eq!(sealed.counts[&p[3]], 0);

        let mut kit = Kit::new(VotingRules::approval(1, 1), 2);
        let p = kit.open_vote(&[200_000, 200_000]);
        let b2: Vec<_> = (0..2)
            .map(|i| kit.sign(Who::Resident(i), ballot(vec![p[i]])))
            .collect();
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        let digest = ballot_set_digest(&b2);
        let winner = if lot(&digest, &p[0]) < lot(&digest, &p[1]) {
            p[0]
        } else {
            p[1]
        };
        assert_eq!(kit.state().seal.unwrap().selected, [winner]);
        let _ = b;
    }

    #[test]
    fn a_genesis_may_keep_the_pabutools_order_and_fund_unsupported_proposals() {
        use crate::record::cycle::TieBreak;
        let rules = VotingRules {
            min_support: 0,
            tie_break: TieBreak::ById,
            ..VotingRules::approval(1, 1)
        };
        let mut kit = Kit::new(rules, 3);
        let p = kit.open_vote(&[200_000, 150_000, 140_000]);
        for (i, choice) in p.iter().take(2).enumerate() {
            kit.sign(Who::Resident(i), ballot(vec![*choice]));
        }
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        let selected = kit.state().seal.unwrap().selected;
        // Tied at one vote, the lower id goes first: ¥200,000 leaves no room for the rest, while
        // ¥150,000 leaves room for the unsupported ¥140,000 one, which this genesis funds.
        let expected = if p[0] < p[1] {
            vec![p[0]]
        } else {
            vec![p[1], p[2]]
        };
        assert_eq!(
            selected, expected,
            "by id, and the 0-vote proposal funded if it fits"
        );
    }
}

#[cfg(test)]
mod paper_tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::record::Body;
    use crate::record::ballot::{Ballot, PaperBallot};
    use crate::record::cycle::VotingRules;
    use uuid::Uuid;

    fn ballot(choices: Vec<Uuid>) -> Body {
        Body::Ballot(Ballot::approve(choices))
    }

    fn paper(member: Uuid, sheet: &str, choices: Vec<Uuid>) -> Body {
        Body::PaperBallot(PaperBallot {
            member,
            sheet: sheet.into(),
            ballot: Ballot::approve(choices),
        })
    }

    #[test]
    fn one_member_one_counted_ballot_whatever_the_order() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000]);
        let paper_only = kit.register_paper(1, None);
        // Resident 0 hands in paper, then votes by phone: the phone ballot counts.
        let p0 = kit.sign(Who::Cadre, paper(kit.members[0], "A-1", vec![p[0]]));
        let phone0 = kit.sign(Who::Resident(0), Body::Ballot(Ballot::approve(vec![p[1]])));
        // Resident 1 votes by phone, then a paper sheet for them is entered: not counted.
        let phone1 = kit.sign(Who::Resident(1), Body::Ballot(Ballot::approve(vec![p[1]])));
        let p1 = kit.sign(Who::Cadre, paper(kit.members[1], "A-2", vec![p[0]]));
        // The paper-only member's sheet is entered twice: the first counts.
        let first = kit.sign(Who::Cadre, paper(paper_only, "A-3", vec![p[0]]));
        let second = kit.sign(Who::Cadre, paper(paper_only, "A-4", vec![p[1]]));
        assert_eq!(kit.code(p0), "voted_by_phone");
        assert_eq!(kit.code(phone0), "valid");
        assert_eq!(kit.code(phone1), "valid");
        assert_eq!(kit.code(p1), "voted_by_phone");
        assert_eq!(kit.code(first), "valid");
        assert_eq!(kit.code(second), "paper_duplicate");
        let st = kit.state();
        assert_eq!(st.current_ballots.len(), 3);
        assert_eq!(st.proposals[&p[0]].votes, 1);
        assert_eq!(st.proposals[&p[1]].votes, 2);
        assert_eq!(
            st.canonical_bytes(),
            kit.state_applied_one_by_one().canonical_bytes()
        );
        // The seal counts paper and phone alike.
        let seal = st.draft_seal("封存");
        kit.sign(Who::Cadre, Body::Seal(seal));
        let st = kit.state();
        assert_eq!(st.seal.as_ref().unwrap().ballots.len(), 3);
        assert_eq!(st.sealed_result().sealed_paper, 1);
    }

    /// Phones reach the hub in any order on voting day: a ballot that sorts before ballots
    /// already folded is applied in place when its member has nothing folded after it, and the
    /// state is the full fold's, byte for byte.
    #[test]
    fn late_ballots_of_other_members_fold_in_place_and_equal_the_full_fold() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 40);
        let p = kit.open_vote(&[10_000, 20_000, 30_000]);
        let settled = kit.records.len();
        for i in 0..40 {
            kit.sign(Who::Resident(i), ballot(vec![p[i % 3]]));
        }
        let full = kit.state().canonical_bytes();
        for seed in 1..20 {
            let (st, folds) = kit.state_with_rest_shuffled(settled, seed);
            assert_eq!(st.canonical_bytes(), full, "seed {seed}");
            assert_eq!(folds, 0, "one ballot per member never needs a full fold");
        }
        // Re-votes, paper sheets (for phone voters and a paper-only member, some twice), a
        // ballot outside the rules: members with several ballots need the full fold when theirs
        // arrive out of order, and the state is still the full fold's.
        let paper_only = kit.register_paper(1, None);
        let settled = kit.records.len();
        for i in 0..10 {
            kit.sign(Who::Resident(i), ballot(vec![p[(i + 1) % 3]]));
            kit.sign(
                Who::Cadre,
                paper(kit.members[i + 10], &format!("S-{i}"), vec![p[0]]),
            );
        }
        kit.sign(Who::Cadre, paper(paper_only, "S-90", vec![p[1]]));
        kit.sign(Who::Cadre, paper(paper_only, "S-91", vec![p[2]]));
        kit.sign(Who::Resident(20), ballot(vec![]));
        kit.sign(Who::Resident(21), ballot(p.clone()));
        let full = kit.state();
        assert_eq!(full.current_paper_ballots(), 1);
        for seed in 1..40 {
            let (st, _) = kit.state_with_rest_shuffled(settled, seed);
            assert_eq!(st.canonical_bytes(), full.canonical_bytes(), "seed {seed}");
            assert_eq!(st.current_paper_ballots(), 1);
        }
    }

    /// Once a seal is folded a late ballot changes what the seal finds late: the full fold.
    #[test]
    fn a_late_ballot_after_the_seal_takes_the_full_fold() {
        let mut kit = Kit::new(VotingRules::approval(1, 1), 3);
        let p = kit.open_vote(&[10_000]);
        let late = kit.records.len();
        kit.sign(Who::Resident(0), ballot(vec![p[0]]));
        kit.sign(Who::Resident(1), ballot(vec![p[0]]));
        let mut st = kit.state();
        let seal = st.draft_seal("封存");
        kit.sign(Who::Cadre, Body::Seal(seal));
        let sealed = kit.records.pop().unwrap();
        let before = kit.records.remove(late);
        kit.records.push(sealed.clone());
        st = kit.state();
        assert_eq!(st.apply_new(&before.decode().unwrap()), None);
    }

    #[test]
    fn bad_paper_ballots_are_refused_with_the_reason() {
        let mut kit = Kit::new(VotingRules::approval(1, 1), 2);
        let p = kit.open_vote(&[10_000]);
        let by_resident = kit.sign(Who::Resident(0), paper(kit.members[1], "B-1", vec![p[0]]));
        assert_eq!(kit.code(by_resident), "missing_role");
        let unknown = kit.sign(Who::Cadre, paper(Uuid::from_u128(77), "B-2", vec![p[0]]));
        assert_eq!(kit.code(unknown), "unknown_reference");
        let no_sheet = kit.sign(Who::Cadre, paper(kit.members[0], " ", vec![p[0]]));
        assert_eq!(kit.code(no_sheet), "text_empty");
        let long_sheet = kit.sign(
            Who::Cadre,
            paper(kit.members[0], &"9".repeat(33), vec![p[0]]),
        );
        assert_eq!(kit.code(long_sheet), "text_too_long");
        let not_on_ballot = kit.sign(
            Who::Cadre,
            paper(kit.members[0], "B-3", vec![Uuid::from_u128(5)]),
        );
        assert_eq!(kit.code(not_on_ballot), "unknown_reference");
        let too_many = kit.sign(Who::Cadre, paper(kit.members[0], "B-4", vec![]));
        assert_eq!(kit.code(too_many), "rule_violation");
    }
}
