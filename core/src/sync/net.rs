//! Sync over TCP on the community-centre LAN: a server (a cadre tablet or a PC) that serves many
//! phones at once, one thread per connection, and a client. Messages are written as they are
//! framed ([`super::message`]): the header announces the length, which is checked before reading.

use super::message::{HEADER_BYTES, Message};
use super::{Progress, Session, SessionOptions, SyncError};
use crate::store::Store;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a connection may stay silent.
const IO_TIMEOUT: Duration = Duration::from_secs(60);

/// Reads one framed message from a stream.
pub fn read_message(stream: &mut impl Read) -> Result<Vec<u8>, SyncError> {
    let mut header = [0u8; HEADER_BYTES];
    stream.read_exact(&mut header)?;
    let len = Message::payload_len(&header)?;
    let mut buf = vec![0u8; HEADER_BYTES + len];
    buf[..HEADER_BYTES].copy_from_slice(&header);
    stream.read_exact(&mut buf[HEADER_BYTES..])?;
    Ok(buf)
}

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Sessions that ended normally.
    pub sessions_done: AtomicU64,
    /// Sessions that ended with an error (bad bytes, a dropped connection).
    pub sessions_failed: AtomicU64,
    /// Records received from all peers.
    pub records_received: AtomicU64,
}

/// A running sync server. Dropping it without [`Server::stop`] leaves it running until the
/// process ends.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stats: Arc<ServerStats>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves sync sessions on `listener` (bind `0.0.0.0:PORT` for the LAN, `127.0.0.1:0` in
    /// tests), each connection on its own thread.
    pub fn start(
        store: Arc<Store>,
        listener: TcpListener,
        opts: SessionOptions,
    ) -> Result<Server, SyncError> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ServerStats::default());
        let (stop2, stats2) = (stop.clone(), stats.clone());
        let thread = std::thread::Builder::new()
            .name("linli-sync-server".into())
            .spawn(move || {
                let mut workers: Vec<JoinHandle<()>> = Vec::new();
                while !stop2.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (store, opts, stats) =
                                (store.clone(), opts.clone(), stats2.clone());
                            let w = std::thread::Builder::new()
                                .name("linli-sync-peer".into())
                                .spawn(move || match serve_one(store, stream, opts) {
                                    Ok(p) => {
                                        stats.sessions_done.fetch_add(1, Ordering::Relaxed);
                                        stats
                                            .records_received
                                            .fetch_add(p.records_received, Ordering::Relaxed);
                                    }
                                    Err(_) => {
                                        stats.sessions_failed.fetch_add(1, Ordering::Relaxed);
                                    }
                                });
                            if let Ok(w) = w {
                                workers.push(w);
                            }
                            workers.retain(|w| !w.is_finished());
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
                for w in workers {
                    let _ = w.join();
                }
            })?;
        Ok(Server {
            addr,
            stop,
            stats,
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's counters.
    pub fn stats(&self) -> &ServerStats {
        &self.stats
    }

    /// Stops accepting, waits for the sessions in progress, and returns.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves one connection to its end.
pub fn serve_one(
    store: Arc<Store>,
    mut stream: TcpStream,
    opts: SessionOptions,
) -> Result<Progress, SyncError> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let mut session = Session::accept(store, opts);
    loop {
        let msg = read_message(&mut stream)?;
        match session.receive(&msg)? {
            Some(reply) => stream.write_all(&reply)?,
            None => return Ok(session.progress()),
        }
    }
}

/// Syncs with the server at `addr` as the initiator. The device that answered there last time is
/// the hint for resuming. `on_progress` is called after every message received.
pub fn sync_with(
    store: Arc<Store>,
    addr: &str,
    mut opts: SessionOptions,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Progress, SyncError> {
    if opts.peer_hint.is_none() {
        opts.peer_hint = store.remembered_peer(addr)?;
    }
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    stream.set_nodelay(true)?;
    let (mut session, first) = Session::initiate(store.clone(), opts)?;
    stream.write_all(&first)?;
    while !session.is_finished() {
        let reply = read_message(&mut stream)?;
        let next = session.receive(&reply)?;
        on_progress(&session.progress());
        if let Some(next) = next {
            stream.write_all(&next)?;
        }
    }
    stream.flush()?;
    if let Some(peer) = session.peer() {
        store.remember_peer(addr, &peer)?;
    }
    Ok(session.progress())
}
