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
