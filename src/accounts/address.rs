//! One normal form for an account's address, so that the same account written
//! two ways is one account: the register's key column (the same account cannot
//! be registered twice while it is not closed), the public verification and the
//! import all use `normalize`.
//!
//! The rules are a table per platform: its hosts (the first is canonical), and
//! how the account is named in the path. Scheme, `www.`/`m.`/`mbasic.`/`web.`/
//! `mobile.`, the case of host and handle, a trailing slash, the query (tracking
//! parameters such as `utm_*`, `igsh`, `fbclid`, `si`) and the fragment do not
//! matter. A host not in the table is kept as host and path.

/// How a platform names an account in the path of its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// `/{handle}`, case-insensitive (Instagram, X, Pinterest, …).
    Handle,
    /// `/{name}`, or `/profile.php?id=N`, or `/people/{Name}/{N}`.
    Facebook,
    /// `/@handle`, `/channel/{ID}` (case kept), `/c/{name}`, `/user/{name}`.
    YouTube,
    /// `/company/{slug}`, `/showcase/{slug}`, `/school/{slug}`, `/in/{slug}`.
    LinkedIn,
    /// `/@handle` (TikTok, Threads).
    AtHandle,
    /// `/profile/{handle}` (Bluesky).
    Profile,
}

struct Platform {
    /// The platform's name in the `platforms` table.
    name: &'static str,
    /// Its hosts without `www.`; the first is the one in the canonical address.
    hosts: &'static [&'static str],
    /// Whether the canonical address has `www.` before the host.
    www: bool,
    path: Path,
}

const PLATFORMS: &[Platform] = &[
    Platform {
        name: "Facebook",
        hosts: &["facebook.com", "fb.com", "fb.me"],
        www: true,
        path: Path::Facebook,
    },
    Platform { name: "Instagram", hosts: &["instagram.com", "instagr.am"], www: true, path: Path::Handle },
    Platform { name: "X", hosts: &["x.com", "twitter.com"], www: false, path: Path::Handle },
    Platform {
        name: "LinkedIn",
        hosts: &["linkedin.com", "se.linkedin.com"],
        www: true,
        path: Path::LinkedIn,
    },
    Platform { name: "YouTube", hosts: &["youtube.com"], www: true, path: Path::YouTube },
    Platform { name: "TikTok", hosts: &["tiktok.com"], www: true, path: Path::AtHandle },
    Platform { name: "Threads", hosts: &["threads.net", "threads.com"], www: true, path: Path::AtHandle },
    Platform { name: "Bluesky", hosts: &["bsky.app"], www: false, path: Path::Profile },
    Platform { name: "Snapchat", hosts: &["snapchat.com"], www: true, path: Path::Handle },
    Platform { name: "Flickr", hosts: &["flickr.com"], www: true, path: Path::Handle },
    Platform { name: "Vimeo", hosts: &["vimeo.com"], www: false, path: Path::Handle },
    Platform { name: "Pinterest", hosts: &["pinterest.com", "pinterest.se"], www: true, path: Path::Handle },
];

/// Host prefixes that name the same site (mobile and web versions).
const HOST_PREFIXES: &[&str] = &["www.", "m.", "mbasic.", "web.", "mobile.", "touch."];

/// First path segments that are not an account on a `Handle` platform.
const NOT_HANDLES: &[&str] =
    &["p", "reel", "reels", "stories", "explore", "share", "intent", "hashtag", "i", "home"];

/// An address in its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// The comparison key, e.g. `instagram:stockholmsstad`, `facebook:id:123`,
    /// `youtube:channel:UCx…`, `mastodon:mastodon.nu/@stockholm`, `web:stad.se/x`.
    pub key: String,
    /// The platform's name as in the `platforms` table ("" for another site).
    pub platform: &'static str,
    /// The account's handle, lower case, when the platform has handles: a bare
    /// `@handle` is looked up by it on every platform.
    pub handle: Option<String>,
    /// The address written out the one way it is shown.
    pub canonical: String,
}

/// What someone typed: an address, or a bare handle whose platform is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Typed {
    Address(Address),
    /// `@namn`: lower case, without the `@`.
    Handle(String),
}

/// A bare handle: `@namn`, letters, digits, `.`, `_` and `-`.
fn bare_handle(s: &str) -> Option<String> {
    let h = s.strip_prefix('@')?;
    let ok = !h.is_empty()
        && h.len() <= 100
        && h.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'));
    ok.then(|| h.to_lowercase())
}

/// Read what was typed: an address in any common spelling, or a bare `@handle`.
pub(crate) fn parse(input: &str) -> Option<Typed> {
    let s = input.trim().trim_matches(|c| c == '<' || c == '>' || c == '"').trim();
    if let Some(h) = bare_handle(s) {
        return Some(Typed::Handle(h));
    }
    normalize(s, None).map(Typed::Address)
}

/// The normal form of an account's address. `platform` (its name in the
/// `platforms` table) gives a bare `@handle` its platform, as the register
/// stores addresses typed as `@namn`.
pub(crate) fn normalize(input: &str, platform: Option<&str>) -> Option<Address> {
    let s = input.trim();
    if s.is_empty() || s.len() > 2000 || s.chars().any(char::is_whitespace) {
        return None;
    }
    if let Some(h) = bare_handle(s) {
        let p = PLATFORMS.iter().find(|p| platform.is_some_and(|n| n.eq_ignore_ascii_case(p.name)))?;
        let path = match p.path {
            Path::AtHandle | Path::YouTube => format!("/@{h}"),
            Path::Profile => format!("/profile/{h}"),
            _ => format!("/{h}"),
        };
        return normalize(&format!("https://{}{path}", p.hosts[0]), None);
    }
    let with_scheme = if s.contains("://") { s.to_string() } else { format!("https://{s}") };
    let url = url::Url::parse(&with_scheme).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut host = url.host_str()?.to_lowercase();
    host = host.trim_end_matches('.').to_string();
    while let Some(rest) = HOST_PREFIXES.iter().find_map(|p| host.strip_prefix(p)) {
        host = rest.to_string();
    }
    if !host.contains('.') {
        return None;
    }
    let segments: Vec<String> = url
        .path_segments()
        .map(|it| it.filter(|s| !s.is_empty()).map(percent_decode).collect())
        .unwrap_or_default();
    let query = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    match PLATFORMS.iter().find(|p| p.hosts.contains(&host.as_str())) {
        // A path the platform's rule does not know (an old LinkedIn page
        // address, say) is still an address: kept by host and path. Posts,
        // hashtags and the like are not accounts.
        Some(p) => on_platform(p, &segments, &query).or_else(|| {
            let first = segments.first()?.to_lowercase();
            (!NOT_HANDLES.contains(&first.as_str())).then(|| other_site(&host, &segments)).flatten()
        }),
        None => other_site(&host, &segments),
    }
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned()
}

fn canonical_host(p: &Platform) -> String {
    if p.www { format!("www.{}", p.hosts[0]) } else { p.hosts[0].to_string() }
}

fn address(p: &Platform, key: String, handle: Option<String>, path: String) -> Option<Address> {
    Some(Address {
        key: format!("{}:{key}", p.name.to_lowercase()),
        platform: p.name,
        handle,
        canonical: format!("https://{}{path}", canonical_host(p)),
    })
}

fn valid_handle(h: &str) -> bool {
    !h.is_empty() && h.len() <= 100 && h.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn on_platform(p: &Platform, seg: &[String], query: &impl Fn(&str) -> Option<String>) -> Option<Address> {
    let first = seg.first().map(|s| s.as_str());
    match p.path {
        Path::Handle => {
            let h = first?.trim_start_matches('@').to_lowercase();
            if NOT_HANDLES.contains(&h.as_str()) || !valid_handle(&h) {
                return None;
            }
            address(p, h.clone(), Some(h.clone()), format!("/{h}"))
        }
        Path::Facebook => {
            let id_only = |id: String| -> Option<Address> {
                id.chars().all(|c| c.is_ascii_digit()).then_some(())?;
                address(p, format!("id:{id}"), None, format!("/profile.php?id={id}"))
            };
            match first? {
                "profile.php" => id_only(query("id")?),
                "people" => id_only(seg.get(2)?.clone()),
                "pages" if seg.len() >= 3 => id_only(seg[2].clone()),
                "pg" => on_platform(p, &seg[1..], query),
                f => {
                    let h = f.to_lowercase();
                    if h.chars().all(|c| c.is_ascii_digit()) {
                        return id_only(h);
                    }
                    if NOT_HANDLES.contains(&h.as_str()) || !valid_handle(&h) {
                        return None;
                    }
                    address(p, h.clone(), Some(h.clone()), format!("/{h}"))
                }
            }
        }
        Path::YouTube => match first? {
            f if f.starts_with('@') => {
                let h = f[1..].to_lowercase();
                valid_handle(&h).then_some(())?;
                address(p, format!("@{h}"), Some(h.clone()), format!("/@{h}"))
            }
            "channel" => {
                let id = seg.get(1)?.clone();
                valid_handle(&id).then_some(())?;
                address(p, format!("channel:{id}"), None, format!("/channel/{id}"))
            }
            kind @ ("c" | "user") => {
                let n = seg.get(1)?.to_lowercase();
                valid_handle(&n).then_some(())?;
                address(p, format!("{kind}:{n}"), None, format!("/{kind}/{n}"))
            }
            _ => None,
        },
        Path::LinkedIn => {
            let kind = first?;
            matches!(kind, "company" | "showcase" | "school" | "in").then_some(())?;
            let slug = seg.get(1)?.to_lowercase();
            valid_handle(&slug).then_some(())?;
            address(p, format!("{kind}:{slug}"), Some(slug.clone()), format!("/{kind}/{slug}"))
        }
        Path::AtHandle => {
            let h = first?.strip_prefix('@')?.to_lowercase();
            valid_handle(&h).then_some(())?;
            address(p, h.clone(), Some(h.clone()), format!("/@{h}"))
        }
        Path::Profile => {
            (first? == "profile").then_some(())?;
            let h = seg.get(1)?.trim_start_matches('@').to_lowercase();
            valid_handle(&h).then_some(())?;
            address(p, h.clone(), Some(h.clone()), format!("/profile/{h}"))
        }
    }
}

/// A site not in the table: Mastodon-style `/@user` on any instance, else host and path.
fn other_site(host: &str, seg: &[String]) -> Option<Address> {
    if let Some(user) = seg.first().and_then(|s| s.strip_prefix('@')) {
        let u = user.to_lowercase();
        if valid_handle(&u) {
            return Some(Address {
                key: format!("mastodon:{host}/@{u}"),
                platform: "Mastodon",
                handle: Some(u.clone()),
                canonical: format!("https://{host}/@{u}"),
            });
        }
    }
    let path: String = seg.iter().map(|s| format!("/{}", s.to_lowercase())).collect();
    Some(Address {
        key: format!("web:{host}{path}"),
        platform: "",
        handle: None,
        canonical: format!("https://{host}{path}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (typed, the platform the register knows, expected key or None)
    const SPELLINGS: &[(&str, Option<&str>, Option<&str>)] = &[
        // Instagram: scheme, www, case, tracking, trailing slash, mobile host.
        ("https://www.instagram.com/stockholmsstad/", None, Some("instagram:stockholmsstad")),
        ("instagram.com/StockholmsStad", None, Some("instagram:stockholmsstad")),
        (
            "HTTPS://WWW.INSTAGRAM.COM/stockholmsstad?igsh=MTc4MmM1YmI2Ng==",
            None,
            Some("instagram:stockholmsstad"),
        ),
        (
            "http://m.instagram.com/stockholmsstad/?utm_source=ig_web_copy_link",
            None,
            Some("instagram:stockholmsstad"),
        ),
        ("www.instagram.com/stockholmsstad#top", None, Some("instagram:stockholmsstad")),
        ("instagr.am/stockholmsstad", None, Some("instagram:stockholmsstad")),
        ("@stockholmsstad", Some("Instagram"), Some("instagram:stockholmsstad")),
        ("https://www.instagram.com/p/C1x2y3z/", None, None),
        // X and Twitter are one.
        ("https://twitter.com/Stockholm_Stad", None, Some("x:stockholm_stad")),
        ("https://x.com/stockholm_stad?s=20", None, Some("x:stockholm_stad")),
        ("mobile.twitter.com/stockholm_stad/", None, Some("x:stockholm_stad")),
        ("@Stockholm_Stad", Some("X"), Some("x:stockholm_stad")),
        // Facebook: fb.com, m./mbasic./web., profile.php keeps its id, tracking removed.
        ("https://www.facebook.com/stockholmsstad", None, Some("facebook:stockholmsstad")),
        ("fb.com/StockholmsStad/?mibextid=ZbWKwL", None, Some("facebook:stockholmsstad")),
        ("https://m.facebook.com/stockholmsstad?fbclid=IwAR3x", None, Some("facebook:stockholmsstad")),
        ("https://mbasic.facebook.com/stockholmsstad/", None, Some("facebook:stockholmsstad")),
        ("web.facebook.com/stockholmsstad", None, Some("facebook:stockholmsstad")),
        (
            "https://www.facebook.com/profile.php?id=100064531234567&mibextid=ZbWKwL",
            None,
            Some("facebook:id:100064531234567"),
        ),
        ("facebook.com/profile.php?id=100064531234567", None, Some("facebook:id:100064531234567")),
        (
            "https://www.facebook.com/people/Stockholms-stad/100064531234567/",
            None,
            Some("facebook:id:100064531234567"),
        ),
        ("https://www.facebook.com/pg/stockholmsstad/about/", None, Some("facebook:stockholmsstad")),
        // YouTube: @handle, channel id (case kept), /c/ and /user/.
        ("https://www.youtube.com/@StockholmsStad", None, Some("youtube:@stockholmsstad")),
        ("youtube.com/@stockholmsstad/videos?si=abc", None, Some("youtube:@stockholmsstad")),
        ("https://m.youtube.com/@stockholmsstad", None, Some("youtube:@stockholmsstad")),
        (
            "https://www.youtube.com/channel/UC8butISFwT-Wl7EV0hUK0BQ",
            None,
            Some("youtube:channel:UC8butISFwT-Wl7EV0hUK0BQ"),
        ),
        ("https://www.youtube.com/c/StockholmsStad", None, Some("youtube:c:stockholmsstad")),
        ("https://www.youtube.com/user/stockholmsstad/", None, Some("youtube:user:stockholmsstad")),
        // LinkedIn: company, showcase, school; country hosts.
        ("https://www.linkedin.com/company/stockholms-stad/", None, Some("linkedin:company:stockholms-stad")),
        (
            "se.linkedin.com/company/Stockholms-Stad?trk=public_profile",
            None,
            Some("linkedin:company:stockholms-stad"),
        ),
        (
            "https://www.linkedin.com/showcase/stockholms-stadsbibliotek/",
            None,
            Some("linkedin:showcase:stockholms-stadsbibliotek"),
        ),
        ("https://www.linkedin.com/school/kth/", None, Some("linkedin:school:kth")),
        ("https://www.linkedin.com/Miljoforvaltningen", None, Some("web:linkedin.com/miljoforvaltningen")),
        // TikTok and Threads: @handle.
        ("https://www.tiktok.com/@stockholmsstad?lang=sv-SE", None, Some("tiktok:stockholmsstad")),
        ("tiktok.com/@StockholmsStad/", None, Some("tiktok:stockholmsstad")),
        ("https://www.threads.net/@stockholmsstad", None, Some("threads:stockholmsstad")),
        ("threads.com/@StockholmsStad?igshid=x", None, Some("threads:stockholmsstad")),
        // Bluesky profile, with or without @.
        ("https://bsky.app/profile/stockholm.se", None, Some("bluesky:stockholm.se")),
        ("bsky.app/profile/@Stockholm.se/", None, Some("bluesky:stockholm.se")),
        // Mastodon on any instance.
        ("https://mastodon.nu/@Stockholm", None, Some("mastodon:mastodon.nu/@stockholm")),
        ("mastodon.nu/@stockholm/", None, Some("mastodon:mastodon.nu/@stockholm")),
        // Other sites by host and path.
        ("https://www.stockholm.se/Kultur/", None, Some("web:stockholm.se/kultur")),
        ("stockholm.se/kultur?ref=nav", None, Some("web:stockholm.se/kultur")),
        // Not addresses.
        ("", None, None),
        ("ftp://instagram.com/stockholmsstad", None, None),
        ("javascript:alert(1)", None, None),
        ("inte en adress", None, None),
        ("@stockholmsstad", None, None),
        ("localhost/x", None, None),
    ];

    #[test]
    fn every_spelling_of_an_account_is_one_key() {
        let mut wrong = Vec::new();
        for (typed, platform, want) in SPELLINGS {
            let got = normalize(typed, *platform).map(|a| a.key);
            if got.as_deref() != *want {
                wrong.push(format!("{typed:?} ({platform:?}): got {got:?}, want {want:?}"));
            }
        }
        assert!(SPELLINGS.len() >= 40);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_canonical_address_is_one_spelling() {
        let a = normalize("HTTP://M.INSTAGRAM.COM/StockholmsStad/?igsh=x", None).unwrap();
        assert_eq!(a.canonical, "https://www.instagram.com/stockholmsstad");
        assert_eq!(a.platform, "Instagram");
        assert_eq!(a.handle.as_deref(), Some("stockholmsstad"));
        assert_eq!(
            normalize("twitter.com/Stockholm_Stad", None).unwrap().canonical,
            "https://x.com/stockholm_stad"
        );
        assert_eq!(
            normalize("fb.com/profile.php?id=123&fbclid=x", None).unwrap().canonical,
            "https://www.facebook.com/profile.php?id=123"
        );
        // The canonical address normalises to the same key.
        for (typed, platform, _) in SPELLINGS {
            if let Some(a) = normalize(typed, *platform) {
                assert_eq!(normalize(&a.canonical, None).map(|b| b.key), Some(a.key), "{typed}");
            }
        }
    }

    #[test]
    fn a_bare_handle_is_looked_up_on_every_platform() {
        assert_eq!(parse(" @StockholmsStad "), Some(Typed::Handle("stockholmsstad".into())));
        assert!(matches!(parse("instagram.com/stockholmsstad"), Some(Typed::Address(_))));
        assert_eq!(parse("@"), None);
        assert_eq!(
            parse("<https://x.com/stockholm_stad>").map(|t| matches!(t, Typed::Address(_))),
            Some(true)
        );
    }
}
