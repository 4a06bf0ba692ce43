//! A signatory organisation: a body that signed the charter and publishes its projects.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::picklists::{Area, OrgKind};
use crate::{Date, Email, OrgId, Slug, WebUrl};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Organisation {
    /// Stable id; never changes, even if the name or slug does.
    pub id: OrgId,
    /// Short name used in web addresses.
    pub slug: Slug,
    pub name: String,
    pub kind: OrgKind,
    /// What the organisation does, in a sentence or two.
    #[serde(default)]
    pub description: Option<String>,
    /// The boroughs it works in.
    pub boroughs: Vec<Area>,
    /// The date it signed the charter.
    pub signed_on: Date,
    #[serde(default)]
    pub website: Option<WebUrl>,
    /// Where residents write about the register entries.
    pub contact_email: Email,
    /// The data protection officer.
    pub data_protection_officer: DataProtectionOfficer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DataProtectionOfficer {
    #[serde(default)]
    pub name: Option<String>,
    pub email: Email,
}

impl Organisation {
    /// Problems that types alone cannot rule out.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(format!("{}: the name is blank", self.id));
        }
        if self.boroughs.is_empty() {
            out.push(format!("{}: name at least one borough", self.id));
        }
        out
    }
}
