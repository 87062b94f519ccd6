// The payload templates of `simulate` are large `serde_json::json!` literals.
#![recursion_limit = "256"]

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
pub mod limits;
pub mod lock;
pub mod logging;
pub mod maintenance;
pub mod provider;
pub mod runner;
pub mod serve;
pub mod server;
pub mod simulate;
pub mod store;
pub mod telemetry;
pub mod verify;
pub mod verify_signature;
