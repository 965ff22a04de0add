//! Commands for browsing the diary, editing and deleting finished sessions,
//! the charts, and exports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tauri::{Runtime, State, Webview};

use crate::charts::{self, Charts};
use crate::error::{Error, Result};
use crate::export::{self, Report};
use crate::history::{Cursor, Detail, Edit, Filter, Page, PAGE_SIZE};
use crate::state::AppState;

#[tauri::command]
pub fn diary_page(
    state: State<'_, AppState>,
    filter: Filter,
    after: Option<Cursor>,
) -> Result<Page> {
    state.lock()?.diary().list_page(&filter, after, PAGE_SIZE)
}

#[tauri::command]
pub fn diary_tags(state: State<'_, AppState>) -> Result<Vec<String>> {
    state.lock()?.diary().all_tags()
}

#[tauri::command]
pub fn session_detail(state: State<'_, AppState>, id: i64) -> Result<Detail> {
    state.lock()?.diary().detail(id)
}

#[tauri::command]
pub fn edit_session(state: State<'_, AppState>, id: i64, edit: Edit) -> Result<Detail> {
    state.lock()?.diary_mut().edit_session(id, edit)
}

#[tauri::command]
pub fn delete_session(
    state: State<'_, AppState>,
    id: i64,
    milk: Option<crate::stash::MilkOnDelete>,
) -> Result<()> {
    let now = chrono::Utc::now().timestamp_millis();
    state
        .lock()?
        .diary_mut()
        .delete_session_with_milk(id, now, milk.unwrap_or_default())
}

#[tauri::command]
pub fn undelete_session(state: State<'_, AppState>, id: i64) -> Result<()> {
    state.lock()?.diary_mut().undelete_session(id)
}

#[derive(Debug, Serialize)]
pub struct Span {
    #[serde(flatten)]
    pub charts: Charts,
    pub sessions: usize,
}

/// The four charts for local days `from..=to`, in the parent's unit.
#[tauri::command]
pub fn diary_charts(state: State<'_, AppState>, from: NaiveDate, to: NaiveDate) -> Result<Span> {
    let prefs = state.prefs();
    let (points, replaced) = {
        let engine = state.lock()?;
        let d = engine.diary();
        (d.points(from, to)?, d.replacements_in_days(from, to)?)
    };
    Ok(Span {
        charts: charts::all(
            from,
            to,
            &points,
            prefs.unit,
            prefs.schedule.target_hours(),
            &replaced,
        ),
        sessions: points.len(),
    })
}

/// "What works for you" over the last `weeks` weeks.
#[tauri::command]
pub fn diary_insights(state: State<'_, AppState>, weeks: u32) -> Result<crate::insights::Insights> {
    let unit = state.prefs().unit;
    let now = chrono::Utc::now().timestamp_millis();
    crate::insights::insights(state.lock()?.diary(), weeks, now, unit)
}

/// The report of the last `days` days up to `to` (the parent's today), to show and print.
#[tauri::command]
pub fn diary_report(state: State<'_, AppState>, to: NaiveDate, days: u32) -> Result<Report> {
    let today = chrono::Local::now().date_naive();
    // Read before the lock: `prefs` takes the same lock.
    let prefs = state.prefs();
    export::report(state.lock()?.diary(), to, days, &prefs, today)
}

/// Opens the system's print dialog for the window, which prints the report
/// alone (its print stylesheet); "Print to File" there makes a PDF.
#[tauri::command]
pub fn print_report<R: Runtime>(webview: Webview<R>) -> Result<()> {
    webview
        .print()
        .map_err(|e| Error::Export(format!("The print dialog could not be opened ({e}).")))
}

/// What to export.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Export {
    Sessions {
        #[serde(default)]
        filter: Filter,
    },
    Marks {
        #[serde(default)]
        filter: Filter,
    },
    BabyBuddy {
        #[serde(default)]
        filter: Filter,
        child_id: u32,
    },
    Report {
        to: NaiveDate,
        days: u32,
    },
    Stash,
}

/// Writes an export to the path the save dialog returned. `replace` is only
/// set once the parent has agreed to replace an existing file.
#[tauri::command]
pub async fn export_diary(
    state: State<'_, AppState>,
    export: Export,
    path: String,
    replace: bool,
) -> Result<()> {
    let path = super::picked_path(&path, "destination")?;
    let prefs = state.prefs();
    let bytes = {
        let engine = state.lock()?;
        let diary = engine.diary();
        match export {
            Export::Sessions { filter } => export::sessions_csv(diary, &filter)?,
            Export::Marks { filter } => export::marks_csv(diary, &filter)?,
            Export::Stash => export::stash_csv(diary)?,
            Export::BabyBuddy { filter, child_id } => {
                export::baby_buddy_csv(diary, &filter, child_id, prefs.unit)?
            }
            Export::Report { to, days } => {
                let today = chrono::Local::now().date_naive();
                export::report(diary, to, days, &prefs, today)?
                    .html
                    .into_bytes()
            }
        }
    };
    export::write_file(&path, &bytes, replace)
}
