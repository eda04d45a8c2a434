//! The usage review as text (a summary of lines, each with a kind a
//! terminal view can style and wrap) and as JSON for `usage --json`.
//!
//! Event fields, region names, error messages and the key ID are foreign
//! text: the human summary shows them through [`crate::text`] (control
//! characters escaped, messages redacted and bounded); the JSON keeps them
//! as they came.

use chrono::{DateTime, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::usage::{NEWEST_SHOWN, RegionStatus, UsageReport, failure_groups};
use crate::domain::window::ago;
use crate::render::time;
use crate::text::one_line;

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
            "Usage of {} in the last {} days ({} to {}): {} in {} of {} regions searched",
            one_line(&report.key_id),
            report.days,
            time::text(&report.from),
            time::text(&report.to),
            plural(total, "event", "events"),
            ok,
            searched,
        ),
    )];
    if ok == 0 && searched > 0 {
        // Nothing was read: no summary, only why.
        out[0].text = format!(
            "Usage of {} in the last {} days ({} to {}): no region could be searched",
            one_line(&report.key_id),
            report.days,
            time::text(&report.from),
            time::text(&report.to),
        );
        out.push(SummaryLine::new(
            LineKind::Incomplete,
            "Nothing could be searched, so this says nothing about the key's use: see why under \
             Limits.",
        ));
    } else if ok < searched {
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

    if ok == 0 && searched > 0 {
        // Said above.
    } else if total == 0 {
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
        let when = |t: DateTime<Utc>| format!("{} ({})", time::text(&t), ago(now - t));
        render_actions(&mut out, report, &when);
        render_callers(&mut out, report, &when);
        render_regions(&mut out, report, &when);
        render_newest(&mut out, report);
    }

    out.push(SummaryLine::blank());
    out.push(SummaryLine::new(LineKind::Heading, "Limits:"));
    let failed_lines: Vec<String> = failure_groups(&report.regions)
        .iter()
        .map(|g| one_line(&g.limit()).into_owned())
        .collect();
    for limit in &report.limits {
        let limit = one_line(limit);
        let failed = failed_lines.iter().any(|l| *l == limit);
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
            "  {:>6}  {:<w$}  {:<20}  {}",
            "COUNT", "ACTION", "FIRST SEEN", "LAST SEEN"
        ),
    ));
    for (a, action) in report.by_action.iter().zip(&actions) {
        out.push(SummaryLine::new(
            LineKind::Row,
            format!(
                "  {:>6}  {}  {:<20}  {}",
                a.count,
                pad(action, w),
                time::text(&a.first_seen),
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
                "  {:>6}  {}  {}  {}",
                c.count,
                pad(ip, wi),
                pad(ua, wu),
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
            time::text(&e.time),
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

/// Display columns of a text (wide characters count two).
fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` padded with spaces to `columns` display columns.
fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_owned();
    out.push_str(&" ".repeat(columns.saturating_sub(width(text))));
    out
}

/// Width of a text column: its widest cell or its header (in display
/// columns).
fn column_width<'a>(header: &str, cells: impl Iterator<Item = &'a str>) -> usize {
    cells
        .map(width)
        .chain(std::iter::once(width(header)))
        .max()
        .unwrap_or(0)
}

/// At most `max` display columns, ending in `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_owned();
    }
    let mut cut = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = UnicodeWidthChar::width(c).unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        used += w;
        cut.push(c);
    }
    cut.push('…');
    cut
}

/// A user agent in at most `max` display columns, keeping its first and last
/// words (the tool and, for the AWS CLI, the command: `aws-cli/2.15.30
/// Python/3.11.8 … command/s3.sync`) and cutting from the middle.
fn shorten_agent(agent: &str, max: usize) -> String {
    if width(agent) <= max {
        return agent.to_owned();
    }
    let words: Vec<&str> = agent.split_whitespace().collect();
    let len = |parts: &[&str]| parts.iter().map(|p| width(p) + 1).sum::<usize>();
    if words.len() < 2 {
        return truncate(agent, max);
    }
    let first = width(words[0]);
    let last = words[words.len() - 1];
    if first + 3 + width(last) > max {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::usage::fixtures::{KEY, at, event, sample};
    use crate::domain::usage::*;

    #[test]
    fn columns_and_cuts_count_display_columns() {
        use unicode_width::UnicodeWidthStr;
        // Wide characters take two columns each: padding and cutting follow.
        assert_eq!(UnicodeWidthStr::width(pad("備份", 6).as_str()), 6);
        assert_eq!(pad("備份", 6), "備份  ");
        let cut = truncate("備份工作備份工作", 7);
        assert!(UnicodeWidthStr::width(cut.as_str()) <= 7, "{cut}");
        assert!(cut.ends_with('…'), "{cut}");
        assert_eq!(column_width("IP", ["備份工作"].into_iter()), 8);
        let agent = shorten_agent("備份/1.0 工具/2.0 中间/3.0 命令/s3.sync", 24);
        assert!(UnicodeWidthStr::width(agent.as_str()) <= 24, "{agent}");
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
            // Three regions were searched (two of them had events).
            text.contains("6 events in 3 of 4 regions searched"),
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
                && l.contains("(14 h ago)")),
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
    fn ages_read_as_everywhere_else_in_rootkeys() {
        // The same words as `status`, `audit` and the interactive view.
        let r = sample();
        let text = render_text(&r, at(10, 16));
        assert!(text.contains("2025-03-09 10:00 UTC (yesterday)"), "{text}");
        assert!(!text.contains("1 day ago"), "{text}");
    }
}
