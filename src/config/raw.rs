//! The configuration file as written, before validation.
//!
//! Every key of the documented `prhook.toml` is here, including sections
//! whose behaviour arrives later, so a file written for the finished tool
//! loads today. Unknown keys are errors, except inside `[config]`, which is
//! PR-Agent's section and holds many keys prhook does not read.

use super::secret::RawSecret;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub server: Option<RawServer>,
    pub github: Option<RawGithub>,
    pub gitlab: Option<RawGitlab>,
    pub azure_devops: Option<RawAzureDevops>,
    pub bitbucket_server: Option<RawBitbucketServer>,
    pub filters: Option<RawFilters>,
    /// PR-Agent's `[config]` section: only its `ignore_*` keys are read.
    pub config: Option<toml::Table>,
    pub circuit_breaker: Option<RawCircuitBreaker>,
    pub tunnel: Option<RawTunnel>,
    #[serde(default)]
    pub actions: Vec<RawAction>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServer {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub max_body_bytes: Option<u64>,
    pub max_connections: Option<u64>,
    pub read_timeout: Option<u64>,
    pub max_queue_depth: Option<u64>,
    pub workers: Option<u64>,
    pub dispatch: Option<bool>,
    pub shutdown_grace: Option<u64>,
    pub retention_days: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGithub {
    pub webhook_secret: Option<RawSecret>,
    #[serde(default)]
    pub allow_sha1: bool,
    #[serde(default)]
    pub allow_unsigned: bool,
    pub api_url: Option<String>,
    pub token: Option<RawSecret>,
    pub app_id: Option<u64>,
    pub private_key: Option<RawSecret>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGitlab {
    pub webhook_secret: Option<RawSecret>,
    pub signing_token: Option<RawSecret>,
    #[serde(default)]
    pub allow_unsigned: bool,
    pub api_url: Option<String>,
    pub token: Option<RawSecret>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAzureDevops {
    pub username: Option<String>,
    pub password: Option<RawSecret>,
    #[serde(default)]
    pub allow_unsigned: bool,
    pub api_url: Option<String>,
    pub token: Option<RawSecret>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBitbucketServer {
    pub webhook_secret: Option<RawSecret>,
    #[serde(default)]
    pub allow_unsigned: bool,
    pub api_url: Option<String>,
    pub token: Option<RawSecret>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFilters {
    pub ignore_pr_authors: Option<Vec<String>>,
    pub ignore_pr_title: Option<Vec<String>>,
    pub ignore_pr_labels: Option<Vec<String>>,
    pub ignore_pr_source_branches: Option<Vec<String>>,
    pub ignore_pr_target_branches: Option<Vec<String>>,
    pub ignore_repositories: Option<Vec<String>>,
    pub ignore_drafts: Option<bool>,
    pub ignore_bots: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCircuitBreaker {
    pub failure_threshold: Option<u64>,
    pub recovery_timeout: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTunnel {
    pub service: Option<String>,
    pub auth_token: Option<RawSecret>,
    pub region: Option<String>,
    pub server: Option<String>,
    pub subdomain: Option<String>,
    pub domain: Option<String>,
    pub connect_timeout: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAction {
    pub name: Option<String>,
    #[serde(default)]
    pub on: Vec<String>,
    pub run: Option<Vec<String>>,
    pub forward: Option<String>,
    pub secret: Option<RawSecret>,
    #[serde(default)]
    pub env: BTreeMap<String, RawSecret>,
    pub cwd: Option<PathBuf>,
    pub timeout: Option<u64>,
    pub retries: Option<u64>,
    pub max_concurrency: Option<u64>,
    pub rate: Option<String>,
    pub reply: Option<String>,
    #[serde(default)]
    pub reply_on_failure: bool,
    #[serde(default)]
    pub ack: bool,
}
