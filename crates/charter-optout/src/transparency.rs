//! Counts as the public sees them: opt-outs by scope, checks run, rows removed. Small counts could
//! point at individuals, so counts from 1 to 9 are shown as "fewer than 10".

use std::fmt;

use serde::{Serialize, Serializer};

/// A count fit to publish: exact from 10 up, and for 0; "fewer than 10" from 1 to 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PublicCount {
    Exact(u64),
    FewerThanTen,
}

impl PublicCount {
    /// The smallest count shown exactly (other than 0).
    pub const THRESHOLD: u64 = 10;

    pub fn new(n: u64) -> PublicCount {
        if n == 0 || n >= Self::THRESHOLD {
            PublicCount::Exact(n)
        } else {
            PublicCount::FewerThanTen
        }
    }
}

impl From<u64> for PublicCount {
    fn from(n: u64) -> Self {
        PublicCount::new(n)
    }
}

impl fmt::Display for PublicCount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicCount::Exact(n) => write!(f, "{n}"),
            PublicCount::FewerThanTen => f.write_str("fewer than 10"),
        }
    }
}

/// In JSON and CSV: the number, or the string `"<10"`.
impl Serialize for PublicCount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PublicCount::Exact(n) => s.serialize_u64(*n),
            PublicCount::FewerThanTen => s.serialize_str("<10"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden() {
        assert_eq!(PublicCount::new(0).to_string(), "0");
        for n in 1..10 {
            assert_eq!(PublicCount::new(n).to_string(), "fewer than 10");
            assert_eq!(
                serde_json::to_string(&PublicCount::new(n)).unwrap(),
                "\"<10\""
            );
        }
        assert_eq!(PublicCount::new(10).to_string(), "10");
        assert_eq!(
            serde_json::to_string(&PublicCount::new(1234)).unwrap(),
            "1234"
        );
    }
}
