//! The Nu HTML Checker (vnu.jar from the `vnu-jar` npm package, installed by
//! `.ci/run` into `tests/browser/node_modules`, run with Debian's Java): every
//! page the browser journeys visit and every page the crawl reaches must be
//! valid HTML. One `java` run checks a whole batch and has ended when this
//! returns, so no process outlives the test.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn vnu_jar() -> PathBuf {
    std::env::var_os("KONTOREGISTER_VNU_JAR").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/node_modules/vnu-jar/build/dist/vnu.jar")
    })
}

/// The checker's errors for `pages` (name, HTML), as "name: line N: message";
/// `None` when the checker is not installed outside CI (in CI it must be).
pub fn errors(pages: &[(String, String)]) -> Option<Vec<String>> {
    let jar = vnu_jar();
    let java = Command::new("java").arg("-version").output().is_ok_and(|o| o.status.success());
    if !jar.exists() || !java {
        if std::env::var_os("CI").is_some() {
            panic!("the Nu HTML Checker is missing: .ci/run must install Java and `npm ci` in tests/browser");
        }
        eprintln!("SKIPPED HTML check: {} or java not found (npm ci --prefix tests/browser)", jar.display());
        return None;
    }
    if pages.is_empty() {
        return Some(Vec::new());
    }
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "kr-vnu-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<PathBuf> = pages
        .iter()
        .enumerate()
        .map(|(i, (_, html))| {
            let f = dir.join(format!("page-{i}.html"));
            std::fs::write(&f, html).unwrap();
            f
        })
        .collect();
    let out = Command::new("java")
        .args(["-Xss4m", "-jar"])
        .arg(&jar)
        .args(["--errors-only", "--format", "json", "--exit-zero-always"])
        .args(&files)
        .output()
        .expect("run vnu.jar");
    let _ = std::fs::remove_dir_all(&dir);
    let report: Value = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!("vnu.jar output is not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr))
    });
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    Some(
        messages
            .iter()
            .filter(|m| m["type"] == "error" || m["type"] == "non-document-error")
            .map(|m| {
                let url = m["url"].as_str().unwrap_or("");
                let page = files
                    .iter()
                    .position(|f| url.ends_with(&*f.file_name().unwrap().to_string_lossy()))
                    .map_or("?", |i| pages[i].0.as_str());
                format!("{page}: line {}: {}", m["lastLine"], m["message"].as_str().unwrap_or(""))
            })
            .collect(),
    )
}

#[test]
fn the_html_check_finds_real_errors() {
    let bad = "<!DOCTYPE html><html lang=\"sv\"><head><title>x</title></head><body>\
               <p id=\"a\">1</p><p id=\"a\">2</p><table><div>no</div></table></body></html>";
    let good = "<!DOCTYPE html><html lang=\"sv\"><head><title>x</title></head><body><p>ok</p></body></html>";
    let Some(errors) = errors(&[("bad".into(), bad.into()), ("good".into(), good.into())]) else { return };
    assert!(errors.iter().any(|e| e.starts_with("bad: ") && e.contains("Duplicate ID")), "{errors:?}");
    assert!(!errors.iter().any(|e| e.starts_with("good: ")), "{errors:?}");
}
