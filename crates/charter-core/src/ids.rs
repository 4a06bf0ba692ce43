//! Identifiers and small values that are parsed once at the edge, so the rest of the code can
//! trust them: project and organisation ids, slugs, titles, email addresses and web addresses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a value could not be parsed, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("“{0}” is not a project id: project ids look like LCR-0042")]
    ProjectId(String),
    #[error("“{0}” is not an organisation id: organisation ids look like ORG-0007")]
    OrgId(String),
    #[error("“{0}” is not a change in the law: their numbers look like LAW-0001")]
    LawChangeId(String),
    #[error(
        "“{0}” is not a valid short name: use lower-case letters, numbers and single hyphens, up to 80 characters"
    )]
    Slug(String),
    #[error("Enter a title")]
    EmptyTitle,
    #[error("The title must be 100 characters or fewer (it has {0})")]
    LongTitle(usize),
    #[error("“{0}” is not an email address: write it like name@example.org")]
    Email(String),
    #[error("“{0}” is not a web address: it must start with https:// or http://")]
    Url(String),
}

/// Implements Display, FromStr, serde and an OpenAPI string schema for a newtype around a value
/// that is parsed by `$parse`. The schema states the pattern and the lengths in characters
/// (`$lengths`, as `Some((min, max))`) that `$parse` enforces, where it has them.
macro_rules! string_value {
    ($name:ident, $parse:expr, $example:literal, $pattern:expr) => {
        string_value!($name, $parse, $example, $pattern, None);
    };
    ($name:ident, $parse:expr, $example:literal, $pattern:expr, $lengths:expr) => {
        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                #[allow(clippy::redundant_closure_call)]
                ($parse)(s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let pattern: Option<&str> = $pattern;
                let lengths: Option<(usize, usize)> = $lengths;
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .pattern(pattern)
                    .min_length(lengths.map(|(min, _)| min))
                    .max_length(lengths.map(|(_, max)| max))
                    .examples([$example])
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

/// A register entry's public id, `LCR-` and at least four digits. It never changes and never
/// gets reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProjectId(u32);

impl ProjectId {
    pub fn new(number: u32) -> Self {
        ProjectId(number)
    }
    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LCR-{:04}", self.0)
    }
}

fn parse_numbered(s: &str, prefix: &str) -> Option<u32> {
    let digits = s.strip_prefix(prefix)?;
    if digits.len() < 4 || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|n| *n > 0)
}

string_value!(
    ProjectId,
    |s: &str| parse_numbered(s, "LCR-")
        .map(ProjectId)
        .ok_or_else(|| IdError::ProjectId(s.to_owned())),
    "LCR-0042",
    Some("^LCR-[0-9]{4,9}$")
);

/// A change in the law or policy on the register's own list, `LAW-` and at least four digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LawChangeId(u32);

impl LawChangeId {
    pub fn new(number: u32) -> Self {
        LawChangeId(number)
    }
    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for LawChangeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LAW-{:04}", self.0)
    }
}

string_value!(
    LawChangeId,
    |s: &str| parse_numbered(s.trim(), "LAW-")
        .map(LawChangeId)
        .ok_or_else(|| IdError::LawChangeId(s.to_owned())),
    "LAW-0001",
    Some("^LAW-[0-9]{4,9}$")
);

/// An organisation's stable id, `ORG-` and at least four digits; its slug may change, this may not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(u32);

impl OrgId {
    pub fn new(number: u32) -> Self {
        OrgId(number)
    }
    pub fn number(self) -> u32 {
        self.0
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ORG-{:04}", self.0)
    }
}

string_value!(
    OrgId,
    |s: &str| parse_numbered(s, "ORG-")
        .map(OrgId)
        .ok_or_else(|| IdError::OrgId(s.to_owned())),
    "ORG-0007",
    Some("^ORG-[0-9]{4,9}$")
);

/// A short name used in web addresses: `liverpool-city-council`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For a title that makes no slug of its own (only punctuation, or no Latin letters).
    pub fn untitled() -> Slug {
        Slug("entry".to_owned())
    }

    /// Makes a slug from any title: lower case, runs of other characters become one hyphen.
    /// Returns `None` when nothing usable is left (a title of only punctuation).
    pub fn from_title(title: &str) -> Option<Slug> {
        let mut out = String::new();
        for c in title.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out = out.trim_end_matches('-').to_owned();
        if out.len() > 80 {
            out.truncate(80);
            out = out.trim_end_matches('-').to_owned();
        }
        (!out.is_empty()).then_some(Slug(out))
    }
}

fn valid_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(
    Slug,
    |s: &str| if valid_slug(s) {
        Ok(Slug(s.to_owned()))
    } else {
        Err(IdError::Slug(s.to_owned()))
    },
    "liverpool-city-council",
    Some("^[a-z0-9]+(-[a-z0-9]+)*$"),
    Some((1, 80))
);

/// A project's title: not blank, at most 100 characters, no surrounding spaces.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);

impl Title {
    pub const MAX_CHARS: usize = 100;
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Title {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_value!(
    Title,
    |s: &str| {
        let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let n = t.chars().count();
        if n == 0 {
            Err(IdError::EmptyTitle)
        } else if n > Title::MAX_CHARS {
            Err(IdError::LongTitle(n))
        } else {
            Ok(Title(t))
        }
    },
    "Predicting which homes need damp repairs",
    None,
    Some((1, Title::MAX_CHARS))
);

/// An email address, checked for shape only (one `@`, a dotted domain, no spaces): the only real
/// test of an address is sending to it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `local@SLUG.example`, for made-up organisations: a slug is at most 80 lower-case letters,
    /// digits and hyphens, so with a non-empty `local` this passes every check `parse_email` makes.
    pub(crate) fn at_example(local: &str, slug: &Slug) -> Email {
        Email(format!("{local}@{slug}.example"))
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn parse_email(s: &str) -> Result<Email, IdError> {
    let t = s.trim();
    let ok = t.len() <= 254
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && match t.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if ok {
        Ok(Email(t.to_owned()))
    } else {
        Err(IdError::Email(s.to_owned()))
    }
}

string_value!(Email, parse_email, "data.protection@example.gov.uk", None);

/// A web address people can follow: `http` or `https` with a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WebUrl(url::Url);

impl WebUrl {
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

fn parse_web_url(s: &str) -> Result<WebUrl, IdError> {
    match url::Url::parse(s.trim()) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(WebUrl(u)),
        _ => Err(IdError::Url(s.to_owned())),
    }
}

string_value!(WebUrl, parse_web_url, "https://example.gov.uk/data", None);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_up_address_from_the_longest_slug_is_an_email_address() {
        let slug: Slug = "a".repeat(80).parse().unwrap();
        let made = Email::at_example("register", &slug);
        assert_eq!(made.as_str().parse::<Email>().unwrap(), made);
    }

    #[test]
    fn project_ids_round_trip_and_reject_bad_shapes() {
        let id: ProjectId = "LCR-0042".parse().unwrap();
        assert_eq!(id.number(), 42);
        assert_eq!(id.to_string(), "LCR-0042");
        assert_eq!(ProjectId::new(123456).to_string(), "LCR-123456");
        for bad in [
            "LCR-42",
            "lcr-0042",
            "LCR-0000",
            "LCR-00a2",
            "0042",
            "",
            "LCR-0042 ",
        ] {
            assert!(bad.parse::<ProjectId>().is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn org_ids() {
        assert_eq!("ORG-0007".parse::<OrgId>().unwrap().number(), 7);
        assert!("ORG-7".parse::<OrgId>().is_err());
    }

    #[test]
    fn slugs() {
        assert!("knowsley-council".parse::<Slug>().is_ok());
        for bad in ["Knowsley", "a--b", "-a", "a-", "", "a b", "é"] {
            assert!(bad.parse::<Slug>().is_err(), "{bad:?} should fail");
        }
        assert_eq!(
            Slug::from_title("St Helens & Knowsley NHS Trust!")
                .unwrap()
                .as_str(),
            "st-helens-knowsley-nhs-trust"
        );
        assert!(Slug::from_title("!!!").is_none());
    }

    #[test]
    fn titles_are_trimmed_and_limited() {
        assert_eq!(
            "  Damp   repairs ".parse::<Title>().unwrap().as_str(),
            "Damp repairs"
        );
        assert_eq!("   ".parse::<Title>(), Err(IdError::EmptyTitle));
        assert_eq!(
            "x".repeat(101).parse::<Title>(),
            Err(IdError::LongTitle(101))
        );
        assert!("x".repeat(100).parse::<Title>().is_ok());
    }

    #[test]
    fn emails() {
        assert!("dpo@knowsley.gov.uk".parse::<Email>().is_ok());
        for bad in [
            "dpo",
            "dpo@",
            "@x.org",
            "a b@x.org",
            "a@x",
            "a@@x.org",
            "a@x..org",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn urls() {
        assert!(
            "https://www.liverpool.gov.uk/data"
                .parse::<WebUrl>()
                .is_ok()
        );
        for bad in [
            "javascript:alert(1)",
            "ftp://x.org",
            "www.x.org",
            "",
            "mailto:a@b.org",
        ] {
            assert!(bad.parse::<WebUrl>().is_err(), "{bad:?} should fail");
        }
    }
}
