//! The typed confirmation at a terminal: the ID of the one organization, or the number of
//! organizations, must be typed back. Without a terminal there is no confirmation, and
//! nothing is deleted.

use crate::config::Config;
use crate::http::Client;
use crate::org::Organization;
use crate::outcome::{Error, Kind, Outcome};
use std::io::{BufRead, IsTerminal, Write};
use std::time::Instant;

/// Asks on `prompt` and reads one line from `input`; true only for the exact expected answer.
/// A prompt that cannot be written or an answer that cannot be read is a refusal.
pub fn ask(
    ids: &[&str],
    display_name: Option<&str>,
    platform: &str,
    input: &mut dyn BufRead,
    prompt: &mut dyn Write,
) -> bool {
    let expected = match ids {
        [one] => one.to_string(),
        _ => ids.len().to_string(),
    };
    let text = match (ids, display_name) {
        ([one], Some(name)) => format!(
            "About to PERMANENTLY delete organization {one} (\"{}\") on {platform}.\n\
             This cannot be undone. Type the organization ID to confirm: ",
            name.escape_debug()
        ),
        ([one], None) => format!(
            "About to PERMANENTLY delete organization {one} on {platform}.\n\
             This cannot be undone. Type the organization ID to confirm: "
        ),
        _ => {
            let mut t = format!(
                "About to PERMANENTLY delete these {} organizations on {platform}:\n",
                ids.len()
            );
            for id in ids {
                t.push_str(&format!("  {id}\n"));
            }
            t.push_str("This cannot be undone. Type the number of organizations to confirm: ");
            t
        }
    };
    if prompt
        .write_all(text.as_bytes())
        .and_then(|_| prompt.flush())
        .is_err()
    {
        return false;
    }
    // At the end of input the line stays empty, which is never the expected answer.
    let mut line = String::new();
    input.read_line(&mut line).is_ok() && line.trim() == expected
}

/// The typed confirmation at a terminal. `Ok` carries the one organization whose display name
/// was fetched for the prompt, so its request counts stay with it; `Err` the outcomes of a
/// run that must not delete anything, or whose one organization's fate that fetch settled.
pub fn at_terminal<'a>(
    client: &'a Client,
    cfg: &'a Config,
    ids: &[&str],
    stdin_is_list: bool,
) -> Result<Option<Organization<'a>>, Vec<Outcome>> {
    let refuse_all = |kind: Kind, why: &str| -> Vec<Outcome> {
        ids.iter()
            .map(|id| Outcome::unsent(Some(id.to_string()), false, Error::new(kind, why)))
            .collect()
    };
    if stdin_is_list {
        return Err(refuse_all(
            Kind::ConfirmationRequired,
            "the IDs come from stdin, so there is no terminal to confirm at; add --yes to delete without asking",
        ));
    }
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(refuse_all(
            Kind::ConfirmationRequired,
            "not at a terminal, so nothing was deleted; add --yes to delete without asking (or --dry-run to check)",
        ));
    }
    let one = match ids {
        [id] => match Organization::new(client, cfg, id).learn_display_name() {
            Ok(o) => Some(o),
            // 401, 403, 404 or read-only: the deletion cannot succeed, so nothing to ask.
            Err(settled) => return Err(vec![*settled]),
        },
        _ => None,
    };
    let asked = Instant::now();
    let confirmed = ask(
        ids,
        one.as_ref().and_then(|o| o.display_name.as_deref()),
        &cfg.base.url,
        &mut std::io::stdin().lock(),
        &mut std::io::stderr(),
    );
    // Typing time is the person's: it stays out of elapsed_ms, whatever the answer.
    let typing = asked.elapsed();
    let one = one.map(|mut o| {
        o.leave_out(typing);
        o
    });
    let not_confirmed = "the typed answer did not match, so nothing was deleted";
    match (confirmed, one) {
        (true, org) => Ok(org),
        (false, Some(o)) => Err(vec![
            o.refused(Error::new(Kind::NotConfirmed, not_confirmed))
        ]),
        (false, None) => Err(refuse_all(Kind::NotConfirmed, not_confirmed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ids: &[&str], typed: &str) -> (bool, String) {
        let mut shown = Vec::new();
        let ok = ask(
            ids,
            Some("Demo"),
            "https://x",
            &mut typed.as_bytes(),
            &mut shown,
        );
        (ok, String::from_utf8(shown).unwrap())
    }

    #[test]
    fn typed_answers() {
        assert!(run(&["acme"], "acme\n").0);
        assert!(run(&["acme"], "  acme \r\n").0);
        assert!(!run(&["acme"], "y\n").0);
        assert!(!run(&["acme"], "").0);
        assert!(!run(&["acme"], "ACME\n").0);
        assert!(run(&["a", "b", "c"], "3\n").0);
        assert!(!run(&["a", "b", "c"], "yes\n").0);
        let (_, shown) = run(&["a", "b"], "2\n");
        assert!(shown.contains("  a\n  b\n") && shown.contains("2 organizations"));
        assert!(run(&["acme"], "x\n").1.contains("(\"Demo\")"));
    }
}
