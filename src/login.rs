//! The login the Coveo CLI stores (`coveo auth:login`): its access token, and the platform
//! (region, environment) that token belongs to. Used when neither `--token-file` nor
//! `COVEO_TOKEN` gives a token, so that a nightly job can reuse the login a person made with
//! the CLI. The file is only read, never written.

use crate::input::{self, Env};
use crate::outcome::{Error, Kind};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// `config.json` is read no further than this: the CLI writes a few hundred bytes.
pub const FILE_LIMIT: u64 = 1024 * 1024;

/// What the tool takes from the CLI's login besides the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The `config.json` it came from.
    pub path: PathBuf,
    /// `"anonymous": true`: the token was set with `coveo auth:token`, so it may be an API
    /// key or a platform token rather than a user's login.
    pub anonymous: bool,
    /// `region` and `environment` as the file has them (a value that is not a string as its
    /// JSON text), checked only where they are used.
    pub region: Option<String>,
    pub environment: Option<String>,
    /// When the file was last written (`coveo auth:login` writes it), if the system says.
    pub saved: Option<SystemTime>,
}

/// Where the CLI keeps its login: `config.json` in `$COVEO_CONFIG_DIR`, else in
/// `$XDG_CONFIG_HOME/@coveo/cli`, else in `$HOME/.config/@coveo/cli`. The first variable that
/// is set decides, as in the CLI; an empty one counts as unset; a path may be any bytes.
/// `None` when none of the three is set.
pub fn file(env: Env) -> Option<PathBuf> {
    let var = |name: &str| input::non_empty(env, name).map(PathBuf::from);
    let dir = var("COVEO_CONFIG_DIR")
        .or_else(|| var("XDG_CONFIG_HOME").map(|d| d.join("@coveo").join("cli")))
        .or_else(|| var("HOME").map(|d| d.join(".config").join("@coveo").join("cli")))?;
    Some(dir.join("config.json"))
}

/// The login's raw access token (checked by the caller like any token) and the rest of it.
/// `Ok(Err(why))` when there is no login: no file, or no `accessToken` in it; `why` says what
/// was looked at, for the "no token" message. A file that exists but cannot be read, is
/// longer than [`FILE_LIMIT`] or is not a JSON object is a `config` error naming it.
pub fn read(env: Env) -> Result<Result<(String, Login), String>, Error> {
    let Some(path) = file(env) else {
        return Ok(Err(
            "no Coveo CLI login was looked for (COVEO_CONFIG_DIR, XDG_CONFIG_HOME and HOME are all unset)".into(),
        ));
    };
    let origin = describe(&path);
    let saved = match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => meta.modified().ok(),
        // A FIFO would block the run forever, a device could be endless: only a file is read.
        Ok(_) => return Err(broken(&origin, "is not a regular file")),
        Err(e) if is_absent(&e) => {
            return Ok(Err(format!(
                "there is no Coveo CLI login ({} does not exist)",
                path.display()
            )))
        }
        Err(e) => return Err(input::cannot_read(&origin, &e)),
    };
    let (bytes, more) = input::read_bounded(&path, FILE_LIMIT, &origin)?;
    if more {
        return Err(Error::config(format!(
            "{}, which no login of the CLI is; check the file or log in again with 'coveo auth:login'",
            input::longer_than(&origin, FILE_LIMIT)
        )));
    }
    let object = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return Err(broken(&origin, "is JSON but not an object")),
        Err(_) => return Err(broken(&origin, "is not valid JSON")),
    };
    let token = match object.get("accessToken") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            return Ok(Err(format!("{origin} holds no accessToken (logged out?)")))
        }
        Some(_) => return Err(broken(&origin, "has an accessToken that is not a string")),
    };
    let text = |key: &str| match object.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => Some(other.to_string()),
    };
    let login = Login {
        anonymous: object.get("anonymous") == Some(&Value::Bool(true)),
        region: text("region"),
        environment: text("environment"),
        saved,
        path,
    };
    Ok(Ok((token, login)))
}

/// No file there: not found, or a path component that is not a directory.
fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
    )
}

fn broken(origin: &str, why: &str) -> Error {
    Error::new(
        Kind::Config,
        format!("{origin} {why}; log in again with 'coveo auth:login', or set COVEO_TOKEN"),
    )
}

impl Login {
    /// The hint after a 401 or 403 with this login's token; `now` to tell the login's age.
    pub fn hint(&self, kind: Kind, now: SystemTime) -> Option<String> {
        match kind {
            Kind::Unauthorized | Kind::Forbidden if self.anonymous => Some(
                "hint: the token of the Coveo CLI's login was set with 'coveo auth:token' and may be an API key or a platform token; only a user's login (coveo auth:login) with the Organization - Edit privilege can delete organizations".into(),
            ),
            Kind::Unauthorized => Some(format!(
                "hint: the Coveo CLI's login may have expired: {}, and its tokens last 24 hours; run 'coveo auth:login' again (a 401 can also mean the user lacks the Organization - Edit privilege)",
                self.age(now)
            )),
            Kind::Forbidden => Some(
                "hint: the user of the Coveo CLI's login needs the Organization - Edit privilege in the organization".into(),
            ),
            _ => None,
        }
    }

    /// `it was saved 27 hours ago`, from the file's modification time, in whole hours.
    fn age(&self, now: SystemTime) -> String {
        let Some(saved) = self.saved else {
            return "when it was saved is unknown".into();
        };
        match now.duration_since(saved).map(|d| d.as_secs() / 3600) {
            Ok(0) | Err(_) => "it was saved less than an hour ago".into(),
            Ok(1) => "it was saved 1 hour ago".into(),
            Ok(hours) => format!("it was saved {hours} hours ago"),
        }
    }
}

/// Where the login is, for messages: the path of its file.
pub fn describe(path: &Path) -> String {
    format!("the Coveo CLI's login {}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn login(saved: Option<SystemTime>, anonymous: bool) -> Login {
        Login {
            path: PathBuf::from("/home/ci/.config/@coveo/cli/config.json"),
            anonymous,
            region: None,
            environment: None,
            saved,
        }
    }

    #[test]
    fn the_age_of_a_login_is_told_in_whole_hours() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100 * 86_400);
        let ago = |secs: u64| login(Some(now - Duration::from_secs(secs)), false).age(now);
        assert_eq!(ago(0), "it was saved less than an hour ago");
        assert_eq!(ago(3599), "it was saved less than an hour ago");
        assert_eq!(ago(3600), "it was saved 1 hour ago");
        assert_eq!(ago(27 * 3600 + 3599), "it was saved 27 hours ago");
        // A clock set back after the login: not an expiry.
        let later = login(Some(now + Duration::from_secs(60)), false).age(now);
        assert_eq!(later, "it was saved less than an hour ago");
        assert_eq!(login(None, false).age(now), "when it was saved is unknown");
    }

    #[test]
    fn hints_fit_the_kind_and_the_login() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(100 * 86_400);
        let saved = Some(now - Duration::from_secs(30 * 3600));
        let user = login(saved, false);
        let hint = user.hint(Kind::Unauthorized, now).unwrap();
        assert!(
            hint.contains("may have expired: it was saved 30 hours ago"),
            "{hint}"
        );
        let hint = user.hint(Kind::Forbidden, now).unwrap();
        assert!(
            hint.contains("Organization - Edit") && !hint.contains("hours"),
            "{hint}"
        );
        assert_eq!(user.hint(Kind::NotFound, now), None);
        let key = login(saved, true);
        for kind in [Kind::Unauthorized, Kind::Forbidden] {
            let hint = key.hint(kind, now).unwrap();
            assert!(
                hint.contains("coveo auth:token") && !hint.contains("hours"),
                "{hint}"
            );
        }
    }

    #[test]
    fn the_login_file_is_found_where_the_cli_keeps_it() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        let at = |vars: &'static [(&'static str, &'static str)]| file(&env(vars));
        assert_eq!(
            at(&[("COVEO_CONFIG_DIR", "/c"), ("HOME", "/h")]),
            Some(PathBuf::from("/c/config.json"))
        );
        assert_eq!(
            at(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")]),
            Some(PathBuf::from("/x/@coveo/cli/config.json"))
        );
        assert_eq!(
            at(&[("COVEO_CONFIG_DIR", ""), ("HOME", "/h")]),
            Some(PathBuf::from("/h/.config/@coveo/cli/config.json"))
        );
        assert_eq!(at(&[]), None);
    }
}
