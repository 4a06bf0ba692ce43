//! A per-address limit on resident form posts, so the opt-out forms cannot be used to hammer the
//! register or to try NHS numbers at speed. Counts are per instance and per minute: a first line
//! of defence, kept small and in memory because nothing here needs to outlive a minute.

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

#[derive(Clone, Default)]
pub struct FormLimiter {
    seen: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

impl FormLimiter {
    /// Counts one post from `ip`; false when it is over the limit.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let Ok(mut seen) = self.seen.lock() else {
            return true;
        };
        // Forget old windows now and then so the map stays small.
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= MAX_POSTS
    }
}

/// Applies the limit to form posts under `/opt-out`.
pub async fn resident_forms(
    State(limiter): State<FormLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() == Method::POST && request.uri().path().starts_with("/opt-out") {
        let ip = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        if let Some(ip) = ip
            && !limiter.allow(ip, Instant::now())
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
        for _ in 0..MAX_POSTS {
            assert!(l.allow(ip, t));
        }
        assert!(!l.allow(ip, t));
        assert!(l.allow(other, t), "other addresses are not affected");
        assert!(l.allow(ip, t + WINDOW), "a new window starts afresh");
    }
}
