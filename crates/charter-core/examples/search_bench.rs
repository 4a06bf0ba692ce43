//! The search index on its own: builds it from a register exported as CSV (`charter export
//! --format csv`) and answers each query of a file once, timing every one. No server, no
//! database: what one core spends per search, and the spread.
//!
//! ```text
//! cargo run --release -p charter-core --example search_bench -- REGISTER.csv QUERIES.txt [--facets]
//! ```
//!
//! QUERIES.txt holds one query a line, URL-encoded as `bench/fresh_queries.py` writes them.

use std::time::{Duration, Instant};

use charter_core::Date;
use charter_core::search::SearchQuery;
use charter_core::search::index::{Attributes, Document, Index};
use charter_core::search::synonyms::{DEFAULT, Synonyms};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(csv_path), Some(queries_path)) = (args.first(), args.get(1)) else {
        return Err("usage: search_bench REGISTER.csv QUERIES.txt [--facets]".into());
    };
    let facets = args.iter().any(|a| a == "--facets");

    let started = Instant::now();
    let mut reader = csv::Reader::from_path(csv_path)?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("the CSV has no {name} column"))
    };
    let [
        id,
        title,
        summary,
        organisation,
        organisation_name,
        team,
        how,
        data,
        benefit,
        who,
        affected,
        areas,
        topics,
        status,
        ai,
        role,
        updated,
    ] = [
        "id",
        "title",
        "summary",
        "organisation",
        "organisation_name",
        "team",
        "how_it_works",
        "data_used",
        "public_benefit",
        "intended_beneficiaries",
        "affected_communities",
        "areas",
        "topics",
        "status",
        "uses_ai",
        "decision_role",
        "last_updated",
    ]
    .map(column);
    let mut docs = Vec::new();
    for row in reader.records() {
        let row = row?;
        let get = |c: &Result<usize, String>| -> Result<&str, String> {
            let c = c.clone()?;
            Ok(row.get(c).unwrap_or(""))
        };
        let number: u32 = get(&id)?.trim_start_matches("LCR-").parse()?;
        let body = [
            &organisation_name,
            &team,
            &how,
            &data,
            &benefit,
            &who,
            &affected,
        ]
        .iter()
        .map(|c| get(c))
        .collect::<Result<Vec<&str>, String>>()?
        .join("\n");
        let day = get(&updated)?;
        let last_updated = Date::from_calendar(
            day.get(0..4).unwrap_or("2026").parse()?,
            day.get(5..7).unwrap_or("01").parse()?,
            day.get(8..10).unwrap_or("01").parse()?,
        )
        .ok_or("a last_updated date is not a date")?;
        docs.push(Document {
            id: number,
            title: get(&title)?.to_owned(),
            summary: get(&summary)?.to_owned(),
            body,
            attributes: Attributes {
                organisation: get(&organisation)?.to_owned(),
                organisation_name: get(&organisation_name)?.to_owned(),
                areas: list(get(&areas)?)?,
                topics: list(get(&topics)?)?,
                status: get(&status)?.parse().map_err(|_| "an unknown status")?,
                uses_ai: get(&ai)? == "yes",
                role: get(&role)?.parse().map_err(|_| "an unknown role")?,
                last_updated,
            },
            payload: number,
        });
    }
    let read = started.elapsed();

    let started = Instant::now();
    let mut index = Index::new();
    for d in docs {
        index.insert(d);
    }
    let built = started.elapsed();
    println!(
        "read {} entries in {:.2} s; index built in {:.2} s: {} distinct words, about {} MiB",
        index.len(),
        read.as_secs_f64(),
        built.as_secs_f64(),
        index.vocabulary_len(),
        index.approximate_bytes() / 1_048_576
    );

    let synonyms = Synonyms::from_toml(DEFAULT).map_err(|p| p.join("; "))?;
    let queries: Vec<String> = std::fs::read_to_string(queries_path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(decode)
        .collect();
    let mut times: Vec<Duration> = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(Duration, &str, u64)> = Vec::new();
    let mut found = 0u64;
    for text in &queries {
        let mut q = SearchQuery::new();
        q.text = Some(text.clone());
        let started = Instant::now();
        let answer = index.search(&q, &synonyms, facets);
        let took = started.elapsed();
        times.push(took);
        found += answer.total;
        slowest.push((took, text, answer.total));
    }
    times.sort();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    let total: Duration = times.iter().sum();
    let at = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
    println!(
        "{} searches{}: {:.0} a second on one core; mean {:.3} ms, p50 {:.3}, p90 {:.3}, p99 {:.3}, max {:.3} ms; {:.0} entries found a search on average",
        times.len(),
        if facets { " with facets" } else { "" },
        times.len() as f64 / total.as_secs_f64(),
        total.as_secs_f64() * 1e3 / times.len() as f64,
        at(0.5),
        at(0.9),
        at(0.99),
        at(1.0),
        found as f64 / times.len() as f64
    );
    for (took, text, total) in slowest.iter().take(5) {
        println!(
            "  slow: {:.3} ms for “{text}” ({total} found)",
            took.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

/// A `;`-separated list of picklist values.
fn list<T: std::str::FromStr>(cell: &str) -> Result<Vec<T>, String> {
    cell.split(';')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("unknown value {s}")))
        .collect()
}

/// Undoes the query file's URL encoding (`+` for a space, `%XX` for a byte).
fn decode(line: &str) -> String {
    url::form_urlencoded::parse(format!("q={}", line.trim()).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}
