//! The pages: the public board (read-only, for the LAN and the printed notice board), the
//! cadre's desk and the council's resolution page. Every page is built from the core's views
//! and reports; nothing here computes a rule.

use super::Console;
use super::guard::is_writer;
use askama::Template;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use linli_core::record::proposal::Category;
use linli_core::store::{CycleSummary, ProposalFilter, label};
use linli_core::{Fen, Lang, Role};
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

/// What a page's address may say.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct Params {
    pub(super) cycle: Option<Uuid>,
    pub(super) lang: Option<String>,
    pub(super) status: Option<String>,
    pub(super) category: Option<String>,
    pub(super) search: Option<String>,
    pub(super) done: Option<String>,
    /// The paper desk's next sheet number.
    pub(super) sheet: Option<String>,
    /// The meeting the meeting desk or the hall screen shows (default: the latest).
    pub(super) meeting: Option<Uuid>,
    /// A phone with no network (its device key): the cadre desk shows what it lacks as QR codes.
    pub(super) offline: Option<String>,
}

impl Params {
    pub(super) fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        }
    }
}

/// What every page shows: language, the cycle, whether the viewer may act, a message.
pub(super) struct Frame {
    pub(super) zh: bool,
    pub(super) lang: Lang,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) cycle: Option<CycleSummary>,
}

impl Frame {
    pub(super) fn new(c: &Console, p: &Params) -> Result<Frame, String> {
        let lang = p.lang();
        let cycles = c.store.cycles().map_err(|e| e.message(lang))?;
        let cycle = match p.cycle {
            Some(id) => cycles.into_iter().find(|s| s.cycle == id),
            None => cycles.into_iter().next(),
        };
        let lang_code = if lang == Lang::En { "en" } else { "zh" };
        let (q, amp_cycle) = match &cycle {
            Some(s) => (
                format!("?cycle={}&lang={lang_code}", s.cycle),
                format!("&cycle={}", s.cycle),
            ),
            None => (format!("?lang={lang_code}"), String::new()),
        };
        let flash = p
            .done
            .as_deref()
            .map(|d| done_message(lang, d))
            .unwrap_or_default();
        Ok(Frame {
            zh: lang == Lang::Zh,
            lang,
            q,
            amp_cycle,
            flash,
            flash_class: "ok",
            cycle,
        })
    }

    pub(super) fn fail(&mut self, message: String) {
        self.flash = message;
        self.flash_class = "err";
    }
}

fn done_message(lang: Lang, what: &str) -> String {
    let (zh, en) = match what {
        "found" => ("周期已发起", "the cycle is founded"),
        "register" => ("已登记", "registered"),
        "paper" => ("纸质提案已录入", "the paper proposal is entered"),
        "review" => ("审核已记录", "the review is recorded"),
        "phase" => ("已进入下一阶段", "the cycle moved on"),
        "seal" => ("已封票", "the vote is sealed"),
        "resolve" => ("决议已通过", "the resolution is passed"),
        "revoke" => ("密钥已吊销", "the key is revoked"),
        "tender" => ("已公开招标", "the tender is open"),
        "close" => ("已截标", "bidding is closed"),
        "award" => ("已定标", "the tender is awarded"),
        "schedule" => ("付款计划已确定", "the payments are fixed"),
        "pay" => ("已付款", "the instalment is released"),
        "roundtable" => ("圆桌议事已记录", "the roundtable is recorded"),
        "paper_ballot" => ("纸质选票已录入", "the paper ballot is entered"),
        "meeting" => ("会议已开始", "the meeting is open"),
        "meeting_item" => ("已转到下一议程", "the meeting moved on"),
        "comment" | "hall_comment" | "paper_comment" => ("评论已发布", "the comment is posted"),
        "hide" => ("评论已隐藏", "the comment is hidden"),
        "recategorise" => ("类别已更改", "the category is changed"),
        _ => ("已完成", "done"),
    };
    format!("✔ {}", lang.pick(zh, en))
}

/// One proposal line.
pub(super) struct ProposalView {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) category: String,
    pub(super) status: String,
    pub(super) reason: String,
    pub(super) estimate: String,
    pub(super) paper: Option<String>,
    /// Comments shown with it.
    pub(super) comments: u32,
    /// What roundtables recommended about it (the shortlisting queue shows it).
    pub(super) recommended: String,
}

/// One line of the sealed tally.
pub(super) struct TallyView {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) score: u64,
    pub(super) width: u64,
    pub(super) cost: String,
    pub(super) selected: bool,
    pub(super) amount: String,
}

pub(super) struct FundedView {
    pub(super) title: String,
    pub(super) amount: String,
    pub(super) reason: String,
}

pub(super) struct RoundtableView {
    pub(super) topic: String,
    pub(super) held: String,
    pub(super) notes: String,
    pub(super) recommendations: String,
}

pub(super) struct TenderView {
    pub(super) project: String,
    pub(super) budget: String,
    pub(super) deadline: String,
    pub(super) bids: String,
}

pub(super) struct ReportView {
    pub(super) project: String,
    pub(super) kind: String,
    pub(super) text: String,
    pub(super) responses: u32,
}

/// One funded project on the cadre's desk: its tender, bids, award, schedule and the next
/// payment with the gate's arithmetic.
pub(super) struct WorkView {
    pub(super) id: Uuid,
    pub(super) title: String,
    pub(super) funded: String,
    pub(super) funded_yuan: String,
    /// The tender, when one is open: id, deadline text, whether bidding may be closed now,
    /// whether it is closed.
    pub(super) tender: Option<(Uuid, String, bool, bool)>,
    /// Opened bids: id and amount.
    pub(super) bids: Vec<(Uuid, String)>,
    pub(super) award: Option<Uuid>,
    pub(super) scheduled: bool,
    /// The next instalment: label and amount.
    pub(super) next_payment: String,
    /// The gate's arithmetic for a satisfaction-gated instalment.
    pub(super) gate: String,
}

/// One step of the engagement funnel, with its bars' widths (percent of the roll).
pub(super) struct FunnelView {
    pub(super) step: &'static str,
    pub(super) label: &'static str,
    pub(super) total: u32,
    pub(super) phone: u32,
    pub(super) paper: u32,
    pub(super) phone_width: u32,
    pub(super) paper_width: u32,
    /// People per age band, when the roll records bands ("15-29: 3 · … · 75+: 2").
    pub(super) bands: String,
}

pub(super) struct ProjectView {
    pub(super) title: String,
    pub(super) contract: String,
    pub(super) progress: u8,
    pub(super) reports: u32,
    pub(super) good: u32,
    pub(super) ratings: u32,
    pub(super) payments: String,
}

#[derive(Template)]
#[template(path = "board.html")]
pub(super) struct BoardPage {
    pub(super) zh: bool,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) writer: bool,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) cycle: Option<CycleSummary>,
    pub(super) phase_label: String,
    pub(super) proposals: Vec<ProposalView>,
    pub(super) tally: Vec<TallyView>,
    pub(super) seal: String,
    pub(super) seal_qr: String,
    pub(super) sealed_ballots: usize,
    pub(super) sealed_paper: usize,
    pub(super) rule: String,
    pub(super) funnel: Vec<FunnelView>,
    pub(super) proposals_total: u32,
    pub(super) proposals_online: u32,
    pub(super) funded: Vec<FundedView>,
    pub(super) omitted: Vec<FundedView>,
    pub(super) total: String,
    /// The comments of the meeting the resolution was passed at: author, place, text or the
    /// reason it was hidden, whether hidden.
    pub(super) resolution_comments: Vec<(String, String, String, bool)>,
    pub(super) roundtables: Vec<RoundtableView>,
    pub(super) tenders: Vec<TenderView>,
    pub(super) reports: Vec<ReportView>,
    pub(super) projects: Vec<ProjectView>,
}

#[derive(Template)]
#[template(path = "cadre.html")]
pub(super) struct CadrePage {
    pub(super) zh: bool,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) writer: bool,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) cycle: Option<CycleSummary>,
    pub(super) csrf: String,
    pub(super) phase_label: String,
    pub(super) next_label: Option<String>,
    pub(super) blocker: String,
    pub(super) voting: bool,
    pub(super) invite: String,
    pub(super) invite_qr: String,
    /// The offline phone's key, as typed.
    pub(super) offline_key: String,
    /// What that phone lacks, one QR code (SVG) per chunk, in order.
    pub(super) offline_codes: Vec<String>,
    /// Why there are no codes (a bad key, too many records), for people.
    pub(super) offline_note: String,
    pub(super) roles: Vec<(&'static str, String)>,
    pub(super) categories: Vec<(&'static str, String)>,
    /// Every category Linli knows, for founding a cycle: code, label, offered by default.
    pub(super) all_categories: Vec<(&'static str, String, bool)>,
    pub(super) age_bands: Vec<&'static str>,
    pub(super) statuses: Vec<(&'static str, String)>,
    pub(super) status: String,
    pub(super) category: String,
    pub(super) search: String,
    pub(super) proposals: Vec<ProposalView>,
    pub(super) works: Vec<WorkView>,
    /// The roll, for the roundtable form: id and name.
    pub(super) members: Vec<(Uuid, String)>,
    pub(super) deliberation: bool,
}

#[derive(Template)]
#[template(path = "council.html")]
pub(super) struct CouncilPage {
    pub(super) zh: bool,
    pub(super) q: String,
    pub(super) amp_cycle: String,
    pub(super) writer: bool,
    pub(super) flash: String,
    pub(super) flash_class: &'static str,
    pub(super) csrf: String,
    pub(super) rows: Vec<TallyView>,
}

/// A QR code as inline SVG (no image files, no script).
pub(super) fn qr_svg(text: &str) -> String {
    linli_core::qr::svg(text, 160).unwrap_or_default()
}

fn proposal_views(
    c: &Console,
    frame: &Frame,
    filter: &ProposalFilter,
) -> Result<Vec<ProposalView>, String> {
    let lang = frame.lang;
    let Some(cycle) = &frame.cycle else {
        return Ok(Vec::new());
    };
    let rows = c
        .store
        .proposals(cycle.cycle, filter)
        .map_err(|e| e.message(lang))?;
    Ok(rows
        .into_iter()
        .map(|p| ProposalView {
            id: p.id,
            title: p.title,
            category: label(lang, &p.category),
            status: label(lang, &p.status),
            reason: p.review_reason.unwrap_or_default(),
            estimate: p.estimate.to_string(),
            paper: p.on_behalf_of,
            comments: p.comments,
            recommended: String::new(),
        })
        .collect())
}

pub(super) fn render(t: impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn failed(lang: Lang, message: String) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("{}: {message}", lang.pick("错误", "error")),
    )
        .into_response()
}

pub(super) async fn home(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if is_writer(&c, &peer, &headers) {
        Redirect::to("/cadre").into_response()
    } else {
        Redirect::to("/board").into_response()
    }
}

/// The public board, for anyone on the LAN and for print.
pub(super) async fn board(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    let writer = is_writer(&c, &peer, &headers);
    match board_page(&c, &p, writer) {
        Ok(page) => render(page),
        Err(e) => failed(p.lang(), e),
    }
}

pub(super) fn board_page(c: &Console, p: &Params, writer: bool) -> Result<BoardPage, String> {
    let frame = Frame::new(c, p)?;
    let lang = frame.lang;
    let proposals = proposal_views(c, &frame, &ProposalFilter::default())?;
    let mut page = BoardPage {
        zh: frame.zh,
        q: frame.q.clone(),
        amp_cycle: frame.amp_cycle.clone(),
        writer,
        flash: frame.flash.clone(),
        flash_class: frame.flash_class,
        cycle: frame.cycle.clone(),
        phase_label: String::new(),
        proposals,
        tally: Vec::new(),
        seal: String::new(),
        seal_qr: String::new(),
        sealed_ballots: 0,
        sealed_paper: 0,
        rule: String::new(),
        funnel: Vec::new(),
        proposals_total: 0,
        proposals_online: 0,
        funded: Vec::new(),
        omitted: Vec::new(),
        total: String::new(),
        resolution_comments: Vec::new(),
        roundtables: Vec::new(),
        tenders: Vec::new(),
        reports: Vec::new(),
        projects: Vec::new(),
    };
    let Some(cycle) = &frame.cycle else {
        return Ok(page);
    };
    page.phase_label = label(lang, &cycle.phase);
    let report = c
        .store
        .sealed_result(cycle.cycle)
        .map_err(|e| e.message(lang))?;
    let titles: std::collections::HashMap<Uuid, String> = page
        .proposals
        .iter()
        .map(|p| (p.id, p.title.clone()))
        .collect();
    if let Some(seal) = report.seal {
        page.seal = seal.to_string();
        page.seal_qr = qr_svg(&format!("linli-seal:{}:{seal}", cycle.cycle));
        page.sealed_ballots = report.sealed_ballots;
        page.sealed_paper = report.sealed_paper;
        page.rule = report.rule.clone();
        page.tally = tally_views(&report.result, &Default::default());
    }
    if let Some(r) = &report.resolution {
        let reason = |id: &Uuid| {
            r.deviations
                .iter()
                .find(|(d, _)| d == id)
                .map(|(_, why)| why.clone())
                .unwrap_or_default()
        };
        page.funded = r
            .funded
            .iter()
            .map(|(id, amount)| FundedView {
                title: titles.get(id).cloned().unwrap_or_else(|| id.to_string()),
                amount: amount.to_string(),
                reason: reason(id),
            })
            .collect();
        page.omitted = r
            .deviations
            .iter()
            .filter(|(id, _)| !r.funded.iter().any(|(f, _)| f == id))
            .map(|(id, why)| FundedView {
                title: titles.get(id).cloned().unwrap_or_else(|| id.to_string()),
                amount: String::new(),
                reason: why.clone(),
            })
            .collect();
        page.total = r.total.to_string();
        if let Some(m) = r.meeting {
            page.resolution_comments = c
                .store
                .comments_on(cycle.cycle, m)
                .map_err(|e| e.message(lang))?
                .into_iter()
                .map(|x| {
                    let place = x.source_label(lang);
                    match x.hidden_reason {
                        Some(why) => (x.author, place.to_string(), why, true),
                        None => (x.author, place.to_string(), x.text, false),
                    }
                })
                .collect();
        }
    }
    let title = |id: &Uuid| titles.get(id).cloned().unwrap_or_else(|| id.to_string());
    let (roundtables, tenders) = c
        .store
        .with_state(cycle.cycle, |st| {
            let roundtables: Vec<RoundtableView> = st
                .roundtables
                .values()
                .map(|r| RoundtableView {
                    topic: r.topic.clone(),
                    held: r.held_at.format("%Y-%m-%d").to_string(),
                    notes: r.notes.clone(),
                    recommendations: r
                        .recommendations
                        .iter()
                        .map(|x| {
                            format!("{}{}{}", title(&x.proposal), lang.pick("：", ": "), x.note)
                        })
                        .collect::<Vec<_>>()
                        .join(lang.pick("；", "; ")),
                })
                .collect();
            let tenders: Vec<TenderView> = st
                .tenders
                .values()
                .map(|t| TenderView {
                    project: title(&t.project),
                    budget: t.budget.to_string(),
                    deadline: t.deadline.format("%Y-%m-%d %H:%M UTC").to_string(),
                    bids: t
                        .bids
                        .iter()
                        .filter_map(|b| st.bids.get(b))
                        .map(|bid| bid.amount.to_string())
                        .collect::<Vec<_>>()
                        .join("，"),
                })
                .collect();
            (roundtables, tenders)
        })
        .map_err(|e| e.message(lang))?;
    page.roundtables = roundtables;
    page.tenders = tenders;
    let funnel = c.store.funnel(cycle.cycle).map_err(|e| e.message(lang))?;
    let roll = funnel.steps.first().map(|s| s.total).unwrap_or(0).max(1);
    page.funnel = funnel
        .steps
        .iter()
        .map(|s| FunnelView {
            step: s.step.as_str(),
            label: s.step.label(lang),
            total: s.total,
            phone: s.phone,
            paper: s.paper,
            phone_width: s.phone * 100 / roll,
            paper_width: s.paper * 100 / roll,
            bands: if s.by_band.iter().any(|(b, n)| b != "unknown" && *n > 0) {
                s.by_band
                    .iter()
                    .map(|(b, n)| {
                        let b = if b == "unknown" {
                            lang.pick("未记录", "not recorded")
                        } else {
                            b
                        };
                        format!("{b}: {n}")
                    })
                    .collect::<Vec<_>>()
                    .join(" · ")
            } else {
                String::new()
            },
        })
        .collect();
    page.proposals_total = funnel.proposals;
    page.proposals_online = funnel.proposals_online;
    page.reports = c
        .store
        .reports(cycle.cycle, None)
        .map_err(|e| e.message(lang))?
        .into_iter()
        .map(|r| ReportView {
            project: title(&r.project),
            kind: label(lang, &r.kind),
            text: r.text,
            responses: r.responses,
        })
        .collect();
    page.projects = c
        .store
        .projects(cycle.cycle)
        .map_err(|e| e.message(lang))?
        .into_iter()
        .map(|p| ProjectView {
            title: p.title,
            contract: p
                .contract
                .map(|f| f.to_string())
                .unwrap_or_else(|| "—".into()),
            progress: p.progress,
            reports: p.reports,
            good: p.good_ratings,
            ratings: p.ratings,
            payments: p
                .payments
                .iter()
                .map(|x| {
                    format!(
                        "{} {} {}",
                        if x.released_by.is_some() {
                            "✔"
                        } else {
                            "○"
                        },
                        x.label,
                        x.amount
                    )
                })
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    Ok(page)
}

fn tally_views(
    result: &[linli_core::fold::verify::SealedLine],
    amounts: &std::collections::HashMap<Uuid, Fen>,
) -> Vec<TallyView> {
    let max = result.iter().map(|l| l.score).max().unwrap_or(0).max(1);
    result
        .iter()
        .map(|l| TallyView {
            id: l.proposal,
            title: l.title.clone(),
            score: l.score,
            width: l.score * 100 / max,
            cost: l.cost.to_string(),
            selected: l.selected,
            amount: amounts
                .get(&l.proposal)
                .map(|a| yuan(*a))
                .unwrap_or_else(|| {
                    if l.selected {
                        yuan(l.cost)
                    } else {
                        String::new()
                    }
                }),
        })
        .collect()
}

/// An amount as people type it back into a form: yuan, with fen only when there are some.
fn yuan(f: Fen) -> String {
    let v = f.get();
    if v % 100 == 0 {
        (v / 100).to_string()
    } else {
        format!("{}.{:02}", v / 100, (v % 100).abs())
    }
}

fn read_only(lang: Lang) -> Response {
    (
        StatusCode::FORBIDDEN,
        Html(format!(
            "<!DOCTYPE html><meta charset=utf-8><p>{}</p><p><a href=\"/board\">{}</a></p>",
            lang.pick(
                "这台设备的操作页面只在本机上、用启动时显示的地址打开。",
                "This device's working pages open only on the device itself, from the address it printed at start."
            ),
            lang.pick("查看公示栏", "See the public board")
        )),
    )
        .into_response()
}

/// A working page: only for the device's own browser with the session; the LAN is sent to the
/// board.
pub(super) fn working<T: Template>(
    c: &Console,
    peer: &SocketAddr,
    headers: &HeaderMap,
    p: &Params,
    build: impl FnOnce(&Console, &Params, Option<String>) -> Result<T, String>,
) -> Response {
    if !is_writer(c, peer, headers) {
        return read_only(p.lang());
    }
    match build(c, p, None) {
        Ok(page) => render(page),
        Err(e) => failed(p.lang(), e),
    }
}

/// The cadre's desk.
pub(super) async fn cadre(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    working(&c, &peer, &headers, &p, cadre_page)
}

pub(super) fn cadre_page(
    c: &Console,
    p: &Params,
    error: Option<String>,
) -> Result<CadrePage, String> {
    let mut frame = Frame::new(c, p)?;
    if let Some(e) = error {
        frame.fail(e);
    }
    let lang = frame.lang;
    let filter = ProposalFilter {
        status: p.status.clone().filter(|s| !s.is_empty()),
        category: p.category.clone().filter(|s| !s.is_empty()),
        search: p.search.clone().filter(|s| !s.is_empty()),
    };
    let proposals = proposal_views(c, &frame, &filter)?;
    let mut page = CadrePage {
        zh: frame.zh,
        q: frame.q.clone(),
        amp_cycle: frame.amp_cycle.clone(),
        writer: true,
        flash: frame.flash.clone(),
        flash_class: frame.flash_class,
        cycle: frame.cycle.clone(),
        csrf: c.csrf.clone(),
        phase_label: String::new(),
        next_label: None,
        blocker: String::new(),
        voting: false,
        invite: String::new(),
        invite_qr: String::new(),
        offline_key: String::new(),
        offline_codes: Vec::new(),
        offline_note: String::new(),
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), r.label(lang).to_string()))
            .collect(),
        categories: Vec::new(),
        all_categories: Category::ALL
            .iter()
            .map(|k| {
                (
                    k.as_str(),
                    k.label(lang).to_string(),
                    Category::DEFAULT.contains(k),
                )
            })
            .collect(),
        age_bands: linli_core::record::roll::AgeBand::ALL
            .iter()
            .map(|b| b.as_str())
            .collect(),
        statuses: ["submitted", "shortlisted", "merged", "rejected", "funded"]
            .into_iter()
            .map(|s| (s, label(lang, s)))
            .collect(),
        status: p.status.clone().unwrap_or_default(),
        category: p.category.clone().unwrap_or_default(),
        search: p.search.clone().unwrap_or_default(),
        proposals,
        works: Vec::new(),
        members: Vec::new(),
        deliberation: false,
    };
    let Some(cycle) = &frame.cycle else {
        return Ok(page);
    };
    page.phase_label = label(lang, &cycle.phase);
    page.voting = cycle.phase == "voting" && !cycle.sealed;
    // The programme's categories, and what the roundtables recommended beside each proposal.
    let (categories, recommended) = c
        .store
        .with_state(cycle.cycle, |st| {
            let offered: Vec<(&'static str, String)> = st
                .genesis
                .as_ref()
                .map(|g| g.programme.offered().to_vec())
                .unwrap_or_default()
                .into_iter()
                .map(|k| (k.as_str(), k.label(lang).to_string()))
                .collect();
            let recommended: std::collections::HashMap<Uuid, String> = page
                .proposals
                .iter()
                .map(|p| {
                    let recs = st.recommendations_for(&p.id);
                    let text = recs
                        .iter()
                        .map(|(topic, note)| match lang {
                            Lang::Zh => format!("圆桌「{topic}」推荐：{note}"),
                            Lang::En => format!("recommended by roundtable “{topic}”: {note}"),
                        })
                        .collect::<Vec<_>>()
                        .join("；");
                    (p.id, text)
                })
                .collect();
            (offered, recommended)
        })
        .map_err(|e| e.message(lang))?;
    page.categories = categories;
    for p in &mut page.proposals {
        p.recommended = recommended.get(&p.id).cloned().unwrap_or_default();
    }
    if let Some((next, blocker)) = c
        .store
        .next_phase(cycle.cycle)
        .map_err(|e| e.message(lang))?
    {
        page.next_label = Some(next.label(lang).to_string());
        page.blocker = blocker.map(|b| b.message(lang)).unwrap_or_default();
    }
    page.works = work_views(c, lang, cycle.cycle)?;
    page.deliberation = cycle.phase == "deliberation";
    if page.deliberation {
        page.members = c
            .store
            .members(cycle.cycle)
            .map_err(|e| e.message(lang))?
            .into_iter()
            .map(|m| (m.id, m.display_name))
            .collect();
    }
    if let Ok(genesis) = c.store.genesis_id(cycle.cycle) {
        page.invite = linli_core::invite::Invite {
            cycle: cycle.cycle,
            genesis,
            cadre: c.store.device_key(),
        }
        .encode();
        page.invite_qr = qr_svg(&page.invite);
    }
    if let Some(key) = p
        .offline
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        page.offline_key = key.to_string();
        match offline_codes(c, cycle.cycle, key, lang) {
            Ok(codes) => page.offline_codes = codes,
            Err(note) => page.offline_note = note,
        }
    }
    Ok(page)
}

/// What a phone with no network lacks (everything since its last sync with this device, or
/// everything), as the QR codes it scans one after the other: base45 chunks of at most 400
/// bytes, each a version-15 code. Refused when the key is not a key, or when the records are
/// too many for QR codes (then the phone syncs at the centre or takes a file).
fn offline_codes(c: &Console, cycle: Uuid, key: &str, lang: Lang) -> Result<Vec<String>, String> {
    let key = linli_core::DeviceKey::from_hex(key).map_err(|_| {
        lang.pick(
            "这不是设备密钥：请输入手机显示的 64 位密钥",
            "not a device key: type the 64 characters the phone shows",
        )
        .to_string()
    })?;
    let records = c
        .store
        .export_for_peer(cycle, &key)
        .map_err(|e| e.message(lang))?;
    let bundle = linli_core::bundle::encode(cycle, &records);
    let chunks = linli_core::chunks::split_for_qr(&bundle).map_err(|_| {
        lang.pick(
            "记录太多，二维码装不下：请让这部手机在社区中心同步，或用文件传送",
            "too many records for QR codes: sync this phone at the community centre, or send a file",
        )
        .to_string()
    })?;
    Ok(chunks
        .iter()
        .map(|chunk| {
            linli_core::qr::svg(&linli_core::chunks::to_text(chunk), 320).unwrap_or_default()
        })
        .collect())
}

fn work_views(c: &Console, lang: Lang, cycle: Uuid) -> Result<Vec<WorkView>, String> {
    let rows = c.store.projects(cycle).map_err(|e| e.message(lang))?;
    let now = chrono::Utc::now();
    c.store
        .with_state(cycle, |st| {
            let rule = st
                .genesis
                .as_ref()
                .map(|g| g.satisfaction.clone())
                .unwrap_or_default();
            rows.iter()
                .map(|row| {
                    let project = st.projects.get(&row.id);
                    let tender = st
                        .tenders
                        .iter()
                        .filter(|(_, t)| t.project == row.id)
                        .max_by_key(|(_, t)| t.deadline);
                    let next = row.payments.iter().find(|x| x.released_by.is_none());
                    let sat = st.satisfaction(&row.id);
                    let gate = match next {
                        Some(n) if n.gated => {
                            let pct = (u64::from(sat.good) * 100)
                                .checked_div(u64::from(sat.total))
                                .unwrap_or(0);
                            // The cycle's own gate, in the core's words ("above" or "at
                            // least", its threshold), and the fewest ratings it asks.
                            let fewest = match lang {
                                Lang::Zh => format!("至少 {} 条评价", rule.min_ratings),
                                Lang::En => format!("at least {} ratings", rule.min_ratings),
                            };
                            format!(
                                "{} {}/{} = {pct}%{}{}{}{}{} {}",
                                lang.pick("满意", "satisfied"),
                                sat.good,
                                sat.total,
                                lang.pick("（", " ("),
                                rule.gate_label(lang),
                                lang.pick("；", "; "),
                                fewest,
                                lang.pick("）", ")"),
                                if sat.met { "✔" } else { "✘" }
                            )
                        }
                        _ => String::new(),
                    };
                    WorkView {
                        id: row.id,
                        title: row.title.clone(),
                        funded: row.funded.to_string(),
                        funded_yuan: yuan(row.funded),
                        tender: tender.map(|(id, t)| {
                            (
                                *id,
                                t.deadline.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                                t.sealed && t.closing.is_none() && now > t.deadline,
                                t.closing.is_some() || !t.sealed && now > t.deadline,
                            )
                        }),
                        bids: tender
                            .map(|(_, t)| {
                                t.bids
                                    .iter()
                                    .filter_map(|b| {
                                        st.bids.get(b).map(|x| (*b, x.amount.to_string()))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                        award: project.and_then(|p| p.award),
                        scheduled: project.is_some_and(|p| p.schedule.is_some()),
                        next_payment: next
                            .map(|n| format!("{} {}", n.label, n.amount))
                            .unwrap_or_default(),
                        gate,
                    }
                })
                .collect()
        })
        .map_err(|e| e.message(lang))
}

/// The council's page: the sealed result beside the resolution being drafted.
pub(super) async fn council(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(p): Query<Params>,
) -> Response {
    working(&c, &peer, &headers, &p, council_page)
}

pub(super) fn council_page(
    c: &Console,
    p: &Params,
    error: Option<String>,
) -> Result<CouncilPage, String> {
    let mut frame = Frame::new(c, p)?;
    if let Some(e) = error {
        frame.fail(e);
    }
    let lang = frame.lang;
    let mut rows = Vec::new();
    if let Some(cycle) = &frame.cycle {
        let report = c
            .store
            .sealed_result(cycle.cycle)
            .map_err(|e| e.message(lang))?;
        if report.seal.is_some() {
            let amounts = report
                .resolution
                .as_ref()
                .map(|r| r.funded.iter().copied().collect())
                .unwrap_or_default();
            rows = tally_views(&report.result, &amounts);
        }
    }
    Ok(CouncilPage {
        zh: frame.zh,
        q: frame.q,
        amp_cycle: frame.amp_cycle,
        writer: true,
        flash: frame.flash,
        flash_class: frame.flash_class,
        csrf: c.csrf.clone(),
        rows,
    })
}
