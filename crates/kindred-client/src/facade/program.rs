//! The mentee's program, as `Kindred` use cases: the sync status as the settings screen shows
//! it, the program's published help numbers and resources, and the checked link for calling or
//! texting one of them. Mirrors the shell's `commands/program.rs` (connecting and the sync
//! cycle itself are in [`crate::sync`]).

use kindred_core::ipc::{
    ContactChannel, ProgramHelpNumber, ProgramHelpReq, ProgramHelpView, ProgramResource,
    SyncStatusView,
};
use kindred_core::model::{contact, help};
use serde_json::{Map, Value};

use crate::store::state_get;
use crate::store::sync::{self as book, keys, Enrolled};
use crate::sync::{Status, SyncSummary};
use crate::{Error, Kindred, Result};

impl Kindred {
    /// Where syncing stands, with the counts the settings screen shows.
    pub fn sync_status(&mut self) -> Result<SyncSummary> {
        self.store.read(|tx| {
            let status = match book::enrolled(tx)? {
                None => Status::Off,
                Some(_) => state_get(tx, keys::STATUS)?.map_or(Status::Ok, |s| Status::parse(&s)),
            };
            let (pending, rejected) = book::counts(tx)?;
            let last_ok_at = state_get(tx, keys::LAST_OK)?.and_then(|v| v.parse().ok());
            Ok(SyncSummary { status, last_ok_at, pending, rejected })
        })
    }

    /// The sync status as the settings screen shows it, with its calm sentence.
    pub fn sync_view(&mut self) -> Result<SyncStatusView> {
        let s = self.sync_status()?;
        let enrolled = self.enrolment()?;
        Ok(SyncStatusView {
            connected: enrolled.is_some(),
            program_name: enrolled.as_ref().map(|e| e.program_name.clone()),
            server: enrolled.as_ref().map(|e| host(&e.server_url)),
            status: s.status,
            last_synced_at: s.last_ok_at,
            pending: s.pending,
            rejected: s.rejected,
            message: s.status.message().map(str::to_owned),
        })
    }

    /// The enrolment, if connected.
    pub fn enrolment(&mut self) -> Result<Option<Enrolled>> {
        self.store.read(book::enrolled)
    }

    /// Published program content of `entity` (`ladder`, `resource`, `help_number`), live
    /// records only, by `position` then id.
    pub fn program_content(&mut self, entity: &str) -> Result<Vec<(String, Map<String, Value>)>> {
        self.store.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, fields FROM program_record WHERE entity = ?1 AND cl % 2 = 1
                 ORDER BY coalesce(json_extract(fields, '$.position'), 0), id",
            )?;
            let rows = stmt.query_map([entity], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            let mut out = Vec::new();
            for row in rows {
                let (id, raw) = row?;
                let fields = raw.map(|s| serde_json::from_str(&s)).transpose()?.unwrap_or_default();
                out.push((id, fields));
            }
            Ok(out)
        })
    }

    /// The program's help numbers and resources (empty when not connected).
    pub fn program_help(&mut self) -> Result<ProgramHelpView> {
        let Some(enrolled) = self.enrolment()? else { return Ok(ProgramHelpView::default()) };
        let numbers = self
            .program_content("help_number")?
            .into_iter()
            .filter_map(|(id, f)| {
                Some(ProgramHelpNumber {
                    label: text(&f, "label")?,
                    phone: text(&f, "phone"),
                    sms: text(&f, "sms"),
                    hours: text(&f, "hours"),
                    id,
                })
            })
            .collect();
        let resources = self
            .program_content("resource")?
            .into_iter()
            .filter_map(|(id, f)| {
                Some(ProgramResource {
                    title: text(&f, "title")?,
                    body: text(&f, "body"),
                    url: text(&f, "url"),
                    id,
                })
            })
            .collect();
        Ok(ProgramHelpView { program_name: Some(enrolled.program_name), numbers, resources })
    }

    /// The `tel:` or `sms:` link for one of the program's help numbers, built from the stored
    /// number after [`help::dialable`] accepted it (never taken from the UI).
    pub fn program_help_link(&mut self, req: ProgramHelpReq) -> Result<String> {
        let n = self
            .program_help()?
            .numbers
            .into_iter()
            .find(|n| n.id == req.id)
            .ok_or(Error::HelpNumberGone)?;
        let checked = |raw: Option<String>| raw.as_deref().and_then(help::dialable);
        match req.channel {
            ContactChannel::Call => checked(n.phone).map(|p| contact::tel_url(&p)),
            ContactChannel::Text => checked(n.sms).map(|p| contact::sms_url(&p)),
            ContactChannel::Email => None,
        }
        .ok_or(Error::NotDialable)
    }
}

fn text(fields: &Map<String, Value>, key: &str) -> Option<String> {
    fields.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(Into::into)
}

/// `host[:port]` of a server address (the whole address if it does not parse).
fn host(url: &str) -> String {
    match url.parse::<reqwest::Url>() {
        Ok(u) => match (u.host_str(), u.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            _ => url.to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::host;

    #[test]
    fn host_only() {
        assert_eq!(host("https://kindred.example.org"), "kindred.example.org");
        assert_eq!(host("http://127.0.0.1:4100"), "127.0.0.1:4100");
    }
}
