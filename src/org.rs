//! One organization, from its first request to its [`Outcome`]: retries, the 404 that follows
//! a lost answer, and the dry run's checks.

use crate::answer::{self, status_kind, OrgError};
use crate::config::Config;
use crate::http::{Answer, Client, Lost};
use crate::kind::Kind;
use crate::retry::{self, Jitter};
use crate::signal;
use std::time::{Duration, Instant, SystemTime};

/// How an organization ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Deleted,
    AlreadyAbsent,
    WouldDelete,
}

impl Done {
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Deleted => "deleted",
            Done::AlreadyAbsent => "already_absent",
            Done::WouldDelete => "would_delete",
        }
    }
}

/// Everything one JSON line tells. `id` is `None` for a failure of the whole run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: Option<String>,
    pub result: Result<Done, OrgError>,
    pub dry_run: bool,
    pub http_status: Option<u16>,
    pub attempts: u32,
    pub elapsed_ms: u128,
    pub request_id: Option<String>,
    pub display_name: Option<String>,
    /// The stderr hint after a 401 or 403 when the token's source calls for its own.
    pub token_hint: Option<String>,
}

impl Outcome {
    /// An outcome for which nothing was sent.
    pub fn unsent(id: Option<String>, dry_run: bool, error: OrgError) -> Outcome {
        Outcome {
            id,
            result: Err(error),
            dry_run,
            http_status: None,
            attempts: 0,
            elapsed_ms: 0,
            request_id: None,
            display_name: None,
            token_hint: None,
        }
    }
}

/// What the attempts of one organization (or of one page of the listing) have learned so far.
#[derive(Default)]
pub struct Tries {
    pub attempts: u32,
    pub last: Option<Answer>,
    pub retry_after_s: Option<u64>,
    /// An earlier attempt may have reached the server without its answer reaching us.
    pub outcome_unknown: bool,
}

/// What the requests of one organization have learned so far.
pub struct Org<'a> {
    client: &'a Client,
    cfg: &'a Config,
    id: String,
    started: Instant,
    tries: Tries,
    pub display_name: Option<String>,
}

impl<'a> Org<'a> {
    pub fn new(client: &'a Client, cfg: &'a Config, id: &str) -> Org<'a> {
        Org {
            client,
            cfg,
            id: id.to_owned(),
            started: Instant::now(),
            tries: Tries::default(),
            display_name: None,
        }
    }

    /// `DELETE` the organization, retrying what may be retried.
    pub fn delete(mut self) -> Outcome {
        let url = self.cfg.base.organization(&self.id);
        let result = match self.send(|c| c.delete(&url)) {
            // The organization is gone either way; an earlier attempt may have been the one.
            Ok(a) if a.status == 404 && self.tries.outcome_unknown => Ok(Done::Deleted),
            Ok(a) if a.status == 404 && self.cfg.missing_ok => Ok(Done::AlreadyAbsent),
            other => succeeded(other).map(|_| Done::Deleted),
        };
        self.finish(result)
    }

    /// Check without deleting: the organization exists and is readable, the token holds
    /// Organization - Edit, and the organization is not read-only.
    pub fn dry_run(mut self) -> Outcome {
        let result = self.check();
        self.finish(result)
    }

    fn check(&mut self) -> Result<Done, OrgError> {
        let org = match self.read() {
            Ok(org) => org,
            Err(e) if e.kind == Kind::NotFound && self.cfg.missing_ok => {
                return Ok(Done::AlreadyAbsent)
            }
            Err(e) => return Err(e),
        };
        // Stopping must not cost another request: the line keeps what the GET learned.
        if let Some(s) = signal::caught() {
            return Err(OrgError::new(
                Kind::Interrupted(s),
                format!(
                    "stopped by {} after the organization was read; the privilege check was not sent",
                    s.name()
                ),
            ));
        }
        let body = serde_json::json!({
            "organizationId": self.id,
            "requestedPrivilege": {
                "owner": "PLATFORM",
                "targetDomain": "ORGANIZATION",
                "type": "EDIT",
                "targetId": "*",
            },
        })
        .to_string();
        let url = self.cfg.base.privilege_evaluation();
        let evaluation = succeeded(self.send(|c| c.post_json(&url, &body)))?;
        let evaluation = json_object(&evaluation.body).unwrap_or_default();
        let codes = report_codes(&evaluation);
        let has = |code: &str| codes.contains(&code);
        match evaluation.get("approved") {
            Some(serde_json::Value::Bool(true)) => {}
            Some(serde_json::Value::Bool(false)) if has(READ_ONLY_CODE) => {
                return Err(OrgError::new(Kind::ReadOnly, READ_ONLY))
            }
            Some(serde_json::Value::Bool(false)) if has(ANONYMOUS_CODE) => {
                return Err(OrgError {
                    hint: Some(ANONYMOUS_HINT),
                    ..OrgError::new(
                        Kind::Forbidden,
                        format!("the platform refused Organization - Edit to this token ({ANONYMOUS_CODE}): it is not a user's token"),
                    )
                })
            }
            Some(serde_json::Value::Bool(false)) => {
                return Err(OrgError::new(
                    Kind::Forbidden,
                    "the token lacks the Organization - Edit privilege on this organization",
                ))
            }
            _ => {
                return Err(OrgError::new(
                    Kind::Protocol,
                    "the privilege evaluation answer has no 'approved' true or false",
                ))
            }
        }
        if org.get("readOnly") == Some(&serde_json::Value::Bool(true)) {
            return Err(OrgError::new(Kind::ReadOnly, READ_ONLY));
        }
        Ok(Done::WouldDelete)
    }

    /// `GET` the organization; on success its JSON object, and its display name noted.
    pub fn read(&mut self) -> Result<serde_json::Map<String, serde_json::Value>, OrgError> {
        let url = self.cfg.base.organization(&self.id);
        let a = succeeded(self.send(|c| c.get(&url)))?;
        let org = json_object(&a.body).ok_or_else(|| {
            OrgError::new(
                Kind::Protocol,
                "the organization's description is not a JSON object",
            )
        })?;
        self.note_display_name(&org);
        Ok(org)
    }

    fn note_display_name(&mut self, org: &serde_json::Map<String, serde_json::Value>) {
        if let Some(serde_json::Value::String(name)) = org.get("displayName") {
            self.display_name = Some(answer::clean(name));
        }
    }

    /// Before the prompt: `GET` the organization once, no retry, to show its display name.
    /// An answer that already settles it (401, 403, 404, read-only) is its outcome, `Err`:
    /// typing the ID back would be pointless, and nothing is deleted. No answer, or any other
    /// answer, leaves the prompt to ask anyway.
    pub fn learn_display_name(mut self) -> Result<Org<'a>, Box<Outcome>> {
        let url = self.cfg.base.organization(&self.id);
        self.tries.attempts += 1;
        let Ok(a) = self.client.get(&url) else {
            return Ok(self);
        };
        let settled = match status_kind(a.status) {
            None => {
                let org = json_object(&a.body);
                if let Some(org) = &org {
                    self.note_display_name(org);
                }
                let read_only = org.and_then(|mut o| o.remove("readOnly"));
                (read_only == Some(serde_json::Value::Bool(true)))
                    .then(|| Err(OrgError::new(Kind::ReadOnly, READ_ONLY)))
            }
            Some(_) => match answer::error_of(&a) {
                e if e.kind == Kind::NotFound && self.cfg.missing_ok => {
                    Some(Ok(Done::AlreadyAbsent))
                }
                e if matches!(
                    e.kind,
                    Kind::Unauthorized | Kind::Forbidden | Kind::NotFound | Kind::ReadOnly
                ) =>
                {
                    Some(Err(e))
                }
                _ => None,
            },
        };
        self.tries.last = Some(a);
        match settled {
            Some(result) => Err(Box::new(self.finish(result))),
            None => Ok(self),
        }
    }
}

impl Tries {
    /// Sends until an answer is final or `retries` are spent; the last answer or loss.
    pub fn send(
        &mut self,
        client: &Client,
        retries: u32,
        mut once: impl FnMut(&Client) -> Result<Answer, Lost>,
    ) -> Result<Answer, Lost> {
        let mut jitter = Jitter::new();
        let mut retry = 0;
        loop {
            self.attempts += 1;
            let result = once(client);
            let retryable = match &result {
                Ok(a) => {
                    self.last = Some(a.clone());
                    status_kind(a.status).is_some_and(|k| k.is_retryable())
                }
                Err(lost) => {
                    self.outcome_unknown |= lost.maybe_delivered;
                    lost.kind.is_retryable()
                }
            };
            let asked = match &result {
                Ok(a) => a
                    .retry_after
                    .as_deref()
                    .and_then(|v| retry::retry_after(v, SystemTime::now())),
                Err(_) => None,
            };
            if let Some(d) = asked {
                self.retry_after_s = Some(retry::whole_seconds(d));
            }
            if !retryable
                || retry >= retries
                || asked.is_some_and(retry::gives_up)
                || signal::caught().is_some()
            {
                return result;
            }
            retry += 1;
            let wait = asked.unwrap_or_else(|| retry::backoff(retry, jitter.unit()));
            // A signal during the wait leaves the last attempt's outcome, without a new one.
            if signal::sleep(wait).is_err() {
                return result;
            }
        }
    }

    /// The outcome these attempts lead to, for organization `id` (`None`: the whole run).
    pub fn outcome(
        self,
        cfg: &Config,
        id: Option<String>,
        started: Instant,
        result: Result<Done, OrgError>,
    ) -> Outcome {
        let result = result.map_err(|mut e| {
            e.retry_after_s = self.retry_after_s;
            e
        });
        Outcome {
            id,
            token_hint: result
                .as_ref()
                .err()
                .and_then(|e| cfg.token_source.hint(e.kind)),
            result,
            dry_run: cfg.dry_run,
            http_status: self.last.as_ref().map(|a| a.status),
            attempts: self.attempts,
            elapsed_ms: started.elapsed().as_millis(),
            request_id: self.last.as_ref().and_then(answer::request_id),
            display_name: None,
        }
    }
}

impl<'a> Org<'a> {
    fn send(&mut self, once: impl FnMut(&Client) -> Result<Answer, Lost>) -> Result<Answer, Lost> {
        self.tries.send(self.client, self.cfg.retries, once)
    }

    fn finish(self, result: Result<Done, OrgError>) -> Outcome {
        Outcome {
            display_name: self.display_name,
            ..self
                .tries
                .outcome(self.cfg, Some(self.id), self.started, result)
        }
    }

    /// Leaves `waited` out of `elapsed_ms`: time spent at the prompt is the person's, not the
    /// platform's.
    pub fn leave_out(&mut self, waited: Duration) {
        self.started = self
            .started
            .checked_add(waited)
            .unwrap_or_else(Instant::now);
    }

    /// The outcome of an organization that is not deleted because the prompt was refused.
    pub fn refused(self, error: OrgError) -> Outcome {
        self.finish(Err(error))
    }
}

const READ_ONLY: &str = "the organization is read-only (paused)";

const READ_ONLY_CODE: &str = "OPERATION_FORBIDDEN_FOR_ORGANIZATION_IN_READ_ONLY";
const ANONYMOUS_CODE: &str = "OPERATION_FORBIDDEN_FOR_ANONYMOUS_AUTHENTICATION";
const ANONYMOUS_HINT: &str = "hint: the platform says this token is not tied to a user (an API key or a platform token is not); only a user's login, such as 'coveo auth:login', with the Organization - Edit privilege can delete organizations";

/// The result codes of a privilege evaluation's `evaluationReport`, which may be one code (as
/// Coveo's own client types it) or an object holding a list of them
/// (`privilegeEvaluationResultCodes`): the platform's real shape is not documented, so both.
fn report_codes(evaluation: &serde_json::Map<String, serde_json::Value>) -> Vec<&str> {
    match evaluation.get("evaluationReport") {
        Some(serde_json::Value::String(code)) => vec![code.as_str()],
        Some(report) => report
            .get("privilegeEvaluationResultCodes")
            .and_then(|c| c.as_array())
            .map_or_else(Vec::new, |codes| {
                codes.iter().filter_map(|c| c.as_str()).collect()
            }),
        None => Vec::new(),
    }
}

/// A 2xx answer, or the error that the answer or its absence stands for.
pub fn succeeded(r: Result<Answer, Lost>) -> Result<Answer, OrgError> {
    match r {
        Ok(a) if status_kind(a.status).is_none() => Ok(a),
        Ok(a) => Err(answer::error_of(&a)),
        // ureq's words about a failure may quote what the server sent.
        Err(lost) => Err(OrgError::new(lost.kind, answer::clean(&lost.message))),
    }
}

fn json_object(body: &[u8]) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(o)) => Some(o),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(report: serde_json::Value) -> Vec<String> {
        let evaluation = serde_json::json!({"approved": false, "evaluationReport": report});
        let object = evaluation.as_object().expect("an object").clone();
        report_codes(&object)
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn an_evaluation_report_is_one_code_or_an_object_of_codes() {
        assert_eq!(codes(serde_json::json!(READ_ONLY_CODE)), [READ_ONLY_CODE]);
        assert_eq!(
            codes(serde_json::json!({"privilegeEvaluationResultCodes": ["A", ANONYMOUS_CODE, 5]})),
            ["A", ANONYMOUS_CODE]
        );
        assert!(codes(serde_json::json!({"other": [READ_ONLY_CODE]})).is_empty());
        assert!(codes(serde_json::json!(7)).is_empty());
        assert!(codes(serde_json::Value::Null).is_empty());
    }
}
