//! The files attached to an item.

use diesel_async::AsyncConnection;
use serde::Deserialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::disclosure::EDITORS;
use zhengwu_domain::ids::{AttachmentId, DisclosureItemId};
use zhengwu_domain::validation;
use zhengwu_persistence::disclosure as repo;
use zhengwu_persistence::{Conn, DbError};

use super::view::attachment_dto;
use super::{actor_id, staff_item, visible_item};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// A file as it was sent: its name and content.
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A file checked and stored: named, not empty, of an accepted type that matches its name.
pub struct StoredFile {
    filename: String,
    content_type: &'static str,
    size_bytes: i64,
    /// The storage key, which is the hex SHA-256 of the content.
    key: String,
}

impl StoredFile {
    /// The hash of the request an idempotency key stands for: the same file under the
    /// same name.
    pub fn request_hash(&self) -> Vec<u8> {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(self.filename.as_bytes());
        h.update([0u8]);
        h.update(self.key.as_bytes());
        h.finalize().to_vec()
    }
}

/// Checks an upload and puts its content in the store (content-addressed, so storing the
/// same file twice is harmless). The upload is read once the actor may attach files.
pub async fn store(
    app: &AppState,
    actor: &Actor,
    upload: impl Future<Output = AppResult<Upload>>,
) -> AppResult<StoredFile> {
    actor.require(EDITORS)?;
    let upload = upload.await?;
    let filename = validation::text(&upload.filename, 255)
        .map_err(|v| ApiError::field("/file", v.code, "the file needs a name"))?;
    if upload.bytes.is_empty() {
        return Err(ApiError::field(
            "/file",
            Code::AttachmentEmpty,
            "the file is empty",
        ));
    }
    let content_type = crate::storage::sniff(&upload.bytes, &filename).ok_or_else(|| {
        ApiError::field(
            "/file",
            Code::AttachmentUnsupportedType,
            "accepted: PDF, PNG, JPEG, GIF, DOC/DOCX, XLS/XLSX, PPT/PPTX, OFD, ZIP, TXT, CSV, \
             MD — and the name's extension must match the content",
        )
    })?;
    let key = app.storage.put(&upload.bytes).await.map_err(|e| {
        log::error!("cannot store an attachment: {e}");
        ApiError::internal()
    })?;
    Ok(StoredFile {
        filename,
        content_type,
        size_bytes: upload.bytes.len() as i64,
        key,
    })
}

/// Attach a stored file to a draft.
pub async fn attach(
    app: &AppState,
    actor: &Actor,
    idem: Idem,
    id: DisclosureItemId,
    file: StoredFile,
) -> AppResult<Created> {
    actor.require(EDITORS)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let (item, org) = staff_item(c, actor, id, true).await?;
        let detail = format!("an item that is {} cannot be edited", item.state);
        super::ensure_editable(&item, detail)?;
        let a = repo::Attachment {
            id: Uuid::now_v7(),
            item_id: id.0,
            filename: file.filename,
            content_type: file.content_type.to_owned(),
            size_bytes: file.size_bytes,
            sha256: file.key.clone(),
            storage_key: file.key,
            uploaded_by: actor_id(actor)?,
            created_at: audit.at,
        };
        repo::insert_attachment(c, &a).await?;
        let d = attachment_dto(&a);
        audit
            .record(
                c,
                "disclosure.attach",
                "disclosure",
                id.0,
                Some(&org.path),
                None::<&()>,
                Some(&d),
            )
            .await?;
        let location = d.url.clone();
        idem.finish(c, &d, location).await
    })
    .await
}

/// A file to download: its record and content.
pub struct Download {
    pub attachment: repo::Attachment,
    pub bytes: Vec<u8>,
}

/// An attachment: staff who may see the item get any; the public only the files of the
/// current version.
pub async fn download(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
    attachment: AttachmentId,
) -> AppResult<Download> {
    let mut conn = app.conn().await?;
    let a = match repo::get_attachment(&mut conn, attachment).await {
        Ok(a) if a.item_id == id.0 => a,
        Ok(_) | Err(DbError::NotFound) => return Err(ApiError::not_found("attachment")),
        Err(e) => return Err(e.into()),
    };
    let staff =
        super::is_staff(actor) && visible_item(&mut conn, actor, id, false).await?.is_some();
    if !staff && !is_public(&mut conn, id, attachment).await? {
        return Err(ApiError::not_found("attachment"));
    }
    let bytes = app.storage.get(&a.storage_key).await.map_err(|e| {
        log::error!("attachment {} unreadable: {e}", a.id);
        ApiError::internal()
    })?;
    Ok(Download {
        attachment: a,
        bytes,
    })
}

/// The id of an attachment a filed version lists.
#[derive(Deserialize)]
struct FiledId {
    id: Uuid,
}

/// Whether the current version of the item lists the attachment.
async fn is_public(
    conn: &mut Conn,
    id: DisclosureItemId,
    attachment: AttachmentId,
) -> AppResult<bool> {
    let Some(current) = repo::current_version(conn, id).await? else {
        return Ok(false);
    };
    let filed: Vec<FiledId> = serde_json::from_value(current.attachments).unwrap_or_default();
    Ok(filed.iter().any(|f| f.id == attachment.0))
}
