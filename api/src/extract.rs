//! Request extractors: JSON bodies with field-level errors, `If-Match`, `Idempotency-Key`.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, FieldProblem};

/// The largest JSON body, set from configuration.
#[derive(Clone, Copy)]
pub struct JsonLimit(pub usize);

/// A JSON request body. Malformed JSON is a 400; a body of the wrong shape is a 422 naming
/// the field (`/organization_id`) and the rule; a wrong content type a 415; too large a 413.
/// Keeps a hash of the canonical body for idempotency checks.
pub struct ApiJson<T> {
    pub value: T,
    pub hash: Vec<u8>,
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| {
            let m = m.trim().to_ascii_lowercase();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        })
        .unwrap_or(false)
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        "request.body_too_large",
        "The request body is too large",
    )
    .detail(format!("the body may have at most {limit} bytes"))
}

/// Turns a serde error at a path into a field problem.
fn field_problem(err: serde_path_to_error::Error<serde_json::Error>) -> FieldProblem {
    let mut pointer = String::new();
    for seg in err.path().iter() {
        use serde_path_to_error::Segment;
        match seg {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Unknown => {}
        }
    }
    let msg = err.inner().to_string();
    // serde names missing and unknown fields in backticks, at the parent's path.
    let named = msg.split('`').nth(1).map(str::to_owned);
    let (code, field) = if msg.starts_with("missing field") {
        ("field.required", named)
    } else if msg.starts_with("unknown field") {
        ("field.unknown", named)
    } else if msg.starts_with("unknown variant") {
        ("enum.unknown_value", None)
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        ("type.invalid", None)
    } else if msg.starts_with("invalid length") {
        ("length.invalid", None)
    } else {
        ("value.invalid", None)
    };
    if let Some(f) = field.filter(|f| !pointer.ends_with(&format!("/{f}"))) {
        pointer.push('/');
        pointer.push_str(&f);
    }
    if pointer.is_empty() {
        pointer.push('/');
    }
    // Drop serde_json's "at line 1 column 17" suffix: the pointer says where.
    let message = msg
        .split(" at line ")
        .next()
        .unwrap_or(&msg)
        .replace('`', "'");
    FieldProblem {
        pointer,
        code: code.to_owned(),
        message,
    }
}

/// Writes the numbers with no fractional part (`3.0`) as integers (`3`): JSON has one number
/// type, and a JSON Schema `integer` is any number whose fractional part is zero, so a client
/// that sends `3.0` where the contract says integer is right. Beyond 2^53 a float is not exact
/// and stays as it is (and is refused where an integer is expected).
fn integral_numbers(v: &mut serde_json::Value) {
    use serde_json::Value;
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match v {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() <= EXACT
            {
                *v = if f >= 0.0 {
                    Value::from(f as u64)
                } else {
                    Value::from(f as i64)
                };
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// Parses a JSON document into `T`, with the errors of [`ApiJson`].
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<ApiJson<T>, ApiError> {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(
            "request.malformed_json",
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    integral_numbers(&mut doc);
    // serde_json's maps are ordered: this is a canonical form of the document.
    let hash = Sha256::digest(doc.to_string().as_bytes()).to_vec();
    let value = serde_path_to_error::deserialize(doc)
        .map_err(|e| ApiError::validation(vec![field_problem(e)]))?;
    Ok(ApiJson { value, hash })
}

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<JsonLimit>>()
            .map_or(1024 * 1024, |l| l.0);
        let json = is_json(req);
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "request.unsupported_media_type",
                    "The body must be JSON",
                )
                .detail("send Content-Type: application/json"));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|e| ApiError::bad_request("request.body_unreadable", e.to_string()))?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body)
        })
    }
}

impl<T> ApiJson<T> {
    /// The parsed body.
    pub fn into_inner_value(self) -> T {
        self.value
    }
}

/// The `If-Match` header: `None` when absent or `*`; the version it names otherwise.
/// Accepts `"3"` and `W/"3"`.
pub struct IfMatch(pub Option<i32>);

impl IfMatch {
    /// 412 when a version was named and it is not the current one.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self.0 {
            Some(v) if v != current => Err(ApiError::precondition_failed(current)),
            _ => Ok(()),
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(None)),
            Some(v) => {
                let s = v.to_str().unwrap_or("").trim();
                if s == "*" {
                    Ok(IfMatch(None))
                } else {
                    s.trim_start_matches("W/")
                        .trim_matches('"')
                        .parse::<i32>()
                        .map(|n| IfMatch(Some(n)))
                        .map_err(|_| {
                            ApiError::bad_request(
                                "request.invalid_if_match",
                                "If-Match must be an ETag of this API, e.g. \"3\"",
                            )
                        })
                }
            }
        };
        std::future::ready(parsed)
    }
}

/// The `Idempotency-Key` header of a creating POST.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get("idempotency-key") {
            None => Ok(IdempotencyKey(None)),
            Some(v) => match v.to_str() {
                Ok(s)
                    if (1..=200).contains(&s.len()) && s.chars().all(|c| c.is_ascii_graphic()) =>
                {
                    Ok(IdempotencyKey(Some(s.to_owned())))
                }
                _ => Err(ApiError::bad_request(
                    "request.invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 200 visible ASCII characters",
                )),
            },
        };
        std::future::ready(parsed)
    }
}

/// The ETag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}
