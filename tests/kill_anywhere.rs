//! Kill-anywhere at scale. The real binary is crashed at every step of the
//! write path (failpoints) and killed with SIGKILL at seeded random offsets
//! between them, for deactivate, reactivate and delete, hundreds of times
//! (`ROOTKEYS_KILL_POINTS`; scripts/bench runs 1,200). After every kill,
//! `rootkeys status --json` reconciles, and: no journal byte written before
//! the kill changed, no line is damaged, no intent is left open, and every
//! key is in AWS (through the SDK, against moto) what the journal's last
//! settled outcome says.
//!
//! Time is the injected clock (a delete runs eight days after the
//! deactivations it follows), never a sleep. The seed is printed;
//! `ROOTKEYS_KILL_SEED` and `ROOTKEYS_KILL_SPAN_MS` replay the same kills.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_iam::types::StatusType;
use rootkeys::domain::record::{Phase, Result as RecordResult};
use rootkeys::failpoint::WRITE_PATH;
use support::kill::{self, Ended, Kill, Rng};
use support::{Keys, Moto, Rootkeys};

/// How many kill points (default [`DEFAULT_POINTS`]).
const POINTS_ENV: &str = "ROOTKEYS_KILL_POINTS";
/// The SIGKILL offsets are drawn from `LO-HI` milliseconds after the start
/// (or `0-HI` when one number is given); by default the span is measured:
/// from when the write path begins to when a write has ended.
const SPAN_ENV: &str = "ROOTKEYS_KILL_SPAN_MS";

/// Where the SIGKILLs fall, after the start of the run.
#[derive(Debug, Clone, Copy)]
struct Span {
    lo: Duration,
    hi: Duration,
}

impl Span {
    fn from_env() -> Option<Self> {
        let text = std::env::var(SPAN_ENV).ok()?;
        let ms = |t: &str| {
            kill::parse_u64(t).map_or_else(
                || panic!("{SPAN_ENV}={text:?}: milliseconds, `HI` or `LO-HI` (e.g. 40-180)"),
                Duration::from_millis,
            )
        };
        let (lo, hi) = match text.split_once('-') {
            Some((lo, hi)) => (ms(lo), ms(hi)),
            None => (Duration::ZERO, ms(&text)),
        };
        assert!(lo < hi, "{SPAN_ENV}={text:?}: LO must be below HI");
        Some(Self { lo, hi })
    }

    fn pick(self, rng: &mut Rng) -> Duration {
        self.lo + rng.offset(self.hi.saturating_sub(self.lo))
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.lo.as_millis(), self.hi.as_millis())
    }
}
/// Six rounds of every step of every action, plus as many SIGKILLs.
const DEFAULT_POINTS: usize = 216;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Deactivate,
    Reactivate,
    Delete,
}

const ACTIONS: [Action; 3] = [Action::Deactivate, Action::Reactivate, Action::Delete];

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Self::Deactivate => "deactivate",
            Self::Reactivate => "reactivate",
            Self::Delete => "delete",
        }
    }

    /// The non-interactive command line of this write.
    fn args(self, key: &str) -> Vec<&str> {
        match self {
            Self::Deactivate | Self::Reactivate => vec![self.verb(), key, "--yes"],
            Self::Delete => vec![self.verb(), key, "--confirm", key],
        }
    }
}

/// The kill of point `i`: actions in turn, and for each action its steps in
/// turn, then as many SIGKILLs at random offsets. Which kill comes where does
/// not depend on how earlier kills landed.
fn schedule(i: usize, rng: &mut Rng, span: Span) -> (Action, Kill) {
    let action = ACTIONS[i % ACTIONS.len()];
    let slot = (i / ACTIONS.len()) % (2 * WRITE_PATH.len());
    let kill = match WRITE_PATH.get(slot) {
        Some(point) => Kill::At(point),
        None => Kill::Signal(span.pick(rng)),
    };
    (action, kill)
}

struct Harness<'a> {
    moto: &'a Moto,
    rk: Rootkeys<'a>,
    session: Keys,
    /// rootkeys' clock, in days from now; it only moves forward.
    days: u64,
    prep_runs: usize,
    keys_created: usize,
}

impl Harness<'_> {
    fn clock(&self) -> String {
        format!("{}d", self.days)
    }

    /// An uninterrupted write, to bring a key where the next kill needs it.
    fn write(&mut self, action: Action, key: &str) -> Duration {
        let run = self
            .rk
            .run_at(&self.session, &self.clock(), &action.args(key));
        assert_eq!(
            run.code,
            0,
            "{} {key} (uninterrupted): {run:?}",
            action.verb()
        );
        self.prep_runs += 1;
        run.elapsed
    }

    /// A root key on which `action` is allowed: an active key to
    /// deactivate, an inactive one to reactivate or delete. Made so with
    /// uninterrupted writes, or a fresh key, when none is.
    async fn key_for(&mut self, action: Action) -> String {
        loop {
            let live = support::root_keys_live(self.moto).await;
            let with = |status: StatusType| {
                live.iter()
                    .find(|(_, s)| *s == status)
                    .map(|(k, _)| k.clone())
            };
            let (active, inactive) = (with(StatusType::Active), with(StatusType::Inactive));
            match action {
                Action::Deactivate => match (active, inactive) {
                    (Some(key), _) => return key,
                    (None, Some(_)) if live.len() < 2 => self.create_key().await,
                    (None, Some(key)) => {
                        self.write(Action::Reactivate, &key);
                    }
                    (None, None) => self.create_key().await,
                },
                Action::Reactivate | Action::Delete => match (inactive, active) {
                    (Some(key), _) => return key,
                    (None, Some(key)) => {
                        self.write(Action::Deactivate, &key);
                    }
                    (None, None) => self.create_key().await,
                },
            }
        }
    }

    async fn create_key(&mut self) {
        support::create_root_key(self.moto).await;
        self.keys_created += 1;
    }

    /// One kill point: a key ready for `action`, the killed run, the checks.
    /// `checked` is the journal as last checked; returns it as checked now.
    async fn kill_point(
        &mut self,
        i: usize,
        action: Action,
        kill: Kill,
        tally: &mut Tally,
        checked: &str,
        replay: &str,
    ) -> String {
        let key = self.key_for(action).await;
        if action == Action::Delete {
            // Every inactive key's window (seven days) has passed.
            self.days += 8;
        }
        let before = self.rk.journal_text();
        assert!(
            before.starts_with(checked),
            "kill point {i}: preparing it changed earlier journal bytes"
        );
        let label = format!(
            "kill point {i}: {} {key}, {kill}, clock +{} d ({replay})",
            action.verb(),
            self.days
        );
        let ended = self
            .rk
            .run_killed(&self.session, &self.clock(), &action.args(&key), kill);
        match (kill, ended) {
            (Kill::At(point), Ended::Crashed) => {
                *tally.crashes.entry((action, point)).or_default() += 1;
            }
            (Kill::Signal(_), Ended::Killed) => {
                let signals = tally.signals.entry(action).or_default();
                signals.landed += 1;
                if !self.rk.journal().open_intents().is_empty() {
                    signals.open_intent += 1;
                }
            }
            (Kill::Signal(_), Ended::Finished(run)) => {
                assert_eq!(
                    run.code, 0,
                    "{label}: a write that ran to its end failed: {run:?}"
                );
                tally.signals.entry(action).or_default().ended_first += 1;
            }
            (_, ended) => panic!("{label}: not killed as planned: {ended:?}"),
        }
        kill::check_after_kill(&self.rk, &self.session, &self.clock(), &before, &label).await
    }

    /// What the journal holds at the end.
    fn journal_summary(&self) -> String {
        let contents = self.rk.journal();
        let settled = |phase: Phase, result: &RecordResult| {
            contents
                .records
                .iter()
                .filter(|(_, r)| r.phase == phase && r.result.as_ref() == Some(result))
                .count()
        };
        format!(
            "after every point: 0 journal bytes changed, 0 damaged lines, 0 open intents, \
             AWS = journal for every key\n\
             journal: {} lines, {} outcomes ok, {} reconciled ok, {} reconciled not applied; \
             {} uninterrupted writes and {} fresh keys to set up the kills; {} keys deleted",
            contents.lines,
            settled(Phase::Outcome, &RecordResult::Ok),
            settled(Phase::Reconciled, &RecordResult::Ok),
            settled(Phase::Reconciled, &RecordResult::NotApplied),
            self.prep_runs,
            self.keys_created,
            kill::journal_states(&contents)
                .values()
                .filter(|s| **s == kill::KeyState::Absent)
                .count(),
        )
    }

    /// Where the write path runs, measured: from a crash at its first step
    /// (the process started and read its credentials) to the end of an
    /// uninterrupted write, and a little beyond, so the SIGKILLs fall
    /// between the steps.
    fn calibrate(&mut self, key: &str) -> Span {
        let median = |mut times: Vec<Duration>| {
            times.sort();
            times[times.len() / 2]
        };
        let starts = (0..3)
            .map(|_| {
                let started = Instant::now();
                let ended = self.rk.run_killed(
                    &self.session,
                    &self.clock(),
                    &Action::Deactivate.args(key),
                    Kill::At(WRITE_PATH[0]),
                );
                assert!(matches!(ended, Ended::Crashed), "calibration: {ended:?}");
                started.elapsed()
            })
            .collect();
        let ends = [
            Action::Deactivate,
            Action::Reactivate,
            Action::Deactivate,
            Action::Reactivate,
            Action::Deactivate,
        ]
        .into_iter()
        .map(|action| self.write(action, key))
        .collect();
        let lo = median(starts);
        let hi = (median(ends) * 9 / 8).max(lo + Duration::from_millis(1));
        Span { lo, hi }
    }
}

#[derive(Default)]
struct Tally {
    crashes: BTreeMap<(Action, &'static str), usize>,
    signals: BTreeMap<Action, Signals>,
}

/// The SIGKILLs of one action.
#[derive(Default, Clone, Copy)]
struct Signals {
    /// Landed while the run ran.
    landed: usize,
    /// Of those, landed between an intent and its outcome.
    open_intent: usize,
    /// The run ended before its SIGKILL.
    ended_first: usize,
}

impl Tally {
    fn summary(&self, points: usize) -> String {
        let mut out = format!("{:<11}", "action");
        for point in WRITE_PATH {
            out.push_str(&format!(" {point:>13}"));
        }
        out.push_str("  SIGKILL mid-run (intent open) / ended first\n");
        for action in ACTIONS {
            out.push_str(&format!("{:<11}", action.verb()));
            for point in WRITE_PATH {
                let n = self.crashes.get(&(action, *point)).copied().unwrap_or(0);
                out.push_str(&format!(" {n:>13}"));
            }
            let s = self.signals.get(&action).copied().unwrap_or_default();
            out.push_str(&format!(
                "  {:>7} ({}) / {}\n",
                s.landed, s.open_intent, s.ended_first
            ));
        }
        let crashes: usize = self.crashes.values().sum();
        let total = |f: fn(&Signals) -> usize| self.signals.values().map(f).sum::<usize>();
        out.push_str(&format!(
            "{points} kill points: {crashes} crashes at failpoints, {} SIGKILLs mid-run ({} between \
             an intent and its outcome), {} runs ended before their SIGKILL",
            total(|s| s.landed),
            total(|s| s.open_intent),
            total(|s| s.ended_first)
        ));
        out
    }
}

fn env_number(var: &str) -> Option<u64> {
    let text = std::env::var(var).ok()?;
    Some(
        kill::parse_u64(&text)
            .unwrap_or_else(|| panic!("{var}={text:?} is not a number (decimal or 0x hex)")),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_anywhere_on_the_write_path_loses_nothing() {
    support::require_failpoints();
    let points =
        env_number(POINTS_ENV).map_or(DEFAULT_POINTS, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let cycle = ACTIONS.len() * 2 * WRITE_PATH.len();
    assert!(
        points >= cycle,
        "{POINTS_ENV}={points}: at least {cycle} kill points reach every step of every action"
    );
    let seed = kill::seed();
    eprintln!(
        "kill-anywhere: {points} kill points, seed {seed} ({}={seed} replays them)",
        kill::SEED_ENV
    );
    let started = Instant::now();
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let mut h = Harness {
        moto: &moto,
        rk: Rootkeys::new(&moto),
        session,
        days: 0,
        prep_runs: 0,
        keys_created: 0,
    };
    let span = Span::from_env().unwrap_or_else(|| h.calibrate(&keys[1].id));
    eprintln!(
        "kill-anywhere: SIGKILLs {span} ms after the start ({SPAN_ENV}={span} with the seed replays them)"
    );

    let mut rng = Rng::new(seed);
    let mut tally = Tally::default();
    let mut checked = h.rk.journal_text();
    for i in 0..points {
        let (action, kill) = schedule(i, &mut rng, span);
        let replay = format!("seed {seed}, span {span} ms");
        checked = h
            .kill_point(i, action, kill, &mut tally, &checked, &replay)
            .await;
    }

    // Every step of every action was crashed at, as often as scheduled.
    let rounds = points / cycle;
    for action in ACTIONS {
        for point in WRITE_PATH {
            let n = tally.crashes.get(&(action, *point)).copied().unwrap_or(0);
            assert!(
                n >= rounds,
                "{} crashed at {point} {n} times, fewer than {rounds}",
                action.verb()
            );
        }
    }
    eprintln!(
        "kill-anywhere: {}\n{}\nkill-anywhere: {} s in all (seed {seed}, span {span} ms)",
        tally.summary(points),
        h.journal_summary(),
        started.elapsed().as_secs()
    );
}
