//! prhook receives pull-request webhooks from GitHub, GitLab, Azure DevOps
//! and Bitbucket Server, verifies them, normalizes them into one
//! [`event::Event`], stores them durably and runs actions in the background.
//!
//! The modules, in the order a delivery flows through them:
//!
//! - [`cli`]: the command-line definitions; the `prhook` binary is a thin wrapper.
//! - [`config`]: `prhook.toml` parsed into raw structs, then validated once.
//! - [`app`]: the receiver as a library: router, store and background work.
//! - [`server`]: routes, the webhook handler, the connection loop and API errors.
//! - [`verify`]: HMAC, token and Standard Webhooks checks over the raw bytes.
//! - [`provider`]: one module per forge behind the `Provider` trait.
//! - [`event`]: the normalized event and slash-command parsing.
//! - [`filter`]: the `ignore_*` rules.
//! - [`store`]: the SQLite store with group commit; [`lock`] guards its directory.
//! - [`dispatch`]: runs stored jobs with [`limits`], through [`runner`]
//!   (commands, [`forward`]s and in-process [`handler`]s), with retries.
//! - [`replies`]: comments and acks on the pull request through [`api`],
//!   behind a [`breaker`].
//! - [`maintenance`], [`telemetry`], [`logging`]: retention, `/metrics` and logs.
//! - [`tunnel`]: a public URL through ngrok or localtunnel; [`tls`] installs
//!   the rustls crypto provider that they and the HTTP clients share.
//! - Subcommands: [`serve`], [`simulate`], [`verify_signature`],
//!   [`deliveries`], [`commands::check_config`]; [`credentials`] finds their
//!   secrets and [`generated_docs`] renders completions and man pages.

// The payload templates of `simulate` are large `serde_json::json!` literals.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod breaker;
pub mod cli;
pub mod commands;
pub mod config;
pub mod credentials;
pub mod deliveries;
pub mod dispatch;
pub mod event;
pub mod filter;
pub mod forward;
pub mod generated_docs;
pub mod handler;
pub mod limits;
pub mod lock;
pub mod logging;
pub mod maintenance;
pub mod provider;
pub mod replies;
pub mod runner;
pub mod serve;
pub mod server;
pub mod simulate;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod tunnel;
pub mod verify;
pub mod verify_signature;
