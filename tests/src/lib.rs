//! Harness for black-box tests: a fresh database per test, the real actix app over it, and
//! a small request builder.

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::HeaderMap;
use actix_web::test;
use serde_json::{Value, json};
use zhengwu_api::clock::{Clock, SystemClock};
use zhengwu_api::config::Config;
use zhengwu_api::state::AppState;
pub use zhengwu_persistence::testkit::TestDb;

pub mod contract;
pub mod proxy;
pub mod services;
pub mod world;

pub const ADMIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "admin-password-2026";
pub const PASSWORD: &str = "staff-password-2026";

/// A test's database and app state.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
}

impl TestApp {
    /// A fresh database with a system administrator `admin`.
    pub async fn start() -> TestApp {
        Self::with_clock(Arc::new(SystemClock)).await
    }

    pub async fn with_clock(clock: Arc<dyn Clock>) -> TestApp {
        Self::with_config(clock, |_| {}).await
    }

    /// Like [`TestApp::with_clock`], with the demo data loaded as of the clock's time.
    pub async fn with_demo(clock: Arc<dyn Clock>) -> TestApp {
        let now = clock.now();
        let t = Self::with_clock(clock).await;
        zhengwu_api::demo::load_at(&t.state.config, now)
            .await
            .unwrap_or_else(|e| panic!("demo: {e}"));
        t
    }

    /// Like [`TestApp::with_clock`], with the test settings changed by `tune`.
    pub async fn with_config(clock: Arc<dyn Clock>, tune: impl FnOnce(&mut Config)) -> TestApp {
        let db = TestDb::create();
        let mut config = Config::for_tests(&db.url);
        tune(&mut config);
        zhengwu_api::demo::create_admin(&config, ADMIN, "系统管理员", ADMIN_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("create admin: {e}"));
        let pool = zhengwu_persistence::db::create_pool(&db.url, &config.pool)
            .unwrap_or_else(|e| panic!("pool: {e}"));
        let read_pool = config.read_database_url.as_ref().map(|url| {
            zhengwu_persistence::db::create_pool(url, &config.pool)
                .unwrap_or_else(|e| panic!("read pool: {e}"))
        });
        let state = AppState::with_read_pool(pool, read_pool, config, clock);
        TestApp { db, state }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    /// The `errors[].pointer` of a problem.
    pub fn pointers(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["pointer"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }
}

/// A request under construction.
pub struct Req<'a, S> {
    app: &'a S,
    inner: test::TestRequest,
}

pub fn req<'a, S>(app: &'a S, method: Method, path: &str) -> Req<'a, S> {
    Req {
        app,
        inner: test::TestRequest::default().method(method).uri(path),
    }
}

impl<S, B> Req<'_, S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    pub fn token(self, token: &str) -> Self {
        self.header("Authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self
            .inner
            .insert_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, v: Value) -> Self {
        self.inner = self.inner.set_json(v);
        self
    }

    pub fn raw(mut self, content_type: &str, body: &'static str) -> Self {
        self.inner = self
            .inner
            .insert_header(("content-type", content_type.to_owned()))
            .set_payload(body);
        self
    }

    /// A body of any bytes with its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<actix_web::web::Bytes>) -> Self {
        self.inner = self
            .inner
            .insert_header(("content-type", content_type.to_owned()))
            .set_payload(body.into());
        self
    }

    pub async fn send(self) -> Resp {
        let res = test::call_service(self.app, self.inner.to_request()).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }
}

/// Logs in with a password and returns the access token (panics on failure).
pub async fn login<S, B>(app: &S, username: &str, password: &str) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/auth/token")
        .json(json!({"grant_type": "password", "username": username, "password": password}))
        .send()
        .await;
    assert_eq!(r.status, 200, "login of {username}: {:?}", r.body);
    r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// A credit code with a valid check character.
/// A small deterministic generator for tests of random sequences, so that a failure can be
/// replayed from its seed.
pub struct Lcg(pub u64);

impl Lcg {
    /// A number in `0..n` (0 when `n` is 0).
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

pub fn credit_code(first17: &str) -> String {
    let c = zhengwu_domain_check(first17);
    format!("{first17}{c}")
}

fn zhengwu_domain_check(first17: &str) -> char {
    const CS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    const W: [usize; 17] = [
        1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
    ];
    let sum: usize = first17
        .bytes()
        .enumerate()
        .map(|(i, b)| CS.iter().position(|c| *c == b).unwrap_or(0) * W[i])
        .sum();
    CS[(31 - sum % 31) % 31] as char
}

/// A small tree: a city with counties A and B, a hall in A, a department in B.
pub struct Tree {
    pub city: String,
    pub county_a: String,
    pub county_b: String,
    pub hall_a: String,
    pub dept_b: String,
}

pub async fn build_tree<S, B>(app: &S, admin: &str) -> Tree
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mk = |body: Value| async move {
        let r = req(app, Method::POST, "/api/v1/organizations")
            .token(admin)
            .json(body)
            .send()
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        r.id()
    };
    let city = mk(
        json!({"kind": "region_government", "level": "city", "name": "济南市人民政府",
        "division_code": "370100", "credit_code": credit_code("11370100004192113")}),
    )
    .await;
    let county_a = mk(
        json!({"parent_id": city, "kind": "region_government", "level": "county",
        "name": "历下区人民政府", "division_code": "370102"}),
    )
    .await;
    let county_b = mk(
        json!({"parent_id": city, "kind": "region_government", "level": "county",
        "name": "平阴县人民政府", "division_code": "370124"}),
    )
    .await;
    let hall_a = mk(
        json!({"parent_id": county_a, "kind": "hall", "level": "county",
        "name": "历下区政务服务中心"}),
    )
    .await;
    let dept_b = mk(
        json!({"parent_id": county_b, "kind": "department", "level": "county",
        "name": "平阴县市场监督管理局", "credit_code": credit_code("11370124MB2855321")}),
    )
    .await;
    Tree {
        city,
        county_a,
        county_b,
        hall_a,
        dept_b,
    }
}

/// Creates a staff account and returns its id.
pub async fn create_user<S, B>(
    app: &S,
    admin: &str,
    username: &str,
    role: &str,
    org: &str,
) -> String
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(app, Method::POST, "/api/v1/users")
        .token(admin)
        .json(
            json!({"username": username, "password": PASSWORD, "display_name": username,
            "role": role, "organization_id": org}),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    r.id()
}

/// The types of the domain events written about `subject` (`cases/<id>`, …), in the order
/// they were written, without the `zhengwu.` prefix and the version.
pub fn events_of(t: &TestApp, subject: &str) -> Vec<String> {
    t.db.texts(&format!(
        "SELECT type AS t FROM outbox_events WHERE subject = '{subject}' ORDER BY seq"
    ))
    .into_iter()
    .map(|ty| {
        ty.trim_start_matches("zhengwu.")
            .trim_end_matches(".v1")
            .to_owned()
    })
    .collect()
}
