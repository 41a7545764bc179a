//! Check-ins, goals and the relapse-prevention plan, as `Kindred` use cases. Mirrors the
//! shell's `commands/plan.rs`.

use chrono::Duration;
use kindred_core::clock::ZonedDateTime;
use kindred_core::ids::{CheckInId, GoalId, PlanItemId};
use kindred_core::ipc::{
    AddGoalReq, AddPlanItemReq, CheckInReq, CheckInRow, CheckInsView, GoalView, ItemRef,
    PlanItemView, PlanSectionView, PlanView, SetGoalStatusReq,
};
use kindred_core::model::check_in::{self, CheckIn};
use kindred_core::model::plan::{self, Goal, GoalStatus, Section, ITEMS_MAX};
use kindred_core::model::tracker::normalize_halt;
use kindred_core::reminders::{check_in_plan, CheckInReminder};

use rusqlite::Transaction;

use crate::store::journal;
use crate::store::outbox::WriteCtx;
use crate::{views, Error, Kindred, Result};

/// How far back the check-in list goes.
const CHECK_IN_DAYS: i64 = 30;

impl Kindred {
    /// Saves a check-in.
    pub fn check_in(&mut self, req: CheckInReq) -> Result<()> {
        let mood = check_in::mood(req.mood)?;
        let line = check_in::line(&req.line)?;
        let now = self.now();
        let tz = self.settings()?.tz;
        let c = CheckIn {
            id: CheckInId(self.ids.next()),
            at: ZonedDateTime::from_instant(now, tz),
            mood,
            craving: req.craving,
            halt: normalize_halt(req.halt),
            line,
        };
        self.write(now, |tx, ctx| journal::insert_check_in(tx, ctx, &c))
    }

    /// Deletes a check-in; its content is wiped from the file at once.
    pub fn delete_check_in(&mut self, req: ItemRef) -> Result<()> {
        let id: CheckInId = req.id.parse()?;
        self.delete_now("check-in", |tx, ctx| journal::delete_check_in(tx, ctx, id))
    }

    /// Check-ins of the last 30 days, newest first.
    pub fn check_ins(&mut self) -> Result<CheckInsView> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let list = self
            .store
            .read(|tx| journal::check_ins(tx, now - Duration::days(CHECK_IN_DAYS), 200))?;
        Ok(CheckInsView {
            entries: list
                .into_iter()
                .map(|c| CheckInRow {
                    id: c.id.to_string(),
                    when: views::when(c.at.instant(), tz),
                    mood: c.mood,
                    craving: c.craving,
                    halt: c.halt,
                    line: c.line,
                })
                .collect(),
        })
    }

    /// The plan, every section in order, and the goals.
    pub fn get_plan(&mut self) -> Result<PlanView> {
        let (items, goals) = self.store.read(|tx| Ok((journal::plan(tx)?, journal::goals(tx)?)))?;
        Ok(PlanView {
            sections: Section::ALL
                .into_iter()
                .map(|section| PlanSectionView {
                    section,
                    items: items
                        .iter()
                        .filter(|i| i.section == section)
                        .map(|i| PlanItemView { id: i.id, text: i.text.clone() })
                        .collect(),
                })
                .collect(),
            goals: goals
                .into_iter()
                .map(|g| GoalView { id: g.id, text: g.text, status: g.status })
                .collect(),
        })
    }

    /// Adds an entry to a plan section.
    pub fn add_plan_item(&mut self, req: AddPlanItemReq) -> Result<()> {
        let text = plan::item_text(&req.text)?;
        let now = self.now();
        let id = PlanItemId(self.ids.next());
        self.write(now, |tx, ctx| {
            if journal::section_len(tx, req.section)? >= ITEMS_MAX as i64 {
                return Err(
                    kindred_core::Error::TooManyItems { field: "plan", max: ITEMS_MAX }.into()
                );
            }
            journal::add_plan_item(tx, ctx, id, req.section, &text)
        })
    }

    /// Deletes a plan entry.
    pub fn delete_plan_item(&mut self, req: ItemRef) -> Result<()> {
        let id: PlanItemId = req.id.parse()?;
        self.delete_now("plan entry", |tx, ctx| journal::delete_plan_item(tx, ctx, id))
    }

    /// Adds a goal (working on it).
    pub fn add_goal(&mut self, req: AddGoalReq) -> Result<()> {
        let text = plan::item_text(&req.text)?;
        let now = self.now();
        let goal = Goal { id: GoalId(self.ids.next()), text, status: GoalStatus::Active };
        self.write(now, |tx, ctx| {
            if journal::goals(tx)?.len() >= ITEMS_MAX {
                return Err(
                    kindred_core::Error::TooManyItems { field: "goals", max: ITEMS_MAX }.into()
                );
            }
            journal::save_goal(tx, ctx, &goal, true)
        })
    }

    /// Changes a goal's status.
    pub fn set_goal_status(&mut self, req: SetGoalStatusReq) -> Result<()> {
        let id: GoalId = req.id.parse()?;
        let now = self.now();
        self.write(now, |tx, ctx| {
            let goal = journal::goals(tx)?
                .into_iter()
                .find(|g| g.id == id)
                .ok_or(Error::NotFound("goal"))?;
            if goal.status == req.status {
                return Ok(());
            }
            journal::save_goal(tx, ctx, &Goal { status: req.status, ..goal }, false)
        })
    }

    /// Deletes a goal.
    pub fn delete_goal(&mut self, req: ItemRef) -> Result<()> {
        let id: GoalId = req.id.parse()?;
        self.delete_now("goal", |tx, ctx| journal::delete_goal(tx, ctx, id))
    }

    /// Runs a delete without an undo window (`f` answers whether the record existed), then
    /// wipes its content from the file at once; `what` names it when it didn't exist.
    fn delete_now(
        &mut self,
        what: &'static str,
        f: impl FnOnce(&Transaction<'_>, &WriteCtx<'_>) -> Result<bool>,
    ) -> Result<()> {
        let now = self.now();
        if self.write(now, f)? {
            self.purge_deleted().map(|_| ())
        } else {
            Err(Error::NotFound(what))
        }
    }

    /// Check-in reminders due in `(from, from + horizon]`.
    pub fn check_in_reminders(
        &mut self,
        from: chrono::DateTime<chrono::Utc>,
        horizon: Duration,
    ) -> Result<Vec<CheckInReminder>> {
        Ok(check_in_plan(&self.settings()?, from, horizon))
    }
}
