//! Faults, with the real binary: the server is killed with SIGKILL in the middle of 200
//! concurrent wizard autosaves and submissions. After a restart every acknowledged
//! write is there, nothing unacknowledged is half there, and the database passes its
//! integrity check. Runs on SQLite and PostgreSQL (`FANGXIN_TEST_DB`).

mod common;

use domain::application::{self as form, FieldKind, Step};
use domain::Category;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use testkit::fresh_db;

/// Clients writing at once: half autosave without end, half save a few times and submit.
const CLIENTS: usize = 200;
/// The server is killed once this many writes, of them this many submissions, have
/// been acknowledged: mid-stream, with submissions both behind and still ahead.
const KILL_AFTER_ACKS: usize = 1_000;
const KILL_AFTER_SUBMISSIONS: usize = 20;

struct Server {
    child: Child,
    base: String,
}

impl Server {
    /// Starts `fangxin serve` on a free port and waits until /healthz answers.
    async fn start(database_url: &str, data_dir: &std::path::Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_fangxin"))
            .env_remove("DATABASE_URL")
            .env("FANGXIN_LOG", "error")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--database-url", database_url, "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("--site-root")
            .arg(data_dir.join("site"))
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            if let Ok(r) = http.get(format!("{base}/healthz")).send().await {
                if r.status().is_success() {
                    break;
                }
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not come up"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base }
    }

    /// SIGKILL: no shutdown hook runs, no buffer is flushed.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// One applicant organisation with its application and a signed-in session.
struct Client {
    application: i64,
    cookie: String,
    /// Saves this many times, then submits; None: autosaves until the server dies.
    submit_after: Option<u32>,
    /// The identity step as the wizard posts it (a save replaces the whole step).
    identity: Vec<(String, String)>,
}

#[derive(Default)]
struct Acknowledged {
    /// The last autosaved value the server confirmed (0: none).
    last_save: u32,
    submitted: bool,
}

async fn prepare(db: &testkit::TestDb, data_dir: &std::path::Path) -> Vec<Client> {
    db.seed_reference_data().await.unwrap();
    let batch = db.open_batch("341721").await.unwrap().unwrap().id;
    let set = db.indicator_set(batch, "unit").await.unwrap().unwrap();
    let objects = store::objects::ObjectStore::LocalDir(data_dir.join("objects"));
    let licence = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
    let key = objects.put(licence).await.unwrap();
    let mut clients = Vec::new();
    for i in 0..CLIENTS {
        let base = format!("91341721MA{i:07}");
        let code = format!(
            "{base}{}",
            domain::uscc::check_character(base.as_bytes()).unwrap()
        );
        let submits = i % 2 == 1;
        // Submitters start from a complete draft; autosavers from the first step.
        let reached = if submits {
            Step::Review
        } else {
            Step::Identity
        };
        let (account, application, draft) = tools::loadgen::merchant_with_draft(
            db,
            &code,
            &format!("故障测试商户{i}"),
            "341721100",
            &set,
            reached,
        )
        .await
        .unwrap();
        if submits {
            db.add_evidence(
                &store::evidence::NewEvidence {
                    application_id: application,
                    slot: form::LICENCE_SLOT,
                    object_key: &key,
                    media_type: "application/pdf",
                    size_bytes: licence.len() as i64,
                    original_name: "营业执照.pdf",
                    uploaded_by: account,
                },
                &store::audit::AuditEvent::default(),
            )
            .await
            .unwrap();
        }
        let cookie = common::session_for(db, account, i as u32).await;
        let identity = draft
            .sections
            .get(Step::Identity.code())
            .map(|s| {
                s.iter()
                    .filter(|(k, _)| !k.starts_with('_'))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        clients.push(Client {
            application,
            cookie,
            submit_after: submits.then_some(1 + (i as u32 / 2) % 12),
            identity,
        });
    }
    clients
}

/// The identity field every client autosaves: the contact person's name.
fn saved_field() -> &'static str {
    form::fields(Category::Unit, Step::Identity)
        .into_iter()
        .find(|f| f.name == "contact_name" && matches!(f.kind, FieldKind::Text { .. }))
        .expect("the identity step has a contact name")
        .name
}

async fn post(
    http: &reqwest::Client,
    base: &str,
    cookie: &str,
    path: &str,
    form: &[(String, String)],
) -> Option<serde_json::Value> {
    let res = http
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .form(form)
        .send()
        .await
        .ok()?;
    if !res.status().is_success() {
        return None;
    }
    serde_json::from_str(&res.text().await.ok()?).ok()
}

/// The identity step with the contact person's name set to `value`.
fn identity_form(identity: &[(String, String)], field: &str, value: &str) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = identity
        .iter()
        .filter(|(k, _)| k != field)
        .cloned()
        .collect();
    form.push(("step".into(), "identity".into()));
    form.push((field.to_string(), value.to_string()));
    form
}

/// Writes until the server stops answering; returns what the server acknowledged.
async fn write_until_killed(
    base: String,
    client: Client,
    acks: Arc<AtomicUsize>,
    submissions: Arc<AtomicUsize>,
) -> (i64, Acknowledged) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let field = saved_field();
    let mut done = Acknowledged::default();
    let mut n = 0;
    loop {
        n += 1;
        let path = format!("/apply/{}/save", client.application);
        let form = identity_form(&client.identity, field, &format!("联系人{n}"));
        let Some(reply) = post(&http, &base, &client.cookie, &path, &form).await else {
            break;
        };
        done.last_save = n;
        acks.fetch_add(1, Ordering::SeqCst);
        if client.submit_after == Some(n) {
            let revision = reply["revision"].as_i64().unwrap();
            let path = format!("/apply/{}/submit", client.application);
            let form = [("revision".to_string(), revision.to_string())];
            match post(&http, &base, &client.cookie, &path, &form).await {
                Some(to) => {
                    let to = to.as_str().unwrap_or_default().to_string();
                    assert!(to.ends_with("submitted=1"), "submission refused: {to}");
                    done.submitted = true;
                    acks.fetch_add(1, Ordering::SeqCst);
                    submissions.fetch_add(1, Ordering::SeqCst);
                }
                None => break,
            }
            break;
        }
    }
    (client.application, done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_killed_during_200_concurrent_autosaves_and_submissions_keeps_every_acknowledged_write(
) {
    let db = fresh_db().await;
    let data = tempfile::tempdir().unwrap();
    let clients = prepare(&db, data.path()).await;
    let server = Server::start(&db.url, data.path()).await;
    let acks = Arc::new(AtomicUsize::new(0));
    let submissions = Arc::new(AtomicUsize::new(0));
    let first_cookie = clients[0].cookie.clone();
    let writers: Vec<_> = clients
        .into_iter()
        .map(|c| {
            let (base, acks, submissions) =
                (server.base.clone(), acks.clone(), submissions.clone());
            tokio::spawn(write_until_killed(base, c, acks, submissions))
        })
        .collect();
    let started = Instant::now();
    while acks.load(Ordering::SeqCst) < KILL_AFTER_ACKS
        || submissions.load(Ordering::SeqCst) < KILL_AFTER_SUBMISSIONS
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "only {} writes acknowledged in 2 minutes",
            acks.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.kill();
    let mut results = Vec::new();
    for w in writers {
        results.push(w.await.unwrap());
    }
    let acknowledged = acks.load(Ordering::SeqCst);

    // The database after the crash, as the restarted server finds it.
    let restarted = Server::start(&db.url, data.path()).await;
    assert_eq!(db.integrity_check().await.unwrap(), "ok");
    let field = saved_field();
    let (mut submitted, mut in_flight) = (0, 0);
    for (application, ack) in &results {
        let app = db.application(*application).await.unwrap().unwrap();
        let draft = form::Draft::from_json(&app.data);
        let stored: u32 = draft
            .value(Step::Identity, field)
            .trim_start_matches("联系人")
            .parse()
            .unwrap_or(0);
        // A write in flight at the kill may or may not have landed, but whole or not at all.
        assert!(
            stored == ack.last_save || stored == ack.last_save + 1,
            "application {application}: acknowledged save {} but found {stored}",
            ack.last_save
        );
        in_flight += usize::from(stored == ack.last_save + 1);
        if ack.submitted {
            assert_eq!(
                app.state,
                domain::lifecycle::State::Submitted,
                "application {application}"
            );
            assert!(app.submitted_at.is_some());
            submitted += 1;
        }
    }
    // The restarted server takes writes again (the first client autosaves only).
    let (application, _) = &results[0];
    let reply = post(
        &reqwest::Client::new(),
        &restarted.base,
        &first_cookie,
        &format!("/apply/{application}/save"),
        &identity_form(&[], field, "重启之后"),
    )
    .await
    .expect("the restarted server saves");
    assert!(reply["revision"].as_i64().unwrap() > 0);
    restarted.kill();
    println!(
        "killed after {acknowledged} acknowledged writes from {CLIENTS} clients; \
         {submitted} acknowledged submissions present; {in_flight} unacknowledged saves landed whole"
    );
    assert!(submitted >= KILL_AFTER_SUBMISSIONS);
    assert!(
        submitted < CLIENTS / 2,
        "the kill came while submissions were still to come"
    );
}
