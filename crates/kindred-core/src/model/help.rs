//! Crisis and help lines bundled with the app, so "Get help" works with no network, and the
//! check a number the program published passes before the phone dials or texts it.

use serde::{Deserialize, Serialize};

/// How a help line is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Call,
    Text,
}

/// One way to reach one help line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpLine {
    /// Stable id the UI sends back.
    pub id: &'static str,
    pub name: &'static str,
    pub detail: &'static str,
    pub channel: Channel,
    /// The link opened by the OS.
    pub url: &'static str,
}

/// The bundled help lines (US), most urgent first.
pub const HELP_LINES: &[HelpLine] = &[
    HelpLine {
        id: "911",
        name: "911",
        detail: "If you are in immediate danger.",
        channel: Channel::Call,
        url: "tel:911",
    },
    HelpLine {
        id: "988-call",
        name: "988 Suicide & Crisis Lifeline",
        detail: "Call any time. Press 1 for veterans, 2 for Spanish.",
        channel: Channel::Call,
        url: "tel:988",
    },
    HelpLine {
        id: "988-text",
        name: "988 Suicide & Crisis Lifeline",
        detail: "Text any time.",
        channel: Channel::Text,
        url: "sms:988",
    },
    HelpLine {
        id: "samhsa",
        name: "SAMHSA National Helpline",
        detail: "1-800-662-4357. Free, confidential, 24/7. TTY 1-800-487-4889.",
        channel: Channel::Call,
        url: "tel:+18006624357",
    },
    HelpLine {
        id: "crisis-text",
        name: "Crisis Text Line",
        detail: "Text HOME to 741741.",
        channel: Channel::Text,
        url: "sms:741741?body=HOME",
    },
];

/// Looks a help line up by id.
pub fn help_line(id: &str) -> Option<&'static HelpLine> {
    HELP_LINES.iter().find(|h| h.id == id)
}

/// A help number from the program as a dialable value: E.164 (through the same check as
/// mentor contacts) or a short code of 3 to 8 digits (e.g. a local crisis line). Anything else
/// (letters, `*#` codes, a URL) is refused: the mentee can still dial it by hand.
pub fn dialable(raw: &str) -> Option<String> {
    let t = raw.trim();
    if (3..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        return Some(t.to_owned());
    }
    super::contact::phone(t).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_numbers_are_checked_before_dialling() {
        assert_eq!(dialable("+1 555 000 1111").as_deref(), Some("+15550001111"));
        assert_eq!(dialable("988").as_deref(), Some("988"));
        assert_eq!(dialable("741741").as_deref(), Some("741741"));
        assert_eq!(dialable("*#06#"), None);
        assert_eq!(dialable("12"), None);
        assert_eq!(dialable("javascript:x"), None);
    }

    #[test]
    fn lines_are_unique_and_well_formed() {
        for (i, h) in HELP_LINES.iter().enumerate() {
            assert!(HELP_LINES[i + 1..].iter().all(|o| o.id != h.id));
            let scheme = match h.channel {
                Channel::Call => "tel:",
                Channel::Text => "sms:",
            };
            assert!(h.url.starts_with(scheme), "{}", h.id);
        }
        assert_eq!(help_line("samhsa").unwrap().url, "tel:+18006624357");
        assert!(help_line("nope").is_none());
    }
}
