//! Entry point: parse configuration, set up logging, connect (or start the
//! private PostgreSQL cluster) and migrate, then serve or run a command.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use kontoregister::config::{Cli, Command};
use kontoregister::{AppState, app, auth, db, demo};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // argon2id allocates 19 MiB per hash: serve such blocks from mmap, so they
    // go back to the system instead of staying in per-thread malloc arenas.
    // And at most two arenas: a large download (the city's compilation) on
    // another worker thread would otherwise grow an arena of its own each time.
    // SAFETY: mallopt only tunes the allocator; glibc serialises it internally.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&cli.config.log).unwrap_or_else(|_| EnvFilter::new("info")))
        .init();

    let (pool, cluster) = db::connect(&cli.config).await?;
    let result = run(cli, pool.clone()).await;
    pool.close().await;
    if let Some(c) = cluster {
        tracing::info!("stopping the private PostgreSQL cluster");
        tokio::task::spawn_blocking(move || c.stop()).await??;
    }
    result
}

async fn run(cli: Cli, pool: sqlx::PgPool) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Migrate => {
            println!("Migrations applied.");
            Ok(())
        }
        Command::CreateAdmin { email, name } => create_admin(&pool, &email, &name).await,
        Command::Tick => {
            let state = AppState { db: pool.clone(), config: Arc::new(config) };
            match kontoregister::mail::reminders::tick(&pool, state.today(), state.now()).await? {
                Some(n) => println!("Reminders checked: {n} mails queued."),
                None => println!("Another server is checking the reminders right now; nothing done."),
            }
            Ok(())
        }
        Command::Serve => {
            if config.demo {
                let password = config.demo_password.clone().unwrap_or_else(auth::password::one_time_password);
                if demo::seed(&pool, &password).await? {
                    println!("Demo data loaded. Log in at http://{} with password: {password}", config.addr);
                    for (email, _, _) in demo::USERS {
                        println!("  {email}");
                    }
                } else {
                    println!(
                        "The database already has users: demo data not loaded (their passwords are unchanged)."
                    );
                }
            }
            // Addresses written before the normalised key existed get theirs.
            let keyed = kontoregister::accounts::db::sync_keys(&mut *pool.acquire().await?).await?;
            if keyed > 0 {
                tracing::info!("{keyed} account addresses got their normalised key");
            }
            let state = AppState { db: pool.clone(), config: Arc::new(config.clone()) };
            let cleanup = tokio::spawn(every_ten_minutes(state.clone()));
            let mailer = kontoregister::mail::worker::start(&config, pool.clone())?;
            let listener = tokio::net::TcpListener::bind(config.addr)
                .await
                .with_context(|| format!("cannot listen on {}", config.addr))?;
            tracing::info!("Kontoregistret serves http://{}", config.addr);
            axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown_signal())
                .await?;
            cleanup.abort();
            if let Some(m) = mailer {
                m.abort();
            }
            Ok(())
        }
    }
}

/// Every ten minutes: expired sessions, login counters that no longer count,
/// expired import batches, and the dated reminders by mail.
async fn every_ten_minutes(state: AppState) {
    let pool = state.db.clone();
    use tower_sessions::ExpiredDeletion;
    let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    let sessions = store.continuously_delete_expired(std::time::Duration::from_secs(600));
    let logins = async {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            if let Ok(mut conn) = pool.acquire().await {
                if let Err(e) = kontoregister::auth::db::delete_old_login_rows(&mut conn).await {
                    tracing::warn!("deleting old login counters failed: {e}");
                }
                if let Err(e) = kontoregister::import::db::forget_expired(&mut conn).await {
                    tracing::warn!("forgetting expired import batches failed: {e}");
                }
            }
            if let Err(e) = kontoregister::mail::reminders::tick(&pool, state.today(), state.now()).await {
                tracing::warn!("the reminders failed: {e}");
            }
        }
    };
    let _ = tokio::join!(sessions, logins);
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

async fn create_admin(pool: &sqlx::PgPool, email: &str, name: &str) -> anyhow::Result<()> {
    let otp = kontoregister::org::create_admin(pool, email, name).await?;
    println!("Administrator {} created. One-time password (must be changed at first login):", email.trim());
    println!("{otp}");
    Ok(())
}
