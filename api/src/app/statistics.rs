//! Case statistics (办件统计): the measures of the cases received in a period, grouped by
//! organisation, hall, window, staff member or matter, and the refresher that keeps their
//! daily pre-aggregate (`case_stat_days`) current.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::account::Role;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::services::{CaseFacts, CaseKind, CaseMeasures, CaseState};
use zhengwu_domain::validation;
use zhengwu_persistence::case_stats::{self, Contribution, QueueRow, StatKey};
use zhengwu_persistence::cases::{self, StatCases};
use zhengwu_persistence::{Conn, calendar, matters, orgs, users, windows};

use crate::app::{Actor, AppResult, Scope, narrowed};
use crate::error::{ApiError, AtField};
use crate::state::AppState;

/// Who reads statistics: administrators, supervisors and reviewers, within their scope.
pub const ANALYSTS: &[Role] = &[
    Role::SysAdmin,
    Role::OrgAdmin,
    Role::Supervisor,
    Role::Reviewer,
];

/// The label of a group without a key (e.g. cases received at no window).
pub const NO_GROUP: &str = "（无）";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Org,
    Hall,
    Window,
    Staff,
    Matter,
}

/// A period of days, `from..=to`, at most [`validation::MAX_PERIOD_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The period, or 422 at `?to` when it ends before it starts or is too long.
    pub fn parse(from: NaiveDate, to: NaiveDate) -> AppResult<Self> {
        validation::period(from, to, validation::MAX_PERIOD_DAYS).at("?to")?;
        Ok(Self { from, to })
    }
}

/// One group of a statistic: its key (absent for records without one), its label and its
/// measures.
pub struct Group<M> {
    pub key: Option<Uuid>,
    pub label: String,
    pub measures: M,
}

/// A statistic: its groups, largest first, and the total.
pub struct Grouped<M> {
    pub groups: Vec<Group<M>>,
    pub total: M,
}

impl<M> Grouped<M> {
    /// Labels the groups and sorts them by `size`, largest first, then by label.
    pub(crate) fn labelled(
        groups: BTreeMap<Option<Uuid>, M>,
        labels: &HashMap<Uuid, String>,
        total: M,
        size: impl Fn(&M) -> u64,
    ) -> Self {
        let mut groups: Vec<Group<M>> = groups
            .into_iter()
            .map(|(key, measures)| Group {
                key,
                label: key
                    .and_then(|k| labels.get(&k).cloned())
                    .unwrap_or_else(|| NO_GROUP.to_owned()),
                measures,
            })
            .collect();
        groups.sort_by(|a, b| {
            size(&b.measures)
                .cmp(&size(&a.measures))
                .then(a.label.cmp(&b.label))
        });
        Self { groups, total }
    }
}

/// The case measures of the period within the actor's scope (or the subtree of `org` in
/// it): received, accepted, refused, completed, and the rates computed from them.
pub async fn cases(
    app: &AppState,
    actor: &Actor,
    org: Option<OrganizationId>,
    period: Period,
    by: GroupBy,
) -> AppResult<Grouped<CaseMeasures>> {
    actor.require(ANALYSTS)?;
    let mut conn = app.heavy_read_conn().await?;
    let within = narrowed(&conn, actor.scope(), org).await?;
    let groups = measures(&mut conn, &within, period, by).await?;
    let mut total = CaseMeasures::default();
    for m in groups.values() {
        total.merge(m);
    }
    let keys: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let labels = labels(&mut conn, by, &keys).await?;
    Ok(Grouped::labelled(groups, &labels, total, |m| m.received))
}

/// The measures of the cases received in the period within a scope, by group. By
/// organisation or hall they come from the pre-aggregate (`case_stat_days`) for the days the
/// refresher has counted and from the records for the days queued since, in one snapshot;
/// by window, staff member or matter, from the records.
async fn measures(
    conn: &mut Conn,
    within: &Scope,
    period: Period,
    by: GroupBy,
) -> AppResult<BTreeMap<Option<Uuid>, CaseMeasures>> {
    let Period { from, to } = period;
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
    conn: &mut Conn,
    rows: &[cases::StatRow],
) -> AppResult<Vec<CaseFacts>> {
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

/// The names of the groups' keys: organisations and halls, windows (number and name),
/// staff members or matters (their current names).
pub(crate) async fn labels(
    conn: &mut Conn,
    by: GroupBy,
    keys: &[Uuid],
) -> AppResult<HashMap<Uuid, String>> {
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

/// What the statistics refresher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// (Organisation, day) groups whose queue rows were settled.
    pub days: usize,
    /// Cases counted for them.
    pub cases: usize,
    /// Whether another process was refreshing (this one then left the queue to it).
    pub busy: bool,
}

/// Queue rows the refresher takes per transaction, with the other rows of their days. A
/// day of a county holds a few hundred cases, and each case counted is held in memory
/// until its batch is written: 200 days keep a batch near 65,000 cases (about 10 MB),
/// where 5,000 queue rows after a bulk load had held a million cases (90 MB) at once.
pub const REFRESH_BATCH: i64 = 200;

/// A day with more changed cases queued than this is counted whole: one read of the day's
/// cases costs less than that many reads of one case each (a bulk load queues every case).
const WHOLE_DAY_FROM: usize = 32;

/// One run of the refresher on a connection of the server's pool.
pub async fn refresh_now(app: &AppState) -> AppResult<Refreshed> {
    let mut conn = app.conn().await?;
    refresh(&mut conn, REFRESH_BATCH).await
}

/// Settles the queued changes of the case statistics, `batch` queue rows (with the other
/// rows of their days) per transaction, until a batch finds fewer than `batch` rows: what
/// is queued meanwhile waits for the next run, so that under a steady stream of writes a
/// run settles what it found in full batches instead of chasing every new row. Refreshers
/// are serialised by an advisory lock; one that finds it taken stops, since the holder
/// drains the queue.
pub async fn refresh(conn: &mut Conn, batch: i64) -> AppResult<Refreshed> {
    let mut done = Refreshed::default();
    loop {
        match conn
            .transaction::<_, ApiError, _>(async |c| refresh_batch(c, batch).await)
            .await?
        {
            None => {
                done.busy = true;
                return Ok(done);
            }
            Some(b) => {
                done.days += b.days;
                done.cases += b.cases;
                if b.taken < batch {
                    return Ok(done);
                }
            }
        }
    }
}

/// What one batch of the refresher did.
struct Batch {
    /// Queue rows taken (at most the batch's size).
    taken: i64,
    days: usize,
    cases: usize,
}

/// The days to count whole and the cases to count one by one, from the queue rows read.
fn plan(queue: &[QueueRow]) -> (Vec<(Uuid, NaiveDate)>, Vec<Uuid>) {
    let mut by_day: BTreeMap<(Uuid, NaiveDate), Option<Vec<Uuid>>> = BTreeMap::new();
    for q in queue {
        let day = by_day.entry((q.organization_id, q.received_on));
        match (day.or_insert_with(|| Some(Vec::new())), q.case_id) {
            (Some(cases), Some(id)) => cases.push(id),
            (whole, None) => *whole = None,
            (None, Some(_)) => {}
        }
    }
    let mut whole = Vec::new();
    let mut one_by_one = Vec::new();
    for (day, cases) in by_day {
        match cases {
            Some(mut cases) => {
                cases.sort_unstable();
                cases.dedup();
                if cases.len() > WHOLE_DAY_FROM {
                    whole.push(day);
                } else {
                    one_by_one.extend(cases);
                }
            }
            None => whole.push(day),
        }
    }
    one_by_one.sort_unstable();
    one_by_one.dedup();
    (whole, one_by_one)
}

/// One batch of the refresher: the days settled and the cases counted for them, or `None`
/// when another refresher holds the lock. The contributions of the queued cases (of every
/// case of a day counted whole) are computed from the records, and what they change is
/// added to the stored sums: the sums stay those of the stored contributions.
async fn refresh_batch(c: &mut Conn, batch: i64) -> AppResult<Option<Batch>> {
    if !case_stats::try_lock_refresh(c).await? {
        return Ok(None);
    }
    let mut days = case_stats::queued(c, batch).await?;
    let taken = i64::try_from(days.len()).unwrap_or(i64::MAX);
    days.sort_unstable();
    days.dedup();
    // Every queue row of these days committed by now (those just read among them): the
    // cases read next reflect each of them.
    let queue = case_stats::queued_of(c, &days).await?;
    let (whole, one_by_one) = plan(&queue);
    let mut rows = cases::stat_rows(c, StatCases::Days(&whole)).await?;
    rows.extend(cases::stat_rows(c, StatCases::Ids(&one_by_one)).await?);
    rows.sort_unstable_by_key(|r| r.id);
    rows.dedup_by_key(|r| r.id);
    let new: Vec<Contribution> = rows
        .iter()
        .zip(facts_of(c, &rows).await?)
        .map(|(r, f)| {
            let mut measures = CaseMeasures::default();
            measures.add(&f);
            Contribution {
                case_id: r.id,
                key: (r.organization_id, r.received_on, r.hall_id),
                measures,
            }
        })
        .collect();
    // The stored contributions of the cases counted now, wherever they are stored (a case
    // may have moved to another day), and of every case stored under the days counted whole
    // (those no longer received there).
    let mut ids = one_by_one;
    ids.extend(new.iter().map(|n| n.case_id));
    let old = case_stats::contributions(c, &ids, &whole).await?;
    let differences = case_stats::differences(&old, &new);
    let done: Vec<i64> = queue.iter().map(|q| q.id).collect();
    case_stats::settle(c, &differences, &old, &new, &done).await?;
    Ok(Some(Batch {
        taken,
        days: days.len(),
        cases: new.len(),
    }))
}
