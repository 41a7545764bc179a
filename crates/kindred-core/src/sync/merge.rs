//! The merge rule (SYNC.md §5), one pure function used by the server and, later, the client.
//!
//! Every change carries a write key `(cl, hlc, node, change_id)`, compared lexicographically.
//! `cl` is the record's generation: odd alive, even deleted (`create` → 1, `delete` → 2). Per
//! field the greatest key wins; a field is visible only while its key's `cl` equals the record's
//! `cl`, so an edit made offline to a record deleted elsewhere can never bring it back, in any
//! arrival order. Changes carry absolute values, so replays are harmless.
//!
//! The state is kept canonical (fields of an older generation are dropped), which makes the
//! merge a join over a total order: the same set of changes gives the same state whatever their
//! order, grouping or repetition. [`join`] merges two states, [`apply`] one change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::ChangeId;
use crate::sync::hlc::Hlc;

/// The total order of writes: generation, then hybrid clock, then node, then change id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct WriteKey {
    pub cl: u32,
    pub hlc: Hlc,
    /// `d:<device id>`, `s:<staff or mentor id>` or `srv`; compared as bytes.
    pub node: String,
    pub change_id: ChangeId,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Create,
    Set,
    Delete,
}

impl Op {
    /// The wire and storage name: `create`, `set` or `delete`.
    pub fn key(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Set => "set",
            Op::Delete => "delete",
        }
    }
}

/// One change to one record, as pushed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub change_id: ChangeId,
    pub op: Op,
    /// The record's generation after the change: 1 for create and set, 2 for delete.
    pub cl: u32,
    pub hlc: Hlc,
    pub node: String,
    /// Absolute new values of the changed fields (empty for a delete).
    pub fields: BTreeMap<String, Value>,
}

impl Change {
    fn key(&self) -> WriteKey {
        WriteKey { cl: self.cl, hlc: self.hlc, node: self.node.clone(), change_id: self.change_id }
    }
}

/// One field's value and the key that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldState {
    pub value: Value,
    pub key: WriteKey,
}

/// A record's merged state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordState {
    /// The greatest generation seen (0: nothing yet).
    pub cl: u32,
    /// Whether a create arrived (a `set` may arrive before it, e.g. after a restore).
    pub has_create: bool,
    /// Fields of the current generation only.
    pub fields: BTreeMap<String, FieldState>,
}

/// What applying a change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The change won at least one field or moved the record's generation or creation.
    Applied,
    /// Everything in it lost (or it was already there): kept in the log, nothing changed.
    Superseded,
    /// A create for a record that is already deleted: deletes are final.
    RecordDeleted,
}

impl RecordState {
    /// Whether the record is visible: created and not deleted.
    pub fn alive(&self) -> bool {
        self.has_create && self.cl % 2 == 1
    }

    /// The visible fields, or `None` while the record is not alive.
    pub fn visible(&self) -> Option<BTreeMap<String, Value>> {
        self.alive()
            .then(|| self.fields.iter().map(|(k, f)| (k.clone(), f.value.clone())).collect())
    }

    /// Raises the generation to `cl`, dropping fields of older generations.
    fn raise(&mut self, cl: u32) {
        if cl > self.cl {
            self.cl = cl;
            self.fields.retain(|_, f| f.key.cl == cl);
        }
    }

    /// Offers one field; returns whether it won.
    fn offer(&mut self, name: &str, value: &Value, key: &WriteKey) -> bool {
        if key.cl != self.cl {
            return false;
        }
        match self.fields.get(name) {
            Some(f) if f.key >= *key => false,
            _ => {
                self.fields
                    .insert(name.to_owned(), FieldState { value: value.clone(), key: key.clone() });
                true
            }
        }
    }
}

/// Applies one change to a record's state.
pub fn apply(state: &mut RecordState, change: &Change) -> Outcome {
    if change.op == Op::Create && state.cl.is_multiple_of(2) && state.cl > 0 {
        // Recorded (so every arrival order ends in the same state), but never revives.
        state.has_create = true;
        return Outcome::RecordDeleted;
    }
    let before = state.clone();
    state.raise(change.cl);
    if change.op == Op::Create {
        state.has_create = true;
    }
    let key = change.key();
    for (name, value) in &change.fields {
        state.offer(name, value, &key);
    }
    if *state == before {
        Outcome::Superseded
    } else {
        Outcome::Applied
    }
}

/// Merges two states of the same record.
pub fn join(a: &RecordState, b: &RecordState) -> RecordState {
    let cl = a.cl.max(b.cl);
    let mut out =
        RecordState { cl, has_create: a.has_create || b.has_create, fields: BTreeMap::new() };
    for side in [a, b] {
        if side.cl != cl {
            continue;
        }
        for (name, f) in &side.fields {
            out.offer(name, &f.value, &f.key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use uuid::Uuid;

    fn id(n: u128) -> ChangeId {
        ChangeId(Uuid::from_u128(n + 1))
    }

    fn change(n: u128, op: Op, hlc: u64, node: &str, fields: &[(&str, Value)]) -> Change {
        Change {
            change_id: id(n),
            op,
            cl: if op == Op::Delete { 2 } else { 1 },
            hlc: Hlc(hlc),
            node: node.into(),
            fields: fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        }
    }

    #[test]
    fn later_write_wins_per_field() {
        let mut s = RecordState::default();
        let create = change(1, Op::Create, 10, "d:a", &[("label", json!("A")), ("n", json!(1))]);
        assert_eq!(apply(&mut s, &create), Outcome::Applied);
        let old = change(2, Op::Set, 5, "d:b", &[("label", json!("old"))]);
        assert_eq!(apply(&mut s, &old), Outcome::Superseded);
        let new = change(3, Op::Set, 20, "d:b", &[("n", json!(2))]);
        assert_eq!(apply(&mut s, &new), Outcome::Applied);
        assert_eq!(
            s.visible().unwrap(),
            [("label".into(), json!("A")), ("n".into(), json!(2))].into()
        );
        assert_eq!(apply(&mut s, &new), Outcome::Superseded, "a replay changes nothing");
    }

    #[test]
    fn delete_is_final_in_any_order() {
        let create = change(1, Op::Create, 10, "d:a", &[("label", json!("A"))]);
        let edit = change(2, Op::Set, 99, "d:b", &[("label", json!("offline edit"))]);
        let delete = change(3, Op::Delete, 20, "d:a", &[]);
        for order in
            [[&create, &edit, &delete], [&delete, &edit, &create], [&edit, &delete, &create]]
        {
            let mut s = RecordState::default();
            for c in order {
                apply(&mut s, c);
            }
            assert_eq!(s.visible(), None);
            assert_eq!(s.cl, 2);
            assert!(s.fields.is_empty(), "deleted content is not kept");
        }
        let mut s = RecordState::default();
        apply(&mut s, &delete);
        assert_eq!(apply(&mut s, &create), Outcome::RecordDeleted);
    }

    #[test]
    fn set_before_create_stays_invisible_until_the_create() {
        let mut s = RecordState::default();
        apply(&mut s, &change(2, Op::Set, 20, "s:staff", &[("name", json!("Sam"))]));
        assert_eq!(s.visible(), None);
        apply(&mut s, &change(1, Op::Create, 10, "d:a", &[("name", json!("S"))]));
        assert_eq!(s.visible().unwrap()["name"], json!("Sam"));
    }

    fn arb_change() -> impl Strategy<Value = Change> {
        (
            0u128..6,
            0u8..10,
            0u64..8,
            0usize..3,
            proptest::collection::vec((0usize..3, 0i64..4), 0..3),
        )
            .prop_map(|(n, kind, hlc, node, fields)| {
                let op = match kind {
                    0..=1 => Op::Create,
                    2 => Op::Delete,
                    _ => Op::Set,
                };
                let names = ["a", "b", "c"];
                let fields: Vec<(&str, Value)> = if op == Op::Delete {
                    vec![]
                } else {
                    fields.into_iter().map(|(f, v)| (names[f], json!(v))).collect()
                };
                change(n, op, hlc, ["d:x", "d:y", "s:z"][node], &fields)
            })
        // One change id, one payload: make ids unique per generated change.
    }

    /// One change id, one payload: ids are made unique per generated change.
    fn unique(mut changes: Vec<Change>) -> Vec<Change> {
        for (i, c) in changes.iter_mut().enumerate() {
            c.change_id = id(i as u128 + 100);
        }
        changes
    }

    fn fold(changes: &[Change]) -> RecordState {
        let mut s = RecordState::default();
        for c in changes {
            apply(&mut s, c);
        }
        s
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn order_grouping_and_repetition_do_not_matter(
            changes in proptest::collection::vec(arb_change(), 0..12),
            seed in any::<u64>(),
            split in 0usize..13,
            dup in 0usize..12,
        ) {
            let changes = unique(changes);
            let reference = fold(&changes);
            // Any order.
            let mut shuffled = changes.clone();
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(&fold(&shuffled), &reference);
            // Any repetition.
            let mut repeated = shuffled.clone();
            if !changes.is_empty() {
                repeated.insert(dup % (repeated.len() + 1), changes[dup % changes.len()].clone());
            }
            prop_assert_eq!(&fold(&repeated), &reference);
            // Any grouping: two partial states joined, in either order.
            let at = split.min(shuffled.len());
            let (left, right) = shuffled.split_at(at);
            let (l, r) = (fold(left), fold(right));
            prop_assert_eq!(&join(&l, &r), &reference);
            prop_assert_eq!(&join(&r, &l), &reference);
            prop_assert_eq!(&join(&reference, &reference), &reference);
            // Never resurrected: once any delete is in the set, nothing is visible.
            if changes.iter().any(|c| c.op == Op::Delete) {
                prop_assert_eq!(reference.visible(), None);
            }
        }
    }
}
