//! Reading and writing the hash chain's links (`project_versions`).

use charter_core::ProjectId;
use charter_core::chain::{Hash, Link};
use charter_store::{StoreError, StoreResult};
use sqlx::Row;

use super::common::{bad, stamp};
use crate::backend::{Backend, Conn, DbRow};

pub(crate) const LINK_COLUMNS: &str =
    "seq, project_id, version, published_at, note, content_hash, previous_hash, hash";

pub(crate) fn link_from_row(row: &DbRow) -> StoreResult<Link> {
    let hash = |col: &str| -> StoreResult<Hash> {
        let text: String = row.try_get(col).map_err(bad)?;
        Hash::from_hex(&text)
            .ok_or_else(|| StoreError::Data(format!("{col} “{text}” is not a hash")))
    };
    Ok(Link {
        seq: row.try_get::<i64, _>("seq").map_err(bad)? as u64,
        project: ProjectId::new(row.try_get::<i32, _>("project_id").map_err(bad)? as u32),
        version: row.try_get::<i32, _>("version").map_err(bad)? as u32,
        published_at: stamp(row, "published_at")?,
        note: row.try_get("note").map_err(bad)?,
        content_hash: hash("content_hash")?,
        previous_hash: hash("previous_hash")?,
        hash: hash("hash")?,
    })
}

impl Backend {
    /// The chain's last link, read on `conn`.
    pub(crate) async fn chain_head_on(&self, conn: &mut Conn) -> StoreResult<Option<Link>> {
        let row = sqlx::query(&format!(
            "SELECT {LINK_COLUMNS} FROM project_versions ORDER BY seq DESC LIMIT 1"
        ))
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| self.err(e))?;
        row.as_ref().map(link_from_row).transpose()
    }
}

/// The latest version number of an entry and its stored content.
pub(crate) async fn latest(
    conn: &mut Conn,
    id: ProjectId,
) -> Result<Option<(u32, String)>, sqlx::Error> {
    let row: Option<(i32, String)> = sqlx::query_as(
        "SELECT version, content FROM project_versions WHERE project_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(id.number() as i32)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(v, c)| (v as u32, c)))
}

pub(crate) async fn insert(conn: &mut Conn, link: &Link, content: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO project_versions (seq, project_id, version, published_at, note, content, content_hash, previous_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(link.seq as i64)
    .bind(link.project.number() as i32)
    .bind(link.version as i32)
    .bind(link.published_at.as_str())
    .bind(&link.note)
    .bind(content)
    .bind(link.content_hash.to_hex())
    .bind(link.previous_hash.to_hex())
    .bind(link.hash.to_hex())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
