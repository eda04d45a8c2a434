//! Usage review of one access key: what used it, from where and when, across
//! regions, summarised from `CloudTrail` event history. Pure: no AWS, no
//! terminal, no clock of its own (the caller passes `now`).
//!
//! Event fields, region names, error messages and the key ID are foreign
//! text: the human summary shows them through [`crate::text`] (control
//! characters escaped, messages redacted and bounded); the JSON keeps them
//! as they came.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::text::{foreign, one_line};

/// `CloudTrail` event history keeps 90 days.
pub const MAX_DAYS: u32 = 90;
/// Newest events kept in the report (the text shows fewer).
pub const NEWEST_KEPT: usize = 20;
/// Newest events shown by `render_text`.
pub const NEWEST_SHOWN: usize = 10;

/// What to look up: which key, how far back, which regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageQuery {
    pub key_id: String,
    /// 1..=90; values outside are clamped by the fetch.
    pub days: u32,
    pub regions: RegionSelection,
}

impl UsageQuery {
    /// The last 90 days in every enabled region.
    pub fn new(key_id: impl Into<String>) -> Self {
        Self {
            key_id: key_id.into(),
            days: MAX_DAYS,
            regions: RegionSelection::All,
        }
    }

    /// The window, in days, actually searched (clamped to 1..=90).
    pub fn effective_days(&self) -> u32 {
        self.days.clamp(1, MAX_DAYS)
    }

    pub fn validate(&self) -> Result<(), UsageQueryError> {
        if self.key_id.trim().is_empty() {
            return Err(UsageQueryError::EmptyKey);
        }
        if !(1..=MAX_DAYS).contains(&self.days) {
            return Err(UsageQueryError::Days(self.days));
        }
        if matches!(&self.regions, RegionSelection::List(list) if list.is_empty()) {
            return Err(UsageQueryError::NoRegions);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageQueryError {
    #[error("an access key ID is required")]
    EmptyKey,
    #[error(
        "--days must be between 1 and {MAX_DAYS} (CloudTrail event history keeps {MAX_DAYS} days), not {0}"
    )]
    Days(u32),
    #[error("the region list is empty")]
    NoRegions,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSelection {
    /// Every region enabled in the account.
    All,
    List(Vec<String>),
}

/// One management event signed with the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailEvent {
    pub time: DateTime<Utc>,
    /// `awsRegion` of the event (the region queried when absent).
    pub region: String,
    pub event_source: String,
    pub event_name: String,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub read_only: Option<bool>,
    pub error_code: Option<String>,
}

/// Why one region could not be searched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{code}: {message}")]
pub struct RegionFailure {
    pub code: String,
    pub message: String,
    /// AWS asked us to slow down; worth retrying after a pause.
    pub throttled: bool,
}

/// Codes meaning event history cannot be read in that region at all
/// (region not enabled / opted out), as opposed to a failure.
pub const UNAVAILABLE_CODES: &[&str] = &[
    "RegionNotEnabled",
    "OptInRequired",
    "RegionDisabledException",
];

impl RegionFailure {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            throttled: false,
        }
    }

    pub fn throttled(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            throttled: true,
            ..Self::new(code, message)
        }
    }

    /// The region is not enabled for the account (or history is unavailable there).
    pub fn is_unavailable(&self) -> bool {
        UNAVAILABLE_CODES.contains(&self.code.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionOutcome {
    pub region: String,
    pub status: RegionStatus,
    pub events: usize,
    pub pages: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegionStatus {
    Ok,
    Failed {
        code: String,
        message: String,
    },
    /// Not enabled in the account, or event history unavailable there.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    pub event_source: String,
    pub event_name: String,
    pub count: usize,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallerSummary {
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub count: usize,
    pub last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionSummary {
    pub region: String,
    pub count: usize,
    pub last_seen: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageReport {
    pub key_id: String,
    pub days: u32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every region searched, in search order, with its status.
    pub regions: Vec<RegionOutcome>,
    pub by_action: Vec<ActionSummary>,
    pub by_caller: Vec<CallerSummary>,
    /// Regions with at least one event (by the event's `awsRegion`).
    pub by_region: Vec<RegionSummary>,
    /// At most `NEWEST_KEPT`, newest first.
    pub newest: Vec<TrailEvent>,
    /// All events, newest first.
    pub events: Vec<TrailEvent>,
    /// What this report cannot see, in plain words.
    pub limits: Vec<String>,
}

impl UsageReport {
    pub fn total_events(&self) -> usize {
        self.events.len()
    }

    /// Regions whose history was read completely.
    pub fn regions_ok(&self) -> usize {
        self.regions
            .iter()
            .filter(|r| r.status == RegionStatus::Ok)
            .count()
    }

    pub fn failed_regions(&self) -> impl Iterator<Item = &RegionOutcome> {
        self.regions
            .iter()
            .filter(|r| matches!(r.status, RegionStatus::Failed { .. }))
    }

    /// Every region searched was read completely.
    pub fn complete(&self) -> bool {
        self.regions_ok() == self.regions.len()
    }

    /// Regions asked for whose history was not read (failed, or not
    /// enabled), in search order.
    pub fn regions_not_searched(&self) -> impl Iterator<Item = &RegionOutcome> {
        self.regions.iter().filter(|r| r.status != RegionStatus::Ok)
    }
}

pub const LIMIT_MANAGEMENT_ONLY: &str = "Management events only: data events (such as S3 object reads and writes, \
     Lambda invocations, DynamoDB item reads) are not recorded in CloudTrail event history, so use through them is not shown.";

/// One region's search: its events and the number of pages read, or why it failed.
pub type RegionFetch = Result<(Vec<TrailEvent>, usize), RegionFailure>;

/// The per-region results, summarised. Failed regions are kept, named, with
/// their error; they are never dropped.
pub fn summarise(
    key_id: &str,
    days: u32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    per_region: Vec<(String, RegionFetch)>,
) -> UsageReport {
    let mut regions = Vec::with_capacity(per_region.len());
    let mut events = Vec::new();
    let mut failed = Vec::new();
    let mut unavailable = Vec::new();
    for (region, result) in per_region {
        match result {
            Ok((found, pages)) => {
                regions.push(RegionOutcome {
                    region,
                    status: RegionStatus::Ok,
                    events: found.len(),
                    pages,
                });
                events.extend(found);
            }
            Err(failure) if failure.is_unavailable() => {
                unavailable.push(format!(
                    "{} ({})",
                    one_line(&region),
                    foreign(&failure.message)
                ));
                regions.push(RegionOutcome {
                    region,
                    status: RegionStatus::Unavailable,
                    events: 0,
                    pages: 0,
                });
            }
            Err(failure) => {
                failed.push(format!(
                    "{} failed ({}: {}); its events are not included.",
                    one_line(&region),
                    one_line(&failure.code),
                    foreign(&failure.message)
                ));
                regions.push(RegionOutcome {
                    region,
                    status: RegionStatus::Failed {
                        code: failure.code,
                        message: failure.message,
                    },
                    events: 0,
                    pages: 0,
                });
            }
        }
    }
    events.sort_by(|a, b| {
        b.time
            .cmp(&a.time)
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.event_source.cmp(&b.event_source))
            .then_with(|| a.event_name.cmp(&b.event_name))
    });

    let mut limits = vec![
        LIMIT_MANAGEMENT_ONLY.to_owned(),
        format!(
            "Event history covers the last {MAX_DAYS} days only; use older than that is not visible here \
             (this search: the last {days} days)."
        ),
    ];
    limits.extend(failed);
    let mut not_covered = "Regions where event history is unavailable, or that are not enabled \
         (opt-in regions turned off), are not covered"
        .to_owned();
    if unavailable.is_empty() {
        not_covered.push('.');
    } else {
        not_covered.push_str(&format!(": {}.", unavailable.join(", ")));
    }
    limits.push(not_covered);

    UsageReport {
        key_id: key_id.to_owned(),
        days,
        from,
        to,
        regions,
        by_action: by_action(&events),
        by_caller: by_caller(&events),
        by_region: by_region(&events),
        newest: events.iter().take(NEWEST_KEPT).cloned().collect(),
        events,
        limits,
    }
}

fn by_action(events: &[TrailEvent]) -> Vec<ActionSummary> {
    let mut groups: HashMap<(&str, &str), ActionSummary> = HashMap::new();
    for e in events {
        groups
            .entry((&e.event_source, &e.event_name))
            .and_modify(|s| {
                s.count += 1;
                s.first_seen = s.first_seen.min(e.time);
                s.last_seen = s.last_seen.max(e.time);
            })
            .or_insert_with(|| ActionSummary {
                event_source: e.event_source.clone(),
                event_name: e.event_name.clone(),
                count: 1,
                first_seen: e.time,
                last_seen: e.time,
            });
    }
    let mut out: Vec<_> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.event_source.cmp(&b.event_source))
            .then_with(|| a.event_name.cmp(&b.event_name))
    });
    out
}

fn by_caller(events: &[TrailEvent]) -> Vec<CallerSummary> {
    let mut groups: HashMap<(Option<&str>, Option<&str>), CallerSummary> = HashMap::new();
    for e in events {
        groups
            .entry((e.source_ip.as_deref(), e.user_agent.as_deref()))
            .and_modify(|s| {
                s.count += 1;
                s.last_seen = s.last_seen.max(e.time);
            })
            .or_insert_with(|| CallerSummary {
                source_ip: e.source_ip.clone(),
                user_agent: e.user_agent.clone(),
                count: 1,
                last_seen: e.time,
            });
    }
    let mut out: Vec<_> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.source_ip.cmp(&b.source_ip))
            .then_with(|| a.user_agent.cmp(&b.user_agent))
    });
    out
}

fn by_region(events: &[TrailEvent]) -> Vec<RegionSummary> {
    let mut groups: HashMap<&str, RegionSummary> = HashMap::new();
    for e in events {
        groups
            .entry(&e.region)
            .and_modify(|s| {
                s.count += 1;
                s.last_seen = s.last_seen.max(e.time);
            })
            .or_insert_with(|| RegionSummary {
                region: e.region.clone(),
                count: 1,
                last_seen: e.time,
            });
    }
    let mut out: Vec<_> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| b.last_seen.cmp(&a.last_seen))
            .then_with(|| a.region.cmp(&b.region))
    });
    out
}

/// What a line of the human summary is, so a terminal view can style and
/// wrap it; the text is the same everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// The first line: which key, which days, how many events and regions.
    Title,
    /// Some regions could not be searched.
    Incomplete,
    Blank,
    /// `By action:`, `Limits:` and the like.
    Heading,
    /// The column names of a table.
    Columns,
    /// A table row, or a newest event.
    Row,
    /// Nothing was found.
    Nothing,
    /// One limit of what the summary can see.
    Limit,
    /// A limit that is a region that failed.
    FailedRegion,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    pub kind: LineKind,
    pub text: String,
}

impl SummaryLine {
    fn new(kind: LineKind, text: impl Into<String>) -> Self {
        Self {
            kind,
            text: text.into(),
        }
    }

    fn blank() -> Self {
        Self::new(LineKind::Blank, "")
    }

    /// How far a wrapped continuation of this line is indented (past the
    /// `  - ` of a limit, the count of a row).
    pub fn hanging_indent(&self) -> usize {
        match self.kind {
            LineKind::Limit | LineKind::FailedRegion => 4,
            LineKind::Row | LineKind::Columns => 10,
            _ => 0,
        }
    }
}

/// The human summary: what used the key, from where, when; then the limits.
pub fn render_text(report: &UsageReport, now: DateTime<Utc>) -> String {
    summary_lines(report, now)
        .into_iter()
        .map(|l| l.text + "\n")
        .collect()
}

/// The lines of [`render_text`], each with its kind.
pub fn summary_lines(report: &UsageReport, now: DateTime<Utc>) -> Vec<SummaryLine> {
    let searched = report.regions.len();
    let ok = report.regions_ok();
    let total = report.total_events();
    let mut out = vec![SummaryLine::new(
        LineKind::Title,
        format!(
            "Usage of {} in the last {} days ({} to {} UTC): {} in {} of {} regions searched",
            one_line(&report.key_id),
            report.days,
            report.from.format("%Y-%m-%d %H:%M"),
            report.to.format("%Y-%m-%d %H:%M"),
            plural(total, "event", "events"),
            report.by_region.len(),
            searched,
        ),
    )];
    if ok < searched {
        let missing: Vec<String> = report
            .regions_not_searched()
            .map(|r| one_line(&r.region).into_owned())
            .collect();
        out.push(SummaryLine::new(
            LineKind::Incomplete,
            format!(
                "Not complete: {} of {searched} regions could not be searched: {} (see Limits).",
                searched - ok,
                missing.join(", ")
            ),
        ));
    }

    if total == 0 {
        out.push(SummaryLine::blank());
        out.push(SummaryLine::new(
            LineKind::Nothing,
            format!(
                "No management events signed with {} in the last {} days in the {} searched.",
                one_line(&report.key_id),
                report.days,
                plural(ok, "region", "regions"),
            ),
        ));
    } else {
        let when = |t: DateTime<Utc>| format!("{} ({})", t.format("%Y-%m-%d %H:%M"), ago(now, t));
        render_actions(&mut out, report, &when);
        render_callers(&mut out, report, &when);
        render_regions(&mut out, report, &when);
        render_newest(&mut out, report);
    }

    out.push(SummaryLine::blank());
    out.push(SummaryLine::new(LineKind::Heading, "Limits:"));
    for limit in &report.limits {
        let limit = one_line(limit);
        let failed = report
            .failed_regions()
            .any(|r| limit.starts_with(&format!("{} failed (", one_line(&r.region))));
        let kind = if failed {
            LineKind::FailedRegion
        } else {
            LineKind::Limit
        };
        out.push(SummaryLine::new(kind, format!("  - {limit}")));
    }
    out
}

fn heading(out: &mut Vec<SummaryLine>, text: impl Into<String>) {
    out.push(SummaryLine::blank());
    out.push(SummaryLine::new(LineKind::Heading, text));
}

fn render_actions(
    out: &mut Vec<SummaryLine>,
    report: &UsageReport,
    when: &dyn Fn(DateTime<Utc>) -> String,
) {
    let actions: Vec<String> = report
        .by_action
        .iter()
        .map(|a| {
            truncate(
                &format!(
                    "{} {}",
                    short_source(&one_line(&a.event_source)),
                    one_line(&a.event_name)
                ),
                60,
            )
        })
        .collect();
    let w = column_width("ACTION", actions.iter().map(String::as_str));
    heading(out, "By action:");
    out.push(SummaryLine::new(
        LineKind::Columns,
        format!(
            "  {:>6}  {:<w$}  {:<16}  {}",
            "COUNT", "ACTION", "FIRST SEEN", "LAST SEEN"
        ),
    ));
    for (a, action) in report.by_action.iter().zip(&actions) {
        out.push(SummaryLine::new(
            LineKind::Row,
            format!(
                "  {:>6}  {action:<w$}  {:<16}  {}",
                a.count,
                a.first_seen.format("%Y-%m-%d %H:%M").to_string(),
                when(a.last_seen),
            ),
        ));
    }
}

fn render_callers(
    out: &mut Vec<SummaryLine>,
    report: &UsageReport,
    when: &dyn Fn(DateTime<Utc>) -> String,
) {
    let callers: Vec<(String, String)> = report
        .by_caller
        .iter()
        .map(|c| {
            (
                truncate(&one_line(c.source_ip.as_deref().unwrap_or("-")), 39),
                shorten_agent(&one_line(c.user_agent.as_deref().unwrap_or("-")), 50),
            )
        })
        .collect();
    let wi = column_width("SOURCE IP", callers.iter().map(|(ip, _)| ip.as_str()));
    let wu = column_width("USER AGENT", callers.iter().map(|(_, ua)| ua.as_str()));
    heading(out, "By caller (source IP, user agent):");
    out.push(SummaryLine::new(
        LineKind::Columns,
        format!(
            "  {:>6}  {:<wi$}  {:<wu$}  {}",
            "COUNT", "SOURCE IP", "USER AGENT", "LAST SEEN"
        ),
    ));
    for (c, (ip, ua)) in report.by_caller.iter().zip(&callers) {
        out.push(SummaryLine::new(
            LineKind::Row,
            format!(
                "  {:>6}  {ip:<wi$}  {ua:<wu$}  {}",
                c.count,
                when(c.last_seen),
            ),
        ));
    }
}

fn render_regions(
    out: &mut Vec<SummaryLine>,
    report: &UsageReport,
    when: &dyn Fn(DateTime<Utc>) -> String,
) {
    heading(out, "By region:");
    out.push(SummaryLine::new(
        LineKind::Columns,
        format!("  {:>6}  {:<16}  {}", "COUNT", "REGION", "LAST SEEN"),
    ));
    for r in &report.by_region {
        out.push(SummaryLine::new(
            LineKind::Row,
            format!(
                "  {:>6}  {:<16}  {}",
                r.count,
                one_line(&r.region),
                when(r.last_seen)
            ),
        ));
    }
    let quiet = report
        .regions
        .iter()
        .filter(|r| r.status == RegionStatus::Ok && r.events == 0)
        .count();
    if quiet > 0 {
        out.push(SummaryLine::new(
            LineKind::Row,
            format!(
                "  (no events in {quiet} other {} searched)",
                if quiet == 1 { "region" } else { "regions" }
            ),
        ));
    }
}

fn render_newest(out: &mut Vec<SummaryLine>, report: &UsageReport) {
    let shown = report.newest.len().min(NEWEST_SHOWN);
    heading(out, format!("Newest {}:", plural(shown, "event", "events")));
    for e in report.newest.iter().take(NEWEST_SHOWN) {
        let mut line = format!(
            "  {}  {:<14}  {} {}",
            e.time.format("%Y-%m-%d %H:%M:%S"),
            one_line(&e.region),
            short_source(&one_line(&e.event_source)),
            one_line(&e.event_name)
        );
        if let Some(ip) = &e.source_ip {
            line.push_str(&format!("  from {}", truncate(&one_line(ip), 39)));
        }
        if let Some(ua) = &e.user_agent {
            line.push_str(&format!("  [{}]", shorten_agent(&one_line(ua), 40)));
        }
        if let Some(code) = &e.error_code {
            line.push_str(&format!("  error: {}", truncate(&one_line(code), 60)));
        }
        out.push(SummaryLine::new(LineKind::Row, line));
    }
}

/// Summary and raw events, for `--json`.
pub fn to_json(report: &UsageReport) -> serde_json::Value {
    serde_json::json!({
        "summary": {
            "key_id": report.key_id,
            "days": report.days,
            "from": report.from,
            "to": report.to,
            "total_events": report.total_events(),
            "complete": report.complete(),
            "regions_not_searched": report
                .regions_not_searched()
                .map(|r| r.region.as_str())
                .collect::<Vec<_>>(),
            "regions": report.regions,
            "by_action": report.by_action,
            "by_caller": report.by_caller,
            "by_region": report.by_region,
            "newest": report.newest,
            "limits": report.limits,
        },
        "events": report.events,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `iam.amazonaws.com` -> `iam`.
fn short_source(source: &str) -> &str {
    source.strip_suffix(".amazonaws.com").unwrap_or(source)
}

/// Width of a text column: its widest cell or its header (in characters).
fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(|c| c.chars().count())
        .chain(std::iter::once(header.chars().count()))
        .max()
        .unwrap_or(0)
}

/// At most `max` characters, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// A user agent in at most `max` characters, keeping its first and last
/// words (the tool and, for the AWS CLI, the command: `aws-cli/2.15.30
/// Python/3.11.8 … command/s3.sync`) and cutting from the middle.
fn shorten_agent(agent: &str, max: usize) -> String {
    if agent.chars().count() <= max {
        return agent.to_owned();
    }
    let words: Vec<&str> = agent.split_whitespace().collect();
    let len = |parts: &[&str]| parts.iter().map(|p| p.chars().count() + 1).sum::<usize>();
    if words.len() < 2 {
        return truncate(agent, max);
    }
    let first = words[0].chars().count();
    let last = words[words.len() - 1];
    if first + 3 + last.chars().count() > max {
        // First and last words do not fit together: the start of the last.
        return if first + 3 + 8 <= max {
            format!("{} … {}", words[0], truncate(last, max - first - 3))
        } else {
            truncate(agent, max)
        };
    }
    let (mut head, mut tail) = (1, 1);
    // Take words from the front and the back in turn while they fit.
    let mut from_front = true;
    while head + tail < words.len() {
        let (h, t) = if from_front {
            (head + 1, tail)
        } else {
            (head, tail + 1)
        };
        let size = len(&words[..h]) + 2 + len(&words[words.len() - t..]) - 1;
        if size > max {
            if from_front {
                from_front = false;
                continue;
            }
            break;
        }
        (head, tail) = (h, t);
        from_front = !from_front;
    }
    format!(
        "{} … {}",
        words[..head].join(" "),
        words[words.len() - tail..].join(" ")
    )
}

fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    let (n, unit) = match secs {
        0..60 => return "just now".to_owned(),
        60..3_600 => (secs / 60, "minute"),
        3_600..86_400 => (secs / 3_600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0)
            .single()
            .expect("valid time")
    }

    fn event(time: DateTime<Utc>, region: &str, source: &str, name: &str, ip: &str) -> TrailEvent {
        TrailEvent {
            time,
            region: region.to_owned(),
            event_source: source.to_owned(),
            event_name: name.to_owned(),
            source_ip: Some(ip.to_owned()),
            user_agent: Some("aws-cli/2.15.0 Python/3.11".to_owned()),
            read_only: Some(true),
            error_code: None,
        }
    }

    const KEY: &str = "AKIAEXAMPLEROOT00001";

    fn sample() -> UsageReport {
        let east = vec![
            event(
                at(1, 10),
                "us-east-1",
                "s3.amazonaws.com",
                "ListBuckets",
                "198.51.100.7",
            ),
            event(
                at(5, 10),
                "us-east-1",
                "s3.amazonaws.com",
                "ListBuckets",
                "198.51.100.7",
            ),
            event(
                at(3, 10),
                "us-east-1",
                "iam.amazonaws.com",
                "ListUsers",
                "203.0.113.9",
            ),
            event(
                at(9, 10),
                "us-east-1",
                "s3.amazonaws.com",
                "ListBuckets",
                "198.51.100.7",
            ),
        ];
        let west = vec![
            event(
                at(8, 12),
                "eu-west-1",
                "ec2.amazonaws.com",
                "DescribeInstances",
                "203.0.113.9",
            ),
            event(
                at(2, 12),
                "eu-west-1",
                "ec2.amazonaws.com",
                "DescribeInstances",
                "203.0.113.9",
            ),
        ];
        summarise(
            KEY,
            90,
            at(1, 0) - chrono::Duration::days(80),
            at(10, 0),
            vec![
                ("us-east-1".to_owned(), Ok((east, 1))),
                ("eu-west-1".to_owned(), Ok((west, 2))),
                (
                    "ap-south-1".to_owned(),
                    Err(RegionFailure::new(
                        "AccessDenied",
                        "not authorized to perform: cloudtrail:LookupEvents",
                    )),
                ),
                ("sa-east-1".to_owned(), Ok((Vec::new(), 1))),
            ],
        )
    }

    #[test]
    fn summarise_groups_sorts_and_tracks_first_and_last_seen() {
        let r = sample();
        assert_eq!(r.total_events(), 6);
        assert_eq!(r.by_action.len(), 3);
        let top = &r.by_action[0];
        assert_eq!((top.event_name.as_str(), top.count), ("ListBuckets", 3));
        assert_eq!(top.first_seen, at(1, 10));
        assert_eq!(top.last_seen, at(9, 10));
        // Two actions with 2 and 1; 2 first.
        assert_eq!(r.by_action[1].event_name, "DescribeInstances");
        assert_eq!(r.by_action[1].count, 2);
        assert_eq!(r.by_action[1].first_seen, at(2, 12));
        assert_eq!(r.by_action[2].event_name, "ListUsers");

        // Callers: 198.51.100.7 x3, 203.0.113.9 x3 -> tie on count, newer last_seen first.
        assert_eq!(r.by_caller.len(), 2);
        assert_eq!(r.by_caller[0].count, 3);
        assert_eq!(r.by_caller[0].source_ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(r.by_caller[0].last_seen, at(9, 10));
        assert_eq!(r.by_caller[1].source_ip.as_deref(), Some("203.0.113.9"));

        assert_eq!(r.by_region.len(), 2);
        assert_eq!(
            (r.by_region[0].region.as_str(), r.by_region[0].count),
            ("us-east-1", 4)
        );
        assert_eq!(r.by_region[1].last_seen, at(8, 12));

        // Newest first.
        assert_eq!(r.events[0].time, at(9, 10));
        assert_eq!(r.events[5].time, at(1, 10));
        assert_eq!(r.newest.len(), 6);
    }

    #[test]
    fn sort_by_count_then_last_seen() {
        let r = summarise(
            KEY,
            30,
            at(1, 0),
            at(10, 0),
            vec![(
                "us-east-1".to_owned(),
                Ok((
                    vec![
                        event(at(2, 0), "us-east-1", "a.amazonaws.com", "Old", "1.1.1.1"),
                        event(at(7, 0), "us-east-1", "b.amazonaws.com", "New", "1.1.1.1"),
                    ],
                    1,
                )),
            )],
        );
        assert_eq!(r.by_action[0].event_name, "New");
        assert_eq!(r.by_action[1].event_name, "Old");
    }

    #[test]
    fn failed_region_is_reported_never_dropped() {
        let r = sample();
        assert_eq!(r.regions.len(), 4);
        let failed: Vec<_> = r.failed_regions().collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].region, "ap-south-1");
        assert!(
            matches!(&failed[0].status, RegionStatus::Failed { code, .. } if code == "AccessDenied")
        );
        assert!(!r.complete());
        assert!(
            r.limits
                .iter()
                .any(|l| l.contains("ap-south-1") && l.contains("AccessDenied"))
        );
        assert_eq!(r.regions[1].pages, 2);
        assert_eq!(r.regions[1].events, 2);
    }

    #[test]
    fn unavailable_region_is_named_in_limits() {
        let r = summarise(
            KEY,
            90,
            at(1, 0),
            at(10, 0),
            vec![(
                "me-south-1".to_owned(),
                Err(RegionFailure::new(
                    "RegionNotEnabled",
                    "not enabled in this account",
                )),
            )],
        );
        assert_eq!(r.regions[0].status, RegionStatus::Unavailable);
        assert!(
            r.limits
                .iter()
                .any(|l| l.contains("me-south-1 (not enabled"))
        );
    }

    #[test]
    fn render_text_has_the_sections_and_limits() {
        let r = sample();
        let text = render_text(&r, at(10, 0));
        assert!(
            text.starts_with(&format!("Usage of {KEY} in the last 90 days")),
            "{text}"
        );
        assert!(
            text.contains("6 events in 2 of 4 regions searched"),
            "{text}"
        );
        assert!(
            text.contains("Not complete: 1 of 4 regions could not be searched"),
            "{text}"
        );
        assert!(text.contains("By action:"));
        assert!(
            text.lines().any(|l| l.contains("s3 ListBuckets")
                && l.contains("2025-03-01 10:00")
                && l.contains("(14 hours ago)")),
            "{text}"
        );
        assert!(text.contains("By caller (source IP, user agent):"));
        assert!(
            text.lines()
                .any(|l| l.contains("198.51.100.7") && l.contains("aws-cli/2.15.0"))
        );
        assert!(text.contains("By region:"));
        assert!(
            text.contains("(no events in 1 other region searched)"),
            "{text}"
        );
        assert!(text.contains("Newest 6 events:"));
        assert!(text.contains("Limits:"));
        assert!(text.contains("Management events only"));
        assert!(text.contains("last 90 days only"));
        assert!(text.contains("ap-south-1 failed (AccessDenied"));
        assert!(!text.contains("No management events"));
    }

    #[test]
    fn render_text_says_plainly_when_nothing_was_found() {
        let r = summarise(
            KEY,
            30,
            at(1, 0),
            at(10, 0),
            vec![
                ("us-east-1".to_owned(), Ok((Vec::new(), 1))),
                ("eu-west-1".to_owned(), Ok((Vec::new(), 1))),
            ],
        );
        let text = render_text(&r, at(10, 0));
        assert!(
            text.contains(&format!(
                "No management events signed with {KEY} in the last 30 days in the 2 regions searched."
            )),
            "{text}"
        );
        assert!(!text.contains("By action:"));
        assert!(text.contains("Limits:"));
        assert!(text.contains("Management events only"));
    }

    #[test]
    fn newest_is_capped_and_text_shows_ten() {
        let events: Vec<_> = (0..30)
            .map(|i| {
                event(
                    at(1, 0) + chrono::Duration::minutes(i),
                    "us-east-1",
                    "sts.amazonaws.com",
                    "GetCallerIdentity",
                    "192.0.2.1",
                )
            })
            .collect();
        let r = summarise(
            KEY,
            90,
            at(1, 0),
            at(2, 0),
            vec![("us-east-1".to_owned(), Ok((events, 1)))],
        );
        assert_eq!(r.newest.len(), NEWEST_KEPT);
        assert_eq!(r.events.len(), 30);
        let text = render_text(&r, at(2, 0));
        assert!(text.contains("Newest 10 events:"));
        assert_eq!(
            text.lines()
                .filter(|l| l.contains("sts GetCallerIdentity  from"))
                .count(),
            10
        );
    }

    #[test]
    fn summary_lines_are_the_text_with_kinds() {
        let r = sample();
        let now = at(10, 0);
        let lines = summary_lines(&r, now);
        let joined: String = lines.iter().fold(String::new(), |mut out, l| {
            out.push_str(&l.text);
            out.push('\n');
            out
        });
        assert_eq!(joined, render_text(&r, now));
        let kind_of = |needle: &str| {
            lines
                .iter()
                .find(|l| l.text.contains(needle))
                .map(|l| l.kind)
        };
        assert_eq!(kind_of("Usage of"), Some(LineKind::Title));
        assert_eq!(kind_of("Not complete"), Some(LineKind::Incomplete));
        assert_eq!(kind_of("By action:"), Some(LineKind::Heading));
        assert_eq!(kind_of("FIRST SEEN"), Some(LineKind::Columns));
        assert_eq!(kind_of("s3 ListBuckets  "), Some(LineKind::Row));
        assert_eq!(kind_of("ap-south-1 failed"), Some(LineKind::FailedRegion));
        assert_eq!(kind_of("Management events only"), Some(LineKind::Limit));
        assert_eq!(kind_of("Limits:"), Some(LineKind::Heading));
        assert_eq!(lines[2].kind, LineKind::Blank);
        // The incomplete line names the regions that could not be searched.
        assert!(
            joined.contains(
                "Not complete: 1 of 4 regions could not be searched: ap-south-1 (see Limits)."
            ),
            "{joined}"
        );
        let empty = summarise(KEY, 30, at(1, 0), at(10, 0), Vec::new());
        assert!(
            summary_lines(&empty, now)
                .iter()
                .any(|l| l.kind == LineKind::Nothing)
        );
    }

    #[test]
    fn user_agents_keep_their_first_and_last_words() {
        let cli = "aws-cli/2.15.30 Python/3.11.8 Linux/5.15 exe/x86_64 command/s3.sync";
        assert_eq!(
            shorten_agent(cli, 50),
            "aws-cli/2.15.30 Python/3.11.8 … command/s3.sync"
        );
        assert_eq!(shorten_agent(cli, 40), "aws-cli/2.15.30 … command/s3.sync");
        assert_eq!(shorten_agent(cli, 80), cli);
        let sts =
            "aws-cli/2.15.30 Python/3.11.8 Linux/5.15 exe/x86_64 command/sts.get-caller-identity";
        assert_eq!(
            shorten_agent(sts, 40),
            "aws-cli/2.15.30 … command/sts.get-calle…"
        );
        // One long word, or first and last words too long together: cut the end.
        assert_eq!(shorten_agent(&"x".repeat(60), 10), "xxxxxxxxx…");
        assert_eq!(
            shorten_agent("console.amazonaws.com something-quite-long", 30),
            "console.amazonaws.com somethi…"
        );
        for max in 5..sts.len() {
            for agent in [cli, sts] {
                let short = shorten_agent(agent, max);
                assert!(short.chars().count() <= max, "{max}: {short}");
            }
        }
    }

    #[test]
    fn long_user_agents_are_truncated() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }

    #[test]
    fn json_has_summary_and_raw_events() {
        let r = sample();
        let json = to_json(&r);
        assert_eq!(json["summary"]["total_events"], 6);
        assert_eq!(json["summary"]["complete"], false);
        assert_eq!(
            json["summary"]["regions_not_searched"],
            serde_json::json!(["ap-south-1"])
        );
        assert_eq!(json["summary"]["regions"][2]["status"]["state"], "failed");
        assert_eq!(
            json["summary"]["regions"][2]["status"]["code"],
            "AccessDenied"
        );
        assert_eq!(json["summary"]["by_action"][0]["event_name"], "ListBuckets");
        assert_eq!(json["events"].as_array().map(Vec::len), Some(6));
        assert_eq!(json["events"][0]["source_ip"], "198.51.100.7");
    }

    #[test]
    fn foreign_text_is_escaped_in_the_summary_and_kept_in_json() {
        let hostile = TrailEvent {
            time: at(2, 0),
            region: "eu-west-1\u{1b}[8m".to_owned(),
            event_source: "iam.amazonaws.com\u{1b}[1m".to_owned(),
            event_name: "List\u{1b}[2JUsers".to_owned(),
            source_ip: Some("203.0.113.5\u{7}".to_owned()),
            user_agent: Some("evil/1.0 \u{1b}]0;pwned\u{7}\nsecond line".to_owned()),
            read_only: Some(true),
            error_code: Some("Denied\u{9b}31m".to_owned()),
        };
        let mut r = summarise(
            "AKIA\u{1b}[31mKEY",
            90,
            at(1, 0),
            at(10, 0),
            vec![
                ("us-east-1".to_owned(), Ok((vec![hostile], 1))),
                (
                    "ap-south-1\u{1b}[5m".to_owned(),
                    Err(RegionFailure::new(
                        "AccessDenied\u{1b}[7m",
                        "no\u{1b}]52;c;aGk=\u{7} access",
                    )),
                ),
            ],
        );
        r.limits.push("note from elsewhere\u{1b}[0m".to_owned());
        let text = render_text(&r, at(10, 0));
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        for escaped in [
            "AKIA\\u{1b}[31mKEY",
            "iam.amazonaws.com\\u{1b}[1m List\\u{1b}[2JUsers",
            "203.0.113.5\\u{7}",
            "evil/1.0 \\u{1b}]0;pwned\\u{7} second line",
            "eu-west-1\\u{1b}[8m",
            "error: Denied\\u{9b}31m",
            "ap-south-1\\u{1b}[5m failed (AccessDenied\\u{1b}[7m: no\\u{1b}]52;c;aGk=\\u{7} access)",
            "note from elsewhere\\u{1b}[0m",
        ] {
            assert!(text.contains(escaped), "{escaped} missing: {text}");
        }
        // The failed region's limit line is still recognised as one.
        assert!(
            summary_lines(&r, at(10, 0))
                .iter()
                .any(|l| l.kind == LineKind::FailedRegion && l.text.contains("ap-south-1"))
        );
        // JSON keeps the values as they came (serde escapes them).
        let json = to_json(&r);
        assert_eq!(
            json["events"][0]["user_agent"],
            "evil/1.0 \u{1b}]0;pwned\u{7}\nsecond line"
        );
        assert_eq!(
            json["summary"]["regions_not_searched"][0],
            "ap-south-1\u{1b}[5m"
        );
    }

    #[test]
    fn query_validation() {
        let q = UsageQuery::new(KEY);
        assert_eq!(q.days, 90);
        assert!(q.validate().is_ok());
        let bad = UsageQuery {
            days: 91,
            ..q.clone()
        };
        assert_eq!(bad.validate(), Err(UsageQueryError::Days(91)));
        assert_eq!(bad.effective_days(), 90);
        let zero = UsageQuery {
            days: 0,
            ..q.clone()
        };
        assert_eq!(zero.effective_days(), 1);
        let empty = UsageQuery {
            regions: RegionSelection::List(Vec::new()),
            ..q
        };
        assert_eq!(empty.validate(), Err(UsageQueryError::NoRegions));
    }
}
