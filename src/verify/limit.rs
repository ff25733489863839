//! A per-server limit on the public pages per client address: a fixed window
//! of one minute, in memory (the public pages must stay as cheap as a bare
//! handler, so no database write per request).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);

static WINDOWS: OnceLock<Mutex<HashMap<String, (Instant, u32)>>> = OnceLock::new();

/// Count a request from `addr`; false when it is over `per_minute`.
/// Requests without a known address (in-process tests) are not limited.
pub(crate) fn allow(addr: Option<&str>, per_minute: u32) -> bool {
    let Some(addr) = addr else { return true };
    let now = Instant::now();
    let mut map = WINDOWS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if map.len() > 100_000 {
        map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
    }
    let entry = map.entry(addr.to_string()).or_insert((now, 0));
    if now.duration_since(entry.0) >= WINDOW {
        *entry = (now, 0);
    }
    entry.1 += 1;
    entry.1 <= per_minute
}
