//! `fangxin-tools`: generate data and measure the product. Opens the database the same
//! way `fangxin` does (same options, same audit key).

use clap::Parser;
use std::process::ExitCode;
use tools::cli::{ToolCommand, ToolsCli};

fn main() -> ExitCode {
    let cli = ToolsCli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("FANGXIN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
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
    eprintln!("fangxin-tools: error: {message}");
    ExitCode::FAILURE
}

async fn run(cli: ToolsCli) -> Result<(), String> {
    // Writing a sample file needs no database.
    if let ToolCommand::Sample12315(a) = &cli.command {
        let mut out = std::fs::File::create(&a.out).map_err(|e| e.to_string())?;
        let bad = tools::sample::write_sample(&mut out, a.rows, a.bad, a.seed)
            .map_err(|e| e.to_string())?;
        println!(
            "fangxin-tools: wrote {} rows ({} deliberately bad) to {}",
            a.rows,
            bad.len(),
            a.out.display()
        );
        return Ok(());
    }
    let data_dir = cli.storage.prepare_data_dir()?;
    let store = cli.storage.open(&data_dir).await?;
    match &cli.command {
        ToolCommand::Sample12315(_) => Ok(()),
        ToolCommand::SeedDemo => seed_demo(&cli, &data_dir, &store).await,
        ToolCommand::Generate(a) => tools::bench::generate(&store, a).await,
        ToolCommand::BenchDashboard(a) => tools::bench::bench_dashboard(&store, a).await,
        ToolCommand::BenchLive(a) => tools::bench::bench_live(&store, a).await,
        ToolCommand::BenchHttp(a) => {
            let objects = objects(&cli, &data_dir).await;
            tools::loadgen::bench_http(&store, &objects, a).await
        }
        ToolCommand::BenchLoad(a) => {
            let objects = objects(&cli, &data_dir).await;
            tools::loadgen::bench_load(&store, &objects, a).await
        }
    }
}

async fn seed_demo(
    cli: &ToolsCli,
    data_dir: &std::path::Path,
    store: &store::Store,
) -> Result<(), String> {
    let objects = objects(cli, data_dir).await;
    match tools::demo::seed_demo(store, &objects).await? {
        tools::demo::DemoOutcome::Loaded => println!(
            "fangxin-tools: demo data loaded; demo accounts use the password {}",
            tools::demo::accounts::DEMO_PASSWORD
        ),
        tools::demo::DemoOutcome::AlreadyPresent => {
            println!("fangxin-tools: demo data already present, nothing changed")
        }
    }
    Ok(())
}

/// Where the server keeps files (the data folder or the S3 bucket), ready to write to.
async fn objects(cli: &ToolsCli, data_dir: &std::path::Path) -> store::objects::ObjectStore {
    let objects = cli.storage.object_store(data_dir);
    server::cli::ensure_bucket(&objects).await;
    objects
}
