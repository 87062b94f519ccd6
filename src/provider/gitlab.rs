//! GitLab: `X-Gitlab-Token` or a signing token, events by `X-Gitlab-Event`.
//!
//! Modelled events: `Merge Request Hook` (kind `pull_request`), `Note Hook`
//! on a merge request (kind `comment`) and `Push Hook` (kind `push`). Every
//! other event header, including `Tag Push Hook`, `Confidential Note Hook`
//! and `System Hook`, becomes kind `other`: a tag is not a branch, so a tag
//! push has no `push.branch`, and an internal note should not reach actions
//! that reply in public.
//!
//! GitLab disables a webhook after repeated 4xx responses, so an authentic,
//! well-formed delivery always becomes an [`Outcome`]. Only a payload that
//! lacks the object its event promises is a [`PayloadError`].

use super::{
    bool_at, git_push, header_str, str_at, string_at, u64_at, Normalized, Outcome, PayloadError,
    Provider, ProviderId, RawDelivery,
};
use crate::config::GitlabConfig;
use crate::event::{
    branch_name, login_is_bot, Action, Comment, Kind, PrState, PullRequest, Repository, Sender,
};
use crate::verify::{verify_standard_webhooks, verify_token, AuthError, StandardHeaders};
use axum::http::HeaderMap;
use serde_json::Value;
use std::collections::BTreeSet;

const EVENT_HEADER: &str = "X-Gitlab-Event";
const TOKEN_HEADER: &str = "X-Gitlab-Token";
const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
const EVENT_UUID_HEADER: &str = "X-Gitlab-Event-UUID";
const SIGNATURE_ID_HEADER: &str = "webhook-id";
const SIGNATURE_TIMESTAMP_HEADER: &str = "webhook-timestamp";
const SIGNATURE_HEADER: &str = "webhook-signature";

/// `changes` keys that GitLab updates on every edit, whatever else changed.
const BOOKKEEPING_KEYS: [&str; 4] = ["updated_at", "updated_by_id", "last_edited_at", "last_edited_by_id"];

/// Title prefixes that mark a merge request as a draft, compared in lower case.
/// The `WIP` forms are for older GitLab versions.
const DRAFT_TITLE_PREFIXES: [&str; 5] = ["draft:", "[draft]", "(draft)", "wip:", "[wip]"];

pub struct Gitlab {
    config: GitlabConfig,
}

impl Gitlab {
    pub fn new(config: GitlabConfig) -> Gitlab {
        Gitlab { config }
    }
}

impl Provider for Gitlab {
    fn id(&self) -> ProviderId {
        ProviderId::Gitlab
    }

    fn detect(&self, headers: &HeaderMap) -> bool {
        headers.contains_key(EVENT_HEADER)
    }

    /// Checks the signing-token signature when one is configured and the
    /// delivery carries `webhook-signature`, otherwise `X-Gitlab-Token`.
    ///
    /// A failed signature is not retried against the token, so a wrong
    /// signing token shows up as rejected deliveries. With both configured,
    /// a delivery without `webhook-signature` is still accepted by its token.
    fn verify(&self, delivery: &RawDelivery<'_>) -> Result<(), AuthError> {
        let headers = delivery.headers;
        let has_signature = headers.contains_key(SIGNATURE_HEADER);
        match (&self.config.signing_token, &self.config.webhook_secret) {
            (None, None) => Err(AuthError::NoSecret),
            (Some(signing_tokens), _) if has_signature => {
                let signature_headers = StandardHeaders {
                    id: headers.get(SIGNATURE_ID_HEADER).map(|value| value.as_bytes()),
                    timestamp: headers.get(SIGNATURE_TIMESTAMP_HEADER).map(|value| value.as_bytes()),
                    signature: headers.get(SIGNATURE_HEADER).map(|value| value.as_bytes()),
                };
                verify_standard_webhooks(signature_headers, signing_tokens, delivery.body, delivery.now_unix)
            }
            (_, Some(tokens)) => match headers.get(TOKEN_HEADER) {
                Some(value) => verify_token(TOKEN_HEADER, value.as_bytes(), tokens),
                None => Err(AuthError::Missing(TOKEN_HEADER)),
            },
            (Some(_), None) => Err(AuthError::Missing(SIGNATURE_HEADER)),
        }
    }

    fn event_name(&self, headers: &HeaderMap, _payload: &Value) -> Result<String, PayloadError> {
        header_str(headers, EVENT_HEADER)
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| PayloadError(format!("the {EVENT_HEADER} header is missing")))
    }

    /// Prefers `Idempotency-Key`, which stays the same when GitLab retries a
    /// delivery. `X-Gitlab-Event-UUID` is the fallback for versions without it.
    fn delivery_id(&self, headers: &HeaderMap, _payload: &Value) -> Option<String> {
        [IDEMPOTENCY_HEADER, EVENT_UUID_HEADER]
            .into_iter()
            .find_map(|name| header_str(headers, name).filter(|id| !id.is_empty()))
            .map(str::to_owned)
    }

    fn normalize(&self, event: &str, payload: &Value) -> Result<Outcome, PayloadError> {
        if !payload.is_object() {
            return Err(PayloadError("the payload is not a JSON object".into()));
        }
        match event {
            "Merge Request Hook" => normalize_merge_request(payload).map(Outcome::Event),
            "Note Hook" => normalize_note(payload),
            "Push Hook" => normalize_push(payload).map(Outcome::Event),
            _ => Ok(Outcome::Event(normalize_other(payload))),
        }
    }
}

fn required_object<'a>(payload: &'a Value, key: &str) -> Result<&'a Value, PayloadError> {
    payload
        .get(key)
        .filter(|object| object.is_object())
        .ok_or_else(|| PayloadError::missing(&format!("{key} object")))
}

fn repository(payload: &Value) -> Option<Repository> {
    Some(Repository {
        full_name: string_at(payload, "project.path_with_namespace")?,
        url: string_at(payload, "project.web_url"),
    })
}

/// Reads the acting user of merge request and note hooks.
fn user_sender(payload: &Value) -> Option<Sender> {
    let login = string_at(payload, "user.username")?;
    let is_bot = bool_at(payload, "user.bot") == Some(true) || username_is_bot(&login);
    Some(Sender { login, is_bot })
}

/// Reads the pusher of push hooks from `user_username`. Legacy payloads
/// carry only a display name, so they get no sender.
fn pusher_sender(payload: &Value) -> Option<Sender> {
    let login = string_at(payload, "user_username")?;
    let is_bot = username_is_bot(&login);
    Some(Sender { login, is_bot })
}

fn username_is_bot(username: &str) -> bool {
    login_is_bot(username) || is_access_token_bot(username)
}

/// Tells whether a username is the bot user GitLab creates for a project or
/// group access token: `project_<id>_bot` or `group_<id>_bot`, usually with
/// a suffix (`project_64_bot1`).
fn is_access_token_bot(username: &str) -> bool {
    let Some(rest) = username.strip_prefix("project_").or_else(|| username.strip_prefix("group_")) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with("_bot")
}

/// Collects the titles of `object.labels`, or `None` when `object` has no `labels` array.
fn label_titles(object: &Value) -> Option<Vec<String>> {
    titles(object.get("labels")?)
}

/// Collects the `title` of each label in an array of labels.
fn titles(labels: &Value) -> Option<Vec<String>> {
    let labels = labels.as_array()?;
    Some(labels.iter().filter_map(|label| string_at(label, "title")).collect())
}

fn merge_request_state(object: &Value) -> PrState {
    match str_at(object, "state") {
        Some("merged") => PrState::Merged,
        Some("closed" | "locked") => PrState::Closed,
        _ => PrState::Open,
    }
}

/// Reads a merge request from `object`: `object_attributes` of a merge
/// request hook or `merge_request` of a note hook, named `path` in errors.
///
/// `author` is the acting user when the caller found that user to be the
/// merge request's author; GitLab payloads name the author only by id.
fn pull_request(
    payload: &Value,
    object: &Value,
    path: &str,
    author: Option<Sender>,
) -> Result<PullRequest, PayloadError> {
    let number = u64_at(object, "iid").ok_or_else(|| PayloadError::missing(&format!("{path}.iid")))?;
    let url = string_at(object, "url").or_else(|| {
        str_at(payload, "project.web_url").map(|web_url| format!("{web_url}/-/merge_requests/{number}"))
    });
    let draft = bool_at(object, "draft").or_else(|| bool_at(object, "work_in_progress")).unwrap_or(false);
    Ok(PullRequest {
        number,
        title: string_at(object, "title").unwrap_or_default(),
        url,
        author_is_bot: author.as_ref().is_some_and(|author| author.is_bot),
        author: author.map(|author| author.login),
        source_branch: str_at(object, "source_branch").map(branch_name),
        target_branch: str_at(object, "target_branch").map(branch_name),
        head_sha: string_at(object, "last_commit.id"),
        labels: label_titles(payload).or_else(|| label_titles(object)).unwrap_or_default(),
        draft,
        state: merge_request_state(object),
    })
}

/// Tells whether two ids are both present and equal.
fn same_id(left: Option<u64>, right: Option<u64>) -> bool {
    left.is_some() && left == right
}

fn normalize_merge_request(payload: &Value) -> Result<Normalized, PayloadError> {
    let attributes = required_object(payload, "object_attributes")?;
    let sender = user_sender(payload);
    let acting_user_is_author = same_id(u64_at(payload, "user.id"), u64_at(attributes, "author_id"));
    let author = sender.clone().filter(|_| acting_user_is_author);
    let pull_request = pull_request(payload, attributes, "object_attributes", author)?;

    let action = match str_at(attributes, "action") {
        Some("open") => Action::Opened,
        Some("reopen") => Action::Reopened,
        Some("close") => Action::Closed,
        Some("merge") => Action::Merged,
        Some("update") => update_action(attributes, payload.get("changes")),
        Some("approved" | "unapproved" | "approval" | "unapproval") => Action::Updated,
        _ => Action::Other,
    };
    let mut event = Normalized::new(Kind::PullRequest, action);
    event.repository = repository(payload);
    event.sender = sender;
    event.pull_request = Some(pull_request);
    Ok(event)
}

/// Splits GitLab's single `update` action by what changed.
///
/// In order: new commits (`oldrev` is set only then), a draft status change,
/// a title or description edit, a label change, and anything else.
fn update_action(attributes: &Value, changes: Option<&Value>) -> Action {
    if attributes.get("oldrev").is_some_and(|oldrev| !oldrev.is_null()) {
        return Action::Synchronized;
    }
    let Some(changes) = changes.and_then(Value::as_object) else {
        return Action::Updated;
    };
    if let Some(action) = draft_change(changes) {
        return action;
    }

    let changed: Vec<&str> = changes
        .keys()
        .map(String::as_str)
        .filter(|key| !BOOKKEEPING_KEYS.contains(key))
        .collect();
    if changed.is_empty() {
        return Action::Updated;
    }
    if changed.iter().all(|key| matches!(*key, "title" | "description")) {
        return Action::Edited;
    }
    if changed == ["labels"] {
        return label_change(&changes["labels"]).unwrap_or(Action::Updated);
    }
    Action::Updated
}

/// Finds a draft status change in `changes`: the `draft` field, the
/// `work_in_progress` field of older GitLab versions, or a draft prefix
/// added to or removed from the title.
fn draft_change(changes: &serde_json::Map<String, Value>) -> Option<Action> {
    let flag_change = |key: &str| {
        let change = changes.get(key)?;
        Some((bool_at(change, "previous")?, bool_at(change, "current")?))
    };
    let title_change = || {
        let change = changes.get("title")?;
        let previous = str_at(change, "previous")?;
        let current = str_at(change, "current")?;
        Some((has_draft_prefix(previous), has_draft_prefix(current)))
    };
    let (was_draft, is_draft) = flag_change("draft")
        .or_else(|| flag_change("work_in_progress"))
        .or_else(title_change)?;
    match (was_draft, is_draft) {
        (false, true) => Some(Action::ConvertedToDraft),
        (true, false) => Some(Action::ReadyForReview),
        _ => None,
    }
}

fn has_draft_prefix(title: &str) -> bool {
    let title = title.trim_start().to_lowercase();
    DRAFT_TITLE_PREFIXES.iter().any(|prefix| title.starts_with(prefix))
}

/// Compares the label sets of a `changes.labels` entry: any label added is
/// `labeled` (also when others were removed), only removals are `unlabeled`.
fn label_change(change: &Value) -> Option<Action> {
    let label_set = |side: &str| -> Option<BTreeSet<String>> {
        let labels = titles(change.get(side)?)?;
        Some(labels.into_iter().collect())
    };
    let previous = label_set("previous")?;
    let current = label_set("current")?;
    if current.difference(&previous).next().is_some() {
        Some(Action::Labeled)
    } else if previous.difference(&current).next().is_some() {
        Some(Action::Unlabeled)
    } else {
        None
    }
}

/// `Note Hook`: a comment on a merge request, or on something else (ignored).
fn normalize_note(payload: &Value) -> Result<Outcome, PayloadError> {
    let attributes = required_object(payload, "object_attributes")?;
    let noteable_type = str_at(attributes, "noteable_type")
        .ok_or_else(|| PayloadError::missing("object_attributes.noteable_type"))?;
    if noteable_type != "MergeRequest" {
        let subject = match noteable_type {
            "Issue" => "an issue".to_owned(),
            "Commit" => "a commit".to_owned(),
            "Snippet" => "a snippet".to_owned(),
            other => format!("a {other}"),
        };
        return Ok(Outcome::Ignored(format!("note on {subject}, not a merge request")));
    }
    let merge_request = required_object(payload, "merge_request")?;

    // The commenter is the author when the acting user's id or the note's
    // author id equals the merge request's author id. Both are checked
    // because some note payloads leave out `user.id`.
    let sender = user_sender(payload);
    let author_id = u64_at(merge_request, "author_id");
    let commenter_is_author = same_id(u64_at(payload, "user.id"), author_id)
        || same_id(u64_at(attributes, "author_id"), author_id);
    let author = sender.clone().filter(|_| commenter_is_author);
    let pull_request = pull_request(payload, merge_request, "merge_request", author)?;

    // A note without `action` is read as new. GitLab added the field when note
    // edits started to fire hooks, so some versions send edits without it.
    let action = match str_at(attributes, "action") {
        None | Some("create") => Action::Commented,
        Some("update") => Action::Updated,
        Some(_) => Action::Other,
    };
    let mut event = Normalized::new(Kind::Comment, action);
    event.repository = repository(payload);
    event.comment = Some(Comment {
        body: string_at(attributes, "note").unwrap_or_default(),
        author: sender.as_ref().map(|sender| sender.login.clone()),
        url: string_at(attributes, "url"),
    });
    event.sender = sender;
    event.pull_request = Some(pull_request);
    Ok(Outcome::Event(event))
}

fn normalize_push(payload: &Value) -> Result<Normalized, PayloadError> {
    let mut event = Normalized::new(Kind::Push, Action::Pushed);
    event.push = Some(git_push(payload)?);
    event.repository = repository(payload);
    event.sender = pusher_sender(payload);
    Ok(event)
}

/// Any event prhook does not model: kind `other`, with what it can name.
fn normalize_other(payload: &Value) -> Normalized {
    let mut event = Normalized::new(Kind::Other, Action::Other);
    event.repository = repository(payload);
    event.sender = user_sender(payload).or_else(|| pusher_sender(payload));
    event
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::{Secret, SecretList};
    use crate::verify::standard_webhooks_sign;
    use axum::http::{HeaderName, HeaderValue};
    use serde_json::json;

    const TOKEN: &str = "glhook-7Qx2";

    // The Standard Webhooks specification's published test vector.
    const SW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const SW_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const SW_TIMESTAMP: i64 = 1649367553;
    const SW_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SW_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn secrets(values: &[&str]) -> Option<SecretList> {
        SecretList::new(values.iter().map(|value| Secret::new(*value)).collect())
    }

    fn gitlab(tokens: &[&str], signing_tokens: &[&str]) -> Gitlab {
        Gitlab::new(GitlabConfig {
            webhook_secret: secrets(tokens),
            signing_token: secrets(signing_tokens),
            ..GitlabConfig::default()
        })
    }

    fn header_map(headers: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn verify_at(provider: &Gitlab, headers: &[(&str, &str)], body: &[u8], now_unix: i64) -> Result<(), AuthError> {
        let map = header_map(headers);
        provider.verify(&RawDelivery { headers: &map, body, now_unix })
    }

    fn verify(provider: &Gitlab, headers: &[(&str, &str)]) -> Result<(), AuthError> {
        verify_at(provider, headers, b"{}", 0)
    }

    fn signed_headers(signature: &str) -> Vec<(&'static str, String)> {
        vec![
            ("webhook-id", SW_ID.to_owned()),
            ("webhook-timestamp", SW_TIMESTAMP.to_string()),
            ("webhook-signature", signature.to_owned()),
        ]
    }

    fn as_pairs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
        headers.iter().map(|(name, value)| (*name, value.as_str())).collect()
    }

    #[test]
    fn token_accepted() {
        let result = verify(&gitlab(&[TOKEN], &[]), &[("X-Gitlab-Token", TOKEN)]);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn token_wrong() {
        let result = verify(&gitlab(&[TOKEN], &[]), &[("X-Gitlab-Token", "glhook-guess")]);
        assert_eq!(result, Err(AuthError::Mismatch("X-Gitlab-Token")));
    }

    #[test]
    fn token_with_extra_space_rejected() {
        let result = verify(&gitlab(&[TOKEN], &[]), &[("X-Gitlab-Token", "glhook-7Qx2 ")]);
        assert_eq!(result, Err(AuthError::Mismatch("X-Gitlab-Token")));
    }

    #[test]
    fn token_empty_rejected() {
        let result = verify(&gitlab(&[TOKEN], &[]), &[("X-Gitlab-Token", "")]);
        assert_eq!(result, Err(AuthError::Mismatch("X-Gitlab-Token")));
    }

    #[test]
    fn token_missing() {
        let result = verify(&gitlab(&[TOKEN], &[]), &[("X-Gitlab-Event", "Push Hook")]);
        assert_eq!(result, Err(AuthError::Missing("X-Gitlab-Token")));
    }

    #[test]
    fn token_rotation_accepts_second() {
        let result = verify(&gitlab(&["glhook-old", TOKEN], &[]), &[("X-Gitlab-Token", TOKEN)]);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn no_secret_fails_closed() {
        let result = verify(&gitlab(&[], &[]), &[("X-Gitlab-Token", TOKEN)]);
        assert_eq!(result, Err(AuthError::NoSecret));
    }

    #[test]
    fn signing_token_vector_accepted() {
        let headers = signed_headers(SW_SIGNATURE);
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), SW_BODY, SW_TIMESTAMP + 10);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn signing_token_out_of_window_rejected() {
        let headers = signed_headers(SW_SIGNATURE);
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), SW_BODY, SW_TIMESTAMP + 301);
        assert_eq!(result, Err(AuthError::TimestampOutOfWindow("webhook-timestamp")));
    }

    #[test]
    fn signing_token_several_signatures() {
        let headers = signed_headers(&format!("v1,Zm9vYmFy {SW_SIGNATURE}"));
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), SW_BODY, SW_TIMESTAMP);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn signing_token_changed_body_rejected() {
        let headers = signed_headers(SW_SIGNATURE);
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), b"{}", SW_TIMESTAMP);
        assert_eq!(result, Err(AuthError::Mismatch("webhook-signature")));
    }

    #[test]
    fn signing_token_malformed_signature() {
        let headers = signed_headers("v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), SW_BODY, SW_TIMESTAMP);
        assert!(matches!(result, Err(AuthError::Malformed { header: "webhook-signature", .. })));
    }

    #[test]
    fn signing_token_malformed_timestamp() {
        let mut headers = signed_headers(SW_SIGNATURE);
        headers[1].1 = "yesterday".to_owned();
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers), SW_BODY, SW_TIMESTAMP);
        assert!(matches!(result, Err(AuthError::Malformed { header: "webhook-timestamp", .. })));
    }

    #[test]
    fn signing_token_without_signature() {
        let result = verify(&gitlab(&[], &[SW_SECRET]), &[("X-Gitlab-Token", TOKEN)]);
        assert_eq!(result, Err(AuthError::Missing("webhook-signature")));
    }

    #[test]
    fn signing_token_without_id() {
        let headers = signed_headers(SW_SIGNATURE);
        let result = verify_at(&gitlab(&[], &[SW_SECRET]), &as_pairs(&headers[1..]), SW_BODY, SW_TIMESTAMP);
        assert_eq!(result, Err(AuthError::Missing("webhook-id")));
    }

    #[test]
    fn signature_checked_before_token() {
        let mut headers = signed_headers(SW_SIGNATURE);
        headers.push(("X-Gitlab-Token", TOKEN.to_owned()));
        let result = verify_at(&gitlab(&[TOKEN], &[SW_SECRET]), &as_pairs(&headers), b"{}", SW_TIMESTAMP);
        assert_eq!(result, Err(AuthError::Mismatch("webhook-signature")));
    }

    #[test]
    fn token_used_without_signature() {
        let result = verify(&gitlab(&[TOKEN], &[SW_SECRET]), &[("X-Gitlab-Token", TOKEN)]);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn signature_ignored_without_signing_token() {
        let signature = standard_webhooks_sign(&Secret::new(SW_SECRET), SW_ID, SW_TIMESTAMP, b"{}");
        let mut headers = signed_headers(&signature);
        headers.push(("X-Gitlab-Token", "glhook-guess".to_owned()));
        let result = verify_at(&gitlab(&[TOKEN], &[]), &as_pairs(&headers), b"{}", SW_TIMESTAMP);
        assert_eq!(result, Err(AuthError::Mismatch("X-Gitlab-Token")));
    }

    #[test]
    fn detect_by_event_header() {
        let provider = gitlab(&[TOKEN], &[]);
        assert!(provider.detect(&header_map(&[("X-Gitlab-Event", "Push Hook")])));
        assert!(!provider.detect(&header_map(&[("X-Event-Key", "pr:opened")])));
    }

    #[test]
    fn event_name_from_header() {
        let provider = gitlab(&[TOKEN], &[]);
        let name = provider.event_name(&header_map(&[("X-Gitlab-Event", "Note Hook")]), &json!({}));
        assert_eq!(name, Ok("Note Hook".to_owned()));
    }

    #[test]
    fn event_name_missing() {
        let provider = gitlab(&[TOKEN], &[]);
        assert!(provider.event_name(&HeaderMap::new(), &json!({})).is_err());
    }

    #[test]
    fn delivery_id_prefers_idempotency_key() {
        let provider = gitlab(&[TOKEN], &[]);
        let headers = header_map(&[
            ("X-Gitlab-Event-UUID", "0b6f4c1e-uuid"),
            ("Idempotency-Key", "6a0c2d9e-key"),
        ]);
        assert_eq!(provider.delivery_id(&headers, &json!({})).as_deref(), Some("6a0c2d9e-key"));
    }

    #[test]
    fn delivery_id_falls_back_to_uuid() {
        let provider = gitlab(&[TOKEN], &[]);
        let headers = header_map(&[("X-Gitlab-Event-UUID", "0b6f4c1e-uuid")]);
        assert_eq!(provider.delivery_id(&headers, &json!({})).as_deref(), Some("0b6f4c1e-uuid"));
    }

    #[test]
    fn delivery_id_absent() {
        let provider = gitlab(&[TOKEN], &[]);
        assert_eq!(provider.delivery_id(&HeaderMap::new(), &json!({})), None);
    }

    fn project() -> Value {
        json!({
            "path_with_namespace": "orbit/tools/lander",
            "web_url": "https://gitlab.example.com/orbit/tools/lander"
        })
    }

    fn label(title: &str) -> Value {
        json!({"id": title.len(), "title": title, "type": "ProjectLabel"})
    }

    /// Builds a merge request hook by `mira` (id 41), who wrote the merge request.
    fn mr_payload(action: &str) -> Value {
        json!({
            "object_kind": "merge_request",
            "event_type": "merge_request",
            "user": {"id": 41, "name": "Mira Castell", "username": "mira"},
            "project": project(),
            "object_attributes": {
                "iid": 17,
                "title": "Tune the landing burn",
                "url": "https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17",
                "author_id": 41,
                "source_branch": "feature/burn",
                "target_branch": "main",
                "last_commit": {"id": "9c0ffee5"},
                "state": "opened",
                "draft": false,
                "work_in_progress": false,
                "labels": [label("physics")],
                "action": action
            },
            "labels": [label("physics"), label("needs-review")],
            "changes": {"updated_at": {"previous": "2026-03-01 10:00:00 UTC", "current": "2026-03-01 10:05:00 UTC"}}
        })
    }

    fn update_with_changes(changes: Value) -> Value {
        let mut payload = mr_payload("update");
        payload["changes"] = changes;
        payload
    }

    fn normalize(event: &str, payload: &Value) -> Normalized {
        match crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), event, payload).unwrap() {
            Outcome::Event(event) => event,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    fn mr_action(payload: &Value) -> Action {
        normalize("Merge Request Hook", payload).action
    }

    #[test]
    fn merge_request_opened() {
        let event = normalize("Merge Request Hook", &mr_payload("open"));
        let pr = event.pull_request.unwrap();
        let repository = event.repository.unwrap();
        assert_eq!(event.kind, Kind::PullRequest);
        assert_eq!(event.action, Action::Opened);
        assert_eq!(pr.number, 17);
        assert_eq!(pr.title, "Tune the landing burn");
        assert_eq!(pr.url.as_deref(), Some("https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17"));
        assert_eq!(pr.author.as_deref(), Some("mira"));
        assert!(!pr.author_is_bot);
        assert_eq!(pr.source_branch.as_deref(), Some("feature/burn"));
        assert_eq!(pr.target_branch.as_deref(), Some("main"));
        assert_eq!(pr.head_sha.as_deref(), Some("9c0ffee5"));
        assert_eq!(pr.labels, vec!["physics", "needs-review"]);
        assert!(!pr.draft);
        assert_eq!(pr.state, PrState::Open);
        assert_eq!(repository.full_name, "orbit/tools/lander");
        assert_eq!(repository.url.as_deref(), Some("https://gitlab.example.com/orbit/tools/lander"));
        assert_eq!(event.sender, Some(Sender { login: "mira".into(), is_bot: false }));
        assert!(!event.compare_head);
    }

    #[test]
    fn merge_request_actions() {
        let cases = [
            ("reopen", Action::Reopened),
            ("close", Action::Closed),
            ("merge", Action::Merged),
            ("approved", Action::Updated),
            ("unapproved", Action::Updated),
            ("approval", Action::Updated),
            ("unapproval", Action::Updated),
            ("some_future_action", Action::Other),
        ];
        for (gitlab_action, expected) in cases {
            assert_eq!(mr_action(&mr_payload(gitlab_action)), expected, "action {gitlab_action}");
        }
    }

    #[test]
    fn merge_request_without_action_is_other() {
        let mut payload = mr_payload("open");
        payload["object_attributes"].as_object_mut().unwrap().remove("action");
        assert_eq!(mr_action(&payload), Action::Other);
    }

    #[test]
    fn merge_request_states() {
        let cases = [
            ("opened", PrState::Open),
            ("closed", PrState::Closed),
            ("merged", PrState::Merged),
            ("locked", PrState::Closed),
        ];
        for (gitlab_state, expected) in cases {
            let mut payload = mr_payload("update");
            payload["object_attributes"]["state"] = json!(gitlab_state);
            let pr = normalize("Merge Request Hook", &payload).pull_request.unwrap();
            assert_eq!(pr.state, expected, "state {gitlab_state}");
        }
    }

    #[test]
    fn author_unknown_when_actor_differs() {
        let mut payload = mr_payload("close");
        payload["user"] = json!({"id": 77, "username": "reviewer-ola"});
        let event = normalize("Merge Request Hook", &payload);
        assert_eq!(event.pull_request.unwrap().author, None);
        assert_eq!(event.sender.unwrap().login, "reviewer-ola");
    }

    #[test]
    fn author_unknown_without_user_id() {
        let mut payload = mr_payload("open");
        payload["user"] = json!({"username": "mira"});
        assert_eq!(normalize("Merge Request Hook", &payload).pull_request.unwrap().author, None);
    }

    #[test]
    fn url_built_from_project() {
        let mut payload = mr_payload("open");
        payload["object_attributes"].as_object_mut().unwrap().remove("url");
        let pr = normalize("Merge Request Hook", &payload).pull_request.unwrap();
        assert_eq!(pr.url.as_deref(), Some("https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17"));
    }

    #[test]
    fn labels_fall_back_to_attributes() {
        let mut payload = mr_payload("open");
        payload.as_object_mut().unwrap().remove("labels");
        let pr = normalize("Merge Request Hook", &payload).pull_request.unwrap();
        assert_eq!(pr.labels, vec!["physics"]);
    }

    #[test]
    fn labels_empty_when_absent() {
        let mut payload = mr_payload("open");
        payload.as_object_mut().unwrap().remove("labels");
        payload["object_attributes"].as_object_mut().unwrap().remove("labels");
        assert!(normalize("Merge Request Hook", &payload).pull_request.unwrap().labels.is_empty());
    }

    #[test]
    fn draft_from_work_in_progress() {
        let mut payload = mr_payload("open");
        payload["object_attributes"].as_object_mut().unwrap().remove("draft");
        payload["object_attributes"]["work_in_progress"] = json!(true);
        assert!(normalize("Merge Request Hook", &payload).pull_request.unwrap().draft);
    }

    #[test]
    fn bot_users_detected() {
        for user in [
            json!({"id": 41, "username": "project_314_bot1"}),
            json!({"id": 41, "username": "group_27_bot_5e1d"}),
            json!({"id": 41, "username": "lint-helper[bot]"}),
            json!({"id": 41, "username": "deploy-helper", "bot": true}),
        ] {
            let mut payload = mr_payload("open");
            payload["user"] = user.clone();
            let event = normalize("Merge Request Hook", &payload);
            assert!(event.sender.unwrap().is_bot, "user {user}");
            assert!(event.pull_request.unwrap().author_is_bot, "user {user}");
        }
    }

    #[test]
    fn bot_lookalikes_are_people() {
        for username in ["project_manager", "project_bot", "groupie_1_bot", "robotnik"] {
            assert!(!username_is_bot(username), "username {username}");
        }
    }

    #[test]
    fn bot_flag_without_known_author() {
        let mut payload = mr_payload("merge");
        payload["user"] = json!({"id": 99, "username": "project_314_bot1"});
        let event = normalize("Merge Request Hook", &payload);
        assert!(event.sender.unwrap().is_bot);
        assert!(!event.pull_request.unwrap().author_is_bot);
    }

    #[test]
    fn oldrev_is_synchronized() {
        let mut payload = mr_payload("update");
        payload["object_attributes"]["oldrev"] = json!("4b1d2e3f");
        assert_eq!(mr_action(&payload), Action::Synchronized);
    }

    #[test]
    fn null_oldrev_is_not_synchronized() {
        let mut payload = mr_payload("update");
        payload["object_attributes"]["oldrev"] = Value::Null;
        assert_eq!(mr_action(&payload), Action::Updated);
    }

    #[test]
    fn oldrev_wins_over_title_change() {
        let mut payload = update_with_changes(json!({"title": {"previous": "Tune", "current": "Tune the burn"}}));
        payload["object_attributes"]["oldrev"] = json!("4b1d2e3f");
        assert_eq!(mr_action(&payload), Action::Synchronized);
    }

    #[test]
    fn draft_flag_set_is_converted_to_draft() {
        let payload = update_with_changes(json!({
            "draft": {"previous": false, "current": true},
            "title": {"previous": "Tune the landing burn", "current": "Draft: Tune the landing burn"}
        }));
        assert_eq!(mr_action(&payload), Action::ConvertedToDraft);
    }

    #[test]
    fn draft_flag_cleared_is_ready() {
        let payload = update_with_changes(json!({"draft": {"previous": true, "current": false}}));
        assert_eq!(mr_action(&payload), Action::ReadyForReview);
    }

    #[test]
    fn work_in_progress_cleared_is_ready() {
        let payload = update_with_changes(json!({"work_in_progress": {"previous": true, "current": false}}));
        assert_eq!(mr_action(&payload), Action::ReadyForReview);
    }

    #[test]
    fn draft_prefix_removed_is_ready() {
        let payload = update_with_changes(json!({
            "title": {"previous": "Draft: Tune the landing burn", "current": "Tune the landing burn"},
            "updated_at": {"previous": "2026-03-01 10:00:00 UTC", "current": "2026-03-01 10:05:00 UTC"}
        }));
        assert_eq!(mr_action(&payload), Action::ReadyForReview);
    }

    #[test]
    fn draft_prefixes_recognised() {
        for title in ["Draft: x", "draft:x", "[Draft] x", "(Draft) x", "WIP: x", "[WIP] x", "  Draft: x"] {
            let payload = update_with_changes(json!({"title": {"previous": "x", "current": title}}));
            assert_eq!(mr_action(&payload), Action::ConvertedToDraft, "title {title:?}");
        }
    }

    #[test]
    fn draft_word_inside_title_is_edit() {
        let payload = update_with_changes(json!({"title": {"previous": "Tune", "current": "Tune the draft: notes"}}));
        assert_eq!(mr_action(&payload), Action::Edited);
    }

    #[test]
    fn title_and_description_are_edited() {
        let payload = update_with_changes(json!({
            "title": {"previous": "Tune", "current": "Tune the landing burn"},
            "description": {"previous": "", "current": "Shortens the burn by 2 s."},
            "last_edited_at": {"previous": null, "current": "2026-03-01 10:05:00 UTC"},
            "last_edited_by_id": {"previous": null, "current": 41},
            "updated_at": {"previous": "2026-03-01 10:00:00 UTC", "current": "2026-03-01 10:05:00 UTC"},
            "updated_by_id": {"previous": null, "current": 41}
        }));
        assert_eq!(mr_action(&payload), Action::Edited);
    }

    #[test]
    fn description_only_is_edited() {
        let payload = update_with_changes(json!({"description": {"previous": "a", "current": "b"}}));
        assert_eq!(mr_action(&payload), Action::Edited);
    }

    #[test]
    fn label_added_is_labeled() {
        let payload = update_with_changes(json!({
            "labels": {"previous": [label("physics")], "current": [label("physics"), label("urgent")]},
            "updated_at": {"previous": "2026-03-01 10:00:00 UTC", "current": "2026-03-01 10:05:00 UTC"}
        }));
        assert_eq!(mr_action(&payload), Action::Labeled);
    }

    #[test]
    fn label_removed_is_unlabeled() {
        let payload = update_with_changes(json!({
            "labels": {"previous": [label("physics"), label("urgent")], "current": [label("physics")]}
        }));
        assert_eq!(mr_action(&payload), Action::Unlabeled);
    }

    #[test]
    fn label_swapped_is_labeled() {
        let payload = update_with_changes(json!({
            "labels": {"previous": [label("physics"), label("urgent")], "current": [label("chemistry")]}
        }));
        assert_eq!(mr_action(&payload), Action::Labeled);
    }

    #[test]
    fn label_only_update_is_not_synchronized() {
        let payload = update_with_changes(json!({
            "labels": {"previous": [], "current": [label("urgent")]}
        }));
        let action = mr_action(&payload);
        assert_ne!(action, Action::Synchronized);
        assert_eq!(action, Action::Labeled);
    }

    #[test]
    fn labels_with_other_change_are_updated() {
        let payload = update_with_changes(json!({
            "labels": {"previous": [], "current": [label("urgent")]},
            "title": {"previous": "Tune", "current": "Tune the landing burn"}
        }));
        assert_eq!(mr_action(&payload), Action::Updated);
    }

    #[test]
    fn other_changes_are_updated() {
        let payload = update_with_changes(json!({
            "assignees": {"previous": [], "current": [{"username": "ola"}]},
            "updated_at": {"previous": "2026-03-01 10:00:00 UTC", "current": "2026-03-01 10:05:00 UTC"}
        }));
        assert_eq!(mr_action(&payload), Action::Updated);
    }

    #[test]
    fn timestamps_only_are_updated() {
        assert_eq!(mr_action(&mr_payload("update")), Action::Updated);
    }

    #[test]
    fn update_without_changes_is_updated() {
        let mut payload = mr_payload("update");
        payload.as_object_mut().unwrap().remove("changes");
        assert_eq!(mr_action(&payload), Action::Updated);
    }

    #[test]
    fn open_with_draft_change_stays_opened() {
        let mut payload = mr_payload("open");
        payload["changes"] = json!({"draft": {"previous": true, "current": false}});
        assert_eq!(mr_action(&payload), Action::Opened);
    }

    #[test]
    fn merge_request_without_attributes_is_malformed() {
        let provider = gitlab(&[TOKEN], &[]);
        let result = crate::provider::checked_normalize(&provider, "Merge Request Hook", &json!({"object_kind": "merge_request", "project": project()}));
        assert_eq!(result, Err(PayloadError::missing("object_attributes object")));
    }

    #[test]
    fn merge_request_without_iid_is_malformed() {
        let mut payload = mr_payload("open");
        payload["object_attributes"].as_object_mut().unwrap().remove("iid");
        let result = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Merge Request Hook", &payload);
        assert_eq!(result, Err(PayloadError::missing("object_attributes.iid")));
    }

    #[test]
    fn payload_not_object_is_malformed() {
        let result = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Push Hook", &json!([1, 2]));
        assert!(result.is_err());
    }

    /// Builds a note by `ola` (id 77) on merge request 17, which `mira` (id 41) wrote.
    fn note_payload(noteable_type: &str) -> Value {
        json!({
            "object_kind": "note",
            "event_type": "note",
            "user": {"id": 77, "name": "Ola Brekke", "username": "ola"},
            "project": project(),
            "object_attributes": {
                "id": 9001,
                "note": "/review --focus=safety\nThe abort path needs a test.",
                "noteable_type": noteable_type,
                "author_id": 77,
                "url": "https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17#note_9001"
            },
            "merge_request": {
                "iid": 17,
                "title": "Tune the landing burn",
                "url": "https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17",
                "author_id": 41,
                "source_branch": "feature/burn",
                "target_branch": "main",
                "last_commit": {"id": "9c0ffee5"},
                "state": "opened",
                "draft": true,
                "labels": [label("physics")]
            }
        })
    }

    #[test]
    fn note_on_merge_request() {
        let event = normalize("Note Hook", &note_payload("MergeRequest"));
        let pr = event.pull_request.unwrap();
        let comment = event.comment.unwrap();
        assert_eq!(event.kind, Kind::Comment);
        assert_eq!(event.action, Action::Commented);
        assert_eq!(pr.number, 17);
        assert_eq!(pr.title, "Tune the landing burn");
        assert_eq!(pr.author, None);
        assert_eq!(pr.head_sha.as_deref(), Some("9c0ffee5"));
        assert_eq!(pr.labels, vec!["physics"]);
        assert!(pr.draft);
        assert_eq!(comment.body, "/review --focus=safety\nThe abort path needs a test.");
        assert_eq!(comment.author.as_deref(), Some("ola"));
        assert_eq!(comment.url.as_deref(), Some("https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17#note_9001"));
        assert_eq!(event.sender.unwrap().login, "ola");
        assert_eq!(event.repository.unwrap().full_name, "orbit/tools/lander");
    }

    #[test]
    fn note_by_author_names_author() {
        let mut payload = note_payload("MergeRequest");
        payload["user"] = json!({"name": "Mira Castell", "username": "mira"});
        payload["object_attributes"]["author_id"] = json!(41);
        let pr = normalize("Note Hook", &payload).pull_request.unwrap();
        assert_eq!(pr.author.as_deref(), Some("mira"));
    }

    #[test]
    fn note_url_built_from_project() {
        let mut payload = note_payload("MergeRequest");
        payload["merge_request"].as_object_mut().unwrap().remove("url");
        let pr = normalize("Note Hook", &payload).pull_request.unwrap();
        assert_eq!(pr.url.as_deref(), Some("https://gitlab.example.com/orbit/tools/lander/-/merge_requests/17"));
    }

    #[test]
    fn note_edit_is_updated() {
        let mut payload = note_payload("MergeRequest");
        payload["object_attributes"]["action"] = json!("update");
        assert_eq!(normalize("Note Hook", &payload).action, Action::Updated);
    }

    #[test]
    fn note_create_is_commented() {
        let mut payload = note_payload("MergeRequest");
        payload["object_attributes"]["action"] = json!("create");
        assert_eq!(normalize("Note Hook", &payload).action, Action::Commented);
    }

    #[test]
    fn note_on_issue_ignored() {
        let outcome = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Note Hook", &note_payload("Issue")).unwrap();
        assert_eq!(outcome, Outcome::Ignored("note on an issue, not a merge request".into()));
    }

    #[test]
    fn note_on_commit_and_snippet_ignored() {
        for noteable_type in ["Commit", "Snippet"] {
            let outcome = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Note Hook", &note_payload(noteable_type)).unwrap();
            assert!(matches!(outcome, Outcome::Ignored(_)), "noteable_type {noteable_type}");
        }
    }

    #[test]
    fn note_without_noteable_type_is_malformed() {
        let mut payload = note_payload("MergeRequest");
        payload["object_attributes"].as_object_mut().unwrap().remove("noteable_type");
        let result = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Note Hook", &payload);
        assert_eq!(result, Err(PayloadError::missing("object_attributes.noteable_type")));
    }

    #[test]
    fn note_without_merge_request_is_malformed() {
        let mut payload = note_payload("MergeRequest");
        payload.as_object_mut().unwrap().remove("merge_request");
        let result = crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Note Hook", &payload);
        assert_eq!(result, Err(PayloadError::missing("merge_request object")));
    }

    fn push_payload() -> Value {
        json!({
            "object_kind": "push",
            "event_name": "push",
            "before": "1a2b3c",
            "after": "4d5e6f",
            "ref": "refs/heads/release/2.1",
            "user_id": 41,
            "user_name": "Mira Castell",
            "user_username": "mira",
            "project": project(),
            "commits": [],
            "total_commits_count": 0
        })
    }

    #[test]
    fn push_to_branch() {
        let event = normalize("Push Hook", &push_payload());
        let push = event.push.unwrap();
        assert_eq!(event.kind, Kind::Push);
        assert_eq!(event.action, Action::Pushed);
        assert_eq!(push.branch.as_deref(), Some("release/2.1"));
        assert_eq!(push.before.as_deref(), Some("1a2b3c"));
        assert_eq!(push.after.as_deref(), Some("4d5e6f"));
        assert_eq!(event.sender, Some(Sender { login: "mira".into(), is_bot: false }));
        assert_eq!(event.pull_request, None);
    }

    #[test]
    fn push_without_username_has_no_sender() {
        let mut payload = push_payload();
        payload.as_object_mut().unwrap().remove("user_username");
        let event = normalize("Push Hook", &payload);
        assert_eq!(event.sender, None);
        assert_eq!(event.repository.unwrap().full_name, "orbit/tools/lander");
    }

    #[test]
    fn push_without_ref_is_malformed() {
        let mut payload = push_payload();
        payload.as_object_mut().unwrap().remove("ref");
        assert!(crate::provider::checked_normalize(&gitlab(&[TOKEN], &[]), "Push Hook", &payload).is_err());
    }

    #[test]
    fn tag_push_is_other() {
        let mut payload = push_payload();
        payload["object_kind"] = json!("tag_push");
        payload["ref"] = json!("refs/tags/v2.1.0");
        let event = normalize("Tag Push Hook", &payload);
        assert_eq!(event.kind, Kind::Other);
        assert_eq!(event.action, Action::Other);
        assert_eq!(event.push, None);
        assert_eq!(event.sender.unwrap().login, "mira");
    }

    #[test]
    fn unknown_event_is_other() {
        for name in ["System Hook", "Pipeline Hook", "Confidential Note Hook"] {
            let event = normalize(name, &json!({"object_kind": "pipeline", "project": project()}));
            assert_eq!(event.kind, Kind::Other, "event {name}");
            assert_eq!(event.action, Action::Other, "event {name}");
        }
    }
}
