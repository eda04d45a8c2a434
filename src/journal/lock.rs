//! The per-account operation lock (`journal-<account>.lock`, held from
//! planning to the outcome of one write, with a note of who holds it) and
//! the bounded waits for it and for the journal's own file lock: no lock is
//! waited for without bound, and a wait that gives up names the holder.
//!
//! It opens its files only through `super::fs`, and imports nothing from
//! the interface, the commands or the account (`tui`, `commands`,
//! `account`, `ratatui`).

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;

use super::fs::{Kind, state_dir, sys};
use super::{Journal, JournalError};
use crate::text;

/// How long a journal lock held by another process is waited for.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);
/// Between two attempts at a lock that is held.
const LOCK_POLL: Duration = Duration::from_millis(20);
/// The most of a lock file's holder note that is read.
const HOLDER_MAX_BYTES: u64 = 1024;

impl Journal {
    /// Take the journal's own lock, polling for at most the lock wait; then
    /// fail naming the holder when known.
    pub(super) fn wait_for_lock(&self, file: &File, shared: bool) -> Result<(), JournalError> {
        let started = Instant::now();
        loop {
            let attempt = if shared {
                file.try_lock_shared()
            } else {
                file.try_lock()
            };
            match attempt {
                Ok(()) => return Ok(()),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(self.io(e)),
            }
            let waited = started.elapsed();
            if waited >= self.lock_wait {
                return Err(JournalError::Busy {
                    path: self.path.clone(),
                    holder: self.operation_holder(),
                    waited: self.lock_wait,
                });
            }
            std::thread::sleep(LOCK_POLL.min(self.lock_wait.saturating_sub(waited)));
        }
    }

    /// Exclusive per-account operation lock (a file `journal-<account>.lock`
    /// next to the journal, same safety checks: `O_NOFOLLOW`, regular file,
    /// owner, mode 0600), held from planning to the outcome of one write.
    /// Waits up to `wait`, then fails with [`JournalError::Busy`] naming the
    /// holder (pid, what it does, since when: written into the lock file by
    /// the holder).
    pub fn lock_operation(
        &self,
        purpose: &str,
        wait: Duration,
    ) -> Result<OperationLock, JournalError> {
        let started = Instant::now();
        let mut file = self.open_lock_file()?;
        loop {
            match file.try_lock() {
                Ok(()) => return self.hold(file, purpose),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(self.lock_io(e)),
            }
            let waited = started.elapsed();
            if waited >= wait {
                return Err(JournalError::Busy {
                    path: self.lock_path(),
                    holder: self.operation_holder(),
                    waited: wait,
                });
            }
            std::thread::sleep(LOCK_POLL.min(wait.saturating_sub(waited)));
            // The file may have been replaced while waiting: open it afresh.
            file = self.open_lock_file()?;
        }
    }

    /// Without waiting: `Ok(Some(lock))` when free, `Ok(None)` when another
    /// operation (another process, or another open of the lock in this
    /// process) holds it.
    pub fn try_lock_operation(&self, purpose: &str) -> Result<Option<OperationLock>, JournalError> {
        let file = self.open_lock_file()?;
        match file.try_lock() {
            Ok(()) => self.hold(file, purpose).map(Some),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(self.lock_io(e)),
        }
    }

    /// Who holds the operation lock now, if anyone (for messages like
    /// "deactivate of AKIA… by pid 1234 since 2026-11-25 12:00:01 UTC"),
    /// made safe to show.
    pub fn operation_holder(&self) -> Option<String> {
        let dir = sys::open_dir(&self.dir, false).ok()??;
        let file = sys::open_in(&dir, &self.lock_path(), Kind::Lock, sys::Access::Read).ok()??;
        // A shared lock granted means no one holds the exclusive one.
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
                return None;
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(_)) => return None,
        }
        let mut note = Vec::new();
        let _ = (&file).take(HOLDER_MAX_BYTES).read_to_end(&mut note);
        let note = String::from_utf8_lossy(&note);
        let note = note.trim();
        Some(if note.is_empty() {
            "another rootkeys operation, which has not said what it is doing yet".to_owned()
        } else {
            text::foreign(&text::one_line(note))
        })
    }

    fn open_lock_file(&self) -> Result<File, JournalError> {
        let dir = state_dir(&self.dir)?;
        sys::open_in(&dir, &self.lock_path(), Kind::Lock, sys::Access::Lock)?
            .ok_or_else(|| self.lock_io(std::io::ErrorKind::NotFound.into()))
    }

    fn lock_io(&self, source: std::io::Error) -> JournalError {
        JournalError::Io {
            path: self.lock_path(),
            source,
        }
    }

    /// The lock is ours: say who holds it, for those who wait.
    fn hold(&self, mut file: File, purpose: &str) -> Result<OperationLock, JournalError> {
        let note = format!(
            "{purpose} by pid {} since {}\n",
            std::process::id(),
            Utc::now().format("%Y-%m-%d %H:%M:%S UTC")
        );
        let written = (|| {
            file.set_len(0)?;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(note.as_bytes())?;
            file.flush()
        })();
        let lock = OperationLock {
            file,
            path: self.lock_path(),
        };
        written.map_err(|e| self.lock_io(e))?;
        Ok(lock)
    }
}

/// The per-account operation lock, held from planning to the outcome of one
/// write. Released on drop, and by the kernel when the process dies.
#[derive(Debug)]
pub struct OperationLock {
    file: File,
    path: PathBuf,
}

impl OperationLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for OperationLock {
    fn drop(&mut self) {
        // Clear the holder note while still holding the lock, so the next
        // holder's note is never cut.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}
