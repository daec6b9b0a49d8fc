//! The OpenAPI document: collected from the registered handlers, then completed with what
//! every operation shares — the error answers (`components.responses`, each with an example
//! of its own status), the common parameters (`components.parameters`), page schemas that
//! refer to their item schema, and a description for every answer.

use serde_json::{Value, json};
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Components, Ref, RefOr, Response, Schema};
use utoipa::{Modify, OpenApi};
use zhengwu_domain::codes::Code;

use crate::error::{FieldProblem, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhengwu 政务 API",
        description = "Government information disclosure (政务公开), government services (政务服务) \
and their supervision (电子监察) for city, county, township and village governments.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` and, for \
invalid fields, `errors[].pointer`. Lists use keyset pagination (`limit`, `cursor`, \
`next_cursor`, `Link: rel=\"next\"`). Mutable resources carry a `version`, sent as `ETag`; send \
it back in `If-Match` to update (412 when stale). Creating POSTs accept `Idempotency-Key`.\n\n\
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
         description = "Supervision (电子监察): rules, deadline alerts and their history, anomalies, \
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

/// An error answer every operation may share: its status, component name, description and
/// an example problem of that status.
struct ErrorAnswer {
    status: &'static str,
    name: &'static str,
    description: &'static str,
    code: Code,
    title: &'static str,
    detail: &'static str,
}

const ERROR_ANSWERS: &[ErrorAnswer] = &[
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

/// The example problem of an error answer.
fn problem_example(a: &ErrorAnswer) -> Value {
    let status: u16 = a.status.parse().unwrap_or(500);
    let mut example = json!({
        "type": format!("https://zhengwu.gov.cn/problems/{}", a.code),
        "title": a.title,
        "status": status,
        "detail": a.detail,
        "code": a.code,
        "request_id": "0193a8f0-6c1e-7c52-b1d4-3f1f0f4b2a10",
    });
    if status == 422 {
        example["errors"] = json!([{
            "pointer": "/credit_code",
            "code": "credit_code.check_character",
            "message": "the check character (the 18th) does not match GB 32100",
        }]);
    }
    if status == 412 {
        example["context"] = json!({"current_version": 4});
    }
    example
}

fn error_answer(status: &str) -> Option<&'static ErrorAnswer> {
    ERROR_ANSWERS.iter().find(|a| a.status == status)
}

/// Builds an OpenAPI object from its JSON form (the small, fixed pieces added here).
fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Option<T> {
    serde_json::from_value(v).ok()
}

/// The shared error answers, as `components.responses`.
fn error_components(components: &mut Components) {
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
        let response = json!({
            "description": a.description,
            "headers": headers,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"},
                "example": problem_example(a),
            }},
        });
        if let Some(r) = from_json::<Response>(response) {
            components.responses.insert(a.name.to_owned(), RefOr::T(r));
        }
    }
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

/// Whether a schema is free text: a string with no format and no enumeration of values.
fn is_free_text(o: &utoipa::openapi::schema::Object) -> bool {
    use utoipa::openapi::schema::{SchemaType, Type};
    let string = match &o.schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    };
    string && o.format.is_none() && o.enum_values.is_none()
}

/// The rule the server applies to a request field of this name, as a schema: every phone number
/// is checked by `validation::phone`, every e-mail address by `validation::email`, account names
/// by `account::username`, passwords by `account::password`, division and credit codes by
/// `org::DivisionCode` and `org::CreditCode` (whose check character a schema cannot state).
fn named_field_rule(name: &str, o: &mut utoipa::openapi::schema::Object) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat};
    match name {
        // A field documented with a narrower rule of its own keeps it (a mobile number).
        n if n.ends_with("phone") => {
            o.pattern
                .get_or_insert_with(|| "^[ ()+-]*([0-9][ ()+-]*){3,20}$".to_owned());
        }
        "email" => {
            o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Email));
            o.max_length = Some(254);
        }
        "username" | "client_id" => {
            o.min_length = Some(3);
            o.max_length = Some(64);
            o.pattern = Some("^[A-Za-z0-9_.@-]+$".to_owned());
        }
        "password" | "new_password" => {
            o.min_length = Some(10);
            o.max_length = Some(128);
            o.pattern = Some(
                "^[^\\u0000]*([A-Za-z][^\\u0000]*[0-9]|[0-9][^\\u0000]*[A-Za-z])[^\\u0000]*$"
                    .to_owned(),
            );
        }
        "division_code" => {
            let provinces = zhengwu_domain::org::PROVINCE_PREFIXES.join("|");
            o.pattern = Some(format!("^({provinces})[0-9]{{4}}([0-9]{{6}})?$"));
        }
        "credit_code" => {
            o.pattern = Some("^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$".to_owned());
        }
        _ => {}
    }
}

/// Free text: at least one character that is not white space, and no NUL character (U+0000),
/// which no text of this API may hold.
const FREE_TEXT: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

/// Marks the free text of a request schema as not blank (`minLength: 1` and [`FREE_TEXT`]),
/// which is what the server requires of every text it takes (a blank text is `text.empty`, one
/// with NUL `text.nul_character`), writes the rules of named fields ([`named_field_rule`]), and
/// collects the components the schema refers to.
fn not_blank(schema: &mut RefOr<Schema>, refs: &mut Vec<String>) {
    match schema {
        RefOr::Ref(r) => {
            if let Some(name) = r.ref_location.strip_prefix("#/components/schemas/") {
                refs.push(name.to_owned());
            }
        }
        RefOr::T(Schema::Object(o)) => {
            if is_free_text(o) {
                o.min_length.get_or_insert(1);
                o.pattern.get_or_insert_with(|| FREE_TEXT.to_owned());
            }
            for (name, p) in o.properties.iter_mut() {
                if let RefOr::T(Schema::Object(field)) = p
                    && is_free_text(field)
                {
                    named_field_rule(name, field);
                }
                not_blank(p, refs);
            }
        }
        RefOr::T(Schema::Array(a)) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(items) = &mut a.items {
                not_blank(items, refs);
            }
        }
        RefOr::T(Schema::OneOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(Schema::AllOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(Schema::AnyOf(x)) => x.items.iter_mut().for_each(|s| not_blank(s, refs)),
        RefOr::T(_) => {}
    }
}

/// Applies [`not_blank`] to every request body and every schema it refers to.
fn request_text_not_blank(api: &mut utoipa::openapi::OpenApi) {
    let mut refs = Vec::new();
    for item in api.paths.paths.values_mut() {
        for op in [
            &mut item.put,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let Some(RefOr::T(body)) = &mut op.request_body else {
                continue;
            };
            for (media_type, content) in body.content.iter_mut() {
                if let (true, RefOr::T(content)) = (media_type == "application/json", content)
                    && let Some(schema) = &mut content.schema
                {
                    not_blank(schema, &mut refs);
                }
            }
        }
    }
    let components = api.components.get_or_insert_with(Default::default);
    let mut done = std::collections::BTreeSet::new();
    while let Some(name) = refs.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        merge_all_of(components, &name);
        if let Some(schema) = components.schemas.get_mut(&name) {
            not_blank(schema, &mut refs);
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
