//! Integration tests: the built binary and real servers on loopback.

mod check_config;
mod filters;
mod filters_utils;
