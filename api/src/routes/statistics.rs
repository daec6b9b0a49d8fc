//! Case statistics (办件统计) per organisation, hall, window, staff member or matter.

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::services::{CaseFacts, CaseKind, CaseMeasures, CaseState};
use zhengwu_persistence::case_stats::{self, DayRow, StatKey};
use zhengwu_persistence::cases::StatCases;
use zhengwu_persistence::{DbError, calendar, cases, matters, orgs, users, windows};

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
    #[param(example = "org")]
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
    /// whose one-time notice came later than the notice window was accepted on receipt (AL
    /// Art.32), and counts from then here and in the on-time rates.
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
#[utoipa::path(operation_id = "getCaseStatistics",
    tag = "statistics", security(("bearer" = [])), params(StatsQuery),
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
    zhengwu_domain::validation::period(q.from, q.to, zhengwu_domain::validation::MAX_PERIOD_DAYS)
        .map_err(|v| ApiError::field("?to", v.code, v.message))?;
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
        (None, Scope::Subtree(p)) => Some(p.as_str().to_owned()),
        (None, Scope::Nothing) => return Err(ApiError::forbidden("no organisation scope")),
    };
    let groups = measures(&mut conn, within.as_deref(), q.from, q.to, q.group_by).await?;
    let mut total = CaseMeasures::default();
    for m in groups.values() {
        total.merge(m);
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

/// The measures of the cases received in `from..=to` within a subtree, by group. By
/// organisation or hall they come from the pre-aggregate (`case_stat_days`) for the days the
/// refresher has counted and from the records for the days queued since, in one snapshot;
/// by window, staff member or matter, from the records.
async fn measures(
    conn: &mut zhengwu_persistence::Conn,
    within: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    by: GroupBy,
) -> ApiResult<BTreeMap<Option<Uuid>, CaseMeasures>> {
    let stored = match by {
        GroupBy::Org => Some(StatKey::Org),
        GroupBy::Hall => Some(StatKey::Hall),
        GroupBy::Window | GroupBy::Staff | GroupBy::Matter => None,
    };
    let key = |r: &cases::StatRow| match by {
        GroupBy::Org => Some(r.organization_id),
        GroupBy::Hall => r.hall_id,
        GroupBy::Window => r.window_id,
        GroupBy::Staff => r.staff_id,
        GroupBy::Matter => r.matter_id,
    };
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(async |c| {
            let mut groups: BTreeMap<Option<Uuid>, CaseMeasures> = BTreeMap::new();
            let counted = match stored {
                Some(stored) => {
                    for g in case_stats::clean_sums(c, within, from, to, stored).await? {
                        groups.entry(g.key).or_default().merge(&g.sums.measures());
                    }
                    StatCases::Queued { within, from, to }
                }
                None => StatCases::Received { within, from, to },
            };
            let rows = cases::stat_rows(c, counted).await?;
            for (r, f) in rows.iter().zip(facts_of(c, &rows).await?) {
                groups.entry(key(r)).or_default().add(&f);
            }
            Ok(groups)
        })
        .await
}

/// The facts of the given cases, with their closed pauses and the calendar of every
/// published year.
pub(crate) async fn facts_of(
    conn: &mut zhengwu_persistence::Conn,
    rows: &[cases::StatRow],
) -> ApiResult<Vec<CaseFacts>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut paused: HashMap<Uuid, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for (c, s, e) in cases::closed_pauses(conn, &ids).await? {
        paused.entry(c).or_default().push((s, e));
    }
    let cal = calendar::published(conn).await?;
    Ok(rows
        .iter()
        .map(|r| case_facts(r, paused.get(&r.id).map(Vec::as_slice).unwrap_or(&[]), &cal))
        .collect())
}

/// What the statistics refresher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// (Organisation, day) groups recomputed.
    pub days: usize,
    /// Cases counted for them.
    pub cases: usize,
    /// Whether another process was refreshing (this one then left the queue to it).
    pub busy: bool,
}

/// Queue rows the refresher takes per transaction (with the other rows of their days,
/// some thousands of cases).
pub const REFRESH_BATCH: i64 = 5000;

/// One run of the refresher on a connection of the server's pool.
pub async fn refresh_now(state: &AppState) -> ApiResult<Refreshed> {
    let mut conn = state.conn().await?;
    refresh(&mut conn, REFRESH_BATCH).await
}

/// Recomputes the queued days of the case statistics, `batch` queue rows per transaction,
/// until the queue is empty. Refreshers are serialised by an advisory lock; one that finds
/// it taken stops, since the holder drains the queue.
pub async fn refresh(conn: &mut zhengwu_persistence::Conn, batch: i64) -> ApiResult<Refreshed> {
    let mut done = Refreshed::default();
    loop {
        let step = conn
            .transaction::<_, ApiError, _>(async |c| {
                if !case_stats::try_lock_refresh(c).await? {
                    return Ok(None);
                }
                let mut days = case_stats::queued(c, batch).await?;
                days.sort_unstable();
                days.dedup();
                // Every queue row of these days committed by now (those just read among
                // them): the cases read next reflect each of them.
                let ids = case_stats::queued_of(c, &days).await?;
                let rows = cases::stat_rows(c, StatCases::Days(&days)).await?;
                let mut groups: BTreeMap<(Uuid, NaiveDate, Option<Uuid>), CaseMeasures> =
                    BTreeMap::new();
                for (r, f) in rows.iter().zip(facts_of(c, &rows).await?) {
                    groups
                        .entry((r.organization_id, r.received_on, r.hall_id))
                        .or_default()
                        .add(&f);
                }
                let stored: Vec<DayRow> = groups
                    .into_iter()
                    .map(
                        |((organization_id, received_on, hall_id), measures)| DayRow {
                            organization_id,
                            received_on,
                            hall_id,
                            measures,
                        },
                    )
                    .collect();
                case_stats::replace_days(c, &days, &stored, &ids).await?;
                Ok(Some((days.len(), rows.len())))
            })
            .await?;
        match step {
            None => {
                done.busy = true;
                return Ok(done);
            }
            Some((0, _)) => return Ok(done),
            Some((days, cases)) => {
                done.days += days;
                done.cases += cases;
            }
        }
    }
}

/// What the measures need of one case: its state and dates, with the working days used
/// from acceptance to decision less its closed pauses (special procedures).
fn case_facts(r: &cases::StatRow, pauses: &[(NaiveDate, NaiveDate)], cal: &Calendar) -> CaseFacts {
    let used = match (r.accepted_on, r.decided_on) {
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
        accepted_on: r.accepted_on,
        decided_on: r.decided_on,
        due_date: r.due_date,
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
            for w in windows::get_many(conn, keys).await? {
                out.insert(w.id, format!("{} {}", w.number, w.name));
            }
        }
        GroupBy::Staff => out = users::names(conn, keys).await?,
        GroupBy::Matter => out = matters::current_names(conn, keys).await?,
    }
    Ok(out)
}
