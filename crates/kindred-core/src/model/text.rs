//! Validation of free text shared by every aggregate (SECURITY.md IN-3 caps).

use crate::{Error, Result};

/// Longest tracker or person name, in characters.
pub const NAME_MAX: usize = 100;
/// Longest free-text note, in characters.
pub const NOTE_MAX: usize = 4000;

/// Trims a name and checks it is non-empty, within [`NAME_MAX`] and free of control characters.
pub fn name(raw: &str) -> Result<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(Error::EmptyName);
    }
    if t.chars().count() > NAME_MAX {
        return Err(Error::NameTooLong { max: NAME_MAX });
    }
    if t.chars().any(char::is_control) {
        return Err(Error::InvalidText { field: "name" });
    }
    Ok(t.to_owned())
}

/// Trims an optional note; empty becomes `None`. Newlines and tabs are allowed, other control
/// characters (NUL, escapes) are not.
pub fn note(field: &'static str, raw: &str) -> Result<Option<String>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().count() > NOTE_MAX {
        return Err(Error::TextTooLong { field, max: NOTE_MAX });
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(Error::InvalidText { field });
    }
    Ok(Some(t.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("  Alcohol "), Ok("Alcohol".into()));
        assert_eq!(name("   "), Err(Error::EmptyName));
        assert_eq!(name(&"x".repeat(10_000)), Err(Error::NameTooLong { max: NAME_MAX }));
        assert_eq!(name(&"é".repeat(NAME_MAX)).map(|s| s.chars().count()), Ok(NAME_MAX));
        assert_eq!(name("a\0b"), Err(Error::InvalidText { field: "name" }));
        assert_eq!(name("שלום 🌱"), Ok("שלום 🌱".into()));
    }

    #[test]
    fn notes() {
        assert_eq!(note("note", " "), Ok(None));
        assert_eq!(note("note", "line\nline"), Ok(Some("line\nline".into())));
        assert!(note("note", &"x".repeat(NOTE_MAX + 1)).is_err());
        assert!(note("note", "\u{1b}[31m").is_err());
    }
}
