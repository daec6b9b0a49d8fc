//! The zhengwu HTTP API: actix-web handlers, auth, error mapping, OpenAPI and Swagger UI.

use zhengwu_domain::codes::Code;
pub mod alerts;
pub mod app;
pub mod audit_ctx;
pub mod auth;
pub mod checkpoints;
pub mod clock;
pub mod config;
pub mod deadlines;
pub mod demo;
pub mod dto;
pub mod error;
pub mod extract;
pub mod housekeeping;
pub mod i18n;
pub mod idem;
pub mod logging;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod outbox;
pub mod pagination;
pub mod principals;
pub mod ratelimit;
pub mod routes;
pub mod routing;
pub mod seed;
pub mod state;
pub mod storage;
pub mod webhooks;
pub mod writers;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpRequest, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::extract::JsonLimit;
pub use crate::state::AppState;

fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    let msg = err.to_string();
    let detail = msg
        .strip_prefix("Query deserialize error: ")
        .unwrap_or(&msg)
        .to_owned();
    ApiError::bad_request(
        Code::RequestInvalidQuery,
        format!("invalid query parameter: {detail}"),
    )
    .into()
}

fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(
        Code::RequestInvalidPath,
        format!("invalid path parameter: {err}"),
    )
    .into()
}

type Parts<T> = (App<T>, utoipa::openapi::OpenApi);

fn assemble<T>(app: App<T>) -> Parts<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    let (app, api) = app
        .into_utoipa_app()
        .configure(|c| routes::operational(c))
        .service(utoipa_actix_web::scope("/api/v1").configure(|c| routes::api_v1(c)))
        .split_for_parts();
    (app, openapi::finish(api))
}

/// The OpenAPI document of the API (what `zhengwu openapi` prints).
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    assemble(App::new()).1
}

/// The document as the server serves it, and the route table drawn from it: the same for
/// every HTTP worker, so made once per process. Collecting it is most of what building an
/// app costs (measured: about 20 MB of memory per worker when each made its own).
struct Served {
    document: web::Data<utoipa::openapi::OpenApi>,
    routes: web::Data<routing::Routes>,
}

fn served() -> &'static Served {
    static SERVED: std::sync::OnceLock<Served> = std::sync::OnceLock::new();
    SERVED.get_or_init(|| {
        let document = openapi_document();
        Served {
            routes: web::Data::new(routing::Routes::from_doc(&document)),
            document: web::Data::new(document),
        }
    })
}

/// Where Swagger UI and clients read the document.
const DOCUMENT_URL: &str = "/api-docs/openapi.json";

async fn document(doc: web::Data<utoipa::openapi::OpenApi>) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().json(doc.as_ref())
}

/// Every schema the document's operations and components register, by name (see
/// [`routes::SchemaCensus`]).
pub fn schema_census() -> routes::SchemaCensus {
    use utoipa::OpenApi;
    let mut census = routes::SchemaCensus::default();
    routes::operational(&mut census);
    routes::api_v1(&mut census);
    let base = openapi::ApiDoc::openapi();
    census.record(
        base.components
            .map(|c| c.schemas.into_iter().collect())
            .unwrap_or_default(),
    );
    census
}

/// The whole application over `state`.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = state.config.cors_origins.iter().fold(
        actix_cors::Cors::default()
            .allow_any_method()
            .allow_any_header()
            .expose_headers(["ETag", "Location", "Link", "X-Request-Id", "Retry-After"])
            .max_age(3600),
        |c, origin| c.allowed_origin(origin),
    );
    let limit = state.config.json_limit;
    let base = App::new()
        .app_data(web::Data::new(state))
        .app_data(web::Data::new(JsonLimit(limit)))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error));
    // The handlers are registered with actix alone: their documentation is the shared
    // document's, collected once by `served`.
    let served = served();
    let mut v1 = routes::Grouped::new("/api/v1");
    routes::api_v1(&mut v1);
    base.configure(routes::operational)
        .service(v1.into_scope())
        .app_data(served.routes.clone())
        .service(
            web::resource(DOCUMENT_URL)
                .app_data(served.document.clone())
                .route(web::get().to(document)),
        )
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                .config(utoipa_swagger_ui::Config::new([DOCUMENT_URL])),
        )
        .default_service(web::to(routing::fallback))
        .wrap(actix_web::middleware::from_fn(middleware::conditional))
        .wrap(actix_web::middleware::from_fn(middleware::deadline))
        .wrap(actix_web::middleware::from_fn(routing::guard))
        .wrap(cors)
        .wrap(actix_web::middleware::from_fn(middleware::observe))
}
