//! Two app servers on one PostgreSQL, as production runs them behind a proxy:
//! a session made on one holds on the other, and a logout on one ends it on
//! both at once.

use reqwest::StatusCode;

use crate::helpers::{Client, TestApp};

fn with_session(server: &TestApp, cookie: &str) -> Client {
    let c = server.client();
    let url = c.base.parse().unwrap();
    c.jar.add_cookie_str(&format!("kontoregister_session={cookie}; Path=/"), &url);
    c
}

#[tokio::test]
async fn a_session_holds_on_both_servers_and_a_logout_ends_it_on_both() {
    let one = TestApp::spawn().await;
    let two = one.serve_again(|_| {}).await;
    let c = one.login("kommunikator@example.se").await;
    let cookie = c.session_id().expect("a session cookie");
    let on_two = with_session(&two, &cookie);
    let home = on_two.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(
        home.text(".who-name").contains("Kim Kommunikatör"),
        "the session from server one holds on server two"
    );

    c.post("/logga-ut", &[]).await.assert_redirect("/logga-in");
    let after = with_session(&two, &cookie).get("/konton").await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert!(
        after.location().starts_with("/logga-in"),
        "the logout on server one ends the session on server two"
    );
    let back_on_one = with_session(&one, &cookie).get("/konton").await;
    assert!(back_on_one.location().starts_with("/logga-in"));
}

/// Each server caches the users it loads. Server two serves the user from its
/// cache (a change written past the version, as no code path does, stays
/// unseen there), and yet every real change made on server one holds on
/// server two at its very next request: a removed role, a new password in
/// another session, a deactivation.
#[tokio::test]
async fn each_server_caches_users_and_every_change_on_one_holds_at_once_on_the_other() {
    let one = TestApp::spawn().await;
    let two = one.serve_again(|_| {}).await;
    let admin = one.login("admin@example.se").await;
    let kim = one.login("kommunikator@example.se").await;
    let cookie = kim.session_id().expect("a session cookie");
    let id = one.user_id("kommunikator@example.se").await;
    let on_two = with_session(&two, &cookie);
    assert_eq!(on_two.get("/rapporter").await.status, StatusCode::OK);

    // The cache is used: a name written with the triggers off (so without a
    // new version) is not what server two shows.
    let mut tx = one.db.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica").execute(&mut *tx).await.unwrap();
    sqlx::query("update users set name = 'Utan Version' where user_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(on_two.get("/").await.text(".who-name").contains("Kim Kommunikatör"), "served from the cache");
    sqlx::query("update users set name = 'Kim Kommunikatör' where user_id = $1")
        .bind(id)
        .execute(&one.db)
        .await
        .unwrap();

    // A role removed on one: refused on two at the next request.
    let (rid, org): (i64, i64) = sqlx::query_as(
        "select role_assignment_id, organisation_id from role_assignments
         where user_id = $1 and role = 'communicator' and active",
    )
    .bind(id)
    .fetch_one(&one.db)
    .await
    .unwrap();
    admin
        .post(&format!("/admin/anvandare/{id}/roller/{rid}/ta-bort"), &[])
        .await
        .assert_redirect(&format!("/admin/anvandare/{id}#roller"));
    assert_eq!(on_two.get("/rapporter").await.status, StatusCode::FORBIDDEN, "the removed role holds on two");
    admin
        .post(
            &format!("/admin/anvandare/{id}/roller"),
            &[("role", "communicator"), ("organisation_id", &org.to_string()), ("unit_id", "")],
        )
        .await
        .assert_redirect(&format!("/admin/anvandare/{id}#roller"));
    assert_eq!(on_two.get("/rapporter").await.status, StatusCode::OK, "the role given back holds on two");

    // A new password set in a second session on one ends this session on two.
    let second = one.login("kommunikator@example.se").await;
    let new = "Ett-helt-nytt-losenord-9";
    second
        .post("/konto/losenord", &[("current", crate::helpers::PASSWORD), ("new", new), ("repeat", new)])
        .await
        .assert_redirect("/");
    assert!(on_two.get("/konton").await.location().starts_with("/logga-in"), "the new password holds on two");

    // A deactivation on one ends the second session on two.
    let on_two = with_session(&two, &second.session_id().expect("the second session"));
    assert_eq!(on_two.get("/konton").await.status, StatusCode::OK);
    admin
        .post(
            &format!("/admin/anvandare/{id}"),
            &[("name", "Kim Kommunikatör"), ("email", "kommunikator@example.se")],
        )
        .await
        .assert_redirect(&format!("/admin/anvandare/{id}"));
    assert!(on_two.get("/konton").await.location().starts_with("/logga-in"), "the deactivation holds on two");
}
