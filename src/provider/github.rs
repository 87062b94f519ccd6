//! GitHub: `X-Hub-Signature-256` over the raw body, events by `X-GitHub-Event`.

use super::payload::PayloadKeys;
use super::{
    bool_at, git_push, header_str, str_at, string_at, u64_at, Normalized, Outcome, PayloadError, Provider,
    ProviderId, RawDelivery,
};
use crate::config::GithubConfig;
use crate::event::{
    branch_name, login_is_bot, Action, Comment, Kind, PrState, PullRequest, Repository, Sender,
};
use crate::verify::{verify_hex_hmac, AuthError, HexAlgorithm};
use axum::http::HeaderMap;
use serde_json::Value;

const EVENT_HEADER: &str = "X-GitHub-Event";
const DELIVERY_HEADER: &str = "X-GitHub-Delivery";
const SHA256_HEADER: &str = "X-Hub-Signature-256";
const SHA1_HEADER: &str = "X-Hub-Signature";

/// Every member name read below and by the reply target in `api/github.rs`.
const PAYLOAD_KEYS: PayloadKeys = PayloadKeys {
    read: &[
        "action", "after", "base", "before", "body", "comment", "diff_hunk", "draft", "full_name", "head", "html_url",
        "id", "installation", "issue", "labels", "login", "merged", "merged_at", "name", "number", "pull_request",
        "pull_request_review_id", "ref", "repository", "review", "sender", "sha", "state", "title", "type", "user",
    ],
    whole: &[],
};

pub struct Github {
    config: GithubConfig,
}

impl Github {
    pub fn new(config: GithubConfig) -> Github {
        Github { config }
    }
}

impl Provider for Github {
    fn id(&self) -> ProviderId {
        ProviderId::Github
    }

    fn detect(&self, headers: &HeaderMap) -> bool {
        headers.contains_key(EVENT_HEADER)
    }

    fn verify(&self, delivery: &RawDelivery<'_>) -> Result<(), AuthError> {
        let secrets = self.config.webhook_secret.as_ref().ok_or(AuthError::NoSecret)?;
        if let Some(value) = delivery.headers.get(SHA256_HEADER) {
            return verify_hex_hmac(SHA256_HEADER, value.as_bytes(), HexAlgorithm::Sha256, secrets, delivery.body);
        }
        match delivery.headers.get(SHA1_HEADER) {
            Some(value) if self.config.allow_sha1 => {
                verify_hex_hmac(SHA1_HEADER, value.as_bytes(), HexAlgorithm::Sha1, secrets, delivery.body)
            }
            _ => Err(AuthError::Missing(SHA256_HEADER)),
        }
    }

    fn accepts_form(&self) -> bool {
        true
    }

    fn event_name(&self, headers: &HeaderMap, _payload: &Value) -> Result<String, PayloadError> {
        header_str(headers, EVENT_HEADER)
            .map(str::to_owned)
            .ok_or_else(|| PayloadError(format!("the {EVENT_HEADER} header is missing")))
    }

    fn delivery_id(&self, headers: &HeaderMap, _payload: &Value) -> Option<String> {
        header_str(headers, DELIVERY_HEADER).filter(|id| !id.is_empty()).map(str::to_owned)
    }

    fn payload_keys(&self) -> Option<&'static PayloadKeys> {
        Some(&PAYLOAD_KEYS)
    }

    fn normalize(&self, event: &str, payload: &Value) -> Result<Outcome, PayloadError> {
        if !payload.is_object() {
            return Err(PayloadError("the payload is not a JSON object".into()));
        }
        match event {
            "ping" => Ok(Outcome::Pong),
            "pull_request" => normalize_pull_request(payload).map(Outcome::Event),
            "issue_comment" => normalize_issue_comment(payload),
            "pull_request_review" => normalize_review(payload).map(Outcome::Event),
            "pull_request_review_comment" => normalize_review_comment(payload).map(Outcome::Event),
            "push" => normalize_push(payload).map(Outcome::Event),
            _ => Ok(Outcome::Event(normalize_other(payload))),
        }
    }
}

fn repository(payload: &Value) -> Option<Repository> {
    Some(Repository {
        full_name: string_at(payload, "repository.full_name")?,
        url: string_at(payload, "repository.html_url"),
    })
}

fn sender(payload: &Value) -> Option<Sender> {
    let login = string_at(payload, "sender.login")?;
    let is_bot = login_is_bot(&login) || str_at(payload, "sender.type") == Some("Bot");
    Some(Sender { login, is_bot })
}

fn user_is_bot(user: &Value) -> bool {
    str_at(user, "login").is_some_and(login_is_bot) || str_at(user, "type") == Some("Bot")
}

fn labels(object: &Value) -> Vec<String> {
    object
        .get("labels")
        .and_then(Value::as_array)
        .map(|labels| labels.iter().filter_map(|label| string_at(label, "name")).collect())
        .unwrap_or_default()
}

/// Reads a `pull_request` object (from `pull_request` events, reviews and review comments).
fn pull_request(object: &Value) -> Result<PullRequest, PayloadError> {
    let number = u64_at(object, "number").ok_or_else(|| PayloadError::missing("pull_request.number"))?;
    let state = if object.get("merged").and_then(Value::as_bool) == Some(true)
        || object.get("merged_at").is_some_and(|merged| !merged.is_null())
    {
        PrState::Merged
    } else if str_at(object, "state") == Some("closed") {
        PrState::Closed
    } else {
        PrState::Open
    };
    let user = object.get("user").cloned().unwrap_or(Value::Null);
    Ok(PullRequest {
        number,
        title: string_at(object, "title").unwrap_or_default(),
        url: string_at(object, "html_url"),
        author: string_at(&user, "login"),
        author_is_bot: user_is_bot(&user),
        source_branch: str_at(object, "head.ref").map(branch_name),
        target_branch: str_at(object, "base.ref").map(branch_name),
        head_sha: string_at(object, "head.sha"),
        labels: labels(object),
        draft: bool_at(object, "draft").unwrap_or(false),
        state,
    })
}

fn required_pull_request(payload: &Value) -> Result<PullRequest, PayloadError> {
    match payload.get("pull_request") {
        Some(object) if object.is_object() => pull_request(object),
        _ => Err(PayloadError::missing("pull_request object")),
    }
}

fn normalize_pull_request(payload: &Value) -> Result<Normalized, PayloadError> {
    let pull_request = required_pull_request(payload)?;
    let action = match str_at(payload, "action") {
        Some("opened") => Action::Opened,
        Some("reopened") => Action::Reopened,
        Some("closed") if pull_request.state == PrState::Merged => Action::Merged,
        Some("closed") => Action::Closed,
        Some("edited") => Action::Edited,
        Some("synchronize") => Action::Synchronized,
        Some("ready_for_review") => Action::ReadyForReview,
        Some("converted_to_draft") => Action::ConvertedToDraft,
        Some("labeled") => Action::Labeled,
        Some("unlabeled") => Action::Unlabeled,
        Some(
            "assigned" | "unassigned" | "review_requested" | "review_request_removed" | "auto_merge_enabled"
            | "auto_merge_disabled" | "enqueued" | "dequeued" | "locked" | "unlocked" | "milestoned"
            | "demilestoned",
        ) => Action::Updated,
        _ => Action::Other,
    };
    let mut event = Normalized::new(Kind::PullRequest, action);
    event.repository = repository(payload);
    event.sender = sender(payload);
    event.pull_request = Some(pull_request);
    Ok(event)
}

/// `issue_comment`: a comment on a pull request, or on a plain issue (ignored).
fn normalize_issue_comment(payload: &Value) -> Result<Outcome, PayloadError> {
    let issue = payload.get("issue").filter(|issue| issue.is_object()).ok_or_else(|| PayloadError::missing("issue object"))?;
    let comment = payload.get("comment").filter(|comment| comment.is_object()).ok_or_else(|| PayloadError::missing("comment object"))?;
    if issue.get("pull_request").is_none_or(Value::is_null) {
        return Ok(Outcome::Ignored("issue_comment on an issue, not a pull request".into()));
    }
    let number = u64_at(issue, "number").ok_or_else(|| PayloadError::missing("issue.number"))?;
    let user = issue.get("user").cloned().unwrap_or(Value::Null);
    let state = if issue.get("pull_request").and_then(|pr| pr.get("merged_at")).is_some_and(|merged| !merged.is_null()) {
        PrState::Merged
    } else if str_at(issue, "state") == Some("closed") {
        PrState::Closed
    } else {
        PrState::Open
    };
    let pull_request = PullRequest {
        number,
        title: string_at(issue, "title").unwrap_or_default(),
        url: string_at(issue, "pull_request.html_url").or_else(|| string_at(issue, "html_url")),
        author: string_at(&user, "login"),
        author_is_bot: user_is_bot(&user),
        source_branch: None,
        target_branch: None,
        head_sha: None,
        labels: labels(issue),
        draft: bool_at(issue, "draft").unwrap_or(false),
        state,
    };
    let action = match str_at(payload, "action") {
        Some("created") => Action::Commented,
        Some("edited" | "deleted") => Action::Updated,
        _ => Action::Other,
    };
    let mut event = Normalized::new(Kind::Comment, action);
    event.repository = repository(payload);
    event.sender = sender(payload);
    event.pull_request = Some(pull_request);
    event.comment = Some(comment_of(comment));
    Ok(Outcome::Event(event))
}

fn comment_of(comment: &Value) -> Comment {
    Comment {
        body: string_at(comment, "body").unwrap_or_default(),
        author: string_at(comment, "user.login"),
        url: string_at(comment, "html_url"),
    }
}

fn normalize_review(payload: &Value) -> Result<Normalized, PayloadError> {
    let pull_request = required_pull_request(payload)?;
    let review = payload.get("review").filter(|review| review.is_object()).ok_or_else(|| PayloadError::missing("review object"))?;
    let action = match str_at(payload, "action") {
        Some("submitted") => Action::Reviewed,
        Some("edited" | "dismissed") => Action::Updated,
        _ => Action::Other,
    };
    let mut event = Normalized::new(Kind::Review, action);
    event.repository = repository(payload);
    event.sender = sender(payload);
    event.pull_request = Some(pull_request);
    event.comment = Some(comment_of(review));
    Ok(event)
}

fn normalize_review_comment(payload: &Value) -> Result<Normalized, PayloadError> {
    let pull_request = required_pull_request(payload)?;
    let comment = payload.get("comment").filter(|comment| comment.is_object()).ok_or_else(|| PayloadError::missing("comment object"))?;
    let action = match str_at(payload, "action") {
        Some("created") => Action::Commented,
        Some("edited" | "deleted") => Action::Updated,
        _ => Action::Other,
    };
    let mut event = Normalized::new(Kind::Comment, action);
    event.repository = repository(payload);
    event.sender = sender(payload);
    event.pull_request = Some(pull_request);
    event.comment = Some(comment_of(comment));
    Ok(event)
}

fn normalize_push(payload: &Value) -> Result<Normalized, PayloadError> {
    let mut event = Normalized::new(Kind::Push, Action::Pushed);
    event.push = Some(git_push(payload)?);
    event.repository = repository(payload);
    event.sender = sender(payload);
    Ok(event)
}

/// Any event prhook does not model: kind `other`, with what it can name.
fn normalize_other(payload: &Value) -> Normalized {
    let mut event = Normalized::new(Kind::Other, Action::Other);
    event.repository = repository(payload);
    event.sender = sender(payload);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::{Secret, SecretList};
    use axum::http::HeaderValue;
    use serde_json::json;

    fn github(allow_sha1: bool) -> Github {
        Github::new(GithubConfig {
            webhook_secret: Some(SecretList::single(Secret::new("It's a Secret to Everybody"))),
            allow_sha1,
            ..GithubConfig::default()
        })
    }

    fn verify(provider: &Github, headers: &[(&'static str, &str)], body: &[u8]) -> Result<(), AuthError> {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        provider.verify(&RawDelivery { headers: &map, body, now_unix: 0 })
    }

    const VECTOR_SIGNATURE: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn documented_vector_accepted() {
        let result = verify(&github(false), &[("x-hub-signature-256", VECTOR_SIGNATURE)], b"Hello, World!");
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn missing_signature() {
        let result = verify(&github(false), &[], b"Hello, World!");
        assert_eq!(result, Err(AuthError::Missing(SHA256_HEADER)));
    }

    #[test]
    fn sha1_refused_by_default() {
        let sha1 = format!("sha1={}", hex::encode(crate::verify::hmac_sha1(b"It's a Secret to Everybody", b"Hello, World!")));
        let result = verify(&github(false), &[("x-hub-signature", &sha1)], b"Hello, World!");
        assert_eq!(result, Err(AuthError::Missing(SHA256_HEADER)));
    }

    #[test]
    fn sha1_accepted_when_allowed() {
        let sha1 = format!("sha1={}", hex::encode(crate::verify::hmac_sha1(b"It's a Secret to Everybody", b"Hello, World!")));
        let result = verify(&github(true), &[("x-hub-signature", &sha1)], b"Hello, World!");
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn no_secret_fails_closed() {
        let provider = Github::new(GithubConfig::default());
        let result = verify(&provider, &[("x-hub-signature-256", VECTOR_SIGNATURE)], b"Hello, World!");
        assert_eq!(result, Err(AuthError::NoSecret));
    }

    fn pr_payload(action: &str) -> Value {
        json!({
            "action": action,
            "number": 7,
            "pull_request": {
                "number": 7,
                "title": "Add retry budget",
                "html_url": "https://github.com/acme/rocket/pull/7",
                "state": "open",
                "draft": false,
                "merged": false,
                "user": {"login": "ada", "type": "User"},
                "labels": [{"name": "backend"}, {"name": "needs-review"}],
                "head": {"ref": "feature/retry", "sha": "0d1e2f"},
                "base": {"ref": "main", "sha": "a1b2c3"}
            },
            "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
            "sender": {"login": "ada", "type": "User"}
        })
    }

    fn normalize(event: &str, payload: &Value) -> Normalized {
        match crate::provider::checked_normalize(&github(false), event, payload).unwrap() {
            Outcome::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[test]
    fn pull_request_opened() {
        let event = normalize("pull_request", &pr_payload("opened"));
        let pr = event.pull_request.unwrap();
        assert_eq!(event.kind, Kind::PullRequest);
        assert_eq!(event.action, Action::Opened);
        assert_eq!(pr.number, 7);
        assert_eq!(pr.author.as_deref(), Some("ada"));
        assert_eq!(pr.source_branch.as_deref(), Some("feature/retry"));
        assert_eq!(pr.target_branch.as_deref(), Some("main"));
        assert_eq!(pr.head_sha.as_deref(), Some("0d1e2f"));
        assert_eq!(pr.labels, vec!["backend", "needs-review"]);
        assert_eq!(event.repository.unwrap().full_name, "acme/rocket");
    }

    #[test]
    fn pull_request_actions() {
        let cases = [
            ("reopened", Action::Reopened),
            ("edited", Action::Edited),
            ("synchronize", Action::Synchronized),
            ("ready_for_review", Action::ReadyForReview),
            ("converted_to_draft", Action::ConvertedToDraft),
            ("labeled", Action::Labeled),
            ("unlabeled", Action::Unlabeled),
            ("review_requested", Action::Updated),
            ("closed", Action::Closed),
            ("some_future_action", Action::Other),
        ];
        for (github_action, expected) in cases {
            let event = normalize("pull_request", &pr_payload(github_action));
            assert_eq!(event.action, expected, "action {github_action}");
        }
    }

    #[test]
    fn closed_with_merge_is_merged() {
        let mut payload = pr_payload("closed");
        payload["pull_request"]["merged"] = json!(true);
        payload["pull_request"]["state"] = json!("closed");
        let event = normalize("pull_request", &payload);
        assert_eq!(event.action, Action::Merged);
        assert_eq!(event.pull_request.unwrap().state, PrState::Merged);
    }

    #[test]
    fn pull_request_without_object_is_malformed() {
        let result = crate::provider::checked_normalize(&github(false), "pull_request", &json!({"action": "opened"}));
        assert!(result.is_err());
    }

    #[test]
    fn bot_sender_detected() {
        let mut payload = pr_payload("opened");
        payload["sender"] = json!({"login": "renovate[bot]", "type": "Bot"});
        payload["pull_request"]["user"] = json!({"login": "helper", "type": "Bot"});
        let event = normalize("pull_request", &payload);
        assert!(event.sender.unwrap().is_bot);
        assert!(event.pull_request.unwrap().author_is_bot);
    }

    fn issue_comment(on_pull_request: bool) -> Value {
        let mut issue = json!({
            "number": 12,
            "title": "Speed up the parser",
            "html_url": "https://github.com/acme/rocket/pull/12",
            "state": "open",
            "user": {"login": "grace", "type": "User"},
            "labels": []
        });
        if on_pull_request {
            issue["pull_request"] = json!({"html_url": "https://github.com/acme/rocket/pull/12", "merged_at": null});
        }
        json!({
            "action": "created",
            "issue": issue,
            "comment": {"body": "/review --fast", "user": {"login": "linus"}, "html_url": "https://github.com/acme/rocket/pull/12#issuecomment-1"},
            "repository": {"full_name": "acme/rocket", "html_url": "https://github.com/acme/rocket"},
            "sender": {"login": "linus", "type": "User"}
        })
    }

    #[test]
    fn comment_on_pull_request() {
        let event = normalize("issue_comment", &issue_comment(true));
        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.action, Action::Commented);
        assert_eq!(event.pull_request.unwrap().number, 12);
        assert_eq!(event.comment.unwrap().body, "/review --fast");
    }

    #[test]
    fn comment_on_issue_is_ignored() {
        let outcome = crate::provider::checked_normalize(&github(false), "issue_comment", &issue_comment(false)).unwrap();
        assert!(matches!(outcome, Outcome::Ignored(_)));
    }

    #[test]
    fn merged_at_alone_is_merged() {
        let mut payload = pr_payload("closed");
        payload["pull_request"]["merged"] = Value::Null;
        payload["pull_request"]["merged_at"] = json!("2026-11-30T10:00:00Z");
        let event = normalize("pull_request", &payload);
        assert_eq!(event.action, Action::Merged);
    }

    #[test]
    fn app_review_comment_names_its_target() {
        let mut payload = pr_payload("created");
        payload["installation"] = json!({"id": 4242, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDI0Mg=="});
        payload["comment"] = json!({
            "id": 91,
            "body": "/review",
            "diff_hunk": "@@ -1,3 +1,4 @@",
            "pull_request_review_id": 17,
            "user": {"login": "linus"},
        });
        let event = normalize("pull_request_review_comment", &payload);
        assert_eq!(event.comment.unwrap().body, "/review");
    }

    #[test]
    fn review_submitted() {
        let mut payload = pr_payload("submitted");
        payload["review"] = json!({"body": "Looks good", "user": {"login": "linus"}, "html_url": "https://github.com/acme/rocket/pull/7#pullrequestreview-1"});
        let event = normalize("pull_request_review", &payload);
        assert_eq!(event.kind, Kind::Review);
        assert_eq!(event.action, Action::Reviewed);
        assert_eq!(event.comment.unwrap().author.as_deref(), Some("linus"));
    }

    #[test]
    fn review_comment_created() {
        let mut payload = pr_payload("created");
        payload["comment"] = json!({"body": "nit: rename", "user": {"login": "linus"}, "html_url": "https://github.com/acme/rocket/pull/7#discussion_r1"});
        let event = normalize("pull_request_review_comment", &payload);
        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.action, Action::Commented);
    }

    #[test]
    fn push_to_branch() {
        let payload = json!({
            "ref": "refs/heads/main", "before": "111", "after": "222",
            "repository": {"full_name": "acme/rocket"}, "sender": {"login": "ada"}
        });
        let event = normalize("push", &payload);
        let push = event.push.unwrap();
        assert_eq!(event.action, Action::Pushed);
        assert_eq!(push.branch.as_deref(), Some("main"));
        assert_eq!(push.after.as_deref(), Some("222"));
    }

    #[test]
    fn ping_is_pong() {
        let outcome = crate::provider::checked_normalize(&github(false), "ping", &json!({"zen": "Keep it simple."})).unwrap();
        assert_eq!(outcome, Outcome::Pong);
    }

    #[test]
    fn unknown_event_is_other() {
        let event = normalize("star", &json!({"action": "created", "repository": {"full_name": "acme/rocket"}}));
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.action, Action::Other);
    }
}
