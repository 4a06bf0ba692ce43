use super::*;

fn complete() -> Project {
    serde_json::from_str(include_str!("../../tests/fixtures/check-complete.json")).unwrap()
}

/// What the editor writes: everything except the fields the register itself keeps.
fn editable_input(p: &Project) -> Vec<(String, String)> {
    let mut doc = serde_json::to_value(p).unwrap();
    let m = doc.as_object_mut().unwrap();
    for kept_by_register in [
        "id",
        "slug",
        "organisation",
        "first_published",
        "last_updated",
    ] {
        m.remove(kept_by_register);
    }
    input_from_json(&doc)
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn message_for<'a>(errors: &'a [FieldError], field: &str) -> &'a str {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.as_str())
        .unwrap_or_else(|| panic!("no error for {field}: {errors:?}"))
}

#[test]
fn every_field_of_a_complete_entry_round_trips_through_the_forms() {
    let p = complete();
    let input = editable_input(&p);
    // Every value the complete entry holds has a field that reads it back.
    for (name, _) in &input {
        assert!(known(name), "no editor field for {name}");
    }
    // Starting from an empty entry, the answers rebuild the same entry.
    let mut blank = p.clone();
    let doc = serde_json::json!({
        "id": p.id, "slug": p.slug, "title": "x", "organisation": p.organisation,
        "status": "planned", "areas": [], "topics": [], "first_published": p.first_published,
        "last_updated": p.last_updated, "summary": "", "uses_ai": false,
        "decision_role": "information-only"
    });
    blank = serde_json::from_value(doc).unwrap_or(blank);
    let rebuilt = apply_all(&input, &blank).unwrap();
    assert_eq!(rebuilt, p);
}

#[test]
fn a_complete_entry_completes_every_needed_section() {
    let p = complete();
    for s in SECTIONS {
        let (progress, missing) = progress(s, &p);
        assert!(
            matches!(progress, Progress::Completed),
            "{}: {progress:?}, missing {missing:?}",
            s.slug
        );
    }
}

#[test]
fn a_new_entry_shows_what_is_left() {
    let mut p = complete();
    p.summary.clear();
    p.how_it_works = None;
    p.data_used = None;
    p.contact_email = None;
    p.website = None;
    let (progress, missing) = progress(section("summary").unwrap(), &p);
    assert_eq!(progress, Progress::NotStarted);
    assert!(missing.contains(&"Summary"), "{missing:?}");
    p.outcome_reports.clear();
    assert_eq!(
        super::progress(section("outcomes").unwrap(), &p).0,
        Progress::Optional
    );
}

#[test]
fn part_of_a_group_needs_its_required_answers() {
    let p = complete();
    let input = pairs(&[
        ("challenge_route.email", "appeals@example.org"),
        ("accountable_owner.name", "Sam Jones"),
    ]);
    let errors = apply(section("responsibility").unwrap(), &input, &p).unwrap_err();
    assert_eq!(
        message_for(&errors, "challenge_route.how"),
        "Enter how to challenge a decision"
    );
    assert_eq!(
        message_for(&errors, "accountable_owner.role"),
        "Enter job title or role"
    );
    // The declaration was left blank as a whole: no error, it is simply not given.
    assert!(!errors.iter().any(|e| e.field.starts_with("declaration")));
}

#[test]
fn a_blank_group_is_removed_and_answers_are_kept() {
    let p = complete();
    let mut input = editable_input(&p);
    input.retain(|(k, _)| !k.starts_with("supplier."));
    let saved = apply(section("ai").unwrap(), &input, &p).unwrap();
    assert_eq!(saved.supplier, None);
    assert_eq!(saved.human_oversight, p.human_oversight);
}

#[test]
fn answers_that_do_not_apply_are_dropped() {
    let p = complete();
    let input = pairs(&[
        ("uses_ai", "no"),
        ("ai_kind", "generative"),
        ("decision_role", "information-only"),
    ]);
    let saved = apply(section("ai").unwrap(), &input, &p).unwrap();
    assert!(!saved.uses_ai);
    assert_eq!(saved.ai_kind, None);

    let input = pairs(&[
        ("opt_out.offered", "no"),
        ("opt_out.how", "Write to us"),
        ("opt_out.legal_reason", "The Care Act 2014 requires it."),
        ("reidentification.deidentification", "pseudonymised"),
        ("reidentification.risk_management", "Keys are held apart."),
    ]);
    let saved = apply(section("privacy").unwrap(), &input, &p).unwrap();
    assert_eq!(
        saved.opt_out,
        Some(crate::project::OptOut::No {
            legal_reason: "The Care Act 2014 requires it.".into()
        })
    );
}

#[test]
fn bad_answers_name_their_field() {
    let p = complete();
    let input = pairs(&[
        ("title", ""),
        ("status", "finished"),
        ("start_date", "31/02/2026"),
        ("areas", "mars"),
        ("topics", "housing"),
    ]);
    let errors = apply(section("about").unwrap(), &input, &p).unwrap_err();
    assert_eq!(message_for(&errors, "title"), "Enter project name");
    assert!(message_for(&errors, "status").contains("“finished” is not one of the choices"));
    assert!(message_for(&errors, "start_date").contains("real date"));
    assert!(message_for(&errors, "areas").contains("“mars”"));

    let input = pairs(&[
        ("summary", "Something."),
        ("contact_email", "not an email"),
        ("website", "javascript:alert(1)"),
    ]);
    let errors = apply(section("summary").unwrap(), &input, &p).unwrap_err();
    assert!(message_for(&errors, "contact_email").contains("name@example.org"));
    assert!(message_for(&errors, "website").contains("https://"));

    let long = "x".repeat(LONG_LIMIT + 1);
    let input = pairs(&[("summary", long.as_str())]);
    let errors = apply(section("summary").unwrap(), &input, &p).unwrap_err();
    assert!(message_for(&errors, "summary").contains("5000 characters or fewer"));
}

#[test]
fn dates_are_read_as_people_write_them() {
    assert_eq!(parse_date("31/3/2026").unwrap().to_string(), "2026-03-31");
    assert_eq!(
        parse_date(" 2026-03-31 ").unwrap().to_string(),
        "2026-03-31"
    );
    assert!(parse_date("3/31/2026").is_none());
    assert!(parse_date("tomorrow").is_none());
}

#[test]
fn an_end_before_the_start_is_refused_on_the_end_date() {
    let p = complete();
    let mut input = editable_input(&p);
    input.retain(|(k, _)| !k.ends_with("_date"));
    input.push(("start_date".into(), "2026-05-01".into()));
    input.push(("end_date".into(), "2026-04-01".into()));
    let errors = apply(section("about").unwrap(), &input, &p).unwrap_err();
    assert_eq!(
        message_for(&errors, "end_date"),
        "The end date is before the start date"
    );
}

#[test]
fn lists_drop_blank_items_and_check_the_rest() {
    let p = complete();
    let input = pairs(&[
        ("consultations.0.held_on", "2026-01-10"),
        ("consultations.0.who", "Tenants' panel"),
        ("consultations.0.method", "panel"),
        ("consultations.1.held_on", ""),
        ("consultations.1.who", ""),
        ("consultations.2.who", "Youth forum"),
    ]);
    let errors = apply(section("consultations").unwrap(), &input, &p).unwrap_err();
    assert_eq!(
        message_for(&errors, "consultations.2.held_on"),
        "Enter date"
    );
    assert_eq!(message_for(&errors, "consultations.2.method"), "Choose how");
    assert!(
        !errors
            .iter()
            .any(|e| e.field.starts_with("consultations.0"))
    );

    let saved = apply(section("consultations").unwrap(), &input[..5], &p).unwrap();
    assert_eq!(saved.consultations.len(), 1);
    assert_eq!(saved.consultations[0].who, "Tenants' panel");
}

#[test]
fn a_whole_entry_refuses_names_it_does_not_know() {
    let p = complete();
    let mut input = editable_input(&p);
    input.push(("sumary".into(), "typo".into()));
    let errors = apply_all(&input, &p).unwrap_err();
    assert_eq!(
        message_for(&errors, "sumary"),
        "“sumary” is not a field of an entry"
    );
}

#[test]
fn every_section_and_field_is_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for (s, f) in field_names() {
        assert!(!f.label.is_empty(), "{} has no label", f.path);
        assert!(seen.insert(f.path), "{} is in two sections", f.path);
        if let Some(g) = f.group() {
            assert!(
                s.groups.iter().any(|x| x.path == g),
                "{} has no legend for its group {g}",
                f.path
            );
        }
    }
}

#[test]
fn differences_name_each_changed_answer_in_words() {
    let before = complete();
    let mut after = before.clone();
    after.status = crate::picklists::Status::Paused;
    after.status_reason = Some("Waiting for a new supplier.".into());
    after.consultations.truncate(0);
    let diff = differences(Some(&before), &after);
    let status = diff.iter().find(|d| d.label == "Status").unwrap();
    assert_eq!(
        (status.before.as_str(), status.after.as_str()),
        ("In use", "Paused")
    );
    assert!(
        diff.iter()
            .any(|d| d.label == "Consultation 1: Who took part" && d.after.is_empty())
    );
    assert!(differences(Some(&before), &before).is_empty());
    // A new entry: every answer is new.
    let all = differences(None, &before);
    assert!(
        all.iter()
            .any(|d| d.label == "Summary" && d.before.is_empty())
    );
}

#[test]
fn choosing_nothing_leaves_an_empty_list_and_a_blank_group_away() {
    let p = complete();
    let input = pairs(&[("title", "Lights"), ("status", "planned")]);
    let saved = apply(section("about").unwrap(), &input, &p).unwrap();
    assert!(saved.areas.is_empty() && saved.topics.is_empty());
    let saved = apply(section("benefits").unwrap(), &[], &p).unwrap();
    assert_eq!(saved.equality_impact, None);
}
