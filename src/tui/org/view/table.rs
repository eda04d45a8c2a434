//! The accounts table: a mark column, the account, its stage and, as room
//! allows, the name, last use, errors and key counts (dropped in that
//! order of priority from the right).

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

use super::{panel, width};
use crate::domain::KeyStatus;
use crate::domain::window::ago;
use crate::org::model::{MemberRow, Verdict};
use crate::org::stage::OrgStage;
use crate::text::{foreign, one_line};
use crate::tui::org::state::OrgApp;
use crate::tui::org::strings as s;
use crate::tui::theme::Theme;

pub(super) fn verdict_style(t: &Theme, verdict: Verdict) -> Style {
    match verdict {
        Verdict::ActiveKeys | Verdict::Unknown => t.danger,
        Verdict::InactiveKeys => t.warn,
        Verdict::NotAudited => t.dim,
        Verdict::Compliant => t.ok,
    }
}

pub(super) fn stage_style(t: &Theme, stage: OrgStage, verdict: Verdict) -> Style {
    match stage {
        OrgStage::KeysPresent | OrgStage::Unknown => t.danger,
        OrgStage::Quarantined { .. } | OrgStage::Deleted => t.warn,
        OrgStage::Ready { .. } => t.accent,
        OrgStage::Compliant => t.ok,
        OrgStage::Management => verdict_style(t, verdict),
    }
}

/// The stage cell's text and style: the account's stage once read, else
/// what the audit's row says.
pub(super) fn stage_cell(app: &OrgApp, row: &MemberRow) -> (String, Style) {
    let t = &app.theme;
    let verdict = row.verdict();
    match app.states.get(&row.account_id) {
        // A key used after the quarantine began: a consumer just failed.
        Some(state) if !state.used_since.is_empty() => (
            format!("{} {}", state.stage.describe(app.now), s::USED_MARK),
            t.danger,
        ),
        Some(state) if state.stage != OrgStage::Management => (
            state.stage.describe(app.now),
            stage_style(t, state.stage, verdict),
        ),
        _ => (s::stage(verdict).to_owned(), verdict_style(t, verdict)),
    }
}

pub(super) fn counts(row: &MemberRow) -> (usize, usize) {
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

/// The optional columns, most useful first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Name,
    LastUsed,
    Error,
    Active,
    Inactive,
}

const NAME_MIN: usize = 16;
const NAME_WANT: usize = 22;
const ERROR_MIN: usize = 18;

fn col_width(col: Col) -> usize {
    match col {
        Col::Name => NAME_MIN,
        Col::LastUsed => 15,
        Col::Error => ERROR_MIN,
        Col::Active => 6,
        Col::Inactive => 8,
    }
}

/// One account's row: the cells of the columns shown.
fn row_cells<'a>(
    app: &OrgApp,
    row: &MemberRow,
    (stage, stage_style): (String, Style),
    has: &dyn Fn(Col) -> bool,
) -> Row<'a> {
    let t = &app.theme;
    let (active, inactive) = counts(row);
    let known = row.root_keys_present().is_some();
    let count = |n: usize| {
        if known || n > 0 {
            n.to_string()
        } else {
            s::UNKNOWN.to_owned()
        }
    };
    let mark = if app.marked.contains(&row.account_id) {
        s::MARK
    } else {
        ""
    };
    let mut cells = vec![
        Cell::from(mark).style(t.accent),
        Cell::from(one_line(&row.account_id).into_owned()),
    ];
    if has(Col::Name) {
        let mut name = one_line(&row.name).into_owned();
        if row.management {
            name = format!("{name} ({})", s::MGMT_MARK);
        }
        cells.push(Cell::from(name));
    }
    cells.push(Cell::from(stage).style(stage_style));
    if has(Col::LastUsed) {
        cells.push(Cell::from(last_used_cell(app, row)));
    }
    if has(Col::Active) {
        cells.push(Cell::from(count(active)).style(if active > 0 {
            t.danger
        } else {
            Style::new()
        }));
    }
    if has(Col::Inactive) {
        cells.push(Cell::from(count(inactive)).style(if inactive > 0 {
            t.warn
        } else {
            Style::new()
        }));
    }
    if has(Col::Error) {
        let error = row
            .error
            .as_ref()
            .map(|e| s::error_short(e.kind, &one_line(&foreign(&e.message))))
            .unwrap_or_default();
        cells.push(Cell::from(error).style(t.danger));
    }
    Row::new(cells)
}

/// The optional columns that fit, and the widths of the flexible ones.
struct Columns {
    cols: Vec<Col>,
    name_w: usize,
    error_w: usize,
}

/// Always the highlight, the mark, the account and the stage; then the
/// optional columns by priority while they fit; what is left widens the
/// name (up to its wish), then the error.
fn columns(inner: usize, stage_w: usize, any_error: bool) -> Columns {
    let always = 2 + 1 + 1 + 12 + 1 + stage_w;
    let mut room = inner.saturating_sub(always);
    let mut cols = Vec::new();
    for col in [
        Col::Name,
        Col::LastUsed,
        Col::Error,
        Col::Active,
        Col::Inactive,
    ] {
        if col == Col::Error && !any_error {
            continue;
        }
        let need = col_width(col) + 1;
        if room >= need {
            room -= need;
            cols.push(col);
        }
    }
    let name_w = if cols.contains(&Col::Name) {
        let extra = if cols.contains(&Col::Error) {
            room.min(NAME_WANT - NAME_MIN)
        } else {
            room
        };
        room -= extra;
        NAME_MIN + extra
    } else {
        0
    };
    let error_w = if cols.contains(&Col::Error) {
        ERROR_MIN + room
    } else {
        0
    };
    Columns {
        cols,
        name_w,
        error_w,
    }
}

pub(super) fn draw_table(frame: &mut Frame, area: Rect, app: &OrgApp) {
    let t = &app.theme;
    let visible = app.visible();
    let mut title = s::accounts_title(
        visible.len(),
        app.rows.len(),
        &one_line(&app.filter),
        app.non_compliant_only,
    );
    if !app.marked.is_empty() {
        title.push_str(&format!(" · {} marked", app.marked.len()));
    }
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
    let stages: Vec<(String, Style)> = visible.iter().map(|r| stage_cell(app, r)).collect();
    let stage_w = stages
        .iter()
        .map(|(text, _)| width(text))
        .chain([width(s::COL_STAGE)])
        .max()
        .unwrap_or(13)
        .min(30);
    let any_error = visible.iter().any(|r| r.error.is_some());
    let Columns {
        cols,
        name_w,
        error_w,
    } = columns(
        usize::from(area.width.saturating_sub(2)),
        stage_w,
        any_error,
    );
    let has = |c: Col| cols.contains(&c);
    let len = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(10));
    let mut header = vec![s::COL_MARK, s::COL_ACCOUNT];
    let mut widths = vec![len(1), len(12)];
    // Columns in reading order: account, name, stage, the rest.
    if has(Col::Name) {
        header.push(s::COL_NAME);
        widths.push(len(name_w));
    }
    header.push(s::COL_STAGE);
    widths.push(len(stage_w));
    for col in [Col::LastUsed, Col::Active, Col::Inactive, Col::Error] {
        if has(col) {
            header.push(match col {
                Col::LastUsed => s::COL_LAST_USED,
                Col::Active => s::COL_ACTIVE,
                Col::Inactive => s::COL_INACTIVE,
                _ => s::COL_ERROR,
            });
            widths.push(len(if col == Col::Error {
                error_w
            } else {
                col_width(col)
            }));
        }
    }
    let rows: Vec<Row> = visible
        .iter()
        .zip(stages)
        .map(|(row, stage)| row_cells(app, row, stage, &has))
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
