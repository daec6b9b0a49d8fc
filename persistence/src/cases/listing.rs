//! Lists of cases inside a scope.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use zhengwu_domain::cases::CaseState;
use zhengwu_domain::ids::{CaseId, MatterId, OrganizationId, UserId, WindowId};

use super::{Case, CaseRow, Outcome};
use crate::db::{Conn, DbError};
use crate::schema::{
    case_fees, case_outcomes, cases, organizations, service_matter_versions, windows,
};
use crate::scope::{Scope, path_pattern, path_range};

/// The filters of a list of cases, beside the scope it is kept inside.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub organization_id: Option<OrganizationId>,
    pub applicant_id: Option<UserId>,
    pub window_id: Option<WindowId>,
    pub matter_id: Option<MatterId>,
    pub state: Option<CaseState>,
    pub assignee_id: Option<UserId>,
    pub due_before: Option<NaiveDate>,
    /// Cases in one of these states whose due date is before the day.
    pub overdue: Option<(NaiveDate, &'static [CaseState])>,
    pub received_from: Option<NaiveDate>,
    pub received_to: Option<NaiveDate>,
    pub parent_id: Option<CaseId>,
    pub after_id: Option<CaseId>,
    pub limit: i64,
}

impl Filter {
    /// Whether the state is the only filter beside the scope and the page.
    fn only_state(&self) -> Option<CaseState> {
        let Filter {
            organization_id,
            applicant_id,
            window_id,
            matter_id,
            state,
            assignee_id,
            due_before,
            overdue,
            received_from,
            received_to,
            parent_id,
            after_id: _,
            limit: _,
        } = self;
        let others = organization_id.is_some()
            || applicant_id.is_some()
            || window_id.is_some()
            || matter_id.is_some()
            || assignee_id.is_some()
            || due_before.is_some()
            || overdue.is_some()
            || received_from.is_some()
            || received_to.is_some()
            || parent_id.is_some();
        if others { None } else { *state }
    }
}

/// `cases.id` is one of the first `limit` cases in `state` after `after` of the organisations whose
/// path is in `paths` and of the windows of their halls, in id order: the first `limit` of
/// each organisation and window (index `(organization_id, state, id)` and `(window_id,
/// state, id)`), merged. A subtree is a small share of a large system (a county's cases
/// in one state can be one in a hundred), so reading the state's cases in id order and
/// keeping the subtree's would read a hundred rows for each one listed.
///
/// The two kinds of read are merged with `UNION ALL`, not `UNION`: a case taken in at a
/// hall of the subtree for an organisation of the subtree comes from both, but from each
/// at most once, so the first `2 × limit` ids of the merge hold the first `limit` distinct
/// ones, and the outer query (which reads each case once) keeps those. Measured with
/// pgbench, the de-duplicating `UNION` cost more than either kind of read.
///
/// The text is the same for every subtree, state and page (the subtree as a range of
/// paths, not a LIKE pattern): it is prepared once per connection and its plan kept,
/// where planning it anew took longer than running it.
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
struct IdsByStateWithin {
    paths: (String, String),
    state: String,
    after: uuid::Uuid,
    limit: i64,
    /// `2 × limit`: how many ids of the merge are kept.
    merged: i64,
}

impl diesel::Expression for IdsByStateWithin {
    type SqlType = diesel::sql_types::Bool;
}

impl diesel::expression::ValidGrouping<()> for IdsByStateWithin {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<QS> diesel::AppearsOnTable<QS> for IdsByStateWithin {}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for IdsByStateWithin {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        use diesel::sql_types::{BigInt, Text, Uuid};
        out.push_sql("\"cases\".\"id\" = ANY(ARRAY(SELECT ids.id FROM (");
        let reads = [
            ("organization_id", "organizations o", "o.id"),
            (
                "window_id",
                "organizations o JOIN windows w ON w.hall_id = o.id",
                "w.id",
            ),
        ];
        for (i, (by, table, joined)) in reads.into_iter().enumerate() {
            if i > 0 {
                out.push_sql(" UNION ALL ");
            }
            out.push_sql("SELECT x.id FROM ");
            out.push_sql(table);
            out.push_sql(" CROSS JOIN LATERAL (SELECT c.id FROM cases c WHERE c.");
            out.push_sql(by);
            out.push_sql(" = ");
            out.push_sql(joined);
            out.push_sql(" AND c.state = ");
            out.push_bind_param::<Text, _>(&self.state)?;
            out.push_sql(" AND c.id > ");
            out.push_bind_param::<Uuid, _>(&self.after)?;
            out.push_sql(" ORDER BY c.id LIMIT ");
            out.push_bind_param::<BigInt, _>(&self.limit)?;
            out.push_sql(") x WHERE o.path ~>=~ ");
            out.push_bind_param::<Text, _>(&self.paths.0)?;
            out.push_sql(" AND o.path ~<~ ");
            out.push_bind_param::<Text, _>(&self.paths.1)?;
        }
        out.push_sql(") ids ORDER BY ids.id LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.merged)?;
        out.push_sql("))");
        Ok(())
    }
}

/// A case of a list with what its line shows beside it, read by the same statement: its
/// outcome, whether a fee of it is flagged and the name of the matter version it was
/// filed under (a page of 20 cases is one statement, not four).
#[derive(Debug, Clone)]
pub struct Listed {
    pub case: Case,
    pub outcome: Outcome,
    pub fee_anomaly: bool,
    pub matter_name: Option<String>,
}

/// The cases of the organisations in `scope` and those taken in at its halls' windows.
pub async fn list(conn: &mut Conn, scope: &Scope, f: &Filter) -> Result<Vec<Listed>, DbError> {
    let version = service_matter_versions::table.on(super::filed_version());
    let flagged = diesel::dsl::exists(
        case_fees::table
            .filter(case_fees::case_id.eq(cases::id))
            .filter(case_fees::anomaly.is_not_null()),
    );
    let mut q = cases::table
        .inner_join(case_outcomes::table)
        .left_join(version)
        .select((
            CaseRow::as_select(),
            Outcome::as_select(),
            flagged,
            service_matter_versions::name.nullable(),
        ))
        .order(cases::id)
        .limit(f.limit)
        .into_boxed();
    if let (Some(paths), Some(state)) = (path_range(scope), f.only_state()) {
        q = q.filter(IdsByStateWithin {
            paths,
            state: state.as_str().to_owned(),
            after: f.after_id.map_or(uuid::Uuid::nil(), |a| a.0),
            limit: f.limit,
            merged: f.limit.saturating_mul(2),
        });
    } else if let Some(pattern) = path_pattern(scope) {
        let inside = organizations::table
            .filter(organizations::path.like(pattern.clone()))
            .select(organizations::id);
        let halls = organizations::table
            .filter(organizations::path.like(pattern))
            .select(organizations::id);
        let at_windows = windows::table
            .filter(windows::hall_id.eq_any(halls))
            .select(windows::id.nullable());
        q = q.filter(
            cases::organization_id
                .eq_any(inside)
                .or(cases::window_id.eq_any(at_windows)),
        );
    }
    if let Some(o) = f.organization_id {
        q = q.filter(cases::organization_id.eq(o.0));
    }
    if let Some(a) = f.applicant_id {
        q = q.filter(cases::applicant_id.eq(a.0));
    }
    if let Some(w) = f.window_id {
        q = q.filter(cases::window_id.eq(w.0));
    }
    if let Some(m) = f.matter_id {
        q = q.filter(cases::matter_id.eq(m.0));
    }
    if let Some(s) = f.state {
        q = q.filter(cases::state.eq(s.as_str()));
    }
    if let Some(a) = f.assignee_id {
        q = q.filter(cases::assignee_id.eq(a.0));
    }
    if let Some(d) = f.due_before {
        q = q.filter(cases::due_date.lt(d));
    }
    if let Some((d, states)) = f.overdue {
        let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
        q = q
            .filter(cases::state.eq_any(states))
            .filter(cases::due_date.lt(d));
    }
    if let Some(d) = f.received_from {
        q = q.filter(cases::received_on.ge(d));
    }
    if let Some(d) = f.received_to {
        q = q.filter(cases::received_on.le(d));
    }
    if let Some(p) = f.parent_id {
        q = q.filter(cases::parent_id.eq(p.0));
    }
    if let Some(a) = f.after_id {
        q = q.filter(cases::id.gt(a.0));
    }
    let rows: Vec<(CaseRow, Outcome, bool, Option<String>)> = q.load(conn).await?;
    rows.into_iter()
        .map(|(row, outcome, fee_anomaly, matter_name)| {
            Ok(Listed {
                case: row.try_into()?,
                outcome,
                fee_anomaly,
                matter_name,
            })
        })
        .collect()
}
