//! Bitbucket Server and Data Center: `X-Hub-Signature: sha256=<hex>` over the
//! raw body, events by `X-Event-Key`, delivery ids by `X-Request-Id`.
//!
//! Bitbucket sends the "Test connection" request as `diagnostics:ping`
//! with the body `{"test": true}` and no signature, so that event gets a
//! `pong` response before verification and never reaches the queue.

use super::{
    bool_at, header_str, json_at, str_at, string_at, u64_at, Normalized, Outcome, PayloadError, Provider,
    ProviderId, RawDelivery,
};
use crate::config::BitbucketServerConfig;
use crate::event::{
    branch_name, login_is_bot, Action, Comment, Kind, PrState, PullRequest, Push, Repository, Sender,
};
use crate::verify::{verify_hex_hmac, AuthError, HexAlgorithm};
use axum::http::HeaderMap;
use serde_json::Value;

const EVENT_HEADER: &str = "X-Event-Key";
const DELIVERY_HEADER: &str = "X-Request-Id";
const SIGNATURE_HEADER: &str = "X-Hub-Signature";
const PING_EVENT: &str = "diagnostics:ping";

/// The user `type` of Bitbucket accounts that no person signs in to
/// (`UserType.SERVICE` in Bitbucket's Java API), used by automation.
const SERVICE_USER_TYPE: &str = "SERVICE";

pub struct BitbucketServer {
    config: BitbucketServerConfig,
}

impl BitbucketServer {
    pub fn new(config: BitbucketServerConfig) -> BitbucketServer {
        BitbucketServer { config }
    }
}

impl Provider for BitbucketServer {
    fn id(&self) -> ProviderId {
        ProviderId::BitbucketServer
    }

    fn detect(&self, headers: &HeaderMap) -> bool {
        headers.contains_key(EVENT_HEADER)
    }

    fn unauthenticated_outcome(&self, headers: &HeaderMap, _body: &[u8]) -> Option<Outcome> {
        // The body of a connection test is `{"test": true}`, but it carries
        // nothing to act on, so the outcome depends on the header alone.
        (header_str(headers, EVENT_HEADER) == Some(PING_EVENT)).then_some(Outcome::Pong)
    }

    fn verify(&self, delivery: &RawDelivery<'_>) -> Result<(), AuthError> {
        let secrets = self.config.webhook_secret.as_ref().ok_or(AuthError::NoSecret)?;
        let value = delivery.headers.get(SIGNATURE_HEADER).ok_or(AuthError::Missing(SIGNATURE_HEADER))?;
        verify_hex_hmac(SIGNATURE_HEADER, value.as_bytes(), HexAlgorithm::Sha256, secrets, delivery.body)
    }

    /// Reads `X-Event-Key`, or the body's `eventKey` when the header is
    /// absent (possible only on the named route, which skips detection).
    fn event_name(&self, headers: &HeaderMap, payload: &Value) -> Result<String, PayloadError> {
        header_str(headers, EVENT_HEADER)
            .or_else(|| str_at(payload, "eventKey"))
            .map(str::to_owned)
            .ok_or_else(|| PayloadError(format!("the {EVENT_HEADER} header is missing")))
    }

    fn delivery_id(&self, headers: &HeaderMap, _payload: &Value) -> Option<String> {
        header_str(headers, DELIVERY_HEADER).filter(|id| !id.is_empty()).map(str::to_owned)
    }

    fn normalize(&self, event: &str, payload: &Value) -> Result<Outcome, PayloadError> {
        if event == PING_EVENT {
            return Ok(Outcome::Pong);
        }
        if !payload.is_object() {
            return Err(PayloadError("the payload is not a JSON object".into()));
        }
        if event.starts_with("pr:") {
            return normalize_pull_request_event(event, payload).map(Outcome::Event);
        }
        match event {
            "repo:refs_changed" => normalize_push(payload).map(Outcome::Event),
            _ => Ok(Outcome::Event(normalize_other(payload))),
        }
    }
}

/// Maps a `pr:*` event key to a kind and action.
fn classify_pull_request_event(event: &str) -> (Kind, Action) {
    match event {
        "pr:opened" => (Kind::PullRequest, Action::Opened),
        "pr:from_ref_updated" => (Kind::PullRequest, Action::Synchronized),
        // Sent when the title, the description or the target branch changes.
        "pr:modified" => (Kind::PullRequest, Action::Edited),
        "pr:merged" => (Kind::PullRequest, Action::Merged),
        // A deleted pull request is gone for good, which is closer to a
        // decline than to any other action.
        "pr:declined" | "pr:deleted" => (Kind::PullRequest, Action::Closed),
        // The reviewer list changed.
        "pr:reviewer:updated" => (Kind::PullRequest, Action::Updated),
        // `changes_requested` is read too because some Bitbucket
        // documentation and client libraries name the "needs work" outcome so.
        "pr:reviewer:approved"
        | "pr:reviewer:unapproved"
        | "pr:reviewer:needs_work"
        | "pr:reviewer:changes_requested" => (Kind::Review, Action::Reviewed),
        "pr:comment:added" => (Kind::Comment, Action::Commented),
        "pr:comment:edited" | "pr:comment:deleted" => (Kind::Comment, Action::Updated),
        _ => (Kind::Other, Action::Other),
    }
}

fn normalize_pull_request_event(event: &str, payload: &Value) -> Result<Normalized, PayloadError> {
    let object = payload
        .get("pullRequest")
        .filter(|object| object.is_object())
        .ok_or_else(|| PayloadError::missing("pullRequest object"))?;
    let pull_request = pull_request(object)?;
    let (kind, action) = classify_pull_request_event(event);

    let mut normalized = Normalized::new(kind, action);
    normalized.repository = json_at(object, "toRef.repository")
        .and_then(repository)
        .or_else(|| payload.get("repository").and_then(repository));
    normalized.sender = sender(payload);
    if kind == Kind::Comment {
        let comment = payload
            .get("comment")
            .filter(|comment| comment.is_object())
            .ok_or_else(|| PayloadError::missing("comment object"))?;
        normalized.comment = Some(Comment {
            body: string_at(comment, "text").unwrap_or_default(),
            author: string_at(comment, "author.name"),
            // The payload links no single comment, so this points at the pull request.
            url: pull_request.url.clone(),
        });
    }
    // Approvals and "needs work" carry no text, so a review's `comment`
    // stays null. The reviewer is the sender (`actor`).
    normalized.pull_request = Some(pull_request);
    Ok(normalized)
}

/// Reads a `pullRequest` object.
fn pull_request(object: &Value) -> Result<PullRequest, PayloadError> {
    let number = u64_at(object, "id").ok_or_else(|| PayloadError::missing("pullRequest.id"))?;
    let state = match str_at(object, "state") {
        Some("MERGED") => PrState::Merged,
        Some("DECLINED") => PrState::Closed,
        _ => PrState::Open,
    };
    let author = json_at(object, "author.user");
    Ok(PullRequest {
        number,
        title: string_at(object, "title").unwrap_or_default(),
        // Older payloads have no `links`.
        url: string_at(object, "links.self.0.href"),
        author: author.and_then(|user| string_at(user, "name")),
        author_is_bot: author.is_some_and(user_is_bot),
        source_branch: object.get("fromRef").and_then(pull_request_branch),
        target_branch: object.get("toRef").and_then(pull_request_branch),
        head_sha: string_at(object, "fromRef.latestCommit"),
        // Bitbucket Server pull requests have no labels.
        labels: Vec::new(),
        // Older payloads have no `draft` key.
        draft: bool_at(object, "draft").unwrap_or(false),
        state,
    })
}

/// Reads the branch of a pull request's `fromRef` or `toRef`.
fn pull_request_branch(reference: &Value) -> Option<String> {
    string_at(reference, "displayId").or_else(|| str_at(reference, "id").map(branch_name))
}

/// Reads a repository object: `PROJECT/slug`, where personal projects
/// have keys such as `~gopher`.
fn repository(object: &Value) -> Option<Repository> {
    let key = str_at(object, "project.key")?;
    let slug = str_at(object, "slug")?;
    Some(Repository {
        full_name: format!("{key}/{slug}"),
        url: string_at(object, "links.self.0.href"),
    })
}

fn user_is_bot(user: &Value) -> bool {
    str_at(user, "type") == Some(SERVICE_USER_TYPE) || str_at(user, "name").is_some_and(login_is_bot)
}

fn sender(payload: &Value) -> Option<Sender> {
    let actor = payload.get("actor")?;
    Some(Sender {
        login: string_at(actor, "name")?,
        is_bot: user_is_bot(actor),
    })
}

/// `repo:refs_changed`.
///
/// NOTE: one delivery may list several changed refs. Only the first is
/// reported, because the normalized event contains one push.
fn normalize_push(payload: &Value) -> Result<Normalized, PayloadError> {
    let change = json_at(payload, "changes.0")
        .filter(|change| change.is_object())
        .ok_or_else(|| PayloadError::missing("changes[0] object"))?;
    // The full ref name keeps the `refs/tags/` prefix of a tag push, so a
    // tag cannot pass for a branch of the same name.
    let branch = str_at(change, "refId")
        .or_else(|| str_at(change, "ref.id"))
        .map(branch_name)
        .or_else(|| string_at(change, "ref.displayId"));

    let mut event = Normalized::new(Kind::Push, Action::Pushed);
    event.repository = payload.get("repository").and_then(repository);
    event.sender = sender(payload);
    event.push = Some(Push {
        branch,
        before: string_at(change, "fromHash"),
        after: string_at(change, "toHash"),
    });
    Ok(event)
}

/// Any event prhook does not model (`mirror:repo_synchronized`,
/// `repo:modified`, ...): kind `other`, with what it can name.
fn normalize_other(payload: &Value) -> Normalized {
    let mut event = Normalized::new(Kind::Other, Action::Other);
    // `repo:modified` has `old` and `new` in place of `repository`.
    event.repository = payload
        .get("repository")
        .or_else(|| payload.get("new"))
        .and_then(repository);
    event.sender = sender(payload);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::{Secret, SecretList};
    use crate::verify::hmac_sha256;
    use axum::http::HeaderValue;
    use serde_json::json;

    const SECRET: &str = "rotate-me-often";

    fn provider() -> BitbucketServer {
        BitbucketServer::new(BitbucketServerConfig {
            webhook_secret: Some(SecretList::single(Secret::new(SECRET))),
            ..BitbucketServerConfig::default()
        })
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn verify(provider: &BitbucketServer, pairs: &[(&'static str, &str)], body: &[u8]) -> Result<(), AuthError> {
        let map = headers(pairs);
        provider.verify(&RawDelivery { headers: &map, body, now_unix: 0 })
    }

    fn sign(secret: &str, body: &[u8]) -> String {
        format!("sha256={}", hex::encode(hmac_sha256(secret.as_bytes(), &[body])))
    }

    // Computed with Python's `hmac.new(b"rotate-me-often", body, hashlib.sha256)`.
    const VECTOR_BODY: &[u8] = br#"{"eventKey":"pr:opened"}"#;
    const VECTOR_SIGNATURE: &str = "sha256=9d82747071c56f5c82f959662183906d1149835ab5bf247d0766fec418e99ffb";

    #[test]
    fn signature_vector_accepted() {
        let result = verify(&provider(), &[("x-hub-signature", VECTOR_SIGNATURE)], VECTOR_BODY);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn signature_over_body_accepted() {
        let body = br#"{"eventKey":"pr:merged","pullRequest":{"id":3}}"#;
        let result = verify(&provider(), &[("x-hub-signature", &sign(SECRET, body))], body);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn signature_wrong_secret_mismatch() {
        let result = verify(&provider(), &[("x-hub-signature", &sign("not-the-secret", VECTOR_BODY))], VECTOR_BODY);
        assert_eq!(result, Err(AuthError::Mismatch(SIGNATURE_HEADER)));
    }

    #[test]
    fn signature_changed_body_mismatch() {
        let result = verify(&provider(), &[("x-hub-signature", VECTOR_SIGNATURE)], br#"{"eventKey":"pr:merged"}"#);
        assert_eq!(result, Err(AuthError::Mismatch(SIGNATURE_HEADER)));
    }

    #[test]
    fn signature_missing() {
        let result = verify(&provider(), &[("x-event-key", "pr:opened")], VECTOR_BODY);
        assert_eq!(result, Err(AuthError::Missing(SIGNATURE_HEADER)));
    }

    #[test]
    fn signature_abc_malformed() {
        let result = verify(&provider(), &[("x-hub-signature", "abc")], VECTOR_BODY);
        assert!(matches!(result, Err(AuthError::Malformed { header: SIGNATURE_HEADER, .. })), "{result:?}");
    }

    #[test]
    fn signature_sha1_prefix_malformed() {
        let sha1_value = "sha1=0123456789abcdef0123456789abcdef01234567";
        let result = verify(&provider(), &[("x-hub-signature", sha1_value)], VECTOR_BODY);
        assert!(matches!(result, Err(AuthError::Malformed { .. })), "{result:?}");
    }

    #[test]
    fn rotated_secret_accepted() {
        let provider = BitbucketServer::new(BitbucketServerConfig {
            webhook_secret: SecretList::new(vec![Secret::new("previous-secret"), Secret::new(SECRET)]),
            ..BitbucketServerConfig::default()
        });
        let result = verify(&provider, &[("x-hub-signature", VECTOR_SIGNATURE)], VECTOR_BODY);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn no_secret_fails_closed() {
        let provider = BitbucketServer::new(BitbucketServerConfig::default());
        let result = verify(&provider, &[("x-hub-signature", VECTOR_SIGNATURE)], VECTOR_BODY);
        assert_eq!(result, Err(AuthError::NoSecret));
    }

    #[test]
    fn detect_needs_event_key() {
        assert!(provider().detect(&headers(&[("x-event-key", "pr:opened")])));
        assert!(!provider().detect(&headers(&[("x-gitlab-event", "Merge Request Hook")])));
    }

    #[test]
    fn ping_pong_without_signature() {
        let map = headers(&[("x-event-key", "diagnostics:ping")]);
        let outcome = provider().unauthenticated_outcome(&map, b"{\n\t\"test\": true\n}");
        assert_eq!(outcome, Some(Outcome::Pong));
    }

    #[test]
    fn ping_test_body_normalizes_to_pong() {
        let outcome = crate::provider::checked_normalize(&provider(), PING_EVENT, &json!({"test": true})).unwrap();
        assert_eq!(outcome, Outcome::Pong);
    }

    #[test]
    fn other_events_need_verification() {
        let map = headers(&[("x-event-key", "pr:opened")]);
        assert_eq!(provider().unauthenticated_outcome(&map, b"{}"), None);
        assert_eq!(provider().unauthenticated_outcome(&HeaderMap::new(), br#"{"test": true}"#), None);
    }

    #[test]
    fn event_name_from_header() {
        let map = headers(&[("x-event-key", "pr:opened")]);
        let name = provider().event_name(&map, &json!({"eventKey": "pr:merged"})).unwrap();
        assert_eq!(name, "pr:opened");
    }

    #[test]
    fn event_name_falls_back_to_body() {
        let name = provider().event_name(&HeaderMap::new(), &json!({"eventKey": "pr:merged"})).unwrap();
        assert_eq!(name, "pr:merged");
    }

    #[test]
    fn event_name_missing_is_error() {
        assert!(provider().event_name(&HeaderMap::new(), &json!({})).is_err());
    }

    #[test]
    fn delivery_id_from_request_id() {
        let map = headers(&[("x-request-id", "6d0c2b4e-0f53-4d7b-9a55-1f6a4f3f0b21")]);
        let id = provider().delivery_id(&map, &json!({}));
        assert_eq!(id.as_deref(), Some("6d0c2b4e-0f53-4d7b-9a55-1f6a4f3f0b21"));
        assert_eq!(provider().delivery_id(&HeaderMap::new(), &json!({})), None);
    }

    fn user(name: &str, kind: &str) -> Value {
        json!({"name": name, "displayName": name, "slug": name, "type": kind})
    }

    fn repository_object(key: &str, slug: &str) -> Value {
        json!({
            "slug": slug,
            "name": slug,
            "project": {"key": key, "name": "Acme"},
            "links": {"self": [{"href": format!("https://git.acme.test/projects/{key}/repos/{slug}/browse")}]}
        })
    }

    fn pr_payload(event_key: &str) -> Value {
        json!({
            "eventKey": event_key,
            "date": "2024-05-02T09:14:00+0000",
            "actor": user("grace", "NORMAL"),
            "pullRequest": {
                "id": 42,
                "title": "Cache parsed manifests",
                "state": "OPEN",
                "draft": false,
                "fromRef": {
                    "id": "refs/heads/feature/manifest-cache",
                    "displayId": "feature/manifest-cache",
                    "latestCommit": "4f1c9e2a7b3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e",
                    "repository": repository_object("ACME", "rocket")
                },
                "toRef": {
                    "id": "refs/heads/main",
                    "displayId": "main",
                    "latestCommit": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
                    "repository": repository_object("ACME", "rocket")
                },
                "author": {"user": user("ada", "NORMAL"), "role": "AUTHOR", "approved": false},
                "links": {"self": [{"href": "https://git.acme.test/projects/ACME/repos/rocket/pull-requests/42"}]}
            }
        })
    }

    fn comment_payload(event_key: &str) -> Value {
        let mut payload = pr_payload(event_key);
        payload["comment"] = json!({"id": 7, "text": "/review --fast\nthanks", "author": user("linus", "NORMAL")});
        payload
    }

    fn normalize(event: &str, payload: &Value) -> Normalized {
        match crate::provider::checked_normalize(&provider(), event, payload).unwrap() {
            Outcome::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    #[test]
    fn pull_request_opened() {
        let event = normalize("pr:opened", &pr_payload("pr:opened"));
        let pr = event.pull_request.unwrap();
        let repository = event.repository.unwrap();
        let sender = event.sender.unwrap();
        assert_eq!(event.kind, Kind::PullRequest);
        assert_eq!(event.action, Action::Opened);
        assert_eq!(pr.number, 42);
        assert_eq!(pr.title, "Cache parsed manifests");
        assert_eq!(pr.url.as_deref(), Some("https://git.acme.test/projects/ACME/repos/rocket/pull-requests/42"));
        assert_eq!(pr.author.as_deref(), Some("ada"));
        assert!(!pr.author_is_bot);
        assert_eq!(pr.source_branch.as_deref(), Some("feature/manifest-cache"));
        assert_eq!(pr.target_branch.as_deref(), Some("main"));
        assert_eq!(pr.head_sha.as_deref(), Some("4f1c9e2a7b3d5c6e8f0a1b2c3d4e5f6a7b8c9d0e"));
        assert!(pr.labels.is_empty());
        assert!(!pr.draft);
        assert_eq!(pr.state, PrState::Open);
        assert_eq!(repository.full_name, "ACME/rocket");
        assert_eq!(repository.url.as_deref(), Some("https://git.acme.test/projects/ACME/repos/rocket/browse"));
        assert_eq!(sender.login, "grace");
        assert!(!sender.is_bot);
        assert!(event.comment.is_none());
        assert!(!event.compare_head);
    }

    #[test]
    fn pull_request_event_keys() {
        let cases = [
            ("pr:opened", Action::Opened),
            ("pr:from_ref_updated", Action::Synchronized),
            ("pr:modified", Action::Edited),
            ("pr:merged", Action::Merged),
            ("pr:declined", Action::Closed),
            ("pr:deleted", Action::Closed),
            ("pr:reviewer:updated", Action::Updated),
        ];
        for (event_key, expected) in cases {
            let event = normalize(event_key, &pr_payload(event_key));
            assert_eq!(event.kind, Kind::PullRequest, "kind of {event_key}");
            assert_eq!(event.action, expected, "action of {event_key}");
            assert_eq!(event.pull_request.map(|pr| pr.number), Some(42), "number of {event_key}");
        }
    }

    #[test]
    fn reviewer_event_keys() {
        let event_keys = [
            "pr:reviewer:approved",
            "pr:reviewer:unapproved",
            "pr:reviewer:needs_work",
            "pr:reviewer:changes_requested",
        ];
        for event_key in event_keys {
            let mut payload = pr_payload(event_key);
            payload["participant"] = json!({"user": user("grace", "NORMAL"), "role": "REVIEWER", "status": "APPROVED"});
            let event = normalize(event_key, &payload);
            assert_eq!(event.kind, Kind::Review, "kind of {event_key}");
            assert_eq!(event.action, Action::Reviewed, "action of {event_key}");
            assert_eq!(event.sender.map(|sender| sender.login).as_deref(), Some("grace"), "sender of {event_key}");
            assert!(event.comment.is_none(), "comment of {event_key}");
        }
    }

    #[test]
    fn comment_added() {
        let event = normalize("pr:comment:added", &comment_payload("pr:comment:added"));
        let comment = event.comment.unwrap();
        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.action, Action::Commented);
        assert_eq!(comment.body, "/review --fast\nthanks");
        assert_eq!(comment.author.as_deref(), Some("linus"));
        assert_eq!(comment.url.as_deref(), Some("https://git.acme.test/projects/ACME/repos/rocket/pull-requests/42"));
        assert_eq!(event.pull_request.unwrap().number, 42);
    }

    #[test]
    fn comment_edited_and_deleted() {
        for event_key in ["pr:comment:edited", "pr:comment:deleted"] {
            let event = normalize(event_key, &comment_payload(event_key));
            assert_eq!(event.kind, Kind::Comment, "kind of {event_key}");
            assert_eq!(event.action, Action::Updated, "action of {event_key}");
            assert_eq!(event.comment.map(|comment| comment.body).as_deref(), Some("/review --fast\nthanks"));
        }
    }

    #[test]
    fn comment_without_object_is_error() {
        let result = crate::provider::checked_normalize(&provider(), "pr:comment:added", &pr_payload("pr:comment:added"));
        assert!(result.is_err());
    }

    #[test]
    fn comment_on_old_payload_has_no_url() {
        let mut payload = comment_payload("pr:comment:added");
        payload["pullRequest"].as_object_mut().unwrap().remove("links");
        let event = normalize("pr:comment:added", &payload);
        assert_eq!(event.comment.unwrap().url, None);
        assert_eq!(event.pull_request.unwrap().url, None);
    }

    #[test]
    fn pr_event_without_pull_request_is_error() {
        for event_key in ["pr:opened", "pr:comment:added", "pr:reviewer:approved", "pr:some_future_event"] {
            let result = crate::provider::checked_normalize(&provider(), event_key, &json!({"eventKey": event_key, "actor": user("grace", "NORMAL")}));
            assert!(result.is_err(), "{event_key} accepted without pullRequest");
        }
    }

    #[test]
    fn pull_request_without_id_is_error() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"].as_object_mut().unwrap().remove("id");
        assert!(crate::provider::checked_normalize(&provider(), "pr:opened", &payload).is_err());
    }

    #[test]
    fn unknown_pr_event_is_other() {
        let event = normalize("pr:some_future_event", &pr_payload("pr:some_future_event"));
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.action, Action::Other);
        assert_eq!(event.pull_request.unwrap().number, 42);
    }

    #[test]
    fn states_mapped() {
        let cases = [("OPEN", PrState::Open), ("DECLINED", PrState::Closed), ("MERGED", PrState::Merged)];
        for (bitbucket_state, expected) in cases {
            let mut payload = pr_payload("pr:merged");
            payload["pullRequest"]["state"] = json!(bitbucket_state);
            let event = normalize("pr:merged", &payload);
            assert_eq!(event.pull_request.unwrap().state, expected, "state {bitbucket_state}");
        }
    }

    #[test]
    fn personal_project_full_name() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"]["toRef"]["repository"] = repository_object("~ada", "dotfiles");
        let event = normalize("pr:opened", &payload);
        assert_eq!(event.repository.unwrap().full_name, "~ada/dotfiles");
    }

    #[test]
    fn branch_from_ref_id_without_display_id() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"]["fromRef"].as_object_mut().unwrap().remove("displayId");
        let event = normalize("pr:opened", &payload);
        assert_eq!(event.pull_request.unwrap().source_branch.as_deref(), Some("feature/manifest-cache"));
    }

    #[test]
    fn draft_read_when_present() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"]["draft"] = json!(true);
        assert!(normalize("pr:opened", &payload).pull_request.unwrap().draft);
    }

    #[test]
    fn draft_absent_is_false() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"].as_object_mut().unwrap().remove("draft");
        assert!(!normalize("pr:opened", &payload).pull_request.unwrap().draft);
    }

    #[test]
    fn service_users_are_bots() {
        let mut payload = pr_payload("pr:opened");
        payload["actor"] = user("ci-token", "SERVICE");
        payload["pullRequest"]["author"]["user"] = user("ci-token", "SERVICE");
        let event = normalize("pr:opened", &payload);
        assert!(event.sender.unwrap().is_bot);
        assert!(event.pull_request.unwrap().author_is_bot);
    }

    #[test]
    fn bot_suffix_is_bot() {
        let mut payload = pr_payload("pr:opened");
        payload["pullRequest"]["author"]["user"] = user("deps[bot]", "NORMAL");
        assert!(normalize("pr:opened", &payload).pull_request.unwrap().author_is_bot);
    }

    fn refs_changed(reference: &str, display_id: &str, from_hash: &str, to_hash: &str, change_type: &str) -> Value {
        json!({
            "eventKey": "repo:refs_changed",
            "actor": user("grace", "NORMAL"),
            "repository": repository_object("ACME", "rocket"),
            "changes": [{
                "ref": {"id": reference, "displayId": display_id, "type": "BRANCH"},
                "refId": reference,
                "fromHash": from_hash,
                "toHash": to_hash,
                "type": change_type
            }]
        })
    }

    #[test]
    fn refs_changed_is_push() {
        let payload = refs_changed(
            "refs/heads/release/2.4",
            "release/2.4",
            "1111111111111111111111111111111111111111",
            "2222222222222222222222222222222222222222",
            "UPDATE",
        );
        let event = normalize("repo:refs_changed", &payload);
        let push = event.push.unwrap();
        assert_eq!(event.kind, Kind::Push);
        assert_eq!(event.action, Action::Pushed);
        assert_eq!(push.branch.as_deref(), Some("release/2.4"));
        assert_eq!(push.before.as_deref(), Some("1111111111111111111111111111111111111111"));
        assert_eq!(push.after.as_deref(), Some("2222222222222222222222222222222222222222"));
        assert_eq!(event.repository.unwrap().full_name, "ACME/rocket");
        assert_eq!(event.sender.unwrap().login, "grace");
        assert!(event.pull_request.is_none());
    }

    #[test]
    fn branch_delete_still_pushed() {
        let zeros = "0000000000000000000000000000000000000000";
        let before = "3333333333333333333333333333333333333333";
        let payload = refs_changed("refs/heads/feature/old", "feature/old", before, zeros, "DELETE");
        let event = normalize("repo:refs_changed", &payload);
        let push = event.push.unwrap();
        assert_eq!(event.action, Action::Pushed);
        assert_eq!(push.branch.as_deref(), Some("feature/old"));
        assert_eq!(push.after.as_deref(), Some(zeros));
    }

    #[test]
    fn tag_push_keeps_ref_prefix() {
        let zeros = "0000000000000000000000000000000000000000";
        let after = "4444444444444444444444444444444444444444";
        let payload = refs_changed("refs/tags/v2.4.0", "v2.4.0", zeros, after, "ADD");
        let event = normalize("repo:refs_changed", &payload);
        assert_eq!(event.push.unwrap().branch.as_deref(), Some("refs/tags/v2.4.0"));
    }

    #[test]
    fn refs_changed_without_changes_is_error() {
        let payload = json!({
            "eventKey": "repo:refs_changed",
            "repository": repository_object("ACME", "rocket"),
            "changes": []
        });
        assert!(crate::provider::checked_normalize(&provider(), "repo:refs_changed", &payload).is_err());
    }

    #[test]
    fn mirror_synchronized_is_other() {
        let payload = json!({
            "eventKey": "mirror:repo_synchronized",
            "mirrorServer": {"id": "B1DE-2A1C", "name": "Mirror"},
            "syncType": "INCREMENTAL",
            "repository": repository_object("ACME", "rocket"),
            "changes": []
        });
        let event = normalize("mirror:repo_synchronized", &payload);
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.action, Action::Other);
        assert_eq!(event.repository.unwrap().full_name, "ACME/rocket");
        assert!(event.sender.is_none());
    }

    #[test]
    fn repo_modified_is_other() {
        let payload = json!({
            "eventKey": "repo:modified",
            "actor": user("grace", "NORMAL"),
            "old": repository_object("ACME", "rocket"),
            "new": repository_object("ACME", "rocket-engine")
        });
        let event = normalize("repo:modified", &payload);
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.repository.unwrap().full_name, "ACME/rocket-engine");
        assert_eq!(event.sender.unwrap().login, "grace");
    }

    #[test]
    fn non_object_payload_is_error() {
        assert!(crate::provider::checked_normalize(&provider(), "pr:opened", &json!([1, 2])).is_err());
    }
}
