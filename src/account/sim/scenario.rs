//! The demo's scenario format: the scenarios embedded in the binary
//! (`assets/scenarios/<name>.json`), their JSON shape, and [`Scenario`], a
//! scenario checked and with its relative times parsed.
//!
//! Plain data: must not import the SDK (`aws_sdk_*`, `aws_smithy_*`),
//! `crate::account::aws`, the journal, or the front ends (`tui`, `commands`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;

use super::SimError;
use crate::account::usage::RegionFailure;
use crate::domain::usage::TrailEvent;
use crate::domain::{KeyStatus, is_root_arn};

/// The scenarios built into the binary: name and JSON text.
const SCENARIOS: &[(&str, &str)] = &[
    (
        "two-keys",
        include_str!("../../../assets/scenarios/two-keys.json"),
    ),
    (
        "auditor",
        include_str!("../../../assets/scenarios/auditor.json"),
    ),
    (
        "signing-key",
        include_str!("../../../assets/scenarios/signing-key.json"),
    ),
];

/// The scenario `rootkeys demo` opens without `--scenario`.
pub const DEFAULT_SCENARIO: &str = "two-keys";

/// The names of the embedded scenarios, in a stable order.
pub fn scenario_names() -> Vec<&'static str> {
    SCENARIOS
        .iter()
        .map(|(name, _)| *name)
        .chain(ORG_SCENARIOS.iter().copied())
        .collect()
}

/// Scenarios of a whole organization (`org::sim`, opened by the
/// organization view, not by [`Scenario`]); listed with the others.
pub const ORG_SCENARIOS: &[&str] = &["org"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    title: String,
    summary: String,
    account_id: String,
    #[serde(default)]
    profile: Option<String>,
    #[serde(default)]
    region: Option<String>,
    caller: CallerFile,
    root: RootFile,
    #[serde(default)]
    keys: Vec<KeyFile>,
    #[serde(default)]
    cloudtrail: Option<CloudTrailFile>,
}

/// The account's regions as event history sees them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloudTrailFile {
    /// The enabled regions (`account:ListRegions`).
    regions: Vec<String>,
    /// Regions whose `LookupEvents` fails, with the error.
    #[serde(default)]
    failing: Vec<FailingRegionFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FailingRegionFile {
    region: String,
    code: String,
    message: String,
}

/// One management event signed with a key, `times` times, `every` apart,
/// the newest `ago` before the scenario was first opened.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct UsageFile {
    ago: String,
    #[serde(default)]
    every: Option<String>,
    #[serde(default = "one")]
    times: u32,
    region: String,
    event_source: String,
    event_name: String,
    #[serde(default)]
    source_ip: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
    #[serde(default)]
    read_only: Option<bool>,
    #[serde(default)]
    error_code: Option<String>,
}

fn one() -> u32 {
    1
}

/// Repetitions of one scenario event at most (90 days of hourly events
/// would be far more than a demo needs).
const MAX_TIMES: u32 = 1_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CallerFile {
    arn: String,
    user_id: String,
    #[serde(default)]
    signing_key: Option<String>,
    /// A non-root caller's own access keys (what `ListAccessKeys` without
    /// `UserName` returns for them).
    #[serde(default)]
    own_keys: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RootFile {
    created_ago: String,
    #[serde(default)]
    mfa_active: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    id: String,
    status: KeyStatus,
    created_ago: String,
    #[serde(default)]
    last_used: Option<LastUsedFile>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    usage: Vec<UsageFile>,
    #[serde(default)]
    job: Option<JobFile>,
}

/// A scheduled job that signs its calls with the key: it keeps running
/// while the scenario is played (`next_in` after the first opening, then
/// `every`), and fails once the key is inactive, until it is moved to
/// `role`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobFile {
    name: String,
    next_in: String,
    every: String,
    role: String,
    region: String,
    event_source: String,
    event_name: String,
    #[serde(default)]
    source_ip: Option<String>,
    #[serde(default)]
    user_agent: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct LastUsedFile {
    ago: String,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// A scenario, checked and with its durations parsed.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub summary: String,
    pub account_id: String,
    pub(super) profile: Option<String>,
    pub(super) region: Option<String>,
    pub(super) caller_arn: String,
    pub(super) caller_user_id: String,
    pub(super) signing_key: Option<String>,
    pub(super) own_keys: Vec<String>,
    pub(super) root_created_ago: TimeDelta,
    pub(super) mfa_active: bool,
    pub(super) keys: Vec<ScenarioKey>,
    /// Enabled regions, in the scenario's order.
    pub(super) trail_regions: Vec<String>,
    pub(super) failing_regions: BTreeMap<String, RegionFailure>,
}

#[derive(Debug, Clone)]
pub(super) struct ScenarioKey {
    pub(super) id: String,
    pub(super) status: KeyStatus,
    pub(super) created_ago: TimeDelta,
    pub(super) last_used: Option<(TimeDelta, Option<String>, Option<String>)>,
    pub(super) note: Option<String>,
    pub(super) usage: Vec<ScenarioEvent>,
    pub(super) job: Option<ScenarioJob>,
}

/// A scheduled job using a key (see `JobFile`).
#[derive(Debug, Clone)]
pub(super) struct ScenarioJob {
    pub(super) name: String,
    pub(super) next_in: TimeDelta,
    pub(super) every: TimeDelta,
    pub(super) role: String,
    /// The call each run makes, its time left at the first opening.
    pub(super) event: TrailEvent,
}

/// Runs of one job at most (years of nightly runs are more than a demo needs).
pub(super) const MAX_RUNS: i32 = 2_000;

impl ScenarioJob {
    /// The times of the runs after `started`, up to `until`, oldest first.
    pub(super) fn runs(
        &self,
        started: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        (0..MAX_RUNS)
            .map(move |i| started + self.next_in + self.every * i)
            .take_while(move |t| *t <= until)
    }
}

/// A repeated management event, times relative to the first opening.
#[derive(Debug, Clone)]
pub(super) struct ScenarioEvent {
    pub(super) ago: TimeDelta,
    pub(super) every: TimeDelta,
    pub(super) times: u32,
    /// The event with its time left at the first opening; shifted per repetition.
    pub(super) event: TrailEvent,
}

impl Scenario {
    /// One of the embedded scenarios.
    pub fn builtin(name: &str) -> Result<Self, SimError> {
        let text = SCENARIOS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, text)| *text)
            .ok_or_else(|| SimError::UnknownScenario {
                name: name.to_owned(),
                available: scenario_names(),
            })?;
        Self::parse(name, text)
    }

    /// Parse and check a scenario's JSON text.
    pub fn parse(name: &str, text: &str) -> Result<Self, SimError> {
        let bad = |message: String| SimError::BadScenario {
            name: name.to_owned(),
            message,
        };
        let file: ScenarioFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        let ago = |what: &str, s: &str| {
            humantime::parse_duration(s)
                .ok()
                .and_then(|d| TimeDelta::from_std(d).ok())
                .ok_or_else(|| bad(format!("{what}: {s:?} is not a duration such as 3d or 5h")))
        };
        if file.account_id.len() != 12 || !file.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!(
                "account_id {:?} is not 12 digits",
                file.account_id
            )));
        }
        if file.keys.len() > 2 {
            return Err(bad("the root user has at most two access keys".to_owned()));
        }
        let mut keys = Vec::new();
        for k in &file.keys {
            if k.id.len() != 20 || !k.id.starts_with("AKIA") {
                return Err(bad(format!("{:?} is not an access key ID", k.id)));
            }
            if keys.iter().any(|o: &ScenarioKey| o.id == k.id) {
                return Err(bad(format!("key {} is listed twice", k.id)));
            }
            let last_used = match &k.last_used {
                Some(u) => Some((
                    ago(&format!("{} last_used.ago", k.id), &u.ago)?,
                    u.service.clone(),
                    u.region.clone(),
                )),
                None => None,
            };
            let mut usage = Vec::new();
            for u in &k.usage {
                let what = format!("{} usage {} {}", k.id, u.event_source, u.event_name);
                let every = match &u.every {
                    Some(e) => ago(&format!("{what} every"), e)?,
                    None if u.times == 1 => TimeDelta::zero(),
                    None => return Err(bad(format!("{what}: times > 1 needs every"))),
                };
                if u.times == 0 || u.times > MAX_TIMES {
                    return Err(bad(format!("{what}: times must be 1 to {MAX_TIMES}")));
                }
                usage.push(ScenarioEvent {
                    ago: ago(&format!("{what} ago"), &u.ago)?,
                    every,
                    times: u.times,
                    event: TrailEvent {
                        time: DateTime::<Utc>::UNIX_EPOCH,
                        region: u.region.clone(),
                        event_source: u.event_source.clone(),
                        event_name: u.event_name.clone(),
                        source_ip: u.source_ip.clone(),
                        user_agent: u.user_agent.clone(),
                        read_only: u.read_only,
                        error_code: u.error_code.clone(),
                    },
                });
            }
            let job = match &k.job {
                Some(j) => Some(parse_job(&k.id, j, &ago, &bad)?),
                None => None,
            };
            keys.push(ScenarioKey {
                id: k.id.clone(),
                status: k.status,
                created_ago: ago(&format!("{} created_ago", k.id), &k.created_ago)?,
                last_used,
                note: k.note.clone(),
                usage,
                job,
            });
        }
        let (trail_regions, failing_regions) =
            trail_regions(file.cloudtrail.as_ref(), file.region.as_deref(), &keys).map_err(bad)?;
        Ok(Self {
            name: name.to_owned(),
            title: file.title,
            summary: file.summary,
            profile: file.profile,
            region: file.region,
            caller_arn: file.caller.arn,
            caller_user_id: file.caller.user_id,
            signing_key: file.caller.signing_key,
            own_keys: file.caller.own_keys,
            root_created_ago: ago("root.created_ago", &file.root.created_ago)?,
            mfa_active: file.root.mfa_active,
            account_id: file.account_id,
            keys,
            trail_regions,
            failing_regions,
        })
    }

    pub(super) fn caller_is_root(&self) -> bool {
        is_root_arn(&self.caller_arn, &self.account_id)
    }
}

/// A key's scheduled job, checked; `ago` parses a duration (or says why not).
fn parse_job(
    key: &str,
    j: &JobFile,
    ago: &dyn Fn(&str, &str) -> Result<TimeDelta, SimError>,
    bad: &dyn Fn(String) -> SimError,
) -> Result<ScenarioJob, SimError> {
    let what = format!("{key} job {}", j.name);
    let every = ago(&format!("{what} every"), &j.every)?;
    if every < TimeDelta::minutes(1) {
        return Err(bad(format!("{what}: every must be a minute or more")));
    }
    Ok(ScenarioJob {
        name: j.name.clone(),
        next_in: ago(&format!("{what} next_in"), &j.next_in)?,
        every,
        role: j.role.clone(),
        event: TrailEvent {
            time: DateTime::<Utc>::UNIX_EPOCH,
            region: j.region.clone(),
            event_source: j.event_source.clone(),
            event_name: j.event_name.clone(),
            source_ip: j.source_ip.clone(),
            user_agent: j.user_agent.clone(),
            read_only: Some(true),
            error_code: None,
        },
    })
}

/// The enabled regions and the failing ones. Without a `cloudtrail`
/// section: us-east-1, the scenario's region and every region an event is
/// in. Every event's region must be enabled (or it could never be found).
fn trail_regions(
    file: Option<&CloudTrailFile>,
    region: Option<&str>,
    keys: &[ScenarioKey],
) -> Result<(Vec<String>, BTreeMap<String, RegionFailure>), String> {
    let used: BTreeSet<&str> = keys
        .iter()
        .flat_map(|k| {
            k.usage
                .iter()
                .map(|u| &u.event)
                .chain(k.job.as_ref().map(|j| &j.event))
                .map(|e| e.region.as_str())
        })
        .collect();
    let Some(file) = file else {
        let mut regions: BTreeSet<&str> = used;
        regions.insert("us-east-1");
        regions.extend(region);
        return Ok((
            regions.into_iter().map(str::to_owned).collect(),
            BTreeMap::new(),
        ));
    };
    let mut seen = BTreeSet::new();
    for r in &file.regions {
        if !seen.insert(r.as_str()) {
            return Err(format!("cloudtrail.regions lists {r} twice"));
        }
    }
    if seen.is_empty() {
        return Err("cloudtrail.regions is empty".to_owned());
    }
    if let Some(missing) = used.iter().find(|r| !seen.contains(*r)) {
        return Err(format!(
            "an event is in {missing}, which cloudtrail.regions does not list"
        ));
    }
    let mut failing = BTreeMap::new();
    for f in &file.failing {
        if !seen.contains(f.region.as_str()) {
            return Err(format!(
                "cloudtrail.failing names {}, which cloudtrail.regions does not list",
                f.region
            ));
        }
        failing.insert(f.region.clone(), RegionFailure::new(&f.code, &f.message));
    }
    Ok((file.regions.clone(), failing))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_parses() {
        for name in scenario_names()
            .into_iter()
            .filter(|n| !ORG_SCENARIOS.contains(n))
        {
            let s = Scenario::builtin(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(s.account_id.len(), 12);
            assert!(!s.keys.is_empty(), "{name} has keys");
        }
    }

    #[test]
    fn unknown_scenario_lists_the_available_ones() {
        let err = Scenario::builtin("nope").expect_err("unknown");
        let text = err.to_string();
        assert!(text.contains("\"nope\""), "{text}");
        for name in scenario_names() {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn bad_scenarios_are_refused_with_the_reason() {
        let err = Scenario::parse("x", "{").expect_err("bad json");
        assert!(err.to_string().contains("demo scenario x"), "{err}");
        let base = include_str!("../../../assets/scenarios/two-keys.json");
        let bad_account = base.replace("123456789012", "1234");
        let err = Scenario::parse("x", &bad_account).expect_err("bad account");
        assert!(err.to_string().contains("12 digits"), "{err}");
        let bad_ago = base.replace("\"1d 3h\"", "\"yesterday\"");
        let err = Scenario::parse("x", &bad_ago).expect_err("bad duration");
        assert!(err.to_string().contains("yesterday"), "{err}");
    }

    #[test]
    fn scenario_usage_is_checked() {
        let base = include_str!("../../../assets/scenarios/two-keys.json");
        let stray = base.replace(
            r#""region": "us-east-1", "event_source": "sts"#,
            r#""region": "sa-east-1", "event_source": "sts"#,
        );
        let err = Scenario::parse("x", &stray).expect_err("region not listed");
        assert!(err.to_string().contains("sa-east-1"), "{err}");
        let no_every = base.replace(r#""every": "7d", "#, "");
        let err = Scenario::parse("x", &no_every).expect_err("no every");
        assert!(err.to_string().contains("needs every"), "{err}");
        let bad_failing = base.replace(
            r#""region": "ap-southeast-2", "code""#,
            r#""region": "me-south-1", "code""#,
        );
        let err = Scenario::parse("x", &bad_failing).expect_err("failing not listed");
        assert!(err.to_string().contains("me-south-1"), "{err}");
        let fast_job = base.replace(
            r#""every": "1d",
        "role""#,
            r#""every": "10s",
        "role""#,
        );
        let err = Scenario::parse("x", &fast_job).expect_err("every too short");
        assert!(err.to_string().contains("a minute or more"), "{err}");
        let bad_next = base.replace(r#""next_in": "21h""#, r#""next_in": "soon""#);
        let err = Scenario::parse("x", &bad_next).expect_err("bad next_in");
        assert_eq!(
            err.to_string(),
            "demo scenario x: AKIAEXAMPLEBACKUP001 job nightly backup next_in: \"soon\" is not a duration such as 3d or 5h"
        );
        // Without a cloudtrail section: us-east-1, the scenario's region and
        // the events' regions, none failing.
        let auditor = Scenario::builtin("auditor").expect("auditor");
        assert_eq!(auditor.trail_regions, ["us-east-1"]);
        assert!(auditor.failing_regions.is_empty());
    }
}
