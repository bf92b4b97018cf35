//! One organization, from its first request to its [`Outcome`]: retries, the 404 that follows
//! a lost answer, and the dry run's checks.

use crate::answer::{self, status_kind};
use crate::config::Config;
use crate::http::{Answer, Client, Lost};
use crate::outcome::{Done, Error, Kind, Outcome};
use crate::retry::Tries;
use crate::signal;
use std::time::{Duration, Instant};

/// What the requests of one organization have learned so far.
pub struct Organization<'a> {
    client: &'a Client,
    cfg: &'a Config,
    id: String,
    started: Instant,
    tries: Tries,
    pub display_name: Option<String>,
}

impl<'a> Organization<'a> {
    pub fn new(client: &'a Client, cfg: &'a Config, id: &str) -> Organization<'a> {
        Organization {
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
            other => answer::succeeded(other).map(|_| Done::Deleted),
        };
        self.finish(result)
    }

    /// Check without deleting: the organization exists and is readable, the token holds
    /// Organization - Edit, and the organization is not read-only.
    pub fn dry_run(mut self) -> Outcome {
        let result = self.check();
        self.finish(result)
    }

    fn check(&mut self) -> Result<Done, Error> {
        let org = match self.read() {
            Ok(org) => org,
            Err(e) if e.kind == Kind::NotFound && self.cfg.missing_ok => {
                return Ok(Done::AlreadyAbsent)
            }
            Err(e) => return Err(e),
        };
        // Stopping must not cost another request: the line keeps what the GET learned.
        if let Some(s) = signal::caught() {
            return Err(Error::new(
                Kind::Interrupted(s),
                format!(
                    "stopped by {} after the organization was read; the privilege check was not sent",
                    s.name()
                ),
            ));
        }
        // Written out, in the documented order of its keys (serde_json's map sorts them).
        let body = format!(
            r#"{{"organizationId":{},"requestedPrivilege":{{"owner":"PLATFORM","targetDomain":"ORGANIZATION","type":"EDIT","targetId":"*"}}}}"#,
            serde_json::Value::from(self.id.as_str())
        );
        let url = self.cfg.base.privilege_evaluation();
        let evaluation = answer::succeeded(self.send(|c| c.post_json(&url, &body)))?;
        let evaluation = json_object(&evaluation.body).unwrap_or_default();
        let codes = report_codes(&evaluation);
        let has = |code: &str| codes.contains(&code);
        match evaluation.get("approved") {
            Some(serde_json::Value::Bool(true)) => {}
            Some(serde_json::Value::Bool(false)) if has(READ_ONLY_CODE) => {
                return Err(Error::new(Kind::ReadOnly, READ_ONLY))
            }
            Some(serde_json::Value::Bool(false)) if has(ANONYMOUS_CODE) => {
                return Err(Error {
                    hint: Some(ANONYMOUS_HINT),
                    ..Error::new(
                        Kind::Forbidden,
                        format!("the platform refused Organization - Edit to this token ({ANONYMOUS_CODE}): it is not a user's token"),
                    )
                })
            }
            Some(serde_json::Value::Bool(false)) => {
                return Err(Error::new(
                    Kind::Forbidden,
                    "the token lacks the Organization - Edit privilege on this organization",
                ))
            }
            _ => {
                return Err(Error::new(
                    Kind::Protocol,
                    "the privilege evaluation answer has no 'approved' true or false",
                ))
            }
        }
        if org.get("readOnly") == Some(&serde_json::Value::Bool(true)) {
            return Err(Error::new(Kind::ReadOnly, READ_ONLY));
        }
        Ok(Done::WouldDelete)
    }

    /// `GET` the organization; on success its JSON object, and its display name noted.
    pub fn read(&mut self) -> Result<serde_json::Map<String, serde_json::Value>, Error> {
        let url = self.cfg.base.organization(&self.id);
        let a = answer::succeeded(self.send(|c| c.get(&url)))?;
        let org = json_object(&a.body).ok_or_else(|| {
            Error::new(
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
    pub fn learn_display_name(mut self) -> Result<Organization<'a>, Box<Outcome>> {
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
                    .then(|| Err(Error::new(Kind::ReadOnly, READ_ONLY)))
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

impl<'a> Organization<'a> {
    fn send(
        &mut self,
        mut once: impl FnMut(&Client) -> Result<Answer, Lost>,
    ) -> Result<Answer, Lost> {
        let client = self.client;
        self.tries.send(self.cfg.retries, || once(client))
    }

    fn finish(self, result: Result<Done, Error>) -> Outcome {
        Outcome {
            display_name: self.display_name,
            ..self.tries.outcome(
                Some(self.id),
                self.cfg.dry_run,
                self.started,
                result,
                |kind| self.cfg.token_source.hint(kind),
            )
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
    pub fn refused(self, error: Error) -> Outcome {
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
