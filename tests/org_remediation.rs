//! The staged removal across member accounts against the organization
//! test server (`tests/support/moto_org.py`): the real binary and SDK,
//! `AssumeRoot` sessions under their task policies, SCPs as AWS applies
//! them. `rootkeys org quarantine | release | delete | status | prevent`.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};
use support::{ACCOUNT, ADMIN_KEY, ADMIN_SECRET, Keys, Moto, Rootkeys, Run};

const QUARANTINE: &str = "rootkeys-quarantine-root-access-keys";

fn admin() -> Keys {
    Keys {
        id: ADMIN_KEY.to_owned(),
        secret: ADMIN_SECRET.to_owned(),
    }
}

fn http(moto: &Moto, request: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", moto.port)).expect("connect");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("body");
    (head.to_owned(), body.to_owned())
}

/// POST JSON to a control endpoint and return its JSON answer.
fn post(moto: &Moto, path: &str, body: &Value) -> Value {
    let body = body.to_string();
    let (head, body) = http(
        moto,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(head.contains(" 200 "), "{path}: {head}\n{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn get(moto: &Moto, path: &str) -> Value {
    let (head, body) = http(
        moto,
        &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    );
    assert!(head.contains(" 200 "), "{path}: {head}\n{body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn seed(moto: &Moto, body: &Value) -> (Vec<String>, String) {
    let seeded = post(moto, "/_rootkeys/org/seed", body);
    let members = seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["account_id"].as_str().expect("id").to_owned())
        .collect();
    (
        members,
        seeded["root_id"].as_str().expect("root").to_owned(),
    )
}

/// A member root key a job signs with (ID and secret).
fn root_key(moto: &Moto, account: &str) -> Keys {
    let k = post(
        moto,
        "/_rootkeys/org/root_key",
        &json!({"account_id": account, "created": "2022-01-01T00:00:00Z",
                "last_used": {"date": "2026-10-01T00:00:00Z", "service": "s3", "region": "eu-west-1"}}),
    );
    Keys {
        id: k["access_key_id"].as_str().expect("id").to_owned(),
        secret: k["secret_access_key"].as_str().expect("secret").to_owned(),
    }
}

/// The job: one IAM call signed with the member root key. `Err` carries
/// the error's text.
fn job(moto: &Moto, key: &Keys) -> Result<(), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        moto.iam(&key.id, &key.secret)
            .list_account_aliases()
            .send()
            .await
            .map(|_| ())
            .map_err(|e| format!("{:?}", aws_sdk_iam::error::DisplayErrorContext(e)))
    })
}

fn journal_of(rk: &Rootkeys, account: &str) -> Vec<Value> {
    let path = rk.state.path().join(format!("journal-{account}.jsonl"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line"))
        .collect()
}

/// `action phase` of each record (session records left out).
fn story(journal: &[Value]) -> Vec<String> {
    journal
        .iter()
        .filter(|r| r["action"] != "session_opened")
        .map(|r| {
            format!(
                "{} {}",
                r["action"].as_str().unwrap_or("?"),
                r["phase"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

fn status(rk: &Rootkeys, offset: Option<&str>) -> Value {
    let run = match offset {
        Some(o) => rk.run_at(&admin(), o, &["org", "status", "--json"]),
        None => rk.run(&admin(), &["org", "status", "--json"]),
    };
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

fn account<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["account_id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {doc:#}"))
}

fn ok(run: &Run, what: &str) {
    assert_eq!(
        run.code, 0,
        "{what}: stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}

fn assert_nothing_secret(texts: &[&str], keys: &[&Keys]) {
    for text in texts {
        assert!(!text.contains("ASIA"), "a session key ID: {text}");
        for k in keys {
            assert!(!text.contains(&k.secret), "a secret: {text}");
        }
    }
}

#[test]
#[allow(clippy::too_many_lines)] // one story, told in order
fn quarantine_release_observe_delete_verify_and_detach_the_whole_story() {
    support::require_failpoints();
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 3}));
    let a = members[0].as_str();
    let key = root_key(&moto, a);
    let rk = Rootkeys::new(&moto);
    assert!(job(&moto, &key).is_ok(), "the job works before");

    // Quarantine: the job's next call is denied.
    let q = rk.run(&admin(), &["org", "quarantine", a, "--yes"]);
    ok(&q, "quarantine");
    assert!(q.stderr.contains(QUARANTINE), "{}", q.stderr);
    let denied = job(&moto, &key).expect_err("denied under quarantine");
    assert!(denied.contains("service control policy"), "{denied}");

    // Status: quarantined, the window, and the denied use seen.
    let doc = status(&rk, None);
    let row = account(&doc, a);
    assert_eq!(row["stage"], "quarantined", "{row:#}");
    assert_eq!(row["quarantined"], true);
    assert!(row["quarantined_since"].is_string() && row["window_ends"].is_string());
    assert_eq!(
        row["used_since_quarantine"][0]["access_key_id"],
        key.id.as_str(),
        "{row:#}"
    );
    let next = row["next_action"].as_str().expect("next");
    assert!(
        next.contains("just failed") && next.contains(&format!("rootkeys org release {a}")),
        "{next}"
    );

    // Release: the job works again.
    ok(
        &rk.run(&admin(), &["org", "release", a, "--yes"]),
        "release",
    );
    assert!(job(&moto, &key).is_ok(), "released");
    assert_eq!(account(&status(&rk, None), a)["stage"], "keys_present");

    // An hour later (the job moved to a role), quarantine again; delete is
    // refused inside the window.
    ok(
        &rk.run_at(&admin(), "1h", &["org", "quarantine", a, "--yes"]),
        "quarantine again",
    );
    let early = rk.run_at(&admin(), "2h", &["org", "delete", a, "--confirm", a]);
    assert_eq!(early.code, 2, "{}", early.stderr);
    assert!(early.stderr.contains("left"), "{}", early.stderr);

    // After the window: a near-miss confirmation deletes nothing.
    let near = &format!("{}0", &a[..11]);
    let miss = rk.run_at(&admin(), "8d", &["org", "delete", a, "--confirm", near]);
    assert_eq!(miss.code, 2, "{}", miss.stderr);
    assert!(miss.stderr.contains("nothing deleted"), "{}", miss.stderr);
    assert_eq!(
        account(&status(&rk, Some("8d")), a)["stage"],
        "ready_to_delete"
    );

    // Delete: every key gone, verified, quarantine detached.
    let del = rk.run_at(&admin(), "8d", &["org", "delete", a, "--confirm", a]);
    ok(&del, "delete");
    assert!(del.stdout.contains("verified"), "{}", del.stdout);
    let row = account(&status(&rk, Some("8d")), a).clone();
    assert_eq!(row["stage"], "compliant", "{row:#}");
    assert_eq!(row["quarantined"], false);
    assert_eq!(row["root_keys_present"], 0);
    assert!(job(&moto, &key).is_err(), "a deleted key cannot sign");

    // The journal tells it in order.
    let journal = journal_of(&rk, a);
    let told = story(&journal);
    let expected = [
        "quarantine intent",
        "quarantine outcome",
        "release intent",
        "release outcome",
        "quarantine intent",
        "quarantine outcome",
        "delete intent",
        "delete outcome",
        "verify observed",
        "release intent",
        "release outcome",
    ];
    let mut at = 0;
    for step in &told {
        if at < expected.len() && step == expected[at] {
            at += 1;
        }
    }
    assert_eq!(at, expected.len(), "the story is out of order: {told:#?}");
    // Request IDs of AttachPolicy, DetachPolicy, DeleteAccessKey, AssumeRoot.
    for r in journal.iter().filter(|r| r["phase"] == "outcome") {
        let note = r["note"].as_str().unwrap_or("");
        assert!(
            note.contains("request ID") && !note.contains("request ID not given"),
            "{r}"
        );
    }
    let tasks: Vec<&str> = journal
        .iter()
        .filter(|r| r["action"] == "session_opened")
        .filter_map(|r| r["note"].as_str())
        .collect();
    assert!(
        tasks
            .iter()
            .any(|n| n.contains("IAMDeleteRootUserCredentials"))
    );
    assert!(
        tasks
            .iter()
            .any(|n| n.contains("IAMAuditRootUserCredentials"))
    );
    let delete = journal
        .iter()
        .find(|r| r["action"] == "delete" && r["phase"] == "intent")
        .expect("delete intent");
    assert_eq!(delete["key"], key.id.as_str());

    // No session was asked for anything its task policy forbids.
    assert_eq!(get(&moto, "/_rootkeys/org/denied"), json!([]));
    let text = std::fs::read_to_string(rk.state.path().join(format!("journal-{a}.jsonl")))
        .expect("journal");
    assert_nothing_secret(
        &[&text, &q.stdout, &q.stderr, &del.stdout, &del.stderr],
        &[&key],
    );
}

#[test]
fn the_management_account_cannot_be_quarantined() {
    let moto = Moto::start();
    seed(&moto, &json!({"members": 1, "with_keys": 1}));
    post(
        &moto,
        "/_rootkeys/org/root_key",
        &json!({"account_id": ACCOUNT}),
    );
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "quarantine", ACCOUNT, "--yes"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("management account cannot be quarantined"),
        "{}",
        run.stderr
    );
    assert!(story(&journal_of(&rk, ACCOUNT)).is_empty());
}

#[test]
fn scps_disabled_stops_at_preflight_with_the_enabling_command() {
    let moto = Moto::start();
    let (members, root) = seed(&moto, &json!({"members": 2, "with_keys": 2, "scp": false}));
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "quarantine", &members[0], "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not enabled"), "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "aws organizations enable-policy-type --root-id {root} --policy-type SERVICE_CONTROL_POLICY"
        )),
        "{}",
        run.stderr
    );
    // Nothing was asked of any member, nothing written.
    assert!(journal_of(&rk, &members[0]).is_empty());
    assert_eq!(get(&moto, "/_rootkeys/requests")["AssumeRoot"], Value::Null);
}

#[test]
fn without_a_terminal_nothing_is_written_unless_yes_says_so() {
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 2, "with_keys": 2}));
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "quarantine", &members[0]]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--yes") && run.stderr.contains("Nothing changed"));
    assert!(story(&journal_of(&rk, &members[0])).is_empty());
    assert_eq!(
        get(&moto, "/_rootkeys/requests")["AttachPolicy"],
        Value::Null
    );
    let del = rk.run(&admin(), &["org", "delete", &members[0]]);
    assert_eq!(del.code, 2);
}

#[test]
fn a_hundred_members_are_quarantined_in_one_command_each_journaled_on_its_own() {
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 100, "with_keys": 100}));
    let rk = Rootkeys::new(&moto);
    let run = rk.run(
        &admin(),
        &["org", "quarantine", "--all-noncompliant", "--yes"],
    );
    ok(&run, "quarantine 100");
    // One confirmation listed them all.
    assert!(
        run.stderr.contains("Quarantine 100 accounts"),
        "{}",
        run.stderr
    );
    for m in &members {
        assert!(run.stderr.contains(m.as_str()), "{m} not listed");
        assert_eq!(
            story(&journal_of(&rk, m)),
            ["quarantine intent", "quarantine outcome"],
            "{m}"
        );
    }
    assert_eq!(get(&moto, "/_rootkeys/requests")["AttachPolicy"], 100);
    let doc = status(&rk, None);
    let quarantined = doc["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| a["stage"] == "quarantined")
        .count();
    assert_eq!(quarantined, 100);
    // A re-run changes nothing and says so.
    let again = rk.run(&admin(), &["org", "quarantine", &members[0], "--yes"]);
    ok(&again, "again");
    assert!(
        again.stdout.contains("already quarantined"),
        "{}",
        again.stdout
    );
    assert_eq!(get(&moto, "/_rootkeys/requests")["AttachPolicy"], 100);
}

#[test]
fn a_policy_of_that_name_with_another_content_is_never_overwritten() {
    let moto = Moto::start();
    let (members, root) = seed(&moto, &json!({"members": 2, "with_keys": 2}));
    post(
        &moto,
        "/_rootkeys/org/scp",
        &json!({"target": root, "name": QUARANTINE, "content": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
    );
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "quarantine", &members[0], "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("never overwrites"), "{}", run.stderr);
    assert_eq!(
        get(&moto, "/_rootkeys/requests")["AttachPolicy"],
        Value::Null
    );
}

#[test]
fn a_member_with_five_scps_is_refused_with_the_reason() {
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 2, "with_keys": 2}));
    for i in 0..4 {
        post(
            &moto,
            "/_rootkeys/org/scp",
            &json!({"target": members[0], "name": format!("extra-{i}"), "content": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}),
        );
    }
    let rk = Rootkeys::new(&moto);
    let run = rk.run(
        &admin(),
        &[
            "org",
            "quarantine",
            &format!("{},{}", members[0], members[1]),
            "--yes",
        ],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("the most AWS allows"), "{}", run.stderr);
    // The other account was quarantined all the same.
    assert_eq!(
        story(&journal_of(&rk, &members[1])),
        ["quarantine intent", "quarantine outcome"]
    );
    assert!(story(&journal_of(&rk, &members[0])).is_empty());
}

#[test]
fn prevent_attaches_the_scp_at_the_root_after_the_root_id_and_root_cannot_create_keys() {
    let moto = Moto::start();
    let (members, root) = seed(&moto, &json!({"members": 1}));
    let key = root_key(&moto, &members[0]);
    let rk = Rootkeys::new(&moto);

    let refused = rk.run(&admin(), &["org", "prevent"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("Nothing changed"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("iam:CreateAccessKey"),
        "the SCP text is shown"
    );

    let run = rk.run(&admin(), &["org", "prevent", "--yes"]);
    ok(&run, "prevent");
    assert!(run.stdout.contains(&root), "{}", run.stdout);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let created = rt.block_on(moto.iam(&key.id, &key.secret).create_access_key().send());
    let err = format!("{:?}", created.expect_err("root may not create a key"));
    assert!(err.contains("service control policy"), "{err}");
    // Other calls by that root still work.
    assert!(job(&moto, &key).is_ok());

    let again = rk.run(&admin(), &["org", "prevent", "--yes"]);
    ok(&again, "again");
    assert!(
        again.stdout.contains("Prevention in force"),
        "{}",
        again.stdout
    );
    assert_eq!(
        story(&journal_of(&rk, ACCOUNT)),
        ["prevent intent", "prevent outcome"]
    );
}

/// A kill at each step of quarantine, release and delete leaves an open
/// intent; the next run settles it against AWS and the work can go on.
#[test]
fn a_kill_at_any_step_is_reconciled_on_the_next_run() {
    support::require_failpoints();
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 1, "with_keys": 1}));
    let a = members[0].as_str();
    let rk = Rootkeys::new(&moto);
    let fp = rootkeys::failpoint::ENV;
    let killed = |run: &Run, at: &str| {
        assert_eq!(
            run.code,
            rootkeys::failpoint::EXIT,
            "{at}: {}\n{}",
            run.stdout,
            run.stderr
        );
    };
    let open_intents = |rk: &Rootkeys| -> usize {
        rootkeys::journal::Journal::open(rk.state.path(), a)
            .expect("journal")
            .read()
            .expect("read")
            .open_intents()
            .len()
    };

    // Killed after AttachPolicy answered: the intent is open; status settles
    // it as applied (the policy is attached).
    let run = rk.run_env(
        &admin(),
        &[(fp, "quarantine-after-call")],
        &["org", "quarantine", a, "--yes"],
    );
    killed(&run, "quarantine-after-call");
    assert_eq!(open_intents(&rk), 1);
    assert_eq!(account(&status(&rk, None), a)["stage"], "quarantined");
    assert_eq!(open_intents(&rk), 0);
    let settled = journal_of(&rk, a);
    let rec = settled
        .iter()
        .find(|r| r["action"] == "quarantine" && r["phase"] == "reconciled")
        .expect("reconciled");
    assert_eq!(rec["result"], "ok");

    // Killed after the release's intent, before DetachPolicy: not applied.
    let run = rk.run_env(
        &admin(),
        &[(fp, "release-after-intent")],
        &["org", "release", a, "--yes"],
    );
    killed(&run, "release-after-intent");
    assert_eq!(account(&status(&rk, None), a)["stage"], "quarantined");
    let rec = journal_of(&rk, a)
        .into_iter()
        .find(|r| r["action"] == "release" && r["phase"] == "reconciled")
        .expect("reconciled release");
    assert_eq!(rec["result"], "not_applied");

    // Killed after DeleteAccessKey answered: the key is gone; the next
    // delete verifies and detaches.
    let run = rk.run_env(
        &admin(),
        &[
            (fp, "delete-after-call"),
            (rootkeys::failpoint::CLOCK_ENV, "8d"),
        ],
        &["org", "delete", a, "--confirm", a],
    );
    killed(&run, "delete-after-call");
    let row = account(&status(&rk, Some("8d")), a).clone();
    assert_eq!(row["stage"], "deleted", "{row:#}");
    assert_eq!(open_intents(&rk), 0);
    let rec = journal_of(&rk, a)
        .into_iter()
        .find(|r| r["action"] == "delete" && r["phase"] == "reconciled")
        .expect("reconciled delete");
    assert_eq!(rec["result"], "ok");
    ok(
        &rk.run_at(&admin(), "8d", &["org", "release", a, "--yes"]),
        "release after delete",
    );
    assert_eq!(account(&status(&rk, Some("8d")), a)["stage"], "compliant");
}

#[test]
fn missing_organizations_permissions_are_named_before_or_at_the_write() {
    let moto = Moto::start();
    let (members, _) = seed(&moto, &json!({"members": 1, "with_keys": 1}));
    let a = members[0].as_str();
    let rk = Rootkeys::new(&moto);

    // A read of the SCP side denied: stopped at preflight, nothing written.
    post(
        &moto,
        "/_rootkeys/org/deny",
        &json!({"actions": ["organizations:ListRoots"]}),
    );
    let run = rk.run(&admin(), &["org", "quarantine", a, "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("organizations:ListRoots"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("organizations:AttachPolicy") || run.stderr.contains("AttachPolicy"),
        "{}",
        run.stderr
    );
    assert!(story(&journal_of(&rk, a)).is_empty());

    // The attach itself denied: the intent and its failed outcome are
    // journaled, and the account is not quarantined.
    post(
        &moto,
        "/_rootkeys/org/deny",
        &json!({"actions": ["organizations:AttachPolicy"]}),
    );
    let run = rk.run(&admin(), &["org", "quarantine", a, "--yes"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("AttachPolicy"), "{}", run.stderr);
    let journal = journal_of(&rk, a);
    assert_eq!(story(&journal), ["quarantine intent", "quarantine outcome"]);
    let outcome = journal.last().expect("outcome");
    assert_eq!(
        outcome["result"]["error"]["code"], "AccessDenied",
        "{outcome}"
    );
    post(&moto, "/_rootkeys/org/deny", &json!({"actions": []}));
    assert_eq!(account(&status(&rk, None), a)["stage"], "keys_present");
}
