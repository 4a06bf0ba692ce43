//! Property tests for the NHS number: Modulus 11 and normalisation.

use charter_optout::{
    IdentifierError, IdentifierKind, NhsNumber, check_nhs_digits, nhs_check_digit,
};
use proptest::prelude::*;

/// The rule as OPTOUT.md states it, written as plainly as possible, as a reference.
fn reference_valid(s: &str) -> bool {
    let digits: Vec<u32> = s
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .map(|c| match c.to_digit(10) {
            Some(d) if c.is_ascii_digit() => d,
            _ => 99,
        })
        .collect();
    if digits.len() != 10 || digits.contains(&99) {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = (0..9).map(|i| digits[i] * (10 - i as u32)).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == digits[9]
}

/// Valid NHS numbers, as ten ASCII digits.
fn valid_number() -> impl Strategy<Value = String> {
    proptest::array::uniform9(0u8..10).prop_filter_map("check digit would be 10", |nine| {
        let check = nhs_check_digit(&nine)?;
        let mut all = [0u8; 10];
        all[..9].copy_from_slice(&nine);
        all[9] = check;
        check_nhs_digits(&all).ok()?;
        Some(all.iter().map(|d| char::from(b'0' + d)).collect())
    })
}

fn normalised(s: &str) -> Result<String, IdentifierError> {
    NhsNumber
        .normalise_str(s)
        .map(|id| String::from_utf8(id.expose_bytes().to_vec()).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn every_valid_number_passes(n in valid_number()) {
        prop_assert_eq!(normalised(&n), Ok(n.clone()));
        prop_assert!(reference_valid(&n));
    }

    #[test]
    fn any_single_digit_change_is_caught(n in valid_number(), pos in 0usize..10, delta in 1u8..10) {
        let mut bytes = n.into_bytes();
        bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(normalised(&changed).is_err(), "{} passed", changed);
    }

    #[test]
    fn any_adjacent_swap_is_caught(n in valid_number(), pos in 0usize..9) {
        let mut bytes = n.into_bytes();
        prop_assume!(bytes[pos] != bytes[pos + 1]);
        bytes.swap(pos, pos + 1);
        let swapped = String::from_utf8(bytes).unwrap();
        prop_assert!(normalised(&swapped).is_err(), "{} passed", swapped);
    }

    #[test]
    fn formatting_variants_normalise_to_the_same_value(
        n in valid_number(),
        seps in proptest::collection::vec(prop_oneof![Just(""), Just(" "), Just("-"), Just("  "), Just(" - ")], 11),
    ) {
        let mut written = String::new();
        for (i, c) in n.chars().enumerate() {
            written.push_str(seps[i]);
            written.push(c);
        }
        written.push_str(seps[10]);
        prop_assert_eq!(normalised(&written), Ok(n));
    }

    #[test]
    fn agrees_with_the_reference_on_any_ten_digits(s in "[0-9]{10}") {
        prop_assert_eq!(normalised(&s).is_ok(), reference_valid(&s));
    }

    #[test]
    fn agrees_with_the_reference_on_anything(s in "[0-9 \\-a-z\\t٣]{0,16}") {
        prop_assert_eq!(normalised(&s).is_ok(), reference_valid(&s));
    }

    #[test]
    fn never_panics_and_only_yields_valid_numbers(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
        let mut id = charter_optout::CanonicalId::new();
        if NhsNumber.normalise(&bytes, &mut id).is_ok() {
            let s = std::str::from_utf8(id.expose_bytes()).unwrap();
            prop_assert_eq!(s.len(), 10);
            prop_assert!(reference_valid(s));
        }
    }

    #[test]
    fn other_characters_are_rejected(n in valid_number(), pos in 0usize..11, c in "[^0-9 \\-]") {
        let mut s = n;
        let at = s.char_indices().nth(pos).map_or(s.len(), |(i, _)| i);
        s.insert_str(at, &c);
        let is_bad_character = matches!(normalised(&s), Err(IdentifierError::BadCharacter { .. }));
        prop_assert!(is_bad_character);
    }
}

#[test]
fn repeated_digits_are_rejected_even_though_they_pass_the_arithmetic() {
    for d in 0..10u8 {
        let s: String = std::iter::repeat_n(char::from(b'0' + d), 10).collect();
        assert_eq!(normalised(&s), Err(IdentifierError::RepeatedDigit), "{s}");
        let digits = [d; 10];
        // The arithmetic alone: d × (10+9+…+2) = 54d ≡ 10d (mod 11), so the check digit is
        // 11 − 10d mod 11 = d (or 0 for d = 0): each repeated number passes Modulus 11.
        assert_eq!(nhs_check_digit(digits[..9].try_into().unwrap()), Some(d));
    }
}
