//! How the templates put values into words people read: a list's label inside a sentence, a web
//! address that may wrap. (A reading age in words is `charter_core::plain_english::age_in_words`.)

/// A list's label as it reads inside a sentence: "Machine learning model" becomes "machine
/// learning model", but "Generative AI" becomes "generative AI" and "NHS body" stays as it is.
/// Only a first word that is not an abbreviation loses its capital.
pub fn in_sentence(label: &str) -> String {
    let first_word = label.split_whitespace().next().unwrap_or("");
    let abbreviation = first_word.chars().filter(|c| c.is_uppercase()).count() > 1;
    let mut chars = label.chars();
    match chars.next() {
        Some(first) if !abbreviation => first.to_lowercase().chain(chars).collect(),
        _ => label.to_owned(),
    }
}

/// A web address path in pieces that each end at a slash: "/api/v1/projects" gives "/",
/// "api/", "v1/", "projects". The template keeps each piece whole and lets the line wrap only
/// between them, so a long address never breaks inside a word.
pub fn path_parts(path: &str) -> Vec<&str> {
    path.split_inclusive('/').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_lose_their_capital_but_not_an_abbreviation() {
        assert_eq!(in_sentence("Generative AI"), "generative AI");
        assert_eq!(
            in_sentence("Machine learning model"),
            "machine learning model"
        );
        assert_eq!(in_sentence("NHS body"), "NHS body");
        assert_eq!(in_sentence("AI"), "AI");
        assert_eq!(in_sentence(""), "");
    }

    #[test]
    fn paths_break_only_after_slashes() {
        assert_eq!(
            path_parts("/api/v1/organisations/{slug}"),
            vec!["/", "api/", "v1/", "organisations/", "{slug}"]
        );
        assert_eq!(
            path_parts("/api/openapi.json").concat(),
            "/api/openapi.json"
        );
    }
}
