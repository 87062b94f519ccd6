//! Integration tests: the real `prhook` binary on loopback ports.

mod generated;
mod providers;
mod serve;
mod utils;
