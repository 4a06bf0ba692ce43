//! A database made by charter before its migrations ran through `sqlx::migrate!` migrates in
//! place (the versions and checksums stored in `_sqlx_migrations` still match) and reads back
//! what was written. The fixture is `pg_dump --inserts --no-owner --no-privileges
//! --schema=public` of a database made with `charter generate --projects 12`, `charter user
//! add`, `charter org token create` and `charter optout import`; it is restored into a schema
//! of its own on the server named by `CHARTER_TEST_POSTGRES_URL`.

use charter_store_postgres::PostgresStore;
use sqlx::Connection;

const FIXTURE: &str = include_str!("fixtures/register-before-sqlx-migrate.sql");

#[tokio::test]
async fn a_database_made_before_opens_and_reads_back() {
    let Some(url) = charter_store::test_database::postgres_url("charter-store-postgres") else {
        return;
    };
    let schema = format!(
        "upgrade_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    // The dump names everything `public.…`; restore it under the test's schema instead. Its
    // `\restrict` lines are for psql, not the server.
    let dump = FIXTURE
        .lines()
        .filter(|line| !line.starts_with('\\'))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("CREATE SCHEMA public;", &format!("CREATE SCHEMA {schema};"))
        .replace("COMMENT ON SCHEMA public IS 'standard public schema';", "")
        .replace("public.", &format!("{schema}."));
    let mut conn = sqlx::PgConnection::connect(&url).await.expect("connects");
    sqlx::raw_sql(&dump)
        .execute(&mut conn)
        .await
        .expect("the dump restores");
    conn.close().await.expect("closes");

    let store = PostgresStore::open_in_schema(&url, Some(&schema))
        .await
        .expect("the old database opens");
    charter_store::upgraded::reads_back(&store).await;
    store.close().await;

    let again = PostgresStore::open_in_schema(&url, Some(&schema))
        .await
        .expect("it opens again");
    charter_store::upgraded::reads_back(&again).await;
}
