//! Every user-facing sentence in one place: calm, plain, never shaming, discreet.

pub const APP: &str = "Kindred";
pub const TODAY: &str = "Today";
pub const MORE: &str = "More";
pub const NAV_LABEL: &str = "Main";
pub const ADD_TRACKER: &str = "Add a tracker";
pub const NO_TRACKERS: &str =
    "Nothing to show yet. Add a tracker to see your time and your next milestone.";
pub const NEXT: &str = "Next:";
pub const SINCE: &str = "Since";
pub const LOADING: &str = "Loading…";
pub const SAVE: &str = "Save";
pub const CANCEL: &str = "Cancel";
pub const NAME: &str = "Name";
pub const NAME_HINT: &str = "Only you see this name.";
pub const LADDER_STANDARD: &str = "Standard";
/// Under the milestone list while "Standard" is picked.
pub const LADDER_STANDARD_HINT: &str =
    "24 hours, 7 days, 30, 60 and 90 days, 6 and 9 months, 1 year, 18 months, then every year.";
pub const LADDER_AA: &str = "AA chips";
pub const LADDER_NA: &str = "NA key tags";
pub const LADDER_OWN: &str = "My own list";
pub const BAD_CUSTOM_DAYS: &str = "Please list whole numbers of days, separated by commas.";
pub const START: &str = "When it started (leave empty for now; it can be in the past)";
pub const MILESTONES: &str = "Milestones";
pub const LADDER: &str = "Milestone list";
pub const CUSTOM_DAYS: &str = "Your milestones, in days (for example: 1, 3, 10, 45)";
pub const REACHED: &str = "Reached";
pub const UPCOMING: &str = "Coming up";
pub const HISTORY: &str = "History";
pub const NUMBERS: &str = "Numbers that keep counting";
pub const NUMBERS_RULE: &str = "Every number here counts whole days, the way your streak does. \
     A lapse never takes away the days you already have.";
pub const TOTAL_DAYS: &str = "Total sober days";
pub const LAST_30: &str = "Sober days in the last 30";
pub const LAST_90: &str = "Sober days in the last 90";
pub const LAST_365: &str = "Sober days in the last 365";
pub const LONGEST: &str = "Longest streak (days)";
pub const CURRENT: &str = "Current streak (days)";
pub const LAPSE_LINK: &str = "I had a lapse";
pub const LAPSE_TITLE: &str = "Starting again";
pub const LAPSE_INTRO: &str = "A lapse is part of many recoveries. Your history stays, and so do \
     your sober days. Pick when it happened; you can add a few words if they help.";
pub const LAPSE_WHEN: &str = "When it happened (leave empty for now)";
pub const NEW_START: &str = "New start (leave empty to start from then)";
pub const HALT: &str = "Was I… (optional)";
pub const WHAT_HAPPENED: &str = "What happened (optional)";
pub const DIFFERENTLY: &str = "What I'll do differently (optional)";
pub const KEPT_ON_PHONE: &str = "Kept on this phone only.";
pub const REMOVE_NOTES: &str = "Remove these notes";
pub const REMOVE_NOTES_CONFIRM: &str =
    "Remove what you wrote about this lapse? The day stays in your history; the notes are gone for good.";
pub const YES_REMOVE: &str = "Yes, remove";
pub const START_AGAIN: &str = "Start again";
pub const RENAME: &str = "Rename";
pub const DELETE: &str = "Delete this tracker";
pub const DELETE_CONFIRM: &str =
    "Delete it? Its history goes with it. You can undo for a few seconds.";
pub const YES_DELETE: &str = "Yes, delete";
pub const DELETED: &str = "Tracker deleted.";
pub const UNDO: &str = "Undo";
pub const CELEBRATE_TITLE: &str = "You reached a milestone";
pub const CELEBRATE_BODY: &str = "Take a moment to notice how far you've come. This is yours.";
pub const CELEBRATE_OK: &str = "Thank you";
pub const SETTINGS: &str = "Settings";
pub const TIME_ZONE: &str = "Time zone";
pub const REMINDERS: &str = "Celebration reminders (the day before and on the day)";
pub const REMINDER_TIME: &str = "Reminder time";
pub const QUIET: &str = "Quiet hours (no notifications)";
pub const QUIET_FROM: &str = "From";
pub const QUIET_TO: &str = "To";
pub const DISCREET: &str = "Discreet notification text (recommended)";
pub const SAVED: &str = "Saved.";
pub const CURRENT_ATTEMPT: &str = "now";
pub const BACK: &str = "Back";
pub const GET_HELP: &str = "Get help";
pub const HELP_TITLE: &str = "Get help now";
pub const HELP_INTRO: &str =
    "You don't have to get through this alone. These lines are free and open day and night.";
pub const HELP_CONFIRM_CALL: &str = "Call now?";
pub const HELP_CONFIRM_TEXT: &str = "Open a text now?";
pub const CALL: &str = "Call";
pub const TEXT: &str = "Text";
pub const EMAIL: &str = "E-mail";
/// On Today, so in words that are fine for anyone to glance at (PRODUCT.md 5).
pub const LOG_CRAVING: &str = "Log an urge";
pub const HOW_STRONG: &str = "How strong is it right now? (0 = barely, 10 = strongest)";
pub const LOGGED: &str = "Logged. Noticing it is a real step.";
pub const ADD_DETAILS: &str = "Add details";
pub const INTENSE_OFFER: &str =
    "That's a strong one. Reaching out can help — your mentor is one tap away.";
pub const CRAVINGS: &str = "Cravings";
pub const NO_CRAVINGS: &str = "Nothing logged in the last 60 days.";
pub const INTENSITY: &str = "Intensity";
pub const MORE_TRIGGERS: &str = "Something else going on?";
pub const MORE_DETAILS: &str = "Where, who, and a note";
pub const OWN_TAGS: &str = "Your own tags, separated by commas";
pub const PLACE: &str = "Where (optional)";
pub const WITH_WHOM: &str = "With whom (optional)";
pub const COPING: &str = "What I tried";
pub const OWN_COPING: &str = "Something else I tried (comma-separated)";
pub const OUTCOME: &str = "How it went";
pub const END_INTENSITY: &str = "Intensity at the end";
pub const BAD_END_INTENSITY: &str = "Intensity goes from 0 to 10.";
pub const NOTE: &str = "Note (optional)";
pub const DELETE_CRAVING: &str = "Delete this entry";
pub const CRAVING_DELETED: &str = "Entry deleted.";
pub const MENTOR: &str = "Mentor";
pub const PRIMARY: &str = "My mentor";
pub const BACKUP: &str = "Backup mentor";
pub const NO_CONTACT: &str = "Not added yet.";
pub const OUTSIDE_HOURS: &str = "Outside their usual hours right now. You can still reach out, or try your backup mentor or 988.";
pub const EDIT: &str = "Edit";
pub const PHONE: &str = "Phone";
pub const SMS: &str = "Number for texts (if different)";
pub const HOURS_DAYS: &str = "Usual days (leave all off for any time)";
pub const HOURS_FROM: &str = "From";
pub const HOURS_TO: &str = "To";
pub const CHECK_IN: &str = "Check-in";
/// Moods 1 to 5, in order.
pub const MOODS: [&str; 5] = ["Very low", "Low", "Okay", "Good", "Very good"];
pub const MOOD: &str = "How are you feeling?";
pub const PICK_MOOD: &str = "Pick how you're feeling first.";
pub const HAD_CRAVING: &str = "I had a craving today";
pub const ONE_LINE: &str = "One line about today (optional)";
pub const CHECKED_IN: &str = "Thanks for checking in.";
pub const RECENT: &str = "Recent";
pub const NO_CHECK_INS: &str =
    "Nothing here yet. Your check-ins will show up here, a few words a day, whenever you want.";
pub const PLAN: &str = "My plan";
pub const PLAN_INTRO: &str = "The plan you made with your mentor, for the hard moments.";
pub const GOALS: &str = "Goals";
pub const GOALS_EMPTY: &str =
    "Small steps you agree with your mentor, like \"walk after dinner\" or \"call Sam on Sundays\".";
pub const ADD_GOAL: &str = "A new goal";
pub const GOAL_STATUS: &str = "How it's going";

/// A plan section's add-field label and the examples shown while the section is empty, by the
/// section's key (`kindred_core::model::plan::Section::key`).
pub fn plan_prompt(key: &str) -> (&'static str, &'static str) {
    match key {
        "warning_signs" => (
            "A warning sign",
            "Signs that a hard time may be coming, like sleeping badly, skipping meals or pulling away from people.",
        ),
        "high_risk" => (
            "A hard situation",
            "Places, people or times that make it harder, like payday, a certain bar or being alone late at night.",
        ),
        "coping" => (
            "Something I can do",
            "What helps you get through, like a walk, a shower, a meeting or ten slow breaths.",
        ),
        "people" => (
            "Someone to call",
            "People you can reach when it's hard: your mentor, a friend, a family member, a meeting buddy.",
        ),
        _ => ("A reason", "What you're doing this for: the people, the plans and the days you want."),
    }
}
pub const ADD: &str = "Add";
pub const REMOVE: &str = "Remove";
pub const CHECK_IN_REMINDER: &str = "A gentle daily check-in reminder";
pub const CHECK_IN_TIME: &str = "Check-in reminder time";
pub const INSIGHTS: &str = "Insights";
/// Monday first.
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
pub const RIDDEN_OUT: &str = "Urges ridden out";
pub const BY_HOUR: &str = "By hour of day";
pub const BY_WEEKDAY: &str = "By day of the week";
pub const TOP_TRIGGERS: &str = "What was going on most often";
pub const WEEKLY: &str = "How strong, on average, week by week";
pub const COPING_MENU: &str = "My coping menu";
pub const COPING_MENU_HINT: &str =
    "What you tried, with what most often helped you ride it out first.";
pub const YOUR_DATA: &str = "Your data";
pub const YOUR_DATA_INTRO: &str = "Everything Kindred keeps is yours. Exports include your private notes, so keep the file somewhere safe.";
pub const EXPORT_JSON: &str = "Export everything (one locked file)";
pub const EXPORT_PASSPHRASE: &str = "Passphrase for your export";
pub const EXPORT_PASSPHRASE_HINT: &str = "The one-file export is locked with this passphrase, and \
    importing it asks for it again. Choose at least 8 characters, a few words you will remember. \
    Kindred can't recover a forgotten passphrase.";
pub const EXPORT_CSV_WARNING: &str = "Spreadsheet files are not locked: anyone who can open the \
    folder can read them. Keep them somewhere safe, or use the locked one-file export.";
pub const EXPORT_CSV: &str = "Export as spreadsheets";
pub const IMPORT: &str = "Import an export";
pub const DELETE_ALL: &str = "Delete everything";
pub const DELETE_ALL_INTRO: &str =
    "This deletes everything on this phone and, if you're connected to a program, your data on \
     its server too. It can't be undone. To go ahead, type";
pub const DELETE_ALL_CONFIRM_LABEL: &str = "Type the words here to confirm";
pub const DELETE_THIS_PHONE_ONLY: &str = "Delete only what's on this phone";
pub const SURF: &str = "Ride the wave";
pub const SURF_INTRO: &str = "A guided 15 minutes: urges rise, peak and pass like a wave. You can close the app; the timer keeps going.";
pub const SURF_START: &str = "Start";
pub const SURF_END_ASK: &str = "When you're ready, how strong is it now?";
pub const SURF_DONE: &str = "You rode the wave for";
pub const SURF_WAVE_LABEL: &str = "Where you are on the wave";
pub const CHANGES_WAITING: &str = "waiting to sync.";
pub const CHANGES_REJECTED: &str = "weren't accepted by your program; they're kept on this phone.";
pub const YOUR_PROGRAM: &str = "Your program";
pub const PROGRAM_INTRO: &str =
    "If you're in a recovery program that uses Kindred, you can connect \
     this phone to it. Your mentor's details and the program's help numbers then come to you here.";
pub const CONNECT_LINK: &str = "Connect to my program";
pub const CONNECT_TITLE: &str = "Connect to my program";
pub const CONNECT_INTRO: &str =
    "Your program gives you an invite: a server address and a one-time code, or one long invite \
     link. Type or paste them here.";
pub const SERVER_ADDRESS: &str = "Server address, or the whole invite link";
pub const INVITE_CODE: &str =
    "Code: all six groups (capitals, spaces and dashes don't matter; not needed with a link)";
pub const PRIVACY_LINE: &str = "Your notes about cravings and lapses stay on this phone.";
pub const CONNECT_SENDS: &str = kindred_core::ipc::CONNECT_SENDS;
pub const CONNECT_MENTOR: &str = kindred_core::ipc::CONNECT_MENTOR;
pub const SHARING: &str = "Sharing";
pub const SHARING_LINK: &str = "What you share with your mentor";
pub const SHARING_INTRO: &str =
    "Nothing is shared with anyone until you choose it here. You decide what, with whom and for \
     how long.";
pub const SEES_NOW: &str = "Who can see what now";
pub const NOT_CONNECTED_SHARING: &str =
    "This phone isn't connected to a program, so nothing can be shared. Connecting comes first.";
pub const NO_MENTOR_LINKED: &str =
    "Your program hasn't linked a mentor to you yet. When it does, you can choose what to share \
     with them here.";
pub const SHARE_WITH: &str = "Share with";
pub const SHARE_WHAT: &str = "What to share";
pub const SHARE_UNTIL: &str = "Until (leave empty to share until you change it)";
pub const SHARE_PHONE: &str = "A number they may call or text (optional)";
pub const SHARE: &str = "Share";
pub const SHARE_CHANGE: &str = "Change what you share";
pub const STOP_SHARING: &str = "Stop sharing";
pub const YOUR_GRANTS: &str = "Your choices so far";
pub const NO_GRANTS: &str = "You haven't shared anything yet.";
pub const WAITING_TO_SEND: &str = "Waiting to reach your program.";
pub const WHO_LOOKED: &str = "Who looked";
pub const WHO_LOOKED_LINK: &str = "See who looked";
pub const WHO_LOOKED_INTRO: &str =
    "Every time your mentor's page showed something you share, it is written down here. This \
     list comes from your program when the phone syncs.";
pub const NO_ONE_LOOKED: &str = "No one has looked at anything of yours yet.";
pub const PURPOSE: &str = "Purpose";
pub const UNTIL: &str = "For how long";
pub const CONNECT: &str = "Connect";
pub const CONNECTING: &str = "Connecting…";
pub const CONNECTED_TO: &str = "Connected to";
pub const LAST_SYNCED: &str = "Last synced";
pub const NOT_SYNCED_YET: &str = "Not synced yet.";
pub const ALL_SYNCED: &str = "Everything is synced.";
pub const SYNC_NOW: &str = "Sync now";
pub const SYNCING: &str = "Syncing…";
pub const DISCONNECT: &str = "Disconnect";
pub const DISCONNECT_CONFIRM: &str =
    "Disconnect this phone from your program? Its sign-in stops working on your program's \
     server. Everything you recorded stays on this phone.";
pub const YOUR_PHONES: &str = "Your phones";
pub const SHOW_PHONES: &str = "Show my phones";
pub const PHONE_CONNECTED: &str = "Connected";
pub const PHONE_DISCONNECTED: &str = "disconnected";
pub const DISCONNECT_PHONE: &str = "Disconnect that phone";
pub const DISCONNECT_PHONE_CONFIRM: &str =
    "Disconnect that phone? It stops syncing with your program at once. What's on it stays on it.";
pub const YES_DISCONNECT_PHONE: &str = "Yes, disconnect it";
pub const YES_DISCONNECT: &str = "Yes, disconnect";
pub const CONNECT_AGAIN: &str = "Connect with a new code";
pub const FROM_PROGRAM: &str = "From your program";
pub const RESOURCES: &str = "Resources";

/// The one plural rule: "1 day", "2 days", "0 days" (`one` for exactly 1, else `many`).
pub fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "1 day", "29 days".
pub fn days(n: i64) -> String {
    plural(n, "day", "days")
}

/// "1 day 4 h 12 min" (the first three days).
pub fn days_hours_minutes(days: i64, hours: i64, minutes: i64) -> String {
    format!("{} {hours} h {minutes} min", self::days(days))
}

/// "orange key tag".
pub fn key_tag(colour: &str) -> String {
    format!("{colour} key tag")
}

/// " · rode it out 3 of 4" after a coping strategy.
pub fn rode_it_out(rode_out: u32, used: u32) -> String {
    format!(" · rode it out {rode_out} of {used}")
}

/// The words under the big number: "craving logged" for 1, else "cravings logged".
pub fn cravings_logged(n: i64) -> &'static str {
    if n == 1 {
        "craving logged"
    } else {
        "cravings logged"
    }
}

/// A count chart's scale: "Tallest bar: 1 craving", "Tallest bar: 4 cravings".
pub fn tallest_count(n: i64) -> String {
    format!("Tallest bar: {}", plural(n, "craving", "cravings"))
}

/// The weekly chart's scale from its tallest mean ×10: "Tallest bar: 6.5 out of 10".
pub fn tallest_intensity(x10: u32) -> String {
    format!("Tallest bar: {}.{} out of 10", x10 / 10, x10 % 10)
}

/// "You rode the wave for 12:30".
pub fn surf_done(clock: &str) -> String {
    format!("{SURF_DONE} {clock}")
}

/// The urge-surfing guidance `elapsed_ms` into the wave.
pub fn surf_guidance(elapsed_ms: i64) -> &'static str {
    match elapsed_ms / 60_000 {
        0..=2 => "Notice where you feel it in your body. Breathe slowly.",
        3..=6 => "The wave is rising. You don't have to act on it.",
        7..=10 => "Stay with it. Urges peak and then they pass.",
        11..=14 => "Feel it easing. Keep breathing.",
        _ => "You rode the wave. How strong is it now?",
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "2 days ago".
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let min = (now_ms - then_ms).max(0) / 60_000;
    match min {
        0 => "just now".into(),
        1..=59 => plural(min, "minute", "minutes") + " ago",
        60..=1439 => plural(min / 60, "hour", "hours") + " ago",
        _ => plural(min / 1440, "day", "days") + " ago",
    }
}

/// "Last synced 5 minutes ago."
pub fn last_synced(then_ms: i64, now_ms: i64) -> String {
    format!("{LAST_SYNCED} {}.", ago(then_ms, now_ms))
}

/// "1 change waiting to sync.", "3 changes waiting to sync."
pub fn changes(n: i64, what: &str) -> String {
    format!("{} {what}", plural(n, "change", "changes"))
}

// The store on this phone: keystore missing, or a file that can't be opened.
pub const SESSION_ONLY_MORE: &str = "Restarting the phone sometimes helps.";
pub const RECOVERY_TITLE: &str = "Your entries can't be opened on this phone";
pub const RECOVERY_WHY: &str = "This can happen after a phone is restored from a backup, moved to \
    a new phone, or when its secure storage was reset. It is not something you did wrong.";
pub const RECOVERY_KEPT: &str = "Kindred has not deleted anything. If you start fresh, the file \
    that can't be opened is kept aside, untouched, in case it can be opened later.";
pub const RECOVERY_WAYS: &str = "After starting fresh you can bring your entries back from an \
    export you saved, or by connecting to your program again (ask your mentor for a new code).";
pub const RECOVERY_START_FRESH: &str = "Keep the old file aside and start fresh";
pub const RECOVERY_UPDATE: &str = "Please update Kindred from your app store. Nothing has been \
    changed or deleted.";
pub const RECOVERY_NOTICE_LINK: &str = "What happened";
pub const RECOVERY_CONNECT: &str = "Connect to your program";

// The app lock.
pub const APP_LOCK: &str = "App lock";
pub const APP_LOCK_INTRO: &str = "With a PIN, Kindred asks for it when it opens, after it has \
    been left alone for a while, and before exporting, connecting or deleting. \"Get help\" \
    always works without it.";
pub const APP_LOCK_ON: &str = "The app lock is on.";
pub const APP_LOCK_OFF: &str = "Turn the lock off";
pub const APP_LOCK_TURN_ON: &str = "Turn the lock on";
pub const NEW_PIN: &str = "Choose a PIN (4 to 12 digits)";
pub const NEW_PIN_AGAIN: &str = "The same PIN again";
pub const PIN_MISMATCH: &str = "The two PINs are not the same. Please type them again.";
pub const AUTO_LOCK: &str = "Lock when Kindred is left alone for:";
pub const LOCK_NOW: &str = "Lock";
pub const LOCKED_TITLE: &str = "Kindred is locked";
pub const LOCKED_INTRO: &str = "Enter your PIN to open your entries. If you need someone now, \
    \"Get help\" at the top works without it.";
pub const PIN: &str = "PIN";
pub const UNLOCK: &str = "Unlock";

/// "1 minute", "5 minutes", "1 hour".
pub fn minutes(m: u32) -> String {
    match m {
        60 => "1 hour".into(),
        m => plural(i64::from(m), "minute", "minutes"),
    }
}

/// The biometric button: "Unlock with your fingerprint".
pub fn unlock_with(what: &str) -> String {
    format!("Unlock with {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_are_plain() {
        let now = 10 * 86_400_000;
        assert_eq!(ago(now - 20_000, now), "just now");
        assert_eq!(ago(now - 60_000, now), "1 minute ago");
        assert_eq!(ago(now - 5 * 60_000, now), "5 minutes ago");
        assert_eq!(ago(now - 3 * 3_600_000, now), "3 hours ago");
        assert_eq!(ago(now - 2 * 86_400_000, now), "2 days ago");
        assert_eq!(ago(now + 5_000, now), "just now");
    }

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(days(1), "1 day");
        assert_eq!(days(0), "0 days");
        assert_eq!(days(39), "39 days");
        assert_eq!(plural(1, "craving", "cravings"), "1 craving");
        assert_eq!(cravings_logged(1), "craving logged");
        assert_eq!(cravings_logged(2), "cravings logged");
        assert_eq!(minutes(1), "1 minute");
        assert_eq!(minutes(60), "1 hour");
        assert_eq!(minutes(5), "5 minutes");
        assert_eq!(tallest_count(1), "Tallest bar: 1 craving");
        assert_eq!(tallest_intensity(65), "Tallest bar: 6.5 out of 10");
        assert_eq!(tallest_intensity(100), "Tallest bar: 10.0 out of 10");
    }

    #[test]
    fn counts_and_times() {
        assert_eq!(days(1), "1 day");
        assert_eq!(days(29), "29 days");
        assert_eq!(days_hours_minutes(1, 4, 12), "1 day 4 h 12 min");
        assert_eq!(changes(1, CHANGES_WAITING), "1 change waiting to sync.");
        assert_eq!(changes(3, CHANGES_WAITING), "3 changes waiting to sync.");
        assert!(surf_guidance(16 * 60_000).starts_with("You rode the wave"));
    }
}
