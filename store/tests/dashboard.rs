//! The dashboards' roll-ups, on SQLite and PostgreSQL alike: after generated data, an
//! import and every kind of handling step (accept, refuse, link, escalate, close, rate,
//! delete), each roll-up equals a recomputation from the raw rows, and every breakdown
//! read from the roll-ups equals the same GROUP BY over the complaints.

use chrono::{Datelike, NaiveDate};
use domain::complaint::{counts_of, Outcome, Rating, RefusalGround};
use domain::rates::ComplaintCounts;
use store::audit::AuditEvent;
use store::dashboard::{By, Slice};
use testkit::fresh_db;
use testkit::generate::{businesses, ComplaintPlan, Rng};

const TODAY: &str = "2026-11-27";

fn today() -> NaiveDate {
    NaiveDate::parse_from_str(TODAY, "%Y-%m-%d").unwrap()
}

async fn generated(db: &store::Store, n: u64, seed: u64) -> Vec<testkit::generate::Generated> {
    let townships: Vec<String> = db
        .area_children(Some("341721"))
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.code)
        .collect();
    let mut rng = Rng::new(seed);
    let list = businesses(&mut rng, "341721", &townships, seed * 1000, 120);
    let ids = testkit::generate::register(db, &list).await.unwrap();
    let plan = ComplaintPlan {
        first_year: 2022,
        today: today(),
        townships: &townships,
        businesses: &list,
        seed,
    };
    let rows: Vec<_> = (0..n).map(|i| plan.complaint(i)).collect();
    let with_ids: Vec<_> = rows
        .iter()
        .map(|g| (g.record.clone(), g.business.map(|k| ids[k])))
        .collect();
    db.insert_generated_complaints(&with_ids).await.unwrap();
    rows
}

async fn assert_exact(db: &store::Store, when: &str) {
    let bad = db.rollup_mismatches().await.unwrap();
    assert!(bad.is_empty(), "{when}: {bad:#?}");
    let slice = Slice {
        area: "341721".into(),
        industry: None,
        from_month: "2022-01".into(),
        to_month: "2026-12".into(),
    };
    for by in [By::Month, By::Area(9), By::Industry] {
        let fast = db.complaint_groups(&slice, by).await.unwrap();
        let naive = db.naive_complaint_groups(&slice, by).await.unwrap();
        assert_eq!(fast, naive, "{when}: {by:?}");
        assert!(!fast.is_empty());
    }
    let retail = Slice {
        industry: Some("retail".into()),
        from_month: "2024-03".into(),
        to_month: "2025-02".into(),
        ..slice
    };
    assert_eq!(
        db.complaint_groups(&retail, By::Area(9)).await.unwrap(),
        db.naive_complaint_groups(&retail, By::Area(9))
            .await
            .unwrap(),
        "{when}: one industry over twelve months"
    );
}

#[tokio::test]
async fn rollups_equal_a_recomputation_after_every_kind_of_write() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let rows = generated(&db, 3000, 3).await;
    assert_exact(&db, "after generating").await;

    // The roll-ups count what `counts_of` counts, year by year.
    let slice = |y: i32| Slice {
        area: "341721".into(),
        industry: None,
        from_month: format!("{y}-01"),
        to_month: format!("{y}-12"),
    };
    for year in [2022, 2024, 2026] {
        let mut expected = ComplaintCounts::default();
        for g in &rows {
            expected.add(&counts_of(&g.record.facts, |d| d.year() == year));
        }
        let mut got = ComplaintCounts::default();
        for g in db
            .complaint_groups(&slice(year), By::Area(6))
            .await
            .unwrap()
        {
            got.add(&g.figures.counts);
        }
        assert_eq!(got, expected, "year {year}");
    }

    // An import (PostgreSQL: one statement per batch; then the organisation link).
    let plan_rows: Vec<_> = {
        let townships = vec!["341721100".to_string(), "341721101".to_string()];
        let plan = ComplaintPlan {
            first_year: 2025,
            today: today(),
            townships: &townships,
            businesses: &[],
            seed: 9,
        };
        (0..700).map(|i| plan.complaint(i).record).collect()
    };
    let mut run = db.begin_import("more.csv", "test", 0).await.unwrap();
    run.add(&plan_rows).await.unwrap();
    run.commit(
        &db,
        plan_rows.len() as i64,
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap();
    assert_exact(&db, "after an import").await;

    // Every handling step, on a sample of open complaints.
    let open = db
        .open_complaints(&store::complaints::ComplaintFilter::default())
        .await
        .unwrap();
    assert!(open.len() > 40, "{} open", open.len());
    let business = businesses(&mut Rng::new(5), "341721", &["341721100".into()], 99_000, 1);
    let org = testkit::generate::register(&db, &business).await.unwrap()[0];

    // A second import into roll-up rows that exist already; a third of its rows name the
    // registered business by credit code and are linked to it as they go in.
    let mut linked = 0;
    let more_rows: Vec<_> = plan_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            r.number = r.number.map(|n| format!("{n}-again"));
            if i % 3 == 0 {
                r.unit_credit_code = Some(business[0].credit_code.clone());
                linked += 1;
            }
            r
        })
        .collect();
    let of_business = store::complaints::ComplaintFilter {
        organisation_id: Some(org),
        ..Default::default()
    };
    let before = db.count_complaints(&of_business).await.unwrap();
    let mut run = db
        .begin_import("again.csv", "test", store::complaints::BULK_ROWS)
        .await
        .unwrap();
    run.add(&more_rows).await.unwrap();
    run.commit(
        &db,
        more_rows.len() as i64,
        &store::audit::AuditEvent::default(),
    )
    .await
    .unwrap();
    let after = db.count_complaints(&of_business).await.unwrap();
    assert_eq!(
        after - before,
        linked,
        "imported rows linked by credit code"
    );
    assert_exact(&db, "after a second import").await;
    for (i, c) in open.iter().enumerate().take(60) {
        let _ = match (c.status.code(), i % 4) {
            ("received", 0) => {
                db.accept_complaint(c.id, TODAY, "t", &AuditEvent::default())
                    .await
            }
            ("received", 1) => {
                db.refuse_complaint(
                    c.id,
                    RefusalGround::NoConsumerDispute,
                    TODAY,
                    "t",
                    &AuditEvent::default(),
                )
                .await
            }
            ("received", _) => {
                db.link_complaint(c.id, org, "t", &AuditEvent::default())
                    .await
            }
            ("negotiating", 0) => {
                db.escalate_complaint(c.id, "t", &AuditEvent::default())
                    .await
            }
            (_, k) => {
                let outcome = [
                    Outcome::Agreement,
                    Outcome::Settlement,
                    Outcome::Withdrawn,
                    Outcome::Terminated,
                ][k];
                let r = db
                    .close_complaint(c.id, outcome, TODAY, 12_300, 0, "t", &AuditEvent::default())
                    .await;
                if r.is_ok() && k != 3 {
                    db.rate_complaint(
                        c.id,
                        [
                            Rating::Satisfied,
                            Rating::Dissatisfied,
                            Rating::BasicallySatisfied,
                        ][k],
                        &AuditEvent::default(),
                    )
                    .await
                    .unwrap();
                }
                r
            }
        };
    }
    assert_exact(&db, "after handling").await;

    // Deleting (a correction by the database administrator) is counted back out.
    sqlx::query("DELETE FROM complaint_events")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM complaints WHERE id % 7 = 0")
        .execute(db.pool())
        .await
        .unwrap();
    assert_exact(&db, "after deleting").await;
}

#[tokio::test]
async fn open_clocks_count_open_complaints_by_their_start() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let rows = generated(&db, 1500, 11).await;
    let open = rows
        .iter()
        .filter(|g| g.record.facts.status.is_open())
        .count() as i64;
    // Everything open is in the totals; the recent part holds only clocks after the day.
    let clocks = db.open_clocks("341721", None, "2000-01-01").await.unwrap();
    let total: i64 = clocks.totals.iter().map(|t| t.1).sum();
    assert_eq!(total, open);
    assert_eq!(clocks.recent.iter().map(|c| c.count).sum::<i64>(), open);
    let after = "2025-06-30";
    let recent_open = rows
        .iter()
        .filter(|g| {
            let f = &g.record.facts;
            let since = if f.status == domain::complaint::Status::Received {
                f.received_on
            } else {
                f.accepted_on.unwrap_or(f.received_on)
            };
            f.status.is_open() && since.to_string().as_str() > after
        })
        .count() as i64;
    let recent = db.open_clocks("341721", None, after).await.unwrap();
    assert!(recent.recent.iter().all(|c| c.since.as_str() > after));
    assert_eq!(
        recent.recent.iter().map(|c| c.count).sum::<i64>(),
        recent_open
    );
    let retail_open = rows
        .iter()
        .filter(|g| g.record.facts.status.is_open() && g.record.industry.code() == "retail")
        .count() as i64;
    let retail = db
        .open_clocks("341721", Some("retail"), "2000-01-01")
        .await
        .unwrap();
    assert_eq!(retail.totals.iter().map(|t| t.1).sum::<i64>(), retail_open);
}

#[tokio::test]
async fn a_write_reaches_the_change_watchers_at_commit() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let (tx, mut rx) = tokio::sync::broadcast::channel(16);
    let watcher = {
        let store = db.store.clone();
        tokio::spawn(async move { store.watch_changes(tx).await })
    };
    // Let the watcher take its starting point (SQLite) or LISTEN (PostgreSQL).
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    while rx.try_recv().is_ok() {}
    let started = std::time::Instant::now();
    generated(&db, 5, 21).await;
    let got = tokio::time::timeout(std::time::Duration::from_secs(2), rx.recv()).await;
    assert!(got.is_ok(), "no change announced within 2 s");
    eprintln!("change seen after {:?}", started.elapsed());
    watcher.abort();
}

#[tokio::test]
async fn a_townships_busiest_units_come_from_the_unit_roll_up() {
    let db = fresh_db().await;
    db.seed_reference_data().await.unwrap();
    let rows = generated(&db, 2500, 5).await;
    // The busiest township in 2025, and its units recomputed from the generated rows.
    let in_2025 = |g: &&testkit::generate::Generated| {
        g.record.facts.accepted_on.is_some_and(|d| d.year() == 2025)
            && g.record.facts.status.is_accepted()
    };
    let mut by_township: std::collections::BTreeMap<&str, u64> = Default::default();
    for g in rows.iter().filter(in_2025) {
        *by_township.entry(g.record.area_code.as_str()).or_default() += 1;
    }
    let township = by_township
        .iter()
        .max_by_key(|(code, n)| (**n, std::cmp::Reverse(**code)))
        .map(|(code, _)| code.to_string())
        .unwrap();
    let mut expected: std::collections::BTreeMap<Option<usize>, ComplaintCounts> =
        Default::default();
    for g in rows
        .iter()
        .filter(in_2025)
        .filter(|g| g.record.area_code == township)
    {
        expected
            .entry(g.business)
            .or_default()
            .add(&counts_of(&g.record.facts, |_| true));
    }
    let units = db.unit_groups(&township, None, 2025, 5).await.unwrap();
    assert_eq!(units.len(), expected.len().min(5));
    let mut accepted: Vec<u64> = expected.values().map(|c| c.accepted).collect();
    accepted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(
        units
            .iter()
            .map(|u| u.figures.counts.accepted)
            .collect::<Vec<_>>(),
        accepted[..units.len()].to_vec(),
        "busiest first"
    );
    for u in &units {
        let business = expected
            .iter()
            .find(|(b, c)| **c == u.figures.counts && (u.organisation_id == 0) == b.is_none())
            .map(|(b, _)| *b);
        assert!(business.is_some(), "no generated unit has {u:?}");
        assert_eq!(u.name.is_empty(), u.organisation_id == 0, "{u:?}");
    }
}
