//! SQL of training records, documents and acknowledgements, and the manager's
//! view of their units.

use sqlx::PgConnection;
use time::Date;

use crate::web::Dt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, sqlx::Type)]
#[sqlx(type_name = "document_kind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub(crate) enum DocumentKind {
    Policy,
    Handbook,
    Routine,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 3] = [DocumentKind::Policy, DocumentKind::Handbook, DocumentKind::Routine];
    pub fn label(&self) -> &'static str {
        match self {
            DocumentKind::Policy => "Policy för sociala medier",
            DocumentKind::Handbook => "Handledning i sociala medier",
            DocumentKind::Routine => "Lokal rutin",
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            DocumentKind::Policy => "policy",
            DocumentKind::Handbook => "handbook",
            DocumentKind::Routine => "routine",
        }
    }
    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// The current (newest) version of each document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub document_id: i64,
    pub version: String,
    pub title: String,
    /// Where the version is published; empty when not set.
    pub url: String,
    pub published_at: Dt,
}

pub(crate) async fn current_documents(conn: &mut PgConnection) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as!(
        Document,
        r#"select distinct on (kind) document_id, version, title, url,
                  published_at as "published_at: Dt"
           from documents order by kind, published_at desc, document_id desc"#
    )
    .fetch_all(conn)
    .await
}

/// Current documents the user has not acknowledged.
pub(crate) async fn missing_acknowledgements(
    conn: &mut PgConnection,
    user_id: i64,
) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as!(
        Document,
        r#"select d.document_id as "document_id!", d.version as "version!",
                  d.title as "title!", d.url as "url!", d.published_at as "published_at!: Dt"
           from (select distinct on (kind) * from documents order by kind, published_at desc, document_id desc) d
           where not exists (select 1 from acknowledgements a where a.document_id = d.document_id and a.user_id = $1)
           order by d.kind"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

#[derive(Debug, Clone)]
pub(crate) struct Acknowledgement {
    pub title: String,
    pub url: String,
    pub version: String,
    pub acknowledged_at: Dt,
}

pub(crate) async fn acknowledgements(
    conn: &mut PgConnection,
    user_id: i64,
) -> sqlx::Result<Vec<Acknowledgement>> {
    sqlx::query_as!(
        Acknowledgement,
        r#"select d.title, d.url, d.version, a.acknowledged_at as "acknowledged_at: Dt"
           from acknowledgements a join documents d using (document_id)
           where a.user_id = $1 order by a.acknowledged_at desc"#,
        user_id
    )
    .fetch_all(conn)
    .await
}

/// Acknowledge one current document; returns false if it is not current or already done.
pub(crate) async fn acknowledge(
    conn: &mut PgConnection,
    user_id: i64,
    document_id: i64,
) -> sqlx::Result<bool> {
    let n = sqlx::query!(
        r#"insert into acknowledgements (user_id, document_id)
           select $1, d.document_id from
             (select distinct on (kind) document_id from documents order by kind, published_at desc, document_id desc) d
           where d.document_id = $2
           on conflict do nothing"#,
        user_id,
        document_id
    )
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

pub(crate) async fn publish(
    conn: &mut PgConnection,
    kind: DocumentKind,
    version: &str,
    title: &str,
    url: &str,
    by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into documents (kind, version, title, url, published_by) values ($1, $2, $3, $4, $5)
         returning document_id",
        kind as DocumentKind,
        version,
        title,
        url,
        by
    )
    .fetch_one(conn)
    .await
}

#[derive(Debug, Clone)]
pub(crate) struct Training {
    pub course: String,
    pub completed_on: Date,
}

pub(crate) async fn training(conn: &mut PgConnection, user_id: i64) -> sqlx::Result<Vec<Training>> {
    sqlx::query_as!(
        Training,
        "select course, completed_on from training_records where user_id = $1 order by completed_on desc",
        user_id
    )
    .fetch_all(conn)
    .await
}

pub(crate) async fn add_training(
    conn: &mut PgConnection,
    user_id: i64,
    course: &str,
    on: Date,
    by: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "insert into training_records (user_id, course, completed_on, recorded_by) values ($1, $2, $3, $4)
         returning training_id",
        user_id,
        course,
        on,
        by
    )
    .fetch_one(conn)
    .await
}

/// An account of the manager's units, with its owner's standing.
#[derive(Debug, Clone)]
pub(crate) struct UnitAccount {
    pub account_id: i64,
    pub name: String,
    pub platform: String,
    pub unit: String,
    pub state: crate::accounts::rules::AccountState,
    pub owner: Option<String>,
    pub deputy: Option<String>,
    pub missing_form: bool,
    pub owner_trained: bool,
    pub owner_missing_acks: i64,
}

pub(crate) async fn unit_accounts(conn: &mut PgConnection, units: &[i64]) -> sqlx::Result<Vec<UnitAccount>> {
    sqlx::query_as!(
        UnitAccount,
        r#"with cur as (select distinct on (kind) document_id from documents order by kind, published_at desc, document_id desc)
           select a.account_id, a.name, p.name as platform, un.name as unit,
                  a.state as "state: crate::accounts::rules::AccountState",
                  ow.name as "owner?", dep.name as "deputy?", a.missing_form,
                  exists (select 1 from training_records t where t.user_id = a.owner_user_id) as "owner_trained!",
                  (select count(*) from cur where not exists (select 1 from acknowledgements ak
                      where ak.document_id = cur.document_id and ak.user_id = a.owner_user_id)) as "owner_missing_acks!"
           from accounts a
           join platforms p on p.platform_id = a.platform_id
           join units un on un.unit_id = a.unit_id
           left join users ow on ow.user_id = a.owner_user_id
           left join users dep on dep.user_id = a.deputy_user_id
           where a.unit_id = any($1)
           order by un.name, a.state = 'closed', lower(a.name)"#,
        units
    )
    .fetch_all(conn)
    .await
}

/// Set the address of a published version; returns its former address, or
/// `None` when there is no such document.
pub(crate) async fn set_document_url(
    conn: &mut PgConnection,
    document_id: i64,
    url: &str,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        r#"update documents d set url = $2 from documents old
           where d.document_id = $1 and old.document_id = d.document_id returning old.url"#,
        document_id,
        url
    )
    .fetch_optional(conn)
    .await
}
