//! The client's address: the connection's peer, or, behind trusted proxies, the address they forwarded.
//!
//! Behind a load balancer every connection comes from the balancer, so the per-address rate limits would
//! put every visitor (and every clerk signing in) into one bucket, and the audit trail would record the
//! balancer. `X-Forwarded-For` names the real client, but anyone can send that header: it is read only when
//! the peer is one of the configured proxies, and then from the right (the entries the proxies appended),
//! skipping the proxies' own addresses, to the first address that is not a proxy. An address further left
//! came from the client itself and is never believed.
//!
//! The address is resolved once per request by [`resolve`] (a layer outside every route) and read by the
//! rate limits ([`ClientKey`]) and the handlers ([`ClientAddress`]).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request, StatusCode};
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// An entry of `--trusted-proxy` that is neither an address nor a network.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not an IP address or network such as 10.0.0.0/8 or 192.0.2.10")]
pub struct BadProxy(pub String);

/// Addresses (`192.0.2.10`, `::1`) and networks (`10.0.0.0/8`, `fd00::/8`) as networks; the first entry that
/// is neither is the error (`--trusted-proxy`, `--metrics-from`).
pub(crate) fn networks<S: AsRef<str>>(entries: &[S]) -> Result<Vec<IpNet>, BadProxy> {
    entries
        .iter()
        .map(|entry| {
            let entry = entry.as_ref().trim();
            entry
                .parse::<IpNet>()
                .map(|net| net.trunc())
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| BadProxy(entry.to_owned()))
        })
        .collect()
}

impl TrustedProxies {
    /// Parses addresses (`192.0.2.10`, `::1`) and networks (`10.0.0.0/8`, `fd00::/8`).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, BadProxy> {
        networks(entries).map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|net| net.contains(&address))
    }

    /// The client of a request that arrived from `peer` with these headers.
    ///
    /// `X-Forwarded-For` (every instance of the header, in order) is walked from its right end while the hop
    /// before it is a trusted proxy; the walk stops at the first address that is not a proxy (the client),
    /// at an entry that is not an address (the hop before it is the last one known), or at the left end
    /// (every hop was a proxy: the leftmost is the client).
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = peer.to_canonical();
        if !self.trusts(client) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .filter(|hop| !hop.is_empty())
            .collect();
        for hop in hops.into_iter().rev() {
            let Some(address) = parse_hop(hop) else { break };
            client = address;
            if !self.trusts(address) {
                break;
            }
        }
        client
    }
}

impl TrustedProxies {
    /// Whether a trusted proxy says the client's connection was HTTPS: the peer is a trusted proxy and the
    /// last `X-Forwarded-Proto` value (the one the nearest proxy set) is `https`.
    pub fn forwarded_https(&self, peer: IpAddr, headers: &HeaderMap) -> bool {
        self.trusts(peer.to_canonical())
            && headers
                .get_all("x-forwarded-proto")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .map(str::trim)
                .next_back()
                .is_some_and(|proto| proto.eq_ignore_ascii_case("https"))
    }
}

/// HSTS for a year when the platform is reached over HTTPS: always with `--hsts` (TLS ends in front of
/// gongkai without saying so), or when a trusted proxy's `X-Forwarded-Proto` says `https`. Never on plain
/// HTTP, where a browser would ignore it and an intranet could not turn it off again.
pub(crate) async fn strict_transport(
    axum::extract::State((always, proxies)): axum::extract::State<(bool, Arc<TrustedProxies>)>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    let https = always || peer.is_some_and(|peer| proxies.forwarded_https(peer, request.headers()));
    let mut response = next.run(request).await;
    if https {
        response.headers_mut().insert(
            axum::http::header::STRICT_TRANSPORT_SECURITY,
            axum::http::HeaderValue::from_static("max-age=31536000"),
        );
    }
    response
}

/// An `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`, `[2001:db8::1]:4711`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .map(|address| address.to_canonical())
}

/// The client's address as resolved for this request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Resolves the client's address once and keeps it in the request's extensions.
pub(crate) async fn resolve(
    axum::extract::State(proxies): axum::extract::State<Arc<TrustedProxies>>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    if let Some(peer) = peer {
        let client = proxies.client_of(peer, request.headers());
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<ClientAddress>().copied().ok_or((
            StatusCode::INTERNAL_SERVER_ERROR,
            "the server was started without connection information",
        ))
    }
}

impl ClientAddress {
    /// The address of a request's parts, for extractors that need it beside others ("unknown" without one).
    pub(crate) fn of(parts: &Parts) -> String {
        parts
            .extensions
            .get::<ClientAddress>()
            .map(|ClientAddress(address)| address.to_string())
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

/// The network a client's address stands for in rate limits and throttles: an IPv4 address itself, an IPv6
/// address cut to its /64. One IPv6 subscriber is routinely given a whole /64 (2^64 addresses); keyed on
/// full addresses, a guesser could use a fresh address for every request and never be limited.
pub fn network(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

/// [`network`] as text for keys and logs: `198.51.100.7`, `2001:db8:1:2::/64`.
pub fn network_key(address: IpAddr) -> String {
    match network(address) {
        IpAddr::V6(v6) => format!("{v6}/64"),
        v4 => v4.to_string(),
    }
}

/// The rate limits' key: the resolved client's [`network`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientKey;

impl tower_governor::key_extractor::KeyExtractor for ClientKey {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, tower_governor::GovernorError> {
        request
            .extensions()
            .get::<ClientAddress>()
            .map(|ClientAddress(address)| network(*address))
            .ok_or(tower_governor::GovernorError::UnableToExtractKey)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn an_ipv6_client_is_limited_by_its_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2::7".parse().unwrap();
        let next: IpAddr = "2001:db8:1:3::7".parse().unwrap();
        assert_eq!(network(one), network(other));
        assert_ne!(network(one), network(next));
        assert_eq!(network_key(one), "2001:db8:1:2::/64");
        let v4: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(network_key(v4), "198.51.100.7");
        let mapped: IpAddr = "::ffff:198.51.100.7".parse().unwrap();
        assert_eq!(network_key(mapped), "198.51.100.7");
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            none.client_of(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_peer_that_is_not_a_proxy_cannot_name_another_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(
            proxies.client_of(ip("203.0.113.9"), &headers(&["198.51.100.1"])),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_proxy_the_rightmost_address_that_is_not_a_proxy_is_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.10"]).unwrap();
        // The client sent a forged entry first; the outer balancer (192.0.2.10) appended the client's real
        // address, the inner proxy (10.1.2.3) appended the balancer's, and the peer is the inner proxy.
        let forwarded = headers(&["1.2.3.4, 198.51.100.7", "192.0.2.10"]);
        assert_eq!(proxies.client_of(ip("10.1.2.3"), &forwarded), ip("198.51.100.7"));
        // One proxy, one entry.
        assert_eq!(
            proxies.client_of(ip("192.0.2.10"), &headers(&["198.51.100.7"])),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn the_walk_stops_at_an_entry_that_is_not_an_address_or_at_the_left_end() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        assert_eq!(
            proxies.client_of(ip("10.0.0.1"), &headers(&["198.51.100.7, unknown, 10.0.0.2"])),
            ip("10.0.0.2")
        );
        assert_eq!(
            proxies.client_of(ip("10.0.0.1"), &headers(&["10.0.0.3, 10.0.0.2"])),
            ip("10.0.0.3")
        );
        assert_eq!(proxies.client_of(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
    }

    #[test]
    fn ports_ipv6_and_mapped_addresses_are_read() {
        let proxies = TrustedProxies::parse(&["fd00::/8", "127.0.0.1"]).unwrap();
        assert_eq!(
            proxies.client_of(ip("fd00::1"), &headers(&["[2001:db8::5]:4711"])),
            ip("2001:db8::5")
        );
        // A dual-stack listener sees an IPv4 proxy as ::ffff:127.0.0.1.
        assert_eq!(
            proxies.client_of(ip("::ffff:127.0.0.1"), &headers(&["198.51.100.7:80"])),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn bad_entries_are_named() {
        assert_eq!(
            TrustedProxies::parse(&["10.0.0.0/8", "example.org"]),
            Err(BadProxy("example.org".into()))
        );
        assert_eq!(TrustedProxies::parse(&["10.0.0.0/33"]), Err(BadProxy("10.0.0.0/33".into())));
        assert!(TrustedProxies::parse::<&str>(&[]).unwrap().is_empty());
    }
}
