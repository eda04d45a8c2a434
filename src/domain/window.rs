//! The observation window: parsing (`90s`, `36h`, `7d`) and human formatting.

use chrono::TimeDelta;

/// The default observation window: seven days.
pub const DEFAULT_WINDOW: &str = "7d";

/// The longest window accepted: a year. Longer ones are a typo, and would
/// overflow date arithmetic long before they meant anything.
pub const MAX_WINDOW: TimeDelta = TimeDelta::days(365);

/// Parse a window such as `90s`, `45m`, `36h`, `7d` or `1w`, or a
/// combination (`1d12h`). Zero and negative windows are refused.
pub fn parse(input: &str) -> Result<TimeDelta, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("empty duration; use e.g. 90s, 36h or 7d".to_owned());
    }
    let std = humantime::parse_duration(trimmed)
        .map_err(|e| format!("`{}`: {e}; use e.g. 90s, 36h or 7d", preview(trimmed)))?;
    if std.is_zero() {
        return Err("the observation window must be longer than zero".to_owned());
    }
    let too_long = || {
        format!(
            "`{}` is longer than the longest observation window, 365 d; use e.g. 7d or 30d",
            preview(trimmed)
        )
    };
    let delta = TimeDelta::from_std(std).map_err(|_| too_long())? - calendar_fraction(trimmed);
    if delta > MAX_WINDOW {
        return Err(too_long());
    }
    Ok(delta)
}

/// humantime counts a year as 365.25 days and a month as 30.44: `1y` would
/// be `365 d 6 h`. Windows are whole days there, as people read them: the
/// part a year or month adds beyond its whole days (6 h a year, 10 h 33 min
/// 36 s a month) is taken off again, so `1y` is 365 d, `1M` 30 d, and the
/// window enforced is the one printed.
fn calendar_fraction(input: &str) -> TimeDelta {
    const YEAR_FRACTION: i64 = 31_557_600 - 365 * 86_400;
    const MONTH_FRACTION: i64 = 2_630_016 - 30 * 86_400;
    let mut fraction = 0_i64;
    let mut number = String::new();
    let mut unit = String::new();
    let mut flush = |number: &mut String, unit: &mut String| {
        let n: i64 = number.parse().unwrap_or(0);
        let per = match unit.as_str() {
            "y" | "year" | "years" => YEAR_FRACTION,
            "M" | "month" | "months" => MONTH_FRACTION,
            _ => 0,
        };
        fraction = fraction.saturating_add(n.saturating_mul(per));
        number.clear();
        unit.clear();
    };
    for c in input.chars() {
        if c.is_ascii_digit() {
            if !unit.is_empty() {
                flush(&mut number, &mut unit);
            }
            number.push(c);
        } else if c.is_alphabetic() {
            unit.push(c);
        } else if !unit.is_empty() {
            flush(&mut number, &mut unit);
        }
    }
    flush(&mut number, &mut unit);
    TimeDelta::try_seconds(fraction).unwrap_or(TimeDelta::zero())
}

fn preview(s: &str) -> String {
    if s.chars().count() > 24 {
        let head: String = s.chars().take(24).collect();
        format!("{head}…")
    } else {
        s.to_owned()
    }
}

/// A compact, human rendering: `4 d 3 h`, `2 h 5 min`, `40 s`.
pub fn human(delta: TimeDelta) -> String {
    let secs = delta.num_seconds().max(0);
    let (d, h, m, s) = (
        secs / 86_400,
        (secs % 86_400) / 3_600,
        (secs % 3_600) / 60,
        secs % 60,
    );
    if d > 0 {
        if h > 0 {
            format!("{d} d {h} h")
        } else {
            format!("{d} d")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{h} h {m} min")
        } else {
            format!("{h} h")
        }
    } else if m > 0 {
        if s > 0 && m < 10 {
            format!("{m} min {s} s")
        } else {
            format!("{m} min")
        }
    } else {
        format!("{s} s")
    }
}

/// "3 days ago", "5 h ago", "just now"; for last-use columns.
pub fn ago(delta: TimeDelta) -> String {
    let secs = delta.num_seconds();
    if secs < 0 {
        return "in the future".to_owned();
    }
    if secs < 60 {
        return "just now".to_owned();
    }
    let days = secs / 86_400;
    if days >= 2 {
        return format!("{days} days ago");
    }
    if days == 1 {
        return "yesterday".to_owned();
    }
    format!("{} ago", human(delta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_the_documented_forms() {
        assert_eq!(parse("90s"), Ok(TimeDelta::seconds(90)));
        assert_eq!(parse("36h"), Ok(TimeDelta::hours(36)));
        assert_eq!(parse("7d"), Ok(TimeDelta::days(7)));
        assert_eq!(parse("1d12h"), Ok(TimeDelta::hours(36)));
    }

    #[test]
    fn years_and_months_are_whole_days() {
        assert_eq!(parse("1y"), Ok(TimeDelta::days(365)));
        assert_eq!(human(parse("1y").expect("1y")), "365 d");
        assert_eq!(parse("1M"), Ok(TimeDelta::days(30)));
        assert_eq!(parse("2months 3d"), Ok(TimeDelta::days(63)));
        assert_eq!(
            parse("1M12h"),
            Ok(TimeDelta::days(30) + TimeDelta::hours(12))
        );
        assert!(parse("1y1d").is_err(), "over a year");
    }

    #[test]
    fn refuses_nonsense_and_zero() {
        assert!(parse("").is_err());
        assert!(parse("0s").is_err());
        assert!(parse("seven days").is_err());
        assert!(parse("-3d").is_err());
        assert_eq!(parse("365d"), Ok(MAX_WINDOW));
        for absurd in ["366d", "1000000y"] {
            let err = parse(absurd).expect_err(absurd);
            assert!(err.contains("365 d"), "{err}");
        }
        let long = "9".repeat(200);
        let err = parse(&long).expect_err("absurd input");
        assert!(
            !err.contains(&long),
            "error must not echo huge input: {err}"
        );
        assert!(
            err.contains("999999"),
            "but it shows the start of it: {err}"
        );
    }

    #[test]
    fn human_rendering() {
        assert_eq!(human(TimeDelta::seconds(40)), "40 s");
        assert_eq!(human(TimeDelta::seconds(125)), "2 min 5 s");
        assert_eq!(human(TimeDelta::minutes(125)), "2 h 5 min");
        assert_eq!(human(TimeDelta::hours(99)), "4 d 3 h");
        assert_eq!(human(TimeDelta::days(7)), "7 d");
        assert_eq!(ago(TimeDelta::hours(30)), "yesterday");
        assert_eq!(ago(TimeDelta::days(200)), "200 days ago");
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = parse(&s);
        }

        #[test]
        fn parse_round_trips_seconds(n in 1u64..10_000_000) {
            prop_assert_eq!(parse(&format!("{n}s")), Ok(TimeDelta::seconds(i64::try_from(n).expect("small"))));
        }
    }
}
