//! The committed contract must be what the code generates.

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let generated = zhengwu_api::openapi_document()
        .to_yaml()
        .unwrap_or_else(|e| panic!("cannot render the document: {e}"));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.yaml is out of date: run `cargo run -q --bin zhengwu -- openapi > openapi.yaml`"
    );
}

#[test]
fn every_operation_documents_its_errors() {
    let doc = zhengwu_api::openapi_document();
    let json = serde_json::to_value(&doc).unwrap_or_default();
    let paths = json["paths"].as_object().cloned().unwrap_or_default();
    assert!(paths.len() >= 20);
    for (path, item) in paths {
        if !path.starts_with("/api/v1") {
            continue;
        }
        for (method, op) in item.as_object().cloned().unwrap_or_default() {
            let responses = op["responses"].as_object().cloned().unwrap_or_default();
            let has = |code: &str| responses.contains_key(code);
            let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
            let input = op["requestBody"].is_object()
                || op["parameters"]
                    .as_array()
                    .is_some_and(|p| p.iter().any(|p| p["in"] == "query" || p["in"] == "path"));
            if input {
                assert!(has("400") && has("422"), "{method} {path} lacks 400/422");
            }
            if secured {
                assert!(has("401") && has("403"), "{method} {path} lacks 401/403");
            }
            if path.contains('{') {
                assert!(has("404"), "{method} {path} lacks 404");
            }
            assert!(has("500") && has("503"), "{method} {path} lacks 500/503");
            assert!(op["summary"].is_string(), "{method} {path} lacks a summary");
        }
    }
}

/// The route paths written in the handlers' source: the literal of every
/// `#[get("…")]`-style attribute, and every path literal given to a `macro_rules!` that
/// generates handlers (those are written alone on their line, `"/cases/{id}/accept",`).
/// Operational handlers (`ops.rs`) are served at the root, the others under `/api/v1`.
fn source_route_paths() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/src/routes");
    // An area's routes may be a folder of files (`routes/<area>/mod.rs`, …).
    let mut files = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        let entries =
            std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
        for p in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let prefix = if file.ends_with("ops.rs") {
            ""
        } else {
            "/api/v1"
        };
        // Inside a top-level macro invocation (`case_action!(` … `);`).
        let mut invocation = false;
        for raw in text.lines() {
            if raw.ends_with("!(") && raw.starts_with(|c: char| c.is_ascii_lowercase()) {
                invocation = true;
            } else if raw.starts_with(')') {
                invocation = false;
            }
            let line = raw.trim();
            let attribute = METHODS
                .iter()
                .find_map(|m| line.strip_prefix(&format!("#[{m}(\"")))
                .and_then(|rest| rest.strip_suffix("\")]"));
            let argument = line
                .strip_prefix("\"/")
                .and_then(|rest| rest.strip_suffix("\","))
                .filter(|_| invocation)
                .map(|p| format!("/{p}"));
            if let Some(path) = attribute.map(str::to_owned).or(argument) {
                out.push(format!("{prefix}{path}"));
            }
        }
    }
    out
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Whether `uri` is an instance of the path template `template`.
fn matches_template(template: &str, uri: &str) -> bool {
    let (t, u): (Vec<_>, Vec<_>) = (template.split('/').collect(), uri.split('/').collect());
    t.len() == u.len()
        && t.iter()
            .zip(&u)
            .all(|(t, u)| t == u || (t.starts_with('{') && !u.is_empty()))
}

/// Every route the app serves has an operation in the OpenAPI document, and every operation
/// is served.
///
/// Routes are registered through utoipa-actix-web, whose `service` only takes handlers that
/// carry `#[utoipa::path]`, so the document is collected from the same list as the route
/// table. What could still slip past it, and is checked here:
/// - a path written in a handler's source that the document lacks (a handler registered
///   some other way, or a path overridden in `#[utoipa::path]`): compared by scanning the
///   sources (`source_route_paths`);
/// - a method served on a documented path without being documented: every other method is
///   sent through the real app and must reach the fallback (405 `route.method_not_allowed`);
/// - an operation documented but not served: it must not reach the fallback.
///
/// Limits: a path built at run time (`format!`, `concat!`) or registered outside
/// `api/src/routes` is not seen by the scan; `/swagger-ui/` and `/api-docs/openapi.json`
/// (the document itself) are served on purpose without an operation.
#[actix_web::test]
async fn every_served_route_is_documented() {
    use actix_web::http::Method;
    use zhengwu_tests::{TestApp, req};

    let doc = serde_json::to_value(zhengwu_api::openapi_document()).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();

    let sources = source_route_paths();
    // One handler per operation: the scan found them all, or the sources have a handler
    // the app does not register (or one it registers twice).
    let operations: usize = paths
        .values()
        .map(|item| {
            item.as_object().map_or(0, |o| {
                o.keys().filter(|k| METHODS.contains(&k.as_str())).count()
            })
        })
        .sum();
    assert_eq!(
        sources.len(),
        operations,
        "handlers in the sources vs operations"
    );
    let undocumented: Vec<_> = sources
        .iter()
        .filter(|p| !paths.contains_key(p.as_str()))
        .collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the document: {undocumented:?}"
    );

    let t = TestApp::start().await;
    let app = actix_web::test::init_service(zhengwu_api::app(t.state.clone())).await;
    let mut wrong = Vec::new();
    for (path, item) in &paths {
        // Any segment matches a path parameter; "1" is rejected by the handler, not the router.
        let uri: String = path
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in METHODS {
            let documented = item.get(method).is_some();
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
            let r = req(&app, m, &uri).send().await;
            let code = r.body["code"].as_str().unwrap_or_default();
            let fallback = code == "route.not_found" || code == "route.method_not_allowed";
            if documented && fallback {
                wrong.push(format!("{method} {path}: documented, not served ({code})"));
            }
            // `PUT /assessments/summary` is `PUT /assessments/{id}` with an id that is no UUID.
            let under_template = paths
                .iter()
                .any(|(other, item)| item.get(method).is_some() && matches_template(other, &uri));
            let refused = r.status == 405 && code == "route.method_not_allowed";
            if !(documented || under_template || refused) {
                wrong.push(format!(
                    "{method} {path}: served ({}) but not documented",
                    r.status
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Every `$ref` names a schema of the document: a dangling one leaves clients (and the
/// fuzzer) without the type of that parameter or body.
#[test]
fn every_reference_resolves() {
    fn walk(v: &serde_json::Value, doc: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(|r| r.as_str()) {
                    let target = r.strip_prefix('#').and_then(|pointer| doc.pointer(pointer));
                    if target.is_none() {
                        out.push(r.to_owned());
                    }
                }
                map.values().for_each(|v| walk(v, doc, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, doc, out)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(zhengwu_api::openapi_document()).unwrap_or_default();
    let mut dangling = Vec::new();
    walk(&doc, &doc, &mut dangling);
    dangling.sort();
    dangling.dedup();
    assert!(dangling.is_empty(), "unresolved references: {dangling:?}");
}

/// One Rust type, one schema name: the document keeps a single schema per component name, so
/// two types registered under one name leave one of them described by the other's schema.
#[test]
fn every_schema_name_belongs_to_one_type() {
    let census = zhengwu_api::schema_census();
    assert!(census.schemas.len() > 100, "the census saw too few schemas");
    let conflicts = census.conflicts();
    assert!(
        conflicts.is_empty(),
        "schema names given to several types: {conflicts:?}"
    );
}

/// Every operation has its own operationId, in camelCase, naming an action and a resource
/// (`listCases`, `acceptCase`): generated clients name their methods after it, and Swagger UI
/// sends "Try it out" to the operation it names.
#[test]
fn every_operation_id_is_unique_and_reads_as_an_action() {
    let doc = serde_json::to_value(zhengwu_api::openapi_document()).unwrap_or_default();
    let mut seen = std::collections::BTreeMap::new();
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            let camel = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && id.chars().all(|c| c.is_ascii_alphanumeric())
                && id.chars().any(|c| c.is_ascii_uppercase());
            if !camel {
                wrong.push(format!(
                    "{method} {path}: operationId {id:?} is not camelCase"
                ));
            }
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                wrong.push(format!("{id} names both {other} and {method} {path}"));
            }
        }
    }
    assert!(seen.len() > 150, "only {} operations", seen.len());
    assert!(wrong.is_empty(), "{wrong:#?}");
}
