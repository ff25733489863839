//! "Bekräfta kontouppgifter för {konto}": the owner's answer in the yearly
//! review, pre-filled with the account's data. "Yes, still in use" confirms
//! purpose, target groups, followers and publishing frequency and sets "senast
//! bekräftad"; "no" asks for the account's closure with the reason given.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::db::{self, Answer, Confirmed, Review};
use crate::accounts::Can;
use crate::accounts::change::Change;
use crate::accounts::db::{Account, Scope, account_in_scope};
use crate::accounts::rules::AccountState;
use crate::auth::Acting;
use crate::auth::{User, Viewer};
use crate::error::{AppError, AppResult};
use crate::forms::content::FREQUENCIES;
use crate::state::AppState;
use crate::web::{FieldErrors, FlashKind, Page, flash, render, render_status};

const TEXT_CHARS: usize = 4000;
/// More followers than any account has, to catch a mistyped number.
const MAX_FOLLOWERS: i64 = 100_000_000;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    pub in_use: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub target_groups: String,
    #[serde(default)]
    pub followers: String,
    #[serde(default)]
    pub frequency: String,
    #[serde(default)]
    pub closure_reason: String,
}

#[derive(Template)]
#[template(path = "review/confirm.html")]
pub(crate) struct ConfirmPage {
    page: Page,
    a: Account,
    review: Option<Review>,
    answer: Option<Answer>,
    /// Why the form is not offered, when it is not.
    unavailable: Option<String>,
    f: ConfirmForm,
    errors: FieldErrors,
    frequencies: [(&'static str, &'static str); 5],
    in_use_options: [(&'static str, &'static str); 2],
}

async fn load(conn: &mut sqlx::PgConnection, user: &User, id: i64) -> AppResult<Account> {
    let a = account_in_scope(conn, &Scope::of(user), id).await?.ok_or(AppError::NotFound)?;
    let can = Can::of(user, &a);
    if !(can.owner || can.communicator) {
        return Err(AppError::forbidden(
            "Kontouppgifterna bekräftas av kontoansvarig, ersättaren eller kommunikatören.",
        ));
    }
    Ok(a)
}

async fn page_for(
    st: &AppState,
    page: Page,
    a: Account,
    f: Option<ConfirmForm>,
    errors: FieldErrors,
) -> AppResult<ConfirmPage> {
    let mut conn = st.db.acquire().await?;
    let review = db::open_review(&mut conn, a.organisation_id).await?;
    let answer = match &review {
        Some(r) => db::answer(&mut conn, r.review_id, a.account_id).await?,
        None => None,
    };
    let unavailable = match (&review, a.state) {
        (None, _) => Some(format!("Ingen årlig genomgång pågår för {} just nu.", a.organisation)),
        (Some(_), AccountState::Active) => None,
        (Some(_), state) => Some(format!(
            "Bara aktiva konton bekräftas i den årliga genomgången. Kontot är {}.",
            state.label().to_lowercase()
        )),
    };
    let f = f.unwrap_or_else(|| ConfirmForm {
        in_use: "ja".into(),
        purpose: a.purpose.clone(),
        target_groups: a.target_groups.clone(),
        followers: a.followers.map(|n| n.to_string()).unwrap_or_default(),
        frequency: a.publishing_frequency.clone(),
        closure_reason: String::new(),
    });
    Ok(ConfirmPage {
        page,
        a,
        review,
        answer,
        unavailable,
        f,
        errors,
        frequencies: FREQUENCIES,
        in_use_options: [("ja", "Ja, kontot används"), ("nej", "Nej, kontot ska avslutas")],
    })
}

pub(crate) async fn show(Viewer { st, page, user }: Viewer, Path(id): Path<i64>) -> AppResult<Response> {
    let a = load(&mut *st.db.acquire().await?, &user, id).await?;
    render(&page_for(&st, page, a, None, FieldErrors::default()).await?)
}

/// A follower count as people type it: "12 500", "12500"; empty is none.
fn parse_followers(s: &str) -> Result<Option<i32>, &'static str> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}').collect();
    if digits.is_empty() {
        return Ok(None);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err("Skriv antalet följare med siffror, till exempel 1250.");
    }
    match digits.parse::<i64>() {
        Ok(n) if n <= MAX_FOLLOWERS => Ok(Some(n as i32)),
        _ => Err("Antalet följare verkar för stort. Kontrollera siffrorna."),
    }
}

/// What a valid "yes" says, or the errors of the form.
struct Valid {
    still_in_use: bool,
    purpose: String,
    target_groups: String,
    followers: Option<i32>,
    frequency: String,
    closure_reason: String,
}

fn validate(f: &ConfirmForm) -> Result<Valid, FieldErrors> {
    let mut e = FieldErrors::default();
    let still_in_use = match f.in_use.as_str() {
        "ja" => true,
        "nej" => false,
        _ => {
            e.add("in_use", "Välj om kontot fortfarande används.");
            true
        }
    };
    let long = |e: &mut FieldErrors, field: &str, v: &str| {
        if v.chars().count() > TEXT_CHARS {
            e.add(field, format!("Texten får ha högst {TEXT_CHARS} tecken."));
        }
    };
    let (purpose, target_groups) = (f.purpose.trim().to_string(), f.target_groups.trim().to_string());
    let mut followers = None;
    if still_in_use {
        if purpose.is_empty() {
            e.add("purpose", "Beskriv kontots syfte.");
        }
        long(&mut e, "purpose", &purpose);
        if target_groups.is_empty() {
            e.add("target_groups", "Skriv vilka målgrupper kontot når.");
        }
        long(&mut e, "target_groups", &target_groups);
        match parse_followers(&f.followers) {
            Ok(n) => followers = n,
            Err(m) => e.add("followers", m),
        }
        if !FREQUENCIES.iter().any(|(c, _)| *c == f.frequency) {
            e.add("frequency", "Välj hur ofta kontot publicerar.");
        }
    }
    let closure_reason = f.closure_reason.trim().to_string();
    if !still_in_use {
        if closure_reason.is_empty() {
            e.add("closure_reason", "Skriv varför kontot ska avslutas.");
        }
        long(&mut e, "closure_reason", &closure_reason);
    }
    if !e.is_empty() {
        return Err(e);
    }
    Ok(Valid {
        still_in_use,
        purpose,
        target_groups,
        followers,
        frequency: f.frequency.clone(),
        closure_reason,
    })
}

pub(crate) async fn confirm(
    Acting { st, page, user, session, addr }: Acting,
    Path(id): Path<i64>,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let a = load(&mut *st.db.acquire().await?, &user, id).await?;
    let v = match validate(&f) {
        Ok(v) => v,
        Err(errors) => {
            let p = page_for(&st, page, a, Some(f), errors).await?;
            return Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p));
        }
    };
    let mut tx = st.db.begin().await?;
    // The account and the review are locked, so neither a closure nor the
    // review's end can slip in between the checks and the writes.
    if db::lock_account(&mut tx, id).await? != Some(AccountState::Active) {
        return Err(AppError::conflict(
            "Kontot är inte aktivt längre, så det bekräftas inte i den årliga genomgången.",
        ));
    }
    let review = db::open_review(&mut tx, a.organisation_id).await?;
    let review = match review {
        Some(r) if db::lock_open(&mut tx, r.review_id).await? => r,
        _ => return Err(AppError::conflict("Den årliga genomgången är avslutad.")),
    };
    db::record_answer(&mut tx, review.review_id, id, user.user_id, v.still_in_use).await?;
    let message = if v.still_in_use {
        let c = Confirmed {
            purpose: &v.purpose,
            target_groups: &v.target_groups,
            followers: v.followers,
            publishing_frequency: &v.frequency,
            on: st.today(),
        };
        db::write_confirmed(&mut tx, id, &c).await?;
        Change {
            account_id: id,
            action: "confirmed",
            comment: &format!("Årlig genomgång {}", review.year),
            before: json!({ "purpose": a.purpose, "target_groups": a.target_groups, "followers": a.followers,
                            "publishing_frequency": a.publishing_frequency, "last_confirmed_on": a.last_confirmed_on }),
            after: json!({ "year": review.year, "purpose": v.purpose, "target_groups": v.target_groups,
                           "followers": v.followers, "publishing_frequency": v.frequency,
                           "last_confirmed_on": st.today() }),
        }
        .record(&mut tx, user.user_id, addr.as_deref())
        .await?;
        format!("Tack! Uppgifterna för {} är bekräftade för {}.", a.name, review.year)
    } else {
        // A savepoint: if a closure request is already pending, only the
        // failed insert is rolled back, not the answer recorded above.
        let requested = {
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match crate::accounts::db::request_closure(&mut sp, id, user.user_id, &v.closure_reason).await {
                Ok(_) => {
                    sp.commit().await?;
                    true
                }
                Err(sqlx::Error::Database(d)) if d.constraint() == Some("closure_requests_one_open") => false,
                Err(e) => return Err(e.into()),
            }
        };
        Change {
            account_id: id,
            action: if requested { "closure_requested" } else { "review_not_in_use" },
            comment: &v.closure_reason,
            before: json!({}),
            after: json!({ "year": review.year, "still_in_use": false, "reason": v.closure_reason }),
        }
        .record(&mut tx, user.user_id, addr.as_deref())
        .await?;
        if requested {
            format!("{} är markerat som inte använt. Begäran om avslut är skickad för beslut.", a.name)
        } else {
            format!("{} är markerat som inte använt. En begäran om avslut väntar redan på beslut.", a.name)
        }
    };
    tx.commit().await?;
    flash(&session, FlashKind::Success, message).await;
    Ok(Redirect::to("/").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn followers_as_typed() {
        assert_eq!(parse_followers(""), Ok(None));
        assert_eq!(parse_followers(" 12 500 "), Ok(Some(12_500)));
        assert_eq!(parse_followers("12\u{a0}500"), Ok(Some(12_500)));
        assert!(parse_followers("-5").is_err());
        assert!(parse_followers("12,5").is_err());
        assert!(parse_followers("99999999999999999999").is_err());
    }

    #[test]
    fn no_needs_a_reason_and_nothing_else() {
        let f = ConfirmForm { in_use: "nej".into(), ..Default::default() };
        let e = validate(&f).err().unwrap();
        assert_eq!(e.0.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["closure_reason"]);
        let f =
            ConfirmForm { in_use: "nej".into(), closure_reason: " Ingen tid ".into(), ..Default::default() };
        let v = validate(&f).ok().unwrap();
        assert!(!v.still_in_use);
        assert_eq!(v.closure_reason, "Ingen tid");
    }

    #[test]
    fn yes_needs_purpose_groups_and_frequency() {
        let f = ConfirmForm { in_use: "ja".into(), frequency: "varje_ar".into(), ..Default::default() };
        let e = validate(&f).err().unwrap();
        let fields: Vec<&str> = e.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(fields, ["purpose", "target_groups", "frequency"]);
        let f = ConfirmForm { in_use: "kanske".into(), ..Default::default() };
        assert!(validate(&f).err().unwrap().has("in_use"));
    }
}
