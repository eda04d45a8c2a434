//! The usage view: the search in progress, its error, or the summary of
//! where and how a key was used. Reads the [`App`]; never changes it,
//! awaits or does I/O.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::panel;
use super::text::{self, wrap_hanging};
use crate::render::usage::{LineKind, summary_lines};
use crate::tui::app::{App, Usage, UsageView};
use crate::tui::strings as s;

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
            let label = |l: &str| Span::styled(format!("   {}", text::pad(l, 9)), t.label);
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
            // Relative times follow the account's clock (the simulated one
            // moves on while a review is open).
            let now = app
                .snapshot
                .as_ref()
                .map_or(report.to, |snap| snap.now.max(report.to));
            for line in summary_lines(report, now) {
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

pub(super) fn draw_usage(frame: &mut Frame, area: Rect, app: &App, v: &UsageView) {
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
