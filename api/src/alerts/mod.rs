//! Supervision computations over the records: the deadline alerts of a moment, the alert
//! job that records each change of level, and the anomaly findings.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::services::ProcedureStep;
use zhengwu_domain::supervision::{
    self as rules, AlertLevel, AlertObject, RuleId, alert_level, days_left,
};
use zhengwu_persistence::scope::Scope;
use zhengwu_persistence::supervision::{self as repo, AlertEvent, AlertState, RuleBook};
use zhengwu_persistence::{Conn, DbError, calendar};

/// A yellow or red alert on something with a deadline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Alert {
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    /// For a case step: the number of the procedure step (from 1); 0 otherwise.
    pub stage: i32,
    /// The case or application number, the item's title, the order's number and subject.
    #[schema(example = "370102202510090001")]
    pub label: String,
    pub level: AlertLevel,
    /// The supervision rule that fired (监察规则编号).
    #[schema(example = "JC-A01")]
    pub rule_id: RuleId,
    pub rule_name: String,
    /// The responsible organisation.
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    /// The responsible person, when the record names one (handler, author, officer).
    pub responsible_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    pub start_on: Option<NaiveDate>,
    pub due_date: NaiveDate,
    /// The limit in working days.
    pub limit_days: Option<u32>,
    /// Working days left until the due date; negative: overdue by that many.
    pub working_days_left: i64,
}

impl Alert {
    /// Red first, the most overdue first, then by due date and object.
    fn sort_key(&self) -> (u8, i64, NaiveDate, String, Uuid, i32) {
        (
            u8::from(self.level != AlertLevel::Red),
            self.working_days_left,
            self.due_date,
            self.object_kind.as_str().to_owned(),
            self.object_id,
            self.stage,
        )
    }

    /// The position of the alert in the list, as a cursor.
    pub fn cursor(&self) -> String {
        let (r, l, d, k, o, s) = self.sort_key();
        format!("{r}|{:012}|{d}|{k}|{o}|{s}", l + 1_000_000)
    }
}

/// The calendar around a day: two years before to two after.
pub async fn calendar_around(conn: &mut Conn, day: NaiveDate) -> Result<Calendar, DbError> {
    calendar::calendar_for(conn, day.year() - 2, day.year() + 2).await
}

/// Every alert on `as_of` inside the scope, of the given kinds, sorted.
pub async fn compute_alerts(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    as_of: NaiveDate,
    tz: &str,
) -> Result<Vec<Alert>, DbError> {
    let book = repo::rule_book(conn).await?;
    let cal = calendar_around(conn, as_of).await?;
    let mut out = Vec::new();
    for d in repo::deadlines(conn, scope, kinds, tz).await? {
        let Some(kind) = AlertObject::parse(&d.kind) else {
            continue;
        };
        let limit = d
            .limit_days
            .and_then(|l| u32::try_from(l).ok())
            .or_else(|| d.start_on.map(|s| cal.working_days_between(s, d.due_date)));
        push_alert(
            &mut out,
            &book,
            &cal,
            as_of,
            Watched {
                kind,
                object_id: d.object_id,
                stage: d.stage,
                label: d.label,
                organization_id: d.organization_id,
                org_path: &d.org_path,
                responsible_id: d.responsible_id,
                start_on: d.start_on,
                due_date: d.due_date,
                limit,
            },
        );
    }
    if kinds.contains(&AlertObject::CaseStep) {
        let clocks = repo::pending_steps(conn, scope, tz).await?;
        let versions: Vec<(Uuid, i32)> = clocks
            .iter()
            .map(|s| (s.matter_id, s.matter_version))
            .collect();
        let procedures: HashMap<(Uuid, i32), Vec<ProcedureStep>> =
            repo::procedures(conn, &versions)
                .await?
                .into_iter()
                .filter_map(|(v, p)| Some((v, serde_json::from_value(p).ok()?)))
                .collect();
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
            push_alert(
                &mut out,
                &book,
                &cal,
                as_of,
                Watched {
                    kind: AlertObject::CaseStep,
                    object_id: s.case_id,
                    stage,
                    label: format!("{} {name}", s.number),
                    organization_id: s.organization_id,
                    org_path: &s.org_path,
                    responsible_id: s.responsible_id,
                    start_on: Some(start),
                    due_date: due.due_date,
                    limit: Some(limit),
                },
            );
        }
    }
    out.sort_by_cached_key(Alert::cursor);
    Ok(out)
}

struct Watched<'a> {
    kind: AlertObject,
    object_id: Uuid,
    stage: i32,
    label: String,
    organization_id: Uuid,
    org_path: &'a str,
    responsible_id: Option<Uuid>,
    start_on: Option<NaiveDate>,
    due_date: NaiveDate,
    limit: Option<u32>,
}

fn push_alert(out: &mut Vec<Alert>, book: &RuleBook, cal: &Calendar, as_of: NaiveDate, w: Watched) {
    let (r, _) = book.at(w.org_path);
    let rule = w.kind.rule();
    if !r.enabled(rule) {
        return;
    }
    let limit = w.limit.unwrap_or(0);
    let Some(level) = alert_level(cal, limit, w.due_date, as_of, r.thresholds()) else {
        return;
    };
    out.push(Alert {
        object_kind: w.kind,
        object_id: w.object_id,
        stage: w.stage,
        label: w.label,
        level,
        rule_id: rule,
        rule_name: rule.label_zh().to_owned(),
        organization_id: w.organization_id,
        organization_name: None,
        responsible_id: w.responsible_id,
        responsible_name: None,
        start_on: w.start_on,
        due_date: w.due_date,
        limit_days: w.limit,
        working_days_left: days_left(cal, w.due_date, as_of),
    });
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

/// What one run of the alert job did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct JobRun {
    pub as_of: NaiveDate,
    /// Alerts standing after the run.
    pub alerts: usize,
    /// Changes of level recorded by this run (0 when another run already recorded them).
    pub recorded: usize,
}

/// Records every change of alert level since the last run as alert events. Runs are
/// serialised by an advisory lock held to the end of the caller's transaction, and each
/// compares with the stored levels, so several replicas record each change once.
pub async fn run_job(
    conn: &mut Conn,
    as_of: NaiveDate,
    now: DateTime<Utc>,
    tz: &str,
) -> Result<JobRun, DbError> {
    repo::lock_alert_job(conn).await?;
    let alerts = compute_alerts(conn, &Scope::All, AlertObject::ALL, as_of, tz).await?;
    let stored: HashMap<(String, Uuid, i32), AlertState> = repo::alert_states(conn)
        .await?
        .into_iter()
        .map(|s| ((s.object_kind.clone(), s.object_id, s.stage), s))
        .collect();
    let mut events = Vec::new();
    let mut seen = HashSet::new();
    let mut labels: HashMap<(String, Uuid, i32), &Alert> = HashMap::new();
    for a in &alerts {
        let key = (a.object_kind.as_str().to_owned(), a.object_id, a.stage);
        seen.insert(key.clone());
        labels.insert(key.clone(), a);
        let before = stored.get(&key);
        let from = before.and_then(|s| AlertLevel::parse(&s.level));
        let moved = before.is_some_and(|s| s.due_date != a.due_date);
        if from == Some(a.level) && !moved {
            continue;
        }
        if from != Some(a.level) {
            events.push(AlertEvent {
                id: 0,
                object_kind: key.0.clone(),
                object_id: a.object_id,
                stage: a.stage,
                label: a.label.clone(),
                organization_id: a.organization_id,
                responsible_id: a.responsible_id,
                rule_id: a.rule_id.as_str().to_owned(),
                from_level: from.map(|l| l.as_str().to_owned()),
                to_level: Some(a.level.as_str().to_owned()),
                due_date: a.due_date,
                as_of,
                recorded_at: now,
            });
        }
        repo::upsert_alert_state(
            conn,
            &AlertState {
                object_kind: key.0,
                object_id: a.object_id,
                stage: a.stage,
                level: a.level.as_str().to_owned(),
                due_date: a.due_date,
            },
        )
        .await?;
    }
    let cleared: Vec<&AlertState> = stored
        .iter()
        .filter(|(k, _)| !seen.contains(*k))
        .map(|(_, s)| s)
        .collect();
    if !cleared.is_empty() {
        let last = repo::last_events(
            conn,
            &cleared
                .iter()
                .map(|s| (s.object_kind.clone(), s.object_id, s.stage))
                .collect::<Vec<_>>(),
        )
        .await?;
        for s in cleared {
            let prev = last.get(&(s.object_kind.clone(), s.object_id, s.stage));
            if let Some(p) = prev {
                events.push(AlertEvent {
                    id: 0,
                    object_kind: s.object_kind.clone(),
                    object_id: s.object_id,
                    stage: s.stage,
                    label: p.label.clone(),
                    organization_id: p.organization_id,
                    responsible_id: p.responsible_id,
                    rule_id: p.rule_id.clone(),
                    from_level: Some(s.level.clone()),
                    to_level: None,
                    due_date: s.due_date,
                    as_of,
                    recorded_at: now,
                });
            }
            repo::delete_alert_state(conn, &s.object_kind, s.object_id, s.stage).await?;
        }
    }
    repo::insert_alert_events(conn, &events).await?;
    Ok(JobRun {
        as_of,
        alerts: alerts.len(),
        recorded: events.len(),
    })
}

/// A finding of an anomaly rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Anomaly {
    #[schema(example = "JC-B01")]
    pub rule_id: RuleId,
    pub rule_name: String,
    /// Always `case` for the rules of this version.
    pub object_kind: AlertObject,
    pub object_id: Uuid,
    /// The case number.
    pub label: String,
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    /// Who did it: the charging, deciding, notifying or delivering staff member, or the case
    /// handler.
    pub responsible_id: Option<Uuid>,
    pub responsible_name: Option<String>,
    pub occurred_at: DateTime<Utc>,
    /// What was found, for people.
    #[schema(example = "收费项目“加急费”不在目录内：5000 分")]
    pub finding: String,
    /// The facts behind it.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl Anomaly {
    pub fn cursor(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.occurred_at.to_rfc3339(),
            self.rule_id.as_str(),
            self.object_id,
            self.finding
        )
    }
}

fn date_of(v: &serde_json::Value, k: &str) -> Option<NaiveDate> {
    v.get(k)?.as_str()?.parse().ok()
}

fn int_of(v: &serde_json::Value, k: &str) -> u32 {
    v.get(k)
        .and_then(serde_json::Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0)
}

/// The anomaly findings of `[from, to)` inside the scope, each rule decided with the
/// configuration of the case's organisation. Sorted by time.
pub async fn compute_anomalies(
    conn: &mut Conn,
    scope: &Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<Anomaly>, DbError> {
    let book = repo::rule_book(conn).await?;
    let cal = calendar::calendar_for(
        conn,
        from.date_naive().year() - 1,
        to.date_naive().year() + 1,
    )
    .await?;
    let mut out = Vec::new();
    for f in repo::case_facts(conn, scope, from, to, tz).await? {
        let (r, _) = book.at(&f.org_path);
        let d = &f.data;
        let found: Option<(RuleId, String, serde_json::Value)> = match f.rule.as_str() {
            "fee" => {
                let item = d.get("item").and_then(|v| v.as_str()).unwrap_or_default();
                let fen = d.get("amount_fen").and_then(|v| v.as_i64()).unwrap_or(0);
                match d.get("anomaly").and_then(|v| v.as_str()) {
                    Some("fee_not_listed") => Some((
                        RuleId::FeeNotListed,
                        format!("收费项目“{item}”不在目录内：{fen} 分"),
                        d.clone(),
                    )),
                    Some("fee_above_standard") => Some((
                        RuleId::FeeAboveStandard,
                        format!("收费项目“{item}”超过标准：{fen} 分"),
                        d.clone(),
                    )),
                    _ => None,
                }
            }
            "decided" => {
                let accepted: Option<DateTime<Utc>> = d
                    .get("accepted_at")
                    .and_then(|v| v.as_str())
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|t| t.with_timezone(&Utc));
                let promised = d
                    .get("promised")
                    .and_then(serde_json::Value::as_bool)
                    .unwrap_or(false);
                rules::decided_outside_system(accepted, f.at, promised, r.min_processing_minutes)
                    .then(|| {
                        let finding = match accepted {
                            None => "未受理即办结".to_owned(),
                            Some(a) if f.at < a => "办结时间早于受理时间".to_owned(),
                            Some(a) => format!(
                                "受理后 {} 分钟即办结，低于 {} 分钟，疑似先办后补录",
                                (f.at - a).num_minutes(),
                                r.min_processing_minutes
                            ),
                        };
                        (RuleId::DecidedBeforeAccepted, finding, d.clone())
                    })
            }
            "reason" => {
                let reason = d.get("reason").and_then(|v| v.as_str());
                rules::reason_missing(reason, r.min_reason_chars).then(|| {
                    let what = if d.get("kind").and_then(|v| v.as_str()) == Some("refusal") {
                        "不予受理"
                    } else {
                        "不予批准"
                    };
                    (
                        RuleId::RefusalWithoutReason,
                        format!("{what}理由不足 {} 个字", r.min_reason_chars),
                        d.clone(),
                    )
                })
            }
            "step" => step_over_time(&cal, d),
            "extension" => {
                let (s, p, e) = (
                    int_of(d, "statutory"),
                    int_of(d, "promised"),
                    int_of(d, "extension"),
                );
                rules::extension_beyond_limit(s, p, e).then(|| {
                    (
                        RuleId::ExtensionBeyondLimit,
                        format!(
                            "承诺 {p} 个工作日加延期 {e} 个工作日，超过法定 {s} \
                                个工作日加法定延长 {} 个工作日",
                            zhengwu_domain::services::legal_extension(s)
                        ),
                        d.clone(),
                    )
                })
            }
            "notice" => match (date_of(d, "received_on"), date_of(d, "on")) {
                (Some(rec), Some(on)) => {
                    let (days, late) = rules::notice_delay(&cal, rec, on, r.notice_window_days);
                    late.then(|| {
                        (
                            RuleId::LateCorrectionNotice,
                            format!(
                                "收件后第 {days} 个工作日才一次性告知补正（应在 {} \
                                    个工作日内），视为收件之日起受理",
                                r.notice_window_days
                            ),
                            serde_json::json!({
                                "received_on": rec, "notice_on": on, "working_days": days
                            }),
                        )
                    })
                }
                _ => None,
            },
            "delivery" => {
                match (
                    date_of(d, "decided_on"),
                    date_of(d, "delivery_due"),
                    date_of(d, "delivered_on"),
                ) {
                    (Some(decided), due, on @ Some(delivered))
                        if zhengwu_domain::services::delivered_late(due, on) =>
                    {
                        let days = cal.working_days_between(decided, delivered);
                        Some((
                            RuleId::LateDelivery,
                            format!(
                                "决定后第 {days} 个工作日才送达（应在 {} 个工作日内）",
                                zhengwu_domain::services::DELIVERY_WORKING_DAYS
                            ),
                            serde_json::json!({"decided_on": decided, "delivery_due": due,
                                "delivered_on": delivered, "working_days": days}),
                        ))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some((rule, finding, data)) = found {
            if !r.enabled(rule) {
                continue;
            }
            out.push(Anomaly {
                rule_id: rule,
                rule_name: rule.label_zh().to_owned(),
                object_kind: AlertObject::Case,
                object_id: f.case_id,
                label: f.number,
                organization_id: f.organization_id,
                organization_name: None,
                responsible_id: f.responsible_id,
                responsible_name: None,
                occurred_at: f.at,
                finding,
                data,
            });
        }
    }
    out.sort_by_cached_key(Anomaly::cursor);
    Ok(out)
}

fn step_over_time(
    cal: &Calendar,
    d: &serde_json::Value,
) -> Option<(RuleId, String, serde_json::Value)> {
    let name = d.get("name")?.as_str()?;
    let steps: Vec<ProcedureStep> = serde_json::from_value(d.get("procedure")?.clone()).ok()?;
    let limit = steps.iter().find(|s| s.name == name)?.time_limit_days?;
    let (prev, on) = (date_of(d, "previous_on")?, date_of(d, "on")?);
    let used = cal.working_days_between(prev, on);
    (used > limit).then(|| {
        (
            RuleId::StepOverTime,
            format!("环节“{name}”用时 {used} 个工作日，超过时限 {limit} 个工作日"),
            serde_json::json!({"step": name, "seq": d.get("seq"), "from": prev, "on": on,
                "working_days": used, "limit_days": limit}),
        )
    })
}

/// Organisation and staff names for the rows of a page.
pub async fn names(
    conn: &mut Conn,
    orgs_ids: &[Uuid],
    people: &[Uuid],
) -> Result<(HashMap<Uuid, String>, HashMap<Uuid, String>), DbError> {
    let orgs = zhengwu_persistence::orgs::get_many(conn, orgs_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok((orgs, zhengwu_persistence::users::names(conn, people).await?))
}
