//! A database file made by charter before its migrations ran through `sqlx::migrate!` opens,
//! migrates in place (the versions and checksums stored in `_sqlx_migrations` still match) and
//! reads back what was written. The file was made with `charter generate --projects 12`,
//! `charter user add`, `charter org token create` and `charter optout import`.

use charter_store_sqlite::SqliteStore;

const FIXTURE: &str = "tests/fixtures/register-before-sqlx-migrate.sqlite";

#[tokio::test]
async fn a_database_made_before_opens_and_reads_back() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("charter.sqlite");
    std::fs::copy(FIXTURE, &path).expect("the fixture copies");
    let url = format!("sqlite:{}", path.display());

    let store = SqliteStore::open(&url)
        .await
        .expect("the old database opens");
    charter_store::upgraded::reads_back(&store).await;
    store.close().await;

    // Opening again finds nothing left to apply and still reads the same.
    let again = SqliteStore::open(&url).await.expect("it opens again");
    charter_store::upgraded::reads_back(&again).await;
}
