//! The integration test binary: each module drives real servers and child
//! processes on loopback.

mod crash;
mod deliveries;
mod delivery_utils;
mod forward;
mod limits;
mod metrics;
