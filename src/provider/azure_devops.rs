//! Azure DevOps: HTTP Basic credentials, events by the body's `eventType`.
//!
//! Service hooks send no event header, so the event name, the delivery id
//! and everything else come from the JSON body. Azure DevOps calls a merged
//! pull request `completed` and a closed one `abandoned`, and it sends one
//! `git.pullrequest.updated` event for pushes, votes, reviewers and edits
//! alike: the action is read from `resource.status` and the English
//! `message.text`.

use super::{
    bool_at, json_at, str_at, string_at, u64_at, Normalized, Outcome, PayloadError,
    Provider, ProviderId, RawDelivery,
};
use crate::config::AzureDevopsConfig;
use crate::event::{branch_name, Action, Comment, Kind, PrState, PullRequest, Push, Repository, Sender};
use crate::verify::{constant_time_eq, AuthError};
use axum::http::HeaderMap;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

const AUTHORIZATION_HEADER: &str = "Authorization";

/// Headers that Azure DevOps service hooks send and the other providers do not.
const DETECT_HEADERS: [&str; 2] = ["X-VSS-ActivityId", "Request-Id"];

const COMMENT_EVENT: &str = "ms.vss-code.git-pullrequest-comment-event";
const PULL_REQUEST_EVENT_PREFIX: &str = "git.pullrequest.";

pub struct AzureDevops {
    config: AzureDevopsConfig,
}

impl AzureDevops {
    pub fn new(config: AzureDevopsConfig) -> AzureDevops {
        AzureDevops { config }
    }
}

impl Provider for AzureDevops {
    fn id(&self) -> ProviderId {
        ProviderId::AzureDevops
    }

    /// Matches Azure DevOps' tracing headers, because it sends no event
    /// header. The server routes `POST /` here anyway unless another
    /// provider's event header is present.
    fn detect(&self, headers: &HeaderMap) -> bool {
        DETECT_HEADERS.iter().any(|name| headers.contains_key(*name))
    }

    fn verify(&self, delivery: &RawDelivery<'_>) -> Result<(), AuthError> {
        let passwords = self.config.password.as_ref().ok_or(AuthError::NoSecret)?;
        let value = delivery
            .headers
            .get(AUTHORIZATION_HEADER)
            .ok_or(AuthError::Missing(AUTHORIZATION_HEADER))?;
        let (username, password) = parse_basic_credentials(value.as_bytes())?;

        // Both parts are always compared, so the time taken does not tell
        // whether the username alone was wrong.
        let username_matches = digest_eq(self.config.username.as_bytes(), &username);
        let password_matches = passwords.any(|secret| digest_eq(secret.expose(), &password));
        if username_matches & password_matches {
            Ok(())
        } else {
            Err(AuthError::Mismatch(AUTHORIZATION_HEADER))
        }
    }

    fn event_name(&self, _headers: &HeaderMap, payload: &Value) -> Result<String, PayloadError> {
        string_at(payload, "eventType").ok_or_else(|| PayloadError::missing("eventType string"))
    }

    fn delivery_id(&self, _headers: &HeaderMap, payload: &Value) -> Option<String> {
        str_at(payload, "id").filter(|id| !id.is_empty()).map(str::to_owned)
    }

    fn normalize(&self, event: &str, payload: &Value) -> Result<Outcome, PayloadError> {
        if !payload.is_object() {
            return Err(PayloadError("the payload is not a JSON object".into()));
        }
        let normalized = match event {
            "git.push" => normalize_push(payload)?,
            COMMENT_EVENT => normalize_comment(payload)?,
            _ if event.starts_with(PULL_REQUEST_EVENT_PREFIX) => normalize_pull_request(event, payload)?,
            _ => normalize_other(payload),
        };
        Ok(Outcome::Event(normalized))
    }
}

/// Splits an `Authorization: Basic base64(username:password)` value.
///
/// The scheme name is matched without regard to case (RFC 7617). The
/// username ends at the first colon, so the password may contain colons.
fn parse_basic_credentials(value: &[u8]) -> Result<(Vec<u8>, Vec<u8>), AuthError> {
    let malformed = |reason| AuthError::Malformed { header: AUTHORIZATION_HEADER, reason };
    let value = std::str::from_utf8(value).map_err(|_| malformed("not ASCII"))?.trim();
    let (scheme, encoded) = value.split_once(' ').ok_or(malformed("expected Basic <base64 credentials>"))?;
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(malformed("expected Basic <base64 credentials>"));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| malformed("the credentials are not valid base64"))?;
    let colon = decoded
        .iter()
        .position(|byte| *byte == b':')
        .ok_or(malformed("the credentials have no colon between username and password"))?;
    Ok((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

/// Compares two values in constant time through their SHA-256 digests, so
/// that neither the content nor the length of the expected value leaks.
fn digest_eq(expected: &[u8], received: &[u8]) -> bool {
    constant_time_eq(&Sha256::digest(expected), &Sha256::digest(received))
}

/// Returns the object at `path`, or a payload error naming it.
fn required_object<'a>(value: &'a Value, path: &str) -> Result<&'a Value, PayloadError> {
    json_at(value, path)
        .filter(|object| object.is_object())
        .ok_or_else(|| PayloadError::missing(&format!("{path} object")))
}

/// Removes the user name that Azure DevOps puts in some clone URLs
/// (`https://org@dev.azure.com/...`) and any fragment, for use as a web link.
fn clean_web_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut parsed) => {
            // Both setters fail only for URLs that cannot carry credentials,
            // which then have none to remove.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => raw.to_owned(),
    }
}

/// Returns the repository's web URL: `webUrl`, else the HTTPS clone URL,
/// which Azure DevOps also serves as the repository's web page.
fn repository_web_url(repository: &Value) -> Option<String> {
    string_at(repository, "webUrl").or_else(|| str_at(repository, "remoteUrl").map(clean_web_url))
}

/// Reads a `repository` object: `PROJECT/repo` and its web URL.
fn repository(repository: &Value) -> Option<Repository> {
    let name = str_at(repository, "name")?;
    let full_name = match str_at(repository, "project.name") {
        Some(project) => format!("{project}/{name}"),
        None => name.to_owned(),
    };
    Some(Repository { full_name, url: repository_web_url(repository) })
}

/// Tells whether an identity is automation rather than a person.
///
/// Signs used: `isContainer` (a group or team, never a person), the
/// "Build Service" accounts that pipelines act as, and the Graph subject
/// descriptor prefixes `svc.` (service identity) and `aadsp.` (Microsoft
/// Entra service principal).
fn identity_is_bot(identity: &Value) -> bool {
    let is_container = bool_at(identity, "isContainer").unwrap_or(false);
    let is_build_service = ["uniqueName", "displayName"]
        .iter()
        .filter_map(|key| str_at(identity, key))
        .any(|name| name.contains("Build Service"));
    let is_service_descriptor = str_at(identity, "descriptor")
        .is_some_and(|descriptor| descriptor.starts_with("svc.") || descriptor.starts_with("aadsp."));
    is_container || is_build_service || is_service_descriptor
}

/// Builds the sender from an identity object (`createdBy`, `pushedBy`, ...).
fn sender(identity: Option<&Value>) -> Option<Sender> {
    let identity = identity?;
    let login = string_at(identity, "uniqueName")?;
    Some(Sender { login, is_bot: identity_is_bot(identity) })
}

fn labels(pull_request: &Value) -> Vec<String> {
    pull_request
        .get("labels")
        .and_then(Value::as_array)
        .map(|labels| {
            labels
                .iter()
                // Azure DevOps keeps removed labels with `active: false`.
                .filter(|label| bool_at(label, "active") != Some(false))
                .filter_map(|label| string_at(label, "name"))
                .collect()
        })
        .unwrap_or_default()
}

fn pull_request_state(pull_request: &Value) -> PrState {
    match str_at(pull_request, "status") {
        Some("completed") => PrState::Merged,
        Some("abandoned") => PrState::Closed,
        _ => PrState::Open,
    }
}

/// Returns the pull request's web page: `_links.web.href` when present,
/// else the repository's web URL followed by `/pullrequest/<id>`.
fn pull_request_web_url(pull_request: &Value, number: u64) -> Option<String> {
    if let Some(link) = str_at(pull_request, "_links.web.href") {
        return Some(clean_web_url(link));
    }
    let repository_url = pull_request.get("repository").and_then(repository_web_url)?;
    Some(format!("{}/pullrequest/{number}", repository_url.trim_end_matches('/')))
}

/// Reads a pull request object (the `resource` of `git.pullrequest.*`
/// events, `resource.pullRequest` of comment events).
fn pull_request(object: &Value) -> Result<PullRequest, PayloadError> {
    let number = u64_at(object, "pullRequestId").ok_or_else(|| PayloadError::missing("pullRequestId"))?;
    let author = object.get("createdBy");
    Ok(PullRequest {
        number,
        title: string_at(object, "title").unwrap_or_default(),
        url: pull_request_web_url(object, number),
        author: author.and_then(|author| string_at(author, "uniqueName")),
        author_is_bot: author.is_some_and(identity_is_bot),
        source_branch: str_at(object, "sourceRefName").map(branch_name),
        target_branch: str_at(object, "targetRefName").map(branch_name),
        head_sha: string_at(object, "lastMergeSourceCommit.commitId"),
        labels: labels(object),
        draft: bool_at(object, "isDraft").unwrap_or(false),
        state: pull_request_state(object),
    })
}

/// The change that a `git.pullrequest.updated` message reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UpdateMessage {
    SourceBranch,
    Reactivated,
    Vote,
    Reviewers,
    TitleOrDescription,
    Unrecognized,
}

/// Classifies the English `message.text` of a pull request update.
///
/// Only the words before the first "pull request" are read: they hold the
/// actor and the verb ("Ada updated the source branch of pull request 2
/// (title) in repo"), while the rest repeats the title, which could contain
/// any word.
// NOTE: only the source-branch wording is confirmed by a captured delivery;
// the other phrases are assumptions about Azure DevOps' English messages.
// An unrecognized message falls back to `updated` with a head comparison.
fn classify_update_message(text: &str) -> UpdateMessage {
    let text = text.to_lowercase();
    let verb_part = text.split("pull request").next().unwrap_or_default();
    let has = |phrase: &str| verb_part.contains(phrase);
    if has("updated the source branch") {
        UpdateMessage::SourceBranch
    } else if has("reactivated") {
        UpdateMessage::Reactivated
    } else if has("approved") || has("rejected") || has("voted") || has("vote") || has("waiting for the author") {
        UpdateMessage::Vote
    } else if has("reviewer") {
        UpdateMessage::Reviewers
    } else if has("the title") || has("the description") {
        UpdateMessage::TitleOrDescription
    } else {
        UpdateMessage::Unrecognized
    }
}

/// `git.pullrequest.*`: created, updated, merged (a merge attempt) and any
/// other pull request event Azure DevOps adds.
fn normalize_pull_request(event: &str, payload: &Value) -> Result<Normalized, PayloadError> {
    let resource = required_object(payload, "resource")?;
    let pull_request = pull_request(resource)?;

    // A completed or abandoned status wins over the event name: Azure DevOps
    // reports both the completion and the abandonment as updates.
    let mut compare_head = false;
    let action = match (pull_request.state, event) {
        (PrState::Merged, _) => Action::Merged,
        (PrState::Closed, _) => Action::Closed,
        (PrState::Open, "git.pullrequest.created") => Action::Opened,
        // A merge attempt on an active pull request is Azure DevOps' own
        // merge check (for example one that found conflicts), not a user's change.
        (PrState::Open, "git.pullrequest.merged") => Action::Updated,
        (PrState::Open, "git.pullrequest.updated") => {
            match classify_update_message(str_at(payload, "message.text").unwrap_or_default()) {
                UpdateMessage::SourceBranch => Action::Synchronized,
                UpdateMessage::Reactivated => Action::Reopened,
                UpdateMessage::TitleOrDescription => Action::Edited,
                // A vote or a reviewer change never moves the source branch,
                // so its head needs no comparison.
                UpdateMessage::Vote | UpdateMessage::Reviewers => Action::Updated,
                UpdateMessage::Unrecognized => {
                    compare_head = true;
                    Action::Updated
                }
            }
        }
        (PrState::Open, _) => Action::Other,
    };

    // The payload names no actor for updates. The creator acts on
    // `created`, and `closedBy`, when present, on completion or abandonment.
    let actor = match action {
        Action::Opened => resource.get("createdBy"),
        Action::Merged | Action::Closed => resource.get("closedBy"),
        _ => None,
    };

    let mut normalized = Normalized::new(Kind::PullRequest, action);
    normalized.repository = resource.get("repository").and_then(repository);
    normalized.sender = sender(actor);
    normalized.pull_request = Some(pull_request);
    normalized.compare_head = compare_head;
    Ok(normalized)
}

/// `ms.vss-code.git-pullrequest-comment-event`.
///
/// Version 2.0 puts the comment at `resource.comment` and the pull request,
/// with its web link, at `resource.pullRequest`. Version 1.0 is read from
/// the same places, and a pull request without `webUrl` or `_links` gets a
/// link built from the clone URL. Without any pull request object, the
/// event keeps the comment and leaves `pull_request` empty.
// NOTE: no version 1.0 comment delivery was available. Its shape is assumed
// from third-party handlers, which read `resource.comment` for both versions
// and report that 1.0 lacks the pull request's web URL.
fn normalize_comment(payload: &Value) -> Result<Normalized, PayloadError> {
    let resource = required_object(payload, "resource")?;
    let comment = required_object(resource, "comment")?;
    let pull_request_object = resource.get("pullRequest").filter(|object| object.is_object());
    let pull_request = pull_request_object.map(pull_request).transpose()?;

    // A deleted comment or one that Azure DevOps writes itself (a vote or a
    // push shown in the thread) is not a user's comment, so no slash command
    // should run from it.
    let is_deleted = bool_at(comment, "isDeleted").unwrap_or(false);
    let is_system = str_at(comment, "commentType") == Some("system");
    let action = if is_deleted || is_system { Action::Updated } else { Action::Commented };

    let author = comment.get("author");
    let pull_request_url = pull_request.as_ref().and_then(|pr| pr.url.clone());
    let mut normalized = Normalized::new(Kind::Comment, action);
    normalized.repository = pull_request_object.and_then(|pr| pr.get("repository")).and_then(repository);
    normalized.sender = sender(author);
    normalized.comment = Some(Comment {
        body: string_at(comment, "content").unwrap_or_default(),
        author: author.and_then(|author| string_at(author, "uniqueName")),
        url: comment_web_url(comment, pull_request_url),
    });
    normalized.pull_request = pull_request;
    Ok(normalized)
}

/// Links to the comment's thread on the pull request page, in the form the
/// event's own message uses (`.../pullrequest/1?discussionId=5`).
fn comment_web_url(comment: &Value, pull_request_url: Option<String>) -> Option<String> {
    let pull_request_url = pull_request_url?;
    let thread_id = str_at(comment, "_links.threads.href")
        .and_then(|href| href.trim_end_matches('/').rsplit('/').next())
        .filter(|id| !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit()));
    match thread_id {
        Some(thread_id) => Some(format!("{pull_request_url}?discussionId={thread_id}")),
        None => Some(pull_request_url),
    }
}

/// `git.push`: the first ref update is the pushed branch.
fn normalize_push(payload: &Value) -> Result<Normalized, PayloadError> {
    let resource = required_object(payload, "resource")?;
    let update = required_object(resource, "refUpdates.0")?;
    let reference = str_at(update, "name").ok_or_else(|| PayloadError::missing("refUpdates.0.name"))?;
    let mut normalized = Normalized::new(Kind::Push, Action::Pushed);
    normalized.repository = resource.get("repository").and_then(repository);
    normalized.sender = sender(resource.get("pushedBy"));
    normalized.push = Some(Push {
        branch: Some(branch_name(reference)),
        before: string_at(update, "oldObjectId"),
        after: string_at(update, "newObjectId"),
    });
    Ok(normalized)
}

/// Normalizes any event prhook does not model (`build.complete`, work
/// items, ...) to kind `other`, with the repository when the resource names
/// one. It returns no error, because a service hook's "Test" button sends
/// sample payloads of any event type.
fn normalize_other(payload: &Value) -> Normalized {
    let mut normalized = Normalized::new(Kind::Other, Action::Other);
    normalized.repository = json_at(payload, "resource.repository")
        .or_else(|| json_at(payload, "resource.pullRequest.repository"))
        .and_then(repository);
    normalized
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::{Secret, SecretList};
    use axum::http::HeaderValue;
    use serde_json::json;

    fn azure(username: &str, passwords: &[&str]) -> AzureDevops {
        AzureDevops::new(AzureDevopsConfig {
            username: username.to_owned(),
            password: SecretList::new(passwords.iter().map(|value| Secret::new(*value)).collect()),
            ..AzureDevopsConfig::default()
        })
    }

    fn basic(credentials: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials))
    }

    fn verify(provider: &AzureDevops, authorization: Option<&str>) -> Result<(), AuthError> {
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert("authorization", HeaderValue::from_str(value).unwrap());
        }
        provider.verify(&RawDelivery { headers: &headers, body: b"{}", now_unix: 0 })
    }

    #[test]
    fn basic_credentials_accepted() {
        let result = verify(&azure("hooks", &["s3cret"]), Some(&basic("hooks:s3cret")));
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn basic_scheme_any_case() {
        let value = basic("hooks:s3cret").replacen("Basic", "bAsIc", 1);
        assert_eq!(verify(&azure("hooks", &["s3cret"]), Some(&value)), Ok(()));
    }

    #[test]
    fn password_with_colon_accepted() {
        let result = verify(&azure("hooks", &["a:b"]), Some(&basic("hooks:a:b")));
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn rotated_password_accepted() {
        let result = verify(&azure("hooks", &["old", "new"]), Some(&basic("hooks:new")));
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn wrong_password_rejected() {
        let result = verify(&azure("hooks", &["s3cret"]), Some(&basic("hooks:guess")));
        assert_eq!(result, Err(AuthError::Mismatch(AUTHORIZATION_HEADER)));
    }

    #[test]
    fn wrong_username_rejected() {
        let result = verify(&azure("hooks", &["s3cret"]), Some(&basic("intruder:s3cret")));
        assert_eq!(result, Err(AuthError::Mismatch(AUTHORIZATION_HEADER)));
    }

    #[test]
    fn username_is_case_sensitive() {
        let result = verify(&azure("hooks", &["s3cret"]), Some(&basic("Hooks:s3cret")));
        assert_eq!(result, Err(AuthError::Mismatch(AUTHORIZATION_HEADER)));
    }

    #[test]
    fn empty_username_accepts_colon_password() {
        let result = verify(&azure("", &["s3cret"]), Some(&basic(":s3cret")));
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn empty_username_rejects_any_name() {
        let result = verify(&azure("", &["s3cret"]), Some(&basic("hooks:s3cret")));
        assert_eq!(result, Err(AuthError::Mismatch(AUTHORIZATION_HEADER)));
    }

    #[test]
    fn missing_authorization() {
        let result = verify(&azure("hooks", &["s3cret"]), None);
        assert_eq!(result, Err(AuthError::Missing(AUTHORIZATION_HEADER)));
        assert_eq!(AuthError::Missing(AUTHORIZATION_HEADER).code(), "missing_signature");
    }

    #[test]
    fn bearer_scheme_is_malformed() {
        let result = verify(&azure("hooks", &["s3cret"]), Some("Bearer abc"));
        assert!(matches!(result, Err(AuthError::Malformed { .. })));
    }

    #[test]
    fn bad_base64_is_malformed() {
        let result = verify(&azure("hooks", &["s3cret"]), Some("Basic not*base64"));
        assert!(matches!(result, Err(AuthError::Malformed { .. })));
    }

    #[test]
    fn credentials_without_colon_are_malformed() {
        let result = verify(&azure("hooks", &["s3cret"]), Some(&basic("hooks-s3cret")));
        assert!(matches!(result, Err(AuthError::Malformed { .. })));
    }

    #[test]
    fn no_password_fails_closed() {
        let provider = AzureDevops::new(AzureDevopsConfig::default());
        let result = verify(&provider, Some(&basic(":anything")));
        assert_eq!(result, Err(AuthError::NoSecret));
    }

    #[test]
    fn detects_azure_headers() {
        let provider = azure("", &["s"]);
        let mut headers = HeaderMap::new();
        assert!(!provider.detect(&headers));
        headers.insert("x-vss-activityid", HeaderValue::from_static("7d2f0e6a"));
        assert!(provider.detect(&headers));
    }

    #[test]
    fn event_name_from_body() {
        let provider = azure("", &["s"]);
        let name = provider.event_name(&HeaderMap::new(), &json!({"eventType": "git.push"}));
        assert_eq!(name, Ok("git.push".to_owned()));
    }

    #[test]
    fn event_name_missing_is_payload_error() {
        let provider = azure("", &["s"]);
        assert!(provider.event_name(&HeaderMap::new(), &json!({"eventType": 3})).is_err());
        assert!(provider.event_name(&HeaderMap::new(), &json!({})).is_err());
    }

    #[test]
    fn delivery_id_from_body() {
        let provider = azure("", &["s"]);
        let id = provider.delivery_id(&HeaderMap::new(), &json!({"id": "5b1c9e2a-delivery"}));
        assert_eq!(id.as_deref(), Some("5b1c9e2a-delivery"));
    }

    fn pr_resource(status: &str) -> Value {
        json!({
            "repository": {
                "name": "rocket",
                "project": {"name": "Acme"},
                "remoteUrl": "https://acme@dev.azure.com/acme/Acme/_git/rocket",
                "webUrl": "https://dev.azure.com/acme/Acme/_git/rocket"
            },
            "pullRequestId": 17,
            "status": status,
            "createdBy": {"displayName": "Ada Lovelace", "uniqueName": "ada@acme.example", "descriptor": "aad.YWRh"},
            "title": "Add retry budget",
            "sourceRefName": "refs/heads/feature/retry",
            "targetRefName": "refs/heads/main",
            "isDraft": false,
            "lastMergeSourceCommit": {"commitId": "0d1e2f3a4b5c"},
            "labels": [{"name": "backend", "active": true}, {"name": "stale", "active": false}],
            "_links": {"web": {"href": "https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17"}}
        })
    }

    fn pr_payload(event: &str, status: &str, message: &str) -> Value {
        json!({
            "id": "1f0c7a4e-delivery",
            "eventType": event,
            "message": {"text": message},
            "resource": pr_resource(status),
            "resourceVersion": "1.0"
        })
    }

    fn normalize(event: &str, payload: &Value) -> Normalized {
        match crate::provider::checked_normalize(&azure("", &["s"]), event, payload).unwrap() {
            Outcome::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    fn updated(status: &str, message: &str) -> Normalized {
        normalize("git.pullrequest.updated", &pr_payload("git.pullrequest.updated", status, message))
    }

    #[test]
    fn pull_request_created() {
        let event = normalize(
            "git.pullrequest.created",
            &pr_payload("git.pullrequest.created", "active", "Ada Lovelace created a new pull request"),
        );
        let pr = event.pull_request.unwrap();
        let repository = event.repository.unwrap();
        assert_eq!(event.kind, Kind::PullRequest);
        assert_eq!(event.action, Action::Opened);
        assert_eq!(pr.number, 17);
        assert_eq!(pr.title, "Add retry budget");
        assert_eq!(pr.url.as_deref(), Some("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17"));
        assert_eq!(pr.author.as_deref(), Some("ada@acme.example"));
        assert!(!pr.author_is_bot);
        assert_eq!(pr.source_branch.as_deref(), Some("feature/retry"));
        assert_eq!(pr.target_branch.as_deref(), Some("main"));
        assert_eq!(pr.head_sha.as_deref(), Some("0d1e2f3a4b5c"));
        assert_eq!(pr.labels, vec!["backend"]);
        assert!(!pr.draft);
        assert_eq!(pr.state, PrState::Open);
        assert_eq!(repository.full_name, "Acme/rocket");
        assert_eq!(repository.url.as_deref(), Some("https://dev.azure.com/acme/Acme/_git/rocket"));
        assert_eq!(event.sender.unwrap().login, "ada@acme.example");
        assert!(!event.compare_head);
    }

    #[test]
    fn pull_request_url_from_clone_url() {
        let mut payload = pr_payload("git.pullrequest.created", "active", "Ada Lovelace created a new pull request");
        let resource = payload["resource"].as_object_mut().unwrap();
        resource.remove("_links");
        resource["repository"].as_object_mut().unwrap().remove("webUrl");
        let event = normalize("git.pullrequest.created", &payload);
        assert_eq!(
            event.pull_request.unwrap().url.as_deref(),
            Some("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17")
        );
        assert_eq!(event.repository.unwrap().url.as_deref(), Some("https://dev.azure.com/acme/Acme/_git/rocket"));
    }

    #[test]
    fn labels_and_draft_absent() {
        let mut payload = pr_payload("git.pullrequest.created", "active", "");
        let resource = payload["resource"].as_object_mut().unwrap();
        resource.remove("labels");
        resource.remove("isDraft");
        let pr = normalize("git.pullrequest.created", &payload).pull_request.unwrap();
        assert!(pr.labels.is_empty());
        assert!(!pr.draft);
    }

    #[test]
    fn build_service_author_is_bot() {
        let mut payload = pr_payload("git.pullrequest.created", "active", "");
        payload["resource"]["createdBy"] = json!({
            "displayName": "Acme Build Service (acme)",
            "uniqueName": "Build\\0b5c1d2e",
            "descriptor": "svc.MGI1YzFkMmU"
        });
        assert!(normalize("git.pullrequest.created", &payload).pull_request.unwrap().author_is_bot);
    }

    #[test]
    fn source_branch_update_is_synchronized() {
        let event = updated("active", "Ada Lovelace updated the source branch of pull request 17 (Add retry budget) in rocket");
        assert_eq!(event.action, Action::Synchronized);
        assert!(!event.compare_head);
    }

    #[test]
    fn vote_is_not_synchronized() {
        let event = updated("active", "Grace Hopper approved pull request 17 (Add retry budget) in rocket");
        assert_eq!(event.action, Action::Updated);
        assert!(!event.compare_head);
    }

    #[test]
    fn vote_on_pr_titled_like_a_push() {
        let event = updated("active", "Grace Hopper voted on pull request 17 (updated the source branch handling) in rocket");
        assert_eq!(event.action, Action::Updated);
    }

    #[test]
    fn reviewer_change_is_updated() {
        let event = updated("active", "Ada Lovelace added Grace Hopper as a reviewer on pull request 17 (Add retry budget)");
        assert_eq!(event.action, Action::Updated);
        assert!(!event.compare_head);
    }

    #[test]
    fn title_change_is_edited() {
        let event = updated("active", "Ada Lovelace changed the title of pull request 17 (Add retry budget) in rocket");
        assert_eq!(event.action, Action::Edited);
    }

    #[test]
    fn reactivated_is_reopened() {
        let event = updated("active", "Ada Lovelace reactivated pull request 17 (Add retry budget) in rocket");
        assert_eq!(event.action, Action::Reopened);
    }

    #[test]
    fn unrecognized_update_compares_head() {
        let event = updated("active", "Ada Lovelace did something new to pull request 17");
        assert_eq!(event.action, Action::Updated);
        assert!(event.compare_head);
        assert_eq!(event.pull_request.unwrap().head_sha.as_deref(), Some("0d1e2f3a4b5c"));
    }

    #[test]
    fn completed_is_merged() {
        let event = updated("completed", "Ada Lovelace marked the pull request as completed");
        assert_eq!(event.action, Action::Merged);
        assert_eq!(event.pull_request.unwrap().state, PrState::Merged);
        assert_eq!(event.sender, None);
    }

    #[test]
    fn completed_sender_from_closed_by() {
        let mut payload = pr_payload("git.pullrequest.updated", "completed", "Grace Hopper marked the pull request as completed");
        payload["resource"]["closedBy"] = json!({"uniqueName": "grace@acme.example"});
        let event = normalize("git.pullrequest.updated", &payload);
        assert_eq!(event.sender.unwrap().login, "grace@acme.example");
    }

    #[test]
    fn abandoned_is_closed() {
        let event = updated("abandoned", "Ada Lovelace abandoned pull request 17 (Add retry budget) in rocket");
        assert_eq!(event.action, Action::Closed);
        assert_eq!(event.pull_request.unwrap().state, PrState::Closed);
    }

    #[test]
    fn merged_event_completed_is_merged() {
        let payload = pr_payload("git.pullrequest.merged", "completed", "Ada Lovelace has created a pull request merge commit");
        assert_eq!(normalize("git.pullrequest.merged", &payload).action, Action::Merged);
    }

    #[test]
    fn merge_attempt_on_active_is_updated() {
        let payload = pr_payload("git.pullrequest.merged", "active", "Merge attempted for pull request 17 (Add retry budget)");
        let event = normalize("git.pullrequest.merged", &payload);
        assert_eq!(event.action, Action::Updated);
        assert!(!event.compare_head);
    }

    #[test]
    fn pull_request_event_without_resource_fails() {
        let payload = json!({"id": "d", "eventType": "git.pullrequest.updated", "message": {"text": "x"}});
        let result = crate::provider::checked_normalize(&azure("", &["s"]), "git.pullrequest.updated", &payload);
        assert!(result.is_err());
    }

    #[test]
    fn pull_request_without_id_fails() {
        let mut payload = pr_payload("git.pullrequest.created", "active", "");
        payload["resource"].as_object_mut().unwrap().remove("pullRequestId");
        assert!(crate::provider::checked_normalize(&azure("", &["s"]), "git.pullrequest.created", &payload).is_err());
    }

    fn comment_object() -> Value {
        json!({
            "id": 3,
            "author": {"displayName": "Linus Torvalds", "uniqueName": "linus@acme.example"},
            "content": "/review --fast",
            "commentType": "text",
            "_links": {
                "threads": {"href": "https://dev.azure.com/acme/_apis/git/repositories/9a1b/pullRequests/17/threads/8"}
            }
        })
    }

    #[test]
    fn comment_resource_version_2() {
        let mut pr = pr_resource("active");
        pr["_links"]["web"]["href"] = json!("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17#view=discussion");
        let payload = json!({
            "id": "c0mment-2",
            "eventType": COMMENT_EVENT,
            "resource": {"comment": comment_object(), "pullRequest": pr},
            "resourceVersion": "2.0"
        });
        let event = normalize(COMMENT_EVENT, &payload);
        let comment = event.comment.unwrap();
        let pr = event.pull_request.unwrap();
        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.action, Action::Commented);
        assert_eq!(comment.body, "/review --fast");
        assert_eq!(comment.author.as_deref(), Some("linus@acme.example"));
        assert_eq!(
            comment.url.as_deref(),
            Some("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17?discussionId=8")
        );
        assert_eq!(pr.number, 17);
        assert_eq!(pr.url.as_deref(), Some("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17"));
        assert_eq!(pr.author.as_deref(), Some("ada@acme.example"));
        assert_eq!(event.sender.unwrap().login, "linus@acme.example");
        assert_eq!(event.repository.unwrap().full_name, "Acme/rocket");
    }

    #[test]
    fn comment_resource_version_1() {
        let mut pr = pr_resource("active");
        let pr_object = pr.as_object_mut().unwrap();
        pr_object.remove("_links");
        pr_object["repository"].as_object_mut().unwrap().remove("webUrl");
        let payload = json!({
            "id": "c0mment-1",
            "eventType": COMMENT_EVENT,
            "resource": {"comment": comment_object(), "pullRequest": pr},
            "resourceVersion": "1.0"
        });
        let event = normalize(COMMENT_EVENT, &payload);
        let pr = event.pull_request.unwrap();
        assert_eq!(event.action, Action::Commented);
        assert_eq!(event.comment.unwrap().body, "/review --fast");
        assert_eq!(pr.number, 17);
        assert_eq!(pr.url.as_deref(), Some("https://dev.azure.com/acme/Acme/_git/rocket/pullrequest/17"));
    }

    #[test]
    fn comment_without_pull_request() {
        let payload = json!({"eventType": COMMENT_EVENT, "resource": {"comment": comment_object()}});
        let event = normalize(COMMENT_EVENT, &payload);
        assert_eq!(event.pull_request, None);
        assert_eq!(event.comment.unwrap().body, "/review --fast");
    }

    #[test]
    fn system_comment_is_updated() {
        let mut comment = comment_object();
        comment["commentType"] = json!("system");
        let payload = json!({"eventType": COMMENT_EVENT, "resource": {"comment": comment, "pullRequest": pr_resource("active")}});
        assert_eq!(normalize(COMMENT_EVENT, &payload).action, Action::Updated);
    }

    #[test]
    fn comment_event_without_comment_fails() {
        let payload = json!({"eventType": COMMENT_EVENT, "resource": {"pullRequest": pr_resource("active")}});
        assert!(crate::provider::checked_normalize(&azure("", &["s"]), COMMENT_EVENT, &payload).is_err());
    }

    #[test]
    fn push_to_branch() {
        let payload = json!({
            "id": "9e8d-push",
            "eventType": "git.push",
            "resource": {
                "refUpdates": [{"name": "refs/heads/main", "oldObjectId": "1111aaaa", "newObjectId": "2222bbbb"}],
                "repository": {"name": "rocket", "project": {"name": "Acme"}, "remoteUrl": "https://dev.azure.com/acme/Acme/_git/rocket"},
                "pushedBy": {"displayName": "Ada Lovelace", "uniqueName": "ACME\\ada"}
            }
        });
        let event = normalize("git.push", &payload);
        let push = event.push.unwrap();
        assert_eq!(event.kind, Kind::Push);
        assert_eq!(event.action, Action::Pushed);
        assert_eq!(push.branch.as_deref(), Some("main"));
        assert_eq!(push.before.as_deref(), Some("1111aaaa"));
        assert_eq!(push.after.as_deref(), Some("2222bbbb"));
        assert_eq!(event.sender.unwrap().login, "ACME\\ada");
        assert_eq!(event.repository.unwrap().full_name, "Acme/rocket");
    }

    #[test]
    fn unknown_test_sample_is_other() {
        let payload = json!({
            "id": "4a3b-test",
            "eventType": "build.complete",
            "message": {"text": "Build ConsumerAddressModule_20150407.2 succeeded"},
            "resource": {"buildNumber": "ConsumerAddressModule_20150407.2", "status": "succeeded"}
        });
        let event = normalize("build.complete", &payload);
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.action, Action::Other);
        assert_eq!(event.repository, None);
    }

    #[test]
    fn unknown_event_without_resource_is_other() {
        let event = normalize("workitem.updated", &json!({"eventType": "workitem.updated"}));
        assert_eq!(event.kind, Kind::Other);
    }
}
