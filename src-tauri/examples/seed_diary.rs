//! Writes a generated diary (see `letdown::seed`) for end-to-end tests and
//! the diary list measurement: `seed_diary <diary file> <sessions> [offset min]`.
//! The newest session ends now.

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .expect("usage: seed_diary <diary file> <sessions> [offset min]");
    let sessions: i64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a number of sessions");
    let offset: i32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    if let Some(dir) = std::path::Path::new(&path).parent() {
        std::fs::create_dir_all(dir).expect("make the data folder");
    }
    let mut diary = letdown::diary::Diary::open(std::path::Path::new(&path)).expect("open diary");
    let now = chrono::Utc::now().timestamp_millis();
    letdown::seed::generate(&mut diary, sessions, now, offset).expect("write sessions");
    println!("{sessions} sessions in {path}");
}
