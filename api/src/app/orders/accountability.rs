//! Accountability records (责任追究: 通报批评, 约谈, 移送纪检监察) against an
//! organisation or a staff member, attached to an order or a complaint.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::codes::Code;
use zhengwu_domain::ids::{ComplaintId, OrderId, OrganizationId, UserId};
use zhengwu_domain::orders::{ACCOUNTABILITY_READERS, AccountabilityKind, SUPERVISORS};
use zhengwu_persistence::orders::{self as repo, Accountability};
use zhengwu_persistence::{Conn, DbError, Found, complaints, orgs};

use super::{staff_of, who};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::idem::{Created, Idem};
use crate::state::AppState;

/// A record to make, parsed.
pub struct NewAccountability {
    pub kind: AccountabilityKind,
    pub organization: Option<OrganizationId>,
    pub user: Option<UserId>,
    pub order: Option<OrderId>,
    pub complaint: Option<ComplaintId>,
    pub reason: String,
}

pub struct AccountabilityList {
    pub org: Option<OrganizationId>,
    pub order: Option<OrderId>,
    pub after: Option<Uuid>,
    pub limit: i64,
}

/// The organisations of the order and of the complaint named, when they exist.
async fn linked_orgs(
    conn: &mut Conn,
    cmd: &NewAccountability,
) -> AppResult<(Option<Uuid>, Option<Uuid>)> {
    let mut order_org = None;
    if let Some(o) = cmd.order {
        let order = repo::get_order(conn, o, false)
            .await
            .found()?
            .ok_or_else(|| {
                ApiError::field("/order_id", Code::ReferenceNotFound, "no such order")
            })?;
        order_org = Some(order.organization_id);
    }
    let mut complaint_org = None;
    if let Some(k) = cmd.complaint {
        let complaint = complaints::get_complaint(conn, k, false)
            .await
            .found()?
            .ok_or_else(|| {
                ApiError::field(
                    "/complaint_id",
                    Code::ReferenceNotFound,
                    "no such complaint",
                )
            })?;
        complaint_org = Some(complaint.organization_id);
    }
    Ok((order_org, complaint_org))
}

/// The organisation held accountable: the one named, else the order's, else the
/// complaint's; in the caller's scope, and with the person named among its staff.
async fn accountable(
    conn: &mut Conn,
    actor: &Actor,
    cmd: &NewAccountability,
    linked: (Option<Uuid>, Option<Uuid>),
) -> AppResult<orgs::Organization> {
    let org_id = cmd
        .organization
        .map(|o| o.0)
        .or(linked.0)
        .or(linked.1)
        .ok_or_else(|| {
            ApiError::field(
                "/organization_id",
                Code::FieldRequiredWhen,
                "name the organisation, an order or a complaint",
            )
        })?;
    let org = match orgs::get(conn, org_id).await {
        Ok(o) if actor.sees(&o.path) => o,
        Ok(_) | Err(DbError::NotFound) => {
            return Err(ApiError::field(
                "/organization_id",
                Code::ReferenceNotFound,
                "no such organisation in your scope",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(u) = cmd.user
        && !staff_of(conn, u, &org.path).await?
    {
        return Err(ApiError::field(
            "/user_id",
            Code::ReferenceNotFound,
            "no staff member of that organisation",
        ));
    }
    // The order and the complaint named are of the same organisation's subtree.
    for (pointer, linked_org) in [("/order_id", linked.0), ("/complaint_id", linked.1)] {
        let Some(linked_org) = linked_org else {
            continue;
        };
        if !org.path.contains(&orgs::get(conn, linked_org).await?.path) {
            return Err(ApiError::field(
                pointer,
                Code::ReferenceNotFound,
                "not of that organisation",
            ));
        }
    }
    Ok(org)
}

/// Records accountability (supervisors). `T` is the answer as stored for a retry.
pub async fn record<T>(
    app: &AppState,
    actor: &Actor,
    idem: &Idem,
    cmd: NewAccountability,
) -> AppResult<Created>
where
    T: Serialize + From<Accountability> + Send + Sync,
{
    actor.require(SUPERVISORS)?;
    let by = who(actor)?;
    let audit = AuditCtx::new(app, actor.clone());
    let now = app.clock.now();
    let day = app.today();
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        if let Some(r) = idem.begin(c).await? {
            return Ok(r);
        }
        let linked = linked_orgs(c, &cmd).await?;
        let org = accountable(c, actor, &cmd, linked).await?;
        let a = Accountability {
            id: Uuid::now_v7(),
            kind: cmd.kind.as_str().to_owned(),
            organization_id: org.id,
            user_id: cmd.user.map(|u| u.0),
            order_id: cmd.order.map(|o| o.0),
            complaint_id: cmd.complaint.map(|k| k.0),
            reason: cmd.reason,
            decided_on: day,
            recorded_by: by,
            recorded_at: now,
        };
        repo::insert_accountability(c, &a).await?;
        let id = a.id;
        let answer = T::from(a);
        audit
            .record(
                c,
                "accountability.record",
                "accountability_record",
                id,
                Some(&org.path),
                None::<&()>,
                Some(&answer),
            )
            .await?;
        idem.finish(c, &answer, "/api/v1/supervision/accountability".to_owned())
            .await
    })
    .await
}

/// Accountability records of the caller's scope (or of the requested subtree), by id:
/// `limit` rows at most.
pub async fn list(
    app: &AppState,
    actor: &Actor,
    q: AccountabilityList,
) -> AppResult<Vec<Accountability>> {
    actor.require(ACCOUNTABILITY_READERS)?;
    let mut conn = app.conn().await?;
    let scope = crate::app::narrowed(&conn, actor.scope(), q.org).await?;
    Ok(repo::list_accountability(&mut conn, &scope, q.order, q.after, q.limit).await?)
}
