//! The mentor pages' sessions: `tower-sessions` over Kindred's own database (MENTOR.md: the
//! sqlx store cannot sit beside rusqlite). The cookie carries a random 128-bit id; the
//! database keeps only its SHA-256 with the data (who signed in when, the CSRF token) and the
//! expiry. Storage work runs on a blocking thread like every other request's.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::Service;

/// Sessions in the server's database.
#[derive(Clone)]
pub struct DbStore(pub Arc<Service>);

impl std::fmt::Debug for DbStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbStore")
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> session_store::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(backend)?.map_err(backend)
}

#[async_trait]
impl SessionStore for DbStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // 128 random bits from the layer; a collision would only replace an equal id's row,
        // so a fresh id is drawn while one is taken.
        loop {
            let svc = self.0.clone();
            let id = record.id.to_string();
            if blocking(move || svc.web_session_load(&id)).await?.is_none() {
                break;
            }
            record.id = Id::default();
        }
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = serde_json::to_string(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let expires = (record.expiry_date.unix_timestamp_nanos() / 1_000_000) as i64;
        let (svc, id) = (self.0.clone(), record.id.to_string());
        blocking(move || svc.web_session_save(&id, &data, expires)).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let (svc, key) = (self.0.clone(), id.to_string());
        let Some((data, expires)) = blocking(move || svc.web_session_load(&key)).await? else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires) * 1_000_000)
                .map_err(backend)?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let (svc, key) = (self.0.clone(), id.to_string());
        blocking(move || svc.web_session_delete(&key)).await
    }
}
