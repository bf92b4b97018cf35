//! Region, environment or `--platform-url` to the base URL every request starts with
//! (README, Usage: the hosts and the rules for `--platform-url`).

/// A checked base URL: `scheme://authority[/prefix]`, without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base {
    pub url: String,
    pub https: bool,
    /// Host as written in the URL, lower case, brackets of an IPv6 literal removed.
    pub host: String,
    /// The port: as written, else 443 for https and 80 for http.
    pub port: u16,
    /// Whether the URL writes its port.
    port_written: bool,
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
            port: 443,
            port_written: false,
        }
    }

    /// The host as a URL writes it: an IPv6 literal in brackets.
    pub fn shown_host(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        }
    }

    /// `host:port`, the port written out.
    pub fn endpoint(&self) -> String {
        format!("{}:{}", self.shown_host(), self.port)
    }

    /// The authority as the URL writes it: `host`, or `host:port` when it gives the port.
    pub fn authority(&self) -> String {
        if self.port_written {
            self.endpoint()
        } else {
            self.shown_host()
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
        let Some((host, port)) = split_host_port(authority).filter(|(h, _)| valid_host(h)) else {
            return bad("has no valid host and port");
        };
        let port = match port {
            Some(p) => match p.parse::<u16>() {
                Ok(p) if p > 0 => Some(p),
                _ => return bad("has an invalid port"),
            },
            None => None,
        };
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
            port: port.unwrap_or(if https { 443 } else { 80 }),
            port_written: port.is_some(),
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

/// `host[:port]` or `[v6][:port]` split into the host (an IPv6 literal keeps its brackets) and
/// the port's text, if any; `None` when text follows an IPv6 literal's `]` but not `:PORT`.
/// The one split of an authority, for the platform's URL and for a proxy's: what makes a
/// valid host is for each to say.
pub fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (host, rest) = authority.split_at(end + 1);
        return match rest {
            "" => Some((host, None)),
            _ => Some((host, Some(rest.strip_prefix(':')?))),
        };
    }
    Some(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// A platform host: a DNS name, an IPv4 address or a bracketed IPv6 literal.
fn valid_host(host: &str) -> bool {
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
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
        let base = |u: &str| Base::parse(u).unwrap();
        assert_eq!(
            base("https://gw.example/coveo").endpoint(),
            "gw.example:443"
        );
        assert_eq!(base("https://gw.example/coveo").authority(), "gw.example");
        assert_eq!(base("http://[::1]:9/x").endpoint(), "[::1]:9");
        assert_eq!(base("http://[::1]:9/x").authority(), "[::1]:9");
        assert_eq!(base("http://[::1]").host, "::1");
        assert_eq!(base("http://127.0.0.1").endpoint(), "127.0.0.1:80");
        assert_eq!(
            Base::for_host("platform.cloud.coveo.com".into()).endpoint(),
            "platform.cloud.coveo.com:443"
        );
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
            "https://[::1]x",
            "https://[nothost]",
            "https://a:b:1",
        ] {
            assert!(Base::parse(bad).is_err(), "{bad}");
        }
    }
}
