//! The routes of `/api/v1`, one module per resource. Registration through
//! utoipa-actix-web makes the route table and the OpenAPI document one list.

pub mod audit;
pub mod auth;
pub mod calendars;
pub mod cases;
pub mod catalogue;
pub mod clients;
pub mod disclosures;
pub mod evaluations;
pub mod matters;
pub mod meta;
pub mod ops;
pub mod orgs;
pub mod participation;
pub mod reports;
pub mod requests;
pub mod statistics;
pub mod users;
pub mod windows;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/api/v1` handler.
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::register)
        .service(orgs::list)
        .service(orgs::create)
        .service(orgs::get)
        .service(orgs::patch)
        .service(users::list)
        .service(users::create)
        .service(users::get)
        .service(users::patch)
        .service(clients::list)
        .service(clients::create)
        .service(clients::patch)
        .service(windows::list)
        .service(windows::create)
        .service(windows::get)
        .service(windows::patch)
        .service(windows::put_staff)
        .service(calendars::deadline)
        .service(calendars::get)
        .service(calendars::put)
        .service(audit::verify)
        .service(audit::list)
        .service(catalogue::list)
        .service(catalogue::create)
        .service(catalogue::patch)
        .service(catalogue::remove)
        .service(catalogue::get_guide)
        .service(catalogue::put_guide)
        .service(disclosures::feed)
        .service(disclosures::list)
        .service(disclosures::create)
        .service(disclosures::get)
        .service(disclosures::patch)
        .service(disclosures::submit)
        .service(disclosures::approve)
        .service(disclosures::reject)
        .service(disclosures::publish)
        .service(disclosures::revise)
        .service(disclosures::withdraw)
        .service(disclosures::mask)
        .service(disclosures::versions)
        .service(disclosures::version)
        .service(disclosures::upload)
        .service(disclosures::download)
        .service(matters::list)
        .service(matters::create)
        .service(matters::get)
        .service(matters::patch)
        .service(matters::submit)
        .service(matters::publish)
        .service(matters::suspend)
        .service(matters::resume)
        .service(matters::abolish)
        .service(matters::versions)
        .service(matters::guide)
        .service(cases::list)
        .service(cases::create)
        .service(cases::get)
        .service(cases::timeline)
        .service(cases::accept)
        .service(cases::refuse)
        .service(cases::notify_missing)
        .service(cases::resubmit)
        .service(cases::assign)
        .service(cases::steps)
        .service(cases::suspend)
        .service(cases::resume)
        .service(cases::extend)
        .service(cases::decide)
        .service(cases::deliver)
        .service(cases::charge)
        .service(cases::lookup)
        .service(statistics::cases_statistics)
        .service(requests::fee_quote)
        .service(requests::list)
        .service(requests::create)
        .service(requests::get)
        .service(requests::timeline)
        .service(requests::request_correction)
        .service(requests::submit_correction)
        .service(requests::close_lapsed)
        .service(requests::consult)
        .service(requests::record_opinion)
        .service(requests::extend)
        .service(requests::fee_notice)
        .service(requests::fee_paid)
        .service(requests::reply)
        .service(requests::add_remedy)
        .service(requests::update_remedy)
        .service(reports::annual)
        .service(reports::put_text)
        .service(participation::create_consultation)
        .service(participation::list_consultations)
        .service(participation::get_consultation)
        .service(participation::open)
        .service(participation::close)
        .service(participation::publish_summary)
        .service(participation::add_comment)
        .service(participation::comments)
        .service(participation::moderate)
        .service(participation::submit_message)
        .service(participation::list_messages)
        .service(participation::forward)
        .service(participation::answer_message)
        .service(participation::publish_message)
        .service(participation::echo_wall)
        .service(meta::enums)
        .service(evaluations::evaluate_case)
        .service(evaluations::case_evaluation)
        .service(evaluations::list_evaluations)
        .service(evaluations::read_evaluation)
        .service(evaluations::appeal_evaluation)
        .service(evaluations::decide_evaluation_appeal)
        .service(evaluations::list_rectifications)
        .service(evaluations::read_rectification)
        .service(evaluations::verify_rectification)
        .service(evaluations::rectify_rectification)
        .service(evaluations::explain_rectification)
        .service(evaluations::callback_rectification)
        .service(evaluations::close_rectification)
        .service(evaluations::evaluation_statistics)
        .service(evaluations::public_evaluation_summary);
}

/// Registers the operational endpoints (outside `/api/v1`).
pub fn operational(cfg: &mut ServiceConfig) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics);
}
