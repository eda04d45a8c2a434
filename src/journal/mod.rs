//! The journal: one append-only JSON Lines file per account under the state
//! directory (directory 0700, file 0600). Every record is written under an
//! exclusive file lock, flushed and fsync'd. Nothing is ever rewritten or
//! dropped: a damaged line is reported with its number and kept.
//!
//! The journal decides what may be deleted, so it is trusted only where no
//! one else can write it: the state directory and the files rootkeys keeps
//! in it must be owned by the current user and not group- or world-writable,
//! and none of them is followed through a symbolic link (the directory is
//! opened with `O_NOFOLLOW`, its files relative to that open directory, also
//! with `O_NOFOLLOW`). A FIFO or a device at a journal's path is refused
//! without blocking: it is opened `O_NONBLOCK` and checked through the open
//! descriptor. No lock is waited for without bound.
//!
//! Next to each journal, `journal-<account>.lock` is the account's operation
//! lock: one write at a time, held from planning to the outcome, with a note
//! of who holds it for the messages of those who wait.
//!
//! This module holds the journal itself: [`Journal`], its records and what
//! is read back ([`Contents`], [`Entry`], [`Damaged`], [`parse`],
//! [`entries`]). The trusted opening of the state directory and its files
//! is in `fs`, the operation lock and the bounded lock waits in `lock`.
//! The journal never imports the interface, the commands or the account
//! (`tui`, `commands`, `account`, `ratatui`): they use it, not the other
//! way round.

mod fs;
mod lock;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::record::{Act, Outcome, Phase, Record};
use crate::text;

use fs::{Kind, state_dir, sys};

pub use fs::prepare_state_dir;
pub use lock::{LOCK_WAIT, OperationLock};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {}: {source}", shown(.path))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "account ID {0:?} is not a 12-digit AWS account ID; refusing to name a journal after it"
    )]
    BadAccount(String),
    /// The state directory or a file in it could have been written or
    /// replaced by someone else: nothing is read from or written to it.
    #[error(
        "refusing {}: {problem}. rootkeys trusts a journal only as a regular file, in a directory, \
         that no one else can write or replace. To fix: {fix}",
        shown(.path)
    )]
    Untrusted {
        path: PathBuf,
        problem: String,
        /// The commands that make it trustworthy again.
        fix: String,
    },
    /// A lock held by another rootkeys process (or another operation of
    /// this one) for longer than rootkeys waits.
    #[error(
        "{} is held by another rootkeys process ({}); gave up after {}. Let it finish (or stop \
         it) and try again",
        shown(.path),
        .holder.as_deref().unwrap_or("it has not said what it is doing"),
        humantime::format_duration(*.waited)
    )]
    Busy {
        path: PathBuf,
        /// What the holder wrote into the operation lock, if anything.
        holder: Option<String>,
        waited: Duration,
    },
    #[error(
        "no state directory for the journal: neither XDG_STATE_HOME nor HOME gives one, and \
         rootkeys does not keep its journal in the shared temporary directory. Pass \
         --state-dir DIR or set ROOTKEYS_STATE_DIR to a directory of your own"
    )]
    NoStateDir,
}

/// A path as shown in a message: control characters escaped.
fn shown(path: &Path) -> String {
    text::sanitize(&path.display().to_string()).into_owned()
}

/// A line that is not a valid record: kept in the file, reported here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Damaged {
    pub line: usize,
    pub reason: String,
    /// The first characters of the line, for the operator.
    pub preview: String,
}

/// Everything read from a journal file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contents {
    /// This account's records with their line numbers, oldest first.
    pub records: Vec<(usize, Record)>,
    /// Valid records that belong to another account (kept, not used).
    pub foreign: Vec<(usize, Record)>,
    pub damaged: Vec<Damaged>,
    /// Lines in the file, blank ones included.
    pub lines: usize,
}

impl Contents {
    pub fn records(&self) -> Vec<Record> {
        self.records.iter().map(|(_, r)| r.clone()).collect()
    }

    /// Intents with neither a known outcome nor a reconciliation.
    pub fn open_intents(&self) -> Vec<&Record> {
        let settled: std::collections::HashSet<&str> = self
            .records
            .iter()
            .map(|(_, r)| r)
            .filter(|r| {
                r.phase == Phase::Reconciled
                    || (r.phase == Phase::Outcome
                        && !matches!(r.result, Some(Outcome::Unknown { .. })))
            })
            .map(|r| r.op.as_str())
            .collect();
        self.records
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.phase == Phase::Intent && !settled.contains(r.op.as_str()))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    path: PathBuf,
    account: String,
    lock_wait: Duration,
}

impl Journal {
    /// The journal of `account` under `state_dir`, creating the directory
    /// (0700, fsync'd) when needed and refusing one that others could
    /// write. The file itself is created on first write.
    pub fn open(state_dir: &Path, account: &str) -> Result<Self, JournalError> {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(JournalError::BadAccount(account.to_owned()));
        }
        prepare_state_dir(state_dir)?;
        Ok(Self {
            dir: state_dir.to_owned(),
            path: state_dir.join(journal_name(account)),
            account: account.to_owned(),
            lock_wait: LOCK_WAIT,
        })
    }

    /// Wait at most `wait` for the journal's own lock (default
    /// [`LOCK_WAIT`]).
    #[must_use]
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    /// The operation lock file, next to the journal.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join(lock_name(&self.account))
    }

    fn io(&self, source: std::io::Error) -> JournalError {
        JournalError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Read the whole file under a shared lock. A missing file is empty.
    pub fn read(&self) -> Result<Contents, JournalError> {
        Ok(parse(&self.read_bytes()?, &self.account))
    }

    /// The file's bytes, read under a shared lock (waited for at most the
    /// lock wait). A missing file is empty. Parse them with [`entries`] to
    /// go through the lines one at a time.
    pub fn read_bytes(&self) -> Result<Vec<u8>, JournalError> {
        let Some(dir) = sys::open_dir(&self.dir, false)? else {
            return Ok(Vec::new());
        };
        let Some(mut file) = sys::open_in(&dir, &self.path, Kind::Journal, sys::Access::Read)?
        else {
            return Ok(Vec::new());
        };
        self.wait_for_lock(&file, true)?;
        let mut bytes = Vec::new();
        let read = file.read_to_end(&mut bytes);
        let _ = file.unlock();
        read.map_err(|e| self.io(e))?;
        Ok(bytes)
    }

    /// Append one record: exclusive lock, one line, flush, fsync. A file
    /// whose last line was cut short gets a newline first so the damaged
    /// line stays whole and separate. A new file is created 0600 and the
    /// directory fsync'd.
    pub fn append(&self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| self.io(e.into()))?;
        line.push(b'\n');
        let dir = state_dir(&self.dir)?;
        let Some(mut file) = sys::open_in(&dir, &self.path, Kind::Journal, sys::Access::Append)?
        else {
            return Err(self.io(std::io::ErrorKind::NotFound.into()));
        };
        self.wait_for_lock(&file, false)?;
        let result = (|| {
            let len = file.metadata()?.len();
            if len > 0 {
                let mut last = [0u8; 1];
                file.seek(SeekFrom::Start(len - 1))?;
                file.read_exact(&mut last)?;
                if last[0] != b'\n' {
                    line.insert(0, b'\n');
                }
            }
            file.write_all(&line)?;
            file.flush()?;
            file.sync_all()
        })();
        let _ = file.unlock();
        result.map_err(|e| self.io(e))
    }

    /// A new record of this account, stamped with the version.
    pub fn record(
        &self,
        time: DateTime<Utc>,
        caller: &str,
        key: &str,
        action: Act,
        phase: Phase,
        op: &str,
    ) -> Record {
        Record {
            time,
            account: self.account.clone(),
            caller: caller.to_owned(),
            key: key.to_owned(),
            action,
            phase,
            op: op.to_owned(),
            result: None,
            forced: false,
            window_secs: None,
            note: None,
            version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }
}

fn journal_name(account: &str) -> String {
    format!("journal-{account}.jsonl")
}

fn lock_name(account: &str) -> String {
    format!("journal-{account}.lock")
}

/// A fresh operation ID: time, process and a counter; unique per writer.
pub fn new_op_id(now: DateTime<Utc>) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}-{}",
        now.timestamp_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The outcome record for an intent.
pub fn outcome_of(intent: &Record, time: DateTime<Utc>, result: Outcome) -> Record {
    Record {
        time,
        phase: Phase::Outcome,
        result: Some(result),
        note: None,
        ..intent.clone()
    }
}

/// One line of a journal file, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A record of this account, with its line number.
    Record(usize, Record),
    /// A valid record of another account (kept, not used).
    Foreign(usize, Record),
    Damaged(Damaged),
    Blank(usize),
}

impl Entry {
    pub fn line(&self) -> usize {
        match self {
            Self::Record(n, _) | Self::Foreign(n, _) | Self::Blank(n) => *n,
            Self::Damaged(d) => d.line,
        }
    }
}

/// The lines of a journal file, parsed one at a time in file order (a
/// final newline ends the last line; it does not start another). Each line
/// costs time in proportion to its own length only.
pub fn entries<'a>(bytes: &'a [u8], account: &'a str) -> impl Iterator<Item = Entry> + 'a {
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let lines = (!bytes.is_empty()).then(|| body.split(|b| *b == b'\n'));
    lines
        .into_iter()
        .flatten()
        .enumerate()
        .map(move |(index, raw)| classify(index + 1, raw, account))
}

fn classify(number: usize, raw: &[u8], account: &str) -> Entry {
    let line = String::from_utf8_lossy(raw);
    let trimmed = line.trim_end_matches('\r');
    if trimmed.trim().is_empty() {
        return Entry::Blank(number);
    }
    match serde_json::from_str::<Record>(trimmed) {
        Ok(record) if record.account == account => Entry::Record(number, record),
        Ok(record) => Entry::Foreign(number, record),
        Err(e) => Entry::Damaged(Damaged {
            line: number,
            reason: e.to_string(),
            preview: trimmed.chars().take(60).collect(),
        }),
    }
}

/// Split into lines and parse each; nothing is dropped. Linear in the size
/// of the file.
pub fn parse(bytes: &[u8], account: &str) -> Contents {
    let mut contents = Contents::default();
    for entry in entries(bytes, account) {
        contents.lines = entry.line();
        match entry {
            Entry::Record(n, r) => contents.records.push((n, r)),
            Entry::Foreign(n, r) => contents.foreign.push((n, r)),
            Entry::Damaged(d) => contents.damaged.push(d),
            Entry::Blank(_) => {}
        }
    }
    contents
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;

    const ACCOUNT: &str = "123456789012";

    fn sample(journal: &Journal, op: &str, phase: Phase) -> Record {
        journal.record(
            Utc::now(),
            "arn:aws:iam::123456789012:root",
            "AKIAEXAMPLE1",
            Act::Deactivate,
            phase,
            op,
        )
    }

    #[test]
    fn append_then_read_keeps_order_and_permissions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let state = dir.path().join("state");
        let journal = Journal::open(&state, ACCOUNT).expect("open");
        journal
            .append(&sample(&journal, "a", Phase::Intent))
            .expect("append");
        journal
            .append(&sample(&journal, "a", Phase::Outcome))
            .expect("append");
        let read = journal.read().expect("read");
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.records[0].0, 1);
        assert_eq!(read.records[1].1.phase, Phase::Outcome);
        #[cfg(unix)]
        {
            let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
            assert_eq!(mode(&state), 0o700);
            assert_eq!(mode(journal.path()), 0o600);
        }
    }

    #[test]
    fn damaged_truncated_and_foreign_lines_are_kept_and_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let good = serde_json::to_string(&sample(&journal, "a", Phase::Intent)).expect("json");
        let mut foreign = sample(&journal, "b", Phase::Intent);
        foreign.account = "999999999999".to_owned();
        let foreign = serde_json::to_string(&foreign).expect("json");
        let truncated = &good[..good.len() / 2];
        let text = format!("{good}\nnot json at all\n\n{foreign}\n{truncated}");
        fs::write(journal.path(), &text).expect("write");

        let read = journal.read().expect("read");
        assert_eq!(read.records.len(), 1);
        assert_eq!(read.foreign.len(), 1);
        assert_eq!(read.foreign[0].0, 4);
        let lines: Vec<usize> = read.damaged.iter().map(|d| d.line).collect();
        assert_eq!(lines, vec![2, 5]);

        // Appending after a truncated last line keeps it whole.
        journal
            .append(&sample(&journal, "c", Phase::Outcome))
            .expect("append");
        let after = fs::read_to_string(journal.path()).expect("read back");
        assert!(
            after.starts_with(&text),
            "nothing before the append changed"
        );
        let read = journal.read().expect("read");
        assert_eq!(read.records.len(), 2);
        assert_eq!(read.damaged.len(), 2);
        assert_eq!(read.records[1].0, 6);
    }

    #[test]
    fn open_intents_are_those_without_outcome() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        journal
            .append(&sample(&journal, "done", Phase::Intent))
            .expect("append");
        journal
            .append(&sample(&journal, "done", Phase::Outcome))
            .expect("append");
        journal
            .append(&sample(&journal, "open", Phase::Intent))
            .expect("append");
        let read = journal.read().expect("read");
        let open: Vec<&str> = read.open_intents().iter().map(|r| r.op.as_str()).collect();
        assert_eq!(open, vec!["open"]);
    }

    #[test]
    fn an_unknown_outcome_leaves_the_intent_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let intent = sample(&journal, "lost", Phase::Intent);
        journal.append(&intent).expect("append");
        let unknown = outcome_of(
            &intent,
            Utc::now(),
            Outcome::Unknown {
                code: "Unreachable".to_owned(),
            },
        );
        journal.append(&unknown).expect("append");
        let failed = sample(&journal, "failed", Phase::Intent);
        journal.append(&failed).expect("append");
        let err = outcome_of(
            &failed,
            Utc::now(),
            Outcome::Error {
                code: "AccessDenied".to_owned(),
            },
        );
        journal.append(&err).expect("append");
        let read = journal.read().expect("read");
        let open: Vec<&str> = read.open_intents().iter().map(|r| r.op.as_str()).collect();
        assert_eq!(open, vec!["lost"]);
    }

    #[test]
    fn refuses_odd_account_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Journal::open(dir.path(), "../../etc").is_err());
        assert!(Journal::open(dir.path(), "12345").is_err());
    }

    #[test]
    fn concurrent_writers_never_interleave() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let j = journal.clone();
                std::thread::spawn(move || {
                    for i in 0..50 {
                        let mut r = sample(&j, &format!("{t}-{i}"), Phase::Intent);
                        r.note = Some("x".repeat(2000));
                        j.append(&r).expect("append");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        let read = journal.read().expect("read");
        assert_eq!(read.records.len(), 400);
        assert!(read.damaged.is_empty());
    }

    /// The parser as it was before it was made linear (it counted every
    /// line again for each line): the reference for what `parse` returns.
    fn quadratic_parse(bytes: &[u8], account: &str) -> Contents {
        let mut contents = Contents::default();
        let text = String::from_utf8_lossy(bytes);
        for (index, line) in text.split('\n').enumerate() {
            let number = index + 1;
            if index + 1 == text.split('\n').count() && line.is_empty() {
                break;
            }
            contents.lines = number;
            let trimmed = line.trim_end_matches('\r');
            if trimmed.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Record>(trimmed) {
                Ok(record) if record.account == account => contents.records.push((number, record)),
                Ok(record) => contents.foreign.push((number, record)),
                Err(e) => contents.damaged.push(Damaged {
                    line: number,
                    reason: e.to_string(),
                    preview: trimmed.chars().take(60).collect(),
                }),
            }
        }
        contents
    }

    #[test]
    fn parse_agrees_with_the_line_by_line_reference() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let good = serde_json::to_string(&sample(&journal, "a", Phase::Intent)).expect("json");
        let mut other = sample(&journal, "b", Phase::Intent);
        other.account = "999999999999".to_owned();
        let other = serde_json::to_string(&other).expect("json");
        for text in [
            String::new(),
            "\n".to_owned(),
            "\n\n".to_owned(),
            good.clone(),
            format!("{good}\n"),
            format!("{good}\r\n\r\n{other}\n\nbroken \u{e9}\n"),
            format!("\n{good}\n{}", &good[..10]),
        ] {
            assert_eq!(
                parse(text.as_bytes(), ACCOUNT),
                quadratic_parse(text.as_bytes(), ACCOUNT),
                "{text:?}"
            );
        }
        // Invalid UTF-8 next to a newline is replaced the same way.
        let bytes = [&good.as_bytes()[..5], b"\xff\n\xe2\x82\n", good.as_bytes()].concat();
        assert_eq!(parse(&bytes, ACCOUNT), quadratic_parse(&bytes, ACCOUNT));
    }

    #[test]
    fn entries_are_produced_one_line_at_a_time() {
        // The first line comes out without the rest being looked at: a
        // streaming reader never holds more than the line it shows.
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let good = serde_json::to_string(&sample(&journal, "a", Phase::Intent)).expect("json");
        let text = format!("{good}\n{}", "x\n".repeat(100_000));
        let mut it = entries(text.as_bytes(), ACCOUNT);
        assert!(matches!(it.next(), Some(Entry::Record(1, _))));
        assert!(matches!(
            it.next(),
            Some(Entry::Damaged(Damaged { line: 2, .. }))
        ));
        assert_eq!(it.last().map(|e| e.line()), Some(100_001));
    }

    #[test]
    fn open_intents_match_outcomes_by_operation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let journal = Journal::open(dir.path(), ACCOUNT).expect("open");
        let mut contents = Contents::default();
        for i in 0..2000 {
            let op = format!("op-{i}");
            contents
                .records
                .push((0, sample(&journal, &op, Phase::Intent)));
            if i % 3 != 0 {
                contents
                    .records
                    .push((0, sample(&journal, &op, Phase::Outcome)));
            }
        }
        let open = contents.open_intents();
        assert_eq!(open.len(), 667);
        assert!(
            open.iter()
                .all(|r| r.op.trim_start_matches("op-").parse::<u32>().expect("n") % 3 == 0)
        );
    }

    proptest! {
        #[test]
        fn parse_matches_the_reference_on_any_lines(lines in proptest::collection::vec("[ -~\r]{0,12}|\\{\"[a-z]{1,4}\":1\\}", 0..20), last_newline in any::<bool>()) {
            let mut text = lines.join("\n");
            if last_newline {
                text.push('\n');
            }
            prop_assert_eq!(parse(text.as_bytes(), ACCOUNT), quadratic_parse(text.as_bytes(), ACCOUNT));
        }

        #[test]
        fn any_bytes_parse_without_panic_and_keep_every_line(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let c = parse(&bytes, ACCOUNT);
            let nonblank = String::from_utf8_lossy(&bytes)
                .split('\n')
                .filter(|l| !l.trim_end_matches('\r').trim().is_empty())
                .count();
            prop_assert_eq!(c.records.len() + c.foreign.len() + c.damaged.len(), nonblank);
            for d in &c.damaged {
                prop_assert!(d.line >= 1 && d.line <= c.lines);
            }
        }
    }
}
