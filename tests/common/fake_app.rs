//! Apps that misbehave, written for the tests: a loopback HTTP server answering each request
//! with a scripted reply.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Reply {
    pub delay: Duration,
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<String>,
    pub body: String,
}

pub fn reply(status: u16, body: impl Into<String>) -> Reply {
    Reply {
        delay: Duration::ZERO,
        status,
        content_type: "application/scim+json",
        headers: Vec::new(),
        body: body.into(),
    }
}

/// An app on a loopback port answering with `answer(request number, request head)`.
pub struct FakeApp {
    pub url: String,
    pub heads: Arc<Mutex<Vec<String>>>,
}

pub fn fake_app(answer: impl Fn(usize, &str) -> Reply + Send + Sync + 'static) -> FakeApp {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    let answer = Arc::new(answer);
    let count = Arc::new(AtomicUsize::new(0));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(100).flatten() {
            let (seen, answer, count) = (seen.clone(), answer.clone(), count.clone());
            std::thread::spawn(move || serve(stream, &seen, &*answer, &count));
        }
    });
    FakeApp { url, heads }
}

fn serve(
    mut stream: TcpStream,
    seen: &Mutex<Vec<String>>,
    answer: &dyn Fn(usize, &str) -> Reply,
    count: &AtomicUsize,
) {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    seen.lock().unwrap().push(head.clone());
    let reply = answer(count.fetch_add(1, Ordering::SeqCst), &head);
    std::thread::sleep(reply.delay);
    let mut text = format!(
        "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.content_type,
        reply.body.len()
    );
    for header in &reply.headers {
        text.push_str(header);
        text.push_str("\r\n");
    }
    text.push_str("\r\n");
    text.push_str(&reply.body);
    let _ = stream.write_all(text.as_bytes());
}
