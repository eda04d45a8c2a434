//! The detail pane: the selected account's stage (since, window end,
//! next action), a warning when a key was used after the quarantine began
//! (a consumer that just failed), each key's last use, the demo's denied
//! calls, and the facts the audit read.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::table::{counts, stage_cell};
use super::{panel, width};
use crate::domain::KeyStatus;
use crate::domain::window::{ago, human};
use crate::org::model::{MemberRow, Source};
use crate::text::{foreign, one_line};
use crate::tui::org::state::OrgApp;
use crate::tui::org::strings as s;
use crate::tui::theme::Theme;
use crate::tui::view::wrap;

/// Width of the detail pane's labels.
pub(super) const LABEL_WIDTH: usize = 12;

/// `Label      value` with the value wrapped under itself.
pub(super) fn field(
    t: &Theme,
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

fn when(app: &OrgApp, t: chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{} · {}",
        crate::render::time::text(&t),
        ago((app.now - t).max(chrono::TimeDelta::zero()))
    )
}

/// The stage's lines: the consumer warning first, then since, window end,
/// next action and the demo's denied calls.
fn stage_lines(app: &OrgApp, row: &MemberRow, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
    let Some(state) = app.states.get(&row.account_id) else {
        return lines;
    };
    if let Some(since) = state.stage.quarantined_since() {
        for (key, used) in &state.used_since {
            let text = s::consumer_failed(
                &one_line(key),
                &when(app, used.date),
                &human(used.date - since),
            );
            for part in wrap(&text, width.saturating_sub(1).max(8)) {
                lines.push(Line::from(Span::styled(format!(" {part}"), t.danger)));
            }
        }
        lines.extend(field(t, s::F_QUARANTINED, &when(app, since), t.warn, width));
    }
    if let Some(ends) = state.stage.window_ends() {
        let left = ends - app.now;
        let text = if left > chrono::TimeDelta::zero() {
            format!(
                "{} ({} left)",
                crate::render::time::text(&ends),
                human(left)
            )
        } else {
            format!("{} (passed)", crate::render::time::text(&ends))
        };
        lines.extend(field(t, s::F_WINDOW, &text, Style::new(), width));
    }
    lines.extend(field(
        t,
        s::F_NEXT,
        &one_line(&state.next_action),
        t.accent,
        width,
    ));
    if let Some(e) = &state.journal_error {
        lines.extend(field(t, s::F_JOURNAL, &one_line(e), t.warn, width));
    }
    for (i, call) in app.denied_for(&row.account_id).iter().take(5).enumerate() {
        let text = s::denied_line(
            &crate::render::time::text(&call.time),
            &one_line(&call.job),
            &one_line(&call.account_id),
            &one_line(&call.action),
            &foreign(&call.message),
        );
        let label = if i == 0 { s::F_DENIED } else { "" };
        lines.extend(field(t, label, &text, t.danger, width));
    }
    lines
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
    let (active, inactive) = counts(row);
    let (stage, style) = stage_cell(app, row);
    lines.extend(field(
        t,
        s::F_STAGE,
        &format!(
            "{stage} · {}",
            s::keys_count(row.root_keys_present(), active, inactive)
        ),
        style,
        width,
    ));
    lines.extend(stage_lines(app, row, width));
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

pub(super) fn draw_detail(frame: &mut Frame, area: Rect, app: &OrgApp) {
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
