//! docs/configuration.md lists every key the configuration types accept,
//! and its example loads.

use std::path::Path;

/// The keys serde accepts in `section`, read from its unknown-field error.
fn accepted_keys(section: &str) -> Vec<String> {
    let text = if section == "actions" {
        "[[actions]]\nzz_probe = 1\n".to_owned()
    } else {
        format!("[{section}]\nzz_probe = 1\n")
    };
    let error = prhook::config::Config::from_text(None, &text, &Default::default(), &|_| None).unwrap_err();
    let message = error.to_string();
    // The unknown-key error lists the keys: "Keys allowed here: a, b, c".
    let allowed = message.split("Keys allowed here: ").nth(1).unwrap_or_else(|| panic!("no key list in {message:?}"));
    let allowed = allowed.split(" in the configuration").next().unwrap_or(allowed);
    allowed.split(", ").map(|key| key.trim().trim_end_matches('.').to_owned()).collect()
}

#[test]
fn reference_lists_every_key() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md")).unwrap();
    let sections = ["server", "github", "gitlab", "azure_devops", "bitbucket_server", "filters", "circuit_breaker", "tunnel", "actions"];
    let mut missing = Vec::new();
    for section in sections {
        for key in accepted_keys(section) {
            let entry = format!("`{section}.{key}`");
            if !page.contains(&entry) {
                missing.push(entry);
            }
        }
    }
    assert!(missing.is_empty(), "docs/configuration.md does not list {}", missing.join(", "));
}

#[test]
fn reference_example_loads() {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md")).unwrap();
    let example = page.split("## Example").nth(1).unwrap();
    let toml_block = example.split("```toml\n").nth(1).unwrap().split("```").next().unwrap();
    let env = |name: &str| (name == "OPENAI_API_KEY").then(|| "sk-test".to_owned());
    let config = prhook::config::Config::from_text(None, toml_block, &Default::default(), &env);
    assert!(config.is_ok(), "{:?}", config.err());
}
