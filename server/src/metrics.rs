//! Request counters and latency histograms in the Prometheus text format.
//! Routes are labelled by their matched pattern, never by the raw path, so the
//! number of series stays bounded whatever clients send.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// (route pattern, method, status)
type SeriesKey = (String, String, u16);

#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Mutex<BTreeMap<SeriesKey, Series>>>,
}

impl Metrics {
    fn record(&self, route: String, method: String, status: u16, seconds: f64) {
        let mut map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.entry((route, method, status)).or_default();
        s.count += 1;
        s.sum_seconds += seconds;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    /// The exposition text; `extra` adds gauges known only to the caller.
    pub fn render(&self, extra: &[(&str, &str, f64)]) -> String {
        let map = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        out.push_str("# HELP fangxin_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE fangxin_http_requests_total counter\n");
        for ((route, method, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "fangxin_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        out.push_str("# HELP fangxin_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE fangxin_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<&str, Series> = BTreeMap::new();
        for ((route, _, _), s) in map.iter() {
            let r = by_route.entry(route.as_str()).or_default();
            r.count += s.count;
            r.sum_seconds += s.sum_seconds;
            for i in 0..BUCKETS.len() {
                r.buckets[i] += s.buckets[i];
            }
        }
        for (route, s) in by_route {
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "fangxin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "fangxin_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "fangxin_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "fangxin_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                s.count
            );
        }
        for (name, help, value) in extra {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// Middleware: times each request and records it under its route pattern.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = match req.extensions().get::<MatchedPath>() {
        Some(p) => p.as_str().to_string(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/*".to_string(),
        None => "other".to_string(),
    };
    let method = req.method().as_str().to_string();
    let response = next.run(req).await;
    metrics.record(
        route,
        method,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_buckets() {
        let m = Metrics::default();
        m.record("/".into(), "GET".into(), 200, 0.003);
        m.record("/".into(), "GET".into(), 200, 0.2);
        m.record("/".into(), "GET".into(), 404, 0.001);
        let text = m.render(&[("fangxin_up", "Always 1.", 1.0)]);
        assert!(text
            .contains("fangxin_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"} 2"));
        assert!(text
            .contains("fangxin_http_request_duration_seconds_bucket{route=\"/\",le=\"0.005\"} 2"));
        assert!(text.contains("fangxin_http_request_duration_seconds_count{route=\"/\"} 3"));
        assert!(text.contains("fangxin_up 1"));
    }
}
