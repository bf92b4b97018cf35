//! The typed confirmation at a terminal: the ID of the one organization,
//! or the number of organizations, must be typed back.

use std::io::{BufRead, Write};

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
