//! The console's guard and forms, driven through the router with the peer address a real
//! connection would give: the LAN reads but never writes, a cross-site post is refused, and bad
//! form input gets the core's reason and changes nothing. (The whole flow in a real browser is
//! `tests/browser/console.mjs`.)

use super::{Console, router};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use linli_core::identity::MemoryKeyStore;
use linli_core::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

const LOOPBACK: &str = "127.0.0.1:50000";
const LAN: &str = "192.168.1.23:50000";

fn console() -> Arc<Console> {
    let store = Arc::new(Store::open_in_memory(&MemoryKeyStore([9; 32])).unwrap());
    Arc::new(Console::new(store, "t0ken".into()))
}

struct Reply {
    status: StatusCode,
    body: String,
}

fn send(
    c: &Arc<Console>,
    peer: &str,
    method: &str,
    uri: &str,
    cookie: bool,
    origin: Option<&str>,
    form: &str,
) -> Reply {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if cookie {
            req = req.header(header::COOKIE, "linli_console_8080=t0ken");
        }
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let mut req = req.body(Body::from(form.to_string())).unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        let res = router(c.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        Reply {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    })
}

fn found(c: &Arc<Console>) -> uuid::Uuid {
    let form = format!(
        "csrf={}&community=%E7%8E%89%E6%9E%97&year=2026&title=t&pool=300000&founder=%E6%9D%8E&max_picks=3&rule=greedy&min_ratings=1",
        c.csrf
    );
    let r = send(c, LOOPBACK, "POST", "/act/found", true, None, &form);
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    c.store.cycles().unwrap()[0].cycle
}

#[test]
fn the_lan_reads_the_board_and_never_writes_with_or_without_a_token() {
    let c = console();
    let cycle = found(&c);
    let before = c.store.summary(cycle).unwrap();
    assert_eq!(
        send(&c, LAN, "GET", "/board", false, None, "").status,
        StatusCode::OK
    );
    assert_eq!(
        send(&c, LAN, "GET", "/cadre", true, None, "").status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        send(&c, LAN, "GET", "/council", true, None, "").status,
        StatusCode::FORBIDDEN
    );
    for cookie in [false, true] {
        let form = format!("csrf={}", c.csrf);
        let r = send(
            &c,
            LAN,
            "POST",
            &format!("/act/phase?cycle={cycle}"),
            cookie,
            None,
            &form,
        );
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    // The token itself does not open the door from the LAN.
    assert_eq!(
        send(&c, LAN, "GET", "/login?token=t0ken", false, None, "").status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(c.store.summary(cycle).unwrap(), before);
}

#[test]
fn a_cross_site_post_is_refused() {
    let c = console();
    let cycle = found(&c);
    let before = c.store.summary(cycle).unwrap();
    let form = format!("csrf={}", c.csrf);
    let uri = format!("/act/phase?cycle={cycle}");
    // Another site's page in the same browser: the cookie goes along, the Origin gives it away.
    let r = send(
        &c,
        LOOPBACK,
        "POST",
        &uri,
        true,
        Some("http://evil.example"),
        &form,
    );
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // No form token, or a wrong one.
    for bad in ["", "csrf=00000000000000000000000000000000"] {
        assert_eq!(
            send(&c, LOOPBACK, "POST", &uri, true, None, bad).status,
            StatusCode::FORBIDDEN
        );
    }
    // No session cookie.
    assert_eq!(
        send(&c, LOOPBACK, "POST", &uri, false, None, &form).status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(c.store.summary(cycle).unwrap(), before);
    // The console's own page, with everything right: the cycle moves on.
    let r = send(
        &c,
        LOOPBACK,
        "POST",
        &uri,
        true,
        Some("http://127.0.0.1:8080"),
        &form,
    );
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(c.store.summary(cycle).unwrap().phase, "proposals");
}

#[test]
fn bad_form_input_gets_the_reason_in_place_and_changes_nothing() {
    let c = console();
    let cycle = found(&c);
    let form = format!("csrf={}", c.csrf);
    send(
        &c,
        LOOPBACK,
        "POST",
        &format!("/act/phase?cycle={cycle}"),
        true,
        None,
        &form,
    );
    let before = c.store.summary(cycle).unwrap();
    let paper = |title: &str, budget: &str| {
        format!(
            "csrf={}&on_behalf_of=%E6%9D%8E&title={title}&location=x&category=safety&budget={budget}&description=x",
            c.csrf
        )
    };
    let long = "a".repeat(100_000);
    let random = uuid::Uuid::now_v7();
    let check = |uri: &str, form: String, reason: &str| {
        let before = c.store.summary(cycle).unwrap();
        let r = send(
            &c,
            LOOPBACK,
            "POST",
            &format!("/act/{uri}?cycle={cycle}"),
            true,
            None,
            &form,
        );
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        let flash = r
            .body
            .split("id=\"flash\">")
            .nth(1)
            .unwrap_or("")
            .split("</div>")
            .next()
            .unwrap_or("");
        assert!(
            r.body.contains("flash err") && flash.contains(reason),
            "{uri} {reason}: {flash}"
        );
        assert_eq!(
            c.store.summary(cycle).unwrap(),
            before,
            "{uri} changed the store"
        );
    };
    check("paper", paper("", "100"), "标题不能为空");
    check("paper", paper(&long, "100"), "标题过长");
    check("paper", paper("t", "-5"), "金额无效");
    check("paper", paper("t", "1.234"), "金额应以元为单位");
    check(
        "register",
        format!("csrf={}&name=x&key=zz&role=resident&attestation=x", c.csrf),
        "设备密钥",
    );
    check("seal", form.clone(), "不允许此操作");
    assert_eq!(c.store.summary(cycle).unwrap(), before);
    send(
        &c,
        LOOPBACK,
        "POST",
        &format!("/act/phase?cycle={cycle}"),
        true,
        None,
        &form,
    );
    check(
        "review",
        format!(
            "csrf={}&proposal={random}&decision=shortlist&reason=x",
            c.csrf
        ),
        "不存在",
    );
    check(
        "review",
        format!("csrf={}&proposal=nope&decision=shortlist&reason=x", c.csrf),
        "编号无效",
    );
}

#[test]
fn the_lan_sees_the_hall_screen_but_not_the_desks_and_hall_streams_are_bounded() {
    let c = console();
    let cycle = found(&c);
    let before = c.store.summary(cycle).unwrap();
    assert_eq!(
        send(&c, LAN, "GET", "/hall", false, None, "").status,
        StatusCode::OK
    );
    for page in ["/paper", "/meeting"] {
        assert_eq!(
            send(&c, LAN, "GET", page, true, None, "").status,
            StatusCode::FORBIDDEN,
            "{page}"
        );
    }
    for action in [
        "paper_ballot",
        "meeting",
        "hall_comment",
        "hide",
        "recategorise",
    ] {
        let form = format!("csrf={}&member=x&sheet=1&choices=1&text=hi", c.csrf);
        let r = send(
            &c,
            LAN,
            "POST",
            &format!("/act/{action}?cycle={cycle}"),
            true,
            None,
            &form,
        );
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}");
    }
    assert_eq!(c.store.summary(cycle).unwrap(), before);
    // Hall streams: sixteen at once, the seventeenth told to come back; a closed one frees
    // its place.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let open = |c: &Arc<Console>| {
        let mut req = Request::builder()
            .uri("/hall/events")
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo(LAN.parse::<SocketAddr>().unwrap()));
        rt.block_on(router(c.clone()).oneshot(req)).unwrap()
    };
    let streams: Vec<_> = (0..16).map(|_| open(&c)).collect();
    for s in &streams {
        assert_eq!(s.status(), StatusCode::OK);
        assert_eq!(s.headers()[header::CONTENT_TYPE], "text/event-stream");
    }
    assert_eq!(open(&c).status(), StatusCode::SERVICE_UNAVAILABLE);
    drop(streams);
    assert_eq!(open(&c).status(), StatusCode::OK);
}

#[test]
fn a_paper_sheet_typed_at_the_desk_is_entered_or_refused_with_the_reason() {
    use super::participation::{member_code, parse_choices};
    let c = console();
    let cycle = found(&c);
    let st = c.store.state(cycle).unwrap();
    // Choices as typed: list numbers, with points for a cumulative ballot; anything else is a
    // clear refusal.
    assert!(
        parse_choices(&st, linli_core::Lang::Zh, "1").is_err(),
        "no proposal yet"
    );
    assert!(parse_choices(&st, linli_core::Lang::Zh, "x").is_err());
    let founder = *st.members.keys().next().unwrap();
    assert_eq!(member_code(&founder).len(), 8);
    // A sheet before the vote opens: the core's reason, nothing written.
    let form = format!(
        "csrf={}&member={}&sheet=A-1&choices=",
        c.csrf,
        member_code(&founder)
    );
    let before = c.store.summary(cycle).unwrap();
    let r = send(
        &c,
        LOOPBACK,
        "POST",
        &format!("/act/paper_ballot?cycle={cycle}"),
        true,
        None,
        &form,
    );
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("纸质选票录入"),
        "the desk again, with the reason"
    );
    assert_eq!(c.store.summary(cycle).unwrap(), before);
}
