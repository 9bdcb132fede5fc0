//! (server only) History from before the product: a merchant recognised in the closed
//! 2023–2024 batch, whose plaque has expired. The product has no step that makes an
//! application in a closed batch or publishes its notice (a county moving onto Fangxin
//! brings such records along), so this one writes through the store with the dates of
//! the time, each step audited as the demo seeding's. The architecture test leaves this
//! file out for that reason alone.

use app::errors::AppError;
use store::county::NewPanelResult;
use store::reviews::{Decision, NewTownshipReview};
use store::Store;

/// A new application with `draft`, submitted, passed by the township and by the panel
/// (score in tenths): ready for a notice. Returns its id.
#[allow(clippy::too_many_arguments)]
async fn passed_application(
    store: &Store,
    org: &store::accounts::Organisation,
    account: i64,
    batch: i64,
    set: i64,
    draft: &domain::application::Draft,
    (township, office): (i64, i64),
    score_tenths: i64,
) -> Result<i64, AppError> {
    let id = store
        .start_application(
            &store::applications::NewApplication {
                organisation_id: org.id,
                batch_id: batch,
                category: &org.category_code,
                indicator_set_id: set,
                prepared_by: Some(account),
                agent_organisation_id: None,
                data: &draft.to_json(),
            },
            &crate::demo::seed_audit_event("application.start"),
        )
        .await?;
    store
        .submit_application(
            id,
            0,
            account,
            &crate::demo::seed_audit_event("application.submit"),
        )
        .await?;
    store
        .decide_township_review(
            &NewTownshipReview {
                application_id: id,
                reviewer_id: township,
                decision: Decision::Pass,
                checklist: r#"{"materials":true,"licence":true,"credit":true,"premises":true}"#,
                comments: "{}",
                summary: "材料齐全，经实地查看，推荐参评。",
            },
            &crate::demo::seed_audit_event("township_review.decide"),
        )
        .await?;
    store
        .record_panel_result(
            &NewPanelResult {
                application_id: id,
                round: 1,
                method: "mean",
                score_tenths,
                spread: 3,
                vetoed: false,
                passed: true,
                decided_by: office,
                rectification: None,
            },
            &crate::demo::seed_audit_event("panel.result"),
        )
        .await?;
    Ok(id)
}

/// A merchant recognised in the closed 2023–2024 batch, whose plaque has expired.
pub(super) async fn seed_expired(store: &Store) -> Result<(), AppError> {
    let code = crate::demo::accounts::with_check_character("91341721MA3H8J9K1");
    let Some(org) = store.organisation_by_credit_code(&code).await? else {
        return Ok(());
    };
    if !store.applications_of(org.id).await?.is_empty() {
        return Ok(());
    }
    // Passed by its own township's reviewer (made with the directory's units).
    let township = store
        .accounts_under(&org.area_code)
        .await?
        .into_iter()
        .find(|a| a.area_code == org.area_code && a.role == "township_reviewer");
    let (Some(account), Some(office), Some(township)) = (
        store.account_by_login(&code).await?,
        store.account_by_login("office").await?,
        township,
    ) else {
        return Ok(());
    };
    let (office, township) = (office.id, township.id);
    let Some(closed) = store
        .batches(domain::application::COUNTY)
        .await?
        .into_iter()
        .find(|b| b.status == store::batches::BatchStatus::Closed)
    else {
        return Ok(());
    };
    store.ensure_indicator_sets(closed.id).await?;
    let Some(set) = store.indicator_set(closed.id, "unit").await? else {
        return Ok(());
    };
    let draft = app::applications::handlers::prefilled(&org, false);
    let id = passed_application(
        store,
        &org,
        account.id,
        closed.id,
        set.id,
        &draft,
        (township, office),
        880,
    )
    .await?;
    if let Some(n) = store
        .publish_notice(
            closed.id,
            &format!("{}拟认定名单公示", closed.name_zh),
            "2024-04-08",
            "2024-04-15",
            5,
            false,
            office,
            &[id],
            &crate::demo::seed_audit_event("notice.publish"),
        )
        .await?
    {
        let numbering = |category: &str, seq: u32| {
            domain::notice::certificate_number(
                2024,
                domain::Category::parse(category).unwrap_or(domain::Category::Unit),
                seq,
            )
        };
        store
            .recognise_notice(
                n,
                "2024-04-16",
                "2024-12-31",
                &numbering,
                &crate::demo::seed_audit_event("notice.recognise"),
            )
            .await?;
    }
    store
        .expire_recognitions(
            &app::review::common::today(store)
                .await
                .format("%Y-%m-%d")
                .to_string(),
            &crate::demo::seed_audit_event("recognition.expire"),
        )
        .await?;
    Ok(())
}
