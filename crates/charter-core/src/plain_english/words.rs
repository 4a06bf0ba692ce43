//! Embedded word data: syllables from CMUdict (first pronunciation), with pyphen-style hyphenation for
//! words it lacks, and the Dale–Chall list of easy words that textstat ships.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::hyphen;

const CMUDICT: &str = include_str!("../../data/plain-english/cmudict-syllables.txt");
const EASY_WORDS: &str = include_str!("../../data/plain-english/dale-chall-easy-words.txt");

/// A fast non-keyed hash (the FxHash mix, eight bytes at a time): the keys are words we ship or
/// short words from the text, so hash flooding is not a concern.
#[derive(Default)]
pub(crate) struct FastHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FastHasher>>;

/// One look-up per word: CMUdict syllables (or none), and whether it is a Dale–Chall easy word.
#[derive(Clone, Copy)]
struct Info(u8);

impl Info {
    const EASY: u8 = 0x80;
    const NOT_IN_CMUDICT: u8 = 0x40;
    const SYLLABLES: u8 = 0x3f;
}

static WORDS: LazyLock<FastMap<&'static str, Info>> = LazyLock::new(|| {
    let mut map: FastMap<&'static str, Info> = FastMap::default();
    map.reserve(130_000);
    for line in CMUDICT.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((word, n)) = line.rsplit_once(' ')
            && let Ok(n) = n.parse::<u8>()
        {
            map.insert(word, Info(n.min(Info::SYLLABLES)));
        }
    }
    // textstat reads the easy words with `{line.strip() for line in f}`.
    for word in EASY_WORDS.lines().map(str::trim) {
        map.entry(word)
            .and_modify(|i| i.0 |= Info::EASY)
            .or_insert(Info(Info::EASY | Info::NOT_IN_CMUDICT));
    }
    map
});

/// Syllables in a lower-case word, as textstat counts them (CMUdict's first pronunciation, otherwise
/// pyphen's hyphenation points plus one), and whether it is on the Dale–Chall list of easy words.
pub(crate) fn lookup(word: &str) -> (u32, bool) {
    match WORDS.get(word) {
        Some(&Info(info)) if info & Info::NOT_IN_CMUDICT == 0 => {
            (u32::from(info & Info::SYLLABLES), info & Info::EASY != 0)
        }
        Some(&Info(info)) => (
            hyphen::hyphenation_points(word) as u32 + 1,
            info & Info::EASY != 0,
        ),
        None => (hyphen::hyphenation_points(word) as u32 + 1, false),
    }
}

/// Syllables in a lower-case word, as textstat counts them.
pub(crate) fn syllables_lower(word: &str) -> u32 {
    lookup(word).0
}

/// Load the word data now rather than on first use (a few milliseconds, once per process).
pub fn warm_up() {
    LazyLock::force(&WORDS);
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
        assert!(lookup("cat").1 && lookup("don't").1 && !lookup("algorithm").1);
        // On the easy list but not in CMUdict: hyphenation gives the syllables.
        assert_eq!(lookup("a-1"), (1, false));
    }
}
