//! Usage review of one access key: what used it, from where and when, across
//! regions, summarised from `CloudTrail` event history. Pure: no AWS, no
//! terminal, no clock of its own (the caller passes `now`).
//!
//! Event fields, region names, error messages and the key ID are foreign
//! text: the limits written here show them through [`crate::text`]
//! (control characters escaped, messages redacted and bounded); the
//! renderings (`crate::render::usage`) do the same for the rest.
//!
//! Imports `text` only; never `account`, `render`, `commands`, `tui`,
//! `journal`, tokio, ratatui, crossterm or an AWS crate.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hash;

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
    /// The HTTP status of the answer, when one came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

/// The code of a failure whose answer was not an AWS one (an HTML page, a
/// proxy, another service): the endpoint is not the service asked for.
pub const NOT_AWS: &str = "NotAws";

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
            http_status: None,
        }
    }

    /// The same failure, with the HTTP status of its answer.
    #[must_use]
    pub fn with_status(mut self, status: Option<u16>) -> Self {
        self.http_status = status;
        self
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
    /// The HTTP status of a failed search's answer, when one came.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
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

/// Regions that failed the same way (same code, message and HTTP status),
/// in search order: one line for all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup<'a> {
    pub regions: Vec<&'a str>,
    pub code: &'a str,
    pub message: &'a str,
    pub http_status: Option<u16>,
}

/// The failed regions of a search, grouped by how they failed.
pub fn failure_groups(regions: &[RegionOutcome]) -> Vec<FailureGroup<'_>> {
    let mut groups: Vec<FailureGroup<'_>> = Vec::new();
    for r in regions {
        let RegionStatus::Failed { code, message } = &r.status else {
            continue;
        };
        match groups.iter_mut().find(|g| {
            g.code == code.as_str()
                && g.message == message.as_str()
                && g.http_status == r.http_status
        }) {
            Some(group) => group.regions.push(&r.region),
            None => groups.push(FailureGroup {
                regions: vec![&r.region],
                code,
                message,
                http_status: r.http_status,
            }),
        }
    }
    groups
}

/// What to do about a failure, when its code says more than its message.
pub fn failure_hint(code: &str) -> Option<&'static str> {
    (code == NOT_AWS).then_some(
        "this endpoint does not answer as CloudTrail — check AWS_ENDPOINT_URL (or \
         AWS_ENDPOINT_URL_CLOUDTRAIL)",
    )
}

impl FailureGroup<'_> {
    /// `us-east-1, eu-west-1`, or past three names
    /// `us-east-1, us-east-2, us-west-1 and 14 more regions`.
    pub fn regions_text(&self) -> String {
        const SHOWN: usize = 3;
        let names: Vec<String> = self
            .regions
            .iter()
            .take(SHOWN)
            .map(|r| one_line(r).into_owned())
            .collect();
        match self.regions.len() {
            1 => names.join(""),
            n if n <= SHOWN => names.join(", "),
            n => format!("{} and {} more regions", names.join(", "), n - SHOWN),
        }
    }

    /// `NotAws, HTTP 404: the message`
    pub fn error_text(&self) -> String {
        let mut out = one_line(self.code).into_owned();
        if let Some(status) = self.http_status {
            out.push_str(&format!(", HTTP {status}"));
        }
        if !self.message.is_empty() {
            out.push_str(&format!(": {}", foreign(self.message)));
        }
        if let Some(hint) = failure_hint(self.code) {
            out.push_str(&format!(". Hint: {hint}"));
        }
        out
    }

    /// The line in the summary's limits.
    pub fn limit(&self) -> String {
        let whose = if self.regions.len() == 1 {
            "its"
        } else {
            "their"
        };
        format!(
            "{} failed ({}); {whose} events are not included.",
            self.regions_text(),
            self.error_text()
        )
    }
}

/// The error when not one region could be searched: every way the regions
/// failed, each once, with the regions it hit.
pub fn nothing_searched(regions: &[RegionOutcome]) -> String {
    let mut parts: Vec<String> = failure_groups(regions)
        .iter()
        .map(|g| format!("{}: {}", g.regions_text(), g.error_text()))
        .collect();
    let unavailable: Vec<String> = regions
        .iter()
        .filter(|r| r.status == RegionStatus::Unavailable)
        .map(|r| one_line(&r.region).into_owned())
        .collect();
    if !unavailable.is_empty() {
        parts.push(format!("not enabled: {}", unavailable.join(", ")));
    }
    if parts.is_empty() {
        return "no region could be searched".to_owned();
    }
    format!("no region could be searched ({})", parts.join("; "))
}

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
    let mut unavailable = Vec::new();
    for (region, result) in per_region {
        match result {
            Ok((found, pages)) => {
                regions.push(RegionOutcome {
                    region,
                    http_status: None,
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
                    http_status: failure.http_status,
                    status: RegionStatus::Unavailable,
                    events: 0,
                    pages: 0,
                });
            }
            Err(failure) => {
                regions.push(RegionOutcome {
                    region,
                    http_status: failure.http_status,
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
    limits.extend(failure_groups(&regions).iter().map(FailureGroup::limit));
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
        by_action: group_by(&events, |e| {
            (e.event_source.as_str(), e.event_name.as_str())
        }),
        by_caller: group_by(&events, |e| {
            (e.source_ip.as_deref(), e.user_agent.as_deref())
        }),
        by_region: group_by(&events, |e| e.region.as_str()),
        newest: events.iter().take(NEWEST_KEPT).cloned().collect(),
        events,
        limits,
    }
}

/// One group of events in a summary table: started from its first event,
/// grown by each further one, and ordered within its table.
trait Group {
    fn start(e: &TrailEvent) -> Self;
    fn add(&mut self, e: &TrailEvent);
    fn count(&self) -> usize;
    fn last_seen(&self) -> DateTime<Utc>;
    /// How two groups with the same count and last use are ordered.
    fn tie(&self, other: &Self) -> Ordering;
}

/// Group `events` by `key`: the busiest group first, then the most recently
/// seen, then by [`Group::tie`] (so the order never depends on hashing).
fn group_by<'e, K: Eq + Hash, G: Group>(
    events: &'e [TrailEvent],
    key: impl Fn(&'e TrailEvent) -> K,
) -> Vec<G> {
    let mut groups: HashMap<K, G> = HashMap::new();
    for e in events {
        groups
            .entry(key(e))
            .and_modify(|g| g.add(e))
            .or_insert_with(|| G::start(e));
    }
    let mut out: Vec<G> = groups.into_values().collect();
    out.sort_by(|a, b| {
        b.count()
            .cmp(&a.count())
            .then_with(|| b.last_seen().cmp(&a.last_seen()))
            .then_with(|| a.tie(b))
    });
    out
}

impl Group for ActionSummary {
    fn start(e: &TrailEvent) -> Self {
        Self {
            event_source: e.event_source.clone(),
            event_name: e.event_name.clone(),
            count: 1,
            first_seen: e.time,
            last_seen: e.time,
        }
    }
    fn add(&mut self, e: &TrailEvent) {
        self.count += 1;
        self.first_seen = self.first_seen.min(e.time);
        self.last_seen = self.last_seen.max(e.time);
    }
    fn count(&self) -> usize {
        self.count
    }
    fn last_seen(&self) -> DateTime<Utc> {
        self.last_seen
    }
    fn tie(&self, other: &Self) -> Ordering {
        (&self.event_source, &self.event_name).cmp(&(&other.event_source, &other.event_name))
    }
}

impl Group for CallerSummary {
    fn start(e: &TrailEvent) -> Self {
        Self {
            source_ip: e.source_ip.clone(),
            user_agent: e.user_agent.clone(),
            count: 1,
            last_seen: e.time,
        }
    }
    fn add(&mut self, e: &TrailEvent) {
        self.count += 1;
        self.last_seen = self.last_seen.max(e.time);
    }
    fn count(&self) -> usize {
        self.count
    }
    fn last_seen(&self) -> DateTime<Utc> {
        self.last_seen
    }
    fn tie(&self, other: &Self) -> Ordering {
        (&self.source_ip, &self.user_agent).cmp(&(&other.source_ip, &other.user_agent))
    }
}

impl Group for RegionSummary {
    fn start(e: &TrailEvent) -> Self {
        Self {
            region: e.region.clone(),
            count: 1,
            last_seen: e.time,
        }
    }
    fn add(&mut self, e: &TrailEvent) {
        self.count += 1;
        self.last_seen = self.last_seen.max(e.time);
    }
    fn count(&self) -> usize {
        self.count
    }
    fn last_seen(&self) -> DateTime<Utc> {
        self.last_seen
    }
    fn tie(&self, other: &Self) -> Ordering {
        self.region.cmp(&other.region)
    }
}

/// A sample report and its parts, for the tests of the summary and of
/// its renderings.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0)
            .single()
            .expect("valid time")
    }

    pub(crate) fn event(
        time: DateTime<Utc>,
        region: &str,
        source: &str,
        name: &str,
        ip: &str,
    ) -> TrailEvent {
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

    pub(crate) const KEY: &str = "AKIAEXAMPLEROOT00001";

    pub(crate) fn sample() -> UsageReport {
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
}

#[cfg(test)]
mod tests {
    use super::fixtures::{KEY, at, event, sample};
    use super::*;

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
    fn identical_failures_are_one_line_with_their_regions_status_and_hint() {
        let regions = ["r1", "r2", "r3", "r4", "r5"];
        let mut per_region: Vec<(String, RegionFetch)> = regions
            .iter()
            .map(|r| {
                (
                    (*r).to_owned(),
                    Err(RegionFailure::new(
                        NOT_AWS,
                        "cloudtrail:LookupEvents: the answer is not an AWS one",
                    )
                    .with_status(Some(404))),
                )
            })
            .collect();
        per_region.push(("r6".to_owned(), Err(RegionFailure::new("Timeout", "slow"))));
        per_region.push((
            "r7".to_owned(),
            Err(RegionFailure::new(
                "RegionNotEnabled",
                "not enabled in this account",
            )),
        ));
        let r = summarise("K", 90, at(1, 0), at(2, 0), per_region);
        let groups = failure_groups(&r.regions);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].regions, ["r1", "r2", "r3", "r4", "r5"]);
        let failed: Vec<&String> = r
            .limits
            .iter()
            .filter(|l| l.contains(" failed ("))
            .collect();
        assert_eq!(failed.len(), 2, "{:?}", r.limits);
        assert_eq!(
            failed[0],
            "r1, r2, r3 and 2 more regions failed (NotAws, HTTP 404: cloudtrail:LookupEvents: \
             the answer is not an AWS one. Hint: this endpoint does not answer as CloudTrail — check \
             AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_CLOUDTRAIL)); their events are not included."
        );
        assert_eq!(
            failed[1],
            "r6 failed (Timeout: slow); its events are not included."
        );
        let text = nothing_searched(&r.regions);
        assert!(
            text.starts_with("no region could be searched (r1, r2, r3 and 2 more regions: NotAws"),
            "{text}"
        );
        assert!(
            text.contains("; r6: Timeout: slow; not enabled: r7)"),
            "{text}"
        );
        assert_eq!(nothing_searched(&[]), "no region could be searched");
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
