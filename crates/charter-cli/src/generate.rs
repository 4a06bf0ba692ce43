//! `charter generate --projects N --challenges M`: a large made-up register for benchmarks. Text is assembled
//! from realistic phrases so search behaves as it would on real entries (varied words, ranked
//! matches), and the same seed always gives the same register.

use anyhow::Context;
use charter_core::picklists::*;
use charter_core::project::{DataUsed, DutyHolder};
use charter_core::sample::{minimal_project, organisation};
use charter_core::{Date, Project, ProjectId, Slug};

use charter_store::Store;

use crate::config::{Config, open_store};

#[derive(clap::Args, Debug)]
pub struct GenerateArgs {
    /// How many projects to add.
    #[arg(long, default_value_t = 0)]
    pub projects: u32,
    /// How many residents' challenges and questions to add, spread over the register's projects.
    #[arg(long, default_value_t = 0)]
    pub challenges: u32,
    /// Seed for the random choices; the same seed gives the same register.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Spread each entry's versions over this many years up to today (1 to 4 versions each, as
    /// it moves from planned to in use), instead of publishing every entry once, now.
    #[arg(long, default_value_t = 0)]
    pub years: u32,
}

// Phrase banks. Words are spread the way they are in real registers: a few appear everywhere
// ("data", "residents"), most belong to one service ("potholes", "fostering"), so searches
// for specific words match a small share of entries, as they would in a real register.
const SUBJECTS: &[&str] = &[
    "damp and mould in council homes",
    "school place planning",
    "bus punctuality",
    "hospital discharge delays",
    "missed bin collections",
    "potholes on main roads",
    "air quality near schools",
    "falls among older people",
    "rent arrears",
    "homelessness prevention",
    "youth employment",
    "fly-tipping hot spots",
    "library opening hours",
    "street lighting faults",
    "social care waiting lists",
    "benefit take-up",
    "flood risk",
    "energy use in public buildings",
    "ambulance response times",
    "GP appointment demand",
    "traffic signal timing",
    "cycle lane use",
    "noise complaints",
    "child development checks",
    "adult learning courses",
    "fire safety visits",
    "hate crime reports",
    "parking permits",
    "fostering placements",
    "care home vacancies",
    "school attendance",
    "special educational needs plans",
    "council tax collection",
    "business rates relief",
    "licensing applications",
    "planning applications",
    "tree planting",
    "park maintenance",
    "graffiti removal",
    "abandoned vehicles",
    "dog fouling reports",
    "food hygiene inspections",
    "trading standards complaints",
    "pest control visits",
    "allotment waiting lists",
    "leisure centre bookings",
    "swimming lessons",
    "museum visitor numbers",
    "ferry passenger numbers",
    "rail station footfall",
    "taxi licensing",
    "road gritting routes",
    "winter fuel support",
    "food bank referrals",
    "debt advice referrals",
    "mental health crisis calls",
    "drug and alcohol services",
    "smoking cessation",
    "vaccination uptake",
    "dental access",
    "maternity bookings",
    "children's centre visits",
    "youth club attendance",
    "anti-social behaviour reports",
    "knife crime",
    "domestic abuse referrals",
    "missing children reports",
    "burglary patterns",
    "shoplifting trends",
    "speeding on residential streets",
    "electric vehicle charging",
    "solar panels on schools",
    "heat pumps in social housing",
    "empty homes",
    "housing repairs backlog",
    "tenant satisfaction",
    "job centre appointments",
    "apprenticeship matching",
    "digital skills classes",
    "broadband coverage",
    "care leaver support",
    "carers' assessments",
    "blue badge applications",
    "wheelchair accessible taxis",
    "home adaptations",
    "telecare alarms",
    "hospital readmissions",
];

const PLACES: &[&str] = &[
    "Halton",
    "Widnes",
    "Runcorn",
    "Knowsley",
    "Huyton",
    "Kirkby",
    "Prescot",
    "Halewood",
    "Liverpool",
    "Everton",
    "Anfield",
    "Toxteth",
    "Speke",
    "Garston",
    "Walton",
    "Kensington",
    "Wavertree",
    "Allerton",
    "Croxteth",
    "Norris Green",
    "Sefton",
    "Bootle",
    "Crosby",
    "Southport",
    "Formby",
    "Maghull",
    "Litherland",
    "Netherton",
    "St Helens",
    "Newton-le-Willows",
    "Rainhill",
    "Haydock",
    "Eccleston",
    "Thatto Heath",
    "Wirral",
    "Birkenhead",
    "Wallasey",
    "Heswall",
    "Bebington",
    "Hoylake",
    "West Kirby",
    "Moreton",
    "Leasowe",
    "the city region",
];

const SOURCES: &[&str] = &[
    "repair requests",
    "tenancy records",
    "school census returns",
    "ticket machine logs",
    "GPS traces from vehicles",
    "sensor readings",
    "call centre logs",
    "case notes",
    "appointment systems",
    "council tax accounts",
    "benefit claims",
    "hospital admissions",
    "ambulance call data",
    "road inspection reports",
    "weather forecasts",
    "satellite images",
    "survey answers",
    "complaints",
    "planning portal records",
    "licensing registers",
    "waste collection rounds",
    "energy meter readings",
    "footfall counters",
    "police incident logs",
    "GP referrals",
];

const METHODS: &[&str] = &[
    "We look at past records to find patterns.",
    "A computer model ranks cases so staff can act sooner.",
    "We combine data from several teams into one dashboard.",
    "Readings arrive every few minutes and show problems as they start.",
    "Staff check every result before anything happens.",
    "The system suggests an answer and a person decides.",
    "We publish monthly figures that anyone can read.",
    "Names are removed before the data is analysed.",
    "A map shows where demand is highest each week.",
    "Alerts go to the duty manager when numbers rise.",
    "We compare this year with the last five years.",
    "A chatbot answers common questions at any time of day.",
    "Letters are drafted automatically and checked by an officer.",
    "Photographs are scanned to spot damage early.",
    "The tool forecasts demand for the next three months.",
    "Case workers see a short list of households to contact first.",
    "We test the model every quarter for unfair results.",
    "Routes are planned again each night to save fuel.",
    "Residents can see the same figures on our website.",
    "Only trained staff can open the records.",
];

const GOALS: &[&str] = &[
    "so residents get help before problems grow",
    "so that money is spent where it is needed most",
    "to cut waiting times",
    "so crews are sent to the right place first",
    "to plan services for the next five years",
    "so families are safer at home",
    "to reduce carbon emissions",
    "so fewer people fall through the gaps",
    "to make journeys more reliable",
    "so complaints are answered faster",
    "to keep children in school",
    "so older people can stay independent",
];

fn pick<'a>(rng: &mut fastrand::Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.usize(..items.len())]
}

fn pick_enum<T: Copy>(rng: &mut fastrand::Rng, items: &[T]) -> T {
    items[rng.usize(..items.len())]
}

const ORG_COUNT: u32 = 24;

fn generated_project(
    rng: &mut fastrand::Rng,
    id: ProjectId,
    org: &Slug,
) -> anyhow::Result<Project> {
    let subject = pick(rng, SUBJECTS);
    let place = pick(rng, PLACES);
    let title = format!("{} in {place}", charter_core::capitalise(subject));
    let summary = format!(
        "This project looks at {subject} in {place} {}. It uses {} and {}. {} {}",
        pick(rng, GOALS),
        pick(rng, SOURCES),
        pick(rng, SOURCES),
        pick(rng, METHODS),
        pick(rng, METHODS)
    );
    let parsed_title = title
        .parse()
        .with_context(|| format!("the generated title “{title}”"))?;
    let mut p = minimal_project(id.number(), org.clone(), parsed_title, &summary);
    p.id = id;
    p.slug = Slug::from_title(&title).unwrap_or_else(|| p.slug.clone());
    p.status = pick_enum(rng, Status::ALL);
    if p.status.needs_reason() {
        p.status_reason = Some("The team is reviewing whether the project is still needed.".into());
    }
    p.areas = vec![pick_enum(rng, Area::ALL)];
    p.topics = vec![pick_enum(rng, Topic::ALL), pick_enum(rng, Topic::ALL)];
    p.topics.dedup();
    p.uses_ai = rng.u8(..100) < 60;
    p.ai_kind = p.uses_ai.then(|| pick_enum(rng, AiKind::ALL));
    p.decision_role = pick_enum(rng, DecisionRole::ALL);
    // Day 1 to 28 exists in every month, so the date is always valid.
    if let Some(d) = Date::from_calendar(2022 + rng.i32(0..4), rng.u8(1..13), rng.u8(1..29)) {
        p.first_published = d;
    }
    p.last_updated = p.first_published.add_days(i64::from(rng.u16(0..300)));
    p.how_it_works = Some(format!(
        "{} {} {}",
        pick(rng, METHODS),
        pick(rng, METHODS),
        pick(rng, METHODS)
    ));
    p.data_used = Some(DataUsed {
        description: format!(
            "{} and {} about {subject}.",
            charter_core::capitalise(pick(rng, SOURCES)),
            pick(rng, SOURCES)
        ),
        personal_data: rng.bool(),
        special_category_data: rng.u8(..10) == 0,
    });
    p.public_benefit = Some(format!(
        "Better decisions about {subject} {}.",
        pick(rng, GOALS)
    ));
    p.accountable_owner = Some(DutyHolder {
        role: "Director of Services".into(),
        name: None,
        email: None,
    });
    Ok(p)
}

/// The stages an entry moves through, one version each; the last may be paused or retired.
const STAGES: &[Status] = &[
    Status::Planned,
    Status::Pilot,
    Status::InUse,
    Status::Retired,
];

/// Version `n` (from 0) of a generated entry, published on `day`: one stage further on, its
/// review set a year ahead and its declaration signed that day.
fn version_of(base: &Project, n: usize, first: Date, day: Date) -> Project {
    let mut p = base.clone();
    p.status = STAGES[n.min(STAGES.len() - 1)];
    p.status_reason = p
        .status
        .needs_reason()
        .then(|| "The team is reviewing whether the project is still needed.".into());
    p.first_published = first;
    p.last_updated = day;
    p.next_review_date = Some(day.add_months(12));
    if n > 0 {
        p.declaration = Some(charter_core::project::Declaration {
            signed_by: "A. Director".into(),
            role: "Director of Services".into(),
            signed_on: day,
        });
    }
    p
}

/// The days an entry's versions are published on: the first within the last `years` years, the
/// others months apart, none after today.
fn version_days(rng: &mut fastrand::Rng, years: u32, today: Date) -> Vec<Date> {
    let span = i64::from(years) * 365;
    let mut day = today.add_days(-rng.i64(0..span.max(1)));
    let mut days = vec![day];
    for _ in 1..rng.usize(1..=STAGES.len()) {
        day = day.add_days(rng.i64(60..900));
        if day > today {
            break;
        }
        days.push(day);
    }
    days
}

/// Publishes `count` entries from `first` with versions spread over `years` years, day by day in
/// date order, so the chain reads as the register's history would.
async fn spread_over_years(
    store: &dyn Store,
    rng: &mut fastrand::Rng,
    org_slugs: &[Slug],
    first: u32,
    count: u32,
    years: u32,
) -> anyhow::Result<()> {
    let today = charter_app::clock::today();
    // (day, entry, version): small, so a large register's history fits in memory; each entry is
    // made again from its own seed when one of its versions is due.
    let mut plan: Vec<(Date, u32, usize)> = Vec::new();
    let mut seeds = Vec::with_capacity(count as usize);
    for i in 0..count {
        seeds.push((rng.u64(..), rng.usize(..org_slugs.len())));
        for (n, day) in version_days(rng, years, today).into_iter().enumerate() {
            plan.push((day, i, n));
        }
    }
    plan.sort();
    let mut firsts: std::collections::HashMap<u32, Date> = std::collections::HashMap::new();
    let total = plan.len();
    let mut done = 0;
    for day_plan in plan.chunk_by(|a, b| a.0 == b.0) {
        let day = day_plan[0].0;
        let at = charter_core::Timestamp::parse(&format!("{day}T12:00:00Z"))
            .context("a generated day makes a time")?;
        let batch = day_plan
            .iter()
            .map(|(_, i, n)| {
                let (seed, org) = seeds[*i as usize];
                let id = ProjectId::new(first + i);
                let base =
                    generated_project(&mut fastrand::Rng::with_seed(seed), id, &org_slugs[org])?;
                let first_day = *firsts.entry(*i).or_insert(day);
                Ok(version_of(&base, *n, first_day, day))
            })
            .collect::<anyhow::Result<Vec<Project>>>()?;
        store
            .projects_publish(&batch, "Published (generated register)", &at)
            .await?;
        done += batch.len();
        if done % 10_000 < batch.len() {
            eprint!("\rGenerated {done} of {total} versions");
        }
    }
    eprintln!();
    Ok(())
}

pub async fn run(config: &Config, args: GenerateArgs) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let charter = config.charter()?;
    let mut rng = fastrand::Rng::with_seed(args.seed);
    let mut org_slugs = Vec::new();
    // Challenges alone go on the projects already there.
    let orgs = if args.projects > 0 { ORG_COUNT } else { 0 };
    for i in 0..orgs {
        let kind = OrgKind::ALL[i as usize % OrgKind::ALL.len()];
        let borough = Area::BOROUGHS[i as usize % Area::BOROUGHS.len()];
        let name = format!("{} {} {}", borough.label(), kind.label(), i + 1);
        let slug = Slug::from_title(&name).context("generated names make slugs")?;
        let org = organisation(9000 + i, &slug, &name, kind, &[borough]);
        store.organisation_put(&org).await?;
        org_slugs.push(slug);
    }
    let first = store.next_project_id().await?.number();
    let started = std::time::Instant::now();
    let batch_size = 2_000;
    let mut done = 0;
    if args.years > 0 {
        spread_over_years(
            store.as_ref(),
            &mut rng,
            &org_slugs,
            first,
            args.projects,
            args.years,
        )
        .await?;
        done = args.projects;
    }
    while done < args.projects {
        let n = batch_size.min(args.projects - done);
        let batch = (0..n)
            .map(|i| {
                let org = &org_slugs[rng.usize(..org_slugs.len())];
                generated_project(&mut rng, ProjectId::new(first + done + i), org)
            })
            .collect::<anyhow::Result<Vec<Project>>>()?;
        store
            .projects_publish(
                &batch,
                "Published (generated register)",
                &charter_app::clock::now(),
            )
            .await?;
        done += n;
        eprint!("\rGenerated {done} of {} projects", args.projects);
    }
    eprintln!();
    if args.projects > 0 {
        // Count the new history into the dashboard's sums now, not on the first visit.
        let counting = std::time::Instant::now();
        charter_app::dashboard::catch_up(store.as_ref(), &charter).await?;
        eprintln!(
            "Counted the history for the dashboard in {:.1}s.",
            counting.elapsed().as_secs_f64()
        );
        println!(
            "Added {} projects (LCR-{first:04} onwards) from {ORG_COUNT} organisations in {:.1}s.",
            args.projects,
            started.elapsed().as_secs_f64()
        );
    }
    if args.challenges > 0 {
        let started = std::time::Instant::now();
        let mut projects = Vec::new();
        let mut after = None;
        loop {
            let batch = store.projects_after(after, 1_000).await?;
            let Some(last) = batch.last() else { break };
            after = Some(last.id);
            projects.extend(batch.into_iter().map(|p| (p.id, p.organisation)));
        }
        let n = crate::generate_challenges::add(
            store.as_ref(),
            &config.charter()?,
            &projects,
            args.challenges,
            &mut rng,
            charter_app::clock::today(),
        )
        .await?;
        println!(
            "Added {n} challenges and questions on {} projects in {:.1}s.",
            projects.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_projects_are_valid_and_repeatable() {
        let mut a = fastrand::Rng::with_seed(7);
        let mut b = fastrand::Rng::with_seed(7);
        for n in 1..200 {
            let org = "test-org".parse().unwrap();
            let p = generated_project(&mut a, ProjectId::new(n), &org).unwrap();
            assert!(p.problems().is_empty(), "{:?}", p.problems());
            assert_eq!(
                p,
                generated_project(&mut b, ProjectId::new(n), &org).unwrap()
            );
        }
    }

    #[test]
    fn versions_spread_over_years_are_valid_in_date_order_and_not_after_today() {
        let mut rng = fastrand::Rng::with_seed(7);
        let today: Date = "2026-12-06".parse().unwrap();
        let org = "test-org".parse().unwrap();
        for n in 1..200 {
            let days = version_days(&mut rng, 20, today);
            assert!(!days.is_empty() && days.len() <= STAGES.len());
            assert!(days.windows(2).all(|w| w[0] < w[1]), "{days:?}");
            assert!(days[0] >= today.add_days(-20 * 365) && days[days.len() - 1] <= today);
            let base = generated_project(&mut rng, ProjectId::new(n), &org).unwrap();
            for (i, day) in days.iter().enumerate() {
                let p = version_of(&base, i, days[0], *day);
                assert!(p.problems().is_empty(), "{:?}", p.problems());
                assert_eq!(p.status, STAGES[i]);
            }
        }
    }
}
