//! The `fangxin` binary as an operator meets it: one-line errors, and `audit verify`
//! catching a row changed behind the application's back.

use std::process::Command;
use store::audit::AuditEvent;
use testkit::fresh_db;

fn fangxin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fangxin"));
    c.env_remove("DATABASE_URL")
        .env_remove("FANGXIN_AUDIT_KEY")
        .env("FANGXIN_LOG", "error");
    c
}

#[tokio::test]
async fn audit_verify_reports_a_row_changed_in_the_database() {
    let db = fresh_db().await;
    // The chain is keyed with a key kept outside the database; the CLI gets it the way a
    // deployment of several instances does, from FANGXIN_AUDIT_KEY.
    let key = store::audit::AuditKey::from_bytes([9; 32]);
    let keyed = db.store.clone().with_audit_key(key.clone());
    for i in 0..5 {
        keyed
            .audit(&AuditEvent {
                actor: "office-1".into(),
                role: "county_office".into(),
                area_code: "341721".into(),
                action: "application.recognise".into(),
                target: format!("application/{i}"),
                summary: "passed → recognised".into(),
                client_addr: "10.0.0.1".into(),
            })
            .await
            .unwrap();
    }
    let data = tempdir();
    let ok = fangxin()
        .args([
            "--data-dir",
            &*data,
            "--database-url",
            &db.url,
            "audit",
            "verify",
        ])
        .env("FANGXIN_AUDIT_KEY", key.to_hex())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact (5 entries)"));

    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        .execute(db.pool())
        .await
        .unwrap();
    let bad = fangxin()
        .args([
            "--data-dir",
            &*data,
            "--database-url",
            &db.url,
            "audit",
            "verify",
        ])
        .env("FANGXIN_AUDIT_KEY", key.to_hex())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("BROKEN at entry 2"), "{stderr}");
}

#[tokio::test]
async fn audit_verify_holds_the_chain_to_its_anchors_and_its_key() {
    let db = fresh_db().await;
    let key = store::audit::AuditKey::from_bytes([5; 32]);
    let keyed = db.store.clone().with_audit_key(key.clone());
    for i in 0..6 {
        keyed
            .audit(&AuditEvent {
                actor: "office-1".into(),
                action: "application.recognise".into(),
                target: format!("application/{i}"),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    let data = tempdir();
    // The anchor written when entry 6 was the head.
    let anchor = keyed.audit_anchor().await.unwrap();
    std::fs::write(
        std::path::Path::new(&*data).join(server::cli::AUDIT_ANCHORS_FILE),
        format!("{}\n", anchor.line("2026-12-05T09:00:00Z")),
    )
    .unwrap();
    let verify = |key_hex: String| {
        fangxin()
            .args([
                "--data-dir",
                &*data,
                "--database-url",
                &db.url,
                "audit",
                "verify",
            ])
            .env("FANGXIN_AUDIT_KEY", key_hex)
            .output()
            .unwrap()
    };
    assert!(verify(key.to_hex()).status.success());
    // Another key: nothing verifies.
    let other = store::audit::AuditKey::from_bytes([6; 32]);
    assert_eq!(verify(other.to_hex()).status.code(), Some(1));
    // The last entry removed and the head moved back (the rest of the chain is whole):
    // the anchor says the chain was longer.
    sqlx::query("DELETE FROM audit_log WHERE seq = 6")
        .execute(db.pool())
        .await
        .unwrap();
    let h: String = sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = 5")
        .fetch_one(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 5, last_hash = $1 WHERE id = 1")
        .bind(&h)
        .execute(db.pool())
        .await
        .unwrap();
    let cut = verify(key.to_hex());
    assert_eq!(cut.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&cut.stderr).contains("anchor"));
}

#[test]
fn an_unreachable_database_is_one_line_and_exit_1() {
    let data = tempdir();
    let out = fangxin()
        .args([
            "--data-dir",
            &*data,
            "--database-url",
            "postgres://postgres@127.0.0.1:1/nothing",
            "migrate",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot reach the database"), "{stderr}");
}

#[test]
fn an_unwritable_data_folder_is_one_line_and_exit_1() {
    // A file where the folder should be cannot be written into, even as root.
    let dir = tempdir();
    let file = format!("{}/not-a-folder", &*dir);
    std::fs::write(&file, b"x").unwrap();
    let out = fangxin()
        .args(["--data-dir", &format!("{file}/data"), "migrate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("data folder"), "{stderr}");
}

#[tokio::test]
async fn a_port_in_use_is_one_line_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let data = tempdir();
    let out = fangxin()
        .args(["--data-dir", &*data, "serve", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on {addr}")),
        "{stderr}"
    );
}

/// A fresh folder under the system's temporary directory; removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl std::ops::Deref for TempDir {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.to_str().expect("utf-8 temp path")
    }
}

fn tempdir() -> TempDir {
    let dir = std::env::temp_dir().join(format!(
        "fangxin-cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// `fangxin backup` then `fangxin restore`: what changed after the backup is undone, the
/// uploaded files come back, the restored database passes its integrity check, and the
/// database it replaced is kept. Bad folders get one line and exit 1.
#[tokio::test]
async fn a_backup_restores_the_database_and_the_uploaded_files() {
    let data = tempdir();
    let backups = tempdir();
    let to = format!("{}/first", &*backups);
    let run = |args: &[&str]| {
        let out = fangxin()
            .args(["--data-dir", &*data])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, _, err) = run(&["clock", "--today", "2026-10-14"]);
    assert_eq!(code, Some(0), "{err}");
    let upload = std::path::Path::new(&*data).join("objects/ab/abcdef0123");
    std::fs::create_dir_all(upload.parent().unwrap()).unwrap();
    std::fs::write(&upload, b"%PDF-1.4 licence").unwrap();

    let (code, out, err) = run(&["backup", "--to", &to]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("integrity ok") && out.contains("1 uploaded files"),
        "{out}"
    );

    // Changes after the backup: another date, the upload lost.
    let (code, _, err) = run(&["clock", "--today", "2027-01-01"]);
    assert_eq!(code, Some(0), "{err}");
    std::fs::remove_file(&upload).unwrap();

    let (code, out, err) = run(&["restore", "--from", &to]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("restored"), "{out}");
    assert_eq!(std::fs::read(&upload).unwrap(), b"%PDF-1.4 licence");
    let url = format!("sqlite://{}/fangxin.db", &*data);
    let db = store::Store::connect(&url, &store::ConnectSettings::default())
        .await
        .unwrap();
    assert_eq!(
        db.setting("clock.today").await.unwrap().as_deref(),
        Some("2026-10-14")
    );
    assert_eq!(db.integrity_check().await.unwrap(), "ok");
    db.pool().close().await;
    let kept = std::fs::read_dir(&*data)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("fangxin.db.before-restore-")
        });
    assert!(kept, "the replaced database is kept beside it");

    // A folder that is not empty, and one that is not a backup: one line, exit 1.
    let (code, _, err) = run(&["backup", "--to", &to]);
    assert_eq!(code, Some(1));
    assert!(err.contains("is not empty"), "{err}");
    let (code, _, err) = run(&["restore", "--from", &*backups]);
    assert_eq!(code, Some(1));
    assert!(err.contains("is not a fangxin backup"), "{err}");
}
