//! Participation beside the ballot: paper ballots entered at the desk, comments and their
//! hiding, the council meeting the hall screen shows, and the engagement funnel.

use super::*;
use crate::fold::funnel::Funnel;
use crate::fold::state::CommentState;
use crate::record::Body;
use crate::record::ballot::{Ballot, PaperBallot};
use crate::record::comment::{Comment, CommentHiding};
use crate::record::meeting::Meeting;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

/// A comment as screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommentView {
    /// The comment record.
    pub id: Uuid,
    /// What it is about.
    pub on: Uuid,
    /// The comment it answers.
    pub reply_to: Option<Uuid>,
    /// Who wrote it: the member's display name, or the name on the paper.
    pub author: String,
    /// Entered by a cadre for someone (paper, or spoken in the hall).
    pub entered_by_cadre: bool,
    /// Typed at the desk in the hall (otherwise it came from home).
    pub in_hall: bool,
    /// The text; empty when hidden.
    pub text: String,
    /// Effective time.
    pub at: DateTime<Utc>,
    /// The cadre's reason, when hidden.
    pub hidden_reason: Option<String>,
}

/// A meeting as screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingView {
    /// The meeting record.
    pub id: Uuid,
    /// Title.
    pub title: String,
    /// The agenda: proposal ids and titles, in order.
    pub agenda: Vec<(Uuid, String)>,
    /// Start.
    pub starts: DateTime<Utc>,
    /// End.
    pub ends: DateTime<Utc>,
    /// The item under discussion.
    pub current: Option<Uuid>,
    /// The sealed score of the item under discussion and whether the tally selected it.
    pub current_tally: Option<(u64, bool)>,
    /// The comments on the meeting, oldest first.
    pub comments: Vec<CommentView>,
}

impl CommentView {
    /// Where the comment came from, as every screen labels it: typed at the hall's desk,
    /// entered by a cadre from paper, or posted from a resident's own device at home.
    pub fn source_label(&self, lang: crate::lang::Lang) -> &'static str {
        if self.in_hall {
            lang.pick("会场", "in the hall")
        } else if self.entered_by_cadre {
            lang.pick("纸质", "on paper")
        } else {
            lang.pick("线上", "from home")
        }
    }
}

fn comment_view(st: &crate::fold::CycleState, id: Uuid, c: &CommentState) -> CommentView {
    let author = match &c.on_behalf_of {
        Some(p) => p.name.clone(),
        None => st
            .members
            .get(&c.signer_member)
            .map(|m| m.display_name.clone())
            .unwrap_or_default(),
    };
    CommentView {
        id,
        on: c.on,
        reply_to: c.reply_to,
        author,
        entered_by_cadre: c.on_behalf_of.is_some(),
        in_hall: c.in_hall,
        text: if c.hidden.is_some() {
            String::new()
        } else {
            c.text.clone()
        },
        at: c.at,
        hidden_reason: c.hidden.as_ref().map(|(_, why)| why.clone()),
    }
}

impl Store {
    /// A cadre enters a paper ballot for `member` from sheet `sheet`. Refused (with the reason)
    /// when the member's phone ballot or another paper ballot of theirs already counts.
    pub fn enter_paper_ballot(
        &self,
        cycle: Uuid,
        member: Uuid,
        sheet: &str,
        ballot: Ballot,
    ) -> Result<Uuid> {
        self.submit(
            cycle,
            Body::PaperBallot(PaperBallot {
                member,
                sheet: sheet.to_string(),
                ballot,
            }),
        )
    }

    /// Posts a comment.
    pub fn comment(&self, cycle: Uuid, comment: Comment) -> Result<Uuid> {
        self.submit(cycle, Body::Comment(comment))
    }

    /// A cadre hides a comment with a reason (it stays listed as hidden).
    pub fn hide_comment(&self, cycle: Uuid, comment: Uuid, reason: &str) -> Result<Uuid> {
        self.submit(
            cycle,
            Body::CommentHiding(CommentHiding {
                comment,
                reason: reason.to_string(),
            }),
        )
    }

    /// A cadre opens a meeting.
    pub fn open_meeting(&self, cycle: Uuid, meeting: Meeting) -> Result<Uuid> {
        self.submit(cycle, Body::Meeting(meeting))
    }

    /// The chair moves a meeting to one of its agenda items.
    pub fn move_meeting(&self, cycle: Uuid, meeting: Uuid, item: Uuid) -> Result<Uuid> {
        self.submit_drafted(cycle, |st| {
            st.draft_meeting_item(meeting, item)
                .map(Body::MeetingItem)
                .map_err(StoreError::Rejected)
        })
    }

    /// The comments on a proposal, a project or a meeting, oldest first (hidden ones listed as
    /// hidden, with the reason).
    pub fn comments_on(&self, cycle: Uuid, on: Uuid) -> Result<Vec<CommentView>> {
        self.with_state(cycle, |st| {
            st.comments_on(&on)
                .into_iter()
                .map(|(id, c)| comment_view(st, id, c))
                .collect()
        })
    }

    /// The latest `limit` comments on proposals and projects (not meetings), newest first: what a
    /// cadre reads to moderate them.
    pub fn latest_comments(&self, cycle: Uuid, limit: usize) -> Result<Vec<CommentView>> {
        self.with_state(cycle, |st| {
            let mut all: Vec<(&Uuid, &CommentState)> = st
                .comments
                .iter()
                .filter(|(_, c)| st.proposals.contains_key(&c.on))
                .collect();
            all.sort_by_key(|(id, c)| std::cmp::Reverse((c.at, **id)));
            all.into_iter()
                .take(limit)
                .map(|(id, c)| comment_view(st, *id, c))
                .collect()
        })
    }

    /// The cycle's meetings, the latest start first.
    pub fn meetings(&self, cycle: Uuid) -> Result<Vec<MeetingView>> {
        self.with_state(cycle, |st| {
            let mut ids: Vec<&crate::fold::state::MeetingState> = st.meetings.values().collect();
            ids.sort_by_key(|m| std::cmp::Reverse((m.starts, m.id)));
            ids.into_iter()
                .map(|m| MeetingView {
                    id: m.id,
                    title: m.title.clone(),
                    agenda: m
                        .agenda
                        .iter()
                        .map(|p| {
                            (
                                *p,
                                st.proposals
                                    .get(p)
                                    .map(|p| p.content.title.clone())
                                    .unwrap_or_default(),
                            )
                        })
                        .collect(),
                    starts: m.starts,
                    ends: m.ends,
                    current: m.current,
                    current_tally: m.current.and_then(|item| {
                        let seal = st.seal.as_ref()?;
                        Some((
                            seal.counts.get(&item).copied().unwrap_or(0),
                            seal.selected.contains(&item),
                        ))
                    }),
                    comments: st
                        .comments_on(&m.id)
                        .into_iter()
                        .map(|(id, c)| comment_view(st, id, c))
                        .collect(),
                })
                .collect()
        })
    }

    /// The engagement funnel of the cycle.
    pub fn funnel(&self, cycle: Uuid) -> Result<Funnel> {
        self.with_state(cycle, |st| st.funnel())
    }

    /// A number that changes whenever the database does (the rows this store's connection has
    /// written since it was opened): what a screen that follows the cycle live, such as the hall
    /// screen, polls to know when to redraw.
    pub fn revision(&self) -> u64 {
        self.lock().conn.total_changes()
    }
}
