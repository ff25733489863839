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
        Paging {
            number,
            of,
            prev: (number > 1).then(|| link(path, query, &[page_field], number - 1, page_field, None)),
            next: has_next.then(|| link(path, query, &[page_field], number + 1, page_field, None)),
        }
    }

    /// The same with keyset links: the previous page's link carries
    /// `before` = the first row's id, the next page's `after` = the last row's,
    /// so a deep page is found from its neighbour's row, not over an offset.
    /// Page 1's link needs no cursor.
    #[allow(clippy::too_many_arguments)]
    pub fn keyset<Q: Serialize>(
        path: &str,
        query: &Q,
        page_field: &str,
        [before, after]: [&str; 2],
        number: i64,
        of: Option<i64>,
        rows: Option<(i64, i64)>,
        has_next: bool,
    ) -> Self {
        let drop = [page_field, before, after];
        let prev = match rows {
            _ if number <= 1 => None,
            Some((first, _)) if number > 2 => {
                Some(link(path, query, &drop, number - 1, page_field, Some((before, first))))
            }
            _ => Some(link(path, query, &drop, 1, page_field, None)),
        };
        let next = match rows {
            Some((_, last)) if has_next => {
                Some(link(path, query, &drop, number + 1, page_field, Some((after, last))))
            }
            _ => None,
        };
        Paging { number, of, prev, next }
    }
}

/// `path` with `query` less the fields in `drop` and less the empty ones,
/// plus page `n` (unless it is 1) and the `cursor`.
fn link<Q: Serialize>(
    path: &str,
    query: &Q,
    drop: &[&str],
    n: i64,
    page_field: &str,
    cursor: Option<(&str, i64)>,
) -> String {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&serde_urlencoded::to_string(query).unwrap_or_default())
            .unwrap_or_default();
    let mut kept: Vec<(String, String)> =
        pairs.into_iter().filter(|(k, v)| !drop.contains(&k.as_str()) && !v.is_empty()).collect();
    if n > 1 {
        kept.push((page_field.to_string(), n.to_string()));
    }
    if let Some((field, id)) = cursor {
        kept.push((field.to_string(), id.to_string()));
    }
    match serde_urlencoded::to_string(&kept).unwrap_or_default() {
        q if q.is_empty() => path.to_string(),
        q => format!("{path}?{q}"),
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

    #[test]
    fn keyset_links_carry_the_neighbouring_row() {
        let q = Q { q: "", status: "", sida: "3" };
        let p = Paging::keyset("/konton", &q, "sida", ["fore", "efter"], 3, Some(9), Some((11, 60)), true);
        assert_eq!(p.prev.as_deref(), Some("/konton?sida=2&fore=11"));
        assert_eq!(p.next.as_deref(), Some("/konton?sida=4&efter=60"));
        let p = Paging::keyset("/konton", &q, "sida", ["fore", "efter"], 2, Some(2), Some((5, 9)), false);
        assert_eq!((p.prev.as_deref(), p.next), (Some("/konton"), None));
    }
}
