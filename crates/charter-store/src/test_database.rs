//! Which PostgreSQL server the tests use, one rule for every suite that runs on it.

use std::io::Write;
use std::sync::Once;

/// The PostgreSQL server to test against, from `CHARTER_TEST_POSTGRES_URL`.
///
/// Without it the PostgreSQL half of `suite` is skipped, and the test output says so once (written
/// straight to stderr, which the test runner does not capture). When `CHARTER_REQUIRE_POSTGRES=1`
/// (as `.ci/run` sets) or `CI` is set, a missing URL fails the test instead.
pub fn postgres_url(suite: &str) -> Option<String> {
    static NOTE: Once = Once::new();
    if let Ok(url) = std::env::var("CHARTER_TEST_POSTGRES_URL") {
        return Some(url);
    }
    let required = std::env::var("CHARTER_REQUIRE_POSTGRES").is_ok_and(|v| v == "1")
        || std::env::var_os("CI").is_some();
    assert!(
        !required,
        "CHARTER_REQUIRE_POSTGRES=1 (or CI) is set, so CHARTER_TEST_POSTGRES_URL must be set: \
         the PostgreSQL suites may not be skipped here"
    );
    NOTE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "note: PostgreSQL suite skipped ({suite}): CHARTER_TEST_POSTGRES_URL is not set; \
             these tests ran on SQLite only or not at all"
        );
    });
    None
}
