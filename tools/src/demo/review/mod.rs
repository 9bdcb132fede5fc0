//! (server only) Demo applications beyond submission, moved on through the same store
//! steps the product uses: at county review with one score in, rectifying, passed and
//! waiting for a notice, on a running notice with an open objection, recognised with a
//! certificate, and revoked after a re-inspection. Loading twice changes nothing.

use app::errors::AppError;
use domain::scoring::{ItemKind, ItemScore};
use store::county::{NewObjection, NewPanelResult};
use store::reviews::{Decision, NewTownshipReview};
use store::Store;

mod directory;
use directory::seed_directory;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    Returned,
    Rejected,
    CountyReview,
    Rectifying,
    Passed,
    OnNotice,
    Recognised,
    Revoked,
}

const TARGETS: &[(&str, Target)] = &[
    ("91341721MA3A2B3C4", Target::Returned),
    ("91341721MA3E5F6G7", Target::Rejected),
    ("91341721MA3D4E5F6", Target::CountyReview),
    ("91341721MA3G7H8J9", Target::Rectifying),
    ("91341721MA3K1L2M3", Target::Passed),
    ("91341721MA3N4P5Q6", Target::OnNotice),
    ("91341721MA3R7T8U9", Target::Recognised),
    ("91341721MA3W1X2Y3", Target::Revoked),
];

/// A new application with `draft`, submitted, passed by the township and by the panel
/// (score in tenths): ready for a notice. Returns its id.
#[allow(clippy::too_many_arguments)]
pub(super) async fn passed_application(
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

/// Full marks except `short` points off the first basic item.
fn scores(items: &[(ItemKind, u32)], short: u32) -> (Vec<Option<ItemScore>>, u32) {
    let mut total = 0;
    let mut first = true;
    let s = items
        .iter()
        .map(|(k, max)| {
            Some(match k {
                ItemKind::Veto => ItemScore::VetoHolds,
                ItemKind::Bonus => ItemScore::Points(0),
                ItemKind::Basic => {
                    let p = if first {
                        max.saturating_sub(short)
                    } else {
                        *max
                    };
                    first = false;
                    total += p;
                    ItemScore::Points(p)
                }
            })
        })
        .collect();
    (s, total)
}

pub async fn seed_demo_review(store: &Store) -> Result<(), AppError> {
    let (Some(office), Some(township), Some(p1), Some(p2), Some(p3)) = (
        store.account_by_login("office").await?,
        store.account_by_login("yaodu").await?,
        store.account_by_login("panel1").await?,
        store.account_by_login("panel2").await?,
        store.account_by_login("panel3").await?,
    ) else {
        return Ok(());
    };
    let Some(batch) = store.open_batch(domain::application::COUNTY).await? else {
        return Ok(());
    };
    for r in [p1.id, p2.id, p3.id] {
        store
            .add_panel_member(
                batch.id,
                "unit",
                r,
                &crate::demo::seed_audit_event("panel.member_add"),
            )
            .await?;
    }
    let today = app::review::common::today(store).await;
    let cal = app::review::common::calendar(store).await?;
    let mut ended_notice = Vec::new();
    let mut running_notice = Vec::new();
    for (prefix, target) in TARGETS {
        let Some(c) = domain::uscc::check_character(prefix.as_bytes()) else {
            continue;
        };
        let Some(org) = store
            .organisation_by_credit_code(&format!("{prefix}{c}"))
            .await?
        else {
            continue;
        };
        let Some(app) = store.applications_of(org.id).await?.into_iter().next() else {
            continue;
        };
        if app.state != domain::lifecycle::State::Submitted {
            continue; // moved on already
        }
        let id = app.id;
        if *target == Target::Returned {
            store
                .decide_township_review(&NewTownshipReview {
                    application_id: id,
                    reviewer_id: township.id,
                    decision: Decision::Return,
                    checklist: r#"{"materials":true,"licence":false,"credit":true,"premises":true}"#,
                    comments: r#"{"identity":"营业执照上的经营场所与填写的详细地址不一致，请核对后修改。"}"#,
                    summary: "地址与营业执照不一致，请修改后重新提交。",
                }, &crate::demo::seed_audit_event("township_review.decide"))
                .await?;
            continue;
        }
        store
            .decide_township_review(
                &NewTownshipReview {
                    application_id: id,
                    reviewer_id: township.id,
                    decision: Decision::Pass,
                    checklist: r#"{"materials":true,"licence":true,"credit":true,"premises":true}"#,
                    comments: "{}",
                    summary: "材料齐全，经实地查看，推荐参评。",
                },
                &crate::demo::seed_audit_event("township_review.decide"),
            )
            .await?;
        let Some(set) = store.indicator_set_by_id(app.indicator_set_id).await? else {
            continue;
        };
        let items: Vec<(ItemKind, u32)> =
            set.items.iter().map(|i| (i.kind, i.max_points)).collect();
        let short = if matches!(target, Target::Rectifying | Target::Rejected) {
            30
        } else {
            6
        };
        let reviewers: &[i64] = if *target == Target::CountyReview {
            &[p1.id, p2.id]
        } else {
            &[p1.id, p2.id, p3.id]
        };
        for (n, r) in reviewers.iter().enumerate() {
            store
                .assign_reviewer(id, 1, *r, &crate::demo::seed_audit_event("panel.assign"))
                .await?;
            if *target == Target::CountyReview && n == 1 {
                continue; // the second reviewer has not scored yet
            }
            let (s, total) = scores(&items, short + n as u32 * 2);
            let aid = store
                .assignments_of_application(id, 1)
                .await?
                .into_iter()
                .find(|a| a.reviewer_id == *r)
                .map(|a| a.id);
            if let Some(aid) = aid {
                let json = serde_json::to_string(&s).map_err(AppError::internal)?;
                store
                    .submit_scores(
                        aid,
                        *r,
                        &json,
                        i64::from(total),
                        false,
                        "",
                        &crate::demo::seed_audit_event("panel.score"),
                    )
                    .await?;
            }
        }
        if *target == Target::CountyReview {
            continue;
        }
        let passed = !matches!(target, Target::Rectifying | Target::Rejected);
        let todos = serde_json::json!([{"index": 0, "zh": set.items[0].text_zh, "en": set.items[0].text_en}]).to_string();
        let due = domain::notice::rectification_due(today, 6)
            .format("%Y-%m-%d")
            .to_string();
        let opened = today.format("%Y-%m-%d").to_string();
        store
            .record_panel_result(
                &NewPanelResult {
                    application_id: id,
                    round: 1,
                    method: "mean",
                    score_tenths: if passed { 920 } else { 680 },
                    spread: 4,
                    vetoed: false,
                    passed,
                    decided_by: office.id,
                    rectification: (!passed).then_some((
                        opened.as_str(),
                        due.as_str(),
                        todos.as_str(),
                    )),
                },
                &crate::demo::seed_audit_event("panel.result"),
            )
            .await?;
        if *target == Target::Rejected {
            // Rectified, accepted for review again, and failed a second time: final.
            store
                .report_rectification(
                    id,
                    "已整改。",
                    &crate::demo::seed_audit_event("rectification.report"),
                )
                .await?;
            store
                .request_acceptance(
                    id,
                    &domain::lifecycle::Facts {
                        rectification_reported: true,
                        ..Default::default()
                    },
                    &crate::demo::seed_audit_event("rectification.request_acceptance"),
                )
                .await?;
            store
                .assign_reviewer(id, 2, p1.id, &crate::demo::seed_audit_event("panel.assign"))
                .await?;
            store
                .record_panel_result(
                    &NewPanelResult {
                        application_id: id,
                        round: 2,
                        method: "mean",
                        score_tenths: 700,
                        spread: 0,
                        vetoed: false,
                        passed: false,
                        decided_by: office.id,
                        rectification: None,
                    },
                    &crate::demo::seed_audit_event("panel.result"),
                )
                .await?;
        }
        match target {
            Target::OnNotice => running_notice.push(id),
            Target::Recognised | Target::Revoked => ended_notice.push(id),
            _ => {}
        }
    }
    // The last of the notice's demo targets is revoked after its re-inspection.
    let to_revoke = ended_notice.last().copied();
    let directory = seed_directory(store, &batch, office.id, township.id).await?;
    ended_notice.splice(0..0, directory);
    if !ended_notice.is_empty() {
        // The 2026 National Day notice: 30 September, five working days → 13 October.
        let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 30).expect("a date");
        let end = cal
            .period_end(start, 5, false)
            .format("%Y-%m-%d")
            .to_string();
        if let Some(n) = store
            .publish_notice(
                batch.id,
                &format!("{}拟认定名单公示（第一批）", batch.name_zh),
                "2026-09-30",
                &end,
                5,
                false,
                office.id,
                &ended_notice,
                &crate::demo::seed_audit_event("notice.publish"),
            )
            .await?
        {
            let numbering = |category: &str, seq: u32| {
                domain::notice::certificate_number(
                    2026,
                    domain::Category::parse(category).unwrap_or(domain::Category::Unit),
                    seq,
                )
            };
            let end_year = batch
                .review_closes
                .get(..4)
                .and_then(|y| y.parse::<i32>().ok())
                .unwrap_or(2026)
                .max(2026);
            let until = domain::notice::valid_until(end_year)
                .format("%Y-%m-%d")
                .to_string();
            store
                .recognise_notice(
                    n,
                    "2026-10-14",
                    &until,
                    &numbering,
                    &crate::demo::seed_audit_event("notice.recognise"),
                )
                .await?;
            if let Some(last) = to_revoke {
                if let Some(rec) = store.recognition_of_application(last).await? {
                    store
                        .plan_reinspections(
                            "2026年第四季度复查",
                            &[rec.id],
                            &crate::demo::seed_audit_event("reinspection.plan"),
                        )
                        .await?;
                    if let Some((ri, _)) = store
                        .pending_reinspections(domain::application::COUNTY)
                        .await?
                        .into_iter()
                        .find(|(_, r)| r.id == rec.id)
                    {
                        store
                            .record_reinspection(
                                ri.id,
                                office.id,
                                false,
                                "复查发现销售过期食品，且拒不履行七日无理由退货承诺。",
                                "2026-11-20",
                                &crate::demo::seed_audit_event("reinspection.record"),
                            )
                            .await?;
                    }
                }
            }
        }
    }
    seed_expired(store, office.id, township.id).await?;
    if !running_notice.is_empty() {
        let end = cal
            .period_end(today, 5, false)
            .format("%Y-%m-%d")
            .to_string();
        let start = today.format("%Y-%m-%d").to_string();
        if let Some(n) = store
            .publish_notice(
                batch.id,
                &format!("{}拟认定名单公示（第二批）", batch.name_zh),
                &start,
                &end,
                5,
                false,
                office.id,
                &running_notice,
                &crate::demo::seed_audit_event("notice.publish"),
            )
            .await?
        {
            let respond_by = cal
                .period_end(today, 5, false)
                .format("%Y-%m-%d")
                .to_string();
            store
                .file_objection(
                    &NewObjection {
                        notice_id: n,
                        application_id: running_notice[0],
                        name: "李先生",
                        contact: "13905661234",
                        facts: "10月在该酒店办婚宴，事先约定的菜品被更换，协商退差价被拒绝。",
                        evidence: "结算单照片，可当面提供。",
                        respond_by: &respond_by,
                    },
                    &crate::demo::seed_audit_event("objection.file"),
                )
                .await?;
        }
    }
    Ok(())
}

/// A merchant recognised in the closed 2023–2024 batch, whose plaque has expired.
async fn seed_expired(store: &Store, office: i64, township: i64) -> Result<(), AppError> {
    let prefix = "91341721MA3H8J9K1";
    let Some(c) = domain::uscc::check_character(prefix.as_bytes()) else {
        return Ok(());
    };
    let code = format!("{prefix}{c}");
    let Some(org) = store.organisation_by_credit_code(&code).await? else {
        return Ok(());
    };
    if !store.applications_of(org.id).await?.is_empty() {
        return Ok(());
    }
    let Some(account) = store.account_by_login(&code).await? else {
        return Ok(());
    };
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
