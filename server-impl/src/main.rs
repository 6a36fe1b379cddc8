//! Start-up only: configuration, logging, the server, and a graceful stop on
//! SIGINT/SIGTERM.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: an import allocates and frees
/// small strings for every record, and glibc's malloc spent a fifth of the
/// import's time on them (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use server_impl::config::{Command, Config};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let config = Config::parse();
    if let Some(Command::Keys(command)) = &config.command {
        return match server_impl::run_keys_command(&config, command).await {
            Ok(output) => {
                print!("{output}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        };
    }
    let running = match server_impl::start(&config).await {
        Ok(running) => running,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "Tasks API listening on http://{}{}",
        running.address,
        flexprice_api::server::BASE_PATH
    );
    println!(
        "data: {} (database {})",
        config.data_dir.display(),
        running.database_url
    );
    if let Some(key) = &running.dev_key {
        println!("development API key (tenant_dev/env_dev), shown once: {key}");
    }
    wait_for_stop_signal().await;
    tracing::info!("stopping: finishing requests in flight");
    tokio::select! {
        stopped = running.shutdown() => match stopped {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::FAILURE
            }
        },
        () = wait_for_stop_signal() => {
            // A claimed task is taken over by another process after its lease.
            eprintln!("second stop signal: exiting without waiting");
            ExitCode::FAILURE
        }
    }
}

async fn wait_for_stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
