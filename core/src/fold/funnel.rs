//! The engagement funnel of a cycle: how many people took each step, from the roll to the
//! ratings, split by paper and phone and by age band. Computed from the records alone and with
//! no personal data: counts of people, never who.
//!
//! A person is a member of the roll, or, for a paper proposal or comment entered for someone not
//! on the roll, the name written on the paper. A person counts once per step, as `phone` when
//! they took the step with their own device at least once and as `paper` otherwise (a cadre
//! entered it for them).

use crate::fold::state::CycleState;
use crate::lang::Lang;
use crate::record::roll::AgeBand;
use crate::role::Role;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// The steps of the funnel, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Residents on the roll.
    Registered,
    /// Made a proposal (or had one entered from paper).
    Proposed,
    /// Commented on a proposal, a project or a meeting.
    Commented,
    /// Have a ballot that counts: the sealed ones once the vote is sealed, the current ones before.
    Voted,
    /// Reported on works under way.
    Monitored,
    /// Rated a completed project.
    Rated,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 6] = [
        Step::Registered,
        Step::Proposed,
        Step::Commented,
        Step::Voted,
        Step::Monitored,
        Step::Rated,
    ];

    /// Stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Registered => "registered",
            Step::Proposed => "proposed",
            Step::Commented => "commented",
            Step::Voted => "voted",
            Step::Monitored => "monitored",
            Step::Rated => "rated",
        }
    }

    /// Name for people.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Step::Registered => lang.pick("登记居民", "registered"),
            Step::Proposed => lang.pick("提出提案", "proposed"),
            Step::Commented => lang.pick("发表评论", "commented"),
            Step::Voted => lang.pick("参与投票", "voted"),
            Step::Monitored => lang.pick("监督反馈", "monitored"),
            Step::Rated => lang.pick("满意度评价", "rated"),
        }
    }
}

/// One step of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepCount {
    /// The step.
    pub step: Step,
    /// People who took it.
    pub total: u32,
    /// Of those, who took it with their own device at least once.
    pub phone: u32,
    /// Of those, who took it only on paper (entered by a cadre).
    pub paper: u32,
    /// People per age band, youngest first, where the roll records one; then `unknown` (no band
    /// recorded, or someone not on the roll).
    pub by_band: Vec<(String, u32)>,
}

/// The funnel of a cycle (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Funnel {
    /// Each step, in order.
    pub steps: Vec<StepCount>,
    /// Proposals made.
    pub proposals: u32,
    /// Of those, made on a phone (the rest entered from paper).
    pub proposals_online: u32,
}

/// Someone counted by the funnel.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Person {
    Member(Uuid),
    /// A paper submitter not on the roll, by the name written.
    Named(String),
}

/// The people of one step and whether each used a phone at least once.
#[derive(Default)]
struct Tally(BTreeMap<Person, bool>);

impl Tally {
    fn add(&mut self, who: Person, phone: bool) {
        *self.0.entry(who).or_insert(false) |= phone;
    }
}

impl CycleState {
    /// The engagement funnel (see [`Funnel`]).
    pub fn funnel(&self) -> Funnel {
        let mut steps: BTreeMap<Step, Tally> =
            Step::ALL.iter().map(|s| (*s, Tally::default())).collect();
        let paper_person = |name: &str, member: Option<Uuid>| match member {
            Some(m) => Person::Member(m),
            None => Person::Named(name.trim().to_string()),
        };
        let t = steps.get_mut(&Step::Registered).expect("every step");
        for m in self.members.values() {
            if m.roles.contains(&Role::Resident) {
                t.add(Person::Member(m.id), !m.keys.is_empty());
            }
        }
        let mut proposals_online = 0;
        let t = steps.get_mut(&Step::Proposed).expect("every step");
        for p in self.proposals.values() {
            match &p.on_behalf_of {
                Some(s) => t.add(paper_person(&s.name, s.member), false),
                None => {
                    proposals_online += 1;
                    t.add(Person::Member(p.signer_member), true);
                }
            }
        }
        let t = steps.get_mut(&Step::Commented).expect("every step");
        for c in self.comments.values() {
            match &c.on_behalf_of {
                Some(s) => t.add(paper_person(&s.name, s.member), false),
                None => t.add(Person::Member(c.signer_member), true),
            }
        }
        let counted: Vec<&Uuid> = match &self.seal {
            Some(s) => s.ballots.iter().collect(),
            None => self.current_ballots.values().collect(),
        };
        let t = steps.get_mut(&Step::Voted).expect("every step");
        for id in counted {
            let b = &self.ballot_records[id];
            t.add(Person::Member(b.member), b.paper.is_none());
        }
        let t = steps.get_mut(&Step::Monitored).expect("every step");
        for r in self.reports.values() {
            t.add(Person::Member(r.reporter), true);
        }
        let t = steps.get_mut(&Step::Rated).expect("every step");
        for p in self.projects.values() {
            for member in p.ratings.keys() {
                t.add(Person::Member(*member), true);
            }
        }
        Funnel {
            steps: steps
                .into_iter()
                .map(|(s, tally)| self.count(s, &tally))
                .collect(),
            proposals: self.proposals.len() as u32,
            proposals_online,
        }
    }

    fn count(&self, step: Step, tally: &Tally) -> StepCount {
        let phone = tally.0.values().filter(|p| **p).count() as u32;
        let mut bands: BTreeMap<Option<AgeBand>, u32> = BTreeMap::new();
        for who in tally.0.keys() {
            let band = match who {
                Person::Member(m) => self.members.get(m).and_then(|m| m.age_band),
                Person::Named(_) => None,
            };
            *bands.entry(band).or_default() += 1;
        }
        let mut by_band: Vec<(String, u32)> = AgeBand::ALL
            .iter()
            .map(|b| {
                (
                    b.as_str().to_string(),
                    bands.get(&Some(*b)).copied().unwrap_or(0),
                )
            })
            .collect();
        by_band.push(("unknown".into(), bands.get(&None).copied().unwrap_or(0)));
        StepCount {
            step,
            total: tally.0.len() as u32,
            phone,
            paper: tally.0.len() as u32 - phone,
            by_band,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Step;
    use crate::fold::testkit::{Kit, Who};
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::ballot::{Ballot, PaperBallot};
    use crate::record::comment::Comment;
    use crate::record::cycle::VotingRules;
    use crate::record::proposal::PaperSubmitter;
    use crate::record::roll::AgeBand;

    /// Four phone residents and two paper-only members (one 75+): each step's numbers asserted.
    #[test]
    fn the_funnel_counts_people_per_step_by_paper_and_phone_and_band() {
        let mut kit = Kit::new(VotingRules::approval(1, 1), 4);
        let elder = kit.register_paper(1, Some(AgeBand::From75));
        let other = kit.register_paper(2, None);
        kit.advance(Phase::Proposals);
        let p = kit.propose(0, "电梯", 10_000);
        kit.propose(0, "路灯", 10_000);
        kit.propose(1, "长椅", 10_000);
        let mut paper = kit.state().proposals[&p].content.clone();
        paper.title = "纸质提案".into();
        kit.sign(
            Who::Cadre,
            Body::Proposal(Box::new(crate::record::proposal::Proposal {
                content: paper,
                on_behalf_of: Some(PaperSubmitter {
                    name: "楼下张大爷".into(),
                    member: None,
                }),
            })),
        );
        let comment = |on, by: Option<PaperSubmitter>| Comment {
            on,
            reply_to: None,
            text: "意见".into(),
            on_behalf_of: by,
            in_hall: false,
        };
        kit.sign(Who::Resident(2), Body::Comment(comment(p, None)));
        kit.sign(
            Who::Cadre,
            Body::Comment(comment(
                p,
                Some(PaperSubmitter {
                    name: "纸质1".into(),
                    member: Some(elder),
                }),
            )),
        );
        kit.advance(Phase::Deliberation);
        let review =
            kit.state()
                .draft_review(p, crate::record::proposal::ReviewDecision::Shortlist, "好");
        kit.sign(Who::Cadre, Body::Review(review));
        for other_p in kit.state().proposals.keys().copied().collect::<Vec<_>>() {
            if other_p != p {
                let r = kit.state().draft_review(
                    other_p,
                    crate::record::proposal::ReviewDecision::Reject,
                    "重复",
                );
                kit.sign(Who::Cadre, Body::Review(r));
            }
        }
        kit.advance(Phase::Voting);
        for i in 0..3 {
            kit.sign(Who::Resident(i), Body::Ballot(Ballot::approve(vec![p])));
        }
        for (m, sheet) in [(elder, "1"), (other, "2")] {
            kit.sign(
                Who::Cadre,
                Body::PaperBallot(PaperBallot {
                    member: m,
                    sheet: sheet.into(),
                    ballot: Ballot::approve(vec![p]),
                }),
            );
        }
        let f = kit.state().funnel();
        let got: Vec<(Step, u32, u32, u32)> = f
            .steps
            .iter()
            .map(|s| (s.step, s.total, s.phone, s.paper))
            .collect();
        assert_eq!(
            got,
            vec![
                (Step::Registered, 6, 4, 2),
                (Step::Proposed, 3, 2, 1),
                (Step::Commented, 2, 1, 1),
                (Step::Voted, 5, 3, 2),
                (Step::Monitored, 0, 0, 0),
                (Step::Rated, 0, 0, 0),
            ]
        );
        assert_eq!((f.proposals, f.proposals_online), (4, 3));
        let voted = &f.steps[3].by_band;
        assert_eq!(voted[4], ("75+".to_string(), 1));
        assert_eq!(voted[5], ("unknown".to_string(), 4));
    }
}
