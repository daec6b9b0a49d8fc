//! The one mechanism behind `Idempotency-Key` on creating POSTs.
//!
//! Inside the creating transaction: [`Idem::begin`] claims the key (or finds the first
//! answer to replay, or a different request under the same key: 422), the handler creates,
//! and [`Idem::finish`] records the answer, which commits with the object.

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use zhengwu_domain::codes::Code;
use zhengwu_persistence::Conn;
use zhengwu_persistence::idempotency::{self, Claim, KeyRef, StoredResponse};

use crate::error::ApiError;
use crate::extract::{IdempotencyKey, etag};

/// The key of one creating request, taken from the request before the transaction.
pub struct Idem {
    principal: String,
    key: Option<String>,
    method: String,
    path: String,
    hash: Vec<u8>,
    /// When the request came, by the app's clock, and since when stored keys are expired.
    now: chrono::DateTime<chrono::Utc>,
    expired_before: chrono::DateTime<chrono::Utc>,
}

/// The answer to a creating request, first or replayed.
pub struct Created {
    status: u16,
    body: Value,
    location: Option<String>,
    replayed: bool,
}

impl Created {
    pub fn into_response(self) -> HttpResponse {
        let mut res =
            HttpResponse::build(StatusCode::from_u16(self.status).unwrap_or(StatusCode::CREATED));
        if let Some(loc) = self.location {
            res.insert_header((header::LOCATION, loc));
        }
        if let Some(v) = self.body.get("version").and_then(Value::as_i64) {
            res.insert_header((header::ETAG, etag(v as i32)));
        }
        if self.replayed {
            res.insert_header(("Idempotent-Replayed", "true"));
        }
        res.json(self.body)
    }
}

impl Idem {
    pub fn new(
        req: &HttpRequest,
        principal: String,
        key: &IdempotencyKey,
        body_hash: &[u8],
    ) -> Self {
        let (now, ttl) = match req.app_data::<actix_web::web::Data<crate::state::AppState>>() {
            Some(s) => (s.clock.now(), s.config.idempotency_ttl),
            None => (chrono::Utc::now(), crate::config::DEFAULT_IDEMPOTENCY_TTL),
        };
        let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(1));
        Idem {
            principal,
            key: key.0.clone(),
            method: req.method().to_string(),
            path: req.path().to_owned(),
            hash: body_hash.to_vec(),
            now,
            expired_before: now - ttl,
        }
    }

    fn key_ref<'a>(&'a self, key: &'a str) -> KeyRef<'a> {
        KeyRef {
            principal: &self.principal,
            key,
            method: &self.method,
            path: &self.path,
            request_hash: &self.hash,
        }
    }

    /// Claims the key. `Some` is the first answer, to return as it is.
    pub async fn begin(&self, conn: &mut Conn) -> Result<Option<Created>, ApiError> {
        let Some(k) = &self.key else { return Ok(None) };
        match idempotency::claim(conn, &self.key_ref(k), self.now, self.expired_before).await? {
            Claim::Fresh => Ok(None),
            Claim::Replay(stored) => Ok(Some(Created {
                status: stored.status,
                body: stored.body,
                location: stored.location,
                replayed: true,
            })),
            Claim::Mismatch => Err(ApiError::unprocessable(
                Code::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request; use a new key",
            )),
        }
    }

    /// Records the answer (when a key was given) and returns it as a 201, with `Location`
    /// when the created object can be read at an address of its own.
    pub async fn finish<T: Serialize>(
        &self,
        conn: &mut Conn,
        body: &T,
        location: impl Into<Option<String>>,
    ) -> Result<Created, ApiError> {
        let location = location.into();
        let value = serde_json::to_value(body).map_err(|e| {
            log::error!("cannot serialise a created object: {e}");
            ApiError::internal()
        })?;
        if let Some(k) = &self.key {
            idempotency::complete(
                conn,
                &self.key_ref(k),
                &StoredResponse {
                    status: 201,
                    body: value.clone(),
                    location: location.clone(),
                },
            )
            .await?;
        }
        Ok(Created {
            status: 201,
            body: value,
            location,
            replayed: false,
        })
    }
}
