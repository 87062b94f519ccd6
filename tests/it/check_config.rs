//! `prhook check-config` run as a child process on valid and broken files.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `prhook check-config ARGS` in `dir` with a clean environment plus
/// `vars`.
fn run_in(dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Outcome {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prhook"));
    command
        .arg("check-config")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    Outcome {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Writes `text` as `prhook.toml` in a new folder and checks it.
fn check_text(text: &str, args: &[&str], vars: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prhook.toml"), text).unwrap();
    run_in(dir.path(), args, vars)
}

const VALID: &str = r#"
[server]
listen = "127.0.0.1:3900"
data_dir = "state"

[github]
webhook_secret = ["new-secret", "old-secret"]

[filters]
ignore_pr_title = ["^\\[WIP\\]"]

[[actions]]
name = "review"
on = ["pull_request.opened", "comment:/review"]
run = ["true", "{pull_request.url}"]
"#;

#[test]
fn valid_file_passes() {
    let outcome = check_text(VALID, &["--deny-warnings"], &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(outcome.stdout.trim_end().ends_with("prhook.toml: 0 errors, 0 warnings: valid"), "{}", outcome.stdout);
}

#[test]
fn valid_file_prints_resolved_summary() {
    let outcome = check_text(VALID, &[], &[]);
    assert!(outcome.stdout.contains("listen     127.0.0.1:3900"), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("github            configured in the file"), "{}", outcome.stdout);
    assert!(outcome.stdout.contains("review            on pull_request.opened, comment:/review; run true"), "{}", outcome.stdout);
}

#[test]
fn summary_shows_no_secret() {
    let outcome = check_text(VALID, &[], &[]);
    assert!(!outcome.stdout.contains("new-secret"), "{}", outcome.stdout);
}

#[test]
fn no_file_uses_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(dir.path(), &[], &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
    assert!(outcome.stdout.contains("using the built-in defaults"), "{}", outcome.stdout);
}

/// A broken file, the key path and line its first error must name.
struct Broken {
    text: &'static str,
    key: &'static str,
    line: usize,
    message: &'static str,
}

const BROKEN: &[Broken] = &[
    Broken { text: "[server]\nlisten = \"127.0.0.1:3000\nworkers = 2\n", key: "server.listen", line: 2, message: "invalid basic string" },
    Broken { text: "[server]\n\nworkers = \"four\"\n", key: "server.workers", line: 3, message: "invalid type" },
    Broken { text: "[server]\nlisen = \"127.0.0.1:3000\"\n", key: "server.lisen", line: 2, message: "did you mean `listen`?" },
    Broken { text: "[filter]\nignore_drafts = false\n", key: "filter", line: 1, message: "did you mean `filters`?" },
    Broken { text: "[server]\nlisten = \"localhost\"\n", key: "server.listen", line: 2, message: "invalid listen address" },
    Broken { text: "[filters]\nignore_pr_title = [\"ok\", \"[WIP\"]\n", key: "filters.ignore_pr_title[1]", line: 2, message: "invalid regular expression" },
    Broken { text: "[config]\nIGNORE_PR_TITLE = [\"(draft\"]\n", key: "config.IGNORE_PR_TITLE[0]", line: 2, message: "invalid regular expression" },
    Broken { text: "[filters]\nignore_pr_labels = \"wip\"\n", key: "filters.ignore_pr_labels", line: 2, message: "takes a list" },
    Broken { text: "[config]\nignore_pr_labels = \"wip\"\n", key: "config.ignore_pr_labels", line: 2, message: "expected a list of strings" },
    Broken { text: "\n[github]\nwebhook_secret = { env = \"IT_UNSET_SECRET\" }\n", key: "github.webhook_secret", line: 3, message: "IT_UNSET_SECRET is not set" },
    Broken { text: "[gitlab]\nwebhook_secret = { file = \"missing.secret\" }\n", key: "gitlab.webhook_secret", line: 2, message: "cannot read secret file" },
    Broken { text: "[github]\nallow_sha1 = true\n", key: "github.webhook_secret", line: 1, message: "needs webhook_secret" },
    Broken {
        text: "[[actions]]\nname = \"a\"\non = [\"pull_request.opened\"]\nrun = [\"true\"]\n\n[[actions]]\nname = \"b\"\non = [\"*\", \"pull_request.merge\"]\nrun = [\"true\"]\n",
        key: "actions[1].on[1]",
        line: 8,
        message: "unknown action \"merge\"",
    },
    Broken {
        text: "[[actions]]\nname = \"a\"\non = [\"*\"]\nrun = [\"true\", \"{pr.url}\"]\n",
        key: "actions[0].run[1]",
        line: 4,
        message: "unknown placeholder {pr.url}",
    },
    Broken {
        text: "[[actions]]\nname = \"a\"\non = [\"*\"]\nrun = [\"it-no-such-reviewer\"]\n",
        key: "actions[0].run[0]",
        line: 4,
        message: "not found on PATH",
    },
    Broken {
        text: "[[actions]]\nname = \"a\"\non = [\"*\"]\nrun = [\"./scripts/missing.sh\"]\n",
        key: "actions[0].run[0]",
        line: 4,
        message: "does not exist",
    },
];

#[test]
fn broken_files_name_key_and_line() {
    for broken in BROKEN {
        let outcome = check_text(broken.text, &[], &[]);
        assert_eq!(outcome.code, 1, "{}\n{}", broken.text, outcome.stdout);
        let first = outcome.stdout.lines().next().unwrap_or_default();
        let prefix = format!("prhook.toml:{}:", broken.line);
        assert!(first.starts_with(&prefix), "expected {prefix} for {}; got {first}", broken.key);
        assert!(first.contains(&format!(" error: {}: ", broken.key)), "expected key {}; got {first}", broken.key);
        assert!(first.contains(broken.message), "expected {:?}; got {first}", broken.message);
    }
}

#[test]
fn summary_line_counts() {
    let outcome = check_text("[server]\nlisten = \"nowhere\"\n[github]\nwebhook_secret = \"x\"\nallow_unsigned = true\n", &[], &[]);
    assert!(outcome.stdout.trim_end().ends_with("prhook.toml: 1 error, 1 warning: invalid"), "{}", outcome.stdout);
}

#[test]
fn json_lists_findings() {
    let outcome = check_text("[server]\nlisten = \"nowhere\"\n[github]\nwebhook_secret = \"x\"\nallow_sha1 = true\n", &["--format", "json"], &[]);
    assert_eq!(outcome.code, 1);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["file"], "prhook.toml");
    assert_eq!(findings[0]["line"], 2);
    assert_eq!(findings[0]["column"], 1);
    assert_eq!(findings[0]["key"], "server.listen");
    assert_eq!(findings[1]["severity"], "warning");
    assert_eq!(findings[1]["key"], "github.allow_sha1");
}

#[test]
fn json_of_valid_file() {
    let outcome = check_text(VALID, &["--format", "json"], &[]);
    let report: Value = serde_json::from_str(&outcome.stdout).unwrap();
    assert_eq!(report["errors"], 0);
    assert_eq!(report["config"]["listen"], "127.0.0.1:3900");
}

/// A file whose only findings are warnings, and the key each names.
const WARNINGS: &[(&str, &str)] = &[
    ("[github]\nwebhook_secret = \"x\"\nallow_sha1 = true\n", "github.allow_sha1"),
    ("[bitbucket_server]\nallow_unsigned = true\n", "bitbucket_server.allow_unsigned"),
    ("[filters]\nignore_pr_authors = [\"ana\", \"\"]\n", "filters.ignore_pr_authors[1]"),
    ("[filters]\nignore_pr_source_branches = [\"\"]\n", "filters.ignore_pr_source_branches[0]"),
    ("[tunnel]\nservice = \"ngrok\"\nauth_token = \"t\"\nsubdomain = \"atlas\"\n", "tunnel.subdomain"),
    ("[tunnel]\nservice = \"localtunnel\"\ndomain = \"atlas.example\"\n", "tunnel.domain"),
    ("[tunnel]\nservice = \"localtunnel\"\nregion = \"eu\"\n", "tunnel.region"),
];

#[test]
fn warnings_pass_unless_denied() {
    for (text, key) in WARNINGS {
        let allowed = check_text(text, &[], &[]);
        assert_eq!(allowed.code, 0, "{text}\n{}", allowed.stdout);
        assert!(allowed.stdout.contains(&format!(" warning: {key}: ")), "expected {key}:\n{}", allowed.stdout);
        let denied = check_text(text, &["--deny-warnings"], &[]);
        assert_eq!(denied.code, 1, "{text}\n{}", denied.stdout);
    }
}

#[test]
fn tunnel_settings_without_service_pass() {
    let outcome = check_text("[tunnel]\nsubdomain = \"atlas\"\ndomain = \"atlas.example\"\n", &["--deny-warnings"], &[]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
}

#[test]
fn tunnel_service_from_environment() {
    let outcome = check_text("[tunnel]\ndomain = \"atlas.example\"\n", &["--deny-warnings"], &[("TUNNEL_SERVICE", "localtunnel")]);
    assert_eq!(outcome.code, 1, "{}", outcome.stdout);
}

#[test]
fn secret_env_set_passes() {
    let text = "[github]\nwebhook_secret = { env = \"IT_HOOK_SECRET\" }\n";
    let outcome = check_text(text, &[], &[("IT_HOOK_SECRET", "from-env")]);
    assert_eq!(outcome.code, 0, "{}", outcome.stdout);
}

#[test]
fn config_from_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("other.toml"), "[server]\nlisten = \"nowhere\"\n").unwrap();
    let outcome = run_in(dir.path(), &[], &[("PRHOOK_CONFIG", "other.toml")]);
    assert_eq!(outcome.code, 1);
    assert!(outcome.stdout.starts_with("other.toml:2:1: error: server.listen:"), "{}", outcome.stdout);
}

#[test]
fn missing_explicit_file_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = run_in(dir.path(), &["--config", "absent.toml"], &[]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("absent.toml does not exist"), "{}", outcome.stderr);
}

#[test]
fn unreadable_file_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    // A directory cannot be read as a file, even by root.
    std::fs::create_dir(dir.path().join("prhook.toml")).unwrap();
    let outcome = run_in(dir.path(), &["--config", "prhook.toml"], &[]);
    assert_eq!(outcome.code, 2);
    assert!(outcome.stderr.contains("cannot read config file"), "{}", outcome.stderr);
}

#[test]
fn text_is_plain_when_piped() {
    let outcome = check_text("[server]\nlisten = \"nowhere\"\n", &[], &[]);
    assert!(!outcome.stdout.contains('\x1b'), "{}", outcome.stdout);
}

#[test]
fn color_always_is_colored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prhook.toml"), "[server]\nlisten = \"nowhere\"\n").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_prhook"));
    let output = command.args(["--color", "always", "check-config"]).current_dir(dir.path()).env_clear().output().unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("\x1b[1;31merror:"));
}
