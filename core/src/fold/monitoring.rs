//! The rules for monitoring records: how the fold applies them to the cycle state.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, ReportState};
use crate::record::monitoring::*;
use crate::role::Role;

impl CycleState {
    /// The awarded contractor or a cadre reports progress on an awarded project.
    pub(crate) fn apply_progress(
        &mut self,
        ctx: &Ctx,
        b: &ProgressUpdate,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        if !self.has_role(&ctx.member, Role::Cadre) {
            self.require_contractor(ctx, &b.project)?;
        }
        if self.project(&b.project)?.award.is_none() {
            return Err(Exclusion::RuleViolation {
                detail: "the project has no awarded contract yet".into(),
            });
        }
        let p = self.projects.get_mut(&b.project).expect("checked");
        p.progress = b.percent;
        p.updates.push(ctx.id);
        self.dirty.projects.insert(b.project);
        Ok(())
    }

    /// A resident or supervisor reports on a funded project.
    pub(crate) fn apply_report(
        &mut self,
        ctx: &Ctx,
        b: &MonitoringReport,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        if !self.has_role(&ctx.member, Role::Supervisor) {
            self.require(ctx, Role::Resident)?;
        }
        self.project(&b.project)?;
        self.projects
            .get_mut(&b.project)
            .expect("checked")
            .reports
            .push(ctx.id);
        self.reports.insert(
            ctx.id,
            ReportState {
                project: b.project,
                reporter: ctx.member,
                kind: b.kind,
                text: b.text.clone(),
                photos: b.photos.len() as u32,
                at: ctx.time,
                responses: Vec::new(),
            },
        );
        self.dirty.reports.insert(ctx.id);
        self.dirty.projects.insert(b.project);
        Ok(())
    }

    /// A cadre, a supervisor or the project's contractor responds to a report.
    pub(crate) fn apply_response(
        &mut self,
        ctx: &Ctx,
        b: &ReportResponse,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        let project = self
            .reports
            .get(&b.report)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "monitoring report".into(),
                id: b.report,
            })?
            .project;
        let official =
            self.has_role(&ctx.member, Role::Cadre) || self.has_role(&ctx.member, Role::Supervisor);
        if !official {
            self.require_contractor(ctx, &project)?;
        }
        self.reports
            .get_mut(&b.report)
            .expect("checked")
            .responses
            .push(ctx.id);
        self.dirty.reports.insert(b.report);
        Ok(())
    }
}
