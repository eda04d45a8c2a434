//! The dialogs, drawn over the view as the single-account view draws its
//! own: the y/N confirmation of a quarantine or a release (its list of
//! accounts scrolls), the typed confirmation of a delete, and the
//! prevention dialog (the policy's text, the root ID typed). Reads the
//! state; the typed text is the operator's, shown as typed.

use ratatui::Frame;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Padding, Paragraph};

use super::{panel, width};
use crate::domain::scp;
use crate::text::one_line;
use crate::tui::org::state::{Confirm, OrgApp, PreventDialog, TypeDelete};
use crate::tui::org::strings as s;
use crate::tui::theme::Theme;
use crate::tui::view::wrap;

fn styled(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, width.max(8))
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

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

/// The dialog's rectangle: `outer` wide, as tall as its lines (and the
/// border), centred, within `area`.
fn popup(area: Rect, outer: u16, lines: usize) -> Rect {
    let h = u16::try_from(lines + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    area.centered(Constraint::Length(outer), Constraint::Length(h))
}

fn outer_width(area: Rect) -> u16 {
    76u16.min(area.width.saturating_sub(2))
}

fn show(
    frame: &mut Frame,
    t: &Theme,
    rect: Rect,
    title: &str,
    border: Style,
    lines: Vec<Line<'static>>,
) {
    frame.render_widget(Clear, rect);
    let block = panel(t, title, border).padding(Padding::horizontal(1));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

pub(super) fn draw_confirm(frame: &mut Frame, area: Rect, app: &OrgApp, c: &Confirm) {
    let t = &app.theme;
    let outer = outer_width(area);
    let w = usize::from(outer.saturating_sub(4));
    let n = c.accounts.len();
    let mut head = styled(&s::consequence(c.write, n), w, Style::new());
    head.push(Line::default());
    let mut tail = Vec::new();
    if !c.skipped.is_empty() {
        tail.push(Line::default());
        tail.extend(styled(&s::skipped_line(c.skipped.len()), w, t.dim));
        for why in &c.skipped {
            tail.extend(styled(&format!("  {}", one_line(why)), w, t.dim));
        }
    }
    tail.push(Line::default());
    tail.push(buttons(t, s::confirm_yes(c.write), c.yes_focused));
    tail.push(Line::default());
    tail.extend(styled(s::CONFIRM_HINT, w, t.dim));
    // The list takes the room left, and scrolls.
    let room = usize::from(area.height.saturating_sub(2));
    let list_room = room.saturating_sub(head.len() + tail.len()).max(1);
    let first = usize::from(c.scroll).min(n.saturating_sub(list_room));
    let mut list: Vec<Line<'static>> = c
        .accounts
        .iter()
        .skip(first)
        .take(list_room)
        .map(|(_, line)| {
            Line::from(vec![
                Span::styled("• ", t.accent),
                Span::styled(super::cut(line, w.saturating_sub(2)), t.strong),
            ])
        })
        .collect();
    if n > list_room {
        let more = format!("  {} / {n} · {}", first + list.len(), s::LIST_HINT);
        if let Some(last) = list.last_mut() {
            *last = Line::from(Span::styled(more, t.dim));
        }
    }
    let mut lines = head;
    lines.extend(list);
    lines.extend(tail);
    if lines.len() > room {
        // Keep the buttons and the keys: the body gives way.
        let cut_at = lines.len() - room;
        lines.drain(..cut_at.min(lines.len().saturating_sub(4)));
    }
    let rect = popup(area, outer, lines.len());
    let border = if c.write == crate::tui::org::action::Write::Quarantine {
        t.warn
    } else {
        t.accent
    };
    show(frame, t, rect, &s::confirm_title(c.write, n), border, lines);
}

/// An input line (`› text`) and where its cursor goes.
fn input_line(t: &Theme, input: &str, w: usize) -> (Line<'static>, usize) {
    let shown = super::cut_left(&one_line(input), w.saturating_sub(3));
    let pad = w.saturating_sub(2 + width(&shown));
    let cursor = 2 + width(&shown);
    (
        Line::from(vec![
            Span::styled("› ", t.danger),
            Span::styled(shown, t.input),
            Span::styled(" ".repeat(pad), t.input),
        ]),
        cursor,
    )
}

fn place_cursor(frame: &mut Frame, rect: Rect, row: usize, col: usize) {
    let x = rect.x + 2 + u16::try_from(col).unwrap_or(0);
    let y = rect.y + 1 + u16::try_from(row).unwrap_or(u16::MAX);
    if x < rect.right().saturating_sub(1) && y < rect.bottom().saturating_sub(1) {
        frame.set_cursor_position(Position::new(x, y));
    }
}

pub(super) fn draw_typed(frame: &mut Frame, area: Rect, app: &OrgApp, d: &TypeDelete) {
    let t = &app.theme;
    let outer = outer_width(area);
    let w = usize::from(outer.saturating_sub(4));
    let mut lines = styled(&s::delete_consequence(&d.keys), w, Style::new());
    if !d.name.is_empty() {
        lines.extend(styled(
            &format!("Account: {} {}", d.account_id, d.name),
            w,
            t.dim,
        ));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(s::TYPE_ACCOUNT, t.strong)));
    let input_row = lines.len();
    let (input, cursor) = input_line(t, &d.input, w);
    lines.push(input);
    if let Some(why) = &d.mismatch {
        lines.extend(styled(why, w, t.danger));
    }
    lines.push(Line::default());
    lines.extend(styled(s::TYPE_HINT_DELETE, w, t.dim));
    let rect = popup(area, outer, lines.len());
    show(
        frame,
        t,
        rect,
        &s::delete_title(&d.account_id),
        t.danger,
        lines,
    );
    place_cursor(frame, rect, input_row, cursor);
}

pub(super) fn draw_prevent(frame: &mut Frame, area: Rect, app: &OrgApp, p: &PreventDialog) {
    let t = &app.theme;
    let outer = outer_width(area);
    let w = usize::from(outer.saturating_sub(4));
    let mut lines = Vec::new();
    if let Some(name) = &p.attached {
        lines.extend(styled(&s::prevent_attached(name, &p.root_id), w, t.ok));
        lines.push(Line::default());
        lines.extend(styled(s::PREVENT_CLOSE, w, t.dim));
        let rect = popup(area, outer, lines.len());
        show(frame, t, rect, s::PREVENT_TITLE, t.border_focus, lines);
        return;
    }
    if !p.scp_enabled {
        lines.extend(styled(&s::prevent_scps_disabled(&p.root_id), w, t.warn));
        lines.push(Line::default());
        lines.extend(styled(s::PREVENT_CLOSE, w, t.dim));
        let rect = popup(area, outer, lines.len());
        show(frame, t, rect, s::PREVENT_TITLE, t.warn, lines);
        return;
    }
    lines.extend(styled(&s::prevent_missing(&p.root_id), w, Style::new()));
    let mut tail = vec![
        Line::default(),
        Line::from(Span::styled(s::TYPE_ROOT, t.strong)),
    ];
    let input_at = tail.len();
    let (input, cursor) = input_line(t, &p.input, w);
    tail.push(input);
    if let Some(why) = &p.mismatch {
        tail.extend(styled(why, w, t.danger));
    }
    tail.push(Line::default());
    tail.extend(styled(s::TYPE_HINT_PREVENT, w, t.dim));
    // The policy's text takes the room left (cut with `…` when short).
    let room = usize::from(area.height.saturating_sub(2));
    let policy_room = room.saturating_sub(lines.len() + tail.len());
    let policy: Vec<&str> = scp::PREVENT_POLICY.lines().collect();
    let mut shown: Vec<Line<'static>> = policy
        .iter()
        .take(policy_room)
        .map(|l| Line::from(Span::styled(super::cut(l, w), t.accent)))
        .collect();
    if policy.len() > policy_room
        && let Some(last) = shown.last_mut()
    {
        *last = Line::from(Span::styled("  …", t.dim));
    }
    lines.extend(shown);
    let input_row = lines.len() + input_at;
    lines.extend(tail);
    let rect = popup(area, outer, lines.len());
    show(frame, t, rect, s::PREVENT_TITLE, t.danger, lines);
    place_cursor(frame, rect, input_row, cursor);
}
