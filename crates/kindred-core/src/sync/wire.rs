//! Wire types of the sync protocol (SYNC.md §8, §9, §14): `hello`, `push` and `pull`, shared by
//! the server and the device so a changed shape fails to compile on both sides; frozen by the
//! golden JSON in the tests. Also the request checks that need nothing but the registry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::entity::{self, check_value, Entity, ValueProblem};
use crate::ids::ChangeId;
pub use crate::sync::code::ErrorCode;
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
    /// The program's key pins (`sha256/…`, current and backup; [`super::pin`]). Announced over
    /// a pinned connection, so a phone may adopt them for a key rotation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<String>,
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
    pub code: Option<ErrorCode>,
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
    pub change_id: ChangeId,
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

/// `POST /enrol/v1`: a device exchanges a one-time invite code for its credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub code: String,
    pub device_id: String,
    pub app_version: String,
}

/// The answer to an enrolment.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrolment {
    pub device_id: String,
    /// `user:<id>`: the mentee's own records.
    pub user_scope: String,
    /// `program:<id>`: the program's shared content.
    pub program_scope: String,
    pub program_name: String,
    pub tokens: TokenPair,
    /// The program's key pins (current and backup), which the phone keeps and checks from now
    /// on ([`super::pin`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pins: Vec<String>,
}

/// A short-lived access token and the rotating refresh token that renews it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenPair {
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment")
            .field("program_name", &self.program_name)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for TokenPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenPair(..)")
    }
}

/// `POST /auth/v1/refresh`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

impl std::fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RefreshRequest(..)")
    }
}

/// The body of every error answer: a stable `error` code and a plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    /// With `epoch_changed`: where the restored server's history ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_point_seq: Option<i64>,
}

/// JSON with object keys sorted at every level: the canonical form a change's MAC is taken
/// over, whatever order its sender wrote.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
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
    /// The entity is not written by devices (program content, for one).
    NotWritable,
    /// The record id is not a UUID.
    BadId,
    /// A field value is refused.
    Value(ValueProblem),
}

impl ChangeProblem {
    /// The `code` of the rejection.
    pub fn code(self) -> ErrorCode {
        match self {
            ChangeProblem::UnknownEntity => ErrorCode::UnknownEntity,
            ChangeProblem::NewerEntityVersion => ErrorCode::EntityVersionUnsupported,
            ChangeProblem::FieldNotAllowed => ErrorCode::FieldNotAllowed,
            ChangeProblem::BadOp => ErrorCode::BadOp,
            ChangeProblem::NotWritable => ErrorCode::NotWritable,
            ChangeProblem::BadId => ErrorCode::BadId,
            ChangeProblem::Value(v) => v.code(),
        }
    }
}

/// Checks one change pushed by a device against the registry: entity, version, op, writer,
/// record id, fields (no device-only ones) and every value; a create must carry every
/// non-null field. `now_ms` is the server clock, for domain times (SECURITY.md IN-4).
pub fn check_change(c: &WireChange, now_ms: i64) -> Result<(), ChangeProblem> {
    let e = entity::by_name(&c.entity).ok_or(ChangeProblem::UnknownEntity)?;
    if !e.writers.device {
        return Err(ChangeProblem::NotWritable);
    }
    check_fields(e, c, now_ms)
}

/// The checks of [`check_change`] that do not depend on who writes.
pub fn check_fields(e: &Entity, c: &WireChange, now_ms: i64) -> Result<(), ChangeProblem> {
    if c.entity_version > e.version || c.entity_version == 0 {
        return Err(ChangeProblem::NewerEntityVersion);
    }
    if uuid::Uuid::try_parse(&c.record_id).is_err() {
        return Err(ChangeProblem::BadId);
    }
    let ok_op = match c.op {
        Op::Create | Op::Set => c.cl == 1,
        Op::Delete => c.cl == 2 && c.fields.is_empty(),
    };
    if !ok_op || (e.class == entity::Class::Ledger && c.op != Op::Create) {
        return Err(ChangeProblem::BadOp);
    }
    for (name, value) in &c.fields {
        let f = e.synced_field(name).ok_or(ChangeProblem::FieldNotAllowed)?;
        check_value(f, value, now_ms).map_err(ChangeProblem::Value)?;
    }
    if c.op == Op::Create
        && e.synced_fields().any(|f| !f.nullable && !c.fields.contains_key(f.name))
    {
        return Err(ChangeProblem::Value(ValueProblem::Missing));
    }
    if e.name == entity::CONSENT_EVENT.name {
        crate::consent::Event::from_fields(&c.record_id, &c.fields)
            .map_err(ChangeProblem::Value)?;
    }
    Ok(())
}

/// One row's term of a scope digest (SYNC.md §7): the digest is the wrapping sum of the terms
/// of every row a pull returns, kept incrementally on the server and recomputed on the device.
pub fn digest_term(id: &str, row_seq: i64) -> u64 {
    // FNV-1a over the id bytes and the seq: stable across platforms and versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_bytes().iter().chain(row_seq.to_le_bytes().iter()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
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
    const PULL: &str = r#"{"rows":[{"entity":"tracker","entity_version":1,"id":"t1","cl":1,"row_seq":7,"fields":{"label":{"value":"Me","hlc":5,"node":"d:x","change_id":"0190f5b2-7c4e-7a00-8000-000000000003"}}},{"entity":"craving","entity_version":1,"id":"c1","cl":2,"row_seq":8}],"has_more":false,"next_after":8,"digest":42,"scope_seq":8,"server_hlc":100}"#;

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
            record_id: "0190f5b2-7c4e-7a00-8000-000000000009".into(),
            op,
            cl,
            hlc: Hlc(1),
            base_row_seq: None,
            fields: fields.as_object().cloned().unwrap_or_default(),
        }
    }

    const NOW: i64 = 1_800_000_000_000;

    #[test]
    fn values_are_checked_against_the_registry() {
        let bad = |fields: Value| check_change(&change("craving", Op::Set, 1, fields), NOW);
        assert_eq!(
            bad(json!({"intensity": 11})),
            Err(ChangeProblem::Value(ValueProblem::OutOfRange))
        );
        assert_eq!(
            bad(json!({"intensity": "3"})),
            Err(ChangeProblem::Value(ValueProblem::WrongType))
        );
        assert_eq!(
            bad(json!({"intensity": 2.5})),
            Err(ChangeProblem::Value(ValueProblem::WrongType))
        );
        assert_eq!(
            bad(json!({"intensity": null})),
            Err(ChangeProblem::Value(ValueProblem::WrongType))
        );
        assert_eq!(
            bad(json!({"place": "x".repeat(201)})),
            Err(ChangeProblem::Value(ValueProblem::TooLong))
        );
        assert_eq!(bad(json!({"place": null})), Ok(()));
        assert_eq!(
            bad(json!({"outcome": "relapsed"})),
            Err(ChangeProblem::Value(ValueProblem::OutOfRange))
        );
        assert_eq!(
            bad(json!({"started_at": NOW + 25 * 3600 * 1000})),
            Err(ChangeProblem::Value(ValueProblem::InFuture))
        );
        assert_eq!(bad(json!({"started_at": NOW + 3600 * 1000})), Ok(()));
        let create = check_change(&change("craving", Op::Create, 1, json!({"intensity": 3})), NOW);
        assert_eq!(create, Err(ChangeProblem::Value(ValueProblem::Missing)));
        let mut not_uuid = change("craving", Op::Set, 1, json!({}));
        not_uuid.record_id = "../etc".into();
        assert_eq!(check_change(&not_uuid, NOW), Err(ChangeProblem::BadId));
        let ladder = change("ladder", Op::Create, 1, json!({"name": "x", "days": []}));
        assert_eq!(check_change(&ladder, NOW), Err(ChangeProblem::NotWritable));
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[{"d":1,"c":2}],"x":null}}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":null,"y":[{"c":2,"d":1}]},"b":1}"#).unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(canonical_json(&a), r#"{"a":{"x":null,"y":[{"c":2,"d":1}]},"b":1}"#);
    }

    #[test]
    fn digest_terms_depend_on_id_and_seq() {
        assert_ne!(digest_term("a", 1), digest_term("a", 2));
        assert_ne!(digest_term("a", 1), digest_term("b", 1));
        assert_eq!(digest_term("a", 1), digest_term("a", 1));
    }

    #[test]
    fn registry_checks() {
        assert_eq!(
            check_change(&change("craving", Op::Set, 1, json!({"intensity": 3})), NOW),
            Ok(())
        );
        assert_eq!(
            check_change(&change("craving", Op::Set, 1, json!({"note": "private"})), NOW),
            Err(ChangeProblem::FieldNotAllowed),
            "device-only fields never travel"
        );
        assert_eq!(
            check_change(&change("journal", Op::Set, 1, json!({})), NOW),
            Err(ChangeProblem::UnknownEntity)
        );
        assert_eq!(
            check_change(&change("craving", Op::Delete, 2, json!({"intensity": 1})), NOW),
            Err(ChangeProblem::BadOp)
        );
        assert_eq!(
            check_change(&change("craving", Op::Delete, 1, json!({})), NOW),
            Err(ChangeProblem::BadOp)
        );
        let mut newer = change("craving", Op::Set, 1, json!({}));
        newer.entity_version = 9;
        assert_eq!(check_change(&newer, NOW), Err(ChangeProblem::NewerEntityVersion));
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
