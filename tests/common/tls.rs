//! A private certificate authority made at test time, HTTPS servers on loopback with
//! certificates it issued, and a CONNECT proxy that logs the tunnels it opens. Loopback only.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate authority nobody trusts until a test says so.
pub struct PrivateCa {
    pub name: String,
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl PrivateCa {
    /// A root named `CN=<name>, O=scimplan tests`.
    pub fn new(name: &str) -> PrivateCa {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
            rcgen::KeyUsagePurpose::DigitalSignature,
        ];
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, name);
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "scimplan tests");
        let issuer =
            rcgen::CertifiedIssuer::self_signed(params, rcgen::KeyPair::generate().unwrap())
                .unwrap();
        PrivateCa {
            name: name.to_string(),
            issuer,
        }
    }

    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes the CA's certificate as PEM into `dir`.
    pub fn write_pem(&self, dir: &Path, file: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, self.pem()).unwrap();
        path
    }

    /// A server certificate for `names` (DNS names or IP addresses) and its key.
    pub fn issue(&self, names: &[&str]) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = rcgen::CertificateParams::new(names.clone()).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, names[0].as_str());
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
    }
}

/// An HTTPS server on 127.0.0.1 answering every request with `200` and a small JSON body (or
/// passing the bytes on to `backend`), counting the requests that got past the handshake.
pub struct TlsServer {
    pub port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl TlsServer {
    /// Serves with a certificate `ca` issued for `localhost` and `127.0.0.1`.
    pub fn start(ca: &PrivateCa) -> TlsServer {
        TlsServer::start_with(ca.issue(&["localhost", "127.0.0.1"]), None)
    }

    /// Serves TLS in front of the plain HTTP server at `backend` (host:port).
    pub fn in_front_of(ca: &PrivateCa, backend: &str) -> TlsServer {
        TlsServer::start_with(
            ca.issue(&["localhost", "127.0.0.1"]),
            Some(backend.to_string()),
        )
    }

    fn start_with(
        (chain, key): (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>),
        backend: Option<String>,
    ) -> TlsServer {
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let config = config.clone();
                let seen = seen.clone();
                let backend = backend.clone();
                std::thread::spawn(move || serve_tls(stream, config, seen, backend));
            }
        });
        TlsServer { port, requests }
    }

    pub fn url(&self, host: &str) -> String {
        format!("https://{host}:{}", self.port)
    }

    /// The request lines that reached the server (after a handshake the client trusted).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve_tls(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    seen: Arc<Mutex<Vec<String>>>,
    backend: Option<String>,
) {
    let connection = rustls::ServerConnection::new(config).unwrap();
    let mut tls = rustls::StreamOwned::new(connection, stream);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match tls.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    seen.lock()
        .unwrap()
        .push(text.lines().next().unwrap_or("").to_string());
    let length: usize = text
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if tls.read_exact(&mut body).is_err() {
        return;
    }
    let answer = match backend {
        None => {
            let body = r#"{"served":"over tls"}"#;
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        Some(backend) => {
            // One request per connection: ask the backend to close, pass its answer back.
            let Ok(mut plain) = TcpStream::connect(&backend) else {
                return;
            };
            let head = text
                .lines()
                .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
                .collect::<Vec<_>>()
                .join("\r\n");
            let _ = plain
                .write_all(format!("{}\r\nConnection: close\r\n\r\n", head.trim_end()).as_bytes());
            let _ = plain.write_all(&body);
            let mut answer = Vec::new();
            let _ = plain.read_to_end(&mut answer);
            answer
        }
    };
    let _ = tls.write_all(&answer);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// An HTTP proxy on 127.0.0.1 that opens CONNECT tunnels and logs each (`host:port`);
/// anything else is refused with 405 and logged as it came.
pub struct ConnectProxy {
    pub port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = log.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen.clone();
                std::thread::spawn(move || tunnel(stream, seen));
            }
        });
        ConnectProxy { port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The tunnels opened (`localhost:4431`) and other requests refused, in order.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

fn tunnel(client: TcpStream, log: Arc<Mutex<Vec<String>>>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).unwrap_or(0) == 0 {
        return;
    }
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
        line.clear();
    }
    let mut client = client;
    let parts: Vec<&str> = request.split_whitespace().collect();
    let ["CONNECT", target, _] = parts.as_slice() else {
        log.lock()
            .unwrap()
            .push(format!("refused: {}", request.trim()));
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    log.lock().unwrap().push(target.to_string());
    let Ok(server) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    // Bytes the reader already took past the request head go first.
    let early = reader.buffer().to_vec();
    let mut upstream = server.try_clone().unwrap();
    let _ = upstream.write_all(&early);
    let mut down_from = server;
    let mut down_to = client.try_clone().unwrap();
    let down = std::thread::spawn(move || {
        let _ = std::io::copy(&mut down_from, &mut down_to);
        let _ = down_to.shutdown(Shutdown::Write);
    });
    let _ = std::io::copy(&mut client, &mut upstream);
    let _ = upstream.shutdown(Shutdown::Write);
    let _ = down.join();
}
