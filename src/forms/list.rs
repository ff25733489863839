//! The list of forms the user may see.

use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use serde::Deserialize;

use super::db::{self, FormListRow};
use super::workflow::{self, FormState};
use crate::auth::{Role, Viewer};
use crate::error::AppResult;
use crate::web::{Page, render};

/// The status filter's code for drafts sent back to their owner.
const RETURNED: &str = "tillbaka";

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    status: String,
}

#[derive(Template)]
#[template(path = "forms/list.html")]
pub(crate) struct ListPage {
    page: Page,
    forms: Vec<FormListRow>,
    status: String,
    /// The status filter's options: every state, and the returned drafts.
    options: Vec<(&'static str, &'static str)>,
    can_create: bool,
}

pub(crate) async fn list(
    Viewer { st, page, user }: Viewer,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = st.db.acquire().await?;
    let (state, returned) = match q.status.as_str() {
        RETURNED => (Some(FormState::Draft), Some(true)),
        "draft" => (Some(FormState::Draft), Some(false)),
        s => (FormState::from_code(s), None),
    };
    let forms = db::forms_in_scope(&mut conn, user.user_id, state, returned).await?;
    let mut options = Vec::new();
    for s in FormState::ALL {
        options.push((s.code(), s.label()));
        if s == FormState::Draft {
            options.push((RETURNED, workflow::RETURNED_LABEL));
        }
    }
    let status = if returned == Some(true) {
        RETURNED.to_string()
    } else {
        state.map(|s| s.code().to_string()).unwrap_or_default()
    };
    render(&ListPage { page, forms, status, options, can_create: user.has(Role::AccountOwner) })
}
