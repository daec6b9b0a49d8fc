//! The route table as the OpenAPI document states it, consulted before actix routes a
//! request: a path parameter or query parameter holding the NUL character is 400 naming
//! it, a method a path does not serve is 405 with the `Allow` of that path, `HEAD` is
//! served wherever `GET` is, and `OPTIONS` answers with `Allow`.
//!
//! actix tries the routes in the order they were registered and takes the first whose
//! pattern and method match, so `PUT /calendars/deadline` (only `GET` is served there)
//! would reach `PUT /calendars/{year}` and fail on the year. Here a path belongs to its most
//! specific template — a literal segment beats a parameter, from left to right — and only
//! that template's methods are allowed.

use std::collections::HashMap;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, ResponseError, web};
use zhengwu_domain::codes::Code;

use crate::error::ApiError;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// A parameter (`{id}`), with its name.
    Param(String),
}

/// A path template and the methods served on it.
#[derive(Debug, Clone)]
pub struct Template {
    path: String,
    segments: Vec<Segment>,
    methods: Vec<Method>,
}

impl Template {
    /// The documented path (`/api/v1/cases/{id}`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The name of the parameter at segment `i` of a matching path, if it is one.
    pub fn param_at(&self, i: usize) -> Option<&str> {
        match self.segments.get(i) {
            Some(Segment::Param(name)) => Some(name),
            _ => None,
        }
    }

    /// Whether `method` is served, `HEAD` being served wherever `GET` is.
    pub fn serves(&self, method: &Method) -> bool {
        self.methods.contains(method) || (*method == Method::HEAD && self.serves(&Method::GET))
    }

    /// The `Allow` header: the documented methods, `HEAD` with `GET`, and `OPTIONS`.
    pub fn allow(&self) -> String {
        let order = [
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ];
        order
            .iter()
            .filter(|m| **m == Method::OPTIONS || self.serves(m))
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }

    #[cfg(test)]
    fn matches(&self, segments: &[&str]) -> bool {
        self.segments.len() == segments.len()
            && self.segments.iter().zip(segments).all(|(t, s)| match t {
                Segment::Literal(l) => l == s,
                Segment::Param(_) => !s.is_empty(),
            })
    }
}

/// The templates as a tree of their segments, for finding a path's template in as many
/// steps as it has segments rather than by comparing it with every template.
#[derive(Debug, Clone, Default)]
struct Node {
    literals: HashMap<String, Node>,
    param: Option<Box<Node>>,
    /// The template ending here (its index).
    template: Option<usize>,
}

impl Node {
    fn insert(&mut self, segments: &[Segment], template: usize) {
        match segments.split_first() {
            None => self.template = Some(template),
            Some((Segment::Literal(l), rest)) => self
                .literals
                .entry(l.clone())
                .or_default()
                .insert(rest, template),
            Some((Segment::Param(_), rest)) => self
                .param
                .get_or_insert_with(Box::default)
                .insert(rest, template),
        }
    }

    /// The most specific template matching `segments`: a literal is tried before a
    /// parameter at each segment, so the first template reached is the one whose literal
    /// segments come first from left to right.
    fn find(&self, segments: &[&str]) -> Option<usize> {
        match segments.split_first() {
            None => self.template,
            Some((s, rest)) => self
                .literals
                .get(*s)
                .and_then(|n| n.find(rest))
                .or_else(|| {
                    self.param
                        .as_ref()
                        .filter(|_| !s.is_empty())
                        .and_then(|n| n.find(rest))
                }),
        }
    }
}

/// Every documented path template with its methods.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    templates: Vec<Template>,
    tree: Node,
}

impl Routes {
    pub fn from_doc(doc: &utoipa::openapi::OpenApi) -> Self {
        let mut out: Vec<Template> = Vec::new();
        for (path, item) in &doc.paths.paths {
            let methods: Vec<Method> = [
                (Method::GET, item.get.is_some()),
                (Method::POST, item.post.is_some()),
                (Method::PUT, item.put.is_some()),
                (Method::PATCH, item.patch.is_some()),
                (Method::DELETE, item.delete.is_some()),
            ]
            .into_iter()
            .filter_map(|(m, present)| present.then_some(m))
            .collect();
            let segments: Vec<Segment> = path
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(name) => Segment::Param(name.to_owned()),
                        None => Segment::Literal(s.to_owned()),
                    },
                )
                .collect();
            // Two documented paths of one shape are one resource to the router.
            let shape = |segs: &[Segment]| {
                segs.iter()
                    .map(|s| match s {
                        Segment::Literal(l) => Some(l.clone()),
                        Segment::Param(_) => None,
                    })
                    .collect::<Vec<_>>()
            };
            match out
                .iter_mut()
                .find(|t| shape(&t.segments) == shape(&segments))
            {
                Some(t) => {
                    for m in methods {
                        if !t.methods.contains(&m) {
                            t.methods.push(m);
                        }
                    }
                }
                None => out.push(Template {
                    path: path.clone(),
                    segments,
                    methods,
                }),
            }
        }
        Routes::new(out)
    }

    fn new(templates: Vec<Template>) -> Self {
        let mut tree = Node::default();
        for (i, t) in templates.iter().enumerate() {
            tree.insert(&t.segments, i);
        }
        Routes { templates, tree }
    }

    /// The most specific template matching `path`, if any: a literal segment beats a
    /// parameter, from left to right.
    pub fn resolve(&self, path: &str) -> Option<&Template> {
        let segments: Vec<&str> = path.split('/').collect();
        self.tree
            .find(&segments)
            .and_then(|i| self.templates.get(i))
    }

    /// Every template (for tests and probes).
    pub fn templates(&self) -> &[Template] {
        &self.templates
    }
}

fn method_not_allowed(t: &Template) -> HttpResponse {
    let allow = t.allow();
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        Code::RouteMethodNotAllowed,
        "Method not allowed",
    )
    .detail(format!("this endpoint accepts {allow}"))
    .error_response();
    if let Ok(v) = HeaderValue::from_str(&allow) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

/// The answer when no route took the request: 405 under a known template, else 404.
pub async fn fallback(req: actix_web::HttpRequest, routes: web::Data<Routes>) -> HttpResponse {
    // The two addresses a person types for the API's documentation: the root (which the
    // start-up banner prints) and Swagger UI without its trailing slash.
    let entry = match req.path() {
        "/" => Some(StatusCode::FOUND),
        "/swagger-ui" => Some(StatusCode::MOVED_PERMANENTLY),
        _ => None,
    };
    if let Some(status) = entry {
        if !matches!(*req.method(), Method::GET | Method::HEAD) {
            let mut res = ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                Code::RouteMethodNotAllowed,
                "Method not allowed",
            )
            .detail("this address only leads to /swagger-ui/ (GET)")
            .error_response();
            res.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return res;
        }
        return HttpResponse::build(status)
            .insert_header((header::LOCATION, "/swagger-ui/"))
            .finish();
    }
    match routes.resolve(req.path()) {
        Some(t) => method_not_allowed(t),
        None => ApiError::new(StatusCode::NOT_FOUND, Code::RouteNotFound, "Not found")
            .detail("no endpoint has this path; see /swagger-ui/")
            .error_response(),
    }
}

/// Percent-decodes a URL component (`+` is a space in a query).
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Vec<u8> {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The problem of a path or query parameter holding NUL, if one does: a 400 naming it
/// (`{number}` for a path parameter, `?q` for a query parameter).
fn nul_parameter(path: &str, query: &str, template: Option<&Template>) -> Option<ApiError> {
    if let Some(t) = template {
        for (i, seg) in path.split('/').enumerate() {
            if percent_decode(seg, false).contains(&0) {
                let name = t.param_at(i).unwrap_or("path");
                let mut e = ApiError::bad_request(
                    Code::RequestInvalidPath,
                    format!("the path parameter {name} holds the NUL character"),
                );
                e.errors
                    .push(crate::extract::nul_problem(format!("{{{name}}}")));
                return Some(e);
            }
        }
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (percent_decode(k, true), percent_decode(v, true));
        if key.contains(&0) || value.contains(&0) {
            let name = String::from_utf8_lossy(&key).replace('\0', "%00");
            let mut e = ApiError::bad_request(
                Code::RequestInvalidQuery,
                format!("the query parameter {name} holds the NUL character"),
            );
            e.errors
                .push(crate::extract::nul_problem(format!("?{name}")));
            return Some(e);
        }
    }
    None
}

/// Middleware: answers 400 for a path or query parameter holding NUL (see
/// [`nul_parameter`]), 405 (with `Allow`) for a method the path's template does not serve,
/// `OPTIONS` with 204 and `Allow`, and serves `HEAD` as `GET` without the body.
pub async fn guard(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, Error> {
    let Some(routes) = req.app_data::<web::Data<Routes>>().cloned() else {
        return Ok(next
            .call(req)
            .await?
            .map_into_boxed_body()
            .map_into_left_body());
    };
    let template = routes.resolve(req.path());
    if let Some(problem) = nul_parameter(req.path(), req.query_string(), template) {
        return Ok(req
            .into_response(problem.error_response())
            .map_into_right_body());
    }
    let Some(template) = template else {
        return Ok(next
            .call(req)
            .await?
            .map_into_boxed_body()
            .map_into_left_body());
    };
    let method = req.method().clone();
    if method == Method::OPTIONS {
        let mut res = HttpResponse::NoContent().finish();
        if let Ok(v) = HeaderValue::from_str(&template.allow()) {
            res.headers_mut().insert(header::ALLOW, v);
        }
        return Ok(req.into_response(res).map_into_right_body());
    }
    if !template.serves(&method) {
        let res = method_not_allowed(template);
        return Ok(req.into_response(res).map_into_right_body());
    }
    if method == Method::HEAD && !template.methods.contains(&Method::HEAD) {
        req.head_mut().method = Method::GET;
        let res = next.call(req).await?;
        // The headers of the GET, no body: the server does not send one to a HEAD anyway,
        // and its length would not match.
        return Ok(res
            .map_body(|_, _| BoxBody::new(actix_web::body::None::new()))
            .map_into_right_body());
    }
    Ok(next
        .call(req)
        .await?
        .map_into_boxed_body()
        .map_into_left_body())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> Routes {
        let t = |path: &str, methods: &[Method]| Template {
            path: path.to_owned(),
            segments: path
                .split('/')
                .map(
                    |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(n) => Segment::Param(n.to_owned()),
                        None => Segment::Literal(s.to_owned()),
                    },
                )
                .collect(),
            methods: methods.to_vec(),
        };
        Routes::new(vec![
            t("/calendars/{year}", &[Method::GET, Method::PUT]),
            t("/calendars/deadline", &[Method::GET]),
            t("/cases/{id}/accept", &[Method::POST]),
        ])
    }

    /// What `resolve` answers by definition: of the templates matching the path, the one
    /// whose literal segments come first, from left to right.
    fn most_specific<'a>(routes: &'a Routes, path: &str) -> Option<&'a Template> {
        let segments: Vec<&str> = path.split('/').collect();
        let literals = |t: &Template| {
            t.segments
                .iter()
                .map(|s| matches!(s, Segment::Literal(_)))
                .collect::<Vec<_>>()
        };
        routes
            .templates()
            .iter()
            .filter(|t| t.matches(&segments))
            .max_by(|a, b| literals(a).cmp(&literals(b)))
    }

    #[test]
    fn the_tree_finds_what_comparing_every_template_finds() {
        let routes = Routes::from_doc(&crate::openapi_document());
        assert!(routes.templates().len() > 100);
        let mut paths = vec!["/".to_owned(), String::new(), "/api/v1/".to_owned()];
        for t in routes.templates() {
            // The template with its parameters filled, and with each segment in turn
            // replaced by a value that is no literal of any template, or left empty.
            let filled: Vec<String> = t
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(l) => l.clone(),
                    Segment::Param(_) => "2025".to_owned(),
                })
                .collect();
            paths.push(filled.join("/"));
            for i in 1..filled.len() {
                for other in ["x-1", "", "deadline"] {
                    let mut p = filled.clone();
                    p[i] = other.to_owned();
                    paths.push(p.join("/"));
                }
                paths.push(filled[..i].join("/"));
                paths.push(format!("{}/extra", filled.join("/")));
            }
        }
        for p in &paths {
            assert_eq!(
                routes.resolve(p).map(Template::path),
                most_specific(&routes, p).map(Template::path),
                "{p}"
            );
        }
    }

    #[test]
    fn the_most_specific_template_owns_a_path() {
        let r = routes();
        let deadline = r.resolve("/calendars/deadline");
        assert_eq!(deadline.map(Template::path), Some("/calendars/deadline"));
        assert_eq!(
            deadline.map(Template::allow).as_deref(),
            Some("GET, HEAD, OPTIONS")
        );
        let year = r.resolve("/calendars/2025");
        assert_eq!(year.map(Template::path), Some("/calendars/{year}"));
        assert_eq!(
            year.map(Template::allow).as_deref(),
            Some("GET, HEAD, PUT, OPTIONS")
        );
        assert_eq!(year.and_then(|t| t.param_at(2)), Some("year"));
        assert!(r.resolve("/calendars/").is_none());
        assert!(r.resolve("/cases/1/refuse").is_none());
        let accept = r.resolve("/cases/1/accept");
        assert_eq!(
            accept.map(Template::allow).as_deref(),
            Some("POST, OPTIONS")
        );
        assert!(accept.is_some_and(|t| !t.serves(&Method::GET)));
    }

    #[test]
    fn nul_in_a_path_or_query_parameter_is_named() {
        let r = routes();
        let pointer = |path: &str, query: &str| {
            nul_parameter(path, query, r.resolve(path))
                .map(|e| (e.status.as_u16(), e.errors[0].pointer.clone()))
        };
        assert_eq!(pointer("/calendars/%00", ""), Some((400, "{year}".into())));
        assert_eq!(
            pointer("/calendars/2025", "a=1&q=zhang%00san"),
            Some((400, "?q".into()))
        );
        assert_eq!(
            pointer("/calendars/2025", "k%00=1"),
            Some((400, "?k%00".into()))
        );
        assert_eq!(pointer("/calendars/2025", "q=%0&r=%2500&s=a+b"), None);
        assert_eq!(percent_decode("a%20b+c%", true), b"a b c%".to_vec());
        assert_eq!(percent_decode("%e5%8c%97", false), "北".as_bytes().to_vec());
        assert_eq!(percent_decode("%00", false), vec![0]);
    }
}
