//! The console's writes: one form per action, each checked by [`super::guard`] and carried out
//! by the core. A refusal re-renders the page with the core's reason beside the form, and
//! nothing changes.

use super::Console;
use super::guard::refuse_write;
use super::pages::{Params, cadre_page, council_page, render};
use super::participation::{find_member, meeting_page, paper_page, parse_choices};
use axum::Form;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use linli_core::record::Body;
use linli_core::record::comment::Comment;
use linli_core::record::cycle::{Genesis, SatisfactionRule, VotingRules};
use linli_core::record::evaluation::{Instalment, InstalmentSchedule};
use linli_core::record::meeting::Meeting;
use linli_core::record::proposal::{
    BudgetLine, Category, PaperSubmitter, Proposal, ProposalContent, Recategorisation,
    ReviewDecision,
};
use linli_core::record::resolution::{Funding, Omission};
use linli_core::record::roll::RollEntry;
use linli_core::record::roundtable::{Recommendation, Roundtable};
use linli_core::record::tender::{Award, Tender};
use linli_core::{DeviceKey, Fen, Lang, Role};
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .unwrap_or("")
}

/// A refusal before the core is asked (an id that is not one, an amount that is not one).
fn bad(lang: Lang, zh: &str, en: &str) -> String {
    lang.pick(zh, en).to_string()
}

/// An amount in yuan, exactly, as the command line reads it.
fn money(lang: Lang, text: &str) -> Result<Fen, String> {
    crate::commands::act::money(lang, text).map_err(|e| e.to_string())
}

fn device_key(lang: Lang, text: &str) -> Result<DeviceKey, String> {
    DeviceKey::from_hex(text).map_err(|_| {
        bad(
            lang,
            "设备密钥应为 64 位十六进制",
            "a device key is 64 hex digits",
        )
    })
}

fn uuid(lang: Lang, text: &str) -> Result<Uuid, String> {
    Uuid::parse_str(text).map_err(|_| bad(lang, "编号无效", "not a valid id"))
}

/// `POST /act/{action}`.
pub(super) async fn act(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(action): Path<String>,
    Query(p): Query<Params>,
    Form(f): Form<Fields>,
) -> Response {
    let lang = p.lang();
    if let Some(why) = refuse_write(&c, &peer, &headers, Some(field(&f, "csrf"))) {
        let text = match why {
            "read_only" => lang.pick("局域网上只能查看，不能操作", "the LAN may read, not write"),
            "no_session" => lang.pick(
                "请用启动时显示的地址登录",
                "log in from the address printed at start",
            ),
            _ => lang.pick("拒绝跨站提交", "cross-site request refused"),
        };
        return (StatusCode::FORBIDDEN, text.to_string()).into_response();
    }
    let cycle = p
        .cycle
        .or_else(|| c.store.cycles().ok()?.first().map(|s| s.cycle));
    let result = match (action.as_str(), cycle) {
        ("found", _) => found(&c, lang, &f).map(Some),
        (_, None) => Err(bad(lang, "还没有周期", "there is no cycle yet")),
        (a, Some(cycle)) => perform(&c, lang, cycle, a, &f).map(|_| None),
    };
    let page = page_of(&action);
    match result {
        Ok(new_cycle) => {
            let cycle = new_cycle
                .or(cycle)
                .map(|c| format!("&cycle={c}"))
                .unwrap_or_default();
            let lang = if lang == Lang::En { "en" } else { "zh" };
            let mut extra = String::new();
            if page == "paper" {
                extra = format!("&sheet={}", next_sheet(field(&f, "sheet")));
            }
            if let Some(m) = p.meeting {
                extra.push_str(&format!("&meeting={m}"));
            }
            Redirect::to(&format!("/{page}?lang={lang}{cycle}&done={action}{extra}"))
                .into_response()
        }
        Err(message) => {
            let page = match page {
                "council" => council_page(&c, &p, Some(message)).map(render),
                "paper" => {
                    // The refused sheet's number stays in the field: the cadre fixes the member
                    // or the choices, not the number.
                    let retry = Params {
                        sheet: Some(field(&f, "sheet").to_string()),
                        ..p.clone()
                    };
                    paper_page(&c, &retry, Some(message)).map(render)
                }
                "meeting" => meeting_page(&c, &p, Some(message)).map(render),
                _ => cadre_page(&c, &p, Some(message)).map(render),
            };
            match page {
                Ok(mut r) => {
                    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                    r
                }
                Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
            }
        }
    }
}

/// The page an action's form is on, which the browser returns to.
fn page_of(action: &str) -> &'static str {
    match action {
        "resolve" => "council",
        "paper_ballot" => "paper",
        "meeting" | "meeting_item" | "hall_comment" | "paper_comment" | "hide" => "meeting",
        _ => "cadre",
    }
}

/// The sheet after this one: its trailing number plus one, zeros kept (`A-0042` → `A-0043`).
fn next_sheet(sheet: &str) -> String {
    let digits = sheet.len() - sheet.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (head, tail) = sheet.split_at(sheet.len() - digits);
    match tail.parse::<u64>() {
        Ok(n) => format!("{head}{:0width$}", n + 1, width = digits),
        Err(_) => String::new(),
    }
}

fn found(c: &Console, lang: Lang, f: &Fields) -> Result<Uuid, String> {
    let number = |name: &str, default: u32| field(f, name).parse::<u32>().unwrap_or(default);
    let rule = field(f, "rule")
        .parse()
        .unwrap_or(linli_core::tally::Rule::Greedy);
    let genesis = Genesis {
        community: field(f, "community").to_string(),
        year: field(f, "year")
            .parse()
            .map_err(|_| bad(lang, "年度无效", "not a year"))?,
        title: field(f, "title").to_string(),
        budget_pool: money(lang, field(f, "pool"))?,
        calendar: Vec::new(),
        voting: VotingRules {
            rule,
            max_picks: number("max_picks", 3),
            ..VotingRules::approval(1, 3)
        },
        satisfaction: SatisfactionRule {
            min_ratings: number("min_ratings", 5),
            ..SatisfactionRule::default()
        },
        founder_member: Uuid::now_v7(),
        founder_name: field(f, "founder").to_string(),
        programme: crate::commands::act::programme(
            lang,
            &f.iter()
                .filter(|(k, _)| k == "category")
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>(),
            &field(f, "excluded")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect::<Vec<_>>(),
        )
        .map_err(|e| e.to_string())?,
    };
    c.store.create_cycle(genesis).map_err(|e| e.message(lang))
}

fn perform(c: &Console, lang: Lang, cycle: Uuid, action: &str, f: &Fields) -> Result<Uuid, String> {
    let store = &c.store;
    let core = |r: linli_core::store::Result<Uuid>| r.map_err(|e| e.message(lang));
    match action {
        "register" => {
            let key = match field(f, "key") {
                "" if field(f, "paper") == "on" => None,
                k => Some(device_key(lang, k)?),
            };
            let age_band = match field(f, "age_band") {
                "" => None,
                b => Some(
                    linli_core::record::roll::AgeBand::parse(b)
                        .ok_or_else(|| bad(lang, "年龄段无效", "not an age band"))?,
                ),
            };
            let roles: std::collections::BTreeSet<Role> = f
                .iter()
                .filter(|(k, _)| k == "role")
                .filter_map(|(_, v)| Role::ALL.into_iter().find(|r| r.as_str() == v.trim()))
                .collect();
            if roles.is_empty() {
                return Err(bad(lang, "请至少选择一个角色", "choose at least one role"));
            }
            core(store.submit(
                cycle,
                Body::RollEntry(RollEntry {
                    member: Uuid::now_v7(),
                    display_name: field(f, "name").to_string(),
                    device_key: key,
                    age_band,
                    roles,
                    age_15_plus: true,
                    attestation: field(f, "attestation").to_string(),
                }),
            ))
        }
        "paper" => {
            let amount = money(lang, field(f, "budget"))?;
            let content = ProposalContent {
                title: field(f, "title").to_string(),
                description: field(f, "description").to_string(),
                category: Category::parse(field(f, "category")).unwrap_or(Category::Other),
                location: field(f, "location").to_string(),
                target_group: lang.pick("全体居民", "every resident").to_string(),
                needs_assessment: lang.pick("纸质提案", "paper proposal").to_string(),
                goals: Vec::new(),
                steps: Vec::new(),
                risks: Vec::new(),
                budget_lines: vec![BudgetLine {
                    item: lang.pick("全部", "all").to_string(),
                    amount,
                }],
                estimated_budget: amount,
                attachments: Vec::new(),
            };
            core(store.submit(
                cycle,
                Body::Proposal(Box::new(Proposal {
                    content,
                    on_behalf_of: Some(PaperSubmitter {
                        name: field(f, "on_behalf_of").to_string(),
                        member: None,
                    }),
                })),
            ))
        }
        "review" => {
            let proposal = uuid(lang, field(f, "proposal"))?;
            let decision = match field(f, "decision") {
                "shortlist" => ReviewDecision::Shortlist,
                "reject" => ReviewDecision::Reject,
                "merge" => ReviewDecision::MergeInto {
                    target: uuid(lang, field(f, "merge_into"))?,
                },
                _ => return Err(bad(lang, "请选择审核决定", "choose a decision")),
            };
            core(store.review(cycle, proposal, decision, field(f, "reason")))
        }
        "phase" => {
            let next = store
                .next_phase(cycle)
                .map_err(|e| e.message(lang))?
                .map(|(n, _)| n)
                .ok_or_else(|| bad(lang, "周期已结束", "the cycle is closed"))?;
            core(store.advance_phase(cycle, next, ""))
        }
        "seal" => core(store.seal(cycle, "")),
        "tender" => {
            // The command line's syntax: an RFC 3339 time, or 30s, 10m, 2h, 7d from now.
            let deadline = crate::commands::act::deadline(lang, field(f, "deadline"))
                .map_err(|e| e.to_string())?;
            core(store.submit(
                cycle,
                Body::Tender(Tender {
                    project: uuid(lang, field(f, "project"))?,
                    budget: money(lang, field(f, "budget"))?,
                    deadline,
                    requirements: field(f, "requirements").to_string(),
                    sealed_bids: true,
                }),
            ))
        }
        "close" => core(store.close_bids(cycle, uuid(lang, field(f, "tender"))?)),
        "roundtable" => {
            let all = |name: &str| {
                f.iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| uuid(lang, v.trim()))
                    .collect::<Result<Vec<_>, String>>()
            };
            let recommendations = field(f, "recommendations")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|line| {
                    let (p, note) = line.split_once('=').ok_or_else(|| {
                        bad(
                            lang,
                            "每行写成 提案编号=建议",
                            "one PROPOSAL_ID=NOTE per line",
                        )
                    })?;
                    Ok(Recommendation {
                        proposal: uuid(lang, p.trim())?,
                        note: note.trim().to_string(),
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            core(store.submit(
                cycle,
                Body::Roundtable(Box::new(Roundtable {
                    topic: field(f, "topic").to_string(),
                    held_at: chrono::Utc::now(),
                    leader: uuid(lang, field(f, "leader"))?,
                    recorder: uuid(lang, field(f, "recorder"))?,
                    adviser: None,
                    participants: all("participant")?,
                    discussed: all("discussed")?,
                    notes: field(f, "notes").to_string(),
                    recommendations,
                })),
            ))
        }
        "award" => core(store.submit(
            cycle,
            Body::Award(Award {
                tender: uuid(lang, field(f, "tender"))?,
                bid: uuid(lang, field(f, "bid"))?,
                reason: field(f, "reason").to_string(),
            }),
        )),
        "schedule" => {
            let instalments = field(f, "instalments")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|line| {
                    let (label, rest) = line
                        .split_once('=')
                        .ok_or_else(|| bad(lang, "每行写成 名称=元", "one LABEL=YUAN per line"))?;
                    let (amount, gated) = match rest.trim().strip_suffix(":gated") {
                        Some(a) => (a, true),
                        None => (rest, false),
                    };
                    Ok(Instalment {
                        label: label.trim().to_string(),
                        amount: money(lang, amount.trim())?,
                        requires_satisfaction: gated,
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            core(store.submit(
                cycle,
                Body::InstalmentSchedule(InstalmentSchedule {
                    award: uuid(lang, field(f, "award"))?,
                    instalments,
                }),
            ))
        }
        "pay" => core(store.release_next_instalment(cycle, uuid(lang, field(f, "project"))?, "")),
        "paper_ballot" => {
            let (member, ballot) = store
                .with_state(cycle, |st| {
                    Ok::<_, String>((
                        find_member(st, lang, field(f, "member"))?,
                        parse_choices(st, lang, field(f, "choices"))?,
                    ))
                })
                .map_err(|e| e.message(lang))??;
            core(store.enter_paper_ballot(cycle, member, field(f, "sheet"), ballot))
        }
        "meeting" => {
            let agenda = f
                .iter()
                .filter(|(k, _)| k == "agenda")
                .map(|(_, v)| uuid(lang, v.trim()))
                .collect::<Result<Vec<_>, String>>()?;
            let minutes: i64 = field(f, "minutes").parse().unwrap_or(180);
            let starts = chrono::Utc::now();
            core(store.open_meeting(
                cycle,
                Meeting {
                    title: field(f, "title").to_string(),
                    agenda,
                    starts,
                    ends: starts + chrono::Duration::minutes(minutes.clamp(1, 24 * 60)),
                },
            ))
        }
        "meeting_item" => core(store.move_meeting(
            cycle,
            uuid(lang, field(f, "meeting"))?,
            uuid(lang, field(f, "item"))?,
        )),
        "hall_comment" => {
            let name = field(f, "name");
            core(store.comment(
                cycle,
                Comment {
                    on: uuid(lang, field(f, "meeting"))?,
                    reply_to: None,
                    text: field(f, "text").to_string(),
                    on_behalf_of: (!name.is_empty()).then(|| PaperSubmitter {
                        name: name.to_string(),
                        member: None,
                    }),
                    in_hall: true,
                },
            ))
        }
        "paper_comment" => core(store.comment(
            cycle,
            Comment {
                on: uuid(lang, field(f, "on"))?,
                reply_to: None,
                text: field(f, "text").to_string(),
                on_behalf_of: Some(PaperSubmitter {
                    name: field(f, "name").to_string(),
                    member: None,
                }),
                in_hall: false,
            },
        )),
        "hide" => {
            core(store.hide_comment(cycle, uuid(lang, field(f, "comment"))?, field(f, "reason")))
        }
        "recategorise" => {
            let category = Category::parse(field(f, "category"))
                .ok_or_else(|| bad(lang, "请选择类别", "choose a category"))?;
            core(store.submit(
                cycle,
                Body::Recategorisation(Recategorisation {
                    proposal: uuid(lang, field(f, "proposal"))?,
                    category,
                    reason: field(f, "reason").to_string(),
                }),
            ))
        }
        "revoke" => {
            let key = device_key(lang, field(f, "key"))?;
            core(store.revoke(cycle, key, field(f, "reason")))
        }
        "resolve" => {
            let report = store.sealed_result(cycle).map_err(|e| e.message(lang))?;
            let mut fund = Vec::new();
            let mut omit = Vec::new();
            for line in &report.result {
                let amount = field(f, &format!("amount:{}", line.proposal));
                let reason = field(f, &format!("reason:{}", line.proposal));
                let reason = (!reason.is_empty()).then(|| reason.to_string());
                match (amount.is_empty(), line.selected) {
                    (true, true) => omit.push(Omission {
                        proposal: line.proposal,
                        reason: reason.unwrap_or_default(),
                    }),
                    (true, false) => {}
                    (false, selected) => {
                        let amount = money(lang, amount)?;
                        if !selected || amount != line.cost {
                            fund.push(Funding {
                                proposal: line.proposal,
                                amount,
                                deviation_reason: reason,
                            });
                        }
                    }
                }
            }
            core(store.resolve(cycle, &fund, &omit, field(f, "note")))
        }
        _ => Err(bad(lang, "没有这项操作", "no such action")),
    }
}
