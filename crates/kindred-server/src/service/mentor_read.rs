//! The mentor pages' reads, shared by the caseload and a mentee's page: which entities each
//! category shows, how many days of logs a page reads (an id range, ids being UUIDv7), the
//! consented records, the phone's last activity and sync, the number a grant shares, the
//! outreach log, and the disclosure row every view appends (SECURITY.md AZ-4). Also the SQL
//! as public constants, so the P12 benchmark runs the same queries bare.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use kindred_core::consent::Category;
use serde_json::{Map, Value};

use super::mentor::Outreach;
use super::signals::{self, Rec};
use crate::db::Tx;
use crate::policy::{authorize, Access, Action};
use crate::principal::{user_scope, Principal};
use crate::{apply, secrets, Error, Result};

/// The entities each category shows.
pub(super) fn entities(c: Category) -> &'static [&'static str] {
    match c {
        Category::Milestones => &["tracker", "tracker_reset"],
        Category::CheckIns => &["check_in"],
        Category::CravingSummary | Category::CravingDetails => &["craving"],
        Category::GoalsPlan => &["goal", "plan_item"],
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

pub(super) fn obj(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

pub(super) fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(super) fn mentor_name(tx: &mut dyn Tx, mentor: &str) -> Result<String> {
    tx.one("SELECT label FROM person WHERE id = $1", &[mentor.into()])?
        .ok_or(Error::NotFound("mentor"))?
        .text(0)
}

/// The live records of `mentee` of the entities of `categories`, each category authorized
/// first, plus their zone (from their settings, which is not shown).
pub(super) fn read(
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
pub(super) struct Window {
    now: i64,
    check_ins: i64,
    cravings: i64,
}

/// The caseload: a week of check-ins (a month, to know whether someone checks in at all) and
/// six weeks of cravings (two weeks against the four before).
pub(super) fn caseload_window(now: i64) -> Window {
    Window { now, check_ins: 31, cravings: 43 }
}

/// A mentee's page: two weeks of check-ins, eight weeks of cravings.
pub(super) fn page_window(now: i64) -> Window {
    Window { now, check_ins: 15, cravings: 57 }
}

/// A moment something was last seen, if ever.
type Seen = Option<DateTime<Utc>>;

/// When the mentee's phone last made a change (its own clock, from the change's HLC) and
/// when a phone of theirs last reached the server.
pub(super) fn last_seen(tx: &mut dyn Tx, mentee: &str) -> Result<(Seen, Seen)> {
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
pub(super) fn phone(tx: &mut dyn Tx, access: &Access, mentee: &str) -> Result<Option<String>> {
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

pub(super) fn outreach(tx: &mut dyn Tx, mentor: &str, mentee: &str) -> Result<Vec<Outreach>> {
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
pub(super) fn disclose(
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
