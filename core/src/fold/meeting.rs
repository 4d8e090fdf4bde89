//! The rules for meeting records: a cadre opens a meeting on proposals under decision and moves
//! it from item to item.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CycleState, MeetingState};
use crate::record::meeting::{Meeting, MeetingItem};
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// A cadre opens a meeting whose agenda names proposals (or the projects they became).
    pub(crate) fn apply_meeting(&mut self, ctx: &Ctx, b: &Meeting) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        for item in &b.agenda {
            self.proposal(item)?;
        }
        self.meetings.insert(
            ctx.id,
            MeetingState {
                id: ctx.id,
                title: b.title.clone(),
                agenda: b.agenda.clone(),
                starts: b.starts,
                ends: b.ends,
                current: None,
                comments: Vec::new(),
            },
        );
        self.dirty.cycle = true;
        Ok(())
    }

    /// The chair moves the meeting to one of its agenda items.
    pub(crate) fn apply_meeting_item(
        &mut self,
        ctx: &Ctx,
        b: &MeetingItem,
    ) -> Result<(), Exclusion> {
        self.require(ctx, Role::Cadre)?;
        self.draft_meeting_item(b.meeting, b.item)?;
        self.meetings.get_mut(&b.meeting).expect("checked").current = Some(b.item);
        self.dirty.cycle = true;
        Ok(())
    }

    /// The meeting with this id.
    pub(crate) fn meeting(&self, id: &Uuid) -> Result<&MeetingState, Exclusion> {
        self.meetings
            .get(id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "meeting".into(),
                id: *id,
            })
    }

    /// The meeting a resolution drafted now is passed at: the one that started last.
    pub fn council_meeting(&self) -> Option<Uuid> {
        self.meetings
            .values()
            .max_by_key(|m| (m.starts, m.id))
            .map(|m| m.id)
    }

    /// The drafting of the chair's move to an agenda item, checked against the meeting.
    pub fn draft_meeting_item(&self, meeting: Uuid, item: Uuid) -> Result<MeetingItem, Exclusion> {
        let m = self.meeting(&meeting)?;
        if !m.agenda.contains(&item) {
            return Err(Exclusion::RuleViolation {
                detail: format!("item {item} is not on the meeting's agenda"),
            });
        }
        Ok(MeetingItem { meeting, item })
    }
}
