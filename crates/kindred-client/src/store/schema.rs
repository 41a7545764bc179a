//! The device schema as code: [`VERSION`], the migrations that build it ([`MIGRATIONS`]: a new
//! file runs them all, an older one the ones it lacks), all in one transaction. A shipped
//! migration is never edited; a new one is added.
//!
//! Every synced table has `id TEXT PRIMARY KEY` (UUIDv7 minted on the device), `cl` (the record's
//! generation: odd = alive, even = deleted, SYNC.md §5), `server_row_seq` and `extra` (pulled
//! fields this version does not know) next to its typed columns.

use rusqlite::Transaction;

use crate::{Error, Result};

/// The schema version this build writes.
pub const VERSION: i64 = 5;

/// Version 1, as shipped (trackers, resets, celebrations, settings, sync bookkeeping).
/// Never edited.
pub const V1: &str = r#"
CREATE TABLE tracker (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    label TEXT NOT NULL,
    start TEXT NOT NULL,            -- JSON ZonedDateTime {local, tz}: one value
    ladder TEXT NOT NULL,           -- JSON Ladder
    created_at INTEGER NOT NULL,    -- unix ms, device clock
    server_row_seq INTEGER,
    extra TEXT
) STRICT;

CREATE TABLE tracker_reset (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    tracker_id TEXT NOT NULL REFERENCES tracker (id),
    lapse_at TEXT NOT NULL,         -- JSON ZonedDateTime
    new_start TEXT NOT NULL,        -- JSON ZonedDateTime
    halt TEXT NOT NULL,             -- JSON [Halt]
    what_happened TEXT,             -- device-only
    differently TEXT,               -- device-only
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;
CREATE INDEX tracker_reset_tracker ON tracker_reset (tracker_id);

CREATE TABLE milestone_seen (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    tracker_id TEXT NOT NULL REFERENCES tracker (id),
    milestone_key TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT,
    UNIQUE (tracker_id, milestone_key)
) STRICT;

CREATE TABLE settings (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    tz TEXT NOT NULL,
    milestone_reminders INTEGER NOT NULL,
    reminder_time TEXT NOT NULL,    -- HH:MM:SS
    quiet_hours TEXT,               -- JSON QuietHours or NULL
    discreet INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;

CREATE TABLE field_clock (
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    field TEXT NOT NULL,
    cl INTEGER NOT NULL,
    hlc INTEGER NOT NULL,
    node TEXT NOT NULL,
    change_id TEXT NOT NULL,
    PRIMARY KEY (entity, record_id, field)
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
    local_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    entity TEXT NOT NULL,
    entity_version INTEGER NOT NULL,
    record_id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('create', 'set', 'delete')),
    cl INTEGER NOT NULL,
    hlc INTEGER NOT NULL,
    base_row_seq INTEGER,
    payload TEXT NOT NULL,          -- synced fields only, wire JSON
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER,
    undo TEXT,
    last_error TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_record ON outbox (entity, record_id);

CREATE TABLE sync_state (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;
"#;

/// Version 2: the craving log, mentor contacts, check-ins, goals and the plan.
///
/// `craving.local_day`, `local_hour` and `local_dow` (0 = Monday) are device-side columns
/// derived from `started_at` in `tz` at write time (never synced); `craving_rollup` holds the
/// insights counters, kept in the same transaction as every craving write (PERF.md P5).
pub const V2: &str = r#"
CREATE TABLE craving (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    started_at INTEGER NOT NULL,    -- unix ms
    tz TEXT NOT NULL,               -- IANA zone the mentee was in
    local_day TEXT NOT NULL,        -- YYYY-MM-DD in tz (derived, device-side)
    local_hour INTEGER NOT NULL CHECK (local_hour BETWEEN 0 AND 23),
    local_dow INTEGER NOT NULL CHECK (local_dow BETWEEN 0 AND 6),
    intensity INTEGER NOT NULL CHECK (intensity BETWEEN 0 AND 10),
    triggers TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    place TEXT,
    with_whom TEXT,
    coping TEXT NOT NULL DEFAULT '[]',
    outcome TEXT CHECK (outcome IN ('rode_it_out', 'used', 'not_sure')),
    end_intensity INTEGER CHECK (end_intensity BETWEEN 0 AND 10),
    surf_started_at INTEGER,
    surf_ended_at INTEGER,
    note TEXT,                      -- device-only
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;
CREATE INDEX craving_live_time ON craving (cl, started_at);

-- Device-side rollups behind the insights screen (PERF.md P5), kept in the same transaction as
-- every craving write, never synced, rebuildable from `craving`. kind: hour | dow | outcome |
-- trigger | coping | day; `n` live cravings, `rode_out` of those ridden out, `intensity_sum`.
CREATE TABLE craving_rollup (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    n INTEGER NOT NULL,
    rode_out INTEGER NOT NULL,
    intensity_sum INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE mentor_contact (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    role TEXT NOT NULL CHECK (role IN ('primary', 'backup')),
    name TEXT NOT NULL,
    phone TEXT,                     -- E.164
    sms TEXT,                       -- E.164
    email TEXT,
    hours TEXT,                     -- JSON availability or NULL (any time)
    note TEXT,
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;
CREATE UNIQUE INDEX mentor_contact_live_role ON mentor_contact (role) WHERE cl % 2 = 1;

CREATE TABLE check_in (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    at INTEGER NOT NULL,            -- unix ms
    tz TEXT NOT NULL,
    local_day TEXT NOT NULL,        -- derived, device-side
    mood INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    craving INTEGER NOT NULL CHECK (craving IN (0, 1)),
    halt TEXT NOT NULL DEFAULT '[]',
    line TEXT,
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;
CREATE INDEX check_in_live_time ON check_in (cl, at);

CREATE TABLE goal (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    text TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'done', 'paused')),
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;

CREATE TABLE plan_item (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    section TEXT NOT NULL
        CHECK (section IN ('warning_signs', 'high_risk', 'coping', 'people', 'reasons')),
    text TEXT NOT NULL,
    position INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    extra TEXT
) STRICT;

ALTER TABLE settings ADD COLUMN checkin_time TEXT;  -- HH:MM:SS or NULL (no reminder)
"#;

/// Version 3: sync bookkeeping and program content.
///
/// `sent_log` keeps every acknowledged change for 45 days (re-pushed after a server restore,
/// SYNC.md §13); `program_record` caches the program's published content (ladders, resources,
/// help numbers) for offline use; `pull_parked` holds pulled rows that cannot be stored yet
/// (a reset whose tracker arrives on a later page). Contacts lose their one-live-per-role
/// index: staff and the mentee may both set a primary, and the screen picks one
/// deterministically.
pub const V3: &str = r#"
CREATE TABLE sent_log (
    change_id TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL,
    server_seq INTEGER,
    change TEXT NOT NULL,           -- the whole wire change (content wiped once deleted)
    acked_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sent_log_record ON sent_log (entity, record_id);

CREATE TABLE program_record (
    id TEXT PRIMARY KEY NOT NULL,
    entity TEXT NOT NULL,
    cl INTEGER NOT NULL,
    fields TEXT,                    -- JSON {name: value}; NULL once deleted
    server_row_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX program_record_entity ON program_record (entity, cl);

CREATE TABLE pull_parked (
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    row TEXT NOT NULL,              -- the pulled row, wire JSON
    PRIMARY KEY (scope, id)
) STRICT;

DROP INDEX mentor_contact_live_role;

-- The server's clocks of the pulled values shown, {field: [hlc, node, change_id]}; local
-- writes not yet acknowledged keep theirs in field_clock.
ALTER TABLE tracker ADD COLUMN server_clock TEXT;
ALTER TABLE tracker_reset ADD COLUMN server_clock TEXT;
ALTER TABLE milestone_seen ADD COLUMN server_clock TEXT;
ALTER TABLE settings ADD COLUMN server_clock TEXT;
ALTER TABLE craving ADD COLUMN server_clock TEXT;
ALTER TABLE mentor_contact ADD COLUMN server_clock TEXT;
ALTER TABLE check_in ADD COLUMN server_clock TEXT;
ALTER TABLE goal ADD COLUMN server_clock TEXT;
ALTER TABLE plan_item ADD COLUMN server_clock TEXT;
"#;

/// Version 4: consent and the disclosure log (the mentor side).
///
/// `consent_event` holds the mentee's grants and revocations (a ledger: rows are only ever
/// added; table and column names are the registry's); `disclosure` the rows of the log of
/// who looked, as pulled from the program (no content). A mentor's assignment and milestone
/// messages are server-authored and live in `program_record` like program content. Also
/// gives `settings` the `created_at` column every other synced table has.
pub const V4: &str = r#"
CREATE TABLE consent_event (
    id TEXT PRIMARY KEY NOT NULL,
    cl INTEGER NOT NULL DEFAULT 1,
    action TEXT NOT NULL CHECK (action IN ('grant', 'revoke')),
    grant_id TEXT,
    assignment_id TEXT,
    recipient TEXT,
    recipient_name TEXT,
    categories TEXT,                -- JSON list of category names
    purpose TEXT,
    expires_at INTEGER,             -- unix ms, NULL: until revoked
    phone TEXT,                     -- E.164, shared with this grant only
    signed_at INTEGER NOT NULL,
    app_version TEXT NOT NULL,
    text_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    server_row_seq INTEGER,
    server_clock TEXT,
    extra TEXT
) STRICT;

CREATE TABLE disclosure (
    id TEXT PRIMARY KEY NOT NULL,
    at INTEGER NOT NULL,            -- unix ms, the server's clock
    mentor TEXT NOT NULL,
    categories TEXT NOT NULL,       -- comma-separated category names
    consent_ids TEXT NOT NULL,
    purpose TEXT NOT NULL,
    channel TEXT NOT NULL
) STRICT;
CREATE INDEX disclosure_at ON disclosure (at, id);

-- Every synced table has `created_at`; settings lacked it, so pulling another phone's
-- settings record failed (a second phone of the same mentee could not finish its first sync).
ALTER TABLE settings ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
"#;

/// Version 5: the deleted rows still holding content, indexed. The purge that runs around
/// every sync cycle ([`super::wipe::deleted`]) looked for them with `cl % 2 = 0 AND
/// created_at <> 0`, which no index served: three full scans of every table per purge, twice
/// a cycle (1.2 s of a no-op sync with 50k cravings; PERF.md P7). Each partial index holds
/// only such rows (usually none), and the purge's own terms select it.
pub const V5: &str = r#"
CREATE INDEX tracker_wipe_due ON tracker (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX tracker_reset_wipe_due ON tracker_reset (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX craving_wipe_due ON craving (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX mentor_contact_wipe_due ON mentor_contact (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX check_in_wipe_due ON check_in (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX goal_wipe_due ON goal (id) WHERE cl % 2 = 0 AND created_at <> 0;
CREATE INDEX plan_item_wipe_due ON plan_item (id) WHERE cl % 2 = 0 AND created_at <> 0;
"#;

/// Every migration in order: `MIGRATIONS[i]` brings version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5];

const _: () = assert!(VERSION as usize == MIGRATIONS.len());

/// Brings a database at `from` (0 = empty file) up to [`VERSION`] inside `tx`.
pub fn upgrade_from(tx: &Transaction<'_>, from: i64) -> Result<()> {
    if from > VERSION {
        return Err(Error::NewerVersion { found: from, known: VERSION });
    }
    for (version, sql) in (0_i64..).zip(MIGRATIONS) {
        if from <= version {
            tx.execute_batch(sql)?;
        }
    }
    tx.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}
