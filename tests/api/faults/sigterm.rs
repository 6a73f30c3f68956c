//! SIGTERM, as systemd stops the service, on the database of the run.
//!
//! Requests in flight when it arrives complete with 2xx and the process exits 0; a request the
//! server did not take any more fails at the client and was not carried out (no write is done
//! without its answer reaching the client).
//!
//! The dispatcher: pushes to a slow ntfy stand-in are in flight when SIGTERM arrives. The
//! process waits for its pass to finish, so every push ntfy received is recorded as sent and
//! no lease is left behind; after a restart the rest is delivered, and the stand-in has
//! received every notification exactly once. (A push sent but not recorded, as when the
//! process exited under the pass, would keep its lease and go out a second time once the
//! lease lapsed: the leases and records checked between the two processes are what rule that
//! out.)

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use umbra::db::{Db, outbound_allow};
use umbra::domain::time::UtcMillis;
use umbra::outbound::allow::AllowList;

use super::{Setting, iso, json_request};

/// One write of the load: its title, when it was sent and answered, and the answer.
#[derive(Debug)]
struct Sent {
    title: String,
    at: Instant,
    answered: Instant,
    status: Option<u16>,
}

async fn writer(client: reqwest::Client, base: String, n: usize, acked: Arc<AtomicUsize>) -> Vec<Sent> {
    let mut sent = Vec::new();
    for i in 0.. {
        let title = format!("s{n}-{i}");
        let at = Instant::now();
        let result =
            json_request(&client, Method::POST, format!("{base}/api/todos"), &json!({"title": title})).send().await;
        let status = match result {
            Ok(response) => {
                let status = response.status().as_u16();
                response.bytes().await.ok().map(|_| status)
            }
            Err(_) => None,
        };
        sent.push(Sent { title, at, answered: Instant::now(), status });
        match status {
            Some(status) if (200..300).contains(&status) => {
                acked.fetch_add(1, Ordering::Relaxed);
            }
            _ => break,
        }
    }
    sent
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_at_sigterm_complete_and_the_process_exits_zero() {
    let setting = Setting::with_user("alice").await;
    let mut umbra = setting.start();
    let client = umbra.signed_in("alice").await;
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> =
        (0..16).map(|n| tokio::spawn(writer(client.clone(), umbra.base.clone(), n, acked.clone()))).collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.load(Ordering::Relaxed) < 40 {
        assert!(Instant::now() < deadline, "the load did not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let term = Instant::now();
    umbra.sigterm();
    let exit = umbra.wait_exit(Duration::from_secs(20));
    let exited = term.elapsed();
    assert!(exit.success(), "exit {exit:?}: {}", umbra.log());
    let mut all = Vec::new();
    for writer in writers {
        all.extend(writer.await.unwrap());
    }

    for write in &all {
        if let Some(status) = write.status {
            assert!((200..300).contains(&status), "{write:?}: a request the server took must complete");
        }
    }
    let in_flight = all.iter().filter(|w| w.at < term && w.answered > term && w.status.is_some()).count();
    assert!(in_flight > 0, "no request was in flight at SIGTERM");
    let db = Db::connect(&setting.database.url).await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT title FROM todos").fetch_all(db.pool()).await.unwrap();
    db.close().await;
    for write in &all {
        let there = stored.contains(&write.title);
        match write.status {
            Some(_) => assert!(there, "{write:?} was answered 2xx but is not stored"),
            None => assert!(!there, "{write:?} was carried out but its answer never reached the client"),
        }
    }
    eprintln!("faults::sigterm: {in_flight} requests in flight at SIGTERM completed; exited 0 after {exited:?}");
}

/// An ntfy stand-in that takes its time: each push is recorded as it arrives and answered
/// 200 after `delay`, so a test can stop the server while pushes are in flight.
struct SlowNtfy {
    addr: SocketAddr,
    titles: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SlowNtfy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SlowNtfy {
    async fn start(delay: Duration) -> SlowNtfy {
        let listener = TcpListener::bind("127.0.0.2:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let titles = Arc::new(Mutex::new(Vec::new()));
        let seen = titles.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buffer = Vec::new();
                    let mut chunk = [0u8; 4096];
                    let body = loop {
                        let Ok(read) = stream.read(&mut chunk).await else { return };
                        if read == 0 {
                            return;
                        }
                        buffer.extend_from_slice(&chunk[..read]);
                        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if buffer.len() >= end + 4 + length {
                            break buffer[end + 4..end + 4 + length].to_vec();
                        }
                    };
                    let message: Value = serde_json::from_slice(&body).unwrap_or_default();
                    seen.lock().unwrap().push(message["title"].as_str().unwrap_or_default().to_string());
                    tokio::time::sleep(delay).await;
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                        .await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        SlowNtfy { addr, titles, task }
    }

    fn received(&self) -> Vec<String> {
        self.titles.lock().unwrap().clone()
    }
}

async fn count(db: &Db, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(db.pool()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_push_delivery_releases_the_leases_and_nothing_is_delivered_twice() {
    const FIRST: usize = 30;
    const LATER: usize = 10;
    let ntfy = SlowNtfy::start(Duration::from_millis(1500)).await;
    let setting = Setting::with_user("erin").await;
    let (database, user) = (&setting.database, setting.user);
    let db = Db::connect(&database.url).await.unwrap();
    outbound_allow::save(db.pool(), &AllowList::parse(&["127.0.0.2".to_string()]).unwrap()).await.unwrap();
    sqlx::query(
        "INSERT INTO user_settings (user_id, timezone, ntfy_server, ntfy_topic, updated_at) VALUES ($1, 'UTC', $2, 'faults', 0)",
    )
    .bind(user)
    .bind(format!("http://{}", ntfy.addr))
    .execute(db.pool())
    .await
    .unwrap();
    db.close().await;

    let mut umbra = setting.start();
    let client = umbra.signed_in("erin").await;
    let due = UtcMillis::now().0 + 3_000;
    for n in 0..FIRST + LATER {
        let at = if n < FIRST { due } else { due + 4_000 };
        let body = json!({"title": format!("r{n}"), "remind_at": iso(at)});
        let created = json_request(&client, Method::POST, umbra.url("/api/reminders"), &body).send().await.unwrap();
        assert_eq!(created.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    while ntfy.received().is_empty() {
        assert!(Instant::now() < deadline, "no push reached the stand-in");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    umbra.sigterm();
    let exit = umbra.wait_exit(Duration::from_secs(25));
    assert!(exit.success(), "exit {exit:?}: {}", umbra.log());

    // Between the processes: no lease held, and what ntfy received is exactly what is
    // recorded as sent (so nothing it received can go out again).
    let received = ntfy.received();
    let db = Db::connect(&database.url).await.unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM push_deliveries WHERE claimed_at IS NOT NULL").await, 0, "leases left");
    let mut recorded: Vec<String> = sqlx::query_scalar("SELECT title FROM push_deliveries WHERE status = 'sent'")
        .fetch_all(db.pool())
        .await
        .unwrap();
    recorded.sort();
    let mut sent_so_far = received.clone();
    sent_so_far.sort();
    assert_eq!(recorded, sent_so_far, "every push ntfy received is recorded as sent, and only those");
    db.close().await;

    let mut umbra = setting.start();
    let db = Db::connect(&database.url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sent = count(&db, "SELECT COUNT(*) FROM push_deliveries WHERE status = 'sent'").await;
        if sent == i64::try_from(FIRST + LATER).unwrap() {
            break;
        }
        assert!(Instant::now() < deadline, "{sent} pushes sent after the restart");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for title in ntfy.received() {
        *times.entry(title).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = (0..FIRST + LATER).map(|n| (format!("r{n}"), 1)).collect();
    assert_eq!(times, expected, "every reminder pushed exactly once");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM notifications").await,
        i64::try_from(FIRST + LATER).unwrap(),
        "one in-app notification each"
    );
    db.close().await;
    umbra.sigterm();
    assert!(umbra.wait_exit(Duration::from_secs(25)).success());
    eprintln!(
        "faults::sigterm: {} pushes in flight or done at SIGTERM all recorded, no lease left; {} delivered once each \
         across the restart",
        received.len(),
        FIRST + LATER
    );
}
