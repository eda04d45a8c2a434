//! Drawing the organization view: header, progress, the accounts table,
//! the detail pane, the status line, the footer, the help. Reads an
//! [`OrgApp`]; never changes it, awaits or does I/O.
//!
//! Text from AWS (names, IDs, ARNs, error messages) goes through
//! `crate::text` before it reaches the screen.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Cell, Clear, HighlightSpacing, Paragraph, Row, Table, TableState, Wrap,
};
use unicode_width::UnicodeWidthStr;

use super::keymap;
use super::state::{Mode, OrgApp, Phase};
use super::strings as s;
use crate::domain::KeyStatus;
use crate::domain::window::ago;
use crate::org::model::{MemberRow, Source, Verdict};
use crate::text::{foreign, one_line};
use crate::tui::theme::Theme;
use crate::tui::view::wrap;

/// Below this size the view shows only a note asking for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// Width of the detail pane's labels.
const LABEL_WIDTH: usize = 11;

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
    if let Mode::Help(back) = &app.mode {
        draw_help(frame, area, app, matches!(**back, Mode::Detail { .. }));
    }
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
    if app.detail_open() {
        let shown = app.visible().len();
        // The table keeps a few rows (the selection stays in view).
        let table_h = u16::try_from(shown.clamp(1, 6) + 3)
            .unwrap_or(9)
            .min((area.height / 3).max(4));
        let [table, detail] =
            Layout::vertical([Constraint::Length(table_h), Constraint::Min(3)]).areas(area);
        draw_table(frame, table, app);
        draw_detail(frame, detail, app);
    } else {
        draw_table(frame, area, app);
    }
}

fn stage_style(t: &Theme, verdict: Verdict) -> Style {
    match verdict {
        Verdict::ActiveKeys | Verdict::Unknown => t.danger,
        Verdict::InactiveKeys => t.warn,
        Verdict::NotAudited => t.dim,
        Verdict::Compliant => t.ok,
    }
}

fn counts(row: &MemberRow) -> (usize, usize) {
    let active = row
        .keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .count();
    (active, row.keys.len() - active)
}

fn last_used_cell(app: &OrgApp, row: &MemberRow) -> String {
    if row.keys.is_empty() {
        return String::new();
    }
    row.last_used().map_or_else(
        || s::NEVER.to_owned(),
        |u| ago((app.now - u.date).max(chrono::TimeDelta::zero())),
    )
}

fn draw_table(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let visible = app.visible();
    let title = s::accounts_title(
        visible.len(),
        app.rows.len(),
        &one_line(&app.filter),
        app.non_compliant_only,
    );
    let border = if app.detail_open() {
        t.border
    } else {
        t.border_focus
    };
    let block = panel(t, &title, border);
    if visible.is_empty() {
        let text = if app.rows.is_empty() {
            s::NO_ROWS_YET
        } else {
            s::NO_MATCH
        };
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {text}"), t.dim)).block(block),
            area,
        );
        return;
    }
    // Fixed columns; the name takes what is left, and the error column
    // appears when there is room for it.
    let inner = usize::from(area.width.saturating_sub(2));
    let fixed = 2 + 12 + 6 + 8 + 13 + 13 + 5;
    let rest = inner.saturating_sub(fixed);
    let (name_w, error_w) = if rest >= 50 {
        (22, rest - 23)
    } else {
        (rest, 0)
    };
    let mut header = vec![
        s::COL_ACCOUNT,
        s::COL_NAME,
        s::COL_ACTIVE,
        s::COL_INACTIVE,
        s::COL_LAST_USED,
        s::COL_STAGE,
    ];
    let mut widths = vec![
        Constraint::Length(12),
        Constraint::Length(u16::try_from(name_w).unwrap_or(10)),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(13),
        Constraint::Length(13),
    ];
    if error_w > 0 {
        header.push(s::COL_ERROR);
        widths.push(Constraint::Length(u16::try_from(error_w).unwrap_or(10)));
    }
    let rows: Vec<Row> = visible
        .iter()
        .map(|row| {
            let verdict = row.verdict();
            let (active, inactive) = counts(row);
            let known = row.root_keys_present().is_some();
            let count = |n: usize| {
                if known || n > 0 {
                    n.to_string()
                } else {
                    s::UNKNOWN.to_owned()
                }
            };
            let mut name = one_line(&row.name).into_owned();
            if row.management {
                name = format!("{name} ({})", s::MGMT_MARK);
            }
            let mut cells = vec![
                Cell::from(one_line(&row.account_id).into_owned()),
                Cell::from(name),
                Cell::from(count(active)).style(if active > 0 { t.danger } else { Style::new() }),
                Cell::from(count(inactive)).style(if inactive > 0 { t.warn } else { Style::new() }),
                Cell::from(last_used_cell(app, row)),
                Cell::from(s::stage(verdict)).style(stage_style(t, verdict)),
            ];
            if error_w > 0 {
                let error = row
                    .error
                    .as_ref()
                    .map(|e| s::error_short(e.kind, &one_line(&foreign(&e.message))))
                    .unwrap_or_default();
                cells.push(Cell::from(error).style(t.danger));
            }
            Row::new(cells)
        })
        .collect();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.label))
        .block(block)
        .row_highlight_style(t.selected)
        .highlight_symbol("▶ ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected(app.selected_index());
    frame.render_stateful_widget(table, area, &mut state);
}

/// `Label      value` with the value wrapped under itself.
fn field(t: &Theme, label: &str, value: &str, style: Style, width: usize) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(LABEL_WIDTH + 1).max(8);
    wrap(value, value_width)
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let label = if i == 0 { label } else { "" };
            let pad = " ".repeat(LABEL_WIDTH.saturating_sub(width_of(label)));
            Line::from(vec![
                Span::styled(format!(" {label}{pad}"), t.label),
                Span::styled(part, style),
            ])
        })
        .collect()
}

fn width_of(text: &str) -> usize {
    width(text)
}

/// One line (wrapped) per key: ID or slot, status, created, last use.
fn key_lines(app: &OrgApp, row: &MemberRow, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    for (i, key) in row.keys.iter().enumerate() {
        let created = key
            .created
            .map_or_else(|| "?".to_owned(), |c| c.format("%Y-%m-%d").to_string());
        let used = key.last_used.as_ref().map_or_else(
            || s::NEVER.to_owned(),
            |u| {
                let mut text = format!(
                    "{} · {}",
                    u.date.format("%Y-%m-%d"),
                    ago((app.now - u.date).max(chrono::TimeDelta::zero()))
                );
                for part in [&u.service, &u.region].into_iter().flatten() {
                    text.push_str(&format!(" · {}", one_line(part)));
                }
                text
            },
        );
        let text = format!(
            "{} {} · created {created} · last used {used}",
            one_line(&key.label()),
            key.status
        );
        let style = if key.status == KeyStatus::Active {
            t.danger
        } else {
            t.warn
        };
        let label = if i == 0 { s::F_KEYS } else { "" };
        lines.extend(field(t, label, &text, style, width));
    }
    lines
}

/// The detail pane's lines for `row` at `width` columns.
pub fn detail_lines(app: &OrgApp, row: &MemberRow, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let mut account = one_line(&row.account_id).into_owned();
    if !row.name.is_empty() {
        account.push_str(&format!(" · {}", one_line(&row.name)));
    }
    account.push_str(&format!(" · {}", row.status));
    if row.management {
        account.push_str(" · management account");
    }
    lines.extend(field(t, s::F_ACCOUNT, &account, t.strong, width));
    let verdict = row.verdict();
    let (active, inactive) = counts(row);
    lines.extend(field(
        t,
        s::F_STAGE,
        &format!(
            "{} · {}",
            s::stage(verdict),
            s::keys_count(row.root_keys_present(), active, inactive)
        ),
        stage_style(t, verdict),
        width,
    ));
    if let Some(e) = &row.error {
        lines.extend(field(t, s::F_ERROR, &foreign(&e.message), t.danger, width));
        lines.extend(field(
            t,
            s::F_ADVICE,
            &one_line(&e.advice),
            Style::new(),
            width,
        ));
    }
    let keys_value = if row.keys.is_empty() {
        if row.root_keys_present().is_some() {
            s::NO_KEYS
        } else {
            s::KEYS_UNKNOWN
        }
    } else {
        ""
    };
    if row.keys.is_empty() {
        lines.extend(field(t, s::F_KEYS, keys_value, t.dim, width));
    }
    lines.extend(key_lines(app, row, width));
    if let Some(note) = &row.note {
        // The management account's note says how its keys are removed.
        let (label, style) = if row.management {
            (s::F_ADVICE, t.accent)
        } else {
            (s::F_NOTE, t.dim)
        };
        lines.extend(field(t, label, &one_line(note), style, width));
    }
    let read = match row.source {
        Source::AssumeRoot => s::READ_ASSUME_ROOT,
        Source::CredentialReport => s::READ_REPORT,
        Source::None => s::READ_NONE,
    };
    lines.extend(field(t, s::F_READ, read, t.dim, width));
    lines.extend(field(
        t,
        s::F_MFA,
        s::on_off(row.mfa_enabled),
        Style::new(),
        width,
    ));
    if row.source == Source::AssumeRoot || row.password_present.is_some() {
        lines.extend(field(
            t,
            s::F_PASSWORD,
            s::yes_no(row.password_present),
            Style::new(),
            width,
        ));
    }
    if let Some(note) = app.demo_note(&row.account_id) {
        lines.extend(field(t, s::F_DEMO_NOTE, &one_line(note), t.accent, width));
    }
    lines
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let Some(row) = app.selected_row() else {
        let block = panel(t, s::F_ACCOUNT, t.border_focus);
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" {}", s::DETAIL_HINT), t.dim)).block(block),
            area,
        );
        return;
    };
    let title = if row.name.is_empty() {
        one_line(&row.account_id).into_owned()
    } else {
        format!("{} · {}", one_line(&row.account_id), one_line(&row.name))
    };
    let lines = detail_lines(app, row, usize::from(area.width.saturating_sub(3)));
    let room = usize::from(area.height.saturating_sub(2));
    let max_scroll = u16::try_from(lines.len().saturating_sub(room)).unwrap_or(0);
    let mut block = panel(t, &title, t.border_focus);
    if app.detail_scroll() < max_scroll {
        block = block.title_bottom(Span::styled(format!(" {} ", s::MORE_BELOW), t.dim));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((app.detail_scroll().min(max_scroll), 0)),
        area,
    );
}

fn draw_status(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let line = if app.mode == Mode::Filter {
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
    let (sticky, others): (Vec<_>, Vec<_>) = keymap::hints(&app.mode)
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
    let sections = keymap::help_sections(detail);
    let lines_for = |sections: &[(&str, &[keymap::OrgBinding])]| {
        let mut lines = Vec::new();
        for (title, bindings) in sections {
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::from(Span::styled((*title).to_owned(), t.strong)));
            for b in *bindings {
                let pad = " ".repeat(10usize.saturating_sub(width(b.label)));
                lines.push(Line::from(vec![
                    Span::styled(format!("  {}{pad} ", b.label), t.key),
                    Span::raw(b.help),
                ]));
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
    let w = 64u16.min(area.width.saturating_sub(2)).max(1);
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let rect = area.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, rect);
    let block =
        panel(t, s::HELP_TITLE, t.border_focus).padding(ratatui::widgets::Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
