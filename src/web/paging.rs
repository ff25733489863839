//! One list's paging, for the register and the audit log alike: which page is
//! shown, how many there are when the list counts them, and the links to the
//! neighbours. The links are the list's own query (serialised with
//! `serde_urlencoded`) with only the page changed, so no filter can be left
//! out of them.

use serde::Serialize;

#[derive(Debug, Clone)]
pub(crate) struct Paging {
    /// The page shown, from 1.
    pub number: i64,
    /// How many pages there are, when the list counts them.
    pub of: Option<i64>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Paging {
    /// Page `number` of the list at `path` whose query is `query`, with the
    /// page in its field `page_field`; `has_next` whether a page follows.
    pub fn new<Q: Serialize>(
        path: &str,
        query: &Q,
        page_field: &str,
        number: i64,
        of: Option<i64>,
        has_next: bool,
    ) -> Self {
        let link = |n: i64| {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&serde_urlencoded::to_string(query).unwrap_or_default())
                    .unwrap_or_default();
            let mut kept: Vec<(String, String)> =
                pairs.into_iter().filter(|(k, v)| k != page_field && !v.is_empty()).collect();
            if n > 1 {
                kept.push((page_field.to_string(), n.to_string()));
            }
            match serde_urlencoded::to_string(&kept).unwrap_or_default() {
                q if q.is_empty() => path.to_string(),
                q => format!("{path}?{q}"),
            }
        };
        Paging {
            number,
            of,
            prev: (number > 1).then(|| link(number - 1)),
            next: has_next.then(|| link(number + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Paging;

    #[derive(serde::Serialize)]
    struct Q {
        q: &'static str,
        status: &'static str,
        sida: &'static str,
    }

    #[test]
    fn the_links_keep_every_filter_and_change_only_the_page() {
        let p = Paging::new(
            "/konton",
            &Q { q: "Bibliotek & café", status: "", sida: "2" },
            "sida",
            2,
            Some(3),
            true,
        );
        assert_eq!(p.prev.as_deref(), Some("/konton?q=Bibliotek+%26+caf%C3%A9"));
        assert_eq!(p.next.as_deref(), Some("/konton?q=Bibliotek+%26+caf%C3%A9&sida=3"));
        let first = Paging::new("/konton", &Q { q: "", status: "", sida: "" }, "sida", 1, Some(1), false);
        assert_eq!((first.prev, first.next), (None, None));
        let second = Paging::new("/konton", &Q { q: "", status: "aktiv", sida: "" }, "sida", 2, None, false);
        assert_eq!(second.prev.as_deref(), Some("/konton?status=aktiv"));
    }
}
