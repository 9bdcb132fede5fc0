//! `fangxin backup` and `fangxin restore` for the embedded deployment (SQLite and uploads
//! in the data folder). A backup is a folder: `fangxin.db` (a consistent snapshot taken
//! online with `VACUUM INTO`), `objects/` (the uploaded files, content-addressed) and
//! `manifest.json`. PostgreSQL deployments use pg_dump (README, "Backup and restore").

use std::path::{Path, PathBuf};
use store::objects::ObjectStore;
use store::{Backend, ConnectSettings, Store};

const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "fangxin.db";

#[derive(serde::Serialize, serde::Deserialize)]
struct Manifest {
    format: u32,
    created_at: String,
    database: String,
    objects: u64,
    object_bytes: u64,
}

/// Takes a backup into `to` (a new or empty folder) while the server keeps running.
/// The database is copied first: every file a row of the snapshot names was written
/// before that row was committed, so it is in the folder when the files are copied.
pub async fn backup(store: &Store, objects: &ObjectStore, to: &Path) -> Result<String, String> {
    if store.backend() != Backend::Sqlite {
        return Err(
            "fangxin backup is for SQLite; back PostgreSQL up with pg_dump (see the README)".into(),
        );
    }
    if to.exists() && to.read_dir().map_err(|e| e.to_string())?.next().is_some() {
        return Err(format!("{} is not empty: give a new folder", to.display()));
    }
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let db_path = to.join(DATABASE);
    store
        .snapshot_into(&db_path.to_string_lossy())
        .await
        .map_err(|e| format!("database snapshot failed: {e}"))?;
    check_database(&db_path).await?;
    let (count, bytes) = match objects {
        ObjectStore::LocalDir(root) => copy_tree(root, &to.join("objects"))?,
        // The bucket is backed up by the storage service's own versioning or replication.
        ObjectStore::S3(_) => (0, 0),
    };
    let manifest = Manifest {
        format: 1,
        created_at: store::now_text(),
        database: "sqlite".into(),
        objects: count,
        object_bytes: bytes,
    };
    std::fs::write(
        to.join(MANIFEST),
        serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "fangxin: backup in {}: database {size} bytes (integrity ok), {count} uploaded files ({bytes} bytes){}",
        to.display(),
        if matches!(objects, ObjectStore::S3(_)) { "; uploads stay in the S3 bucket" } else { "" }
    ))
}

/// Restores a backup made by `backup` into the data folder. The server must be stopped.
/// The database it replaces is kept beside it as `fangxin.db.before-restore-<time>`.
pub async fn restore(
    from: &Path,
    database_url: &str,
    objects: &ObjectStore,
) -> Result<String, String> {
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(from.join(MANIFEST)).map_err(|e| {
            format!(
                "{} is not a fangxin backup (no {MANIFEST}): {e}",
                from.display()
            )
        })?)
        .map_err(|e| format!("{MANIFEST} is unreadable: {e}"))?;
    if manifest.format != 1 || manifest.database != "sqlite" {
        return Err("this backup's format is not one this version restores".into());
    }
    let target = sqlite_path(database_url).ok_or(
        "fangxin restore writes a SQLite database; DATABASE_URL names PostgreSQL (use pg_restore)",
    )?;
    let source = from.join(DATABASE);
    if !source.is_file() {
        return Err(format!("{} has no {DATABASE}", from.display()));
    }
    check_database(&source).await?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    if target.exists() {
        let kept = PathBuf::from(format!(
            "{}.before-restore-{}",
            target.display(),
            chrono::Utc::now().format("%Y%m%dT%H%M%S")
        ));
        std::fs::rename(&target, &kept).map_err(|e| e.to_string())?;
        // The write-ahead log belongs to the database it was beside.
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", target.display()));
            if side.exists() {
                std::fs::rename(&side, format!("{}{ext}", kept.display()))
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    // Copied under a temporary name, then renamed: a restore cut short leaves no half file.
    let partial = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(&source, &partial).map_err(|e| e.to_string())?;
    std::fs::rename(&partial, &target).map_err(|e| e.to_string())?;
    let (count, _) = match objects {
        ObjectStore::LocalDir(root) if from.join("objects").exists() => {
            copy_tree(&from.join("objects"), root)?
        }
        _ => (0, 0),
    };
    Ok(format!(
        "fangxin: restored the backup of {} ({} uploaded files copied) into {}",
        manifest.created_at,
        count,
        target.display()
    ))
}

/// The file of a `sqlite:` database URL.
fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

async fn check_database(path: &Path) -> Result<(), String> {
    // Opened like any database (the pool's setup sets WAL mode, which a read-only
    // connection refuses); closing it folds the log back into the file.
    let url = format!("sqlite://{}", path.display());
    let db = Store::connect(&url, &ConnectSettings::default())
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let verdict = db.integrity_check().await.map_err(|e| e.to_string())?;
    db.pool().close().await;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(format!(
            "{} fails its integrity check: {verdict}",
            path.display()
        ))
    }
}

/// Copies every file under `from` to the same place under `to`; files already there with
/// the same size are kept (uploads are named by their content's hash). (files, bytes).
fn copy_tree(from: &Path, to: &Path) -> Result<(u64, u64), String> {
    let (mut files, mut bytes) = (0, 0);
    if !from.exists() {
        return Ok((0, 0));
    }
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| e.to_string())? {
        let entry = entry.map_err(|e| e.to_string())?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().map_err(|e| e.to_string())?;
        if kind.is_dir() {
            let (f, b) = copy_tree(&src, &dst)?;
            files += f;
            bytes += b;
        } else if kind.is_file() {
            let len = entry.metadata().map_err(|e| e.to_string())?.len();
            let same = std::fs::metadata(&dst).is_ok_and(|m| m.len() == len);
            if !same {
                std::fs::copy(&src, &dst)
                    .map_err(|e| format!("cannot copy {}: {e}", src.display()))?;
            }
            files += 1;
            bytes += len;
        }
    }
    Ok((files, bytes))
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;
    use std::path::PathBuf;

    #[test]
    fn the_database_file_comes_from_a_sqlite_url_only() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/fangxin/fangxin.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/fangxin/fangxin.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:data/fangxin.db"),
            Some(PathBuf::from("data/fangxin.db"))
        );
        assert_eq!(sqlite_path("postgres://postgres@127.0.0.1/test"), None);
    }
}
