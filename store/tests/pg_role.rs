//! PostgreSQL: the application runs with a role that may not change or delete audit
//! entries (README, "Audit chain"): everything it does still works, and the database
//! itself refuses an UPDATE or DELETE of `audit_log`. (On SQLite there are no roles.)

use store::audit::{AuditEvent, ChainStatus};
use store::{Backend, ConnectSettings, Store};
use testkit::{backend_under_test, fresh_db};

#[tokio::test]
async fn the_application_runs_with_a_role_that_cannot_rewrite_the_audit_log() {
    if backend_under_test() != Backend::Postgres {
        return;
    }
    let db = fresh_db().await;
    let role = format!("fx_app_{}", std::process::id());
    let database = db
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    for sql in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT CONNECT ON DATABASE {database} TO {role}"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"),
        format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}"),
    ] {
        sqlx::query(&sql).execute(db.pool()).await.unwrap();
    }
    let app_url = db.url.replacen("://postgres@", &format!("://{role}@"), 1);
    let app = Store::connect(&app_url, &ConnectSettings::default())
        .await
        .unwrap();
    // Start-up as the server does it, on a database its owner migrated.
    app.migrate()
        .await
        .expect("migrations already applied need no DDL rights");
    app.seed_reference_data().await.unwrap();
    for i in 0..3 {
        app.audit(&AuditEvent {
            actor: "office".into(),
            action: "application.recognise".into(),
            target: format!("application/{i}"),
            ..Default::default()
        })
        .await
        .unwrap();
    }
    app.create_organisation_account(
        &store::accounts::NewOrganisation {
            credit_code: "91341721MA2N0Y7B3K",
            name: "x",
            category_code: "unit",
            area_code: "341721100",
            contact_name: "x",
            contact_mobile: "13800000000",
            password_hash: "x",
        },
        &AuditEvent {
            actor: "91341721MA2N0Y7B3K".into(),
            action: "account.register".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Three entries and the registration's, written in its own transaction.
    assert_eq!(
        app.verify_audit_chain().await.unwrap(),
        ChainStatus::Intact { entries: 4 }
    );
    // The database refuses the rewrite the chain's key guards against.
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 1")
            .execute(app.pool())
            .await
            .is_err()
    );
    assert!(sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(app.pool())
        .await
        .is_err());
    app.close().await;
    for sql in [
        format!("DROP OWNED BY {role}"),
        format!("REVOKE CONNECT ON DATABASE {database} FROM {role}"),
    ] {
        sqlx::query(&sql).execute(db.pool()).await.unwrap();
    }
    let _ = sqlx::query(&format!("DROP ROLE {role}"))
        .execute(db.pool())
        .await;
}
