//! Small numbers in public statistics. A count from 1 to 9 could point to a person (“the two
//! challenges about this project last year”), so it shows as “fewer than 10”, and a figure worked
//! out from it (a share, a median) is withheld with it: otherwise the count could be worked back
//! from the figure.

use serde::Serialize;

/// The smallest count shown as it is (zero is shown too: it points to nobody).
pub const SMALLEST_SHOWN: u64 = 10;

/// A count as the public sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SafeCount {
    Exact(u64),
    FewerThanTen,
}

/// Whether a count is too small to show: 1 to 9.
pub fn is_small(count: u64) -> bool {
    (1..SMALLEST_SHOWN).contains(&count)
}

impl SafeCount {
    pub fn of(count: u64) -> SafeCount {
        if is_small(count) {
            SafeCount::FewerThanTen
        } else {
            SafeCount::Exact(count)
        }
    }

    /// The count, when it may be shown.
    pub fn value(self) -> Option<u64> {
        match self {
            SafeCount::Exact(n) => Some(n),
            SafeCount::FewerThanTen => None,
        }
    }

    /// How the count reads on a page: “fewer than 10”, “0”, “1,234”.
    pub fn words(self) -> String {
        match self {
            SafeCount::Exact(n) => thousands(n),
            SafeCount::FewerThanTen => format!("fewer than {SMALLEST_SHOWN}"),
        }
    }
}

/// A figure worked out from `counts`: `None` (withheld) when any of them is small, or when the
/// first, the one it is a share or a middle of, is zero.
pub fn derived<T>(counts: &[u64], figure: impl FnOnce() -> T) -> Option<T> {
    let base = counts.first().copied().unwrap_or(0);
    if base == 0 || counts.iter().copied().any(is_small) {
        None
    } else {
        Some(figure())
    }
}

/// `part` of `whole` as a whole percentage (rounded to nearest), withheld when `whole` is zero or
/// `part` or the rest is small: with `whole` shown, a share would give either back.
pub fn share_percent(part: u64, whole: u64) -> Option<u64> {
    let part = part.min(whole);
    derived(&[whole, part, whole - part], || {
        (part * 100 + whole / 2) / whole
    })
}

/// The middle value of a set given as (value, how many have it), sorted or not; for an even number
/// the mean of the two middle ones. `None` when empty. Not withheld here: pair it with [`derived`].
pub fn median(counts: &[(u32, u64)]) -> Option<f64> {
    let mut sorted: Vec<(u32, u64)> = counts.iter().copied().filter(|&(_, n)| n > 0).collect();
    sorted.sort_unstable();
    let total: u64 = sorted.iter().map(|&(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // The values at positions (total - 1) / 2 and total / 2, counting from 0.
    let at = |position: u64| {
        let mut seen = 0;
        for &(value, n) in &sorted {
            seen += n;
            if position < seen {
                return value;
            }
        }
        sorted.last().map_or(0, |&(v, _)| v)
    };
    Some((f64::from(at((total - 1) / 2)) + f64::from(at(total / 2))) / 2.0)
}

/// 1234567 → “1,234,567”.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_from_one_to_nine_are_fewer_than_ten() {
        assert_eq!(SafeCount::of(0).words(), "0");
        for n in 1..=9 {
            assert_eq!(SafeCount::of(n), SafeCount::FewerThanTen);
            assert_eq!(SafeCount::of(n).words(), "fewer than 10");
            assert_eq!(SafeCount::of(n).value(), None);
        }
        assert_eq!(SafeCount::of(10).value(), Some(10));
        assert_eq!(SafeCount::of(1_234_567).words(), "1,234,567");
        assert_eq!(SafeCount::of(100).words(), "100");
    }

    #[test]
    fn shares_are_withheld_with_a_small_count() {
        assert_eq!(share_percent(20, 30), Some(67));
        assert_eq!(share_percent(30, 30), Some(100));
        assert_eq!(share_percent(0, 30), Some(0));
        assert_eq!(share_percent(5, 9), None, "whole is small");
        assert_eq!(share_percent(5, 30), None, "part is small");
        assert_eq!(share_percent(25, 30), None, "the rest is small");
        assert_eq!(share_percent(0, 0), None, "nothing to share");
    }

    #[test]
    fn medians_take_the_middle_and_are_withheld_with_their_count() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[(3, 1)]), Some(3.0));
        assert_eq!(median(&[(9, 1), (1, 1), (4, 1)]), Some(4.0));
        assert_eq!(median(&[(1, 1), (4, 1)]), Some(2.5));
        assert_eq!(median(&[(2, 5), (30, 4), (7, 0)]), Some(2.0));
        assert_eq!(derived(&[9], || median(&[(2, 9)])), None);
        assert_eq!(derived(&[10], || median(&[(2, 10)])), Some(Some(2.0)));
        assert_eq!(derived(&[0], || 1), None);
    }
}
