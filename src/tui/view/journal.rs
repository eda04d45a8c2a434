//! The journal panel (`J`): the account's journal history, as `rootkeys
//! journal` reads it (time, act, key, outcome, note), oldest first so the
//! newest is last. Reads the [`App`] (the journal was read by a load, never
//! here); never changes it, awaits or does I/O.

//!
//! Everything shown comes from the journal file, so it is foreign text:
//! control characters are escaped and long values bounded.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panel;
use super::text::{self, wrap_hanging};
use crate::domain::record::{Outcome, Phase, Record};
use crate::tui::app::{App, JournalState, JournalView};
use crate::tui::strings as s;

/// Foreign text on one line, control characters escaped, bounded.
fn safe(value: &str) -> String {
    crate::text::foreign(&crate::text::one_line(value))
}

/// The outcome column of a record.
fn outcome(r: &Record) -> String {
    match (&r.phase, &r.result) {
        (_, Some(Outcome::Ok)) => "ok".to_owned(),
        (_, Some(Outcome::Error { code })) => format!("failed: {}", safe(code)),
        (_, Some(Outcome::NotApplied)) => "not applied".to_owned(),
        (_, Some(Outcome::Unknown { code })) => format!("unknown ({})", safe(code)),
        (Phase::Intent, None) => "intent…".to_owned(),
        (Phase::Observed, None) => "observed".to_owned(),
        (_, None) => String::new(),
    }
}

/// The note column: the window, an override, the journal's own note.
fn note(r: &Record) -> String {
    let mut parts = Vec::new();
    if r.forced {
        parts.push("WINDOW OVERRIDDEN".to_owned());
    }
    if let Some(secs) = r.window_secs
        && r.phase != Phase::Intent
    {
        let window = chrono::TimeDelta::try_seconds(secs).unwrap_or(chrono::TimeDelta::MAX);
        parts.push(format!("window {}", crate::domain::window::human(window)));
    }
    if let Some(note) = &r.note {
        parts.push(safe(note));
    }
    parts.join(" · ")
}

const TIME_W: usize = 16;
const ACT_W: usize = 19;
const KEY_W: usize = 20;

/// One record as a line: time, act, key, outcome, note.
pub fn record_line(r: &Record) -> String {
    let mut line = format!(
        "{}  {}  {}  {}",
        r.time.format("%Y-%m-%d %H:%M"),
        text::pad(r.action.verb(), ACT_W),
        text::pad(&safe(&r.key), KEY_W),
        outcome(r),
    );
    let note = note(r);
    if !note.is_empty() {
        line.push_str(&format!("  ({note})"));
    }
    line
}

/// What the journal panel shows at `width` (inside the border).
pub fn journal_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let width = width.saturating_sub(2).max(1);
    let pad =
        |text: String, style: Style| Line::from(vec![Span::raw(" "), Span::styled(text, style)]);
    let wrapped = |text: &str, style: Style, indent: usize| -> Vec<Line<'static>> {
        wrap_hanging(text, width, indent)
            .into_iter()
            .map(|l| pad(l, style))
            .collect()
    };
    let mut lines = Vec::new();
    match &app.journal {
        JournalState::Idle | JournalState::Loading => {
            lines.extend(wrapped(
                &format!("{} {}", app.spinner(), s::JOURNAL_LOADING),
                t.dim,
                2,
            ));
        }
        JournalState::Failed(e) => {
            lines.extend(wrapped(
                &format!("{} {}: {}", s::MARK_BAD, s::JOURNAL_FAILED, e.message),
                t.danger,
                2,
            ));
        }
        JournalState::Ready(contents) => {
            if !contents.records.is_empty() {
                lines.extend(wrapped(
                    &s::journal_heading(contents.records.len()),
                    t.dim,
                    0,
                ));
                lines.push(Line::default());
            }
            let header = format!(
                "{}  {}  {}  OUTCOME (NOTE)",
                text::pad("TIME (UTC)", TIME_W),
                text::pad("ACT", ACT_W),
                text::pad("KEY", KEY_W)
            );
            // Records and damaged lines in file order.
            let mut entries: Vec<(usize, String, bool)> = contents
                .records
                .iter()
                .map(|(n, r)| (*n, record_line(r), false))
                .chain(contents.damaged.iter().map(|d| {
                    (
                        d.line,
                        format!(
                            "line {}: DAMAGED, kept as is ({}): {}",
                            d.line,
                            safe(&d.reason),
                            safe(&d.preview)
                        ),
                        true,
                    )
                }))
                .collect();
            entries.sort_by_key(|(n, _, _)| *n);
            if entries.is_empty() {
                lines.extend(wrapped(s::JOURNAL_EMPTY, t.accent, 0));
            } else {
                lines.extend(wrapped(&header, t.label, 0));
            }
            let indent = TIME_W + 2;
            for (_, line, damaged) in entries {
                let style = if damaged { t.warn } else { Style::new() };
                lines.extend(wrapped(&line, style, indent));
            }
            if !contents.foreign.is_empty() {
                lines.extend(wrapped(
                    &s::journal_foreign(contents.foreign.len()),
                    t.dim,
                    0,
                ));
            }
        }
    }
    lines
}

pub(super) fn draw_journal(frame: &mut Frame, area: Rect, app: &App, v: &JournalView) {
    let t = &app.theme;
    let lines = journal_lines(app, usize::from(area.width.saturating_sub(2)));
    let visible = usize::from(area.height.saturating_sub(2));
    let total = lines.len();
    let first = v.scroll.min(total.saturating_sub(visible));
    let mut block = panel(t, s::JOURNAL_TITLE, t.border_focus);
    if total > visible {
        let position = s::scroll_position(first + 1, (first + visible).min(total), total);
        block = block.title_bottom(
            Line::from(Span::styled(format!(" {position} "), t.dim)).alignment(Alignment::Right),
        );
    }
    let scroll = u16::try_from(first).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Act;

    #[test]
    fn a_record_line_names_time_act_key_outcome_and_note_safely() {
        let r = Record {
            time: chrono::DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z")
                .expect("time")
                .with_timezone(&chrono::Utc),
            account: "123456789012".to_owned(),
            caller: "arn:aws:iam::123456789012:root".to_owned(),
            key: "AKIA\u{1b}[31m".to_owned(),
            action: Act::Deactivate,
            phase: Phase::Outcome,
            op: "op".to_owned(),
            result: Some(Outcome::Error {
                code: "AccessDenied".to_owned(),
            }),
            forced: false,
            window_secs: Some(7 * 86_400),
            note: Some("by hand".to_owned()),
            version: "0".to_owned(),
        };
        let line = record_line(&r);
        assert!(line.starts_with("2026-11-25 12:00  deactivate "), "{line}");
        assert!(line.contains("failed: AccessDenied"), "{line}");
        assert!(line.ends_with("(window 7 d · by hand)"), "{line}");
        assert!(
            !line.contains('\u{1b}'),
            "control characters escaped: {line}"
        );
    }
}
