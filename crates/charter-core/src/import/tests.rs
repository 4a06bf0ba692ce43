use super::*;

fn org() -> Slug {
    "knowsley-council".parse().unwrap()
}

fn today() -> Date {
    "2026-11-30".parse().unwrap()
}

fn plain(csv: &str) -> ImportReport {
    read(csv, &org(), &Columns::default(), today())
}

fn said(r: &ImportReport) -> Vec<String> {
    r.problems.iter().map(ToString::to_string).collect()
}

#[test]
fn reads_rows_by_field_name_or_label_with_lists_split() {
    let csv = "Project name,status,uses_ai,decision_role,Areas it covers,topics,summary\n\
               Street lights,in-use,no,information-only,knowsley; halton,environment,Lights dim at night.\n\
               Bus times,pilot,yes,supports-person,knowsley,transport,\"Times, live.\"\n";
    let r = plain(csv);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.entries.len(), 2);
    let (row, first) = &r.entries[0];
    assert_eq!(*row, 2);
    assert_eq!(first.title.as_str(), "Street lights");
    assert_eq!(first.areas.len(), 2);
    assert_eq!(first.slug.as_str(), "street-lights");
    assert_eq!(first.organisation, org());
    assert_eq!(r.entries[1].1.summary, "Times, live.");
}

#[test]
fn choices_are_read_by_label_or_other_word_in_any_case() {
    let csv = "title,Status,Does it use AI?,decision_role,areas\n\
               Lights,Live,Yes,Gives information only,St Helens; KNOWSLEY\n\
               Buses,in use,N,supports a person who decides,whole city region\n";
    let r = plain(csv);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    let (_, lights) = &r.entries[0];
    assert_eq!(lights.status.slug(), "in-use");
    assert!(lights.uses_ai);
    assert_eq!(lights.areas.len(), 2);
    assert_eq!(r.entries[1].1.decision_role.slug(), "supports-person");
}

#[test]
fn every_problem_names_its_row_and_column_and_the_choices() {
    let csv = "title,status,uses_ai,decision_role,start_date,Owner\n\
               Good one,planned,no,information-only,2026-01-01,x\n\
               ,finished,maybe,information-only,31/02/2026,y\n";
    let r = plain(csv);
    let said = said(&r);
    assert!(
        said.iter()
            .any(|p| p.starts_with("Column “Owner”: Choose the field")),
        "{said:?}"
    );
    for column in ["title", "status", "uses_ai", "start_date"] {
        assert!(
            said.iter()
                .any(|p| p.starts_with(&format!("Row 3, column “{column}”"))),
            "{column}: {said:?}"
        );
    }
    assert!(
        said.iter()
            .any(|p| p.contains("“finished” is not one of the choices")
                && p.contains("“Planned”")
                && p.contains("“In use”")),
        "{said:?}"
    );
    assert!(!said.iter().any(|p| p.starts_with("Row 2")), "{said:?}");
}

#[test]
fn rows_are_the_spreadsheets_rows_whatever_the_cells_hold() {
    // A cell with line breaks is still one row; a blank row is a row too.
    let csv = "title,status,uses_ai,decision_role,summary\n\
               Lights,in-use,no,information-only,\"Two\nlines\"\n\
               ,,,,\n\
               Buses,gone,no,information-only,One\n";
    let r = plain(csv);
    assert_eq!(
        said(&r),
        [
            "Row 4, column “status”: “gone” is not one of the choices. Use one of “Planned”, “In development”, “Pilot”, “In use”, “Paused” or “Retired”"
        ]
    );
}

#[test]
fn a_problem_on_every_row_is_said_once() {
    let csv = "title,uses_ai,decision_role,status\n\
               A,no,information-only,gone\n\
               B,no,information-only,gone\n\
               C,no,information-only,planned\n\
               D,no,information-only,gone\n";
    let r = plain(
        &csv.replace(",status", "")
            .replace(",gone", "")
            .replace(",planned", ""),
    );
    assert_eq!(
        said(&r),
        ["No row has “Status”: choose the column that holds it, or give one value for all rows"]
    );
    assert_eq!(r.missing, ["status"]);
    let r = plain(csv);
    assert_eq!(r.problems.len(), 1, "{:?}", said(&r));
    assert!(said(&r)[0].starts_with("Rows 2, 3 and 5, column “status”: “gone”"));
    let r = plain(&csv.replace("planned", "gone"));
    assert!(said(&r)[0].starts_with("Every row, column “status”: “gone”"));
}

#[test]
fn a_value_can_be_given_for_every_row() {
    let csv = "Tool name,Description\nLights,Dims the lights.\nBuses,Shows bus times.\n";
    let columns = Columns {
        mapping: HashMap::from([
            ("Tool name".to_owned(), Target::Field("title".into())),
            ("Description".to_owned(), Target::Field("summary".into())),
        ]),
        set: vec![
            ("status".into(), "Live".into()),
            ("uses_ai".into(), "yes".into()),
            ("decision_role".into(), "supports-person".into()),
            ("areas".into(), "knowsley; halton".into()),
        ],
    };
    let r = read(csv, &org(), &columns, today());
    assert!(r.problems.is_empty(), "{:?}", said(&r));
    assert!(
        r.entries
            .iter()
            .all(|(_, e)| e.uses_ai && e.areas.len() == 2)
    );
    let mut bad = columns.clone();
    bad.set = vec![
        ("status".into(), "finished".into()),
        ("stauts".into(), "in-use".into()),
        ("title".into(), "Same".into()),
    ];
    let r = read(csv, &org(), &bad, today());
    let said = said(&r);
    assert!(
        said.iter()
            .any(|p| p.contains("Status: “finished” is not one of the choices")),
        "{said:?}"
    );
    assert!(
        said.iter()
            .any(|p| p.contains("“stauts” is not a field") && p.contains("decision_role")),
        "{said:?}"
    );
    assert!(said.iter().any(|p| p.contains("its own name")), "{said:?}");
}

#[test]
fn a_mapping_names_or_ignores_columns() {
    let csv = "Name,State,AI?,Role,Internal ref\nLights,in-use,no,information-only,A-17\n";
    let mut m = HashMap::new();
    m.insert("Name".to_owned(), Target::Field("title".into()));
    m.insert("State".to_owned(), Target::Field("status".into()));
    m.insert("AI?".to_owned(), Target::Field("uses_ai".into()));
    m.insert("Role".to_owned(), Target::Field("decision_role".into()));
    m.insert("Internal ref".to_owned(), Target::Ignore);
    let mut columns = Columns {
        mapping: m,
        set: Vec::new(),
    };
    let r = read(csv, &org(), &columns, today());
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    columns
        .mapping
        .insert("Role".to_owned(), Target::Field("status".into()));
    columns
        .mapping
        .insert("Nmae".to_owned(), Target::Field("title".into()));
    let r = read(csv, &org(), &columns, today());
    assert!(
        said(&r).contains(
            &"No column is called “Nmae”. The columns are: Name, State, AI?, Role, Internal ref"
                .to_owned()
        ),
        "{:?}",
        r.problems
    );
    assert!(
        r.problems[0].message.contains("already holds Status"),
        "{:?}",
        r.problems
    );
}

#[test]
fn the_five_duty_holders_are_told_apart() {
    let roles: Vec<String> = choices()
        .into_iter()
        .flat_map(|(_, fields)| fields)
        .filter(|(path, _)| path.ends_with("_owner.role"))
        .map(|(_, label)| label)
        .collect();
    assert_eq!(roles.len(), 5, "{roles:?}");
    let distinct: HashSet<&String> = roles.iter().collect();
    assert_eq!(distinct.len(), 5, "{roles:?}");
    assert!(
        roles.contains(&"Who addresses bias in data and algorithms: Job title or role".to_owned())
    );
    assert_eq!(
        guess("Senior person accountable: Name").as_deref(),
        Some("accountable_owner.name")
    );
}

#[test]
fn a_problem_in_a_field_with_no_column_names_the_field() {
    let csv = "title,status,uses_ai,decision_role,Senior person accountable: Name\n\
               A,planned,no,information-only,Sam Lee\n";
    assert_eq!(
        said(&plain(csv)),
        ["Row 2: Enter job title or role (Senior person accountable: Job title or role)"]
    );
}

#[test]
fn bad_files_are_refused_with_one_message() {
    let refused = |csv: &str| {
        let r = plain(csv);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(r.refused().is_some() && r.entries.is_empty());
        r.problems[0].message.clone()
    };
    assert!(refused("").contains("empty"));
    assert!(
        refused("Street lights,in-use,2024-03-01\nBuses,pilot,2024-04-01\n")
            .contains("looks like an answer")
    );
    assert!(refused("title,status,,uses_ai\nA,planned,,no\n").contains("Column 3 has no name"));
    assert!(
        refused("title,Status,status\nA,planned,pilot\n")
            .contains("Columns 2 and 3 are both called “status”")
    );
    let many = format!(
        "title,status,uses_ai,decision_role\n{}",
        "A,planned,no,information-only\n".repeat(MAX_ROWS + 1)
    );
    assert!(refused(&many).contains("more than 5000 rows"));
    assert!(
        plain(&many.replacen("A,planned,no,information-only\n", "", 1))
            .problems
            .is_empty()
    );
    let r = plain("title,status,uses_ai,decision_role\n");
    assert!(
        r.problems[0].message.contains("no entries"),
        "{:?}",
        r.problems
    );
    let r = plain("title,status,uses_ai,decision_role\nA,planned,no,information-only,extra\n");
    assert_eq!(
        said(&r),
        [
            "Row 2: This row has 5 cells but the header has 4 columns. Check for a comma outside quotes"
        ]
    );
    let r = plain("status\nplanned\n");
    assert!(
        said(&r)
            .iter()
            .any(|p| p.contains("No row has “Project name”")),
        "{:?}",
        r.problems
    );
}

#[test]
fn only_text_is_read_as_csv() {
    assert!(
        text(b"PK\x03\x04\x14\x00rest of a workbook".to_vec())
            .unwrap_err()
            .contains("workbook")
    );
    assert!(text(b"%PDF-1.7".to_vec()).unwrap_err().contains("PDF"));
    assert!(
        text(vec![b'a', 0, b'b'])
            .unwrap_err()
            .contains("not a CSV file")
    );
    assert!(text(vec![0x93, b'a', 0x94]).unwrap_err().contains("UTF-8"));
    assert_eq!(text("\u{feff}title\nA\n".into()).unwrap(), "title\nA\n");
}
