//! The review and publication workflow: one use case takes every step, as the domain's
//! table ([`ITEM_FLOW`]) decides it.

use diesel_async::AsyncConnection;
use serde::Serialize;
use uuid::Uuid;
use zhengwu_domain::disclosure::{ITEM_FLOW, ItemFacts, ItemState, Transition, check_reviewer};
use zhengwu_domain::events::{EventData, EventType, ItemEventData};
use zhengwu_domain::ids::DisclosureItemId;
use zhengwu_domain::pii::PiiExceptionGround;
use zhengwu_persistence::disclosure::{self as repo, Item};
use zhengwu_persistence::{Conn, orgs};

use super::publish::{self, Filed};
use super::{StateContext, actor_id, staff_item, view};
use crate::app::{Actor, AppResult};
use crate::audit_ctx::AuditCtx;
use crate::error::ApiError;
use crate::extract::IfMatch;
use crate::outbox::{self, Change};
use crate::routes::disclosures::views::{PiiFindingDto, TransitionResult};
use crate::state::AppState;

/// An exception under which personal data is published unmasked.
#[derive(Debug, Clone)]
pub struct PiiException {
    pub ground: PiiExceptionGround,
    /// Why the exception applies: trimmed, not blank.
    pub note: String,
}

/// A step of the workflow with what it carries (notes and reasons parsed already).
#[derive(Debug, Clone)]
pub enum Step {
    Submit { note: Option<String> },
    Approve { note: Option<String> },
    Reject { reason: String },
    Publish { exception: Option<PiiException> },
    Revise { note: Option<String> },
    Withdraw { reason: String },
}

impl Step {
    fn action(&self) -> Transition {
        match self {
            Step::Submit { .. } => Transition::Submit,
            Step::Approve { .. } => Transition::Approve,
            Step::Reject { .. } => Transition::Reject,
            Step::Publish { .. } => Transition::Publish,
            Step::Revise { .. } => Transition::Revise,
            Step::Withdraw { .. } => Transition::Withdraw,
        }
    }

    fn note(&self) -> Option<&str> {
        match self {
            Step::Submit { note } | Step::Approve { note } | Step::Revise { note } => {
                note.as_deref()
            }
            _ => None,
        }
    }

    fn reason(&self) -> Option<&str> {
        match self {
            Step::Reject { reason } | Step::Withdraw { reason } => Some(reason),
            _ => None,
        }
    }
}

/// What the audit log records after a step.
#[derive(Serialize)]
struct StepRecord<'a> {
    state: ItemState,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(flatten)]
    filed: Option<&'a Filed>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

/// What a step did beyond the state change.
#[derive(Default)]
struct Effect {
    warnings: Vec<PiiFindingDto>,
    filed: Option<Filed>,
}

/// Take a step of the workflow: the item visible to the actor and locked, `If-Match`
/// checked, the step decided by the table, its effect applied, saved and audited.
pub async fn step(
    app: &AppState,
    actor: &Actor,
    id: DisclosureItemId,
    expect: &IfMatch,
    step: Step,
) -> AppResult<TransitionResult> {
    let action = step.action();
    actor.require(ITEM_FLOW.roles(action))?;
    let audit = AuditCtx::new(app, actor.clone());
    let mut conn = app.conn().await?;
    conn.transaction::<_, ApiError, _>(async |c| {
        let (item, org) = staff_item(c, actor, id, true).await?;
        expect.check(item.version)?;
        let facts = facts(c, &item, action).await?;
        let next = ITEM_FLOW.decide(item.state, action, actor.role, &facts)?;
        let mut w = repo::Workflow::of(&item);
        w.state = next.as_str().to_owned();
        let effect = apply(app, c, actor, (&item, &org), &mut w, &step).await?;
        let saved = repo::save_workflow(c, id, &w).await?;
        let before = item.state;
        record(c, &audit, &org, (before, &saved), &step, &effect).await?;
        let item = view::working(app, c, saved).await?;
        Ok(TransitionResult {
            item,
            warnings: effect.warnings,
        })
    })
    .await
}

/// The audit event of a step: the state before it; after it, the new state with the
/// reason, the note or what was filed.
async fn record(
    conn: &mut Conn,
    audit: &AuditCtx,
    org: &orgs::Organization,
    (before, saved): (ItemState, &Item),
    step: &Step,
    effect: &Effect,
) -> AppResult<()> {
    let action = step.action();
    let after = StepRecord {
        state: saved.state,
        reason: step.reason(),
        filed: effect.filed.as_ref(),
        note: step.note(),
    };
    let name = match &effect.filed {
        Some(f) if f.pii_exception.is_some() => "publish_with_personal_data".to_owned(),
        _ => action.to_string(),
    };
    let event = match (action, &effect.filed) {
        (Transition::Publish, Some(f)) if f.version > 1 => Some((EventType::ItemRevised, f)),
        (Transition::Publish, Some(f)) => Some((EventType::ItemPublished, f)),
        _ => None,
    };
    let event = match event {
        Some((e, f)) => Some((e, Some(f.version), Some(f.index_number.clone()))),
        None if action == Transition::Withdraw => {
            Some((EventType::ItemWithdrawn, None, saved.index_number.clone()))
        }
        None => None,
    };
    if let Some((event, version, index_number)) = event {
        let data = EventData::Item(ItemEventData {
            item_id: saved.id,
            organization_id: saved.organization_id,
            kind: saved.fields.kind,
            title: saved.fields.title.clone(),
            version,
            document_number: saved.fields.doc_number.clone(),
            index_number,
        });
        let change = Change {
            event,
            collection: "disclosures",
            id: saved.id,
            org: (saved.organization_id, &org.path),
            owner: None,
            data,
        };
        outbox::emit(conn, audit.at, change).await?;
    }
    let before = StateContext { state: before };
    audit
        .record(
            conn,
            &format!("disclosure.{name}"),
            "disclosure",
            saved.id,
            Some(&org.path),
            Some(&before),
            Some(&after),
        )
        .await
}

/// The facts the table's guards need: for a publication, whether the interpreted policy is
/// published.
async fn facts(conn: &mut Conn, item: &Item, action: Transition) -> AppResult<ItemFacts> {
    let policy_published = match (action, item.fields.interprets_id) {
        (Transition::Publish, Some(policy)) => {
            repo::current_version(conn, DisclosureItemId(policy))
                .await?
                .is_some()
        }
        _ => true,
    };
    Ok(ItemFacts { policy_published })
}

/// The effect of a step on the item's workflow record.
async fn apply(
    app: &AppState,
    conn: &mut Conn,
    actor: &Actor,
    (item, org): (&Item, &orgs::Organization),
    w: &mut repo::Workflow,
    step: &Step,
) -> AppResult<Effect> {
    let me: Uuid = actor_id(actor)?;
    let mut effect = Effect::default();
    match step {
        Step::Submit { .. } => {
            effect.warnings = view::findings_of(&item.fields);
            w.rejection_reason = None;
        }
        Step::Approve { .. } => {
            check_reviewer(&item.author_id, &me)?;
            w.reviewer_id = Some(me);
        }
        Step::Reject { reason } => {
            check_reviewer(&item.author_id, &me)?;
            w.reviewer_id = Some(me);
            w.rejection_reason = Some(reason.clone());
        }
        Step::Publish { exception } => {
            let by = (me, org);
            effect.filed = Some(publish::file(app, conn, by, item, exception.as_ref(), w).await?);
        }
        Step::Revise { .. } => {
            w.rejection_reason = None;
            w.reviewer_id = None;
        }
        Step::Withdraw { reason } => {
            repo::clear_current(conn, DisclosureItemId(item.id)).await?;
            w.published_version = None;
            w.withdraw_reason = Some(reason.clone());
        }
    }
    Ok(effect)
}

/// 403 unless the actor's role may take `action` on a disclosure item at all (asked before
/// the step's body is checked).
pub fn may(actor: &Actor, action: Transition) -> AppResult<()> {
    crate::app::may(&ITEM_FLOW, actor, action)
}
