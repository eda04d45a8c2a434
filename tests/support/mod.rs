//! Test support: the root-aware moto server (`tests/support/moto_root.py`),
//! seeding helpers over the real SDK, and running the real binary.
#![allow(dead_code)]

pub mod kill;
pub mod pty;
pub mod tui;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ACCOUNT: &str = "123456789012";
/// Keys moto never issued act as an admin of the default account: used for seeding.
pub const ADMIN_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub const ADMIN_SECRET: &str = "adminsecretadminsecretadminsecret0000000";
pub const ROOT_STANDIN: &str = "root-standin";

/// Fault injection (`ROOTKEYS_FAILPOINT`) and the movable clock
/// (`ROOTKEYS_TEST_CLOCK_OFFSET`) exist only in builds with the `failpoints`
/// feature. A test that needs them fails without it: never a quiet skip.
#[allow(clippy::assertions_on_constants)] // constant per build: that is the point
pub fn require_failpoints() {
    assert!(
        cfg!(feature = "failpoints") && rootkeys::failpoint::ENABLED,
        "this test injects crashes or moves rootkeys' clock, which only a build with the \
         `failpoints` feature can do: run `cargo test --features failpoints` (scripts/test does)"
    );
}

/// The Python of the test virtualenv. Missing is a failure, never a skip.
pub fn python() -> PathBuf {
    let path = std::env::var_os("ROOTKEYS_TEST_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python"),
        PathBuf::from,
    );
    assert!(
        path.exists(),
        "{} is missing: run scripts/test (it installs the pinned moto server)",
        path.display()
    );
    path
}

pub struct Moto {
    child: std::sync::Mutex<Child>,
    pub port: u16,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Moto {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("moto.log");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/moto_root.py");
        let mut child = Command::new(python())
            .arg(script)
            .env_remove("MOTO_ACCOUNT_ID")
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start moto launcher");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx
            .recv_timeout(Duration::from_mins(1))
            .expect("moto launcher did not report its port within 60 s");
        let port = line
            .trim()
            .strip_prefix("PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "unexpected launcher output {line:?}; its log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        Self {
            child: std::sync::Mutex::new(child),
            port,
            log,
            _dir: dir,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Stop the server (to test a dropped endpoint).
    pub fn stop(&self) {
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn sdk_config(&self, key: &str, secret: &str) -> aws_sdk_iam::Config {
        let creds = aws_credential_types::Credentials::new(key, secret, None, None, "test");
        aws_sdk_iam::Config::builder()
            .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
            .region(aws_sdk_iam::config::Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(creds)
            .build()
    }

    pub fn iam(&self, key: &str, secret: &str) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::from_conf(self.sdk_config(key, secret))
    }

    pub fn sts(&self, key: &str, secret: &str) -> aws_sdk_sts::Client {
        let creds = aws_credential_types::Credentials::new(key, secret, None, None, "test");
        aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::Config::builder()
                .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
                .region(aws_sdk_sts::config::Region::new("us-east-1"))
                .endpoint_url(self.endpoint())
                .credentials_provider(creds)
                .build(),
        )
    }

    /// Deactivate one of root's keys, signed with another of root's keys.
    pub async fn deactivate_as(&self, signer: &Keys, key: &str) {
        self.iam(&signer.id, &signer.secret)
            .update_access_key()
            .access_key_id(key)
            .status(aws_sdk_iam::types::StatusType::Inactive)
            .send()
            .await
            .expect("deactivate");
    }

    pub fn admin(&self) -> aws_sdk_iam::Client {
        self.iam(ADMIN_KEY, ADMIN_SECRET)
    }

    /// POST JSON to a control endpoint of the launcher.
    pub fn control(&self, path: &str, body: &str) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
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
    }

    pub fn set_last_used(&self, key: &str, date: &str, service: &str, region: &str) {
        self.control(
            "/_rootkeys/last_used",
            &format!(r#"{{"access_key_id":"{key}","date":"{date}","service":"{service}","region":"{region}"}}"#),
        );
    }

    pub fn set_created(&self, key: &str, date: &str) {
        self.control(
            "/_rootkeys/created",
            &format!(r#"{{"access_key_id":"{key}","date":"{date}"}}"#),
        );
    }

    /// Count request lines in the server log.
    pub fn request_count(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"POST ") || l.contains("\"GET "))
            .count()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An access key pair. The secret is only ever handed to the SDK.
#[derive(Clone, Debug)]
pub struct Keys {
    pub id: String,
    pub secret: String,
}

pub async fn create_user_with_keys(moto: &Moto, user: &str, n: usize) -> Vec<Keys> {
    let admin = moto.admin();
    admin
        .create_user()
        .user_name(user)
        .send()
        .await
        .expect("create user");
    let mut out = Vec::new();
    for _ in 0..n {
        let key = admin
            .create_access_key()
            .user_name(user)
            .send()
            .await
            .expect("create key");
        let key = key.access_key().expect("key");
        out.push(Keys {
            id: key.access_key_id().to_owned(),
            secret: key.secret_access_key().to_owned(),
        });
    }
    out
}

/// Root's two keys: the first used yesterday by a script (s3, eu-west-1),
/// the second never used.
pub async fn seed_root(moto: &Moto) -> Vec<Keys> {
    let keys = create_user_with_keys(moto, ROOT_STANDIN, 2).await;
    let yesterday = (chrono::Utc::now() - chrono::TimeDelta::days(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    moto.set_last_used(&keys[0].id, &yesterday, "s3", "eu-west-1");
    moto.set_created(&keys[0].id, "2021-03-04T05:06:07Z");
    moto.set_created(&keys[1].id, "2019-01-02T03:04:05Z");
    keys
}

/// Root's keys plus a root *session* (temporary root credentials, as in
/// CloudShell): the session can remove every root key, its own access survives.
pub async fn root_and_session(moto: &Moto) -> (Vec<Keys>, Keys) {
    let keys = seed_root(moto).await;
    let session = create_user_with_keys(moto, "root-session", 1)
        .await
        .remove(0);
    (keys, session)
}

/// A fresh access key for the stand-in root user (root can hold two).
pub async fn create_root_key(moto: &Moto) -> Keys {
    let key = moto
        .admin()
        .create_access_key()
        .user_name(ROOT_STANDIN)
        .send()
        .await
        .expect("create a root key");
    let key = key.access_key().expect("key");
    Keys {
        id: key.access_key_id().to_owned(),
        secret: key.secret_access_key().to_owned(),
    }
}

/// Every root key the server holds, with its status, in the server's order.
pub async fn root_keys_live(moto: &Moto) -> Vec<(String, aws_sdk_iam::types::StatusType)> {
    moto.admin()
        .list_access_keys()
        .user_name(ROOT_STANDIN)
        .send()
        .await
        .expect("list")
        .access_key_metadata()
        .iter()
        .filter_map(|k| Some((k.access_key_id()?.to_owned(), k.status()?.clone())))
        .collect()
}

/// A root key's status as the server holds it; `None` once deleted.
pub async fn root_key_status(moto: &Moto, key: &str) -> Option<aws_sdk_iam::types::StatusType> {
    moto.admin()
        .list_access_keys()
        .user_name(ROOT_STANDIN)
        .send()
        .await
        .expect("list")
        .access_key_metadata()
        .iter()
        .find(|k| k.access_key_id() == Some(key))
        .and_then(|k| k.status().cloned())
}

/// The real binary, configured for the test server and an isolated state dir.
pub struct Rootkeys<'a> {
    pub moto: &'a Moto,
    pub state: tempfile::TempDir,
}

impl<'a> Rootkeys<'a> {
    pub fn new(moto: &'a Moto) -> Self {
        Self {
            moto,
            state: tempfile::tempdir().expect("state dir"),
        }
    }

    pub fn command(&self, keys: &Keys) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rootkeys"));
        isolate(&mut cmd, self.state.path());
        cmd.env("AWS_ENDPOINT_URL", self.moto.endpoint())
            .env("AWS_ACCESS_KEY_ID", &keys.id)
            .env("AWS_SECRET_ACCESS_KEY", &keys.secret)
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, keys: &Keys, args: &[&str]) -> Run {
        let started = Instant::now();
        let output = self
            .command(keys)
            .args(args)
            .output()
            .expect("run rootkeys");
        Run::new(&output, started.elapsed())
    }

    /// `run` with extra environment variables.
    pub fn run_env(&self, keys: &Keys, env: &[(&str, &str)], args: &[&str]) -> Run {
        let started = Instant::now();
        let output = self
            .command(keys)
            .envs(env.iter().copied())
            .args(args)
            .output()
            .expect("run rootkeys");
        Run::new(&output, started.elapsed())
    }

    /// `run` with rootkeys' clock moved forward by `offset` (`8d`): time
    /// passes without sleeping. Needs the `failpoints` feature.
    pub fn run_at(&self, keys: &Keys, offset: &str, args: &[&str]) -> Run {
        require_failpoints();
        self.run_env(keys, &[(rootkeys::failpoint::CLOCK_ENV, offset)], args)
    }

    /// The journal as rootkeys reads it.
    pub fn journal(&self) -> rootkeys::journal::Contents {
        rootkeys::journal::Journal::open(self.state.path(), ACCOUNT)
            .expect("journal")
            .read()
            .expect("read the journal")
    }

    pub fn journal_text(&self) -> String {
        std::fs::read_to_string(self.state.path().join(format!("journal-{ACCOUNT}.jsonl")))
            .unwrap_or_default()
    }
}

/// The environment `isolate` sets, as pairs (for the PTY runner).
pub fn isolated_env(state: &Path) -> Vec<(String, String)> {
    let mut cmd = Command::new("rootkeys");
    isolate(&mut cmd, state);
    env_pairs(&cmd)
}

fn env_pairs(cmd: &Command) -> Vec<(String, String)> {
    cmd.get_envs()
        .filter_map(|(k, v)| Some((k.to_str()?.to_owned(), v?.to_str()?.to_owned())))
        .collect()
}

/// Keep the binary away from the developer's AWS config and from any address but 127.0.0.1.
pub fn isolate(cmd: &mut Command, state: &Path) {
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT_URL",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_CONFIG_FILE", state.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            state.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("ROOTKEYS_STATE_DIR", state)
        .env("NO_COLOR", "1");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    pub fn new(output: &Output, elapsed: Duration) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            elapsed,
        }
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {self:?}"))
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Rootkeys<'_> {
    /// The environment `command` would set, as pairs (for the PTY runner).
    pub fn env(&self, keys: &Keys) -> Vec<(String, String)> {
        env_pairs(&self.command(keys))
    }
}
