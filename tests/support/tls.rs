//! Test PKI made at run time with rcgen: a fresh CA and a server certificate signed by it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA and a server certificate it signed, ready to serve.
pub struct TestPki {
    /// The CA certificate, PEM (what `--ca-file` / `SSL_CERT_FILE` should contain).
    pub ca_pem: String,
    /// The CA certificate, DER.
    pub ca_der: CertificateDer<'static>,
    /// The server (leaf) certificate, PEM.
    pub leaf_pem: String,
    /// A rustls server config presenting the leaf (and the CA) with the ring provider.
    pub server_config: Arc<rustls::ServerConfig>,
}

impl TestPki {
    /// Writes the CA certificate to a fresh temporary PEM file and returns its path.
    pub fn ca_file(&self) -> PathBuf {
        super::temp_file("ca.pem", self.ca_pem.as_bytes())
    }

    /// A rustls client config trusting only this CA (ring provider), for tests that talk TLS themselves.
    pub fn client_config(&self) -> Arc<rustls::ClientConfig> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(self.ca_der.clone())
            .expect("test CA is a valid root");
        let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Arc::new(cfg)
    }
}

/// A fresh CA and a leaf for `names` plus `localhost` and 127.0.0.1. Each call makes an unrelated CA.
pub fn pki(names: &[&str]) -> TestPki {
    static SERIAL: AtomicUsize = AtomicUsize::new(0);
    let n = SERIAL.fetch_add(1, Ordering::Relaxed);

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.distinguished_name.push(
        DnType::CommonName,
        format!("coveo-org-delete test CA {} #{n}", std::process::id()),
    );
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().expect("CA key");
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key).expect("self-signed CA");

    let mut sans: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    for extra in ["localhost", "127.0.0.1"] {
        if !sans.iter().any(|s| s == extra) {
            sans.push(extra.to_string());
        }
    }
    let mut leaf_params = CertificateParams::new(sans).expect("leaf params (valid names)");
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "coveo-org-delete stand-in");
    leaf_params.is_ca = IsCa::NoCa;
    leaf_params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = leaf_params.signed_by(&leaf_key, &ca).expect("leaf cert");

    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let server_config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default protocol versions")
    .with_no_client_auth()
    .with_single_cert(vec![leaf.der().clone(), ca.der().clone()], key)
    .expect("server config");

    TestPki {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        leaf_pem: leaf.pem(),
        server_config: Arc::new(server_config),
    }
}
