//! Drawing the organization view: header, progress, the accounts table
//! (`table`), the detail pane (`detail`), the walkthrough (`walkthrough`),
//! the message area, the status line, the footer, the help and the
//! dialogs (`dialogs`). Reads an [`OrgApp`]; never changes it, awaits or
//! does I/O.
//!
//! Text from AWS (names, IDs, ARNs, error messages) goes through
//! `crate::text` before it reaches the screen.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr;

use super::keymap;
use super::state::{Mode, OrgApp, Phase, Tone};
use super::strings as s;
use crate::text::{foreign, one_line};
use crate::tui::theme::Theme;
use crate::tui::view::wrap;

mod detail;
mod dialogs;
mod table;
pub mod walkthrough;

pub use detail::detail_lines;
use detail::{draw_detail, field};
use table::draw_table;

/// Below this size the view shows only a note asking for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// From this width the walkthrough stands beside the table.
const WALKTHROUGH_BESIDE: u16 = 110;
const WALKTHROUGH_WIDTH: u16 = 44;

pub fn draw(frame: &mut Frame, app: &OrgApp) {
    let area = frame.area();
    if area.is_empty() {
        return;
    }
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = Paragraph::new(s::too_small(MIN_WIDTH, MIN_HEIGHT))
            .style(app.theme.warn)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true });
        let middle = area.centered_vertically(Constraint::Length(area.height.min(2)));
        frame.render_widget(text, middle);
        return;
    }
    let [header, progress, body, status, footer] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(4),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app);
    draw_progress(frame, progress, app);
    draw_body(frame, body, app);
    draw_status(frame, status, app);
    draw_footer(frame, footer, app);
    match &app.mode {
        Mode::Help(back) => draw_help(frame, area, app, matches!(**back, Mode::Detail { .. })),
        Mode::Confirm(c) => dialogs::draw_confirm(frame, area, app, c),
        Mode::TypeDelete(d) => dialogs::draw_typed(frame, area, app, d),
        Mode::Prevent(p) => dialogs::draw_prevent(frame, area, app, p),
        _ => {}
    }
}

/// The last `columns` display columns of `text`, starting with `…` when cut.
fn cut_left(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in text.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out.into_iter().rev().collect()
}

fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `columns` display columns, ending in `…` when cut.
fn cut(text: &str, columns: usize) -> String {
    if width(text) <= columns {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > columns {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn panel<'a>(theme: &Theme, title: &str, border: Style) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(border)
        .title(Span::styled(format!(" {title} "), theme.strong))
}

fn draw_header(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let [line1, line2, line3] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    let title = match &app.started {
        Some(st) => format!(
            " {}  {} │ {} {}",
            s::APP,
            one_line(&st.organization.id),
            s::MANAGEMENT,
            one_line(&st.organization.management_account_id),
        ),
        None => format!(" {}  {}", s::APP, s::ORGANIZATION_PENDING),
    };
    let badge = app
        .demo
        .as_ref()
        .map(|demo| format!(" {} ", s::demo_badge(&demo.scenario)))
        .filter(|b| width(b) + 40 < usize::from(line1.width));
    let badge_w = badge.as_deref().map_or(0, width);
    let title = cut(&title, usize::from(line1.width).saturating_sub(badge_w));
    frame.render_widget(Paragraph::new(title).style(t.title), line1);
    if let Some(badge) = badge {
        let w = u16::try_from(badge_w).unwrap_or(0);
        let right = Rect::new(line1.right() - w, line1.y, w, 1);
        frame.render_widget(Paragraph::new(badge).style(t.title), right);
    }

    // Caller and counts first; the time and "simulated" when they fit.
    let room = usize::from(line2.width);
    let p = &app.progress;
    let caller = app.started.as_ref().map_or_else(
        || "…".to_owned(),
        |st| one_line(&st.caller_arn).into_owned(),
    );
    let failed = app.failed();
    let mut counts = vec![
        Span::styled(" · ", t.dim),
        Span::raw(s::audited(p.done, p.listed, p.listing_done)),
    ];
    if failed > 0 {
        counts.push(Span::styled(" · ", t.dim));
        counts.push(Span::styled(s::errors(failed), t.danger));
    }
    let counts_w: usize = counts.iter().map(|sp| width(&sp.content)).sum();
    let label = format!(" {} ", s::CALLER);
    let caller_room = room.saturating_sub(counts_w + width(&label)).max(12);
    let mut facts = vec![Span::raw(label), Span::raw(cut(&caller, caller_room))];
    facts.extend(counts);
    let mut optional = vec![s::as_of(&app.now.format("%Y-%m-%d %H:%M UTC").to_string())];
    if app.demo.is_some() {
        optional.push(s::SIMULATED.to_owned());
    }
    let mut used: usize = facts.iter().map(|sp| width(&sp.content)).sum();
    for text in optional {
        if used + 3 + width(&text) > room {
            break;
        }
        used += 3 + width(&text);
        facts.push(Span::styled(" · ", t.dim));
        facts.push(Span::styled(text, t.dim));
    }
    frame.render_widget(Paragraph::new(Line::from(facts)), line2);

    let total = app.rows.len();
    let (verdict, style) = match app.compliant() {
        Some(false) => (
            s::verdict_not_compliant(app.with_keys(), total, app.phase != Phase::Done),
            t.danger,
        ),
        Some(true) => (s::verdict_compliant(total), t.ok),
        None if app.phase == Phase::Done => (s::verdict_unknown(failed), t.warn),
        None if matches!(app.phase, Phase::Failed(_)) => (s::VERDICT_NOT_RUN.to_owned(), t.warn),
        None => (s::VERDICT_PENDING.to_owned(), t.dim),
    };
    // The check's full name when it fits, else its short one.
    let label = if width(s::CIS) + 3 + width(&verdict) <= usize::from(line3.width) {
        s::CIS
    } else {
        s::CIS_SHORT
    };
    let line = Line::from(vec![
        Span::raw(format!(" {label}  ")),
        Span::styled(verdict, style),
    ]);
    frame.render_widget(Paragraph::new(line), line3);
}

/// The gauge while the audit runs; how it ended afterwards.
fn draw_progress(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let p = &app.progress;
    let line = match &app.phase {
        Phase::Checking => Line::from(Span::styled(
            format!(" {} {}", app.spinner(), s::CHECKING),
            t.accent,
        )),
        Phase::Auditing => {
            let label = if p.listed == 0 {
                s::GAUGE_LISTING.to_owned()
            } else {
                s::gauge(p.done, p.listed, p.listing_done)
            };
            let bar = usize::from(area.width)
                .saturating_sub(width(&label) + 6)
                .min(50);
            let filled = (bar * p.done.min(p.listed))
                .checked_div(p.listed)
                .unwrap_or(0);
            Line::from(vec![
                Span::raw(format!(" {} ", app.spinner())),
                Span::styled("█".repeat(filled), t.accent),
                Span::styled("░".repeat(bar - filled), t.dim),
                Span::raw(format!(" {label}")),
            ])
        }
        Phase::Done => Line::from(Span::styled(
            format!(" {}", s::finished(app.rows.len(), app.failed())),
            if app.failed() > 0 || app.listing_error.is_some() {
                t.warn
            } else {
                t.ok
            },
        )),
        Phase::Failed(_) => Line::from(Span::styled(format!(" ✗ {}", s::CANNOT_AUDIT), t.danger)),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_body(frame: &mut Frame, area: Rect, app: &OrgApp) {
    if let Phase::Failed(failure) = &app.phase {
        let t = &app.theme;
        let inner = usize::from(area.width.saturating_sub(4));
        let mut lines = field(t, "Error", &foreign(&failure.message), t.danger, inner);
        lines.extend(field(
            t,
            s::WHAT_TO_DO,
            &one_line(&failure.fix),
            Style::new(),
            inner,
        ));
        let block = panel(t, s::CANNOT_AUDIT, t.danger);
        frame.render_widget(Paragraph::new(lines).block(block), area);
        return;
    }
    let mut area = area;
    if let Some(notice) = &app.notice {
        let lines = notice_lines(app, notice, usize::from(area.width.saturating_sub(4)));
        let h = u16::try_from(lines.len() + 2)
            .unwrap_or(u16::MAX)
            .min((area.height / 3).max(3));
        let [rest, bottom] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(h)]).areas(area);
        let t = &app.theme;
        let border = match notice.tone {
            Tone::Ok => t.ok,
            Tone::Warn => t.warn,
            Tone::Error => t.danger,
        };
        let mut block = panel(t, &notice.title, border);
        if lines.len() + 2 > usize::from(h) {
            block =
                block.title_bottom(Span::styled(" Esc dismisses · more in the journal ", t.dim));
        }
        frame.render_widget(Paragraph::new(lines).block(block), bottom);
        area = rest;
    }
    let beside = app.walkthrough && area.width >= WALKTHROUGH_BESIDE;
    if beside {
        let [left, right] =
            Layout::horizontal([Constraint::Min(60), Constraint::Length(WALKTHROUGH_WIDTH)])
                .areas(area);
        walkthrough::draw_walkthrough(frame, right, app);
        area = left;
    }
    // Below the table: the walkthrough (when it has no room beside it),
    // else the detail pane.
    let below = app.walkthrough && !beside;
    if app.detail_open() || below {
        let shown = app.visible().len();
        // The table keeps a few rows (the selection stays in view).
        let table_h = u16::try_from(shown.clamp(1, 6) + 3)
            .unwrap_or(9)
            .min((area.height / 3).max(4));
        let [table, lower] =
            Layout::vertical([Constraint::Length(table_h), Constraint::Min(3)]).areas(area);
        draw_table(frame, table, app);
        if below {
            walkthrough::draw_walkthrough(frame, lower, app);
        } else {
            draw_detail(frame, lower, app);
        }
    } else {
        draw_table(frame, area, app);
    }
}

fn notice_lines(app: &OrgApp, notice: &super::state::Notice, w: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for text in &notice.lines {
        let style = if text.starts_with('✗') {
            t.danger
        } else if text.starts_with(' ') {
            t.dim
        } else {
            Style::new()
        };
        for part in wrap(&one_line(text), w.max(8)) {
            lines.push(Line::from(Span::styled(format!(" {part}"), style)));
        }
    }
    lines
}

fn draw_status(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let line = if let Some(pending) = &app.pending {
        Line::from(Span::styled(
            format!(" {} {}", app.spinner(), pending.what),
            t.accent,
        ))
    } else if app.mode == Mode::Filter {
        Line::from(vec![
            Span::styled(format!(" {}", s::FILTER_PROMPT), t.label),
            Span::styled(one_line(&app.filter).into_owned(), t.input),
            Span::styled("▏", t.input),
            Span::styled(format!("  {}", s::FILTER_HELP), t.dim),
        ])
    } else if let Some(status) = &app.status {
        Line::from(Span::styled(format!(" {status}"), t.dim))
    } else if let Some(e) = &app.listing_error {
        Line::from(Span::styled(
            format!(
                " ✗ {}: {} · {}",
                s::LISTING_STOPPED,
                foreign(&e.message),
                one_line(&e.advice)
            ),
            t.danger,
        ))
    } else if let Some(f) = &app.writes_unavailable {
        Line::from(Span::styled(
            format!(
                " {}",
                s::writes_unavailable(&foreign(&f.message), &one_line(&f.fix))
            ),
            t.warn,
        ))
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    let room = usize::from(area.width).saturating_sub(1);
    let hint_width = |(key, hint): &(&str, &str)| width(key) + 1 + width(hint) + 2;
    // `?` and `q` are always offered: they are placed last, the others
    // fill the room left before them.
    let (sticky, others): (Vec<_>, Vec<_>) = keymap::hints(&app.mode, app.demo.is_some())
        .into_iter()
        .partition(|(key, _)| matches!(*key, "?" | "q"));
    let reserved: usize = sticky.iter().map(hint_width).sum();
    for h in &others {
        let w = hint_width(h);
        if used + w + reserved > room {
            break;
        }
        spans.push(Span::styled(h.0, t.key));
        spans.push(Span::raw(format!(" {}  ", h.1)));
        used += w;
    }
    for h in &sticky {
        spans.push(Span::styled(h.0, t.key));
        spans.push(Span::raw(format!(" {}  ", h.1)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_help(frame: &mut Frame, area: Rect, app: &OrgApp, detail: bool) {
    let t = &app.theme;
    let sections = keymap::help_sections(detail, app.demo.is_some());
    let w = 76u16.min(area.width.saturating_sub(2)).max(1);
    let text_w = usize::from(w).saturating_sub(4 + 13).max(12);
    let lines_for = |sections: &[(&str, Vec<&keymap::OrgBinding>)]| {
        let mut lines = Vec::new();
        for (title, bindings) in sections {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled((*title).to_owned(), t.strong)));
            for b in bindings {
                for (i, part) in wrap(b.help, text_w).into_iter().enumerate() {
                    let keys = if i == 0 {
                        let pad = " ".repeat(10usize.saturating_sub(width(b.label)));
                        format!("  {}{pad} ", b.label)
                    } else {
                        " ".repeat(13)
                    };
                    lines.push(Line::from(vec![Span::styled(keys, t.key), Span::raw(part)]));
                }
            }
        }
        lines.push(Line::default());
        lines.push(Line::from(Span::styled(s::HELP_CLOSE, t.dim)));
        lines
    };
    let mut keep = sections.len();
    let mut lines = lines_for(&sections[..keep]);
    // On a short terminal, the sections of other modes go first.
    while lines.len() + 2 > usize::from(area.height) && keep > 1 {
        keep -= 1;
        lines = lines_for(&sections[..keep]);
    }
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let rect = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, rect);
    let block =
        panel(t, s::HELP_TITLE, t.border_focus).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
