//! A tiny HTTP stub on loopback for answers psa-sim never gives (a `Retry-After` far in the
//! future, 405/410/413, success answers that lack what the contract promises): each request is
//! answered by a function of its method and path, one request per connection.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

/// What the stub answers: status line text (e.g. `405 Method Not Allowed`), extra headers,
/// and a body.
pub struct Answer {
    /// e.g. `429 Too Many Requests`.
    pub status: &'static str,
    /// Extra headers, e.g. `("Retry-After", "3600")`.
    pub headers: Vec<(&'static str, String)>,
    /// The body (sent as `application/json`).
    pub body: String,
}

impl Answer {
    /// An answer with a JSON body and no extra headers.
    pub fn json(status: &'static str, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }
}

/// A running stub; it serves on a background thread until the test process ends.
pub struct Stub {
    url: String,
    requests: Arc<AtomicU64>,
}

impl Stub {
    /// Serves `answer(method, path)` for every request.
    pub fn start(answer: impl Fn(&str, &str) -> Answer + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicU64::new(0));
        let counted = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                counted.fetch_add(1, Ordering::SeqCst);
                serve(stream, &answer);
            }
        });
        Self { url, requests }
    }

    /// The base URL to give `oncall` as `PSA_API_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// How many requests it received.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Reads one request (headers and body) and writes the answer; a broken client is ignored.
fn serve(stream: TcpStream, answer: &impl Fn(&str, &str) -> Answer) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut parts = request_line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or("").to_owned(),
        parts.next().unwrap_or("").to_owned(),
    );
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let a = answer(&method, &path);
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        a.status,
        a.body.len()
    );
    for (name, value) in &a.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(a.body.as_bytes());
}
