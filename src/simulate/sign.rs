//! Signing and headers: what each provider adds to a delivery.

use crate::config::secret::Secret;
use crate::config::Config;
use crate::provider::ProviderId;
use crate::verify::{hmac_sha1, hmac_sha256, standard_webhooks_sign};
use base64::Engine as _;

/// Headers whose value is a secret itself (not a digest of the body):
/// `--print` shows them redacted unless asked not to.
pub const CREDENTIAL_HEADERS: [&str; 2] = ["X-Gitlab-Token", "Authorization"];

/// The first secret of each scheme the provider's section configures.
#[derive(Debug, Clone)]
pub enum Credentials {
    Github { secret: Option<Secret> },
    Gitlab { token: Option<Secret>, signing_token: Option<Secret> },
    AzureDevops { username: String, password: Option<Secret> },
    BitbucketServer { secret: Option<Secret> },
}

impl Credentials {
    /// Takes the primary secret of each list, the one a provider would be
    /// set up with after a rotation.
    pub fn from_config(config: &Config, provider: ProviderId) -> Credentials {
        let primary =
            |list: &Option<crate::config::secret::SecretList>| list.as_ref().map(|list| list.primary().clone());
        match provider {
            ProviderId::Github => Credentials::Github { secret: primary(&config.github.webhook_secret) },
            ProviderId::Gitlab => Credentials::Gitlab {
                token: primary(&config.gitlab.webhook_secret),
                signing_token: primary(&config.gitlab.signing_token),
            },
            ProviderId::AzureDevops => Credentials::AzureDevops {
                username: config.azure_devops.username.clone(),
                password: primary(&config.azure_devops.password),
            },
            ProviderId::BitbucketServer => {
                Credentials::BitbucketServer { secret: primary(&config.bitbucket_server.webhook_secret) }
            }
        }
    }

    /// Tells whether there is nothing to sign with.
    pub fn is_empty(&self) -> bool {
        match self {
            Credentials::Github { secret } | Credentials::BitbucketServer { secret } => secret.is_none(),
            Credentials::Gitlab { token, signing_token } => token.is_none() && signing_token.is_none(),
            Credentials::AzureDevops { password, .. } => password.is_none(),
        }
    }

    /// Lists every secret value, so that output can be checked for them.
    pub fn secrets(&self) -> Vec<&Secret> {
        match self {
            Credentials::Github { secret } | Credentials::BitbucketServer { secret } => secret.iter().collect(),
            Credentials::Gitlab { token, signing_token } => token.iter().chain(signing_token.iter()).collect(),
            Credentials::AzureDevops { password, .. } => password.iter().collect(),
        }
    }
}

/// Everything that varies per delivery besides the body.
pub struct DeliveryHeaders<'a> {
    /// The provider's own event name (`Merge Request Hook`, not `merge_request`).
    pub event_header: &'a str,
    pub delivery_id: &'a str,
    pub now_unix: i64,
}

/// Builds the headers the provider sends with `body`, in its order, signed
/// with `credentials`. Bitbucket's `diagnostics:ping` goes unsigned, as
/// Bitbucket sends it.
pub fn headers(delivery: &DeliveryHeaders<'_>, credentials: &Credentials, body: &[u8]) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, value: String| headers.push((name.to_owned(), value));
    let id = delivery.delivery_id;
    match credentials {
        Credentials::Github { secret } => {
            add("Content-Type", "application/json".into());
            add("User-Agent", "GitHub-Hookshot/7c1e6b2".into());
            add("X-GitHub-Event", delivery.event_header.into());
            add("X-GitHub-Delivery", id.into());
            add("X-GitHub-Hook-ID", "501234567".into());
            add("X-GitHub-Hook-Installation-Target-ID", "718293645".into());
            add("X-GitHub-Hook-Installation-Target-Type", "repository".into());
            if let Some(secret) = secret {
                // GitHub sends the legacy SHA-1 signature next to the SHA-256 one.
                add("X-Hub-Signature", format!("sha1={}", hex::encode(hmac_sha1(secret.expose(), body))));
                add("X-Hub-Signature-256", format!("sha256={}", hex::encode(hmac_sha256(secret.expose(), &[body]))));
            }
        }
        Credentials::Gitlab { token, signing_token } => {
            add("Content-Type", "application/json".into());
            add("User-Agent", "GitLab/17.6.1".into());
            add("X-Gitlab-Event", delivery.event_header.into());
            add("X-Gitlab-Webhook-UUID", "2c8f4e1a-7d3b-4a96-b5e0-9f1c2d3e4a5b".into());
            add("X-Gitlab-Instance", "https://gitlab.example.com".into());
            add("X-Gitlab-Event-UUID", id.into());
            add("Idempotency-Key", id.into());
            if let Some(token) = token {
                add("X-Gitlab-Token", String::from_utf8_lossy(token.expose()).into_owned());
            }
            if let Some(signing_token) = signing_token {
                add("webhook-id", id.into());
                add("webhook-timestamp", delivery.now_unix.to_string());
                add("webhook-signature", standard_webhooks_sign(signing_token, id, delivery.now_unix, body));
            }
        }
        Credentials::AzureDevops { username, password } => {
            add("Content-Type", "application/json; charset=utf-8".into());
            add("User-Agent", "VSServices/19.250.35909.1 (NetStandard; Linux)".into());
            add("X-VSS-ActivityId", id.into());
            add("X-VSS-SubscriptionId", "0d7c5a2e-8f14-4b63-9e2a-c5b1d7f8a093".into());
            add("Request-Id", format!("|{}.", id.replace('-', "")));
            if let Some(password) = password {
                let mut credentials = username.as_bytes().to_vec();
                credentials.push(b':');
                credentials.extend_from_slice(password.expose());
                add(
                    "Authorization",
                    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials)),
                );
            }
        }
        Credentials::BitbucketServer { secret } => {
            add("Content-Type", "application/json; charset=UTF-8".into());
            add("User-Agent", "Atlassian HttpClient 4.2.0 / Bitbucket-8.19.5 (8019005) / Default".into());
            add("X-Event-Key", delivery.event_header.into());
            add("X-Request-Id", id.into());
            if let Some(secret) = secret.as_ref().filter(|_| delivery.event_header != "diagnostics:ping") {
                add("X-Hub-Signature", format!("sha256={}", hex::encode(hmac_sha256(secret.expose(), &[body]))));
            }
        }
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::secret::SecretList;
    use crate::config::{AzureDevopsConfig, BitbucketServerConfig, GithubConfig, GitlabConfig};
    use crate::provider::{azure_devops, bitbucket_server, github, gitlab, Provider, RawDelivery};
    use axum::http::{HeaderMap, HeaderName, HeaderValue};

    const NOW: i64 = 1_764_843_631;

    fn header_map(headers: &[(String, String)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn signed(provider: ProviderId, event: &str, credentials: &Credentials, body: &[u8]) -> HeaderMap {
        let _ = provider;
        let delivery =
            DeliveryHeaders { event_header: event, delivery_id: "0b9e3a52-1c6d-4f7e-8a90-b1c2d3e4f5a6", now_unix: NOW };
        header_map(&headers(&delivery, credentials, body))
    }

    fn secrets(value: &str) -> Option<SecretList> {
        Some(SecretList::single(Secret::new(value)))
    }

    #[test]
    fn github_signature_verifies() {
        let body = br#"{"zen":"x"}"#;
        let map =
            signed(ProviderId::Github, "ping", &Credentials::Github { secret: Some(Secret::new("gh-secret")) }, body);
        let provider =
            github::Github::new(GithubConfig { webhook_secret: secrets("gh-secret"), ..GithubConfig::default() });
        assert_eq!(provider.verify(&RawDelivery { headers: &map, body, now_unix: NOW }), Ok(()));
    }

    #[test]
    fn gitlab_signing_token_verifies() {
        let body = br#"{"object_kind":"push"}"#;
        let credentials = Credentials::Gitlab {
            token: None,
            signing_token: Some(Secret::new("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")),
        };
        let map = signed(ProviderId::Gitlab, "Push Hook", &credentials, body);
        let provider = gitlab::Gitlab::new(GitlabConfig {
            signing_token: secrets("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
            ..GitlabConfig::default()
        });
        assert_eq!(provider.verify(&RawDelivery { headers: &map, body, now_unix: NOW }), Ok(()));
    }

    #[test]
    fn gitlab_token_verifies() {
        let body = br#"{"object_kind":"push"}"#;
        let credentials = Credentials::Gitlab { token: Some(Secret::new("gl-token")), signing_token: None };
        let map = signed(ProviderId::Gitlab, "Push Hook", &credentials, body);
        let provider =
            gitlab::Gitlab::new(GitlabConfig { webhook_secret: secrets("gl-token"), ..GitlabConfig::default() });
        assert_eq!(provider.verify(&RawDelivery { headers: &map, body, now_unix: NOW }), Ok(()));
    }

    #[test]
    fn azure_basic_credentials_verify() {
        let body = br#"{"eventType":"git.push"}"#;
        let credentials = Credentials::AzureDevops { username: "hooks".into(), password: Some(Secret::new("pa:ss")) };
        let map = signed(ProviderId::AzureDevops, "git.push", &credentials, body);
        let provider = azure_devops::AzureDevops::new(AzureDevopsConfig {
            username: "hooks".into(),
            password: secrets("pa:ss"),
            ..AzureDevopsConfig::default()
        });
        assert_eq!(provider.verify(&RawDelivery { headers: &map, body, now_unix: NOW }), Ok(()));
    }

    #[test]
    fn bitbucket_signature_verifies() {
        let body = br#"{"eventKey":"pr:opened"}"#;
        let credentials = Credentials::BitbucketServer { secret: Some(Secret::new("bb-secret")) };
        let map = signed(ProviderId::BitbucketServer, "pr:opened", &credentials, body);
        let provider = bitbucket_server::BitbucketServer::new(BitbucketServerConfig {
            webhook_secret: secrets("bb-secret"),
            ..BitbucketServerConfig::default()
        });
        assert_eq!(provider.verify(&RawDelivery { headers: &map, body, now_unix: NOW }), Ok(()));
    }

    #[test]
    fn bitbucket_ping_unsigned() {
        let credentials = Credentials::BitbucketServer { secret: Some(Secret::new("bb-secret")) };
        let map = signed(ProviderId::BitbucketServer, "diagnostics:ping", &credentials, br#"{"test": true}"#);
        assert!(!map.contains_key("x-hub-signature"));
    }
}
