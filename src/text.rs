//! Text from outside rootkeys (credential-report fields, key IDs typed on the
//! command line, journal lines, server error messages, CloudTrail events)
//! made safe to show on a terminal: control characters escaped, anything
//! token-like redacted, foreign messages bounded in length.
//!
//! Pure: imports nothing of the crate.

use std::borrow::Cow;

/// The longest foreign message shown, in characters; longer ones are cut
/// with an ellipsis.
pub const FOREIGN_MAX_CHARS: usize = 400;

/// Escape every control character (C0, DEL, C1, and the bidirectional
/// overrides that reorder what a terminal shows) as `\u{..}`, so nothing
/// from outside can move the cursor, set a title, change colours or hide
/// text. Borrowed when there is nothing to escape.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    if !input.chars().any(is_unsafe) {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len() + 8);
    for c in input.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like [`sanitize`], but newlines and tabs become spaces: for one-line
/// displays (a table cell, a header).
pub fn one_line(input: &str) -> Cow<'_, str> {
    if !input.chars().any(|c| is_unsafe(c) || c == '\n' || c == '\t') {
        return Cow::Borrowed(input);
    }
    let flat: String = input
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect();
    Cow::Owned(sanitize(&flat).into_owned())
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Words that name a secret; the value after any of them is redacted.
const SECRET_NAMES: &[&str] = &[
    "x-amz-security-token",
    "security-token",
    "securitytoken",
    "session-token",
    "sessiontoken",
    "session_token",
    "secret-access-key",
    "secretaccesskey",
    "secret_access_key",
    "aws_secret_access_key",
    "authorization",
    "x-amz-credential",
    "signature",
    "password",
];

/// Redact secrets from a foreign message: the value after a secret's name
/// (`x-amz-security-token: …`, `Authorization=…`), and any long unbroken
/// run of base64-like characters (session tokens, secret keys), which no
/// useful error message contains.
pub fn redact(input: &str) -> Cow<'_, str> {
    let lower = input.to_ascii_lowercase();
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for name in SECRET_NAMES {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(name) {
            let start = from + pos + name.len();
            let value_start = skip_separator(input, start);
            let value_end = value_end(input, value_start);
            let assigned = input[start..value_start].contains([':', '=']);
            if assigned && value_end > value_start {
                cuts.push((value_start, value_end));
            }
            from = start;
        }
    }
    // Long token-like runs (40+ characters of base64 alphabet).
    let bytes = input.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if is_token_byte(bytes[i]) {
            let start = i;
            while i < bytes.len() && is_token_byte(bytes[i]) {
                i += 1;
            }
            if i - start >= 40 {
                cuts.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    if cuts.is_empty() {
        return Cow::Borrowed(input);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(input.len());
    let mut at = 0;
    for (start, end) in cuts {
        if end <= at {
            continue;
        }
        let start = start.max(at);
        out.push_str(&input[at..start]);
        out.push_str("[REDACTED]");
        at = end;
    }
    out.push_str(&input[at..]);
    Cow::Owned(out)
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'%')
}

/// After a secret's name: skip quotes, spaces, `:` and `=`.
fn skip_separator(s: &str, mut at: usize) -> usize {
    let bytes = s.as_bytes();
    while at < bytes.len() && matches!(bytes[at], b' ' | b':' | b'=' | b'"' | b'\'') {
        at += 1;
    }
    at
}

/// The value runs to the next quote, comma, semicolon, `<`, `&` or line end.
fn value_end(s: &str, start: usize) -> usize {
    s[start..]
        .find(['"', '\'', ',', ';', '<', '&', '\n', '\r'])
        .map_or(s.len(), |p| start + p)
        .max(start)
}

/// A message from something rootkeys does not control (a server, a proxy,
/// a file): secrets redacted, control characters escaped, and cut to
/// [`FOREIGN_MAX_CHARS`].
pub fn foreign(input: &str) -> String {
    let redacted = redact(input);
    let safe = sanitize(&redacted);
    truncate_chars(&safe, FOREIGN_MAX_CHARS)
}

/// At most `max` characters; a cut string ends with `…`.
pub fn truncate_chars(input: &str, max: usize) -> String {
    if input.chars().count() <= max {
        return input.to_owned();
    }
    let mut out: String = input.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_terminal_sequences() {
        let hostile = "s3\x1b[31mred\x1b]0;title\x07\u{9b}2J\r\u{202e}x";
        let safe = sanitize(hostile);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        assert!(safe.contains("\\u{1b}[31mred"), "{safe}");
        assert!(safe.contains("\\u{202e}"), "{safe}");
        assert_eq!(sanitize("plain text · ✓"), "plain text · ✓");
        assert!(matches!(sanitize("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_flattens_newlines() {
        assert_eq!(one_line("a\nb\tc"), "a b c");
        assert_eq!(one_line("a\x1bb"), "a\\u{1b}b");
    }

    #[test]
    fn redacts_named_secrets_and_long_tokens() {
        let token = "FwoGZXIvYXdzEJr//////////wEaDOEXAMPLETOKENabcdefghijklmnop";
        let msg = format!(
            "<Error><Message>header x-amz-security-token: {token}; Authorization=AWS4-HMAC-SHA256 Credential=AKIA/abc</Message></Error>"
        );
        let safe = redact(&msg);
        assert!(!safe.contains(token), "{safe}");
        assert!(!safe.contains("AWS4-HMAC-SHA256 Credential"), "{safe}");
        assert!(safe.contains("[REDACTED]"), "{safe}");
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        assert!(!redact(&format!("bad secret {secret} here")).contains(secret));
        // Ordinary messages are left alone, key IDs included.
        for plain in [
            "The security token included in the request is invalid (AKIAIOSFODNN7EXAMPLE)",
            "SignatureDoesNotMatch: The request signature we calculated does not match",
        ] {
            assert_eq!(redact(plain), plain);
        }
    }

    #[test]
    fn foreign_is_bounded() {
        let long = "a ".repeat(5000);
        let out = foreign(&long);
        assert_eq!(out.chars().count(), FOREIGN_MAX_CHARS);
        assert!(out.ends_with('…'));
    }

    proptest! {
        #[test]
        fn foreign_output_never_holds_a_control_character(s in "\\PC{0,200}|[\\x00-\\x7f\\u{80}-\\u{9f}]{0,200}") {
            let out = foreign(&s);
            prop_assert!(!out.chars().any(is_unsafe));
            prop_assert!(out.chars().count() <= FOREIGN_MAX_CHARS);
        }
    }
}
