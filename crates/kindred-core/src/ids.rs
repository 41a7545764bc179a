//! Id newtypes over UUIDs. Parsing and formatting only: ids are minted by `kindred-client`'s
//! `IdGen`, never here (no RNG or clock in the pure domain, none in wasm).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// Wraps an already-minted UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        // Ids embed their creation time (UUIDv7): keep them out of Debug output that may be logged.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(…)"))
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match Uuid::parse_str(s) {
                    Ok(u) if !u.is_nil() => Ok(Self(u)),
                    _ => Err(Error::InvalidId),
                }
            }
        }
    };
}

id_type!(
    /// A sobriety tracker.
    TrackerId
);
id_type!(
    /// One reset (lapse) of a tracker: an append-only record.
    ResetId
);
id_type!(
    /// A "milestone celebrated" record.
    SeenId
);
id_type!(
    /// A logged craving.
    CravingId
);
id_type!(
    /// A mentor contact.
    ContactId
);
id_type!(
    /// A daily check-in.
    CheckInId
);
id_type!(
    /// A goal.
    GoalId
);
id_type!(
    /// An entry of the relapse-prevention plan.
    PlanItemId
);
id_type!(
    /// A change in the outbox: the idempotency key of a sync push.
    ChangeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_rejects_garbage_and_nil() {
        assert_eq!("nope".parse::<TrackerId>(), Err(Error::InvalidId));
        assert_eq!(Uuid::nil().to_string().parse::<TrackerId>(), Err(Error::InvalidId));
        let u = "0190f5b2-7c4e-7a00-8000-000000000001";
        assert_eq!(u.parse::<TrackerId>().unwrap().to_string(), u);
    }

    #[test]
    fn debug_hides_the_id() {
        let id: TrackerId = "0190f5b2-7c4e-7a00-8000-000000000001".parse().unwrap();
        assert_eq!(format!("{id:?}"), "TrackerId(…)");
    }
}
