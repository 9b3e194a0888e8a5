use clap::Parser;

/// jemalloc instead of glibc's malloc: in a wave of 10,000 starts the server spent a fifth of
/// its CPU in glibc's allocator, and jemalloc cut the server's CPU for the run by about 30 %
/// (`docs/PERFORMANCE.md`, "The allocator").
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::telemetry::init();
    match server::cli::run(server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
