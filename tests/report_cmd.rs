//! `rootkeys report FILE`: the offline verdict from real-shaped credential reports.

use std::process::Command;

fn report(file: &str, json: bool) -> (i32, String, String) {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    let state = tempfile::tempdir().expect("tmp");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    cmd.arg("report")
        .arg(&path)
        .env("ROOTKEYS_STATE_DIR", state.path());
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(file: &str) -> (i32, serde_json::Value) {
    let (code, stdout, stderr) = report(file, true);
    let doc = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout} {stderr}"));
    (code, doc)
}

#[test]
fn no_keys_is_compliant() {
    let (code, doc) = json("no-keys.csv");
    assert_eq!(code, 0);
    assert_eq!(doc["cis_compliant"], true);
    assert_eq!(doc["keys"], serde_json::json!([]));
    let (code, text, _) = report("no-keys.csv", false);
    assert_eq!(code, 0);
    assert!(text.contains("COMPLIANT (no root access key)"), "{text}");
}

#[test]
fn one_active_key() {
    let (code, doc) = json("one-active.csv");
    assert_eq!(code, 1);
    assert_eq!(doc["cis_compliant"], false);
    assert_eq!(
        doc["keys"],
        serde_json::json!([{
            "slot": 1, "active": true, "last_rotated": "2019-04-02T10:11:12Z",
            "last_used": {"date": "2026-11-24T03:00:00Z", "service": "s3", "region": "eu-west-1"}
        }])
    );
    // An IAM user's key in the same report is not root's.
    let (_, text, _) = report("one-active.csv", false);
    assert!(text.contains("1 root access key present"), "{text}");
}

#[test]
fn one_inactive_key_is_still_a_finding() {
    let (code, doc) = json("one-inactive.csv");
    assert_eq!(code, 1, "CIS asks that no key exists, active or not");
    assert_eq!(doc["keys"][0]["active"], false);
    assert_eq!(doc["keys"][0]["last_used"]["service"], "ec2");
}

#[test]
fn two_keys_mixed_with_bom_crlf_and_quotes() {
    let (code, doc) = json("two-mixed.csv");
    assert_eq!(code, 1);
    assert_eq!(doc["account_id"], "123456789012");
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["active"], true);
    assert_eq!(keys[1]["slot"], 2);
    assert_eq!(keys[1]["active"], false);
    assert_eq!(keys[1]["last_used"]["region"], "us-west-2");
}

#[test]
fn never_used_keys_have_no_last_use() {
    let (code, doc) = json("never-used.csv");
    assert_eq!(code, 1);
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k["last_used"].is_null()), "{doc}");
    let (_, text, _) = report("never-used.csv", false);
    assert_eq!(text.matches("never used").count(), 2, "{text}");
}

#[test]
fn no_root_row_is_an_error_not_a_pass() {
    let (code, stdout, stderr) = report("no-root-row.csv", false);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("no <root_account> row"), "{stderr}");
}

#[test]
fn malformed_files_name_the_line_and_field() {
    let (code, _, stderr) = report("malformed-boolean.csv", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("line 2"), "{stderr}");
    assert!(stderr.contains("access_key_1_active"), "{stderr}");
    assert!(stderr.contains("maybe"), "{stderr}");

    let (code, _, stderr) = report("malformed-truncated.csv", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("line 2"), "{stderr}");

    let (code, _, stderr) = report("wrong-header.csv", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("line 1"), "{stderr}");
    assert!(stderr.contains("missing columns"), "{stderr}");

    let (code, _, stderr) = report("empty.csv", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("empty"), "{stderr}");

    let (code, _, stderr) = report("does-not-exist.csv", false);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

/// Run `rootkeys report ARGS`; a run still going after 60 s is killed and
/// fails the test (a hang, not a slow run).
fn report_path(path: &std::path::Path, json: bool) -> (i32, String, String) {
    let state = tempfile::tempdir().expect("tmp");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    cmd.arg("report")
        .arg(path)
        .env("ROOTKEYS_STATE_DIR", state.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if json {
        cmd.arg("--json");
    }
    let mut child = cmd.spawn().expect("run");
    let deadline = std::time::Instant::now() + std::time::Duration::from_mins(1);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rootkeys report {} hung", path.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("tmp");
    let fifo = dir.path().join("report.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let (code, stdout, stderr) = report_path(&fifo, false);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("is a named pipe (FIFO), not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("save the credential report to a file"),
        "{stderr}"
    );
    assert!(stdout.is_empty());
}

#[test]
fn a_device_is_refused_before_reading() {
    // /dev/zero never ends: it is refused as a device, before any byte is read.
    let (code, stdout, stderr) = report_path(std::path::Path::new("/dev/zero"), false);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains("/dev/zero: it is a character device, not a regular file"),
        "{stderr}"
    );
    let (code, _, stderr) = report_path(std::path::Path::new("/"), false);
    assert_eq!(code, 2);
    assert!(stderr.contains("it is a directory"), "{stderr}");
}

#[test]
fn an_oversize_file_is_refused_with_the_limit() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("huge.csv");
    // Sparse: 64 MiB and one byte of nothing, without writing them.
    let file = std::fs::File::create(&path).expect("create");
    file.set_len(64 * 1024 * 1024 + 1).expect("set_len");
    drop(file);
    let (code, stdout, stderr) = report_path(&path, false);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("larger than the 64 MiB limit"), "{stderr}");
    assert!(
        stderr.contains("a real credential report is a few MB"),
        "{stderr}"
    );
}

#[test]
fn a_huge_line_is_refused_with_its_line_number() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("long-line.csv");
    let mut bytes = std::fs::read(format!(
        "{}/tests/fixtures/one-active.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    bytes.extend(std::iter::repeat_n(b'x', 50 * 1024 * 1024));
    bytes.push(b'\n');
    std::fs::write(&path, &bytes).expect("write");
    let (code, _, stderr) = report_path(&path, false);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("line 4: a row longer than 64 KiB: not a credential report"),
        "{stderr}"
    );
}

#[test]
fn control_characters_from_the_file_never_reach_the_terminal() {
    let fixture = std::fs::read_to_string(format!(
        "{}/tests/fixtures/one-active.csv",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let hostile = "s3\u{1b}[31m\u{1b}]0;pwned\u{7}";
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("hostile.csv");
    std::fs::write(
        &path,
        fixture.replacen(",eu-west-1,s3,", &format!(",eu-west-1,{hostile},"), 1),
    )
    .expect("write");

    let (code, stdout, stderr) = report_path(&path, false);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{7}'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("s3\\u{1b}[31m\\u{1b}]0;pwned\\u{7} eu-west-1"),
        "{stdout}"
    );

    // JSON keeps the exact value (escaped by JSON itself).
    let (code, stdout, _) = report_path(&path, true);
    assert_eq!(code, 1);
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(doc["keys"][0]["last_used"]["service"], hostile);

    // A bad value is quoted escaped in the error, and so is the file name.
    let bad = dir.path().join("bad\u{1b}[2J.csv");
    std::fs::write(
        &bad,
        fixture.replacen(",true,true,", ",true,\u{1b}]0;x\u{7},", 1),
    )
    .expect("write");
    let (code, _, stderr) = report_path(&bad, false);
    assert_eq!(code, 2);
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert!(stderr.contains("bad\\u{1b}[2J.csv"), "{stderr}");
    assert!(
        stderr.contains(
            "field access_key_1_active: expected true or false, found \"\\u{1b}]0;x\\u{7}\""
        ),
        "{stderr}"
    );
}

#[test]
fn the_aws_cli_json_form_is_read_with_its_generation_time() {
    let (code, doc) = json("cli-report.json");
    assert_eq!(code, 1);
    assert_eq!(doc["report_generated"], "2026-11-25T07:00:00Z");
    assert_eq!(doc["root_keys_present"], 1);
    assert_eq!(doc["keys"][0]["last_used"]["service"], "s3");
    let (code, text, _) = report("cli-report.json", false);
    assert_eq!(code, 1);
    assert!(
        text.contains("Generated by IAM 2026-11-25 07:00 UTC ("),
        "{text}"
    );
    assert!(text.contains("the verdict is as of then"), "{text}");
    // A CSV does not say when it was generated.
    let (_, doc) = json("one-active.csv");
    assert!(doc.get("report_generated").is_none(), "{doc}");
}

#[test]
fn a_reader_that_goes_away_ends_the_output_without_a_panic() {
    // `rootkeys report FILE --json | head -c0`: stdout is closed before
    // rootkeys writes; it stops as a SIGPIPE would (141), never panics.
    let path = format!(
        "{}/tests/fixtures/two-mixed.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rootkeys"))
        .args(["report", &path, "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn rootkeys");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(141), "{stderr}");
}
