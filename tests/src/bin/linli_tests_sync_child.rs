//! Syncs a big synthetic cycle into a fresh device database in many sessions, printing the number
//! of records committed after each, until killed. Used by the SIGKILL-during-sync test.

use linli_core::identity::MemoryKeyStore;
use linli_core::store::Store;
use linli_core::sync::{self, SessionOptions};
use std::io::Write;
use std::sync::Arc;

fn main() {
    let dst_path = std::path::PathBuf::from(std::env::args().nth(1).expect("a database path"));
    let synth = linli_tests::synth::cycle(3_000, 200, 3_000);
    let hub = Arc::new(Store::open_in_memory(&MemoryKeyStore([42; 32])).expect("hub"));
    hub.follow_cycle(synth.cycle, synth.genesis)
        .expect("follow");
    let phone = Arc::new(Store::open(&dst_path).expect("phone"));
    phone
        .follow_cycle(synth.cycle, synth.genesis)
        .expect("follow");
    let mut out = std::io::stdout();
    for batch in synth.records.chunks(150) {
        hub.import(synth.cycle, batch).expect("hub import");
        sync::sync_pair(&phone, &hub, SessionOptions::default()).expect("sync");
        let n = phone.export(synth.cycle).expect("export").len();
        writeln!(out, "{n}").expect("stdout");
        out.flush().expect("flush");
    }
    // Then keep going until killed.
    loop {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
