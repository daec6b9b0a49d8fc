//! Prometheus metrics: requests by route and status, latency histograms, pool usage.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    pub route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_available: Gauge,
    pool_waiting: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("zhengwu");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let pool_size = Gauge::default();
        let pool_available = Gauge::default();
        let pool_waiting = Gauge::default();
        registry.register(
            "http_requests",
            "HTTP requests by method, route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by method and route",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Connections held by the pool",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_available",
            "Idle connections in the pool",
            pool_available.clone(),
        );
        registry.register(
            "db_pool_waiting",
            "Requests waiting for a connection",
            pool_waiting.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_available,
            pool_waiting,
        }
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// The text exposition, with the pool's current numbers.
    pub fn render(&self, pool: &zhengwu_persistence::PgPool) -> String {
        let s = pool.status();
        self.pool_size.set(s.size as i64);
        self.pool_available.set(s.available as i64);
        self.pool_waiting.set(s.waiting as i64);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            log::error!("cannot encode metrics");
        }
        out
    }
}
