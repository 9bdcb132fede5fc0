//! What the public files (complaints, ratings, objections) and what an applicant does
//! in the wizard (start, save a step, add and remove evidence): refused input stores
//! nothing, each filing is limited per address, and what is stored is audited.

use super::{entries, merchant_with_draft, staff};
use app::usecases::complaints::{enter, ComplaintEntry, Entered, EntryProblem};
use app::usecases::evidence::{remove, upload};
use app::usecases::public::{
    file_complaint, object, rate, ComplaintFiled, ComplaintForm, ComplaintProblem, Objected,
    ObjectionForm, ObjectionProblem, Rated, Visitor,
};
use app::usecases::wizard::{save_step, start, StartRefusal, Started};
use domain::application::Step;
use domain::complaint::{Channel, Rating};
use domain::Role;
use testkit::fresh_db;

fn complaint() -> ComplaintForm {
    ComplaintForm {
        unit_name: "东至县某某水果店".into(),
        unit_credit_code: String::new(),
        township: "341721100".into(),
        industry: "retail".into(),
        name: "张三".into(),
        phone: "13912345678".into(),
        summary: "买到的苹果一半是坏的，店家不给退。".into(),
        demand: "退款".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consumers_complaint_is_checked_limited_and_audited_as_the_public() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let visitor = Visitor::new("198.51.100.4".into());
    let count = || {
        let db = &db;
        async move { entries(db, "complaint.file").await.len() }
    };

    type Spoil = fn(&mut ComplaintForm);
    let cases: [(Spoil, ComplaintProblem); 6] = [
        (|f| f.unit_name = " ".into(), ComplaintProblem::Unit),
        (
            |f| f.unit_credit_code = "91341721MA2NXXXX1X".into(),
            ComplaintProblem::CreditCode,
        ),
        (
            |f| f.township = "340000000".into(),
            ComplaintProblem::Township,
        ),
        (|f| f.phone = "0566-1234567".into(), ComplaintProblem::Phone),
        (|f| f.summary = "太差了".into(), ComplaintProblem::Summary),
        (
            |f| f.industry = "weapons".into(),
            ComplaintProblem::Industry,
        ),
    ];
    for (i, (spoil, problem)) in cases.into_iter().enumerate() {
        let mut f = complaint();
        spoil(&mut f);
        // Each from its own address: this is about the checks, not the limit.
        let v = Visitor::new(format!("198.51.100.{}", 10 + i));
        assert_eq!(
            file_complaint(&db, &v, "", &f).await.unwrap(),
            ComplaintFiled::Refused(problem)
        );
    }
    assert_eq!(
        file_complaint(&db, &visitor, "no-such-plaque", &complaint())
            .await
            .unwrap(),
        ComplaintFiled::Refused(ComplaintProblem::Unit)
    );
    assert_eq!(count().await, 0, "nothing refused is stored");

    let ComplaintFiled::Filed(code) = file_complaint(&db, &visitor, "", &complaint())
        .await
        .unwrap()
    else {
        panic!("a complete complaint is filed");
    };
    assert!(code.starts_with("TS"), "{code}");
    let audited = entries(&db, "complaint.file").await;
    assert_eq!(
        (audited[0].role.as_str(), audited[0].client_addr.as_str()),
        ("public", "198.51.100.4")
    );
    // Five a minute from one address (one refused above, one filed, three more).
    for _ in 0..3 {
        assert!(matches!(
            file_complaint(&db, &visitor, "", &complaint())
                .await
                .unwrap(),
            ComplaintFiled::Filed(_)
        ));
    }
    assert_eq!(
        file_complaint(&db, &visitor, "", &complaint())
            .await
            .unwrap(),
        ComplaintFiled::Refused(ComplaintProblem::Busy)
    );
    assert_eq!(count().await, 4);

    // A rating needs a real link, a chosen answer and a closed complaint.
    let rater = Visitor::new("198.51.100.30".into());
    assert_eq!(
        rate(&db, &rater, "1-forged", Some(Rating::Satisfied))
            .await
            .unwrap(),
        Rated::Unknown
    );
    // The first complaint filed above is still waiting: it cannot be rated yet.
    let token = db.rating_token(1).await.unwrap();
    assert_eq!(
        rate(&db, &rater, &token, None).await.unwrap(),
        Rated::NoRating
    );
    assert_eq!(
        rate(&db, &rater, &token, Some(Rating::Satisfied))
            .await
            .unwrap(),
        Rated::Open
    );
    assert!(entries(&db, "complaint.rate").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_enter_complaints_of_their_own_area_once_per_number() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let leader = staff(&db, "leader", Role::Leader, "341721").await;
    let entry = |township_code: &str, number: &str| ComplaintEntry {
        channel: Some(Channel::Hotline12345),
        number: number.into(),
        received_on: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
        form: ComplaintForm {
            township: township_code.into(),
            phone: "0566-1234567".into(),
            ..complaint()
        },
    };
    assert!(enter(&db, &leader, &entry("341721100", "A1"))
        .await
        .is_err());
    assert_eq!(
        enter(&db, &township, &entry("341721101", "A1"))
            .await
            .unwrap(),
        Entered::Refused(EntryProblem::Complaint(ComplaintProblem::Township)),
        "another township's business"
    );
    let later = ComplaintEntry {
        received_on: Some(chrono::NaiveDate::from_ymd_opt(2099, 1, 1).unwrap()),
        ..entry("341721100", "A1")
    };
    assert_eq!(
        enter(&db, &township, &later).await.unwrap(),
        Entered::Refused(EntryProblem::Date)
    );
    assert!(matches!(
        enter(&db, &township, &entry("341721100", "A1"))
            .await
            .unwrap(),
        Entered::Entered(_)
    ));
    assert_eq!(
        enter(&db, &township, &entry("341721100", "A1"))
            .await
            .unwrap(),
        Entered::Refused(EntryProblem::Number)
    );
    let audited = entries(&db, "complaint.enter").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].actor, "yaodu");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objection_needs_a_running_notice() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let form = ObjectionForm {
        application: Some(1),
        name: "李四".into(),
        contact: "13800000000".into(),
        facts: "该店曾拒绝七日无理由退货。".into(),
        evidence: String::new(),
    };
    let visitor = Visitor::new("198.51.100.40".into());
    assert_eq!(
        object(&db, &visitor, 999, &form).await.unwrap(),
        Objected::Refused(ObjectionProblem::Unknown)
    );
    for _ in 0..4 {
        object(&db, &visitor, 999, &form).await.unwrap();
    }
    assert_eq!(
        object(&db, &visitor, 999, &form).await.unwrap(),
        Objected::Refused(ObjectionProblem::Busy),
        "five a minute per address"
    );
    assert!(entries(&db, "objection.file").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicant_changes_only_its_own_draft() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (merchant, id) = merchant_with_draft(&db).await;
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;

    // One open application per category: the draft exists already.
    let started = entries(&db, "application.start").await.len();
    assert_eq!(
        start(&db, &merchant, "").await.unwrap(),
        Started::Refused(StartRefusal::Exists)
    );
    // A merchant is nobody's agent; staff start nothing.
    assert_eq!(
        start(&db, &merchant, "91341721MA2NXXXX1L").await.unwrap(),
        Started::Refused(StartRefusal::NotAgent)
    );
    assert!(start(&db, &office, "").await.is_err());
    assert_eq!(entries(&db, "application.start").await.len(), started);

    // Saving a step: the merchant's own draft, and nobody else's.
    let posted = vec![("store_name".to_string(), "老王水果店".to_string())];
    let reply = save_step(&db, &merchant, id, Step::Identity, "next", &posted)
        .await
        .unwrap();
    assert!(reply.revision > 0);
    let before = db.application(id).await.unwrap().unwrap().revision;
    assert!(save_step(&db, &office, id, Step::Identity, "", &posted)
        .await
        .is_err());
    assert_eq!(db.application(id).await.unwrap().unwrap().revision, before);

    // Evidence: not into a slot the indicator set does not ask for, nor by staff.
    let files = tempfile::tempdir().unwrap();
    let objects = store::objects::ObjectStore::LocalDir(files.path().to_path_buf());
    let nothing = app::applications::handlers::Upload::default();
    assert!(
        upload(&db, &objects, &merchant, id, "no.such.slot", nothing)
            .await
            .is_err()
    );
    assert!(remove(&db, &office, id, 1).await.is_err());
    assert!(entries(&db, "evidence.upload").await.is_empty());
    assert!(entries(&db, "evidence.remove").await.is_empty());
}
