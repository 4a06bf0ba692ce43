//! The register's search index: every published entry's words in memory, built from the store
//! and kept current from it, ranked by this one piece of code whatever the database.
//!
//! An inverted index (each word → the entries holding it, weighted by where: title 10, summary
//! 4, the rest 1) with a vocabulary for word starts and spelling mistakes. A query is a list of
//! units, all required; each unit is the word typed, its word starts, its plural or singular,
//! close spellings and its synonyms. Ranking: fewest spelling corrections first, then BM25 with
//! each kind of match weighted (exact above plural above synonym above word start above
//! corrected), then the entry's number. Filters and facet counts are worked out over every match,
//! so totals are exact.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;

use super::filter::{Counts, Filter, Organisations, Packed};
use super::synonyms::Synonyms;
use super::words::{MAX_WORD, distance_within, each_word, letter_bits, typo_budget, words};
use super::{Facet, SearchQuery, Sort};
use crate::Date;
use crate::picklists::{Area, DecisionRole, Status, Topic};

/// Most words a word start brings in (the most common first): "a" must not mean every word.
const MAX_PREFIX_WORDS: usize = 50;
/// Most close spellings one word brings in (the nearest, then the most common).
const MAX_TYPO_WORDS: usize = 20;
/// Most units in a query; the rest of a long query is ignored.
pub const MAX_UNITS: usize = 16;
/// How much each kind of match counts, against the word as typed.
const EXACT: f64 = 1.0;
const PLURAL: f64 = 0.9;
const SYNONYM: f64 = 0.8;
const PREFIX: f64 = 0.6;
const TYPO: f64 = 0.5;
/// BM25's usual settings.
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// The length held for a removed entry's position.
const GONE: u32 = u32::MAX;
/// Rough costs, in the same unit, of reading one posting and of looking one word up in one
/// entry: once few entries are left, looking their words up beats reading long postings.
const SCAN_COST: usize = 3;
const PROBE_ENTRY_COST: usize = 100;
const PROBE_WORD_COST: usize = 20;

/// What filters, facets and sorting read about an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributes {
    pub organisation: String,
    pub organisation_name: String,
    pub areas: Vec<Area>,
    pub topics: Vec<Topic>,
    pub status: Status,
    pub uses_ai: bool,
    pub role: DecisionRole,
    pub last_updated: Date,
}

/// An entry as the index takes it: its number, its text, its attributes and what a result
/// carries back (`D`).
#[derive(Debug, Clone)]
pub struct Document<D> {
    pub id: u32,
    pub title: String,
    pub summary: String,
    /// Everything else searched: the descriptions and the organisation's name.
    pub body: String,
    pub attributes: Attributes,
    pub payload: D,
}

struct Stored<D> {
    doc: Document<D>,
    /// The entry's words and their weights, by word number (for looking a word up in it).
    terms: Box<[(u32, u16)]>,
    title_key: String,
    organisation_key: String,
}

#[derive(Clone, Copy)]
struct Posting {
    doc: u32,
    weight: u16,
}

struct Term {
    text: Box<str>,
    chars: Box<[char]>,
    bits: u32,
    /// Live entries holding the word (postings may also hold removed ones until compacted).
    df: u32,
    postings: Vec<Posting>,
}

/// How a word in an entry matched a unit of the query.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Choice {
    term: u32,
    typos: u8,
    factor: f64,
}

enum Alternative {
    Word(Choice),
    /// A synonym of several words: all of them in the entry.
    Phrase(Vec<u32>),
}

struct Unit {
    alternatives: Vec<Alternative>,
}

/// One result: the entry's payload and what to highlight in it.
pub struct Hit<'a, D> {
    pub payload: &'a D,
    pub title: &'a str,
    pub summary: &'a str,
}

/// A page of results with the exact total and, when asked, counts per facet option.
pub struct Found<'a, D> {
    pub total: u64,
    pub hits: Vec<Hit<'a, D>>,
    /// Per facet, counts keyed by the option's URL value (organisation slug, area slug…).
    pub facets: Vec<(Facet, HashMap<String, u64>)>,
    /// The index's words that matched, for highlighting.
    pub matched: Vec<String>,
}

pub struct Index<D> {
    terms: Vec<Term>,
    /// Term ids by word, for exact lookups.
    by_text: FxHashMap<Box<str>, u32>,
    /// The same in order, for word starts.
    in_order: BTreeMap<Box<str>, u32>,
    /// Term ids by length in letters, for looking up close spellings.
    by_len: Vec<Vec<u32>>,
    docs: Vec<Option<Box<Stored<D>>>>,
    /// Per position, the entry's length in words (`GONE` once removed) and its number: read for
    /// every posting, so kept flat rather than behind each entry's box.
    lens: Vec<u32>,
    numbers: Vec<u32>,
    /// Per position, what filters and facets read.
    packed: Vec<Packed>,
    organisation_numbers: Organisations,
    /// How later units are matched: always `Cheapest` but in tests.
    way: Way,
    by_id: HashMap<u32, u32>,
    live: u32,
    total_len: u64,
    dead: u32,
}

impl<D> Default for Index<D> {
    fn default() -> Self {
        Index {
            terms: Vec::new(),
            by_text: FxHashMap::default(),
            in_order: BTreeMap::new(),
            by_len: vec![Vec::new(); MAX_WORD + 1],
            docs: Vec::new(),
            lens: Vec::new(),
            numbers: Vec::new(),
            packed: Vec::new(),
            organisation_numbers: Organisations::default(),
            way: Way::Cheapest,
            by_id: HashMap::new(),
            live: 0,
            total_len: 0,
            dead: 0,
        }
    }
}

/// How the units after the first are matched. Only tests choose a way: to prove both agree.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(not(test), allow(dead_code))]
enum Way {
    /// Whichever costs less.
    Cheapest,
    /// Reading the unit's postings.
    Scan,
    /// Looking the unit's words up in each entry left.
    Probe,
}

/// BM25 for one search: the share of entries holding a word, and a posting's weight against
/// the entry's length.
struct Scorer {
    n: f64,
    fixed: f64,
    per_word: f64,
}

impl Scorer {
    fn idf(&self, df: u32) -> f64 {
        let df = f64::from(df);
        (1.0 + (self.n - df + 0.5) / (df + 0.5)).ln()
    }

    fn tf(&self, weight: u16, len: u32) -> f64 {
        let w = f64::from(weight);
        w * (K1 + 1.0) / (w + self.fixed + self.per_word * f64::from(len))
    }
}

/// Per entry its best match so far (mistakes, score), and the entries set.
type Scratch = (Vec<(u8, f64)>, Vec<u32>);

thread_local! {
    /// Each thread's working space for a search: per entry its best match so far, and the
    /// entries set. Left cleared after every search, so none pays to clear it.
    static SCRATCH: RefCell<Scratch> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// The word every entry flagged as using AI holds, whatever its text says, so that a search for
/// AI (or a synonym of it) finds them all.
const AI_WORD: &str = "ai";

impl<D> Index<D> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.live as usize
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Distinct words held by at least one entry.
    pub fn vocabulary_len(&self) -> usize {
        self.terms.iter().filter(|t| t.df > 0).count()
    }

    /// Bytes the index holds, roughly: postings, words and the entries' stored text.
    pub fn approximate_bytes(&self) -> usize {
        let postings: usize = self.terms.iter().map(|t| t.postings.capacity() * 8).sum();
        let words: usize = self.terms.iter().map(|t| t.text.len() * 6 + 64).sum();
        let docs: usize = self
            .docs
            .iter()
            .flatten()
            .map(|s| {
                s.terms.len() * 8
                    + s.doc.title.len() * 2
                    + s.doc.summary.len()
                    + s.doc.attributes.organisation_name.len() * 2
                    + 256
            })
            .sum();
        postings + words + docs + self.docs.len() * 16
    }

    fn term_id(&mut self, word: &str) -> u32 {
        if let Some(id) = self.by_text.get(word) {
            return *id;
        }
        let id = u32::try_from(self.terms.len()).unwrap_or(u32::MAX);
        let chars: Box<[char]> = word.chars().collect();
        self.by_len[chars.len().min(MAX_WORD)].push(id);
        self.terms.push(Term {
            text: word.into(),
            bits: letter_bits(&chars),
            chars,
            df: 0,
            postings: Vec::new(),
        });
        self.by_text.insert(word.into(), id);
        self.in_order.insert(word.into(), id);
        id
    }

    /// Adds an entry, replacing any with the same number.
    pub fn insert(&mut self, doc: Document<D>) {
        self.remove(doc.id);
        // (word, weight) for every word read, then summed per word.
        let mut read: Vec<(u32, u32)> = Vec::with_capacity(128);
        for (text, weight) in [(&doc.title, 10), (&doc.summary, 4), (&doc.body, 1)] {
            each_word(text, |w| read.push((self.term_id(w), weight)));
        }
        let len = u32::try_from(read.len()).unwrap_or(u32::MAX - 1);
        if doc.attributes.uses_ai {
            let ai = self.term_id(AI_WORD);
            if !read.iter().any(|(t, _)| *t == ai) {
                read.push((ai, 1));
            }
        }
        read.sort_unstable_by_key(|(t, _)| *t);
        let mut terms: Vec<(u32, u16)> = Vec::with_capacity(read.len());
        for (term, weight) in read {
            match terms.last_mut() {
                Some((t, w)) if *t == term => {
                    *w = u16::try_from(u32::from(*w) + weight).unwrap_or(u16::MAX);
                }
                _ => terms.push((term, u16::try_from(weight).unwrap_or(u16::MAX))),
            }
        }
        let ord = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        for (term, weight) in &terms {
            let t = &mut self.terms[*term as usize];
            t.df += 1;
            t.postings.push(Posting {
                doc: ord,
                weight: *weight,
            });
        }
        self.live += 1;
        self.total_len += u64::from(len);
        self.by_id.insert(doc.id, ord);
        self.lens.push(len);
        self.numbers.push(doc.id);
        self.packed
            .push(Packed::new(&doc.attributes, &mut self.organisation_numbers));
        let title_key = doc.title.to_lowercase();
        let organisation_key = doc.attributes.organisation_name.to_lowercase();
        self.docs.push(Some(Box::new(Stored {
            doc,
            terms: terms.into(),
            title_key,
            organisation_key,
        })));
    }

    /// Removes an entry, if held. Its postings stay until there are enough to tidy away.
    pub fn remove(&mut self, id: u32) {
        let Some(ord) = self.by_id.remove(&id) else {
            return;
        };
        let Some(stored) = self.docs[ord as usize].take() else {
            return;
        };
        for (t, _) in stored.terms.iter() {
            self.terms[*t as usize].df -= 1;
        }
        self.live -= 1;
        self.total_len -= u64::from(self.lens[ord as usize]);
        self.lens[ord as usize] = GONE;
        self.dead += 1;
        if self.dead > 1_000 && self.dead > self.live / 4 {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let lens = &self.lens;
        for t in &mut self.terms {
            t.postings.retain(|p| lens[p.doc as usize] != GONE);
        }
        self.dead = 0;
    }

    /// Entries whose organisation slug is `slug`.
    pub fn ids_of_organisation(&self, slug: &str) -> Vec<u32> {
        self.docs
            .iter()
            .flatten()
            .filter(|s| s.doc.attributes.organisation == slug)
            .map(|s| s.doc.id)
            .collect()
    }

    /// Every organisation the entries name, as slug → name.
    pub fn organisations(&self) -> HashMap<String, String> {
        self.docs
            .iter()
            .flatten()
            .map(|s| {
                (
                    s.doc.attributes.organisation.clone(),
                    s.doc.attributes.organisation_name.clone(),
                )
            })
            .collect()
    }

    fn live_term(&self, word: &str) -> Option<u32> {
        self.by_text
            .get(word)
            .copied()
            .filter(|id| self.terms[*id as usize].df > 0)
    }

    /// Live words starting with `prefix` (not the word itself), most common first.
    fn completions(&self, prefix: &str, limit: usize) -> Vec<u32> {
        let mut found: Vec<u32> = self
            .in_order
            .range::<str, _>((
                std::ops::Bound::Excluded(prefix),
                std::ops::Bound::Unbounded,
            ))
            .take_while(|(t, _)| t.starts_with(prefix))
            .map(|(_, id)| *id)
            .filter(|id| self.terms[*id as usize].df > 0)
            .collect();
        found.sort_by(|a, b| {
            let (ta, tb) = (&self.terms[*a as usize], &self.terms[*b as usize]);
            tb.df.cmp(&ta.df).then_with(|| ta.text.cmp(&tb.text))
        });
        found.truncate(limit);
        found
    }

    /// Live words within `max` mistakes of `word` (not the word itself), nearest then most
    /// common first.
    fn close_spellings(&self, word: &str, max: u8, limit: usize) -> Vec<(u32, u8)> {
        if max == 0 {
            return Vec::new();
        }
        let chars: Vec<char> = word.chars().collect();
        let bits = letter_bits(&chars);
        let n = chars.len();
        let mut found = Vec::new();
        let lo = n.saturating_sub(usize::from(max));
        let hi = (n + usize::from(max)).min(MAX_WORD);
        for len in lo..=hi {
            for id in &self.by_len[len] {
                let t = &self.terms[*id as usize];
                if t.df == 0 || (t.bits ^ bits).count_ones() > 2 * u32::from(max) {
                    continue;
                }
                if let Some(d) = distance_within(&chars, &t.chars, max)
                    && d > 0
                {
                    found.push((*id, d));
                }
            }
        }
        found.sort_by(|a, b| {
            let (ta, tb) = (&self.terms[a.0 as usize], &self.terms[b.0 as usize]);
            a.1.cmp(&b.1)
                .then(tb.df.cmp(&ta.df))
                .then_with(|| ta.text.cmp(&tb.text))
        });
        found.truncate(limit);
        found
    }

    /// The plural or singular of a word, if the index has it.
    fn other_number(&self, word: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut forms = vec![format!("{word}s")];
        if word.chars().count() > 3 {
            if let Some(w) = word.strip_suffix("es") {
                forms.push(w.to_owned());
            }
            if let Some(w) = word.strip_suffix('s') {
                forms.push(w.to_owned());
            }
        }
        for f in forms {
            out.extend(self.live_term(&f));
        }
        out
    }

    /// The matches for one typed word: itself, its other number, its word starts and its close
    /// spellings, each once at its best.
    fn choices(&self, word: &str, last: bool) -> Vec<Choice> {
        let mut out: Vec<Choice> = Vec::new();
        let mut add = |c: Choice| {
            if let Some(o) = out.iter_mut().find(|o| o.term == c.term) {
                if (c.typos, -c.factor) < (o.typos, -o.factor) {
                    *o = c;
                }
            } else {
                out.push(c);
            }
        };
        let exact = self.live_term(word);
        if let Some(term) = exact {
            add(Choice {
                term,
                typos: 0,
                factor: EXACT,
            });
        }
        for term in self.other_number(word) {
            add(Choice {
                term,
                typos: 0,
                factor: PLURAL,
            });
        }
        let letters = word.chars().count();
        // Word starts: for words of three letters or more, and for the last word always, unless
        // it is a short word the index holds whole ("AI" should not find "air").
        if letters >= 3 || (last && exact.is_none()) {
            for term in self.completions(word, MAX_PREFIX_WORDS) {
                add(Choice {
                    term,
                    typos: 0,
                    factor: PREFIX,
                });
            }
        }
        for (term, d) in self.close_spellings(word, typo_budget(letters), MAX_TYPO_WORDS) {
            add(Choice {
                term,
                typos: d,
                factor: TYPO,
            });
        }
        out
    }

    /// Whether a typed word is an entry's word: the same, or within its spelling allowance.
    fn same_word(typed: &str, entry: &str) -> bool {
        if typed == entry {
            return true;
        }
        let a: Vec<char> = typed.chars().collect();
        let b: Vec<char> = entry.chars().collect();
        distance_within(&a, &b, typo_budget(a.len().min(b.len()))).is_some()
    }

    fn plan(&self, query_words: &[String], synonyms: &Synonyms) -> Vec<Unit> {
        let mut units = Vec::new();
        let mut i = 0;
        while i < query_words.len() && units.len() < MAX_UNITS {
            let last = i + 1 == query_words.len();
            let mut alternatives: Vec<Alternative> = Vec::new();
            let mut taken = 1;
            if let Some((g, n)) = synonyms.entry_at(query_words, i, Self::same_word) {
                taken = n;
                for entry in &synonyms.groups()[g] {
                    match entry.as_slice() {
                        [one] => {
                            if let Some(term) = self.live_term(one) {
                                let typed = n == 1 && query_words[i] == *one;
                                let factor = if typed { EXACT } else { SYNONYM };
                                alternatives.push(Alternative::Word(Choice {
                                    term,
                                    typos: 0,
                                    factor,
                                }));
                            }
                            // "chatbot" among the synonyms also finds "chatbots".
                            for term in self.other_number(one) {
                                alternatives.push(Alternative::Word(Choice {
                                    term,
                                    typos: 0,
                                    factor: SYNONYM * PLURAL,
                                }));
                            }
                        }
                        many => {
                            let ids: Option<Vec<u32>> =
                                many.iter().map(|w| self.live_term(w)).collect();
                            alternatives.extend(ids.map(Alternative::Phrase));
                        }
                    }
                }
            }
            if taken == 1 {
                alternatives.extend(
                    self.choices(&query_words[i], last)
                        .into_iter()
                        .map(Alternative::Word),
                );
            }
            units.push(Unit { alternatives });
            i += taken;
        }
        units
    }

    /// BM25's parts that depend on the whole register, worked out once per search.
    fn scorer(&self) -> Scorer {
        let n = f64::from(self.live.max(1));
        let avg = (self.total_len as f64 / n).max(1.0);
        Scorer {
            n,
            fixed: K1 * (1.0 - B),
            per_word: K1 * B / avg,
        }
    }

    /// What reading every posting of a unit costs: the postings of its live entries.
    fn unit_postings(&self, unit: &Unit) -> usize {
        let df = |id: u32| self.terms[id as usize].df as usize;
        unit.alternatives
            .iter()
            .map(|alt| match alt {
                Alternative::Word(c) => df(c.term),
                Alternative::Phrase(ids) => ids.iter().map(|id| df(*id)).sum(),
            })
            .sum()
    }

    fn unit_words(unit: &Unit) -> usize {
        unit.alternatives
            .iter()
            .map(|alt| match alt {
                Alternative::Word(_) => 1,
                Alternative::Phrase(ids) => ids.len(),
            })
            .sum()
    }

    /// Every entry holding all the words of a phrase, in position order, with its score.
    fn phrase_matches(&self, ids: &[u32], scorer: &Scorer, mut found: impl FnMut(u32, f64)) {
        let lists: Vec<(&[Posting], f64)> = ids
            .iter()
            .map(|id| {
                let t = &self.terms[*id as usize];
                (t.postings.as_slice(), scorer.idf(t.df))
            })
            .collect();
        let Some(((first, first_idf), rest)) = lists.split_first() else {
            return;
        };
        // Postings are in position order, so one pass over each list finds the entries in all.
        let mut at = vec![0usize; rest.len()];
        'entries: for p in first.iter() {
            let len = self.lens[p.doc as usize];
            if len == GONE {
                continue;
            }
            let mut sum = first_idf * scorer.tf(p.weight, len);
            for ((list, idf), i) in rest.iter().zip(at.iter_mut()) {
                while *i < list.len() && list[*i].doc < p.doc {
                    *i += 1;
                }
                match list.get(*i) {
                    Some(q) if q.doc == p.doc => sum += idf * scorer.tf(q.weight, len),
                    _ => continue 'entries,
                }
            }
            found(p.doc, SYNONYM * sum / lists.len() as f64);
        }
    }

    /// Per entry (by position), the best match of one unit, read from the postings: (mistakes,
    /// score); mistakes 255 is no match. `touched` lists the entries set.
    fn scan_unit(
        &self,
        unit: &Unit,
        scorer: &Scorer,
        best: &mut [(u8, f64)],
        touched: &mut Vec<u32>,
    ) {
        let mut put = |doc: u32, typos: u8, score: f64| {
            let b = &mut best[doc as usize];
            if b.0 == u8::MAX {
                touched.push(doc);
                *b = (typos, score);
            } else if typos < b.0 || (typos == b.0 && score > b.1) {
                *b = (typos, score);
            }
        };
        for alt in &unit.alternatives {
            match alt {
                Alternative::Word(c) => {
                    let term = &self.terms[c.term as usize];
                    let scale = c.factor * scorer.idf(term.df);
                    for p in &term.postings {
                        let len = self.lens[p.doc as usize];
                        if len != GONE {
                            put(p.doc, c.typos, scale * scorer.tf(p.weight, len));
                        }
                    }
                }
                Alternative::Phrase(ids) => {
                    self.phrase_matches(ids, scorer, |doc, score| put(doc, 0, score));
                }
            }
        }
    }

    /// The best match of one unit in one entry, found by looking its words up in the entry:
    /// the same answer `scan_unit` gives for that entry.
    fn probe_unit(&self, unit: &Unit, scorer: &Scorer, pos: u32) -> Option<(u8, f64)> {
        let stored = self.docs[pos as usize].as_deref()?;
        let len = self.lens[pos as usize];
        let weight = |term: u32| {
            stored
                .terms
                .binary_search_by_key(&term, |t| t.0)
                .ok()
                .map(|i| stored.terms[i].1)
        };
        let score =
            |term: u32, w: u16| scorer.idf(self.terms[term as usize].df) * scorer.tf(w, len);
        let mut best: Option<(u8, f64)> = None;
        for alt in &unit.alternatives {
            let found = match alt {
                Alternative::Word(c) => {
                    weight(c.term).map(|w| (c.typos, c.factor * score(c.term, w)))
                }
                Alternative::Phrase(ids) => ids
                    .iter()
                    .map(|id| weight(*id).map(|w| score(*id, w)))
                    .sum::<Option<f64>>()
                    .map(|sum| (0, SYNONYM * sum / ids.len() as f64)),
            };
            if let Some((typos, score)) = found {
                match best {
                    Some((t, s)) if typos > t || (typos == t && score <= s) => {}
                    _ => best = Some((typos, score)),
                }
            }
        }
        best
    }

    /// (position, mistakes, score) of every entry matching all units. The unit with the fewest
    /// postings is read first; each later one is read from its postings, or, when few entries
    /// are left, looked up in those entries.
    fn matching(&self, units: &[Unit], way: Way) -> Vec<(u32, u32, f64)> {
        let scorer = self.scorer();
        let mut order: Vec<(usize, &Unit)> =
            units.iter().map(|u| (self.unit_postings(u), u)).collect();
        order.sort_by_key(|(cost, _)| *cost);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (best, touched) = &mut *scratch;
            if best.len() < self.docs.len() {
                best.resize(self.docs.len(), (u8::MAX, 0.0));
            }
            let mut matches: Vec<(u32, u32, f64)> = Vec::new();
            for (i, (postings, unit)) in order.iter().enumerate() {
                let probe = match way {
                    Way::Cheapest => {
                        matches.len()
                            * (PROBE_ENTRY_COST + PROBE_WORD_COST * Self::unit_words(unit))
                            < SCAN_COST * postings
                    }
                    Way::Scan => false,
                    Way::Probe => true,
                };
                if i == 0 {
                    self.scan_unit(unit, &scorer, best, touched);
                    matches = touched
                        .iter()
                        .map(|d| (*d, u32::from(best[*d as usize].0), best[*d as usize].1))
                        .collect();
                } else if probe {
                    matches.retain_mut(|m| match self.probe_unit(unit, &scorer, m.0) {
                        Some((t, s)) => {
                            m.1 += u32::from(t);
                            m.2 += s;
                            true
                        }
                        None => false,
                    });
                } else {
                    self.scan_unit(unit, &scorer, best, touched);
                    matches.retain_mut(|m| {
                        let (t, s) = best[m.0 as usize];
                        if t == u8::MAX {
                            return false;
                        }
                        m.1 += u32::from(t);
                        m.2 += s;
                        true
                    });
                }
                for d in touched.drain(..) {
                    best[d as usize] = (u8::MAX, 0.0);
                }
                if matches.is_empty() {
                    break;
                }
            }
            matches
        })
    }

    /// Runs a search: every unit of the text required, then the filters; the page asked for in
    /// the order asked for, with facet counts when `with_facets`.
    pub fn search(
        &self,
        query: &SearchQuery,
        synonyms: &Synonyms,
        with_facets: bool,
    ) -> Found<'_, D> {
        let query_words: Vec<String> = query
            .text
            .as_deref()
            .map(|t| words(t).map(|(_, _, w)| w).collect())
            .unwrap_or_default();
        let units = self.plan(&query_words, synonyms);
        let mut matched_terms: Vec<u32> = Vec::new();
        for unit in &units {
            for alt in &unit.alternatives {
                match alt {
                    Alternative::Word(c) => matched_terms.push(c.term),
                    Alternative::Phrase(ids) => matched_terms.extend(ids),
                }
            }
        }
        let mut matches: Vec<(u32, u32, f64)> = if units.is_empty() {
            self.lens
                .iter()
                .enumerate()
                .filter(|(_, len)| **len != GONE)
                .map(|(i, _)| (i as u32, 0, 0.0))
                .collect()
        } else {
            self.matching(&units, self.way)
        };
        let doc = |m: u32| -> &Stored<D> {
            // Every position in `matches` holds a live entry.
            self.docs[m as usize]
                .as_deref()
                .unwrap_or_else(|| unreachable!())
        };
        let filter = Filter::new(query, &self.organisation_numbers);
        let mut facets = Vec::new();
        if with_facets {
            let mut counts = Counts::new(&self.organisation_numbers);
            for m in &matches {
                let packed = &self.packed[m.0 as usize];
                counts.add(packed, filter.fails(packed));
            }
            facets = counts.into_maps(&self.organisation_numbers);
        }
        if query.has_filters() {
            matches.retain(|m| filter.fails(&self.packed[m.0 as usize]) == 0);
        }
        let total = matches.len() as u64;
        let ranked = !units.is_empty();
        let numbers = &self.numbers;
        let order = |a: &(u32, u32, f64), b: &(u32, u32, f64)| -> Ordering {
            let by_id = || numbers[a.0 as usize].cmp(&numbers[b.0 as usize]);
            match query.sort {
                Sort::Relevance if ranked => {
                    a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)).then_with(by_id)
                }
                Sort::Relevance | Sort::Updated => doc(b.0)
                    .doc
                    .attributes
                    .last_updated
                    .cmp(&doc(a.0).doc.attributes.last_updated)
                    .then_with(by_id),
                Sort::Title => doc(a.0).title_key.cmp(&doc(b.0).title_key).then_with(by_id),
                Sort::Organisation => {
                    let (x, y) = (doc(a.0), doc(b.0));
                    x.organisation_key
                        .cmp(&y.organisation_key)
                        .then_with(|| x.title_key.cmp(&y.title_key))
                        .then_with(by_id)
                }
            }
        };
        let start = usize::try_from(query.offset()).unwrap_or(usize::MAX);
        let end = start.saturating_add(query.per_page as usize);
        let mut page: Vec<(u32, u32, f64)> = Vec::new();
        if ranked && query.sort == Sort::Relevance && start < matches.len() {
            page = self.best_first(matches, start, end);
        } else if start < matches.len() {
            let end = end.min(matches.len());
            if end < matches.len() {
                matches.select_nth_unstable_by(end, order);
                matches.truncate(end);
            }
            matches.sort_by(order);
            page = matches.split_off(start);
        }
        matched_terms.sort_unstable();
        matched_terms.dedup();
        Found {
            total,
            hits: page
                .iter()
                .map(|m| {
                    let s = doc(m.0);
                    Hit {
                        payload: &s.doc.payload,
                        title: &s.doc.title,
                        summary: &s.doc.summary,
                    }
                })
                .collect(),
            facets,
            matched: matched_terms
                .iter()
                .map(|t| self.terms[*t as usize].text.to_string())
                .collect(),
        }
    }

    /// Matches `start..end` in the relevance order (fewest mistakes, highest score, lowest
    /// number), each match's order packed into one integer so that picking the page compares
    /// integers rather than calling back into the entries.
    fn best_first(
        &self,
        matches: Vec<(u32, u32, f64)>,
        start: usize,
        end: usize,
    ) -> Vec<(u32, u32, f64)> {
        let key = |m: &(u32, u32, f64)| -> u128 {
            // Scores are never negative, and for such numbers the bits order as the values do;
            // inverted, the highest score comes first.
            (u128::from(m.1) << 96)
                | (u128::from(!m.2.max(0.0).to_bits()) << 32)
                | u128::from(self.numbers[m.0 as usize])
        };
        let mut keyed: Vec<(u128, usize)> = matches
            .iter()
            .enumerate()
            .map(|(i, m)| (key(m), i))
            .collect();
        let end = end.min(keyed.len());
        if end < keyed.len() {
            keyed.select_nth_unstable(end);
            keyed.truncate(end);
        }
        keyed.sort_unstable();
        keyed
            .get(start..)
            .unwrap_or_default()
            .iter()
            .map(|(_, i)| matches[*i])
            .collect()
    }

    /// The text with each word the index does not hold replaced by its closest word that it
    /// does (up to two mistakes, never more than a third of the word), when any was replaced.
    pub fn did_you_mean(&self, text: &str) -> Option<String> {
        let mut changed = false;
        let mut out = Vec::new();
        for (_, _, w) in words(text).take(MAX_UNITS) {
            let letters = w.chars().count();
            if self.live_term(&w).is_none() && letters >= 3 {
                let max = u8::try_from((letters / 3).clamp(1, 2)).unwrap_or(2);
                if let Some((id, _)) = self.close_spellings(&w, max, 1).first() {
                    out.push(self.terms[*id as usize].text.to_string());
                    changed = true;
                    continue;
                }
            }
            out.push(w);
        }
        changed.then(|| out.join(" "))
    }

    /// Ways to finish what has been typed: the words before as typed, the last one completed
    /// (most common words first) or, failing that, respelled.
    pub fn complete(&self, text: &str, limit: usize) -> Vec<String> {
        let typed: Vec<String> = words(text).take(MAX_UNITS).map(|(_, _, w)| w).collect();
        let Some((last, before)) = typed.split_last() else {
            return Vec::new();
        };
        let lead = before.join(" ");
        let mut ends: Vec<u32> = Vec::new();
        ends.extend(self.live_term(last));
        ends.extend(self.completions(last, limit));
        if ends.len() < limit {
            let max = typo_budget(last.chars().count());
            ends.extend(
                self.close_spellings(last, max, limit)
                    .into_iter()
                    .map(|(id, _)| id),
            );
        }
        ends.truncate(limit);
        ends.iter()
            .map(|id| {
                let w = &self.terms[*id as usize].text;
                if lead.is_empty() {
                    w.to_string()
                } else {
                    format!("{lead} {w}")
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: u32, title: &str, summary: &str, uses_ai: bool) -> Document<u32> {
        Document {
            id,
            title: title.to_owned(),
            summary: summary.to_owned(),
            body: String::new(),
            attributes: Attributes {
                organisation: if id.is_multiple_of(2) {
                    "even".into()
                } else {
                    "odd".into()
                },
                organisation_name: if id.is_multiple_of(2) {
                    "Even Council".into()
                } else {
                    "Odd Council".into()
                },
                areas: vec![Area::Liverpool],
                topics: vec![Topic::Housing],
                status: Status::InUse,
                uses_ai,
                role: DecisionRole::InformationOnly,
                last_updated: Date::from_calendar(2026, 1, (id % 28 + 1) as u8).unwrap(),
            },
            payload: id,
        }
    }

    fn index() -> Index<u32> {
        let mut ix = Index::new();
        for d in [
            doc(
                1,
                "Chatbot for council tax",
                "A chatbot answers questions.",
                true,
            ),
            doc(
                2,
                "Chat helper for housing",
                "Type a question and get help.",
                false,
            ),
            doc(
                3,
                "Benefits advice",
                "Helping people claim benefits.",
                false,
            ),
            doc(
                4,
                "Artificial intelligence in planning",
                "Sorting comments.",
                false,
            ),
            doc(5, "Bus times", "Predicting when the bus comes.", true),
            doc(
                6,
                "Finding a family doctor",
                "Register with a surgery.",
                false,
            ),
            doc(
                7,
                "Air quality near schools",
                "Sensors measure the air.",
                false,
            ),
            doc(
                8,
                "Benefit take-up",
                "More people get the benefit they are owed.",
                false,
            ),
        ] {
            ix.insert(d);
        }
        ix
    }

    fn ids(ix: &Index<u32>, text: &str) -> Vec<u32> {
        ids_with(ix, text, &Synonyms::default())
    }

    fn ids_with(ix: &Index<u32>, text: &str, syn: &Synonyms) -> Vec<u32> {
        let mut q = SearchQuery::new();
        q.text = Some(text.to_owned());
        ix.search(&q, syn, false)
            .hits
            .iter()
            .map(|h| *h.payload)
            .collect()
    }

    #[test]
    fn word_starts_match_and_the_last_word_always_does() {
        let ix = index();
        assert_eq!(ids(&ix, "chat"), vec![2, 1]); // exact "chat" first, then "chatbot"
        assert_eq!(ids(&ix, "bu"), vec![5]);
        assert_eq!(ids(&ix, "council ta"), vec![1]);
    }

    #[test]
    fn short_whole_words_do_not_grow() {
        // "ai" is a word the index holds (entries flagged as using AI): it does not find "air".
        let ix = index();
        let mut ai = ids(&ix, "AI");
        ai.sort();
        assert_eq!(ai, vec![1, 5]);
        assert_eq!(ids(&ix, "ai"), ids(&ix, "Ai"));
    }

    #[test]
    fn typos_are_forgiven_by_length() {
        let ix = index();
        // Five letters or more: one mistake (wrong, missing, extra, swapped).
        assert_eq!(ids(&ix, "hleping"), vec![3]);
        assert_eq!(ids(&ix, "housng"), vec![2]);
        // Nine or more: two.
        assert_eq!(ids(&ix, "artifical inteligence"), vec![4]);
        assert_eq!(ids(&ix, "artificail intelligense"), vec![4]);
        // "artfical" has eight letters: one mistake allowed, and it has two.
        assert_eq!(ids(&ix, "artfical"), Vec::<u32>::new());
        // Under five: none.
        assert_eq!(ids(&ix, "bux times"), Vec::<u32>::new());
        // Five to eight letters: not two.
        assert_eq!(ids(&ix, "hoosng"), Vec::<u32>::new());
    }

    #[test]
    fn exact_matches_come_before_corrected_ones() {
        let mut ix = index();
        ix.insert(doc(9, "Sensors", "Measuring the aid.", false));
        // One mistake away from "sensors", in 7 and 9.
        let mut corrected = ids(&ix, "sensers");
        corrected.sort();
        assert_eq!(corrected, [7, 9]);
        ix.insert(doc(10, "Senser", "Senser.", false));
        // The entry with the word as typed comes first, though the others hold it too.
        assert_eq!(ids(&ix, "senser")[0], 10);
        // Plurals count as no mistake but below the word itself.
        assert_eq!(ids(&ix, "benefit"), vec![8, 3]);
    }

    #[test]
    fn synonyms_find_each_other_and_ai_finds_every_flagged_entry() {
        let ix = index();
        let syn = Synonyms::from_toml(super::super::synonyms::DEFAULT).unwrap();
        let mut ai = ids_with(&ix, "artificial intelligence", &syn);
        ai.sort();
        assert_eq!(ai, vec![1, 4, 5]);
        let mut ai = ids_with(&ix, "AI", &syn);
        ai.sort();
        assert_eq!(ai, vec![1, 4, 5]);
        assert_eq!(ids_with(&ix, "gp", &syn), vec![6]);
        let mut chat = ids_with(&ix, "chatbot", &syn);
        assert_eq!(chat[0], 1); // the word as typed first
        chat.sort();
        assert_eq!(chat, vec![1, 2]);
        // With a typo in the synonym itself.
        assert_eq!(ids_with(&ix, "virtual asistant", &syn).len(), 2);
        // A synonym's plural or singular counts too.
        let mut ix = index();
        ix.insert(doc(9, "Two chatbots", "They answer at night.", false));
        let mut chat = ids_with(&ix, "virtual assistant", &syn);
        chat.sort();
        assert_eq!(chat, vec![1, 2, 9]);
    }

    #[test]
    fn filters_and_facets_are_exact() {
        let ix = index();
        let mut q = SearchQuery::new();
        q.text = Some("benefit".into());
        q.organisations = vec!["even".parse().unwrap()];
        let found = ix.search(&q, &Synonyms::default(), true);
        assert_eq!(found.total, 1);
        let orgs = &found
            .facets
            .iter()
            .find(|f| f.0 == Facet::Organisation)
            .unwrap()
            .1;
        // Counted without the organisation filter: what choosing each would give.
        assert_eq!((orgs["even"], orgs["odd"]), (1, 1));
        let ai = &found.facets.iter().find(|f| f.0 == Facet::Ai).unwrap().1;
        assert_eq!(ai.get("no"), Some(&1));
    }

    #[test]
    fn replacing_and_removing_gives_what_a_fresh_index_gives() {
        let mut ix = index();
        for round in 0..3 {
            ix.insert(doc(
                3,
                "Benefits advice",
                &format!("Round {round} helping."),
                false,
            ));
        }
        ix.remove(7);
        let mut fresh = Index::new();
        for d in [1, 2, 4, 5, 6, 8] {
            fresh.insert(
                index()
                    .docs
                    .iter()
                    .flatten()
                    .find(|s| s.doc.id == d)
                    .unwrap()
                    .doc
                    .clone(),
            );
        }
        fresh.insert(doc(3, "Benefits advice", "Round 2 helping.", false));
        for text in ["benefit", "chat", "help", "a", "council", "air"] {
            let mut q = SearchQuery::new();
            q.text = Some(text.into());
            let a = ix.search(&q, &Synonyms::default(), false);
            let b = fresh.search(&q, &Synonyms::default(), false);
            let score = |f: &Found<u32>| f.hits.iter().map(|h| *h.payload).collect::<Vec<_>>();
            assert_eq!(score(&a), score(&b), "{text}");
            assert_eq!(a.total, b.total);
        }
        assert_eq!(ix.len(), 7);
    }

    #[test]
    fn sorts_pages_and_lists_without_text() {
        let ix = index();
        let mut q = SearchQuery::new();
        q.sort = Sort::Title;
        q.per_page = 3;
        q.page = 2;
        let found = ix.search(&q, &Synonyms::default(), false);
        assert_eq!(found.total, 8);
        let got: Vec<u32> = found.hits.iter().map(|h| *h.payload).collect();
        // Titles A to Z: Air, Artificial, Benefit take-up, Benefits, Bus, Chat, Chatbot, Finding.
        assert_eq!(got, vec![3, 5, 2]);
    }

    #[test]
    fn suggests_spellings_and_completions() {
        let ix = index();
        assert_eq!(
            ix.did_you_mean("hosuing benefits").as_deref(),
            Some("housing benefits")
        );
        assert_eq!(ix.did_you_mean("housing"), None);
        assert_eq!(
            ix.complete("council ch", 3),
            vec!["council chat", "council chatbot"]
        );
        assert!(ix.complete("", 3).is_empty());
    }

    /// Both ways of matching a later word give the same entries, mistakes and scores.
    #[test]
    fn probing_and_scanning_agree() {
        let mut ix = index();
        let syn = Synonyms::from_toml(crate::search::synonyms::DEFAULT).unwrap();
        let queries = [
            "council housing",
            "housing benefit",
            "chat help",
            "ai council",
            "artifical inteligence",
            "sensors the",
            "bins collection route",
            "family doctor appointments",
            "help question",
            "benefit people get",
            "ai machine learning council",
        ];
        for text in queries {
            let mut q = SearchQuery::new();
            q.text = Some(text.to_owned());
            q.per_page = 100;
            let mut seen = Vec::new();
            for way in [Way::Scan, Way::Probe, Way::Cheapest] {
                ix.way = way;
                let found = ix.search(&q, &syn, true);
                let ids: Vec<u32> = found.hits.iter().map(|h| *h.payload).collect();
                seen.push((found.total, ids, found.facets));
            }
            assert_eq!(seen[0], seen[1], "{text}");
            assert_eq!(seen[0], seen[2], "{text}");
        }
    }

    #[test]
    fn the_worst_query_stays_quick() {
        // Every word long (two mistakes allowed), none in the index, the most units allowed, in
        // an index with a large vocabulary.
        let mut ix: Index<u32> = Index::new();
        let mut seed = 7u64;
        let mut word = || {
            (0..10)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    char::from(b'a' + ((seed >> 33) % 26) as u8)
                })
                .collect::<String>()
        };
        for id in 0..2_000 {
            let text: Vec<String> = (0..25).map(|_| word()).collect();
            ix.insert(doc(id, &text[..5].join(" "), &text[5..].join(" "), false));
        }
        let text: Vec<String> = (0..40)
            .map(|_| "abcdefghijklmnopqrstuvwxyzabcdef".to_owned())
            .collect();
        let mut q = SearchQuery::new();
        q.text = Some(text.join(" "));
        let t = std::time::Instant::now();
        let found = ix.search(&q, &Synonyms::default(), true);
        let took = t.elapsed();
        assert_eq!(found.total, 0);
        // A debug build on a shared machine: generous, but it would fail for unbounded work.
        assert!(took < std::time::Duration::from_secs(2), "{took:?}");
    }
}
