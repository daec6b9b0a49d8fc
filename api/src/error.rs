//! Errors as RFC 9457 problem details (`application/problem+json`).

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use zhengwu_domain::codes::Code;
use zhengwu_domain::validation::{FieldError, RuleViolation};
use zhengwu_persistence::DbError;

use crate::i18n::{self, Lang};

tokio::task_local! {
    /// The id of the request being served, for error bodies and logs.
    pub static REQUEST_ID: String;
}

pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// One problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldProblem {
    /// JSON pointer to the field (`/credit_code`), the query parameter (`?limit`) or the
    /// path parameter (`{id}`).
    #[schema(example = "/credit_code")]
    pub pointer: String,
    /// Stable code of the broken rule. `field.required` is a field the body must always have;
    /// `field.required_when`, one that a rule needs in this case (the message says when).
    #[schema(example = "credit_code.check_character")]
    pub code: Code,
    #[schema(example = "the check character (the 18th) does not match GB 32100")]
    pub message: String,
}

/// An error response (RFC 9457). `title`, `detail` and the field messages are in the
/// language of `Content-Language` (`Accept-Language` chooses `zh-CN` or `en`); `type`,
/// `code`, `pointer` and `context` do not depend on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// Further facts, e.g. the current state of the object for a 409.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub context: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The error of a handler; becomes a problem+json response.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Code,
    pub title: &'static str,
    pub detail: Option<String>,
    pub errors: Vec<FieldProblem>,
    pub context: Option<Value>,
    pub retry_after: Option<u64>,
    /// The request's id and language, when the error is answered outside the request's
    /// scope (see [`ApiError::in_request_scope`]).
    pinned: Option<(Option<String>, Lang)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)?;
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: Code, title: &'static str) -> Self {
        Self {
            status,
            code,
            title,
            detail: None,
            errors: vec![],
            context: None,
            retry_after: None,
            pinned: None,
        }
    }

    /// Keeps the current request's id and language for an error that is answered after
    /// the request's scope has ended (the request deadline's).
    pub fn in_request_scope(mut self) -> Self {
        self.pinned = Some((current_request_id(), i18n::current()));
        self
    }

    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    /// The same error under another stable code.
    pub fn with_code(mut self, code: Code) -> Self {
        self.code = code;
        self
    }

    pub fn context(mut self, c: Value) -> Self {
        self.context = Some(c);
        self
    }

    /// `context` from a typed value.
    pub fn context_of<T: serde::Serialize>(self, c: &T) -> Self {
        match serde_json::to_value(c) {
            Ok(v) => self.context(v),
            Err(_) => self,
        }
    }

    pub fn bad_request(code: Code, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "The request is malformed").detail(detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            Code::AuthUnauthenticated,
            "Authentication is required",
        )
        .detail(detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            Code::AuthForbidden,
            "Your role does not allow this",
        )
        .detail(detail)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, Code::NotFound, "Not found")
            .detail(format!("no such {what}"))
    }

    pub fn conflict(code: Code, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            code,
            "The request conflicts with the current state",
        )
        .detail(detail)
    }

    pub fn precondition_failed(current_version: i32) -> Self {
        Self::new(
            StatusCode::PRECONDITION_FAILED,
            Code::PreconditionStaleVersion,
            "The resource has changed",
        )
        .detail(format!(
            "If-Match does not name the current version {current_version}; read it again"
        ))
        .context(serde_json::json!({ "current_version": current_version }))
    }

    pub fn unprocessable(code: Code, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "The request is not valid",
        )
        .detail(detail)
    }

    /// 422 with one problem per field.
    pub fn validation(errors: Vec<FieldProblem>) -> Self {
        let n = errors.len();
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::ValidationFailed,
            "The request is not valid",
        )
        .detail(if n == 1 {
            format!("{}: {}", errors[0].pointer, errors[0].message)
        } else {
            format!("{n} fields are not valid")
        });
        e.errors = errors;
        e
    }

    /// 422 for one field.
    pub fn field(pointer: &str, code: Code, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldProblem {
            pointer: pointer.to_owned(),
            code,
            message: message.into(),
        }])
    }

    pub fn too_many_requests(code: Code, retry_after: u64, detail: impl Into<String>) -> Self {
        let mut e =
            Self::new(StatusCode::TOO_MANY_REQUESTS, code, "Too many requests").detail(detail);
        e.retry_after = Some(retry_after);
        e
    }

    pub fn unavailable() -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            Code::ServiceDatabaseUnavailable,
            "The service is temporarily unavailable",
        )
        .detail("the database cannot be reached; retry shortly");
        e.retry_after = Some(5);
        e
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::Internal,
            "An internal error occurred",
        )
        .detail("the error has been logged with this request id")
    }

    /// The language the problem is answered in.
    fn lang(&self) -> Lang {
        self.pinned.as_ref().map_or_else(i18n::current, |(_, l)| *l)
    }

    /// The problem as answered, in the request's language.
    pub fn to_problem(&self) -> Problem {
        let lang = self.lang();
        let errors: Vec<FieldProblem> = self
            .errors
            .iter()
            .map(|e| FieldProblem {
                pointer: e.pointer.clone(),
                code: e.code,
                message: i18n::message(lang, e.code, &e.message).into_owned(),
            })
            .collect();
        let detail = match (lang, self.code, errors.as_slice()) {
            (Lang::En, ..) => self.detail.clone(),
            (_, Code::ValidationFailed, [one]) => Some(format!("{}：{}", one.pointer, one.message)),
            (_, Code::ValidationFailed, [_, _, ..]) => {
                Some(format!("{} 个字段不符合要求", errors.len()))
            }
            (_, code, _) => self
                .detail
                .as_deref()
                .map(|d| i18n::message(lang, code, d).into_owned()),
        };
        Problem {
            type_: format!("https://zhengwu.gov.cn/problems/{}", self.code),
            title: i18n::title(lang, self.title, self.status.as_u16()).to_owned(),
            status: self.status.as_u16(),
            detail,
            code: self.code,
            errors,
            context: self.context.clone(),
            request_id: match &self.pinned {
                Some((id, _)) => id.clone(),
                None => current_request_id(),
            },
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(errors: Vec<FieldError>) -> Self {
        ApiError::validation(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    pointer: e.pointer,
                    code: e.violation.code,
                    message: e.violation.message.into_owned(),
                })
                .collect(),
        )
    }
}

/// Which field a unique constraint protects, for a 409 that names it.
fn constraint_field(constraint: &str) -> Option<&'static str> {
    Some(match constraint {
        "organizations_credit_code_key" => "/credit_code",
        "users_username_key" => "/username",
        "api_clients_client_id_key" => "/client_id",
        "windows_hall_id_number_key" => "/number",
        "service_matters_implementation_code_key" => "/implementation_code",
        "disclosure_categories_organization_id_code_key" => "/code",
        _ => return None,
    })
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound => ApiError::not_found("object"),
            DbError::Conflict { constraint } => {
                let mut err = ApiError::conflict(
                    Code::ConflictDuplicate,
                    "an object with the same unique value exists",
                );
                if let Some(field) = constraint_field(&constraint) {
                    err.errors.push(FieldProblem {
                        pointer: field.to_owned(),
                        code: Code::Unique,
                        message: "this value is already taken".to_owned(),
                    });
                }
                err
            }
            DbError::MissingReference { constraint } => {
                log::warn!("foreign key violation: {constraint}");
                ApiError::unprocessable(
                    Code::ReferenceNotFound,
                    "the request refers to an object that does not exist",
                )
            }
            DbError::Unavailable(msg) => {
                crate::metrics::db_error("unavailable");
                log::warn!("database unavailable: {msg}");
                ApiError::unavailable()
            }
            DbError::Other(msg) => {
                crate::metrics::db_error("other");
                log::error!("database error: {msg}");
                ApiError::internal()
            }
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        DbError::from(e).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(s) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        // The words of a problem follow Accept-Language.
        res.insert_header((header::CONTENT_LANGUAGE, self.lang().tag()));
        res.insert_header((header::VARY, "Accept-Language"));
        res.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A broken rule as the problem of one field (or query parameter) of the request:
/// `validation::text(v, 500).at("/reason")?`.
pub trait AtField<T> {
    fn at(self, pointer: &str) -> ApiResult<T>;
}

impl<T> AtField<T> for Result<T, RuleViolation> {
    fn at(self, pointer: &str) -> ApiResult<T> {
        self.map_err(|v| ApiError::field(pointer, v.code, v.message))
    }
}

/// Replaces a 404 (a real absence, or an object out of the caller's sight) by another
/// answer, e.g. a field error naming the reference; every other error passes unchanged, so
/// that an outage is never reported as an absence.
pub trait OrIfAbsent<T> {
    fn or_if_absent(self, absent: impl FnOnce() -> ApiError) -> ApiResult<T>;
}

impl<T> OrIfAbsent<T> for ApiResult<T> {
    fn or_if_absent(self, absent: impl FnOnce() -> ApiError) -> ApiResult<T> {
        match self {
            Err(e) if e.status == StatusCode::NOT_FOUND => Err(absent()),
            other => other,
        }
    }
}
