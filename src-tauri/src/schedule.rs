//! The pumping schedule: every few hours from the last session, or at fixed
//! times of day, only on chosen days and between chosen hours. Pure: the
//! clock and the time zone are passed in, so daylight-saving changes, a
//! clock set back and a laptop asleep across a due time are all tested.
//!
//! Only when the next session is due; whether and how to remind is the
//! caller's (never during a session, in discreet mode, or twice).

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Off,
    /// Every `every_min` minutes from the end of the last session.
    Every,
    /// At each of `times`.
    Times,
}

/// The parent's schedule, as kept in the diary's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    pub kind: Kind,
    pub every_min: u32,
    pub times: Vec<NaiveTime>,
    /// Monday first.
    pub days: [bool; 7],
    /// Reminders only from `from` to `to`, local time; `to` at 0:00 is
    /// midnight, so 0:00 to 0:00 is the whole day.
    pub from: NaiveTime,
    pub to: NaiveTime,
}

pub const EVERY_CHOICES: std::ops::RangeInclusive<u32> = 120..=240;
pub const EVERY_STEP: u32 = 15;
pub const MAX_TIMES: usize = 12;
/// A fixed time is kept by a session that started up to this long before it.
pub const EARLY_MIN: i64 = 30;

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

impl Default for Schedule {
    /// Off; when turned on, every 3 hours on work days, 8:30 to 17:30.
    fn default() -> Self {
        Schedule {
            kind: Kind::Off,
            every_min: 180,
            times: vec![hm(10, 0), hm(13, 0), hm(16, 0)],
            days: [true, true, true, true, true, false, false],
            from: hm(8, 30),
            to: hm(17, 30),
        }
    }
}

impl Schedule {
    /// Checks a schedule the parent set; times are sorted and repeats dropped.
    pub fn validated(mut self) -> Result<Schedule> {
        if !EVERY_CHOICES.contains(&self.every_min) || !self.every_min.is_multiple_of(EVERY_STEP) {
            return Err(Error::Invalid(
                "Choose every 2 to 4 hours, in steps of 15 minutes.".into(),
            ));
        }
        self.times.sort();
        self.times.dedup();
        if self.times.len() > MAX_TIMES {
            return Err(Error::Invalid(format!(
                "At most {MAX_TIMES} times a day, please."
            )));
        }
        if self.kind == Kind::Times && self.times.is_empty() {
            return Err(Error::Invalid("Add at least one time of day.".into()));
        }
        if self.from >= self.to && self.to != NaiveTime::MIN {
            return Err(Error::Invalid(
                "The hours must start before they end, like 8:30 to 17:30.".into(),
            ));
        }
        if self.kind != Kind::Off && !self.days.contains(&true) {
            return Err(Error::Invalid("Choose at least one day.".into()));
        }
        Ok(self)
    }

    fn allowed_day(&self, day: NaiveDate) -> bool {
        self.days[day.weekday().num_days_from_monday() as usize]
    }

    fn allowed<Tz: TimeZone>(&self, at: DateTime<Utc>, tz: &Tz) -> bool {
        let local = at.with_timezone(tz).naive_local();
        let t = local.time();
        self.allowed_day(local.date())
            && t >= self.from
            && (t < self.to || self.to == NaiveTime::MIN)
    }

    /// When the next session is due: at or after `at` (the candidate), the
    /// first instant inside the chosen days and hours.
    fn within_hours<Tz: TimeZone>(&self, at: DateTime<Utc>, tz: &Tz) -> Option<DateTime<Utc>> {
        if self.allowed(at, tz) {
            return Some(at);
        }
        let local = at.with_timezone(tz).naive_local();
        (0..=7)
            .map(|d| local.date() + Duration::days(d))
            .filter(|day| self.allowed_day(*day))
            .map(|day| instant(tz, day, self.from))
            .find(|start| *start > at)
    }

    /// The next due time after the last session (`last`: when it started and
    /// ended), or `None` with the schedule off or nothing to count from.
    /// `now` only anchors fixed times when there has been no session.
    pub fn next_due<Tz: TimeZone>(
        &self,
        last: Option<(DateTime<Utc>, DateTime<Utc>)>,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Option<DateTime<Utc>> {
        match self.kind {
            Kind::Off => None,
            Kind::Every => {
                let (_, ended) = last?;
                // Elapsed time, not wall-clock time: a DST change moves nothing.
                let at = ended + Duration::minutes(i64::from(self.every_min));
                self.within_hours(at, tz)
            }
            Kind::Times => {
                // A session that started a little before a time keeps it.
                let after = last.map_or(now, |(started, ended)| {
                    ended.max(started + Duration::minutes(EARLY_MIN))
                });
                let local_day = after.with_timezone(tz).date_naive();
                (0..=8)
                    .map(|d| local_day + Duration::days(d))
                    .filter(|day| self.allowed_day(*day))
                    .flat_map(|day| self.times.iter().map(move |t| (day, *t)))
                    .map(|(day, t)| instant(tz, day, t))
                    .filter(|at| *at > after && self.allowed(*at, tz))
                    .min()
            }
        }
    }
}

/// How well the schedule was kept over some days.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// A session began within 15 minutes of the due time (or before it).
    pub on_time: u32,
    /// Within 30 minutes.
    pub within_30: u32,
    /// No session by 30 minutes after the due time.
    pub missed: u32,
}

impl Schedule {
    /// The schedule in words: "every 3 h 00 min, Mon–Fri, 08:30–17:30".
    pub fn describe(&self) -> String {
        let what = match self.kind {
            Kind::Off => return "No schedule".into(),
            Kind::Every => format!(
                "Every {}",
                crate::charts::hours(f64::from(self.every_min) / 60.0)
            ),
            Kind::Times => format!(
                "At {}",
                self.times
                    .iter()
                    .map(|t| t.format("%H:%M").to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let days = match self.days {
            [true, true, true, true, true, false, false] => "Mon–Fri".to_string(),
            d if d == [true; 7] => "every day".to_string(),
            d => (0..7)
                .filter(|&i| d[i])
                .map(|i| NAMES[i])
                .collect::<Vec<_>>()
                .join(", "),
        };
        let hours = if self.from == NaiveTime::MIN && self.to == NaiveTime::MIN {
            "all day".to_string()
        } else {
            format!("{}–{}", self.from.format("%H:%M"), self.to.format("%H:%M"))
        };
        format!("{what}, {days}, {hours}")
    }

    /// The interval the schedule aims at, in hours, for the interval chart:
    /// the chosen one, or the average gap between the fixed times.
    pub fn target_hours(&self) -> Option<f64> {
        match self.kind {
            Kind::Off => None,
            Kind::Every => Some(f64::from(self.every_min) / 60.0),
            Kind::Times => {
                let (first, last) = (self.times.first()?, self.times.last()?);
                let n = self.times.len().checked_sub(1).filter(|n| *n > 0)?;
                Some((*last - *first).num_minutes() as f64 / 60.0 / n as f64)
            }
        }
    }

    /// Each due time in `[from, to)` against the sessions (start, end),
    /// oldest first: kept on time, within 30 minutes, or missed.
    pub fn kept<Tz: TimeZone>(
        &self,
        sessions: &[(DateTime<Utc>, DateTime<Utc>)],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: &Tz,
    ) -> Kept {
        let mut kept = Kept::default();
        // "Every N hours" counts from a session: the one before the days,
        // else their first. Fixed times count from the days' start.
        let before = sessions.iter().rev().find(|(s, _)| *s < from).copied();
        let mut last = match self.kind {
            Kind::Every => before.or_else(|| sessions.first().copied()),
            _ => before,
        };
        let mut now = from;
        for _ in 0..10_000 {
            let Some(due) = self.next_due(last, now, tz).filter(|d| *d < to) else {
                break;
            };
            // The first session to begin after the one the due time counts
            // from, and not long before the due time (that one kept another).
            let after = last.map_or(from, |(s, _)| s);
            let early = due - Duration::minutes(EARLY_MIN);
            let next = sessions
                .iter()
                .find(|(s, _)| *s > after && *s >= early)
                .copied();
            let late = next.map(|(s, _)| (s - due).num_minutes());
            match late {
                Some(m) if m <= 15 => kept.on_time += 1,
                Some(m) if m <= 30 => kept.within_30 += 1,
                _ => kept.missed += 1,
            }
            last = match (next, late) {
                // Kept: count on from the session (or the due time, if later).
                (Some(session), Some(m)) if m <= 30 && session.1 > due => Some(session),
                // Missed, or kept early: count on from the due time.
                _ => Some((early, due)),
            };
            now = due;
        }
        kept
    }
}

/// What the reminder knows besides the diary: the due time it last handled
/// (reminded, or let pass), a snooze, and a "pause reminders today".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Reminders {
    pub handled: Option<DateTime<Utc>>,
    pub snoozed_until: Option<DateTime<Utc>>,
    pub paused_on: Option<NaiveDate>,
}

impl Reminders {
    /// A reminder shown or let pass at `now`: the next is counted from it.
    pub fn handle(&mut self, now: DateTime<Utc>) {
        self.handled = Some(now);
        self.snoozed_until = None;
    }
}

/// What the reminder thread does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing is due: look again at this time (or when something changes).
    Wait(Option<DateTime<Utc>>),
    /// Show the reminder for this due time (or this snooze's end).
    Remind(DateTime<Utc>),
    /// Let this due time pass quietly: in a session, in discreet mode,
    /// paused for today, or outside the chosen hours.
    Skip(DateTime<Utc>),
}

impl Schedule {
    /// The next due time counted from the later of the last session and the
    /// last due time handled: a reminder shown or let pass is never shown
    /// again, and a laptop that slept through several gets one on waking.
    pub fn next_reminder<Tz: TimeZone>(
        &self,
        last: Option<(DateTime<Utc>, DateTime<Utc>)>,
        handled: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Option<DateTime<Utc>> {
        // A handled reminder is not a session: no fixed time near it is "kept".
        let handled = handled.map(|h| (h - Duration::minutes(EARLY_MIN), h));
        let anchor = match (last, handled) {
            (Some((_, ended)), Some(h)) if h.1 > ended => Some(h),
            (None, h) => h,
            (last, _) => last,
        };
        self.next_due(anchor, now, tz)
    }

    /// Decides what the reminder does at `now`; `quiet` is a session in
    /// progress or discreet mode.
    pub fn decide<Tz: TimeZone>(
        &self,
        last: Option<(DateTime<Utc>, DateTime<Utc>)>,
        r: &Reminders,
        quiet: bool,
        now: DateTime<Utc>,
        tz: &Tz,
    ) -> Action {
        if self.kind == Kind::Off {
            return Action::Wait(None);
        }
        let today = now.with_timezone(tz).date_naive();
        // Quiet, paused for today, or outside the chosen days and hours.
        let hold = quiet || r.paused_on == Some(today) || !self.allowed(now, tz);
        if let Some(until) = r.snoozed_until {
            return match (until > now, hold) {
                (true, _) => Action::Wait(Some(until)),
                (false, false) => Action::Remind(until),
                (false, true) => Action::Skip(until),
            };
        }
        let Some(due) = self.next_reminder(last, r.handled, now, tz) else {
            return Action::Wait(None);
        };
        if due > now {
            return Action::Wait(Some(due));
        }
        if hold {
            Action::Skip(due)
        } else {
            Action::Remind(due)
        }
    }
}

/// A local date and time as an instant: in a spring-forward gap, the first
/// moment after it; when the clock falls back, the first of the two.
fn instant<Tz: TimeZone>(tz: &Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let mut local = day.and_time(time);
    for _ in 0..4 {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(30),
        }
    }
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Europe::Berlin;

    fn berlin(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        instant(
            &Berlin,
            NaiveDate::from_ymd_opt(y, mo, d).unwrap(),
            hm(h, mi),
        )
    }

    fn local(at: DateTime<Utc>) -> String {
        at.with_timezone(&Berlin).format("%a %H:%M").to_string()
    }

    fn every(minutes: u32) -> Schedule {
        Schedule {
            kind: Kind::Every,
            every_min: minutes,
            ..Schedule::default()
        }
        .validated()
        .unwrap()
    }

    fn times(list: &[(u32, u32)]) -> Schedule {
        Schedule {
            kind: Kind::Times,
            times: list.iter().map(|&(h, m)| hm(h, m)).collect(),
            ..Schedule::default()
        }
        .validated()
        .unwrap()
    }

    /// The next due time, local, after a session ending at `ended`, asked at `now`.
    fn due_after(s: &Schedule, ended: DateTime<Utc>, now: DateTime<Utc>) -> String {
        local(s.next_due(session_ending(ended), now, &Berlin).unwrap())
    }

    /// A 20-minute session ending at the given Berlin time.
    fn session_ending(at: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((at - Duration::minutes(20), at))
    }

    #[test]
    fn every_few_hours_counts_from_the_end_of_the_last_session() {
        // Wed 2 Dec 2026.
        let s = every(165);
        let last = session_ending(berlin(2026, 12, 2, 9, 10));
        let due = s
            .next_due(last, berlin(2026, 12, 2, 10, 0), &Berlin)
            .unwrap();
        assert_eq!(local(due), "Wed 11:55");
        // Off, or no session yet: nothing is due.
        let off = Schedule::default();
        assert_eq!(
            off.next_due(last, berlin(2026, 12, 2, 10, 0), &Berlin),
            None
        );
        assert_eq!(s.next_due(None, berlin(2026, 12, 2, 10, 0), &Berlin), None);
    }

    #[test]
    fn outside_the_chosen_hours_and_days_it_waits_for_the_next_start() {
        let s = every(180);
        // Ends 15:40: 18:40 is after 17:30, so Thursday 8:30.
        assert_eq!(
            due_after(&s, berlin(2026, 12, 2, 15, 40), berlin(2026, 12, 2, 16, 0)),
            "Thu 08:30"
        );
        // Friday afternoon: Monday morning, the weekend is not chosen.
        assert_eq!(
            due_after(&s, berlin(2026, 12, 4, 16, 0), berlin(2026, 12, 4, 16, 0)),
            "Mon 08:30"
        );
        // Early: a session ending at 5:00 is due at 8:30, not 8:00.
        assert_eq!(
            due_after(&s, berlin(2026, 12, 2, 5, 0), berlin(2026, 12, 2, 5, 0)),
            "Wed 08:30"
        );
    }

    #[test]
    fn fixed_times_come_in_order_and_a_session_just_before_one_keeps_it() {
        let s = times(&[(16, 0), (10, 0), (13, 0), (13, 0)]);
        assert_eq!(s.times, [hm(10, 0), hm(13, 0), hm(16, 0)]);
        let now = berlin(2026, 12, 2, 9, 0);
        assert_eq!(local(s.next_due(None, now, &Berlin).unwrap()), "Wed 10:00");
        // Pumped 9:45–10:05: 10:00 is kept, 13:00 is next.
        let last = Some((berlin(2026, 12, 2, 9, 45), berlin(2026, 12, 2, 10, 5)));
        assert_eq!(local(s.next_due(last, now, &Berlin).unwrap()), "Wed 13:00");
        // Pumped 12:40–12:55, just before 13:00: that one is kept too.
        let last = Some((berlin(2026, 12, 2, 12, 40), berlin(2026, 12, 2, 12, 55)));
        assert_eq!(local(s.next_due(last, now, &Berlin).unwrap()), "Wed 16:00");
        // After the last time on a Friday: Monday's first.
        let last = session_ending(berlin(2026, 12, 4, 16, 20));
        assert_eq!(local(s.next_due(last, now, &Berlin).unwrap()), "Mon 10:00");
    }

    #[test]
    fn a_laptop_asleep_across_a_due_time_finds_it_once_on_waking() {
        // Due 11:55, the laptop slept from 11:00 to 14:00: the due time is
        // still 11:55 (in the past), so the caller reminds once, at waking;
        // the next due time comes only from the next session.
        let s = every(165);
        let last = session_ending(berlin(2026, 12, 2, 9, 10));
        let before = s.next_due(last, berlin(2026, 12, 2, 11, 0), &Berlin);
        let after = s.next_due(last, berlin(2026, 12, 2, 14, 0), &Berlin);
        assert_eq!(before, after);
        assert!(after.unwrap() < berlin(2026, 12, 2, 14, 0));
    }

    #[test]
    fn spring_forward_and_fall_back_give_one_sensible_time() {
        // Sunday 29 March 2026: 2:00 becomes 3:00 in Berlin. A fixed 2:30
        // (no such time that night) comes at 3:00.
        let night = Schedule {
            kind: Kind::Times,
            times: vec![hm(2, 30)],
            days: [true; 7],
            from: hm(0, 0),
            to: hm(0, 0),
            ..Schedule::default()
        }
        .validated()
        .unwrap();
        let due = night
            .next_due(None, berlin(2026, 3, 29, 0, 30), &Berlin)
            .unwrap();
        assert_eq!(local(due), "Sun 03:00");
        // Every 3 hours across it: 3 hours of real time, so 00:30 → 04:30.
        let s = Schedule {
            days: [true; 7],
            from: hm(0, 0),
            to: hm(0, 0),
            ..every(180)
        };
        // 0:00 to 0:00 is the whole day, 23:59 included.
        assert!(s.allowed(berlin(2026, 3, 28, 23, 59) + Duration::seconds(30), &Berlin));
        assert_eq!(
            due_after(&s, berlin(2026, 3, 29, 0, 30), berlin(2026, 3, 29, 0, 30)),
            "Sun 04:30"
        );
        // Sunday 25 October 2026: 3:00 falls back to 2:00; 2:30 happens
        // twice, and the first is the one.
        let due = night
            .next_due(None, berlin(2026, 10, 25, 0, 30), &Berlin)
            .unwrap();
        assert_eq!(due, Utc.with_ymd_and_hms(2026, 10, 25, 0, 30, 0).unwrap());
        // Once past it, the next is the next night's, not the repeated hour.
        let again = night
            .next_due(None, due + Duration::minutes(1), &Berlin)
            .unwrap();
        assert_eq!(local(again), "Mon 02:30");
    }

    #[test]
    fn a_clock_set_back_does_not_bring_back_a_kept_time() {
        let s = times(&[(10, 0), (13, 0)]);
        let last = Some((berlin(2026, 12, 2, 9, 50), berlin(2026, 12, 2, 10, 10)));
        // The wall clock is set back an hour, to 9:20: the 10:00 was kept.
        let due = s
            .next_due(last, berlin(2026, 12, 2, 9, 20), &Berlin)
            .unwrap();
        assert_eq!(local(due), "Wed 13:00");
    }

    /// Runs the reminder as the app's thread would from `from` to `to`,
    /// waking at each time it asks for; returns the local times reminded.
    fn run(
        s: &Schedule,
        last: Option<(DateTime<Utc>, DateTime<Utc>)>,
        r: &mut Reminders,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        quiet: impl Fn(DateTime<Utc>) -> bool,
    ) -> Vec<String> {
        let (mut now, mut shown) = (from, Vec::new());
        for _ in 0..100 {
            match s.decide(last, r, quiet(now), now, &Berlin) {
                Action::Wait(Some(at)) if at <= to => now = at,
                Action::Wait(_) => break,
                Action::Remind(due) => {
                    shown.push(format!("{} at {}", local(due), local(now)));
                    r.handle(now);
                }
                Action::Skip(_) => r.handle(now),
            }
        }
        shown
    }

    #[test]
    fn one_reminder_per_due_time_and_one_after_a_long_sleep() {
        let s = every(120);
        let last = session_ending(berlin(2026, 12, 2, 9, 0));
        let mut r = Reminders::default();
        // Awake all day, no session after 9:00: 11:00, 13:00, 15:00, 17:00.
        let shown = run(
            &s,
            last,
            &mut r,
            berlin(2026, 12, 2, 9, 0),
            berlin(2026, 12, 2, 18, 0),
            |_| false,
        );
        assert_eq!(
            shown,
            [
                "Wed 11:00 at Wed 11:00",
                "Wed 13:00 at Wed 13:00",
                "Wed 15:00 at Wed 15:00",
                "Wed 17:00 at Wed 17:00"
            ]
        );
        // Asleep from 10:00 to 16:10: one reminder on waking, not three.
        let mut r = Reminders::default();
        assert_eq!(
            s.decide(last, &r, false, berlin(2026, 12, 2, 10, 0), &Berlin),
            Action::Wait(Some(berlin(2026, 12, 2, 11, 0)))
        );
        let shown = run(
            &s,
            last,
            &mut r,
            berlin(2026, 12, 2, 16, 10),
            berlin(2026, 12, 2, 17, 0),
            |_| false,
        );
        assert_eq!(shown, ["Wed 11:00 at Wed 16:10"]);
        // The next comes two hours after the one shown (18:10, after the
        // chosen hours, so tomorrow at 8:30), not a pile.
        assert_eq!(
            s.decide(last, &r, false, berlin(2026, 12, 2, 16, 11), &Berlin),
            Action::Wait(Some(berlin(2026, 12, 3, 8, 30)))
        );
    }

    #[test]
    fn no_reminder_in_a_session_in_discreet_mode_or_paused_and_snooze_brings_it_back() {
        let s = every(120);
        let last = session_ending(berlin(2026, 12, 2, 9, 0));
        // Quiet (a session or discreet mode) at 11:00: it passes silently.
        let mut r = Reminders::default();
        let shown = run(
            &s,
            last,
            &mut r,
            berlin(2026, 12, 2, 10, 0),
            berlin(2026, 12, 2, 12, 0),
            |_| true,
        );
        assert!(shown.is_empty());
        assert_eq!(
            r.handled,
            Some(berlin(2026, 12, 2, 11, 0)),
            "let pass at 11:00"
        );
        // Paused for today: nothing until tomorrow's hours.
        let mut r = Reminders {
            paused_on: Some(NaiveDate::from_ymd_opt(2026, 12, 2).unwrap()),
            ..Reminders::default()
        };
        let shown = run(
            &s,
            last,
            &mut r,
            berlin(2026, 12, 2, 10, 0),
            berlin(2026, 12, 3, 9, 0),
            |_| false,
        );
        assert_eq!(shown, ["Thu 08:30 at Thu 08:30"]);
        // Snoozed for 15 minutes after the 11:00 reminder: once more at 11:15.
        let mut r = Reminders {
            handled: Some(berlin(2026, 12, 2, 11, 0)),
            snoozed_until: Some(berlin(2026, 12, 2, 11, 15)),
            ..Reminders::default()
        };
        let shown = run(
            &s,
            last,
            &mut r,
            berlin(2026, 12, 2, 11, 1),
            berlin(2026, 12, 2, 12, 0),
            |_| false,
        );
        assert_eq!(shown, ["Wed 11:15 at Wed 11:15"]);
        // A snooze ending outside the chosen hours waits for them.
        let r = Reminders {
            handled: Some(berlin(2026, 12, 4, 17, 20)),
            snoozed_until: Some(berlin(2026, 12, 4, 17, 35)),
            ..Reminders::default()
        };
        let saturday = berlin(2026, 12, 5, 10, 0);
        assert_eq!(
            s.decide(last, &r, false, saturday, &Berlin),
            Action::Skip(berlin(2026, 12, 4, 17, 35))
        );
        // Off: nothing, ever.
        let off = Schedule::default();
        assert_eq!(
            off.decide(
                last,
                &Reminders::default(),
                false,
                berlin(2026, 12, 2, 23, 0),
                &Berlin
            ),
            Action::Wait(None)
        );
    }

    #[test]
    fn how_well_the_schedule_was_kept_is_counted_per_due_time() {
        // Every 3 h, work days 8:30–17:30. Wed: sessions at 8:00, 11:10
        // (due 11:20: on time) and 14:50 (due 14:30: within 30 min); it
        // ends 15:10, so the next is due 18:10, after hours: Thursday 8:30,
        // and Thursday has no session.
        let s = every(180);
        let day = |d, h, m| berlin(2026, 12, d, h, m);
        let sessions: Vec<_> = [day(2, 8, 0), day(2, 11, 10), day(2, 14, 50)]
            .into_iter()
            .map(|start| (start, start + Duration::minutes(20)))
            .collect();
        let kept = s.kept(&sessions, day(2, 0, 0), day(3, 12, 0), &Berlin);
        // Wed 11:20 on time, Wed 14:30 within 30; Thu 8:30 and 11:30 missed.
        assert_eq!(
            kept,
            Kept {
                on_time: 1,
                within_30: 1,
                missed: 2
            }
        );
        // Fixed times 10:00 and 13:00 on Wednesday: one kept, one missed.
        let t = times(&[(10, 0), (13, 0)]);
        let one = [(day(2, 9, 55), day(2, 10, 15))];
        assert_eq!(
            t.kept(&one, day(2, 0, 0), day(2, 23, 0), &Berlin),
            Kept {
                on_time: 1,
                within_30: 0,
                missed: 1
            }
        );
        // A session at 7:00 keeps neither; 10:05 keeps 10:00, once.
        let two = [
            (day(2, 7, 0), day(2, 7, 20)),
            (day(2, 10, 5), day(2, 10, 25)),
        ];
        let kept = t.kept(&two, day(2, 0, 0), day(2, 23, 0), &Berlin);
        assert_eq!((kept.on_time, kept.within_30, kept.missed), (1, 0, 1));
        assert_eq!(t.target_hours(), Some(3.0));
        assert_eq!(s.describe(), "Every 3 h 00 min, Mon–Fri, 08:30–17:30");
        assert_eq!(t.describe(), "At 10:00, 13:00, Mon–Fri, 08:30–17:30");
        assert_eq!(s.target_hours(), Some(3.0));
        assert_eq!(Schedule::default().target_hours(), None);
    }

    #[test]
    fn a_schedule_that_cannot_work_is_refused_in_plain_words() {
        for (bad, words) in [
            (
                Schedule {
                    every_min: 100,
                    ..Schedule::default()
                },
                "every 2 to 4 hours",
            ),
            (
                Schedule {
                    every_min: 130,
                    ..Schedule::default()
                },
                "steps of 15",
            ),
            (
                Schedule {
                    kind: Kind::Times,
                    times: vec![],
                    ..Schedule::default()
                },
                "at least one time",
            ),
            (
                Schedule {
                    from: hm(18, 0),
                    to: hm(9, 0),
                    ..Schedule::default()
                },
                "start before",
            ),
            (
                Schedule {
                    kind: Kind::Every,
                    days: [false; 7],
                    ..Schedule::default()
                },
                "at least one day",
            ),
        ] {
            let e = bad.validated().unwrap_err().to_string();
            assert!(e.contains(words), "{e}");
        }
    }
}
