//! Trying again: the loop over the attempts of one request ([`Tries`]), and the policy it
//! follows: what `Retry-After` asks, when to give up, how long to back off (README, Retries).

use crate::answer::{self, status_kind};
use crate::calendar;
use crate::http::{Answer, Lost};
use crate::outcome::{Done, Error, Outcome};
use crate::signal;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What the attempts of one organization (or of one page of the listing) have learned so far.
#[derive(Default)]
pub struct Tries {
    pub attempts: u32,
    pub last: Option<Answer>,
    pub retry_after_s: Option<u64>,
    /// An earlier attempt may have reached the server without its answer reaching us.
    pub outcome_unknown: bool,
}

impl Tries {
    /// Makes `attempt` until its answer is final or `retries` more were made; the last answer
    /// or loss. A signal stops the retries (a wait for one ends at once).
    pub fn send(
        &mut self,
        retries: u32,
        mut attempt: impl FnMut() -> Result<Answer, Lost>,
    ) -> Result<Answer, Lost> {
        let mut jitter = Jitter::new();
        let mut retry = 0;
        loop {
            self.attempts += 1;
            let result = attempt();
            let retryable = match &result {
                Ok(a) => {
                    self.last = Some(a.clone());
                    status_kind(a.status).is_some_and(|k| k.is_retryable())
                }
                Err(lost) => {
                    self.outcome_unknown |= lost.maybe_delivered;
                    lost.error.kind.is_retryable()
                }
            };
            let asked = match &result {
                Ok(a) => a
                    .retry_after
                    .as_deref()
                    .and_then(|v| retry_after(v, SystemTime::now())),
                Err(_) => None,
            };
            if let Some(d) = asked {
                self.retry_after_s = Some(whole_seconds(d));
            }
            if !retryable
                || retry >= retries
                || asked.is_some_and(gives_up)
                || signal::caught().is_some()
            {
                return result;
            }
            retry += 1;
            let wait = asked.unwrap_or_else(|| backoff(retry, jitter.unit()));
            // A signal during the wait leaves the last attempt's outcome, without a new one.
            if signal::sleep(wait).is_err() {
                return result;
            }
        }
    }

    /// The outcome these attempts lead to, for organization `id` (`None`: the whole run);
    /// `hint` gives the stderr hint of a failure of that kind, if its token calls for one.
    pub fn outcome(
        self,
        id: Option<String>,
        dry_run: bool,
        started: Instant,
        result: Result<Done, Error>,
        hint: impl Fn(crate::outcome::Kind) -> Option<String>,
    ) -> Outcome {
        let result = result.map_err(|mut e| {
            e.retry_after_s = self.retry_after_s;
            e
        });
        Outcome {
            id,
            token_hint: result.as_ref().err().and_then(|e| hint(e.kind)),
            result,
            dry_run,
            http_status: self.last.as_ref().map(|a| a.status),
            attempts: self.attempts,
            elapsed_ms: started.elapsed().as_millis(),
            request_id: self.last.as_ref().and_then(answer::request_id),
            display_name: None,
        }
    }
}

/// A `Retry-After` that asks for more than this ends the retries at once.
pub const RETRY_AFTER_LIMIT: Duration = Duration::from_secs(60);
/// Longer waits count as this one: the clock arithmetic cannot overflow, and a script reading
/// `retry_after_s` gets a number every JSON reader holds exactly.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(1_000_000_000);

/// `Retry-After` as delta-seconds or an HTTP-date; a date in the past means now. At most
/// [`RETRY_AFTER_CAP`].
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still "too long to wait".
        let secs = value.parse().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(RETRY_AFTER_CAP));
    }
    let at = match http_date(value)? {
        Some(secs) => UNIX_EPOCH + Duration::from_secs(secs),
        None => return Some(RETRY_AFTER_CAP),
    };
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(RETRY_AFTER_CAP),
    )
}

/// Whether a wait the server asked for ends the retries: more than [`RETRY_AFTER_LIMIT`].
pub fn gives_up(asked: Duration) -> bool {
    asked > RETRY_AFTER_LIMIT
}

/// A wait in whole seconds for `retry_after_s`, rounded up: 0.2 s is 1 s, never "no wait".
pub fn whole_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// Seconds since the epoch of an HTTP-date in any of the three forms of RFC 9110 5.6.7;
/// `Some(None)` for a well-formed date past the year 9999.
fn http_date(s: &str) -> Option<Option<u64>> {
    let words: Vec<&str> = s.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let (day, month, year, time) = match words.as_slice() {
        // Sun, 06 Nov 1994 08:49:37 GMT
        [_, d, m, y, t, "GMT"] => (*d, *m, y.parse::<u64>().ok()?, *t),
        // Sunday, 06-Nov-94 08:49:37 GMT
        [_, dmy, t, "GMT"] => {
            let mut p = dmy.split('-');
            let (d, m, y) = (p.next()?, p.next()?, p.next()?.parse::<u64>().ok()?);
            (d, m, if y < 70 { 2000 + y } else { 1900 + y }, *t)
        }
        // Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] => (*d, *m, y.parse::<u64>().ok()?, *t),
        _ => return None,
    };
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)? as u64 + 1;
    let day: u64 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let mut hms = time.split(':').map(|n| n.parse::<u64>().ok());
    let (h, mi, se) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some() || h > 23 || mi > 59 || se > 60 || year < 1970 {
        return None;
    }
    if year > 9999 {
        return Some(None);
    }
    Some(Some(
        // Years 1970 to 9999: a day count that is never negative.
        calendar::days_from_civil(year as i64, month as i64, day as i64) as u64 * 86_400
            + h * 3600
            + mi * 60
            + se,
    ))
}

/// Exponential backoff before retry `n` (1 for the first retry): 0.5 s doubling, +-20%
/// jitter, at most 8 s. `unit` is a uniform number in [0, 1).
pub fn backoff(n: u32, unit: f64) -> Duration {
    let base = 0.5 * 2f64.powi(n.saturating_sub(1).min(16) as i32);
    let jittered = base * (0.8 + 0.4 * unit);
    Duration::from_secs_f64(jittered.min(8.0))
}

/// A small generator for jitter; spreading retries needs no cryptographic randomness.
pub struct Jitter(u64);

impl Jitter {
    pub fn new() -> Jitter {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        Jitter((nanos ^ (u64::from(std::process::id()) << 32)) | 1)
    }

    pub fn unit(&mut self) -> f64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

impl Default for Jitter {
    fn default() -> Self {
        Jitter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Kind;

    fn answer(status: u16, retry_after: Option<&str>) -> Result<Answer, Lost> {
        Ok(Answer {
            status,
            reason: String::new(),
            request_id: Some(format!("r{status}")),
            retry_after: retry_after.map(str::to_owned),
            location: None,
            waf_block: false,
            body: Vec::new(),
            cut: None,
        })
    }

    fn lost(kind: Kind, maybe_delivered: bool) -> Result<Answer, Lost> {
        Err(Lost {
            error: Error::new(kind, "lost"),
            maybe_delivered,
        })
    }

    /// Sends with `retries`, the n-th attempt answered by `script[n]`; the final result and
    /// what the attempts learned. An attempt beyond the script fails the test.
    fn run(retries: u32, script: Vec<Result<Answer, Lost>>) -> (Result<Answer, Lost>, Tries) {
        let mut tries = Tries::default();
        let mut script = script.into_iter();
        let result = tries.send(retries, || {
            script.next().expect("an attempt beyond the script")
        });
        assert!(script.next().is_none(), "attempts left unmade");
        (result, tries)
    }

    fn status(r: &Result<Answer, Lost>) -> Option<u16> {
        r.as_ref().ok().map(|a| a.status)
    }

    #[test]
    fn a_final_answer_is_not_tried_again() {
        for code in [204, 200, 401, 403, 404, 408, 302] {
            let (result, tries) = run(3, vec![answer(code, None)]);
            assert_eq!(status(&result), Some(code));
            assert_eq!(tries.attempts, 1);
            assert_eq!(tries.last.map(|a| a.status), Some(code));
            assert!(!tries.outcome_unknown);
        }
    }

    #[test]
    fn temporary_answers_are_tried_again_until_one_is_final() {
        let busy = || answer(503, Some("0"));
        let (result, tries) = run(3, vec![busy(), answer(429, Some("0")), answer(204, None)]);
        assert_eq!(status(&result), Some(204));
        assert_eq!(tries.attempts, 3);
        assert_eq!(tries.retry_after_s, Some(0));
        // Retries spent: the last temporary answer is the result.
        let (result, tries) = run(2, vec![busy(), busy(), busy()]);
        assert_eq!(status(&result), Some(503));
        assert_eq!(tries.attempts, 3);
        let (result, tries) = run(0, vec![busy()]);
        assert_eq!((status(&result), tries.attempts), (Some(503), 1));
    }

    #[test]
    fn a_wait_of_more_than_a_minute_ends_the_retries_at_once() {
        let (result, tries) = run(3, vec![answer(429, Some("61"))]);
        assert_eq!(status(&result), Some(429));
        assert_eq!(tries.attempts, 1);
        assert_eq!(tries.retry_after_s, Some(61));
        // A date far away counts as a wait too.
        let (_, tries) = run(3, vec![answer(503, Some("Fri, 31 Dec 9999 23:59:59 GMT"))]);
        assert_eq!(tries.retry_after_s, Some(1_000_000_000));
    }

    #[test]
    fn a_lost_answer_leaves_the_outcome_unknown_only_if_the_request_was_written() {
        let (result, tries) = run(0, vec![lost(Kind::Timeout, true)]);
        assert_eq!(result.unwrap_err().error.kind, Kind::Timeout);
        assert!(tries.outcome_unknown);
        assert_eq!(tries.last.map(|a| a.status), None);
        let (_, tries) = run(0, vec![lost(Kind::Connection, false)]);
        assert!(!tries.outcome_unknown);
        // An answer after a loss keeps the loss in mind, and is the last answer.
        let (result, tries) = run(1, vec![answer(503, Some("0")), lost(Kind::Timeout, true)]);
        assert!(result.is_err());
        assert!(tries.outcome_unknown);
        assert_eq!(
            tries.last.map(|a| a.status),
            Some(503),
            "a 503 followed by a timeout reports 503"
        );
    }

    #[test]
    fn failures_that_are_not_temporary_are_not_tried_again() {
        for kind in [Kind::Tls, Kind::Protocol] {
            let (result, tries) = run(3, vec![lost(kind, false)]);
            assert_eq!(result.unwrap_err().error.kind, kind);
            assert_eq!(tries.attempts, 1);
        }
    }

    #[test]
    fn the_outcome_carries_what_the_attempts_learned() {
        let (_, tries) = run(1, vec![answer(503, Some("0")), answer(503, Some("0"))]);
        let started = Instant::now();
        let error = Error::new(Kind::ServerError, "busy");
        let hint = |k: Kind| (k == Kind::ServerError).then(|| "h".to_owned());
        let o = tries.outcome(Some("acme1".into()), true, started, Err(error), hint);
        assert_eq!(o.id.as_deref(), Some("acme1"));
        assert_eq!((o.attempts, o.http_status), (2, Some(503)));
        assert_eq!(o.request_id.as_deref(), Some("r503"));
        assert!(o.dry_run);
        assert_eq!(o.token_hint.as_deref(), Some("h"));
        assert_eq!(o.result.unwrap_err().retry_after_s, Some(0));
    }

    #[test]
    fn retry_after_forms() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let s = |v| retry_after(v, now).map(|d| d.as_secs());
        assert_eq!(s("0"), Some(0));
        assert_eq!(s(" 120 "), Some(120));
        assert_eq!(s("Sun, 06 Nov 1994 08:49:37 GMT"), Some(0));
        assert_eq!(s("Sun, 06 Nov 1994 08:50:07 GMT"), Some(30));
        assert_eq!(s("Sunday, 06-Nov-94 08:49:47 GMT"), Some(10));
        assert_eq!(s("Sun Nov  6 08:49:57 1994"), Some(20));
        assert_eq!(s("Sat, 05 Nov 1994 08:49:37 GMT"), Some(0));
        assert_eq!(s("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(s("99999999999999999999999"), Some(1_000_000_000));
        assert_eq!(s("1000000001"), Some(1_000_000_000));
        assert_eq!(s("1000000000"), Some(1_000_000_000));
        assert_eq!(s("999999999"), Some(999_999_999));
        assert_eq!(
            s("Sun, 06 Nov 400000000000 08:49:37 GMT"),
            Some(1_000_000_000)
        );
        assert_eq!(s("Fri, 31 Dec 9999 23:59:59 GMT"), Some(1_000_000_000));
        assert_eq!(s("Sun, 06 Nov 2000 08:49:37 GMT"), Some(189_388_800));
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(s(bad), None, "{bad}");
        }
    }

    #[test]
    fn sixty_seconds_wait_and_sixty_one_give_up() {
        assert!(!gives_up(Duration::from_secs(60)));
        assert!(gives_up(Duration::from_millis(60_001)));
        assert!(gives_up(Duration::from_secs(61)));
        assert!(!gives_up(Duration::ZERO));
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::from_millis(3_599_200)), 3600);
        assert_eq!(whole_seconds(Duration::from_secs(3600)), 3600);
        assert_eq!(whole_seconds(Duration::from_millis(200)), 1);
        assert_eq!(whole_seconds(Duration::ZERO), 0);
    }

    #[test]
    fn two_digit_years_and_fields_out_of_range() {
        let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        let s = |v| retry_after(v, now).map(|d| d.as_secs());
        // RFC 850 years: 70 to 99 are 19xx, 00 to 69 are 20xx.
        assert_eq!(s("Thursday, 01-Jan-70 00:00:00 GMT"), Some(0));
        assert_eq!(s("Monday, 06-Nov-00 08:49:37 GMT"), Some(189_388_800));
        assert_eq!(s("Tuesday, 31-Dec-69 23:59:59 GMT"), Some(1_000_000_000));
        // A leap second is a time: 08:50:60 is 08:51:00.
        assert_eq!(s("Sun, 06 Nov 1994 08:50:60 GMT"), Some(83));
        for bad in [
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 06 Nov 1994 08:60:00 GMT",
            "Sun, 06 Nov 1994 08:49:61 GMT",
            "Sun, 06 Nov 1994 08:49:37:00 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
        ] {
            assert_eq!(s(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_year_9999_is_a_date_and_later_ones_are_far() {
        // Fri, 31 Dec 9999 23:59:00 GMT
        let day = calendar::days_from_civil(9999, 12, 31) as u64;
        let now = UNIX_EPOCH + Duration::from_secs(day * 86_400 + 86_340);
        let s = |v| retry_after(v, now);
        assert_eq!(
            s("Fri, 31 Dec 9999 23:59:59 GMT"),
            Some(Duration::from_secs(59))
        );
        assert_eq!(s("Sat, 01 Jan 10000 00:00:00 GMT"), Some(RETRY_AFTER_CAP));
    }

    #[test]
    fn jitter_spreads_evenly_over_the_unit_interval() {
        for seed in [1, 0x9E37_79B9_7F4A_7C15, u64::MAX] {
            let mut j = Jitter(seed);
            let mut deciles = [0u32; 10];
            for _ in 0..10_000 {
                let u = j.unit();
                assert!((0.0..1.0).contains(&u), "seed {seed:#x}: {u}");
                deciles[(u * 10.0) as usize] += 1;
            }
            // 1000 expected in each; a spread of 200 is more than six standard deviations.
            for (i, n) in deciles.iter().enumerate() {
                assert!(
                    (800..=1200).contains(n),
                    "seed {seed:#x}: decile {i} got {n} of 10000: {deciles:?}"
                );
            }
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_cap() {
        assert_eq!(backoff(1, 0.5), Duration::from_millis(500));
        assert_eq!(backoff(2, 0.5), Duration::from_secs(1));
        assert_eq!(backoff(1, 0.0), Duration::from_millis(400));
        assert!(backoff(1, 0.999) < Duration::from_millis(600));
        assert_eq!(backoff(5, 0.5), Duration::from_secs(8));
        assert_eq!(backoff(60, 0.99), Duration::from_secs(8));
        let mut j = Jitter::new();
        assert!((0..1000).map(|_| j.unit()).all(|u| (0.0..1.0).contains(&u)));
    }
}
