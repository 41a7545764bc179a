//! The craving log and mentor contacts, as `Kindred` use cases.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime};
use kindred_core::clock::{local_date, ZonedDateTime};
use kindred_core::ids::{ContactId, CravingId};
use kindred_core::ipc::{
    ContactChannel, ContactMentorReq, ContactView, ContactsView, CravingDay, CravingLogView,
    CravingRef, CravingRow, CravingView, EndSurfReq, LogCravingReq, LoggedCraving, SaveContactReq,
    SaveCravingReq,
};
use kindred_core::model::contact::{self, Contact, Hours, RawContact, Role};
use kindred_core::model::craving::{
    self, Craving, Details, RawDetails, Surf, DEFAULT_COPING, INTENSE,
};
use kindred_core::model::help;

use crate::store::{contacts, cravings, insights};
use crate::{views, Error, Kindred, Result};

/// How many days back the craving list goes.
const LOG_DAYS: i64 = 60;
/// Most entries the craving list shows.
const LOG_LIMIT: u32 = 500;

/// Weeks in the insights trend.
const INSIGHT_WEEKS: usize = 12;

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn hours_text(h: &Hours) -> String {
    let days: Vec<&str> =
        h.days.iter().filter_map(|d| WEEKDAYS.get(usize::from(*d)).copied()).collect();
    let days = match days.as_slice() {
        [] => String::new(),
        all if all.len() == 7 => "Every day".to_owned(),
        ["Mon", "Tue", "Wed", "Thu", "Fri"] => "Mon–Fri".to_owned(),
        some => some.join(", "),
    };
    format!("{days} {}–{}", h.from.format("%H:%M"), h.to.format("%H:%M"))
}

impl Kindred {
    /// Quick log: an intensity, now. Saved before this returns.
    pub fn log_craving(&mut self, req: LogCravingReq) -> Result<LoggedCraving> {
        let intensity = craving::intensity(req.intensity)?;
        let now = self.now();
        let tz = self.settings()?.tz;
        let c = Craving {
            id: CravingId(self.ids.next()),
            at: ZonedDateTime::from_instant(now, tz),
            intensity,
            details: Details::default(),
            surf: None,
        };
        self.write(now, |tx, ctx| cravings::insert(tx, ctx, &c))?;
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
        if self.write(now, |tx, _| cravings::undelete(tx, id))? {
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

    fn contact_view(&self, c: Contact, tz: chrono_tz::Tz) -> ContactView {
        let now_local = ZonedDateTime::from_instant(self.now(), tz).local;
        let hm = |t: NaiveTime| t.format("%H:%M").to_string();
        ContactView {
            role: c.role,
            available_now: c.hours.as_ref().is_none_or(|h| h.contains(now_local)),
            hours_text: c.hours.as_ref().map(hours_text),
            hours_days: c.hours.as_ref().map(|h| h.days.clone()).unwrap_or_default(),
            hours_from: c.hours.as_ref().map(|h| hm(h.from)).unwrap_or_else(|| "09:00".into()),
            hours_to: c.hours.as_ref().map(|h| hm(h.to)).unwrap_or_else(|| "17:00".into()),
            name: c.name,
            phone: c.phone,
            sms: c.sms,
            email: c.email,
            note: c.note.unwrap_or_default(),
        }
    }

    /// Both mentor contacts, with whether each is available now.
    pub fn get_contacts(&mut self) -> Result<ContactsView> {
        let tz = self.settings()?.tz;
        let (p, b) = self
            .store
            .read(|tx| Ok((contacts::get(tx, Role::Primary)?, contacts::get(tx, Role::Backup)?)))?;
        Ok(ContactsView {
            primary: p.map(|c| self.contact_view(c, tz)),
            backup: b.map(|c| self.contact_view(c, tz)),
        })
    }

    /// Creates or changes a mentor contact.
    pub fn save_contact(&mut self, req: SaveContactReq) -> Result<()> {
        let time = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| kindred_core::Error::InvalidTimeOfDay)
        };
        let hours = if req.hours_days.is_empty() {
            None
        } else {
            Some(Hours {
                days: req.hours_days,
                from: time(&req.hours_from)?,
                to: time(&req.hours_to)?,
            })
        };
        let f = contact::fields(RawContact {
            name: req.name,
            phone: req.phone,
            sms: req.sms,
            email: req.email,
            hours,
            note: req.note,
        })?;
        let c = Contact {
            id: ContactId(self.ids.next()),
            role: req.role,
            name: f.name,
            phone: f.phone,
            sms: f.sms,
            email: f.email,
            hours: f.hours,
            note: f.note,
        };
        let now = self.now();
        self.write(now, |tx, ctx| contacts::save(tx, ctx, &c))
    }

    /// The `tel:`, `sms:` or `mailto:` link for reaching a mentor, built from the stored contact.
    pub fn mentor_link(&mut self, req: ContactMentorReq) -> Result<String> {
        let c =
            self.store.read(|tx| contacts::get(tx, req.role))?.ok_or(Error::NotFound("contact"))?;
        let missing = Error::NotFound("contact detail");
        match req.channel {
            ContactChannel::Call => c.phone.map(|p| contact::tel_url(&p)).ok_or(missing),
            ContactChannel::Text => c.sms.or(c.phone).map(|p| contact::sms_url(&p)).ok_or(missing),
            ContactChannel::Email => c.email.map(|e| contact::mailto_url(&e)).ok_or(missing),
        }
    }
}

/// The link of a bundled help line.
pub fn help_link(id: &str) -> Result<&'static str> {
    help::help_line(id).map(|h| h.url).ok_or(Error::NotFound("help line"))
}
