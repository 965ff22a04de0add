//! Sharing the diary: CSV of sessions and of marks, a Baby Buddy import file,
//! and the one-page report for a lactation consultant. Files are written next
//! to their destination and moved into place, so a failed export (full disk,
//! read-only folder) leaves nothing half-written and never touches an
//! existing file unless the parent agreed to replace it. No Tauri here.
//!
//! Columns are documented in docs/EXPORTS.md.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use chrono::{DateTime, NaiveDate, SecondsFormat};

use crate::charts::{self, esc};
use crate::diary::Diary;
use crate::error::{Error, Result};
use crate::history::{local_time, Filter, ListRow, Point};
use crate::prefs::Unit;
use crate::pump::PumpSettings;
use crate::stash::Place;

/// The report's stylesheet: also loaded by the app to show the report.
pub const REPORT_CSS: &str = include_str!("../../ui/css/report.css");

pub const SESSION_COLUMNS: [&str; 26] = [
    "id",
    "start_utc",
    "start_local",
    "end_utc",
    "end_local",
    "utc_offset_min",
    "duration_min",
    "routine",
    "left_ml",
    "right_ml",
    "total_ml",
    "letdowns",
    "first_letdown_s",
    "comfort",
    "tags",
    "note",
    "pump",
    "stimulation",
    "expression",
    "suction",
    "expression_from_s",
    "fridge_ml",
    "freezer_ml",
    "fed_ml",
    "discarded_ml",
    "room_ml",
];

pub const STASH_COLUMNS: [&str; 12] = [
    "id",
    "session_id",
    "place",
    "amount_ml",
    "pumped_utc",
    "pumped_local",
    "utc_offset_min",
    "label",
    "use_by_utc",
    "thawed",
    "used",
    "used_utc",
];

pub const MARK_COLUMNS: [&str; 7] = [
    "session_id",
    "kind",
    "side",
    "at_utc",
    "at_local",
    "utc_offset_min",
    "session_time_s",
];

/// Baby Buddy's admin import for pumping entries.
pub const BABY_BUDDY_COLUMNS: [&str; 5] = ["child_id", "amount", "start", "end", "notes"];

fn utc(at_ms: i64) -> String {
    DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn local(at_ms: i64, offset_min: i32) -> String {
    local_time(at_ms, offset_min)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn number(v: Option<f64>) -> String {
    v.map(|v| format!("{}", (v * 10.0).round() / 10.0))
        .unwrap_or_default()
}

/// Every session the filter lets through, newest first.
fn all_rows(diary: &Diary, filter: &Filter) -> Result<Vec<ListRow>> {
    let mut rows = Vec::new();
    let mut after = None;
    loop {
        let page = diary.list_page(filter, after, 500)?;
        rows.extend(page.rows);
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(rows),
        }
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Export(e.to_string())
}

fn csv_bytes(out: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    out.into_inner().map_err(|e| Error::Export(e.to_string()))
}

/// Sessions as CSV: one row each, amounts in ml, instants in UTC and local time.
pub fn sessions_csv(diary: &Diary, filter: &Filter) -> Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(SESSION_COLUMNS).map_err(csv_error)?;
    let names = diary.pump_names()?;
    for row in all_rows(diary, filter)? {
        let s = &row.session;
        let end = s.ended_ms.unwrap_or(s.started_ms);
        let record = [
            s.id.to_string(),
            utc(s.started_ms),
            local(s.started_ms, s.started_offset_min),
            utc(end),
            local(end, s.started_offset_min),
            s.started_offset_min.to_string(),
            number(s.active_ms.map(|ms| ms as f64 / 60_000.0)),
            s.routine_name.clone(),
            number(s.amount_left_ml),
            number(s.amount_right_ml),
            number(s.amount_total_ml),
            s.letdown_count.to_string(),
            s.first_letdown_ms
                .map(|ms| (ms / 1000).to_string())
                .unwrap_or_default(),
            s.comfort.map(|c| c.to_string()).unwrap_or_default(),
            row.tags.join(";"),
            s.note.clone().unwrap_or_default(),
        ];
        let pump = PumpSettings::from_factors(&diary.session_factors(s.id)?);
        let level = |f: fn(&PumpSettings) -> Option<u8>| {
            pump.as_ref()
                .and_then(f)
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let milk = diary.session_milk(s.id)?;
        // Where it is kept now, thawed milk counted as frozen: every row counted once.
        let went = |place: Place| {
            let here = milk.iter().filter(|m| {
                let kept = if m.thawed { Place::Freezer } else { m.place };
                kept == place
            });
            let ml: f64 = here.map(|m| m.amount_ml).sum();
            number((ml > 0.0).then_some(ml))
        };
        let extra = [
            pump.and_then(|p| names.get(&p.pump_id).cloned())
                .unwrap_or_default(),
            level(|p| p.stimulation),
            level(|p| p.expression),
            level(|p| p.suction),
            pump.and_then(|p| p.expression_from_s)
                .map(|v| v.to_string())
                .unwrap_or_default(),
            went(Place::Fridge),
            went(Place::Freezer),
            went(Place::Fed),
            went(Place::Discarded),
            went(Place::Room),
        ];
        out.write_record(record.into_iter().chain(extra))
            .map_err(csv_error)?;
    }
    csv_bytes(out)
}

/// The stash as CSV: every portion stored in the fridge or freezer, with
/// what became of it, oldest first.
pub fn stash_csv(diary: &Diary) -> Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(STASH_COLUMNS).map_err(csv_error)?;
    for p in diary.stored_milk()? {
        out.write_record([
            p.id.to_string(),
            p.session_id.to_string(),
            p.place.as_str().to_string(),
            number(Some(p.amount_ml)),
            utc(p.pumped_ms),
            local(p.pumped_ms, p.pumped_offset_min),
            p.pumped_offset_min.to_string(),
            p.label.unwrap_or_default(),
            p.use_by_ms.map(utc).unwrap_or_default(),
            if p.thawed { "yes" } else { "" }.to_string(),
            p.used_how.unwrap_or_default(),
            p.used_ms.map(utc).unwrap_or_default(),
        ])
        .map_err(csv_error)?;
    }
    csv_bytes(out)
}

/// Let-downs and side switches as CSV, one row per mark.
pub fn marks_csv(diary: &Diary, filter: &Filter) -> Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(MARK_COLUMNS).map_err(csv_error)?;
    for row in all_rows(diary, filter)? {
        for mark in diary.marks_and_notes(row.session.id)?.0 {
            out.write_record([
                row.session.id.to_string(),
                mark.kind.to_string(),
                mark.side
                    .map(|s| format!("{s:?}").to_lowercase())
                    .unwrap_or_default(),
                utc(mark.at_ms),
                local(mark.at_ms, mark.offset_min),
                mark.offset_min.to_string(),
                (mark.active_ms / 1000).to_string(),
            ])
            .map_err(csv_error)?;
        }
    }
    csv_bytes(out)
}

/// Pumping entries for Baby Buddy's admin import: local times as
/// `YYYY-MM-DD HH:MM:SS`, the amount in the parent's unit.
pub fn baby_buddy_csv(
    diary: &Diary,
    filter: &Filter,
    child_id: u32,
    unit: Unit,
) -> Result<Vec<u8>> {
    if child_id == 0 {
        return Err(Error::Invalid(
            "Baby Buddy's child number is a whole number from 1 (see the child's page in Baby Buddy)."
                .into(),
        ));
    }
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(BABY_BUDDY_COLUMNS).map_err(csv_error)?;
    for row in all_rows(diary, filter)? {
        let s = &row.session;
        let amount = s.amount_total_ml.map(|ml| match unit {
            Unit::Ml => format!("{}", (ml * 10.0).round() / 10.0),
            Unit::Oz => format!("{}", (ml / crate::prefs::ML_PER_OZ * 100.0).round() / 100.0),
        });
        let mut notes = s.note.clone().unwrap_or_default();
        if !row.tags.is_empty() {
            if !notes.is_empty() {
                notes.push(' ');
            }
            let _ = write!(notes, "[{}]", row.tags.join(", "));
        }
        out.write_record([
            child_id.to_string(),
            amount.unwrap_or_default(),
            local(s.started_ms, s.started_offset_min),
            local(s.ended_ms.unwrap_or(s.started_ms), s.started_offset_min),
            notes,
        ])
        .map_err(csv_error)?;
    }
    csv_bytes(out)
}

/// The report: the whole file, and the part the app shows inside its window.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub html: String,
    pub body: String,
    pub title: String,
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}

fn or_dash(v: Option<String>) -> String {
    v.unwrap_or_else(|| "–".into())
}

/// The last `days` local days up to `to`, on one printable page.
pub fn report(
    diary: &Diary,
    to: NaiveDate,
    days: u32,
    prefs: &crate::prefs::Prefs,
    made: NaiveDate,
) -> Result<Report> {
    let (unit, baby_name, schedule) = (prefs.unit, prefs.baby_name.as_str(), &prefs.schedule);
    if ![7, 14, 30].contains(&days) {
        return Err(Error::Invalid("A report covers 7, 14 or 30 days.".into()));
    }
    let from = to - chrono::Duration::days(i64::from(days) - 1);
    let points = diary.points(from, to)?;
    let replaced = diary.replacements_in_days(from, to)?;
    let charts = charts::all(from, to, &points, unit, schedule.target_hours(), &replaced);
    let span = format!("{} – {}", from.format("%-d %b %Y"), to.format("%-d %b %Y"));
    let title = if baby_name.is_empty() {
        format!("Pumping report, {span}")
    } else {
        format!("Pumping report for {baby_name}’s milk, {span}")
    };
    let sum = |f: fn(&Point) -> Option<f64>| points.iter().filter_map(f).sum::<f64>();
    let amount = |v: Option<f64>| or_dash(v.map(|ml| unit.label(ml)));
    let with_first: Vec<f64> = points
        .iter()
        .filter_map(|p| p.first_letdown_ms.map(|ms| ms as f64 / 60_000.0))
        .collect();
    let intervals: Vec<f64> = points
        .iter()
        .filter_map(|p| p.interval_ms.map(|ms| ms as f64 / 3_600_000.0))
        .collect();
    let mut body = String::new();
    let _ = write!(
        body,
        r#"<header><h1>{}</h1><p>{} days · made with Letdown on {} · amounts in {}</p></header>"#,
        esc(&title),
        days,
        made.format("%-d %b %Y"),
        unit.name()
    );
    let summary = [
        ("Sessions", points.len().to_string()),
        (
            "Sessions per day",
            format!("{:.1}", points.len() as f64 / f64::from(days)),
        ),
        (
            "Time between sessions (average)",
            or_dash(mean(intervals.iter().copied()).map(charts::hours)),
        ),
        ("Total volume", amount(Some(sum(|p| p.total_ml)))),
        (
            "Volume per day (average)",
            amount(Some(sum(|p| p.total_ml) / f64::from(days))),
        ),
        ("Left side, total", amount(Some(sum(|p| p.left_ml)))),
        ("Right side, total", amount(Some(sum(|p| p.right_ml)))),
        (
            "Let-downs per session (average)",
            or_dash(mean(points.iter().map(|p| f64::from(p.letdowns))).map(|v| format!("{v:.1}"))),
        ),
        (
            "Time to first let-down (average)",
            or_dash(mean(with_first.iter().copied()).map(charts::minutes)),
        ),
        (
            "Comfort (1 sore – 5 comfortable, average)",
            or_dash(
                mean(points.iter().filter_map(|p| p.comfort.map(f64::from)))
                    .map(|v| format!("{v:.1}")),
            ),
        ),
    ];
    body.push_str(r#"<section class="summary"><h2>Summary</h2><dl>"#);
    for (name, value) in summary {
        let _ = write!(
            body,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(name),
            esc(&value)
        );
    }
    body.push_str("</dl></section>");
    body.push_str(r#"<section class="charts">"#);
    for (name, svg) in [
        ("Daily volume", &charts.daily_volume),
        ("Time to first let-down", &charts.first_letdown),
        ("Let-downs per session", &charts.letdowns),
        ("Time between sessions", &charts.intervals),
    ] {
        let _ = write!(
            body,
            "<figure><figcaption>{name}</figcaption>{svg}</figure>"
        );
    }
    body.push_str("</section>");
    // Day by day.
    let mut by_day: BTreeMap<NaiveDate, Vec<&Point>> = BTreeMap::new();
    for p in &points {
        by_day.entry(p.day).or_default().push(p);
    }
    body.push_str(
        r#"<section class="days"><h2>Day by day</h2><table><thead><tr><th scope="col">Day</th><th scope="col">Sessions (start)</th><th scope="col">Left</th><th scope="col">Right</th><th scope="col">Total</th><th scope="col">Let-downs</th></tr></thead><tbody>"#,
    );
    for day in charts::days_between(from, to).into_iter().rev() {
        let list = by_day.get(&day).map(Vec::as_slice).unwrap_or_default();
        let times: Vec<String> = list
            .iter()
            .map(|p| {
                local_time(p.started_ms, p.started_offset_min)
                    .format("%H:%M")
                    .to_string()
            })
            .collect();
        let side = |f: fn(&Point) -> Option<f64>| -> Option<f64> {
            let v: Vec<f64> = list.iter().filter_map(|p| f(p)).collect();
            (!v.is_empty()).then(|| v.iter().sum())
        };
        let _ = write!(
            body,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            day.format("%a %-d %b"),
            if times.is_empty() { "–".to_string() } else { format!("{} ({})", times.len(), times.join(", ")) },
            esc(&amount(side(|p| p.left_ml))),
            esc(&amount(side(|p| p.right_ml))),
            esc(&amount(side(|p| p.total_ml))),
            list.iter().map(|p| p.letdowns).sum::<u32>()
        );
    }
    body.push_str("</tbody></table></section>");
    schedule_section(&mut body, diary, schedule, from, to, &points)?;
    insights_section(&mut body, diary, to, days, unit, &points)?;
    pump_stash_section(&mut body, diary, &points, (from, to), prefs, made)?;
    // Routines used and notes.
    let mut routines: BTreeMap<&str, u32> = BTreeMap::new();
    for p in &points {
        *routines.entry(p.routine_name.as_str()).or_default() += 1;
    }
    body.push_str(r#"<section class="routines"><h2>Routines used</h2><ul>"#);
    for (name, count) in &routines {
        let _ = write!(body, "<li>{}: {count}</li>", esc(name));
    }
    if routines.is_empty() {
        body.push_str("<li>–</li>");
    }
    body.push_str(r#"</ul></section><section class="notes"><h2>Notes</h2><ul>"#);
    let mut any_note = false;
    for p in points.iter().filter(|p| p.note.is_some()) {
        any_note = true;
        let _ = write!(
            body,
            "<li><b>{}</b> {}</li>",
            local_time(p.started_ms, p.started_offset_min).format("%a %-d %b %H:%M"),
            esc(p.note.as_deref().unwrap_or_default())
        );
    }
    if !any_note {
        body.push_str("<li>No notes in these days.</li>");
    }
    body.push_str("</ul></section>");
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{}</style></head><body><main class=\"report\">{}</main></body></html>\n",
        esc(&title),
        REPORT_CSS,
        body
    );
    Ok(Report { html, body, title })
}

/// The pumps and settings used in the span, the parts replaced, and the
/// stash as of the day the report was made.
fn pump_stash_section(
    body: &mut String,
    diary: &Diary,
    points: &[Point],
    (from, to): (NaiveDate, NaiveDate),
    prefs: &crate::prefs::Prefs,
    made: NaiveDate,
) -> Result<()> {
    let unit = prefs.unit;
    let names = diary.pump_names()?;
    let mut used: BTreeMap<String, Vec<PumpSettings>> = BTreeMap::new();
    for p in points {
        if let Some(s) = PumpSettings::from_factors(&diary.session_factors(p.id)?) {
            let name = names.get(&s.pump_id).cloned().unwrap_or_default();
            used.entry(name).or_default().push(s);
        }
    }
    body.push_str(r#"<section class="pump"><h2>Pump and milk stash</h2><ul>"#);
    for (name, settings) in &used {
        let median = |f: fn(&PumpSettings) -> Option<u8>| {
            let mut v: Vec<u8> = settings.iter().filter_map(f).collect();
            v.sort_unstable();
            v.get(v.len() / 2).copied()
        };
        let levels: Vec<String> = [
            ("stimulation", median(|s| s.stimulation)),
            ("expression", median(|s| s.expression)),
            ("suction", median(|s| s.suction)),
        ]
        .iter()
        .filter_map(|(what, v)| v.map(|v| format!("{what} {v}")))
        .collect();
        let _ = write!(
            body,
            "<li>{}: {}{}</li>",
            esc(name),
            match settings.len() {
                1 => "1 session".to_string(),
                n => format!("{n} sessions"),
            },
            if levels.is_empty() {
                String::new()
            } else {
                format!(" (usual levels: {})", levels.join(", "))
            }
        );
    }
    for pump in diary.pumps()? {
        let flange = match (pump.spec.flange_left_mm, pump.spec.flange_right_mm) {
            (Some(l), Some(r)) if l != r => format!("flanges {l} mm left, {r} mm right"),
            (Some(l), _) => format!("flange {l} mm"),
            _ => continue,
        };
        let _ = write!(body, "<li>{}: {}</li>", esc(&pump.spec.name), flange);
    }
    for r in diary.replacements_in_days(from, to)? {
        let _ = write!(
            body,
            "<li>Replaced the {} of {} on {}</li>",
            esc(&r.part.to_lowercase()),
            esc(&r.pump),
            local_time(r.at_ms, r.offset_min).format("%a %-d %b")
        );
    }
    let noon = made
        .and_hms_opt(12, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis();
    let stash = diary.stash(noon, &prefs.keeping)?;
    let supply = stash
        .days_of_supply
        .map(|d| {
            format!(
                ", about {d:.1} days at {} a day",
                unit.label(f64::from(stash.daily_need_ml))
            )
        })
        .unwrap_or_default();
    let room = if stash.room_ml > 0.0 {
        format!(", {} at room temperature", unit.label(stash.room_ml))
    } else {
        String::new()
    };
    let _ = write!(
        body,
        "<li>Stash on {}: {} in the fridge, {} in the freezer{}{}</li></ul></section>",
        made.format("%-d %b %Y"),
        esc(&unit.label(stash.fridge_ml)),
        esc(&unit.label(stash.freezer_ml)),
        esc(&room),
        esc(&supply)
    );
    Ok(())
}

/// The schedule and how often it was kept, when the parent has one.
fn schedule_section(
    body: &mut String,
    diary: &Diary,
    schedule: &crate::schedule::Schedule,
    from: NaiveDate,
    to: NaiveDate,
    points: &[Point],
) -> Result<()> {
    if schedule.kind == crate::schedule::Kind::Off {
        return Ok(());
    }
    let offset_min = points.last().map_or(0, |p| p.started_offset_min);
    let zone = chrono::FixedOffset::east_opt(offset_min * 60)
        .unwrap_or_else(|| chrono::Offset::fix(&chrono::Utc));
    let start = |day: NaiveDate| {
        day.and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_local_timezone(zone)
            .single()
            .map(|t| t.to_utc())
            .unwrap_or_default()
    };
    // Due times still ahead (the report is usually made today) are not missed.
    let end = start(to + chrono::Duration::days(1)).min(chrono::Utc::now());
    let begin = start(from);
    let day = chrono::Duration::days(1);
    let sessions: Vec<_> = diary
        .session_times_between((begin - day).timestamp_millis(), end.timestamp_millis())?
        .into_iter()
        .filter_map(|(s, e)| {
            Some((
                chrono::DateTime::from_timestamp_millis(s)?,
                chrono::DateTime::from_timestamp_millis(e)?,
            ))
        })
        .collect();
    let kept = schedule.kept(&sessions, begin, end, &zone);
    let _ = write!(
        body,
        r#"<section class="schedule"><h2>Schedule</h2><p>{}. Due times in these days: {} on time, {} within 30 minutes, {} missed.</p></section>"#,
        esc(&schedule.describe()),
        kept.on_time,
        kept.within_30,
        kept.missed
    );
    Ok(())
}

/// "What works for you" and the let-down pattern, with their counts, over
/// the shortest window the app offers that covers the report's days.
fn insights_section(
    body: &mut String,
    diary: &Diary,
    to: NaiveDate,
    days: u32,
    unit: Unit,
    points: &[Point],
) -> Result<()> {
    let weeks = match days {
        0..=14 => 2,
        15..=28 => 4,
        _ => 8,
    };
    let offset = points.last().map_or(0, |p| p.started_offset_min);
    let end_ms = (to + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp_millis()
        - i64::from(offset) * 60_000;
    let view = crate::insights::insights(diary, weeks, end_ms - 1, unit)?;
    let _ = write!(
        body,
        r#"<section class="insights"><h2>What went with sooner let-downs and more milk (last {weeks} weeks, {} sessions)</h2><p>{}</p>{}<ul>"#,
        view.sessions,
        esc(&view.pattern_sentence),
        view.pattern_picture
    );
    for f in &view.findings {
        let _ = write!(body, "<li>{} ({})</li>", esc(&f.sentence), f.sureness);
    }
    if view.findings.is_empty() {
        let none = view.too_early.as_deref().unwrap_or(
            "No clear difference yet between sessions with and without any of the things recorded.",
        );
        let _ = write!(body, "<li>{}</li>", esc(none));
    }
    body.push_str("</ul><p class=\"hint\">Each finding compares sessions at the same time of day, and is said only when it is clear across everything compared. It describes what went together, not what caused what.</p></section>");
    Ok(())
}

/// Writes `bytes` to `path`: through a temporary file in the same folder,
/// flushed to disk, then moved into place. Refuses to replace an existing
/// file unless `replace` is set.
pub fn write_file(path: &Path, bytes: &[u8], replace: bool) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| d.is_dir())
        .ok_or_else(|| Error::Export("That folder does not exist any more.".into()))?;
    if !replace && path.exists() {
        return Err(Error::FileExists);
    }
    let io = |e: std::io::Error| Error::Export(plain_io(&e));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if replace {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        tmp.persist_noclobber(path)
            .map_err(|e| match e.error.kind() {
                std::io::ErrorKind::AlreadyExists => Error::FileExists,
                _ => io(e.error),
            })?;
    }
    Ok(())
}

fn plain_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        StorageFull | QuotaExceeded => "The disk is full, so the file was not saved. Free some space or choose another place.".into(),
        PermissionDenied | ReadOnlyFilesystem => "Letdown is not allowed to save in that folder. Choose another place, such as your Documents folder.".into(),
        _ => format!("The file could not be saved ({e}). Choose another place and try again."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::fixture::{add, S};

    fn diary() -> (Diary, Vec<i64>) {
        let mut d = Diary::open_in_memory().unwrap();
        let ids = vec![
            add(
                &mut d,
                S {
                    start: "2026-03-01T07:05:00",
                    offset_min: 60,
                    tags: &["work", "calm"],
                    note: Some("tea, then \"quiet\"\nroom"),
                    ..S::default()
                },
            ),
            add(
                &mut d,
                S {
                    start: "2026-03-01T23:50:00",
                    offset_min: 60,
                    minutes: 25,
                    left: Some(33.3),
                    right: None,
                    letdowns_s: &[],
                    ..S::default()
                },
            ),
            add(
                &mut d,
                S {
                    start: "2026-03-02T06:00:00",
                    offset_min: -300,
                    ..S::default()
                },
            ),
        ];
        (d, ids)
    }

    #[test]
    fn pump_settings_milk_and_the_stash_are_exported_and_reported() {
        let (mut d, ids) = diary();
        let spec = crate::pump::PumpSpec {
            name: "Work, \"pump\"".into(),
            double: true,
            flange_left_mm: Some(24.0),
            flange_right_mm: Some(21.0),
            levels: crate::pump::Levels::Two,
            stimulation: Some(5),
            expression: Some(7),
            suction: None,
        };
        let pump = d.save_pump(None, spec, 0).unwrap();
        let settings = PumpSettings {
            pump_id: pump,
            stimulation: Some(4),
            expression: Some(8),
            suction: None,
            expression_from_s: Some(95),
        };
        d.set_session_pump(ids[0], &settings).unwrap();
        // The first session's 90 ml: 60 frozen (labelled), 30 fed.
        let pumped: i64 = d
            .conn()
            .query_row(
                "SELECT ended_ms FROM sessions WHERE id = ?1",
                [ids[0]],
                |r| r.get(0),
            )
            .unwrap();
        let shares = [
            crate::stash::Share {
                place: Place::Freezer,
                amount_ml: 60.0,
                label: Some("bag, 3".into()),
            },
            crate::stash::Share {
                place: Place::Fed,
                amount_ml: 30.0,
                label: None,
            },
        ];
        let tx = d.connection().transaction().unwrap();
        crate::stash::insert_milk(&tx, ids[0], &shares, pumped, &Default::default()).unwrap();
        tx.commit().unwrap();

        let bytes = sessions_csv(&d, &Filter::default()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let column = |name: &str| SESSION_COLUMNS.iter().position(|c| *c == name).unwrap();
        let first = records.iter().find(|r| r[0] == ids[0].to_string()).unwrap();
        let got: Vec<&str> = [
            "pump",
            "stimulation",
            "expression",
            "suction",
            "expression_from_s",
            "fridge_ml",
            "freezer_ml",
            "fed_ml",
            "discarded_ml",
            "room_ml",
        ]
        .iter()
        .map(|c| &first[column(c)])
        .collect();
        assert_eq!(
            got,
            ["Work, \"pump\"", "4", "8", "", "95", "", "60", "30", "", ""]
        );
        let other = records.iter().find(|r| r[0] == ids[1].to_string()).unwrap();
        assert_eq!(&other[column("pump")], "", "no pump recorded");

        let bytes = stash_csv(&d).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap(), STASH_COLUMNS.as_slice());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1, "only stored milk");
        let get = |name: &str| &rows[0][STASH_COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(
            (get("place"), get("amount_ml"), get("label")),
            ("freezer", "60", "bag, 3")
        );
        assert_eq!(get("pumped_local"), "2026-03-01 07:25:00");
        assert_eq!(get("use_by_utc"), "2026-09-01T06:25:00Z", "6 months on");

        let to = "2026-03-07".parse().unwrap();
        let report = report(&d, to, 7, &prefs(Unit::Ml, ""), to).unwrap();
        let html = &report.html;
        assert!(
            html.contains(
                "Work, &quot;pump&quot;: 1 session (usual levels: stimulation 4, expression 8)"
            ),
            "{html}"
        );
        assert!(html.contains("flanges 24 mm left, 21 mm right"), "{html}");
        assert!(
            html.contains("Stash on 7 Mar 2026: 0 ml in the fridge, 60 ml in the freezer"),
            "{html}"
        );
    }

    #[test]
    fn sessions_csv_reads_back_as_the_same_sessions() {
        let (d, _) = diary();
        let bytes = sessions_csv(&d, &Filter::default()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap(), SESSION_COLUMNS.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let rows = d.list_page(&Filter::default(), None, 100).unwrap().rows;
        assert_eq!(records.len(), rows.len());
        for (record, row) in records.iter().zip(&rows) {
            let s = &row.session;
            let get =
                |name: &str| &record[SESSION_COLUMNS.iter().position(|c| *c == name).unwrap()];
            assert_eq!(get("id").parse::<i64>().unwrap(), s.id);
            let start = DateTime::parse_from_rfc3339(get("start_utc")).unwrap();
            assert_eq!(start.timestamp_millis(), s.started_ms);
            assert_eq!(
                get("utc_offset_min").parse::<i32>().unwrap(),
                s.started_offset_min
            );
            let parse = |v: &str| (!v.is_empty()).then(|| v.parse::<f64>().unwrap());
            assert_eq!(parse(get("left_ml")), s.amount_left_ml);
            assert_eq!(parse(get("right_ml")), s.amount_right_ml);
            assert_eq!(parse(get("total_ml")), s.amount_total_ml);
            assert_eq!(get("letdowns").parse::<u32>().unwrap(), s.letdown_count);
            assert_eq!(get("tags"), row.tags.join(";"));
            assert_eq!(get("note"), s.note.clone().unwrap_or_default());
        }
        // Local time is the time where the parent was: 07:05 in UTC+1 is 06:05 UTC.
        let last = &records[2];
        assert_eq!(&last[1], "2026-03-01T06:05:00Z");
        assert_eq!(&last[2], "2026-03-01 07:05:00");
        assert_eq!(&last[6], "20");
    }

    #[test]
    fn marks_csv_has_every_let_down_and_side_switch() {
        let (d, ids) = diary();
        let bytes = marks_csv(&d, &Filter::default()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        assert_eq!(reader.headers().unwrap(), MARK_COLUMNS.as_slice());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        // 2 let-downs + 2 sides, 0 + 2, 2 + 2.
        assert_eq!(records.len(), 10);
        let first: Vec<&str> = records
            .iter()
            .filter(|r| r[0] == ids[0].to_string())
            .map(|r| &r[1])
            .collect();
        assert_eq!(first, ["let_down", "side", "let_down", "side"]);
        let side = records.iter().find(|r| &r[1] == "side").unwrap();
        assert!(["left", "right"].contains(&&side[2]));
        let letdown = records.iter().find(|r| r[0] == ids[0].to_string()).unwrap();
        assert_eq!(&letdown[3], "2026-03-01T06:07:30Z");
        assert_eq!(&letdown[4], "2026-03-01 07:07:30");
        assert_eq!(&letdown[6], "150");
    }

    #[test]
    fn baby_buddy_file_has_exactly_its_import_columns_and_formats() {
        let (d, ids) = diary();
        let bytes = baby_buddy_csv(&d, &Filter::default(), 3, Unit::Ml).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("child_id,amount,start,end,notes"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), ids.len());
        let midnight = &records[1];
        assert_eq!(
            midnight.iter().collect::<Vec<_>>(),
            [
                "3",
                "33.3",
                "2026-03-01 23:50:00",
                "2026-03-02 00:15:00",
                ""
            ]
        );
        assert_eq!(&records[2][4], "tea, then \"quiet\"\nroom [calm, work]");
        for r in &records {
            chrono::NaiveDateTime::parse_from_str(&r[2], "%Y-%m-%d %H:%M:%S").unwrap();
            chrono::NaiveDateTime::parse_from_str(&r[3], "%Y-%m-%d %H:%M:%S").unwrap();
        }
        let oz = baby_buddy_csv(&d, &Filter::default(), 3, Unit::Oz).unwrap();
        let oz = String::from_utf8(oz).unwrap();
        assert!(oz.contains("\n3,3.04,2026-03-02 06:00:00,"), "{oz}");
        assert!(matches!(
            baby_buddy_csv(&d, &Filter::default(), 0, Unit::Ml),
            Err(Error::Invalid(_))
        ));
    }

    fn prefs(unit: Unit, baby_name: &str) -> crate::prefs::Prefs {
        crate::prefs::Prefs {
            unit,
            baby_name: baby_name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_report_states_the_schedule_and_how_often_it_was_kept() {
        let mut d = Diary::open_in_memory().unwrap();
        // Monday 2 March 2026: 8:00, then 11:10 (due 11:20) and 14:50 (due 14:30).
        for start in [
            "2026-03-02T08:00:00",
            "2026-03-02T11:10:00",
            "2026-03-02T14:50:00",
        ] {
            add(
                &mut d,
                S {
                    start,
                    ..S::default()
                },
            );
        }
        let schedule = crate::schedule::Schedule {
            kind: crate::schedule::Kind::Every,
            ..Default::default()
        };
        let to: NaiveDate = "2026-03-03".parse().unwrap();
        let r = report(
            &d,
            to,
            7,
            &crate::prefs::Prefs {
                schedule,
                ..Default::default()
            },
            to,
        )
        .unwrap();
        // Tuesday's 8:30, 11:30 and 14:30 had no session.
        assert!(
            r.body.contains("<h2>Schedule</h2><p>Every 3 h 00 min, Mon–Fri, 08:30–17:30. Due times in these days: 1 on time, 1 within 30 minutes, 3 missed.</p>"),
            "{}",
            r.body
        );
        assert!(
            r.body.contains(r#"<line class="target""#),
            "the aim on the interval chart"
        );
        let none = report(&d, to, 7, &Default::default(), to).unwrap();
        assert!(
            !none.body.contains("<h2>Schedule</h2>") && !none.body.contains("class=\"target\"")
        );
    }

    #[test]
    fn the_report_sums_the_span_and_escapes_what_was_typed() {
        let mut d = Diary::open_in_memory().unwrap();
        add(
            &mut d,
            S {
                start: "2026-03-01T08:00:00",
                note: Some("<script>alert(1)</script>"),
                ..S::default()
            },
        );
        add(
            &mut d,
            S {
                start: "2026-03-02T08:00:00",
                left: Some(30.0),
                right: Some(30.0),
                letdowns_s: &[300],
                ..S::default()
            },
        );
        // Outside the 7 days: not counted, but the first interval is from it.
        add(
            &mut d,
            S {
                start: "2026-02-28T20:00:00",
                left: Some(999.0),
                ..S::default()
            },
        );
        let to: NaiveDate = "2026-03-07".parse().unwrap();
        let r = report(&d, to, 7, &prefs(Unit::Ml, "Mia"), to).unwrap();
        assert!(r.title.contains("Mia"));
        assert!(r.body.contains("<dt>Sessions</dt><dd>2</dd>"), "{}", r.body);
        assert!(r.body.contains("<dt>Total volume</dt><dd>150 ml</dd>"));
        assert!(r.body.contains("<dt>Left side, total</dt><dd>80 ml</dd>"));
        assert!(r
            .body
            .contains("<dt>Time between sessions (average)</dt><dd>18 h 00 min</dd>"));
        assert!(r
            .body
            .contains("<dt>Let-downs per session (average)</dt><dd>1.5</dd>"));
        // First let-downs at 2:30 and 5:00.
        assert!(r
            .body
            .contains("<dt>Time to first let-down (average)</dt><dd>3 min 45 s</dd>"));
        assert!(r.body.contains("&lt;script&gt;"));
        assert!(!r.html.contains("<script"));
        assert!(r.html.starts_with("<!doctype html>"));
        assert!(r.html.contains(".report"), "the stylesheet is inlined");
        let oz = report(&d, to, 7, &prefs(Unit::Oz, ""), to).unwrap();
        assert!(
            oz.body.contains("<dt>Total volume</dt><dd>5.1 oz</dd>"),
            "{}",
            oz.body
        );
        assert!(report(&d, to, 10, &prefs(Unit::Ml, ""), to).is_err());
        let empty = report(
            &Diary::open_in_memory().unwrap(),
            to,
            7,
            &Default::default(),
            to,
        )
        .unwrap();
        assert!(
            empty.body.contains("<dt>Total volume</dt><dd>0 ml</dd>"),
            "{}",
            empty.body
        );
        assert!(!empty.body.contains("-0"));
    }

    #[test]
    fn a_file_is_never_replaced_unless_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sessions.csv");
        write_file(&path, b"first", false).unwrap();
        assert!(matches!(
            write_file(&path, b"second", false),
            Err(Error::FileExists)
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        write_file(&path, b"second", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let gone = dir.path().join("no/such/folder.csv");
        assert!(matches!(
            write_file(&gone, b"x", false),
            Err(Error::Export(_))
        ));
        // Nothing temporary is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
