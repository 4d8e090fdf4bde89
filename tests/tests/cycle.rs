//! A whole PB cycle across 30+ simulated devices (the `linli demo` story), and the `linli` command
//! run on its databases as a cadre or an auditor would.

use linli_cli::demo::{self, DemoOptions};
use linli_core::Exclusion;
use linli_tests::POOL;
use std::process::Command;

#[test]
fn a_whole_cycle_converges_on_every_device_with_a_verifiable_tally() {
    let dir = tempfile::tempdir().unwrap();
    let r = demo::run(dir.path(), &DemoOptions { residents: 30 }).unwrap();
    assert!(r.converged, "every device must hold identical state");
    assert!(
        r.audit_matches,
        "re-verifying and refolding from scratch must give the same state"
    );
    assert_eq!(r.devices, 34);
    assert_eq!(
        r.sealed_ballots,
        29 + 2,
        "every resident but the offline one is sealed, and the two paper sheets"
    );
    assert_eq!(r.sealed_paper, 2);
    assert_eq!(
        r.comments, 4,
        "two on the paper proposal, two at the council meeting"
    );
    let voted = r.funnel.iter().find(|s| s.0 == "voted").unwrap();
    assert_eq!((voted.1, voted.2, voted.3), (31, 29, 2));
    assert_eq!(
        r.late_ballots, 1,
        "the ballot cast after the seal is listed as late"
    );
    let codes: Vec<&str> = r.excluded.iter().map(|(_, c)| c.as_str()).collect();
    assert!(codes.contains(&"late_ballot"), "{codes:?}");
    // The stranger's forged ballot is held aside, the tampered one refused: neither is part of
    // the cycle on any device.
    assert!(!codes.contains(&"unknown_signer") && !codes.contains(&"bad_signature"));
    assert_eq!(r.refused, vec!["bad_signature".to_string()]);
    assert_eq!(r.held, 1);
    // Every proposal got feedback: one merged, one rejected, the rest on the ballot.
    let statuses: Vec<&str> = r.proposals.iter().map(|(_, s, _)| s.as_str()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == "merged").count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == "rejected").count(), 1);
    assert!(
        r.proposals.iter().any(|(t, _, _)| t == "院坝休闲座椅"),
        "the paper proposal is on the list"
    );
    // The resolution funds within the pool, and the sealed counts add up to the sealed ballots' picks.
    let total: i64 = r.projects.iter().map(|p| p.funded.get()).sum();
    assert!(total > 0 && total <= POOL.get());
    // The poorly rated project's final instalment is withheld; the others are paid in full.
    assert_eq!(r.blocked_payments.len(), 1);
    assert!(matches!(
        r.blocked_payments[0].1,
        Exclusion::SatisfactionNotMet {
            threshold_pct: 80,
            ..
        }
    ));
    let paid_in_full = r
        .projects
        .iter()
        .filter(|p| p.released == p.scheduled)
        .count();
    assert_eq!(paid_in_full, r.projects.len() - 1);
}

fn linli(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_linli_tests_cli"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_cli_reads_what_the_demo_left() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().to_str().unwrap();
    let (ok, out) = linli(&["demo", "--keep", keep, "--lang", "en", "--residents", "14"]);
    assert!(ok, "{out}");
    assert!(
        out.contains("every device holds identical state and tally: yes"),
        "{out}"
    );
    let db = dir.path().join("cadre-tablet.db");
    let db = db.to_str().unwrap();

    let (ok, out) = linli(&["--db", db, "status", "--json"]);
    assert!(ok, "{out}");
    let status: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(status[0]["community"], "玉林社区");
    assert_eq!(status[0]["phase"], "evaluation");
    assert_eq!(status[0]["late_ballots"], 1);

    let (ok, out) = linli(&["--db", db, "proposals", "--search", "照明", "--json"]);
    assert!(ok, "{out}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut titles: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    titles.sort();
    // "照明" is in one title and in the other proposal's description ("应急照明").
    assert_eq!(titles, vec!["小区夜间照明改造", "楼道消防设施更新"]);

    let (ok, out) = linli(&["--db", db, "records", "--invalid", "--json"]);
    assert!(ok, "{out}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let codes: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    // The tampered and the stranger's records are not part of the cycle.
    assert!(
        codes.contains(&"late_ballot")
            && !codes.contains(&"bad_signature")
            && !codes.contains(&"unknown_signer"),
        "{codes:?}"
    );

    let (ok, out) = linli(&["--db", db, "--lang", "zh", "records", "--invalid"]);
    assert!(ok);
    assert!(out.contains("不在封票记录"), "{out}");

    let (ok, out) = linli(&["--db", db, "audit", "--json"]);
    assert!(ok, "{out}");
    assert!(out.contains("\"matches_device_state\": true"));

    // The auditor's verification: every excluded ballot with its reason.
    let (ok, out) = linli(&["--db", db, "verify", "--json"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["matches_device_state"], true);
    let reasons: Vec<&str> = v["report"]["excluded_ballots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["excluded"]["code"].as_str().unwrap())
        .collect();
    for code in ["late_ballot", "superseded"] {
        assert!(reasons.contains(&code), "{code} missing from {reasons:?}");
    }
    for code in ["unknown_signer", "bad_signature"] {
        assert!(!reasons.contains(&code), "{code} in {reasons:?}");
    }
    let selected: Vec<String> = v["report"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["selected"] == true)
        .map(|l| l["proposal"].as_str().unwrap().to_string())
        .collect();

    // The timeline of the poorly built project: every step from the paper proposal to the ratings,
    // oldest first, with the residents' report and the cadre's response, and amounts in fen.
    let (ok, out) = linli(&["--db", db, "projects", "--json"]);
    assert!(ok, "{out}");
    let projects: serde_json::Value = serde_json::from_str(&out).unwrap();
    let poor = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["payments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|pay| pay["released_by"].is_null())
        })
        .expect("one project's last instalment is withheld");
    let (ok, out) = linli(&[
        "--db",
        db,
        "timeline",
        poor["id"].as_str().unwrap(),
        "--json",
    ]);
    assert!(ok, "{out}");
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    let first = |k: &str| {
        kinds
            .iter()
            .position(|x| *x == k)
            .unwrap_or_else(|| panic!("{k} missing from {kinds:?}"))
    };
    let order = [
        "proposal",
        "review",
        "seal",
        "resolution",
        "tender",
        "sealed_bid",
        "bid_closing",
        "bid_opening",
        "award",
        "instalment_schedule",
        "monitoring_report",
        "report_response",
        "completion_report",
        "rating",
    ];
    for w in order.windows(2) {
        assert!(
            first(w[0]) < first(w[1]),
            "{} before {} in {kinds:?}",
            w[0],
            w[1]
        );
    }
    assert!(
        !kinds.contains(&"ballot"),
        "ballots are counted, not listed"
    );
    assert!(
        rows[0]["text"]
            .as_str()
            .unwrap()
            .contains(poor["title"].as_str().unwrap())
    );
    let ratings = rows.iter().filter(|r| r["kind"] == "rating").count();
    assert!(ratings >= 10, "{ratings}");
    assert!(
        rows.iter()
            .all(|r| r["valid"] == true && r["actor_name"].is_string())
    );
    let funded = rows.iter().find(|r| r["kind"] == "resolution").unwrap();
    assert_eq!(funded["amount"], poor["funded"]);
    // The withheld final instalment never became a record: one fewer release than instalments.
    let releases = kinds.iter().filter(|k| **k == "payment_release").count();
    assert_eq!(releases, 2, "{kinds:?}");
    let (ok, out) = linli(&[
        "--db",
        db,
        "--lang",
        "en",
        "timeline",
        "00000000-0000-0000-0000-000000000000",
        "--json",
    ]);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "[]");
    let (ok, out) = linli(&["--db", db, "--lang", "en", "timeline", "楼道"]);
    assert!(!ok && out.contains("several proposals match"), "{out}");

    // A cadre at the community-centre PC invites a new phone and registers its key.
    let (ok, invite) = linli(&["--db", db, "invite"]);
    assert!(ok, "{invite}");
    let invite = linli_core::invite::Invite::parse(&invite).expect("an invite");
    assert_eq!(
        invite.cycle.to_string(),
        status[0]["cycle"].as_str().unwrap()
    );
    let key = "cd".repeat(32);
    let (ok, out) = linli(&[
        "--db",
        db,
        "register",
        "--name",
        "新居民",
        "--key",
        &key,
        "--role",
        "resident",
    ]);
    assert!(ok, "{out}");
    let (ok, out) = linli(&["--db", db, "members", "--json"]);
    assert!(ok && out.contains("新居民"), "{out}");
    let (ok, out) = linli(&[
        "--db", db, "--lang", "en", "register", "--name", "x", "--key", &key, "--role", "mayor",
    ]);
    assert!(!ok && out.contains("unknown role"), "{out}");

    // The sealed cycle exported as Pabulib gives the same selection under the same rule.
    let pb = dir.path().join("cycle.pb");
    let (ok, out) = linli(&[
        "--db",
        db,
        "pabulib",
        "export",
        "--out",
        pb.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let (ok, out) = linli(&["pabulib", "tally", pb.to_str().unwrap(), "--rule", "greedy"]);
    assert!(ok, "{out}");
    let mut from_file: Vec<String> = out.lines().map(String::from).collect();
    let mut sealed = selected.clone();
    from_file.sort();
    sealed.sort();
    assert_eq!(from_file, sealed);

    // Voter ids in an export are pseudonyms for that export: no member id appears, and a second
    // export pairs ids with votes differently, so neither joins with the roll or the other.
    let votes_of = |path: &std::path::Path| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(path).unwrap();
        let body = &text[text.find("VOTES").unwrap()..];
        body.lines()
            .skip(2)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (id, vote) = l.split_once(';').unwrap();
                (id.to_string(), vote.split(';').next().unwrap().to_string())
            })
            .collect()
    };
    let pb2 = dir.path().join("again.pb");
    let (ok, out) = linli(&[
        "--db",
        db,
        "pabulib",
        "export",
        "--out",
        pb2.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let (first, second) = (votes_of(&pb), votes_of(&pb2));
    let (ok, members) = linli(&["--db", db, "members", "--json"]);
    assert!(ok, "{members}");
    assert!(first.len() > 8);
    let members: serde_json::Value = serde_json::from_str(&members).unwrap();
    let text = std::fs::read_to_string(&pb).unwrap();
    for m in members.as_array().unwrap() {
        let id = m["member"]
            .as_str()
            .or(m["id"].as_str())
            .expect("member id");
        assert!(!text.contains(id), "the export names member {id}");
    }
    let mut ids: Vec<usize> = first.iter().map(|(id, _)| id.parse().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, (1..=first.len()).collect::<Vec<_>>());
    assert_ne!(first, second, "each export draws its own pseudonyms");
    let (mut a, mut b): (Vec<_>, Vec<_>) = (
        first.iter().map(|(_, v)| v.clone()).collect(),
        second.iter().map(|(_, v)| v.clone()).collect(),
    );
    a.sort();
    b.sort();
    assert_eq!(a, b, "the same votes");

    // Bundles: all records as chunk files (too many for QR codes, so 2,000-byte chunks and no
    // QR images), imported back in reverse order (nothing new), and a corrupt chunk refused with
    // a typed error.
    let chunks = dir.path().join("chunks");
    let (ok, out) = linli(&[
        "--db",
        db,
        "--lang",
        "en",
        "bundle",
        "export",
        "--chunks",
        chunks.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("too many records for QR codes"), "{out}");
    let mut files: Vec<String> = std::fs::read_dir(&chunks)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() > 1);
    assert!(
        files
            .iter()
            .all(|f| std::fs::metadata(f).unwrap().len() <= 2_000)
    );
    files.sort();
    files.reverse();
    let mut args = vec!["--db", db, "--lang", "en", "bundle", "import"];
    args.extend(files.iter().map(String::as_str));
    let (ok, out) = linli(&args);
    assert!(ok && out.contains(": 0 new records"), "{out}");
    let mut bad = std::fs::read(&files[0]).unwrap();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    std::fs::write(&files[0], bad).unwrap();
    let (ok, out) = linli(&args);
    assert!(!ok && out.contains("damaged"), "{out}");
    // The whole cycle cannot be shown as QR codes: a clear refusal, with what to do instead.
    let (ok, out) = linli(&["--db", db, "--lang", "en", "bundle", "export", "--qr"]);
    assert!(
        !ok && out.contains("too many for QR codes") && out.contains("--for"),
        "{out}"
    );
    // What a phone sends the tablet (here nothing new) fits in QR codes: each chunk is written as
    // bytes, as the base45 text its code carries, and as the code; the text imports.
    let (ok, key) = linli(&["--db", db, "key"]);
    assert!(ok, "{key}");
    let phone = dir.path().join("resident-00.db");
    let qr = dir.path().join("qr");
    let (ok, out) = linli(&[
        "--db",
        phone.to_str().unwrap(),
        "--lang",
        "en",
        "bundle",
        "export",
        "--for",
        key.lines().next().unwrap().trim(),
        "--chunks",
        qr.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("→ 1 chunks"), "{out}");
    let svg = std::fs::read_to_string(qr.join("chunk-00001.svg")).unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    let text = qr.join("chunk-00001.txt");
    let body = std::fs::read_to_string(&text).unwrap();
    assert!(
        body.bytes()
            .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c))
    );
    let (ok, out) = linli(&[
        "--db",
        db,
        "--lang",
        "en",
        "bundle",
        "import",
        text.to_str().unwrap(),
    ]);
    assert!(ok && out.contains(": 0 new records"), "{out}");

    for cmd in ["members", "projects"] {
        let (ok, out) = linli(&["--db", db, cmd]);
        assert!(ok && !out.is_empty(), "{cmd}: {out}");
    }
    // A missing database is a clear error, not a new empty file.
    let missing = dir.path().join("nope.db");
    let (ok, out) = linli(&["--db", missing.to_str().unwrap(), "--lang", "en", "status"]);
    assert!(!ok && out.contains("no database at"), "{out}");
    assert!(!missing.exists());
}

/// Two cycles of the same year on one tablet: the default cycle of every command is the newest
/// one, as `--help` says (it used to be the oldest of the year).
#[test]
fn the_default_cycle_is_the_newest() {
    use linli_core::record::cycle::{Genesis, SatisfactionRule, VotingRules};
    use linli_core::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tablet.db");
    let store = Store::open(&db).unwrap();
    let genesis = |title: &str| Genesis {
        community: "玉林社区".into(),
        year: 2026,
        title: title.into(),
        budget_pool: linli_core::Fen::yuan(300_000),
        calendar: vec![],
        voting: VotingRules::approval(1, 3),
        satisfaction: SatisfactionRule::default(),
        founder_member: uuid::Uuid::now_v7(),
        founder_name: "书记".into(),
        programme: Default::default(),
    };
    let _older = store.create_cycle(genesis("上半年")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2));
    let newer = store.create_cycle(genesis("下半年")).unwrap();
    assert_eq!(store.cycles().unwrap()[0].cycle, newer);
    drop(store);
    let (ok, out) = linli(&["--db", db.to_str().unwrap(), "invite"]);
    assert!(ok, "{out}");
    let invite = linli_core::invite::Invite::parse(out.trim()).expect("an invite");
    assert_eq!(invite.cycle, newer);
}

/// The README's "Run a real cycle" block, run exactly as written on four database files, then
/// checked on every device: the same sealed tally, the council's deviation with its reason, both
/// instalments paid. Then the exit codes a script relies on.
#[test]
fn the_readme_walkthrough_runs_a_whole_cycle_from_the_command_line() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let block = readme
        .split("<!-- walkthrough -->\n```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```\n<!-- /walkthrough -->").next())
        .expect("the README has the walkthrough block");
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_linli_tests_cli"), bin.join("linli")).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", block])
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("LINLI_DB")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");

    let db = |name: &str| dir.path().join(format!("{name}.db"));
    let json = |args: &[&str]| -> serde_json::Value {
        let (ok, out) = linli(args);
        assert!(ok, "{args:?}: {out}");
        serde_json::from_str(&out).unwrap()
    };
    let tally = |d: &str| {
        let v = json(&["--db", db(d).to_str().unwrap(), "verify", "--json"]);
        assert_eq!(v["matches_device_state"], true, "{d}");
        v["report"]["result"].clone()
    };
    let reference = tally("tablet");
    assert_eq!(reference.as_array().unwrap().len(), 2);
    for d in ["phone", "council", "builder"] {
        assert_eq!(tally(d), reference, "{d}");
    }
    let v = json(&["--db", db("council").to_str().unwrap(), "verify", "--json"]);
    assert!(v.to_string().contains("改用节能灯具"), "{v}");
    // Paper beside the phone: her sheet is counted, the funnel says so, and the resolution names
    // the meeting whose comment from home stays attached to it.
    assert_eq!(v["report"]["sealed_paper"], 1, "{v}");
    let meeting = v["report"]["resolution"]["meeting"]
        .as_str()
        .expect("the meeting")
        .to_string();
    let comments = json(&[
        "--db",
        db("tablet").to_str().unwrap(),
        "comments",
        &meeting,
        "--json",
    ]);
    assert_eq!(comments[0]["text"], "路灯请用暖光", "{comments}");
    assert_eq!(comments[0]["in_hall"], false);
    let funnel = json(&["--db", db("tablet").to_str().unwrap(), "funnel", "--json"]);
    let voted = &funnel["steps"][3];
    assert_eq!(
        (voted["phone"].as_u64(), voted["paper"].as_u64()),
        (Some(1), Some(1)),
        "{funnel}"
    );
    assert_eq!(funnel["steps"][2]["total"], 1, "one commenter");
    let projects = json(&["--db", db("tablet").to_str().unwrap(), "projects", "--json"]);
    let rail = projects
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "楼道加装扶手")
        .unwrap();
    let paid = rail["payments"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["released_by"].is_null())
        .count();
    assert_eq!(paid, 2, "{rail}");

    // A refusal: the phone cannot seal. Exit 3, the reason in the chosen language, no change.
    let phone = db("phone");
    let phone = phone.to_str().unwrap();
    let before = json(&["--db", phone, "status", "--json"]);
    let out = Command::new(env!("CARGO_BIN_EXE_linli_tests_cli"))
        .args(["--db", phone, "--lang", "zh", "seal"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("错误"));
    assert_eq!(json(&["--db", phone, "status", "--json"]), before);
    // Usage: a bad amount; I/O: a database in a directory that does not exist.
    let code = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_linli_tests_cli"))
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(
        code(&[
            "--db",
            phone,
            "propose",
            "--title",
            "x",
            "--description",
            "x",
            "--location",
            "x",
            "--budget",
            "a=1.234"
        ]),
        Some(2)
    );
    assert_eq!(code(&["--db", "/nonexistent/dir/x.db", "init"]), Some(4));
    assert_eq!(json(&["--db", phone, "status", "--json"]), before);
}

/// The programme's rules from the command line: a cycle that excludes education refuses an
/// education proposal with the programme's reason (exit 3, in Chinese), offers capacity building,
/// and a cadre re-categorises a proposal with a reason.
#[test]
fn the_programme_refuses_excluded_project_types_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tablet.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_linli_tests_cli"))
            .args(["--db", db, "--lang", "zh"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        )
    };
    assert_eq!(run(&["init"]).0, Some(0));
    let (code, _, err) = run(&[
        "cycle",
        "create",
        "--community",
        "玉林社区",
        "--year",
        "2026",
        "--title",
        "t",
        "--pool",
        "300000",
        "--founder",
        "李书记",
        "--category",
        "facilities",
        "--category",
        "capacity_building",
        "--exclude",
        "education=项目须由社区居民推动",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(run(&["phase", "next"]).0, Some(0));
    let propose = |category: &str| {
        run(&[
            "proposal",
            "enter",
            "--on-behalf-of",
            "李大爷",
            "--title",
            "课桌",
            "--description",
            "学校需要",
            "--location",
            "小学",
            "--category",
            category,
            "--budget",
            "全部=1000",
        ])
    };
    let (code, _, err) = propose("education");
    assert_eq!(code, Some(3), "{err}");
    assert!(
        err.contains("本周期不资助“教育”类项目：项目须由社区居民推动"),
        "{err}"
    );
    let (code, _, err) = propose("greening");
    assert_eq!(code, Some(3), "not offered: {err}");
    let (code, id, err) = propose("facilities");
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&[
        "recategorise",
        &id,
        "--category",
        "capacity_building",
        "--reason",
        "属于能力建设",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (_, list, _) = run(&["--json", "proposals"]);
    assert!(list.contains("capacity_building"), "{list}");
}
