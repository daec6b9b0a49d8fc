//! Supervision over the deadlines: the alerts standing on a day, read from the stored
//! obligations (see [`obligations`]) or recomputed from the records, the alert job that
//! records each change of level, and the anomaly findings.

mod anomalies;
mod derive;
pub mod obligations;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::supervision::{
    AlertDates, AlertLevel, AlertObject, RuleId, alert_level, days_left, level_on,
};
use zhengwu_persistence::scope::Scope;
use zhengwu_persistence::supervision::{
    self as repo, AlertEvent, AlertQuery, AlertRow, AlertState, Pending, RuleBook,
};
use zhengwu_persistence::{Conn, DbError, calendar};

pub use self::anomalies::{Anomaly, compute_anomalies};
pub use self::derive::{Derived, derive};

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

/// The position of an alert in the list: due date, kind, object, stage. Red alerts come
/// first in this order (their due date is before the last working day, the yellow ones'
/// is not), and the working days left grow with the due date.
pub type AlertKey = (NaiveDate, String, Uuid, i32);

impl Alert {
    pub fn key(&self) -> AlertKey {
        (
            self.due_date,
            self.object_kind.as_str().to_owned(),
            self.object_id,
            self.stage,
        )
    }

    /// The position of the alert in the list, as a cursor.
    pub fn cursor(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.due_date,
            self.object_kind.as_str(),
            self.object_id,
            self.stage
        )
    }

    /// The position a cursor names.
    pub fn parse_cursor(cursor: &str) -> Option<AlertKey> {
        let mut parts = cursor.split('|');
        let due = parts.next()?.parse().ok()?;
        let kind = AlertObject::parse(parts.next()?)?;
        let id = parts.next()?.parse().ok()?;
        let stage = parts.next()?.parse().ok()?;
        parts
            .next()
            .is_none()
            .then(|| (due, kind.as_str().to_owned(), id, stage))
    }
}

/// Which alerts of a day to read.
#[derive(Debug, Clone)]
pub struct AlertFilter<'a> {
    pub as_of: NaiveDate,
    pub kinds: &'a [AlertObject],
    pub level: Option<AlertLevel>,
    pub responsible: Option<Uuid>,
}

impl AlertFilter<'_> {
    fn admits(&self, a: &Alert) -> bool {
        self.kinds.contains(&a.object_kind)
            && self.level.is_none_or(|l| a.level == l)
            && self.responsible.is_none_or(|r| a.responsible_id == Some(r))
    }
}

/// More queued objects than this and readers recompute everything from the records.
const MAX_PENDING_OBJECTS: i64 = 2_000;

/// The alerts standing on `f.as_of` inside the scope, in list order, after `after`, at most
/// `limit` of them (`None`: all), with the names of their organisations and people. Exact:
/// the stored obligations of every object that is not queued, and the records of every
/// queued one; everything from the records while a change of the calendar or the rules is
/// being applied. The calendar and the queue are read in one round trip, then the rows.
pub async fn alerts(
    conn: &mut Conn,
    scope: &Scope,
    f: &AlertFilter<'_>,
    after: Option<&AlertKey>,
    limit: Option<usize>,
    tz: &str,
) -> Result<Vec<Alert>, DbError> {
    let first = Prelude::read(conn).await?;
    alerts_after(conn, first, scope, f, after, limit, tz).await
}

/// What an alert list reads before its rows: the calendar and the queue. Takes a shared
/// connection, so that a caller can send it together with other statements.
pub struct Prelude {
    cal: Calendar,
    pending: Pending,
}

impl Prelude {
    pub async fn read(conn: &Conn) -> Result<Self, DbError> {
        let (cal, pending) = futures_util::future::try_join(
            calendar::published(conn),
            repo::pending(conn, MAX_PENDING_OBJECTS),
        )
        .await?;
        Ok(Prelude { cal, pending })
    }
}

/// [`alerts`] with its [`Prelude`] read already.
pub async fn alerts_after(
    conn: &mut Conn,
    first: Prelude,
    scope: &Scope,
    f: &AlertFilter<'_>,
    after: Option<&AlertKey>,
    limit: Option<usize>,
    tz: &str,
) -> Result<Vec<Alert>, DbError> {
    let Prelude { cal, pending } = first;
    // The queued objects come from the records; the rest from the stored rows, read after
    // the queue, so that no object is missed or counted twice.
    let (exclude, mut recomputed) = match pending {
        Pending::Nothing => (Vec::new(), Vec::new()),
        Pending::Objects { ids, sources } => {
            let kinds = queued_kinds(f.kinds, &sources);
            let found = compute_alerts(conn, scope, &kinds, Some(&ids), f.as_of, tz, &cal).await?;
            (ids, found)
        }
        Pending::Everything => {
            let mut all = compute_alerts(conn, scope, f.kinds, None, f.as_of, tz, &cal).await?;
            all.retain(|a| f.admits(a) && after.is_none_or(|k| &a.key() > k));
            if let Some(l) = limit {
                all.truncate(l);
            }
            name_all(conn, &mut all).await?;
            return Ok(all);
        }
    };
    let kinds: Vec<&str> = f.kinds.iter().map(|k| k.as_str()).collect();
    let q = AlertQuery {
        as_of: f.as_of,
        kinds: &kinds,
        red: f.level.map(|l| l == AlertLevel::Red),
        responsible: f.responsible,
        after: after.cloned(),
        exclude: &exclude,
        limit: limit.map(|l| l as i64),
    };
    let stored = repo::alert_rows(conn, scope, &q).await?;
    recomputed.retain(|a| f.admits(a) && after.is_none_or(|k| &a.key() > k));
    name_all(conn, &mut recomputed).await?;
    let mut out: Vec<Alert> = stored
        .into_iter()
        .filter_map(|row| stored_alert(row, f.as_of, &cal))
        .chain(recomputed)
        .collect();
    out.sort_by_cached_key(Alert::key);
    if let Some(l) = limit {
        out.truncate(l);
    }
    Ok(out)
}

/// The kinds asked for that the queued objects can have: the derivations a reader runs for
/// them (a queued case has its limit, its pending step and its delivery, nothing else).
fn queued_kinds(asked: &[AlertObject], sources: &[String]) -> Vec<AlertObject> {
    asked
        .iter()
        .copied()
        .filter(|k| sources.iter().any(|s| obligations::kinds_of(s).contains(k)))
        .collect()
}

/// Puts the names of their organisations and people on alerts recomputed from the records.
async fn name_all(conn: &mut Conn, alerts: &mut [Alert]) -> Result<(), DbError> {
    if alerts.is_empty() {
        return Ok(());
    }
    let org_ids: Vec<Uuid> = alerts.iter().map(|a| a.organization_id).collect();
    let people: Vec<Uuid> = alerts.iter().filter_map(|a| a.responsible_id).collect();
    let (org_names, names) = self::names(conn, &org_ids, &people).await?;
    for a in alerts {
        a.organization_name = org_names.get(&a.organization_id).cloned();
        a.responsible_name = a.responsible_id.and_then(|p| names.get(&p).cloned());
    }
    Ok(())
}

/// The alert of a stored obligation on `as_of`.
fn stored_alert(row: AlertRow, as_of: NaiveDate, cal: &Calendar) -> Option<Alert> {
    let AlertRow {
        obligation: row,
        organization_name,
        responsible_name,
    } = row;
    let kind = AlertObject::parse(&row.kind)?;
    let dates = AlertDates {
        yellow_on: row.yellow_on?,
        red_on: row.red_on,
    };
    let level = level_on(dates, as_of)?;
    let rule = kind.rule();
    Some(Alert {
        object_kind: kind,
        object_id: row.object_id,
        stage: row.stage,
        label: row.label,
        level,
        rule_id: rule,
        rule_name: rule.label_zh().to_owned(),
        organization_id: row.organization_id,
        organization_name,
        responsible_id: row.responsible_id,
        responsible_name,
        start_on: row.start_on,
        due_date: row.due_date,
        limit_days: row.limit_days.and_then(|l| u32::try_from(l).ok()),
        working_days_left: days_left(cal, row.due_date, as_of),
    })
}

/// The alerts of `as_of` recomputed from the records (of the given objects only, when
/// `objects` is given), in list order: what the stored obligations must agree with.
pub async fn compute_alerts(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    objects: Option<&[Uuid]>,
    as_of: NaiveDate,
    tz: &str,
    cal: &Calendar,
) -> Result<Vec<Alert>, DbError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let book = repo::rule_book(conn).await?;
    let mut out: Vec<Alert> = derive(conn, scope, kinds, objects, tz, cal)
        .await?
        .into_iter()
        .filter_map(|d| computed_alert(d, &book, cal, as_of))
        .collect();
    out.sort_by_cached_key(Alert::key);
    Ok(out)
}

fn computed_alert(d: Derived, book: &RuleBook, cal: &Calendar, as_of: NaiveDate) -> Option<Alert> {
    let (r, _) = book.at(&d.org_path);
    let rule = d.kind.rule();
    if !r.enabled(rule) {
        return None;
    }
    let level = alert_level(cal, d.limit.unwrap_or(0), d.due_date, as_of, r.thresholds())?;
    Some(Alert {
        object_kind: d.kind,
        object_id: d.object_id,
        stage: d.stage,
        label: d.label,
        level,
        rule_id: rule,
        rule_name: rule.label_zh().to_owned(),
        organization_id: d.organization_id,
        organization_name: None,
        responsible_id: d.responsible_id,
        responsible_name: None,
        start_on: d.start_on,
        due_date: d.due_date,
        limit_days: d.limit,
        working_days_left: days_left(cal, d.due_date, as_of),
    })
}

/// Yellow and red alerts of a group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct AlertLevelCounts {
    pub yellow: u64,
    pub red: u64,
}

impl AlertLevelCounts {
    fn add(&mut self, level: AlertLevel, n: u64) {
        match level {
            AlertLevel::Yellow => self.yellow += n,
            AlertLevel::Red => self.red += n,
        }
    }
}

/// The alerts of one kind of obligation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCounts {
    pub kind: AlertObject,
    #[serde(flatten)]
    pub counts: AlertLevelCounts,
}

/// The alerts of one responsible organisation (its own obligations, not its subtree's).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationCounts {
    pub organization_id: Uuid,
    pub organization_name: Option<String>,
    #[serde(flatten)]
    pub counts: AlertLevelCounts,
}

/// The alerts standing on a day, counted: in all, by kind and by responsible organisation
/// (the most red first). They are the rows of the alert list of the same day and scope.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertSummary {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub total: AlertLevelCounts,
    pub by_kind: Vec<KindCounts>,
    pub by_organization: Vec<OrganizationCounts>,
}

impl AlertSummary {
    pub fn of(
        as_of: NaiveDate,
        counts: &BTreeMap<CountKey, u64>,
        org_names: &HashMap<Uuid, String>,
    ) -> Self {
        let mut total = AlertLevelCounts::default();
        let mut kinds: BTreeMap<&str, (AlertObject, AlertLevelCounts)> = BTreeMap::new();
        let mut orgs: HashMap<Uuid, AlertLevelCounts> = HashMap::new();
        for (k, n) in counts {
            total.add(k.level, *n);
            kinds
                .entry(k.kind.as_str())
                .or_insert((k.kind, AlertLevelCounts::default()))
                .1
                .add(k.level, *n);
            orgs.entry(k.organization_id).or_default().add(k.level, *n);
        }
        let mut by_organization: Vec<OrganizationCounts> = orgs
            .into_iter()
            .map(|(id, counts)| OrganizationCounts {
                organization_id: id,
                organization_name: org_names.get(&id).cloned(),
                counts,
            })
            .collect();
        by_organization.sort_by(|a, b| {
            (b.counts.red, b.counts.yellow)
                .cmp(&(a.counts.red, a.counts.yellow))
                .then(a.organization_name.cmp(&b.organization_name))
                .then(a.organization_id.cmp(&b.organization_id))
        });
        Self {
            as_of,
            total,
            by_kind: kinds
                .into_values()
                .map(|(kind, counts)| KindCounts { kind, counts })
                .collect(),
            by_organization,
        }
    }
}

/// The number of alerts standing on a day, by kind, organisation and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountKey {
    pub kind: AlertObject,
    pub organization_id: Uuid,
    pub level: AlertLevel,
}

/// The alerts standing on `as_of` inside the scope, counted by kind, organisation and level;
/// exact as [`alerts`] is.
pub async fn alert_counts(
    conn: &mut Conn,
    scope: &Scope,
    kinds: &[AlertObject],
    as_of: NaiveDate,
    tz: &str,
) -> Result<BTreeMap<CountKey, u64>, DbError> {
    let mut out = BTreeMap::new();
    let mut count = |a: &Alert| {
        *out.entry(CountKey {
            kind: a.object_kind,
            organization_id: a.organization_id,
            level: a.level,
        })
        .or_insert(0) += 1;
    };
    let (cal, pending) = futures_util::future::try_join(
        calendar::published(conn),
        repo::pending(conn, MAX_PENDING_OBJECTS),
    )
    .await?;
    let exclude = match pending {
        Pending::Nothing => Vec::new(),
        Pending::Objects { ids, sources } => {
            let queued = queued_kinds(kinds, &sources);
            for a in compute_alerts(conn, scope, &queued, Some(&ids), as_of, tz, &cal).await? {
                count(&a);
            }
            ids
        }
        Pending::Everything => {
            for a in compute_alerts(conn, scope, kinds, None, as_of, tz, &cal).await? {
                count(&a);
            }
            return Ok(out);
        }
    };
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let stored = repo::alert_counts(conn, scope, as_of, &names, &exclude).await?;
    for c in stored {
        let Some(kind) = AlertObject::parse(&c.kind) else {
            continue;
        };
        let level = if c.red {
            AlertLevel::Red
        } else {
            AlertLevel::Yellow
        };
        *out.entry(CountKey {
            kind,
            organization_id: c.organization_id,
            level,
        })
        .or_insert(0) += u64::try_from(c.count).unwrap_or(0);
    }
    Ok(out)
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
    let every = AlertFilter {
        as_of,
        kinds: AlertObject::ALL,
        level: None,
        responsible: None,
    };
    let alerts = alerts(conn, &Scope::All, &every, None, None, tz).await?;
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
    report(conn, &events).await?;
    Ok(JobRun {
        as_of,
        alerts: alerts.len(),
        recorded: events.len(),
    })
}

/// Writes the domain event of each change of level to the outbox.
async fn report(conn: &mut Conn, events: &[AlertEvent]) -> Result<(), DbError> {
    use zhengwu_domain::events::{AlertEventData, EventData, EventType, collection_of};
    use zhengwu_domain::org::OrgPath;
    use zhengwu_persistence::outbox;

    use crate::outbox::Change;
    if events.is_empty() {
        return Ok(());
    }
    let mut org_ids: Vec<Uuid> = events.iter().map(|e| e.organization_id).collect();
    org_ids.sort_unstable();
    org_ids.dedup();
    let paths: HashMap<Uuid, OrgPath> = zhengwu_persistence::orgs::get_many(conn, &org_ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.path))
        .collect();
    let level = |l: &Option<String>| l.as_deref().and_then(AlertLevel::parse);
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let (Some(kind), Some(path)) = (
            AlertObject::parse(&e.object_kind),
            paths.get(&e.organization_id),
        ) else {
            continue;
        };
        let data = EventData::Alert(AlertEventData {
            object_kind: kind,
            object_id: e.object_id,
            stage: e.stage,
            organization_id: e.organization_id,
            rule_id: e.rule_id.clone(),
            from_level: level(&e.from_level),
            to_level: level(&e.to_level),
            due_date: e.due_date,
            as_of: e.as_of,
        });
        let change = Change {
            event: EventType::AlertLevelChanged,
            collection: collection_of(kind),
            id: e.object_id,
            org: (e.organization_id, path),
            owner: None,
            data,
        };
        let row = change.into_event(e.recorded_at);
        out.push(row.map_err(|e| DbError::Other(e.to_string()))?);
    }
    outbox::append_many(conn, out).await
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

#[cfg(test)]
mod tests {
    use zhengwu_domain::supervision::AlertObject;

    use super::queued_kinds;

    #[test]
    fn queued_objects_are_derived_for_the_kinds_they_can_have_among_those_asked() {
        let case = vec!["case".to_owned()];
        assert_eq!(
            queued_kinds(AlertObject::ALL, &case),
            vec![
                AlertObject::Case,
                AlertObject::CaseStep,
                AlertObject::CaseDelivery
            ]
        );
        assert_eq!(
            queued_kinds(&[AlertObject::CaseStep, AlertObject::HotlineTicket], &case),
            vec![AlertObject::CaseStep]
        );
        assert!(queued_kinds(&[AlertObject::HotlineTicket], &case).is_empty());
        let both = vec!["case".to_owned(), "hotline_ticket".to_owned()];
        assert_eq!(
            queued_kinds(&[AlertObject::HotlineTicket, AlertObject::Case], &both),
            vec![AlertObject::HotlineTicket, AlertObject::Case]
        );
        assert!(queued_kinds(AlertObject::ALL, &[]).is_empty());
    }
}
