//! Authenticity checks shared by the provider modules.
//!
//! Every check runs over the exact bytes received, before any parsing, and
//! every comparison of a secret or digest is constant-time. Errors name the
//! header involved but never a secret or a computed digest.

use crate::config::secret::{Secret, SecretList};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Accepted clock difference for Standard Webhooks timestamps, in seconds.
pub const TIMESTAMP_TOLERANCE_SECS: i64 = 5 * 60;

/// Why a delivery is not authentic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing {0} header")]
    Missing(&'static str),
    #[error("malformed {header} header: {reason}")]
    Malformed { header: &'static str, reason: &'static str },
    #[error("{0} does not match any configured secret")]
    Mismatch(&'static str),
    #[error("{0} is outside the accepted 5-minute window")]
    TimestampOutOfWindow(&'static str),
    #[error("no secret is configured for this provider")]
    NoSecret,
}

impl AuthError {
    /// The stable API error code for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Missing(_) => "missing_signature",
            _ => "invalid_signature",
        }
    }
}

/// Compares two byte strings in constant time (for equal lengths).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Computes HMAC-SHA256 of the concatenation of `parts`.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// Computes HMAC-SHA1 of `body`, for GitHub's legacy `X-Hub-Signature`.
pub fn hmac_sha1(key: &[u8], body: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Digest algorithm of a `<algorithm>=<hex>` signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HexAlgorithm {
    Sha256,
    Sha1,
}

impl HexAlgorithm {
    fn prefix(self) -> &'static str {
        match self {
            HexAlgorithm::Sha256 => "sha256=",
            HexAlgorithm::Sha1 => "sha1=",
        }
    }

    fn digest_len(self) -> usize {
        match self {
            HexAlgorithm::Sha256 => 32,
            HexAlgorithm::Sha1 => 20,
        }
    }
}

/// Checks a `sha256=<hex>` (or `sha1=<hex>`) HMAC header over `body`.
///
/// `header` is the header's name, for the error; `value` is its content.
pub fn verify_hex_hmac(
    header: &'static str,
    value: &[u8],
    algorithm: HexAlgorithm,
    secrets: &SecretList,
    body: &[u8],
) -> Result<(), AuthError> {
    let value = std::str::from_utf8(value)
        .map_err(|_| AuthError::Malformed { header, reason: "not ASCII" })?
        .trim();
    let hex_digest = value.strip_prefix(algorithm.prefix()).ok_or(AuthError::Malformed {
        header,
        reason: match algorithm {
            HexAlgorithm::Sha256 => "expected sha256=<hex digest>",
            HexAlgorithm::Sha1 => "expected sha1=<hex digest>",
        },
    })?;
    let received = hex::decode(hex_digest)
        .ok()
        .filter(|digest| digest.len() == algorithm.digest_len())
        .ok_or(AuthError::Malformed { header, reason: "the digest is not hex of the right length" })?;
    let matched = secrets.any(|secret| {
        let expected: Vec<u8> = match algorithm {
            HexAlgorithm::Sha256 => hmac_sha256(secret.expose(), &[body]).to_vec(),
            HexAlgorithm::Sha1 => hmac_sha1(secret.expose(), body).to_vec(),
        };
        constant_time_eq(&expected, &received)
    });
    if matched {
        Ok(())
    } else {
        Err(AuthError::Mismatch(header))
    }
}

/// Checks a shared token sent in a header, such as `X-Gitlab-Token`.
pub fn verify_token(header: &'static str, value: &[u8], secrets: &SecretList) -> Result<(), AuthError> {
    if secrets.any(|secret| constant_time_eq(secret.expose(), value)) {
        Ok(())
    } else {
        Err(AuthError::Mismatch(header))
    }
}

/// The three headers of the Standard Webhooks scheme, as received.
#[derive(Debug, Clone, Copy)]
pub struct StandardHeaders<'a> {
    pub id: Option<&'a [u8]>,
    pub timestamp: Option<&'a [u8]>,
    pub signature: Option<&'a [u8]>,
}

/// Decodes a Standard Webhooks secret: `whsec_<base64>`, or raw text when
/// it lacks the prefix (GitLab shows signing tokens with the prefix).
pub fn standard_webhooks_key(secret: &Secret) -> Vec<u8> {
    let bytes = secret.expose();
    if let Some(encoded) = bytes.strip_prefix(b"whsec_") {
        if let Ok(key) = base64::engine::general_purpose::STANDARD.decode(encoded) {
            return key;
        }
    }
    bytes.to_vec()
}

/// Computes the `v1,<base64>` signature for `id.timestamp.body`.
pub fn standard_webhooks_sign(secret: &Secret, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = standard_webhooks_key(secret);
    let timestamp = timestamp.to_string();
    let digest = hmac_sha256(&key, &[id.as_bytes(), b".", timestamp.as_bytes(), b".", body]);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// Verifies a Standard Webhooks delivery (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`), as GitLab's signing tokens and prhook's own
/// forwards use it. The signature header may list several space-separated
/// `v1,<base64>` signatures; any one that matches suffices.
pub fn verify_standard_webhooks(
    headers: StandardHeaders<'_>,
    secrets: &SecretList,
    body: &[u8],
    now_unix: i64,
) -> Result<(), AuthError> {
    let id = headers.id.ok_or(AuthError::Missing("webhook-id"))?;
    let timestamp = headers.timestamp.ok_or(AuthError::Missing("webhook-timestamp"))?;
    let signature = headers.signature.ok_or(AuthError::Missing("webhook-signature"))?;

    let timestamp: i64 = std::str::from_utf8(timestamp)
        .ok()
        .and_then(|text| text.trim().parse().ok())
        .ok_or(AuthError::Malformed { header: "webhook-timestamp", reason: "not a Unix time in seconds" })?;
    if (now_unix - timestamp).abs() > TIMESTAMP_TOLERANCE_SECS {
        return Err(AuthError::TimestampOutOfWindow("webhook-timestamp"));
    }
    let signature = std::str::from_utf8(signature).map_err(|_| AuthError::Malformed {
        header: "webhook-signature",
        reason: "not ASCII",
    })?;
    let received: Vec<Vec<u8>> = signature
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded).ok())
        .collect();
    if received.is_empty() {
        return Err(AuthError::Malformed {
            header: "webhook-signature",
            reason: "expected one or more v1,<base64 signature>",
        });
    }
    let timestamp = timestamp.to_string();
    let matched = secrets.any(|secret| {
        let key = standard_webhooks_key(secret);
        let expected = hmac_sha256(&key, &[id, b".", timestamp.as_bytes(), b".", body]);
        received.iter().fold(false, |found, candidate| found | constant_time_eq(&expected, candidate))
    });
    if matched {
        Ok(())
    } else {
        Err(AuthError::Mismatch("webhook-signature"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(values: &[&str]) -> SecretList {
        SecretList::new(values.iter().map(|value| Secret::new(*value)).collect()).unwrap()
    }

    // GitHub's documented test vector for X-Hub-Signature-256.
    const GITHUB_SECRET: &str = "It's a Secret to Everybody";
    const GITHUB_BODY: &[u8] = b"Hello, World!";
    const GITHUB_SIGNATURE: &str =
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn github_vector_verifies() {
        let result = verify_hex_hmac(
            "X-Hub-Signature-256",
            GITHUB_SIGNATURE.as_bytes(),
            HexAlgorithm::Sha256,
            &secrets(&[GITHUB_SECRET]),
            GITHUB_BODY,
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn github_vector_changed_byte_fails() {
        let result = verify_hex_hmac(
            "X-Hub-Signature-256",
            GITHUB_SIGNATURE.as_bytes(),
            HexAlgorithm::Sha256,
            &secrets(&[GITHUB_SECRET]),
            b"Hello, World?",
        );
        assert_eq!(result, Err(AuthError::Mismatch("X-Hub-Signature-256")));
    }

    #[test]
    fn header_shorter_than_prefix_is_malformed() {
        let result = verify_hex_hmac("X-Hub-Signature", b"abc", HexAlgorithm::Sha256, &secrets(&["s"]), b"");
        assert!(matches!(result, Err(AuthError::Malformed { .. })));
    }

    #[test]
    fn truncated_digest_is_malformed() {
        let result = verify_hex_hmac(
            "X-Hub-Signature-256",
            b"sha256=757107ea",
            HexAlgorithm::Sha256,
            &secrets(&[GITHUB_SECRET]),
            GITHUB_BODY,
        );
        assert!(matches!(result, Err(AuthError::Malformed { .. })));
    }

    #[test]
    fn rotation_accepts_second_secret() {
        let result = verify_hex_hmac(
            "X-Hub-Signature-256",
            GITHUB_SIGNATURE.as_bytes(),
            HexAlgorithm::Sha256,
            &secrets(&["old-secret", GITHUB_SECRET]),
            GITHUB_BODY,
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn token_with_extra_space_fails() {
        let result = verify_token("X-Gitlab-Token", b"token ", &secrets(&["token"]));
        assert_eq!(result, Err(AuthError::Mismatch("X-Gitlab-Token")));
    }

    // The Standard Webhooks specification's published test vector.
    const SW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const SW_ID: &[u8] = b"msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const SW_TIMESTAMP: i64 = 1649367553;
    const SW_BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    const SW_SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn sw_headers<'a>(signature: &'a [u8], timestamp: &'a [u8]) -> StandardHeaders<'a> {
        StandardHeaders { id: Some(SW_ID), timestamp: Some(timestamp), signature: Some(signature) }
    }

    #[test]
    fn standard_webhooks_vector_verifies() {
        let timestamp = SW_TIMESTAMP.to_string();
        let result = verify_standard_webhooks(
            sw_headers(SW_SIGNATURE.as_bytes(), timestamp.as_bytes()),
            &secrets(&[SW_SECRET]),
            SW_BODY,
            SW_TIMESTAMP + 10,
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn standard_webhooks_sign_matches_vector() {
        let signature = standard_webhooks_sign(&Secret::new(SW_SECRET), "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", SW_TIMESTAMP, SW_BODY);
        assert_eq!(signature, SW_SIGNATURE);
    }

    #[test]
    fn standard_webhooks_several_signatures() {
        let timestamp = SW_TIMESTAMP.to_string();
        let header = format!("v1,Zm9vYmFy {SW_SIGNATURE}");
        let result = verify_standard_webhooks(
            sw_headers(header.as_bytes(), timestamp.as_bytes()),
            &secrets(&[SW_SECRET]),
            SW_BODY,
            SW_TIMESTAMP,
        );
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn standard_webhooks_old_timestamp_fails() {
        let timestamp = SW_TIMESTAMP.to_string();
        let result = verify_standard_webhooks(
            sw_headers(SW_SIGNATURE.as_bytes(), timestamp.as_bytes()),
            &secrets(&[SW_SECRET]),
            SW_BODY,
            SW_TIMESTAMP + TIMESTAMP_TOLERANCE_SECS + 1,
        );
        assert_eq!(result, Err(AuthError::TimestampOutOfWindow("webhook-timestamp")));
    }

    #[test]
    fn standard_webhooks_changed_body_fails() {
        let timestamp = SW_TIMESTAMP.to_string();
        let result = verify_standard_webhooks(
            sw_headers(SW_SIGNATURE.as_bytes(), timestamp.as_bytes()),
            &secrets(&[SW_SECRET]),
            br#"{"email":"test@example.com","username":"test_user "}"#,
            SW_TIMESTAMP,
        );
        assert_eq!(result, Err(AuthError::Mismatch("webhook-signature")));
    }
}
