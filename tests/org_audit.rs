//! `rootkeys org audit` against the organization test server
//! (`tests/support/moto_org.py`): the real binary, the real SDK, `AssumeRoot`
//! sessions, task policies and SCPs as AWS applies them.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::{Value, json};
use support::{ACCOUNT, ADMIN_KEY, ADMIN_SECRET, Keys, Moto, Rootkeys, Run};

fn admin() -> Keys {
    Keys {
        id: ADMIN_KEY.to_owned(),
        secret: ADMIN_SECRET.to_owned(),
    }
}

/// POST JSON to a control endpoint and return its JSON answer.
fn post(moto: &Moto, path: &str, body: &Value) -> Value {
    let body = body.to_string();
    let mut stream = TcpStream::connect(("127.0.0.1", moto.port)).expect("connect");
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(
        response.starts_with("HTTP/1.1 200") || response.starts_with("HTTP/1.0 200"),
        "{path}: {response}"
    );
    let (_, body) = response.split_once("\r\n\r\n").expect("body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

/// GET a control endpoint's JSON answer.
fn get(moto: &Moto, path: &str) -> Value {
    let mut stream = TcpStream::connect(("127.0.0.1", moto.port)).expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(response.contains(" 200 "), "{path}: {response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
}

fn json_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\nstderr:\n{}", run.stdout, run.stderr))
}

fn row<'a>(doc: &'a Value, account: &str) -> &'a Value {
    doc["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["account_id"] == account)
        .unwrap_or_else(|| panic!("no row for {account} in {doc:#}"))
}

/// Every journal file under the state directory, concatenated.
fn journals(rk: &Rootkeys) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(rk.state.path()).expect("state dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            text.push_str(&std::fs::read_to_string(&path).expect("journal"));
        }
    }
    text
}

fn journal_of(rk: &Rootkeys, account: &str) -> Vec<Value> {
    let path = rk.state.path().join(format!("journal-{account}.jsonl"));
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line"))
        .collect()
}

/// No session key (ASIA…) may appear anywhere the run leaves text.
fn assert_no_session_credentials(run: &Run, rk: &Rootkeys) {
    for (what, text) in [
        ("stdout", run.stdout.as_str()),
        ("stderr", run.stderr.as_str()),
        ("journal", journals(rk).as_str()),
    ] {
        assert!(
            !text.contains("ASIA"),
            "a session key ID in {what}:\n{text}"
        );
        assert!(
            !text.to_ascii_lowercase().contains("secret"),
            "something secret-looking in {what}:\n{text}"
        );
    }
}

/// Six members: two with an active key (created and used), one with an
/// inactive key, one whose root an SCP denies, one suspended, one clean;
/// the management account's root has a key too. Returns the member IDs,
/// the first member's key IDs, the inactive key and the SCP.
fn seed_every_state(moto: &Moto) -> (Vec<String>, Vec<String>, Value, Value) {
    let seeded = post(
        moto,
        "/_rootkeys/org/seed",
        &json!({"members": 6, "with_keys": 2, "created": "2021-03-04T05:06:07Z",
                "last_used": {"date": "2026-11-01T00:00:00Z", "service": "s3", "region": "eu-west-1"}}),
    );
    let members: Vec<String> = seeded["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["account_id"].as_str().expect("id").to_owned())
        .collect();
    let keyed_ids: Vec<String> = seeded["members"][0]["root_key_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|k| k.as_str().expect("id").to_owned())
        .collect();
    // Member 3: one inactive key, never used. Member 4: an SCP denies its
    // root, AssumeRoot sessions included. Member 5: suspended. Member 6:
    // nothing. The management account's root has a key too.
    let inactive = post(
        moto,
        "/_rootkeys/org/root_key",
        &json!({"account_id": members[2], "status": "Inactive"}),
    );
    let scp = post(
        moto,
        "/_rootkeys/org/scp",
        &json!({"target": members[3], "name": "DenyRoot", "content": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}}]}}),
    );
    post(
        moto,
        "/_rootkeys/org/suspend",
        &json!({"account_id": members[4]}),
    );
    post(
        moto,
        "/_rootkeys/org/root_key",
        &json!({"account_id": ACCOUNT}),
    );

    (members, keyed_ids, inactive, scp)
}

/// The rows of `seed_every_state`'s organization, worst first.
fn check_rows(doc: &Value, members: &[String], keyed_ids: &[String], inactive: &Value) {
    let first = row(doc, &members[0]);
    assert_eq!(first["status"], "ACTIVE");
    assert_eq!(first["management"], false);
    assert_eq!(first["compliant"], false);
    assert_eq!(first["root_keys_present"], 1);
    assert_eq!(first["keys"][0]["access_key_id"], keyed_ids[0].as_str());
    assert_eq!(first["keys"][0]["status"], "Active");
    assert_eq!(first["keys"][0]["created"], "2021-03-04T05:06:07Z");
    assert_eq!(
        first["keys"][0]["last_used"]["date"],
        "2026-11-01T00:00:00Z"
    );
    assert_eq!(first["keys"][0]["last_used"]["service"], "s3");
    assert_eq!(first["keys"][0]["last_used"]["region"], "eu-west-1");
    assert_eq!(first["mfa_enabled"], false);
    assert!(first["error"].is_null());

    let third = row(doc, &members[2]);
    assert_eq!(third["verdict"], "inactive_keys");
    assert_eq!(third["keys"][0]["access_key_id"], inactive["access_key_id"]);
    assert_eq!(third["keys"][0]["status"], "Inactive");
    assert!(third["keys"][0]["last_used"].is_null());

    let denied = row(doc, &members[3]);
    assert!(denied["compliant"].is_null());
    assert!(denied["root_keys_present"].is_null());
    let error = denied["error"].as_str().expect("an error");
    assert!(error.contains("service control policy"), "{error}");
    let advice = denied["advice"].as_str().expect("advice");
    assert!(
        advice.contains(r#""Null": {"aws:AssumedRoot": "true"}"#),
        "{advice}"
    );

    let suspended = row(doc, &members[4]);
    assert_eq!(suspended["status"], "SUSPENDED");
    assert!(suspended["compliant"].is_null());
    assert!(suspended["error"].is_null());
    assert_eq!(suspended["verdict"], "not_audited");

    let clean = row(doc, &members[5]);
    assert_eq!(clean["compliant"], true);
    assert_eq!(clean["root_keys_present"], 0);
    assert_eq!(clean["keys"].as_array().map(Vec::len), Some(0));

    let management = row(doc, ACCOUNT);
    assert_eq!(management["management"], true);
    assert_eq!(management["compliant"], false);
    assert_eq!(management["root_keys_present"], 1);
    assert!(
        management["keys"][0]["access_key_id"].is_null(),
        "the report has no key IDs"
    );
    assert_eq!(management["keys"][0]["slot"], 1);
    assert!(
        management["note"]
            .as_str()
            .is_some_and(|n| n.contains("single-account mode"))
    );

    // Worst first: active keys, inactive keys, the error, suspended, compliant.
    let order: Vec<&str> = doc["accounts"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|a| a["verdict"].as_str().expect("verdict"))
        .collect();
    assert_eq!(
        order,
        [
            "active_keys",
            "active_keys",
            "active_keys",
            "inactive_keys",
            "unknown",
            "not_audited",
            "compliant"
        ]
    );
}

fn check_journals(rk: &Rootkeys, members: &[String]) {
    // One session per ACTIVE member (the SCP denies the session's calls,
    // not its opening), journaled in its own journal; none for the
    // suspended member or the management account.
    for (i, member) in members.iter().enumerate() {
        let records = journal_of(rk, member);
        if i == 4 {
            assert!(records.is_empty(), "member {i}: {records:?}");
            continue;
        }
        assert_eq!(records.len(), 1, "member {i}: {records:?}");
        let r = &records[0];
        assert_eq!(r["action"], "session_opened");
        assert_eq!(r["account"], member.as_str());
        assert!(
            r["caller"]
                .as_str()
                .is_some_and(|c| c.starts_with("arn:aws:") && c.contains(":123456789012:")),
            "{r}"
        );
        let note = r["note"].as_str().expect("note");
        assert!(
            note.contains("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"),
            "{note}"
        );
        assert!(note.contains("900 s"), "{note}");
        assert!(!r["op"].as_str().unwrap_or_default().is_empty());
        let opened: chrono::DateTime<chrono::Utc> =
            r["time"].as_str().expect("time").parse().expect("time");
        let expires = note.rsplit("expires ").next().expect("expiry");
        let expires: chrono::DateTime<chrono::Utc> = expires.parse().expect("expiry date");
        assert!(
            expires - opened <= chrono::TimeDelta::seconds(900),
            "{note}"
        );
    }
    assert!(journal_of(rk, ACCOUNT).is_empty());
}

#[test]
fn members_in_every_state_get_their_rows_verdicts_and_exit_codes() {
    let moto = Moto::start();
    let (members, keyed_ids, inactive, scp) = seed_every_state(&moto);
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "audit", "--json"]);
    assert_eq!(
        run.code, 2,
        "an account could not be audited:\n{}",
        run.stderr
    );
    let doc = json_of(&run);
    assert_eq!(doc["management_account_id"], ACCOUNT);
    assert_eq!(doc["compliant"], false);
    assert!(
        doc["organization_id"]
            .as_str()
            .is_some_and(|o| o.starts_with("o-"))
    );
    assert_eq!(doc["accounts"].as_array().expect("rows").len(), 7);

    check_rows(&doc, &members, &keyed_ids, &inactive);
    check_journals(&rk, &members);
    // The server saw one Audit session per ACTIVE member, none longer than
    // 900 s, each journaled with its own request ID.
    let sessions = get(&moto, "/_rootkeys/org/sessions");
    let sessions = sessions.as_array().expect("sessions");
    assert_eq!(sessions.len(), 5, "{sessions:#?}");
    for session in sessions {
        assert!(
            session["duration_seconds"]
                .as_i64()
                .is_some_and(|d| d <= 900),
            "{session}"
        );
        assert_eq!(
            session["task_policy_arn"],
            "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
        );
        let account = session["account_id"].as_str().expect("account");
        let journaled = journal_of(&rk, account);
        assert_eq!(journaled[0]["op"], session["request_id"], "{session}");
    }
    assert_no_session_credentials(&run, &rk);

    // The human table says the same, worst first, with the exemption.
    let text = rk.run(&admin(), &["org", "audit"]);
    assert_eq!(text.code, 2);
    assert!(
        text.stdout.contains("NOT COMPLIANT (4 of 7 accounts"),
        "{}",
        text.stdout
    );
    assert!(text.stdout.contains("aws:AssumedRoot"), "{}", text.stdout);
    let first_line = text
        .stdout
        .lines()
        .find(|l| l.starts_with(char::is_numeric))
        .expect("a row");
    assert!(first_line.contains("ACTIVE KEYS"), "{}", text.stdout);
    assert_no_session_credentials(&text, &rk);

    // Without the SCP every member is audited: root keys present, exit 1.
    post(
        &moto,
        "/_rootkeys/org/scp_detach",
        &json!({"policy_id": scp["policy_id"], "target": members[3]}),
    );
    let run = rk.run(&admin(), &["org", "audit", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(row(&json_of(&run), &members[3])["compliant"], true);

    // Only the clean members: exit 0.
    let only = format!("{},{}", members[3], members[5]);
    let run = rk.run(&admin(), &["org", "audit", "--json", "--accounts", &only]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = json_of(&run);
    assert_eq!(doc["compliant"], true);
    assert_eq!(doc["accounts"].as_array().map(Vec::len), Some(2));

    // An account that is not in the organization is an error of its own.
    let run = rk.run(
        &admin(),
        &["org", "audit", "--json", "--accounts", "999999999999"],
    );
    assert_eq!(run.code, 2);
    let doc = json_of(&run);
    assert!(
        row(&doc, "999999999999")["error"]
            .as_str()
            .is_some_and(|e| e.contains("not in organization"))
    );
}

#[test]
fn every_missing_prerequisite_stops_at_preflight_with_its_own_message() {
    let moto = Moto::start();
    let seeded = post(
        &moto,
        "/_rootkeys/org/seed",
        &json!({"members": 2, "with_keys": 1}),
    );
    let member = seeded["members"][0]["account_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let rk = Rootkeys::new(&moto);

    let stops = |run: &Run, message: &str, fix: &str| {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr.contains(message),
            "wanted {message:?} in:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(fix),
            "wanted {fix:?} in:\n{}",
            run.stderr
        );
        // No session was opened: no journal was written.
        assert!(journals(&rk).is_empty(), "{}", journals(&rk));
    };

    // Root of the management account.
    let root: Value = post(
        &moto,
        "/_rootkeys/org/root_key",
        &json!({"account_id": ACCOUNT}),
    );
    let root = Keys {
        id: root["access_key_id"].as_str().expect("id").to_owned(),
        secret: root["secret_access_key"]
            .as_str()
            .expect("secret")
            .to_owned(),
    };
    stops(
        &rk.run(&root, &["org", "audit"]),
        "the caller is the root user",
        "sign in with an IAM role or user of the management account",
    );

    // An IAM user of a member that is not the delegated administrator
    // (registered, then deregistered).
    let delegated = post(
        &moto,
        "/_rootkeys/org/delegated_admin",
        &json!({"account_id": member}),
    );
    let delegated = Keys {
        id: delegated["access_key_id"].as_str().expect("id").to_owned(),
        secret: delegated["secret_access_key"]
            .as_str()
            .expect("secret")
            .to_owned(),
    };
    deregister(&moto, &member);
    stops(
        &rk.run(&delegated, &["org", "audit"]),
        &format!("the caller's account {member} is neither the management account"),
        "register-delegated-administrator",
    );

    // The feature, then trusted access.
    post(
        &moto,
        "/_rootkeys/org/features",
        &json!({"RootCredentialsManagement": false}),
    );
    stops(
        &rk.run(&admin(), &["org", "audit"]),
        "RootCredentialsManagement (centralized root access) is not enabled",
        "aws iam enable-organizations-root-credentials-management",
    );
    post(
        &moto,
        "/_rootkeys/org/features",
        &json!({"RootCredentialsManagement": true, "trusted_access": false}),
    );
    stops(
        &rk.run(&admin(), &["org", "audit"]),
        "trusted access for iam.amazonaws.com is not enabled",
        "aws organizations enable-aws-service-access --service-principal iam.amazonaws.com",
    );
    post(
        &moto,
        "/_rootkeys/org/features",
        &json!({"trusted_access": true}),
    );

    // The global STS endpoint behind a custom URL: AssumeRoot's
    // InvalidAction stops the audit with the preflight's message (a URL
    // naming sts.amazonaws.com is refused before any request; unit tests).
    let global = format!("{}/_global/", moto.endpoint());
    stops(
        &rk.run_env(
            &admin(),
            &[("AWS_ENDPOINT_URL_STS", &global)],
            &["org", "audit"],
        ),
        "global endpoint",
        "use a Regional STS endpoint",
    );
    // With everything in place the same caller audits.
    let run = rk.run(&admin(), &["org", "audit", "--json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[test]
fn a_delegated_administrator_audits_every_member_but_the_management_account() {
    let moto = Moto::start();
    let seeded = post(
        &moto,
        "/_rootkeys/org/seed",
        &json!({"members": 3, "with_keys": 1}),
    );
    let keyed = seeded["members"][0]["account_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let admin_account = seeded["members"][2]["account_id"]
        .as_str()
        .expect("id")
        .to_owned();
    let delegated = post(
        &moto,
        "/_rootkeys/org/delegated_admin",
        &json!({"account_id": admin_account}),
    );
    let delegated = Keys {
        id: delegated["access_key_id"].as_str().expect("id").to_owned(),
        secret: delegated["secret_access_key"]
            .as_str()
            .expect("secret")
            .to_owned(),
    };
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&delegated, &["org", "audit", "--json"]);
    // The management account cannot be read from here: exit 2, with the
    // way to read it; every member is audited.
    assert_eq!(run.code, 2, "{}", run.stderr);
    let doc = json_of(&run);
    assert_eq!(doc["accounts_total"], 4, "{doc:#}");
    let management = row(&doc, ACCOUNT);
    assert_eq!(management["management"], true);
    assert!(management["compliant"].is_null());
    assert!(
        management["error"]
            .as_str()
            .is_some_and(|e| e.contains("delegated administrator")),
        "{management}"
    );
    assert!(
        management["advice"]
            .as_str()
            .is_some_and(|a| a.contains("rootkeys audit")),
        "{management}"
    );
    assert_eq!(row(&doc, &keyed)["compliant"], false);
    assert_eq!(row(&doc, &admin_account)["compliant"], true);
    assert_eq!(doc["accounts_failed"], 1);
    assert!(
        journal_of(&rk, &keyed)[0]["caller"]
            .as_str()
            .is_some_and(|c| c.contains(&admin_account)),
        "the session was opened by the delegated administrator"
    );
}

/// Deregister a delegated administrator through the Organizations API.
fn deregister(moto: &Moto, account: &str) {
    let creds = aws_credential_types::Credentials::new(ADMIN_KEY, ADMIN_SECRET, None, None, "test");
    let client = aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .behavior_version(aws_sdk_organizations::config::BehaviorVersion::latest())
            .region(aws_sdk_organizations::config::Region::new("us-east-1"))
            .endpoint_url(moto.endpoint())
            .credentials_provider(creds)
            .build(),
    );
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(
            client
                .deregister_delegated_administrator()
                .account_id(account)
                .service_principal("iam.amazonaws.com")
                .send(),
        )
        .expect("deregister");
}

#[test]
fn a_larger_organization_is_listed_page_by_page_and_audited_concurrently() {
    let moto = Moto::start();
    post(
        &moto,
        "/_rootkeys/org/seed",
        &json!({"members": 65, "with_keys": 7}),
    );
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&admin(), &["org", "audit", "--json", "--concurrency", "5"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json_of(&run);
    assert_eq!(
        doc["accounts_total"], 66,
        "65 members over 4 pages, and the management account"
    );
    assert_eq!(doc["accounts_with_keys"], 7);
    assert_eq!(doc["accounts_failed"], 0);
    let rows = doc["accounts"].as_array().expect("rows");
    assert!(rows[..7].iter().all(|r| r["verdict"] == "active_keys"));
    assert!(rows[7..].iter().all(|r| r["compliant"] == true));
    // Not a terminal: no progress line.
    assert!(!run.stderr.contains("audited "), "{}", run.stderr);
    assert_no_session_credentials(&run, &rk);
}
