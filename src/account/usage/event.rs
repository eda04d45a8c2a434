//! Parsing one `LookupEvents` event into a `TrailEvent`, from the fields
//! the adapter hands over as plain values (the `CloudTrailEvent` JSON and
//! the event's own fields).
//!
//! Pure of SDK types: must not import `aws_sdk_*`, `aws_smithy_*` or
//! `crate::account::aws`.

use chrono::{DateTime, Utc};

use crate::domain::usage::TrailEvent;

/// A `TrailEvent` from `LookupEvents`' fields: the `CloudTrailEvent` JSON
/// first, the event's own fields as fallback, the queried region last.
/// `None` when the event has no time at all.
pub fn parse_event(
    queried_region: &str,
    event_time: Option<DateTime<Utc>>,
    event_source: Option<&str>,
    event_name: Option<&str>,
    read_only: Option<&str>,
    cloudtrail_json: Option<&str>,
) -> Option<TrailEvent> {
    let json: serde_json::Value = cloudtrail_json
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or(serde_json::Value::Null);
    let text = |field: &str| {
        json.get(field)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let flag = |v: &serde_json::Value| match v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) => parse_bool(s),
        _ => None,
    };
    let time = text("eventTime")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
        .or(event_time)?;
    Some(TrailEvent {
        time,
        region: text("awsRegion").unwrap_or_else(|| queried_region.to_owned()),
        event_source: text("eventSource")
            .or_else(|| event_source.map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        event_name: text("eventName")
            .or_else(|| event_name.map(str::to_owned))
            .unwrap_or_else(|| "unknown".to_owned()),
        source_ip: text("sourceIPAddress"),
        user_agent: text("userAgent"),
        read_only: json
            .get("readOnly")
            .and_then(flag)
            .or_else(|| read_only.and_then(parse_bool)),
        error_code: text("errorCode"),
    })
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn parse_event_prefers_the_json_and_falls_back_to_the_event_fields() {
        let json = r#"{"eventTime":"2025-05-30T08:00:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey",
            "awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"console.amazonaws.com",
            "readOnly":false,"errorCode":"AccessDenied"}"#;
        let e = parse_event("eu-west-1", None, None, None, None, Some(json)).expect("parsed");
        assert_eq!(
            e.time,
            Utc.with_ymd_and_hms(2025, 5, 30, 8, 0, 0)
                .single()
                .expect("time")
        );
        assert_eq!(e.region, "us-east-1");
        assert_eq!(
            (e.event_source.as_str(), e.event_name.as_str()),
            ("iam.amazonaws.com", "CreateAccessKey")
        );
        assert_eq!(e.source_ip.as_deref(), Some("198.51.100.7"));
        assert_eq!(e.user_agent.as_deref(), Some("console.amazonaws.com"));
        assert_eq!(e.read_only, Some(false));
        assert_eq!(e.error_code.as_deref(), Some("AccessDenied"));

        let e = parse_event(
            "eu-west-1",
            Some(now()),
            Some("s3.amazonaws.com"),
            Some("ListBuckets"),
            Some("true"),
            Some("not json"),
        )
        .expect("parsed");
        assert_eq!(e.time, now());
        assert_eq!(e.region, "eu-west-1");
        assert_eq!(e.event_name, "ListBuckets");
        assert_eq!(e.read_only, Some(true));
        assert_eq!(e.source_ip, None);

        assert_eq!(
            parse_event("eu-west-1", None, Some("s3"), Some("X"), None, None),
            None
        );
    }
}
