//! Authorization in one place (SECURITY.md AZ-1): [`authorize`] says whether a [`Principal`]
//! may take an [`Action`], and every service entry point asks it before touching storage.
//!
//! Today's rules: a device reads only its mentee's scope and its program's scope, pushes only
//! as itself, and writes only user-scope entities (its registry writer flag is checked with
//! the change itself, `wire::check_change`); staff and mentors write only entities whose
//! registry `writers` name them (SYNC.md §13). A mentor knows of a mentee only through an
//! active assignment, and sees a category of their data only through a live grant naming
//! them through that assignment: [`access`] reads both in SQL (never fetch-all-then-filter)
//! inside the caller's transaction, and [`Action::Know`] / [`Action::See`] decide on it.

use kindred_core::consent::Category;
use kindred_core::entity::{Entity, Scope};
use kindred_core::sync::wire::ErrorCode;

use crate::db::Tx;
use crate::principal::Principal;
use crate::{Error, Result};

/// A mentee assigned to the mentor an [`Access`] was read for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assigned {
    pub mentee_id: String,
    /// The program's pseudonym for the mentee.
    pub label: String,
    /// The assignment (the `mentor_link` record id).
    pub assignment_id: String,
}

/// One category of one mentee a live grant allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consented {
    pub mentee_id: String,
    pub category: Category,
    pub grant_id: String,
    pub purpose: String,
}

/// What one mentor may know and see at one moment, read by [`access`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub mentor_id: String,
    /// Assigned mentees, by label.
    pub assigned: Vec<Assigned>,
    /// Live grants, by mentee and category.
    pub consented: Vec<Consented>,
}

impl Access {
    /// The grants allowing `category` of `mentee`.
    pub fn grants<'a>(
        &'a self,
        mentee: &'a str,
        category: Category,
    ) -> impl Iterator<Item = &'a Consented> + 'a {
        self.consented.iter().filter(move |c| c.mentee_id == mentee && c.category == category)
    }

    /// The categories of `mentee` some grant allows.
    pub fn categories(&self, mentee: &str) -> std::collections::BTreeSet<Category> {
        self.consented.iter().filter(|c| c.mentee_id == mentee).map(|c| c.category).collect()
    }

    /// The assignment of `mentee`, when assigned.
    pub fn assignment(&self, mentee: &str) -> Option<&Assigned> {
        self.assigned.iter().find(|a| a.mentee_id == mentee)
    }
}

/// The policy's read of a mentor's active assignments (`$1` mentor, `$2` one mentee or '').
pub const ASSIGNED_SQL: &str = "SELECT a.mentee_id, p.label, a.id FROM assignment a
               JOIN person m ON m.id = a.mentor_id AND m.role = 'mentor'
               JOIN person p ON p.id = a.mentee_id AND p.role = 'mentee'
                 AND p.program_id = m.program_id
             WHERE a.mentor_id = $1 AND a.ended_at IS NULL AND ($2 = '' OR a.mentee_id = $2)
             ORDER BY p.label, a.mentee_id";

/// The policy's read of the live grants naming a mentor (`$1` mentor, `$2` one mentee or '',
/// `$3` now).
pub const CONSENTED_SQL: &str = "SELECT g.mentee_id, c.category, g.id, g.purpose FROM assignment a
           JOIN consent_grant g ON g.assignment_id = a.id AND g.mentor_id = a.mentor_id
             AND g.mentee_id = a.mentee_id
           JOIN consent_category c ON c.grant_id = g.id
         WHERE a.mentor_id = $1 AND a.ended_at IS NULL AND ($2 = '' OR a.mentee_id = $2)
           AND (g.expires_at IS NULL OR g.expires_at > $3)
           AND NOT EXISTS (SELECT 1 FROM consent_revoke r
                           WHERE r.grant_id = g.id AND r.mentee_id = g.mentee_id)
         ORDER BY g.mentee_id, c.category, g.id";

/// The mentees `mentor` is actively assigned to (only `mentee`, when given), by label: what
/// [`Action::Know`] allows, without reading any grant.
pub fn assigned(tx: &mut dyn Tx, mentor: &str, mentee: Option<&str>) -> Result<Vec<Assigned>> {
    tx.query(ASSIGNED_SQL, &[mentor.into(), mentee.unwrap_or("").into()])?
        .into_iter()
        .map(|r| {
            Ok(Assigned { mentee_id: r.text(0)?, label: r.text(1)?, assignment_id: r.text(2)? })
        })
        .collect()
}

/// Reads what `mentor` may know and see at `now` (of `mentee` only, when given): active
/// assignments of a mentor who is a mentor, and the categories of grants that name this
/// mentor through the active assignment, are not expired and have no revoke.
pub fn access(tx: &mut dyn Tx, mentor: &str, mentee: Option<&str>, now: i64) -> Result<Access> {
    let only = mentee.unwrap_or("");
    let assigned = assigned(tx, mentor, mentee)?;
    let rows = tx.query(CONSENTED_SQL, &[mentor.into(), only.into(), now.into()])?;
    let mut consented = Vec::with_capacity(rows.len());
    for r in rows {
        let mentee_id = r.text(0)?;
        // Only assigned mentees (the same join; this also drops another program's rows).
        if !assigned.iter().any(|a| a.mentee_id == mentee_id) {
            continue;
        }
        let Some(category) = Category::parse(&r.text(1)?) else { continue };
        consented.push(Consented {
            mentee_id,
            category,
            grant_id: r.text(2)?,
            purpose: r.text(3)?,
        });
    }
    Ok(Access { mentor_id: mentor.to_owned(), assigned, consented })
}

/// Something a principal asks to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Pull the rows of a scope.
    Read { scope: &'a str },
    /// Push a batch naming this device id.
    Push { device_id: &'a str },
    /// Write a record of this entity (device pushes and staff writes).
    Write { entity: &'static Entity },
    /// Know that a mentee exists (their pseudonym, on a caseload): an active assignment.
    Know { mentee: &'a str, access: &'a Access },
    /// See (or write, for goals and the plan) a category of a mentee's data: an active
    /// assignment and a live grant of that category naming this mentor.
    See { mentee: &'a str, category: Category, access: &'a Access },
}

/// `Ok` when `who` may take `action`; otherwise the refusal to answer with.
pub fn authorize(who: &Principal, action: Action<'_>) -> Result<()> {
    match (who, action) {
        (Principal::Device(d), Action::Read { scope }) => {
            if scope == d.user_scope() || scope == d.program_scope() {
                Ok(())
            } else {
                Err(Error::Forbidden(
                    ErrorCode::ScopeForbidden,
                    "this device may not read that scope",
                ))
            }
        }
        (Principal::Staff(_) | Principal::Server, Action::Read { .. }) => Ok(()),
        (Principal::Mentor(_), Action::Read { .. }) => {
            Err(Error::Forbidden(ErrorCode::ScopeForbidden, "mentors may not read that scope"))
        }
        (Principal::Device(d), Action::Push { device_id }) if d.device_id == device_id => Ok(()),
        (_, Action::Push { .. }) => Err(Error::Forbidden(
            ErrorCode::DeviceMismatch,
            "device_id does not match the credentials",
        )),
        (Principal::Device(_), Action::Write { entity }) => {
            allowed(entity.scope == Scope::User, "devices cannot write this")
        }
        (Principal::Staff(_), Action::Write { entity }) => {
            allowed(entity.writers.staff, "staff cannot write this")
        }
        (Principal::Mentor(_), Action::Write { entity }) => {
            allowed(entity.writers.mentor, "mentors cannot write this")
        }
        (Principal::Server, Action::Write { .. }) => Ok(()),
        (Principal::Mentor(m), Action::Know { mentee, access }) => {
            if *m == access.mentor_id && access.assignment(mentee).is_some() {
                Ok(())
            } else {
                // A mentee who is not yours is not found (SECURITY.md AZ-2).
                Err(Error::NotFound("mentee"))
            }
        }
        (Principal::Mentor(m), Action::See { mentee, category, access }) => {
            authorize(who, Action::Know { mentee, access })?;
            if *m == access.mentor_id && access.grants(mentee, category).next().is_some() {
                Ok(())
            } else {
                Err(Error::Forbidden(ErrorCode::NotShared, "the mentee has not shared this"))
            }
        }
        // Staff, devices and the server's jobs never see a mentee's data through the mentor
        // view (staff see only pseudonyms and counts, `Service::mentee_info`).
        (_, Action::Know { .. } | Action::See { .. }) => Err(Error::NotFound("mentee")),
    }
}

fn allowed(ok: bool, message: &'static str) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Forbidden(ErrorCode::NotWritable, message))
    }
}

#[cfg(test)]
mod tests {
    use kindred_core::entity;

    use super::*;
    use crate::principal::{DeviceAuth, StaffId};

    fn device() -> Principal {
        Principal::Device(DeviceAuth {
            device_id: "d1".into(),
            user_id: "u1".into(),
            program_id: "p1".into(),
        })
    }

    fn code(r: Result<()>) -> Option<ErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn devices_read_their_own_scopes_only() {
        let d = device();
        assert!(authorize(&d, Action::Read { scope: "user:u1" }).is_ok());
        assert!(authorize(&d, Action::Read { scope: "program:p1" }).is_ok());
        for other in ["user:u2", "program:p2", "user:p1", ""] {
            assert_eq!(
                code(authorize(&d, Action::Read { scope: other })),
                Some(ErrorCode::ScopeForbidden)
            );
        }
    }

    #[test]
    fn devices_push_as_themselves() {
        let d = device();
        assert!(authorize(&d, Action::Push { device_id: "d1" }).is_ok());
        assert_eq!(
            code(authorize(&d, Action::Push { device_id: "d2" })),
            Some(ErrorCode::DeviceMismatch)
        );
        let staff = Principal::Staff(StaffId::default());
        assert!(authorize(&staff, Action::Push { device_id: "d1" }).is_err());
    }

    #[test]
    fn writers_follow_the_registry() {
        let d = device();
        let staff = Principal::Staff(StaffId::default());
        let mentor = Principal::Mentor("m".into());
        for e in entity::ALL {
            let w = Action::Write { entity: e };
            assert_eq!(authorize(&d, w).is_ok(), e.scope == Scope::User, "{}", e.name);
            assert_eq!(authorize(&staff, w).is_ok(), e.writers.staff, "{}", e.name);
            assert_eq!(authorize(&mentor, w).is_ok(), e.writers.mentor, "{}", e.name);
            assert!(authorize(&Principal::Server, w).is_ok());
        }
    }
}
