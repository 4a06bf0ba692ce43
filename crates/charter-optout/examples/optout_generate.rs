//! Makes a synthetic benchmark set for the opt-out filter (bench/optout/run.sh uses it):
//!
//! - `data.csv`: ROWS rows of `person_id,nhs_number,date_of_birth,postcode,score` (about 50
//!   bytes a row), every NHS number valid, one in ten written with spaces (`943 476 5919`);
//! - `snapshot.bin`: a signed snapshot for the organisation `bench-org` whose `ai-training`
//!   scope holds OPTOUTS opt-outs: half are numbers that appear in the data (one row in
//!   2×ROWS/OPTOUTS), half are numbers that do not;
//! - `public-key.txt`: the register's public key, to check the snapshot with;
//! - `optouts.csv`: the opted-out numbers in clear, so that the DuckDB comparison can build its
//!   own keyed tags (synthetic numbers: never do this with real ones).
//!
//! ```text
//! cargo run --release -p charter-optout --example optout_generate -- OUT_DIR [ROWS] [OPTOUTS]
//! ```

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use charter_optout::{KeyVersion, MasterSecret, NhsNumber, RegisterKeys, Scope, nhs_check_digit};
use time::{Duration, OffsetDateTime};

/// A random valid NHS number, as ten ASCII digits.
fn nhs(rng: &mut fastrand::Rng) -> [u8; 10] {
    loop {
        let mut d = [0u8; 9];
        for x in &mut d {
            *x = rng.u8(0..10);
        }
        if d.iter().all(|x| *x == d[0]) {
            continue;
        }
        if let Some(c) = nhs_check_digit(&d) {
            let mut out = [0u8; 10];
            for (o, x) in out.iter_mut().zip(d.iter().chain([c].iter())) {
                *o = b'0' + x;
            }
            if out.iter().any(|x| *x != out[0]) {
                return out;
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out: PathBuf = args
        .next()
        .ok_or("usage: optout_generate OUT_DIR [ROWS] [OPTOUTS]")?
        .into();
    let rows: u64 = args.next().map_or(Ok(10_000_000), |s| s.parse())?;
    let optouts: u64 = args.next().map_or(Ok(1_000_000), |s| s.parse())?;
    fs::create_dir_all(&out)?;
    let started = Instant::now();

    let mut rng = fastrand::Rng::with_seed(20_250_615);
    let in_data = optouts / 2;
    let every = (rows / in_data.max(1)).max(1);
    let mut opted: Vec<[u8; 10]> = Vec::with_capacity(optouts as usize);

    let mut data = BufWriter::with_capacity(1 << 20, File::create(out.join("data.csv"))?);
    data.write_all(b"person_id,nhs_number,date_of_birth,postcode,score\n")?;
    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
    for i in 0..rows {
        let n = nhs(&mut rng);
        if i % every == 0 && (opted.len() as u64) < in_data {
            opted.push(n);
        }
        let n = std::str::from_utf8(&n)?;
        write!(data, "P{i:010},")?;
        if rng.u8(0..10) == 0 {
            write!(data, "{} {} {}", &n[..3], &n[3..6], &n[6..])?;
        } else {
            data.write_all(n.as_bytes())?;
        }
        writeln!(
            data,
            ",{}-{:02}-{:02},LS{} {}{}{},{}.{:02}",
            rng.u16(1930..2020),
            rng.u8(1..13),
            rng.u8(1..29),
            rng.u8(1..30),
            rng.u8(1..10),
            char::from(letters[rng.usize(..letters.len())]),
            char::from(letters[rng.usize(..letters.len())]),
            rng.u16(0..1000),
            rng.u8(0..100),
        )?;
    }
    data.flush()?;
    while (opted.len() as u64) < optouts {
        opted.push(nhs(&mut rng));
    }

    let keys = RegisterKeys::derive(&MasterSecret::from_bytes([42; 32]), KeyVersion::FIRST);
    let org = "bench-org".parse()?;
    let now = OffsetDateTime::now_utc();
    let mut builder = keys.snapshot_builder(org, now, now + Duration::days(30))?;
    builder.cover(Scope::ResearchPlanning)?;
    builder.cover(Scope::AiDecisions)?;
    let mut clear = BufWriter::new(File::create(out.join("optouts.csv"))?);
    clear.write_all(b"nhs_number\n")?;
    for n in &opted {
        let id = charter_optout::CanonicalId::from_canonical_bytes(n)?;
        builder.add(&Scope::AiTraining, &NhsNumber, &id)?;
        clear.write_all(n)?;
        clear.write_all(b"\n")?;
    }
    clear.flush()?;
    fs::write(out.join("snapshot.bin"), builder.finish()?)?;
    fs::write(
        out.join("public-key.txt"),
        format!("{}\n", keys.public_key()),
    )?;
    eprintln!(
        "wrote {rows} rows and {optouts} opt-outs to {} in {:.1} s",
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
