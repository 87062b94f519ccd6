//! Integration tests: one binary, real processes and HTTP on loopback.

mod simulate;
mod simulate_utils;
mod verify_signature;
