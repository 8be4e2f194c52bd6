//! The bytes of files attached to applications, by key. The answers hold a [`FileRef`] (key, original
//! name, type, size); the bytes live here, under a random key the portal chose, never under a name the
//! citizen gave.
//!
//! [`FileRef`]: portal_forms::answers::FileRef

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::web;

use crate::error::AppError;

/// Where attachments are kept. Calls block; [`Files`] runs them on the blocking pool.
///
/// The file system ([`FsStore`]) is the default. For several servers behind one address, an object store
/// (S3 and the like) can implement this trait instead, so that every node reads every node's uploads;
/// nothing else in the portal knows where the bytes are.
pub trait FileStore: Send + Sync + 'static {
    /// Stores `bytes` under `key`: afterwards the key holds all of them, or (after an error) nothing new.
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()>;
    /// The bytes under `key`; `None` when there are none.
    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>>;
    /// Removes what is under `key`; a key that holds nothing is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;
}

/// A key as the portal makes them ([`crate::random::token`]): URL-safe base64, so it is a plain file
/// name. Anything else is refused, so a damaged stored key can never name a path outside the folder.
fn is_key(key: &str) -> bool {
    (16..=64).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn bad_key() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a file key")
}

/// Files in a folder, `<root>/<first two characters of the key>/<key>`, so no folder grows too large.
#[derive(Debug, Clone)]
pub struct FsStore {
    root: PathBuf,
}

impl FsStore {
    /// The store in `root`, created if missing (a folder that cannot be created stops the start).
    pub fn open(root: &Path) -> io::Result<FsStore> {
        fs::create_dir_all(root)?;
        Ok(FsStore {
            root: root.to_owned(),
        })
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if !is_key(key) {
            return Err(bad_key());
        }
        let shard = key.get(..2).ok_or_else(bad_key)?;
        Ok(self.root.join(shard).join(key))
    }
}

impl FileStore for FsStore {
    /// Written to a temporary file beside the final one, flushed to disk, then renamed over it: a reader
    /// sees the whole file or none, even if the process dies half-way.
    fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let path = self.path(key)?;
        let folder = path.parent().ok_or_else(bad_key)?;
        fs::create_dir_all(folder)?;
        let temporary = folder.join(format!(".{key}.{}.part", crate::random::token(6)));
        let written = (|| {
            let mut file = fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temporary)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            fs::rename(&temporary, &path)
        })();
        if written.is_err() {
            // Best effort: the error that matters is the write's.
            let _ = fs::remove_file(&temporary);
        }
        written
    }

    fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        match fs::read(self.path(key)?) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// The portal's file store, shared by every worker; each call runs on the blocking pool.
#[derive(Clone)]
pub struct Files(Arc<dyn FileStore>);

impl Files {
    pub fn new(store: impl FileStore) -> Files {
        Files(Arc::new(store))
    }

    /// Files on disk under `root` (see [`FsStore`]).
    pub fn on_disk(root: &Path) -> io::Result<Files> {
        FsStore::open(root).map(Files::new)
    }

    async fn blocking<R: Send + 'static>(
        &self,
        call: impl FnOnce(&dyn FileStore) -> io::Result<R> + Send + 'static,
    ) -> Result<R, AppError> {
        let store = self.0.clone();
        web::block(move || call(store.as_ref()))
            .await
            .map_err(|e| AppError::Files(io::Error::other(e.to_string())))?
            .map_err(AppError::Files)
    }

    /// Stores `bytes` under a new random key, and returns the key.
    pub async fn put(&self, bytes: Vec<u8>) -> Result<String, AppError> {
        let key = crate::random::token(24);
        let stored = key.clone();
        self.blocking(move |store| store.put(&stored, &bytes))
            .await?;
        Ok(key)
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, AppError> {
        let key = key.to_owned();
        self.blocking(move |store| store.get(&key)).await
    }

    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        let key = key.to_owned();
        self.blocking(move |store| store.delete(&key)).await
    }

    /// Deletes each key, logging (not returning) what fails: used once the answers no longer name the
    /// files, when a file left behind costs only space.
    pub async fn forget(&self, keys: impl IntoIterator<Item = String>) {
        for key in keys {
            if let Err(e) = self.delete(&key).await {
                tracing::warn!(error = %e, "deleting an attachment failed");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_put_read_back_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsStore::open(&dir.path().join("files")).expect("store");
        let key = "abcdefghijklmnopqrstuvwxyz012345";
        assert_eq!(store.get(key).expect("get"), None);
        store.put(key, b"%PDF-1.7 hello").expect("put");
        assert_eq!(
            store.get(key).expect("get").as_deref(),
            Some(&b"%PDF-1.7 hello"[..])
        );
        assert!(dir.path().join("files/ab").join(key).is_file());
        store.put(key, b"again").expect("put over");
        assert_eq!(store.get(key).expect("get").as_deref(), Some(&b"again"[..]));
        store.delete(key).expect("delete");
        assert_eq!(store.get(key).expect("get"), None);
        store.delete(key).expect("deleting nothing is fine");
        let left: Vec<_> = fs::read_dir(dir.path().join("files/ab"))
            .expect("folder")
            .collect();
        assert!(left.is_empty(), "no temporary file is left: {left:?}");
    }

    #[test]
    fn keys_that_could_name_another_path_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsStore::open(dir.path()).expect("store");
        for key in [
            "",
            "short",
            "../../../../etc/passwd",
            "..aaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaa/bbbbbbbbbbbbbbbb",
            "aaaaaaaaaaaaaaaa\\bbbbbbbbbbbbbb",
            "保険証保険証保険証保険証保険証保険証.png",
        ] {
            assert_eq!(
                store.put(key, b"x").map_err(|e| e.kind()),
                Err(io::ErrorKind::InvalidInput),
                "{key}"
            );
            assert!(store.get(key).is_err(), "{key}");
            assert!(store.delete(key).is_err(), "{key}");
        }
    }

    #[actix_web::test]
    async fn keys_are_random_and_owe_nothing_to_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = Files::on_disk(dir.path()).expect("files");
        let first = files.put(b"\x89PNG same".to_vec()).await.expect("put");
        let second = files.put(b"\x89PNG same".to_vec()).await.expect("put");
        assert_ne!(first, second, "the same bytes get a new key");
        assert!(is_key(&first) && first.len() == 32, "{first}");
        assert_eq!(
            files.get(&first).await.expect("get").as_deref(),
            Some(&b"\x89PNG same"[..])
        );
        files.forget([first.clone()]).await;
        assert_eq!(files.get(&first).await.expect("get"), None);
        assert!(files.get(&second).await.expect("get").is_some());
    }
}
