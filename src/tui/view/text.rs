//! Text measured in display columns: wrapping, padding and cutting for
//! the panels. Pure string functions; imports nothing from the app.
//!
//! Widths come from `unicode-width`, as ratatui measures them, so a wide
//! character (CJK, most emoji) counts two columns and a line never
//! overflows the column count it was wrapped to.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display columns of `text`.
pub fn width(text: &str) -> usize {
    text.width()
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// How many of `chars`, from the start, fit in `room` columns (at least
/// one when there is any, so that a character wider than the room still
/// moves on).
fn fitting(chars: &[char], room: usize) -> usize {
    let mut used = 0;
    for (i, c) in chars.iter().enumerate() {
        used += char_width(*c);
        if used > room {
            return i.max(1).min(chars.len());
        }
    }
    chars.len()
}

/// `text` padded with spaces to `columns` (never cut).
pub fn pad(text: &str, columns: usize) -> String {
    format!("{text}{}", " ".repeat(columns.saturating_sub(width(text))))
}

/// The end of `text` that fits in `room` columns.
pub fn tail(text: &str, room: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut used = 0;
    let mut start = chars.len();
    while start > 0 && used + char_width(chars[start - 1]) <= room {
        start -= 1;
        used += char_width(chars[start]);
    }
    chars[start..].iter().collect()
}

/// Words that are units after a number: `7 d`, `23 h`, `1480 days` are
/// never broken across lines.
const UNITS: &[&str] = &[
    "d", "h", "min", "s", "ms", "w", "mo", "y", "day", "days", "hour", "hours", "minute",
    "minutes", "second", "seconds", "week", "weeks", "month", "months", "year", "years", "KiB",
    "MiB", "GiB", "%",
];

fn is_number(word: &str) -> bool {
    let digits = word.trim_start_matches(['(', '[']);
    !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && digits.ends_with(|c: char| c.is_ascii_digit())
}

fn is_unit(word: &str) -> bool {
    UNITS.contains(&word.trim_end_matches(['.', ',', ';', ':', ')', ']', '!', '?']))
}

/// The words of `text`, with every number kept together with its unit
/// (`7 d`, and a whole duration such as `6 d 23 h`) as one word.
pub fn words(text: &str) -> Vec<String> {
    let raw: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let mut word = raw[i].to_owned();
        i += 1;
        // A number and its unit, then any further number-and-unit pairs of
        // the same duration (`6 d 23 h`) while the unit ends no sentence.
        while i < raw.len() && is_number(raw[i - 1]) && is_unit(raw[i]) {
            word.push(' ');
            word.push_str(raw[i]);
            let bare = raw[i].chars().all(char::is_alphanumeric);
            i += 1;
            if !(bare && i + 1 < raw.len() && is_number(raw[i]) && is_unit(raw[i + 1])) {
                break;
            }
            word.push(' ');
            word.push_str(raw[i]);
            i += 1;
        }
        out.push(word);
    }
    out
}

/// `text` cut to `room` columns, ending in `…` when cut. Where it can, the
/// cut is at a space, so no word is cut without the ellipsis saying so.
pub fn ellipsize(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    if room == 0 {
        return String::new();
    }
    let chars: Vec<char> = text.chars().collect();
    let keep = fitting(&chars, room - 1).min(chars.len());
    let keep = if char_width(chars[0]) > room - 1 {
        0
    } else {
        keep
    };
    let cut: String = chars[..keep].iter().collect();
    // Prefer a word boundary when it keeps at least half the room.
    let cut = match cut.rfind(' ') {
        Some(i) if width(&cut[..i]) * 2 >= room => cut[..i].trim_end().to_owned(),
        _ => cut,
    };
    format!("{cut}…")
}

/// `text` cut to `room` columns from the start, beginning with `…` when
/// cut: for names whose end says the most (an ARN's user or role).
pub fn ellipsize_start(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    if room == 0 {
        return String::new();
    }
    format!("…{}", tail(text, room - 1))
}

/// `a · b · c` cut to `room` columns by whole parts, from the end, with
/// `…` saying that parts were left out; [`ellipsize`] when even the first
/// part is too wide.
pub fn clip_parts(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_owned();
    }
    let parts: Vec<&str> = text.split(" · ").collect();
    for n in (1..parts.len()).rev() {
        let kept = parts[..n].join(" · ");
        for shown in [format!("{kept} …"), format!("{kept}…")] {
            if width(&shown) <= room {
                return shown;
            }
        }
    }
    ellipsize(text, room)
}

/// Greedy word wrap to `width` columns; words wider than that are split.
/// A number and its unit stay on one line (see [`words`]).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in words(text) {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let fit = fitting(&word, width);
            if fit == word.len() {
                break;
            }
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            let rest = word.split_off(fit);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        let wlen: usize = word.iter().map(|c| char_width(*c)).sum();
        if len > 0 && len + 1 + wlen > width {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        line.extend(word);
        len += wlen;
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// [`wrap`], each line in `style`.
pub fn styled_wrap(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    wrap(text, width)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

/// Like [`wrap`], but keeping the spaces that align columns; continuation
/// lines are indented by `indent`. Breaks between columns, else at a
/// space, else mid-word.
pub fn wrap_hanging(text: &str, width: usize, indent: usize) -> Vec<String> {
    let width = width.max(1);
    let indent = if indent + 8 > width { 0 } else { indent };
    let mut rest: Vec<char> = text.trim_end().chars().collect();
    let mut lines = Vec::new();
    let mut first = true;
    loop {
        let room = if first { width } else { width - indent };
        let pad = if first { "" } else { &" ".repeat(indent) };
        let fit = fitting(&rest, room);
        if fit == rest.len() {
            lines.push(format!("{pad}{}", rest.iter().collect::<String>()));
            return lines;
        }
        // Break between columns (two spaces) if that keeps a third of the
        // line, else at the last space, else mid-word. `fit` characters
        // fill the room, so a break at index `fit` (a space) still fits.
        let lead = rest.iter().take_while(|c| **c == ' ').count();
        let gap = (lead.max(fit / 3) + 1..=fit)
            .rev()
            .find(|&i| rest[i] == ' ' && rest[i - 1] == ' ');
        let cut = gap
            .or_else(|| (lead + 1..=fit).rev().find(|&i| rest[i] == ' '))
            .unwrap_or(fit);
        let line: String = rest[..cut].iter().collect();
        lines.push(format!("{pad}{}", line.trim_end()));
        rest.drain(..cut);
        let spaces = rest.iter().take_while(|c| **c == ' ').count();
        rest.drain(..spaces);
        first = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_hanging_keeps_columns_and_indents() {
        let row = "      89  s3 GetBucketLocation   2026-08-28 09:56  2026-11-24 09:56 (1 day ago)";
        assert_eq!(
            wrap_hanging(row, 60, 10),
            vec![
                "      89  s3 GetBucketLocation   2026-08-28 09:56",
                "          2026-11-24 09:56 (1 day ago)"
            ]
        );
        assert_eq!(
            wrap_hanging("  - one two three four", 12, 4),
            vec!["  - one two", "    three", "    four"]
        );
        assert_eq!(wrap_hanging("short", 10, 4), vec!["short"]);
        assert_eq!(wrap_hanging("abcdefghij", 4, 0), vec!["abcd", "efgh", "ij"]);
        // A narrow width drops the indent rather than looping.
        assert!(
            wrap_hanging("a b c d e f g h", 3, 10)
                .iter()
                .all(|l| l.len() <= 3)
        );
    }

    #[test]
    fn wrap_keeps_words_and_splits_long_ones() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 5), vec![""]);
        assert_eq!(wrap("x", 0), vec!["x"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        // Four CJK characters fill 8 columns: "かな" no longer fits after them.
        assert_eq!(wrap("漢字漢字 かな", 8), vec!["漢字漢字", "かな"]);
        // A word wider than the line splits at a column, not a character, count.
        assert_eq!(wrap("日本語テキスト", 6), vec!["日本語", "テキス", "ト"]);
        // A character wider than the whole line still moves on.
        assert_eq!(wrap("漢字", 1), vec!["漢", "字"]);
        let row = "  1  ec2 DescribeInstances  東京オフィスの監視スクリプト";
        let lines = wrap_hanging(row, 30, 5);
        assert!(lines.iter().all(|l| width(l) <= 30), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), row.replace(' ', ""));
        for text in ["監視 ツール 🦀 crab", "🦀🦀🦀🦀🦀🦀🦀🦀"] {
            for w in 1..12 {
                let lines = wrap(text, w);
                assert!(lines.iter().all(|l| width(l) <= w.max(2)), "{w} {lines:?}");
            }
        }
    }

    #[test]
    fn pad_and_tail_measure_columns() {
        assert_eq!(pad("鍵", 4), "鍵  ");
        assert_eq!(pad("key", 4), "key ");
        assert_eq!(pad("toolong", 4), "toolong");
        assert_eq!(tail("abc鍵鍵", 4), "鍵鍵");
        assert_eq!(tail("abc鍵鍵", 5), "c鍵鍵");
        assert_eq!(tail("abc", 10), "abc");
    }

    #[test]
    fn numbers_keep_their_units() {
        assert_eq!(
            words("Observe for 7 d: then 6 d 23 h left, 1480 days ago"),
            [
                "Observe",
                "for",
                "7 d:",
                "then",
                "6 d 23 h",
                "left,",
                "1480 days",
                "ago"
            ]
        );
        // Never "7" at the end of a line and "d" at the start of the next.
        for w in 8..40 {
            let text =
                "Deactivated AKIAEXAMPLEBACKUP001. Observe for 7 d: anything still using it fails";
            let lines = wrap(text, w);
            assert!(lines.iter().any(|l| l.contains("7 d:")), "{w}: {lines:?}");
        }
        assert_eq!(
            words("step 2 of the plan"),
            ["step", "2", "of", "the", "plan"]
        );
    }

    #[test]
    fn cuts_say_so_with_an_ellipsis() {
        assert_eq!(
            ellipsize("arn:aws:iam::123456789012:root", 12),
            "arn:aws:iam…"
        );
        assert_eq!(ellipsize("short", 5), "short");
        assert_eq!(ellipsize("two words here", 10), "two words…");
        assert_eq!(ellipsize("abc", 0), "");
        assert_eq!(ellipsize("鍵鍵鍵", 4), "鍵…");
        assert_eq!(
            ellipsize_start("arn:aws:iam::210987654321:user/security-auditor", 23),
            "…:user/security-auditor"
        );
        assert_eq!(ellipsize_start("abc", 3), "abc");
        assert_eq!(
            clip_parts("1480 days ago · ec2 · us-east-1", 21),
            "1480 days ago · ec2 …"
        );
        assert_eq!(
            clip_parts("1480 days ago · ec2 · us-east-1", 16),
            "1480 days ago …"
        );
        assert_eq!(clip_parts("1480 days ago · ec2", 8), "1480…");
        assert_eq!(clip_parts("2 days ago · s3 · eu-west-1", 11), "2 days ago…");
        for room in 1..30 {
            assert!(width(&clip_parts("yesterday · s3 · eu-west-1", room)) <= room);
            assert!(width(&ellipsize("arn:aws:iam::123456789012:root", room)) <= room);
        }
    }
}
