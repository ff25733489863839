//! The dated reminders: archiving due in December and overdue in January,
//! a personal-data incident with 24 hours left of IMY's 72, the yearly
//! review (when it opens, and after two weeks to those who have not
//! answered), and the weekly summaries from Monday 07:00. `tick` runs them
//! on a timer in every server and once from the command line (`kontoregister
//! tick`), with the clock given: one runner at a time (a PostgreSQL advisory
//! lock), and each reminder has a key per thing and period, so none is ever
//! sent twice.

use sqlx::{PgConnection, PgPool};
use time::{Date, Month, OffsetDateTime};

use super::{Mail, Recipient, db};

/// The advisory lock that lets one server at a time run the reminders.
const LOCK: i64 = 0x4b52_5449_434b; // "KRTICK"

/// Run the reminders for `today` and `now`; `None` when another server is
/// running them at this moment, else the number of mails queued.
pub async fn tick(pool: &PgPool, today: Date, now: OffsetDateTime) -> sqlx::Result<Option<u64>> {
    let mut tx = pool.begin().await?;
    let mine: bool = sqlx::query_scalar!(r#"select pg_try_advisory_xact_lock($1) as "got!""#, LOCK)
        .fetch_one(&mut *tx)
        .await?;
    if !mine {
        return Ok(None);
    }
    let mut n = 0;
    if today.month() == Month::December {
        n += archiving(&mut tx, today.year(), false).await?;
    }
    if today.month() == Month::January {
        n += archiving(&mut tx, today.year() - 1, true).await?;
    }
    n += incidents(&mut tx, now).await?;
    n += reviews(&mut tx, now).await?;
    n += weekly_summaries(&mut tx, now).await?;
    tx.commit().await?;
    Ok(Some(n))
}

/// The owners of the accounts still without their yearly archive for `year`:
/// one mail per owner listing their accounts (an owner of 30 accounts gets
/// one mail, not 30), once per year; owners already told are left out in the
/// query, so a tick in a large city costs one indexed pass.
async fn archiving(conn: &mut PgConnection, year: i32, overdue: bool) -> sqlx::Result<u64> {
    let kind = if overdue { "archiving_overdue" } else { "archiving_due" };
    let key = format!("{kind}:{year}");
    let rows = sqlx::query!(
        r#"select u.user_id, u.name, u.email,
                  array_agg(a.name order by lower(a.name), a.account_id) as "accounts!",
                  min(a.account_id) as "first!"
           from accounts a
           join users u on u.user_id = a.owner_user_id and u.active
           where a.state in ('active', 'closing') and a.start_date <= make_date($1, 12, 31)
             and not exists (select 1 from archive_records r where r.account_id = a.account_id
                             and r.kind = 'yearly' and r.year = $1)
             and not exists (select 1 from outbox o where o.dedup_key = $2 || ':' || u.user_id)
           group by u.user_id, u.name, u.email
           order by u.user_id"#,
        year,
        key
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let what = match &r.accounts[..] {
            [one] => one.clone(),
            many => crate::web::plural(many.len() as i64, "konto", "konton"),
        };
        let (subject, text) = if overdue {
            (
                format!("Försenad: arkiveringen av {what} för {year} saknas"),
                format!(
                    "{} skulle ha arkiverats i december {year}, men ingen arkivering är registrerad. Arkivera och registrera arkiveringen i Kontoregistret.",
                    if r.accounts.len() == 1 { format!("Kontot {what}") } else { what.clone() }
                ),
            )
        } else {
            (
                format!("Dags att arkivera {what} för {year}"),
                format!(
                    "Varje konto arkiveras i december. Arkivera {} senast den 31 december {year} och registrera arkiveringen i Kontoregistret.",
                    if r.accounts.len() == 1 { what.clone() } else { format!("dina {what}") }
                ),
            )
        };
        let mut paragraphs = vec![text];
        if r.accounts.len() > 1 {
            paragraphs.push(r.accounts.iter().map(|a| format!("– {a}")).collect::<Vec<_>>().join("\n"));
        }
        let (link_label, link_path) = if r.accounts.len() == 1 {
            ("Registrera arkiveringen".to_string(), format!("/konton/{}#arkivering", r.first))
        } else {
            ("Öppna Att göra".to_string(), "/".to_string())
        };
        let mail = Mail { kind, subject, paragraphs, link_label, link_path };
        let to = Recipient { user_id: r.user_id, name: r.name, email: r.email };
        n += db::queue(conn, &mail, &[to], Some(&key)).await?;
    }
    Ok(n)
}

/// Personal-data incidents not yet reported to IMY, with 24 hours or less left.
async fn incidents(conn: &mut PgConnection, now: OffsetDateTime) -> sqlx::Result<u64> {
    let rows = sqlx::query!(
        r#"select i.incident_id, a.account_id, a.name as account, a.organisation_id, a.owner_user_id,
                  i.discovered_at + interval '72 hours' as "deadline!"
           from incidents i join accounts a using (account_id)
           where i.personal_data and i.closed_at is null and i.imy_notified_on is null
             and i.no_notification_reason is null
             and $1 >= i.discovered_at + interval '48 hours' and $1 < i.discovered_at + interval '72 hours'"#,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let mut to = db::with_roles(conn, r.organisation_id, &["communicator"]).await?;
        if let Some(owner) = r.owner_user_id {
            to.extend(db::user(conn, owner).await?);
        }
        to.sort_by_key(|p| p.user_id);
        to.dedup_by_key(|p| p.user_id);
        let mail = Mail {
            kind: "incident_deadline",
            subject: format!("24 timmar kvar: anmäl avvikelsen på {} till IMY", r.account),
            paragraphs: vec![format!(
                "En avvikelse med personuppgifter på {} ska anmälas till Integritetsskyddsmyndigheten senast {}, eller så ska det antecknas varför den inte anmäls.",
                r.account,
                crate::web::Dt(r.deadline)
            )],
            link_label: "Följ upp avvikelsen".into(),
            link_path: format!("/konton/{}#avvikelser", r.account_id),
        };
        n += db::queue(conn, &mail, &to, Some(&format!("incident_deadline:{}", r.incident_id))).await?;
    }
    Ok(n)
}

/// Open yearly reviews: its owners and deputies who have not answered for
/// every account, once when it opens and once after two weeks.
async fn reviews(conn: &mut PgConnection, now: OffsetDateTime) -> sqlx::Result<u64> {
    let rows = sqlx::query!(
        r#"select r.review_id, r.year, r.started_at <= $1::timestamptz - interval '14 days' as "reminder!",
                  u.user_id, u.name, u.email, count(*) as "accounts!"
           from yearly_reviews r
           join accounts a on a.organisation_id = r.organisation_id and a.state = 'active'
           join users u on u.active and (u.user_id = a.owner_user_id or u.user_id = a.deputy_user_id)
           where r.closed_at is null
             and not exists (select 1 from account_confirmations c where c.review_id = r.review_id and c.account_id = a.account_id)
           group by r.review_id, r.year, r.started_at, u.user_id, u.name, u.email
           order by r.review_id, u.user_id"#,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut n = 0;
    for r in rows {
        let what = crate::web::plural(r.accounts, "konto", "konton");
        let (kind, subject, text) = if r.reminder {
            (
                "review_reminder",
                format!("Påminnelse: bekräfta dina kontouppgifter för {}", r.year),
                format!(
                    "Den årliga genomgången {} pågår fortfarande, och du har {what} kvar att bekräfta.",
                    r.year
                ),
            )
        } else {
            (
                "review_open",
                format!("Årlig genomgång {}: bekräfta dina kontouppgifter", r.year),
                format!(
                    "Den årliga genomgången {} har startat. Bekräfta uppgifterna för {what} som du ansvarar för, eller säg till om något konto ska avslutas.",
                    r.year
                ),
            )
        };
        let mail = Mail {
            kind,
            subject,
            paragraphs: vec![text],
            link_label: "Öppna Att göra".into(),
            link_path: "/".into(),
        };
        let to = Recipient { user_id: r.user_id, name: r.name, email: r.email };
        n += db::queue(conn, &mail, &[to], Some(&format!("{kind}:{}", r.review_id))).await?;
    }
    Ok(n)
}

/// The Monday 07:00 (Stockholm) that begins the week of `now`'s, and the ISO week's name.
fn week_start(now: OffsetDateTime) -> (OffsetDateTime, String) {
    let local = crate::web::to_stockholm(now);
    let monday = local.date() - time::Duration::days(local.weekday().number_days_from_monday().into());
    let start = crate::web::local_to_utc(time::PrimitiveDateTime::new(
        monday,
        time::Time::from_hms(7, 0, 0).expect("07:00"),
    ));
    let (year, week, _) = monday.to_iso_week_date();
    (start, format!("{year}-W{week:02}"))
}

/// From Monday 07:00 each week: one summary to each user who takes the
/// weekly summary and has mails waiting, which are then marked as sent in it.
pub(crate) async fn weekly_summaries(conn: &mut PgConnection, now: OffsetDateTime) -> sqlx::Result<u64> {
    let (start, week) = week_start(now);
    if now < start {
        return Ok(0);
    }
    let waiting = sqlx::query!(
        r#"select o.to_user_id as "user_id!", u.name, u.email, max(o.mail_id) as "last!",
                  array_agg(o.subject order by o.mail_id) as "subjects!"
           from outbox o join users u on u.user_id = o.to_user_id
           where o.digest and o.state = 'queued' and o.created_at < $1
           group by o.to_user_id, u.name, u.email order by o.to_user_id"#,
        now
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut n = 0;
    for w in waiting {
        let count = w.subjects.len() as i64;
        let mut paragraphs = vec![format!(
            "Det här har hänt i Kontoregistret sedan förra sammanfattningen ({}):",
            crate::web::plural(count, "sak", "saker")
        )];
        paragraphs.push(w.subjects.iter().map(|s| format!("– {s}")).collect::<Vec<_>>().join("\n"));
        paragraphs.push("Allt som väntar på dig finns under Att göra.".into());
        let mail = Mail {
            kind: "weekly_summary",
            subject: format!("Veckosammanfattning från Kontoregistret, vecka {}", &week[6..]),
            paragraphs,
            link_label: "Öppna Att göra".into(),
            link_path: "/".into(),
        };
        let key = format!("weekly_summary:{week}:{}", w.user_id);
        let to = Recipient { user_id: w.user_id, name: w.name, email: w.email };
        let id = db::queue_one(conn, &mail, &to, Some(&key)).await?;
        let Some(id) = id else { continue };
        sqlx::query!(
            r#"update outbox set state = 'sent', sent_at = now(), summary_mail_id = $3
               where to_user_id = $1 and digest and state = 'queued' and mail_id <= $2"#,
            w.user_id,
            w.last,
            id
        )
        .execute(&mut *conn)
        .await?;
        n += 1;
    }
    Ok(n)
}
