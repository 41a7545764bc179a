//! Mentor contacts (a primary and a backup), their availability, and the `tel:`, `sms:` and
//! `mailto:` links made from them. Numbers are stored in E.164 form.

use chrono::{Datelike, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::ids::ContactId;
use crate::model::text;
use crate::{Error, Result};

/// Longest e-mail address.
pub const EMAIL_MAX: usize = 254;

/// Which mentor this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Primary,
    Backup,
}

impl Role {
    /// The stable wire name.
    pub fn key(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Backup => "backup",
        }
    }

    /// Parses [`Role::key`].
    pub fn from_key(key: &str) -> Option<Role> {
        [Role::Primary, Role::Backup].into_iter().find(|r| r.key() == key)
    }
}

/// When a mentor is usually available: some weekdays (0 = Monday), between two times
/// (the window may wrap midnight).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hours {
    pub days: Vec<u8>,
    pub from: NaiveTime,
    pub to: NaiveTime,
}

impl Hours {
    /// Whether the local wall-clock time `t` is inside the hours. A window that wraps midnight
    /// belongs to the day it starts on.
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        let dow = |d: chrono::NaiveDate| d.weekday().num_days_from_monday() as u8;
        let time = t.time();
        if self.from == self.to {
            return self.days.contains(&dow(t.date()));
        }
        if self.from < self.to {
            return self.days.contains(&dow(t.date())) && self.from <= time && time < self.to;
        }
        let yesterday = t.date().pred_opt().map(dow);
        (time >= self.from && self.days.contains(&dow(t.date())))
            || (time < self.to && yesterday.is_some_and(|d| self.days.contains(&d)))
    }
}

/// A mentor contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: ContactId,
    pub role: Role,
    pub name: String,
    /// E.164, for calls.
    pub phone: Option<String>,
    /// E.164, for texts.
    pub sms: Option<String>,
    pub email: Option<String>,
    /// `None`: no hours given (shown as available).
    pub hours: Option<Hours>,
    pub note: Option<String>,
}

/// Normalises a phone number to E.164. Spaces, dashes, dots and brackets are ignored; ten
/// digits are read as a US number. Letters, `*`, `#` and anything else are refused.
pub fn phone(raw: &str) -> Result<Option<String>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let plus = t.starts_with('+');
    let body = if plus { &t[1..] } else { t };
    let mut digits = String::new();
    for c in body.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => return Err(Error::InvalidPhone),
        }
    }
    let e164 = match (plus, digits.len()) {
        (true, 8..=15) if !digits.starts_with('0') => format!("+{digits}"),
        (false, 10) if !digits.starts_with(['0', '1']) => format!("+1{digits}"),
        (false, 11) if digits.starts_with('1') => format!("+{digits}"),
        _ => return Err(Error::InvalidPhone),
    };
    Ok(Some(e164))
}

/// Checks an e-mail address: one `@`, a dotted domain, no spaces or control characters, and
/// nothing that would add headers or a body to a `mailto:` link (`?`, `&`, `%`, `#`, `/`).
pub fn email(raw: &str) -> Result<Option<String>> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let ok = t.chars().count() <= EMAIL_MAX
        && !t.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"',;:\\?&%#/".contains(c))
        && matches!(t.split_once('@'), Some((local, domain))
            if !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.'));
    if ok {
        Ok(Some(t.to_owned()))
    } else {
        Err(Error::InvalidEmail)
    }
}

/// Raw contact fields from a form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawContact {
    pub name: String,
    pub phone: String,
    pub sms: String,
    pub email: String,
    pub hours: Option<Hours>,
    pub note: String,
}

/// Validated contact fields (everything but id and role).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    pub phone: Option<String>,
    pub sms: Option<String>,
    pub email: Option<String>,
    pub hours: Option<Hours>,
    pub note: Option<String>,
}

/// Validates a contact form: a name, E.164 numbers (texts go to the phone number unless another
/// is given), an e-mail address, hours with at least one weekday, a note.
pub fn fields(raw: RawContact) -> Result<Fields> {
    let name = text::name(&raw.name)?;
    let phone = phone(&raw.phone)?;
    let sms = phone_or(&raw.sms, &phone)?;
    let email = email(&raw.email)?;
    if let Some(h) = &raw.hours {
        if h.days.is_empty() || h.days.iter().any(|d| *d > 6) {
            return Err(Error::InvalidHours);
        }
    }
    let hours = raw.hours.map(|mut h| {
        h.days.sort_unstable();
        h.days.dedup();
        h
    });
    Ok(Fields { name, phone, sms, email, hours, note: text::note("note", &raw.note)? })
}

fn phone_or(raw: &str, fallback: &Option<String>) -> Result<Option<String>> {
    Ok(phone(raw)?.or_else(|| fallback.clone()))
}

/// The E.164 number in `stored` when it is one exactly (a stored or pulled value checked again
/// before a link is built: no USSD codes such as `**21*…#`, no letters).
pub fn dialable(stored: &str) -> Option<String> {
    phone(stored).ok().flatten().filter(|e| e == stored)
}

/// The e-mail address in `stored` when it passes [`email`] unchanged.
pub fn mailable(stored: &str) -> Option<String> {
    email(stored).ok().flatten().filter(|e| e == stored)
}

/// `tel:` link for an E.164 number.
pub fn tel_url(e164: &str) -> String {
    format!("tel:{e164}")
}

/// `sms:` link for an E.164 number (or a short code).
pub fn sms_url(number: &str) -> String {
    format!("sms:{number}")
}

/// `mailto:` link for a checked address.
pub fn mailto_url(address: &str) -> String {
    format!("mailto:{address}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn phones() {
        assert_eq!(phone("(555) 123-4567"), Ok(Some("+15551234567".into())));
        assert_eq!(phone("1 555 123 4567"), Ok(Some("+15551234567".into())));
        assert_eq!(phone("+44 20 7946 0958"), Ok(Some("+442079460958".into())));
        assert_eq!(phone(""), Ok(None));
        for bad in ["*#06#", "tel:*#06#", "12", "+0123456789", "555-CALL-NOW", "+1234567890123456"]
        {
            assert_eq!(phone(bad), Err(Error::InvalidPhone), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(email(" sam@example.org "), Ok(Some("sam@example.org".into())));
        for bad in ["sam", "sam@", "@x.org", "a@b", "a b@c.org", "a@b@c.org", "<a@b.org>", "a@.org"]
        {
            assert_eq!(email(bad), Err(Error::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn hours_wrap_midnight_and_days() {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        // Monday 2026-11-23.
        let at = |d, h| NaiveDate::from_ymd_opt(2026, 11, d).unwrap().and_hms_opt(h, 0, 0).unwrap();
        let office = Hours { days: vec![0, 1, 2, 3, 4], from: t(9, 0), to: t(17, 0) };
        assert!(office.contains(at(23, 9)));
        assert!(!office.contains(at(23, 17)));
        assert!(!office.contains(at(28, 10)), "Saturday");
        let night = Hours { days: vec![4], from: t(22, 0), to: t(2, 0) };
        assert!(night.contains(at(27, 23)), "Friday 23:00");
        assert!(night.contains(at(28, 1)), "Saturday 01:00 belongs to Friday night");
        assert!(!night.contains(at(28, 23)));
    }

    #[test]
    fn links() {
        assert_eq!(tel_url("+15551234567"), "tel:+15551234567");
        assert_eq!(mailto_url("a@b.org"), "mailto:a@b.org");
        // Stored values are checked again before a link is built.
        assert_eq!(dialable("+15551234567").as_deref(), Some("+15551234567"));
        for bad in ["**21*5551234567#", "*#06#", "+1555 123 4567", "5551234567", "tel:+1555"] {
            assert_eq!(dialable(bad), None, "{bad}");
        }
        assert_eq!(mailable("sam@example.org").as_deref(), Some("sam@example.org"));
        for bad in
            ["sam@example.org?cc=x@evil.example", "a@b.org&body=hi", "a%40b@c.org", "a@b.org#x"]
        {
            assert_eq!(mailable(bad), None, "{bad}");
        }
    }
}
