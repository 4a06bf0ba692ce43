//! The register's tamper-evident history. Every published version of every entry is one link in a
//! single register-wide hash chain, as in a transparency log: each link's hash covers the
//! version's content hash and the previous link's hash, so changing any stored version, or
//! removing or reordering one, breaks every link after it. Anyone can recompute the chain from
//! the public log (`/api/v1/log`); `charter verify` does it from the database.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Project, ProjectId, Timestamp};

/// A BLAKE3 hash, shown as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The "previous hash" of the first link.
    pub const ZERO: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(s: &str) -> Option<Hash> {
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Hash(out))
    }

    /// The first 12 hex digits, for footers and lists.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_owned()
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Hash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("a hash is 64 hex digits"))
    }
}

impl utoipa::PartialSchema for Hash {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9a-f]{64}$"))
            .description(Some("BLAKE3 hash, 64 hex digits"))
            .into()
    }
}
impl utoipa::ToSchema for Hash {}

/// The exact bytes a version's content hash covers: the entry as JSON with object keys sorted
/// and no spaces, so any program can reproduce it.
pub fn canonical_json(project: &Project) -> String {
    let value = serde_json::to_value(project).unwrap_or(serde_json::Value::Null);
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn write_canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*k).clone()).to_string());
                out.push(':');
                write_canonical(&map[*k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

pub fn content_hash(canonical: &str) -> Hash {
    Hash(*blake3::hash(canonical.as_bytes()).as_bytes())
}

/// One link of the chain: a published version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Link {
    /// Position in the register-wide chain, from 1.
    pub seq: u64,
    pub project: ProjectId,
    /// The entry's version number, from 1.
    pub version: u32,
    /// When it was published (RFC 3339, UTC).
    #[schema(value_type = String)]
    pub published_at: Timestamp,
    /// What changed, in a few words.
    pub note: String,
    pub content_hash: Hash,
    pub previous_hash: Hash,
    pub hash: Hash,
}

/// The link hash: BLAKE3 over every field of the link but itself, in a fixed layout.
pub fn link_hash(
    seq: u64,
    project: ProjectId,
    version: u32,
    published_at: &str,
    note: &str,
    content_hash: &Hash,
    previous_hash: &Hash,
) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(b"charter-register-link-v1\0");
    h.update(&seq.to_be_bytes());
    h.update(&project.number().to_be_bytes());
    h.update(&version.to_be_bytes());
    for text in [published_at, note] {
        h.update(&(text.len() as u64).to_be_bytes());
        h.update(text.as_bytes());
    }
    h.update(&content_hash.0);
    h.update(&previous_hash.0);
    Hash(*h.finalize().as_bytes())
}

impl Link {
    /// Makes the next link after `previous` (or the first, when there is none).
    pub fn next(
        previous: Option<&Link>,
        project: ProjectId,
        version: u32,
        published_at: Timestamp,
        note: String,
        canonical: &str,
    ) -> Link {
        let seq = previous.map_or(1, |p| p.seq + 1);
        let previous_hash = previous.map_or(Hash::ZERO, |p| p.hash);
        let content_hash = content_hash(canonical);
        let hash = link_hash(
            seq,
            project,
            version,
            &published_at,
            &note,
            &content_hash,
            &previous_hash,
        );
        Link {
            seq,
            project,
            version,
            published_at,
            note,
            content_hash,
            previous_hash,
            hash,
        }
    }
}

impl Link {
    /// Checks that this link, with its stored content, correctly follows `previous` and is
    /// version `expected_version` of its entry. Says what is wrong otherwise.
    pub fn follows(
        &self,
        previous: Option<&Link>,
        expected_version: u32,
        stored_content: &str,
    ) -> Result<(), String> {
        let expected_seq = previous.map_or(1, |p| p.seq + 1);
        if self.seq != expected_seq {
            return Err(format!(
                "expected link {expected_seq} here: a link is missing or out of order"
            ));
        }
        let expected_previous = previous.map_or(Hash::ZERO, |p| p.hash);
        if self.previous_hash != expected_previous {
            return Err("its previous hash is not the hash of the link before it".into());
        }
        if self.version != expected_version {
            return Err(format!(
                "expected version {expected_version} of {}",
                self.project
            ));
        }
        if content_hash(stored_content) != self.content_hash {
            return Err("the stored content does not match its content hash: it was changed after publication".into());
        }
        let recomputed = link_hash(
            self.seq,
            self.project,
            self.version,
            &self.published_at,
            &self.note,
            &self.content_hash,
            &self.previous_hash,
        );
        if recomputed != self.hash {
            return Err("its hash does not match its fields".into());
        }
        Ok(())
    }
}

/// Where the chain first fails, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("link {seq} ({project} version {version}) is broken: {reason}")]
pub struct BrokenLink {
    pub seq: u64,
    pub project: ProjectId,
    pub version: u32,
    pub reason: String,
}

/// Checks links in order, with the stored content of each, carrying state between calls so a
/// long chain can be checked in batches.
#[derive(Debug, Default)]
pub struct Verifier {
    previous: Option<Link>,
    versions: std::collections::HashMap<ProjectId, u32>,
    pub checked: u64,
}

impl Verifier {
    pub fn new() -> Verifier {
        Verifier::default()
    }

    pub fn check(&mut self, link: &Link, stored_content: &str) -> Result<(), BrokenLink> {
        let broken = |reason: String| BrokenLink {
            seq: link.seq,
            project: link.project,
            version: link.version,
            reason,
        };
        let expected_version = self.versions.get(&link.project).map_or(1, |v| v + 1);
        link.follows(self.previous.as_ref(), expected_version, stored_content)
            .map_err(broken)?;
        self.versions.insert(link.project, link.version);
        self.previous = Some(link.clone());
        self.checked += 1;
        Ok(())
    }

    /// The last link checked: the head the chain should end at.
    pub fn head(&self) -> Option<&Link> {
        self.previous.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(n: u32, summary: &str) -> Project {
        let mut p: Project =
            serde_json::from_str(include_str!("../tests/fixtures/check-complete.json")).unwrap();
        p.id = ProjectId::new(n);
        p.summary = summary.to_owned();
        p
    }

    fn chain() -> Vec<(Link, String)> {
        let mut out: Vec<(Link, String)> = Vec::new();
        for (n, v, s) in [(1, 1, "first"), (2, 1, "second"), (1, 2, "first, changed")] {
            let content = canonical_json(&project(n, s));
            let link = Link::next(
                out.last().map(|(l, _)| l),
                ProjectId::new(n),
                v,
                Timestamp::parse("2026-11-30T12:00:00Z").unwrap(),
                "Published".into(),
                &content,
            );
            out.push((link, content));
        }
        out
    }

    #[test]
    fn canonical_json_sorts_keys_and_round_trips() {
        let p = project(1, "x");
        let c = canonical_json(&p);
        assert!(c.starts_with("{\"accountable_owner\":"), "{}", &c[..40]);
        assert!(!c.contains("\": "), "no space after a key");
        let back: Project = serde_json::from_str(&c).unwrap();
        assert_eq!(canonical_json(&back), c);
    }

    #[test]
    fn a_good_chain_verifies() {
        let mut v = Verifier::new();
        for (link, content) in chain() {
            v.check(&link, &content).unwrap();
        }
        assert_eq!(v.checked, 3);
        assert_eq!(v.head().unwrap().seq, 3);
        assert_eq!(
            Hash::from_hex(&v.head().unwrap().hash.to_hex()),
            Some(v.head().unwrap().hash)
        );
    }

    #[test]
    fn changed_content_is_caught_at_its_link() {
        let mut links = chain();
        links[1].1 = links[1].1.replace("second", "SECOND");
        let mut v = Verifier::new();
        v.check(&links[0].0, &links[0].1).unwrap();
        let err = v.check(&links[1].0, &links[1].1).unwrap_err();
        assert_eq!(err.seq, 2);
        assert!(
            err.to_string().contains("changed after publication"),
            "{err}"
        );
    }

    #[test]
    fn rewritten_hashes_missing_and_reordered_links_are_caught() {
        let links = chain();
        // Content and its hash both rewritten: the link hash no longer matches.
        let mut forged = links[0].clone();
        forged.1 = forged.1.replace("first", "forged");
        forged.0.content_hash = content_hash(&forged.1);
        assert!(
            Verifier::new()
                .check(&forged.0, &forged.1)
                .unwrap_err()
                .reason
                .contains("does not match its fields")
        );
        // A link removed.
        let mut v = Verifier::new();
        v.check(&links[0].0, &links[0].1).unwrap();
        assert!(
            v.check(&links[2].0, &links[2].1)
                .unwrap_err()
                .reason
                .contains("missing or out of order")
        );
        // A note changed.
        let mut noted = links[0].clone();
        noted.0.note = "Quietly edited".into();
        assert!(Verifier::new().check(&noted.0, &noted.1).is_err());
    }
}
