//! The register and the account's life after approval.

use reqwest::StatusCode;

use crate::helpers::{Client, TestApp};

/// Insert an account in `unit` (by name) owned by `owner` (by e-mail).
pub async fn account(app: &TestApp, unit: &str, name: &str, state: &str, owner: &str) -> i64 {
    sqlx::query_scalar(
        "insert into accounts (organisation_id, unit_id, platform_id, name, url, state, owner_user_id, start_date, purpose)
         select u.organisation_id, u.unit_id, (select platform_id from platforms where name = 'Instagram'), $2,
                case when $3 = 'approved' then '' else 'https://www.instagram.com/' || replace(lower($2), ' ', '') end,
                $3::account_state, (select user_id from users where email = $4),
                case when $3 = 'approved' then null else date '2024-02-01' end, 'Syfte'
         from units u where u.name = $1 returning account_id",
    )
    .bind(unit)
    .bind(name)
    .bind(state)
    .bind(owner)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

fn day(s: &str) -> time::Date {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap()
}

fn names(r: &crate::helpers::Resp) -> Vec<String> {
    let mut v = r.texts("table.register tbody td:first-child a");
    v.sort();
    v
}

#[tokio::test]
async fn every_role_sees_its_scope_of_the_register() {
    let app = TestApp::spawn().await;
    let forskola = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let aldre = account(&app, "Äldreomsorg", "Seniorträffar", "active", "kommunikator@example.se").await;
    let miljo =
        account(&app, "Miljöövervakning", "Luften i Stockholm", "active", "agare.miljo@example.se").await;
    // agare is deputy for Seniorträffar.
    sqlx::query("update accounts set deputy_user_id = (select user_id from users where email = 'agare@example.se') where account_id = $1")
        .bind(aldre)
        .execute(&app.db)
        .await
        .unwrap();
    let all = vec!["Förskolan Lärkan", "Luften i Stockholm", "Seniorträffar"];
    let ostermalm = vec!["Förskolan Lärkan", "Seniorträffar"];
    for (email, sees) in [
        ("agare@example.se", ostermalm.clone()),
        ("chef@example.se", vec!["Förskolan Lärkan"]),
        ("kommunikator@example.se", ostermalm.clone()),
        ("strateg@example.se", ostermalm.clone()),
        ("arkivarie@example.se", ostermalm.clone()),
        ("slk@example.se", all.clone()),
        ("admin@example.se", all.clone()),
        ("chef.miljo@example.se", vec!["Luften i Stockholm"]),
        ("agare.miljo@example.se", vec!["Luften i Stockholm"]),
    ] {
        let c = app.login(email).await;
        let r = c.get("/konton").await;
        assert_eq!(r.status, StatusCode::OK, "{email}");
        assert_eq!(names(&r), sees, "{email}");
        let noun = if sees.len() == 1 { "konto" } else { "konton" };
        assert_eq!(r.text(".count"), format!("{} {noun}, visar 1–{}", sees.len(), sees.len()), "{email}");
        for (id, name) in
            [(forskola, "Förskolan Lärkan"), (aldre, "Seniorträffar"), (miljo, "Luften i Stockholm")]
        {
            let expected = if sees.contains(&name) { StatusCode::OK } else { StatusCode::NOT_FOUND };
            assert_eq!(c.get(&format!("/konton/{id}")).await.status, expected, "{email} {name}");
            if expected == StatusCode::NOT_FOUND {
                let r = c.post(&format!("/konton/{id}/avslut"), &[("reason", "x")]).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{email} POST {name}");
            }
        }
    }
    assert_eq!(app.client().get("/konton").await.location(), "/logga-in?next=/konton");
}

#[tokio::test]
async fn search_filters_sorting_and_paging() {
    let app = TestApp::spawn().await;
    for i in 0..55 {
        account(&app, "Förskola", &format!("Förskola {i:02}"), "active", "agare@example.se").await;
    }
    let kultur = account(&app, "Kultur och fritid", "Biblioteket", "closed", "agare@example.se").await;
    account(&app, "Kultur och fritid", "Fritidsgården", "approved", "chef@example.se").await;
    sqlx::query("update accounts set missing_form = true where account_id = $1")
        .bind(kultur)
        .execute(&app.db)
        .await
        .unwrap();
    let c = app.login("kommunikator@example.se").await;
    let r = c.get("/konton").await;
    assert_eq!(r.text(".count"), "57 konton, visar 1–50");
    assert_eq!(r.texts("table.register tbody tr").len(), 50);
    let r = c.get("/konton?sida=2").await;
    assert_eq!(r.text(".count"), "57 konton, visar 51–57");
    let r = c.get("/konton?q=biblio").await;
    assert_eq!(names(&r), ["Biblioteket"]);
    let r = c.get("/konton?q=INSTAGRAM.COM/fritid").await;
    assert_eq!(names(&r), Vec::<String>::new(), "an approved account has no address yet");
    let r = c.get("/konton?q=cecilia").await;
    assert_eq!(names(&r), ["Fritidsgården"], "search by owner name");
    let r = c.get("/konton?status=closed").await;
    assert_eq!(names(&r), ["Biblioteket"], "closed accounts stay visible");
    let r = c.get("/konton?saknar_blankett=1").await;
    assert_eq!(names(&r), ["Biblioteket"]);
    let unit: i64 = sqlx::query_scalar("select unit_id from units where name = 'Kultur och fritid'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let r = c.get(&format!("/konton?enhet={unit}&sortering=status")).await;
    assert_eq!(r.texts("table.register tbody td:first-child a"), ["Fritidsgården", "Biblioteket"]);
    let r = c.get("/konton?ej_arkiverat=1").await;
    assert_eq!(r.text(".count"), "55 konton, visar 1–50", "active accounts without this year's record");
    // Nonsense parameters are ignored, never a 500.
    let r = c.get("/konton?sida=-4&status=x&plattform=abc&organisation=%27").await;
    assert_eq!(r.status, StatusCode::OK);
}

async fn on_page(c: &Client, id: i64) -> crate::helpers::Resp {
    c.get(&format!("/konton/{id}")).await
}

#[tokio::test]
async fn start_the_account_and_the_communicator_confirms_the_credentials() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "approved", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let r = owner
        .post(&format!("/konton/{id}/start"), &[("url", "inte en adress"), ("start_date", "snart")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li").len(), 2);
    assert_eq!(r.value("#url").as_deref(), Some("inte en adress"));
    let r = owner
        .post(
            &format!("/konton/{id}/start"),
            &[
                ("url", "https://www.instagram.com/larkan"),
                ("start_date", "2026-11-02"),
                ("profile_picture", "on"),
            ],
        )
        .await;
    r.assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner, id).await;
    assert_eq!(page.text(".state"), "Aktivt");
    let missing = page.texts(".missing-list li");
    assert!(missing.iter().any(|m| m.starts_with("Grundinformation")));
    assert!(missing.iter().any(|m| m.starts_with("Inloggningsuppgifter")));
    assert!(
        owner
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.starts_with("Slutför startchecklistan för Förskolan Lärkan"))
    );
    // Starting twice is refused.
    assert_eq!(
        owner
            .post(&format!("/konton/{id}/start"), &[("url", "@x"), ("start_date", "2026-11-02")])
            .await
            .status,
        StatusCode::CONFLICT
    );
    // Only the communicator confirms the credentials.
    assert_eq!(owner.post(&format!("/konton/{id}/inloggning"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.login("strateg@example.se").await.post(&format!("/konton/{id}/inloggning"), &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let komm = app.login("kommunikator@example.se").await;
    assert!(
        komm.get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.contains("inloggningsuppgifterna för Förskolan Lärkan"))
    );
    komm.post(&format!("/konton/{id}/inloggning"), &[]).await.assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner, id).await;
    assert!(page.body.contains("Förvaras av Kim Kommunikatör"));
    assert!(!page.texts(".missing-list li").iter().any(|m| m.starts_with("Inloggningsuppgifter")));
    let history = page.texts(".timeline li");
    assert_eq!(history.len(), 2);
    assert_eq!(app.audit_count("account_started").await, 1);
    assert_eq!(app.audit_count("account_credentials_confirmed").await, 1);
}

#[tokio::test]
async fn archiving_is_due_from_1_december_and_overdue_after_31_december() {
    for (today, expect) in [
        ("2026-11-30", None),
        ("2026-12-01", Some("Arkivera Förskolan Lärkan för 2026 Ska göras i december")),
        ("2026-12-31", Some("Arkivera Förskolan Lärkan för 2026 Ska göras i december")),
        ("2027-01-01", Some("Arkivera Förskolan Lärkan för 2026 Försenad")),
    ] {
        let date =
            time::Date::parse(today, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
        let app = TestApp::spawn_with(|c| c.today = Some(date)).await;
        let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
        sqlx::query(
            "insert into archive_records (account_id, kind, year, archived_on, recorded_by, method)
                     select $1, 'yearly', y, make_date(y, 12, 10), user_id, 'Export'
                     from users, generate_series(2000, 2025) y where email = 'agare@example.se'",
        )
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
        let owner = app.login("agare@example.se").await;
        let tasks: Vec<String> = owner
            .get("/")
            .await
            .texts(".tasks li")
            .into_iter()
            .filter(|t| t.starts_with("Arkivera"))
            .collect();
        assert_eq!(tasks, expect.into_iter().map(String::from).collect::<Vec<_>>(), "{today}");
        if today == "2027-01-01" {
            let warnings = on_page(&owner, id).await.texts(".facts .warning-text");
            assert!(warnings.iter().any(|w| w == "Försenad: arkiveringen för 2026 saknas"), "{warnings:?}");
        }
        if today == "2026-12-01" {
            let r = owner
                .post(
                    &format!("/konton/{id}/arkivering"),
                    &[
                        ("kind", "yearly"),
                        ("archived_on", "2026-12-01"),
                        ("method", "Export"),
                        ("storage_ref", "SM-2026-0100"),
                    ],
                )
                .await;
            r.assert_redirect(&format!("/konton/{id}"));
            assert!(!owner.get("/").await.texts(".tasks li").iter().any(|t| t.starts_with("Arkivera")));
            // One yearly record per year.
            let r = owner
                .post(
                    &format!("/konton/{id}/arkivering"),
                    &[("kind", "yearly"), ("archived_on", "2026-12-01"), ("method", "Igen")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.texts(".error-summary li"), ["Kontot har redan en årlig arkivering för 2026."]);
            // A future date is refused.
            let r = owner
                .post(
                    &format!("/konton/{id}/arkivering"),
                    &[("kind", "visual_change"), ("archived_on", "2026-12-24"), ("method", "x")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            // The archivist's overview counts it; the manager cannot register archiving.
            let arkiv = app.login("arkivarie@example.se").await;
            let o = arkiv.get("/arkivering?ar=2026").await;
            assert_eq!(o.texts("tbody td"), ["Östermalms stadsdelsförvaltning", "Förskola", "1", "0"]);
            assert_eq!(
                app.login("chef@example.se")
                    .await
                    .post(&format!("/konton/{id}/arkivering"), &[("kind", "yearly")])
                    .await
                    .status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(app.audit_count("account_archived").await, 1);
        }
    }
}

#[tokio::test]
async fn the_whole_closure_path_and_its_refusals() {
    let day =
        |s: &str| time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).unwrap();
    let app = TestApp::spawn_with(|c| c.today = Some(day("2026-11-10"))).await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let r = owner.post(&format!("/konton/{id}/avslut"), &[("reason", " ")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.text("#reason-fel"), "Fel: Skriv varför kontot ska avslutas.");
    owner
        .post(
            &format!("/konton/{id}/avslut"),
            &[("reason", "Verksamheten flyttar till stadens gemensamma konto.")],
        )
        .await
        .assert_redirect(&format!("/konton/{id}"));
    assert_eq!(
        owner.post(&format!("/konton/{id}/avslut"), &[("reason", "Igen")]).await.status,
        StatusCode::CONFLICT
    );
    // Only the decider decides.
    for email in ["agare@example.se", "kommunikator@example.se", "chef@example.se"] {
        let r = app
            .login(email)
            .await
            .post(&format!("/konton/{id}/avslut/beslut"), &[("decision", "approve")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{email}");
    }
    let strateg = app.login("strateg@example.se").await;
    assert!(
        strateg
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.starts_with("Besluta om avslut av Förskolan Lärkan"))
    );
    let r = strateg.post(&format!("/konton/{id}/avslut/beslut"), &[("decision", "deny")]).await;
    assert_eq!(r.texts(".error-summary li"), ["Skriv skälet till att avslutet inte godkänns."]);
    strateg
        .post(&format!("/konton/{id}/avslut/beslut"), &[("decision", "approve"), ("days", "")])
        .await
        .assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner, id).await;
    assert_eq!(page.text(".state"), "Avslutas");
    assert!(
        page.body.contains("Annonseringsperiod i kanalen: 2026-11-10 – 2026-12-10"),
        "the organisation's 30 days"
    );
    assert!(
        page.body.contains(
            "Beslutat av Sara Strateg, kommunikationsstrateg, på delegation av stadsdelsdirektören."
        )
    );
    // Closing too early is refused: not announced, period not over, no final archive.
    assert_eq!(owner.post(&format!("/konton/{id}/avslut/stang"), &[]).await.status, StatusCode::CONFLICT);
    assert!(
        owner
            .get("/")
            .await
            .texts(".tasks li")
            .iter()
            .any(|t| t.starts_with("Annonsera avslutet av Förskolan Lärkan"))
    );
    owner
        .post(&format!("/konton/{id}/avslut/annonserat"), &[])
        .await
        .assert_redirect(&format!("/konton/{id}"));
    let r = owner.post(&format!("/konton/{id}/avslut/stang"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text("main p").contains("Kontot kan avslutas från 2026-12-10"), "{}", r.text("main p"));
    // The page says from when instead of offering the button.
    let page = on_page(&owner, id).await;
    assert!(page.texts("form[action$='/avslut/stang']").is_empty());
    assert!(page.text("#kan-avslutas").contains("Kontot kan avslutas från 2026-12-10"));

    // After the period: the final archive record is still missing.
    let later = app.serve_again(|c| c.today = Some(day("2026-12-11"))).await;
    let owner2 = later.login("agare@example.se").await;
    let r = owner2.post(&format!("/konton/{id}/avslut/stang"), &[]).await;
    assert!(r.text("main p").contains("slutlig arkivering"), "{}", r.text("main p"));
    owner2
        .post(
            &format!("/konton/{id}/arkivering"),
            &[("kind", "before_closing"), ("archived_on", "2026-12-11"), ("method", "Fullständig export")],
        )
        .await
        .assert_redirect(&format!("/konton/{id}"));
    // Closing asks first, and changes nothing until confirmed.
    assert_eq!(on_page(&owner2, id).await.texts("form[action$='/avslut/stang'] button").len(), 1);
    let ask = owner2.post(&format!("/konton/{id}/avslut/stang"), &[]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert_eq!(ask.text("h1"), "Avsluta kontot Förskolan Lärkan?");
    assert_eq!(ask.texts("input[name=bekraftat][value=ja]").len(), 1);
    assert_eq!(on_page(&owner2, id).await.text(".state"), "Avslutas");
    owner2
        .post(&format!("/konton/{id}/avslut/stang"), &[("bekraftat", "ja")])
        .await
        .assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner2, id).await;
    assert_eq!(page.text(".state"), "Avslutat");
    let r = owner2.get("/konton?status=closed").await;
    assert_eq!(names(&r), ["Förskolan Lärkan"]);
    for action in [
        "account_closure_requested",
        "account_closure_approved",
        "account_closure_announced",
        "account_closed",
    ] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[tokio::test]
async fn a_personal_data_incident_tracks_the_72_hour_deadline() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let r = owner
        .post(
            &format!("/konton/{id}/avvikelser"),
            &[
                ("kind", "sensitive_personal_data"),
                ("occurred_at", "2026-11-20 10:00"),
                ("discovered_at", "2026-11-19 09:00"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let errs = r.texts(".error-summary li");
    assert!(errs.contains(&"Händelsen kan inte ha upptäckts innan den inträffade.".to_string()), "{errs:?}");
    assert!(errs.contains(&"Beskriv vad som hänt, utan att kopiera in personuppgifterna.".to_string()));
    let r = owner
        .post(
            &format!("/konton/{id}/avvikelser"),
            &[
                ("kind", "sensitive_personal_data"),
                ("occurred_at", "2026-11-19 22:00"),
                ("discovered_at", "2026-11-20 08:30"),
                ("description", "En kommentar med hälsouppgifter om ett barn togs bort."),
            ],
        )
        .await;
    r.assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner, id).await;
    assert!(page.text(".flash").contains("senast 2026-11-23 08:30"), "{}", page.text(".flash"));
    assert_eq!(page.text(".imy-deadline"), "2026-11-23 08:30");
    let komm = app.login("kommunikator@example.se").await;
    assert!(
        komm.get("/").await.texts(".tasks li").iter().any(|t| t
            .starts_with("Följ upp avvikelse på Förskolan Lärkan")
            && t.contains("2026-11-23 08:30"))
    );
    let iid: i64 = sqlx::query_scalar("select incident_id from incidents").fetch_one(&app.db).await.unwrap();
    // Cannot be closed before IMY is notified or a reasoned decision is made.
    let r = komm.post(&format!("/konton/{id}/avvikelser/{iid}"), &[("close", "on")]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    komm.post(
        &format!("/konton/{id}/avvikelser/{iid}"),
        &[
            ("dpo_informed", "on"),
            ("imy_notified_on", "2026-11-21"),
            ("imy_reference", "IMY-2026-123"),
            ("close", "on"),
        ],
    )
    .await
    .assert_redirect(&format!("/konton/{id}"));
    let page = on_page(&owner, id).await;
    assert!(page.body.contains("Anmäld till IMY 2026-11-21, diarienummer IMY-2026-123."));
    assert!(!komm.get("/").await.texts(".tasks li").iter().any(|t| t.starts_with("Följ upp avvikelse")));
    assert_eq!(
        komm.post(&format!("/konton/{id}/avvikelser/{iid}"), &[("close", "on")]).await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(app.audit_count("account_incident_reported").await, 1);
    assert_eq!(app.audit_count("account_incident_followed_up").await, 1);
}

#[tokio::test]
async fn a_new_document_version_asks_everyone_again() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let tasks = owner.get("/").await.texts(".tasks li");
    assert_eq!(tasks.iter().filter(|t| t.starts_with("Bekräfta att du har läst")).count(), 3);
    let docs: Vec<i64> =
        sqlx::query_scalar("select document_id from documents").fetch_all(&app.db).await.unwrap();
    for d in &docs {
        owner
            .post("/mina-uppgifter/bekrafta", &[("document_id", &d.to_string())])
            .await
            .assert_redirect("/mina-uppgifter");
    }
    assert!(
        !owner.get("/").await.texts(".tasks li").iter().any(|t| t.starts_with("Bekräfta att du har läst"))
    );
    let admin = app.login("admin@example.se").await;
    let r = admin
        .post(
            "/admin/dokument",
            &[
                ("kind", "routine"),
                ("version", "2024"),
                ("title", "Lokal rutin"),
                ("url", "https://intra.example.se/r"),
            ],
        )
        .await;
    assert_eq!(r.texts(".error-summary li"), ["Den versionen finns redan."]);
    admin
        .post(
            "/admin/dokument",
            &[
                ("kind", "routine"),
                ("version", "2027"),
                ("title", "Lokal rutin för sociala medier"),
                ("url", "https://intra.example.se/rutin-2027"),
            ],
        )
        .await
        .assert_redirect("/admin/dokument");
    let tasks = owner.get("/").await.texts(".tasks li");
    let asks: Vec<&String> = tasks.iter().filter(|t| t.starts_with("Bekräfta att du har läst")).collect();
    assert_eq!(asks, ["Bekräfta att du har läst Lokal rutin för sociala medier, version 2027 Styrdokument"]);
    // An old version cannot be acknowledged again as if it were current.
    let r = owner.post("/mina-uppgifter/bekrafta", &[("document_id", &docs[2].to_string())]).await;
    assert_eq!(r.location(), "/mina-uppgifter");
    assert_eq!(app.audit_count("document_published").await, 1);
    assert_eq!(app.audit_count("document_acknowledged").await, 3);
    assert_eq!(
        app.login("chef@example.se").await.post("/admin/dokument", &[("kind", "policy")]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_managers_page_shows_owners_missing_training_and_acknowledgements() {
    let app = TestApp::spawn().await;
    account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    account(&app, "Kultur och fritid", "Biblioteket", "active", "kommunikator@example.se").await;
    account(&app, "Äldreomsorg", "Seniorer", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let r = owner.post("/mina-uppgifter/utbildning", &[("course", ""), ("completed_on", "igår")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li").len(), 2);
    owner
        .post(
            "/mina-uppgifter/utbildning",
            &[("course", "Grundutbildning i sociala medier"), ("completed_on", "2026-09-01")],
        )
        .await
        .assert_redirect("/mina-uppgifter");
    let chef = app.login("chef@example.se").await;
    let page = chef.get("/min-verksamhet").await;
    assert_eq!(page.status, StatusCode::OK);
    let rows = page.texts("tbody tr");
    assert_eq!(rows.len(), 2, "only the manager's units: {rows:?}");
    let lark = rows.iter().find(|r| r.contains("Förskolan Lärkan")).unwrap();
    assert!(
        lark.contains("Oskar Ägare")
            && lark.contains("3 obekräftade styrdokument")
            && !lark.contains("Utbildning"),
        "{lark}"
    );
    let bib = rows.iter().find(|r| r.contains("Biblioteket")).unwrap();
    assert!(bib.contains("Utbildning"), "{bib}");
    assert_eq!(owner.get("/min-verksamhet").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn owners_are_changed_by_the_manager_or_communicator_and_data_by_the_communicator() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let chef_id = app.user_id("chef@example.se").await;
    let komm_id = app.user_id("kommunikator@example.se").await;
    let owner = app.login("agare@example.se").await;
    let r = owner.post(&format!("/konton/{id}/ansvariga"), &[("owner_user_id", &komm_id.to_string())]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let chef = app.login("chef@example.se").await;
    let r = chef
        .post(
            &format!("/konton/{id}/ansvariga"),
            &[
                ("owner_user_id", &komm_id.to_string()),
                ("deputy_user_id", &komm_id.to_string()),
                ("editors", "bara namn"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.texts(".error-summary li").len(), 2);
    // The refused form keeps what was typed, not the account as it is.
    assert_eq!(r.text("#editors"), "bara namn");
    assert!(
        r.text("#owner_user_id option[selected]").contains("kommunikator@example.se"),
        "{}",
        r.text("#owner_user_id")
    );
    chef.post(
        &format!("/konton/{id}/ansvariga"),
        &[
            ("owner_user_id", &komm_id.to_string()),
            ("deputy_user_id", &chef_id.to_string()),
            ("editors", "Anna A, anna@example.se"),
        ],
    )
    .await
    .assert_redirect(&format!("/konton/{id}"));
    // The old owner no longer sees it.
    assert_eq!(on_page(&owner, id).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        chef.post(&format!("/konton/{id}/uppgifter"), &[("name", "Nytt")]).await.status,
        StatusCode::FORBIDDEN
    );
    let komm = app.login("kommunikator@example.se").await;
    let unit: i64 = sqlx::query_scalar("select unit_id from accounts where account_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let platform: i64 = sqlx::query_scalar("select platform_id from platforms where name = 'Facebook'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    komm.post(
        &format!("/konton/{id}/uppgifter"),
        &[
            ("name", "Lärkan <script>"),
            ("url", "@larkan"),
            ("platform_id", &platform.to_string()),
            ("unit_id", &unit.to_string()),
            ("purpose", "Nytt syfte"),
        ],
    )
    .await
    .assert_redirect(&format!("/konton/{id}"));
    let r = komm
        .post(
            &format!("/konton/{id}/uppgifter"),
            &[("name", ""), ("url", "@larkan"), ("purpose", "Skrivet men inte sparat")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.text("#purpose"), "Skrivet men inte sparat");
    assert!(r.body.contains("<dd>Nytt syfte</dd>"), "the saved purpose stays in the facts");
    let page = on_page(&komm, id).await;
    assert_eq!(page.text("h1"), "Lärkan <script>");
    assert!(!page.body.contains("<script>"));
    let history = page.texts(".timeline li");
    assert_eq!(history.len(), 2);
    assert_eq!(app.audit_count("account_people_changed").await, 1);
    assert_eq!(app.audit_count("account_updated").await, 1);
}

/// The trigger-kept counters equal a real count.
async fn assert_counters_match(app: &TestApp) {
    let mismatches: i64 = sqlx::query_scalar(
        "select count(*) from (select organisation_id, unit_id, state, missing_form, count(*) as n
                               from accounts group by 1, 2, 3, 4) r
         full join (select * from account_counts where n <> 0) c using (organisation_id, unit_id, state, missing_form)
         where r.n is distinct from c.n",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(mismatches, 0, "account_counts differs from the accounts");
}

#[tokio::test]
async fn the_register_total_from_counters_equals_a_real_count() {
    let app = TestApp::spawn().await;
    for i in 0..7 {
        account(
            &app,
            "Förskola",
            &format!("F{i}"),
            ["active", "approved", "closed"][i % 3],
            "agare@example.se",
        )
        .await;
    }
    account(&app, "Miljöövervakning", "M", "active", "agare@example.se").await;
    sqlx::query("update accounts set state = 'closing' where name = 'F0'").execute(&app.db).await.unwrap();
    sqlx::query("update accounts set missing_form = true where name in ('F1', 'M')")
        .execute(&app.db)
        .await
        .unwrap();
    assert_counters_match(&app).await;
    // The owner also owns an account in another organisation: counted once.
    let c = app.login("agare@example.se").await;
    assert_eq!(c.get("/konton").await.text(".count"), "8 konton, visar 1–8");
    let k = app.login("kommunikator@example.se").await;
    assert_eq!(k.get("/konton").await.text(".count"), "7 konton, visar 1–7");
    assert_eq!(k.get("/konton?status=closed").await.text(".count"), "2 konton, visar 1–2");
    assert_eq!(k.get("/konton?saknar_blankett=1").await.text(".count"), "1 konto, visar 1–1");
    let slk = app.login("slk@example.se").await;
    assert_eq!(slk.get("/konton").await.text(".count"), "8 konton, visar 1–8");
    assert_eq!(
        slk.get("/konton?q=f").await.text(".count"),
        "7 konton, visar 1–7",
        "a search counts for real"
    );
    // A search in a narrower scope counts its own accounts only, each once.
    assert_eq!(c.get("/konton?q=f").await.text(".count"), "7 konton, visar 1–7");
    assert_eq!(k.get("/konton?q=f&status=closed").await.text(".count"), "2 konton, visar 1–2");
    assert_eq!(k.get("/konton?q=zz").await.text(".count"), "0 konton");
}

#[tokio::test]
async fn a_closed_accounts_data_is_not_changed() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Gamla förskolan", "closed", "agare@example.se").await;
    let komm = app.login("kommunikator@example.se").await;
    let owner = app.user_id("agare@example.se").await.to_string();
    let platform: i64 = sqlx::query_scalar("select platform_id from accounts where account_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let unit: i64 = sqlx::query_scalar("select unit_id from accounts where account_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (platform, unit) = (platform.to_string(), unit.to_string());
    let before = app.audit_count("account_updated").await + app.audit_count("account_people_changed").await;
    for (path, form) in [
        (format!("/konton/{id}/checklista"), vec![("profile_picture", "on"), ("basic_info", "on")]),
        (format!("/konton/{id}/ansvariga"), vec![("owner_user_id", owner.as_str()), ("deputy_user_id", "")]),
        (
            format!("/konton/{id}/uppgifter"),
            vec![
                ("name", "Nytt namn"),
                ("url", "https://www.instagram.com/nytt"),
                ("platform_id", platform.as_str()),
                ("unit_id", unit.as_str()),
                ("purpose", "Nytt syfte"),
            ],
        ),
    ] {
        let r = komm.post(&path, &form).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{path}: {}", r.body);
        assert!(r.body.contains("Kontot är avslutat"), "{path}");
    }
    let name: String = sqlx::query_scalar("select name from accounts where account_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(name, "Gamla förskolan");
    let after = app.audit_count("account_updated").await + app.audit_count("account_people_changed").await;
    assert_eq!(after, before);
}

/// A closure and an edit of the same account at the same time: either the edit
/// comes first, or it is refused. A closed account never changes afterwards.
#[tokio::test]
async fn a_concurrent_closure_and_edit_never_change_a_closed_account() {
    let app = TestApp::spawn().await;
    let komm = app.login("kommunikator@example.se").await;
    let platform: i64 = sqlx::query_scalar("select platform_id from platforms where name = 'Instagram'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let unit: i64 = sqlx::query_scalar("select unit_id from units where name = 'Förskola'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let (platform, unit) = (platform.to_string(), unit.to_string());
    let mut edited_first = 0;
    for round in 0..12 {
        let id = account(&app, "Förskola", &format!("Konto {round}"), "closing", "agare@example.se").await;
        sqlx::query(
            "update accounts set announcement_start = current_date - 40, announcement_end = current_date - 5,
                                 announced_at = now() - interval '40 days' where account_id = $1",
        )
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query(
            "insert into archive_records (account_id, kind, year, archived_on, recorded_by, method)
             select $1, 'before_closing', extract(year from current_date)::int, current_date - 1, user_id, 'Export'
             from users where email = 'kommunikator@example.se'",
        )
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
        let new_name = format!("Nytt namn {round}");
        let edit = [
            ("name", new_name.as_str()),
            ("url", "https://www.instagram.com/nytt"),
            ("platform_id", platform.as_str()),
            ("unit_id", unit.as_str()),
            ("purpose", "Nytt syfte"),
        ];
        let close_path = format!("/konton/{id}/avslut/stang");
        let edit_path = format!("/konton/{id}/uppgifter");
        let (closed, edited) =
            tokio::join!(komm.post(&close_path, &[("bekraftat", "ja")]), komm.post(&edit_path, &edit));
        assert_eq!(closed.status, StatusCode::SEE_OTHER, "the closure goes through: {}", closed.body);
        let (state, name): (String, String) =
            sqlx::query_as("select state::text, name from accounts where account_id = $1")
                .bind(id)
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(state, "closed");
        // The audit order is the order of the writes.
        let order: Vec<String> = sqlx::query_scalar(
            "select action from audit_log where entity_type = 'account' and entity_id = $1 order by audit_id",
        )
        .bind(id)
        .fetch_all(&app.db)
        .await
        .unwrap();
        if edited.status == StatusCode::SEE_OTHER {
            edited_first += 1;
            assert_eq!(name, new_name);
            assert_eq!(order, ["account_updated", "account_closed"], "the edit came first");
        } else {
            assert_eq!(edited.status, StatusCode::CONFLICT, "{}", edited.body);
            assert_eq!(name, format!("Konto {round}"), "a refused edit changes nothing");
            assert_eq!(order, ["account_closed"]);
        }
    }
    eprintln!("edits that came first: {edited_first} of 12");
}

#[tokio::test]
async fn the_register_finds_an_account_by_its_forms_case_number() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    account(&app, "Förskola", "Förskolan Trasten", "active", "agare@example.se").await;
    sqlx::query(
        "insert into forms (kind, state, organisation_id, unit_id, owner_user_id, account_id, case_number, content)
         select 'new_account', 'approved', organisation_id, unit_id, owner_user_id, account_id, 'SM-2026-0003', '{}'
         from accounts where account_id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let c = app.login("kommunikator@example.se").await;
    for q in ["SM-2026-0003", " sm-2026-0003 "] {
        let r = c.get(&format!("/konton?q={}", q.replace(' ', "+"))).await;
        assert_eq!(names(&r), ["Förskolan Lärkan"], "{q:?}");
    }
    assert!(names(&c.get("/konton?q=SM-2026-0004").await).is_empty());
}

/// Incident times follow the same clock as every date: the configured day.
#[tokio::test]
async fn incident_times_are_checked_against_the_configured_day() {
    let real_today = kontoregister::web::stockholm_now_date();
    let later = real_today + time::Duration::days(30);
    let app = TestApp::spawn_with(|c| c.today = Some(later)).await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let yesterday = format!("{} 09:00", later - time::Duration::days(1));
    let tomorrow = format!("{} 09:00", later + time::Duration::days(1));
    let post = |discovered: String| {
        let owner = &owner;
        let path = format!("/konton/{id}/avvikelser");
        async move {
            owner
                .post(
                    &path,
                    &[
                        ("kind", "other"),
                        ("occurred_at", discovered.as_str()),
                        ("discovered_at", discovered.as_str()),
                        ("description", "Ett inlägg togs bort."),
                    ],
                )
                .await
        }
    };
    // The day before the configured day is in the past, though after the real today.
    post(yesterday).await.assert_redirect(&format!("/konton/{id}"));
    let r = post(tomorrow).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#discovered_at-fel").contains("kan inte ligga i framtiden"), "{}", r.text("main"));
}

#[tokio::test]
async fn counts_have_the_right_plural_and_quoted_reasons_no_doubled_stop() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    sqlx::query("update accounts set missing_form = true where account_id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let komm = app.login("kommunikator@example.se").await;
    let tasks = komm.get("/").await.texts("ul.tasks a");
    assert!(tasks.contains(&"1 konto saknar uppstartsblankett".to_string()), "{tasks:?}");
    sqlx::query(
        "insert into closure_requests (account_id, state, requested_by, reason, decided_by, decided_at, announcement_days)
         select $1, 'approved', owner_user_id, 'Enheten har slagits ihop.', owner_user_id, now(), 1 from accounts where account_id = $1",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let page = komm.get(&format!("/konton/{id}")).await.text("main");
    assert!(page.contains("annonsering 1 dag."), "{page}");
    assert!(page.contains("”Enheten har slagits ihop.”") && !page.contains(".\"."), "{page}");
    assert_eq!(komm.get("/konton").await.text("title"), "Konton – Kontoregistret");
}

#[tokio::test]
async fn a_web_address_is_a_safe_link_and_anything_else_is_text() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let page = owner.get(&format!("/konton/{id}")).await;
    let html = page.html();
    let sel = scraper::Selector::parse(r#"dl.facts a[href^="https://www.instagram.com/"]"#).unwrap();
    let a = html.select(&sel).next().expect("the address is a link");
    assert_eq!(a.value().attr("rel"), Some("noopener noreferrer"));
    sqlx::query("update accounts set url = 'javascript:alert(1)' where account_id = $1")
        .bind(id)
        .execute(&app.db)
        .await
        .unwrap();
    let page = owner.get(&format!("/konton/{id}")).await;
    assert!(page.text("dl.facts").contains("javascript:alert(1)"));
    assert!(!page.body.contains(r#"href="javascript:"#), "never a javascript: link");
}

#[tokio::test]
async fn the_archiving_overview_says_when_the_year_is_not_a_year_and_links_its_counts() {
    let app = TestApp::spawn().await;
    account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let arkivarie = app.login("arkivarie@example.se").await;
    let year = kontoregister::web::stockholm_now_date().year();
    let r = arkivarie.get("/arkivering?ar=tjugo").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#ar-fel").contains("Skriv ett år med fyra siffror"), "{}", r.text("main"));
    assert_eq!(r.value("#ar").as_deref(), Some("tjugo"), "what was typed is kept");
    assert!(r.text("title").starts_with("Fel: "));
    // This year: the count links to the register filtered to the unit.
    let r = arkivarie.get("/arkivering").await;
    let html = r.html();
    let sel = scraper::Selector::parse("table a").unwrap();
    let href = html.select(&sel).next().and_then(|a| a.value().attr("href")).map(String::from).unwrap();
    assert!(href.contains("ej_arkiverat=1") && href.contains("enhet="), "{href}");
    assert!(r.body.contains("Visa konton som inte är arkiverade i år"));
    // A past year does not link to this year's filter.
    let r = arkivarie.get(&format!("/arkivering?ar={}", year - 1)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.body.contains("Visa konton som inte är arkiverade i år"));
}

#[tokio::test]
async fn an_account_not_started_has_nothing_archived() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "approved", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let facts = owner.get(&format!("/konton/{id}")).await.text("dl.facts");
    assert!(facts.contains("Inget att arkivera förrän kontot har startat"), "{facts}");
    assert!(!facts.contains("Arkiverat"), "{facts}");
}

#[tokio::test]
async fn a_missed_year_stays_overdue_until_recorded_with_its_year() {
    let app = TestApp::spawn_with(|c| c.today = Some(day("2027-02-10"))).await;
    // Started 2024-02-01; only 2024 is archived, so 2025 and 2026 are missing.
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    sqlx::query(
        "insert into archive_records (account_id, kind, year, archived_on, recorded_by, method)
         select $1, 'yearly', 2024, date '2024-12-10', user_id, 'Export' from users where email = 'agare@example.se'",
    )
    .bind(id)
    .execute(&app.db)
    .await
    .unwrap();
    let owner = app.login("agare@example.se").await;
    let archiving_tasks = |r: crate::helpers::Resp| -> Vec<String> {
        r.texts(".tasks li").into_iter().filter(|t| t.starts_with("Arkiver")).collect()
    };
    assert_eq!(
        archiving_tasks(owner.get("/").await),
        ["Arkivera Förskolan Lärkan för 2025 och 2026 Försenad"]
    );
    let page = on_page(&owner, id).await;
    assert!(
        page.texts(".facts .warning-text")
            .contains(&"Försenad: arkiveringen för 2025 och 2026 saknas".into())
    );
    assert_eq!(page.value("#year").as_deref(), Some("2025"), "the form suggests the oldest missing year");
    // The archivist sees them by name, on "Att göra" and on the archiving overview.
    let archivist = app.login("arkivarie@example.se").await;
    assert_eq!(
        archiving_tasks(archivist.get("/").await),
        ["Arkivering saknas för Förskolan Lärkan (Förskola, 2025 och 2026) Försenad"]
    );
    let overview = archivist.get("/arkivering").await;
    assert_eq!(
        overview.texts("#saknas + p + .table-wrap table tbody td"),
        ["Förskolan Lärkan", "Östermalms stadsdelsförvaltning", "Förskola", "2025 och 2026"]
    );

    // Wrong years are refused next to the field, keeping what was typed.
    let path = format!("/konton/{id}/arkivering");
    for (year, on, msg) in [
        ("tjugo", "2027-02-10", "Skriv året med fyra siffror, till exempel 2025."),
        ("2028", "2027-02-10", "Året kan inte ligga i framtiden."),
        ("2023", "2027-02-10", "Kontot startade 2024-02-01, så det finns ingen arkivering för 2023."),
        ("2026", "2025-12-01", "En arkivering gjord 2025-12-01 kan inte gälla 2026."),
        ("2024", "2027-02-10", "Kontot har redan en årlig arkivering för 2024."),
    ] {
        let r = owner
            .post(&path, &[("kind", "yearly"), ("year", year), ("archived_on", on), ("method", "Export")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{year}");
        assert_eq!(r.text("#year-fel"), format!("Fel: {msg}"), "{year}");
        assert_eq!(r.value("#year").as_deref(), Some(year));
    }
    // The missed 2025 is recorded now, in February 2027.
    owner
        .post(
            &path,
            &[("kind", "yearly"), ("year", "2025"), ("archived_on", "2027-02-10"), ("method", "Export")],
        )
        .await
        .assert_redirect(&format!("/konton/{id}"));
    let years: Vec<i32> =
        sqlx::query_scalar("select year from archive_records where account_id = $1 order by year")
            .bind(id)
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(years, [2024, 2025]);
    assert_eq!(archiving_tasks(owner.get("/").await), ["Arkivera Förskolan Lärkan för 2026 Försenad"]);
    let page = on_page(&owner, id).await;
    assert_eq!(page.value("#year").as_deref(), Some("2026"));
    let cells = page.texts("#arkivering + .table-wrap table tbody tr:first-child td");
    assert_eq!(cells[..3], ["2027-02-10", "Årlig arkivering (december)", "2025"], "{cells:?}");
    // A later date does not make the missing 2026 disappear.
    let later = app.serve_again(|c| c.today = Some(day("2028-03-01"))).await;
    assert_eq!(
        archiving_tasks(later.login("agare@example.se").await.get("/").await),
        ["Arkivera Förskolan Lärkan för 2026 och 2027 Försenad"]
    );
}

#[tokio::test]
async fn a_refused_action_gets_a_full_page_with_the_menu_and_a_way_back() {
    let app = TestApp::spawn().await;
    let id = account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    let from = format!("/konton/{id}");
    let r = owner.post_from(&from, &format!("/konton/{id}/avslut/stang"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.text("main p"), "Kontot håller inte på att avslutas.");
    assert!(r.texts("nav.main-nav a").contains(&"Konton".to_string()), "{:?}", r.texts("nav a"));
    assert!(
        r.body.contains(&format!("<a href=\"{from}\">Tillbaka till sidan du kom från</a>")),
        "{}",
        r.body
    );
    assert!(r.texts("main a").contains(&"Tillbaka till sidan du kom från".to_string()));
    // A 404 has the menu too; a link from another site gives no way "back" there.
    let r = owner.get("/konton/999999").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(!r.texts("nav.main-nav a").is_empty());
    assert!(!r.texts("main a").contains(&"Tillbaka till sidan du kom från".to_string()));
}

#[tokio::test]
async fn every_document_version_links_to_where_it_is_published() {
    let app = TestApp::spawn().await;
    let admin = app.login("admin@example.se").await;
    let doc: i64 = sqlx::query_scalar("select document_id from documents where kind = 'policy'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let path = format!("/admin/dokument/{doc}/lank");
    for bad in ["", "intranat/policy", "javascript:alert(1)", "https://a b"] {
        let r = admin.post(&path, &[("url", bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.text(&format!("#url-{doc}-fel")).contains("som börjar med https://"), "{bad}");
        assert_eq!(r.value(&format!("#url-{doc}")).as_deref(), Some(bad));
    }
    assert_eq!(
        admin.post("/admin/dokument/999999/lank", &[("url", "https://x.example.se")]).await.status,
        StatusCode::NOT_FOUND
    );
    admin
        .post(&path, &[("url", "https://intranat.example.se/policy")])
        .await
        .assert_redirect("/admin/dokument");
    assert_eq!(app.audit_count("document_link_set").await, 1);
    // A new version needs its address.
    let r = admin
        .post("/admin/dokument", &[("kind", "handbook"), ("version", "2027"), ("title", "Handledning")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text("#url-fel").contains("som börjar med https://"));
    // Those asked to confirm can open what they confirm.
    let owner = app.login("agare@example.se").await;
    let mine = owner.get("/mina-uppgifter").await;
    assert!(
        mine.body.contains(r#"<a href="https://intranat.example.se/policy" rel="noopener noreferrer">Stockholms stads policy för sociala medier</a>"#),
        "{}",
        mine.body
    );
    assert_eq!(
        app.login("chef@example.se").await.post(&path, &[("url", "https://x.example.se")]).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn search_wildcards_match_only_themselves() {
    let app = TestApp::spawn().await;
    account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    account(&app, "Förskola", "Rabatt 50%", "active", "agare@example.se").await;
    let komm = app.login("kommunikator@example.se").await;
    assert_eq!(names(&komm.get("/konton?q=%25").await), ["Rabatt 50%"], "a % in the term is a %");
    assert!(names(&komm.get("/konton?q=_").await).is_empty(), "an _ is not any one character");
    assert!(names(&komm.get("/konton?q=L%C3%A4r_an").await).is_empty());
    assert_eq!(names(&komm.get("/konton?q=l%C3%A4rkan").await), ["Förskolan Lärkan"]);
    let admin = app.login("admin@example.se").await;
    assert!(admin.get("/admin/anvandare?q=%25").await.texts("tbody tr").is_empty());
}

/// The register as it opens (no filter) takes its pages from the organisation,
/// unit and own-account indexes: for a manager who is also owner and deputy in
/// another organisation, its pages are exactly the accounts in scope, in name
/// order, the same as the filtered statement gives.
#[tokio::test]
async fn the_register_as_it_opens_pages_a_mixed_scope_in_name_order() {
    let app = TestApp::spawn().await;
    for i in 0..103 {
        account(&app, "Förskola", &format!("Förskola {:03}", 102 - i), "active", "agare@example.se").await;
    }
    // In another organisation: one the manager owns, one they are deputy for, one neither.
    account(&app, "Miljöövervakning", "Förskola 10b", "active", "chef@example.se").await;
    let deputy = account(&app, "Miljöövervakning", "Abborrar", "active", "agare.miljo@example.se").await;
    account(&app, "Miljöövervakning", "Förskola 11b", "active", "agare.miljo@example.se").await;
    sqlx::query("update accounts set deputy_user_id = (select user_id from users where email = 'chef@example.se') where account_id = $1")
        .bind(deputy)
        .execute(&app.db)
        .await
        .unwrap();
    let expected: Vec<String> = sqlx::query_scalar(
        "select a.name from accounts a, users c where c.email = 'chef@example.se'
           and (a.unit_id in (select unit_id from role_assignments where user_id = c.user_id and role = 'manager' and active)
                or a.owner_user_id = c.user_id or a.deputy_user_id = c.user_id)
         order by lower(a.name), a.account_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(expected.len() > 50 && expected.contains(&"Abborrar".to_string()), "{expected:?}");
    assert!(!expected.contains(&"Förskola 11b".to_string()));
    assert!(expected.len() > 100, "three pages");
    let chef = app.login("chef@example.se").await;
    let listed = |r: &crate::helpers::Resp| r.texts("table.register tbody td:first-child a");
    let mut plain = listed(&chef.get("/konton").await);
    plain.extend(listed(&chef.get("/konton?sida=2").await));
    plain.extend(listed(&chef.get("/konton?sida=3").await));
    assert_eq!(plain, expected);
    // The same pages through their links: each "Nästa sida" carries the last row
    // and "Föregående sida" the first, and both find the same rows as the offset.
    let href = |r: &crate::helpers::Resp, label: &str| {
        let sel = scraper::Selector::parse(".pagination a, nav a, a").unwrap();
        r.html()
            .select(&sel)
            .find(|a| a.text().collect::<String>().trim() == label)
            .and_then(|a| a.value().attr("href"))
            .map(String::from)
    };
    let first = chef.get("/konton").await;
    let to_second = href(&first, "Nästa sida").unwrap();
    assert!(to_second.contains("efter="), "{to_second}");
    let second = chef.get(&to_second).await;
    let to_third = href(&second, "Nästa sida").unwrap();
    let third = chef.get(&to_third).await;
    assert_eq!(href(&third, "Nästa sida"), None);
    let mut linked = listed(&first);
    linked.extend(listed(&second));
    linked.extend(listed(&third));
    assert_eq!(linked, expected);
    let back = href(&third, "Föregående sida").unwrap();
    assert!(back.contains("fore="), "{back}");
    assert_eq!(listed(&chef.get(&back).await), listed(&second));
    assert_eq!(href(&second, "Föregående sida").as_deref(), Some("/konton"));
    assert_eq!(third.text(".count"), format!("{} konton, visar 101–{}", expected.len(), expected.len()));
    // The whole city the same way (SLK walks the name index).
    let slk = app.login("slk@example.se").await;
    let city: Vec<String> =
        sqlx::query_scalar("select name from accounts order by lower(name), account_id limit 150")
            .fetch_all(&app.db)
            .await
            .unwrap();
    let p1 = slk.get("/konton").await;
    let p2 = slk.get(&href(&p1, "Nästa sida").unwrap()).await;
    let p3 = slk.get(&href(&p2, "Nästa sida").unwrap()).await;
    let mut walked = listed(&p1);
    walked.extend(listed(&p2));
    walked.extend(listed(&p3));
    assert_eq!(walked, city);
    assert_eq!(listed(&slk.get(&href(&p3, "Föregående sida").unwrap()).await), listed(&p2));
    let active: Vec<String> = sqlx::query_scalar(
        "select a.name from accounts a, users c where c.email = 'chef@example.se' and a.state = 'active'
           and (a.unit_id in (select unit_id from role_assignments where user_id = c.user_id and role = 'manager' and active)
                or a.owner_user_id = c.user_id or a.deputy_user_id = c.user_id)
         order by lower(a.name), a.account_id",
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut filtered = listed(&chef.get("/konton?status=active").await);
    filtered.extend(listed(&chef.get("/konton?status=active&sida=2").await));
    filtered.extend(listed(&chef.get("/konton?status=active&sida=3").await));
    assert_eq!(filtered, active);
    assert_eq!(chef.get("/konton").await.text(".count"), format!("{} konton, visar 1–50", expected.len()));
}
