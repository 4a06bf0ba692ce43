//! Helpers the shared queries have in common: reading rows into the store's types.

use charter_core::picklists::{Area, Topic};
use charter_core::{ProjectId, Timestamp};
use charter_store::support::unmask;
use charter_store::{
    ApiToken, DerivedValues, OrganisationSummary, ProjectSummary, SearchText, StoreError,
    StoreResult, StoredOrganisation, TokenOwner,
};
use sqlx::Row;

use crate::backend::{Backend, DbRow, Doc, parse_doc};

/// A stored value that no longer reads as its type.
pub(crate) fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Data(e.to_string())
}

/// `text`, read from the column `col`, as a moment; stored text that is not one is refused in
/// words, naming the column.
pub(crate) fn moment(col: &str, text: &str) -> StoreResult<Timestamp> {
    Timestamp::parse(text).map_err(|e| StoreError::Data(format!("{col}: {e}")))
}

/// The moment in the column `col` of `row`.
pub(crate) fn stamp(row: &DbRow, col: &str) -> StoreResult<Timestamp> {
    let text: String = row.try_get(col).map_err(bad)?;
    moment(col, &text)
}

/// The moment, if any, in the column `col` of `row`.
pub(crate) fn stamp_opt(row: &DbRow, col: &str) -> StoreResult<Option<Timestamp>> {
    let text: Option<String> = row.try_get(col).map_err(bad)?;
    text.map(|t| moment(col, &t)).transpose()
}

/// A search result or list row (`projects` columns), with its organisation's slug and name.
pub(crate) fn summary_from_row(
    row: &DbRow,
    (organisation, organisation_name): (&str, &str),
) -> StoreResult<ProjectSummary> {
    let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
    Ok(ProjectSummary {
        id: ProjectId::new(row.try_get::<i32, _>("id").map_err(bad)? as u32),
        slug: text("slug")?.parse().map_err(bad)?,
        title: text("title")?.parse().map_err(bad)?,
        organisation: organisation.parse().map_err(bad)?,
        organisation_name: organisation_name.to_owned(),
        summary: text("summary")?,
        status: text("status")?.parse().map_err(bad)?,
        uses_ai: row.try_get("uses_ai").map_err(bad)?,
        ai_kind: row
            .try_get::<Option<String>, _>("ai_kind")
            .map_err(bad)?
            .map(|k| k.parse())
            .transpose()
            .map_err(bad)?,
        decision_role: text("decision_role")?.parse().map_err(bad)?,
        areas: unmask(row.try_get("areas_mask").map_err(bad)?, Area::from_index),
        topics: unmask(row.try_get("topics_mask").map_err(bad)?, Topic::from_index),
        last_updated: text("last_updated")?.parse().map_err(bad)?,
    })
}

/// What lists, filters and search hold for one entry, as stored (`DERIVED_COLUMNS`, the
/// document as `doc` and the organisation's record as `org_record_slug`/`org_record_name`),
/// with the search text the backend read for it.
pub(crate) fn derived_from_row(
    row: &DbRow,
    search: Option<SearchText>,
) -> StoreResult<DerivedValues> {
    let text = |col: &str| -> StoreResult<String> { row.try_get(col).map_err(bad) };
    let found: bool = row.try_get("org_found").map_err(bad)?;
    Ok(DerivedValues {
        id: ProjectId::new(row.try_get::<i32, _>("id").map_err(bad)? as u32),
        doc: row.try_get("doc").map_err(bad)?,
        organisation_id: i64::from(row.try_get::<i32, _>("organisation_id").map_err(bad)?),
        organisation: found
            .then(|| -> StoreResult<StoredOrganisation> {
                Ok(StoredOrganisation {
                    slug: text("org_slug")?,
                    name: text("org_name")?,
                    record_slug: row.try_get("org_record_slug").map_err(bad)?,
                    record_name: row.try_get("org_record_name").map_err(bad)?,
                })
            })
            .transpose()?,
        slug: text("slug")?,
        title: text("title")?,
        summary: text("summary")?,
        status: text("status")?,
        uses_ai: row.try_get("uses_ai").map_err(bad)?,
        ai_kind: row.try_get("ai_kind").map_err(bad)?,
        decision_role: text("decision_role")?,
        areas_mask: row.try_get("areas_mask").map_err(bad)?,
        topics_mask: row.try_get("topics_mask").map_err(bad)?,
        last_updated: text("last_updated")?,
        search,
    })
}

pub(crate) fn org_summary(row: &DbRow) -> StoreResult<OrganisationSummary> {
    let doc: Doc = row.try_get("doc").map_err(bad)?;
    let projects: i64 = row.try_get("projects").map_err(bad)?;
    let using_ai: i64 = row.try_get("using_ai").map_err(bad)?;
    Ok(OrganisationSummary {
        organisation: parse_doc(doc)?,
        projects: projects as u64,
        projects_using_ai: using_ai as u64,
    })
}

pub(crate) const TOKEN_COLUMNS: &str = "t.id, o.slug, t.label, t.scopes, t.created_at, t.revoked_at, \
     u.id AS owner_id, u.email AS owner_email FROM api_tokens t \
     JOIN organisations o ON o.id = t.organisation_id LEFT JOIN users u ON u.id = t.owner_id";

pub(crate) fn token_from_row(row: &DbRow) -> StoreResult<ApiToken> {
    let slug: String = row.try_get("slug").map_err(bad)?;
    let scopes: String = row.try_get("scopes").map_err(bad)?;
    Ok(ApiToken {
        id: row.try_get("id").map_err(bad)?,
        organisation: slug.parse().map_err(bad)?,
        owner: match (
            row.try_get::<Option<i64>, _>("owner_id").map_err(bad)?,
            row.try_get::<Option<String>, _>("owner_email")
                .map_err(bad)?,
        ) {
            (Some(user_id), Some(email)) => Some(TokenOwner { user_id, email }),
            _ => None,
        },
        label: row.try_get("label").map_err(bad)?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        created_at: stamp(row, "created_at")?,
        revoked_at: stamp_opt(row, "revoked_at")?,
    })
}

impl Backend {
    /// A uniqueness clash on an identifier kind, in words; anything else as `err` says.
    pub(crate) fn conflict_or(&self, e: sqlx::Error, name: &str) -> StoreError {
        if let sqlx::Error::Database(db) = &e
            && db.kind() == sqlx::error::ErrorKind::UniqueViolation
        {
            return StoreError::Conflict(format!(
                "an identifier kind named “{name}”, or with its tag prefix, is already set up"
            ));
        }
        self.err(e)
    }
}
