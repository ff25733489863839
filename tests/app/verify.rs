//! Public verification and open data, on the demo data: no login, no personal data.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{PASSWORD, Resp, TestApp};

async fn demo() -> TestApp {
    let app = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap());
    app
}

fn json(r: &Resp) -> Value {
    serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}: {}", r.body))
}

fn q(address: &str) -> String {
    url_escape(address)
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// No user's e-mail address or name anywhere in a public answer.
async fn assert_no_personal_data(app: &TestApp, what: &str, body: &str) {
    let people: Vec<(String, String)> =
        sqlx::query_as("select email, name from users").fetch_all(&app.db).await.unwrap();
    for (email, name) in people {
        assert!(!body.contains(&email), "{what} shows {email}");
        assert!(!body.contains(&name), "{what} shows {name}");
    }
}

#[tokio::test]
async fn a_messy_address_of_an_official_account_is_confirmed_and_the_rest_are_not() {
    let app = demo().await;
    let c = app.client();
    // A pasted Instagram address: capitals, a tracking parameter, no scheme.
    let messy = "INSTAGRAM.com/KulturOchFritidOstermalm/?igsh=MWQ1ZGUxMzBkMA==";
    let page = c.get(&format!("/verifiera?adress={}", q(messy))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("#svar"), "Ja, det är ett av stadens officiella konton");
    assert!(
        page.text(".verify-match")
            .contains("Det här är Östermalms stadsdelsförvaltnings officiella konto på Instagram.")
    );
    assert_eq!(page.value("#adress").as_deref(), Some(messy), "what was typed stays in the field");
    let j = json(&c.get(&format!("/verifiera.json?adress={}", q(messy))).await);
    assert_eq!(j["status"], "official");
    assert_eq!(j["accounts"][0]["account_name"], "Kultur och fritid Östermalm");
    assert_eq!(j["accounts"][0]["address"], "https://www.instagram.com/kulturochfritidostermalm");
    assert_eq!(j["accounts"][0]["unit"], "Kultur och fritid");

    // A closed account: no longer the city's.
    let r = c.get("/verifiera.json?adress=twitter.com/OstermalmsUngdomsrad").await;
    assert_eq!(r.headers.get("access-control-allow-origin").unwrap(), "*");
    let j = json(&r);
    assert_eq!(j["status"], "closed");
    let last_year = kontoregister::web::stockholm_now_date().year() - 1;
    assert_eq!(j["accounts"][0]["until"], format!("{last_year}-12-20"));
    let page = c.get("/verifiera?adress=x.com/ostermalmsungdomsrad").await;
    assert_eq!(page.text("#svar"), "Kontot är inte längre stadens");
    assert!(page.text(".verify-match").contains(&format!(
        "Detta var Östermalms stadsdelsförvaltnings konto på X till {last_year}-12-20. Staden använder det inte längre; om det är aktivt kan det tillhöra någon annan."
    )));

    // A made-up one is unknown, with what to do and whom to tell.
    let page = c.get("/verifiera?adress=https://www.instagram.com/ostermalm_officiell").await;
    assert_eq!(page.text("#svar"), "Kontot finns inte i stadens register");
    assert!(page.body.contains("kommunikation.ostermalm@example.se"), "the organisation's contact address");
    assert_eq!(
        json(&c.get("/verifiera.json?adress=instagram.com/ostermalm_officiell").await)["status"],
        "unknown"
    );

    // Not an address: the message next to the field, what was typed kept.
    let page = c.get("/verifiera?adress=inte%20en%20adress").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text("#adress-fel").contains("Skriv en adress"));
    assert_eq!(page.value("#adress").as_deref(), Some("inte en adress"));
    let r = c.get("/verifiera.json?adress=").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(json(&r)["status"], "error");

    // An approved account that has not started is not public.
    let approved: i64 =
        sqlx::query_scalar("select account_id from accounts where state = 'approved' limit 1")
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query("update accounts set url = 'https://www.instagram.com/intestartat' where account_id = $1")
        .bind(approved)
        .execute(&app.db)
        .await
        .unwrap();
    kontoregister::accounts::db::sync_keys(&mut app.db.acquire().await.unwrap()).await.unwrap();
    assert_eq!(json(&c.get("/verifiera.json?adress=instagram.com/intestartat").await)["status"], "unknown");

    for path in [
        format!("/verifiera?adress={}", q(messy)),
        "/verifiera?adress=x.com/ostermalmsungdomsrad".into(),
        "/verifiera?adress=instagram.com/ostermalm_officiell".into(),
        format!("/verifiera.json?adress={}", q(messy)),
        "/verifiera.json?adress=x.com/ostermalmsungdomsrad".into(),
        "/oppna-data".into(),
        "/oppna-data/konton.json".into(),
        "/oppna-data/konton.csv".into(),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_no_personal_data(&app, &path, &r.body).await;
    }
}

#[tokio::test]
async fn a_changed_address_is_recognised_as_used_before_and_a_handle_on_several_platforms_lists_each() {
    let app = demo().await;
    let (id, platform, unit): (i64, i64, i64) = sqlx::query_as(
        "select account_id, platform_id, unit_id from accounts where name = 'Kultur och fritid Östermalm'",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    let komm = app.login("kommunikator@example.se").await;
    komm.post(
        &format!("/konton/{id}/uppgifter"),
        &[
            ("name", "Kultur och fritid Östermalm"),
            ("url", "https://www.instagram.com/kulturostermalm"),
            ("platform_id", &platform.to_string()),
            ("unit_id", &unit.to_string()),
        ],
    )
    .await
    .assert_redirect(&format!("/konton/{id}"));
    let c = app.client();
    let j = json(&c.get("/verifiera.json?adress=instagram.com/kulturochfritidostermalm").await);
    assert_eq!(j["status"], "closed", "the old address is no longer the city's: {j}");
    let today = kontoregister::web::stockholm_now_date().to_string();
    assert_eq!(j["accounts"][0]["until"], today);
    let j = json(&c.get("/verifiera.json?adress=@KulturOstermalm").await);
    assert_eq!(j["status"], "official");
    assert_eq!(j["accounts"][0]["address"], "https://www.instagram.com/kulturostermalm");

    // The same address cannot be registered for a second open account.
    let other: i64 =
        sqlx::query_scalar("select account_id from accounts where name = 'Stadsmiljö Östermalm'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let r = komm
        .post(
            &format!("/konton/{other}/uppgifter"),
            &[
                ("name", "Stadsmiljö Östermalm"),
                ("url", "https://Instagram.com/KulturOstermalm?igsh=x"),
                ("platform_id", &platform.to_string()),
                ("unit_id", &unit.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text("#details_url-fel")
            .contains("Adressen finns redan i registret, för Kultur och fritid Östermalm"),
        "{:?}",
        r.texts(".field-error, .error-summary li")
    );

    // A handle on two platforms: both are listed.
    let facebook: i64 = sqlx::query_scalar("select platform_id from platforms where name = 'Facebook'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    komm.post(
        &format!("/konton/{other}/uppgifter"),
        &[
            ("name", "Stadsmiljö Östermalm"),
            ("url", "https://www.facebook.com/kulturostermalm"),
            ("platform_id", &facebook.to_string()),
            ("unit_id", &unit.to_string()),
        ],
    )
    .await
    .assert_redirect(&format!("/konton/{other}"));
    let j = json(&c.get("/verifiera.json?adress=@kulturostermalm").await);
    let platforms: Vec<&str> =
        j["accounts"].as_array().unwrap().iter().map(|a| a["platform"].as_str().unwrap()).collect();
    assert_eq!(platforms, ["Facebook", "Instagram"], "{j}");
    let page = c.get("/verifiera?adress=%40kulturostermalm").await;
    assert!(page.body.contains("Användarnamnet @kulturostermalm finns på flera plattformar"));
}

#[tokio::test]
async fn open_data_has_validators_and_leaves_out_hidden_accounts_which_still_verify() {
    let app = demo().await;
    let c = app.client();
    let r = c.get("/oppna-data/konton.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let etag = r.headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert!(r.headers.get("last-modified").is_some());
    assert_eq!(r.headers.get("cache-control").unwrap(), "public, max-age=300");
    let names = |r: &Resp| -> Vec<String> {
        json(r)["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["account_name"].as_str().unwrap().to_string())
            .collect()
    };
    let first = &json(&r)["accounts"][0];
    assert!(
        first["start_date"].as_str().is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-'),
        "{first}"
    );
    assert!(r.body.starts_with(r#"{"accounts":[{"organisation":"#), "fields in the documented order");
    let before = names(&r);
    assert!(before.contains(&"Kultur och fritid Östermalm".to_string()));
    assert!(before.contains(&"Östermalms ungdomsråd".to_string()), "closed last year: still listed");
    assert!(!before.contains(&"Fritidsgården Hjorthagen".to_string()), "approved, not started");
    let again = c.get_with("/oppna-data/konton.json", &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let csv = c.get("/oppna-data/konton.csv").await;
    assert!(csv.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("organisation,enhet,plattform,konto,adress,startdatum,avslutat\n"));
    let csv_etag = csv.headers.get("etag").unwrap().to_str().unwrap().to_string();
    assert_eq!(
        c.get_with("/oppna-data/konton.csv", &[("if-none-match", &csv_etag)]).await.status,
        StatusCode::NOT_MODIFIED
    );

    // The communicator leaves an account out of open data.
    let id: i64 =
        sqlx::query_scalar("select account_id from accounts where name = 'Kultur och fritid Östermalm'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(
        app.login("agare@example.se")
            .await
            .post(&format!("/konton/{id}/oppna-data"), &[("visas", "nej")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let komm = app.login("kommunikator@example.se").await;
    komm.post(&format!("/konton/{id}/oppna-data"), &[("visas", "nej")])
        .await
        .assert_redirect(&format!("/konton/{id}"));
    assert_eq!(app.audit_count("account_open_data_changed").await, 1);
    let after = c.get_with("/oppna-data/konton.json", &[("if-none-match", &etag)]).await;
    assert_eq!(after.status, StatusCode::OK, "changed: a new version");
    assert!(!names(&after).contains(&"Kultur och fritid Östermalm".to_string()));
    assert!(!c.get("/oppna-data/konton.csv").await.body.contains("Kultur och fritid Östermalm"));
    assert_eq!(
        json(&c.get("/verifiera.json?adress=instagram.com/kulturochfritidostermalm").await)["status"],
        "official",
        "hidden from open data, still the city's"
    );
    let page = komm.get(&format!("/konton/{id}")).await;
    assert!(page.text("#oppna-data").contains("Kontot visas inte i stadens öppna data."));
}

#[tokio::test]
async fn the_public_pages_are_rate_limited_per_client_address() {
    let app = TestApp::spawn_with(|c| c.public_requests_per_minute = 3).await;
    let c = app.client_from([127, 0, 0, 23]);
    for _ in 0..3 {
        assert_eq!(c.get("/verifiera.json?adress=@x").await.status, StatusCode::OK);
    }
    let r = c.get("/verifiera.json?adress=@x").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers.get("retry-after").unwrap(), "60");
    assert!(json(&r)["message"].as_str().unwrap().contains("Vänta en minut"));
    let page = c.get("/verifiera?adress=@x").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.text("main p").contains("Vänta en minut"), "{}", page.text("main"));
    assert_eq!(c.get("/oppna-data/konton.csv").await.status, StatusCode::TOO_MANY_REQUESTS);
    // Another address is not affected.
    assert_eq!(
        app.client_from([127, 0, 0, 24]).get("/verifiera.json?adress=@x").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_administrator_sets_where_the_public_reports_a_fake_account() {
    let app = demo().await;
    let org: i64 =
        sqlx::query_scalar("select organisation_id from organisations where name = 'Miljöförvaltningen'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let admin = app.login("admin@example.se").await;
    let path = format!("/admin/organisationer/{org}");
    let fields = |contact: &'static str| {
        vec![
            ("name", "Miljöförvaltningen"),
            ("kind", "forvaltning"),
            ("decision_holder", "förvaltningsdirektören"),
            ("delegated_role", "strategist"),
            ("closure_announcement_days", "30"),
            ("public_contact", contact),
            ("active", "on"),
        ]
    };
    let r = admin.post(&path, &fields("x".repeat(201).leak())).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#public_contact-fel").contains("högst 200 tecken"));
    assert!(admin.post(&path, &fields("miljo.kommunikation@example.se")).await.status.is_redirection());
    let page = app.client().get("/verifiera?adress=instagram.com/miljo_fejk").await;
    assert!(
        page.texts("table td").contains(&"miljo.kommunikation@example.se".to_string()),
        "{:?}",
        page.texts("table td")
    );
}
