//! When a connection last moved a byte, and when it has therefore gone on too long in
//! silence: a connection must deliver its first request's headers within the header timeout,
//! and after that may stay silent in both directions for at most the idle timeout. Bytes are
//! noted by `Watched`, a pass-through wrapper around the connection's stream.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

#[derive(Clone)]
pub struct Activity(Arc<Inner>);

struct Inner {
    opened: Instant,
    /// Milliseconds after `opened` of the last byte read or written.
    last_ms: AtomicU64,
    /// Whether a request's headers have arrived on this connection.
    served: AtomicBool,
}

impl Activity {
    pub fn new() -> Self {
        Self(Arc::new(Inner { opened: Instant::now(), last_ms: AtomicU64::new(0), served: AtomicBool::new(false) }))
    }

    fn touch(&self) {
        let ms = self.0.opened.elapsed().as_millis() as u64;
        self.0.last_ms.store(ms, Ordering::Relaxed);
    }

    /// A request's headers arrived; from now on only silence closes the connection.
    pub fn request_started(&self) {
        self.0.served.store(true, Ordering::Relaxed);
        self.touch();
    }

    /// Resolves once the connection has overstayed: no request within `first_request`, or
    /// no traffic for `idle` after that.
    pub async fn expired(&self, first_request: Duration, idle: Duration) {
        loop {
            let deadline = if self.0.served.load(Ordering::Relaxed) {
                self.0.opened + Duration::from_millis(self.0.last_ms.load(Ordering::Relaxed)) + idle
            } else {
                self.0.opened + first_request
            };
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A stream that notes each byte it moves in an `Activity`.
pub struct Watched<IO> {
    io: IO,
    activity: Activity,
}

impl<IO> Watched<IO> {
    pub fn new(io: IO, activity: Activity) -> Self {
        Self { io, activity }
    }

    pub fn activity(&self) -> Activity {
        self.activity.clone()
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn silence_before_the_first_request_and_after_it() {
        let activity = Activity::new();
        let started = Instant::now();
        activity.expired(Duration::from_secs(15), Duration::from_mins(1)).await;
        assert_eq!(started.elapsed().as_secs(), 15, "no request: the header timeout applies");

        let activity = Activity::new();
        tokio::time::advance(Duration::from_secs(5)).await;
        activity.request_started();
        let started = Instant::now();
        activity.expired(Duration::from_secs(15), Duration::from_mins(1)).await;
        assert_eq!(started.elapsed().as_secs(), 60, "after a request: the idle timeout applies");
    }
}
