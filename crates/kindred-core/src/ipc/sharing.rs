//! Sharing DTOs: what the mentee shares with which mentor (grants with their receipts,
//! revocation), what connecting to a program sends, and the log of who looked.

use serde::{Deserialize, Serialize};

/// A category the mentee can share, with its plain description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryInfo {
    pub key: String,
    pub title: String,
    pub description: String,
}

/// A mentor the program linked to this mentee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MentorOption {
    pub assignment_id: String,
    pub name: String,
    pub program: String,
    /// Still linked (a mentor who left keeps their past grants in the list, ended).
    pub active: bool,
}

/// One grant, as its receipt shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: String,
    pub mentor: String,
    pub program: String,
    /// Category titles, in screen order.
    pub categories: Vec<String>,
    pub category_keys: Vec<String>,
    pub purpose: String,
    /// "Until you change it" or the last day, in words.
    pub until: String,
    /// When the mentee tapped Share, in words, with the app version and text version.
    pub signed: String,
    /// Allows something right now.
    pub live: bool,
    /// Where it stands, in a calm sentence ("Sharing now", "Stopped on …", …).
    pub state: String,
    /// The program has received it (revocations take effect then).
    pub synced: bool,
    /// The number this grant shares, if any.
    pub phone: Option<String>,
}

/// The "who can see what" screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharingView {
    pub connected: bool,
    pub categories: Vec<CategoryInfo>,
    pub mentors: Vec<MentorOption>,
    /// Newest first.
    pub grants: Vec<GrantView>,
    /// Per linked mentor, what they can see now, in one sentence each.
    pub now: Vec<String>,
    pub revoke_text: String,
    pub never_text: String,
}

/// Share categories with a linked mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantReq {
    pub assignment_id: String,
    pub categories: Vec<String>,
    /// The last day of sharing (`YYYY-MM-DD`, the mentee's zone), or none: until changed.
    pub until: Option<String>,
    /// A number the mentor may call or text, shared with this grant only.
    pub phone: Option<String>,
    /// The grant this one replaces (widening, narrowing): it is revoked in the same step.
    pub replaces: Option<String>,
}

/// Stop a grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeGrantReq {
    pub grant_id: String,
}

/// One row of the log of who looked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureView {
    pub when: String,
    pub mentor: String,
    pub categories: Vec<String>,
    pub purpose: String,
    /// "your list on their caseload" or "your page".
    pub page: String,
}

/// The log of who looked: a weekly summary first, then the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosureLogView {
    /// One calm sentence per recent week ("This week: Robin looked 3 times at …").
    pub weeks: Vec<String>,
    pub rows: Vec<DisclosureView>,
    /// The log as CSV, for export (no health data: who, when, which categories).
    pub csv: String,
}

/// What connecting to a program sends and shows, said before the code is typed.
pub const CONNECT_SENDS: &str = "Connecting keeps a backup of your entries with your program, \
     so a new phone can get them back, and brings your program's help numbers and milestones to \
     this phone. Your private notes and what you write after a lapse stay on this phone.";
/// What the mentor sees after connecting.
pub const CONNECT_MENTOR: &str = "Your mentor sees nothing until you choose to share something \
     with them, under Sharing. You can stop sharing at any time.";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn sharing_dtos_round_trip_and_refuse_unknown_fields() {
        round_trip(GrantReq {
            assignment_id: "a".into(),
            categories: vec!["milestones".into()],
            until: None,
            phone: None,
            replaces: None,
        });
        round_trip(RevokeGrantReq { grant_id: "g".into() });
        assert!(serde_json::from_str::<RevokeGrantReq>(r#"{"grant_id":"g","x":1}"#).is_err());
    }
}
