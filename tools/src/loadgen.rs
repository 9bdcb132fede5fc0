//! `fangxin-tools bench-http`: the public directory's server-rendered page of 50 units, read
//! from the database, against the same server sending a static file of the same bytes:
//! throughput and latency with every connection busy, then p99 at half the page's
//! maximum rate (requests sent on a fixed schedule, so a slow answer cannot hold the
//! next one back and hide its own delay), and the server's memory under that load.
//! A benchmark: it prints numbers and asserts nothing.

use crate::cli::BenchHttpArgs;
use domain::application::Step;
use std::time::{Duration, Instant};
use store::Store;

use crate::bench::{err, percentile};
pub use crate::fixtures::{
    bench_staff, ensure_recognised_units, merchant_with_draft, session_cookie,
};

/// What one run against one address measured.
pub struct Run {
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn summarise(us: Vec<u64>, errors: usize, elapsed: Duration) -> Run {
    let mut ms: Vec<f64> = us.iter().map(|u| *u as f64 / 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    Run {
        requests: ms.len(),
        errors,
        per_second: ms.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: percentile(&ms, 0.5),
        p99_ms: percentile(&ms, 0.99),
    }
}

async fn get(client: &reqwest::Client, url: &str) -> bool {
    answered(client.get(url).send().await).await
}

/// A 2xx answer whose body arrived whole.
async fn answered(res: reqwest::Result<reqwest::Response>) -> bool {
    match res {
        Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
        _ => false,
    }
}

/// Every connection sends its next request as soon as the last is answered. With
/// `each_new`, every request adds a query parameter never seen before (which the page
/// ignores), so no kept copy can answer it: the page is rendered from the database each
/// time.
pub async fn closed_loop(url: &str, connections: usize, seconds: u64, each_new: bool) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("an HTTP client");
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let url_for = move |base: &str| {
        if each_new {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let sep = if base.contains('?') { '&' } else { '?' };
            format!("{base}{sep}bench={n}")
        } else {
            base.to_string()
        }
    };
    // Warm the connections and the server's caches first.
    for _ in 0..connections {
        get(&client, &url_for(url)).await;
    }
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, url_for) = (client.clone(), url.to_string(), url_for.clone());
            tokio::spawn(async move {
                let (mut us, mut errors) = (Vec::new(), 0);
                while Instant::now() < until {
                    let t = Instant::now();
                    if get(&client, &url_for(&url)).await {
                        us.push(t.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (us, errors)
            })
        })
        .collect();
    let (mut us, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (u, e) = t.await.expect("a load task");
        us.extend(u);
        errors += e;
    }
    summarise(us, errors, started.elapsed())
}

/// Requests leave on a fixed schedule of `rate` per second whatever the answers do,
/// over at most `connections` connections at once (as wrk2 does): a request whose turn
/// comes while all are busy waits for one, and each latency counts from when its request
/// was due, so a server that falls behind shows it in the p99 (no coordinated omission).
/// Without the bound a slow moment opened thousands of connections at once, and the run
/// measured the flood instead of the server.
pub async fn open_loop(url: &str, rate: f64, seconds: u64, connections: usize) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("an HTTP client");
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(connections.max(1)));
    let gap = Duration::from_secs_f64(1.0 / rate.max(1.0));
    let n = (rate * seconds as f64) as u32;
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(n as usize);
    for i in 0..n {
        let due = started + gap * i;
        tokio::time::sleep_until(due.into()).await;
        let (client, url, slots) = (client.clone(), url.to_string(), slots.clone());
        tasks.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.ok()?;
            get(&client, &url)
                .await
                .then(|| due.elapsed().as_micros() as u64)
        }));
    }
    let (mut us, mut errors) = (Vec::new(), 0);
    for t in tasks {
        match t.await.expect("a load task") {
            Some(u) => us.push(u),
            None => errors += 1,
        }
    }
    summarise(us, errors, started.elapsed())
}

/// Resident memory of a process in MB: (now, peak), from /proc.
pub fn rss_mb(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = |key: &str| -> Option<f64> {
        status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((kb("VmRSS:")? / 1024.0, kb("VmHWM:")? / 1024.0))
}

/// Bytes (brotli) of every .js and .wasm file a page names, as a visitor's browser
/// would fetch them on first visit.
async fn script_bytes(base: &str, html: &str) -> Result<usize, String> {
    let client = reqwest::Client::new();
    let mut total = 0;
    let mut seen = std::collections::HashSet::new();
    for part in html.split(['"', '\'']) {
        let is_code = part.starts_with('/') && (part.ends_with(".js") || part.ends_with(".wasm"));
        if is_code && seen.insert(part.to_string()) {
            let body = client
                .get(format!("{base}{part}"))
                .header("accept-encoding", "br")
                .send()
                .await
                .map_err(err)?
                .bytes()
                .await
                .map_err(err)?;
            total += body.len();
        }
    }
    Ok(total)
}

pub async fn bench_http(
    store: &Store,
    objects: &store::objects::ObjectStore,
    a: &BenchHttpArgs,
) -> Result<(), String> {
    let units = ensure_recognised_units(store, objects, a.units).await?;
    let base = a.url.trim_end_matches('/');
    let page_url = format!("{base}/units?per={}", a.units.min(50));
    let page = reqwest::get(&page_url)
        .await
        .map_err(err)?
        .bytes()
        .await
        .map_err(err)?;
    let listed = String::from_utf8_lossy(&page)
        .matches("href=\"/units/")
        .count();
    // The same bytes as a file under the site root, served by the same server.
    std::fs::create_dir_all(&a.site_root).map_err(err)?;
    std::fs::write(a.site_root.join("bench-static.html"), &page).map_err(err)?;
    let static_url = format!("{base}/bench-static.html");
    let same = reqwest::get(&static_url)
        .await
        .map_err(err)?
        .bytes()
        .await
        .map_err(err)?;
    if same.len() != page.len() {
        return Err(format!(
            "{static_url} is not the copy ({} bytes, the page {} bytes): is --site-root the server's?",
            same.len(),
            page.len()
        ));
    }
    // What a visitor's browser downloads besides the page: scripts and WASM, brotli.
    let mut code_bytes = 0;
    for path in ["/", "/units"] {
        let html = reqwest::get(format!("{base}{path}"))
            .await
            .map_err(err)?
            .text()
            .await
            .map_err(err)?;
        code_bytes = code_bytes.max(script_bytes(base, &html).await?);
    }
    println!(
        "fangxin-tools bench-http: {} database, {units} recognised units; {page_url}: {} units listed, {} bytes; \
         {} connections, {} s per run",
        store.backend().name(),
        listed,
        page.len(),
        a.connections,
        a.seconds
    );
    let rss_idle = a.pid.and_then(rss_mb);
    let ssr = closed_loop(&page_url, a.connections, a.seconds, false).await;
    let rendered = closed_loop(&page_url, a.connections, a.seconds, true).await;
    let file = closed_loop(&static_url, a.connections, a.seconds, false).await;
    let half = open_loop(&page_url, ssr.per_second / 2.0, a.seconds, a.connections).await;
    let rss = a.pid.and_then(rss_mb);
    println!(
        "{:<46} {:>9} {:>8} {:>9} {:>9} {:>7}",
        "run", "requests", "errors", "req/s", "p50 ms", "p99 ms"
    );
    for (name, r) in [
        ("directory page, 50 units (SSR), max rate", &ssr),
        ("  the same, rendered anew for every request", &rendered),
        ("static file of the same bytes, max rate", &file),
        ("directory page at half its max rate", &half),
    ] {
        println!(
            "{name:<46} {:>9} {:>8} {:>9.0} {:>9.2} {:>7.2}",
            r.requests, r.errors, r.per_second, r.p50_ms, r.p99_ms
        );
    }
    if let (Some((idle, _)), Some((now, peak))) = (rss_idle, rss) {
        println!("server memory: {idle:.1} MB idle, {now:.1} MB after the runs, {peak:.1} MB peak");
        println!("RESULT rss_idle_mb {idle:.1}");
        println!("RESULT rss_peak_mb {peak:.1}");
    }
    println!("RESULT public_code_br_bytes {code_bytes}");
    println!("RESULT ssr_rps {:.0}", ssr.per_second);
    println!("RESULT ssr_p99_ms {:.2}", ssr.p99_ms);
    println!("RESULT ssr_uncached_rps {:.0}", rendered.per_second);
    println!("RESULT ssr_uncached_p99_ms {:.2}", rendered.p99_ms);
    println!("RESULT static_rps {:.0}", file.per_second);
    println!("RESULT static_p99_ms {:.2}", file.p99_ms);
    println!("RESULT half_rate_rps {:.0}", half.per_second);
    println!("RESULT half_rate_p99_ms {:.2}", half.p99_ms);
    println!(
        "RESULT http_errors {}",
        ssr.errors + rendered.errors + file.errors + half.errors
    );
    Ok(())
}

/// A merchant filling in the wizard: one draft, saved by one person at a time.
struct Drafter {
    application: i64,
    cookie: String,
    identity: Vec<(String, String)>,
    /// The last save the server acknowledged, and the last one sent.
    acked: u64,
    sent: u64,
}

/// The contact person's name carries the save's number, to check afterwards.
const SAVED_FIELD: &str = "contact_name";

async fn drafters(store: &Store, n: usize) -> Result<Vec<Drafter>, String> {
    let county = domain::application::COUNTY;
    let batch = store
        .open_batch(county)
        .await
        .map_err(err)?
        .ok_or("no open batch")?;
    let set = store
        .indicator_set(batch.id, "unit")
        .await
        .map_err(err)?
        .ok_or("no indicator set")?;
    let run = chrono::Utc::now().timestamp() % 100_000;
    let mut out = Vec::new();
    for i in 0..n {
        let prefix = format!("91341721MC{run:05}{i:02}");
        let check = domain::uscc::check_character(prefix.as_bytes()).ok_or("a credit code")?;
        let code = format!("{prefix}{check}");
        let name = format!("东至县负载测试商户{run}-{i}");
        let (account, application, draft) =
            merchant_with_draft(store, &code, &name, "341721100", &set, Step::Identity).await?;
        let identity = draft
            .sections
            .get("identity")
            .map(|s| {
                s.iter()
                    .filter(|(k, _)| !k.starts_with('_') && k.as_str() != SAVED_FIELD)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        out.push(Drafter {
            application,
            cookie: session_cookie(store, account).await?,
            identity,
            acked: 0,
            sent: 0,
        });
    }
    Ok(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    PublicRead,
    Autosave,
    Dashboard,
    Complaint,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::PublicRead => "public reads (/, /units, a unit, notices)",
            Kind::Autosave => "wizard autosaves",
            Kind::Dashboard => "dashboard views (leader)",
            Kind::Complaint => "complaints filed (public form)",
        }
    }
}

/// Mixed traffic on a fixed schedule: public reads, wizard autosaves, dashboard views
/// and complaints from the public form (kept under its limit of five a minute per
/// address). Afterwards every acknowledged autosave must be in the database.
pub async fn bench_load(
    store: &Store,
    objects: &store::objects::ObjectStore,
    a: &crate::cli::BenchLoadArgs,
) -> Result<(), String> {
    use std::sync::{Arc, Mutex};
    let base = a.url.trim_end_matches('/').to_string();
    ensure_recognised_units(store, objects, 50).await?;
    let today = app::review::common::today(store).await;
    let units: Vec<i64> = store
        .directory(&store::county::DirectoryQuery {
            today: today.format("%Y-%m-%d").to_string(),
            limit: 50,
            ..Default::default()
        })
        .await
        .map_err(err)?
        .0
        .into_iter()
        .map(|r| r.id)
        .collect();
    let leader = bench_staff(store, "bench-leader", "leader").await?;
    let leader = session_cookie(store, leader).await?;
    let idle: Arc<Mutex<Vec<Drafter>>> = Arc::new(Mutex::new(drafters(store, 64).await?));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(err)?;
    let gap = Duration::from_secs_f64(1.0 / a.rate.max(0.1));
    let total = (a.rate * a.seconds as f64) as u64;
    // Four complaints a minute, under the form's limit of five per address.
    let complaint_every = ((a.rate * 15.0) as u64).max(1);
    println!(
        "fangxin-tools bench-load: {} database, {base}, {:.0} requests/s for {} s ({total} requests): \
         70% public reads, 20% autosaves, 10% dashboard views, 4 complaints a minute",
        store.backend().name(),
        a.rate,
        a.seconds
    );
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = started + gap * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let kind = if i % complaint_every == complaint_every - 1 {
            Kind::Complaint
        } else {
            match i % 10 {
                0 | 1 => Kind::Autosave,
                2 => Kind::Dashboard,
                _ => Kind::PublicRead,
            }
        };
        let (client, base, leader) = (client.clone(), base.clone(), leader.clone());
        let idle = idle.clone();
        let unit = units.get(i as usize % units.len().max(1)).copied();
        tasks.push(tokio::spawn(async move {
            let ok = match kind {
                Kind::PublicRead => {
                    let path = match (i / 10) % 4 {
                        0 => "/".to_string(),
                        1 => "/units".to_string(),
                        2 => unit
                            .map(|u| format!("/units/{u}"))
                            .unwrap_or("/units".into()),
                        _ => "/notice".to_string(),
                    };
                    get(&client, &format!("{base}{path}")).await
                }
                Kind::Dashboard => {
                    let res = client
                        .get(format!("{base}/dashboard"))
                        .header("cookie", &leader)
                        .send()
                        .await;
                    answered(res).await
                }
                Kind::Complaint => {
                    let form = [
                        ("unit_name", "东至县尧渡镇某某超市"),
                        ("township", "341721100"),
                        ("industry", "retail"),
                        ("name", "李女士"),
                        ("phone", "13912345678"),
                        ("summary", "购买的食品已过保质期，商家拒绝退换。"),
                        ("demand", "退货退款"),
                    ];
                    match client
                        .post(format!("{base}/complain/file"))
                        .header("sec-fetch-site", "same-origin")
                        .form(&form)
                        .send()
                        .await
                    {
                        Ok(r) => {
                            let to = r
                                .headers()
                                .get("location")
                                .and_then(|l| l.to_str().ok())
                                .unwrap_or_default();
                            r.status().is_redirection() && !to.contains("error=")
                        }
                        Err(_) => false,
                    }
                }
                Kind::Autosave => {
                    let taken = idle.lock().expect("drafts").pop();
                    match taken {
                        // Every merchant is mid-save: a real one would not save twice at once.
                        None => true,
                        Some(mut d) => {
                            d.sent += 1;
                            let mut form = d.identity.clone();
                            form.push(("step".into(), "identity".into()));
                            form.push((SAVED_FIELD.into(), format!("联系人{}", d.sent)));
                            let res = client
                                .post(format!("{base}/apply/{}/save", d.application))
                                .header("cookie", &d.cookie)
                                .header("sec-fetch-site", "same-origin")
                                .header("accept", "application/json")
                                .form(&form)
                                .send()
                                .await;
                            let ok = answered(res).await;
                            if ok {
                                d.acked = d.sent;
                            }
                            idle.lock().expect("drafts").insert(0, d);
                            ok
                        }
                    }
                }
            };
            (kind, ok, due.elapsed().as_micros() as u64, due - started)
        }));
    }
    let mut by_kind: std::collections::BTreeMap<Kind, (Vec<u64>, usize)> = Default::default();
    let mut all = Vec::new();
    let mut errors_at: Vec<f64> = Vec::new();
    for t in tasks {
        let (kind, ok, us, at) = t.await.map_err(err)?;
        let entry = by_kind.entry(kind).or_default();
        if ok {
            entry.0.push(us);
            all.push(us);
        } else {
            entry.1 += 1;
            errors_at.push(at.as_secs_f64());
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{:<44} {:>9} {:>7} {:>9} {:>9}",
        "traffic", "answered", "errors", "p50 ms", "p99 ms"
    );
    let mut errors = 0;
    for (kind, (us, e)) in by_kind {
        let r = summarise(us, e, elapsed);
        errors += e;
        println!(
            "{:<44} {:>9} {:>7} {:>9.2} {:>9.2}",
            kind.name(),
            r.requests,
            r.errors,
            r.p50_ms,
            r.p99_ms
        );
    }
    let overall = summarise(all, errors, elapsed);
    println!(
        "{:<44} {:>9} {:>7} {:>9.2} {:>9.2}",
        "all", overall.requests, errors, overall.p50_ms, overall.p99_ms
    );
    if let (Some(first), Some(last)) = (errors_at.first(), errors_at.last()) {
        println!("errors between {first:.1} s and {last:.1} s into the run");
        println!("RESULT load_last_error_s {last:.1}");
    }
    // Every acknowledged save is there (a save sent but not acknowledged may or may not be).
    let drafts = std::mem::take(&mut *idle.lock().expect("drafts"));
    let mut lost = 0;
    for d in &drafts {
        let app = store
            .application(d.application)
            .await
            .map_err(err)?
            .ok_or("a draft vanished")?;
        let stored: u64 = domain::application::Draft::from_json(&app.data)
            .value(domain::application::Step::Identity, SAVED_FIELD)
            .trim_start_matches("联系人")
            .parse()
            .unwrap_or(0);
        if stored < d.acked || stored > d.sent {
            lost += 1;
            println!(
                "LOST: application {} acknowledged save {} but holds {stored}",
                d.application, d.acked
            );
        }
    }
    let acked: u64 = drafts.iter().map(|d| d.acked).sum();
    println!(
        "{acked} acknowledged autosaves on {} drafts checked in the database: {lost} lost",
        drafts.len()
    );
    if let Some((now, peak)) = a.pid.and_then(rss_mb) {
        println!("server memory: {now:.1} MB now, {peak:.1} MB peak");
        println!("RESULT load_rss_peak_mb {peak:.1}");
    }
    println!("RESULT load_requests {}", overall.requests + errors);
    println!("RESULT load_errors {errors}");
    println!("RESULT load_p99_ms {:.2}", overall.p99_ms);
    println!("RESULT load_lost_writes {lost}");
    if lost > 0 {
        return Err(format!("{lost} acknowledged writes are missing"));
    }
    Ok(())
}
