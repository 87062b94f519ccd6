//! In-process actions: Rust code that reacts to normalized events without
//! a child process.
//!
//! A handler is registered on an [`crate::app::AppBuilder`] with a name and
//! `on` selectors, and then runs like any `[[actions]]` entry: after the
//! delivery is stored, with the same retries, timeout and crash recovery.

use crate::event::Event;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// The error a handler returns to have its attempt retried.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The future a handler returns.
pub type HandlerFuture<'a> = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'a>>;

/// Reacts to one normalized event in-process.
///
/// An `Err` counts as a failed attempt and is retried like a command that
/// exits non-zero. Any `Fn(Event) -> impl Future<Output = Result<(), HandlerError>>`
/// is a handler:
///
/// ```
/// use prhook::event::Event;
/// use prhook::handler::{EventHandler, HandlerError};
///
/// async fn log_title(event: Event) -> Result<(), HandlerError> {
///     if let Some(pull_request) = &event.pull_request {
///         println!("#{} {}", pull_request.number, pull_request.title);
///     }
///     Ok(())
/// }
///
/// fn takes_handler(_: impl EventHandler) {}
/// takes_handler(log_title);
/// ```
pub trait EventHandler: Send + Sync + 'static {
    /// Handles one attempt for `event`.
    fn handle<'a>(&'a self, event: &'a Event) -> HandlerFuture<'a>;
}

impl<F, Fut> EventHandler for F
where
    F: Fn(Event) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), HandlerError>> + Send + 'static,
{
    fn handle<'a>(&'a self, event: &'a Event) -> HandlerFuture<'a> {
        Box::pin(self(event.clone()))
    }
}

/// A registered handler, cheap to clone.
#[derive(Clone)]
pub struct HandlerRef(pub Arc<dyn EventHandler>);

impl fmt::Debug for HandlerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandlerRef(..)")
    }
}
