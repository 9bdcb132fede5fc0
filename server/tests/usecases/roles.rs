//! Each step names who takes it, in the use case itself and not only in the form post
//! that calls it: any other role is refused before anything is read or written.

use super::{decision, entries, staff, submitted_application};
use app::errors::AppError;
use app::usecases::complaints::{handle, HandlingStep};
use app::usecases::notices::{publish, recognise, NewNotice};
use app::usecases::panel::{assign_balanced, assign_reviewer, decide_result, PanelStep};
use app::usecases::recognitions::{reinspect, ReinspectionResult};
use app::usecases::township::decide;
use domain::{Category, Role};
use store::reviews::Decision;
use testkit::fresh_db;

fn forbidden<T: std::fmt::Debug>(r: Result<T, AppError>, step: &str) {
    assert!(
        matches!(r, Err(AppError::Forbidden)),
        "{step}: expected Forbidden, got {r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_are_refused_to_the_roles_that_do_not_take_them() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let id = submitted_application(&db).await;
    let office = staff(&db, "office", Role::CountyOffice, "341721").await;
    let township = staff(&db, "yaodu", Role::TownshipReviewer, "341721100").await;
    let leader = staff(&db, "leader", Role::Leader, "341721").await;
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;

    // The township's decision is the township reviewer's, not the county office's.
    forbidden(
        decide(&db, &office, &decision(id, Decision::Pass, "推荐")).await,
        "township decision by the county office",
    );
    // The county review, notices and re-inspection are the county office's.
    forbidden(
        assign_reviewer(&db, &township, id, office.user.account_id).await,
        "assignment",
    );
    forbidden(
        assign_balanced(&db, &township, batch, Category::Unit).await,
        "balanced assignment",
    );
    forbidden(
        decide_result(&db, &township, id, PanelStep::Decide).await,
        "panel result",
    );
    let notice = NewNotice {
        title: "公示".into(),
        working_days: 5,
        starts_on: None,
        applications: vec![id],
    };
    forbidden(
        publish(&db, &township, &notice).await,
        "publishing a notice",
    );
    forbidden(recognise(&db, &township, 1).await, "recognition");
    forbidden(
        reinspect(&db, &township, 1, ReinspectionResult::Revoked, "不合格").await,
        "re-inspection",
    );
    // Complaints are handled by the county office and townships; leaders only read.
    forbidden(
        handle(&db, &leader, 1, &HandlingStep::Accept).await,
        "complaint step by a leader",
    );
    assert_eq!(
        db.application(id).await.unwrap().unwrap().state,
        domain::lifecycle::State::Submitted
    );
    for action in ["township_review.pass", "notice.publish", "panel.assign"] {
        assert!(entries(&db, action).await.is_empty(), "{action}");
    }
}
