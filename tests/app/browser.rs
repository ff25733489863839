//! Browser journeys in a real headless Chromium (chromedriver + fantoccini),
//! by labels and buttons as a user would, with axe-core (WCAG 2.0/2.1 A and AA)
//! run on every page visited. Screenshots go to `target/screenshots/`.
//!
//! Without chromedriver the journeys are skipped with a message, except under
//! CI (`CI` set), where a missing browser fails the suite.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

const AXE: &str = include_str!("../browser/axe/axe.min.js");

pub struct Browser {
    pub c: Client,
    driver: Child,
    base: String,
    profile: std::path::PathBuf,
    /// Pages checked with axe, for the report.
    pub checked: Vec<String>,
    /// The HTML of each page checked with axe, for the Nu HTML Checker.
    sources: Vec<(String, String)>,
}

impl Drop for Browser {
    /// Also when a test fails: chromedriver leads a process group of its own
    /// with the Chromium it started, and the whole group is killed, so no
    /// orphaned browser outlives the test run.
    fn drop(&mut self) {
        self.stop();
        // A journey that got to its end checks the HTML of every page it visited.
        if !std::thread::panicking()
            && let Some(errors) = crate::html::errors(&self.sources)
        {
            assert!(
                errors.is_empty(),
                "the Nu HTML Checker finds {} errors on the journey's pages:\n{}",
                errors.len(),
                errors.join("\n")
            );
        }
    }
}

impl Browser {
    fn stop(&mut self) {
        // SAFETY: signalling a process group we created; no memory is involved.
        unsafe { libc::kill(-(self.driver.id() as i32), libc::SIGKILL) };
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn find_chromedriver() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(String::from)
}

impl Browser {
    /// Start chromedriver and a headless Chromium; `None` (skip) when not installed outside CI.
    pub async fn start(app: &TestApp) -> Option<Browser> {
        let Some(driver_bin) = find_chromedriver() else {
            if std::env::var_os("CI").is_some() {
                panic!("chromedriver is not installed: .ci/run must install chromium and chromium-driver");
            }
            eprintln!(
                "SKIPPED browser journey: chromedriver not found (apt-get install chromium chromium-driver)"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(driver_bin)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start chromedriver");
        let profile = std::env::temp_dir().join(format!("kr-chrome-{}-{port}", std::process::id()));
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--window-size=1280,1000", "--lang=sv-SE",
                         format!("--user-data-dir={}", profile.display())]
            }
        });
        let caps = match caps {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let mut last = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(c) => {
                    return Some(Browser {
                        c,
                        driver,
                        base: format!("http://{}", app.addr),
                        profile,
                        checked: Vec::new(),
                        sources: Vec::new(),
                    });
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("cannot connect to chromedriver: {last:?}");
    }

    pub async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    pub async fn path(&self) -> String {
        let u = self.c.current_url().await.unwrap();
        match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        }
    }

    /// The input, select or textarea labelled `label` (exact text of its label).
    pub async fn field(&self, label: &str) -> fantoccini::elements::Element {
        let xpath = format!("//label[normalize-space(.)={}]", xpath_literal(label));
        let l = self.c.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no label {label:?}"));
        match l.attr("for").await.unwrap() {
            Some(id) => self.c.find(Locator::Id(&id)).await.unwrap(),
            None => l.find(Locator::Css("input")).await.unwrap(),
        }
    }

    pub async fn fill(&self, label: &str, value: &str) {
        let f = self.field(label).await;
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }

    pub async fn select(&self, label: &str, option: &str) {
        let f = self.field(label).await;
        f.select_by_label(option).await.unwrap_or_else(|_| panic!("no option {option:?} in {label:?}"));
    }

    /// Tick a checkbox or a radio button by its label text.
    pub async fn choose(&self, label: &str) {
        let f = self.field(label).await;
        if !f.is_selected().await.unwrap() {
            f.click().await.unwrap();
        }
    }

    /// Mark the current document, so that `wait_for_new_page` sees it replaced.
    async fn mark_page(&self) {
        self.c.execute("window.__krOldPage = true;", vec![]).await.unwrap();
    }

    async fn wait_for_new_page(&self) {
        for _ in 0..200 {
            let v = self
                .c
                .execute("return !window.__krOldPage && document.readyState === 'complete';", vec![])
                .await;
            if matches!(v, Ok(Value::Bool(true))) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the page did not change");
    }

    /// Press a button that submits a form, and wait for the next page.
    pub async fn press(&self, button: &str) {
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(button));
        let b = self.c.find(Locator::XPath(&xpath)).await.unwrap_or_else(|_| panic!("no button {button:?}"));
        self.mark_page().await;
        b.click().await.unwrap();
        self.wait_for_new_page().await;
    }

    /// Follow a link by the start of its text, and wait for the next page.
    pub async fn follow(&self, link_starting_with: &str) {
        let xpath = format!("//a[starts-with(normalize-space(.), {})]", xpath_literal(link_starting_with));
        let a = self
            .c
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|_| panic!("no link {link_starting_with:?}"));
        self.mark_page().await;
        a.click().await.unwrap();
        self.wait_for_new_page().await;
    }

    pub async fn text(&self, css: &str) -> String {
        match self.c.find(Locator::Css(css)).await {
            Ok(e) => e.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn texts(&self, css: &str) -> Vec<String> {
        let mut v = Vec::new();
        for e in self.c.find_all(Locator::Css(css)).await.unwrap() {
            v.push(e.text().await.unwrap_or_default());
        }
        v
    }

    pub async fn login(&mut self, email: &str, password: &str) {
        self.goto("/logga-in").await;
        self.fill("E-postadress", email).await;
        self.fill("Lösenord", password).await;
        self.press("Logga in").await;
    }

    pub async fn logout(&self) {
        self.press("Logga ut").await;
    }

    /// Run axe-core on the current page with the WCAG 2.0/2.1 A and AA rules;
    /// fail with the violations listed.
    pub async fn axe(&mut self, page: &str) {
        let violations = self.axe_violations().await;
        assert!(
            violations.is_empty(),
            "accessibility violations on {page} ({}):\n{}",
            self.path().await,
            serde_json::to_string_pretty(&violations).unwrap()
        );
        self.phone_width(page).await;
        let html = self.c.source().await.unwrap();
        self.sources.push((format!("{page} ({})", self.path().await), format!("<!DOCTYPE html>\n{html}")));
        self.checked.push(page.to_string());
    }

    /// Every checked page also fits a 390 px phone: nothing makes the page
    /// scroll sideways (wide tables scroll inside their own frame).
    async fn phone_width(&self, page: &str) {
        let (w, h) = self.c.get_window_size().await.unwrap();
        if w != 390 {
            self.c.set_window_size(390, 844).await.unwrap();
        }
        let wide = self
            .c
            .execute(
                "const d = document.documentElement;
                 if (d.scrollWidth <= d.clientWidth) return [];
                 return [...document.querySelectorAll('body *')]
                   .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1)
                   .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                     + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
                     + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');",
                vec![],
            )
            .await
            .unwrap();
        if w != 390 {
            self.c.set_window_size(w as u32, h as u32).await.unwrap();
        }
        assert_eq!(wide, Value::Array(vec![]), "{page} ({}) is wider than a 390 px phone", self.path().await);
    }

    /// The axe-core violations of the current page.
    pub async fn axe_violations(&self) -> Vec<Value> {
        self.c.execute(&format!("{AXE}\n;return true;"), vec![]).await.expect("inject axe");
        let script = r#"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                                     nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ')) }))))
              .catch(e => done([{ id: 'axe-error', help: String(e), nodes: [] }]));
        "#;
        let v = self.c.execute_async(script, vec![]).await.expect("axe.run");
        v.as_array().cloned().unwrap_or_default()
    }

    /// Save a screenshot as `target/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.c.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("concat('{}')", s.split('\'').collect::<Vec<_>>().join("', \"'\", '"))
    }
}

#[tokio::test]
async fn the_accessibility_check_finds_real_violations() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::start(&app).await else { return };
    b.goto("/logga-in").await;
    b.c.execute(
        "const i = document.createElement('input'); i.type = 'text'; document.querySelector('form').append(i);
         document.documentElement.removeAttribute('lang');",
        vec![],
    )
    .await
    .unwrap();
    let ids: Vec<String> =
        b.axe_violations().await.iter().filter_map(|v| v["id"].as_str().map(String::from)).collect();
    assert!(ids.contains(&"label".to_string()) && ids.contains(&"html-has-lang".to_string()), "{ids:?}");
}

#[tokio::test]
async fn journey_login_failure_lockout_and_password_change() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(&app).await else { return };
    b.goto("/").await;
    assert_eq!(b.path().await, "/logga-in");
    b.axe("Logga in").await;
    b.screenshot("01-logga-in").await;
    b.login("arkivarie@example.se", "fel lösenord").await;
    assert_eq!(b.text(".error-summary").await, "Fel e-postadress eller lösenord.");
    b.axe("Logga in med fel").await;
    assert_eq!(
        b.field("E-postadress").await.prop("value").await.unwrap().as_deref(),
        Some("arkivarie@example.se")
    );
    for _ in 0..4 {
        b.login("arkivarie@example.se", "fel lösenord").await;
    }
    assert!(b.text("main").await.contains("spärras inloggningen från din dator i 15 minuter"));
    b.login("arkivarie@example.se", PASSWORD).await;
    assert_eq!(
        b.text(".error-summary").await,
        "Fel e-postadress eller lösenord.",
        "locked even with the right password, and it looks like a wrong one"
    );

    b.login("chef@example.se", PASSWORD).await;
    assert_eq!(b.text("h1").await, "Att göra");
    b.follow("Byt lösenord").await;
    b.axe("Byt lösenord").await;
    b.fill("Nuvarande lösenord", PASSWORD).await;
    b.fill("Nytt lösenord", "kort").await;
    b.fill("Upprepa det nya lösenordet", "kort").await;
    b.press("Byt lösenord").await;
    assert_eq!(b.texts(".error-summary li").await, ["Lösenordet måste ha minst 12 tecken."]);
    b.axe("Byt lösenord med fel").await;
    b.fill("Nuvarande lösenord", PASSWORD).await;
    b.fill("Nytt lösenord", "ett nytt och långt lösenord").await;
    b.fill("Upprepa det nya lösenordet", "ett nytt och långt lösenord").await;
    b.press("Byt lösenord").await;
    assert_eq!(b.text(".flash").await, "Ditt lösenord är bytt.");
    b.logout().await;
    assert_eq!(b.text(".flash").await, "Du är utloggad.");
    b.login("chef@example.se", "ett nytt och långt lösenord").await;
    assert_eq!(b.text("h1").await, "Att göra");
}

/// Fill in every required field of the startup form by its label.
async fn fill_startup_form(b: &Browser, name: &str) {
    b.select("Enhet", "Förskola").await;
    b.select("Plattform", "Instagram").await;
    b.fill("Föreslaget kontonamn", name).await;
    b.choose("Förvaltningens eget konto").await;
    b.fill("Syfte", "Visa föräldrar förskolans vardag.").await;
    b.fill("Mätbara mål", "300 följare bland föräldrar inom ett år.").await;
    b.fill("Nytta och koppling till verksamhetens uppdrag", "Samverkan med hemmen.").await;
    b.fill("Målgrupper", "Föräldrar i Östermalm.").await;
    b.fill("Varför räcker inte befintliga kanaler?", "Stockholm.se når inte föräldrarna.").await;
    b.fill("Planerat innehåll", "Bilder utan igenkännbara barn.").await;
    b.choose("Varje vecka").await;
    b.fill("Hur följs målen upp?", "Kvartalsvis med chefen.").await;
    b.select("Ersättare", "Kim Kommunikatör (kommunikator@example.se)").await;
    b.fill("Avsatt tid per vecka (timmar)", "4").await;
    b.fill("Daglig bevakning, även helger, helgdagar och semestrar", "Ersättaren tar helger.").await;
    b.fill("Svarstid på frågor och kommentarer", "Inom en arbetsdag").await;
    b.choose("Ja, jag har gått utbildningen").await;
    for group in ["publishes_personal_data", "children_data"] {
        let xpath = format!("//input[@name='{group}' and @value='nej']");
        let e = b.c.find(Locator::XPath(&xpath)).await.unwrap();
        e.click().await.unwrap();
    }
    b.choose("Uppgift av allmänt intresse").await;
    for text in [
        "Jag förstår att inlägg eller kommentarer med känsliga personuppgifter eller sekretessbelagd information som tas bort ska hanteras som personuppgiftsincidenter.",
        "Jag förstår att plattformen är en molntjänst utanför EU.",
        "Kontot får den blå S:t Erik-profilbilden.",
        "Grundinformationen på kontot följer \"Handledning i sociala medier\".",
        "Inloggningsuppgifterna lämnas till kommunikatören.",
        "Kontot arkiveras varje år i december.",
        "Jag har läst stadens policy för sociala medier, handledningen och förvaltningens lokala rutin.",
    ] {
        b.choose(text).await;
    }
}

#[tokio::test]
async fn journey_from_startup_form_to_archived_account() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(&app).await else { return };
    // The owner fills in the form; a first submit with gaps shows the error summary.
    b.login("agare@example.se", PASSWORD).await;
    b.axe("Att göra (kontoansvarig)").await;
    b.screenshot("02-att-gora").await;
    b.follow("Blanketter").await;
    b.axe("Blanketter").await;
    b.follow("Ny blankett för ett nytt konto").await;
    b.axe("Ny blankett").await;
    b.fill("Föreslaget kontonamn", "Förskolan Lärkan").await;
    b.fill("Syfte", "Ett syfte som ska finnas kvar.").await;
    b.press("Skicka till chef för underskrift").await;
    let errors = b.texts(".error-summary li").await;
    assert!(errors.len() > 20, "{errors:?}");
    assert_eq!(
        b.field("Föreslaget kontonamn").await.prop("value").await.unwrap().as_deref(),
        Some("Förskolan Lärkan")
    );
    assert_eq!(
        b.field("Syfte").await.prop("value").await.unwrap().as_deref(),
        Some("Ett syfte som ska finnas kvar.")
    );
    b.axe("Blankett med fel").await;
    b.screenshot("03-blankett-med-fel").await;
    fill_startup_form(&b, "Förskolan Lärkan").await;
    b.press("Skicka till chef för underskrift").await;
    assert!(b.text(".flash").await.contains("är skickad till chefen"), "{}", b.text("main").await);
    b.axe("Blankettens sida").await;
    b.logout().await;

    // The manager signs from the task list.
    b.login("chef@example.se", PASSWORD).await;
    b.follow("Skriv under blanketten").await;
    b.press("Skriv under").await;
    assert!(b.text(".signature").await.contains("Cecilia Chef"));
    b.logout().await;

    // The communicator comments; the strategist approves.
    b.login("kommunikator@example.se", PASSWORD).await;
    b.follow("Granska blanketten").await;
    b.fill("Kommentar", "Tänk på alt-texter.").await;
    b.press("Lägg till kommentar").await;
    assert_eq!(b.text(".flash").await, "Kommentaren är sparad.");
    b.logout().await;
    b.login("strateg@example.se", PASSWORD).await;
    b.follow("Granska och besluta om blanketten").await;
    b.axe("Blankett att besluta").await;
    // A condition typed before "Godkänn" goes with the decision.
    b.fill("Kommentar", "Villkor: följ upp efter ett halvår.").await;
    b.press("Godkänn").await;
    // The decision cannot be undone: a confirmation step that repeats the condition, without JavaScript.
    let h1 = b.text("h1").await;
    assert!(h1.starts_with("Godkänna blanketten SM-") && h1.ends_with('?'), "{h1}");
    assert!(b.text(".facts").await.contains("Villkor: följ upp efter ett halvår."));
    b.axe("Bekräfta beslutet").await;
    b.press("Ja, godkänn blanketten").await;
    assert_eq!(b.text(".state").await, "Godkänd");
    assert!(
        b.texts("ol.timeline li").await.iter().any(|h| h.contains("Villkor: följ upp efter ett halvår.")),
        "the approval carries its comment: {:?}",
        b.texts("ol.timeline li").await
    );
    b.screenshot("04-blankett-godkand-med-historik").await;
    b.axe("Godkänd blankett").await;
    b.follow("Konton").await;
    assert!(
        b.texts("table.register tbody tr")
            .await
            .iter()
            .any(|r| r.contains("Förskolan Lärkan") && r.contains("Godkänt, ej startat"))
    );
    b.axe("Kontoregistret").await;
    b.screenshot("05-kontoregistret").await;
    b.logout().await;

    // The owner registers the start.
    b.login("agare@example.se", PASSWORD).await;
    b.follow("Registrera start för Förskolan Lärkan").await;
    b.axe("Konto att starta").await;
    b.fill("Kontots adress eller användarnamn", "https://www.instagram.com/forskolanlarkan").await;
    let today = time::OffsetDateTime::now_utc().date();
    b.fill("Startdatum", &today.to_string()).await;
    b.choose("Kontot har den blå S:t Erik-profilbilden").await;
    b.choose("Grundinformationen följer \"Handledning i sociala medier\"").await;
    b.press("Registrera start").await;
    assert_eq!(b.text(".state").await, "Aktivt");
    let account_path = b.path().await;
    b.logout().await;

    // The communicator confirms the credentials deposit.
    b.login("kommunikator@example.se", PASSWORD).await;
    b.follow("Bekräfta att inloggningsuppgifterna för Förskolan Lärkan").await;
    b.press("Bekräfta att inloggningsuppgifterna är lämnade").await;
    assert!(b.text("main").await.contains("Förvaras av Kim Kommunikatör"));
    b.logout().await;

    // The owner records this year's archiving.
    b.login("agare@example.se", PASSWORD).await;
    b.goto(&account_path).await;
    b.c.find(Locator::XPath("//summary[normalize-space(.)='Registrera arkivering']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.choose("Årlig arkivering (december)").await;
    b.fill("Datum då arkiveringen gjordes", &today.to_string()).await;
    b.fill("Metod", "Export av kontots data").await;
    b.fill("Var det förvaras (valfritt)", "SM-2026-0200").await;
    b.press("Registrera arkivering").await;
    assert_eq!(b.text(".flash").await, "Arkiveringen är registrerad.");
    b.axe("Kontots sida").await;
    b.screenshot("06-kontots-sida").await;
    assert!(
        b.texts("#arkivering + .table-wrap table tbody tr")
            .await
            .iter()
            .any(|r| r.contains("Export av kontots data"))
    );
    eprintln!("axe checked {} pages: {:?}", b.checked.len(), b.checked);
}

#[tokio::test]
async fn journey_the_startup_form_with_the_keyboard_alone() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(&app).await else { return };
    b.login("agare@example.se", PASSWORD).await;
    b.goto("/blanketter/ny").await;
    let values: std::collections::HashMap<&str, &str> = [
        ("unit_id", "Förskola"),
        ("platform_id", "Instagram"),
        ("account_name", "Tangentbordskontot"),
        ("purpose", "Syfte"),
        ("goals", "Mål"),
        ("benefit", "Nytta"),
        ("target_groups", "Föräldrar"),
        ("why_not_existing", "Räcker inte"),
        ("planned_content", "Bilder"),
        ("follow_up", "Kvartalsvis"),
        ("deputy_user_id", "Kim"),
        ("hours_per_week", "3"),
        ("monitoring", "Varje dag"),
        ("response_time", "En dag"),
        ("controller", "Östermalms stadsdelsnämnd"),
        ("children_safeguards", "Inga namn, inga ansikten."),
    ]
    .into_iter()
    .collect();
    // Start from the top of the page, as a keyboard user does.
    b.c.execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    let mut order: Vec<String> = Vec::new();
    let mut submitted = false;
    for _ in 0..200 {
        b.c.active_element().await.unwrap().send_keys("\u{E004}").await.unwrap(); // Tab
        let info = b
            .c
            .execute(
                "const e = document.activeElement; const s = getComputedStyle(e);
                 return { id: e.id, name: e.name || '', tag: e.tagName, type: e.type || '', text: (e.innerText || '').trim(),
                          outline: s.outlineStyle, shadow: s.boxShadow, inForm: !!e.closest('form.long-form') };",
                vec![],
            )
            .await
            .unwrap();
        let id = info["id"].as_str().unwrap_or("").to_string();
        let name = info["name"].as_str().unwrap_or("").to_string();
        let tag = info["tag"].as_str().unwrap_or("");
        let ty = info["type"].as_str().unwrap_or("");
        // Focus is visible on every stop.
        assert!(
            info["outline"] != "none" || info["shadow"] != "none",
            "no visible focus on {tag}#{id}: {info}"
        );
        if !info["inForm"].as_bool().unwrap_or(false) {
            if !order.is_empty() {
                break;
            }
            continue;
        }
        order.push(if name.is_empty() { id.clone() } else { name.clone() });
        let el = b.c.active_element().await.unwrap();
        match (tag, ty) {
            ("INPUT", "radio") | ("INPUT", "checkbox") => {
                let checked = el.is_selected().await.unwrap();
                let wants = ty == "checkbox" || !checked;
                if wants && !(ty == "radio" && name == "shared") {
                    el.send_keys(" ").await.unwrap(); // Space
                }
            }
            ("BUTTON", _) => {
                if info["text"] == "Skicka till chef för underskrift" {
                    b.mark_page().await;
                    el.send_keys("\u{E007}").await.unwrap(); // Enter
                    b.wait_for_new_page().await;
                    submitted = true;
                    break;
                }
            }
            _ => {
                if let Some(v) = values.get(id.as_str()) {
                    el.send_keys(v).await.unwrap();
                }
            }
        }
    }
    assert!(submitted, "never reached the submit button; focus order: {order:?}");
    // The focus order follows the form from top to bottom.
    let first: Vec<&str> = order.iter().map(String::as_str).take(6).collect();
    assert_eq!(first, ["unit_id", "platform_id", "account_name", "url", "shared", "shared_with"]);
    let pos =
        |n: &str| order.iter().position(|o| o == n).unwrap_or_else(|| panic!("{n} not reached: {order:?}"));
    assert!(pos("purpose") < pos("deputy_user_id") && pos("deputy_user_id") < pos("controller"));
    assert!(pos("controller") < pos("c_profile_picture") && pos("c_read_documents") > pos("c_archiving"));
    assert!(b.text(".flash").await.contains("är skickad till chefen"), "{}", b.text("main").await);
    b.axe("Blankett ifylld med tangentbord").await;
}

#[tokio::test]
async fn journey_the_communicator_submits_the_slk_report_and_slk_downloads_the_compilation() {
    let app = TestApp::spawn_with(|c| c.today = Some(time::macros::date!(2026 - 12 - 10))).await;
    crate::accounts::account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    let Some(mut b) = Browser::start(&app).await else { return };
    b.login("kommunikator@example.se", PASSWORD).await;
    b.follow("Lämna in SLK-rapporten för 2026").await;
    assert_eq!(b.path().await, "/rapporter/slk/2026");
    assert_eq!(b.texts("table.report tbody td:nth-child(3) a").await, ["Förskolan Lärkan"]);
    b.axe("SLK-rapport").await;
    b.screenshot("07-slk-rapport").await;
    b.follow("Lämna in till SLK").await;
    b.axe("Lämna in till SLK").await;
    b.fill("Kommentar till SLK (frivillig)", "Allt är med.").await;
    b.press("Lämna in version 1").await;
    assert!(
        b.text(".flash").await.contains("inlämnad till SLK som version 1 med 1 konto"),
        "{}",
        b.text(".flash").await
    );
    assert_eq!(b.texts("table.versions tbody td:first-child").await, ["1"]);
    // At phone width the page still works: the wide list scrolls inside its frame.
    b.c.set_window_size(390, 844).await.unwrap();
    b.goto("/rapporter/slk/2026").await;
    b.axe("SLK-rapport, mobil").await;
    let overflow =
        b.c.execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, Value::Bool(false), "the page is wider than the phone");
    b.c.set_window_size(1280, 900).await.unwrap();
    b.logout().await;
    b.login("slk@example.se", PASSWORD).await;
    b.follow("Rapporter").await;
    b.axe("Rapporter (SLK)").await;
    let rows = b.texts("table.city-status tbody tr").await;
    assert!(rows.iter().any(|r| r.starts_with("Östermalms stadsdelsförvaltning Version 1")), "{rows:?}");
    let href =
        b.c.find(Locator::XPath(
            "//a[starts-with(normalize-space(.), 'Ladda ned sammanställningen 2026 (Excel)')]",
        ))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap();
    assert_eq!(href.as_deref(), Some("/rapporter/slk/2026/sammanstallning.xlsx"));
    // The browser's session downloads it: the same request a click makes.
    let cookies = b.c.get_all_cookies().await.unwrap();
    let session = cookies.iter().find(|c| c.name() == "kontoregister_session").unwrap().value().to_string();
    let r = reqwest::Client::new()
        .get(format!("http://{}/rapporter/slk/2026/sammanstallning.xlsx", app.addr))
        .header("cookie", format!("kontoregister_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "an XLSX (zip) file");
}

#[tokio::test]
async fn journey_the_yearly_review_from_start_to_confirmed_account() {
    let app = TestApp::spawn_with(|c| c.today = Some(time::macros::date!(2026 - 12 - 10))).await;
    crate::accounts::account(&app, "Förskola", "Förskolan Lärkan", "active", "agare@example.se").await;
    crate::accounts::account(&app, "Äldreomsorg", "Seniorträffar", "active", "kommunikator@example.se").await;
    let Some(mut b) = Browser::start(&app).await else { return };
    b.login("kommunikator@example.se", PASSWORD).await;
    b.follow("Starta årlig genomgång 2026").await;
    assert_eq!(b.path().await, "/rapporter/genomgang/2026");
    b.axe("Årlig genomgång, inte startad").await;
    b.press("Starta årlig genomgång 2026").await;
    assert!(b.text(".flash").await.contains("är startad"), "{}", b.text("main").await);
    assert_eq!(b.text(".review-total").await, "0 av 2 konton är bekräftade");
    b.axe("Årlig genomgång").await;
    b.logout().await;

    b.login("agare@example.se", PASSWORD).await;
    b.follow("Bekräfta kontouppgifter för Förskolan Lärkan").await;
    b.axe("Bekräfta kontouppgifter").await;
    b.fill("Antal följare (frivilligt)", "ungefär tusen").await;
    b.choose("Varje månad").await;
    b.press("Bekräfta uppgifterna").await;
    assert!(b.text("#followers-fel").await.contains("Skriv antalet följare med siffror"));
    assert_eq!(
        b.field("Antal följare (frivilligt)").await.prop("value").await.unwrap().as_deref(),
        Some("ungefär tusen")
    );
    b.axe("Bekräfta kontouppgifter med fel").await;
    // At phone width the form fits the screen.
    b.c.set_window_size(390, 844).await.unwrap();
    let overflow =
        b.c.execute(
            "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(overflow, Value::Bool(false), "the form is wider than the phone");
    b.axe("Bekräfta kontouppgifter, mobil").await;
    b.c.set_window_size(1280, 900).await.unwrap();
    assert!(b.text("#target_groups-fel").await.contains("Skriv vilka målgrupper kontot når"));
    b.fill("Målgrupper", "Föräldrar med barn i förskolan").await;
    b.fill("Antal följare (frivilligt)", "1 050").await;
    b.press("Bekräfta uppgifterna").await;
    assert!(
        b.text(".flash").await.contains("Förskolan Lärkan är bekräftade för 2026"),
        "{}",
        b.text("main").await
    );
    b.logout().await;

    b.login("kommunikator@example.se", PASSWORD).await;
    b.follow("Följ upp den årliga genomgången 2026").await;
    assert_eq!(b.text(".review-total").await, "1 av 2 konton är bekräftade");
    b.screenshot("08-arlig-genomgang").await;
    b.press("Avsluta genomgången 2026").await;
    assert!(b.text(".flash").await.contains("är avslutad"));
}

#[tokio::test]
async fn journey_enter_saves_the_draft_and_a_failed_submit_focuses_the_errors() {
    let app = TestApp::spawn().await;
    let Some(mut b) = Browser::start(&app).await else { return };
    b.login("agare@example.se", PASSWORD).await;
    b.goto("/blanketter/ny").await;
    b.fill("Föreslaget kontonamn", "Enterkontot").await;
    // Enter in a text field: the draft is saved, not sent.
    b.mark_page().await;
    b.field("Föreslaget kontonamn").await.send_keys("\u{E007}").await.unwrap();
    b.wait_for_new_page().await;
    assert!(b.text(".flash").await.contains("Utkastet är sparat"), "{}", b.text("main").await);
    let state: String = sqlx::query_scalar("select state::text from forms").fetch_one(&app.db).await.unwrap();
    assert_eq!(state, "draft");
    // A failed submit: the title says so and focus is on the error summary.
    b.follow("Fortsätt fylla i").await;
    b.press("Skicka till chef för underskrift").await;
    let title = b.c.title().await.unwrap();
    assert!(title.starts_with("Fel: "), "{title}");
    let focused =
        b.c.execute("return document.activeElement && document.activeElement.className;", vec![])
            .await
            .unwrap();
    assert_eq!(focused, Value::String("error-summary".into()));
    b.axe("Blankett med fel, fokus på felen").await;
}

#[tokio::test]
async fn journey_the_public_checks_an_address_without_logging_in() {
    let app = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap());
    let Some(mut b) = Browser::start(&app).await else { return };
    b.goto("/logga-in").await;
    b.follow("Verifiera ett konto").await;
    b.axe("Verifiera ett konto").await;
    b.fill("Adress eller användarnamn", "instagram.com/KulturOchFritidOstermalm?igsh=abc").await;
    b.press("Kontrollera").await;
    assert_eq!(b.text("#svar").await, "Ja, det är ett av stadens officiella konton");
    b.axe("Verifiera ett konto, officiellt").await;
    b.screenshot("09-verifiera-konto").await;
    b.fill("Adress eller användarnamn", "https://www.instagram.com/ostermalm_officiell").await;
    b.press("Kontrollera").await;
    assert_eq!(b.text("#svar").await, "Kontot finns inte i stadens register");
    b.axe("Verifiera ett konto, okänt").await;
    b.fill("Adress eller användarnamn", "inte en adress").await;
    b.press("Kontrollera").await;
    assert!(b.text("#adress-fel").await.contains("Skriv en adress"));
    b.axe("Verifiera ett konto, fel").await;
    b.goto("/oppna-data").await;
    b.axe("Öppna data").await;
}

#[tokio::test]
async fn journey_the_communicator_imports_the_old_account_list() {
    let app = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap());
    let Some(mut b) = Browser::start(&app).await else { return };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = dir.join("target/import-journey");
    std::fs::create_dir_all(&tmp).unwrap();
    b.login("kommunikator@example.se", PASSWORD).await;
    b.goto("/konton").await;
    b.follow("Importera konton").await;
    b.axe("Importera konton").await;

    // A broken file first: the message is next to the field.
    let broken = tmp.join("trasig.xlsx");
    std::fs::write(&broken, &std::fs::read(dir.join("examples/kontolista.xlsx")).unwrap()[..2000]).unwrap();
    b.field("Fil med kontolistan").await.send_keys(broken.to_str().unwrap()).await.unwrap();
    b.press("Förhandsgranska").await;
    assert!(b.text("#fil-fel").await.contains("Excel-filen är skadad"));
    b.axe("Importera konton, skadad fil").await;

    // A list with a column the import does not know: the mapping step.
    let odd = tmp.join("gammal-lista.csv");
    std::fs::write(&odd, "Kanal;Konto;Webbplats;Enhet;Start\nFacebook;Hjorthagens fritidsgård;facebook.com/hjorthagensfritid;Kultur och fritid;2022\n").unwrap();
    b.field("Fil med kontolistan").await.send_keys(odd.to_str().unwrap()).await.unwrap();
    b.press("Förhandsgranska").await;
    assert_eq!(b.text("h1").await, "Koppla kolumner");
    b.axe("Koppla kolumner").await;
    b.select("Webbplats", "Länk").await;
    b.press("Förhandsgranska").await;
    assert_eq!(b.text("h1").await, "Förhandsgranska import");
    b.press("Importera 1 konto").await;
    assert_eq!(b.text("h1").await, "Importen är klar");

    // The example list: one account is already in the register under another spelling.
    b.follow("Importera en fil till").await;
    b.field("Fil med kontolistan")
        .await
        .send_keys(dir.join("examples/kontolista.xlsx").to_str().unwrap())
        .await
        .unwrap();
    b.press("Förhandsgranska").await;
    assert!(
        b.text(".count").await.contains("7 rader: 6 nya konton och 1 oförändrat"),
        "{}",
        b.text(".count").await
    );
    b.axe("Förhandsgranska import").await;
    b.screenshot("10-importera-konton").await;
    b.press("Importera 6 konton").await;
    assert!(b.text(".flash").await.contains("6 konton skapade"));
    b.axe("Importen är klar").await;
    b.follow("Se kontona som saknar uppstartsblankett").await;
    assert!(b.text("main").await.contains("Förskolan Humlan"));
    std::fs::remove_dir_all(&tmp).ok();
}
