//! Reading a query string into a core `SearchQuery`, with errors that name the parameter.

use charter_core::search::{ParamError, SearchQuery};

/// Decodes `a=1&b=2` (form encoding, as browsers send it).
pub fn pairs(raw: Option<&str>) -> Result<Vec<(String, String)>, Vec<ParamError>> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw.unwrap_or(""))
        .map_err(|e| query_error(&e))
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

/// Reads the query into `T`, a struct of the parameters a route takes (serde; others are
/// ignored). A name given twice counts once, its first value, as everywhere else on the site.
pub fn params<T: serde::de::DeserializeOwned>(raw: Option<&str>) -> Result<T, Vec<ParamError>> {
    let mut first: Vec<(String, String)> = Vec::new();
    for (k, v) in pairs(raw)? {
        if !first.iter().any(|(seen, _)| *seen == k) {
            first.push((k, v));
        }
    }
    let encoded = serde_urlencoded::to_string(&first).map_err(|e| query_error(&e))?;
    serde_urlencoded::from_str(&encoded).map_err(|e| query_error(&e))
}

fn query_error(e: &dyn std::fmt::Display) -> Vec<ParamError> {
    vec![ParamError {
        param: "query".to_owned(),
        message: format!("The address has a mistake in it: {e}"),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Compare {
        from: Option<String>,
        to: Option<String>,
    }

    #[test]
    fn params_take_the_first_value_and_ignore_other_names() {
        let c: Compare = params(Some("to=2&other=x&to=9&from=")).unwrap();
        assert_eq!(
            c,
            Compare {
                from: Some(String::new()),
                to: Some("2".into())
            }
        );
        let none: Compare = params(None).unwrap();
        assert_eq!(
            none,
            Compare {
                from: None,
                to: None
            }
        );
    }

    #[derive(Debug, serde::Deserialize)]
    struct Count {
        #[expect(dead_code, reason = "only whether it reads matters here")]
        n: Option<u32>,
    }

    #[test]
    fn a_value_that_does_not_fit_names_the_query() {
        let errors = params::<Count>(Some("n=x")).unwrap_err();
        assert_eq!(errors[0].param, "query");
        assert!(
            errors[0]
                .message
                .starts_with("The address has a mistake in it: ")
        );
    }
}
