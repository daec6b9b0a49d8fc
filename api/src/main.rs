//! The `zhengwu` binary: serve the API, migrate, bootstrap an administrator, print the
//! OpenAPI document, load demo data.

use std::io::Read;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use zhengwu_api::clock::SystemClock;
use zhengwu_api::config::{Config, ENV_HELP};
use zhengwu_api::metrics::JobOutcome;
use zhengwu_api::state::AppState;
use zhengwu_persistence::db;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "zhengwu", version, about = "zhengwu 政务: disclosure, services and supervision \
    API", after_help = ENV_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (applies pending migrations first unless ZHENGWU_MIGRATE=false).
    #[command(after_help = ENV_HELP)]
    Serve,
    /// Apply pending migrations and exit.
    #[command(after_help = ENV_HELP)]
    Migrate,
    /// Create a system administrator, or reset the password of an existing one.
    #[command(after_help = ENV_HELP)]
    CreateAdmin {
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required: passwords never go on the command
        /// line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[arg(long, default_value = "系统管理员")]
        display_name: String,
        /// Leave an existing account of this name as it is (its password too) instead of
        /// resetting it.
        #[arg(long)]
        keep_existing: bool,
    },
    /// Print the OpenAPI document as YAML (openapi.yaml is this output).
    Openapi,
    /// Load the demo data set (idempotent): a city with two counties, departments, halls with
    /// windows, staff of every role.
    #[command(after_help = ENV_HELP)]
    Demo,
    /// Fill the database with synthetic records for benchmarks (after the demo data): per
    /// unit of scale about 460 organisations, 200,000 disclosure items, 2,000 service
    /// matters, 1,000,000 cases, 200,000 applications and hotline tickets, evaluations and
    /// assessments. Use a database of its own.
    #[command(after_help = ENV_HELP)]
    Seed {
        /// Units of data (1 = one city's volume of records).
        #[arg(long, default_value_t = 1)]
        scale: u32,
    },
    /// Count every day queued for the case statistics now (the server does so every
    /// ZHENGWU_STATS_REFRESH_INTERVAL seconds), e.g. after a migration or a bulk load.
    #[command(after_help = ENV_HELP)]
    RefreshStatistics,
    /// Settle every queued change of the stored obligations (the deadlines the alerts read)
    /// now and exit; the server does this every ZHENGWU_STATS_REFRESH_INTERVAL seconds, and
    /// after a migration or a bulk load it derives them all.
    #[command(after_help = ENV_HELP)]
    RefreshObligations,
    /// Build the search index in ZHENGWU_SEARCH_DIR, or bring it up to date, and exit: a
    /// server started on that directory then answers at once instead of building it
    /// (without ZHENGWU_SEARCH_DIR there is nothing to keep, and this only checks the build).
    #[command(after_help = ENV_HELP)]
    IndexSearch,
    /// Take a signed checkpoint of the audit chain's head now (the server takes one every
    /// ZHENGWU_AUDIT_CHECKPOINT_INTERVAL seconds) and print the newest checkpoint as JSON,
    /// to be kept or notarised outside the system.
    #[command(after_help = ENV_HELP)]
    AuditCheckpoint,
    /// Ask the server on ZHENGWU_BIND (or --url) whether it is ready (`GET /readyz`): exit
    /// status 0 when it answers 200 within the timeout, 1 otherwise. For container health
    /// checks, where no HTTP client is installed.
    Healthcheck {
        /// The readiness address [default: http://<ZHENGWU_BIND>/readyz, a wildcard bind
        /// asked on the loopback].
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

/// `GET` over plain HTTP/1.1 with `std` alone; the status code of the answer.
fn http_status(url: &str, timeout: std::time::Duration) -> Result<u16, String> {
    use std::io::Write;
    use std::net::ToSocketAddrs;
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("{url}: only http:// addresses are supported"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: zhengwu-healthcheck\r\n\
         Connection: close\r\n\r\n"
    )
    .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        match stream.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => return Err(format!("no answer from {addr}: {e}")),
        }
    }
    // "HTTP/1.1 200 OK"
    std::str::from_utf8(&head[..n])
        .ok()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("{addr} did not answer HTTP"))
}

fn healthcheck(url: Option<String>, timeout: u64) -> Result<(), String> {
    let url = match url {
        Some(u) => u,
        None => {
            let bind = std::env::var("ZHENGWU_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
            let port = bind.rsplit(':').next().unwrap_or("8080");
            let host = bind[..bind.len() - port.len()].trim_end_matches(':');
            let host = match host {
                "0.0.0.0" | "" => "127.0.0.1",
                "[::]" => "[::1]",
                h => h,
            };
            format!("http://{host}:{port}/readyz")
        }
    };
    match http_status(&url, std::time::Duration::from_secs(timeout.max(1)))? {
        200 => {
            println!("{url}: ready");
            Ok(())
        }
        status => Err(format!("{url}: not ready (HTTP {status})")),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn migrate(config: &Config) -> Result<(), String> {
    let applied = runtime()?
        .block_on(db::migrate(&config.database_url))
        .map_err(|e| format!("migration failed: {e}"))?;
    let seeded = runtime()?.block_on(zhengwu_api::demo::backfill_catalogues(config))?;
    if seeded > 0 {
        log::info!("gave {seeded} organisations the standard disclosure catalogue");
    }
    if applied.is_empty() {
        log::info!("database schema is up to date");
    } else {
        log::info!("applied migrations: {}", applied.join(", "));
    }
    Ok(())
}

fn serve(config: Config) -> Result<(), String> {
    if config.migrate_on_start {
        migrate(&config)?;
    }
    // The HTTP workers split the pool's size between pools of their own (see
    // `AppState::start_worker`); background jobs share a few connections apart.
    let workers = config.workers.max(1);
    let per_worker = config.pool.max_size.div_ceil(workers);
    let jobs = db::PoolSettings {
        max_size: config
            .pool
            .max_size
            .min(zhengwu_api::state::JOB_CONNECTIONS),
        ..config.pool.clone()
    };
    let pool = db::create_pool(&config.database_url, &jobs)
        .map_err(|e| format!("cannot create the connection pool: {e}"))?;
    let bind = config.bind.clone();
    let (request_timeout, disconnect_timeout, keep_alive) = (
        config.client_request_timeout,
        config.client_disconnect_timeout,
        config.keep_alive,
    );
    let read_pool = match &config.read_database_url {
        Some(url) => Some(
            db::create_pool(url, &config.pool)
                .map_err(|e| format!("cannot create the read replica's connection pool: {e}"))?,
        ),
        None => None,
    };
    let state = AppState::with_read_pool(pool, read_pool, config, Arc::new(SystemClock));
    log::info!("listening on http://{bind} (Swagger UI at http://{bind}/swagger-ui/)");
    actix_web::rt::System::new()
        .block_on(async move {
            // The search index is built (or brought up to date) now rather than by the
            // first search, which would wait for it.
            let search_state = state.clone();
            actix_web::rt::spawn(async move {
                let result = match search_state.conn().await {
                    Ok(mut conn) => search_state
                        .search
                        .catch_up(&mut conn)
                        .await
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(format!("{e:?}")),
                };
                if let Err(e) = result {
                    log::error!("search index: {e}");
                }
            });
            every(
                &state,
                "alerts",
                state.config.alert_job_interval,
                |s| async move {
                    let run = zhengwu_api::app::supervision::job(&s).await;
                    outcome("alert job", run.inspect(log_alert_job))
                },
            );
            every(
                &state,
                "statistics",
                state.config.stats_refresh_interval,
                |s| async move {
                    let run = zhengwu_api::app::statistics::refresh_now(&s).await;
                    outcome("case statistics refresh", run.inspect(log_statistics))
                },
            );
            // Writes leave their objects queued: settled here, a tenth of a second's writes in
            // a few set-based statements, instead of ten statements in every writing
            // transaction. Readers compute the queued objects from the records (about 40 µs
            // each), so the queue is kept short.
            every(
                &state,
                "obligations",
                state.config.obligations_refresh_interval,
                |s| async move {
                    let run = zhengwu_api::app::supervision::refresh_obligations(&s).await;
                    outcome("obligations refresh", run.inspect(log_obligations))
                },
            );
            every(
                &state,
                "audit_checkpoint",
                state.config.audit_checkpoint_interval,
                |s| async move {
                    let run = zhengwu_api::checkpoints::take(&s).await;
                    outcome("audit checkpoint", run.inspect(log_checkpoint))
                },
            );
            every(
                &state,
                "housekeeping",
                zhengwu_api::housekeeping::INTERVAL,
                |s| async move {
                    let run = zhengwu_api::housekeeping::run(&s).await;
                    outcome("housekeeping", run.inspect(log_housekeeping))
                },
            );
            every(
                &state,
                "webhooks",
                state.config.webhooks.interval,
                |s| async move {
                    let run = zhengwu_api::webhooks::deliver::run_once(&s).await;
                    outcome("webhook deliveries", run)
                },
            );
            actix_web::HttpServer::new(move || {
                if let Err(e) = state.start_worker(per_worker) {
                    log::error!("an HTTP worker uses the shared pool: {e}");
                }
                zhengwu_api::app(state.clone())
            })
            .workers(workers)
            .client_request_timeout(request_timeout)
            .client_disconnect_timeout(disconnect_timeout)
            .keep_alive(if keep_alive.is_zero() {
                actix_web::http::KeepAlive::Disabled
            } else {
                actix_web::http::KeepAlive::Timeout(keep_alive)
            })
            .shutdown_timeout(10)
            .bind(&bind)?
            .run()
            .await
        })
        .map_err(|e| format!("server error: {e}"))
}

/// A background job's run as its metrics count it; a failure is logged as a warning naming
/// the job (a success reports itself through `Result::inspect`).
fn outcome<T, E: std::fmt::Display>(job: &str, run: Result<T, E>) -> JobOutcome {
    match run {
        Ok(_) => JobOutcome::Ok,
        Err(e) => {
            log::warn!("{job} failed: {e}");
            JobOutcome::Failed
        }
    }
}

fn log_alert_job(run: &zhengwu_api::alerts::JobRun) {
    log::info!(
        "alert job: {} alerts, {} changes recorded",
        run.alerts,
        run.recorded
    );
}

fn log_statistics(r: &zhengwu_api::app::statistics::Refreshed) {
    if r.days > 0 {
        log::info!(
            "case statistics: {} days settled ({} cases counted)",
            r.days,
            r.cases
        );
    }
}

fn log_obligations(r: &zhengwu_api::alerts::obligations::Refreshed) {
    if r.changes > 0 {
        log::debug!(
            "obligations: {} queued changes settled ({} rows)",
            r.changes,
            r.rows
        );
    }
}

fn log_checkpoint(c: &Option<zhengwu_persistence::audit::Checkpoint>) {
    if let Some(c) = c {
        log::info!(
            "audit checkpoint {} at event {} ({} events)",
            c.id,
            c.event_id,
            c.events
        );
    }
}

fn log_housekeeping(r: &zhengwu_api::housekeeping::Removed) {
    if *r != Default::default() {
        log::info!(
            "housekeeping: {} expired idempotency keys and {} forgotten failed-login records \
             removed",
            r.idempotency_keys,
            r.login_failures
        );
    }
}

/// Runs `job` (given the state) every `interval` on the server's runtime, counting its
/// runs, their duration and its last success in the metrics under `name`; a zero interval
/// turns it off.
fn every<F, Fut>(state: &AppState, name: &'static str, interval: std::time::Duration, mut job: F)
where
    F: FnMut(AppState) -> Fut + 'static,
    Fut: std::future::Future<Output = JobOutcome> + 'static,
{
    if interval.is_zero() {
        return;
    }
    let state = state.clone();
    actix_web::rt::spawn(async move {
        let mut ticks = actix_web::rt::time::interval(interval);
        // A run longer than the interval is followed by a full interval, not by the ticks
        // it missed all at once.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let started = std::time::Instant::now();
            let outcome = job(state.clone()).await;
            state.metrics.job(
                name,
                outcome,
                started.elapsed().as_secs_f64(),
                chrono::Utc::now().timestamp(),
            );
        }
    });
}

fn create_admin(
    config: &Config,
    username: &str,
    display_name: &str,
    keep_existing: bool,
) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    let created = if keep_existing {
        runtime()?.block_on(zhengwu_api::demo::create_admin_if_missing(
            config,
            username,
            display_name,
            &password,
        ))?
    } else {
        runtime()?.block_on(zhengwu_api::demo::create_admin(
            config,
            username,
            display_name,
            &password,
        ))?
    };
    if created {
        println!("created system administrator {username:?}");
    } else if keep_existing {
        println!("system administrator {username:?} exists; left unchanged (password too)");
    } else {
        println!("system administrator {username:?} exists; password reset and account enabled");
    }
    Ok(())
}

fn run() -> Result<(), String> {
    let cli = Cli::parse();
    match cli.command {
        Command::Openapi => {
            let yaml = zhengwu_api::openapi_document()
                .to_yaml()
                .map_err(|e| e.to_string())?;
            print!("{yaml}");
            Ok(())
        }
        Command::Serve => serve(Config::from_env(true)?),
        Command::Healthcheck { url, timeout } => healthcheck(url, timeout),
        Command::Migrate => migrate(&Config::from_env(false)?),
        Command::CreateAdmin {
            username,
            password_stdin: _,
            display_name,
            keep_existing,
        } => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            create_admin(&config, &username, &display_name, keep_existing)
        }
        Command::Seed { scale } => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let report = runtime()?.block_on(zhengwu_api::seed::run(&config, scale))?;
            println!("{report}");
            Ok(())
        }
        Command::RefreshStatistics => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let started = std::time::Instant::now();
            let done = runtime()?.block_on(async {
                let mut conn = zhengwu_persistence::tls::establish(&config.database_url)
                    .await
                    .map_err(|e| format!("cannot connect to the database: {e}"))?;
                zhengwu_api::app::statistics::refresh(
                    &mut conn,
                    zhengwu_api::app::statistics::REFRESH_BATCH,
                )
                .await
                .map_err(|e| e.to_string())
            })?;
            println!(
                "case statistics: {} days settled ({} cases counted) in {:.1} s{}",
                done.days,
                done.cases,
                started.elapsed().as_secs_f64(),
                if done.busy {
                    "; another process is refreshing the rest"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::IndexSearch => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let started = std::time::Instant::now();
            let engine = zhengwu_persistence::search::engine::SearchEngine::new(
                config.search_dir.clone(),
                0,
            );
            let docs = runtime()?.block_on(async {
                let mut conn = zhengwu_persistence::tls::establish(&config.database_url)
                    .await
                    .map_err(|e| format!("cannot connect to the database: {e}"))?;
                engine
                    .catch_up(&mut conn)
                    .await
                    .map_err(|e| format!("cannot index: {e}"))?;
                engine.documents().await.map_err(|e| e.to_string())
            })?;
            println!(
                "search index{}: {docs} documents, up to date in {:.1} s",
                config
                    .search_dir
                    .as_ref()
                    .map(|d| format!(" in {}", d.display()))
                    .unwrap_or_default(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::RefreshObligations => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let started = std::time::Instant::now();
            let today = chrono::Utc::now()
                .with_timezone(&config.timezone)
                .date_naive();
            let done = runtime()?.block_on(async {
                let mut conn = zhengwu_persistence::tls::establish(&config.database_url)
                    .await
                    .map_err(|e| format!("cannot connect to the database: {e}"))?;
                zhengwu_api::alerts::obligations::refresh(
                    &mut conn,
                    zhengwu_api::alerts::obligations::REFRESH_BATCH,
                    today,
                    config.timezone.name(),
                )
                .await
                .map_err(|e| format!("cannot refresh the obligations: {e}"))
            })?;
            println!(
                "obligations: {} queued changes settled ({} rows) in {:.1} s{}",
                done.changes,
                done.rows,
                started.elapsed().as_secs_f64(),
                if done.busy {
                    "; another process is refreshing the rest"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::AuditCheckpoint => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let line = runtime()?.block_on(async {
                let pool = db::create_pool(&config.database_url, &config.pool)
                    .map_err(|e| format!("cannot create the connection pool: {e}"))?;
                let state = AppState::new(pool, config.clone(), Arc::new(SystemClock));
                if state.checkpoint_key.is_none() {
                    return Err(
                        "set ZHENGWU_AUDIT_KEY (or ZHENGWU_JWT_SECRET, as the server \
                                does) to sign checkpoints"
                            .to_owned(),
                    );
                }
                zhengwu_api::checkpoints::take(&state)
                    .await
                    .map_err(|e| e.to_string())?;
                let mut conn = state.conn().await.map_err(|e| e.to_string())?;
                let newest = zhengwu_persistence::audit::newest_checkpoint(&mut conn)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or("the audit chain is empty: nothing to checkpoint")?;
                serde_json::to_string(&zhengwu_api::routes::audit::AuditCheckpointDto::from(
                    newest,
                ))
                .map_err(|e| e.to_string())
            })?;
            println!("{line}");
            Ok(())
        }
        Command::Demo => {
            let config = Config::from_env(false)?;
            migrate(&config)?;
            let summary = runtime()?.block_on(zhengwu_api::demo::load(&config))?;
            println!("{summary}");
            Ok(())
        }
    }
}

fn main() {
    match zhengwu_api::logging::LogFormat::from_env() {
        Ok(format) => zhengwu_api::logging::init(format),
        Err(e) => {
            eprintln!("zhengwu: {e}");
            std::process::exit(2);
        }
    }
    if let Err(e) = run() {
        eprintln!("zhengwu: {e}");
        std::process::exit(1);
    }
}
