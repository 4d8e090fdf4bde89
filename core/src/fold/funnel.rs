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

/// The people of one step and whether each used a phone at least once, for the steps where one
/// person can appear several times (several proposals, comments, reports, ratings).
#[derive(Default)]
struct Tally(BTreeMap<Person, bool>);

impl Tally {
    fn add(&mut self, who: Person, phone: bool) {
        *self.0.entry(who).or_insert(false) |= phone;
    }
}

/// Counts of one step as they are added up.
struct Counter<'a> {
    st: &'a CycleState,
    /// Whether any member has an age band: when none has, no member is looked up.
    bands_known: bool,
    total: u32,
    phone: u32,
    bands: [u32; 6],
}

impl<'a> Counter<'a> {
    fn new(st: &'a CycleState, bands_known: bool) -> Counter<'a> {
        Counter {
            st,
            bands_known,
            total: 0,
            phone: 0,
            bands: [0; 6],
        }
    }

    /// Adds one person (each person is added once per step).
    fn add(&mut self, who: Option<&Uuid>, phone: bool) {
        self.total += 1;
        self.phone += u32::from(phone);
        let band = match who {
            Some(m) if self.bands_known => self.st.members.get(m).and_then(|m| m.age_band),
            _ => None,
        };
        let i = band
            .and_then(|b| AgeBand::ALL.iter().position(|x| *x == b))
            .unwrap_or(AgeBand::ALL.len());
        self.bands[i] += 1;
    }

    fn of(st: &'a CycleState, bands_known: bool, tally: &Tally) -> Counter<'a> {
        let mut c = Counter::new(st, bands_known);
        for (who, phone) in &tally.0 {
            match who {
                Person::Member(m) => c.add(Some(m), *phone),
                Person::Named(_) => c.add(None, *phone),
            }
        }
        c
    }

    fn finish(self, step: Step) -> StepCount {
        let mut by_band: Vec<(String, u32)> = AgeBand::ALL
            .iter()
            .zip(self.bands)
            .map(|(b, n)| (b.as_str().to_string(), n))
            .collect();
        by_band.push(("unknown".into(), self.bands[AgeBand::ALL.len()]));
        StepCount {
            step,
            total: self.total,
            phone: self.phone,
            paper: self.total - self.phone,
            by_band,
        }
    }
}

impl CycleState {
    /// The engagement funnel (see [`Funnel`]). Linear in the roll and the ballots: a member is
    /// registered once and has at most one counted ballot, so those steps need no set of people.
    pub fn funnel(&self) -> Funnel {
        let bands_known = self.members.values().any(|m| m.age_band.is_some());
        let paper_person = |name: &str, member: Option<Uuid>| match member {
            Some(m) => Person::Member(m),
            None => Person::Named(name.trim().to_string()),
        };
        let mut registered = Counter::new(self, bands_known);
        for m in self.members.values() {
            if m.roles.contains(&Role::Resident) {
                registered.add(Some(&m.id), !m.keys.is_empty());
            }
        }
        let mut proposed = Tally::default();
        let mut proposals_online = 0;
        for p in self.proposals.values() {
            match &p.on_behalf_of {
                Some(s) => proposed.add(paper_person(&s.name, s.member), false),
                None => {
                    proposals_online += 1;
                    proposed.add(Person::Member(p.signer_member), true);
                }
            }
        }
        let mut commented = Tally::default();
        for c in self.comments.values() {
            match &c.on_behalf_of {
                Some(s) => commented.add(paper_person(&s.name, s.member), false),
                None => commented.add(Person::Member(c.signer_member), true),
            }
        }
        let mut voted = Counter::new(self, bands_known);
        let (ballots, paper): (Vec<&Uuid>, usize) = match &self.seal {
            Some(s) => (s.ballots.iter().collect(), s.paper),
            None => (self.current_ballots.values().collect(), self.current_paper),
        };
        if bands_known {
            for id in ballots {
                if let Some(b) = self.ballot_records.get(id) {
                    voted.add(Some(&b.member), b.paper.is_none());
                }
            }
        } else {
            // Without bands the step is two numbers the state keeps: no ballot is looked up
            // (100,000 random lookups cost more than the rest of the board).
            voted.total = ballots.len() as u32;
            voted.phone = (ballots.len() - paper) as u32;
            voted.bands[AgeBand::ALL.len()] = voted.total;
        }
        let mut monitored = Tally::default();
        for r in self.reports.values() {
            monitored.add(Person::Member(r.reporter), true);
        }
        let mut rated = Tally::default();
        for p in self.projects.values() {
            for member in p.ratings.keys() {
                rated.add(Person::Member(*member), true);
            }
        }
        Funnel {
            steps: vec![
                registered.finish(Step::Registered),
                Counter::of(self, bands_known, &proposed).finish(Step::Proposed),
                Counter::of(self, bands_known, &commented).finish(Step::Commented),
                voted.finish(Step::Voted),
                Counter::of(self, bands_known, &monitored).finish(Step::Monitored),
                Counter::of(self, bands_known, &rated).finish(Step::Rated),
            ],
            proposals: self.proposals.len() as u32,
            proposals_online,
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
