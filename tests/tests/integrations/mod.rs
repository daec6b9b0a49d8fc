//! Integrations: the change feed of domain events and signed webhook deliveries to a real
//! receiver on the loopback.

mod feed;
mod webhooks;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use actix_web::test;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zhengwu_api::clock::FixedClock;
use zhengwu_tests::services::at;
use zhengwu_tests::world::*;
use zhengwu_tests::*;

macro_rules! app {
    ($t:expr) => {
        test::init_service(zhengwu_api::app($t.state.clone())).await
    };
}
use app;

/// A request the receiver took.
#[derive(Debug, Clone)]
pub struct Received {
    pub head: String,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A webhook receiver on the loopback: records each request and answers with the next
/// status of its script (204 once the script is spent).
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<&'static str>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let r = Receiver {
            url: format!("http://127.0.0.1:{port}/hooks/zhengwu"),
            got: Arc::default(),
            script: Arc::default(),
        };
        let me = r.clone();
        actix_web::rt::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let (head, body) = loop {
                    let n = s.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break (String::new(), Vec::new());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).into_owned();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        while buf.len() < i + 4 + len {
                            let n = s.read(&mut chunk).await.unwrap_or(0);
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        break (head, buf[i + 4..].to_vec());
                    }
                };
                me.got
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(Received { head, body });
                let answer = me
                    .script
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .pop_front()
                    .unwrap_or("HTTP/1.1 204 No Content\r\n\r\n");
                let _ = s.write_all(answer.as_bytes()).await;
                let _ = s.shutdown().await;
            }
        });
        r
    }

    /// The answers to give next, in order (whole HTTP responses).
    pub fn answer(&self, answers: &[&'static str]) {
        self.script
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(answers.iter().copied());
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

pub const ERROR_500: &str = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n";
pub const GONE_410: &str = "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n";
pub const REDIRECT_301: &str =
    "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\n\r\n";

/// A test app on a fixed clock whose webhooks may reach the loopback, with the demo city.
pub async fn city(day: &str) -> (TestApp, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(at(day)));
    let t = TestApp::with_config(clock.clone(), |c| {
        c.webhooks.allowed_networks = zhengwu_api::webhooks::send::Networks::parse("127.0.0.0/8")
            .unwrap_or_else(|e| panic!("{e}"));
        c.webhooks.max_failures = 4;
    })
    .await;
    (t, clock)
}

/// Every event the token may read, following the cursor to the end.
pub async fn all_events<S, B>(app: &S, token: &str, query: &str) -> (Vec<Value>, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let mut p = format!("/api/v1/events?limit=7{query}");
        if let Some(a) = &after {
            p.push_str(&format!("&after={a}"));
        }
        let r = req(app, Method::GET, &p).token(token).send().await;
        assert_eq!(r.status, 200, "{p}: {:?}", r.body);
        items.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        let next = r.body["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if !r.body["has_more"].as_bool().unwrap_or(false) {
            return (items, next);
        }
        after = Some(next);
    }
    panic!("the feed does not end");
}

/// The events of one subject, their types in order.
pub fn types_of(events: &[Value], subject: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["subject"] == subject)
        .map(|e| e["type"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Accepts a case at window A01 as `city.clerk.a`.
pub async fn accept<S, B>(app: &S, w: &World, id: &str)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let r = req(app, Method::POST, &format!("/api/v1/cases/{id}/accept"))
        .token(w.token("city.clerk.a"))
        .json(json!({}))
        .send()
        .await;
    assert_eq!(r.status, 200, "accept: {:?}", r.body);
}
