//! Database access: the pool, migrations, and the private cluster.

pub mod cluster;

use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, PgPool};

use crate::config::Config;
pub use cluster::Cluster;

/// Database of the private cluster.
pub const DATABASE: &str = "kontoregister";

/// Connect to `DATABASE_URL`, or start the private cluster and connect to it.
/// Returns the cluster too, so the caller can stop it on shutdown.
pub async fn connect(config: &Config) -> anyhow::Result<(PgPool, Option<Cluster>)> {
    if let Some(url) = &config.database_url {
        let opts: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid URL")?;
        return Ok((pool(opts).await?, None));
    }
    let cluster = Cluster::new(&config.data_dir)?;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await??;
    tracing::info!("private PostgreSQL cluster running in {}", cluster.pgdata.display());
    ensure_database(&cluster, DATABASE).await?;
    Ok((pool(cluster.connect_options(DATABASE)).await?, Some(cluster)))
}

/// Create `name` in the cluster if it does not exist.
pub async fn ensure_database(cluster: &Cluster, name: &str) -> anyhow::Result<()> {
    let mut conn = cluster.connect_options("postgres").connect().await?;
    let exists =
        sqlx::query_scalar!(r#"select exists(select 1 from pg_database where datname = $1) as "e!""#, name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        // CREATE DATABASE takes no bind parameters; the name is our own constant.
        let sql = format!("create database \"{}\"", name.replace('"', ""));
        sqlx::raw_sql(&sql).execute(&mut conn).await?;
    }
    Ok(())
}

/// A pool that fails fast while the database is down and recovers by itself.
pub async fn pool(opts: PgConnectOptions) -> anyhow::Result<PgPool> {
    let opts = opts.options([("timezone", "UTC")]);
    Ok(PgPoolOptions::new()
        .max_connections(16)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(3))
        .test_before_acquire(true)
        .connect_with(opts)
        .await?)
}

/// Run the embedded migrations and the session store's own table.
pub async fn migrate(db: &PgPool) -> anyhow::Result<()> {
    sqlx::migrate!().run(db).await?;
    tower_sessions_sqlx_store::PostgresStore::new(db.clone()).migrate().await?;
    Ok(())
}
