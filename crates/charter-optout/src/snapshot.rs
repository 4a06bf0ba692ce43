//! Signed snapshots of the opt-outs one organisation must honour.
//!
//! An organisation downloads a snapshot and filters its datasets against it on its own machine.
//! A snapshot holds, for each scope it covers, the tags of everyone who opted out of that scope,
//! keyed with a tag key made for this organisation and this snapshot only (see [`crate::keys`]).
//! It always covers `organisation:SLUG` for its own organisation, and the filter always applies
//! that scope: opting out of an organisation means all of its uses.
//!
//! # Identifier kinds
//!
//! Tags already include the identifier kind (the tag input is `prefix ‖ 0x00 ‖ canonical`), so
//! one set per scope holds the opt-outs of every kind, and a value of one kind never matches a
//! tag made from another kind. What the organisation's machine also needs is each kind's
//! normaliser, to turn its column's values into the same canonical bytes: the NHS number is
//! built in, and every [`LocalReference`] the register has set up is written into the snapshot
//! (under the signature, so nobody can change its rules). [`Snapshot::kind`] gives the filter
//! the kind to use.
//!
//! # File format (version 2; version 1 when no local kinds are defined)
//!
//! All integers are little-endian. Version 1 is the same without the kinds part; a snapshot that
//! defines no local kind is written as version 1, so that older versions of charter still read it.
//!
//! | bytes | field |
//! | --- | --- |
//! | 8 | magic `CHOPTOUT` |
//! | 2 | format version, `1` (u16) |
//! | 4 | header length `H` (u32): the bytes from here to the first tag |
//! | 1 + L | organisation slug: length `L` (u8), then the slug |
//! | 8 | created, Unix seconds (i64) |
//! | 8 | expires, Unix seconds (i64) |
//! | 4 | key version (u32) |
//! | 16 | snapshot id (random) |
//! | 32 | the organisation tag key for this snapshot |
//! | 2 | number of scopes `S` (u16) |
//! | S × (1 + len + 4) | per scope: text length (u8), scope text (`ai-training`, `project:LCR-0042`, ...), number of tags (u32) |
//! | 1 | version 2 only: number of local identifier kinds `K` (u8) |
//! | K × (…) | version 2 only, per kind: name length (u8), name, tag prefix length (u8), tag prefix, characters (u8: 0 digits, 1 letters and digits), minimum length (u8), maximum length (u8), label length (u16), label |
//! | 16 × Σ counts | tags, scope after scope in header order; within a scope sorted ascending, no repeats |
//! | 64 | Ed25519 signature, by the register's signing key, over every byte before it |
//!
//! A reader checks the magic and version, then the signature, and only then reads the rest; it
//! refuses an expired snapshot, one made for another organisation, and one that does not cover a
//! requested scope. The file contains a tag key and pseudonymised personal data: keep it as such.

use std::collections::BTreeMap;
use std::fmt;

use charter_core::Slug;
use ed25519_dalek::Signature;
use time::{Duration, OffsetDateTime};

use crate::keys::{
    KeyError, KeyVersion, RegisterKeys, RegisterPublicKey, TagInput, TagKey, random_bytes,
};
use crate::kind::{CanonicalId, Charset, IdentifierKind, IdentifierKinds, LocalReference};
use crate::scope::Scope;
use crate::tagset::TagSet;

const MAGIC: &[u8; 8] = b"CHOPTOUT";
/// The newest snapshot format version this crate writes and reads (it reads version 1 too).
pub const FORMAT_VERSION: u16 = 2;
/// The most local identifier kinds a snapshot can carry.
pub const MAX_KINDS: usize = 255;
const SIGNATURE_LEN: usize = 64;
/// How far in the future a snapshot's creation time may be before the reader suspects a clock.
const CLOCK_SKEW: Duration = Duration::minutes(10);

/// Why a snapshot cannot be made or used. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("this file is not an opt-out snapshot")]
    NotASnapshot,
    #[error(
        "this snapshot is format version {0}, and this version of charter reads versions 1 to {FORMAT_VERSION}: update charter"
    )]
    UnsupportedFormat(u16),
    #[error(
        "the snapshot's signature does not match: the file was changed after the register signed it, or another register made it (check the public key)"
    )]
    BadSignature,
    #[error("the snapshot is damaged: {0}")]
    Damaged(&'static str),
    #[error("this snapshot expired on {}: download a new one from the register", fmt_time(*.expired))]
    Expired { expired: OffsetDateTime },
    #[error(
        "this snapshot was made at {}, which is in the future: check this computer's clock",
        fmt_time(*.created)
    )]
    FromTheFuture { created: OffsetDateTime },
    #[error(
        "this snapshot was made for the organisation “{snapshot}”, not “{expected}”: download your own organisation's snapshot"
    )]
    WrongOrganisation { snapshot: Slug, expected: Slug },
    #[error("this snapshot does not cover the scope {scope}; it covers: {}", list(.covered))]
    ScopeNotCovered { scope: Scope, covered: Vec<Scope> },
    #[error("a snapshot for “{organisation}” cannot hold opt-outs from {scope}")]
    ForeignScope { organisation: Slug, scope: Scope },
    #[error("choose at least one scope to filter for")]
    NoScopes,
    #[error("a snapshot holds at most 1000 scopes")]
    TooManyScopes,
    #[error("the snapshot's expiry must be after its creation time")]
    BadLifetime,
    #[error(
        "the identifier kind “{0}” is not defined in this snapshot: define it before adding opt-outs of that kind"
    )]
    UndefinedKind(String),
    #[error(
        "the identifier kind “{0}” is defined twice, or with a name or tag prefix another kind has"
    )]
    KindClash(String),
    #[error("a snapshot holds at most {MAX_KINDS} identifier kinds")]
    TooManyKinds,
    #[error(
        "this snapshot does not know the identifier kind “{kind}”; it knows: {}",
        .known.join(", ")
    )]
    UnknownKind { kind: String, known: Vec<String> },
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn list(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(Scope::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn fmt_time(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Collects the opt-outs for one organisation's snapshot, then signs it.
pub struct SnapshotBuilder<'k> {
    keys: &'k RegisterKeys,
    organisation: Slug,
    created: OffsetDateTime,
    expires: OffsetDateTime,
    id: [u8; 16],
    org_key: TagKey,
    scopes: BTreeMap<Scope, Vec<u128>>,
    /// The NHS number and every local kind defined so far.
    kinds: IdentifierKinds,
    local: Vec<LocalReference>,
}

impl fmt::Debug for SnapshotBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SnapshotBuilder({})", self.organisation)
    }
}

impl RegisterKeys {
    /// Starts a snapshot for `organisation`, valid from `created` until `expires`. It covers
    /// `organisation:SLUG` from the start; add every other scope the organisation may filter for
    /// with [`SnapshotBuilder::cover`] (a scope with no opt-outs must still be covered, or the
    /// filter refuses it).
    pub fn snapshot_builder(
        &self,
        organisation: Slug,
        created: OffsetDateTime,
        expires: OffsetDateTime,
    ) -> Result<SnapshotBuilder<'_>, SnapshotError> {
        if expires <= created {
            return Err(SnapshotError::BadLifetime);
        }
        let id: [u8; 16] = random_bytes()?;
        let org_key = self.organisation_tag_key(&organisation, &id);
        let mut scopes = BTreeMap::new();
        scopes.insert(Scope::Organisation(organisation.clone()), Vec::new());
        Ok(SnapshotBuilder {
            keys: self,
            organisation,
            created: created.replace_nanosecond(0).unwrap_or(created),
            expires: expires.replace_nanosecond(0).unwrap_or(expires),
            id,
            org_key,
            scopes,
            kinds: IdentifierKinds::default(),
            local: Vec::new(),
        })
    }
}

impl SnapshotBuilder<'_> {
    /// Writes a local identifier kind into the snapshot, so that the filter can normalise values
    /// of that kind. Define every kind whose opt-outs are added (retired ones too: their opt-outs
    /// still apply).
    pub fn define(&mut self, kind: LocalReference) -> Result<&mut Self, SnapshotError> {
        if self.local.len() >= MAX_KINDS {
            return Err(SnapshotError::TooManyKinds);
        }
        let name = kind.name().to_owned();
        self.kinds
            .add(std::sync::Arc::new(kind.clone()))
            .map_err(|_| SnapshotError::KindClash(name))?;
        self.local.push(kind);
        Ok(self)
    }

    fn check(&self, scope: &Scope) -> Result<(), SnapshotError> {
        match scope {
            Scope::Organisation(o) if *o != self.organisation => Err(SnapshotError::ForeignScope {
                organisation: self.organisation.clone(),
                scope: scope.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Makes the snapshot cover `scope`, even if nobody opted out of it.
    pub fn cover(&mut self, scope: Scope) -> Result<&mut Self, SnapshotError> {
        self.check(&scope)?;
        self.scopes.entry(scope).or_default();
        Ok(self)
    }

    /// Adds one resident's opt-out from `scope` (the scope becomes covered).
    pub fn add(
        &mut self,
        scope: &Scope,
        kind: &dyn IdentifierKind,
        id: &CanonicalId,
    ) -> Result<&mut Self, SnapshotError> {
        self.check(scope)?;
        // Only kinds the filter will know (with the same tag prefix) may have tags here.
        match self.kinds.get(kind.name()) {
            Some(known) if known.tag_prefix() == kind.tag_prefix() => {}
            _ => return Err(SnapshotError::UndefinedKind(kind.name().to_owned())),
        }
        let tag = TagInput::new(kind.tag_prefix()).tag(&self.org_key, id);
        match self.scopes.get_mut(scope) {
            Some(tags) => tags.push(tag.to_u128()),
            None => {
                self.scopes.insert(scope.clone(), vec![tag.to_u128()]);
            }
        }
        Ok(self)
    }

    /// Signs and returns the snapshot file's bytes.
    pub fn finish(self) -> Result<Vec<u8>, SnapshotError> {
        if self.scopes.len() > 1000 {
            return Err(SnapshotError::TooManyScopes);
        }
        let mut scopes: Vec<(Scope, Vec<u128>)> = self.scopes.into_iter().collect();
        let mut header = Vec::new();
        let slug = self.organisation.as_str().as_bytes();
        header.push(slug.len() as u8);
        header.extend_from_slice(slug);
        header.extend_from_slice(&self.created.unix_timestamp().to_le_bytes());
        header.extend_from_slice(&self.expires.unix_timestamp().to_le_bytes());
        header.extend_from_slice(&self.keys.version().get().to_le_bytes());
        header.extend_from_slice(&self.id);
        header.extend_from_slice(self.org_key.expose_bytes());
        header.extend_from_slice(&(scopes.len() as u16).to_le_bytes());
        let mut total = 0usize;
        for (scope, tags) in &mut scopes {
            tags.sort_unstable();
            tags.dedup();
            let text = scope.to_string();
            header.push(text.len() as u8);
            header.extend_from_slice(text.as_bytes());
            header.extend_from_slice(&(tags.len() as u32).to_le_bytes());
            total += tags.len();
        }
        // Version 1 when there is nothing for version 2 to add, so older readers still work.
        let version: u16 = if self.local.is_empty() { 1 } else { 2 };
        if version == 2 {
            header.push(self.local.len() as u8);
            for kind in &self.local {
                // `LocalReference::new` bounds every one of these lengths.
                header.push(kind.name().len() as u8);
                header.extend_from_slice(kind.name().as_bytes());
                header.push(kind.tag_prefix().len() as u8);
                header.extend_from_slice(kind.tag_prefix());
                header.push(match kind.charset() {
                    Charset::Digits => 0,
                    Charset::Alphanumeric => 1,
                });
                header.push(kind.min_len() as u8);
                header.push(kind.max_len() as u8);
                header.extend_from_slice(&(kind.label().len() as u16).to_le_bytes());
                header.extend_from_slice(kind.label().as_bytes());
            }
        }
        let mut out = Vec::with_capacity(14 + header.len() + 16 * total + SIGNATURE_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        for (_, tags) in &scopes {
            for t in tags {
                out.extend_from_slice(&t.to_be_bytes());
            }
        }
        let signature = self.keys.sign(&out);
        out.extend_from_slice(&signature);
        Ok(out)
    }
}

/// A checked snapshot, ready to filter with.
pub struct Snapshot {
    organisation: Slug,
    created: OffsetDateTime,
    expires: OffsetDateTime,
    key_version: KeyVersion,
    id: [u8; 16],
    org_key: TagKey,
    scopes: Vec<(Scope, Vec<u128>)>,
    kinds: IdentifierKinds,
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("organisation", &self.organisation.as_str())
            .field("created", &fmt_time(self.created))
            .field("expires", &fmt_time(self.expires))
            .field("key_version", &self.key_version)
            .field(
                "scopes",
                &self
                    .scopes
                    .iter()
                    .map(|(s, t)| format!("{s}: {}", t.len()))
                    .collect::<Vec<_>>(),
            )
            .field("kinds", &self.kinds)
            .finish_non_exhaustive()
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], SnapshotError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or(SnapshotError::Damaged("it ends too early"))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], SnapshotError> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }
    fn u8(&mut self) -> Result<u8, SnapshotError> {
        Ok(self.array::<1>()?[0])
    }
}

impl Snapshot {
    /// Checks and reads a snapshot file: the signature against the register's public key, that it
    /// was made for `organisation`, and that it has not expired at `now`.
    pub fn open(
        bytes: &[u8],
        public_key: &RegisterPublicKey,
        organisation: &Slug,
        now: OffsetDateTime,
    ) -> Result<Snapshot, SnapshotError> {
        if bytes.len() < 14 || &bytes[..8] != MAGIC {
            return Err(SnapshotError::NotASnapshot);
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        if !(1..=FORMAT_VERSION).contains(&version) {
            return Err(SnapshotError::UnsupportedFormat(version));
        }
        if bytes.len() < 14 + SIGNATURE_LEN {
            return Err(SnapshotError::BadSignature);
        }
        let (signed, signature) = bytes.split_at(bytes.len() - SIGNATURE_LEN);
        let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
        public_key
            .0
            .verify_strict(signed, &signature)
            .map_err(|_| SnapshotError::BadSignature)?;

        let snapshot = Self::parse(signed, version)?;
        if snapshot.organisation != *organisation {
            return Err(SnapshotError::WrongOrganisation {
                snapshot: snapshot.organisation,
                expected: organisation.clone(),
            });
        }
        if now >= snapshot.expires {
            return Err(SnapshotError::Expired {
                expired: snapshot.expires,
            });
        }
        if snapshot.created > now + CLOCK_SKEW {
            return Err(SnapshotError::FromTheFuture {
                created: snapshot.created,
            });
        }
        Ok(snapshot)
    }

    fn parse(signed: &[u8], version: u16) -> Result<Snapshot, SnapshotError> {
        let mut c = Cursor {
            bytes: signed,
            pos: 10,
        };
        let header_len = u32::from_le_bytes(c.array()?) as usize;
        let tags_start = 14usize
            .checked_add(header_len)
            .ok_or(SnapshotError::Damaged("its header length is impossible"))?;
        let slug_len = usize::from(c.u8()?);
        let slug = std::str::from_utf8(c.take(slug_len)?)
            .ok()
            .and_then(|s| s.parse::<Slug>().ok())
            .ok_or(SnapshotError::Damaged("its organisation name is not valid"))?;
        let time = |c: &mut Cursor| -> Result<OffsetDateTime, SnapshotError> {
            OffsetDateTime::from_unix_timestamp(i64::from_le_bytes(c.array()?))
                .map_err(|_| SnapshotError::Damaged("a time in it is out of range"))
        };
        let created = time(&mut c)?;
        let expires = time(&mut c)?;
        let key_version = KeyVersion::new(u32::from_le_bytes(c.array()?))
            .ok_or(SnapshotError::Damaged("its key version is 0"))?;
        let id: [u8; 16] = c.array()?;
        let org_key = TagKey::from_bytes(c.array()?);
        let n_scopes = u16::from_le_bytes(c.array()?);
        let mut heads = Vec::with_capacity(usize::from(n_scopes));
        for _ in 0..n_scopes {
            let len = usize::from(c.u8()?);
            let scope = std::str::from_utf8(c.take(len)?)
                .ok()
                .and_then(|s| s.parse::<Scope>().ok())
                .ok_or(SnapshotError::Damaged("a scope in it is not valid"))?;
            let count = u32::from_le_bytes(c.array()?) as usize;
            heads.push((scope, count));
        }
        let mut kinds = IdentifierKinds::default();
        if version >= 2 {
            let damaged = || SnapshotError::Damaged("an identifier kind in it is not valid");
            for _ in 0..c.u8()? {
                let len = usize::from(c.u8()?);
                let name = std::str::from_utf8(c.take(len)?).map_err(|_| damaged())?;
                let len = usize::from(c.u8()?);
                let prefix = std::str::from_utf8(c.take(len)?).map_err(|_| damaged())?;
                let charset = match c.u8()? {
                    0 => Charset::Digits,
                    1 => Charset::Alphanumeric,
                    _ => return Err(damaged()),
                };
                let (min, max) = (usize::from(c.u8()?), usize::from(c.u8()?));
                let len = usize::from(u16::from_le_bytes(c.array()?));
                let label = std::str::from_utf8(c.take(len)?).map_err(|_| damaged())?;
                let kind = LocalReference::new(name, label, prefix, charset, min, max)
                    .map_err(|_| damaged())?;
                kinds
                    .add(std::sync::Arc::new(kind))
                    .map_err(|_| damaged())?;
            }
        }
        if c.pos != tags_start {
            return Err(SnapshotError::Damaged("its header length does not match"));
        }
        let mut scopes = Vec::with_capacity(heads.len());
        for (scope, count) in heads {
            let raw = c.take(
                count
                    .checked_mul(16)
                    .ok_or(SnapshotError::Damaged("a tag count is impossible"))?,
            )?;
            let tags: Vec<u128> = raw
                .chunks_exact(16)
                .map(|b| u128::from_be_bytes(b.try_into().expect("16 bytes")))
                .collect();
            if !tags.windows(2).all(|w| w[0] < w[1]) {
                return Err(SnapshotError::Damaged("its tags are not in order"));
            }
            if scopes.iter().any(|(s, _)| *s == scope) {
                return Err(SnapshotError::Damaged("a scope appears twice"));
            }
            scopes.push((scope, tags));
        }
        if c.pos != signed.len() {
            return Err(SnapshotError::Damaged("there are bytes after the tags"));
        }
        Ok(Snapshot {
            organisation: slug,
            created,
            expires,
            key_version,
            id,
            org_key,
            scopes,
            kinds,
        })
    }

    /// The identifier kind named `name`, to filter a column of that kind: the NHS number, or a
    /// local kind the register wrote into this snapshot.
    pub fn kind(&self, name: &str) -> Result<std::sync::Arc<dyn IdentifierKind>, SnapshotError> {
        self.kinds
            .get(name)
            .cloned()
            .ok_or_else(|| SnapshotError::UnknownKind {
                kind: name.to_owned(),
                known: self.kind_names().map(str::to_owned).collect(),
            })
    }

    /// The names of the identifier kinds it knows, the NHS number first.
    pub fn kind_names(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.name())
    }

    pub fn organisation(&self) -> &Slug {
        &self.organisation
    }

    pub fn created(&self) -> OffsetDateTime {
        self.created
    }

    pub fn expires(&self) -> OffsetDateTime {
        self.expires
    }

    pub fn key_version(&self) -> KeyVersion {
        self.key_version
    }

    /// The snapshot's random id, in hex (for manifests and support).
    pub fn id_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// Each covered scope with its number of opt-outs.
    pub fn scopes(&self) -> impl Iterator<Item = (&Scope, usize)> {
        self.scopes.iter().map(|(s, t)| (s, t.len()))
    }

    pub fn covers(&self, scope: &Scope) -> bool {
        self.scopes.iter().any(|(s, _)| s == scope)
    }

    pub(crate) fn tag_key(&self) -> &TagKey {
        &self.org_key
    }

    /// The scopes a filter for `requested` applies: those requested, plus this organisation's own
    /// scope, without repeats. Errors if any requested scope is not covered.
    pub fn scopes_applied(&self, requested: &[Scope]) -> Result<Vec<Scope>, SnapshotError> {
        if requested.is_empty() {
            return Err(SnapshotError::NoScopes);
        }
        let mut applied: Vec<Scope> = Vec::new();
        for scope in requested {
            if !self.covers(scope) {
                return Err(SnapshotError::ScopeNotCovered {
                    scope: scope.clone(),
                    covered: self.scopes.iter().map(|(s, _)| s.clone()).collect(),
                });
            }
            if !applied.contains(scope) {
                applied.push(scope.clone());
            }
        }
        let own = Scope::Organisation(self.organisation.clone());
        if self.covers(&own) && !applied.contains(&own) {
            applied.push(own);
        }
        Ok(applied)
    }

    /// The union of the tags of the scopes applied for `requested` (see [`Self::scopes_applied`]).
    pub fn tag_set(&self, requested: &[Scope]) -> Result<TagSet, SnapshotError> {
        let applied = self.scopes_applied(requested)?;
        let parts: Vec<&[u128]> = self
            .scopes
            .iter()
            .filter(|(s, _)| applied.contains(s))
            .map(|(_, t)| t.as_slice())
            .collect();
        let hint = parts.iter().map(|p| p.len()).sum();
        Ok(TagSet::from_u128s(
            hint,
            parts.into_iter().flatten().copied(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::MasterSecret;
    use crate::kind::NhsNumber;

    fn keys() -> RegisterKeys {
        RegisterKeys::derive(&MasterSecret::from_bytes([3; 32]), KeyVersion::FIRST)
    }

    fn org() -> Slug {
        "leeds-council".parse().unwrap()
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_750_000_000).unwrap()
    }

    fn build(keys: &RegisterKeys) -> Vec<u8> {
        let mut b = keys
            .snapshot_builder(org(), now(), now() + Duration::days(7))
            .unwrap();
        b.cover(Scope::AiDecisions).unwrap();
        for n in ["9434765919", "401 023 2137"] {
            let id = NhsNumber.normalise_str(n).unwrap();
            b.add(&Scope::AiTraining, &NhsNumber, &id).unwrap();
        }
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        b.add(&Scope::Organisation(org()), &NhsNumber, &id).unwrap();
        b.add(&Scope::AiTraining, &NhsNumber, &id).unwrap(); // repeat
        b.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        let keys = keys();
        let bytes = build(&keys);
        let snap = Snapshot::open(&bytes, &keys.public_key(), &org(), now()).unwrap();
        assert_eq!(snap.organisation(), &org());
        assert_eq!(snap.created(), now());
        assert_eq!(snap.key_version(), KeyVersion::FIRST);
        let counts: Vec<(String, usize)> = snap.scopes().map(|(s, n)| (s.to_string(), n)).collect();
        assert!(counts.contains(&("ai-training".into(), 2)));
        assert!(counts.contains(&("ai-decisions".into(), 0)));
        assert!(counts.contains(&("organisation:leeds-council".into(), 1)));
        let set = snap.tag_set(&[Scope::AiDecisions]).unwrap();
        assert_eq!(set.len(), 1, "own organisation scope is always applied");
        let set = snap
            .tag_set(&[Scope::AiTraining, Scope::AiDecisions])
            .unwrap();
        assert_eq!(set.len(), 2);
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        assert!(set.contains(snap.tag_key().tag(&NhsNumber, &id)));
        // Organisation tags differ from the register's own.
        assert!(!set.contains(keys.tag_key().tag(&NhsNumber, &id)));
        // The clear number is nowhere in the file.
        assert!(!bytes.windows(10).any(|w| w == b"9434765919"));
    }

    #[test]
    fn refusals() {
        let keys = keys();
        let bytes = build(&keys);
        let pk = keys.public_key();
        let err = Snapshot::open(&bytes, &pk, &org(), now() + Duration::days(7)).unwrap_err();
        assert!(matches!(err, SnapshotError::Expired { .. }));
        assert!(err.to_string().contains("expired on 2025-06-22"), "{err}");

        let other: Slug = "york-council".parse().unwrap();
        let err = Snapshot::open(&bytes, &pk, &other, now()).unwrap_err();
        assert!(
            err.to_string()
                .contains("made for the organisation “leeds-council”, not “york-council”"),
            "{err}"
        );

        let err = Snapshot::open(&bytes, &pk, &org(), now() - Duration::days(1)).unwrap_err();
        assert!(matches!(err, SnapshotError::FromTheFuture { .. }));

        for i in [0, 9, 20, bytes.len() / 2, bytes.len() - 1] {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            let err = Snapshot::open(&bad, &pk, &org(), now()).unwrap_err();
            assert!(
                matches!(
                    err,
                    SnapshotError::BadSignature
                        | SnapshotError::NotASnapshot
                        | SnapshotError::UnsupportedFormat(_)
                ),
                "{i}: {err}"
            );
        }
        let truncated = &bytes[..bytes.len() - 16];
        assert!(matches!(
            Snapshot::open(truncated, &pk, &org(), now()),
            Err(SnapshotError::BadSignature)
        ));
        let stranger = RegisterKeys::derive(&MasterSecret::from_bytes([4; 32]), KeyVersion::FIRST);
        assert!(matches!(
            Snapshot::open(&bytes, &stranger.public_key(), &org(), now()),
            Err(SnapshotError::BadSignature)
        ));
        assert!(matches!(
            Snapshot::open(b"hello", &pk, &org(), now()),
            Err(SnapshotError::NotASnapshot)
        ));

        let snap = Snapshot::open(&bytes, &pk, &org(), now()).unwrap();
        let err = snap.tag_set(&[Scope::ResearchPlanning]).unwrap_err();
        assert!(
            err.to_string()
                .contains("does not cover the scope research-planning"),
            "{err}"
        );
        assert!(matches!(snap.tag_set(&[]), Err(SnapshotError::NoScopes)));
    }

    #[test]
    fn builder_refuses_other_organisations() {
        let keys = keys();
        let mut b = keys
            .snapshot_builder(org(), now(), now() + Duration::days(1))
            .unwrap();
        let err = b
            .cover(Scope::Organisation("york-council".parse().unwrap()))
            .unwrap_err();
        assert!(matches!(err, SnapshotError::ForeignScope { .. }));
        assert!(keys.snapshot_builder(org(), now(), now()).is_err());
    }

    fn tenancy() -> LocalReference {
        LocalReference::new(
            "knowsley-tenancy-ref",
            "Knowsley Council tenancy reference",
            "knowsley-tenancy-ref",
            Charset::Digits,
            6,
            10,
        )
        .unwrap()
    }

    #[test]
    fn local_kinds_travel_in_the_snapshot_and_never_match_another_kind() {
        let keys = keys();
        let mut b = keys
            .snapshot_builder(org(), now(), now() + Duration::days(7))
            .unwrap();
        let kind = tenancy();
        // Opt-outs of a kind the snapshot does not define are refused: the filter could not
        // normalise that kind's values.
        let id = kind.normalise_str("9434765919").unwrap();
        assert!(matches!(
            b.add(&Scope::AiTraining, &kind, &id),
            Err(SnapshotError::UndefinedKind(_))
        ));
        b.define(kind.clone()).unwrap();
        assert!(matches!(
            b.define(kind.clone()),
            Err(SnapshotError::KindClash(_))
        ));
        // The same ten digits as a tenancy reference, and an NHS number opted out as itself.
        b.add(&Scope::AiTraining, &kind, &id).unwrap();
        let nhs = NhsNumber.normalise_str("401 023 2137").unwrap();
        b.add(&Scope::AiTraining, &NhsNumber, &nhs).unwrap();
        let bytes = b.finish().unwrap();
        assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 2);
        let snap = Snapshot::open(&bytes, &keys.public_key(), &org(), now()).unwrap();
        assert_eq!(
            snap.kind_names().collect::<Vec<_>>(),
            ["nhs-number", "knowsley-tenancy-ref"]
        );
        let local = snap.kind("knowsley-tenancy-ref").unwrap();
        assert_eq!(local.label(), "Knowsley Council tenancy reference");
        assert_eq!(local.tag_prefix(), b"knowsley-tenancy-ref");
        assert!(
            local.normalise_str("12345").is_err(),
            "the rules came along"
        );
        let set = snap.tag_set(&[Scope::AiTraining]).unwrap();
        let as_local = local.normalise_str("943-476-5919").unwrap();
        assert!(set.contains(snap.tag_key().tag(local.as_ref(), &as_local)));
        // The same string as an NHS number is not opted out: kinds never collide.
        let as_nhs = NhsNumber.normalise_str("9434765919").unwrap();
        assert!(!set.contains(snap.tag_key().tag(&NhsNumber, &as_nhs)));
        assert!(set.contains(snap.tag_key().tag(&NhsNumber, &nhs)));
        let nhs_as_local = local.normalise_str("4010232137").unwrap();
        assert!(!set.contains(snap.tag_key().tag(local.as_ref(), &nhs_as_local)));
        let err = snap.kind("council-tax-ref").err().unwrap();
        assert!(
            err.to_string()
                .contains("does not know the identifier kind “council-tax-ref”; it knows: nhs-number, knowsley-tenancy-ref"),
            "{err}"
        );
        // A snapshot with no local kinds is still version 1, and knows only the NHS number.
        let old = build(&keys);
        assert_eq!(u16::from_le_bytes([old[8], old[9]]), 1);
        let old = Snapshot::open(&old, &keys.public_key(), &org(), now()).unwrap();
        assert_eq!(old.kind_names().collect::<Vec<_>>(), ["nhs-number"]);
        // The kinds are under the signature.
        let mut bad = bytes.clone();
        let at = bad
            .windows(6)
            .position(|w| w == b"Knowsl")
            .expect("label in the file");
        bad[at] = b'X';
        assert!(matches!(
            Snapshot::open(&bad, &keys.public_key(), &org(), now()),
            Err(SnapshotError::BadSignature)
        ));
    }

    #[test]
    fn each_snapshot_has_its_own_key() {
        let keys = keys();
        let a = Snapshot::open(&build(&keys), &keys.public_key(), &org(), now()).unwrap();
        let b = Snapshot::open(&build(&keys), &keys.public_key(), &org(), now()).unwrap();
        assert_ne!(a.id_hex(), b.id_hex());
        assert_ne!(a.scopes[0].1, b.scopes[0].1);
    }
}
