//! Staff commands: programs, people (by a program-assigned pseudonymous label), invite codes,
//! a mentee's devices and their revocation, and staff writes of program content and mentor
//! contacts. Writes go through `apply`, the single write path, as the service's staff
//! [`Principal`], stamped with the server clock and checked against the registry like any
//! device change.

use kindred_core::entity;
use kindred_core::ids::ChangeId;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{check_fields, ErrorCode, PushOutcome, WireChange};
use serde_json::{Map, Value};

use super::{security_event, SecurityEvent, Service, INVITE_TTL_MS};
use crate::apply::{self, Offer};
use crate::db::{run, Mode, Tx};
use crate::policy::{authorize, Action};
use crate::principal::{program_scope, user_scope, ActorKind, PersonRole, Principal};
use crate::secrets;
use crate::{Error, Result};

/// A device as staff see it: no health data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    pub device_id: String,
    pub created_at: i64,
    pub last_seen_at: Option<i64>,
    pub app_version: Option<String>,
    pub revoked_at: Option<i64>,
}

/// A mentee as staff see them: the pseudonym and what happened, never what they recorded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MenteeInfo {
    pub id: String,
    pub label: String,
    pub created_at: i64,
    /// When the mentee deleted their data on the server from their phone.
    pub data_deleted_at: Option<i64>,
    /// Records the server holds for them.
    pub records: i64,
}

impl Service {
    /// A mentee's label, when they deleted their data (if they did) and how many records the
    /// server holds for them.
    pub fn mentee_info(&self, mentee: &str) -> Result<MenteeInfo> {
        run(&*self.db, Mode::Read, |tx| {
            let r = tx
                .one(
                    "SELECT id, label, created_at, data_deleted_at FROM person
                     WHERE id = $1 AND role = $2",
                    &[mentee.into(), PersonRole::Mentee.as_str().into()],
                )?
                .ok_or(Error::NotFound("mentee"))?;
            let records = tx
                .one(
                    "SELECT count(*) FROM record WHERE scope_id = $1",
                    &[user_scope(mentee).into()],
                )?
                .map_or(Ok(0), |c| c.int(0))?;
            Ok(MenteeInfo {
                id: r.text(0)?,
                label: r.text(1)?,
                created_at: r.int(2)?,
                data_deleted_at: r.opt_int(3)?,
                records,
            })
        })
    }

    /// Creates a program and its scope; returns its id.
    pub fn create_program(&self, name: &str) -> Result<String> {
        check_label(name)?;
        let id = secrets::uuid_v7(self.clock.now_ms()).to_string();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            tx.exec(
                "INSERT INTO program (id, name, created_at) VALUES ($1, $2, $3)",
                &[(&id).into(), name.into(), now.into()],
            )?;
            tx.exec("INSERT INTO sync_scope (scope_id) VALUES ($1)", &[program_scope(&id).into()])?;
            Ok(())
        })?;
        Ok(id)
    }

    /// Adds a mentee or mentor (by a program-assigned pseudonymous label); returns the id.
    pub fn create_person(&self, program: &str, role: PersonRole, label: &str) -> Result<String> {
        check_label(label)?;
        let id = secrets::uuid_v7(self.clock.now_ms()).to_string();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            if tx.one("SELECT 1 FROM program WHERE id = $1", &[program.into()])?.is_none() {
                return Err(Error::NotFound("program"));
            }
            tx.exec(
                "INSERT INTO person (id, program_id, role, label, created_at) VALUES ($1, $2, $3, $4, $5)",
                &[(&id).into(), program.into(), role.as_str().into(), label.into(), now.into()],
            )?;
            if role == PersonRole::Mentee {
                tx.exec(
                    "INSERT INTO sync_scope (scope_id) VALUES ($1)",
                    &[user_scope(&id).into()],
                )?;
            }
            Ok(())
        })?;
        Ok(id)
    }

    /// Issues a one-time invite code for `mentee`, valid for `ttl_ms`.
    pub fn invite(&self, mentee: &str, ttl_ms: i64) -> Result<String> {
        if !(60_000..=INVITE_TTL_MS).contains(&ttl_ms) {
            return Err(Error::BadRequest(
                ErrorCode::BadTtl,
                "an invite lasts between a minute and 24 hours".into(),
            ));
        }
        let code = secrets::invite_code();
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            self.mentee_exists(tx, mentee)?;
            tx.exec(
                "INSERT INTO invite (code_hash, mentee_id, expires_at) VALUES ($1, $2, $3)",
                &[
                    secrets::hash(&secrets::normalize_code(&code)).into(),
                    mentee.into(),
                    (now + ttl_ms).into(),
                ],
            )?;
            Ok(())
        })?;
        Ok(code)
    }

    /// `NotFound` unless `mentee` is a mentee.
    fn mentee_exists(&self, tx: &mut dyn Tx, mentee: &str) -> Result<()> {
        tx.one(
            "SELECT 1 FROM person WHERE id = $1 AND role = $2",
            &[mentee.into(), PersonRole::Mentee.as_str().into()],
        )?
        .map(|_| ())
        .ok_or(Error::NotFound("mentee"))
    }

    /// A mentee's devices.
    pub fn devices(&self, mentee: &str) -> Result<Vec<DeviceInfo>> {
        run(&*self.db, Mode::Read, |tx| {
            self.mentee_exists(tx, mentee)?;
            tx.query(
                "SELECT device_id, created_at, last_seen_at, app_version, revoked_at FROM device
                 WHERE user_id = $1 ORDER BY created_at",
                &[mentee.into()],
            )?
            .into_iter()
            .map(|r| {
                Ok(DeviceInfo {
                    device_id: r.text(0)?,
                    created_at: r.int(1)?,
                    last_seen_at: r.opt_int(2)?,
                    app_version: r.opt_text(3)?,
                    revoked_at: r.opt_int(4)?,
                })
            })
            .collect()
        })
    }

    /// Revokes a device: its tokens stop working at once; its data stays on the phone.
    pub fn revoke(&self, device_id: &str) -> Result<()> {
        let now = self.clock.now_ms();
        run(&*self.db, Mode::Write, |tx| {
            let n = tx.exec(
                "UPDATE device SET revoked_at = $2, revoked_reason = $3 WHERE device_id = $1",
                &[device_id.into(), now.into(), ActorKind::Staff.as_str().into()],
            )?;
            if n == 0 {
                return Err(Error::NotFound("device"));
            }
            // Its tokens stay on record so the phone hears `device_revoked` and can say so.
            security_event(tx, now, SecurityEvent::DeviceRevoked, Some(device_id))
        })
    }

    /// A staff write, as the service's staff member ([`Service::with_staff`]); see
    /// [`Service::write_as`].
    pub fn staff_write(
        &self,
        scope: &str,
        entity_name: &str,
        record_id: Option<&str>,
        op: Op,
        fields: Map<String, Value>,
    ) -> Result<String> {
        self.write_as(&self.staff, scope, entity_name, record_id, op, fields)
    }

    /// A write by a person or the server (not a device: devices push) through the single
    /// write path: allowed by the registry's writers for `who`, validated like a device change,
    /// stamped with the server clock. Returns the record id.
    pub fn write_as(
        &self,
        who: &Principal,
        scope: &str,
        entity_name: &str,
        record_id: Option<&str>,
        op: Op,
        fields: Map<String, Value>,
    ) -> Result<String> {
        self.write_with(who, scope, entity_name, record_id, op, fields, &mut |_| Ok(()))
    }

    /// [`Service::write_as`], running `also` in the same transaction before the write (the
    /// bookkeeping that must commit with it, e.g. an assignment row).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn write_with(
        &self,
        who: &Principal,
        scope: &str,
        entity_name: &str,
        record_id: Option<&str>,
        op: Op,
        fields: Map<String, Value>,
        also: &mut dyn FnMut(&mut dyn Tx) -> Result<()>,
    ) -> Result<String> {
        if matches!(who, Principal::Device(_)) {
            return Err(Error::Forbidden(ErrorCode::NotWritable, "devices push their changes"));
        }
        let e = entity::by_name(entity_name).ok_or(Error::NotFound("entity"))?;
        authorize(who, Action::Write { entity: e })?;
        let now = self.clock.now_ms();
        let id = record_id.map_or_else(|| secrets::uuid_v7(now).to_string(), str::to_owned);
        // Another instance may have stamped this record later than this one's clock has seen:
        // the edit is stamped after it, so an explicit staff edit never loses to an older one.
        if record_id.is_some() {
            let last = run(&*self.db, Mode::Read, |tx| {
                tx.one(
                    "SELECT max(hlc_eff) FROM change_log WHERE scope_id = $1 AND record_id = $2",
                    &[scope.into(), id.as_str().into()],
                )?
                .map_or(Ok(None), |r| r.opt_int(0))
            })?;
            if let Some(h) = last.and_then(|h| u64::try_from(h).ok()) {
                self.observe(kindred_core::sync::hlc::Hlc(h));
            }
        }
        let change = WireChange {
            change_id: ChangeId(secrets::uuid_v7(now)),
            entity: entity_name.to_owned(),
            entity_version: e.version,
            record_id: id.clone(),
            op,
            cl: if op == Op::Delete { 2 } else { 1 },
            hlc: self.tick(),
            base_row_seq: None,
            fields,
        };
        check_fields(e, &change, now).map_err(|p| {
            Error::BadRequest(ErrorCode::Invalid, format!("{} ({})", p.code(), entity_name))
        })?;
        let offer = Offer::new(&change, change.hlc, None, &self.mac_key);
        let r = run(&*self.db, Mode::Write, |tx| {
            also(tx)?;
            let r = apply::write(tx, scope, who, &[offer], now)?;
            r.into_iter().next().ok_or(Error::Db("no result".into()))
        })?;
        match r.outcome {
            PushOutcome::Rejected => {
                Err(Error::Conflict(ErrorCode::Rejected, "the record was deleted"))
            }
            _ => Ok(id),
        }
    }

    /// Sets a mentee's primary or backup mentor contact: edits the live one in that role, or
    /// creates it.
    pub fn set_contact(
        &self,
        mentee: &str,
        role: &str,
        mut fields: Map<String, Value>,
    ) -> Result<String> {
        let scope = user_scope(mentee);
        let existing = run(&*self.db, Mode::Read, |tx| {
            self.mentee_exists(tx, mentee)?;
            let rows = tx.query(
                "SELECT id, fields FROM record WHERE scope_id = $1 AND entity = 'mentor_contact'
                   AND has_create = 1 AND cl % 2 = 1 ORDER BY id",
                &[scope.as_str().into()],
            )?;
            for r in rows {
                let f = apply::parse_fields(1, r.opt_text(1)?.as_deref())?;
                if f.get("role").is_some_and(|v| v.value == Value::String(role.to_owned())) {
                    return Ok(Some(r.text(0)?));
                }
            }
            Ok(None)
        })?;
        fields.insert("role".into(), Value::String(role.to_owned()));
        match existing {
            Some(id) => self.staff_write(&scope, "mentor_contact", Some(&id), Op::Set, fields),
            None => self.staff_write(&scope, "mentor_contact", None, Op::Create, fields),
        }
    }

    /// The scope id of a program (checks it exists).
    pub fn program_scope(&self, program: &str) -> Result<String> {
        run(&*self.db, Mode::Read, |tx| {
            tx.one("SELECT 1 FROM program WHERE id = $1", &[program.into()])?
                .ok_or(Error::NotFound("program"))
        })?;
        Ok(program_scope(program))
    }
}

/// A program or person label: 1 to 100 characters, no control characters.
fn check_label(s: &str) -> Result<()> {
    let n = s.chars().count();
    if n == 0 || n > 100 || s.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            ErrorCode::BadName,
            "names are 1 to 100 characters, no control characters".into(),
        ));
    }
    Ok(())
}
