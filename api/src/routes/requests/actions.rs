//! The transitions of an application, one handler each: each parses its body and calls
//! its use case; [`crate::app::requests`] decides with the one workflow table.

use actix_web::{HttpResponse, post, web};
use uuid::Uuid;
use zhengwu_domain::ids::DisclosureRequestId;
use zhengwu_domain::requests::RequestAction;

use super::dto::{
    ConsultIn, CorrectionIn, Empty, FeeNoticeIn, OpinionIn, RequestDto, RequestExtendIn,
    RequestReplyIn, SubmitCorrectionIn,
};
use super::with_etag;
use crate::app::requests as app;
use crate::auth::Principal;
use crate::error::ApiResult;
use crate::extract::{ApiJson, IfMatch};
use crate::state::AppState;

#[doc = "One correction notice (补正) within 7 working days of receipt; the clock stops \
     until the correction arrives (OGI Art.30)."]
#[utoipa::path(operation_id = "requestDisclosureRequestCorrection", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = CorrectionIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/request-correction")]
pub async fn request_correction(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<CorrectionIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::RequestCorrection)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::request_correction(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}

#[doc = "The correction arrives: the 20 working days count again from today."]
#[utoipa::path(operation_id = "submitDisclosureRequestCorrection", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = SubmitCorrectionIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/submit-correction")]
pub async fn submit_correction(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<SubmitCorrectionIn>,
) -> ApiResult<HttpResponse> {
    crate::writers::check("submitDisclosureRequestCorrection", Some(&auth), &body)?;
    app::may(&auth.actor(), RequestAction::SubmitCorrection)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::submit_correction(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}

#[doc = "Close an application whose correction deadline passed without a correction (视为放弃; \
     reply other_correction_overdue)."]
#[utoipa::path(operation_id = "closeLapsedDisclosureRequest", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = Empty,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/close-lapsed")]
pub async fn close_lapsed(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _body: ApiJson<Empty>,
) -> ApiResult<HttpResponse> {
    let id = DisclosureRequestId(*id);
    let d = app::close_lapsed(&state, &auth.actor(), id, &if_match).await?;
    Ok(with_etag(d))
}

#[doc = "Consult a third party (Art.32) or another agency (Art.34): 15 working days for them, not \
     counted in the reply limit."]
#[utoipa::path(operation_id = "consultOnDisclosureRequest", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = ConsultIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/consult")]
pub async fn consult(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<ConsultIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::Consult)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::consult(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}

#[doc = "Record the consulted party's opinion; the clock runs again."]
#[utoipa::path(operation_id = "recordDisclosureRequestOpinion", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = OpinionIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/opinion")]
pub async fn record_opinion(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<OpinionIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::ReceiveOpinion)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::record_opinion(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}

#[doc = "Extend the reply limit once, by at most 20 working days, with a reason (approvers; the \
     applicant is notified); decided on or before the due date (409 after it)."]
#[utoipa::path(operation_id = "extendDisclosureRequest", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RequestExtendIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/extend")]
pub async fn extend(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RequestExtendIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::Extend)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::extend(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}

#[doc = "Send a fee notice with the amount from the calculator; the clock stops until paid (OGI \
     Art.42)."]
#[utoipa::path(operation_id = "sendDisclosureRequestFeeNotice", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = FeeNoticeIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/fee-notice")]
pub async fn fee_notice(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<FeeNoticeIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::NoticeFee)?;
    let basis = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::fee_notice(&state, &auth.actor(), id, &if_match, basis).await?;
    Ok(with_etag(d))
}

#[doc = "The fee was paid; the clock runs again."]
#[utoipa::path(operation_id = "recordDisclosureRequestFeePaid", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = Empty,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/fee-paid")]
pub async fn fee_paid(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    _body: ApiJson<Empty>,
) -> ApiResult<HttpResponse> {
    let id = DisclosureRequestId(*id);
    let d = app::fee_paid(&state, &auth.actor(), id, &if_match).await?;
    Ok(with_etag(d))
}

#[doc = "Reply with its type and ground (the annual report's rows); a late reply is allowed and \
     recorded as late."]
#[utoipa::path(operation_id = "replyToDisclosureRequest", tag = "disclosure requests",
    security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("If-Match" = Option<String>, Header, description = "ETag of the version you read")),
    request_body = RequestReplyIn,
    responses((status = 200, body = RequestDto),
    (status = 409, body = crate::error::Problem, content_type = "application/problem+json",
     description = "Not allowed now; `context.state` names the state")))]
#[post("/disclosure-requests/{id}/reply")]
pub async fn reply(
    state: web::Data<AppState>,
    auth: Principal,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: ApiJson<RequestReplyIn>,
) -> ApiResult<HttpResponse> {
    app::may(&auth.actor(), RequestAction::Reply)?;
    let cmd = body.into_inner_value().parse()?;
    let id = DisclosureRequestId(*id);
    let d = app::reply(&state, &auth.actor(), id, &if_match, cmd).await?;
    Ok(with_etag(d))
}
