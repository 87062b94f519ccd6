//! Bitbucket Server and Data Center REST API 1.0: pull request comments.

use super::{join, segment, str_at, u64_at, ApiError, ApiRequest, Auth, HttpClient};
use crate::config::BitbucketServerConfig;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where to reply on Bitbucket Server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitbucketTarget {
    /// The project key of the target repository (`~user` for personal ones).
    pub project_key: String,
    pub repository_slug: String,
    pub pull_request_id: u64,
    /// The comment to reply to.
    pub comment_id: Option<u64>,
}

impl BitbucketTarget {
    /// Reads the target of a `pr:*` event; `pr:comment:*` events also name
    /// the comment.
    pub fn from_payload(payload: &Value) -> Option<BitbucketTarget> {
        let pull_request = payload.get("pullRequest")?;
        let repository = pull_request.get("toRef")?.get("repository")?;
        Some(BitbucketTarget {
            project_key: str_at(repository, "project.key")?.to_owned(),
            repository_slug: str_at(repository, "slug")?.to_owned(),
            pull_request_id: u64_at(pull_request, "id")?,
            comment_id: u64_at(payload, "comment.id"),
        })
    }

    fn comments_path(&self) -> String {
        format!(
            "rest/api/1.0/projects/{}/repos/{}/pull-requests/{}/comments",
            segment(&self.project_key),
            segment(&self.repository_slug),
            self.pull_request_id
        )
    }
}

/// The Bitbucket Server client, authenticated with an HTTP access token.
pub struct BitbucketApi {
    pub base: String,
    token: String,
}

impl std::fmt::Debug for BitbucketApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("BitbucketApi").field("base", &self.base).finish_non_exhaustive()
    }
}

impl BitbucketApi {
    pub fn from_config(config: &BitbucketServerConfig) -> Option<BitbucketApi> {
        let token = config.token.as_ref()?;
        Some(BitbucketApi {
            base: config.api_url.clone(),
            token: String::from_utf8_lossy(token.primary().expose()).trim().to_owned(),
        })
    }

    fn request(&self, method: Method, path: &str) -> ApiRequest {
        ApiRequest::new(method, join(&self.base, path), Auth::Bearer(self.token.clone()))
    }

    /// Adds a top-level comment to the pull request.
    pub async fn post_comment(&self, http: &HttpClient, target: &BitbucketTarget, body: &str) -> Result<(), ApiError> {
        let request = self.request(Method::POST, &target.comments_path()).json(json!({"text": body}));
        http.send(&request).await?;
        Ok(())
    }

    /// Replies to the target's comment with a reply comment.
    pub async fn reply_to_comment(&self, http: &HttpClient, target: &BitbucketTarget, text: &str) -> Result<(), ApiError> {
        let Some(comment_id) = target.comment_id else {
            return Ok(());
        };
        let request = self
            .request(Method::POST, &target.comments_path())
            .json(json!({"text": text, "parent": {"id": comment_id}}));
        http.send(&request).await?;
        Ok(())
    }

    /// `GET /plugins/servlet/applinks/whoami`: the token account's user
    /// name as plain text, the value events carry as `actor.name`.
    pub async fn own_login(&self, http: &HttpClient) -> Result<String, ApiError> {
        let request = self.request(Method::GET, "plugins/servlet/applinks/whoami");
        let host = super::host_of(&request.url)?;
        let name = http.send(&request).await?.body.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::InvalidResponse { host, message: "whoami returned no user name".into() });
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_from_comment_event() {
        let payload = json!({
            "eventKey": "pr:comment:added",
            "pullRequest": {"id": 4, "toRef": {"repository": {"slug": "rocket", "project": {"key": "ACME"}}}},
            "comment": {"id": 81, "text": "/review"}
        });
        let target = BitbucketTarget::from_payload(&payload).unwrap();
        assert_eq!(target.comments_path(), "rest/api/1.0/projects/ACME/repos/rocket/pull-requests/4/comments");
        assert_eq!(target.comment_id, Some(81));
    }
}
