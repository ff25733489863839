//! The test harness: one throwaway PostgreSQL cluster per test run (or the
//! server at `DATABASE_URL`), a migrated template database with the demo data,
//! and for each test a fresh database cloned from it and the app served on a
//! random port, driven by a cookie-keeping HTTP client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use kontoregister::config::Config;
use kontoregister::db::Cluster;
use kontoregister::{AppState, app};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, PgPool};

/// Password of every demo user in the test databases.
pub const PASSWORD: &str = "demo-losenord-123";

struct Server {
    /// Options for the maintenance database, to create test databases.
    admin: PgConnectOptions,
    template: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

extern "C" fn stop_cluster() {
    if let Some(c) = CLUSTER.get() {
        let _ = c.stop();
        if let Some(base) = c.pgdata.parent() {
            let _ = std::fs::remove_dir_all(base);
        }
    }
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        // Set up on a thread of its own: each test has its own runtime.
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(setup())
        })
        .join()
        .expect("test database setup failed")
    })
}

async fn setup() -> Server {
    let admin: PgConnectOptions = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => url.parse::<PgConnectOptions>().unwrap().database("postgres"),
        _ => {
            let dir = std::env::temp_dir().join(format!("kontoregister-test-{}", std::process::id()));
            let cluster = Cluster::new(&dir).expect("cannot prepare the test cluster");
            cluster.start().expect("cannot start the test cluster");
            let opts = cluster.connect_options("postgres");
            CLUSTER.set(cluster).ok();
            // SAFETY: registering a plain extern "C" fn with no captured state.
            unsafe { libc::atexit(stop_cluster) };
            opts
        }
    };
    let template = format!("kr_template_{}", std::process::id());
    let mut conn = admin.connect().await.expect("cannot connect to PostgreSQL");
    sqlx::raw_sql(&format!("drop database if exists {template}")).execute(&mut conn).await.unwrap();
    sqlx::raw_sql(&format!("create database {template}")).execute(&mut conn).await.unwrap();
    let pool = PgPool::connect_with(admin.clone().database(&template)).await.unwrap();
    kontoregister::db::migrate(&pool).await.unwrap();
    // The app runs as a role that is neither superuser nor owner, as in production;
    // the grants are copied with the template into every test database.
    kontoregister::db::ensure_role(&pool, APP_ROLE, Some(APP_ROLE)).await.unwrap();
    kontoregister::db::grant_app_role(&pool, APP_ROLE).await.unwrap();
    kontoregister::demo::seed_people(&pool, PASSWORD).await.unwrap();
    pool.close().await;
    Server { admin, template }
}

/// The role (and its password) the app under test connects as.
pub const APP_ROLE: &str = "kr_test_app";

/// The app's connection to a test database: as `APP_ROLE`.
pub fn app_options(database: &str) -> PgConnectOptions {
    server().admin.clone().database(database).username(APP_ROLE).password(APP_ROLE)
}

/// A running app on its own fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The tests' own connection, as the superuser (to arrange and inspect).
    pub db: PgPool,
    /// The app's connection, as `APP_ROLE`.
    pub app_db: PgPool,
}

/// An HTTP client with its own cookie jar (one browser).
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
}

/// A response, read in full.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawn with a changed configuration.
    pub async fn spawn_with(change: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_from(Some(&server().template), change).await
    }

    /// Spawn on a migrated database with no data at all.
    pub async fn spawn_empty() -> TestApp {
        let app = Self::spawn_from(None, |_| {}).await;
        kontoregister::db::migrate(&app.db).await.unwrap();
        kontoregister::db::grant_app_role(&app.db, APP_ROLE).await.unwrap();
        app
    }

    async fn spawn_from(template: Option<&str>, change: impl FnOnce(&mut Config)) -> TestApp {
        let s = server();
        let name = format!("kr_test_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
        let mut conn = s.admin.connect().await.unwrap();
        let sql = match template {
            Some(t) => format!("create database {name} template {t}"),
            None => format!("create database {name}"),
        };
        sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
        drop(conn);
        Self::serve_database(&name, change).await
    }

    /// A server on the existing database `name` (for example one restored from a dump).
    pub async fn serve_database(name: &str, change: impl FnOnce(&mut Config)) -> TestApp {
        let s = server();
        let db = kontoregister::db::pool(s.admin.clone().database(name)).await.unwrap();
        let app_db = kontoregister::db::pool(app_options(name)).await.unwrap();
        let mut config = Config::for_tests();
        config.database_url = None;
        // Every test connects from 127.0.0.1: only the rate-limit test limits the public pages.
        config.public_requests_per_minute = 1_000_000;
        change(&mut config);
        let state = AppState { db: app_db.clone(), config: Arc::new(config) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
                .await
                .unwrap();
        });
        TestApp { addr, db, app_db }
    }

    /// A libpq connection string for `database`, for `pg_dump` and `pg_restore`.
    pub fn conninfo(database: &str) -> String {
        let a = &server().admin;
        // A unix socket's directory is libpq's host too.
        let host =
            a.get_socket().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| a.get_host().into());
        format!("host={host} port={} user={} dbname={database}", a.get_port(), a.get_username())
    }

    /// Another server on the same database with a changed configuration
    /// (for example another `--today`).
    pub async fn serve_again(&self, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_tests();
        config.database_url = None;
        config.public_requests_per_minute = 1_000_000;
        change(&mut config);
        let state = AppState { db: self.app_db.clone(), config: Arc::new(config) };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>())
                .await
                .unwrap();
        });
        TestApp { addr, db: self.db.clone(), app_db: self.app_db.clone() }
    }

    pub fn client(&self) -> Client {
        self.client_from([127, 0, 0, 1])
    }

    /// A client connecting from another loopback address (Linux routes all of
    /// 127.0.0.0/8 to the loopback), as another computer would.
    pub fn client_from(&self, ip: [u8; 4]) -> Client {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap();
        Client { base: format!("http://{}", self.addr), http, jar }
    }

    /// A client logged in as `email` (demo password).
    pub async fn login(&self, email: &str) -> Client {
        let c = self.client();
        let r = c.login(email, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login as {email} failed: {}", r.body);
        c
    }

    pub async fn user_id(&self, email: &str) -> i64 {
        sqlx::query_scalar("select user_id from users where email = $1")
            .bind(email)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }

    /// Number of audit rows with this action.
    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("select count(*) from audit_log where action = $1")
            .bind(action)
            .fetch_one(&self.db)
            .await
            .unwrap()
    }
}

impl Client {
    async fn read(r: reqwest::Response) -> Resp {
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap_or_default();
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        Self::read(self.http.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    /// A GET with extra request headers (for example `If-None-Match`).
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        Self::read(self.http.post(format!("{}{path}", self.base)).form(form).send().await.unwrap()).await
    }

    /// A POST as a browser sends it from the page at `from` on this site.
    pub async fn post_from(&self, from: &str, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("referer", format!("{}{from}", self.base))
            .form(form);
        Self::read(req.send().await.unwrap()).await
    }

    /// A POST as a browser sends it from another site.
    pub async fn post_cross_site(&self, path: &str, form: &[(&str, &str)]) -> Resp {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .form(form);
        Self::read(req.send().await.unwrap()).await
    }

    /// A `multipart/form-data` POST as a browser sends a form with a file
    /// field `fil`, from this site or (with `cross_site`) from another.
    pub async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
        cross_site: bool,
    ) -> Resp {
        let boundary = "----kontoregister-test-7d3f9a";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"fil\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        if cross_site {
            req = req.header("sec-fetch-site", "cross-site").header("origin", "https://evil.example");
        }
        Self::read(req.send().await.unwrap()).await
    }

    pub async fn login(&self, email: &str, password: &str) -> Resp {
        self.post("/logga-in", &[("email", email), ("password", password)]).await
    }

    /// The session cookie's current value, if any.
    pub fn session_id(&self) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().unwrap();
        let h = self.jar.cookies(&url)?;
        h.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix("kontoregister_session=").map(String::from))
    }
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// Texts of the elements matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html()
            .select(&sel)
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.texts(selector).into_iter().next().unwrap_or_default()
    }

    /// The `value` attribute of the first element matching `selector`.
    pub fn value(&self, selector: &str) -> Option<String> {
        let sel = Selector::parse(selector).unwrap();
        self.html().select(&sel).next().and_then(|e| e.value().attr("value")).map(String::from)
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!(self.status, StatusCode::SEE_OTHER, "expected a redirect, body: {}", self.body);
        assert_eq!(self.location(), to);
    }
}
