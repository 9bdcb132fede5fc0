//! `fangxin`: the one server binary. `serve` runs the site; `migrate` and `seed-demo`
//! prepare the database. Bad configuration ends with one line on stderr and exit code 1.

mod cli;
mod http;
mod metrics;

use clap::Parser;
use cli::{AuditCommand, Cli, Command};
use std::process::ExitCode;
use store::{ConnectSettings, Store};

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
    let data_dir = cli.prepare_data_dir()?;
    let database_url = cli.database_url(&data_dir);
    let store = Store::connect(&database_url, &ConnectSettings::default())
        .await
        .map_err(|e| format!("{e} (DATABASE_URL={})", cli::redact(&database_url)))?;
    store.migrate().await.map_err(|e| e.to_string())?;
    store
        .seed_reference_data()
        .await
        .map_err(|e| e.to_string())?;

    match cli.command.unwrap_or_default() {
        Command::Migrate => {
            println!(
                "fangxin: {} database migrated and reference data loaded",
                store.backend().name()
            );
            Ok(())
        }
        Command::SeedDemo => {
            let outcome = store.seed_demo().await.map_err(|e| e.to_string())?;
            match outcome {
                store::demo::DemoOutcome::Loaded => println!("fangxin: demo data loaded"),
                store::demo::DemoOutcome::AlreadyPresent => {
                    println!("fangxin: demo data already present, nothing changed")
                }
            }
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            match store
                .verify_audit_chain()
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
        Command::Serve(serve) => {
            if serve.seed_demo {
                store.seed_demo().await.map_err(|e| e.to_string())?;
            }
            http::serve(store, serve, data_dir).await
        }
    }
}
