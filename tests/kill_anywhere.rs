//! Kill-anywhere at scale. The real binary is crashed at every step of the
//! write path (failpoints) and killed with SIGKILL at seeded random places
//! between the steps, for deactivate, reactivate and delete, hundreds of
//! times (`ROOTKEYS_KILL_POINTS`; scripts/bench-kill runs 1,200). After every
//! kill, `rootkeys status --json` reconciles, and: no journal byte written
//! before the kill changed, no line is damaged, no intent is left open, and
//! every key is in AWS (through the SDK, against moto) what the journal's
//! last settled outcome says.
//!
//! Time is the injected clock (a delete runs eight days after the
//! deactivations it follows), never a sleep. Which kill comes where is fixed
//! by the point's number and the printed seed (`ROOTKEYS_KILL_SEED` replays
//! it): a SIGKILL falls between two given steps at a given fraction of the
//! time between them, as measured by the crashes at those steps so far.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_sdk_iam::types::StatusType;
use rootkeys::domain::record::{Outcome, Phase};
use rootkeys::failpoint::WRITE_PATH;
use support::kill::{self, Ended, Kill, Rng};
use support::{Keys, Moto, Rootkeys};

/// How many kill points (default [`DEFAULT_POINTS`]).
const POINTS_ENV: &str = "ROOTKEYS_KILL_POINTS";
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

/// Where a point kills.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// Crash at this step (index into `WRITE_PATH`).
    Step(usize),
    /// SIGKILL after step `after` (before the next one; after the last: on
    /// the way out), `permille`/1000 of the way.
    Between { after: usize, permille: u32 },
}

/// The kill of point `i`: the actions in turn; for each action, its steps
/// in turn, then as many SIGKILLs between random steps. Neither depends on
/// how earlier kills landed.
fn schedule(i: usize, rng: &mut Rng) -> (Action, Plan) {
    let action = ACTIONS[i % ACTIONS.len()];
    let slot = (i / ACTIONS.len()) % (2 * WRITE_PATH.len());
    let plan = if slot < WRITE_PATH.len() {
        Plan::Step(slot)
    } else {
        let steps = u64::try_from(WRITE_PATH.len()).unwrap_or(u64::MAX);
        Plan::Between {
            after: usize::try_from(rng.below(steps)).unwrap_or_default(),
            permille: u32::try_from(rng.below(1000)).unwrap_or_default(),
        }
    };
    (action, plan)
}

/// When each step of each action is reached, from the crashes so far.
#[derive(Default)]
struct Timings(BTreeMap<(Action, usize), Vec<Duration>>);

impl Timings {
    fn record(&mut self, action: Action, step: usize, after: Duration) {
        self.0.entry((action, step)).or_default().push(after);
    }

    /// The median of the last five crashes at a step: the machine's load
    /// changes during a long run.
    fn median(&self, action: Action, step: usize) -> Duration {
        let all = self.0.get(&(action, step)).map_or(&[][..], Vec::as_slice);
        let mut times = all[all.len().saturating_sub(5)..].to_vec();
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    }

    /// The SIGKILL offset of a `Between` plan. The last gap (on the way
    /// out) is a fifth of the write path long.
    fn offset(&self, action: Action, after: usize, permille: u32) -> Duration {
        let last = WRITE_PATH.len() - 1;
        let from = self.median(action, after);
        let to = if after < last {
            self.median(action, after + 1)
        } else {
            from + self
                .median(action, last)
                .saturating_sub(self.median(action, 0))
                / 5
        };
        from + to.saturating_sub(from) * permille / 1000
    }
}

struct Harness<'a> {
    moto: &'a Moto,
    rk: Rootkeys<'a>,
    session: Keys,
    /// rootkeys' clock, in days from now; it only moves forward.
    days: u64,
    timings: Timings,
    tally: Tally,
    /// The journal as last checked.
    checked: String,
    seed: u64,
}

impl Harness<'_> {
    fn clock(&self) -> String {
        format!("{}d", self.days)
    }

    /// An uninterrupted write, to bring a key where the next kill needs it.
    fn write(&mut self, action: Action, key: &str) {
        let run = self
            .rk
            .run_at(&self.session, &self.clock(), &action.args(key));
        assert_eq!(
            run.code,
            0,
            "{} {key} (uninterrupted): {run:?}",
            action.verb()
        );
        self.tally.prep_runs += 1;
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
                    (None, Some(key)) => self.write(Action::Reactivate, &key),
                    (None, None) => self.create_key().await,
                },
                Action::Reactivate | Action::Delete => match (inactive, active) {
                    (Some(key), _) => return key,
                    (None, Some(key)) => self.write(Action::Deactivate, &key),
                    (None, None) => self.create_key().await,
                },
            }
        }
    }

    async fn create_key(&mut self) {
        support::create_root_key(self.moto).await;
        self.tally.keys_created += 1;
    }

    /// One kill point: a key ready for `action`, the killed run, the checks.
    async fn kill_point(&mut self, i: usize, action: Action, plan: Plan) {
        let key = self.key_for(action).await;
        if action == Action::Delete {
            // Every inactive key's window (seven days) has passed.
            self.days += 8;
        }
        let before = self.rk.journal_text();
        assert!(
            before.starts_with(&self.checked),
            "kill point {i}: preparing it changed earlier journal bytes"
        );
        let kill = match plan {
            Plan::Step(step) => Kill::At(WRITE_PATH[step]),
            Plan::Between { after, permille } => {
                Kill::Signal(self.timings.offset(action, after, permille))
            }
        };
        let place = match plan {
            Plan::Step(_) => String::new(),
            Plan::Between { after, permille } => format!(
                " ({}.{}% of the way from {} on)",
                permille / 10,
                permille % 10,
                WRITE_PATH[after]
            ),
        };
        let label = format!(
            "kill point {i}: {} {key}, {kill}{place}, clock +{} d (seed {})",
            action.verb(),
            self.days,
            self.seed
        );
        let ended = self
            .rk
            .run_killed(&self.session, &self.clock(), &action.args(&key), kill);
        match (plan, ended) {
            (Plan::Step(step), Ended::Crashed(after)) => {
                self.timings.record(action, step, after);
                *self.tally.crashes.entry((action, step)).or_default() += 1;
            }
            (Plan::Between { after, .. }, Ended::Killed) => {
                let open = !self.rk.journal().open_intents().is_empty();
                let signals = self.tally.signals.entry((action, after)).or_default();
                signals.landed += 1;
                signals.open_intent += usize::from(open);
            }
            (Plan::Between { after, .. }, Ended::Finished(run)) => {
                assert_eq!(
                    run.code, 0,
                    "{label}: a write that ran to its end failed: {run:?}"
                );
                self.tally
                    .signals
                    .entry((action, after))
                    .or_default()
                    .ended_first += 1;
            }
            (_, ended) => panic!("{label}: not killed as planned: {ended:?}"),
        }
        self.checked =
            kill::check_after_kill(&self.rk, &self.session, &self.clock(), &before, &label).await;
    }

    /// What the journal holds at the end.
    fn journal_summary(&self) -> String {
        let contents = self.rk.journal();
        let settled = |phase: Phase, result: &Outcome| {
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
            settled(Phase::Outcome, &Outcome::Ok),
            settled(Phase::Reconciled, &Outcome::Ok),
            settled(Phase::Reconciled, &Outcome::NotApplied),
            self.tally.prep_runs,
            self.tally.keys_created,
            kill::journal_states(&contents)
                .values()
                .filter(|s| **s == kill::KeyState::Absent)
                .count(),
        )
    }
}

#[derive(Default)]
struct Tally {
    /// Crashes per action and step.
    crashes: BTreeMap<(Action, usize), usize>,
    /// SIGKILLs per action and the step they followed.
    signals: BTreeMap<(Action, usize), Signals>,
    prep_runs: usize,
    keys_created: usize,
}

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
    /// A table: per action, crashes at each step and SIGKILLs after it
    /// (landed mid-run / of those with an intent left open / run ended
    /// first).
    fn summary(&self, points: usize) -> String {
        let mut out = format!("{:<22}", "step");
        for point in WRITE_PATH {
            out.push_str(&format!(" {point:>13}"));
        }
        out.push('\n');
        for action in ACTIONS {
            out.push_str(&format!("{:<22}", format!("{} crash at", action.verb())));
            for step in 0..WRITE_PATH.len() {
                let n = self.crashes.get(&(action, step)).copied().unwrap_or(0);
                out.push_str(&format!(" {n:>13}"));
            }
            out.push_str(&format!("\n{:<22}", "  SIGKILL after"));
            for step in 0..WRITE_PATH.len() {
                let s = self
                    .signals
                    .get(&(action, step))
                    .copied()
                    .unwrap_or_default();
                let cell = format!("{}/{}/{}", s.landed, s.open_intent, s.ended_first);
                out.push_str(&format!(" {cell:>13}"));
            }
            out.push('\n');
        }
        let crashes: usize = self.crashes.values().sum();
        let total = |f: fn(&Signals) -> usize| self.signals.values().map(f).sum::<usize>();
        out.push_str(&format!(
            "(SIGKILL cells: landed mid-run / of those, between an intent and its outcome / run \
             ended first)\n\
             {points} kill points: {crashes} crashes at failpoints, {} SIGKILLs mid-run ({} between \
             an intent and its outcome), {} runs ended before their SIGKILL",
            total(|s| s.landed),
            total(|s| s.open_intent),
            total(|s| s.ended_first)
        ));
        out
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kill_anywhere_on_the_write_path_loses_nothing() {
    support::require_failpoints();
    let points = std::env::var(POINTS_ENV).map_or(DEFAULT_POINTS, |text| {
        kill::parse_u64(&text)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or_else(|| panic!("{POINTS_ENV}={text:?} is not a number"))
    });
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
    let (_keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let mut h = Harness {
        moto: &moto,
        checked: rk.journal_text(),
        rk,
        session,
        days: 0,
        timings: Timings::default(),
        tally: Tally::default(),
        seed,
    };
    let mut rng = Rng::new(seed);
    for i in 0..points {
        let (action, plan) = schedule(i, &mut rng);
        h.kill_point(i, action, plan).await;
    }

    // Every step of every action was crashed at, as often as scheduled.
    let rounds = points / cycle;
    for action in ACTIONS {
        for (step, point) in WRITE_PATH.iter().enumerate() {
            let n = h.tally.crashes.get(&(action, step)).copied().unwrap_or(0);
            assert!(
                n >= rounds,
                "{} crashed at {point} {n} times, fewer than {rounds}",
                action.verb()
            );
        }
    }
    eprintln!(
        "kill-anywhere: {}\n{}\nkill-anywhere: {} s in all (seed {seed})",
        h.tally.summary(points),
        h.journal_summary(),
        started.elapsed().as_secs()
    );
}
