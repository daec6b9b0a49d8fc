//! Evaluation measures (好差评统计) for staff, and the public summary (好差评结果公开).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::evaluation::{
    EvaluationFacts, EvaluationLevel, EvaluationMeasures, RectificationState,
};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_persistence::evaluations::{self as repo, StatRow};
use zhengwu_persistence::orgs;

use crate::app::statistics::{ANALYSTS, GroupBy, Grouped, Period, labels};
use crate::app::{Actor, AppResult, Scope, narrowed};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvaluationGroupBy {
    Org,
    Hall,
    Window,
    Staff,
}

impl EvaluationGroupBy {
    fn key(self, r: &StatRow) -> Option<Uuid> {
        match self {
            EvaluationGroupBy::Org => Some(r.organization_id),
            EvaluationGroupBy::Hall => r.hall_id,
            EvaluationGroupBy::Window => r.window_id,
            EvaluationGroupBy::Staff => r.staff_id,
        }
    }

    fn labels_as(self) -> GroupBy {
        match self {
            EvaluationGroupBy::Org => GroupBy::Org,
            EvaluationGroupBy::Hall => GroupBy::Hall,
            EvaluationGroupBy::Window => GroupBy::Window,
            EvaluationGroupBy::Staff => GroupBy::Staff,
        }
    }
}

fn facts(r: &StatRow, annulled: bool) -> AppResult<EvaluationFacts> {
    Ok(EvaluationFacts {
        level: EvaluationLevel::parse(&r.level).ok_or_else(ApiError::internal)?,
        annulled,
        rectification: r
            .rectification_state
            .as_deref()
            .map(|s| RectificationState::parse(s).ok_or_else(ApiError::internal))
            .transpose()?,
    })
}

/// The measures of the evaluations given in the period within the actor's scope (or the
/// subtree of `org` in it), grouped; annulled evaluations count only as annulled.
pub async fn statistics(
    app: &AppState,
    actor: &Actor,
    org: Option<OrganizationId>,
    period: Period,
    by: EvaluationGroupBy,
) -> AppResult<Grouped<EvaluationMeasures>> {
    actor.require(ANALYSTS)?;
    let mut conn = app.heavy_read_conn().await?;
    let within = narrowed(&conn, actor.scope(), org).await?;
    let rows = repo::stat_rows(&mut conn, &within, period.from, period.to, false).await?;
    let mut groups: BTreeMap<Option<Uuid>, EvaluationMeasures> = BTreeMap::new();
    let mut total = EvaluationMeasures::default();
    for r in &rows {
        let f = facts(r, r.annulled_at.is_some())?;
        groups.entry(by.key(r)).or_default().add(&f);
        total.add(&f);
    }
    let keys: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let names = labels(&mut conn, by.labels_as(), &keys).await?;
    Ok(Grouped::labelled(groups, &names, total, |m| m.total))
}

/// The public summary per organisation of the subtree of `org` (all when absent): counts
/// only, annulled evaluations and those of classified cases left out.
pub async fn public_summary(
    app: &AppState,
    org: Option<OrganizationId>,
    period: Period,
) -> AppResult<Grouped<EvaluationMeasures>> {
    let mut conn = app.read_conn().await?;
    let within = narrowed(&conn, Scope::All, org).await?;
    let rows = repo::stat_rows(&mut conn, &within, period.from, period.to, true).await?;
    let mut groups: BTreeMap<Option<Uuid>, EvaluationMeasures> = BTreeMap::new();
    let mut total = EvaluationMeasures::default();
    for r in &rows {
        let f = facts(r, false)?;
        groups.entry(Some(r.organization_id)).or_default().add(&f);
        total.add(&f);
    }
    let keys: Vec<Uuid> = groups.keys().flatten().copied().collect();
    let names: HashMap<Uuid, String> = orgs::get_many(&mut conn, &keys)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(Grouped::labelled(groups, &names, total, |m| m.total))
}
