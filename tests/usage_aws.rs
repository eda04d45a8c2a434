//! `rootkeys usage` end to end: the real binary against the root-aware moto
//! server, whose CloudTrail event history records the calls root's key
//! really makes through the SDK and holds back-dated events seeded in other
//! regions.

mod support;

use serde_json::{Value, json};
use support::{Keys, Moto, Rootkeys, root_and_session};

/// Seed events (see `POST /_rootkeys/events` in `tests/support/moto_root.py`).
fn seed(moto: &Moto, events: &[Value]) {
    moto.control(
        "/_rootkeys/events",
        &json!({ "events": events }).to_string(),
    );
}

/// An ISO 8601 time this many hours ago.
fn hours_ago(hours: i64) -> String {
    (chrono::Utc::now() - chrono::TimeDelta::hours(hours))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Make `LookupEvents` fail in one region (`None`: every region).
fn fail_lookups(moto: &Moto, region: Option<&str>, code: &str, message: &str) {
    moto.control(
        "/_rootkeys/fail",
        &json!({"operation": "LookupEvents", "region": region, "code": code, "message": message})
            .to_string(),
    );
}

/// Real calls signed with `key` through the SDK: two `GetCallerIdentity`,
/// one `ListUsers` and one `GetUser` that fails (`NoSuchEntity`).
async fn real_calls(moto: &Moto, key: &Keys) {
    let sts = moto.sts(&key.id, &key.secret);
    for _ in 0..2 {
        sts.get_caller_identity().send().await.expect("identity");
    }
    let iam = moto.iam(&key.id, &key.secret);
    iam.list_users().send().await.expect("list users");
    let missing = iam.get_user().user_name("nobody").send().await;
    assert!(missing.is_err(), "GetUser of a missing user must fail");
}

fn ec2_event(key: &str, name: &str, hours: i64) -> Value {
    json!({
        "event_name": name,
        "event_source": "ec2.amazonaws.com",
        "event_time": hours_ago(hours),
        "region": "eu-west-1",
        "access_key_id": key,
        "source_ip": "198.51.100.7",
        "user_agent": "aws-cli/2.15.30 Python/3.11.8 Linux/5.15 exe/x86_64 command/ec2.describe-instances",
    })
}

fn find(list: &Value, pred: impl Fn(&Value) -> bool) -> &Value {
    list.as_array()
        .and_then(|items| items.iter().find(|v| pred(v)))
        .unwrap_or_else(|| panic!("not found in {list}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_summarises_real_calls_and_seeded_history_across_regions() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    let key = &keys[0];
    real_calls(&moto, key).await;
    let mut seeded = vec![
        ec2_event(&key.id, "DescribeInstances", 240),
        ec2_event(&key.id, "DescribeInstances", 200),
        ec2_event(&key.id, "DescribeInstances", 100),
        json!({
            "event_name": "RunInstances", "event_source": "ec2.amazonaws.com",
            "event_time": hours_ago(48), "region": "eu-west-1", "access_key_id": key.id,
            "source_ip": "198.51.100.7", "error_code": "Client.UnauthorizedOperation",
            "error_message": "You are not authorized to perform this operation.",
        }),
    ];
    // Outside the 30-day window, and another key's event: neither counts.
    seeded.push(ec2_event(&key.id, "TerminateInstances", 24 * 40));
    seeded.push(ec2_event(&keys[1].id, "StopInstances", 5));
    seed(&moto, &seeded);

    // Signed with a root session, so the review's own calls never sign with the key.
    let rk = Rootkeys::new(&moto);
    let args = [
        "usage",
        key.id.as_str(),
        "--days",
        "30",
        "--regions",
        "us-east-1,eu-west-1,ap-south-1",
        "--json",
    ];
    let run = rk.run(&session, &args);
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    let summary = &doc["summary"];
    assert_eq!(summary["key_id"], key.id.as_str());
    assert_eq!(summary["days"], 30);
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["regions_not_searched"], json!([]));
    assert_eq!(summary["total_events"], 8, "{doc:#}");

    let regions = summary["regions"].as_array().expect("regions");
    let outcome: Vec<(&str, &str, u64)> = regions
        .iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap_or_default(),
                r["status"]["state"].as_str().unwrap_or_default(),
                r["events"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        outcome,
        [
            ("us-east-1", "ok", 4),
            ("eu-west-1", "ok", 4),
            ("ap-south-1", "ok", 0)
        ]
    );

    assert_actions(&summary["by_action"]);
    assert_callers(&summary["by_caller"]);

    let by_region: Vec<(&str, u64)> = summary["by_region"]
        .as_array()
        .expect("by region")
        .iter()
        .map(|r| {
            (
                r["region"].as_str().unwrap_or_default(),
                r["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        by_region.contains(&("us-east-1", 4)) && by_region.contains(&("eu-west-1", 4)),
        "{by_region:?}"
    );
    assert_eq!(by_region.len(), 2);

    // Raw events: newest first, the failed calls with their error codes.
    let events = doc["events"].as_array().expect("events");
    assert_eq!(events.len(), 8);
    let times: Vec<&str> = events.iter().filter_map(|e| e["time"].as_str()).collect();
    let mut sorted = times.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);
    assert_eq!(events[7]["event_name"], "DescribeInstances");
    let errors: Vec<(&str, &str)> = events
        .iter()
        .filter_map(|e| Some((e["event_name"].as_str()?, e["error_code"].as_str()?)))
        .collect();
    assert_eq!(
        errors,
        [
            ("GetUser", "NoSuchEntity"),
            ("RunInstances", "Client.UnauthorizedOperation")
        ]
    );
    assert!(
        events
            .iter()
            .all(|e| e["event_name"] != "TerminateInstances" && e["event_name"] != "StopInstances")
    );
    // What IAM says, next to it (the session is root: it may ask).
    assert_eq!(doc["iam_last_used"]["service"], "s3");

    // The same for people.
    assert_text(&rk.run(&session, &args[..args.len() - 1]));
}

/// Actions of the first test: real calls and seeded ones, counted.
fn assert_actions(by_action: &Value) {
    let count = |source: &str, name: &str| {
        find(by_action, |a| {
            a["event_source"] == source && a["event_name"] == name
        })["count"]
            .as_u64()
    };
    assert_eq!(count("ec2.amazonaws.com", "DescribeInstances"), Some(3));
    assert_eq!(count("sts.amazonaws.com", "GetCallerIdentity"), Some(2));
    assert_eq!(count("iam.amazonaws.com", "ListUsers"), Some(1));
    assert_eq!(count("iam.amazonaws.com", "GetUser"), Some(1));
    assert_eq!(count("ec2.amazonaws.com", "RunInstances"), Some(1));
    assert_eq!(by_action.as_array().map(Vec::len), Some(5));
}

/// Callers of the first test: the SDK's user agents and the CLI's.
fn assert_callers(by_caller: &Value) {
    // Callers: the SDK's user agent names the service client; the CLI's
    // DescribeInstances and the agent-less RunInstances from one IP.
    let callers: Vec<(&str, &str, u64)> = by_caller
        .as_array()
        .expect("callers")
        .iter()
        .map(|c| {
            (
                c["source_ip"].as_str().unwrap_or_default(),
                c["user_agent"].as_str().unwrap_or("-"),
                c["count"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(callers.len(), 4, "{callers:?}");
    let with = |ip: &str, agent: &str| {
        callers
            .iter()
            .find(|(i, ua, _)| *i == ip && ua.contains(agent))
            .map(|c| c.2)
    };
    assert_eq!(
        with("198.51.100.7", "aws-cli/2.15.30"),
        Some(3),
        "{callers:?}"
    );
    assert!(callers.contains(&("198.51.100.7", "-", 1)), "{callers:?}");
    assert_eq!(with("127.0.0.1", "api/sts"), Some(2), "{callers:?}");
    assert_eq!(with("127.0.0.1", "api/iam"), Some(2), "{callers:?}");
    assert!(
        callers
            .iter()
            .filter(|c| c.0 == "127.0.0.1")
            .all(|c| c.1.starts_with("aws-sdk-rust/")),
        "{callers:?}"
    );
}

/// The text summary of the first test.
fn assert_text(text: &support::Run) {
    assert_eq!(text.code, 0, "{text:?}");
    let out = &text.stdout;
    assert!(
        out.contains("8 events in 3 of 3 regions searched"),
        "{text:?}"
    );
    assert!(!out.contains("Not complete"), "{text:?}");
    for needle in [
        "By action:",
        "ec2 DescribeInstances",
        "sts GetCallerIdentity",
        "iam ListUsers",
        "By caller (source IP, user agent):",
        "198.51.100.7",
        "aws-cli/2.15.30",
        "By region:",
        "(no events in 1 other region searched)",
        "error: Client.UnauthorizedOperation",
        "error: NoSuchEntity",
        "What IAM says:",
    ] {
        assert!(out.contains(needle), "{needle:?} missing: {text:?}");
    }
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("3 ") && l.contains("ec2 DescribeInstances")),
        "{text:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_reads_every_page_of_every_enabled_region() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    let key = &keys[0];
    // 120 events in us-east-1 (three pages of at most 50) and 2 in ap-northeast-3.
    let mut seeded: Vec<Value> = (0..120)
        .map(|n| {
            json!({
                "event_name": if n % 3 == 0 { "ListBuckets" } else { "GetCallerIdentity" },
                "event_source": if n % 3 == 0 { "s3.amazonaws.com" } else { "sts.amazonaws.com" },
                "event_time": hours_ago(1 + n),
                "region": "us-east-1",
                "access_key_id": key.id,
                "source_ip": format!("192.0.2.{}", n % 4),
            })
        })
        .collect();
    for hours in [3, 4] {
        seeded.push(json!({
            "event_name": "DescribeRegions", "event_source": "ec2.amazonaws.com",
            "event_time": hours_ago(hours), "region": "ap-northeast-3", "access_key_id": key.id,
        }));
    }
    seed(&moto, &seeded);

    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &["usage", &key.id, "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc = run.json();
    let summary = &doc["summary"];
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["total_events"], 122);
    // `all`: the enabled regions from account:ListRegions, every one searched.
    let regions = summary["regions"].as_array().expect("regions");
    assert_eq!(regions.len(), 17, "{regions:?}");
    assert!(regions.iter().all(|r| r["status"]["state"] == "ok"));
    assert!(
        !summary["limits"]
            .as_array()
            .expect("limits")
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l.contains("Could not list"))),
        "{summary:#}"
    );
    let east = find(&summary["regions"], |r| r["region"] == "us-east-1");
    assert_eq!(
        (east["events"].as_u64(), east["pages"].as_u64()),
        (Some(120), Some(3))
    );
    let osaka = find(&summary["regions"], |r| r["region"] == "ap-northeast-3");
    assert_eq!(
        (osaka["events"].as_u64(), osaka["pages"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        find(&summary["by_action"], |a| a["event_name"]
            == "GetCallerIdentity")["count"],
        80
    );
    assert_eq!(
        find(&summary["by_action"], |a| a["event_name"] == "ListBuckets")["count"],
        40
    );
    assert_eq!(summary["by_caller"].as_array().map(Vec::len), Some(5));
    assert_eq!(
        find(&summary["by_caller"], |c| c["source_ip"] == "192.0.2.0")["count"],
        30
    );
    // Every event once, newest first: the oldest is the 120th hour's.
    let events = doc["events"].as_array().expect("events");
    let times: Vec<&str> = events.iter().filter_map(|e| e["time"].as_str()).collect();
    assert_eq!(times.len(), 122);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert_eq!(events[121]["source_ip"], "192.0.2.3");
    assert_eq!(events[121]["event_name"], "GetCallerIdentity");
}

#[tokio::test(flavor = "multi_thread")]
async fn without_list_regions_the_default_regions_are_searched_and_said_so() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    moto.control(
        "/_rootkeys/fail",
        r#"{"operation":"ListRegions","code":"AccessDeniedException","status":403,
            "message":"not authorized to perform account:ListRegions"}"#,
    );
    seed(
        &moto,
        &[
            json!({"event_name": "ListUsers", "event_source": "iam.amazonaws.com",
                 "event_time": hours_ago(2), "access_key_id": keys[0].id}),
        ],
    );
    let rk = Rootkeys::new(&moto);
    let run = rk.run(&session, &["usage", &keys[0].id, "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let summary = &run.json()["summary"];
    assert_eq!(summary["regions"].as_array().map(Vec::len), Some(17));
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["total_events"], 1);
    assert!(
        summary["limits"]
            .as_array()
            .expect("limits")
            .iter()
            .any(|l| l.as_str().is_some_and(|l| l
                .contains("Could not list the account's enabled regions (AccessDeniedException"))),
        "{summary:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_that_cannot_be_searched_makes_the_answer_partial() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    let key = &keys[0];
    real_calls(&moto, key).await; // in us-east-1, which will fail
    seed(
        &moto,
        &[
            ec2_event(&key.id, "DescribeInstances", 10),
            ec2_event(&key.id, "DescribeInstances", 9),
        ],
    );
    fail_lookups(
        &moto,
        Some("us-east-1"),
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: cloudtrail:LookupEvents",
    );
    let rk = Rootkeys::new(&moto);

    let run = rk.run(
        &session,
        &[
            "usage",
            &key.id,
            "--regions",
            "us-east-1,eu-west-1",
            "--json",
        ],
    );
    assert_eq!(run.code, 3, "{run:?}");
    let doc = run.json();
    let summary = &doc["summary"];
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["regions_not_searched"], json!(["us-east-1"]));
    assert_eq!(summary["total_events"], 2);
    let east = find(&summary["regions"], |r| r["region"] == "us-east-1");
    assert_eq!(east["status"]["state"], "failed");
    assert_eq!(east["status"]["code"], "AccessDeniedException");
    assert!(
        run.stderr
            .contains("partial: 1 of 2 requested regions could not be searched (us-east-1)"),
        "{run:?}"
    );

    let text = rk.run(
        &session,
        &["usage", &key.id, "--regions", "us-east-1,eu-west-1"],
    );
    assert_eq!(text.code, 3, "{text:?}");
    assert!(
        text.stdout
            .contains("Not complete: 1 of 2 regions could not be searched: us-east-1"),
        "{text:?}"
    );
    assert!(
        text.stdout.contains(
            "us-east-1 failed (AccessDeniedException, HTTP 400: User: arn:aws:iam::123456789012:root"
        ),
        "{text:?}"
    );
    assert!(text.stderr.contains("(exit status 3)"), "{text:?}");

    // A requested region that is not enabled was not searched either.
    let run = rk.run(
        &session,
        &[
            "usage",
            &key.id,
            "--regions",
            "eu-west-1,me-south-1",
            "--json",
        ],
    );
    assert_eq!(run.code, 3, "{run:?}");
    let summary = &run.json()["summary"];
    assert_eq!(summary["regions_not_searched"], json!(["me-south-1"]));
    assert_eq!(
        find(&summary["regions"], |r| r["region"] == "me-south-1")["status"]["state"],
        "unavailable"
    );

    // Every region searched: a clean answer again.
    let run = rk.run(&session, &["usage", &key.id, "--regions", "eu-west-1"]);
    assert_eq!(run.code, 0, "{run:?}");

    // Nothing could be searched: an error.
    fail_lookups(&moto, None, "AccessDeniedException", "denied everywhere");
    let run = rk.run(
        &session,
        &[
            "usage",
            &key.id,
            "--regions",
            "us-east-1,eu-west-1",
            "--json",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("no region could be searched"),
        "{run:?}"
    );
    assert_eq!(run.json()["summary"]["complete"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn foreign_text_from_event_history_is_escaped_on_the_terminal() {
    let moto = Moto::start();
    let (keys, session) = root_and_session(&moto).await;
    let key = &keys[0];
    let agent = "evil/1.0 \u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred";
    seed(
        &moto,
        &[json!({
            "event_name": "List\u{1b}[1mUsers", "event_source": "iam.amazonaws.com",
            "event_time": hours_ago(1), "access_key_id": key.id,
            "source_ip": "203.0.113.5\u{1b}[8m", "user_agent": agent,
            "error_code": "Denied\u{1b}[5m",
        })],
    );
    fail_lookups(
        &moto,
        Some("eu-west-1"),
        "AccessDeniedException",
        "no\u{1b}]52;c;aGk=\u{7} access",
    );
    let rk = Rootkeys::new(&moto);
    let args = ["usage", key.id.as_str(), "--regions", "us-east-1,eu-west-1"];

    let text = rk.run(&session, &args);
    assert_eq!(text.code, 3, "{text:?}");
    for stream in [&text.stdout, &text.stderr] {
        assert!(
            !stream.contains('\u{1b}') && !stream.contains('\u{7}'),
            "{text:?}"
        );
    }
    assert!(
        text.stdout.contains("evil/1.0 \\u{1b}]0;pwned\\u{7}"),
        "{text:?}"
    );
    assert!(text.stdout.contains("List\\u{1b}[1mUsers"), "{text:?}");
    assert!(text.stdout.contains("203.0.113.5\\u{1b}[8m"), "{text:?}");
    assert!(text.stdout.contains("error: Denied\\u{1b}[5m"), "{text:?}");
    assert!(
        text.stdout.contains(
            "eu-west-1 failed (AccessDeniedException, HTTP 400: no\\u{1b}]52;c;aGk=\\u{7} access)"
        ),
        "{text:?}"
    );

    // JSON carries the text as it came (escaped by JSON itself).
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let run = rk.run(&session, &json_args);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(!run.stdout.contains('\u{1b}'));
    let doc = run.json();
    assert_eq!(doc["events"][0]["user_agent"], agent);
    assert_eq!(doc["events"][0]["event_name"], "List\u{1b}[1mUsers");
}
