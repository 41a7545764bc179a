//! Wire types of the sync protocol (SYNC.md §8, §9, §14): `hello`, `push` and `pull`, shared by
//! the server and the device so a changed shape fails to compile on both sides; frozen by the
//! golden JSON in the tests. Also the request checks that need nothing but the registry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::entity;
use crate::ids::ChangeId;
use crate::sync::hlc::Hlc;
use crate::sync::merge::Op;

/// Protocol major version, in the path (`/sync/v1`).
pub const PROTOCOL: u32 = 1;
/// Most changes in one push.
pub const MAX_CHANGES_PER_PUSH: usize = 250;
/// Largest decompressed push body, in bytes.
pub const MAX_PUSH_BYTES: usize = 256 * 1024;
/// Default and largest pull page.
pub const PULL_DEFAULT: u32 = 500;
pub const PULL_MAX: u32 = 1000;

/// The entity versions a side understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRange {
    pub min: u32,
    pub max: u32,
}

/// `GET /sync/v1/hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelloResponse {
    pub epoch: String,
    pub server_hlc: Hlc,
    pub protocol_min: u32,
    pub protocol_max: u32,
    pub entities: BTreeMap<String, VersionRange>,
    pub capabilities: Vec<String>,
}

/// One change as pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireChange {
    pub change_id: ChangeId,
    pub entity: String,
    pub entity_version: u32,
    pub record_id: String,
    pub op: Op,
    pub cl: u32,
    pub hlc: Hlc,
    pub base_row_seq: Option<i64>,
    /// Changed synced fields only.
    pub fields: Map<String, Value>,
}

/// `POST /sync/v1/push`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub device_id: String,
    pub epoch: String,
    pub changes: Vec<WireChange>,
}

/// What happened to one pushed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PushOutcome {
    Applied,
    Superseded,
    Duplicate,
    Rejected,
}

/// The result for one change, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResult {
    pub change_id: ChangeId,
    pub outcome: PushOutcome,
    pub seq: Option<i64>,
    /// Why it was rejected (`idempotency_key_reused`, `record_deleted`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The push answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushResponse {
    pub server_hlc: Hlc,
    pub clock_skew: bool,
    pub results: Vec<PushResult>,
}

/// A field value in a pulled row, with the clock that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PulledField {
    pub value: Value,
    pub hlc: Hlc,
    pub node: String,
}

/// One row of a pull page: its latest state, or an id-only tombstone (`fields` absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PulledRow {
    pub entity: String,
    pub entity_version: u32,
    pub id: String,
    pub cl: u32,
    pub row_seq: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, PulledField>>,
}

/// `GET /sync/v1/pull?scope=…&after=…&limit=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullResponse {
    pub rows: Vec<PulledRow>,
    pub has_more: bool,
    pub next_after: i64,
    /// On the last page only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_hlc: Option<Hlc>,
}

/// Why a change in a push is refused before any merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeProblem {
    UnknownEntity,
    NewerEntityVersion,
    /// A field that isn't in the registry, or is device-only.
    FieldNotAllowed,
    /// `op` and `cl` disagree (create/set → 1, delete → 2), or a delete carries fields.
    BadOp,
}

impl ChangeProblem {
    /// The `code` of the rejection.
    pub fn code(self) -> &'static str {
        match self {
            ChangeProblem::UnknownEntity => "unknown_entity",
            ChangeProblem::NewerEntityVersion => "entity_version_unsupported",
            ChangeProblem::FieldNotAllowed => "field_not_allowed",
            ChangeProblem::BadOp => "bad_op",
        }
    }
}

/// Checks one change against the registry (value validation is the entity's own).
pub fn check_change(c: &WireChange) -> Result<(), ChangeProblem> {
    let e = entity::by_name(&c.entity).ok_or(ChangeProblem::UnknownEntity)?;
    if c.entity_version > e.version || c.entity_version == 0 {
        return Err(ChangeProblem::NewerEntityVersion);
    }
    let ok_op = match c.op {
        Op::Create | Op::Set => c.cl == 1,
        Op::Delete => c.cl == 2 && c.fields.is_empty(),
    };
    if !ok_op {
        return Err(ChangeProblem::BadOp);
    }
    if c.fields.keys().any(|f| !e.is_synced(f)) {
        return Err(ChangeProblem::FieldNotAllowed);
    }
    Ok(())
}

/// Clamps a requested pull page size to `1..=PULL_MAX` (`None` → the default).
pub fn pull_limit(requested: Option<i64>) -> u32 {
    match requested {
        None => PULL_DEFAULT,
        Some(n) => u32::try_from(n.clamp(1, i64::from(PULL_MAX))).unwrap_or(PULL_DEFAULT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PUSH: &str = r#"{"device_id":"d1","epoch":"e1","changes":[{"change_id":"0190f5b2-7c4e-7a00-8000-000000000001","entity":"craving","entity_version":1,"record_id":"0190f5b2-7c4e-7a00-8000-000000000002","op":"set","cl":1,"hlc":1234567,"base_row_seq":4812,"fields":{"end_intensity":3}}]}"#;
    const PUSH_RESPONSE: &str = r#"{"server_hlc":99,"clock_skew":false,"results":[{"change_id":"0190f5b2-7c4e-7a00-8000-000000000001","outcome":"rejected","seq":null,"code":"record_deleted"}]}"#;
    const PULL: &str = r#"{"rows":[{"entity":"tracker","entity_version":1,"id":"t1","cl":1,"row_seq":7,"fields":{"label":{"value":"Me","hlc":5,"node":"d:x"}}},{"entity":"craving","entity_version":1,"id":"c1","cl":2,"row_seq":8}],"has_more":false,"next_after":8,"digest":42,"scope_seq":8,"server_hlc":100}"#;

    fn golden<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(s: &str) {
        let v: T = serde_json::from_str(s).expect("golden parses");
        assert_eq!(serde_json::to_string(&v).unwrap(), s, "wire format changed");
    }

    #[test]
    fn golden_wire_json() {
        golden::<PushRequest>(PUSH);
        golden::<PushResponse>(PUSH_RESPONSE);
        golden::<PullResponse>(PULL);
    }

    #[test]
    fn unknown_fields_in_requests_are_refused() {
        let sneaky = PUSH.replacen("\"device_id\"", "\"owner_id\":\"x\",\"device_id\"", 1);
        assert!(serde_json::from_str::<PushRequest>(&sneaky).is_err());
    }

    fn change(entity: &str, op: Op, cl: u32, fields: Value) -> WireChange {
        WireChange {
            change_id: "0190f5b2-7c4e-7a00-8000-000000000001".parse().unwrap(),
            entity: entity.into(),
            entity_version: 1,
            record_id: "r".into(),
            op,
            cl,
            hlc: Hlc(1),
            base_row_seq: None,
            fields: fields.as_object().cloned().unwrap_or_default(),
        }
    }

    #[test]
    fn registry_checks() {
        assert_eq!(check_change(&change("craving", Op::Set, 1, json!({"intensity": 3}))), Ok(()));
        assert_eq!(
            check_change(&change("craving", Op::Set, 1, json!({"note": "private"}))),
            Err(ChangeProblem::FieldNotAllowed),
            "device-only fields never travel"
        );
        assert_eq!(
            check_change(&change("journal", Op::Set, 1, json!({}))),
            Err(ChangeProblem::UnknownEntity)
        );
        assert_eq!(
            check_change(&change("craving", Op::Delete, 2, json!({"intensity": 1}))),
            Err(ChangeProblem::BadOp)
        );
        assert_eq!(
            check_change(&change("craving", Op::Delete, 1, json!({}))),
            Err(ChangeProblem::BadOp)
        );
        let mut newer = change("craving", Op::Set, 1, json!({}));
        newer.entity_version = 9;
        assert_eq!(check_change(&newer), Err(ChangeProblem::NewerEntityVersion));
    }

    #[test]
    fn pull_limits_are_clamped() {
        assert_eq!(pull_limit(None), PULL_DEFAULT);
        assert_eq!(pull_limit(Some(0)), 1);
        assert_eq!(pull_limit(Some(-1)), 1);
        assert_eq!(pull_limit(Some(1 << 31)), PULL_MAX);
        assert_eq!(pull_limit(Some(750)), 750);
    }
}
