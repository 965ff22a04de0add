//! "What works for you": what went with a sooner let-down and more milk in
//! this parent's own diary, said in plain words with its numbers, and when
//! the let-downs usually come. Knows nothing of Tauri.
//!
//! Words are chosen not to claim a cause: "when", "went with", never "made".

pub mod load;
pub mod stats;

use std::fmt::Write;

use serde::Serialize;

use crate::charts::esc;
use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::prefs::Unit;
use stats::{Finding, Outcome, Pattern, Verdict};

/// Factors recorded with each session (`session_factors`), beside those
/// `load` reads from the diary's own tables.
pub const BABY_PICTURE: &str = "baby_picture";
pub const BABY_SOUND: &str = "baby_sound";
pub const SOUND_PUMP_ONLY: &str = "sound_pump_only";
pub const BREATHING: &str = "breathing";
/// The breathing guide's running minutes in a session: a measure, not a
/// yes or no. Where it is recorded, `BREATHING` means a minute or more.
pub const BREATHING_MIN: &str = "breathing_min";
pub const DISCREET: &str = "discreet";
/// A chip ticked on the finish sheet is stored as this prefix and its words.
pub const CHIP_PREFIX: &str = "did:";

/// The windows the parent can choose, in weeks.
pub const WINDOWS: [u32; 3] = [2, 4, 8];
const WEEK_MS: i64 = 7 * 86_400_000;

/// "when …" for a factor.
fn when(factor: &str) -> String {
    let fixed = match factor {
        load::WARM_UP_FULL => "the warm-up ran to its end",
        load::MASSAGE_FULL => "the massage ran to its end",
        load::SWITCHED_SIDES => "you switched sides",
        load::LONG_GAP => "it had been 3 hours or more since the session before",
        load::WEEKEND => "it was a weekend",
        load::STIMULATION_HIGH => "the pump's stimulation level was above your usual",
        load::EXPRESSION_HIGH => "the pump's expression level was above your usual",
        load::SUCTION_HIGH => "the pump's suction was above your usual",
        load::SWITCH_EARLY => "you switched the pump to expression within 2 minutes",
        BABY_PICTURE => "your baby's photo or video was on the screen",
        BABY_SOUND => "your baby's recording played",
        SOUND_PUMP_ONLY => "the recording played only while pumping",
        BREATHING => "the breathing guide was on",
        DISCREET => "you stepped away into discreet mode",
        crate::diary::FACTOR_HIDE_CONTROLS => "the controls faded while pumping",
        other => {
            return match other.strip_prefix(CHIP_PREFIX) {
                Some(chip) => format!("you chose “{chip}”"),
                None => format!("“{other}” was noted"),
            }
        }
    };
    fixed.to_string()
}

/// "2:10" from seconds.
fn clock(seconds: f64) -> String {
    let s = seconds.round().max(0.0) as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// "about 1½ minutes", "about 40 seconds".
fn about_time(seconds: f64) -> String {
    let s = seconds.abs();
    if s < 10.0 {
        // Only on a routine of second-long steps.
        let n = s.round().max(1.0);
        return format!("about {n} second{}", if n == 1.0 { "" } else { "s" });
    }
    if s < 60.0 {
        return format!("about {} seconds", (s / 10.0).round() * 10.0);
    }
    let halves = (s / 30.0).round() as i64;
    let (whole, half) = (halves / 2, halves % 2 == 1);
    let number = match (whole, half) {
        (0, _) => "½".to_string(),
        (w, true) => format!("{w}½"),
        (w, false) => w.to_string(),
    };
    let plural = if halves == 2 { "minute" } else { "minutes" };
    format!("about {number} {plural}")
}

/// The value of an outcome as a parent reads it.
fn value(outcome: Outcome, v: f64, unit: Unit) -> String {
    match outcome {
        Outcome::FirstLetdown => clock(v),
        Outcome::Letdowns => format!("{:.1}", v).replace(".0", ""),
        Outcome::Volume => unit.label(v),
        Outcome::VolumePerMinute => format!("{} a minute", rate(v, unit)),
    }
}

fn rate(ml_per_min: f64, unit: Unit) -> String {
    match unit {
        Unit::Ml => format!("{:.1} ml", ml_per_min),
        Unit::Oz => format!("{:.2} oz", ml_per_min / crate::prefs::ML_PER_OZ),
    }
}

/// "your first let-down came about 1½ minutes sooner"
fn change(f: &Finding, unit: Unit) -> String {
    let up = f.effect > 0.0;
    match f.outcome {
        Outcome::FirstLetdown => format!(
            "your first let-down came {} {}",
            about_time(f.effect),
            if up { "later" } else { "sooner" }
        ),
        Outcome::Letdowns => {
            let n = format!("{:.1}", f.effect.abs()).replace(".0", "");
            format!(
                "you marked about {n} {} let-down{}",
                if up { "more" } else { "fewer" },
                if n == "1" { "" } else { "s" }
            )
        }
        Outcome::Volume => format!(
            "you pumped about {} {}",
            unit.label(f.effect.abs()),
            if up { "more" } else { "less" }
        ),
        Outcome::VolumePerMinute => format!(
            "your milk came about {} a minute {}",
            rate(f.effect.abs(), unit),
            if up { "faster" } else { "slower" }
        ),
    }
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::FirstLetdown => "time to the first let-down",
        Outcome::Letdowns => "let-downs per session",
        Outcome::Volume => "milk per session",
        Outcome::VolumePerMinute => "milk per minute of pumping",
    }
}

/// One finding as the diary view, the idle screen and the report show it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// Stable name of the factor and outcome, for "dismiss".
    pub key: String,
    pub sentence: String,
    /// The same, short, for the idle screen.
    pub headline: String,
    /// "clear" or "maybe".
    pub sureness: &'static str,
    /// A sooner let-down, more let-downs or more milk: the only kind the
    /// calm screen shows (a "later" or "less" waits in the diary).
    pub favourable: bool,
    pub picture: String,
}

/// A factor and outcome with nothing to say yet, and what would help.
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Insights {
    pub weeks: u32,
    pub sessions: usize,
    pub findings: Vec<Shown>,
    pub waiting: Vec<Waiting>,
    /// Said when there is too little to compare anything yet.
    pub too_early: Option<String>,
    pub pattern: Pattern,
    pub pattern_sentence: String,
    pub pattern_picture: String,
}

fn sentence(f: &Finding, weeks: u32, unit: Unit) -> String {
    format!(
        "Over the last {weeks} weeks {} when {} (median {} with, {} without; {} and {} sessions).",
        change(f, unit),
        when(&f.factor),
        value(f.outcome, f.median_with, unit),
        value(f.outcome, f.median_without, unit),
        f.n_with,
        f.n_without
    )
}

fn headline(f: &Finding, unit: Unit) -> String {
    let mut s = format!("{} when {}.", change(f, unit), when(&f.factor));
    if let Some(first) = s.get(..1) {
        s = first.to_uppercase() + &s[1..];
    }
    s
}

fn waiting(f: &Finding) -> Option<String> {
    let what = format!("{} when {}", outcome_name(f.outcome), when(&f.factor));
    match &f.verdict {
        Verdict::TooFew {
            more_with,
            more_without,
        } => {
            let need = match (more_with, more_without) {
                (0, n) => format!("{n} more without it"),
                (n, 0) => format!("{n} more with it"),
                (a, b) => format!("{a} more with it and {b} without"),
            };
            Some(format!("{}: not enough sessions yet; {need} would let Letdown compare.", capital(&what)))
        }
        Verdict::Unclear { more: Some(more) } => Some(format!(
            "{}: no clear difference yet ({} and {} sessions); about {more} more sessions could tell.",
            capital(&what),
            f.n_with,
            f.n_without
        )),
        Verdict::Unclear { more: None } => Some(format!(
            "{}: no clear difference ({} and {} sessions).",
            capital(&what),
            f.n_with,
            f.n_without
        )),
        _ => None,
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn ordinal(n: usize) -> &'static str {
    ["first", "second", "third", "fourth", "fifth", "sixth"]
        .get(n.saturating_sub(1))
        .copied()
        .unwrap_or("next")
}

fn pattern_sentence(p: &Pattern) -> String {
    if p.usual.is_empty() {
        let marked = p.points.iter().filter(|l| !l.is_empty()).count();
        let more = stats::MIN_GROUP.saturating_sub(marked).max(1);
        return format!(
            "Your let-down pattern shows once {} sessions have a let-down marked; about {more} more.",
            stats::MIN_GROUP
        );
    }
    let parts: Vec<String> = p
        .usual
        .iter()
        .take(3)
        .map(|u| {
            format!(
                "your {} let-down usually comes at {} (half of them between {} and {}; {} sessions)",
                ordinal(u.nth),
                clock(u.median_s),
                clock(u.low_s),
                clock(u.high_s),
                u.sessions
            )
        })
        .collect();
    format!("From the start of pumping, {}.", parts.join("; "))
}

const PW: f64 = 640.0;

/// A row of a strip picture: its name, its values, and the band to shade.
struct StripRow<'a> {
    name: &'a str,
    values: &'a [f64],
    band: Option<(f64, f64)>,
}

/// Rows of dots, one row per group, with each row's median as a line.
fn strip(rows: &[StripRow], label: &str, unit_max: f64, tick: impl Fn(f64) -> String) -> String {
    let row_h = 26.0;
    let (left, right, top) = (92.0, 12.0, 8.0);
    let height = top + row_h * rows.len() as f64 + 22.0;
    let x = |v: f64| left + (v / unit_max).clamp(0.0, 1.0) * (PW - left - right);
    let mut svg = format!(
        r#"<svg class="chart strip" viewBox="0 0 {PW} {height}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(label),
        esc(label)
    );
    for (i, StripRow { name, values, band }) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let _ = write!(
            svg,
            r#"<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 4.0,
            esc(name)
        );
        if let Some((lo, hi)) = band {
            let _ = write!(
                svg,
                r#"<rect class="spread" x="{:.1}" y="{:.1}" width="{:.1}" height="14" rx="3"/>"#,
                x(*lo),
                y - 7.0,
                (x(*hi) - x(*lo)).max(1.0)
            );
        }
        for (j, v) in values.iter().enumerate() {
            // A little spread up and down, so equal values do not hide each other.
            let dy = ((j * 7) % 9) as f64 - 4.0;
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{:.1}" cy="{:.1}" r="3"/>"#,
                x(*v),
                y + dy
            );
        }
        if !values.is_empty() {
            let m = stats::median(values);
            let _ = write!(
                svg,
                r#"<line class="median" x1="{0:.1}" x2="{0:.1}" y1="{1:.1}" y2="{2:.1}"/>"#,
                x(m),
                y - 11.0,
                y + 11.0
            );
        }
    }
    let base = top + row_h * rows.len() as f64;
    for k in 0..=4 {
        let v = unit_max * f64::from(k) / 4.0;
        let _ = write!(
            svg,
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(v),
            base + 16.0,
            esc(&tick(v))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn finding_picture(f: &Finding, unit: Unit) -> String {
    let max = f
        .with
        .iter()
        .chain(&f.without)
        .copied()
        .fold(0.0, f64::max)
        .max(1e-9)
        * 1.05;
    let label = format!(
        "{}: median {} with, {} without",
        capital(outcome_name(f.outcome)),
        value(f.outcome, f.median_with, unit),
        value(f.outcome, f.median_without, unit)
    );
    let outcome = f.outcome;
    strip(
        &[
            StripRow {
                name: "with",
                values: &f.with,
                band: None,
            },
            StripRow {
                name: "without",
                values: &f.without,
                band: None,
            },
        ],
        &label,
        max,
        |v| match outcome {
            Outcome::Volume | Outcome::VolumePerMinute => format!("{}", unit.amount(v)),
            _ => value(outcome, v, unit),
        },
    )
}

fn pattern_picture(p: &Pattern) -> String {
    if p.usual.is_empty() {
        return String::new();
    }
    let columns: Vec<Vec<f64>> = (0..p.usual.len().min(4))
        .map(|k| p.points.iter().filter_map(|s| s.get(k).copied()).collect())
        .collect();
    let max = columns.iter().flatten().copied().fold(60.0, f64::max) * 1.05;
    let names: Vec<String> = (1..=columns.len()).map(|n| capital(ordinal(n))).collect();
    let rows: Vec<StripRow> = columns
        .iter()
        .zip(&p.usual)
        .zip(&names)
        .map(|((c, u), name)| StripRow {
            name,
            values: c,
            band: Some((u.low_s, u.high_s)),
        })
        .collect();
    strip(&rows, &pattern_sentence(p), max, clock)
}

/// Everything the view shows for the last `weeks` weeks before `now_ms`.
pub fn insights(diary: &Diary, weeks: u32, now_ms: i64, unit: Unit) -> Result<Insights> {
    if !WINDOWS.contains(&weeks) {
        return Err(Error::Invalid("Choose the last 2, 4 or 8 weeks.".into()));
    }
    let table = diary.insight_table(now_ms - i64::from(weeks) * WEEK_MS, now_ms + 1)?;
    let mut all = stats::findings(&table);
    // Strongest first: the surest, then the largest share of a difference.
    all.sort_by(|a, b| a.p_adjusted.total_cmp(&b.p_adjusted));
    let findings = all
        .iter()
        .filter(|f| f.verdict.claimed())
        .map(|f| Shown {
            key: format!("{}/{:?}", f.factor, f.outcome),
            sentence: sentence(f, weeks, unit),
            headline: headline(f, unit),
            sureness: if f.verdict == Verdict::Clear {
                "clear"
            } else {
                "maybe"
            },
            favourable: (f.outcome == Outcome::FirstLetdown) == (f.effect < 0.0),
            picture: finding_picture(f, unit),
        })
        .collect();
    let waiting = all
        .iter()
        .filter(|f| f.outcome == Outcome::FirstLetdown || f.outcome == Outcome::Volume)
        // "5 more with the suction above your usual" would read as advice to
        // turn it up: the pump's levels are compared, never asked for.
        .filter(|f| !load::LEVELS_HIGH.contains(&f.factor.as_str()))
        .filter_map(waiting)
        .map(|sentence| Waiting { sentence })
        .collect();
    let sessions = table.rows.len();
    let too_early = (sessions < 2 * stats::MIN_GROUP).then(|| {
        format!(
            "Letdown compares sessions once there are at least {} with something and {} without it. You have {sessions} in these weeks; a few more and the first comparisons appear here.",
            stats::MIN_GROUP,
            stats::MIN_GROUP
        )
    });
    let pattern = stats::pattern(&table.rows);
    Ok(Insights {
        weeks,
        sessions,
        findings,
        waiting,
        too_early,
        pattern_sentence: pattern_sentence(&pattern),
        pattern_picture: pattern_picture(&pattern),
        pattern,
    })
}

#[cfg(test)]
mod tests;
