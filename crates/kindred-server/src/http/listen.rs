//! Listening (SECURITY.md NW-4, IN-2): TLS through rustls (`axum-server`), or plain HTTP on a
//! loopback address only (a TLS-terminating proxy on the same host, or tests of the health
//! check); and the client address behind a trusted proxy, for the per-address limits.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::http::HeaderMap;
use axum::Router;
use axum_server::tls_rustls::RustlsConfig;

/// How long in-flight requests may finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `router` over plain HTTP on `listener` until `shutdown` resolves; in-flight requests
/// finish first. The caller has checked that the address is loopback.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves `router` over TLS with `config` (reloadable: [`RustlsConfig::reload_from_config`])
/// until `shutdown` resolves; in-flight requests get [`DRAIN`] to finish. Request headers must
/// arrive within `header_timeout` (the TLS handshake has its own 10 s).
pub async fn serve_tls(
    listener: std::net::TcpListener,
    router: Router,
    config: RustlsConfig,
    header_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stop = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stop.graceful_shutdown(Some(DRAIN));
    });
    let mut server = axum_server::from_tcp_rustls(listener, config).handle(handle);
    // A client that opens connections and trickles its headers (slowloris) is cut off.
    server
        .http_builder()
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(header_timeout);
    server.serve(router.into_make_service_with_connect_info::<SocketAddr>()).await
}

/// Whether a plain (non-TLS) listener may use `addr`: loopback only.
pub fn plain_allowed(addr: &SocketAddr) -> bool {
    addr.ip().is_loopback()
}

/// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most
/// `X-Forwarded-For` entry that is not itself a trusted proxy (entries further left were
/// written by the client and can be anything).
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let mut found = peer;
    for value in headers.get_all("x-forwarded-for").iter().rev() {
        let Ok(list) = value.to_str() else { return found };
        for entry in list.rsplit(',') {
            let Ok(ip) = entry.trim().parse::<IpAddr>() else { return found };
            found = ip;
            if !trusted.contains(&ip) {
                return ip;
            }
        }
    }
    found
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
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let h = headers(&["1.2.3.4, 203.0.113.9"]);
        // Straight from the internet: the header is the client's own words.
        assert_eq!(client_ip(client, &h, &[proxy]), client);
        // Through the proxy: the entry the proxy appended, not the spoofed one on the left.
        assert_eq!(client_ip(proxy, &h, &[proxy]), client);
        // Two trusted hops.
        let inner: IpAddr = "10.0.0.3".parse().unwrap();
        let h = headers(&["1.2.3.4", "203.0.113.9, 10.0.0.3"]);
        assert_eq!(client_ip(proxy, &h, &[proxy, inner]), client);
        // Garbage stops the walk at the last good hop.
        assert_eq!(client_ip(proxy, &headers(&["nonsense"]), &[proxy]), proxy);
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    proptest::proptest! {
        /// Behind trusted proxies the client address is never one of the proxies unless every
        /// hop was one, and without a trusted peer the header is never believed.
        #[test]
        fn the_client_address_is_never_a_trusted_proxy(
            hops in proptest::collection::vec(0u8..6, 0..6),
            spoofed in proptest::collection::vec(proptest::prelude::any::<[u8; 4]>(), 0..3),
            peer_trusted in proptest::prelude::any::<bool>(),
        ) {
            let trusted: Vec<IpAddr> = (1..=3u8).map(|i| IpAddr::from([10, 0, 0, i])).collect();
            let ip = |n: u8| if n < 3 { trusted[n as usize] } else { IpAddr::from([203, 0, 113, n]) };
            let mut list: Vec<String> = spoofed.iter().map(|b| IpAddr::from(*b).to_string()).collect();
            list.extend(hops.iter().map(|n| ip(*n).to_string()));
            let mut h = HeaderMap::new();
            if !list.is_empty() {
                h.insert("x-forwarded-for", list.join(", ").parse().unwrap());
            }
            let peer = if peer_trusted { trusted[0] } else { IpAddr::from([198, 51, 100, 7]) };
            let got = client_ip(peer, &h, &trusted);
            if !peer_trusted {
                proptest::prop_assert_eq!(got, peer);
            } else if let Some(last_untrusted) = hops.iter().rev().find(|n| **n >= 3) {
                // The right-most untrusted hop, however the left was spoofed.
                proptest::prop_assert_eq!(got, ip(*last_untrusted));
            } else if !trusted.contains(&got) {
                // Every listed hop was a proxy: the first address beyond them is the client's.
                proptest::prop_assert!(spoofed.iter().any(|b| IpAddr::from(*b) == got));
            }
        }
    }

    #[test]
    fn plain_listeners_stay_on_loopback() {
        assert!(plain_allowed(&"127.0.0.1:8080".parse().unwrap()));
        assert!(plain_allowed(&"[::1]:8080".parse().unwrap()));
        assert!(!plain_allowed(&"0.0.0.0:8080".parse().unwrap()));
        assert!(!plain_allowed(&"192.168.1.5:443".parse().unwrap()));
    }
}
