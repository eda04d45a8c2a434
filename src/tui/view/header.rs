//! The header: account and caller, where the facts come from, and the
//! verdict. Reads the [`App`]; never changes it, awaits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{ellipsize, ellipsize_start, width};
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

/// The title bar's pieces, most important first, and the badge: the
/// demo's badge (DEMO · scenario) is trimmed last, after the ARN (cut
/// with `…`, then dropped), the app's name and the word "account".
fn title_line(app: &App, cols: usize) -> (Vec<Span<'static>>, Option<String>) {
    let badge_full = app
        .demo
        .as_ref()
        .map(|d| format!(" {} ", s::demo_badge(&d.scenario)));
    let badge_short = app.demo.as_ref().map(|_| format!(" {} ", s::DEMO));
    let name = format!(" {} ", s::APP);
    let (account, mark, arn) = match &app.snapshot {
        Some(snap) => {
            let id = &snap.inventory.identity;
            let mark = match snap.inventory.view {
                View::Root => s::ROOT_MARK,
                View::Auditor => s::AUDITOR_MARK,
            };
            (
                one_line(&id.account_id).into_owned(),
                Some(format!("│ {mark} ")),
                Some(one_line(&id.arn).into_owned()),
            )
        }
        None => (pending_text(app).to_owned(), None, None),
    };
    let fits = |parts: &[&str], badge: Option<&String>| {
        parts.iter().map(|p| width_of(p)).sum::<usize>() + badge.map_or(0, |b| width_of(b)) <= cols
    };
    let with_account = format!(" {} {account} ", s::ACCOUNT);
    let bare_account = format!(" {account} ");
    let mark = mark.unwrap_or_default();
    for badge in [badge_full.as_ref(), badge_short.as_ref()] {
        // Everything, the ARN cut to fit when a dozen columns are left.
        let head = [name.as_str(), with_account.as_str(), mark.as_str()];
        if let Some(arn) = &arn
            && fits(&head, badge)
        {
            let used: usize =
                head.iter().map(|p| width_of(p)).sum::<usize>() + badge.map_or(0, |b| width_of(b));
            let room = cols.saturating_sub(used + 3);
            if room >= 12 || width_of(arn) <= room {
                // The end of an ARN (root, or the user) says the most.
                let arn = format!("│ {} ", ellipsize_start(arn, room));
                return (spans(&[&name, &with_account, &mark, &arn]), badge.cloned());
            }
        }
        for parts in [
            vec![name.as_str(), with_account.as_str(), mark.as_str()],
            vec![with_account.as_str(), mark.as_str()],
            vec![bare_account.as_str(), mark.as_str()],
        ] {
            if fits(&parts, badge) {
                return (spans(&parts), badge.cloned());
            }
        }
    }
    let last = ellipsize(&format!("{bare_account}{mark}"), cols);
    (vec![Span::raw(last)], None)
}

fn width_of(text: &str) -> usize {
    width(text)
}

fn spans(parts: &[&str]) -> Vec<Span<'static>> {
    parts.iter().map(|p| Span::raw((*p).to_owned())).collect()
}

/// The facts line: whole facts only, the least important left out first
/// (profile, window, as of, region, endpoint, simulated), in their order.
fn facts_line(app: &App, cols: usize) -> Line<'static> {
    let t = &app.theme;
    let src = &app.source;
    // (priority, label, value)
    let mut facts: Vec<(u8, &str, String)> = Vec::new();
    if let Some(p) = &src.profile {
        facts.push((0, s::F_PROFILE, p.clone()));
    }
    if let Some(r) = &src.region {
        facts.push((3, s::F_REGION, r.clone()));
    }
    if let Some(e) = &src.endpoint {
        facts.push((4, s::F_ENDPOINT, e.clone()));
    }
    facts.push((1, "", s::window(app.window)));
    if let Some(snap) = &app.snapshot {
        facts.push((2, s::F_AS_OF, s::date_time(snap.now)));
    }
    if src.simulated.is_some() {
        facts.push((5, "", s::SIMULATED.to_owned()));
    }
    let facts: Vec<(u8, &str, String)> = facts
        .into_iter()
        .map(|(p, l, v)| (p, l, one_line(&v).into_owned()))
        .collect();
    let cost = |(_, l, v): &(u8, &str, String)| width(l) + width(v) + 3;
    let mut keep = vec![true; facts.len()];
    let mut order: Vec<usize> = (0..facts.len()).collect();
    order.sort_by_key(|i| std::cmp::Reverse(facts[*i].0));
    let mut total: usize = 1 + facts.iter().map(cost).sum::<usize>();
    for i in order {
        if total <= cols + 3 {
            break;
        }
        keep[i] = false;
        total -= cost(&facts[i]);
    }
    let mut spans = vec![Span::raw(" ")];
    for (i, (_, label, value)) in facts
        .into_iter()
        .zip(keep)
        .filter_map(|(f, k)| k.then_some(f))
        .enumerate()
    {
        if i > 0 {
            spans.push(Span::styled(" · ", t.dim));
        }
        spans.push(Span::styled(label, t.dim));
        spans.push(Span::raw(value));
    }
    Line::from(spans)
}

/// The verdict line: the verdict always; the rule's name in full or short,
/// the count and the report's age as they fit.
fn verdict_line(app: &App, cols: usize) -> Line<'static> {
    let t = &app.theme;
    let Some(snap) = &app.snapshot else {
        return Line::from(vec![
            Span::raw(" "),
            Span::styled(s::VERDICT_RULE, t.label),
            Span::raw("  "),
            Span::styled(pending_text(app), t.dim),
        ]);
    };
    let inv = &snap.inventory;
    let (mark, word, style) = if inv.cis_compliant() {
        (s::MARK_OK, s::COMPLIANT, t.ok)
    } else {
        (s::MARK_BAD, s::NOT_COMPLIANT, t.danger)
    };
    let verdict = Span::styled(format!("{mark} {word}"), style);
    let count = Span::styled(
        format!(" · {}", s::keys_present(inv.root_keys_present())),
        t.dim,
    );
    let total = |spans: &[Span]| spans.iter().map(|sp| width(&sp.content)).sum::<usize>();
    for rule in [s::VERDICT_RULE, s::VERDICT_RULE_SHORT] {
        let mut line = vec![
            Span::raw(" "),
            Span::styled(rule, t.label),
            Span::raw("  "),
            verdict.clone(),
            count.clone(),
        ];
        if total(&line) <= cols {
            let used = total(&line);
            line.extend(report_spans(app, cols.saturating_sub(used)));
            return Line::from(line);
        }
    }
    let mut line = vec![
        Span::raw(" "),
        Span::styled(s::VERDICT_RULE_SHORT, t.label),
        Span::raw("  "),
        verdict.clone(),
    ];
    if total(&line) > cols {
        line = vec![Span::raw(" "), verdict];
    }
    Line::from(line)
}

pub(super) fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let [line1, line2, line3] = Layout::vertical([Constraint::Length(1); 3]).areas(area);
    let width = usize::from(area.width);
    let (title, badge) = title_line(app, width);
    frame.render_widget(Paragraph::new(Line::from(title)).style(t.title), line1);
    if let Some(badge) = badge {
        frame.render_widget(
            Paragraph::new(Span::styled(badge, t.title)).alignment(Alignment::Right),
            line1,
        );
    }
    frame.render_widget(Paragraph::new(facts_line(app, width)), line2);
    frame.render_widget(Paragraph::new(verdict_line(app, width)), line3);
}
