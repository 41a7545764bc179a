//! Migration 4: the mentor side (MENTOR.md, SECURITY.md F).
//!
//! - `assignment`: staff link a mentor to a mentee; its id is the `mentor_link` record the
//!   phone pulls, and a grant names it, so a new assignment starts with no grants.
//! - `consent_grant`, `consent_category`, `consent_revoke`: the projection of the mentee's
//!   `consent_event` records, written by the single write path in the push's transaction
//!   (the records stay the truth); revokes are their own rows, so order never matters.
//! - `disclosure`: the accounting of disclosures, append-only (no code updates or deletes it;
//!   a production database gives the server's role no UPDATE or DELETE on it): when, which
//!   mentor, which categories, which grants, purpose and channel; never content.
//! - `mentor_login`, `web_session`, `login_attempt`: mentor sign-in (a sign-in name, an
//!   Argon2id password hash, the TOTP secret and the last step used, a one-time set-up link
//!   stored hashed with the secret it will confirm, `sessions_after` for sign-out everywhere),
//!   sessions (id stored hashed) and failed sign-ins for rate limits.
//! - `outreach`: the mentor's own log of contact attempts.
//! - `change_log_activity`: when a mentee's phone last made a change, for the caseload.

macro_rules! schema {
    ($bytes:literal) => {
        concat!(
            "
CREATE TABLE assignment (
    id TEXT PRIMARY KEY, mentor_id TEXT NOT NULL REFERENCES person (id),
    mentee_id TEXT NOT NULL REFERENCES person (id), started_at BIGINT NOT NULL,
    ended_at BIGINT);
CREATE UNIQUE INDEX assignment_live ON assignment (mentor_id, mentee_id) WHERE ended_at IS NULL;
CREATE INDEX assignment_mentee ON assignment (mentee_id);
CREATE TABLE consent_grant (
    id TEXT PRIMARY KEY, mentee_id TEXT NOT NULL, assignment_id TEXT NOT NULL,
    mentor_id TEXT NOT NULL, purpose TEXT NOT NULL, expires_at BIGINT,
    signed_at BIGINT NOT NULL, received_at BIGINT NOT NULL);
CREATE INDEX consent_grant_mentor ON consent_grant (mentor_id, mentee_id);
CREATE TABLE consent_category (
    grant_id TEXT NOT NULL, category TEXT NOT NULL, PRIMARY KEY (grant_id, category));
CREATE TABLE consent_revoke (
    revoke_id TEXT PRIMARY KEY, grant_id TEXT NOT NULL, mentee_id TEXT NOT NULL,
    received_at BIGINT NOT NULL);
CREATE INDEX consent_revoke_grant ON consent_revoke (grant_id);
CREATE TABLE disclosure (
    id TEXT PRIMARY KEY, mentee_id TEXT NOT NULL, at BIGINT NOT NULL,
    mentor_id TEXT NOT NULL, mentor_name TEXT NOT NULL, categories TEXT NOT NULL,
    consent_ids TEXT NOT NULL, purpose TEXT NOT NULL, channel TEXT NOT NULL);
CREATE INDEX disclosure_mentee ON disclosure (mentee_id, at, id);
CREATE TABLE mentor_login (
    mentor_id TEXT PRIMARY KEY REFERENCES person (id), login TEXT NOT NULL,
    password_hash TEXT, totp_secret ",
            $bytes,
            ", setup_hash TEXT, setup_totp ",
            $bytes,
            ", setup_expires_at BIGINT,
    sessions_after BIGINT NOT NULL DEFAULT 0, disabled_at BIGINT, last_totp_step BIGINT);
CREATE UNIQUE INDEX mentor_login_login ON mentor_login (login);
CREATE UNIQUE INDEX mentor_login_setup ON mentor_login (setup_hash);
CREATE TABLE web_session (
    id_hash TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at BIGINT NOT NULL);
CREATE TABLE login_attempt (
    k TEXT NOT NULL, at BIGINT NOT NULL);
CREATE INDEX login_attempt_k ON login_attempt (k, at);
CREATE TABLE outreach (
    id TEXT PRIMARY KEY, mentor_id TEXT NOT NULL, mentee_id TEXT NOT NULL, at BIGINT NOT NULL,
    channel TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX outreach_mentee ON outreach (mentor_id, mentee_id, at);
CREATE INDEX change_log_activity ON change_log (scope_id, actor, hlc_in);
"
        )
    };
}

/// DDL for SQLite.
pub const SQLITE: &str = schema!("BLOB");
/// DDL for PostgreSQL.
pub const POSTGRES: &str = schema!("BYTEA");
