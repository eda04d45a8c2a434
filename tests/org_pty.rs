//! The organization view of the real binary in a pseudo-terminal, read
//! back through a terminal emulator (portable-pty + vt100), against the
//! demo organization (`rootkeys demo --scenario org`); and the same demo
//! without a terminal (the audit's table).

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::pty::Pty;

const T: Duration = Duration::from_secs(30);
const NOW: &str = "2026-11-25T12:15:00Z";

fn env(state: &Path) -> Vec<(String, String)> {
    let mut env = support::isolated_env(state);
    env.push(("ROOTKEYS_TEST_DEMO_NOW".to_owned(), NOW.to_owned()));
    env
}

/// Journals of the demo organization, by account.
fn journal(state: &Path, account: &str) -> Option<String> {
    let path = state
        .join("demo")
        .join("org")
        .join(format!("journal-{account}.jsonl"));
    std::fs::read_to_string(path).ok()
}

#[test]
fn demo_org_streams_filters_and_explains_the_scp_error() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 120, 40);
    pty.wait_for("DEMO · org", T);
    // The gauge while accounts are audited, then the verdict.
    pty.wait_for("░ auditing ", T);
    pty.wait_for("✓ audit finished · 12 accounts · 1 could not be audited", T);
    pty.wait_for(
        "✗ NOT COMPLIANT · 5 of 12 accounts with root access keys",
        T,
    );
    pty.wait_for("210987654321 prod-payments", T);
    pty.wait_for("yesterday", T);
    // Only the non-compliant accounts, then all again.
    pty.send("n");
    pty.wait_for("Accounts · 5 of 12 · non-compliant only", T);
    pty.send("n");
    pty.wait_for("Accounts · 12 of 12", T);
    // Filter as typed, keep it, open the account.
    pty.send("/");
    pty.send("stag");
    pty.wait_for("Accounts · 1 of 12 · filter “stag”", T);
    pty.send("\r");
    pty.send("\r");
    pty.wait_for("╭ 777777777777 · staging", T);
    pty.wait_for("aws:AssumedRoot", T);
    // Esc closes the detail, then clears the filter; it never leaves.
    pty.send("\x1b");
    pty.wait_for("Enter open", T);
    assert!(
        pty.screen().contains("Accounts · 1 of 12 · filter “stag”"),
        "{}",
        pty.screen()
    );
    assert!(!pty.screen().contains("What to do"), "{}", pty.screen());
    pty.send("\x1b");
    pty.wait_for("Accounts · 12 of 12", T);
    pty.send("\x1b");
    pty.wait_for("Nothing to go back from: q leaves.", T);
    assert!(pty.alive(), "Esc never leaves");
    pty.send("?");
    pty.wait_for("╭ Help ", T);
    pty.send("?");
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // Each member's AssumeRoot session is journaled under the demo's
    // state directory, never with credentials.
    let member = journal(state.path(), "210987654321").expect("member journal");
    assert!(member.contains(r#""action":"session_opened""#), "{member}");
    assert!(member.contains("IAMAuditRootUserCredentials"), "{member}");
    assert!(!member.contains("ASIA") && !member.to_lowercase().contains("secret"));
    assert!(journal(state.path(), "777777777777").is_some());
    assert!(journal(state.path(), "888888888888").is_none(), "suspended");
    assert!(
        journal(state.path(), "111111111111").is_none(),
        "management"
    );
}

#[test]
fn demo_org_at_80x24_and_ctrl_c_restores_the_terminal() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 80, 24);
    pty.wait_for("✓ audit finished", T);
    pty.wait_for(
        "CIS  ✗ NOT COMPLIANT · 5 of 12 accounts with root access keys",
        T,
    );
    pty.send("/stag\r\r");
    pty.wait_for("PgDn: more", T);
    let before = pty.raw().len();
    pty.send("\x03");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let after = String::from_utf8_lossy(&pty.raw()[before..]).into_owned();
    assert!(
        after.contains("\x1b[?1049l"),
        "leaves the alternate screen: {after:?}"
    );
    assert!(after.contains("\x1b[?25h"), "shows the cursor: {after:?}");
}

#[test]
fn demo_org_without_a_terminal_prints_the_audit() {
    let state = tempfile::tempdir().expect("state");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state.path());
    let out = cmd
        .args(["demo", "--scenario", "org"])
        .env("ROOTKEYS_TEST_DEMO_NOW", NOW)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    // Incomplete (the SCP-blocked member): 2, as `rootkeys org audit`.
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("Organization o-exampledemo1"), "{text}");
    assert!(text.contains("AKIAEXAMPLENIGHTLY01"), "{text}");
    assert!(
        text.contains(r#""Null": {"aws:AssumedRoot": "true"}"#),
        "{text}"
    );
    // --reset starts afresh: the demo's journals are gone.
    assert!(journal(state.path(), "210987654321").is_some());
    let out = Command::new(env!("CARGO_BIN_EXE_rootkeys"))
        .args(["demo", "--scenario", "org", "--reset"])
        .envs(support::isolated_env(state.path()))
        .env("ROOTKEYS_TEST_DEMO_NOW", NOW)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let member = journal(state.path(), "210987654321").expect("journal");
    assert_eq!(
        member.lines().count(),
        1,
        "only this run's session: {member}"
    );
}

#[test]
fn the_org_scenario_is_listed() {
    let state = tempfile::tempdir().expect("state");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state.path());
    let out = cmd
        .args(["demo", "--scenario", "nope"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("two-keys") && err.contains(", org"), "{err}");
}

/// POST JSON to a control endpoint of the test server; its JSON answer.
fn post(moto: &support::Moto, path: &str, body: &serde_json::Value) -> serde_json::Value {
    use std::io::{Read, Write};
    let body = body.to_string();
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", moto.port)).expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.contains(" 200 "), "{path}: {response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

#[test]
fn rootkeys_org_opens_the_view_on_the_live_organization() {
    let moto = support::Moto::start();
    let seeded = post(
        &moto,
        "/_rootkeys/org/seed",
        &serde_json::json!({"members": 3, "with_keys": 1}),
    );
    let keyed = seeded["members"][0]["account_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let rk = support::Rootkeys::new(&moto);
    let admin = support::Keys {
        id: support::ADMIN_KEY.to_owned(),
        secret: support::ADMIN_SECRET.to_owned(),
    };
    let mut pty = Pty::spawn(&["org"], &rk.env(&admin), 120, 40);
    pty.wait_for("✓ audit finished · 4 accounts", T);
    pty.wait_for("✗ NOT COMPLIANT · 1 of 4 accounts with root access keys", T);
    pty.wait_for(&format!("▶   {keyed}"), T);
    pty.send("\r");
    pty.wait_for("AssumeRoot Audit session (IAMAuditRootUserCredentials)", T);
    let screen = pty.screen();
    assert!(!screen.contains("ASIA"), "{screen}");
    assert!(!screen.contains(support::ADMIN_SECRET), "{screen}");
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let journal = std::fs::read_to_string(rk.state.path().join(format!("journal-{keyed}.jsonl")))
        .expect("member journal");
    assert!(
        journal.contains(r#""action":"session_opened""#),
        "{journal}"
    );
}

#[test]
fn sigterm_mid_audit_restores_the_terminal_and_a_panic_too() {
    // SIGTERM while accounts are still audited.
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 100, 30);
    pty.wait_for("░ auditing ", T);
    let before = pty.raw().len();
    pty.signal("TERM");
    let code = pty.wait_exit(T);
    assert!(
        pty.wait_for_raw(b"\x1b[?1049l", before, T),
        "alternate screen left"
    );
    assert!(pty.wait_for_raw(b"\x1b[?25h", before, T), "cursor shown");
    assert_eq!(code, 2, "a signal is not a normal exit");

    // A panic in a background task: restored, and the panic's status.
    let state = tempfile::tempdir().expect("state");
    let mut env = env(state.path());
    env.push((
        "ROOTKEYS_FAILPOINT".to_owned(),
        rootkeys::tui::PANIC_FAILPOINT.to_owned(),
    ));
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env, 100, 30);
    let code = pty.wait_exit(T);
    assert_eq!(
        i32::try_from(code).expect("code"),
        rootkeys::tui::PANIC_EXIT,
        "{}",
        pty.screen()
    );
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    let entered = raw
        .find("\x1b[?1049h")
        .expect("entered the alternate screen");
    let left = raw.rfind("\x1b[?1049l").expect("left the alternate screen");
    assert!(left > entered, "{raw:?}");
}

#[test]
fn resizing_the_org_view_never_panics() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 120, 40);
    pty.wait_for("✓ audit finished", T);
    pty.send("\r");
    pty.wait_for("╭ 210987654321 · prod-payments", T);
    for (w, h) in [
        (1, 1),
        (20, 6),
        (59, 15),
        (60, 16),
        (80, 24),
        (300, 100),
        (120, 40),
    ] {
        pty.resize(w, h);
    }
    pty.wait_for("╭ 210987654321 · prod-payments", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let raw = String::from_utf8_lossy(&pty.raw()).into_owned();
    assert!(!raw.contains("panicked"), "{raw}");
}

#[test]
fn rootkeys_org_outside_an_organization_says_what_to_do() {
    let moto = support::Moto::start();
    let rk = support::Rootkeys::new(&moto);
    let admin = support::Keys {
        id: support::ADMIN_KEY.to_owned(),
        secret: support::ADMIN_SECRET.to_owned(),
    };
    let mut pty = Pty::spawn(&["org"], &rk.env(&admin), 100, 30);
    pty.wait_for("✗ The organization cannot be audited", T);
    pty.wait_for("What to do", T);
    pty.wait_for("? UNKNOWN · the audit could not run", T);
    // Esc does not leave; q does, with the failure's status.
    pty.send("\x1b");
    pty.wait_for("Nothing to go back from", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 2, "{}", pty.screen());
}

/// Wait until `test` holds for the screen, or fail with the screen.
fn wait_until(pty: &Pty, what: &str, test: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + T;
    while std::time::Instant::now() < deadline {
        if test(&pty.screen()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out waiting for {what}; screen:\n{}", pty.screen());
}

/// The table row of `account` on the screen.
fn row_of(screen: &str, account: &str) -> String {
    screen
        .lines()
        .find(|l| l.starts_with('│') && l.contains(account))
        .unwrap_or_default()
        .to_owned()
}

/// The service control policies attached to `target`, by name, read
/// through the SDK as the admin.
fn policies_for(moto: &support::Moto, target: &str) -> Vec<String> {
    let creds = aws_credential_types::Credentials::new(
        support::ADMIN_KEY,
        support::ADMIN_SECRET,
        None,
        None,
        "test",
    );
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .endpoint_url(moto.endpoint())
            .credentials_provider(creds)
            .build(),
    );
    let out = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(
            client
                .list_policies_for_target()
                .target_id(target)
                .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
                .send(),
        )
        .expect("list policies for target");
    out.policies()
        .iter()
        .filter_map(|p| p.name().map(ToOwned::to_owned))
        .collect()
}

#[test]
fn rootkeys_org_quarantines_releases_refuses_an_early_delete_and_prevents() {
    let moto = support::Moto::start();
    let seeded = post(
        &moto,
        "/_rootkeys/org/seed",
        &serde_json::json!({"members": 3, "with_keys": 1}),
    );
    let keyed = seeded["members"][0]["account_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let root_id = seeded["root_id"].as_str().expect("root").to_owned();
    let rk = support::Rootkeys::new(&moto);
    let admin = support::Keys {
        id: support::ADMIN_KEY.to_owned(),
        secret: support::ADMIN_SECRET.to_owned(),
    };
    let mut pty = Pty::spawn(&["org"], &rk.env(&admin), 120, 40);
    pty.wait_for("✓ audit finished · 4 accounts", T);
    // The member with keys is on top, selected, with its stage.
    wait_until(&pty, "the stage of the member with keys", |s| {
        let row = row_of(s, &keyed);
        row.contains("▶") && row.contains("keys present")
    });

    // Q, y: quarantined, and the row shows it once read again.
    pty.send("Q");
    pty.wait_for("Quarantine 1 account?", T);
    pty.wait_for("root access keys will be denied", T);
    pty.send("y");
    pty.wait_for("Quarantine: 1 of 1 done", T);
    wait_until(&pty, "the quarantined stage", |s| {
        row_of(s, &keyed).contains("quarantined (")
    });
    assert_eq!(
        policies_for(&moto, &keyed),
        ["FullAWSAccess", rootkeys::domain::scp::QUARANTINE_NAME]
    );

    // R, y: released.
    pty.send("R");
    pty.wait_for("Release 1 account?", T);
    pty.send("y");
    pty.wait_for("Release: 1 of 1 done", T);
    wait_until(&pty, "the released stage", |s| {
        let row = row_of(s, &keyed);
        row.contains("keys present") && !row.contains("quarantined")
    });
    assert_eq!(policies_for(&moto, &keyed), ["FullAWSAccess"]);

    // Quarantined again, D is refused with the time left: no dialog.
    pty.send("Q");
    pty.wait_for("Quarantine 1 account?", T);
    pty.send("y");
    wait_until(&pty, "quarantined again", |s| {
        row_of(s, &keyed).contains("quarantined (")
    });
    pty.send("D");
    pty.wait_for("cannot be deleted yet: the observation window ends", T);
    let screen = pty.screen();
    assert!(screen.contains(" left). Wait until"), "{screen}");
    assert!(!screen.contains("Type the account ID"), "{screen}");

    // P: the prevention SCP is not attached; typing the root ID attaches it.
    pty.send("P");
    pty.wait_for(
        &format!("The prevention SCP is not attached at the organization root {root_id}"),
        T,
    );
    pty.wait_for("\"Action\": \"iam:CreateAccessKey\"", T);
    pty.send("r-nope\r");
    pty.wait_for(&format!("That is not {root_id}"), T);
    pty.send("\x15");
    pty.send(&format!("{root_id}\r"));
    pty.wait_for("Prevention: 1 of 1 done", T);
    assert!(
        policies_for(&moto, &root_id).contains(&rootkeys::domain::scp::PREVENT_NAME.to_owned()),
        "{:?}",
        policies_for(&moto, &root_id)
    );
    let screen = pty.screen();
    assert!(!screen.contains("ASIA"), "{screen}");
    assert!(!screen.contains(support::ADMIN_SECRET), "{screen}");
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());

    // Each write is journaled in the member's journal, intent and outcome.
    let journal = std::fs::read_to_string(rk.state.path().join(format!("journal-{keyed}.jsonl")))
        .expect("member journal");
    for needle in [
        r#""action":"quarantine","phase":"intent""#,
        r#""action":"release","phase":"outcome""#,
    ] {
        assert!(journal.contains(needle), "{needle}: {journal}");
    }
}

#[test]
fn demo_org_quarantine_then_the_nightly_job_fails_visibly() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 120, 40);
    pty.wait_for("✓ audit finished", T);
    wait_until(&pty, "the stage column", |s| {
        row_of(s, "210987654321").contains("keys present")
    });
    pty.send("Q");
    pty.wait_for("Quarantine 1 account?", T);
    pty.send("y");
    wait_until(&pty, "the quarantined stage", |s| {
        row_of(s, "210987654321").contains("quarantined (")
    });
    // A day later the nightly job was denied: said in a banner.
    pty.send("s");
    pty.wait_for("denied by the quarantine", T);
    pty.wait_for("explicit deny in a service control policy", T);
    // The detail pane says a consumer just failed, and what to do.
    pty.send("\r");
    pty.wait_for("Denied", T);
    // Release it: the backout.
    pty.send("R");
    pty.wait_for("Release 1 account?", T);
    pty.send("y");
    wait_until(&pty, "released", |s| {
        row_of(s, "210987654321").contains("keys present")
    });
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
}

#[test]
fn demo_org_every_step_with_the_skip_ahead_clock() {
    let state = tempfile::tempdir().expect("state");
    let mut pty = Pty::spawn(&["demo", "--scenario", "org"], &env(state.path()), 120, 40);
    pty.wait_for("✓ audit finished", T);
    wait_until(&pty, "the stage column", |s| {
        row_of(s, "444444444444").contains("keys present")
    });
    // Select data-lake (its key is never used), quarantine it.
    pty.send("/data-lake\r");
    wait_until(&pty, "data-lake selected", |s| {
        row_of(s, "444444444444").contains("▶")
    });
    pty.send("w");
    pty.wait_for("▶ 2. Quarantine", T);
    pty.send("Q");
    pty.wait_for("Quarantine 1 account?", T);
    pty.send("y");
    wait_until(&pty, "quarantined", |s| {
        row_of(s, "444444444444").contains("quarantined (")
    });
    pty.wait_for("▶ 3. Observe", T);
    // Too early to delete; S moves the clock to the window's end.
    pty.send("D");
    pty.wait_for("cannot be deleted yet", T);
    pty.send("S");
    wait_until(&pty, "ready to delete", |s| {
        row_of(s, "444444444444").contains("ready to delete")
    });
    pty.wait_for("Simulated clock moved", T);
    pty.wait_for("▶ 5. Delete", T);
    // Delete: the typed account ID; verified; the quarantine detached.
    pty.send("D");
    pty.wait_for("Type the account ID to confirm:", T);
    pty.send("444444444444\r");
    pty.wait_for("Delete: 1 of 1 done", T);
    wait_until(&pty, "compliant", |s| {
        row_of(s, "444444444444").contains("compliant")
    });
    pty.wait_for("✓ 6. Verify", T);
    pty.wait_for("▶ 7. Prevent", T);
    // Prevent: the root ID typed.
    pty.send("P");
    pty.wait_for("Type the root ID (r-…) to attach it:", T);
    let screen = pty.screen();
    let root = screen
        .split("organization root ")
        .nth(1)
        .and_then(|rest| rest.split('.').next())
        .expect("root id")
        .to_owned();
    pty.send(&format!("{root}\r"));
    pty.wait_for("Prevention: 1 of 1 done", T);
    pty.wait_for("✓ 7. Prevent", T);
    pty.send("q");
    assert_eq!(pty.wait_exit(T), 0, "{}", pty.screen());
    let journal = journal(state.path(), "444444444444").expect("journal");
    for action in ["quarantine", "delete", "verify", "release"] {
        assert!(
            journal.contains(&format!(r#""action":"{action}""#)),
            "{action}: {journal}"
        );
    }
}
