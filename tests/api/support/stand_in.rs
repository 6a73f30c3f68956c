//! Local stand-ins for servers UMBRA talks to: an HTTP server (e.g. ntfy) that records every
//! request and answers from a queue of prepared replies, and a canary listener that must
//! never be contacted. Both bind loopback addresses; tests reach the stand-in through the
//! admin's outbound allow-list, which is exactly the mechanism under test.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }
}

/// A prepared answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn status(status: u16, body: &str) -> Self {
        Self { status, headers: Vec::new(), body: body.to_string() }
    }

    pub fn redirect(location: &str) -> Self {
        Self { status: 302, headers: vec![("Location".into(), location.into())], body: String::new() }
    }
}

/// An HTTP/1.1 server on `ip`:random port. Replies come from the queue, then 200 `{}`.
pub struct StandIn {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    replies: Arc<Mutex<VecDeque<Reply>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl StandIn {
    pub async fn start(ip: &str) -> StandIn {
        let listener = TcpListener::bind((ip, 0)).await.expect("bind the stand-in");
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(Mutex::new(VecDeque::new()));
        let (seen, queue) = (requests.clone(), replies.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, queue) = (seen.clone(), queue.clone());
                tokio::spawn(async move {
                    let _ = serve_one(stream, seen, queue).await;
                });
            }
        });
        StandIn { addr, requests, replies, task }
    }

    /// The base URL, e.g. `http://127.0.0.2:40123`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn reply_next(&self, reply: Reply) {
        self.replies.lock().unwrap().push_back(reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve_one(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<Recorded>>>,
    queue: Arc<Mutex<VecDeque<Reply>>>,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            return Ok(());
        }
        buffer.extend_from_slice(&chunk[..read]);
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let path = request_line.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let length =
        headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse::<usize>().ok()).unwrap_or(0);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    // Recorded before the answer goes out: once the client has its answer, the test sees it.
    seen.lock().unwrap().push(Recorded { method, path, headers, body });
    let reply = queue.lock().unwrap().pop_front().unwrap_or_else(|| Reply::status(200, "{}"));
    let mut answer = format!(
        "HTTP/1.1 {} Stand-in\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        reply.body.len()
    );
    for (name, value) in &reply.headers {
        answer.push_str(name);
        answer.push_str(": ");
        answer.push_str(value);
        answer.push_str("\r\n");
    }
    answer.push_str("\r\n");
    answer.push_str(&reply.body);
    stream.write_all(answer.as_bytes()).await?;
    stream.shutdown().await
}

/// A listener nobody may reach. It never accepts on its own: `contacted` asks the kernel
/// whether any connection is waiting, so the check needs no waiting and misses nothing (a
/// connection that reached the port stays queued until accepted).
pub struct Canary {
    listener: StdListener,
    pub port: u16,
}

impl Canary {
    pub fn start() -> Canary {
        let listener = StdListener::bind("127.0.0.1:0").expect("bind the canary");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        Canary { listener, port }
    }

    /// How many connections reached the canary since the last call.
    pub fn contacted(&self) -> usize {
        let mut count = 0;
        loop {
            match self.listener.accept() {
                Ok(_) => count += 1,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return count,
                Err(e) => panic!("canary: {e}"),
            }
        }
    }
}
