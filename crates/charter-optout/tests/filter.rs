//! The streaming filter, end to end: edge-case CSV, raw-byte output, line numbers, threads.

use std::io::{self, Read, Write};
use std::sync::Arc;

use charter_optout::*;
use proptest::prelude::*;
use time::{Duration, OffsetDateTime};

fn org() -> charter_core::Slug {
    "leeds-council".parse().unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap()
}

/// A valid NHS number made from a seed.
fn nhs(seed: u64) -> String {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x1234_5678;
    loop {
        let mut d = [0u8; 9];
        for digit in &mut d {
            *digit = (x % 10) as u8;
            x /= 10;
            if x == 0 {
                x = seed.wrapping_add(0x5555_5555_5555).wrapping_mul(31) | 1;
            }
        }
        if let Some(c) = nhs_check_digit(&d) {
            let mut all = [0u8; 10];
            all[..9].copy_from_slice(&d);
            all[9] = c;
            if check_nhs_digits(&all).is_ok() {
                return all.iter().map(|d| char::from(b'0' + d)).collect();
            }
        }
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
    }
}

const OPTED_OUT: [&str; 3] = ["9434765919", "4010232137", "4857773457"];

fn snapshot_for(opted_out: &[String]) -> Snapshot {
    let keys = RegisterKeys::derive(&MasterSecret::from_bytes([9; 32]), KeyVersion::FIRST);
    let mut b = keys
        .snapshot_builder(org(), now(), now() + Duration::days(30))
        .unwrap();
    b.cover(Scope::AiDecisions).unwrap();
    b.cover(Scope::ResearchPlanning).unwrap();
    for n in opted_out {
        let id = NhsNumber.normalise_str(n).unwrap();
        b.add(&Scope::AiTraining, &NhsNumber, &id).unwrap();
    }
    let bytes = b.finish().unwrap();
    Snapshot::open(&bytes, &keys.public_key(), &org(), now()).unwrap()
}

/// One snapshot for the whole run (each build has a fresh random id and key).
fn snapshot() -> &'static Snapshot {
    static SNAPSHOT: std::sync::OnceLock<Snapshot> = std::sync::OnceLock::new();
    SNAPSHOT.get_or_init(|| snapshot_for(&OPTED_OUT.map(String::from)))
}

struct Out {
    kept: String,
    invalid: String,
    manifest: Manifest,
}

fn run_opts(input: &[u8], column: &str, threads: usize, chunk: usize) -> Result<Out, FilterError> {
    let snap = snapshot();
    let (mut kept, mut invalid) = (Vec::new(), Vec::new());
    let options = FilterOptions {
        threads,
        chunk_bytes: chunk,
        ..FilterOptions::default()
    };
    let manifest = filter_with_options(
        snap,
        &[Scope::AiTraining],
        column,
        input,
        &mut kept,
        &mut invalid,
        &options,
        |_| {},
    )?;
    Ok(Out {
        kept: String::from_utf8_lossy(&kept).into_owned(),
        invalid: String::from_utf8_lossy(&invalid).into_owned(),
        manifest,
    })
}

fn run(input: &[u8]) -> Out {
    run_opts(input, "nhs_number", 1, 1 << 16).unwrap()
}

#[test]
fn keeps_raw_rows_and_counts() {
    let input = "id,nhs_number,note\n\
                 1,943 476 5919,opted out (spaces)\n\
                 2,\"401-023-2137\",opted out (quoted and hyphens)\n\
                 3,  987 654 4322 ,\"kept, \"\"exactly\"\" as written\"\n\
                 4,9434765918,bad check digit\n\
                 5,485 777 3457,opted out\n";
    let out = run(input.as_bytes());
    assert_eq!(
        out.kept,
        "id,nhs_number,note\n3,  987 654 4322 ,\"kept, \"\"exactly\"\" as written\"\n"
    );
    assert_eq!(
        out.invalid,
        "line,reason,row\n5,\"the identifier fails the NHS number Modulus 11 check (the last digit does not match)\",\"4,9434765918,bad check digit\"\n"
    );
    let m = &out.manifest;
    assert_eq!(
        (m.rows_in, m.rows_kept, m.rows_removed, m.rows_invalid),
        (5, 1, 3, 1)
    );
    assert_eq!(
        m.input_blake3,
        blake3::hash(input.as_bytes()).to_hex().to_string()
    );
    assert_eq!(m.input_bytes, input.len() as u64);
    assert_eq!(m.scopes, vec![Scope::AiTraining]);
    assert_eq!(
        m.scopes_applied,
        vec![Scope::AiTraining, Scope::Organisation(org())]
    );
    assert_eq!(m.key_version, 1);
    assert_eq!(m.snapshot_created, now());
    let json = serde_json::to_string(m).unwrap();
    assert!(
        json.contains("\"snapshot_created\":\"2025-06-15T15:06:40Z\""),
        "{json}"
    );
    assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), *m);
}

#[test]
fn bom_crlf_and_quoted_newlines() {
    let input = "\u{FEFF}\"nhs_number\",\"address\"\r\n\
                 9434765919,\"1 High St\r\nLeeds\"\r\n\
                 9876544322,\"2 Low St\r\nLeeds\r\nLS1\"\r\n\
                 98765443,\"3 Mid St\"\r\n\
                 4010232137,x\r\n\
                 6101035158,\"last\"";
    let out = run(input.as_bytes());
    assert_eq!(
        out.kept,
        "\u{FEFF}\"nhs_number\",\"address\"\r\n9876544322,\"2 Low St\r\nLeeds\r\nLS1\"\r\n6101035158,\"last\""
    );
    // Line numbers count the line breaks inside quoted fields: the short number starts on line 7.
    assert!(out.invalid.starts_with("line,reason,row\n7,\"the identifier has 8 characters that count; an NHS number has 10 digits\",\"98765443,\"\"3 Mid St\"\"\"\n"), "{}", out.invalid);
    let m = &out.manifest;
    assert_eq!(
        (m.rows_in, m.rows_kept, m.rows_removed, m.rows_invalid),
        (5, 2, 2, 1)
    );
}

#[test]
fn malformed_rows_are_invalid_with_their_line() {
    let input = b"a,nhs_number,c\n\
                  1,9876544322\n\
                  2,9876544322,x,y\n\
                  \n\
                  3,9876544322,caf\xE9\n\
                  4,\"9876544322\"x,z\n\
                  5,9876544322,ok\n\
                  6,\"9876544322,never closed\n";
    let out = run(input);
    assert_eq!(out.kept, "a,nhs_number,c\n5,9876544322,ok\n");
    let lines: Vec<&str> = out.invalid.lines().collect();
    assert_eq!(lines[0], "line,reason,row");
    assert_eq!(
        lines[1],
        "2,\"the row has 2 fields but the header has 3\",\"1,9876544322\""
    );
    assert_eq!(
        lines[2],
        "3,\"the row has 4 fields but the header has 3\",\"2,9876544322,x,y\""
    );
    assert_eq!(lines[3], "4,\"the line is blank\",\"\"");
    assert!(lines[4].starts_with("5,\"the row is not valid UTF-8 text\","));
    assert_eq!(
        lines[5],
        "6,\"a quoted field has text after its closing quote\",\"4,\"\"9876544322\"\"x,z\""
    );
    assert!(lines[6].starts_with("8,\"a quoted field is never closed\""));
    let m = &out.manifest;
    assert_eq!(
        (m.rows_in, m.rows_kept, m.rows_removed, m.rows_invalid),
        (7, 1, 0, 6)
    );
    assert_eq!(m.invalid_reasons.values().sum::<u64>(), 6);
}

#[test]
fn reasons_never_contain_identifiers() {
    let bad = [
        "9434765918",
        "943476591",
        "94347659199",
        "943476591X",
        "1111111111",
        "",
    ];
    let mut input = String::from("nhs_number\n");
    for b in bad {
        input.push_str(b);
        input.push('\n');
    }
    let out = run(input.as_bytes());
    assert_eq!(out.manifest.rows_invalid, bad.len() as u64 - 1 + 1);
    let mut reader = csv::Reader::from_reader(out.invalid.as_bytes());
    for record in reader.records() {
        let reason = record.unwrap()[1].to_owned();
        assert!(!reason.contains("943"), "{reason}");
        assert!(!reason.contains("111"), "{reason}");
    }
}

#[test]
fn header_only_and_empty_inputs() {
    for header in ["nhs_number\n", "nhs_number", "\u{FEFF}nhs_number\r\n"] {
        let out = run(header.as_bytes());
        assert_eq!(out.kept, header);
        assert_eq!(out.manifest.rows_in, 0);
    }
    for empty in [&b""[..], b"\xEF\xBB\xBF"] {
        let err = run_opts(empty, "nhs_number", 1, 1024).err().unwrap();
        assert!(matches!(err, FilterError::EmptyInput), "{err}");
        assert_eq!(
            err.to_string(),
            "the input is empty: its first row must name the columns"
        );
    }
    let err = run_opts(b"\nnhs_number\n", "nhs_number", 1, 1024)
        .err()
        .unwrap();
    assert!(matches!(err, FilterError::BlankHeader), "{err}");
    let err = run_opts(b"nhs\xFF,x\n1,2\n", "nhs_number", 1, 1024)
        .err()
        .unwrap();
    assert!(matches!(err, FilterError::HeaderNotUtf8), "{err}");
}

#[test]
fn column_errors_list_the_columns() {
    let err = run_opts(b"id,\"NHS no\",dob\n", "nhs_number", 1, 1024)
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "there is no column named “nhs_number”; the columns are: id, NHS no, dob"
    );
    // Case and surrounding spaces are forgiven when unambiguous.
    let out = run_opts(b"id, NHS_Number \n1,9876544322\n", "nhs_number", 1, 1024).unwrap();
    assert_eq!(out.manifest.rows_kept, 1);
    let err = run_opts(b"NHS_NUMBER,nhs_Number\n", "nhs_number", 1, 1024)
        .err()
        .unwrap();
    assert!(matches!(err, FilterError::AmbiguousColumn { .. }), "{err}");
}

#[test]
fn snapshot_scope_must_be_covered() {
    let snap = snapshot();
    let err = filter(
        snap,
        &["project:LCR-0042".parse().unwrap()],
        "nhs_number",
        &b"nhs_number\n"[..],
        io::sink(),
        io::sink(),
        1,
        |_| {},
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("does not cover the scope project:LCR-0042"),
        "{err}"
    );
}

#[test]
fn organisation_scope_always_applies() {
    let keys = RegisterKeys::derive(&MasterSecret::from_bytes([9; 32]), KeyVersion::FIRST);
    let mut b = keys
        .snapshot_builder(org(), now(), now() + Duration::days(1))
        .unwrap();
    b.cover(Scope::AiDecisions).unwrap();
    let id = NhsNumber.normalise_str("9434765919").unwrap();
    b.add(&Scope::Organisation(org()), &NhsNumber, &id).unwrap();
    let snap = Snapshot::open(&b.finish().unwrap(), &keys.public_key(), &org(), now()).unwrap();
    let mut kept = Vec::new();
    let m = filter(
        &snap,
        &[Scope::AiDecisions],
        "n",
        &b"n\n9434765919\n9876544322\n"[..],
        &mut kept,
        io::sink(),
        1,
        |_| {},
    )
    .unwrap();
    assert_eq!(kept, b"n\n9876544322\n");
    assert_eq!(m.rows_removed, 1);
}

#[test]
fn overlong_row_stops_with_a_clear_error() {
    let mut input = b"nhs_number,x\n9876544322,\"never closed".to_vec();
    input.extend(std::iter::repeat_n(b'a', 10_000));
    input.extend_from_slice(b"\n9876544322,y\n");
    let snap = snapshot();
    for threads in [1, 2] {
        let options = FilterOptions {
            threads,
            chunk_bytes: 256,
            max_row_bytes: 4096,
            ..FilterOptions::default()
        };
        let err = filter_with_options(
            snap,
            &[Scope::AiTraining],
            "nhs_number",
            &input[..],
            io::sink(),
            io::sink(),
            &options,
            |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, FilterError::RowTooLong { .. }), "{err}");
        assert!(err.to_string().contains("quote that is never closed"));
    }
}

/// Reads a few bytes at a time, then fails if asked to.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
    fail_at: Option<usize>,
    pos: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(f) = self.fail_at
            && self.pos >= f
        {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.step.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

struct Broken;
impl Write for Broken {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::other("disk full"))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn big_input(rows: u64) -> Vec<u8> {
    let mut s = String::from("id,nhs_number,address\n");
    for i in 0..rows {
        let n = if i % 7 == 0 {
            OPTED_OUT[(i % 3) as usize].to_owned()
        } else {
            nhs(i)
        };
        match i % 5 {
            0 => s.push_str(&format!("{i},{n},\"{i} Road\nTown\"\n")),
            1 => s.push_str(&format!(
                "{i},\"{} {} {}\",plain\r\n",
                &n[..3],
                &n[3..6],
                &n[6..]
            )),
            2 if i % 11 == 0 => s.push_str(&format!("{i},{}x,bad\n", &n[..9])),
            _ => s.push_str(&format!("{i},{n},\"a \"\"quoted\"\" word\"\n")),
        }
    }
    s.into_bytes()
}

#[test]
fn threads_and_block_sizes_agree() {
    let input = big_input(5000);
    let reference = run_opts(&input, "nhs_number", 1, 1 << 20).unwrap();
    assert!(reference.manifest.rows_removed > 500);
    assert!(reference.manifest.rows_invalid > 50);
    for threads in [1, 2, 3, 8] {
        for chunk in [16, 100, 4096, 65536] {
            let out = run_opts(&input, "nhs_number", threads, chunk).unwrap();
            assert_eq!(out.kept, reference.kept, "threads {threads} chunk {chunk}");
            assert_eq!(
                out.invalid, reference.invalid,
                "threads {threads} chunk {chunk}"
            );
            assert_eq!(out.manifest, reference.manifest);
        }
    }
}

#[test]
fn short_reads_and_failing_io() {
    let input = big_input(800);
    let reference = run_opts(&input, "nhs_number", 1, 1 << 20).unwrap();
    let snap = snapshot();
    for threads in [1, 2] {
        let options = FilterOptions {
            threads,
            chunk_bytes: 512,
            ..FilterOptions::default()
        };
        let mut kept = Vec::new();
        let reader = Trickle {
            data: &input,
            step: 7,
            fail_at: None,
            pos: 0,
        };
        let m = filter_with_options(
            snap,
            &[Scope::AiTraining],
            "nhs_number",
            reader,
            &mut kept,
            io::sink(),
            &options,
            |_| {},
        )
        .unwrap();
        assert_eq!(m, reference.manifest);
        assert_eq!(String::from_utf8(kept).unwrap(), reference.kept);

        let reader = Trickle {
            data: &input,
            step: 64,
            fail_at: Some(input.len() / 2),
            pos: 0,
        };
        let err = filter_with_options(
            snap,
            &[Scope::AiTraining],
            "nhs_number",
            reader,
            io::sink(),
            io::sink(),
            &options,
            |_| {},
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("could not read the input: disk on fire"),
            "{err}"
        );

        let err = filter_with_options(
            snap,
            &[Scope::AiTraining],
            "nhs_number",
            &input[..],
            Broken,
            io::sink(),
            &options,
            |_| {},
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("could not write the output: disk full"),
            "{err}"
        );
    }
}

/// Accepts `limit` bytes, then fails.
struct FailAfter {
    limit: usize,
}
impl Write for FailAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.limit {
            return Err(io::Error::other("disk full"));
        }
        self.limit -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_error_mid_stream_stops_every_thread() {
    let input = big_input(20_000);
    let snap = snapshot();
    for threads in [1, 2, 4] {
        let options = FilterOptions {
            threads,
            chunk_bytes: 1024,
            ..FilterOptions::default()
        };
        let err = filter_with_options(
            snap,
            &[Scope::AiTraining],
            "nhs_number",
            &input[..],
            FailAfter { limit: 200_000 },
            io::sink(),
            &options,
            |_| {},
        )
        .unwrap_err();
        assert!(matches!(err, FilterError::Write(_)), "{err}");
    }
}

#[test]
fn progress_is_reported() {
    let input = big_input(2000);
    let snap = snapshot();
    let mut seen = Vec::new();
    let options = FilterOptions {
        threads: 2,
        chunk_bytes: 4096,
        ..FilterOptions::default()
    };
    let m = filter_with_options(
        snap,
        &[Scope::AiTraining],
        "nhs_number",
        &input[..],
        io::sink(),
        io::sink(),
        &options,
        |p| seen.push(*p),
    )
    .unwrap();
    assert!(seen.len() > 5);
    assert!(
        seen.windows(2)
            .all(|w| w[0].rows <= w[1].rows && w[0].bytes_read <= w[1].bytes_read)
    );
    assert_eq!(seen.last().unwrap().rows, m.rows_in);
    assert_eq!(seen.last().unwrap().bytes_read, input.len() as u64);
}

#[test]
fn other_identifier_kinds() {
    let kind = Arc::new(
        LocalReference::new(
            "council-ref",
            "Council reference",
            "lcc",
            Charset::Alphanumeric,
            4,
            8,
        )
        .unwrap(),
    );
    let keys = RegisterKeys::derive(&MasterSecret::from_bytes([9; 32]), KeyVersion::FIRST);
    let mut b = keys
        .snapshot_builder(org(), now(), now() + Duration::days(1))
        .unwrap();
    let id = kind.normalise_str("ab-1234").unwrap();
    // A kind's rules travel in the snapshot: it must be defined before its opt-outs are added.
    b.define((*kind).clone()).unwrap();
    b.add(&Scope::AiTraining, kind.as_ref(), &id).unwrap();
    // The same characters as an NHS-number-kind value never collide with it.
    let snap = Snapshot::open(&b.finish().unwrap(), &keys.public_key(), &org(), now()).unwrap();
    let options = FilterOptions {
        threads: 1,
        kind: snap.kind("council-ref").unwrap(),
        ..FilterOptions::default()
    };
    let mut kept = Vec::new();
    let m = filter_with_options(
        &snap,
        &[Scope::AiTraining],
        "ref",
        &b"ref\nAB 1234\nzz99\n!\n"[..],
        &mut kept,
        io::sink(),
        &options,
        |_| {},
    )
    .unwrap();
    assert_eq!(kept, b"ref\nzz99\n");
    assert_eq!((m.rows_removed, m.rows_invalid), (1, 1));
    assert_eq!(m.identifier_kind, "council-ref");
}

#[test]
fn atomic_output_with_the_filter() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.csv");
    let snap = snapshot();
    let mut out = AtomicFile::create(&path).unwrap();
    let err = filter(
        snap,
        &[Scope::AiTraining],
        "missing",
        &b"nhs_number\n"[..],
        &mut out,
        io::sink(),
        1,
        |_| {},
    );
    assert!(err.is_err());
    drop(out);
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Kept output is the input with some rows left out, every row is accounted for, and the
    /// result does not depend on threads or block size.
    #[test]
    fn partition_and_determinism(seed in any::<u64>(), rows in 0u64..300, threads in 1usize..4,
                                 chunk in 16usize..2000) {
        let mut input = big_input(rows);
        // Sprinkle in damage: a stray byte that is not UTF-8 and a short row.
        if rows > 10 {
            let at = (seed as usize) % input.len();
            if at > 30 { input.insert(at, 0xFF); }
        }
        let reference = run_opts(&input, "nhs_number", 1, 1 << 20).unwrap();
        let out = run_opts(&input, "nhs_number", threads, chunk).unwrap();
        prop_assert_eq!(&out.kept, &reference.kept);
        prop_assert_eq!(&out.invalid, &reference.invalid);
        let m = &out.manifest;
        prop_assert_eq!(m.rows_in, m.rows_kept + m.rows_removed + m.rows_invalid);
        // No opted-out number survives in the kept output.
        for n in OPTED_OUT {
            prop_assert!(!out.kept.contains(n));
        }
    }
}
