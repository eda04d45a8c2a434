//! The keys table (or, before the first load, the loading note or the
//! load error). Reads the [`App`]; never changes it, awaits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table, TableState};

use super::text::{clip_parts, ellipsize, styled_wrap, width};
use super::{height_of, panel};
use crate::domain::KeyStatus;
use crate::domain::policy::Stage;
use crate::tui::app::{App, Row};
use crate::tui::strings as s;
use crate::tui::theme::Theme;

/// The keys panel's height at `width` columns: its rows, or all of the
/// load error's lines.
pub(super) fn table_height(app: &App, width: u16) -> u16 {
    let rows = app.rows().len();
    if app.snapshot.is_none() {
        return if app.load_error.is_some() {
            height_of(error_lines(app, usize::from(width.saturating_sub(4))).len() + 2).max(8)
        } else {
            5
        };
    }
    if rows == 0 {
        return 5;
    }
    height_of(rows + 3)
}

/// The load error, what to do, and how to retry, at `width` columns.
fn error_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(e) = &app.load_error else {
        return Vec::new();
    };
    let mut lines = styled_wrap(&format!("{} {}", s::MARK_BAD, e.message), width, t.danger);
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
            Some(_) => error_lines(app, usize::from(area.width.saturating_sub(4))),
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
    let now = snap.now;
    let cells: Vec<RowCells> = rows.iter().map(|row| row_cells(t, row, now)).collect();
    // Inside the border, after the selection mark.
    // Inside the border, after the selection mark, a space before the border.
    let room = usize::from(area.width.saturating_sub(3)).saturating_sub(width(s::SELECT_MARK));
    let plan = plan_columns(&cells, room);
    let header: Vec<&str> = plan.iter().map(|(c, _)| c.header()).collect();
    let widths: Vec<Constraint> = plan
        .iter()
        .map(|(_, w)| Constraint::Length(u16::try_from(*w).unwrap_or(u16::MAX)))
        .collect();
    let table_rows: Vec<TableRow> = cells
        .iter()
        .map(|row| {
            TableRow::new(
                plan.iter()
                    .map(|(col, w)| row.cell(*col, *w))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let table = Table::new(table_rows, widths)
        .header(TableRow::new(header).style(t.label))
        .block(block)
        .row_highlight_style(t.selected)
        .highlight_symbol(s::SELECT_MARK)
        .highlight_spacing(ratatui::widgets::HighlightSpacing::Always)
        .column_spacing(u16::try_from(GAP).unwrap_or(1));
    let mut state = TableState::default().with_selected(Some(app.selected));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The keys table's columns, most important first: a column is shown
/// whole or not at all, the least important dropped first; only the last
/// one shown may be narrowed (its text cut at `·` parts, with `…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Column {
    Key,
    Stage,
    LastUsed,
    Status,
    Age,
}

impl Column {
    const BY_PRIORITY: [Self; 5] = [
        Self::Key,
        Self::Stage,
        Self::LastUsed,
        Self::Status,
        Self::Age,
    ];

    /// Left to right on screen.
    fn position(self) -> u8 {
        match self {
            Self::Key => 0,
            Self::Status => 1,
            Self::Age => 2,
            Self::LastUsed => 3,
            Self::Stage => 4,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Self::Key => s::COL_KEY,
            Self::Status => s::COL_STATUS,
            Self::Age => s::COL_AGE,
            Self::LastUsed => s::COL_LAST_USED,
            Self::Stage => s::COL_STAGE,
        }
    }
}

/// One table row's texts: the stage in full and compact.
struct RowCells {
    key: Line<'static>,
    status: Span<'static>,
    age: Span<'static>,
    last_used: (String, Style),
    stage: (String, String, Style),
}

impl RowCells {
    fn text_width(&self, col: Column, compact: bool) -> usize {
        match col {
            Column::Key => self.key.width(),
            Column::Status => self.status.width(),
            Column::Age => self.age.width(),
            Column::LastUsed => width(&self.last_used.0),
            Column::Stage if compact => width(&self.stage.1),
            Column::Stage => width(&self.stage.0),
        }
    }

    fn cell(&self, col: Column, room: usize) -> Cell<'static> {
        match col {
            Column::Key if self.key.width() <= room => Cell::from(self.key.clone()),
            Column::Key => Cell::from(ellipsize(&self.key.to_string(), room)),
            Column::Status => Cell::from(self.status.clone()),
            Column::Age => Cell::from(self.age.clone()),
            Column::LastUsed => Cell::from(Span::styled(
                clip_parts(&self.last_used.0, room),
                self.last_used.1,
            )),
            Column::Stage => {
                let (full, compact, style) = &self.stage;
                let text = if width(full) <= room {
                    full.clone()
                } else {
                    ellipsize(compact, room)
                };
                Cell::from(Span::styled(text, *style))
            }
        }
    }
}

fn row_cells(t: &Theme, row: &Row, now: DateTime<Utc>) -> RowCells {
    match row {
        Row::Key(kv) => {
            let key = &kv.key;
            let mut id = vec![Span::raw(key.label())];
            if key.signs_this_session {
                id.push(Span::styled(format!(" {}", s::SIGNING_MARK), t.warn));
            }
            let age = key
                .created
                .map_or_else(|| s::NONE.to_owned(), |c| s::age(now - c));
            RowCells {
                key: Line::from(id),
                status: Span::styled(key.status.to_string(), status_style(t, key.status)),
                age: Span::raw(age),
                last_used: (
                    s::last_used_short(key.last_used.as_ref(), now),
                    Style::new(),
                ),
                stage: (
                    s::stage_cell(&kv.stage, now, false),
                    s::stage_cell(&kv.stage, now, true),
                    stage_style(t, &kv.stage),
                ),
            }
        }
        Row::Deleted { key_id, at } => {
            let stage = Stage::Deleted { at: *at };
            RowCells {
                key: Line::from(Span::styled((*key_id).to_owned(), t.dim)),
                status: Span::styled(s::NONE, t.dim),
                age: Span::styled(s::NONE, t.dim),
                last_used: (s::NONE.to_owned(), t.dim),
                stage: (
                    s::stage_cell(&stage, now, false),
                    s::stage_cell(&stage, now, true),
                    t.dim,
                ),
            }
        }
    }
}

/// Columns between columns.
const GAP: usize = 2;

/// The stage column grows to this when there is room, so that it does not
/// move as keys change stage.
const STAGE_ROOMY: usize = 28;

/// Which columns fit in `room` and how wide each is, left to right.
fn plan_columns(rows: &[RowCells], room: usize) -> Vec<(Column, usize)> {
    let natural = |col: Column, compact: bool| {
        rows.iter()
            .map(|r| r.text_width(col, compact))
            .chain([width(col.header())])
            .max()
            .unwrap_or(0)
    };
    let mut plan: Vec<(Column, usize)> = Vec::new();
    let mut used = 0;
    for col in Column::BY_PRIORITY {
        let gap = if plan.is_empty() { 0 } else { GAP };
        let want = natural(col, true);
        // Only the last-used column narrows (by whole parts); the others
        // are shown whole or dropped.
        let least = if col == Column::LastUsed {
            width(col.header())
        } else {
            want
        };
        if used + gap + want <= room {
            plan.push((col, want));
            used += gap + want;
        } else if used + gap + least <= room {
            plan.push((col, room - used - gap));
            used = room;
            break;
        } else {
            if plan.is_empty() {
                // Not even the key ID fits: it is cut, with an ellipsis.
                plan.push((col, room));
                used = room;
            }
            break;
        }
    }
    // Room to spare: the stage in full, then the rest to the last use.
    let mut spare = room.saturating_sub(used);
    if let Some(stage) = plan.iter_mut().find(|(c, _)| *c == Column::Stage) {
        let grow = natural(Column::Stage, false).saturating_sub(stage.1);
        if grow <= spare {
            stage.1 += grow;
            spare -= grow;
            // Then a steady width, when the last use has its own.
            let steady = STAGE_ROOMY.saturating_sub(stage.1).min(spare / 2);
            stage.1 += steady;
            spare -= steady;
        }
    }
    let flexible = if plan.iter().any(|(c, _)| *c == Column::LastUsed) {
        Column::LastUsed
    } else {
        Column::Stage
    };
    if let Some(col) = plan.iter_mut().find(|(c, _)| *c == flexible) {
        col.1 += spare;
    }
    plan.sort_by_key(|(c, _)| c.position());
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, last: &str, stage: &str, compact: &str) -> RowCells {
        RowCells {
            key: Line::from(key.to_owned()),
            status: Span::raw("Inactive"),
            age: Span::raw("3 y"),
            last_used: (last.to_owned(), Style::new()),
            stage: (stage.to_owned(), compact.to_owned(), Style::new()),
        }
    }

    fn rows() -> Vec<RowCells> {
        vec![
            row(
                "AKIAEXAMPLEBACKUP001",
                "yesterday · s3 · eu-west-1",
                "observing · 6 d 23 h left",
                "observing (6 d 23 h)",
            ),
            row(
                "AKIAEXAMPLEOLDKEY002",
                "1480 days ago · ec2 · us-east-1",
                "active",
                "active",
            ),
        ]
    }

    fn columns(room: usize) -> Vec<Column> {
        plan_columns(&rows(), room)
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    }

    #[test]
    fn columns_are_dropped_whole_least_important_first() {
        use Column::{Age, Key, LastUsed, Stage, Status};
        assert_eq!(columns(116), [Key, Status, Age, LastUsed, Stage]);
        // 80 columns: age and status go before the last use is narrowed.
        assert_eq!(columns(76), [Key, LastUsed, Stage]);
        // 60 columns: the last use narrows, nothing collides.
        assert_eq!(columns(55), [Key, LastUsed, Stage]);
        assert_eq!(columns(44), [Key, Stage]);
        assert_eq!(columns(41), [Key]);
        for room in 1..130 {
            let plan = plan_columns(&rows(), room);
            let used: usize = plan.iter().map(|(_, w)| *w).sum::<usize>() + GAP * (plan.len() - 1);
            assert!(used <= room.max(1), "{room}: {plan:?}");
            for (col, w) in plan {
                if col != Column::LastUsed && col != Column::Stage && room >= 22 {
                    assert!(w >= width(col.header()), "{room}: {col:?} {w}");
                }
            }
        }
    }
}
