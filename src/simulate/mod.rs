//! `prhook simulate`: builds a delivery the way a provider would (payload,
//! headers, signature), sends it to a running `prhook serve`, and prints
//! the response, or with `--count` a latency summary.

pub mod client;
pub mod output;
pub mod sign;
pub mod templates;

use crate::cli::ColorChoice;
use crate::config::Config;
use crate::credentials;
use crate::provider::ProviderId;
use crate::serve::ExitError;
use anyhow::anyhow;
use clap::{Args, ValueEnum};
use client::{Response, SendError, Summary};
use hyper::Uri;
use indicatif::{ProgressBar, ProgressStyle};
use output::Palette;
use serde_json::Value;
use sign::{Credentials, DeliveryHeaders};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use templates::{Fixture, Override};

/// `prhook simulate` arguments.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Provider: github, gitlab, azure-devops or bitbucket-server
    #[arg(value_parser = parse_provider)]
    pub provider: ProviderId,

    /// The provider's event name, such as pull_request, merge_request, git.pullrequest.created or pr:opened
    pub event: String,

    /// The event's action, such as opened, synchronize or merge; the default is the event's most common one
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,

    /// URL to POST to [default: http://<server.listen>/<the provider's route>]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,

    /// Secret to sign with (GitLab: the token, or a whsec_ signing token; Azure DevOps: the password)
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

    /// Override a payload field by dotted path; the value is read as JSON when it parses, else as text (repeatable)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,

    /// Send this file's bytes as the body instead of a template
    #[arg(long, value_name = "BODY")]
    pub file: Option<PathBuf>,

    /// Print the request instead of sending it: raw (the HTTP request) or curl (a curl command line)
    #[arg(long, value_enum, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "raw")]
    pub print: Option<PrintFormat>,

    /// With --print, show X-Gitlab-Token and Authorization values instead of `<redacted>`
    #[arg(long, requires = "print")]
    pub reveal_secret: bool,

    /// Number of deliveries to send, each with a fresh delivery id
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1_000_000), value_name = "N")]
    pub count: u64,

    /// Deliveries in flight at once
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1024), value_name = "C")]
    pub concurrency: u64,

    /// Seconds to wait for each response
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..), value_name = "SECONDS")]
    pub timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrintFormat {
    Raw,
    Curl,
}

fn parse_provider(text: &str) -> Result<ProviderId, String> {
    ProviderId::parse(text).ok_or_else(|| {
        let names: Vec<&str> = ProviderId::ALL.iter().map(|provider| provider.as_str()).collect();
        format!("unknown provider {text:?}; expected one of {}", names.join(", "))
    })
}

/// Source of the request body.
#[derive(Debug, Clone)]
enum BodySource {
    Template {
        action: String,
    },
    /// A file sent byte for byte.
    File(Vec<u8>),
    /// A file's JSON with `--set` applied.
    FileJson(Value),
}

/// Builds each delivery: a fresh id, the body and the signed headers.
#[derive(Debug, Clone)]
struct DeliveryBuilder {
    provider: ProviderId,
    event: String,
    event_header: String,
    body: BodySource,
    overrides: Vec<Override>,
    credentials: Credentials,
}

/// One delivery, ready to send.
#[derive(Debug, Clone)]
struct Delivery {
    /// The id the server will store: the header's, or Azure DevOps' body `id`.
    delivery_id: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl DeliveryBuilder {
    fn build(&self) -> Result<Delivery, ExitError> {
        let header_id = uuid::Uuid::new_v4().to_string();
        let body = match &self.body {
            BodySource::Template { action } => {
                let fixture = Fixture::new(&header_id);
                let mut payload = templates::build(self.provider, &self.event, action, &fixture)
                    .map_err(|error| ExitError::usage(anyhow!("{error}: {}", self.event)))?;
                self.apply_overrides(&mut payload)?;
                serde_json::to_vec(&payload).map_err(ExitError::runtime)?
            }
            BodySource::FileJson(value) => {
                let mut payload = value.clone();
                self.apply_overrides(&mut payload)?;
                serde_json::to_vec(&payload).map_err(ExitError::runtime)?
            }
            BodySource::File(bytes) => bytes.clone(),
        };
        let delivery_id = match self.provider {
            ProviderId::AzureDevops => serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|value| value.get("id").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or(header_id.clone()),
            _ => header_id.clone(),
        };
        let now_unix = time::OffsetDateTime::now_utc().unix_timestamp();
        let context = DeliveryHeaders { event_header: &self.event_header, delivery_id: &header_id, now_unix };
        let headers = sign::headers(&context, &self.credentials, &body);
        Ok(Delivery { delivery_id, headers, body })
    }

    fn apply_overrides(&self, payload: &mut Value) -> Result<(), ExitError> {
        for set in &self.overrides {
            set.apply(payload).map_err(ExitError::usage)?;
        }
        Ok(())
    }
}

/// Runs `prhook simulate`; returns the exit code (0 when every response was 2xx).
pub fn run_simulate(args: SimulateArgs, config_path: Option<&Path>, color: ColorChoice) -> Result<i32, ExitError> {
    let provider = args.provider;
    let body = body_source(&args)?;
    let event_header = event_header(provider, &args.event);
    let overrides = args
        .set
        .iter()
        .map(|argument| Override::parse(argument).map_err(ExitError::usage))
        .collect::<Result<Vec<_>, _>>()?;

    let explicit = credentials::explicit_secret(args.secret.as_deref(), args.secret_env.as_deref())?;
    let needs_config = explicit.is_none() || args.url.is_none();
    let mut config = if needs_config {
        credentials::load_local_config(config_path, args.data_dir.clone())?
    } else {
        credentials::default_config()?
    };
    let origin = match explicit {
        Some((secret, origin)) => {
            let gitlab_signing = secret.expose().starts_with(b"whsec_");
            credentials::install_secret(&mut config, provider, secret, args.username.as_deref(), gitlab_signing);
            origin
        }
        None => {
            if let Some(username) = &args.username {
                config.azure_devops.username = username.clone();
            }
            credentials::config_origin(&config, provider)
        }
    };
    let credentials = Credentials::from_config(&config, provider);
    let unsigned_ping = provider == ProviderId::BitbucketServer && args.event == "diagnostics:ping";
    if credentials.is_empty() && !unsigned_ping && !credentials::allows_unsigned(&config, provider) {
        return Err(ExitError::usage(anyhow!("{}", credentials::no_secret_hint(&config, provider))));
    }
    let url = target_url(args.url.as_deref(), &config, provider)?;
    tracing::debug!(provider = %provider, secret_origin = %origin, url = %url, "simulating");

    let builder = DeliveryBuilder { provider, event: args.event.clone(), event_header, body, overrides, credentials };
    // Building once up front turns a bad --set into a usage error before anything is sent.
    let first = builder.build()?;

    if let Some(format) = args.print {
        let text = match format {
            PrintFormat::Raw => output::raw_request(&url, &first.headers, &first.body, args.reveal_secret),
            PrintFormat::Curl => output::curl_command(&url, &first.headers, &first.body, args.reveal_secret),
        };
        print_stdout(&text);
        return Ok(0);
    }

    let palette = Palette::new(color.enabled(std::io::stdout().is_terminal()));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(ExitError::runtime)?;
    let timeout = Duration::from_secs(args.timeout);
    if args.count == 1 {
        runtime.block_on(send_one(&builder, first, &url, timeout, &palette, &args))
    } else {
        runtime.block_on(send_many(
            Arc::new(builder),
            &url,
            timeout,
            args.count as usize,
            args.concurrency as usize,
            &palette,
        ))
    }
}

/// Checks the event and `--action` against the templates, or reads `--file`.
fn body_source(args: &SimulateArgs) -> Result<BodySource, ExitError> {
    if let Some(path) = &args.file {
        if args.action.is_some() {
            return Err(ExitError::usage(anyhow!(
                "--action builds a template and cannot be used with --file; use --set action=... to change the file"
            )));
        }
        let bytes = std::fs::read(path)
            .map_err(|error| ExitError::usage(anyhow!("cannot read {}: {error}", path.display())))?;
        if args.set.is_empty() {
            return Ok(BodySource::File(bytes));
        }
        let value = serde_json::from_slice(&bytes).map_err(|error| {
            ExitError::usage(anyhow!("--set needs a JSON body, but {} is not JSON: {error}", path.display()))
        })?;
        return Ok(BodySource::FileJson(value));
    }
    let Some(actions) = templates::actions(args.provider, &args.event) else {
        let names: Vec<&str> = templates::events(args.provider).iter().map(|(name, _)| *name).collect();
        return Err(ExitError::usage(anyhow!(
            "no template for {} event {:?}; templates exist for {} (or send your own body with --file)",
            args.provider,
            args.event,
            names.join(", ")
        )));
    };
    let action = match &args.action {
        None => actions[0].to_owned(),
        Some(action) if actions.contains(&action.as_str()) => action.clone(),
        Some(action) => {
            return Err(ExitError::usage(anyhow!(
                "{} {} has no action {action:?}; expected one of {}",
                args.provider,
                args.event,
                actions.join(", ")
            )))
        }
    };
    Ok(BodySource::Template { action })
}

/// Returns the event header value: GitLab's `Merge Request Hook` for `merge_request`,
/// any other name as given.
fn event_header(provider: ProviderId, event: &str) -> String {
    match provider {
        ProviderId::Gitlab => templates::gitlab_header_event(event).map_or_else(|| event.to_owned(), str::to_owned),
        _ => event.to_owned(),
    }
}

/// `--url`, or the configured listen address with the provider's route. A
/// wildcard listen address (`0.0.0.0`, `[::]`) is reached over loopback.
fn target_url(url: Option<&str>, config: &Config, provider: ProviderId) -> Result<Uri, ExitError> {
    let text = match url {
        Some(url) => url.to_owned(),
        None => {
            let mut address = config.server.listen;
            if address.ip().is_unspecified() {
                let loopback: std::net::IpAddr = if address.is_ipv4() {
                    std::net::Ipv4Addr::LOCALHOST.into()
                } else {
                    std::net::Ipv6Addr::LOCALHOST.into()
                };
                address.set_ip(loopback);
            }
            format!("http://{address}{}", provider.primary_route())
        }
    };
    let uri: Uri = text.parse().map_err(|error| ExitError::usage(anyhow!("invalid --url {text:?}: {error}")))?;
    match uri.scheme_str() {
        Some("http") if uri.authority().is_some() => Ok(uri),
        Some("https") => Err(ExitError::usage(anyhow!(
            "--url {text}: only http:// URLs are supported; send to prhook's own listen address, not through a TLS proxy"
        ))),
        _ => Err(ExitError::usage(anyhow!("--url {text:?} is not an http://host:port/path URL"))),
    }
}

async fn send_one(
    builder: &DeliveryBuilder,
    delivery: Delivery,
    url: &Uri,
    timeout: Duration,
    palette: &Palette,
    args: &SimulateArgs,
) -> Result<i32, ExitError> {
    let client = client::http_client();
    let description = match &builder.body {
        // An event with a single action (ping, push) needs no action in its description.
        BodySource::Template { action }
            if templates::actions(args.provider, &args.event).is_some_and(|actions| actions.len() > 1) =>
        {
            format!("{} {} {action}", args.provider, args.event)
        }
        BodySource::Template { .. } => format!("{} {}", args.provider, args.event),
        _ => {
            format!("{} {} from {}", args.provider, args.event, args.file.as_deref().unwrap_or(Path::new("")).display())
        }
    };
    print_stdout(&format!(
        "{} {}\n{}\n",
        palette.bold.apply_to("POST"),
        palette.bold.apply_to(url),
        palette.dim.apply_to(format!("{description}, delivery {}", delivery.delivery_id))
    ));
    let response =
        client::send(&client, url, &delivery.headers, delivery.body, timeout).await.map_err(ExitError::runtime)?;
    let latency = client::format_latency(response.latency);
    print_stdout(&format!(
        "{}\n{}\n",
        output::status_line(palette, response.status, response.reason, &latency),
        output::response_body(palette, &response.body)
    ));
    Ok(if (200..300).contains(&response.status) { 0 } else { 1 })
}

async fn send_many(
    builder: Arc<DeliveryBuilder>,
    url: &Uri,
    timeout: Duration,
    count: usize,
    concurrency: usize,
    palette: &Palette,
) -> Result<i32, ExitError> {
    let client = client::http_client();
    let progress = ProgressBar::new(count as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} deliveries, {per_sec}, {elapsed_precise}")
            .expect("the progress template is valid"),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let summary = Arc::new(Mutex::new(Summary::default()));
    // The first non-2xx response or error, shown after the summary to help find the cause.
    let first_failure: Arc<Mutex<Option<Result<Response, SendError>>>> = Arc::new(Mutex::new(None));
    let started = Instant::now();

    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let (builder, client, url, next, summary, first_failure, progress) = (
            Arc::clone(&builder),
            client.clone(),
            url.clone(),
            Arc::clone(&next),
            Arc::clone(&summary),
            Arc::clone(&first_failure),
            progress.clone(),
        );
        workers.spawn(async move {
            while next.fetch_add(1, Ordering::Relaxed) < count {
                let delivery = builder.build()?;
                let result = client::send(&client, &url, &delivery.headers, delivery.body, timeout).await;
                summary.lock().expect("the summary lock is not poisoned").record(&result);
                let failed = !matches!(&result, Ok(response) if (200..300).contains(&response.status));
                if failed {
                    first_failure.lock().expect("the failure lock is not poisoned").get_or_insert(result);
                }
                progress.inc(1);
            }
            Ok::<(), ExitError>(())
        });
    }
    while let Some(joined) = workers.join_next().await {
        joined.map_err(ExitError::runtime)??;
    }
    progress.finish_and_clear();

    let mut summary = summary.lock().expect("the summary lock is not poisoned").clone();
    summary.elapsed = started.elapsed();
    let line = summary.line();
    let style = if summary.failed() == 0 { &palette.success } else { &palette.failure };
    print_stdout(&format!("{}\n", style.apply_to(line)));
    let first_failure = first_failure.lock().expect("the failure lock is not poisoned").take();
    match first_failure {
        Some(Ok(response)) => {
            let latency = client::format_latency(response.latency);
            print_stdout(&format!(
                "first failure: {}\n{}\n",
                output::status_line(palette, response.status, response.reason, &latency),
                output::response_body(palette, &response.body)
            ));
        }
        Some(Err(error)) => print_stdout(&format!("first failure: {error}\n")),
        None => {}
    }
    Ok(if summary.failed() == 0 { 0 } else { 1 })
}

/// Writes to stdout; a closed pipe (`| head`) is not an error worth reporting.
fn print_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_listening_on(listen: &str) -> Config {
        let mut config = credentials::default_config().unwrap();
        config.server.listen = listen.parse().unwrap();
        config
    }

    #[test]
    fn default_url_uses_listen_and_route() {
        let url = target_url(None, &config_listening_on("127.0.0.1:3100"), ProviderId::Github).unwrap();
        assert_eq!(url.to_string(), "http://127.0.0.1:3100/api/v1/github_webhooks");
    }

    #[test]
    fn default_url_wildcard_becomes_loopback() {
        let url = target_url(None, &config_listening_on("0.0.0.0:3100"), ProviderId::AzureDevops).unwrap();
        assert_eq!(url.to_string(), "http://127.0.0.1:3100/");
    }

    #[test]
    fn default_url_ipv6_wildcard_becomes_loopback() {
        let url = target_url(None, &config_listening_on("[::]:3100"), ProviderId::Gitlab).unwrap();
        assert_eq!(url.to_string(), "http://[::1]:3100/webhook");
    }

    #[test]
    fn https_url_rejected() {
        let error =
            target_url(Some("https://127.0.0.1:3100/"), &config_listening_on("127.0.0.1:3100"), ProviderId::Github)
                .unwrap_err();
        assert_eq!(error.code, 2);
    }

    #[test]
    fn url_without_host_rejected() {
        let error =
            target_url(Some("/webhook"), &config_listening_on("127.0.0.1:3100"), ProviderId::Gitlab).unwrap_err();
        assert_eq!(error.code, 2);
    }

    #[test]
    fn gitlab_event_header_mapped() {
        assert_eq!(event_header(ProviderId::Gitlab, "merge_request"), "Merge Request Hook");
        assert_eq!(event_header(ProviderId::Gitlab, "Tag Push Hook"), "Tag Push Hook");
        assert_eq!(event_header(ProviderId::Github, "push"), "push");
    }
}
