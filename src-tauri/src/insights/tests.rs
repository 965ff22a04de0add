//! Tests that know the truth: diaries generated with planted effects (and
//! with none), across many seeds, and what the statistics make of them.

use fastrand::Rng;

use super::load::{SWITCHED_SIDES, WARM_UP_FULL};
use super::stats::{findings, pattern, Finding, Outcome, Row, Table, Verdict};
use super::*;

const COMPRESS: &str = "did:warm compress";

/// One generated session: its hour, factors and outcomes before any effect.
struct Planted {
    hour: u32,
    warm_up: bool,
    compress: bool,
    sound: bool,
    sides: bool,
    first_s: f64,
    second_s: f64,
    volume: f64,
    /// As many more factors, with no effect, as the app records besides
    /// these four (19 in all with the default chips): every comparison
    /// made counts against the chance of a false finding, and the power.
    others: [bool; OTHERS],
}

const OTHERS: usize = 15;
const OTHER_NAMES: [&str; OTHERS] = [
    "massage_full",
    "long_gap",
    "weekend",
    "baby_picture",
    "sound_pump_only",
    "breathing",
    "discreet",
    "hide_controls",
    "did:massage",
    "did:a drink",
    "did:baby's smell",
    "did:hands-on pumping",
    "did:comfortable place",
    "did:at work",
    "did:at home",
];

fn normal(rng: &mut Rng, sd: f64) -> f64 {
    // Box–Muller.
    let (u, v) = (rng.f64().max(1e-12), rng.f64());
    sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// A working parent's day: sessions at 7, 10, 13, 16 and 19 o'clock.
fn base(rng: &mut Rng) -> Planted {
    let first_s = 180.0 + normal(rng, 30.0);
    Planted {
        hour: [7, 10, 13, 16, 19][rng.usize(..5)],
        warm_up: rng.bool(),
        compress: rng.bool(),
        sound: rng.bool(),
        sides: rng.bool(),
        first_s,
        second_s: first_s + 420.0 + normal(rng, 40.0),
        volume: 100.0 + normal(rng, 15.0),
        others: std::array::from_fn(|_| rng.bool()),
    }
}

fn table(sessions: &[Planted]) -> Table {
    let mut t = Table::default();
    for s in sessions {
        let mut factors = vec![
            (WARM_UP_FULL, s.warm_up),
            (COMPRESS, s.compress),
            (BABY_SOUND, s.sound),
            (SWITCHED_SIDES, s.sides),
        ];
        factors.extend(OTHER_NAMES.iter().copied().zip(s.others));
        t.push(
            Row {
                band: (s.hour / 4) as u8,
                letdowns_s: vec![s.first_s.max(1.0), s.second_s.max(2.0)],
                pumped: true,
                volume_ml: Some(s.volume.max(0.0)),
                pump_minutes: Some(15.0),
            },
            &factors,
        );
    }
    t
}

fn diary(seed: u64, n: usize, plant: impl Fn(&mut Rng, &mut Planted)) -> Vec<Finding> {
    let mut rng = Rng::with_seed(seed);
    let sessions: Vec<Planted> = (0..n)
        .map(|_| {
            let mut s = base(&mut rng);
            plant(&mut rng, &mut s);
            s
        })
        .collect();
    findings(&table(&sessions))
}

fn find<'a>(all: &'a [Finding], factor: &str, outcome: Outcome) -> &'a Finding {
    all.iter()
        .find(|f| f.factor == factor && f.outcome == outcome)
        .expect("every factor is compared on every outcome")
}

#[test]
fn a_planted_warm_up_effect_is_found_with_the_right_sign_and_size() {
    let (mut found, mut covered) = (0, 0);
    let seeds = 100;
    for seed in 0..seeds {
        let all = diary(seed, 30, |_, s| {
            if s.warm_up {
                s.first_s -= 90.0;
                s.second_s -= 90.0;
            }
        });
        let f = find(&all, WARM_UP_FULL, Outcome::FirstLetdown);
        if f.verdict.claimed() {
            found += 1;
            assert!(f.effect < 0.0, "seed {seed}: sooner, not later: {f:?}");
            assert!(f.low <= f.effect && f.effect <= f.high);
            covered += usize::from(f.low <= -90.0 && -90.0 <= f.high);
        }
    }
    eprintln!("found {found}, interval held the truth {covered}");
    assert!(found >= 90, "found in {found} of {seeds} diaries");
    // A 95 % interval; each diary's own noise moves it.
    assert!(
        covered * 100 >= found * 85,
        "{covered} of {found} intervals hold 90 s"
    );
}

#[test]
fn with_no_effect_at_all_at_most_one_diary_in_twenty_claims_anything() {
    let seeds = 200;
    let claiming = (0..seeds)
        .filter(|&seed| {
            diary(10_000 + seed, 40, |_, _| {})
                .iter()
                .any(|f| f.verdict.claimed())
        })
        .count();
    eprintln!("{claiming} of {seeds} claimed");
    assert!(
        claiming * 20 <= seeds as usize,
        "{claiming} of {seeds} diaries claimed a finding"
    );
}

#[test]
fn a_compress_used_in_the_mornings_is_not_credited_with_morning_milk() {
    let plant = |rng: &mut Rng, s: &mut Planted| {
        let morning = s.hour < 12;
        // Mornings give 40 % more; the compress goes with mornings.
        if morning {
            s.volume *= 1.4;
        }
        s.compress = rng.f64() < if morning { 0.8 } else { 0.2 };
    };
    let seeds = 100;
    let mut credited = 0;
    for seed in 0..seeds {
        let all = diary(20_000 + seed, 60, plant);
        for outcome in [Outcome::Volume, Outcome::VolumePerMinute] {
            let f = find(&all, COMPRESS, outcome);
            credited += usize::from(f.verdict.claimed());
            assert!(f.n_with >= 5 && f.n_without >= 5, "compared: {f:?}");
        }
    }
    assert!(
        credited * 20 <= seeds as usize,
        "the compress was credited in {credited} of {seeds}"
    );
    // The confounding is real: pooled over the day the compress looks strong.
    let mut rng = Rng::with_seed(1);
    let sessions: Vec<Planted> = (0..60)
        .map(|_| {
            let mut s = base(&mut rng);
            plant(&mut rng, &mut s);
            s
        })
        .collect();
    let med = |c: bool| {
        stats::median(
            &sessions
                .iter()
                .filter(|s| s.compress == c)
                .map(|s| s.volume)
                .collect::<Vec<_>>(),
        )
    };
    assert!(
        med(true) - med(false) > 15.0,
        "pooled: {} against {}",
        med(true),
        med(false)
    );
}

#[test]
fn six_sessions_are_too_few_to_claim_anything() {
    for seed in 0..50 {
        let all = diary(30_000 + seed, 6, |_, s| {
            if s.warm_up {
                s.first_s -= 150.0;
            }
        });
        assert!(all.iter().all(|f| !f.verdict.claimed()), "seed {seed}");
        assert!(all
            .iter()
            .any(|f| matches!(f.verdict, Verdict::TooFew { .. })));
    }
}

#[test]
fn let_downs_planted_at_two_and_nine_minutes_are_reported_there() {
    for seed in 0..50 {
        let mut rng = Rng::with_seed(40_000 + seed);
        let rows: Vec<Row> = (0..30)
            .map(|_| Row {
                band: 2,
                letdowns_s: vec![
                    120.0 + rng.f64() * 80.0 - 40.0,
                    540.0 + rng.f64() * 80.0 - 40.0,
                ],
                pumped: true,
                volume_ml: None,
                pump_minutes: None,
            })
            .collect();
        let p = pattern(&rows);
        assert_eq!(p.usual.len(), 2, "seed {seed}");
        assert!(
            (p.usual[0].median_s - 120.0).abs() <= 20.0,
            "{:?}",
            p.usual[0]
        );
        assert!(
            (p.usual[1].median_s - 540.0).abs() <= 20.0,
            "{:?}",
            p.usual[1]
        );
        assert!((p.gaps_s[0] - 420.0).abs() <= 25.0, "{:?}", p.gaps_s);
        assert!(p.usual[0].low_s >= 80.0 && p.usual[0].high_s <= 160.0);
    }
}

#[test]
fn ties_and_a_single_band_still_give_a_sane_test() {
    // Let-down counts tie a lot; identical groups must not look different.
    let mut t = Table::default();
    for i in 0..20 {
        let row = Row {
            band: 2,
            letdowns_s: vec![60.0; 1 + i % 2],
            pumped: true,
            volume_ml: Some(100.0),
            pump_minutes: Some(10.0),
        };
        t.push(row, &[(WARM_UP_FULL, i % 4 < 2)]);
    }
    let all = findings(&t);
    let f = find(&all, WARM_UP_FULL, Outcome::Letdowns);
    assert!(f.p > 0.5, "{f:?}");
    assert!(!f.verdict.claimed());
    let v = find(&all, WARM_UP_FULL, Outcome::Volume);
    assert_eq!((v.p, v.effect), (1.0, 0.0), "all equal: {v:?}");
}

#[test]
fn a_planted_diary_on_disk_reads_back_as_the_finding_in_plain_words() {
    let mut d = Diary::open_in_memory().unwrap();
    let end = 1_790_000_000_000;
    crate::seed::planted(&mut d, 120, end, 60, 1.0).unwrap();
    let view = insights(&d, 4, end, Unit::Ml).unwrap();
    assert_eq!(view.sessions, 4 * 7 * 3);
    let warm = view
        .findings
        .iter()
        .find(|f| f.key == format!("{WARM_UP_FULL}/FirstLetdown"))
        .expect("the planted warm-up is found");
    assert!(
        warm.sentence.starts_with("Over the last 4 weeks your first let-down came about 1½ minutes sooner when the warm-up ran to its end (median 2:1"),
        "{}",
        warm.sentence
    );
    assert!(!["caused", "makes", "because"]
        .iter()
        .any(|w| warm.sentence.contains(w)));
    assert!(warm.picture.starts_with("<svg") && warm.picture.contains("median"));
    // Two let-downs each, at about 2:55 and 9:55 from the start of pumping.
    assert_eq!(view.pattern.usual.len(), 2);
    assert!(view
        .pattern_sentence
        .contains("your second let-down usually comes at"));
    assert!(
        view.findings.iter().all(|f| !f.key.starts_with("did:")),
        "nothing planted there"
    );
}

#[test]
fn old_sessions_without_stored_factors_still_count_by_their_steps() {
    let mut d = Diary::open_in_memory().unwrap();
    let end = 1_790_000_000_000;
    crate::seed::planted(&mut d, 30, end, 0, 1.0).unwrap();
    d.connection()
        .execute("DELETE FROM session_factors", [])
        .unwrap();
    let t = d.insight_table(end - 30 * 86_400_000, end).unwrap();
    assert_eq!(t.rows.len(), 30);
    let warm = &t.factors[WARM_UP_FULL];
    assert!(warm.iter().all(Option::is_some));
    assert!(warm.contains(&Some(true)) && warm.contains(&Some(false)));
    assert!(!t.factors.contains_key(BABY_SOUND));
}

#[test]
fn words_round_times_as_a_person_says_them() {
    assert_eq!(about_time(-90.0), "about 1½ minutes");
    assert_eq!(about_time(60.0), "about 1 minute");
    assert_eq!(about_time(38.0), "about 40 seconds");
    assert_eq!(about_time(150.0), "about 2½ minutes");
    assert_eq!(clock(130.0), "2:10");
    assert_eq!(about_time(-3.2), "about 3 seconds");
}

#[test]
fn only_the_offered_windows_are_accepted() {
    let d = Diary::open_in_memory().unwrap();
    assert!(insights(&d, 3, 0, Unit::Ml).is_err());
    let empty = insights(&d, 2, 0, Unit::Ml).unwrap();
    assert!(empty.findings.is_empty());
    assert!(empty.too_early.is_some());
}
