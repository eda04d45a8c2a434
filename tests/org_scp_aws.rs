//! The organization adapter (`org::aws`) against the organization test
//! server (`tests/support/moto_org.py`): service control policies created,
//! found, attached and detached, the quarantine denying a member root's key
//! and releasing it, and a Delete session deleting a member's root key.
//!
//! `OrgAws::connect` reads the default credential chain and
//! `AWS_ENDPOINT_URL` from the environment, which a test may not change in
//! its own process: each test starts the server, then runs its body in a
//! process of its own (this test binary, that one test) with the
//! environment pointing at the server.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use rootkeys::account::AccountError;
use rootkeys::domain::KeyStatus;
use rootkeys::domain::scp::{
    QUARANTINE_DESCRIPTION, QUARANTINE_NAME, QUARANTINE_POLICY, same_policy,
};
use rootkeys::org::aws::OrgAws;
use rootkeys::org::{OrgAccess, PolicyRef, SessionOpened};
use serde_json::{Value, json};
use support::{ADMIN_KEY, ADMIN_SECRET, Moto};

/// Set in the process that runs a test's body: the server's port.
const CHILD_PORT: &str = "ROOTKEYS_TEST_ORG_SCP_PORT";

/// Run `body` (given the server's port) in a process of its own whose
/// environment points `OrgAws::connect` at a fresh test server with the
/// management account's admin key. `name` is the calling test's name.
fn in_own_process<F, Fut>(name: &str, body: F)
where
    F: FnOnce(u16) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if let Ok(port) = std::env::var(CHILD_PORT) {
        let port = port.parse().expect("port");
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(body(port));
        return;
    }
    let moto = Moto::start();
    let state = tempfile::tempdir().expect("state");
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    support::isolate(&mut cmd, state.path());
    let output = cmd
        .env(CHILD_PORT, moto.port.to_string())
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", ADMIN_KEY)
        .env("AWS_SECRET_ACCESS_KEY", ADMIN_SECRET)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .output()
        .expect("run the test's body");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{name} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The body ran (a filter that matched nothing would succeed too).
    assert!(stdout.contains("1 passed"), "{name} did not run:\n{stdout}");
}

/// One request to a control endpoint; its JSON answer.
fn control(port: u16, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.contains(" 200 "), "{path}: {response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn post(port: u16, path: &str, body: &Value) -> Value {
    control(port, "POST", path, Some(body))
}

fn member_ids(seeded: &Value) -> Vec<String> {
    seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["account_id"].as_str().expect("id").to_owned())
        .collect()
}

/// An IAM client signed with a member root's long-term key.
fn signed_with(port: u16, key: &Value) -> aws_sdk_iam::Client {
    let creds = aws_credential_types::Credentials::new(
        key["access_key_id"].as_str().expect("id"),
        key["secret_access_key"].as_str().expect("secret"),
        None,
        None,
        "test",
    );
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .credentials_provider(creds)
            .build(),
    )
}

/// `ListAccessKeys` signed with the member root's key: `Ok` or the error
/// code and message.
async fn root_key_call(iam: &aws_sdk_iam::Client) -> Result<(), (String, String)> {
    use aws_sdk_iam::error::ProvideErrorMetadata;
    match iam.list_access_keys().send().await {
        Ok(_) => Ok(()),
        Err(e) => Err((
            e.code().unwrap_or_default().to_owned(),
            e.message().unwrap_or_default().to_owned(),
        )),
    }
}

fn service_code(err: &AccountError) -> &str {
    match err {
        AccountError::Service { code, .. } => code,
        other => panic!("not a service error: {other:?}"),
    }
}

fn ids(policies: &[PolicyRef]) -> Vec<&str> {
    policies.iter().map(|p| p.id.as_str()).collect()
}

/// Create the quarantine SCP, then find it again by its exact name, with
/// its document.
async fn create_and_find_the_quarantine(access: &OrgAws) -> PolicyRef {
    assert_eq!(
        access.find_policy(QUARANTINE_NAME).await.expect("find"),
        None
    );
    let created = access
        .create_policy(QUARANTINE_NAME, QUARANTINE_DESCRIPTION, QUARANTINE_POLICY)
        .await
        .expect("CreatePolicy");
    let quarantine = created.value.clone();
    assert!(quarantine.id.starts_with("p-"), "{quarantine:?}");
    assert_eq!(quarantine.name, QUARANTINE_NAME);
    assert!(!quarantine.aws_managed);
    assert!(created.request_id.is_some(), "{created:?}");

    // Found again by its exact name, with its document.
    let found = access
        .find_policy(QUARANTINE_NAME)
        .await
        .expect("find")
        .expect("the quarantine");
    assert_eq!(found.policy, quarantine);
    assert!(
        same_policy(&found.content, QUARANTINE_POLICY),
        "{}",
        found.content
    );
    let full = access
        .find_policy("FullAWSAccess")
        .await
        .expect("find")
        .expect("FullAWSAccess");
    assert!(full.policy.aws_managed, "{full:?}");
    assert_eq!(
        access
            .find_policy(&QUARANTINE_NAME[..QUARANTINE_NAME.len() - 1])
            .await
            .expect("find"),
        None,
        "the name must match exactly"
    );
    quarantine
}

#[test]
fn the_quarantine_is_created_found_attached_denies_the_root_key_and_is_detached() {
    in_own_process(
        "the_quarantine_is_created_found_attached_denies_the_root_key_and_is_detached",
        |port| async move {
            let seeded = post(port, "/_rootkeys/org/seed", &json!({"members": 2}));
            let members = member_ids(&seeded);
            let (member, other) = (&members[0], &members[1]);
            let access = OrgAws::connect(None, None).await;

            let root = access.scp_root().await.expect("ListRoots");
            assert_eq!(root.id, seeded["root_id"].as_str().expect("root id"));
            assert!(root.scp_enabled, "{root:?}");

            let quarantine = create_and_find_the_quarantine(&access).await;

            // A member root's long-term key, allowed before the quarantine.
            let key = post(
                port,
                "/_rootkeys/org/root_key",
                &json!({"account_id": member}),
            );
            let iam = signed_with(port, &key);
            assert_eq!(root_key_call(&iam).await, Ok(()));
            assert!(
                access
                    .policy_targets(&quarantine.id)
                    .await
                    .expect("targets")
                    .is_empty()
            );

            let attached = access
                .attach_policy(&quarantine.id, member)
                .await
                .expect("AttachPolicy");
            assert!(attached.request_id.is_some());
            let on_member = access.policies_for_target(member).await.expect("policies");
            assert!(
                ids(&on_member).contains(&quarantine.id.as_str()),
                "{on_member:?}"
            );
            assert!(
                ids(&on_member).contains(&"p-FullAWSAccess"),
                "{on_member:?}"
            );
            let on_other = access.policies_for_target(other).await.expect("policies");
            assert!(
                !ids(&on_other).contains(&quarantine.id.as_str()),
                "{on_other:?}"
            );
            assert_eq!(
                access
                    .policy_targets(&quarantine.id)
                    .await
                    .expect("targets"),
                vec![member.clone()]
            );

            // The root's key is denied by the SCP; an AssumeRoot session is not.
            let (code, message) = root_key_call(&iam).await.expect_err("denied");
            assert_eq!(code, "AccessDenied");
            assert!(message.contains("service control policy"), "{message}");
            let caller = access.caller().await.expect("caller");
            let audit = access
                .open_audit_session(member, &caller.arn)
                .await
                .expect("AssumeRoot");
            let facts = audit.read_root().await.expect("read in the session");
            assert_eq!(facts.keys.len(), 1, "{facts:?}");

            let detached = access
                .detach_policy(&quarantine.id, member)
                .await
                .expect("DetachPolicy");
            assert!(detached.request_id.is_some());
            assert_ne!(detached.request_id, attached.request_id);
            let on_member = access.policies_for_target(member).await.expect("policies");
            assert!(
                !ids(&on_member).contains(&quarantine.id.as_str()),
                "{on_member:?}"
            );
            assert!(
                access
                    .policy_targets(&quarantine.id)
                    .await
                    .expect("targets")
                    .is_empty()
            );
            assert_eq!(root_key_call(&iam).await, Ok(()), "released");
        },
    );
}

/// The server issued exactly one session, this one, with its request ID.
fn assert_issued(port: u16, opened: &SessionOpened, member: &str) {
    let issued = control(port, "GET", "/_rootkeys/org/sessions", None);
    let issued = issued.as_array().expect("sessions");
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(issued[0]["account_id"], member);
    assert_eq!(
        issued[0]["task_policy_arn"],
        opened.task_policy_arn.as_str()
    );
    assert_eq!(
        issued[0]["request_id"].as_str(),
        opened.request_id.as_deref()
    );
}

/// The root key IDs seeded in the `index`th member.
fn key_ids(seeded: &Value, index: usize) -> Vec<String> {
    seeded["members"][index]["root_key_ids"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().expect("key").to_owned())
        .collect()
}

#[test]
fn a_delete_session_deletes_a_member_root_key_and_a_fresh_audit_session_lists_none() {
    in_own_process(
        "a_delete_session_deletes_a_member_root_key_and_a_fresh_audit_session_lists_none",
        |port| async move {
            let seeded = post(
                port,
                "/_rootkeys/org/seed",
                &json!({"members": 2, "with_keys": 2, "keys_per_member": 2,
                        "created": "2024-01-02T03:04:05Z"}),
            );
            let members = member_ids(&seeded);
            let member = &members[0];
            let seeded_keys = key_ids(&seeded, 0);
            let others_key = key_ids(&seeded, 1)[0].clone();
            let access = OrgAws::connect(None, None).await;
            let caller = access.caller().await.expect("caller");

            let session = access
                .open_delete_session(member, &caller.arn)
                .await
                .expect("AssumeRoot");
            assert!(
                session
                    .opened()
                    .task_policy_arn
                    .ends_with("/root-task/IAMDeleteRootUserCredentials"),
                "{:?}",
                session.opened()
            );
            assert_issued(port, session.opened(), member);

            let keys = session.keys().await.expect("ListAccessKeys");
            let mut listed: Vec<String> = keys
                .iter()
                .map(|k| k.access_key_id.clone().expect("id"))
                .collect();
            listed.sort();
            let mut expected = seeded_keys.clone();
            expected.sort();
            assert_eq!(listed, expected);
            for key in &keys {
                assert_eq!(key.status, KeyStatus::Active);
                assert_eq!(
                    key.created.map(|c| c.to_rfc3339()),
                    Some("2024-01-02T03:04:05+00:00".to_owned())
                );
                assert_eq!(key.last_used, None);
            }

            // Another account's key is not this root's.
            let err = session
                .delete_key(&others_key)
                .await
                .expect_err("not this root's");
            assert_eq!(
                err,
                AccountError::NoSuchKey {
                    key: others_key.clone()
                }
            );

            let deleted = session
                .delete_key(&seeded_keys[0])
                .await
                .expect("DeleteAccessKey");
            assert!(deleted.request_id.is_some());
            let left = session.keys().await.expect("ListAccessKeys");
            assert_eq!(left.len(), 1);
            assert_eq!(
                left[0].access_key_id.as_deref(),
                Some(seeded_keys[1].as_str())
            );
            session
                .delete_key(&seeded_keys[1])
                .await
                .expect("DeleteAccessKey");
            assert_eq!(
                session.delete_key(&seeded_keys[0]).await.expect_err("gone"),
                AccountError::NoSuchKey {
                    key: seeded_keys[0].clone()
                }
            );
            drop(session);

            let audit = access
                .open_audit_session(member, &caller.arn)
                .await
                .expect("AssumeRoot");
            assert!(
                audit
                    .opened()
                    .task_policy_arn
                    .ends_with("/root-task/IAMAuditRootUserCredentials")
            );
            assert_eq!(audit.read_root().await.expect("read").keys, vec![]);
            // The other member's key is still there.
            let audit = access
                .open_audit_session(&members[1], &caller.arn)
                .await
                .expect("AssumeRoot");
            assert_eq!(audit.read_root().await.expect("read").keys.len(), 2);
        },
    );
}

#[test]
fn scp_root_says_whether_service_control_policies_are_enabled() {
    in_own_process(
        "scp_root_says_whether_service_control_policies_are_enabled",
        |port| async move {
            let seeded = post(
                port,
                "/_rootkeys/org/seed",
                &json!({"members": 1, "scp": false}),
            );
            let member = &member_ids(&seeded)[0];
            let access = OrgAws::connect(None, None).await;
            let root = access.scp_root().await.expect("ListRoots");
            assert_eq!(root.id, seeded["root_id"].as_str().expect("root id"));
            assert!(!root.scp_enabled, "{root:?}");

            // Without the policy type, an SCP cannot be attached.
            let created = access
                .create_policy(QUARANTINE_NAME, QUARANTINE_DESCRIPTION, QUARANTINE_POLICY)
                .await
                .expect("CreatePolicy");
            let err = access
                .attach_policy(&created.value.id, member)
                .await
                .expect_err("not enabled");
            assert_eq!(service_code(&err), "PolicyTypeNotEnabledException");
        },
    );
}
