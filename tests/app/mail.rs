//! E-mail notifications through a real SMTP listener: the outbox is written
//! with its event, sent once, retried after a refusal, and never twice by two
//! workers; and the client address behind a trusted proxy.

use kontoregister::mail::worker::{Sender, send_due};
use kontoregister::mail::{Mail, Recipient};
use reqwest::StatusCode;

use crate::forms::{act, ids, submitted};
use crate::helpers::TestApp;
use crate::smtp::SmtpSink;

const PUBLIC: &str = "https://kontoregistret.stad.example";

fn sender(sink: &SmtpSink) -> Sender {
    Sender::new(&sink.url(), "Kontoregistret <kontoregistret@stad.example>", PUBLIC).unwrap()
}

async fn outbox(app: &TestApp) -> Vec<(String, String, String)> {
    sqlx::query_as("select to_address, subject, state::text from outbox order by mail_id")
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn each_step_of_a_form_mails_whoever_acts_next_with_a_link_to_it() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let owner = app.login("agare@example.se").await;
    let ids = ids(&app).await;
    let id = submitted(&app, &owner, ids.forskola, "Förskolan Lärkan").await;
    let case: String = sqlx::query_scalar("select case_number from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();

    // Submitted: the unit's manager, once, with a link that opens the form.
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 1);
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["chef@example.se"]);
    let link = format!("{PUBLIC}/blanketter/{id}");
    assert!(mails[0].data.contains(&link), "{}", mails[0].data);
    assert!(mails[0].data.contains("multipart/alternative"), "plain text and HTML");
    assert_eq!(
        outbox(&app).await[0].1,
        format!("Blanketten {case} (Förskolan Lärkan) väntar på din underskrift")
    );
    let chef = app.login("chef@example.se").await;
    let page = chef.get(&format!("/blanketter/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Skriv under"), "the manager can sign from the mail's link");

    // Signed: the organisation's communicators and strategists.
    assert_eq!(act(&chef, id, "sign", "").await.status, StatusCode::SEE_OTHER);
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 2);
    let mut to: Vec<String> = sink.received()[1..].iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["kommunikator@example.se", "strateg@example.se"]);

    // Returned for completion, then approved: the owner, with the comment.
    let strateg = app.login("strateg@example.se").await;
    assert_eq!(
        act(&strateg, id, "return_for_completion", "Beskriv målgruppen.").await.status,
        StatusCode::SEE_OTHER
    );
    send_due(&app.app_db, &sender(&sink)).await.unwrap();
    let last = sink.received().pop().unwrap();
    assert_eq!(last.to, ["agare@example.se"]);
    assert!(last.data.contains("Beskriv m"), "the comment is in the mail");
    let subjects: Vec<String> = outbox(&app).await.into_iter().map(|r| r.1).collect();
    assert_eq!(
        subjects.last().unwrap(),
        &format!("Blanketten {case} (Förskolan Lärkan) har skickats tillbaka till dig")
    );
    assert!(outbox(&app).await.iter().all(|r| r.2 == "sent"));
}

fn mail(n: usize) -> Mail {
    Mail {
        kind: "test",
        subject: format!("Prov {n}"),
        paragraphs: vec!["Ett prov.".into()],
        link_label: "Öppna".into(),
        link_path: "/".into(),
    }
}

async fn chef(app: &TestApp) -> Recipient {
    Recipient {
        user_id: app.user_id("chef@example.se").await,
        name: "Cecilia Chef".into(),
        email: "chef@example.se".into(),
    }
}

#[tokio::test]
async fn a_rolled_back_event_sends_nothing() {
    let app = TestApp::spawn().await;
    let to = chef(&app).await;
    let mut tx = app.app_db.begin().await.unwrap();
    kontoregister::mail::db::queue(&mut tx, &mail(1), &[to], None).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(outbox(&app).await.is_empty());
    // A form refused on submit (its unit has no manager) queues nothing either.
    let owner = app.login("agare@example.se").await;
    let ids = ids(&app).await;
    let fields = crate::forms::complete(&ids, ids.aldreomsorg, "Äldre");
    let mut f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    f.push(("action", "submit"));
    let r = owner.post("/blanketter", &f).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(outbox(&app).await.is_empty());
}

#[tokio::test]
async fn a_refused_mail_is_retried_later_and_arrives_once() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    sink.refuse.store(1, std::sync::atomic::Ordering::SeqCst);
    let mut conn = app.app_db.acquire().await.unwrap();
    kontoregister::mail::db::queue(&mut conn, &mail(1), &[chef(&app).await], None).await.unwrap();
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 0);
    let (attempts, waits, error): (i32, bool, Option<String>) = sqlx::query_as(
        "select attempts, next_attempt_at between now() + interval '50 seconds' and now() + interval '70 seconds', last_error from outbox",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!((attempts, waits), (1, true), "the first retry is a minute later");
    assert!(error.unwrap().contains("451"));
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 0, "not before it is due");
    sqlx::query("update outbox set next_attempt_at = now()").execute(&app.db).await.unwrap();
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 1);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(outbox(&app).await[0].2, "sent");

    // After the last wait it is failed, shown to the administrator, and can be tried again.
    sink.refuse.store(100, std::sync::atomic::Ordering::SeqCst);
    kontoregister::mail::db::queue(&mut conn, &mail(2), &[chef(&app).await], None).await.unwrap();
    for _ in 0..=kontoregister::mail::worker::BACKOFF.len() {
        sqlx::query("update outbox set next_attempt_at = now() where state = 'queued'")
            .execute(&app.db)
            .await
            .unwrap();
        send_due(&app.app_db, &sender(&sink)).await.unwrap();
    }
    assert_eq!(outbox(&app).await[1].2, "failed");
    let admin = app.login("admin@example.se").await;
    let page = admin.get("/admin/utskick?visa=misslyckade").await;
    assert!(
        page.text("main").contains("Prov 2") && page.text("main").contains("Misslyckades"),
        "{}",
        page.text("main")
    );
    assert!(page.text("main").contains("451"), "the error is shown");
    let id: i64 = sqlx::query_scalar("select mail_id from outbox where state = 'failed'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    admin
        .post(&format!("/admin/utskick/{id}/forsok-igen"), &[])
        .await
        .assert_redirect("/admin/utskick?visa=ko");
    sink.refuse.store(0, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 1);
    assert_eq!(app.audit_count("mail_retried").await, 1);
    assert_eq!(
        app.login("kommunikator@example.se").await.get("/admin/utskick").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn two_workers_never_send_one_mail_twice() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let mut conn = app.app_db.acquire().await.unwrap();
    let to = chef(&app).await;
    for n in 0..60 {
        kontoregister::mail::db::queue(&mut conn, &mail(n), std::slice::from_ref(&to), None).await.unwrap();
    }
    let (s1, s2) = (sender(&sink), sender(&sink));
    let (a, b) = tokio::join!(send_due(&app.app_db, &s1), send_due(&app.app_db, &s2));
    assert_eq!(a.unwrap() + b.unwrap(), 60);
    let mut subjects: Vec<String> = sink
        .received()
        .iter()
        .map(|m| m.data.lines().find(|l| l.starts_with("Subject: ")).unwrap().to_string())
        .collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 60, "every mail once");
    assert_eq!(sink.received().len(), 60);
}

#[tokio::test]
async fn without_an_smtp_server_mails_wait_in_the_outbox() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let ids = ids(&app).await;
    submitted(&app, &owner, ids.forskola, "Förskolan Lärkan").await;
    let admin = app.login("admin@example.se").await;
    let page = admin.get("/admin/utskick").await;
    assert!(
        page.text("main").contains("Ej skickat (ingen e-postserver konfigurerad)"),
        "{}",
        page.text("main")
    );
    assert!(page.text("main").contains("chef@example.se"));
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    let last_login_addr = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "select client_addr from audit_log where action = 'login' order by audit_id desc limit 1",
            )
            .fetch_one(&db)
            .await
            .unwrap()
        }
    };
    let forged = |c: &crate::helpers::Client| {
        c.http
            .post(format!("{}/logga-in", c.base))
            .header("x-forwarded-for", "203.0.113.5")
            .form(&[("email", "kommunikator@example.se"), ("password", crate::helpers::PASSWORD)])
            .send()
    };
    // No trusted proxy: the header is anyone's to write, and ignored.
    let app = TestApp::spawn().await;
    assert_eq!(forged(&app.client()).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(last_login_addr(&app).await.as_deref(), Some("127.0.0.1"));
    // Behind the trusted proxy 127.0.0.1 it names the client.
    let behind = app.serve_again(|c| c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
    assert_eq!(forged(&behind.client()).await.unwrap().status(), StatusCode::SEE_OTHER);
    assert_eq!(last_login_addr(&app).await.as_deref(), Some("203.0.113.5"));
}

#[tokio::test]
async fn the_workers_of_two_servers_deliver_each_mail_once() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let mut config = kontoregister::config::Config::for_tests();
    config.smtp_url = Some(sink.url());
    config.mail_interval_seconds = 1;
    let workers = [
        kontoregister::mail::worker::start(&config, app.app_db.clone()).unwrap().unwrap(),
        kontoregister::mail::worker::start(&config, app.app_db.clone()).unwrap().unwrap(),
    ];
    let mut conn = app.app_db.acquire().await.unwrap();
    let to = chef(&app).await;
    for n in 0..30 {
        kontoregister::mail::db::queue(&mut conn, &mail(n), std::slice::from_ref(&to), None).await.unwrap();
    }
    assert_eq!(sink.wait_for(30).await.len(), 30);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(sink.received().len(), 30, "no mail a second time");
    for w in workers {
        w.abort();
    }
}

async fn queued(app: &TestApp, kind: &str) -> Vec<String> {
    sqlx::query_scalar("select to_address from outbox where kind = $1 order by to_address")
        .bind(kind)
        .fetch_all(&app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_dated_reminders_are_sent_once_per_period() {
    use kontoregister::mail::reminders::tick;
    use time::macros::{date, datetime};
    let app = TestApp::spawn().await;
    let account: i64 = sqlx::query_scalar(
        "insert into accounts (organisation_id, unit_id, platform_id, name, url, state, owner_user_id, start_date)
         select u.organisation_id, u.unit_id, p.platform_id, 'Förskolan Lärkan', 'https://www.instagram.com/larkan', 'active',
                (select user_id from users where email = 'agare@example.se'), date '2025-03-01'
         from units u, platforms p where u.name = 'Förskola' and p.name = 'Instagram' returning account_id",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    sqlx::query(
        "insert into accounts (organisation_id, unit_id, platform_id, name, url, state, owner_user_id, start_date)
         select organisation_id, unit_id, platform_id, 'Förskolan Humlan', 'https://www.instagram.com/humlan', state, owner_user_id, start_date
         from accounts where account_id = $1",
    )
    .bind(account)
    .execute(&app.db)
    .await
    .unwrap();
    let pool = &app.app_db;
    let nov = datetime!(2026-11-30 12:00 UTC);
    assert_eq!(tick(pool, date!(2026 - 11 - 30), nov).await.unwrap(), Some(0), "nothing in November");
    let dec = datetime!(2026-12-01 08:00 UTC);
    assert_eq!(tick(pool, date!(2026 - 12 - 01), dec).await.unwrap(), Some(1));
    assert_eq!(tick(pool, date!(2026 - 12 - 02), dec).await.unwrap(), Some(0), "once per year");
    assert_eq!(
        queued(&app, "archiving_due").await,
        ["Oskar Ägare <agare@example.se>"],
        "one mail for both accounts"
    );
    let (subject, body): (String, String) =
        sqlx::query_as("select subject, body from outbox where kind = 'archiving_due'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(subject, "Dags att arkivera 2 konton för 2026");
    assert!(body.contains("– Förskolan Humlan\n– Förskolan Lärkan"), "{body}");
    // Still not archived in January: overdue, once.
    let jan = datetime!(2027-01-02 08:00 UTC);
    assert_eq!(tick(pool, date!(2027 - 01 - 02), jan).await.unwrap(), Some(1));
    assert_eq!(tick(pool, date!(2027 - 01 - 03), jan).await.unwrap(), Some(0));
    assert_eq!(queued(&app, "archiving_overdue").await.len(), 1);

    // A personal-data incident discovered 50 hours ago: the owner and the communicators, once.
    let now = time::OffsetDateTime::now_utc();
    sqlx::query(
        "insert into incidents (account_id, kind, occurred_at, discovered_at, description, personal_data, reported_by)
         values ($1, 'sensitive_personal_data', $2, $2, 'Ett personnummer i en kommentar', true, (select min(user_id) from users))",
    )
    .bind(account)
    .bind(now - time::Duration::hours(50))
    .execute(&app.db)
    .await
    .unwrap();
    let today = kontoregister::web::stockholm_now_date();
    let (a, b) = tokio::join!(tick(pool, today, now), tick(pool, today, now));
    let (a, b) = (a.unwrap().unwrap_or(0), b.unwrap().unwrap_or(0));
    assert_eq!(
        queued(&app, "incident_deadline").await,
        ["Kim Kommunikatör <kommunikator@example.se>", "Oskar Ägare <agare@example.se>"]
    );
    assert!(a + b >= 2, "two runs at once: the mails are queued once ({a} + {b})");
    assert_eq!(tick(pool, today, now + time::Duration::hours(1)).await.unwrap().unwrap_or(0), 0);

    // The yearly review: when it opens, and after two weeks to whoever has not answered.
    sqlx::query(
        "insert into yearly_reviews (organisation_id, year, started_by, started_at)
         select organisation_id, 2026, (select user_id from users where email = 'kommunikator@example.se'), $1
         from organisations where name like 'Östermalm%'",
    )
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    tick(pool, today, now).await.unwrap();
    assert_eq!(queued(&app, "review_open").await, ["Oskar Ägare <agare@example.se>"]);
    tick(pool, today, now + time::Duration::days(15)).await.unwrap();
    tick(pool, today, now + time::Duration::days(16)).await.unwrap();
    assert_eq!(queued(&app, "review_reminder").await.len(), 1);
}

async fn last_to(app: &TestApp, kind: &str) -> Vec<String> {
    queued(app, kind).await
}

#[tokio::test]
async fn decisions_starts_and_closures_mail_whoever_acts_next() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let ids = ids(&app).await;
    let id = submitted(&app, &owner, ids.forskola, "Förskolan Lärkan").await;
    let chef = app.login("chef@example.se").await;
    act(&chef, id, "sign", "").await.assert_redirect(&format!("/blanketter/{id}"));
    let strateg = app.login("strateg@example.se").await;
    act(&strateg, id, "approve", "Villkor: bevaka kontot dagligen.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    assert_eq!(last_to(&app, "form_approved").await, ["Oskar Ägare <agare@example.se>"]);
    let body: String = sqlx::query_scalar("select body from outbox where kind = 'form_approved'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert!(body.contains("Villkor: bevaka kontot dagligen."), "{body}");

    let account: i64 = sqlx::query_scalar("select account_id from forms where form_id = $1")
        .bind(id)
        .fetch_one(&app.db)
        .await
        .unwrap();
    owner
        .post(
            &format!("/konton/{account}/start"),
            &[("url", "https://www.instagram.com/larkan"), ("start_date", "2026-11-02")],
        )
        .await
        .assert_redirect(&format!("/konton/{account}"));
    assert_eq!(last_to(&app, "credentials_to_confirm").await, ["Kim Kommunikatör <kommunikator@example.se>"]);

    owner
        .post(&format!("/konton/{account}/avslut"), &[("reason", "Verksamheten flyttar.")])
        .await
        .assert_redirect(&format!("/konton/{account}"));
    assert_eq!(last_to(&app, "closure_requested").await, ["Sara Strateg <strateg@example.se>"]);
    let link: String = sqlx::query_scalar("select link_path from outbox where kind = 'closure_requested'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(link, format!("/konton/{account}#avslut"));
}

#[tokio::test]
async fn a_weekly_reader_gets_one_summary_from_monday_morning() {
    use kontoregister::mail::reminders::tick;
    use time::macros::{date, datetime};
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let owner = app.login("agare@example.se").await;
    owner
        .post("/mina-uppgifter/epost", &[("utskick", "vecka")])
        .await
        .assert_redirect("/mina-uppgifter#epost");
    assert!(owner.get("/mina-uppgifter").await.body.contains("value=\"vecka\" checked"));
    let to = Recipient {
        user_id: app.user_id("agare@example.se").await,
        name: "Oskar Ägare".into(),
        email: "agare@example.se".into(),
    };
    let mut conn = app.app_db.acquire().await.unwrap();
    for n in 0..3 {
        kontoregister::mail::db::queue(&mut conn, &mail(n), std::slice::from_ref(&to), None).await.unwrap();
    }
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 0, "the mails wait for the summary");
    // Monday 2026-12-07 06:30 Stockholm is before the summary; 07:05 is after.
    assert_eq!(
        tick(&app.app_db, date!(2026 - 12 - 07), datetime!(2026-12-07 05:30 UTC)).await.unwrap().unwrap_or(9),
        0
    );
    let monday = datetime!(2026-12-07 06:05 UTC);
    tick(&app.app_db, date!(2026 - 12 - 07), monday).await.unwrap();
    tick(&app.app_db, date!(2026 - 12 - 08), monday + time::Duration::days(1)).await.unwrap();
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 1);
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "one summary for the week");
    assert_eq!(mails[0].to, ["agare@example.se"]);
    let subject: String = sqlx::query_scalar("select subject from outbox where kind = 'weekly_summary'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(subject, "Veckosammanfattning från Kontoregistret, vecka 50");
    let told: i64 = sqlx::query_scalar(
        "select count(*) from outbox where digest and state = 'sent' and summary_mail_id is not null",
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(told, 3);
    // Back to a mail per event: what waits goes out at once.
    kontoregister::mail::db::queue(&mut conn, &mail(9), std::slice::from_ref(&to), None).await.unwrap();
    owner
        .post("/mina-uppgifter/epost", &[("utskick", "enskilda")])
        .await
        .assert_redirect("/mina-uppgifter#epost");
    assert_eq!(send_due(&app.app_db, &sender(&sink)).await.unwrap(), 1);
    assert_eq!(app.audit_count("mail_preference_changed").await, 2);
}

#[tokio::test]
async fn a_booked_meeting_and_a_rejection_mail_the_owner() {
    let app = TestApp::spawn().await;
    let owner = app.login("agare@example.se").await;
    let ids = ids(&app).await;
    let id = submitted(&app, &owner, ids.forskola, "Förskolan Lärkan").await;
    let chef = app.login("chef@example.se").await;
    act(&chef, id, "sign", "").await.assert_redirect(&format!("/blanketter/{id}"));
    let strateg = app.login("strateg@example.se").await;
    strateg
        .post(
            &format!("/blanketter/{id}/atgard"),
            &[
                ("action", "book_meeting"),
                ("meeting_date", "2026-12-10"),
                ("meeting_time", "13:30"),
                ("meeting_place", "Rum 4"),
                ("meeting_participants", "Oskar och Sara"),
            ],
        )
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    let (to, body): (String, String) =
        sqlx::query_as("select to_address, body from outbox where kind = 'form_meeting'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(to, "Oskar Ägare <agare@example.se>");
    assert!(body.contains("2026-12-10 13:30 i Rum 4"), "{body}");
    act(&strateg, id, "reject", "Syftet täcks av stadens konto.")
        .await
        .assert_redirect(&format!("/blanketter/{id}"));
    let (to, subject, body): (String, String, String) =
        sqlx::query_as("select to_address, subject, body from outbox where kind = 'form_rejected'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    assert_eq!(to, "Oskar Ägare <agare@example.se>");
    assert!(subject.ends_with("är avslagen"), "{subject}");
    assert!(body.contains("Skäl: Syftet täcks av stadens konto."), "{body}");
}
