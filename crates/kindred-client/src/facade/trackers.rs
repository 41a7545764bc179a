//! Trackers, as `Kindred` use cases: the Today screen, create, rename, change the ladder,
//! delete with undo, reset after a lapse, celebrations, the tracker page, and the milestone
//! reminders planned from them. Mirrors the shell's `commands/trackers.rs`.

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use kindred_core::clock::{parse_local, parse_tz, ZonedDateTime};
use kindred_core::ids::{ResetId, TrackerId};
use kindred_core::ipc::{
    AckCelebrationReq, AttemptRow, Celebration, CreateTrackerReq, DebriefRef, MentorMessage,
    MilestoneRow, NextMilestoneView, RenameTrackerReq, ResetTrackerReq, SetLadderReq, TodayView,
    TrackerCard, TrackerDetail, TrackerRef,
};
use kindred_core::milestones::{self, DatedMilestone};
use kindred_core::model::text;
use kindred_core::model::tracker::{self, Reset, Tracker};
use kindred_core::reminders::{self, PlanInput, Reminder};
use kindred_core::stats;
use rusqlite::Transaction;

use crate::store::trackers::{self as repo, ResetRow, TrackerRow};
use crate::{views, Error, Kindred, Result};

/// How many upcoming milestones the milestones page lists.
const UPCOMING: usize = 5;

impl Kindred {
    /// The Today screen.
    pub fn today(&mut self) -> Result<TodayView> {
        let now = self.now();
        let settings = self.settings()?;
        let tz = settings.tz;
        self.store.read(|tx| {
            let mut cards = Vec::new();
            let mut celebration = None;
            for row in repo::list(tx)? {
                let resets = repo::resets(tx, row.tracker.id)?;
                let attempt = Attempt::current(&row, &resets);
                let sober = milestones::sober_time(&attempt.start, now);
                let next = milestones::next_milestone(&row.tracker.ladder, &attempt.start, now);
                if celebration.is_none() {
                    celebration = celebration_for(tx, &row, &attempt, now)?;
                }
                cards.push(TrackerCard {
                    id: row.tracker.id,
                    label: row.tracker.label.clone(),
                    sober: views::sober(sober),
                    since: views::when(attempt.start.instant(), tz),
                    next: next.map(|m| NextMilestoneView {
                        label: m.milestone.label,
                        when: views::when(m.at, tz),
                        until: views::until(now, m.at, tz),
                        tag: m.milestone.tag,
                    }),
                });
            }
            Ok(TodayView { tz: tz.name().to_owned(), trackers: cards, celebration })
        })
    }

    /// Creates a tracker. Milestones already behind a back-dated start are listed, not celebrated.
    pub fn create_tracker(&mut self, req: CreateTrackerReq) -> Result<TrackerId> {
        let now = self.now();
        let label = text::name(&req.label)?;
        let tz = match req.tz.as_deref() {
            Some(name) => parse_tz(name)?,
            None => self.settings()?.tz,
        };
        let start = local_or_now(&req.start_local, now, tz)?;
        tracker::validate_start(&start, now)?;
        let ladder = req.ladder.validated()?;
        let id = TrackerId(self.ids.next());
        let t = Tracker { id, label, start, ladder };
        self.write(now, |tx, ctx| repo::insert(tx, ctx, &t))?;
        Ok(id)
    }

    fn live(&mut self, id: &str) -> Result<TrackerRow> {
        let id: TrackerId = id.parse()?;
        self.store.read(|tx| repo::get(tx, id))?.ok_or(Error::NotFound("tracker"))
    }

    /// Renames a tracker.
    pub fn rename_tracker(&mut self, req: RenameTrackerReq) -> Result<()> {
        let label = text::name(&req.label)?;
        let row = self.live(&req.id)?;
        let now = self.now();
        if row.tracker.label == label {
            return Ok(());
        }
        self.write(now, |tx, ctx| repo::rename(tx, ctx, row.tracker.id, &label))
    }

    /// Changes a tracker's milestone ladder.
    pub fn set_ladder(&mut self, req: SetLadderReq) -> Result<()> {
        let ladder = req.ladder.validated()?;
        let row = self.live(&req.id)?;
        let now = self.now();
        self.write(now, |tx, ctx| repo::set_ladder(tx, ctx, row.tracker.id, &ladder))
    }

    /// Deletes a tracker; [`Kindred::undo_delete_tracker`] brings it back until it is sent.
    pub fn delete_tracker(&mut self, req: TrackerRef) -> Result<()> {
        let row = self.live(&req.id)?;
        let now = self.now();
        self.write(now, |tx, ctx| repo::delete(tx, ctx, row.tracker.id))
    }

    /// Undoes a delete that has not been sent yet.
    pub fn undo_delete_tracker(&mut self, req: TrackerRef) -> Result<()> {
        let id: TrackerId = req.id.parse()?;
        let now = self.now();
        if self.write(now, |tx, ctx| repo::undelete(tx, ctx.now_ms, id))? {
            Ok(())
        } else {
            Err(Error::UndoExpired)
        }
    }

    /// Records a lapse and starts a new attempt. History is kept.
    pub fn reset_tracker(&mut self, req: ResetTrackerReq) -> Result<()> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let debrief = tracker::validate_debrief(&req.what_happened, &req.differently)?;
        let lapse_at = local_or_now(&req.lapse_local, now, tz)?;
        let new_start = match req.new_start_local.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => ZonedDateTime::new(parse_local(s)?, tz),
            None => lapse_at,
        };
        let row = self.live(&req.id)?;
        let resets = self.store.read(|tx| repo::resets(tx, row.tracker.id))?;
        let current = Attempt::current(&row, &resets);
        tracker::validate_reset(&current.start, &lapse_at, &new_start, now)?;
        let reset = Reset {
            id: ResetId(self.ids.next()),
            tracker_id: row.tracker.id,
            lapse_at,
            new_start,
            halt: tracker::normalize_halt(req.halt),
            debrief,
        };
        self.write(now, |tx, ctx| repo::insert_reset(tx, ctx, &reset))
    }

    /// Removes the debrief of one lapse (what happened, what I'll do differently). The lapse
    /// itself stays in the history; the text is wiped from the file at once (it never syncs,
    /// so there is nothing to send and no undo window).
    pub fn delete_debrief(&mut self, req: DebriefRef) -> Result<()> {
        let row = self.live(&req.tracker_id)?;
        let reset: ResetId = req.reset_id.parse()?;
        let now = self.now();
        if self.write(now, |tx, _| repo::clear_debrief(tx, row.tracker.id, reset))? {
            self.store.checkpoint()
        } else {
            Err(Error::NotFound("lapse note"))
        }
    }

    /// Marks the celebrated milestones as seen. Only keys that are really reached are stored.
    pub fn ack_celebration(&mut self, req: AckCelebrationReq) -> Result<()> {
        let now = self.now();
        let row = self.live(&req.tracker_id)?;
        let resets = self.store.read(|tx| repo::resets(tx, row.tracker.id))?;
        let attempt = Attempt::current(&row, &resets);
        let reached: Vec<String> = reached(&row, &attempt, now)
            .iter()
            .map(|m| attempt.seen_key(m))
            .filter(|k| req.keys.contains(k))
            .collect();
        self.write(now, |tx, ctx| {
            reached.iter().try_for_each(|k| repo::mark_seen(tx, ctx, row.tracker.id, k))
        })
    }

    /// The tracker page: milestones reached and upcoming, attempts and the numbers that don't reset.
    pub fn tracker_detail(&mut self, req: TrackerRef) -> Result<TrackerDetail> {
        let now = self.now();
        let tz = self.settings()?.tz;
        let row = self.live(&req.id)?;
        let resets = self.store.read(|tx| repo::resets(tx, row.tracker.id))?;
        let plain: Vec<Reset> = resets.iter().map(|r| r.reset.clone()).collect();
        let attempts = milestones::attempts(&row.tracker, &plain);
        let current = Attempt::last_of(&row, &resets, &attempts);
        let (reached, upcoming) =
            milestones::milestones_for(&row.tracker.ladder, &current.start, now, UPCOMING);
        let as_row = |m: DatedMilestone| MilestoneRow {
            key: m.milestone.key,
            label: m.milestone.label,
            tag: m.milestone.tag,
            when: views::day(m.at, tz),
        };
        let attempt_rows = attempts
            .iter()
            .map(|a| {
                let reset = a.ended_by.and_then(|id| plain.iter().find(|r| r.id == id));
                AttemptRow {
                    start: views::when(a.start.instant(), tz),
                    end: a.end.map(|e| views::when(e.instant(), tz)),
                    days: milestones::attempt_days(a, now),
                    halt: reset.map(|r| r.halt.clone()).unwrap_or_default(),
                    what_happened: reset.and_then(|r| r.debrief.what_happened.clone()),
                    differently: reset.and_then(|r| r.debrief.differently.clone()),
                    debrief_id: reset
                        .filter(|r| {
                            r.debrief.what_happened.is_some() || r.debrief.differently.is_some()
                        })
                        .map(|r| r.id.to_string()),
                }
            })
            .collect();
        Ok(TrackerDetail {
            id: row.tracker.id,
            label: row.tracker.label.clone(),
            ladder: row.tracker.ladder.clone(),
            sober: views::sober(milestones::sober_time(&current.start, now)),
            since: views::when(current.start.instant(), tz),
            since_local: views::form_value(current.start.instant(), tz),
            reached: reached.into_iter().map(as_row).collect(),
            upcoming: upcoming.into_iter().map(as_row).collect(),
            attempts: attempt_rows,
            stats: stats::stats(&attempts, now, tz),
        })
    }

    /// Celebration reminders due in `(from, from + horizon]`, planned from the stored data.
    pub fn reminders(&mut self, from: DateTime<Utc>, horizon: Duration) -> Result<Vec<Reminder>> {
        let settings = self.settings()?;
        let rows = self.store.read(|tx| {
            repo::list(tx)?
                .into_iter()
                .map(|row| Ok((repo::resets(tx, row.tracker.id)?, row)))
                .collect::<Result<Vec<_>>>()
        })?;
        let starts: Vec<(ZonedDateTime, &Tracker)> = rows
            .iter()
            .map(|(resets, row)| (Attempt::current(row, resets).start, &row.tracker))
            .collect();
        let inputs: Vec<PlanInput<'_>> = starts
            .iter()
            .map(|(start, t)| PlanInput { tracker: t, current_start: *start })
            .collect();
        Ok(reminders::plan(&inputs, &settings, from, horizon))
    }
}

/// The running attempt of a tracker and when it was recorded on this device.
struct Attempt {
    start: ZonedDateTime,
    /// Unix ms when the record that began this attempt was written: milestones before it are
    /// listed but not celebrated (a back-dated start is not a surprise party).
    recorded_at: i64,
}

impl Attempt {
    fn current(row: &TrackerRow, resets: &[ResetRow]) -> Attempt {
        let plain: Vec<Reset> = resets.iter().map(|r| r.reset.clone()).collect();
        Attempt::last_of(row, resets, &milestones::attempts(&row.tracker, &plain))
    }

    /// The running attempt, given the tracker's history already derived from `resets`.
    fn last_of(row: &TrackerRow, resets: &[ResetRow], attempts: &[milestones::Attempt]) -> Attempt {
        let start = attempts.last().map(|a| a.start).unwrap_or(row.tracker.start);
        let begun_by = attempts.len().checked_sub(2).and_then(|i| attempts[i].ended_by);
        let recorded_at = begun_by
            .and_then(|id| resets.iter().find(|r| r.reset.id == id))
            .map(|r| r.created_at)
            .unwrap_or(row.created_at);
        Attempt { start, recorded_at }
    }

    fn seen_key(&self, m: &DatedMilestone) -> String {
        format!("{}:{}", self.start.instant().timestamp(), m.milestone.key)
    }
}

/// A `datetime-local` value in `tz`; empty means now (to the minute).
fn local_or_now(value: &str, now: DateTime<Utc>, tz: Tz) -> Result<ZonedDateTime> {
    if value.trim().is_empty() {
        let local = ZonedDateTime::from_instant(now, tz).local;
        let minute = local.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(local);
        return Ok(ZonedDateTime::new(minute, tz));
    }
    Ok(ZonedDateTime::new(parse_local(value)?, tz))
}

/// Milestones reached in the running attempt after it was recorded.
fn reached(row: &TrackerRow, attempt: &Attempt, now: DateTime<Utc>) -> Vec<DatedMilestone> {
    let (reached, _) = milestones::milestones_for(&row.tracker.ladder, &attempt.start, now, 0);
    reached.into_iter().filter(|m| m.at.timestamp_millis() > attempt.recorded_at).collect()
}

fn celebration_for(
    tx: &Transaction<'_>,
    row: &TrackerRow,
    attempt: &Attempt,
    now: DateTime<Utc>,
) -> Result<Option<Celebration>> {
    let seen = repo::seen_keys(tx, row.tracker.id)?;
    let fresh: Vec<DatedMilestone> = reached(row, attempt, now)
        .into_iter()
        .filter(|m| !seen.contains(&attempt.seen_key(m)))
        .collect();
    let Some(top) = fresh.last() else { return Ok(None) };
    Ok(Some(Celebration {
        tracker_id: row.tracker.id,
        tracker_label: row.tracker.label.clone(),
        milestone_label: top.milestone.label.clone(),
        tag: top.milestone.tag,
        keys: fresh.iter().map(|m| attempt.seen_key(m)).collect(),
        message: mentor_message(tx, row, &top.milestone.key, attempt)?,
    }))
}

/// The newest message a mentor left for `key` of this tracker during the running attempt
/// (a message for an earlier attempt's milestone is not shown again).
fn mentor_message(
    tx: &Transaction<'_>,
    row: &TrackerRow,
    key: &str,
    attempt: &Attempt,
) -> Result<Option<MentorMessage>> {
    let mut stmt = tx.prepare_cached(
        "SELECT id, json_extract(fields, '$.from'), json_extract(fields, '$.text')
         FROM program_record WHERE entity = 'milestone_message' AND cl % 2 = 1
           AND json_extract(fields, '$.tracker_id') = ?1
           AND json_extract(fields, '$.milestone_key') = ?2
         ORDER BY id DESC",
    )?;
    let rows = stmt.query_map(rusqlite::params![row.tracker.id.to_string(), key], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
    })?;
    let since = attempt.start.instant().timestamp_millis();
    for r in rows {
        let (id, from, text) = r?;
        let made = uuid::Uuid::parse_str(&id).ok().and_then(|u| u.get_timestamp()).map(|t| {
            let (s, n) = t.to_unix();
            i64::try_from(s).unwrap_or(0) * 1000 + i64::from(n / 1_000_000)
        });
        if let (Some(made), Some(from), Some(text)) = (made, from, text) {
            if made >= since {
                return Ok(Some(MentorMessage { from, text }));
            }
        }
    }
    Ok(None)
}
