//! The master secret, the keys derived from it, tags and sealed identifiers.
//!
//! # Keys
//!
//! One 32-byte **master secret** lives outside the database: in a file created on first use with
//! owner-only permissions (0600), or in an environment variable (64 hex digits) for hosts that
//! inject secrets. Every other key is derived from it with BLAKE3 `derive_key`, one per purpose
//! and key version, so that a key for one purpose tells nothing about another:
//!
//! | key | `derive_key` context | key material |
//! | --- | --- | --- |
//! | register tag key | `charter optout tag v{N}` | master |
//! | seal key (encryption) | `charter optout seal v{N}` | master |
//! | organisation tag key | `charter optout organisation tag v{N}` | master ‖ 0x00 ‖ slug ‖ 0x00 ‖ snapshot id |
//! | snapshot signing key (Ed25519 seed) | `charter optout snapshot signing v1` | master |
//!
//! # Tags
//!
//! A tag is the first 16 bytes of `BLAKE3-keyed(key, prefix ‖ 0x00 ‖ canonical)`. Tags must be
//! keyed: there are only about 10⁹ possible NHS numbers, so an unkeyed hash of every one of them
//! takes about a minute to compute. Sixteen bytes make an accidental collision among even 10⁹
//! tags a ~10⁻²⁰ event.
//!
//! The register matches with its own tag key, which never leaves it. Each snapshot an
//! organisation downloads carries a tag key for that organisation and that snapshot only.
//!
//! **The honest limit.** An organisation holding a snapshot also holds its tag key (it needs it to
//! compute tags for its own rows), so it *could* compute the tag of every possible NHS number
//! (~10⁹ keyed hashes, minutes on a laptop) and learn which numbers in that snapshot opted out.
//! Keys cannot stop that; what limits it is that the key is per organisation and per snapshot (it
//! says nothing about another organisation's snapshot or a later one), the snapshot expires, the
//! licence to use it forbids it, and the snapshot is handled as the pseudonymised personal data it
//! is. A design that avoids it needs the register online for every check (the upload endpoint).
//!
//! # Sealed identifiers
//!
//! So that keys can be rotated (a new tag needs the canonical value), the register also keeps
//! each identifier encrypted under the seal key: XChaCha20-Poly1305 (the RustCrypto
//! `chacha20poly1305` crate) with a fresh random 24-byte nonce per message. The 192-bit nonce is
//! why random nonces are safe here: with a 96-bit nonce, random choice risks a repeat after about
//! 2³² messages under one key, and a repeated nonce breaks ChaCha20-Poly1305; with 192 bits the
//! risk is negligible for any number of messages we could write. The ciphertext is authenticated
//! (tampering is detected) and bound to its key version.

use std::fmt;
use std::fs;
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use charter_core::Slug;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use zeroize::{Zeroize, Zeroizing};

use crate::kind::{CanonicalId, IdentifierKind, MAX_CANONICAL_LEN, MAX_PREFIX_LEN};

/// The environment variable the command line reads the master secret from, when it is set.
pub const SECRET_ENV_VAR: &str = "CHARTER_OPTOUT_SECRET";

/// Problems with keys and sealed values.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not read or write the opt-out secret file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "the opt-out secret file {path} can be read by other users (mode {mode:o}): run `chmod 600 {path}`"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("the opt-out secret in {0} is not 64 hexadecimal digits")]
    Malformed(String),
    #[error("the operating system's random number generator failed: {0}")]
    Random(String),
    #[error("a sealed identifier could not be opened: it was altered, or sealed with another key")]
    Unseal,
    #[error("a sealed identifier is key version {found}, but the key given is version {expected}")]
    SealVersion { found: u32, expected: u32 },
    #[error("“{0}” is not a key version: write it as a whole number from 1, like 1 or v1")]
    BadVersion(String),
    #[error("“{0}” is not a register public key: it is 64 hexadecimal digits")]
    BadPublicKey(String),
    #[error("a sealed identifier is of the kind “{0}”, which is not set up on this register")]
    UnknownKind(String),
}

pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], KeyError> {
    let mut out = [0u8; N];
    getrandom::getrandom(&mut out).map_err(|e| KeyError::Random(e.to_string()))?;
    Ok(out)
}

/// The one secret every opt-out key is derived from. Never printed; wiped when dropped.
pub struct MasterSecret(Zeroizing<[u8; 32]>);

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(<not shown>)")
    }
}

/// Whether [`MasterSecret::load_or_create`] found a secret or made one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretOrigin {
    Loaded,
    Created,
    Environment,
}

impl MasterSecret {
    /// 32 fresh random bytes.
    pub fn generate() -> Result<Self, KeyError> {
        Ok(MasterSecret(Zeroizing::new(random_bytes()?)))
    }

    /// Uses these bytes (tests and tools; production secrets come from [`Self::load_or_create`]).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        MasterSecret(Zeroizing::new(bytes))
    }

    /// Reads 64 hex digits (surrounding white space is ignored). `source` names where the text
    /// came from, for the error message.
    pub fn from_hex(text: &str, source: &str) -> Result<Self, KeyError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut bytes[..])
            .map_err(|_| KeyError::Malformed(source.to_owned()))?;
        Ok(MasterSecret(bytes))
    }

    /// The secret in environment variable `var`, if it is set (and not empty).
    pub fn from_env(var: &str) -> Result<Option<Self>, KeyError> {
        match std::env::var(var) {
            Ok(text) if !text.trim().is_empty() => {
                Self::from_hex(&text, &format!("the environment variable {var}")).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The secret from environment variable `var` when it is set, otherwise from the file at
    /// `path`, created if missing.
    pub fn from_env_or_file(var: &str, path: &Path) -> Result<(Self, SecretOrigin), KeyError> {
        match Self::from_env(var)? {
            Some(secret) => Ok((secret, SecretOrigin::Environment)),
            None => Self::load_or_create(path),
        }
    }

    /// Reads the secret file at `path`, or creates it with 32 random bytes if there is none.
    ///
    /// The file holds 64 hex digits and a newline, and is created with mode 0600: written to a
    /// temporary file in the same folder, flushed to disk, then linked into place so that two
    /// processes starting together agree on one secret and a crash never leaves half a secret. An
    /// existing file that other users can read is refused.
    pub fn load_or_create(path: &Path) -> Result<(Self, SecretOrigin), KeyError> {
        let io_err = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        match Self::load(path) {
            Ok(secret) => return Ok((secret, SecretOrigin::Loaded)),
            Err(KeyError::Io { source, .. }) if source.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let secret = Self::generate()?;
        let mut text = Zeroizing::new(hex::encode(&secret.0[..]));
        text.push('\n');
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(dir).map_err(io_err)?;
        let tmp = dir.join(format!(
            ".{}.{}.new",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            hex::encode(random_bytes::<8>()?)
        ));
        let result = (|| {
            let mut file = create_private(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::hard_link(&tmp, path)
        })();
        let _ = fs::remove_file(&tmp);
        match result {
            Ok(()) => {
                sync_dir(dir);
                Ok((secret, SecretOrigin::Created))
            }
            // Another process created it first: use theirs.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                Ok((Self::load(path)?, SecretOrigin::Loaded))
            }
            Err(e) => Err(io_err(e)),
        }
    }

    /// Reads an existing secret file, refusing one that other users can read.
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let io_err = |source| KeyError::Io {
            path: path.to_owned(),
            source,
        };
        let file = fs::File::open(path).map_err(io_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().map_err(io_err)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(KeyError::Permissions {
                    path: path.to_owned(),
                    mode,
                });
            }
        }
        let mut text = Zeroizing::new(String::new());
        file.take(1024).read_to_string(&mut text).map_err(io_err)?;
        Self::from_hex(&text, &path.display().to_string())
    }
}

/// Creates a new file readable and writable by its owner only (0600 on Unix).
pub(crate) fn create_private(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Flushes a folder's entries to disk (so a rename or link survives a crash). Best effort.
pub(crate) fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Which generation of tag and seal keys a value was made with. Rotation moves every stored value
/// to the next version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyVersion(u32);

impl KeyVersion {
    pub const FIRST: KeyVersion = KeyVersion(1);

    pub fn new(n: u32) -> Option<KeyVersion> {
        (n >= 1).then_some(KeyVersion(n))
    }

    pub fn get(self) -> u32 {
        self.0
    }

    pub fn next(self) -> KeyVersion {
        KeyVersion(self.0 + 1)
    }
}

impl fmt::Display for KeyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

impl FromStr for KeyVersion {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        s.strip_prefix('v')
            .unwrap_or(s)
            .parse::<u32>()
            .ok()
            .and_then(KeyVersion::new)
            .ok_or_else(|| KeyError::BadVersion(s.to_owned()))
    }
}

/// A 16-byte keyed hash of an identifier. Tags are pseudonymised personal data: they are not
/// identifiers in clear, but whoever holds the key can test guesses against them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tag(pub [u8; 16]);

impl Tag {
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The tag as a number whose order is the order of the bytes.
    pub fn to_u128(self) -> u128 {
        u128::from_be_bytes(self.0)
    }

    pub fn from_u128(n: u128) -> Tag {
        Tag(n.to_be_bytes())
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", hex::encode(self.0))
    }
}

/// A key for computing tags. Never printed; wiped when dropped.
#[derive(Clone)]
pub struct TagKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TagKey(<not shown>)")
    }
}

impl TagKey {
    pub fn from_bytes(bytes: [u8; 32]) -> TagKey {
        TagKey(Zeroizing::new(bytes))
    }

    pub(crate) fn expose_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The tag of a canonical identifier of this kind.
    pub fn tag(&self, kind: &dyn IdentifierKind, id: &CanonicalId) -> Tag {
        TagInput::new(kind.tag_prefix()).tag(self, id)
    }
}

/// A reusable buffer holding `prefix ‖ 0x00`, for computing many tags of one kind without
/// allocating. The hot path of the filter uses one per thread.
pub(crate) struct TagInput {
    buf: [u8; MAX_PREFIX_LEN + 1 + MAX_CANONICAL_LEN],
    head: usize,
}

impl TagInput {
    pub(crate) fn new(prefix: &[u8]) -> TagInput {
        assert!(
            prefix.len() <= MAX_PREFIX_LEN && !prefix.contains(&0),
            "tag prefixes are at most 32 bytes and contain no 0x00"
        );
        let mut buf = [0u8; MAX_PREFIX_LEN + 1 + MAX_CANONICAL_LEN];
        buf[..prefix.len()].copy_from_slice(prefix);
        TagInput {
            buf,
            head: prefix.len() + 1,
        }
    }

    #[inline]
    pub(crate) fn tag(&mut self, key: &TagKey, id: &CanonicalId) -> Tag {
        let bytes = id.expose_bytes();
        let end = self.head + bytes.len();
        self.buf[self.head..end].copy_from_slice(bytes);
        let hash = blake3::keyed_hash(key.expose_bytes(), &self.buf[..end]);
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&hash.as_bytes()[..16]);
        tag.into()
    }
}

impl From<[u8; 16]> for Tag {
    fn from(bytes: [u8; 16]) -> Tag {
        Tag(bytes)
    }
}

impl Drop for TagInput {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

/// An identifier encrypted under a seal key: `key version (u32 LE) ‖ nonce (24) ‖ ciphertext`,
/// where the plaintext is `kind name ‖ 0x00 ‖ canonical bytes` and the Poly1305 tag covers the
/// key version too. Store it as a blob.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Sealed({} bytes, {})",
            self.0.len(),
            self.key_version_raw()
        )
    }
}

impl Sealed {
    const HEADER: usize = 4 + 24;

    /// Reads a stored blob (opening it checks it).
    pub fn from_bytes(bytes: Vec<u8>) -> Sealed {
        Sealed(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    fn key_version_raw(&self) -> u32 {
        self.0
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")))
            .unwrap_or(0)
    }

    /// The key version it was sealed with, to pick the key that opens it.
    pub fn key_version(&self) -> Option<KeyVersion> {
        KeyVersion::new(self.key_version_raw())
    }
}

/// What a sealed value holds.
#[derive(Debug)]
pub struct Unsealed {
    /// The identifier kind's name.
    pub kind: String,
    pub id: CanonicalId,
}

/// The encryption key for identifiers kept so that keys can be rotated. Never printed.
pub struct SealKey {
    version: KeyVersion,
    cipher: XChaCha20Poly1305,
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealKey({}, <not shown>)", self.version)
    }
}

impl SealKey {
    fn aad(version: u32) -> [u8; 23] {
        let mut aad = [0u8; 23];
        aad[..19].copy_from_slice(b"charter optout seal");
        aad[19..].copy_from_slice(&version.to_le_bytes());
        aad
    }

    /// Encrypts a canonical identifier of this kind with a fresh random nonce.
    pub fn seal(&self, kind: &dyn IdentifierKind, id: &CanonicalId) -> Result<Sealed, KeyError> {
        let mut plain = Zeroizing::new(Vec::with_capacity(kind.name().len() + 1 + id.len()));
        plain.extend_from_slice(kind.name().as_bytes());
        plain.push(0);
        plain.extend_from_slice(id.expose_bytes());
        let nonce: [u8; 24] = random_bytes()?;
        let version = self.version.get();
        let ct = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &Self::aad(version),
                },
            )
            .map_err(|_| KeyError::Unseal)?;
        let mut out = Vec::with_capacity(Sealed::HEADER + ct.len());
        out.extend_from_slice(&version.to_le_bytes());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(Sealed(out))
    }

    /// Decrypts and checks a sealed identifier.
    pub fn open(&self, sealed: &Sealed) -> Result<Unsealed, KeyError> {
        let bytes = &sealed.0;
        if bytes.len() < Sealed::HEADER + 16 {
            return Err(KeyError::Unseal);
        }
        let found = sealed.key_version_raw();
        if found != self.version.get() {
            return Err(KeyError::SealVersion {
                found,
                expected: self.version.get(),
            });
        }
        let plain = Zeroizing::new(
            self.cipher
                .decrypt(
                    XNonce::from_slice(&bytes[4..Sealed::HEADER]),
                    Payload {
                        msg: &bytes[Sealed::HEADER..],
                        aad: &Self::aad(found),
                    },
                )
                .map_err(|_| KeyError::Unseal)?,
        );
        let zero = plain.iter().position(|b| *b == 0).ok_or(KeyError::Unseal)?;
        let kind = String::from_utf8(plain[..zero].to_vec()).map_err(|_| KeyError::Unseal)?;
        let id =
            CanonicalId::from_canonical_bytes(&plain[zero + 1..]).map_err(|_| KeyError::Unseal)?;
        Ok(Unsealed { kind, id })
    }
}

/// The register's Ed25519 public key, which organisations use to check snapshots. Published as
/// 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RegisterPublicKey(pub(crate) VerifyingKey);

impl RegisterPublicKey {
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }
}

impl fmt::Display for RegisterPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.to_bytes()))
    }
}

impl fmt::Debug for RegisterPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegisterPublicKey({self})")
    }
}

impl FromStr for RegisterPublicKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut bytes)
            .ok()
            .and_then(|()| VerifyingKey::from_bytes(&bytes).ok())
            .map(RegisterPublicKey)
            .ok_or_else(|| KeyError::BadPublicKey(s.to_owned()))
    }
}

/// Every key the register needs for one key version, derived from the master secret.
pub struct RegisterKeys {
    version: KeyVersion,
    master: Zeroizing<[u8; 32]>,
    tag: TagKey,
    seal: SealKey,
    signing: SigningKey,
}

impl fmt::Debug for RegisterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegisterKeys({}, <not shown>)", self.version)
    }
}

impl RegisterKeys {
    /// Derives the keys of one version. Cheap (a few hashes): derive both versions during a
    /// rotation.
    pub fn derive(master: &MasterSecret, version: KeyVersion) -> RegisterKeys {
        let n = version.get();
        let tag = TagKey::from_bytes(blake3::derive_key(
            &format!("charter optout tag v{n}"),
            &master.0[..],
        ));
        let mut seal_bytes = Zeroizing::new(blake3::derive_key(
            &format!("charter optout seal v{n}"),
            &master.0[..],
        ));
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&seal_bytes[..]));
        seal_bytes.zeroize();
        let seed = Zeroizing::new(blake3::derive_key(
            "charter optout snapshot signing v1",
            &master.0[..],
        ));
        RegisterKeys {
            version,
            master: Zeroizing::new(*master.0),
            tag,
            seal: SealKey { version, cipher },
            signing: SigningKey::from_bytes(&seed),
        }
    }

    pub fn version(&self) -> KeyVersion {
        self.version
    }

    /// The register's own tag key: for the tags it stores and matches with. Never leaves it.
    pub fn tag_key(&self) -> &TagKey {
        &self.tag
    }

    /// The key that seals identifiers so they can be re-tagged after a rotation.
    pub fn seal_key(&self) -> &SealKey {
        &self.seal
    }

    /// The tag key for one organisation's snapshot. Different for every organisation and every
    /// snapshot, so holding one tells nothing about the tags in another.
    pub fn organisation_tag_key(&self, organisation: &Slug, snapshot_id: &[u8; 16]) -> TagKey {
        let mut material = Zeroizing::new(Vec::with_capacity(32 + 2 + 80 + 16));
        material.extend_from_slice(&self.master[..]);
        material.push(0);
        material.extend_from_slice(organisation.as_str().as_bytes());
        material.push(0);
        material.extend_from_slice(snapshot_id);
        TagKey::from_bytes(blake3::derive_key(
            &format!("charter optout organisation tag v{}", self.version.get()),
            &material,
        ))
    }

    /// The public half of the snapshot signing key, to publish.
    pub fn public_key(&self) -> RegisterPublicKey {
        RegisterPublicKey(self.signing.verifying_key())
    }

    /// Moves one stored identifier to these keys during a rotation: opens `sealed` with the keys
    /// it was sealed under (`from`), and returns its tag and a new sealed value under `self`.
    /// Store both in one transaction per record (or batch); a rotation interrupted half-way can
    /// resume, since each record's sealed value says which version it is.
    pub fn rekey(
        &self,
        from: &RegisterKeys,
        kinds: &crate::kind::IdentifierKinds,
        sealed: &Sealed,
    ) -> Result<(Tag, Sealed), KeyError> {
        let opened = from.seal_key().open(sealed)?;
        let kind = kinds
            .get(&opened.kind)
            .ok_or_else(|| KeyError::UnknownKind(opened.kind.clone()))?;
        let tag = self.tag_key().tag(kind.as_ref(), &opened.id);
        Ok((tag, self.seal_key().seal(kind.as_ref(), &opened.id)?))
    }

    pub(crate) fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::NhsNumber;

    fn master() -> MasterSecret {
        MasterSecret::from_bytes([7; 32])
    }

    #[test]
    fn keys_differ_by_purpose_and_version() {
        let k1 = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        let k2 = RegisterKeys::derive(&master(), KeyVersion::FIRST.next());
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        assert_ne!(
            k1.tag_key().tag(&NhsNumber, &id),
            k2.tag_key().tag(&NhsNumber, &id)
        );
        let org: Slug = "council".parse().unwrap();
        let other: Slug = "hospital".parse().unwrap();
        let a = k1.organisation_tag_key(&org, &[1; 16]);
        let b = k1.organisation_tag_key(&org, &[2; 16]);
        let c = k1.organisation_tag_key(&other, &[1; 16]);
        let ta = a.tag(&NhsNumber, &id);
        assert_ne!(ta, b.tag(&NhsNumber, &id));
        assert_ne!(ta, c.tag(&NhsNumber, &id));
        assert_ne!(ta, k1.tag_key().tag(&NhsNumber, &id));
        // Deterministic.
        let again = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        assert_eq!(
            again.tag_key().tag(&NhsNumber, &id),
            k1.tag_key().tag(&NhsNumber, &id)
        );
        assert_eq!(again.public_key(), k1.public_key());
        // The signing key does not change with the tag key version.
        assert_eq!(k2.public_key(), k1.public_key());
    }

    #[test]
    fn tag_is_keyed_blake3_of_prefixed_input() {
        let keys = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        let id = NhsNumber.normalise_str("943 476 5919").unwrap();
        let expected = blake3::keyed_hash(keys.tag_key().expose_bytes(), b"nhs\x009434765919");
        assert_eq!(
            keys.tag_key().tag(&NhsNumber, &id).0,
            expected.as_bytes()[..16]
        );
    }

    #[test]
    fn seal_round_trip_and_tamper() {
        let keys = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        let sealed = keys.seal_key().seal(&NhsNumber, &id).unwrap();
        assert!(!format!("{sealed:?}").contains("9434765919"));
        assert!(!sealed.as_bytes().windows(10).any(|w| w == b"9434765919"));
        let again = keys.seal_key().seal(&NhsNumber, &id).unwrap();
        assert_ne!(sealed, again, "random nonces");
        let opened = keys.seal_key().open(&sealed).unwrap();
        assert_eq!(opened.kind, "nhs-number");
        assert_eq!(opened.id, id);
        assert_eq!(sealed.key_version(), Some(KeyVersion::FIRST));

        for i in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[i] ^= 1;
            assert!(keys.seal_key().open(&Sealed::from_bytes(bytes)).is_err());
        }
        let k2 = RegisterKeys::derive(&master(), KeyVersion::FIRST.next());
        assert!(matches!(
            k2.seal_key().open(&sealed),
            Err(KeyError::SealVersion {
                found: 1,
                expected: 2
            })
        ));
        let other = RegisterKeys::derive(&MasterSecret::from_bytes([8; 32]), KeyVersion::FIRST);
        assert!(matches!(
            other.seal_key().open(&sealed),
            Err(KeyError::Unseal)
        ));
    }

    #[test]
    fn rekey_moves_a_record_to_the_next_version() {
        let v1 = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        let v2 = RegisterKeys::derive(&master(), KeyVersion::FIRST.next());
        let kinds = crate::kind::IdentifierKinds::default();
        let id = NhsNumber.normalise_str("9434765919").unwrap();
        let sealed = v1.seal_key().seal(&NhsNumber, &id).unwrap();
        let (tag, resealed) = v2.rekey(&v1, &kinds, &sealed).unwrap();
        assert_eq!(tag, v2.tag_key().tag(&NhsNumber, &id));
        assert_eq!(resealed.key_version(), Some(KeyVersion::FIRST.next()));
        assert_eq!(v2.seal_key().open(&resealed).unwrap().id, id);
        // Already moved: the old keys no longer open it.
        assert!(matches!(
            v2.rekey(&v1, &kinds, &resealed),
            Err(KeyError::SealVersion { .. })
        ));
    }

    #[test]
    fn secret_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets").join("optout.key");
        let (a, origin) = MasterSecret::load_or_create(&path).unwrap();
        assert_eq!(origin, SecretOrigin::Created);
        let (b, origin) = MasterSecret::load_or_create(&path).unwrap();
        assert_eq!(origin, SecretOrigin::Loaded);
        assert_eq!(*a.0, *b.0);
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
            let err = MasterSecret::load_or_create(&path).unwrap_err();
            assert!(matches!(err, KeyError::Permissions { .. }), "{err}");
            assert!(err.to_string().contains("chmod 600"));
        }
        // No temporary files left behind.
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn secret_from_hex_and_env() {
        let hex64 = "00".repeat(31) + "ff";
        let s = MasterSecret::from_hex(&format!(" {hex64}\n"), "test").unwrap();
        assert_eq!(s.0[31], 0xff);
        assert!(MasterSecret::from_hex("abc", "test").is_err());
        assert!(!format!("{s:?}").contains("ff"));
        let var = "CHARTER_OPTOUT_SECRET_TEST_UNSET_VAR";
        assert!(MasterSecret::from_env(var).unwrap().is_none());
    }

    #[test]
    fn public_key_text_round_trip() {
        let keys = RegisterKeys::derive(&master(), KeyVersion::FIRST);
        let text = keys.public_key().to_string();
        assert_eq!(
            text.parse::<RegisterPublicKey>().unwrap(),
            keys.public_key()
        );
        assert!("zz".parse::<RegisterPublicKey>().is_err());
    }

    #[test]
    fn key_version_parse() {
        assert_eq!("v3".parse::<KeyVersion>().unwrap().get(), 3);
        assert_eq!("3".parse::<KeyVersion>().unwrap().to_string(), "v3");
        assert!("v0".parse::<KeyVersion>().is_err());
    }
}
