//! Mentor contacts and the bundled help lines, as `Kindred` use cases. Mirrors the shell's
//! `commands/mentor.rs`.

use chrono::NaiveTime;
use kindred_core::clock::ZonedDateTime;
use kindred_core::ids::ContactId;
use kindred_core::ipc::{
    ContactChannel, ContactMentorReq, ContactView, ContactsView, SaveContactReq,
};
use kindred_core::model::contact::{self, Contact, Hours, RawContact, Role};
use kindred_core::model::help;

use crate::store::contacts;
use crate::{Error, Kindred, Result};

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
        // What is stored may have come from the program's server: checked again here.
        let stored = match req.channel {
            ContactChannel::Call => c.phone,
            ContactChannel::Text => c.sms.or(c.phone),
            ContactChannel::Email => c.email,
        }
        .ok_or(Error::NotFound("contact detail"))?;
        match req.channel {
            ContactChannel::Call => {
                contact::dialable(&stored).map(|p| contact::tel_url(&p)).ok_or(Error::NotDialable)
            }
            ContactChannel::Text => {
                contact::dialable(&stored).map(|p| contact::sms_url(&p)).ok_or(Error::NotDialable)
            }
            ContactChannel::Email => contact::mailable(&stored)
                .map(|e| contact::mailto_url(&e))
                .ok_or(Error::NotMailable),
        }
    }

    /// The link of a bundled help line. Needs no store: help must work even when the data
    /// file can't be opened.
    pub fn help_link(id: &str) -> Result<&'static str> {
        help::help_line(id).map(|h| h.url).ok_or(Error::NotFound("help line"))
    }
}
