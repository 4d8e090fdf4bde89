//! Sync benchmarks with figures (run with `cargo run --release -p linli-tests --bin
//! linli_sync_bench`). Each scenario is set up, then timed once end to end; sizes and bytes are
//! exact. docs/benchmarks.md and docs/sync.md carry the results.

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT, ScalarValue};
use linli_core::identity::MemoryKeyStore;
use linli_core::record::Body;
use linli_core::record::ballot::Ballot;
use linli_core::store::Store;
use linli_core::store::docs::DocId;
use linli_core::store::exchange::{DocStates, DocTraffic};
use linli_core::sync::net::{Server, sync_with};
use linli_core::sync::{self, SessionOptions};
use linli_tests::synth::{self, Synth, resident_seed};
use std::sync::Arc;
use std::time::Instant;

fn hub_with(dir: &std::path::Path, s: &Synth, name: &str) -> Arc<Store> {
    let hub = Store::open_with_keys(dir.join(name), &MemoryKeyStore([200; 32])).unwrap();
    hub.set_doc_cache_bytes(linli_core::store::docs::HUB_CACHE_BYTES);
    hub.follow_cycle(s.cycle, s.genesis).unwrap();
    for chunk in s.records.chunks(5_000) {
        hub.import(s.cycle, chunk).unwrap();
    }
    hub.sync_prepare(None).unwrap();
    Arc::new(hub)
}

/// A phone's store on a file, with resident `i`'s key, following the cycle.
fn phone_store(path: std::path::PathBuf, i: usize, s: &Synth) -> Arc<Store> {
    let p = Arc::new(Store::open_with_keys(path, &MemoryKeyStore(resident_seed(i))).unwrap());
    p.follow_cycle(s.cycle, s.genesis).unwrap();
    p
}

/// A fresh file with the records table's columns and indexes (migrations 009 to 012) and the
/// store's pragmas: where the floors insert.
fn floor_records_db(path: &std::path::Path) -> rusqlite::Connection {
    let db = rusqlite::Connection::open(path).unwrap();
    db.pragma_update(None, "journal_mode", "WAL").unwrap();
    db.pragma_update(None, "synchronous", "NORMAL").unwrap();
    db.execute_batch(
        "CREATE TABLE records (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, cycle_id TEXT NOT NULL,
           kind TEXT, signer TEXT, seq INTEGER, claimed_time TEXT, signed BLOB NOT NULL,
           signature BLOB NOT NULL CHECK (length(signature) = 64), sig_ok INTEGER NOT NULL,
           received_at TEXT NOT NULL, to_doc INTEGER);
         CREATE INDEX records_by_cycle ON records(cycle_id);
         CREATE INDEX records_by_kind ON records(cycle_id, kind, claimed_time) WHERE kind <> 'ballot';",
    )
    .unwrap();
    db
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map(|k| k / 1024.0)
        .unwrap_or(f64::NAN)
}

fn phone_child(addr: &str, cycle: &str, genesis: &str) {
    let dir = tempfile::tempdir().unwrap();
    let phone = Arc::new(Store::open(dir.path().join("phone.db")).unwrap());
    phone
        .follow_cycle(cycle.parse().unwrap(), genesis.parse().unwrap())
        .unwrap();
    let t = Instant::now();
    let p = sync_with(phone, addr, SessionOptions::default(), &mut |_| Ok(())).unwrap();
    println!(
        "{:.0} {} {} {:.1}",
        ms(t),
        p.records_received,
        p.bytes_received,
        peak_rss_mb()
    );
}

/// CPU time this process has used so far (user + system), from /proc/self/stat, in ms.
fn cpu_ms() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name and state.
    (ticks(11) + ticks(12)) * 1000.0 / 100.0
}

/// A process simulating `count` phones (residents `from..from + count`): each is warmed with a
/// first sync, casts 20 ballots (a vote and its changes), says `ready`, and on `go` from stdin
/// all sync with the hub at once. Prints `done OK FAILED SENT RECEIVED RECORDS SLOWEST_MS`.
fn phones_child(addr: &str, cycle: &str, genesis: &str, from: usize, count: usize, hub: &str) {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let (cycle, genesis): (uuid::Uuid, uuid::Uuid) =
        (cycle.parse().unwrap(), genesis.parse().unwrap());
    let hub_key = linli_core::DeviceKey::from_hex(hub).unwrap();
    let opts = SessionOptions {
        peer_hint: Some(hub_key),
        ..Default::default()
    };
    let proposals: std::sync::Mutex<Vec<uuid::Uuid>> = Default::default();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let open = |i: usize| {
        Arc::new(
            Store::open_with_keys(
                dir.path().join(format!("phone-{i}.db")),
                &MemoryKeyStore(resident_seed(i)),
            )
            .unwrap(),
        )
    };
    // Each phone is warmed and closed again: 1,000 open stores that each receive thousands of
    // ballots would not fit in this machine's memory, while a phone opening its store again
    // costs the phone, not the hub.
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if k >= count {
                        return;
                    }
                    let i = from + k;
                    let p = open(i);
                    p.follow_cycle(cycle, genesis).unwrap();
                    sync_with(p.clone(), addr, opts.clone(), &mut |_| Ok(())).unwrap();
                    let ids: Vec<uuid::Uuid> = {
                        let mut g = proposals.lock().unwrap();
                        if g.is_empty() {
                            *g = p
                                .state(cycle)
                                .unwrap()
                                .proposals
                                .values()
                                .filter(|p| p.is_shortlisted())
                                .map(|p| p.id)
                                .collect();
                        }
                        g.clone()
                    };
                    for n in 0..20 {
                        let pick = vec![ids[(i + n) % ids.len()]];
                        p.submit(cycle, Body::Ballot(Ballot::approve(pick)))
                            .unwrap();
                    }
                }
            });
        }
    });
    println!("ready");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).unwrap();
    let results: Vec<Result<(linli_core::sync::Progress, f64), String>> =
        std::thread::scope(|sc| {
            let hs: Vec<_> = (from..from + count)
                .map(|i| {
                    let (opts, open) = (opts.clone(), &open);
                    sc.spawn(move || {
                        let t = Instant::now();
                        let p = open(i);
                        p.set_doc_cache_bytes(512 * 1024);
                        sync_with(p, addr, opts, &mut |_| Ok(()))
                            .map(|pr| (pr, ms(t)))
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
    let (mut ok, mut failed, mut sent, mut received, mut records, mut slowest) =
        (0, 0, 0u64, 0u64, 0u64, 0f64);
    for r in &results {
        match r {
            Ok((p, took)) => {
                ok += 1;
                sent += p.bytes_sent;
                received += p.bytes_received;
                records += p.records_received;
                slowest = slowest.max(*took);
            }
            Err(e) => {
                failed += 1;
                eprintln!("session failed: {e}");
            }
        }
    }
    println!("done {ok} {failed} {sent} {received} {records} {slowest:.0}");
}

/// The community-centre hub on voting day: N phones at once, simulated in other processes so
/// that the hub's own CPU is measured apart, each bringing 20 new ballots to a warm store.
fn hub_on_voting_day(dir: &std::path::Path, sizes: &[usize]) {
    use std::io::{BufRead, BufReader, Write};
    let total: usize = sizes.iter().sum();
    let s = synth::cycle(total + 200, 30, 100);
    let hub = hub_with(dir, &s, "voting-day-hub.db");
    let server = Server::start_with(
        hub.clone(),
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        SessionOptions::default(),
        linli_core::sync::net::Limits::default(),
    )
    .unwrap();
    let addr = server.local_addr().to_string();
    println!("\n## The hub on voting day (phones in {WORKERS} other processes)\n");
    println!(
        "| phones | hub CPU | per phone | records in / out | per record moved | wall | slowest session | failed | longest line | hub full folds | bytes in / out |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    let mut from = 200;
    for &n in sizes {
        let per = n.div_ceil(WORKERS);
        let mut children: Vec<std::process::Child> = (0..WORKERS)
            .filter_map(|w| {
                let count = per.min(n.saturating_sub(w * per));
                (count > 0).then(|| {
                    std::process::Command::new(std::env::current_exe().unwrap())
                        .args([
                            "phones",
                            &addr,
                            &s.cycle.to_string(),
                            &s.genesis.to_string(),
                            &(from + w * per).to_string(),
                            &count.to_string(),
                            &hub.device_key().to_hex(),
                        ])
                        .stdin(std::process::Stdio::piped())
                        .stdout(std::process::Stdio::piped())
                        .spawn()
                        .unwrap()
                })
            })
            .collect();
        from += n;
        let mut outs: Vec<_> = children
            .iter_mut()
            .map(|c| BufReader::new(c.stdout.take().unwrap()).lines())
            .collect();
        for o in &mut outs {
            let line = o.next().and_then(Result::ok);
            assert_eq!(
                line.as_deref(),
                Some("ready"),
                "a phone process died warming up"
            );
        }
        let before = server
            .stats()
            .records_received
            .load(std::sync::atomic::Ordering::Relaxed);
        let folds0 = hub.full_folds(s.cycle).unwrap();
        let (cpu0, t) = (cpu_ms(), Instant::now());
        for c in &mut children {
            writeln!(c.stdin.as_mut().unwrap(), "go").unwrap();
        }
        let (mut ok, mut failed, mut sent, mut recv, mut out, mut slowest) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0f64);
        for o in &mut outs {
            let line = o
                .next()
                .and_then(Result::ok)
                .expect("a phone process died syncing");
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f[0], "done", "{line}");
            ok += f[1].parse::<u64>().unwrap();
            failed += f[2].parse::<u64>().unwrap();
            sent += f[3].parse::<u64>().unwrap();
            recv += f[4].parse::<u64>().unwrap();
            out += f[5].parse::<u64>().unwrap();
            slowest = slowest.max(f[6].parse().unwrap());
        }
        let (cpu, wall) = (cpu_ms() - cpu0, ms(t));
        let folds = hub.full_folds(s.cycle).unwrap() - folds0;
        for mut c in children {
            c.wait().unwrap();
        }
        let records = server
            .stats()
            .records_received
            .load(std::sync::atomic::Ordering::Relaxed)
            - before;
        assert_eq!(ok as usize + failed as usize, n);
        let line = server
            .stats()
            .waiting_peak
            .swap(0, std::sync::atomic::Ordering::Relaxed);
        println!(
            "| {n} | {cpu:.0} ms | {:.2} ms | {records} / {out} | {:.1} µs | {wall:.0} ms | {slowest:.0} ms | {failed} | {line} | {folds} | {sent} / {recv} |",
            cpu / n as f64,
            cpu * 1000.0 / (records + out).max(1) as f64,
        );
    }
    server.stop();
}

/// Median of `runs` timings of `f`, in ms.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            ms(s)
        })
        .collect();
    t.sort_by(|a, b| a.partial_cmp(b).unwrap());
    t[runs / 2]
}

/// Reading a Pabulib file of `voters` votes (a synthetic one in the shape of Warsaw's: 100
/// projects, 1 to 10 approvals, the voter's age, sex and voting method), beside its floor:
/// reading the same file line by line (`BufRead::lines`, one string per line).
fn pabulib_files(dir: &std::path::Path, voters: usize) {
    use std::io::BufRead;
    let path = dir.join("synthetic.pb");
    let mut text = String::from(
        "META\nkey;value\ndescription;synthetic\nnum_projects;100\nbudget;3000000\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;votes;name\n",
    );
    for p in 0..100 {
        text.push_str(&format!("{};{};0;项目 {p}\n", 1000 + p, 50_000 + p * 997));
    }
    text.push_str("VOTES\nvoter_id;age;sex;voting_method;vote\n");
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for v in 0..voters {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = 1 + (x % 10) as usize;
        let picks: Vec<String> = (0..n)
            .map(|k| (1000 + (x >> (8 + k * 5)) % 100).to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let method = if x % 5 == 0 { "paper" } else { "internet" };
        let sex = if x % 2 == 0 { "F" } else { "M" };
        text.push_str(&format!(
            "{};{};{sex};{method};{}\n",
            v + 1,
            18 + x % 70,
            picks.join(",")
        ));
    }
    std::fs::write(&path, &text).unwrap();
    let bytes = text.len();
    drop(text);
    // Floor and parse alternate, so that both meet the same machine; the ratio is the median
    // of each pair's.
    let (mut floors, mut parses, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..15 {
        let floor = median_ms(1, || {
            let f = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
            let n = f
                .lines()
                .map(|l| l.unwrap())
                .filter(|l| !l.is_empty())
                .count();
            assert!(n > voters);
        });
        let parse = median_ms(1, || {
            let text = std::fs::read_to_string(&path).unwrap();
            let i = linli_core::pabulib::Instance::parse(&text).unwrap();
            assert_eq!(i.votes.len(), voters);
        });
        floors.push(floor);
        parses.push(parse);
        ratios.push(parse / floor);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let (floor, parse, ratio) = (
        median(&mut floors),
        median(&mut parses),
        median(&mut ratios),
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let inst = linli_core::pabulib::Instance::parse(&text).unwrap();
    let election = inst.election();
    let mes = median_ms(9, || {
        election.run(linli_core::tally::Rule::Mes).unwrap();
    });
    println!(
        "\n## Pabulib files ({voters} voters, 100 projects, {bytes} bytes, file store: tmpfs or disk as the temp dir is)\n"
    );
    println!("| step | median of 15 | against the floor (median of the pairs' ratios) |");
    println!("|---|---|---|");
    println!("| floor: read the file line by line (`BufRead::lines`) | {floor:.1} ms | 1× |");
    println!("| read and parse it (`Instance::parse`) | {parse:.1} ms | {ratio:.1}× |");
    println!("| Method of Equal Shares on it (median of 9) | {mes:.1} ms | — |");
}

/// A resident's phone casting (and changing) a ballot on a file store holding `stored` ballots,
/// beside its floor: signing the same kind of record and one INSERT of the same row into a table
/// of the same shape (the records table's columns and indexes), with the store's pragmas (WAL,
/// `synchronous = NORMAL`, SQLite's automatic checkpoint inside the commit). The two alternate,
/// one vote and one floor row at a time; median and mean over 400 of each (`LINLI_BENCH_VOTES`),
/// checkpoints included: the floor's in its commits, the store's on its own thread (counted in
/// the last column; the vote does not wait for them, the process still spends them).
/// `LINLI_BENCH_STORED` runs one store size instead of 1,000, 20,000 and 100,000 (for a
/// profiler).
fn vote_on_file_store(dir: &std::path::Path, stored: usize) {
    use linli_core::identity::DeviceSecret;
    use linli_core::record::envelope::{Draft, SignedRecord};
    let s = synth::cycle(stored + 1_000, 100, stored);
    let voter = stored + 500;
    let path = dir.join(format!("vote-{stored}.db"));
    let store = Store::open_with_keys(&path, &MemoryKeyStore(resident_seed(voter))).unwrap();
    store.follow_cycle(s.cycle, s.genesis).unwrap();
    for chunk in s.records.chunks(10_000) {
        store.import(s.cycle, chunk).unwrap();
    }
    let phase = store.state(s.cycle).unwrap().phase.1;
    let floor_db = floor_records_db(&dir.join(format!("floor-{stored}.db")));
    // The floor's table holds as many rows as the store does.
    {
        let tx = floor_db.unchecked_transaction().unwrap();
        let mut ins = tx
            .prepare("INSERT INTO records (id, cycle_id, kind, signer, seq, claimed_time, signed, signature, sig_ok, received_at, to_doc) VALUES (?1, ?2, 'ballot', ?3, ?4, ?5, ?6, ?7, 1, ?5, 1)")
            .unwrap();
        for r in &s.records {
            ins.execute(rusqlite::params![
                r.id.to_string(),
                s.cycle.to_string(),
                "k",
                1,
                "2026-01-01T00:00:00Z",
                r.signed,
                r.signature.to_vec()
            ])
            .unwrap();
        }
        drop(ins);
        tx.commit().unwrap();
    }
    let secret = DeviceSecret::from_seed(&resident_seed(voter));
    let signer = secret.public().to_hex();
    let mut insert = floor_db
        .prepare("INSERT INTO records (id, cycle_id, kind, signer, seq, claimed_time, signed, signature, sig_ok, received_at, to_doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, 1)")
        .unwrap();
    let (mut votes, mut floors) = (Vec::new(), Vec::new());
    store
        .submit(s.cycle, Body::Ballot(Ballot::approve(vec![s.proposals[0]])))
        .unwrap();
    let votes_n: usize = std::env::var("LINLI_BENCH_VOTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    for i in 0..votes_n {
        let pick = vec![s.proposals[i % s.proposals.len()]];
        let t = Instant::now();
        store
            .submit(s.cycle, Body::Ballot(Ballot::approve(pick.clone())))
            .unwrap();
        votes.push(ms(t));
        let t = Instant::now();
        let now = chrono::Utc::now();
        let r = SignedRecord::sign(
            &secret,
            &Draft {
                cycle: s.cycle,
                seq: 1_000 + i as u64,
                time: now,
                phase: Some(phase),
                body: Body::Ballot(Ballot::approve(pick)),
            },
        );
        insert
            .execute(rusqlite::params![
                r.id.to_string(),
                s.cycle.to_string(),
                "ballot",
                signer,
                1_000 + i as i64,
                now.to_rfc3339(),
                r.signed,
                r.signature.to_vec(),
                now.to_rfc3339()
            ])
            .unwrap();
        floors.push(ms(t));
    }
    let stats = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        (v[v.len() / 2], v.iter().sum::<f64>() / v.len() as f64)
    };
    let ((vm, va), (fm, fa)) = (stats(&mut votes), stats(&mut floors));
    if stored == 1_000 {
        println!("\n## A vote on a file store, beside its floor (sign + one INSERT)\n");
        println!(
            "| ballots stored | vote median / mean | floor median / mean | ratio median / mean | store's checkpoints on its thread |"
        );
        println!("|---|---|---|---|---|");
    }
    println!(
        "| {stored} | {:.0} / {:.0} µs | {:.0} / {:.0} µs | {:.1}× / {:.1}× | {} |",
        vm * 1000.0,
        va * 1000.0,
        fm * 1000.0,
        fa * 1000.0,
        vm / fm,
        va / fa,
        store.background_checkpoints()
    );
}

/// The floor of a first sync: verify every record's signature in one batch (the signer read from
/// the record's bytes) and insert the records into a fresh file with the records table's columns
/// and indexes, in one transaction, with the store's pragmas.
fn first_sync_floor(
    path: &std::path::Path,
    records: &[linli_core::record::envelope::SignedRecord],
) {
    let db = floor_records_db(path);
    let keys: Vec<linli_core::DeviceKey> = records.iter().map(|r| r.signer().unwrap()).collect();
    let items: Vec<(linli_core::DeviceKey, &[u8], [u8; 64])> = records
        .iter()
        .zip(&keys)
        .map(|(r, k)| (*k, r.signed.as_slice(), r.signature))
        .collect();
    assert!(
        linli_core::identity::verify_many(&items)
            .into_iter()
            .all(|ok| ok)
    );
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO records (id, cycle_id, signer, signed, signature, sig_ok, received_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)")
            .unwrap();
        for (r, k) in records.iter().zip(&keys) {
            ins.execute(rusqlite::params![
                r.id.to_string(),
                "cycle",
                k.to_hex(),
                r.signed,
                r.signature.to_vec(),
                "2026-01-01T00:00:00Z"
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

/// Processes the hub scenario's phones run in.
const WORKERS: usize = 4;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("phone") {
        return phone_child(&args[2], &args[3], &args[4]);
    }
    if args.get(1).map(String::as_str) == Some("phones") {
        return phones_child(
            &args[2],
            &args[3],
            &args[4],
            args[5].parse().unwrap(),
            args[6].parse().unwrap(),
            &args[7],
        );
    }
    if args.get(1).map(String::as_str) == Some("hub") {
        let sizes: Vec<usize> = args[2..].iter().map(|a| a.parse().unwrap()).collect();
        let sizes = if sizes.is_empty() {
            vec![10, 100, 1_000]
        } else {
            sizes
        };
        let dir = tempfile::tempdir().unwrap();
        return hub_on_voting_day(dir.path(), &sizes);
    }
    // `linli_sync_bench [seal|open|first|merge|lan|memory]...` runs only the named scenarios.
    let only: Vec<String> = args[1..].to_vec();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let dir = tempfile::tempdir().unwrap();
    if wanted("seal") {
        seal_at_size(dir.path());
    }
    if wanted("release") {
        release_over_ratings(dir.path(), 5_000);
    }
    if wanted("console") {
        console_pages(dir.path());
    }
    if wanted("pabulib") {
        pabulib_files(dir.path(), 100_000);
    }
    if wanted("vote") {
        for n in std::env::var("LINLI_BENCH_STORED")
            .ok()
            .map(|v| vec![v.parse().unwrap()])
            .unwrap_or(vec![1_000, 20_000, 100_000])
        {
            vote_on_file_store(dir.path(), n);
        }
    }
    if !only.is_empty()
        && only
            .iter()
            .all(|o| ["seal", "release", "console", "pabulib", "vote"].contains(&o.as_str()))
    {
        return;
    }

    println!("## Document sizes (records put by the hub's one actor, compacted on flush)\n");
    println!("| cycle | documents | records | stored bytes | bytes/record | import + flush |");
    println!("|---|---|---|---|---|---|");
    let mut hubs = Vec::new();
    for (props, ballots) in [(100, 1_000), (500, 5_000), (500, 20_000)] {
        let s = synth::cycle(ballots + 1_000, props, ballots);
        let t = Instant::now();
        let hub = hub_with(dir.path(), &s, &format!("hub-{ballots}.db"));
        let took = ms(t);
        let sizes = hub.doc_sizes(s.cycle).unwrap();
        let mut groups: std::collections::BTreeMap<String, (u64, u64, u64)> = Default::default();
        for (name, recs, snap, app) in &sizes {
            let g = name.split('.').next().unwrap().to_string();
            let e = groups.entry(g).or_default();
            e.0 += 1;
            e.1 += recs;
            e.2 += snap + app;
        }
        for (g, (n, recs, bytes)) in groups {
            println!(
                "| {props} proposals, {ballots} ballots | {g} ×{n} | {recs} | {bytes} | {:.0} | {took:.0} ms |",
                bytes as f64 / recs.max(1) as f64
            );
        }
        hubs.push((s, hub));
    }

    println!("\n## Scenarios\n");
    // Open a 500-proposal, 20,000-ballot cycle and read the first screen.
    if wanted("open") {
        let (s, _) = &hubs[2];
        let path = dir.path().join("hub-20000.db");
        let cycle = s.cycle;
        let mut times = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            let store = Store::open_with_keys(&path, &MemoryKeyStore([200; 32])).unwrap();
            let summary = store.summary(cycle).unwrap();
            let rows = store.proposals(cycle, &Default::default()).unwrap();
            assert_eq!(rows.len(), 500);
            assert_eq!(summary.voters, 20_000);
            times.push(ms(t));
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "- open a cycle with 500 proposals and 20,000 ballots, first screen from SQLite: median {:.1} ms (min {:.1}, max {:.1})",
            times[3], times[0], times[6]
        );
    }
    // First sync of a 5,000-ballot cycle to a new phone, then one new ballot.
    if wanted("first") {
        let (s, hub) = &hubs[1];
        let opts = SessionOptions {
            peer_hint: Some(hub.device_key()),
            ..Default::default()
        };
        // Three new phones on file stores, each alternating with the floor: batch-verifying the
        // same records (their signer read from the bytes) and inserting them into a table of the
        // records table's shape, in one transaction, with the store's pragmas.
        let records = hub.export(s.cycle).unwrap();
        let (mut syncs, mut floors, mut last) = (Vec::new(), Vec::new(), None);
        for run in 0..3 {
            // A resident who has not voted, on a new phone each run (the hub keeps sync states
            // per phone key: the same key again would be a reinstalled app).
            let phone = phone_store(dir.path().join(format!("first-{run}.db")), 5_500 + run, s);
            let t = Instant::now();
            let (p, _) = sync::sync_pair(&phone, hub, opts.clone()).unwrap();
            syncs.push(ms(t));
            last = Some((phone, p));
            let t = Instant::now();
            first_sync_floor(&dir.path().join(format!("first-floor-{run}.db")), &records);
            floors.push(ms(t));
        }
        let (phone, p) = last.unwrap();
        let in_order = syncs.clone();
        syncs.sort_by(|a, b| a.partial_cmp(b).unwrap());
        floors.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "- first sync of a 5,000-ballot cycle ({} records) to a new phone on a file store: {:.0} ms (median of 3; in order {:.0} / {:.0} / {:.0} ms, the first also compacting the hub's documents), {} bytes received, {} sent, {} round trips; floor (batch verify + insert the same records): {:.0} ms; ratio {:.1}×",
            p.records_received,
            syncs[1],
            in_order[0],
            in_order[1],
            in_order[2],
            p.bytes_received,
            p.bytes_sent,
            p.messages_received,
            floors[1],
            syncs[1] / floors[1]
        );
        let p0 = s.proposals[0];
        phone
            .submit(s.cycle, Body::Ballot(Ballot::approve(vec![p0])))
            .unwrap();
        let t = Instant::now();
        let (p, _) = sync::sync_pair(&phone, hub, opts).unwrap();
        println!(
            "- one new ballot between devices that met before: {:.1} ms, {} round trip(s), {} bytes on the wire ({} sent, {} received)",
            ms(t),
            p.messages_received,
            p.bytes_sent + p.bytes_received,
            p.bytes_sent,
            p.bytes_received
        );
    }
    // A cadre tablet merging 1,000 new ballots, each pushed by its own phone (own actor).
    if wanted("merge") {
        let (s, hub) = &hubs[2];
        let parts: Vec<(linli_core::DeviceKey, DocTraffic)> = (20_000..21_000)
            .map(|i| {
                let rec = s.new_ballot(i);
                let decoded = rec.decode().unwrap();
                let mut d = AutoCommit::new();
                d.put(ROOT, rec.id.to_string(), ScalarValue::Bytes(rec.to_bytes()))
                    .unwrap();
                d.commit();
                let doc = DocId::for_record(rec.id, Some(&decoded));
                (
                    decoded.signer,
                    (s.cycle, doc, d.save_after(&[]), Vec::new()),
                )
            })
            .collect();
        let t = Instant::now();
        for (phone, part) in &parts {
            let mut states = DocStates::new();
            hub.sync_apply(Some(phone), std::slice::from_ref(part), &[], &mut states)
                .unwrap();
        }
        let took = ms(t);
        let summary = hub.summary(s.cycle).unwrap();
        assert_eq!(summary.voters, 21_000);
        println!(
            "- a tablet merging 1,000 new ballots from 1,000 phones (one session each) into a 20,000-ballot cycle: {took:.0} ms ({:.2} ms per phone)",
            took / 1000.0
        );
    }
    // A LAN hub serving 50 phones at once, each with 20 new records.
    if wanted("lan") {
        let s = synth::cycle(1_000, 100, 900);
        let hub = hub_with(dir.path(), &s, "lan-hub.db");
        let phones: Vec<Arc<Store>> = (940..990)
            .map(|i| {
                let p = phone_store(dir.path().join(format!("phone-{i}.db")), i, &s);
                let opts = SessionOptions {
                    peer_hint: Some(hub.device_key()),
                    ..Default::default()
                };
                sync::sync_pair(&p, &hub, opts).unwrap();
                for k in 0..20 {
                    let pick = vec![s.proposals[(i + k) % s.proposals.len()]];
                    p.submit(s.cycle, Body::Ballot(Ballot::approve(pick)))
                        .unwrap();
                }
                p
            })
            .collect();
        let server = Server::start(
            hub.clone(),
            std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
            SessionOptions::default(),
        )
        .unwrap();
        let addr = server.local_addr().to_string();
        let hub_key = hub.device_key();
        let t = Instant::now();
        let received: u64 = std::thread::scope(|sc| {
            let hs: Vec<_> = phones
                .iter()
                .map(|p| {
                    let (p, addr) = (p.clone(), addr.clone());
                    sc.spawn(move || {
                        let opts = SessionOptions {
                            peer_hint: Some(hub_key),
                            ..Default::default()
                        };
                        sync_with(p, &addr, opts, &mut |_| Ok(()))
                            .unwrap()
                            .bytes_sent
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).sum()
        });
        let took = ms(t);
        server.stop();
        let recs = hub.export(s.cycle).unwrap().len();
        assert_eq!(recs, s.records.len() + 50 * 20);
        println!(
            "- a LAN hub serving 50 phones at once over TCP, each with 20 new records: {took:.0} ms wall, {received} bytes from the phones"
        );
    }
    // Peak memory of a phone syncing a whole 20,000-ballot cycle (its own process, over TCP).
    if wanted("memory") {
        let (s, hub) = &hubs[2];
        let server = Server::start(
            hub.clone(),
            std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
            SessionOptions::default(),
        )
        .unwrap();
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "phone",
                &server.local_addr().to_string(),
                &s.cycle.to_string(),
                &s.genesis.to_string(),
            ])
            .output()
            .unwrap();
        server.stop();
        let line = String::from_utf8_lossy(&out.stdout);
        let f: Vec<&str> = line.split_whitespace().collect();
        println!(
            "- a new phone syncing the whole 20,000-ballot cycle over TCP ({} records, {} bytes): {} ms, peak RSS {} MB",
            f.first().map(|_| f[1]).unwrap_or("?"),
            f.get(2).unwrap_or(&"?"),
            f.first().unwrap_or(&"?"),
            f.get(3).unwrap_or(&"?")
        );
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
    }
}

/// Seals at the top of the range and beyond: the cadre's seal (lists and seal signed, checked by a
/// full fold, stored in one transaction), the bytes it adds to a sync, a phone taking it in (a
/// full fold with the seal), and an auditor's verify from the stored bytes.
/// The console's pages on a sealed cycle of 500 proposals: server time to build and render
/// each (median of 15 after a warm-up), as the cadre's browser gets them.
fn console_pages(dir: &std::path::Path) {
    println!(
        "## Console pages (500 proposals, sealed; server time: the first view, then the median of 15)\n"
    );
    println!(
        "| ballots | public board | cadre desk (proposals queue) | council (tally) | paper desk | meeting desk | hall screen (live part) | board size | one paper sheet entered | funnel |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for ballots in [20_000, 100_000] {
        // Every resident but the last 16 votes by phone; the desk enters sheets for those.
        let s = synth::cycle(ballots, 500, ballots - 16);
        let store = Store::open_with_keys(
            dir.join(format!("console-{ballots}.db")),
            &MemoryKeyStore([1; 32]),
        )
        .unwrap();
        store.follow_cycle(s.cycle, s.genesis).unwrap();
        for chunk in s.records.chunks(10_000) {
            store.import(s.cycle, chunk).unwrap();
        }
        let st = store.state(s.cycle).unwrap();
        let proposals: Vec<uuid::Uuid> = st.proposals.keys().copied().collect();
        let paper: Vec<uuid::Uuid> = st
            .members
            .keys()
            .filter(|m| !st.current_ballots.contains_key(m) && st.members[m].keys.len() == 1)
            .filter(|m| st.members[m].roles.contains(&linli_core::Role::Resident))
            .copied()
            .collect();
        drop(st);
        let mut entries: Vec<f64> = paper
            .iter()
            .enumerate()
            .map(|(n, m)| {
                let ballot = linli_core::record::ballot::Ballot::approve(vec![proposals[n]]);
                let t = Instant::now();
                store
                    .enter_paper_ballot(s.cycle, *m, &format!("A-{n:04}"), ballot)
                    .unwrap();
                ms(t)
            })
            .collect();
        entries.sort_by(f64::total_cmp);
        let entry = entries[entries.len() / 2];
        let mut funnels: Vec<f64> = (0..15)
            .map(|_| {
                let t = Instant::now();
                store.funnel(s.cycle).unwrap();
                ms(t)
            })
            .collect();
        funnels.sort_by(f64::total_cmp);
        let funnel = funnels[funnels.len() / 2];
        store.seal(s.cycle, "投票截止").unwrap();
        // The council's meeting: a 100-item agenda and 500 comments from the hall.
        let starts = chrono::Utc::now();
        let meeting = store
            .open_meeting(
                s.cycle,
                linli_core::record::meeting::Meeting {
                    title: "居民议事会".into(),
                    agenda: proposals[..100].to_vec(),
                    starts,
                    ends: starts + chrono::Duration::hours(3),
                },
            )
            .unwrap();
        store.move_meeting(s.cycle, meeting, proposals[0]).unwrap();
        for n in 0..500 {
            store
                .comment(
                    s.cycle,
                    linli_core::record::comment::Comment {
                        on: meeting,
                        reply_to: None,
                        text: format!("会场发言 {n}"),
                        on_behalf_of: None,
                        in_hall: true,
                    },
                )
                .unwrap();
        }
        let store = Arc::new(store);
        let mut cells = Vec::new();
        let mut size = 0;
        for page in ["board", "cadre", "council", "paper", "meeting", "hall"] {
            let pages = linli_cli::console::PageRenderer::new(store.clone());
            let t = Instant::now();
            let html = pages.render(page, s.cycle).unwrap();
            let first = ms(t);
            if page == "board" {
                size = html.len();
            }
            let mut times: Vec<f64> = (0..15)
                .map(|_| {
                    let t = Instant::now();
                    pages.render(page, s.cycle).unwrap();
                    ms(t)
                })
                .collect();
            times.sort_by(f64::total_cmp);
            cells.push(format!("{first:.1} / {:.1} ms", times[times.len() / 2]));
        }
        println!(
            "| {ballots} | {} | {} | {} | {} | {} | {} | {} KB | {entry:.2} ms | {funnel:.1} ms |",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5],
            size / 1024
        );
    }
    println!();
}

fn seal_at_size(dir: &std::path::Path) {
    println!("## Seal and verify (500 proposals, file stores)\n");
    println!(
        "| ballots | seal on the cadre's tablet | records it adds | bytes it adds | phone takes in the seal | verify on the phone (from bytes) |"
    );
    println!("|---|---|---|---|---|---|");
    for ballots in [5_000, 20_000, 100_000] {
        let s = synth::cycle(ballots, 500, ballots);
        let cadre = Store::open_with_keys(
            dir.join(format!("seal-cadre-{ballots}.db")),
            &MemoryKeyStore([1; 32]),
        )
        .unwrap();
        cadre.follow_cycle(s.cycle, s.genesis).unwrap();
        for chunk in s.records.chunks(10_000) {
            cadre.import(s.cycle, chunk).unwrap();
        }
        let before = cadre.export(s.cycle).unwrap().len();
        let t = Instant::now();
        let seal = cadre.seal(s.cycle, "投票截止").unwrap();
        let sealing = ms(t);
        let added: Vec<_> = cadre.export(s.cycle).unwrap().split_off(before);
        let bytes: usize = added.iter().map(|r| r.signed.len() + 64).sum();
        let phone = Store::open_with_keys(
            dir.join(format!("seal-phone-{ballots}.db")),
            &MemoryKeyStore([2; 32]),
        )
        .unwrap();
        phone.follow_cycle(s.cycle, s.genesis).unwrap();
        for chunk in s.records.chunks(10_000) {
            phone.import(s.cycle, chunk).unwrap();
        }
        let t = Instant::now();
        phone.import(s.cycle, &added).unwrap();
        let taking = ms(t);
        let t = Instant::now();
        let audit = phone.audit_against_device(s.cycle).unwrap();
        let verifying = ms(t);
        let report = audit.state.seal_report();
        assert!(audit.matches_device_state);
        assert_eq!(report.seal, Some(seal));
        assert_eq!(report.sealed_ballots, ballots);
        println!(
            "| {ballots} | {sealing:.0} ms | {} | {bytes} ({:.1} per ballot) | {taking:.0} ms | {verifying:.0} ms |",
            added.len(),
            bytes as f64 / ballots as f64
        );
    }
    println!();
}

/// A gated final payment over `raters` ratings: a cycle is carried through the vote, the
/// council, a sealed tender and the works on file stores, every rater rates, and the cadre
/// releases the final instalment (the ratings named in record lists). Timed: the release on the
/// tablet, and a phone's verify from the bytes.
fn release_over_ratings(dir: &std::path::Path, raters: usize) {
    use linli_core::Fen;
    use linli_core::identity::DeviceSecret;
    use linli_core::record::envelope::{Draft, SignedRecord};
    use linli_core::record::evaluation::{
        CompletionReport, Instalment, InstalmentSchedule, Rating,
    };
    use linli_core::record::roll::{Role, RollEntry};
    use linli_core::record::tender::{Award, Tender};
    use linli_core::{Phase, store::StoreError};
    let s = synth::cycle(raters, 5, raters);
    let open = |name: &str, seed: u8| {
        let st = Store::open_with_keys(dir.join(name), &MemoryKeyStore([seed; 32])).unwrap();
        st.follow_cycle(s.cycle, s.genesis).unwrap();
        st
    };
    let share = |from: &Store, to: &Store| {
        to.import(s.cycle, &from.export(s.cycle).unwrap()).unwrap();
    };
    let cadre = open("release-cadre.db", 1);
    for chunk in s.records.chunks(10_000) {
        cadre.import(s.cycle, chunk).unwrap();
    }
    let council = open("release-council.db", 50);
    let builder = open("release-builder.db", 51);
    for (store, role, member) in [
        (&council, Role::Council, 1u128),
        (&builder, Role::Contractor, 2),
    ] {
        cadre
            .submit(
                s.cycle,
                Body::RollEntry(RollEntry {
                    member: uuid::Uuid::from_u128(900_000 + member),
                    display_name: format!("{role:?}"),
                    device_key: Some(store.device_key()),
                    age_band: None,
                    roles: [role].into_iter().collect(),
                    age_15_plus: true,
                    attestation: "当面核验".into(),
                }),
            )
            .unwrap();
    }
    cadre.seal(s.cycle, "封存").unwrap();
    cadre.advance_phase(s.cycle, Phase::Resolution, "").unwrap();
    share(&cadre, &council);
    council.resolve_as_sealed(s.cycle, "决议").unwrap();
    share(&council, &cadre);
    cadre.advance_phase(s.cycle, Phase::Tender, "").unwrap();
    let (project, funded) = cadre
        .state(s.cycle)
        .unwrap()
        .resolution
        .unwrap()
        .funded
        .into_iter()
        .next()
        .expect("a funded project");
    // Long enough for the contractor's device to take in the cycle and bid, even in a debug build.
    let deadline = chrono::Utc::now() + chrono::Duration::seconds(10);
    let tender = cadre
        .submit(
            s.cycle,
            Body::Tender(Tender {
                project,
                budget: funded,
                deadline,
                requirements: "按提案实施".into(),
                sealed_bids: true,
            }),
        )
        .unwrap();
    share(&cadre, &builder);
    builder
        .sealed_bid(s.cycle, tender, funded, "按期完工", 30)
        .unwrap();
    share(&builder, &cadre);
    std::thread::sleep((deadline - chrono::Utc::now()).to_std().unwrap_or_default());
    std::thread::sleep(std::time::Duration::from_millis(5));
    cadre.close_bids(s.cycle, tender).unwrap();
    share(&cadre, &builder);
    let bid = builder
        .open_bid(s.cycle, tender, funded, "按期完工", 30)
        .unwrap();
    share(&builder, &cadre);
    let award = cadre
        .submit(
            s.cycle,
            Body::Award(Award {
                tender,
                bid,
                reason: "唯一投标".into(),
            }),
        )
        .unwrap();
    let half = Fen(funded.get() / 2);
    cadre
        .submit(
            s.cycle,
            Body::InstalmentSchedule(InstalmentSchedule {
                award,
                instalments: vec![
                    Instalment {
                        label: "预付款".into(),
                        amount: half,
                        requires_satisfaction: false,
                    },
                    Instalment {
                        label: "尾款".into(),
                        amount: Fen(funded.get() - half.get()),
                        requires_satisfaction: true,
                    },
                ],
            }),
        )
        .unwrap();
    cadre
        .advance_phase(s.cycle, Phase::Implementation, "")
        .unwrap();
    cadre
        .release_next_instalment(s.cycle, project, "预付款")
        .unwrap();
    share(&cadre, &builder);
    builder
        .submit(
            s.cycle,
            Body::CompletionReport(CompletionReport {
                project,
                text: "完工".into(),
                photos: vec![],
            }),
        )
        .unwrap();
    share(&builder, &cadre);
    cadre.advance_phase(s.cycle, Phase::Evaluation, "").unwrap();
    let evaluation = cadre.state(s.cycle).unwrap().phase.1;
    let now = chrono::Utc::now();
    let ratings: Vec<SignedRecord> = (0..raters)
        .map(|i| {
            SignedRecord::sign(
                &DeviceSecret::from_seed(&resident_seed(i)),
                &Draft {
                    cycle: s.cycle,
                    seq: 100,
                    time: now,
                    phase: Some(evaluation),
                    body: Body::Rating(Rating {
                        project,
                        stars: if i % 10 == 0 { 3 } else { 5 },
                        comment: String::new(),
                    }),
                },
            )
        })
        .collect();
    cadre.import(s.cycle, &ratings).unwrap();
    let before = cadre.export(s.cycle).unwrap().len();
    let t = Instant::now();
    let released: Result<_, StoreError> =
        cadre.release_next_instalment(s.cycle, project, "尾款：满意度达标");
    let releasing = ms(t);
    released.unwrap();
    let added = cadre.export(s.cycle).unwrap().split_off(before);
    let bytes: usize = added.iter().map(|r| r.signed.len() + 64).sum();
    let phone = open("release-phone.db", 52);
    share(&cadre, &phone);
    let t = Instant::now();
    let audit = phone.audit_against_device(s.cycle).unwrap();
    let verifying = ms(t);
    assert!(audit.matches_device_state);
    let schedule = audit.state.projects[&project].schedule.unwrap();
    assert!(audit.state.schedules[&schedule].released[1].is_some());
    println!("## Gated release over {raters} ratings (file stores)\n");
    println!(
        "| ratings | release on the tablet | records it adds | bytes | verify on a phone (whole cycle, from bytes) |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {raters} | {releasing:.0} ms | {} | {bytes} | {verifying:.0} ms |\n",
        added.len()
    );
}
