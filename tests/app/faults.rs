//! Faults and bad input: PostgreSQL stopped and started under load, and
//! hostile values posted to every form route.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kontoregister::config::Config;
use kontoregister::db::{self, Cluster};
use kontoregister::{AppState, app};
use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::helpers::{PASSWORD, TestApp};
use crate::security;

/// Stops the test's own cluster and removes its directory also when the test
/// fails half-way, so that no PostgreSQL outlives the test run.
struct StopOnDrop(Cluster, std::path::PathBuf);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.stop();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

#[tokio::test]
async fn the_server_answers_503_while_postgres_is_down_and_recovers_without_restart() {
    // A cluster of its own: the other tests share theirs.
    let dir = std::env::temp_dir().join(format!("kontoregister-fault-test-{}", std::process::id()));
    let cluster = Cluster::new(&dir).unwrap();
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.unwrap().unwrap();
    let _stop = StopOnDrop(cluster.clone(), dir.clone());
    db::ensure_database(&cluster, "fault").await.unwrap();
    let pool = db::pool(cluster.connect_options("fault")).await.unwrap();
    db::migrate(&pool).await.unwrap();
    kontoregister::demo::seed_people(&pool, PASSWORD).await.unwrap();
    let mut config = Config::for_tests();
    config.request_timeout_seconds = 8;
    config.login_attempts_per_minute = 10_000;
    let timeout = Duration::from_secs(config.request_timeout_seconds);
    let state = AppState { db: pool.clone(), config: Arc::new(config) };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
            .await
            .unwrap();
    });
    let t = TestApp { addr, db: pool.clone(), app_db: pool.clone() };
    let owner = Arc::new(t.login("agare@example.se").await);

    // Load: four clients read pages and record training, counting what succeeded.
    let stop = Arc::new(AtomicBool::new(false));
    let confirmed = Arc::new(Mutex::new(Vec::<String>::new()));
    let slowest_503 = Arc::new(Mutex::new(Duration::ZERO));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (owner, stop, confirmed, slowest) =
            (owner.clone(), stop.clone(), confirmed.clone(), slowest_503.clone());
        workers.push(tokio::spawn(async move {
            let mut n = 0;
            let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
            while !stop.load(Ordering::Relaxed) && n < 2000 {
                n += 1;
                let course = format!("Kurs {w}-{n}");
                let started = Instant::now();
                let r = if n % 2 == 0 {
                    owner.get("/konton").await
                } else {
                    owner
                        .post(
                            "/mina-uppgifter/utbildning",
                            &[("course", &course), ("completed_on", "2026-01-15")],
                        )
                        .await
                };
                *statuses.entry(r.status.as_u16()).or_default() += 1;
                match r.status {
                    StatusCode::SEE_OTHER if n % 2 == 1 => confirmed.lock().await.push(course),
                    StatusCode::SERVICE_UNAVAILABLE => {
                        assert!(r.body.contains("Tjänsten är tillfälligt otillgänglig"), "Swedish 503 page");
                        let mut s = slowest.lock().await;
                        *s = (*s).max(started.elapsed());
                    }
                    StatusCode::OK | StatusCode::SEE_OTHER => {}
                    other => panic!("unexpected {other}: {}", r.body),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop()).await.unwrap().unwrap();
    // While down: health says so, and pages say 503 in Swedish.
    let h = t.client().get("/healthz").await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE);
    let down = owner.get("/").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.text("h1"), "Tjänsten är tillfälligt otillgänglig");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.start()).await.unwrap().unwrap();
    // The same server process recovers by itself.
    let mut healthy = false;
    for _ in 0..100 {
        if t.client().get("/healthz").await.status == StatusCode::OK {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "the server did not recover");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = std::collections::BTreeMap::<u16, u32>::new();
    for w in workers {
        for (k, v) in w.await.unwrap() {
            *all.entry(k).or_default() += v;
        }
    }
    eprintln!("statuses under load: {all:?}; slowest 503: {:?}", *slowest_503.lock().await);
    assert!(all.get(&503).copied().unwrap_or(0) > 0, "some requests met the outage: {all:?}");
    assert!(
        *slowest_503.lock().await <= timeout + Duration::from_secs(2),
        "a request hung past the time-out"
    );
    assert_eq!(owner.get("/").await.status, StatusCode::OK, "the session survived in PostgreSQL");
    // No submission that got a success answer is missing.
    let saved: Vec<String> =
        sqlx::query_scalar("select course from training_records").fetch_all(&pool).await.unwrap();
    let confirmed = confirmed.lock().await;
    assert!(!confirmed.is_empty());
    for c in confirmed.iter() {
        assert!(saved.contains(c), "{c} was confirmed but is missing");
    }
    pool.close().await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop()).await.unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every field name the forms use.
const FIELDS: [&str; 62] = [
    "email",
    "password",
    "next",
    "current",
    "new",
    "repeat",
    "name",
    "kind",
    "decision_holder",
    "delegated_role",
    "closure_announcement_days",
    "active",
    "phone",
    "title",
    "role",
    "organisation_id",
    "unit_id",
    "q",
    "account_id",
    "platform_id",
    "account_name",
    "url",
    "shared",
    "shared_with",
    "planned_start",
    "purpose",
    "goals",
    "benefit",
    "target_groups",
    "why_not_existing",
    "planned_content",
    "frequency",
    "follow_up",
    "deputy_user_id",
    "editors",
    "hours_per_week",
    "monitoring",
    "response_time",
    "training",
    "training_date",
    "controller",
    "lawful_basis",
    "consent_justification",
    "children_data",
    "children_safeguards",
    "action",
    "state",
    "comment",
    "meeting_date",
    "meeting_time",
    "meeting_place",
    "meeting_participants",
    "start_date",
    "archived_on",
    "method",
    "reason",
    "decision",
    "days",
    "occurred_at",
    "discovered_at",
    "description",
    "document_id",
];

/// A small deterministic generator, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn value(&mut self) -> String {
        const HOSTILE: [&str; 12] = [
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(1)>",
            "'; drop table users; --",
            "-1",
            "99999999999999999999999",
            "0",
            "2026-02-30",
            "submit",
            "approve",
            "\u{0}\u{1}\u{7f}",
            "ÅÄÖ åäö 😀",
            "",
        ];
        match self.next() % 5 {
            0 => "x".repeat((self.next() % 20_000) as usize),
            1 => (0..(self.next() % 40))
                .map(|_| char::from_u32((self.next() % 0x2FFF) as u32).unwrap_or('?'))
                .collect(),
            _ => HOSTILE[(self.next() % HOSTILE.len() as u64) as usize].to_string(),
        }
    }
}

#[tokio::test]
async fn hostile_input_to_every_form_route_never_gives_a_500() {
    let app = TestApp::spawn_empty().await;
    kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap();
    let ids = security::ids(&app).await;
    let posts: Vec<security::Rule> =
        security::rules(&ids).into_iter().filter(|r| r.method == "POST" && r.route != "/logga-ut").collect();
    let mut rng = Rng(0x5eed_2026);
    let users = [
        "admin@example.se",
        "agare@example.se",
        "kommunikator@example.se",
        "strateg@example.se",
        "chef@example.se",
    ];
    let mut clients = Vec::new();
    for u in users {
        clients.push(app.login(u).await);
    }
    let mut tried = 0;
    for round in 0..6 {
        for rule in &posts {
            let c = &clients[(round + tried) % clients.len()];
            // Every field at once with a hostile value, sometimes twice (duplicated fields).
            let mut body = String::new();
            for f in FIELDS {
                if rng.next().is_multiple_of(3) {
                    continue; // missing field
                }
                let v = rng.value();
                let pair = format!("{f}={}&", kontoregister::web::url_encode(&v));
                body.push_str(&pair);
                if rng.next().is_multiple_of(7) {
                    body.push_str(&pair);
                }
            }
            let mut bytes = body.into_bytes();
            if round == 5 {
                bytes.extend_from_slice(&[b'&', b'x', b'=', 0xff, 0xfe, 0x80]); // invalid UTF-8
            }
            let r = c
                .http
                .post(format!("{}{}", c.base, rule.path))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(bytes)
                .send()
                .await
                .unwrap();
            let status = r.status();
            let text = r.text().await.unwrap_or_default();
            tried += 1;
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "500 from POST {} (round {round}):\n{text}",
                rule.path
            );
            if status.is_client_error() {
                assert!(text.contains("lang=\"sv\""), "{status} from {} is not a Swedish page", rule.path);
            }
            assert!(!text.contains("<script>alert(1)</script>"), "unescaped script from {}", rule.path);
            assert!(!text.contains("<img src=x onerror"), "unescaped HTML from {}", rule.path);
        }
        // The login form, anonymously too.
        let anon = app.client();
        let r = anon
            .post("/logga-in", &[("email", &rng.value()), ("password", &rng.value()), ("next", "//evil")])
            .await;
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    eprintln!("posted {tried} hostile forms");
    assert!(tried >= posts.len() * 6);
}

#[tokio::test]
async fn extreme_and_signed_years_get_the_fields_message_not_a_dropped_connection() {
    let app = TestApp::spawn().await;
    let id =
        crate::accounts::account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let owner = app.login("agare@example.se").await;
    for year in ["-9999", "-4714", "+10000", "1899", "2201"] {
        let occurred = format!("{year}-01-01 00:30");
        let r = owner
            .post(
                &format!("/konton/{id}/avvikelser"),
                &[
                    ("kind", "other"),
                    ("occurred_at", &occurred),
                    ("discovered_at", "2026-11-20 10:00"),
                    ("description", "d"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "incident in {year}: {}", r.body);
        assert!(!r.text("#occurred_at-fel").is_empty(), "the message is next to the field ({year})");
        let day = format!("{year}-01-01");
        let r = owner
            .post("/mina-uppgifter/utbildning", &[("course", "Grundkurs"), ("completed_on", &day)])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "training in {year}: {}", r.body);
    }
    let n: i64 = sqlx::query_scalar("select count(*) from incidents").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 0, "nothing was stored");
}
