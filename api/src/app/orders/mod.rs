//! Supervision orders (督办单): issuing, reading and the order's course (respond, close,
//! escalate); accountability records in [`accountability`].

use zhengwu_domain::codes::Code;
pub mod accountability;

use chrono::{Datelike, NaiveDate};
use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::calendar::{DeadlineBasis, StoredDeadline};
use zhengwu_domain::ids::{OrderId, OrganizationId, UserId};
use zhengwu_domain::orders::{ORDER_FLOW, OrderAction, OrderState, READERS, SUPERVISORS};
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::supervision::AlertObject;
use zhengwu_persistence::deadlines::Target;
use zhengwu_persistence::orders::{self as repo, Order};
use zhengwu_persistence::{Conn, DbError, orgs, supervision, users};

use crate::app::{Actor, AppResult, narrowed};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// An order to issue, parsed.
pub struct IssueOrder {
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    pub subject: String,
    pub instructions: String,
    pub working_days: u32,
}

/// A step of an order's course with what it carries (each text trimmed and checked).
pub enum OrderStep {
    Respond { response: String },
    Close { note: String },
    Escalate { reason: String, working_days: u32 },
}

impl OrderStep {
    fn action(&self) -> OrderAction {
        match self {
            OrderStep::Respond { .. } => OrderAction::Respond,
            OrderStep::Close { .. } => OrderAction::Close,
            OrderStep::Escalate { .. } => OrderAction::Escalate,
        }
    }
}

/// An order and the years without a holiday schedule its deadline was counted across.
pub struct OrderView {
    pub order: Order,
    pub years_without_calendar: Vec<i32>,
}

pub struct OrderList {
    pub state: Option<OrderState>,
    pub org: Option<OrganizationId>,
    pub after: Option<OrderId>,
    pub limit: i64,
}

/// The person or client acting, for the columns that record who did something.
pub(crate) fn who(actor: &Actor) -> AppResult<Uuid> {
    actor.id.ok_or_else(ApiError::internal)
}

/// Whether `user` is an active staff member of the organisation at `path` or below it.
pub(crate) async fn staff_of(conn: &mut Conn, user: UserId, path: &OrgPath) -> AppResult<bool> {
    Ok(match users::get(conn, user.0).await {
        Ok(u) if u.role.is_staff() => match u.organization_id {
            Some(o) => path.contains(&orgs::get(conn, o).await?.path),
            None => false,
        },
        Ok(_) | Err(DbError::NotFound) => false,
        Err(e) => return Err(e.into()),
    })
}

/// The due date of order `id`, `days` working days from `from`, as a stored deadline.
async fn due_after(conn: &mut Conn, id: Uuid, from: NaiveDate, days: u32) -> AppResult<NaiveDate> {
    let target = Target::of(StoredDeadline::Order, id);
    let basis = DeadlineBasis::after(from, days);
    Ok(crate::deadlines::count(conn, target, basis).await?.due_date)
}

async fn view(conn: &mut Conn, order: Order) -> AppResult<OrderView> {
    let years_without_calendar = crate::deadlines::flags_of(conn, order.id).await?;
    Ok(OrderView {
        order,
        years_without_calendar,
    })
}

/// The organisation of the object an order is about, when the caller sees it.
async fn ordered_organisation(
    conn: &mut Conn,
    actor: &Actor,
    cmd: &IssueOrder,
) -> AppResult<orgs::Organization> {
    let not_found = || {
        ApiError::field(
            "/object_id",
            Code::ReferenceNotFound,
            "no such object of that kind in your scope",
        )
    };
    let (org_id, _) = supervision::object_owner(conn, cmd.object_kind, cmd.object_id)
        .await?
        .ok_or_else(not_found)?;
    let org = orgs::get(conn, org_id).await?;
    if !actor.sees(&org.path) {
        return Err(not_found());
    }
    Ok(org)
}

/// What issuing decides besides the command: the id, number, day, time and due date.
struct Issued {
    id: Uuid,
    number: String,
    day: NaiveDate,
    at: chrono::DateTime<chrono::Utc>,
    due: NaiveDate,
    by: Uuid,
}

fn new_order(cmd: IssueOrder, org: OrganizationId, i: Issued) -> Order {
    Order {
        id: i.id,
        number: i.number,
        organization_id: org.0,
        object_kind: cmd.object_kind.as_str().to_owned(),
        object_id: cmd.object_id,
        subject: cmd.subject,
        instructions: cmd.instructions,
        level: 1,
        issued_on: i.day,
        due_date: i.due,
        state: OrderState::Issued.as_str().to_owned(),
        issued_by: i.by,
        issued_at: i.at,
        response: None,
        responded_by: None,
        responded_at: None,
        escalation_reason: None,
        closing_note: None,
        closed_by: None,
        closed_at: None,
        version: 1,
    }
}

/// Orders the organisation of an item with a deadline to act on it (supervisors, within
/// scope). `T` is the answer as stored for a retry with the same key.
pub async fn issue<T>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: IssueOrder,
) -> AppResult<Created>
where
    T: Serialize + From<OrderView> + Send + Sync,
{
    actor.require(SUPERVISORS)?;
    let by = who(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let day = app.today();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let org = ordered_organisation(c, actor, &cmd).await?;
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let id = Uuid::now_v7();
        let due = due_after(c, id, day, cmd.working_days).await?;
        let serial = supervision::next_serial(c, "order", day.year()).await?;
        let issued = Issued {
            id,
            number: format!("DB{}-{serial:04}", day.year()),
            day,
            at: now,
            due,
            by,
        };
        let o = new_order(cmd, OrganizationId(org.id), issued);
        repo::insert_order(c, &o).await?;
        let answer = T::from(view(c, o).await?);
        audit
            .record(
                c,
                "supervision_order.issue",
                "supervision_order",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&answer),
            )
            .await?;
        let location = format!("/api/v1/supervision/orders/{id}");
        idem.finish(c, &answer, location).await
    })
    .await
}

/// Orders to organisations of the caller's scope (or of the requested subtree), by id:
/// `limit` rows at most.
pub async fn list(app: &AppState, actor: &Actor, q: OrderList) -> AppResult<Vec<OrderView>> {
    actor.require(READERS)?;
    let mut conn = app.conn().await?;
    let scope = narrowed(&conn, actor.scope(), q.org).await?;
    let rows = repo::list_orders(&mut conn, &scope, q.state, q.after, q.limit).await?;
    let ids: Vec<Uuid> = rows.iter().map(|o| o.id).collect();
    let mut years = crate::deadlines::flags(&mut conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|order| OrderView {
            years_without_calendar: years.remove(&order.id).unwrap_or_default(),
            order,
        })
        .collect())
}

/// The order, if the caller's scope sees the ordered organisation (else 404).
async fn visible(
    conn: &mut Conn,
    actor: &Actor,
    id: OrderId,
    for_update: bool,
) -> AppResult<(Order, orgs::Organization)> {
    let o = match repo::get_order(conn, id, for_update).await {
        Ok(o) => o,
        Err(DbError::NotFound) => return Err(ApiError::not_found("supervision order")),
        Err(e) => return Err(e.into()),
    };
    let org = orgs::get(conn, o.organization_id).await?;
    if !actor.sees(&org.path) {
        return Err(ApiError::not_found("supervision order"));
    }
    Ok((o, org))
}

/// One supervision order.
pub async fn get(app: &AppState, actor: &Actor, id: OrderId) -> AppResult<OrderView> {
    actor.require(READERS)?;
    let mut conn = app.conn().await?;
    let (o, _) = visible(&mut conn, actor, id, false).await?;
    view(&mut conn, o).await
}

#[derive(Serialize)]
struct StateOf {
    state: OrderState,
}

/// What a step leaves behind in the audit log: the state, the level, the due date and the
/// step's text under its own name.
#[derive(Serialize)]
struct StepRecord<'a> {
    state: OrderState,
    level: i32,
    due_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

impl<'a> StepRecord<'a> {
    fn of(step: &'a OrderStep, saved: &Order, state: OrderState) -> Self {
        let mut r = StepRecord {
            state,
            level: saved.level,
            due_date: saved.due_date,
            response: None,
            note: None,
            reason: None,
        };
        match step {
            OrderStep::Respond { response } => r.response = Some(response),
            OrderStep::Close { note } => r.note = Some(note),
            OrderStep::Escalate { reason, .. } => r.reason = Some(reason),
        }
        r
    }
}

/// What a step changes in the order besides its state.
async fn apply(
    conn: &mut Conn,
    o: &mut Order,
    step: &OrderStep,
    who: Uuid,
    app: &AppState,
) -> AppResult<()> {
    let now = app.clock.now();
    match step {
        OrderStep::Respond { response } => {
            o.response = Some(response.clone());
            o.responded_by = Some(who);
            o.responded_at = Some(now);
        }
        OrderStep::Close { note } => {
            o.closing_note = Some(note.clone());
            o.closed_by = Some(who);
            o.closed_at = Some(now);
        }
        OrderStep::Escalate {
            reason,
            working_days,
        } => {
            o.due_date = due_after(conn, o.id, app.today(), *working_days).await?;
            o.level += 1;
            o.escalation_reason = Some(reason.clone());
        }
    }
    Ok(())
}

/// A step of an order's course, the one way every step goes: the roles of the step, the
/// order visible and locked, the version expected, the workflow's decision, the step's
/// effect, the audit event.
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: OrderId,
    expect: &IfMatch,
    step: OrderStep,
) -> AppResult<OrderView> {
    let action = step.action();
    actor.require(ORDER_FLOW.roles(action))?;
    let who = who(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (mut o, org) = visible(c, actor, id, true).await?;
        expect.check(o.version)?;
        let from = OrderState::parse(&o.state).ok_or_else(ApiError::internal)?;
        let next = ORDER_FLOW.decide(from, action, actor.role, &())?;
        apply(c, &mut o, &step, who, app).await?;
        o.state = next.as_str().to_owned();
        let saved = repo::save_order(c, &o).await?;
        audit
            .record(
                c,
                &format!("supervision_order.{action}"),
                "supervision_order",
                id,
                Some(&org.path),
                Some(&StateOf { state: from }),
                Some(&StepRecord::of(&step, &saved, next)),
            )
            .await?;
        view(c, saved).await
    })
    .await
}

/// 403 unless the actor's role may take `action` on a supervision order at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: OrderAction) -> AppResult<()> {
    crate::app::may(&ORDER_FLOW, actor, action)
}
