//! Runs the opt-out filter on a file, as `charter optout filter` will: checks the snapshot, streams
//! the input, writes kept and invalid rows to temporary files renamed into place on success, and
//! prints the manifest as JSON. Used by bench/optout/run.sh.
//!
//! ```text
//! cargo run --release -p charter-optout --example optout_filter -- \
//!     SNAPSHOT PUBLIC_KEY_FILE ORGANISATION INPUT COLUMN SCOPE THREADS KEPT_OUT INVALID_OUT
//! ```

use std::fs::{self, File};
use std::path::Path;
use std::time::Instant;

use charter_optout::{AtomicFile, RegisterPublicKey, Scope, Snapshot, filter};
use time::OffsetDateTime;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [
        snapshot,
        public_key,
        organisation,
        input,
        column,
        scope,
        threads,
        kept,
        invalid,
    ] = args.as_slice()
    else {
        return Err("usage: optout_filter SNAPSHOT PUBLIC_KEY_FILE ORGANISATION INPUT COLUMN SCOPE THREADS KEPT_OUT INVALID_OUT".into());
    };
    let started = Instant::now();
    let public_key: RegisterPublicKey = fs::read_to_string(public_key)?.parse()?;
    let snapshot = Snapshot::open(
        &fs::read(snapshot)?,
        &public_key,
        &organisation.parse()?,
        OffsetDateTime::now_utc(),
    )?;
    let scope: Scope = scope.parse()?;
    let loaded = started.elapsed();

    let mut kept_file = AtomicFile::create(Path::new(kept))?;
    let mut invalid_file = AtomicFile::create(Path::new(invalid))?;
    let manifest = filter(
        &snapshot,
        &[scope],
        column,
        File::open(input)?,
        &mut kept_file,
        &mut invalid_file,
        threads.parse()?,
        |_| {},
    )?;
    kept_file.commit()?;
    invalid_file.commit()?;
    let total = started.elapsed();
    println!("{}", serde_json::to_string_pretty(&manifest)?);
    eprintln!(
        "snapshot checked in {:.3} s; {} rows in {:.3} s: {:.2} million rows/s",
        loaded.as_secs_f64(),
        manifest.rows_in,
        total.as_secs_f64(),
        manifest.rows_in as f64 / total.as_secs_f64() / 1e6
    );
    Ok(())
}
