//! `/konton/import/{id}`: an uploaded file's batch. Before the commit it is
//! the mapping step (when a header is not recognised) or the dry run, which
//! shows every row with its status and errors and writes nothing; after the
//! commit it is the result.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::columns::{self, Field};
use super::plan::{Counts, RowPlan};
use super::{Importer, batch_in_scope, db, plan_of};
use crate::audit::{self, Entry};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{ClientAddr, Dt, FieldErrors, Page, plural, render, render_status};

/// One column in the mapping step.
pub(crate) struct Column {
    pub index: usize,
    pub header: String,
    /// Up to three values from the rows under it, to recognise it by.
    pub sample: String,
    pub field: String,
    pub recognised: bool,
}

#[derive(Template)]
#[template(path = "import/preview.html")]
pub(crate) struct PreviewPage {
    page: Page,
    b: db::Batch,
    uploaded: Dt,
    /// The mapping step instead of the preview.
    mapping_step: bool,
    columns: Vec<Column>,
    fields: [Field; 12],
    errors: FieldErrors,
    plan: Vec<RowPlan>,
    counts: Counts,
    only_errors: bool,
    /// A message above the commit button (the commit was refused).
    refusal: Option<String>,
    skip_checked: bool,
}

impl PreviewPage {
    fn rows_text(&self) -> String {
        plural(self.plan.len() as i64, "rad", "rader")
    }
    fn error_rows(&self) -> String {
        plural(self.counts.error as i64, "rad", "rader")
    }
    fn button_text(&self) -> String {
        format!("Importera {}", plural(self.counts.writes() as i64, "konto", "konton"))
    }
    fn summary(&self) -> String {
        let c = &self.counts;
        let mut parts = Vec::new();
        if c.new > 0 {
            parts.push(plural(c.new as i64, "nytt konto", "nya konton"));
        }
        if c.update > 0 {
            parts.push(plural(c.update as i64, "konto uppdateras", "konton uppdateras"));
        }
        if c.unchanged > 0 {
            parts.push(plural(c.unchanged as i64, "oförändrat", "oförändrade"));
        }
        if c.error > 0 {
            parts.push(plural(c.error as i64, "rad med fel", "rader med fel"));
        }
        crate::web::list_text(&parts)
    }
    fn shown(&self) -> Vec<&RowPlan> {
        self.plan.iter().filter(|r| !self.only_errors || !r.errors.is_empty()).collect()
    }
}

#[derive(Template)]
#[template(path = "import/result.html")]
pub(crate) struct ResultPage {
    page: Page,
    b: db::Batch,
    committed: Dt,
    created: Vec<Value>,
    updated: Vec<Value>,
    skipped: Vec<Value>,
    unmatched: Vec<Value>,
}

impl ResultPage {
    fn count(&self, list: &[Value], one: &str, many: &str) -> String {
        plural(list.len() as i64, one, many)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    visa: String,
    #[serde(default)]
    kolumner: String,
}

fn columns_of(b: &db::Batch, mapping: &[Option<Field>]) -> Vec<Column> {
    b.headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let sample: Vec<&str> = b
                .rows
                .iter()
                .filter_map(|r| r.cells.get(i).map(|c| c.trim()))
                .filter(|c| !c.is_empty())
                .take(3)
                .collect();
            Column {
                index: i,
                header: if h.trim().is_empty() {
                    format!("(kolumn {} utan rubrik)", i + 1)
                } else {
                    h.trim().to_string()
                },
                sample: sample.join(" · ").chars().take(120).collect(),
                field: mapping.get(i).copied().flatten().map(|f| f.code().to_string()).unwrap_or_default(),
                recognised: columns::recognise(h).is_some(),
            }
        })
        .collect()
}

/// The batch's page as it stands; `refusal` and `skip` when a commit was refused.
pub(crate) async fn page_of(
    st: &AppState,
    page: Page,
    b: db::Batch,
    q: &ShowQuery,
    refusal: Option<String>,
    skip_checked: bool,
) -> AppResult<Response> {
    if b.committed_at.is_some() {
        return result_page(page, b);
    }
    let mapping_step = !b.expired
        && (q.kolumner == "1" || (!b.mapping_confirmed && columns::needs_mapping(&b.headers, &b.mapping)));
    let plan = if mapping_step || b.expired {
        Vec::new()
    } else {
        let mut conn = st.db.acquire().await?;
        plan_of(&mut conn, &b, st.today()).await?
    };
    let p = PreviewPage {
        page,
        uploaded: Dt(b.created_at),
        mapping_step,
        columns: columns_of(&b, &b.mapping),
        fields: Field::ALL,
        errors: FieldErrors::default(),
        counts: Counts::of(&plan),
        plan,
        only_errors: q.visa == "fel",
        refusal,
        skip_checked,
        b,
    };
    if p.refusal.is_some() { Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p)) } else { render(&p) }
}

fn result_page(page: Page, b: db::Batch) -> AppResult<Response> {
    let list = |k: &str| -> Vec<Value> {
        b.result.as_ref().and_then(|r| r.0.get(k)).and_then(Value::as_array).cloned().unwrap_or_default()
    };
    render(&ResultPage {
        page,
        committed: Dt(b.committed_at.expect("committed")),
        created: list("created"),
        updated: list("updated"),
        skipped: list("skipped"),
        unmatched: list("unmatched"),
        b,
    })
}

pub(crate) async fn show(
    State(st): State<AppState>,
    page: Page,
    Importer(user): Importer,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> AppResult<Response> {
    let b = {
        let mut conn = st.db.acquire().await?;
        batch_in_scope(&mut conn, &user, id, false).await?
    };
    page_of(&st, page, b, &q, None, false).await
}

/// The mapping step's answer: `kolumn_{i}` is a field's code, or empty for "Ignorera".
pub(crate) async fn set_columns(
    State(st): State<AppState>,
    page: Page,
    Importer(user): Importer,
    ClientAddr(addr): ClientAddr,
    Path(id): Path<i64>,
    Form(input): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let mut tx = st.db.begin().await?;
    let b = batch_in_scope(&mut tx, &user, id, true).await?;
    if b.committed_at.is_some() || b.expired {
        return Ok(Redirect::to(&format!("/konton/import/{id}")).into_response());
    }
    let mut errors = FieldErrors::default();
    let mut mapping: Vec<Option<Field>> = Vec::with_capacity(b.headers.len());
    for i in 0..b.headers.len() {
        let key = format!("kolumn_{i}");
        let typed = input.get(&key).map(|s| s.trim()).unwrap_or("");
        let field = if typed.is_empty() { None } else { Field::from_code(typed) };
        if !typed.is_empty() && field.is_none() {
            errors.add(&key, "Välj ett av fälten i listan, eller Ignorera.");
        } else if let Some(f) = field.filter(|f| mapping.contains(&Some(*f))) {
            errors.add(
                &key,
                format!(
                    "{} är redan vald för en annan kolumn. Varje fält kan hämtas från en kolumn.",
                    f.label()
                ),
            );
        }
        mapping.push(field);
    }
    if errors.is_empty() && !mapping.contains(&Some(Field::Url)) {
        errors.add(
            "kolumn_0",
            "Välj vilken kolumn som har länken till kontot. Utan den kan kontona inte kännas igen.",
        );
    }
    if !errors.is_empty() {
        let p = PreviewPage {
            page,
            uploaded: Dt(b.created_at),
            mapping_step: true,
            columns: columns_of(&b, &mapping),
            fields: Field::ALL,
            errors,
            plan: Vec::new(),
            counts: Counts::default(),
            only_errors: false,
            refusal: None,
            skip_checked: false,
            b,
        };
        return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
    }
    db::set_mapping(&mut tx, id, &mapping).await?;
    audit::record(
        &mut tx,
        Entry::new("import_columns_set", "import_batch", id)
            .by(user.user_id, addr.as_deref())
            .before(json!(b.mapping.0))
            .after(json!(mapping)),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/konton/import/{id}")).into_response())
}
