//! The console's pages for participation beside the ballot: the paper-ballot desk (a stack of
//! sheets typed in with the keyboard only), the meeting desk (open the council's meeting, move
//! it through its agenda, type the hall's comments, hide a comment with a reason) and the hall
//! screen, a page for the projector that follows the meeting live over server-sent events.
//!
//! As everywhere in the console, the rules are the core's: who may enter a paper ballot, which
//! ballot of a member counts, who may hide a comment. These pages only parse what was typed.

use super::Console;
use super::pages::{Frame, Params, render};
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::response::sse::{Event, KeepAlive, Sse};
use linli_core::Lang;
use linli_core::fold::CycleState;
use linli_core::fold::state::Verdict;
use linli_core::record::Kind;
use linli_core::record::ballot::Ballot;
use linli_core::store::{CommentView, MeetingView};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How often the hall screen's stream looks for a change (a phone's comment reaches the screen
/// well within the 2 s the programme asks for).
const POLL: Duration = Duration::from_millis(250);

/// Most hall screens that may follow a meeting at once: a projector or two, and a few phones in
/// the hall. A LAN client opening hundreds of streams gets `503` instead of a poll each.
const MAX_HALL_STREAMS: usize = 16;

/// Most comments on proposals the meeting desk lists for moderation.
const MAX_RECENT: usize = 50;

/// Most members the paper desk suggests as the cadre types.
const MAX_SUGGESTIONS: usize = 2_000;

/// One proposal on the paper desk: its number on the sheet's list, id, title, live score.
pub(super) struct Choice {
    pub(super) n: usize,
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) votes: u64,
}

/// One paper ballot entered: sheet, member, what it says, whether it counts.
pub(super) struct PaperLine {
    pub(super) sheet: String,
    pub(super) member: String,
    pub(super) choices: String,
    pub(super) status: String,
}

#[derive(Template)]
#[template(path = "paper.html")]
pub(super) struct PaperPage {
    pub(super) zh: bool,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) writer: bool,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) csrf: String,
    pub(super) open: bool,
    pub(super) cumulative: bool,
    pub(super) choices: Vec<Choice>,
    /// Member code (last 8 hex digits of the id) and name, for the member field's suggestions.
    pub(super) members: Vec<(String, String)>,
    pub(super) next_sheet: String,
    pub(super) counted_paper: usize,
    pub(super) counted_phone: usize,
    /// Paper ballots entered that do not count, by reason.
    pub(super) not_counted: Vec<(String, usize)>,
    pub(super) recent: Vec<PaperLine>,
}

/// A comment line on the meeting desk and the hall screen.
pub(super) struct CommentLine {
    pub(super) id: Uuid,
    pub(super) author: String,
    pub(super) place: String,
    pub(super) hall: bool,
    pub(super) text: String,
    pub(super) hidden: Option<String>,
    pub(super) at: String,
    pub(super) about: String,
}

#[derive(Template)]
#[template(path = "meeting.html")]
pub(super) struct MeetingPage {
    pub(super) zh: bool,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) writer: bool,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) csrf: String,
    pub(super) cycle: Option<Uuid>,
    /// Proposals that may be on an agenda: id and title.
    pub(super) agenda_choices: Vec<(Uuid, String)>,
    /// Every proposal or project, for a comment entered from paper: id and title.
    pub(super) comment_subjects: Vec<(Uuid, String)>,
    pub(super) meeting: Option<MeetingView>,
    pub(super) meeting_comments: Vec<CommentLine>,
    /// The latest comments on proposals and projects, for moderation.
    pub(super) recent: Vec<CommentLine>,
}

#[derive(Template)]
#[template(path = "hall.html")]
pub(super) struct HallPage {
    pub(super) zh: bool,
    pub(super) title: String,
    pub(super) events: String,
    pub(super) live: String,
}

#[derive(Template)]
#[template(path = "hall_live.html")]
pub(super) struct HallLive {
    pub(super) zh: bool,
    pub(super) found: bool,
    pub(super) item: String,
    pub(super) tally: String,
    pub(super) agenda: Vec<(String, bool)>,
    pub(super) comments: Vec<CommentLine>,
}

fn comment_line(lang: Lang, c: &CommentView, about: String) -> CommentLine {
    CommentLine {
        id: c.id,
        author: c.author.clone(),
        place: c.source_label(lang).to_string(),
        hall: c.in_hall,
        text: c.text.clone(),
        hidden: c.hidden_reason.clone(),
        at: c.at.format("%H:%M UTC").to_string(),
        about,
    }
}

/// The code a cadre types for a member: the last 8 hex digits of the id (the random part of a
/// UUID v7, so members registered together still differ).
pub(super) fn member_code(id: &Uuid) -> String {
    let s = id.simple().to_string();
    s[s.len() - 8..].to_string()
}

/// The member a cadre typed: an id, a member code, or a name only one member has.
pub(super) fn find_member(st: &CycleState, lang: Lang, text: &str) -> Result<Uuid, String> {
    let text = text.trim();
    let code = text.split_whitespace().next().unwrap_or("");
    if let Ok(id) = Uuid::parse_str(code) {
        return Ok(id);
    }
    let hits: Vec<Uuid> = st
        .members
        .values()
        .filter(|m| member_code(&m.id) == code.to_ascii_lowercase() || m.display_name == text)
        .map(|m| m.id)
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(lang
            .pick(
                "名册上没有这个居民（请输入居民编码或姓名）",
                "no such member on the roll (type the member code or name)",
            )
            .to_string()),
        _ => Err(lang
            .pick(
                "多个居民同名，请输入居民编码",
                "several members have that name: type the member code",
            )
            .to_string()),
    }
}

/// The shortlisted proposals in the order the sheet lists them (by title, then id).
fn numbered(st: &CycleState) -> Vec<(Uuid, String, u64)> {
    let mut v: Vec<(Uuid, String, u64)> = st
        .proposals
        .values()
        .filter(|p| p.is_shortlisted())
        .map(|p| (p.id, p.content.title.clone(), p.votes))
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    v
}

/// The choices as typed on the desk: numbers from the sheet's list separated by spaces or
/// commas, best first for a ranked ballot; `N:POINTS` for a cumulative one.
pub(super) fn parse_choices(st: &CycleState, lang: Lang, text: &str) -> Result<Ballot, String> {
    let list = numbered(st);
    let bad = || {
        lang.pick(
            "选择应写成清单上的编号，如 1 4 7（积分选票：1:3 4:2）",
            "choices are the list's numbers, e.g. 1 4 7 (points: 1:3 4:2)",
        )
        .to_string()
    };
    let mut choices = Vec::new();
    let mut points = Vec::new();
    for token in text.split([' ', ',', '，', '、']).filter(|t| !t.is_empty()) {
        let (n, pts) = match token.split_once(':') {
            Some((n, p)) => (n, Some(p.parse::<u32>().map_err(|_| bad())?)),
            None => (token, None),
        };
        let n: usize = n.parse().map_err(|_| bad())?;
        let (id, _, _) = list.get(n.wrapping_sub(1)).ok_or_else(bad)?;
        choices.push(*id);
        if let Some(p) = pts {
            points.push(p);
        }
    }
    match (points.is_empty(), points.len() == choices.len()) {
        (true, _) => Ok(Ballot::approve(choices)),
        (false, true) => Ok(Ballot::points(choices.into_iter().zip(points).collect())),
        (false, false) => Err(bad()),
    }
}

pub(super) async fn paper(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    super::pages::working(&c, &peer, &headers, &p, paper_page)
}

pub(super) fn paper_page(
    c: &Console,
    p: &Params,
    error: Option<String>,
) -> Result<PaperPage, String> {
    let mut frame = Frame::new(c, p)?;
    if let Some(e) = error {
        frame.fail(e);
    }
    let lang = frame.lang;
    let mut page = PaperPage {
        zh: frame.zh,
        q: frame.q.clone(),
        amp_cycle: frame.amp_cycle.clone(),
        writer: true,
        flash: frame.flash.clone(),
        flash_class: frame.flash_class,
        csrf: c.csrf.clone(),
        open: false,
        cumulative: false,
        choices: Vec::new(),
        members: Vec::new(),
        next_sheet: p.sheet.clone().unwrap_or_default(),
        counted_paper: 0,
        counted_phone: 0,
        not_counted: Vec::new(),
        recent: Vec::new(),
    };
    let Some(cycle) = &frame.cycle else {
        return Ok(page);
    };
    page.open = cycle.phase == "voting" && !cycle.sealed;
    c.store
        .with_state(cycle.cycle, |st| {
            page.cumulative = st.genesis.as_ref().is_some_and(|g| {
                matches!(
                    g.voting.ballot,
                    linli_core::record::cycle::BallotKind::Cumulative { .. }
                )
            });
            let list = numbered(st);
            let number: BTreeMap<Uuid, usize> =
                list.iter().enumerate().map(|(i, x)| (x.0, i + 1)).collect();
            page.choices = list
                .into_iter()
                .enumerate()
                .map(|(i, (id, title, votes))| Choice {
                    n: i + 1,
                    id,
                    title,
                    votes,
                })
                .collect();
            // Suggestions for the members who vote on paper only (no phone) and have not voted
            // yet; anyone else is typed by code or name. A roll of 20,000 would make the page
            // megabytes.
            page.members = st
                .members
                .values()
                .filter(|m| m.keys.is_empty() && m.age_15_plus)
                .filter(|m| !st.current_ballots.contains_key(&m.id))
                .take(MAX_SUGGESTIONS)
                .map(|m| (member_code(&m.id), m.display_name.clone()))
                .collect();
            page.counted_paper = st.current_paper_ballots();
            page.counted_phone = st.current_ballots.len() - page.counted_paper;
            let mut reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
            for (id, k) in &st.kinds {
                if *k == Kind::PaperBallot {
                    if let Some(Verdict::Excluded { reason }) = st.verdicts.get(id) {
                        *reasons.entry(reason.code()).or_default() += 1;
                    }
                }
            }
            page.not_counted = reasons
                .into_iter()
                .map(|(code, n)| (linli_core::exclusion::label(code, lang).to_string(), n))
                .collect();
            // The latest paper ballots that count: one pass in id order over the ballots.
            let mut recent: Vec<(&Uuid, &linli_core::fold::state::BallotState)> = st
                .ballot_records
                .iter()
                .filter(|(id, b)| {
                    b.paper.is_some() && st.current_ballots.get(&b.member) == Some(*id)
                })
                .collect();
            recent.sort_by_key(|(id, b)| std::cmp::Reverse((b.cast_at, **id)));
            page.recent = recent
                .into_iter()
                .take(15)
                .map(|(_, b)| PaperLine {
                    sheet: b
                        .paper
                        .as_ref()
                        .map(|m| m.sheet.clone())
                        .unwrap_or_default(),
                    member: st
                        .members
                        .get(&b.member)
                        .map(|m| m.display_name.clone())
                        .unwrap_or_default(),
                    choices: b
                        .choices
                        .iter()
                        .map(|c| number.get(c).map(usize::to_string).unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(" "),
                    status: lang.pick("计入", "counted").to_string(),
                })
                .collect();
        })
        .map_err(|e| e.message(lang))?;
    Ok(page)
}

pub(super) async fn meeting(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    super::pages::working(&c, &peer, &headers, &p, meeting_page)
}

pub(super) fn meeting_page(
    c: &Console,
    p: &Params,
    error: Option<String>,
) -> Result<MeetingPage, String> {
    let mut frame = Frame::new(c, p)?;
    if let Some(e) = error {
        frame.fail(e);
    }
    let lang = frame.lang;
    let mut page = MeetingPage {
        zh: frame.zh,
        q: frame.q.clone(),
        amp_cycle: frame.amp_cycle.clone(),
        writer: true,
        flash: frame.flash.clone(),
        flash_class: frame.flash_class,
        csrf: c.csrf.clone(),
        cycle: frame.cycle.as_ref().map(|s| s.cycle),
        agenda_choices: Vec::new(),
        comment_subjects: Vec::new(),
        meeting: None,
        meeting_comments: Vec::new(),
        recent: Vec::new(),
    };
    let Some(cycle) = &frame.cycle else {
        return Ok(page);
    };
    let meetings = c.store.meetings(cycle.cycle).map_err(|e| e.message(lang))?;
    page.meeting = chosen(meetings, p.meeting);
    if let Some(m) = &page.meeting {
        page.meeting_comments = m
            .comments
            .iter()
            .map(|x| comment_line(lang, x, String::new()))
            .collect();
    }
    c.store
        .with_state(cycle.cycle, |st| {
            page.agenda_choices = st
                .proposals
                .values()
                .filter(|p| p.is_shortlisted() || st.is_funded(&p.id))
                .map(|p| (p.id, p.content.title.clone()))
                .collect();
            page.comment_subjects = st
                .proposals
                .values()
                .map(|p| (p.id, p.content.title.clone()))
                .collect();
        })
        .map_err(|e| e.message(lang))?;
    let titles: BTreeMap<Uuid, &String> = page
        .comment_subjects
        .iter()
        .map(|(id, t)| (*id, t))
        .collect();
    page.recent = c
        .store
        .latest_comments(cycle.cycle, MAX_RECENT)
        .map_err(|e| e.message(lang))?
        .iter()
        .map(|v| {
            let about = titles.get(&v.on).map(|t| t.to_string()).unwrap_or_default();
            comment_line(lang, v, about)
        })
        .collect();
    Ok(page)
}

/// The meeting asked for, or the latest.
fn chosen(meetings: Vec<MeetingView>, wanted: Option<Uuid>) -> Option<MeetingView> {
    match wanted {
        Some(id) => meetings.into_iter().find(|m| m.id == id),
        None => meetings.into_iter().next(),
    }
}

/// The hall screen: public (it shows what the meeting shows), for the projector.
pub(super) async fn hall(State(c): State<Arc<Console>>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let (title, live) = match hall_meeting(&c, &p) {
        Ok(m) => (
            m.as_ref().map(|m| m.title.clone()).unwrap_or_default(),
            hall_live(lang, m).unwrap_or_else(|e| e),
        ),
        Err(e) => (String::new(), e),
    };
    let mut events = String::from("/hall/events?");
    if let Some(cycle) = p.cycle {
        events.push_str(&format!("cycle={cycle}&"));
    }
    if let Some(m) = p.meeting {
        events.push_str(&format!("meeting={m}&"));
    }
    events.push_str(if lang == Lang::En {
        "lang=en"
    } else {
        "lang=zh"
    });
    render(HallPage {
        zh: lang == Lang::Zh,
        title,
        events,
        live,
    })
}

fn hall_meeting(c: &Console, p: &Params) -> Result<Option<MeetingView>, String> {
    let lang = p.lang();
    let cycles = c.store.cycles().map_err(|e| e.message(lang))?;
    let Some(cycle) = p.cycle.or_else(|| cycles.first().map(|s| s.cycle)) else {
        return Ok(None);
    };
    let meetings = c.store.meetings(cycle).map_err(|e| e.message(lang))?;
    Ok(chosen(meetings, p.meeting))
}

/// The hall screen's live part for the meeting the address names (or the latest): what the
/// stream sends, and what the benchmark times.
pub(super) fn hall_part(c: &Console, p: &Params) -> Result<String, String> {
    hall_meeting(c, p).and_then(|m| hall_live(p.lang(), m))
}

/// The live part of the hall screen, as HTML: what the stream sends when it changes.
fn hall_live(lang: Lang, m: Option<MeetingView>) -> Result<String, String> {
    let mut live = HallLive {
        zh: lang == Lang::Zh,
        found: m.is_some(),
        item: String::new(),
        tally: String::new(),
        agenda: Vec::new(),
        comments: Vec::new(),
    };
    if let Some(m) = m {
        live.agenda = m
            .agenda
            .iter()
            .map(|(id, title)| (title.clone(), m.current == Some(*id)))
            .collect();
        live.item = m
            .current
            .and_then(|cur| m.agenda.iter().find(|(id, _)| *id == cur))
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        live.tally = match m.current_tally {
            Some((score, selected)) => format!(
                "{} {score} · {}",
                lang.pick("封存计票", "sealed tally"),
                if selected {
                    lang.pick("按规则入选", "selected by the rule")
                } else {
                    lang.pick("未入选", "not selected")
                }
            ),
            None if m.current.is_some() => lang.pick("尚未封票", "not sealed yet").to_string(),
            None => String::new(),
        };
        // Newest first: the screen shows the latest comments at the top.
        live.comments = m
            .comments
            .iter()
            .rev()
            .map(|x| comment_line(lang, x, String::new()))
            .collect();
    }
    live.render().map_err(|e| e.to_string())
}

/// `GET /hall/events`: the hall screen's live part, sent again whenever it changes.
pub(super) async fn hall_events(
    State(c): State<Arc<Console>>,
    Query(p): Query<Params>,
) -> Response {
    use axum::response::IntoResponse;
    use std::sync::atomic::Ordering;
    /// One stream's place among the hall screens, given back when the stream ends.
    struct Follow {
        c: Arc<Console>,
        p: Arc<Params>,
        revision: Option<u64>,
        sent: String,
    }
    impl Drop for Follow {
        fn drop(&mut self) {
            self.c.hall_streams.fetch_sub(1, Ordering::SeqCst);
        }
    }
    if c.hall_streams.fetch_add(1, Ordering::SeqCst) >= MAX_HALL_STREAMS {
        c.hall_streams.fetch_sub(1, Ordering::SeqCst);
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            p.lang().pick(
                "会场大屏已满，请稍后再试",
                "too many hall screens; try again shortly",
            ),
        )
            .into_response();
    }
    let start = Follow {
        c,
        p: Arc::new(p),
        revision: None,
        sent: String::new(),
    };
    let stream = futures_util::stream::unfold(start, |mut f| async move {
        loop {
            if f.revision.is_some() {
                tokio::time::sleep(POLL).await;
            }
            let c = f.c.clone();
            let revision = tokio::task::spawn_blocking(move || c.store.revision())
                .await
                .ok()?;
            if f.revision == Some(revision) {
                continue;
            }
            f.revision = Some(revision);
            let (c, p) = (f.c.clone(), f.p.clone());
            let html = tokio::task::spawn_blocking(move || hall_part(&c, &p))
                .await
                .ok()?
                .unwrap_or_else(|e| e);
            if html != f.sent {
                f.sent = html.clone();
                return Some((
                    Ok::<_, std::convert::Infallible>(Event::default().event("live").data(html)),
                    f,
                ));
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}
