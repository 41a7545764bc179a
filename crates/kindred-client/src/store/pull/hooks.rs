//! Per-table hooks of the generic pull path, registered by entity name. The generic code writes
//! a pulled row column by column through the entity registry; a table with device-side columns
//! (derived from a row's own fields) or rollups (counts kept beside the rows) says how to keep
//! them in step here, next to nothing else. A new entity with neither needs no entry.

use std::collections::BTreeMap;

use kindred_core::entity::{CHECK_IN, CRAVING};
use kindred_core::sync::wire::PulledField;
use rusqlite::types::Value as Sql;
use rusqlite::Transaction;

use crate::store::{cravings, journal};
use crate::Result;

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
    fn refresh(&self, _tx: &Transaction<'_>, _id: &str, _cols: &[&'static str]) -> Result<()> {
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
