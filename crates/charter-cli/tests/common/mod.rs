//! What the command line's tests share: a temporary folder per test, and a `charter serve`
//! process started on a free port, spoken to over plain HTTP/1.1, stopped when dropped.

#![allow(dead_code)] // Each test file uses a different part.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};

/// The `charter` program the tests run.
pub const BIN: &str = env!("CARGO_BIN_EXE_charter");

/// Runs `charter` on `dir`'s data folder, with no database, address or charter file from the
/// environment the tests run in.
pub fn charter(dir: &tempfile::TempDir, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env_remove("CHARTER_ADDR")
        .env_remove("CHARTER_CHARTER_FILE")
        .output()
        .unwrap()
}

/// What a run printed.
pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What a run said was wrong.
pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A new, empty folder of the test's own, removed when dropped (even when the test fails).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("charter-cli-test-")
        .tempdir()
        .unwrap()
}

pub struct Served {
    pub child: Child,
    /// host:port, as printed by `charter serve`.
    pub addr: String,
}

impl Served {
    /// Starts `cmd` (a `charter … serve --addr 127.0.0.1:0` command; stderr as the caller set
    /// it) and waits for the line that gives its address.
    pub fn start(cmd: &mut Command) -> Served {
        let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("charter serve printed no address: {line:?}"))
            .to_owned();
        Served { child, addr }
    }

    /// One request; the whole raw response.
    pub fn request(&self, method: &str, path: &str, headers: &str, body: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    pub fn get(&self, path: &str) -> String {
        self.request("GET", path, "", "")
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The store at a database URL (SQLite or PostgreSQL), on a runtime of its own.
fn with_store<T>(url: &str, work: impl AsyncFnOnce(&dyn charter_store::Store) -> T) -> T {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store: Box<dyn charter_store::Store> = if url.starts_with("sqlite:") {
            Box::new(charter_store_sqlite::SqliteStore::open(url).await.unwrap())
        } else {
            Box::new(
                charter_store_postgres::PostgresStore::open(url)
                    .await
                    .unwrap(),
            )
        };
        work(store.as_ref()).await
    })
}

/// Saves search words (synonyms, one group a line) into the register at `url`, as the site
/// administrator's page does.
pub fn save_synonyms(url: &str, lines: &str) {
    with_store(url, async |store| {
        store
            .search_synonyms_put(
                lines,
                &"2026-12-01T00:00:00Z"
                    .parse::<charter_core::Timestamp>()
                    .unwrap(),
            )
            .await
            .unwrap()
    })
}

/// The search words saved in the register at `url`, if any.
pub fn saved_synonyms(url: &str) -> Option<String> {
    with_store(url, async |store| store.search_synonyms().await.unwrap())
}
