//! The README's demo comes from the real binary: the static screen
//! (`assets/demo-screen.txt`, also inlined in README.md) and the recorded
//! `two-keys` walk-through (`assets/two-keys.cast`, asciicast v2) are what
//! this test sees when it drives `rootkeys demo` in a pseudo-terminal with
//! the demo's clock pinned. `scripts/record-demo` regenerates all three
//! (`ROOTKEYS_RECORD=1`); without it the test fails when any of them no
//! longer matches the binary.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use support::pty::Pty;

const NOW: &str = "2026-11-25T12:15:00Z";
const COLS: u16 = 120;
const ROWS: u16 = 40;
const WAIT: Duration = Duration::from_secs(20);
const SCREEN_START: &str = "<!-- demo-screen:start -->";
const SCREEN_END: &str = "<!-- demo-screen:end -->";

fn asset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The screen with trailing blanks cut from each line and trailing empty
/// lines dropped, as it is stored.
fn tidy(screen: &str) -> String {
    let lines: Vec<&str> = screen.lines().map(str::trim_end).collect();
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(0, |i| i + 1);
    let mut out = lines[..end].join("\n");
    out.push('\n');
    out
}

/// Wait until nothing is loading (no spinner on screen) and the screen
/// has stayed the same for a moment, then pause so that a person watching
/// the recording can follow.
fn beat(pty: &Pty, pause: Duration) {
    let spinning = |s: &str| s.chars().any(|c| ('\u{2800}'..='\u{28ff}').contains(&c));
    let deadline = std::time::Instant::now() + WAIT;
    let mut last = pty.screen();
    let mut still = 0;
    while still < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "the screen never settled:\n{last}"
        );
        std::thread::sleep(Duration::from_millis(100));
        let now = pty.screen();
        if now == last && !spinning(&now) {
            still += 1;
        } else {
            still = 0;
        }
        last = now;
    }
    std::thread::sleep(pause);
}

struct Walk {
    /// The screen the README shows.
    readme_screen: String,
    /// The last screen, once the walk-through is done.
    final_screen: String,
    cast: String,
}

fn press(pty: &mut Pty, keys: &str, then: &str) {
    pty.send(keys);
    pty.wait_for(then, WAIT);
    beat(pty, Duration::from_millis(700));
}

/// The `two-keys` training walk-through from the first screen to Done,
/// ending on the Prevent step's SCP.
fn walk_two_keys() -> Walk {
    let state = tempfile::tempdir().expect("tempdir");
    let mut env = support::isolated_env(state.path());
    env.push(("ROOTKEYS_TEST_DEMO_NOW".into(), NOW.into()));
    let mut pty = Pty::spawn(&["demo", "--scenario", "two-keys"], &env, COLS, ROWS);
    pty.wait_for("AKIAEXAMPLEBACKUP001", WAIT);
    pty.wait_for("yesterday", WAIT);
    beat(&pty, Duration::from_millis(1500));

    // Review: what used the backup key?
    press(&mut pty, "u", "GetBucketLocation");
    beat(&pty, Duration::from_millis(1500));
    press(&mut pty, "u", "Root access keys");

    // Deactivate it.
    press(&mut pty, "d", "Deactivate");
    press(&mut pty, "y", "Deactivated AKIAEXAMPLEBACKUP001");
    let readme_screen = tidy(&pty.screen());

    // A day later the nightly backup job fails: see the denied call.
    press(&mut pty, "s", "Nightly backup denied");
    beat(&pty, Duration::from_millis(1500));
    press(&mut pty, "u", "InvalidClientTokenId");
    beat(&pty, Duration::from_millis(1500));
    press(&mut pty, "u", "Root access keys");

    // Back out, move the job to a role, deactivate again.
    press(&mut pty, "a", "Reactivate");
    press(&mut pty, "y", "Reactivated AKIAEXAMPLEBACKUP001");
    press(&mut pty, "m", "role");
    press(&mut pty, "d", "Deactivate");
    press(&mut pty, "y", "Deactivated AKIAEXAMPLEBACKUP001");
    // A quiet day, then past the window: delete with the typed key ID.
    press(&mut pty, "s", "observing");
    press(&mut pty, "S", "ready to delete");
    press(&mut pty, "D", "Type");
    press(&mut pty, "AKIAEXAMPLEBACKUP001", "AKIAEXAMPLEBACKUP001");
    press(&mut pty, "\r", "Deleted AKIAEXAMPLEBACKUP001");

    // The forgotten key.
    press(&mut pty, "g", "days ago");
    press(&mut pty, "d", "Deactivate");
    press(&mut pty, "y", "Deactivated AKIAEXAMPLEOLDKEY002");
    press(&mut pty, "S", "ready to delete");
    press(&mut pty, "D", "Type");
    press(&mut pty, "AKIAEXAMPLEOLDKEY002", "AKIAEXAMPLEOLDKEY002");
    press(&mut pty, "\r", "Done");
    // Every step is in the journal.
    press(&mut pty, "J", "Journal");
    beat(&pty, Duration::from_secs(2));
    press(&mut pty, "\x1b", "Done");
    beat(&pty, Duration::from_secs(2));
    // Last, step 7: root's MFA and the prevention SCP (PgDn scrolls to it).
    press(&mut pty, "\x1b[6~", "7. Prevent");
    beat(&pty, Duration::from_secs(1));
    press(&mut pty, "\x1b[6~", "\"aws:AssumedRoot\"");
    beat(&pty, Duration::from_secs(2));
    let final_screen = tidy(&pty.screen());
    // The recording ends on the finished screen, before the program
    // leaves the alternate screen.
    let cast = pty.cast("rootkeys demo --scenario two-keys");
    pty.send("q");
    assert_eq!(pty.wait_exit(WAIT), 0, "the demo ends cleanly");
    Walk {
        readme_screen,
        final_screen,
        cast,
    }
}

/// Replay an asciicast's output through a terminal emulator: the screen it
/// ends on.
fn replay(cast: &str) -> String {
    let mut lines = cast.lines();
    let header: serde_json::Value =
        serde_json::from_str(lines.next().expect("a header line")).expect("header is JSON");
    assert_eq!(header["version"], 2, "asciicast v2");
    let cols = u16::try_from(header["width"].as_u64().expect("width")).expect("width fits");
    let rows = u16::try_from(header["height"].as_u64().expect("height")).expect("height fits");
    assert_eq!((cols, rows), (COLS, ROWS));
    let mut parser = vt100::Parser::new(
        std::num::NonZeroU16::new(rows).expect("rows"),
        std::num::NonZeroU16::new(cols).expect("cols"),
        0,
    );
    let mut last = 0.0;
    for line in lines {
        let event: serde_json::Value = serde_json::from_str(line).expect("event is JSON");
        let at = event[0].as_f64().expect("time");
        assert!(at >= last, "event times never go back");
        last = at;
        assert_eq!(event[1], "o");
        parser.process(event[2].as_str().expect("text").as_bytes());
    }
    parser.screen().contents()
}

fn readme_block(screen: &str) -> String {
    format!("{SCREEN_START}\n```text\n{screen}```\n{SCREEN_END}")
}

#[test]
fn readme_demo_screen_and_recording_match_the_binary() {
    support::require_failpoints();
    let walk = walk_two_keys();
    let screen_file = asset("assets/demo-screen.txt");
    let cast_file = asset("assets/two-keys.cast");
    let readme_file = asset("README.md");
    let readme = std::fs::read_to_string(&readme_file).expect("README.md");
    let start = readme
        .find(SCREEN_START)
        .expect("README marks the demo screen");
    let end = readme
        .find(SCREEN_END)
        .expect("README marks the demo screen's end")
        + SCREEN_END.len();

    if std::env::var_os("ROOTKEYS_RECORD").is_some() {
        std::fs::write(&screen_file, &walk.readme_screen).expect("write screen");
        std::fs::write(&cast_file, &walk.cast).expect("write cast");
        let updated = format!(
            "{}{}{}",
            &readme[..start],
            readme_block(&walk.readme_screen),
            &readme[end..]
        );
        std::fs::write(&readme_file, updated).expect("write README");
        return;
    }

    let stored = std::fs::read_to_string(&screen_file).expect("assets/demo-screen.txt");
    assert_eq!(
        stored, walk.readme_screen,
        "assets/demo-screen.txt is not what the binary shows; run scripts/record-demo"
    );
    assert_eq!(
        &readme[start..end],
        readme_block(&walk.readme_screen),
        "README's demo screen is not assets/demo-screen.txt; run scripts/record-demo"
    );
    let cast = std::fs::read_to_string(&cast_file).expect("assets/two-keys.cast");
    assert_eq!(
        tidy(&replay(&cast)),
        walk.final_screen,
        "assets/two-keys.cast does not end where the walk-through ends today; run scripts/record-demo"
    );
    assert!(
        walk.final_screen.contains("✓ COMPLIANT")
            && walk.final_screen.contains("Done")
            && walk.final_screen.contains("iam:CreateAccessKey"),
        "the walk-through ends compliant:\n{}",
        walk.final_screen
    );
}

#[test]
fn a_recording_replays_to_the_screen_it_recorded() {
    let state = tempfile::tempdir().expect("tempdir");
    let env = support::isolated_env(state.path());
    let mut pty = Pty::spawn(&["demo", "--scenario", "auditor"], &env, COLS, ROWS);
    pty.wait_for("DEMO", WAIT);
    std::thread::sleep(Duration::from_millis(500));
    let cast = pty.cast("auditor");
    pty.send("q");
    pty.wait_exit(WAIT);
    let replayed = replay(&cast);
    assert!(replayed.contains("DEMO"), "replayed screen:\n{replayed}");
    for line in cast.lines().skip(1) {
        let event: serde_json::Value = serde_json::from_str(line).expect("each event is JSON");
        assert!(event[2].is_string());
    }
}
