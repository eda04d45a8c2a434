//! `rootkeys journal`: the account's history, oldest first.
//!
//! Everything shown comes from the journal file, so it is foreign text:
//! control characters are escaped and long values bounded. The text form is
//! written line by line as the file is parsed.

use std::io::{BufWriter, Write};

use serde::Serialize;

use super::{Exit, print_account_error, print_error};
use crate::domain::record::{Outcome, Phase, Record};
use crate::journal::{self, Contents, Damaged, Entry};
use crate::remediate::{RemediateError, Remediator};
use crate::text;

#[derive(Serialize)]
struct JournalJson<'a> {
    account_id: &'a str,
    path: String,
    records: Vec<&'a Record>,
    damaged: &'a [Damaged],
    foreign_records: usize,
}

/// Foreign text for one line of output: control characters escaped,
/// newlines flattened, secrets redacted, length bounded.
fn safe(s: &str) -> String {
    text::foreign(&text::one_line(s))
}

pub fn line(r: &Record) -> String {
    let result = match (&r.phase, &r.result) {
        (_, Some(Outcome::Ok)) => "ok".to_owned(),
        (_, Some(Outcome::Error { code })) => format!("failed: {}", safe(code)),
        (_, Some(Outcome::NotApplied)) => "not applied".to_owned(),
        (_, Some(Outcome::Unknown { code })) => {
            format!("unknown ({}): settled against the live state", safe(code))
        }
        (Phase::Intent, None) => "…".to_owned(),
        (_, None) => String::new(),
    };
    let phase = match r.phase {
        Phase::Intent => "intent",
        Phase::Outcome => "outcome",
        Phase::Reconciled => "reconciled",
        Phase::Observed => "observed",
    };
    let mut s = format!(
        "{}  {:<10}  {:<20} {:<22} {result}",
        crate::render::time::text(&r.time),
        phase,
        r.action.verb(),
        safe(&r.key)
    );
    if r.forced {
        s.push_str("  [WINDOW OVERRIDDEN]");
    }
    if let Some(secs) = r.window_secs
        && r.phase != Phase::Intent
    {
        let window = chrono::TimeDelta::try_seconds(secs).unwrap_or(chrono::TimeDelta::MAX);
        s.push_str(&format!(
            "  [window {}]",
            crate::domain::window::human(window)
        ));
    }
    if let Some(note) = &r.note {
        s.push_str(&format!("  ({})", safe(note)));
    }
    s.trim_end().to_owned()
}

/// The line shown for a damaged journal line.
pub fn damaged_line(d: &Damaged) -> String {
    format!(
        "line {}: DAMAGED, kept as is ({}): {}",
        d.line,
        safe(&d.reason),
        safe(&d.preview)
    )
}

const EMPTY: &str = "The journal has no records for this account yet.";

fn foreign_note(count: usize) -> String {
    format!("({count} record(s) of another account in this file were kept and not shown)")
}

/// Write the text form of a journal file, one line per record or damaged
/// line in file order, as the file is parsed.
pub fn write_text(out: &mut impl Write, bytes: &[u8], account: &str) -> std::io::Result<()> {
    let mut shown = 0usize;
    let mut foreign = 0usize;
    for entry in journal::entries(bytes, account) {
        match entry {
            Entry::Record(_, r) => writeln!(out, "{}", line(&r))?,
            Entry::Damaged(d) => writeln!(out, "{}", damaged_line(&d))?,
            Entry::Foreign(..) => {
                foreign += 1;
                continue;
            }
            Entry::Blank(_) => continue,
        }
        shown += 1;
    }
    if shown == 0 {
        writeln!(out, "{EMPTY}")?;
    }
    if foreign > 0 {
        writeln!(out, "{}", foreign_note(foreign))?;
    }
    Ok(())
}

/// The text form of contents already parsed.
pub fn text(contents: &Contents) -> String {
    let mut entries: Vec<(usize, String)> = contents
        .records
        .iter()
        .map(|(n, r)| (*n, line(r)))
        .chain(contents.damaged.iter().map(|d| (d.line, damaged_line(d))))
        .collect();
    entries.sort_by_key(|(n, _)| *n);
    let mut out = String::new();
    if entries.is_empty() {
        out.push_str(EMPTY);
        out.push('\n');
    }
    for (_, l) in entries {
        out.push_str(&l);
        out.push('\n');
    }
    if !contents.foreign.is_empty() {
        out.push_str(&foreign_note(contents.foreign.len()));
        out.push('\n');
    }
    out
}

pub async fn run(remediator: &Remediator, json: bool) -> Exit {
    let identity = match remediator.account().identity().await {
        Ok(i) => i,
        Err(e) => {
            print_account_error(&e);
            return Exit::Failed;
        }
    };
    let journal = match remediator.journal(&identity.account_id) {
        Ok(j) => j,
        Err(e) => return print_error(&RemediateError::Journal(e)),
    };
    let bytes = match journal.read_bytes() {
        Ok(b) => b,
        Err(e) => return print_error(&RemediateError::Journal(e)),
    };
    let path = text::sanitize(&journal.path().display().to_string()).into_owned();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = if json {
        let contents = journal::parse(&bytes, &identity.account_id);
        let doc = JournalJson {
            account_id: &identity.account_id,
            path,
            records: contents.records.iter().map(|(_, r)| r).collect(),
            damaged: &contents.damaged,
            foreign_records: contents.foreign.len(),
        };
        serde_json::to_writer_pretty(&mut out, &doc)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        writeln!(out, "Journal {path}")
            .and_then(|()| write_text(&mut out, &bytes, &identity.account_id))
    };
    match written.and_then(|()| out.flush()) {
        Ok(()) => Exit::Done,
        // The reader went away (`rootkeys journal | head`): nothing to say.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Done,
        Err(e) => {
            eprintln!("rootkeys: error: cannot write the journal out: {e}");
            Exit::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    use crate::domain::record::Act;

    const ACCOUNT: &str = "123456789012";

    fn record(note: Option<&str>) -> Record {
        Record {
            time: Utc::now(),
            account: ACCOUNT.to_owned(),
            caller: "arn:aws:iam::123456789012:root".to_owned(),
            key: "AKIA\u{1b}]0;pwned\u{7}".to_owned(),
            action: Act::Deactivate,
            phase: Phase::Outcome,
            op: "op".to_owned(),
            result: Some(Outcome::Error {
                code: "Denied\u{1b}[2J".to_owned(),
            }),
            forced: false,
            window_secs: None,
            note: note.map(str::to_owned),
            version: "0".to_owned(),
        }
    }

    fn streamed(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        write_text(&mut out, bytes, ACCOUNT).expect("write");
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn a_journaled_window_is_shown_with_its_record() {
        let mut r = record(None);
        r.window_secs = Some(7 * 86_400);
        assert!(line(&r).contains("[window 7 d]"), "{}", line(&r));
        r.phase = Phase::Intent;
        assert!(!line(&r).contains("[window"), "once per operation");
    }

    #[test]
    fn journal_text_escapes_control_characters() {
        let hostile = record(Some("backup \u{1b}[31mred\u{1b}[0m\nsecond line"));
        let damaged = "{\"oops\u{1b}[1;1H\": 1";
        let file = format!(
            "{}\n{damaged}\n",
            serde_json::to_string(&hostile).expect("json")
        );
        let out = streamed(file.as_bytes());
        assert!(!out.contains('\u{1b}'), "{out:?}");
        assert!(!out.contains('\u{7}'), "{out:?}");
        assert!(out.contains("backup \\u{1b}[31mred"), "{out}");
        assert!(out.contains("Denied\\u{1b}[2J"), "{out}");
        assert!(out.contains("AKIA\\u{1b}]0;pwned\\u{7}"), "{out}");
        assert!(out.contains("line 2: DAMAGED"), "{out}");
        assert!(out.contains("{\"oops\\u{1b}[1;1H"), "{out}");
        // One journal line, one output line: the note's newline is flattened.
        assert_eq!(out.lines().count(), 2, "{out}");

        let contents = journal::parse(file.as_bytes(), ACCOUNT);
        assert_eq!(text(&contents), out, "both forms agree");
    }

    #[test]
    fn streamed_text_keeps_file_order_and_counts_foreign_records() {
        let mine = serde_json::to_string(&record(Some("mine"))).expect("json");
        let mut other = record(Some("theirs"));
        other.account = "999999999999".to_owned();
        let other = serde_json::to_string(&other).expect("json");
        let file = format!("{mine}\n\nnot json\n{other}\n{mine}");
        let out = streamed(file.as_bytes());
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].contains("(mine)"));
        assert!(lines[1].starts_with("line 3: DAMAGED"));
        assert!(lines[2].contains("(mine)"));
        assert!(lines[3].contains("1 record(s) of another account"));
        assert_eq!(text(&journal::parse(file.as_bytes(), ACCOUNT)), out);
        assert_eq!(streamed(b""), format!("{EMPTY}\n"));
    }
}
