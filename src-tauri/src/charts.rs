//! The diary's charts as small, plain SVG: the same drawing in the app's week
//! and month views and in the printable report.
//!
//! Why hand-written SVG and not a chart library: four simple charts (stacked
//! bars and dot plots over days) are about 200 lines here, work without
//! script (the report is a file with no JavaScript, and the CSP forbids
//! inline script), print crisply, take their colours from CSS classes (so
//! the dim and light themes and print apply), and are tested as text in Rust.
//! A vendored library would add ~50–200 KB of JS to load and audit and would
//! still need a second path for the report.
//!
//! Every mark is focusable and carries its number as an accessible name and
//! tooltip: "pictures first, numbers on hover or focus".

use std::fmt::Write;

use chrono::{Datelike, NaiveDate, Timelike};

use crate::history::Point;
use crate::prefs::Unit;

const W: f64 = 640.0;
const H: f64 = 200.0;
const LEFT: f64 = 58.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 26.0;

/// Escapes text for HTML and SVG content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A round top for the y axis and the step between its grid lines.
fn nice_max(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 0.5);
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    ((max / step).ceil() * step, step)
}

fn short_day(day: NaiveDate) -> String {
    day.format("%a %-d %b").to_string()
}

/// The frame shared by every chart: title, y grid with labels, day labels.
struct Frame {
    svg: String,
    days: Vec<NaiveDate>,
    y_max: f64,
}

impl Frame {
    fn new(title: &str, days: &[NaiveDate], y_max: f64, y_label: impl Fn(f64) -> String) -> Frame {
        let (y_max, step) = nice_max(y_max);
        let mut svg = String::new();
        let _ = write!(
            svg,
            r#"<svg class="chart" viewBox="0 0 {W} {H}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
            esc(title)
        );
        let mut y = 0.0;
        while y <= y_max + step / 2.0 {
            let py = TOP + (H - TOP - BOTTOM) * (1.0 - y / y_max);
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{py:.1}" y2="{py:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
                W - RIGHT,
                LEFT - 4.0,
                py + 4.0,
                esc(&y_label(y))
            );
            y += step;
        }
        let every = (days.len() / 8).max(1);
        for (i, day) in days.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let label = if days.len() <= 8 {
                day.format("%a %-d").to_string()
            } else {
                day.format("%-d %b").to_string()
            };
            let _ = write!(
                svg,
                r#"<text class="axis" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                Self::x_mid(days.len(), i),
                H - 8.0,
                esc(&label)
            );
        }
        Frame {
            svg,
            days: days.to_vec(),
            y_max,
        }
    }

    fn slot(n: usize) -> f64 {
        (W - LEFT - RIGHT) / n.max(1) as f64
    }

    fn x_mid(n: usize, i: usize) -> f64 {
        LEFT + Self::slot(n) * (i as f64 + 0.5)
    }

    fn y(&self, value: f64) -> f64 {
        TOP + (H - TOP - BOTTOM) * (1.0 - (value / self.y_max).clamp(0.0, 1.0))
    }

    fn day_index(&self, day: NaiveDate) -> Option<usize> {
        self.days.iter().position(|d| *d == day)
    }

    /// A focusable mark: its number is both its name and its tooltip.
    fn mark(&mut self, shape: &str, label: &str) {
        let label = esc(label);
        let _ = write!(
            self.svg,
            r#"<{shape} tabindex="0" role="img" aria-label="{label}"><title>{label}</title></{}>"#,
            shape.split(' ').next().unwrap_or("g")
        );
    }

    fn finish(mut self, empty: bool) -> String {
        if empty {
            let _ = write!(
                self.svg,
                r#"<text class="empty" x="{}" y="{}" text-anchor="middle">No sessions in these days</text>"#,
                W / 2.0,
                H / 2.0
            );
        }
        self.svg.push_str("</svg>");
        self.svg
    }
}

/// Every local day from `from` to `to`, inclusive.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|d| *d <= to).collect()
}

/// Daily volume, one bar a day with each session stacked in it, and a line
/// on each day a pump part was replaced, so a dip before and a recovery
/// after can be seen.
pub fn daily_volume(
    days: &[NaiveDate],
    points: &[Point],
    unit: Unit,
    replaced: &[crate::pump::Replacement],
) -> String {
    let mut totals = vec![0.0; days.len()];
    let index = |p: &Point| days.iter().position(|d| *d == p.day);
    for p in points {
        if let (Some(i), Some(ml)) = (index(p), p.total_ml) {
            totals[i] += ml;
        }
    }
    let max = totals.iter().cloned().fold(0.0, f64::max);
    // At least 100 ml high, so an empty or near-empty span keeps distinct grid labels.
    let mut frame = Frame::new("Daily volume", days, max.max(100.0), |v| unit.label(v));
    let width = (Frame::slot(days.len()) * 0.6).min(48.0);
    let mut stacked = vec![0.0; days.len()];
    for p in points {
        let (Some(i), Some(ml)) = (index(p), p.total_ml) else {
            continue;
        };
        let (bottom, top) = (frame.y(stacked[i]), frame.y(stacked[i] + ml));
        stacked[i] += ml;
        let class = if p.id % 2 == 0 { "bar" } else { "bar alt" };
        let label = format!(
            "{}, {}: {} (day {})",
            short_day(p.day),
            crate::history::local_time(p.started_ms, p.started_offset_min).format("%H:%M"),
            unit.label(ml),
            unit.label(totals[i])
        );
        frame.mark(
            &format!(
                r#"rect class="{class}" x="{:.1}" y="{top:.1}" width="{width:.1}" height="{:.1}""#,
                Frame::x_mid(days.len(), i) - width / 2.0,
                (bottom - top).max(0.5)
            ),
            &label,
        );
    }
    for r in replaced {
        let day = crate::history::local_time(r.at_ms, r.offset_min).date();
        let Some(i) = frame.day_index(day) else {
            continue;
        };
        let x = Frame::x_mid(days.len(), i);
        frame.mark(
            &format!(
                r#"line class="replaced" x1="{x:.1}" x2="{x:.1}" y1="{TOP}" y2="{}""#,
                H - BOTTOM
            ),
            &format!(
                "{}: replaced the {} of {}",
                short_day(day),
                r.part.to_lowercase(),
                r.pump
            ),
        );
    }
    frame.finish(points.iter().all(|p| p.total_ml.is_none()))
}

/// A dot chart's y axis: the lowest top for it, so few or no sessions keep
/// distinct labels, and a level to draw across with its words (the schedule's aim).
struct Axis {
    floor: f64,
    line: Option<(f64, String)>,
}

impl Axis {
    fn from(floor: f64) -> Axis {
        Axis { floor, line: None }
    }
}

/// One dot per session at its start time within its day, `value` high.
fn dots(
    title: &str,
    days: &[NaiveDate],
    points: &[Point],
    value: impl Fn(&Point) -> Option<f64>,
    Axis { floor, line }: Axis,
    y_label: impl Fn(f64) -> String,
    describe: impl Fn(&Point, f64) -> String,
) -> String {
    let max = points.iter().filter_map(&value).fold(floor, f64::max);
    let max = line.as_ref().map_or(max, |(v, _)| max.max(v * 1.15));
    let mut frame = Frame::new(title, days, max, &y_label);
    if let Some((v, words)) = &line {
        let y = frame.y(*v);
        let _ = write!(
            frame.svg,
            r#"<line class="target" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            W - RIGHT - 2.0,
            y - 4.0,
            esc(words)
        );
    }
    let slot = Frame::slot(days.len());
    let mut any = false;
    for p in points {
        let (Some(i), Some(v)) = (frame.day_index(p.day), value(p)) else {
            continue;
        };
        any = true;
        let local = crate::history::local_time(p.started_ms, p.started_offset_min);
        let within = f64::from(local.num_seconds_from_midnight()) / 86_400.0;
        let x = LEFT + slot * (i as f64 + 0.1 + 0.8 * within);
        let y = frame.y(v);
        frame.mark(
            &format!(r#"circle class="dot" cx="{x:.1}" cy="{y:.1}" r="4""#),
            &describe(p, v),
        );
    }
    frame.finish(!any)
}

fn when(p: &Point) -> String {
    format!(
        "{}, {}",
        short_day(p.day),
        crate::history::local_time(p.started_ms, p.started_offset_min).format("%H:%M")
    )
}

/// Minutes from the start of a session to its first let-down.
pub fn first_letdown(days: &[NaiveDate], points: &[Point]) -> String {
    dots(
        "Time to first let-down",
        days,
        points,
        |p| p.first_letdown_ms.map(|ms| ms as f64 / 60_000.0),
        Axis::from(4.0),
        |v| format!("{v} min"),
        |p, v| format!("{}: first let-down after {}", when(p), minutes(v)),
    )
}

/// Let-downs marked in each session.
pub fn letdowns(days: &[NaiveDate], points: &[Point]) -> String {
    dots(
        "Let-downs per session",
        days,
        points,
        |p| Some(f64::from(p.letdowns)),
        Axis::from(4.0),
        |v| format!("{v}"),
        |p, v| {
            format!(
                "{}: {v} let-down{}",
                when(p),
                if v == 1.0 { "" } else { "s" }
            )
        },
    )
}

/// Hours since the session before, with the schedule's aim (hours) as a line.
pub fn intervals(days: &[NaiveDate], points: &[Point], target_h: Option<f64>) -> String {
    dots(
        "Time between sessions",
        days,
        points,
        |p| p.interval_ms.map(|ms| ms as f64 / 3_600_000.0),
        Axis {
            floor: 4.0,
            line: target_h.map(|h| (h, format!("your schedule: {}", hours(h)))),
        },
        |v| format!("{v} h"),
        |p, v| format!("{}: {} after the session before", when(p), hours(v)),
    )
}

/// "4 min 30 s" from fractional minutes.
pub fn minutes(v: f64) -> String {
    let secs = (v * 60.0).round() as i64;
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// "3 h 05 min" from fractional hours.
pub fn hours(v: f64) -> String {
    let mins = (v * 60.0).round() as i64;
    format!("{} h {:02} min", mins / 60, mins % 60)
}

/// The four charts of a span of days, keyed as the UI and report show them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Charts {
    pub daily_volume: String,
    pub first_letdown: String,
    pub letdowns: String,
    pub intervals: String,
}

/// `target_h`: the schedule's interval, drawn on the interval chart;
/// `replaced`: pump parts replaced, marked on the volume chart.
pub fn all(
    from: NaiveDate,
    to: NaiveDate,
    points: &[Point],
    unit: Unit,
    target_h: Option<f64>,
    replaced: &[crate::pump::Replacement],
) -> Charts {
    let days = days_between(from, to);
    Charts {
        daily_volume: daily_volume(&days, points, unit, replaced),
        first_letdown: first_letdown(&days, points),
        letdowns: letdowns(&days, points),
        intervals: intervals(&days, points, target_h),
    }
}

/// Monday of `day`'s week, for the week view.
pub fn week_start(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diary::Diary;
    use crate::history::fixture::{add, S};

    fn span(d: &Diary) -> (Vec<NaiveDate>, Vec<Point>) {
        let (from, to) = ("2026-03-01".parse().unwrap(), "2026-03-03".parse().unwrap());
        (days_between(from, to), d.points(from, to).unwrap())
    }

    #[test]
    fn daily_volume_stacks_each_session_and_names_its_numbers() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T08:00:00",
                left: Some(60.0),
                right: Some(40.0),
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-01T13:30:00",
                left: Some(50.0),
                right: None,
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-03T09:00:00",
                left: None,
                right: None,
                ..S::default()
            },
        );
        let (days, points) = span(&d);
        let svg = daily_volume(&days, &points, Unit::Ml, &[]);
        assert_eq!(
            svg.matches("<rect").count(),
            2,
            "one segment per session with an amount"
        );
        assert!(
            svg.contains(r#"aria-label="Sun 1 Mar, 08:00: 100 ml (day 150 ml)""#),
            "{svg}"
        );
        assert!(svg.contains(r#"aria-label="Sun 1 Mar, 13:30: 50 ml (day 150 ml)""#));
        assert_eq!(svg.matches("tabindex=\"0\"").count(), 2);
        let oz = daily_volume(&days, &points, Unit::Oz, &[]);
        assert!(oz.contains("3.4 oz (day 5.1 oz)"), "{oz}");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_replaced_part_is_marked_on_its_local_day_of_the_volume_chart() {
        let d = Diary::open_in_memory().unwrap();
        let (days, points) = span(&d);
        // 23:30 UTC on 1 March is 2 March in UTC+2: the mark goes on the 2nd.
        let at = |s: &str| {
            s.parse::<chrono::NaiveDateTime>()
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        let replaced = [
            crate::pump::Replacement {
                at_ms: at("2026-03-01T23:30:00"),
                offset_min: 120,
                part: "Duckbill valves".into(),
                pump: "Work pump".into(),
            },
            crate::pump::Replacement {
                at_ms: at("2026-03-09T10:00:00"),
                offset_min: 0,
                part: "Tubing".into(),
                pump: "Work pump".into(),
            },
        ];
        let svg = daily_volume(&days, &points, Unit::Ml, &replaced);
        assert_eq!(svg.matches(r#"class="replaced""#).count(), 1, "{svg}");
        assert!(
            svg.contains(r#"aria-label="Mon 2 Mar: replaced the duckbill valves of Work pump""#),
            "{svg}"
        );
        let x = format!(r#"x1="{:.1}""#, Frame::x_mid(days.len(), 1));
        assert!(svg.contains(&x), "drawn at the second day's middle: {svg}");
    }

    #[test]
    fn dot_charts_plot_only_sessions_that_have_the_value() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T08:00:00",
                letdowns_s: &[270],
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-02T08:00:00",
                letdowns_s: &[],
                ..S::default()
            },
        );
        let (days, points) = span(&d);
        let first = first_letdown(&days, &points);
        assert_eq!(first.matches("<circle").count(), 1);
        assert!(first.contains("first let-down after 4 min 30 s"));
        let count = letdowns(&days, &points);
        assert_eq!(count.matches("<circle").count(), 2);
        assert!(count.contains("Mon 2 Mar, 08:00: 0 let-downs"));
        let gaps = intervals(&days, &points, None);
        assert!(gaps.contains("24 h 00 min after the session before"));
        let empty = first_letdown(&days, &[]);
        assert!(empty.contains("No sessions in these days"));
        // Grid labels stay distinct with nothing to draw.
        let volume = daily_volume(&days, &[], Unit::Ml, &[]);
        for label in [">0 ml<", ">25 ml<", ">100 ml<"] {
            assert_eq!(volume.matches(label).count(), 1, "{label} in {volume}");
        }
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_max(173.0), (200.0, 50.0));
        assert_eq!(nice_max(9.0), (10.0, 2.5));
        assert_eq!(nice_max(0.0), (1.0, 0.5));
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
