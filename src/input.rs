//! What the process is given, read the way every part of the tool reads it: environment
//! variables as they are (unset, empty, or not UTF-8: each reader decides what that means), and
//! files read no further than a bound.

use crate::outcome::Error;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Environment variables as the process has them: unset is `None`, and a value may be empty
/// or not valid UTF-8; each reader decides what that means (see [`variable`]).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// A variable that is set and not empty. Where an empty value counts as unset (a path such as
/// `SSL_CERT_FILE` or the login's directories, a proxy: as curl reads them), this reads it.
pub fn non_empty(env: Env, var: &str) -> Option<OsString> {
    env(var).filter(|v| !v.is_empty())
}

/// What a message says of an empty value: in a script, an unset variable expanded into an
/// option or another variable is the likely cause.
pub const UNSET_VARIABLE: &str = "(an unset shell variable?)";

/// The `config` error of a file that cannot be read.
pub fn cannot_read(origin: &str, e: &std::io::Error) -> Error {
    Error::config(format!("cannot read {origin}: {}", io_reason(e)))
}

/// `WHAT is longer than 64 KiB`, for any bound.
pub fn longer_than(what: &str, limit: u64) -> String {
    let size = if limit >= 1 << 20 && limit % (1 << 20) == 0 {
        format!("{} MiB", limit >> 20)
    } else if limit % 1024 == 0 {
        format!("{} KiB", limit / 1024)
    } else {
        format!("{limit} bytes")
    };
    format!("{what} is longer than {size}")
}

/// A variable as text. Not UTF-8 is a `config` error, never "unset": a script's mangled
/// value must not silently mean the default (production, or no proxy). Empty stays empty.
pub fn variable(env: Env, var: &str) -> Result<Option<String>, Error> {
    match env(var) {
        None => Ok(None),
        Some(v) => v
            .into_string()
            .map(Some)
            .map_err(|_| Error::config(format!("{var} is not valid UTF-8; fix it or unset it"))),
    }
}

/// At most `limit` bytes of a file (`-` is stdin), without a leading UTF-8 byte-order mark,
/// and whether the file goes on beyond them. `/dev/zero` costs `limit` bytes, not all the
/// memory, and ends.
pub fn read_bounded(path: &Path, limit: u64, origin: &str) -> Result<(Vec<u8>, bool), Error> {
    let (mut bytes, more) = read_lines_bounded(path, limit, origin, |r| {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes).map(|_| bytes)
    })?;
    bytes.truncate(limit as usize);
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok((bytes, more))
}

/// What `read` makes of at most `limit` bytes of a file (`-` is stdin), and whether the file
/// goes on beyond them (`read` then sees one byte more than `limit`). `/dev/zero` ends.
pub fn read_lines_bounded<T>(
    path: &Path,
    limit: u64,
    origin: &str,
    read: impl FnOnce(&mut dyn BufRead) -> std::io::Result<T>,
) -> Result<(T, bool), Error> {
    let source = if path.as_os_str() == "-" {
        Ok(Box::new(std::io::stdin().lock()) as Box<dyn Read>)
    } else {
        std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn Read>)
    };
    let fail = |e: std::io::Error| cannot_read(origin, &e);
    let mut counted = Counted {
        inner: source.map_err(fail)?.take(limit + 1),
        read: 0,
    };
    let made = read(&mut BufReader::new(&mut counted)).map_err(fail)?;
    Ok((made, counted.read > limit))
}

/// A reader that counts the bytes it gave.
struct Counted<R> {
    inner: R,
    read: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}

/// The reason without the OS error number, e.g. "No such file or directory".
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// A whole regular file of at most `limit` bytes. Anything else is a `config` error naming
/// `origin`: a FIFO would wait for a writer forever, a device could be endless, and a longer
/// file is not what the tool was pointed at.
pub fn read_regular(path: &Path, limit: u64, origin: &str) -> Result<Vec<u8>, Error> {
    let meta = std::fs::metadata(path).map_err(|e| cannot_read(origin, &e))?;
    if !meta.is_file() {
        return Err(Error::config(format!(
            "{origin} is not a regular file (a FIFO or a device is not read)"
        )));
    }
    let (bytes, more) = read_bounded(path, limit, origin)?;
    if more {
        return Err(Error::config(longer_than(origin, limit)));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_said_in_their_unit() {
        assert_eq!(longer_than("x", 64 * 1024), "x is longer than 64 KiB");
        assert_eq!(longer_than("x", 8 << 20), "x is longer than 8 MiB");
        assert_eq!(longer_than("x", 1024 * 1024), "x is longer than 1 MiB");
        assert_eq!(longer_than("x", 1536), "x is longer than 1536 bytes");
        // Over a MiB but not a whole number of them: KiB, not a rounded MiB.
        assert_eq!(longer_than("x", 1536 * 1024), "x is longer than 1536 KiB");
        assert_eq!(longer_than("x", 0), "x is longer than 0 KiB");
    }

    #[test]
    fn an_empty_variable_is_unset_only_where_asked() {
        let env = |name: &str| match name {
            "EMPTY" => Some(OsString::new()),
            "SET" => Some(OsString::from("v")),
            _ => None,
        };
        assert_eq!(non_empty(&env, "EMPTY"), None);
        assert_eq!(non_empty(&env, "SET"), Some(OsString::from("v")));
        assert_eq!(variable(&env, "EMPTY"), Ok(Some(String::new())));
        assert_eq!(variable(&env, "UNSET"), Ok(None));
    }
}
