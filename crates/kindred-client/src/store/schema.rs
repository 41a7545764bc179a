//! The device schema as code: [`VERSION`], the full current SQL, and an upgrade path from every
//! older version. A shipped migration is never edited; a new one is added.
//!
//! Every synced table has `id TEXT PRIMARY KEY` (UUIDv7 minted on the device), `cl` (the record's
//! generation: odd = alive, even = deleted, SYNC.md §5), `server_row_seq` and `extra` (pulled
//! fields this version does not know) next to its typed columns.

use rusqlite::Transaction;

use crate::{Error, Result};

/// The schema version this build writes.
pub const VERSION: i64 = 1;

/// The full schema at [`VERSION`].
pub const SQL: &str = r#"
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

/// Brings a database at `from` (0 = empty file) up to [`VERSION`] inside `tx`.
pub fn upgrade_from(tx: &Transaction<'_>, from: i64) -> Result<()> {
    if from > VERSION {
        return Err(Error::NewerVersion {
            found: from,
            known: VERSION,
        });
    }
    if from == 0 {
        tx.execute_batch(SQL)?;
    }
    // Later versions add `if from < N { tx.execute_batch(MIGRATION_N)?; }` here, in order.
    tx.pragma_update(None, "user_version", VERSION)?;
    Ok(())
}
