//! `gongkai serve`: the platform's web server (the main job).

use std::io::Write;
use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;

use crate::db_cmd::{self, DbArgs};
use crate::{Outcome, UsageError};

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    addr: String,
    /// Load the demo agencies first when the database has none.
    #[arg(long)]
    demo: bool,
    /// Worker threads of the runtime (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

pub(crate) fn run(args: &ServeArgs, out: &mut impl Write) -> anyhow::Result<Outcome> {
    let addr: SocketAddr = args.addr.parse().map_err(|_| {
        UsageError::new(
            "--addr",
            format!("`{}` is not an address such as 127.0.0.1:8080", args.addr),
        )
    })?;
    if args.threads == Some(0) {
        return Err(UsageError::new("--threads", "must be at least 1").into());
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGKAI_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = args.threads {
        builder.worker_threads(threads);
    }
    let runtime = builder.enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let store = db_cmd::open(&args.db).await?;
        if args.demo && gongkai_store::agencies::list(&store).await?.is_empty() {
            for (code, saved) in db_cmd::load_demo_agencies(&store).await? {
                tracing::info!(agency = %code, items = saved.catalog_items, applications = saved.applications, "demo data loaded");
            }
        }
        let state = gongkai_web::AppState::new(store.clone()).await?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|err| UsageError::new("--addr", format!("cannot listen on {addr}: {err}")))?;
        let local = listener.local_addr()?;
        writeln!(out, "gongkai serving on http://{local}/ (Ctrl-C to stop)")?;
        out.flush()?;
        tracing::info!(%local, backend = ?store.backend(), "listening");
        gongkai_web::serve(listener, state, shutdown_signal()).await?;
        store.close().await;
        tracing::info!("stopped");
        anyhow::Ok(())
    })?;
    Ok(Outcome::Success)
}

/// Ctrl-C or SIGTERM: stop accepting, finish the requests in flight.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
