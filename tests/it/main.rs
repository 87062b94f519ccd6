//! Integration tests: the real `prhook` binary on loopback ports.

mod serve;
mod utils;
