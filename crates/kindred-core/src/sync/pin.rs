//! Server key pins and invite codes (SECURITY.md NW-2, AU-1), shared by the phone and the
//! program server so both spell them the same way.
//!
//! - A [`Pin`] is the SHA-256 of a server key's SubjectPublicKeyInfo (DER), written
//!   `sha256/<base64>` as in HPKP. A program has a current pin (its serving key) and a backup
//!   pin (a spare key kept offline), so a key can be rotated without stranding phones.
//! - An invite reaches the phone either as a QR payload carrying the address, the code and the
//!   pins (parsed by the client), or typed. A typed code carries a **server check**: eight
//!   Crockford base32 characters (40 bits) of the current pin, printed as the code's last two
//!   groups. The phone refuses, before it sends the code, any server whose key does not match
//!   the check, and takes the full pin set from the enrolment answer over that checked
//!   connection.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Crockford base32 without the look-alikes `I`, `L`, `O` and `U`.
pub const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of the secret part of an invite code (80 bits).
pub const CODE_CHARS: usize = 16;
/// Characters of a server check (40 bits).
pub const CHECK_CHARS: usize = 8;
/// At most this many pins are kept for one server.
pub const MAX_PINS: usize = 4;

/// The SHA-256 of a server key's SubjectPublicKeyInfo.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pin(pub [u8; 32]);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pin({self})")
    }
}

impl std::fmt::Display for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256/{}", base64::engine::general_purpose::STANDARD.encode(self.0))
    }
}

impl Pin {
    /// The pin of a key given as SubjectPublicKeyInfo DER.
    pub fn of_spki(spki_der: &[u8]) -> Pin {
        Pin(Sha256::digest(spki_der).into())
    }

    /// Parses `sha256/<base64 of 32 bytes>`.
    pub fn parse(s: &str) -> Option<Pin> {
        let b64 = s.trim().strip_prefix("sha256/")?;
        let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        Some(Pin(raw.try_into().ok()?))
    }

    /// Parses a list of pins; `None` when any is malformed, none is given, or there are too many.
    pub fn parse_all<'a>(pins: impl IntoIterator<Item = &'a str>) -> Option<Vec<Pin>> {
        let mut out: Vec<Pin> = Vec::new();
        for p in pins {
            let pin = Pin::parse(p)?;
            if !out.contains(&pin) {
                out.push(pin);
            }
        }
        (!out.is_empty() && out.len() <= MAX_PINS).then_some(out)
    }

    /// The server check of this pin: its first 40 bits in Crockford base32.
    pub fn check(&self) -> String {
        let bits = self.0[..5].iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        (0..CHECK_CHARS)
            .map(|i| char::from(CODE_ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize]))
            .collect()
    }
}

/// An invite code as typed: upper case, without spaces or dashes, Crockford's look-alikes
/// mapped (`O` → `0`, `I`/`L` → `1`).
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// `chars` in groups of four joined by dashes, as codes are printed.
pub fn group(chars: &str) -> String {
    let v: Vec<char> = chars.chars().collect();
    v.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as printed on an invite slip for typing: the secret part, then the server check.
pub fn typed_code(code: &str, current: &Pin) -> String {
    group(&format!("{}{}", normalize_code(code), current.check()))
}

/// `code` normalized, when it is exactly `len` characters of the code alphabet.
fn normalized(code: &str, len: usize) -> Option<String> {
    let n = normalize_code(code);
    (n.len() == len && n.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(n)
}

/// The secret part of an invite code (as a QR payload carries it), normalized; `None` when it
/// has the wrong length or characters.
pub fn secret_code(code: &str) -> Option<String> {
    normalized(code, CODE_CHARS)
}

/// A typed code split into the secret part (sent to the server) and the server check (never
/// sent; compared with the server's key). `None` when it has the wrong length or characters.
pub fn split_typed(typed: &str) -> Option<(String, String)> {
    let n = normalized(typed, CODE_CHARS + CHECK_CHARS)?;
    let (code, check) = n.split_at(CODE_CHARS);
    Some((code.to_owned(), check.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn pins_print_as_hpkp_and_parse_back() {
        let p = Pin::of_spki(b"a key");
        let s = p.to_string();
        assert!(s.starts_with("sha256/") && s.len() == 7 + 44, "{s}");
        assert_eq!(Pin::parse(&s), Some(p));
        assert_eq!(Pin::parse("sha256/AAAA"), None);
        assert_eq!(Pin::parse(&s.replace("sha256/", "sha1/")), None);
        assert_eq!(Pin::parse_all([s.as_str(), s.as_str()]), Some(vec![p]));
        assert_eq!(Pin::parse_all([]), None);
        assert_eq!(Pin::parse_all([s.as_str(), "nope"]), None);
    }

    #[test]
    fn a_typed_code_splits_into_code_and_check() {
        let p = Pin::of_spki(b"server key");
        let printed = typed_code("ABCD-EFGH-JKMN-PQRS", &p);
        assert_eq!(printed.matches('-').count(), 5, "{printed}");
        let (code, check) = split_typed(&printed.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(code, "ABCDEFGHJKMNPQRS");
        assert_eq!(check, p.check());
        // The code alone (no check) and foreign characters are refused.
        assert_eq!(split_typed("ABCD-EFGH-JKMN-PQRS"), None);
        assert_eq!(split_typed(&printed.replace('A', "!")), None);
    }

    proptest! {
        #[test]
        fn checks_differ_when_the_first_forty_bits_differ(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let (pa, pb) = (Pin(a), Pin(b));
            prop_assert_eq!(pa.check() == pb.check(), a[..5] == b[..5]);
            prop_assert_eq!(pa.check().len(), CHECK_CHARS);
        }
    }
}
