//! The command line on PostgreSQL: copying a register both ways, and two `charter serve`
//! processes sharing one database (sessions, housekeeping, reminders, and search finding what
//! either publishes). Needs `CHARTER_TEST_POSTGRES_URL` (`.ci/run` starts a server);
//! without it the tests are skipped and the output says so, unless `CHARTER_REQUIRE_POSTGRES=1`
//! (as `.ci/run` sets) or `CI` is set, where that is a failure.

mod common;

use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::{Served, save_synonyms, saved_synonyms, temp_dir};
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
    // A site administrator's search words go with the register.
    let words = "bins, refuse, waste\ntram, light rail";
    save_synonyms(&a, words);
    let copied = String::from_utf8(run(&["copy", "--from", &a, "--to", &pg]).stdout).unwrap();
    assert!(copied.contains("and the saved search words"), "{copied}");
    run(&["copy", "--from", &pg, "--to", &b]);
    assert_eq!(saved_synonyms(&pg).as_deref(), Some(words));
    assert_eq!(saved_synonyms(&b).as_deref(), Some(words));
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
    save_synonyms(&a, "bins, refuse, waste");
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
    assert_eq!(
        saved_synonyms(&b).as_deref(),
        Some("bins, refuse, waste"),
        "the search words come back too"
    );
    // The restored database is current: migrating it changes nothing and serving works.
    run(&["--database-url", &b, "migrate"]);
}

/// The body of a response read whole.
fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

fn json(response: &str) -> serde_json::Value {
    serde_json::from_str(body(response)).unwrap_or_else(|e| panic!("{e}: {response}"))
}

/// A response header's value.
fn header<'a>(response: &'a str, name: &str) -> &'a str {
    response
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .unwrap_or_else(|| panic!("no {name} header in {response}"))
}

/// Form fields, encoded as a browser sends them.
fn form_body(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                    (b as char).to_string()
                }
                b' ' => "+".into(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

const FORM: &str = "Content-Type: application/x-www-form-urlencoded\r\n";

/// Someone signed in through `server`: their session cookie header and form token.
struct Person {
    cookie: String,
    csrf: String,
}

impl Person {
    /// Adds an account on the command line, sets its password and signs in through `server`.
    fn sign_in(server: &Server, pg: &str, email: &str, role: &[&str]) -> Person {
        let mut args = vec![
            "--database-url",
            pg,
            "user",
            "add",
            "--email",
            email,
            "--role",
        ];
        args.extend_from_slice(role);
        let link = String::from_utf8(run(&args).stdout).unwrap();
        let path = link.trim().trim_start_matches("http://127.0.0.1:8080");
        let password = "mersey tunnel at night";
        let set = server.request(
            "POST",
            path,
            FORM,
            &form_body(&[("password", password), ("confirm", password)]),
        );
        assert!(set.starts_with("HTTP/1.1 303"), "{set}");
        let signed_in = server.request(
            "POST",
            "/sign-in",
            FORM,
            &form_body(&[("email", email), ("password", password)]),
        );
        assert!(signed_in.starts_with("HTTP/1.1 303"), "{signed_in}");
        let cookie = format!(
            "Cookie: {}\r\n",
            header(&signed_in, "set-cookie").split(';').next().unwrap()
        );
        let page = server.request("GET", "/manage", &cookie, "");
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap_or_else(|| panic!("no form token on /manage: {page}"))
            .to_owned();
        Person { cookie, csrf }
    }

    /// Sends a form through `server` as this person; the response.
    fn post(&self, server: &Server, path: &str, fields: &[(&str, &str)]) -> String {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        server.request(
            "POST",
            path,
            &format!("{}{FORM}", self.cookie),
            &form_body(&all),
        )
    }
}

/// Calls the drafts API through `server` with `token`; the response.
fn drafts_api(
    server: &Server,
    token: &str,
    method: &str,
    path: &str,
    lock: Option<&str>,
    body: &serde_json::Value,
) -> String {
    let if_match = lock.map_or(String::new(), |l| format!("If-Match: {l}\r\n"));
    server.request(
        method,
        path,
        &format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n{if_match}"),
        &if body.is_null() {
            String::new()
        } else {
            body.to_string()
        },
    )
}

/// The ids of the entries a search through `server`'s API finds.
fn found(server: &Server, q: &str) -> Vec<String> {
    let response = server.get(&format!("/api/v1/projects?q={q}&per_page=100"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    json(&response)["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {response}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Waits until `server` finds `entry` for every one of `words` through the API and the search
/// page, failing if that takes more than a second from `published`.
fn found_within_a_second(
    server: &Server,
    words: &[&str],
    entry: &str,
    published: std::time::Instant,
) {
    let link = format!("href=\"/projects/{entry}\"");
    loop {
        let api = words
            .iter()
            .all(|w| found(server, w).contains(&entry.into()));
        let pages = words.iter().all(|w| {
            let page = server.get(&format!("/projects?q={w}"));
            page.starts_with("HTTP/1.1 200") && page.contains(&link)
        });
        let waited = published.elapsed();
        if api && pages {
            eprintln!("{entry} found by {words:?} {waited:?} after it was published");
            return;
        }
        assert!(
            waited < std::time::Duration::from_secs(1),
            "{entry} not found by {words:?} on the other instance a second after it was published \
             (API {api}, pages {pages})"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn two_instances_search_what_either_publishes_within_a_second() {
    let Some(pg) = fresh_database() else { return };
    let a = Server::start(&pg, true);
    let b = Server::start(&pg, false);
    // An administrator of the organisation writes (on the web and with an API token); a site
    // administrator approves, since nobody approves their own draft.
    let org = "liverpool-city-council";
    let editor = Person::sign_in(
        &a,
        &pg,
        "editor@liverpool.example",
        &["organisation-admin", "--organisation", org],
    );
    let admin = Person::sign_in(&a, &pg, "admin@charter.example", &["site-admin"]);
    let token = String::from_utf8(
        run(&[
            "--database-url",
            &pg,
            "org",
            "token",
            "create",
            "--organisation",
            org,
            "--owner",
            "editor@liverpool.example",
            "--label",
            "Search test",
            "--scope",
            "drafts",
        ])
        .stdout,
    )
    .unwrap()
    .trim()
    .to_owned();

    // Both instances have built their index and answer from it.
    for server in [&a, &b] {
        assert_eq!(found(server, "hedgehog"), Vec::<String>::new());
        assert_eq!(found(server, "nudging"), Vec::<String>::new());
        assert_eq!(found(server, "urchins"), Vec::<String>::new());
        assert!(found(server, "helping").contains(&"LCR-0021".into()));
    }

    // Submits a draft through A's API and approves it through A's review page; returns the
    // entry's address and when the approval returned.
    let publish = |draft: &str, note: &str| -> (String, std::time::Instant) {
        let read = drafts_api(&a, &token, "GET", draft, None, &serde_json::Value::Null);
        let submitted = drafts_api(
            &a,
            &token,
            "POST",
            &format!("{draft}/submit"),
            Some(header(&read, "etag")),
            &serde_json::json!({ "note": note }),
        );
        assert!(submitted.starts_with("HTTP/1.1 200"), "{submitted}");
        let lock = json(&submitted)["lock"].to_string();
        let id = draft.rsplit('/').next().unwrap();
        let approved = admin.post(
            &a,
            &format!("/manage/drafts/{id}/approve"),
            &[("lock", &lock)],
        );
        let at = std::time::Instant::now();
        assert!(approved.starts_with("HTTP/1.1 303"), "{approved}");
        (header(&approved, "location").to_owned(), at)
    };

    // A new entry, drafted with the API from a published one with a new name.
    let mut entry = json(&a.get("/api/v1/projects/LCR-0021"));
    entry["title"] = "Counting hedgehogs crossing roads near libraries".into();
    let created = drafts_api(&a, &token, "POST", "/api/v1/drafts", None, &entry);
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let (place, published) = publish(header(&created, "location"), "");
    let new_entry = place.trim_start_matches("/projects/").to_owned();
    // "hegdehogs" has two letters swapped: only the forgiving index finds it.
    found_within_a_second(&b, &["hedgehogs", "hegdehogs"], &new_entry, published);

    // A published entry renamed: a change started on the web, written with the API.
    let started = editor.post(&a, "/manage/projects/LCR-0021/edit", &[]);
    assert!(started.starts_with("HTTP/1.1 303"), "{started}");
    let draft = header(&started, "location").replace("/manage/", "/api/v1/");
    let read = drafts_api(&a, &token, "GET", &draft, None, &serde_json::Value::Null);
    let mut renamed = json(&read)["entry"].clone();
    renamed["title"] = "Nudging older people to claim Pension Credit".into();
    let saved = drafts_api(
        &a,
        &token,
        "PUT",
        &draft,
        Some(header(&read, "etag")),
        &renamed,
    );
    assert!(saved.starts_with("HTTP/1.1 200"), "{saved}");
    let (_, published) = publish(&draft, "New name");
    found_within_a_second(&b, &["nudging", "nduging"], "LCR-0021", published);
    // The old name's word no longer finds it.
    assert!(!found(&b, "helping").contains(&"LCR-0021".into()));

    // Search words saved through A are used by A's next search, and by B's within a second.
    let saved = admin.post(
        &a,
        "/manage/search-words",
        &[("synonyms", "urchins, hedgehogs")],
    );
    let at = std::time::Instant::now();
    assert!(saved.starts_with("HTTP/1.1 303"), "{saved}");
    assert_eq!(found(&a, "urchins"), vec![new_entry.clone()]);
    found_within_a_second(&b, &["urchins"], &new_entry, at);
    assert_eq!(found(&b, "urchins"), vec![new_entry.clone()]);
}
