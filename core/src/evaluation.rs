//! Evaluation: the completion report, residents' ratings, the instalment schedule and payments.

use crate::blob::{self, BlobRef};
use crate::exclusion::Exclusion;
use crate::money::Fen;
use crate::roundtable::has_duplicates;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The awarded contractor reports the project complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionReport {
    /// The project.
    pub project: Uuid,
    /// What was delivered.
    pub text: String,
    /// Photos.
    pub photos: Vec<BlobRef>,
}

impl CompletionReport {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("text", &self.text, 1, text::LONG)?;
        blob::check_all("photos", &self.photos)
    }
}

/// A resident rates a completed project, 1 to 5 stars. A later rating by the same member replaces
/// the earlier one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The project.
    pub project: Uuid,
    /// 1 to 5.
    pub stars: u8,
    /// Comment.
    pub comment: String,
}

impl Rating {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if !(1..=5).contains(&self.stars) {
            return Err(Exclusion::RuleViolation {
                detail: format!("a rating is 1 to 5 stars, not {}", self.stars),
            });
        }
        text::check("comment", &self.comment, 0, text::MEDIUM)
    }
}

/// One instalment of a contractor's payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instalment {
    /// Label, e.g. "预付款 / advance".
    pub label: String,
    /// Amount in fen.
    pub amount: Fen,
    /// Whether release needs the satisfaction gate (only the last instalment may).
    pub requires_satisfaction: bool,
}

/// A cadre fixes how an awarded contract is paid. The amounts add up to the winning bid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstalmentSchedule {
    /// The award.
    pub award: Uuid,
    /// Instalments in payment order.
    pub instalments: Vec<Instalment>,
}

impl InstalmentSchedule {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        if self.instalments.is_empty() {
            return Err(Exclusion::RuleViolation {
                detail: "a schedule has at least one instalment".into(),
            });
        }
        text::check_count("instalments", self.instalments.len(), 12)?;
        let last = self.instalments.len() - 1;
        for (i, inst) in self.instalments.iter().enumerate() {
            text::check("instalments.label", &inst.label, 1, text::SHORT)?;
            if !inst.amount.is_valid_positive() {
                return Err(Exclusion::InvalidAmount {
                    field: "instalments.amount".into(),
                    detail: format!("{} is not a positive amount", inst.amount),
                });
            }
            if inst.requires_satisfaction && i != last {
                return Err(Exclusion::RuleViolation {
                    detail: "only the last instalment may depend on satisfaction".into(),
                });
            }
        }
        Ok(())
    }
}

/// A cadre releases one instalment. A satisfaction-gated instalment names the ratings it counts
/// (like a seal), so every device recomputes the same satisfaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentRelease {
    /// The schedule.
    pub schedule: Uuid,
    /// Index of the instalment released (0-based, in order).
    pub instalment: u32,
    /// Rating records counted for the satisfaction gate (empty when not gated).
    pub ratings: Vec<Uuid>,
    /// Note.
    pub note: String,
}

impl PaymentRelease {
    /// Checks the record on its own.
    pub fn check_shape(&self) -> Result<(), Exclusion> {
        text::check("note", &self.note, 0, text::MEDIUM)?;
        if has_duplicates(&self.ratings) {
            return Err(Exclusion::RuleViolation {
                detail: "a release names each rating once".into(),
            });
        }
        Ok(())
    }
}

use crate::fold::Ctx;
use crate::roll::Role;
use crate::state::{CycleState, ScheduleState, Verdict};
use std::collections::BTreeSet;

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
