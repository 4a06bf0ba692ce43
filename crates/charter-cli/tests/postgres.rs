//! The command line on PostgreSQL: copying a register both ways, and two `charter serve`
//! processes sharing one database. Needs `CHARTER_TEST_POSTGRES_URL` (`.ci/run` starts a server);
//! without it the tests are skipped and the output says so, unless `CHARTER_REQUIRE_POSTGRES=1`
//! (as `.ci/run` sets) or `CI` is set, where that is a failure.

mod common;

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::{Served, temp_dir};
use sqlx::Connection;

const BIN: &str = env!("CARGO_BIN_EXE_charter");

/// A new, empty database on the test server; its URL.
fn fresh_database() -> Option<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let admin = charter_store::test_database::postgres_url("charter-cli")?;
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
    let tmp = temp_dir();
    let dir = tmp.path();
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
}

/// A `charter serve` on the test database, with its own data folder (removed after the process
/// stops); `total()` counts its projects through the API.
struct Server {
    served: Served,
    /// Removed once the process has stopped (fields drop in order).
    _data: tempfile::TempDir,
}

impl std::ops::Deref for Server {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

impl Server {
    fn start(url: &str, demo: bool) -> Server {
        let data = temp_dir();
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(data.path()).args([
            "--database-url",
            url,
            "serve",
            "--addr",
            "127.0.0.1:0",
        ]);
        // Housekeeping every 2 seconds, so the test can see it run once per period, not per instance.
        cmd.env("CHARTER_HOUSEKEEPING_SECONDS", "2")
            .env("CHARTER_REMINDER_SECONDS", "1")
            .env("CHARTER_OPTOUT_SECRET", "11".repeat(32));
        if demo {
            cmd.arg("--demo");
        }
        Server {
            served: Served::start(cmd.stderr(Stdio::null())),
            _data: data,
        }
    }

    /// The subject lines of the emails this instance has sent to its outbox.
    fn sent_subjects(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self._data.path().join("outbox")) else {
            return Vec::new();
        };
        dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
            .filter_map(|m| {
                let unfolded = m.replace("\r\n ", " ");
                unfolded
                    .lines()
                    .find(|l| l.starts_with("Subject: "))
                    .map(str::to_owned)
            })
            .collect()
    }

    fn total(&self) -> u64 {
        let response = self.get("/api/v1/projects?per_page=1");
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("");
        let json: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"));
        json["total"].as_u64().unwrap()
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

    // A session made through one instance works through the other.
    let link = run(&[
        "--database-url",
        &pg,
        "user",
        "add",
        "--email",
        "mo@charter.example",
        "--role",
        "moderator",
    ])
    .stdout;
    let path = String::from_utf8(link)
        .unwrap()
        .trim()
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let set = a.request(
        "POST",
        &path,
        form,
        "password=mersey+tunnel+at+night&confirm=mersey+tunnel+at+night",
    );
    assert!(set.starts_with("HTTP/1.1 303"), "{set}");
    let signed_in = a.request(
        "POST",
        "/sign-in",
        form,
        "email=mo%40charter.example&password=mersey+tunnel+at+night",
    );
    assert!(signed_in.starts_with("HTTP/1.1 303"), "{signed_in}");
    let cookie = signed_in
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().split(';').next().unwrap().to_owned())
        .expect("a session cookie");
    let through_b = b.request("GET", "/manage", &format!("Cookie: {cookie}\r\n"), "");
    assert!(
        through_b.starts_with("HTTP/1.1 200") && through_b.contains("mo@charter.example"),
        "{through_b}"
    );

    // Housekeeping runs once per period however many instances there are.
    let runs = || -> i64 {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let mut c = sqlx::PgConnection::connect(&pg).await.unwrap();
            sqlx::query_scalar("SELECT runs FROM jobs WHERE name = 'housekeeping'")
                .fetch_one(&mut c)
                .await
                .unwrap()
        })
    };
    let before = runs();
    std::thread::sleep(std::time::Duration::from_secs(6));
    let during = runs() - before;
    // Six seconds at one run per two seconds: three, give or take one at the edges; two instances
    // each running it would make about six.
    assert!(
        (2..=4).contains(&during),
        "housekeeping ran {during} times in 6 seconds"
    );
}

/// One number from the test database.
fn scalar(url: &str, sql: &str) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut c = sqlx::PgConnection::connect(url).await.unwrap();
        sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
    })
}

#[test]
fn two_instances_send_each_reminder_once() {
    let Some(pg) = fresh_database() else { return };
    let a = Server::start(&pg, true);
    let b = Server::start(&pg, false);
    // The demo's first entry's organisation gets an administrator, who is owed reminders (the
    // demo has late reports and reviews). Both instances look every second.
    let record = a.get("/api/v1/projects/LCR-0001");
    let body = record.split("\r\n\r\n").nth(1).unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    let org = json["organisation"]["slug"]
        .as_str()
        .or(json["organisation"].as_str())
        .unwrap_or_else(|| panic!("an organisation in {json}"))
        .to_owned();
    let link = run(&[
        "--database-url",
        &pg,
        "user",
        "add",
        "--email",
        "admin@org.example",
        "--role",
        "organisation-admin",
        "--organisation",
        &org,
    ])
    .stdout;
    let path = String::from_utf8(link)
        .unwrap()
        .trim()
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();
    let form = "Content-Type: application/x-www-form-urlencoded\r\n";
    let set = b.request(
        "POST",
        &path,
        form,
        "password=mersey+tunnel+at+night&confirm=mersey+tunnel+at+night",
    );
    assert!(set.starts_with("HTTP/1.1 303"), "{set}");
    // Wait until reminders are queued and every queued email has gone out.
    for _ in 0..60 {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let queued = scalar(
            &pg,
            "SELECT COALESCE(SUM(messages), 0)::BIGINT FROM reminders_sent",
        );
        let waiting = scalar(&pg, "SELECT COUNT(*) FROM mail_queue");
        let sent = a.sent_subjects().len() + b.sent_subjects().len();
        if queued > 0 && waiting == 0 && sent as i64 >= queued {
            break;
        }
    }
    let queued = scalar(
        &pg,
        "SELECT COALESCE(SUM(messages), 0)::BIGINT FROM reminders_sent",
    );
    assert!(queued > 0, "no reminder was queued");
    // Each reminder once (the welcome link was printed, not emailed): as many emails as
    // reminders, no subject twice, over three more turns of both instances.
    std::thread::sleep(std::time::Duration::from_secs(3));
    let mut sent = [a.sent_subjects(), b.sent_subjects()].concat();
    assert_eq!(sent.len() as i64, queued, "{sent:?}");
    sent.sort();
    let before = sent.len();
    sent.dedup();
    assert_eq!(sent.len(), before, "an email went twice: {sent:?}");
    eprintln!("{} reminders sent once each", sent.len());
}

#[test]
fn pg_dump_and_pg_restore_round_trip_a_register() {
    let (Some(a), Some(b)) = (fresh_database(), fresh_database()) else {
        return;
    };
    run(&["--database-url", &a, "generate", "--projects", "40"]);
    let tmp = temp_dir();
    let dir = tmp.path();
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
}
