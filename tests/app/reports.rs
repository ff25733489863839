//! The yearly SLK report: which accounts it lists, the XLSX and CSV read back,
//! submitted versions frozen byte for byte, and who may see what.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use reqwest::StatusCode;

use crate::accounts::account;
use crate::helpers::{Client, TestApp};

async fn set_dates(app: &TestApp, id: i64, state: &str, start: &str, closed: Option<&str>) {
    sqlx::query(
        "update accounts set state = $2::account_state, start_date = $3::date, closed_date = $4::date where account_id = $1",
    )
    .bind(id)
    .bind(state)
    .bind(start)
    .bind(closed)
    .execute(&app.db)
    .await
    .unwrap();
}

async fn bytes(c: &Client, path: &str) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r = c.http.get(format!("{}{path}", c.base)).send().await.unwrap();
    let (s, h) = (r.status(), r.headers().clone());
    (s, h, r.bytes().await.unwrap().to_vec())
}

async fn org_id(app: &TestApp, prefix: &str) -> i64 {
    sqlx::query_scalar("select organisation_id from organisations where name like $1 || '%'")
        .bind(prefix)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// An app pretending it is 2026-12-10, with accounts at the edges of 2026.
async fn edges() -> TestApp {
    let app = TestApp::spawn_with(|c| c.today = Some(time::macros::date!(2026 - 12 - 10))).await;
    for (name, state, start, closed) in [
        ("Startat nyårsafton", "active", "2026-12-31", None),
        ("Stängt på nyårsdagen", "closed", "2020-05-01", Some("2026-01-01")),
        ("Startar nästa år", "active", "2027-01-01", None),
        ("Stängt året före", "closed", "2020-05-01", Some("2025-12-31")),
        ("Åäö; \"citat\" & co", "active", "2024-02-01", None),
    ] {
        let id = account(&app, "Förskola", name, "active", "agare@example.se").await;
        set_dates(&app, id, state, start, closed).await;
    }
    account(&app, "Förskola", "Godkänt ej startat", "approved", "agare@example.se").await;
    account(&app, "Miljöövervakning", "Luften i Stockholm", "active", "agare.miljo@example.se").await;
    app
}

const IN_2026: [&str; 3] = ["Startat nyårsafton", "Stängt på nyårsdagen", "Åäö; \"citat\" & co"];

#[tokio::test]
async fn the_report_lists_the_accounts_active_in_the_year() {
    let app = edges().await;
    let c = app.login("kommunikator@example.se").await;
    let r = c.get("/rapporter/slk/2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let mut names = r.texts("table.report tbody td:nth-child(3) a");
    names.sort();
    let mut want = IN_2026.to_vec();
    want.sort();
    assert_eq!(names, want);
    assert!(r.text("main").contains("3 konton som var aktiva någon gång under 2026"), "{}", r.text("main"));
    // Nothing is archived: every account but the one closed in January warns.
    assert!(r.texts("ul.warnings li").contains(&"2 konton inte arkiverade för 2026".to_string()));
    // The year before holds only the accounts that were active then.
    let r = c.get("/rapporter/slk/2025").await;
    let mut names = r.texts("table.report tbody td:nth-child(3) a");
    names.sort();
    assert_eq!(names, ["Stängt på nyårsdagen", "Stängt året före", "Åäö; \"citat\" & co"]);
    // Not a year: 404, not a 500.
    assert_eq!(c.get("/rapporter/slk/-9999").await.status, StatusCode::NOT_FOUND);
    assert_eq!(c.get("/rapporter/slk/2026.pdf").await.status, StatusCode::NOT_FOUND);
    // The start page points to the report in December.
    let home = c.get("/").await;
    assert!(home.texts(".tasks a").contains(&"Lämna in SLK-rapporten för 2026".to_string()), "{}", home.body);
}

#[tokio::test]
async fn the_xlsx_opens_with_sheets_header_dates_and_swedish_letters() {
    let app = edges().await;
    let c = app.login("kommunikator@example.se").await;
    let (status, headers, body) = bytes(&c, "/rapporter/slk/2026.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let cd = headers["content-disposition"].to_str().unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"SLK-rapport 2026 Ostermalms stadsdelsforvaltning.xlsx\""),
        "{cd}"
    );
    assert!(cd.contains("filename*=UTF-8''SLK-rapport%202026%20%C3%96stermalms"), "{cd}");
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).unwrap();
    assert_eq!(book.sheet_names(), ["Konton", "Sammanfattning"]);
    let sheet = book.worksheet_range("Konton").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let header: Vec<String> = rows[0].iter().map(|d| d.to_string()).collect();
    assert_eq!(header, kontoregister::reports::rows::COLUMNS);
    assert_eq!(rows.len(), 1 + IN_2026.len());
    let row = rows.iter().find(|r| r[3] == "Startat nyårsafton").unwrap();
    assert_eq!(row[0].to_string(), "Östermalms stadsdelsförvaltning");
    match &row[6] {
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            assert_eq!((y, m, day), (2026, 12, 31));
        }
        other => panic!("the start date is not a date cell: {other:?}"),
    }
    assert!(rows.iter().any(|r| r[3] == "Åäö; \"citat\" & co"));
    let summary = book.worksheet_range("Sammanfattning").unwrap();
    let labels: Vec<String> = summary.rows().map(|r| r[0].to_string()).collect();
    assert!(
        labels.contains(&"Varningar".to_string()) && labels.contains(&"Per plattform".to_string()),
        "{labels:?}"
    );
}

#[tokio::test]
async fn the_csv_is_what_swedish_excel_expects() {
    let app = edges().await;
    let c = app.login("kommunikator@example.se").await;
    let (status, headers, body) = bytes(&c, "/rapporter/slk/2026.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(body.starts_with(b"\xEF\xBB\xBFOrganisation;Enhet;Plattform;Kontonamn;"), "BOM and `;`");
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(text.ends_with("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1 + IN_2026.len(), "CRLF between every row");
    assert!(text.contains(";\"Åäö; \"\"citat\"\" & co\";"), "a name with ; and \" quoted: {text}");
    assert!(text.contains(";2026-12-31;"), "dates as ÅÅÅÅ-MM-DD");
}

#[tokio::test]
async fn a_submitted_version_stays_exactly_as_it_was_sent() {
    let app = edges().await;
    let c = app.login("kommunikator@example.se").await;
    let confirm = c.get("/rapporter/slk/2026/lamna-in").await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.text("main form button").contains("Lämna in version 1"));
    let too_long = "x".repeat(2001);
    let r = c.post("/rapporter/slk/2026/lamna-in", &[("comment", too_long.as_str())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.value("textarea#comment"), None);
    assert_eq!(r.text("textarea#comment"), too_long, "what was typed is kept");
    let r = c.post("/rapporter/slk/2026/lamna-in", &[("comment", "Första versionen")]).await;
    r.assert_redirect("/rapporter/slk/2026");
    assert_eq!(app.audit_count("slk_report_submitted").await, 1);
    let (_, _, v1_xlsx) = bytes(&c, "/rapporter/slk/2026/v1.xlsx").await;
    let (_, _, v1_csv) = bytes(&c, "/rapporter/slk/2026/v1.csv").await;
    assert!(v1_csv.len() > 100);

    // The accounts and their owner change after the submission.
    sqlx::query("update accounts set name = name || ' (nytt namn)'").execute(&app.db).await.unwrap();
    sqlx::query("update users set name = 'Nytt Namn' where email = 'agare@example.se'")
        .execute(&app.db)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(bytes(&c, "/rapporter/slk/2026/v1.xlsx").await.2, v1_xlsx, "v1.xlsx byte for byte");
    assert_eq!(bytes(&c, "/rapporter/slk/2026/v1.csv").await.2, v1_csv, "v1.csv byte for byte");
    let live = bytes(&c, "/rapporter/slk/2026.csv").await.2;
    assert!(String::from_utf8_lossy(&live).contains("(nytt namn)"), "the live data has the change");

    // A resubmission is v2 beside an unchanged v1.
    c.post("/rapporter/slk/2026/lamna-in", &[("comment", "")]).await.assert_redirect("/rapporter/slk/2026");
    let page = c.get("/rapporter/slk/2026").await;
    assert_eq!(page.texts("table.versions tbody td:first-child"), ["2", "1"]);
    assert_eq!(bytes(&c, "/rapporter/slk/2026/v1.csv").await.2, v1_csv);
    assert!(
        String::from_utf8_lossy(&bytes(&c, "/rapporter/slk/2026/v2.csv").await.2).contains("(nytt namn)")
    );
    assert_eq!(c.get("/rapporter/slk/2026/v3.csv").await.status, StatusCode::NOT_FOUND);

    // The database refuses to change or remove a version.
    for sql in [
        "update slk_report_versions set comment = 'ändrad'",
        "update slk_report_versions set rows = '[]'",
        "delete from slk_report_versions",
        "truncate slk_report_versions",
    ] {
        assert!(sqlx::query(sql).execute(&app.db).await.is_err(), "{sql}");
    }
    let n: i64 =
        sqlx::query_scalar("select count(*) from slk_report_versions").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn a_report_belongs_to_its_organisation_and_slk_reads_all() {
    let app = edges().await;
    let ostermalm = org_id(&app, "Östermalm").await;
    let miljo = org_id(&app, "Miljö").await;
    let komm = app.login("kommunikator@example.se").await;
    komm.post("/rapporter/slk/2026/lamna-in", &[]).await.assert_redirect("/rapporter/slk/2026");
    let own = [
        "/rapporter/slk/2026".to_string(),
        "/rapporter/slk/2026.xlsx".into(),
        "/rapporter/slk/2026/v1.csv".into(),
        "/rapporter/slk/2026/lamna-in".into(),
    ];
    for email in ["agare@example.se", "chef@example.se", "chef.miljo@example.se", "agare.miljo@example.se"] {
        let c = app.login(email).await;
        for p in &own {
            let asked = format!("{p}?organisation={ostermalm}");
            assert_eq!(c.get(&asked).await.status, StatusCode::NOT_FOUND, "{email} {asked}");
        }
        assert_eq!(
            c.post("/rapporter/slk/2026/lamna-in", &[]).await.status,
            StatusCode::NOT_FOUND,
            "{email}"
        );
        assert_eq!(c.get("/rapporter/slk/2026/sammanstallning.xlsx").await.status, StatusCode::FORBIDDEN);
    }
    // Another organisation's report is not the communicator's either.
    assert_eq!(
        komm.get(&format!("/rapporter/slk/2026?organisation={miljo}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(komm.get("/rapporter/slk/2026/sammanstallning.csv").await.status, StatusCode::FORBIDDEN);

    // SLK reads every organisation, submits nothing, and gets the compilation.
    let slk = app.login("slk@example.se").await;
    let index = slk.get("/rapporter?ar=2026").await;
    assert_eq!(index.status, StatusCode::OK);
    let status = index.texts("table.city-status tbody tr");
    assert!(status.iter().any(|r| r.starts_with("Miljöförvaltningen Ej inlämnad")), "{status:?}");
    assert!(status.iter().any(|r| r.starts_with("Östermalms stadsdelsförvaltning Version 1")), "{status:?}");
    assert_eq!(
        slk.get(&format!("/rapporter/slk/2026/v1.xlsx?organisation={ostermalm}")).await.status,
        StatusCode::OK
    );
    let r = slk.post(&format!("/rapporter/slk/2026/lamna-in?organisation={ostermalm}"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let (status, _, body) = bytes(&slk, "/rapporter/slk/2026/sammanstallning.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(body)).unwrap();
    let konton = book.worksheet_range("Konton").unwrap();
    assert_eq!(konton.rows().count(), 1 + IN_2026.len(), "only submitted versions are compiled");
    let summary: Vec<String> =
        book.worksheet_range("Sammanfattning").unwrap().rows().map(|r| r[0].to_string()).collect();
    assert!(
        summary.contains(&"Har inte lämnat in".to_string())
            && summary.contains(&"Miljöförvaltningen".to_string()),
        "{summary:?}"
    );
    let n: i64 =
        sqlx::query_scalar("select count(*) from slk_report_versions").fetch_one(&app.db).await.unwrap();
    assert_eq!(n, 1, "SLK changed nothing");
}
