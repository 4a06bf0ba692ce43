//! A fast set of tags.
//!
//! Tags are uniformly distributed (they are keyed hashes), so their top bits serve as the hash
//! directly: an open-addressed table with linear probing, at most half full, finds a tag or its
//! absence with usually one memory read (a probe rarely leaves its cache line). It costs 16 bytes
//! per slot and two to four slots per tag (32–64 bytes per opt-out), with no hashing and no
//! per-entry allocation. [`TagSet::contains_many`] looks up a batch of tags with all the first
//! reads issued together, so their cache misses overlap instead of queueing.

use crate::keys::Tag;

/// A set of tags, built once and then only read (shared between threads).
#[derive(Clone)]
pub struct TagSet {
    /// 0 marks an empty slot; the tag 0 itself is kept in `has_zero`.
    slots: Vec<u128>,
    mask: usize,
    shift: u32,
    has_zero: bool,
    len: usize,
}

impl std::fmt::Debug for TagSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TagSet({} tags)", self.len)
    }
}

impl TagSet {
    /// Builds a set from tags in any order, with or without repeats.
    pub fn new(tags: impl IntoIterator<Item = Tag>) -> TagSet {
        let tags: Vec<u128> = tags.into_iter().map(Tag::to_u128).collect();
        Self::from_u128s(tags.len(), tags)
    }

    /// Builds a set from at most `hint` tags (more are accepted, but slower to find).
    pub(crate) fn from_u128s(hint: usize, tags: impl IntoIterator<Item = u128>) -> TagSet {
        let capacity = (hint.max(8) * 2).next_power_of_two();
        let mut set = TagSet {
            slots: vec![0; capacity],
            mask: capacity - 1,
            shift: 128 - capacity.trailing_zeros(),
            has_zero: false,
            len: 0,
        };
        for t in tags {
            set.insert(t);
        }
        set
    }

    fn insert(&mut self, t: u128) {
        if t == 0 {
            self.len += usize::from(!self.has_zero);
            self.has_zero = true;
            return;
        }
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mut i = (t >> self.shift) as usize;
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = t;
                    self.len += 1;
                    return;
                }
                s if s == t => return,
                _ => i = (i + 1) & self.mask,
            }
        }
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        let zero = self.has_zero;
        *self = TagSet::from_u128s(old.len(), old.into_iter().filter(|t| *t != 0));
        if zero {
            self.insert(0);
        }
    }

    #[inline]
    fn probe_from(&self, t: u128, mut i: usize, mut s: u128) -> bool {
        loop {
            if s == t {
                return true;
            }
            if s == 0 {
                return false;
            }
            i = (i + 1) & self.mask;
            s = self.slots[i];
        }
    }

    #[inline]
    pub fn contains(&self, tag: Tag) -> bool {
        self.contains_u128(tag.to_u128())
    }

    #[inline]
    pub(crate) fn contains_u128(&self, t: u128) -> bool {
        if t == 0 {
            return self.has_zero;
        }
        let i = (t >> self.shift) as usize;
        self.probe_from(t, i, self.slots[i])
    }

    /// Looks up each tag in `tags`, writing the answers to `found` (of the same length).
    #[inline]
    pub(crate) fn contains_many(&self, tags: &[u128], found: &mut [bool]) {
        const MAX: usize = 64;
        debug_assert!(tags.len() <= MAX && found.len() == tags.len());
        let mut first = [0u128; MAX];
        // Independent loads: the CPU overlaps their cache misses.
        for (f, t) in first.iter_mut().zip(tags) {
            *f = self.slots[(t >> self.shift) as usize];
        }
        for ((out, t), s) in found.iter_mut().zip(tags).zip(first) {
            *out = if *t == 0 {
                self.has_zero
            } else {
                self.probe_from(*t, (t >> self.shift) as usize, s)
            };
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bytes of memory held.
    pub fn memory_bytes(&self) -> usize {
        self.slots.capacity() * 16
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_edges() {
        let set = TagSet::new([]);
        assert!(!set.contains(Tag::from_u128(0)));
        assert!(!set.contains(Tag::from_u128(u128::MAX)));
        let set = TagSet::new([
            Tag::from_u128(0),
            Tag::from_u128(u128::MAX),
            Tag::from_u128(0),
        ]);
        assert_eq!(set.len(), 2);
        assert!(set.contains(Tag::from_u128(0)));
        assert!(set.contains(Tag::from_u128(u128::MAX)));
        assert!(!set.contains(Tag::from_u128(1)));
    }

    proptest! {
        #[test]
        fn agrees_with_a_hash_set(members in prop_oneof![proptest::collection::vec(any::<u128>(), 0..300), proptest::collection::vec(0u128..50, 0..30), proptest::collection::vec((u128::MAX - 50)..=u128::MAX, 0..30)],
                                  probes in proptest::collection::vec(any::<u128>(), 0..100)) {
            let set = TagSet::new(members.iter().copied().map(Tag::from_u128));
            let reference: std::collections::HashSet<u128> = members.iter().copied().collect();
            prop_assert_eq!(set.len(), reference.len());
            for t in members.iter().chain(probes.iter()) {
                prop_assert_eq!(set.contains_u128(*t), reference.contains(t));
            }
            let all: Vec<u128> = members.iter().chain(probes.iter()).copied().collect();
            for batch in all.chunks(64) {
                let mut found = vec![false; batch.len()];
                set.contains_many(batch, &mut found);
                for (t, f) in batch.iter().zip(found) {
                    prop_assert_eq!(f, reference.contains(t));
                }
            }
            // Growing past the size hint keeps every member.
            let grown = TagSet::from_u128s(1, members.iter().copied());
            for t in &members {
                prop_assert!(grown.contains_u128(*t));
            }
        }
    }
}
