//! The overlays: the y/N confirmation, the typed delete confirmation, the
//! help and the session-ended notice. Reads the [`App`]; never changes it,
//! awaits or does I/O (the typed text is the app's, shown as it is).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{ellipsize, pad, styled_wrap, tail, width as text_width, wrap};
use super::{height_of, more, panel, popup};
use crate::domain::policy::Request;
use crate::tui::app::{App, Confirm, TypeToDelete};
use crate::tui::keymap;
use crate::tui::strings as s;
use crate::tui::theme::Theme;

fn buttons(t: &Theme, yes: &str, yes_focused: bool) -> Line<'static> {
    let (no_style, yes_style) = if yes_focused {
        (t.button, t.button_focus)
    } else {
        (t.button_focus, t.button)
    };
    Line::from(vec![
        Span::raw("  "),
        Span::styled(format!(" {} ", s::BTN_NO), no_style),
        Span::raw("   "),
        Span::styled(format!(" {yes} "), yes_style),
    ])
}

fn signing_lines(t: &Theme, others: &[String], width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::default()];
    lines.extend(styled_wrap(&s::signing_warning(others), width, t.warn));
    lines
}

pub(super) fn draw_confirm(frame: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let mut lines = styled_wrap(c.request.consequence(c.signs_session), width, Style::new());
    lines.push(Line::default());
    lines.extend(styled_wrap(&s::last_used_line(&c.last_used), width, t.dim));
    if c.signs_session && c.request == Request::Deactivate {
        lines.extend(signing_lines(t, &c.other_active, width));
    }
    lines.push(Line::default());
    lines.push(buttons(t, s::confirm_yes(c.request), c.yes_focused));
    lines.push(Line::default());
    let hint = styled_wrap(s::CONFIRM_HINT, width, t.dim);
    let keep = hint.len() + 2;
    lines.extend(hint);
    let lines = fit_dialog(lines, keep, usize::from(area.height.saturating_sub(2)));
    let border = if c.request == Request::Deactivate {
        t.warn
    } else {
        t.accent
    };
    let title = s::confirm_title(c.request, &c.key_id);
    let rect = popup(area, outer, lines.len());
    frame.render_widget(Clear, rect);
    let block = panel(t, &title, border).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub(super) fn draw_typed(frame: &mut Frame, area: Rect, app: &App, d: &TypeToDelete) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let request = Request::Delete { force: false };
    let mut lines = styled_wrap(request.consequence(d.signs_session), width, Style::new());
    if d.signs_session {
        lines.extend(signing_lines(t, &[], width));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s::TYPE_PROMPT, t.strong)));
    let input_row = lines.len();
    let shown = tail(&d.input, width.saturating_sub(3));
    let pad = width.saturating_sub(2 + text_width(&shown));
    lines.push(Line::from(vec![
        Span::styled("› ", t.danger),
        Span::styled(shown.clone(), t.input),
        Span::styled(" ".repeat(pad), t.input),
    ]));
    if d.mismatch {
        lines.extend(styled_wrap(&s::mismatch(&d.key_id), width, t.danger));
    }
    lines.push(Line::default());
    lines.extend(styled_wrap(s::TYPE_HINT, width, t.dim));
    let title = s::confirm_title(request, &d.key_id);
    let rect = popup(area, outer, lines.len());
    frame.render_widget(Clear, rect);
    let block = panel(t, &title, t.danger).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
    let x = rect.x + 2 + 2 + u16::try_from(text_width(&shown)).unwrap_or(0);
    let y = rect.y + 1 + height_of(input_row);
    if x < rect.right().saturating_sub(1) && y < rect.bottom().saturating_sub(1) {
        frame.set_cursor_position(Position::new(x, y));
    }
}

type HelpSection = (&'static str, Vec<&'static keymap::Binding>);

/// Width of the key column of the help.
const HELP_KEYS: usize = 13;

fn help_lines(t: &Theme, sections: &[HelpSection], width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (title, bindings) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(*title, t.strong)));
        for b in bindings {
            let text_width = width.saturating_sub(HELP_KEYS).max(12);
            for (i, part) in wrap(b.help, text_width).into_iter().enumerate() {
                let keys = if i == 0 {
                    format!("  {} ", pad(b.label, HELP_KEYS - 3))
                } else {
                    " ".repeat(HELP_KEYS)
                };
                lines.push(Line::from(vec![Span::styled(keys, t.key), Span::raw(part)]));
            }
        }
    }
    lines
}

/// The help overlay's rectangle and its text, at `area`.
fn help_layout(app: &App, area: Rect) -> (Rect, Vec<Line<'static>>) {
    let sections = keymap::help_sections(app.demo.is_some(), app.usage_view().is_some());
    let outer = 76u16.min(area.width.saturating_sub(2));
    let lines = help_lines(&app.theme, &sections, usize::from(outer.saturating_sub(4)));
    (popup(area, outer, lines.len()), lines)
}

/// The help's text length and visible rows at `area`.
pub(super) fn help_size(app: &App, area: Rect) -> (usize, usize) {
    let (rect, lines) = help_layout(app, area);
    (lines.len(), usize::from(rect.height.saturating_sub(2)))
}

pub(super) fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let (rect, lines) = help_layout(app, area);
    let visible = usize::from(rect.height.saturating_sub(2));
    let first = app.help_scroll.min(lines.len().saturating_sub(visible));
    frame.render_widget(Clear, rect);
    let room = usize::from(rect.width.saturating_sub(4));
    let more = more(lines.len(), first, visible, s::KEY_J);
    let more_width = more.as_deref().map_or(0, text_width);
    let close = ellipsize(s::HELP_CLOSE_KEYS, room.saturating_sub(more_width + 2));
    let mut block = panel(t, s::HELP_OVERLAY_TITLE, t.border_focus)
        .padding(ratatui::widgets::Padding::horizontal(1));
    if !close.is_empty() {
        block = block.title_bottom(Span::styled(format!(" {close} "), t.dim));
    }
    if let Some(more) = more {
        block = block.title_bottom(
            Line::from(Span::styled(more, t.accent)).alignment(ratatui::layout::Alignment::Right),
        );
    }
    let scroll = u16::try_from(first).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
}

/// A dialog's text in `room` rows: as it is when it fits; else without
/// its blank lines; else the body cut (ending in `…`) so that the last
/// `keep` lines (the buttons and keys) always show.
fn fit_dialog(mut lines: Vec<Line<'static>>, keep: usize, room: usize) -> Vec<Line<'static>> {
    if lines.len() <= room {
        return lines;
    }
    let tail_start = lines.len().saturating_sub(keep);
    let tail = lines.split_off(tail_start);
    lines.retain(|l| l.width() > 0);
    let tail: Vec<Line<'static>> = tail.into_iter().filter(|l| l.width() > 0).collect();
    let body_room = room.saturating_sub(tail.len());
    if lines.len() > body_room {
        lines.truncate(body_room);
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::raw(" …"));
        }
    }
    lines.extend(tail);
    lines
}

pub(super) fn draw_ended(frame: &mut Frame, area: Rect, app: &App, key_id: &str, request: Request) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let mut lines = Vec::new();
    for (i, para) in s::session_ended(
        key_id,
        request,
        app.demo.as_ref().map(|d| d.scenario.as_str()),
    )
    .iter()
    .enumerate()
    {
        if i > 0 {
            lines.push(Line::default());
        }
        let style = if i == 0 { t.strong } else { Style::new() };
        lines.extend(styled_wrap(para, width, style));
    }
    let rect = popup(area, outer, lines.len());
    frame.render_widget(Clear, rect);
    let block = panel(t, s::SESSION_ENDED_TITLE, t.danger)
        .padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
