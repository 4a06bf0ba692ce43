//! The charter check's tallies as a stacked bar chart, for the compliance and organisation
//! pages. The geometry is worked out here so the template only draws.

use charter_core::check::{PrincipleStatus, PrincipleTally};

/// One bar of a stacked bar chart: a principle, split by status.
pub struct Bar {
    pub label: String,
    pub y: u32,
    pub segments: Vec<Segment>,
}

pub struct Segment {
    pub status: PrincipleStatus,
    pub x: f64,
    pub width: f64,
    pub count: u64,
}

/// Chart geometry.
pub struct Chart {
    pub bars: Vec<Bar>,
    pub height: u32,
}

pub const CHART_LABEL_WIDTH: f64 = 150.0;
pub const CHART_BAR_WIDTH: f64 = 450.0;
const ROW: u32 = 36;

pub fn chart(principles: &[PrincipleTally]) -> Chart {
    let bars = principles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let total = t.total().max(1) as f64;
            let mut x = CHART_LABEL_WIDTH;
            let segments = PrincipleStatus::ALL
                .iter()
                .map(|s| {
                    let count = t.count(*s);
                    let width = CHART_BAR_WIDTH * count as f64 / total;
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
                y: i as u32 * ROW + 8,
                segments,
            }
        })
        .collect();
    Chart {
        bars,
        height: principles.len() as u32 * ROW + 16,
    }
}
