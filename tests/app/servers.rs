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
