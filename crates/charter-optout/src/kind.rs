//! Identifier kinds and their normalisers.
//!
//! A resident is matched by an identifier of some *kind*: the NHS number is built in, and a site
//! can set up others (a council's own reference, say) as [`LocalReference`]s. Each kind has
//!
//! - a **name** used in files, forms and the database (`nhs-number`);
//! - a **tag prefix**, the bytes put before the identifier when it is hashed, so that equal
//!   strings of two kinds never give the same tag. The tag input is `prefix || 0x00 || canonical`;
//!   a prefix never contains `0x00`, so the input is unambiguous. A prefix must never change once
//!   tags exist, since every tag depends on it;
//! - a **normaliser**, which turns what a person or a data file wrote into the one canonical byte
//!   string, or says in plain words why it cannot (the reason never repeats the value).
//!
//! The canonical value is held in a [`CanonicalId`], which never prints its contents.

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroize;

/// The longest canonical identifier any kind may produce, in bytes.
pub const MAX_CANONICAL_LEN: usize = 64;
/// The longest tag prefix any kind may have, in bytes.
pub const MAX_PREFIX_LEN: usize = 32;
/// The longest label a [`LocalReference`] may have, in bytes.
pub const MAX_LABEL_LEN: usize = 400;

/// A normalised identifier. Its bytes are only reachable through [`CanonicalId::expose_bytes`],
/// it has no `Display`, its `Debug` says only how long it is, and it is wiped when dropped.
#[derive(Clone)]
pub struct CanonicalId {
    len: u8,
    bytes: [u8; MAX_CANONICAL_LEN],
}

impl CanonicalId {
    /// An empty value, to be filled by a normaliser (reuse one per thread on hot paths).
    pub fn new() -> Self {
        CanonicalId {
            len: 0,
            bytes: [0; MAX_CANONICAL_LEN],
        }
    }

    /// Sets the value from bytes that are already canonical (for example, just opened from a
    /// sealed ciphertext). Use a kind's normaliser for anything a person or a file wrote.
    pub fn from_canonical_bytes(bytes: &[u8]) -> Result<Self, IdentifierError> {
        let mut id = CanonicalId::new();
        id.set(bytes)?;
        Ok(id)
    }

    /// Replaces the value.
    pub fn set(&mut self, bytes: &[u8]) -> Result<(), IdentifierError> {
        if bytes.len() > MAX_CANONICAL_LEN {
            return Err(IdentifierError::TooLong);
        }
        self.bytes[..bytes.len()].copy_from_slice(bytes);
        self.len = bytes.len() as u8;
        Ok(())
    }

    /// The canonical bytes, in clear. The name is long on purpose: every call is a place where an
    /// identifier is handled in clear and should be easy to find in review.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Default for CanonicalId {
    fn default() -> Self {
        CanonicalId::new()
    }
}

impl PartialEq for CanonicalId {
    fn eq(&self, other: &Self) -> bool {
        self.expose_bytes() == other.expose_bytes()
    }
}
impl Eq for CanonicalId {}

impl fmt::Debug for CanonicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CanonicalId(<{} bytes, not shown>)", self.len)
    }
}

impl Drop for CanonicalId {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

/// Why a value is not a valid identifier. The messages never contain the value itself, so they
/// are safe to write to logs and to the invalid-rows file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("the identifier is empty")]
    Empty,
    #[error("the identifier is longer than any identifier of this kind")]
    TooLong,
    #[error("the identifier contains a character other than {allowed}")]
    BadCharacter { allowed: &'static str },
    #[error("the identifier has {found} characters that count; {expected}")]
    WrongLength {
        found: usize,
        expected: &'static str,
    },
    #[error(
        "the identifier fails the NHS number Modulus 11 check (its check digit would be 10, which no NHS number has)"
    )]
    CheckDigitTen,
    #[error("the identifier fails the NHS number Modulus 11 check (the last digit does not match)")]
    CheckDigitMismatch,
    #[error("the identifier is one digit repeated, which is not a real NHS number")]
    RepeatedDigit,
}

/// One kind of identifier: a name, a tag prefix and a normaliser. Implement it to add a kind in
/// code; for kinds set up by a site administrator use [`LocalReference`].
pub trait IdentifierKind: Send + Sync {
    /// The stable name used in files, forms and the database: lower case, digits and hyphens.
    fn name(&self) -> &str;
    /// A label for people ("NHS number").
    fn label(&self) -> &str;
    /// The bytes hashed before `0x00` and the canonical value. Never changes once tags exist.
    fn tag_prefix(&self) -> &[u8];
    /// Turns written input into the canonical value in `out`, or says why it cannot.
    fn normalise(&self, raw: &[u8], out: &mut CanonicalId) -> Result<(), IdentifierError>;

    /// Normalises text, for forms and command lines.
    fn normalise_str(&self, raw: &str) -> Result<CanonicalId, IdentifierError> {
        let mut out = CanonicalId::new();
        self.normalise(raw.as_bytes(), &mut out)?;
        Ok(out)
    }
}

/// The NHS number (England, Wales and the Isle of Man): ten digits, the last a Modulus 11 check
/// digit. Written forms such as `943 476 5919` and `943-476-5919` normalise to `9434765919`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NhsNumber;

impl NhsNumber {
    pub const NAME: &'static str = "nhs-number";
    pub const TAG_PREFIX: &'static [u8] = b"nhs";
}

/// The Modulus 11 check digit for the first nine digits of an NHS number (each `0..=9`, not ASCII),
/// or `None` when the arithmetic gives 10, which means no valid NHS number starts with them.
///
/// Multiply the digits by 10, 9, ..., 2, sum, take the remainder mod 11; the check digit is
/// 11 − remainder, where 11 becomes 0.
#[inline]
pub fn nhs_check_digit(first_nine: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10u32).rev())
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// Checks ten digits (each `0..=9`, not ASCII) as an NHS number: the check digit and the
/// repeated-digit rule.
#[inline]
pub fn check_nhs_digits(digits: &[u8; 10]) -> Result<(), IdentifierError> {
    if digits.iter().all(|d| *d == digits[0]) {
        return Err(IdentifierError::RepeatedDigit);
    }
    let first_nine: &[u8; 9] = digits.first_chunk().expect("nine digits");
    match nhs_check_digit(first_nine) {
        None => Err(IdentifierError::CheckDigitTen),
        Some(c) if c == digits[9] => Ok(()),
        Some(_) => Err(IdentifierError::CheckDigitMismatch),
    }
}

const NHS_ALLOWED: &str = "digits, spaces and hyphens";
const NHS_LENGTH: &str = "an NHS number has 10 digits";

impl IdentifierKind for NhsNumber {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn label(&self) -> &str {
        "NHS number"
    }

    fn tag_prefix(&self) -> &[u8] {
        Self::TAG_PREFIX
    }

    #[inline]
    fn normalise(&self, raw: &[u8], out: &mut CanonicalId) -> Result<(), IdentifierError> {
        // Fast path: ten digits as written, the usual case in data files.
        if let Ok(ten) = <&[u8; 10]>::try_from(raw)
            && ten.iter().all(u8::is_ascii_digit)
        {
            check_nhs_digits(&ten.map(|b| b - b'0'))?;
            return out.set(ten);
        }
        let mut ascii = [0u8; 10];
        let mut n = 0usize;
        for &b in raw {
            match b {
                b'0'..=b'9' => {
                    if n < 10 {
                        ascii[n] = b;
                    }
                    n += 1;
                }
                b' ' | b'-' => {}
                _ => {
                    return Err(IdentifierError::BadCharacter {
                        allowed: NHS_ALLOWED,
                    });
                }
            }
        }
        if n == 0 {
            return Err(IdentifierError::Empty);
        }
        if n != 10 {
            return Err(IdentifierError::WrongLength {
                found: n,
                expected: NHS_LENGTH,
            });
        }
        check_nhs_digits(&ascii.map(|b| b - b'0'))?;
        out.set(&ascii)
    }
}

/// Which characters a [`LocalReference`] may contain once spaces and hyphens are removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    Digits,
    /// ASCII letters and digits.
    Alphanumeric,
}

impl Charset {
    /// The name used in the database and in snapshots: `digits` or `alphanumeric`.
    pub fn as_str(self) -> &'static str {
        match self {
            Charset::Digits => "digits",
            Charset::Alphanumeric => "alphanumeric",
        }
    }

    /// Reads [`Charset::as_str`]'s names back.
    pub fn from_name(name: &str) -> Option<Charset> {
        match name {
            "digits" => Some(Charset::Digits),
            "alphanumeric" => Some(Charset::Alphanumeric),
            _ => None,
        }
    }
}

/// A kind set up by a site administrator without code, such as a council's resident reference:
/// spaces and hyphens are removed, letters are upper-cased, then the characters and length are
/// checked.
#[derive(Debug, Clone)]
pub struct LocalReference {
    name: String,
    label: String,
    tag_prefix: Vec<u8>,
    charset: Charset,
    min_len: usize,
    max_len: usize,
}

/// Why a kind cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KindError {
    #[error(
        "“{0}” is not a usable identifier kind name: use lower-case letters, digits and hyphens, up to 32 characters"
    )]
    BadName(String),
    #[error(
        "the tag prefix for “{0}” must be 1 to 32 bytes of lower-case letters, digits and hyphens"
    )]
    BadPrefix(String),
    #[error("the lengths for “{0}” must satisfy 1 ≤ minimum ≤ maximum ≤ 64")]
    BadLengths(String),
    #[error("the label for “{0}” must be 1 to {MAX_LABEL_LEN} bytes")]
    BadLabel(String),
    #[error("the characters allowed in “{0}” must be digits or alphanumeric")]
    BadCharset(String),
    #[error("an identifier kind named “{0}” is already set up")]
    DuplicateName(String),
    #[error("another identifier kind already uses the tag prefix of “{0}”")]
    DuplicatePrefix(String),
}

fn valid_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_PREFIX_LEN
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl LocalReference {
    /// Sets up a kind. `tag_prefix` must differ from every other kind's and must never change.
    pub fn new(
        name: &str,
        label: &str,
        tag_prefix: &str,
        charset: Charset,
        min_len: usize,
        max_len: usize,
    ) -> Result<Self, KindError> {
        if !valid_token(name) {
            return Err(KindError::BadName(name.to_owned()));
        }
        if !valid_token(tag_prefix) {
            return Err(KindError::BadPrefix(name.to_owned()));
        }
        if min_len == 0 || min_len > max_len || max_len > MAX_CANONICAL_LEN {
            return Err(KindError::BadLengths(name.to_owned()));
        }
        if label.trim().is_empty() || label.len() > MAX_LABEL_LEN {
            return Err(KindError::BadLabel(name.to_owned()));
        }
        Ok(LocalReference {
            name: name.to_owned(),
            label: label.to_owned(),
            tag_prefix: tag_prefix.as_bytes().to_vec(),
            charset,
            min_len,
            max_len,
        })
    }

    /// The characters it may contain (besides spaces and hyphens, which are removed).
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// The fewest characters that count (spaces and hyphens do not).
    pub fn min_len(&self) -> usize {
        self.min_len
    }

    /// The most characters that count.
    pub fn max_len(&self) -> usize {
        self.max_len
    }
}

impl IdentifierKind for LocalReference {
    fn name(&self) -> &str {
        &self.name
    }

    fn label(&self) -> &str {
        &self.label
    }

    fn tag_prefix(&self) -> &[u8] {
        &self.tag_prefix
    }

    fn normalise(&self, raw: &[u8], out: &mut CanonicalId) -> Result<(), IdentifierError> {
        let allowed = match self.charset {
            Charset::Digits => "digits, spaces and hyphens",
            Charset::Alphanumeric => "letters, digits, spaces and hyphens",
        };
        let mut buf = [0u8; MAX_CANONICAL_LEN];
        let mut n = 0usize;
        for &b in raw {
            let c = match b {
                b' ' | b'-' => continue,
                b'0'..=b'9' => b,
                b'a'..=b'z' | b'A'..=b'Z' if self.charset == Charset::Alphanumeric => {
                    b.to_ascii_uppercase()
                }
                _ => return Err(IdentifierError::BadCharacter { allowed }),
            };
            if n == MAX_CANONICAL_LEN {
                return Err(IdentifierError::TooLong);
            }
            buf[n] = c;
            n += 1;
        }
        if n == 0 {
            return Err(IdentifierError::Empty);
        }
        if n < self.min_len || n > self.max_len {
            return Err(IdentifierError::WrongLength {
                found: n,
                expected: "it is outside the length set up for this kind",
            });
        }
        let r = out.set(&buf[..n]);
        buf.zeroize();
        r
    }
}

/// The identifier kinds a register accepts: the NHS number, plus any set up by the site.
#[derive(Clone)]
pub struct IdentifierKinds {
    kinds: Vec<Arc<dyn IdentifierKind>>,
}

impl Default for IdentifierKinds {
    fn default() -> Self {
        IdentifierKinds {
            kinds: vec![Arc::new(NhsNumber)],
        }
    }
}

impl fmt::Debug for IdentifierKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.kinds.iter().map(|k| k.name()))
            .finish()
    }
}

impl IdentifierKinds {
    /// Adds a kind; names and tag prefixes must be unique and well formed.
    pub fn add(&mut self, kind: Arc<dyn IdentifierKind>) -> Result<(), KindError> {
        let name = kind.name().to_owned();
        if !valid_token(&name) {
            return Err(KindError::BadName(name));
        }
        let prefix = kind.tag_prefix();
        if prefix.is_empty() || prefix.len() > MAX_PREFIX_LEN || prefix.contains(&0) {
            return Err(KindError::BadPrefix(name));
        }
        if self.get(&name).is_some() {
            return Err(KindError::DuplicateName(name));
        }
        if self.kinds.iter().any(|k| k.tag_prefix() == prefix) {
            return Err(KindError::DuplicatePrefix(name));
        }
        self.kinds.push(kind);
        Ok(())
    }

    /// The kind with this name.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn IdentifierKind>> {
        self.kinds.iter().find(|k| k.name() == name)
    }

    /// Every kind, the NHS number first.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn IdentifierKind>> {
        self.kinds.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> Result<String, IdentifierError> {
        NhsNumber
            .normalise_str(s)
            .map(|c| String::from_utf8(c.expose_bytes().to_vec()).unwrap())
    }

    #[test]
    fn known_numbers() {
        // The NHS Data Dictionary's worked example.
        assert_eq!(norm("9434765919").unwrap(), "9434765919");
        assert_eq!(norm("943 476 5919").unwrap(), "9434765919");
        assert_eq!(norm("943-476-5919").unwrap(), "9434765919");
        assert_eq!(norm(" 943 476-5919 ").unwrap(), "9434765919");
        assert_eq!(norm("9434765918"), Err(IdentifierError::CheckDigitMismatch));
        assert_eq!(norm("0000000000"), Err(IdentifierError::RepeatedDigit));
        assert_eq!(norm("1111111111"), Err(IdentifierError::RepeatedDigit));
        assert_eq!(norm(""), Err(IdentifierError::Empty));
        assert_eq!(norm(" - "), Err(IdentifierError::Empty));
        assert!(matches!(
            norm("943476591"),
            Err(IdentifierError::WrongLength { found: 9, .. })
        ));
        assert!(matches!(
            norm("94347659190"),
            Err(IdentifierError::WrongLength { found: 11, .. })
        ));
        assert!(matches!(
            norm("943476591X"),
            Err(IdentifierError::BadCharacter { .. })
        ));
        assert!(matches!(
            norm("９４３４７６５９１９"),
            Err(IdentifierError::BadCharacter { .. })
        ));
        assert!(matches!(
            norm("943\t476 5919"),
            Err(IdentifierError::BadCharacter { .. })
        ));
    }

    #[test]
    fn remainder_ten_is_invalid() {
        // 1 2 3 4 5 6 7 8 0: sum = 10+18+24+28+30+30+28+24+0 = 192; 192 mod 11 = 5 → 6.
        assert_eq!(nhs_check_digit(&[1, 2, 3, 4, 5, 6, 7, 8, 0]), Some(6));
        // Find a prefix whose check digit would be 10 and make sure no tenth digit rescues it.
        let mut found = false;
        for x in 0..100u8 {
            let p = [4, 0, 1, 0, 2, 3, 0, x / 10, x % 10];
            if nhs_check_digit(&p).is_none() {
                found = true;
                for last in 0..10 {
                    let mut d = [0u8; 10];
                    d[..9].copy_from_slice(&p);
                    d[9] = last;
                    assert_eq!(check_nhs_digits(&d), Err(IdentifierError::CheckDigitTen));
                }
            }
        }
        assert!(found);
    }

    #[test]
    fn messages_never_contain_the_value() {
        for input in ["9434765918", "943476591", "943476591X", "1111111111"] {
            let err = norm(input).unwrap_err().to_string();
            assert!(!err.contains(input), "{err}");
            assert!(!err.contains("943"), "{err}");
        }
    }

    #[test]
    fn debug_never_shows_the_value() {
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        let shown = format!("{id:?}");
        assert!(!shown.contains("9434765919"));
        assert!(shown.contains("10 bytes"));
    }

    #[test]
    fn local_reference() {
        let kind = LocalReference::new(
            "council-ref",
            "Council reference",
            "lcc",
            Charset::Alphanumeric,
            6,
            8,
        )
        .unwrap();
        let id = kind.normalise_str("ab-12 34").unwrap();
        assert_eq!(id.expose_bytes(), b"AB1234");
        assert!(kind.normalise_str("ab12").is_err());
        assert!(kind.normalise_str("ab12_34").is_err());
        let mut kinds = IdentifierKinds::default();
        kinds.add(Arc::new(kind.clone())).unwrap();
        assert_eq!(
            kinds.add(Arc::new(kind)).unwrap_err(),
            KindError::DuplicateName("council-ref".into())
        );
        let clash = LocalReference::new("other", "Other", "nhs", Charset::Digits, 1, 10).unwrap();
        assert_eq!(
            kinds.add(Arc::new(clash)).unwrap_err(),
            KindError::DuplicatePrefix("other".into())
        );
        assert!(kinds.get("nhs-number").is_some());
        assert!(LocalReference::new("Bad Name", "x", "x", Charset::Digits, 1, 2).is_err());
        assert!(LocalReference::new("ok", "x", "x", Charset::Digits, 3, 2).is_err());
    }
}
