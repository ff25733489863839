//! Every page each demo role can reach by following links: none answers 404
//! or an error, and every page is valid HTML by the Nu HTML Checker.

use std::collections::{BTreeMap, HashSet, VecDeque};

use reqwest::StatusCode;
use scraper::{Html, Selector};

use crate::helpers::{PASSWORD, TestApp};

/// The most pages followed per role: every page kind is reached well before
/// this; what lies beyond are more pages of the same lists.
const PAGES_PER_ROLE: usize = 250;

/// The links of a page that lead to pages of this site, without fragments.
fn links(body: &str) -> Vec<String> {
    let sel = Selector::parse("a[href]").unwrap();
    Html::parse_document(body)
        .select(&sel)
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//") && !h.starts_with("/static/"))
        .map(|h| h.split('#').next().unwrap_or("").to_string())
        .filter(|h| !h.is_empty())
        .collect()
}

/// A page kind for the HTML check: the path with numbers as `N`, so that one
/// account page stands for all, and the query's keys (not values).
fn kind(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|s| if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { "N" } else { s })
        .collect();
    let mut keys: Vec<&str> =
        query.split('&').filter_map(|kv| kv.split('=').next()).filter(|k| !k.is_empty()).collect();
    keys.sort();
    keys.dedup();
    format!("{}?{}", path.join("/"), keys.join("&"))
}

#[tokio::test]
async fn every_link_every_demo_role_can_follow_answers_and_is_valid_html() {
    let app = TestApp::spawn_empty().await;
    assert!(kontoregister::demo::seed(&app.db, PASSWORD).await.unwrap());
    let emails: Vec<String> = sqlx::query_scalar("select email from users where active order by user_id")
        .fetch_all(&app.db)
        .await
        .unwrap();
    let mut broken = Vec::new();
    let mut pages: BTreeMap<String, (String, String)> = BTreeMap::new();
    for email in &emails {
        let c = app.client();
        assert_eq!(c.login(email, PASSWORD).await.status, StatusCode::SEE_OTHER, "{email}");
        let mut seen: HashSet<String> = HashSet::from(["/".to_string()]);
        let mut queue = VecDeque::from([("/".to_string(), "inloggningen".to_string())]);
        let mut followed = 0;
        while let Some((url, from)) = queue.pop_front() {
            if followed == PAGES_PER_ROLE {
                break;
            }
            followed += 1;
            let r = c.get(&url).await;
            let html = r
                .headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            let ok = r.status == StatusCode::OK
                || (r.status == StatusCode::SEE_OTHER && !r.location().starts_with("/logga-in"));
            if !ok {
                broken.push(format!("{email}: {url} (linked from {from}) answers {}", r.status));
                continue;
            }
            if !html || r.status != StatusCode::OK {
                continue;
            }
            // Each role's own version of each kind of page: roles see different forms on it.
            pages
                .entry(format!("{} {email}", kind(&url)))
                .or_insert_with(|| (format!("{url} as {email}"), r.body.clone()));
            for l in links(&r.body) {
                if seen.insert(l.clone()) {
                    queue.push_back((l, url.clone()));
                }
            }
        }
        assert!(followed > 3, "{email} reached only {followed} pages");
    }
    assert!(broken.is_empty(), "links that do not answer:\n{}", broken.join("\n"));
    // The public pages too.
    let anon = app.client();
    for url in ["/logga-in", "/tillganglighet"] {
        let r = anon.get(url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        pages.insert(url.to_string(), (format!("{url} (not logged in)"), r.body));
    }
    let pages: Vec<(String, String)> = pages.into_values().collect();
    eprintln!("crawl: {} pages (a page kind per role) across {} roles", pages.len(), emails.len());
    if let Some(errors) = crate::html::errors(&pages) {
        assert!(
            errors.is_empty(),
            "the Nu HTML Checker finds {} errors:\n{}",
            errors.len(),
            errors.join("\n")
        );
    }
}
