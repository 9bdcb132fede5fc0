//! The walls between the crates, as ARCHITECTURE.md states them, checked on the source:
//! the domain has no web framework, database or runtime; SQL is written only in the store;
//! the browser build never links the store. A change that breaches one fails here.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ sits in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&workspace().join(dir), &mut out);
    assert!(!out.is_empty(), "no sources under {dir}");
    out
}

/// The lines of `[dependencies]` (not dev- or build-dependencies) in a crate's manifest.
fn dependencies(krate: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(workspace().join(krate).join("Cargo.toml")).unwrap();
    let mut inside = false;
    let mut lines = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && !line.is_empty() && !line.starts_with('#') {
            lines.push(line.to_string());
        }
    }
    lines
}

fn depends_on(krate: &str, on: &str) -> bool {
    dependencies(krate)
        .iter()
        .any(|l| l.split(['=', ' ', '.']).next() == Some(on))
}

/// Lines that would be SQL written outside the store.
fn sql_lines(text: &str) -> Vec<String> {
    const SQL: [&str; 6] = [
        "\"SELECT ",
        "\"INSERT INTO",
        "\"DELETE FROM",
        "\"CREATE TABLE",
        "sqlx::query",
        " SET state",
    ];
    text.lines()
        .filter(|l| SQL.iter().any(|s| l.contains(s)))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_domain_has_no_web_framework_database_or_runtime() {
    for forbidden in [
        "leptos",
        "leptos_axum",
        "axum",
        "sqlx",
        "tokio",
        "store",
        "app",
    ] {
        assert!(
            !depends_on("domain", forbidden),
            "domain/Cargo.toml depends on {forbidden}"
        );
    }
    for (path, text) in sources("domain/src") {
        for forbidden in ["leptos::", "sqlx::", "axum::", "tokio::", "store::"] {
            assert!(
                !text.contains(forbidden),
                "{} uses {forbidden}",
                path.display()
            );
        }
    }
}

#[test]
fn sql_is_written_only_in_the_store() {
    for dir in ["domain/src", "app/src", "frontend/src", "server/src"] {
        for (path, text) in sources(dir) {
            let found = sql_lines(&text);
            assert!(
                found.is_empty(),
                "{} holds SQL, which belongs in store/: {found:?}",
                path.display()
            );
        }
    }
    for krate in ["domain", "app", "frontend", "server"] {
        assert!(!depends_on(krate, "sqlx"), "{krate} depends on sqlx");
    }
    // The check itself finds SQL where there is some.
    assert!(!sql_lines(
        &std::fs::read_to_string(workspace().join("store/src/applications.rs")).unwrap()
    )
    .is_empty());
}

#[test]
fn the_browser_build_never_links_the_store() {
    assert!(
        !depends_on("frontend", "store"),
        "frontend depends on store"
    );
    let app = dependencies("app");
    let store = app
        .iter()
        .find(|l| l.starts_with("store "))
        .expect("app depends on store for the server side");
    assert!(
        store.contains("optional = true"),
        "app's store dependency must be optional (ssr only): {store}"
    );
    let manifest = std::fs::read_to_string(workspace().join("app/Cargo.toml")).unwrap();
    let hydrate = manifest
        .lines()
        .find(|l| l.starts_with("hydrate = "))
        .expect("app has a hydrate feature");
    assert!(
        !hydrate.contains("store"),
        "the hydrate feature pulls in the store: {hydrate}"
    );
}

#[test]
fn the_store_draws_no_pages() {
    for forbidden in ["leptos", "leptos_axum", "axum", "app"] {
        assert!(
            !depends_on("store", forbidden),
            "store depends on {forbidden}"
        );
    }
}

#[test]
fn an_applications_state_is_written_only_by_the_lifecycle_move() {
    for (path, text) in sources("store/src") {
        if path.ends_with("transitions.rs") {
            assert!(
                text.contains("SET state"),
                "transitions.rs no longer moves states"
            );
            continue;
        }
        let found: Vec<&str> = text.lines().filter(|l| l.contains("SET state")).collect();
        assert!(
            found.is_empty(),
            "{} sets an application's state outside store/src/transitions.rs: {found:?}",
            path.display()
        );
    }
}

/// The store names an application's state by `domain::lifecycle::State::code`, bound as a
/// parameter, never as a literal in SQL: a renamed state would otherwise leave a query
/// silently matching nothing.
#[test]
fn the_store_names_application_states_by_the_domains_codes() {
    const STATES: [&str; 12] = [
        "proposed",
        "draft",
        "submitted",
        "returned",
        "county_review",
        "rectifying",
        "rejected",
        "passed",
        "on_notice",
        "recognised",
        "revoked",
        "expired",
    ];
    for (path, text) in sources("store/src") {
        let found: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("state"))
            .filter(|l| STATES.iter().any(|s| l.contains(&format!("'{s}'"))))
            .collect();
        assert!(
            found.is_empty(),
            "{} writes an application state as a literal: {found:?}",
            path.display()
        );
    }
}

#[test]
fn test_support_is_not_part_of_the_product() {
    for krate in ["domain", "store", "app", "frontend", "server"] {
        assert!(
            !depends_on(krate, "testkit"),
            "{krate} depends on testkit outside its dev-dependencies"
        );
    }
    assert!(
        !workspace().join("store/src/testing.rs").exists(),
        "test databases are made in testkit, not in the store"
    );
    assert!(
        !workspace().join("domain/src/generate.rs").exists(),
        "the test-data generator lives in testkit, not in the domain the browser ships"
    );
    // The check itself sees a dev-dependency for what it is.
    assert!(
        std::fs::read_to_string(workspace().join("server/Cargo.toml"))
            .unwrap()
            .contains("testkit")
    );
}

#[test]
fn benchmarks_and_load_generation_are_not_part_of_the_product() {
    for krate in ["domain", "store", "app", "frontend", "server"] {
        assert!(
            !depends_on(krate, "tools"),
            "{krate} depends on the tools crate outside its dev-dependencies"
        );
    }
    for gone in ["server/src/loadgen.rs", "server/src/tools.rs"] {
        assert!(
            !workspace().join(gone).exists(),
            "{gone}: benchmarks and load generation live in tools/"
        );
    }
    // The product binary offers no benchmark or generator command.
    let cli = std::fs::read_to_string(workspace().join("server/src/cli.rs")).unwrap();
    for command in ["Generate(", "BenchLoad(", "BenchHttp(", "Sample12315("] {
        assert!(
            !cli.contains(command),
            "server/src/cli.rs still has {command}"
        );
    }
    assert!(depends_on("tools", "server"));
}

#[test]
fn post_outcome_notes_are_declared_once_as_enums() {
    // A page's notes are a `notes!` enum: the handler redirects with a variant, so a code
    // the page cannot show does not compile. A hand-written `"code" => l.pick(…)` table
    // is how a code without an arm slipped through before.
    for (path, text) in sources("app/src") {
        if path.ends_with("notes.rs") {
            continue;
        }
        for line in text.lines() {
            let t = line.trim_start();
            let string_arm = t.starts_with('"') && t.contains("\" => l.pick(");
            assert!(
                !string_arm,
                "{}: a note decoded from a string code; declare it with notes!: {t}",
                path.display()
            );
        }
    }
}

#[test]
fn only_the_store_reads_database_errors() {
    // A unique constraint's refusal reaches callers as StoreError::Duplicate; nobody
    // outside the store asks sqlx what went wrong.
    for dir in ["app/src", "server/src", "tools/src"] {
        for (path, text) in sources(dir) {
            assert!(
                !text.contains("is_unique_violation") && !text.contains("sqlx::Error"),
                "{}: reads a database error; match store::StoreError instead",
                path.display()
            );
        }
    }
}

#[test]
fn the_product_changes_these_states_only_through_the_use_case_layer() {
    // The store methods that write a state change the use-case layer already owns: its
    // functions check the actor's right and the rule before calling them. Pages, form
    // posts, server functions and the operator's tools (benchmark and load fixtures) call
    // the use case instead, and so does the demo county, except one recognition from a
    // batch closed before the product existed (no step of the product makes one). The data
    // generator's bulk inserts (`insert_generated_*`) load test and demo data, not a
    // user's step, and are not listed.
    const OWNED: &[&str] = &[
        ".submit_application(",
        ".hand_over(",
        ".accept_proposal(",
        ".remove_agent_draft(",
        ".decide_township_review(",
        ".assign_reviewer(",
        ".recuse(",
        ".submit_scores(",
        ".reopen_scores(",
        ".record_panel_result(",
        ".publish_notice(",
        ".recognise_notice(",
        ".decide_objection(",
        ".record_reinspection(",
        ".report_rectification(",
        ".accept_complaint(",
        ".refuse_complaint(",
        ".link_complaint(",
        ".escalate_complaint(",
        ".close_complaint(",
        ".record_business_contact(",
        ".record_business_settlement(",
        ".record_business_failure(",
        ".request_acceptance(",
        ".create_batch(",
        ".set_batch_status(",
        ".revise_indicator_set(",
        ".set_settings(",
        ".save_holiday_calendar(",
        ".add_panel_member(",
        ".remove_panel_member(",
        ".add_site_visit(",
        ".assign_objection(",
        ".plan_reinspections(",
        ".start_application(",
        ".propose_application(",
        ".save_draft(",
        ".add_evidence(",
        ".remove_evidence(",
        ".file_complaint(",
        ".rate_complaint(",
        ".file_objection(",
        ".create_organisation_account(",
        ".create_staff_account(",
        ".reset_password(",
        ".set_password(",
        ".use_totp_step(",
        ".begin_import(",
    ];
    for dir in ["app/src", "server/src", "tools/src"] {
        for (path, text) in sources(dir) {
            // The demo county's history from before the product.
            let demo_history = path == workspace().join("tools/src/demo/review/history.rs");
            if path.starts_with(workspace().join("app/src/usecases")) || demo_history {
                continue;
            }
            for method in OWNED {
                assert!(
                    !text.contains(method),
                    "{}: calls the store's {method}…) directly; call app::usecases instead",
                    path.display()
                );
            }
        }
    }
    let layer: String = sources("app/src/usecases")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    for method in OWNED {
        assert!(
            layer.contains(method),
            "the use-case layer no longer calls {method}…)"
        );
    }
}
