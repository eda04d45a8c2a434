//! The main pane's key facts (detail) and the staged-process walkthrough.
//! Reads the [`App`]; never changes it, awaits or does I/O.

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::header::report_ago;
use super::table::{stage_style, status_style};
use super::text::{styled_wrap, wrap};
use super::{draw_scrolled, field, panel};
use crate::domain::policy::Stage;
use crate::domain::{LastUsed, RootKey, View};
use crate::remediate::KeyView;
use crate::report::RootRow;
use crate::tui::app::{App, Report, Row, Usage};
use crate::tui::strings as s;
use crate::tui::walkthrough::{self, MfaCheck, Step};

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
        if app.done() {
            lines.extend(field(t, s::DONE_TITLE, s::DONE_FACT, t.ok, width));
            lines.push(Line::default());
            lines.extend(field(
                t,
                s::L_NEXT,
                &s::done_next(app.mfa_check(), app.walkthrough_visible()),
                t.strong,
                width,
            ));
        }
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
            if app.done() {
                lines.extend(field(t, s::DONE_TITLE, s::DONE_FACT, t.ok, width));
                lines.push(Line::default());
                lines.extend(field(
                    t,
                    s::L_NEXT,
                    &s::done_next(app.mfa_check(), app.walkthrough_visible()),
                    t.strong,
                    width,
                ));
                return (title, lines);
            }
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

/// How many lines the key facts take in a pane `area` wide (border included).
pub(super) fn detail_len(app: &App, area: Rect) -> usize {
    detail_lines(app, usize::from(area.width.saturating_sub(2)))
        .1
        .len()
}

pub(super) fn draw_detail(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let width = usize::from(area.width.saturating_sub(2));
    let (title, lines) = detail_lines(app, width);
    let block = panel(t, &title, t.border);
    draw_scrolled(frame, area, app, block, lines, app.detail_scroll);
}

/// How many lines the walkthrough takes in a pane `area` wide.
pub(super) fn walkthrough_len(app: &App, area: Rect) -> usize {
    walkthrough_lines(app, usize::from(area.width.saturating_sub(4))).len()
}

pub(super) fn draw_walkthrough(frame: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let lines = walkthrough_lines(app, usize::from(area.width.saturating_sub(4)));
    let block = panel(t, s::WALKTHROUGH_TITLE, t.border);
    draw_scrolled(frame, area, app, block, lines, app.detail_scroll);
}

fn walkthrough_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let current = app.step();
    let loaded = app.snapshot.is_some();
    let done = app.done();
    let auditor_done = app.auditor_done();
    // Once the keys are gone (or, for an auditor, reviewed), the Prevent
    // step's check and text follow the summary.
    let prevent = done || auditor_done;
    let selected = app.selected_row().map(|r| r.label());
    let backout_used = app.backout_used(if done { None } else { selected.as_deref() });
    let mut lines = Vec::new();
    for step in Step::ALL {
        let past = loaded && (done || step.number() < current.number());
        let (mark, style, note) = if step == Step::Prevent && prevent {
            let (mark, note) = s::prevent_mark(app.mfa_check());
            (mark, prevent_style(app), Some(note))
        } else if auditor_done {
            if step == Step::Review {
                (s::STEP_DONE, t.ok, None)
            } else {
                (s::STEP_SKIPPED, t.dim, Some(s::FOR_ROOT))
            }
        } else if step == Step::Backout && past {
            if backout_used {
                (s::STEP_DONE, t.ok, Some(s::BACKOUT_USED))
            } else {
                (s::STEP_SKIPPED, t.dim, Some(s::BACKOUT_NOT_NEEDED))
            }
        } else if step == current && !done {
            (s::STEP_CURRENT, t.step_current, None)
        } else if past {
            (s::STEP_DONE, t.ok, None)
        } else {
            (" ", t.dim, None)
        };
        let mark_style = if step == current && !done && !auditor_done {
            t.accent
        } else {
            style
        };
        let mut spans = vec![
            Span::styled(format!(" {mark} "), mark_style),
            Span::styled(format!("{}. {}", step.number(), step.title()), style),
        ];
        if let Some(note) = note {
            spans.push(Span::styled(format!(" · {note}"), t.dim));
        }
        lines.push(Line::from(spans));
    }
    lines.push(Line::default());
    let section = if auditor_done {
        walkthrough::auditor_done_section()
    } else if done {
        walkthrough::done_section()
    } else {
        walkthrough::section(current)
    };
    if let Some(section) = section {
        lines.extend(section_lines(app, section, width));
    }
    if prevent {
        lines.extend(prevent_lines(app, width));
    }
    lines
}

/// The Prevent step's colour: its check passed, is advice, or is unknown.
fn prevent_style(app: &App) -> Style {
    match app.mfa_check() {
        MfaCheck::On => app.theme.ok,
        MfaCheck::Off => app.theme.warn,
        MfaCheck::Unknown => app.theme.dim,
    }
}

/// The Prevent step after the summary: its heading, the MFA check, its
/// text, and the prevention SCP (whole, in lines that fit).
fn prevent_lines(app: &App, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let indented =
        |text: String, style: Style| Line::from(vec![Span::raw(" "), Span::styled(text, style)]);
    let mut lines = vec![
        Line::default(),
        indented(
            format!("{}. {}", Step::Prevent.number(), Step::Prevent.title()),
            t.strong,
        ),
    ];
    let check = s::prevent_check(app.mfa_check());
    lines.extend(
        styled_wrap(&check, width.saturating_sub(1), prevent_style(app))
            .into_iter()
            .map(|l| {
                let mut spans = vec![Span::raw(" ")];
                spans.extend(l.spans);
                Line::from(spans)
            }),
    );
    lines.push(Line::default());
    if let Some(section) = walkthrough::section(Step::Prevent) {
        lines.extend(section_lines(app, section, width));
    }
    lines.push(Line::default());
    lines.push(indented(s::prevent_policy_heading(), t.strong));
    for part in walkthrough::policy_lines(width.saturating_sub(1)) {
        lines.push(indented(part, t.accent));
    }
    lines
}

/// A section's paragraphs, wrapped, with their labels in bold.
fn section_lines(app: &App, section: &walkthrough::Section, width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let mut lines = Vec::new();
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
    lines
}
