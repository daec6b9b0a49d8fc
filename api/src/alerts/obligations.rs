//! Keeping the stored obligations current. Every change to a record with a deadline queues
//! its object (database triggers, in the changing transaction); [`refresh`] settles what is
//! queued in batches, set-based: the objects written since its last run (every
//! `ZHENGWU_OBLIGATIONS_REFRESH_INTERVAL_MS`), and the subtrees whose rules or the calendar
//! changed. Readers take queued objects from the records, so answers never wait for it and
//! are never stale.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel_async::AsyncConnection;
use uuid::Uuid;
use zhengwu_domain::calendar::Calendar;
use zhengwu_domain::org::OrgPath;
use zhengwu_domain::supervision::{AlertObject, alert_dates};
use zhengwu_persistence::scope::Scope;
use zhengwu_persistence::supervision::{self as repo, Obligation, ObligationKey, Queued, RuleBook};
use zhengwu_persistence::{Conn, DbError, calendar};

use super::derive::{self, Derived};

/// Queue rows the refresher takes per transaction (each object takes an advisory lock, and
/// the server's lock table is shared by every session).
pub const REFRESH_BATCH: i64 = 500;

/// The kinds of obligation a queued source stands for: a case has its own limit, the
/// pending step of its procedure and its delivery.
pub(crate) fn kinds_of(source: &str) -> &'static [AlertObject] {
    match AlertObject::parse(source) {
        Some(AlertObject::Case) => &[
            AlertObject::Case,
            AlertObject::CaseStep,
            AlertObject::CaseDelivery,
        ],
        Some(k) => AlertObject::ALL
            .iter()
            .find(|a| **a == k)
            .map(std::slice::from_ref)
            .unwrap_or(&[]),
        None => &[],
    }
}

/// The stored row of a running deadline: its alert dates under the rules in force where it
/// lies (no yellow day while its rule is disabled there).
fn obligation_of(d: Derived, book: &RuleBook, cal: &Calendar, today: NaiveDate) -> Obligation {
    let (rules, _) = book.at(&d.org_path);
    let dates = alert_dates(cal, d.limit.unwrap_or(0), d.due_date, rules.thresholds());
    Obligation {
        kind: d.kind.as_str().to_owned(),
        object_id: d.object_id,
        stage: d.stage,
        label: d.label,
        organization_id: d.organization_id,
        org_path: d.org_path,
        responsible_id: d.responsible_id,
        start_on: d.start_on,
        due_date: d.due_date,
        limit_days: d.limit.and_then(|l| i32::try_from(l).ok()),
        yellow_on: rules.enabled(d.kind.rule()).then_some(dates.yellow_on),
        red_on: dates.red_on,
        opened_on: today,
        closed_on: None,
    }
}

/// Writes the running deadlines derived and closes, on `today`, the open rows among
/// `previous` that are no longer running (two statements, pipelined).
async fn store(
    conn: &Conn,
    derived: Vec<Derived>,
    previous: Vec<ObligationKey>,
    book: &RuleBook,
    cal: &Calendar,
    today: NaiveDate,
) -> Result<usize, DbError> {
    let rows: Vec<Obligation> = derived
        .into_iter()
        .map(|d| obligation_of(d, book, cal, today))
        .collect();
    let running: HashSet<ObligationKey> = rows.iter().map(Obligation::key).collect();
    let ended: Vec<ObligationKey> = previous
        .into_iter()
        .filter(|k| !running.contains(k))
        .collect();
    futures_util::future::try_join(
        repo::upsert_obligations(conn, &rows),
        repo::close_obligations(conn, &ended, today),
    )
    .await?;
    Ok(rows.len() + ended.len())
}

/// Derives the obligations of these queued objects again; the caller holds their locks.
/// The calendar, the rules, the records and the stored keys are read in one round trip.
async fn sync_locked(
    conn: &Conn,
    queued: &[&Queued],
    today: NaiveDate,
    tz: &str,
) -> Result<usize, DbError> {
    let mut ids: Vec<Uuid> = queued.iter().filter_map(|q| q.object_id).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(0);
    }
    let mut kinds: Vec<AlertObject> = queued
        .iter()
        .filter_map(|q| q.source.as_deref())
        .flat_map(kinds_of)
        .copied()
        .collect();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    let (cal, book, raw, previous) = futures_util::future::try_join4(
        calendar::published(conn),
        repo::rule_book(conn),
        derive::fetch(conn, &Scope::All, &kinds, Some(&ids), tz),
        repo::open_keys(conn, &Scope::All, &names, Some(&ids)),
    )
    .await?;
    let derived = derive::finish(conn, raw, &cal).await?;
    store(conn, derived, previous, &book, &cal, today).await
}

/// Derives the obligations of these queued objects again, locking them first.
async fn sync_objects(
    conn: &mut Conn,
    queued: &[&Queued],
    today: NaiveDate,
    tz: &str,
) -> Result<usize, DbError> {
    let ids: Vec<Uuid> = queued.iter().filter_map(|q| q.object_id).collect();
    if ids.is_empty() {
        return Ok(0);
    }
    repo::lock_objects(conn, &ids).await?;
    sync_locked(conn, queued, today, tz).await
}

/// Derives every obligation inside the scope again, with every object locked.
async fn rebuild(
    conn: &mut Conn,
    scope: &Scope,
    today: NaiveDate,
    tz: &str,
) -> Result<usize, DbError> {
    repo::lock_all_objects(conn).await?;
    let names: Vec<&str> = AlertObject::ALL.iter().map(|k| k.as_str()).collect();
    let (cal, book, raw, previous) = futures_util::future::try_join4(
        calendar::published(conn),
        repo::rule_book(conn),
        derive::fetch(conn, scope, AlertObject::ALL, None, tz),
        repo::open_keys(conn, scope, &names, None),
    )
    .await?;
    let derived = derive::finish(conn, raw, &cal).await?;
    store(conn, derived, previous, &book, &cal, today).await
}

/// What the refresher did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// Queued changes settled.
    pub changes: usize,
    /// Obligations written or closed.
    pub rows: usize,
    /// Whether another process was refreshing (this one then left the queue to it).
    pub busy: bool,
}

/// Settles the queue, `batch` changes per transaction, until a batch finds fewer than
/// `batch`: what is queued meanwhile waits for the next run, so that under a steady stream
/// of writes a run settles what it found in full batches instead of chasing every new row.
/// Refreshers are serialised by an advisory lock; one that finds it taken stops, since the
/// holder drains the queue.
pub async fn refresh(
    conn: &mut Conn,
    batch: i64,
    today: NaiveDate,
    tz: &str,
) -> Result<Refreshed, DbError> {
    let mut done = Refreshed::default();
    loop {
        let step = conn
            .transaction::<_, DbError, _>(async |c| {
                if !repo::try_lock_refresh(c).await? {
                    return Ok(None);
                }
                let queued = repo::queued(c, batch).await?;
                if queued.is_empty() {
                    return Ok(Some((0, 0)));
                }
                let paths: Vec<&str> = queued.iter().filter_map(|q| q.path.as_deref()).collect();
                if paths.contains(&"") {
                    // Everything is derived again: every change committed so far is covered,
                    // so the whole queue is taken (before the records are read, so that no
                    // change committed later is dropped) — after a bulk load, millions of
                    // entries in one statement rather than 500 per transaction.
                    let taken = repo::dequeue_all(c).await?;
                    let rows = rebuild(c, &Scope::All, today, tz).await?;
                    return Ok(Some((taken, rows)));
                }
                let mut rows = 0;
                let mut subtrees: Vec<&str> = paths.clone();
                subtrees.sort_unstable();
                subtrees.dedup();
                for p in subtrees {
                    let scope = Scope::Subtree(OrgPath::from_stored(p.to_owned()));
                    rows += rebuild(c, &scope, today, tz).await?;
                }
                let objects: Vec<&Queued> =
                    queued.iter().filter(|q| q.object_id.is_some()).collect();
                rows += sync_objects(c, &objects, today, tz).await?;
                let ids: Vec<i64> = queued.iter().map(|q| q.id).collect();
                repo::dequeue(c, &ids).await?;
                Ok(Some((queued.len(), rows)))
            })
            .await?;
        match step {
            None => {
                done.busy = true;
                return Ok(done);
            }
            Some((changes, rows)) => {
                done.changes += changes;
                done.rows += rows;
                if i64::try_from(changes).unwrap_or(i64::MAX) < batch {
                    return Ok(done);
                }
            }
        }
    }
}
