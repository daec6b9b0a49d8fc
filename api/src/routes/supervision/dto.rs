//! The bodies and queries of the supervision operations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::ids::{OrganizationId, UserId};
use zhengwu_domain::supervision::{AlertLevel, AlertObject, RuleId, SupervisionRules};
use zhengwu_persistence::supervision::AlertEvent;

use crate::app::supervision::{AlertSearch, AnomalySearch, EventSearch};

/// A rule of the catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleInfo {
    pub id: RuleId,
    pub name: String,
    /// `alert` (a deadline) or `anomaly`.
    pub kind: String,
    pub description: String,
    /// Whether it is on for this organisation.
    pub enabled: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RulesDto {
    pub organization_id: Uuid,
    /// The organisation whose rules apply (this one or an ancestor); absent: the defaults.
    pub defined_at: Option<Uuid>,
    /// The version of this organisation's own rules (absent when it inherits them); send it
    /// in `If-Match` to update.
    pub version: Option<i32>,
    pub rules: SupervisionRules,
    pub catalogue: Vec<RuleInfo>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulesQuery {
    /// The organisation; your own when absent.
    pub org: Option<Uuid>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertsQuery {
    /// The day the alerts are computed for; today by the server's clock when absent. The
    /// same day gives the same alerts.
    #[param(example = "2025-10-30")]
    pub as_of: Option<NaiveDate>,
    pub level: Option<AlertLevel>,
    pub kind: Option<AlertObject>,
    /// The organisation whose subtree is watched; your scope when absent.
    pub org: Option<Uuid>,
    /// Only alerts of this responsible person.
    pub responsible: Option<Uuid>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl From<&AlertsQuery> for AlertSearch {
    fn from(q: &AlertsQuery) -> Self {
        AlertSearch {
            as_of: q.as_of,
            level: q.level,
            kind: q.kind,
            org: q.org.map(OrganizationId),
            responsible: q.responsible.map(UserId),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertSummaryQuery {
    /// The day the alerts are counted for; today by the server's clock when absent.
    #[param(example = "2025-10-30")]
    pub as_of: Option<NaiveDate>,
    /// The organisation whose subtree is counted; your scope when absent.
    pub org: Option<Uuid>,
}

/// A recorded change of an alert's level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertEventDto {
    pub id: i64,
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub responsible_id: Option<Uuid>,
    pub rule_id: String,
    /// The level before; absent: no alert.
    pub from_level: Option<AlertLevel>,
    /// The level after; absent: cleared (finished, or the deadline moved away).
    pub to_level: Option<AlertLevel>,
    pub due_date: NaiveDate,
    /// The day the change was seen.
    pub as_of: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

impl From<AlertEvent> for AlertEventDto {
    fn from(e: AlertEvent) -> Self {
        AlertEventDto {
            id: e.id,
            object_kind: AlertObject::parse(&e.object_kind).unwrap_or(AlertObject::Case),
            object_id: e.object_id,
            stage: e.stage,
            label: e.label,
            organization_id: e.organization_id,
            responsible_id: e.responsible_id,
            rule_id: e.rule_id,
            from_level: e.from_level.as_deref().and_then(AlertLevel::parse),
            to_level: e.to_level.as_deref().and_then(AlertLevel::parse),
            due_date: e.due_date,
            as_of: e.as_of,
            recorded_at: e.recorded_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    pub org: Option<Uuid>,
    pub kind: Option<AlertObject>,
    pub object_id: Option<Uuid>,
    /// Changes to this level.
    pub level: Option<AlertLevel>,
    /// Changes seen on or after this day.
    pub from: Option<NaiveDate>,
    /// Changes seen on or before this day.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl From<&EventsQuery> for EventSearch {
    fn from(q: &EventsQuery) -> Self {
        EventSearch {
            org: q.org.map(OrganizationId),
            kind: q.kind,
            object_id: q.object_id,
            level: q.level,
            from: q.from,
            to: q.to,
        }
    }
}

/// The anomaly rules, the values `rule` takes.
pub fn anomaly_rule_schema() -> utoipa::openapi::schema::Object {
    crate::openapi::string_enum(
        RuleId::ALL
            .iter()
            .filter(|r| r.is_anomaly())
            .map(|r| r.as_str()),
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomaliesQuery {
    pub org: Option<Uuid>,
    /// An anomaly rule (`JC-B…`); deadline rules (`JC-A…`) are alerts, not anomalies.
    #[param(schema_with = anomaly_rule_schema)]
    pub rule: Option<RuleId>,
    /// First day (default: 1 January of the current year).
    pub from: Option<NaiveDate>,
    /// Last day (default: today); at most 3 years after `from`.
    pub to: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200, default = 20)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl From<&AnomaliesQuery> for AnomalySearch {
    fn from(q: &AnomaliesQuery) -> Self {
        AnomalySearch {
            org: q.org.map(OrganizationId),
            rule: q.rule,
            from: q.from,
            to: q.to,
        }
    }
}
