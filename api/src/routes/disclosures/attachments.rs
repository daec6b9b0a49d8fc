//! The files of an item: upload to a draft, download.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{AttachmentId, DisclosureItemId};

use super::actor_of;
use super::dto::UploadForm;
use super::views::AttachmentDto;
use crate::app::disclosures::attachments::{self, Upload};
use crate::auth::{MaybePrincipal, Principal};
use crate::error::{ApiError, ApiResult};
use crate::extract::IdempotencyKey;
use crate::idem::Idem;
use crate::state::AppState;

/// Attach a file to a draft (PDF, images, Office documents, OFD, plain text or CSV; the
/// type is judged from the content and must match the name).
#[utoipa::path(operation_id = "uploadDisclosureAttachment",
    tag = "disclosures", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Idempotency-Key" = Option<String>, Header, description = "Retry-safe creation")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentDto)))]
#[post("/disclosures/{id}/attachments")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Principal,
    idempotency_key: IdempotencyKey,
    id: web::Path<Uuid>,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let actor = auth.actor();
    let upload = read_upload(&mut form, state.config.attachment_limit);
    let file = attachments::store(&state, &actor, upload).await?;
    let principal = auth.idempotency_principal();
    let idem = Idem::new(&req, principal, &idempotency_key, &file.request_hash());
    let id = DisclosureItemId(*id);
    let created = attachments::attach(&state, &actor, idem, id, file).await?;
    Ok(created.into_response())
}

/// Download an attachment. The public may download the files of the current version.
#[utoipa::path(operation_id = "downloadDisclosureAttachment",
    tag = "disclosures", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ("attachment_id" = Uuid, Path)),
    responses((status = 200, description = "The file, with the media type it was stored with \
        (PDF, images, office documents, OFD, text)", content_type = "*/*", body = Vec<u8>)))]
#[get("/disclosures/{id}/attachments/{attachment_id}")]
pub async fn download(
    state: web::Data<AppState>,
    auth: MaybePrincipal,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (item, attachment) = *path;
    let (item, attachment) = (DisclosureItemId(item), AttachmentId(attachment));
    let d = attachments::download(&state, &actor_of(&auth), item, attachment).await?;
    let a = d.attachment;
    Ok(HttpResponse::Ok()
        .content_type(a.content_type.clone())
        .insert_header((header::ETAG, format!("\"{}\"", a.sha256)))
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::storage::content_disposition(&a.filename),
        ))
        .body(d.bytes))
}

fn multipart_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(Code::RequestInvalidMultipart, e.to_string())
}

/// The name a form field gives its file: `filename`, or the RFC 5987
/// `filename*=UTF-8''…` some clients send instead.
fn filename_of(field: &actix_multipart::Field) -> ApiResult<String> {
    let disposition = field.content_disposition();
    if let Some(n) = disposition.and_then(|d| d.get_filename()) {
        return Ok(n.to_owned());
    }
    match disposition.and_then(|d| d.get_filename_ext()) {
        Some(ext) if ext.charset.to_string().eq_ignore_ascii_case("utf-8") => {
            String::from_utf8(ext.value.clone()).map_err(|_| {
                ApiError::field("/file", Code::TextEncoding, "the file name is not UTF-8")
            })
        }
        _ => Ok(String::new()),
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
        Code::AttachmentTooLarge,
        "The file is too large",
    )
    .detail(format!("an attachment may have at most {limit} bytes"))
}

/// The file of the form's `file` field, at most `limit` bytes.
async fn read_upload(form: &mut Multipart, limit: usize) -> ApiResult<Upload> {
    let mut file: Option<Upload> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(multipart_error)?;
        if field.name() != Some("file") {
            continue;
        }
        let filename = filename_of(&field)?;
        if filename.contains('\0') {
            let nul = crate::extract::nul_problem("/file".to_owned());
            return Err(ApiError::validation(vec![nul]));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(multipart_error)?;
            if bytes.len() + chunk.len() > limit {
                return Err(too_large(limit));
            }
            bytes.extend_from_slice(&chunk);
        }
        file = Some(Upload { filename, bytes });
    }
    file.ok_or_else(|| {
        ApiError::field(
            "/file",
            Code::FieldRequired,
            "send the file in a form field named file",
        )
    })
}
