pub mod config;
pub mod event;
pub mod provider;
pub mod verify;
