//! Migration 3: `person.data_deleted_at`, when a mentee deleted their data on the server (staff
//! see that it happened, never what it was).

/// DDL for SQLite.
pub const SQLITE: &str = "ALTER TABLE person ADD COLUMN data_deleted_at BIGINT;";
/// DDL for PostgreSQL.
pub const POSTGRES: &str = "ALTER TABLE person ADD COLUMN data_deleted_at BIGINT;";
