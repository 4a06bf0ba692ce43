//! The command line on PostgreSQL: copying a register both ways, and two `charter serve`
//! processes sharing one database. Needs `CHARTER_TEST_POSTGRES_URL` (`.ci/run` starts a server);
//! without it each test notes that it was skipped, except in CI where that is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_charter");

/// A new, empty database on the test server; its URL.
fn fresh_database() -> Option<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let Ok(admin) = std::env::var("CHARTER_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set CHARTER_TEST_POSTGRES_URL"
        );
        eprintln!("skipped: CHARTER_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!(
        "cli_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .unwrap();
    });
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    Some(format!("{base}/{name}"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("charter-pg-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(args: &[&str]) -> Output {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "charter {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn export_csv(url: &str) -> Vec<u8> {
    run(&["--database-url", url, "export", "--format", "csv"]).stdout
}

#[test]
fn a_register_copies_to_postgres_and_back_unchanged() {
    let Some(pg) = fresh_database() else { return };
    let dir = temp_dir("copy");
    let a = format!("sqlite:{}", dir.join("a.sqlite").display());
    let b = format!("sqlite:{}", dir.join("b.sqlite").display());
    run(&["--database-url", &a, "generate", "--projects", "250"]);
    run(&["copy", "--from", &a, "--to", &pg]);
    run(&["copy", "--from", &pg, "--to", &b]);
    // The copies carry the same history: it verifies, with the same head.
    let heads: Vec<String> = [&a, &pg, &b]
        .iter()
        .map(|url| {
            let out = run(&["--database-url", url, "verify"]);
            let text = String::from_utf8(out.stdout).unwrap();
            text.rsplit("head ").next().unwrap().trim().to_owned()
        })
        .collect();
    assert_eq!(heads[0].len(), 65, "{heads:?}");
    assert!(heads.iter().all(|h| *h == heads[0]), "{heads:?}");
    let original = export_csv(&a);
    assert_eq!(original.iter().filter(|b| **b == b'\n').count(), 251);
    assert_eq!(
        export_csv(&pg),
        original,
        "PostgreSQL holds the same register"
    );
    assert_eq!(export_csv(&b), original, "and it comes back the same");
    // Copying into a register that is not empty is refused.
    let again = Command::new(BIN)
        .args(["copy", "--from", &a, "--to", &pg])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("copy into an empty database"));
    let _ = std::fs::remove_dir_all(dir);
}

struct Server {
    child: Child,
    addr: String,
}

impl Server {
    fn start(url: &str, demo: bool) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.args(["--database-url", url, "serve", "--addr", "127.0.0.1:0"]);
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .expect("address printed")
            .to_owned();
        Server { child, addr }
    }

    fn get(&self, path: &str) -> String {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn total(&self) -> u64 {
        let response = self.get("/api/v1/projects?per_page=1");
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
        let json: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"));
        json["total"].as_u64().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_instances_serve_one_register() {
    let Some(pg) = fresh_database() else { return };
    // Both start at once against an empty database: migrations take turns under a lock.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&pg, true));
        let b = s.spawn(|| Server::start(&pg, false));
        (a.join().unwrap(), b.join().unwrap())
    });
    // A loaded the demo register; B sees it.
    assert_eq!(a.total(), 50);
    assert_eq!(b.total(), 50);
    assert!(b.get("/projects/LCR-0001").starts_with("HTTP/1.1 200"));
    // A change made elsewhere is visible through both at once: nothing is cached.
    run(&["--database-url", &pg, "generate", "--projects", "7"]);
    assert_eq!(a.total(), 57);
    assert_eq!(b.total(), 57);
    assert!(
        a.get("/api/v1/projects/LCR-0057")
            .starts_with("HTTP/1.1 200")
    );
    assert!(b.get("/projects/LCR-0057").starts_with("HTTP/1.1 200"));
}

#[test]
fn pg_dump_and_pg_restore_round_trip_a_register() {
    let (Some(a), Some(b)) = (fresh_database(), fresh_database()) else {
        return;
    };
    run(&["--database-url", &a, "generate", "--projects", "40"]);
    let dir = temp_dir("dump");
    let dump = dir.join("charter.dump");
    let status = Command::new("pg_dump")
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(&a)
        .status();
    let Ok(status) = status else {
        assert!(std::env::var_os("CI").is_none(), "CI needs pg_dump");
        eprintln!("skipped: pg_dump is not installed");
        return;
    };
    assert!(status.success());
    let restored = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &b])
        .arg(&dump)
        .status()
        .unwrap();
    assert!(restored.success());
    assert_eq!(export_csv(&b), export_csv(&a));
    // The restored database is current: migrating it changes nothing and serving works.
    run(&["--database-url", &b, "migrate"]);
    let _ = std::fs::remove_dir_all(dir);
}
