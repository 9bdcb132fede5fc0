//! What the benchmarks and the load generator act on, made directly through the store
//! (an operator's tools, never the product): staff and merchants, drafts, recognised
//! units for the directory, and signed-in sessions.

use crate::bench::err;
use domain::application::Step;
use store::Store;

/// A staff account the benchmarks act as (made once, with no usable password).
pub async fn bench_staff(store: &Store, login: &str, role: &str) -> Result<i64, String> {
    if let Some(a) = store.account_by_login(login).await.map_err(err)? {
        return Ok(a.id);
    }
    store
        .create_staff_account(
            &store::accounts::NewStaff {
                login,
                display_name: login,
                role,
                area_code: domain::application::COUNTY,
                member_unit_code: None,
                mobile: "13900000000",
                password_hash: "!",
            },
            &crate::demo::seed_audit_event("account.create"),
        )
        .await
        .map_err(err)
}

/// A merchant in the open batch with a draft filled in up to `reached`:
/// (account, application, the draft as started).
pub async fn merchant_with_draft(
    store: &Store,
    code: &str,
    name: &str,
    area_code: &str,
    set: &store::indicators::IndicatorSet,
    reached: Step,
) -> Result<(i64, i64, domain::application::Draft), String> {
    let account = store
        .create_organisation_account(
            &store::accounts::NewOrganisation {
                credit_code: code,
                name,
                category_code: "unit",
                area_code,
                contact_name: "王经理",
                contact_mobile: "13855660000",
                password_hash: "!",
            },
            &crate::demo::seed_audit_event("account.register"),
        )
        .await
        .map_err(err)?;
    let org = store
        .organisation_by_credit_code(code)
        .await
        .map_err(err)?
        .ok_or("the organisation just made")?;
    let draft = crate::demo::applications::draft_up_to(&org, domain::Category::Unit, set, reached);
    let application = store
        .start_application(
            &store::applications::NewApplication {
                organisation_id: org.id,
                batch_id: set.batch_id,
                category: "unit",
                indicator_set_id: set.id,
                prepared_by: Some(account),
                agent_organisation_id: None,
                data: &draft.to_json(),
            },
            &crate::demo::seed_audit_event("application.start"),
        )
        .await
        .map_err(err)?;
    Ok((account, application, draft))
}

/// Makes sure at least `n` units hold a valid plaque, recognising new ones through the
/// product's own steps (application, township pass, panel pass, notice, recognition).
pub async fn ensure_recognised_units(store: &Store, n: i64) -> Result<i64, String> {
    use store::county::{DirectoryQuery, NewPanelResult};
    use store::reviews::{Decision, NewTownshipReview};
    let county = domain::application::COUNTY;
    let today = app::review::common::today(store).await;
    let query = DirectoryQuery {
        today: today.format("%Y-%m-%d").to_string(),
        limit: 1,
        ..Default::default()
    };
    let have = store.directory(&query).await.map_err(err)?.1;
    if have >= n {
        return Ok(have);
    }
    let batch = store
        .open_batch(county)
        .await
        .map_err(err)?
        .ok_or("no open batch: run `fangxin migrate` first")?;
    store.ensure_indicator_sets(batch.id).await.map_err(err)?;
    let set = store
        .indicator_set(batch.id, "unit")
        .await
        .map_err(err)?
        .ok_or("no indicator set for merchants")?;
    let townships = store.area_children(Some(county)).await.map_err(err)?;
    let office = bench_staff(store, "bench-office", "county_office").await?;
    let reviewer = bench_staff(store, "bench-township", "township_reviewer").await?;
    let mut passed = Vec::new();
    let mut i = 0;
    while (passed.len() as i64) < n - have {
        i += 1;
        let prefix = format!("91341721MB{i:07}");
        let check = domain::uscc::check_character(prefix.as_bytes()).ok_or("a credit code")?;
        let code = format!("{prefix}{check}");
        if store.account_by_login(&code).await.map_err(err)?.is_some() {
            continue; // made by an earlier run
        }
        let township = &townships[i % townships.len()];
        let name = format!("东至县{}放心商户{i}号有限公司", township.name_zh);
        let (account, id, _) =
            merchant_with_draft(store, &code, &name, &township.code, &set, Step::Review).await?;
        store
            .submit_application(
                id,
                0,
                account,
                &crate::demo::seed_audit_event("application.submit"),
            )
            .await
            .map_err(err)?;
        store
            .decide_township_review(
                &NewTownshipReview {
                    application_id: id,
                    reviewer_id: reviewer,
                    decision: Decision::Pass,
                    checklist: r#"{"materials":true,"licence":true,"credit":true,"premises":true}"#,
                    comments: "{}",
                    summary: "材料齐全，推荐参评。",
                },
                &crate::demo::seed_audit_event("township_review.decide"),
            )
            .await
            .map_err(err)?;
        store
            .record_panel_result(
                &NewPanelResult {
                    application_id: id,
                    round: 1,
                    method: "mean",
                    score_tenths: 900,
                    spread: 2,
                    vetoed: false,
                    passed: true,
                    decided_by: office,
                    rectification: None,
                },
                &crate::demo::seed_audit_event("panel.result"),
            )
            .await
            .map_err(err)?;
        passed.push(id);
    }
    let day = |days: i64| {
        (today - chrono::Duration::days(days))
            .format("%Y-%m-%d")
            .to_string()
    };
    let notice = store
        .publish_notice(
            batch.id,
            "基准测试拟认定名单公示",
            &day(20),
            &day(10),
            5,
            false,
            office,
            &passed,
            &crate::demo::seed_audit_event("notice.publish"),
        )
        .await
        .map_err(err)?
        .ok_or("the notice was not published")?;
    let year = chrono::Datelike::year(&today);
    let until = domain::notice::valid_until(year + 2)
        .format("%Y-%m-%d")
        .to_string();
    let numbering = |category: &str, seq: u32| {
        domain::notice::certificate_number(
            year,
            domain::Category::parse(category).unwrap_or(domain::Category::Unit),
            seq,
        )
    };
    store
        .recognise_notice(
            notice,
            &day(9),
            &until,
            &numbering,
            &crate::demo::seed_audit_event("notice.recognise"),
        )
        .await
        .map_err(err)?;
    Ok(store.directory(&query).await.map_err(err)?.1)
}

/// A signed-in session made directly in the database (an operator's tool), as a cookie.
pub async fn session_cookie(store: &Store, account: i64) -> Result<String, String> {
    let token: String = app::accounts::session::random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expires = store::timestamp_text(chrono::Utc::now() + chrono::Duration::hours(6));
    store
        .create_session(
            &app::accounts::session::token_hash(&token),
            account,
            "full",
            &expires,
            "bench",
        )
        .await
        .map_err(err)?;
    Ok(format!(
        "{}={token}",
        app::accounts::session::SESSION_COOKIE
    ))
}
