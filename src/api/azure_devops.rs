//! Azure DevOps Services and Server REST API: pull request threads.

use super::{join, segment, str_at, u64_at, value_at, ApiError, ApiRequest, Auth, HttpClient};
use crate::config::AzureDevopsConfig;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The REST API version of every call; Azure DevOps Server 2022 and the
/// cloud service both serve 7.1.
const API_VERSION: &str = "7.1";

/// `CommentType.text` in the REST API.
const COMMENT_TYPE_TEXT: u8 = 1;

/// `CommentThreadStatus.active`.
const THREAD_STATUS_ACTIVE: u8 = 1;

/// Where to reply on Azure DevOps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzureTarget {
    /// Project id (a GUID) or name.
    pub project: String,
    /// Repository id (a GUID) or name.
    pub repository: String,
    pub pull_request_id: u64,
    /// The thread of the comment to reply to.
    pub thread_id: Option<u64>,
    pub comment_id: Option<u64>,
}

impl AzureTarget {
    /// Reads the target of a `git.pullrequest.*` event or of a pull
    /// request comment event.
    pub fn from_payload(payload: &Value) -> Option<AzureTarget> {
        let resource = payload.get("resource")?;
        let pull_request = resource.get("pullRequest").filter(|value| value.is_object()).unwrap_or(resource);
        let repository = pull_request.get("repository")?;
        let comment = resource.get("comment");
        let thread_id = comment
            .and_then(|comment| str_at(comment, "_links.threads.href"))
            .and_then(|href| href.trim_end_matches('/').rsplit('/').next())
            .and_then(|id| id.parse().ok());
        Some(AzureTarget {
            project: str_at(repository, "project.id").or_else(|| str_at(repository, "project.name"))?.to_owned(),
            repository: str_at(repository, "id").or_else(|| str_at(repository, "name"))?.to_owned(),
            pull_request_id: u64_at(pull_request, "pullRequestId")?,
            thread_id,
            comment_id: comment.and_then(|comment| u64_at(comment, "id")),
        })
    }

    fn threads_path(&self) -> String {
        format!(
            "{}/_apis/git/repositories/{}/pullRequests/{}/threads",
            segment(&self.project),
            segment(&self.repository),
            self.pull_request_id
        )
    }
}

/// The Azure DevOps client, authenticated with a personal access token.
pub struct AzureApi {
    /// The organization (cloud) or collection (server) URL.
    pub base: String,
    token: String,
}

impl std::fmt::Debug for AzureApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("AzureApi").field("base", &self.base).finish_non_exhaustive()
    }
}

impl AzureApi {
    pub fn from_config(config: &AzureDevopsConfig) -> Option<AzureApi> {
        let token = config.token.as_ref()?;
        Some(AzureApi {
            base: config.api_url.clone(),
            token: String::from_utf8_lossy(token.primary().expose()).trim().to_owned(),
        })
    }

    fn request(&self, method: Method, path: &str) -> ApiRequest {
        let url = format!("{}?api-version={API_VERSION}", join(&self.base, path));
        ApiRequest::new(method, url, Auth::BasicPassword(self.token.clone()))
    }

    /// Starts a new thread on the pull request with `body` as its comment.
    pub async fn post_comment(&self, http: &HttpClient, target: &AzureTarget, body: &str) -> Result<(), ApiError> {
        let request = self.request(Method::POST, &target.threads_path()).json(json!({
            "comments": [{"parentCommentId": 0, "content": body, "commentType": COMMENT_TYPE_TEXT}],
            "status": THREAD_STATUS_ACTIVE,
        }));
        http.send(&request).await?;
        Ok(())
    }

    /// Replies to the target's comment inside its thread.
    pub async fn reply_in_thread(&self, http: &HttpClient, target: &AzureTarget, text: &str) -> Result<(), ApiError> {
        let (Some(thread_id), Some(comment_id)) = (target.thread_id, target.comment_id) else {
            return Ok(());
        };
        let path = format!("{}/{thread_id}/comments", target.threads_path());
        let request = self.request(Method::POST, &path).json(json!({
            "content": text,
            "parentCommentId": comment_id,
            "commentType": COMMENT_TYPE_TEXT,
        }));
        http.send(&request).await?;
        Ok(())
    }

    /// `GET _apis/connectionData`: the token account's unique name, the
    /// value comment events carry as `author.uniqueName`.
    pub async fn own_login(&self, http: &HttpClient) -> Result<String, ApiError> {
        let request = self.request(Method::GET, "_apis/connectionData");
        let host = super::host_of(&request.url)?;
        let body = http.send(&request).await?.json(&host)?;
        value_at(&body, "authenticatedUser.properties.Account")
            .and_then(|account| account.get("$value"))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| ApiError::InvalidResponse { host, message: "the connectionData response has no account name".into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_from_comment_event() {
        let payload = json!({
            "resource": {
                "comment": {"id": 3, "_links": {"threads": {"href": "https://dev.azure.com/acme/_apis/git/repositories/9a1b/pullRequests/17/threads/8"}}},
                "pullRequest": {"pullRequestId": 17, "repository": {"id": "9a1b", "name": "rocket", "project": {"id": "p-1", "name": "Acme"}}}
            }
        });
        let target = AzureTarget::from_payload(&payload).unwrap();
        assert_eq!(target.thread_id, Some(8));
        assert_eq!(target.comment_id, Some(3));
        assert_eq!(target.repository, "9a1b");
        assert_eq!(target.project, "p-1");
    }

    #[test]
    fn target_from_pull_request_event() {
        let payload = json!({
            "resource": {"pullRequestId": 17, "repository": {"id": "9a1b", "project": {"id": "p-1"}}}
        });
        let target = AzureTarget::from_payload(&payload).unwrap();
        assert_eq!(target.pull_request_id, 17);
        assert_eq!(target.thread_id, None);
    }
}
