//! `charter generate --challenges N`: made-up challenges and questions on the register's projects,
//! for benchmarks of the inbox and the statistics. They arrive over the two years before today,
//! with deadlines from the charter's `[deadlines]`; most are answered (a few late), some are
//! still open, some overdue. The same seed gives the same items.

use charter_core::challenges::{Contact, ContactBy, Kind, Outcome, Submission};
use charter_core::charter::Charter;
use charter_core::{Date, ProjectId, Slug, Timestamp};
use charter_store::Store;
use charter_store::challenge_stats::GeneratedChallenge;
use charter_store::challenges::NewChallenge;

const BATCH: usize = 5_000;
/// Days back the made-up items arrive over.
const SPREAD_DAYS: u32 = 730;

const ABOUT: &[&str] = &[
    "My housing priority went down",
    "My blue badge was refused",
    "The bus times on the map are wrong",
    "My school place offer",
    "The entry says the project ended",
    "What data do you use?",
    "My care assessment score",
    "The summary is out of date",
];

/// Adds `count` items on `projects` (id and organisation); returns how many.
pub async fn add(
    store: &dyn Store,
    charter: &Charter,
    projects: &[(ProjectId, Slug)],
    count: u32,
    rng: &mut fastrand::Rng,
    today: Date,
) -> anyhow::Result<u32> {
    if projects.is_empty() {
        anyhow::bail!(
            "there are no projects to add challenges to: add some first (charter generate --projects 2000)"
        );
    }
    // A run's own prefix keeps private-link hashes apart from an earlier run's.
    let run = rng.u64(..);
    let mut done = 0u32;
    while done < count {
        let n = (count - done).min(BATCH as u32);
        let batch: Vec<GeneratedChallenge> = (0..n)
            .map(|i| {
                one(
                    charter,
                    projects,
                    rng,
                    today,
                    format!("generated-{run:016x}-{}", done + i),
                )
            })
            .collect::<anyhow::Result<_>>()?;
        store.challenges_add_generated(&batch).await?;
        done += n;
        eprint!("\rGenerated {done} of {count} challenges and questions");
    }
    eprintln!();
    Ok(done)
}

fn at(day: Date, rng: &mut fastrand::Rng) -> anyhow::Result<Timestamp> {
    Ok(format!("{day}T{:02}:{:02}:00Z", rng.u8(8..18), rng.u8(0..60)).parse()?)
}

fn one(
    charter: &Charter,
    projects: &[(ProjectId, Slug)],
    rng: &mut fastrand::Rng,
    today: Date,
    token_hash: String,
) -> anyhow::Result<GeneratedChallenge> {
    let (project, organisation) = projects[rng.usize(..projects.len())].clone();
    let kind = if rng.u8(..10) < 6 {
        Kind::Challenge
    } else {
        Kind::Question
    };
    let received = today.add_days(-i64::from(rng.u32(..SPREAD_DAYS)));
    let due = charter.due_dates(received);
    let age = (today.inner() - received.inner()).whole_days();
    // How far it got: the older it is, the likelier it is answered.
    let roll = rng.u8(..100);
    let answered_after = if roll < 85 {
        Some(i64::from(rng.u8(3..29)))
    } else if roll < 93 {
        Some(i64::from(rng.u8(32..70)))
    } else {
        None
    };
    let answered = answered_after
        .filter(|d| *d <= age)
        .map(|d| received.add_days(d));
    let acknowledged = if answered.is_some() || (age >= 3 && rng.bool()) {
        Some(received.add_days(i64::from(rng.u8(1..4)).min(age)))
    } else {
        None
    };
    let outcome = match (kind, answered) {
        (Kind::Challenge, Some(_)) => Some(Outcome::ALL[rng.usize(..Outcome::ALL.len())]),
        _ => None,
    };
    let closed = answered.filter(|d| (today.inner() - d.inner()).whole_days() > 14);
    Ok(GeneratedChallenge {
        new: NewChallenge {
            kind,
            project,
            organisation,
            submission: Submission {
                about: ABOUT[rng.usize(..ABOUT.len())].to_owned(),
                when: Some(received.long()),
                details: "Made up for a benchmark: the letter did not match what I told you."
                    .into(),
                wanted: Some("Look at it again, please.".into()),
            },
            contact: Contact {
                name: Some("A Resident".into()),
                by: ContactBy::Email,
                email: Some(format!("resident{}@example.com", rng.u32(..100_000)).parse()?),
                phone: None,
                address: None,
                support: Vec::new(),
                support_other: None,
            },
            public_requested: kind == Kind::Question && rng.bool(),
            token_hash,
            received_at: at(received, rng)?,
            acknowledge_by: due.acknowledge_by,
            answer_by: due.answer_by,
        },
        acknowledged_at: acknowledged.map(|d| at(d, rng)).transpose()?,
        answered_at: answered.map(|d| at(d, rng)).transpose()?,
        outcome,
        closed_at: closed.map(|d| at(d.add_days(14), rng)).transpose()?,
    })
}
