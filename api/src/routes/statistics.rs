//! Case statistics (办件统计) per organisation, hall, window, staff member or matter.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::services::{CaseFacts, CaseKind, CaseMeasures, CaseState};
use zhengwu_domain::supervision::notice_delay;
use zhengwu_persistence::{DbError, calendar, cases, matters, orgs, supervision, users, windows};

use crate::auth::{Principal, Scope};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Org,
    Hall,
    Window,
    Staff,
    Matter,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// The organisation whose subtree is counted; your scope when absent.
    pub org: Option<Uuid>,
    /// First day of receipt counted.
    #[param(example = "2025-10-01")]
    pub from: NaiveDate,
    /// Last day of receipt counted (at most 3 years after `from`).
    #[param(example = "2025-10-31")]
    pub to: NaiveDate,
    pub group_by: GroupBy,
}

/// The measures of one group. Rates are fractions (0.8 = 80%), absent when undefined.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Measures {
    /// Cases received in the period (projects of parallel approval count by their parts).
    pub received: u64,
    /// Of those, accepted (受理).
    pub accepted: u64,
    /// Refused (不予受理).
    pub refused: u64,
    /// Decided (办结), delivered or not.
    pub completed: u64,
    /// 办结率 = completed ÷ accepted.
    pub completion_rate: Option<f64>,
    /// 按时办结率 = completed on or before the due date ÷ completed.
    pub on_time_rate: Option<f64>,
    /// 当场办结率 = immediate cases decided on the day of acceptance ÷ immediate cases completed.
    pub on_the_spot_rate: Option<f64>,
    /// 提前办结率 = completed before the due date ÷ completed.
    pub early_completion_rate: Option<f64>,
    /// Mean working days from acceptance to decision, special procedures left out. A case
    /// whose one-time notice came later than the notice window (AL Art.32) counts as accepted
    /// on receipt, here and in the on-time rates.
    pub average_working_days_used: Option<f64>,
    /// Mean promised limit (with extension) of the completed cases.
    pub average_working_days_promised: Option<f64>,
}

impl From<&CaseMeasures> for Measures {
    fn from(m: &CaseMeasures) -> Self {
        Self {
            received: m.received,
            accepted: m.accepted,
            refused: m.refused,
            completed: m.completed,
            completion_rate: m.completion_rate(),
            on_time_rate: m.on_time_rate(),
            on_the_spot_rate: m.on_the_spot_rate(),
            early_completion_rate: m.early_rate(),
            average_working_days_used: m.average_working_days_used(),
            average_working_days_promised: m.average_limit_days(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    /// The id of the organisation, hall, window, staff member or matter; absent for
    /// cases without one (e.g. no window).
    pub key: Option<Uuid>,
    pub label: String,
    #[serde(flatten)]
    pub measures: Measures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseStatistics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub group_by: GroupBy,
    pub groups: Vec<Group>,
    pub total: Measures,
}

/// Case measures for a period, grouped: received, accepted, refused, completed, and the
/// completion (办结率), on-time (按时办结率), on-the-spot (当场办结率) and early-completion
/// rates, with the average working days used against those promised. Computed from the
/// records; supervisors and administrators, within their scope.
#[utoipa::path(tag = "statistics", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = CaseStatistics)))]
#[get("/statistics/cases")]
pub async fn cases_statistics(
    state: web::Data<AppState>,
    auth: Principal,
    q: web::Query<StatsQuery>,
) -> ApiResult<HttpResponse> {
    auth.require(&[
        Role::SysAdmin,
        Role::OrgAdmin,
        Role::Supervisor,
        Role::Reviewer,
    ])?;
    if q.to < q.from || (q.to - q.from).num_days() > 3 * 366 {
        return Err(ApiError::field(
            "?to",
            "range",
            "`to` is on or after `from`, at most 3 years later",
        ));
    }
    let mut conn = state.heavy_read_conn().await?;
    let within = match (q.org, auth.scope()) {
        (Some(o), _) => {
            let org = match orgs::get(&mut conn, o).await {
                Ok(org) if auth.sees(&org.path) => org,
                Ok(_) | Err(DbError::NotFound) => {
                    return Err(ApiError::field(
                        "?org",
                        "reference.not_found",
                        "no such organisation in your scope",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            Some(org.path.as_str().to_owned())
        }
        (None, Scope::All) => None,
        (None, Scope::Within(p)) => Some(p.as_str().to_owned()),
        (None, Scope::Nothing) => return Err(ApiError::forbidden("no organisation scope")),
    };
    let rows = cases::stat_rows(&mut conn, within.as_deref(), q.from, q.to).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut paused: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (c, s, e) in cases::closed_pauses(&mut conn, &ids).await? {
        paused.entry(c).or_default().push((s, e));
    }
    let cal = calendar::calendar_for(&mut conn, q.from.year(), q.to.year() + 1).await?;
    let late = late_notices(&mut conn, &rows, &cal, state.config.timezone.name()).await?;
    let mut groups: BTreeMap<Option<Uuid>, CaseMeasures> = BTreeMap::new();
    let mut total = CaseMeasures::default();
    for r in &rows {
        let facts = case_facts(
            r,
            paused.get(&r.id).map(Vec::as_slice).unwrap_or(&[]),
            &cal,
            late.contains(&r.id),
        );
        let key = match q.group_by {
            GroupBy::Org => Some(r.organization_id),
            GroupBy::Hall => r.hall_id,
            GroupBy::Window => r.window_id,
            GroupBy::Staff => r.staff_id,
            GroupBy::Matter => r.matter_id,
        };
        groups.entry(key).or_default().add(&facts);
        total.add(&facts);
    }
    let keys: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let labels = labels(&mut conn, q.group_by, &keys).await?;
    let mut out: Vec<Group> = groups
        .iter()
        .map(|(k, m)| Group {
            key: *k,
            label: k
                .and_then(|k| labels.get(&k).cloned())
                .unwrap_or_else(|| "（无）".to_owned()),
            measures: m.into(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.measures
            .received
            .cmp(&a.measures.received)
            .then(a.label.cmp(&b.label))
    });
    Ok(HttpResponse::Ok().json(CaseStatistics {
        from: q.from,
        to: q.to,
        group_by: q.group_by,
        groups: out,
        total: (&total).into(),
    }))
}

/// The cases whose one-time notice came later than their organisation's notice window: by
/// AL Art.32 they count as accepted on receipt.
pub(crate) async fn late_notices(
    conn: &mut zhengwu_persistence::Conn,
    rows: &[cases::StatRow],
    cal: &Calendar,
    tz: &str,
) -> ApiResult<HashSet<Uuid>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let book = supervision::rule_book(conn).await?;
    let paths: HashMap<Uuid, String> = orgs::get_many(
        conn,
        &rows.iter().map(|r| r.organization_id).collect::<Vec<_>>(),
    )
    .await?
    .into_iter()
    .map(|o| (o.id, o.path.as_str().to_owned()))
    .collect();
    let by_id: HashMap<Uuid, &cases::StatRow> = rows.iter().map(|r| (r.id, r)).collect();
    let mut late = HashSet::new();
    for (id, on) in supervision::first_notices(conn, &ids, tz).await? {
        if let Some(r) = by_id.get(&id) {
            let path = paths.get(&r.organization_id).map_or("", String::as_str);
            let window = book.at(path).0.notice_window_days;
            if notice_delay(cal, r.received_on, on, window).1 {
                late.insert(id);
            }
        }
    }
    Ok(late)
}

/// What the measures need of one case: its state and dates, with the working days used
/// from acceptance to decision less its closed pauses (special procedures). A case with a
/// late one-time notice (`late_notice`) counts as accepted on receipt, its due date moved
/// back by as many working days.
pub(crate) fn case_facts(
    r: &cases::StatRow,
    pauses: &[(NaiveDate, NaiveDate)],
    cal: &Calendar,
    late_notice: bool,
) -> CaseFacts {
    let (accepted_on, due_date) = match (r.accepted_on, r.due_date) {
        (Some(a), Some(due)) if late_notice => (
            Some(r.received_on),
            cal.add_working_days(r.received_on, cal.working_days_between(a, due))
                .map(|d| d.due_date)
                .ok(),
        ),
        (Some(a), due) if late_notice => (Some(r.received_on.min(a)), due),
        (a, due) => (a, due),
    };
    let used = match (accepted_on, r.decided_on) {
        (Some(a), Some(d)) => {
            let p: u32 = pauses
                .iter()
                .map(|(s, e)| cal.working_days_between(*s, *e))
                .sum();
            Some(cal.working_days_between(a, d).saturating_sub(p))
        }
        _ => None,
    };
    CaseFacts {
        state: CaseState::parse(&r.state).unwrap_or(CaseState::Submitted),
        case_kind: CaseKind::parse(&r.case_kind).unwrap_or(CaseKind::Promised),
        accepted_on,
        decided_on: r.decided_on,
        due_date,
        limit_days: u32::try_from(r.promised_days + r.extension_days).unwrap_or(0),
        working_days_used: used,
    }
}

pub(crate) async fn labels(
    conn: &mut zhengwu_persistence::Conn,
    by: GroupBy,
    keys: &[Uuid],
) -> ApiResult<HashMap<Uuid, String>> {
    let mut out = HashMap::new();
    match by {
        GroupBy::Org | GroupBy::Hall => {
            for o in orgs::get_many(conn, keys).await? {
                out.insert(o.id, o.name);
            }
        }
        GroupBy::Window => {
            for k in keys {
                if let Ok(w) = windows::get(conn, *k).await {
                    out.insert(w.id, format!("{} {}", w.number, w.name));
                }
            }
        }
        GroupBy::Staff => {
            for k in keys {
                if let Ok(u) = users::get(conn, *k).await {
                    out.insert(u.id, u.display_name);
                }
            }
        }
        GroupBy::Matter => {
            for k in keys {
                if let Ok(m) = matters::get_matter(conn, *k).await {
                    let v = matters::get_version(
                        conn,
                        m.id,
                        m.published_version.unwrap_or(m.working_version),
                    )
                    .await?;
                    out.insert(m.id, v.content.name);
                }
            }
        }
    }
    Ok(out)
}
