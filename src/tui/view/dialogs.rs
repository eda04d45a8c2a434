//! The overlays: the y/N confirmation, the typed delete confirmation, the
//! help and the session-ended notice. Reads the [`App`]; never changes it,
//! awaits or does I/O (the typed text is the app's, shown as it is).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{pad, styled_wrap, tail, width as text_width};
use super::{height_of, panel, popup};
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
    lines.extend(styled_wrap(s::CONFIRM_HINT, width, t.dim));
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

fn help_lines(t: &Theme, sections: &[HelpSection]) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (title, bindings) in sections {
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(*title, t.strong)));
        for b in bindings {
            lines.push(Line::from(vec![
                Span::styled(format!("  {} ", pad(b.label, 10)), t.key),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s::HELP_CLOSE, t.dim)));
    lines
}

pub(super) fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let sections = keymap::help_sections(app.demo.is_some(), app.usage_view().is_some());
    let mut lines = help_lines(t, &sections);
    // On a short terminal, leave out the dialogs' keys: each dialog shows them.
    let mut keep = sections.len();
    while lines.len() + 2 > usize::from(area.height) && keep > 1 {
        keep -= 1;
        lines = help_lines(t, &sections[..keep]);
    }
    let rect = popup(area, 72, lines.len());
    frame.render_widget(Clear, rect);
    let block =
        panel(t, s::HELP_TITLE, t.border_focus).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub(super) fn draw_ended(frame: &mut Frame, area: Rect, app: &App, key_id: &str, request: Request) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let mut lines = Vec::new();
    for (i, para) in s::session_ended(key_id, request).iter().enumerate() {
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
