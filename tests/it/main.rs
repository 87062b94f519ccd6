//! Integration tests: the real `prhook` binary and real servers on loopback.

mod check_config;
mod config_reference;
mod filters;
mod filters_utils;
mod generated;
mod providers;
mod serve;
mod simulate;
mod simulate_utils;
mod utils;
mod verify_signature;
