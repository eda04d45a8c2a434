//! The status lines (the banner) and the footer's key hints and spinner.
//! Reads the [`App`]; never changes it, awaits or does I/O.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{width as text_width, wrap};
use crate::tui::app::{App, BannerKind, Mode};
use crate::tui::keymap;
use crate::tui::strings as s;

pub(super) fn status_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(banner) = &app.banner else {
        return Vec::new();
    };
    if !matches!(app.mode, Mode::Browse | Mode::Help { .. } | Mode::Usage(_)) {
        return Vec::new();
    }
    if app.snapshot.is_none() && app.load_error.is_some() {
        // The keys panel shows the error in full.
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
    lines.truncate(4);
    lines
}

pub(super) fn draw_footer(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let busy = app.busy_text().map(|b| format!("{} {b} ", app.spinner()));
    let busy_len = busy.as_ref().map_or(0, |b| text_width(b));
    let room = usize::from(area.width).saturating_sub(busy_len + 2);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    if !app.session_ended() {
        let writes = app.snapshot.is_none() || app.is_root();
        let hints = if app.usage_view().is_some() {
            keymap::usage_hints()
        } else {
            keymap::hints(app.demo.is_some(), writes)
        };
        for (key, word) in hints {
            let len = text_width(key) + text_width(word) + 3;
            if used + len > room {
                break;
            }
            spans.push(Span::styled(key, t.key));
            spans.push(Span::styled(format!(" {word}  "), t.dim));
            used += len;
        }
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if let Some(busy) = busy {
        frame.render_widget(
            Paragraph::new(Span::styled(busy, t.accent)).alignment(Alignment::Right),
            area,
        );
    }
}
