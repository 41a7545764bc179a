//! The server's projection of consent (SECURITY.md AZ-3): the mentee's `consent_event`
//! records, as pushed, are also written to `consent_grant`, `consent_category` and
//! `consent_revoke` by the single write path in the push's own transaction, so the policy's
//! SQL ([`crate::policy::access`]) can join on them. The records stay the truth: a grant and
//! its revoke may arrive in any order, in any batches, and a revoke ends its grant for good.

use kindred_core::consent::Event;
use kindred_core::entity;
use kindred_core::sync::merge::Op;
use kindred_core::sync::wire::{PushOutcome, PushResult};

use crate::apply::Offer;
use crate::db::Tx;
use crate::Result;

/// Projects the applied consent events among `offers` (with their `results`, in order) of
/// `scope`, a mentee's scope.
pub(crate) fn project(
    tx: &mut dyn Tx,
    scope: &str,
    offers: &[Offer<'_>],
    results: &[PushResult],
    now: i64,
) -> Result<()> {
    let Some(mentee) = scope.strip_prefix("user:") else { return Ok(()) };
    for (o, r) in offers.iter().zip(results) {
        let c = o.change;
        if c.entity != entity::CONSENT_EVENT.name
            || c.op != Op::Create
            || r.outcome != PushOutcome::Applied
        {
            continue;
        }
        // Checked by the registry before the write; an event that does not read is skipped
        // (it can authorize nothing).
        let Ok(event) = Event::from_fields(&c.record_id, &c.fields) else { continue };
        match event {
            Event::Grant(g) => {
                tx.exec(
                    "INSERT INTO consent_grant (id, mentee_id, assignment_id, mentor_id, purpose,
                       expires_at, signed_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (id) DO NOTHING",
                    &[
                        g.id.as_str().into(),
                        mentee.into(),
                        g.assignment.as_str().into(),
                        g.recipient.as_str().into(),
                        g.purpose.as_str().into(),
                        g.expires_at.into(),
                        g.signed_at.into(),
                        now.into(),
                    ],
                )?;
                for cat in &g.categories {
                    tx.exec(
                        "INSERT INTO consent_category (grant_id, category) VALUES ($1, $2)
                         ON CONFLICT (grant_id, category) DO NOTHING",
                        &[g.id.as_str().into(), cat.as_str().into()],
                    )?;
                }
            }
            Event::Revoke(r) => {
                tx.exec(
                    "INSERT INTO consent_revoke (revoke_id, grant_id, mentee_id, received_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (revoke_id) DO NOTHING",
                    &[r.id.as_str().into(), r.grant_id.as_str().into(), mentee.into(), now.into()],
                )?;
            }
        }
    }
    Ok(())
}

/// Forgets every grant of `mentee` (their data was deleted on the server): nothing of theirs
/// is disclosed again. The disclosure log stays (it holds no content).
pub(crate) fn forget(tx: &mut dyn Tx, mentee: &str) -> Result<()> {
    tx.exec(
        "DELETE FROM consent_category WHERE grant_id IN
           (SELECT id FROM consent_grant WHERE mentee_id = $1)",
        &[mentee.into()],
    )?;
    tx.exec("DELETE FROM consent_grant WHERE mentee_id = $1", &[mentee.into()])?;
    tx.exec("DELETE FROM consent_revoke WHERE mentee_id = $1", &[mentee.into()])?;
    Ok(())
}
