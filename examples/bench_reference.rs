//! The benchmark's reference endpoint: one query of 50 rows rendered to an
//! HTML table, no session, no middleware. It measures what this machine can do
//! at best, so that each page of the app is reported as a ratio to it.
//! Run by `bench/run.sh`; not part of the application.

use std::fmt::Write;

use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use sqlx::PgPool;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("DATABASE_URL")?;
    let addr = std::env::var("REFERENCE_ADDR").unwrap_or_else(|_| "127.0.0.1:8090".into());
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(&url).await?;
    let app = axum::Router::new().route("/", get(page)).with_state(pool);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn page(State(db): State<PgPool>) -> Html<String> {
    // Bench code: a plain runtime query is enough here.
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as("select account_id, name, url from accounts order by account_id limit 50")
            .fetch_all(&db)
            .await
            .unwrap_or_default();
    let mut html = String::from("<!DOCTYPE html><html lang=\"sv\"><body><table>");
    for (id, name, url) in rows {
        let _ = write!(html, "<tr><td>{id}</td><td>{}</td><td>{}</td></tr>", escape(&name), escape(&url));
    }
    html.push_str("</table></body></html>");
    Html(html)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
