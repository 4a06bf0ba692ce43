//! Organisations' dataset checks: an upload checked by the register, or a check made on the
//! organisation's own machine and reported. Either way the register keeps counts only, for the
//! public figures: never identifiers or rows.

use std::sync::Arc;

use charter_core::{Slug, Timestamp};
use charter_optout::{IdentifierKind, Manifest, NhsNumber, Scope, Snapshot};
use charter_store::Store;
use charter_store::optout::CheckRecord;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};
use utoipa::ToSchema;

use super::{OptOutKeys, audit, build_snapshot, current_version, known_kinds};
use crate::Actor;
use crate::clock;
use crate::error::{AppError, AppResult, Problem};

/// An upload check, ready for the filter: the organisation's snapshot opened, and what to
/// match.
pub struct PreparedCheck {
    pub snapshot: Snapshot,
    pub kind: Arc<dyn IdentifierKind>,
    pub column: String,
    pub scopes: Vec<Scope>,
}

/// Checks an upload check's settings and opens a snapshot made for it: the `column` holding
/// identifiers of kind `kind` (the NHS number when empty), matched against `scopes`.
pub async fn prepare_check(
    store: &dyn Store,
    keys: &OptOutKeys,
    organisation: &Slug,
    column: &str,
    kind: &str,
    scopes: &[String],
) -> AppResult<PreparedCheck> {
    if column.is_empty() {
        return Err(AppError::invalid(
            "column",
            "Name the column that holds the identifiers",
        ));
    }
    let kind = match kind.trim() {
        "" => NhsNumber::NAME,
        k => k,
    };
    let scopes: Vec<Scope> = scopes
        .iter()
        .map(|s| s.parse::<Scope>())
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::invalid("scope", e.to_string()))?;
    if scopes.is_empty() {
        return Err(AppError::invalid(
            "scope",
            "Say what the data will be used for: scope=research-planning, ai-training, ai-decisions or project:ID",
        ));
    }
    let (bytes, _) = build_snapshot(store, keys, organisation, 1).await?;
    let version = current_version(store).await?;
    let snapshot = Snapshot::open(
        &bytes,
        &keys.version(version).public_key(),
        organisation,
        OffsetDateTime::now_utc(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let kind = snapshot
        .kind(kind)
        .map_err(|e| AppError::invalid("kind", e.to_string()))?;
    Ok(PreparedCheck {
        snapshot,
        kind,
        column: column.to_owned(),
        scopes,
    })
}

fn scope_list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Records an upload check the register made, for the public figures, and audits it in
/// `who`'s name as a reported check is.
pub async fn record_upload(
    store: &dyn Store,
    organisation: &Slug,
    who: &Actor,
    scopes: &[Scope],
    manifest: &Manifest,
) -> AppResult<()> {
    store
        .check_record(&CheckRecord {
            organisation: organisation.to_string(),
            checked_at: clock::now(),
            method: "upload".into(),
            scopes: scope_list(scopes),
            rows_in: manifest.rows_in,
            rows_kept: manifest.rows_kept,
            rows_removed: manifest.rows_removed,
            rows_invalid: manifest.rows_invalid,
            identifier_kind: manifest.identifier_kind.clone(),
            snapshot_created: None,
            key_version: None,
            report_hash: None,
        })
        .await?;
    audit(
        store,
        who,
        "optout-check",
        &format!("a check of {} rows by {organisation}", manifest.rows_in),
    )
    .await
}

/// A dataset check made on the organisation's own machine with a snapshot: the manifest that
/// `charter optout filter` writes, as it is. Counts, settings and checksums only: never
/// identifiers or the contents of any row.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CheckReport {
    /// BLAKE3 of the whole input file, 64 lower-case hex digits.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub input_blake3: String,
    pub input_bytes: u64,
    /// Data rows read: always `rows_kept + rows_removed + rows_invalid`.
    pub rows_in: u64,
    pub rows_kept: u64,
    pub rows_removed: u64,
    pub rows_invalid: u64,
    /// Invalid rows by reason (not recorded).
    #[serde(default)]
    pub invalid_reasons: std::collections::BTreeMap<String, u64>,
    /// The identifier column's name (not recorded), up to 200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub column: String,
    /// The kind of identifier checked: nhs-number or a kind the register has set up.
    pub identifier_kind: String,
    /// The scopes asked for: research-planning, ai-training, ai-decisions, organisation:SLUG or project:ID.
    #[schema(min_items = 1)]
    pub scopes: Vec<String>,
    /// The scopes applied: those asked for and the organisation's own.
    pub scopes_applied: Vec<String>,
    /// The organisation the snapshot was made for: the token's.
    pub organisation: String,
    /// The snapshot's id, 32 lower-case hex digits.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub snapshot_id: String,
    /// When the snapshot was made, RFC 3339.
    pub snapshot_created: String,
    /// When the snapshot expires, RFC 3339.
    pub snapshot_expires: String,
    /// The key version the snapshot was made with, from 1 to the register's current one.
    #[schema(minimum = 1)]
    pub key_version: u32,
}

/// What the register did with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOutcome {
    /// False when this same report had already been recorded: it counts once.
    pub recorded: bool,
    pub message: String,
}

fn is_hex(text: &str, len: usize) -> bool {
    text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Reads a report from JSON; serde's own words can quote a value, so only "missing field" ones
/// are passed on.
fn parse(body: &[u8]) -> AppResult<CheckReport> {
    serde_json::from_slice(body).map_err(|e| {
        let what = e.to_string();
        let message = match what.find("missing field") {
            Some(at) => format!(
                "The body must be the manifest JSON that charter optout filter writes: {}",
                what[at..].split(" at line").next().unwrap_or("")
            ),
            None => format!(
                "The body must be the manifest JSON that charter optout filter writes; it goes wrong at line {}, column {}",
                e.line(),
                e.column()
            ),
        };
        AppError::invalid("body", message)
    })
}

/// Checks a report; the problems name each field that is wrong.
async fn check(
    store: &dyn Store,
    organisation: &Slug,
    report: &CheckReport,
) -> AppResult<(Vec<Scope>, OffsetDateTime)> {
    if report.organisation != organisation.as_str() {
        return Err(AppError::Forbidden(format!(
            "This token belongs to {organisation}: it can only report checks made with {organisation}'s snapshots."
        )));
    }
    let mut problems = Vec::new();
    let total = report
        .rows_kept
        .checked_add(report.rows_removed)
        .and_then(|n| n.checked_add(report.rows_invalid));
    if total != Some(report.rows_in) {
        problems.push(Problem::new(
            "rows_in",
            "rows_in must equal rows_kept + rows_removed + rows_invalid",
        ));
    }
    if !is_hex(&report.input_blake3, 64) {
        problems.push(Problem::new(
            "input_blake3",
            "input_blake3 must be 64 lower-case hex digits",
        ));
    }
    if !is_hex(&report.snapshot_id, 32) {
        problems.push(Problem::new(
            "snapshot_id",
            "snapshot_id must be 32 lower-case hex digits",
        ));
    }
    if report.column.trim().is_empty() || report.column.chars().count() > 200 {
        problems.push(Problem::new(
            "column",
            "column must name the identifier column, in 200 characters or fewer",
        ));
    }
    let parse_scopes = |name: &str, texts: &[String], problems: &mut Vec<Problem>| {
        let mut scopes = Vec::new();
        for text in texts {
            match text.parse::<Scope>() {
                Ok(Scope::Organisation(o)) if o != *organisation => problems.push(Problem::new(
                    name,
                    format!("{name} names another organisation's scope, organisation:{o}"),
                )),
                Ok(scope) => scopes.push(scope),
                Err(e) => problems.push(Problem::new(name, e.to_string())),
            }
        }
        scopes
    };
    let scopes = parse_scopes("scopes", &report.scopes, &mut problems);
    let applied = parse_scopes("scopes_applied", &report.scopes_applied, &mut problems);
    if report.scopes.is_empty() {
        problems.push(Problem::new(
            "scopes",
            "scopes must name at least one scope",
        ));
    } else if scopes.iter().any(|s| !applied.contains(s)) {
        problems.push(Problem::new(
            "scopes_applied",
            "scopes_applied must include every scope in scopes",
        ));
    }
    let known = known_kinds(store).await?;
    if known.kinds.get(&report.identifier_kind).is_none() {
        problems.push(Problem::new(
            "identifier_kind",
            format!(
                "There is no identifier kind “{}” on this register; the kinds are: {}",
                report.identifier_kind,
                known.names()
            ),
        ));
    }
    let current = current_version(store).await?;
    if report.key_version == 0 || report.key_version > current.get() {
        problems.push(Problem::new(
            "key_version",
            format!(
                "key_version must be from 1 to {}, the register's key version now",
                current.get()
            ),
        ));
    }
    let now = OffsetDateTime::now_utc();
    let created = OffsetDateTime::parse(&report.snapshot_created, &Rfc3339);
    let expires = OffsetDateTime::parse(&report.snapshot_expires, &Rfc3339);
    match (&created, &expires) {
        (Err(_), _) => problems.push(Problem::new(
            "snapshot_created",
            "snapshot_created must be a time like 2026-11-30T12:00:00Z",
        )),
        (Ok(c), _) if *c > now + time::Duration::minutes(10) => problems.push(Problem::new(
            "snapshot_created",
            "snapshot_created is in the future: no snapshot was made then",
        )),
        (Ok(_), Err(_)) => problems.push(Problem::new(
            "snapshot_expires",
            "snapshot_expires must be a time like 2026-12-07T12:00:00Z",
        )),
        (Ok(c), Ok(e)) if e <= c => problems.push(Problem::new(
            "snapshot_expires",
            "snapshot_expires must be after snapshot_created",
        )),
        _ => {}
    }
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let created = created.map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((scopes, created))
}

/// When a reported snapshot was made, in UTC, kept to the precision the report gave (not
/// rounded to the second as clock readings are).
fn snapshot_time(created: OffsetDateTime) -> AppResult<Timestamp> {
    let text = created
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Timestamp::parse(&text).map_err(|e| AppError::Internal(e.to_string()))
}

/// Records a check `organisation` made on its own machine, from the manifest JSON its filter
/// wrote, so that it counts in the public figures. The same report sent again (a retry) counts
/// once; a report recorded is audited in `who`'s name.
pub async fn report_check(
    store: &dyn Store,
    organisation: &Slug,
    who: &Actor,
    body: &[u8],
) -> AppResult<ReportOutcome> {
    let report = parse(body)?;
    let (scopes, created) = check(store, organisation, &report).await?;
    // The hash of the report as read (fields in a fixed order), so a retry is recognised.
    let canonical = serde_json::to_vec(&report).map_err(|e| AppError::Internal(e.to_string()))?;
    let recorded = store
        .check_record(&CheckRecord {
            organisation: organisation.to_string(),
            checked_at: clock::now(),
            method: "snapshot".into(),
            scopes: scope_list(&scopes),
            rows_in: report.rows_in,
            rows_kept: report.rows_kept,
            rows_removed: report.rows_removed,
            rows_invalid: report.rows_invalid,
            identifier_kind: report.identifier_kind.clone(),
            snapshot_created: Some(snapshot_time(created)?),
            key_version: Some(report.key_version),
            report_hash: Some(blake3::hash(&canonical).to_hex().to_string()),
        })
        .await?;
    if !recorded {
        return Ok(ReportOutcome {
            recorded,
            message: "This check was already reported: it counts once.".into(),
        });
    }
    audit(
        store,
        who,
        "optout-check-report",
        &format!("a check of {} rows by {organisation}", report.rows_in),
    )
    .await?;
    Ok(ReportOutcome {
        recorded,
        message: format!(
            "Recorded: a check of {} rows by {organisation}, {} removed.",
            report.rows_in, report.rows_removed
        ),
    })
}
