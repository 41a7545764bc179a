//! Migration 2: `change_log.actor_id`, the staff member or mentor who wrote a change (NULL for
//! devices, whose id is in `device_id`, and for rows written before staff had ids). With it
//! the log names every write's tie-break node, so the server's state stays a replay of its log.

/// DDL for SQLite.
pub const SQLITE: &str = "ALTER TABLE change_log ADD COLUMN actor_id TEXT;";
/// DDL for PostgreSQL.
pub const POSTGRES: &str = "ALTER TABLE change_log ADD COLUMN actor_id TEXT;";
