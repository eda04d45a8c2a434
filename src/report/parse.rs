//! Parser for the AWS IAM credential report (CSV), focused on the root account row.
//!
//! The report is read with the `csv` crate; columns are looked up by header name, so
//! column order does not matter and columns added by AWS in the future are ignored.
//! A UTF-8 BOM, CRLF (or lone CR) line ends, quoted fields and blank lines are accepted.
//!
//! Only the `<root_account>` row is validated field by field, and only the columns this
//! module returns. Every other row must merely be CSV with exactly as many fields as the
//! header: a shorter or longer row means a truncated or corrupt file, so it is an error,
//! but the content of IAM users' rows is never looked at (it is not used, and a value
//! AWS might add there should not break the root check).
//!
//! Line numbers in errors are 1-based physical lines of the input (the header is line 1);
//! a record spanning several lines (a quoted field with a line break) is reported at the
//! line where it starts. Values echoed in errors have their control characters escaped
//! and are cut to at most 40 characters. The bounds on the input are in `input`.
//!
//! Must not import `crate::tui`, `crate::commands`, `ratatui` or the AWS SDK.

use chrono::{DateTime, Utc};
use csv::{ByteRecord, Reader};

use super::input::{Bounded, LineCounter, MAX_RECORD_BYTES, MAX_REPORT_BYTES, csv_reader};
use super::{ReportKey, RootRow};
use crate::domain::LastUsed;
use crate::text::sanitize;

/// Why a credential report could not be read.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ReportError {
    #[error("the credential report is empty")]
    Empty,
    #[error("line 1: not a credential report header (missing columns: {})", .missing.join(", "))]
    WrongHeader { missing: Vec<String> },
    /// The file's structure is wrong at `line`: wrong number of fields, duplicate
    /// column or root row, or a CSV reading error.
    #[error("line {line}: {message}")]
    Csv { line: u64, message: String },
    /// A field of the root row has a value of the wrong form (`value` has its control
    /// characters escaped and is cut to 40 chars).
    #[error("line {line}, field {field}: expected {expected}, found \"{value}\"")]
    Field {
        line: u64,
        field: String,
        value: String,
        expected: &'static str,
    },
    #[error("the report has no <root_account> row")]
    NoRootRow,
    /// Larger than [`MAX_REPORT_BYTES`].
    #[error(
        "larger than the {} MiB limit: a real credential report is a few MB even for \
         thousands of users, so this is not one",
        MAX_REPORT_BYTES / (1024 * 1024)
    )]
    TooLarge,
}

/// Reads a credential report and returns its `<root_account>` row (with no generation
/// time: the CSV does not hold one).
pub fn parse_root_row(input: &[u8]) -> Result<RootRow, ReportError> {
    if u64::try_from(input.len()).map_or(true, |len| len > MAX_REPORT_BYTES) {
        return Err(ReportError::TooLarge);
    }
    // csv-core skips a BOM too; dropping it here keeps byte offsets and lines simple.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let mut reader = csv_reader(input);
    let mut lines = LineCounter::new(input);
    let mut record = ByteRecord::new();

    if !read_record(&mut reader, &mut record, &mut lines)? {
        return Err(ReportError::Empty);
    }
    let columns = Columns::from_header(&record, lines.line_of(&record))?;

    let mut root: Option<(u64, RootRow)> = None;
    while read_record(&mut reader, &mut record, &mut lines)? {
        let line = lines.line_of(&record);
        if record.len() != columns.width {
            return Err(ReportError::Csv {
                line,
                message: format!(
                    "expected {} fields as in the header, found {}",
                    columns.width,
                    record.len()
                ),
            });
        }
        let row = Row {
            record: &record,
            columns: &columns,
            line,
        };
        if row.raw(USER) != ROOT_USER.as_bytes() {
            continue;
        }
        if let Some((first, _)) = &root {
            return Err(ReportError::Csv {
                line,
                message: format!("second {ROOT_USER} row (the first is on line {first})"),
            });
        }
        root = Some((line, row.root()?));
    }
    root.map(|(_, row)| row).ok_or(ReportError::NoRootRow)
}

const ROOT_USER: &str = "<root_account>";

/// Longest value, in characters, that an error echoes.
const MAX_VALUE_CHARS: usize = 40;

/// The columns of the report as AWS documents them; all must be present.
const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

// Positions in `COLUMNS`.
const USER: usize = 0;
const ARN: usize = 1;
const USER_CREATION_TIME: usize = 2;
const MFA_ACTIVE: usize = 7;
/// Slot number and position of `access_key_N_active`; the slot's other columns follow.
const KEY_SLOTS: [(u8, usize); 2] = [(1, 8), (2, 13)];
const KEY_LAST_ROTATED: usize = 1;
const KEY_LAST_USED_DATE: usize = 2;
const KEY_LAST_USED_REGION: usize = 3;
const KEY_LAST_USED_SERVICE: usize = 4;

/// Values AWS writes where there is nothing to report.
const NO_VALUE: [&str; 3] = ["N/A", "not_supported", "no_information"];

const EXPECTED_BOOL: &str = "true or false";
const EXPECTED_OPTIONAL_BOOL: &str = "true, false or N/A";
const EXPECTED_DATE: &str = "an RFC 3339 date, N/A, not_supported or no_information";
const EXPECTED_TEXT: &str = "UTF-8 text";
const EXPECTED_ARN: &str = "an ARN (arn:...)";

/// Where each of `COLUMNS` is in the file, and how many fields each row must have.
struct Columns {
    index: [usize; COLUMNS.len()],
    width: usize,
}

impl Columns {
    fn from_header(header: &ByteRecord, line: u64) -> Result<Self, ReportError> {
        let mut index = [0; COLUMNS.len()];
        let mut missing = Vec::new();
        let mut duplicate = None;
        for (slot, name) in index.iter_mut().zip(COLUMNS) {
            let mut found = header
                .iter()
                .enumerate()
                .filter(|(_, field)| field.eq_ignore_ascii_case(name.as_bytes()))
                .map(|(position, _)| position);
            match (found.next(), found.next()) {
                (None, _) => missing.push(name.to_owned()),
                (Some(position), None) => *slot = position,
                (Some(_), Some(_)) => {
                    duplicate.get_or_insert(name);
                }
            }
        }
        if !missing.is_empty() {
            return Err(ReportError::WrongHeader { missing });
        }
        if let Some(name) = duplicate {
            return Err(ReportError::Csv {
                line,
                message: format!("column {name} appears more than once in the header"),
            });
        }
        Ok(Self {
            index,
            width: header.len(),
        })
    }
}

/// One data row, with the accessors that validate the root row's fields.
struct Row<'a> {
    record: &'a ByteRecord,
    columns: &'a Columns,
    line: u64,
}

impl Row<'_> {
    fn root(&self) -> Result<RootRow, ReportError> {
        let arn = self.text(ARN)?;
        if !arn.starts_with("arn:") {
            return Err(self.error(ARN, EXPECTED_ARN));
        }
        Ok(RootRow {
            account_id: account_id(arn),
            arn: arn.to_owned(),
            created: self.date(USER_CREATION_TIME)?,
            mfa_active: self.optional_boolean(MFA_ACTIVE)?,
            keys: KEY_SLOTS
                .iter()
                .map(|&(slot, active)| self.key(slot, active))
                .collect::<Result<_, _>>()?,
            generated: None,
        })
    }

    fn key(&self, slot: u8, active: usize) -> Result<ReportKey, ReportError> {
        let last_used = match self.date(active + KEY_LAST_USED_DATE)? {
            Some(date) => Some(LastUsed {
                date,
                service: self.label(active + KEY_LAST_USED_SERVICE)?,
                region: self.label(active + KEY_LAST_USED_REGION)?,
            }),
            None => None,
        };
        Ok(ReportKey {
            slot,
            active: self.boolean(active)?,
            last_rotated: self.date(active + KEY_LAST_ROTATED)?,
            last_used,
        })
    }

    fn raw(&self, column: usize) -> &[u8] {
        self.record
            .get(self.columns.index[column])
            .unwrap_or_default()
    }

    fn error(&self, column: usize, expected: &'static str) -> ReportError {
        ReportError::Field {
            line: self.line,
            field: COLUMNS[column].to_owned(),
            value: excerpt(self.raw(column)),
            expected,
        }
    }

    fn text(&self, column: usize) -> Result<&str, ReportError> {
        std::str::from_utf8(self.raw(column)).map_err(|_| self.error(column, EXPECTED_TEXT))
    }

    fn boolean(&self, column: usize) -> Result<bool, ReportError> {
        let value = self.raw(column);
        if value.eq_ignore_ascii_case(b"true") {
            Ok(true)
        } else if value.eq_ignore_ascii_case(b"false") {
            Ok(false)
        } else {
            Err(self.error(column, EXPECTED_BOOL))
        }
    }

    fn optional_boolean(&self, column: usize) -> Result<Option<bool>, ReportError> {
        if is_no_value(self.raw(column)) {
            Ok(None)
        } else {
            self.boolean(column)
                .map(Some)
                .map_err(|_| self.error(column, EXPECTED_OPTIONAL_BOOL))
        }
    }

    fn date(&self, column: usize) -> Result<Option<DateTime<Utc>>, ReportError> {
        let value = self.raw(column);
        if is_no_value(value) {
            return Ok(None);
        }
        std::str::from_utf8(value)
            .ok()
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|date| Some(date.with_timezone(&Utc)))
            .ok_or_else(|| self.error(column, EXPECTED_DATE))
    }

    /// Free text such as a region or service name; `N/A` (or empty) is `None`.
    fn label(&self, column: usize) -> Result<Option<String>, ReportError> {
        let text = self.text(column)?;
        Ok((!text.is_empty() && !is_no_value(text.as_bytes())).then(|| text.to_owned()))
    }
}

fn is_no_value(value: &[u8]) -> bool {
    NO_VALUE
        .iter()
        .any(|no_value| value.eq_ignore_ascii_case(no_value.as_bytes()))
}

/// The account id of `arn:PARTITION:iam::ACCOUNT:root`.
fn account_id(arn: &str) -> Option<String> {
    match arn.splitn(7, ':').collect::<Vec<_>>().as_slice() {
        ["arn", partition, "iam", "", account, "root"]
            if !partition.is_empty()
                && account.len() == 12
                && account.bytes().all(|byte| byte.is_ascii_digit()) =>
        {
            Some((*account).to_owned())
        }
        _ => None,
    }
}

/// A value as shown in an error: lossily decoded, control characters escaped, and cut to
/// `MAX_VALUE_CHARS` characters.
fn excerpt(value: &[u8]) -> String {
    // Every character takes at most 4 bytes, so this prefix still holds more than the
    // limit whenever the value does, and a huge value is never decoded whole.
    let prefix = value.get(..MAX_VALUE_CHARS * 4 + 4).unwrap_or(value);
    let decoded = String::from_utf8_lossy(prefix);
    let text = sanitize(&decoded);
    if text.chars().count() <= MAX_VALUE_CHARS {
        text.into_owned()
    } else {
        text.chars()
            .take(MAX_VALUE_CHARS - 1)
            .chain(std::iter::once('…'))
            .collect()
    }
}

fn read_record(
    reader: &mut Reader<Bounded<'_>>,
    record: &mut ByteRecord,
    lines: &mut LineCounter<'_>,
) -> Result<bool, ReportError> {
    let start = reader.position().byte();
    reader.get_mut().limit_record_from(start);
    reader.read_byte_record(record).map_err(|error| {
        if reader.get_ref().overran {
            // The record's position is where the reader started looking for it.
            let from = record.position().map_or(start, csv::Position::byte);
            return ReportError::Csv {
                line: lines.line_at(from),
                message: format!(
                    "a row longer than {} KiB: not a credential report (a real row is a few \
                     hundred bytes)",
                    MAX_RECORD_BYTES / 1024
                ),
            };
        }
        let line = error
            .position()
            .map_or(lines.line, |position| lines.line_at(position.byte()));
        let message = match error.kind() {
            csv::ErrorKind::Io(io) => io.to_string(),
            _ => "malformed CSV".to_owned(),
        };
        ReportError::Csv { line, message }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,\
        password_last_changed,password_next_rotation,mfa_active,access_key_1_active,\
        access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,\
        access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,\
        access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,\
        cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
    const ROOT_ARN: &str = "arn:aws:iam::123456789012:root";
    const NO_KEY: &str = "false,N/A,N/A,N/A,N/A";
    const NO_CERTS: &str = "false,N/A,false,N/A";
    const ALICE: &str = "alice,arn:aws:iam::123456789012:user/alice,2021-03-04T05:06:07+00:00,\
        true,2026-11-01T00:00:00+00:00,2026-01-01T00:00:00+00:00,N/A,true,\
        true,2026-01-01T00:00:00+00:00,2026-11-19T00:00:00+00:00,eu-west-1,iam,\
        false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
    const BOB: &str = "bob,arn:aws:iam::123456789012:user/bob,2022-03-04T05:06:07+00:00,\
        false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";

    fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
            .single()
            .expect("valid test date")
    }

    fn root_row_with(arn: &str, key_1: &str, key_2: &str) -> String {
        format!(
            "<root_account>,{arn},2020-01-02T03:00:00+00:00,not_supported,\
             2026-11-19T08:00:00+00:00,not_supported,not_supported,true,{key_1},{key_2},{NO_CERTS}"
        )
    }

    fn root_row(key_1: &str, key_2: &str) -> String {
        root_row_with(ROOT_ARN, key_1, key_2)
    }

    fn report(rows: &[&str]) -> String {
        let mut text = format!("{HEADER}\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text
    }

    fn parse(text: &str) -> Result<RootRow, ReportError> {
        parse_root_row(text.as_bytes())
    }

    fn parse_ok(text: &str) -> RootRow {
        parse(text).expect("the report parses")
    }

    fn field_error(line: u64, field: &str, value: &str, expected: &'static str) -> ReportError {
        ReportError::Field {
            line,
            field: field.to_owned(),
            value: value.to_owned(),
            expected,
        }
    }

    #[test]
    fn no_keys() {
        let root = parse_ok(&report(&[&root_row(NO_KEY, NO_KEY), ALICE]));
        assert_eq!(
            root,
            RootRow {
                arn: ROOT_ARN.to_owned(),
                account_id: Some("123456789012".to_owned()),
                created: Some(at(2020, 1, 2, 3)),
                mfa_active: Some(true),
                keys: vec![
                    ReportKey {
                        slot: 1,
                        active: false,
                        last_rotated: None,
                        last_used: None,
                    },
                    ReportKey {
                        slot: 2,
                        active: false,
                        last_rotated: None,
                        last_used: None,
                    },
                ],
                generated: None,
            }
        );
        assert_eq!(root.present_keys().count(), 0);
        assert!(root.cis_compliant());
    }

    #[test]
    fn one_active_key() {
        let key = "true,2026-01-01T00:00:00+00:00,2026-11-19T10:00:00+00:00,us-east-1,s3";
        let root = parse_ok(&report(&[ALICE, &root_row(NO_KEY, key), BOB]));
        assert_eq!(
            root.keys[1],
            ReportKey {
                slot: 2,
                active: true,
                last_rotated: Some(at(2026, 1, 1, 0)),
                last_used: Some(LastUsed {
                    date: at(2026, 11, 19, 10),
                    service: Some("s3".to_owned()),
                    region: Some("us-east-1".to_owned()),
                }),
            }
        );
        assert!(!root.keys[0].present());
        let present: Vec<u8> = root.present_keys().map(|key| key.slot).collect();
        assert_eq!(present, [2]);
        assert!(!root.cis_compliant());
    }

    #[test]
    fn one_inactive_key() {
        let key = "false,2025-06-01T12:00:00+00:00,N/A,N/A,N/A";
        let root = parse_ok(&report(&[&root_row(key, NO_KEY)]));
        let first = &root.keys[0];
        assert!(!first.active);
        assert_eq!(first.last_rotated, Some(at(2025, 6, 1, 12)));
        assert_eq!(first.last_used, None);
        assert!(first.present());
        assert_eq!(root.present_keys().count(), 1);
        assert!(!root.cis_compliant());
    }

    #[test]
    fn two_keys_mixed() {
        let yesterday =
            DateTime::from_timestamp(Utc::now().timestamp() - 86_400, 0).expect("valid timestamp");
        let key_1 = format!(
            "true,2026-01-01T00:00:00+00:00,{},ap-southeast-2,sts",
            yesterday.to_rfc3339()
        );
        let key_2 = "false,2024-02-03T04:00:00Z,2024-05-06T07:00:00Z,N/A,N/A";
        let root = parse_ok(&report(&[&root_row(&key_1, key_2), ALICE]));
        assert_eq!(
            root.keys,
            [
                ReportKey {
                    slot: 1,
                    active: true,
                    last_rotated: Some(at(2026, 1, 1, 0)),
                    last_used: Some(LastUsed {
                        date: yesterday,
                        service: Some("sts".to_owned()),
                        region: Some("ap-southeast-2".to_owned()),
                    }),
                },
                ReportKey {
                    slot: 2,
                    active: false,
                    last_rotated: Some(at(2024, 2, 3, 4)),
                    last_used: Some(LastUsed {
                        date: at(2024, 5, 6, 7),
                        service: None,
                        region: None,
                    }),
                },
            ]
        );
        assert_eq!(root.present_keys().count(), 2);
        assert!(!root.cis_compliant());
    }

    #[test]
    fn never_used_keys() {
        let key_1 = "true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A";
        let key_2 = "true,2026-02-01T00:00:00+00:00,no_information,N/A,N/A";
        let root = parse_ok(&report(&[&root_row(key_1, key_2)]));
        assert_eq!(root.keys[0].last_used, None);
        assert_eq!(root.keys[1].last_used, None);
        assert_eq!(root.keys[1].last_rotated, Some(at(2026, 2, 1, 0)));
        assert_eq!(root.present_keys().count(), 2);
    }

    #[test]
    fn no_information_and_not_supported_are_no_value() {
        let text = report(&[&format!(
            "<root_account>,{ROOT_ARN},N/A,not_supported,no_information,not_supported,\
             not_supported,N/A,FALSE,NOT_SUPPORTED,n/a,N/A,N/A,True,no_information,N/A,N/A,N/A,\
             {NO_CERTS}"
        )]);
        let root = parse_ok(&text);
        assert_eq!(root.created, None);
        assert_eq!(root.mfa_active, None);
        assert!(!root.keys[0].active);
        assert!(root.keys[1].active);
        assert_eq!(root.present_keys().count(), 1);
    }

    #[test]
    fn no_root_row() {
        let error = parse(&report(&[ALICE, BOB])).expect_err("no root row");
        assert_eq!(error, ReportError::NoRootRow);
        assert_eq!(error.to_string(), "the report has no <root_account> row");
        assert_eq!(parse(&report(&[])), Err(ReportError::NoRootRow));
    }

    #[test]
    fn bom_crlf_and_quoted_fields() {
        let quote_all = |line: &str| {
            line.split(',')
                .map(|field| format!("\"{field}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        let key = "true,2026-01-01T00:00:00+00:00,2026-11-19T10:00:00+00:00,us-east-1,s3";
        // A quoted field may hold a comma, a doubled quote and a line break.
        let odd_user = ALICE.replacen("alice", "\"al,i\"\"ce\r\nsmith\"", 1);
        let text = format!(
            "\u{feff}{}\r\n{odd_user}\r\n{}\r\n{}\r\n",
            quote_all(HEADER),
            quote_all(&root_row(key, NO_KEY)),
            quote_all(BOB)
        );
        let root = parse_ok(&text);
        assert_eq!(root.arn, ROOT_ARN);
        assert_eq!(root.mfa_active, Some(true));
        assert!(root.keys[0].active);
        assert_eq!(
            root.keys[0]
                .last_used
                .as_ref()
                .and_then(|used| used.service.as_deref()),
            Some("s3")
        );

        // The root row starts on physical line 4 (the quoted user spans lines 2-3).
        // The first quoted "true" is the root row's mfa_active.
        let bad = text.replacen("\"true\"", "\"yes\"", 1);
        assert_eq!(
            parse(&bad),
            Err(field_error(4, "mfa_active", "yes", EXPECTED_OPTIONAL_BOOL))
        );
    }

    #[test]
    fn lone_cr_and_blank_lines_count_as_lines() {
        let text = format!(
            "{HEADER}\r\r\n{ALICE}\n\n{}\r",
            root_row("maybe,N/A,N/A,N/A,N/A", NO_KEY)
        );
        assert_eq!(
            parse(&text),
            Err(field_error(
                5,
                "access_key_1_active",
                "maybe",
                EXPECTED_BOOL
            ))
        );
    }

    #[test]
    fn wrong_header() {
        let header = HEADER
            .replace("mfa_active,", "")
            .replace(",arn,", ",amazon,");
        let error =
            parse(&format!("{header}\n{}\n", root_row(NO_KEY, NO_KEY))).expect_err("wrong header");
        assert_eq!(
            error,
            ReportError::WrongHeader {
                missing: vec!["arn".to_owned(), "mfa_active".to_owned()]
            }
        );
        assert_eq!(
            error.to_string(),
            "line 1: not a credential report header (missing columns: arn, mfa_active)"
        );

        let Err(ReportError::WrongHeader { missing }) = parse("hello,world\n1,2\n") else {
            panic!("expected a WrongHeader error");
        };
        assert_eq!(missing, COLUMNS);
    }

    #[test]
    fn duplicate_header_column() {
        let error = parse(&report(&[]).replacen("user,", "user,arn,", 1)).expect_err("dup");
        assert_eq!(
            error.to_string(),
            "line 1: column arn appears more than once in the header"
        );
    }

    #[test]
    fn reordered_columns_are_found_by_name() {
        let header: Vec<&str> = HEADER.split(',').rev().collect();
        let row = root_row("true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A", NO_KEY);
        let row: Vec<&str> = row.split(',').rev().collect();
        let text = format!("{}\n{}\n", header.join(","), row.join(","));
        let root = parse_ok(&text);
        assert_eq!(root.arn, ROOT_ARN);
        assert!(root.keys[0].active);
        assert!(!root.keys[1].active);
        assert_eq!(root.created, Some(at(2020, 1, 2, 3)));
    }

    #[test]
    fn header_case_and_spaces_around_values_are_ignored() {
        let row =
            root_row("true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A", NO_KEY).replace(',', " , ");
        let text = format!("{}\n {row} \n", HEADER.to_uppercase().replace(',', ", "));
        let root = parse_ok(&text);
        assert_eq!(root.arn, ROOT_ARN);
        assert_eq!(root.account_id.as_deref(), Some("123456789012"));
        assert!(root.keys[0].active);
        assert_eq!(root.keys[0].last_rotated, Some(at(2026, 1, 1, 0)));
    }

    #[test]
    fn empty_file() {
        for text in ["", "\u{feff}", "\n", "\r\n\r\n"] {
            let error = parse(text).expect_err("empty");
            assert_eq!(error, ReportError::Empty, "{text:?}");
            assert_eq!(error.to_string(), "the credential report is empty");
        }
    }

    #[test]
    fn truncated_row() {
        let text = report(&[&root_row(NO_KEY, NO_KEY), "alice,arn:aws:iam::1:user/alice"]);
        let error = parse(&text).expect_err("truncated");
        assert_eq!(
            error,
            ReportError::Csv {
                line: 3,
                message: "expected 22 fields as in the header, found 2".to_owned()
            }
        );
        assert!(error.to_string().starts_with("line 3: "), "{error}");

        // A file cut off in the middle of the root row.
        let text = report(&[ALICE, &root_row(NO_KEY, NO_KEY)]);
        let cut = &text[..text.len() - 30];
        assert!(matches!(parse(cut), Err(ReportError::Csv { line: 3, .. })));
    }

    #[test]
    fn too_many_fields() {
        let text = report(&[&root_row(NO_KEY, NO_KEY), &format!("{BOB},extra")]);
        assert!(matches!(
            parse(&text),
            Err(ReportError::Csv { line: 3, .. })
        ));
    }

    #[test]
    fn bad_boolean() {
        let text = report(&[ALICE, &root_row("maybe,N/A,N/A,N/A,N/A", NO_KEY)]);
        let error = parse(&text).expect_err("bad boolean");
        assert_eq!(
            error,
            field_error(3, "access_key_1_active", "maybe", EXPECTED_BOOL)
        );
        assert_eq!(
            error.to_string(),
            "line 3, field access_key_1_active: expected true or false, found \"maybe\""
        );

        let text = report(&[&root_row(NO_KEY, NO_KEY).replace(",true,", ",yes,")]);
        assert_eq!(
            parse(&text),
            Err(field_error(2, "mfa_active", "yes", EXPECTED_OPTIONAL_BOOL))
        );
        let text = report(&[&root_row(NO_KEY, ",N/A,N/A,N/A,N/A")]);
        assert_eq!(
            parse(&text),
            Err(field_error(2, "access_key_2_active", "", EXPECTED_BOOL))
        );
    }

    #[test]
    fn bad_date() {
        for bad in [
            "yesterday",
            "2026-13-01T00:00:00+00:00",
            "2026-11-20",
            "none",
        ] {
            let key = format!("true,{bad},N/A,N/A,N/A");
            let error = parse(&report(&[&root_row(NO_KEY, &key)])).expect_err("bad date");
            assert_eq!(
                error,
                field_error(2, "access_key_2_last_rotated", bad, EXPECTED_DATE)
            );
            assert!(
                error
                    .to_string()
                    .starts_with("line 2, field access_key_2_last_rotated: expected an RFC 3339"),
                "{error}"
            );
        }
        let key = "true,N/A,2026-11-20T25:00:00Z,us-east-1,s3";
        assert_eq!(
            parse(&report(&[&root_row(key, NO_KEY)])),
            Err(field_error(
                2,
                "access_key_1_last_used_date",
                "2026-11-20T25:00:00Z",
                EXPECTED_DATE
            ))
        );
    }

    #[test]
    fn invalid_utf8_in_root_row() {
        let text = report(&[&root_row(NO_KEY, NO_KEY)]).replacen(ROOT_ARN, "arn:\u{1}", 1);
        let mut bytes = text.into_bytes();
        let position = bytes
            .iter()
            .position(|&byte| byte == 1)
            .expect("marker present");
        bytes[position] = 0xFF;
        assert_eq!(
            parse_root_row(&bytes),
            Err(field_error(2, "arn", "arn:\u{fffd}", EXPECTED_TEXT))
        );
    }

    #[test]
    fn long_values_are_cut() {
        let huge = "x".repeat(10_000);
        let error = parse(&report(&[&root_row(
            &format!("{huge},N/A,N/A,N/A,N/A"),
            NO_KEY,
        )]))
        .expect_err("bad boolean");
        let ReportError::Field { value, .. } = &error else {
            panic!("expected a Field error, got {error:?}");
        };
        assert_eq!(value.chars().count(), 40);
        assert!(value.ends_with('…'));
        assert!(error.to_string().len() < 200);
        assert_eq!(excerpt("é".repeat(40).as_bytes()), "é".repeat(40));
    }

    #[test]
    fn govcloud_and_china_partitions() {
        for arn in [
            "arn:aws-us-gov:iam::123456789012:root",
            "arn:aws-cn:iam::123456789012:root",
        ] {
            let root = parse_ok(&report(&[&root_row_with(arn, NO_KEY, NO_KEY)]));
            assert_eq!(root.arn, arn);
            assert_eq!(root.account_id.as_deref(), Some("123456789012"));
        }
    }

    #[test]
    fn arn_checks() {
        for odd in [
            "arn:aws:iam::12345:root",
            "arn:aws:iam::123456789012:user/root",
            "arn::iam::123456789012:root",
            "arn:aws:iam::123456789012:root:extra",
        ] {
            let root = parse_ok(&report(&[&root_row_with(odd, NO_KEY, NO_KEY)]));
            assert_eq!(root.account_id, None, "{odd}");
        }
        assert_eq!(
            parse(&report(&[&root_row_with("123456789012", NO_KEY, NO_KEY)])),
            Err(field_error(2, "arn", "123456789012", EXPECTED_ARN))
        );
    }

    #[test]
    fn extra_trailing_column_tolerated() {
        let text = format!(
            "{HEADER},password_last_used_region\n{},us-east-1\n{BOB},N/A\n",
            root_row("true,2026-01-01T00:00:00+00:00,N/A,N/A,N/A", NO_KEY)
        );
        let root = parse_ok(&text);
        assert_eq!(root.account_id.as_deref(), Some("123456789012"));
        assert_eq!(root.present_keys().count(), 1);
    }

    #[test]
    fn duplicate_root_row() {
        let root = root_row(NO_KEY, NO_KEY);
        let error = parse(&report(&[&root, ALICE, &root])).expect_err("duplicate");
        assert_eq!(
            error.to_string(),
            "line 4: second <root_account> row (the first is on line 2)"
        );
    }

    #[test]
    fn control_characters_in_values_are_escaped_in_errors() {
        let key = "\u{1b}]0;pwned\u{7}\u{1b}[31m,N/A,N/A,N/A,N/A";
        let error = parse(&report(&[&root_row(key, NO_KEY)])).expect_err("bad boolean");
        let shown = error.to_string();
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
            "{shown:?}"
        );
        assert!(shown.contains("found \"\\u{1b}]0;pwned\\u{7}"), "{shown}");
        // A quoted value with a line break shows the break escaped.
        let key = "\"tr\nue\",N/A,N/A,N/A,N/A";
        let error = parse(&report(&[&root_row(key, NO_KEY)])).expect_err("bad boolean");
        assert!(
            error.to_string().ends_with("found \"tr\\u{a}ue\""),
            "{error}"
        );
    }

    #[test]
    fn a_huge_row_is_refused_before_it_is_held() {
        for filler in [b'x', b','] {
            let mut input = format!("{HEADER}\n{}\n", root_row(NO_KEY, NO_KEY)).into_bytes();
            input.extend(std::iter::repeat_n(filler, 10 * MAX_RECORD_BYTES));
            input.extend_from_slice(b"\nbob\n");
            let error = parse_root_row(&input).expect_err("too long");
            assert_eq!(
                error.to_string(),
                "line 3: a row longer than 64 KiB: not a credential report (a real row is a \
                 few hundred bytes)"
            );

            // The reader never got more than one row's limit past the row's start.
            let mut reader = csv_reader(&input);
            let mut lines = LineCounter::new(&input);
            let mut record = ByteRecord::new();
            let mut rows = 0;
            while let Ok(true) = read_record(&mut reader, &mut record, &mut lines) {
                rows += 1;
            }
            assert_eq!(rows, 2, "the header and the root row");
            let row_start = input.len() - 10 * MAX_RECORD_BYTES - 5;
            assert!(reader.get_ref().overran);
            assert!(reader.get_ref().offset <= row_start + MAX_RECORD_BYTES);
            assert!(record.as_slice().len() <= MAX_RECORD_BYTES);
        }

        // A huge header is refused on line 1; blank lines before a row do not count.
        let huge = "y".repeat(MAX_RECORD_BYTES + 1);
        assert!(matches!(
            parse(&huge),
            Err(ReportError::Csv { line: 1, .. })
        ));
        let blank = "\n".repeat(2 * MAX_RECORD_BYTES);
        let text = format!("{HEADER}\n{blank}{}\n", root_row(NO_KEY, NO_KEY));
        assert_eq!(parse_ok(&text).keys.len(), 2);
        // A row just under the limit is read (and here rejected for its content).
        let long_arn = format!("arn:{}", "a".repeat(MAX_RECORD_BYTES - 400));
        let row = root_row_with(&long_arn, NO_KEY, NO_KEY);
        assert!(row.len() < MAX_RECORD_BYTES);
        assert_eq!(parse_ok(&report(&[&row])).arn, long_arn);
    }

    #[test]
    fn a_report_over_the_size_limit_is_refused() {
        let limit = usize::try_from(MAX_REPORT_BYTES).expect("fits");
        let error = parse_root_row(&vec![0; limit + 1]).expect_err("too large");
        assert_eq!(error, ReportError::TooLarge);
        assert!(error.to_string().contains("64 MiB"), "{error}");
    }

    // ---- property tests ----

    /// Physical lines of `input`, counting LF, CRLF and lone CR as line ends.
    fn physical_lines(input: &[u8]) -> u64 {
        let mut lines = LineCounter::new(input);
        lines.line_at(u64::MAX)
    }

    /// What every error must satisfy, whatever the input.
    fn check_error(input: &[u8], error: &ReportError) -> Result<(), TestCaseError> {
        let shown = error.to_string();
        prop_assert!(shown.len() < 1024, "{shown}");
        match error {
            ReportError::Empty => {
                let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
                prop_assert!(body.iter().all(|&byte| byte == b'\r' || byte == b'\n'));
            }
            ReportError::NoRootRow => {}
            ReportError::TooLarge => {
                prop_assert!(input.len() as u64 > MAX_REPORT_BYTES);
            }
            ReportError::WrongHeader { missing } => {
                prop_assert!(!missing.is_empty());
                prop_assert!(shown.starts_with("line 1: "), "{shown}");
            }
            ReportError::Csv { line, .. } => {
                prop_assert!(*line >= 1 && *line <= physical_lines(input), "{shown}");
                prop_assert!(shown.starts_with(&format!("line {line}: ")), "{shown}");
            }
            ReportError::Field {
                line, field, value, ..
            } => {
                prop_assert!(*line >= 2 && *line <= physical_lines(input), "{shown}");
                prop_assert!(COLUMNS.contains(&field.as_str()), "{shown}");
                prop_assert!(value.chars().count() <= MAX_VALUE_CHARS, "{shown}");
                let prefix = format!("line {line}, field {field}: expected ");
                prop_assert!(shown.starts_with(&prefix), "{shown}");
            }
        }
        Ok(())
    }

    #[derive(Debug, Clone)]
    enum Mutation {
        Replace(prop::sample::Index, u8),
        Insert(prop::sample::Index, u8),
        Delete(prop::sample::Index),
        Truncate(prop::sample::Index),
    }

    fn interesting_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            Just(b','),
            Just(b'"'),
            Just(b'\n'),
            Just(b'\r'),
            Just(b' '),
            Just(b':'),
            Just(0xEF),
            Just(0xFF),
            any::<u8>(),
        ]
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        prop_oneof![
            4 => (any::<prop::sample::Index>(), interesting_byte())
                .prop_map(|(at, byte)| Mutation::Replace(at, byte)),
            3 => (any::<prop::sample::Index>(), interesting_byte())
                .prop_map(|(at, byte)| Mutation::Insert(at, byte)),
            3 => any::<prop::sample::Index>().prop_map(Mutation::Delete),
            1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        ]
    }

    fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
        match mutation {
            Mutation::Insert(at, byte) => bytes.insert(at.index(bytes.len() + 1), *byte),
            _ if bytes.is_empty() => {}
            Mutation::Replace(at, byte) => {
                let at = at.index(bytes.len());
                bytes[at] = *byte;
            }
            Mutation::Delete(at) => {
                bytes.remove(at.index(bytes.len()));
            }
            Mutation::Truncate(at) => bytes.truncate(at.index(bytes.len())),
        }
    }

    fn date_text() -> impl Strategy<Value = (DateTime<Utc>, String)> {
        (0_i64..4_102_444_800, -48_i32..=56, any::<bool>()).prop_map(|(seconds, quarters, z)| {
            let date = DateTime::from_timestamp(seconds, 0).expect("in range");
            let text = if z {
                date.format("%Y-%m-%dT%H:%M:%SZ").to_string()
            } else {
                let offset = chrono::FixedOffset::east_opt(quarters * 900).expect("in range");
                date.with_timezone(&offset).to_rfc3339()
            };
            (date, text)
        })
    }

    fn optional_date() -> impl Strategy<Value = (Option<DateTime<Utc>>, String)> {
        prop_oneof![
            date_text().prop_map(|(date, text)| (Some(date), text)),
            prop::sample::select(&NO_VALUE[..]).prop_map(|text| (None, text.to_owned())),
        ]
    }

    fn label() -> impl Strategy<Value = (Option<String>, String)> {
        prop_oneof![
            Just((None, "N/A".to_owned())),
            "[a-z0-9-]{1,20}".prop_map(|text| (Some(text.clone()), text)),
        ]
    }

    fn key(slot: u8) -> impl Strategy<Value = (ReportKey, String)> {
        (
            any::<bool>(),
            optional_date(),
            optional_date(),
            label(),
            label(),
        )
            .prop_map(
                move |(active, (last_rotated, rotated), (used, used_text), region, service)| {
                    let text = format!("{active},{rotated},{used_text},{},{}", region.1, service.1);
                    let last_used = used.map(|date| LastUsed {
                        date,
                        service: service.0,
                        region: region.0,
                    });
                    let key = ReportKey {
                        slot,
                        active,
                        last_rotated,
                        last_used,
                    };
                    (key, text)
                },
            )
    }

    fn valid_report() -> String {
        report(&[
            &root_row(
                "true,2026-01-01T00:00:00+00:00,2026-11-19T10:00:00+00:00,us-east-1,s3",
                "false,2025-01-01T00:00:00Z,no_information,N/A,N/A",
            ),
            ALICE,
            BOB,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            if let Err(error) = parse_root_row(&bytes) {
                check_error(&bytes, &error)?;
            }
        }

        #[test]
        fn arbitrary_rows_after_a_valid_header_never_panic(
            tail in prop::collection::vec(interesting_byte(), 0..512),
        ) {
            let mut bytes = format!("{HEADER}\n").into_bytes();
            bytes.extend_from_slice(&tail);
            match parse_root_row(&bytes) {
                Ok(root) => prop_assert_eq!(root.keys.len(), 2),
                Err(error) => {
                    let header_error =
                        matches!(error, ReportError::Empty | ReportError::WrongHeader { .. });
                    prop_assert!(!header_error, "{}", error);
                    check_error(&bytes, &error)?;
                }
            }
        }

        #[test]
        fn mutated_reports_parse_or_name_a_line(
            mutations in prop::collection::vec(mutation(), 1..6),
        ) {
            let mut bytes = valid_report().into_bytes();
            for mutation in &mutations {
                apply(&mut bytes, mutation);
            }
            match parse_root_row(&bytes) {
                Ok(root) => {
                    prop_assert_eq!(root.keys.len(), 2);
                    prop_assert_eq!(root.keys[0].slot, 1);
                    prop_assert_eq!(root.keys[1].slot, 2);
                }
                Err(error) => {
                    let shown = error.to_string();
                    prop_assert!(
                        shown.contains("line ")
                            || matches!(error, ReportError::Empty | ReportError::NoRootRow),
                        "{}", shown
                    );
                    check_error(&bytes, &error)?;
                }
            }
        }

        #[test]
        fn generated_root_rows_round_trip(
            (key_1, key_1_text) in key(1),
            (key_2, key_2_text) in key(2),
            (created, created_text) in optional_date(),
            mfa in prop::option::of(any::<bool>()),
            users_before in 0_usize..3,
            bom in any::<bool>(),
            crlf in any::<bool>(),
            quoted in any::<bool>(),
        ) {
            let mfa_text = mfa.map_or_else(|| "N/A".to_owned(), |mfa| mfa.to_string());
            let build = |mfa_text: &str| {
                let root_line = format!(
                    "<root_account>,{ROOT_ARN},{created_text},not_supported,no_information,\
                     not_supported,not_supported,{mfa_text},{key_1_text},{key_2_text},{NO_CERTS}"
                );
                let mut lines = vec![HEADER.to_owned()];
                lines.extend(std::iter::repeat_n(ALICE.to_owned(), users_before));
                lines.push(root_line);
                lines.push(BOB.to_owned());
                if quoted {
                    for line in &mut lines {
                        *line = line
                            .split(',')
                            .map(|field| format!("\"{field}\""))
                            .collect::<Vec<_>>()
                            .join(",");
                    }
                }
                let end = if crlf { "\r\n" } else { "\n" };
                format!("{}{}{end}", if bom { "\u{feff}" } else { "" }, lines.join(end))
            };

            let expected = RootRow {
                arn: ROOT_ARN.to_owned(),
                account_id: Some("123456789012".to_owned()),
                created,
                mfa_active: mfa,
                keys: vec![key_1, key_2],
                generated: None,
            };
            let compliant = !expected
                .keys
                .iter()
                .any(|key| key.active || key.last_rotated.is_some());
            let root = parse_root_row(build(&mfa_text).as_bytes());
            prop_assert_eq!(root.as_ref(), Ok(&expected));
            prop_assert_eq!(root.map(|root| root.cis_compliant()), Ok(compliant));

            // A bad value in the root row is reported on the root row's line.
            let line = u64::try_from(users_before).expect("small") + 2;
            prop_assert_eq!(
                parse_root_row(build("maybe").as_bytes()),
                Err(field_error(line, "mfa_active", "maybe", EXPECTED_OPTIONAL_BOOL))
            );
        }
    }
}
