//! Search: PostgreSQL's English full-text search for the words, indexed columns and bit masks
//! for the filters. The same shape as the SQLite backend's, so both answer alike.

use std::collections::HashMap;

use charter_core::picklists::{Area, Topic};
use charter_core::search::{Facet, SearchQuery};
use charter_store::support::facet_from_counts;
use charter_store::{SearchResults, StoreError};
use sqlx::{PgPool, Row};

use crate::projects::{order_by, summary_from_row};
use crate::sql::builder::{Arg, Sql};

/// `FROM … WHERE …` for a search. With words, `query` is the tsquery, built by
/// `plainto_tsquery`: every word required, no operators, never a syntax error.
fn from_where(query: &SearchQuery, words: Option<&str>) -> Sql {
    let mut sql = Sql::default();
    sql.push(" FROM projects p JOIN organisations o ON o.id = p.organisation_id");
    match words {
        Some(w) => {
            sql.push(" CROSS JOIN plainto_tsquery('english', ")
                .arg(Arg::Text(w.to_owned()))
                .push(") query");
            sql.push(" WHERE p.search @@ query");
        }
        None => {
            sql.push(" WHERE TRUE");
        }
    }
    if !query.organisations.is_empty() {
        sql.push(" AND o.slug IN ")
            .list(query.organisations.iter().map(|s| Arg::Text(s.to_string())));
    }
    if !query.areas.is_empty() {
        let m = query.areas.iter().fold(0i64, |m, a| m | 1 << a.index());
        sql.push(" AND (p.areas_mask & ")
            .arg(Arg::Int(m))
            .push(") <> 0");
    }
    if !query.topics.is_empty() {
        let m = query.topics.iter().fold(0i64, |m, t| m | 1 << t.index());
        sql.push(" AND (p.topics_mask & ")
            .arg(Arg::Int(m))
            .push(") <> 0");
    }
    if !query.statuses.is_empty() {
        sql.push(" AND p.status IN ").list(
            query
                .statuses
                .iter()
                .map(|s| Arg::Text(s.slug().to_owned())),
        );
    }
    if let Some(ai) = query.uses_ai {
        sql.push(" AND p.uses_ai = ").arg(Arg::Bool(ai));
    }
    if !query.roles.is_empty() {
        sql.push(" AND p.decision_role IN ")
            .list(query.roles.iter().map(|r| Arg::Text(r.slug().to_owned())));
    }
    sql
}

fn with_prefix(prefix: &str, base: &Sql) -> Sql {
    Sql {
        text: format!("{prefix}{}", base.text),
        args: base.args.clone(),
    }
}

pub(crate) async fn run(
    pool: &PgPool,
    query: &SearchQuery,
    with_facets: bool,
) -> Result<SearchResults, sqlx::Error> {
    let terms = query.terms();
    let words = (!terms.is_empty()).then(|| terms.join(" "));
    let base = from_where(query, words.as_deref());

    let count = with_prefix("SELECT count(*)", &base);
    let total: i64 = sqlx::query_scalar_with(&count.text, count.arguments())
        .fetch_one(pool)
        .await?;

    let mut page = with_prefix(
        "SELECT p.id, p.slug, p.title, o.slug AS org_slug, o.name AS org_name, p.summary, p.status, p.uses_ai, \
         p.ai_kind, p.decision_role, p.areas_mask, p.topics_mask, p.last_updated",
        &base,
    );
    page.push(" ORDER BY ")
        .push(order_by(query.sort, words.is_some()))
        .push(" LIMIT ");
    page.arg(Arg::Int(i64::from(query.per_page)))
        .push(" OFFSET ")
        .arg(Arg::Int(query.offset() as i64));
    let rows = sqlx::query_with(&page.text, page.arguments())
        .fetch_all(pool)
        .await?;
    let items = rows
        .iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>, StoreError>>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;

    let mut facets = Vec::new();
    if with_facets {
        let orgs: Vec<(String, String)> = sqlx::query_as(
            "SELECT slug, name FROM organisations ORDER BY lower(name) COLLATE \"C\", id",
        )
        .fetch_all(pool)
        .await?;
        for facet in Facet::ALL {
            let counts =
                facet_counts(pool, &query.without(*facet), words.as_deref(), *facet).await?;
            facets.push(facet_from_counts(*facet, &counts, &orgs));
        }
    }
    Ok(SearchResults {
        total: total as u64,
        items,
        facets,
    })
}

async fn facet_counts(
    pool: &PgPool,
    query: &SearchQuery,
    words: Option<&str>,
    facet: Facet,
) -> Result<HashMap<String, u64>, sqlx::Error> {
    let base = from_where(query, words);
    let mut out = HashMap::new();
    match facet {
        Facet::Area | Facet::Topic => {
            let (column, slugs): (&str, Vec<&str>) = match facet {
                Facet::Area => ("p.areas_mask", Area::ALL.iter().map(|a| a.slug()).collect()),
                _ => (
                    "p.topics_mask",
                    Topic::ALL.iter().map(|t| t.slug()).collect(),
                ),
            };
            let sums: Vec<String> = (0..slugs.len())
                .map(|i| format!("coalesce(sum(({column} >> {i}) & 1), 0)::BIGINT"))
                .collect();
            let sql = with_prefix(&format!("SELECT {}", sums.join(", ")), &base);
            let row = sqlx::query_with(&sql.text, sql.arguments())
                .fetch_one(pool)
                .await?;
            for (i, slug) in slugs.iter().enumerate() {
                let n: i64 = row.try_get(i)?;
                out.insert((*slug).to_owned(), n as u64);
            }
        }
        _ => {
            let column = match facet {
                Facet::Organisation => "o.slug",
                Facet::Status => "p.status",
                Facet::Role => "p.decision_role",
                _ => "CASE WHEN p.uses_ai THEN 'yes' ELSE 'no' END",
            };
            let mut sql = with_prefix(&format!("SELECT {column}, count(*)"), &base);
            sql.push(" GROUP BY 1");
            let rows: Vec<(String, i64)> = sqlx::query_as_with(&sql.text, sql.arguments())
                .fetch_all(pool)
                .await?;
            out.extend(rows.into_iter().map(|(k, n)| (k, n as u64)));
        }
    }
    Ok(out)
}
