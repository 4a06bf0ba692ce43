//! Reading a query string into a core `SearchQuery`, with errors that name the parameter.

use charter_core::search::{ParamError, SearchQuery};

/// Decodes `a=1&b=2` (form encoding, as browsers send it).
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, Vec<ParamError>> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or("")).map_err(|e| {
        vec![ParamError {
            param: "query".to_owned(),
            message: format!("The address has a mistake in it: {e}"),
        }]
    })
}

pub fn search(raw: Option<&str>) -> Result<SearchQuery, Vec<ParamError>> {
    SearchQuery::from_pairs(&pairs(raw)?)
}

/// Whether `name=true` (or `yes`, `1`) is in the query.
pub fn flag(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == name && matches!(v.as_str(), "true" | "yes" | "1"))
}
