//! The status lines (the banner) and the footer's key hints and spinner.
//! Reads the [`App`]; never changes it, awaits or does I/O.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{ellipsize, width as text_width, wrap};
use crate::domain::View;
use crate::domain::policy::{self, Decision, Request};
use crate::tui::action::Command;
use crate::tui::app::{App, BannerKind, Mode, Row};
use crate::tui::keymap::{self, Hint};
use crate::tui::strings as s;

/// The message lines under the table, at most; a longer message ends in `…`.
const MAX_STATUS_LINES: usize = 4;

pub(super) fn status_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(banner) = &app.banner else {
        return Vec::new();
    };
    if !matches!(app.mode, Mode::Browse | Mode::Help { .. } | Mode::Usage(_)) {
        return Vec::new();
    }
    if app.snapshot.is_none()
        && app
            .load_error
            .as_ref()
            .is_some_and(|e| e.message == banner.text)
    {
        // The keys panel shows this error in full.
        return Vec::new();
    }
    let width = usize::from(width.saturating_sub(1));
    let (prefix, style) = match banner.kind {
        BannerKind::Info => (format!("{} ", s::MARK_INFO), t.accent),
        BannerKind::Success => (format!("{} ", s::MARK_OK), t.ok),
        BannerKind::Refusal => (format!("{} {}: ", s::MARK_WARN, s::REFUSED), t.warn),
        BannerKind::Error => (format!("{} {}: ", s::MARK_BAD, s::ERROR), t.danger),
    };
    let mut lines: Vec<Line> = wrap(&format!("{prefix}{}", banner.text), width)
        .into_iter()
        .map(|l| Line::from(vec![Span::raw(" "), Span::styled(l, style)]))
        .collect();
    if let Some(advice) = &banner.advice {
        lines.extend(
            wrap(&format!("{}: {advice}", s::WHAT_TO_DO), width)
                .into_iter()
                .map(|l| Line::from(vec![Span::raw(" "), Span::styled(l, t.label)])),
        );
    }
    if lines.len() > MAX_STATUS_LINES {
        lines.truncate(MAX_STATUS_LINES);
        if let Some(last) = lines.last_mut() {
            let text: String = last
                .spans
                .iter()
                .skip(1)
                .map(|sp| sp.content.as_ref())
                .collect();
            let style = last.spans.last().map_or(style, |sp| sp.style);
            let cut = ellipsize(&format!("{text} …"), width);
            let cut = if cut.ends_with('…') {
                cut
            } else {
                format!("{text} …")
            };
            last.spans.truncate(1);
            last.spans.push(Span::styled(cut, style));
        }
    }
    lines
}

/// Whether `command` can act in the main view now: the writes only as
/// root and where the policy allows them for the selected key, usage only
/// as root, nothing but refresh (retry) before the account is read.
fn can_act(app: &App, command: Command) -> bool {
    let Some(snap) = &app.snapshot else {
        return matches!(
            command,
            Command::Refresh | Command::ToggleHelp | Command::Quit | Command::ToggleWalkthrough
        ) && !(command == Command::Refresh && app.loading);
    };
    let request = match command {
        Command::Deactivate => Request::Deactivate,
        Command::Reactivate => Request::Reactivate,
        Command::Delete => Request::Delete { force: false },
        // Usage needs the key IDs, and only root's jobs can move: the
        // auditor sees neither.
        Command::Usage | Command::MoveToRole => {
            return app.is_root() && app.selected_row().is_some();
        }
        // A read is already coming.
        Command::Refresh => return !(app.loading || app.pending.is_some() || app.skipping),
        Command::Down => return app.rows().len() > 1,
        _ => return true,
    };
    let Some(row) = app.selected_row() else {
        return false;
    };
    if app.pending.is_some() || app.skipping {
        // One change at a time.
        return false;
    }
    let inventory = &snap.inventory;
    matches!(
        policy::decide(
            request,
            inventory.view == View::Root,
            &inventory.identity.arn,
            &row.label(),
            Some(&row.stage()),
            snap.now,
            snap.window(),
        ),
        Decision::Allowed { .. }
    ) && matches!(row, Row::Key(_))
}

/// The hints that fit in `room` columns, by priority, in display order.
fn fitting(hints: &[Hint], room: usize) -> Vec<Hint> {
    let len = |h: &Hint| text_width(h.key) + text_width(h.word) + 3;
    let mut order: Vec<usize> = (0..hints.len()).collect();
    order.sort_by_key(|i| hints[*i].priority);
    let mut used = 0;
    let mut shown = vec![false; hints.len()];
    for i in order {
        let l = len(&hints[i]);
        if used + l <= room {
            used += l;
            shown[i] = true;
        }
    }
    hints
        .iter()
        .zip(shown)
        .filter_map(|(h, s)| s.then_some(*h))
        .collect()
}

pub(super) fn draw_footer(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let busy = app.busy_text().map(|b| format!("{} {b} ", app.spinner()));
    let width = usize::from(area.width);
    // The spinner's text gives way to the key hints when short of room.
    let busy = busy.map(|b| {
        let room = width.saturating_sub(1 + 26);
        if text_width(&b) > room {
            format!("{} ", ellipsize(b.trim_end(), room.saturating_sub(1)))
        } else {
            b
        }
    });
    let busy_len = busy.as_ref().map_or(0, |b| text_width(b));
    let room = width.saturating_sub(busy_len + 1);
    let mut spans = vec![Span::raw(" ")];
    if !app.session_ended() {
        let mut hints = if app.usage_view().is_some() {
            keymap::usage_hints()
        } else {
            keymap::hints(app.demo.is_some(), |c| can_act(app, c))
        };
        // The selected key's next step stays longest after q, ? and the demo keys.
        if let Some(Row::Key(kv)) = app.selected_row()
            && let Some(request) = kv.next.action
        {
            let next = match request {
                Request::Deactivate => "d",
                Request::Reactivate => "a",
                Request::Delete { .. } => "D",
            };
            for h in &mut hints {
                if h.key == next {
                    h.priority = 4;
                }
            }
        }
        if app.snapshot.is_none() && app.load_error.is_some() {
            for h in &mut hints {
                if h.key == "r" {
                    h.word = s::HINT_RETRY;
                    h.priority = 2;
                }
            }
        }
        for h in fitting(&hints, room) {
            spans.push(Span::styled(h.key, t.key));
            spans.push(Span::styled(format!(" {}  ", h.word), t.dim));
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if let Some(busy) = busy.filter(|b| text_width(b) > 1) {
        frame.render_widget(
            Paragraph::new(Span::styled(busy, t.accent)).alignment(Alignment::Right),
            area,
        );
    }
}
