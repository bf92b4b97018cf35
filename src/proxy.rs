//! Which proxy a run goes through, read from the environment the way curl reads it
//! (README, Proxies). ureq's own environment reading is turned off: it skips a value it
//! cannot parse and silently goes direct, which a user behind a mandatory proxy must not get.

use crate::outcome::Error;
use crate::target::{self, Base};

/// The proxy a run goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// For ureq: `scheme://[user:pass@]host:port`.
    pub url: String,
    /// `host:port`, for messages: never the credentials.
    pub endpoint: String,
}

/// The proxy that applies to `base`, or `None` to go direct. `var` reads one variable (an
/// `Err` for one that is not text; `None` for one unset, or empty: that counts as unset).
pub fn select(
    base: &Base,
    var: impl Fn(&str) -> Result<Option<String>, Error>,
) -> Result<Option<Proxy>, Error> {
    let names: &[&str] = if base.https {
        &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    } else {
        &["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
    };
    // The first that is set, in this order; lower case first, as curl reads them.
    let first_set = |names: &[&'static str]| -> Result<Option<(&'static str, String)>, Error> {
        for name in names {
            if let Some(v) = var(name)? {
                return Ok(Some((name, v)));
            }
        }
        Ok(None)
    };
    let Some((name, value)) = first_set(names)? else {
        return Ok(None);
    };
    if let Some((_, list)) = first_set(&["no_proxy", "NO_PROXY"])? {
        if bypasses(&list, &base.host) {
            return Ok(None);
        }
    }
    parse(&value).map(Some).map_err(|why| {
        Error::config(format!(
            "{name} cannot be used ({why}); fix it or unset it, this tool never silently goes direct"
        ))
    })
}

/// Normalises a proxy value to what ureq expects. The value itself is never echoed: it may
/// carry a password.
fn parse(value: &str) -> Result<Proxy, &'static str> {
    let (scheme, rest) = match value.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => ("http".to_owned(), value),
    };
    if scheme != "http" && scheme != "https" {
        return Err("only http:// and https:// proxies are supported");
    }
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) || rest.bytes().any(|b| !b.is_ascii_graphic()) {
        return Err("not a proxy URL of the form http://host:port");
    }
    let (userinfo, hostport) = match rest.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, rest),
    };
    // After an IPv6 literal's `]` only `:PORT` or nothing: `[::1]3128` (a forgotten colon)
    // must not become `[::1]:1080` and fail later as a temporary connection error.
    let (host, port) =
        target::split_host_port(hostport).ok_or("text after the proxy's IPv6 address")?;
    if host.is_empty() || host.contains([':', '[', ']']) && !host.starts_with('[') {
        return Err("no valid proxy host");
    }
    // curl's default proxy port
    let port = match port {
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or("invalid proxy port")?,
        None => 1080,
    };
    let userinfo = userinfo.map(|u| format!("{u}@")).unwrap_or_default();
    let endpoint = format!("{host}:{port}");
    let url = format!("{scheme}://{userinfo}{endpoint}");
    ureq::Proxy::new(&url).map_err(|_| "not a proxy URL of the form http://host:port")?;
    Ok(Proxy { url, endpoint })
}

/// `no_proxy`: `*`, host names, domain suffixes (`example.com` and `.example.com` both match
/// `a.example.com`) and IP addresses, comma-separated.
fn bypasses(list: &str, host: &str) -> bool {
    list.split(',')
        .map(|e| e.trim().trim_start_matches('.').to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .any(|e| {
            let e = e.trim_start_matches('[').trim_end_matches(']');
            e == "*" || host == e || host.strip_suffix(e).is_some_and(|head| head.ends_with('.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(base: &str, vars: &[(&str, &str)]) -> Result<Option<String>, String> {
        let base = Base::parse(base).unwrap();
        // As config reads them: an empty variable counts as unset.
        select(&base, |n| {
            Ok(vars
                .iter()
                .find(|(k, v)| *k == n && !v.is_empty())
                .map(|(_, v)| v.to_string()))
        })
        .map(|p| p.map(|p| p.url))
        .map_err(|f| f.message)
    }

    #[test]
    fn order_and_schemes() {
        let https = "https://platform.cloud.coveo.com";
        assert_eq!(pick(https, &[]), Ok(None));
        assert_eq!(
            pick(https, &[("HTTPS_PROXY", "p:3128"), ("https_proxy", "q:1")]),
            Ok(Some("http://q:1".into()))
        );
        assert_eq!(
            pick(https, &[("ALL_PROXY", "http://p")]),
            Ok(Some("http://p:1080".into()))
        );
        assert_eq!(
            pick(
                https,
                &[("ALL_PROXY", "http://p:1"), ("all_proxy", "http://q:2")]
            ),
            Ok(Some("http://q:2".into()))
        );
        assert_eq!(
            pick(
                https,
                &[("all_proxy", "http://q:2"), ("HTTPS_PROXY", "http://p:1")]
            ),
            Ok(Some("http://p:1".into()))
        );
        assert_eq!(pick(https, &[("http_proxy", "http://p:1")]), Ok(None));
        assert_eq!(
            pick("http://localhost:9", &[("http_proxy", "http://u:pw@p:1/")]),
            Ok(Some("http://u:pw@p:1".into()))
        );
        for bad in [
            "socks5://p:1",
            "http://p:x",
            "http://p:1/path",
            "http:// p",
            "http://",
        ] {
            let err = pick(https, &[("https_proxy", bad)]).unwrap_err();
            assert!(err.starts_with("https_proxy"), "{bad}: {err}");
        }
    }

    #[test]
    fn no_proxy_matching() {
        let https = "https://a.example.com";
        let p = [("https_proxy", "http://p:1")];
        for np in ["*", "example.com", ".example.com", "x, a.example.com"] {
            let vars = [p[0], ("no_proxy", np)];
            assert_eq!(pick(https, &vars), Ok(None), "{np}");
        }
        for np in ["ample.com", "b.example.com", "a.example.com.evil"] {
            let vars = [p[0], ("NO_PROXY", np)];
            assert!(pick(https, &vars).unwrap().is_some(), "{np}");
        }
        // no_proxy wins over NO_PROXY, both ways round; an empty one counts as unset.
        let both = |lower, upper| [p[0], ("no_proxy", lower), ("NO_PROXY", upper)];
        assert_eq!(pick(https, &both("a.example.com", "other.org")), Ok(None));
        assert!(pick(https, &both("other.org", "a.example.com"))
            .unwrap()
            .is_some());
        assert_eq!(pick(https, &both("", "a.example.com")), Ok(None));
        let vars = [("http_proxy", "http://p:1"), ("no_proxy", "127.0.0.1,::1")];
        assert_eq!(pick("http://127.0.0.1:5", &vars), Ok(None));
        assert_eq!(pick("http://[::1]:5", &vars), Ok(None));
        // An unparsable proxy that does not apply is no error.
        let vars = [("https_proxy", "socks5://x"), ("no_proxy", "a.example.com")];
        assert_eq!(pick(https, &vars), Ok(None));
    }

    #[test]
    fn ipv6_proxies_ports_and_url_parts_around_the_host() {
        let https = "https://platform.cloud.coveo.com";
        let p = |v| pick(https, &[("https_proxy", v)]);
        assert_eq!(p("http://[::1]:3128"), Ok(Some("http://[::1]:3128".into())));
        assert_eq!(p("[::1]"), Ok(Some("http://[::1]:1080".into())));
        assert_eq!(
            p("http://u:pw@[::1]:8/"),
            Ok(Some("http://u:pw@[::1]:8".into()))
        );
        // A path, query or fragment before the port would hide the real host from this
        // check; port 0 is no port.
        for bad in [
            "http://p:0",
            "http://p/x:1",
            "http://p?x:1",
            "http://p#x:1",
            "http://a:b:1",
        ] {
            let err = p(bad).unwrap_err();
            assert!(err.starts_with("https_proxy"), "{bad}: {err}");
        }
    }

    /// `http://[::1]3128` (a colon forgotten) is taken today as `[::1]:1080`: a connection
    /// error later (exit 5, "try again") instead of a config error now.
    #[test]
    fn text_after_an_ipv6_proxy_literal_is_an_error() {
        let https = "https://platform.cloud.coveo.com";
        for bad in ["http://[::1]3128", "http://[::1]x:3128", "[::1]/x"] {
            let err = pick(https, &[("https_proxy", bad)]);
            assert!(err.is_err(), "{bad}: {err:?}");
        }
    }
}
