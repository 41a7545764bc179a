//! Every case of the pulled-row decision.

use std::collections::BTreeMap;

use kindred_core::entity::{CRAVING, GOAL};
use kindred_core::ids::ChangeId;
use kindred_core::sync::hlc::Hlc;
use serde_json::json;

use super::*;

fn field(v: Value) -> PulledField {
    PulledField {
        value: v,
        hlc: Hlc(7),
        node: "server".into(),
        change_id: ChangeId(uuid::Uuid::nil()),
    }
}

fn row(cl: u32, fields: Option<&[(&str, Value)]>) -> PulledRow {
    PulledRow {
        entity: GOAL.name.into(),
        entity_version: 1,
        id: "0190a000-0000-7000-8000-000000000001".into(),
        cl,
        row_seq: 42,
        fields: fields.map(|fs| {
            fs.iter().map(|(k, v)| ((*k).to_owned(), field(v.clone()))).collect::<BTreeMap<_, _>>()
        }),
    }
}

fn live(cl: i64) -> Local {
    Local { cl: Some(cl), pending: Pending::default() }
}

fn names<'a>(c: &Columns<'a>) -> Vec<&'static str> {
    c.set.iter().map(|(n, _)| *n).collect()
}

#[test]
fn rows_go_to_their_entity_table_program_content_or_nowhere() {
    assert_eq!(target("goal"), Target::User(&GOAL));
    assert_eq!(target("craving"), Target::User(&CRAVING));
    assert_eq!(target("help_number"), Target::Program);
    assert_eq!(target("ladder"), Target::Program);
    assert_eq!(target("from_a_newer_app"), Target::Unknown);
}

#[test]
fn a_new_record_is_inserted_with_every_known_field() {
    let r = row(1, Some(&[("text", json!("Walk")), ("status", json!("active"))]));
    let Decision::Insert(cols) = decide(&GOAL, &Local::default(), &r) else { panic!() };
    assert_eq!(names(&cols), ["status", "text"]);
    assert_eq!(cols.set[1].1.value, json!("Walk"));
    assert!(cols.extra.is_empty());
}

#[test]
fn an_unknown_field_is_kept_aside_not_written_as_a_column() {
    let r = row(1, Some(&[("text", json!("Walk")), ("colour", json!("blue"))]));
    let Decision::Insert(cols) = decide(&GOAL, &Local::default(), &r) else { panic!() };
    assert_eq!(names(&cols), ["text"]);
    assert_eq!(cols.extra, [("colour", &json!("blue"))]);
}

#[test]
fn a_device_only_field_from_the_server_is_not_a_column() {
    // `note` on a craving never leaves the phone; if a server sent one it is not applied.
    let r = PulledRow {
        entity: CRAVING.name.into(),
        ..row(1, Some(&[("intensity", json!(5)), ("note", json!("private"))]))
    };
    let Decision::Insert(cols) = decide(&CRAVING, &Local::default(), &r) else { panic!() };
    assert_eq!(names(&cols), ["intensity"]);
    assert_eq!(cols.extra, [("note", &json!("private"))]);
}

#[test]
fn a_known_record_is_updated_and_its_clocks_superseded() {
    let r = row(1, Some(&[("text", json!("Run"))]));
    let d = decide(&GOAL, &live(1), &r);
    let Decision::Update { cols, pending_edits } = d else { panic!("{d:?}") };
    assert_eq!(names(&cols), ["text"]);
    assert!(!pending_edits);
}

#[test]
fn a_field_with_a_pending_local_edit_keeps_the_local_value() {
    let r = row(1, Some(&[("text", json!("Run")), ("status", json!("done"))]));
    let local = Local {
        cl: Some(1),
        pending: Pending { fields: ["text".to_owned()].into(), deleting: false },
    };
    let Decision::Update { cols, pending_edits } = decide(&GOAL, &local, &r) else { panic!() };
    assert_eq!(names(&cols), ["status"], "text keeps the local edit");
    assert!(pending_edits, "the local clock of text stays");
}

#[test]
fn every_field_pending_still_updates_the_row_bookkeeping() {
    let r = row(1, Some(&[("text", json!("Run"))]));
    let local = Local {
        cl: Some(1),
        pending: Pending { fields: ["text".to_owned()].into(), deleting: false },
    };
    let Decision::Update { cols, pending_edits } = decide(&GOAL, &local, &r) else { panic!() };
    assert!(cols.set.is_empty() && pending_edits);
}

#[test]
fn a_record_deleted_here_stays_deleted() {
    let r = row(1, Some(&[("text", json!("Run"))]));
    assert_eq!(decide(&GOAL, &live(2), &r), Decision::Keep(Keep::DeletedHere));
}

#[test]
fn a_pending_local_delete_keeps_the_record_as_it_is() {
    let r = row(1, Some(&[("text", json!("Run"))]));
    let local = Local { cl: Some(1), pending: Pending { deleting: true, ..Pending::default() } };
    assert_eq!(decide(&GOAL, &local, &r), Decision::Keep(Keep::DeletePending));
}

#[test]
fn a_tombstone_wins_over_a_live_record_and_uncounts_it() {
    assert_eq!(
        decide(&GOAL, &live(1), &row(2, None)),
        Decision::Tombstone { wipe: true, uncount: true }
    );
}

#[test]
fn a_tombstone_wins_over_pending_edits_and_a_pending_delete() {
    let local = Local {
        cl: Some(1),
        pending: Pending { fields: ["text".to_owned()].into(), deleting: true },
    };
    assert_eq!(
        decide(&GOAL, &local, &row(2, None)),
        Decision::Tombstone { wipe: true, uncount: true }
    );
}

#[test]
fn a_tombstone_for_a_record_deleted_here_wipes_without_uncounting() {
    assert_eq!(
        decide(&GOAL, &live(2), &row(4, None)),
        Decision::Tombstone { wipe: true, uncount: false }
    );
}

#[test]
fn an_old_tombstone_leaves_a_newer_local_row_but_still_drops_pending_work() {
    // The record was re-created here after the delete the server knows (cl 3 > 2).
    assert_eq!(
        decide(&GOAL, &live(3), &row(2, None)),
        Decision::Tombstone { wipe: false, uncount: false }
    );
    assert_eq!(
        decide(&GOAL, &live(2), &row(2, None)),
        Decision::Tombstone { wipe: false, uncount: false }
    );
}

#[test]
fn a_tombstone_for_a_record_never_seen_here_only_drops_bookkeeping() {
    assert_eq!(
        decide(&GOAL, &Local::default(), &row(2, None)),
        Decision::Tombstone { wipe: false, uncount: false }
    );
}
