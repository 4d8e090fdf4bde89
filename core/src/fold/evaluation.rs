//! The rules for evaluation records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, ScheduleState, Verdict};
use crate::money::Fen;
use crate::record::evaluation::*;
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
            .insert(ctx.id, (b.project, ctx.member, b.stars));
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
            let mut members = BTreeSet::new();
            let mut good = 0u32;
            for id in &b.ratings {
                let (p, m, stars) =
                    self.rating_records
                        .get(id)
                        .ok_or_else(|| Exclusion::UnknownReference {
                            what: "rating".into(),
                            id: *id,
                        })?;
                if *p != project || !members.insert(*m) {
                    return Err(Exclusion::RuleViolation {
                        detail: format!("rating {id} is not a distinct rating of this project"),
                    });
                }
                if *stars >= rule.good_stars {
                    good += 1;
                }
            }
            let total = members.len() as u32;
            if total < rule.min_ratings
                || u64::from(good) * 100 < u64::from(rule.threshold_pct) * u64::from(total)
            {
                return Err(Exclusion::SatisfactionNotMet {
                    good,
                    total,
                    threshold_pct: rule.threshold_pct,
                });
            }
        } else if !b.ratings.is_empty() {
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
            note: note.to_string(),
        })
    }
}
