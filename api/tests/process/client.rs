//! A small HTTP client over a raw TCP stream, and the database checks of the tests.

use super::*;

#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: u16,
    pub(super) head: String,
    pub(super) body: Value,
}

impl Reply {
    pub(super) fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

pub(super) fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let bad = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_owned());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no complete response head"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("no status"))?;
    let mut body = raw[split + 4..].to_vec();
    let chunked = head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("transfer-encoding:") && l.contains("chunked"));
    if chunked {
        let mut out = Vec::new();
        let mut rest = &body[..];
        while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
            let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..eol]).trim(), 16)
                .map_err(|_| bad("bad chunk size"))?;
            if size == 0 || rest.len() < eol + 2 + size {
                break;
            }
            out.extend_from_slice(&rest[eol + 2..eol + 2 + size]);
            rest = &rest[(eol + 4 + size).min(rest.len())..];
        }
        body = out;
    }
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()))
    };
    Ok(Reply { status, head, body })
}

/// Sends raw bytes and reads until the server closes, within the guard.
pub(super) async fn exchange(port: u16, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let io = async {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await?;
        s.write_all(bytes).await?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await?;
        Ok(raw)
    };
    tokio::time::timeout(GUARD, io)
        .await
        .unwrap_or_else(|_| panic!("no answer from port {port} within {GUARD:?}"))
}

pub(super) async fn send(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> std::io::Result<Reply> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(&body);
    parse_reply(&exchange(port, head.as_bytes()).await?)
}

pub(super) async fn get(port: u16, path: &str, token: Option<&str>) -> std::io::Result<Reply> {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
    send(port, "GET", path, &headers, None).await
}

pub(super) async fn post(port: u16, path: &str, token: &str, body: Value) -> Reply {
    let auth = format!("Bearer {token}");
    send(port, "POST", path, &[("Authorization", &auth)], Some(&body))
        .await
        .unwrap_or_else(|e| panic!("POST {path} on port {port}: {e}"))
}

/// `POST /api/v1/cases` with an idempotency key.
pub(super) async fn create_case(
    port: u16,
    token: &str,
    key: &str,
    body: &Value,
) -> std::io::Result<Reply> {
    let auth = format!("Bearer {token}");
    send(
        port,
        "POST",
        "/api/v1/cases",
        &[("Authorization", &auth), ("Idempotency-Key", key)],
        Some(body),
    )
    .await
}

pub(super) async fn login(port: u16, username: &str) -> String {
    let r = send(
        port,
        "POST",
        "/api/v1/auth/token",
        &[],
        Some(&json!({"grant_type": "password", "username": username, "password": DEMO_PASSWORD})),
    )
    .await
    .unwrap_or_else(|e| panic!("login of {username}: {e}"));
    assert_eq!(r.status, 200, "login of {username}: {:?}", r.body);
    r.body["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub(super) fn one(db: &TestDb, sql: &str) -> String {
    db.texts(sql)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("nothing for {sql}"))
}

pub(super) fn count(db: &TestDb, sql: &str) -> i64 {
    db.numbers(sql).into_iter().next().unwrap_or_default()
}

/// A published service matter open to online applications, and the body of an application.
pub(super) fn application(db: &TestDb) -> Value {
    let matter = one(
        db,
        "SELECT id::text AS t FROM service_matters WHERE state = 'published' ORDER BY id LIMIT 1",
    );
    json!({"matter_ids": [matter], "channel": "web"})
}
