//! `charter org add`, `list` and `edit`: the signatories of a register that starts empty.

mod common;

use common::{charter, err, out, temp_dir};

const HMRC: &[&str] = &[
    "org",
    "add",
    "--name",
    "HM Revenue and Customs",
    "--slug",
    "hmrc",
    "--kind",
    "Central government department or agency",
    "--borough",
    "liverpool",
    "--borough",
    "sefton",
    "--signed-on",
    "2026-01-05",
    "--contact-email",
    "ai@hmrc.example",
    "--dpo-email",
    "dpo@hmrc.example",
];

#[test]
fn an_empty_register_gets_its_signatories() {
    let dir = temp_dir();
    let added = charter(&dir, HMRC);
    assert!(added.status.success(), "{}", err(&added));
    assert!(out(&added).contains("Added HM Revenue and Customs (ORG-0001) as hmrc"));
    // The short name is made from the name when not given.
    let council = charter(
        &dir,
        &[
            "org",
            "add",
            "--name",
            "Halton Council",
            "--kind",
            "council",
            "--borough",
            "Halton",
            "--signed-on",
            "1/2/2026",
            "--contact-email",
            "register@halton.example",
            "--dpo-email",
            "dpo@halton.example",
            "--website",
            "https://halton.example",
        ],
    );
    assert!(
        out(&council).contains("as halton-council"),
        "{}",
        err(&council)
    );

    let listed = out(&charter(&dir, &["org", "list"]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(lines.len(), 2, "{listed}");
    assert!(
        lines[0].starts_with(
            "halton-council\tHalton Council\tcouncil\thalton\tsigned 2026-02-01\tsignatory"
        ),
        "{listed}"
    );
    assert!(
        lines[1].starts_with("hmrc\tHM Revenue and Customs\tcentral-government\tliverpool sefton"),
        "{listed}"
    );
}

#[test]
fn bad_details_are_named_by_option_and_nothing_is_saved() {
    let dir = temp_dir();
    assert!(charter(&dir, HMRC).status.success());
    let mut taken = HMRC.to_vec();
    taken[3] = "hm revenue and customs";
    let again = charter(&dir, &taken);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        err(&again).contains("--slug: The short name “hmrc” is taken"),
        "{}",
        err(&again)
    );

    let bad = charter(
        &dir,
        &[
            "org",
            "add",
            "--name",
            "Later Trust",
            "--kind",
            "charity",
            "--signed-on",
            "2999-01-01",
            "--contact-email",
            "nobody",
            "--dpo-email",
            "dpo@later.example",
            "--website",
            "later.example",
        ],
    );
    let said = err(&bad);
    assert_eq!(bad.status.code(), Some(1));
    for expected in [
        "--kind: “charity” is not a kind of organisation",
        "--borough: Choose at least one borough",
        "--signed-on: The date it signed must be today or earlier",
        "--contact-email: “nobody” is not an email address",
        "--website: “later.example” is not a web address",
    ] {
        assert!(said.contains(expected), "{expected} in {said}");
    }
    assert_eq!(out(&charter(&dir, &["org", "list"])).lines().count(), 1);
}

#[test]
fn edit_changes_details_retires_and_names_the_closest_for_a_typo() {
    let dir = temp_dir();
    assert!(charter(&dir, HMRC).status.success());
    let typo = charter(&dir, &["org", "edit", "hmcr", "--name", "HMRC"]);
    assert_eq!(typo.status.code(), Some(1));
    assert!(err(&typo).contains("Did you mean hmrc?"), "{}", err(&typo));
    assert!(err(&typo).contains("charter org add"), "{}", err(&typo));

    let moved = charter(&dir, &["org", "edit", "hmrc", "--slug", "hm-revenue"]);
    assert!(
        err(&moved).contains("--slug: The short name cannot change"),
        "{}",
        err(&moved)
    );
    let nothing = charter(&dir, &["org", "edit", "hmrc"]);
    assert!(
        err(&nothing).contains("nothing to change"),
        "{}",
        err(&nothing)
    );

    let renamed = charter(
        &dir,
        &["org", "edit", "hmrc", "--name", "HMRC", "--kind", "company"],
    );
    assert!(renamed.status.success(), "{}", err(&renamed));
    let retired = charter(&dir, &["org", "edit", "hmrc", "--retire"]);
    assert!(
        out(&retired).contains("Retired HMRC (hmrc)"),
        "{}",
        err(&retired)
    );
    let listed = out(&charter(&dir, &["org", "list"]));
    assert!(listed.starts_with("hmrc\tHMRC\tcompany\t"), "{listed}");
    assert!(listed.contains("\tretired 20"), "{listed}");
    let back = charter(&dir, &["org", "edit", "hmrc", "--reinstate"]);
    assert!(
        out(&back).contains("is a signatory again"),
        "{}",
        err(&back)
    );

    // An import for an organisation nobody added says how to add it.
    let csv = dir.path().join("list.csv");
    std::fs::write(&csv, "Title,Summary\nA,B\n").unwrap();
    let import = charter(
        &dir,
        &["import", csv.to_str().unwrap(), "--organisation", "hmr"],
    );
    assert!(
        err(&import).contains("Did you mean hmrc?"),
        "{}",
        err(&import)
    );
}
