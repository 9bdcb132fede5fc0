//! `fangxin-tools` command line: the same storage options as `fangxin`, and the
//! commands that generate data and measure the product.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "fangxin-tools",
    version,
    about = "Fangxin demo county, data generation and benchmarks (not part of the product)"
)]
pub struct ToolsCli {
    #[command(flatten)]
    pub storage: server::cli::Storage,

    #[command(subcommand)]
    pub command: ToolCommand,
}

#[derive(Debug, Subcommand)]
pub enum ToolCommand {
    /// Load the demo county (idempotent): accounts that share one published password,
    /// applications at every step, recognised units and a year of complaints. For trying
    /// the product and for its browser tests; never on a real county's database.
    SeedDemo,
    /// Write a generated 12315 export (CSV) for tests, demos and the import benchmark.
    #[command(name = "sample-12315")]
    Sample12315(Sample12315Args),
    /// Generate realistic businesses and complaints (seasons, townships of different
    /// sizes, rates improving year on year) for benchmarks and demos.
    Generate(GenerateArgs),
    /// Print p50/p95 of each dashboard query, next to the naive GROUP BY.
    BenchDashboard(BenchDashboardArgs),
    /// Print how long a change written here takes to reach the change stream of the
    /// server instance at --url.
    BenchLive(BenchLiveArgs),
    /// Print throughput and p99 of the directory page of 50 units (server-rendered from
    /// the database) next to a static file of the same bytes, p99 at half the page's
    /// maximum rate, and the server's memory, loading the server at --url.
    BenchHttp(BenchHttpArgs),
    /// Mixed traffic at a fixed rate (public reads, autosaves, dashboard views,
    /// complaints) against the server at --url; prints errors and p99 per kind, then
    /// checks that every acknowledged autosave is in the database.
    BenchLoad(BenchLoadArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 100_000)]
    pub complaints: u64,
    #[arg(long, default_value_t = 5_000)]
    pub organisations: u64,
    /// The first year of complaints (default: five years before this one).
    #[arg(long)]
    pub first_year: Option<i32>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchDashboardArgs {
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Runs of each naive GROUP BY (slow at 10 M rows).
    #[arg(long, default_value_t = 5)]
    pub naive_runs: usize,
    #[arg(long)]
    pub skip_naive: bool,
    #[arg(long, default_value = "341721")]
    pub area: String,
}

#[derive(Debug, Args)]
pub struct BenchLiveArgs {
    /// The server instance whose change stream is watched, e.g. http://127.0.0.1:3102
    #[arg(long)]
    pub url: String,
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
}

#[derive(Debug, Args)]
pub struct BenchHttpArgs {
    /// The server to load, e.g. http://127.0.0.1:3103 (serving this database).
    #[arg(long)]
    pub url: String,
    /// That server's --site-root: the static copy of the page is written there.
    #[arg(long)]
    pub site_root: PathBuf,
    /// That server's process id, to read its memory from /proc.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Recognised units to make sure of (the page lists up to 50).
    #[arg(long, default_value_t = 50)]
    pub units: i64,
    #[arg(long, default_value_t = 16)]
    pub connections: usize,
    /// Seconds per run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct BenchLoadArgs {
    /// The server to load, e.g. http://127.0.0.1:3103 (serving this database).
    #[arg(long)]
    pub url: String,
    /// That server's process id, to read its memory from /proc.
    #[arg(long)]
    pub pid: Option<u32>,
    /// Requests per second, all kinds together.
    #[arg(long, default_value_t = 40.0)]
    pub rate: f64,
    #[arg(long, default_value_t = 600)]
    pub seconds: u64,
}

#[derive(Debug, Args)]
pub struct Sample12315Args {
    #[arg(long, default_value_t = 1000)]
    pub rows: u64,
    #[arg(long)]
    pub out: std::path::PathBuf,
    /// Put a deliberately bad row in about every fifty.
    #[arg(long)]
    pub bad: bool,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}
