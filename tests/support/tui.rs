//! The interactive view's test fixture: the simulated account on a fixed
//! clock behind the real `Remediator` and journal (in a temporary
//! directory), and the `App` the view builds on it. Used by the loop and
//! snapshot tests; it drives nothing itself.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rootkeys::account::Account;
use rootkeys::account::sim::{Latency, SimAccount, SimClock};
use rootkeys::remediate::Remediator;
use rootkeys::tui::app::{App, Config, DemoInfo};
use rootkeys::tui::theme::Theme;

/// The simulated clock's fixed "now".
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

/// A scenario of the simulated account, its remediator (7-day window) and
/// the directory holding its state and journal.
pub struct Setup {
    pub sim: Arc<SimAccount>,
    pub remediator: Arc<Remediator>,
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn open(scenario: &str, latency: Latency) -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let sim = Arc::new(
            SimAccount::open(scenario, dir.path(), SimClock::Fixed(t0()), latency)
                .expect("scenario"),
        );
        let account: Arc<dyn Account> = sim.clone();
        let remediator = Arc::new(Remediator::new(
            account,
            dir.path().to_owned(),
            TimeDelta::days(7),
        ));
        Self {
            sim,
            remediator,
            dir,
        }
    }

    /// The view on this account, with the scenario's demo facts when `demo`.
    pub fn app(&self, demo: bool, theme: Theme) -> App {
        let scenario = self.sim.scenario();
        App::new(Config {
            source: self.sim.source(),
            window: self.remediator.window(),
            demo: demo.then(|| DemoInfo {
                scenario: scenario.name.clone(),
                title: scenario.title.clone(),
                summary: scenario.summary.clone(),
                notes: self.sim.notes(),
            }),
            theme,
        })
    }
}
