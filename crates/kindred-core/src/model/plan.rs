//! Goals (with status) and the relapse-prevention plan agreed with the mentor: warning signs,
//! high-risk situations, coping responses, people to call, reasons for recovery.

use serde::{Deserialize, Serialize};

use crate::ids::{GoalId, PlanItemId};
use crate::model::text;
use crate::{Error, Result};

/// Longest goal or plan entry, in characters.
pub const ITEM_MAX: usize = 500;
/// Most entries in one plan section, or goals.
pub const ITEMS_MAX: usize = 50;

/// A section of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    WarningSigns,
    HighRisk,
    Coping,
    People,
    Reasons,
}

impl Section {
    /// All sections, in the order shown.
    pub const ALL: [Section; 5] = [
        Section::WarningSigns,
        Section::HighRisk,
        Section::Coping,
        Section::People,
        Section::Reasons,
    ];

    /// The heading.
    pub fn label(self) -> &'static str {
        match self {
            Section::WarningSigns => "My warning signs",
            Section::HighRisk => "Situations that are hard for me",
            Section::Coping => "What I can do instead",
            Section::People => "People I can call",
            Section::Reasons => "My reasons",
        }
    }

    /// The stable wire name.
    pub fn key(self) -> &'static str {
        match self {
            Section::WarningSigns => "warning_signs",
            Section::HighRisk => "high_risk",
            Section::Coping => "coping",
            Section::People => "people",
            Section::Reasons => "reasons",
        }
    }

    /// Parses [`Section::key`].
    pub fn from_key(key: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// One entry of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    pub id: PlanItemId,
    pub section: Section,
    pub text: String,
    pub position: i64,
}

/// Where a goal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalStatus {
    Active,
    Done,
    Paused,
}

impl GoalStatus {
    /// All statuses.
    pub const ALL: [GoalStatus; 3] = [GoalStatus::Active, GoalStatus::Done, GoalStatus::Paused];

    /// The word shown.
    pub fn label(self) -> &'static str {
        match self {
            GoalStatus::Active => "Working on it",
            GoalStatus::Done => "Done",
            GoalStatus::Paused => "Paused",
        }
    }

    /// The stable wire name.
    pub fn key(self) -> &'static str {
        match self {
            GoalStatus::Active => "active",
            GoalStatus::Done => "done",
            GoalStatus::Paused => "paused",
        }
    }

    /// Parses [`GoalStatus::key`].
    pub fn from_key(key: &str) -> Option<GoalStatus> {
        GoalStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// A goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: GoalId,
    pub text: String,
    pub status: GoalStatus,
}

/// Checks a goal or plan entry's text.
pub fn item_text(raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::EmptyText);
    }
    if t.chars().count() > ITEM_MAX {
        return Err(Error::TextTooLong { field: "entry", max: ITEM_MAX });
    }
    Ok(text::note("entry", t)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_keys() {
        assert_eq!(item_text("  Call Sam  "), Ok("Call Sam".into()));
        assert_eq!(item_text(" "), Err(Error::EmptyText));
        assert!(item_text(&"x".repeat(501)).is_err());
        for s in Section::ALL {
            assert_eq!(Section::from_key(s.key()), Some(s));
        }
        for g in GoalStatus::ALL {
            assert_eq!(GoalStatus::from_key(g.key()), Some(g));
        }
    }
}
