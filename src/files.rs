//! Files in the data folder that must stay private to the service user, and the persistent
//! secret key kept there.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::path::PathBuf;

pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::DirBuilder::new().recursive(true).mode(0o750).create(dir)
}

/// Writes a file readable only by its owner (keys), replacing any earlier content.
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(path)?;
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Replaces `path` with `contents` whole or not at all: written to a temporary file beside it
/// (created with `mode`, so a key is never readable by others, not even for a moment),
/// flushed to disk, then renamed over it. A crash leaves the old file or the new one, never
/// half of one; a temporary file a crash left behind is removed by the next write.
pub fn replace(path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let temporary = temporary_beside(path)?;
    let _ = fs::remove_file(&temporary);
    if let Err(error) = write_and_rename(&temporary, path, contents, mode) {
        let _ = fs::remove_file(&temporary);
        return Err(error);
    }
    // The rename is durable once the folder's entry is (best effort: not every file system
    // lets a folder be opened for syncing).
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Ok(dir) = fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

fn write_and_rename(temporary: &Path, path: &Path, contents: &[u8], mode: u32) -> std::io::Result<()> {
    let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(temporary)?;
    file.write_all(contents)?;
    file.sync_all()?;
    fs::rename(temporary, path)
}

/// `<dir>/.<name>.tmp`: beside the file, so the rename stays on one file system.
fn temporary_beside(path: &Path) -> std::io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{} names no file", path.display()))
    })?;
    let mut temporary = std::ffi::OsString::from(".");
    temporary.push(name);
    temporary.push(".tmp");
    Ok(path.with_file_name(temporary))
}

/// Creates a new, empty file readable only by its owner — from its first byte, not by a
/// chmod after it was written (backups hold password hashes). Fails if the file exists.
pub fn create_private_file(path: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

/// Copies `source` to a new file at `target` that only its owner may read.
pub fn copy_private(source: &Path, target: &Path) -> std::io::Result<u64> {
    let mut from = fs::File::open(source)?;
    let mut to = create_private_file(target)?;
    let copied = std::io::copy(&mut from, &mut to)?;
    to.sync_all()?;
    Ok(copied)
}

/// The 512-bit secret that encrypts cookies (and, later, derives other keys). Made on first
/// start; several processes sharing one PostgreSQL must share this file too.
pub fn load_or_create_secret_key(data_dir: &Path) -> std::io::Result<[u8; 64]> {
    let path = data_dir.join("secret.key");
    if let Ok(meta) = fs::metadata(&path) {
        // Whoever can read the key can forge session cookies: a key others could read may
        // already be known, so it is refused rather than quietly tightened.
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} may be read by others (mode {mode:o}); run chmod 600 on it. If others may \
                     have read it, replace it: that signs everyone out and voids authenticator-app \
                     enrolments, whose secrets it encrypts",
                    path.display()
                ),
            ));
        }
    }
    if let Ok(text) = fs::read_to_string(&path) {
        let bytes = hex::decode(text.trim()).map_err(|e| invalid(&path, &e.to_string()))?;
        return bytes.try_into().map_err(|_| invalid(&path, "expected 64 bytes of hex"));
    }
    create_private_dir(data_dir)?;
    let key: [u8; 64] = {
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&rand::random::<[u8; 32]>());
        key[32..].copy_from_slice(&rand::random::<[u8; 32]>());
        key
    };
    write_private(&path, hex::encode(key).as_bytes())?;
    Ok(key)
}

fn invalid(path: &Path, why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{} is damaged: {why}", path.display()))
}

/// An exclusive lock on `<database>.lock`, held by `umbra serve` for its lifetime so that
/// a restore cannot swap the database out from under a running server.
pub struct DatabaseLock {
    _file: fs::File,
}

impl DatabaseLock {
    /// Takes the lock, or says the database is in use.
    pub fn acquire(database: &Path) -> Result<DatabaseLock, String> {
        let path = PathBuf::from(format!("{}.lock", database.display()));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let file = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        file.try_lock().map_err(|_| format!("{} is in use by a running umbra serve", database.display()))?;
        Ok(DatabaseLock { _file: file })
    }
}
