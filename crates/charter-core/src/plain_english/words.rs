//! Embedded word data: syllables from CMUdict (first pronunciation), with pyphen-style hyphenation for
//! words it lacks, and the Dale–Chall list of easy words that textstat ships.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::hyphen;

const CMUDICT: &str = include_str!("../../data/plain-english/cmudict-syllables.txt");
const EASY_WORDS: &str = include_str!("../../data/plain-english/dale-chall-easy-words.txt");

/// FNV-1a: the keys are short words we ship ourselves, so a fast non-keyed hash is fine.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<Fnv>>;

static SYLLABLES: LazyLock<FastMap<&'static str, u8>> = LazyLock::new(|| {
    let mut map = FastMap::default();
    map.reserve(130_000);
    for line in CMUDICT.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((word, n)) = line.rsplit_once(' ')
            && let Ok(n) = n.parse()
        {
            map.insert(word, n);
        }
    }
    map
});

static EASY: LazyLock<FastSet<&'static str>> = LazyLock::new(|| {
    // textstat reads the file with `{line.strip() for line in f}`.
    EASY_WORDS.lines().map(str::trim).collect()
});

/// Syllables in a lower-case word, as textstat counts them: CMUdict's first pronunciation, otherwise
/// pyphen's hyphenation points plus one.
pub(crate) fn syllables_lower(word: &str) -> u32 {
    match SYLLABLES.get(word) {
        Some(&n) => u32::from(n),
        None => hyphen::hyphenation_points(word) as u32 + 1,
    }
}

/// Whether the lower-case word is on the Dale–Chall list of easy words.
pub(crate) fn is_easy(word: &str) -> bool {
    EASY.contains(word)
}

/// Load the word data now rather than on first use (a few milliseconds, once per process).
pub fn warm_up() {
    LazyLock::force(&SYLLABLES);
    LazyLock::force(&EASY);
    hyphen::hyphenation_points("warm");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(syllables_lower("cat"), 1);
        assert_eq!(syllables_lower("sunny"), 2);
        assert_eq!(syllables_lower("don't"), 1);
        assert!(is_easy("cat") && is_easy("don't") && !is_easy("algorithm"));
    }
}
