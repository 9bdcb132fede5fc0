//! 12315 imports: all or nothing, duplicates, indexes kept.

use super::*;

async fn complaint_indexes(db: &store::Store) -> Vec<String> {
    use sqlx::Row;
    let sql = match db.backend() {
        store::Backend::Sqlite => {
            "SELECT name || ': ' || sql FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = 'complaints' AND sql IS NOT NULL ORDER BY name"
        }
        store::Backend::Postgres => {
            "SELECT indexname || ': ' || indexdef FROM pg_indexes \
             WHERE tablename = 'complaints' ORDER BY indexname"
        }
    };
    sqlx::query(sql)
        .fetch_all(db.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect()
}

#[tokio::test]
async fn an_import_keeps_all_or_nothing_and_finds_duplicates() {
    import_keeps_all_or_nothing(0).await;
}

/// The same journey with the file announced as big: on SQLite the plain indexes are
/// dropped while the rows go in, and a commit builds them again while a rejection
/// rolls the drop back; either way the same indexes are there afterwards, and the
/// unique one still catches repeated numbers.
#[tokio::test]
async fn a_big_import_keeps_all_or_nothing_and_its_indexes() {
    import_keeps_all_or_nothing(store::complaints::BULK_ROWS).await;
}

async fn import_keeps_all_or_nothing(expected_rows: u64) {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let org = organisation(&db).await;
    let indexes = complaint_indexes(&db).await;
    // By date (the one a big import drops on SQLite), open ones, by organisation.
    for name in [
        "complaints_received",
        "complaints_open",
        "complaints_organisation",
    ] {
        assert!(
            indexes.iter().any(|i| i.starts_with(&format!("{name}: "))),
            "{name} in {indexes:?}"
        );
    }
    let mut clean: Vec<Record> = (0..1200)
        .map(|i| {
            record(
                Some(&format!("12315-{i:05}")),
                Status::Received,
                "2025-05-06",
            )
        })
        .collect();
    clean[7].unit_credit_code = Some("91341721MA2N0Y7B3K".into());

    // A run that finds a bad row is rejected: nothing stays.
    let mut run = db
        .begin_import("bad.csv", "office", expected_rows)
        .await
        .unwrap();
    for chunk in clean.chunks(store::complaints::IMPORT_BATCH) {
        assert!(run.add(chunk).await.unwrap().is_empty());
    }
    run.reject(
        &db,
        "bad.csv",
        1201,
        1,
        "行号,列,问题\n9,登记日期,不是日期\n",
        &import_entry("rejected"),
    )
    .await
    .unwrap();
    assert_eq!(complaint_indexes(&db).await, indexes);
    assert_eq!(
        db.count_complaints(&ComplaintFilter::default())
            .await
            .unwrap(),
        0
    );
    let imports = db.complaint_imports(5).await.unwrap();
    assert_eq!(imports[0].outcome, "rejected");
    assert!(db
        .complaint_import_report(imports[0].id)
        .await
        .unwrap()
        .unwrap()
        .contains("不是日期"));

    // A clean run keeps every row and links the registered business.
    let mut run = db
        .begin_import("clean.csv", "office", expected_rows)
        .await
        .unwrap();
    for chunk in clean.chunks(store::complaints::IMPORT_BATCH) {
        assert!(run.add(chunk).await.unwrap().is_empty());
    }
    run.commit(&db, 1200, &import_entry("imported 1200 rows"))
        .await
        .unwrap();
    // Each outcome has its entry, naming the import, in the chain.
    let imports = db.complaint_imports(5).await.unwrap();
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            action: Some("complaint.import".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    let targets: Vec<String> = entries.iter().map(|e| e.event.target.clone()).collect();
    for import in &imports {
        assert!(
            targets.contains(&format!("complaint_import:{}", import.id)),
            "{targets:?}"
        );
    }
    assert_eq!(entries.len(), 2);
    assert_eq!(complaint_indexes(&db).await, indexes);
    assert_eq!(
        db.count_complaints(&ComplaintFilter::default())
            .await
            .unwrap(),
        1200
    );
    let linked = ComplaintFilter {
        organisation_id: Some(org),
        ..Default::default()
    };
    assert_eq!(db.count_complaints(&linked).await.unwrap(), 1200);

    // Numbers already stored, or twice in one batch, come back as duplicates.
    let mut run = db
        .begin_import("again.csv", "office", expected_rows)
        .await
        .unwrap();
    let again = vec![
        record(Some("new-1"), Status::Received, "2025-05-06"),
        record(Some("12315-00003"), Status::Received, "2025-05-06"),
        record(Some("new-1"), Status::Received, "2025-05-06"),
    ];
    assert_eq!(run.add(&again).await.unwrap(), vec![1, 2]);
    run.reject(&db, "again.csv", 3, 2, "", &import_entry("rejected"))
        .await
        .unwrap();
    assert_eq!(
        db.count_complaints(&ComplaintFilter::default())
            .await
            .unwrap(),
        1200
    );
}

fn import_entry(summary: &str) -> store::audit::AuditEvent {
    store::audit::AuditEvent {
        actor: "office".into(),
        action: "complaint.import".into(),
        summary: summary.into(),
        ..Default::default()
    }
}
