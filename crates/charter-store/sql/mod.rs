//! The SQL that SQLite and PostgreSQL agree on is written once, in this folder, and compiled
//! into each backend crate as its module `sql` (`#[path = "…/charter-store/sql/mod.rs"] mod sql;`).
//! Queries use `$1`-style placeholders, which sqlx's SQLite driver accepts too, and the column
//! types both schemas share (`INTEGER` ids read and bound as `i32`, `BIGINT` ones as `i64`).
//!
//! Each backend provides a `backend` module with what differs, and these files name only that:
//! the type aliases `Db`, `Conn`, `DbRow` and `Doc` (a stored JSON document: text in SQLite,
//! `JSONB` in PostgreSQL) with `parse_doc`/`to_doc`; `Backend`, the store type, with `pool`,
//! `err` (error classification), `turn` and `begin_write` (SQLite has one writer: writes take
//! turns and `BEGIN IMMEDIATE`); the locks PostgreSQL takes where SQLite's single writer already
//! orders things (`lock_chain`, `lock_sign_in`); and the few statements that cannot be written
//! the same way (the bulk insert of drafts, documents and the search index in `projects`,
//! collations, where the search text is kept: `SEARCH_BODY`). The database's own full-text search (FTS5
//! against `tsvector`) stays entirely in each backend.
//!
//! Why not one generic implementation over `sqlx::Database`: every function would carry the
//! same long list of `Encode`/`Decode`/`Executor` bounds for each type it binds, and the places
//! where the databases differ would still need a trait of their own. Compiling the same source
//! once per backend keeps each query plain, checked against concrete types, and as fast as
//! before; `sqlx::Any` is too weak (no arrays, no JSONB, one set of types).

// Each file implements one area's trait for the backend's store (`builder`, `chain` and
// `common` are helpers), so a backend compiles them all with `#[path = "…/sql/mod.rs"] mod sql;`.
mod accounts;
mod breaches;
pub(crate) mod builder;
pub(crate) mod chain;
mod challenge_counts;
mod challenge_stats;
mod challenges;
pub(crate) mod common;
mod dashboard;
mod drafts;
mod jobs;
mod law;
mod notices;
mod optout;
mod register;
mod search;
