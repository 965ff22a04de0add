//! The parent's choices that are not about sound (see `state::SoundPrefs`):
//! units, theme, chimes, notifications, the baby's name, photo rotation and
//! the small first-run things. Kept as one JSON value in the diary's settings,
//! read with defaults (so an older or newer app reads what it knows) and
//! changed only through `PrefsChange`, which refuses anything unexpected.
//! Also the finish sheet's unsaved draft. No Tauri here.

use serde::{Deserialize, Serialize};

use crate::diary::Diary;
use crate::error::{Error, Result};

const KEY: &str = "prefs";
const DRAFT_KEY: &str = "finish_draft";
pub const MAX_BABY_NAME_CHARS: usize = 40;
/// Minutes between photos when several rotate; 0 shows the chosen one only.
pub const ROTATE_CHOICES: [u8; 4] = [0, 3, 5, 10];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Ml,
    Oz,
}

/// Millilitres in one US fluid ounce.
pub const ML_PER_OZ: f64 = 29.573_529_562_5;

impl Unit {
    /// An amount in this unit, rounded as shown: whole ml, oz to one decimal.
    pub fn amount(self, ml: f64) -> f64 {
        let v = match self {
            Unit::Ml => ml.round(),
            Unit::Oz => (ml / ML_PER_OZ * 10.0).round() / 10.0,
        };
        // An empty sum is -0.0; never show "-0 ml".
        v + 0.0
    }

    /// "120 ml" or "4.1 oz".
    pub fn label(self, ml: f64) -> String {
        match self {
            Unit::Ml => format!("{} ml", self.amount(ml)),
            Unit::Oz => format!("{:.1} oz", self.amount(ml)),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Unit::Ml => "ml",
            Unit::Oz => "oz",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// The photo gently dimmed, light text: the default.
    Dim,
    Light,
    /// Dim or light as the computer is set.
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub unit: Unit,
    pub theme: Theme,
    pub chimes: bool,
    pub notifications: bool,
    pub baby_name: String,
    pub rotate_minutes: u8,
    pub breathing: bool,
    pub welcome_done: bool,
    pub drink_nudge: bool,
    /// While pumping, all but the timer, the step and "Let-down" fade away
    /// after a few seconds without a key or the mouse.
    pub hide_controls: bool,
    /// The "What did you do today?" chips offered on the finish sheet.
    pub chips: Vec<String>,
    /// The chips ticked last time: ticked again on the next finish sheet.
    pub last_chips: Vec<String>,
    /// The "What works for you" finding the parent hid from the idle screen.
    pub dismissed_finding: String,
    /// When sessions are due (off until the parent turns it on).
    pub schedule: crate::schedule::Schedule,
    /// The reminder says "Time to pump" and when the last session was,
    /// instead of the discreet "Time for your break".
    pub reminder_detail: bool,
    /// How long stored milk keeps, and the baby's daily need while apart.
    pub keeping: crate::stash::Keeping,
    /// Where the milk went last time ("fridge", "freezer", "fed",
    /// "discarded" or "split"): chosen again on the next finish sheet.
    pub last_milk: String,
}

/// Chips from lactation guidance on helping the let-down, editable.
pub fn default_chips() -> Vec<String> {
    [
        "warm compress",
        "massage",
        "a drink",
        "baby's smell",
        "hands-on pumping",
        "comfortable place",
        "at work",
        "at home",
    ]
    .map(String::from)
    .to_vec()
}

pub const MAX_CHIPS: usize = 12;

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            unit: Unit::Ml,
            theme: Theme::Dim,
            chimes: true,
            notifications: true,
            baby_name: String::new(),
            rotate_minutes: 0,
            breathing: false,
            welcome_done: false,
            drink_nudge: true,
            hide_controls: true,
            chips: default_chips(),
            last_chips: Vec::new(),
            dismissed_finding: String::new(),
            schedule: crate::schedule::Schedule::default(),
            reminder_detail: false,
            keeping: crate::stash::Keeping::default(),
            last_milk: String::new(),
        }
    }
}

/// What the UI may change; every field optional, nothing else accepted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefsChange {
    pub unit: Option<Unit>,
    pub theme: Option<Theme>,
    pub chimes: Option<bool>,
    pub notifications: Option<bool>,
    pub baby_name: Option<String>,
    pub rotate_minutes: Option<u8>,
    pub breathing: Option<bool>,
    pub welcome_done: Option<bool>,
    pub drink_nudge: Option<bool>,
    pub hide_controls: Option<bool>,
    pub chips: Option<Vec<String>>,
    pub dismissed_finding: Option<String>,
    pub schedule: Option<crate::schedule::Schedule>,
    pub reminder_detail: Option<bool>,
    pub keeping: Option<crate::stash::Keeping>,
}

impl Prefs {
    /// The saved choices; defaults for anything missing or unreadable.
    pub fn load(diary: &Diary) -> Prefs {
        diary
            .setting(KEY)
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    /// Checks a change, applies it and saves; on a bad value nothing changes.
    pub fn change(diary: &Diary, change: PrefsChange) -> Result<Prefs> {
        let mut prefs = Prefs::load(diary);
        if let Some(name) = change.baby_name {
            let name = name.trim();
            if name.chars().count() > MAX_BABY_NAME_CHARS {
                return Err(Error::Invalid(format!(
                    "The baby's name can be at most {MAX_BABY_NAME_CHARS} characters."
                )));
            }
            if name.chars().any(char::is_control) {
                return Err(Error::Invalid(
                    "The baby's name can only hold letters, spaces and punctuation.".into(),
                ));
            }
            prefs.baby_name = name.to_string();
        }
        if let Some(minutes) = change.rotate_minutes {
            if !ROTATE_CHOICES.contains(&minutes) {
                return Err(Error::Invalid(
                    "Photos can change every 3, 5 or 10 minutes, or not at all.".into(),
                ));
            }
            prefs.rotate_minutes = minutes;
        }
        if let Some(chips) = change.chips {
            prefs.chips = tidy_chips(&chips)?;
            prefs.last_chips.retain(|c| prefs.chips.contains(c));
        }
        if let Some(schedule) = change.schedule {
            prefs.schedule = schedule.validated()?;
        }
        if let Some(keeping) = change.keeping {
            prefs.keeping = keeping.validated()?;
        }
        if let Some(key) = change.dismissed_finding {
            prefs.dismissed_finding = key.chars().take(200).collect();
        }
        let set = |field: &mut bool, value: Option<bool>| {
            if let Some(v) = value {
                *field = v;
            }
        };
        set(&mut prefs.chimes, change.chimes);
        set(&mut prefs.notifications, change.notifications);
        set(&mut prefs.breathing, change.breathing);
        set(&mut prefs.welcome_done, change.welcome_done);
        set(&mut prefs.drink_nudge, change.drink_nudge);
        set(&mut prefs.hide_controls, change.hide_controls);
        set(&mut prefs.reminder_detail, change.reminder_detail);
        prefs.unit = change.unit.unwrap_or(prefs.unit);
        prefs.theme = change.theme.unwrap_or(prefs.theme);
        prefs.save(diary)
    }

    fn save(self, diary: &Diary) -> Result<Prefs> {
        let json = serde_json::to_string(&self).map_err(|e| Error::Invalid(e.to_string()))?;
        diary.set_setting(KEY, &json)?;
        Ok(self)
    }

    /// Keeps the chips ticked and where the milk went on the last finish
    /// sheet, to choose them again next time.
    pub fn remember_finish(diary: &Diary, ticked: Vec<String>, milk: &str) -> Result<Prefs> {
        let mut prefs = Prefs::load(diary);
        prefs.last_chips = ticked;
        prefs.last_milk = milk.to_string();
        prefs.save(diary)
    }
}

/// Trims chips and drops blanks and repeats; too many or too long is refused.
pub fn tidy_chips(chips: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for chip in chips.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        if chip.chars().count() > crate::diary::MAX_TAG_CHARS || chip.chars().any(char::is_control)
        {
            return Err(Error::Invalid(format!(
                "Each choice can be at most {} characters of text.",
                crate::diary::MAX_TAG_CHARS
            )));
        }
        if !out.iter().any(|c| c.eq_ignore_ascii_case(chip)) {
            out.push(chip.to_string());
        }
    }
    if out.len() > MAX_CHIPS {
        return Err(Error::Invalid(format!(
            "At most {MAX_CHIPS} choices, please."
        )));
    }
    Ok(out)
}

/// Turns the chips ticked on the finish sheet into the session's factors:
/// each chip offered is recorded, ticked (1) or not (0). A ticked chip no
/// longer offered (renamed in Settings meanwhile) is left out: it must never
/// stop a session being saved.
pub fn chip_factors(offered: &[String], ticked: &[String]) -> Vec<(String, f64)> {
    offered
        .iter()
        .map(|c| {
            (
                format!("{}{c}", crate::insights::CHIP_PREFIX),
                f64::from(u8::from(ticked.contains(c))),
            )
        })
        .collect()
}

/// What the parent has typed into the finish sheet but not saved yet, kept
/// so that closing the window does not lose it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    #[serde(default)]
    pub left: String,
    #[serde(default)]
    pub right: String,
    #[serde(default)]
    pub total: String,
    #[serde(default)]
    pub unit: Option<Unit>,
    #[serde(default)]
    pub comfort: Option<u8>,
    #[serde(default)]
    pub tags: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, Deserialize)]
struct StoredDraft {
    session_id: i64,
    draft: Draft,
}

impl Draft {
    fn check(&self) -> Result<()> {
        let too_long = [
            (&self.left, 16),
            (&self.right, 16),
            (&self.total, 16),
            (&self.tags, 400),
            (&self.note, crate::diary::MAX_NOTE_CHARS),
        ]
        .iter()
        .any(|(text, max)| text.chars().count() > *max);
        if too_long || self.comfort.is_some_and(|c| !(1..=5).contains(&c)) {
            return Err(Error::Invalid(
                "That draft is not one the app makes.".into(),
            ));
        }
        Ok(())
    }

    /// Keeps the draft for `session_id`, replacing any other.
    pub fn keep(&self, diary: &Diary, session_id: i64) -> Result<()> {
        self.check()?;
        let stored = StoredDraft {
            session_id,
            draft: self.clone(),
        };
        let json = serde_json::to_string(&stored).map_err(|e| Error::Invalid(e.to_string()))?;
        diary.set_setting(DRAFT_KEY, &json)
    }

    /// Forgets the kept draft (the session was saved or discarded).
    pub fn forget(diary: &Diary) -> Result<()> {
        diary.set_setting(DRAFT_KEY, "")
    }

    /// The draft kept for `session_id`, if any.
    pub fn kept(diary: &Diary, session_id: i64) -> Option<Draft> {
        let json = diary.setting(DRAFT_KEY).ok().flatten()?;
        let stored: StoredDraft = serde_json::from_str(&json).ok()?;
        (stored.session_id == session_id).then_some(stored.draft)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chips_are_tidied_and_each_one_offered_is_recorded_ticked_or_not() {
        let diary = Diary::open_in_memory().unwrap();
        assert_eq!(Prefs::load(&diary).chips, default_chips());
        let prefs = Prefs::change(
            &diary,
            change(r#"{"chips":[" tea ","", "Tea", "walk"]}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(prefs.chips, ["tea", "walk"]);
        for bad in [
            format!(r#"{{"chips":["{}"]}}"#, "x".repeat(33)),
            format!(
                r#"{{"chips":{:?}}}"#,
                (0..13).map(|n| format!("c{n}")).collect::<Vec<_>>()
            ),
        ] {
            assert!(
                Prefs::change(&diary, change(&bad).unwrap()).is_err(),
                "{bad}"
            );
            assert_eq!(
                Prefs::load(&diary).chips,
                ["tea", "walk"],
                "{bad} changed nothing"
            );
        }
        let offered = prefs.chips;
        let ticked = ["walk".to_string(), "renamed since".to_string()];
        assert_eq!(
            chip_factors(&offered, &ticked),
            [("did:tea".to_string(), 0.0), ("did:walk".to_string(), 1.0)]
        );
        let kept = Prefs::remember_finish(&diary, vec!["walk".into()], "split").unwrap();
        assert_eq!(Prefs::load(&diary).last_chips, ["walk"]);
        assert_eq!(Prefs::load(&diary).last_milk, "split");
        assert_eq!(kept.chips, ["tea", "walk"]);
    }

    fn change(json: &str) -> std::result::Result<PrefsChange, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn defaults_then_changes_are_saved_and_bad_values_change_nothing() {
        let diary = Diary::open_in_memory().unwrap();
        assert_eq!(Prefs::load(&diary), Prefs::default());
        let prefs = Prefs::change(
            &diary,
            change(r#"{"unit":"oz","baby_name":"  Mia ","rotate_minutes":5,"chimes":false}"#)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(prefs.unit, Unit::Oz);
        assert_eq!(prefs.baby_name, "Mia");
        assert!(!prefs.chimes && prefs.notifications);
        assert_eq!(Prefs::load(&diary), prefs);

        for bad in [
            r#"{"rotate_minutes":7}"#,
            r#"{"baby_name":"Mia\u0007"}"#,
            &format!(r#"{{"baby_name":"{}"}}"#, "a".repeat(41)),
        ] {
            assert!(
                Prefs::change(&diary, change(bad).unwrap()).is_err(),
                "{bad}"
            );
        }
        assert_eq!(Prefs::load(&diary), prefs, "unchanged by refused changes");
    }

    #[test]
    fn unknown_fields_and_wrong_types_are_refused() {
        assert!(change(r#"{"colour":"red"}"#).is_err());
        assert!(change(r#"{"unit":"litres"}"#).is_err());
        assert!(change(r#"{"chimes":"yes"}"#).is_err());
        assert!(change(r#"{"rotate_minutes":-1}"#).is_err());
    }

    #[test]
    fn an_unreadable_saved_value_falls_back_to_defaults() {
        let diary = Diary::open_in_memory().unwrap();
        diary.set_setting(KEY, "{not json").unwrap();
        assert_eq!(Prefs::load(&diary), Prefs::default());
        // A newer app's extra field is ignored, the known ones kept.
        diary
            .set_setting(KEY, r#"{"unit":"oz","sparkles":true}"#)
            .unwrap();
        assert_eq!(Prefs::load(&diary).unit, Unit::Oz);
    }

    #[test]
    fn a_draft_belongs_to_its_session() {
        let diary = Diary::open_in_memory().unwrap();
        let draft = Draft {
            left: "60".into(),
            comfort: Some(4),
            note: "calm".into(),
            ..Draft::default()
        };
        draft.keep(&diary, 7).unwrap();
        assert_eq!(Draft::kept(&diary, 7), Some(draft.clone()));
        assert_eq!(Draft::kept(&diary, 8), None);
        let bad = Draft {
            comfort: Some(9),
            ..Draft::default()
        };
        assert!(bad.keep(&diary, 7).is_err());
        assert_eq!(
            Draft::kept(&diary, 7),
            Some(draft),
            "a refused draft replaces nothing"
        );
        Draft::forget(&diary).unwrap();
        assert_eq!(Draft::kept(&diary, 7), None);
    }
}
