//! Search: FTS5 for the words, indexed columns and bit masks for the filters.

use std::collections::HashMap;

use charter_core::picklists::{Area, Topic};
use charter_core::search::{Facet, SearchQuery, Sort};
use charter_store::SearchResults;
use sqlx::{Row, SqlitePool};

use charter_store::support::facet_from_counts;

use crate::projects::order_by;
use crate::sql::builder::{Arg, Sql};
use crate::sql::common::summary_from_row;

/// An FTS5 query from the search words: each one quoted, so no user text is read as syntax, and
/// all of them required.
fn match_expression(query: &SearchQuery) -> Option<String> {
    let terms = query.terms();
    if terms.is_empty() {
        return None;
    }
    Some(
        terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "")))
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// `FROM … WHERE …` for a search, optionally without one facet's filter.
fn from_where(query: &SearchQuery, fts: Option<&str>) -> Sql {
    let mut sql = Sql::default();
    match fts {
        Some(m) => {
            sql.push(" FROM project_search JOIN projects p ON p.id = project_search.rowid")
                .push(" WHERE project_search MATCH ")
                .arg(Arg::Text(m.to_owned()));
        }
        None => {
            sql.push(" FROM projects p WHERE 1 = 1");
        }
    }
    // Organisations are joined only where needed: most searches never touch them.
    if !query.organisations.is_empty() {
        sql.push(" AND p.organisation_id IN (SELECT id FROM organisations WHERE slug IN ")
            .list(query.organisations.iter().map(|s| Arg::Text(s.to_string())))
            .push(")");
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

pub(crate) async fn run(
    pool: &SqlitePool,
    query: &SearchQuery,
    with_facets: bool,
) -> Result<SearchResults, sqlx::Error> {
    let fts = match_expression(query);
    let base = from_where(query, fts.as_deref());

    // Without filters the full-text index counts its own matches, without reading the table.
    let count = match (&fts, query.has_filters()) {
        (Some(m), false) => Sql {
            text: "SELECT count(*) FROM project_search WHERE project_search MATCH $1".to_owned(),
            args: vec![Arg::Text(m.clone())],
        },
        _ => {
            let mut count = Sql {
                text: "SELECT count(*)".to_owned(),
                args: Vec::new(),
            };
            count
                .push(&base.text)
                .args
                .extend(base.args.iter().cloned());
            count
        }
    };
    let total: i64 = sqlx::query_scalar_with(&count.text, count.arguments())
        .fetch_one(pool)
        .await?;

    // First the page's ids, ranked with nothing else carried through the sort; ranking by
    // relevance with no filters needs only the full-text index.
    let mut page = match (&fts, query.has_filters(), query.sort) {
        (Some(m), false, Sort::Relevance) => Sql {
            text: "SELECT rowid AS id FROM project_search WHERE project_search MATCH $1".to_owned(),
            args: vec![Arg::Text(m.clone())],
        },
        _ => {
            let mut s = Sql {
                text: "SELECT p.id AS id".to_owned(),
                args: Vec::new(),
            };
            s.push(&base.text).args.extend(base.args.iter().cloned());
            s
        }
    };
    page.push(" ORDER BY ")
        .push(order_by(query.sort, fts.is_some()))
        .push(" LIMIT ");
    page.arg(Arg::Int(i64::from(query.per_page)))
        .push(" OFFSET ")
        .arg(Arg::Int(query.offset() as i64));
    let ids: Vec<i64> = sqlx::query_scalar_with(&page.text, page.arguments())
        .fetch_all(pool)
        .await?;
    // Then the rows for just those ids, put back in ranked order.
    let mut fetch = Sql {
        text: "SELECT p.id, p.slug, p.title, p.organisation_id, p.summary, p.status, p.uses_ai, \
               p.ai_kind, p.decision_role, p.areas_mask, p.topics_mask, p.last_updated \
               FROM projects p WHERE p.id IN "
            .to_owned(),
        args: Vec::new(),
    };
    fetch.list(ids.iter().map(|id| Arg::Int(*id)));
    let mut rows = if ids.is_empty() {
        Vec::new()
    } else {
        sqlx::query_with(&fetch.text, fetch.arguments())
            .fetch_all(pool)
            .await?
    };
    let position: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    rows.sort_by_key(|r| {
        position
            .get(&r.get::<i64, _>("id"))
            .copied()
            .unwrap_or(usize::MAX)
    });
    // Few organisations: name the page's from one small read instead of a join on every match.
    let orgs: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT id, slug, name FROM organisations ORDER BY name COLLATE NOCASE, id")
            .fetch_all(pool)
            .await?;
    let names: HashMap<i64, (String, String)> = orgs
        .iter()
        .map(|(id, slug, name)| (*id, (slug.clone(), name.clone())))
        .collect();
    let items = rows
        .iter()
        .map(|row| {
            let org_id: i64 = row.try_get("organisation_id")?;
            let (slug, name) = names.get(&org_id).ok_or_else(|| {
                sqlx::Error::Decode(format!("organisation {org_id} is missing").into())
            })?;
            summary_from_row(row, (slug, name)).map_err(|e| sqlx::Error::Decode(Box::new(e)))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;

    let mut facets = Vec::new();
    if with_facets {
        let orgs: Vec<(String, String)> = orgs
            .into_iter()
            .map(|(_, slug, name)| (slug, name))
            .collect();
        for facet in Facet::ALL {
            let mut counts =
                facet_counts(pool, &query.without(*facet), fts.as_deref(), *facet).await?;
            if *facet == Facet::Organisation {
                // Counted by organisation id: key them by slug like every other option.
                counts = counts
                    .into_iter()
                    .filter_map(|(id, n)| Some((names.get(&id.parse().ok()?)?.0.clone(), n)))
                    .collect();
            }
            facets.push(facet_from_counts(*facet, &counts, &orgs));
        }
    }
    Ok(SearchResults {
        total: total as u64,
        items,
        facets,
    })
}

/// Counts per option of one facet, keyed by the option's URL value.
async fn facet_counts(
    pool: &SqlitePool,
    query: &SearchQuery,
    fts: Option<&str>,
    facet: Facet,
) -> Result<HashMap<String, u64>, sqlx::Error> {
    let base = from_where(query, fts);
    let grouped = |column: &str| format!("SELECT {column}, count(*)");
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
            // One pass counts every option: one sum per bit.
            let sums: Vec<String> = (0..slugs.len())
                .map(|i| format!("coalesce(sum(({column} >> {i}) & 1), 0)"))
                .collect();
            let text = format!("SELECT {}{}", sums.join(", "), base.text);
            let sql = Sql {
                text,
                args: base.args,
            };
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
                Facet::Organisation => "CAST(p.organisation_id AS TEXT)",
                Facet::Status => "p.status",
                Facet::Role => "p.decision_role",
                _ => "CASE p.uses_ai WHEN 1 THEN 'yes' ELSE 'no' END",
            };
            let text = format!("{}{} GROUP BY 1", grouped(column), base.text);
            let sql = Sql {
                text,
                args: base.args,
            };
            let rows: Vec<(String, i64)> = sqlx::query_as_with(&sql.text, sql.arguments())
                .fetch_all(pool)
                .await?;
            out.extend(rows.into_iter().map(|(k, n)| (k, n as u64)));
        }
    }
    Ok(out)
}
