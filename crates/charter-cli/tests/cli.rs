//! The `charter` command as a user runs it: start-up checks, export, generate, migrate.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{BIN, Served, charter, save_synonyms, saved_synonyms, temp_dir};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn serve_refuses_a_taken_port_naming_the_address() {
    let dir = temp_dir();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = charter(&dir, &["serve", "--addr", &addr]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("cannot listen on {addr}")), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn serve_refuses_a_bad_address() {
    let dir = temp_dir();
    let out = charter(&dir, &["serve", "--addr", "localhost:eighty"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("“localhost:eighty” is not an address to listen on"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_refuses_a_corrupt_database_naming_the_file() {
    let dir = temp_dir();
    std::fs::write(
        dir.path().join("charter.sqlite"),
        b"this is not a database, it is a shopping list",
    )
    .unwrap();
    let out = charter(&dir, &["serve", "--addr", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("charter.sqlite"), "{err}");
    assert!(
        err.contains("damaged or is not a Charter database"),
        "{err}"
    );
}

#[test]
fn serve_refuses_a_charter_file_with_mistakes() {
    let dir = temp_dir();
    let file = dir.path().join("charter.toml");
    let good = include_str!("../../../charter/charter.toml");
    std::fs::write(
        &file,
        good.replace("number = 3", "number = 33")
            .replace("name = \"Privacy\"", "name = \"\""),
    )
    .unwrap();
    let out = charter(
        &dir,
        &[
            "--charter-file",
            file.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(file.to_str().unwrap()), "{err}");
    assert!(err.contains("principle 33 is in position 3"), "{err}");
    assert!(err.contains("principle 6: name is blank"), "{err}");

    std::fs::write(&file, "name = [").unwrap();
    let out = charter(&dir, &["--charter-file", file.to_str().unwrap(), "serve"]);
    assert!(stderr(&out).contains("not valid TOML"), "{}", stderr(&out));
    let missing = charter(&dir, &["--charter-file", "/no/such/charter.toml", "serve"]);
    assert!(stderr(&missing).contains("cannot read the charter file /no/such/charter.toml"));
}

#[test]
fn unknown_database_addresses_are_refused() {
    let dir = temp_dir();
    let out = charter(&dir, &["--database-url", "mysql://x", "migrate"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("is not a database address"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_with_demo_data_answers_on_the_printed_address() {
    let dir = temp_dir();
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::null()),
    );
    let response = server.get("/api/v1/projects/LCR-0001");
    server.stop();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"id\":\"LCR-0001\""));
    assert!(
        dir.path().join("charter.sqlite").exists(),
        "the default database file is created in the data folder"
    );
}

/// The body of a raw HTTP response.
fn body(response: &str) -> &str {
    response.split("\r\n\r\n").nth(1).unwrap_or("")
}

#[test]
fn the_demo_s_versions_carry_the_dates_its_pages_show() {
    let dir = temp_dir();
    let serve = || {
        Served::start(
            Command::new(BIN)
                .arg("--data-dir")
                .arg(dir.path())
                .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
                .stderr(Stdio::null()),
        )
    };
    let mut server = serve();
    let mut counts = Vec::new();
    for n in 1..=50 {
        let id = format!("LCR-{n:04}");
        let entry: serde_json::Value =
            serde_json::from_str(body(&server.get(&format!("/api/v1/projects/{id}")))).unwrap();
        let versions: serde_json::Value = serde_json::from_str(body(
            &server.get(&format!("/api/v1/projects/{id}/versions")),
        ))
        .unwrap();
        let versions = versions.as_array().unwrap();
        let day = |v: &serde_json::Value| v["published_at"].as_str().unwrap()[..10].to_owned();
        assert_eq!(day(&versions[0]), entry["first_published"], "{id}");
        assert_eq!(versions[0]["note"], "First published", "{id}");
        assert_eq!(
            day(&versions[versions.len() - 1]),
            entry["last_updated"],
            "{id}"
        );
        counts.push(versions.len());
    }
    assert!(
        counts.iter().any(|&c| c > 2),
        "some entries have several versions"
    );
    // As the pages say it: LCR-0001 was first published on 5 February 2024.
    let page = server.get("/projects/LCR-0001");
    assert!(page.contains("First published 5 February 2024; last updated 20 June 2026"));
    let first = server.get("/projects/LCR-0001/versions/1");
    assert!(
        first.contains("published on 5 February 2024 at 10:00 (UTC)"),
        "{first}"
    );
    assert!(first.contains("This is the first published version."));
    let history = server.get("/projects/LCR-0001/history");
    assert!(history.contains("20 June 2026 at 10:00 (UTC)"));
    assert!(history.contains("New outcome report"));
    server.stop();

    // Loading the demo again adds no versions.
    let mut again = serve();
    for (n, count) in (1..=50).zip(&counts) {
        let versions: serde_json::Value = serde_json::from_str(body(
            &again.get(&format!("/api/v1/projects/LCR-{n:04}/versions")),
        ))
        .unwrap();
        assert_eq!(versions.as_array().unwrap().len(), *count, "LCR-{n:04}");
    }
    again.stop();
}

#[test]
fn generate_then_export_both_formats() {
    let dir = temp_dir();
    let out = charter(&dir, &["generate", "--projects", "120"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = charter(&dir, &["export", "--format", "csv"]);
    assert!(csv.status.success());
    let text = String::from_utf8(csv.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), 120);
    let file = dir.path().join("register.json");
    let json = charter(
        &dir,
        &[
            "export",
            "--format",
            "json",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert!(json.status.success(), "{}", stderr(&json));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(v["projects"].as_array().unwrap().len(), 120);
    assert!(!dir.path().join("register.partial").exists());
    // Generating again adds after the highest id.
    let again = charter(&dir, &["generate", "--projects", "5"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("LCR-0121 onwards"));
}

#[test]
fn migrate_reports_a_database_from_a_newer_version() {
    let dir = temp_dir();
    assert!(charter(&dir, &["migrate"]).status.success());
    let db = dir.path().join("charter.sqlite");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (999, 'future', 1, x'00', 0)")
            .execute(&mut c)
            .await
            .unwrap();
    });
    let out = charter(&dir, &["migrate"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("newer version of charter"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn backup_while_serving_gives_a_consistent_copy_that_restores() {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "300"])
            .status
            .success()
    );
    let words = "bins, refuse, waste";
    save_synonyms(
        &format!("sqlite:{}", dir.path().join("charter.sqlite").display()),
        words,
    );
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::null()),
    );
    let copy = dir.path().join("backup.sqlite");
    let out = charter(&dir, &["backup", "--out", copy.to_str().unwrap()]);
    server.stop();
    assert!(out.status.success(), "{}", stderr(&out));
    // Restoring is using the copy: it holds the same register.
    let original = charter(&dir, &["export", "--format", "csv"]).stdout;
    let restored = Command::new(BIN)
        .args([
            "--database-url",
            &format!("sqlite:{}", copy.display()),
            "export",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert_eq!(restored.stdout, original);
    // And the search words a site administrator saved.
    assert_eq!(
        saved_synonyms(&format!("sqlite:{}", copy.display())).as_deref(),
        Some(words)
    );
    // A backup never overwrites a file.
    let again = charter(&dir, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already exists"));
}

#[test]
fn check_exits_non_zero_when_an_entry_fails_a_blocking_check() {
    let dir = temp_dir();
    // Generated entries name no duty holders, which blocks publishing.
    assert!(
        charter(&dir, &["generate", "--projects", "5"])
            .status
            .success()
    );
    let out = charter(&dir, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BLOCKS Accountability"), "{text}");
    assert!(
        text.contains("Checked 5 entries: 5 fail a blocking check."),
        "{text}"
    );
    let json = charter(&dir, &["check", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    let missing = charter(&dir, &["check", "--organisation", "nobody-at-all"]);
    assert_eq!(missing.status.code(), Some(2));
    // An empty register has nothing to block.
    let empty = temp_dir();
    assert_eq!(charter(&empty, &["check"]).status.code(), Some(0));
}

#[test]
fn verify_passes_on_a_published_register_and_names_a_tampered_link() {
    let dir = temp_dir();
    let empty = charter(&dir, &["verify"]);
    assert!(empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stdout).contains("Nothing has been published yet"));
    assert!(
        charter(&dir, &["generate", "--projects", "30"])
            .status
            .success()
    );
    let ok = charter(&dir, &["verify"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        String::from_utf8_lossy(&ok.stdout).contains("intact: 30 published versions of 30 entries")
    );

    // Change one stored version behind the register's back.
    let db = dir.path().join("charter.sqlite");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let blocked = rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        // The table refuses changes...
        let refused = sqlx::query("UPDATE project_versions SET content = replace(content, 'This project', 'THIS project') WHERE seq = 12")
            .execute(&mut c)
            .await
            .is_err();
        // ...so a tamperer first removes the guard.
        sqlx::query("DROP TRIGGER project_versions_no_update").execute(&mut c).await.unwrap();
        sqlx::query("UPDATE project_versions SET content = replace(content, 'This project', 'THIS project') WHERE seq = 12")
            .execute(&mut c)
            .await
            .unwrap();
        refused
    });
    assert!(blocked, "published versions cannot be updated");
    let bad = charter(&dir, &["verify"]);
    assert!(!bad.status.success());
    let err = stderr(&bad);
    assert!(
        err.contains("link 12 (LCR-0012 version 1) is broken"),
        "{err}"
    );
    assert!(err.contains("changed after publication"), "{err}");
}

#[test]
fn text_check_reports_reading_age_and_advice() {
    let dir = temp_dir();
    let file = dir.path().join("summary.txt");
    std::fs::write(
        &file,
        "We utilise data in order to commence repairs. The cat sat on the mat.",
    )
    .unwrap();
    let out = charter(&dir, &["text", "check", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.to_lowercase().contains("reading age"), "{report}");
    assert!(report.contains("utilise"), "{report}");
    let json = charter(&dir, &["text", "check", "--json", file.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["counts"]["words"], 14);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "word-to-avoid")
    );
    // Bytes that are not UTF-8 get a clear error, not a panic.
    std::fs::write(&file, b"caf\xe9").unwrap();
    let bad = charter(&dir, &["text", "check", file.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(!stderr(&bad).contains("panicked"), "{}", stderr(&bad));
    let missing = charter(&dir, &["text", "check", "/no/such/file.txt"]);
    assert!(!missing.status.success());
}

#[test]
fn text_check_fails_above_max_reading_age() {
    let dir = temp_dir();
    let hard = dir.path().join("hard.txt");
    std::fs::write(
        &hard,
        "The organisation's multidisciplinary transformation programme operationalises predictive \
         analytics capabilities, facilitating evidence-based prioritisation of interventions across \
         heterogeneous administrative datasets, notwithstanding considerable implementation complexity.",
    )
    .unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(
        &plain,
        "We look at repair records to find homes that may get damp. Staff visit those homes first. \
         You can still report damp to us in the usual way.",
    )
    .unwrap();
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "Algorithmic prioritisation of referrals.").unwrap();
    let check = |file: &std::path::Path, max: &str| {
        charter(
            &dir,
            &[
                "text",
                "check",
                "--max-reading-age",
                max,
                file.to_str().unwrap(),
            ],
        )
    };
    let above = check(&hard, "12");
    assert_eq!(above.status.code(), Some(1), "{}", stderr(&above));
    let err = stderr(&above);
    assert!(
        err.contains("reading age of over 25, above the most allowed (12)"),
        "{err}"
    );
    assert!(err.contains("Split the longest sentence"), "{err}");
    assert!(String::from_utf8_lossy(&above.stdout).contains("reading age over 25"));
    let within = check(&plain, "9");
    assert!(within.status.success(), "{}", stderr(&within));
    // Too short to score: asked to say more, not failed on a number.
    let too_short = check(&short, "9");
    assert!(too_short.status.success(), "{}", stderr(&too_short));
    assert!(String::from_utf8_lossy(&too_short.stdout).contains("too short to give a reading age"));
    // Without the option nothing fails on the reading age, and a bad file is exit status 2.
    assert!(
        charter(&dir, &["text", "check", hard.to_str().unwrap()])
            .status
            .success()
    );
    let missing = check(&dir.path().join("none.txt"), "9");
    assert_eq!(missing.status.code(), Some(2));
    let bad = charter(
        &dir,
        &[
            "text",
            "check",
            "--max-reading-age",
            "nine",
            plain.to_str().unwrap(),
        ],
    );
    assert!(!bad.status.success());
}

#[test]
fn user_add_prints_a_one_time_link() {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "1"])
            .status
            .success()
    );
    let out = charter(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "Mo@Charter.example",
            "--role",
            "moderator",
            "--base-url",
            "https://register.example/",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let link = String::from_utf8(out.stdout).unwrap();
    assert!(
        link.trim()
            .starts_with("https://register.example/account/set-password/"),
        "{link}"
    );
    assert_eq!(link.trim().rsplit('/').next().unwrap().len(), 48);
    let again = charter(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "mo@charter.example",
            "--role",
            "moderator",
        ],
    );
    assert!(
        stderr(&again).contains("already has an account"),
        "{}",
        stderr(&again)
    );
    let no_org = charter(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "ed@x.example",
            "--role",
            "organisation-editor",
        ],
    );
    assert!(
        stderr(&no_org).contains("add --organisation"),
        "{}",
        stderr(&no_org)
    );
    let bad_role = charter(
        &dir,
        &["user", "add", "--email", "ed@x.example", "--role", "boss"],
    );
    assert!(
        stderr(&bad_role).contains("is not a role"),
        "{}",
        stderr(&bad_role)
    );
    let unknown = charter(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "ed@x.example",
            "--role",
            "organisation-editor",
            "--organisation",
            "nobody",
        ],
    );
    assert!(
        stderr(&unknown).contains("“nobody” is not on the register"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn import_lists_every_problem_then_adds_all_rows_as_drafts_or_none() {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "3"])
            .status
            .success()
    );
    let export = String::from_utf8(charter(&dir, &["export", "--format", "csv"]).stdout).unwrap();
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "organisation")
        .unwrap();
    let org = reader.records().next().unwrap().unwrap()[column].to_owned();
    let file = dir.path().join("list.csv");
    std::fs::write(
        &file,
        "Project name,status,uses_ai,decision_role,areas,topics,Ref\n\
         Street lights,in-use,no,information-only,knowsley,environment,A1\n\
         Bus times,finished,no,information-only,knowsley,transport,A2\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let out = charter(&dir, &["import", path, "--organisation", &org, "--dry-run"]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("Column “Ref”: Choose the field"), "{said}");
    assert!(said.contains("Row 3, column “status”"), "{said}");
    assert!(said.contains("nothing was imported"), "{said}");
    // The same problems stop a real import: nothing is written.
    let out = charter(
        &dir,
        &[
            "import",
            path,
            "--organisation",
            &org,
            "--map",
            "Ref=ignore",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    // The charter check reads the same file: the bad row blocks, the good one lacks a summary.
    let out = charter(
        &dir,
        &[
            "check",
            "--drafts",
            path,
            "--organisation",
            &org,
            "--map",
            "Ref=ignore",
        ],
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("row 2: Street lights"), "{said}");

    std::fs::write(
        &file,
        "Project name,status,uses_ai,decision_role,areas,topics,Ref\n\
         Street lights,in-use,no,information-only,knowsley,environment,A1\n\
         Bus times,pilot,yes,supports-person,knowsley; halton,transport,A2\n",
    )
    .unwrap();
    let out = charter(
        &dir,
        &[
            "import",
            path,
            "--organisation",
            &org,
            "--map",
            "Ref=ignore",
            "--dry-run",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("2 entries are ready"));
    let out = charter(
        &dir,
        &[
            "import",
            path,
            "--organisation",
            &org,
            "--map",
            "Ref=ignore",
        ],
    );
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}{}", stderr(&out));
    assert!(said.contains("LCR-0004 Street lights"), "{said}");
    assert!(said.contains("Imported 2 entries as drafts"), "{said}");
    // Drafts are not public.
    let export = String::from_utf8(charter(&dir, &["export", "--format", "csv"]).stdout).unwrap();
    assert!(!export.contains("Street lights"));
    let out = charter(&dir, &["import", path, "--organisation", "no-such-org"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no organisation"), "{}", stderr(&out));
}

#[test]
fn a_token_needs_an_owner_who_may_make_it() {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "3"])
            .status
            .success()
    );
    let export = charter(&dir, &["export", "--format", "json"]);
    let register: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let org = register["projects"][0]["organisation"]
        .as_str()
        .unwrap()
        .to_owned();
    let create = |owner: &str| {
        charter(
            &dir,
            &[
                "org",
                "token",
                "create",
                "--organisation",
                &org,
                "--owner",
                owner,
                "--label",
                "nightly",
                "--scope",
                "drafts",
            ],
        )
    };
    let nobody = create("nobody@example.org");
    assert!(!nobody.status.success());
    assert!(
        stderr(&nobody).contains("nobody has an account with the email address")
            && stderr(&nobody).contains("charter user add"),
        "{}",
        stderr(&nobody)
    );
    let add = |email: &str, role: &str, organisation: Option<&str>| {
        let mut args = vec!["user", "add", "--email", email, "--role", role];
        if let Some(o) = organisation {
            args.extend(["--organisation", o]);
        }
        assert!(charter(&dir, &args).status.success());
    };
    add("mod@charter.example", "moderator", None);
    let moderator = create("mod@charter.example");
    assert!(!moderator.status.success());
    assert!(
        stderr(&moderator).contains("may not make tokens"),
        "{}",
        stderr(&moderator)
    );
    add("admin@org.example", "organisation-admin", Some(&org));
    let made = create("admin@org.example");
    assert!(made.status.success(), "{}", stderr(&made));
    assert!(stderr(&made).contains("belonging to admin@org.example"));
    let listed = charter(&dir, &["org", "token", "list", "--organisation", &org]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("admin@org.example"));
}

#[cfg(unix)]
#[test]
fn the_data_folder_and_database_are_the_owners_alone() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir();
    let data = dir.path().join("data");
    let out = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args(["generate", "--projects", "2"])
        .env_remove("CHARTER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    let db = data.join("charter.sqlite");
    assert_eq!(mode(&db), 0o600);
    // A database made readable by others before is tightened when it is next opened.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let migrate = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .arg("migrate")
        .env_remove("CHARTER_DATABASE_URL")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", stderr(&migrate));
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn import_beside_a_live_server_never_makes_it_fail() {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "3"])
            .status
            .success()
    );
    let export = String::from_utf8(charter(&dir, &["export", "--format", "csv"]).stdout).unwrap();
    let mut reader = csv::Reader::from_reader(export.as_bytes());
    let column = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "organisation")
        .unwrap();
    let org = reader.records().next().unwrap().unwrap()[column].to_owned();
    let owner = charter(
        &dir,
        &[
            "user",
            "add",
            "--email",
            "systems@org.example",
            "--role",
            "organisation-admin",
            "--organisation",
            &org,
        ],
    );
    assert!(owner.status.success(), "{}", stderr(&owner));
    let token = charter(
        &dir,
        &[
            "org",
            "token",
            "create",
            "--organisation",
            &org,
            "--owner",
            "systems@org.example",
            "--label",
            "test",
            "--scope",
            "drafts",
        ],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();

    // Thousands of rows, as an organisation's whole list.
    let mut list = String::from("title,status,uses_ai,decision_role,areas,topics,summary\n");
    for n in 1..=3000 {
        list.push_str(&format!(
            "Street lights {n},in-use,no,information-only,knowsley; halton,environment,\
             \"Lights in street {n} are switched off late at night and on again before dawn, \
             to save energy while keeping roads safe for people walking home.\"\n"
        ));
    }
    let file = dir.path().join("list.csv");
    std::fs::write(&file, list).unwrap();

    let server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("CHARTER_DATABASE_URL")
            .stderr(Stdio::null()),
    );
    let mut import = Command::new(BIN)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", file.to_str().unwrap(), "--organisation", &org])
        .env_remove("CHARTER_DATABASE_URL")
        // To a file: a pipe nobody reads until the end would fill and stop the import.
        .stdout(std::fs::File::create(dir.path().join("import.txt")).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The server's own writes (a draft started over the API) go on while the import runs,
    // and a few times at least.
    let mut answers = Vec::new();
    let mut finished = None;
    while finished.is_none() || answers.len() < 5 {
        let n = answers.len();
        let response = server.request(
            "POST",
            "/api/v1/drafts",
            &format!("Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"),
            &format!(
                r#"{{"title":"Bin routes {n}","status":"planned","uses_ai":false,"decision_role":"information-only"}}"#
            ),
        );
        answers.push(response.lines().next().unwrap_or("").to_owned());
        if finished.is_none() {
            finished = import.try_wait().unwrap();
        }
    }
    let failed: Vec<&String> = answers.iter().filter(|a| !a.contains(" 201 ")).collect();
    assert!(
        failed.is_empty(),
        "{} of {} writes failed: {failed:?}",
        failed.len(),
        answers.len()
    );
    let output = import.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        std::fs::read_to_string(dir.path().join("import.txt")).unwrap_or_default(),
        stderr(&output)
    );
}

/// Makes a 30-entry register, runs `sql` on its database behind the register's back, and checks
/// that `verify` fails naming `named`, that `serve` refuses to start saying the same and how to
/// go on, and that `serve --allow-unverified` starts with a warning.
fn edit_is_caught(sql: &str, named: &str) {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "30"])
            .status
            .success()
    );
    assert!(charter(&dir, &["verify"]).status.success());
    let db = dir.path().join("charter.sqlite");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display()))
            .await
            .unwrap();
        sqlx::query(sql).execute(&mut c).await.unwrap();
    });

    let bad = charter(&dir, &["verify"]);
    assert_eq!(bad.status.code(), Some(1), "{sql}");
    let err = stderr(&bad);
    assert!(err.contains(named), "{sql}: {err}");
    assert!(
        err.contains("does not match its published history (1 problem)"),
        "{err}"
    );
    assert!(err.contains("Restore it from a backup"), "{err}");

    let refused = charter(&dir, &["serve", "--addr", "127.0.0.1:0"]);
    assert!(!refused.status.success(), "{sql}");
    let err = stderr(&refused);
    assert!(err.contains("refusing to serve"), "{err}");
    assert!(err.contains(named), "{err}");
    assert!(err.contains("--allow-unverified"), "{err}");
    assert!(String::from_utf8_lossy(&refused.stdout).is_empty());

    // Allowed by the flag or by its environment variable: served, with a warning in the log.
    for by_env in [false, true] {
        let log = dir.path().join("serve.log");
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir")
            .arg(dir.path())
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("CHARTER_DATABASE_URL")
            .env_remove("CHARTER_ALLOW_UNVERIFIED")
            .stderr(std::fs::File::create(&log).unwrap());
        if by_env {
            cmd.env("CHARTER_ALLOW_UNVERIFIED", "true");
        } else {
            cmd.arg("--allow-unverified");
        }
        let mut server = Served::start(&mut cmd);
        let response = server.get("/api/v1/projects/LCR-0001");
        server.stop();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(log.contains("FAILS VERIFICATION"), "{log}");
        assert!(log.contains(named), "{log}");
        assert!(
            !log.contains('\u{1b}'),
            "colour codes in a log file: {log:?}"
        );
    }
}

#[test]
fn verify_and_serve_catch_a_title_edited_in_the_database() {
    edit_is_caught(
        "UPDATE projects SET title = 'Edited title' WHERE id = 7",
        "LCR-0007: the title shown in lists is “Edited title” but its latest published version says “",
    );
}

#[test]
fn verify_and_serve_catch_a_summary_edited_in_the_database() {
    edit_is_caught(
        "UPDATE projects SET summary = 'Edited summary' WHERE id = 7",
        "LCR-0007: the summary shown in lists is “Edited summary” but its latest published version says “",
    );
}

#[test]
fn verify_and_serve_catch_uses_ai_edited_in_the_database() {
    edit_is_caught(
        "UPDATE projects SET uses_ai = 1 - uses_ai WHERE id = 7",
        "LCR-0007: whether it uses AI, as shown in lists and used by the AI filter, is “",
    );
}

#[test]
fn verify_and_serve_catch_a_filter_column_edited_in_the_database() {
    edit_is_caught(
        "UPDATE projects SET status = CASE status WHEN 'retired' THEN 'in-use' ELSE 'retired' END WHERE id = 7",
        "LCR-0007: the status shown in lists and used by the status filter is “",
    );
}

#[test]
fn verify_and_serve_catch_an_organisation_renamed_in_the_database() {
    edit_is_caught(
        "UPDATE organisations SET name = 'Renamed directly' WHERE id = (SELECT organisation_id FROM projects WHERE id = 7)",
        "the name shown with its entries in lists is “Renamed directly” but its own record says “",
    );
}

#[test]
fn verify_and_serve_catch_a_search_index_row_edited_in_the_database() {
    edit_is_caught(
        "UPDATE project_search SET body = 'nothing to see here' WHERE rowid = 7",
        "LCR-0007: the search index differs from its latest published version",
    );
}

#[test]
fn verify_and_serve_catch_a_search_index_row_added_in_the_database() {
    edit_is_caught(
        "INSERT INTO project_search (rowid, title, summary, body) VALUES (99, 'Stray', 'Stray', 'Stray')",
        "the search index has a row numbered 99, which is no entry on the register",
    );
}

#[test]
fn verify_and_serve_catch_an_entry_hidden_in_the_database() {
    edit_is_caught(
        "PRAGMA foreign_keys = OFF; DELETE FROM projects WHERE id = 7; \
         DELETE FROM project_docs WHERE id = 7; DELETE FROM project_search WHERE rowid = 7",
        "LCR-0007: it was published but is missing from the register's lists",
    );
}

#[test]
fn user_add_links_start_with_the_public_address_else_the_listening_one() {
    let dir = temp_dir();
    let add = |email: &str, args: &[&str], env: &[(&str, &str)]| {
        let mut c = Command::new(BIN);
        c.arg("--data-dir").arg(dir.path());
        c.args(["user", "add", "--email", email, "--role", "moderator"]);
        c.args(args);
        for v in [
            "CHARTER_DATABASE_URL",
            "CHARTER_ADDR",
            "CHARTER_PUBLIC_URL",
            "CHARTER_BASE_URL",
        ] {
            c.env_remove(v);
        }
        c.envs(env.iter().copied());
        c.output().unwrap()
    };
    let link = |o: &Output| {
        assert!(o.status.success(), "{}", stderr(o));
        let out = String::from_utf8_lossy(&o.stdout).trim().to_owned();
        let (base, token) = out.split_once("/account/set-password/").unwrap();
        assert_eq!(token.len(), 48, "{out}");
        base.to_owned()
    };
    let public = "https://register.example";
    let o = add(
        "a@x.example",
        &["--public-url", "https://register.example/"],
        &[],
    );
    assert_eq!(link(&o), public);
    // As the README and operating guide show it.
    let o = add("b@x.example", &["--base-url", public], &[]);
    assert_eq!(link(&o), public);
    let o = add("c@x.example", &[], &[("CHARTER_PUBLIC_URL", public)]);
    assert_eq!(link(&o), public);
    let o = add("d@x.example", &[], &[("CHARTER_BASE_URL", public)]);
    assert_eq!(link(&o), public);
    // Without a public address: the address `charter serve` is set to listen on.
    let o = add("e@x.example", &[], &[("CHARTER_ADDR", "10.0.0.5:9000")]);
    assert_eq!(link(&o), "http://10.0.0.5:9000");
    let o = add("f@x.example", &[], &[]);
    assert_eq!(link(&o), "http://127.0.0.1:8080");
    // Not a web address: said before anyone is added.
    let o = add("g@x.example", &["--public-url", "register.example"], &[]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("not a web address: write it like https://register.example"),
        "{}",
        stderr(&o)
    );
    let again = add("g@x.example", &["--public-url", public], &[]);
    assert!(again.status.success(), "{}", stderr(&again));
}
