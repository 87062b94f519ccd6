//! GitLab REST API v4 (gitlab.com and self-managed): notes on merge
//! requests and "eyes" award emoji.

use super::{join, str_at, u64_at, ApiError, ApiRequest, Auth, HttpClient};
use crate::config::GitlabConfig;
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Where to reply on GitLab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitlabTarget {
    /// The numeric project id (`project.id`).
    pub project_id: u64,
    /// The merge request's project-scoped `iid`.
    pub merge_request_iid: u64,
    /// The note to acknowledge (`object_attributes.id` of a note hook).
    pub note_id: Option<u64>,
}

impl GitlabTarget {
    /// Reads the target of a `Merge Request Hook` or of a `Note Hook` on a
    /// merge request.
    pub fn from_payload(payload: &Value) -> Option<GitlabTarget> {
        let project_id = u64_at(payload, "project.id")?;
        let is_note = payload.get("merge_request").is_some();
        if is_note {
            return Some(GitlabTarget {
                project_id,
                merge_request_iid: u64_at(payload, "merge_request.iid")?,
                note_id: u64_at(payload, "object_attributes.id"),
            });
        }
        Some(GitlabTarget { project_id, merge_request_iid: u64_at(payload, "object_attributes.iid")?, note_id: None })
    }
}

/// The GitLab client, authenticated with a personal, project or group
/// access token.
pub struct GitlabApi {
    pub base: String,
    token: String,
}

impl std::fmt::Debug for GitlabApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("GitlabApi").field("base", &self.base).finish_non_exhaustive()
    }
}

impl GitlabApi {
    pub fn from_config(config: &GitlabConfig) -> Option<GitlabApi> {
        let token = config.token.as_ref()?;
        Some(GitlabApi {
            base: config.api_url.clone(),
            token: String::from_utf8_lossy(token.primary().expose()).trim().to_owned(),
        })
    }

    fn request(&self, method: Method, path: &str) -> ApiRequest {
        ApiRequest::new(method, join(&self.base, path), Auth::PrivateToken(self.token.clone()))
    }

    /// `POST /projects/:id/merge_requests/:iid/notes`.
    pub async fn post_comment(&self, http: &HttpClient, target: &GitlabTarget, body: &str) -> Result<(), ApiError> {
        let path = format!("projects/{}/merge_requests/{}/notes", target.project_id, target.merge_request_iid);
        http.send(&self.request(Method::POST, &path).json(json!({"body": body}))).await?;
        Ok(())
    }

    /// `POST /projects/:id/merge_requests/:iid/notes/:note_id/award_emoji`
    /// with the "eyes" emoji.
    pub async fn react(&self, http: &HttpClient, target: &GitlabTarget) -> Result<(), ApiError> {
        let Some(note_id) = target.note_id else {
            return Ok(());
        };
        let path = format!(
            "projects/{}/merge_requests/{}/notes/{note_id}/award_emoji",
            target.project_id, target.merge_request_iid
        );
        http.send(&self.request(Method::POST, &path).json(json!({"name": "eyes"}))).await?;
        Ok(())
    }

    /// `GET /user`: the username of the token's account.
    pub async fn own_login(&self, http: &HttpClient) -> Result<String, ApiError> {
        let request = self.request(Method::GET, "user");
        let host = super::host_of(&request.url)?;
        let body = http.send(&request).await?.json(&host)?;
        str_at(&body, "username")
            .map(str::to_owned)
            .ok_or_else(|| ApiError::InvalidResponse { host, message: "the /user response has no username".into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_from_note() {
        let payload = json!({
            "project": {"id": 15, "path_with_namespace": "acme/rocket"},
            "object_attributes": {"id": 1244, "noteable_type": "MergeRequest"},
            "merge_request": {"id": 900, "iid": 3}
        });
        let target = GitlabTarget::from_payload(&payload).unwrap();
        assert_eq!(target, GitlabTarget { project_id: 15, merge_request_iid: 3, note_id: Some(1244) });
    }

    #[test]
    fn target_from_merge_request() {
        let payload = json!({"project": {"id": 15}, "object_attributes": {"id": 900, "iid": 3}});
        let target = GitlabTarget::from_payload(&payload).unwrap();
        assert_eq!(target, GitlabTarget { project_id: 15, merge_request_iid: 3, note_id: None });
    }
}
