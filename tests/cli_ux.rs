//! The command line as a user meets it: help that answers, shell
//! completions, the man page, scripts that can re-run, advice that fits
//! where it is read, and usage errors that read well. Run against the real
//! binary (and the test server where an account is involved).

mod support;

use std::path::Path;
use std::process::Command;

/// The binary with an isolated state directory and no AWS configuration.
fn offline(args: &[&str]) -> support::Run {
    let state = tempfile::tempdir().expect("state dir");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
    support::isolate(&mut cmd, state.path());
    let started = std::time::Instant::now();
    let output = cmd.args(args).output().expect("run rootkeys");
    support::Run::new(&output, started.elapsed())
}

fn help(args: &[&str]) -> String {
    let mut all = args.to_vec();
    all.push("--help");
    let run = offline(&all);
    assert_eq!(run.code, 0, "{run:?}");
    run.stdout
}

/// The text after `needle` up to the end of its paragraph (long help puts
/// an option's description on the lines below it).
fn described(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in help:\n{text}"));
    text[at + needle.len()..]
        .split("\n\n")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn every_json_flag_and_key_id_argument_is_described() {
    for command in ["audit", "report", "usage", "status", "journal"] {
        let text = help(&[command]);
        let line = described(&text, "--json");
        assert!(
            line.contains("JSON"),
            "{command} --json undescribed:\n{text}"
        );
    }
    for command in ["deactivate", "reactivate", "delete", "usage"] {
        let text = help(&[command]);
        let line = described(&text, "<KEY_ID>  ");
        assert!(
            line.contains("root access key ID"),
            "{command} KEY_ID undescribed:\n{text}"
        );
    }
}

#[test]
fn scenario_lists_its_values_and_names_no_source_folder() {
    let text = help(&["demo"]);
    assert!(
        text.contains("[possible values: two-keys, auditor, signing-key, org]"),
        "{text}"
    );
    assert!(!text.contains("assets/"), "{text}");
    // The values come from the one list the simulation keeps.
    let names = rootkeys::account::sim::scenario_names().join(", ");
    assert!(text.contains(&names), "{text}");
    let run = offline(&["demo", "--scenario", "nope"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("two-keys"), "{run:?}");
}

#[test]
fn global_options_have_their_own_heading_and_no_dangling_env() {
    for args in [&[][..], &["status"][..], &["delete"][..]] {
        let text = help(args);
        let heading = text
            .find("Global options:")
            .unwrap_or_else(|| panic!("no Global options heading:\n{text}"));
        for option in ["--profile", "--region", "--state-dir", "--observe"] {
            let at = text
                .find(option)
                .unwrap_or_else(|| panic!("{option}:\n{text}"));
            assert!(at > heading, "{option} outside Global options:\n{text}");
        }
        assert!(!text.contains("[env:"), "{text}");
        assert!(text.contains("ROOTKEYS_STATE_DIR"), "{text}");
    }
}

#[test]
fn report_help_says_it_reads_the_json_of_the_aws_cli() {
    let text = help(&["report"]);
    assert!(text.contains("aws iam get-credential-report"), "{text}");
    assert!(text.contains("JSON that"), "{text}");
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef rootkeys"),
        ("fish", "complete -c rootkeys"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[rootkeys]"),
    ] {
        let run = offline(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}: {run:?}");
        assert!(run.stdout.contains(marker), "{shell}: {}", run.stdout);
        assert!(run.stdout.contains("deactivate"), "{shell}");
        assert!(run.stderr.is_empty(), "{shell}: {run:?}");
    }
    let run = offline(&["completions", "tcsh"]);
    assert_eq!(run.code, 2, "{run:?}");
}

/// `assets/rootkeys.1` is the man page of this very command line.
/// `ROOTKEYS_UPDATE_MAN=1` (scripts/gen-man) writes it afresh.
#[test]
fn the_shipped_man_page_is_current() {
    let fresh = rootkeys::cli::man_page().expect("render the man page");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/rootkeys.1");
    if std::env::var_os("ROOTKEYS_UPDATE_MAN").is_some() {
        std::fs::write(&path, &fresh).expect("write assets/rootkeys.1");
    }
    let shipped = std::fs::read(&path).unwrap_or_default();
    assert!(
        shipped == fresh,
        "assets/rootkeys.1 is out of date with the command line: run scripts/gen-man"
    );
    let text = String::from_utf8_lossy(&fresh);
    for expected in ["rootkeys", "deactivate", "completions", "\\-\\-observe"] {
        assert!(text.contains(expected), "{expected} not in the man page");
    }
}

fn journal_lines(rk: &support::Rootkeys) -> Vec<serde_json::Value> {
    rk.journal_text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_deactivation_or_reactivation_succeeds_and_is_journaled_as_observed() {
    let moto = support::Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = support::Rootkeys::new(&moto);
    let key = keys[0].id.as_str();
    let first = rk.run(&session, &["deactivate", key, "--yes"]);
    assert_eq!(first.code, 0, "{first:?}");
    let status_before = rk.run(&session, &["status", "--json"]).json();

    let again = rk.run(&session, &["deactivate", key, "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already inactive"), "{again:?}");
    assert!(again.stdout.contains("Journaled as observed"), "{again:?}");
    // Without --yes too: nothing is written, so nothing needs consent.
    let again = rk.run(&session, &["deactivate", key]);
    assert_eq!(again.code, 0, "{again:?}");

    let lines = journal_lines(&rk);
    let deactivations: Vec<&str> = lines
        .iter()
        .filter(|l| l["key"] == key && l["action"] == "deactivate")
        .map(|l| l["phase"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        deactivations,
        ["intent", "outcome", "observed", "observed"],
        "{lines:?}"
    );
    let observed = lines
        .iter()
        .find(|l| l["phase"] == "observed")
        .expect("observed");
    assert!(observed.get("result").is_none(), "{observed}");
    assert!(
        observed["note"]
            .as_str()
            .unwrap_or_default()
            .contains("already inactive"),
        "{observed}"
    );
    // A sighting does not restart the window.
    let status_after = rk.run(&session, &["status", "--json"]).json();
    let started = |doc: &serde_json::Value| {
        doc["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .find(|k| k["access_key_id"] == key)
            .map(|k| k["window_started"].clone())
    };
    assert_eq!(started(&status_before), started(&status_after));

    let back = rk.run(&session, &["reactivate", key, "--yes"]);
    assert_eq!(back.code, 0, "{back:?}");
    let again = rk.run(&session, &["reactivate", key, "--yes"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("already active"), "{again:?}");
    let lines = journal_lines(&rk);
    let last = lines.last().expect("a record");
    assert_eq!(last["action"], "reactivate");
    assert_eq!(last["phase"], "observed");
    assert_eq!(
        support::root_key_status(&moto, key).await,
        Some(aws_sdk_iam::types::StatusType::Active)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_year_is_365_days_and_text_has_one_date_format() {
    let moto = support::Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = support::Rootkeys::new(&moto);
    let run = rk.run(
        &session,
        &["--observe", "1y", "deactivate", &keys[0].id, "--yes"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Observe for 365 d "), "{run:?}");
    let status = rk.run(&session, &["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("(365 d window)"), "{status:?}");
    assert!(!status.stdout.contains("365 d 6 h"), "{status:?}");
    // The window ends exactly 365 days after it began, as printed.
    let doc = rk
        .run(&session, &["--observe", "1y", "status", "--json"])
        .json();
    let key = doc["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["access_key_id"] == keys[0].id.as_str())
        .expect("the key")
        .clone();
    let at = |field: &str| {
        chrono::DateTime::parse_from_rfc3339(key[field].as_str().expect(field)).expect(field)
    };
    assert_eq!(
        at("window_ends") - at("window_started"),
        chrono::TimeDelta::days(365)
    );
    assert_eq!(doc["observation_window_secs"], 365 * 86_400);

    // Text output: one date-time format, never RFC 3339.
    let journal = rk.run(&session, &["journal"]);
    for run in [&status, &journal] {
        assert!(
            !run.stdout.contains("T00:") && !run.stdout.contains(":00Z"),
            "{run:?}"
        );
        assert!(run.stdout.contains(" UTC"), "{run:?}");
    }
    let rfc = regex_free_rfc3339(&journal.stdout);
    assert!(!rfc, "{journal:?}");
    // Every date and time in text reads the same: `2026-11-30 10:31 UTC`.
    let usage = rk.run(&session, &["usage", &keys[0].id, "--regions", "us-east-1"]);
    let audit = rk.run(&session, &["audit"]);
    for run in [&status, &journal, &usage, &audit] {
        assert!(!regex_free_rfc3339(&run.stdout), "{run:?}");
        assert!(every_time_says_utc(&run.stdout), "{run:?}");
    }
}

/// Is every `YYYY-MM-DD HH:MM` in the text followed by ` UTC`?
fn every_time_says_utc(text: &str) -> bool {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len()).all(|i| {
        let is_time = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15]
            .iter()
            .all(|&k| digit(i + k))
            && b.get(i + 4) == Some(&b'-')
            && b.get(i + 10) == Some(&b' ')
            && b.get(i + 13) == Some(&b':');
        !is_time || text.get(i + 16..i + 20) == Some(" UTC")
    })
}

/// Does the text hold an RFC 3339 timestamp (`2026-11-30T10:31:00Z`)?
fn regex_free_rfc3339(text: &str) -> bool {
    text.as_bytes().windows(20).any(|w| {
        w[4] == b'-'
            && w[7] == b'-'
            && w[10] == b'T'
            && w[13] == b':'
            && w[16] == b':'
            && w[19] == b'Z'
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn cli_advice_uses_the_real_key_id_and_fits_the_signing_key() {
    let moto = support::Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = support::Rootkeys::new(&moto);
    // Deleting an active key: the refusal names the command with the key.
    let run = rk.run(&session, &["delete", &keys[0].id, "--confirm", &keys[0].id]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(!run.stderr.contains("KEY_ID"), "{run:?}");
    assert!(
        run.stderr
            .contains(&format!("`rootkeys deactivate {}`", keys[0].id)),
        "{run:?}"
    );

    // Signed with root's first key: status says to switch credentials
    // first; the warning names the other active key.
    let signing = &keys[0];
    let status = rk.run(signing, &["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(status.stdout.contains("aws sts assume-root"), "{status:?}");
    assert!(
        status.stdout.contains("CloudShell root session"),
        "{status:?}"
    );
    // No terminal and no --yes: the description is shown, nothing written.
    let run = rk.run(signing, &["deactivate", &signing.id]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        !run.stderr.contains("can be reactivated while observing"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains("console or a CloudShell root session"),
        "{run:?}"
    );
    assert!(
        run.stderr.contains(&format!(
            "Handle the other active keys first: {}.",
            keys[1].id
        )),
        "{run:?}"
    );
    // With the other key gone, there is nothing else to handle first.
    assert_eq!(
        rk.run(&session, &["deactivate", &keys[1].id, "--yes"]).code,
        0
    );
    let run = rk.run(signing, &["deactivate", &signing.id]);
    assert!(!run.stderr.contains("other"), "{run:?}");
}

/// A server on 127.0.0.1 that answers every request with an HTML 404 page:
/// an endpoint that is not CloudTrail.
fn not_aws_endpoint() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    // Headers, then the body by its length; keep-alive.
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let lower = line.to_ascii_lowercase();
                        if let Some(v) = lower.strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).is_err() {
                        return;
                    }
                    let page = "<html><body><h1>404 Not Found</h1></body></html>";
                    let answer = format!(
                        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
                        page.len()
                    );
                    if reader.get_mut().write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_against_an_endpoint_that_is_not_cloudtrail_says_so_once() {
    let moto = support::Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = support::Rootkeys::new(&moto);
    let endpoint = not_aws_endpoint();
    let env = [
        ("AWS_ENDPOINT_URL_CLOUDTRAIL", endpoint.as_str()),
        ("AWS_ENDPOINT_URL_ACCOUNT", endpoint.as_str()),
    ];
    let run = rk.run_env(&session, &env, &["usage", &keys[0].id]);
    assert_eq!(run.code, 2, "{run:?}");
    // One line for the seventeen regions that failed the same way, with
    // the HTTP status and what to check; no raw parser error.
    let error = run
        .stderr
        .lines()
        .find(|l| l.starts_with("rootkeys: error:"))
        .unwrap_or_else(|| panic!("{run:?}"));
    assert!(error.contains("no region could be searched"), "{run:?}");
    assert!(error.contains("and 14 more regions"), "{run:?}");
    assert!(error.contains("HTTP 404"), "{run:?}");
    assert!(error.contains("check AWS_ENDPOINT_URL"), "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(!all.contains("unexpected token"), "{run:?}");
    assert_eq!(all.matches("cloudtrail:LookupEvents").count(), 2, "{run:?}");
    // No empty summary that reads like a clean answer.
    assert!(!run.stdout.contains("No management events"), "{run:?}");
    assert!(!run.stdout.contains("0 events"), "{run:?}");
    assert!(
        run.stdout.contains("no region could be searched"),
        "{run:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_counts_the_regions_it_searched_and_groups_identical_failures() {
    let moto = support::Moto::start();
    let (keys, session) = support::root_and_session(&moto).await;
    let rk = support::Rootkeys::new(&moto);
    moto.control(
        "/_rootkeys/fail",
        r#"{"operation": "LookupEvents", "region": "eu-west-2", "code": "AccessDeniedException", "message": "denied here", "status": 403}"#,
    );
    let regions = "us-east-1,us-west-2,eu-west-1,eu-west-2,ap-south-1";
    let run = rk.run(&session, &["usage", &keys[1].id, "--regions", regions]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout.contains("0 events in 4 of 5 regions searched"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains(
            "eu-west-2 failed (AccessDeniedException, HTTP 403: denied here); its events are not included."
        ),
        "{run:?}"
    );

    // Every region failing the same way: the error once, before the summary.
    moto.control(
        "/_rootkeys/fail",
        r#"{"operation": "LookupEvents", "region": null, "code": "AccessDeniedException", "message": "denied everywhere", "status": 403}"#,
    );
    let run = rk.run(
        &session,
        &[
            "usage",
            &keys[1].id,
            "--regions",
            "us-east-1,us-west-2,eu-west-1",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr.matches("denied everywhere").count(),
        1,
        "{run:?}"
    );
    assert_eq!(
        run.stdout.matches("denied everywhere").count(),
        1,
        "{run:?}"
    );
    assert!(
        run.stderr.contains(
            "no region could be searched (us-east-1, us-west-2, eu-west-1: AccessDeniedException, HTTP 403: denied everywhere)"
        ),
        "{run:?}"
    );
    assert!(!run.stdout.contains("No management events"), "{run:?}");
}
