//! Integration tests: the real `prhook` binary on loopback ports.

mod api_utils;
mod replies;
mod serve;
mod utils;
