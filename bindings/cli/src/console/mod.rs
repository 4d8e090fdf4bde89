//! `linli console`: the web console of a cadre's tablet or the community-centre PC, served from
//! the same core and database as the command line, with LAN sync to phones in the same process.
//!
//! Pages are rendered on the server (askama templates compiled into the binary, escaped by
//! default, no script, no CDN), so they work on an old tablet's browser with no internet.
//!
//! Who may do what ([`guard`]): a browser on this device's own loopback address that presented
//! the session token printed at start acts with the device's key; every other client (the LAN)
//! gets the read-only public board. Every form carries a token derived from the session, and a
//! write whose `Origin` or `Host` is not this console's own is refused, so another site open in
//! the same browser cannot post to it.

mod act;
mod guard;
mod pages;
mod participation;

use crate::error::CliError;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use linli_core::store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every request handler shares.
pub(crate) struct Console {
    pub(crate) store: Arc<Store>,
    /// The session token: who shows it from this device's loopback may act.
    pub(crate) token: String,
    /// The form token every write carries (derived from the session token).
    pub(crate) csrf: String,
    /// Hall screens following the meeting now (each polls the store; see `participation`).
    pub(crate) hall_streams: std::sync::atomic::AtomicUsize,
}

impl Console {
    pub(crate) fn new(store: Arc<Store>, token: String) -> Console {
        Console {
            store,
            csrf: guard::csrf_of(&token),
            token,
            hall_streams: Default::default(),
        }
    }
}

/// Largest form accepted (a 100 KB text reaches the core, which says it is too long).
const MAX_FORM_BYTES: usize = 512 * 1024;

/// The console's routes over a shared state (tests call it without a socket).
pub(crate) fn router(console: Arc<Console>) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/login", get(guard::login))
        .route("/board", get(pages::board))
        .route("/cadre", get(pages::cadre))
        .route("/council", get(pages::council))
        .route("/paper", get(participation::paper))
        .route("/meeting", get(participation::meeting))
        .route("/hall", get(participation::hall))
        .route("/hall/events", get(participation::hall_events))
        .route("/act/{action}", post(act::act))
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .with_state(console)
}

/// Renders the console's pages without a socket, as this device's own browser gets them (what
/// the benchmark times; the server adds only HTTP). Keeps the console's caches between calls.
pub struct PageRenderer(Console);

impl PageRenderer {
    /// A renderer over a store.
    pub fn new(store: Arc<Store>) -> PageRenderer {
        PageRenderer(Console::new(store, String::new()))
    }

    /// One page, `board`, `cadre`, `council`, `paper` (the paper-ballot desk), `meeting` (the
    /// meeting desk) or `hall` (the hall screen's live part, for the latest meeting), of
    /// `cycle`, as HTML.
    pub fn render(&self, page: &str, cycle: uuid::Uuid) -> Result<String, String> {
        use askama::Template;
        let p = pages::Params {
            cycle: Some(cycle),
            ..Default::default()
        };
        let c = &self.0;
        let html = match page {
            "board" => pages::board_page(c, &p, false)?.render(),
            "cadre" => pages::cadre_page(c, &p, None)?.render(),
            "council" => pages::council_page(c, &p, None)?.render(),
            "paper" => participation::paper_page(c, &p, None)?.render(),
            "meeting" => participation::meeting_page(c, &p, None)?.render(),
            // The hall screen's live part: what its stream sends on every change.
            "hall" => return participation::hall_part(c, &p),
            other => return Err(format!("no page {other}")),
        };
        html.map_err(|e| e.to_string())
    }
}

/// Serves the console on `listen` and LAN sync on `sync_listen` until the process is stopped.
/// Prints the address to open on this device, with the session token.
pub(crate) fn run(
    store: Arc<Store>,
    listen: &str,
    sync_listen: Option<&str>,
) -> Result<(), CliError> {
    let token = guard::new_token()?;
    let console = Arc::new(Console::new(store.clone(), token));
    let sync = match sync_listen {
        Some(addr) => Some(linli_core::sync::net::Server::start(
            store,
            std::net::TcpListener::bind(addr)?,
            linli_core::sync::SessionOptions::default(),
        )?),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        println!(
            "console: http://127.0.0.1:{}/login?token={}",
            addr.port(),
            console.token
        );
        if let Some(s) = &sync {
            println!("sync: {}", s.local_addr());
        }
        use std::io::Write;
        std::io::stdout().flush()?;
        axum::serve(
            listener,
            router(console).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    })?;
    Ok(())
}

#[cfg(test)]
mod tests;
