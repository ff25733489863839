//! The startup form and its workflow, end to end over HTTP.

use reqwest::StatusCode;

use crate::helpers::{Client, Resp, TestApp};

/// Ids from the demo data used by the form.
pub struct Ids {
    pub forskola: i64,
    pub aldreomsorg: i64,
    pub instagram: i64,
    pub deputy: i64,
}

pub async fn ids(app: &TestApp) -> Ids {
    let unit = |name: &'static str| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select unit_id from units where name = $1")
                .bind(name)
                .fetch_one(&db)
                .await
                .unwrap()
        }
    };
    Ids {
        forskola: unit("Förskola").await,
        aldreomsorg: unit("Äldreomsorg").await,
        instagram: sqlx::query_scalar("select platform_id from platforms where name = 'Instagram'")
            .fetch_one(&app.db)
            .await
            .unwrap(),
        deputy: app.user_id("kommunikator@example.se").await,
    }
}

/// Every field of a complete new-account form.
pub fn complete(ids: &Ids, unit: i64, name: &str) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = [
        ("kind", "new_account"),
        ("shared", "eget"),
        ("purpose", "Berätta för föräldrar om förskolans vardag."),
        ("goals", "300 följare bland föräldrar inom ett år."),
        ("benefit", "Stöder förskolans uppdrag att samverka med hemmen."),
        ("target_groups", "Föräldrar och blivande föräldrar i Östermalm."),
        ("why_not_existing", "Stockholm.se når inte föräldrarna i vardagen."),
        ("planned_content", "Bilder från aktiviteter utan barn som kan identifieras."),
        ("frequency", "varje_vecka"),
        ("follow_up", "Kvartalsvis genomgång med chefen."),
        ("editors", "Anna Andersson, anna@example.se"),
        ("hours_per_week", "4"),
        ("monitoring", "Kontoansvarig vardagar, ersättaren helger och semester."),
        ("response_time", "Inom en arbetsdag"),
        ("training", "genomford"),
        ("controller", "Östermalms stadsdelsnämnd"),
        ("publishes_personal_data", "nej"),
        ("lawful_basis", "allmant_intresse"),
        ("children_data", "nej"),
        ("ack_incidents", "on"),
        ("ack_cloud", "on"),
        ("c_profile_picture", "on"),
        ("c_basic_info", "on"),
        ("c_credentials", "on"),
        ("c_archiving", "on"),
        ("c_read_documents", "on"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    v.push(("unit_id".into(), unit.to_string()));
    v.push(("platform_id".into(), ids.instagram.to_string()));
    v.push(("account_name".into(), name.into()));
    v.push(("deputy_user_id".into(), ids.deputy.to_string()));
    v
}

fn with(mut fields: Vec<(String, String)>, key: &str, value: &str) -> Vec<(String, String)> {
    fields.retain(|(k, _)| k != key);
    fields.push((key.into(), value.into()));
    fields
}

pub async fn post_fields(c: &Client, path: &str, fields: &[(String, String)]) -> Resp {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &f).await
}

/// The id in a redirect to `/blanketter/{id}`.
fn form_id(r: &Resp) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/blanketter/").parse().unwrap()
}

/// Owner submits a complete form; returns its id.
pub async fn submitted(app: &TestApp, owner: &Client, unit: i64, name: &str) -> i64 {
    let ids = ids(app).await;
    let r = post_fields(owner, "/blanketter", &with(complete(&ids, unit, name), "action", "submit")).await;
    form_id(&r)
}

pub async fn act(c: &Client, id: i64, action: &str, comment: &str) -> Resp {
    // "bekraftat" answers the confirmation step of a decision; other actions ignore it.
    c.post(
        &format!("/blanketter/{id}/atgard"),
        &[("action", action), ("comment", comment), ("bekraftat", "ja")],
    )
    .await
}

async fn state_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("select state::text from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_whole_path_from_draft_to_an_approved_account() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    assert_eq!(owner.get("/blanketter/ny").await.status, StatusCode::OK);
    // A draft first, incomplete.
    let draft = post_fields(
        &owner,
        "/blanketter",
        &[
            ("kind".into(), "new_account".into()),
            ("account_name".into(), "Förskolan Lärkan".into()),
            ("action".into(), "save".into()),
        ],
    )
    .await;
    let id = form_id(&draft);
    assert_eq!(state_of(&app, id).await, "draft");
    assert!(
        owner
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.contains("Fyll i och skicka blanketten för Förskolan Lärkan"))
    );
    // Then completed and submitted.
    let r = post_fields(
        &owner,
        &format!("/blanketter/{id}/redigera"),
        &with(complete(&ids, ids.forskola, "Förskolan Lärkan"), "action", "submit"),
    )
    .await;
    r.assert_redirect(&format!("/blanketter/{id}"));
    let year = time::OffsetDateTime::now_utc().year();
    let page = owner.get(&format!("/blanketter/{id}")).await;
    assert_eq!(page.text(".state"), "Väntar på chefens underskrift");
    assert!(page.text("h1").contains(&format!("SM-{year}-0001")), "{}", page.text("h1"));

    let chef = app.login("chef@example.se").await;
    let todo = chef.get("/").await.texts(".tasks li");
    assert!(
        todo.iter().any(|t| t.starts_with(&format!("Skriv under blanketten SM-{year}-0001"))),
        "{todo:?}"
    );
    act(&chef, id, "sign", "").await.assert_redirect(&format!("/blanketter/{id}"));
    let page = chef.get(&format!("/blanketter/{id}")).await;
    assert!(page.text(".signature").contains("Underskriven av Cecilia Chef"));

    let komm = app.login("kommunikator@example.se").await;
    assert!(komm.get("/").await.texts(".tasks li").iter().any(|t| t.starts_with("Granska blanketten")));
    act(&komm, id, "comment", "Ser bra ut. Tänk på alt-texter.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    // The communicator cannot decide.
    assert_eq!(act(&komm, id, "approve", "").await.status, StatusCode::FORBIDDEN);

    let strateg = app.login("strateg@example.se").await;
    assert!(
        strateg
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.starts_with("Granska och besluta om blanketten"))
    );
    act(&strateg, id, "approve", "").await.assert_redirect(&format!("/blanketter/{id}"));
    let page = strateg.get(&format!("/blanketter/{id}")).await;
    assert_eq!(page.text(".state"), "Godkänd");
    assert!(
        page.body.contains(
            "Beslutat av Sara Strateg, kommunikationsstrateg, på delegation av stadsdelsdirektören."
        )
    );
    let history = page.texts(".timeline li");
    assert_eq!(history.len(), 5, "{history:?}");
    assert!(
        history[3].contains("Kim Kommunikatör (Kommunikatör): Kommenterade")
            && history[3].contains("alt-texter")
    );

    // The register entry carries the form's data.
    let (state, name, purpose, goals, groups, owner_id, deputy, unit, platform, editors, controller): (
        String, String, String, String, String, i64, i64, i64, i64, serde_json::Value, String,
    ) = sqlx::query_as(
        "select a.state::text, a.name, a.purpose, a.goals, a.target_groups, a.owner_user_id, a.deputy_user_id, a.unit_id, a.platform_id,
                a.editors, a.controller from accounts a join forms f using (account_id) where f.form_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(state, "approved");
    assert_eq!(name, "Förskolan Lärkan");
    assert_eq!(purpose, "Berätta för föräldrar om förskolans vardag.");
    assert_eq!(goals, "300 följare bland föräldrar inom ett år.");
    assert_eq!(groups, "Föräldrar och blivande föräldrar i Östermalm.");
    assert_eq!(owner_id, app.user_id("agare@example.se").await);
    assert_eq!((deputy, unit, platform), (ids.deputy, ids.forskola, ids.instagram));
    assert_eq!(editors, serde_json::json!([{"name": "Anna Andersson", "email": "anna@example.se"}]));
    assert_eq!(controller, "Östermalms stadsdelsnämnd");

    for action in
        ["form_created", "form_submit", "form_sign", "form_comment", "form_approve", "account_created"]
    {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
    // No form is left to handle for anyone; the owner now registers the start.
    for c in [&strateg, &chef, &komm, &owner] {
        assert!(!c.get("/").await.texts(".tasks li").iter().any(|t| t.contains("blanketten")));
    }
    assert!(
        owner
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.starts_with("Registrera start för Förskolan Lärkan"))
    );
}

#[tokio::test]
async fn submitting_with_everything_missing_lists_all_errors_and_keeps_the_typing() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let r = owner
        .post(
            "/blanketter",
            &[
                ("kind", "new_account"),
                ("url", "https://www.instagram.com/larkan"),
                ("risk_assessment", "<script>alert('x')</script>"),
                ("lawful_basis", "samtycke"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = r.texts(".error-summary li");
    assert!(errors.len() >= 28, "{} errors: {errors:?}", errors.len());
    assert!(errors.contains(
        &"Samtycke är sista utvägen: motivera varför ingen annan rättslig grund kan användas.".to_string()
    ));
    assert_eq!(r.value("#url").as_deref(), Some("https://www.instagram.com/larkan"));
    assert_eq!(r.value("#risk_assessment").as_deref(), Some("<script>alert('x')</script>"));
    assert!(!r.body.contains("<script>alert"), "typed HTML must come back escaped");
    assert_eq!(r.text("#purpose-fel"), "Fel: Beskriv kontots syfte.");
    // Each message links to its field, which exists.
    let html = r.html();
    let sel = scraper::Selector::parse(".error-summary a").unwrap();
    for a in html.select(&sel) {
        let target = a.value().attr("href").unwrap().trim_start_matches('#');
        let field = scraper::Selector::parse(&format!("#{target}")).unwrap();
        assert!(html.select(&field).next().is_some(), "no field #{target}");
    }
    // The work is not lost: it is saved as a draft.
    let (state, url): (String, String) =
        sqlx::query_as("select state::text, content->>'url' from forms").fetch_one(&app.db).await.unwrap();
    assert_eq!((state.as_str(), url.as_str()), ("draft", "https://www.instagram.com/larkan"));
    assert_eq!(app.audit_count("form_submit").await, 0);
}

#[tokio::test]
async fn consent_needs_a_justification_and_children_need_safeguards() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let fields =
        with(with(complete(&ids, ids.forskola, "Lärkan"), "lawful_basis", "samtycke"), "action", "submit");
    let r = post_fields(&owner, "/blanketter", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.texts(".error-summary li"),
        vec!["Samtycke är sista utvägen: motivera varför ingen annan rättslig grund kan användas."]
    );
    let fields =
        with(with(complete(&ids, ids.forskola, "Lärkan"), "children_data", "ja"), "action", "submit");
    let r = post_fields(&owner, "/blanketter", &fields).await;
    assert_eq!(r.texts(".error-summary li"), vec!["Beskriv hur barnens personuppgifter skyddas."]);
    let fields = with(with(complete(&ids, ids.forskola, "Lärkan"), "c_archiving", ""), "action", "submit");
    let fields: Vec<_> = fields.into_iter().filter(|(k, _)| k != "c_archiving").collect();
    let r = post_fields(&owner, "/blanketter", &fields).await;
    assert_eq!(r.texts(".error-summary li"), vec!["Kryssa i att kontot arkiveras varje december."]);
}

#[tokio::test]
async fn a_manager_of_another_unit_can_neither_see_nor_sign() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    // Äldreomsorg gets a manager who is none of these: chef@ manages Förskola and Kultur och fritid.
    sqlx::query(
        "insert into role_assignments (user_id, role, organisation_id, unit_id)
         select u.user_id, 'manager', un.organisation_id, un.unit_id from users u, units un
         where u.email = 'strateg@example.se' and un.unit_id = $1",
    )
    .bind(ids.aldreomsorg)
    .execute(&app.db)
    .await
    .unwrap();
    let id = submitted(&app, &owner, ids.aldreomsorg, "Äldreomsorgen").await;
    for email in ["chef@example.se", "chef.miljo@example.se", "agare.miljo@example.se"] {
        let c = app.login(email).await;
        assert_eq!(c.get(&format!("/blanketter/{id}")).await.status, StatusCode::NOT_FOUND, "{email}");
        assert_eq!(act(&c, id, "sign", "").await.status, StatusCode::NOT_FOUND, "{email}");
        assert!(c.get("/blanketter").await.texts("tbody tr").is_empty(), "{email}");
    }
    // The organisation's archivist, SLK and the administrator, who see its
    // accounts in the register, may read a submitted form but not act on it.
    for email in ["arkivarie@example.se", "slk@example.se", "admin@example.se"] {
        let c = app.login(email).await;
        let page = c.get(&format!("/blanketter/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{email}");
        assert!(page.texts("form[action$='/atgard'] button").is_empty(), "{email} gets no buttons");
        assert_eq!(act(&c, id, "sign", "").await.status, StatusCode::FORBIDDEN, "{email}");
    }
    assert_eq!(state_of(&app, id).await, "awaiting_manager");
    // The owner cannot sign their own form.
    assert_eq!(act(&owner, id, "sign", "").await.status, StatusCode::FORBIDDEN);
    // Another organisation's communicator: 404 too.
    let r = app.login("kommunikator@example.se").await.get(&format!("/blanketter/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn editing_after_signing_drops_the_signature() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Lärkan").await;
    let chef = app.login("chef@example.se").await;
    act(&chef, id, "sign", "").await;
    assert_eq!(state_of(&app, id).await, "in_review");

    let fields =
        with(with(complete(&ids, ids.forskola, "Lärkan"), "purpose", "Ett nytt syfte."), "action", "save");
    let r =
        post_fields(&owner, &format!("/blanketter/{id}/redigera"), &with(fields, "state", "in_review")).await;
    r.assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "awaiting_manager");
    let page = owner.get(&format!("/blanketter/{id}")).await;
    assert!(page.text(".flash").contains("tillbaka till chefen"));
    assert!(page.body.contains("en tidigare underskrift gäller inte längre"));
    let (valid, total): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where valid), count(*) from form_signatures where form_id = $1",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((valid, total), (0, 1), "the signed version is kept, no longer valid");
    let signed: String =
        sqlx::query_scalar("select content->>'purpose' from form_signatures where form_id = $1")
            .bind(id)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(signed, "Berätta för föräldrar om förskolans vardag.");
    // Signing again covers the new content.
    act(&chef, id, "sign", "").await.assert_redirect(&format!("/blanketter/{id}"));
    assert!(chef.get(&format!("/blanketter/{id}")).await.text(".signature").contains("Cecilia Chef"));

    // An edit of a submitted form must stay complete.
    let bad = with(with(complete(&ids, ids.forskola, "Lärkan"), "goals", ""), "state", "in_review");
    let r = post_fields(&owner, &format!("/blanketter/{id}/redigera"), &with(bad, "action", "save")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state_of(&app, id).await, "in_review");
}

#[tokio::test]
async fn every_way_back_and_out() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let chef = app.login("chef@example.se").await;
    let strateg = app.login("strateg@example.se").await;

    // Manager returns: a comment is required.
    let id = submitted(&app, &owner, ids.forskola, "Ett").await;
    let r = act(&chef, id, "return", "  ").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.text("#comment-fel"), "Fel: Skriv vad som behöver ändras eller kompletteras.");
    act(&chef, id, "return", "Vi har inte resurser just nu.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "draft");
    assert!(owner.get("/").await.texts(".tasks li").iter().any(|t| t.starts_with("Komplettera blanketten")));
    // Resubmission keeps the case number.
    let before: String = sqlx::query_scalar("select case_number from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let r = post_fields(
        &owner,
        &format!("/blanketter/{id}/redigera"),
        &with(complete(&ids, ids.forskola, "Ett"), "action", "submit"),
    )
    .await;
    r.assert_redirect(&format!("/blanketter/{id}"));
    let after: String = sqlx::query_scalar("select case_number from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(before, after);

    // Review asks for completion.
    act(&chef, id, "sign", "").await;
    assert_eq!(act(&strateg, id, "return_for_completion", "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    act(&strateg, id, "return_for_completion", "Beskriv målen tydligare.").await;
    assert_eq!(state_of(&app, id).await, "draft");
    // Then the owner withdraws it.
    act(&owner, id, "withdraw", "").await.assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "withdrawn");
    assert_eq!(act(&owner, id, "withdraw", "").await.status, StatusCode::CONFLICT);

    // A meeting, then a rejection, which needs a reason.
    let id = submitted(&app, &owner, ids.forskola, "Två").await;
    act(&chef, id, "sign", "").await;
    let r = strateg
        .post(
            &format!("/blanketter/{id}/atgard"),
            &[("action", "book_meeting"), ("meeting_date", "i morgon")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.value("#meeting_date").as_deref(), Some("i morgon"));
    assert_eq!(r.texts(".error-summary li").len(), 4);
    let r = strateg
        .post(
            &format!("/blanketter/{id}/atgard"),
            &[
                ("action", "book_meeting"),
                ("meeting_date", "2026-12-03"),
                ("meeting_time", "13:30"),
                ("meeting_place", "Rum Karlaplan"),
                ("meeting_participants", "Oskar, Cecilia, Sara"),
            ],
        )
        .await;
    r.assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "meeting_booked");
    let page = owner.get(&format!("/blanketter/{id}")).await;
    assert!(page.body.contains("2026-12-03 13:30, Rum Karlaplan"), "the meeting is shown in Stockholm time");
    assert!(
        strateg.get("/").await.texts(".tasks li").iter().any(|t| t.contains("Möte bokat 2026-12-03 13:30"))
    );
    assert_eq!(act(&strateg, id, "reject", "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    act(&strateg, id, "reject", "Syftet kan nås via stadens gemensamma konton.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "rejected");
    let page = owner.get(&format!("/blanketter/{id}")).await;
    assert!(page.body.contains("Avslagen. Beslutat av Sara Strateg"));
    assert!(page.body.contains("Skäl: Syftet kan nås via stadens gemensamma konton."));
    let accounts: i64 = sqlx::query_scalar("select count(*) from accounts where name in ('Ett', 'Två')")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(accounts, 0);
    for action in
        ["form_return", "form_return_for_completion", "form_withdraw", "form_book_meeting", "form_reject"]
    {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[tokio::test]
async fn two_concurrent_decisions_give_exactly_one() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Samtidigt").await;
    act(&app.login("chef@example.se").await, id, "sign", "").await;
    let s1 = app.login("strateg@example.se").await;
    let s2 = app.login("strateg@example.se").await;
    let p1 = format!("/blanketter/{id}/atgard");
    let (a, b) = tokio::join!(
        s1.post(&p1, &[("action", "approve"), ("state", "in_review"), ("bekraftat", "ja")]),
        s2.post(
            &p1,
            &[("action", "reject"), ("comment", "Nej."), ("state", "in_review"), ("bekraftat", "ja")]
        )
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "{} / {}", a.body, b.body);
    let loser = if a.status == StatusCode::CONFLICT { &a } else { &b };
    assert!(
        loser.text("main p").contains("ändrats av någon annan") || loser.text("main p").contains("går inte"),
        "{}",
        loser.text("main p")
    );
    let decisions: i64 = sqlx::query_scalar(
        "select count(*) from form_events where form_id = $1 and action in ('approve', 'reject')",
    )
    .bind(id)
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(decisions, 1);
    let accounts: i64 = sqlx::query_scalar("select count(*) from accounts where name = 'Samtidigt'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(accounts <= 1);
    // A stale page (it showed in_review) is refused too.
    let r = s1.post(&p1, &[("action", "comment"), ("comment", "Sent"), ("state", "in_review")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn case_numbers_are_unique_under_concurrent_submissions() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let fields = with(complete(&ids, ids.forskola, "Parallell"), "action", "submit");
    let posts = (0..6).map(|_| post_fields(&owner, "/blanketter", &fields));
    let results = futures_join_all(posts).await;
    assert!(results.iter().all(|r| r.status == StatusCode::SEE_OTHER));
    let mut numbers: Vec<String> = sqlx::query_scalar("select case_number from forms order by case_number")
        .fetch_all(&app.db)
        .await
        .unwrap();
    numbers.dedup();
    let year = time::OffsetDateTime::now_utc().year();
    assert_eq!(numbers, (1..=6).map(|n| format!("SM-{year}-{n:04}")).collect::<Vec<_>>());
}

async fn futures_join_all<F: std::future::Future<Output = Resp>>(futs: impl Iterator<Item = F>) -> Vec<Resp> {
    let handles: Vec<_> = futs.collect();
    let mut out = Vec::new();
    // Run them concurrently on this task.
    let mut pinned: Vec<std::pin::Pin<Box<F>>> = handles.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<Resp>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(r) => done[i] = Some(r),
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    out.extend(done.into_iter().map(|r| r.unwrap()));
    out
}

#[tokio::test]
async fn only_unsubmitted_drafts_can_be_deleted_by_their_owner() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let r = owner
        .post("/blanketter", &[("kind", "new_account"), ("account_name", "Tillfälligt"), ("action", "save")])
        .await;
    let draft = form_id(&r);
    let other = app.login("kommunikator@example.se").await;
    assert_eq!(other.post(&format!("/blanketter/{draft}/ta-bort"), &[]).await.status, StatusCode::NOT_FOUND);
    owner.post(&format!("/blanketter/{draft}/ta-bort"), &[]).await.assert_redirect("/blanketter");
    assert_eq!(owner.get(&format!("/blanketter/{draft}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_count("form_draft_deleted").await, 1);

    let sent = submitted(&app, &owner, ids.forskola, "Skickad").await;
    act(&app.login("chef@example.se").await, sent, "return", "Komplettera").await;
    assert_eq!(owner.post(&format!("/blanketter/{sent}/ta-bort"), &[]).await.status, StatusCode::CONFLICT);
    assert_eq!(state_of(&app, sent).await, "draft");
}

#[tokio::test]
async fn an_existing_account_gets_its_form_and_loses_the_missing_flag() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let (org, acc): (i64, i64) = sqlx::query_as(
        "insert into accounts (organisation_id, unit_id, platform_id, name, url, state, missing_form)
         select organisation_id, $1, $2, 'Gammalt konto', 'https://www.instagram.com/gammalt', 'active', true
         from units where unit_id = $1 returning organisation_id, account_id",
    )
    .bind(ids.forskola)
    .bind(ids.instagram)
    .fetch_one(&app.db)
    .await
    .unwrap();
    let _ = org;
    let owner = app.login("agare@example.se").await;
    let page = owner.get("/blanketter/ny?typ=befintligt").await;
    assert!(page.texts("#account_id option").iter().any(|t| t.contains("Gammalt konto")));
    let fields = with(complete(&ids, ids.forskola, "Gammalt konto – Förskolan"), "kind", "existing_account");
    let r = post_fields(&owner, "/blanketter", &with(fields.clone(), "action", "submit")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.texts(".error-summary li").len(),
        2,
        "account and address are required: {:?}",
        r.texts(".error-summary li")
    );
    let fields =
        with(with(fields, "account_id", &acc.to_string()), "url", "https://www.instagram.com/gammalt");
    let id = form_id(&post_fields(&owner, "/blanketter", &with(fields, "action", "submit")).await);
    act(&app.login("chef@example.se").await, id, "sign", "").await;
    act(&app.login("strateg@example.se").await, id, "approve", "")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    let (missing, state, name): (bool, String, String) =
        sqlx::query_as("select missing_form, state::text, name from accounts where account_id = $1")
            .bind(acc)
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!((missing, state.as_str(), name.as_str()), (false, "active", "Gammalt konto – Förskolan"));
    let count: i64 = sqlx::query_scalar("select count(*) from accounts").fetch_one(&app.db).await.unwrap();
    assert_eq!(count, 1, "no second entry");
}

#[tokio::test]
async fn the_printable_view_has_content_signature_and_decision() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Utskrift").await;
    act(&app.login("chef@example.se").await, id, "sign", "").await;
    act(&app.login("strateg@example.se").await, id, "approve", "").await;
    let page = owner.get(&format!("/blanketter/{id}/utskrift")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(".signature").contains("Cecilia Chef"));
    assert!(page.body.contains("på delegation av stadsdelsdirektören"));
    assert!(page.body.contains("Berätta för föräldrar om förskolans vardag."));
    assert!(page.texts(".actions-panel").is_empty(), "no buttons on the printout");
}

#[tokio::test]
async fn the_demo_has_forms_in_every_state_and_tasks_for_everyone() {
    let fresh = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&fresh.db, crate::helpers::PASSWORD).await.unwrap());
    assert!(
        !kontoregister::demo::seed(&fresh.db, crate::helpers::PASSWORD).await.unwrap(),
        "only into an empty database"
    );
    let states: Vec<String> = sqlx::query_scalar("select distinct state::text from forms order by 1")
        .fetch_all(&fresh.db)
        .await
        .unwrap();
    assert_eq!(
        states,
        ["approved", "awaiting_manager", "draft", "in_review", "meeting_booked", "rejected", "withdrawn"]
    );
    let approved: i64 = sqlx::query_scalar("select count(*) from accounts where state = 'approved'")
        .fetch_one(&fresh.db)
        .await
        .unwrap();
    assert_eq!(approved, 1);
    for email in [
        "agare@example.se",
        "chef@example.se",
        "kommunikator@example.se",
        "strateg@example.se",
        "chef.miljo@example.se",
    ] {
        let c = fresh.login(email).await;
        assert!(!c.get("/").await.texts(".tasks li").is_empty(), "{email} has tasks");
        let list = c.get("/blanketter").await;
        assert!(!list.texts("tbody tr").is_empty(), "{email} sees forms");
        // Every form in the list opens.
        let sel = scraper::Selector::parse("tbody a").unwrap();
        let links: Vec<String> =
            list.html().select(&sel).map(|a| a.value().attr("href").unwrap().to_string()).collect();
        for l in links {
            assert_eq!(c.get(&l).await.status, StatusCode::OK, "{email} {l}");
        }
    }
}

#[tokio::test]
async fn no_one_decides_on_their_own_form_whatever_the_delegation() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let chef = app.login("chef@example.se").await;
    let komm = app.login("kommunikator@example.se").await;
    // The administrator cannot delegate the decision to account owners.
    let admin = app.login("admin@example.se").await;
    let org: i64 =
        sqlx::query_scalar("select organisation_id from organisations where name like 'Östermalm%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    let r = admin
        .post(
            &format!("/admin/organisationer/{org}"),
            &[
                ("name", "Östermalms stadsdelsförvaltning"),
                ("kind", "forvaltning"),
                ("decision_holder", "stadsdelsdirektören"),
                ("delegated_role", "account_owner"),
                ("closure_announcement_days", "30"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#delegated_role-fel").contains("Välj vilken roll"), "{}", r.text("main"));

    // Delegated to account owners anyway (as an old installation might be), or
    // to the communicator who is the form's deputy: neither decides on it.
    let id = submitted(&app, &owner, ids.forskola, "Lärkan").await;
    act(&chef, id, "sign", "").await.assert_redirect(&format!("/blanketter/{id}"));
    for (role, who) in [("account_owner", &owner), ("communicator", &komm)] {
        sqlx::query("update organisations set delegated_role = $1::role_code where organisation_id = $2")
            .bind(role)
            .bind(org)
            .execute(&app.db)
            .await
            .unwrap();
        let page = who.get(&format!("/blanketter/{id}")).await;
        assert!(!page.texts("button").iter().any(|b| b == "Godkänn"), "{role}: no approve button");
        for action in ["approve", "reject", "book_meeting"] {
            let r = act(who, id, action, "Beslut").await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role} {action}");
        }
        assert_eq!(state_of(&app, id).await, "in_review", "{role}");
    }
    // Someone else holding the delegated role decides as usual.
    let strateg = app.login("strateg@example.se").await;
    sqlx::query("update organisations set delegated_role = 'strategist' where organisation_id = $1")
        .bind(org)
        .execute(&app.db)
        .await
        .unwrap();
    act(&strateg, id, "approve", "").await.assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "approved");
}

#[tokio::test]
async fn the_deputy_list_leaves_the_owner_out() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let me = app.user_id("agare@example.se").await.to_string();
    let html = owner.get("/blanketter/ny").await.html();
    let sel = scraper::Selector::parse("select#deputy_user_id option").unwrap();
    let values: Vec<String> =
        html.select(&sel).filter_map(|o| o.value().attr("value").map(String::from)).collect();
    assert!(values.len() > 2, "{values:?}");
    assert!(!values.contains(&me), "the owner is not offered as their own deputy");
}

#[tokio::test]
async fn a_returned_form_is_shown_as_returned_and_has_its_own_filter() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let chef = app.login("chef@example.se").await;
    let komm = app.login("kommunikator@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Lärkan").await;
    act(&chef, id, "return", "Syftet behöver bli tydligare.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "draft");
    let list = komm.get("/blanketter").await;
    assert!(
        list.texts("tbody tr")
            .iter()
            .any(|r| r.contains("Lärkan") && r.contains("Skickad tillbaka för komplettering")),
        "{:?}",
        list.texts("tbody tr")
    );
    assert_eq!(
        komm.get(&format!("/blanketter/{id}")).await.text(".state"),
        "Skickad tillbaka för komplettering"
    );
    assert_eq!(komm.get("/blanketter?status=tillbaka").await.texts("tbody tr").len(), 1);
    assert!(komm.get("/blanketter?status=draft").await.texts("tbody tr").is_empty());
    assert_eq!(
        komm.get("/blanketter?status=tillbaka").await.value("option[selected]").as_deref(),
        Some("tillbaka")
    );
}

#[tokio::test]
async fn a_form_for_a_register_entry_starts_from_the_entry() {
    let app = TestApp::spawn().await;
    let id =
        crate::accounts::account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let foreign = crate::accounts::account(
        &app,
        "Miljöövervakning",
        "Luften i Stockholm",
        "active",
        "agare.miljo@example.se",
    )
    .await;
    sqlx::query("update accounts set missing_form = true").execute(&app.db).await.unwrap();
    let owner = app.login("agare@example.se").await;
    let page = owner.get(&format!("/konton/{id}")).await;
    assert!(
        page.body.contains(&format!("/blanketter/ny?typ=befintligt&amp;konto={id}")),
        "the account links its form"
    );
    let r = owner.get(&format!("/blanketter/ny?typ=befintligt&konto={id}")).await;
    assert_eq!(r.value("#account_name").as_deref(), Some("Förskolan Lärkan"));
    assert_eq!(r.value("#url").as_deref(), Some("https://www.instagram.com/förskolanlärkan"));
    assert_eq!(r.value("#account_id option[selected]").as_deref(), Some(id.to_string().as_str()));
    assert_eq!(r.text("textarea#purpose"), "Syfte");
    // Another organisation's entry is not filled in.
    let r = owner.get(&format!("/blanketter/ny?typ=befintligt&konto={foreign}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.value("#account_name").as_deref(), Some(""));
    assert!(!r.body.contains("Luften i Stockholm"));
}

#[tokio::test]
async fn the_actions_come_after_the_forms_content() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Lärkan").await;
    let chef = app.login("chef@example.se").await;
    let body = chef.get(&format!("/blanketter/{id}")).await.body;
    let content = body.find(r#"id="innehall-rubrik""#).expect("content");
    let actions = body.find(r#"id="atgarder""#).expect("actions");
    assert!(content < actions, "the manager reads the form before the button to sign it");
    assert!(body.contains(r##"href="#atgarder""##), "a link at the top leads to the actions");
}

#[tokio::test]
async fn a_form_for_a_unit_without_a_manager_is_not_sent_and_the_unit_is_a_task() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    // Äldreomsorg has no manager among the demo users.
    let r = post_fields(
        &owner,
        "/blanketter",
        &with(complete(&ids, ids.aldreomsorg, "Seniorträffar"), "action", "submit"),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let msg = r.text("#unit_id-fel");
    assert!(msg.starts_with("Fel: Enheten Äldreomsorg har ingen chef i Kontoregistret"), "{msg}");
    assert!(msg.contains("kommunikator@example.se"), "names the communicators to contact: {msg}");
    // Nothing was sent; the work is kept as a draft.
    let (state, name): (String, String) = sqlx::query_as(
        "select state::text, content->>'account_name' from forms order by form_id desc limit 1",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((state.as_str(), name.as_str()), ("draft", "Seniorträffar"));
    assert_eq!(app.audit_count("form_submit").await, 0);
    for email in ["admin@example.se", "kommunikator@example.se"] {
        let tasks = app.login(email).await.get("/").await.texts(".tasks li");
        assert!(
            tasks.iter().any(|t| t.starts_with("Enheten Äldreomsorg (") && t.contains("saknar chef")),
            "{email}: {tasks:?}"
        );
    }
    assert!(!owner.get("/").await.texts(".tasks li").iter().any(|t| t.contains("saknar chef")));
}

#[tokio::test]
async fn a_decision_asks_for_confirmation_first_and_keeps_the_comment() {
    let app = TestApp::spawn().await;
    let ids = ids(&app).await;
    let owner = app.login("agare@example.se").await;
    let id = submitted(&app, &owner, ids.forskola, "Bekräftas").await;
    act(&app.login("chef@example.se").await, id, "sign", "").await;
    let strateg = app.login("strateg@example.se").await;
    let path = format!("/blanketter/{id}/atgard");
    for (action, heading, button) in [
        ("approve", "Godkänna blanketten", "Ja, godkänn blanketten"),
        ("reject", "Avslå blanketten", "Ja, avslå blanketten"),
    ] {
        let r = strateg
            .post(&path, &[("action", action), ("state", "in_review"), ("comment", "Villkor: alt-texter.")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{action}");
        assert!(r.text("h1").starts_with(heading), "{}", r.text("h1"));
        assert_eq!(r.texts("main form button"), [button]);
        assert_eq!(r.value("input[name=comment]").as_deref(), Some("Villkor: alt-texter."));
        assert_eq!(r.value("input[name=action]").as_deref(), Some(action));
        assert_eq!(r.value("input[name=bekraftat]").as_deref(), Some("ja"));
        assert_eq!(state_of(&app, id).await, "in_review", "nothing is decided before the confirmation");
    }
    let r = strateg
        .post(
            &path,
            &[
                ("action", "approve"),
                ("state", "in_review"),
                ("comment", "Villkor: alt-texter."),
                ("bekraftat", "ja"),
            ],
        )
        .await;
    r.assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(state_of(&app, id).await, "approved");
    let decision: String = sqlx::query_scalar("select decision_text from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(decision.contains("Villkor: alt-texter."), "{decision}");
}
