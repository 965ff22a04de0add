//! The milk stash: where each session's milk went (fridge, freezer, fed now
//! or discarded), and what is left in the fridge and the freezer. Portions
//! are rows of `milk` that belong to their session, so editing the session's
//! amount updates them and deleting it asks what becomes of them.

use chrono::Months;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use crate::diary::{Diary, MAX_ML};
use crate::error::{Error, Result};

const DAY_MS: i64 = 86_400_000;
/// Thawed milk keeps 24 hours in the fridge (CDC, below).
const THAWED_MS: i64 = DAY_MS;
/// The stash's note looks this far ahead for what expires.
const SOON_MS: i64 = 2 * DAY_MS;
pub const MAX_LABEL_CHARS: usize = 40;
/// Fridge, freezer, fed and discarded: one share each at most.
const MAX_SHARES: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Fridge,
    Freezer,
    /// A bottle left out at room temperature, for a feed within hours.
    Room,
    Fed,
    Discarded,
}

impl Place {
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Fridge => "fridge",
            Place::Freezer => "freezer",
            Place::Room => "room",
            Place::Fed => "fed",
            Place::Discarded => "discarded",
        }
    }

    fn parse(s: &str) -> Place {
        match s {
            "fridge" => Place::Fridge,
            "freezer" => Place::Freezer,
            "room" => Place::Room,
            "fed" => Place::Fed,
            _ => Place::Discarded,
        }
    }

    /// Milk that goes into the stash, with a use-by date.
    pub fn stored(self) -> bool {
        matches!(self, Place::Fridge | Place::Freezer | Place::Room)
    }
}

/// One place a session's milk went, as the finish sheet says it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub place: Place,
    pub amount_ml: f64,
    /// A label or bag number, for the fridge or the freezer.
    #[serde(default)]
    pub label: Option<String>,
}

/// How long milk keeps, and how much the baby is given while apart: defaults
/// the parent can change. The defaults follow the CDC's "Breast Milk Storage
/// and Preparation" (cdc.gov/breastfeeding, updated 2024): at room
/// temperature up to 4 hours; in the fridge up to 4 days; in the freezer within 6 months is best and up to 12 months is
/// acceptable; thawed milk within 24 hours in the fridge, and never refrozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Keeping {
    pub room_hours: u32,
    pub fridge_days: u32,
    pub freezer_months: u32,
    /// What the nursery gives each day, in whole ml; 0 until the parent says.
    pub daily_need_ml: u32,
}

impl Default for Keeping {
    fn default() -> Self {
        Keeping {
            room_hours: 4,
            fridge_days: 4,
            freezer_months: 6,
            daily_need_ml: 0,
        }
    }
}

impl Keeping {
    pub fn validated(self) -> Result<Keeping> {
        if !(1..=4).contains(&self.room_hours) {
            return Err(Error::Invalid(
                "Milk can be kept at room temperature for 1 to 4 hours.".into(),
            ));
        }
        if !(1..=8).contains(&self.fridge_days) {
            return Err(Error::Invalid(
                "Milk can be kept in the fridge for 1 to 8 days here.".into(),
            ));
        }
        if !(1..=12).contains(&self.freezer_months) {
            return Err(Error::Invalid(
                "Milk can be kept in the freezer for 1 to 12 months here.".into(),
            ));
        }
        if f64::from(self.daily_need_ml) > MAX_ML {
            return Err(Error::Invalid(
                "The daily amount must be a number between 0 and 2000 ml.".into(),
            ));
        }
        Ok(self)
    }

    /// When milk pumped at `pumped_ms` and put in `place` should be used by.
    pub fn use_by(&self, place: Place, pumped_ms: i64) -> Option<i64> {
        match place {
            Place::Room => Some(pumped_ms + i64::from(self.room_hours) * DAY_MS / 24),
            Place::Fridge => Some(pumped_ms + i64::from(self.fridge_days) * DAY_MS),
            Place::Freezer => chrono::DateTime::from_timestamp_millis(pumped_ms)
                .and_then(|t| t.checked_add_months(Months::new(self.freezer_months)))
                .map(|t| t.timestamp_millis()),
            Place::Fed | Place::Discarded => None,
        }
    }
}

/// Trims a label; a blank one is none, and a long or odd one is refused.
fn tidy_label(label: Option<&str>) -> Result<Option<String>> {
    let Some(label) = label.map(str::trim).filter(|l| !l.is_empty()) else {
        return Ok(None);
    };
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(Error::Invalid(format!(
            "A label can be at most {MAX_LABEL_CHARS} characters of text."
        )));
    }
    Ok(Some(label.to_string()))
}

/// Checks where the milk went against how much there was. No shares is fine
/// (not said); otherwise they must add up to the session's amount.
pub fn validated_shares(shares: &[Share], total_ml: Option<f64>) -> Result<Vec<Share>> {
    if shares.is_empty() {
        return Ok(Vec::new());
    }
    let total = total_ml.filter(|t| *t > 0.0).ok_or_else(|| {
        Error::Invalid("Enter how much you pumped before saying where it went.".into())
    })?;
    if shares.len() > MAX_SHARES {
        return Err(Error::Invalid("Each place once, please.".into()));
    }
    let mut out: Vec<Share> = Vec::new();
    for share in shares {
        if out.iter().any(|s| s.place == share.place) {
            return Err(Error::Invalid("Each place once, please.".into()));
        }
        if !share.amount_ml.is_finite() || !(0.0..=MAX_ML).contains(&share.amount_ml) {
            return Err(Error::Invalid(
                "An amount must be a number between 0 and 2000 ml.".into(),
            ));
        }
        let label = if share.place.stored() {
            tidy_label(share.label.as_deref())?
        } else {
            None
        };
        // A place given nothing is simply not a place the milk went.
        if share.amount_ml > 0.0 {
            out.push(Share {
                place: share.place,
                amount_ml: share.amount_ml,
                label,
            });
        }
    }
    let sum: f64 = out.iter().map(|s| s.amount_ml).sum();
    if (sum - total).abs() > 0.5 {
        return Err(Error::Invalid(
            "The split has to add up to the amount you pumped.".into(),
        ));
    }
    Ok(out)
}

/// A session's milk in one place: a portion of the stash when stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Portion {
    pub id: i64,
    pub session_id: i64,
    pub place: Place,
    pub amount_ml: f64,
    /// When the session ended (UTC ms), and the local offset then.
    pub pumped_ms: i64,
    pub pumped_offset_min: i32,
    pub label: Option<String>,
    pub use_by_ms: Option<i64>,
    /// Taken from the freezer to thaw: it may not go back.
    pub thawed: bool,
    /// Used from the stash: "fed" or "discarded", and when.
    pub used_how: Option<String>,
    pub used_ms: Option<i64>,
}

impl Portion {
    /// Milk in the stash past its use-by date.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.use_by_ms.is_some_and(|u| u <= now_ms)
    }
}

/// What is in the fridge and the freezer now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stash {
    /// Totals of milk still good to use.
    pub fridge_ml: f64,
    pub freezer_ml: f64,
    pub room_ml: f64,
    /// Every portion in the stash, oldest first (expired ones too, to clear).
    pub portions: Vec<Portion>,
    /// Portions still good that expire in the next two days.
    pub expiring: usize,
    pub expiring_ml: f64,
    pub expired: usize,
    /// Good milk over the daily need, when the parent has said what it is.
    pub days_of_supply: Option<f64>,
    pub daily_need_ml: u32,
    pub now_ms: i64,
}

/// Days the stash lasts at `daily_need_ml` a day, used soonest-expiring
/// first: milk that would pass its use-by date before its turn does not
/// count. `portions` are (ml, days until its use-by); none when the need is
/// unknown.
pub fn days_of_supply(portions: &[(f64, f64)], daily_need_ml: f64) -> Option<f64> {
    if daily_need_ml <= 0.0 {
        return None;
    }
    let mut order = portions.to_vec();
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut days = 0.0;
    for (ml, left) in order {
        if days < left {
            days += (ml / daily_need_ml).min(left - days);
        }
    }
    Some(days)
}

/// What happens to a deleted session's milk in the stash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilkOnDelete {
    /// The milk stays in the stash (it is in the freezer whatever the diary says).
    #[default]
    Keep,
    /// The milk goes from the stash with its session; undo brings both back.
    Remove,
}

/// What became of a portion taken from the stash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Used {
    Fed,
    Discarded,
}

const PORTION_COLUMNS: &str = "m.id, m.session_id, m.place, m.amount_ml,
    coalesce(s.ended_ms, s.started_ms), coalesce(s.ended_offset_min, s.started_offset_min),
    m.label, m.use_by_ms, m.thawed_ms IS NOT NULL, m.used_how, m.used_ms";

fn portion(r: &rusqlite::Row) -> rusqlite::Result<Portion> {
    Ok(Portion {
        id: r.get(0)?,
        session_id: r.get(1)?,
        place: Place::parse(&r.get::<_, String>(2)?),
        amount_ml: r.get(3)?,
        pumped_ms: r.get(4)?,
        pumped_offset_min: r.get(5)?,
        label: r.get(6)?,
        use_by_ms: r.get(7)?,
        thawed: r.get(8)?,
        used_how: r.get(9)?,
        used_ms: r.get(10)?,
    })
}

/// Writes where a session's milk went, pumped at `pumped_ms`.
pub(crate) fn insert_milk(
    tx: &Transaction,
    session_id: i64,
    shares: &[Share],
    pumped_ms: i64,
    keeping: &Keeping,
) -> Result<()> {
    for share in shares {
        tx.execute(
            "INSERT INTO milk (session_id, place, amount_ml, label, use_by_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                session_id,
                share.place.as_str(),
                share.amount_ml,
                share.label,
                keeping.use_by(share.place, pumped_ms),
            ],
        )?;
    }
    Ok(())
}

/// Follows a change to a session's amount: each place keeps its share of
/// the new amount (to the tenth of a ml, the largest taking the rounding).
/// With no amount left, the session's milk goes.
pub(crate) fn rescale_milk(tx: &Transaction, session_id: i64, total_ml: Option<f64>) -> Result<()> {
    let rows: Vec<(i64, f64)> = tx
        .prepare(
            "SELECT id, amount_ml FROM milk WHERE session_id = ?1 ORDER BY amount_ml DESC, id",
        )?
        .query_map([session_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let old: f64 = rows.iter().map(|(_, a)| a).sum();
    let new = total_ml.unwrap_or(0.0);
    if rows.is_empty() || (old - new).abs() < 0.05 {
        return Ok(());
    }
    if new <= 0.0 {
        let stored: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM milk WHERE session_id = ?1 AND used_ms IS NULL
               AND removed_ms IS NULL AND place IN ('fridge', 'freezer', 'room'))",
            [session_id],
            |r| r.get(0),
        )?;
        if stored {
            return Err(Error::Invalid(
                "This session's milk is in the stash, so it needs an amount. Mark the milk used in the Stash first to clear it."
                    .into(),
            ));
        }
        tx.execute("DELETE FROM milk WHERE session_id = ?1", [session_id])?;
        return Ok(());
    }
    let scaled: Vec<f64> = rows
        .iter()
        .map(|(_, a)| (a * new / old * 10.0).round() / 10.0)
        .collect();
    let rest = new - scaled.iter().skip(1).sum::<f64>();
    for (i, ((id, _), amount)) in rows.iter().zip(&scaled).enumerate() {
        let amount = if i == 0 { rest } else { *amount };
        if amount > 0.0 {
            tx.execute(
                "UPDATE milk SET amount_ml = ?2 WHERE id = ?1",
                params![id, amount],
            )?;
        } else {
            tx.execute("DELETE FROM milk WHERE id = ?1", [id])?;
        }
    }
    Ok(())
}

impl Diary {
    /// Where a session's milk went, largest first.
    pub fn session_milk(&self, session_id: i64) -> Result<Vec<Portion>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PORTION_COLUMNS} FROM milk m JOIN sessions s ON s.id = m.session_id
             WHERE m.session_id = ?1 ORDER BY m.amount_ml DESC, m.id"
        ))?;
        let rows = stmt.query_map([session_id], portion)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every portion ever stored (fridge or freezer), used or not, oldest
    /// first: the stash export. Milk taken out with its session is left out.
    pub fn stored_milk(&self) -> Result<Vec<Portion>> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PORTION_COLUMNS} FROM milk m JOIN sessions s ON s.id = m.session_id
             WHERE m.removed_ms IS NULL AND (m.place IN ('fridge', 'freezer', 'room') OR m.used_ms IS NOT NULL)
             ORDER BY coalesce(s.ended_ms, s.started_ms), m.id"
        ))?;
        let rows = stmt.query_map([], portion)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The fridge and the freezer as of `now_ms`.
    pub fn stash(&self, now_ms: i64, keeping: &Keeping) -> Result<Stash> {
        let mut stmt = self.conn().prepare_cached(&format!(
            "SELECT {PORTION_COLUMNS} FROM milk m JOIN sessions s ON s.id = m.session_id
             WHERE m.used_ms IS NULL AND m.removed_ms IS NULL AND m.place IN ('fridge', 'freezer', 'room')
             ORDER BY coalesce(s.ended_ms, s.started_ms), m.id"
        ))?;
        let portions: Vec<Portion> = stmt
            .query_map([], portion)?
            .collect::<rusqlite::Result<_>>()?;
        let (mut fridge_ml, mut freezer_ml, mut room_ml) = (0.0, 0.0, 0.0);
        let mut good: Vec<(f64, f64)> = Vec::new();
        let (mut expiring, mut expiring_ml, mut expired) = (0, 0.0, 0);
        for p in &portions {
            if p.expired(now_ms) {
                expired += 1;
                continue;
            }
            match p.place {
                Place::Freezer => freezer_ml += p.amount_ml,
                Place::Room => room_ml += p.amount_ml,
                _ => fridge_ml += p.amount_ml,
            }
            let left = p
                .use_by_ms
                .map_or(f64::MAX, |u| (u - now_ms) as f64 / DAY_MS as f64);
            good.push((p.amount_ml, left));
            if p.use_by_ms.is_some_and(|u| u <= now_ms + SOON_MS) {
                expiring += 1;
                expiring_ml += p.amount_ml;
            }
        }
        Ok(Stash {
            fridge_ml,
            freezer_ml,
            room_ml,
            portions,
            expiring,
            expiring_ml,
            expired,
            days_of_supply: days_of_supply(&good, f64::from(keeping.daily_need_ml)),
            daily_need_ml: keeping.daily_need_ml,
            now_ms,
        })
    }

    /// A portion still in the stash, or a plain "not there".
    fn stashed(&self, id: i64) -> Result<Portion> {
        self.conn()
            .query_row(
                &format!(
                    "SELECT {PORTION_COLUMNS} FROM milk m JOIN sessions s ON s.id = m.session_id
                     WHERE m.id = ?1 AND m.used_ms IS NULL AND m.removed_ms IS NULL
                       AND m.place IN ('fridge', 'freezer', 'room')"
                ),
                [id],
                portion,
            )
            .optional()?
            .ok_or(Error::NotFound("That milk"))
    }

    /// Takes a portion from the stash: fed, or thrown away.
    pub fn use_milk(&self, id: i64, how: Used, now_ms: i64) -> Result<()> {
        self.stashed(id)?;
        let how = match how {
            Used::Fed => "fed",
            Used::Discarded => "discarded",
        };
        self.conn().execute(
            "UPDATE milk SET used_ms = ?2, used_how = ?3 WHERE id = ?1",
            params![id, now_ms, how],
        )?;
        Ok(())
    }

    /// Undoes "Used": the portion is back in the stash as it was.
    pub fn unuse_milk(&self, id: i64) -> Result<()> {
        let n = self.conn().execute(
            "UPDATE milk SET used_ms = NULL, used_how = NULL
             WHERE id = ?1 AND used_ms IS NOT NULL AND removed_ms IS NULL",
            [id],
        )?;
        match n {
            0 => Err(Error::NotFound("That milk")),
            _ => Ok(()),
        }
    }

    /// "Moved to fridge": a frozen portion thaws, with a fresh 24 hours.
    pub fn thaw_milk(&self, id: i64, now_ms: i64) -> Result<()> {
        let p = self.stashed(id)?;
        if p.expired(now_ms) {
            return Err(Error::Invalid("That milk is past its use-by date.".into()));
        }
        if p.place != Place::Freezer {
            return Err(Error::Invalid("That milk is not in the freezer.".into()));
        }
        self.conn().execute(
            "UPDATE milk SET place = 'fridge', thawed_ms = ?2, use_by_ms = ?3 WHERE id = ?1",
            params![id, now_ms, now_ms + THAWED_MS],
        )?;
        Ok(())
    }

    /// "Move to freezer" for fresh milk in the fridge. Thawed milk is refused:
    /// it must not be frozen again.
    pub fn freeze_milk(&self, id: i64, keeping: &Keeping, now_ms: i64) -> Result<()> {
        let p = self.stashed(id)?;
        if p.expired(now_ms) {
            return Err(Error::Invalid("That milk is past its use-by date.".into()));
        }
        if p.thawed {
            return Err(Error::Invalid(
                "Thawed milk can't go back in the freezer. Use it within 24 hours of thawing."
                    .into(),
            ));
        }
        if p.place == Place::Freezer {
            return Err(Error::Invalid(
                "That milk is already in the freezer.".into(),
            ));
        }
        self.conn().execute(
            "UPDATE milk SET place = 'freezer', use_by_ms = ?2 WHERE id = ?1",
            params![id, keeping.use_by(Place::Freezer, p.pumped_ms)],
        )?;
        Ok(())
    }

    /// Changes a portion's label and use-by date; the date cannot come
    /// before the milk was pumped.
    pub fn label_milk(&self, id: i64, label: Option<&str>, use_by_ms: Option<i64>) -> Result<()> {
        let p = self.stashed(id)?;
        let label = tidy_label(label)?;
        let use_by = use_by_ms.or(p.use_by_ms);
        if use_by.is_some_and(|u| u < p.pumped_ms) {
            return Err(Error::Invalid(
                "The use-by date can't be before the milk was pumped.".into(),
            ));
        }
        self.conn().execute(
            "UPDATE milk SET label = ?2, use_by_ms = ?3 WHERE id = ?1",
            params![id, label, use_by],
        )?;
        Ok(())
    }

    /// How much of a session's milk is still in the stash: what the parent is
    /// asked about before the session is deleted.
    pub fn stashed_ml(&self, session_id: i64) -> Result<f64> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(amount_ml), 0) FROM milk
             WHERE session_id = ?1 AND used_ms IS NULL AND removed_ms IS NULL
               AND place IN ('fridge', 'freezer', 'room')",
            [session_id],
            |r| r.get(0),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diary::Finish;

    const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC: a fixed instant
    const HOUR: i64 = 3_600_000;

    fn share(place: Place, ml: f64) -> Share {
        Share {
            place,
            amount_ml: ml,
            label: None,
        }
    }

    /// A finished session of `ml` ending at `end_ms`, its milk as `shares`.
    fn pumped(d: &mut Diary, end_ms: i64, ml: f64, shares: &[Share]) -> i64 {
        let routine = serde_json::to_string(&crate::routine::presets()[0]).unwrap();
        let tx = d.connection().transaction().unwrap();
        tx.execute(
            "INSERT INTO sessions (routine_json, started_ms, started_offset_min, ended_ms,
               ended_offset_min, status, active_ms, amount_total_ml)
             VALUES (?1, ?2, 0, ?3, 0, 'finished', 1200000, ?4)",
            params![routine, end_ms - 1_200_000, end_ms, ml],
        )
        .unwrap();
        let id = tx.last_insert_rowid();
        insert_milk(&tx, id, shares, end_ms, &Keeping::default()).unwrap();
        tx.commit().unwrap();
        id
    }

    #[test]
    fn a_split_must_add_up_and_name_each_place_once() {
        let total = Some(100.0);
        let split = [share(Place::Freezer, 60.0), share(Place::Fridge, 40.0)];
        assert_eq!(validated_shares(&split, total).unwrap().len(), 2);
        let short = [share(Place::Freezer, 60.0), share(Place::Fridge, 30.0)];
        let e = validated_shares(&short, total).unwrap_err().to_string();
        assert!(e.contains("add up"), "{e}");
        let twice = [share(Place::Fridge, 60.0), share(Place::Fridge, 40.0)];
        assert!(validated_shares(&twice, total).is_err());
        let no_amount = validated_shares(&[share(Place::Fed, 10.0)], None).unwrap_err();
        assert!(no_amount.to_string().contains("how much you pumped"));
        assert!(validated_shares(&[share(Place::Fed, f64::NAN)], total).is_err());
        // A place given 0 is left out; labels only go with stored milk.
        let mut labelled = share(Place::Fed, 100.0);
        labelled.label = Some("bag 3".into());
        let kept = validated_shares(&[labelled, share(Place::Fridge, 0.0)], total).unwrap();
        assert_eq!(kept, vec![share(Place::Fed, 100.0)]);
        assert!(validated_shares(&[], None).unwrap().is_empty());
    }

    #[test]
    fn each_storage_keeps_as_long_as_the_guidance_says() {
        let k = Keeping::default();
        assert_eq!(k.use_by(Place::Fridge, T0), Some(T0 + 4 * DAY_MS));
        // 2026-01-01 + 6 months = 2026-07-01, the same time of day.
        let july = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let expected = july
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis();
        assert_eq!(k.use_by(Place::Freezer, T0), Some(expected));
        assert_eq!(k.use_by(Place::Fed, T0), None);
        assert_eq!(k.use_by(Place::Room, T0), Some(T0 + 4 * HOUR));
        let longer = Keeping {
            room_hours: 2,
            fridge_days: 3,
            freezer_months: 12,
            daily_need_ml: 0,
        };
        assert_eq!(longer.use_by(Place::Fridge, T0), Some(T0 + 3 * DAY_MS));
        assert_eq!(longer.use_by(Place::Room, T0), Some(T0 + 2 * HOUR));
        assert!(longer.use_by(Place::Freezer, T0).unwrap() > expected);
        for bad in [
            Keeping {
                fridge_days: 0,
                ..k
            },
            Keeping { room_hours: 5, ..k },
            Keeping {
                freezer_months: 13,
                ..k
            },
            Keeping {
                daily_need_ml: 2_001,
                ..k
            },
        ] {
            assert!(bad.validated().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_stash_lists_oldest_first_with_totals_expiry_and_days_of_supply() {
        let mut d = Diary::open_in_memory().unwrap();
        let a = pumped(
            &mut d,
            T0,
            100.0,
            &[share(Place::Freezer, 60.0), share(Place::Fridge, 40.0)],
        );
        let b = pumped(&mut d, T0 + 5 * HOUR, 90.0, &[share(Place::Fridge, 90.0)]);
        pumped(&mut d, T0 + 9 * HOUR, 50.0, &[share(Place::Fed, 50.0)]);
        let need = Keeping {
            daily_need_ml: 95,
            ..Keeping::default()
        };
        // Three days on: both fridge portions expire within two days.
        let now = T0 + 3 * DAY_MS;
        let s = d.stash(now, &need).unwrap();
        let order: Vec<(i64, Place)> = s.portions.iter().map(|p| (p.session_id, p.place)).collect();
        assert_eq!(
            order,
            vec![(a, Place::Freezer), (a, Place::Fridge), (b, Place::Fridge)]
        );
        assert_eq!((s.fridge_ml, s.freezer_ml), (130.0, 60.0));
        assert_eq!((s.expiring, s.expiring_ml, s.expired), (2, 130.0, 0));
        // 190 ml at 95 a day would be 2 days, but b's 90 ml must be used by
        // 5 h after a day from now: 40 ml (0.42 days), then b until its date
        // (0.79 of its 0.95 days), then the freezer's 60 (0.63).
        let expected = 40.0 / 95.0 + (1.0 + 5.0 / 24.0 - 40.0 / 95.0) + 60.0 / 95.0;
        let days = s.days_of_supply.unwrap();
        assert!(
            (days - expected).abs() < 1e-9,
            "{days} days, {expected} expected"
        );
        // Five days on, the fridge milk is past its date: listed, not counted.
        let s = d.stash(T0 + 5 * DAY_MS, &need).unwrap();
        assert_eq!((s.fridge_ml, s.freezer_ml, s.expired), (0.0, 60.0, 2));
        assert_eq!(s.portions.len(), 3);
        // A bottle left on the counter counts for 4 hours.
        let c = pumped(&mut d, now - HOUR, 70.0, &[share(Place::Room, 70.0)]);
        let s = d.stash(now, &need).unwrap();
        assert_eq!(s.room_ml, 70.0);
        let last = s.portions.last().unwrap();
        assert_eq!((last.session_id, last.place), (c, Place::Room));
        let later = d.stash(now + 3 * HOUR + 1, &need).unwrap();
        assert_eq!((later.room_ml, later.expired), (0.0, 1), "past its 4 hours");
        d.use_milk(last.id, Used::Fed, now).unwrap();
        // With no daily need there is no "days of supply".
        let s = d.stash(now, &Keeping::default()).unwrap();
        assert_eq!(s.days_of_supply, None);
        assert_eq!(days_of_supply(&[(300.0, 100.0)], 120.0), Some(2.5));
        // 200 ml in the fridge for one more day, at 100 a day: only 100 of it
        // is used in time; the freezer's 300 follow.
        let mixed = [(300.0, 180.0), (200.0, 1.0)];
        assert_eq!(days_of_supply(&mixed, 100.0), Some(4.0));
        assert_eq!(days_of_supply(&mixed, 0.0), None);
    }

    #[test]
    fn thawed_milk_gets_a_day_and_is_never_frozen_again() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = pumped(&mut d, T0, 60.0, &[share(Place::Freezer, 60.0)]);
        let frozen = d.session_milk(id).unwrap()[0].clone();
        let k = Keeping::default();
        let later = T0 + 30 * DAY_MS;
        d.thaw_milk(frozen.id, later).unwrap();
        let thawed = d.session_milk(id).unwrap()[0].clone();
        assert_eq!((thawed.place, thawed.thawed), (Place::Fridge, true));
        assert_eq!(thawed.use_by_ms, Some(later + DAY_MS));
        let refused = d.freeze_milk(frozen.id, &k, later).unwrap_err().to_string();
        assert!(
            refused.contains("can't go back in the freezer"),
            "{refused}"
        );
        assert_eq!(d.session_milk(id).unwrap()[0], thawed, "unchanged");
        assert!(d.thaw_milk(frozen.id, later).is_err(), "already thawed");
        // Past its date, milk is neither thawed nor frozen: only used or thrown away.
        let old = pumped(&mut d, T0, 30.0, &[share(Place::Freezer, 30.0)]);
        let old = d.session_milk(old).unwrap()[0].id;
        let e = d.thaw_milk(old, T0 + 400 * DAY_MS).unwrap_err();
        assert!(e.to_string().contains("past its use-by date"), "{e}");
        // Fresh fridge milk may still be frozen, dated from when it was pumped.
        let fresh = pumped(&mut d, T0, 40.0, &[share(Place::Fridge, 40.0)]);
        let p = d.session_milk(fresh).unwrap()[0].clone();
        d.freeze_milk(p.id, &k, T0).unwrap();
        let p = d.session_milk(fresh).unwrap()[0].clone();
        assert_eq!(
            (p.place, p.use_by_ms),
            (Place::Freezer, k.use_by(Place::Freezer, T0))
        );
    }

    #[test]
    fn used_milk_leaves_the_stash_and_undo_brings_it_back() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = pumped(&mut d, T0, 80.0, &[share(Place::Fridge, 80.0)]);
        let p = d.session_milk(id).unwrap()[0].id;
        let k = Keeping::default();
        d.use_milk(p, Used::Fed, T0 + HOUR).unwrap();
        assert!(d.stash(T0 + HOUR, &k).unwrap().portions.is_empty());
        assert_eq!(
            d.session_milk(id).unwrap()[0].used_how.as_deref(),
            Some("fed")
        );
        assert!(d.use_milk(p, Used::Fed, T0 + HOUR).is_err(), "used once");
        d.unuse_milk(p).unwrap();
        assert_eq!(d.stash(T0 + HOUR, &k).unwrap().fridge_ml, 80.0);
    }

    #[test]
    fn a_use_by_date_cannot_come_before_the_milk_was_pumped() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = pumped(&mut d, T0, 80.0, &[share(Place::Freezer, 80.0)]);
        let p = d.session_milk(id).unwrap()[0].clone();
        let e = d
            .label_milk(p.id, Some("bag 7"), Some(T0 - HOUR))
            .unwrap_err();
        assert!(e.to_string().contains("before the milk was pumped"), "{e}");
        assert_eq!(d.session_milk(id).unwrap()[0], p, "unchanged");
        d.label_milk(p.id, Some(" bag 7 "), Some(T0 + DAY_MS))
            .unwrap();
        let p = d.session_milk(id).unwrap()[0].clone();
        assert_eq!(
            (p.label.as_deref(), p.use_by_ms),
            (Some("bag 7"), Some(T0 + DAY_MS))
        );
        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        assert!(d.label_milk(p.id, Some(&long), None).is_err());
    }

    #[test]
    fn portions_follow_the_sessions_amount_and_its_deletion() {
        let mut d = Diary::open_in_memory().unwrap();
        let id = pumped(
            &mut d,
            T0,
            100.0,
            &[share(Place::Freezer, 60.0), share(Place::Fridge, 40.0)],
        );
        let k = Keeping::default();
        let edit = |d: &mut Diary, total: Option<f64>| {
            let finish = Finish {
                amount_total_ml: total,
                ..Finish::default()
            };
            let edit = crate::history::Edit {
                finish,
                ..Default::default()
            };
            d.edit_session(id, edit).unwrap();
        };
        edit(&mut d, Some(150.0));
        let amounts: Vec<(Place, f64)> = d
            .session_milk(id)
            .unwrap()
            .iter()
            .map(|p| (p.place, p.amount_ml))
            .collect();
        assert_eq!(amounts, vec![(Place::Freezer, 90.0), (Place::Fridge, 60.0)]);
        // An awkward amount still adds up, to the tenth of a ml.
        edit(&mut d, Some(77.0));
        let sum: f64 = d
            .session_milk(id)
            .unwrap()
            .iter()
            .map(|p| p.amount_ml)
            .sum();
        assert!((sum - 77.0).abs() < 1e-9, "{sum}");

        // Deleted with its milk: gone from the stash, and back with undo.
        d.delete_session_with_milk(id, T0 + DAY_MS, MilkOnDelete::Remove)
            .unwrap();
        assert!(d.stash(T0 + DAY_MS, &k).unwrap().portions.is_empty());
        d.undelete_session(id).unwrap();
        assert_eq!(d.stash(T0 + DAY_MS, &k).unwrap().portions.len(), 2);
        // Deleted, keeping the milk: the stash still holds it.
        d.delete_session_with_milk(id, T0 + DAY_MS, MilkOnDelete::Keep)
            .unwrap();
        assert_eq!(d.stash(T0 + DAY_MS, &k).unwrap().portions.len(), 2);
        d.undelete_session(id).unwrap();
        // No amount at all is refused while its milk is in the stash...
        let finish = Finish::default();
        let refused = d.edit_session(
            id,
            crate::history::Edit {
                finish,
                ..Default::default()
            },
        );
        assert!(refused.unwrap_err().to_string().contains("in the stash"));
        assert_eq!(d.session_milk(id).unwrap().len(), 2, "nothing lost");
        // ...and once it is used, the session's record of it goes.
        for p in d.session_milk(id).unwrap() {
            d.use_milk(p.id, Used::Fed, T0 + DAY_MS).unwrap();
        }
        edit(&mut d, None);
        assert!(d.session_milk(id).unwrap().is_empty());
    }
}
