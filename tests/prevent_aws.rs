//! `rootkeys prevent` and the Prevent step in `status`, through the real
//! binary against the moto test server.
//!
//! The server's `GetAccountSummary` answers `AccountMFAEnabled` from the
//! stand-in root's MFA devices; a summary without the entry is covered with
//! `aws-smithy-mocks` (`tests/aws_mocks.rs`).

mod support;

use rootkeys::domain::scp::{PREVENT_NAME, PREVENT_POLICY, same_policy};
use support::{Moto, Rootkeys, create_user_with_keys, root_and_session, seed_root};

#[tokio::test(flavor = "multi_thread")]
async fn prevent_reports_root_without_mfa_as_a_finding_and_prints_the_scp() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);

    let run = rk.run(&keys[0], &["prevent"]);
    assert_eq!(run.code, 1, "MFA off is a finding: {run:?}");
    assert!(run.stdout.contains("Root MFA: ✗ OFF"), "{run:?}");
    assert!(run.stdout.contains("Assign MFA device"), "{run:?}");
    assert!(run.stdout.contains("organization root"), "{run:?}");
    assert!(run.stdout.contains("rootkeys org prevent"), "{run:?}");
    // The policy is printed last, exactly, to copy.
    assert!(
        run.stdout.ends_with(&format!("{PREVENT_POLICY}\n")),
        "{run:?}"
    );
    assert!(run.stderr.is_empty(), "{run:?}");

    let json = rk.run(&keys[0], &["prevent", "--json"]);
    assert_eq!(json.code, 1, "{json:?}");
    let doc = json.json();
    assert_eq!(doc["account_id"], support::ACCOUNT);
    assert_eq!(doc["root_mfa_enabled"], false);
    assert_eq!(doc["check"], "mfa_off");
    assert!(doc["advice"].as_str().is_some_and(|a| a.contains("MFA")));
    assert_eq!(doc["scp"]["name"], PREVENT_NAME);
    let policy = serde_json::to_string(&doc["scp"]["policy"]).expect("policy");
    assert!(same_policy(&policy, PREVENT_POLICY), "{policy}");

    // Read-only: no journal, no change to the keys.
    assert_eq!(rk.journal_text(), "");
    assert_eq!(support::root_keys_live(&moto).await.len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn prevent_works_for_an_auditor_too() {
    let moto = Moto::start();
    seed_root(&moto).await;
    let auditor = create_user_with_keys(&moto, "auditor", 1).await;
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&auditor[0], &["prevent", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc = run.json();
    assert_eq!(doc["caller_arn"], "arn:aws:iam::123456789012:user/auditor");
    assert_eq!(doc["root_mfa_enabled"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn prevent_without_an_answer_exits_2_and_still_gives_the_policy() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let rk = Rootkeys::new(&moto);
    moto.stop();
    let run = rk.run(&keys[0], &["prevent"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("rootkeys: error:"), "{run:?}");
    assert!(run.stderr.contains("what to do:"), "{run:?}");
    assert!(
        run.stdout.contains("Root MFA: ? could not be read"),
        "{run:?}"
    );
    assert!(run.stdout.contains(PREVENT_POLICY), "{run:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn status_names_prevent_as_the_next_step_once_compliant() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    let rk = Rootkeys::new(&moto);

    // Keys left: the next steps are the keys'.
    let before = rk.run(&session, &["status", "--json"]);
    assert_eq!(before.code, 0, "{before:?}");
    assert!(before.json()["next_step"].is_null(), "{before:?}");
    let text = rk.run(&session, &["status"]);
    assert!(!text.stdout.contains("Prevent"), "{text:?}");

    // Both keys gone (deleted from the console): compliant.
    for key in &keys {
        moto.admin()
            .delete_access_key()
            .user_name(support::ROOT_STANDIN)
            .access_key_id(&key.id)
            .send()
            .await
            .expect("delete");
    }
    let after = rk.run(&session, &["status"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert!(
        after.stdout.contains("COMPLIANT (no root access key)"),
        "{after:?}"
    );
    assert!(
        after
            .stdout
            .contains("next: step 7, Prevent (advice): root has NO MFA"),
        "{after:?}"
    );
    assert!(after.stdout.contains("→ `rootkeys prevent`"), "{after:?}");
    let json = rk.run(&session, &["status", "--json"]).json();
    assert_eq!(json["next_step"], "prevent");
    assert_eq!(json["root_mfa_enabled"], false);
    assert_eq!(json["cis_compliant"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn prevent_with_mfa_on_root_exits_0_and_still_gives_the_policy() {
    let moto = Moto::start();
    let keys = seed_root(&moto).await;
    let iam = moto.admin();
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("root-mfa")
        .send()
        .await
        .expect("virtual MFA device");
    let serial = device
        .virtual_mfa_device()
        .map(|d| d.serial_number().to_owned())
        .expect("serial");
    iam.enable_mfa_device()
        .user_name(support::ROOT_STANDIN)
        .serial_number(&serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await
        .expect("enable MFA on root");
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&keys[0], &["prevent", "--json"]);
    assert_eq!(run.code, 0, "MFA on: {run:?}");
    let doc = run.json();
    assert_eq!(doc["root_mfa_enabled"], true);
    assert_eq!(doc["scp"]["name"], PREVENT_NAME);
}
