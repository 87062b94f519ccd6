//! Integration tests: the real `prhook` binary on loopback ports.

mod providers;
mod serve;
mod utils;
