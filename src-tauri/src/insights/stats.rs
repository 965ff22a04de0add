//! The statistics behind "What works for you", pure and without the diary:
//! a table of sessions in, findings and the let-down pattern out.
//!
//! A factor is compared on each outcome between the sessions with it and
//! those without, within the same time of day (`Row::band`), because morning
//! sessions usually give more milk and would otherwise credit whatever the
//! parent does in the morning. The test is van Elteren's stratified rank-sum
//! test; the size is the strata's weighted difference of medians with a
//! stratified bootstrap interval; Holm's method keeps the chance of any false
//! finding, over every factor and outcome looked at, at 5 %.

use std::collections::BTreeMap;

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Each group needs this many sessions before anything is said.
pub const MIN_GROUP: usize = 5;
/// The chance of any false finding in one look at the diary.
pub const FAMILY_ALPHA: f64 = 0.05;
/// Below this adjusted p a finding is "clear", up to `FAMILY_ALPHA` "maybe".
pub const CLEAR_ALPHA: f64 = 0.01;
const BOOTSTRAP_ROUNDS: usize = 400;
/// Time-of-day strata: six bands of four hours, local time.
pub const BANDS: u8 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Seconds from the start of pumping to the first let-down; lower is better.
    FirstLetdown,
    /// Let-downs marked in the session.
    Letdowns,
    /// Millilitres in the session.
    Volume,
    /// Millilitres per minute of pumping.
    VolumePerMinute,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::FirstLetdown,
        Outcome::Letdowns,
        Outcome::Volume,
        Outcome::VolumePerMinute,
    ];
}

/// One finished session as the statistics see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Local time-of-day band, 0..BANDS (hour / 4).
    pub band: u8,
    /// Let-downs, in seconds from the start of pumping; empty with none.
    pub letdowns_s: Vec<f64>,
    /// Whether the session had a pumping step (let-down outcomes need one).
    pub pumped: bool,
    pub volume_ml: Option<f64>,
    pub pump_minutes: Option<f64>,
}

impl Row {
    pub fn outcome(&self, outcome: Outcome) -> Option<f64> {
        match outcome {
            Outcome::FirstLetdown => self.letdowns_s.first().copied(),
            Outcome::Letdowns => self.pumped.then_some(self.letdowns_s.len() as f64),
            Outcome::Volume => self.volume_ml,
            Outcome::VolumePerMinute => match (self.volume_ml, self.pump_minutes) {
                (Some(v), Some(m)) if m >= 1.0 => Some(v / m),
                _ => None,
            },
        }
    }
}

/// Sessions and, per factor, whether each session had it (`None`: not known).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub rows: Vec<Row>,
    pub factors: BTreeMap<String, Vec<Option<bool>>>,
}

impl Table {
    /// Adds a session; `factors` are the ones known for it.
    pub fn push(&mut self, row: Row, factors: &[(&str, bool)]) {
        let n = self.rows.len();
        self.rows.push(row);
        for column in self.factors.values_mut() {
            column.push(None);
        }
        for (name, value) in factors {
            let column = self
                .factors
                .entry((*name).to_string())
                .or_insert_with(|| vec![None; n + 1]);
            column[n] = Some(*value);
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Holm-adjusted p below `CLEAR_ALPHA`.
    Clear,
    /// Holm-adjusted p below `FAMILY_ALPHA`.
    Maybe,
    /// Enough sessions, no clear difference; `more` is a rough count of
    /// sessions that could show one if the difference seen is real.
    Unclear { more: Option<u32> },
    /// Too few sessions with or without the factor.
    TooFew { more_with: u32, more_without: u32 },
}

impl Verdict {
    pub fn claimed(&self) -> bool {
        matches!(self, Verdict::Clear | Verdict::Maybe)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub factor: String,
    pub outcome: Outcome,
    /// Sessions compared (in time-of-day bands that had both).
    pub n_with: usize,
    pub n_without: usize,
    /// Medians of each group, averaged over the time-of-day bands with the
    /// test's weights: their difference is `effect`, so the sentence's
    /// numbers and its "sooner" or "later" always agree.
    pub median_with: f64,
    pub median_without: f64,
    /// With minus without, within time of day; the 95 % interval around it.
    pub effect: f64,
    pub low: f64,
    pub high: f64,
    pub p: f64,
    /// The rank test's z: positive when the values with the factor are higher.
    pub z: f64,
    pub p_adjusted: f64,
    pub verdict: Verdict,
    /// The values compared, for the picture.
    pub with: Vec<f64>,
    pub without: Vec<f64>,
}

/// The sessions with and without a factor for one outcome, by band.
struct Groups {
    bands: Vec<(Vec<f64>, Vec<f64>)>,
}

impl Groups {
    fn collect(table: &Table, column: &[Option<bool>], outcome: Outcome) -> Groups {
        let mut bands = vec![(Vec::new(), Vec::new()); BANDS as usize];
        for (row, has) in table.rows.iter().zip(column) {
            let (Some(has), Some(value)) = (has, row.outcome(outcome)) else {
                continue;
            };
            let band = &mut bands[usize::from(row.band.min(BANDS - 1))];
            if *has { &mut band.0 } else { &mut band.1 }.push(value);
        }
        // A band with only one group says nothing once time of day is held equal.
        bands.retain(|(w, wo)| !w.is_empty() && !wo.is_empty());
        Groups { bands }
    }

    fn counts(&self) -> (usize, usize) {
        self.bands
            .iter()
            .fold((0, 0), |(a, b), (w, wo)| (a + w.len(), b + wo.len()))
    }

    /// Van Elteren's test: a two-sided p and the z behind it.
    fn rank_test(&self) -> (f64, f64) {
        let (mut t, mut mean, mut var) = (0.0, 0.0, 0.0);
        for (with, without) in &self.bands {
            let (n1, n2) = (with.len() as f64, without.len() as f64);
            let n = n1 + n2;
            let mut all: Vec<(f64, bool)> = with
                .iter()
                .map(|&v| (v, true))
                .chain(without.iter().map(|&v| (v, false)))
                .collect();
            all.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (mut rank_sum, mut ties) = (0.0, 0.0);
            let mut i = 0;
            while i < all.len() {
                let mut j = i;
                while j + 1 < all.len() && all[j + 1].0 == all[i].0 {
                    j += 1;
                }
                let mid = (i + j) as f64 / 2.0 + 1.0;
                let size = (j - i + 1) as f64;
                ties += size * size * size - size;
                rank_sum += mid * all[i..=j].iter().filter(|x| x.1).count() as f64;
                i = j + 1;
            }
            let weight = 1.0 / (n + 1.0);
            t += weight * rank_sum;
            mean += weight * n1 * (n + 1.0) / 2.0;
            let v = n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)).max(1.0));
            var += weight * weight * v;
        }
        if var <= 0.0 {
            return (1.0, 0.0);
        }
        let z = (t - mean) / var.sqrt();
        (2.0 * (1.0 - standard_normal().cdf(z.abs())), z)
    }

    fn weights(&self) -> Vec<f64> {
        self.bands
            .iter()
            .map(|(w, wo)| {
                let (a, b) = (w.len() as f64, wo.len() as f64);
                a * b / (a + b)
            })
            .collect()
    }

    /// Each group's medians over the bands, weighted as the rank test
    /// weighs the bands; the effect is their difference.
    fn medians(&self) -> (f64, f64) {
        let weights = self.weights();
        let total: f64 = weights.iter().sum();
        let (with, without) = self
            .bands
            .iter()
            .zip(&weights)
            .fold((0.0, 0.0), |(a, b), ((w, wo), weight)| {
                (a + weight * median(w), b + weight * median(wo))
            });
        (with / total, without / total)
    }

    /// A 95 % percentile interval for `effect`, resampling within each band and group.
    fn interval(&self, seed: u64) -> (f64, f64) {
        let mut rng = fastrand::Rng::with_seed(seed);
        let weights = self.weights();
        let total: f64 = weights.iter().sum();
        let mut scratch = Vec::new();
        let mut resample = |values: &[f64], rng: &mut fastrand::Rng| {
            scratch.clear();
            scratch.extend((0..values.len()).map(|_| values[rng.usize(..values.len())]));
            median_in_place(&mut scratch)
        };
        let mut effects: Vec<f64> = (0..BOOTSTRAP_ROUNDS)
            .map(|_| {
                self.bands
                    .iter()
                    .zip(&weights)
                    .map(|((w, wo), weight)| {
                        weight * (resample(w, &mut rng) - resample(wo, &mut rng))
                    })
                    .sum::<f64>()
                    / total
            })
            .collect();
        effects.sort_by(f64::total_cmp);
        (quantile(&effects, 0.025), quantile(&effects, 0.975))
    }
}

fn standard_normal() -> Normal {
    Normal::standard()
}

/// Every factor against every outcome, with Holm's correction over those
/// with enough sessions to test.
pub fn findings(table: &Table) -> Vec<Finding> {
    // Each finding with its groups, kept for an interval if it is tested.
    let mut out: Vec<(Finding, Option<Groups>)> = Vec::new();
    for (name, column) in &table.factors {
        for outcome in Outcome::ALL {
            let groups = Groups::collect(table, column, outcome);
            let (n_with, n_without) = groups.counts();
            if n_with + n_without == 0 {
                continue;
            }
            let with: Vec<f64> = groups
                .bands
                .iter()
                .flat_map(|b| b.0.iter().copied())
                .collect();
            let without: Vec<f64> = groups
                .bands
                .iter()
                .flat_map(|b| b.1.iter().copied())
                .collect();
            let enough = n_with >= MIN_GROUP && n_without >= MIN_GROUP;
            let (p, z) = if enough {
                groups.rank_test()
            } else {
                (1.0, 0.0)
            };
            let (median_with, median_without) = if enough {
                groups.medians()
            } else {
                (median(&with), median(&without))
            };
            let finding = Finding {
                factor: name.clone(),
                outcome,
                n_with,
                n_without,
                median_with,
                median_without,
                effect: if enough {
                    median_with - median_without
                } else {
                    f64::NAN
                },
                low: f64::NAN,
                high: f64::NAN,
                p,
                z,
                p_adjusted: 1.0,
                verdict: if enough {
                    Verdict::Unclear { more: None }
                } else {
                    Verdict::TooFew {
                        more_with: MIN_GROUP.saturating_sub(n_with) as u32,
                        more_without: MIN_GROUP.saturating_sub(n_without) as u32,
                    }
                },
                with,
                without,
            };
            out.push((finding, enough.then_some(groups)));
        }
    }
    holm(&mut out);
    out.into_iter().map(|(f, _)| f).collect()
}

/// Holm's step-down adjustment over the tested findings, then the verdicts.
/// Only a finding the test passes needs its interval: the bootstrap, the
/// costly part, runs for those alone.
fn holm(findings: &mut [(Finding, Option<Groups>)]) {
    let mut tested: Vec<usize> = (0..findings.len())
        .filter(|&i| findings[i].1.is_some())
        .collect();
    tested.sort_by(|&a, &b| findings[a].0.p.total_cmp(&findings[b].0.p));
    let m = tested.len();
    let mut running: f64 = 0.0;
    for (rank, &i) in tested.iter().enumerate() {
        running = running.max(((m - rank) as f64 * findings[i].0.p).min(1.0));
        let (f, groups) = &mut findings[i];
        f.p_adjusted = running;
        if running >= FAMILY_ALPHA {
            f.verdict = Verdict::Unclear {
                more: more_needed(f.z, f.n_with + f.n_without, m),
            };
            continue;
        }
        if let Some(groups) = groups {
            let seed = f.factor.bytes().fold(f.outcome as u64, |h, b| {
                h.wrapping_mul(31).wrapping_add(u64::from(b))
            });
            (f.low, f.high) = groups.interval(seed);
        }
        // The size, its interval and the test must all point the same way
        // before anything is said (a median difference can be 0 on counts).
        let up = f.effect > 0.0;
        let agrees =
            f.effect != 0.0 && (f.z > 0.0) == up && if up { f.low > 0.0 } else { f.high < 0.0 };
        f.verdict = match (agrees, running < CLEAR_ALPHA) {
            (true, true) => Verdict::Clear,
            (true, false) => Verdict::Maybe,
            (false, _) => Verdict::Unclear { more: None },
        };
    }
}

/// Roughly how many more sessions would make a difference of the size seen
/// clear among `tests` comparisons (the test's z grows with the square root
/// of the sessions); `None` when that is far off or there is no sign of one.
fn more_needed(z: f64, n: usize, tests: usize) -> Option<u32> {
    let alpha = FAMILY_ALPHA / tests.max(1) as f64;
    let needed = standard_normal().inverse_cdf(1.0 - alpha / 2.0);
    if z.abs() < 0.5 {
        return None;
    }
    let total = n as f64 * (needed / z).powi(2);
    let more = (total - n as f64).ceil();
    (more > 0.0 && more <= 200.0).then_some(more as u32)
}

/// When the let-downs usually come: one entry per let-down (first, second…)
/// that at least `MIN_GROUP` sessions reached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Usual {
    /// 1 for the first let-down.
    pub nth: usize,
    pub median_s: f64,
    pub low_s: f64,
    pub high_s: f64,
    pub sessions: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pattern {
    /// Sessions with a pumping step in the window.
    pub sessions: usize,
    pub usual: Vec<Usual>,
    /// Median gaps between the let-downs in `usual`, in seconds.
    pub gaps_s: Vec<f64>,
    /// Every session's let-downs, for the picture.
    pub points: Vec<Vec<f64>>,
}

pub fn pattern(rows: &[Row]) -> Pattern {
    let points: Vec<Vec<f64>> = rows
        .iter()
        .filter(|r| r.pumped)
        .map(|r| r.letdowns_s.clone())
        .collect();
    let mut usual = Vec::new();
    for nth in 1.. {
        let mut times: Vec<f64> = points
            .iter()
            .filter_map(|p| p.get(nth - 1).copied())
            .collect();
        if times.len() < MIN_GROUP {
            break;
        }
        times.sort_by(f64::total_cmp);
        usual.push(Usual {
            nth,
            median_s: quantile(&times, 0.5),
            low_s: quantile(&times, 0.25),
            high_s: quantile(&times, 0.75),
            sessions: times.len(),
        });
    }
    let gaps_s = (1..usual.len())
        .map(|k| {
            let mut gaps: Vec<f64> = points
                .iter()
                .filter(|p| p.len() > k)
                .map(|p| p[k] - p[k - 1])
                .collect();
            median_in_place(&mut gaps)
        })
        .collect();
    Pattern {
        sessions: points.len(),
        usual,
        gaps_s,
        points,
    }
}

pub fn median(values: &[f64]) -> f64 {
    median_in_place(&mut values.to_vec())
}

fn median_in_place(values: &mut [f64]) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let (_, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return upper;
    }
    let lower = values[..n / 2]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    (lower + upper) / 2.0
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (i, frac) = (pos.floor() as usize, pos.fract());
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    sorted[i] + frac * (next - sorted[i])
}
