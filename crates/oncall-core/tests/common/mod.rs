//! A scripted HTTP/1.1 server on loopback, for the ways of misbehaving psa-sim does not offer
//! (redirects, links elsewhere, no token exchange): one request per connection, every request
//! recorded.
// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// A request as the stub saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// e.g. `POST`.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The header lines, names lowercased, e.g. `authorization: Bearer x`.
    pub headers: Vec<String>,
    /// The body.
    pub body: String,
}

impl Seen {
    /// A header's value, if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{}: ", name.to_ascii_lowercase());
        self.headers.iter().find_map(|l| l.strip_prefix(&prefix))
    }
}

/// An answer: status line (e.g. `307 Temporary Redirect`), extra header lines, JSON body.
pub type Answer = (&'static str, Vec<String>, String);

/// A running stub.
pub struct Stub {
    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    /// Serves `answer` for every request on a fresh loopback port.
    pub async fn start(answer: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (log, answer) = (seen.clone(), Arc::new(answer));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, log.clone(), answer.clone()));
            }
        });
        Self { url, seen }
    }

    /// Every request so far, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(
    mut socket: TcpStream,
    log: Arc<Mutex<Vec<Seen>>>,
    answer: Arc<impl Fn(&Seen) -> Answer>,
) {
    let mut buf = Vec::new();
    let (head, body) = loop {
        let mut chunk = [0_u8; 4096];
        let n = socket.read(&mut chunk).await.expect("read");
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().expect("length"))
            })
            .unwrap_or(0);
        if buf.len() >= end + 4 + length {
            break (head, String::from_utf8_lossy(&buf[end + 4..]).into_owned());
        }
    };
    let mut lines = head.lines();
    let request = lines.next().expect("request line").to_owned();
    let mut parts = request.split(' ');
    let seen = Seen {
        method: parts.next().expect("method").to_owned(),
        path: parts.next().expect("path").to_owned(),
        headers: lines
            .map(|l| match l.split_once(':') {
                Some((name, value)) => format!("{}: {}", name.to_ascii_lowercase(), value.trim()),
                None => l.to_owned(),
            })
            .collect(),
        body,
    };
    let (status, headers, body) = answer(&seen);
    log.lock().expect("lock").push(seen);
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n",
        body.len()
    );
    for h in headers {
        response.push_str(&h);
        response.push_str("\r\n");
    }
    response.push_str("\r\n");
    response.push_str(&body);
    socket.write_all(response.as_bytes()).await.expect("write");
}
