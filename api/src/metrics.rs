//! Prometheus metrics (OpenMetrics text): requests by route template and status, latency
//! histograms, the pool's connections, database errors, the background jobs' runs,
//! durations and backlog, and the build.

use std::sync::LazyLock;

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

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobRunLabels {
    pub job: String,
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    pub queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BuildLabels {
    pub version: String,
}

/// Database errors by kind, counted where they are turned into answers (which have no
/// access to the app's state): process-wide.
static DB_ERRORS: LazyLock<Family<KindLabels, Counter>> = LazyLock::new(Family::default);

/// Counts a database error: `unavailable` (no connection, a lost one, a statement timeout)
/// or `other` (a failed statement: a bug).
pub fn db_error(kind: &str) {
    DB_ERRORS
        .get_or_create(&KindLabels {
            kind: kind.to_owned(),
        })
        .inc();
}

/// The background jobs `zhengwu serve` runs (see its `every`), listed with zero runs from
/// the start so that a dashboard has their series before the first run.
pub const JOBS: [&str; 5] = [
    "alerts",
    "statistics",
    "obligations",
    "audit_checkpoint",
    "housekeeping",
];

/// What a background job did in one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobOutcome {
    Ok,
    Failed,
}

pub struct Metrics {
    registry: Registry,
    job_runs: Family<JobRunLabels, Counter>,
    job_duration: Family<JobLabels, Histogram>,
    job_last_success: Family<JobLabels, Gauge>,
    queue_backlog: Family<QueueLabels, Gauge>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_available: Gauge,
    pool_waiting: Gauge,
    shared_sessions: Gauge,
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
        let shared_sessions = Gauge::default();
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
        registry.register(
            "db_shared_sessions",
            "Sessions open beside the pools for the HTTP workers' shared reads",
            shared_sessions.clone(),
        );
        registry.register(
            "db_errors",
            "Database errors answered as 503 (unavailable) or 500 (other), by kind",
            DB_ERRORS.clone(),
        );
        let job_runs = Family::<JobRunLabels, Counter>::default();
        let job_duration = Family::<JobLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 4.0, 10))
        });
        let job_last_success = Family::<JobLabels, Gauge>::default();
        let queue_backlog = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "job_runs",
            "Runs of the background jobs (alerts, statistics, obligations, audit_checkpoint, \
             housekeeping) by outcome",
            job_runs.clone(),
        );
        registry.register(
            "job_duration_seconds",
            "Duration of the background jobs' runs",
            job_duration.clone(),
        );
        registry.register(
            "job_last_success_timestamp_seconds",
            "When each background job last ran without error (Unix time); the lag is now \
             minus this",
            job_last_success.clone(),
        );
        registry.register(
            "queue_backlog",
            "Entries waiting in the refreshers' queues (case statistics days, obligation changes), \
             read at the scrape",
            queue_backlog.clone(),
        );
        for kind in ["unavailable", "other"] {
            drop(DB_ERRORS.get_or_create(&KindLabels {
                kind: kind.to_owned(),
            }));
        }
        for job in JOBS {
            for outcome in ["ok", "failed"] {
                drop(job_runs.get_or_create(&JobRunLabels {
                    job: job.to_owned(),
                    outcome: outcome.to_owned(),
                }));
            }
            drop(job_duration.get_or_create(&JobLabels {
                job: job.to_owned(),
            }));
        }
        let build = Family::<BuildLabels, Gauge>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        registry.register("build_info", "The running build (always 1)", build);
        Self {
            registry,
            job_runs,
            job_duration,
            job_last_success,
            queue_backlog,
            requests,
            latency,
            pool_size,
            pool_available,
            pool_waiting,
            shared_sessions,
        }
    }

    /// A session for the HTTP workers' shared reads was opened (see
    /// `AppState::shared_read`).
    pub fn shared_session_opened(&self) {
        self.shared_sessions.inc();
    }

    /// A session for the HTTP workers' shared reads was closed.
    pub fn shared_session_closed(&self) {
        self.shared_sessions.dec();
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

    /// Records one run of a background job.
    pub fn job(&self, job: &str, outcome: JobOutcome, seconds: f64, now_unix: i64) {
        let outcome_label = match outcome {
            JobOutcome::Ok => "ok",
            JobOutcome::Failed => "failed",
        };
        self.job_runs
            .get_or_create(&JobRunLabels {
                job: job.to_owned(),
                outcome: outcome_label.to_owned(),
            })
            .inc();
        let labels = JobLabels {
            job: job.to_owned(),
        };
        self.job_duration.get_or_create(&labels).observe(seconds);
        if outcome == JobOutcome::Ok {
            self.job_last_success.get_or_create(&labels).set(now_unix);
        }
    }

    /// Sets the backlog of a refresher's queue.
    pub fn backlog(&self, queue: &str, entries: i64) {
        self.queue_backlog
            .get_or_create(&QueueLabels {
                queue: queue.to_owned(),
            })
            .set(entries);
    }

    /// The OpenMetrics text exposition, with the current numbers of the pools (summed: the
    /// shared one and the HTTP workers').
    pub fn render(&self, pools: &[zhengwu_persistence::PgPool]) -> String {
        let (mut size, mut available, mut waiting) = (0, 0, 0);
        for pool in pools {
            let s = pool.status();
            size += s.size as i64;
            available += s.available as i64;
            waiting += s.waiting as i64;
        }
        self.pool_size.set(size);
        self.pool_available.set(available);
        self.pool_waiting.set(waiting);
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            log::error!("cannot encode metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_jobs_runs_duration_and_last_success_are_exposed() {
        let m = Metrics::new();
        m.job("alerts", JobOutcome::Ok, 0.5, 1_765_000_000);
        m.job("alerts", JobOutcome::Failed, 0.1, 1_765_000_060);
        m.backlog("obligations", 7);
        let pool = zhengwu_persistence::db::create_pool(
            "postgres://nobody@127.0.0.1:1/none",
            &zhengwu_persistence::db::PoolSettings::default(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let text = m.render(&[pool]);
        for line in [
            "zhengwu_job_runs_total{job=\"alerts\",outcome=\"ok\"} 1",
            "zhengwu_job_runs_total{job=\"alerts\",outcome=\"failed\"} 1",
            "zhengwu_job_duration_seconds_count{job=\"alerts\"} 2",
            // A failed run leaves the last success where it was.
            "zhengwu_job_last_success_timestamp_seconds{job=\"alerts\"} 1765000000",
            "zhengwu_queue_backlog{queue=\"obligations\"} 7",
            "zhengwu_db_pool_connections 0",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }
}
