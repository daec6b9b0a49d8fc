//! The OpenAPI document: collected from the registered handlers, then completed with the
//! error responses every operation can give, so that none is left undocumented.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

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
        license(name = "Apache-2.0")
    ),
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
        (name = "service matters", description = "Service matters and the public service guide (办事指南)"),
        (name = "cases", description = "Cases (办件) from application to delivery, and the public progress lookup"),
        (name = "disclosure requests", description = "Applications for disclosure (依申请公开) with the statutory clock"),
        (name = "annual report", description = "The annual disclosure report computed from the records"),
        (name = "participation", description = "Consultations, topic requests, leader messages and the echo wall"),
        (name = "evaluations", description = "Evaluation of services (好差评), rectification of bad reviews (整改), appeals (申诉复核) and the public summary"),
        (name = "statistics", description = "Measures computed from the records"),
        (name = "supervision", description = "Supervision (电子监察): rules, deadline alerts and their history, anomalies, supervision orders (督办) and accountability (问责)"),
        (name = "complaints", description = "Complaints and reports (投诉举报) about organisations, windows and staff"),
        (name = "hotline", description = "The 12345 hotline: tickets (工单) from intake to callback, public answers, and the knowledge base (知识库)"),
        (name = "assessment", description = "Window and staff assessment (考核): attendance, daily scores, summaries, the monthly bulletin and the disclosure assessment"),
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

fn problem(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
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

/// Adds the error responses an operation can give, where the handler did not name them.
fn document_errors(path: &str, method: &str, op: &mut Operation) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let writes = matches!(method, "post" | "put" | "patch" | "delete");
    if !path.starts_with("/api/v1") {
        return;
    }
    let input = has_input(op);
    let if_match = has_header(op, "If-Match");
    let idempotent = has_header(op, "Idempotency-Key");
    let body = op.request_body.is_some();
    let mut add = |status: &str, description: &str| {
        op.responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| problem(description));
    };
    if input {
        add(
            "400",
            "Malformed request: not JSON, or an invalid query or path parameter",
        );
        add(
            "422",
            "Well-formed but invalid: `errors[]` names each field (JSON pointer) and the rule",
        );
    }
    // An empty requirement beside the bearer one: a token is optional.
    let optional = op
        .security
        .iter()
        .flatten()
        .any(|r| *r == SecurityRequirement::default());
    if secured && optional {
        add(
            "401",
            "The access token sent is not valid (expired, bad signature, wrong audience), \
or this request needs one",
        );
    }
    if secured {
        add(
            "401",
            "No valid access token (missing, expired, bad signature, wrong audience)",
        );
        add("403", "Your role does not allow this operation");
    }
    if path.contains('{') {
        add("404", "Not found, or outside your organisation scope");
    }
    if body {
        add("413", "The body is larger than the configured limit");
        add("415", "The body is not `application/json`");
    }
    if writes && secured {
        add("409", "Conflicts with the current state or a unique value");
    }
    if if_match {
        add(
            "412",
            "`If-Match` names a version that is no longer current",
        );
    }
    if idempotent {
        add(
            "422",
            "Invalid, or the Idempotency-Key was used for a different request",
        );
    }
    add(
        "500",
        "Internal error; the log has the details under the request id",
    );
    add("503", "The database is unavailable; retry later");
}

/// Completes the collected document.
pub fn finish(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let base = ApiDoc::openapi();
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
                document_errors(path, method, op);
            }
        }
    }
    api
}
