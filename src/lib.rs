pub mod config;
pub mod dispatch;
pub mod event;
pub mod filter;
pub mod provider;
pub mod runner;
pub mod store;
pub mod verify;
