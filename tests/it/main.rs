//! Integration tests: the real `prhook` binary on loopback ports.

mod config_reference;
mod generated;
mod providers;
mod serve;
mod utils;
