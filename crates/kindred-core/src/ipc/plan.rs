//! Check-in, goal and relapse-prevention plan DTOs.

use serde::{Deserialize, Serialize};

use crate::ids::{GoalId, PlanItemId};
use crate::model::plan::{GoalStatus, Section};
use crate::model::tracker::Halt;

/// A daily check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInReq {
    /// 1 (low) to 5 (good).
    pub mood: i64,
    pub craving: bool,
    pub halt: Vec<Halt>,
    pub line: String,
}

/// One check-in in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInRow {
    pub id: String,
    pub when: String,
    pub mood: u8,
    pub craving: bool,
    pub halt: Vec<Halt>,
    pub line: Option<String>,
}

/// Recent check-ins, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckInsView {
    pub entries: Vec<CheckInRow>,
}

/// One plan entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItemView {
    pub id: PlanItemId,
    pub text: String,
}

/// One section of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSectionView {
    pub section: Section,
    pub items: Vec<PlanItemView>,
}

/// A goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalView {
    pub id: GoalId,
    pub text: String,
    pub status: GoalStatus,
}

/// The relapse-prevention plan (every section, in order) and the goals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub sections: Vec<PlanSectionView>,
    pub goals: Vec<GoalView>,
}

/// Add an entry to a plan section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddPlanItemReq {
    pub section: Section,
    pub text: String,
}

/// Add a goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddGoalReq {
    pub text: String,
}

/// Change a goal's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetGoalStatusReq {
    pub id: String,
    pub status: GoalStatus,
}

/// A request naming one goal or plan entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemRef {
    pub id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::tests::round_trip;

    #[test]
    fn requests_round_trip() {
        round_trip(CheckInReq {
            mood: 3,
            craving: true,
            halt: vec![Halt::Tired],
            line: "ok".into(),
        });
        round_trip(AddPlanItemReq { section: Section::People, text: "Sam".into() });
        round_trip(SetGoalStatusReq { id: "a".into(), status: GoalStatus::Done });
    }
}
