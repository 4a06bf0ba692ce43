//! `charter optout` from the command line, and the promise that no NHS number is ever stored or
//! logged in clear.

mod common;

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{Served, temp_dir};

const FORM: &str = "Content-Type: application/x-www-form-urlencoded\r\n";

const BIN: &str = env!("CARGO_BIN_EXE_charter");

fn charter(data: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("CHARTER_OPTOUT_SECRET")
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Adds an administrator of `org` to own a token; returns their email address.
fn token_owner(data: &Path, org: &str) -> String {
    let email = format!("tokens@{org}.example");
    ok(charter(
        data,
        &[
            "user",
            "add",
            "--email",
            &email,
            "--role",
            "organisation-admin",
            "--organisation",
            org,
        ],
    ));
    email
}

fn err(out: &Output) -> String {
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Generated organisations have predictable slugs; take the first.
fn an_organisation(data: &Path) -> String {
    let csv = ok(charter(data, &["export", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "organisation").unwrap();
    reader.records().next().unwrap().unwrap()[col].to_owned()
}

/// The name people read for the organisation with short name `slug`, from the export.
fn organisation_name(data: &Path, slug: &str) -> String {
    let csv = ok(charter(data, &["export", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (slug_col, name_col) = (col("organisation"), col("organisation_name"));
    reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[slug_col] == slug)
        .unwrap()[name_col]
        .to_owned()
}

#[test]
fn import_snapshot_and_filter_a_dataset() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    ok(charter(&data, &["generate", "--projects", "3"]));
    let org = an_organisation(&data);
    let list = data.join("list.csv");
    std::fs::write(&list, format!("\u{feff}nhs_number,scope\r\n943 476 5919,ai-training\r\n401-023-2137,organisation:{org}\r\n")).unwrap();
    assert!(
        ok(charter(
            &data,
            &["optout", "import", list.to_str().unwrap()]
        ))
        .contains("Loaded 2 opt-outs for 2 people")
    );
    // A bad list loads nothing and says which lines are wrong.
    std::fs::write(
        &list,
        "nhs_number,scope\n4505577104,ai-training\n1234567890,ai-training\n4505577104,everything\n",
    )
    .unwrap();
    let e = err(&charter(
        &data,
        &["optout", "import", list.to_str().unwrap()],
    ));
    assert!(
        e.contains("line 3") && e.contains("line 4") && e.contains("nothing was loaded"),
        "{e}"
    );
    std::fs::write(&list, "nhs,scope\n4505577104,ai-training\n").unwrap();
    assert!(
        err(&charter(
            &data,
            &["optout", "import", list.to_str().unwrap()]
        ))
        .contains("must have the header nhs_number,scope")
    );

    let snap = data.join("snap.bin");
    ok(charter(
        &data,
        &[
            "optout",
            "snapshot",
            "--organisation",
            &org,
            "--out",
            snap.to_str().unwrap(),
        ],
    ));
    let input = data.join("data.csv");
    std::fs::write(
        &input,
        "name,nhs_number\nAda,9434765919\n\"Bob, Jr\",401 023 2137\nCy,12345\nDee,4505577104\n",
    )
    .unwrap();
    let out = data.join("kept.csv");
    let key = ok(charter(&data, &["optout", "public-key"]))
        .trim()
        .to_owned();
    let filter = |scope: &str, org: &str, snapshot: &Path, column: &str| {
        charter(
            &data,
            &[
                "optout",
                "filter",
                "--snapshot",
                snapshot.to_str().unwrap(),
                "--organisation",
                org,
                "--input",
                input.to_str().unwrap(),
                "--column",
                column,
                "--scope",
                scope,
                "--out",
                out.to_str().unwrap(),
                "--public-key",
                &key,
                "--threads",
                "1",
            ],
        )
    };
    let run = filter("ai-training", &org, &snap, "nhs_number");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Ada opted out of AI training, Bob out of this organisation; Cy's number is not one.
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "name,nhs_number\nDee,4505577104\n"
    );
    let invalid = std::fs::read_to_string(data.join("kept.invalid.csv")).unwrap();
    assert!(
        invalid.contains("Cy,12345") && invalid.starts_with("line,reason,row"),
        "{invalid}"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("kept.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(
        (
            manifest["rows_in"].as_u64(),
            manifest["rows_kept"].as_u64(),
            manifest["rows_removed"].as_u64(),
            manifest["rows_invalid"].as_u64()
        ),
        (Some(4), Some(1), Some(2), Some(1))
    );
    assert_eq!(manifest["input_blake3"].as_str().unwrap().len(), 64);

    // Bad input: a column that is not there names the columns found; nothing is written.
    std::fs::remove_file(&out).unwrap();
    let e = err(&filter("ai-training", &org, &snap, "nhs"));
    assert!(e.contains("name") && e.contains("nhs_number"), "{e}");
    assert!(!out.exists(), "no half-written output");
    // Another organisation's snapshot, a tampered one, and an unknown scope are refused.
    assert!(
        err(&filter("ai-training", "someone-else", &snap, "nhs_number"))
            .contains("not “someone-else”")
    );
    let mut bytes = std::fs::read(&snap).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    let tampered = data.join("tampered.bin");
    std::fs::write(&tampered, bytes).unwrap();
    let e = err(&filter("ai-training", &org, &tampered, "nhs_number"));
    assert!(
        e.to_lowercase().contains("signature")
            || e.to_lowercase().contains("tamper")
            || e.contains("changed"),
        "{e}"
    );
    assert!(
        err(&filter("everything", &org, &snap, "nhs_number")).contains("is not an opt-out scope")
    );
    assert!(!out.exists());

    // Key rotation keeps every opt-out matching.
    assert!(
        ok(charter(&data, &["optout", "rotate-keys"])).contains("key version 2: 2 records moved")
    );
    let snap2 = data.join("snap2.bin");
    ok(charter(
        &data,
        &[
            "optout",
            "snapshot",
            "--organisation",
            &org,
            "--out",
            snap2.to_str().unwrap(),
        ],
    ));
    let key = ok(charter(&data, &["optout", "public-key"]))
        .trim()
        .to_owned();
    let run = charter(
        &data,
        &[
            "optout",
            "filter",
            "--snapshot",
            snap2.to_str().unwrap(),
            "--organisation",
            &org,
            "--input",
            input.to_str().unwrap(),
            "--column",
            "nhs_number",
            "--scope",
            "ai-training",
            "--out",
            out.to_str().unwrap(),
            "--public-key",
            &key,
        ],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "name,nhs_number\nDee,4505577104\n"
    );
}

/// Signs a new site administrator in through the running register and sets up an identifier kind
/// from `form` (the add form's fields), as a person would.
fn set_up_kind(data: &Path, server: &Served, form: &str) {
    let link = ok(charter(
        data,
        &[
            "user",
            "add",
            "--email",
            "admin@x.example",
            "--role",
            "site-admin",
        ],
    ));
    let path = format!(
        "/account/set-password/{}",
        link.trim().rsplit('/').next().unwrap()
    );
    let password = "password=ferry+cross+the+mersey&confirm=ferry+cross+the+mersey";
    let set = server.request("POST", &path, FORM, password);
    assert!(set.starts_with("HTTP/1.1 303"), "{set}");
    let signed_in = server.request(
        "POST",
        "/sign-in",
        FORM,
        "email=admin%40x.example&password=ferry+cross+the+mersey",
    );
    let cookie = signed_in
        .split("charter_session=")
        .nth(1)
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session: {signed_in}"))
        .to_owned();
    let cookie = format!("Cookie: charter_session={cookie}\r\n");
    let page = server.request("GET", "/manage/identifier-kinds", &cookie, "");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|c| c.split('"').next())
        .unwrap_or_else(|| panic!("no form token: {page}"));
    let added = server.request(
        "POST",
        "/manage/identifier-kinds",
        &format!("{cookie}{FORM}"),
        &format!("csrf={csrf}&{form}"),
    );
    assert!(added.starts_with("HTTP/1.1 303"), "{added}");
}

const TENANCY: &str = "label=Knowsley+Council+tenancy+reference&name=knowsley-tenancy-ref&charset=alphanumeric&min_len=6&max_len=10";

#[test]
fn import_and_filter_with_another_identifier_kind() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    ok(charter(&data, &["generate", "--projects", "2"]));
    let org = an_organisation(&data);
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("CHARTER_OPTOUT_SECRET")
            .stderr(Stdio::null()),
    );
    set_up_kind(&data, &server, TENANCY);
    server.stop();

    // A list mixing kinds: the same characters as a tenancy reference and as an NHS number are
    // two different people.
    let list = data.join("list.csv");
    std::fs::write(
        &list,
        "identifier,kind,scope\nkt-123456,knowsley-tenancy-ref,ai-training\n9434765919,knowsley-tenancy-ref,ai-training\n401 023 2137,,ai-training\n",
    )
    .unwrap();
    assert!(
        ok(charter(
            &data,
            &["optout", "import", list.to_str().unwrap()]
        ))
        .contains("Loaded 3 opt-outs for 3 people")
    );
    std::fs::write(
        &list,
        "identifier,kind,scope\nKT 99,knowsley-tenancy-ref,ai-training\n123456,council-tax,ai-training\n",
    )
    .unwrap();
    let e = err(&charter(
        &data,
        &["optout", "import", list.to_str().unwrap()],
    ));
    assert!(
        e.contains("nothing was loaded")
            && e.contains("line 2")
            && e.contains("line 3: there is no identifier kind “council-tax”; the kinds are: nhs-number, knowsley-tenancy-ref"),
        "{e}"
    );

    let snap = data.join("snap.bin");
    ok(charter(
        &data,
        &[
            "optout",
            "snapshot",
            "--organisation",
            &org,
            "--out",
            snap.to_str().unwrap(),
        ],
    ));
    let key = ok(charter(&data, &["optout", "public-key"]))
        .trim()
        .to_owned();
    let input = data.join("tenants.csv");
    std::fs::write(
        &input,
        "tenancy,nhs\nKT123456,9434765919\n943 476 5919,4010232137\nAB-000001,4505577104\nx,4505577104\n",
    )
    .unwrap();
    let out = data.join("kept.csv");
    let filter = |column: &str, kind: Option<&str>| {
        let mut args = vec![
            "optout",
            "filter",
            "--snapshot",
            snap.to_str().unwrap(),
            "--organisation",
            &org,
            "--input",
            input.to_str().unwrap(),
            "--column",
            column,
            "--scope",
            "ai-training",
            "--out",
            out.to_str().unwrap(),
            "--public-key",
            &key,
        ];
        if let Some(kind) = kind {
            args.extend(["--kind", kind]);
        }
        charter(&data, &args)
    };
    // By tenancy reference: two opted out (written differently from the list), one kept, one
    // too short to be a reference.
    ok(filter("tenancy", Some("knowsley-tenancy-ref")));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "tenancy,nhs\nAB-000001,4505577104\n"
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("kept.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["identifier_kind"], "knowsley-tenancy-ref");
    assert_eq!(manifest["rows_removed"], 2);
    assert_eq!(manifest["rows_invalid"], 1);
    // By NHS number (the default): only the NHS number opted out as one is removed, not the
    // tenancy reference with the same digits.
    ok(filter("nhs", None));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "tenancy,nhs\nKT123456,9434765919\nAB-000001,4505577104\nx,4505577104\n"
    );
    let e = err(&filter("tenancy", Some("council-tax")));
    assert!(
        e.contains("does not know the identifier kind “council-tax”")
            && e.contains("knowsley-tenancy-ref"),
        "{e}"
    );
}

#[test]
fn filter_reports_its_check_to_the_register() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    ok(charter(&data, &["generate", "--projects", "2"]));
    let org = an_organisation(&data);
    let list = data.join("list.csv");
    std::fs::write(&list, "nhs_number,scope\n9434765919,ai-training\n").unwrap();
    ok(charter(
        &data,
        &["optout", "import", list.to_str().unwrap()],
    ));
    let token = ok(charter(
        &data,
        &[
            "org",
            "token",
            "create",
            "--organisation",
            &org,
            "--owner",
            &token_owner(&data, &org),
            "--label",
            "reports",
        ],
    ))
    .trim()
    .to_owned();
    let snap = data.join("snap.bin");
    ok(charter(
        &data,
        &[
            "optout",
            "snapshot",
            "--organisation",
            &org,
            "--out",
            snap.to_str().unwrap(),
        ],
    ));
    let key = ok(charter(&data, &["optout", "public-key"]))
        .trim()
        .to_owned();
    let input = data.join("data.csv");
    std::fs::write(&input, "id,nhs_number\n1,943 476 5919\n2,4010232137\n3,x\n").unwrap();
    let out = data.join("kept.csv");
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env_remove("CHARTER_OPTOUT_SECRET")
            .stderr(Stdio::null()),
    );
    let register = format!("http://{}", server.addr);
    let run = |report_to: &str, token: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.arg("--data-dir").arg(&data).args([
            "optout",
            "filter",
            "--snapshot",
            snap.to_str().unwrap(),
            "--organisation",
            &org,
            "--input",
            input.to_str().unwrap(),
            "--column",
            "nhs_number",
            "--scope",
            "ai-training",
            "--out",
            out.to_str().unwrap(),
            "--public-key",
            &key,
            "--report-to",
            report_to,
        ]);
        cmd.env_remove("CHARTER_OPTOUT_SECRET")
            .env_remove("CHARTER_TOKEN");
        if let Some(t) = token {
            cmd.env("CHARTER_TOKEN", t);
        }
        cmd.output().unwrap()
    };

    // No token: refused before anything is filtered.
    let e = err(&run(&register, None));
    assert!(e.contains("set CHARTER_TOKEN"), "{e}");
    assert!(!out.exists());
    let e = err(&run("register.example", Some(&token)));
    assert!(e.contains("is not a register's address"), "{e}");

    let done = run(&register, Some(&token));
    let said = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{said}");
    assert!(
        said.contains("Reported to the register: Recorded: a check of 3 rows"),
        "{said}"
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "id,nhs_number\n2,4010232137\n"
    );
    // The same run again is the same check: it counts once, and a report sent by hand too.
    let again = run(&register, Some(&token));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already reported"));
    let manifest = data.join("kept.manifest.json");
    let by_hand = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data)
        .args([
            "optout",
            "report",
            manifest.to_str().unwrap(),
            "--to",
            &register,
        ])
        .env("CHARTER_TOKEN", &token)
        .output()
        .unwrap();
    assert!(ok(by_hand).contains("already reported"));

    // A refused report: the files are complete, the command fails and says how to send it later.
    let refused = run(&register, Some("chr_not_a_token"));
    let e = err(&refused);
    assert!(
        e.contains("could not be reported")
            && e.contains("refused the report (401)")
            && e.contains("charter optout report"),
        "{e}"
    );
    assert!(!e.contains("chr_not_a_token"), "the token is never printed");
    assert!(out.exists());
    let figures = server.get("/opt-out/figures");
    server.stop();
    // Named as people know it, not by its short name.
    let name = organisation_name(&data, &org);
    assert!(figures.contains(&format!(">{name}<")), "{figures}");
    // Nobody listening.
    let e = err(&run("http://127.0.0.1:9", Some(&token)));
    assert!(e.contains("cannot reach"), "{e}");
}

/// Every way an NHS number might be written down.
fn forms(digits: &str) -> Vec<String> {
    vec![
        digits.to_owned(),
        format!("{} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
        format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]),
    ]
}

#[test]
fn no_nhs_number_is_stored_or_logged_in_clear() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    ok(charter(&data, &["generate", "--projects", "2"]));
    let list = data.join("list.csv");
    std::fs::write(&list, "nhs_number,scope\n4010232137,ai-training\n").unwrap();
    ok(charter(
        &data,
        &["optout", "import", list.to_str().unwrap()],
    ));
    std::fs::remove_file(&list).unwrap();

    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env("CHARTER_LOG", "debug")
            .stderr(Stdio::piped()),
    );
    for number in ["943+476+5919", "9434765918"] {
        let body = format!("scope=ai-training&for=me&nhs_number={number}");
        let response = server.request("POST", "/opt-out", FORM, &body);
        assert!(
            response.starts_with("HTTP/1.1 303") || response.starts_with("HTTP/1.1 400"),
            "{response}"
        );
    }
    // Another identifier kind, given through the form: kept no more in clear than NHS numbers.
    set_up_kind(&data, &server, TENANCY);
    for (reference, status) in [("KT+778899", "303"), ("KT7788990011", "400")] {
        let body = format!("scope=ai-training&for=me&identifier-knowsley-tenancy-ref={reference}");
        let response = server.request("POST", "/opt-out", FORM, &body);
        assert!(
            response.starts_with(&format!("HTTP/1.1 {status}")),
            "{response}"
        );
    }
    server.stop();
    let mut logs = String::new();
    server
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    assert!(
        logs.contains("DEBUG") || logs.contains("INFO"),
        "the server logged something: {logs}"
    );
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&data).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert!(files.iter().any(|(p, _)| p.ends_with("charter.sqlite")));
    for clear in ["KT778899", "KT 778899", "kt778899", "KT7788990011"] {
        assert!(!logs.contains(clear), "the logs hold {clear}");
        for (path, bytes) in &files {
            assert!(
                !bytes.windows(clear.len()).any(|w| w == clear.as_bytes()),
                "{path} holds {clear}"
            );
        }
    }
    for digits in ["4010232137", "9434765919", "9434765918"] {
        for form in forms(digits) {
            assert!(!logs.contains(&form), "the logs hold {form}");
            for (path, bytes) in &files {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                    "{path} holds {form}"
                );
            }
        }
    }
}

#[test]
fn the_api_and_the_command_line_keep_the_same_rows() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    ok(charter(&data, &["generate", "--projects", "2"]));
    let org = an_organisation(&data);
    let list = data.join("list.csv");
    std::fs::write(
        &list,
        format!("nhs_number,scope\n9434765919,ai-decisions\n4010232137,organisation:{org}\n"),
    )
    .unwrap();
    ok(charter(
        &data,
        &["optout", "import", list.to_str().unwrap()],
    ));
    let token = ok(charter(
        &data,
        &[
            "org",
            "token",
            "create",
            "--organisation",
            &org,
            "--owner",
            &token_owner(&data, &org),
            "--label",
            "tests",
        ],
    ))
    .trim()
    .to_owned();
    assert!(token.starts_with("chr_"));
    let dataset = "id,nhs_number,notes\r\n1,943 476 5919,\"a, b\"\r\n2,401 023 2137,x\r\n3,450 557 7104,\"multi\nline\"\r\n4,not a number,y\r\n";

    // The command line.
    let input = data.join("data.csv");
    std::fs::write(&input, dataset).unwrap();
    let snap = data.join("snap.bin");
    ok(charter(
        &data,
        &[
            "optout",
            "snapshot",
            "--organisation",
            &org,
            "--out",
            snap.to_str().unwrap(),
        ],
    ));
    let out = data.join("kept.csv");
    ok(charter(
        &data,
        &[
            "optout",
            "filter",
            "--snapshot",
            snap.to_str().unwrap(),
            "--organisation",
            &org,
            "--input",
            input.to_str().unwrap(),
            "--column",
            "nhs_number",
            "--scope",
            "ai-decisions",
            "--out",
            out.to_str().unwrap(),
        ],
    ));
    let cli_kept = std::fs::read_to_string(&out).unwrap();

    // The API, through a running server.
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::null()),
    );
    let post = |auth: &str, query: &str| {
        let headers = format!("{auth}Content-Type: text/csv\r\n");
        server.request(
            "POST",
            &format!("/api/v1/optout/check?{query}"),
            &headers,
            dataset,
        )
    };
    let auth = format!("Authorization: Bearer {token}\r\n");
    let no_token = post("", "column=nhs_number&scope=ai-decisions");
    let wrong_token = post(
        "Authorization: Bearer chr_nope\r\n",
        "column=nhs_number&scope=ai-decisions",
    );
    let bad_column = post(&auth, "column=nhs&scope=ai-decisions");
    let response = post(&auth, "column=nhs_number&scope=ai-decisions");
    let figures = server.get("/opt-out/figures");
    server.stop();
    assert!(
        no_token.starts_with("HTTP/1.1 401") && no_token.contains("www-authenticate: Bearer"),
        "{no_token}"
    );
    assert!(wrong_token.starts_with("HTTP/1.1 401"), "{wrong_token}");
    assert!(
        bad_column.starts_with("HTTP/1.1 400") && bad_column.contains("nhs_number"),
        "{bad_column}"
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["kept_csv"].as_str().unwrap(), cli_kept);
    assert_eq!(
        cli_kept,
        "id,nhs_number,notes\r\n3,450 557 7104,\"multi\nline\"\r\n"
    );
    assert_eq!(json["manifest"]["rows_removed"], 2);
    assert_eq!(json["manifest"]["rows_invalid"], 1);
    // The check is counted in the public figures.
    // Named as people know it, not by its short name.
    let name = organisation_name(&data, &org);
    assert!(figures.contains(&format!(">{name}<")), "{figures}");
    // Revoked tokens stop working.
    let listed = ok(charter(
        &data,
        &["org", "token", "list", "--organisation", &org],
    ));
    let id = listed.split('\t').next().unwrap().to_owned();
    ok(charter(&data, &["org", "token", "revoke", &id]));
    assert!(
        !charter(&data, &["org", "token", "revoke", &id])
            .status
            .success()
    );
}

#[test]
fn resident_forms_are_rate_limited() {
    let tmp = temp_dir();
    let data = tmp.path().to_path_buf();
    let mut server = Served::start(
        Command::new(BIN)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .stderr(Stdio::null()),
    );
    let statuses: Vec<String> = (0..22)
        .map(|_| {
            let body = "scope=ai-training&for=me&nhs_number=123";
            let response = server.request("POST", "/opt-out", FORM, body);
            response.split(' ').nth(1).unwrap_or("").to_owned()
        })
        .collect();
    // Password resets have their own count: the opt-out posts above do not use it up, and a
    // flood of resets is refused in the same way.
    let resets: Vec<String> = (0..22)
        .map(|_| {
            let response = server.request(
                "POST",
                "/account/reset-password",
                FORM,
                "email=someone%40x.example",
            );
            response.split(' ').nth(1).unwrap_or("").to_owned()
        })
        .collect();
    server.stop();
    assert!(statuses[..20].iter().all(|s| s == "400"), "{statuses:?}");
    assert_eq!(statuses[20], "429");
    assert!(resets[..20].iter().all(|s| s == "200"), "{resets:?}");
    assert_eq!(resets[20], "429");
}
