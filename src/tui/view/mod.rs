//! Drawing. Every function under `view` reads an [`App`] and a frame area
//! and draws; none changes state, awaits or does I/O, so nothing here
//! imports `tokio`, `crate::account`, `crate::journal` or the
//! plain-terminal commands, and nothing takes `&mut App`.
//!
//! This module lays out the screen and holds the building blocks the
//! panels share; each panel is a submodule: [`header`], [`table`] (the
//! keys), [`detail`] (key facts and walkthrough), [`usage`], [`footer`]
//! (status lines and key hints) and [`dialogs`]. All widths are display
//! columns, measured by [`text`].

mod detail;
mod dialogs;
mod footer;
mod header;
mod journal;
mod table;
mod text;
mod usage;

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

use super::app::{App, Mode, WIDE};
use super::keymap;
use super::strings as s;
use super::theme::Theme;

use self::detail::{detail_len, draw_detail, draw_walkthrough, walkthrough_len};
use self::dialogs::{draw_confirm, draw_ended, draw_help, draw_typed, help_size};
use self::footer::{draw_footer, status_lines};
use self::header::draw_header;
use self::journal::{draw_journal, journal_lines};
use self::table::{draw_table, table_height};
use self::usage::draw_usage;

pub use journal::record_line;
pub use text::{wrap, wrap_hanging};
pub use usage::usage_lines;

/// Below this size the view shows only a note asking for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.is_empty() {
        return;
    }
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    let status = status_lines(app, area.width);
    let [header, table, main, status_area, footer] = layout(app, area, status.len());
    draw_header(frame, header, app);
    draw_table(frame, table, app);
    draw_main(frame, main, app);
    frame.render_widget(Paragraph::new(status), status_area);
    draw_footer(frame, footer, app);
    draw_training_footer(frame, footer, app);
    match &app.mode {
        Mode::Browse | Mode::Usage(_) | Mode::Journal(_) => {}
        Mode::Help { .. } => draw_help(frame, area, app),
        Mode::Confirm(c) => draw_confirm(frame, area, app, c),
        Mode::TypeToDelete(t) => draw_typed(frame, area, app, t),
        Mode::SessionEnded { key_id, request } => draw_ended(frame, area, app, key_id, *request),
    }
}

/// Header, keys table, main pane, status lines, footer.
fn layout(app: &App, area: Rect, status_lines: usize) -> [Rect; 5] {
    let status_h = u16::try_from(status_lines).unwrap_or(0).min(4);
    Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(table_height(app, area.width)),
        Constraint::Min(3),
        Constraint::Length(status_h),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The usage view's text length and visible rows at the app's terminal
/// size, so `App::update` can keep its scrolling within the text.
pub fn usage_viewport(app: &App) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let Some(v) = app.usage_view() else {
        return (0, 0);
    };
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return (0, 0);
    }
    let [_, _, main, _, _] = layout(app, area, status_lines(app, area.width).len());
    let lines = usage_lines(app, &v.key_id, usize::from(main.width.saturating_sub(2)));
    (lines.len(), usize::from(main.height.saturating_sub(2)))
}

/// The journal panel's text length and visible rows at the app's terminal
/// size, so `App::update` can keep its scrolling within the text.
pub fn journal_viewport(app: &App) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    if app.journal_view().is_none() || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return (0, 0);
    }
    let [_, _, main, _, _] = layout(app, area, status_lines(app, area.width).len());
    let lines = journal_lines(app, usize::from(main.width.saturating_sub(2)));
    (lines.len(), usize::from(main.height.saturating_sub(2)))
}

/// The footer's hints where the training needs its own: the journal
/// panel's keys, and the demo's way out once the session's own key stopped
/// working (continue as temporary root, or start over).
fn draw_training_footer(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let hints: Vec<(String, String)> = if app.journal_view().is_some() {
        keymap::journal_hints()
            .into_iter()
            .map(|(k, w)| (k.to_owned(), w.to_owned()))
            .collect()
    } else if let Some(demo) = app.demo.as_ref().filter(|_| {
        app.session_ended()
            || (app.snapshot.is_none() && app.load_error.as_ref().is_some_and(|e| e.credentials))
    }) {
        let mut hints = vec![("c".to_owned(), s::WAY_OUT_FOOTER.to_owned())];
        hints.extend([
            ("q".to_owned(), s::HINT_QUIT.to_owned()),
            (
                format!("rootkeys demo --scenario {} --reset", demo.scenario),
                s::WAY_OUT_RESET.to_owned(),
            ),
        ]);
        if !app.session_ended() && !app.loading {
            // The account could not be read: reading it again is offered.
            hints.push(("r".to_owned(), s::HINT_RETRY.to_owned()));
        }
        hints
    } else {
        return;
    };
    let room = usize::from(area.width).saturating_sub(2);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (key, word) in hints {
        let len = text::width(&key) + text::width(&word) + 3;
        if used + len > room {
            // A long hint that does not fit leaves room for shorter ones.
            continue;
        }
        spans.push(Span::styled(key, t.key));
        spans.push(Span::styled(format!(" {word}  "), t.dim));
        used += len;
    }
    frame.render_widget(ratatui::widgets::Clear, area);
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = Paragraph::new(s::too_small(MIN_WIDTH, MIN_HEIGHT))
        .style(app.theme.warn)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    let middle = area.centered_vertically(Constraint::Length(area.height.min(2)));
    frame.render_widget(text, middle);
}

/// The key facts' and the walkthrough's panes in the main area: side by
/// side, or the walkthrough alone when narrow, or the facts alone.
fn main_panes(app: &App, area: Rect) -> (Option<Rect>, Option<Rect>) {
    if app.walkthrough_visible() {
        if area.width >= WIDE {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            (Some(left), Some(right))
        } else {
            (None, Some(area))
        }
    } else {
        (Some(area), None)
    }
}

/// Usage, or the key facts and the walkthrough.
fn draw_main(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(v) = app.journal_view() {
        draw_journal(frame, area, app, v);
        return;
    }
    if let Some(v) = app.usage_view() {
        // Reading the usage takes the whole width: its tables are wide.
        draw_usage(frame, area, app, v);
        return;
    }
    let (detail, walkthrough) = main_panes(app, area);
    if let Some(rect) = detail {
        draw_detail(frame, rect, app);
    }
    if let Some(rect) = walkthrough {
        draw_walkthrough(frame, rect, app);
    }
}

/// The key facts' (and walkthrough's) text length and visible rows at the
/// app's terminal size, so `App::update` can keep their scrolling (page
/// up and down) within the text. Both panes scroll together.
pub fn detail_viewport(app: &App) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    if area.width < MIN_WIDTH
        || area.height < MIN_HEIGHT
        || app.usage_view().is_some()
        || app.journal_view().is_some()
    {
        return (0, 0);
    }
    let [_, _, main, _, _] = layout(app, area, status_lines(app, area.width).len());
    let (detail, walkthrough) = main_panes(app, main);
    let total = detail
        .map_or(0, |r| detail_len(app, r))
        .max(walkthrough.map_or(0, |r| walkthrough_len(app, r)));
    (total, usize::from(main.height.saturating_sub(2)))
}

/// The help overlay's text length and visible rows at the app's terminal
/// size, so `App::update` can keep its scrolling within the text.
pub fn help_viewport(app: &App) -> (usize, usize) {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return (0, 0);
    }
    help_size(app, area)
}

/// `lines` in `block`, from line `first` on (kept within the text), with
/// "↓ more" / "↑ more" on the bottom border when some are out of view.
fn draw_scrolled(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    block: Block<'_>,
    lines: Vec<Line<'static>>,
    first: usize,
) {
    let visible = usize::from(area.height.saturating_sub(2));
    let first = first.min(lines.len().saturating_sub(visible));
    let block = match more(lines.len(), first, visible, s::KEY_PGDN) {
        Some(text) => block.title_bottom(
            Line::from(Span::styled(text, app.theme.accent)).alignment(Alignment::Right),
        ),
        None => block,
    };
    let scroll = u16::try_from(first).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

/// The scroll indicator of a pane showing `visible` of `total` lines from
/// `first`: `↓ more (PgDn)`, `↑ more`, or nothing when all are shown.
fn more(total: usize, first: usize, visible: usize, key: &str) -> Option<String> {
    let below = first + visible < total;
    match (first > 0, below) {
        (_, true) => Some(format!(" {} ({key}) ", s::MORE_BELOW)),
        (true, false) => Some(format!(" {} ", s::MORE_ABOVE)),
        (false, false) => None,
    }
}

/// Width of the labels of [`field`].
const LABEL_WIDTH: usize = 11;

/// `Label      value` with the value wrapped under itself.
fn field(
    theme: &Theme,
    label: &str,
    value: &str,
    style: Style,
    width: usize,
) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(LABEL_WIDTH + 1).max(8);
    wrap(value, value_width)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let label = if i == 0 { label } else { "" };
            Line::from(vec![
                Span::styled(format!(" {}", text::pad(label, LABEL_WIDTH)), theme.label),
                Span::styled(part, style),
            ])
        })
        .collect()
}

fn height_of(lines: usize) -> u16 {
    u16::try_from(lines).unwrap_or(u16::MAX)
}

fn popup(area: Rect, width: u16, lines: usize) -> Rect {
    let w = width.min(area.width.saturating_sub(2)).max(1);
    let h = height_of(lines.saturating_add(2)).min(area.height);
    area.centered(Constraint::Length(w), Constraint::Length(h))
}

fn panel<'a>(theme: &Theme, title: &'a str, border: Style) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Span::styled(format!(" {title} "), theme.strong))
}
