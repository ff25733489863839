//! SQL of incidents (SPEC 3.6): recorded, followed up, listed.

use sqlx::PgConnection;
use time::Date;

use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "incident_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum IncidentKind {
    SensitivePersonalData,
    ConfidentialInformation,
    OffensiveContent,
    AccountCompromised,
    Impersonation,
    Other,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 6] = [
        IncidentKind::SensitivePersonalData,
        IncidentKind::ConfidentialInformation,
        IncidentKind::OffensiveContent,
        IncidentKind::AccountCompromised,
        IncidentKind::Impersonation,
        IncidentKind::Other,
    ];
    pub fn label(&self) -> &'static str {
        match self {
            IncidentKind::SensitivePersonalData => {
                "Borttaget inlägg eller kommentar med känsliga personuppgifter"
            }
            IncidentKind::ConfidentialInformation => "Sekretessbelagd information",
            IncidentKind::OffensiveContent => "Kränkande eller olagligt innehåll",
            IncidentKind::AccountCompromised => "Kontot kapat eller obehörig inloggning",
            IncidentKind::Impersonation => "Någon utger sig för att vara staden",
            IncidentKind::Other => "Annat",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            IncidentKind::SensitivePersonalData => "sensitive_personal_data",
            IncidentKind::ConfidentialInformation => "confidential_information",
            IncidentKind::OffensiveContent => "offensive_content",
            IncidentKind::AccountCompromised => "account_compromised",
            IncidentKind::Impersonation => "impersonation",
            IncidentKind::Other => "other",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Incident {
    pub incident_id: i64,
    pub kind: IncidentKind,
    pub occurred_at: Dt,
    pub discovered_at: Dt,
    pub description: String,
    pub personal_data: bool,
    pub reported_by: String,
    pub reported_at: Dt,
    pub dpo_informed_at: Option<Dt>,
    pub imy_notified_on: Option<Date>,
    pub imy_reference: Option<String>,
    pub no_notification_reason: Option<String>,
    pub closed_at: Option<Dt>,
    pub closing_note: Option<String>,
}

impl Incident {
    pub fn imy_deadline(&self) -> Dt {
        Dt(crate::accounts::rules::imy_deadline(self.discovered_at.0))
    }
    /// The IMY question is settled: notified, or a reasoned decision not to.
    pub fn imy_settled(&self) -> bool {
        !self.personal_data || self.imy_notified_on.is_some() || self.no_notification_reason.is_some()
    }
    pub fn imy_overdue(&self, now: &time::OffsetDateTime) -> bool {
        !self.imy_settled() && *now > self.imy_deadline().0
    }
}

pub(crate) async fn incidents(conn: &mut PgConnection, account_id: i64) -> sqlx::Result<Vec<Incident>> {
    sqlx::query_as!(
        Incident,
        r#"select i.incident_id, i.kind as "kind: IncidentKind", i.occurred_at as "occurred_at: Dt",
                  i.discovered_at as "discovered_at: Dt", i.description, i.personal_data, u.name as reported_by,
                  i.reported_at as "reported_at: Dt", i.dpo_informed_at as "dpo_informed_at: Dt", i.imy_notified_on,
                  i.imy_reference, i.no_notification_reason, i.closed_at as "closed_at: Dt", i.closing_note
           from incidents i join users u on u.user_id = i.reported_by
           where i.account_id = $1 order by i.incident_id desc"#,
        account_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) struct NewIncident<'a> {
    pub account_id: i64,
    pub kind: IncidentKind,
    pub occurred_at: time::OffsetDateTime,
    pub discovered_at: time::OffsetDateTime,
    pub description: &'a str,
    pub personal_data: bool,
    pub reported_by: i64,
}

pub(crate) async fn add_incident(conn: &mut PgConnection, i: NewIncident<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"insert into incidents (account_id, kind, occurred_at, discovered_at, description, personal_data, reported_by)
           values ($1, $2, $3, $4, $5, $6, $7) returning incident_id"#,
        i.account_id,
        i.kind as IncidentKind,
        i.occurred_at,
        i.discovered_at,
        i.description,
        i.personal_data,
        i.reported_by
    )
    .fetch_one(conn)
    .await
}

pub(crate) struct IncidentFollowUp<'a> {
    pub dpo_informed: bool,
    pub imy_notified_on: Option<Date>,
    pub imy_reference: Option<&'a str>,
    pub no_notification_reason: Option<&'a str>,
    pub close: bool,
    pub closing_note: Option<&'a str>,
    pub by: i64,
}

/// Record the follow-up of an open incident (guarded: closed ones stay closed).
pub(crate) async fn follow_up_incident(
    conn: &mut PgConnection,
    account_id: i64,
    incident_id: i64,
    f: IncidentFollowUp<'_>,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        r#"update incidents set
               dpo_informed_at = case when $3 then coalesce(dpo_informed_at, now()) else dpo_informed_at end,
               imy_notified_on = coalesce($4, imy_notified_on),
               imy_reference = coalesce($5, imy_reference),
               no_notification_reason = coalesce($6, no_notification_reason),
               closed_at = case when $7 then now() end,
               closed_by = case when $7 then $9::bigint end,
               closing_note = $8
           where incident_id = $2 and account_id = $1 and closed_at is null"#,
        account_id,
        incident_id,
        f.dpo_informed,
        f.imy_notified_on,
        f.imy_reference,
        f.no_notification_reason,
        f.close,
        f.closing_note,
        f.by
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}
