//! The OpenAPI document: collected from the registered handlers, then completed with what
//! every operation shares — the error answers (`components.responses`, each with an example
//! of its own status), the common parameters (`components.parameters`), page schemas that
//! refer to their item schema, and a description for every answer.

use serde_json::{Value, json};
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Components, Ref, RefOr, Schema};
use utoipa::{Modify, OpenApi};

use crate::error::{FieldProblem, Problem};

mod errors;
mod text;

use self::errors::*;
use self::text::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhengwu 政务 API",
        description = "Government information disclosure (政务公开), government services \
            (政务服务) \
and their supervision (电子监察) for city, county, township and village governments.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` and, for \
invalid fields, `errors[].pointer`. Their `title`, `detail` and `errors[].message` are in \
Chinese or English as `Accept-Language` asks (`zh-CN`, `en`; otherwise the server's default, \
`ZHENGWU_DEFAULT_LANGUAGE`), stated in `Content-Language`; `code` and `pointer` are the same in \
both, and `GET /api/v1/meta/error-codes` describes every code in both languages. Lists use \
keyset pagination (`limit`, `cursor`, `next_cursor`, `Link: rel=\"next\"`). Mutable resources carry a `version`, sent as `ETag`; send \
it back in `If-Match` to update (412 when stale). Every 200 answer to a GET carries an `ETag`; \
`If-None-Match` naming it is answered 304 without a body. Creating POSTs accept \
`Idempotency-Key`.\n\n\
Get a token at `POST /api/v1/auth/token`, then use **Authorize** with the `access_token`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers((url = "/", description = "The server that serves this document")),
    components(schemas(Problem, FieldProblem)),
    modifiers(&Security),
    tags(
        (name = "auth", description = "Tokens, refresh, logout, registration"),
        (name = "organizations", description = "The organisation tree (组织机构)"),
        (name = "users", description = "Staff accounts"),
        (name = "clients", description = "Machine clients of other systems"),
        (name = "integrations",
         description = "The change feed of domain events (CloudEvents 1.0) and webhook \
             subscriptions signed per Standard Webhooks"),
        (name = "halls and windows", description = "Service windows (窗口) and A/B staff (AB岗)"),
        (name = "calendar", description = "Working-day calendar (工作日历) and deadlines"),
        (name = "audit", description = "The tamper-evident audit log (留痕)"),
        (name = "service matters",
         description = "Service matters and the public service guide (办事指南)"),
        (name = "cases",
         description = "Cases (办件) from application to delivery, and the public progress lookup"),
        (name = "disclosure requests",
         description = "Applications for disclosure (依申请公开) with the statutory clock"),
        (name = "annual report",
         description = "The annual disclosure report computed from the records"),
        (name = "participation",
         description = "Consultations, topic requests, leader messages and the echo wall"),
        (name = "evaluations",
         description = "Evaluation of services (好差评), rectification of bad reviews (整改), \
             appeals (申诉复核) and the public summary"),
        (name = "statistics", description = "Measures computed from the records"),
        (name = "supervision",
         description = "Supervision (电子监察): rules, deadline alerts and their history, \
             anomalies, \
             supervision orders (督办) and accountability (问责)"),
        (name = "complaints",
         description = "Complaints and reports (投诉举报) about organisations, windows and staff"),
        (name = "hotline",
         description = "The 12345 hotline: tickets (工单) from intake to callback, public answers, \
             and the knowledge base (知识库)"),
        (name = "assessment",
         description = "Window and staff assessment (考核): attendance, daily scores, summaries, \
             the monthly bulletin and the disclosure assessment"),
        (name = "disclosures", description = "Proactive disclosure items (政府信息)"),
        (name = "disclosure catalogue", description = "Disclosure catalogue and guide"),
        (name = "meta", description = "Enumerations with Chinese labels"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The schema of a string that takes one of `values` (for a parameter or field whose Rust type
/// has more values than the operation accepts).
pub fn string_enum<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .enum_values(Some(values))
        .build()
}

/// `If-Match` as RFC 9110 writes it: `*`, or entity tags (`"3"`, `W/"3"`; no space, quote or
/// control character inside the quotes) separated by commas.
const IF_MATCH: &str =
    r#"^(\*|(W/)?"[^"\u0000-\u0020\u007F]*"([ \t]*,[ \t]*(W/)?"[^"\u0000-\u0020\u007F]*")*)$"#;

/// A shared parameter: its component name and definition.
fn shared_parameters() -> Vec<(&'static str, Value)> {
    vec![
        (
            "IdempotencyKey",
            json!({
                "name": "Idempotency-Key", "in": "header", "required": false,
                "description": "Makes the creation retry-safe: a retry with the same key and \
            body returns the first answer (with `Idempotent-Replayed: true`); the same key with \
            another body is 422. 1 to 200 visible ASCII characters, e.g. a UUID.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                           "pattern": "^[\\x21-\\x7E]+$"},
                "example": "5f0c7a52-3d1e-4b8a-9c61-2f4e8d7a1b09",
            }),
        ),
        (
            "IfMatch",
            json!({
                "name": "If-Match", "in": "header", "required": false,
                "description": "The `ETag` of the version you read (`\"3\"`); the change is \
            refused with 412 when it is no longer the current one",
                "schema": {"type": "string", "pattern": IF_MATCH},
                "example": "\"3\"",
            }),
        ),
        (
            "Limit",
            json!({
                "name": "limit", "in": "query", "required": false,
                "description": "Items per page, 1 to 200.",
                "schema": {"type": "integer", "format": "int64", "minimum": 1,
                           "maximum": 200, "default": 20},
            }),
        ),
        (
            "Cursor",
            json!({
                "name": "cursor", "in": "query", "required": false,
                "description": "The `next_cursor` of the previous page.",
                "schema": {"type": "string"},
            }),
        ),
    ]
}

/// The component a parameter of an operation is an instance of, if any.
fn shared_parameter_name(p: &Parameter) -> Option<&'static str> {
    match p.parameter_in {
        ParameterIn::Header if p.name.eq_ignore_ascii_case("Idempotency-Key") => {
            Some("IdempotencyKey")
        }
        ParameterIn::Header if p.name.eq_ignore_ascii_case("If-Match") => Some("IfMatch"),
        ParameterIn::Query if p.name == "limit" => Some("Limit"),
        ParameterIn::Query if p.name == "cursor" => Some("Cursor"),
        _ => None,
    }
}

fn has_header(op: &Operation, name: &str) -> bool {
    op.parameters.iter().flatten().any(|p| match p {
        RefOr::T(p) => p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case(name),
        RefOr::Ref(_) => false,
    })
}

fn has_input(op: &Operation) -> bool {
    op.request_body.is_some()
        || op.parameters.iter().flatten().any(|p| match p {
            RefOr::T(p) => matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path),
            RefOr::Ref(_) => false,
        })
}

/// The description of a success answer the handler gave none.
fn success_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created; `Location` names the new resource",
        "202" => "Accepted",
        "204" => "Done; no content",
        "304" => "Not modified",
        _ => "Success",
    }
}

/// An optional body (`Option<T>` in the handler) is the schema of `T` with `required: false`,
/// not `T` or a JSON `null`: the body is left out, not sent as `null`.
fn optional_body_by_reference(op: &mut Operation) {
    let Some(RefOr::T(body)) = &mut op.request_body else {
        return;
    };
    if matches!(body.required, Some(utoipa::openapi::Required::True)) {
        return;
    }
    for content in body.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        let value = serde_json::to_value(&content.schema).unwrap_or_default();
        if let Some([only, null]) = value["oneOf"].as_array().map(Vec::as_slice)
            && null == &json!({"type": "null"})
            && let Some(target) = only["$ref"].as_str()
        {
            content.schema = Some(RefOr::Ref(Ref::new(target)));
        }
    }
}

/// Completes one operation: the error answers it can give, where the handler did not name
/// them, as references to the shared ones; shared parameters as references; an example of
/// its own status on each error answer the handler wrote; a description on every answer.
fn complete_operation(path: &str, method: &str, op: &mut Operation) {
    // Anonymous operations say so: an empty requirement list.
    op.security.get_or_insert_with(Vec::new);
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let writes = matches!(method, "post" | "put" | "patch" | "delete");
    let api = path.starts_with("/api/v1");
    let input = has_input(op);
    let if_match = has_header(op, "If-Match");
    let idempotent = has_header(op, "Idempotency-Key");
    let body = op.request_body.is_some();

    optional_body_by_reference(op);
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(param) = p
            && let Some(name) = shared_parameter_name(param)
        {
            *p = RefOr::Ref(Ref::new(format!("#/components/parameters/{name}")));
        }
    }

    for (status, response) in op.responses.responses.iter_mut() {
        let RefOr::T(r) = response else { continue };
        if r.description.is_empty() {
            r.description = success_description(status).to_owned();
        }
        // A problem answer the handler described in its own words: the shared answer, with
        // that description.
        if let Some(a) = error_answer(status)
            && r.content.keys().eq(["application/problem+json"])
        {
            let mut shared = Ref::from_response_name(a.name);
            if r.description != a.description {
                shared.description = r.description.clone();
            }
            *response = RefOr::Ref(shared);
        }
    }

    let mut statuses: Vec<&str> = Vec::new();
    if api && input {
        statuses.extend(["400", "422"]);
    }
    if api && secured {
        statuses.extend(["401", "403"]);
    }
    if api && path.contains('{') {
        statuses.push("404");
    }
    if api && body {
        statuses.extend(["413", "415"]);
    }
    if api && writes && secured {
        statuses.push("409");
    }
    if api && if_match {
        statuses.push("412");
    }
    if api && idempotent {
        statuses.push("422");
    }
    if api {
        statuses.extend(["500", "503"]);
    }
    for status in statuses {
        if let Some(a) = error_answer(status) {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name(a.name)));
        }
    }
}

/// Page schemas (`Page_CaseDto`) refer to their item schema instead of copying it; an item
/// schema that only a page used becomes a component of its own.
fn page_items_by_reference(components: &mut Components) {
    let pages: Vec<String> = components
        .schemas
        .keys()
        .filter(|k| k.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item = page.trim_start_matches("Page_").to_owned();
        let Some(RefOr::T(schema)) = components.schemas.get(&page) else {
            continue;
        };
        let mut value = serde_json::to_value(schema).unwrap_or_default();
        let Some(items) = value.pointer_mut("/properties/items/items") else {
            continue;
        };
        if items.get("$ref").is_none() {
            if !components.schemas.contains_key(&item)
                && let Some(s) = from_json::<RefOr<Schema>>(items.clone())
            {
                components.schemas.insert(item.clone(), s);
            }
            *items = json!({"$ref": format!("#/components/schemas/{item}")});
        }
        if let Some(s) = from_json::<RefOr<Schema>>(value) {
            components.schemas.insert(page, s);
        }
    }
}

/// A request body made of parts (`allOf`, from `#[serde(flatten)]`) becomes one object with the
/// properties and required fields of every part and no others: the server refuses unknown
/// fields, which `allOf` cannot say (each part would allow the others' fields).
fn merge_all_of(components: &mut Components, name: &str) {
    let Some(RefOr::T(Schema::AllOf(all))) = components.schemas.get(name) else {
        return;
    };
    let mut merged = json!({"type": "object", "properties": {}, "required": []});
    for part in &all.items {
        let mut part = serde_json::to_value(part).unwrap_or_default();
        if let Some(target) = part["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            part = components
                .schemas
                .get(target)
                .and_then(|s| serde_json::to_value(s).ok())
                .unwrap_or_default();
        }
        for (key, value) in part["properties"].as_object().into_iter().flatten() {
            merged["properties"][key] = value.clone();
        }
        for field in part["required"].as_array().into_iter().flatten() {
            if let Some(list) = merged["required"].as_array_mut() {
                list.push(field.clone());
            }
        }
    }
    merged["additionalProperties"] = json!(false);
    if let Some(description) = &all.description {
        merged["description"] = json!(description);
    }
    if let Some(example) = &all.example {
        merged["example"] = example.clone();
    }
    if let Some(schema) = from_json::<RefOr<Schema>>(merged) {
        components.schemas.insert(name.to_owned(), schema);
    }
}

/// Completes the collected document.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let base = ApiDoc::openapi();
    api.servers = base.servers.clone();
    api.info = base.info.clone();
    api.tags = base.tags.clone();
    api.merge(base);
    for (path, item) in api.paths.paths.iter_mut() {
        for (method, op) in [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("patch", &mut item.patch),
        ] {
            if let Some(op) = op {
                complete_operation(path, method, op);
            }
        }
    }
    request_text_not_blank(&mut api);
    let components = api.components.get_or_insert_with(Default::default);
    error_components(components);
    for (name, definition) in shared_parameters() {
        if let Some(p) = from_json::<Parameter>(definition) {
            components.parameters.insert(name.to_owned(), RefOr::T(p));
        }
    }
    page_items_by_reference(components);
    api
}
