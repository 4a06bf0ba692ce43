//! The register's side of residents' opt-outs lives in `charter_app::optout`. These names stay
//! here for the identifier-kind pages and the web tests that use them.

pub use charter_app::optout::{
    KnownKinds, OptOutKeys, build_snapshot, known_kinds, local_reference,
};
