//! `zhengwu seed --scale N`: synthetic records at the volumes of a real city, for
//! benchmarks. The demo data set is loaded first (its accounts drive the benchmark); then N
//! units are generated set-wise inside PostgreSQL (the steps in `sql/`), each about 460
//! organisations, 200,000 disclosure items with Chinese titles and bodies, 2,000 service
//! matters, 1,000,000 cases over three years in every state, 100,000 disclosure
//! applications, 100,000 hotline tickets, evaluations and three years of attendance and
//! window assessments. Unit 0 hangs under the demo city; the others are cities of their own.
//!
//! Seeded accounts (password [`DEMO_PASSWORD`]) are `seed{unit}.c{county:02}.{admin,
//! disclosure,reviewer,supervisor,clerk1..clerk10}`; every seeded case and ticket has the
//! query password [`QUERY_PASSWORD`]. Seeded records have no per-record audit events and no
//! case timelines: the audit log records the seeding itself.

use std::fmt::Write as _;
use std::time::Instant;

use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Nullable};
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

use crate::auth::hash_password;
use crate::config::Config;
use crate::demo::{self, DEMO_PASSWORD};

mod words;

use self::words::words_table;

/// The query password of every seeded case and hotline ticket.
pub const QUERY_PASSWORD: &str = "SEED2026";

/// The steps that seed one unit, in order: a name and the SQL that is run as one batch.
/// Unit 0 is seeded under the demo city, each later unit as a city of its own. In the SQL,
/// `@U@` is the unit number and `@PW@` the password hash of every seeded account. Every
/// record is generated set-wise from generate_series; no row goes through the API.
const STEPS: &[(&str, &str)] = &[
    ("organisations", include_str!("sql/organisations.sql")),
    (
        "staff and windows",
        include_str!("sql/staff_and_windows.sql"),
    ),
    ("service matters", include_str!("sql/service_matters.sql")),
    ("disclosure items", include_str!("sql/disclosure_items.sql")),
    ("cases", include_str!("sql/cases.sql")),
    ("evaluations", include_str!("sql/evaluations.sql")),
    (
        "disclosure applications",
        include_str!("sql/disclosure_applications.sql"),
    ),
    ("hotline tickets", include_str!("sql/hotline_tickets.sql")),
    (
        "attendance and assessments",
        include_str!("sql/attendance_and_assessments.sql"),
    ),
];

#[derive(QueryableByName)]
struct Scale {
    #[diesel(sql_type = Nullable<Integer>)]
    scale: Option<i32>,
    #[diesel(sql_type = BigInt)]
    partial: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut zhengwu_persistence::Conn, table: &str) -> Result<i64, String> {
    diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n)
        .map_err(|e| format!("cannot count {table}: {e}"))
}

/// The table whose rows a seeding step adds (for its count and rate).
fn table_of(step: &str) -> &'static str {
    match step {
        "organisations" => "organizations",
        "staff and windows" => "users",
        "service matters" => "service_matters",
        "disclosure items" => "disclosure_items",
        "cases" => "cases",
        "evaluations" => "evaluations",
        "disclosure applications" => "disclosure_requests",
        "hotline tickets" => "hotline_tickets",
        _ => "assessments",
    }
}

/// `3m07s`.
fn duration(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as u64;
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

/// Progress on standard error, one line per phase, as it happens.
struct Progress {
    started: Instant,
}

impl Progress {
    fn line(&self, what: std::fmt::Arguments<'_>) {
        eprintln!(
            "[seed {:>7}] {what}",
            duration(self.started.elapsed().as_secs_f64())
        );
    }
}

/// Seeds the database of `config` at `scale` units, writing each phase's progress (rows,
/// rate, time left) to standard error, and returns a summary. A database seeded at the same
/// scale is left as it is.
pub async fn run(config: &Config, scale: u32) -> Result<String, String> {
    if !(1..=100).contains(&scale) {
        return Err("--scale must be between 1 and 100".to_owned());
    }
    let started = Instant::now();
    let mut conn = demo::connect(config).await?;
    let before = diesel::sql_query(
        "SELECT (SELECT (after->>'scale')::int FROM audit_events WHERE action = 'seed.load' \
                 ORDER BY id DESC LIMIT 1) AS scale, \
                (SELECT count(*) FROM users WHERE username LIKE 'seed%.c01.admin') AS partial",
    )
    .get_result::<Scale>(&mut conn)
    .await
    .map_err(|e| format!("cannot read the database: {e}"))?;
    match before {
        Scale { scale: Some(s), .. } if s == scale as i32 => {
            return Ok(format!(
                "the database is already seeded at scale {s}; nothing changed"
            ));
        }
        Scale { scale: Some(s), .. } => {
            return Err(format!(
                "the database is seeded at scale {s}; seed scale {scale} into a fresh database"
            ));
        }
        Scale { partial, .. } if partial > 0 => {
            return Err(
                "an earlier seed run did not finish; seed into a fresh database".to_owned(),
            );
        }
        Scale { .. } => {}
    }
    let mut report = String::new();
    let progress = Progress { started };
    progress.line(format_args!(
        "seeding scale {scale}: {scale} unit(s) of {} steps, then statistics and obligations",
        STEPS.len()
    ));
    let t = Instant::now();
    let demo = demo::load(config).await?;
    progress.line(format_args!(
        "demo data: {:.1} s ({})",
        t.elapsed().as_secs_f64(),
        demo.split(':').next().unwrap_or_default()
    ));
    let hash = hash_password(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("SELECT setseed(0.2026);\n{}", words_table()))
        .await
        .map_err(|e| format!("cannot prepare the vocabulary: {e}"))?;
    // The first unit's step durations: the model of the time left (the steps differ by
    // orders of magnitude, the units are alike).
    let mut first_unit: Vec<f64> = Vec::with_capacity(STEPS.len());
    for unit in 0..scale {
        for (i, (name, sql)) in STEPS.iter().enumerate() {
            let t = Instant::now();
            let table = table_of(name);
            let before = count(&mut conn, table).await?;
            let sql = sql.replace("@U@", &unit.to_string()).replace("@PW@", &hash);
            conn.batch_execute(&sql)
                .await
                .map_err(|e| format!("seeding unit {unit}, step {name}: {e}"))?;
            if *name == "organisations" {
                demo::backfill_catalogues(config).await?;
            }
            let added = count(&mut conn, table).await? - before;
            let secs = t.elapsed().as_secs_f64();
            if unit == 0 {
                first_unit.push(secs);
            }
            let left = if unit == 0 {
                if scale > 1 {
                    "; time left known after the first unit".to_owned()
                } else {
                    String::new()
                }
            } else {
                let unit_secs: f64 = first_unit.iter().sum();
                let rest_of_unit: f64 = first_unit.iter().skip(i + 1).sum();
                let left = rest_of_unit + f64::from(scale - unit - 1) * unit_secs;
                format!("; about {} left before the statistics", duration(left))
            };
            progress.line(format_args!(
                "unit {}/{scale}, step {}/{} {name}: {added} {table} in {secs:.1} s \
                 ({:.0}/s){left}",
                unit + 1,
                i + 1,
                STEPS.len(),
                added as f64 / secs.max(0.001),
            ));
        }
    }
    let t = Instant::now();
    progress.line(format_args!("analysing the tables ..."));
    conn.batch_execute("DROP TABLE IF EXISTS s_words, s_template; ANALYZE;")
        .await
        .map_err(|e| format!("cannot analyze: {e}"))?;
    progress.line(format_args!("analyse: {:.1} s", t.elapsed().as_secs_f64()));
    progress.line(format_args!("counting the case statistics ..."));
    let t = Instant::now();
    let counted = crate::app::statistics::refresh(&mut conn, crate::app::statistics::REFRESH_BATCH)
        .await
        .map_err(|e| format!("cannot count the case statistics: {e:?}"))?;
    progress.line(format_args!(
        "case statistics: {} days, {} cases: {:.1} s",
        counted.days,
        counted.cases,
        t.elapsed().as_secs_f64()
    ));
    progress.line(format_args!("deriving the stored obligations ..."));
    let t = Instant::now();
    let today = chrono::Utc::now()
        .with_timezone(&config.timezone)
        .date_naive();
    let settled = crate::alerts::obligations::refresh(
        &mut conn,
        crate::alerts::obligations::REFRESH_BATCH,
        today,
        config.timezone.name(),
    )
    .await
    .map_err(|e| format!("cannot derive the obligations: {e}"))?;
    progress.line(format_args!(
        "obligations: {} rows: {:.1} s",
        settled.rows,
        t.elapsed().as_secs_f64()
    ));
    demo::record(
        &mut conn,
        "seed.load",
        "database",
        "seed",
        None,
        serde_json::json!({"scale": scale, "seconds": started.elapsed().as_secs()}),
    )
    .await
    .map_err(|e| format!("cannot record the seeding: {e}"))?;
    for table in [
        "organizations",
        "users",
        "disclosure_items",
        "service_matters",
        "cases",
        "disclosure_requests",
        "hotline_tickets",
        "evaluations",
        "attendance_records",
        "assessments",
    ] {
        let _ = writeln!(report, "{table}: {}", count(&mut conn, table).await?);
    }
    let _ = write!(
        report,
        "seeded scale {scale} in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        duration(started.elapsed().as_secs_f64())
    );
    Ok(report)
}
