//! Start-up of the interactive view against the root-aware moto server, as a
//! person sees it in a pseudo-terminal (a benchmark, not a test): time to the
//! first frame, time until the keys table is filled, one round trip for
//! comparison, and the process's peak memory. Needs the test virtualenv
//! (`scripts/setup-venv`); `scripts/bench` runs it.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use support::pty::Pty;
use support::{Moto, Rootkeys, create_user_with_keys, seed_root};

const RUNS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn wait(pty: &Pty, pred: impl Fn(&str) -> bool) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if pred(&pty.screen()) {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "timed out; screen:\n{}",
            pty.screen()
        );
        std::thread::sleep(Duration::from_micros(500));
    }
}

fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let moto = Moto::start();
    let (keys, session) = runtime.block_on(async {
        let keys = seed_root(&moto).await;
        let session = create_user_with_keys(&moto, "root-session", 1)
            .await
            .remove(0);
        (keys, session)
    });
    let rk = Rootkeys::new(&moto);
    let env = rk.env(&session);
    let sts = moto.sts(&session.id, &session.secret);

    let (mut first, mut filled, mut rtt, mut peak) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..=RUNS {
        let started = Instant::now();
        let mut pty = Pty::spawn(&[], &env, 120, 40);
        let shown = wait(&pty, |s| s.contains("rootkeys"));
        let done = wait(&pty, |s| s.contains(&keys[1].id));
        let kib = pty.pid().map_or(0, peak_kib);
        pty.send("q");
        let _ = pty.wait_exit(Duration::from_secs(20));
        let one = Instant::now();
        runtime
            .block_on(sts.get_caller_identity().send())
            .expect("round trip");
        let one = one.elapsed();
        if run == 0 {
            continue; // warm-up
        }
        first.push(shown - started);
        filled.push(done - shown);
        rtt.push(one);
        peak.push(kib);
    }
    peak.sort_unstable();
    println!(
        "| measure (median of {RUNS}, 120x40 PTY, live view against the local server) | value |"
    );
    println!("|---|---|");
    println!(
        "| process start to first frame | {:.1} ms |",
        median(first).as_secs_f64() * 1e3
    );
    println!(
        "| first frame to keys table filled | {:.1} ms |",
        median(filled).as_secs_f64() * 1e3
    );
    println!(
        "| one STS round trip (warm SDK client) | {:.1} ms |",
        median(rtt).as_secs_f64() * 1e3
    );
    let kib = u32::try_from(peak[peak.len() / 2]).unwrap_or(u32::MAX);
    println!(
        "| peak memory of the interactive view | {:.1} MiB |",
        f64::from(kib) / 1024.0
    );
}
