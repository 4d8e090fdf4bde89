//! Who may write: the session token, the form token, and the loopback, Host and Origin checks.

use super::Console;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie's name. Browsers keep cookies per host, not per port, so two consoles on
/// one machine (the cadre's and the council member's) each name theirs after their port.
fn cookie_name(headers: &HeaderMap) -> String {
    let port = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.rsplit_once(':'))
        .map(|(_, p)| p)
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or("80");
    format!("linli_console_{port}")
}

/// A fresh random session token (32 hex digits).
pub(super) fn new_token() -> Result<String, std::io::Error> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(b))
}

/// The form token of a session: forms carry it, so a page of another site cannot post one.
pub(super) fn csrf_of(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("linli-console-form:{token}"))[..16])
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The request's Host names this device's loopback (not a name a remote page could point at
/// this address: DNS rebinding).
fn host_is_loopback(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Whether this request comes from someone who may act with the device's key: from the
/// loopback, to a loopback Host, with the session token.
pub(super) fn is_writer(c: &Console, peer: &SocketAddr, headers: &HeaderMap) -> bool {
    peer.ip().is_loopback()
        && host_is_loopback(headers)
        && cookie(headers, &cookie_name(headers)).is_some_and(|t| t == c.token)
}

/// Why a write is refused before its form is read, if it is.
pub(super) fn refuse_write(
    c: &Console,
    peer: &SocketAddr,
    headers: &HeaderMap,
    form_token: Option<&str>,
) -> Option<&'static str> {
    if !peer.ip().is_loopback() {
        return Some("read_only");
    }
    if !is_writer(c, peer, headers) {
        return Some("no_session");
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if origin != format!("http://{host}") {
            return Some("cross_site");
        }
    }
    if form_token != Some(c.csrf.as_str()) {
        return Some("cross_site");
    }
    None
}

/// `GET /login?token=...`: the address the console prints. Sets the session cookie (only on
/// this device's loopback) and goes to the cadre desk.
pub(super) async fn login(
    State(c): State<Arc<Console>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ok = peer.ip().is_loopback()
        && host_is_loopback(&headers)
        && q.get("token").is_some_and(|t| *t == c.token);
    if !ok {
        return (StatusCode::FORBIDDEN, "forbidden").into_response();
    }
    let mut r = Redirect::to("/cadre").into_response();
    let name = cookie_name(&headers);
    if let Ok(v) = format!("{name}={}; HttpOnly; SameSite=Strict; Path=/", c.token).parse() {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
