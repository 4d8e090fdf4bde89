//! Participation beside the ballot, for the apps: comments (post, list, and a cadre's hiding),
//! paper ballots entered at a cadre's desk, the council's meetings and the engagement funnel.

use crate::{Device, LinliError, id};
use linli_core::record::comment::Comment;
use linli_core::record::proposal::PaperSubmitter;

/// A comment as a screen shows it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct CommentItem {
    /// The comment's record id.
    pub id: String,
    /// What it is about: a proposal, a project or a meeting.
    pub on_id: String,
    /// The comment it answers.
    pub reply_to: Option<String>,
    /// Who wrote it.
    pub author: String,
    /// Entered by a cadre for someone (on paper, or spoken in the hall).
    pub entered_by_cadre: bool,
    /// Typed at the meeting hall's desk.
    pub in_hall: bool,
    /// The text (empty when hidden).
    pub text: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The cadre's reason, when hidden: the comment stays listed as hidden.
    pub hidden_reason: Option<String>,
    /// Where it came from, in the device's language ("在会场", "纸质", "线上").
    pub source: String,
}

impl CommentItem {
    fn of(c: linli_core::store::CommentView, lang: linli_core::Lang) -> Self {
        CommentItem {
            source: c.source_label(lang).to_string(),
            id: c.id.to_string(),
            on_id: c.on.to_string(),
            reply_to: c.reply_to.map(|r| r.to_string()),
            author: c.author,
            entered_by_cadre: c.entered_by_cadre,
            in_hall: c.in_hall,
            text: c.text,
            at: c.at.to_rfc3339(),
            hidden_reason: c.hidden_reason,
        }
    }
}

/// A meeting: its agenda, the item under discussion and the comments on it.
#[derive(Debug, Clone, uniffi::Record)]
pub struct MeetingItem {
    /// The meeting's record id (comment on it with this id).
    pub id: String,
    /// Title.
    pub title: String,
    /// Agenda: proposal ids, in order.
    pub agenda_ids: Vec<String>,
    /// Agenda: their titles.
    pub agenda_titles: Vec<String>,
    /// Start (RFC 3339, UTC).
    pub starts: String,
    /// End: comments are taken until then.
    pub ends: String,
    /// The proposal under discussion now.
    pub current_id: Option<String>,
    /// Its sealed score, once sealed.
    pub current_score: Option<u64>,
    /// The comments on the meeting, oldest first.
    pub comments: Vec<CommentItem>,
}

/// One step of the engagement funnel: people, and of them by phone and on paper.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FunnelStep {
    /// The step (`registered`, `proposed`, `commented`, `voted`, `monitored`, `rated`).
    pub step: String,
    /// Its name in the device's language.
    pub label: String,
    /// People who took it.
    pub total: u32,
    /// With their own phone at least once.
    pub phone: u32,
    /// Only on paper, entered by a cadre.
    pub paper: u32,
    /// Age bands (`15-29` … `75+`, then `unknown`).
    pub bands: Vec<String>,
    /// People per band, in the same order.
    pub band_counts: Vec<u32>,
}

/// The engagement funnel of a cycle: counts of people only, no personal data.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Funnel {
    /// The steps, in order.
    pub steps: Vec<FunnelStep>,
    /// Proposals made.
    pub proposals: u32,
    /// Of those, made on a phone.
    pub proposals_online: u32,
}

#[uniffi::export]
impl Device {
    /// Posts a comment on a proposal, a project or a meeting (`reply_to`: the comment it
    /// answers). Text of one paragraph, at most 500 characters.
    pub fn comment(
        &self,
        cycle_id: String,
        on_id: String,
        text: String,
        reply_to: Option<String>,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let body = Comment {
            on: id(&on_id, "subject")?,
            reply_to: reply_to.as_deref().map(|r| id(r, "comment")).transpose()?,
            text,
            on_behalf_of: None,
            in_hall: false,
        };
        Ok(self.acted(cycle, |s| s.comment(cycle, body))?.to_string())
    }

    /// A cadre enters a comment someone wrote on paper (`member_id` when they are on the roll).
    pub fn enter_paper_comment(
        &self,
        cycle_id: String,
        on_id: String,
        text: String,
        name: String,
        member_id: Option<String>,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let body = Comment {
            on: id(&on_id, "subject")?,
            reply_to: None,
            text,
            on_behalf_of: Some(PaperSubmitter {
                name,
                member: member_id.as_deref().map(|m| id(m, "member")).transpose()?,
            }),
            in_hall: false,
        };
        Ok(self.acted(cycle, |s| s.comment(cycle, body))?.to_string())
    }

    /// A cadre hides a comment with a reason everyone sees in its place.
    pub fn hide_comment(
        &self,
        cycle_id: String,
        comment_id: String,
        reason: String,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let comment = id(&comment_id, "comment")?;
        Ok(self
            .acted(cycle, |s| s.hide_comment(cycle, comment, &reason))?
            .to_string())
    }

    /// The comments on a proposal, a project or a meeting, oldest first; hidden ones are listed
    /// as hidden, with the reason.
    pub fn comments(
        &self,
        cycle_id: String,
        on_id: String,
    ) -> Result<Vec<CommentItem>, LinliError> {
        let list = self
            .store()?
            .comments_on(id(&cycle_id, "cycle")?, id(&on_id, "subject")?)
            .map_err(self.err())?;
        Ok(list
            .into_iter()
            .map(|c| CommentItem::of(c, self.lang()))
            .collect())
    }

    /// A cadre enters a paper ballot for a member on the roll, from the sheet numbered `sheet`.
    /// Refused with the reason when the member's phone ballot or another paper ballot of theirs
    /// already counts.
    pub fn enter_paper_ballot(
        &self,
        cycle_id: String,
        member_id: String,
        sheet: String,
        choices: Vec<String>,
        points: Vec<u32>,
    ) -> Result<String, LinliError> {
        let cycle = id(&cycle_id, "cycle")?;
        let member = id(&member_id, "member")?;
        let ballot = crate::ballot_of(&choices, points)?;
        Ok(self
            .acted(cycle, |s| {
                s.enter_paper_ballot(cycle, member, &sheet, ballot)
            })?
            .to_string())
    }

    /// The cycle's meetings, the latest first.
    pub fn meetings(&self, cycle_id: String) -> Result<Vec<MeetingItem>, LinliError> {
        let list = self
            .store()?
            .meetings(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(list
            .into_iter()
            .map(|m| MeetingItem {
                id: m.id.to_string(),
                title: m.title,
                agenda_ids: m.agenda.iter().map(|(i, _)| i.to_string()).collect(),
                agenda_titles: m.agenda.into_iter().map(|(_, t)| t).collect(),
                starts: m.starts.to_rfc3339(),
                ends: m.ends.to_rfc3339(),
                current_id: m.current.map(|c| c.to_string()),
                current_score: m.current_tally.map(|(score, _)| score),
                comments: m
                    .comments
                    .into_iter()
                    .map(|c| CommentItem::of(c, self.lang()))
                    .collect(),
            })
            .collect())
    }

    /// The engagement funnel, with the steps' names in the device's language.
    pub fn funnel(&self, cycle_id: String) -> Result<Funnel, LinliError> {
        let lang = self.lang();
        let f = self
            .store()?
            .funnel(id(&cycle_id, "cycle")?)
            .map_err(self.err())?;
        Ok(Funnel {
            steps: f
                .steps
                .into_iter()
                .map(|s| FunnelStep {
                    step: s.step.as_str().to_string(),
                    label: s.step.label(lang).to_string(),
                    total: s.total,
                    phone: s.phone,
                    paper: s.paper,
                    bands: s.by_band.iter().map(|(b, _)| b.clone()).collect(),
                    band_counts: s.by_band.iter().map(|(_, n)| *n).collect(),
                })
                .collect(),
            proposals: f.proposals,
            proposals_online: f.proposals_online,
        })
    }
}
