//! Sync over TCP on the community-centre LAN: a server (a cadre tablet or a PC) that serves many
//! phones at once, a pool of session threads serving a line of connections, and a client. Messages are written as they are
//! framed ([`super::message`]): the header announces the length, which is checked before reading.
//!
//! Nothing waits for ever ([`Limits`]): every message must arrive whole, and be taken whole,
//! within a deadline, and every session within an overall one, so a peer that trickles bytes or
//! falls silent is cut. A server runs a bounded number of sessions; the next phones wait in a
//! bounded line (1,000 phones arriving at once are all served), and a phone that finds the line
//! full or waits too long is told `sync_busy` (the client retries with backoff); a session that
//! fails tells the peer the reason code. [`Server::stop`] cuts the open connections and returns at once.

use super::message::{HEADER_BYTES, Message};
use super::{Progress, Session, SessionOptions, SyncError};
use crate::store::Store;
use std::collections::{HashMap, VecDeque};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Deadlines and caps of LAN sessions, on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest wait for one whole message to arrive or to be taken by the peer: a peer that
    /// trickles a byte at a time still runs out at this deadline.
    pub message: Duration,
    /// Longest a whole session may take (a first sync of a 20,000-ballot cycle takes seconds).
    pub session: Duration,
    /// Most sessions a server runs at once (its pool of session threads); the next phones wait
    /// in line.
    pub max_sessions: usize,
    /// Most phones waiting in line for a session (beyond those being served); the next one is
    /// told `sync_busy` and retries.
    pub max_waiting: usize,
    /// Longest a phone waits in line: past it the server says `sync_busy`, and the phone's
    /// wait for its first reply is this long (plus [`Limits::message`]).
    pub wait: Duration,
    /// How many times a client retries a busy server, backing off from 100 ms to 2 s.
    pub busy_retries: u32,
    /// Longest wait for a connection to open.
    pub connect: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            message: Duration::from_secs(20),
            session: Duration::from_secs(180),
            max_sessions: 32,
            max_waiting: 2_048,
            wait: Duration::from_secs(90),
            busy_retries: 8,
            connect: Duration::from_secs(5),
        }
    }
}

/// A point in time a blocking call must not run past.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    what: &'static str,
}

impl Deadline {
    fn after(d: Duration, what: &'static str) -> Deadline {
        Deadline {
            at: Instant::now() + d,
            what,
        }
    }

    /// The sooner of two deadlines.
    fn min(self, other: Deadline) -> Deadline {
        if other.at < self.at { other } else { self }
    }

    fn left(&self) -> Result<Duration, SyncError> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            Err(SyncError::TimedOut(self.what))
        } else {
            Ok(left)
        }
    }
}

fn timed_out(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Fills `buf`, each read bounded by what is left before `deadline`.
fn read_full(stream: &mut TcpStream, buf: &mut [u8], deadline: Deadline) -> Result<(), SyncError> {
    let mut at = 0;
    while at < buf.len() {
        stream.set_read_timeout(Some(deadline.left()?))?;
        match stream.read(&mut buf[at..]) {
            Ok(0) => return Err(SyncError::Io(ErrorKind::UnexpectedEof.into())),
            Ok(n) => at += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => return Err(SyncError::TimedOut(deadline.what)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Writes all of `bytes`, each write bounded by what is left before `deadline`.
fn write_full(stream: &mut TcpStream, bytes: &[u8], deadline: Deadline) -> Result<(), SyncError> {
    let mut at = 0;
    while at < bytes.len() {
        stream.set_write_timeout(Some(deadline.left()?))?;
        match stream.write(&bytes[at..]) {
            Ok(0) => return Err(SyncError::Io(ErrorKind::WriteZero.into())),
            Ok(n) => at += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if timed_out(&e) => return Err(SyncError::TimedOut(deadline.what)),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Reads one framed message from a stream (no deadline: for files and pipes).
pub fn read_message(stream: &mut impl Read) -> Result<Vec<u8>, SyncError> {
    let mut header = [0u8; HEADER_BYTES];
    stream.read_exact(&mut header)?;
    let len = Message::payload_len(&header)?;
    let mut buf = vec![0u8; HEADER_BYTES + len];
    buf[..HEADER_BYTES].copy_from_slice(&header);
    stream.read_exact(&mut buf[HEADER_BYTES..])?;
    Ok(buf)
}

/// Reads one framed message before `deadline`. The header's length is checked before the
/// payload is allocated.
fn read_message_by(stream: &mut TcpStream, deadline: Deadline) -> Result<Vec<u8>, SyncError> {
    let mut header = [0u8; HEADER_BYTES];
    read_full(stream, &mut header, deadline)?;
    let len = Message::payload_len(&header)?;
    let mut buf = vec![0u8; HEADER_BYTES + len];
    buf[..HEADER_BYTES].copy_from_slice(&header);
    read_full(stream, &mut buf[HEADER_BYTES..], deadline)?;
    Ok(buf)
}

/// Reads the rest of a framed message whose first byte was read already, before `deadline`.
fn read_message_after(
    stream: &mut TcpStream,
    first: u8,
    deadline: Deadline,
) -> Result<Vec<u8>, SyncError> {
    let mut header = [0u8; HEADER_BYTES];
    header[0] = first;
    read_full(stream, &mut header[1..], deadline)?;
    let len = Message::payload_len(&header)?;
    let mut buf = vec![0u8; HEADER_BYTES + len];
    buf[..HEADER_BYTES].copy_from_slice(&header);
    read_full(stream, &mut buf[HEADER_BYTES..], deadline)?;
    Ok(buf)
}

/// Counters of a running server.
#[derive(Debug, Default)]
pub struct ServerStats {
    /// Sessions that ended normally.
    pub sessions_done: AtomicU64,
    /// Sessions that ended with an error (bad bytes, a dropped connection, a deadline).
    pub sessions_failed: AtomicU64,
    /// Phones told `sync_busy`: the line was full, or they waited in it too long.
    pub sessions_busy: AtomicU64,
    /// The longest the line of phones waiting for a session thread has been.
    pub waiting_peak: AtomicU64,
    /// Records received from all peers.
    pub records_received: AtomicU64,
}

/// The connections a server is serving, so that [`Server::stop`] can cut them.
type Open = Arc<Mutex<HashMap<u64, TcpStream>>>;

/// Connections waiting for a session thread, in the order they came, with when they came; the
/// signal a session thread waits on; how many sessions are being served.
type Line = Arc<(
    Mutex<VecDeque<(u64, TcpStream, Instant)>>,
    Condvar,
    AtomicUsize,
)>;

/// Says `sync_busy`, briefly, and hangs up: the phone retries with backoff.
fn refuse_busy(stream: &mut TcpStream, stats: &ServerStats) {
    let _ = stream.set_nonblocking(false);
    let _ = write_full(
        stream,
        &Message::refusal("sync_busy"),
        Deadline::after(Duration::from_secs(1), "busy reply"),
    );
    let _ = stream.shutdown(Shutdown::Both);
    stats.sessions_busy.fetch_add(1, Ordering::Relaxed);
}

/// One of the server's session threads: serves the line until the server stops.
fn serve_line(
    store: &Arc<Store>,
    opts: &SessionOptions,
    limits: Limits,
    stats: &ServerStats,
    open: &Open,
    line: &Line,
    stop: &AtomicBool,
) {
    let (queue, ready, serving) = &**line;
    loop {
        let mut q = queue.lock().expect("lock");
        let next = loop {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            if let Some(next) = q.pop_front() {
                serving.fetch_add(1, Ordering::AcqRel);
                break next;
            }
            q = ready
                .wait_timeout(q, Duration::from_millis(200))
                .expect("lock")
                .0;
        };
        drop(q);
        let (id, mut stream, came) = next;
        if came.elapsed() > limits.wait {
            refuse_busy(&mut stream, stats);
        } else {
            match serve_one_with(store.clone(), stream, opts.clone(), limits) {
                Ok(p) => {
                    stats.sessions_done.fetch_add(1, Ordering::Relaxed);
                    stats
                        .records_received
                        .fetch_add(p.records_received, Ordering::Relaxed);
                }
                Err(_) => {
                    stats.sessions_failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        open.lock().expect("lock").remove(&id);
        serving.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A running sync server. Dropping it without [`Server::stop`] leaves it running until the
/// process ends.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    stats: Arc<ServerStats>,
    open: Open,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Serves sync sessions on `listener` (bind `0.0.0.0:PORT` for the LAN, `127.0.0.1:0` in
    /// tests), sessions served by a pool of threads, with the default [`Limits`].
    pub fn start(
        store: Arc<Store>,
        listener: TcpListener,
        opts: SessionOptions,
    ) -> Result<Server, SyncError> {
        Server::start_with(store, listener, opts, Limits::default())
    }

    /// [`Server::start`] with explicit limits.
    ///
    /// The accepting thread puts each connection in a line ([`Limits::max_waiting`] long); a
    /// pool of [`Limits::max_sessions`] threads serves the line in order. A phone that finds the
    /// line full, or waits longer than [`Limits::wait`], is told `sync_busy` and retries.
    pub fn start_with(
        store: Arc<Store>,
        listener: TcpListener,
        opts: SessionOptions,
        limits: Limits,
    ) -> Result<Server, SyncError> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let stats = Arc::new(ServerStats::default());
        let open: Open = Arc::default();
        let line: Line = Arc::default();
        let mut pool = Vec::with_capacity(limits.max_sessions);
        for _ in 0..limits.max_sessions.max(1) {
            let (store, opts, stats, open, line, stop) = (
                store.clone(),
                opts.clone(),
                stats.clone(),
                open.clone(),
                line.clone(),
                stop.clone(),
            );
            pool.push(
                std::thread::Builder::new()
                    .name("linli-sync-peer".into())
                    .spawn(move || {
                        serve_line(&store, &opts, limits, &stats, &open, &line, &stop)
                    })?,
            );
        }
        let (stop2, stats2, open2) = (stop.clone(), stats.clone(), open.clone());
        let thread = std::thread::Builder::new()
            .name("linli-sync-server".into())
            .spawn(move || {
                let mut next_id = 0u64;
                while !stop2.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            let (queue, ready, serving) = &*line;
                            let mut q = queue.lock().expect("lock");
                            let taken = q.len() + serving.load(Ordering::Acquire);
                            if taken >= limits.max_sessions + limits.max_waiting {
                                drop(q);
                                refuse_busy(&mut stream, &stats2);
                                continue;
                            }
                            next_id += 1;
                            if let Ok(clone) = stream.try_clone() {
                                open2.lock().expect("lock").insert(next_id, clone);
                            }
                            q.push_back((next_id, stream, Instant::now()));
                            stats2
                                .waiting_peak
                                .fetch_max(q.len() as u64, Ordering::Relaxed);
                            drop(q);
                            ready.notify_one();
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(50)),
                    }
                }
                line.1.notify_all();
                for w in pool {
                    let _ = w.join();
                }
            })?;
        Ok(Server {
            addr,
            stop,
            stats,
            open,
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

    /// Stops accepting, cuts the connections in progress (each session's transaction either
    /// committed or rolls back; nothing half-written stays) and returns once every session
    /// thread has ended: within a second, whatever the peers do.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for s in self.open.lock().expect("lock").values() {
            let _ = s.shutdown(Shutdown::Both);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Serves one connection to its end, with the default [`Limits`].
pub fn serve_one(
    store: Arc<Store>,
    stream: TcpStream,
    opts: SessionOptions,
) -> Result<Progress, SyncError> {
    serve_one_with(store, stream, opts, Limits::default())
}

/// Serves one connection to its end. A session that fails tells the peer the reason code.
pub fn serve_one_with(
    store: Arc<Store>,
    mut stream: TcpStream,
    opts: SessionOptions,
    limits: Limits,
) -> Result<Progress, SyncError> {
    stream.set_nonblocking(false)?;
    stream.set_nodelay(true)?;
    let whole = Deadline::after(limits.session, "session");
    let mut session = Session::accept(store, opts);
    let result = (|| loop {
        let msg = read_message_by(
            &mut stream,
            Deadline::after(limits.message, "message").min(whole),
        )?;
        match session.receive(&msg)? {
            Some(reply) => write_full(
                &mut stream,
                &reply,
                Deadline::after(limits.message, "message").min(whole),
            )?,
            None => return Ok(session.progress()),
        }
    })();
    if let Err(e) = &result {
        if !matches!(e, SyncError::Io(_) | SyncError::Refused(_)) {
            let _ = write_full(
                &mut stream,
                &Message::refusal(e.code()),
                Deadline::after(Duration::from_secs(1), "refusal"),
            );
        }
    }
    result
}

/// Syncs with the server at `addr` as the initiator, with the default [`Limits`]. The device
/// that answered there last time is the hint for resuming. `on_progress` is called after every
/// message received; an error from it ends the sync with that error (what was applied so far
/// stays: each message is its own transaction).
pub fn sync_with(
    store: Arc<Store>,
    addr: &str,
    opts: SessionOptions,
    on_progress: &mut dyn FnMut(&Progress) -> Result<(), SyncError>,
) -> Result<Progress, SyncError> {
    sync_with_limits(store, addr, opts, Limits::default(), on_progress)
}

/// [`sync_with`] with explicit limits. A busy server is retried with backoff; any other refusal
/// ends the sync with the peer's reason ([`SyncError::Refused`]).
pub fn sync_with_limits(
    store: Arc<Store>,
    addr: &str,
    mut opts: SessionOptions,
    limits: Limits,
    on_progress: &mut dyn FnMut(&Progress) -> Result<(), SyncError>,
) -> Result<Progress, SyncError> {
    if opts.peer_hint.is_none() {
        opts.peer_hint = store.remembered_peer(addr)?;
    }
    let mut attempt = 0;
    loop {
        match sync_once(&store, addr, opts.clone(), limits, on_progress) {
            Err(SyncError::Refused(code))
                if code == "sync_busy" && attempt < limits.busy_retries =>
            {
                let wait = 100u64 << attempt.min(5);
                // Spread retries so that phones turned away together do not return together.
                let jitter =
                    u64::from(std::process::id() ^ Instant::now().elapsed().subsec_nanos()) % 50;
                std::thread::sleep(Duration::from_millis(wait.min(2_000) + jitter));
                attempt += 1;
            }
            other => return other,
        }
    }
}

fn sync_once(
    store: &Arc<Store>,
    addr: &str,
    opts: SessionOptions,
    limits: Limits,
    on_progress: &mut dyn FnMut(&Progress) -> Result<(), SyncError>,
) -> Result<Progress, SyncError> {
    let whole = Deadline::after(limits.session + limits.wait, "session");
    let mut stream = connect(addr, limits.connect)?;
    stream.set_nodelay(true)?;
    let (mut session, first) = Session::initiate(store.clone(), opts)?;
    let step = || Deadline::after(limits.message, "message").min(whole);
    write_full(&mut stream, &first, step())?;
    // The first reply may wait for the phone's turn in the hub's line: its first byte may take
    // `wait`, the rest of it no longer than any message.
    let mut first_reply = true;
    while !session.is_finished() {
        let reply = if first_reply {
            first_reply = false;
            let mut head = [0u8; 1];
            read_full(
                &mut stream,
                &mut head,
                Deadline::after(limits.message + limits.wait, "message").min(whole),
            )?;
            read_message_after(&mut stream, head[0], step())?
        } else {
            read_message_by(&mut stream, step())?
        };
        let next = match session.receive(&reply) {
            Ok(next) => next,
            Err(e) => {
                if !matches!(e, SyncError::Refused(_)) {
                    let _ = write_full(&mut stream, &Message::refusal(e.code()), step());
                }
                return Err(e);
            }
        };
        on_progress(&session.progress())?;
        if let Some(next) = next {
            write_full(&mut stream, &next, step())?;
        }
    }
    stream.flush()?;
    if let Some(peer) = session.peer() {
        store.remember_peer(addr, &peer)?;
    }
    Ok(session.progress())
}

/// Opens a connection to the first address `addr` resolves to that answers within `timeout`.
fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, SyncError> {
    use std::net::ToSocketAddrs;
    let mut last = None;
    for a in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(s) => return Ok(s),
            Err(e) if timed_out(&e) => last = Some(SyncError::TimedOut("connect")),
            Err(e) => last = Some(e.into()),
        }
    }
    Err(last.unwrap_or_else(|| SyncError::Io(ErrorKind::AddrNotAvailable.into())))
}
