//! The journal on the file system: only a state directory and files that no
//! one else can write are trusted, nothing is followed through a link,
//! nothing blocks for ever (FIFOs, held locks), and the per-account
//! operation lock. Most checks are at the `Journal` level; a few run the
//! real binary against the moto server, as the attacks were reproduced.
//! The tests run as root: another user is simulated with uid 65534.

mod support;

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{PermissionsExt, chown, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aws_sdk_iam::types::StatusType;
use chrono::{TimeDelta, Utc};
use rootkeys::domain::record::{Act, Outcome, Phase, Record};
use rootkeys::journal::{Journal, JournalError};
use support::{ACCOUNT, Moto, Rootkeys};

const OTHER_UID: u32 = 65534;
/// Only to turn a hang into a failure; nothing here is expected to be slow.
const HANG: Duration = Duration::from_mins(1);

fn journal_path(dir: &Path) -> PathBuf {
    dir.join(format!("journal-{ACCOUNT}.jsonl"))
}

fn lock_path(dir: &Path) -> PathBuf {
    dir.join(format!("journal-{ACCOUNT}.lock"))
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

fn record(key: &str, action: Act, phase: Phase, op: &str, days_ago: i64) -> Record {
    Record {
        time: Utc::now() - TimeDelta::days(days_ago),
        account: ACCOUNT.to_owned(),
        caller: "arn:aws:iam::123456789012:root".to_owned(),
        key: key.to_owned(),
        action,
        phase,
        op: op.to_owned(),
        result: (phase == Phase::Outcome).then_some(Outcome::Ok),
        forced: false,
        window_secs: Some(7 * 86_400),
        note: None,
        version: "0.1.0".to_owned(),
    }
}

fn line(r: &Record) -> String {
    format!("{}\n", serde_json::to_string(r).expect("json"))
}

/// Run `f` on another thread; a hang fails the test instead of stalling it.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(HANG)
        .unwrap_or_else(|_| panic!("{what} did not return: it hangs"))
}

/// Run a command to its end and return its exit code and stderr; a hang
/// kills it and fails the test.
fn run_bounded(cmd: &mut Command, what: &str) -> (Option<i32>, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        let _ = tx.send(text);
    });
    let Ok(stderr) = rx.recv_timeout(HANG) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("{what} did not finish: it hangs");
    };
    let status = child.wait().expect("wait");
    (status.code(), stderr)
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

fn untrusted(err: &JournalError) -> (String, String) {
    match err {
        JournalError::Untrusted { problem, fix, .. } => (problem.clone(), fix.clone()),
        other => panic!("expected a refusal as untrusted, got {other:?}"),
    }
}

// ---- point 10: the state directory -------------------------------------

#[test]
fn a_new_state_dir_is_created_private_with_missing_parents() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join("a").join("b");
    let journal = Journal::open(&state, ACCOUNT).expect("open");
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&tmp.path().join("a")), 0o700);
    journal
        .append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        ))
        .expect("append");
    assert_eq!(mode(journal.path()), 0o600);
}

#[test]
fn a_world_writable_state_dir_is_refused_not_tightened() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join("state");
    fs::create_dir(&state).expect("mkdir");
    set_mode(&state, 0o777);
    let err = Journal::open(&state, ACCOUNT).expect_err("refused");
    let (problem, fix) = untrusted(&err);
    assert!(problem.contains("world-writable"), "{problem}");
    assert!(problem.contains("0777"), "{problem}");
    assert!(
        fix.contains(&format!("chmod 700 '{}'", state.display())),
        "{fix}"
    );
    let message = err.to_string();
    assert!(message.contains("refusing"), "{message}");
    assert_eq!(mode(&state), 0o777, "left as it was for the operator");
    assert!(!journal_path(&state).exists());

    set_mode(&state, 0o770);
    let (problem, _) = untrusted(&Journal::open(&state, ACCOUNT).expect_err("refused"));
    assert!(problem.contains("group-writable"), "{problem}");

    // Readable by others is private enough; writable is not.
    set_mode(&state, 0o755);
    Journal::open(&state, ACCOUNT).expect("a 0755 directory of one's own is fine");
}

#[test]
fn a_state_dir_owned_by_another_user_is_refused_with_the_chown_to_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join("state");
    fs::create_dir(&state).expect("mkdir");
    set_mode(&state, 0o700);
    chown(&state, Some(OTHER_UID), Some(OTHER_UID)).expect("chown");
    let (problem, fix) = untrusted(&Journal::open(&state, ACCOUNT).expect_err("refused"));
    assert!(problem.contains("owned by uid 65534"), "{problem}");
    assert!(
        fix.contains(&format!("chown 0 '{}'", state.display())),
        "{fix}"
    );
}

#[test]
fn a_state_dir_that_is_a_link_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let real = tmp.path().join("real");
    fs::create_dir(&real).expect("mkdir");
    set_mode(&real, 0o700);
    let link = tmp.path().join("state");
    symlink(&real, &link).expect("symlink");
    let (problem, fix) = untrusted(&Journal::open(&link, ACCOUNT).expect_err("refused"));
    assert!(problem.contains("symbolic link"), "{problem}");
    assert!(fix.contains("--state-dir"), "{fix}");
    assert_eq!(fs::read_dir(&real).expect("ls").count(), 0, "nothing made");
}

#[test]
fn a_group_writable_or_foreign_journal_is_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    let path = journal.path().to_owned();
    fs::write(
        &path,
        line(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        )),
    )
    .expect("write");
    set_mode(&path, 0o620);
    let (problem, fix) = untrusted(&journal.read().expect_err("refused"));
    assert!(
        problem.contains("the journal is group-writable"),
        "{problem}"
    );
    assert!(
        fix.contains(&format!("chmod 600 '{}'", path.display())),
        "{fix}"
    );
    let before = fs::read(&path).expect("read");
    let err = journal
        .append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Outcome,
            "a",
            0,
        ))
        .expect_err("refused");
    untrusted(&err);
    assert_eq!(fs::read(&path).expect("read"), before, "nothing appended");

    set_mode(&path, 0o600);
    chown(&path, Some(OTHER_UID), None).expect("chown");
    let (problem, _) = untrusted(&journal.read().expect_err("refused"));
    assert!(problem.contains("owned by uid 65534"), "{problem}");

    chown(&path, Some(0), None).expect("chown back");
    assert_eq!(journal.read().expect("trusted again").records.len(), 1);
}

// ---- point 11: a writable state directory is not a forged journal ------

#[test]
fn a_journal_link_is_never_followed_and_its_target_is_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    let state = tmp.path().join("state");
    let journal = Journal::open(&state, ACCOUNT).expect("open");
    let target = tmp.path().join("root-only");
    fs::write(&target, "root's own file\n").expect("target");
    set_mode(&target, 0o600);
    symlink(&target, journal.path()).expect("symlink");

    let err = journal
        .append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        ))
        .expect_err("refused");
    let (problem, fix) = untrusted(&err);
    assert!(
        problem.contains("symbolic link, not a regular file"),
        "{problem}"
    );
    assert!(fix.contains("rm '"), "{fix}");
    untrusted(&journal.read().expect_err("refused"));
    assert_eq!(
        fs::read_to_string(&target).expect("target"),
        "root's own file\n"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forged_journal_in_a_world_writable_state_dir_deletes_nothing() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let key = &keys[1].id;
    // The key is inactive (deactivated in the console yesterday), and the
    // state directory is open to everyone.
    moto.deactivate_as(&keys[0], key).await;
    set_mode(rk.state.path(), 0o777);
    // Another local user writes a journal that back-dates the deactivation.
    let path = journal_path(rk.state.path());
    let forged = [
        line(&record(key, Act::Deactivate, Phase::Intent, "forged", 30)),
        line(&record(key, Act::Deactivate, Phase::Outcome, "forged", 30)),
    ]
    .concat();
    fs::write(&path, &forged).expect("forge");
    set_mode(&path, 0o600);
    chown(&path, Some(OTHER_UID), Some(OTHER_UID)).expect("chown");

    let status = rk.run(&session, &["status"]);
    assert_eq!(status.code, 2, "{status:?}");
    assert!(!status.stdout.contains("ready"), "{status:?}");
    assert!(status.stderr.contains("world-writable"), "{status:?}");
    assert!(
        status
            .stderr
            .contains(&format!("chmod 700 '{}'", rk.state.path().display())),
        "{status:?}"
    );

    let delete = rk.run(&session, &["delete", key, "--confirm", key]);
    assert_eq!(delete.code, 2, "{delete:?}");
    assert!(delete.stderr.contains("refusing"), "{delete:?}");
    assert_eq!(
        support::root_key_status(&moto, key).await,
        Some(StatusType::Inactive),
        "the key is still there"
    );
    assert_eq!(fs::read_to_string(&path).expect("journal"), forged);

    // With the directory fixed, the foreign journal itself is refused.
    set_mode(rk.state.path(), 0o700);
    let status = rk.run(&session, &["status"]);
    assert_eq!(status.code, 2, "{status:?}");
    assert!(status.stderr.contains("owned by uid 65534"), "{status:?}");
    assert!(
        status
            .stderr
            .contains(&format!("chown 0 '{}'", path.display())),
        "{status:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_planted_journal_link_to_a_root_file_is_not_written_through() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let elsewhere = tempfile::tempdir().expect("tmp");
    let target = elsewhere.path().join("shadow");
    fs::write(&target, "root:*:19000:0:99999:7:::\n").expect("target");
    set_mode(&target, 0o600);
    symlink(&target, journal_path(rk.state.path())).expect("plant");

    let run = rk.run(&session, &["deactivate", &keys[0].id, "--yes"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("symbolic link"), "{run:?}");
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
    for args in [&["journal"][..], &["status"]] {
        let run = rk.run(&session, args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("symbolic link"), "{run:?}");
    }
    assert_eq!(
        fs::read_to_string(&target).expect("target"),
        "root:*:19000:0:99999:7:::\n",
        "the link's target is unchanged"
    );
    assert_eq!(mode(&target), 0o600);
}

// ---- point 12: nothing waits for ever ----------------------------------

#[test]
fn a_fifo_journal_is_refused_at_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    mkfifo(journal.path());
    let reader = journal.clone();
    let err = within("read of a FIFO", move || reader.read()).expect_err("refused");
    let (problem, _) = untrusted(&err);
    assert!(problem.contains("FIFO"), "{problem}");
    let writer = journal.clone();
    let err = within("append to a FIFO", move || {
        writer.append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        ))
    })
    .expect_err("refused");
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fifo_journal_stops_every_command_with_a_message() {
    let moto = Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    mkfifo(&journal_path(rk.state.path()));
    for args in [
        &["status"][..],
        &["journal"],
        &["deactivate", &keys[0].id, "--yes"],
    ] {
        let (code, stderr) = run_bounded(
            rk.command(&session).args(args),
            &format!("rootkeys {args:?} on a FIFO journal"),
        );
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("FIFO"), "{args:?}: {stderr}");
    }
    assert_eq!(
        support::root_key_status(&moto, &keys[0].id).await,
        Some(StatusType::Active)
    );
}

#[test]
fn a_held_journal_lock_is_waited_for_a_bounded_time_naming_the_holder() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT)
        .expect("open")
        .with_lock_wait(Duration::from_millis(300));
    journal
        .append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        ))
        .expect("append");
    // Another process would hold it with its own open file: so does this.
    let other = fs::File::open(journal.path()).expect("open");
    other.lock().expect("lock");

    let reader = journal.clone();
    let err = within("read under a held lock", move || reader.read()).expect_err("busy");
    let JournalError::Busy { holder, waited, .. } = &err else {
        panic!("expected Busy, got {err:?}");
    };
    assert_eq!(holder, &None);
    assert_eq!(*waited, Duration::from_millis(300));
    assert!(
        err.to_string().contains("another rootkeys process"),
        "{err}"
    );

    // When the holder is known (it holds the operation lock), it is named.
    let _op = journal
        .lock_operation("deactivate of AKIAEXAMPLE1", Duration::ZERO)
        .expect("operation lock");
    let writer = journal.clone();
    let err = within("append under a held lock", move || {
        writer.append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Outcome,
            "a",
            0,
        ))
    })
    .expect_err("busy");
    let message = err.to_string();
    assert!(
        message.contains("deactivate of AKIAEXAMPLE1 by pid "),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {} since", std::process::id())),
        "{message}"
    );

    other.unlock().expect("unlock");
    assert_eq!(journal.read().expect("free again").records.len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn status_gives_up_on_a_held_journal_lock_and_says_who_holds_it() {
    let moto = Moto::start();
    let (_keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let journal = Journal::open(rk.state.path(), ACCOUNT).expect("open");
    journal
        .append(&record(
            "AKIAEXAMPLE1",
            Act::Deactivate,
            Phase::Intent,
            "a",
            0,
        ))
        .expect("append");
    let _op = journal
        .lock_operation("delete of AKIAEXAMPLE1", Duration::ZERO)
        .expect("operation lock");
    let held = fs::File::open(journal.path()).expect("open");
    held.lock().expect("lock");

    let (code, stderr) = run_bounded(
        rk.command(&session).arg("status"),
        "status under a held journal lock",
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("another rootkeys process"), "{stderr}");
    assert!(stderr.contains("delete of AKIAEXAMPLE1 by pid"), "{stderr}");
    assert!(stderr.contains("gave up after 10s"), "{stderr}");
}

// ---- the operation lock -------------------------------------------------

#[test]
fn the_operation_lock_is_exclusive_and_says_who_holds_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    assert_eq!(journal.operation_holder(), None);

    let lock = journal
        .lock_operation("deactivate of AKIAEXAMPLE1", Duration::ZERO)
        .expect("lock");
    assert_eq!(mode(&lock_path(tmp.path())), 0o600);
    // Another open in this same process does not get it (the interactive
    // view refreshing while its own write runs), nor does another thread.
    assert!(
        journal
            .try_lock_operation("refresh")
            .expect("try")
            .is_none()
    );
    let other = journal.clone();
    let (got, holder) = within("contending thread", move || {
        let got = other.try_lock_operation("reactivate of AKIAEXAMPLE1");
        (got.map(|l| l.is_some()), other.operation_holder())
    });
    assert!(!got.expect("try"), "a second holder");
    let holder = holder.expect("held");
    let pid = std::process::id();
    assert!(
        holder.starts_with(&format!("deactivate of AKIAEXAMPLE1 by pid {pid} since ")),
        "{holder}"
    );
    assert!(holder.ends_with(" UTC"), "{holder}");

    let err = journal
        .lock_operation("delete of AKIAEXAMPLE1", Duration::from_millis(200))
        .expect_err("busy");
    match &err {
        JournalError::Busy { path, holder, .. } => {
            assert_eq!(path, &lock_path(tmp.path()));
            assert!(
                holder
                    .as_deref()
                    .is_some_and(|h| h.contains("deactivate of AKIAEXAMPLE1")),
                "{holder:?}"
            );
        }
        other => panic!("expected Busy, got {other:?}"),
    }

    drop(lock);
    assert_eq!(journal.operation_holder(), None);
    let again = journal
        .try_lock_operation("delete of AKIAEXAMPLE1")
        .expect("try")
        .expect("free after drop");
    assert!(
        journal
            .operation_holder()
            .is_some_and(|h| h.starts_with("delete of AKIAEXAMPLE1")),
        "the new holder's note only"
    );
    drop(again);
}

#[test]
fn a_waiting_operation_gets_the_lock_when_the_holder_finishes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    let lock = journal
        .lock_operation("deactivate of AKIAEXAMPLE1", Duration::ZERO)
        .expect("lock");
    let waiter = journal.clone();
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(());
        waiter
            .lock_operation("delete of AKIAEXAMPLE1", HANG)
            .map(|l| l.path().to_owned())
    });
    rx.recv().expect("waiter started");
    std::thread::sleep(Duration::from_millis(100));
    drop(lock);
    let got = handle.join().expect("thread").expect("lock after release");
    assert_eq!(got, lock_path(tmp.path()));
}

#[test]
fn the_operation_lock_file_is_never_followed_or_trusted_when_others_can_write_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    let elsewhere = tempfile::tempdir().expect("tmp");
    let target = elsewhere.path().join("precious");
    fs::write(&target, "keep me\n").expect("target");
    set_mode(&target, 0o600);
    let lock = lock_path(tmp.path());
    symlink(&target, &lock).expect("plant");
    for result in [
        journal
            .lock_operation("deactivate of AKIAEXAMPLE1", Duration::ZERO)
            .map(drop),
        journal
            .try_lock_operation("deactivate of AKIAEXAMPLE1")
            .map(drop),
    ] {
        let (problem, _) = untrusted(&result.expect_err("refused"));
        assert!(problem.contains("symbolic link"), "{problem}");
    }
    assert_eq!(journal.operation_holder(), None);
    assert_eq!(fs::read_to_string(&target).expect("target"), "keep me\n");

    fs::remove_file(&lock).expect("rm");
    fs::write(&lock, "").expect("lock file");
    set_mode(&lock, 0o666);
    let err = journal
        .try_lock_operation("x")
        .map(drop)
        .expect_err("refused");
    assert!(untrusted(&err).1.contains("chmod 600"), "{err}");

    fs::remove_file(&lock).expect("rm");
    mkfifo(&lock);
    let fifo = journal.clone();
    let err = within("lock on a FIFO", move || {
        fifo.try_lock_operation("x").map(drop)
    })
    .expect_err("refused");
    assert!(untrusted(&err).0.contains("FIFO"), "{err}");
}

/// Set in the child process of the next test: hold the lock until killed.
const HOLDER_ENV: &str = "ROOTKEYS_TEST_OPERATION_HOLDER_DIR";

#[test]
fn a_killed_holder_releases_the_operation_lock() {
    if let Some(dir) = std::env::var_os(HOLDER_ENV) {
        let journal = Journal::open(Path::new(&dir), ACCOUNT).expect("open");
        let _lock = journal
            .lock_operation("deactivate of AKIACHILDPROCESS", Duration::ZERO)
            .expect("lock");
        println!("HOLDING {}", std::process::id());
        std::io::stdout().flush().expect("flush");
        loop {
            std::thread::sleep(Duration::from_mins(1));
        }
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let journal = Journal::open(tmp.path(), ACCOUNT).expect("open");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "a_killed_holder_releases_the_operation_lock",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLDER_ENV, tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn holder");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // libtest prints the test's name on the same line first.
            if let Some((_, pid)) = line.split_once("HOLDING ") {
                let _ = tx.send(pid.trim().to_owned());
                break;
            }
        }
    });
    let Ok(pid) = rx.recv_timeout(HANG) else {
        let _ = child.kill();
        panic!("the holder process never took the lock");
    };
    assert_eq!(pid, child.id().to_string());

    assert!(journal.try_lock_operation("x").expect("try").is_none());
    let holder = journal.operation_holder().expect("held by the child");
    assert!(
        holder.starts_with(&format!(
            "deactivate of AKIACHILDPROCESS by pid {pid} since "
        )),
        "{holder}"
    );
    let err = journal
        .lock_operation("delete of AKIAEXAMPLE1", Duration::from_millis(100))
        .map(drop)
        .expect_err("busy");
    assert!(err.to_string().contains(&format!("by pid {pid}")), "{err}");

    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    // The kernel released it; the dead holder's note is not reported.
    assert_eq!(journal.operation_holder(), None);
    let lock = journal
        .try_lock_operation("delete of AKIAEXAMPLE1")
        .expect("try")
        .expect("free once the holder died");
    drop(lock);
}

// ---- point 10: no state directory ---------------------------------------

#[test]
fn without_a_state_dir_rootkeys_asks_for_one_instead_of_using_tmp() {
    // A user with no home: no XDG_STATE_HOME, no HOME, no passwd entry.
    let tmp = tempfile::tempdir().expect("tmp");
    set_mode(tmp.path(), 0o777);
    for args in [&["status"][..], &["demo"]] {
        let out = Command::new("setpriv")
            .args(["--reuid=54321", "--regid=54321", "--clear-groups", "--"])
            .arg(env!("CARGO_BIN_EXE_rootkeys"))
            .args(args)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("TMPDIR", tmp.path())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", tmp.path().join("none"))
            .env("AWS_SHARED_CREDENTIALS_FILE", tmp.path().join("none"))
            .stdin(Stdio::null())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("no state directory"), "{args:?}: {stderr}");
        assert!(stderr.contains("--state-dir"), "{args:?}: {stderr}");
        assert!(stderr.contains("ROOTKEYS_STATE_DIR"), "{args:?}: {stderr}");
        assert!(
            !tmp.path().join("rootkeys").exists(),
            "{args:?}: nothing made in the temporary directory"
        );
    }
}

// ---- point 14: journal text is foreign text ------------------------------

#[tokio::test(flavor = "multi_thread")]
async fn journal_output_escapes_control_characters_from_the_file() {
    let moto = Moto::start();
    let (_keys, session) = support::root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);
    let mut hostile = record("AKIAEXAMPLE1", Act::Deactivate, Phase::Intent, "a", 0);
    hostile.note = Some("backup \u{1b}]0;owned\u{7}\u{1b}[2J gone".to_owned());
    let path = journal_path(rk.state.path());
    fs::write(&path, format!("{}{{\"broken\u{1b}[31m\n", line(&hostile))).expect("write");
    set_mode(&path, 0o600);
    let run = rk.run(&session, &["journal"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains('\u{1b}'), "{run:?}");
    assert!(!run.stdout.contains('\u{7}'), "{run:?}");
    assert!(
        run.stdout.contains("backup \\u{1b}]0;owned\\u{7}"),
        "{run:?}"
    );
    assert!(run.stdout.contains("line 2: DAMAGED"), "{run:?}");
    assert!(run.stdout.contains("{\"broken\\u{1b}[31m"), "{run:?}");
}
