//! The bounds on what is read of a credential report, and the reader under the CSV
//! parser that enforces them.
//!
//! A report larger than [`MAX_REPORT_BYTES`] is refused, and so is a record (row) longer
//! than [`MAX_RECORD_BYTES`], before it is held in memory: parsing takes little more
//! memory than the input itself, whatever the input. [`LineCounter`] turns the reader's
//! byte offsets into the physical line numbers errors name.
//!
//! Must not import `crate::tui`, `crate::commands`, `ratatui` or the AWS SDK.

use std::io::Read;

use csv::{ByteRecord, Reader, ReaderBuilder, Trim};

/// The largest credential report read, from a file or from IAM. A real report is a few
/// MB even for thousands of IAM users (IAM allows 5000 per account).
pub const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;

/// The longest record (row) read. A real row is a few hundred bytes.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// A CSV reader over `input` as the report is read: no header handling (the header is
/// checked by the parser), any number of fields (checked by the parser), values trimmed.
pub(super) fn csv_reader(input: &[u8]) -> Reader<Bounded<'_>> {
    ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(Trim::All)
        .from_reader(Bounded::new(input))
}
/// The input as the CSV reader sees it: never more than [`MAX_RECORD_BYTES`] past the
/// start of the record being read, so one huge record (a 50 MB line, a line of commas)
/// fails before it is held in memory.
pub(super) struct Bounded<'a> {
    input: &'a [u8],
    /// Bytes handed to the reader so far.
    pub(super) offset: usize,
    /// Nothing at or past this offset is handed out.
    limit: usize,
    /// The reader asked for bytes past `limit`.
    pub(super) overran: bool,
}

impl<'a> Bounded<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            offset: 0,
            limit: MAX_RECORD_BYTES,
            overran: false,
        }
    }

    /// The next record starts at `position` (after any blank lines the reader skips).
    pub(super) fn limit_record_from(&mut self, position: u64) {
        let len = self.input.len();
        let mut start = usize::try_from(position).map_or(len, |position| position.min(len));
        start += self.input[start..]
            .iter()
            .take_while(|&&byte| byte == b'\r' || byte == b'\n')
            .count();
        self.limit = start.saturating_add(MAX_RECORD_BYTES);
    }
}

impl Read for Bounded<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let end = self.input.len().min(self.limit);
        if self.offset >= end {
            if self.offset < self.input.len() {
                self.overran = true;
                return Err(std::io::Error::other("row too long"));
            }
            return Ok(0);
        }
        let n = buf.len().min(end - self.offset);
        buf[..n].copy_from_slice(&self.input[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}

/// Turns byte offsets, which only grow, into physical line numbers. A line ends at
/// LF, CRLF or a lone CR, as record ends do for the CSV reader.
pub(super) struct LineCounter<'a> {
    input: &'a [u8],
    offset: usize,
    pub(super) line: u64,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            offset: 0,
            line: 1,
        }
    }

    pub(super) fn line_of(&mut self, record: &ByteRecord) -> u64 {
        record
            .position()
            .map_or(self.line, |position| self.line_at(position.byte()))
    }

    pub(super) fn line_at(&mut self, byte: u64) -> u64 {
        let len = self.input.len();
        let mut target = usize::try_from(byte).map_or(len, |byte| byte.min(len));
        // A record's position is where the reader started looking for it, before the
        // blank lines it skips: the record itself starts after them.
        target += self.input[target..]
            .iter()
            .take_while(|&&byte| byte == b'\r' || byte == b'\n')
            .count();
        if target > self.offset {
            let chunk = &self.input[self.offset..target];
            let breaks = chunk
                .iter()
                .enumerate()
                .filter(|&(i, &byte)| {
                    byte == b'\n' || (byte == b'\r' && chunk.get(i + 1) != Some(&b'\n'))
                })
                .count();
            self.line = self
                .line
                .saturating_add(u64::try_from(breaks).unwrap_or(u64::MAX));
            self.offset = target;
        }
        self.line
    }
}
