//! A per-address limit on form posts that anyone can send: the opt-out forms (so they cannot be used
//! to hammer the register or to try NHS numbers at speed) and signing in, setting and resetting
//! passwords (so they cannot be used to guess passwords or flood people with email; sign-in also
//! counts failures per account). Each group has its own count. Counts are per instance and per
//! minute: a first line of defence, kept small and in memory because nothing here needs to outlive
//! a minute.
//!
//! Also what a request body may be: its size unless a route says otherwise, and the time it has
//! to arrive (connections themselves are limited in `server`).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Posts allowed per address per window.
pub const MAX_POSTS: u32 = 20;
pub const WINDOW: Duration = Duration::from_secs(60);

/// The forms counted together: each group's routes get [`public_forms`] with their group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormGroup {
    /// Opting out and changing an opt-out.
    OptOut,
    /// Signing in, setting and resetting passwords.
    Account,
    /// Residents' challenges and questions, and their private pages: fewer, since each one
    /// sent lands in an organisation's inbox.
    Challenges,
}

impl FormGroup {
    /// Posts allowed per address per window.
    pub fn max_posts(self) -> u32 {
        match self {
            FormGroup::OptOut | FormGroup::Account => MAX_POSTS,
            FormGroup::Challenges => MAX_CHALLENGE_POSTS,
        }
    }
}

/// Posts allowed per address per window to the challenge and question forms.
pub const MAX_CHALLENGE_POSTS: u32 = 10;

/// For each address and group: when its window started, and posts since.
type Windows = HashMap<(IpAddr, FormGroup), (Instant, u32)>;

#[derive(Clone, Default)]
pub struct FormLimiter {
    seen: Arc<Mutex<Windows>>,
}

impl FormLimiter {
    /// Counts one post from `ip` to a form of `group`; false when it is over the limit.
    pub fn allow(&self, ip: IpAddr, group: FormGroup, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        // Forget old windows now and then so the map stays small.
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry((ip, group)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= group.max_posts()
    }
}

/// Applies the limit to posts to a group of forms anyone can send.
pub async fn public_forms(
    State((limiter, group)): State<(FormLimiter, FormGroup)>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST {
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = ip
            && !limiter.allow(ip, group, Instant::now())
        {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(axum::http::header::RETRY_AFTER, "60")],
                "Too many forms sent from your connection. Wait a minute and try again.",
            )
                .into_response();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_a_burst_then_refuses_until_the_window_passes() {
        let l = FormLimiter::default();
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t = Instant::now();
        let g = FormGroup::OptOut;
        for _ in 0..MAX_POSTS {
            assert!(l.allow(ip, g, t));
        }
        assert!(!l.allow(ip, g, t));
        assert!(l.allow(other, g, t), "other addresses are not affected");
        assert!(
            l.allow(ip, FormGroup::Account, t),
            "each group has its own count"
        );
        assert!(l.allow(ip, g, t + WINDOW), "a new window starts afresh");
    }
}

/// The largest body any route takes unless it says otherwise: every form a person fills in.
/// Routes that need more set their own (the editor, the write API, imports, dataset checks).
pub const DEFAULT_BODY_BYTES: usize = 64 * 1024;

/// A request body that must arrive whole by a deadline. tower-http's body timeout restarts at
/// every chunk, so a body trickled a byte at a time never times out; this one does, and the
/// memory it held is freed.
struct DeadlineBody {
    inner: axum::body::Body,
    deadline: std::pin::Pin<Box<tokio::time::Sleep>>,
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTooSlow;

impl http_body::Body for DeadlineBody {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, axum::Error>>> {
        use std::future::Future;
        use std::task::Poll;
        let this = &mut *self;
        if let Poll::Ready(frame) = std::pin::Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame);
        }
        match this.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow)))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Gives every request body `limit` to arrive.
pub async fn body_deadline(
    State(limit): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let has_body = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !has_body {
        return next.run(request).await;
    }
    let request = request.map(|inner| {
        axum::body::Body::new(DeadlineBody {
            inner,
            deadline: Box::pin(tokio::time::sleep(limit)),
        })
    });
    next.run(request).await
}
