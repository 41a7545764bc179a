//! The IPC contract between the UI (`kindred-ui`) and the shell (`kindred-app`). Both sides
//! compile against these types, so a changed shape fails to build on both. Every command takes
//! exactly one argument named `req`.
//!
//! **One list.** [`with_commands!`] declares every command once: its area, name, marker type,
//! request and response. From it come a marker type per command in [`cmd`] implementing
//! [`Command`] (so a response type is tied to its command by the type system), [`ALL`] and
//! [`NAMES`]. The shell's build script generates one `allow-<name>` permission per name and
//! checks the capability files against [`NAMES`]; the shell's invoke handler is generated from
//! the list (through the same macro) with a compile-time check that each command function takes
//! `C::Req` and answers `C::Resp`; the UI calls `call::<C>(&C::Req) -> C::Resp`.
//!
//! The DTOs live in one file per area, mirroring `src-tauri/src/commands/` (`trackers`,
//! `settings`, `cravings`, `mentor`, `plan`, `data`, `program`, `sharing`), and are
//! re-exported here, so
//! every type is `kindred_core::ipc::TypeName`.
//!
//! Requests are hostile input: every struct denies unknown fields, text and dates arrive as
//! strings and are validated by `kindred-client`. Responses carry display-ready strings so the UI
//! needs no time-zone data (keeps the wasm small).

mod cravings;
mod data;
mod lock;
mod mentor;
mod plan;
mod program;
mod settings;
mod sharing;
mod trackers;

pub use cravings::*;
pub use data::*;
pub use lock::*;
pub use mentor::*;
pub use plan::*;
pub use program::*;
pub use settings::*;
pub use sharing::*;
pub use trackers::*;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::ids::TrackerId;
use crate::insights::Insights;

/// One IPC command: its registered name and the types it takes and answers. Implemented by the
/// marker types in [`cmd`], generated from [`with_commands!`].
pub trait Command {
    /// The name the shell registers and the UI invokes (the shell function's name).
    const NAME: &'static str;
    /// The area: the file in `src-tauri/src/commands/` (and here) the command belongs to.
    const AREA: &'static str;
    /// What the command takes, as its one argument `req`.
    type Req: Serialize + DeserializeOwned;
    /// What the command answers with when it succeeds.
    type Resp: Serialize + DeserializeOwned;
}

/// A command's name and area, as listed in [`ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    pub name: &'static str,
    pub area: &'static str,
}

/// The small, stable code of a [`CommandError`], spelled once (serialized as its snake_case
/// name; anything unknown reads as `Internal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandCode {
    /// The request broke a rule; the message says which, in plain words.
    Invalid,
    /// What it names doesn't exist any more (or there is nothing to undo).
    NotFound,
    /// The store couldn't save or read just now, or isn't available.
    Storage,
    /// The data file was written by a newer Kindred.
    NewerVersion,
    /// The data file can't be read; it may be damaged.
    Corrupt,
    /// The data file can't be opened with this device's key (the encrypted store).
    WrongKey,
    /// The device couldn't do it (open a link, for one).
    Unavailable,
    /// Connecting to a program was tried and failed.
    Connect,
    /// The app is locked, or this needs the PIN again first (a fresh unlock).
    Locked,
    /// Anything else, including a code this build doesn't know.
    #[serde(other)]
    Internal,
}

impl CommandCode {
    /// The wire spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandCode::Invalid => "invalid",
            CommandCode::NotFound => "not_found",
            CommandCode::Storage => "storage",
            CommandCode::NewerVersion => "newer_version",
            CommandCode::Corrupt => "corrupt",
            CommandCode::WrongKey => "wrong_key",
            CommandCode::Unavailable => "unavailable",
            CommandCode::Connect => "connect",
            CommandCode::Locked => "locked",
            CommandCode::Internal => "internal",
        }
    }
}

impl PartialEq<&str> for CommandCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// The error every command answers with: a small stable code and a plain message for the mentee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandError {
    pub code: CommandCode,
    /// What the mentee reads. Never contains stored content.
    pub message: String,
}

/// A request with no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// THE command list: calls `$callback! { area { name as Marker: Req => Resp; … } … }` with every
/// command, grouped by area in the order of `src-tauri/src/commands/`. Types are named as
/// `kindred_core::ipc` (and this module) sees them; a callback outside this crate should use
/// the markers (`<cmd::Marker as Command>::Req`) rather than the type tokens.
///
/// Adding a command here is the one step that names it: the marker, [`ALL`], the shell's
/// permission and handler follow; the compiler then asks for the shell function, and the
/// build script for the `allow-…` line in each capability file.
#[macro_export]
macro_rules! with_commands {
    ($callback:ident) => {
        $callback! {
            trackers {
                today as Today: Empty => TodayView;
                create_tracker as CreateTracker: CreateTrackerReq => TrackerId;
                rename_tracker as RenameTracker: RenameTrackerReq => ();
                set_ladder as SetLadder: SetLadderReq => ();
                delete_tracker as DeleteTracker: TrackerRef => ();
                undo_delete_tracker as UndoDeleteTracker: TrackerRef => ();
                tracker_detail as TrackerDetail: TrackerRef => TrackerDetail;
                reset_tracker as ResetTracker: ResetTrackerReq => ();
                ack_celebration as AckCelebration: AckCelebrationReq => ();
                delete_debrief as DeleteDebrief: DebriefRef => ();
            }
            settings {
                get_settings as GetSettings: Empty => SettingsView;
                save_settings as SaveSettings: SettingsView => ();
            }
            cravings {
                log_craving as LogCraving: LogCravingReq => LoggedCraving;
                craving_detail as CravingDetail: CravingRef => CravingView;
                save_craving as SaveCraving: SaveCravingReq => ();
                delete_craving as DeleteCraving: CravingRef => ();
                undo_delete_craving as UndoDeleteCraving: CravingRef => ();
                craving_log as CravingLog: Empty => CravingLogView;
                insights as Insights: Empty => Insights;
                start_surf as StartSurf: CravingRef => ();
                end_surf as EndSurf: EndSurfReq => ();
            }
            data {
                export_data as ExportData: ExportReq => DataDone;
                import_data as ImportData: ImportReq => DataDone;
                delete_all_data as DeleteAllData: DeleteAllReq => DataDone;
                store_status as StoreStatusCmd: Empty => StoreStatus;
                start_fresh as StartFresh: Empty => DataDone;
                ui_ready as UiReady: Empty => ();
            }
            mentor {
                get_contacts as GetContacts: Empty => ContactsView;
                save_contact as SaveContact: SaveContactReq => ();
                contact_mentor as ContactMentor: ContactMentorReq => ();
                open_help as OpenHelp: OpenHelpReq => ();
            }
            plan {
                check_in as CheckIn: CheckInReq => ();
                check_ins as CheckIns: Empty => CheckInsView;
                delete_check_in as DeleteCheckIn: ItemRef => ();
                get_plan as GetPlan: Empty => PlanView;
                add_plan_item as AddPlanItem: AddPlanItemReq => ();
                delete_plan_item as DeletePlanItem: ItemRef => ();
                add_goal as AddGoal: AddGoalReq => ();
                set_goal_status as SetGoalStatus: SetGoalStatusReq => ();
                delete_goal as DeleteGoal: ItemRef => ();
            }
            lock {
                lock_status as LockStatusCmd: Empty => LockStatus;
                set_pin as SetPin: PinReq => LockStatus;
                remove_pin as RemovePin: Empty => LockStatus;
                lock_now as LockNow: Empty => LockStatus;
                unlock as Unlock: PinReq => UnlockAnswer;
                set_auto_lock as SetAutoLock: AutoLockReq => LockStatus;
                set_biometric as SetBiometric: BiometricReq => LockStatus;
                unlock_biometric as UnlockBiometric: Empty => UnlockAnswer;
            }
            program {
                sync_status as SyncStatus: Empty => SyncStatusView;
                connect_program as ConnectProgram: ConnectProgramReq => SyncStatusView;
                disconnect_program as DisconnectProgram: Empty => DisconnectView;
                sync_now as SyncNow: Empty => SyncStatusView;
                program_help as ProgramHelp: Empty => ProgramHelpView;
                call_program_help as CallProgramHelp: ProgramHelpReq => ();
                program_devices as ProgramDevices: Empty => DevicesView;
                revoke_device as RevokeDevice: RevokeDeviceReq => DevicesView;
            }
            sharing {
                sharing as Sharing: Empty => SharingView;
                grant_sharing as GrantSharing: GrantReq => SharingView;
                revoke_sharing as RevokeSharing: RevokeGrantReq => SharingView;
                disclosure_log as DisclosureLog: Empty => DisclosureLogView;
            }
        }
    };
}

/// Expands the list into the markers, [`ALL`] and [`NAMES`].
macro_rules! define_commands {
    ($($area:ident { $($name:ident as $marker:ident: $req:ty => $resp:ty;)* })*) => {
        /// One marker type per command (uninhabited: used only as a type), implementing
        /// [`Command`], named after its command.
        pub mod cmd {
            $($(
                #[doc = concat!(
                    "`", stringify!($name), "` (", stringify!($area), "): takes `",
                    stringify!($req), "`, answers `", stringify!($resp), "`."
                )]
                #[derive(Debug, Clone, Copy, PartialEq, Eq)]
                pub enum $marker {}
            )*)*
        }

        $($(
            impl Command for cmd::$marker {
                const NAME: &'static str = stringify!($name);
                const AREA: &'static str = stringify!($area);
                type Req = $req;
                type Resp = $resp;
            }
        )*)*

        /// Every command with its area, in list order.
        pub const ALL: &[CommandInfo] =
            &[$($(CommandInfo { name: stringify!($name), area: stringify!($area) },)*)*];

        /// Every command name, in list order (what the shell's build script generates permissions
        /// for).
        pub const NAMES: &[&str] = &[$($(stringify!($name),)*)*];
    };
}

crate::with_commands!(define_commands);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::fmt::Debug;

    pub(crate) fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(v: T) {
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
    }

    #[test]
    fn command_codes_are_spelled_as_on_the_wire() {
        use CommandCode::*;
        let all = [
            Invalid,
            NotFound,
            Storage,
            NewerVersion,
            Corrupt,
            WrongKey,
            Unavailable,
            Connect,
            Internal,
        ];
        let mut seen = BTreeSet::new();
        for c in all {
            assert!(seen.insert(c.as_str()), "{c:?} spelled twice");
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.as_str()));
            round_trip(CommandError { code: c, message: "m".into() });
        }
        let e: CommandError =
            serde_json::from_str(r#"{"code":"brand_new","message":"m"}"#).unwrap();
        assert_eq!(e.code, CommandCode::Internal);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<Empty>(r#"{"x":1}"#);
        assert!(err.is_err());
    }

    #[test]
    fn the_list_names_each_command_once() {
        assert_eq!(NAMES.len(), 60);
        assert_eq!(ALL.iter().map(|c| c.name).collect::<Vec<_>>(), NAMES);
        let unique: BTreeSet<_> = NAMES.iter().collect();
        assert_eq!(unique.len(), NAMES.len(), "a command is listed twice");
        for name in NAMES {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{name}: command names are snake_case (Tauri's permission is allow-<kebab-case>)"
            );
        }
        let areas: BTreeSet<_> = ALL.iter().map(|c| c.area).collect();
        let files = [
            "cravings", "data", "lock", "mentor", "plan", "program", "settings", "sharing",
            "trackers",
        ];
        assert_eq!(areas, files.into_iter().collect());
    }

    #[test]
    fn markers_carry_their_name_and_types() {
        fn name<C: Command>() -> (&'static str, &'static str) {
            (C::AREA, C::NAME)
        }
        assert_eq!(name::<cmd::Today>(), ("trackers", "today"));
        assert_eq!(name::<cmd::Insights>(), ("cravings", "insights"));
        assert_eq!(name::<cmd::CallProgramHelp>(), ("program", "call_program_help"));
        // Compiles only while the list ties these types to these commands.
        let _: fn(<cmd::Today as Command>::Req) -> <cmd::Today as Command>::Resp =
            |Empty {}| TodayView { tz: "UTC".into(), trackers: vec![], celebration: None };
        let _: fn(<cmd::DeleteAllData as Command>::Req) =
            |DeleteAllReq { confirm: _, this_phone_only: _ }| ();
    }
}
