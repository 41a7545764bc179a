//! The mentor side (MENTOR.md): staff assign mentors to mentees; a mentor's caseload and a
//! mentee's page show only what live grants allow (SECURITY.md AZ-1, AZ-5), and every view
//! that shows a mentee's data appends a disclosure row in the same transaction as the
//! authorization read (AZ-4); milestone messages go through the single write path; the
//! mentor's outreach log; the mentee's phone reads its disclosure log.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kindred_core::consent::Category;
use kindred_core::entity;
use kindred_core::sync::account::{DisclosurePage, DisclosureRow};
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::ErrorCode;
use serde_json::{json, Map, Value};

use super::signals::{
    self, CheckInView, CravingView, ItemView, Rec, Signal, TrackerView, WeekView,
};
use super::Service;
use crate::db::{run, Mode, Tx};
use crate::policy::{access, authorize, Access, Action};
use crate::principal::{user_scope, DeviceAuth, PersonRole, Principal};
use crate::{apply, secrets, Error, Result};

/// The entities each category shows.
fn entities(c: Category) -> &'static [&'static str] {
    match c {
        Category::Milestones => &["tracker", "tracker_reset"],
        Category::CheckIns => &["check_in"],
        Category::CravingSummary | Category::CravingDetails => &["craving"],
        Category::GoalsPlan => &["goal", "plan_item"],
    }
}

/// One mentee on a caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRow {
    pub mentee_id: String,
    pub label: String,
    /// What this mentee shares with this mentor now.
    pub shared: BTreeSet<Category>,
    pub signals: Vec<Signal>,
    /// A number to call or text, when a live grant shared one.
    pub phone: Option<String>,
}

/// A mentor's caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caseload {
    pub mentor_name: String,
    pub rows: Vec<CaseRow>,
}

/// A mentee's page: each section is there only when its category is shared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenteePage {
    pub mentee_id: String,
    pub label: String,
    pub shared: BTreeSet<Category>,
    /// The purposes of the live grants.
    pub purposes: Vec<String>,
    pub phone: Option<String>,
    pub trackers: Option<Vec<TrackerView>>,
    pub check_ins: Option<Vec<CheckInView>>,
    pub weeks: Option<Vec<WeekView>>,
    pub cravings: Option<Vec<CravingView>>,
    pub goals: Option<Vec<ItemView>>,
    pub plan: Option<Vec<ItemView>>,
    /// The mentor's own outreach log for this mentee, newest first.
    pub outreach: Vec<Outreach>,
    /// The mentee's local time zone (for showing times).
    pub tz: Tz,
}

/// One outreach attempt the mentor logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outreach {
    pub at: i64,
    pub channel: String,
    pub outcome: String,
}

/// Ways a mentor reaches out, and how it went.
pub const CHANNELS: &[&str] = &["call", "text", "in_person", "other"];
pub const OUTCOMES: &[&str] = &["tried", "reached", "left_message"];

impl Service {
    /// Staff: assigns `mentor` to `mentee` (same program); returns the assignment id (the
    /// `mentor_link` record the phone pulls). Already assigned: the live assignment's id.
    pub fn assign(&self, mentor: &str, mentee: &str) -> Result<String> {
        let now = self.clock.now_ms();
        let (mentor_name, program, live) = run(&*self.db, Mode::Read, |tx| {
            let r = tx
                .one(
                    "SELECT m.label, pr.name FROM person m JOIN person e ON e.id = $2
                       AND e.role = 'mentee' AND e.program_id = m.program_id
                     JOIN program pr ON pr.id = m.program_id
                     WHERE m.id = $1 AND m.role = 'mentor'",
                    &[mentor.into(), mentee.into()],
                )?
                .ok_or(Error::NotFound("mentor or mentee in one program"))?;
            let live = tx.one(
                "SELECT id FROM assignment WHERE mentor_id = $1 AND mentee_id = $2 AND ended_at IS NULL",
                &[mentor.into(), mentee.into()],
            )?;
            Ok((r.text(0)?, r.text(1)?, live.map(|r| r.text(0)).transpose()?))
        })?;
        if let Some(id) = live {
            return Ok(id);
        }
        let id = secrets::uuid_v7(now).to_string();
        let fields = obj(json!({
            "mentor_id": mentor, "name": mentor_name, "program": program,
            "active": true, "since": now,
        }));
        let staff = self.staff.clone();
        self.write_with(&staff, &user_scope(mentee), "mentor_link", Some(&id), Op::Create, fields, &mut |tx| {
            tx.exec(
                "INSERT INTO assignment (id, mentor_id, mentee_id, started_at) VALUES ($1, $2, $3, $4)",
                &[id.as_str().into(), mentor.into(), mentee.into(), now.into()],
            )?;
            Ok(())
        })
    }

    /// Staff: ends `mentor`'s assignment to `mentee`: from now on the mentor sees nothing of
    /// theirs, and the mentee's grants to them end with it.
    pub fn unassign(&self, mentor: &str, mentee: &str) -> Result<()> {
        let now = self.clock.now_ms();
        let id = run(&*self.db, Mode::Read, |tx| {
            tx.one(
                "SELECT id FROM assignment WHERE mentor_id = $1 AND mentee_id = $2 AND ended_at IS NULL",
                &[mentor.into(), mentee.into()],
            )?
            .ok_or(Error::NotFound("assignment"))?
            .text(0)
        })?;
        let staff = self.staff.clone();
        let fields = obj(json!({"active": false}));
        self.write_with(
            &staff,
            &user_scope(mentee),
            "mentor_link",
            Some(&id),
            Op::Set,
            fields,
            &mut |tx| {
                tx.exec(
                    "UPDATE assignment SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL",
                    &[id.as_str().into(), now.into()],
                )?;
                Ok(())
            },
        )?;
        Ok(())
    }

    /// A mentor's caseload at this moment: each assigned mentee by pseudonym with the signals
    /// of what they share. Appends one disclosure row per mentee whose data fed the page.
    pub fn caseload(&self, mentor: &str) -> Result<Caseload> {
        let who = Principal::Mentor(mentor.to_owned());
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let access = access(tx, mentor, None, now)?;
            let mentor_name = mentor_name(tx, mentor)?;
            let mut rows = Vec::with_capacity(access.assigned.len());
            for a in &access.assigned {
                authorize(&who, Action::Know { mentee: &a.mentee_id, access: &access })?;
                let shown: BTreeSet<Category> = access
                    .categories(&a.mentee_id)
                    .into_iter()
                    .filter(|c| *c != Category::GoalsPlan)
                    .collect();
                let (recs, tz) =
                    read(tx, &who, &access, &a.mentee_id, &shown, caseload_window(now))?;
                let (activity, sync) = if access.categories(&a.mentee_id).is_empty() {
                    (None, None)
                } else {
                    last_seen(tx, &a.mentee_id)?
                };
                let has = |c| shown.contains(&c);
                let signals = signals::signals(
                    &recs,
                    at(now),
                    tz,
                    (
                        has(Category::Milestones),
                        has(Category::CheckIns),
                        has(Category::CravingSummary) || has(Category::CravingDetails),
                    ),
                    activity,
                    sync,
                );
                if !shown.is_empty() {
                    disclose(tx, now, &access, &a.mentee_id, &mentor_name, &shown, "caseload")?;
                }
                rows.push(CaseRow {
                    mentee_id: a.mentee_id.clone(),
                    label: a.label.clone(),
                    shared: access.categories(&a.mentee_id),
                    signals,
                    phone: phone(tx, &access, &a.mentee_id)?,
                });
            }
            Ok(Caseload { mentor_name, rows })
        })
    }

    /// One mentee's page for their mentor: the shared categories only. An unassigned or
    /// unknown mentee is not found. Appends one disclosure row when anything is shown.
    pub fn mentee_page(&self, mentor: &str, mentee: &str) -> Result<MenteePage> {
        let who = Principal::Mentor(mentor.to_owned());
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let access = access(tx, mentor, Some(mentee), now)?;
            authorize(&who, Action::Know { mentee, access: &access })?;
            let label = access.assignment(mentee).map(|a| a.label.clone()).unwrap_or_default();
            let shared = access.categories(mentee);
            let (recs, tz) = read(tx, &who, &access, mentee, &shared, page_window(now))?;
            let has = |c| shared.contains(&c);
            let (goals, plan) = signals::goals_and_plan(&recs);
            let page = MenteePage {
                mentee_id: mentee.to_owned(),
                label,
                purposes: access
                    .consented
                    .iter()
                    .map(|c| c.purpose.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect(),
                phone: phone(tx, &access, mentee)?,
                trackers: has(Category::Milestones).then(|| signals::trackers(&recs, at(now), tz)),
                check_ins: has(Category::CheckIns)
                    .then(|| signals::check_ins(&recs, at(now), tz, 14)),
                weeks: has(Category::CravingSummary)
                    .then(|| signals::weekly(&recs, at(now), tz, 8)),
                cravings: has(Category::CravingDetails).then(|| signals::cravings(&recs, 20)),
                goals: has(Category::GoalsPlan).then_some(goals),
                plan: has(Category::GoalsPlan).then_some(plan),
                outreach: outreach(tx, mentor, mentee)?,
                shared,
                tz,
            };
            if !page.shared.is_empty() {
                let mentor_name = mentor_name(tx, mentor)?;
                disclose(tx, now, &access, mentee, &mentor_name, &page.shared, "mentee_page")?;
            }
            Ok(page)
        })
    }

    /// A mentor leaves a message for the celebration screen of one of `mentee`'s milestones
    /// (needs the milestones shared). Returns the message's record id.
    pub fn leave_message(
        &self,
        mentor: &str,
        mentee: &str,
        tracker_id: &str,
        milestone_key: &str,
        text: &str,
    ) -> Result<String> {
        let who = Principal::Mentor(mentor.to_owned());
        let text = check_message(text)?;
        let now = self.clock.now_ms();
        let from = run(&*self.db, Mode::Read, |tx| {
            let access = access(tx, mentor, Some(mentee), now)?;
            authorize(
                &who,
                Action::See { mentee, category: Category::Milestones, access: &access },
            )?;
            authorize(&who, Action::Write { entity: &entity::MILESTONE_MESSAGE })?;
            let t = tx.one(
                "SELECT 1 FROM record WHERE scope_id = $1 AND id = $2 AND entity = 'tracker'
                   AND has_create = 1 AND cl % 2 = 1",
                &[user_scope(mentee).into(), tracker_id.into()],
            )?;
            t.ok_or(Error::NotFound("tracker"))?;
            mentor_name(tx, mentor)
        })?;
        let fields = obj(json!({
            "tracker_id": tracker_id, "milestone_key": milestone_key, "text": text, "from": from,
        }));
        self.write_as(&who, &user_scope(mentee), "milestone_message", None, Op::Create, fields)
    }

    /// A mentor adds a goal agreed with the mentee (`goal_id: None`), or changes a goal's
    /// status (`active`, `done`, `paused`), through the single write path; needs goals and the
    /// plan shared. Returns the goal's id.
    pub fn mentor_goal(
        &self,
        mentor: &str,
        mentee: &str,
        goal_id: Option<&str>,
        text: &str,
        status: &str,
    ) -> Result<String> {
        if !["active", "done", "paused"].contains(&status) {
            return Err(Error::BadRequest(
                ErrorCode::Invalid,
                "pick active, done or paused".into(),
            ));
        }
        let who = Principal::Mentor(mentor.to_owned());
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Read, |tx| {
            let access = access(tx, mentor, Some(mentee), now)?;
            authorize(
                &who,
                Action::See { mentee, category: Category::GoalsPlan, access: &access },
            )?;
            authorize(&who, Action::Write { entity: &entity::GOAL })?;
            if let Some(id) = goal_id {
                tx.one(
                    "SELECT 1 FROM record WHERE scope_id = $1 AND id = $2 AND entity = 'goal'
                       AND has_create = 1 AND cl % 2 = 1",
                    &[user_scope(mentee).into(), id.into()],
                )?
                .ok_or(Error::NotFound("goal"))?;
            }
            Ok(())
        })?;
        let scope = user_scope(mentee);
        match goal_id {
            Some(id) => self.write_as(
                &who,
                &scope,
                "goal",
                Some(id),
                Op::Set,
                obj(json!({"status": status})),
            ),
            None => {
                let text = kindred_core::model::plan::item_text(text)
                    .map_err(|e| Error::BadRequest(ErrorCode::Invalid, e.to_string()))?;
                self.write_as(
                    &who,
                    &scope,
                    "goal",
                    None,
                    Op::Create,
                    obj(json!({"text": text, "status": status})),
                )
            }
        }
    }

    /// A mentor logs an outreach attempt to an assigned mentee.
    pub fn log_outreach(
        &self,
        mentor: &str,
        mentee: &str,
        channel: &str,
        outcome: &str,
    ) -> Result<()> {
        if !CHANNELS.contains(&channel) || !OUTCOMES.contains(&outcome) {
            return Err(Error::BadRequest(ErrorCode::Invalid, "pick how and how it went".into()));
        }
        let who = Principal::Mentor(mentor.to_owned());
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let access = access(tx, mentor, Some(mentee), now)?;
            authorize(&who, Action::Know { mentee, access: &access })?;
            tx.exec(
                "INSERT INTO outreach (id, mentor_id, mentee_id, at, channel, outcome)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    secrets::uuid_v7(now).to_string().into(),
                    mentor.into(),
                    mentee.into(),
                    now.into(),
                    channel.into(),
                    outcome.into(),
                ],
            )?;
            Ok(())
        })
    }

    /// The mentee's disclosure log for their phone: rows after `(after_at, after_id)`, oldest
    /// first, at most `limit` (clamped to 1..=500).
    pub fn disclosures(
        &self,
        auth: &DeviceAuth,
        after_at: i64,
        after_id: &str,
        limit: i64,
    ) -> Result<DisclosurePage> {
        let limit = limit.clamp(1, 500);
        run(&*self.db, Mode::Read, |tx| {
            let rows = tx.query(
                "SELECT id, at, mentor_name, categories, consent_ids, purpose, channel
                 FROM disclosure WHERE mentee_id = $1 AND (at > $2 OR (at = $2 AND id > $3))
                 ORDER BY at, id LIMIT $4",
                &[
                    auth.user_id.as_str().into(),
                    after_at.into(),
                    after_id.into(),
                    (limit + 1).into(),
                ],
            )?;
            let has_more = rows.len() as i64 > limit;
            let split = |s: String| -> Vec<String> {
                s.split(',').filter(|x| !x.is_empty()).map(str::to_owned).collect()
            };
            let rows = rows
                .into_iter()
                .take(usize::try_from(limit).unwrap_or(500))
                .map(|r| {
                    Ok(DisclosureRow {
                        id: r.text(0)?,
                        at: r.int(1)?,
                        mentor: r.text(2)?,
                        categories: split(r.text(3)?),
                        consent_ids: split(r.text(4)?),
                        purpose: r.text(5)?,
                        channel: r.text(6)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(DisclosurePage { rows, has_more })
        })
    }

    /// Whether `id` is a mentor (for sign-in set-up).
    pub fn is_mentor(&self, id: &str) -> Result<bool> {
        run(&*self.db, Mode::Read, |tx| {
            Ok(tx
                .one(
                    "SELECT 1 FROM person WHERE id = $1 AND role = $2",
                    &[id.into(), PersonRole::Mentor.as_str().into()],
                )?
                .is_some())
        })
    }
}

/// The SQL the caseload runs besides the policy's (public so the P12 benchmark runs it bare).
pub mod mentor_sql {
    /// Live records of one entity in a scope (`$1` scope, `$2` entity).
    pub const RECORDS: &str = "SELECT id, fields FROM record WHERE scope_id = $1 AND entity = $2
               AND has_create = 1 AND cl % 2 = 1";
    /// Live records of one entity in a scope minted since an id (`$1` scope, `$2` entity, `$3`
    /// the UUIDv7 floor of the first instant wanted).
    pub const RECORDS_SINCE: &str = "SELECT id, fields FROM record WHERE scope_id = $1 AND id >= $3
               AND entity = $2 AND has_create = 1 AND cl % 2 = 1";
    /// The smallest UUIDv7 text of instant `ms`: every id minted at or after `ms` sorts above it.
    pub fn id_floor(ms: i64) -> String {
        let ms = u64::try_from(ms.max(0)).unwrap_or(0) & 0xffff_ffff_ffff;
        format!("{:08x}-{:04x}-0000-0000-000000000000", ms >> 16, ms & 0xffff)
    }

    /// The device time of the phone's last change (`$1` scope).
    pub const LAST_ACTIVITY: &str =
        "SELECT max(hlc_in) FROM change_log WHERE scope_id = $1 AND actor = 'device'";
    /// When a phone of the mentee last reached the server (`$1` mentee).
    pub const LAST_SYNC: &str =
        "SELECT max(last_seen_at) FROM device WHERE user_id = $1 AND revoked_at IS NULL";
    /// A grant's fields, for the number it shares (`$1` scope, `$2` grant id).
    pub const GRANT_FIELDS: &str =
        "SELECT fields FROM record WHERE scope_id = $1 AND id = $2 AND entity = 'consent_event'";
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn mentor_name(tx: &mut dyn Tx, mentor: &str) -> Result<String> {
    tx.one("SELECT label FROM person WHERE id = $1", &[mentor.into()])?
        .ok_or(Error::NotFound("mentor"))?
        .text(0)
}

/// The live records of `mentee` of the entities of `categories`, each category authorized
/// first, plus their zone (from their settings, which is not shown).
fn read(
    tx: &mut dyn Tx,
    who: &Principal,
    access: &Access,
    mentee: &str,
    categories: &BTreeSet<Category>,
    window: Window,
) -> Result<(Vec<Rec>, Tz)> {
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for c in categories {
        authorize(who, Action::See { mentee, category: *c, access })?;
        names.extend(entities(*c));
    }
    let scope = user_scope(mentee);
    let mut recs = Vec::new();
    let mut tz = Tz::UTC;
    if !names.is_empty() {
        names.insert("settings");
    }
    for name in names {
        // Logs are read back only as far as a page shows them: their ids are UUIDv7 minted
        // on the phone when they were made, so an id range is a time range (a superset: the
        // entries' own times are checked again when shown).
        let days = match name {
            "check_in" => Some(window.check_ins),
            "craving" => Some(window.cravings),
            _ => None,
        };
        let rows = match days {
            Some(d) => tx.query(
                mentor_sql::RECORDS_SINCE,
                &[
                    scope.as_str().into(),
                    name.into(),
                    mentor_sql::id_floor(window.now - d * DAY_MS).into(),
                ],
            )?,
            None => tx.query(mentor_sql::RECORDS, &[scope.as_str().into(), name.into()])?,
        };
        for r in rows {
            let fields = apply::parse_fields(1, r.opt_text(1)?.as_deref())?;
            let fields: Map<String, Value> =
                fields.into_iter().map(|(k, f)| (k, f.value)).collect();
            let rec = Rec { entity: name.to_owned(), id: r.text(0)?, fields };
            if name == "settings" {
                tz = signals::zone(std::slice::from_ref(&rec));
            } else {
                recs.push(rec);
            }
        }
    }
    Ok((recs, tz))
}

const DAY_MS: i64 = 86_400_000;

/// How many days of logs a page reads.
#[derive(Debug, Clone, Copy)]
struct Window {
    now: i64,
    check_ins: i64,
    cravings: i64,
}

/// The caseload: a week of check-ins (a month, to know whether someone checks in at all) and
/// six weeks of cravings (two weeks against the four before).
fn caseload_window(now: i64) -> Window {
    Window { now, check_ins: 31, cravings: 43 }
}

/// A mentee's page: two weeks of check-ins, eight weeks of cravings.
fn page_window(now: i64) -> Window {
    Window { now, check_ins: 15, cravings: 57 }
}

/// A moment something was last seen, if ever.
type Seen = Option<DateTime<Utc>>;

/// When the mentee's phone last made a change (its own clock, from the change's HLC) and
/// when a phone of theirs last reached the server.
fn last_seen(tx: &mut dyn Tx, mentee: &str) -> Result<(Seen, Seen)> {
    let activity = tx
        .one(mentor_sql::LAST_ACTIVITY, &[user_scope(mentee).into()])?
        .map_or(Ok(None), |r| r.opt_int(0))?
        .map(|h| at(h >> 16));
    let sync = tx
        .one(mentor_sql::LAST_SYNC, &[mentee.into()])?
        .map_or(Ok(None), |r| r.opt_int(0))?
        .map(at);
    Ok((activity, sync))
}

/// The contact number a live grant shares, if any (the newest grant's).
fn phone(tx: &mut dyn Tx, access: &Access, mentee: &str) -> Result<Option<String>> {
    let mut ids: Vec<&str> = access
        .consented
        .iter()
        .filter(|c| c.mentee_id == mentee)
        .map(|c| c.grant_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    for id in ids.into_iter().rev() {
        let r = tx.one(mentor_sql::GRANT_FIELDS, &[user_scope(mentee).into(), id.into()])?;
        let Some(r) = r else { continue };
        let f = apply::parse_fields(1, r.opt_text(0)?.as_deref())?;
        let p = f
            .get("phone")
            .and_then(|v| v.value.as_str().and_then(kindred_core::model::contact::dialable));
        if p.is_some() {
            return Ok(p);
        }
    }
    Ok(None)
}

fn outreach(tx: &mut dyn Tx, mentor: &str, mentee: &str) -> Result<Vec<Outreach>> {
    tx.query(
        "SELECT at, channel, outcome FROM outreach WHERE mentor_id = $1 AND mentee_id = $2
         ORDER BY at DESC, id DESC LIMIT 20",
        &[mentor.into(), mentee.into()],
    )?
    .into_iter()
    .map(|r| Ok(Outreach { at: r.int(0)?, channel: r.text(1)?, outcome: r.text(2)? }))
    .collect()
}

/// Appends the disclosure of `categories` of `mentee` to the access's mentor (AZ-4).
fn disclose(
    tx: &mut dyn Tx,
    now: i64,
    access: &Access,
    mentee: &str,
    mentor_name: &str,
    categories: &BTreeSet<Category>,
    channel: &str,
) -> Result<()> {
    let mut grants = BTreeSet::new();
    let mut purposes = BTreeSet::new();
    for c in categories {
        for g in access.grants(mentee, *c) {
            grants.insert(g.grant_id.as_str());
            purposes.insert(g.purpose.as_str());
        }
    }
    let cats: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
    tx.exec(
        "INSERT INTO disclosure (id, mentee_id, at, mentor_id, mentor_name, categories,
           consent_ids, purpose, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            secrets::uuid_v7(now).to_string().into(),
            mentee.into(),
            now.into(),
            access.mentor_id.as_str().into(),
            mentor_name.into(),
            cats.join(",").into(),
            grants.into_iter().collect::<Vec<_>>().join(",").into(),
            purposes.into_iter().collect::<Vec<_>>().join("; ").into(),
            channel.into(),
        ],
    )?;
    Ok(())
}

/// A celebration message: 1 to 500 characters, no control characters but line breaks.
fn check_message(text: &str) -> Result<String> {
    let t = text.replace("\r\n", "\n");
    let t = t.trim();
    let n = t.chars().count();
    if n == 0 || n > entity::MESSAGE_MAX || t.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::BadRequest(
            ErrorCode::Invalid,
            format!("a message is 1 to {} characters", entity::MESSAGE_MAX),
        ));
    }
    Ok(t.to_owned())
}
