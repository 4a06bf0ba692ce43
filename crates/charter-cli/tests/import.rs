//! `charter import` as a user runs it on a list in another register's shape: choosing columns
//! with --map, giving missing fields one value for every row with --set, and files it cannot
//! read refused with one message.

mod common;

use common::{charter, err, out, temp_dir};
use tempfile::TempDir;

/// The UK Algorithmic Transparency Recording Standard's shape (made-up rows).
const ATRS: &str = include_str!("../../../tests/fixtures/atrs-shaped.csv");

/// A register with organisations, and the short name of one.
fn register() -> (TempDir, String) {
    let dir = temp_dir();
    assert!(
        charter(&dir, &["generate", "--projects", "1"])
            .status
            .success()
    );
    let export = out(&charter(&dir, &["export", "--format", "json"]));
    let register: serde_json::Value = serde_json::from_str(&export).unwrap();
    let org = register["projects"][0]["organisation"]
        .as_str()
        .unwrap()
        .to_owned();
    (dir, org)
}

const COLUMNS: [&str; 10] = [
    "--map",
    "Publishing body=ignore",
    "--map",
    "Tool name=title",
    "--map",
    "Description=summary",
    "--map",
    "Web address=website",
    "--map",
    "Date published=ignore",
];

#[test]
fn an_atrs_list_imports_with_columns_chosen_and_values_set_for_every_row() {
    let (dir, org) = register();
    let file = dir.path().join("atrs.csv");
    std::fs::write(&file, ATRS).unwrap();
    let path = file.to_str().unwrap();
    // As it comes: each column and each missing field said once, with how to fix it.
    let first = charter(&dir, &["import", path, "--organisation", &org, "--dry-run"]);
    let said = out(&first);
    assert_eq!(first.status.code(), Some(1), "{said}{}", err(&first));
    assert!(
        said.contains("Column “Tool name”: Choose the field"),
        "{said}"
    );
    assert_eq!(said.matches("No row has “Status”").count(), 1, "{said}");
    assert!(said.contains("give one value for all rows"), "{said}");
    assert!(said.contains("--set field=value"), "{said}");
    assert!(said.contains("9 problems: nothing was imported"), "{said}");
    // Choices by label or another common word, in any case.
    let mut args = vec!["import", path, "--organisation", &org];
    args.extend(COLUMNS);
    args.extend([
        "--set",
        "status=Live",
        "--set",
        "uses_ai=Yes",
        "--set",
        "decision_role=Supports a person who decides",
    ]);
    let dry: Vec<&str> = args.iter().copied().chain(["--dry-run"]).collect();
    let checked = charter(&dir, &dry);
    assert!(
        checked.status.success(),
        "{}{}",
        out(&checked),
        err(&checked)
    );
    assert!(out(&checked).contains("every row: status = Live"));
    assert!(out(&checked).contains("10 entries are ready"));
    let done = charter(&dir, &args);
    let said = out(&done);
    assert!(done.status.success(), "{said}{}", err(&done));
    assert!(said.contains("Clinic Letter Summariser (draft"), "{said}");
    assert!(said.contains("Imported 10 entries as drafts"), "{said}");
}

#[test]
fn a_bad_set_says_what_is_allowed() {
    let (dir, org) = register();
    let file = dir.path().join("atrs.csv");
    std::fs::write(&file, ATRS).unwrap();
    let path = file.to_str().unwrap();
    let with = |set: &str| {
        let mut args = vec!["import", path, "--organisation", &org, "--dry-run"];
        args.extend(COLUMNS);
        args.extend(["--set", set]);
        charter(&dir, &args)
    };
    let unknown = with("stauts=in-use");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(err(&unknown).contains("--set stauts=in-use: “stauts” is not a field of an entry. The fields are: title, team, status"), "{}", err(&unknown));
    let bad = with("status=finished");
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        err(&bad).contains("Status: “finished” is not one of the choices. Use one of “Planned”, “In development”, “Pilot”, “In use”, “Paused” or “Retired”"),
        "{}",
        err(&bad)
    );
    let shapeless = with("status");
    assert!(
        err(&shapeless).contains("write it as field=value"),
        "{}",
        err(&shapeless)
    );
    let yes_no = with("uses_ai=perhaps");
    assert!(
        err(&yes_no).contains("“perhaps” is not yes or no"),
        "{}",
        err(&yes_no)
    );
}

#[test]
fn files_that_cannot_be_read_get_one_message_and_nothing_is_written() {
    let (dir, org) = register();
    let file = dir.path().join("list.csv");
    let path = file.to_str().unwrap();
    let too_many = format!(
        "title,status,uses_ai,decision_role\n{}",
        "Lights,in-use,no,information-only\n".repeat(5_001)
    );
    let cases: [(&[u8], &str); 4] = [
        (
            b"PK\x03\x04\x14\x00\x06\x00workbook",
            "This file is a spreadsheet workbook (such as .xlsx), not a CSV file. In your spreadsheet, choose Save as and then “CSV UTF-8”",
        ),
        (
            b"Street lights,in-use,2024-03-01\nBuses,pilot,2024-04-01\n",
            "Row 1 must name the columns",
        ),
        (
            b"title,Status,status\nLights,planned,pilot\n",
            "Columns 2 and 3 are both called “status”",
        ),
        (too_many.as_bytes(), "The file has more than 5000 rows"),
    ];
    for (bytes, said) in cases {
        std::fs::write(&file, bytes).unwrap();
        let o = charter(&dir, &["import", path, "--organisation", &org]);
        assert_eq!(o.status.code(), Some(2), "{said}: {}", out(&o));
        let e = err(&o);
        assert!(e.contains(said), "{said}: {e}");
        assert_eq!(e.lines().count(), 1, "one message: {e}");
        assert!(out(&o).is_empty(), "{}", out(&o));
    }
    // Nothing was written: the next import's first draft is the first after the register's own.
    std::fs::write(
        &file,
        "title,status,uses_ai,decision_role\nLights,in-use,no,information-only\n",
    )
    .unwrap();
    let o = charter(&dir, &["import", path, "--organisation", &org]);
    assert!(out(&o).contains("(draft 1)"), "{}{}", out(&o), err(&o));
}
