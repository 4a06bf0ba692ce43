//! Checking the register against its published history, for `charter verify` and for `charter
//! serve` before it opens the port. The comparison itself is `charter_store::verify`: it reads
//! only the store's own tables (and the store's conformance suite checks it on both databases),
//! so it stays beside them; this is the entry point the interfaces call.

use charter_store::Store;

pub use charter_store::verify::Report;

use crate::AppResult;

/// Recomputes the hash chain and checks that everything shown or searched is the latest
/// published version; the report names every difference.
pub async fn history(store: &dyn Store) -> AppResult<Report> {
    Ok(charter_store::verify::verify(store).await?)
}
