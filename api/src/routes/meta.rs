//! Enumerations with their Chinese labels, and the problem codes in both languages, for
//! front ends and integrators.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, get};
use serde::Serialize;
use utoipa::ToSchema;

/// Every enumeration of the API: name → value → Chinese label.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "enums": {"org_kind": {"region_government": "人民政府", "department": "政府部门"}}
}))]
pub struct EnumsResponse {
    pub enums: BTreeMap<String, BTreeMap<String, String>>,
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every enumeration with its values and Chinese labels.
#[utoipa::path(operation_id = "listEnums",
    tag = "meta", responses((status = 200, body = EnumsResponse)))]
#[get("/meta/enums")]
pub async fn enums() -> HttpResponse {
    let enums = zhengwu_domain::all_enums()
        .into_iter()
        .map(|e| {
            (
                snake(e.name),
                e.values
                    .into_iter()
                    .map(|(v, l)| (v.to_owned(), l.to_owned()))
                    .collect(),
            )
        })
        .collect();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(EnumsResponse { enums })
}

/// One problem code with what it means.
#[derive(Serialize, ToSchema)]
pub struct ErrorCodeInfo {
    pub code: zhengwu_domain::codes::Code,
    /// What the code means, in English.
    #[schema(
        example = "the check character of the unified social credit code does not match GB 32100"
    )]
    pub en: &'static str,
    /// What the code means, in Chinese: the message of answers in `zh-CN` when no values
    /// are added to it.
    #[schema(example = "统一社会信用代码校验位不符合 GB 32100")]
    pub zh: &'static str,
}

/// Every problem code.
#[derive(Serialize, ToSchema)]
pub struct ErrorCodesResponse {
    pub codes: Vec<ErrorCodeInfo>,
}

/// Every problem code the API answers with, in code order, with its meaning in English and
/// Chinese. Clients switch on `code`; the messages of an answer follow `Accept-Language`.
#[utoipa::path(operation_id = "listErrorCodes",
    tag = "meta", responses((status = 200, body = ErrorCodesResponse)))]
#[get("/meta/error-codes")]
pub async fn error_codes() -> HttpResponse {
    let codes = zhengwu_domain::codes::Code::ALL
        .iter()
        .map(|&code| ErrorCodeInfo {
            code,
            en: code.describe(),
            zh: code.zh(),
        })
        .collect();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .json(ErrorCodesResponse { codes })
}
