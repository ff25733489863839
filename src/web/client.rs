//! The client's address, for the login throttling, the public pages' limit
//! and the audit log. Behind a reverse proxy every request comes from the
//! proxy: `X-Forwarded-For` names the client, but only a configured trusted
//! proxy (`--trusted-proxies`) is believed; anyone else could forge it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::state::AppState;

/// The address `client_addr` decided, for `ClientAddr` to read.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedAddr(pub IpAddr);

/// The client of a request from `peer`: `peer` itself, unless it is a
/// trusted proxy; then the last address of `X-Forwarded-For` that is not a
/// trusted proxy (each proxy appends the address it was reached from).
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    hops.iter().rev().find(|ip| !is_trusted(ip)).or(hops.first()).copied().unwrap_or(peer)
}

pub(crate) async fn client_addr(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    if let Some(peer) = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) {
        let ip = client_ip(peer, req.headers(), &st.config.trusted_proxies);
        req.extensions_mut().insert(ResolvedAddr(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(client_ip(proxy, &headers(&["198.51.100.7"]), &trusted), client);
        // A client's own (forged) entry comes first; the proxy's appended one counts.
        assert_eq!(client_ip(proxy, &headers(&["1.2.3.4, 198.51.100.7"]), &trusted), client);
        assert_eq!(client_ip(proxy, &headers(&["1.2.3.4", "198.51.100.7, 10.0.0.9"]), &trusted), client);
        // From anyone else the header is ignored.
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(stranger, &headers(&["1.2.3.4"]), &trusted), stranger);
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["unknown"]), &trusted), proxy);
        assert_eq!(
            client_ip(proxy, &headers(&["1.2.3.4"]), &[]),
            proxy,
            "no trusted proxies: never believed"
        );
    }
}
