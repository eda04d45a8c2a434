//! The trusted opening of the state directory and the files rootkeys keeps
//! in it: the directory is opened with `O_NOFOLLOW` (and created 0700, then
//! fsync'd with its parent), its files relative to that open directory with
//! `O_NOFOLLOW | O_NONBLOCK`, and every open is checked through its
//! descriptor: a regular file (or directory), owned by the current user,
//! not group- or world-writable. A refusal says what is wrong and the
//! `chmod`/`chown`/`rm` that fixes it.
//!
//! It knows nothing of records or locks, and imports nothing from the
//! interface, the commands or the account (`tui`, `commands`, `account`,
//! `ratatui`).

use std::path::Path;

use super::{JournalError, shown};

/// A path quoted for a shell command in a message.
fn quoted(path: &Path) -> String {
    format!("'{}'", shown(path).replace('\'', r"'\''"))
}

/// What a path under the state directory is, for checks and messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Dir,
    Journal,
    Lock,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Dir => "the state directory",
            Self::Journal => "the journal",
            Self::Lock => "the operation lock file",
        }
    }

    fn should_be(self) -> &'static str {
        match self {
            Self::Dir => "a directory",
            Self::Journal | Self::Lock => "a regular file",
        }
    }

    /// The mode rootkeys gives it.
    fn mode(self) -> u32 {
        match self {
            Self::Dir => 0o700,
            Self::Journal | Self::Lock => 0o600,
        }
    }
}

/// Make sure `dir` is a state directory rootkeys can trust: created 0700
/// (and fsync'd, with its parent) when missing; otherwise a real directory
/// (not a link) owned by the current user and not group- or world-writable.
/// The demo checks its state directory with this before making its own
/// directories in it.
pub fn prepare_state_dir(dir: &Path) -> Result<(), JournalError> {
    state_dir(dir).map(drop)
}

pub(super) fn state_dir(dir: &Path) -> Result<sys::Dir, JournalError> {
    sys::open_dir(dir, true)?.ok_or_else(|| JournalError::Io {
        path: dir.to_owned(),
        source: std::io::ErrorKind::NotFound.into(),
    })
}

/// The file-system layer: every open checks what it opened.
/// How a journal file is opened, on every platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    /// Read only; a missing file is `None`.
    Read,
    /// Read and append; created 0600 when missing.
    Append,
    /// Read and write (the operation lock); created 0600 when missing.
    Lock,
}

fn io(path: &Path, source: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_owned(),
        source,
    }
}

#[cfg(unix)]
pub(super) mod sys {
    use std::fs::{self, File};
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    use std::path::{Path, PathBuf};

    use rustix::fs::{Mode, OFlags};
    use rustix::io::Errno;

    pub(in crate::journal) use super::Access;
    use super::{Kind, io, quoted};
    use crate::journal::JournalError;

    /// An open state directory that passed the checks.
    #[derive(Debug)]
    pub(in crate::journal) struct Dir {
        file: File,
        path: PathBuf,
    }

    /// Open `path` as a directory without following a link; create it 0700
    /// when missing and `create`. `Ok(None)`: missing and not created.
    pub(in crate::journal) fn open_dir(
        path: &Path,
        create: bool,
    ) -> Result<Option<Dir>, JournalError> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = match rustix::fs::open(path, flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if create => return create_dir(path).map(Some),
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(refused(path, Kind::Dir, e)),
        };
        let file = File::from(fd);
        let meta = file.metadata().map_err(|e| io(path, e))?;
        check(&meta, path, Kind::Dir)?;
        Ok(Some(Dir {
            file,
            path: path.to_owned(),
        }))
    }

    /// Create the directory (and missing parents) 0700, then fsync it and
    /// its parent so the journal's home survives a crash.
    fn create_dir(path: &Path) -> Result<Dir, JournalError> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(|e| io(path, e))?;
        let dir =
            open_dir(path, false)?.ok_or_else(|| io(path, std::io::ErrorKind::NotFound.into()))?;
        dir.file
            .set_permissions(fs::Permissions::from_mode(0o700))
            .map_err(|e| io(path, e))?;
        dir.file.sync_all().map_err(|e| io(path, e))?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
            && let Ok(parent_dir) = File::open(parent)
        {
            parent_dir.sync_all().map_err(|e| io(parent, e))?;
        }
        Ok(dir)
    }

    /// Open `path` (a file directly in `dir`) without following a link and
    /// without blocking on a FIFO; refuse anything but a regular file that
    /// only the current user can write.
    pub(in crate::journal) fn open_in(
        dir: &Dir,
        path: &Path,
        kind: Kind,
        access: Access,
    ) -> Result<Option<File>, JournalError> {
        let Some(name) = path.file_name() else {
            return Err(io(path, std::io::ErrorKind::InvalidInput.into()));
        };
        let base = OFlags::NOFOLLOW
            | OFlags::NONBLOCK
            | OFlags::CLOEXEC
            | match access {
                Access::Read => OFlags::RDONLY,
                Access::Append => OFlags::RDWR | OFlags::APPEND,
                Access::Lock => OFlags::RDWR,
            };
        let open = |flags| rustix::fs::openat(&dir.file, name, flags, Mode::RUSR | Mode::WUSR);
        let mut created = false;
        let fd = match open(base) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if access != Access::Read => {
                match open(base | OFlags::CREATE | OFlags::EXCL) {
                    Ok(fd) => {
                        created = true;
                        fd
                    }
                    // Created meanwhile by another process: open what is there.
                    Err(Errno::EXIST) => open(base).map_err(|e| refused(path, kind, e))?,
                    Err(e) => return Err(refused(path, kind, e)),
                }
            }
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(refused(path, kind, e)),
        };
        let file = File::from(fd);
        let meta = file.metadata().map_err(|e| io(path, e))?;
        if !meta.is_file() {
            return Err(not_a_file(path, kind, meta.file_type()));
        }
        check(&meta, path, kind)?;
        if created {
            dir.file.sync_all().map_err(|e| io(&dir.path, e))?;
        }
        let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| io(path, e.into()))?;
        rustix::fs::fcntl_setfl(&file, flags.difference(OFlags::NONBLOCK))
            .map_err(|e| io(path, e.into()))?;
        Ok(Some(file))
    }

    /// Owned by the current user, not writable by group or others.
    fn check(meta: &fs::Metadata, path: &Path, kind: Kind) -> Result<(), JournalError> {
        let me = rustix::process::geteuid().as_raw();
        let owner = meta.uid();
        let mode = meta.mode() & 0o7777;
        let mut problems = Vec::new();
        let mut fixes = Vec::new();
        if owner != me {
            problems.push(format!(
                "{} is owned by uid {owner}, not by you (uid {me})",
                kind.name()
            ));
            let sudo = if me == 0 { "" } else { "sudo " };
            fixes.push(format!("{sudo}chown {me} {}", quoted(path)));
        }
        if mode & 0o022 != 0 {
            let who = if mode & 0o002 != 0 {
                "world-writable"
            } else {
                "group-writable"
            };
            problems.push(format!("{} is {who} (mode {mode:04o})", kind.name()));
            fixes.push(format!("chmod {:o} {}", kind.mode(), quoted(path)));
        }
        if problems.is_empty() {
            return Ok(());
        }
        let look = match kind {
            Kind::Dir => "what is in it",
            Kind::Journal | Kind::Lock => "its contents",
        };
        Err(JournalError::Untrusted {
            path: path.to_owned(),
            problem: problems.join(", and "),
            fix: format!(
                "check {look} (someone else may have changed it), then run `{}`",
                fixes.join(" && ")
            ),
        })
    }

    /// An open that failed: a link gets its own explanation.
    fn refused(path: &Path, kind: Kind, errno: Errno) -> JournalError {
        match fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => JournalError::Untrusted {
                path: path.to_owned(),
                problem: format!(
                    "{} is a symbolic link, not {}; rootkeys never follows a link there",
                    kind.name(),
                    kind.should_be()
                ),
                fix: match kind {
                    Kind::Dir => format!(
                        "look at where it points (`ls -l {q}`), then pass the real directory \
                         with --state-dir, or replace the link with a directory of your own",
                        q = quoted(path)
                    ),
                    Kind::Journal | Kind::Lock => format!(
                        "look at where it points (`ls -l {q}`), then remove the link \
                         (`rm {q}`)",
                        q = quoted(path)
                    ),
                },
            },
            Ok(meta) if kind == Kind::Dir && !meta.is_dir() => {
                not_a_file(path, kind, meta.file_type())
            }
            _ => io(path, errno.into()),
        }
    }

    fn not_a_file(path: &Path, kind: Kind, file_type: fs::FileType) -> JournalError {
        use std::os::unix::fs::FileTypeExt;
        let what = if file_type.is_fifo() {
            "a FIFO (named pipe)"
        } else if file_type.is_socket() {
            "a socket"
        } else if file_type.is_char_device() || file_type.is_block_device() {
            "a device"
        } else if file_type.is_dir() {
            "a directory"
        } else {
            "not a regular file"
        };
        let problem = match kind {
            Kind::Dir => format!("{} is {what}, not a directory", kind.name()),
            Kind::Journal | Kind::Lock => format!("{} is {what}, not a regular file", kind.name()),
        };
        JournalError::Untrusted {
            path: path.to_owned(),
            problem,
            fix: match kind {
                Kind::Dir => "pass a directory of your own with --state-dir".to_owned(),
                Kind::Journal | Kind::Lock => format!(
                    "look at it (`ls -l {q}`), then remove it (`rm {q}`)",
                    q = quoted(path)
                ),
            },
        }
    }
}

/// The file-system layer where POSIX ownership and `O_NOFOLLOW` are not
/// available: plain opens, regular files only.
#[cfg(not(unix))]
pub(super) mod sys {
    use std::fs::{self, File, OpenOptions};
    use std::path::{Path, PathBuf};

    pub(in crate::journal) use super::Access;
    use super::{Kind, io};
    use crate::journal::JournalError;

    #[derive(Debug)]
    pub(in crate::journal) struct Dir {
        #[allow(dead_code)]
        path: PathBuf,
    }

    pub(in crate::journal) fn open_dir(
        path: &Path,
        create: bool,
    ) -> Result<Option<Dir>, JournalError> {
        if !path.exists() {
            if !create {
                return Ok(None);
            }
            fs::create_dir_all(path).map_err(|e| io(path, e))?;
        }
        Ok(Some(Dir {
            path: path.to_owned(),
        }))
    }

    pub(in crate::journal) fn open_in(
        _dir: &Dir,
        path: &Path,
        _kind: Kind,
        access: Access,
    ) -> Result<Option<File>, JournalError> {
        let mut options = OpenOptions::new();
        match access {
            Access::Read => options.read(true),
            Access::Append => options.read(true).append(true).create(true),
            Access::Lock => options.read(true).write(true).create(true),
        };
        let file = match options.open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(path, e)),
        };
        if !file.metadata().map_err(|e| io(path, e))?.is_file() {
            return Err(io(path, std::io::Error::other("not a regular file")));
        }
        Ok(Some(file))
    }
}
