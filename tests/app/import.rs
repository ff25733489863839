//! Import of an organisation's account list (SPEC §5) on real PostgreSQL:
//! every file kind, the mapping step, the dry run, the commit once and only
//! once, re-import, bad files and scope.

use reqwest::StatusCode;

use crate::helpers::{Client, Resp, TestApp};

const KOMM: &str = "kommunikator@example.se";

fn example(ext: &str) -> Vec<u8> {
    std::fs::read(format!("{}/examples/kontolista.{ext}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Upload `bytes` as `name` and follow to the batch page.
async fn upload(c: &Client, name: &str, bytes: &[u8]) -> (String, Resp) {
    let r = c.upload("/konton/import", &[], (name, bytes), false).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "upload of {name} refused: {}", error_of(&r));
    let page = r.location().to_string();
    assert!(page.starts_with("/konton/import/"), "{page}");
    let preview = c.get(&page).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    (page, preview)
}

fn error_of(r: &Resp) -> String {
    r.text("#fil-fel")
}

/// The preview's rows: (row number, status cell, errors cell).
fn rows(r: &Resp) -> Vec<(String, String, String)> {
    let cells = r.texts(".import-preview tbody td");
    cells.chunks(4).map(|c| (c[0].clone(), c[2].clone(), c[3].clone())).collect()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn the_example_list_goes_in_on_the_first_try_in_every_file_format() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let csv = example("csv");
    let text = std::str::from_utf8(&csv[3..]).unwrap().to_string();
    let (cp1252, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    let comma: Vec<u8> = {
        let mut r = csv::ReaderBuilder::new().delimiter(b';').has_headers(false).from_reader(text.as_bytes());
        let mut w = csv::Writer::from_writer(Vec::new());
        for rec in r.records() {
            w.write_record(&rec.unwrap()).unwrap();
        }
        w.into_inner().unwrap()
    };
    let mut previews = Vec::new();
    for (name, bytes) in [
        ("kontolista.xlsx", example("xlsx")),
        ("kontolista.csv", csv.clone()),
        ("utan-bom.csv", text.as_bytes().to_vec()),
        ("excel-semikolon.csv", cp1252.into_owned()),
        ("komma.csv", comma),
        // The type is decided by the content, not the name.
        ("lista.txt", example("xlsx")),
    ] {
        let (_, p) = upload(&c, name, &bytes).await;
        let r = rows(&p);
        assert_eq!(r.len(), 7, "{name}: {}", p.text("main"));
        assert!(r.iter().all(|(_, s, e)| s == "Ny" && e.is_empty()), "{name}: {r:?}");
        assert!(p.body.contains("Östermalms stadsdelsförvaltning"), "{name}: å, ä and ö survive");
        assert!(p.text("main").contains("ostermalms_aldreomsorg"), "{name}: the name from the address");
        previews.push(r);
    }
    assert!(previews.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(previews[0][0].0, "2", "rows are numbered as in the spreadsheet");
    assert_eq!(count(&app, "select count(*) from accounts").await, 0, "the dry run writes nothing");
    assert_eq!(count(&app, "select count(*) from account_events").await, 0);
}

#[tokio::test]
async fn a_commit_creates_the_accounts_and_a_second_import_changes_nothing() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let (page, p) = upload(&c, "kontolista.xlsx", &example("xlsx")).await;
    assert_eq!(p.text("form.panel button"), "Importera 7 konton");
    let r = c.post(&format!("{page}/importera"), &[]).await;
    r.assert_redirect(&page);
    let done = c.get(&page).await;
    assert_eq!(done.text("h1"), "Importen är klar");
    assert!(done.text(".flash").contains("7 konton skapade och 0 uppdaterade"), "{}", done.text("main"));
    assert!(
        done.text("main").contains("Lena Lind <lena.lind@example.se>"),
        "an owner who is no user is listed"
    );

    let n = |sql: &'static str| count(&app, sql);
    assert_eq!(n("select count(*) from accounts where missing_form").await, 7);
    assert_eq!(
        n("select count(*) from accounts where state = 'closed' and closed_date = '2023-09-30'").await,
        1
    );
    assert_eq!(n("select count(*) from accounts where state = 'active'").await, 6);
    let owner = app.user_id("agare@example.se").await;
    let owned: i64 = sqlx::query_scalar("select count(*) from accounts where owner_user_id = $1")
        .bind(owner)
        .fetch_one(&app.db)
        .await
        .unwrap();
    assert_eq!(owned, 5);
    assert_eq!(n("select count(*) from accounts where owner_user_id is null and owner_text = 'Lena Lind <lena.lind@example.se>'").await, 1);
    assert_eq!(
        n("select count(*) from accounts a join users u on u.user_id = a.deputy_user_id where u.email = 'kommunikator@example.se'").await,
        1
    );
    assert_eq!(n("select count(*) from account_events where action = 'imported' and comment like 'Importerad från kontolista.xlsx, rad _'").await, 7);
    assert_eq!(app.audit_count("account_imported").await, 7);
    assert_eq!(app.audit_count("import_committed").await, 1);
    // The Twitter address is X's, its handle kept in lower case.
    assert_eq!(
        n("select count(*) from accounts a join platforms p using (platform_id) where p.name = 'X' and a.url = 'https://x.com/ostermalmsparker'").await,
        1
    );

    // In the register, and the owner has the task to fill in a form.
    let register = c.get("/konton?saknar_blankett=1").await;
    assert!(register.text("main").contains("Förskolan Humlan"));
    let owner_c = app.login("agare@example.se").await;
    let home = owner_c.get("/").await;
    assert!(
        home.text("main").contains("Fyll i en uppstartsblankett för Förskolan Humlan"),
        "{}",
        home.text("main")
    );
    let humlan: i64 = sqlx::query_scalar("select account_id from accounts where name = 'Förskolan Humlan'")
        .fetch_one(&app.db)
        .await
        .unwrap();
    let form = owner_c.get(&format!("/blanketter/ny?typ=befintligt&konto={humlan}")).await;
    assert_eq!(form.status, StatusCode::OK);
    let account = c.get(&format!("/konton/{humlan}")).await;
    assert!(
        account.text("main").contains("Importerad från kontolista.xlsx, rad 3"),
        "the history says where it came from"
    );

    // The same list again, also as CSV: all unchanged, nothing to import.
    for (name, bytes) in [("kontolista.xlsx", example("xlsx")), ("kontolista.csv", example("csv"))] {
        let (again, p) = upload(&c, name, &bytes).await;
        let r = rows(&p);
        assert!(r.iter().all(|(_, s, _)| s == "Oförändrad"), "{name}: {r:?}");
        assert!(p.text("main").contains("Det finns inget att importera"));
        let refused = c.post(&format!("{again}/importera"), &[]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text("main").contains("Inget importerades"));
    }
    assert_eq!(n("select count(*) from accounts").await, 7);
    assert_eq!(n("select count(*) from account_events").await, 7);
}

#[tokio::test]
async fn another_spelling_of_an_address_is_the_same_account_and_updates_it() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let first = "Kanal;Kontonamn;Länk;Verksamhet;Startdatum\nInstagram;Humlan;https://www.instagram.com/forskolan_humlan;Förskola;2020-08-17\n";
    let (page, _) = upload(&c, "a.csv", first.as_bytes()).await;
    c.post(&format!("{page}/importera"), &[]).await.assert_redirect(&page);
    let second = "Plattform,Namn,URL,Enhet,Start,Syfte\nIG,Förskolan Humlan,HTTP://M.INSTAGRAM.COM/Forskolan_Humlan/?igsh=abc123,förskola,2020-08-17,Vardagen på förskolan\n";
    let (page, p) = upload(&c, "b.csv", second.as_bytes()).await;
    assert_eq!(rows(&p)[0].1, "Uppdateras: Kontonamn, Syfte");
    assert_eq!(p.text("form.panel button"), "Importera 1 konto");
    c.post(&format!("{page}/importera"), &[]).await.assert_redirect(&page);
    let (name, purpose, url): (String, String, String) =
        sqlx::query_as("select name, purpose, url from accounts").fetch_one(&app.db).await.unwrap();
    assert_eq!(
        (name.as_str(), purpose.as_str(), url.as_str()),
        ("Förskolan Humlan", "Vardagen på förskolan", "https://www.instagram.com/forskolan_humlan")
    );
    assert_eq!(count(&app, "select count(*) from accounts").await, 1);
    assert_eq!(
        count(&app, "select count(*) from account_events where action = 'import_updated' and comment = 'Uppdaterad från b.csv, rad 2: Kontonamn, Syfte'").await,
        1
    );
}

#[tokio::test]
async fn unknown_headers_go_through_the_mapping_step() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let file = "Sociala medier 2025\n\nTjänst;Konto;Var finns det;Avd;Startår;Följare\nFacebook;Biblioteket;facebook.com/ostermalmsbibliotek;Kultur och fritid;2021;350\n";
    let (page, p) = upload(&c, "gammal.csv", file.as_bytes()).await;
    assert_eq!(p.text("h1"), "Koppla kolumner");
    assert_eq!(
        count(&app, "select count(*) from import_batches where header_row = 3").await,
        1,
        "the title row is skipped"
    );
    let labels = p.texts("tbody th");
    assert!(labels[2].starts_with("Var finns det") && labels[2].ends_with("Känns inte igen"), "{labels:?}");
    assert!(!labels[0].contains("Känns inte igen"), "Tjänst is a known spelling of Kanal");
    // Two columns for one field, and a field that does not exist, are refused next to the column.
    let bad = c
        .post(
            &format!("{page}/kolumner"),
            &[
                ("kolumn_0", "platform"),
                ("kolumn_1", "name"),
                ("kolumn_2", "url"),
                ("kolumn_3", "name"),
                ("kolumn_4", "hitte-på"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text("#kolumn_3-fel").contains("Kontonamn är redan vald för en annan kolumn"));
    assert!(bad.text("#kolumn_4-fel").contains("Välj ett av fälten"));
    assert_eq!(
        bad.html().select(&scraper::Selector::parse("#kolumn_2 option[selected]").unwrap()).count(),
        1,
        "the choices are kept"
    );
    let no_url = c.post(&format!("{page}/kolumner"), &[("kolumn_0", "platform")]).await;
    assert!(no_url.text(".error-summary").contains("länken till kontot"));

    let ok = c
        .post(
            &format!("{page}/kolumner"),
            &[
                ("kolumn_0", "platform"),
                ("kolumn_1", "name"),
                ("kolumn_2", "url"),
                ("kolumn_3", "unit"),
                ("kolumn_4", "start"),
                ("kolumn_5", ""),
            ],
        )
        .await;
    ok.assert_redirect(&page);
    let p = c.get(&page).await;
    assert_eq!(rows(&p), [("4".to_string(), "Ny".to_string(), String::new())], "row 4 as in the spreadsheet");
    assert_eq!(app.audit_count("import_columns_set").await, 1);
}

#[tokio::test]
async fn rows_with_errors_are_skipped_only_when_the_user_says_so() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let file = "Kanal;Kontonamn;Länk;Verksamhet;Startdatum\n\
                Facebook;Bra;https://facebook.com/bra;Förskola;2020\n\
                Myspace;Okänd kanal;https://myspace.com/x;Förskola;2020\n\
                \n\
                Instagram;Fel enhet;https://instagram.com/fel;Simhallen;7 mars 2020\n";
    let (page, p) = upload(&c, "fel.csv", file.as_bytes()).await;
    let r = rows(&p);
    assert_eq!(r.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["2", "3", "5"]);
    assert_eq!(r[0].1, "Ny");
    assert_eq!(r[1].1, "Fel");
    assert!(r[1].2.contains("Kanal: Kanalen \"Myspace\" finns inte i Kontoregistret"), "{}", r[1].2);
    assert!(r[2].2.contains("Verksamhet: Verksamheten \"Simhallen\" finns inte"), "{}", r[2].2);
    assert!(r[2].2.contains("Startdatum: \"7 mars 2020\" är inget datum"), "{}", r[2].2);
    assert!(p.text(".count").contains("3 rader: 1 nytt konto och 2 rader med fel"), "{}", p.text(".count"));
    let only = c.get(&format!("{page}?visa=fel")).await;
    assert_eq!(rows(&only).len(), 2);

    let refused = c.post(&format!("{page}/importera"), &[]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text(".error-summary").contains("2 rader har fel"));
    assert_eq!(count(&app, "select count(*) from accounts").await, 0);

    c.post(&format!("{page}/importera"), &[("hoppa_over", "ja")]).await.assert_redirect(&page);
    let done = c.get(&page).await;
    assert!(
        done.text("main").contains("Rad 3 (Okänd kanal): Kanal: Kanalen \"Myspace\""),
        "{}",
        done.text("main")
    );
    assert_eq!(count(&app, "select count(*) from accounts").await, 1);
}

#[tokio::test]
async fn a_batch_commits_once_even_on_a_double_click() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let (page, _) = upload(&c, "kontolista.csv", &example("csv")).await;
    let path = format!("{page}/importera");
    let (a, b) = tokio::join!(c.post(&path, &[]), c.post(&path, &[]));
    assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
    assert_eq!(count(&app, "select count(*) from accounts").await, 7);
    let again = c.post(&path, &[]).await;
    again.assert_redirect(&page);
    assert!(c.get(&page).await.text(".flash").contains("Filen är redan importerad"));
    assert_eq!(count(&app, "select count(*) from accounts").await, 7);
    assert_eq!(app.audit_count("import_committed").await, 1);
}

fn zip_bomb() -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    let block = vec![b'0'; 1 << 20];
    for _ in 0..120 {
        std::io::Write::write_all(&mut zip, &block).unwrap();
    }
    zip.finish().unwrap();
    buf.into_inner()
}

#[tokio::test]
async fn every_bad_file_gets_a_clear_message_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let many = "Kanal;Länk\n".to_string() + &"Facebook;https://facebook.com/x\n".repeat(5001);
    let password =
        std::fs::read(format!("{}/tests/fixtures/losenordsskyddad.xlsx", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let mut corrupt = example("xlsx");
    corrupt.truncate(corrupt.len() / 2);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("stor.csv", vec![b'a'; 5 * 1024 * 1024 + 1], "större än 5 MB"),
        ("manga.csv", many.into_bytes(), "fler än 5 000 rader"),
        ("tom.csv", Vec::new(), "Filen är tom"),
        ("bara-rubriker.csv", b"Kanal;Kontonamn;L\xc3\xa4nk\n".to_vec(), "inga konton under dem"),
        (
            "bild.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02".to_vec(),
            "Filen är inget kalkylark",
        ),
        ("skadad.xlsx", corrupt, "Excel-filen är skadad"),
        ("losenord.xlsx", password, "Filen är lösenordsskyddad"),
        ("bomb.xlsx", zip_bomb(), "orimligt mycket data"),
        (
            "anteckningar.csv",
            b"Hej!\nDet h\xc3\xa4r \xc3\xa4r ingen lista.\n".to_vec(),
            "Ingen rubrik i filen känns igen",
        ),
    ];
    for (name, bytes, message) in cases {
        let r = c.upload("/konton/import", &[], (name, &bytes), false).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(error_of(&r).contains(message), "{name}: {}", error_of(&r));
        assert!(r.body.contains("name=\"fil\""), "{name}: the form is shown again");
    }
    // A body over the upload limit is refused before it is read, in Swedish.
    let huge = vec![b'a'; 21 * 1024 * 1024];
    let r = c.upload("/konton/import", &[], ("enorm.csv", &huge), false).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.text("main").contains("högst 5 MB"), "{}", r.text("main"));
    assert_eq!(count(&app, "select count(*) from import_batches").await, 0);
    assert_eq!(count(&app, "select count(*) from accounts").await, 0);
}

#[tokio::test]
async fn only_communicators_and_strategists_of_the_organisation_may_import() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let (page, _) = upload(&c, "kontolista.csv", &example("csv")).await;
    assert_eq!(app.login("strateg@example.se").await.get(&page).await.status, StatusCode::OK);
    for who in
        ["agare@example.se", "chef@example.se", "arkivarie@example.se", "slk@example.se", "admin@example.se"]
    {
        let o = app.login(who).await;
        assert_eq!(o.get("/konton/import").await.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(o.get(&page).await.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(o.post(&format!("{page}/importera"), &[]).await.status, StatusCode::FORBIDDEN, "{who}");
        assert!(!o.get("/konton").await.body.contains("/konton/import"), "{who} sees no import link");
    }
    // A communicator of another organisation: the batch does not exist for them.
    let other = app.user_id("agare.miljo@example.se").await;
    let miljo: i64 =
        sqlx::query_scalar("select organisation_id from organisations where name = 'Miljöförvaltningen'")
            .fetch_one(&app.db)
            .await
            .unwrap();
    sqlx::query(
        "insert into role_assignments (user_id, role, organisation_id) values ($1, 'communicator', $2)",
    )
    .bind(other)
    .bind(miljo)
    .execute(&app.db)
    .await
    .unwrap();
    let m = app.login("agare.miljo@example.se").await;
    assert_eq!(m.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(m.post(&format!("{page}/importera"), &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        m.post(&format!("{page}/kolumner"), &[("kolumn_0", "url")]).await.status,
        StatusCode::NOT_FOUND
    );
    // Kim may not upload into Miljöförvaltningen by typing its id.
    let r = c
        .upload("/konton/import", &[("organisation", &miljo.to_string())], ("a.csv", &example("csv")), false)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Nor can another site make Kim's browser upload.
    let r = c.upload("/konton/import", &[], ("a.csv", &example("csv")), true).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "select count(*) from import_batches").await, 1);
    assert_eq!(count(&app, "select count(*) from accounts").await, 0);
}

#[tokio::test]
async fn the_templates_download_and_read_back() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let page = c.get("/konton/import").await;
    assert!(page.body.contains("href=\"/konton/import/mall.xlsx\""));
    for ext in ["xlsx", "csv"] {
        let r = c.http.get(format!("{}/konton/import/mall.{ext}", c.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains(&format!(".{ext}")));
        let bytes = r.bytes().await.unwrap();
        let (_, p) = upload(&c, &format!("mall.{ext}"), &bytes).await;
        // The template's example owner is no user, and its unit exists.
        assert_eq!(rows(&p), [("2".to_string(), "Ny".to_string(), String::new())], "{ext}");
    }
}

#[tokio::test]
async fn a_post_without_a_file_gets_the_form_again() {
    let app = TestApp::spawn().await;
    let c = app.login(KOMM).await;
    let r = c.post("/konton/import", &[("organisation", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_of(&r), "Fel: Välj filen med kontolistan.");
    let r = c.upload("/konton/import", &[], ("", b""), false).await;
    assert_eq!(error_of(&r), "Fel: Välj filen med kontolistan.");
}
