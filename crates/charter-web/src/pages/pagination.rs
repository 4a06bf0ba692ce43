//! The GOV.UK pagination pattern: previous, next, and numbered links with gaps.

use charter_core::search::SearchQuery;

pub struct Pagination {
    pub pages: u32,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub items: Vec<PageLink>,
    /// "Showing 21 to 40 of 123 results".
    pub first_shown: u64,
    pub last_shown: u64,
}

pub enum PageLink {
    Page {
        number: u32,
        href: String,
        current: bool,
    },
    Gap,
}

impl Pagination {
    pub fn new(query: &SearchQuery, total: u64) -> Pagination {
        let per = u64::from(query.per_page.max(1));
        let pages = total
            .div_ceil(per)
            .max(1)
            .min(u64::from(charter_core::search::MAX_PAGE)) as u32;
        let current = query.page;
        let href = |n: u32| format!("/projects?{}", query.with_page(n).query_string());
        let mut items = Vec::new();
        let mut last_added = 0;
        for n in 1..=pages {
            // First, last, and the two either side of the current page.
            if n == 1 || n == pages || n.abs_diff(current) <= 1 {
                if last_added != 0 && n > last_added + 1 {
                    items.push(PageLink::Gap);
                }
                items.push(PageLink::Page {
                    number: n,
                    href: href(n),
                    current: n == current,
                });
                last_added = n;
            }
        }
        let first_shown = (query.offset() + 1).min(total);
        let last_shown = (query.offset() + per).min(total);
        Pagination {
            pages,
            previous: (current > 1).then(|| href(current - 1)),
            next: (current < pages).then(|| href(current + 1)),
            items: if pages > 1 { items } else { Vec::new() },
            first_shown,
            last_shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(p: &Pagination) -> String {
        p.items
            .iter()
            .map(|i| match i {
                PageLink::Page {
                    number,
                    current: true,
                    ..
                } => format!("[{number}]"),
                PageLink::Page { number, .. } => number.to_string(),
                PageLink::Gap => "…".to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shows_neighbours_and_ends() {
        let mut q = SearchQuery::new();
        q.page = 5;
        let p = Pagination::new(&q, 200);
        assert_eq!(numbers(&p), "1 … 4 [5] 6 … 10");
        assert_eq!((p.first_shown, p.last_shown), (81, 100));
        assert!(p.previous.as_deref().unwrap().ends_with("page=4"));
        q.page = 1;
        assert_eq!(numbers(&Pagination::new(&q, 200)), "[1] 2 … 10");
        assert!(Pagination::new(&q, 200).previous.is_none());
    }

    #[test]
    fn one_page_needs_no_links() {
        let p = Pagination::new(&SearchQuery::new(), 3);
        assert!(p.items.is_empty() && p.next.is_none() && p.previous.is_none());
        let none = Pagination::new(&SearchQuery::new(), 0);
        assert_eq!((none.first_shown, none.last_shown, none.pages), (0, 0, 1));
    }
}
