//! Frame rendering time of the interactive view with two keys (a benchmark,
//! not a test): loads the `two-keys` demo scenario on a fixed clock, then
//! draws the whole screen into a ratatui `TestBackend` many times.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rootkeys::account::Account;
use rootkeys::account::sim::{Latency, SimAccount, SimClock};
use rootkeys::remediate::Remediator;
use rootkeys::tui::action::{Action, Effect, UiError};
use rootkeys::tui::app::{App, Config};
use rootkeys::tui::theme::Theme;
use rootkeys::tui::view;

const FRAMES: u32 = 2_000;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("tmp");
    let t0: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let sim = Arc::new(
        SimAccount::open("two-keys", dir.path(), SimClock::Fixed(t0), Latency::NONE)
            .expect("scenario"),
    );
    let account: Arc<dyn Account> = sim.clone();
    let remediator = Remediator::new(account, dir.path().to_owned(), TimeDelta::days(7));
    let mut app = App::new(Config {
        source: sim.source(),
        window: remediator.window(),
        demo: None,
        theme: Theme::color(),
    });
    app.start();
    runtime.block_on(async {
        let snapshot = remediator.snapshot().await;
        if app.update(Action::Loaded(snapshot.map_err(|e| UiError::from(&e))))
            == Some(Effect::LoadReport)
        {
            let row = sim.root_report_row().await;
            app.update(Action::ReportLoaded(row.map_err(|e| UiError::from(&e))));
        }
    });
    println!("| size | frames | mean per frame | median per frame |");
    println!("|---|---|---|---|");
    for (w, h) in [(120u16, 40u16), (80, 24), (300, 100)] {
        app.update(Action::Resize(w, h));
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        let mut samples = Vec::with_capacity(FRAMES as usize);
        for _ in 0..FRAMES {
            let start = Instant::now();
            terminal
                .draw(|frame| view::draw(frame, &app))
                .expect("draw");
            samples.push(start.elapsed());
        }
        let total: std::time::Duration = samples.iter().sum();
        samples.sort();
        println!(
            "| {w}x{h} | {FRAMES} | {:.1} µs | {:.1} µs |",
            total.as_secs_f64() * 1e6 / f64::from(FRAMES),
            samples[samples.len() / 2].as_secs_f64() * 1e6
        );
    }
}
