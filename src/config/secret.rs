//! Secrets: values that authenticate deliveries or API calls.
//!
//! A secret setting in `prhook.toml` is a literal string, `{ env = "VAR" }`,
//! `{ file = "path" }`, or a list of those. A list allows rotation: a
//! delivery is authentic when any one of the secrets matches.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// One secret value. `Debug` and `Display` never show the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(value: impl Into<Vec<u8>>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Returns the secret as UTF-8 text, for headers and environment variables.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A non-empty list of secrets, any one of which is accepted.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretList(Vec<Secret>);

impl SecretList {
    /// Builds a list; returns `None` when `secrets` is empty.
    pub fn new(secrets: Vec<Secret>) -> Option<SecretList> {
        if secrets.is_empty() {
            None
        } else {
            Some(SecretList(secrets))
        }
    }

    pub fn single(secret: Secret) -> SecretList {
        SecretList(vec![secret])
    }

    pub fn iter(&self) -> impl Iterator<Item = &Secret> {
        self.0.iter()
    }

    /// Returns the first secret, the one prhook signs with when it sends.
    pub fn primary(&self) -> &Secret {
        &self.0[0]
    }

    /// Tells whether any secret satisfies `check`.
    ///
    /// Every secret is tried even after a match, so the time taken does not
    /// tell an attacker which position in the rotation list matched.
    pub fn any(&self, mut check: impl FnMut(&Secret) -> bool) -> bool {
        let mut matched = false;
        for secret in &self.0 {
            matched |= check(secret);
        }
        matched
    }
}

impl fmt::Debug for SecretList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretList(<{} redacted>)", self.0.len())
    }
}

/// The source of a secret, as written in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RawSecret {
    Literal(String),
    // Before `Source`, because serde would also read a two-element list as
    // a struct with fields `env` and `file`.
    List(Vec<RawSecretItem>),
    Source(RawSecretSource),
}

/// One element of a secret list: a list of lists is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum RawSecretItem {
    Literal(String),
    Source(RawSecretSource),
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSecretSource {
    pub env: Option<String>,
    pub file: Option<PathBuf>,
}

/// An error resolving a secret setting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("environment variable {0} is not set; set it or write the secret another way")]
    EnvUnset(String),
    #[error("environment variable {0} is empty")]
    EnvEmpty(String),
    #[error("cannot read secret file {path}: {reason}")]
    FileUnreadable { path: PathBuf, reason: String },
    #[error("secret file {0} is empty")]
    FileEmpty(PathBuf),
    #[error("a secret source needs exactly one of `env` or `file`")]
    BadSource,
    #[error("the secret is an empty string")]
    EmptyLiteral,
    #[error("the secret list is empty")]
    EmptyList,
}

impl RawSecret {
    /// Resolves every source, reading files relative to `base_dir`.
    pub fn resolve(&self, base_dir: &Path) -> Result<SecretList, SecretError> {
        self.resolve_with(base_dir, &|name| std::env::var(name).ok())
    }

    /// Like [`RawSecret::resolve`], with environment look-ups through `lookup`.
    pub fn resolve_with(
        &self,
        base_dir: &Path,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<SecretList, SecretError> {
        let items: Vec<RawSecretItem> = match self {
            RawSecret::Literal(value) => vec![RawSecretItem::Literal(value.clone())],
            RawSecret::Source(source) => vec![RawSecretItem::Source(source.clone())],
            RawSecret::List(items) => items.clone(),
        };
        let mut secrets = Vec::with_capacity(items.len());
        for item in &items {
            secrets.push(item.resolve(base_dir, lookup)?);
        }
        SecretList::new(secrets).ok_or(SecretError::EmptyList)
    }

    /// Lists the environment variables this setting reads, for messages.
    pub fn env_names(&self) -> Vec<String> {
        let sources: Vec<&RawSecretSource> = match self {
            RawSecret::Literal(_) => vec![],
            RawSecret::Source(source) => vec![source],
            RawSecret::List(items) => items
                .iter()
                .filter_map(|item| match item {
                    RawSecretItem::Source(source) => Some(source),
                    RawSecretItem::Literal(_) => None,
                })
                .collect(),
        };
        sources.iter().filter_map(|source| source.env.clone()).collect()
    }
}

impl RawSecretItem {
    fn resolve(
        &self,
        base_dir: &Path,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret, SecretError> {
        match self {
            RawSecretItem::Literal(value) if value.is_empty() => Err(SecretError::EmptyLiteral),
            RawSecretItem::Literal(value) => Ok(Secret::new(value.as_bytes())),
            RawSecretItem::Source(RawSecretSource { env: Some(name), file: None }) => {
                match lookup(name) {
                    None => Err(SecretError::EnvUnset(name.clone())),
                    Some(value) if value.is_empty() => Err(SecretError::EnvEmpty(name.clone())),
                    Some(value) => Ok(Secret::new(value.into_bytes())),
                }
            }
            RawSecretItem::Source(RawSecretSource { env: None, file: Some(file) }) => {
                let path = base_dir.join(file);
                let bytes = std::fs::read(&path).map_err(|error| SecretError::FileUnreadable {
                    path: path.clone(),
                    reason: error.to_string(),
                })?;
                // Editors and `echo` add a final newline that is not part of the secret.
                let text_end = bytes
                    .iter()
                    .rposition(|byte| !matches!(byte, b'\n' | b'\r'))
                    .map_or(0, |last| last + 1);
                if text_end == 0 {
                    return Err(SecretError::FileEmpty(path));
                }
                Ok(Secret::new(&bytes[..text_end]))
            }
            RawSecretItem::Source(_) => Err(SecretError::BadSource),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> RawSecret {
        #[derive(Deserialize)]
        struct Wrapper {
            secret: RawSecret,
        }
        toml::from_str::<Wrapper>(text).unwrap().secret
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn literal_secret() {
        let list = parse(r#"secret = "s3cret""#).resolve_with(Path::new("."), &no_env).unwrap();
        assert_eq!(list.primary().expose(), b"s3cret");
    }

    #[test]
    fn env_secret() {
        let lookup = |name: &str| (name == "HOOK_SECRET").then(|| "from-env".to_owned());
        let list = parse(r#"secret = { env = "HOOK_SECRET" }"#)
            .resolve_with(Path::new("."), &lookup)
            .unwrap();
        assert_eq!(list.primary().expose(), b"from-env");
    }

    #[test]
    fn env_secret_unset() {
        let error = parse(r#"secret = { env = "NOT_SET_ANYWHERE" }"#)
            .resolve_with(Path::new("."), &no_env)
            .unwrap_err();
        assert_eq!(error, SecretError::EnvUnset("NOT_SET_ANYWHERE".into()));
    }

    #[test]
    fn file_secret_trims_final_newline() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("hook.secret"), "from-file\n").unwrap();
        let list = parse(r#"secret = { file = "hook.secret" }"#)
            .resolve_with(dir.path(), &no_env)
            .unwrap();
        assert_eq!(list.primary().expose(), b"from-file");
    }

    #[test]
    fn file_secret_missing() {
        let dir = tempfile::tempdir().unwrap();
        let error = parse(r#"secret = { file = "absent" }"#)
            .resolve_with(dir.path(), &no_env)
            .unwrap_err();
        assert!(matches!(error, SecretError::FileUnreadable { .. }));
    }

    #[test]
    fn rotation_list_mixes_forms() {
        let lookup = |_: &str| Some("new".to_owned());
        let list = parse(r#"secret = ["old", { env = "NEW" }]"#)
            .resolve_with(Path::new("."), &lookup)
            .unwrap();
        let values: Vec<&[u8]> = list.iter().map(Secret::expose).collect();
        assert_eq!(values, vec![&b"old"[..], &b"new"[..]]);
    }

    #[test]
    fn source_with_both_forms_is_rejected() {
        let error = parse(r#"secret = { env = "A", file = "b" }"#)
            .resolve_with(Path::new("."), &no_env)
            .unwrap_err();
        assert_eq!(error, SecretError::BadSource);
    }

    #[test]
    fn empty_list_is_rejected() {
        let error = parse("secret = []").resolve_with(Path::new("."), &no_env).unwrap_err();
        assert_eq!(error, SecretError::EmptyList);
    }

    #[test]
    fn debug_hides_value() {
        let list = SecretList::single(Secret::new("hunter2"));
        assert!(!format!("{list:?}").contains("hunter2"));
        assert!(!format!("{:?}", list.primary()).contains("hunter2"));
    }

    #[test]
    fn any_checks_every_secret() {
        let list = SecretList::new(vec![Secret::new("a"), Secret::new("b")]).unwrap();
        let mut seen = 0;
        assert!(list.any(|secret| {
            seen += 1;
            secret.expose() == b"a"
        }));
        assert_eq!(seen, 2);
    }
}
