//! Cross-cutting web behaviour: CSRF, headers, error pages, health.

use reqwest::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_cross_site_post_is_refused_with_a_swedish_page() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let r = admin.post_cross_site("/admin/organisationer/2/enheter", &[("name", "Falsk")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.text("h1"), "Åtkomst nekad");
    let r = admin.post_cross_site("/logga-ut", &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(app.audit_count("unit_created").await, 0);
    // Same-origin still works.
    let r = admin.post("/admin/organisationer/2/enheter", &[("name", "Äkta")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn security_headers_and_cookie_flags() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for path in ["/logga-in", "/finns-inte", "/healthz", "/static/css/app.css"] {
        let r = c.get(path).await;
        let csp = r.headers.get("content-security-policy").unwrap().to_str().unwrap();
        assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
        assert!(r.headers.get("referrer-policy").is_some());
        assert!(r.headers.get("strict-transport-security").is_none(), "no HSTS without TLS");
    }
    let r =
        c.post("/logga-in", &[("email", "admin@example.se"), ("password", crate::helpers::PASSWORD)]).await;
    let cookie = r.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"));

    let secure = TestApp::spawn_with(|c| c.secure_cookies = true).await;
    let c = secure.client();
    assert!(c.get("/logga-in").await.headers.get("strict-transport-security").is_some());
    let r =
        c.post("/logga-in", &[("email", "admin@example.se"), ("password", crate::helpers::PASSWORD)]).await;
    assert!(r.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn error_pages_are_swedish() {
    let app = TestApp::spawn().await;
    let c = app.login("kommunikator@example.se").await;
    let r = c.get("/finns-inte").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.text("h1"), "Sidan finns inte");
    let r = c.get("/admin").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.text("h1"), "Åtkomst nekad");
    // A malformed body is a Swedish page, not a 500.
    let r = c
        .http
        .post(format!("{}/konto/losenord", c.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x00])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(r.text().await.unwrap().contains("lang=\"sv\""));
    // Too large a body: 413 in Swedish.
    let big = "x".repeat(kontoregister::BODY_LIMIT + 10);
    let r = c.post("/konto/losenord", &[("current", &big)]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.text("h1"), "För mycket data");
}

#[tokio::test]
async fn healthz_answers_from_the_database() {
    let app = TestApp::spawn().await;
    let r = app.client().get("/healthz").await;
    assert_eq!((r.status, r.body.as_str()), (StatusCode::OK, "ok"));
    // The app's pool closed: as if the database were gone.
    app.app_db.close().await;
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_accessibility_statement_is_public() {
    let app = TestApp::spawn().await;
    let r = app.client().get("/tillganglighet").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text("h1"), "Tillgänglighetsredogörelse för Kontoregistret");
}

#[tokio::test]
async fn nul_characters_get_a_swedish_422_not_a_500() {
    let app = TestApp::spawn().await;
    let c = app.login("kommunikator@example.se").await;
    let r = c.get("/konton?q=a%00b").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("main p").contains("inte är tillåtet"));
    let anon = app.client();
    let r = anon.post("/logga-in", &[("email", "a\u{0}@example.se"), ("password", "x")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Ordinary text, including %-signs, passes.
    let r = c.get("/konton?q=100%25").await;
    assert_eq!(r.status, StatusCode::OK);
}

/// The times PostgreSQL shows (`at time zone 'Europe/Stockholm'`, which the
/// reports and the audit log's date filters use) and those the pages show
/// (`Dt`, from jiff's bundled tzdb) agree, also around the switch to and from
/// summer time and at the turn of the year.
#[tokio::test]
async fn stockholm_times_agree_with_postgresql_at_the_switch_overs() {
    let app = TestApp::spawn_empty().await;
    let mut windows = Vec::new();
    for y in 2025..=2030 {
        windows.push((format!("{y}-03-24 00:00Z"), format!("{y}-04-01 00:00Z")));
        windows.push((format!("{y}-10-24 00:00Z"), format!("{y}-11-01 00:00Z")));
        windows.push((format!("{y}-12-31 20:00Z"), format!("{}-01-01 04:00Z", y + 1)));
    }
    let mut checked = 0;
    for (from, to) in windows {
        let rows: Vec<(time::OffsetDateTime, String)> = sqlx::query_as(
            "select t, to_char(t at time zone 'Europe/Stockholm', 'YYYY-MM-DD HH24:MI')
             from generate_series($1::timestamptz, $2::timestamptz, '15 minutes') t",
        )
        .bind(&from)
        .bind(&to)
        .fetch_all(&app.db)
        .await
        .unwrap();
        for (t, shown_by_postgres) in rows {
            assert_eq!(kontoregister::web::Dt(t).to_string(), shown_by_postgres, "{t}");
            let local = kontoregister::web::to_stockholm(t);
            let back =
                kontoregister::web::local_to_utc(time::PrimitiveDateTime::new(local.date(), local.time()));
            assert!(back == t || back == t - time::Duration::hours(1), "{t} back as {back}");
            checked += 1;
        }
    }
    assert!(checked > 4000, "{checked}");
}
