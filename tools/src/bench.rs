//! Operator commands for data at scale: `generate` (realistic data for benchmarks and
//! demos), `bench-dashboard` (each dashboard query's latency next to the naive GROUP
//! BY) and `bench-live` (how long a change takes to reach a dashboard on another server
//! instance). Benchmarks print numbers; they assert nothing.

use crate::cli::{BenchDashboardArgs, BenchLiveArgs, GenerateArgs};
use app::accounts::CurrentUser;
use chrono::Datelike;
use std::time::{Duration, Instant};
use store::dashboard::{By, Slice};
use store::Store;
use testkit::generate::{businesses, ComplaintPlan, Rng};

pub(crate) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Complaints per transaction while generating.
const GENERATE_CHUNK: u64 = 20_000;

pub async fn generate(store: &Store, a: &GenerateArgs) -> Result<(), String> {
    let started = Instant::now();
    let county = domain::application::COUNTY;
    let townships: Vec<String> = store
        .area_children(Some(county))
        .await
        .map_err(err)?
        .into_iter()
        .map(|t| t.code)
        .collect();
    let today = app::review::common::today(store).await;
    let mut rng = Rng::new(a.seed);
    let mut list = Vec::new();
    let mut ids = Vec::new();
    let mut first = a.seed * 10_000_000;
    while (list.len() as u64) < a.organisations {
        let n = (a.organisations - list.len() as u64).min(10_000);
        let part = businesses(&mut rng, county, &townships, first, n);
        first += n;
        ids.extend(
            testkit::generate::register(store, &part)
                .await
                .map_err(err)?,
        );
        list.extend(part);
    }
    println!(
        "fangxin: {} businesses in {} townships ({:.1} s)",
        list.len(),
        townships.len(),
        started.elapsed().as_secs_f64()
    );
    let plan = ComplaintPlan {
        first_year: a.first_year.unwrap_or(today.year() - 5),
        today,
        townships: &townships,
        businesses: &list,
        seed: a.seed,
    };
    let t0 = Instant::now();
    let mut done = 0u64;
    while done < a.complaints {
        let n = (a.complaints - done).min(GENERATE_CHUNK);
        let rows: Vec<_> = (done..done + n)
            .map(|i| {
                let g = plan.complaint(i);
                (g.record, g.business.map(|k| ids[k]))
            })
            .collect();
        store
            .insert_generated_complaints(&rows)
            .await
            .map_err(err)?;
        done += n;
        if done.is_multiple_of(500_000) || done == a.complaints {
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "fangxin: {done} complaints ({:.0} rows/s, {:.0} s)",
                done as f64 / secs,
                secs
            );
        }
    }
    Ok(())
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `f` `runs` times (after one warm-up) and returns (p50, p95) in milliseconds.
async fn time<F, Fut, T>(runs: usize, mut f: F) -> Result<(f64, f64), String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    f().await?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok((percentile(&ms, 0.5), percentile(&ms, 0.95)))
}

pub async fn bench_dashboard(store: &Store, a: &BenchDashboardArgs) -> Result<(), String> {
    let complaints = store
        .count_complaints(&store::complaints::ComplaintFilter::default())
        .await
        .map_err(err)?;
    let today = app::review::common::today(store).await;
    let year = today.year();
    let area = a.area.clone();
    let leader = CurrentUser {
        account_id: 0,
        login: "bench".into(),
        display_name: "bench".into(),
        role: domain::Role::Leader,
        area_code: area.clone(),
        stage: app::accounts::Stage::Full,
        totp_enrolled: true,
        token_hash: String::new(),
    };
    let period = domain::dashboard::Period::of(year, today);
    let calendar = app::review::common::calendar(store)
        .await
        .map_err(|e| format!("{e:?}"))?;
    let window = domain::dashboard::overdue_window(&calendar, today).to_string();
    let slice = |from: String, to: String| Slice {
        area: area.clone(),
        industry: None,
        from_month: from,
        to_month: to,
    };
    let last12 = {
        let from = today - chrono::Duration::days(365);
        slice(
            from.format("%Y-%m").to_string(),
            today.format("%Y-%m").to_string(),
        )
    };
    let six_years = slice(format!("{}-01", year - 5), period.to_month.clone());
    let child = if area.len() == 6 { 9 } else { area.len() + 2 };
    println!(
        "fangxin-tools bench-dashboard: {} database, {complaints} complaints, area {area}, {} runs each (after a warm-up)",
        store.backend().name(),
        a.runs
    );
    println!("{:<44} {:>10} {:>10}", "query", "p50 ms", "p95 ms");
    let line = |name: &str, (p50, p95): (f64, f64)| {
        println!("{name:<44} {p50:>10.2} {p95:>10.2}");
    };
    let cases: Vec<(&str, Slice, By)> = vec![
        ("trend: six years by month", six_years.clone(), By::Month),
        ("last 12 months by month", last12.clone(), By::Month),
        (
            "ranking: this year by township",
            slice(period.from_month.clone(), period.to_month.clone()),
            By::Area(child),
        ),
        (
            "this year by industry",
            slice(period.from_month.clone(), period.to_month.clone()),
            By::Industry,
        ),
    ];
    // The slowest query of each kind, for the benchmark table (scripts/bench.sh).
    let mut slowest_rollup: f64 = 0.0;
    for (name, s, by) in &cases {
        let (p50, p95) = time(a.runs, || async {
            store.complaint_groups(s, *by).await.map_err(err)
        })
        .await?;
        slowest_rollup = slowest_rollup.max(p95);
        line(&format!("roll-up   {name}"), (p50, p95));
    }
    line(
        "roll-up   open clocks (overdue)",
        time(a.runs, || async {
            store.open_clocks(&area, None, &window).await.map_err(err)
        })
        .await?,
    );
    let township = store
        .area_children(Some(&area))
        .await
        .map_err(err)?
        .into_iter()
        .next()
        .map(|t| t.code);
    if let Some(t) = &township {
        line(
            "roll-up   units of one township, this year",
            time(a.runs, || async {
                store.unit_groups(t, None, year, 50).await.map_err(err)
            })
            .await?,
        );
    }
    let whole = |area: Option<String>| {
        let leader = &leader;
        async move {
            let query = app::dashboard::DashboardQuery {
                area,
                ..Default::default()
            };
            app::dashboard::build::view(store, leader, &query, domain::Locale::ZhCn)
                .await
                .map_err(|e| format!("{e:?}"))
        }
    };
    let whole_county = time(a.runs, || whole(None)).await?;
    line("whole dashboard (server function body)", whole_county);
    if let Some(t) = &township {
        line(
            "whole dashboard of one township, with units",
            time(a.runs, || whole(Some(t.clone()))).await?,
        );
    }
    println!("RESULT rollup_p95_ms {slowest_rollup:.2}");
    println!("RESULT whole_p95_ms {:.2}", whole_county.1);
    if !a.skip_naive {
        let naive_runs = a.naive_runs.max(1);
        let mut slowest_naive: f64 = 0.0;
        for (name, s, by) in &cases {
            let (p50, p95) = time(naive_runs, || async {
                store.naive_complaint_groups(s, *by).await.map_err(err)
            })
            .await?;
            slowest_naive = slowest_naive.max(p95);
            line(&format!("naive     {name}"), (p50, p95));
        }
        println!("RESULT naive_p95_ms {slowest_naive:.2}");
    }
    Ok(())
}

/// Measures how long a committed change takes to reach a dashboard's change stream on
/// a server instance (`--url`), written by this process: another instance's write, as
/// far as that server knows.
pub async fn bench_live(store: &Store, a: &BenchLiveArgs) -> Result<(), String> {
    // A leader's session, made directly in the database (this is an operator's tool).
    let account = crate::loadgen::bench_staff(store, "bench-leader", "leader").await?;
    let cookie = crate::loadgen::session_cookie(store, account).await?;
    // Not following redirects: without a session the server sends the login page, which
    // must not pass for a change stream.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(err)?;
    let mut stream = client
        .get(format!("{}/dashboard/live", a.url.trim_end_matches('/')))
        .header("Cookie", cookie)
        .send()
        .await
        .map_err(err)?;
    let is_stream = stream
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !stream.status().is_success() || !is_stream {
        return Err(format!(
            "the change stream answered {} ({:?})",
            stream.status(),
            stream.headers().get(reqwest::header::CONTENT_TYPE)
        ));
    }
    // The first chunk is the greeting.
    tokio::time::timeout(Duration::from_secs(5), stream.chunk())
        .await
        .map_err(|_| "no greeting from the change stream".to_string())?
        .map_err(err)?;
    let townships = vec!["341721100".to_string()];
    let plan = ComplaintPlan {
        first_year: 2026,
        today: app::review::common::today(store).await,
        townships: &townships,
        businesses: &[],
        seed: 0xB0B,
    };
    let mut ms = Vec::new();
    let base = Instant::now().elapsed().as_nanos() as u64;
    for i in 0..a.runs {
        let mut row = plan.complaint(base + i as u64).record;
        row.number = Some(format!("LIVE-{}-{i}", std::process::id()));
        let t = Instant::now();
        store
            .insert_generated_complaints(&[(row, None)])
            .await
            .map_err(err)?;
        loop {
            let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk())
                .await
                .map_err(|_| "no change event within 5 s".to_string())?
                .map_err(err)?
                .ok_or("the change stream ended")?;
            if String::from_utf8_lossy(&chunk).contains("event: change") {
                break;
            }
        }
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "fangxin-tools bench-live: {} database, write here → event at {}: {} changes, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        store.backend().name(),
        a.url,
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.95),
        ms.last().copied().unwrap_or(f64::NAN)
    );
    println!("RESULT live_p50_ms {:.1}", percentile(&ms, 0.5));
    println!("RESULT live_p95_ms {:.1}", percentile(&ms, 0.95));
    Ok(())
}
