//! The journal: one append-only JSON Lines file per account under the state
//! directory (directory 0700, file 0600). Every record is written under an
//! exclusive file lock, flushed and fsync'd. Nothing is ever rewritten or
//! dropped: a damaged line is reported with its number and kept.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
#[cfg(unix)]
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::record::{Act, Phase, Record, Result as RecordResult};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "account ID {0:?} is not a 12-digit AWS account ID; refusing to name a journal after it"
    )]
    BadAccount(String),
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
        self.records
            .iter()
            .map(|(_, r)| r)
            .filter(|r| r.phase == Phase::Intent)
            .filter(|intent| {
                !self.records.iter().any(|(_, r)| {
                    r.op == intent.op
                        && (r.phase == Phase::Reconciled
                            || (r.phase == Phase::Outcome
                                && !matches!(r.result, Some(RecordResult::Unknown { .. }))))
                })
            })
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Journal {
    path: PathBuf,
    account: String,
}

impl Journal {
    /// The journal of `account` under `state_dir`, creating the directory
    /// (0700) when needed. The file itself is created on first write.
    pub fn open(state_dir: &Path, account: &str) -> Result<Self, JournalError> {
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(JournalError::BadAccount(account.to_owned()));
        }
        create_private_dir(state_dir)?;
        Ok(Self {
            path: state_dir.join(format!("journal-{account}.jsonl")),
            account: account.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn account(&self) -> &str {
        &self.account
    }

    fn io(&self, source: std::io::Error) -> JournalError {
        JournalError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// A journal must be a plain file (not a device, FIFO or directory).
    fn regular(&self, file: &File) -> Result<(), JournalError> {
        let meta = file.metadata().map_err(|e| self.io(e))?;
        if meta.is_file() {
            Ok(())
        } else {
            Err(self.io(std::io::Error::other("not a regular file")))
        }
    }

    /// Read the whole file under a shared lock. A missing file is empty.
    pub fn read(&self) -> Result<Contents, JournalError> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Contents::default()),
            Err(e) => return Err(self.io(e)),
        };
        self.regular(&file)?;
        file.lock_shared().map_err(|e| self.io(e))?;
        let mut bytes = Vec::new();
        let read = file.read_to_end(&mut bytes);
        let _ = file.unlock();
        read.map_err(|e| self.io(e))?;
        Ok(parse(&bytes, &self.account))
    }

    /// Append one record: exclusive lock, one line, flush, fsync. A file
    /// whose last line was cut short gets a newline first so the damaged
    /// line stays whole and separate.
    pub fn append(&self, record: &Record) -> Result<(), JournalError> {
        let mut line = serde_json::to_vec(record).map_err(|e| self.io(e.into()))?;
        line.push(b'\n');
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&self.path).map_err(|e| self.io(e))?;
        self.regular(&file)?;
        file.lock().map_err(|e| self.io(e))?;
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
pub fn outcome_of(intent: &Record, time: DateTime<Utc>, result: RecordResult) -> Record {
    Record {
        time,
        phase: Phase::Outcome,
        result: Some(result),
        note: None,
        ..intent.clone()
    }
}

fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    let io = |source| JournalError::Io {
        path: dir.to_owned(),
        source,
    };
    if !dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(io)?;
        #[cfg(unix)]
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

/// Split into lines and parse each; nothing is dropped.
pub fn parse(bytes: &[u8], account: &str) -> Contents {
    let mut contents = Contents::default();
    let text = String::from_utf8_lossy(bytes);
    for (index, line) in text.split('\n').enumerate() {
        let number = index + 1;
        let is_last = index + 1 == text.split('\n').count();
        if is_last && line.is_empty() {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
            RecordResult::Unknown {
                code: "Unreachable".to_owned(),
            },
        );
        journal.append(&unknown).expect("append");
        let failed = sample(&journal, "failed", Phase::Intent);
        journal.append(&failed).expect("append");
        let err = outcome_of(
            &failed,
            Utc::now(),
            RecordResult::Error {
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

    proptest! {
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
