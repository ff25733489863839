//! The verification page `/verifiera?adress=…` and its JSON twin
//! `/verifiera.json?adress=…` (with `Access-Control-Allow-Origin: *`).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{db, genitive, limit};
use crate::accounts::address::{self, Typed};
use crate::accounts::rules::AccountState;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{ClientAddr, FieldErrors, Page, render, render_status};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Ask {
    #[serde(default)]
    adress: String,
}

const INVALID: &str = "Skriv en adress, till exempel https://www.instagram.com/kontonamn, eller ett användarnamn som @kontonamn.";
const TOO_MANY: &str = "För många frågor från din adress. Vänta en minut och försök igen.";

/// One account in the answer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Found {
    /// "official" (the city's, active) or "closed" (closed, or an address it no longer uses).
    pub status: &'static str,
    pub organisation: String,
    pub unit: String,
    pub platform: String,
    pub account_name: String,
    pub since: Option<String>,
    /// Until when it was the city's (closed, or the address was changed).
    pub until: Option<String>,
    /// The account's address now, or the address it had, when closed.
    pub address: String,
    #[serde(skip)]
    pub text: String,
}

/// The answer: "official" when any account is the city's now, else "closed"
/// when one was, else "unknown".
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Answer {
    pub status: &'static str,
    pub query: String,
    pub accounts: Vec<Found>,
}

fn found(m: db::Match) -> Found {
    let used_before = m.replaced_at.is_some();
    let official = m.state != AccountState::Closed && !used_before;
    // An address given up before the account closed stopped being the city's then.
    let until = match (m.replaced_at, m.state) {
        (Some(at), _) => Some(crate::web::to_stockholm(at.0).date().to_string()),
        (None, AccountState::Closed) => m.closed_date.map(|d| d.to_string()),
        _ => None,
    };
    let text = if official {
        format!("Det här är {} officiella konto på {}.", genitive(&m.organisation), m.platform)
    } else {
        format!(
            "Detta var {} konto på {} till {}. Staden använder det inte längre; om det är aktivt kan det tillhöra någon annan.",
            genitive(&m.organisation),
            m.platform,
            until.clone().unwrap_or_default()
        )
    };
    Found {
        status: if official { "official" } else { "closed" },
        organisation: m.organisation,
        unit: m.unit,
        platform: m.platform,
        account_name: m.name,
        since: m.start_date.map(|d| d.to_string()),
        until,
        address: if official { m.current_url } else { m.matched_url },
        text,
    }
}

/// Look the address up; `Err` with the message when it is not an address.
async fn answer(st: &AppState, typed: &str) -> AppResult<Result<Answer, &'static str>> {
    let Some(t) = address::parse(typed) else { return Ok(Err(INVALID)) };
    let mut conn = st.db.acquire().await?;
    let (query, matches) = match &t {
        Typed::Address(a) => (a.canonical.clone(), db::find(&mut conn, Some(&a.key), None).await?),
        Typed::Handle(h) => (format!("@{h}"), db::find(&mut conn, None, Some(h)).await?),
    };
    let accounts: Vec<Found> = matches.into_iter().map(found).collect();
    let status = if accounts.iter().any(|f| f.status == "official") {
        "official"
    } else if accounts.is_empty() {
        "unknown"
    } else {
        "closed"
    };
    Ok(Ok(Answer { status, query, accounts }))
}

#[derive(Template)]
#[template(path = "verify/verify.html")]
pub(crate) struct VerifyPage {
    page: Page,
    typed: String,
    errors: FieldErrors,
    answer: Option<Answer>,
    contacts: Vec<(String, String)>,
}

pub(crate) async fn html(
    State(st): State<AppState>,
    page: Page,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<Ask>,
) -> AppResult<Response> {
    if !limit::allow(addr.as_deref(), st.config.public_requests_per_minute) {
        return Err(AppError::TooManyRequests(TOO_MANY.into()));
    }
    let typed = q.adress.trim().to_string();
    let mut p = VerifyPage {
        page,
        typed: typed.clone(),
        errors: FieldErrors::default(),
        answer: None,
        contacts: vec![],
    };
    if typed.is_empty() {
        return render(&p);
    }
    match answer(&st, &typed).await? {
        Ok(a) => {
            if a.status == "unknown" {
                p.contacts = db::contacts(&mut *st.db.acquire().await?).await?;
            }
            p.answer = Some(a);
            render(&p)
        }
        Err(msg) => {
            p.errors.add("adress", msg);
            Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
        }
    }
}

/// A JSON body with its status.
fn json_body(status: StatusCode, value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

pub(crate) async fn json(
    State(st): State<AppState>,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<Ask>,
) -> Response {
    let error = |status: StatusCode, msg: &str| {
        json_body(status, &serde_json::json!({ "status": "error", "message": msg }))
    };
    let mut res = if !limit::allow(addr.as_deref(), st.config.public_requests_per_minute) {
        let mut r = error(StatusCode::TOO_MANY_REQUESTS, TOO_MANY);
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        r
    } else {
        match answer(&st, q.adress.trim()).await {
            Ok(Ok(a)) => json_body(StatusCode::OK, &a),
            Ok(Err(msg)) => error(StatusCode::UNPROCESSABLE_ENTITY, msg),
            Err(e) if e.is_unavailable() => error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Registret kan inte nås just nu. Försök igen om en stund.",
            ),
            Err(e) => {
                tracing::error!("verification failed: {e}");
                error(StatusCode::INTERNAL_SERVER_ERROR, "Något gick fel hos oss. Felet är loggat.")
            }
        }
    };
    res.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    res
}
