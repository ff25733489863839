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

/// The role the server runs as in the private cluster: it logs in, but is not
/// a superuser and does not own the tables (see `grant_app_role`).
pub const APP_ROLE: &str = "kontoregister_app";

/// Connect, migrate and return the server's pool. The migrations run as the
/// tables' owner, the server as a role that may only read and write rows, and
/// never change or remove the audit log or a submitted SLK report version:
/// - private cluster: its superuser migrates, the server runs as `APP_ROLE`;
/// - `KONTOREGISTER_MIGRATION_DATABASE_URL` with `DATABASE_URL`: the first
///   migrates and grants to the second's user, who the server runs as;
/// - `DATABASE_URL` alone: one role does both (a warning says what it risks).
///
/// Returns the cluster too, so the caller can stop it on shutdown.
pub async fn connect(config: &Config) -> anyhow::Result<(PgPool, Option<Cluster>)> {
    if let Some(url) = &config.database_url {
        let opts: PgConnectOptions = url.parse().context("DATABASE_URL is not a valid URL")?;
        let Some(owner_url) = &config.migration_database_url else {
            let db = pool(opts).await?;
            migrate(&db).await.context("migrations failed")?;
            warn_if_privileged(&db).await?;
            return Ok((db, None));
        };
        let owner_opts: PgConnectOptions =
            owner_url.parse().context("KONTOREGISTER_MIGRATION_DATABASE_URL is not a valid URL")?;
        let owner = pool(owner_opts).await?;
        migrate(&owner).await.context("migrations failed")?;
        grant_app_role(&owner, opts.get_username()).await?;
        owner.close().await;
        return Ok((pool(opts).await?, None));
    }
    let cluster = Cluster::new(&config.data_dir)?;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await??;
    tracing::info!("private PostgreSQL cluster running in {}", cluster.pgdata.display());
    ensure_database(&cluster, DATABASE).await?;
    let owner = pool(cluster.connect_options(DATABASE)).await?;
    migrate(&owner).await.context("migrations failed")?;
    ensure_role(&owner, APP_ROLE, None).await?;
    grant_app_role(&owner, APP_ROLE).await?;
    owner.close().await;
    Ok((pool(cluster.connect_options(DATABASE).username(APP_ROLE)).await?, Some(cluster)))
}

/// `"role"`, quoted as an SQL identifier.
fn ident(role: &str) -> String {
    format!("\"{}\"", role.replace('"', "\"\""))
}

/// Create the login role `role` if it does not exist: no superuser, no
/// databases, no roles, no replication.
pub async fn ensure_role(db: &PgPool, role: &str, password: Option<&str>) -> anyhow::Result<()> {
    let password = match password {
        Some(p) => format!(" password '{}'", p.replace('\'', "''")),
        None => String::new(),
    };
    // Two processes may race to create it: the loser's duplicate is fine.
    let sql = format!(
        "do $$ begin
             if not exists (select 1 from pg_roles where rolname = '{name}') then
                 create role {role} login nosuperuser nocreatedb nocreaterole noreplication{password};
             end if;
         exception when duplicate_object or unique_violation then null;
         end $$",
        name = role.replace('\'', "''"),
        role = ident(role),
    );
    sqlx::raw_sql(&sql).execute(db).await?;
    Ok(())
}

/// What the server's role may do: read and write rows of every table, use
/// the sequences, and nothing else: no DDL, and neither UPDATE, DELETE nor
/// TRUNCATE on the audit log, the submitted SLK report versions or the
/// migration history. Run by the tables' owner after the migrations.
pub async fn grant_app_role(db: &PgPool, role: &str) -> anyhow::Result<()> {
    let r = ident(role);
    let sql = format!(
        "grant usage on schema public, tower_sessions to {r};
         grant select, insert, update, delete on all tables in schema public to {r};
         grant select, insert, update, delete on all tables in schema tower_sessions to {r};
         grant usage, select on all sequences in schema public to {r};
         revoke update, delete, truncate on audit_log, slk_report_versions from {r};
         revoke insert, update, delete, truncate on _sqlx_migrations from {r};"
    );
    sqlx::raw_sql(&sql).execute(db).await?;
    Ok(())
}

/// Warn when one role both migrates and serves and could therefore switch
/// off the audit log's protection.
async fn warn_if_privileged(db: &PgPool) -> anyhow::Result<()> {
    let privileged = sqlx::query_scalar!(
        r#"select (select rolsuper from pg_roles where rolname = current_user)
                  or pg_has_role(current_user, (select tableowner from pg_tables where tablename = 'audit_log'), 'USAGE')
                  as "privileged!""#
    )
    .fetch_one(db)
    .await?;
    if privileged {
        tracing::warn!(
            "DATABASE_URL's role is a superuser or owns the tables, so it could alter the audit log. \
             Set KONTOREGISTER_MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a role without \
             those rights (see the README, \"Database roles\")."
        );
    }
    Ok(())
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
