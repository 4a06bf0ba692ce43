//! Liang hyphenation exactly as pyphen 0.18 does it with its `hyph_en_US.dic` patterns and textstat's
//! settings (no word-end minimum beyond two letters each side). textstat counts a word missing from
//! CMUdict as `hyphenation points + 1` syllables.

use std::sync::LazyLock;

const PATTERNS: &str = include_str!("../../data/plain-english/hyph_en_US.dic");

/// A trie of patterns: each node may hold the pattern ending there (offset of its first non-zero
/// value, and the values from there).
struct Patterns {
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    /// Sorted by character.
    children: Vec<(char, u32)>,
    values: Option<(usize, Vec<u8>)>,
}

impl Node {
    fn child(&self, c: char) -> Option<u32> {
        self.children
            .binary_search_by(|(k, _)| k.cmp(&c))
            .ok()
            .map(|i| self.children[i].1)
    }
}

static HYPHENATOR: LazyLock<Patterns> = LazyLock::new(|| Patterns::parse(PATTERNS));

const IGNORED: [&str; 6] = [
    "%",
    "#",
    "LEFTHYPHENMIN",
    "RIGHTHYPHENMIN",
    "COMPOUNDLEFTHYPHENMIN",
    "COMPOUNDRIGHTHYPHENMIN",
];

impl Patterns {
    fn parse(source: &str) -> Self {
        let mut patterns = Patterns {
            nodes: vec![Node::default()],
        };
        // The first line names the encoding (UTF-8).
        for line in source.split('\n').skip(1) {
            let line = line.trim();
            if line.is_empty() || IGNORED.iter().any(|p| line.starts_with(p)) {
                continue;
            }
            // pyphen reads `(\d?)(\D?)` pairs: each pair gives one value (0 when no digit) and at most
            // one letter; a last empty pair ends every pattern.
            let chars: Vec<char> = line.chars().collect();
            let mut tags = Vec::new();
            let mut values = Vec::new();
            let mut i = 0;
            loop {
                let mut value = 0u8;
                let mut matched = false;
                if i < chars.len() && chars[i].is_ascii_digit() {
                    value = chars[i] as u8 - b'0';
                    i += 1;
                    matched = true;
                }
                if i < chars.len() && !chars[i].is_ascii_digit() {
                    tags.push(chars[i]);
                    i += 1;
                    matched = true;
                }
                values.push(value);
                if !matched {
                    break;
                }
            }
            if values.iter().all(|&v| v == 0) {
                continue;
            }
            let start = values.iter().position(|&v| v != 0).unwrap_or(0);
            let end = values.iter().rposition(|&v| v != 0).map_or(0, |e| e + 1);
            patterns.insert(&tags, start, values[start..end].to_vec());
        }
        patterns
    }

    fn insert(&mut self, key: &[char], offset: usize, values: Vec<u8>) {
        let mut node = 0usize;
        for &c in key {
            node = match self.nodes[node].child(c) {
                Some(child) => child as usize,
                None => {
                    let next = self.nodes.len() as u32;
                    let children = &mut self.nodes[node].children;
                    let at = children.partition_point(|(k, _)| *k < c);
                    children.insert(at, (c, next));
                    self.nodes.push(Node::default());
                    next as usize
                }
            };
        }
        self.nodes[node].values = Some((offset, values));
    }

    /// Hyphenation points of `word` (already lower-case), between 2 and `len - 2` characters in.
    fn count_points(&self, word: &str) -> usize {
        // Short words (nearly all) use buffers on the stack.
        let mut pointed_buf = ['.'; 48];
        let mut refs_buf = [0u8; 49];
        let mut pointed_vec = Vec::new();
        let mut refs_vec = Vec::new();
        let lowered;
        let word_lower = if word.chars().any(char::is_uppercase) {
            lowered = word.to_lowercase();
            lowered.as_str()
        } else {
            word
        };
        let chars = word_lower.chars().count();
        let (pointed, refs): (&mut [char], &mut [u8]) = if chars + 2 <= pointed_buf.len() {
            for (slot, c) in pointed_buf[1..].iter_mut().zip(word_lower.chars()) {
                *slot = c;
            }
            pointed_buf[chars + 1] = '.';
            (&mut pointed_buf[..chars + 2], &mut refs_buf[..chars + 3])
        } else {
            pointed_vec.push('.');
            pointed_vec.extend(word_lower.chars());
            pointed_vec.push('.');
            refs_vec.resize(chars + 3, 0);
            (&mut pointed_vec[..], &mut refs_vec[..])
        };
        let pointed = &*pointed;
        let n = pointed.len();
        for i in 0..n.saturating_sub(1) {
            let mut node = 0usize;
            for &c in &pointed[i..] {
                match self.nodes[node].child(c) {
                    Some(child) => node = child as usize,
                    None => break,
                }
                if let Some((offset, values)) = &self.nodes[node].values {
                    for (k, &v) in values.iter().enumerate() {
                        if let Some(slot) = refs.get_mut(i + offset + k) {
                            *slot = (*slot).max(v);
                        }
                    }
                }
            }
        }
        let len = word.chars().count() as isize;
        refs.iter()
            .enumerate()
            .filter(|&(i, &r)| {
                let pos = i as isize - 1;
                r % 2 == 1 && pos >= 2 && pos <= len - 2
            })
            .count()
    }
}

/// pyphen's `len(positions(word))` for an en_US `Pyphen(left=2, right=2)`.
pub(crate) fn hyphenation_points(word: &str) -> usize {
    // No pattern holds a digit or `_`, so numbers have no hyphenation points.
    if word.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return 0;
    }
    HYPHENATOR.count_points(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pyphen() {
        // Values from pyphen 0.18.1: len(Pyphen(lang="en_US").positions(word)).
        assert_eq!(hyphenation_points("hyphenation"), 2);
        assert_eq!(hyphenation_points("llanfairpwllgwyngyll"), 5);
        assert_eq!(hyphenation_points("a"), 0);
        assert_eq!(hyphenation_points(""), 0);
    }
}
