//! Deletes that delete (SECURITY.md PR-5): once a deleted record's undo window is over, its
//! content goes from the row — only the id, the generation and sync bookkeeping stay, so the
//! delete still syncs and a pulled older copy can't bring it back — and from the outbox changes
//! that never left the phone. With `secure_delete` on (see [`super::Store::open`]) and the WAL
//! checkpointed afterwards ([`super::Store::checkpoint`]), the text is gone from the file.
//!
//! A wiped row has `created_at = 0`; a live row never has (it is the device clock at writing).

use rusqlite::Transaction;

use crate::Result;

/// Per table: the assignments that clear a deleted row's content. Every NOT NULL column gets a
/// neutral value its CHECK accepts; every nullable one becomes NULL.
const WIPES: &[(&str, &str)] = &[
    ("tracker", "label = '', start = '', ladder = ''"),
    (
        "tracker_reset",
        "lapse_at = '', new_start = '', halt = '[]', what_happened = NULL, differently = NULL",
    ),
    (
        "craving",
        "started_at = 0, tz = '', local_day = '', local_hour = 0, local_dow = 0, intensity = 0,
         triggers = '[]', tags = '[]', place = NULL, with_whom = NULL, coping = '[]',
         outcome = NULL, end_intensity = NULL, surf_started_at = NULL, surf_ended_at = NULL,
         note = NULL",
    ),
    (
        "mentor_contact",
        "name = '', phone = NULL, sms = NULL, email = NULL, hours = NULL, note = NULL",
    ),
    (
        "check_in",
        "at = 0, tz = '', local_day = '', mood = 1, craving = 0, halt = '[]', line = NULL",
    ),
    ("goal", "text = '', status = 'active'"),
    ("plan_item", "text = '', position = 0"),
];

/// The rows of `table` to wipe at `?1`: deleted, content still there, and not a delete still
/// in its undo window (unsent, not yet due), which keeps its row for Undo. The first two terms
/// select the table's `<table>_wipe_due` partial index (schema V5), so no purge scans a table.
fn due(table: &str) -> String {
    format!(
        "cl % 2 = 0 AND created_at <> 0 AND NOT EXISTS (
             SELECT 1 FROM outbox o WHERE o.entity = '{table}' AND o.record_id = {table}.id
               AND o.op = 'delete' AND o.attempts = 0 AND o.not_before > ?1)"
    )
}

/// Wipes every deleted record whose undo window has ended by `now_ms`. Also wipes the lapse
/// debriefs (device-only text) of deleted trackers. Returns how many rows were wiped; when it
/// is not zero the caller checkpoints after the commit.
pub fn deleted(tx: &Transaction<'_>, now_ms: i64) -> Result<usize> {
    let mut wiped = 0;
    for (table, set) in WIPES {
        let due = due(table);
        // Unsent creates and edits of the record carry its content: they go (the delete alone
        // is sent). Changes already tried keep theirs until acknowledged; the sent log drops
        // content once the delete is sent (`sync::take_batch`).
        tx.prepare_cached(&format!(
            "DELETE FROM outbox WHERE entity = '{table}' AND op <> 'delete' AND attempts = 0
               AND record_id IN (SELECT id FROM {table} WHERE {due})"
        ))?
        .execute([now_ms])?;
        tx.prepare_cached(&format!(
            "DELETE FROM pull_parked WHERE id IN (SELECT id FROM {table} WHERE {due})"
        ))?
        .execute([now_ms])?;
        wiped += tx
            .prepare_cached(&format!(
                "UPDATE {table} SET {set}, created_at = 0, server_clock = NULL, extra = NULL
                 WHERE {due}"
            ))?
            .execute([now_ms])?;
    }
    // The debriefs of a deleted tracker's lapses (never synced) go with it.
    wiped += tx
        .prepare_cached(
            "UPDATE tracker_reset SET what_happened = NULL, differently = NULL
             WHERE (what_happened IS NOT NULL OR differently IS NOT NULL)
               AND tracker_id IN (SELECT id FROM tracker WHERE cl % 2 = 0 AND created_at = 0)",
        )?
        .execute([])?;
    Ok(wiped)
}

/// Whether the row `id` of `table` still has its content (a delete not yet wiped can be undone).
pub fn has_content(tx: &Transaction<'_>, table: &str, id: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(&format!("SELECT count(*) FROM {table} WHERE id = ?1 AND created_at <> 0"))?
        .query_row([id], |r| r.get::<_, i64>(0))?
        > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_purge_reads_only_the_deleted_rows_index() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .read(|tx| {
                for (table, _) in WIPES {
                    let sql =
                        format!("EXPLAIN QUERY PLAN SELECT id FROM {table} WHERE {}", due(table));
                    let plan: Vec<String> = tx
                        .prepare(&sql)?
                        .query_map([0], |r| r.get::<_, String>(3))?
                        .collect::<std::result::Result<_, _>>()?;
                    let index = format!("INDEX {table}_wipe_due");
                    assert!(plan.iter().any(|p| p.contains(&index)), "{table}: {plan:?}");
                }
                Ok(())
            })
            .unwrap();
    }
}
