//! Demo data (`--demo`), loaded only into an empty database: two organisations
//! with units, and one user per role. Later features extend it so every page
//! has something to show.

use anyhow::Context;
use sqlx::{PgConnection, PgPool};

use crate::auth::{Role, password};
use crate::forms::content::FormContent;
use crate::forms::db::{self as forms_db, FormKind};
use crate::forms::workflow::FormState;
use crate::org::db::{self as org_db, OrgFields, OrgKind, UserFields};

/// The demo logins, printed at start.
pub const USERS: [(&str, &str, &str); 9] = [
    ("admin@example.se", "Alva Admin", "Systemförvaltare"),
    ("agare@example.se", "Oskar Ägare", "Förskolepedagog"),
    ("chef@example.se", "Cecilia Chef", "Enhetschef"),
    ("kommunikator@example.se", "Kim Kommunikatör", "Kommunikatör"),
    ("strateg@example.se", "Sara Strateg", "Kommunikationsstrateg"),
    ("arkivarie@example.se", "Arvid Arkivarie", "Arkivarie"),
    ("slk@example.se", "Siri Stadsledningskontoret", "Kommunikationsdirektör"),
    ("chef.miljo@example.se", "Max Miljöchef", "Avdelningschef"),
    ("agare.miljo@example.se", "Mira Miljöägare", "Miljöinspektör"),
];

/// Seed the demo if the database has no users. Returns whether it seeded.
pub async fn seed(db: &PgPool, demo_password: &str) -> anyhow::Result<bool> {
    seed_with(db, demo_password, true).await
}

/// Only the organisations, units and users (the tests' starting point).
pub async fn seed_people(db: &PgPool, demo_password: &str) -> anyhow::Result<bool> {
    seed_with(db, demo_password, false).await
}

async fn seed_with(db: &PgPool, demo_password: &str, with_forms: bool) -> anyhow::Result<bool> {
    let mut tx = db.begin().await?;
    let users: i64 = sqlx::query_scalar!(r#"select count(*) as "n!" from users"#).fetch_one(&mut *tx).await?;
    if users > 0 {
        return Ok(false);
    }
    let ostermalm = org_db::create_organisation(
        &mut tx,
        &OrgFields {
            name: "Östermalms stadsdelsförvaltning".into(),
            kind: OrgKind::Forvaltning,
            decision_holder: "stadsdelsdirektören".into(),
            delegated_role: Role::Strategist,
            closure_announcement_days: 30,
            public_contact: "kommunikation.ostermalm@example.se".into(),
            active: true,
        },
    )
    .await?;
    let miljo = org_db::create_organisation(
        &mut tx,
        &OrgFields {
            name: "Miljöförvaltningen".into(),
            kind: OrgKind::Forvaltning,
            decision_holder: "förvaltningsdirektören".into(),
            delegated_role: Role::Strategist,
            closure_announcement_days: 30,
            public_contact: String::new(),
            active: true,
        },
    )
    .await?;
    let mut units = Vec::new();
    for name in ["Förskola", "Äldreomsorg", "Kultur och fritid", "Stadsmiljö"] {
        units.push(org_db::create_unit(&mut tx, ostermalm, name).await?);
    }
    let miljo_units = [
        org_db::create_unit(&mut tx, miljo, "Miljöövervakning").await?,
        org_db::create_unit(&mut tx, miljo, "Klimat och energi").await?,
    ];

    let hash = password::hash(demo_password.to_string()).await?;
    let mut ids = Vec::new();
    for (email, name, title) in USERS {
        let f = UserFields {
            email: email.into(),
            name: name.into(),
            phone: "08-508 000 00".into(),
            title: title.into(),
            active: true,
        };
        let id = org_db::create_user(&mut tx, &f, &hash).await?;
        sqlx::query!("update users set must_change_password = false where user_id = $1", id)
            .execute(&mut *tx)
            .await?;
        ids.push(id);
    }
    let grants: [(usize, Role, Option<i64>, Option<i64>); 10] = [
        (0, Role::Admin, None, None),
        (1, Role::AccountOwner, Some(ostermalm), None),
        (2, Role::Manager, Some(ostermalm), Some(units[0])),
        (2, Role::Manager, Some(ostermalm), Some(units[2])),
        (3, Role::Communicator, Some(ostermalm), None),
        (4, Role::Strategist, Some(ostermalm), None),
        (5, Role::Archivist, Some(ostermalm), None),
        (6, Role::CityOffice, None, None),
        (7, Role::Manager, Some(miljo), Some(miljo_units[0])),
        (8, Role::AccountOwner, Some(miljo), None),
    ];
    for (i, role, org, unit) in grants {
        org_db::grant_role(&mut tx, ids[i], role, org, unit).await?;
    }
    let platforms = sqlx::query!("select name, platform_id from platforms")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.name, r.platform_id))
        .collect();
    let demo = Demo { ostermalm, miljo, units, miljo_units, users: ids, platforms };
    if with_forms {
        seed_forms(&mut tx, &demo).await?;
        seed_accounts(&mut tx, &demo).await?;
        crate::accounts::db::sync_keys(&mut tx).await?;
    }
    crate::audit::record(
        &mut tx,
        crate::audit::Entry { action: "demo_seeded", entity_type: "installation", ..Default::default() },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A complete form content for the demo.
fn demo_content(unit: i64, platform: i64, deputy: i64, name: &str, purpose: &str) -> FormContent {
    let on = Some("on".to_string());
    FormContent {
        unit_id: unit.to_string(),
        platform_id: platform.to_string(),
        account_name: name.into(),
        shared: "eget".into(),
        purpose: purpose.into(),
        goals: "300 följare i målgruppen inom ett år; svar på 90 procent av frågorna inom en arbetsdag."
            .into(),
        benefit: "Når invånare som inte söker sig till stockholm.se och stöder verksamhetens uppdrag.".into(),
        target_groups: "Boende i Östermalm, särskilt familjer med barn.".into(),
        why_not_existing: "Stadens gemensamma konton publicerar sällan lokalt innehåll från verksamheten."
            .into(),
        planned_content: "Aktiviteter, öppettider, tips och korta filmer från vardagen.".into(),
        frequency: "flera_ggr_vecka".into(),
        follow_up: "Statistiken gås igenom med chefen varje kvartal.".into(),
        deputy_user_id: deputy.to_string(),
        editors: "Anna Andersson, anna.andersson@example.se".into(),
        hours_per_week: "4".into(),
        monitoring: "Kontoansvarig bevakar vardagar, ersättaren helger; under semestrar finns ett schema."
            .into(),
        response_time: "Inom en arbetsdag".into(),
        training: "genomford".into(),
        controller: "Östermalms stadsdelsnämnd".into(),
        publishes_personal_data: "ja".into(),
        lawful_basis: "allmant_intresse".into(),
        children_data: "nej".into(),
        ack_incidents: on.clone(),
        ack_cloud: on.clone(),
        c_profile_picture: on.clone(),
        c_basic_info: on.clone(),
        c_credentials: on.clone(),
        c_archiving: on.clone(),
        c_read_documents: on,
        ..Default::default()
    }
}

/// Forms in every state, and register entries, for the demo organisations.
async fn seed_forms(tx: &mut PgConnection, demo: &Demo) -> anyhow::Result<()> {
    use FormState as S;
    let platform =
        |name: &str| demo.platforms.iter().find(|(n, _)| n == name).map(|(_, id)| *id).unwrap_or(1);
    let (owner, chef, komm, strateg) = (demo.users[1], demo.users[2], demo.users[3], demo.users[4]);
    let (forskola, aldre, kultur) = (demo.units[0], demo.units[1], demo.units[2]);
    let o = demo.ostermalm;

    // Register entries that exist without a startup form (imported from the old list).
    for (unit, plat, name, url) in [
        (kultur, "Facebook", "Östermalms bibliotek", "https://www.facebook.com/ostermalmsbibliotek"),
        (aldre, "Instagram", "Seniorträffar Östermalm", "https://www.instagram.com/seniortraffar_ostermalm"),
    ] {
        sqlx::query!(
            r#"insert into accounts (organisation_id, unit_id, platform_id, name, url, state, missing_form,
                                     owner_user_id, start_date)
               values ($1, $2, $3, $4, $5, 'active', true, $6, date '2021-03-01')"#,
            o,
            unit,
            platform(plat),
            name,
            url,
            owner
        )
        .execute(&mut *tx)
        .await?;
    }

    // (state to reach, unit, platform, name, purpose)
    let plan = [
        (
            S::Draft,
            kultur,
            "Instagram",
            "Kultur och fritid – evenemang",
            "Locka unga till fritidsgårdarnas evenemang.",
        ),
        (
            S::AwaitingManager,
            forskola,
            "Instagram",
            "Förskolan Lärkan",
            "Visa föräldrar förskolans vardag och pedagogik.",
        ),
        (
            S::InReview,
            forskola,
            "Facebook",
            "Förskolorna på Östermalm",
            "Informera blivande föräldrar om förskoleplatser.",
        ),
        (S::MeetingBooked, kultur, "YouTube", "Östermalms kulturskola", "Visa elevkonserter och kursutbud."),
        (
            S::Approved,
            kultur,
            "Instagram",
            "Fritidsgården Hjorthagen",
            "Nå ungdomar med information om öppettider och aktiviteter.",
        ),
        (S::Rejected, forskola, "TikTok", "Förskolan dansar", "Korta danser med personalen."),
        (S::Withdrawn, kultur, "X", "Kultur och fritid – nyheter", "Nyheter från kultur och fritid."),
    ];
    let mut year_n = 0;
    for (target, unit, plat, name, purpose) in plan {
        let mut c = demo_content(unit, platform(plat), komm, name, purpose);
        if target == S::Draft {
            c.goals.clear();
            c.c_archiving = None;
        }
        let id = forms_db::create(tx, FormKind::NewAccount, o, owner, &c).await?;
        event(tx, id, owner, "Kontoansvarig", "create", None, S::Draft, "").await?;
        if target == S::Draft {
            continue;
        }
        forms_db::save_content(tx, id, S::Draft, S::AwaitingManager, &c).await?;
        forms_db::assign_case_number(tx, id, o).await?;
        year_n += 1;
        event(tx, id, owner, "Kontoansvarig", "submit", Some(S::Draft), S::AwaitingManager, "").await?;
        if matches!(target, S::AwaitingManager | S::Withdrawn) {
            if target == S::Withdrawn {
                forms_db::set_state(tx, id, S::AwaitingManager, S::Withdrawn).await?;
                event(tx, id, owner, "Kontoansvarig", "withdraw", Some(S::AwaitingManager), S::Withdrawn, "")
                    .await?;
            }
            continue;
        }
        forms_db::set_state(tx, id, S::AwaitingManager, S::InReview).await?;
        forms_db::sign(tx, id, chef, &c).await?;
        event(tx, id, chef, "Chef", "sign", Some(S::AwaitingManager), S::InReview, "").await?;
        event(
            tx,
            id,
            komm,
            "Kommunikatör",
            "comment",
            Some(S::InReview),
            S::InReview,
            "Tänk på alt-texter till bilderna.",
        )
        .await?;
        let mut from = S::InReview;
        if target == S::MeetingBooked {
            let at = time::OffsetDateTime::now_utc() + time::Duration::days(3);
            forms_db::set_state(tx, id, S::InReview, S::MeetingBooked).await?;
            forms_db::book_meeting(
                tx,
                id,
                at,
                "Rum Karlaplan, Karlavägen 104",
                "Oskar Ägare, Sara Strateg, Kim Kommunikatör",
            )
            .await?;
            event(
                tx,
                id,
                strateg,
                "Kommunikationsstrateg",
                "book_meeting",
                Some(S::InReview),
                S::MeetingBooked,
                "Genomgång av målen.",
            )
            .await?;
            from = S::MeetingBooked;
        }
        if matches!(target, S::Approved | S::Rejected) {
            let (verb, action, reason) = if target == S::Approved {
                ("Godkänd", "approve", None)
            } else {
                ("Avslagen", "reject", Some("Innehållet passar bättre på stadens gemensamma konton."))
            };
            forms_db::set_state(tx, id, from, target).await?;
            let text = format!(
                "{verb}. Beslutat av Sara Strateg, kommunikationsstrateg, på delegation av stadsdelsdirektören."
            );
            forms_db::decide(tx, id, strateg, &text, reason).await?;
            event(tx, id, strateg, "Kommunikationsstrateg", action, Some(from), target, reason.unwrap_or(""))
                .await?;
            if target == S::Approved {
                let form = forms_db::form_in_scope(tx, owner, id).await?.context("demo form")?;
                forms_db::register_account(tx, &form).await?;
            }
        }
    }
    // One returned for completion (a draft with a case number).
    let c = demo_content(
        forskola,
        platform("LinkedIn"),
        komm,
        "Förskolan – rekrytering",
        "Rekrytera förskollärare.",
    );
    let id = forms_db::create(tx, FormKind::NewAccount, o, owner, &c).await?;
    event(tx, id, owner, "Kontoansvarig", "create", None, S::Draft, "").await?;
    forms_db::save_content(tx, id, S::Draft, S::AwaitingManager, &c).await?;
    forms_db::assign_case_number(tx, id, o).await?;
    event(tx, id, owner, "Kontoansvarig", "submit", Some(S::Draft), S::AwaitingManager, "").await?;
    forms_db::set_state(tx, id, S::AwaitingManager, S::Draft).await?;
    event(
        tx,
        id,
        chef,
        "Chef",
        "return",
        Some(S::AwaitingManager),
        S::Draft,
        "Rekrytering sköts centralt; stäm av med HR först.",
    )
    .await?;
    let _ = year_n;

    // Miljöförvaltningen: a form waiting for its manager.
    let (m_owner, m_unit) = (demo.users[8], demo.miljo_units[0]);
    let mut c = demo_content(
        m_unit,
        platform("LinkedIn"),
        demo.users[7],
        "Miljöövervakning Stockholm",
        "Dela mätdata om luft och vatten.",
    );
    c.controller = "Miljö- och hälsoskyddsnämnden".into();
    let id = forms_db::create(tx, FormKind::NewAccount, demo.miljo, m_owner, &c).await?;
    event(tx, id, m_owner, "Kontoansvarig", "create", None, S::Draft, "").await?;
    forms_db::save_content(tx, id, S::Draft, S::AwaitingManager, &c).await?;
    forms_db::assign_case_number(tx, id, demo.miljo).await?;
    event(tx, id, m_owner, "Kontoansvarig", "submit", Some(S::Draft), S::AwaitingManager, "").await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn event(
    tx: &mut PgConnection,
    form_id: i64,
    actor: i64,
    actor_role: &str,
    action: &str,
    from: Option<FormState>,
    to: FormState,
    comment: &str,
) -> sqlx::Result<()> {
    forms_db::record_event(
        tx,
        forms_db::NewEvent { form_id, actor, actor_role, action, from, to: Some(to), comment },
    )
    .await
}

/// Ids the demo seeding hands between its parts.
struct Demo {
    ostermalm: i64,
    miljo: i64,
    units: Vec<i64>,
    miljo_units: [i64; 2],
    users: Vec<i64>,
    platforms: Vec<(String, i64)>,
}

/// Register entries in every state across both organisations, archive records,
/// a closing and a closed account, an open personal-data incident, training.
async fn seed_accounts(tx: &mut PgConnection, demo: &Demo) -> anyhow::Result<()> {
    let platform =
        |name: &str| demo.platforms.iter().find(|(n, _)| n == name).map(|(_, id)| *id).unwrap_or(1);
    let (owner, komm, arkiv) = (demo.users[1], demo.users[3], demo.users[5]);
    let today = crate::web::stockholm_now_date();
    let last_year = today.year() - 1;
    let o = demo.ostermalm;
    // (organisation, unit, platform, name, state, owner, deputy, archived last year, archived this year)
    let accounts = [
        (o, demo.units[0], "Facebook", "Förskolorna Östermalm", "active", owner, komm, true, true),
        (o, demo.units[2], "Instagram", "Kultur och fritid Östermalm", "active", owner, komm, true, false),
        (o, demo.units[3], "Facebook", "Stadsmiljö Östermalm", "active", owner, komm, false, false),
        (o, demo.units[1], "Facebook", "Äldreomsorgen informerar", "closing", owner, komm, true, false),
        (o, demo.units[2], "X", "Östermalms ungdomsråd", "closed", owner, komm, true, false),
        (
            demo.miljo,
            demo.miljo_units[0],
            "LinkedIn",
            "Miljöförvaltningen",
            "active",
            demo.users[8],
            demo.users[7],
            true,
            false,
        ),
        (
            demo.miljo,
            demo.miljo_units[1],
            "Instagram",
            "Klimatsmart Stockholm",
            "active",
            demo.users[8],
            demo.users[7],
            false,
            false,
        ),
    ];
    let mut ids = Vec::new();
    for (org, unit, plat, name, state, own, dep, last, this) in accounts {
        let handle = name.to_lowercase().replace(' ', "").replace('ö', "o").replace(['ä', 'å'], "a");
        let url = match plat {
            "LinkedIn" => format!("https://www.linkedin.com/company/{handle}"),
            "X" => format!("https://x.com/{handle}"),
            _ => format!("https://www.{}.com/{handle}", plat.to_lowercase()),
        };
        let id = sqlx::query_scalar!(
            r#"insert into accounts (organisation_id, unit_id, platform_id, name, url, state, purpose, goals, target_groups,
                                     owner_user_id, deputy_user_id, controller, start_date, profile_picture_done,
                                     basic_info_done, credentials_holder_user_id, credentials_confirmed_at, closed_date)
               values ($1, $2, $3, $4, $5, $6::text::account_state, 'Informera invånarna om verksamheten.',
                       'Fler som hittar rätt information.', 'Invånare i Stockholm', $7, $8, 'Nämnden', $9, true, true,
                       $10, now(), case when $6 = 'closed' then $11::date end)
               returning account_id"#,
            org,
            unit,
            platform(plat),
            name,
            url,
            state,
            own,
            dep,
            time::Date::from_calendar_date(last_year - 2, time::Month::March, 1)?,
            komm,
            time::Date::from_calendar_date(last_year, time::Month::December, 20)?
        )
        .fetch_one(&mut *tx)
        .await?;
        for (year, done) in [(last_year, last), (today.year(), this)] {
            if done && (year < today.year() || today.month() == time::Month::December) {
                let on = time::Date::from_calendar_date(year, time::Month::December, 5)?;
                sqlx::query!(
                    r#"insert into archive_records (account_id, kind, year, archived_on, recorded_by, method, storage_ref)
                       values ($1, 'yearly', $2, $3, $4, 'Export av kontots data', $5)"#,
                    id,
                    year,
                    on,
                    arkiv,
                    format!("SM-{year}-ARKIV")
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        ids.push(id);
    }
    // Every December before last was archived (before the register, for the
    // imported entries); only last year's and this year's gaps above are real.
    sqlx::query!(
        r#"insert into archive_records (account_id, kind, year, archived_on, recorded_by, method, storage_ref)
           select a.account_id, 'yearly', y, make_date(y, 12, 5), $1, 'Export av kontots data', 'SM-' || y || '-ARKIV'
           from accounts a cross join lateral generate_series(extract(year from a.start_date)::int, $2 - 1) y
           where a.start_date is not null and a.start_date <= make_date(y, 12, 1)
             and (a.closed_date is null or a.closed_date >= make_date(y, 12, 1))
           on conflict (account_id, year) where kind = 'yearly' do nothing"#,
        arkiv,
        last_year
    )
    .execute(&mut *tx)
    .await?;
    // The closing account: approved closure with a period running now.
    sqlx::query!(
        r#"update accounts set announcement_start = $2::date, announcement_end = $2::date + 30 where account_id = $1"#,
        ids[3],
        today - time::Duration::days(5)
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"insert into closure_requests (account_id, state, requested_by, reason, decided_by, decided_at, announcement_days)
           values ($1, 'approved', $2, 'Informationen finns nu på stadens gemensamma konto.', $3, now() - interval '5 days', 30)"#,
        ids[3],
        owner,
        demo.users[4]
    )
    .execute(&mut *tx)
    .await?;
    // A pending closure request for the strategist to decide.
    sqlx::query!(
        "insert into closure_requests (account_id, requested_by, reason) values ($1, $2, 'Enheten har slagits ihop med en annan.')",
        ids[2],
        owner
    )
    .execute(&mut *tx)
    .await?;
    // An open personal-data incident, discovered yesterday.
    sqlx::query!(
        r#"insert into incidents (account_id, kind, occurred_at, discovered_at, description, personal_data, reported_by)
           values ($1, 'sensitive_personal_data', now() - interval '30 hours', now() - interval '26 hours',
                   'En förälder skrev om sitt barns diagnos i en kommentar. Kommentaren är borttagen.', true, $2)"#,
        ids[0],
        owner
    )
    .execute(&mut *tx)
    .await?;
    for id in &ids {
        sqlx::query!(
            "insert into account_events (account_id, actor_user_id, action, comment) values ($1, $2, 'imported', 'Från förvaltningens tidigare lista')",
            id,
            komm
        )
        .execute(&mut *tx)
        .await?;
    }
    // Where the governing documents are published (example addresses).
    sqlx::query!(
        "update documents set url = 'https://intranat.example.se/styrdokument/' || kind::text || '-' || version
         where url = ''"
    )
    .execute(&mut *tx)
    .await?;
    // Training and acknowledgements: the Östermalm owner has both, the Miljö owner neither.
    sqlx::query!(
        "insert into training_records (user_id, course, completed_on, recorded_by) values ($1, 'Stadens grundutbildning i sociala medier', $2, $1)",
        owner,
        time::Date::from_calendar_date(last_year, time::Month::September, 14)?
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into acknowledgements (user_id, document_id) select $1, document_id from documents",
        owner
    )
    .execute(&mut *tx)
    .await?;
    // Last year's SLK reports are in for both organisations; this year's are not.
    // Miljöförvaltningen has no communicator in the demo: its manager submitted.
    for (org, by) in [(demo.ostermalm, komm), (demo.miljo, demo.users[7])] {
        let rows = crate::reports::db::live_rows(tx, org, last_year).await?;
        crate::reports::db::submit(tx, org, last_year, by, "", &rows).await?;
    }
    // This year's review is open for Östermalm; the owner has confirmed one account.
    let review = crate::review::db::start(tx, o, crate::reports::report_year(today), komm).await?;
    crate::review::db::record_answer(tx, review, ids[1], owner, true).await?;
    let confirmed = crate::review::db::Confirmed {
        purpose: "Informera invånarna om verksamheten.",
        target_groups: "Invånare i Stockholm",
        followers: Some(2350),
        publishing_frequency: "varje_vecka",
        on: today,
    };
    crate::review::db::write_confirmed(tx, ids[1], &confirmed).await?;
    sqlx::query!(
        "insert into account_events (account_id, actor_user_id, action, comment) values ($1, $2, 'confirmed', $3)",
        ids[1],
        owner,
        format!("Årlig genomgång {}", crate::reports::report_year(today))
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
