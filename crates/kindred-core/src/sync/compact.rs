//! Protocol 2's pull page (SYNC.md §9, §14): the same rows as protocol 1's [`PullResponse`],
//! without repeating a full clock on every field. Each row carries one clock `k` (the one most
//! of its fields share), its values in `f`, and only the fields written by another change in
//! `x`; a clock is `[hlc, node, change_id]` with `node` an index into the page's `nodes`. The
//! server encodes a protocol 1 page with [`CompactPage::encode`]; the device decodes it back
//! with [`CompactPage::decode`], so everything after the transport is the same for both
//! versions. Frozen by the golden JSON in the tests.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::ChangeId;
use crate::sync::hlc::Hlc;
use crate::sync::wire::{PullResponse, PulledField, PulledRow};

/// The protocol version whose pull page is a [`CompactPage`] (`/sync/v2/pull`).
pub const PROTOCOL: u32 = 2;

/// A field's clock on the wire: its HLC, its node as an index into [`CompactPage::nodes`],
/// and the change that wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock(pub Hlc, pub u32, pub ChangeId);

/// One row of a compact page; a tombstone has neither `k` nor `f`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactRow {
    #[serde(rename = "e")]
    pub entity: String,
    #[serde(rename = "v")]
    pub entity_version: u32,
    pub id: String,
    pub cl: u32,
    #[serde(rename = "s")]
    pub row_seq: i64,
    /// The clock of every field not listed in `x`.
    #[serde(rename = "k", default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<Clock>,
    /// Field values.
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Map<String, Value>>,
    /// Fields whose clock is not `k`.
    #[serde(rename = "x", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub except: BTreeMap<String, Clock>,
}

/// `GET /sync/v2/pull?scope=…&after=…&limit=…`: protocol 1's page, compact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompactPage {
    /// The nodes the page's clocks name, each once.
    pub nodes: Vec<String>,
    pub rows: Vec<CompactRow>,
    pub has_more: bool,
    pub next_after: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope_seq: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_hlc: Option<Hlc>,
}

/// Interns node names into the page's list.
#[derive(Default)]
struct Nodes {
    names: Vec<String>,
    index: BTreeMap<String, u32>,
}

impl Nodes {
    fn clock(&mut self, f: &PulledField) -> Clock {
        let next = self.names.len() as u32;
        let n = *self.index.entry(f.node.clone()).or_insert_with(|| {
            self.names.push(f.node.clone());
            next
        });
        Clock(f.hlc, n, f.change_id)
    }
}

type Key<'a> = (Hlc, &'a str, ChangeId);

fn key(f: &PulledField) -> Key<'_> {
    (f.hlc, f.node.as_str(), f.change_id)
}

impl CompactPage {
    /// Encodes a protocol 1 page. The row clock is the one most fields share (on a tie, the
    /// latest), so a row written by one change carries a single clock.
    pub fn encode(page: PullResponse) -> CompactPage {
        let mut nodes = Nodes::default();
        let rows = page
            .rows
            .into_iter()
            .map(|r| {
                let (clock, fields, except) = match r.fields {
                    None => (None, None, BTreeMap::new()),
                    Some(fields) => {
                        let mut counts: BTreeMap<Key<'_>, usize> = BTreeMap::new();
                        for f in fields.values() {
                            *counts.entry(key(f)).or_default() += 1;
                        }
                        let shared = counts
                            .iter()
                            .max_by_key(|(k, n)| (**n, **k))
                            .map(|(k, _)| (k.0, k.1.to_owned(), k.2));
                        let mut except = BTreeMap::new();
                        let mut row_clock = None;
                        let mut values = Map::new();
                        for (name, f) in fields {
                            let c = nodes.clock(&f);
                            match &shared {
                                Some(s) if (s.0, s.1.as_str(), s.2) == key(&f) => {
                                    row_clock.get_or_insert(c);
                                }
                                _ => {
                                    except.insert(name.clone(), c);
                                }
                            }
                            values.insert(name, f.value);
                        }
                        (row_clock, Some(values), except)
                    }
                };
                CompactRow {
                    entity: r.entity,
                    entity_version: r.entity_version,
                    id: r.id,
                    cl: r.cl,
                    row_seq: r.row_seq,
                    clock,
                    fields,
                    except,
                }
            })
            .collect();
        CompactPage {
            nodes: nodes.names,
            rows,
            has_more: page.has_more,
            next_after: page.next_after,
            digest: page.digest,
            scope_seq: page.scope_seq,
            server_hlc: page.server_hlc,
        }
    }

    /// Decodes back to the protocol 1 page; `None` when a clock names a node the page does not
    /// list, a field has no clock, or a clock belongs to no field.
    pub fn decode(self) -> Option<PullResponse> {
        let nodes = self.nodes;
        let field = |value: Value, c: &Clock| {
            let node = nodes.get(c.1 as usize)?.clone();
            Some(PulledField { value, hlc: c.0, node, change_id: c.2 })
        };
        let mut rows = Vec::with_capacity(self.rows.len());
        for r in self.rows {
            let fields = match r.fields {
                None if r.clock.is_none() && r.except.is_empty() => None,
                None => return None,
                Some(values) => {
                    if r.except.keys().any(|k| !values.contains_key(k)) {
                        return None;
                    }
                    let mut out = BTreeMap::new();
                    for (name, value) in values {
                        let c = r.except.get(&name).or(r.clock.as_ref())?;
                        out.insert(name, field(value, c)?);
                    }
                    Some(out)
                }
            };
            rows.push(PulledRow {
                entity: r.entity,
                entity_version: r.entity_version,
                id: r.id,
                cl: r.cl,
                row_seq: r.row_seq,
                fields,
            });
        }
        Some(PullResponse {
            rows,
            has_more: self.has_more,
            next_after: self.next_after,
            digest: self.digest,
            scope_seq: self.scope_seq,
            server_hlc: self.server_hlc,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A page of a row whose two fields share a clock and a third written by another change
    /// on another phone, and a tombstone.
    const PAGE: &str = r#"{"nodes":["d:x","d:y"],"rows":[{"e":"tracker","v":1,"id":"t1","cl":1,"s":7,"k":[5,0,"0190f5b2-7c4e-7a00-8000-000000000003"],"f":{"label":"Me","ladder":"standard","started_at":1700000000000},"x":{"ladder":[6,1,"0190f5b2-7c4e-7a00-8000-000000000004"]}},{"e":"craving","v":1,"id":"c1","cl":2,"s":8}],"has_more":false,"next_after":8,"digest":42,"scope_seq":8,"server_hlc":100}"#;

    fn change(n: u128) -> ChangeId {
        ChangeId(uuid::Uuid::from_u128(0x0190f5b2_7c4e_7a00_8000_000000000000 | n))
    }

    #[test]
    fn golden_compact_json() {
        let page: CompactPage = serde_json::from_str(PAGE).expect("golden parses");
        assert_eq!(serde_json::to_string(&page).unwrap(), PAGE, "wire format changed");
        let v1 = page.clone().decode().expect("decodes");
        let label = &v1.rows[0].fields.as_ref().unwrap()["label"];
        assert_eq!((label.hlc, label.node.as_str(), label.change_id), (Hlc(5), "d:x", change(3)));
        let start = &v1.rows[0].fields.as_ref().unwrap()["started_at"];
        assert_eq!((start.hlc, start.node.as_str(), start.change_id), (Hlc(5), "d:x", change(3)));
        let ladder = &v1.rows[0].fields.as_ref().unwrap()["ladder"];
        assert_eq!(
            (ladder.hlc, ladder.node.as_str(), ladder.change_id),
            (Hlc(6), "d:y", change(4))
        );
        assert!(v1.rows[1].fields.is_none());
        assert_eq!(CompactPage::encode(v1), page, "encoding is the inverse");
    }

    #[test]
    fn inconsistent_pages_are_refused() {
        let bad = |from: &str, to: &str| {
            let text = PAGE.replacen(from, to, 1);
            serde_json::from_str::<CompactPage>(&text).ok().and_then(CompactPage::decode)
        };
        assert!(bad(r#"[6,1,"#, r#"[6,2,"#).is_none(), "node out of range");
        assert!(bad(r#""x":{"ladder""#, r#""x":{"ended_at""#).is_none(), "clock of no field");
        assert!(bad(r#""k":[5,0,"0190f5b2-7c4e-7a00-8000-000000000003"],"#, "").is_none());
        assert!(bad(r#","s":8}"#, r#","s":8,"k":[1,0,"0190f5b2-7c4e-7a00-8000-000000000003"]}"#)
            .is_none());
        assert!(serde_json::from_str::<CompactPage>(&PAGE.replacen("\"e\"", "\"q\":1,\"e\"", 1))
            .is_err());
    }

    fn field() -> impl Strategy<Value = PulledField> {
        (
            0u64..4,
            0usize..3,
            0u128..4,
            prop_oneof![
                Just(Value::Null),
                any::<i64>().prop_map(Value::from),
                "[a-z]{0,8}".prop_map(Value::from)
            ],
        )
            .prop_map(|(h, n, c, value)| PulledField {
                value,
                hlc: Hlc(h),
                node: ["d:a", "d:b", "s:server"][n].to_owned(),
                change_id: change(c),
            })
    }

    fn row() -> impl Strategy<Value = PulledRow> {
        (
            0u32..4,
            any::<i64>(),
            proptest::option::of(proptest::collection::btree_map("[a-z_]{1,10}", field(), 0..8)),
        )
            .prop_map(|(cl, row_seq, fields)| PulledRow {
                entity: "craving".into(),
                entity_version: 1,
                id: format!("r{row_seq}"),
                cl,
                row_seq,
                fields,
            })
    }

    proptest! {
        #[test]
        fn decode_undoes_encode(rows in proptest::collection::vec(row(), 0..20), more: bool, digest: Option<u64>) {
            let page = PullResponse { rows, has_more: more, next_after: 3, digest, scope_seq: digest.map(|d| d as i64), server_hlc: None };
            let compact = CompactPage::encode(page.clone());
            let text = serde_json::to_string(&compact).unwrap();
            let back: CompactPage = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(back.decode(), Some(page));
        }
    }
}
