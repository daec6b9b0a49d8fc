//! The operations of the contract (the OpenAPI document the app serves), for tests that
//! probe every operation. Shared parameters, responses, request bodies and schemas may be
//! `$ref`s into `components`; they are resolved here.

use serde_json::Value;

/// The document, as JSON.
pub fn document() -> Value {
    serde_json::to_value(zhengwu_api::openapi_document()).unwrap_or_default()
}

/// Follows `$ref`s (local ones, `#/components/...`) until a value without one.
pub fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..16 {
        match v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|p| doc.pointer(p))
        {
            Some(target) => v = target,
            None => break,
        }
    }
    v
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub struct Param {
    pub name: String,
    /// `path`, `query` or `header`.
    pub location: String,
    pub required: bool,
    pub schema: Value,
    /// The documented example (of the parameter, else of its schema).
    pub example: Option<Value>,
}

/// One operation of the contract.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper case: `GET`, `POST`, …
    pub method: String,
    /// The path template (`/api/v1/cases/{id}`).
    pub path: String,
    pub operation_id: String,
    pub params: Vec<Param>,
    /// Media types of the request body.
    pub body_types: Vec<String>,
    /// The request body's schema (of its first media type), resolved.
    pub body_schema: Option<Value>,
    /// The example of a JSON request body (of the media type, else of its schema): `None`
    /// without a JSON body, `Some(None)` for a JSON body documented without one.
    pub json_example: Option<Option<Value>>,
    /// Status codes documented.
    pub statuses: Vec<String>,
    /// Whether the operation may be called without a token.
    pub anonymous: bool,
}

impl Operation {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// The property names of the request body's schema (through `allOf`, `oneOf`, `anyOf`).
    pub fn body_properties(&self, doc: &Value) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = &self.body_schema {
            collect_properties(doc, s, &mut out);
        }
        out.sort();
        out.dedup();
        out
    }
}

fn collect_properties(doc: &Value, schema: &Value, out: &mut Vec<String>) {
    let s = resolve(doc, schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        for sub in s[key].as_array().into_iter().flatten() {
            collect_properties(doc, sub, out);
        }
    }
    if let Some(props) = s["properties"].as_object() {
        out.extend(props.keys().cloned());
    }
}

/// Every operation of the document.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let shared: Vec<&Value> = item["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        for method in ["get", "post", "put", "patch", "delete"] {
            let Some(op) = item.get(method) else { continue };
            let params = shared
                .iter()
                .copied()
                .chain(op["parameters"].as_array().into_iter().flatten())
                .map(|p| {
                    let p = resolve(doc, p);
                    let schema = resolve(doc, &p["schema"]).clone();
                    Param {
                        name: p["name"].as_str().unwrap_or_default().to_owned(),
                        location: p["in"].as_str().unwrap_or_default().to_owned(),
                        required: p["required"].as_bool().unwrap_or(false),
                        example: p.get("example").or_else(|| schema.get("example")).cloned(),
                        schema,
                    }
                })
                .collect();
            let body = resolve(doc, &op["requestBody"]);
            let content = body["content"].as_object();
            let body_types = content
                .map(|c| c.keys().cloned().collect())
                .unwrap_or_default();
            let body_schema = content
                .and_then(|c| c.values().next())
                .map(|c| resolve(doc, &c["schema"]).clone());
            let json_example = content.and_then(|c| c.get("application/json")).map(|c| {
                c.get("example")
                    .cloned()
                    .or_else(|| resolve(doc, &c["schema"]).get("example").cloned())
            });
            let statuses = op["responses"]
                .as_object()
                .map(|r| r.keys().cloned().collect())
                .unwrap_or_default();
            let anonymous = match op["security"].as_array() {
                None => true,
                Some(reqs) => reqs
                    .iter()
                    .any(|r| r.as_object().is_some_and(|o| o.is_empty())),
            };
            out.push(Operation {
                method: method.to_uppercase(),
                path: path.clone(),
                operation_id: op["operationId"].as_str().unwrap_or_default().to_owned(),
                params,
                body_types,
                body_schema,
                json_example,
                statuses,
                anonymous,
            });
        }
    }
    out
}

/// A path with its parameters filled in by `fill(name, schema)`.
pub fn fill_path(op: &Operation, mut fill: impl FnMut(&Param) -> String) -> String {
    op.path
        .split('/')
        .map(|s| {
            match s
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .and_then(|name| op.params.iter().find(|p| p.name == name))
            {
                Some(p) => fill(p),
                None => s.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A value of the right type for a path parameter that names nothing: the nil UUID, a
/// year, or a word.
pub fn placeholder(p: &Param) -> String {
    match (p.schema["type"].as_str(), p.schema["format"].as_str()) {
        (_, Some("uuid")) => "00000000-0000-0000-0000-000000000000".to_owned(),
        (Some("integer"), _) => "2025".to_owned(),
        _ => "none".to_owned(),
    }
}
