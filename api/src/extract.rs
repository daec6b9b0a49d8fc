//! Request extractors: JSON bodies with field-level errors, `If-Match`, `Idempotency-Key`.

use std::future::Future;
use std::pin::Pin;
use zhengwu_domain::codes::Code;

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
    /// The top-level members given a value (not `null`): with that value when it is a
    /// scalar, `None` for an object or array. What [`crate::writers`] checks.
    pub members: Vec<(String, Option<serde_json::Value>)>,
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
        Code::RequestBodyTooLarge,
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
                pointer.push_str(&pointer_token(key));
            }
            Segment::Unknown => {}
        }
    }
    let msg = err.inner().to_string();
    // serde names missing and unknown fields in backticks, at the parent's path.
    let named = msg.split('`').nth(1).map(str::to_owned);
    let (code, field) = if msg.starts_with("missing field") {
        (Code::FieldRequired, named)
    } else if msg.starts_with("unknown field") {
        (Code::FieldUnknown, named)
    } else if msg.starts_with("unknown variant") {
        (Code::EnumUnknownValue, None)
    } else if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        (Code::TypeInvalid, None)
    } else if msg.starts_with("invalid length") {
        (Code::LengthInvalid, None)
    } else {
        (Code::ValueInvalid, None)
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
        code,
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

/// The stable code of a text holding the NUL character.
pub const NUL_CODE: Code = Code::TextNulCharacter;

/// The problem of a text holding the NUL character (U+0000) at `pointer`. No text of this
/// API may hold it: PostgreSQL cannot store it, and no legitimate input needs it.
pub fn nul_problem(pointer: String) -> FieldProblem {
    FieldProblem {
        pointer,
        code: NUL_CODE,
        message: "must not contain the NUL character (U+0000)".to_owned(),
    }
}

fn pointer_token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The pointers of every string (and every member name) of `doc` that holds NUL.
pub fn nul_pointers(doc: &serde_json::Value) -> Vec<String> {
    fn walk(v: &serde_json::Value, at: &mut String, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) if s.contains('\0') => {
                out.push(if at.is_empty() {
                    "/".into()
                } else {
                    at.clone()
                });
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = at.len();
                    at.push_str(&format!("/{i}"));
                    walk(item, at, out);
                    at.truncate(len);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&pointer_token(k));
                    if k.contains('\0') {
                        out.push(at.clone());
                    } else {
                        walk(item, at, out);
                    }
                    at.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(doc, &mut String::new(), &mut out);
    out
}

/// Parses a JSON document into `T`, with the errors of [`ApiJson`]. A text holding NUL
/// anywhere in the document is a 422 naming each place, before the document is read as `T`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<ApiJson<T>, ApiError> {
    let mut doc: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::bad_request(
            Code::RequestMalformedJson,
            format!("the body is not valid JSON: {e}"),
        )
    })?;
    let nul = nul_pointers(&doc);
    if !nul.is_empty() {
        return Err(ApiError::validation(
            nul.into_iter().map(nul_problem).collect(),
        ));
    }
    integral_numbers(&mut doc);
    // serde_json's maps are ordered: this is a canonical form of the document.
    let hash = Sha256::digest(doc.to_string().as_bytes()).to_vec();
    let members = doc
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| {
                    let scalar = !(v.is_object() || v.is_array());
                    (k.clone(), scalar.then(|| v.clone()))
                })
                .collect()
        })
        .unwrap_or_default();
    let value = serde_path_to_error::deserialize(doc)
        .map_err(|e| ApiError::validation(vec![field_problem(e)]))?;
    Ok(ApiJson {
        value,
        hash,
        members,
    })
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
                    Code::RequestUnsupportedMediaType,
                    "The body must be JSON",
                )
                .detail("send Content-Type: application/json"));
            }
            if declared.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(Code::RequestBodyUnreadable, e.to_string())
                })?;
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

/// One entity tag of a conditional header: its opaque value and whether it is weak (`W/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityTag {
    pub weak: bool,
    pub opaque: String,
}

/// Parses a list of entity tags (RFC 9110 §8.8.3: `"3"`, `W/"3"`, separated by commas).
/// `None` when the value is not such a list.
pub fn parse_entity_tags(value: &str) -> Option<Vec<EntityTag>> {
    let mut tags = Vec::new();
    let mut rest = value.trim();
    while !rest.is_empty() {
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let body = quoted.strip_prefix('"')?;
        let end = body.find('"')?;
        let opaque = &body[..end];
        // etagc = %x21 / %x23-7E / obs-text: no space, no quote, no control character.
        if opaque
            .chars()
            .any(|c| c == '"' || c.is_ascii_control() || c == ' ')
        {
            return None;
        }
        tags.push(EntityTag {
            weak,
            opaque: opaque.to_owned(),
        });
        rest = body[end + 1..].trim_start();
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(',')?.trim_start();
        if rest.is_empty() {
            return None;
        }
    }
    (!tags.is_empty()).then_some(tags)
}

/// The `If-Match` precondition of an update (RFC 9110 §13.1.1). It compares strongly: a
/// weak tag (`W/"3"`) never matches, and neither does a well-formed tag this API never
/// issued; both get 412, as a stale version does. A malformed header is a 400.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No `If-Match`: the update is unconditional.
    Absent,
    /// `If-Match: *`: any current representation.
    Any,
    /// The tags the client holds; one must be the current one.
    Tags(Vec<EntityTag>),
}

impl IfMatch {
    /// Whether the client sent the header at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, IfMatch::Absent)
    }

    /// 412 unless the precondition holds for the resource at `current`.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match self {
            IfMatch::Absent | IfMatch::Any => Ok(()),
            IfMatch::Tags(tags) => {
                let current_tag = current.to_string();
                if tags.iter().any(|t| !t.weak && t.opaque == current_tag) {
                    Ok(())
                } else {
                    Err(ApiError::precondition_failed(current))
                }
            }
        }
    }

    /// For a resource that does not exist yet (a PUT that would create it): any
    /// `If-Match`, `*` included, names a representation that is not there, so 412.
    pub fn check_absent(&self) -> Result<(), ApiError> {
        if self.is_present() {
            Err(ApiError::precondition_failed(0))
        } else {
            Ok(())
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<_> = req.headers().get_all(header::IF_MATCH).collect();
        if values.is_empty() {
            return std::future::ready(Ok(IfMatch::Absent));
        }
        let malformed = || {
            ApiError::bad_request(
                Code::RequestInvalidIfMatch,
                "If-Match must be * or a list of entity tags, e.g. \"3\"",
            )
        };
        let mut tags = Vec::new();
        for v in values {
            let Ok(s) = v.to_str() else {
                return std::future::ready(Err(malformed()));
            };
            if s.trim() == "*" {
                return std::future::ready(Ok(IfMatch::Any));
            }
            match parse_entity_tags(s) {
                Some(t) => tags.extend(t),
                None => return std::future::ready(Err(malformed())),
            }
        }
        std::future::ready(Ok(IfMatch::Tags(tags)))
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
                    Code::RequestInvalidIdempotencyKey,
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

#[cfg(test)]
mod tests {
    use super::{EntityTag, IfMatch, parse_entity_tags};

    fn tag(weak: bool, opaque: &str) -> EntityTag {
        EntityTag {
            weak,
            opaque: opaque.to_owned(),
        }
    }

    #[test]
    fn entity_tag_lists_parse() {
        assert_eq!(parse_entity_tags("\"3\""), Some(vec![tag(false, "3")]));
        assert_eq!(
            parse_entity_tags(" W/\"1\" , \"abc\",\"\""),
            Some(vec![tag(true, "1"), tag(false, "abc"), tag(false, "")])
        );
        for bad in ["3", "\"3", "W/3", "\"3\" \"4\"", "\"3\",", "\"a b\"", ""] {
            assert_eq!(parse_entity_tags(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn if_match_compares_strongly() {
        let tags = |v: &str| IfMatch::Tags(parse_entity_tags(v).unwrap_or_default());
        assert!(tags("\"3\"").check(3).is_ok());
        assert!(tags("\"1\", \"3\"").check(3).is_ok());
        let status = |r: Result<(), crate::error::ApiError>| r.err().map(|e| e.status.as_u16());
        assert_eq!(status(tags("W/\"3\"").check(3)), Some(412));
        assert_eq!(status(tags("\"2\"").check(3)), Some(412));
        assert_eq!(status(tags("\"abc\"").check(3)), Some(412));
        assert!(IfMatch::Any.check(3).is_ok());
        assert!(IfMatch::Absent.check(3).is_ok());
        assert_eq!(status(IfMatch::Any.check_absent()), Some(412));
        assert!(IfMatch::Absent.check_absent().is_ok());
    }
}
