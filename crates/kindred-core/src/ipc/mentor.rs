//! Mentor DTOs: the two contacts, saving one, reaching one (the shell builds the link), and
//! opening a bundled help line.

use serde::{Deserialize, Serialize};

use crate::model::contact::Role;

/// A mentor contact as shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub role: Role,
    pub name: String,
    pub phone: Option<String>,
    pub sms: Option<String>,
    pub email: Option<String>,
    /// "Mon–Fri 09:00–17:00", or `None` when no hours were given.
    pub hours_text: Option<String>,
    /// Weekdays (0 = Monday) and `HH:MM` times, for the form.
    pub hours_days: Vec<u8>,
    pub hours_from: String,
    pub hours_to: String,
    /// Inside the hours now (or no hours given).
    pub available_now: bool,
    pub note: String,
}

/// Both mentor contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactsView {
    pub primary: Option<ContactView>,
    pub backup: Option<ContactView>,
}

/// Create or change a mentor contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveContactReq {
    pub role: Role,
    pub name: String,
    pub phone: String,
    pub sms: String,
    pub email: String,
    /// Empty: no hours (always shown as available).
    pub hours_days: Vec<u8>,
    pub hours_from: String,
    pub hours_to: String,
    pub note: String,
}

/// How to reach a mentor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Call,
    Text,
    Email,
}

/// Call, text or e-mail a mentor: the shell builds the link from the stored contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactMentorReq {
    pub role: Role,
    pub channel: ContactChannel,
}

/// Open one of the bundled help lines by id (`kindred_core::model::help::HELP_LINES`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenHelpReq {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn requests_round_trip() {
        round_trip(SaveContactReq {
            role: Role::Backup,
            name: "Sam".into(),
            phone: "555 123 4567".into(),
            sms: String::new(),
            email: "sam@example.org".into(),
            hours_days: vec![0, 4],
            hours_from: "09:00".into(),
            hours_to: "17:00".into(),
            note: String::new(),
        });
        round_trip(ContactMentorReq { role: Role::Primary, channel: ContactChannel::Call });
        round_trip(OpenHelpReq { id: "988-call".into() });
    }
}
