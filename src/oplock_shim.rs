//! Temporary operation lock until the journal provides its own.
#![allow(dead_code, clippy::missing_errors_doc)]

use std::fs::{File, OpenOptions};
use std::time::{Duration, Instant};

use crate::journal::{Journal, JournalError};

pub struct OperationLock(File);

pub trait OpLockExt {
    fn lock_operation(&self, purpose: &str, wait: Duration) -> Result<OperationLock, JournalError>;
    fn try_lock_operation(&self, purpose: &str) -> Result<Option<OperationLock>, JournalError>;
    fn operation_holder(&self) -> Option<String>;
}

fn open(j: &Journal) -> Result<File, JournalError> {
    let path = j.path().with_extension("lock");
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|source| JournalError::Io { path, source })
}

impl OpLockExt for Journal {
    fn lock_operation(&self, purpose: &str, wait: Duration) -> Result<OperationLock, JournalError> {
        let started = Instant::now();
        loop {
            if let Some(lock) = self.try_lock_operation(purpose)? {
                return Ok(lock);
            }
            if started.elapsed() > wait {
                return Err(JournalError::Io {
                    path: self.path().to_owned(),
                    source: std::io::Error::other("another rootkeys operation holds the lock"),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    fn try_lock_operation(&self, _purpose: &str) -> Result<Option<OperationLock>, JournalError> {
        let file = open(self)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(OperationLock(file))),
            Err(_) => Ok(None),
        }
    }
    fn operation_holder(&self) -> Option<String> {
        None
    }
}
