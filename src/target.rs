//! Region, environment or `--platform-url` to the base URL every request starts with
//! (README, Usage: the hosts and the rules for `--platform-url`).

/// A checked base URL: `scheme://authority[/prefix]`, without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    pub url: String,
    pub https: bool,
    /// Host as written in the URL, brackets of an IPv6 literal removed.
    pub host: String,
}

pub const REGIONS: &[&str] = &["us", "eu", "au", "ca"];
pub const ENVIRONMENTS: &[&str] = &["prod", "hipaa", "dev", "stg"];

/// `value` as one of `allowed` (lower-case names), in any letter case.
pub fn choose(value: &str, allowed: &[&str]) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    allowed.contains(&lower.as_str()).then_some(lower)
}

/// What is wrong with a value that [`choose`] refused, given by `origin`.
pub fn not_one_of(origin: &str, allowed: &[&str], value: &str) -> String {
    format!(
        "{origin} must be one of {}, not '{}'",
        allowed.join(", "),
        value.escape_debug()
    )
}

/// Host of a region and environment, both already known to be valid names.
/// `Err` for the one combination that does not exist.
pub fn platform_host(region: &str, environment: &str) -> Result<String, String> {
    let suffix = if region == "us" {
        String::new()
    } else {
        format!("-{region}")
    };
    let stem = match environment {
        "prod" => "platform",
        "dev" => "platformdev",
        "stg" => "platformstg",
        _ if region == "us" => return Ok("platformhipaa.cloud.coveo.com".into()),
        _ => {
            return Err(format!(
                "the hipaa environment exists only in the us region, not in '{region}'"
            ))
        }
    };
    Ok(format!("{stem}{suffix}.cloud.coveo.com"))
}

impl Base {
    pub fn for_host(host: String) -> Base {
        Base {
            url: format!("https://{host}"),
            https: true,
            host,
        }
    }

    /// Checks a `--platform-url`. The message says what is wrong, for a `config` error.
    pub fn parse(url: &str) -> Result<Base, String> {
        let bad = |why: &str| Err(format!("platform URL '{}' {why}", url.escape_debug()));
        if url.bytes().any(|b| !b.is_ascii_graphic()) {
            return bad("contains spaces, control or non-ASCII characters");
        }
        if url.contains(['?', '#']) {
            return bad("must not have a query or fragment");
        }
        let (https, rest) = if let Some(r) = strip_prefix_ignore_case(url, "https://") {
            (true, r)
        } else if let Some(r) = strip_prefix_ignore_case(url, "http://") {
            (false, r)
        } else {
            return bad("must start with https:// (or http:// for a loopback address)");
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') {
            return bad("must not contain a user name or password");
        }
        let (host, port) = match split_host_port(authority) {
            Some(hp) => hp,
            None => return bad("has no valid host and port"),
        };
        if let Some(port) = port {
            if !matches!(port.parse::<u16>(), Ok(p) if p > 0) {
                return bad("has an invalid port");
            }
        }
        if !https && !is_loopback(host) {
            return bad(
                "uses http://, which is allowed only for localhost, 127.0.0.0/8 and ::1 (use https://)",
            );
        }
        let path = path.trim_end_matches('/');
        // No `%`: an encoded `..` or `/` would be decoded by some gateway on the way, and the
        // prefix must mean the same to every hop.
        if path.split('/').any(|seg| seg == "." || seg == "..")
            || !path
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b))
        {
            return bad("has a path that is not a plain prefix");
        }
        let scheme = if https { "https" } else { "http" };
        Ok(Base {
            url: format!("{scheme}://{}{path}", authority.to_ascii_lowercase()),
            https,
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase(),
        })
    }

    pub fn organization(&self, id: &str) -> String {
        format!("{}/rest/organizations/{id}", self.url)
    }

    pub fn privilege_evaluation(&self) -> String {
        format!("{}/rest/privilege/evaluate", self.url)
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

/// `host[:port]` or `[v6][:port]`; the host is a DNS name, IPv4 or bracketed IPv6 literal.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (h, rest) = authority.split_at(end + 1);
        h[1..h.len() - 1].parse::<std::net::Ipv6Addr>().ok()?;
        match rest {
            "" => (h, None),
            _ => (h, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let name_ok = host.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            }));
    name_ok.then_some((host, port))
}

pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_each_region_and_environment() {
        let h = |r, e| platform_host(r, e).unwrap();
        assert_eq!(h("us", "prod"), "platform.cloud.coveo.com");
        assert_eq!(h("eu", "prod"), "platform-eu.cloud.coveo.com");
        assert_eq!(h("ca", "dev"), "platformdev-ca.cloud.coveo.com");
        assert_eq!(h("us", "stg"), "platformstg.cloud.coveo.com");
        assert_eq!(h("au", "stg"), "platformstg-au.cloud.coveo.com");
        assert_eq!(h("us", "hipaa"), "platformhipaa.cloud.coveo.com");
        assert!(platform_host("eu", "hipaa").is_err());
    }

    #[test]
    fn platform_urls() {
        let ok = |u: &str| Base::parse(u).unwrap().url;
        assert_eq!(ok("https://gw.example/coveo/"), "https://gw.example/coveo");
        assert_eq!(ok("https://gw.example"), "https://gw.example");
        assert_eq!(ok("http://127.0.0.2:8080/"), "http://127.0.0.2:8080");
        assert_eq!(ok("http://[::1]:9/x"), "http://[::1]:9/x");
        assert_eq!(ok("http://LocalHost:1"), "http://localhost:1");
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "ftp://x",
            "https://u:p@x",
            "https://x?q",
            "https://x#f",
            "https://x:0",
            "https://x:99999",
            "https://",
            "https://x/../y",
            "https://x/./y",
            "https://x/a/..",
            "https://x/%2e%2e",
            "https://x/%2E%2E/y",
            "https://x/a%2fb",
            "https://x/a%",
            "http://localhost.evil.example",
            "http://127.0.0.1.evil.example",
            "http://localhostx",
            "http://127.0.0.1@evil.example",
            "https://x y",
            "platform.cloud.coveo.com",
            "https://[::1",
        ] {
            assert!(Base::parse(bad).is_err(), "{bad}");
        }
    }
}
