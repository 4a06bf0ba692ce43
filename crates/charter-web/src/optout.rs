//! The register's side of residents' opt-outs lives in `charter_app::optout`; the names the web
//! crate's pages and its callers use are here too.

pub use charter_app::optout::{
    KnownKinds, OptOutKeys, build_snapshot, current_version, known_kinds, local_reference,
};
