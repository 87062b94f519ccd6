//! The process-wide rustls crypto provider.

/// Installs aws-lc-rs as the process-wide rustls provider.
///
/// ngrok and reqwest enable aws-lc-rs while localtunnel-client enables
/// ring, and with two providers compiled in rustls cannot pick a default,
/// so a TLS connection would panic. Installing again is a no-op, so every
/// entry point that may open TLS connections calls this.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}
