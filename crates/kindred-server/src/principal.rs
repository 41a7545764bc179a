//! Who is acting: a [`Principal`] is a device (with its [`DeviceAuth`]), a staff member (with
//! their own [`StaffId`]), a mentor (by person id) or the server itself. Each has the merge
//! tie-break node of SYNC.md §3 (`d:<device id>`, `s:<staff or mentor id>`, `srv`) and the
//! [`ActorKind`] kept in `change_log.actor`. [`PersonRole`] is a person's role in a program.
//!
//! `Debug` output never shows ids, so a principal can sit in an error without leaking one.

use kindred_core::sync::wire::ErrorCode;

use crate::{Error, Result};

/// An authenticated device.
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    pub device_id: String,
    pub user_id: String,
    pub program_id: String,
}

impl std::fmt::Debug for DeviceAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeviceAuth(..)")
    }
}

/// The sync scope of mentee `id`'s own records.
pub fn user_scope(id: &str) -> String {
    format!("user:{id}")
}

/// The sync scope of program `id`'s published content.
pub fn program_scope(id: &str) -> String {
    format!("program:{id}")
}

impl DeviceAuth {
    /// The mentee's own scope.
    pub fn user_scope(&self) -> String {
        user_scope(&self.user_id)
    }
    /// The program's scope.
    pub fn program_scope(&self) -> String {
        program_scope(&self.program_id)
    }
}

/// A staff member's id: 1 to 64 characters of `A-Z a-z 0-9 . _ @ -`, chosen by the program
/// (an operator name or an account id), never a real name by requirement of the program.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct StaffId(String);

impl StaffId {
    /// Checks and wraps `s`.
    pub fn parse(s: &str) -> Result<StaffId> {
        let ok = (1..=64).contains(&s.len())
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b));
        if !ok {
            return Err(Error::BadRequest(
                ErrorCode::Invalid,
                "a staff id is 1 to 64 letters, digits, '.', '_', '@' or '-'".into(),
            ));
        }
        Ok(StaffId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `staff`: the id every staff write carried before staff had ids of their own, so a server
/// configured with none keeps writing under the node (`s:staff`) its data already holds.
impl Default for StaffId {
    fn default() -> Self {
        StaffId("staff".into())
    }
}

impl std::fmt::Debug for StaffId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StaffId(..)")
    }
}

/// Whoever a request or command acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A mentee's enrolled phone.
    Device(DeviceAuth),
    /// A staff member of the program.
    Staff(StaffId),
    /// A mentor (their person id). No mentor routes exist yet; the type has room for them.
    Mentor(String),
    /// The server's own jobs.
    Server,
}

/// The kind of a principal, as `change_log.actor` stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Device,
    Staff,
    Mentor,
    Server,
}

impl ActorKind {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Device => "device",
            ActorKind::Staff => "staff",
            ActorKind::Mentor => "mentor",
            ActorKind::Server => "server",
        }
    }
}

impl Principal {
    /// Its kind.
    pub fn kind(&self) -> ActorKind {
        match self {
            Principal::Device(_) => ActorKind::Device,
            Principal::Staff(_) => ActorKind::Staff,
            Principal::Mentor(_) => ActorKind::Mentor,
            Principal::Server => ActorKind::Server,
        }
    }

    /// The merge tie-break node (SYNC.md §3), compared as bytes.
    pub fn node(&self) -> String {
        match self {
            Principal::Device(d) => format!("d:{}", d.device_id),
            Principal::Staff(s) => format!("s:{}", s.as_str()),
            Principal::Mentor(m) => format!("s:{m}"),
            Principal::Server => "srv".into(),
        }
    }

    /// The device, when a device acts (`change_log.device_id`, security events).
    pub fn device_id(&self) -> Option<&str> {
        match self {
            Principal::Device(d) => Some(&d.device_id),
            _ => None,
        }
    }

    /// The staff or mentor id, when a person acts (`change_log.actor_id`).
    pub fn actor_id(&self) -> Option<&str> {
        match self {
            Principal::Staff(s) => Some(s.as_str()),
            Principal::Mentor(m) => Some(m),
            Principal::Device(_) | Principal::Server => None,
        }
    }
}

/// A person's role in a program (`person.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonRole {
    /// Someone in recovery, with their own scope and devices.
    Mentee,
    /// Someone who supports mentees.
    Mentor,
}

impl PersonRole {
    /// The stored text.
    pub fn as_str(self) -> &'static str {
        match self {
            PersonRole::Mentee => "mentee",
            PersonRole::Mentor => "mentor",
        }
    }

    /// The role named `s`.
    pub fn parse(s: &str) -> Result<PersonRole> {
        match s {
            "mentee" => Ok(PersonRole::Mentee),
            "mentor" => Ok(PersonRole::Mentor),
            _ => Err(Error::BadRequest(ErrorCode::BadRole, "role is mentee or mentor".into())),
        }
    }
}

impl std::str::FromStr for PersonRole {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PersonRole::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_follow_sync_md() {
        let d = DeviceAuth { device_id: "x".into(), user_id: "u".into(), program_id: "p".into() };
        assert_eq!(Principal::Device(d).node(), "d:x");
        assert_eq!(Principal::Staff(StaffId::default()).node(), "s:staff");
        assert_eq!(Principal::Staff(StaffId::parse("ops.kim").unwrap()).node(), "s:ops.kim");
        assert_eq!(Principal::Mentor("m".into()).node(), "s:m");
        assert_eq!(Principal::Server.node(), "srv");
    }

    #[test]
    fn staff_ids_are_checked() {
        for bad in ["", "a b", "x\n", &"a".repeat(65), "é"] {
            assert!(StaffId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(StaffId::parse("kim@riverside-2").is_ok());
    }

    #[test]
    fn roles_round_trip() {
        for r in [PersonRole::Mentee, PersonRole::Mentor] {
            assert_eq!(PersonRole::parse(r.as_str()).unwrap(), r);
        }
        assert!(matches!(
            PersonRole::parse("admin"),
            Err(Error::BadRequest(ErrorCode::BadRole, _))
        ));
    }
}
