//! Which certificates scimplan trusts: the system's trust store, read by the platform verifier
//! (on Linux and the BSDs the CA files OpenSSL reads, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when
//! set; elsewhere the system's own verifier), plus the CA files a connection names
//! (`connect --ca-cert`). Nothing turns checking off. A refused certificate says which host,
//! who issued it and the ways to trust it; `doctor` sees every chain a server presents.

use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use thiserror::Error;

/// What a tester reads of one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// `CN=app.example.com, O=Example`.
    pub subject: String,
    pub issuer: String,
    /// The end of its validity, e.g. `Jan  1 00:00:00 2030 +00:00`.
    pub not_after: String,
}

impl CertSummary {
    /// Reads a DER certificate; one that cannot be read says so in its subject.
    pub fn of(der: &[u8]) -> CertSummary {
        match x509_parser::parse_x509_certificate(der) {
            Ok((_, cert)) => CertSummary {
                subject: name_or_empty(&cert.subject().to_string()),
                issuer: name_or_empty(&cert.issuer().to_string()),
                not_after: cert.validity().not_after.to_string(),
            },
            Err(e) => CertSummary {
                subject: format!("(a certificate scimplan cannot read: {e})"),
                issuer: "(unknown)".into(),
                not_after: "(unknown)".into(),
            },
        }
    }

    /// Issued by itself: a root, or a self-signed server certificate.
    pub fn self_issued(&self) -> bool {
        self.subject == self.issuer
    }
}

fn name_or_empty(name: &str) -> String {
    match name.trim() {
        "" => "(no name)".into(),
        name => name.to_string(),
    }
}

impl std::fmt::Display for CertSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.self_issued() {
            write!(
                f,
                "{} (self-issued), valid until {}",
                self.subject, self.not_after
            )
        } else {
            write!(
                f,
                "{}, issued by {}, valid until {}",
                self.subject, self.issuer, self.not_after
            )
        }
    }
}

/// What a server presented in one TLS handshake, and whether it was trusted.
#[derive(Debug, Clone)]
pub struct Presented {
    pub host: String,
    /// The server's certificate first, then what it sent with it.
    pub chain: Vec<CertSummary>,
    /// Why it was refused, when it was.
    pub refused: Option<String>,
}

/// Keeps the chains presented to a client (`HttpSettings::observer`), for `doctor`.
#[derive(Debug, Clone, Default)]
pub struct TlsObserver(Arc<Mutex<Vec<Presented>>>);

impl TlsObserver {
    pub fn new() -> TlsObserver {
        TlsObserver::default()
    }

    /// Every handshake seen so far, in order.
    pub fn presented(&self) -> Vec<Presented> {
        self.0.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    fn push(&self, presented: Presented) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push(presented);
        }
    }
}

/// Why a certificate was not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Distrust {
    /// Its issuer is in no trusted store: the one that more trust fixes.
    UnknownIssuer,
    /// No store could be read at all (no system CA files, no `--ca-cert`).
    NoTrustStore(String),
    /// Anything else (expired, for another name...): more trust does not fix it.
    Other(String),
}

/// A server's certificate refused, with what the tester needs to act on it.
#[derive(Debug, Clone, Error)]
pub struct CertificateRefused {
    pub host: String,
    pub chain: Vec<CertSummary>,
    pub distrust: Distrust,
}

/// The ways to trust an issuer, said wherever a certificate is refused for want of one.
pub const HOW_TO_TRUST: &str = "To trust it, do one of: add the CA's certificate to the system's trust store; or point SSL_CERT_FILE at a PEM file holding it (on Linux scimplan then reads that file in place of the system's files); or give it to scimplan with --ca-cert FILE on `scimplan connect PLAN` (with --scim-url or --okta-org; the Runscope API uses the CA files of both).";

impl CertificateRefused {
    /// Who issued the chain: the issuer of its last certificate.
    pub fn issuer(&self) -> String {
        self.chain
            .last()
            .map(|c| c.issuer.clone())
            .unwrap_or_else(|| "(no certificate presented)".into())
    }
}

impl std::fmt::Display for CertificateRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = &self.host;
        let issuer = self.issuer();
        let self_signed = self.chain.len() == 1 && self.chain[0].self_issued();
        let issued = if self_signed {
            format!("it is self-signed ({issuer})")
        } else {
            format!("it was issued by {issuer}")
        };
        match &self.distrust {
            Distrust::UnknownIssuer => write!(
                f,
                "the certificate {host} presented is not trusted: {issued}, which is not among the trusted certificate authorities. If your network inspects HTTPS through a proxy, that is the proxy's authority. {HOW_TO_TRUST}"
            ),
            Distrust::NoTrustStore(why) => write!(
                f,
                "the certificate {host} presented cannot be checked: no certificate authority is trusted ({why}). {issued}. Install the system's CA certificates (e.g. the ca-certificates package). {HOW_TO_TRUST}"
            ),
            Distrust::Other(why) => write!(
                f,
                "the certificate {host} presented was refused: {why} ({issued}, for {}). scimplan checks certificates as Okta does: the server needs a valid certificate for {host}.",
                self.chain
                    .first()
                    .map(|c| c.subject.as_str())
                    .unwrap_or("(nothing)")
            ),
        }
    }
}

/// The refusal behind an error from a client, wherever in the chain of causes it sits
/// (reqwest → hyper → io::Error → rustls::Error → this).
pub fn certificate_refused<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a CertificateRefused> {
    let mut next = Some(error);
    while let Some(current) = next {
        if let Some(found) = refused_in(current) {
            return Some(found);
        }
        next = current.source();
    }
    None
}

fn refused_in<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a CertificateRefused> {
    if let Some(found) = error.downcast_ref::<CertificateRefused>() {
        return Some(found);
    }
    if let Some(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner)))) =
        error.downcast_ref::<rustls::Error>()
    {
        return inner.downcast_ref::<CertificateRefused>();
    }
    // An io::Error's `source` skips the error it wraps; look inside it.
    let io = error.downcast_ref::<std::io::Error>()?;
    let inner: &(dyn std::error::Error + 'static) = io.get_ref()?;
    refused_in(inner)
}

/// The certificates of a CA file, each usable as a trust anchor: PEM (any number) or DER
/// (one). The message names the file; `given` says where it was given.
pub fn load_ca_file(path: &str, given: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes = std::fs::read(path)
        .map_err(|e| format!("the CA file {path} ({given}) cannot be read: {e}"))?;
    let mut certs = Vec::new();
    for item in CertificateDer::pem_slice_iter(&bytes) {
        certs.push(item.map_err(|e| {
            format!("the CA file {path} ({given}) is not a readable PEM file: {e}")
        })?);
    }
    if certs.is_empty() && bytes.first() == Some(&0x30) {
        certs.push(CertificateDer::from(bytes));
    }
    if certs.is_empty() {
        return Err(format!(
            "the CA file {path} ({given}) holds no certificate: expected PEM (-----BEGIN CERTIFICATE-----) or DER"
        ));
    }
    for cert in &certs {
        let mut probe = rustls::RootCertStore::empty();
        probe.add(cert.clone()).map_err(|e| {
            format!("the CA file {path} ({given}) holds a certificate that cannot be a certificate authority: {e}")
        })?;
    }
    Ok(certs)
}

/// The certificates of a CA file, as a tester reads them (for `connect` and `doctor`).
pub fn describe_ca_file(path: &str, given: &str) -> Result<Vec<CertSummary>, String> {
    Ok(load_ca_file(path, given)?
        .iter()
        .map(|der| CertSummary::of(der))
        .collect())
}

/// The TLS setup of every client: the system's store and `ca_files` through the platform
/// verifier, ring as the crypto provider.
pub(crate) fn tls_config(
    ca_files: &[String],
    observer: Option<TlsObserver>,
) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut extra = Vec::new();
    for path in ca_files {
        extra.extend(load_ca_file(path, "given with --ca-cert")?);
    }
    // Where the system's own verifier decides (macOS, Windows), SSL_CERT_FILE is not read by
    // it: trust its authorities as well, so the same three ways work everywhere.
    #[cfg(not(all(unix, not(target_os = "android"), not(target_vendor = "apple"))))]
    if let Some(file) = std::env::var("SSL_CERT_FILE")
        .ok()
        .filter(|f| !f.is_empty())
    {
        extra.extend(load_ca_file(&file, "from SSL_CERT_FILE")?);
    }
    // Fails only when no authority at all could be loaded; plain http still works then, and
    // https says why at the handshake.
    let system = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider.clone())
        .map_err(|e| e.to_string());
    let verifier = Verifier {
        system,
        provider: provider.clone(),
        observer,
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        // rustls calls every verifier of one's own "dangerous"; this one checks as the system does.
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The platform verifier, with the refusal made readable and the chain kept for `doctor`.
#[derive(Debug)]
struct Verifier {
    system: Result<rustls_platform_verifier::Verifier, String>,
    provider: Arc<CryptoProvider>,
    observer: Option<TlsObserver>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match &self.system {
            Ok(system) => system
                .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
                .map_err(|e| match e {
                    rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer) => {
                        Distrust::UnknownIssuer
                    }
                    other => Distrust::Other(other.to_string()),
                }),
            Err(why) => Err(Distrust::NoTrustStore(why.clone())),
        };
        let chain = || {
            std::iter::once(end_entity)
                .chain(intermediates)
                .map(|der| CertSummary::of(der))
                .collect::<Vec<_>>()
        };
        let host = server_name.to_str().into_owned();
        let refused = verdict.err().map(|distrust| CertificateRefused {
            host: host.clone(),
            chain: chain(),
            distrust,
        });
        if let Some(observer) = &self.observer {
            observer.push(Presented {
                host,
                chain: chain(),
                refused: refused.as_ref().map(|r| r.to_string()),
            });
        }
        match refused {
            None => Ok(ServerCertVerified::assertion()),
            Some(refused) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(
                OtherError(Arc::new(refused)),
            ))),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The system's trust store as the platform verifier reads it, for `doctor`.
#[derive(Debug, Clone)]
pub struct TrustStore {
    /// Where it comes from: the system's files, or `SSL_CERT_FILE`/`SSL_CERT_DIR`.
    pub source: String,
    /// How many authorities it holds, where scimplan reads them itself.
    pub authorities: Option<usize>,
    /// Files that could not be read.
    pub problems: Vec<String>,
}

/// The trust store in use (see `TrustStore`).
#[cfg(all(unix, not(target_os = "android"), not(target_vendor = "apple")))]
pub fn system_store() -> TrustStore {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let source = match (var("SSL_CERT_FILE"), var("SSL_CERT_DIR")) {
        (Some(file), Some(dir)) => {
            format!("SSL_CERT_FILE={file} and SSL_CERT_DIR={dir}, in place of the system's CA files")
        }
        (Some(file), None) => format!("SSL_CERT_FILE={file}, in place of the system's CA files"),
        (None, Some(dir)) => format!("SSL_CERT_DIR={dir}, in place of the system's CA files"),
        (None, None) => {
            "the system's CA files (where OpenSSL looks; SSL_CERT_FILE and SSL_CERT_DIR are not set)"
                .into()
        }
    };
    let found = rustls_native_certs::load_native_certs();
    TrustStore {
        source,
        authorities: Some(found.certs.len()),
        problems: found.errors.iter().map(|e| e.to_string()).collect(),
    }
}

/// The trust store in use (see `TrustStore`).
#[cfg(not(all(unix, not(target_os = "android"), not(target_vendor = "apple"))))]
pub fn system_store() -> TrustStore {
    TrustStore {
        source: "the system's trust settings, checked by the operating system's verifier".into(),
        authorities: None,
        problems: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca(name: &str) -> rcgen::CertifiedKey<rcgen::KeyPair> {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        let signing_key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&signing_key).unwrap();
        rcgen::CertifiedKey { cert, signing_key }
    }

    #[test]
    fn ca_files_are_read_as_pem_or_der_and_named_when_they_cannot_be() {
        let dir = tempfile::tempdir().unwrap();
        let first = ca("First Test CA");
        let second = ca("Second Test CA");
        let pem = dir.path().join("two.pem");
        std::fs::write(&pem, format!("{}{}", first.cert.pem(), second.cert.pem())).unwrap();
        let der = dir.path().join("one.der");
        std::fs::write(&der, first.cert.der()).unwrap();
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a certificate").unwrap();

        let path = |p: &std::path::Path| p.display().to_string();
        let read = describe_ca_file(&path(&pem), "test").unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].subject, "CN=First Test CA");
        assert!(read[1].self_issued(), "{:?}", read[1]);
        assert_eq!(load_ca_file(&path(&der), "test").unwrap().len(), 1);
        let err = load_ca_file(&path(&text), "given here").unwrap_err();
        assert!(
            err.contains("notes.txt (given here) holds no certificate"),
            "{err}"
        );
        let err = load_ca_file(&path(&dir.path().join("gone.pem")), "x").unwrap_err();
        assert!(
            err.contains("gone.pem") && err.contains("cannot be read"),
            "{err}"
        );
    }

    #[test]
    fn a_refusal_names_the_host_the_issuer_and_the_ways_to_trust() {
        let refused = CertificateRefused {
            host: "scim.test".into(),
            chain: vec![CertSummary {
                subject: "CN=scim.test".into(),
                issuer: "CN=Private CA".into(),
                not_after: "2030".into(),
            }],
            distrust: Distrust::UnknownIssuer,
        };
        let text = refused.to_string();
        for part in [
            "scim.test",
            "CN=Private CA",
            "trust store",
            "SSL_CERT_FILE",
            "--ca-cert",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
        let expired = CertificateRefused {
            distrust: Distrust::Other("certificate expired".into()),
            ..refused
        }
        .to_string();
        assert!(
            expired.contains("certificate expired") && !expired.contains("--ca-cert"),
            "{expired}"
        );
    }
}
