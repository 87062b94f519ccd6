//! `prhook verify-signature`: published test vectors, changed bytes,
//! exit codes, and captures that `simulate --print` produced.

use crate::simulate_utils::{prhook, run, stderr, stdout};
use base64::Engine as _;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;

// GitHub's documented example for X-Hub-Signature-256.
const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_BODY: &str = "Hello, World!";
const GITHUB_SIGNATURE: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

// The Standard Webhooks specification's published example.
const SW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const SW_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const SW_TIMESTAMP: &str = "1649367553";
const SW_BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
const SW_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn write(dir: &Path, name: &str, contents: &str) {
    std::fs::write(dir.join(name), contents).unwrap();
}

fn verify(dir: &Path, args: &[&str]) -> std::process::Output {
    run(prhook(dir).args(["--color", "never", "verify-signature"]).args(args))
}

fn github_check(body: &str, signature: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", body);
    verify(dir.path(), &["--provider", "github", "--secret", GITHUB_SECRET, "--signature", signature, "body"])
}

fn standard_webhooks_check(body: &str, signature: &str, now: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", body);
    let id_header = format!("webhook-id: {SW_ID}");
    let timestamp_header = format!("webhook-timestamp: {SW_TIMESTAMP}");
    let mut args = vec![
        "--provider",
        "gitlab",
        "--secret",
        SW_SECRET,
        "--header",
        &id_header,
        "--header",
        &timestamp_header,
        "--signature",
        signature,
    ];
    if let Some(now) = now {
        args.extend(["--now", now]);
    }
    args.push("body");
    verify(dir.path(), &args)
}

/// Replaces the character at `index` of an ASCII string.
fn change_byte(text: &str, index: usize, replacement: char) -> String {
    let mut changed = text.to_owned();
    changed.replace_range(index..index + 1, &replacement.to_string());
    assert_ne!(changed, text);
    changed
}

#[test]
fn github_vector_valid() {
    let output = github_check(GITHUB_BODY, GITHUB_SIGNATURE);
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).starts_with("valid: X-Hub-Signature-256"), "{}", stdout(&output));
}

#[test]
fn github_vector_changed_body_invalid() {
    let body = change_byte(GITHUB_BODY, 12, '?');
    let output = github_check(&body, GITHUB_SIGNATURE);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("X-Hub-Signature-256"), "{text}");
    assert!(text.contains("Likely causes:"), "{text}");
    assert!(text.contains("wrong secret"), "{text}");
    assert!(text.contains("changed body"), "{text}");
    assert!(text.contains("sha1"), "{text}");
    assert!(!text.contains(GITHUB_SECRET), "{text}");
    let expected = hex::encode(prhook::verify::hmac_sha256(GITHUB_SECRET.as_bytes(), &[body.as_bytes()]));
    assert!(!text.contains(&expected), "the expected digest was printed");
    assert!(!stderr(&output).contains(&expected), "the expected digest was printed");
}

#[test]
fn github_vector_changed_signature_invalid() {
    let signature = change_byte(GITHUB_SIGNATURE, 7, '8');
    let output = github_check(GITHUB_BODY, &signature);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(!stdout(&output).contains(&GITHUB_SIGNATURE[7..]), "the expected digest was printed");
}

#[test]
fn github_trailing_newline_hinted() {
    let output = github_check("Hello, World!\n", GITHUB_SIGNATURE);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("ends with a newline"), "{}", stdout(&output));
}

#[test]
fn github_sha1_needs_allow_flag() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let sha1 =
        format!("sha1={}", hex::encode(prhook::verify::hmac_sha1(GITHUB_SECRET.as_bytes(), GITHUB_BODY.as_bytes())));
    let without =
        verify(dir.path(), &["--provider", "github", "--secret", GITHUB_SECRET, "--signature", &sha1, "body"]);
    assert_eq!(without.status.code(), Some(2), "{}", stdout(&without));
    assert!(stderr(&without).contains("--allow-sha1"), "{}", stderr(&without));
    let with = verify(
        dir.path(),
        &["--provider", "github", "--secret", GITHUB_SECRET, "--signature", &sha1, "--allow-sha1", "body"],
    );
    assert_eq!(with.status.code(), Some(0), "{}", stdout(&with));
}

#[test]
fn standard_webhooks_vector_valid() {
    let output = standard_webhooks_check(SW_BODY, SW_SIGNATURE, Some(SW_TIMESTAMP));
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    assert!(stdout(&output).starts_with("valid: webhook-signature"), "{}", stdout(&output));
}

#[test]
fn standard_webhooks_changed_body_invalid() {
    let body = change_byte(SW_BODY, 10, 'E');
    let output = standard_webhooks_check(&body, SW_SIGNATURE, Some(SW_TIMESTAMP));
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("webhook-signature"), "{text}");
    assert!(!text.contains(SW_SECRET), "{text}");
}

#[test]
fn standard_webhooks_changed_signature_invalid() {
    let signature = change_byte(SW_SIGNATURE, 5, 'A');
    let output = standard_webhooks_check(SW_BODY, &signature, Some(SW_TIMESTAMP));
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
}

#[test]
fn standard_webhooks_old_timestamp_hints_now() {
    let output = standard_webhooks_check(SW_BODY, SW_SIGNATURE, None);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("--now 1649367553"), "{text}");
}

#[test]
fn unreadable_body_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let output = verify(
        dir.path(),
        &["--provider", "github", "--secret", GITHUB_SECRET, "--signature", GITHUB_SIGNATURE, "missing-body"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read body file missing-body"), "{}", stderr(&output));
}

#[test]
fn unreadable_headers_file_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let output = verify(
        dir.path(),
        &["--provider", "github", "--secret", GITHUB_SECRET, "--headers-file", "missing.headers", "body"],
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn missing_signature_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let output = verify(
        dir.path(),
        &["--provider", "bitbucket-server", "--secret", "s", "--header", "X-Event-Key: pr:opened", "body"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("X-Hub-Signature"), "{}", stderr(&output));
}

#[test]
fn no_signature_source_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let output = verify(dir.path(), &["--provider", "github", "--secret", GITHUB_SECRET, "body"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn no_secret_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let output = verify(dir.path(), &["--provider", "github", "--signature", GITHUB_SIGNATURE, "body"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no secret is configured for github"), "{}", stderr(&output));
}

#[test]
fn body_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = prhook(dir.path())
        .args([
            "verify-signature",
            "--provider",
            "github",
            "--secret",
            GITHUB_SECRET,
            "--signature",
            GITHUB_SIGNATURE,
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(GITHUB_BODY.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn verbose_prints_body_digest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", GITHUB_BODY);
    let output = run(prhook(dir.path()).args([
        "-v",
        "verify-signature",
        "--provider",
        "github",
        "--secret",
        GITHUB_SECRET,
        "--signature",
        GITHUB_SIGNATURE,
        "body",
    ]));
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(GITHUB_BODY.as_bytes()));
    assert!(stdout(&output).contains(&format!("body: 13 bytes, sha256 {digest}")), "{}", stdout(&output));
}

#[test]
fn azure_basic_credentials() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", r#"{"eventType":"git.push"}"#);
    let authorization = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("hooks:az-password"));
    let valid = verify(
        dir.path(),
        &[
            "--provider",
            "azure-devops",
            "--secret",
            "az-password",
            "--username",
            "hooks",
            "--signature",
            &authorization,
            "body",
        ],
    );
    assert_eq!(valid.status.code(), Some(0), "{}", stdout(&valid));
    let wrong_user = verify(
        dir.path(),
        &["--provider", "azure-devops", "--secret", "az-password", "--signature", &authorization, "body"],
    );
    assert_eq!(wrong_user.status.code(), Some(1), "{}", stdout(&wrong_user));
    assert!(stdout(&wrong_user).contains("an empty username"), "{}", stdout(&wrong_user));
}

#[test]
fn gitlab_token() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", "{}");
    let valid = verify(
        dir.path(),
        &["--provider", "gitlab", "--secret", "gl-token", "--header", "X-Gitlab-Token: gl-token", "body"],
    );
    assert_eq!(valid.status.code(), Some(0), "{}", stdout(&valid));
    let invalid =
        verify(dir.path(), &["--provider", "gitlab", "--secret", "gl-token", "--signature", "gl-tokem", "body"]);
    assert_eq!(invalid.status.code(), Some(1));
    assert!(!stdout(&invalid).contains("gl-token"), "{}", stdout(&invalid));
}

#[test]
fn bitbucket_ping_unsigned_valid() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "body", r#"{"test": true}"#);
    let output = verify(
        dir.path(),
        &["--provider", "bitbucket-server", "--secret", "s", "--header", "X-Event-Key: diagnostics:ping", "body"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// Splits the raw request that `simulate --print` wrote into a headers file and a body file.
fn split_capture(dir: &Path, raw: &str) {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    write(dir, "capture.headers", head);
    // `--print` ends the body with a newline for the terminal.
    write(dir, "capture.body", body.strip_suffix('\n').unwrap());
}

fn generated_secrets(dir: &Path) {
    std::fs::create_dir(dir.join(".prhook")).unwrap();
    write(
        dir.join(".prhook").as_path(),
        "secrets.toml",
        "[github]\nwebhook_secret = \"gh-generated\"\n\n[gitlab]\nwebhook_secret = \"gl-generated\"\n\n\
         [azure_devops]\nusername = \"\"\npassword = \"az-generated\"\n\n[bitbucket_server]\nwebhook_secret = \"bb-generated\"\n",
    );
}

#[test]
fn simulated_captures_verify_with_generated_secrets() {
    let dir = tempfile::tempdir().unwrap();
    generated_secrets(dir.path());
    for (provider, event) in [
        ("github", "pull_request"),
        ("gitlab", "note"),
        ("azure-devops", "git.push"),
        ("bitbucket-server", "pr:merged"),
    ] {
        let printed = run(prhook(dir.path()).args(["simulate", provider, event, "--print", "raw", "--reveal-secret"]));
        assert_eq!(printed.status.code(), Some(0), "{provider}: {}", stderr(&printed));
        split_capture(dir.path(), &stdout(&printed));
        let output = verify(dir.path(), &["--provider", provider, "--headers-file", "capture.headers", "capture.body"]);
        assert_eq!(output.status.code(), Some(0), "{provider}: {}{}", stdout(&output), stderr(&output));
        assert!(stdout(&output).contains("generated secrets"), "{provider}: {}", stdout(&output));
    }
}

#[test]
fn simulated_capture_with_changed_body_invalid() {
    let dir = tempfile::tempdir().unwrap();
    generated_secrets(dir.path());
    let printed = run(prhook(dir.path()).args(["simulate", "bitbucket-server", "pr:opened", "--print"]));
    split_capture(dir.path(), &stdout(&printed));
    let body = std::fs::read_to_string(dir.path().join("capture.body")).unwrap();
    write(dir.path(), "capture.body", &body.replacen("\"id\":42", "\"id\":43", 1));
    let output =
        verify(dir.path(), &["--provider", "bitbucket-server", "--headers-file", "capture.headers", "capture.body"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(!stdout(&output).contains("bb-generated"), "{}", stdout(&output));
}
