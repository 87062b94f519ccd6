//! Warnings about `[tunnel]` settings that the chosen service ignores.

use super::raw::RawTunnel;
use super::Finding;

/// One tunnel setting that only some services read.
struct ServiceSetting {
    key: &'static str,
    variable: Option<&'static str>,
    read_by: &'static str,
}

const SERVICE_SETTINGS: [ServiceSetting; 4] = [
    ServiceSetting { key: "subdomain", variable: Some("TUNNEL_SUBDOMAIN"), read_by: "localtunnel" },
    ServiceSetting { key: "domain", variable: None, read_by: "ngrok" },
    ServiceSetting { key: "region", variable: Some("TUNNEL_REGION"), read_by: "ngrok" },
    ServiceSetting { key: "auth_token", variable: Some("TUNNEL_AUTH_TOKEN"), read_by: "ngrok" },
];

/// Lists the settings the selected tunnel service does not read.
///
/// A tunnel counts as selected only when `tunnel.service` or the
/// `TUNNEL_SERVICE` variable names one. Without that, the settings may be
/// meant for a `--tunnel-service` given at start, so nothing is reported.
/// `TUNNEL_SERVICE` wins over the file, as the other `TUNNEL_*` variables do.
pub fn ignored_settings(section: Option<&RawTunnel>, env: &dyn Fn(&str) -> Option<String>) -> Vec<Finding> {
    let from_env = env("TUNNEL_SERVICE").filter(|service| !service.is_empty());
    let Some(service) = from_env.or_else(|| section.and_then(|section| section.service.clone())) else {
        return Vec::new();
    };
    if !matches!(service.as_str(), "ngrok" | "localtunnel") {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for setting in &SERVICE_SETTINGS {
        if setting.read_by == service {
            continue;
        }
        let variable = setting.variable.filter(|name| env(name).is_some_and(|value| !value.is_empty()));
        let key = match variable {
            Some(name) => name.to_owned(),
            None if written(section, setting.key) => format!("tunnel.{}", setting.key),
            None => continue,
        };
        findings.push(Finding {
            key,
            message: format!("{service} ignores {}, which only {} reads", setting.key, setting.read_by),
            span: None,
        });
    }
    findings
}

fn written(section: Option<&RawTunnel>, key: &str) -> bool {
    let Some(section) = section else { return false };
    let text = |value: &Option<String>| value.as_deref().is_some_and(|text| !text.is_empty());
    match key {
        "subdomain" => text(&section.subdomain),
        "domain" => text(&section.domain),
        "region" => text(&section.region),
        "auth_token" => section.auth_token.is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, vars: &[(&str, &str)]) -> Vec<String> {
        let section: RawTunnel = toml::from_str(text).unwrap();
        let env = |name: &str| vars.iter().find(|(key, _)| *key == name).map(|(_, value)| value.to_string());
        ignored_settings(Some(&section), &env).into_iter().map(|finding| finding.key).collect()
    }

    #[test]
    fn subdomain_with_ngrok() {
        assert_eq!(keys("service = \"ngrok\"\nsubdomain = \"acme\"", &[]), vec!["tunnel.subdomain"]);
    }

    #[test]
    fn domain_and_region_with_localtunnel() {
        let found = keys("service = \"localtunnel\"\ndomain = \"a.example\"\nregion = \"eu\"", &[]);
        assert_eq!(found, vec!["tunnel.domain", "tunnel.region"]);
    }

    #[test]
    fn nothing_without_a_service() {
        assert!(keys("subdomain = \"acme\"\ndomain = \"a.example\"", &[]).is_empty());
    }

    #[test]
    fn service_from_environment() {
        assert_eq!(keys("domain = \"a.example\"", &[("TUNNEL_SERVICE", "localtunnel")]), vec!["tunnel.domain"]);
    }

    #[test]
    fn setting_from_environment() {
        assert_eq!(keys("service = \"ngrok\"", &[("TUNNEL_SUBDOMAIN", "acme")]), vec!["TUNNEL_SUBDOMAIN"]);
    }
}
