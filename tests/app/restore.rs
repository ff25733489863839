//! The restore drill of docs/DEPLOYMENT.md: `pg_dump` of the demo database,
//! `pg_restore` into a new database, and a server on the restored database
//! shows the same register, forms and audit log.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

/// A PostgreSQL client program: on the PATH, else beside the server binaries.
fn program(name: &str) -> std::path::PathBuf {
    let on_path =
        std::process::Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success());
    if on_path {
        return name.into();
    }
    let mut dirs: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.flatten().map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.pop().map(|d| d.join(name)).unwrap_or_else(|| name.into())
}

async fn counts(db: &sqlx::PgPool) -> Vec<i64> {
    let mut v = Vec::new();
    for table in
        ["accounts", "forms", "form_events", "audit_log", "archive_records", "slk_report_versions", "users"]
    {
        v.push(sqlx::query_scalar(&format!("select count(*) from {table}")).fetch_one(db).await.unwrap());
    }
    v
}

#[tokio::test]
async fn a_dump_restored_into_a_new_database_serves_the_same_register() {
    let app = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap());
    let source: String = sqlx::query_scalar("select current_database()").fetch_one(&app.db).await.unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/restore-drill");
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join(format!("{source}.dump"));

    let out = std::process::Command::new(program("pg_dump"))
        .args(["--format=custom", "--no-owner", "--file"])
        .arg(&dump)
        .arg(TestApp::conninfo(&source))
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_dump: {}", String::from_utf8_lossy(&out.stderr));
    let restored = format!("{source}_restored");
    sqlx::raw_sql(&format!("create database {restored}")).execute(&app.db).await.unwrap();
    let out = std::process::Command::new(program("pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname"])
        .arg(TestApp::conninfo(&restored))
        .arg(&dump)
        .output()
        .unwrap();
    assert!(out.status.success(), "pg_restore: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::remove_file(&dump).ok();

    let copy = TestApp::serve_database(&restored, |_| {}).await;
    assert_eq!(counts(&copy.db).await, counts(&app.db).await);
    let newest = "select action || ' ' || entity_type || ' ' || coalesce(entity_id, 0) from audit_log order by audit_id desc limit 20";
    let a: Vec<String> = sqlx::query_scalar(newest).fetch_all(&app.db).await.unwrap();
    let b: Vec<String> = sqlx::query_scalar(newest).fetch_all(&copy.db).await.unwrap();
    assert_eq!(a, b, "the same audit log");
    for (server, what) in [(&app, "original"), (&copy, "restored")] {
        let c = server.login("kommunikator@example.se").await;
        let r = c.get("/konton").await;
        assert_eq!(r.status, StatusCode::OK, "{what}");
    }
    let original = app.login("slk@example.se").await.get("/konton").await.text(".count");
    let restored_count = copy.login("slk@example.se").await.get("/konton").await.text(".count");
    assert_eq!(original, restored_count);
    assert!(original.contains("konton"), "{original}");
    // The audit log is still append-only on the restored database.
    let refused = sqlx::query("update audit_log set action = 'x'").execute(&copy.app_db).await;
    assert!(refused.is_err(), "the restored audit log can be changed");
}
