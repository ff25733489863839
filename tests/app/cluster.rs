//! The private PostgreSQL cluster: starts, keeps data across a restart,
//! recovers from a stale pid file.

use kontoregister::db::{self, Cluster};
use sqlx::ConnectOptions;

#[tokio::test]
async fn private_cluster_keeps_data_and_recovers_from_a_stale_pid_file() {
    let dir = std::env::temp_dir().join(format!("kontoregister-cluster-test-{}", std::process::id()));
    let cluster = Cluster::new(&dir).unwrap();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.unwrap().unwrap();
    assert!(cluster.is_running());
    db::ensure_database(&cluster, "kontoregister").await.unwrap();
    let mut conn = cluster.connect_options("kontoregister").connect().await.unwrap();
    sqlx::raw_sql("create table t (v text); insert into t values ('kvar')").execute(&mut conn).await.unwrap();
    drop(conn);

    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop()).await.unwrap().unwrap();
    assert!(!cluster.is_running());
    // A crash leaves postmaster.pid behind, naming a process that is gone.
    std::fs::write(cluster.pgdata.join("postmaster.pid"), "999999\n/nowhere\n").unwrap();

    let again = Cluster::new(&dir).unwrap();
    let c = again.clone();
    tokio::task::spawn_blocking(move || c.start()).await.unwrap().unwrap();
    let mut conn = again.connect_options("kontoregister").connect().await.unwrap();
    let v: String = sqlx::query_scalar("select v from t").fetch_one(&mut conn).await.unwrap();
    assert_eq!(v, "kvar");
    drop(conn);
    let c = again.clone();
    tokio::task::spawn_blocking(move || c.stop()).await.unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
