//! "Is this really the city's account?" (SPEC §7): public verification of an
//! address or handle, and the open-data list of accounts, without login.
//! Nothing here shows personal data: organisation, unit, platform, account
//! name, address and dates only. The pages are rate-limited per client address.

pub(crate) mod db;
mod limit;
mod open_data;
mod page;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/verifiera", get(page::html))
        .route("/verifiera.json", get(page::json))
        .route("/oppna-data", get(open_data::about))
        .route("/oppna-data/konton.json", get(open_data::json))
        .route("/oppna-data/konton.csv", get(open_data::csv))
}

/// The Swedish genitive: "Miljöförvaltningens", "Östermalms stadsdelsförvaltnings",
/// and no extra s after s, x or z ("Stockholms stads" stays as it is).
pub(crate) fn genitive(name: &str) -> String {
    if name.ends_with(['s', 'x', 'z', 'S', 'X', 'Z']) { name.to_string() } else { format!("{name}s") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn genitive_adds_an_s_unless_there_is_one() {
        assert_eq!(super::genitive("Miljöförvaltningen"), "Miljöförvaltningens");
        assert_eq!(super::genitive("Östermalms stadsdelsförvaltning"), "Östermalms stadsdelsförvaltnings");
        assert_eq!(super::genitive("Stadsledningskontoret Stockholms"), "Stadsledningskontoret Stockholms");
    }
}
