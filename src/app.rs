//! prhook as a library: build the receiver from a loaded [`Config`], merge
//! its axum [`Router`] with routes of your own, and add in-process
//! [`EventHandler`]s next to the configured actions.
//!
//! `prhook serve` is built on this module too.
//!
//! ```no_run
//! use axum::routing::get;
//! use prhook::app::AppBuilder;
//! use prhook::config::{Config, ConfigSource, Overrides};
//! use prhook::event::Event;
//! use prhook::handler::HandlerError;
//!
//! async fn on_merge(event: Event) -> Result<(), HandlerError> {
//!     println!("merged: {:?}", event.pull_request.map(|pr| pr.title));
//!     Ok(())
//! }
//!
//! # async fn example() -> anyhow::Result<()> {
//! let config = Config::load(&ConfigSource::find(None), &Overrides::default())?;
//! let app = AppBuilder::new(config).handler("announce-merge", &["pull_request.merged"], on_merge)?.build().await?;
//! let router = app.router().route("/hello", get(|| async { "hello" }));
//! let background = app.start_background();
//!
//! let listener = tokio::net::TcpListener::bind(app.config().server.listen).await?;
//! let shutdown = app.shutdown_token();
//! axum::serve(listener, router).with_graceful_shutdown(async move { shutdown.cancelled().await }).await?;
//! background.finish().await;
//! # Ok(())
//! # }
//! ```
//!
//! [`EventHandler`]: crate::handler::EventHandler

use crate::api::Apis;
use crate::config::generated::{self, GeneratedSecrets};
use crate::config::{ActionConfig, ActionTarget, Config, Selector};
use crate::dispatch::Dispatcher;
use crate::handler::{EventHandler, HandlerRef};
use crate::lock::DataDirLock;
use crate::provider::{ProviderId, Providers};
use crate::replies::{Replies, RetryPolicy};
use crate::server::{self, AppState};
use crate::store::Store;
use anyhow::Context;
use axum::Router;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Default timeout of an in-process handler's attempt.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(600);

/// Default retries of an in-process handler after its first attempt.
const HANDLER_RETRIES: u32 = 3;

/// An error that stops an [`App`] from being built.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid selector for handler {name:?}: {message}")]
    Selector { name: String, message: String },
    #[error("an action named {0:?} already exists")]
    DuplicateName(String),
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("{0:#}")]
    Setup(#[from] anyhow::Error),
}

impl AppError {
    /// The exit code `serve` ends with: 2 for what the user must fix in
    /// the configuration or the environment, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Selector { .. } | AppError::DuplicateName(_) | AppError::Lock(_) => 2,
            AppError::Setup(_) => 1,
        }
    }
}

/// Collects the configuration and in-process handlers of an [`App`].
pub struct AppBuilder {
    config: Config,
}

impl AppBuilder {
    pub fn new(config: Config) -> AppBuilder {
        AppBuilder { config }
    }

    /// Adds an in-process action named `name` that runs `handler` for the
    /// events its `on` selectors match (the same selectors as `[[actions]]`).
    /// It gets the retries and timeout of a configured action's defaults.
    pub fn handler(mut self, name: &str, on: &[&str], handler: impl EventHandler) -> Result<AppBuilder, AppError> {
        if self.config.actions.iter().any(|action| action.name == name) {
            return Err(AppError::DuplicateName(name.to_owned()));
        }
        let on = on
            .iter()
            .map(|text| Selector::parse(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|message| AppError::Selector { name: name.to_owned(), message })?;
        self.config.actions.push(ActionConfig {
            name: name.to_owned(),
            on,
            target: ActionTarget::Handler(HandlerRef(Arc::new(handler))),
            env: Vec::new(),
            cwd: std::path::PathBuf::from("."),
            timeout: HANDLER_TIMEOUT,
            retries: HANDLER_RETRIES,
            max_concurrency: None,
            rate: None,
            reply: false,
            reply_on_failure: false,
            ack: false,
        });
        Ok(self)
    }

    /// Takes the data directory, fills in generated secrets, opens the
    /// store and sets up the provider API clients.
    pub async fn build(self) -> Result<App, AppError> {
        crate::tls::install_crypto_provider();
        let mut config = self.config;
        let data_dir = config.server.data_dir.clone();
        let lock = DataDirLock::acquire(&data_dir)?;

        let unconfigured = generated::unconfigured(&config);
        let (secrets, created) = GeneratedSecrets::ensure(&data_dir, &unconfigured)?;
        secrets.apply(&mut config);

        for warning in &config.warnings {
            tracing::warn!(key = %warning.key, "{}", warning.message);
        }
        for section in &config.inactive_sections {
            tracing::warn!(section = %section, "configuration section is parsed but has no effect in this version");
        }

        crate::telemetry::install();
        let store = Store::open(&data_dir).context("cannot open the store")?;
        let requeued = store.requeue_interrupted().await.context("cannot recover interrupted jobs")?;
        if requeued > 0 {
            tracing::info!(jobs = requeued, "jobs interrupted by the last stop are queued again");
        }
        let apis = Apis::from_config(&config).context("cannot set up the provider API clients")?;
        let replies = Replies::new(store.clone(), Arc::new(apis)).await.context("cannot open the reply outbox")?;

        let config = Arc::new(config);
        let wake = Arc::new(Notify::new());
        let draining = Arc::new(AtomicBool::new(false));
        let state = AppState {
            config: Arc::clone(&config),
            providers: Providers::from_config(&config),
            store: store.clone(),
            dispatch_wake: Arc::clone(&wake),
            draining: Arc::clone(&draining),
            replies: Some(replies.clone()),
        };
        Ok(App {
            config,
            state,
            store,
            replies,
            wake,
            draining,
            shutdown: CancellationToken::new(),
            secrets,
            created,
            unconfigured,
            _lock: lock,
        })
    }
}

/// A built receiver: its router, its store and its background work.
pub struct App {
    config: Arc<Config>,
    state: AppState,
    store: Store,
    replies: Replies,
    wake: Arc<Notify>,
    draining: Arc<AtomicBool>,
    shutdown: CancellationToken,
    pub(crate) secrets: GeneratedSecrets,
    /// Providers whose secret was generated by this start.
    pub(crate) created: Vec<ProviderId>,
    /// Providers without a section in the configuration.
    pub(crate) unconfigured: Vec<ProviderId>,
    _lock: DataDirLock,
}

impl App {
    /// Returns the configuration, with generated secrets filled in.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Builds the router of the webhook routes, `/healthz`, `/readyz` and
    /// `/metrics`, ready to be merged with other routes.
    pub fn router(&self) -> Router {
        server::router(self.state.clone())
    }

    /// Returns the token that is cancelled when shutdown begins. Pass it to
    /// the HTTP server's graceful shutdown.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Begins shutdown: webhook routes respond with `shutting_down`, no new
    /// job starts, and running jobs get `shutdown_grace`.
    pub fn begin_shutdown(&self) {
        self.shutdown_trigger().trigger();
    }

    /// A handle that begins shutdown from another task, such as a signal handler.
    pub fn shutdown_trigger(&self) -> ShutdownTrigger {
        ShutdownTrigger { draining: Arc::clone(&self.draining), shutdown: self.shutdown.clone() }
    }

    /// Starts the dispatcher (unless `dispatch = false`), retention
    /// pruning and the reply worker.
    pub fn start_background(&self) -> Background {
        let config = &self.config;
        self.replies.spawn_own_login_lookups(self.shutdown.clone());
        let dispatcher = if config.server.dispatch {
            let actions: HashMap<_, _> = config.actions.iter().map(|action| (action.name.clone(), action.clone())).collect();
            let dispatcher = Dispatcher {
                store: self.store.clone(),
                actions: Arc::new(actions),
                workers: config.server.workers,
                wake: Arc::clone(&self.wake),
                shutdown: self.shutdown.clone(),
                grace: config.server.shutdown_grace,
                replies: Some(self.replies.clone()),
            };
            Some(tokio::spawn(dispatcher.run()))
        } else {
            tracing::warn!("dispatch = false: deliveries are stored but no action runs");
            None
        };
        let maintenance =
            tokio::spawn(crate::maintenance::run(self.store.clone(), config.server.retention_days, self.shutdown.clone()));
        // Replies are posted even with `dispatch = false`, so acks and replies
        // queued before go out. The worker stops after the dispatcher, so that
        // replies of actions finishing in the shutdown grace period can still
        // go out. Replies left over stay queued for the next start.
        let reply_shutdown = CancellationToken::new();
        let retention = Duration::from_secs(u64::from(config.server.retention_days) * 24 * 3600);
        let reply_worker = tokio::spawn(
            self.replies.worker(RetryPolicy::default(), reply_shutdown.clone()).with_retention(retention).run(),
        );
        Background { dispatcher, maintenance, reply_worker, reply_shutdown }
    }
}

/// Begins an [`App`]'s shutdown; cheap to clone and `Send`.
#[derive(Clone)]
pub struct ShutdownTrigger {
    draining: Arc<AtomicBool>,
    shutdown: CancellationToken,
}

impl ShutdownTrigger {
    /// Marks the routes as draining, then cancels the shutdown token.
    pub fn trigger(&self) {
        self.draining.store(true, Ordering::Relaxed);
        self.shutdown.cancel();
    }
}

/// The background tasks of a running [`App`].
pub struct Background {
    dispatcher: Option<JoinHandle<()>>,
    maintenance: JoinHandle<()>,
    reply_worker: JoinHandle<()>,
    reply_shutdown: CancellationToken,
}

impl Background {
    /// Waits for the tasks to stop after [`App::begin_shutdown`] (or after
    /// the token from [`App::shutdown_token`] is cancelled).
    pub async fn finish(self) {
        if let Some(dispatcher) = self.dispatcher {
            let _ = dispatcher.await;
        }
        let _ = self.maintenance.await;
        self.reply_shutdown.cancel();
        let _ = self.reply_worker.await;
    }
}
