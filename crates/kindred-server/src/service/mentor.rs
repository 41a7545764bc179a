//! The mentor side (MENTOR.md): staff assign mentors to mentees; a mentor's caseload and a
//! mentee's page show only what live grants allow (SECURITY.md AZ-1, AZ-5), and every view
//! that shows a mentee's data appends a disclosure row in the same transaction as the
//! authorization read (AZ-4); milestone messages go through the single write path; the
//! mentor's outreach log; the mentee's phone reads its disclosure log.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use kindred_core::consent::Category;
use kindred_core::entity;
use kindred_core::sync::account::{DisclosurePage, DisclosureRow};
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::ErrorCode;
use serde_json::json;

use super::mentor_read::{
    at, caseload_window, disclose, last_seen, mentor_name, obj, outreach, page_window, phone, read,
};
use super::signals::{self, CheckInView, CravingView, ItemView, Signal, TrackerView, WeekView};
use super::Service;
use crate::db::{run, Mode};
use crate::policy::{access, authorize, Action};
use crate::principal::{user_scope, DeviceAuth, PersonRole, Principal};
use crate::{secrets, Error, Result};

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
                let shared = access.categories(&a.mentee_id);
                // The caseload shows no goals or plan.
                let shown: BTreeSet<Category> =
                    shared.iter().copied().filter(|c| *c != Category::GoalsPlan).collect();
                let (recs, tz) =
                    read(tx, &who, &access, &a.mentee_id, &shown, caseload_window(now))?;
                let (activity, sync) =
                    if shared.is_empty() { (None, None) } else { last_seen(tx, &a.mentee_id)? };
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
                    shared,
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
