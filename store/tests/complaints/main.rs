//! Complaints at the storage layer, on SQLite and PostgreSQL alike: filing, the
//! business's desk, acceptance, mediation, the consumer's one vote, imports that keep
//! all or nothing, and counts that equal the domain's definition row by row.

mod import;

use chrono::{Datelike, NaiveDate};
use domain::complaint::{
    counts_of, Channel, Facts, HeaderMap, Industry, Outcome, Rating, Record, RefusalGround, Status,
};
use domain::rates::ComplaintCounts;
use store::audit::AuditEvent;
use store::complaints::{ComplaintFilter, NewComplaint};
use testkit::fresh_db;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn record(number: Option<&str>, status: Status, received: &str) -> Record {
    Record {
        number: number.map(str::to_string),
        channel: Channel::Web,
        consumer_name: "王芳".into(),
        consumer_phone: "13912345678".into(),
        unit_name: "放心超市".into(),
        unit_credit_code: Some("91341721MA2N0Y7B3K".into()),
        area_code: "341721100".into(),
        industry: Industry::Retail,
        summary: "酸奶过期".into(),
        facts: Facts {
            status,
            received_on: d(received),
            accepted_on: None,
            closed_on: None,
            outcome: None,
            rating: None,
        },
        refusal_ground: None,
        recovered_fen: 0,
        advance_fen: 0,
    }
}

async fn organisation(db: &store::Store) -> i64 {
    let account = db
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: "91341721MA2N0Y7B3K",
                name: "放心超市",
                category_code: "unit",
                area_code: "341721100",
                contact_name: "王芳",
                contact_mobile: "13812345678",
                password_hash: "x",
            },
            &store::audit::AuditEvent::default(),
        )
        .await
        .unwrap();
    db.account(account)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
        .unwrap()
}

#[tokio::test]
async fn a_complaint_goes_from_the_form_to_the_desk_to_one_rating() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let org = organisation(&db).await;
    let r = record(None, Status::Received, "2026-03-02");
    let (id, code) = db
        .file_complaint(
            &NewComplaint {
                record: &r,
                source: "web",
                organisation_id: Some(org),
                demand: "退款",
                actor: "consumer",
            },
            &AuditEvent::default(),
        )
        .await
        .unwrap();
    assert_eq!(db.complaint_by_code(&code).await.unwrap().unwrap().id, id);

    // The business cannot act before it is accepted; someone else's business never.
    assert!(db
        .record_business_settlement(id, org, "2026-03-03", 0, "unit", &AuditEvent::default())
        .await
        .is_err());
    db.accept_complaint(id, "2026-03-03", "office", &AuditEvent::default())
        .await
        .unwrap();
    assert!(db
        .accept_complaint(id, "2026-03-03", "office", &AuditEvent::default())
        .await
        .is_err());
    let c = db.complaint(id).await.unwrap().unwrap();
    assert_eq!(
        c.status.code(),
        "negotiating",
        "a registered business gets it first"
    );
    assert!(db
        .record_business_contact(
            id,
            org + 1,
            "2026-03-04",
            "退款",
            0,
            "x",
            &AuditEvent::default()
        )
        .await
        .is_err());
    db.record_business_contact(
        id,
        org,
        "2026-03-04",
        "全额退款",
        1500,
        "unit",
        &AuditEvent::default(),
    )
    .await
    .unwrap();
    assert!(
        !db.rate_complaint(id, Rating::Satisfied, &AuditEvent::default())
            .await
            .unwrap(),
        "not closed yet"
    );
    db.record_business_settlement(id, org, "2026-03-05", 1500, "unit", &AuditEvent::default())
        .await
        .unwrap();
    let c = db.complaint(id).await.unwrap().unwrap();
    assert_eq!(
        (
            c.status.code(),
            c.outcome.as_deref(),
            c.advance_fen,
            c.recovered_fen
        ),
        ("closed", Some("settlement"), 1500, 1500)
    );

    // One vote, through a signed link.
    let token = db.rating_token(id).await.unwrap();
    assert_eq!(
        db.complaint_by_rating_token(&token)
            .await
            .unwrap()
            .unwrap()
            .id,
        id
    );
    let forged = format!("{}-{}", id + 1, token.split_once('-').unwrap().1);
    assert!(db
        .complaint_by_rating_token(&forged)
        .await
        .unwrap()
        .is_none());
    assert!(db
        .complaint_by_rating_token("1-00")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .rate_complaint(id, Rating::Satisfied, &AuditEvent::default())
        .await
        .unwrap());
    assert!(!db
        .rate_complaint(id, Rating::Dissatisfied, &AuditEvent::default())
        .await
        .unwrap());
    assert_eq!(
        db.complaint(id).await.unwrap().unwrap().rating.as_deref(),
        Some("satisfied")
    );
    let events = db.complaint_events(id).await.unwrap();
    assert_eq!(events.len(), 5, "{events:?}");

    let counts = db
        .complaint_figures(&ComplaintFilter {
            organisation_id: Some(org),
            ..Default::default()
        })
        .await
        .unwrap()
        .counts;
    assert_eq!(counts.handling_rate(), Some(1.0));
    assert_eq!(counts.success_rate(), Some(1.0));
    assert_eq!(counts.satisfaction_rate(), Some(1.0));
}

#[tokio::test]
async fn staff_refuse_escalate_and_close_in_mediation() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let org = organisation(&db).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = record(None, Status::Received, "2026-03-02");
        let (id, _) = db
            .file_complaint(
                &NewComplaint {
                    record: &r,
                    source: "staff",
                    organisation_id: None,
                    demand: "",
                    actor: "office",
                },
                &AuditEvent::default(),
            )
            .await
            .unwrap();
        ids.push(id);
    }
    db.refuse_complaint(
        ids[0],
        RefusalGround::OverThreeYears,
        "2026-03-03",
        "office",
        &AuditEvent::default(),
    )
    .await
    .unwrap();
    assert!(db
        .accept_complaint(ids[0], "2026-03-03", "office", &AuditEvent::default())
        .await
        .is_err());
    // Unlinked: accepted straight into mediation.
    db.accept_complaint(ids[1], "2026-03-03", "office", &AuditEvent::default())
        .await
        .unwrap();
    assert_eq!(
        db.complaint(ids[1]).await.unwrap().unwrap().status.code(),
        "mediating"
    );
    assert!(db
        .escalate_complaint(ids[1], "office", &AuditEvent::default())
        .await
        .is_err());
    db.close_complaint(
        ids[1],
        Outcome::Terminated,
        "2026-04-20",
        0,
        0,
        "office",
        &AuditEvent::default(),
    )
    .await
    .unwrap();
    // Linked later: the business fails, staff escalate and mediate an agreement.
    db.link_complaint(ids[2], org, "office", &AuditEvent::default())
        .await
        .unwrap();
    db.accept_complaint(ids[2], "2026-03-03", "office", &AuditEvent::default())
        .await
        .unwrap();
    db.record_business_failure(ids[2], org, "unit", &AuditEvent::default())
        .await
        .unwrap();
    assert!(db.complaint(ids[2]).await.unwrap().unwrap().unit_failed);
    db.escalate_complaint(ids[2], "office", &AuditEvent::default())
        .await
        .unwrap();
    db.close_complaint(
        ids[2],
        Outcome::Agreement,
        "2026-03-20",
        20000,
        5000,
        "office",
        &AuditEvent::default(),
    )
    .await
    .unwrap();

    let all = ComplaintFilter::default();
    let c = db.complaint_figures(&all).await.unwrap().counts;
    assert_eq!(
        (c.accepted, c.closed, c.mediated, c.mediated_successfully),
        (2, 2, 2, 1)
    );
    let figures = db.complaint_figures(&all).await.unwrap();
    assert_eq!((figures.recovered_fen, figures.advance_fen), (20000, 5000));
    assert_eq!(db.count_complaints(&all).await.unwrap(), 3);
    let refused = ComplaintFilter {
        status: Some("not_accepted".into()),
        ..Default::default()
    };
    assert_eq!(
        db.find_complaints(&refused, 10, 0).await.unwrap()[0].id,
        ids[0]
    );
    assert!(db.open_complaints(&all).await.unwrap().is_empty());
}

/// The complaints table's indexes, as the database describes them.
/// Generated records in every state over three years: the counts the database gives for
/// each year equal the sum of the domain's `counts_of` over the same rows.
#[tokio::test]
async fn database_counts_equal_the_domain_definition_row_by_row() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let mut seed: u64 = 42;
    let mut next = |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut records = Vec::new();
    for i in 0..400 {
        let received = d("2023-01-01") + chrono::Duration::days(next(1000) as i64);
        let status = Status::ALL[next(5) as usize];
        let mut r = record(Some(&format!("G-{i}")), status, &received.to_string());
        let accepted = received + chrono::Duration::days(next(5) as i64);
        let closed = accepted + chrono::Duration::days(next(60) as i64);
        r.facts.accepted_on = status.is_accepted().then_some(accepted);
        r.facts.closed_on =
            matches!(status, Status::Closed | Status::NotAccepted).then_some(closed);
        if status == Status::Closed {
            r.facts.outcome = Some(Outcome::ALL[next(4) as usize]);
            r.facts.rating = [
                None,
                Some(Rating::Satisfied),
                Some(Rating::BasicallySatisfied),
                Some(Rating::Dissatisfied),
            ][next(4) as usize];
        }
        if status == Status::NotAccepted {
            r.refusal_ground = Some(RefusalGround::MissingMaterials);
        }
        records.push(r);
    }
    let mut run = db.begin_import("gen.csv", "test", 0).await.unwrap();
    run.add(&records).await.unwrap();
    run.commit(
        &db,
        records.len() as i64,
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap();
    for year in [2023, 2024, 2025] {
        let mut expected = ComplaintCounts::default();
        for r in &records {
            expected.add(&counts_of(&r.facts, |x| x.year() == year));
        }
        let got = db
            .complaint_figures(&ComplaintFilter {
                from: Some(format!("{year}-01-01")),
                to: Some(format!("{year}-12-31")),
                ..Default::default()
            })
            .await
            .unwrap()
            .counts;
        assert_eq!(got, expected, "year {year}");
        assert!(expected.closed > 0 && expected.rated_dissatisfied > 0);
    }
}

#[tokio::test]
async fn township_names_map_to_codes() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let idx = db.township_index("341721").await.unwrap();
    use domain::complaint::Townships;
    assert_eq!(idx.code_of("尧渡镇").as_deref(), Some("341721100"));
    assert_eq!(idx.code_of("尧渡").as_deref(), Some("341721100"));
    assert_eq!(idx.code_of("341721101").as_deref(), Some("341721101"));
    assert_eq!(idx.code_of("东至县"), None);
    let map = HeaderMap::read(&[
        "投诉编号",
        "登记日期",
        "被投诉单位",
        "所属乡镇",
        "行业",
        "办理状态",
    ])
    .unwrap();
    assert!(map
        .record(
            &["1", "2025-01-01", "某店", "东流镇", "食品", "待受理"],
            &idx
        )
        .is_ok());
}

/// On SQLite an import writes with triggers off (`Store::import_connection`), which is
/// only right while no trigger on a table it writes would do anything for its rows:
/// the insert triggers on `complaints` must leave imported rows out, and the other
/// tables must have none. A new trigger there fails this test until the import does
/// its work itself.
#[tokio::test]
async fn no_trigger_would_fire_for_an_imported_row() {
    use sqlx::Row;
    let db = fresh_db().await;
    if db.backend() != store::Backend::Sqlite {
        return;
    }
    let triggers = sqlx::query(
        "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN \
         ('complaints', 'complaint_imports', 'complaint_month_rollup', 'complaint_unit_rollup', \
          'complaint_open_rollup', 'complaint_open_total', 'live_changes')",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    let mut inserts = 0;
    for t in &triggers {
        let (table, name, sql): (String, String, String) = (t.get(0), t.get(1), t.get(2));
        assert_eq!(table, "complaints", "{name} is on {table}");
        if sql.contains("AFTER INSERT") || sql.contains("BEFORE INSERT") {
            inserts += 1;
            assert!(sql.contains("WHEN NEW.import_id IS NULL"), "{name}: {sql}");
        }
    }
    assert_eq!(inserts, 5, "the insert triggers of migration 0015");
}

#[tokio::test]
async fn a_complaint_step_and_its_audit_entry_commit_together() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let filed = AuditEvent {
        actor: "-".into(),
        role: "public".into(),
        action: "complaint.file".into(),
        ..Default::default()
    };
    let (id, _) = db
        .file_complaint(
            &NewComplaint {
                record: &record(None, Status::Received, "2026-03-02"),
                source: "web",
                organisation_id: None,
                demand: "",
                actor: "consumer",
            },
            &filed,
        )
        .await
        .unwrap();
    let accepted = AuditEvent {
        actor: "office".into(),
        role: "county_office".into(),
        action: "complaint.accept".into(),
        target: format!("complaint:{id}"),
        ..Default::default()
    };
    // The chain's head row gone: no entry can be appended, so the step is not made.
    sqlx::query("DELETE FROM audit_head")
        .execute(db.pool())
        .await
        .unwrap();
    assert!(db
        .accept_complaint(id, "2026-03-03", "office", &accepted)
        .await
        .is_err());
    let c = db.complaint(id).await.unwrap().unwrap();
    assert_eq!((c.status.code(), c.accepted_on), ("received", None));
    assert_eq!(db.complaint_events(id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn every_complaint_step_leaves_its_audit_entry_naming_the_complaint() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let event = |action: &str| AuditEvent {
        actor: "office".into(),
        role: "county_office".into(),
        action: action.into(),
        ..Default::default()
    };
    let (id, _) = db
        .file_complaint(
            &NewComplaint {
                record: &record(None, Status::Received, "2026-03-02"),
                source: "staff",
                organisation_id: None,
                demand: "",
                actor: "office",
            },
            &event("complaint.enter"),
        )
        .await
        .unwrap();
    let on = |action: &str| AuditEvent {
        target: format!("complaint:{id}"),
        ..event(action)
    };
    db.accept_complaint(id, "2026-03-03", "office", &on("complaint.accept"))
        .await
        .unwrap();
    db.close_complaint(
        id,
        Outcome::Agreement,
        "2026-03-10",
        100,
        0,
        "office",
        &on("complaint.close"),
    )
    .await
    .unwrap();
    assert!(db
        .rate_complaint(id, Rating::Satisfied, &on("complaint.rate"))
        .await
        .unwrap());
    // A refused step writes no entry.
    assert!(db
        .accept_complaint(id, "2026-03-03", "office", &on("complaint.accept"))
        .await
        .is_err());
    let entries = db
        .audit_entries(&store::audit::AuditFilter {
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let mine: Vec<(String, String)> = entries
        .iter()
        .filter(|e| e.event.action.starts_with("complaint."))
        .map(|e| (e.event.action.clone(), e.event.target.clone()))
        .collect();
    let target = format!("complaint:{id}");
    let mut actions: Vec<&str> = mine.iter().map(|(a, _)| a.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "complaint.accept",
            "complaint.close",
            "complaint.enter",
            "complaint.rate"
        ]
    );
    assert!(mine.iter().all(|(_, t)| *t == target), "{mine:?}");
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        store::audit::ChainStatus::Intact { .. }
    ));
}
