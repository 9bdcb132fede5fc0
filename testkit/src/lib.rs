//! Test support, kept out of the product: nothing in a release build links it.
//!
//! `generate`: deterministic, realistic businesses and complaints for tests, benchmarks
//! and the demo county (`fangxin-tools generate`).
//!
//! Fresh databases for tests: one per test, on the backend named by `FANGXIN_TEST_DB`
//! (`sqlite`, the default, or `postgres`). The PostgreSQL server comes from
//! `FANGXIN_TEST_PG_URL` (default: the machine's own, database `test`); each test gets a
//! database of its own, dropped when the test ends.

pub mod generate;

use sqlx::Connection;
use std::sync::atomic::{AtomicU64, Ordering};
use store::{ConnectSettings, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub struct TestDb {
    pub store: Store,
    /// The URL the store was opened with, for tests that start the binary on it.
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl std::ops::Deref for TestDb {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

/// Which backend this test run uses.
pub fn backend_under_test() -> store::Backend {
    match std::env::var("FANGXIN_TEST_DB").as_deref() {
        Ok("postgres") => store::Backend::Postgres,
        _ => store::Backend::Sqlite,
    }
}

fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "fx_t_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A migrated, empty database of its own.
pub async fn fresh_db() -> TestDb {
    sqlx::any::install_default_drivers();
    let name = unique_name();
    let (url, cleanup) = match backend_under_test() {
        store::Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            (
                format!("sqlite://{}", path.display()),
                Cleanup::SqliteFile(path),
            )
        }
        store::Backend::Postgres => {
            let admin_url =
                std::env::var("FANGXIN_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.into());
            let mut admin = sqlx::AnyConnection::connect(&admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "FANGXIN_TEST_DB=postgres but PostgreSQL at {admin_url} cannot be reached: {e}"
                    )
                });
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create a test database");
            let _ = admin.close().await;
            let url = replace_database(&admin_url, &name);
            (url, Cleanup::PostgresDatabase { admin_url, name })
        }
    };
    let store = Store::connect(
        &url,
        &ConnectSettings {
            max_connections: 8,
            ..ConnectSettings::default()
        },
    )
    .await
    .expect("connect to the test database");
    store.migrate().await.expect("migrate the test database");
    TestDb {
        store,
        url,
        cleanup,
    }
}

/// `postgres://u@h:p/db?x` with its database replaced.
pub fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let mut out = format!("{}/{}", &base[..path_start], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside any runtime we may block; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async move {
                        if let Ok(mut admin) = sqlx::AnyConnection::connect(&admin_url).await {
                            let _ = sqlx::query(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .execute(&mut admin)
                            .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/test", "fx_1"),
            "postgres://postgres@127.0.0.1:5432/fx_1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/test?sslmode=disable", "fx_2"),
            "postgres://u:p@h/fx_2?sslmode=disable"
        );
        assert_eq!(
            replace_database("postgres://h", "fx_3"),
            "postgres://h/fx_3"
        );
    }
}
