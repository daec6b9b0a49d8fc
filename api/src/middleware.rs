//! The request pipeline around every handler: request id, access log, metrics, and
//! problem+json bodies for errors produced outside handlers (unknown route, wrong method).

use std::time::Instant;
use zhengwu_domain::codes::Code;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, ResponseError, web};

use crate::error::{ApiError, REQUEST_ID};
use crate::state::AppState;

const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const NOSNIFF: HeaderName = HeaderName::from_static("x-content-type-options");

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
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

pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let id = request_id(&req);
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let result = REQUEST_ID.scope(id.clone(), async move {
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
    });
    let mut res = result.await?;
    let status = res.status().as_u16();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state
            .metrics
            .observe(&method, &route, status, elapsed.as_secs_f64());
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    // No response is to be read as another type than the one it declares.
    res.headers_mut()
        .insert(NOSNIFF, HeaderValue::from_static("nosniff"));
    log::info!(
        "{method} {path} {status} {:.1}ms request_id={id}",
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(res)
}
