//! The running deadlines as the records give them: one query per kind of object, and the
//! pending procedure step of each accepted case counted with the calendar.

use std::collections::HashMap;

use chrono::NaiveDate;
use uuid::Uuid;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::services::ProcedureStep;
use zhengwu_domain::supervision::AlertObject;
use zhengwu_persistence::scope::Scope;
use zhengwu_persistence::supervision as repo;
use zhengwu_persistence::{Conn, DbError};

/// A running deadline: what it is about, who answers for it and when it is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    pub kind: AlertObject,
    pub object_id: Uuid,
    /// For a case step: the number of the procedure step (from 1); 0 otherwise.
    pub stage: i32,
    pub label: String,
    pub organization_id: Uuid,
    pub org_path: String,
    pub responsible_id: Option<Uuid>,
    pub start_on: Option<NaiveDate>,
    pub due_date: NaiveDate,
    /// The limit in working days: the record's, or the working days from start to due.
    pub limit: Option<u32>,
}

/// The records behind the running deadlines, before the calendar counts case steps.
pub struct Raw {
    deadlines: Vec<repo::Deadline>,
    steps: Vec<repo::StepClock>,
}

/// Reads the records behind the running deadlines of the given kinds inside the scope (of
/// the given objects only, when `objects` is given): two statements, pipelined. Takes the
/// connection shared, so that it can be pipelined with other reads.
pub async fn fetch(
    conn: &Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    objects: Option<&[Uuid]>,
    tz: &str,
) -> Result<Raw, DbError> {
    let steps = async {
        if kinds.contains(&AlertObject::CaseStep) {
            repo::pending_steps(conn, scope, objects, tz).await
        } else {
            Ok(Vec::new())
        }
    };
    let (deadlines, steps) =
        futures_util::future::try_join(repo::deadlines(conn, scope, kinds, objects, tz), steps)
            .await?;
    Ok(Raw { deadlines, steps })
}

/// The running deadlines of records read by [`fetch`], counted with the calendar (reads
/// the procedures of the case steps' matter versions).
pub async fn finish(conn: &Conn, raw: Raw, cal: &Calendar) -> Result<Vec<Derived>, DbError> {
    let mut out = Vec::new();
    for d in raw.deadlines {
        let Some(kind) = AlertObject::parse(&d.kind) else {
            continue;
        };
        let limit = d
            .limit_days
            .and_then(|l| u32::try_from(l).ok())
            .or_else(|| d.start_on.map(|s| cal.working_days_between(s, d.due_date)));
        out.push(Derived {
            kind,
            object_id: d.object_id,
            stage: d.stage,
            label: d.label,
            organization_id: d.organization_id,
            org_path: d.org_path,
            responsible_id: d.responsible_id,
            start_on: d.start_on,
            due_date: d.due_date,
            limit,
        });
    }
    if !raw.steps.is_empty() {
        out.extend(case_steps(conn, raw.steps, cal).await?);
    }
    Ok(out)
}

/// The running deadlines of the given kinds inside the scope, of the given objects only
/// when `objects` is given.
pub async fn derive(
    conn: &Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    objects: Option<&[Uuid]>,
    tz: &str,
    cal: &Calendar,
) -> Result<Vec<Derived>, DbError> {
    let raw = fetch(conn, scope, kinds, objects, tz).await?;
    finish(conn, raw, cal).await
}

/// The pending step of each accepted case whose procedure limits it.
async fn case_steps(
    conn: &Conn,
    clocks: Vec<repo::StepClock>,
    cal: &Calendar,
) -> Result<Vec<Derived>, DbError> {
    let versions: Vec<(Uuid, i32)> = clocks
        .iter()
        .map(|s| (s.matter_id, s.matter_version))
        .collect();
    let procedures: HashMap<(Uuid, i32), Vec<ProcedureStep>> = repo::procedures(conn, &versions)
        .await?
        .into_iter()
        .filter_map(|(v, p)| Some((v, serde_json::from_value(p).ok()?)))
        .collect();
    let mut out = Vec::new();
    for s in clocks {
        let Some((stage, name, limit)) = procedures
            .get(&(s.matter_id, s.matter_version))
            .and_then(|p| pending_step(p, &s.done))
        else {
            continue;
        };
        let start = s.last_step_on.unwrap_or(s.accepted_on).max(s.accepted_on);
        let Ok(due) = cal.add_working_days(start, limit) else {
            continue;
        };
        out.push(Derived {
            kind: AlertObject::CaseStep,
            object_id: s.case_id,
            stage,
            label: format!("{} {name}", s.number),
            organization_id: s.organization_id,
            org_path: s.org_path,
            responsible_id: s.responsible_id,
            start_on: Some(start),
            due_date: due.due_date,
            limit: Some(limit),
        });
    }
    Ok(out)
}

/// The pending step of a procedure: the first step after intake not yet recorded, if it
/// has a time limit: (its number from 1, name, limit).
fn pending_step(steps: &[ProcedureStep], done: &[String]) -> Option<(i32, String, u32)> {
    let (i, s) = steps
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, s)| !done.iter().any(|d| d == &s.name))?;
    Some((i as i32 + 1, s.name.clone(), s.time_limit_days?))
}
