//! Exporting the whole register, chunk by chunk, so a register of any size is written in bounded
//! memory: the website's downloads and `charter export` produce the same bytes from here.

use std::collections::HashMap;
use std::sync::Arc;

use charter_core::export::{COLUMNS, csv_row};
use charter_core::{Organisation, ProjectId, Slug};
use charter_store::{Store, StoreError};
use serde::Serialize;

/// Projects fetched per chunk.
const CHUNK: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

enum Stage {
    Start,
    Projects,
    Done,
}

/// Produces an export chunk by chunk.
pub struct Exporter {
    store: Arc<dyn Store>,
    format: Format,
    organisations: Vec<Organisation>,
    by_slug: HashMap<Slug, usize>,
    after: Option<ProjectId>,
    stage: Stage,
    written_any: bool,
}

#[derive(Serialize)]
struct JsonProject<'a> {
    #[serde(flatten)]
    project: &'a charter_core::Project,
    organisation_id: Option<charter_core::OrgId>,
    organisation_name: Option<&'a str>,
}

impl Exporter {
    pub async fn new(store: Arc<dyn Store>, format: Format) -> Result<Exporter, StoreError> {
        let organisations: Vec<Organisation> = store
            .organisations()
            .await?
            .into_iter()
            .map(|o| o.organisation)
            .collect();
        let by_slug = organisations
            .iter()
            .enumerate()
            .map(|(i, o)| (o.slug.clone(), i))
            .collect();
        Ok(Exporter {
            store,
            format,
            organisations,
            by_slug,
            after: None,
            stage: Stage::Start,
            written_any: false,
        })
    }

    fn org(&self, slug: &Slug) -> Option<&Organisation> {
        self.by_slug.get(slug).map(|i| &self.organisations[*i])
    }

    /// The next piece of the file, or `None` when it is complete.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, StoreError> {
        match self.stage {
            Stage::Start => {
                self.stage = Stage::Projects;
                Ok(Some(match self.format {
                    Format::Csv => csv_bytes(std::iter::once(
                        COLUMNS.iter().map(|c| c.name.to_owned()).collect(),
                    ))?,
                    Format::Json => {
                        let orgs = serde_json::to_string(&self.organisations)
                            .map_err(|e| StoreError::Data(e.to_string()))?;
                        format!(
                            "{{\"licence\":\"Open Government Licence v3.0\",\"documentation\":\"/open-data\",\"organisations\":{orgs},\"projects\":["
                        )
                        .into_bytes()
                    }
                }))
            }
            Stage::Projects => {
                let batch = self.store.projects_after(self.after, CHUNK).await?;
                let Some(last) = batch.last() else {
                    self.stage = Stage::Done;
                    return Ok(match self.format {
                        Format::Csv => None,
                        Format::Json => Some(b"]}\n".to_vec()),
                    });
                };
                self.after = Some(last.id);
                let bytes = match self.format {
                    Format::Csv => {
                        csv_bytes(batch.iter().map(|p| csv_row(p, self.org(&p.organisation))))?
                    }
                    Format::Json => {
                        let mut out = Vec::new();
                        for p in &batch {
                            if self.written_any {
                                out.push(b',');
                            }
                            self.written_any = true;
                            let org = self.org(&p.organisation);
                            let record = JsonProject {
                                project: p,
                                organisation_id: org.map(|o| o.id),
                                organisation_name: org.map(|o| o.name.as_str()),
                            };
                            serde_json::to_writer(&mut out, &record)
                                .map_err(|e| StoreError::Data(e.to_string()))?;
                        }
                        out
                    }
                };
                Ok(Some(bytes))
            }
            Stage::Done => Ok(None),
        }
    }
}

fn csv_bytes(rows: impl Iterator<Item = Vec<String>>) -> Result<Vec<u8>, StoreError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in rows {
        w.write_record(&row)
            .map_err(|e| StoreError::Data(e.to_string()))?;
    }
    w.into_inner().map_err(|e| StoreError::Data(e.to_string()))
}
