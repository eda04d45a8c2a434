//! The two ways rootkeys writes a moment: one for people, one for scripts.
//! Every text output uses [`text`] (a day-granular fact, such as a key's
//! creation day in a table, its date part); every JSON output [`json`].

use chrono::{DateTime, Utc};

/// `2026-11-30 10:31 UTC`: every date and time in text output.
pub const TEXT_FORMAT: &str = "%Y-%m-%d %H:%M UTC";

/// `2026-11-30 10:31 UTC`
pub fn text(t: &DateTime<Utc>) -> String {
    t.format(TEXT_FORMAT).to_string()
}

/// `2026-11-30T10:31:00Z` (RFC 3339, UTC, whole seconds): every date and
/// time in JSON output.
pub fn json(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_for_people_one_for_scripts() {
        let t = DateTime::parse_from_rfc3339("2026-11-30T10:31:07.5Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(text(&t), "2026-11-30 10:31 UTC");
        assert_eq!(json(&t), "2026-11-30T10:31:07Z");
    }
}
