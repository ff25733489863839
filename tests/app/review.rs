//! The yearly review: the communicator starts it, owners confirm their accounts
//! (or say one is no longer used), the progress and the SLK report follow, and
//! a closed review takes no more answers.

use reqwest::StatusCode;

use crate::accounts::account;
use crate::helpers::TestApp;

/// An app pretending it is 2026-12-10 with two active Östermalm accounts, a
/// closed one and one in Miljöförvaltningen.
async fn december() -> (TestApp, i64, i64, i64, i64) {
    let app = TestApp::spawn_with(|c| c.today = Some(time::macros::date!(2026 - 12 - 10))).await;
    let larkan = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let senior = account(&app, "Äldreomsorg", "Seniorträffar", "active", "kommunikator@example.se").await;
    let closed = account(&app, "Förskola", "Gamla förskolan", "closed", "agare@example.se").await;
    let miljo =
        account(&app, "Miljöövervakning", "Luften i Stockholm", "active", "agare.miljo@example.se").await;
    (app, larkan, senior, closed, miljo)
}

fn yes<'a>(purpose: &'a str, followers: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("in_use", "ja"),
        ("purpose", purpose),
        ("target_groups", "Föräldrar i Östermalm"),
        ("followers", followers),
        ("frequency", "varje_vecka"),
        ("closure_reason", ""),
    ]
}

#[tokio::test]
async fn a_review_from_start_to_close() {
    let (app, larkan, senior, _, miljo) = december().await;
    let komm = app.login("kommunikator@example.se").await;
    let owner = app.login("agare@example.se").await;

    // December, nothing started: the communicator is asked to start it.
    let home = komm.get("/").await;
    assert!(
        home.texts("ul.tasks a").contains(&"Starta årlig genomgång 2026".to_string()),
        "{:?}",
        home.texts("ul.tasks a")
    );
    let page = komm.get("/rapporter/genomgang/2026").await;
    assert!(page.text("main").contains("är inte startad"), "{}", page.text("main"));
    // Before it starts there is nothing to confirm.
    let r = owner.get(&format!("/konton/{larkan}/bekrafta")).await;
    assert!(r.text(".notice").contains("Ingen årlig genomgång pågår"), "{}", r.text("main"));
    assert!(
        owner.get("/").await.texts("ul.tasks a").iter().all(|t| !t.starts_with("Bekräfta kontouppgifter"))
    );

    // Years too far back or ahead cannot be started.
    assert_eq!(komm.post("/rapporter/genomgang/2024/starta", &[]).await.status, StatusCode::CONFLICT);
    assert_eq!(komm.post("/rapporter/genomgang/2027/starta", &[]).await.status, StatusCode::CONFLICT);
    komm.post("/rapporter/genomgang/2026/starta", &[]).await.assert_redirect("/rapporter/genomgang/2026");
    assert_eq!(app.audit_count("review_started").await, 1);
    let again = komm.post("/rapporter/genomgang/2026/starta", &[]).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("redan startad"), "{}", again.body);
    // SLK reads the progress but does not change it; the Miljö owner sees nothing.
    let slk = app.login("slk@example.se").await;
    let org: i64 = sqlx::query_scalar("select organisation_id from accounts where account_id = $1")
        .bind(larkan)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let r = slk.get(&format!("/rapporter/genomgang/2026?organisation={org}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.texts("main form").is_empty(), "SLK gets no buttons");
    assert_eq!(
        slk.post(&format!("/rapporter/genomgang/2026/avsluta?organisation={org}"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let other = app.login("agare.miljo@example.se").await;
    assert_eq!(other.get(&format!("/konton/{larkan}/bekrafta")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.post(&format!("/konton/{larkan}/bekrafta"), &yes("x", "")).await.status,
        StatusCode::NOT_FOUND
    );
    // Miljöförvaltningen has no review: its owner has nothing to confirm.
    assert!(
        other.get("/").await.texts("ul.tasks a").iter().all(|t| !t.starts_with("Bekräfta kontouppgifter"))
    );
    let r = other.get(&format!("/konton/{miljo}/bekrafta")).await;
    assert!(r.text(".notice").contains("Ingen årlig genomgång pågår"));

    // The owner's task, and the form pre-filled with the account's data.
    let tasks = owner.get("/").await.texts("ul.tasks a");
    assert!(tasks.contains(&"Bekräfta kontouppgifter för Förskolan Lärkan".to_string()), "{tasks:?}");
    assert!(!tasks.iter().any(|t| t.contains("Gamla förskolan")), "a closed account is not confirmed");
    let form = owner.get(&format!("/konton/{larkan}/bekrafta")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.text("textarea#purpose"), "Syfte");

    // A wrong number keeps everything typed and says what is wrong, next to the field.
    let bad = owner.post(&format!("/konton/{larkan}/bekrafta"), &yes("Nytt syfte för året", "många")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#followers-fel").contains("Skriv antalet följare med siffror"), "{}", bad.body);
    assert_eq!(bad.value("#followers").as_deref(), Some("många"));
    assert_eq!(bad.text("textarea#purpose"), "Nytt syfte för året");
    let bad = owner.post(&format!("/konton/{larkan}/bekrafta"), &yes("  ", "")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#purpose-fel").contains("Beskriv kontots syfte"));
    let mut wrong = yes("Syfte", "");
    wrong[4] = ("frequency", "<script>");
    assert_eq!(
        owner.post(&format!("/konton/{larkan}/bekrafta"), &wrong).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.audit_count("account_confirmed").await, 0);

    // Confirmed: the account carries the new data, the date, its history and the audit row.
    owner
        .post(&format!("/konton/{larkan}/bekrafta"), &yes("Nytt syfte för året", "12 500"))
        .await
        .assert_redirect("/");
    let home = owner.get("/").await;
    assert!(home.text(".flash").contains("är bekräftade för 2026"), "{}", home.text(".flash"));
    assert!(
        !home.texts("ul.tasks a").contains(&"Bekräfta kontouppgifter för Förskolan Lärkan".to_string()),
        "done"
    );
    let (purpose, followers, freq, on): (String, Option<i32>, String, Option<time::Date>) = sqlx::query_as(
        "select purpose, followers, publishing_frequency, last_confirmed_on from accounts where account_id = $1",
    )
    .bind(larkan)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(
        (purpose.as_str(), followers, freq.as_str(), on),
        ("Nytt syfte för året", Some(12_500), "varje_vecka", Some(time::macros::date!(2026 - 12 - 10)))
    );
    assert_eq!(app.audit_count("account_confirmed").await, 1);
    let show = owner.get(&format!("/konton/{larkan}")).await;
    assert!(show.text("main").contains("Senast bekräftad2026-12-10"), "{}", show.text("main"));
    assert!(show.text("main").contains("Följare12 500 PubliceringstaktVarje vecka"), "{}", show.text("main"));
    assert!(
        show.texts("ol.timeline li")
            .iter()
            .any(|h| h.contains("Kontouppgifterna bekräftade i den årliga genomgången")),
        "{:?}",
        show.texts("ol.timeline li")
    );
    // Answering again shows the earlier answer and replaces it.
    assert!(
        owner
            .get(&format!("/konton/{larkan}/bekrafta"))
            .await
            .text(".notice")
            .contains("Uppgifterna bekräftades")
    );

    // Progress: one of two, the other named; the report warns about the one left.
    let page = komm.get("/rapporter/genomgang/2026").await;
    assert_eq!(page.text(".review-total"), "1 av 2 konton är bekräftade");
    assert!(page.text("main").contains("Seniorträffar"));
    let report = komm.get("/rapporter/slk/2026").await;
    assert!(
        report
            .texts("ul.warnings li")
            .contains(&"1 konto inte bekräftat i den årliga genomgången 2026".to_string()),
        "{:?}",
        report.texts("ul.warnings li")
    );
    let tasks = komm.get("/").await.texts("ul.tasks li");
    assert!(
        tasks
            .iter()
            .any(|t| t.contains("Följ upp den årliga genomgången 2026")
                && t.contains("1 av 2 konton bekräftade")),
        "{tasks:?}"
    );

    // Closed: no more answers, the tasks end, the unconfirmed account still warns.
    komm.post("/rapporter/genomgang/2026/avsluta", &[]).await.assert_redirect("/rapporter/genomgang/2026");
    assert_eq!(app.audit_count("review_closed").await, 1);
    assert_eq!(komm.post("/rapporter/genomgang/2026/avsluta", &[]).await.status, StatusCode::CONFLICT);
    let late = komm.post(&format!("/konton/{senior}/bekrafta"), &yes("Syfte", "")).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.body.contains("Den årliga genomgången är avslutad"), "{}", late.body);
    assert!(komm.get("/").await.texts("ul.tasks a").iter().all(|t| !t.contains("genomgång")));
    assert!(
        komm.get("/rapporter/slk/2026")
            .await
            .texts("ul.warnings li")
            .contains(&"1 konto inte bekräftat i den årliga genomgången 2026".to_string())
    );
    // A closed year is not started again.
    assert_eq!(komm.post("/rapporter/genomgang/2026/starta", &[]).await.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_account_no_longer_used_is_asked_to_be_closed() {
    let (app, larkan, _, closed, _) = december().await;
    let komm = app.login("kommunikator@example.se").await;
    let owner = app.login("agare@example.se").await;
    komm.post("/rapporter/genomgang/2026/starta", &[]).await.assert_redirect("/rapporter/genomgang/2026");
    let no = |reason: &'static str| vec![("in_use", "nej"), ("purpose", ""), ("closure_reason", reason)];

    // "No" needs a reason, and keeps the answer chosen.
    let bad = owner.post(&format!("/konton/{larkan}/bekrafta"), &no("")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#closure_reason-fel").contains("Skriv varför kontot ska avslutas"), "{}", bad.body);
    assert!(
        bad.body.contains(r#"value="nej" checked"#) || bad.body.contains(r#"value="nej"  checked"#),
        "the answer is kept"
    );

    owner
        .post(&format!("/konton/{larkan}/bekrafta"), &no("Förskolan har flyttat till stadens konto."))
        .await
        .assert_redirect("/");
    let (n, reason): (i64, String) = sqlx::query_as(
        "select count(*), max(reason) from closure_requests where account_id = $1 and state = 'requested'",
    )
    .bind(larkan)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((n, reason.as_str()), (1, "Förskolan har flyttat till stadens konto."));
    assert_eq!(app.audit_count("account_closure_requested").await, 1);
    // The account is not "confirmed": its date stays empty.
    let on: Option<time::Date> =
        sqlx::query_scalar("select last_confirmed_on from accounts where account_id = $1")
            .bind(larkan)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(on, None);
    // Saying it again does not make a second request.
    owner
        .post(&format!("/konton/{larkan}/bekrafta"), &no("Fortfarande inte använt."))
        .await
        .assert_redirect("/");
    assert!(owner.get("/").await.text(".flash").contains("väntar redan på beslut"));
    let n: i64 = sqlx::query_scalar("select count(*) from closure_requests where account_id = $1")
        .bind(larkan)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(n, 1);
    let history = owner.get(&format!("/konton/{larkan}")).await.texts("ol.timeline li");
    assert!(history.iter().any(|h| h.contains("Avslut begärt")), "{history:?}");
    assert!(
        history.iter().any(|h| h.contains("Markerat som inte använt i den årliga genomgången")),
        "{history:?}"
    );
    assert!(
        komm.get("/rapporter/genomgang/2026")
            .await
            .text("main")
            .contains("Används inte längre, avslut begärt")
    );

    // A closed account is not confirmed: the page says why, a POST is refused.
    let r = owner.get(&format!("/konton/{closed}/bekrafta")).await;
    assert!(r.text(".notice").contains("Bara aktiva konton"), "{}", r.text("main"));
    assert_eq!(
        owner
            .post(
                &format!("/konton/{closed}/bekrafta"),
                &[("in_use", "ja"), ("purpose", "x"), ("target_groups", "x"), ("frequency", "dagligen")]
            )
            .await
            .status,
        StatusCode::CONFLICT
    );
    // The manager does not confirm for the owner.
    let chef = app.login("chef@example.se").await;
    assert_eq!(chef.get(&format!("/konton/{larkan}/bekrafta")).await.status, StatusCode::FORBIDDEN);
}
