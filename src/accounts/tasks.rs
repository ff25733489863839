//! The account tasks of the start page "Att göra", from one query over the
//! accounts that can give the user a task (not every account of their
//! organisations), and the date rules in `rules`.

use sqlx::PgConnection;
use time::Date;

use super::db::{self, Scope};
use super::rules::{self, AccountState, ArchiveStatus};
use crate::auth::{Role, User};
use crate::web::Dt;
use crate::web::Task;

struct Candidate {
    account_id: i64,
    name: String,
    state: AccountState,
    mine: bool,
    start_date: Option<Date>,
    closed_date: Option<Date>,
    profile_picture_done: bool,
    basic_info_done: bool,
    credentials_confirmed: bool,
    announced: bool,
    announcement_end: Option<Date>,
    pending_closure: bool,
    years: Vec<i32>,
    open_incidents: i64,
    imy_deadline: Option<Dt>,
    communicator: bool,
    decider: bool,
    organisation_id: i64,
    missing_form: bool,
    owner: bool,
}

/// The accounts that can give the user a task: their own, and of their
/// organisations' accounts those with an open incident, a closure to decide,
/// or (the first 20) credentials to confirm. An owner without an
/// organisation role runs a statement of its own, so that neither's cached
/// plan is used for the other.
async fn candidates(
    conn: &mut PgConnection,
    user_id: i64,
    comm_orgs: &[i64],
    orgs: &[i64],
) -> sqlx::Result<Vec<i64>> {
    if comm_orgs.is_empty() && orgs.is_empty() {
        return sqlx::query_scalar!(
            r#"select account_id as "id!" from accounts
               where (owner_user_id = $1 or deputy_user_id = $1) and state <> 'closed'"#,
            user_id
        )
        .fetch_all(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"select account_id as "id!" from accounts where (owner_user_id = $1 or deputy_user_id = $1) and state <> 'closed'
           union
           select i.account_id from incidents i join accounts ia using (account_id)
            where i.closed_at is null and ia.organisation_id = any($2) and ia.state <> 'closed'
           union
           select c.account_id from closure_requests c join accounts ca using (account_id)
            where c.state = 'requested' and ca.organisation_id = any($3) and ca.state <> 'closed'
           union
           (select x.account_id from unnest($2::bigint[]) org
            cross join lateral (select account_id, lower(name) as n from accounts
                                where organisation_id = org and state = 'active' and credentials_confirmed_at is null
                                order by lower(name), account_id limit 20) x
            order by x.n, x.account_id limit 20)"#,
        user_id,
        comm_orgs,
        orgs
    )
    .fetch_all(conn)
    .await
}

/// The account tasks of `user` on `today`.
pub(crate) async fn tasks(
    conn: &mut PgConnection,
    user: &User,
    today: Date,
    now: time::OffsetDateTime,
) -> sqlx::Result<Vec<Task>> {
    let s = Scope::of(user);
    let comm_orgs = user.organisations_with(Role::Communicator);
    let ids = candidates(conn, user.user_id, &comm_orgs, &s.orgs).await?;
    let rows = sqlx::query_as!(
        Candidate,
        r#"select a.account_id, a.name, a.state as "state: AccountState",
                  coalesce(a.owner_user_id = $1 or a.deputy_user_id = $1, false) as "mine!",
                  a.start_date, a.closed_date, a.profile_picture_done, a.basic_info_done,
                  a.credentials_confirmed_at is not null as "credentials_confirmed!",
                  a.announced_at is not null as "announced!", a.announcement_end,
                  exists (select 1 from closure_requests c where c.account_id = a.account_id and c.state = 'requested') as "pending_closure!",
                  coalesce((select array_agg(year) from archive_records ar where ar.account_id = a.account_id and ar.kind = 'yearly'), '{}') as "years!",
                  (select count(*) from incidents i where i.account_id = a.account_id and i.closed_at is null) as "open_incidents!",
                  (select min(i.discovered_at + interval '72 hours') from incidents i where i.account_id = a.account_id
                     and i.closed_at is null and i.personal_data and i.imy_notified_on is null
                     and i.no_notification_reason is null) as "imy_deadline: Dt",
                  (a.organisation_id = any($2)) as "communicator!",
                  exists (select 1 from role_assignments ra join organisations o on o.organisation_id = a.organisation_id
                          where ra.user_id = $1 and ra.active and ra.role = o.delegated_role
                            and ra.organisation_id = a.organisation_id) as "decider!",
                  a.organisation_id, a.missing_form, coalesce(a.owner_user_id = $1, false) as "owner!"
           from accounts a
           where a.account_id = any($3)
           order by lower(a.name), a.account_id"#,
        user.user_id,
        &comm_orgs,
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;

    let mut tasks = Vec::new();
    let href = |c: &Candidate, anchor: &str| format!("/konton/{}{anchor}", c.account_id);
    let mut missing_credentials = 0;
    let owner_orgs = user.organisations_with(Role::AccountOwner);
    for c in &rows {
        // An account in the register without a startup form (imported, or
        // registered before the routine): its owner fills one in.
        if c.owner && c.missing_form && c.state != AccountState::Closed {
            tasks.push(Task {
                href: if owner_orgs.contains(&c.organisation_id) {
                    format!("/blanketter/ny?typ=befintligt&konto={}", c.account_id)
                } else {
                    href(c, "")
                },
                text: format!("Fyll i en uppstartsblankett för {}", c.name),
                detail: "Kontot finns i registret men saknar blankett".into(),
            });
        }
        if c.mine {
            match c.state {
                AccountState::Approved => tasks.push(Task {
                    href: href(c, "#starta"),
                    text: format!("Registrera start för {}", c.name),
                    detail: "Godkänt, ej startat".into(),
                }),
                AccountState::Active | AccountState::Closing => {
                    if !c.profile_picture_done || !c.basic_info_done {
                        tasks.push(Task {
                            href: href(c, "#checklista"),
                            text: format!("Slutför startchecklistan för {}", c.name),
                            detail: "Profilbild eller grundinformation saknas".into(),
                        });
                    }
                    let missing = rules::missing_years(today, c.state, c.start_date, c.closed_date, &c.years);
                    if !missing.is_empty() {
                        tasks.push(Task {
                            href: href(c, "#arkivering"),
                            text: format!("Arkivera {} för {}", c.name, rules::years_text(&missing)),
                            detail: "Försenad".into(),
                        });
                    }
                    // This year's record is due in December, whether or not older ones are missing.
                    let mut assumed = c.years.clone();
                    assumed.extend(&missing);
                    let due =
                        match rules::archive_status(today, c.state, c.start_date, c.closed_date, &assumed) {
                            ArchiveStatus::Due { year } => Some(year),
                            _ => None,
                        };
                    if let Some(year) = due {
                        tasks.push(Task {
                            href: href(c, "#arkivering"),
                            text: format!("Arkivera {} för {year}", c.name),
                            detail: "Ska göras i december".into(),
                        });
                    }
                    if c.state == AccountState::Closing {
                        if !c.announced {
                            tasks.push(Task {
                                href: href(c, "#avslut"),
                                text: format!("Annonsera avslutet av {} i kanalen", c.name),
                                detail: "Avslut beslutat".into(),
                            });
                        } else if c.announcement_end.is_some_and(|e| e <= today) {
                            tasks.push(Task {
                                href: href(c, "#avslut"),
                                text: format!("Arkivera {} en sista gång och avsluta kontot", c.name),
                                detail: "Annonseringsperioden är slut".into(),
                            });
                        }
                    }
                }
                AccountState::Closed => {}
            }
        }
        if c.open_incidents > 0 && (c.mine || c.communicator) {
            let detail = match c.imy_deadline {
                Some(d) if d.0 < now => {
                    format!("Försenad: IMY-fristen gick ut {d}")
                }
                Some(d) => format!("Anmälan till IMY senast {d}"),
                None => "Öppen".into(),
            };
            tasks.push(Task {
                href: href(c, "#avvikelser"),
                text: format!("Följ upp avvikelse på {}", c.name),
                detail,
            });
        }
        if c.pending_closure && c.decider {
            tasks.push(Task {
                href: href(c, "#avslut"),
                text: format!("Besluta om avslut av {}", c.name),
                detail: "Begäran väntar på beslut".into(),
            });
        }
        if c.communicator && !c.credentials_confirmed && c.state == AccountState::Active {
            missing_credentials += 1;
            if missing_credentials <= 20 {
                tasks.push(Task {
                    href: href(c, ""),
                    text: format!("Bekräfta att inloggningsuppgifterna för {} är lämnade", c.name),
                    detail: "Inloggningsuppgifter".into(),
                });
            }
        }
    }
    if user.has(Role::Archivist) {
        archivist_tasks(conn, user, today, &mut tasks).await?;
    }
    // Accounts without a startup form: a count for managers and communicators.
    if user.has_any(&[Role::Manager, Role::Communicator]) {
        let n = sqlx::query_scalar!(
            r#"select coalesce(sum(c.n), 0)::bigint as "n!" from account_counts c
               where c.missing_form and c.state <> 'closed'
                 and (c.organisation_id = any($1) or c.unit_id = any($2))"#,
            &comm_orgs,
            &s.units
        )
        .fetch_one(&mut *conn)
        .await?;
        if n > 0 {
            tasks.push(Task {
                href: "/konton?saknar_blankett=1".into(),
                text: format!("{} saknar uppstartsblankett", crate::reports::rows::accounts_noun(n as usize)),
                detail: "Kontoansvarig ska fylla i en blankett".into(),
            });
        }
    }
    Ok(tasks)
}

/// The archivist's tasks: every account of their organisations with a missing
/// yearly archive, by name (the longest overdue first), and in December how
/// many are still to be archived this year.
async fn archivist_tasks(
    conn: &mut PgConnection,
    user: &User,
    today: Date,
    tasks: &mut Vec<Task>,
) -> sqlx::Result<()> {
    const SHOWN: usize = 20;
    let s = Scope { orgs: user.organisations_with(Role::Archivist), ..Scope::default() };
    let (list, total) = db::missing_archives(conn, &s, today.year(), SHOWN as i64).await?;
    for m in &list {
        tasks.push(Task {
            href: format!("/konton/{}#arkivering", m.account_id),
            text: format!("Arkivering saknas för {} ({}, {})", m.name, m.unit, rules::years_text(&m.years)),
            detail: "Försenad".into(),
        });
    }
    if total as usize > list.len() {
        tasks.push(Task {
            href: "/arkivering#saknas".into(),
            text: format!(
                "Se alla {} som saknar arkivering",
                crate::reports::rows::accounts_noun(total as usize)
            ),
            detail: "Försenad".into(),
        });
    }
    if today.month() == time::Month::December {
        let n = db::not_archived_count(conn, &s, today.year()).await?;
        if n > 0 {
            tasks.push(Task {
                href: "/arkivering".into(),
                text: format!(
                    "{} ska arkiveras i december {}",
                    crate::reports::rows::accounts_noun(n as usize),
                    today.year()
                ),
                detail: "Arkivering pågår".into(),
            });
        }
    }
    Ok(())
}
