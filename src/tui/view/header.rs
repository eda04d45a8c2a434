//! The header: account and caller, where the facts come from, and the
//! verdict. Reads the [`App`]; never changes it, awaits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::width;
use crate::domain::View;
use crate::domain::window::ago;
use crate::text::one_line;
use crate::tui::app::App;
use crate::tui::strings as s;

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
    if 3 + width(&age) > room {
        return Vec::new();
    }
    vec![Span::styled(" · ", t.dim), Span::styled(age, look)]
}

/// How long ago the report was generated, as of the snapshot (a report read
/// after the snapshot is "just now", never "in the future").
pub(super) fn report_ago(app: &App, generated: DateTime<Utc>) -> String {
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

pub(super) fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
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
    let used: usize = title.iter().map(|sp| width(&sp.content)).sum();
    frame.render_widget(Paragraph::new(Line::from(title)).style(t.title), line1);
    if let Some(demo) = &app.demo {
        let room = usize::from(area.width).saturating_sub(used + 1);
        let full = format!(" {} ", s::demo_badge(&demo.scenario));
        let badge = if width(&full) <= room {
            Some(full)
        } else {
            let short = format!(" {} ", s::DEMO);
            (width(&short) <= room).then_some(short)
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
            let used: usize = verdict.iter().map(|sp| width(&sp.content)).sum();
            verdict.extend(report_spans(
                app,
                usize::from(area.width).saturating_sub(used),
            ));
        }
        None => verdict.push(Span::styled(pending_text(app), t.dim)),
    }
    frame.render_widget(Paragraph::new(Line::from(verdict)), line3);
}
