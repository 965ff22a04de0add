//! Routines: the ordered, timed steps a session walks through, and the presets Letdown ships.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    WarmUp,
    Massage,
    Pump,
    Rest,
}

impl StepKind {
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::WarmUp => "warm_up",
            StepKind::Massage => "massage",
            StepKind::Pump => "pump",
            StepKind::Rest => "rest",
        }
    }
}

/// One planned step. A pump step may be open-ended: `planned_ms` is then its
/// target, a soft chime marks it, and pumping goes on until the parent moves on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub kind: StepKind,
    pub planned_ms: u64,
    #[serde(default)]
    pub open_ended: bool,
}

impl Step {
    pub fn timed(kind: StepKind, minutes: u64) -> Step {
        Step {
            kind,
            planned_ms: minutes * 60_000,
            open_ended: false,
        }
    }

    pub fn pump_with_target(minutes: u64) -> Step {
        Step {
            kind: StepKind::Pump,
            planned_ms: minutes * 60_000,
            open_ended: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routine {
    /// Row id in the diary; 0 for a routine not saved yet.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub steps: Vec<Step>,
}

pub const MAX_STEPS: usize = 20;
pub const MAX_STEP_MS: u64 = 3 * 60 * 60_000;
pub const MAX_NAME_CHARS: usize = 60;

impl Routine {
    /// Checks what a parent typed before it is saved or started.
    pub fn validate(&self) -> Result<()> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("Give the routine a name.".into()));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Error::Invalid(format!(
                "A routine's name can be at most {MAX_NAME_CHARS} characters."
            )));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(Error::Invalid(format!(
                "A routine needs between 1 and {MAX_STEPS} steps."
            )));
        }
        for step in &self.steps {
            if step.planned_ms < 1_000 || step.planned_ms > MAX_STEP_MS {
                return Err(Error::Invalid(
                    "Each step must last between 1 second and 3 hours.".into(),
                ));
            }
            if step.open_ended && step.kind != StepKind::Pump {
                return Err(Error::Invalid(
                    "Only a pumping step can be open-ended.".into(),
                ));
            }
        }
        Ok(())
    }
}

/// The routines every diary starts with; the parent may edit them.
pub fn presets() -> Vec<Routine> {
    use StepKind::*;
    vec![
        Routine {
            id: 0,
            name: "Standard".into(),
            steps: vec![
                Step::timed(WarmUp, 3),
                Step::timed(Massage, 2),
                Step::pump_with_target(15),
            ],
        },
        Routine {
            id: 0,
            name: "Quick break".into(),
            steps: vec![
                Step::timed(WarmUp, 1),
                Step::timed(Massage, 1),
                Step::pump_with_target(10),
            ],
        },
        Routine {
            id: 0,
            name: "Power pumping".into(),
            steps: vec![
                Step::timed(Pump, 20),
                Step::timed(Rest, 10),
                Step::timed(Pump, 10),
                Step::timed(Rest, 10),
                Step::timed(Pump, 10),
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_match_the_product_brief() {
        let presets = presets();
        let minutes =
            |r: &Routine| -> Vec<u64> { r.steps.iter().map(|s| s.planned_ms / 60_000).collect() };
        assert_eq!(presets[0].name, "Standard");
        assert_eq!(minutes(&presets[0]), [3, 2, 15]);
        assert!(presets[0].steps[2].open_ended);
        assert_eq!(minutes(&presets[1]), [1, 1, 10]);
        assert_eq!(minutes(&presets[2]), [20, 10, 10, 10, 10]);
        assert!(presets[2].steps.iter().all(|s| !s.open_ended));
        presets.iter().for_each(|r| r.validate().unwrap());
    }

    #[test]
    fn validation_refuses_what_cannot_be_run() {
        let mut r = presets().remove(0);
        r.name = "  ".into();
        assert!(matches!(r.validate(), Err(Error::Invalid(_))));
        let mut r = presets().remove(0);
        r.steps.clear();
        assert!(r.validate().is_err());
        let mut r = presets().remove(0);
        r.steps[0].planned_ms = 0;
        assert!(r.validate().is_err());
        let mut r = presets().remove(0);
        r.steps[0].open_ended = true;
        assert!(r.validate().is_err());
        let mut r = presets().remove(0);
        r.name = "x".repeat(61);
        assert!(r.validate().is_err());
    }
}
