//! Demo data (`--demo`), loaded only into an empty database: two organisations
//! with units, and one user per role. Later features extend it so every page
//! has something to show.

use sqlx::PgPool;

use crate::auth::{Role, password};
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
    crate::audit::record(
        &mut tx,
        crate::audit::Entry { action: "demo_seeded", entity_type: "installation", ..Default::default() },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
