//! The county office's desk: settings, the holiday calendar, panel membership, site
//! visits, objection assignment and the re-inspection plan. Each is refused to other
//! roles, changes nothing when refused, and is audited as its actor when taken.

use super::{entries, staff};
use app::accounts::security::SecurityPolicy;
use app::usecases::notices::assign_objection;
use app::usecases::panel::{change_membership, site_visit, Membership, Visited};
use app::usecases::recognitions::{plan_reinspections, PlanChoice, Planned};
use app::usecases::settings::{self, CalendarLoaded, Saved};
use domain::complaint::Thresholds;
use domain::panel::Aggregate;
use domain::{Category, Role};
use testkit::fresh_db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_keep_their_ranges_and_only_their_owners_change_them() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let security = staff(&db, "secadmin", Role::SecurityAdmin, "341721").await;
    let setting = |key: &'static str| {
        let db = &db;
        async move { db.setting(key).await.unwrap() }
    };

    // The notice: fewer than the plan's 5 working days, or more than 60, is not kept.
    assert!(settings::notice(&db, &township, 7, false).await.is_err());
    assert_eq!(
        settings::notice(&db, &office, 4, false).await.unwrap(),
        Saved::TooLow
    );
    assert_eq!(
        settings::notice(&db, &office, 61, false).await.unwrap(),
        Saved::TooHigh
    );
    assert_eq!(setting("notice.working_days").await, None);
    assert!(entries(&db, "notice.settings").await.is_empty());
    assert_eq!(
        settings::notice(&db, &office, 7, true).await.unwrap(),
        Saved::Saved
    );
    assert_eq!(setting("notice.working_days").await.as_deref(), Some("7"));
    assert_eq!(
        setting("notice.first_day_counts").await.as_deref(),
        Some("1")
    );
    assert_eq!(entries(&db, "notice.settings").await[0].actor, "office");

    // The panel: the reviewers per application are brought into 1–9.
    assert!(settings::panel(&db, &security, Aggregate::Mean, 3)
        .await
        .is_err());
    settings::panel(&db, &office, Aggregate::Mean, 40)
        .await
        .unwrap();
    assert_eq!(
        setting("review.reviewers_per_application").await.as_deref(),
        Some("9")
    );

    // Complaint thresholds: a satisfaction over 100 % is refused whole.
    let over = Thresholds {
        max_complaints: 5,
        min_satisfaction_percent: 101,
        min_ratings: 3,
    };
    assert_eq!(
        settings::complaint_thresholds(&db, &office, over)
            .await
            .unwrap(),
        Saved::TooHigh
    );
    assert_eq!(setting("complaints.flag_max_per_quarter").await, None);
    let kept = Thresholds {
        min_satisfaction_percent: 80,
        ..over
    };
    assert!(settings::complaint_thresholds(&db, &township, kept)
        .await
        .is_err());
    assert_eq!(
        settings::complaint_thresholds(&db, &office, kept)
            .await
            .unwrap(),
        Saved::Saved
    );
    assert_eq!(
        setting("complaints.flag_min_satisfaction_percent")
            .await
            .as_deref(),
        Some("80")
    );

    // The sign-in policy is the security administrator's alone, and range-checked.
    let before = SecurityPolicy::from_values([30, 8, 5, 15, 30, 60]);
    let raw = |v: [&str; 6]| v.map(String::from);
    assert!(settings::security_policy(
        &db,
        &office,
        &before,
        &raw(["20", "8", "5", "15", "30", "60"])
    )
    .await
    .is_err());
    assert!(settings::security_policy(
        &db,
        &security,
        &before,
        &raw(["500", "8", "5", "15", "30", "60"])
    )
    .await
    .is_err());
    assert_eq!(setting("security.idle_minutes").await, None);
    let after = settings::security_policy(
        &db,
        &security,
        &before,
        &raw(["20", "8", "5", "15", "30", "60"]),
    )
    .await
    .unwrap();
    assert_eq!(after.idle_minutes, 20);
    assert_eq!(
        setting("security.idle_minutes").await.as_deref(),
        Some("20")
    );
    assert_eq!(
        entries(&db, "security.policy_changed").await[0].actor,
        "secadmin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holiday_calendar_is_loaded_only_when_it_reads_as_one() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let year_2031 = r#"{"year": 2031, "papers": [], "days": [
        {"name": "元旦", "date": "2031-01-01", "isOffDay": true}
    ]}"#;
    let before = db.holiday_calendars().await.unwrap().len();
    assert!(settings::holiday_calendar(&db, &township, year_2031)
        .await
        .is_err());
    for bad in ["{}", "not json", &year_2031.replace("2031", "1999")] {
        assert_eq!(
            settings::holiday_calendar(&db, &office, bad).await.unwrap(),
            CalendarLoaded::Invalid,
            "{bad}"
        );
    }
    assert_eq!(db.holiday_calendars().await.unwrap().len(), before);
    assert!(entries(&db, "calendar.load").await.is_empty());
    assert_eq!(
        settings::holiday_calendar(&db, &office, year_2031)
            .await
            .unwrap(),
        CalendarLoaded::Loaded(2031)
    );
    assert_eq!(db.holiday_calendars().await.unwrap().len(), before + 1);
    assert_eq!(entries(&db, "calendar.load").await[0].target, "year:2031");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_takes_only_panel_members_and_only_from_the_county_office() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let reviewer = staff(&db, "expert", Role::PanelMember, "341721").await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let expert = reviewer.user.account_id;
    let members = || {
        let db = &db;
        async move { db.panel_members(batch, "unit").await.unwrap().len() }
    };

    // A township reviewer is no panel member; a township may not form the panel.
    let not_panel = township.user.account_id;
    let unit = Category::Unit;
    assert!(
        change_membership(&db, &office, batch, unit, not_panel, Membership::Add)
            .await
            .is_err()
    );
    assert!(
        change_membership(&db, &township, batch, unit, expert, Membership::Add)
            .await
            .is_err()
    );
    assert!(
        change_membership(&db, &office, batch + 100, unit, expert, Membership::Add)
            .await
            .is_err(),
        "no such batch"
    );
    assert_eq!(members().await, 0);
    assert!(entries(&db, "panel.member_add").await.is_empty());

    change_membership(&db, &office, batch, unit, expert, Membership::Add)
        .await
        .unwrap();
    assert_eq!(members().await, 1);
    change_membership(&db, &office, batch, unit, expert, Membership::Remove)
        .await
        .unwrap();
    assert_eq!(members().await, 0);
    assert_eq!(entries(&db, "panel.member_add").await[0].actor, "office");
    assert_eq!(entries(&db, "panel.member_remove").await.len(), 1);

    // A site visit needs an open assignment of the reviewer's own, and a note.
    let files = tempfile::tempdir().unwrap();
    let objects = store::objects::ObjectStore::LocalDir(files.path().to_path_buf());
    assert!(site_visit(&db, &objects, &office, 1, "现场核查", None)
        .await
        .is_err());
    assert_eq!(
        site_visit(&db, &objects, &reviewer, 1, "现场核查", None)
            .await
            .unwrap(),
        Visited::NotAssigned
    );
    assert!(entries(&db, "panel.site_visit").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objections_and_re_inspection_plans_are_the_county_offices() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let all = PlanChoice {
        flagged_only: false,
        sample: None,
    };

    let to = township.user.account_id;
    assert!(assign_objection(&db, &township, 1, to).await.is_err());
    assert!(
        assign_objection(&db, &office, 999, to).await.is_err(),
        "no such objection"
    );
    assert!(entries(&db, "objection.assign").await.is_empty());

    assert!(plan_reinspections(&db, &township, "2027年度复查", all)
        .await
        .is_err());
    assert_eq!(
        plan_reinspections(&db, &office, "  ", all).await.unwrap(),
        Planned::NoName
    );
    assert!(entries(&db, "reinspection.plan").await.is_empty());
    // Nothing recognised yet: the plan takes no one, and says so in its audit entry.
    assert_eq!(
        plan_reinspections(&db, &office, "2027年度复查", all)
            .await
            .unwrap(),
        Planned::Planned(0)
    );
    let audited = entries(&db, "reinspection.plan").await;
    assert_eq!(
        (audited[0].actor.as_str(), audited[0].summary.as_str()),
        ("office", "0 units chosen")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_12315_import_is_the_county_offices_and_commits_with_its_audit_entry() {
    use app::complaints::import::ImportOutcome;
    use app::usecases::imports::{import_file, Importer};
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, rows: u64, bad: bool| {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).unwrap();
        tools::sample::write_sample(&mut file, rows, bad, 7).unwrap();
        path
    };
    let clean = write("clean.csv", 40, false);
    let bad = write("bad.csv", 200, true);
    let stored = || async {
        db.count_complaints(&store::complaints::ComplaintFilter::default())
            .await
            .unwrap()
    };

    // A township reviewer may not import: nothing read, nothing recorded.
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    assert!(
        import_file(&db, Importer::CountyOffice(&township), &clean, "clean.csv")
            .await
            .is_err()
    );
    assert_eq!(stored().await, 0);
    assert!(db.complaint_imports(5).await.unwrap().is_empty());
    assert!(entries(&db, "complaint.import").await.is_empty());

    // The office's clean file: every row, the import's record and one entry naming it.
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let out = import_file(&db, Importer::CountyOffice(&office), &clean, "clean.csv")
        .await
        .unwrap();
    let ImportOutcome::Imported { import_id, rows } = out else {
        panic!("{out:?}")
    };
    assert_eq!(rows, 40);
    assert_eq!(stored().await, 40);
    let done = entries(&db, "complaint.import").await;
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].actor, "office");
    assert_eq!(done[0].client_addr, "203.0.113.7");
    assert_eq!(done[0].target, format!("complaint_import:{import_id}"));
    assert!(
        done[0].summary.contains("imported 40 rows"),
        "{:?}",
        done[0]
    );

    // A file with bad rows keeps none of them; its refusal has its own entry.
    let out = import_file(&db, Importer::Operator("cli"), &bad, "bad.csv")
        .await
        .unwrap();
    let ImportOutcome::Rejected { import_id, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(stored().await, 40);
    let done = entries(&db, "complaint.import").await;
    assert_eq!(done.len(), 2);
    assert_eq!(
        (done[0].actor.as_str(), done[0].role.as_str()),
        ("cli", "operator")
    );
    assert_eq!(done[0].target, format!("complaint_import:{import_id}"));
    // A file that cannot be read keeps nothing, and the attempt is still on the chain.
    let junk = dir.path().join("junk.xlsx");
    std::fs::write(&junk, b"PK\x03\x04 not a workbook").unwrap();
    let out = import_file(&db, Importer::CountyOffice(&office), &junk, "junk.xlsx")
        .await
        .unwrap();
    assert!(matches!(out, ImportOutcome::NotReadable), "{out:?}");
    let done = entries(&db, "complaint.import").await;
    assert_eq!(done.len(), 3);
    assert!(
        done[0].summary.contains("junk.xlsx: not readable"),
        "{:?}",
        done[0]
    );
    assert_eq!(stored().await, 40);
    assert!(matches!(
        db.verify_audit_chain().await.unwrap(),
        store::audit::ChainStatus::Intact { .. }
    ));
}
