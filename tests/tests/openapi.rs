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
