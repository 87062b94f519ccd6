//! GitHub REST API (github.com and GitHub Enterprise Server): comments on
//! pull requests, "eyes" reactions, and GitHub App installation tokens.

use super::{join, segment, str_at, u64_at, ApiError, ApiRequest, Auth, HttpClient};
use crate::config::GithubConfig;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An installation token is renewed this long before it expires.
const TOKEN_RENEW_MARGIN: Duration = Duration::from_secs(300);

/// The app JWT's `iat` is set this far back, for clock drift, as GitHub
/// recommends; its lifetime is under GitHub's 10-minute maximum.
const JWT_BACKDATE: u64 = 60;
const JWT_LIFETIME: u64 = 540;

/// Sent with every call: the media type and REST API version GitHub documents.
const ACCEPT: &str = "application/vnd.github+json";
const API_VERSION: &str = "2022-11-28";

/// Where to reply on GitHub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubTarget {
    /// `owner/name`.
    pub repository: String,
    pub number: u64,
    /// The App installation that sent the delivery (`installation.id`).
    pub installation_id: Option<u64>,
    pub comment: Option<GithubComment>,
}

/// A comment to react to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GithubComment {
    pub id: u64,
    /// A review comment on the diff (`pull_request_review_comment`) has
    /// its own reactions endpoint under `pulls/comments`.
    pub review_comment: bool,
}

impl GithubTarget {
    /// Reads the repository, pull request, installation and comment of a
    /// `pull_request`, `issue_comment`, review or review comment payload.
    pub fn from_payload(payload: &Value) -> Option<GithubTarget> {
        let repository = str_at(payload, "repository.full_name")?.to_owned();
        let number = u64_at(payload, "pull_request.number").or_else(|| u64_at(payload, "issue.number"))?;
        let comment = u64_at(payload, "comment.id").map(|id| GithubComment {
            id,
            // Review comments carry the diff position; issue comments do not.
            review_comment: payload.get("comment").is_some_and(|comment| comment.get("diff_hunk").is_some() || comment.get("pull_request_review_id").is_some()),
        });
        Some(GithubTarget { repository, number, installation_id: u64_at(payload, "installation.id"), comment })
    }
}

enum Credentials {
    Token(String),
    App { app_id: u64, key: EncodingKey },
}

/// A cached installation token.
struct InstallationToken {
    token: String,
    expires_at: SystemTime,
}

/// The GitHub client: a token, or a GitHub App's key and its cached
/// installation tokens.
pub struct GithubApi {
    pub base: String,
    credentials: Credentials,
    tokens: Mutex<HashMap<u64, InstallationToken>>,
}

impl std::fmt::Debug for GithubApi {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.credentials {
            Credentials::Token(_) => "token",
            Credentials::App { .. } => "app",
        };
        formatter.debug_struct("GithubApi").field("base", &self.base).field("credentials", &kind).finish()
    }
}

impl GithubApi {
    /// Builds the client when `[github]` has a token or an App; the App wins
    /// when both are set.
    pub fn from_config(config: &GithubConfig) -> Result<Option<GithubApi>, ApiError> {
        let credentials = match (config.app_id, &config.private_key, &config.token) {
            (Some(app_id), Some(key), _) => {
                let key = EncodingKey::from_rsa_pem(key.primary().expose()).map_err(ApiError::PrivateKey)?;
                Credentials::App { app_id, key }
            }
            (_, _, Some(token)) => Credentials::Token(String::from_utf8_lossy(token.primary().expose()).trim().to_owned()),
            _ => return Ok(None),
        };
        Ok(Some(GithubApi { base: config.api_url.clone(), credentials, tokens: Mutex::default() }))
    }

    fn request(&self, method: Method, path: &str, auth: Auth) -> ApiRequest {
        ApiRequest::new(method, join(&self.base, path), auth)
            .header("accept", ACCEPT)
            .header("x-github-api-version", API_VERSION)
    }

    /// Signs the JWT that authenticates as the App itself; `None` for a token.
    fn app_jwt(&self) -> Result<Option<String>, ApiError> {
        let Credentials::App { app_id, key } = &self.credentials else {
            return Ok(None);
        };
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        let claims = json!({"iat": now.saturating_sub(JWT_BACKDATE), "exp": now + JWT_LIFETIME, "iss": app_id.to_string()});
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, key).map(Some).map_err(ApiError::PrivateKey)
    }

    /// Returns the credentials for a call about `installation_id`'s
    /// repositories, exchanging the App's JWT for an installation token.
    async fn auth(&self, http: &HttpClient, installation_id: Option<u64>) -> Result<Auth, ApiError> {
        let Some(jwt) = self.app_jwt()? else {
            let Credentials::Token(token) = &self.credentials else { unreachable!("only an App has a JWT") };
            return Ok(Auth::Bearer(token.clone()));
        };
        let installation_id = installation_id.ok_or(ApiError::NoInstallation)?;
        if let Some(token) = self.cached_token(installation_id) {
            return Ok(Auth::Bearer(token));
        }

        let request = self.request(Method::POST, &format!("app/installations/{installation_id}/access_tokens"), Auth::Bearer(jwt));
        let response = http.send(&request).await?;
        let host = super::host_of(&request.url)?;
        let body = response.json(&host)?;
        let token = str_at(&body, "token")
            .ok_or_else(|| ApiError::InvalidResponse { host: host.clone(), message: "the access token response has no token".into() })?
            .to_owned();
        // An unreadable expiry counts as GitHub's documented one hour.
        let expires_at = str_at(&body, "expires_at")
            .and_then(|text| time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok())
            .and_then(|at| u64::try_from(at.unix_timestamp()).ok())
            .map_or_else(|| SystemTime::now() + Duration::from_secs(3600), |secs| UNIX_EPOCH + Duration::from_secs(secs));
        tracing::debug!(installation_id, "github installation token issued");
        let mut tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        tokens.insert(installation_id, InstallationToken { token: token.clone(), expires_at });
        Ok(Auth::Bearer(token))
    }

    fn cached_token(&self, installation_id: u64) -> Option<String> {
        let tokens = self.tokens.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let cached = tokens.get(&installation_id)?;
        (SystemTime::now() + TOKEN_RENEW_MARGIN < cached.expires_at).then(|| cached.token.clone())
    }

    /// `POST /repos/{owner}/{repo}/issues/{number}/comments`: pull requests
    /// take their conversation comments through the issues API.
    pub async fn post_comment(&self, http: &HttpClient, target: &GithubTarget, body: &str) -> Result<(), ApiError> {
        let auth = self.auth(http, target.installation_id).await?;
        let path = format!("repos/{}/issues/{}/comments", repository_path(&target.repository), target.number);
        http.send(&self.request(Method::POST, &path, auth).json(json!({"body": body}))).await?;
        Ok(())
    }

    /// Adds an "eyes" reaction to the target's comment.
    pub async fn react(&self, http: &HttpClient, target: &GithubTarget) -> Result<(), ApiError> {
        let Some(comment) = &target.comment else {
            return Ok(());
        };
        let auth = self.auth(http, target.installation_id).await?;
        let area = if comment.review_comment { "pulls" } else { "issues" };
        let path = format!("repos/{}/{area}/comments/{}/reactions", repository_path(&target.repository), comment.id);
        http.send(&self.request(Method::POST, &path, auth).json(json!({"content": "eyes"}))).await?;
        Ok(())
    }

    /// Fetches the login that the credentials comment as: `GET /user` for a token, and
    /// `{slug}[bot]` from `GET /app` for an App.
    pub async fn own_login(&self, http: &HttpClient) -> Result<String, ApiError> {
        let (path, auth) = match (&self.credentials, self.app_jwt()?) {
            (_, Some(jwt)) => ("app", Auth::Bearer(jwt)),
            (Credentials::Token(token), None) => ("user", Auth::Bearer(token.clone())),
            (Credentials::App { .. }, None) => unreachable!("an App always has a JWT"),
        };
        let request = self.request(Method::GET, path, auth);
        let host = super::host_of(&request.url)?;
        let body = http.send(&request).await?.json(&host)?;
        let field = if path == "app" { "slug" } else { "login" };
        let name = str_at(&body, field)
            .ok_or_else(|| ApiError::InvalidResponse { host, message: format!("the /{path} response has no {field}") })?;
        Ok(if path == "app" { format!("{name}[bot]") } else { name.to_owned() })
    }
}

/// `owner/name` with each part encoded as a path segment.
fn repository_path(full_name: &str) -> String {
    full_name.split('/').map(segment).collect::<Vec<_>>().join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_from_issue_comment() {
        let payload = json!({
            "issue": {"number": 12, "pull_request": {}},
            "comment": {"id": 99, "body": "/review"},
            "repository": {"full_name": "acme/rocket"},
            "installation": {"id": 4242}
        });
        let target = GithubTarget::from_payload(&payload).unwrap();
        assert_eq!(target.number, 12);
        assert_eq!(target.installation_id, Some(4242));
        assert_eq!(target.comment, Some(GithubComment { id: 99, review_comment: false }));
    }

    #[test]
    fn target_from_review_comment() {
        let payload = json!({
            "pull_request": {"number": 7},
            "comment": {"id": 5, "diff_hunk": "@@ -1 +1 @@", "pull_request_review_id": 1},
            "repository": {"full_name": "acme/rocket"}
        });
        let target = GithubTarget::from_payload(&payload).unwrap();
        assert_eq!(target.comment, Some(GithubComment { id: 5, review_comment: true }));
        assert_eq!(target.installation_id, None);
    }

    #[test]
    fn target_needs_number() {
        let payload = json!({"repository": {"full_name": "acme/rocket"}});
        assert_eq!(GithubTarget::from_payload(&payload), None);
    }
}
