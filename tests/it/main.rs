//! Integration tests: the real `prhook` binary, real servers and child
//! processes on loopback.

mod api_utils;
mod check_config;
mod config_reference;
mod crash;
mod deliveries;
mod delivery_utils;
mod filters;
mod filters_utils;
mod forward;
mod generated;
mod limits;
mod metrics;
mod providers;
mod replies;
mod serve;
mod simulate;
mod simulate_utils;
mod tunnel;
mod tunnel_utils;
mod utils;
mod verify_signature;
