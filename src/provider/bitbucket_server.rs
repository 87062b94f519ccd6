//! TODO: being written; this stub rejects every delivery.

use super::{Outcome, PayloadError, Provider, ProviderId, RawDelivery};
use crate::config::BitbucketServerConfig;
use crate::verify::AuthError;
use axum::http::HeaderMap;
use serde_json::Value;

pub struct BitbucketServer {
    _config: BitbucketServerConfig,
}

impl BitbucketServer {
    pub fn new(config: BitbucketServerConfig) -> BitbucketServer {
        BitbucketServer { _config: config }
    }
}

impl Provider for BitbucketServer {
    fn id(&self) -> ProviderId {
        ProviderId::BitbucketServer
    }

    fn detect(&self, _headers: &HeaderMap) -> bool {
        false
    }

    fn verify(&self, _delivery: &RawDelivery<'_>) -> Result<(), AuthError> {
        Err(AuthError::NoSecret)
    }

    fn event_name(&self, _headers: &HeaderMap, _payload: &Value) -> Result<String, PayloadError> {
        Err(PayloadError("not implemented".into()))
    }

    fn delivery_id(&self, _headers: &HeaderMap, _payload: &Value) -> Option<String> {
        None
    }

    fn normalize(&self, _event: &str, _payload: &Value) -> Result<Outcome, PayloadError> {
        Err(PayloadError("not implemented".into()))
    }
}
