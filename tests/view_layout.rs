//! The interactive view at every size, its keys and its colours, as an
//! operator used to k9s, lazygit or gitui expects them: the demo stays
//! recognisable, nothing is cut without an ellipsis, panes scroll, Esc goes
//! back and never leaves, and every style reads on dark and light themes.
//!
//! Screens are drawn on a `TestBackend` from the simulated account on a
//! fixed clock; the key tests run the real event loop.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use rootkeys::account::sim::Latency;
use rootkeys::account::{Account, AccountError};
use rootkeys::tui::action::{Action, Command, Effect, UiError};
use rootkeys::tui::app::App;
use rootkeys::tui::runner::{Worker, run};
use rootkeys::tui::strings as s;
use rootkeys::tui::theme::Theme;
use rootkeys::tui::view;

mod support;

use support::tui::{Setup, t0};

// ---- helpers -----------------------------------------------------------------

fn cmd(app: &mut App, c: Command) -> Option<Effect> {
    app.update(Action::Command(c))
}

fn buffer(app: &mut App, w: u16, h: u16) -> Buffer {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal.backend().buffer().clone()
}

/// The screen's rows as text (wide characters once).
fn rows(app: &mut App, w: u16, h: u16) -> Vec<String> {
    let buf = buffer(app, w, h);
    (0..h)
        .map(|y| {
            let mut line = String::new();
            for x in 0..w {
                line.push_str(buf[(x, y)].symbol());
            }
            line
        })
        .collect()
}

fn screen(app: &mut App, w: u16, h: u16) -> String {
    rows(app, w, h).join("\n")
}

async fn load(setup: &Setup, app: &mut App) {
    app.start();
    let snapshot = setup.remediator.snapshot().await;
    let next = app.update(Action::Loaded(snapshot.map_err(|e| UiError::from(&e))));
    if next == Some(Effect::LoadReport) {
        let row = setup.sim.root_report_row().await;
        app.update(Action::ReportLoaded(row.map_err(|e| UiError::from(&e))));
    }
}

async fn loaded(scenario: &str, demo: bool) -> (Setup, App) {
    let setup = Setup::open(scenario, Latency::NONE);
    let mut app = setup.app(demo, Theme::color());
    load(&setup, &mut app).await;
    (setup, app)
}

/// Deactivate the selected key, as the loop would.
async fn deactivate(setup: &Setup, app: &mut App) {
    cmd(app, Command::Deactivate);
    let Some(Effect::Write { request, key_id }) = cmd(app, Command::Yes) else {
        panic!("a write")
    };
    let result = setup.remediator.execute(request, &key_id).await;
    app.update(Action::WriteDone {
        request,
        key_id,
        result: result.map_err(|e| UiError::from(&e)),
    });
    load(setup, app).await;
}

const SIZES: [(u16, u16); 3] = [(120, 40), (80, 24), (60, 16)];

// ---- 5: the demo stays recognisable --------------------------------------------

#[tokio::test]
async fn the_demo_badge_and_the_demo_keys_are_trimmed_last() {
    for scenario in ["two-keys", "auditor", "signing-key"] {
        let (_setup, mut app) = loaded(scenario, true).await;
        for w in (60..=130).step_by(5) {
            for h in [16, 24, 40] {
                let rows = rows(&mut app, w, h);
                let title = rows[0].trim_end();
                assert!(
                    title.ends_with(&format!("DEMO · {scenario}")),
                    "{scenario} {w}x{h}: {title:?}"
                );
                let footer = &rows[usize::from(h) - 1];
                for hint in ["S skip window", "s skip a day", "? help", "q quit"] {
                    assert!(
                        footer.contains(hint),
                        "{scenario} {w}x{h}: {hint} in {footer:?}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_live_view_keeps_q_and_help_in_the_footer_at_every_width() {
    let (setup, mut app) = loaded("two-keys", false).await;
    deactivate(&setup, &mut app).await;
    for w in 60..=130 {
        let rows = rows(&mut app, w, 16);
        let footer = &rows[15];
        assert!(footer.contains("? help"), "{w}: {footer:?}");
        assert!(footer.contains("q quit"), "{w}: {footer:?}");
        assert!(!rows[0].contains("DEMO"), "the live view has no badge");
    }
}

// ---- 6: small terminals lose no text --------------------------------------------

/// Words of the screen that must never appear cut: each is either whole
/// or, where cut, followed by `…`.
const WHOLE: &[&str] = &[
    "arn:aws:iam::123456789012:root",
    "1480 days ago",
    "NOT COMPLIANT",
    "2 root access keys",
    "as of 2026-11-25 12:00 UTC",
    "eu-west-1",
    "us-east-1",
];

fn assert_nothing_cut(rows: &[String], what: &str) {
    for row in rows {
        for word in WHOLE {
            let len = word.chars().count();
            for n in (len / 2).max(6)..len {
                let prefix: String = word.chars().take(n).collect();
                if let Some(at) = row.find(&prefix) {
                    let rest = &row[at + prefix.len()..];
                    let next: String = word.chars().skip(n).take(1).collect();
                    assert!(
                        rest.starts_with(&next) || rest.starts_with('…') || rest.starts_with(" …"),
                        "{what}: {word:?} cut as {prefix:?} in {row:?}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn nothing_is_cut_mid_word_and_table_columns_never_collide() {
    let (setup, mut app) = loaded("two-keys", true).await;
    let mut observing = app.clone();
    deactivate(&setup, &mut observing).await;
    for app in [&mut app, &mut observing] {
        for (w, h) in SIZES
            .into_iter()
            .chain([(60, 20), (70, 16), (90, 30), (100, 30)])
        {
            let rows = rows(app, w, h);
            assert_nothing_cut(&rows, &format!("{w}x{h}"));
            // Cells of the keys table are at least two columns apart.
            for row in rows
                .iter()
                .filter(|r| r.starts_with("│▶ AKIA") || r.starts_with("│  AKIA"))
            {
                if let Some(cells) = row.trim_matches(['│', ' ', '▶']).split_once("  ") {
                    assert!(!cells.0.contains(' '), "{w}x{h}: key cell {row:?}");
                }
                assert!(!row.contains("ag active"), "{w}x{h}: {row:?}");
            }
        }
    }
}

#[tokio::test]
async fn numbers_stay_with_their_units_across_line_breaks() {
    let (setup, mut app) = loaded("two-keys", true).await;
    deactivate(&setup, &mut app).await;
    // The key facts beside the walkthrough, and the walkthrough alone.
    let mut alone = app.clone();
    cmd(&mut alone, Command::ToggleWalkthrough);
    for state in [&mut app, &mut alone] {
        for w in 60..=130 {
            for h in [24, 40] {
                let rows = rows(state, w, h);
                for pair in rows.windows(2) {
                    assert_unit_kept(&pair[0], &pair[1], &format!("{w}x{h}"));
                }
            }
        }
    }
}

/// `first` does not end in a number whose unit starts `second` (each
/// pane's text between its borders).
fn assert_unit_kept(first: &str, second: &str, what: &str) {
    let panes = |row: &str| -> Vec<String> {
        row.split(['│', '╮', '╭', '╯', '╰'])
            .map(|p| p.trim().to_owned())
            .collect()
    };
    for (end, next) in panes(first).iter().zip(panes(second).iter()) {
        let number = end.rsplit(' ').next().is_some_and(|word| {
            let digits = word.trim_start_matches('(');
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
        });
        let unit = next
            .split(' ')
            .next()
            .map(|w| w.trim_end_matches([':', ',', '.', ')']))
            .is_some_and(|w| ["d", "h", "days", "min", "y"].contains(&w));
        assert!(!(number && unit), "{what}: {end:?} / {next:?}");
    }
}

#[tokio::test]
async fn the_key_facts_scroll_to_the_next_step_with_an_indicator() {
    let (setup, mut app) = loaded("two-keys", true).await;
    // A two-line message under the table leaves no room for `Next`.
    deactivate(&setup, &mut app).await;
    let before = screen(&mut app, 80, 24);
    assert!(!before.contains("│ Next "), "{before}");
    assert!(before.contains(s::MORE_BELOW), "{before}");
    let mut seen = before;
    for _ in 0..4 {
        cmd(&mut app, Command::PageDown);
        seen.push_str(&screen(&mut app, 80, 24));
    }
    assert!(seen.contains("│ Next       observe"), "{seen}");
    let end = screen(&mut app, 80, 24);
    assert!(end.contains(s::MORE_ABOVE), "{end}");
    assert!(!end.contains(s::MORE_BELOW), "{end}");
    // Another key starts at its top.
    cmd(&mut app, Command::Down);
    assert_eq!(app.detail_scroll, 0);
}

#[tokio::test]
async fn help_is_titled_help_scrolls_and_shows_every_binding() {
    let (_setup, mut app) = loaded("two-keys", true).await;
    app.banner = None;
    cmd(&mut app, Command::ToggleHelp);
    for (w, h) in SIZES {
        cmd(&mut app, Command::Top);
        let first = screen(&mut app, w, h);
        assert!(first.contains("╭ Help "), "{w}x{h}: {first}");
        let mut seen = first.clone();
        for _ in 0..60 {
            cmd(&mut app, Command::Down);
            seen.push_str(&screen(&mut app, w, h));
        }
        for help in [s::HK_CLEAR, s::HK_QUIT, s::HK_SKIP_WINDOW, s::HK_HELP] {
            // Wrapped help text: its first words are on screen.
            let start: String = help.split(' ').take(3).collect::<Vec<_>>().join(" ");
            assert!(seen.contains(&start), "{w}x{h}: {start:?}");
        }
        if h < 40 {
            assert!(first.contains(s::MORE_BELOW), "{w}x{h}: {first}");
        }
        assert!(matches!(app.mode, rootkeys::tui::app::Mode::Help { .. }));
    }
    cmd(&mut app, Command::Back);
    assert_eq!(app.mode, rootkeys::tui::app::Mode::Browse);
}

#[tokio::test]
async fn a_message_too_long_for_its_lines_ends_in_an_ellipsis() {
    let (_setup, mut app) = loaded("auditor", true).await;
    let rows = rows(&mut app, 60, 16);
    let status: Vec<&String> = rows[11..15].iter().collect();
    assert!(status[3].trim_end().ends_with('…'), "{status:?}");
}

// ---- 8: keys behave as in k9s, lazygit and gitui ---------------------------------

type Keys = UnboundedSender<std::io::Result<Event>>;

fn key(keys: &Keys, code: KeyCode) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
        .expect("send key");
}

async fn pause(millis: u64) {
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// Run the real loop at 120x40 while `script` types; the final screen.
async fn drive<F>(setup: &Setup, app: &mut App, script: impl FnOnce(Keys) -> F) -> String
where
    F: std::future::Future<Output = ()>,
{
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let worker = Worker::new(Arc::clone(&setup.remediator));
    let (keys, events) = unbounded();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (result, ()) = tokio::join!(
        run(&mut terminal, app, &worker, events, actions),
        script(keys)
    );
    result.expect("the loop ends cleanly");
    terminal.backend().to_string()
}

fn ctrl_c(keys: &Keys) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    ))))
    .expect("send");
}

#[tokio::test(start_paused = true)]
async fn esc_in_the_main_view_never_leaves() {
    let setup = Setup::open("two-keys", Latency::DEMO);
    let mut app = setup.app(true, Theme::plain());
    let screen = drive(&setup, &mut app, |keys| async move {
        pause(5_000).await;
        // The first clears the message, the others find nothing to close.
        for _ in 0..3 {
            key(&keys, KeyCode::Esc);
        }
        pause(500).await;
        key(&keys, KeyCode::Char('?'));
        pause(500).await;
        ctrl_c(&keys);
    })
    .await;
    assert!(
        screen.contains("╭ Help "),
        "still running after Esc: {screen}"
    );
    assert!(app.banner.is_none(), "Esc cleared the message");
}

#[tokio::test(start_paused = true)]
async fn declining_a_confirmation_says_nothing_changed() {
    for decline in [KeyCode::Char('n'), KeyCode::Esc, KeyCode::Enter] {
        let setup = Setup::open("two-keys", Latency::DEMO);
        let mut app = setup.app(true, Theme::plain());
        let screen = drive(&setup, &mut app, |keys| async move {
            pause(5_000).await;
            key(&keys, KeyCode::Char('d'));
            key(&keys, decline);
            pause(500).await;
            key(&keys, KeyCode::Char('q'));
        })
        .await;
        assert!(screen.contains(s::NOTHING_CHANGED), "{decline:?}: {screen}");
        let journal = std::fs::read_to_string(setup.dir.path().join("journal-123456789012.jsonl"))
            .unwrap_or_default();
        assert_eq!(journal, "", "{decline:?}");
    }
}

#[tokio::test]
async fn cancelling_the_typed_delete_says_nothing_changed() {
    let (setup, mut app) = loaded("two-keys", true).await;
    deactivate(&setup, &mut app).await;
    setup
        .sim
        .advance(TimeDelta::days(7) + TimeDelta::minutes(1))
        .expect("advance");
    load(&setup, &mut app).await;
    cmd(&mut app, Command::Delete);
    app.update(Action::Input('A'));
    cmd(&mut app, Command::Back);
    assert_eq!(
        app.banner.as_ref().map(|b| b.text.as_str()),
        Some(s::NOTHING_CHANGED)
    );
    assert!(screen(&mut app, 80, 24).contains(s::NOTHING_CHANGED));
}

#[tokio::test(start_paused = true)]
async fn a_key_pressed_while_a_message_is_shown_does_its_job() {
    let setup = Setup::open("two-keys", Latency::DEMO);
    let mut app = setup.app(true, Theme::plain());
    let screen = drive(&setup, &mut app, |keys| async move {
        pause(5_000).await;
        key(&keys, KeyCode::Char('d'));
        key(&keys, KeyCode::Char('y'));
        // While the deactivation finishes and the account is read again
        // (its message then up), s still moves the clock a day.
        key(&keys, KeyCode::Char('s'));
        pause(5_000).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    // The day passed: its message, or the nightly job that failed in it.
    assert!(
        screen.contains("Simulated clock moved 1 d ahead")
            || screen.contains("Nightly backup denied"),
        "{screen}"
    );
    assert_eq!(setup.sim.now(), t0() + TimeDelta::days(1));
}

#[tokio::test]
async fn keys_that_cannot_act_are_hidden_or_say_why() {
    // The error screen: only retry, help and quit are offered; the others
    // answer with the reason.
    let setup = Setup::open("two-keys", Latency::NONE);
    let mut app = setup.app(true, Theme::color());
    app.start();
    let err = AccountError::ExpiredCredentials {
        code: "ExpiredToken".to_owned(),
        message: "The security token included in the request is expired".to_owned(),
    };
    app.update(Action::Loaded(Err(UiError::from(&err))));
    let footer = rows(&mut app, 80, 24)[23].clone();
    assert!(footer.contains("r retry"), "{footer:?}");
    for hidden in ["d deactivate", "a reactivate", "D delete", "u usage"] {
        assert!(!footer.contains(hidden), "{hidden} in {footer:?}");
    }
    for c in [
        Command::Deactivate,
        Command::SkipWindow,
        Command::SkipDay,
        Command::Usage,
    ] {
        app.banner = None;
        cmd(&mut app, c);
        let screen = screen(&mut app, 80, 24);
        assert!(
            screen.contains("The account could not be read"),
            "{c:?}: {screen}"
        );
    }
    // The auditor cannot write or search usage: not offered.
    let (_setup, mut auditor) = loaded("auditor", true).await;
    let footer = rows(&mut auditor, 120, 40)[39].clone();
    for hidden in ["d deactivate", "a reactivate", "D delete", "u usage"] {
        assert!(!footer.contains(hidden), "{hidden} in {footer:?}");
    }
    // As root, only the writes the selected key allows.
    let (_setup, mut root) = loaded("two-keys", true).await;
    let footer = rows(&mut root, 120, 40)[39].clone();
    assert!(footer.contains("d deactivate"), "{footer:?}");
    assert!(!footer.contains("a reactivate"), "{footer:?}");
    assert!(!footer.contains("D delete"), "{footer:?}");
    // While a write is in flight, none; a write key says why.
    cmd(&mut root, Command::Deactivate);
    assert!(matches!(
        cmd(&mut root, Command::Yes),
        Some(Effect::Write { .. })
    ));
    let footer = rows(&mut root, 120, 40)[39].clone();
    assert!(!footer.contains("d deactivate"), "{footer:?}");
    cmd(&mut root, Command::Down);
    assert_eq!(cmd(&mut root, Command::Deactivate), None);
    assert!(screen(&mut root, 120, 40).contains(s::ONE_CHANGE_AT_A_TIME));
}

// ---- 9: colours readable on every terminal theme ---------------------------------

#[tokio::test]
async fn no_cell_uses_palette_8_and_the_selected_row_sets_both_colours() {
    let (setup, mut app) = loaded("two-keys", true).await;
    let mut states = vec![app.clone()];
    deactivate(&setup, &mut app).await;
    states.push(app.clone());
    cmd(&mut app, Command::ToggleHelp);
    states.push(app);
    for mut state in states {
        for (w, h) in SIZES {
            let buf = buffer(&mut state, w, h);
            for cell in &buf.content {
                for c in [cell.fg, cell.bg] {
                    assert!(
                        !matches!(c, Color::DarkGray | Color::Indexed(8)),
                        "{w}x{h}: {cell:?}"
                    );
                }
                // A background is never set without a foreground.
                if cell.bg != Color::Reset {
                    assert_ne!(cell.fg, Color::Reset, "{w}x{h}: {cell:?}");
                }
            }
        }
    }
    // The selected row: every cell has both colours (or is reversed).
    let (_setup, mut app) = loaded("two-keys", true).await;
    let buf = buffer(&mut app, 120, 40);
    let y = (0..40)
        .find(|y| {
            (0..120)
                .map(|x| buf[(x, *y)].symbol())
                .collect::<String>()
                .contains("▶ AKIAEXAMPLEBACKUP001")
        })
        .expect("selected row");
    for x in 1..119 {
        let cell = &buf[(x, y)];
        let reversed = cell.modifier.contains(Modifier::REVERSED);
        assert!(
            reversed || (cell.fg != Color::Reset && cell.bg != Color::Reset),
            "{x}: {cell:?}"
        );
    }
}

#[tokio::test]
async fn no_color_draws_no_colour_at_all() {
    let setup = Setup::open("two-keys", Latency::NONE);
    let theme = Theme::for_no_color(Some(std::ffi::OsStr::new("1")));
    let mut app = setup.app(true, theme);
    load(&setup, &mut app).await;
    let mut help = app.clone();
    cmd(&mut help, Command::ToggleHelp);
    for mut state in [app, help] {
        for (w, h) in SIZES {
            let buf = buffer(&mut state, w, h);
            for cell in &buf.content {
                assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
            }
        }
    }
}
