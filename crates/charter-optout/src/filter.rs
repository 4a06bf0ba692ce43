//! The streaming filter: removes opted-out residents' rows from a CSV file.
//!
//! # How it works
//!
//! 1. The header row is read (a UTF-8 byte-order mark is allowed) and the identifier column is
//!    found by name: an exact match, else a unique match ignoring case and surrounding spaces.
//! 2. The rest of the input is read in blocks of about [`FilterOptions::chunk_bytes`]; each block
//!    is cut at its last row boundary (found by tracking quotes exactly, so quoted fields with
//!    line breaks never straddle two blocks) and the remainder is carried into the next block.
//! 3. Each block is scanned row by row: the identifier is normalised, its tag computed with the
//!    snapshot's organisation key and looked up in the opt-out [`TagSet`]. With more than one
//!    thread, blocks go to worker threads and their results are written strictly in input order.
//! 4. Kept rows are written by copying their raw bytes (header included, byte-order mark and line
//!    ends as they were), so the kept output is exactly the input with some rows left out.
//! 5. Rows that cannot be checked go to the invalid-rows output as CSV
//!    `line,reason,row`: the line the row starts on (the header is line 1), why, and the row's raw
//!    text (quoted, without its line end). A row is invalid when it is blank, not UTF-8, has a
//!    different number of fields from the header, has a quote that is never closed or text after
//!    a closing quote, or its identifier does not normalise. Invalid rows are never checked
//!    against the opt-outs, so the invalid output does not depend on who opted out.
//!
//! Which rows were removed is never output: only the count, in the [`Manifest`].
//!
//! Memory is the snapshot (16 bytes per opt-out) and the tag set (32 to 64 bytes per opt-out) plus
//! `2 × threads + 1` blocks in flight (256 KiB each by default),
//! whatever the size of the input. A row longer than [`FilterOptions::max_row_bytes`] (usually a
//! quote never closed) stops the filter with [`FilterError::RowTooLong`].
//!
//! The outputs are written as the filter goes: write to temporary files and keep them only if the
//! filter returns `Ok` ([`crate::AtomicFile`] does this).
//!
//! The filter is synchronous. In an async server, run it on a blocking thread with the request
//! body bridged to [`Read`], write the kept rows to a temporary file, and send them (with the
//! manifest) only once it has returned `Ok`, so that a failure half-way is never mistaken for a
//! short result.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use charter_core::Slug;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::csvscan::{self, RowProblem};
use crate::keys::{TagInput, TagKey};
use crate::kind::{CanonicalId, IdentifierError, IdentifierKind, NhsNumber};
use crate::scope::Scope;
use crate::snapshot::{Snapshot, SnapshotError};
use crate::tagset::TagSet;

/// Why a row went to the invalid-rows output. The words never contain data from the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidReason {
    #[error("the line is blank")]
    Blank,
    #[error("the row is not valid UTF-8 text")]
    NotUtf8,
    #[error("the row has {found} fields but the header has {expected}")]
    FieldCount { found: usize, expected: usize },
    #[error("a quoted field is never closed")]
    UnterminatedQuote,
    #[error("a quoted field has text after its closing quote")]
    TextAfterQuote,
    #[error("{0}")]
    Identifier(#[from] IdentifierError),
}

impl From<RowProblem> for InvalidReason {
    fn from(p: RowProblem) -> Self {
        match p {
            RowProblem::Blank => InvalidReason::Blank,
            RowProblem::UnterminatedQuote => InvalidReason::UnterminatedQuote,
            RowProblem::TextAfterQuote => InvalidReason::TextAfterQuote,
        }
    }
}

/// Why the filter stopped. Nothing it wrote before stopping is a result.
#[derive(Debug, thiserror::Error)]
pub enum FilterError {
    #[error("could not read the input: {0}")]
    Read(#[source] io::Error),
    #[error("could not write the output: {0}")]
    Write(#[source] io::Error),
    #[error("the input is empty: its first row must name the columns")]
    EmptyInput,
    #[error("the first line of the input is blank: it must name the columns")]
    BlankHeader,
    #[error("the header row is not valid UTF-8 text")]
    HeaderNotUtf8,
    #[error("the header row is not valid CSV: {0}")]
    BadHeader(InvalidReason),
    #[error("there is no column named “{column}”; the columns are: {}", .found.join(", "))]
    ColumnNotFound { column: String, found: Vec<String> },
    #[error("more than one column is named “{column}”; the columns are: {}", .found.join(", "))]
    AmbiguousColumn { column: String, found: Vec<String> },
    #[error(
        "the row starting near byte {offset} is longer than {limit} bytes; this usually means a quote that is never closed"
    )]
    RowTooLong { offset: u64, limit: usize },
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
}

/// What a filter run did, to print and to record. Counts only: never which rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// BLAKE3 of the whole input, in hex.
    pub input_blake3: String,
    pub input_bytes: u64,
    /// Data rows read (the header is not counted). Always `kept + removed + invalid`.
    pub rows_in: u64,
    pub rows_kept: u64,
    pub rows_removed: u64,
    pub rows_invalid: u64,
    /// Invalid rows by reason.
    pub invalid_reasons: BTreeMap<String, u64>,
    pub column: String,
    pub identifier_kind: String,
    /// The scopes asked for.
    pub scopes: Vec<Scope>,
    /// The scopes applied: those asked for and the organisation's own.
    pub scopes_applied: Vec<Scope>,
    pub organisation: Slug,
    pub snapshot_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub snapshot_created: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub snapshot_expires: OffsetDateTime,
    pub key_version: u32,
}

/// How far the filter has got, reported after each block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Input bytes read so far (compare with the file's size for a progress bar).
    pub bytes_read: u64,
    /// Data rows written out (kept, removed or invalid) so far.
    pub rows: u64,
}

/// Settings for [`filter_with_options`].
#[derive(Clone)]
pub struct FilterOptions {
    /// Worker threads; 0 means one per core. With 1, everything runs on the calling thread.
    pub threads: usize,
    /// The kind of identifier in the column: [`Snapshot::kind`] gives any kind the snapshot
    /// knows. The NHS number by default.
    pub kind: Arc<dyn IdentifierKind>,
    /// The size of the blocks the input is cut into.
    pub chunk_bytes: usize,
    /// The longest row accepted.
    pub max_row_bytes: usize,
}

impl Default for FilterOptions {
    fn default() -> Self {
        FilterOptions {
            threads: 0,
            kind: Arc::new(NhsNumber),
            chunk_bytes: 256 * 1024,
            max_row_bytes: 16 * 1024 * 1024,
        }
    }
}

impl std::fmt::Debug for FilterOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FilterOptions")
            .field("threads", &self.threads)
            .field("kind", &self.kind.name())
            .field("chunk_bytes", &self.chunk_bytes)
            .field("max_row_bytes", &self.max_row_bytes)
            .finish()
    }
}

/// Filters `input` (CSV with a header row) against `snapshot` for `scopes`, matching NHS numbers
/// in the column named `column`. Kept rows go to `kept` (raw bytes, header first), rows that
/// cannot be checked to `invalid`; `progress` is called after each block. See the module docs.
#[allow(clippy::too_many_arguments)]
pub fn filter(
    snapshot: &Snapshot,
    scopes: &[Scope],
    column: &str,
    input: impl Read + Send,
    kept: impl Write,
    invalid: impl Write,
    threads: usize,
    progress: impl FnMut(&Progress),
) -> Result<Manifest, FilterError> {
    let options = FilterOptions {
        threads,
        ..FilterOptions::default()
    };
    filter_with_options(
        snapshot, scopes, column, input, kept, invalid, &options, progress,
    )
}

/// [`filter`] with every setting.
#[allow(clippy::too_many_arguments)]
pub fn filter_with_options(
    snapshot: &Snapshot,
    scopes: &[Scope],
    column: &str,
    input: impl Read + Send,
    kept: impl Write,
    invalid: impl Write,
    options: &FilterOptions,
    mut progress: impl FnMut(&Progress),
) -> Result<Manifest, FilterError> {
    let mut kept = io::BufWriter::with_capacity(64 * 1024, kept);
    let mut invalid = io::BufWriter::with_capacity(64 * 1024, invalid);
    let scopes_applied = snapshot.scopes_applied(scopes)?;
    let chunk_bytes = options.chunk_bytes.max(16);
    let max_row_bytes = options.max_row_bytes.max(chunk_bytes);
    let mut reader = ChunkReader {
        input,
        hasher: blake3::Hasher::new(),
        carry: Vec::new(),
        eof: false,
        bytes_read: 0,
        chunk_bytes,
        max_row_bytes,
    };
    let header = reader.read_header()?;
    let id_col = find_column(&header.names, column)?;
    let set = snapshot.tag_set(scopes)?;
    kept.write_all(&header.raw).map_err(FilterError::Write)?;
    invalid
        .write_all(b"line,reason,row\n")
        .map_err(FilterError::Write)?;

    let ctx = Ctx {
        set: &set,
        key: snapshot.tag_key(),
        kind: options.kind.as_ref(),
        fields: header.names.len(),
        id_col,
    };
    let mut sink = Sink {
        kept: &mut kept,
        invalid: &mut invalid,
        next_line: 1 + u64::from(header.newlines.max(1)),
        counts: Counts::default(),
        reasons: BTreeMap::new(),
    };
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    if threads == 1 {
        run_inline(&ctx, &mut reader, &mut sink, &mut progress)?;
    } else {
        run_parallel(&ctx, &mut reader, &mut sink, threads, &mut progress)?;
    }
    let Sink {
        counts, reasons, ..
    } = sink;
    kept.flush().map_err(FilterError::Write)?;
    invalid.flush().map_err(FilterError::Write)?;

    Ok(Manifest {
        input_blake3: reader.hasher.finalize().to_hex().to_string(),
        input_bytes: reader.bytes_read,
        rows_in: counts.rows,
        rows_kept: counts.kept,
        rows_removed: counts.removed,
        rows_invalid: counts.invalid,
        invalid_reasons: reasons,
        column: column.to_owned(),
        identifier_kind: options.kind.name().to_owned(),
        scopes: scopes.to_vec(),
        scopes_applied,
        organisation: snapshot.organisation().clone(),
        snapshot_id: snapshot.id_hex(),
        snapshot_created: snapshot.created(),
        snapshot_expires: snapshot.expires(),
        key_version: snapshot.key_version().get(),
    })
}

fn find_column(names: &[String], column: &str) -> Result<usize, FilterError> {
    let pick = |matches: Vec<usize>| -> Result<Option<usize>, FilterError> {
        match matches.len() {
            0 => Ok(None),
            1 => Ok(Some(matches[0])),
            _ => Err(FilterError::AmbiguousColumn {
                column: column.to_owned(),
                found: names.to_vec(),
            }),
        }
    };
    let exact = names
        .iter()
        .enumerate()
        .filter(|(_, n)| *n == column)
        .map(|(i, _)| i)
        .collect();
    if let Some(i) = pick(exact)? {
        return Ok(i);
    }
    let loose = names
        .iter()
        .enumerate()
        .filter(|(_, n)| n.trim().eq_ignore_ascii_case(column.trim()))
        .map(|(i, _)| i)
        .collect();
    pick(loose)?.ok_or_else(|| FilterError::ColumnNotFound {
        column: column.to_owned(),
        found: names.to_vec(),
    })
}

struct Header {
    /// The header's bytes as read: byte-order mark and line end included.
    raw: Vec<u8>,
    names: Vec<String>,
    newlines: u32,
}

struct ChunkReader<R> {
    input: R,
    hasher: blake3::Hasher,
    carry: Vec<u8>,
    eof: bool,
    bytes_read: u64,
    chunk_bytes: usize,
    max_row_bytes: usize,
}

impl<R: Read> ChunkReader<R> {
    /// Reads into `buf` until it holds `target` bytes or the input ends.
    fn fill(&mut self, buf: &mut Vec<u8>, target: usize) -> Result<(), FilterError> {
        while buf.len() < target && !self.eof {
            let old = buf.len();
            buf.resize(target, 0);
            match self.input.read(&mut buf[old..]) {
                Ok(0) => {
                    buf.truncate(old);
                    self.eof = true;
                }
                Ok(n) => {
                    buf.truncate(old + n);
                    self.hasher.update(&buf[old..]);
                    self.bytes_read += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => buf.truncate(old),
                Err(e) => return Err(FilterError::Read(e)),
            }
        }
        Ok(())
    }

    fn read_header(&mut self) -> Result<Header, FilterError> {
        let mut buf = Vec::new();
        let mut target = self.chunk_bytes;
        let (bom, end) = loop {
            self.fill(&mut buf, target)?;
            let bom = if buf.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                0
            };
            if let Some(end) = csvscan::first_row_end(&buf[bom..]) {
                break (bom, bom + end);
            }
            if self.eof {
                break (bom, buf.len());
            }
            if buf.len() >= self.max_row_bytes {
                return Err(FilterError::RowTooLong {
                    offset: 0,
                    limit: self.max_row_bytes,
                });
            }
            target = buf.len() + self.chunk_bytes;
        };
        let row = &buf[bom..end];
        if row.is_empty() {
            return Err(FilterError::EmptyInput);
        }
        let (fields, scanned) = csvscan::row_fields(row);
        if let Some(problem) = scanned.problem {
            return Err(match problem {
                RowProblem::Blank => FilterError::BlankHeader,
                p => FilterError::BadHeader(p.into()),
            });
        }
        let names = fields
            .into_iter()
            .map(String::from_utf8)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| FilterError::HeaderNotUtf8)?;
        let newlines = scanned.newlines;
        self.carry.extend_from_slice(&buf[end..]);
        buf.truncate(end);
        Ok(Header {
            raw: buf,
            names,
            newlines,
        })
    }

    /// The next block of whole rows, reusing `buf`; `None` at the end of the input.
    fn next_chunk(&mut self, mut buf: Vec<u8>) -> Result<Option<Vec<u8>>, FilterError> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut target = self.chunk_bytes;
        loop {
            self.fill(&mut buf, target)?;
            let boundary = csvscan::last_row_end(&buf);
            if buf.len() - boundary.unwrap_or(0) > self.max_row_bytes {
                return Err(FilterError::RowTooLong {
                    offset: self.bytes_read - (buf.len() - boundary.unwrap_or(0)) as u64,
                    limit: self.max_row_bytes,
                });
            }
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            if let Some(end) = boundary {
                self.carry.extend_from_slice(&buf[end..]);
                buf.truncate(end);
                return Ok(Some(buf));
            }
            target = buf.len() + self.chunk_bytes;
        }
    }
}

/// What every worker needs, shared read-only.
struct Ctx<'a> {
    set: &'a TagSet,
    key: &'a TagKey,
    kind: &'a dyn IdentifierKind,
    fields: usize,
    id_col: usize,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    rows: u64,
    kept: u64,
    removed: u64,
    invalid: u64,
}

struct InvalidRow {
    /// Lines from the block's first line to this row's first line.
    line_offset: u64,
    start: usize,
    content_end: usize,
    reason: InvalidReason,
}

/// One block's verdicts: byte ranges to keep and rows to report.
#[derive(Default)]
struct BlockResult {
    kept: Vec<(usize, usize)>,
    invalid: Vec<InvalidRow>,
    counts: Counts,
    lines: u64,
}

impl BlockResult {
    fn clear(&mut self) {
        self.kept.clear();
        self.invalid.clear();
        self.counts = Counts::default();
        self.lines = 0;
    }
}

/// Per-thread scratch space, so the hot loop never allocates.
struct Worker<'a> {
    ctx: &'a Ctx<'a>,
    tag_input: TagInput,
    id: CanonicalId,
    unescaped: Vec<u8>,
}

impl<'a> Worker<'a> {
    fn new(ctx: &'a Ctx<'a>) -> Self {
        Worker {
            ctx,
            tag_input: TagInput::new(ctx.kind.tag_prefix()),
            id: CanonicalId::new(),
            unescaped: Vec::new(),
        }
    }

    /// Scans one row and checks everything but the opt-out set: returns the row's extent and
    /// either why it is invalid or its tag.
    #[inline]
    fn scan(
        &mut self,
        buf: &[u8],
        start: usize,
        utf8: bool,
    ) -> (RowMeta, Result<u128, InvalidReason>) {
        let ctx = self.ctx;
        let mut id = (0usize, 0usize, false);
        let id_col = ctx.id_col;
        let row = csvscan::scan_row(buf, start, |i, a, b, escaped| {
            if i == id_col {
                id = (a, b, escaped);
            }
        });
        let meta = RowMeta {
            start,
            end: row.end,
            content_end: row.content_end,
            newlines: row.newlines,
        };
        let verdict = if !utf8 && std::str::from_utf8(&buf[start..row.end]).is_err() {
            Err(InvalidReason::NotUtf8)
        } else if let Some(problem) = row.problem {
            Err(problem.into())
        } else if row.fields != ctx.fields {
            Err(InvalidReason::FieldCount {
                found: row.fields,
                expected: ctx.fields,
            })
        } else {
            let raw = if id.2 {
                csvscan::unescape_into(&buf[id.0..id.1], &mut self.unescaped);
                &self.unescaped[..]
            } else {
                &buf[id.0..id.1]
            };
            match ctx.kind.normalise(raw, &mut self.id) {
                Ok(()) => Ok(self.tag_input.tag(ctx.key, &self.id).to_u128()),
                Err(e) => Err(InvalidReason::Identifier(e)),
            }
        };
        (meta, verdict)
    }

    /// Sorts every row of `buf` into kept, removed or invalid. Rows go in batches: scanned and
    /// tagged first, then looked up together so that the lookups' cache misses overlap.
    fn process(&mut self, buf: &[u8], out: &mut BlockResult) {
        const BATCH: usize = 32;
        out.clear();
        let utf8 = std::str::from_utf8(buf).is_ok();
        let mut p = 0usize;
        let mut line = 0u64;
        let mut metas = [RowMeta::default(); BATCH];
        let mut invalid: [Option<InvalidReason>; BATCH] = [None; BATCH];
        let mut tags = [0u128; BATCH];
        let mut found = [false; BATCH];
        while p < buf.len() {
            let (mut n, mut n_tags) = (0usize, 0usize);
            while n < BATCH && p < buf.len() {
                let (meta, verdict) = self.scan(buf, p, utf8);
                match verdict {
                    Ok(tag) => {
                        tags[n_tags] = tag;
                        n_tags += 1;
                        invalid[n] = None;
                    }
                    Err(reason) => invalid[n] = Some(reason),
                }
                p = meta.end;
                metas[n] = meta;
                n += 1;
            }
            self.ctx
                .set
                .contains_many(&tags[..n_tags], &mut found[..n_tags]);
            let mut next_tag = 0usize;
            for (meta, reason) in metas[..n].iter().zip(&invalid[..n]) {
                match reason {
                    None => {
                        let removed = found[next_tag];
                        next_tag += 1;
                        if removed {
                            out.counts.removed += 1;
                        } else {
                            out.counts.kept += 1;
                            match out.kept.last_mut() {
                                Some(last) if last.1 == meta.start => last.1 = meta.end,
                                _ => out.kept.push((meta.start, meta.end)),
                            }
                        }
                    }
                    Some(reason) => {
                        out.counts.invalid += 1;
                        out.invalid.push(InvalidRow {
                            line_offset: line,
                            start: meta.start,
                            content_end: meta.content_end,
                            reason: *reason,
                        });
                    }
                }
                line += u64::from(meta.newlines);
            }
            out.counts.rows += n as u64;
        }
        out.lines = line;
        self.unescaped.clear();
    }
}

#[derive(Default, Clone, Copy)]
struct RowMeta {
    start: usize,
    end: usize,
    content_end: usize,
    newlines: u32,
}

/// Writes blocks' results in order.
struct Sink<'w, K, I> {
    kept: &'w mut K,
    invalid: &'w mut I,
    /// The line the next block starts on.
    next_line: u64,
    counts: Counts,
    reasons: BTreeMap<String, u64>,
}

impl<K: Write, I: Write> Sink<'_, K, I> {
    fn write(&mut self, buf: &[u8], result: &BlockResult) -> Result<(), FilterError> {
        for &(a, b) in &result.kept {
            self.kept
                .write_all(&buf[a..b])
                .map_err(FilterError::Write)?;
        }
        for row in &result.invalid {
            write_invalid(
                &mut *self.invalid,
                self.next_line + row.line_offset,
                row.reason,
                &buf[row.start..row.content_end],
            )
            .map_err(FilterError::Write)?;
            *self.reasons.entry(row.reason.to_string()).or_default() += 1;
        }
        self.next_line += result.lines;
        self.counts.rows += result.counts.rows;
        self.counts.kept += result.counts.kept;
        self.counts.removed += result.counts.removed;
        self.counts.invalid += result.counts.invalid;
        Ok(())
    }
}

fn write_invalid(
    out: &mut impl Write,
    line: u64,
    reason: InvalidReason,
    row: &[u8],
) -> io::Result<()> {
    write!(out, "{line},\"{reason}\",\"")?;
    let mut rest = row;
    while let Some(i) = memchr::memchr(b'"', rest) {
        out.write_all(&rest[..=i])?;
        out.write_all(b"\"")?;
        rest = &rest[i + 1..];
    }
    out.write_all(rest)?;
    out.write_all(b"\"\n")
}

fn run_inline<R: Read, K: Write, I: Write>(
    ctx: &Ctx<'_>,
    reader: &mut ChunkReader<R>,
    sink: &mut Sink<'_, K, I>,
    progress: &mut impl FnMut(&Progress),
) -> Result<(), FilterError> {
    let mut worker = Worker::new(ctx);
    let mut result = BlockResult::default();
    let mut buf = Vec::with_capacity(reader.chunk_bytes * 2);
    while let Some(block) = reader.next_chunk(buf)? {
        worker.process(&block, &mut result);
        sink.write(&block, &result)?;
        progress(&Progress {
            bytes_read: reader.bytes_read,
            rows: sink.counts.rows,
        });
        buf = block;
    }
    Ok(())
}

struct Job {
    seq: u64,
    buf: Vec<u8>,
    result: BlockResult,
}

type Done = Result<Job, Box<dyn std::any::Any + Send>>;

/// Three kinds of thread: a reader (reads, checksums and cuts the input into blocks), workers
/// (sort rows), and the calling thread (puts results back in order and writes them). Reading,
/// sorting and writing overlap; at most `2 × threads + 1` blocks exist at once, as the writer
/// hands each written block back to the reader to refill.
fn run_parallel<R: Read + Send, K: Write, I: Write>(
    ctx: &Ctx<'_>,
    reader: &mut ChunkReader<R>,
    sink: &mut Sink<'_, K, I>,
    threads: usize,
    progress: &mut impl FnMut(&Progress),
) -> Result<(), FilterError> {
    let blocks = 2 * threads + 1;
    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let (spare_tx, spare_rx) = mpsc::channel::<(Vec<u8>, BlockResult)>();
    for _ in 0..blocks {
        spare_tx
            .send((
                Vec::with_capacity(reader.chunk_bytes * 2),
                BlockResult::default(),
            ))
            .expect("receiver alive");
    }
    let bytes_read = AtomicU64::new(0);
    std::thread::scope(|s| {
        // Owned by this closure, so that returning early (a write error) closes them: the reader
        // then stops waiting for blocks, and the workers for someone to take their results.
        let done_rx = done_rx;
        let spare_tx = spare_tx;
        let bytes_read = &bytes_read;
        let reading = s.spawn(move || -> Result<(), FilterError> {
            // Owned here: dropped when reading ends, which ends the workers' loops.
            let job_tx = job_tx;
            let mut seq = 0u64;
            while let Ok((buf, result)) = spare_rx.recv() {
                let Some(buf) = reader.next_chunk(buf)? else {
                    break;
                };
                bytes_read.store(reader.bytes_read, Ordering::Relaxed);
                if job_tx.send(Job { seq, buf, result }).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok(())
        });
        for _ in 0..threads {
            let job_rx = &job_rx;
            let done_tx = done_tx.clone();
            s.spawn(move || {
                let mut worker = Worker::new(ctx);
                loop {
                    let next = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(mut job)) = next else { break };
                    let done = catch_unwind(AssertUnwindSafe(|| {
                        worker.process(&job.buf, &mut job.result);
                    }))
                    .map(|()| job);
                    if done_tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);

        // Ends when every worker has stopped: after the reader stops and the queue is empty.
        let mut pending: BTreeMap<u64, Job> = BTreeMap::new();
        let mut next_write = 0u64;
        for done in &done_rx {
            let job = match done {
                Ok(job) => job,
                Err(panic) => resume_unwind(panic),
            };
            pending.insert(job.seq, job);
            while let Some(job) = pending.remove(&next_write) {
                sink.write(&job.buf, &job.result)?;
                progress(&Progress {
                    bytes_read: bytes_read.load(Ordering::Relaxed),
                    rows: sink.counts.rows,
                });
                // The reader may have stopped (end of input or an error): then nobody needs it.
                let _ = spare_tx.send((job.buf, job.result));
                next_write += 1;
            }
        }
        match reading.join() {
            Ok(result) => result,
            Err(panic) => resume_unwind(panic),
        }
    })
}
