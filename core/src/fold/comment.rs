//! The rules for comments and their hiding. Commentary is read by no other rule (see
//! [`Kind::is_commentary`](crate::record::Kind::is_commentary)), which is what lets the fold apply
//! a comment in place during the vote.

use crate::exclusion::Exclusion;
use crate::fold::ctx::Ctx;
use crate::fold::state::{CommentState, CycleState};
use crate::record::comment::{Comment, CommentHiding};
use crate::role::Role;
use uuid::Uuid;

impl CycleState {
    /// A member comments on a proposal, a project or a meeting; a cadre enters a comment for
    /// someone on paper or in the hall.
    pub(crate) fn apply_comment(&mut self, ctx: &Ctx, b: &Comment) -> Result<(), Exclusion> {
        let result = self.check_comment(ctx, b);
        if matches!(result, Err(Exclusion::UnknownReference { .. })) {
            // A later record (the proposal, the meeting) may make it count: the fold must not
            // apply main records in place past it (see `apply_new`).
            self.commentary_waiting = true;
        }
        result?;
        if let Some(p) = self.proposals.get_mut(&b.on) {
            p.comments.push(ctx.id);
            self.dirty.proposals.insert(b.on);
        } else if let Some(m) = self.meetings.get_mut(&b.on) {
            m.comments.push(ctx.id);
        }
        self.comments.insert(
            ctx.id,
            CommentState {
                on: b.on,
                reply_to: b.reply_to,
                signer_member: ctx.member,
                on_behalf_of: b.on_behalf_of.clone(),
                in_hall: b.in_hall,
                text: b.text.clone(),
                at: ctx.time,
                hidden: None,
            },
        );
        self.dirty.comments.insert(ctx.id);
        Ok(())
    }

    fn check_comment(&self, ctx: &Ctx, b: &Comment) -> Result<(), Exclusion> {
        b.check_shape()?;
        if b.on_behalf_of.is_some() || b.in_hall {
            self.require(ctx, Role::Cadre)?;
        }
        if let Some(m) = b.on_behalf_of.as_ref().and_then(|p| p.member) {
            self.require_member(&m)?;
        }
        if !self.proposals.contains_key(&b.on) {
            let meeting = self
                .meetings
                .get(&b.on)
                .ok_or_else(|| Exclusion::UnknownReference {
                    what: "proposal, project or meeting".into(),
                    id: b.on,
                })?;
            if ctx.time > meeting.ends {
                return Err(Exclusion::RuleViolation {
                    detail: format!("the meeting ended at {}", meeting.ends.to_rfc3339()),
                });
            }
        }
        if let Some(parent) = &b.reply_to {
            let about = self.comment(parent)?.on;
            if about != b.on {
                return Err(Exclusion::RuleViolation {
                    detail: "a reply is about the same subject as the comment it answers".into(),
                });
            }
        }
        Ok(())
    }

    /// A cadre hides a comment, with the reason shown in its place.
    pub(crate) fn apply_comment_hiding(
        &mut self,
        ctx: &Ctx,
        b: &CommentHiding,
    ) -> Result<(), Exclusion> {
        b.check_shape()?;
        self.require(ctx, Role::Cadre)?;
        let c = match self.comment(&b.comment) {
            Ok(c) => c,
            Err(e) => {
                self.commentary_waiting = true;
                return Err(e);
            }
        };
        if let Some((first, _)) = &c.hidden {
            return Err(Exclusion::Conflicting { with: *first });
        }
        let on = c.on;
        self.comments.get_mut(&b.comment).expect("checked").hidden =
            Some((ctx.id, b.reason.clone()));
        self.dirty.comments.insert(b.comment);
        if self.proposals.contains_key(&on) {
            self.dirty.proposals.insert(on);
        }
        Ok(())
    }

    /// The earliest time a new record with this body may claim so that the fold applies it after
    /// the record of its own kind that it names. A reply ranks with the comment it answers and
    /// the fold orders them by time, so a reply claimed in the same millisecond as its parent by
    /// a key that sorts first, or by a phone whose clock is behind the parent's, would be folded
    /// before the parent and excluded as naming an unknown comment. Every other reference names a
    /// kind of a lower rank, which the fold applies first whatever the times.
    pub fn earliest_claim(
        &self,
        body: &crate::record::Body,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        match body {
            crate::record::Body::Comment(Comment {
                reply_to: Some(parent),
                ..
            }) => self
                .comments
                .get(parent)
                .map(|c| c.at + chrono::Duration::milliseconds(1)),
            _ => None,
        }
    }

    /// The comment with this id.
    pub(crate) fn comment(&self, id: &Uuid) -> Result<&CommentState, Exclusion> {
        self.comments
            .get(id)
            .ok_or_else(|| Exclusion::UnknownReference {
                what: "comment".into(),
                id: *id,
            })
    }

    /// The comments on a subject (a proposal, a project or a meeting), in the fold's order.
    pub fn comments_on(&self, on: &Uuid) -> Vec<(Uuid, &CommentState)> {
        let ids: &[Uuid] = if let Some(p) = self.proposals.get(on) {
            &p.comments
        } else if let Some(m) = self.meetings.get(on) {
            &m.comments
        } else {
            &[]
        };
        ids.iter()
            .filter_map(|id| self.comments.get(id).map(|c| (*id, c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::fold::testkit::{Kit, Who};
    use crate::phase::Phase;
    use crate::record::Body;
    use crate::record::ballot::Ballot;
    use crate::record::comment::{Comment, CommentHiding};
    use crate::record::cycle::VotingRules;
    use crate::record::meeting::Meeting;
    use crate::record::proposal::PaperSubmitter;
    use chrono::{Duration, TimeZone, Utc};
    use uuid::Uuid;

    fn comment(on: Uuid, text: &str) -> Comment {
        Comment {
            on,
            reply_to: None,
            text: text.into(),
            on_behalf_of: None,
            in_hall: false,
        }
    }

    #[test]
    fn comments_count_with_their_proposal_and_hidden_ones_stay_listed() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000]);
        let c1 = kit.sign(Who::Resident(0), Body::Comment(comment(p[0], "好提案")));
        let mut reply = comment(p[0], "同意");
        reply.reply_to = Some(c1);
        let c2 = kit.sign(Who::Resident(1), Body::Comment(reply));
        let mut paper = comment(p[0], "纸条：希望加装扶手");
        paper.on_behalf_of = Some(PaperSubmitter {
            name: "王阿姨".into(),
            member: None,
        });
        let c3 = kit.sign(Who::Cadre, Body::Comment(paper));
        let hide = CommentHiding {
            comment: c2,
            reason: "含有个人电话".into(),
        };
        kit.sign(Who::Cadre, Body::CommentHiding(hide.clone()));
        let st = kit.state();
        assert_eq!(st.proposals[&p[0]].comments, vec![c1, c2, c3]);
        assert_eq!(
            st.comments[&c2].hidden.as_ref().map(|h| h.1.as_str()),
            Some("含有个人电话")
        );
        assert!(st.comments[&c1].hidden.is_none());
        // A second hiding of the same comment, a resident hiding one, a reply about another
        // subject, an unknown subject, an empty and an oversized text: each refused.
        let again = kit.sign(Who::Cadre, Body::CommentHiding(hide));
        assert_eq!(kit.code(again), "conflicting");
        let by_resident = kit.sign(
            Who::Resident(2),
            Body::CommentHiding(CommentHiding {
                comment: c1,
                reason: "不喜欢".into(),
            }),
        );
        assert_eq!(kit.code(by_resident), "missing_role");
        let mut elsewhere = comment(p[1], "回复");
        elsewhere.reply_to = Some(c1);
        let elsewhere = kit.sign(Who::Resident(2), Body::Comment(elsewhere));
        assert_eq!(kit.code(elsewhere), "rule_violation");
        let unknown = kit.sign(
            Who::Resident(2),
            Body::Comment(comment(Uuid::from_u128(9), "?")),
        );
        assert_eq!(kit.code(unknown), "unknown_reference");
        let empty = kit.sign(Who::Resident(2), Body::Comment(comment(p[0], "  ")));
        assert_eq!(kit.code(empty), "text_empty");
        let long = kit.sign(
            Who::Resident(2),
            Body::Comment(comment(p[0], &"长".repeat(501))),
        );
        assert_eq!(kit.code(long), "text_too_long");
        let mut hall = comment(p[0], "在会场说的");
        hall.in_hall = true;
        let hall = kit.sign(Who::Resident(2), Body::Comment(hall));
        assert_eq!(
            kit.code(hall),
            "missing_role",
            "only the desk types hall comments"
        );
    }

    #[test]
    fn a_meeting_takes_comments_until_it_ends_and_moves_through_its_agenda() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 3);
        let p = kit.open_vote(&[10_000, 20_000]);
        kit.sign(Who::Resident(0), Body::Ballot(Ballot::approve(vec![p[0]])));
        kit.sign(Who::Cadre, Body::Seal(kit.state().draft_seal("封存")));
        kit.advance(Phase::Resolution);
        let starts = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let meeting = kit.sign(
            Who::Cadre,
            Body::Meeting(Meeting {
                title: "议事会".into(),
                agenda: p.clone(),
                starts,
                ends: starts + Duration::days(1),
            }),
        );
        let item = kit.state().draft_meeting_item(meeting, p[1]).unwrap();
        kit.sign(Who::Cadre, Body::MeetingItem(item));
        let from_home = kit.sign(Who::Resident(1), Body::Comment(comment(meeting, "支持")));
        let st = kit.state();
        assert_eq!(st.meetings[&meeting].current, Some(p[1]));
        assert_eq!(st.meetings[&meeting].comments, vec![from_home]);
        assert!(
            kit.state()
                .draft_meeting_item(meeting, Uuid::from_u128(7))
                .is_err()
        );
        let resolution = kit.state().draft_resolution("决议").unwrap();
        assert_eq!(
            resolution.meeting,
            Some(meeting),
            "the resolution names the meeting"
        );
        kit.skip_to(starts + Duration::days(2));
        let late = kit.sign(Who::Resident(1), Body::Comment(comment(meeting, "晚了")));
        assert_eq!(kit.code(late), "rule_violation");
        let bad_agenda = kit.sign(
            Who::Cadre,
            Body::Meeting(Meeting {
                title: "空".into(),
                agenda: vec![Uuid::from_u128(8)],
                starts,
                ends: starts + Duration::days(1),
            }),
        );
        assert_eq!(kit.code(bad_agenda), "unknown_reference");
    }

    #[test]
    fn comments_during_the_vote_fold_in_place_and_equal_the_full_fold() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 6);
        let p = kit.open_vote(&[10_000, 20_000]);
        for i in 0..6 {
            kit.sign(Who::Resident(i), Body::Comment(comment(p[i % 2], "意见")));
            kit.sign(
                Who::Resident(i),
                Body::Ballot(Ballot::approve(vec![p[i % 2]])),
            );
        }
        let full = kit.state();
        let one_by_one = kit.state_applied_one_by_one();
        assert_eq!(full.canonical_bytes(), one_by_one.canonical_bytes());
        // A ballot signed after a comment is applied in place, not by a full fold.
        let mut kit2 = Kit::new(VotingRules::approval(1, 2), 2);
        let q = kit2.open_vote(&[10_000]);
        kit2.sign(Who::Resident(0), Body::Comment(comment(q[0], "意见")));
        let mut st = kit2.state();
        kit2.sign(Who::Resident(1), Body::Ballot(Ballot::approve(vec![q[0]])));
        let last = kit2.records.last().unwrap().decode().unwrap();
        assert_eq!(st.apply_new(&last), Some(Ok(())));
        assert_eq!(st.canonical_bytes(), kit2.state().canonical_bytes());
    }

    #[test]
    fn a_comment_that_arrives_before_its_proposal_counts_once_the_proposal_arrives() {
        let mut kit = Kit::new(VotingRules::approval(1, 2), 2);
        kit.advance(Phase::Proposals);
        let p = kit.propose(0, "加装电梯", 10_000);
        let c = kit.sign(Who::Resident(1), Body::Comment(comment(p, "支持")));
        // Delivered out of order: the comment first, then the proposal.
        let n = kit.records.len();
        kit.records.swap(n - 1, n - 2);
        let st = kit.state_applied_one_by_one();
        assert_eq!(st.canonical_bytes(), kit.state().canonical_bytes());
        assert_eq!(st.proposals[&p].comments, vec![c]);
    }
}
