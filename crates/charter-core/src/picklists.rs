//! The fixed lists a register entry chooses from. Each value has a stable machine name (used in
//! URLs, JSON and CSV) and a plain-English label (shown to people).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A value that is not on a list, with the values that are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{value}” is not a known {list}: choose from {}", allowed.join(", "))]
pub struct UnknownValue {
    pub list: &'static str,
    pub value: String,
    pub allowed: Vec<&'static str>,
}

macro_rules! picklist {
    ($(#[$meta:meta])* $name:ident, $list:literal { $($variant:ident = $slug:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value as (slug, label), for forms.
            pub const OPTIONS: &'static [(&'static str, &'static str)] = &[$(($slug, $label)),+];
            /// What people call this list, for messages.
            pub const LIST: &'static str = $list;

            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            /// Position in `ALL`; stable, so stores may use it for bit sets.
            pub fn index(self) -> usize {
                self as usize
            }
            pub fn from_index(i: usize) -> Option<Self> {
                Self::ALL.get(i).copied()
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($slug => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        list: $list,
                        value: s.to_owned(),
                        allowed: Self::ALL.iter().map(|v| v.slug()).collect(),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.slug())
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
                let described: Vec<String> =
                    Self::ALL.iter().map(|v| format!("`{}`: {}", v.slug(), v.label())).collect();
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some(Self::ALL.iter().map(|v| v.slug())))
                    .description(Some(described.join("; ")))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
    };
}

/// Other words people use for a value, by its short name: what spreadsheets and other registers
/// (such as the UK Algorithmic Transparency Recording Standard) call it. A word counts only on a
/// list holding that short name, and only after every short name and label there.
const OTHER_WORDS: &[(&str, &[&str])] = &[
    (
        "planned",
        &["proposed", "idea", "discovery", "pre deployment"],
    ),
    (
        "in-development",
        &["development", "being built", "building", "alpha"],
    ),
    (
        "pilot",
        &["trial", "piloting", "beta", "beta/pilot", "testing"],
    ),
    (
        "in-use",
        &[
            "live",
            "production",
            "in production",
            "deployed",
            "operational",
            "active",
        ],
    ),
    ("paused", &["on hold", "suspended"]),
    (
        "retired",
        &[
            "decommissioned",
            "ended",
            "closed",
            "stopped",
            "withdrawn",
            "no longer in use",
        ],
    ),
];

/// A value as compared: lower case, with spaces, hyphens and underscores all one space.
fn words(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The short name on `options` (a list's `OPTIONS`) that `said` means: the short name or the
/// label in any case ("In use", "IN-USE"), or another common word for it ("Live" for `in-use`).
pub fn choose(
    options: &'static [(&'static str, &'static str)],
    said: &str,
) -> Option<&'static str> {
    let said = words(said);
    if said.is_empty() {
        return None;
    }
    let exact = options
        .iter()
        .find(|(slug, label)| words(slug) == said || words(label) == said);
    let other = || {
        OTHER_WORDS
            .iter()
            .filter(|(_, others)| others.iter().any(|w| words(w) == said))
            .find_map(|(slug, _)| options.iter().find(|(s, _)| s == slug))
    };
    exact.or_else(other).map(|(slug, _)| *slug)
}

/// Yes or no as people write it: yes, y, true, 1; no, n, false, 0 (in any case).
pub fn yes_or_no(said: &str) -> Option<bool> {
    match words(said).as_str() {
        "yes" | "y" | "true" | "1" => Some(true),
        "no" | "n" | "false" | "0" => Some(false),
        _ => None,
    }
}

/// A list's labels for a message: “Planned”, “In development” or “Pilot”.
pub fn describe(options: &[(&str, &str)]) -> String {
    let quoted: Vec<String> = options.iter().map(|(_, l)| format!("“{l}”")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

picklist!(
    /// Where a project is in its life.
    Status, "status" {
        Planned = "planned", "Planned";
        InDevelopment = "in-development", "In development";
        Pilot = "pilot", "Pilot";
        InUse = "in-use", "In use";
        Paused = "paused", "Paused";
        Retired = "retired", "Retired";
    }
);

impl Status {
    /// Paused and retired entries must say why.
    pub fn needs_reason(self) -> bool {
        matches!(self, Status::Paused | Status::Retired)
    }
}

picklist!(
    /// The six boroughs, and the two wider areas a project may cover.
    Area, "area" {
        Halton = "halton", "Halton";
        Knowsley = "knowsley", "Knowsley";
        Liverpool = "liverpool", "Liverpool";
        Sefton = "sefton", "Sefton";
        StHelens = "st-helens", "St Helens";
        Wirral = "wirral", "Wirral";
        WholeRegion = "whole-city-region", "Whole city region";
        WiderThanRegion = "wider-than-region", "Wider than the city region";
    }
);

impl Area {
    pub const BOROUGHS: &'static [Area] = &[
        Area::Halton,
        Area::Knowsley,
        Area::Liverpool,
        Area::Sefton,
        Area::StHelens,
        Area::Wirral,
    ];
}

picklist!(
    /// What a project is about.
    Topic, "topic" {
        Health = "health", "Health";
        SocialCare = "social-care", "Social care";
        Housing = "housing", "Housing";
        Transport = "transport", "Transport";
        Education = "education", "Education";
        EmploymentSkills = "employment-and-skills", "Employment and skills";
        CommunitySafety = "community-safety", "Community safety";
        Environment = "environment", "Environment";
        BenefitsMoney = "benefits-and-money", "Benefits and money";
        Planning = "planning", "Planning";
        Other = "other", "Other";
    }
);

picklist!(
    /// The kind of AI a project uses.
    AiKind, "kind of AI" {
        RulesBased = "rules-based", "Rules-based automation";
        MachineLearning = "machine-learning", "Machine learning model";
        Generative = "generative", "Generative AI";
        Other = "other", "Other";
    }
);

picklist!(
    /// How far the system's results decide what happens to people.
    DecisionRole, "decision role" {
        InformationOnly = "information-only", "Gives information only";
        SupportsPerson = "supports-person", "Supports a person who decides";
        DecidesPersonReviews = "decides-person-reviews", "Decides, and a person reviews";
        DecidesAlone = "decides-alone", "Decides without a person";
    }
);

impl DecisionRole {
    /// Residents need a way to challenge anything beyond plain information (charter P3).
    pub fn needs_challenge_route(self) -> bool {
        self != DecisionRole::InformationOnly
    }
}

picklist!(
    /// The kinds of good a project is meant to do.
    BenefitKind, "kind of benefit" {
        BetterServices = "better-services", "Better services";
        SavesMoneyTime = "saves-money-or-time", "Saves money or time";
        Health = "health", "Health";
        Safety = "safety", "Safety";
        Environment = "environment", "Environment";
        Research = "research", "Research";
        Other = "other", "Other";
    }
);

picklist!(
    /// UK GDPR Article 6(1).
    LawfulBasis, "lawful basis" {
        Consent = "consent", "Consent";
        Contract = "contract", "Contract";
        LegalObligation = "legal-obligation", "Legal obligation";
        VitalInterests = "vital-interests", "Vital interests";
        PublicTask = "public-task", "Public task";
        RecognisedLegitimateInterest = "recognised-legitimate-interest", "Recognised legitimate interest";
        LegitimateInterests = "legitimate-interests", "Legitimate interests";
    }
);

picklist!(
    /// UK GDPR Article 9(2), needed when special category data is used.
    SpecialCategoryCondition, "Article 9 condition" {
        ExplicitConsent = "explicit-consent", "Explicit consent";
        Employment = "employment-social-protection", "Employment and social protection";
        VitalInterests = "vital-interests", "Vital interests";
        NotForProfit = "not-for-profit-body", "Not-for-profit body";
        MadePublic = "made-public", "Made public by the person";
        LegalClaims = "legal-claims", "Legal claims";
        SubstantialPublicInterest = "substantial-public-interest", "Substantial public interest";
        HealthSocialCare = "health-or-social-care", "Health or social care";
        PublicHealth = "public-health", "Public health";
        ArchivingResearch = "archiving-research-statistics", "Archiving, research and statistics";
    }
);

picklist!(
    /// The common law duty of confidentiality, for health and care data.
    ConfidentialityBasis, "confidentiality basis" {
        ImpliedConsentDirectCare = "implied-consent-direct-care", "Implied consent for direct care";
        ExplicitConsent = "explicit-consent", "Explicit consent";
        Statute = "statute", "Statute (for example section 251 support, COPI regulations, a court order)";
        OverridingPublicInterest = "overriding-public-interest", "Overriding public interest";
        NotConfidential = "not-confidential", "Not confidential (anonymised)";
    }
);

picklist!(
    /// How far data is stripped of who it is about.
    Deidentification, "de-identification level" {
        None = "none", "None: people can be identified";
        Pseudonymised = "pseudonymised", "Pseudonymised";
        Deidentified = "de-identified", "De-identified";
        AnonymousAggregates = "anonymous-aggregates", "Anonymous totals only";
    }
);

picklist!(
    /// What kind of body signed the charter.
    OrgKind, "kind of organisation" {
        CentralGovernment = "central-government", "Central government department or agency";
        CombinedAuthority = "combined-authority", "Combined authority";
        Council = "council", "Council";
        Nhs = "nhs", "NHS body";
        University = "university", "University";
        PoliceFire = "police-or-fire", "Police or fire service";
        Transport = "transport", "Transport";
        HousingAssociation = "housing-association", "Housing association";
        Voluntary = "voluntary", "Voluntary sector";
        Company = "company", "Company";
    }
);

picklist!(
    /// How a community was consulted.
    ConsultationMethod, "consultation method" {
        Workshop = "workshop", "Workshop";
        Survey = "survey", "Survey";
        Panel = "panel", "Residents' panel";
        Interviews = "interviews", "Interviews";
        PublicMeeting = "public-meeting", "Public meeting";
        CoDesign = "co-design", "Co-design sessions";
        Other = "other", "Other";
    }
);

picklist!(
    /// Equality Act 2010 protected characteristics and the region's local additions.
    Characteristic, "characteristic" {
        Age = "age", "Age";
        Disability = "disability", "Disability";
        GenderReassignment = "gender-reassignment", "Gender reassignment";
        Marriage = "marriage-civil-partnership", "Marriage and civil partnership";
        Pregnancy = "pregnancy-maternity", "Pregnancy and maternity";
        Race = "race", "Race";
        Religion = "religion-belief", "Religion or belief";
        Sex = "sex", "Sex";
        SexualOrientation = "sexual-orientation", "Sexual orientation";
        SocioEconomic = "socio-economic", "Socio-economic status";
        CareExperience = "care-experience", "Care experience";
        Carers = "carers", "Carers";
        ArmedForces = "armed-forces", "Armed forces";
        OffendingHistory = "offending-history", "Offending history";
    }
);

picklist!(
    /// What a supplier does for the project.
    SupplierRole, "supplier role" {
        BuildsSystem = "builds", "Built the system";
        RunsSystem = "runs", "Runs the system";
        ProvidesData = "provides-data", "Provides data";
        Advises = "advises", "Advises";
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip_and_are_unique() {
        fn check<T: Copy + PartialEq + std::fmt::Debug + std::str::FromStr>(
            all: &[T],
            slug: fn(T) -> &'static str,
        ) where
            T::Err: std::fmt::Debug,
        {
            let mut seen = std::collections::HashSet::new();
            for v in all {
                assert!(seen.insert(slug(*v)), "duplicate slug {}", slug(*v));
                assert_eq!(slug(*v).parse::<T>().unwrap(), *v);
            }
        }
        check(Status::ALL, Status::slug);
        check(Area::ALL, Area::slug);
        check(Topic::ALL, Topic::slug);
        check(AiKind::ALL, AiKind::slug);
        check(DecisionRole::ALL, DecisionRole::slug);
        check(LawfulBasis::ALL, LawfulBasis::slug);
        check(
            SpecialCategoryCondition::ALL,
            SpecialCategoryCondition::slug,
        );
        check(Characteristic::ALL, Characteristic::slug);
        assert_eq!(
            Topic::from_index(Topic::Planning.index()),
            Some(Topic::Planning)
        );
    }

    #[test]
    fn unknown_values_name_the_choices() {
        let err = "maybe".parse::<Status>().unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("“maybe” is not a known status"), "{msg}");
        assert!(msg.contains("in-use"), "{msg}");
    }

    #[test]
    fn serde_uses_slugs() {
        assert_eq!(
            serde_json::to_string(&Area::StHelens).unwrap(),
            "\"st-helens\""
        );
        let t: Topic = serde_json::from_str("\"benefits-and-money\"").unwrap();
        assert_eq!(t, Topic::BenefitsMoney);
        assert!(serde_json::from_str::<Topic>("\"Health\"").is_err());
    }

    #[test]
    fn choices_match_by_short_name_label_or_other_word_in_any_case() {
        for said in [
            "in-use",
            "In use",
            "IN USE",
            "in_use",
            "Live",
            " live ",
            "Production",
        ] {
            assert_eq!(choose(Status::OPTIONS, said), Some("in-use"), "{said}");
        }
        assert_eq!(choose(Status::OPTIONS, "Beta/Pilot"), Some("pilot"));
        assert_eq!(
            choose(DecisionRole::OPTIONS, "supports a person who decides"),
            Some("supports-person")
        );
        assert_eq!(choose(Area::OPTIONS, "St Helens"), Some("st-helens"));
        // Another word counts only on the list it belongs to.
        assert_eq!(choose(Topic::OPTIONS, "live"), None);
        assert_eq!(choose(Status::OPTIONS, "finished"), None);
        assert_eq!(choose(Status::OPTIONS, "  "), None);
        assert_eq!(yes_or_no("Yes"), Some(true));
        assert_eq!(yes_or_no("N"), Some(false));
        assert_eq!(yes_or_no("maybe"), None);
        assert_eq!(
            describe(&Status::OPTIONS[..3]),
            "“Planned”, “In development” or “Pilot”"
        );
    }

    #[test]
    fn challenge_route_rule() {
        assert!(!DecisionRole::InformationOnly.needs_challenge_route());
        assert!(DecisionRole::DecidesAlone.needs_challenge_route());
    }
}
