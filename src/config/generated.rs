//! Secrets generated for providers that the configuration does not set up.
//!
//! So that `prhook serve` works on a fresh machine and still fails closed,
//! each provider without a section gets a random secret on first start,
//! kept in `data_dir/secrets.toml` with mode 0600. `simulate` and
//! `verify-signature` read the same file.

use super::secret::{Secret, SecretList};
use super::Config;
use crate::provider::ProviderId;
use rand::RngCore;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "secrets.toml";

/// The generated secret of each provider, by provider.
#[derive(Debug, Clone, Default)]
pub struct GeneratedSecrets {
    secrets: BTreeMap<ProviderId, Secret>,
}

impl GeneratedSecrets {
    pub fn get(&self, provider: ProviderId) -> Option<&Secret> {
        self.secrets.get(&provider)
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// Reads `data_dir/secrets.toml`; an absent file is an empty set.
    pub fn read(data_dir: &Path) -> anyhow::Result<GeneratedSecrets> {
        let path = GeneratedSecrets::path(data_dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(GeneratedSecrets::default()),
            Err(error) => return Err(anyhow::Error::new(error).context(format!("cannot read {}", path.display()))),
        };
        let table: toml::Table = toml::from_str(&text)
            .map_err(|error| anyhow::anyhow!("{} is not valid TOML: {}", path.display(), error.message()))?;
        let mut secrets = BTreeMap::new();
        for provider in ProviderId::ALL {
            let key = if provider == ProviderId::AzureDevops { "password" } else { "webhook_secret" };
            let value = table
                .get(provider.config_section())
                .and_then(|section| section.get(key))
                .and_then(|value| value.as_str());
            if let Some(value) = value {
                secrets.insert(provider, Secret::new(value.as_bytes()));
            }
        }
        Ok(GeneratedSecrets { secrets })
    }

    /// Makes sure every provider in `needed` has a generated secret,
    /// creating `secrets.toml` (mode 0600) or adding to it. Returns the
    /// providers whose secret was created by this call.
    pub fn ensure(data_dir: &Path, needed: &[ProviderId]) -> anyhow::Result<(GeneratedSecrets, Vec<ProviderId>)> {
        let mut generated = GeneratedSecrets::read(data_dir)?;
        let mut created = Vec::new();
        for provider in needed {
            if !generated.secrets.contains_key(provider) {
                generated.secrets.insert(*provider, random_secret());
                created.push(*provider);
            }
        }
        if !created.is_empty() {
            generated.write(data_dir)?;
        }
        Ok((generated, created))
    }

    fn write(&self, data_dir: &Path) -> anyhow::Result<()> {
        let mut text = String::from(
            "# Webhook secrets that prhook generated for providers without a section in\n\
             # prhook.toml. Paste each into the provider's webhook settings. Keep this\n\
             # file private; delete a secret to have a new one generated.\n",
        );
        for (provider, secret) in &self.secrets {
            let value = secret.expose_str().unwrap_or_default();
            text.push_str(&format!("\n[{}]\n", provider.config_section()));
            if *provider == ProviderId::AzureDevops {
                text.push_str("username = \"\"\n");
                text.push_str(&format!("password = \"{value}\"\n"));
            } else {
                text.push_str(&format!("webhook_secret = \"{value}\"\n"));
            }
        }
        let path = GeneratedSecrets::path(data_dir);
        let temporary = data_dir.join(format!(".{FILE_NAME}.tmp"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(&temporary)
            .map_err(|error| anyhow::Error::new(error).context(format!("cannot write {}", temporary.display())))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, &path)
            .map_err(|error| anyhow::Error::new(error).context(format!("cannot write {}", path.display())))?;
        Ok(())
    }

    /// Gives every provider the configuration does not set up its generated secret.
    pub fn apply(&self, config: &mut Config) {
        let list = |provider| self.get(provider).cloned().map(SecretList::single);
        if !config.configured_providers.contains(&ProviderId::Github) {
            config.github.webhook_secret = list(ProviderId::Github);
        }
        if !config.configured_providers.contains(&ProviderId::Gitlab) {
            config.gitlab.webhook_secret = list(ProviderId::Gitlab);
        }
        if !config.configured_providers.contains(&ProviderId::AzureDevops) {
            config.azure_devops.username = String::new();
            config.azure_devops.password = list(ProviderId::AzureDevops);
        }
        if !config.configured_providers.contains(&ProviderId::BitbucketServer) {
            config.bitbucket_server.webhook_secret = list(ProviderId::BitbucketServer);
        }
    }
}

fn random_secret() -> Secret {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    Secret::new(hex::encode(bytes))
}

/// The providers that `config` leaves without a section.
pub fn unconfigured(config: &Config) -> Vec<ProviderId> {
    ProviderId::ALL.into_iter().filter(|provider| !config.configured_providers.contains(provider)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_creates_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let (generated, created) = GeneratedSecrets::ensure(dir.path(), &[ProviderId::Github, ProviderId::AzureDevops]).unwrap();
        assert_eq!(created, vec![ProviderId::Github, ProviderId::AzureDevops]);
        assert_eq!(generated.get(ProviderId::Github).unwrap().expose().len(), 48);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(GeneratedSecrets::path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn ensure_keeps_existing_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let (first, _) = GeneratedSecrets::ensure(dir.path(), &[ProviderId::Gitlab]).unwrap();
        let (second, created) = GeneratedSecrets::ensure(dir.path(), &[ProviderId::Gitlab, ProviderId::BitbucketServer]).unwrap();
        assert_eq!(created, vec![ProviderId::BitbucketServer]);
        assert_eq!(first.get(ProviderId::Gitlab), second.get(ProviderId::Gitlab));
    }
}
