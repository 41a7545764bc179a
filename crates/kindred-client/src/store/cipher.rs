//! The store file's encryption (SECURITY.md KY-1, KY-4, KY-5): SQLCipher 4 with its defaults
//! (4 KiB pages, a MAC per page), keyed with a raw 32-byte key.
//!
//! - [`key_connection`] applies the key before anything reads the file and refuses to go on
//!   when the linked SQLite has no codec (fail closed: never a plain file by accident).
//! - [`unreadable`] tells a wrong key from a damaged file after SQLite said "not a database":
//!   a file whose size is not whole pages is damaged; a file that names another key than this
//!   one as the key it was made with (the `-keyid` file beside it: [`DbKey::id`], public) is a
//!   key problem; anything else is damaged. (No key in the keystore for an encrypted file is a
//!   key problem too, found before opening: `Kindred::open_with_keystore`.)
//! - [`encrypt_in_place`] turns the plain file of an older Kindred into an encrypted one,
//!   crash-safe: the encrypted copy is written beside it, synced, and renamed over the plain
//!   file in one step, so a kill at any point leaves the old plain file or the new encrypted one.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::keys::DbKey;
use crate::{Error, Result};

/// SQLCipher 4's page size: an intact encrypted file is a whole number of these.
pub const PAGE: u64 = 4096;

/// The first 16 bytes of every plain SQLite file.
const PLAIN_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What is at the store's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Nothing, or an empty file: a new store.
    Absent,
    /// A plain SQLite file (an older Kindred).
    Plain,
    /// Anything else: an encrypted store (or something unreadable).
    Encrypted,
}

/// Looks at the first bytes of `path`.
pub fn file_kind(path: &Path) -> Result<FileKind> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Absent),
        Err(e) => return Err(e.into()),
    };
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        match f.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(match got {
        0 => FileKind::Absent,
        16 if &head == PLAIN_MAGIC => FileKind::Plain,
        _ => FileKind::Encrypted,
    })
}

/// A sibling of the store file: `<path><suffix>`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// The file beside the store naming the key it was made with.
pub fn key_id_path(path: &Path) -> PathBuf {
    sibling(path, "-keyid")
}

/// Where [`encrypt_in_place`] writes the encrypted copy before the rename.
pub fn staging_path(path: &Path) -> PathBuf {
    sibling(path, ".encrypting")
}

/// Applies `key` to a fresh connection and checks that SQLCipher is there.
pub fn key_connection(conn: &Connection, key: &DbKey) -> Result<()> {
    // SQLCipher's own log (stderr, logcat) stays quiet: failures come back as errors.
    let _ = conn.pragma_update(None, "cipher_log_level", "NONE");
    conn.pragma_update(None, "key", key.sqlcipher_raw().as_str())?;
    let version: Option<String> = conn.query_row("PRAGMA cipher_version", [], |r| r.get(0)).ok();
    if version.as_deref().is_none_or(str::is_empty) {
        return Err(Error::NoCodec);
    }
    Ok(())
}

/// Sorts a "not a database" at `path` into [`Error::WrongKey`] or [`Error::Corrupt`].
pub fn unreadable(path: &Path, key: &DbKey) -> Error {
    let len = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if len < PAGE || !len.is_multiple_of(PAGE) {
        return Error::Corrupt;
    }
    match fs::read_to_string(key_id_path(path)) {
        Ok(id) if id.trim() != key.id() => Error::WrongKey,
        _ => Error::Corrupt,
    }
}

/// Records which key the store at `path` is encrypted with (atomically; public data).
pub fn write_key_id(path: &Path, key: &DbKey) -> Result<()> {
    let target = key_id_path(path);
    if fs::read_to_string(&target).is_ok_and(|id| id.trim() == key.id()) {
        return Ok(());
    }
    let tmp = sibling(path, "-keyid.tmp");
    let mut f = File::create(&tmp)?;
    f.write_all(key.id().as_bytes())?;
    f.sync_all()?;
    fs::rename(&tmp, &target)?;
    sync_dir(path);
    Ok(())
}

/// Removes what an interrupted [`encrypt_in_place`] left (the plain file is still in place).
pub fn clear_staging(path: &Path) -> Result<()> {
    for p in [staging_path(path), sibling(&staging_path(path), "-journal")] {
        match fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Encrypts the plain store at `path` with `key`, in place. The caller has stored `key` in
/// the keystore first, so a kill after the rename still finds the key.
///
/// A plain file a newer Kindred wrote (`user_version` above `known`) is refused untouched.
pub fn encrypt_in_place(path: &Path, key: &DbKey, known: i64) -> Result<()> {
    clear_staging(path)?;
    let out = export(path, key, known);
    if out.is_err() {
        let _ = clear_staging(path);
    }
    out?;
    let staging = staging_path(path);
    OpenOptions::new().read(true).open(&staging)?.sync_all()?;
    // Written for the final path before the rename: the plain file still there opens without
    // a key and never reads it.
    write_key_id(path, key)?;
    fs::rename(&staging, path)?;
    sync_dir(path);
    for suffix in ["-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(sibling(path, suffix));
    }
    Ok(())
}

/// Copies the plain store into the staging file, encrypted.
fn export(path: &Path, key: &DbKey, known: i64) -> Result<()> {
    let staging = staging_path(path);
    {
        let plain = Connection::open(path)?;
        let version: i64 = plain.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > known {
            return Err(Error::NewerVersion { found: version, known });
        }
        // Everything into the main file and no WAL left: after the rename, a stale plain WAL
        // must not sit beside the encrypted file.
        plain.pragma_update_and_check(None, "journal_mode", "DELETE", |_| Ok(()))?;
        let staging_str = staging.to_str().ok_or(Error::Corrupt)?;
        plain.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            rusqlite::params![staging_str, key.sqlcipher_raw().as_str()],
        )?;
        plain.query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))?;
        plain.pragma_update(Some("encrypted"), "user_version", version)?;
        plain.execute("DETACH DATABASE encrypted", [])?;
    }
    Ok(())
}

/// Makes a rename in `path`'s folder durable (best effort where folders can't be opened).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
    }
}
