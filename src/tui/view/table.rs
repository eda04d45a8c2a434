//! The keys table (or, before the first load, the loading note or the
//! load error). Reads the [`App`]; never changes it, awaits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table, TableState};

use super::text::styled_wrap;
use super::{height_of, panel};
use crate::domain::KeyStatus;
use crate::domain::policy::Stage;
use crate::remediate::KeyView;
use crate::tui::app::{App, Row};
use crate::tui::strings as s;
use crate::tui::theme::Theme;

pub(super) fn table_height(app: &App) -> u16 {
    let rows = app.rows().len();
    if app.snapshot.is_none() {
        return if app.load_error.is_some() { 8 } else { 5 };
    }
    if rows == 0 {
        return 5;
    }
    height_of(rows + 3)
}

pub(super) fn stage_style(t: &Theme, stage: &Stage) -> Style {
    match stage {
        Stage::Active => t.warn,
        Stage::Observing { .. } => t.accent,
        Stage::ReadyToDelete { .. } => t.ok,
        Stage::Deleted { .. } | Stage::Inactive => t.dim,
    }
}

pub(super) fn status_style(t: &Theme, status: KeyStatus) -> Style {
    match status {
        KeyStatus::Active => t.warn,
        KeyStatus::Inactive => t.dim,
    }
}

pub(super) fn draw_table(frame: &mut Frame, area: Rect, app: &App) {
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
