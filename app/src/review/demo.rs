//! (server only) Demo applications beyond submission, moved on through the same store
//! steps the product uses: at county review with one score in, rectifying, passed and
//! waiting for a notice, on a running notice with an open objection, recognised with a
//! certificate, and revoked after a re-inspection. Loading twice changes nothing.

use crate::errors::AppError;
use domain::scoring::{ItemKind, ItemScore};
use store::county::{NewObjection, NewPanelResult};
use store::reviews::{Decision, NewTownshipReview};
use store::Store;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Target {
    CountyReview,
    Rectifying,
    Passed,
    OnNotice,
    Recognised,
    Revoked,
}

const TARGETS: &[(&str, Target)] = &[
    ("91341721MA3D4E5F6", Target::CountyReview),
    ("91341721MA3G7H8J9", Target::Rectifying),
    ("91341721MA3K1L2M3", Target::Passed),
    ("91341721MA3N4P5Q6", Target::OnNotice),
    ("91341721MA3R7T8U9", Target::Recognised),
    ("91341721MA3W1X2Y3", Target::Revoked),
];

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
        store.add_panel_member(batch.id, "unit", r).await?;
    }
    let today = super::common::today(store).await;
    let cal = super::common::calendar(store).await?;
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
        if app.state != "submitted" {
            continue; // moved on already
        }
        let id = app.id;
        store
            .decide_township_review(&NewTownshipReview {
                application_id: id,
                reviewer_id: township.id,
                decision: Decision::Pass,
                checklist: r#"{"materials":true,"licence":true,"credit":true,"premises":true}"#,
                comments: "{}",
                summary: "材料齐全，经实地查看，推荐参评。",
            })
            .await?;
        let Some(set) = store.indicator_set_by_id(app.indicator_set_id).await? else {
            continue;
        };
        let items: Vec<(ItemKind, u32)> =
            set.items.iter().map(|i| (i.kind, i.max_points)).collect();
        let short = if *target == Target::Rectifying { 30 } else { 6 };
        let reviewers: &[i64] = if *target == Target::CountyReview {
            &[p1.id, p2.id]
        } else {
            &[p1.id, p2.id, p3.id]
        };
        for (n, r) in reviewers.iter().enumerate() {
            store.assign_reviewer(id, 1, *r).await?;
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
                    .submit_scores(aid, *r, &json, i64::from(total), false, "")
                    .await?;
            }
        }
        if *target == Target::CountyReview {
            continue;
        }
        let passed = *target != Target::Rectifying;
        let todos = serde_json::json!([{"index": 0, "zh": set.items[0].text_zh, "en": set.items[0].text_en}]).to_string();
        let due = domain::notice::rectification_due(today, 6)
            .format("%Y-%m-%d")
            .to_string();
        let opened = today.format("%Y-%m-%d").to_string();
        store
            .record_panel_result(&NewPanelResult {
                application_id: id,
                round: 1,
                method: "mean",
                score_tenths: if passed { 920 } else { 680 },
                spread: 4,
                vetoed: false,
                passed,
                decided_by: office.id,
                rectification: (!passed).then_some((opened.as_str(), due.as_str(), todos.as_str())),
            })
            .await?;
        match target {
            Target::OnNotice => running_notice.push(id),
            Target::Recognised | Target::Revoked => ended_notice.push(id),
            _ => {}
        }
    }
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
                .recognise_notice(n, "2026-10-14", &until, &numbering)
                .await?;
            if let Some(&last) = ended_notice.last() {
                if let Some(rec) = store.recognition_of_application(last).await? {
                    store
                        .plan_reinspections("2026年第四季度复查", &[rec.id])
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
                            )
                            .await?;
                    }
                }
            }
        }
    }
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
            )
            .await?
        {
            let respond_by = cal
                .period_end(today, 5, false)
                .format("%Y-%m-%d")
                .to_string();
            store
                .file_objection(&NewObjection {
                    notice_id: n,
                    application_id: running_notice[0],
                    name: "李先生",
                    contact: "13905661234",
                    facts: "10月在该酒店办婚宴，事先约定的菜品被更换，协商退差价被拒绝。",
                    evidence: "结算单照片，可当面提供。",
                    respond_by: &respond_by,
                })
                .await?;
        }
    }
    Ok(())
}
