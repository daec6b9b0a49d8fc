//! The error answers every operation shares, each with an example problem of its status.

use serde_json::{Value, json};
use utoipa::openapi::{Components, RefOr, Response};
use zhengwu_domain::codes::Code;

use crate::i18n::{self, Lang};

/// An error answer every operation may share: its status, component name, description and
/// an example problem of that status.
pub(super) struct ErrorAnswer {
    pub(super) status: &'static str,
    pub(super) name: &'static str,
    pub(super) description: &'static str,
    pub(super) code: Code,
    pub(super) title: &'static str,
    pub(super) detail: &'static str,
}

pub(super) const ERROR_ANSWERS: &[ErrorAnswer] = &[
    ErrorAnswer {
        status: "400",
        name: "BadRequest",
        description: "Malformed request: not JSON, or an invalid query, path or header value",
        code: Code::RequestMalformedJson,
        title: "The request is malformed",
        detail: "the body is not valid JSON: expected value at line 1 column 1",
    },
    ErrorAnswer {
        status: "401",
        name: "Unauthorized",
        description: "No valid access token: none where one is needed, or one that has \
expired, is badly signed or is meant for another audience",
        code: Code::AuthUnauthenticated,
        title: "Authentication is required",
        detail: "the access token has expired; refresh it or log in again",
    },
    ErrorAnswer {
        status: "403",
        name: "Forbidden",
        description: "Your role does not allow this operation",
        code: Code::AuthForbidden,
        title: "Your role does not allow this",
        detail: "this needs one of the roles: clerk",
    },
    ErrorAnswer {
        status: "404",
        name: "NotFound",
        description: "Not found, or outside your organisation scope",
        code: Code::NotFound,
        title: "Not found",
        detail: "no such case",
    },
    ErrorAnswer {
        status: "409",
        name: "Conflict",
        description: "Conflicts with the current state or a unique value",
        code: Code::ConflictDuplicate,
        title: "The request conflicts with the current state",
        detail: "an object with the same unique value exists",
    },
    ErrorAnswer {
        status: "412",
        name: "PreconditionFailed",
        description: "`If-Match` names a version that is no longer current",
        code: Code::PreconditionStaleVersion,
        title: "The resource has changed",
        detail: "If-Match does not name the current version 4; read it again",
    },
    ErrorAnswer {
        status: "413",
        name: "PayloadTooLarge",
        description: "The body is larger than the configured limit",
        code: Code::RequestBodyTooLarge,
        title: "The request body is too large",
        detail: "the body may have at most 1048576 bytes",
    },
    ErrorAnswer {
        status: "415",
        name: "UnsupportedMediaType",
        description: "The body is not of the documented media type",
        code: Code::RequestUnsupportedMediaType,
        title: "The body must be JSON",
        detail: "send Content-Type: application/json",
    },
    ErrorAnswer {
        status: "422",
        name: "ValidationFailed",
        description: "Well-formed but invalid: `errors[]` names each field (JSON pointer) and \
the rule; or an `Idempotency-Key` already used for a different request",
        code: Code::ValidationFailed,
        title: "The request is not valid",
        detail: "/credit_code: the check character (the 18th) does not match GB 32100",
    },
    ErrorAnswer {
        status: "429",
        name: "TooManyRequests",
        description: "Too many requests from this client; `Retry-After` says when to retry",
        code: Code::RateLimited,
        title: "Too many requests",
        detail: "too many requests from this address; retry in 60 s",
    },
    ErrorAnswer {
        status: "500",
        name: "InternalError",
        description: "Internal error; the log has the details under the request id",
        code: Code::Internal,
        title: "An internal error occurred",
        detail: "the error has been logged with this request id",
    },
    ErrorAnswer {
        status: "503",
        name: "ServiceUnavailable",
        description: "The database is unavailable; retry after `Retry-After` seconds",
        code: Code::ServiceDatabaseUnavailable,
        title: "The service is temporarily unavailable",
        detail: "the database cannot be reached; retry shortly",
    },
];

/// The example problem of an error answer in `lang`, worded as the server words it.
pub(super) fn problem_example(a: &ErrorAnswer, lang: Lang) -> Value {
    let status: u16 = a.status.parse().unwrap_or(500);
    let field_code = Code::CreditCodeCheckCharacter;
    let field_message = i18n::message(
        lang,
        field_code,
        "the check character (the 18th) does not match GB 32100",
    );
    let detail = if status == 422 {
        match lang {
            Lang::En => a.detail.to_owned(),
            Lang::ZhCn => format!("/credit_code：{field_message}"),
        }
    } else {
        i18n::message(lang, a.code, a.detail).into_owned()
    };
    let mut example = json!({
        "type": format!("https://zhengwu.gov.cn/problems/{}", a.code),
        "title": i18n::title(lang, a.title, status),
        "status": status,
        "detail": detail,
        "code": a.code,
        "request_id": "0193a8f0-6c1e-7c52-b1d4-3f1f0f4b2a10",
    });
    if status == 422 {
        example["errors"] = json!([{
            "pointer": "/credit_code",
            "code": field_code,
            "message": field_message,
        }]);
    }
    if status == 412 {
        example["context"] = json!({"current_version": 4});
    }
    example
}

pub(super) fn error_answer(status: &str) -> Option<&'static ErrorAnswer> {
    ERROR_ANSWERS.iter().find(|a| a.status == status)
}

/// Builds an OpenAPI object from its JSON form (the small, fixed pieces added here).
pub(super) fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Option<T> {
    serde_json::from_value(v).ok()
}

/// The shared error answers, as `components.responses`.
pub(super) fn error_components(components: &mut Components) {
    for a in ERROR_ANSWERS {
        let mut headers = serde_json::Map::new();
        if matches!(a.status, "429" | "503") {
            headers.insert(
                "Retry-After".into(),
                json!({"description": "Seconds to wait before retrying",
                       "schema": {"type": "integer"}}),
            );
        }
        if a.status == "401" {
            headers.insert(
                "WWW-Authenticate".into(),
                json!({"description": "`Bearer`", "schema": {"type": "string"}}),
            );
        }
        headers.insert(
            "Content-Language".into(),
            json!({"description": "The language of `title`, `detail` and the messages: \
`zh-CN` or `en`, as `Accept-Language` asks, else the server's default",
                   "schema": {"type": "string", "enum": ["zh-CN", "en"]}}),
        );
        let response = json!({
            "description": a.description,
            "headers": headers,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "examples": {
                    "zh-CN": {
                        "summary": "Accept-Language: zh-CN（中文）",
                        "value": problem_example(a, Lang::ZhCn),
                    },
                    "en": {
                        "summary": "Accept-Language: en",
                        "value": problem_example(a, Lang::En),
                    },
                },
            }},
        });
        if let Some(r) = from_json::<Response>(response) {
            components.responses.insert(a.name.to_owned(), RefOr::T(r));
        }
    }
}
