//! Migration 1: the schema as it stood before the schema was versioned (SYNC.md §7 plus
//! enrolment and tokens). A database created then has exactly these tables and no
//! `schema_version`; it is recognised as version 1. Never edited: shipped.
//!
//! Differences from SYNC.md §7, decided here: a record's visible field values and their clocks
//! live together in `record.fields` as JSON `{name: {value, hlc, node, change_id}}` (one read
//! per merge, one row per pulled record) instead of a separate `field_clock` table; deleted
//! records keep `fields = NULL`.

macro_rules! schema {
    ($bytes:literal) => {
        concat!(
            "
CREATE TABLE IF NOT EXISTS server_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS program (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS person (
    id TEXT PRIMARY KEY, program_id TEXT NOT NULL REFERENCES program (id),
    role TEXT NOT NULL CHECK (role IN ('mentee', 'mentor')), label TEXT NOT NULL,
    created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS invite (
    code_hash TEXT PRIMARY KEY, mentee_id TEXT NOT NULL REFERENCES person (id),
    expires_at BIGINT NOT NULL, used_at BIGINT);
CREATE TABLE IF NOT EXISTS device (
    device_id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES person (id),
    created_at BIGINT NOT NULL, last_seen_at BIGINT, last_pull_seq BIGINT, app_version TEXT,
    revoked_at BIGINT, revoked_reason TEXT);
CREATE TABLE IF NOT EXISTS token (
    hash TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES device (device_id),
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')), expires_at BIGINT NOT NULL,
    used_at BIGINT);
CREATE INDEX IF NOT EXISTS token_device ON token (device_id);
CREATE TABLE IF NOT EXISTS sync_scope (
    scope_id TEXT PRIMARY KEY, seq BIGINT NOT NULL DEFAULT 0, digest BIGINT NOT NULL DEFAULT 0,
    restore_point_seq BIGINT);
CREATE TABLE IF NOT EXISTS record (
    scope_id TEXT NOT NULL, id TEXT NOT NULL, entity TEXT NOT NULL, cl BIGINT NOT NULL,
    has_create BIGINT NOT NULL DEFAULT 0, row_seq BIGINT NOT NULL, fields TEXT,
    PRIMARY KEY (scope_id, id));
CREATE INDEX IF NOT EXISTS record_pull ON record (scope_id, row_seq);
CREATE TABLE IF NOT EXISTS change_log (
    change_id TEXT PRIMARY KEY, scope_id TEXT NOT NULL, seq BIGINT, device_id TEXT,
    actor TEXT NOT NULL, entity TEXT NOT NULL, record_id TEXT NOT NULL, op TEXT NOT NULL,
    payload_mac ",
            $bytes,
            " NOT NULL, payload TEXT, hlc_in BIGINT NOT NULL, hlc_eff BIGINT NOT NULL,
    base_row_seq BIGINT, outcome TEXT NOT NULL, received_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS change_log_record ON change_log (scope_id, record_id);
CREATE TABLE IF NOT EXISTS security_event (
    at BIGINT NOT NULL, kind TEXT NOT NULL, device_id TEXT);
"
        )
    };
}

/// DDL for SQLite.
pub const SQLITE: &str = schema!("BLOB");
/// DDL for PostgreSQL.
pub const POSTGRES: &str = schema!("BYTEA");
