//! The rules for evaluation records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, ScheduleState, Verdict};
use crate::money::Fen;
use crate::record::cycle::SatisfactionRule;
use crate::record::evaluation::*;
use crate::record::list::{ListOf, MAX_INLINE_IDS, RecordList};
use crate::role::Role;
use std::collections::BTreeSet;
use uuid::Uuid;

impl CycleState {
    /// A cadre fixes the instalments of an award; they add up to the winning bid. A later schedule
    /// for the same award supersedes the earlier one.
    pub(crate) fn apply_schedule(
        &mut self,
        ctx: &Ctx,
        b: &InstalmentSchedule,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let project = self.project_of_award(&b.award)?;
        let contract = self.projects[&project]
            .contract_amount
            .expect("award implies amount");
        let sum = Fen::checked_sum(b.instalments.iter().map(|i| i.amount)).ok_or_else(|| {
            Exclusion::InvalidAmount {
                field: "instalments".into(),
                detail: "sum overflows".into(),
            }
        })?;
        if sum != contract {
            return Err(Exclusion::InvalidAmount {
                field: "instalments".into(),
                detail: format!("instalments add up to {sum}, the contract is {contract}"),
            });
        }
        let gated_final = self
            .genesis
            .as_ref()
            .is_some_and(|g| g.satisfaction.gated_final_instalment);
        if gated_final
            && !b
                .instalments
                .last()
                .is_some_and(|i| i.requires_satisfaction)
        {
            return Err(Exclusion::RuleViolation {
                detail: "the last instalment waits for residents' satisfaction".into(),
            });
        }
        let p = self.projects.get_mut(&project).expect("checked");
        if let Some(prev) = p.schedule.replace(ctx.id) {
            self.schedules.remove(&prev);
            self.set_verdict(
                prev,
                Verdict::Excluded {
                    reason: Exclusion::Superseded { by: ctx.id },
                },
            );
        }
        self.schedules.insert(
            ctx.id,
            ScheduleState {
                award: b.award,
                project,
                instalments: b.instalments.clone(),
                released: vec![None; b.instalments.len()],
            },
        );
        self.dirty.projects.insert(project);
        Ok(())
    }

    /// The awarded contractor reports completion.
    pub(crate) fn apply_completion(
        &mut self,
        ctx: &Ctx,
        b: &CompletionReport,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require_contractor(ctx, &b.project)?;
        self.projects
            .get_mut(&b.project)
            .expect("checked")
            .completion = Some(ctx.id);
        self.dirty.projects.insert(b.project);
        Ok(())
    }

    /// A resident rates a completed project; a later rating by the same member replaces theirs.
    pub(crate) fn apply_rating(&mut self, ctx: &Ctx, b: &Rating) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Resident)?;
        if self.project(&b.project)?.completion.is_none() {
            return Err(Exclusion::RuleViolation {
                detail: "a project can be rated once its completion is reported".into(),
            });
        }
        let p = self.projects.get_mut(&b.project).expect("checked");
        if let Some((prev, _)) = p.ratings.insert(ctx.member, (ctx.id, b.stars)) {
            self.set_verdict(
                prev,
                Verdict::Excluded {
                    reason: Exclusion::Superseded { by: ctx.id },
                },
            );
        }
        self.rating_records
            .insert(ctx.id, (b.project, ctx.member, b.stars, ctx.time));
        self.dirty.projects.insert(b.project);
        Ok(())
    }

    /// A cadre or council member releases the next instalment. A satisfaction-gated instalment
    /// names the ratings it counts: valid ratings of this project, one per member, at least the
    /// cycle's minimum, with the good share at or above the threshold.
    pub(crate) fn apply_release(&mut self, ctx: &Ctx, b: &PaymentRelease) -> Result<(), Exclusion> {
        b.check_shape()?;
        if !self.has_role(&ctx.member, Role::Council) {
            self.require(ctx, Role::Cadre)?;
        }
        let s = self
            .schedules
            .get(&b.schedule)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "instalment schedule".into(),
                id: b.schedule,
            })?;
        let i = b.instalment as usize;
        let inst = s
            .instalments
            .get(i)
            .ok_or_else(|| Exclusion::RuleViolation {
                detail: format!("the schedule has no instalment {i}"),
            })?;
        if let Some(first) = s.released[i] {
            return Err(Exclusion::Conflicting { with: first });
        }
        if s.released[..i].iter().any(Option::is_none) {
            return Err(Exclusion::RuleViolation {
                detail: "earlier instalments must be released first".into(),
            });
        }
        let project = s.project;
        if inst.requires_satisfaction {
            let rule = self
                .genesis
                .as_ref()
                .expect("roll implies genesis")
                .satisfaction
                .clone();
            let named = self.resolve_listed(ctx, ListOf::Ratings, &b.ratings, &b.rating_lists)?;
            let missing: Vec<Uuid> = named
                .iter()
                .filter(|id| !self.rating_records.contains_key(id))
                .copied()
                .collect();
            if !missing.is_empty() {
                return Err(self.lacks(ctx, "rating", missing));
            }
            let mut members = BTreeSet::new();
            let mut stars = Vec::with_capacity(named.len());
            for id in &named {
                let (p, m, given, _) = &self.rating_records[id];
                if *p != project || !members.insert(*m) {
                    return Err(Exclusion::RuleViolation {
                        detail: format!("rating {id} is not a distinct rating of this project"),
                    });
                }
                stars.push(*given);
            }
            // Every current rating of the project signed before the release must be named: a
            // release that weighs only the favourable ones is cherry-picked. (A rating whose
            // claimed time is after the release may be missing: it can have been made later.)
            let named_set: BTreeSet<Uuid> = named.iter().copied().collect();
            let left_out: Vec<Uuid> = self.projects[&project]
                .ratings
                .values()
                .map(|(id, _)| *id)
                .filter(|id| !named_set.contains(id) && self.rating_records[id].3 <= ctx.time)
                .collect();
            if let Some(first) = left_out.first() {
                return Err(Exclusion::RatingsLeftOut {
                    left_out: left_out.len() as u32,
                    first: *first,
                });
            }
            let judged = Satisfaction::judge(&rule, &stars);
            if !judged.met {
                return Err(Exclusion::SatisfactionNotMet {
                    good: judged.good,
                    total: judged.total,
                    threshold_pct: rule.threshold_pct,
                    strictly_above: rule.strictly_above,
                });
            }
        } else if !b.ratings.is_empty() || !b.rating_lists.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "only a satisfaction-gated instalment names ratings".into(),
            });
        }
        self.schedules
            .get_mut(&b.schedule)
            .expect("checked")
            .released[i] = Some(ctx.id);
        self.dirty.projects.insert(project);
        Ok(())
    }
}

impl CycleState {
    /// Drafts the release of the next unreleased instalment of a project's schedule, naming the
    /// current ratings when the instalment is satisfaction-gated.
    pub fn draft_release(&self, project: &Uuid, note: &str) -> Option<PaymentRelease> {
        let schedule_id = self.projects.get(project)?.schedule?;
        let s = self.schedules.get(&schedule_id)?;
        let i = s.released.iter().position(Option::is_none)?;
        let ratings = if s.instalments[i].requires_satisfaction {
            self.projects[project]
                .ratings
                .values()
                .map(|(id, _)| *id)
                .collect()
        } else {
            Vec::new()
        };
        Some(PaymentRelease {
            schedule: schedule_id,
            instalment: i as u32,
            ratings,
            rating_lists: Vec::new(),
            note: note.to_string(),
        })
    }

    /// The release as Linli signs it: the ratings inline when there are at most
    /// [`MAX_INLINE_IDS`], otherwise in record lists signed just before it (see
    /// `Store::release_next_instalment`).
    pub fn draft_release_with_lists(
        &self,
        project: &Uuid,
        note: &str,
    ) -> Option<(Vec<RecordList>, PaymentRelease)> {
        let mut release = self.draft_release(project, note)?;
        if release.ratings.len() <= MAX_INLINE_IDS {
            return Some((Vec::new(), release));
        }
        let lists = RecordList::split(ListOf::Ratings, &release.ratings);
        release.ratings.clear();
        Some((lists, release))
    }
}

/// A project's satisfaction: how many ratings are good, of how many, and whether that opens the
/// gate. The one place the rule is computed, for the fold's release check and the views alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Satisfaction {
    /// Ratings with at least the rule's good stars.
    pub good: u32,
    /// Ratings counted.
    pub total: u32,
    /// Whether the gate opens.
    pub met: bool,
}

impl CycleState {
    /// Satisfaction of a project over its current ratings (one per member), judged by the
    /// cycle's rule ([`Satisfaction::judge`]).
    pub fn satisfaction(&self, project: &Uuid) -> Satisfaction {
        let rule = self
            .genesis
            .as_ref()
            .map(|g| g.satisfaction.clone())
            .unwrap_or_default();
        let stars: Vec<u8> = self
            .projects
            .get(project)
            .map(|p| p.ratings.values().map(|(_, s)| *s).collect())
            .unwrap_or_default();
        Satisfaction::judge(&rule, &stars)
    }
}

impl Satisfaction {
    /// Judges one rating per member (their stars) by `rule`: at least `min_ratings` ratings, and
    /// never fewer than one (a gate no resident has rated stays shut, whatever the genesis
    /// says), with a good share above `threshold_pct` percent (or at least at it, for a genesis
    /// that says so).
    pub fn judge(rule: &SatisfactionRule, stars: &[u8]) -> Satisfaction {
        let total = stars.len() as u32;
        let good = stars.iter().filter(|s| **s >= rule.good_stars).count() as u32;
        let (share, bar) = (
            u64::from(good) * 100,
            u64::from(rule.threshold_pct) * u64::from(total),
        );
        let met = total >= rule.min_ratings.max(1)
            && if rule.strictly_above {
                share > bar
            } else {
                share >= bar
            };
        Satisfaction { good, total, met }
    }
}

#[cfg(test)]
mod tests {
    use super::Satisfaction;
    use crate::record::cycle::SatisfactionRule;

    fn rule(min_ratings: u32) -> SatisfactionRule {
        SatisfactionRule {
            min_ratings,
            ..SatisfactionRule::default()
        }
    }

    #[test]
    fn the_gate_weighs_good_ratings_against_the_threshold() {
        let met = Satisfaction::judge(&rule(5), &[5, 4, 5, 4, 2, 5]);
        assert_eq!((met.good, met.total, met.met), (5, 6, true));
        let short = Satisfaction::judge(&rule(5), &[5, 4, 3, 2, 2]);
        assert_eq!((short.good, short.total, short.met), (2, 5, false));
    }

    #[test]
    fn too_few_ratings_keep_the_gate_shut_even_when_the_genesis_asks_for_none() {
        assert!(!Satisfaction::judge(&rule(5), &[5, 5, 5, 5]).met);
        assert!(Satisfaction::judge(&rule(5), &[5, 5, 5, 5, 5]).met);
        assert!(!Satisfaction::judge(&rule(0), &[]).met);
        assert!(Satisfaction::judge(&rule(0), &[4]).met);
    }
}

#[cfg(test)]
mod release_tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::money::Fen;
    use crate::phase::Phase;
    use crate::record::Body;

    use crate::record::evaluation::{CompletionReport, Instalment, InstalmentSchedule, Rating};
    use crate::record::tender::{Award, BidClosing, BidOpening, SealedBid, Tender};

    use chrono::{TimeZone, Utc};
    use uuid::Uuid;

    /// A funded, awarded, completed project with a two-instalment schedule whose last
    /// instalment is gated; resident 10 is the contractor, 11 on the council; residents 0-9 rate.
    /// The project awarded to resident 10 on a sealed tender, in the tender phase: (kit, project,
    /// award).
    fn awarded() -> (Kit, Uuid, Uuid) {
        awarded_with(10)
    }

    fn awarded_with(raters: usize) -> (Kit, Uuid, Uuid) {
        let (mut kit, p) = Kit::funded_in_tender(raters);
        let contractor = raters;
        let deadline = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
        let tender = kit.sign(
            Who::Cadre,
            Body::Tender(Tender {
                project: p,
                budget: Fen::yuan(100_000),
                deadline,
                requirements: "按图施工".into(),
                sealed_bids: true,
            }),
        );
        let nonce = "ab".repeat(32);
        let commitment = BidOpening::commitment(&tender, Fen::yuan(90_000), "两周完工", 14, &nonce);
        let sealed = kit.sign(
            Who::Resident(contractor),
            Body::SealedBid(SealedBid { tender, commitment }),
        );
        kit.skip_to(deadline);
        kit.sign(
            Who::Cadre,
            Body::BidClosing(BidClosing {
                tender,
                sealed_bids: vec![sealed],
            }),
        );
        let bid = kit.sign(
            Who::Resident(contractor),
            Body::BidOpening(BidOpening {
                sealed_bid: sealed,
                amount: Fen::yuan(90_000),
                plan: "两周完工".into(),
                duration_days: 14,
                nonce,
            }),
        );
        let award = Award {
            tender,
            bid,
            reason: "唯一投标".into(),
        };
        let award = kit.sign(Who::Cadre, Body::Award(award));
        assert_eq!(kit.code(award), "valid");
        (kit, p, award)
    }

    pub(super) fn completed() -> (Kit, Uuid) {
        completed_with(10)
    }

    /// [`completed`] with `raters` residents who may rate (0..raters); the contractor and the
    /// council member come after them.
    fn completed_with(raters: usize) -> (Kit, Uuid) {
        let (mut kit, p, award) = awarded_with(raters);
        let instalment = |label: &str, yuan: i64, gated: bool| Instalment {
            label: label.into(),
            amount: Fen::yuan(yuan),
            requires_satisfaction: gated,
        };
        kit.sign(
            Who::Cadre,
            Body::InstalmentSchedule(InstalmentSchedule {
                award,
                instalments: vec![
                    instalment("预付", 60_000, false),
                    instalment("尾款", 30_000, true),
                ],
            }),
        );
        kit.advance(Phase::Implementation);
        let first = kit.state().draft_release(&p, "预付").unwrap();
        kit.sign(Who::Cadre, Body::PaymentRelease(first));
        kit.sign(
            Who::Resident(raters),
            Body::CompletionReport(CompletionReport {
                project: p,
                text: "完工".into(),
                photos: vec![],
            }),
        );
        kit.advance(Phase::Evaluation);
        (kit, p)
    }

    pub(super) fn rate(kit: &mut Kit, p: Uuid, stars: &[u8]) {
        for (i, s) in stars.iter().enumerate() {
            kit.sign(
                Who::Resident(i),
                Body::Rating(Rating {
                    project: p,
                    stars: *s,
                    comment: String::new(),
                }),
            );
        }
    }

    /// Residents' ratings reach a device in any order: after the first (ungated) release, which
    /// reads no rating, a late rating folds in place and the state is the full fold's.
    #[test]
    fn late_ratings_fold_in_place_until_a_release_names_ratings() {
        let (mut kit, p) = completed_with(30);
        let settled = kit.records.len();
        rate(&mut kit, p, &[5; 30]);
        let full = kit.state().canonical_bytes();
        for seed in 1..12 {
            let (st, folds) = kit.state_with_rest_shuffled(settled, seed);
            assert_eq!(st.canonical_bytes(), full, "seed {seed}");
            assert_eq!(folds, 0, "one rating per member never needs a full fold");
        }
        let release = kit.state().draft_release(&p, "尾款").unwrap();
        kit.sign(Who::Cadre, Body::PaymentRelease(release));
        let st = kit.state();
        let late = kit.records.len();
        kit.sign(
            Who::Resident(0),
            Body::Rating(Rating {
                project: p,
                stars: 1,
                comment: String::new(),
            }),
        );
        // A rating ranks before the release that counted the ratings, and may change what it
        // counted (it supersedes resident 0's): the full fold.
        let mut st2 = st.clone();
        let rec = kit.records[late].decode().unwrap();
        assert!(st.read_ranks.contains(&crate::record::Kind::Rating.rank()));
        assert_eq!(st2.apply_new(&rec), None);
    }

    #[test]
    fn a_schedule_must_end_in_the_gated_instalment() {
        let (mut kit, _, award) = awarded();
        let ungated = kit.sign(
            Who::Cadre,
            Body::InstalmentSchedule(InstalmentSchedule {
                award,
                instalments: vec![Instalment {
                    label: "全款".into(),
                    amount: Fen::yuan(90_000),
                    requires_satisfaction: false,
                }],
            }),
        );
        assert_eq!(kit.code(ungated), "rule_violation");
        assert!(kit.state().schedules.is_empty());
    }

    #[test]
    fn the_gated_instalment_is_released_when_residents_are_satisfied() {
        let (mut kit, p) = completed();
        rate(&mut kit, p, &[5, 4, 5, 4, 5]);
        let release = kit.state().draft_release(&p, "尾款").unwrap();
        assert_eq!(release.ratings.len(), 5);
        let id = kit.sign(Who::Resident(11), Body::PaymentRelease(release));
        assert_eq!(kit.code(id), "valid");
    }

    /// A project rated by 5,000 residents: the release names its ratings in record lists, every
    /// record stays under the cap, and a device holding all of them accepts it.
    #[test]
    fn a_gated_release_over_5000_ratings_fits_in_record_lists() {
        use crate::record::envelope::MAX_RECORD_BYTES;
        let (mut kit, p) = completed_with(5_000);
        let stars: Vec<u8> = (0..5_000)
            .map(|i| if i % 10 == 0 { 3 } else { 5 })
            .collect();
        rate(&mut kit, p, &stars);
        let (lists, mut release) = kit.state().draft_release_with_lists(&p, "尾款").unwrap();
        assert_eq!(lists.len(), 2);
        assert!(release.ratings.is_empty());
        release.rating_lists = lists
            .into_iter()
            .map(|l| kit.sign(Who::Cadre, Body::RecordList(l)))
            .collect();
        let id = kit.sign(Who::Cadre, Body::PaymentRelease(release));
        assert!(
            kit.records
                .iter()
                .all(|r| r.signed.len() <= MAX_RECORD_BYTES)
        );
        assert_eq!(kit.code(id), "valid");
        let judged = kit.state().satisfaction(&p);
        assert_eq!(
            (judged.good, judged.total, judged.met),
            (4_500, 5_000, true)
        );
    }

    #[test]
    fn the_gate_refuses_poor_ratings_foreign_ratings_and_residents() {
        let (mut kit, p) = completed();
        rate(&mut kit, p, &[5, 2, 3, 4, 2, 1]);
        let release = kit.state().draft_release(&p, "尾款").unwrap();
        let poor = kit.sign(Who::Cadre, Body::PaymentRelease(release.clone()));
        assert_eq!(kit.code(poor), "satisfaction_not_met");
        let by_resident = kit.sign(Who::Resident(0), Body::PaymentRelease(release.clone()));
        assert_eq!(kit.code(by_resident), "missing_role");
        let mut phantom = release;
        phantom.ratings.push(Uuid::from_u128(31));
        let unknown = kit.sign(Who::Cadre, Body::PaymentRelease(phantom));
        assert_eq!(kit.code(unknown), "unknown_reference");
    }
}

#[cfg(test)]
mod cherry_pick_tests {
    use super::release_tests::{completed, rate};
    use crate::fold::testkit::Who;
    use crate::fold::{Checked, fold};
    use crate::record::Body;

    /// A cadre releases the final instalment naming only the five satisfied ratings of ten. A
    /// phone that met only those five raters accepts it (five of five are good); every device that
    /// holds the other five, signed before the release, refuses it as cherry-picked.
    #[test]
    fn a_release_that_leaves_out_ratings_is_caught_by_every_device_holding_them() {
        let (mut kit, p) = completed();
        rate(&mut kit, p, &[5, 5, 5, 5, 5, 2, 2, 1, 2, 3]);
        let st = kit.state();
        let mut release = st.draft_release(&p, "尾款").unwrap();
        release.ratings.retain(|id| st.rating_records[id].2 >= 4);
        assert_eq!(release.ratings.len(), 5);
        let id = kit.sign(Who::Cadre, Body::PaymentRelease(release));

        let poor: Vec<uuid::Uuid> = st
            .rating_records
            .iter()
            .filter(|(_, r)| r.2 < 4)
            .map(|(id, _)| *id)
            .collect();
        let phone: Vec<Checked> = kit
            .records
            .iter()
            .filter(|r| !poor.contains(&r.id))
            .map(Checked::verify)
            .collect();
        let on_phone = fold(kit.cycle, kit.genesis, &phone);
        assert!(on_phone.verdicts[&id].is_valid(), "the phone cannot know");

        assert_eq!(kit.code(id), "ratings_left_out");
        let everything = kit.state();
        let judged = everything.satisfaction(&p);
        assert_eq!((judged.good, judged.total, judged.met), (5, 10, false));
        let report = everything.seal_report();
        assert_eq!(report.cherry_picked_releases.len(), 1);
        assert_eq!(report.cherry_picked_releases[0].id, id);
    }

    #[test]
    fn exactly_the_threshold_does_not_release_unless_the_genesis_says_at_least() {
        use crate::fold::evaluation::Satisfaction;
        use crate::record::cycle::SatisfactionRule;
        let eighty = [5, 5, 4, 4, 2];
        assert!(!Satisfaction::judge(&SatisfactionRule::default(), &eighty).met);
        let at_least = SatisfactionRule {
            strictly_above: false,
            ..SatisfactionRule::default()
        };
        assert!(Satisfaction::judge(&at_least, &eighty).met);
        assert!(Satisfaction::judge(&SatisfactionRule::default(), &[5, 5, 4, 4, 4]).met);
    }
}
