//! `prhook verify-signature`: checks a captured delivery's signature,
//! token or credentials offline, with the same provider code that `serve`
//! runs, so a capture passes here exactly when the server would accept it.
//!
//! Exit codes: 0 valid, 1 checked and invalid, 2 could not check (usage,
//! unreadable input, no secret, no signature header).

use crate::cli::ColorChoice;
use crate::config::Config;
use crate::credentials::{self, SecretOrigin};
use crate::provider::{Outcome, ProviderId, Providers, RawDelivery};
use crate::serve::ExitError;
use crate::simulate::output::Palette;
use crate::verify::AuthError;
use anyhow::anyhow;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use clap::{ArgGroup, Args};
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// `prhook verify-signature` arguments.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("signature_source").required(true).multiple(true).args(["signature", "headers", "headers_file"])))]
pub struct VerifySignatureArgs {
    /// Provider: github, gitlab, azure-devops or bitbucket-server
    #[arg(long, value_parser = parse_provider)]
    pub provider: ProviderId,

    /// Secret to check against (GitLab: the token or whsec_ signing token; Azure DevOps: the password)
    #[arg(long, value_name = "SECRET", conflicts_with = "secret_env")]
    pub secret: Option<String>,

    /// Environment variable that contains the secret
    #[arg(long, value_name = "VAR")]
    pub secret_env: Option<String>,

    /// Azure DevOps Basic username [default: azure_devops.username, else empty]
    #[arg(long, value_name = "NAME")]
    pub username: Option<String>,

    /// Data directory whose secrets.toml `serve` generated, overriding server.data_dir
    #[arg(long, env = "PRHOOK_DATA_DIR", hide_env_values = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// The signature header's value, put in the provider's header (GitHub: sha256=… or sha1=…; GitLab: the token or v1,…; Azure DevOps: Basic …; Bitbucket Server: sha256=…)
    #[arg(long, value_name = "VALUE")]
    pub signature: Option<String>,

    /// A captured header, as 'Name: value' (repeatable)
    #[arg(long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// File of captured headers, one 'Name: value' per line; a leading request line is skipped
    #[arg(long, value_name = "FILE")]
    pub headers_file: Option<PathBuf>,

    /// Check GitHub's legacy X-Hub-Signature (HMAC-SHA1) when X-Hub-Signature-256 is absent
    #[arg(long)]
    pub allow_sha1: bool,

    /// Unix time to check a signing-token timestamp against, for captured deliveries [default: now]
    #[arg(long, value_name = "UNIX")]
    pub now: Option<i64>,

    /// The captured body, or - for stdin
    #[arg(value_name = "FILE", default_value = "-")]
    pub body: PathBuf,
}

fn parse_provider(text: &str) -> Result<ProviderId, String> {
    ProviderId::parse(text).ok_or_else(|| {
        let names: Vec<&str> = ProviderId::ALL.iter().map(|provider| provider.as_str()).collect();
        format!("unknown provider {text:?}; expected one of {}", names.join(", "))
    })
}

/// Runs `prhook verify-signature`; returns 0 when valid and 1 when invalid.
pub fn run_verify_signature(
    args: VerifySignatureArgs,
    config_path: Option<&Path>,
    color: ColorChoice,
    verbose: u8,
) -> Result<i32, ExitError> {
    let provider = args.provider;
    let headers = collect_headers(&args)?;
    let body = read_body(&args.body)?;
    let now_unix = args.now.unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());

    let explicit = credentials::explicit_secret(args.secret.as_deref(), args.secret_env.as_deref())?;
    let (mut config, origin) = match explicit {
        Some((secret, origin)) => {
            let mut config = credentials::default_config()?;
            let gitlab_signing = headers.contains_key("webhook-signature");
            credentials::install_secret(&mut config, provider, secret, args.username.as_deref(), gitlab_signing);
            (config, origin)
        }
        None => {
            let mut config = credentials::load_local_config(config_path, args.data_dir.clone())?;
            if let Some(username) = &args.username {
                config.azure_devops.username = username.clone();
            }
            let origin = credentials::config_origin(&config, provider);
            (config, origin)
        }
    };
    config.github.allow_sha1 |= args.allow_sha1;

    let palette = Palette::new(color.enabled(std::io::stdout().is_terminal()));
    let mut out = String::new();
    if verbose > 0 {
        let digest = hex::encode(Sha256::digest(&body));
        out.push_str(&format!("body: {} bytes, sha256 {digest}\n", body.len()));
        let names: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        out.push_str(&format!("headers: {}\n", names.join(", ")));
        out.push_str(&format!("secret from {origin}\n"));
    }

    let checker = Providers::from_config(&config).get(provider);
    if let Some(Outcome::Pong) = checker.unauthenticated_outcome(&headers, &body) {
        out.push_str(&format!(
            "{}: {provider} sends this connection test unsigned, and prhook responses it without a signature\n",
            palette.success.apply_to("valid")
        ));
        print_stdout(&out);
        return Ok(0);
    }

    let result = checker.verify(&RawDelivery { headers: &headers, body: &body, now_unix });
    let code = match result {
        Ok(()) => {
            let header = checked_header(provider, &headers, &config);
            out.push_str(&format!(
                "{}: {header} matches the secret from {origin}\n",
                palette.success.apply_to("valid")
            ));
            0
        }
        Err(AuthError::NoSecret) => {
            print_stdout(&out);
            return Err(ExitError::usage(anyhow!("{}", credentials::no_secret_hint(&config, provider))));
        }
        Err(AuthError::Missing(header)) => {
            print_stdout(&out);
            return Err(ExitError::usage(anyhow!("{}", missing_message(provider, header, &headers, args.allow_sha1))));
        }
        Err(error) => {
            let summary = invalid_summary(provider, &error, &origin, secret_count(&config, provider, &headers));
            out.push_str(&format!("{}: {summary}\n", palette.failure.apply_to("invalid")));
            out.push_str(&invalid_hints(provider, &error, &headers, &body, &origin, &config, now_unix));
            1
        }
    };
    print_stdout(&out);
    Ok(code)
}

/// Reads `--headers-file`, then `--header`, then `--signature` into one map.
fn collect_headers(args: &VerifySignatureArgs) -> Result<HeaderMap, ExitError> {
    let mut headers = HeaderMap::new();
    if let Some(path) = &args.headers_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| ExitError::usage(anyhow!("cannot read headers file {}: {error}", path.display())))?;
        for (number, line) in header_lines(&text) {
            let (name, value) = parse_header(line)
                .map_err(|reason| ExitError::usage(anyhow!("{}:{number}: {reason}", path.display())))?;
            headers.append(name, value);
        }
    }
    for line in &args.headers {
        let (name, value) =
            parse_header(line).map_err(|reason| ExitError::usage(anyhow!("--header {line:?}: {reason}")))?;
        headers.insert(name, value);
    }
    if let Some(signature) = &args.signature {
        let name = signature_header(args.provider, signature);
        let value = HeaderValue::from_str(signature.trim())
            .map_err(|_| ExitError::usage(anyhow!("--signature contains characters a header value cannot hold")))?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(headers)
}

/// Returns the header lines of a capture with their line numbers: a leading HTTP
/// request line is skipped, and the headers end at the first blank line.
fn header_lines(text: &str) -> Vec<(usize, &str)> {
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if index == 0 && line.contains(" HTTP/") {
            continue;
        }
        if line.trim().is_empty() {
            if lines.is_empty() {
                continue;
            }
            break;
        }
        lines.push((index + 1, line));
    }
    lines
}

fn parse_header(line: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = line.split_once(':').ok_or_else(|| "expected 'Name: value'".to_owned())?;
    let name = HeaderName::from_bytes(name.trim().as_bytes())
        .map_err(|_| format!("{:?} is not a valid header name", name.trim()))?;
    let value =
        HeaderValue::from_str(value.trim()).map_err(|_| format!("the value of {name} is not a valid header value"))?;
    Ok((name, value))
}

/// Returns the header that `--signature` fills for each provider (lowercase, as `HeaderName` stores it).
fn signature_header(provider: ProviderId, value: &str) -> &'static str {
    let value = value.trim();
    match provider {
        ProviderId::Github if value.starts_with("sha1=") => "x-hub-signature",
        ProviderId::Github => "x-hub-signature-256",
        ProviderId::Gitlab if value.starts_with("v1,") => "webhook-signature",
        ProviderId::Gitlab => "x-gitlab-token",
        ProviderId::AzureDevops => "authorization",
        ProviderId::BitbucketServer => "x-hub-signature",
    }
}

fn read_body(path: &Path) -> Result<Vec<u8>, ExitError> {
    if path == Path::new("-") {
        let mut body = Vec::new();
        std::io::stdin()
            .read_to_end(&mut body)
            .map_err(|error| ExitError::usage(anyhow!("cannot read the body from stdin: {error}")))?;
        return Ok(body);
    }
    std::fs::read(path).map_err(|error| ExitError::usage(anyhow!("cannot read body file {}: {error}", path.display())))
}

/// Returns the header that the provider's check read, for the success message. It
/// follows the order of each provider's `verify`.
fn checked_header(provider: ProviderId, headers: &HeaderMap, config: &Config) -> &'static str {
    match provider {
        ProviderId::Github if headers.contains_key("x-hub-signature-256") => "X-Hub-Signature-256 (HMAC-SHA256)",
        ProviderId::Github => "X-Hub-Signature (HMAC-SHA1)",
        ProviderId::Gitlab if config.gitlab.signing_token.is_some() && headers.contains_key("webhook-signature") => {
            "webhook-signature (signing token)"
        }
        ProviderId::Gitlab => "X-Gitlab-Token",
        ProviderId::AzureDevops => "Authorization (Basic)",
        ProviderId::BitbucketServer => "X-Hub-Signature (HMAC-SHA256)",
    }
}

fn missing_message(provider: ProviderId, header: &str, headers: &HeaderMap, allow_sha1: bool) -> String {
    let mut message = format!("cannot check: the {provider} check reads the {header} header, and none was given");
    if provider == ProviderId::Github && headers.contains_key("x-hub-signature") && !allow_sha1 {
        message.push_str("\nThe headers have X-Hub-Signature (HMAC-SHA1): pass --allow-sha1 to check it.");
    } else if provider == ProviderId::Gitlab && header == "webhook-signature" {
        message.push_str("\nThe configuration has a signing token only: pass webhook-id, webhook-timestamp and webhook-signature with --header.");
    } else {
        message.push_str(&format!("\nPass it with --signature VALUE or --header '{header}: VALUE'."));
    }
    message
}

/// Explains the likely causes of a failed check. Never prints a secret or
/// a computed digest.
fn invalid_hints(
    provider: ProviderId,
    error: &AuthError,
    headers: &HeaderMap,
    body: &[u8],
    origin: &SecretOrigin,
    config: &Config,
    now_unix: i64,
) -> String {
    let mut hints: Vec<String> = Vec::new();
    match error {
        AuthError::TimestampOutOfWindow(_) => {
            let timestamp = headers.get("webhook-timestamp").and_then(|value| value.to_str().ok()).unwrap_or("");
            let age = timestamp.trim().parse::<i64>().map(|timestamp| now_unix - timestamp);
            match age {
                Ok(age) => hints.push(format!(
                    "webhook-timestamp {timestamp} is {age} s from the time checked against ({now_unix}); the window is 300 s. \
                     To check a captured delivery, pass --now {timestamp}."
                )),
                Err(_) => hints.push("pass --now with the delivery's webhook-timestamp to check a captured delivery".into()),
            }
        }
        AuthError::Malformed { header, .. } => {
            hints
                .push(format!("the {header} header was read; check that the whole value was captured, without quotes"));
            if provider == ProviderId::BitbucketServer && header.eq_ignore_ascii_case("X-Hub-Signature") {
                hints.push("Bitbucket Server signs with sha256=<hex digest>; sha1= is not one of its formats".into());
            }
        }
        AuthError::Mismatch(header) => {
            match provider {
                ProviderId::Github | ProviderId::BitbucketServer => {
                    hints.push(format!(
                        "wrong secret: compare the secret from {origin} with the one in the {provider} webhook settings \
                         (after a rotation the provider may use the new one)"
                    ));
                    hints.push(body_hint(body));
                    if provider == ProviderId::Github {
                        hints.push(
                            "wrong header or algorithm: X-Hub-Signature-256 holds sha256=<HMAC-SHA256>, X-Hub-Signature \
                             holds sha1=<HMAC-SHA1>; a sha256 digest checked as sha1 (or the reverse) never matches"
                                .into(),
                        );
                        if header.eq_ignore_ascii_case("X-Hub-Signature") {
                            hints.push("this check used the SHA-1 signature; prefer X-Hub-Signature-256 when the capture has it".into());
                        }
                    } else {
                        hints.push(
                            "wrong header: Bitbucket Server sends sha256=<HMAC-SHA256> in X-Hub-Signature (GitHub's \
                             X-Hub-Signature-256 is not read for Bitbucket)"
                                .into(),
                        );
                    }
                }
                ProviderId::Gitlab if header.eq_ignore_ascii_case("webhook-signature") => {
                    hints.push(format!(
                        "wrong signing token: compare the signing token from {origin} with the one GitLab shows (whsec_…)"
                    ));
                    hints.push(body_hint(body));
                    hints.push("webhook-id and webhook-timestamp are signed too: take all three headers from the same delivery".into());
                }
                ProviderId::Gitlab => {
                    hints.push(format!(
                        "wrong token: X-Gitlab-Token must equal the secret token from {origin} exactly, \
                         with no added white space or newline"
                    ));
                    if config.gitlab.signing_token.is_some() {
                        hints.push(
                            "a signing token is configured too, but the capture has no webhook-signature header".into(),
                        );
                    }
                }
                ProviderId::AzureDevops => {
                    let username = if config.azure_devops.username.is_empty() {
                        "an empty username".to_owned()
                    } else {
                        format!("username {:?}", config.azure_devops.username)
                    };
                    hints.push(format!(
                        "wrong credentials: both parts must match, {username} (--username) and the password from {origin}"
                    ));
                }
            }
        }
        AuthError::Missing(_) | AuthError::NoSecret => {}
    }
    let mut text = String::from("\nLikely causes:\n");
    for hint in hints {
        text.push_str(&format!("  - {hint}\n"));
    }
    text
}

/// Builds the first line of an invalid result: what was read and what failed.
fn invalid_summary(provider: ProviderId, error: &AuthError, origin: &SecretOrigin, secret_count: usize) -> String {
    let secrets = if secret_count > 1 {
        format!("any of the {secret_count} secrets from {origin}")
    } else {
        format!("the secret from {origin}")
    };
    match error {
        AuthError::Mismatch(_) if provider == ProviderId::AzureDevops => {
            let passwords = if secret_count > 1 {
                format!("any of the {secret_count} passwords")
            } else {
                "the password".to_owned()
            };
            format!("the Basic credentials in Authorization do not match the username and {passwords} from {origin}")
        }
        AuthError::Mismatch(header) => format!("{header} does not match {secrets}"),
        AuthError::Malformed { header, reason } => format!("the {header} header is malformed: {reason}"),
        AuthError::TimestampOutOfWindow(header) => format!("{header} is outside the accepted 5-minute window"),
        other => other.to_string(),
    }
}

/// Counts the secrets the check tried, for the summary line.
fn secret_count(config: &Config, provider: ProviderId, headers: &HeaderMap) -> usize {
    let list = match provider {
        ProviderId::Github => &config.github.webhook_secret,
        ProviderId::Gitlab if config.gitlab.signing_token.is_some() && headers.contains_key("webhook-signature") => {
            &config.gitlab.signing_token
        }
        ProviderId::Gitlab => &config.gitlab.webhook_secret,
        ProviderId::AzureDevops => &config.azure_devops.password,
        ProviderId::BitbucketServer => &config.bitbucket_server.webhook_secret,
    };
    list.as_ref().map_or(0, |list| list.iter().count())
}

fn body_hint(body: &[u8]) -> String {
    let mut hint = String::from(
        "changed body: the signature covers the exact bytes sent, so a proxy that re-encodes or re-serializes the JSON, \
         a pretty-printed copy from the provider's UI, or changed line endings all break it",
    );
    if body.ends_with(b"\n") {
        hint.push_str("; this body ends with a newline, which editors and `echo` add and providers do not send");
    }
    hint
}

fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_skip_request_line() {
        let text = "POST /webhook HTTP/1.1\r\nHost: a\r\nX-Event-Key: pr:opened\r\n\r\n{\"x\": 1}";
        let lines: Vec<&str> = header_lines(text).into_iter().map(|(_, line)| line).collect();
        assert_eq!(lines, vec!["Host: a", "X-Event-Key: pr:opened"]);
    }

    #[test]
    fn header_value_trimmed() {
        let (name, value) = parse_header("X-Hub-Signature-256:  sha256=ab ").unwrap();
        assert_eq!(name.as_str(), "x-hub-signature-256");
        assert_eq!(value.to_str().unwrap(), "sha256=ab");
    }

    #[test]
    fn header_without_colon_rejected() {
        assert!(parse_header("X-Hub-Signature-256 sha256=ab").is_err());
    }

    #[test]
    fn signature_goes_to_provider_header() {
        assert_eq!(signature_header(ProviderId::Github, "sha1=00"), "x-hub-signature");
        assert_eq!(signature_header(ProviderId::Github, "sha256=00"), "x-hub-signature-256");
        assert_eq!(signature_header(ProviderId::Gitlab, "v1,AAAA"), "webhook-signature");
        assert_eq!(signature_header(ProviderId::Gitlab, "token"), "x-gitlab-token");
    }
}
