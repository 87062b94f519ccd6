use super::*;

fn load(text: &str) -> Result<Config, LoadError> {
    load_with_env(text, &[])
}

fn load_with_env(text: &str, vars: &[(&str, &str)]) -> Result<Config, LoadError> {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    Config::from_text(Some(Path::new("prhook.toml")), text, &Overrides::default(), &env)
}

fn errors(text: &str) -> Vec<Finding> {
    match load(text) {
        Err(LoadError::Invalid { errors, .. }) => errors,
        other => panic!("expected errors, got {other:?}"),
    }
}

#[test]
fn empty_file_gives_defaults() {
    let config = load("").unwrap();
    assert_eq!(config.server.listen, "127.0.0.1:3000".parse().unwrap());
    assert_eq!(config.server.max_body_bytes, 25 * 1024 * 1024);
    assert!(config.filters.ignore_drafts);
    assert!(config.configured_providers.is_empty());
    assert!(config.actions.is_empty());
}

#[test]
fn literal_github_secret() {
    let config = load("[github]\nwebhook_secret = \"abc\"").unwrap();
    assert_eq!(config.github.webhook_secret.unwrap().primary().expose(), b"abc");
}

#[test]
fn env_github_secret() {
    let config = load_with_env("[github]\nwebhook_secret = { env = \"GH_SECRET\" }", &[("GH_SECRET", "from-env")]).unwrap();
    assert_eq!(config.github.webhook_secret.unwrap().primary().expose(), b"from-env");
}

#[test]
fn unset_env_secret_is_error() {
    let found = errors("[github]\nwebhook_secret = { env = \"GH_SECRET_UNSET\" }");
    assert_eq!(found[0].key, "github.webhook_secret");
    assert!(found[0].message.contains("GH_SECRET_UNSET"));
}

#[test]
fn file_secret_relative_to_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gh.secret"), "from-file\n").unwrap();
    let path = dir.path().join("prhook.toml");
    let config = Config::from_text(
        Some(&path),
        "[github]\nwebhook_secret = { file = \"gh.secret\" }",
        &Overrides::default(),
        &|_| None,
    )
    .unwrap();
    assert_eq!(config.github.webhook_secret.unwrap().primary().expose(), b"from-file");
}

#[test]
fn secret_rotation_list() {
    let config = load("[github]\nwebhook_secret = [\"new\", \"old\"]").unwrap();
    assert_eq!(config.github.webhook_secret.unwrap().iter().count(), 2);
}

#[test]
fn section_without_secret_is_error() {
    let found = errors("[github]\nallow_sha1 = true");
    assert_eq!(found[0].key, "github.webhook_secret");
}

#[test]
fn unknown_key_is_error() {
    let found = errors("[server]\nlisten_addr = \"127.0.0.1:1\"");
    assert!(found[0].message.contains("listen_addr"), "{}", found[0].message);
    assert!(found[0].span.is_some());
}

#[test]
fn invalid_listen_is_error() {
    let found = errors("[server]\nlisten = \"nowhere\"");
    assert_eq!(found[0].key, "server.listen");
}

#[test]
fn listen_override_wins() {
    let overrides = Overrides { listen: Some("127.0.0.1:4000".into()), ..Overrides::default() };
    let config = Config::from_text(None, "[server]\nlisten = \"127.0.0.1:1\"", &overrides, &|_| None).unwrap();
    assert_eq!(config.server.listen.port(), 4000);
}

#[test]
fn data_dir_relative_to_config() {
    let config = Config::from_text(Some(Path::new("/etc/prhook/prhook.toml")), "[server]\ndata_dir = \"state\"", &Overrides::default(), &|_| None).unwrap();
    assert_eq!(config.server.data_dir, Path::new("/etc/prhook/state"));
}

#[test]
fn action_parses() {
    let config = load(
        r#"
[[actions]]
name = "review"
on = ["pull_request.opened", "comment:/review"]
run = ["echo", "{pull_request.url}", "{command.args}"]
timeout = 5
retries = 1
"#,
    )
    .unwrap();
    let action = &config.actions[0];
    assert_eq!(action.name, "review");
    assert_eq!(action.on.len(), 2);
    assert_eq!(action.timeout, Duration::from_secs(5));
    assert_eq!(action.retries, 1);
}

#[test]
fn action_unknown_selector_is_error() {
    let found = errors("[[actions]]\nname = \"x\"\non = [\"pull_request.merge\"]\nrun = [\"true\"]");
    assert_eq!(found[0].key, "actions[0].on[0]");
}

#[test]
fn action_unknown_placeholder_is_error() {
    let found = errors("[[actions]]\nname = \"x\"\non = [\"*\"]\nrun = [\"echo\", \"{pr.url}\"]");
    assert_eq!(found[0].key, "actions[0].run[1]");
}

#[test]
fn invalid_filter_regex_is_error() {
    let found = errors("[filters]\nignore_pr_title = [\"[WIP\"]");
    assert_eq!(found[0].key, "filters.ignore_pr_title[0]");
}

#[test]
fn filter_string_instead_of_list_is_error() {
    let found = errors("[filters]\nignore_pr_title = \"WIP\"");
    assert!(found[0].message.contains("sequence") || found[0].message.contains("array"), "{}", found[0].message);
}

#[test]
fn pr_agent_config_section_upper_case() {
    let config = load("[config]\nIGNORE_PR_AUTHORS = [\"renovate\"]\nmodel = \"gpt-4\"").unwrap();
    assert_eq!(config.filters.ignore_pr_authors, vec!["renovate"]);
}

#[test]
fn filters_section_wins_over_config() {
    let config = load("[filters]\nignore_pr_labels = [\"a\"]\n[config]\nignore_pr_labels = [\"b\"]").unwrap();
    assert_eq!(config.filters.ignore_pr_labels, vec!["a"]);
    assert!(config.warnings.iter().any(|w| w.key == "config.ignore_pr_labels"));
}

#[test]
fn every_section_is_active() {
    let config = load(
        r#"
[circuit_breaker]
failure_threshold = 3
[tunnel]
service = "localtunnel"
"#,
    )
    .unwrap();
    assert_eq!(config.circuit_breaker.failure_threshold, 3);
    assert!(config.inactive_sections.is_empty(), "{:?}", config.inactive_sections);
}

#[test]
fn unknown_key_suggests_closest() {
    let found = errors("[server]\nlisen = \"127.0.0.1:1\"");
    assert_eq!(found[0].key, "server.lisen");
    assert!(found[0].message.contains("did you mean `listen`?"), "{}", found[0].message);
}

#[test]
fn wrong_type_names_key() {
    let found = errors("[server]\nworkers = \"four\"");
    assert_eq!(found[0].key, "server.workers");
}

#[test]
fn validation_error_has_span() {
    let text = "[server]\nlisten = \"nowhere\"";
    let found = errors(text);
    assert_eq!(found[0].span.clone().map(|span| span.start), Some(9));
}

#[test]
fn pr_agent_regex_error_names_written_key() {
    let found = errors("[config]\nIGNORE_PR_TITLE = [\"(unclosed\"]");
    assert_eq!(found[0].key, "config.IGNORE_PR_TITLE[0]");
}

#[test]
fn empty_author_is_warning() {
    let config = load("[filters]\nignore_pr_authors = [\"ada\", \"\"]").unwrap();
    assert_eq!(config.warnings[0].key, "filters.ignore_pr_authors[1]");
}

#[test]
fn tunnel_setting_ignored_by_service_is_warning() {
    let config = load("[tunnel]\nservice = \"ngrok\"\nauth_token = \"t\"\nsubdomain = \"acme\"").unwrap();
    assert_eq!(config.warnings[0].key, "tunnel.subdomain");
}

#[test]
fn syntax_error_names_key_on_line() {
    let found = errors("[server]\nlisten = \"127.0.0.1:3000\nworkers = 2\n");
    assert_eq!(found[0].key, "server.listen");
}

#[test]
fn azure_token_needs_api_url() {
    let found = errors(
        r#"
[azure_devops]
password = "p"
token = "t"
"#,
    );
    assert!(found.iter().any(|finding| finding.key == "azure_devops.api_url"), "{found:?}");
}

#[test]
fn reply_without_token_warns() {
    let config = load(
        r#"
[[actions]]
name = "review"
on = ["comment:/review"]
run = ["true"]
reply = "output"
"#,
    )
    .unwrap();
    assert!(config.warnings.iter().any(|warning| warning.key == "actions[0].reply"));
    assert!(config.inactive_sections.is_empty());
}
