//! Finds the secret that `simulate` signs with and `verify-signature`
//! checks against: `--secret`, `--secret-env`, the configuration file that
//! `serve` reads, or the secrets `serve` generated in `data_dir`.

use crate::config::generated::GeneratedSecrets;
use crate::config::secret::{Secret, SecretList};
use crate::config::{Config, Overrides};
use crate::provider::ProviderId;
use crate::serve::{load_config, ExitError};
use std::fmt;
use std::path::{Path, PathBuf};

/// Origin of a provider's secret, for messages. It never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretOrigin {
    Flag,
    Env(String),
    ConfigFile { path: PathBuf, section: &'static str },
    Generated(PathBuf),
}

impl fmt::Display for SecretOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretOrigin::Flag => f.write_str("--secret"),
            SecretOrigin::Env(name) => write!(f, "environment variable {name}"),
            SecretOrigin::ConfigFile { path, section } => write!(f, "[{section}] in {}", path.display()),
            SecretOrigin::Generated(path) => write!(f, "the generated secrets in {}", path.display()),
        }
    }
}

/// Returns the secret given on the command line, if any.
pub fn explicit_secret(
    secret: Option<&str>,
    secret_env: Option<&str>,
) -> Result<Option<(Secret, SecretOrigin)>, ExitError> {
    if let Some(value) = secret {
        if value.is_empty() {
            return Err(ExitError::usage(anyhow::anyhow!("--secret is empty")));
        }
        return Ok(Some((Secret::new(value), SecretOrigin::Flag)));
    }
    if let Some(name) = secret_env {
        return match std::env::var_os(name) {
            Some(value) if !value.is_empty() => {
                let value = value
                    .into_string()
                    .map_err(|_| ExitError::usage(anyhow::anyhow!("environment variable {name} is not valid UTF-8")))?;
                Ok(Some((Secret::new(value), SecretOrigin::Env(name.to_owned()))))
            }
            Some(_) => Err(ExitError::usage(anyhow::anyhow!("environment variable {name} is empty"))),
            None => Err(ExitError::usage(anyhow::anyhow!("environment variable {name} is not set"))),
        };
    }
    Ok(None)
}

/// Loads the configuration exactly as `serve` does and gives providers
/// without a section the secrets that `serve` generated in `data_dir`.
///
/// `data_dir` overrides `server.data_dir`, as `serve --data-dir` does.
/// `PRHOOK_LISTEN` overrides `server.listen`, as it does for `serve`.
pub fn load_local_config(config_path: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Config, ExitError> {
    let overrides =
        Overrides { listen: std::env::var("PRHOOK_LISTEN").ok().filter(|value| !value.is_empty()), data_dir, ..Overrides::default() };
    let mut config = load_config(config_path, &overrides)?;
    let generated = GeneratedSecrets::read(&config.server.data_dir).map_err(ExitError::usage)?;
    generated.apply(&mut config);
    Ok(config)
}

/// Returns the built-in defaults without reading any file, for when the command
/// line gives everything that is needed.
pub fn default_config() -> Result<Config, ExitError> {
    Config::from_text(None, "", &Overrides::default(), &|_| None).map_err(ExitError::usage)
}

/// Describes where `config` got the secret of `provider`.
pub fn config_origin(config: &Config, provider: ProviderId) -> SecretOrigin {
    match (&config.source, config.configured_providers.contains(&provider)) {
        (Some(path), true) => SecretOrigin::ConfigFile { path: path.clone(), section: provider.config_section() },
        _ => SecretOrigin::Generated(GeneratedSecrets::path(&config.server.data_dir)),
    }
}

/// Puts a secret from the command line into the provider's section.
///
/// For GitLab the secret is the signing token when `gitlab_signing` is
/// set, else the `X-Gitlab-Token` value. For Azure DevOps it is the
/// password, and `username` (default: the configured one) the username.
pub fn install_secret(
    config: &mut Config,
    provider: ProviderId,
    secret: Secret,
    username: Option<&str>,
    gitlab_signing: bool,
) {
    let list = Some(SecretList::single(secret));
    match provider {
        ProviderId::Github => config.github.webhook_secret = list,
        ProviderId::Gitlab if gitlab_signing => {
            config.gitlab.signing_token = list;
            config.gitlab.webhook_secret = None;
        }
        ProviderId::Gitlab => {
            config.gitlab.webhook_secret = list;
            config.gitlab.signing_token = None;
        }
        ProviderId::AzureDevops => config.azure_devops.password = list,
        ProviderId::BitbucketServer => config.bitbucket_server.webhook_secret = list,
    }
    if let (ProviderId::AzureDevops, Some(username)) = (provider, username) {
        config.azure_devops.username = username.to_owned();
    }
}

/// Tells whether the provider's section turns verification off.
pub fn allows_unsigned(config: &Config, provider: ProviderId) -> bool {
    match provider {
        ProviderId::Github => config.github.allow_unsigned,
        ProviderId::Gitlab => config.gitlab.allow_unsigned,
        ProviderId::AzureDevops => config.azure_devops.allow_unsigned,
        ProviderId::BitbucketServer => config.bitbucket_server.allow_unsigned,
    }
}

/// Builds the hint for a provider without any secret.
pub fn no_secret_hint(config: &Config, provider: ProviderId) -> String {
    format!(
        "no secret is configured for {provider}: pass --secret or --secret-env, write a [{}] section in prhook.toml, \
         or start `prhook serve` once so that it generates one in {}",
        provider.config_section(),
        GeneratedSecrets::path(&config.server.data_dir).display()
    )
}
