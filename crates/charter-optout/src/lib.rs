//! Residents' opt-out (charter principle 6): everything needed to match people who opted out
//! without ever holding their identifiers in clear, and to remove them from datasets fast.
//!
//! This crate is pure library code: no database, no HTTP, no terminal. The register stores
//! choices and serves pages; the `charter optout …` commands and the upload endpoint call in here.
//!
//! | module | what |
//! | --- | --- |
//! | [`kind`] | identifier kinds ([`NhsNumber`], [`LocalReference`]) and their normalisers |
//! | [`keys`] | the master secret, derived keys, [`Tag`]s, [`Sealed`] identifiers |
//! | [`scope`] | what a resident opts out of ([`Scope`]) |
//! | [`snapshot`] | signed per-organisation snapshots ([`SnapshotBuilder`], [`Snapshot`]) |
//! | [`filter`](mod@filter) | the streaming CSV filter ([`filter()`], [`Manifest`]) |
//! | [`output`] | [`AtomicFile`]: outputs that appear only when complete |
//! | [`transparency`] | [`PublicCount`]: counts as the public sees them |
//!
//! # The flow
//!
//! ```
//! use charter_optout::*;
//! use time::{Duration, OffsetDateTime};
//!
//! // The register, once: a master secret (normally `MasterSecret::load_or_create(path)`).
//! let keys = RegisterKeys::derive(&MasterSecret::generate()?, KeyVersion::FIRST);
//!
//! // A resident opts out: keep only the tag (to match) and the sealed value (to re-key).
//! let id = NhsNumber.normalise_str("943 476 5919")?;
//! let tag = keys.tag_key().tag(&NhsNumber, &id);
//! let sealed = keys.seal_key().seal(&NhsNumber, &id)?;
//! # let _ = tag;
//!
//! // An organisation downloads its snapshot; the register opens the sealed values to build it.
//! let org: charter_core::Slug = "leeds-council".parse()?;
//! let now = OffsetDateTime::now_utc();
//! let mut builder = keys.snapshot_builder(org.clone(), now, now + Duration::days(7))?;
//! let opened = keys.seal_key().open(&sealed)?;
//! builder.add(&Scope::AiTraining, &NhsNumber, &opened.id)?;
//! let file = builder.finish()?;
//!
//! // The organisation filters its data with the register's published public key.
//! let snapshot = Snapshot::open(&file, &keys.public_key(), &org, now)?;
//! let input = "name,nhs_number\nAda,9434765919\nBob,401 023 2137\nCy,12345\n";
//! let (mut kept, mut invalid) = (Vec::new(), Vec::new());
//! let manifest = filter(&snapshot, &[Scope::AiTraining], "nhs_number", input.as_bytes(),
//!                       &mut kept, &mut invalid, 1, |_| {})?;
//! assert_eq!(kept, b"name,nhs_number\nBob,401 023 2137\n");
//! assert_eq!((manifest.rows_in, manifest.rows_kept, manifest.rows_removed, manifest.rows_invalid),
//!            (3, 1, 1, 1));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod csvscan;
pub mod filter;
pub mod keys;
pub mod kind;
pub mod output;
pub mod scope;
pub mod snapshot;
pub mod tagset;
pub mod transparency;

pub use csvscan::RowProblem;
pub use filter::{
    FilterError, FilterOptions, InvalidReason, Manifest, Progress, filter, filter_with_options,
};
pub use keys::{
    KeyError, KeyVersion, MasterSecret, RegisterKeys, RegisterPublicKey, SECRET_ENV_VAR, SealKey,
    Sealed, SecretOrigin, Tag, TagKey, Unsealed,
};
pub use kind::{
    CanonicalId, Charset, IdentifierError, IdentifierKind, IdentifierKinds, KindError,
    LocalReference, NhsNumber, check_nhs_digits, nhs_check_digit,
};
pub use output::AtomicFile;
pub use scope::{Scope, ScopeError};
pub use snapshot::{Snapshot, SnapshotBuilder, SnapshotError};
pub use tagset::TagSet;
pub use transparency::PublicCount;
