//! Drawing. Every function here reads an [`App`] and a frame area; none
//! changes state, waits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Cell, Clear, Paragraph, Row as TableRow, Table, TableState, Wrap,
};

use super::app::{
    App, BannerKind, Confirm, Mode, Report, Row, TypeToDelete, Usage, UsageView, WIDE,
};
use super::keymap;
use super::strings as s;
use super::theme::Theme;
use super::walkthrough::{self, Step};
use crate::domain::policy::{Request, Stage};
use crate::domain::window::ago;
use crate::domain::{KeyStatus, LastUsed, RootKey, View};
use crate::remediate::KeyView;
use crate::render::usage::{LineKind, summary_lines};
use crate::report::RootRow;
use crate::text::one_line;

/// Below this size the view shows only a note asking for more room.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

const LABEL_WIDTH: usize = 11;

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
    match &app.mode {
        Mode::Browse | Mode::Usage(_) => {}
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
        Constraint::Length(table_height(app)),
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

fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = Paragraph::new(s::too_small(MIN_WIDTH, MIN_HEIGHT))
        .style(app.theme.warn)
        .alignment(Alignment::Center)
        .wrap(Wrap { trim: true });
    let middle = area.centered_vertically(Constraint::Length(area.height.min(2)));
    frame.render_widget(text, middle);
}

// ---- text helpers --------------------------------------------------------

/// Greedy word wrap by characters; words longer than the width are split.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            let rest = word.split_off(width);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        let wlen = word.len();
        if len > 0 && len + 1 + wlen > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.extend(word);
        len += wlen;
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn styled_wrap(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, width)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

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
                Span::styled(format!(" {label:<LABEL_WIDTH$}"), theme.label),
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

// ---- header --------------------------------------------------------------

const F_REPORT: &str = "report ";
const REPORT_STALE: &str = "stale";

/// The auditor's verdict rests on the credential report: its age, when it
/// fits whole in `room` columns (the detail pane always says it).
fn report_spans(app: &App, room: usize) -> Vec<Span<'static>> {
    let t = &app.theme;
    let Some((generated, stale)) = app.report_age() else {
        return Vec::new();
    };
    let mut age = format!("{F_REPORT}{}", report_ago(app, generated));
    let look = if stale.is_some() {
        age.push_str(&format!(" {} {REPORT_STALE}", s::MARK_WARN));
        t.warn
    } else {
        t.dim
    };
    if 3 + age.chars().count() > room {
        return Vec::new();
    }
    vec![Span::styled(" · ", t.dim), Span::styled(age, look)]
}

/// How long ago the report was generated, as of the snapshot (a report read
/// after the snapshot is "just now", never "in the future").
fn report_ago(app: &App, generated: DateTime<Utc>) -> String {
    let now = app.snapshot.as_ref().map_or(generated, |snap| snap.now);
    ago((now - generated).max(chrono::TimeDelta::zero()))
}

/// What stands for a fact not known yet: loading, or unknown after an error.
fn pending_text(app: &App) -> &'static str {
    if app.load_error.is_some() && !app.loading {
        s::UNKNOWN
    } else {
        s::LOADING
    }
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let [line1, line2, line3] = Layout::vertical([Constraint::Length(1); 3]).areas(area);

    let mut title = vec![Span::raw(format!(" {} ", s::APP))];
    match &app.snapshot {
        Some(snap) => {
            let id = &snap.inventory.identity;
            let mark = match snap.inventory.view {
                View::Root => s::ROOT_MARK,
                View::Auditor => s::AUDITOR_MARK,
            };
            title.push(Span::raw(format!(
                " {} {} ",
                s::ACCOUNT,
                one_line(&id.account_id)
            )));
            title.push(Span::raw(format!("│ {mark} ")));
            title.push(Span::raw(format!("│ {} ", one_line(&id.arn))));
        }
        None => title.push(Span::raw(format!(" {} {} ", s::ACCOUNT, pending_text(app)))),
    }
    let used: usize = title.iter().map(|sp| sp.content.chars().count()).sum();
    frame.render_widget(Paragraph::new(Line::from(title)).style(t.title), line1);
    if let Some(demo) = &app.demo {
        let room = usize::from(area.width).saturating_sub(used + 1);
        let full = format!(" {} ", s::demo_badge(&demo.scenario));
        let badge = if full.chars().count() <= room {
            Some(full)
        } else {
            let short = format!(" {} ", s::DEMO);
            (short.chars().count() <= room).then_some(short)
        };
        if let Some(badge) = badge {
            frame.render_widget(
                Paragraph::new(Span::styled(badge, t.title)).alignment(Alignment::Right),
                line1,
            );
        }
    }

    let src = &app.source;
    let mut facts: Vec<(&str, String)> = Vec::new();
    if let Some(p) = &src.profile {
        facts.push((s::F_PROFILE, p.clone()));
    }
    if let Some(r) = &src.region {
        facts.push((s::F_REGION, r.clone()));
    }
    if let Some(e) = &src.endpoint {
        facts.push((s::F_ENDPOINT, e.clone()));
    }
    facts.push(("", s::window(app.window)));
    if let Some(snap) = &app.snapshot {
        facts.push((s::F_AS_OF, s::date_time(snap.now)));
    }
    if src.simulated.is_some() {
        facts.push(("", s::SIMULATED.to_owned()));
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (label, value)) in facts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim));
        }
        spans.push(Span::styled(label, t.dim));
        spans.push(Span::raw(one_line(&value).into_owned()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), line2);

    let mut verdict = vec![
        Span::raw(" "),
        Span::styled(s::VERDICT_RULE, t.label),
        Span::raw("  "),
    ];
    match &app.snapshot {
        Some(snap) => {
            let inv = &snap.inventory;
            let (mark, word, style) = if inv.cis_compliant() {
                (s::MARK_OK, s::COMPLIANT, t.ok)
            } else {
                (s::MARK_BAD, s::NOT_COMPLIANT, t.danger)
            };
            verdict.push(Span::styled(format!("{mark} {word}"), style));
            verdict.push(Span::styled(
                format!(" · {}", s::keys_present(inv.root_keys_present())),
                t.dim,
            ));
            let used: usize = verdict.iter().map(|sp| sp.content.chars().count()).sum();
            verdict.extend(report_spans(
                app,
                usize::from(area.width).saturating_sub(used),
            ));
        }
        None => verdict.push(Span::styled(pending_text(app), t.dim)),
    }
    frame.render_widget(Paragraph::new(Line::from(verdict)), line3);
}

// ---- keys table ----------------------------------------------------------

fn table_height(app: &App) -> u16 {
    let rows = app.rows().len();
    if app.snapshot.is_none() {
        return if app.load_error.is_some() { 8 } else { 5 };
    }
    if rows == 0 {
        return 5;
    }
    height_of(rows + 3)
}

fn stage_style(t: &Theme, stage: &Stage) -> Style {
    match stage {
        Stage::Active => t.warn,
        Stage::Observing { .. } => t.accent,
        Stage::ReadyToDelete { .. } => t.ok,
        Stage::Deleted { .. } | Stage::Inactive => t.dim,
    }
}

fn status_style(t: &Theme, status: KeyStatus) -> Style {
    match status {
        KeyStatus::Active => t.warn,
        KeyStatus::Inactive => t.dim,
    }
}

fn draw_table(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let signing = app
        .snapshot
        .as_ref()
        .is_some_and(|s| s.keys.iter().any(|k| k.key.signs_this_session));
    let mut block = panel(t, s::KEYS_TITLE, t.border);
    if signing {
        block = block.title_bottom(Span::styled(format!(" {} ", s::SIGNING_LEGEND), t.warn));
    }
    let Some(snap) = &app.snapshot else {
        let lines = match &app.load_error {
            Some(e) => {
                let width = usize::from(area.width.saturating_sub(4));
                let mut lines =
                    styled_wrap(&format!("{} {}", s::MARK_BAD, e.message), width, t.danger);
                if let Some(advice) = &e.advice {
                    lines.extend(styled_wrap(
                        &format!("{}: {advice}", s::WHAT_TO_DO),
                        width,
                        t.label,
                    ));
                }
                lines.extend(styled_wrap(s::RETRY, width, t.dim));
                lines
            }
            None => vec![Line::from(vec![
                Span::styled(format!("{} ", app.spinner()), t.accent),
                Span::styled(s::LOADING_ACCOUNT, t.dim),
            ])],
        };
        frame.render_widget(
            Paragraph::new(lines).block(block.padding(ratatui::widgets::Padding::horizontal(1))),
            area,
        );
        return;
    };
    let rows = app.rows();
    if rows.is_empty() {
        let text = Paragraph::new(Span::styled(s::NO_KEYS, t.ok))
            .block(block.padding(ratatui::widgets::Padding::horizontal(1)));
        frame.render_widget(text, area);
        return;
    }
    let wide = area.width >= 96;
    let now = snap.now;
    let table_rows: Vec<TableRow> = rows
        .iter()
        .map(|row| match row {
            Row::Key(kv) => key_row(t, kv, now, wide),
            Row::Deleted { key_id, at } => {
                let stage = Stage::Deleted { at: *at };
                let dash = || Cell::from(Span::styled(s::NONE, t.dim));
                let mut cells = vec![Cell::from(Span::styled((*key_id).to_owned(), t.dim))];
                if wide {
                    cells.extend([dash(), dash()]);
                }
                cells.push(dash());
                cells.push(Cell::from(Span::styled(
                    s::stage_cell(&stage, now, !wide),
                    t.dim,
                )));
                TableRow::new(cells)
            }
        })
        .collect();
    // Narrow: the stage says the status, and the detail pane gives the age.
    let mut header = vec![s::COL_KEY];
    let mut widths = vec![Constraint::Length(22)];
    if wide {
        header.extend([s::COL_STATUS, s::COL_AGE]);
        widths.extend([Constraint::Length(9), Constraint::Length(5)]);
    }
    header.extend([s::COL_LAST_USED, s::COL_STAGE]);
    widths.extend([
        Constraint::Min(12),
        Constraint::Length(if wide { 28 } else { 20 }),
    ]);
    let table = Table::new(table_rows, widths)
        .header(TableRow::new(header).style(t.label))
        .block(block)
        .row_highlight_style(t.selected)
        .highlight_symbol(s::SELECT_MARK)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .column_spacing(1);
    let mut state = TableState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

fn key_row(t: &Theme, kv: &KeyView, now: DateTime<Utc>, wide: bool) -> TableRow<'static> {
    let key = &kv.key;
    let mut id = vec![Span::raw(key.label())];
    if key.signs_this_session {
        id.push(Span::styled(format!(" {}", s::SIGNING_MARK), t.warn));
    }
    let mut cells = vec![Cell::from(Line::from(id))];
    if wide {
        let age = key
            .created
            .map_or_else(|| s::NONE.to_owned(), |c| s::age(now - c));
        cells.push(Cell::from(Span::styled(
            key.status.to_string(),
            status_style(t, key.status),
        )));
        cells.push(Cell::from(age));
    }
    cells.push(Cell::from(s::last_used_short(key.last_used.as_ref(), now)));
    cells.push(Cell::from(Span::styled(
        s::stage_cell(&kv.stage, now, !wide),
        stage_style(t, &kv.stage),
    )));
    TableRow::new(cells)
}

// ---- detail and walkthrough ----------------------------------------------

fn draw_main(frame: &mut Frame, area: Rect, app: &App) {
    if let Some(v) = app.usage_view() {
        // Reading the usage takes the whole width: its tables are wide.
        draw_usage(frame, area, app, v);
    } else if app.walkthrough_visible() {
        if area.width >= WIDE {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            draw_detail(frame, left, app);
            draw_walkthrough(frame, right, app);
        } else {
            draw_walkthrough(frame, area, app);
        }
    } else {
        draw_detail(frame, area, app);
    }
}

fn last_used_long(used: Option<&LastUsed>, now: DateTime<Utc>) -> String {
    match used {
        None => s::NEVER.to_owned(),
        Some(u) => format!("{} · {}", s::date(u.date), s::last_used_short(Some(u), now)),
    }
}

/// The report slot of a live key: the one whose last rotation is the key's creation.
fn report_slot<'a>(row: &'a RootRow, key: &RootKey) -> Option<&'a crate::report::ReportKey> {
    if let Some(slot) = key.slot {
        return row.keys.iter().find(|k| k.slot == slot);
    }
    let created = key.created?.timestamp();
    row.keys
        .iter()
        .find(|k| k.last_rotated.is_some_and(|r| r.timestamp() == created))
}

fn report_lines(app: &App, key: &RootKey, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    match &app.report {
        Report::Idle | Report::Loading => {
            let text = format!("{} {}", app.spinner(), s::REPORT_LOADING);
            field(t, s::L_REPORT, &text, t.dim, width)
        }
        Report::Failed(e) => {
            let mut text = s::report_failed(&e.message);
            if let Some(a) = &e.advice {
                text.push_str(&format!(" ({a})"));
            }
            field(t, s::L_REPORT, &text, t.dim, width)
        }
        Report::Ready(row) => {
            let mut lines = match report_slot(row, key) {
                Some(slot) => field(
                    t,
                    s::L_REPORT,
                    &s::report_slot(slot.slot, slot.active, slot.last_rotated),
                    Style::new(),
                    width,
                ),
                None => field(t, s::L_REPORT, s::REPORT_NO_SLOT, t.dim, width),
            };
            let root_style = if row.mfa_active == Some(false) {
                t.warn
            } else {
                Style::new()
            };
            lines.extend(field(
                t,
                s::L_ROOT,
                &s::root_facts(row.mfa_active, row.created),
                root_style,
                width,
            ));
            lines
        }
    }
}

fn detail_lines(app: &App, width: usize) -> (String, Vec<Line<'static>>) {
    let t = &app.theme;
    let Some(snap) = &app.snapshot else {
        return (s::DETAIL_TITLE.to_owned(), Vec::new());
    };
    let now = snap.now;
    let mut lines = Vec::new();
    if snap.inventory.view == View::Auditor {
        let indented = |text: &str, style: Style| {
            styled_wrap(text, width.saturating_sub(2), style)
                .into_iter()
                .map(|l| {
                    let mut spans = vec![Span::raw(" ")];
                    spans.extend(l.spans);
                    Line::from(spans)
                })
                .collect::<Vec<_>>()
        };
        lines.extend(indented(s::AUDITOR_NOTE, t.accent));
        if let Some((generated, stale)) = app.report_age() {
            let text = format!(
                "Credential report generated {} ({}).",
                s::date_time(generated),
                report_ago(app, generated)
            );
            lines.extend(indented(&text, t.dim));
            if let Some(stale) = stale {
                let text = format!(
                    "{} Stale report: {}. What to do: {}.",
                    s::MARK_WARN,
                    stale.reason(),
                    stale.advice()
                );
                lines.extend(indented(&text, t.warn));
            }
        }
        lines.push(Line::default());
    }
    let Some(row) = app.selected_row() else {
        return (s::DETAIL_TITLE.to_owned(), lines);
    };
    let title = row.label();
    match row {
        Row::Key(kv) => lines.extend(key_lines(
            app,
            kv,
            now,
            snap.inventory.view == View::Root,
            width,
        )),
        Row::Deleted { at, .. } => {
            lines.extend(field(
                t,
                s::L_DELETED,
                &s::date_time(at),
                Style::new(),
                width,
            ));
            lines.extend(field(t, "", s::DELETED_BY_JOURNAL, t.dim, width));
            lines.push(Line::default());
            let stage = Stage::Deleted { at };
            let next = crate::domain::policy::next_step(&stage, true, false, now);
            lines.extend(field(
                t,
                s::L_NEXT,
                s::next_label(None, &stage, true),
                t.strong,
                width,
            ));
            lines.extend(field(t, "", &next.why, Style::new(), width));
        }
    }
    (title, lines)
}

fn key_lines(
    app: &App,
    kv: &KeyView,
    now: DateTime<Utc>,
    root: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let key = &kv.key;
    if key.access_key_id.is_none() {
        lines.extend(field(t, s::L_KEY_ID, s::KEY_ID_UNKNOWN, t.dim, width));
    }
    lines.extend(field(
        t,
        s::L_STATUS,
        &key.status.to_string(),
        status_style(t, key.status),
        width,
    ));
    let created = key
        .created
        .map_or_else(|| s::UNKNOWN.to_owned(), |c| s::created(c, now));
    lines.extend(field(t, s::L_CREATED, &created, Style::new(), width));
    lines.extend(field(
        t,
        s::L_LAST_USED,
        &last_used_long(key.last_used.as_ref(), now),
        Style::new(),
        width,
    ));
    if let Some(usage) = key
        .access_key_id
        .as_deref()
        .and_then(|id| app.usage.get(id))
    {
        let (text, style) = usage_brief(app, usage);
        lines.extend(field(t, s::L_USAGE, &text, style, width));
    }
    lines.extend(field(
        t,
        s::L_STAGE,
        &kv.stage.describe(now),
        stage_style(t, &kv.stage),
        width,
    ));
    match &kv.stage {
        Stage::Observing { since, until } => {
            lines.extend(field(
                t,
                s::L_WINDOW,
                &s::window_ends(*until, now),
                Style::new(),
                width,
            ));
            lines.extend(field(t, "", &s::window_began(*since, *until), t.dim, width));
        }
        Stage::ReadyToDelete { since } => {
            lines.extend(field(
                t,
                s::L_WINDOW,
                &s::window_ends(*since, now),
                Style::new(),
                width,
            ));
        }
        _ => {}
    }
    if key.signs_this_session {
        lines.extend(field(t, s::L_SESSION, s::SIGNS_SESSION, t.warn, width));
    }
    lines.extend(report_lines(app, key, width));
    if let Some(note) = key.access_key_id.as_deref().and_then(|id| app.note(id)) {
        lines.extend(field(t, s::L_NOTE, note, t.dim, width));
    }
    lines.push(Line::default());
    lines.extend(field(
        t,
        s::L_NEXT,
        s::next_label(kv.next.action, &kv.stage, root),
        t.strong,
        width,
    ));
    lines.extend(field(t, "", &kv.next.why, Style::new(), width));
    lines
}

/// The key facts' one line on a usage search (`u` shows it all).
fn usage_brief(app: &App, usage: &Usage) -> (String, Style) {
    let t = &app.theme;
    match usage {
        Usage::Loading(progress) => (
            format!("{} {}", app.spinner(), s::usage_brief_searching(*progress)),
            t.dim,
        ),
        Usage::Failed(_) => (s::USAGE_BRIEF_FAILED.to_owned(), t.danger),
        Usage::Ready(report) => {
            let ips: std::collections::BTreeSet<&str> = report
                .by_caller
                .iter()
                .filter_map(|c| c.source_ip.as_deref())
                .collect();
            let missing: Vec<&str> = report
                .regions
                .iter()
                .filter(|r| r.status != crate::domain::usage::RegionStatus::Ok)
                .map(|r| r.region.as_str())
                .collect();
            let style = if missing.is_empty() {
                Style::new()
            } else {
                t.warn
            };
            (
                crate::text::one_line(&s::usage_brief(
                    report.total_events(),
                    report.days,
                    ips.len(),
                    &missing,
                ))
                .into_owned(),
                style,
            )
        }
    }
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let (title, lines) = detail_lines(app, width);
    let block = panel(t, &title, t.border);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_walkthrough(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(4));
    let current = app.step();
    let loaded = app.snapshot.is_some();
    let mut lines = Vec::new();
    for step in Step::ALL {
        let (mark, style) = if step == current {
            (s::STEP_CURRENT, t.step_current)
        } else if loaded && step.number() < current.number() && step != Step::Backout {
            (s::STEP_DONE, t.ok)
        } else {
            (" ", t.dim)
        };
        let mark_style = if step == current { t.accent } else { style };
        lines.push(Line::from(vec![
            Span::styled(format!(" {mark} "), mark_style),
            Span::styled(format!("{}. {}", step.number(), step.title()), style),
        ]));
    }
    lines.push(Line::default());
    if let Some(section) = walkthrough::section(current) {
        for (i, para) in section.paras.iter().enumerate() {
            if i > 0 {
                lines.push(Line::default());
            }
            let text = match &para.label {
                Some(label) => format!("{label}: {}", para.text),
                None => para.text.clone(),
            };
            for (j, part) in wrap(&text, width).into_iter().enumerate() {
                let line = match (&para.label, j) {
                    (Some(label), 0) if part.starts_with(label.as_str()) => {
                        let rest = part[label.len()..].to_owned();
                        Line::from(vec![
                            Span::raw(" "),
                            Span::styled(label.clone(), t.strong),
                            Span::raw(rest),
                        ])
                    }
                    _ => Line::from(vec![Span::raw(" "), Span::raw(part)]),
                };
                lines.push(line);
            }
        }
    }
    let block = panel(t, s::WALKTHROUGH_TITLE, t.border);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

// ---- usage view --------------------------------------------------------------

/// Like [`wrap`], but keeping the spaces that align columns; continuation
/// lines are indented by `indent`. Breaks between columns, else at a
/// space, else mid-word.
pub fn wrap_hanging(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(1);
    let indent = if indent + 8 > width { 0 } else { indent };
    let mut rest: Vec<char> = text.trim_end().chars().collect();
    let mut lines = Vec::new();
    let mut first = true;
    loop {
        let room = if first { width } else { width - indent };
        let pad = if first { "" } else { &" ".repeat(indent) };
        if rest.len() <= room {
            lines.push(format!("{pad}{}", rest.iter().collect::<String>()));
            return lines;
        }
        // Break between columns (two spaces) if that keeps a third of the
        // line, else at the last space, else mid-word.
        let lead = rest.iter().take_while(|c| **c == ' ').count();
        let gap = (lead.max(room / 3) + 1..=room)
            .rev()
            .find(|&i| rest[i] == ' ' && rest[i - 1] == ' ');
        let cut = gap
            .or_else(|| (lead + 1..=room).rev().find(|&i| rest[i] == ' '))
            .unwrap_or(room);
        let line: String = rest[..cut].iter().collect();
        lines.push(format!("{pad}{}", line.trim_end()));
        rest.drain(..cut);
        let spaces = rest.iter().take_while(|c| **c == ' ').count();
        rest.drain(..spaces);
        first = false;
    }
}

/// `██████░░░░` for `done` of `total`.
fn gauge(done: usize, total: usize, width: usize) -> String {
    let filled = (done.min(total) * width + total / 2)
        .checked_div(total)
        .unwrap_or(0);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

/// What the usage view shows for `key_id` at `width` (inside the border).
pub fn usage_lines(app: &App, key_id: &str, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    // A space either side, inside the border.
    let width = width.saturating_sub(2).max(1);
    let pad = |spans: Vec<Span<'static>>| {
        let mut line = vec![Span::raw(" ")];
        line.extend(spans);
        Line::from(line)
    };
    let text = |text: &str, style: Style, indent: usize| -> Vec<Line<'static>> {
        wrap_hanging(text, width, indent)
            .into_iter()
            .map(|l| pad(vec![Span::styled(l, style)]))
            .collect()
    };
    let mut lines = Vec::new();
    match app.usage.get(key_id) {
        None => {}
        Some(Usage::Loading(progress)) => {
            lines.extend(text(
                &format!("{} {}", app.spinner(), s::usage_searching(key_id)),
                t.strong,
                2,
            ));
            lines.extend(text(&format!("  {}", s::USAGE_SCOPE), t.dim, 2));
            lines.push(Line::default());
            let label = |l: &str| Span::styled(format!("   {l:<9}"), t.label);
            match progress {
                None => lines.push(pad(vec![
                    label(s::L_REGIONS),
                    Span::styled(s::USAGE_LISTING_REGIONS, t.dim),
                ])),
                Some(p) => {
                    let bar = 24.min(width.saturating_sub(32)).max(4);
                    lines.push(pad(vec![
                        label(s::L_REGIONS),
                        Span::styled(gauge(p.regions_done, p.regions_total, bar), t.accent),
                        Span::raw(format!("  {}", s::usage_regions_done(*p))),
                    ]));
                    lines.push(pad(vec![
                        label(s::L_EVENTS),
                        Span::raw(s::usage_events_so_far(p.events_so_far)),
                    ]));
                }
            }
            lines.push(Line::default());
            lines.extend(text(s::USAGE_PACE, t.dim, 0));
        }
        Some(Usage::Failed(e)) => {
            lines.extend(text(
                &format!("{} {}: {}", s::MARK_BAD, s::USAGE_FAILED, e.message),
                t.danger,
                2,
            ));
            if let Some(advice) = &e.advice {
                lines.extend(text(&format!("{}: {advice}", s::WHAT_TO_DO), t.label, 2));
            }
            lines.push(Line::default());
            lines.extend(text(s::USAGE_RETRY, t.dim, 0));
        }
        Some(Usage::Ready(report)) => {
            for line in summary_lines(report, report.to) {
                let style = match line.kind {
                    LineKind::Title | LineKind::Heading => t.strong,
                    LineKind::Incomplete | LineKind::FailedRegion => t.warn,
                    LineKind::Columns => t.label,
                    LineKind::Nothing => t.accent,
                    LineKind::Limit => t.dim,
                    LineKind::Row | LineKind::Blank => Style::new(),
                };
                if line.kind == LineKind::Blank {
                    lines.push(Line::default());
                } else {
                    lines.extend(text(&line.text, style, line.hanging_indent()));
                }
            }
        }
    }
    lines
}

fn draw_usage(frame: &mut Frame, area: Rect, app: &App, v: &UsageView) {
    let t = &app.theme;
    let lines = usage_lines(app, &v.key_id, usize::from(area.width.saturating_sub(2)));
    let visible = usize::from(area.height.saturating_sub(2));
    let total = lines.len();
    let first = v.scroll.min(total.saturating_sub(visible));
    let title = s::usage_title(&v.key_id);
    let mut block = panel(t, &title, t.border_focus);
    if total > visible {
        let position = s::scroll_position(first + 1, (first + visible).min(total), total);
        block = block.title_bottom(
            Line::from(Span::styled(format!(" {position} "), t.dim)).alignment(Alignment::Right),
        );
    }
    let scroll = u16::try_from(first).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), area);
}

// ---- status and footer -----------------------------------------------------

fn status_lines(app: &App, width: u16) -> Vec<Line<'static>> {
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

fn draw_footer(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let busy = app.busy_text().map(|b| format!("{} {b} ", app.spinner()));
    let busy_len = busy.as_ref().map_or(0, |b| b.chars().count());
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
            let len = key.chars().count() + word.chars().count() + 3;
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

// ---- overlays --------------------------------------------------------------

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
    lines.extend(styled_wrap(s::SIGNING_WARNING, width, t.warn));
    if !others.is_empty() {
        lines.extend(styled_wrap(&s::other_active(others), width, t.warn));
    }
    lines
}

fn draw_confirm(frame: &mut Frame, area: Rect, app: &App, c: &Confirm) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let mut lines = styled_wrap(&s::consequence(c.request, app.window), width, Style::new());
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

fn draw_typed(frame: &mut Frame, area: Rect, app: &App, d: &TypeToDelete) {
    let t = &app.theme;
    let outer = 74u16.min(area.width.saturating_sub(2));
    let width = usize::from(outer.saturating_sub(4));
    let request = Request::Delete { force: false };
    let mut lines = styled_wrap(&s::consequence(request, app.window), width, Style::new());
    if d.signs_session {
        lines.extend(signing_lines(t, &[], width));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s::TYPE_PROMPT, t.strong)));
    let input_row = lines.len();
    let shown: String = {
        let chars: Vec<char> = d.input.chars().collect();
        let room = width.saturating_sub(3);
        chars[chars.len().saturating_sub(room)..].iter().collect()
    };
    let pad = width.saturating_sub(2 + shown.chars().count());
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
    let x = rect.x + 2 + 2 + u16::try_from(shown.chars().count()).unwrap_or(0);
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
                Span::styled(format!("  {:<10} ", b.label), t.key),
                Span::raw(b.help),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s::HELP_CLOSE, t.dim)));
    lines
}

fn draw_help(frame: &mut Frame, area: Rect, app: &App) {
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

fn draw_ended(frame: &mut Frame, area: Rect, app: &App, key_id: &str, request: Request) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_hanging_keeps_columns_and_indents() {
        let row = "      89  s3 GetBucketLocation   2026-08-28 09:56  2026-11-24 09:56 (1 day ago)";
        assert_eq!(
            wrap_hanging(row, 60, 10),
            vec![
                "      89  s3 GetBucketLocation   2026-08-28 09:56",
                "          2026-11-24 09:56 (1 day ago)"
            ]
        );
        assert_eq!(
            wrap_hanging("  - one two three four", 12, 4),
            vec!["  - one two", "    three", "    four"]
        );
        assert_eq!(wrap_hanging("short", 10, 4), vec!["short"]);
        assert_eq!(wrap_hanging("abcdefghij", 4, 0), vec!["abcd", "efgh", "ij"]);
        // A narrow width drops the indent rather than looping.
        assert!(
            wrap_hanging("a b c d e f g h", 3, 10)
                .iter()
                .all(|l| l.len() <= 3)
        );
    }

    #[test]
    fn wrap_keeps_words_and_splits_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("x", 0), vec!["x"]);
    }
}
