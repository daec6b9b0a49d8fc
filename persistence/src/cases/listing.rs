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

/// The cases of the organisations in `scope` and those taken in at its halls' windows.
pub async fn list(conn: &mut Conn, scope: &Scope, f: &Filter) -> Result<Vec<Case>, DbError> {
    let mut q = cases::table
        .select(CaseRow::as_select())
        .order(cases::id)
        .limit(f.limit)
        .into_boxed();
    if let Some(pattern) = path_pattern(scope) {
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
