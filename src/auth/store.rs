//! The session store: tower-sessions' PostgreSQL store, except that a session
//! is read together with the users' version (see `cache`), in one statement.

use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};
use tower_sessions_sqlx_store::PostgresStore;

#[derive(Debug, Clone)]
pub(crate) struct Sessions {
    store: PostgresStore,
    db: PgPool,
}

impl Sessions {
    pub fn new(db: PgPool) -> Sessions {
        Sessions { store: PostgresStore::new(db.clone()), db }
    }
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.store.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.save(record).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row = sqlx::query!(
            r#"select s.data, v.version
               from tower_sessions.session s cross join auth_version v
               where s.id = $1 and s.expiry_date > $2"#,
            id.to_string(),
            time::OffsetDateTime::now_utc()
        )
        .fetch_optional(&self.db)
        .await
        .map_err(|e| session_store::Error::Backend(e.to_string()))?;
        let Some(row) = row else { return Ok(None) };
        super::cache::saw_version(row.version);
        rmp_serde::from_slice(&row.data).map(Some).map_err(|e| session_store::Error::Decode(e.to_string()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.delete(id).await
    }
}
