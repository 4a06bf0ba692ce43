//! A search of the register, parsed from a query string once. The same request drives the web
//! page, the JSON API and every store backend, so they agree on what a URL means.

use std::fmt::Write as _;

mod filter;
pub mod highlight;
pub mod index;
pub mod synonyms;
pub mod words;

use serde::Serialize;
use utoipa::ToSchema;

use crate::Slug;
use crate::picklists::{Area, DecisionRole, Status, Topic};

/// Longest search text we accept; longer text is almost always pasted by mistake.
pub const MAX_QUERY_CHARS: usize = 500;
pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;
/// Pages past this are refused: nobody reads them, and deep offsets are slow.
pub const MAX_PAGE: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Sort {
    /// Best match first when there is search text, otherwise most recently updated.
    #[default]
    Relevance,
    Updated,
    Title,
    Organisation,
}

impl Sort {
    pub const ALL: &'static [Sort] = &[
        Sort::Relevance,
        Sort::Updated,
        Sort::Title,
        Sort::Organisation,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Updated => "updated",
            Sort::Title => "title",
            Sort::Organisation => "organisation",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Relevance => "Best match",
            Sort::Updated => "Recently updated",
            Sort::Title => "Title (A to Z)",
            Sort::Organisation => "Organisation (A to Z)",
        }
    }
}

/// One facet a search can be narrowed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Facet {
    Organisation,
    Area,
    Topic,
    Status,
    Ai,
    Role,
}

impl Facet {
    pub const ALL: &'static [Facet] = &[
        Facet::Organisation,
        Facet::Area,
        Facet::Topic,
        Facet::Status,
        Facet::Ai,
        Facet::Role,
    ];

    /// The query-string parameter.
    pub fn param(self) -> &'static str {
        match self {
            Facet::Organisation => "organisation",
            Facet::Area => "area",
            Facet::Topic => "topic",
            Facet::Status => "status",
            Facet::Ai => "ai",
            Facet::Role => "role",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Facet::Organisation => "Organisation",
            Facet::Area => "Area",
            Facet::Topic => "Topic",
            Facet::Status => "Status",
            Facet::Ai => "Uses AI",
            Facet::Role => "Role in decisions",
        }
    }
}

/// A search request. Within a facet, values widen the search (any of them); across facets they
/// narrow it (all of them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Free text, trimmed; `None` when blank.
    pub text: Option<String>,
    pub organisations: Vec<Slug>,
    pub areas: Vec<Area>,
    pub topics: Vec<Topic>,
    pub statuses: Vec<Status>,
    pub uses_ai: Option<bool>,
    pub roles: Vec<DecisionRole>,
    pub sort: Sort,
    pub page: u32,
    pub per_page: u32,
}

/// One thing wrong with a search request, tied to its parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ParamError {
    pub param: String,
    pub message: String,
}

impl SearchQuery {
    pub fn new() -> Self {
        SearchQuery {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            ..Default::default()
        }
    }

    /// Parses decoded query-string pairs. Every problem is reported, not just the first.
    /// Unknown parameters are ignored, as the web usually does (tracking tags, cache busters).
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<SearchQuery, Vec<ParamError>> {
        let mut q = SearchQuery::new();
        let mut errors = Vec::new();
        let mut err = |param: &str, message: String| {
            errors.push(ParamError {
                param: param.to_owned(),
                message,
            });
        };
        for (key, raw) in pairs {
            let value = raw.trim();
            match key.as_str() {
                "q" => {
                    let n = value.chars().count();
                    if n > MAX_QUERY_CHARS {
                        err(
                            "q",
                            format!(
                                "Search text must be {MAX_QUERY_CHARS} characters or fewer (it has {n})"
                            ),
                        );
                    } else if value.chars().any(|c| c.is_control()) {
                        err(
                            "q",
                            "Search text cannot contain control characters".to_owned(),
                        );
                    } else if !value.is_empty() {
                        q.text = Some(value.to_owned());
                    }
                }
                "organisation" if !value.is_empty() => match value.parse::<Slug>() {
                    Ok(s) => push_unique(&mut q.organisations, s),
                    Err(e) => err("organisation", e.to_string()),
                },
                "area" if !value.is_empty() => match value.parse() {
                    Ok(v) => push_unique(&mut q.areas, v),
                    Err(e) => err("area", format!("{e}")),
                },
                "topic" if !value.is_empty() => match value.parse() {
                    Ok(v) => push_unique(&mut q.topics, v),
                    Err(e) => err("topic", format!("{e}")),
                },
                "status" if !value.is_empty() => match value.parse() {
                    Ok(v) => push_unique(&mut q.statuses, v),
                    Err(e) => err("status", format!("{e}")),
                },
                "role" if !value.is_empty() => match value.parse() {
                    Ok(v) => push_unique(&mut q.roles, v),
                    Err(e) => err("role", format!("{e}")),
                },
                "ai" => match value {
                    "" | "any" => q.uses_ai = None,
                    "yes" => q.uses_ai = Some(true),
                    "no" => q.uses_ai = Some(false),
                    other => err(
                        "ai",
                        format!("“{other}” is not a choice for uses AI: choose yes, no or any"),
                    ),
                },
                "sort" => match Sort::ALL.iter().find(|s| s.slug() == value) {
                    Some(s) => q.sort = *s,
                    None if value.is_empty() => {}
                    None => err(
                        "sort",
                        format!(
                            "“{value}” is not a way to sort: choose {}",
                            Sort::ALL
                                .iter()
                                .map(|s| s.slug())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ),
                },
                "page" => match value.parse::<u32>() {
                    Ok(n) if (1..=MAX_PAGE).contains(&n) => q.page = n,
                    _ => err(
                        "page",
                        format!("The page must be a whole number from 1 to {MAX_PAGE}"),
                    ),
                },
                "per_page" => match value.parse::<u32>() {
                    Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => q.per_page = n,
                    _ => err(
                        "per_page",
                        format!("Results per page must be a whole number from 1 to {MAX_PER_PAGE}"),
                    ),
                },
                _ => {}
            }
        }
        if errors.is_empty() {
            Ok(q)
        } else {
            Err(errors)
        }
    }

    /// Words to search for: letters and digits only, lower-cased, so that no search syntax a
    /// backend understands (quotes, `*`, `OR`, `NEAR(`) can reach it from user input.
    pub fn terms(&self) -> Vec<String> {
        let Some(text) = &self.text else {
            return Vec::new();
        };
        let mut terms: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        terms.dedup();
        terms.truncate(32);
        terms
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }

    /// Whether any filter narrows the search.
    pub fn has_filters(&self) -> bool {
        !(self.organisations.is_empty()
            && self.areas.is_empty()
            && self.topics.is_empty()
            && self.statuses.is_empty()
            && self.uses_ai.is_none()
            && self.roles.is_empty())
    }

    /// The selected values of one facet, as they appear in the URL.
    pub fn selected(&self, facet: Facet) -> Vec<String> {
        match facet {
            Facet::Organisation => self.organisations.iter().map(|s| s.to_string()).collect(),
            Facet::Area => self.areas.iter().map(|v| v.slug().to_owned()).collect(),
            Facet::Topic => self.topics.iter().map(|v| v.slug().to_owned()).collect(),
            Facet::Status => self.statuses.iter().map(|v| v.slug().to_owned()).collect(),
            Facet::Ai => self
                .uses_ai
                .map(|b| if b { "yes" } else { "no" }.to_owned())
                .into_iter()
                .collect(),
            Facet::Role => self.roles.iter().map(|v| v.slug().to_owned()).collect(),
        }
    }

    /// The same search without one facet's filter: facet counts are computed this way, so each
    /// option shows how many results choosing it would give.
    pub fn without(&self, facet: Facet) -> SearchQuery {
        let mut q = self.clone();
        match facet {
            Facet::Organisation => q.organisations.clear(),
            Facet::Area => q.areas.clear(),
            Facet::Topic => q.topics.clear(),
            Facet::Status => q.statuses.clear(),
            Facet::Ai => q.uses_ai = None,
            Facet::Role => q.roles.clear(),
        }
        q
    }

    /// Query-string pairs that reproduce this search (defaults left out), for links.
    pub fn to_pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(t) = &self.text {
            out.push(("q", t.clone()));
        }
        for f in Facet::ALL {
            for v in self.selected(*f) {
                out.push((f.param(), v));
            }
        }
        if self.sort != Sort::Relevance {
            out.push(("sort", self.sort.slug().to_owned()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            out.push(("per_page", self.per_page.to_string()));
        }
        if self.page != 1 {
            out.push(("page", self.page.to_string()));
        }
        out
    }

    /// The query string for these pairs, percent-encoded, without the leading `?`.
    pub fn query_string(&self) -> String {
        encode_pairs(&self.to_pairs())
    }

    pub fn with_page(&self, page: u32) -> SearchQuery {
        SearchQuery {
            page,
            ..self.clone()
        }
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// `application/x-www-form-urlencoded` encoding, as browsers send forms.
pub fn encode_pairs(pairs: &[(&str, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(&mut out, k);
        out.push('=');
        encode_component(&mut out, v);
    }
    out
}

fn encode_component(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// How many results each option of a facet would give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FacetCounts {
    pub facet: Facet,
    /// (value as in the URL, label, count), in the list's own order.
    pub options: Vec<FacetOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        s.split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect()
    }

    #[test]
    fn parses_a_full_search() {
        let q = SearchQuery::from_pairs(&pairs(
            "q=damp homes&topic=housing&topic=health&area=knowsley&status=in-use&ai=yes&role=supports-person&sort=title&page=2&per_page=50&organisation=knowsley-council",
        ))
        .unwrap();
        assert_eq!(q.text.as_deref(), Some("damp homes"));
        assert_eq!(q.topics, vec![Topic::Housing, Topic::Health]);
        assert_eq!(q.areas, vec![Area::Knowsley]);
        assert_eq!(q.uses_ai, Some(true));
        assert_eq!(q.sort, Sort::Title);
        assert_eq!((q.page, q.per_page), (2, 50));
        assert_eq!(q.offset(), 50);
        // Round trip through the URL.
        let back = SearchQuery::from_pairs(
            &q.to_pairs()
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Vec<_>>(),
        )
        .unwrap();
        assert_eq!(back, q);
    }

    #[test]
    fn reports_every_bad_parameter() {
        let long = "x".repeat(10_000);
        let errs = SearchQuery::from_pairs(&pairs(&format!(
            "page=-1&per_page=abc&topic=gardening&ai=perhaps&sort=random&q={long}"
        )))
        .unwrap_err();
        let params: Vec<&str> = errs.iter().map(|e| e.param.as_str()).collect();
        assert_eq!(params, vec!["page", "per_page", "topic", "ai", "sort", "q"]);
        assert!(errs[2].message.contains("“gardening” is not a known topic"));
        assert!(SearchQuery::from_pairs(&pairs("page=0")).is_err());
        assert!(SearchQuery::from_pairs(&pairs("page=abc")).is_err());
    }

    #[test]
    fn blank_values_mean_no_filter() {
        let q = SearchQuery::from_pairs(&pairs("q=  &topic=&ai=&sort=&utm_source=x")).unwrap();
        assert_eq!(q, SearchQuery::new());
        assert!(!q.has_filters());
    }

    #[test]
    fn terms_strip_search_syntax() {
        let mut q = SearchQuery::new();
        q.text = Some(r#""bus" OR NEAR(stop* -route) ^x Ûber"#.to_owned());
        assert_eq!(
            q.terms(),
            vec!["bus", "or", "near", "stop", "route", "x", "ûber"]
        );
    }

    #[test]
    fn encodes_like_a_browser() {
        assert_eq!(
            encode_pairs(&[("q", "a b&c=d/é".to_owned())]),
            "q=a+b%26c%3Dd%2F%C3%A9"
        );
    }
}
