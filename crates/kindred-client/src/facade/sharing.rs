//! Sharing (SECURITY.md AZ-3): the mentee grants a linked mentor some categories, sees each
//! grant's receipt and what every mentor can see now, stops a grant in one tap, and reads the
//! log of who looked with a weekly summary. Nothing is shared until a grant; widening or
//! narrowing makes a new grant and stops the old one in the same transaction.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate};
use kindred_core::clock::{local_date, start_of_day};
use kindred_core::consent::{self, Category, Event, Grant, NEVER_TEXT, REVOKE_TEXT};
use kindred_core::ipc::{
    CategoryInfo, DisclosureLogView, DisclosureView, GrantReq, GrantView, MentorOption,
    RevokeGrantReq, SharingView,
};
use kindred_core::model::contact;

use crate::store::consent as store;
use crate::{views, Error, Kindred, Result};

/// This app's version, kept with every grant (the signing act).
const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Weeks the log's summary covers.
const SUMMARY_WEEKS: i64 = 4;

fn category_list(keys: &[String]) -> Result<BTreeSet<Category>> {
    let mut out = BTreeSet::new();
    for k in keys {
        out.insert(Category::parse(k).ok_or(kindred_core::Error::NothingToShare)?);
    }
    if out.is_empty() {
        return Err(kindred_core::Error::NothingToShare.into());
    }
    Ok(out)
}

fn titles(c: &BTreeSet<Category>) -> Vec<String> {
    c.iter().map(|c| c.title().to_owned()).collect()
}

/// "milestones, check-ins and a summary of cravings".
fn sentence(items: &[String]) -> String {
    let lower: Vec<String> = items
        .iter()
        .map(|t| {
            let mut c = t.chars();
            c.next().map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
        })
        .collect();
    match lower.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl Kindred {
    /// The "who can see what" screen.
    pub fn sharing(&mut self) -> Result<SharingView> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let connected = self.enrolment()?.is_some();
        let (links, events) = self.store.read(|tx| Ok((store::links(tx)?, store::events(tx)?)))?;
        let active =
            |a: &str, r: &str| links.iter().any(|l| l.id == a && l.mentor_id == r && l.active);
        let plain: Vec<Event> = events.iter().map(|s| s.event.clone()).collect();
        let live = consent::effective(&plain, &active, now.timestamp_millis());
        let mut grants = Vec::new();
        for s in events.iter().rev() {
            let Event::Grant(g) = &s.event else { continue };
            let link = links.iter().find(|l| l.id == g.assignment);
            let is_live = live.iter().any(|a| a.grant_id == g.id);
            let revoked =
                events.iter().find(|e| matches!(&e.event, Event::Revoke(r) if r.grant_id == g.id));
            let revoke = revoked.map(|e| match &e.event {
                Event::Revoke(r) => r.signed_at,
                Event::Grant(_) => 0,
            });
            // The program holds this grant's latest state (its stop, once stopped).
            let synced = revoked.map_or(s.synced, |r| r.synced);
            let at = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or(now);
            let state = match (is_live, revoke, g.expires_at) {
                (true, _, _) => "Sharing now".to_owned(),
                (false, Some(t), _) => format!("Stopped on {}", views::day(at(t), tz)),
                (false, None, Some(t)) if t <= now.timestamp_millis() => {
                    format!("Ended on {}", views::day(at(t - 1), tz))
                }
                _ => "Ended: this mentor is no longer linked to you".to_owned(),
            };
            grants.push(GrantView {
                id: g.id.clone(),
                mentor: s
                    .recipient_name
                    .clone()
                    .or_else(|| link.map(|l| l.name.clone()))
                    .unwrap_or_default(),
                program: link.map(|l| l.program.clone()).unwrap_or_default(),
                categories: titles(&g.categories),
                category_keys: g.categories.iter().map(|c| c.as_str().to_owned()).collect(),
                purpose: g.purpose.clone(),
                until: g.expires_at.map_or_else(
                    || "Until you change it".to_owned(),
                    |t| format!("Until the end of {}", views::day(at(t - 1), tz)),
                ),
                signed: format!(
                    "You agreed on {} (Kindred {}, consent text version {})",
                    views::when(at(g.signed_at), tz),
                    s.app_version,
                    s.text_version
                ),
                live: is_live,
                state,
                synced,
                phone: g.phone.clone(),
            });
        }
        let mut now_lines = Vec::new();
        for l in links.iter().filter(|l| l.active) {
            let cats: BTreeSet<Category> =
                live.iter().filter(|a| a.recipient == l.mentor_id).map(|a| a.category).collect();
            now_lines.push(if cats.is_empty() {
                format!("{} sees nothing of yours.", l.name)
            } else {
                format!("{} can see your {}.", l.name, sentence(&titles(&cats)))
            });
        }
        Ok(SharingView {
            connected,
            categories: Category::ALL
                .iter()
                .map(|c| CategoryInfo {
                    key: c.as_str().into(),
                    title: c.title().into(),
                    description: c.description().into(),
                })
                .collect(),
            mentors: links
                .iter()
                .map(|l| MentorOption {
                    assignment_id: l.id.clone(),
                    name: l.name.clone(),
                    program: l.program.clone(),
                    active: l.active,
                })
                .collect(),
            grants,
            now: now_lines,
            revoke_text: REVOKE_TEXT.into(),
            never_text: NEVER_TEXT.into(),
        })
    }

    /// Shares categories with a linked mentor (and stops the grant it replaces, if any).
    pub fn grant_sharing(&mut self, req: GrantReq) -> Result<SharingView> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let categories = category_list(&req.categories)?;
        let links = self.store.read(store::links)?;
        let link = links
            .into_iter()
            .find(|l| l.id == req.assignment_id && l.active)
            .ok_or(kindred_core::Error::MentorNotLinked)?;
        let expires_at = match req.until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(d) => {
                let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    kindred_core::Error::InvalidDateTime(d.chars().take(20).collect())
                })?;
                if day <= local_date(now, tz) {
                    return Err(kindred_core::Error::ExpiryInPast.into());
                }
                // Sharing lasts to the end of that day in the mentee's zone.
                Some(start_of_day(day + Duration::days(1), tz).timestamp_millis())
            }
        };
        let phone = match req.phone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(p) => contact::phone(p)?,
        };
        let replaces = match &req.replaces {
            None => None,
            Some(id) => {
                let view = self.sharing()?;
                let old =
                    view.grants.iter().find(|g| &g.id == id).ok_or(Error::NotFound("sharing"))?;
                if !old.live {
                    return Err(kindred_core::Error::GrantEnded.into());
                }
                Some(id.clone())
            }
        };
        let id = self.ids.next();
        let grant = store::grant_event(
            id,
            Grant {
                id: String::new(),
                assignment: link.id.clone(),
                recipient: link.mentor_id.clone(),
                categories,
                purpose: format!("Peer recovery support from {} at {}", link.name, link.program),
                expires_at,
                signed_at: now.timestamp_millis(),
                phone,
            },
        );
        let revoke =
            replaces.map(|old| store::revoke_event(self.ids.next(), &old, now.timestamp_millis()));
        self.write(now, |tx, ctx| {
            store::append(tx, ctx, &grant, Some(&link.name), APP_VERSION)?;
            if let Some(r) = &revoke {
                store::append(tx, ctx, r, None, APP_VERSION)?;
            }
            Ok(())
        })?;
        self.sharing()
    }

    /// Stops a grant: from the next sync, the mentor sees nothing it allowed.
    pub fn revoke_sharing(&mut self, req: RevokeGrantReq) -> Result<SharingView> {
        let now = self.now();
        let events = self.store.read(store::events)?;
        let id = req.grant_id.as_str();
        if !events.iter().any(|e| matches!(&e.event, Event::Grant(g) if g.id == id)) {
            return Err(Error::NotFound("sharing"));
        }
        let already =
            events.iter().any(|e| matches!(&e.event, Event::Revoke(r) if r.grant_id == id));
        if !already {
            let r = store::revoke_event(self.ids.next(), id, now.timestamp_millis());
            self.write(now, |tx, ctx| store::append(tx, ctx, &r, None, APP_VERSION))?;
        }
        self.sharing()
    }

    /// The log of who looked: a summary of recent weeks and the rows, newest first.
    pub fn disclosure_log(&mut self) -> Result<DisclosureLogView> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let rows = self.store.read(|tx| store::disclosures(tx, 5000))?;
        let title =
            |k: &String| Category::parse(k).map_or_else(|| k.clone(), |c| c.title().to_owned());
        let today = local_date(now, tz);
        let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let mut weeks: BTreeMap<i64, BTreeMap<String, (usize, BTreeSet<String>)>> = BTreeMap::new();
        for r in &rows {
            let Some(at) = DateTime::from_timestamp_millis(r.at) else { continue };
            let ago = (monday - local_date(at, tz)).num_days();
            let w = if ago <= 0 { 0 } else { (ago + 6) / 7 };
            if w >= SUMMARY_WEEKS {
                continue;
            }
            let e = weeks.entry(w).or_default().entry(r.mentor.clone()).or_default();
            e.0 += 1;
            e.1.extend(r.categories.iter().map(title));
        }
        let summary = (0..SUMMARY_WEEKS)
            .map(|w| {
                let label = match w {
                    0 => "This week".to_owned(),
                    1 => "Last week".to_owned(),
                    n => format!("Week of {}", (monday - Duration::weeks(n)).format("%-d %b")),
                };
                match weeks.get(&w) {
                    None => format!("{label}: no one looked."),
                    Some(m) => {
                        let parts: Vec<String> = m
                            .iter()
                            .map(|(who, (n, cats))| {
                                let times =
                                    if *n == 1 { "once".to_owned() } else { format!("{n} times") };
                                let cats: Vec<String> = cats.iter().cloned().collect();
                                format!("{who} looked {times} at your {}", sentence(&cats))
                            })
                            .collect();
                        format!("{label}: {}.", parts.join("; "))
                    }
                }
            })
            .collect();
        // Spreadsheet formulas are defused by the one CSV writer the export uses.
        let csv = crate::export::csv_of(
            &["when_utc", "mentor", "categories", "purpose", "page", "consent_ids"],
            rows.iter().map(|r| {
                vec![
                    DateTime::from_timestamp_millis(r.at)
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_default(),
                    r.mentor.clone(),
                    r.categories.join(" "),
                    r.purpose.clone(),
                    r.channel.clone(),
                    r.consent_ids.join(" "),
                ]
            }),
        )?;
        Ok(DisclosureLogView {
            weeks: summary,
            rows: rows
                .iter()
                .map(|r| DisclosureView {
                    when: views::when(DateTime::from_timestamp_millis(r.at).unwrap_or(now), tz),
                    mentor: r.mentor.clone(),
                    categories: r.categories.iter().map(title).collect(),
                    purpose: r.purpose.clone(),
                    page: if r.channel == "caseload" {
                        "your line on their list".into()
                    } else {
                        "your page".into()
                    },
                })
                .collect(),
            csv,
        })
    }

    /// The disclosure pull's cursor.
    pub(crate) fn disclosure_cursor(&mut self) -> Result<(i64, String)> {
        self.store.read(store::disclosure_cursor)
    }

    /// Stores a pulled page of the disclosure log.
    pub(crate) fn store_disclosures(
        &mut self,
        rows: &[kindred_core::sync::account::DisclosureRow],
    ) -> Result<usize> {
        self.store.write(|tx| store::store_disclosures(tx, rows))
    }
}
