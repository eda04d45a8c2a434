//! The organization view: whole-screen snapshots at 120x40 and 80x24 of a
//! simulated organization's audit (insta), and the real event loop on a
//! `TestBackend` with scripted keys (filter, `n`, Enter, Esc). Tokio's clock
//! is paused in the loop tests: the simulated latencies advance virtual
//! time only, so the runs are exact.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use rootkeys::account::sim::SimClock;
use rootkeys::exit::Exit;
use rootkeys::org::OrgAccess;
use rootkeys::org::model::{AuditedOrg, MemberRow};
use rootkeys::org::preflight;
use rootkeys::org::run::{self, Options, Progress};
use rootkeys::org::sim::{OrgLatency, SimOrg};
use rootkeys::tui::org::action::{Action, Command, Failure, Started};
use rootkeys::tui::org::runner::{Audit, run as run_loop};
use rootkeys::tui::org::state::{Config, Mode, OrgApp, OrgDemo, Quit};
use rootkeys::tui::org::view;
use rootkeys::tui::theme::Theme;

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T12:15:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

fn sim(latency: OrgLatency) -> SimOrg {
    SimOrg::open(SimClock::Fixed(t0()), latency).expect("scenario")
}

fn demo(sim: &SimOrg) -> OrgDemo {
    OrgDemo {
        scenario: "org".to_owned(),
        title: sim.title().to_owned(),
        summary: sim.summary().to_owned(),
        notes: sim.notes(),
    }
}

fn app(sim: &SimOrg) -> OrgApp {
    OrgApp::new(Config {
        theme: Theme::plain(),
        demo: Some(demo(sim)),
        now: t0(),
    })
}

/// The whole audit of the demo organization, without the view.
async fn audited(sim: &SimOrg) -> (AuditedOrg, Started) {
    let dir = tempfile::tempdir().expect("state");
    let ready = preflight::check(sim).await.expect("prerequisites");
    let org = run::audit(sim, &ready, &Options::default(), dir.path(), &mut |_| {})
        .await
        .expect("audit");
    let started = Started {
        organization: ready.organization.clone(),
        caller_arn: ready.caller.arn.clone(),
    };
    (org, started)
}

async fn finished_app() -> OrgApp {
    let sim = sim(OrgLatency::NONE);
    let (org, started) = audited(&sim).await;
    let mut app = app(&sim);
    app.update(Action::Started(Box::new(started)));
    app.update(Action::Finished(Box::new(org), None));
    app
}

fn cmd(app: &mut OrgApp, c: Command) {
    app.update(Action::Command(c));
}

fn render(app: &mut OrgApp, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    terminal.draw(|frame| view::draw(frame, app)).expect("draw");
    terminal.backend().to_string()
}

fn snap(name: &str, app: &mut OrgApp) {
    for (w, h) in SIZES {
        let screen = render(app, w, h);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
    }
}

fn select(app: &mut OrgApp, account: &str) {
    cmd(app, Command::Top);
    for _ in 0..app.rows.len() {
        if app.selected_row().map(|r| r.account_id.as_str()) == Some(account) {
            return;
        }
        cmd(app, Command::Down);
    }
    panic!("{account} not shown");
}

#[tokio::test]
async fn org_checking_prerequisites() {
    let sim = sim(OrgLatency::NONE);
    let mut a = app(&sim);
    snap("org_checking", &mut a);
}

#[tokio::test]
async fn org_audit_in_progress() {
    let sim = sim(OrgLatency::NONE);
    let (org, started) = audited(&sim).await;
    let mut a = app(&sim);
    a.update(Action::Started(Box::new(started)));
    // Five rows arrived (in account order), ten accounts listed so far.
    let mut rows: Vec<MemberRow> = org.rows.clone();
    rows.sort_by(|x, y| x.account_id.cmp(&y.account_id));
    for (i, row) in rows.into_iter().take(5).enumerate() {
        let progress = Progress {
            listed: 10,
            listing_done: false,
            done: i + 1,
            errors: 0,
            with_keys: 0,
        };
        a.update(Action::Row(Box::new(row), progress));
    }
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("auditing 5 of 10+ accounts (listing…)"),
        "{screen}"
    );
    assert!(screen.contains("audited 5 / 10+"), "{screen}");
    assert!(screen.contains("so far"), "{screen}");
    snap("org_in_progress", &mut a);
}

#[tokio::test]
async fn org_audit_finished() {
    let mut a = finished_app().await;
    let screen = render(&mut a, 120, 40);
    // Worst first: the key used last night on top; the management account
    // with its credential report key; the SCP error; the suspended account.
    assert!(
        screen.contains("✗ NOT COMPLIANT · 5 of 12 accounts with root access keys"),
        "{screen}"
    );
    assert!(!screen.contains("so far"), "{screen}");
    let first = screen
        .lines()
        .find(|l| l.contains("▶"))
        .expect("a selected row");
    assert!(
        first.contains("210987654321") && first.contains("yesterday"),
        "{first}"
    );
    assert!(screen.contains("management (mgmt)"), "{screen}");
    assert!(screen.contains("not audited"), "{screen}");
    assert!(screen.contains("SCP denies root sessions"), "{screen}");
    snap("org_finished", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_scp_blocked_member() {
    let mut a = finished_app().await;
    select(&mut a, "777777777777");
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("What to do"), "{screen}");
    assert!(screen.contains("aws:AssumedRoot"), "{screen}");
    snap("org_detail_scp", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_management_account() {
    let mut a = finished_app().await;
    select(&mut a, "111111111111");
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("single-account mode"), "{screen}");
    assert!(screen.contains("key slot 1 Active"), "{screen}");
    snap("org_detail_management", &mut a);
}

#[tokio::test]
async fn org_detail_of_the_nightly_key() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("AKIAEXAMPLENIGHTLY01 Active · created 2023-03-04 · last used 2026-11-24 · yesterday · s3 · eu-west-1"),
        "{screen}"
    );
    assert!(screen.contains("Demo note"), "{screen}");
    snap("org_detail_nightly", &mut a);
}

#[tokio::test]
async fn org_filter_while_typing() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::Filter);
    for c in "leg".chars() {
        a.update(Action::Input(c));
    }
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("Accounts · 1 of 12 · filter “leg”"),
        "{screen}"
    );
    assert!(screen.contains("Filter (name or ID): leg"), "{screen}");
    snap("org_filter_typing", &mut a);
}

#[tokio::test]
async fn org_help() {
    let mut a = finished_app().await;
    cmd(&mut a, Command::ToggleHelp);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("╭ Help ─"), "{screen}");
    snap("org_help", &mut a);
    // Any key closes it, back where it was opened.
    cmd(&mut a, Command::Down);
    assert_eq!(a.mode, Mode::Browse);
}

#[tokio::test]
async fn org_cannot_be_audited() {
    let sim = sim(OrgLatency::NONE);
    let mut a = app(&sim);
    a.update(Action::Failed(Failure {
        message: "the caller is the root user (arn:aws:iam::111111111111:root): AssumeRoot is \
                  called by an IAM principal, never by root"
            .to_owned(),
        fix: "sign in with an IAM role or user of the management account".to_owned(),
    }));
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("? UNKNOWN · the audit could not run"),
        "{screen}"
    );
    snap("org_failed", &mut a);
    assert_eq!(a.exit(), Exit::Failed);
}

#[test]
fn org_too_small() {
    let sim = SimOrg::open(SimClock::Fixed(t0()), OrgLatency::NONE).expect("scenario");
    let mut a = app(&sim);
    let screen = render(&mut a, 20, 6);
    assert!(screen.contains("too small"), "{screen}");
    // Every size draws without a panic.
    for w in (1..=121).step_by(8) {
        for h in (1..=41).step_by(4) {
            render(&mut a, w, h);
        }
    }
}

// ---- the real loop ----------------------------------------------------

type Keys = UnboundedSender<std::io::Result<Event>>;

fn key(keys: &Keys, code: KeyCode) {
    keys.unbounded_send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
        .expect("send key");
}

fn chars(keys: &Keys, text: &str) {
    for c in text.chars() {
        key(keys, KeyCode::Char(c));
    }
}

async fn pause(secs: u64) {
    tokio::time::sleep(Duration::from_secs(secs)).await;
}

/// Run the loop over the demo organization while `script` types (the
/// audit is over after 30 s of virtual time); the final screen. The loop
/// ends at `q`, or at the end of input when the script drops its keys.
async fn drive<F>(
    state: &std::path::Path,
    app: &mut OrgApp,
    script: impl FnOnce(Keys) -> F,
) -> String
where
    F: std::future::Future<Output = ()>,
{
    let access: Arc<dyn OrgAccess> = Arc::new(sim(OrgLatency::DEMO));
    let audit = Audit {
        access,
        state_dir: state.to_owned(),
        options: Options {
            concurrency: 3,
            only: None,
        },
        window: TimeDelta::days(7),
    };
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let (keys, events) = unbounded();
    let (_actions_tx, actions) = tokio::sync::mpsc::unbounded_channel::<Action>();
    let (result, ()) = tokio::join!(
        run_loop(&mut terminal, app, audit, events, actions),
        async move {
            pause(30).await;
            script(keys).await;
        }
    );
    result.expect("the loop ends cleanly");
    terminal.backend().to_string()
}

fn loop_app() -> OrgApp {
    let sim = sim(OrgLatency::NONE);
    app(&sim)
}

#[tokio::test(start_paused = true)]
async fn loop_audits_and_journals_each_member_session() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert_eq!(a.quit, Some(Quit::User));
    assert_eq!(a.exit(), Exit::Done);
    assert!(
        screen.contains("✓ audit finished · 12 accounts · 1 could not be audited"),
        "{screen}"
    );
    assert!(screen.contains("audited 12 / 12"), "{screen}");
    // One journal per member audited through AssumeRoot; none for the
    // suspended account or the management account; no credentials.
    for id in [
        "210987654321",
        "222222222222",
        "777777777777",
        "555555555555",
    ] {
        let path = state.path().join(format!("journal-{id}.jsonl"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(text.contains(r#""action":"session_opened""#), "{text}");
        assert!(
            !text.contains("ASIA") && !text.to_lowercase().contains("secret"),
            "{text}"
        );
    }
    for id in ["888888888888", "111111111111"] {
        assert!(
            !state.path().join(format!("journal-{id}.jsonl")).exists(),
            "{id}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn loop_n_shows_only_non_compliant_accounts() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('n'));
        pause(1).await;
        key(&keys, KeyCode::Char('q'));
    })
    .await;
    assert!(
        screen.contains("Accounts · 5 of 12 · non-compliant only"),
        "{screen}"
    );
    assert!(!screen.contains("security-tooling"), "{screen}");
    assert!(!screen.contains("staging"), "{screen}");
    assert!(screen.contains("sandbox-alice"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_filter_applies_while_typing() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        // `q` and `n` are text while typing a filter.
        chars(&keys, "stqn");
        key(&keys, KeyCode::Backspace);
        key(&keys, KeyCode::Backspace);
        chars(&keys, "ag");
        pause(1).await;
        // The keys end: the loop stops as on a hang-up.
    })
    .await;
    assert_eq!(a.quit, Some(Quit::Signal("end of input")));
    assert_eq!(a.filter, "stag");
    assert!(
        screen.contains("Accounts · 1 of 12 · filter “stag”"),
        "{screen}"
    );
    assert!(screen.contains("777777777777"), "{screen}");
    assert!(!screen.contains("210987654321"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_enter_keeps_the_filter_and_opens_the_account() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "staging");
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Enter);
        pause(1).await;
    })
    .await;
    assert_eq!(a.mode, Mode::Detail { scroll: 0 });
    assert_eq!(a.filter, "staging");
    assert!(screen.contains("╭ 777777777777 · staging"), "{screen}");
    assert!(screen.contains("aws:AssumedRoot"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_esc_closes_clears_and_never_leaves() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "staging");
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Enter);
        key(&keys, KeyCode::Esc); // closes the detail
        key(&keys, KeyCode::Esc); // clears the filter
        key(&keys, KeyCode::Char('n'));
        key(&keys, KeyCode::Esc); // shows every account again
        key(&keys, KeyCode::Esc); // nothing left: says so, stays
        pause(1).await;
    })
    .await;
    assert_eq!(
        a.quit,
        Some(Quit::Signal("end of input")),
        "Esc never leaves"
    );
    assert_eq!(a.mode, Mode::Browse);
    assert!(a.filter.is_empty() && !a.non_compliant_only);
    assert!(screen.contains("Accounts · 12 of 12"), "{screen}");
    assert!(
        screen.contains("Nothing to go back from: q leaves."),
        "{screen}"
    );
}

#[tokio::test(start_paused = true)]
async fn loop_esc_while_typing_clears_the_filter() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        key(&keys, KeyCode::Char('/'));
        chars(&keys, "zzz");
        pause(1).await;
        key(&keys, KeyCode::Esc);
        pause(1).await;
    })
    .await;
    assert!(a.filter.is_empty());
    assert_eq!(a.mode, Mode::Browse);
    assert!(screen.contains("Accounts · 12 of 12"), "{screen}");
}

#[tokio::test]
async fn q_and_help_stay_in_the_footer_at_every_width_and_in_every_mode() {
    let mut a = finished_app().await;
    for open in [false, true] {
        if open {
            select(&mut a, "210987654321");
            cmd(&mut a, Command::Open);
        }
        for w in [60u16, 80, 120] {
            let screen = render(&mut a, w, 24);
            let footer = screen.lines().last().unwrap_or_default().to_owned();
            assert!(footer.contains("q quit"), "{w} cols, open {open}: {footer}");
            assert!(footer.contains("? help"), "{w} cols, open {open}: {footer}");
        }
    }
}

// ---- the staged removal: stages, dialogs, results ---------------------

use rootkeys::org::port::{OrgDeniedCall, PolicyRef, ScpRoot};
use rootkeys::org::remediate::{
    MemberState, OrgRemediator, PreventState, ScpReady, WriteOutcome, WriteResult,
};
use rootkeys::org::stage::{self, OrgStage, Quarantine};
use rootkeys::tui::org::action::{Effect, Reread, Write, Wrote};
use rootkeys::tui::org::state::{Confirm, PreventDialog, Tone};

const WEEK: TimeDelta = TimeDelta::days(7);

fn ready_scp(ready: preflight::Ready) -> ScpReady {
    ScpReady {
        ready,
        root: ScpRoot {
            id: "r-ex4m".to_owned(),
            scp_enabled: true,
        },
        quarantine: None,
        attached: std::collections::BTreeSet::new(),
    }
}

/// The demo organization read and settled against fresh journals, as the
/// view's audit task reports it: 222222222222 quarantined just now (the
/// policy found attached), every other account as audited.
async fn staged_app() -> (OrgApp, tempfile::TempDir) {
    let sim = sim(OrgLatency::NONE);
    let (org, started) = audited(&sim).await;
    let ready = preflight::check(&sim).await.expect("prerequisites");
    let dir = tempfile::tempdir().expect("state");
    let access: Arc<dyn OrgAccess> = Arc::new(self::sim(OrgLatency::NONE));
    let remediator = OrgRemediator::new(access, dir.path().to_owned(), WEEK);
    let states: Vec<MemberState> = org
        .rows
        .iter()
        .map(|row| {
            remediator.settle(
                row.clone(),
                row.account_id == "222222222222",
                &ready.caller.arn,
            )
        })
        .collect();
    let mut app = app(&sim);
    app.update(Action::Started(Box::new(started)));
    app.update(Action::Prepared(Box::new(ready_scp(ready))));
    app.update(Action::Finished(
        Box::new(org),
        Some(Box::new(Reread {
            now: t0(),
            states: Ok(states),
            denied: Vec::new(),
            skipped: None,
        })),
    ));
    (app, dir)
}

/// Make `id` quarantined since `since` (as its journal would say).
fn quarantine_since(app: &mut OrgApp, id: &str, since: DateTime<Utc>) {
    let now = app.now;
    let st = app.states.get_mut(id).expect("state");
    let q = Quarantine {
        since,
        window: WEEK,
    };
    st.attached = true;
    st.quarantine = Some(q);
    st.stage = if now >= q.ends() {
        OrgStage::Ready {
            since,
            ends: q.ends(),
        }
    } else {
        OrgStage::Quarantined {
            since,
            ends: q.ends(),
        }
    };
    st.used_since = stage::used_since(&st.row.keys, since)
        .into_iter()
        .map(|(k, u)| (k.to_owned(), u.clone()))
        .collect();
    st.next_action = stage::next_action(id, st.stage, !st.used_since.is_empty());
}

fn status(app: &OrgApp) -> &str {
    app.status.as_deref().unwrap_or_default()
}

#[tokio::test]
async fn org_stage_column_shows_each_accounts_stage() {
    let (mut a, _dir) = staged_app().await;
    quarantine_since(&mut a, "444444444444", t0() - TimeDelta::days(8));
    let screen = render(&mut a, 120, 40);
    let line = |id: &str| {
        screen
            .lines()
            .find(|l| l.starts_with("\"│") && l.contains(id))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        line("222222222222").contains("quarantined (7 d left)"),
        "{screen}"
    );
    assert!(line("444444444444").contains("ready to delete"), "{screen}");
    assert!(line("210987654321").contains("keys present"), "{screen}");
    assert!(line("123412341234").contains("compliant"), "{screen}");
    assert!(line("111111111111").contains("keys active"), "{screen}");
    assert!(line("777777777777").contains("unknown"), "{screen}");
    snap("org_stage_column", &mut a);
}

#[tokio::test]
async fn org_quarantine_confirms_the_marked_accounts_once_and_defaults_to_no() {
    let (mut a, _dir) = staged_app().await;
    // Space marks and moves down: the two accounts with keys on top.
    select(&mut a, "210987654321");
    cmd(&mut a, Command::Mark);
    select(&mut a, "444444444444");
    cmd(&mut a, Command::Mark);
    // The quarantined one is left out, and says why.
    select(&mut a, "222222222222");
    cmd(&mut a, Command::Mark);
    assert_eq!(a.marked.len(), 3);
    assert!(a.update(Action::Command(Command::Quarantine)).is_none());
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog: {:?}", a.mode);
    };
    assert_eq!(c.write, Write::Quarantine);
    assert!(!c.yes_focused, "No is the default");
    let ids: Vec<&str> = c.accounts.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["210987654321", "444444444444"]);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("Quarantine 2 accounts?"), "{screen}");
    assert!(
        screen.contains("root access keys will be denied"),
        "{screen}"
    );
    assert!(screen.contains("R releases it"), "{screen}");
    assert!(
        screen.contains("222222222222: already quarantined"),
        "{screen}"
    );
    snap("org_confirm_quarantine", &mut a);
    // Enter answers No; Esc and n too: nothing changed, marks kept.
    assert!(a.update(Action::Command(Command::Submit)).is_none());
    assert_eq!(a.mode, Mode::Browse);
    assert_eq!(status(&a), "Nothing changed.");
    assert_eq!(a.marked.len(), 3);
    cmd(&mut a, Command::Quarantine);
    assert!(a.update(Action::Command(Command::Back)).is_none());
    assert_eq!(
        a.mode,
        Mode::Browse,
        "Esc closes the dialog, never the view"
    );
    assert!(a.quit.is_none());
    // y: one effect for both accounts; the marks are spent.
    cmd(&mut a, Command::Quarantine);
    let effect = a.update(Action::Command(Command::Yes));
    let Some(Effect::Quarantine(_, members)) = effect else {
        panic!("{effect:?}");
    };
    assert_eq!(members.len(), 2);
    assert!(a.marked.is_empty());
    assert!(a.pending.is_some());
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("quarantining 2 accounts…"), "{screen}");
    // A second change waits for the first.
    select(&mut a, "222222222222");
    cmd(&mut a, Command::Release);
    assert!(
        status(&a).contains("One change at a time"),
        "{}",
        status(&a)
    );
}

#[tokio::test]
async fn org_release_asks_and_the_result_is_read_again() {
    let (mut a, _dir) = staged_app().await;
    select(&mut a, "222222222222");
    cmd(&mut a, Command::Release);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("Release 1 account?"), "{screen}");
    assert!(screen.contains("root access keys work"), "{screen}");
    snap("org_confirm_release", &mut a);
    // Switch to Yes, Enter.
    cmd(&mut a, Command::Switch);
    let effect = a.update(Action::Command(Command::Submit));
    assert!(
        matches!(effect, Some(Effect::Release(_, ref m)) if m.len() == 1),
        "{effect:?}"
    );
    // The result comes back: shown with its request ID, then the account
    // is read again.
    let effect = a.update(Action::Wrote(Box::new(Wrote {
        write: Write::Release,
        results: vec![WriteResult {
            account_id: "222222222222".to_owned(),
            outcome: WriteOutcome::Done,
            steps: vec![
                "SCP rootkeys-quarantine-root-access-keys (p-q1) detached from account \
                 222222222222: release (backout) (request ID 4f1c-rel)"
                    .to_owned(),
            ],
        }],
        prep: None,
        prevent: None,
    })));
    let Some(Effect::Reread(_, Some(ids))) = effect else {
        panic!("{effect:?}");
    };
    assert_eq!(ids, ["222222222222"]);
    let notice = a.notice.clone().expect("results shown");
    assert_eq!(notice.tone, Tone::Ok);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("Release: 1 of 1 done"), "{screen}");
    assert!(screen.contains("(request ID"), "{screen}");
    assert!(screen.contains("4f1c-rel"), "{screen}");
    assert!(screen.contains("reading the accounts again…"), "{screen}");
    // The live stage replaces the old one.
    let mut released = a.states["222222222222"].clone();
    released.stage = OrgStage::KeysPresent;
    released.attached = false;
    released.quarantine = None;
    a.update(Action::Reread(Box::new(Reread {
        now: t0(),
        states: Ok(vec![released]),
        denied: Vec::new(),
        skipped: None,
    })));
    assert!(a.pending.is_none());
    let screen = render(&mut a, 120, 40);
    let line = screen
        .lines()
        .find(|l| l.contains("222222222222 legacy-batch"))
        .unwrap_or_default();
    assert!(line.contains("keys present"), "{screen}");
    // Esc dismisses the results.
    cmd(&mut a, Command::Back);
    assert!(a.notice.is_none());
}

#[tokio::test]
async fn org_keys_that_cannot_act_say_why() {
    let (mut a, _dir) = staged_app().await;
    select(&mut a, "111111111111");
    cmd(&mut a, Command::Quarantine);
    assert_eq!(a.mode, Mode::Browse);
    assert!(
        status(&a).contains("111111111111: the management account cannot be quarantined"),
        "{}",
        status(&a)
    );
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("cannot be quarantined"), "{screen}");
    // A compliant account has nothing to quarantine.
    select(&mut a, "555555555555");
    cmd(&mut a, Command::Quarantine);
    assert!(
        status(&a).contains("nothing to quarantine"),
        "{}",
        status(&a)
    );
    // Delete while the window runs: refused with the time left.
    select(&mut a, "222222222222");
    cmd(&mut a, Command::Delete);
    assert_eq!(a.mode, Mode::Browse);
    assert!(
        status(&a).contains("2026-12-02 12:15 UTC (7 d left)"),
        "{}",
        status(&a)
    );
    // Delete of an account not quarantined: quarantine first.
    select(&mut a, "210987654321");
    cmd(&mut a, Command::Delete);
    assert!(status(&a).contains("quarantine first"), "{}", status(&a));
}

#[tokio::test]
async fn org_delete_asks_for_the_typed_account_id_and_refuses_near_misses() {
    let (mut a, _dir) = staged_app().await;
    quarantine_since(&mut a, "444444444444", t0() - TimeDelta::days(8));
    select(&mut a, "444444444444");
    cmd(&mut a, Command::Delete);
    assert!(matches!(a.mode, Mode::TypeDelete(_)), "{:?}", a.mode);
    // `q`, `y` and `?` are text here; one digit off is refused.
    for c in "444444444445".chars() {
        a.update(Action::Input(c));
    }
    assert!(a.update(Action::Command(Command::Submit)).is_none());
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("That is not 444444444444 (1 digit differs)"),
        "{screen}"
    );
    assert!(screen.contains("Nothing was deleted"), "{screen}");
    assert!(screen.contains("cannot be undone"), "{screen}");
    snap("org_typed_delete_near_miss", &mut a);
    // Too short says so too.
    a.update(Action::Backspace);
    assert!(a.update(Action::Command(Command::Submit)).is_none());
    let Mode::TypeDelete(d) = &a.mode else {
        panic!("{:?}", a.mode);
    };
    assert!(
        d.mismatch
            .as_deref()
            .unwrap_or_default()
            .contains("11 characters"),
        "{:?}",
        d.mismatch
    );
    // Exactly the ID: the Delete effect, never forced.
    a.update(Action::Input('4'));
    let effect = a.update(Action::Command(Command::Submit));
    let Some(Effect::Delete(_, member)) = effect else {
        panic!("{effect:?}");
    };
    assert_eq!(member.account_id(), "444444444444");
    // Esc in the dialog: nothing changed.
    a.pending = None;
    cmd(&mut a, Command::Delete);
    cmd(&mut a, Command::Back);
    assert_eq!(status(&a), "Nothing changed.");
}

#[tokio::test]
async fn org_delete_is_refused_after_a_consumer_failed() {
    let (mut a, _dir) = staged_app().await;
    quarantine_since(&mut a, "210987654321", t0() - TimeDelta::days(8));
    select(&mut a, "210987654321");
    cmd(&mut a, Command::Delete);
    assert_eq!(a.mode, Mode::Browse);
    assert!(
        status(&a).contains("a key was used after the quarantine began"),
        "{}",
        status(&a)
    );
}

fn prevent_state(ready: preflight::Ready, attached: bool) -> PreventState {
    let policy = PolicyRef {
        id: "p-prev1".to_owned(),
        name: rootkeys::domain::scp::PREVENT_NAME.to_owned(),
        aws_managed: false,
    };
    PreventState {
        ready,
        root: ScpRoot {
            id: "r-ex4m".to_owned(),
            scp_enabled: true,
        },
        attached: attached.then(|| policy.clone()),
        policy: attached.then_some(policy),
        root_policies: 1,
    }
}

#[tokio::test]
async fn org_prevent_shows_the_policy_and_asks_for_the_root_id() {
    let (mut a, _dir) = staged_app().await;
    let sim = sim(OrgLatency::NONE);
    let ready = preflight::check(&sim).await.expect("prerequisites");
    let effect = a.update(Action::Command(Command::Prevent));
    assert!(matches!(effect, Some(Effect::PreventState)), "{effect:?}");
    a.update(Action::PreventRead(Ok(Box::new(prevent_state(
        ready.clone(),
        false,
    )))));
    let Mode::Prevent(p) = &a.mode else {
        panic!("{:?}", a.mode);
    };
    assert_eq!(p.root_id, "r-ex4m");
    for c in "r-exam".chars() {
        a.update(Action::Input(c));
    }
    assert!(a.update(Action::Command(Command::Submit)).is_none());
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("is not attached at the organization root r-ex4m"),
        "{screen}"
    );
    assert!(
        screen.contains("\"Action\": \"iam:CreateAccessKey\""),
        "{screen}"
    );
    assert!(screen.contains("That is not r-ex4m"), "{screen}");
    snap("org_prevent_dialog", &mut a);
    cmd(&mut a, Command::ClearInput);
    for c in "r-ex4m".chars() {
        a.update(Action::Input(c));
    }
    let effect = a.update(Action::Command(Command::Submit));
    assert!(matches!(effect, Some(Effect::Prevent(_))), "{effect:?}");
    // Already attached: says so, and nothing to type.
    a.pending = None;
    a.update(Action::Command(Command::Prevent));
    a.update(Action::PreventRead(Ok(Box::new(prevent_state(
        ready, true,
    )))));
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("rootkeys-prevent-root-access-keys (p-prev1) is"),
        "{screen}"
    );
    assert!(!screen.contains("Type the root ID"), "{screen}");
    snap("org_prevent_attached", &mut a);
    assert!(a.update(Action::Command(Command::Submit)).is_none());
    assert_eq!(a.mode, Mode::Browse);
}

#[tokio::test]
async fn org_walkthrough_panel_marks_the_selected_accounts_progress() {
    let (mut a, _dir) = staged_app().await;
    select(&mut a, "222222222222");
    cmd(&mut a, Command::ToggleWalkthrough);
    let screen = render(&mut a, 120, 40);
    assert!(screen.contains("Walkthrough"), "{screen}");
    assert!(screen.contains("✓ 1. Review"), "{screen}");
    assert!(screen.contains("✓ 2. Quarantine"), "{screen}");
    assert!(screen.contains("▶ 3. Observe"), "{screen}");
    assert!(screen.contains("· 7. Prevent"), "{screen}");
    snap("org_walkthrough", &mut a);
    cmd(&mut a, Command::ToggleWalkthrough);
    assert!(!render(&mut a, 120, 40).contains("Walkthrough"));
}

#[tokio::test]
async fn org_consumer_that_just_failed_is_named_in_the_detail() {
    let (mut a, _dir) = staged_app().await;
    quarantine_since(&mut a, "210987654321", t0() - TimeDelta::days(2));
    a.update(Action::Reread(Box::new(Reread {
        now: t0(),
        states: Ok(vec![a.states["210987654321"].clone()]),
        denied: vec![OrgDeniedCall {
            account_id: "210987654321".to_owned(),
            key_id: "AKIAEXAMPLENIGHTLY01".to_owned(),
            job: "nightly export".to_owned(),
            time: DateTime::parse_from_rfc3339("2026-11-25T02:00:00Z")
                .expect("date")
                .with_timezone(&Utc),
            action: "s3:PutObject".to_owned(),
            message: "AccessDenied: … with an explicit deny in a service control policy".to_owned(),
        }],
        skipped: None,
    })));
    select(&mut a, "210987654321");
    cmd(&mut a, Command::Open);
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("⚠ a consumer just failed: AKIAEXAMPLENIGHTLY01 used"),
        "{screen}"
    );
    assert!(
        screen.contains("release (R) and move it to a role"),
        "{screen}"
    );
    assert!(screen.contains("Since"), "{screen}");
    assert!(screen.contains("Window ends"), "{screen}");
    assert!(
        screen.contains("nightly export (210987654321): s3:PutObject AccessDenied"),
        "{screen}"
    );
    snap("org_consumer_failed", &mut a);
}

#[tokio::test]
async fn org_skipping_ahead_shows_the_nightly_jobs_denied_calls() {
    let (mut a, _dir) = staged_app().await;
    // Without the demo there is no clock to move.
    a.demo = None;
    assert!(a.update(Action::Command(Command::SkipDay)).is_none());
    assert!(
        status(&a).contains("only exists in the demo"),
        "{}",
        status(&a)
    );
    let sim = sim(OrgLatency::NONE);
    a.demo = Some(demo(&sim));
    let effect = a.update(Action::Command(Command::SkipDay));
    assert!(
        matches!(effect, Some(Effect::Skip(_, by)) if by == TimeDelta::days(1)),
        "{effect:?}"
    );
    a.pending = None;
    // S: to the selected account's window end.
    select(&mut a, "222222222222");
    let effect = a.update(Action::Command(Command::SkipWindow));
    assert!(
        matches!(effect, Some(Effect::Skip(_, by)) if by > TimeDelta::days(7) - TimeDelta::minutes(1) && by <= TimeDelta::days(7) + TimeDelta::minutes(1)),
        "{effect:?}"
    );
    let before = t0();
    let after = t0() + TimeDelta::days(1);
    a.update(Action::Reread(Box::new(Reread {
        now: after,
        states: Ok(vec![a.states["222222222222"].clone()]),
        denied: vec![OrgDeniedCall {
            account_id: "222222222222".to_owned(),
            key_id: "AKIAEXAMPLELEGACY001".to_owned(),
            job: "02:00 nightly export".to_owned(),
            time: before + TimeDelta::hours(14),
            action: "s3:PutObject".to_owned(),
            message: "AccessDenied: explicit deny in a service control policy".to_owned(),
        }],
        skipped: Some((TimeDelta::days(1), before)),
    })));
    assert!(a.pending.is_none());
    assert_eq!(a.now, after);
    let notice = a.notice.clone().expect("a banner");
    assert_eq!(notice.tone, Tone::Error);
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("1 call denied by the quarantine"),
        "{screen}"
    );
    assert!(
        screen.contains("02:00 nightly export (222222222222): s3:PutObject AccessDenied"),
        "{screen}"
    );
    assert!(
        screen.contains("Simulated clock moved 1 d ahead"),
        "{screen}"
    );
}

#[tokio::test]
async fn org_a_long_confirmation_list_scrolls() {
    let (mut a, _dir) = staged_app().await;
    let accounts: Vec<(String, String)> = (0..30)
        .map(|i| {
            (
                format!("{:012}", 100 + i),
                format!("{:012} member-{i:04} · keys present", 100 + i),
            )
        })
        .collect();
    a.mode = Mode::Confirm(Confirm {
        write: Write::Quarantine,
        accounts,
        skipped: Vec::new(),
        yes_focused: false,
        scroll: 0,
        back: Box::new(Mode::Browse),
    });
    let screen = render(&mut a, 80, 24);
    assert!(screen.contains("Quarantine 30 accounts?"), "{screen}");
    assert!(screen.contains("000000000100"), "{screen}");
    assert!(screen.contains("/ 30 · ↑↓ scroll the list"), "{screen}");
    assert!(screen.contains(" No "), "the buttons stay: {screen}");
    cmd(&mut a, Command::PageDown);
    cmd(&mut a, Command::Down);
    let screen = render(&mut a, 80, 24);
    assert!(!screen.contains("000000000100"), "{screen}");
    assert!(screen.contains("000000000106"), "{screen}");
}

#[tokio::test]
async fn org_writes_unavailable_say_why() {
    let mut a = finished_app().await;
    a.update(Action::WritesUnavailable(Failure {
        message: "looking for the quarantine policy: AccessDenied".to_owned(),
        fix: "allow organizations:ListPolicies".to_owned(),
    }));
    let screen = render(&mut a, 120, 40);
    assert!(
        screen.contains("Read-only: looking for the quarantine policy"),
        "{screen}"
    );
    select(&mut a, "210987654321");
    cmd(&mut a, Command::Quarantine);
    assert_eq!(a.mode, Mode::Browse);
    assert!(!status(&a).is_empty());
}

#[tokio::test]
async fn org_help_lists_the_new_keys() {
    let (mut a, _dir) = staged_app().await;
    cmd(&mut a, Command::ToggleHelp);
    for (w, h) in SIZES {
        let screen = render(&mut a, w, h);
        for needle in [
            "Q ",
            "quarantine the marked",
            "R ",
            "D ",
            "P ",
            "Space",
            "w ",
        ] {
            assert!(screen.contains(needle), "{w}x{h} {needle}: {screen}");
        }
    }
}

#[tokio::test]
async fn org_dialog_text_fits_at_both_sizes_with_q_and_help_in_the_footer() {
    let (mut a, _dir) = staged_app().await;
    select(&mut a, "210987654321");
    for (w, h) in SIZES {
        let screen = render(&mut a, w, h);
        let footer = screen.lines().last().unwrap_or_default().to_owned();
        assert!(
            footer.contains("q quit") && footer.contains("? help"),
            "{footer}"
        );
    }
    let _: Option<PreventDialog> = None;
}

#[tokio::test(start_paused = true)]
async fn loop_quarantine_then_a_day_later_the_nightly_job_was_denied() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        // The nightly key's account is on top, selected.
        key(&keys, KeyCode::Char('Q'));
        pause(1).await;
        key(&keys, KeyCode::Char('y'));
        pause(20).await;
        key(&keys, KeyCode::Char('s'));
        pause(30).await;
    })
    .await;
    let state_of = &a.states["210987654321"];
    assert!(
        matches!(state_of.stage, OrgStage::Quarantined { .. }),
        "{:?}",
        state_of.stage
    );
    assert!(!a.denied_for("210987654321").is_empty(), "{screen}");
    assert!(screen.contains("denied by the quarantine"), "{screen}");
    assert!(
        screen.contains("Simulated clock moved 1 d ahead"),
        "{screen}"
    );
    // The row says a consumer just failed.
    let row = screen
        .lines()
        .find(|l| l.contains("210987654321 prod-payments"))
        .unwrap_or_default();
    assert!(row.contains("quarantined (6 d left) ⚠"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn loop_after_a_denied_run_the_job_moves_to_a_role_and_the_next_quarantine_stays_quiet() {
    let state = tempfile::tempdir().expect("state");
    let mut a = loop_app();
    let screen = drive(state.path(), &mut a, |keys| async move {
        // Quarantine the nightly key's account; a day later its run failed.
        key(&keys, KeyCode::Char('Q'));
        pause(1).await;
        key(&keys, KeyCode::Char('y'));
        pause(20).await;
        key(&keys, KeyCode::Char('s'));
        pause(30).await;
        key(&keys, KeyCode::Esc);
        // Release, move the job to a role, quarantine again, a day later.
        key(&keys, KeyCode::Char('R'));
        pause(1).await;
        key(&keys, KeyCode::Char('y'));
        pause(20).await;
        key(&keys, KeyCode::Esc);
        key(&keys, KeyCode::Char('m'));
        pause(20).await;
        key(&keys, KeyCode::Char('Q'));
        pause(1).await;
        key(&keys, KeyCode::Char('y'));
        pause(20).await;
        key(&keys, KeyCode::Esc);
        key(&keys, KeyCode::Char('s'));
        pause(30).await;
    })
    .await;
    let state_of = &a.states["210987654321"];
    assert!(
        matches!(state_of.stage, OrgStage::Quarantined { .. }),
        "{:?}",
        state_of.stage
    );
    // No use since the second quarantine began: nothing failed this time.
    assert!(state_of.used_since.is_empty(), "{:?}", state_of.used_since);
    let row = screen
        .lines()
        .find(|l| l.contains("210987654321 prod-payments"))
        .unwrap_or_default();
    assert!(!row.contains('⚠'), "{screen}");
    assert!(!screen.contains("denied by the quarantine"), "{screen}");
}

#[tokio::test]
async fn m_moves_a_job_only_in_the_demo() {
    let (mut a, _dir) = staged_app().await;
    a.demo = None;
    select(&mut a, "210987654321");
    assert!(a.update(Action::Command(Command::MoveToRole)).is_none());
    assert!(
        a.status
            .as_deref()
            .is_some_and(|s| s.contains("outside rootkeys"))
    );
}
