//! Reading a long journal (a benchmark, not a test): writes a journal of
//! 100 000 lines (deactivations and reactivations of a few keys, intent and
//! outcome each, one damaged line in a thousand), then times
//! `Journal::read`, the status-style assessment (read, open intents, the
//! policy for each key) and the text of `rootkeys journal`.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use rootkeys::commands::journal as journal_cmd;
use rootkeys::domain::policy;
use rootkeys::domain::record::{Act, Outcome, Phase, Record};
use rootkeys::domain::{KeyStatus, RootKey};
use rootkeys::journal::{Journal, outcome_of};

const ACCOUNT: &str = "123456789012";
const LINES: usize = 100_000;
const RUNS: usize = 5;
const KEYS: [&str; 2] = ["AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEOLDKEY002"];

fn main() {
    let dir = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(dir.path(), ACCOUNT).expect("journal");
    let t0: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let mut text = String::with_capacity(LINES * 300);
    let mut lines = 0;
    let mut op = 0;
    while lines < LINES {
        if lines % 1000 == 999 {
            text.push_str("{\"damaged\": \n");
            lines += 1;
            continue;
        }
        let time = t0 + TimeDelta::seconds(i64::try_from(lines).expect("small"));
        let key = KEYS[op % KEYS.len()];
        let action = if (op / KEYS.len()).is_multiple_of(2) {
            Act::Deactivate
        } else {
            Act::Reactivate
        };
        let intent: Record = journal.record(
            time,
            "arn:aws:iam::123456789012:root",
            key,
            action,
            Phase::Intent,
            &format!("op-{op}"),
        );
        let outcome = outcome_of(&intent, time, Outcome::Ok);
        for r in [&intent, &outcome] {
            text.push_str(&serde_json::to_string(r).expect("json"));
            text.push('\n');
        }
        lines += 2;
        op += 1;
    }
    std::fs::write(journal.path(), &text).expect("write journal");
    let keys: Vec<RootKey> = KEYS
        .iter()
        .map(|id| RootKey {
            access_key_id: Some((*id).to_owned()),
            slot: None,
            status: KeyStatus::Inactive,
            created: None,
            last_used: None,
            signs_this_session: false,
        })
        .collect();
    let now = t0 + TimeDelta::days(30);

    println!(
        "Journal of {LINES} lines ({} MB), best and median of {RUNS} runs:",
        text.len() / 1_000_000
    );
    println!();
    println!("| journal, {LINES} lines | best | median |");
    println!("|---|---|---|");
    row("`Journal::read` (read and parse)", || {
        let contents = journal.read().expect("read");
        assert_eq!(contents.lines, LINES);
    });
    row("status-style: read, open intents, policy per key", || {
        let contents = journal.read().expect("read");
        assert!(contents.open_intents().is_empty());
        let records = contents.records();
        for key in &keys {
            std::hint::black_box(policy::assess(key, &records, now, TimeDelta::days(7)));
        }
    });
    row("`rootkeys journal` text (streamed)", || {
        let bytes = journal.read_bytes().expect("read");
        let mut out = Vec::with_capacity(bytes.len());
        journal_cmd::write_text(&mut out, &bytes, ACCOUNT).expect("write");
        assert_eq!(out.split(|b| *b == b'\n').count(), LINES + 1);
    });
}

fn row(what: &str, mut f: impl FnMut()) {
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    println!(
        "| {what} | {:.0} ms | {:.0} ms |",
        samples[0].as_secs_f64() * 1e3,
        samples[samples.len() / 2].as_secs_f64() * 1e3
    );
}
