//! Mentor contact rows: one live primary and one live backup at most (a partial unique index).

use kindred_core::entity::MENTOR_CONTACT;
use kindred_core::ids::ContactId;
use kindred_core::model::contact::{Contact, Hours, Role};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::json;

use super::outbox::{self, Change, Op, WriteCtx};
use crate::Result;

/// The live contact in `role`, if any.
pub fn get(tx: &Transaction<'_>, role: Role) -> Result<Option<Contact>> {
    let raw = tx
        .query_row(
            "SELECT id, name, phone, sms, email, hours, note FROM mentor_contact
             WHERE role = ?1 AND cl % 2 = 1 ORDER BY id LIMIT 1",
            [role.key()],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            },
        )
        .optional()?;
    let Some((id, name, phone, sms, email, hours, note)) = raw else { return Ok(None) };
    Ok(Some(Contact {
        id: id.parse()?,
        role,
        name,
        phone,
        sms,
        email,
        hours: hours.map(|h| serde_json::from_str::<Hours>(&h)).transpose()?,
        note,
    }))
}

/// Creates or replaces the contact in `c.role`, recording only changed fields.
pub fn save(tx: &Transaction<'_>, ctx: &WriteCtx<'_>, c: &Contact) -> Result<()> {
    let before = get(tx, c.role)?;
    let hours = c.hours.as_ref().map(serde_json::to_string).transpose()?;
    let all = [
        ("name", json!(c.name)),
        ("phone", json!(c.phone)),
        ("sms", json!(c.sms)),
        ("email", json!(c.email)),
        ("hours", json!(c.hours)),
        ("note", json!(c.note)),
    ];
    let (id, op, fields) = match before {
        Some(b) => {
            let old = [
                json!(b.name),
                json!(b.phone),
                json!(b.sms),
                json!(b.email),
                json!(b.hours),
                json!(b.note),
            ];
            let changed: Vec<_> =
                all.into_iter().zip(old).filter(|((_, n), o)| n != o).map(|(f, _)| f).collect();
            if changed.is_empty() {
                return Ok(());
            }
            tx.execute(
                "UPDATE mentor_contact SET name = ?1, phone = ?2, sms = ?3, email = ?4, hours = ?5,
                        note = ?6 WHERE id = ?7",
                params![c.name, c.phone, c.sms, c.email, hours, c.note, b.id.to_string()],
            )?;
            (b.id, Op::Set, changed)
        }
        None => {
            tx.execute(
                "INSERT INTO mentor_contact (id, cl, role, name, phone, sms, email, hours, note,
                                             created_at)
                 VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    c.id.to_string(),
                    c.role.key(),
                    c.name,
                    c.phone,
                    c.sms,
                    c.email,
                    hours,
                    c.note,
                    ctx.now_ms
                ],
            )?;
            let mut fields = vec![("role", json!(c.role))];
            fields.extend(all);
            (c.id, Op::Create, fields)
        }
    };
    outbox::record(
        tx,
        ctx,
        Change {
            entity: &MENTOR_CONTACT,
            record_id: ContactId::from_uuid(id.0).0,
            op,
            cl: 1,
            fields,
            not_before: None,
        },
    )
}
