//! The craving log, as `Kindred` use cases: quick log, details, urge surfing, delete with undo,
//! the log by day and insights. Mirrors the shell's `commands/cravings.rs`.

use std::collections::BTreeMap;

use chrono::Duration;
use kindred_core::clock::{local_date, ZonedDateTime};
use kindred_core::ids::CravingId;
use kindred_core::ipc::{
    CravingDay, CravingLogView, CravingRef, CravingRow, CravingView, EndSurfReq, LogCravingReq,
    LoggedCraving, SaveCravingReq,
};
use kindred_core::model::craving::{
    self, Craving, Details, RawDetails, Surf, DEFAULT_COPING, INTENSE,
};

use crate::store::{self, cravings, insights};
use crate::{views, Error, Kindred, Result};

/// How many days back the craving list goes.
const LOG_DAYS: i64 = 60;
/// Most entries the craving list shows.
const LOG_LIMIT: u32 = 500;

/// Weeks in the insights trend.
const INSIGHT_WEEKS: usize = 12;

impl Kindred {
    /// Quick log: an intensity, now. Saved before this returns.
    pub fn log_craving(&mut self, req: LogCravingReq) -> Result<LoggedCraving> {
        let intensity = craving::intensity(req.intensity)?;
        let now = self.now();
        let default_tz = self.default_tz;
        // One transaction: the zone is read inside the write (PERF.md P1).
        let (c, tz) = self.write(now, |tx, ctx| {
            let tz = store::settings::get(tx)?.map_or(default_tz, |s| s.tz);
            let c = Craving {
                id: CravingId(ctx.ids.next()),
                at: ZonedDateTime::from_instant(now, tz),
                intensity,
                details: Details::default(),
                surf: None,
            };
            cravings::insert(tx, ctx, &c)?;
            Ok((c, tz))
        })?;
        Ok(LoggedCraving {
            id: c.id,
            time: now.with_timezone(&tz).format("%H:%M").to_string(),
            offer_plan: intensity >= INTENSE,
        })
    }

    fn live_craving(&mut self, id: &str) -> Result<Craving> {
        let id: CravingId = id.parse()?;
        self.store.read(|tx| cravings::get(tx, id))?.ok_or(Error::NotFound("craving"))
    }

    /// One craving with its details, for the form.
    pub fn craving_detail(&mut self, req: CravingRef) -> Result<CravingView> {
        let c = self.live_craving(&req.id)?;
        let tz = self.settings()?.tz;
        let mut coping_options: Vec<String> =
            DEFAULT_COPING.iter().map(|s| (*s).to_owned()).collect();
        let own = self.store.read(|tx| cravings::coping_seen(tx, 100))?;
        for o in own {
            if !coping_options.contains(&o) {
                coping_options.push(o);
            }
        }
        let d = c.details;
        Ok(CravingView {
            id: c.id,
            when: views::when(c.at.instant(), tz),
            title: format!(
                "{} · {}",
                views::when_words(c.at.instant(), self.now(), tz),
                views::intensity_word(c.intensity)
            ),
            intensity: c.intensity,
            triggers: d.triggers,
            tags: d.tags,
            place: d.place.unwrap_or_default(),
            with_whom: d.with_whom.unwrap_or_default(),
            coping: d.coping,
            outcome: d.outcome,
            end_intensity: d.end_intensity,
            note: d.note.unwrap_or_default(),
            coping_options,
            surf_started_ms: c.surf.map(|s| s.started_at.timestamp_millis()),
            surf_ended_ms: c.surf.and_then(|s| s.ended_at).map(|t| t.timestamp_millis()),
            now_ms: self.now().timestamp_millis(),
        })
    }

    /// Starts urge surfing on a craving (now). Starting again while one runs keeps the first
    /// start, so the timer survives the app being closed and reopened.
    pub fn start_surf(&mut self, req: CravingRef) -> Result<()> {
        let c = self.live_craving(&req.id)?;
        if c.surf.is_some_and(|s| s.ended_at.is_none()) {
            return Ok(());
        }
        let now = self.now();
        let surf = Surf { started_at: now, ended_at: None };
        self.write(now, |tx, ctx| cravings::set_surf(tx, ctx, c.id, surf))
    }

    /// Ends urge surfing (now) and records the intensity at the end.
    pub fn end_surf(&mut self, req: EndSurfReq) -> Result<()> {
        let end = craving::intensity(req.end_intensity)?;
        let c = self.live_craving(&req.id)?;
        let Some(started) = c.surf.map(|s| s.started_at) else {
            return Err(Error::NotFound("urge-surfing session"));
        };
        let now = self.now();
        let surf = Surf { started_at: started, ended_at: Some(now.max(started)) };
        let details = Details { end_intensity: Some(end), ..c.details };
        self.write(now, |tx, ctx| {
            cravings::set_surf(tx, ctx, c.id, surf)?;
            cravings::update_details(tx, ctx, c.id, &details)?;
            Ok(())
        })
    }

    /// Saves a craving's details.
    pub fn save_craving(&mut self, req: SaveCravingReq) -> Result<()> {
        let details = craving::details(RawDetails {
            triggers: req.triggers,
            tags: req.tags,
            place: req.place,
            with_whom: req.with_whom,
            coping: req.coping,
            outcome: req.outcome,
            end_intensity: req.end_intensity,
            note: req.note,
        })?;
        let c = self.live_craving(&req.id)?;
        if c.details == details {
            return Ok(());
        }
        let now = self.now();
        self.write(now, |tx, ctx| cravings::update_details(tx, ctx, c.id, &details))?;
        Ok(())
    }

    /// Deletes a craving; [`Kindred::undo_delete_craving`] brings it back until it is sent.
    pub fn delete_craving(&mut self, req: CravingRef) -> Result<()> {
        let c = self.live_craving(&req.id)?;
        let now = self.now();
        self.write(now, |tx, ctx| cravings::delete(tx, ctx, c.id))?;
        Ok(())
    }

    /// Undoes an unsent craving delete.
    pub fn undo_delete_craving(&mut self, req: CravingRef) -> Result<()> {
        let id: CravingId = req.id.parse()?;
        let now = self.now();
        if self.write(now, |tx, ctx| cravings::undelete(tx, ctx.now_ms, id))? {
            Ok(())
        } else {
            Err(Error::UndoExpired)
        }
    }

    /// The craving list by local day (mentee's zone), newest first, last 60 days.
    pub fn craving_log(&mut self) -> Result<CravingLogView> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let from = now - Duration::days(LOG_DAYS);
        let list = self
            .store
            .read(|tx| cravings::list(tx, from, now + Duration::minutes(1), LOG_LIMIT))?;
        let mut days: BTreeMap<chrono::NaiveDate, Vec<CravingRow>> = BTreeMap::new();
        for c in list {
            let at = c.at.instant();
            days.entry(local_date(at, tz)).or_default().push(CravingRow {
                id: c.id,
                time: at.with_timezone(&tz).format("%H:%M").to_string(),
                intensity: c.intensity,
                triggers: c.details.triggers,
                outcome: c.details.outcome,
            });
        }
        Ok(CravingLogView {
            days: days
                .into_iter()
                .rev()
                .map(|(d, entries)| CravingDay {
                    day: d.format("%a %-d %b %Y").to_string(),
                    entries,
                })
                .collect(),
        })
    }

    /// Insights over every live craving; the weekly trend covers the last 12 weeks.
    pub fn insights(&mut self) -> Result<kindred_core::insights::Insights> {
        let today = local_date(self.now(), self.settings()?.tz);
        self.store.read(|tx| insights::insights(tx, today, INSIGHT_WEEKS))
    }
}
