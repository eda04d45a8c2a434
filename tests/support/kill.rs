//! Killing the real binary on its write path, and checking what each kill
//! left behind: the journal (no byte written before the kill changed, no
//! damaged line), the next run (`rootkeys status --json` settles every open
//! intent) and the live state (each key is in AWS what the journal's last
//! settled outcome says).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_iam::types::StatusType;
use rootkeys::domain::record::{Act, Phase};
use rootkeys::failpoint;
use rootkeys::journal::Contents;

use super::{Keys, Rootkeys, Run};

/// `ROOTKEYS_KILL_SEED=N` (decimal or `0x` hex) replays the random kills of
/// an earlier run.
pub const SEED_ENV: &str = "ROOTKEYS_KILL_SEED";

/// The seed of this run: [`SEED_ENV`] when set, else a fresh one. Print it.
pub fn seed() -> u64 {
    if let Ok(text) = std::env::var(SEED_ENV) {
        return parse_u64(&text)
            .unwrap_or_else(|| panic!("{SEED_ENV}={text:?} is not a number (decimal or 0x hex)"));
    }
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let low = u64::try_from(nanos & u128::from(u64::MAX)).unwrap_or_default();
    low ^ (u64::from(std::process::id()) << 40)
}

/// A number from the environment: decimal or `0x` hex.
pub fn parse_u64(text: &str) -> Option<u64> {
    let text = text.trim().replace('_', "");
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// A small seeded generator (`SplitMix64`): the same seed gives the same
/// kill offsets.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0; the modulo bias is far below anything
    /// a test could notice).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// An offset in `0..span`, to the microsecond.
    pub fn offset(&mut self, span: Duration) -> Duration {
        let micros = u64::try_from(span.as_micros()).unwrap_or(u64::MAX);
        Duration::from_micros(self.below(micros))
    }
}

/// Where a run is killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kill {
    /// `ROOTKEYS_FAILPOINT`: the binary exits (status 86) at this step of
    /// the write path, as a crash would.
    At(&'static str),
    /// SIGKILL this long after the start (the kills between the steps).
    Signal(Duration),
}

impl fmt::Display for Kill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::At(point) => write!(f, "crash at {point}"),
            Self::Signal(after) => write!(f, "SIGKILL after {} µs", after.as_micros()),
        }
    }
}

/// How a killed run ended.
#[derive(Debug)]
pub enum Ended {
    /// It exited at the failpoint (status 86), this long after its start.
    Crashed(Duration),
    /// The SIGKILL landed while it ran.
    Killed,
    /// It ended on its own before the kill (or did not reach the failpoint).
    Finished(Run),
}

impl Rootkeys<'_> {
    /// Run the binary with its clock moved by `clock` and kill it as `kill`
    /// says. Returns once the process is gone (a killed process holds no
    /// lock: the kernel releases it).
    pub fn run_killed(&self, keys: &Keys, clock: &str, args: &[&str], kill: Kill) -> Ended {
        super::require_failpoints();
        let mut cmd = self.command(keys);
        cmd.args(args)
            .env(failpoint::CLOCK_ENV, clock)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        match kill {
            Kill::At(point) => {
                let out = cmd
                    .env(failpoint::ENV, point)
                    .output()
                    .expect("run rootkeys");
                let run = Run::new(&out, started.elapsed());
                if run.code == failpoint::EXIT {
                    Ended::Crashed(run.elapsed)
                } else {
                    Ended::Finished(run)
                }
            }
            Kill::Signal(after) => {
                let mut child = cmd.spawn().expect("spawn rootkeys");
                // Positions the kill only: whether it lands mid-run is
                // counted, never asserted.
                std::thread::sleep(after);
                let _ = child.kill();
                let out = child.wait_with_output().expect("wait for rootkeys");
                if out.status.signal() == Some(9) {
                    Ended::Killed
                } else {
                    Ended::Finished(Run::new(&out, started.elapsed()))
                }
            }
        }
    }
}

/// A key's state in AWS, or as the journal says it should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyState {
    Active,
    Inactive,
    Absent,
}

impl KeyState {
    pub fn live(status: Option<&StatusType>) -> Self {
        match status {
            None => Self::Absent,
            Some(StatusType::Active) => Self::Active,
            Some(_) => Self::Inactive,
        }
    }
}

/// What the journal says each key it names is now: the state its last
/// settled write (an outcome other than unknown, or a reconciliation) that
/// took effect left it in. A key starts active, as created; a write that
/// failed or did not take effect changes nothing; an unsettled intent or an
/// unknown outcome says nothing yet.
pub fn journal_states(contents: &Contents) -> BTreeMap<String, KeyState> {
    let mut states = BTreeMap::new();
    for (_, r) in &contents.records {
        let state = states.entry(r.key.clone()).or_insert(KeyState::Active);
        if matches!(r.phase, Phase::Outcome | Phase::Reconciled) && r.applied() {
            match r.action {
                Act::Deactivate => *state = KeyState::Inactive,
                Act::Reactivate => *state = KeyState::Active,
                Act::Delete => *state = KeyState::Absent,
                _ => {}
            }
        }
    }
    states
}

/// The journal's lines about one key, and its last lines, for a failure
/// message.
pub fn excerpt(text: &str, key: Option<&str>) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    if let Some(key) = key {
        out.push_str(&format!("--- journal lines of {key}:\n"));
        for (n, line) in lines.iter().enumerate().filter(|(_, l)| l.contains(key)) {
            out.push_str(&format!("{:>5}: {line}\n", n + 1));
        }
    }
    out.push_str(&format!(
        "--- last lines of the journal ({} lines):\n",
        lines.len()
    ));
    for (n, line) in lines.iter().enumerate().skip(lines.len().saturating_sub(8)) {
        out.push_str(&format!("{:>5}: {line}\n", n + 1));
    }
    out
}

/// After a kill: the journal kept every byte written before it (`before`)
/// and has no damaged line; `rootkeys status --json` (at `clock`) settles
/// every open intent, appending only; the journal then has no open intent
/// and records no change it did not make; and every key is in AWS what the
/// journal's last settled outcome says, as `status` shows it. Returns the
/// journal text after the reconciling run.
pub async fn check_after_kill(
    rk: &Rootkeys<'_>,
    session: &Keys,
    clock: &str,
    before: &str,
    label: &str,
) -> String {
    let killed = rk.journal_text();
    assert!(
        killed.starts_with(before),
        "{label}: journal bytes written before the kill changed\n{}",
        excerpt(&killed, None)
    );
    let contents = rk.journal();
    assert!(
        contents.damaged.is_empty(),
        "{label}: damaged journal lines {:?}\n{}",
        contents.damaged,
        excerpt(&killed, None)
    );

    let status = rk.run_at(session, clock, &["status", "--json"]);
    assert_eq!(status.code, 0, "{label}: the reconciling run: {status:?}");
    let after = rk.journal_text();
    assert!(
        after.starts_with(&killed),
        "{label}: the reconciling run changed earlier journal bytes\n{}",
        excerpt(&after, None)
    );
    let contents = rk.journal();
    settled(&contents, &after, &status, label);

    let live: BTreeMap<String, KeyState> = super::root_keys_live(rk.moto)
        .await
        .into_iter()
        .map(|(id, status)| (id, KeyState::live(Some(&status))))
        .collect();
    let journal = journal_states(&contents);
    for id in live.keys().chain(journal.keys()) {
        let in_aws = live.get(id).copied().unwrap_or(KeyState::Absent);
        let said = journal.get(id).copied().unwrap_or(KeyState::Active);
        assert_eq!(
            in_aws,
            said,
            "{label}: {id} is {in_aws:?} in AWS but the journal's last settled outcome says {said:?}\n{}",
            excerpt(&after, Some(id))
        );
    }
    status_shows(&status.json(), &live, &journal, label);
    after
}

/// After the reconciling run: no damaged line, no open intent, and no
/// observation (nothing but rootkeys changes these keys, so a key found
/// inactive with no window, or active after one, would mean a write the
/// journal settled wrongly).
fn settled(contents: &Contents, text: &str, status: &Run, label: &str) {
    assert!(
        contents.damaged.is_empty(),
        "{label}: damaged journal lines after the reconciling run {:?}",
        contents.damaged
    );
    let open: Vec<String> = contents
        .open_intents()
        .iter()
        .map(|r| format!("{} {} op {}", r.action.verb(), r.key, r.op))
        .collect();
    assert!(
        open.is_empty(),
        "{label}: intents left open after the reconciling run: {open:?}\n{status:?}\n{}",
        excerpt(text, None)
    );
    if let Some((line, r)) = contents
        .records
        .iter()
        .find(|(_, r)| r.phase == Phase::Observed)
    {
        panic!(
            "{label}: line {line}: rootkeys observed a change no journaled write explains ({})\n{}",
            r.action.verb(),
            excerpt(text, Some(&r.key))
        );
    }
}

/// `status --json` lists exactly the live keys, each with its live status
/// and a stage that fits it, and as deleted exactly the keys the journal
/// settled as deleted.
fn status_shows(
    doc: &serde_json::Value,
    live: &BTreeMap<String, KeyState>,
    journal: &BTreeMap<String, KeyState>,
    label: &str,
) {
    let shown: BTreeMap<String, (String, String)> = doc["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| {
            let text = |f: &str| k[f].as_str().unwrap_or_default().to_owned();
            (text("access_key_id"), (text("status"), text("stage")))
        })
        .collect();
    assert_eq!(
        shown.keys().collect::<Vec<_>>(),
        live.keys().collect::<Vec<_>>(),
        "{label}: status lists other keys than AWS holds: {doc}"
    );
    for (id, (status, stage)) in &shown {
        let ok = match live[id] {
            KeyState::Active => status == "Active" && stage == "active",
            KeyState::Inactive => {
                status == "Inactive" && (stage == "observing" || stage == "ready_to_delete")
            }
            KeyState::Absent => false,
        };
        assert!(ok, "{label}: status shows {id} {status} {stage}: {doc}");
    }
    let deleted: BTreeSet<&str> = doc["deleted"]
        .as_array()
        .expect("deleted")
        .iter()
        .filter_map(|d| d["access_key_id"].as_str())
        .collect();
    let gone: BTreeSet<&str> = journal
        .iter()
        .filter(|(_, s)| **s == KeyState::Absent)
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        deleted, gone,
        "{label}: status lists other deleted keys than the journal settled"
    );
}
