//! Drive the real binary in a pseudo-terminal and read the screen as a
//! person would see it (portable-pty + vt100).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// One read of the program's output and when it arrived.
type Chunk = (Duration, Vec<u8>);

pub struct Pty {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// What the program wrote, in the chunks it arrived in, with the time
    /// since the start: an asciicast's output events.
    chunks: Arc<Mutex<Vec<Chunk>>>,
    size: (u16, u16),
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Pty {
    /// Spawn `args` with `env` in a `cols`x`rows` terminal; the environment
    /// is cleared but for PATH/HOME/TERM and what `env` sets.
    pub fn spawn(args: &[&str], env: &[(String, String)], cols: u16, rows: u16) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_rootkeys"));
        cmd.args(args);
        cmd.env_clear();
        for var in ["PATH", "HOME"] {
            if let Ok(v) = std::env::var(var) {
                cmd.env(var, v);
            }
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn in pty");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(rows).expect("rows"),
            NonZeroU16::new(cols).expect("cols"),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let chunks = Arc::new(Mutex::new(Vec::new()));
        let (p, r, c) = (Arc::clone(&parser), Arc::clone(&raw), Arc::clone(&chunks));
        let started = Instant::now();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut parser) = p.lock() {
                    parser.process(&buf[..n]);
                }
                if let Ok(mut raw) = r.lock() {
                    raw.extend_from_slice(&buf[..n]);
                }
                if let Ok(mut chunks) = c.lock() {
                    chunks.push((started.elapsed(), buf[..n].to_vec()));
                }
            }
        });
        Self {
            child,
            writer,
            parser,
            raw,
            chunks,
            size: (cols, rows),
            master: pair.master,
        }
    }

    pub fn screen(&self) -> String {
        self.parser
            .lock()
            .map(|p| p.screen().contents())
            .unwrap_or_default()
    }

    /// Everything the program wrote, escapes included.
    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Everything the program wrote so far as an asciicast (v2): a header
    /// line, then one `[seconds, "o", text]` event per chunk. A chunk that
    /// ends inside a UTF-8 sequence carries the rest over to the next one.
    pub fn cast(&self, title: &str) -> String {
        let chunks = self.chunks.lock().map(|c| c.clone()).unwrap_or_default();
        let header = serde_json::json!({
            "version": 2,
            "width": self.size.0,
            "height": self.size.1,
            "title": title,
            "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
        });
        let mut out = format!("{header}\n");
        let mut pending: Vec<u8> = Vec::new();
        for (at, bytes) in chunks {
            pending.extend_from_slice(&bytes);
            let valid = match std::str::from_utf8(&pending) {
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                _ => pending.len(),
            };
            if valid == 0 {
                continue;
            }
            let text = String::from_utf8_lossy(&pending[..valid]).into_owned();
            pending.drain(..valid);
            let event =
                serde_json::json!([(at.as_secs_f64() * 1000.0).round() / 1000.0, "o", text]);
            out.push_str(&format!("{event}\n"));
        }
        out
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        self.writer.flush().expect("flush pty");
    }

    /// Wait until the screen contains `needle`, or fail with the screen.
    pub fn wait_for(&self, needle: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.screen().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "timed out waiting for {needle:?}; screen:\n{}",
            self.screen()
        );
    }

    /// Wait for the process to exit; its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("process did not exit; screen:\n{}", self.screen());
    }

    /// Resize the terminal, as a person dragging the window would.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize pty");
        if let Ok(mut parser) = self.parser.lock() {
            parser.screen_mut().set_size(
                std::num::NonZeroU16::new(rows.max(1)).expect("rows"),
                std::num::NonZeroU16::new(cols.max(1)).expect("cols"),
            );
        }
    }

    /// Send a signal to the program (e.g. `TERM`, `HUP`).
    pub fn signal(&self, name: &str) {
        let pid = self.pid().expect("pid");
        let status = std::process::Command::new("kill")
            .arg(format!("-{name}"))
            .arg(pid.to_string())
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name} {pid}");
    }

    /// Wait until the raw output (escapes included) contains `needle` after `from`.
    pub fn wait_for_raw(&self, needle: &[u8], from: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let raw = self.raw();
            if raw.len() > from && raw[from..].windows(needle.len()).any(|w| w == needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        if self.alive() {
            let _ = self.child.kill();
        }
    }
}
