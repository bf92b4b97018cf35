//! What the process is given, read the way every part of the tool reads it: environment
//! variables as they are (unset, empty, or not UTF-8: each reader decides what that means), and
//! files read no further than a bound.

use crate::kind::Failure;
use std::ffi::OsString;
use std::io::Read;
use std::path::Path;

/// Environment variables as the process has them: unset is `None`, and a value may be empty
/// or not valid UTF-8; each reader decides what that means (see [`text`]).
pub type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

/// A variable as text. Not UTF-8 is a `config` error, never "unset": a script's mangled
/// value must not silently mean the default (production, or no proxy). Empty stays empty.
pub fn text(env: Env, var: &str) -> Result<Option<String>, Failure> {
    match env(var) {
        None => Ok(None),
        Some(v) => v
            .into_string()
            .map(Some)
            .map_err(|_| Failure::config(format!("{var} is not valid UTF-8; fix it or unset it"))),
    }
}

/// At most `limit` bytes of a file (`-` is stdin), without a leading UTF-8 byte-order mark,
/// and whether the file goes on beyond them. `/dev/zero` costs `limit` bytes, not all the
/// memory, and ends.
pub fn read_bounded(path: &Path, limit: u64, origin: &str) -> Result<(Vec<u8>, bool), Failure> {
    let mut bytes = Vec::new();
    let read = if path.as_os_str() == "-" {
        Ok(Box::new(std::io::stdin().lock()) as Box<dyn Read>)
    } else {
        std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn Read>)
    }
    .and_then(|source| source.take(limit + 1).read_to_end(&mut bytes));
    read.map_err(|e| Failure::config(format!("cannot read {origin}: {}", io_reason(&e))))?;
    let more = bytes.len() as u64 > limit;
    bytes.truncate(limit as usize);
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    Ok((bytes, more))
}

/// The reason without the OS error number, e.g. "No such file or directory".
pub fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}
