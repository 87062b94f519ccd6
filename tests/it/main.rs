//! Integration tests: the real `prhook` binary on loopback ports.

mod serve;
mod tunnel;
mod tunnel_utils;
mod utils;
