//! Enumerations with their Chinese labels, for front ends.

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
