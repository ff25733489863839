//! Login, lockout, throttling, sessions and passwords.

use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn login_succeeds_and_shows_the_start_page() {
    let app = TestApp::spawn().await;
    let c = app.client();
    c.get("/").await.assert_redirect("/logga-in");
    c.login("kommunikator@example.se", PASSWORD).await.assert_redirect("/");
    let start = c.get("/").await;
    assert_eq!(start.status, StatusCode::OK);
    assert_eq!(start.text("h1"), "Att göra");
    assert!(start.text(".who-name").contains("Kim Kommunikatör"));
    assert_eq!(app.audit_count("login").await, 1);
}

#[tokio::test]
async fn login_returns_to_a_local_next_only() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let r = c.get("/admin/anvandare?q=a").await;
    r.assert_redirect("/logga-in?next=/admin/anvandare%3Fq%3Da");
    let form = c.get("/logga-in?next=/admin/anvandare%3Fq%3Da").await;
    assert_eq!(form.value("input[name=next]").as_deref(), Some("/admin/anvandare?q=a"));
    let r = c
        .post(
            "/logga-in",
            &[("email", "admin@example.se"), ("password", PASSWORD), ("next", "/admin/anvandare?q=a")],
        )
        .await;
    r.assert_redirect("/admin/anvandare?q=a");

    for evil in ["//evil.example/x", "https://evil.example", "/\\evil.example"] {
        let c = app.client();
        let r = c
            .post("/logga-in", &[("email", "admin@example.se"), ("password", PASSWORD), ("next", evil)])
            .await;
        r.assert_redirect("/");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_page() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let wrong = c.login("agare@example.se", "inte-rätt-lösenord").await;
    let unknown = c.login("finns.inte@example.se", "inte-rätt-lösenord").await;
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.status, StatusCode::OK);
    assert_eq!(wrong.text(".error-summary"), "Fel e-postadress eller lösenord.");
    assert_eq!(unknown.text(".error-summary"), wrong.text(".error-summary"));
    // The pages differ only in the e-mail typed, which is kept.
    assert_eq!(
        wrong.body.replace("agare@example.se", "X"),
        unknown.body.replace("finns.inte@example.se", "X")
    );
    assert_eq!(wrong.value("#email").as_deref(), Some("agare@example.se"));
    assert!(c.session_id().is_none(), "a failed login must not create a session");
    assert_eq!(app.audit_count("login_failed").await, 2);
}

#[tokio::test]
async fn five_failures_lock_only_that_computer_and_look_like_a_wrong_password() {
    let app = TestApp::spawn().await;
    let attacker = app.client_from([127, 0, 0, 2]);
    for _ in 1..=5 {
        let r = attacker.login("agare@example.se", "fel-lösenord").await;
        assert_eq!(r.text(".error-summary"), "Fel e-postadress eller lösenord.");
    }
    assert_eq!(app.audit_count("account_locked").await, 1);
    // Locked: even the right password gets the same page as a wrong one, and
    // the same as an e-mail that does not exist after as many tries.
    let locked = attacker.login("agare@example.se", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::OK);
    for _ in 1..=6 {
        attacker.login("finns.inte@example.se", "fel-lösenord").await;
    }
    let unknown = attacker.login("finns.inte@example.se", PASSWORD).await;
    assert_eq!(
        locked.body.replace("agare@example.se", "X"),
        unknown.body.replace("finns.inte@example.se", "X"),
        "a lock must not tell that the account exists"
    );
    assert!(attacker.session_id().is_none());
    // The real user, on another computer, logs in as usual.
    let owner = app.client();
    owner.login("agare@example.se", PASSWORD).await.assert_redirect("/");
    // ... which does not lift the attacker's lock.
    let r = attacker.login("agare@example.se", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "still locked there");

    // The lock is in the database: let it run out, as 15 minutes would.
    sqlx::query("update login_failures set locked_until = now() - interval '1 second'")
        .execute(&app.db)
        .await
        .unwrap();
    attacker.login("agare@example.se", PASSWORD).await.assert_redirect("/");
    let left: i64 =
        sqlx::query_scalar("select count(*) from login_failures").fetch_one(&app.db).await.unwrap();
    assert_eq!(left, 0, "a successful login clears that computer's failures");
}

#[tokio::test]
async fn failures_outside_the_window_do_not_lock() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for _ in 0..4 {
        c.login("agare@example.se", "fel-lösenord").await;
    }
    sqlx::query("update login_failures set window_start = now() - interval '16 minutes'")
        .execute(&app.db)
        .await
        .unwrap();
    c.login("agare@example.se", "fel-lösenord").await;
    c.login("agare@example.se", PASSWORD).await.assert_redirect("/");
}

#[tokio::test]
async fn the_current_password_is_guarded_like_the_login() {
    let app = TestApp::spawn().await;
    let c = app.login("agare@example.se").await;
    let hash = || {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select password_hash from users where email = 'agare@example.se'",
            )
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let before = hash().await;
    let wrong = [
        ("current", "gissning"),
        ("new", "Ett-helt-nytt-losenord-9"),
        ("repeat", "Ett-helt-nytt-losenord-9"),
    ];
    for _ in 0..5 {
        let r = c.post("/konto/losenord", &wrong).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.text("#current-fel").contains("Det nuvarande lösenordet stämmer inte"),
            "{}",
            r.text("main")
        );
    }
    assert_eq!(app.audit_count("password_change_failed").await, 5);
    // Locked: the right password is refused too, with the reason.
    let right =
        [("current", PASSWORD), ("new", "Ett-helt-nytt-losenord-9"), ("repeat", "Ett-helt-nytt-losenord-9")];
    let r = c.post("/konto/losenord", &right).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#current-fel").contains("För många försök"), "{}", r.text("main"));
    assert_eq!(hash().await, before, "the password is not changed while locked");
}

#[tokio::test]
async fn the_password_check_is_throttled_per_address() {
    let app = TestApp::spawn_with(|c| c.login_attempts_per_minute = 3).await;
    let c = app.login("agare@example.se").await;
    let wrong = [("current", "gissning"), ("new", "x"), ("repeat", "x")];
    for _ in 0..3 {
        c.post("/konto/losenord", &wrong).await;
    }
    let r = c.post("/konto/losenord", &wrong).await;
    assert!(r.text("#current-fel").contains("För många försök"), "{}", r.text("main"));
}

#[tokio::test]
async fn login_attempts_are_throttled_per_client_address() {
    let app = TestApp::spawn_with(|c| c.login_attempts_per_minute = 3).await;
    let c = app.client();
    for _ in 0..3 {
        assert_eq!(c.login("nobody@example.se", "x").await.status, StatusCode::OK);
    }
    let r = c.login("admin@example.se", PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.text(".error-summary").contains("För många inloggningsförsök"));
}

#[tokio::test]
async fn session_id_changes_at_login_and_the_old_one_is_dead() {
    let app = TestApp::spawn().await;
    let c = app.client();
    // Logging out without a session leaves a flash, which creates an anonymous session.
    c.post("/logga-ut", &[]).await;
    let before = c.session_id().expect("an anonymous session");
    c.login("strateg@example.se", PASSWORD).await.assert_redirect("/");
    let after = c.session_id().expect("a session after login");
    assert_ne!(before, after);
    let old: i64 = sqlx::query_scalar("select count(*) from tower_sessions.session where id = $1")
        .bind(&before)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(old, 0, "the pre-login session is gone from the store");
}

#[tokio::test]
async fn logout_ends_the_session_for_a_stolen_cookie_too() {
    let app = TestApp::spawn().await;
    let c = app.login("arkivarie@example.se").await;
    let sid = c.session_id().unwrap();
    c.post("/logga-ut", &[]).await.assert_redirect("/logga-in");
    assert_eq!(c.get("/logga-in").await.text(".flash"), "Du är utloggad.");
    c.get("/").await.assert_redirect("/logga-in");
    // Replaying the old cookie does not log anyone in.
    let other = app.client();
    other.jar.add_cookie_str(&format!("kontoregister_session={sid}"), &other.base.parse().unwrap());
    other.get("/").await.assert_redirect("/logga-in");
    assert_eq!(app.audit_count("logout").await, 1);
}

#[tokio::test]
async fn a_deactivated_users_session_stops_working() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    assert_eq!(owner.get("/").await.status, StatusCode::OK);
    let admin = app.login("admin@example.se").await;
    let id = app.user_id("agare@example.se").await;
    let r = admin
        .post(&format!("/admin/anvandare/{id}"), &[("email", "agare@example.se"), ("name", "Oskar Ägare")])
        .await;
    r.assert_redirect(&format!("/admin/anvandare/{id}"));
    owner.get("/").await.assert_redirect("/logga-in");
    let again = owner.login("agare@example.se", PASSWORD).await;
    assert_eq!(again.text(".error-summary"), "Fel e-postadress eller lösenord.");
}

#[tokio::test]
async fn changing_the_password_keeps_this_session_and_ends_the_others() {
    let app = TestApp::spawn().await;
    let laptop = app.login("chef@example.se").await;
    let phone = app.login("chef@example.se").await;
    let new = "en ny lång lösenordsfras";
    let r = laptop.post("/konto/losenord", &[("current", PASSWORD), ("new", new), ("repeat", new)]).await;
    r.assert_redirect("/");
    assert_eq!(laptop.get("/").await.status, StatusCode::OK);
    phone.get("/").await.assert_redirect("/logga-in");
    assert_eq!(
        app.client().login("chef@example.se", PASSWORD).await.text(".error-summary"),
        "Fel e-postadress eller lösenord."
    );
    app.client().login("chef@example.se", new).await.assert_redirect("/");
    assert_eq!(app.audit_count("password_changed").await, 1);
}

#[tokio::test]
async fn password_rules_are_enforced_with_swedish_messages() {
    let app = TestApp::spawn().await;
    let c = app.login("chef@example.se").await;
    let r = c.post("/konto/losenord", &[("current", "fel"), ("new", "kort"), ("repeat", "kort")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.texts(".error-summary li"),
        vec!["Det nuvarande lösenordet stämmer inte.", "Lösenordet måste ha minst 12 tecken."]
    );
    let r = c
        .post(
            "/konto/losenord",
            &[("current", PASSWORD), ("new", "chef@example.se"), ("repeat", "chef@example.se")],
        )
        .await;
    assert_eq!(r.texts(".error-summary li"), vec!["Lösenordet får inte vara din e-postadress."]);
    let r = c
        .post(
            "/konto/losenord",
            &[("current", PASSWORD), ("new", "tolv tecken minst"), ("repeat", "något annat här")],
        )
        .await;
    assert_eq!(
        r.texts(".error-summary li"),
        vec!["Lösenorden är inte lika. Skriv samma nya lösenord två gånger."]
    );
    assert_eq!(app.audit_count("password_changed").await, 0);
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    let otp = kontoregister::org::create_admin(&app.db, "ny.admin@example.se", "Ny Admin").await.unwrap();
    let c = app.client();
    c.login("ny.admin@example.se", &otp).await.assert_redirect("/konto/losenord");
    c.get("/admin").await.assert_redirect("/konto/losenord");
    c.get("/").await.assert_redirect("/konto/losenord");
    let page = c.get("/konto/losenord").await;
    assert!(page.text(".notice").contains("engångslösenord"));
    let new = "mitt eget långa lösenord";
    c.post("/konto/losenord", &[("current", &otp), ("new", new), ("repeat", new)]).await.assert_redirect("/");
    assert_eq!(c.get("/admin").await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_idle_session_expires() {
    // A zero-minute idle time-out: the session is already over at the next request.
    let app = TestApp::spawn_with(|c| c.session_timeout_minutes = 0).await;
    let c = app.client();
    let r = c.login("kommunikator@example.se", PASSWORD).await;
    r.assert_redirect("/");
    let cookie =
        r.headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    // Even a client that keeps sending the cookie is not logged in: the store says it expired.
    let replay = app.client();
    replay.jar.add_cookie_str(&cookie, &replay.base.parse().unwrap());
    replay.get("/").await.assert_redirect("/logga-in");
    // With the default (8 hours) the same session goes on.
    let app = TestApp::spawn().await;
    let c = app.login("kommunikator@example.se").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn viewing_pages_does_not_write_the_session_on_every_request() {
    let app = TestApp::spawn().await;
    let c = app.login("kommunikator@example.se").await;
    let id = c.session_id().unwrap();
    let expiry = || {
        let (db, id) = (app.db.clone(), id.clone());
        async move {
            sqlx::query_scalar::<_, time::OffsetDateTime>(
                "select expiry_date from tower_sessions.session where id = $1",
            )
            .bind(id)
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    c.get("/").await;
    let first = expiry().await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for path in ["/", "/konton", "/blanketter"] {
        assert_eq!(c.get(path).await.status, StatusCode::OK);
    }
    assert_eq!(expiry().await, first, "no write within the touch interval");
    // A flash message is a change, and is saved.
    c.post("/mina-uppgifter/utbildning", &[("course", "Kurs"), ("completed_on", "2026-01-01")]).await;
    assert!(expiry().await > first);
}

#[tokio::test]
async fn old_login_counters_are_removed_and_current_ones_kept() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "insert into login_throttle (client_addr, window_start, attempts) values
           ('10.0.0.1', now() - interval '2 hours', 5), ('10.0.0.2', now(), 3)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "insert into login_failures (user_id, client_addr, window_start, failures, locked_until)
         select user_id, '10.0.0.1', now() - interval '3 days', 5, now() - interval '2 days' from users where email = 'agare@example.se'
         union all
         select user_id, '10.0.0.2', now() - interval '1 minute', 5, now() + interval '10 minutes' from users where email = 'agare@example.se'",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let n = kontoregister::auth::db::delete_old_login_rows(&mut app.app_db.acquire().await.unwrap())
        .await
        .unwrap();
    assert_eq!(n, 2, "run as the app's own database role");
    let left: Vec<String> = sqlx::query_scalar(
        "select client_addr from login_throttle union all select client_addr from login_failures",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(left, ["10.0.0.2", "10.0.0.2"]);
}
