//! Validated settings of each provider section.

use super::secret::SecretList;

/// `[github]`.
#[derive(Debug, Clone, Default)]
pub struct GithubConfig {
    /// Secrets for `X-Hub-Signature-256`; `None` fails every delivery closed.
    pub webhook_secret: Option<SecretList>,
    /// Accept the legacy `X-Hub-Signature` (HMAC-SHA1) header.
    pub allow_sha1: bool,
    /// Skip verification entirely (warned about at every start).
    pub allow_unsigned: bool,
    pub api_url: String,
    pub token: Option<SecretList>,
    pub app_id: Option<u64>,
    pub private_key: Option<SecretList>,
}

/// `[gitlab]`.
#[derive(Debug, Clone, Default)]
pub struct GitlabConfig {
    /// Tokens compared with `X-Gitlab-Token`.
    pub webhook_secret: Option<SecretList>,
    /// `whsec_` signing tokens for the `webhook-signature` scheme.
    pub signing_token: Option<SecretList>,
    pub allow_unsigned: bool,
    pub api_url: String,
    pub token: Option<SecretList>,
}

/// `[azure_devops]`.
#[derive(Debug, Clone, Default)]
pub struct AzureDevopsConfig {
    /// Basic username; an empty string accepts only an empty username.
    pub username: String,
    /// Basic passwords, any one of which is accepted.
    pub password: Option<SecretList>,
    pub allow_unsigned: bool,
    pub api_url: String,
    pub token: Option<SecretList>,
}

/// `[bitbucket_server]`.
#[derive(Debug, Clone, Default)]
pub struct BitbucketServerConfig {
    /// Secrets for `X-Hub-Signature: sha256=<hex>`.
    pub webhook_secret: Option<SecretList>,
    pub allow_unsigned: bool,
    pub api_url: String,
    pub token: Option<SecretList>,
}
