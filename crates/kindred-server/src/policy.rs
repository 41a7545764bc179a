//! Authorization in one place (SECURITY.md AZ-1): [`authorize`] says whether a [`Principal`]
//! may take an [`Action`], and every service entry point asks it before touching storage.
//!
//! Today's rules: a device reads only its mentee's scope and its program's scope, pushes only
//! as itself, and writes only user-scope entities (its registry writer flag is checked with
//! the change itself, `wire::check_change`); staff and mentors write only entities whose
//! registry `writers` name them (SYNC.md §13). Mentors read nothing until consent exists.

use kindred_core::entity::{Entity, Scope};
use kindred_core::sync::wire::ErrorCode;

use crate::principal::Principal;
use crate::{Error, Result};

/// Something a principal asks to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Pull the rows of a scope.
    Read { scope: &'a str },
    /// Push a batch naming this device id.
    Push { device_id: &'a str },
    /// Write a record of this entity (device pushes and staff writes).
    Write { entity: &'static Entity },
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
