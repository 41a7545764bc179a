//! Per-table hooks of the generic pull path, registered by entity name. The generic code writes
//! a pulled row column by column through the entity registry; a table with device-side columns
//! (derived from a row's own fields) or rollups (counts kept beside the rows) says how to keep
//! them in step here, next to nothing else. A new entity with neither needs no entry.

use std::collections::BTreeMap;

use kindred_core::entity::{CHECK_IN, CRAVING};
use kindred_core::sync::wire::PulledField;
use rusqlite::types::Value as Sql;
use rusqlite::Transaction;

use super::decide::Columns;
use crate::store::{cravings, journal};
use crate::Result;

/// Whether an update that wrote `cols` wrote any of the columns `sources`.
pub(crate) fn wrote_any(cols: &Columns<'_>, sources: &[&str]) -> bool {
    cols.set.iter().any(|(c, _)| sources.contains(c))
}

/// Rollup changes by (kind, key): three counters per key, written once per page.
pub(crate) type Deltas = BTreeMap<(&'static str, String), (i64, i64, i64)>;

/// What a table adds to the generic pull path. Every method defaults to nothing.
pub(crate) trait TableHooks: Sync {
    /// Device-side columns of a new row, derived from its pulled fields.
    fn derived(&self, _fields: &BTreeMap<String, PulledField>) -> Vec<(&'static str, Sql)> {
        Vec::new()
    }

    /// After an update that wrote the columns `cols` of row `id`: recomputes the device-side
    /// columns from the stored row if any of their sources changed.
    fn refresh(&self, _tx: &Transaction<'_>, _id: &str, _cols: &Columns<'_>) -> Result<()> {
        Ok(())
    }

    /// Adds (`sign = 1`) or removes (`sign = -1`) the stored row `id`'s share of the table's
    /// rollups to `acc`. Called before a change (old state out) and after it (new state in).
    fn rollup(
        &self,
        _tx: &Transaction<'_>,
        _id: &str,
        _sign: i64,
        _acc: &mut Deltas,
    ) -> Result<()> {
        Ok(())
    }

    /// Writes a page's accumulated rollup changes.
    fn flush(&self, _tx: &Transaction<'_>, _acc: &Deltas) -> Result<()> {
        Ok(())
    }
}

/// A table with nothing beyond its synced columns.
struct Plain;

impl TableHooks for Plain {}

/// The registry: entity name → its hooks.
const HOOKS: &[(&str, &dyn TableHooks)] =
    &[(CRAVING.name, &cravings::PullHooks), (CHECK_IN.name, &journal::CheckInPullHooks)];

/// The hooks of the table of entity `name`.
pub(crate) fn hooks(name: &str) -> &'static dyn TableHooks {
    HOOKS.iter().find(|(n, _)| *n == name).map_or(&Plain, |(_, h)| *h)
}

/// A pulled text field.
pub(crate) fn field_str<'a>(
    fields: &'a BTreeMap<String, PulledField>,
    name: &str,
) -> Option<&'a str> {
    fields.get(name).and_then(|f| f.value.as_str())
}

/// A pulled integer field.
pub(crate) fn field_i64(fields: &BTreeMap<String, PulledField>, name: &str) -> Option<i64> {
    fields.get(name).and_then(|f| f.value.as_i64())
}

#[cfg(test)]
mod tests {
    use kindred_core::entity::GOAL;
    use kindred_core::ids::ChangeId;
    use kindred_core::sync::hlc::Hlc;
    use serde_json::{json, Value};

    use super::*;

    fn fields(fs: &[(&str, Value)]) -> BTreeMap<String, PulledField> {
        fs.iter()
            .map(|(k, v)| {
                let f = PulledField {
                    value: v.clone(),
                    hlc: Hlc(1),
                    node: "server".into(),
                    change_id: ChangeId(uuid::Uuid::nil()),
                };
                ((*k).to_owned(), f)
            })
            .collect()
    }

    #[test]
    fn derived_columns_come_from_the_rows_own_time_and_zone() {
        let tz = json!("America/New_York");
        let craving = fields(&[("started_at", json!(1_790_000_000_000i64)), ("tz", tz.clone())]);
        assert_eq!(
            hooks(CRAVING.name).derived(&craving),
            [
                ("local_day", Sql::Text("2026-09-21".into())),
                ("local_hour", Sql::Integer(10)),
                ("local_dow", Sql::Integer(0)),
            ]
        );
        let check_in = fields(&[("at", json!(1_790_000_000_000i64)), ("tz", tz)]);
        assert_eq!(
            hooks(CHECK_IN.name).derived(&check_in),
            [("local_day", Sql::Text("2026-09-21".into()))]
        );
    }

    #[test]
    fn an_unreadable_time_or_zone_gives_empty_derived_columns() {
        let bad =
            fields(&[("started_at", json!(1_790_000_000_000i64)), ("tz", json!("Mars/Base"))]);
        assert_eq!(
            hooks(CRAVING.name).derived(&bad),
            [
                ("local_day", Sql::Text(String::new())),
                ("local_hour", Sql::Integer(0)),
                ("local_dow", Sql::Integer(0)),
            ]
        );
    }

    #[test]
    fn a_table_without_hooks_adds_nothing() {
        let goal = fields(&[("text", json!("Walk"))]);
        assert!(hooks(GOAL.name).derived(&goal).is_empty());
        assert!(HOOKS.iter().all(|(name, _)| kindred_core::entity::by_name(name).is_some()));
    }
}
