//! Configuration: `prhook.toml` parsed into raw structs, then validated once
//! into [`Config`], in which every value has been checked.
//!
//! The file is found from `--config`, else `PRHOOK_CONFIG`, else
//! `prhook.toml` in the working directory. No file at all is valid: the
//! built-in defaults apply, and providers without a section are served with
//! generated secrets (see [`generated`]).

pub mod action;
pub mod generated;
pub mod locate;
pub mod programs;
pub mod providers;
pub mod raw;
pub mod secret;
pub mod suggest;
pub mod tunnel;

pub use action::{ActionConfig, ActionTarget, ArgTemplate, Rate, Selector};
pub use providers::{AzureDevopsConfig, BitbucketServerConfig, GithubConfig, GitlabConfig};
pub use tunnel::{TunnelConfig, TunnelService};

use crate::filter::Filters;
use crate::provider::ProviderId;
use raw::{RawAction, RawConfig, RawFilters};
use regex::Regex;
use secret::{RawSecret, SecretList};
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
pub const DEFAULT_DATA_DIR: &str = ".prhook";
pub const DEFAULT_MAX_BODY_BYTES: u64 = 25 * 1024 * 1024;

/// The `ignore_*` keys read from `[filters]` and from PR-Agent's `[config]`.
const PR_AGENT_FILTER_KEYS: [&str; 8] = [
    "ignore_pr_authors",
    "ignore_pr_title",
    "ignore_pr_labels",
    "ignore_pr_source_branches",
    "ignore_pr_target_branches",
    "ignore_repositories",
    "ignore_drafts",
    "ignore_bots",
];

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was loaded from, or `None` for the built-in defaults.
    pub source: Option<PathBuf>,
    pub server: ServerConfig,
    pub github: GithubConfig,
    pub gitlab: GitlabConfig,
    pub azure_devops: AzureDevopsConfig,
    pub bitbucket_server: BitbucketServerConfig,
    /// Provider sections written in the file; the others get generated secrets.
    pub configured_providers: Vec<ProviderId>,
    pub filters: Filters,
    pub circuit_breaker: CircuitBreakerConfig,
    pub tunnel: TunnelConfig,
    pub actions: Vec<ActionConfig>,
    /// Sections the file writes whose behaviour is not active in this version.
    pub inactive_sections: Vec<&'static str>,
    pub warnings: Vec<Finding>,
}

/// `[server]`.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub max_body_bytes: usize,
    pub max_connections: usize,
    pub read_timeout: Duration,
    pub max_queue_depth: u64,
    /// Concurrent actions overall; never 0 after validation.
    pub workers: usize,
    pub dispatch: bool,
    pub shutdown_grace: Duration,
    pub retention_days: u32,
}

/// `[circuit_breaker]`.
#[derive(Debug, Clone)]
pub struct CircuitBreakerConfig {
    pub failure_threshold: u32,
    pub recovery_timeout: Duration,
}

/// One problem found while loading, tied to a key of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Dotted key path such as `actions[0].on[1]`, or empty for the whole file.
    pub key: String,
    pub message: String,
    /// Byte range in the file, when known.
    pub span: Option<std::ops::Range<usize>>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

/// An error loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("config file {path} does not exist")]
    NotFound { path: PathBuf },
    #[error("cannot read config file {path}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} in {}", summarize(.errors), .path.as_deref().map_or("the configuration".into(), |p| p.display().to_string()))]
    Invalid { path: Option<PathBuf>, text: String, errors: Vec<Finding>, warnings: Vec<Finding> },
}

fn summarize(errors: &[Finding]) -> String {
    match errors {
        [one] => one.to_string(),
        _ => format!("{} errors:\n  {}", errors.len(), errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n  ")),
    }
}

/// The source of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A file named by `--config` or `PRHOOK_CONFIG`: it must exist.
    Explicit(PathBuf),
    /// `prhook.toml` in the working directory, used when it exists.
    Implicit(PathBuf),
    /// No file: the built-in defaults.
    Defaults,
}

impl ConfigSource {
    /// Picks the file from `--config` (which clap also fills from `PRHOOK_CONFIG`).
    pub fn find(explicit: Option<&Path>) -> ConfigSource {
        if let Some(path) = explicit {
            return ConfigSource::Explicit(path.to_owned());
        }
        let implicit = PathBuf::from("prhook.toml");
        if implicit.is_file() {
            ConfigSource::Implicit(implicit)
        } else {
            ConfigSource::Defaults
        }
    }
}

impl ConfigSource {
    /// Reads the file, returning its path and text; the built-in defaults
    /// read as an empty text without a path.
    pub fn read(&self) -> Result<(Option<PathBuf>, String), LoadError> {
        match self {
            ConfigSource::Explicit(path) | ConfigSource::Implicit(path) => {
                let text = std::fs::read_to_string(path).map_err(|error| {
                    if error.kind() == std::io::ErrorKind::NotFound {
                        LoadError::NotFound { path: path.clone() }
                    } else {
                        LoadError::Unreadable { path: path.clone(), source: error }
                    }
                })?;
                Ok((Some(path.clone()), text))
            }
            ConfigSource::Defaults => Ok((None, String::new())),
        }
    }
}

/// Command-line values that take precedence over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// `--tunnel-service` or `prhook tunnel --service`.
    pub tunnel_service: Option<TunnelService>,
}

impl Config {
    /// Loads and validates the configuration the way `serve` does.
    pub fn load(source: &ConfigSource, overrides: &Overrides) -> Result<Config, LoadError> {
        let (path, text) = source.read()?;
        Config::from_text(path.as_deref(), &text, overrides, &|name| std::env::var(name).ok())
    }

    /// Validates `text` as the contents of `path` (relative paths resolve
    /// against its folder), reading environment variables through `env`.
    pub fn from_text(
        path: Option<&Path>,
        text: &str,
        overrides: &Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, LoadError> {
        let invalid = |errors: Vec<Finding>, warnings: Vec<Finding>| LoadError::Invalid {
            path: path.map(Path::to_owned),
            text: text.to_owned(),
            errors,
            warnings,
        };
        // NOTE: the deserializer stops at the first error, so a file with
        // several wrong types or unknown keys reports them one at a time.
        let raw: RawConfig = toml::from_str(text).map_err(|error| {
            let span = error.span();
            let key = span
                .as_ref()
                .and_then(|span| locate::key_at(text, span.start).or_else(|| locate::key_on_line(text, span.start)))
                .unwrap_or_default();
            let finding = Finding { key, message: suggest::explain(error.message()), span };
            invalid(vec![finding], vec![])
        })?;
        let base_dir = match path.and_then(Path::parent) {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let mut validator = Validator { base_dir, env, errors: Vec::new(), warnings: Vec::new() };
        let config = validator.validate(raw, path, overrides);
        for finding in validator.errors.iter_mut().chain(validator.warnings.iter_mut()) {
            if finding.span.is_none() && !finding.key.is_empty() {
                finding.span = locate::locate(text, &finding.key);
            }
        }
        if validator.errors.is_empty() {
            let mut config = config;
            config.warnings = validator.warnings;
            Ok(config)
        } else {
            Err(invalid(validator.errors, validator.warnings))
        }
    }

    /// Returns the directory of the store, the lock and generated secrets.
    pub fn data_dir(&self) -> &Path {
        &self.server.data_dir
    }
}

struct Validator<'a> {
    base_dir: PathBuf,
    env: &'a dyn Fn(&str) -> Option<String>,
    errors: Vec<Finding>,
    warnings: Vec<Finding>,
}

impl Validator<'_> {
    fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.errors.push(Finding { key: key.into(), message: message.into(), span: None });
    }

    fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Finding { key: key.into(), message: message.into(), span: None });
    }

    fn secret(&mut self, key: &str, raw: &Option<RawSecret>) -> Option<SecretList> {
        let raw = raw.as_ref()?;
        match raw.resolve_with(&self.base_dir, self.env) {
            Ok(list) => Some(list),
            Err(error) => {
                self.error(key, error.to_string());
                None
            }
        }
    }

    fn validate(&mut self, raw: RawConfig, path: Option<&Path>, overrides: &Overrides) -> Config {
        let server = self.server(&raw, overrides);
        let mut configured_providers = Vec::new();
        let inactive_sections = Vec::new();

        let github = match &raw.github {
            Some(section) => {
                configured_providers.push(ProviderId::Github);
                let webhook_secret = self.secret("github.webhook_secret", &section.webhook_secret);
                if section.webhook_secret.is_none() && !section.allow_unsigned {
                    self.error("github.webhook_secret", "missing: a [github] section needs webhook_secret (or allow_unsigned = true)");
                }
                if section.allow_sha1 {
                    self.warn("github.allow_sha1", "sha1 signatures are accepted; HMAC-SHA1 is weaker than the sha256 header GitHub always sends");
                }
                if section.allow_unsigned {
                    self.warn("github.allow_unsigned", "GitHub deliveries are accepted without verification");
                }
                if section.app_id.is_some() != section.private_key.is_some() {
                    self.error("github.app_id", "a GitHub App needs both app_id and private_key");
                }
                GithubConfig {
                    webhook_secret,
                    allow_sha1: section.allow_sha1,
                    allow_unsigned: section.allow_unsigned,
                    api_url: section.api_url.clone().unwrap_or_else(|| "https://api.github.com".into()),
                    token: self.secret("github.token", &section.token),
                    app_id: section.app_id,
                    private_key: self.secret("github.private_key", &section.private_key),
                }
            }
            None => GithubConfig { api_url: "https://api.github.com".into(), ..GithubConfig::default() },
        };

        let gitlab = match &raw.gitlab {
            Some(section) => {
                configured_providers.push(ProviderId::Gitlab);
                if section.webhook_secret.is_none() && section.signing_token.is_none() && !section.allow_unsigned {
                    self.error("gitlab.webhook_secret", "missing: a [gitlab] section needs webhook_secret or signing_token (or allow_unsigned = true)");
                }
                if section.allow_unsigned {
                    self.warn("gitlab.allow_unsigned", "GitLab deliveries are accepted without verification");
                }
                GitlabConfig {
                    webhook_secret: self.secret("gitlab.webhook_secret", &section.webhook_secret),
                    signing_token: self.secret("gitlab.signing_token", &section.signing_token),
                    allow_unsigned: section.allow_unsigned,
                    api_url: section.api_url.clone().unwrap_or_else(|| "https://gitlab.com/api/v4".into()),
                    token: self.secret("gitlab.token", &section.token),
                }
            }
            None => GitlabConfig { api_url: "https://gitlab.com/api/v4".into(), ..GitlabConfig::default() },
        };

        let azure_devops = match &raw.azure_devops {
            Some(section) => {
                configured_providers.push(ProviderId::AzureDevops);
                if section.password.is_none() && !section.allow_unsigned {
                    self.error("azure_devops.password", "missing: an [azure_devops] section needs password (or allow_unsigned = true)");
                }
                if section.allow_unsigned {
                    self.warn("azure_devops.allow_unsigned", "Azure DevOps deliveries are accepted without credentials");
                }
                if section.token.is_some() && section.api_url.as_deref().unwrap_or("").is_empty() {
                    self.error("azure_devops.api_url", "missing: a token needs api_url, the organization or collection URL such as \"https://dev.azure.com/ORGANIZATION\"");
                }
                AzureDevopsConfig {
                    username: section.username.clone().unwrap_or_default(),
                    password: self.secret("azure_devops.password", &section.password),
                    allow_unsigned: section.allow_unsigned,
                    api_url: section.api_url.clone().unwrap_or_default(),
                    token: self.secret("azure_devops.token", &section.token),
                }
            }
            None => AzureDevopsConfig::default(),
        };

        let bitbucket_server = match &raw.bitbucket_server {
            Some(section) => {
                configured_providers.push(ProviderId::BitbucketServer);
                if section.webhook_secret.is_none() && !section.allow_unsigned {
                    self.error("bitbucket_server.webhook_secret", "missing: a [bitbucket_server] section needs webhook_secret (or allow_unsigned = true)");
                }
                if section.allow_unsigned {
                    self.warn("bitbucket_server.allow_unsigned", "Bitbucket Server deliveries are accepted without verification");
                }
                if section.token.is_some() && section.api_url.as_deref().unwrap_or("").is_empty() {
                    self.error("bitbucket_server.api_url", "missing: a token needs api_url, the server's base URL such as \"https://bitbucket.example.com\"");
                }
                BitbucketServerConfig {
                    webhook_secret: self.secret("bitbucket_server.webhook_secret", &section.webhook_secret),
                    allow_unsigned: section.allow_unsigned,
                    api_url: section.api_url.clone().unwrap_or_default(),
                    token: self.secret("bitbucket_server.token", &section.token),
                }
            }
            None => BitbucketServerConfig::default(),
        };

        let filters = self.filters(raw.filters.as_ref(), raw.config.as_ref());

        let circuit_breaker = {
            let section = raw.circuit_breaker.as_ref();
            let threshold = self.env_u64("CIRCUIT_BREAKER_FAILURE_THRESHOLD")
                .or_else(|| section.and_then(|s| s.failure_threshold))
                .unwrap_or(5);
            let recovery = self.env_u64("CIRCUIT_BREAKER_RECOVERY_TIMEOUT")
                .or_else(|| section.and_then(|s| s.recovery_timeout))
                .unwrap_or(30);
            if threshold == 0 {
                self.error("circuit_breaker.failure_threshold", "must be at least 1");
            }
            CircuitBreakerConfig {
                failure_threshold: threshold.min(u64::from(u32::MAX)) as u32,
                recovery_timeout: Duration::from_secs(recovery),
            }
        };

        let tunnel = self.tunnel(raw.tunnel.as_ref(), overrides);

        let mut actions = Vec::new();
        for (index, raw_action) in raw.actions.iter().enumerate() {
            if let Some(action) = self.action(index, raw_action) {
                if actions.iter().any(|existing: &ActionConfig| existing.name == action.name) {
                    self.error(format!("actions[{index}].name"), format!("duplicate action name {:?}", action.name));
                }
                actions.push(action);
            }
        }

        let has_api_token = github.token.is_some()
            || github.app_id.is_some()
            || gitlab.token.is_some()
            || azure_devops.token.is_some()
            || bitbucket_server.token.is_some();
        for (index, action) in actions.iter().enumerate() {
            if (action.reply || action.reply_on_failure || action.ack) && !has_api_token {
                self.warn(
                    format!("actions[{index}].reply"),
                    format!("action {:?} replies on pull requests, but no provider section has an API token, so nothing is posted", action.name),
                );
            }
        }

        Config {
            source: path.map(Path::to_owned),
            server,
            github,
            gitlab,
            azure_devops,
            bitbucket_server,
            configured_providers,
            filters,
            circuit_breaker,
            tunnel,
            actions,
            inactive_sections,
            warnings: Vec::new(),
        }
    }

    fn env_u64(&mut self, name: &str) -> Option<u64> {
        let value = (self.env)(name)?;
        match value.trim().parse() {
            Ok(number) => Some(number),
            Err(_) => {
                self.error(name, format!("environment variable {name}={value:?} is not a whole number"));
                None
            }
        }
    }

    fn server(&mut self, raw: &RawConfig, overrides: &Overrides) -> ServerConfig {
        let section = raw.server.as_ref();
        let get = |f: fn(&raw::RawServer) -> Option<u64>| section.and_then(f);

        let listen_text = overrides
            .listen
            .clone()
            .or_else(|| section.and_then(|s| s.listen.clone()))
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let listen = match parse_listen(&listen_text) {
            Ok(address) => address,
            Err(message) => {
                self.error("server.listen", message);
                DEFAULT_LISTEN.parse().expect("the default listen address parses")
            }
        };

        let data_dir = match (&overrides.data_dir, section.and_then(|s| s.data_dir.clone())) {
            (Some(dir), _) => dir.clone(),
            (None, Some(dir)) => self.base_dir.join(dir),
            (None, None) => PathBuf::from(DEFAULT_DATA_DIR),
        };

        let max_body_bytes = get(|s| s.max_body_bytes).unwrap_or(DEFAULT_MAX_BODY_BYTES);
        if max_body_bytes == 0 {
            self.error("server.max_body_bytes", "must be at least 1");
        }
        let max_connections = get(|s| s.max_connections).unwrap_or(1024);
        if max_connections == 0 {
            self.error("server.max_connections", "must be at least 1");
        }
        let read_timeout = get(|s| s.read_timeout).unwrap_or(30);
        if read_timeout == 0 {
            self.error("server.read_timeout", "must be at least 1 second");
        }
        let workers = match get(|s| s.workers).unwrap_or(0) {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n as usize,
        };
        ServerConfig {
            listen,
            data_dir,
            max_body_bytes: max_body_bytes as usize,
            max_connections: max_connections as usize,
            read_timeout: Duration::from_secs(read_timeout),
            max_queue_depth: get(|s| s.max_queue_depth).unwrap_or(100_000),
            workers,
            dispatch: section.and_then(|s| s.dispatch).unwrap_or(true),
            shutdown_grace: Duration::from_secs(get(|s| s.shutdown_grace).unwrap_or(30)),
            retention_days: get(|s| s.retention_days).unwrap_or(30).min(u64::from(u32::MAX)) as u32,
        }
    }

    fn filters(&mut self, section: Option<&RawFilters>, pr_agent: Option<&toml::Table>) -> Filters {
        let (pr_agent, written_keys) = self.pr_agent_filters(pr_agent);
        let empty = RawFilters::default();
        let section = section.unwrap_or(&empty);

        // Each value comes with the key path it was read from, so that a
        // finding about it points at the line the user wrote.
        macro_rules! pick {
            ($field:ident) => {{
                let name = stringify!($field);
                let config_key = || format!("config.{}", written_keys.get(name).map_or(name, String::as_str));
                match (&section.$field, &pr_agent.$field) {
                    (Some(value), Some(_)) => {
                        self.warn(config_key(), format!("both [filters] and [config] set {name}; the value in [filters] wins"));
                        Some((value.clone(), format!("filters.{name}")))
                    }
                    (Some(value), None) => Some((value.clone(), format!("filters.{name}"))),
                    (None, Some(value)) => Some((value.clone(), config_key())),
                    (None, None) => None,
                }
            }};
        }

        let authors = pick!(ignore_pr_authors).unwrap_or_default();
        let titles = pick!(ignore_pr_title).unwrap_or_default();
        let labels = pick!(ignore_pr_labels).unwrap_or_default();
        let sources = pick!(ignore_pr_source_branches).unwrap_or_default();
        let targets = pick!(ignore_pr_target_branches).unwrap_or_default();
        let repositories = pick!(ignore_repositories).unwrap_or_default();
        let drafts = pick!(ignore_drafts).map_or(true, |(value, _)| value);
        let bots = pick!(ignore_bots).map_or(true, |(value, _)| value);

        Filters {
            ignore_pr_authors: self.plain_list(&authors.1, authors.0),
            ignore_pr_title: self.regex_list(&titles.1, titles.0),
            ignore_pr_labels: self.plain_list(&labels.1, labels.0),
            ignore_pr_source_branches: self.regex_list(&sources.1, sources.0),
            ignore_pr_target_branches: self.regex_list(&targets.1, targets.0),
            ignore_repositories: self.regex_list(&repositories.1, repositories.0),
            ignore_drafts: drafts,
            ignore_bots: bots,
        }
    }

    /// Reads PR-Agent's `[config]` ignore keys in any letter case.
    ///
    /// Returns the filters and, for each one set, the key as written (such
    /// as `IGNORE_PR_AUTHORS`).
    fn pr_agent_filters(&mut self, table: Option<&toml::Table>) -> (RawFilters, HashMap<&'static str, String>) {
        let mut filters = RawFilters::default();
        let mut written_keys: HashMap<&'static str, String> = HashMap::new();
        let Some(table) = table else { return (filters, written_keys) };
        for (key, value) in table {
            let path = format!("config.{key}");
            let Some(name) = PR_AGENT_FILTER_KEYS.iter().copied().find(|name| name.eq_ignore_ascii_case(key)) else {
                continue;
            };
            if let Some(earlier) = written_keys.insert(name, key.clone()) {
                self.warn(&path, format!("[config] sets {name} twice, as {earlier} and as {key}; {key} wins"));
            }
            let list = |validator: &mut Self| -> Option<Vec<String>> {
                match value.as_array() {
                    Some(items) if items.iter().all(|item| item.is_str()) => {
                        Some(items.iter().filter_map(|item| item.as_str().map(str::to_owned)).collect())
                    }
                    Some(_) => {
                        validator.error(&path, "every element must be a string");
                        None
                    }
                    None => {
                        validator.error(&path, format!("expected a list of strings, found {}; write [\"...\"]", value.type_str()));
                        None
                    }
                }
            };
            let flag = |validator: &mut Self| -> Option<bool> {
                value.as_bool().or_else(|| {
                    validator.error(&path, format!("expected true or false, found {}", value.type_str()));
                    None
                })
            };
            match name {
                "ignore_pr_authors" => filters.ignore_pr_authors = list(self),
                "ignore_pr_title" => filters.ignore_pr_title = list(self),
                "ignore_pr_labels" => filters.ignore_pr_labels = list(self),
                "ignore_pr_source_branches" => filters.ignore_pr_source_branches = list(self),
                "ignore_pr_target_branches" => filters.ignore_pr_target_branches = list(self),
                "ignore_repositories" => filters.ignore_repositories = list(self),
                "ignore_drafts" => filters.ignore_drafts = flag(self),
                "ignore_bots" => filters.ignore_bots = flag(self),
                _ => {}
            }
        }
        (filters, written_keys)
    }

    fn plain_list(&mut self, key: &str, values: Vec<String>) -> Vec<String> {
        for (index, value) in values.iter().enumerate() {
            if value.trim().is_empty() {
                self.warn(format!("{key}[{index}]"), "an empty string matches nothing; remove it");
            }
        }
        values.into_iter().filter(|value| !value.trim().is_empty()).collect()
    }

    fn regex_list(&mut self, key: &str, patterns: Vec<String>) -> Vec<Regex> {
        let mut compiled = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            if pattern.is_empty() {
                self.warn(format!("{key}[{index}]"), "an empty pattern would match every value, so it is skipped; remove it");
                continue;
            }
            match Regex::new(pattern) {
                Ok(regex) => compiled.push(regex),
                Err(error) => {
                    // The regex crate's syntax errors repeat the pattern with
                    // a caret on extra lines; keep only the closing reason.
                    let text = error.to_string();
                    let reason = text.lines().last().unwrap_or_default().trim_start_matches("error: ");
                    self.error(format!("{key}[{index}]"), format!("invalid regular expression {pattern:?}: {reason}"));
                }
            }
        }
        compiled
    }

    fn action(&mut self, index: usize, raw: &RawAction) -> Option<ActionConfig> {
        let key = |field: &str| format!("actions[{index}].{field}");
        let errors_before = self.errors.len();

        let name = match &raw.name {
            Some(name) if !name.trim().is_empty() => name.clone(),
            _ => {
                self.error(key("name"), "missing: every action needs a name");
                format!("action-{index}")
            }
        };
        if raw.on.is_empty() {
            self.error(key("on"), "missing: list the events that run this action, such as [\"pull_request.opened\"]");
        }
        let mut on = Vec::new();
        for (position, text) in raw.on.iter().enumerate() {
            match Selector::parse(text) {
                Ok(selector) => on.push(selector),
                Err(message) => self.error(format!("actions[{index}].on[{position}]"), message),
            }
        }

        let target = match (&raw.run, &raw.forward) {
            (Some(_), Some(_)) => {
                self.error(key("run"), "an action has either run or forward, not both");
                None
            }
            (None, None) => {
                self.error(key("run"), "missing: an action needs run = [\"program\", ...] or forward = \"URL\"");
                None
            }
            (Some(run), None) => self.run_target(index, run),
            (None, Some(url)) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    self.error(key("forward"), format!("invalid URL {url:?}: expected http:// or https://"));
                }
                Some(ActionTarget::Forward { url: url.clone(), secret: self.secret(&key("secret"), &raw.secret) })
            }
        };

        let mut env = Vec::new();
        for (variable, value) in &raw.env {
            if variable.starts_with("PRHOOK_") {
                self.error(format!("actions[{index}].env.{variable}"), "PRHOOK_ variables are set by prhook itself");
                continue;
            }
            if let Some(list) = self.secret(&format!("actions[{index}].env.{variable}"), &Some(value.clone())) {
                env.push((variable.clone(), list.primary().clone()));
            }
        }

        let rate = raw.rate.as_ref().and_then(|text| match Rate::parse(text) {
            Ok(rate) => Some(rate),
            Err(message) => {
                self.error(key("rate"), message);
                None
            }
        });
        let reply = match raw.reply.as_deref() {
            None => false,
            Some("output") => true,
            Some(other) => {
                self.error(key("reply"), format!("unknown reply mode {other:?}: the only mode is \"output\""));
                false
            }
        };
        if raw.timeout == Some(0) {
            self.error(key("timeout"), "must be at least 1 second");
        }
        if raw.max_concurrency == Some(0) {
            self.error(key("max_concurrency"), "must be at least 1");
        }

        let cwd = raw.cwd.as_ref().map_or_else(|| self.base_dir.clone(), |cwd| self.base_dir.join(cwd));
        if self.errors.len() > errors_before {
            return None;
        }
        Some(ActionConfig {
            name,
            on,
            target: target?,
            env,
            cwd,
            timeout: Duration::from_secs(raw.timeout.unwrap_or(600)),
            retries: raw.retries.unwrap_or(3).min(100) as u32,
            max_concurrency: raw.max_concurrency.map(|n| n as usize),
            rate,
            reply,
            reply_on_failure: raw.reply_on_failure,
            ack: raw.ack,
        })
    }

    fn run_target(&mut self, index: usize, run: &[String]) -> Option<ActionTarget> {
        let Some((program, args)) = run.split_first() else {
            self.error(format!("actions[{index}].run"), "empty: the first element is the program to run");
            return None;
        };
        if program.trim().is_empty() {
            self.error(format!("actions[{index}].run[0]"), "the program name is empty");
            return None;
        }
        let mut templates = Vec::new();
        for (position, text) in run.iter().enumerate() {
            match ArgTemplate::parse(text) {
                Ok(template) => templates.push(template),
                Err(message) => self.error(format!("actions[{index}].run[{position}]"), message),
            }
        }
        if templates.len() != run.len() {
            return None;
        }
        let _ = (program, args);
        let program = templates.remove(0);
        Some(ActionTarget::Run { program, args: templates })
    }
}

/// Parses a listen address; `localhost:PORT` means 127.0.0.1.
pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let normalized = match text.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => text.to_owned(),
    };
    normalized
        .parse()
        .map_err(|_| format!("invalid listen address {text:?}: expected IP:PORT such as \"127.0.0.1:3000\" or \"[::1]:3000\""))
}

#[cfg(test)]
mod tests;
