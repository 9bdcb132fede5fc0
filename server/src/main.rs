//! `fangxin`: the one server binary. `serve` runs the site; `migrate` prepares the
//! database (the demo county is `fangxin-tools seed-demo`, apart from the product).
//! Bad configuration ends with one line on stderr and exit code 1.

use clap::Parser;
use server::cli::{self, AuditCommand, Cli, Command};
use server::http;
use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: threads hand each other a lot of small
/// allocations (an import's rows are parsed on a reader thread and freed after their
/// insert; a render's strings cross tasks), and glibc frees another thread's memory
/// under that arena's lock.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(message),
    }
}

fn fail(message: String) -> ExitCode {
    eprintln!("fangxin: error: {message}");
    ExitCode::FAILURE
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FANGXIN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> Result<(), String> {
    let data_dir = cli.storage.prepare_data_dir()?;
    let database_url = cli.storage.database_url(&data_dir);
    let objects = cli.storage.object_store(&data_dir);
    // Before anything opens the database it replaces.
    if let Some(Command::Restore(r)) = &cli.command {
        let done = server::backup::restore(&r.from, &database_url, &objects).await?;
        println!("{done}");
        return Ok(());
    }
    cli::ensure_bucket(&objects).await;
    let store = cli.storage.open(&data_dir).await?;

    match cli.command.unwrap_or_default() {
        Command::Migrate => {
            println!(
                "fangxin: {} database migrated and reference data loaded",
                store.backend().name()
            );
            Ok(())
        }
        Command::Backup(b) => {
            println!("{}", server::backup::backup(&store, &objects, &b.to).await?);
            Ok(())
        }
        Command::Restore(_) => Err("restore runs before the database is opened".into()),
        Command::Clock(c) => {
            let value = match (c.today, c.clear) {
                (Some(d), false) if store::is_iso_date(&d) => d,
                (None, true) => String::new(),
                _ => return Err("give --today YYYY-MM-DD or --clear".into()),
            };
            store
                .set_setting("clock.today", &value)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "fangxin: business date {}",
                if value.is_empty() {
                    "follows the real date"
                } else {
                    &value
                }
            );
            Ok(())
        }
        Command::ImportComplaints(a) => {
            let name = a
                .file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let started = std::time::Instant::now();
            let outcome = app::usecases::imports::import_file(
                &store,
                app::usecases::imports::Importer::Operator("cli"),
                &a.file,
                &name,
            )
            .await
            .map_err(|e| format!("{e:?}"))?;
            let secs = started.elapsed().as_secs_f64();
            use app::complaints::import::ImportOutcome::*;
            match outcome {
                Imported { rows, .. } => {
                    println!(
                        "fangxin: imported {rows} rows in {secs:.2} s ({:.0} rows/s)",
                        rows as f64 / secs
                    );
                    Ok(())
                }
                Rejected {
                    import_id,
                    rows,
                    bad,
                } => {
                    let report = store
                        .complaint_import_report(import_id)
                        .await
                        .map_err(|e| e.to_string())?
                        .unwrap_or_default();
                    let first: Vec<&str> = report.lines().take(11).collect();
                    Err(format!(
                        "refused: {bad} of {rows} rows are bad, nothing imported ({secs:.2} s)\n{}",
                        first.join("\n")
                    ))
                }
                BadHeader { .. } => Err("refused: the header row lacks a required column".into()),
                NotReadable => Err("not a CSV or XLSX file".into()),
                TooBigUnpacked { part } => Err(format!(
                    "refused: the XLSX part {part} unpacks to more than can be read safely; \
                     save the sheet as CSV and import that"
                )),
                Failed => Err("the import failed; see the log".into()),
            }
        }
        Command::CreateStaff(a) => {
            let password = a
                .password
                .clone()
                .unwrap_or_else(app::accounts::admin::temporary_password);
            let input = app::accounts::admin::StaffInput {
                login: a.login,
                display_name: a.name,
                role: a.role,
                area: a.area,
                mobile: a.mobile,
                member_unit: a.member_unit,
            };
            use app::usecases::accounts::{create_staff, Provisioner};
            create_staff(&store, Provisioner::Operator("cli"), &input, &password)
                .await
                .map_err(|e| match e {
                    app::errors::AppError::Invalid(list) => format!("invalid: {list:?}"),
                    other => other.to_string(),
                })?;
            println!(
                "fangxin: created {} ({}); temporary password: {password}",
                input.login, input.role
            );
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let anchors = cli::read_audit_anchors(&data_dir);
            match store
                .verify_audit_with_anchors(&anchors)
                .await
                .map_err(|e| e.to_string())?
            {
                store::audit::ChainStatus::Intact { entries } => {
                    println!("fangxin: audit chain intact ({entries} entries)");
                    Ok(())
                }
                store::audit::ChainStatus::Broken { seq, reason } => {
                    Err(format!("audit chain BROKEN at entry {seq}: {reason}"))
                }
            }
        }
        Command::Serve(serve) => http::serve(store, serve, objects, data_dir).await,
    }
}
