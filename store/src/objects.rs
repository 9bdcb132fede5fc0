//! Where uploaded files' bytes live: an object store addressed by SHA-256.
//!
//! The database records which application a file belongs to; the bytes go here, named
//! by their hash, so a file uploaded twice is stored once and a name can never be
//! guessed or traversed. One server keeps them under its data folder; several servers
//! behind a load balancer need a shared store (S3-compatible), a new variant of
//! `ObjectStore` with the same three operations.

use sha2::{Digest, Sha256};
use std::io::ErrorKind;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub enum ObjectStore {
    /// Files under a local folder: `<root>/<first two hex>/<hash>`.
    LocalDir(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("object store I/O at {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("malformed object key {0:?}")]
    BadKey(String),
}

/// The key of some bytes: their SHA-256 in lower-case hex.
pub fn object_key(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn valid_key(key: &str) -> bool {
    key.len() == 64
        && key
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl ObjectStore {
    fn path(&self, key: &str) -> Result<PathBuf, ObjectError> {
        if !valid_key(key) {
            return Err(ObjectError::BadKey(key.to_string()));
        }
        match self {
            ObjectStore::LocalDir(root) => Ok(root.join(&key[..2]).join(key)),
        }
    }

    /// Stores bytes and returns their key. Writing goes to a temporary name first and is
    /// renamed into place, so a reader never sees half a file.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, ObjectError> {
        let key = object_key(bytes);
        let path = self.path(&key)?;
        let io = |source| ObjectError::Io {
            path: path.display().to_string(),
            source,
        };
        if tokio::fs::try_exists(&path).await.map_err(io)? {
            return Ok(key);
        }
        let dir = path.parent().expect("a key path has a folder");
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let mut nonce = [0u8; 8];
        getrandom::fill(&mut nonce).map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let tmp = dir.join(format!(".{key}.{}", object_key(&nonce)));
        tokio::fs::write(&tmp, bytes).await.map_err(io)?;
        tokio::fs::rename(&tmp, &path).await.map_err(io)?;
        Ok(key)
    }

    /// The bytes under a key, or None when there are none.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ObjectError> {
        let path = self.path(key)?;
        match tokio::fs::read(&path).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(ObjectError::Io {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stores_by_content_and_refuses_odd_keys() {
        let dir = std::env::temp_dir().join(format!("fx-objects-{}", std::process::id()));
        let store = ObjectStore::LocalDir(dir.clone());
        let a = store.put(b"%PDF-1.7 one").await.unwrap();
        let again = store.put(b"%PDF-1.7 one").await.unwrap();
        assert_eq!(a, again);
        assert_eq!(store.get(&a).await.unwrap().unwrap(), b"%PDF-1.7 one");
        assert!(store
            .get(&object_key(b"never stored"))
            .await
            .unwrap()
            .is_none());
        assert!(matches!(
            store.get("../../etc/passwd").await,
            Err(ObjectError::BadKey(_))
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
