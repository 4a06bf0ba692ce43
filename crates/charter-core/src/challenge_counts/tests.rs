//! The kept sums give the same statistics as counting every item again, after any sequence of
//! arrivals, answers, closures and withdrawals.

use proptest::prelude::*;

use super::*;

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// The statistics counted from every item, as the store's full recount does.
fn recount(items: &[Facts], keep: impl Fn(&Facts) -> bool, today: Date) -> Tally {
    let mut t = Tally::default();
    let mut days: BTreeMap<u32, u64> = BTreeMap::new();
    for f in items.iter().filter(|f| keep(f)) {
        match f.kind {
            Kind::Challenge => t.challenges += 1,
            Kind::Question => t.questions += 1,
        }
        if let Some(a) = f.answered {
            t.answered += 1;
            if a <= f.answer_by {
                t.answered_on_time += 1;
            }
            *days.entry(f.days_to_answer().unwrap()).or_default() += 1;
        }
        if f.open && f.answer_by < today {
            t.overdue += 1;
        }
        if let Some(o) = f.outcome {
            t.outcomes.push((o, 1));
        }
    }
    t.days_to_answer = days.into_iter().collect();
    normalised(&t)
}

fn scope_rows(changes: &Changes, org: &str, project: u32) -> Vec<(String, i64)> {
    changes
        .iter()
        .filter(|((o, p, _), _)| o == org && *p == project)
        .map(|((_, _, f), n)| (f.clone(), *n))
        .collect()
}

#[derive(Debug, Clone)]
enum Action {
    Arrive {
        question: bool,
        project: u32,
        day: i64,
    },
    Answer {
        which: usize,
        after: i64,
        outcome: Option<usize>,
    },
    Close {
        which: usize,
    },
    /// The resident deletes what they sent: an open item closes as withdrawn.
    Withdraw {
        which: usize,
    },
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (any::<bool>(), 1u32..6, 0i64..400).prop_map(|(question, project, day)| {
            Action::Arrive {
                question,
                project,
                day,
            }
        }),
        (any::<usize>(), 0i64..70, proptest::option::of(0usize..4)).prop_map(
            |(which, after, outcome)| Action::Answer {
                which,
                after,
                outcome,
            }
        ),
        any::<usize>().prop_map(|which| Action::Close { which }),
        any::<usize>().prop_map(|which| Action::Withdraw { which }),
    ]
}

/// Projects 1 to 3 belong to one organisation, 4 and 5 to another.
fn organisation(project: u32) -> Slug {
    if project <= 3 { "wirral" } else { "sefton" }
        .parse()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn sums_kept_step_by_step_equal_a_recount(actions in proptest::collection::vec(action(), 1..80)) {
        let start = d("2025-01-01");
        let mut items: Vec<Facts> = Vec::new();
        let mut closed: Vec<bool> = Vec::new();
        let mut sums = Changes::new();
        let mut answers = dashboard::Changes::new();
        for a in actions {
            let before: Option<(usize, Facts)>;
            match a {
                Action::Arrive { question, project, day } => {
                    let received = start.add_days(day);
                    let f = Facts {
                        kind: if question { Kind::Question } else { Kind::Challenge },
                        project: ProjectId::new(project),
                        organisation: organisation(project),
                        open: true,
                        received,
                        answer_by: received.add_months(1),
                        answered: None,
                        outcome: None,
                    };
                    items.push(f);
                    closed.push(false);
                    before = None;
                }
                Action::Answer { which, after, outcome } if !items.is_empty() => {
                    let i = which % items.len();
                    if !items[i].open {
                        continue;
                    }
                    before = Some((i, items[i].clone()));
                    let f = &mut items[i];
                    f.open = false;
                    f.answered = Some(f.received.add_days(after));
                    f.outcome = match f.kind {
                        Kind::Challenge => outcome.map(|o| Outcome::ALL[o]),
                        Kind::Question => None,
                    };
                }
                Action::Close { which } if !items.is_empty() => {
                    let i = which % items.len();
                    if items[i].answered.is_none() || closed[i] {
                        continue;
                    }
                    // Closing changes nothing that is counted.
                    before = Some((i, items[i].clone()));
                    closed[i] = true;
                }
                Action::Withdraw { which } if !items.is_empty() => {
                    let i = which % items.len();
                    before = Some((i, items[i].clone()));
                    let f = &mut items[i];
                    if f.open {
                        f.open = false;
                        f.outcome = Some(Outcome::Withdrawn);
                    }
                    closed[i] = true;
                }
                _ => continue,
            }
            let (i, old) = match before {
                Some((i, old)) => (i, Some(old)),
                None => (items.len() - 1, None),
            };
            for (k, v) in change(old.as_ref(), Some(&items[i])) {
                let e = sums.entry(k.clone()).or_insert(0);
                *e += v;
                if *e == 0 {
                    sums.remove(&k);
                }
            }
            if let Some(old) = &old {
                add_answers(&mut answers, old, -1);
            }
            add_answers(&mut answers, &items[i], 1);
        }
        prop_assert!(sums.values().all(|n| *n > 0), "no sum below one is kept");
        for today in [d("2025-03-01"), d("2025-09-15"), d("2027-01-01")] {
            prop_assert_eq!(tally(scope_rows(&sums, REGION, 0), today), recount(&items, |_| true, today));
            for org in ["wirral", "sefton"] {
                prop_assert_eq!(
                    tally(scope_rows(&sums, org, 0), today),
                    recount(&items, |f| f.organisation.as_str() == org, today)
                );
            }
            for p in 1..6u32 {
                prop_assert_eq!(
                    tally(scope_rows(&sums, organisation(p).as_str(), p), today),
                    recount(&items, |f| f.project.number() == p, today)
                );
            }
        }
        // Summed up to any day, the dashboard's figures are that month's answers so far.
        for day in (0..480).step_by(7).map(|n| start.add_days(n)) {
            for scope in [REGION, "wirral"] {
                let sum = |m: &str| -> i64 {
                    answers
                        .iter()
                        .filter(|((s, when, metric), _)| s == scope && *when <= day && metric == m)
                        .map(|(_, v)| v)
                        .sum()
                };
                let month = dashboard::month_of(day);
                let mine = items.iter().filter(|f| scope == REGION || f.organisation.as_str() == scope);
                let given: Vec<&Facts> = mine
                    .filter(|f| f.answered.is_some_and(|a| a <= day && dashboard::month_of(a) == month))
                    .collect();
                prop_assert_eq!(sum(metric::ANSWERED), given.len() as i64);
                prop_assert_eq!(
                    sum(metric::ON_TIME),
                    given.iter().filter(|f| f.on_time()).count() as i64
                );
            }
        }
    }
}

#[test]
fn an_item_counts_in_its_project_its_organisation_and_the_region() {
    let f = Facts {
        kind: Kind::Challenge,
        project: ProjectId::new(7),
        organisation: "wirral".parse().unwrap(),
        open: false,
        received: d("2026-03-02"),
        answer_by: d("2026-04-02"),
        answered: Some(d("2026-04-02")),
        outcome: Some(Outcome::Upheld),
    };
    assert_eq!(
        figures(&f),
        vec![
            "received/challenge",
            "answered",
            "days/31",
            "on-time",
            "outcome/upheld"
        ]
    );
    let c = change(None, Some(&f));
    assert_eq!(c.len(), 15);
    assert_eq!(c.get(&("".into(), 0, "on-time".into())), Some(&1));
    assert_eq!(c.get(&("wirral".into(), 7, "days/31".into())), Some(&1));
    // Nothing counted changes: nothing to write.
    assert!(change(Some(&f), Some(&f)).is_empty());
    let open = Facts {
        open: true,
        answered: None,
        outcome: None,
        ..f
    };
    assert_eq!(
        figures(&open),
        vec!["received/challenge", "open/2026-04-02"]
    );
    let t = tally(
        vec![
            ("open/2026-04-02".to_owned(), 3),
            ("open/2026-04-03".into(), 2),
        ],
        d("2026-04-03"),
    );
    assert_eq!(t.overdue, 3, "due on the 2nd: late from the 3rd");
}
