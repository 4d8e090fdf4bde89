//! Runs the demo in the directory given as the only argument, looping until killed. Used by the
//! SIGKILL crash test.

fn main() {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).expect("a directory"));
    for round in 0.. {
        let sub = dir.join(format!("round{round}"));
        std::fs::create_dir_all(&sub).expect("create dir");
        linli_cli::demo::run(&sub, &linli_cli::demo::DemoOptions { residents: 14 }).expect("demo");
    }
}
