//! Wire types of the mentee's own account on the program server (SECURITY.md AU-2, PR-5):
//! revoking this device with its refresh token (works after a long time offline), listing and
//! revoking the mentee's devices, deleting the mentee's data on the server, and reading the
//! log of who saw what (`GET /sync/v1/disclosures`, SECURITY.md AZ-4).

use serde::{Deserialize, Serialize};

/// `POST /auth/v1/revoke`: this device gives up its sign-in (Disconnect).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    pub refresh_token: String,
}

impl std::fmt::Debug for RevokeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RevokeRequest(..)")
    }
}

/// The answer to a revoke or delete: what the server did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Done {
    /// Devices whose sign-in stopped working.
    pub devices_revoked: i64,
    /// Records whose content was deleted (0 for a revoke).
    #[serde(default)]
    pub records_deleted: i64,
}

/// One of the mentee's devices, as `GET /sync/v1/devices` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEntry {
    pub device_id: String,
    /// The device asking.
    pub this_device: bool,
    /// Unix ms.
    pub enrolled_at: i64,
    pub last_seen_at: Option<i64>,
    pub app_version: Option<String>,
    pub revoked: bool,
}

/// `GET /sync/v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceList {
    pub devices: Vec<DeviceEntry>,
}

/// `POST /sync/v1/devices/revoke`: stop one of the mentee's devices syncing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokeDeviceRequest {
    pub device_id: String,
}

/// `POST /sync/v1/delete-my-data`: `confirm` must be [`DELETE_WORD`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeleteMyDataRequest {
    pub confirm: String,
}

/// What a delete request must carry, so no stray request deletes anything.
pub const DELETE_WORD: &str = "delete my data";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_json() {
        let d: DeviceList = serde_json::from_str(
            r#"{"devices":[{"device_id":"d","this_device":true,"enrolled_at":1,
                "last_seen_at":null,"app_version":"1.0","revoked":false}]}"#,
        )
        .unwrap();
        assert!(d.devices[0].this_device);
        let done: Done = serde_json::from_str(r#"{"devices_revoked":1}"#).unwrap();
        assert_eq!(done.records_deleted, 0);
        assert!(serde_json::from_str::<RevokeRequest>(r#"{"refresh_token":"x","more":1}"#).is_err());
        assert_eq!(
            format!("{:?}", RevokeRequest { refresh_token: "kr_secret".into() }),
            "RevokeRequest(..)"
        );
    }
}

/// One row of the mentee's disclosure log: a mentor's page showed these categories (never
/// which records or what they said).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRow {
    /// The row's id (the phone stores each row once).
    pub id: String,
    /// When, unix ms (the server's clock).
    pub at: i64,
    /// The mentor's name as the program knows them.
    pub mentor: String,
    /// Category names (`kindred_core::consent::Category::as_str`).
    pub categories: Vec<String>,
    /// The grants that allowed it.
    pub consent_ids: Vec<String>,
    pub purpose: String,
    /// Which page: `caseload` or `mentee_page`.
    pub channel: String,
}

/// A page of the disclosure log, oldest first; `has_more`: ask again after the last row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisclosurePage {
    pub rows: Vec<DisclosureRow>,
    pub has_more: bool,
}
