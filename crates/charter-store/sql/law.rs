//! The register's list of changes in the law or policy.

use async_trait::async_trait;
use charter_core::law::{LawChange, NewLawChange};
use charter_core::{Date, LawChangeId};
use charter_store::{LawStore, StoreResult};
use sqlx::Row;

use super::common::bad;
use crate::backend::{Backend, DbRow};

const COLUMNS: &str = "id, title, what_changed, in_force, url, touches, due_on, recorded_on";

fn change_from_row(r: &DbRow) -> StoreResult<LawChange> {
    let text = |col: &str| -> StoreResult<String> { r.try_get(col).map_err(bad) };
    let id: i64 = r.try_get("id").map_err(bad)?;
    Ok(LawChange {
        id: LawChangeId::new(u32::try_from(id).map_err(bad)?),
        title: text("title")?,
        what_changed: text("what_changed")?,
        in_force: text("in_force")?.parse().map_err(bad)?,
        url: text("url")?.parse().map_err(bad)?,
        touches: text("touches")?.parse().map_err(bad)?,
        due_on: text("due_on")?.parse().map_err(bad)?,
        recorded_on: text("recorded_on")?.parse().map_err(bad)?,
    })
}

#[async_trait]
impl LawStore for Backend {
    async fn law_changes(&self) -> StoreResult<Vec<LawChange>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM law_changes ORDER BY in_force DESC, id DESC"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(|e| self.err(e))?;
        rows.iter().map(change_from_row).collect()
    }

    async fn law_change_add(
        &self,
        c: &NewLawChange,
        today: Date,
        by: &str,
    ) -> StoreResult<LawChange> {
        let _turn = self.turn().await?;
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO law_changes (title, what_changed, in_force, url, touches, due_on, recorded_on, recorded_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLUMNS}"
        ))
        .bind(&c.title)
        .bind(&c.what_changed)
        .bind(c.in_force.to_string())
        .bind(c.url.to_string())
        .bind(c.touches.to_string())
        .bind(c.due_on.to_string())
        .bind(today.to_string())
        .bind(by)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| self.err(e))?;
        let change = change_from_row(&row)?;
        // Entry pages keep the list per register version: recording a change moves it.
        self.version_bump(&mut tx).await?;
        self.commit_change(tx).await?;
        Ok(change)
    }
}
