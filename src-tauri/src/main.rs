// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Started as the media probe: decode one file and exit (probe.rs).
    letdown::probe::serve_if_asked();
    letdown::run();
}
