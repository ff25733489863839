//! Administration: organisations, units, users, roles, the audit log, scope.

use reqwest::StatusCode;

use crate::helpers::TestApp;

/// Every admin GET route (ids from the demo data).
const ADMIN_GETS: [&str; 8] = [
    "/admin",
    "/admin/organisationer",
    "/admin/organisationer/1",
    "/admin/enheter/1",
    "/admin/anvandare",
    "/admin/anvandare/ny",
    "/admin/anvandare/2",
    "/admin/logg",
];

/// Every admin POST route.
const ADMIN_POSTS: [&str; 8] = [
    "/admin/organisationer",
    "/admin/organisationer/1",
    "/admin/organisationer/1/enheter",
    "/admin/enheter/1",
    "/admin/anvandare",
    "/admin/anvandare/2",
    "/admin/anvandare/2/roller",
    "/admin/anvandare/2/losenord",
];

const NON_ADMINS: [&str; 8] = [
    "agare@example.se",
    "chef@example.se",
    "kommunikator@example.se",
    "strateg@example.se",
    "arkivarie@example.se",
    "slk@example.se",
    "chef.miljo@example.se",
    "agare.miljo@example.se",
];

#[tokio::test]
async fn every_admin_route_refuses_every_other_role() {
    let app = TestApp::spawn().await;
    let audit_before: i64 =
        sqlx::query_scalar("select count(*) from audit_log").fetch_one(&app.db).await.unwrap();
    for email in NON_ADMINS {
        let c = app.login(email).await;
        for path in ADMIN_GETS {
            let r = c.get(path).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "GET {path} as {email}");
            assert!(r.text("main p").contains("kräver rollen Administratör"), "GET {path} as {email}");
        }
        for path in ADMIN_POSTS.iter().chain(["/admin/anvandare/2/roller/1/ta-bort"].iter()) {
            let r = c.post(path, &[("name", "X"), ("email", "x@example.se")]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "POST {path} as {email}");
        }
    }
    let anon = app.client();
    for path in ADMIN_GETS {
        assert!(anon.get(path).await.location().starts_with("/logga-in"), "anonymous GET {path}");
    }
    for path in ADMIN_POSTS {
        anon.post(path, &[("name", "X")]).await.assert_redirect("/logga-in");
    }
    // Nothing changed but the logins.
    let changes: i64 =
        sqlx::query_scalar("select count(*) from audit_log where action <> 'login' and audit_id > $1")
            .bind(audit_before)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(changes, 0);
}

#[tokio::test]
async fn admin_creates_organisation_unit_and_user_who_logs_in_and_must_change_password() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let r = admin
        .post(
            "/admin/organisationer",
            &[
                ("name", "Kulturförvaltningen"),
                ("kind", "forvaltning"),
                ("decision_holder", "kulturdirektören"),
                ("delegated_role", "strategist"),
                ("closure_announcement_days", "45"),
                ("active", "on"),
            ],
        )
        .await;
    let org_id: i64 =
        sqlx::query_scalar("select organisation_id from organisations where name = 'Kulturförvaltningen'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    r.assert_redirect(&format!("/admin/organisationer/{org_id}"));
    let page = admin.get(&format!("/admin/organisationer/{org_id}")).await;
    assert_eq!(page.text(".flash"), "Organisationen Kulturförvaltningen är skapad.");
    assert_eq!(page.value("#closure_announcement_days").as_deref(), Some("45"));

    admin
        .post(&format!("/admin/organisationer/{org_id}/enheter"), &[("name", "Stadsbiblioteket")])
        .await
        .assert_redirect(&format!("/admin/organisationer/{org_id}#enheter"));
    let unit_id: i64 = sqlx::query_scalar("select unit_id from units where name = 'Stadsbiblioteket'")
        .fetch_one(&app.db)
        .await
        .unwrap();

    let created = admin
        .post(
            "/admin/anvandare",
            &[
                ("name", "Bo Bibliotekarie"),
                ("email", "bo@example.se"),
                ("title", "Bibliotekschef"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let otp = created.text(".otp code");
    assert_eq!(otp.len(), 16);
    let user_id = app.user_id("bo@example.se").await;
    admin
        .post(
            &format!("/admin/anvandare/{user_id}/roller"),
            &[("role", "manager"), ("unit_id", &unit_id.to_string())],
        )
        .await
        .assert_redirect(&format!("/admin/anvandare/{user_id}#roller"));
    let page = admin.get(&format!("/admin/anvandare/{user_id}")).await;
    assert!(
        page.texts("#roller + .table-wrap table td")
            .iter()
            .any(|t| t.contains("Stadsbiblioteket, Kulturförvaltningen"))
    );

    let bo = app.client();
    bo.login("bo@example.se", &otp).await.assert_redirect("/konto/losenord");
    bo.get("/").await.assert_redirect("/konto/losenord");
    let new = "bibliotekets hemliga fras";
    bo.post("/konto/losenord", &[("current", &otp), ("new", new), ("repeat", new)])
        .await
        .assert_redirect("/");
    let start = bo.get("/").await;
    assert!(start.text("main p").contains("Chef"));

    for action in ["organisation_created", "unit_created", "user_created", "role_granted", "password_changed"]
    {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[tokio::test]
async fn invalid_organisation_lists_every_error_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let r = admin
        .post(
            "/admin/organisationer",
            &[
                ("name", "  "),
                ("kind", "kommun"),
                ("decision_holder", ""),
                ("delegated_role", "admin"),
                ("closure_announcement_days", "trettio <b>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let links: Vec<String> = {
        let sel = scraper::Selector::parse(".error-summary a").unwrap();
        r.html().select(&sel).map(|a| a.value().attr("href").unwrap().to_string()).collect()
    };
    assert_eq!(
        links,
        ["#name", "#kind", "#decision_holder", "#delegated_role", "#closure_announcement_days"]
    );
    assert_eq!(r.value("#closure_announcement_days").as_deref(), Some("trettio <b>"));
    assert!(r.body.contains("trettio &#60;b&#62;") || r.body.contains("trettio &lt;b&gt;"));
    assert_eq!(r.text("#closure_announcement_days-fel"), "Fel: Ange ett antal dagar mellan 1 och 365.");

    // A duplicate name is a field error, not a 500.
    let r = admin
        .post(
            "/admin/organisationer",
            &[
                ("name", "miljöförvaltningen"),
                ("kind", "bolag"),
                ("decision_holder", "vd"),
                ("delegated_role", "strategist"),
                ("closure_announcement_days", "30"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li"), vec!["Det finns redan en organisation med det namnet."]);
}

#[tokio::test]
async fn users_are_deactivated_never_deleted_and_roles_are_revoked() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let id = app.user_id("arkivarie@example.se").await;
    let r =
        admin.post(&format!("/admin/anvandare/{id}"), &[("name", "Arvid Arkivarie"), ("email", "bad")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li"), vec!["Skriv e-postadressen som namn@exempel.se."]);

    let rid: i64 = sqlx::query_scalar("select role_assignment_id from role_assignments where user_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    admin
        .post(&format!("/admin/anvandare/{id}/roller/{rid}/ta-bort"), &[])
        .await
        .assert_redirect(&format!("/admin/anvandare/{id}#roller"));
    // Revoking twice is 404, not a second audit row.
    assert_eq!(
        admin.post(&format!("/admin/anvandare/{id}/roller/{rid}/ta-bort"), &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let (active, total): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where active), count(*) from role_assignments where user_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((active, total), (0, 1));
    assert_eq!(app.audit_count("role_revoked").await, 1);

    // An admin cannot lock themself out.
    let me = app.user_id("admin@example.se").await;
    let r = admin
        .post(&format!("/admin/anvandare/{me}"), &[("name", "Alva Admin"), ("email", "admin@example.se")])
        .await;
    assert_eq!(r.texts(".error-summary li"), vec!["Du kan inte inaktivera dig själv."]);
}

#[tokio::test]
async fn password_reset_gives_a_one_time_password_and_unlocks() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let owner = app.login("agare@example.se").await;
    sqlx::query(
        "insert into login_failures (user_id, client_addr, window_start, failures, locked_until)
         select user_id, '127.0.0.1', now(), 5, now() + interval '10 minutes' from users where email = 'agare@example.se'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let id = app.user_id("agare@example.se").await;
    // The reset asks first and changes nothing until confirmed.
    let ask = admin.post(&format!("/admin/anvandare/{id}/losenord"), &[]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert_eq!(ask.text("h1"), "Återställa lösenordet för Oskar Ägare?");
    assert!(ask.texts(".otp").is_empty());
    assert_eq!(app.audit_count("password_reset").await, 0);
    let r = admin.post(&format!("/admin/anvandare/{id}/losenord"), &[("bekraftat", "ja")]).await;
    let otp = r.text(".otp code");
    assert_eq!(otp.len(), 16);
    owner.get("/").await.assert_redirect("/logga-in");
    let c = app.client();
    c.login("agare@example.se", &otp).await.assert_redirect("/konto/losenord");
    assert_eq!(app.audit_count("password_reset").await, 1);
}

#[tokio::test]
async fn organisation_pages_are_scoped() {
    let app = TestApp::spawn().await;
    // Östermalm = 1, Miljöförvaltningen = 2 in the demo data.
    for (email, own, other) in [
        ("kommunikator@example.se", StatusCode::OK, StatusCode::NOT_FOUND),
        ("strateg@example.se", StatusCode::OK, StatusCode::NOT_FOUND),
        ("arkivarie@example.se", StatusCode::OK, StatusCode::NOT_FOUND),
        // In scope, but owners and managers lack the role: 403. Outside: 404.
        ("agare@example.se", StatusCode::FORBIDDEN, StatusCode::NOT_FOUND),
        ("chef@example.se", StatusCode::FORBIDDEN, StatusCode::NOT_FOUND),
        ("slk@example.se", StatusCode::OK, StatusCode::OK),
        ("admin@example.se", StatusCode::OK, StatusCode::OK),
    ] {
        let c = app.login(email).await;
        assert_eq!(c.get("/organisationer/1").await.status, own, "{email} own");
        assert_eq!(c.get("/organisationer/2").await.status, other, "{email} other");
        assert_eq!(c.get("/organisationer/999").await.status, StatusCode::NOT_FOUND, "{email} missing");
    }
    let c = app.login("chef.miljo@example.se").await;
    assert_eq!(c.get("/organisationer/1").await.status, StatusCode::NOT_FOUND);
    let page = app.login("kommunikator@example.se").await.get("/organisationer/1").await;
    assert!(page.texts("td").iter().any(|t| t == "Cecilia Chef"));
}

#[tokio::test]
async fn the_audit_log_is_written_listed_and_cannot_be_changed() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    admin.post("/admin/organisationer/2/enheter", &[("name", "Buller")]).await;
    let log = admin.get("/admin/logg?action=unit_created").await;
    assert_eq!(log.status, StatusCode::OK);
    let rows = log.texts("table.log tbody tr");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].contains("admin@example.se") && rows[0].contains("Buller"), "{}", rows[0]);
    let r = admin.get("/admin/logg?from=igår").await;
    assert!(r.text("p.field-error").contains("ÅÅÅÅ-MM-DD"));

    let upd = sqlx::query("update audit_log set action = 'x'").execute(&app.db).await;
    assert!(upd.unwrap_err().to_string().contains("append-only"));
    let del = sqlx::query("delete from audit_log").execute(&app.db).await;
    assert!(del.unwrap_err().to_string().contains("append-only"));
    let trunc = sqlx::query("truncate audit_log").execute(&app.db).await;
    assert!(trunc.is_err());
}

#[tokio::test]
async fn the_admin_extends_the_platforms_and_the_form_offers_them() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let r = admin.post("/admin/plattformar", &[("name", "instagram")]).await;
    assert_eq!(r.texts(".error-summary li"), ["Den plattformen finns redan."]);
    admin.post("/admin/plattformar", &[("name", "Discord")]).await.assert_redirect("/admin/plattformar");
    let owner = app.login("agare@example.se").await;
    assert!(owner.get("/blanketter/ny").await.texts("#platform_id option").contains(&"Discord".to_string()));
    let id: i64 = sqlx::query_scalar("select platform_id from platforms where name = 'Discord'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    admin
        .post(&format!("/admin/plattformar/{id}"), &[("active", "0")])
        .await
        .assert_redirect("/admin/plattformar");
    assert!(!owner.get("/blanketter/ny").await.texts("#platform_id option").contains(&"Discord".to_string()));
    assert_eq!(app.audit_count("platform_created").await, 1);
    assert_eq!(app.audit_count("platform_updated").await, 1);
}

/// Deactivation ends the user's sessions for good: reactivating the user
/// does not bring an old cookie back to life.
#[tokio::test]
async fn deactivating_a_user_ends_their_sessions_also_after_reactivation() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let arkivarie = app.login("arkivarie@example.se").await;
    assert_eq!(arkivarie.get("/arkivering").await.status, StatusCode::OK);
    let id = app.user_id("arkivarie@example.se").await;
    let path = format!("/admin/anvandare/{id}");
    let fields = |active: bool| {
        let mut f =
            vec![("name", "Arvid Arkivarie"), ("email", "arkivarie@example.se"), ("title", "Arkivarie")];
        if active {
            f.push(("active", "on"));
        }
        f
    };
    admin.post(&path, &fields(false)).await.assert_redirect(&path);
    assert!(arkivarie.get("/arkivering").await.location().starts_with("/logga-in"), "refused while inactive");
    admin.post(&path, &fields(true)).await.assert_redirect(&path);
    let r = arkivarie.get("/arkivering").await;
    assert!(
        r.location().starts_with("/logga-in"),
        "the old cookie must stay dead: {} {}",
        r.status,
        r.location()
    );
    // A new login works, and saving an active user again ends nothing.
    let again = app.login("arkivarie@example.se").await;
    admin.post(&path, &fields(true)).await.assert_redirect(&path);
    assert_eq!(again.get("/arkivering").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_name_or_address_that_exists_is_refused_on_its_field_by_its_constraint() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let org: i64 = sqlx::query_scalar("select organisation_id from units where name = 'Förskola'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let r = admin.post(&format!("/admin/organisationer/{org}/enheter"), &[("name", "FÖRSKOLA")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li"), ["Organisationen har redan en enhet med det namnet."]);
    let r = admin
        .post("/admin/anvandare", &[("email", "Agare@Example.se"), ("name", "Någon Annan"), ("active", "on")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li"), ["Det finns redan en användare med den e-postadressen."]);
    let id = app.user_id("agare@example.se").await;
    let r = admin
        .post(
            &format!("/admin/anvandare/{id}/roller"),
            &[("role", "account_owner"), ("organisation_id", &org.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the owner has that role there already");
    assert_eq!(r.texts(".error-summary li"), ["Användaren har redan den rollen där."]);
}
