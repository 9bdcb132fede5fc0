//! Complaints and dashboards over HTTP: rectification reminders, 12315 imports, a complaint from a plaque, the scoped dashboard and its exports.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rectification_reminders_go_out_30_and_7_days_before_the_deadline_once_each() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (id, _) = passed_application(&db, "91110000802100433B").await;
    // Make it a failure instead: a second round that fails, opening a rectification.
    let app = db.application(id).await.unwrap().unwrap();
    let org = app.organisation_id;
    sqlx::query("UPDATE applications SET state = 'county_review' WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await
        .unwrap();
    assert!(db
        .record_panel_result(
            &store::county::NewPanelResult {
                application_id: id,
                round: 2,
                method: "mean",
                score_tenths: 600,
                spread: 0,
                vetoed: false,
                passed: false,
                decided_by: db
                    .account_by_login("91110000802100433B")
                    .await
                    .unwrap()
                    .unwrap()
                    .id,
                rectification: Some(("2026-05-01", "2026-11-01", "[]")),
            },
            &store::audit::AuditEvent::default()
        )
        .await
        .unwrap());
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let messages = || async { db.inbox(-1, Some(org)).await.unwrap().len() };
    // A second server instance: its own pool on the same database.
    let other = store::Store::connect(&db.url, &Default::default())
        .await
        .unwrap();
    server::jobs::hourly(&db, day("2026-09-01")).await;
    assert_eq!(messages().await, 0, "two months before: nothing");
    server::jobs::hourly(&db, day("2026-10-10")).await;
    // Both instances' hourly jobs at once: one message.
    tokio::join!(
        server::jobs::hourly(&db, day("2026-10-11")),
        server::jobs::hourly(&other, day("2026-10-11")),
    );
    assert_eq!(messages().await, 1, "the 30-day reminder, once");
    server::jobs::hourly(&other, day("2026-10-28")).await;
    server::jobs::hourly(&db, day("2026-10-29")).await;
    assert_eq!(messages().await, 2, "and the 7-day one, once");
}

/// A generated 12315 export with deliberate bad rows is refused whole, and its report
/// names every bad row; the same file without them imports; so does an XLSX; a file
/// whose header lacks a required column is refused before any row is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_12315_export_with_bad_rows_is_rejected_whole_and_a_clean_one_imports() {
    let (db, app, office) = as_county_office().await;
    let all = store::complaints::ComplaintFilter::default();

    let mut file = Vec::new();
    let bad_rows = tools::sample::write_sample(&mut file, 1200, true, 7).unwrap();
    assert_eq!(bad_rows.len(), 24);
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &file,
    )
    .await;
    let report_id = to
        .strip_prefix("/complaints/import?error=rejected&report=")
        .unwrap_or_else(|| panic!("{to}"));
    assert_eq!(db.count_complaints(&all).await.unwrap(), 0, "nothing kept");
    let (status, report) = get_body(
        &app,
        &format!("/complaints/imports/{report_id}/report"),
        &office,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let listed: std::collections::BTreeSet<u64> = report
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next()?.parse().ok())
        .collect();
    assert_eq!(
        listed,
        bad_rows.iter().copied().collect(),
        "every bad row, and only those:\n{report}"
    );
    for problem in [
        "不是日期",
        "校验不通过",
        "不是东至县的乡镇",
        "无法识别",
        "不小于0",
        "投诉编号重复",
        "需要办结方式",
    ] {
        assert!(report.contains(problem), "{problem} missing from\n{report}");
    }
    let (_, page) = get_body(
        &app,
        &format!("/complaints/import?report={report_id}"),
        &office,
    )
    .await;
    assert!(
        page.contains("不是东至县的乡镇"),
        "the page lists the problems"
    );

    let mut clean = Vec::new();
    tools::sample::write_sample(&mut clean, 1200, false, 7).unwrap();
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &clean,
    )
    .await;
    assert_eq!(to, "/complaints/import?done=imported");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1200);
    // The same file again: every number is a duplicate, nothing changes.
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.csv",
        &clean,
    )
    .await;
    assert!(to.contains("error=rejected"), "{to}");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1200);

    // XLSX, columns in another order, a date as an Excel date.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "行业",
        "投诉编号",
        "登记日期",
        "被投诉单位",
        "所属乡镇",
        "办理状态",
        "受理日期",
    ];
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 6, 3).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for r in 1..=3u32 {
        sheet.write_string(r, 0, "餐饮住宿").unwrap();
        sheet.write_string(r, 1, format!("X-{r}")).unwrap();
        sheet
            .write_datetime_with_format(r, 2, &date, &format)
            .unwrap();
        sheet.write_string(r, 3, "东至县某饭店").unwrap();
        sheet.write_string(r, 4, "东流镇").unwrap();
        sheet.write_string(r, 5, "调解中").unwrap();
        sheet.write_string(r, 6, "2025-06-04").unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "12315.xlsx",
        &xlsx,
    )
    .await;
    assert_eq!(to, "/complaints/import?done=imported");
    let imported = db
        .find_complaints(
            &store::complaints::ComplaintFilter {
                text: Some("X-2".into()),
                ..Default::default()
            },
            5,
            0,
        )
        .await
        .unwrap();
    assert_eq!(imported.len(), 1);
    assert_eq!(
        (
            imported[0].received_on.as_str(),
            imported[0].area_code.as_str(),
            imported[0].status.code()
        ),
        ("2025-06-03", "341721101", "mediating")
    );

    let to = post_file(
        &app,
        "/complaints/import/upload",
        &office,
        "x.csv",
        "投诉编号,登记日期\n1,2025-01-01\n".as_bytes(),
    )
    .await;
    assert!(to.starts_with("/complaints/import?error=header"), "{to}");
    assert_eq!(db.count_complaints(&all).await.unwrap(), 1203);
}

/// A consumer files against a recognised business from its plaque; the business
/// settles it at its desk; the consumer rates it once through the signed link; the
/// business's satisfaction rate moves from "no data" to 100 %.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_from_a_plaque_reaches_the_desk_and_is_rated_once() {
    let (db, app, _office) = as_county_office().await;
    let (org, token) = recognised_merchant(&db, "91341721MA3R7T8U9K").await;
    let anon = "";
    let to = post_form(
        &app,
        "/complain/file",
        anon,
        &format!("plaque={token}&industry=catering&name=%E5%AD%99%E4%B8%BD&phone=13955667788&summary=%E8%8F%9C%E5%93%81%E4%B8%AD%E5%8F%91%E7%8E%B0%E5%BC%82%E7%89%A9%EF%BC%8C%E8%A6%81%E6%B1%82%E9%80%80%E6%AC%BE%E3%80%82"),
    )
    .await;
    let code = to
        .strip_prefix("/track/")
        .and_then(|s| s.strip_suffix("?done=filed"))
        .unwrap_or_else(|| panic!("{to}"));
    let c = db.complaint_by_code(code).await.unwrap().unwrap();
    assert_eq!(
        (c.status.code(), c.organisation_id, c.channel.as_str()),
        ("negotiating", Some(org.id), "qr")
    );
    // A bad phone is refused with everything kept.
    let to = post_form(
        &app,
        "/complain/file",
        anon,
        &format!("plaque={token}&industry=catering&name=x&phone=123&summary=0123456789ab"),
    )
    .await;
    assert!(
        to.contains("error=phone") && to.contains("summary=0123456789ab"),
        "{to}"
    );

    let applicant = session_for(
        &db,
        db.account_by_login("91341721MA3R7T8U9K")
            .await
            .unwrap()
            .unwrap()
            .id,
        77,
    )
    .await;
    let (_, desk) = get_body(&app, "/desk", &applicant).await;
    assert!(desk.contains("菜品中发现异物"), "the desk lists it");
    let to = post_form(
        &app,
        &format!("/desk/{}", c.id),
        &applicant,
        "action=settle&recovered=-1",
    )
    .await;
    assert!(to.contains("error=amount"), "{to}");
    let to = post_form(
        &app,
        &format!("/desk/{}", c.id),
        &applicant,
        "action=settle&recovered=88.50",
    )
    .await;
    assert!(to.starts_with("/desk?done=settle"), "{to}");
    let (_, tracked) = get_body(&app, &format!("/track/{code}"), anon).await;
    let link = tracked
        .split("/rate/")
        .nth(1)
        .and_then(|s| s.split("/vote").next())
        .unwrap()
        .to_string();
    let mine = store::complaints::ComplaintFilter {
        organisation_id: Some(org.id),
        ..Default::default()
    };
    assert_eq!(
        db.complaint_figures(&mine)
            .await
            .unwrap()
            .counts
            .satisfaction_rate(),
        None
    );
    let to = post_form(
        &app,
        &format!("/rate/{link}/vote"),
        anon,
        "rating=satisfied",
    )
    .await;
    assert!(to.ends_with("?done=thanks"), "{to}");
    let to = post_form(
        &app,
        &format!("/rate/{link}/vote"),
        anon,
        "rating=dissatisfied",
    )
    .await;
    assert!(to.ends_with("?error=already"), "{to}");
    let forged = format!("{}-{}", c.id, "0".repeat(32));
    let to = post_form(
        &app,
        &format!("/rate/{forged}/vote"),
        anon,
        "rating=dissatisfied",
    )
    .await;
    assert!(to.ends_with("?error=state"), "{to}");
    assert_eq!(
        db.complaint_figures(&mine)
            .await
            .unwrap()
            .counts
            .satisfaction_rate(),
        Some(1.0)
    );
}

/// The dashboard: a leader scoped to a township asking for the county gets their
/// township; tables export as CSV with the roll-ups' figures; the change stream sends
/// an event when a complaint is written (here through the store, as another instance
/// would).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_is_scoped_exports_its_tables_and_streams_changes() {
    use futures::StreamExt;
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let st = state(db.store.clone());
    {
        let store = db.store.clone();
        let live = st.app.live.clone();
        tokio::spawn(async move { store.watch_changes(live).await });
    }
    let app = router(st);
    let leader = sessions_for_every_role(&db)
        .await
        .into_iter()
        .find(|(r, _)| *r == Role::Leader)
        .unwrap()
        .1;
    let townships = vec!["341721100".to_string(), "341721101".to_string()];
    let today = app::review::common::today(&db.store).await;
    let plan = testkit::generate::ComplaintPlan {
        first_year: 2024,
        today,
        townships: &townships,
        businesses: &[],
        seed: 5,
    };
    let rows: Vec<_> = (0..400).map(|i| (plan.complaint(i).record, None)).collect();
    db.insert_generated_complaints(&rows).await.unwrap();

    // Scoped to 尧渡镇: the county's ranking is not theirs to see; their units are.
    let (status, _) = get_body(&app, "/dashboard/export/ranking.csv?area=341721", &leader).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, units) = get_body(&app, "/dashboard/export/units.csv", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(units.contains("单位,受理,办结,处理率"), "{units}");
    // The trend's figures are the roll-ups': this year's accepted, month by month.
    let (status, trend) = get_body(&app, "/dashboard/export/trend.csv", &leader).await;
    assert_eq!(status, StatusCode::OK);
    let year = chrono::Datelike::year(&today);
    let accepted_in_csv: u64 = trend
        .lines()
        .filter(|l| l.starts_with(&format!("{year}-")))
        .map(|l| l.split(',').nth(1).unwrap().replace(['"', ','], ""))
        .map(|n| n.parse::<u64>().unwrap_or(0))
        .sum();
    let expected: u64 = rows
        .iter()
        .filter(|(r, _)| r.area_code == "341721100")
        .map(|(r, _)| {
            domain::complaint::counts_of(&r.facts, |d| chrono::Datelike::year(&d) == year).accepted
        })
        .sum();
    assert_eq!(accepted_in_csv, expected, "{trend}");
    let (status, svg) = get_body(&app, "/dashboard/chart/trend.svg", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("<svg") && svg.contains("<title"));
    let (status, xlsx) = get_body(&app, "/dashboard/export/all.xlsx", &leader).await;
    assert_eq!(status, StatusCode::OK);
    assert!(xlsx.starts_with("PK"));

    // The change stream: a greeting, then an event after a write.
    let req = Request::builder()
        .uri("/dashboard/live")
        .header("cookie", &leader)
        .body(Body::empty())
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut body = res.into_body().into_data_stream();
    let hello = body.next().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&hello).contains("retry: 1000"));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mut one = plan.complaint(10_000).record;
    one.number = Some("LIVE-1".into());
    db.insert_generated_complaints(&[(one, None)])
        .await
        .unwrap();
    let event = tokio::time::timeout(std::time::Duration::from_secs(2), body.next())
        .await
        .expect("an event within 2 s")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&event).contains("event: change"));
}
