//! The IPC surface: thin functions that validate input, call the domain and map errors.
//! Every command here must also be listed in build.rs and allowed in capabilities/.

pub mod diary;
pub mod media;
pub mod prefs;
pub mod session;
pub mod sound;

use std::path::PathBuf;

use serde::Serialize;
use tauri::{AppHandle, Manager, Runtime};

use crate::error::{Error, Result};

#[derive(Debug, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    /// Where the diary and media are kept, shown so a parent can back them up.
    pub data_dir: String,
    /// Something the parent must know as the window opens (a damaged diary
    /// kept aside and repaired, or one that could not be opened), in plain words.
    pub notice: Option<String>,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> Result<AppInfo> {
    let notice = app
        .try_state::<crate::state::AppState>()
        .and_then(|s| s.notice());
    let data_dir = app
        .path()
        .app_data_dir()
        .map_err(|e| Error::DataDir(e.to_string()))?;
    Ok(AppInfo {
        name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        data_dir: data_dir.display().to_string(),
        notice,
    })
}

/// The UI calls this once the calm screen is painted with the photo. With
/// `LETDOWN_REPORT_READY` set it prints `ready` so the performance harness
/// (`scripts/bench-vs-baseline.sh`) can time start-up from outside; otherwise
/// it does nothing.
#[tauri::command]
pub fn ui_ready() {
    if std::env::var_os("LETDOWN_REPORT_READY").is_some() {
        println!("ready");
    }
}

/// A path the file dialog or a drop handed over: absolute and of sane length.
pub fn picked_path(path: &str, what: &str) -> Result<PathBuf> {
    let source = PathBuf::from(path);
    if path.len() > 4096 || !source.is_absolute() {
        return Err(Error::BadFile(format!("Please choose a {what} file.")));
    }
    Ok(source)
}
