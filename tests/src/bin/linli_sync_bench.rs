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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("phone") {
        return phone_child(&args[2], &args[3], &args[4]);
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
    if !only.is_empty()
        && only
            .iter()
            .all(|o| o == "seal" || o == "release" || o == "console")
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
        let i = 5_500;
        let phone = Arc::new(Store::open_in_memory(&MemoryKeyStore(resident_seed(i))).unwrap());
        phone.follow_cycle(s.cycle, s.genesis).unwrap();
        let opts = SessionOptions {
            peer_hint: Some(hub.device_key()),
            ..Default::default()
        };
        let t = Instant::now();
        let (p, _) = sync::sync_pair(&phone, hub, opts.clone()).unwrap();
        println!(
            "- first sync of a 5,000-ballot cycle ({} records) to a new phone: {:.0} ms, {} bytes received, {} sent, {} round trips",
            p.records_received,
            ms(t),
            p.bytes_received,
            p.bytes_sent,
            p.messages_received
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
                let p = Arc::new(
                    Store::open_with_keys(
                        dir.path().join(format!("phone-{i}.db")),
                        &MemoryKeyStore(resident_seed(i)),
                    )
                    .unwrap(),
                );
                p.follow_cycle(s.cycle, s.genesis).unwrap();
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
