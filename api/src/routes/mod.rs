//! The routes of `/api/v1`, one module per resource. Registration through
//! utoipa-actix-web makes the route table and the OpenAPI document one list.

pub mod assessments;
pub mod audit;
pub mod auth;
pub mod bulletins;
pub mod calendars;
pub mod cases;
pub mod catalogue;
pub mod clients;
pub mod complaints;
pub mod disclosure_assessment;
pub mod disclosures;
pub mod evaluations;
pub mod events;
pub mod hotline;
pub mod matters;
pub mod meta;
pub mod ops;
pub mod orders;
pub mod orgs;
pub mod participation;
pub mod reports;
pub mod requests;
pub mod statistics;
pub mod supervision;
pub mod users;
pub mod webhooks;
pub mod windows;

use std::collections::BTreeMap;

use actix_web::dev::HttpServiceFactory;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;
use utoipa_actix_web::OpenApiFactory;
use utoipa_actix_web::service_config::ServiceConfig;

/// What the route lists register handlers with: utoipa-actix-web's service configuration
/// (the handlers and their documentation), actix's (the handlers alone), or a
/// [`SchemaCensus`] that only reads the handlers' documentation.
pub trait Registry {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Registry for ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        ServiceConfig::service(self, factory)
    }
}

/// Registration with actix alone, for an app whose document is made elsewhere.
impl Registry for actix_web::web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        actix_web::web::ServiceConfig::service(self, factory)
    }
}

/// Registration with actix in one scope per first path segment (`/cases/...`,
/// `/disclosures/...`), for the server. actix tries an app's resources one after another in
/// registration order, each dynamic one with a regular expression, so a flat list made
/// every request of a route near its end try a hundred patterns first (measured: 9% of the
/// server's CPU on the item page). A segment's scope is passed over on one comparison.
///
/// It routes as the flat list does: two routes whose first segments are different literals
/// never match the same path, and within a segment the order of registration is kept.
/// Routes whose first segment is a parameter (none today) come after all the others, as
/// [`crate::routing`] ranks them.
pub struct Grouped {
    /// The path the groups are mounted under (`/api/v1`).
    prefix: &'static str,
    groups: Vec<(Option<String>, actix_web::Scope)>,
}

impl Grouped {
    pub fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            groups: Vec::new(),
        }
    }

    /// The scope of `prefix` holding the groups: those of a literal first segment in the
    /// order their first routes came, then the others.
    pub fn into_scope(self) -> actix_web::Scope {
        let (literal, other): (Vec<_>, Vec<_>) =
            self.groups.into_iter().partition(|(s, _)| s.is_some());
        literal
            .into_iter()
            .chain(other)
            .fold(actix_web::web::scope(self.prefix), |scope, (_, group)| {
                scope.service(group)
            })
    }

    /// The scope of the routes whose paths begin with the literal `segment`, entered when
    /// the request's first segment under the prefix is `segment` once percent-decoded, as
    /// actix decodes it before matching (a literal holds none of the characters actix
    /// keeps encoded). actix does not leave a scope it entered for a later one, so the
    /// guard must be exact. Every request asks the guards of the groups before its own, so
    /// a segment without escapes is compared as it is, without decoding it.
    fn group(prefix: &'static str, segment: Option<&str>) -> actix_web::Scope {
        let scope = actix_web::web::scope("");
        let Some(segment) = segment else {
            return scope;
        };
        let literal = segment.to_owned();
        let at = prefix.split('/').count();
        scope.guard(actix_web::guard::fn_guard(move |ctx| {
            ctx.head().uri.path().split('/').nth(at).is_some_and(|s| {
                s == literal
                    || (s.contains('%')
                        && crate::routing::percent_decode(s, false) == literal.as_bytes())
            })
        }))
    }
}

/// The first segment of a route's path (`cases` of `/cases/{id}`), when it is a literal.
fn literal_first_segment(path: &str) -> Option<&str> {
    path.split('/')
        .nth(1)
        .filter(|s| !s.is_empty() && !s.contains('{'))
}

impl Registry for Grouped {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        let paths = factory.paths();
        let segment = paths
            .paths
            .keys()
            .next()
            .and_then(|p| literal_first_segment(p))
            .map(str::to_owned);
        let at = match self.groups.iter().position(|(s, _)| *s == segment) {
            Some(at) => at,
            None => {
                let group = Self::group(self.prefix, segment.as_deref());
                self.groups.push((segment, group));
                self.groups.len() - 1
            }
        };
        if let Some((_, scope)) = self.groups.get_mut(at) {
            let taken = std::mem::replace(scope, actix_web::web::scope(""));
            *scope = taken.service(factory);
        }
        self
    }
}

/// Every schema the handlers register, by component name. The document keeps one schema per
/// name, so two Rust types published under one name would leave one of them described by the
/// other's schema; the census keeps each distinct schema a name was given.
#[derive(Default)]
pub struct SchemaCensus {
    pub schemas: BTreeMap<String, Vec<serde_json::Value>>,
}

impl SchemaCensus {
    /// Records `(name, schema)` pairs, keeping each distinct schema of a name once.
    pub fn record(&mut self, pairs: Vec<(String, RefOr<Schema>)>) {
        for (name, schema) in pairs {
            let value = serde_json::to_value(&schema).unwrap_or_default();
            let seen = self.schemas.entry(name).or_default();
            if !seen.contains(&value) {
                seen.push(value);
            }
        }
    }

    /// The names given to more than one schema.
    pub fn conflicts(&self) -> Vec<&str> {
        self.schemas
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, _)| k.as_str())
            .collect()
    }
}

impl Registry for SchemaCensus {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        let mut pairs = Vec::new();
        factory.schemas(&mut pairs);
        self.record(pairs);
        self
    }
}

/// Registers every `/api/v1` handler.
pub fn api_v1<R: Registry>(cfg: &mut R) {
    cfg.service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::me)
        .service(auth::change_password)
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
        .service(events::feed)
        .service(webhooks::list)
        .service(webhooks::create)
        .service(webhooks::get)
        .service(webhooks::update)
        .service(webhooks::remove)
        .service(webhooks::rotate)
        .service(webhooks::deliveries)
        .service(webhooks::redeliver)
        .service(windows::list)
        .service(windows::create)
        .service(windows::get)
        .service(windows::patch)
        .service(windows::put_staff)
        .service(calendars::deadline)
        .service(calendars::provisional)
        .service(calendars::get)
        .service(calendars::put)
        .service(audit::verify)
        .service(audit::checkpoints)
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
        .service(disclosures::timeline)
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
        .service(supervision::get_rules)
        .service(supervision::put_rules)
        .service(supervision::get_alert_summary)
        .service(supervision::list_alerts)
        .service(supervision::list_alert_events)
        .service(supervision::run_alert_job)
        .service(supervision::list_anomalies)
        .service(orders::create_order)
        .service(orders::list_orders)
        .service(orders::get_order)
        .service(orders::respond_order)
        .service(orders::close_order)
        .service(orders::escalate_order)
        .service(orders::create_accountability)
        .service(orders::list_accountability)
        .service(complaints::submit_complaint)
        .service(complaints::list_complaints)
        .service(complaints::get_complaint)
        .service(complaints::accept_complaint)
        .service(complaints::reject_complaint)
        .service(complaints::handle_complaint)
        .service(complaints::reply_complaint)
        .service(complaints::close_complaint)
        .service(complaints::refer_complaint)
        .service(complaints::lookup_complaint)
        .service(hotline::create_ticket)
        .service(hotline::list_tickets)
        .service(hotline::get_ticket)
        .service(hotline::ticket_timeline)
        .service(hotline::dispatch_ticket)
        .service(hotline::return_ticket)
        .service(hotline::request_ticket_extension)
        .service(hotline::decide_ticket_extension)
        .service(hotline::reply_ticket)
        .service(hotline::callback_ticket)
        .service(hotline::close_ticket)
        .service(hotline::merge_ticket)
        .service(hotline::entry_from_ticket)
        .service(hotline::lookup_ticket)
        .service(hotline::public_answers)
        .service(hotline::hotline_statistics)
        .service(hotline::create_entry)
        .service(hotline::search_entries)
        .service(hotline::get_entry)
        .service(hotline::patch_entry)
        .service(hotline::submit_entry)
        .service(hotline::publish_entry)
        .service(hotline::reject_entry)
        .service(hotline::retire_entry)
        .service(meta::enums)
        .service(meta::error_codes)
        .service(assessments::record_attendance)
        .service(assessments::list_attendance)
        .service(assessments::get_attendance)
        .service(assessments::amend_attendance)
        .service(assessments::create_assessment)
        .service(assessments::list_assessments)
        .service(assessments::assessment_summary)
        .service(assessments::get_assessment)
        .service(assessments::amend_assessment)
        .service(bulletins::monthly_bulletin)
        .service(disclosure_assessment::disclosure_assessment)
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
pub fn operational<R: Registry>(cfg: &mut R) {
    cfg.service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics);
}

#[cfg(test)]
mod tests {
    use super::literal_first_segment;

    #[test]
    fn a_routes_group_is_its_literal_first_segment() {
        assert_eq!(literal_first_segment("/cases/{id}/accept"), Some("cases"));
        assert_eq!(literal_first_segment("/disclosures"), Some("disclosures"));
        assert_eq!(literal_first_segment("/{kind}/{id}"), None);
        assert_eq!(literal_first_segment("/"), None);
        assert_eq!(literal_first_segment(""), None);
    }
}
