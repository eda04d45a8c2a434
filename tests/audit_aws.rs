//! `rootkeys audit` against the root-aware moto server, through the real SDK
//! and the real binary.

mod support;

use support::{Moto, Rootkeys, create_user_with_keys, seed_root};

#[tokio::test(flavor = "multi_thread")]
async fn audit_as_root_lists_both_keys_then_passes_after_deletion() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);
    // Make the second key inactive (as root, on its own key) to check status.
    moto.deactivate_as(&keys[0], &keys[1].id).await;

    let run = rk.run(&keys[0], &["audit", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["account_id"], support::ACCOUNT);
    assert_eq!(doc["caller_arn"], "arn:aws:iam::123456789012:root");
    assert_eq!(doc["caller_is_root"], true);
    assert_eq!(doc["cis_compliant"], false);
    assert_eq!(doc["root_keys_present"], 2);
    let listed = doc["keys"].as_array().expect("keys");
    assert_eq!(listed.len(), 2);
    let find = |id: &str| {
        listed
            .iter()
            .find(|k| k["access_key_id"] == id)
            .unwrap_or_else(|| panic!("{id} missing in {doc}"))
    };
    let first = find(&keys[0].id);
    assert_eq!(first["status"], "Active");
    assert_eq!(first["signs_this_session"], true);
    assert_eq!(first["last_used"]["service"], "s3");
    assert_eq!(first["last_used"]["region"], "eu-west-1");
    assert!(
        first["last_used"]["date"]
            .as_str()
            .expect("date")
            .ends_with('Z')
    );
    assert_eq!(first["created"], "2021-03-04T05:06:07Z");
    let second = find(&keys[1].id);
    assert_eq!(second["status"], "Inactive");
    assert_eq!(second["signs_this_session"], false);
    assert!(second["last_used"].is_null());

    // The table for people says the same.
    let table = rk.run(&keys[0], &["audit"]);
    assert_eq!(table.code, 1);
    assert!(
        table
            .stdout
            .contains("NOT COMPLIANT (2 root access keys present)"),
        "{table:?}"
    );
    assert!(table.stdout.contains("root ✓"));
    assert!(table.stdout.contains(&format!("{} *", keys[0].id)));

    // Delete both (the second as root, then the first through the admin seed path).
    let admin = moto.admin();
    for k in &keys {
        admin
            .delete_access_key()
            .user_name(support::ROOT_STANDIN)
            .access_key_id(&k.id)
            .send()
            .await
            .expect("delete");
    }
    // No root key left: sign as an ordinary user (auditor view) to see the verdict.
    let auditor = &create_user_with_keys(&moto, "auditor", 1).await[0];
    let after = rk.run(auditor, &["audit", "--json"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert_eq!(after.json()["cis_compliant"], true);
    assert_eq!(after.json()["root_keys_present"], 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn audit_as_root_with_no_other_key_passes() {
    let moto = Moto::start();
    // Root with exactly one key: the signing key. Present, so not compliant.
    let keys = create_user_with_keys(&moto, support::ROOT_STANDIN, 1).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&keys[0], &["audit", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(run.json()["keys"].as_array().expect("keys").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn auditor_sees_the_report_view_never_its_own_keys() {
    let moto = Moto::start();
    let root = seed_root(&moto).await;
    let auditor = create_user_with_keys(&moto, "auditor", 2).await;
    let rk = Rootkeys::new(&moto);

    let run = rk.run(&auditor[0], &["audit", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["caller_is_root"], false);
    assert_eq!(doc["view"], "auditor");
    assert_eq!(doc["caller_arn"], "arn:aws:iam::123456789012:user/auditor");
    assert_eq!(doc["root_keys_present"], 2);
    let keys = doc["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "{doc}");
    for k in keys {
        assert!(
            k["access_key_id"].is_null(),
            "key IDs are unknown to an auditor: {k}"
        );
        assert_eq!(k["signs_this_session"], false);
    }
    assert_eq!(keys[0]["slot"], 1);
    assert_eq!(keys[0]["last_used"]["service"], "s3");
    for own in auditor.iter().chain(root.iter()) {
        assert!(
            !run.stdout.contains(&own.id),
            "no key ID may appear: {}",
            own.id
        );
    }

    let table = rk.run(&auditor[0], &["audit"]);
    assert!(table.stdout.contains("read-only: not root"), "{table:?}");
    assert!(table.stdout.contains("key slot 1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn auditor_cannot_write() {
    let moto = Moto::start();
    let root = seed_root(&moto).await;
    let auditor = create_user_with_keys(&moto, "auditor", 1).await;
    let rk = Rootkeys::new(&moto);
    for args in [
        vec!["deactivate", root[0].id.as_str(), "--yes"],
        vec!["deactivate", auditor[0].id.as_str(), "--yes"],
        vec!["reactivate", root[1].id.as_str(), "--yes"],
        vec![
            "delete",
            root[1].id.as_str(),
            "--confirm",
            root[1].id.as_str(),
            "--force",
        ],
    ] {
        let run = rk.run(&auditor[0], &args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("not signed in as root"), "{run:?}");
        assert!(
            run.stderr
                .contains("arn:aws:iam::123456789012:user/auditor"),
            "{run:?}"
        );
    }
    // Nothing changed: the auditor's own key is still active, root's keys too.
    let listed = moto
        .admin()
        .list_access_keys()
        .user_name("auditor")
        .send()
        .await
        .expect("list");
    assert_eq!(
        listed.access_key_metadata()[0].status(),
        Some(&aws_sdk_iam::types::StatusType::Active)
    );
    assert_eq!(rk.journal_text(), "", "a refusal writes nothing");
}

#[tokio::test(flavor = "multi_thread")]
async fn dropped_endpoint_fails_clearly_and_quickly() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);
    moto.stop();
    let run = rk.run(&keys[0], &["audit", "--json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot reach AWS"), "{run:?}");
    assert!(run.stderr.contains("what to do"), "{run:?}");
    assert!(run.elapsed.as_secs() < 10, "took {:?}", run.elapsed);
    assert!(run.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_credentials_are_named_without_the_secret() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);
    // Deactivate the second key, then try to use it: the server rejects it.
    moto.deactivate_as(&keys[0], &keys[1].id).await;
    let run = rk.run(&keys[1], &["audit"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("InvalidClientTokenId"), "{run:?}");
    assert!(!run.stderr.contains(&keys[1].secret));
    assert!(!run.stdout.contains(&keys[1].secret));
}

#[test]
fn no_credentials_is_a_clear_error() {
    let state = tempfile::tempdir().expect("tmp");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state.path());
    // An endpoint nobody listens on: nothing may leave 127.0.0.1.
    cmd.env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    let out = cmd.arg("audit").output().expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn auditor_audit_shows_when_the_report_was_generated() {
    use chrono::{DateTime, SubsecRound, Utc};
    let moto = Moto::start();
    let root = seed_root(&moto).await;
    let auditor = create_user_with_keys(&moto, "auditor", 1).await;
    let rk = Rootkeys::new(&moto);

    // The test server generates the report when it is asked for it.
    let before = Utc::now().trunc_subsecs(0);
    let run = rk.run(&auditor[0], &["audit", "--json"]);
    let after = Utc::now();
    assert_eq!(run.code, 1, "{run:?}");
    let doc = run.json();
    let generated = doc["report_generated"].as_str().expect("a generation time");
    let generated = DateTime::parse_from_rfc3339(generated)
        .expect("RFC 3339")
        .with_timezone(&Utc);
    assert!(
        before <= generated && generated <= after,
        "{generated} not in {before}..{after}"
    );
    assert_eq!(doc["report_stale"], false);
    assert!(doc["report_stale_reason"].is_null());

    let table = rk.run(&auditor[0], &["audit"]);
    assert!(
        table.stdout.contains("Credential report generated "),
        "{table:?}"
    );
    assert!(!table.stdout.contains("STALE"), "{table:?}");

    // Root's view does not read the report.
    let as_root = rk.run(&root[0], &["audit", "--json"]);
    assert!(as_root.json()["report_generated"].is_null(), "{as_root:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_in_the_report_never_reach_the_terminal() {
    let moto = Moto::start();
    let root = seed_root(&moto).await;
    let auditor = create_user_with_keys(&moto, "auditor", 1).await;
    let rk = Rootkeys::new(&moto);
    // A colour and a window-title sequence in the last-use service (JSON escapes).
    let yesterday = (chrono::Utc::now() - chrono::TimeDelta::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    moto.set_last_used(
        &root[0].id,
        &yesterday,
        r"s3\u001b[31m\u001b]0;pwned\u0007",
        "eu-west-1",
    );

    let table = rk.run(&auditor[0], &["audit"]);
    assert_eq!(table.code, 1, "{table:?}");
    assert!(
        !table.stdout.contains('\u{1b}') && !table.stdout.contains('\u{7}'),
        "{table:?}"
    );
    assert!(
        table
            .stdout
            .contains(r"s3\u{1b}[31m\u{1b}]0;pwned\u{7} eu-west-1"),
        "{table:?}"
    );
    // JSON keeps the value exact (escaped by JSON).
    let json = rk.run(&auditor[0], &["audit", "--json"]);
    assert!(!json.stdout.contains('\u{1b}'), "{json:?}");
    assert_eq!(
        json.json()["keys"][0]["last_used"]["service"],
        "s3\u{1b}[31m\u{1b}]0;pwned\u{7}"
    );
}
