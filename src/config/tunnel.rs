//! `[tunnel]` and its environment variables, validated into [`TunnelConfig`].
//!
//! Precedence, highest first: the command line (`--tunnel-service`,
//! `--service`), the environment (`TUNNEL_SERVICE`, `TUNNEL_AUTH_TOKEN`,
//! `NGROK_AUTHTOKEN`, `TUNNEL_REGION`, `TUNNEL_SERVER`, `TUNNEL_SUBDOMAIN`),
//! the file, then the defaults. An empty environment variable counts as unset.

use super::raw::RawTunnel;
use super::secret::Secret;
use super::{Overrides, Validator};
use std::fmt;
use std::time::Duration;

/// The default localtunnel server, the public one run by the localtunnel project.
pub const DEFAULT_LOCALTUNNEL_SERVER: &str = "https://localtunnel.me";

/// The ngrok dashboard page that shows the account's authtoken.
pub const NGROK_AUTHTOKEN_PAGE: &str = "https://dashboard.ngrok.com/get-started/your-authtoken";

/// `[tunnel]`: how `serve --use-tunnel` and `prhook tunnel` reach the internet.
#[derive(Debug, Clone)]
pub struct TunnelConfig {
    pub service: TunnelService,
    /// ngrok's authtoken; `None` when neither the file nor the environment sets one.
    pub auth_token: Option<Secret>,
    /// The requested region. Neither service takes one, so it only causes a warning.
    pub region: Option<String>,
    /// localtunnel: the server URL. ngrok: the `host:port` of the ngrok ingress,
    /// `None` for ngrok's own.
    pub server: Option<String>,
    /// localtunnel subdomain; `None` requests a random one.
    pub subdomain: Option<String>,
    /// ngrok reserved domain; `None` lets ngrok assign one.
    pub domain: Option<String>,
    /// Limit on opening the tunnel, per attempt.
    pub connect_timeout: Duration,
}

impl TunnelConfig {
    /// Returns the localtunnel server URL without a trailing slash.
    pub fn localtunnel_server(&self) -> &str {
        self.server.as_deref().unwrap_or(DEFAULT_LOCALTUNNEL_SERVER).trim_end_matches('/')
    }
}

/// A tunnel service that prhook can open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TunnelService {
    #[default]
    Ngrok,
    Localtunnel,
}

impl TunnelService {
    pub fn as_str(self) -> &'static str {
        match self {
            TunnelService::Ngrok => "ngrok",
            TunnelService::Localtunnel => "localtunnel",
        }
    }

    /// Parses `ngrok` or `localtunnel`, ignoring ASCII case and surrounding blanks.
    pub fn parse(text: &str) -> Option<TunnelService> {
        match text.trim().to_ascii_lowercase().as_str() {
            "ngrok" => Some(TunnelService::Ngrok),
            "localtunnel" => Some(TunnelService::Localtunnel),
            _ => None,
        }
    }
}

impl fmt::Display for TunnelService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Formats the error for a missing ngrok authtoken, shared by validation and `prhook tunnel`.
pub fn missing_ngrok_token_message() -> String {
    format!(
        "missing ngrok authtoken: set TUNNEL_AUTH_TOKEN (or NGROK_AUTHTOKEN, or tunnel.auth_token), \
         or choose service = \"localtunnel\"; copy your authtoken from {NGROK_AUTHTOKEN_PAGE}"
    )
}

impl Validator<'_> {
    /// Reads a non-empty environment variable.
    fn env_text(&self, name: &str) -> Option<String> {
        (self.env)(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty())
    }

    /// Validates `[tunnel]` merged with the environment and `overrides`.
    pub(super) fn tunnel(&mut self, section: Option<&RawTunnel>, overrides: &Overrides) -> TunnelConfig {
        let file_text = |field: fn(&RawTunnel) -> Option<&String>| {
            section.and_then(field).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty())
        };

        // Each value remembers the key or variable it came from, so messages name it.
        let service_setting = match (&overrides.tunnel_service, self.env_text("TUNNEL_SERVICE"), file_text(|s| s.service.as_ref())) {
            (Some(service), _, _) => Some(("--tunnel-service".to_owned(), service.as_str().to_owned())),
            (None, Some(value), _) => Some(("TUNNEL_SERVICE".to_owned(), value)),
            (None, None, Some(value)) => Some(("tunnel.service".to_owned(), value)),
            (None, None, None) => None,
        };
        let parsed = match &service_setting {
            Some((key, value)) => TunnelService::parse(value).ok_or_else(|| {
                self.error(key, format!("unknown tunnel service {value:?}: use \"ngrok\" or \"localtunnel\""));
            }),
            None => Ok(TunnelService::default()),
        };
        let service = parsed.unwrap_or_default();

        let auth_token = self.tunnel_token(section);
        let region = self.env_text("TUNNEL_REGION").map(|value| ("TUNNEL_REGION", value)).or_else(|| file_text(|s| s.region.as_ref()).map(|value| ("tunnel.region", value)));
        let server = self.env_text("TUNNEL_SERVER").map(|value| ("TUNNEL_SERVER", value)).or_else(|| file_text(|s| s.server.as_ref()).map(|value| ("tunnel.server", value)));
        let subdomain = self.env_text("TUNNEL_SUBDOMAIN").map(|value| ("TUNNEL_SUBDOMAIN", value)).or_else(|| file_text(|s| s.subdomain.as_ref()).map(|value| ("tunnel.subdomain", value)));
        let domain = file_text(|s| s.domain.as_ref());

        let timeout = section.and_then(|s| s.connect_timeout).unwrap_or(15);
        if timeout == 0 {
            self.error("tunnel.connect_timeout", "must be at least 1 second");
        }

        // A service chosen by `service`, TUNNEL_SERVICE or the command line
        // selects a tunnel. Only then is a missing ngrok token an error and a
        // setting the service ignores a warning: a file that merely keeps
        // tunnel settings stays valid, and `serve --use-tunnel` and
        // `prhook tunnel` check the token again at start.
        let selected = service_setting.is_some();
        let selects_ngrok = parsed == Ok(TunnelService::Ngrok) && selected;
        if selects_ngrok && auth_token.is_none() {
            self.error("tunnel.auth_token", missing_ngrok_token_message());
        }

        if let (true, Some((key, _))) = (selected, &region) {
            let reason = match service {
                TunnelService::Ngrok => "ngrok's agent SDK has no region setting and ngrok picks the nearest region itself",
                TunnelService::Localtunnel => "localtunnel has no regions",
            };
            self.warn(*key, format!("{reason}; the region is ignored"));
        }
        if let Some((key, value)) = &server {
            self.check_tunnel_server(service, key, value);
        }
        match service {
            TunnelService::Ngrok => {
                if let (true, Some((key, _))) = (selected, &subdomain) {
                    self.warn(*key, "a subdomain applies to localtunnel only and is ignored; ngrok uses tunnel.domain");
                }
            }
            TunnelService::Localtunnel => {
                if let Some((key, value)) = &subdomain {
                    if !is_valid_subdomain(value) {
                        self.error(*key, format!("invalid subdomain {value:?}: use 1 to 63 lowercase letters, digits and inner hyphens"));
                    }
                }
                if selected && domain.is_some() {
                    self.warn("tunnel.domain", "a domain applies to ngrok only and is ignored; localtunnel uses tunnel.subdomain");
                }
            }
        }

        TunnelConfig {
            service,
            auth_token,
            region: region.map(|(_, value)| value),
            server: server.map(|(_, value)| value),
            subdomain: subdomain.map(|(_, value)| value),
            domain,
            connect_timeout: Duration::from_secs(timeout.max(1)),
        }
    }

    /// Picks the token from `TUNNEL_AUTH_TOKEN`, then `NGROK_AUTHTOKEN`, then
    /// `tunnel.auth_token`. The file's setting is resolved only when neither
    /// variable is set, so an unset variable it names is no error then.
    fn tunnel_token(&mut self, section: Option<&RawTunnel>) -> Option<Secret> {
        for name in ["TUNNEL_AUTH_TOKEN", "NGROK_AUTHTOKEN"] {
            if let Some(value) = self.env_text(name) {
                return Some(Secret::new(value));
            }
        }
        let raw = section.and_then(|s| s.auth_token.clone());
        self.secret("tunnel.auth_token", &raw).map(|list| list.primary().clone())
    }

    fn check_tunnel_server(&mut self, service: TunnelService, key: &str, value: &str) {
        match service {
            TunnelService::Localtunnel => {
                let valid = url::Url::parse(value).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
                if !valid {
                    self.error(key, format!("invalid localtunnel server {value:?}: expected a URL such as \"https://localtunnel.me\" or \"http://127.0.0.1:3001\""));
                }
            }
            TunnelService::Ngrok => {
                let valid = !value.contains("://")
                    && url::Url::parse(&format!("tcp://{value}")).is_ok_and(|url| url.host_str().is_some_and(|host| !host.is_empty()));
                if !valid {
                    self.error(key, format!("invalid ngrok server address {value:?}: expected HOST:PORT such as \"connect.ngrok-agent.com:443\""));
                }
            }
        }
    }
}

/// Tells whether `text` is a DNS label that localtunnel servers accept:
/// lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub fn is_valid_subdomain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let allowed = |byte: &u8| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'-';
    (1..=63).contains(&bytes.len()) && bytes.iter().all(allowed) && bytes[0] != b'-' && bytes[bytes.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::super::{Config, Finding, LoadError, Overrides};
    use super::*;
    use std::path::Path;

    fn load(text: &str, vars: &[(&str, &str)]) -> Result<Config, LoadError> {
        load_with(text, vars, &Overrides::default())
    }

    fn load_with(text: &str, vars: &[(&str, &str)], overrides: &Overrides) -> Result<Config, LoadError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::from_text(Some(Path::new("prhook.toml")), text, overrides, &env)
    }

    fn errors(text: &str, vars: &[(&str, &str)]) -> Vec<Finding> {
        match load(text, vars) {
            Err(LoadError::Invalid { errors, .. }) => errors,
            other => panic!("expected errors, got {other:?}"),
        }
    }

    fn token(config: &Config) -> Option<&str> {
        config.tunnel.auth_token.as_ref().and_then(|secret| secret.expose_str())
    }

    #[test]
    fn no_tunnel_settings_is_valid() {
        let config = load("", &[]).unwrap();
        assert_eq!(config.tunnel.service, TunnelService::Ngrok);
        assert!(config.tunnel.auth_token.is_none());
        assert_eq!(config.tunnel.connect_timeout, Duration::from_secs(15));
    }

    #[test]
    fn environment_wins_over_file() {
        let file = "[tunnel]\nservice = \"ngrok\"\nregion = \"eu\"\nserver = \"http://127.0.0.1:1\"\nsubdomain = \"from-file\"";
        let vars = [
            ("TUNNEL_SERVICE", "localtunnel"),
            ("TUNNEL_REGION", "us"),
            ("TUNNEL_SERVER", "http://127.0.0.1:2"),
            ("TUNNEL_SUBDOMAIN", "from-env"),
        ];
        let config = load(file, &vars).unwrap();
        assert_eq!(config.tunnel.service, TunnelService::Localtunnel);
        assert_eq!(config.tunnel.region.as_deref(), Some("us"));
        assert_eq!(config.tunnel.server.as_deref(), Some("http://127.0.0.1:2"));
        assert_eq!(config.tunnel.subdomain.as_deref(), Some("from-env"));
    }

    #[test]
    fn command_line_service_wins() {
        let overrides = Overrides { tunnel_service: Some(TunnelService::Localtunnel), ..Overrides::default() };
        let config = load_with("[tunnel]\nservice = \"ngrok\"", &[("TUNNEL_SERVICE", "ngrok")], &overrides).unwrap();
        assert_eq!(config.tunnel.service, TunnelService::Localtunnel);
    }

    #[test]
    fn unknown_env_service_is_error() {
        let found = errors("", &[("TUNNEL_SERVICE", "cloudflared")]);
        assert_eq!(found[0].key, "TUNNEL_SERVICE");
        assert!(found[0].message.contains("cloudflared"), "{}", found[0].message);
    }

    #[test]
    fn unknown_file_service_is_only_error() {
        let found = errors("[tunnel]\nservice = \"bore\"", &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "tunnel.service");
    }

    #[test]
    fn ngrok_section_without_token_is_error() {
        let found = errors("[tunnel]\nservice = \"ngrok\"", &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "tunnel.auth_token");
        assert!(found[0].message.contains("TUNNEL_AUTH_TOKEN"), "{}", found[0].message);
        assert!(found[0].message.contains("dashboard.ngrok.com"), "{}", found[0].message);
    }

    #[test]
    fn ngrok_env_without_token_is_error() {
        let found = errors("", &[("TUNNEL_SERVICE", "ngrok")]);
        assert_eq!(found[0].key, "tunnel.auth_token");
    }

    #[test]
    fn tunnel_auth_token_wins() {
        let file = "[tunnel]\nauth_token = \"from-file\"";
        let config = load(file, &[("TUNNEL_AUTH_TOKEN", "tunnel-env"), ("NGROK_AUTHTOKEN", "ngrok-env")]).unwrap();
        assert_eq!(token(&config), Some("tunnel-env"));
    }

    #[test]
    fn ngrok_authtoken_env_works() {
        let config = load("[tunnel]\nauth_token = \"from-file\"", &[("NGROK_AUTHTOKEN", "ngrok-env")]).unwrap();
        assert_eq!(token(&config), Some("ngrok-env"));
    }

    #[test]
    fn file_token_from_named_env() {
        let config = load("[tunnel]\nauth_token = { env = \"MY_NGROK\" }", &[("MY_NGROK", "named")]).unwrap();
        assert_eq!(token(&config), Some("named"));
    }

    #[test]
    fn env_token_skips_unset_file_reference() {
        let config = load("[tunnel]\nauth_token = { env = \"UNSET_TOKEN_VAR\" }", &[("TUNNEL_AUTH_TOKEN", "t")]).unwrap();
        assert_eq!(token(&config), Some("t"));
    }

    #[test]
    fn empty_env_counts_as_unset() {
        let config = load("[tunnel]\nservice = \"localtunnel\"", &[("TUNNEL_SERVICE", ""), ("TUNNEL_SUBDOMAIN", " ")]).unwrap();
        assert_eq!(config.tunnel.service, TunnelService::Localtunnel);
        assert_eq!(config.tunnel.subdomain, None);
    }

    #[test]
    fn region_is_warning_naming_service() {
        let config = load("[tunnel]\nservice = \"localtunnel\"\nregion = \"eu\"", &[]).unwrap();
        let warning = config.warnings.iter().find(|w| w.key == "tunnel.region").expect("a region warning");
        assert!(warning.message.contains("localtunnel"), "{}", warning.message);
    }

    #[test]
    fn ngrok_region_warning_names_ngrok() {
        let config = load("", &[("TUNNEL_SERVICE", "ngrok"), ("TUNNEL_AUTH_TOKEN", "t"), ("TUNNEL_REGION", "eu")]).unwrap();
        let warning = config.warnings.iter().find(|w| w.key == "TUNNEL_REGION").expect("a region warning");
        assert!(warning.message.contains("ngrok"), "{}", warning.message);
    }

    #[test]
    fn invalid_subdomain_is_error() {
        let found = errors("[tunnel]\nservice = \"localtunnel\"\nsubdomain = \"My_Laptop\"", &[]);
        assert_eq!(found[0].key, "tunnel.subdomain");
    }

    #[test]
    fn localtunnel_server_needs_url() {
        let found = errors("[tunnel]\nservice = \"localtunnel\"\nserver = \"127.0.0.1:3001\"", &[]);
        assert_eq!(found[0].key, "tunnel.server");
    }

    #[test]
    fn ngrok_server_needs_host_port() {
        let found = errors("[tunnel]\nauth_token = \"t\"\nserver = \"https://127.0.0.1:4443\"", &[]);
        assert_eq!(found[0].key, "tunnel.server");
    }

    #[test]
    fn zero_connect_timeout_is_error() {
        let found = errors("[tunnel]\nservice = \"localtunnel\"\nconnect_timeout = 0", &[]);
        assert_eq!(found[0].key, "tunnel.connect_timeout");
    }

    #[test]
    fn default_localtunnel_server() {
        let config = load("[tunnel]\nservice = \"localtunnel\"", &[]).unwrap();
        assert_eq!(config.tunnel.localtunnel_server(), "https://localtunnel.me");
    }

    #[test]
    fn subdomain_rules() {
        assert!(is_valid_subdomain("prhook-dev-42"));
        assert!(!is_valid_subdomain(""));
        assert!(!is_valid_subdomain("-dev"));
        assert!(!is_valid_subdomain("dev-"));
        assert!(!is_valid_subdomain("Dev"));
        assert!(!is_valid_subdomain(&"a".repeat(64)));
    }
}
