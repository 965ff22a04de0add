//! Writes a generated diary for end-to-end tests and the diary list
//! measurement: `seed_diary <diary file> <sessions> [offset min] [planted [scale]]`.
//! The newest session ends now. With `planted`, the diary of
//! `letdown::seed::planted` (a warm-up that goes with a sooner let-down),
//! its times within each session multiplied by `scale`; else `letdown::seed::generate`.

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: seed_diary <diary file> <sessions> [offset min] [planted [scale]]");
    let sessions: i64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a number of sessions");
    let offset: i32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let planted = args.next().is_some_and(|a| a == "planted");
    let scale: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).expect("make the data folder");
    }
    let mut diary = letdown::diary::Diary::open(std::path::Path::new(&path)).expect("open diary");
    let now = chrono::Utc::now().timestamp_millis();
    if planted {
        letdown::seed::planted(&mut diary, sessions, now, offset, scale).expect("write sessions");
    } else {
        letdown::seed::generate(&mut diary, sessions, now, offset).expect("write sessions");
    }
    println!("{sessions} sessions in {path}");
}
