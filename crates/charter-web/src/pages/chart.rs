//! The charter check's tallies as a stacked bar chart, for the compliance and organisation
//! pages. The geometry is worked out here so the template only draws.
//!
//! Each bar is its own small SVG that stretches to the width it is given (its segments are
//! placed in percent), and the labels are HTML text beside or above it. So the labels keep the
//! page's own text size at any width, and at 320 px they sit above the bars instead of being
//! shrunk with the drawing.

use charter_core::check::{PrincipleStatus, PrincipleTally};

/// One bar of a stacked bar chart: a principle, split by status.
pub struct Bar {
    pub label: String,
    pub segments: Vec<Segment>,
}

/// A run of one status within a bar, placed in percent of the bar's width.
pub struct Segment {
    pub status: PrincipleStatus,
    pub x: f64,
    pub width: f64,
    pub count: u64,
}

/// Chart geometry.
pub struct Chart {
    pub bars: Vec<Bar>,
}

pub fn chart(principles: &[PrincipleTally]) -> Chart {
    let bars = principles
        .iter()
        .map(|t| {
            let total = t.total().max(1) as f64;
            let mut x = 0.0;
            let segments = PrincipleStatus::ALL
                .iter()
                .map(|s| {
                    let count = t.count(*s);
                    let width = 100.0 * count as f64 / total;
                    let seg = Segment {
                        status: *s,
                        x,
                        width,
                        count,
                    };
                    x += width;
                    seg
                })
                .filter(|s| s.count > 0)
                .collect();
            Bar {
                label: format!("{}. {}", t.number, t.name),
                segments,
            }
        })
        .collect();
    Chart { bars }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_fill_the_bar_in_order_and_skip_empty_statuses() {
        let tally = PrincipleTally {
            number: 6,
            key: "privacy".into(),
            name: "Privacy".into(),
            met: 3,
            partly_met: 1,
            not_met: 0,
            not_applicable: 0,
        };
        let c = chart(&[tally]);
        let bar = &c.bars[0];
        assert_eq!(bar.label, "6. Privacy");
        let placed: Vec<(PrincipleStatus, f64, f64)> = bar
            .segments
            .iter()
            .map(|s| (s.status, s.x, s.width))
            .collect();
        assert_eq!(
            placed,
            vec![
                (PrincipleStatus::Met, 0.0, 75.0),
                (PrincipleStatus::PartlyMet, 75.0, 25.0)
            ]
        );
    }
}
