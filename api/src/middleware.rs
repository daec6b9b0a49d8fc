//! The request pipeline around every handler: request id, access log, metrics,
//! problem+json bodies for errors produced outside handlers (unknown route, wrong method),
//! the language of problems (`Accept-Language`),
//! and the deadline of a request's database work.

use std::time::Instant;
use zhengwu_domain::codes::Code;

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError, web};

use crate::error::{ApiError, REQUEST_ID};
use crate::i18n::{LANG, Lang};
use crate::state::AppState;

const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(new_request_id)
}

/// A request id of its own: a UUIDv7 whose random bits come from the thread's generator,
/// seeded once, where `Uuid::now_v7` asks the kernel (a system call per request).
fn new_request_id() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    uuid::Builder::from_unix_timestamp_millis(millis, &rand::random::<[u8; 10]>())
        .into_uuid()
        .to_string()
}

/// Replaces the bare body of an error response that no handler produced.
fn problem_for(status: actix_web::http::StatusCode) -> ApiError {
    match status.as_u16() {
        404 => ApiError::new(status, Code::RouteNotFound, "Not found")
            .detail("no endpoint has this path; see /swagger-ui/"),
        405 => ApiError::new(status, Code::RouteMethodNotAllowed, "Method not allowed")
            .detail("this endpoint does not accept this method"),
        s if s >= 500 => ApiError::internal(),
        _ => ApiError::new(status, Code::RequestInvalid, "The request is not valid"),
    }
}

/// Answers 503 when a request has not produced its response within the pool's request
/// deadline (`ZHENGWU_DB_STATEMENT_TIMEOUT_MS` + `ZHENGWU_DB_TIMEOUT_MS`): every statement
/// ends within the statement timeout while the database answers, so a request still running
/// then waits on a database that stopped answering. Its work is dropped: an open
/// transaction is rolled back with the session, which the pool then discards.
pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let Some(limit) = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.config.pool.request_deadline())
    else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    // The request cannot be kept for an answer of our own (routing needs it unshared), so
    // the timeout is an error, which actix answers with its problem+json body.
    let (method, path) = (req.method().clone(), req.path().to_owned());
    match actix_web::rt::time::timeout(limit, next.call(req)).await {
        Ok(res) => res.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            log::warn!("{method} {path}: no response within {limit:?}");
            Err(ApiError::unavailable()
                .detail(format!(
                    "the database did not answer within {} s; retry shortly",
                    limit.as_secs_f64().ceil()
                ))
                .in_request_scope()
                .into())
        }
    }
}

/// The largest body given an `ETag` computed from its bytes; larger ones are left alone.
const ETAG_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Conditional `GET`: a 200 answer to `GET` or `HEAD` carries a strong `ETag` (the one its
/// handler set, such as a record's version, or else a digest of its body), and a request
/// whose `If-None-Match` names it is answered `304 Not Modified` without the body. Portals
/// and caches then revalidate a page instead of fetching it again. The digest is of the
/// bytes sent, so replicas agree and two audiences shown different fields get different
/// tags.
pub async fn conditional(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    if !is_read || res.status() != StatusCode::OK {
        return Ok(res.map_into_boxed_body());
    }
    let (req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let small = matches!(body.size(), BodySize::Sized(n) if n as usize <= ETAG_BODY_LIMIT);
    let (tag, body) = match head.headers().get(header::ETAG).cloned() {
        Some(tag) => (tag, body.boxed()),
        None if small => {
            let bytes = actix_web::body::to_bytes(body)
                .await
                .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
            use sha2::Digest;
            let digest = sha2::Sha256::digest(&bytes);
            let tag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))
                .map_err(actix_web::error::ErrorInternalServerError)?;
            head.headers_mut().insert(header::ETAG, tag.clone());
            (tag, BoxBody::new(bytes))
        }
        None => {
            return Ok(ServiceResponse::new(
                req,
                head.set_body(body).map_into_boxed_body(),
            ));
        }
    };
    let matched = if_none_match
        .as_deref()
        .is_some_and(|list| none_match(list, tag.to_str().unwrap_or_default()));
    if matched {
        // RFC 9110 15.4.5: the headers a 200 would have had that matter to caches, no body.
        let mut not_modified = HttpResponse::NotModified().finish();
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::EXPIRES,
            header::CONTENT_LOCATION,
        ] {
            if let Some(v) = head.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        return Ok(ServiceResponse::new(req, not_modified));
    }
    let res = head.set_body(body);
    Ok(ServiceResponse::new(req, res))
}

/// Whether `If-None-Match` (`*` or a list of entity tags) names `tag`, by weak comparison
/// (RFC 9110 13.1.2: `W/` is ignored).
fn none_match(list: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let tag = bare(tag);
    list.trim() == "*" || list.split(',').any(|t| bare(t) == tag)
}

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let lang = Lang::negotiate(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
        state
            .as_ref()
            .map_or_else(Lang::default, |s| s.config.default_language),
    );
    let result = REQUEST_ID.scope(
        id.clone(),
        LANG.scope(lang, async move {
            let res = next.call(req).await?;
            let is_problem = res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
            let status = res.status();
            if status.as_u16() >= 400
                && !is_problem
                && res.headers().get(header::CONTENT_TYPE).is_none()
            {
                let (req, _) = res.into_parts();
                let body = problem_for(status).error_response();
                Ok::<_, Error>(ServiceResponse::new(req, body))
            } else {
                Ok(res.map_into_boxed_body())
            }
        }),
    );
    // The metrics and the access line of the request, under its id.
    let record = |route: &str, status: u16| {
        let elapsed = started.elapsed().as_secs_f64();
        if let Some(state) = &state {
            state.metrics.observe(&method, route, status, elapsed);
        }
        REQUEST_ID.sync_scope(id.clone(), || {
            log::info!(
                "{method} {path} {status} {:.1}ms request_id={id}",
                elapsed * 1000.0
            );
        });
    };
    let mut res = match result.await {
        Ok(res) => res,
        Err(e) => {
            // Only the request deadline ends a request without a response (see
            // [`deadline`]); actix answers with the error's own body.
            record("deadline", e.as_response_error().status_code().as_u16());
            return Err(e);
        }
    };
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    record(&route, res.status().as_u16());
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    // No response is to be read as another type than the one it declares.
    res.headers_mut()
        .insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_request_id_is_a_distinct_uuid_v7() {
        let (a, b) = (super::new_request_id(), super::new_request_id());
        let parsed = uuid::Uuid::parse_str(&a).unwrap_or_default();
        assert_eq!(parsed.get_version_num(), 7, "{a}");
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122, "{a}");
        assert_ne!(a, b);
    }
}
