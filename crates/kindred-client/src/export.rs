//! Export everything as one versioned JSON document (device-only text included) and as CSV per
//! kind of record; import that JSON into a fresh install.
//!
//! Import treats the file as hostile: a size cap, serde_json's nesting limit, unknown fields
//! refused, the format and version checked, and every record validated by the same domain rules
//! as the app's own forms. It is written in one transaction, so a bad file changes nothing.

use chrono::{DateTime, Utc};
use kindred_core::model::check_in::{self, CheckIn};
use kindred_core::model::contact::{self, Contact, RawContact, Role};
use kindred_core::model::craving::{self, Craving, RawDetails};
use kindred_core::model::plan::{self, Goal, PlanItem};
use kindred_core::model::settings::Settings;
use kindred_core::model::text;
use kindred_core::model::tracker::{self, Reset, Tracker};
use serde::{Deserialize, Serialize};

use crate::store::{contacts, cravings, journal, settings, trackers};
use crate::{Error, Kindred, Result};

/// The `format` field of every export.
pub const FORMAT: &str = "kindred-export";
/// The export version this build writes and the newest it reads.
pub const VERSION: u32 = 1;
/// Largest export file accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// A milestone the mentee saw celebrated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seen {
    pub tracker_id: kindred_core::ids::TrackerId,
    pub milestone_key: String,
}

/// Everything Kindred keeps, in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub exported_at: DateTime<Utc>,
    pub settings: Option<Settings>,
    pub trackers: Vec<Tracker>,
    pub resets: Vec<Reset>,
    pub milestones_seen: Vec<Seen>,
    pub cravings: Vec<Craving>,
    pub contacts: Vec<Contact>,
    pub check_ins: Vec<CheckIn>,
    pub goals: Vec<Goal>,
    pub plan: Vec<PlanItem>,
    /// The log of who looked (from the program; not imported: a connected phone pulls it
    /// again). Absent from exports made before it existed.
    #[serde(default)]
    pub who_looked: Vec<kindred_core::sync::account::DisclosureRow>,
}

/// Why an import was refused, in plain words.
fn refused(why: &str) -> Error {
    Error::Import(why.to_owned())
}

impl Kindred {
    /// Everything, as an [`Export`].
    pub fn export(&mut self) -> Result<Export> {
        let now = self.now();
        self.store.read(|tx| {
            let rows = trackers::list(tx)?;
            let mut resets = Vec::new();
            let mut seen = Vec::new();
            for r in &rows {
                resets.extend(trackers::resets(tx, r.tracker.id)?.into_iter().map(|r| r.reset));
                let mut keys: Vec<String> =
                    trackers::seen_keys(tx, r.tracker.id)?.into_iter().collect();
                keys.sort();
                seen.extend(
                    keys.into_iter().map(|k| Seen { tracker_id: r.tracker.id, milestone_key: k }),
                );
            }
            let mut list =
                cravings::list(tx, DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, u32::MAX)?;
            list.reverse();
            let mut check_ins = journal::check_ins(tx, DateTime::<Utc>::MIN_UTC, u32::MAX)?;
            check_ins.reverse();
            Ok(Export {
                format: FORMAT.to_owned(),
                version: VERSION,
                exported_at: now,
                settings: settings::get(tx)?,
                trackers: rows.into_iter().map(|r| r.tracker).collect(),
                resets,
                milestones_seen: seen,
                cravings: list,
                contacts: [Role::Primary, Role::Backup]
                    .into_iter()
                    .map(|role| contacts::get(tx, role))
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .flatten()
                    .collect(),
                check_ins,
                goals: journal::goals(tx)?,
                plan: journal::plan(tx)?,
                who_looked: crate::store::consent::disclosures(tx, u32::MAX)?,
            })
        })
    }

    /// Everything as pretty JSON.
    pub fn export_json(&mut self) -> Result<String> {
        Ok(serde_json::to_string_pretty(&self.export()?)?)
    }

    /// Imports an export into this (fresh) install. All or nothing.
    pub fn import_json(&mut self, bytes: &[u8]) -> Result<ImportSummary> {
        if bytes.len() > MAX_BYTES {
            return Err(refused("That file is too big to be a Kindred export."));
        }
        let head: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| {
            refused("That file isn't a complete Kindred export (it may be cut short).")
        })?;
        if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(refused("That file isn't a Kindred export."));
        }
        match head.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v > u64::from(VERSION) => {
                return Err(refused(
                    "That export was made by a newer Kindred. Please update the app first.",
                ))
            }
            Some(_) => {}
            None => return Err(refused("That export has no version.")),
        }
        let e: Export = serde_json::from_value(head).map_err(|_| {
            refused(
                "That export has fields this app doesn't understand, or values of the wrong kind.",
            )
        })?;
        let e = validate(e, self.now())?;
        let now = self.now();
        self.write(now, |tx, ctx| {
            let existing: i64 = tx.query_row(
                "SELECT (SELECT count(*) FROM tracker) + (SELECT count(*) FROM craving)
                      + (SELECT count(*) FROM check_in) + (SELECT count(*) FROM goal)
                      + (SELECT count(*) FROM plan_item) + (SELECT count(*) FROM mentor_contact)",
                [],
                |r| r.get(0),
            )?;
            if existing > 0 {
                return Err(refused(
                    "Import works on a fresh install only, so nothing here is overwritten.",
                ));
            }
            if let Some(s) = &e.settings {
                settings::save(tx, ctx, s)?;
            }
            for t in &e.trackers {
                trackers::insert(tx, ctx, t)?;
            }
            for r in &e.resets {
                trackers::insert_reset(tx, ctx, r)?;
            }
            for s in &e.milestones_seen {
                trackers::mark_seen(tx, ctx, s.tracker_id, &s.milestone_key)?;
            }
            for c in &e.cravings {
                cravings::insert(tx, ctx, c)?;
            }
            for c in &e.contacts {
                contacts::save(tx, ctx, c)?;
            }
            for c in &e.check_ins {
                journal::insert_check_in(tx, ctx, c)?;
            }
            for g in &e.goals {
                journal::save_goal(tx, ctx, g, true)?;
            }
            for p in &e.plan {
                journal::add_plan_item(tx, ctx, p.id, p.section, &p.text)?;
            }
            Ok(())
        })
        .map_err(|err| match err {
            // A foreign-key or uniqueness clash means the file contradicts itself.
            Error::Sqlite(_) => refused("That export contradicts itself (for example a reset of a tracker that isn't in it)."),
            other => other,
        })?;
        Ok(ImportSummary {
            trackers: e.trackers.len(),
            cravings: e.cravings.len(),
            check_ins: e.check_ins.len(),
        })
    }

    /// CSV files, one per kind of record: `(file name, contents)`.
    pub fn export_csv(&mut self) -> Result<Vec<(&'static str, String)>> {
        let e = self.export()?;
        let mut out = Vec::new();
        out.push((
            "trackers.csv",
            csv_of(
                &["id", "label", "start", "tz", "ladder"],
                e.trackers.iter().map(|t| {
                    vec![
                        t.id.to_string(),
                        t.label.clone(),
                        t.start.local.to_string(),
                        t.start.tz.name().to_owned(),
                        t.ladder.name().to_owned(),
                    ]
                }),
            )?,
        ));
        out.push((
            "resets.csv",
            csv_of(
                &[
                    "id",
                    "tracker_id",
                    "lapse_at",
                    "new_start",
                    "tz",
                    "halt",
                    "what_happened",
                    "differently",
                ],
                e.resets.iter().map(|r| {
                    vec![
                        r.id.to_string(),
                        r.tracker_id.to_string(),
                        r.lapse_at.local.to_string(),
                        r.new_start.local.to_string(),
                        r.lapse_at.tz.name().to_owned(),
                        r.halt.iter().map(|h| h.label()).collect::<Vec<_>>().join("; "),
                        r.debrief.what_happened.clone().unwrap_or_default(),
                        r.debrief.differently.clone().unwrap_or_default(),
                    ]
                }),
            )?,
        ));
        out.push((
            "cravings.csv",
            csv_of(
                &[
                    "id",
                    "started_at",
                    "tz",
                    "intensity",
                    "triggers",
                    "tags",
                    "place",
                    "with_whom",
                    "coping",
                    "outcome",
                    "end_intensity",
                    "note",
                ],
                e.cravings.iter().map(|c| {
                    let d = &c.details;
                    vec![
                        c.id.to_string(),
                        c.at.local.to_string(),
                        c.at.tz.name().to_owned(),
                        c.intensity.to_string(),
                        d.triggers.iter().map(|t| t.label()).collect::<Vec<_>>().join("; "),
                        d.tags.join("; "),
                        d.place.clone().unwrap_or_default(),
                        d.with_whom.clone().unwrap_or_default(),
                        d.coping.join("; "),
                        d.outcome.map(|o| o.label().to_owned()).unwrap_or_default(),
                        d.end_intensity.map(|i| i.to_string()).unwrap_or_default(),
                        d.note.clone().unwrap_or_default(),
                    ]
                }),
            )?,
        ));
        out.push((
            "check_ins.csv",
            csv_of(
                &["id", "at", "tz", "mood", "craving", "halt", "line"],
                e.check_ins.iter().map(|c| {
                    vec![
                        c.id.to_string(),
                        c.at.local.to_string(),
                        c.at.tz.name().to_owned(),
                        c.mood.to_string(),
                        c.craving.to_string(),
                        c.halt.iter().map(|h| h.label()).collect::<Vec<_>>().join("; "),
                        c.line.clone().unwrap_or_default(),
                    ]
                }),
            )?,
        ));
        out.push((
            "contacts.csv",
            csv_of(
                &["role", "name", "phone", "sms", "email", "note"],
                e.contacts.iter().map(|c| {
                    vec![
                        c.role.key().to_owned(),
                        c.name.clone(),
                        c.phone.clone().unwrap_or_default(),
                        c.sms.clone().unwrap_or_default(),
                        c.email.clone().unwrap_or_default(),
                        c.note.clone().unwrap_or_default(),
                    ]
                }),
            )?,
        ));
        out.push((
            "goals.csv",
            csv_of(
                &["id", "text", "status"],
                e.goals
                    .iter()
                    .map(|g| vec![g.id.to_string(), g.text.clone(), g.status.label().to_owned()]),
            )?,
        ));
        out.push((
            "plan.csv",
            csv_of(
                &["id", "section", "text", "position"],
                e.plan.iter().map(|p| {
                    vec![
                        p.id.to_string(),
                        p.section.label().to_owned(),
                        p.text.clone(),
                        p.position.to_string(),
                    ]
                }),
            )?,
        ));
        out.push(("who-looked.csv", self.disclosure_log()?.csv));
        Ok(out)
    }
}

/// What an import brought in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportSummary {
    pub trackers: usize,
    pub cravings: usize,
    pub check_ins: usize,
}

/// Spreadsheets run cells starting with these as formulas; such cells get a leading `'`.
fn cell(s: String) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s
    }
}

pub(crate) fn csv_of(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| Error::Io(std::io::Error::other(e.to_string()));
    w.write_record(header).map_err(io)?;
    for row in rows {
        w.write_record(row.into_iter().map(cell)).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::Io(std::io::Error::other(e.to_string())))?;
    String::from_utf8(bytes).map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
}

/// Runs every record through the same rules as the app's forms.
fn validate(mut e: Export, now: DateTime<Utc>) -> Result<Export> {
    for t in &mut e.trackers {
        t.label = text::name(&t.label)?;
        tracker::validate_start(&t.start, now)?;
        t.ladder = t.ladder.clone().validated()?;
    }
    for r in &mut e.resets {
        r.halt = tracker::normalize_halt(std::mem::take(&mut r.halt));
        r.debrief = tracker::validate_debrief(
            r.debrief.what_happened.as_deref().unwrap_or_default(),
            r.debrief.differently.as_deref().unwrap_or_default(),
        )?;
        if r.new_start.instant() < r.lapse_at.instant() {
            return Err(kindred_core::Error::NewStartBeforeLapse.into());
        }
    }
    for c in &mut e.cravings {
        c.intensity = craving::intensity(i64::from(c.intensity))?;
        let d = std::mem::take(&mut c.details);
        c.details = craving::details(RawDetails {
            triggers: d.triggers,
            tags: d.tags,
            place: d.place.unwrap_or_default(),
            with_whom: d.with_whom.unwrap_or_default(),
            coping: d.coping,
            outcome: d.outcome,
            end_intensity: d.end_intensity.map(i64::from),
            note: d.note.unwrap_or_default(),
        })?;
    }
    for c in &mut e.contacts {
        let f = contact::fields(RawContact {
            name: c.name.clone(),
            phone: c.phone.clone().unwrap_or_default(),
            sms: c.sms.clone().unwrap_or_default(),
            email: c.email.clone().unwrap_or_default(),
            hours: c.hours.clone(),
            note: c.note.clone().unwrap_or_default(),
        })?;
        (c.name, c.phone, c.sms, c.email, c.hours, c.note) =
            (f.name, f.phone, f.sms, f.email, f.hours, f.note);
    }
    for c in &mut e.check_ins {
        c.mood = check_in::mood(i64::from(c.mood))?;
        c.line = check_in::line(c.line.as_deref().unwrap_or_default())?;
        c.halt = tracker::normalize_halt(std::mem::take(&mut c.halt));
    }
    for s in &e.milestones_seen {
        if s.milestone_key.is_empty()
            || s.milestone_key.len() > 64
            || s.milestone_key.chars().any(char::is_control)
        {
            return Err(refused("That export has a milestone this app doesn't understand."));
        }
    }
    for g in &mut e.goals {
        g.text = plan::item_text(&g.text)?;
    }
    for p in &mut e.plan {
        p.text = plan::item_text(&p.text)?;
    }
    Ok(e)
}
