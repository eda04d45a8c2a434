//! The terminal is always restored: SIGTERM and SIGHUP end the interactive
//! view cleanly, and resizing a running view from 300x100 down to 1x1 and
//! back never panics. The real binary in a pseudo-terminal.

mod support;

use std::time::Duration;

use support::pty::Pty;

const T: Duration = Duration::from_secs(20);
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";
const SHOW_CURSOR: &[u8] = b"\x1b[?25h";

fn restored_after(signal: &str) {
    let state = tempfile::tempdir().expect("tmp");
    let mut pty = Pty::spawn(&["demo"], &support::isolated_env(state.path()), 100, 30);
    pty.wait_for("AKIAEXAMPLEBACKUP001", T);
    let before = pty.raw().len();
    pty.signal(signal);
    let code = pty.wait_exit(T);
    assert!(
        pty.wait_for_raw(LEAVE_ALT_SCREEN, before, T),
        "SIG{signal}: the alternate screen was not left"
    );
    assert!(
        pty.wait_for_raw(SHOW_CURSOR, before, T),
        "SIG{signal}: the cursor was not shown again"
    );
    assert_ne!(code, 0, "SIG{signal} is not a normal exit");
    assert_ne!(code, 101, "SIG{signal} must not look like a panic");
}

#[test]
fn sigterm_restores_the_terminal() {
    restored_after("TERM");
}

#[test]
fn sighup_restores_the_terminal() {
    restored_after("HUP");
}

#[test]
fn resizing_from_300x100_to_1x1_never_panics() {
    let state = tempfile::tempdir().expect("tmp");
    let mut pty = Pty::spawn(&["demo"], &support::isolated_env(state.path()), 120, 40);
    pty.wait_for("AKIAEXAMPLEBACKUP001", T);
    let sizes = [
        (300, 100),
        (1, 1),
        (2, 1),
        (1, 2),
        (10, 4),
        (20, 6),
        (59, 15),
        (60, 16),
        (80, 24),
        (300, 1),
        (1, 100),
        (300, 100),
        (120, 40),
    ];
    for (cols, rows) in sizes {
        pty.resize(cols, rows);
        std::thread::sleep(Duration::from_millis(150));
        assert!(
            pty.alive(),
            "died after resizing to {cols}x{rows}:\n{}",
            pty.screen()
        );
    }
    // Still working at the end: the keys are on screen and `q` leaves cleanly.
    pty.wait_for("AKIAEXAMPLEBACKUP001", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
}
