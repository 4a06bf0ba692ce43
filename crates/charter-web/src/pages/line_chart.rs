//! A dashboard chart's geometry: one line per series line over the days shown, worked out here so
//! the template only draws.
//!
//! The drawing holds only the lines and the grid, stretched to the width it is given
//! (`preserveAspectRatio="none"`, strokes that do not stretch). Its words (the top of the scale,
//! the first and last day, the key) are HTML around it, so they keep the page's text size at any
//! width, 320 px included. Lines differ in dash as well as colour.

use charter_core::Date;
use charter_core::dashboard::{SeriesValues, Unit};

/// The drawing's own units; it is stretched to fit.
pub const WIDTH: f64 = 600.0;
pub const HEIGHT: f64 = 200.0;

/// Kinds of line: colour and dash, told apart by class (`charter-line--N`).
const KINDS: usize = 8;

pub struct LineChart {
    /// The value at the top of the scale, in words ("40 entries", "100%").
    pub top: String,
    pub first: String,
    pub last: String,
    /// Heights of the grid lines, top to bottom.
    pub grid: Vec<f64>,
    pub lines: Vec<DrawnLine>,
}

pub struct DrawnLine {
    pub label: String,
    /// Which kind of line it is drawn as, 0 to 7.
    pub kind: usize,
    /// An SVG path (`M x y L x y …`); a gap where a share has no value.
    pub path: String,
}

/// The smallest of 1, 2, 5, 10, 20, 50… that is at least `n`.
fn scale_top(n: i64) -> i64 {
    let mut step = 1;
    loop {
        for m in [1, 2, 5] {
            if step * m >= n {
                return step * m;
            }
        }
        step *= 10;
    }
}

fn day_number(d: Date) -> f64 {
    f64::from(d.inner().to_julian_day())
}

pub fn line_chart(s: &SeriesValues) -> LineChart {
    let top = match s.unit {
        Unit::Percent => 100,
        Unit::Entries => scale_top(
            s.rows
                .iter()
                .flat_map(|r| r.values.iter().flatten())
                .copied()
                .max()
                .unwrap_or(0)
                .max(1),
        ),
    };
    let (first, last) = match (s.rows.first(), s.rows.last()) {
        (Some(f), Some(l)) => (f.date, l.date),
        _ => return empty(s, top),
    };
    let span = (day_number(last) - day_number(first)).max(1.0);
    // One day shown: a level line across, as the figure held on that day.
    let xs: Vec<Vec<f64>> = s
        .rows
        .iter()
        .map(|r| {
            if s.rows.len() == 1 {
                vec![0.0, WIDTH]
            } else {
                vec![(day_number(r.date) - day_number(first)) / span * WIDTH]
            }
        })
        .collect();
    let y = |v: i64| HEIGHT - (v as f64 / top as f64) * HEIGHT;
    let lines = s
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let mut path = String::new();
            let mut pen_down = false;
            for (row, x) in s.rows.iter().zip(&xs) {
                match row.values.get(i).copied().flatten() {
                    Some(v) => {
                        for x in x {
                            let op = if pen_down { 'L' } else { 'M' };
                            path.push_str(&format!("{op}{x:.1} {:.1} ", y(v)));
                            pen_down = true;
                        }
                    }
                    None => pen_down = false,
                }
            }
            DrawnLine {
                label: line.label.clone(),
                kind: i % KINDS,
                path: path.trim_end().to_owned(),
            }
        })
        .collect();
    LineChart {
        top: top_words(s.unit, top),
        first: first.long(),
        last: last.long(),
        grid: (0..=4).map(|i| HEIGHT * f64::from(i) / 4.0).collect(),
        lines,
    }
}

fn top_words(unit: Unit, top: i64) -> String {
    match unit {
        Unit::Percent => format!("{top}%"),
        Unit::Entries if top == 1 => "1 entry".into(),
        Unit::Entries => format!("{top} entries"),
    }
}

fn empty(s: &SeriesValues, top: i64) -> LineChart {
    LineChart {
        top: top_words(s.unit, top),
        first: String::new(),
        last: String::new(),
        grid: Vec::new(),
        lines: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use charter_core::dashboard::{SeriesLine, SeriesRow};

    use super::*;

    fn series(unit: Unit, rows: &[(&str, Vec<Option<i64>>)]) -> SeriesValues {
        SeriesValues {
            slug: "s".into(),
            title: "S".into(),
            about: String::new(),
            unit,
            lines: (0..rows[0].1.len())
                .map(|i| SeriesLine {
                    key: format!("k{i}"),
                    label: format!("Line {i}"),
                })
                .collect(),
            rows: rows
                .iter()
                .map(|(d, v)| SeriesRow {
                    date: d.parse().unwrap(),
                    values: v.clone(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_scale_tops_out_at_a_round_number_above_the_highest_value() {
        assert_eq!(
            [0, 1, 2, 3, 6, 11, 99, 101, 4_999].map(scale_top),
            [1, 1, 2, 5, 10, 20, 100, 200, 5_000]
        );
        let s = series(
            Unit::Entries,
            &[("2020-01-31", vec![Some(3)]), ("2020-12-31", vec![Some(7)])],
        );
        let c = line_chart(&s);
        assert_eq!(c.top, "10 entries");
        assert_eq!(c.first, "31 January 2020");
        assert_eq!(c.last, "31 December 2020");
        assert_eq!(c.lines[0].path, "M0.0 140.0 L600.0 60.0");
    }

    #[test]
    fn points_sit_by_date_and_a_missing_share_leaves_a_gap() {
        let s = series(
            Unit::Percent,
            &[
                ("2020-01-01", vec![Some(50)]),
                ("2020-01-02", vec![None]),
                ("2020-01-04", vec![Some(100)]),
                ("2020-01-05", vec![Some(0)]),
            ],
        );
        let c = line_chart(&s);
        assert_eq!(c.top, "100%");
        assert_eq!(c.lines[0].path, "M0.0 100.0 M450.0 0.0 L600.0 200.0");
    }

    #[test]
    fn one_day_is_a_level_line_across() {
        let s = series(Unit::Entries, &[("2020-01-01", vec![Some(1), Some(0)])]);
        let c = line_chart(&s);
        assert_eq!(c.top, "1 entry");
        assert_eq!(c.lines[0].path, "M0.0 0.0 L600.0 0.0");
        assert_eq!(c.lines[1].kind, 1);
    }
}
