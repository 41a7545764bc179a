//! Exports sealed with a passphrase the mentee chooses (SECURITY.md BK-4, PR-4): the age
//! format (`age-encryption.org/v1`, scrypt passphrase stanza, ChaCha20-Poly1305 payload), through
//! the `age` crate — no home-made crypto. A wrong passphrase, a flipped bit and a truncated
//! file are each refused with a plain sentence; nothing of the file is read before it is
//! authenticated.

use std::io::{Read, Write};

use age::secrecy::SecretString;

use crate::{Error, Result};

/// The first bytes of every sealed export.
pub const MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// Shortest passphrase accepted for a new export, in characters.
pub const MIN_PASSPHRASE: usize = 8;
/// Longest passphrase accepted, in characters (a bound for the IPC argument).
pub const MAX_PASSPHRASE: usize = 1024;
/// The scrypt cost an import accepts at most (2^20; age's own default ceiling is higher).
const MAX_WORK_FACTOR: u8 = 20;

/// Whether `bytes` look like a sealed export (a plain JSON export starts with `{`).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// Checks a new passphrase: long enough, not all spaces, within the bound.
pub fn check_passphrase(p: &str) -> Result<()> {
    let n = p.chars().count();
    if n > MAX_PASSPHRASE {
        return Err(Error::Import("That passphrase is too long.".into()));
    }
    if n < MIN_PASSPHRASE || p.trim().is_empty() {
        return Err(Error::Import(format!(
            "Please choose a passphrase of at least {MIN_PASSPHRASE} characters. A few \
             words you will remember work well."
        )));
    }
    Ok(())
}

/// Seals `plain` with `passphrase`.
pub fn seal(plain: &[u8], passphrase: &str) -> Result<Vec<u8>> {
    check_passphrase(passphrase)?;
    let encryptor = age::Encryptor::with_user_passphrase(SecretString::from(passphrase.to_owned()));
    let mut out = Vec::with_capacity(plain.len() + 512);
    let failed = |_| Error::Import("The export couldn't be sealed. Nothing was saved.".into());
    let mut w = encryptor.wrap_output(&mut out).map_err(failed)?;
    w.write_all(plain).map_err(failed)?;
    w.finish().map_err(failed)?;
    Ok(out)
}

/// Opens a sealed export with `passphrase`, reading at most `max` bytes of content.
pub fn open(sealed: &[u8], passphrase: &str, max: usize) -> Result<Vec<u8>> {
    let unreadable = || {
        Error::Import(
            "That file isn't a complete Kindred export: it may be damaged or cut short.".into(),
        )
    };
    if passphrase.chars().count() > MAX_PASSPHRASE {
        return Err(Error::Import("That passphrase is too long.".into()));
    }
    let decryptor = age::Decryptor::new(sealed).map_err(|_| unreadable())?;
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut reader = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(
        |e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                Error::Import(
                    "That passphrase doesn't open this export. Please check it and try again."
                        .into(),
                )
            }
            _ => unreadable(),
        },
    )?;
    let mut out = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    (&mut reader).take(limit).read_to_end(&mut out).map_err(|_| unreadable())?;
    if out.len() > max {
        return Err(Error::Import("That file is too big to be a Kindred export.".into()));
    }
    Ok(out)
}

impl crate::Kindred {
    /// Everything as one JSON export, sealed with `passphrase` (checked before anything is
    /// read).
    pub fn export_sealed(&mut self, passphrase: &str) -> Result<Vec<u8>> {
        check_passphrase(passphrase)?;
        seal(self.export_json()?.as_bytes(), passphrase)
    }

    /// Imports an export file: sealed (opened with `passphrase`), or a plain JSON export of an
    /// earlier Kindred.
    pub fn import_file(
        &mut self,
        bytes: &[u8],
        passphrase: &str,
    ) -> Result<crate::export::ImportSummary> {
        if is_sealed(bytes) {
            let plain = zeroize::Zeroizing::new(open(bytes, passphrase, crate::export::MAX_BYTES)?);
            self.import_json(&plain)
        } else {
            self.import_json(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "blue kettle morning";

    #[test]
    fn a_sealed_export_opens_only_with_its_passphrase_and_whole() {
        let plain = br#"{"format":"kindred-export","CANARY":"note"}"#;
        let sealed = seal(plain, PASS).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(6).any(|w| w == b"CANARY"));
        assert_eq!(open(&sealed, PASS, 1 << 20).unwrap(), plain);
        let wrong = open(&sealed, "blue kettle evening", 1 << 20).unwrap_err();
        assert!(wrong.to_string().contains("passphrase doesn't open"), "{wrong}");
        // One flipped bit anywhere in the payload, or a cut, is refused.
        let mut flipped = sealed.clone();
        let last = flipped.len() - 5;
        flipped[last] ^= 1;
        assert!(open(&flipped, PASS, 1 << 20).unwrap_err().to_string().contains("damaged"));
        let cut = &sealed[..sealed.len() - 10];
        assert!(open(cut, PASS, 1 << 20).is_err());
        assert!(open(b"", PASS, 1 << 20).is_err());
        assert!(open(b"{\"format\":1}", PASS, 1 << 20).is_err());
        // The content bound holds after decryption too.
        assert!(open(&sealed, PASS, 10).unwrap_err().to_string().contains("too big"));
    }

    #[test]
    fn weak_or_huge_passphrases_are_refused() {
        for p in ["", "short", "        ", "1234567"] {
            assert!(seal(b"{}", p).is_err(), "{p:?}");
        }
        assert!(seal(b"{}", &"x".repeat(MAX_PASSPHRASE + 1)).is_err());
        assert!(seal(b"{}", "eight ch").is_ok());
    }
}
