//! Lists of cases inside a scope.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use zhengwu_domain::cases::CaseState;
use zhengwu_domain::ids::{CaseId, MatterId, OrganizationId, UserId, WindowId};

use super::{Case, CaseRow};
use crate::db::{Conn, DbError};
use crate::schema::{cases, organizations, windows};
use crate::scope::{Scope, path_pattern};

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
/// path is like `pattern` and of the windows of its halls, in id order: the first `limit` of
/// each organisation and window (index `(organization_id, state, id)` and `(window_id,
/// state, id)`), merged. A subtree is a small share of a large system (a county's cases
/// in one state can be one in a hundred), so reading the state's cases in id order and
/// keeping the subtree's would read a hundred rows for each one listed.
fn ids_by_state_within(
    pattern: String,
    state: CaseState,
    after: uuid::Uuid,
    limit: i64,
) -> diesel::expression::SqlLiteral<
    diesel::sql_types::Bool,
    impl diesel::query_builder::QueryFragment<diesel::pg::Pg> + diesel::query_builder::QueryId,
> {
    use diesel::dsl::sql;
    use diesel::sql_types::{BigInt, Bool, Text, Uuid};
    let st = state.as_str();
    sql::<Bool>(
        "\"cases\".\"id\" = ANY(ARRAY(SELECT ids.id FROM (\
           SELECT x.id FROM organizations o CROSS JOIN LATERAL (\
             SELECT c.id FROM cases c WHERE c.organization_id = o.id AND c.state = ",
    )
    .bind::<Text, _>(st)
    .sql(" AND c.id > ")
    .bind::<Uuid, _>(after)
    .sql(" ORDER BY c.id LIMIT ")
    .bind::<BigInt, _>(limit)
    .sql(") x WHERE o.path LIKE ")
    .bind::<Text, _>(pattern.clone())
    .sql(
        " UNION \
           SELECT y.id FROM organizations h JOIN windows w ON w.hall_id = h.id CROSS JOIN LATERAL (\
             SELECT c.id FROM cases c WHERE c.window_id = w.id AND c.state = ",
    )
    .bind::<Text, _>(st)
    .sql(" AND c.id > ")
    .bind::<Uuid, _>(after)
    .sql(" ORDER BY c.id LIMIT ")
    .bind::<BigInt, _>(limit)
    .sql(") y WHERE h.path LIKE ")
    .bind::<Text, _>(pattern)
    .sql(") ids ORDER BY ids.id LIMIT ")
    .bind::<BigInt, _>(limit)
    .sql("))")
}

/// The cases of the organisations in `scope` and those taken in at its halls' windows.
pub async fn list(conn: &mut Conn, scope: &Scope, f: &Filter) -> Result<Vec<Case>, DbError> {
    let mut q = cases::table
        .select(CaseRow::as_select())
        .order(cases::id)
        .limit(f.limit)
        .into_boxed();
    if let (Some(pattern), Some(state)) = (path_pattern(scope), f.only_state()) {
        let after = f.after_id.map_or(uuid::Uuid::nil(), |a| a.0);
        q = q.filter(ids_by_state_within(pattern, state, after, f.limit));
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
    let rows: Vec<CaseRow> = q.load(conn).await?;
    rows.into_iter().map(TryInto::try_into).collect()
}
