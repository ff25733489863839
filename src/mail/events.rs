//! The events that send mail: who gets it, and its Swedish subject and text,
//! naming the case number or account and linking to where the thing is done.
//! Each is called inside the transaction of the event itself.

use sqlx::PgConnection;

use super::{Mail, db};
use crate::forms::workflow::Action;

/// What a form event needs to know of the form.
pub(crate) struct FormEvent<'a> {
    pub form_id: i64,
    pub case_number: &'a str,
    pub account_name: &'a str,
    pub organisation_id: i64,
    pub unit_id: Option<i64>,
    pub owner_user_id: i64,
    /// Who did it, for the text.
    pub actor_name: &'a str,
    /// The comment, reason or meeting text of the step.
    pub comment: &'a str,
}

/// The mail of one step of the startup form's workflow, if it sends one.
pub(crate) async fn form_step(
    conn: &mut PgConnection,
    action: Action,
    e: &FormEvent<'_>,
) -> sqlx::Result<u64> {
    let what = if e.account_name.trim().is_empty() {
        format!("Blanketten {}", e.case_number)
    } else {
        format!("Blanketten {} ({})", e.case_number, e.account_name.trim())
    };
    let link_path = format!("/blanketter/{}", e.form_id);
    let open = "Öppna blanketten".to_string();
    let with_comment = |mut p: Vec<String>| {
        if !e.comment.trim().is_empty() {
            p.push(format!(
                "{}: {}",
                if action == Action::Reject { "Skäl" } else { "Kommentar" },
                e.comment.trim()
            ));
        }
        p
    };
    let (kind, subject, paragraphs, to) = match action {
        Action::Submit => {
            let Some(unit) = e.unit_id else { return Ok(0) };
            (
                "form_submit",
                format!("{what} väntar på din underskrift"),
                vec![format!(
                    "{} har skickat in en uppstartsblankett för ett konto i sociala medier i din verksamhet. Läs den och skriv under, eller skicka tillbaka den med en kommentar.",
                    e.actor_name
                )],
                db::unit_managers(conn, unit).await?,
            )
        }
        Action::Sign => (
            "form_sign",
            format!("{what} är underskriven och väntar på granskning"),
            vec![format!(
                "{} har skrivit under blanketten. Den väntar nu på kommunikatörens och kommunikationsstrategens granskning och beslut.",
                e.actor_name
            )],
            db::with_roles(conn, e.organisation_id, &["communicator", "strategist"]).await?,
        ),
        Action::Return | Action::RequestCompletion => (
            "form_returned",
            format!("{what} har skickats tillbaka till dig"),
            with_comment(vec![format!(
                "{} har skickat tillbaka blanketten för komplettering. Ändra den och skicka in den igen.",
                e.actor_name
            )]),
            db::user(conn, e.owner_user_id).await?,
        ),
        Action::BookMeeting => (
            "form_meeting",
            format!("Möte bokat om blanketten {}", e.case_number),
            vec![format!("{} har bokat ett möte om blanketten. {}", e.actor_name, e.comment.trim())],
            db::user(conn, e.owner_user_id).await?,
        ),
        Action::Approve => (
            "form_approved",
            format!("{what} är godkänd"),
            with_comment(vec![
                "Blanketten är godkänd och kontot är fört in i registret. Du kan nu starta kontot och registrera starten i Kontoregistret.".into(),
            ]),
            db::user(conn, e.owner_user_id).await?,
        ),
        Action::Reject => (
            "form_rejected",
            format!("{what} är avslagen"),
            with_comment(vec!["Blanketten är avslagen: kontot får inte startas.".into()]),
            db::user(conn, e.owner_user_id).await?,
        ),
        _ => return Ok(0),
    };
    let mail = Mail { kind, subject, paragraphs, link_label: open, link_path };
    db::queue(conn, &mail, &to, None).await
}

/// A request to close an account: whoever holds the organisation's delegated
/// decision right (`role`, its code) decides it.
pub(crate) async fn closure_requested(
    conn: &mut PgConnection,
    account_id: i64,
    account_name: &str,
    organisation_id: i64,
    decider_role: &str,
    actor_name: &str,
    reason: &str,
) -> sqlx::Result<u64> {
    let mail = Mail {
        kind: "closure_requested",
        subject: format!("Avslut av {account_name} väntar på ditt beslut"),
        paragraphs: vec![
            format!("{actor_name} har begärt att kontot {account_name} avslutas."),
            format!("Skäl: {}", reason.trim()),
        ],
        link_label: "Öppna kontot och besluta".into(),
        link_path: format!("/konton/{account_id}#avslut"),
    };
    let to = db::with_roles(conn, organisation_id, &[decider_role]).await?;
    db::queue(conn, &mail, &to, None).await
}

/// A started account: the communicators confirm that they hold its login credentials.
pub(crate) async fn account_started(
    conn: &mut PgConnection,
    account_id: i64,
    account_name: &str,
    organisation_id: i64,
) -> sqlx::Result<u64> {
    let mail = Mail {
        kind: "credentials_to_confirm",
        subject: format!("Bekräfta inloggningsuppgifterna för {account_name}"),
        paragraphs: vec![format!(
            "Kontot {account_name} har startats. Enligt rutinen ska kommunikatören ha kontots inloggningsuppgifter: bekräfta i Kontoregistret när du har fått dem."
        )],
        link_label: "Öppna kontot".into(),
        link_path: format!("/konton/{account_id}"),
    };
    let to = db::with_roles(conn, organisation_id, &["communicator"]).await?;
    db::queue(conn, &mail, &to, None).await
}
