//! The rules for record lists: who may sign one, and how a closing record's inline ids and named
//! lists resolve to the records it counts.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, ListState};
use crate::record::list::{ListOf, RecordList};
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// A cadre (for a seal) or a council member (for a release) signs a list ahead of the closing
    /// record that names it. The ids are checked when that record is applied.
    pub(crate) fn apply_record_list(&mut self, ctx: &Ctx, b: &RecordList) -> Result<(), Exclusion> {
        b.check_shape()?;
        if !self.has_role(&ctx.member, Role::Council) {
            self.require(ctx, Role::Cadre)?;
        }
        self.lists.insert(
            ctx.id,
            ListState {
                of: b.of,
                by: ctx.member,
                ids: b.ids.clone(),
            },
        );
        Ok(())
    }

    /// The ids a closing record signed by `ctx` counts: its inline ids, then those of the lists it
    /// names, in order. Each list must be a valid list of `of` signed by the same member; an id
    /// named twice is refused. A list this device does not hold is lacking (see
    /// [`CycleState::lacking`]).
    pub(crate) fn resolve_listed(
        &mut self,
        ctx: &Ctx,
        of: ListOf,
        inline: &[Uuid],
        lists: &[Uuid],
    ) -> Result<Vec<Uuid>, Exclusion> {
        let mut ids = inline.to_vec();
        let mut lacking = Vec::new();
        for l in lists {
            match self.lists.get(l) {
                Some(list) if list.of == of && list.by == ctx.member => {
                    ids.extend_from_slice(&list.ids)
                }
                Some(_) => {
                    return Err(Exclusion::RuleViolation {
                        detail: format!("list {l} is not a list of this signer's {of:?}"),
                    });
                }
                None => lacking.push(*l),
            }
        }
        if !lacking.is_empty() {
            return Err(self.lacks(ctx, "record list", lacking));
        }
        if crate::record::shape::has_duplicates(&ids) {
            return Err(Exclusion::RuleViolation {
                detail: "a closing record names each record once".into(),
            });
        }
        Ok(ids)
    }

    /// Notes that the closing record `ctx` names records this device lacks, and refuses it until
    /// they arrive.
    pub(crate) fn lacks(&mut self, ctx: &Ctx, what: &str, missing: Vec<Uuid>) -> Exclusion {
        let first = missing[0];
        self.lacking.insert(ctx.id, missing);
        Exclusion::UnknownReference {
            what: what.into(),
            id: first,
        }
    }
}
