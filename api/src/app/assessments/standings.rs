//! The standings of a hall's windows and staff over a period (ranks, quarterly grades, the
//! red-flag window and service star candidates), the summary of a week, month or quarter,
//! and the monthly work bulletin (工作动态简报).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use uuid::Uuid;
use zhengwu_domain::assessment::{
    self as rules, AttendanceCounts, DayAssessment, DayAttendance, GradeThresholds, Item, Period,
    Standing,
};
use zhengwu_domain::ids::OrganizationId;
use zhengwu_domain::services::CaseMeasures;
use zhengwu_persistence::assessments as repo;
use zhengwu_persistence::supervision::{self as sup_repo, HallMonth};
use zhengwu_persistence::{Conn, orgs, users, windows};

use super::{READERS, roster, visible_hall};
use crate::app::statistics::facts_of;
use crate::app::{Actor, AppResult};
use crate::error::AtField;
use crate::state::AppState;

/// A candidate for red-flag window (红旗窗口) or service star (服务之星).
#[derive(Debug, Clone)]
pub struct Nominee {
    pub subject_id: Uuid,
    pub label: String,
    pub average_score: Option<f64>,
}

/// The standings of a hall's windows and staff over a period.
pub struct PeriodStandings {
    pub windows: Vec<(Standing, windows::Window)>,
    pub staff: Vec<(Standing, String)>,
    pub red_flag: Vec<Uuid>,
    pub stars: Vec<Uuid>,
    pub thresholds: GradeThresholds,
}

impl PeriodStandings {
    pub fn window_label(w: &windows::Window) -> String {
        format!("{} {}", w.number, w.name)
    }

    /// The red-flag window candidates and the service star candidates.
    pub fn candidates(&self) -> (Vec<Nominee>, Vec<Nominee>) {
        let windows = self
            .red_flag
            .iter()
            .filter_map(|id| self.windows.iter().find(|(s, _)| s.tally.subject == *id))
            .map(|(s, w)| Nominee {
                subject_id: w.id,
                label: Self::window_label(w),
                average_score: s.tally.average(),
            })
            .collect();
        let staff = self
            .stars
            .iter()
            .filter_map(|id| self.staff.iter().find(|(s, _)| s.tally.subject == *id))
            .map(|(s, name)| Nominee {
                subject_id: s.tally.subject,
                label: name.clone(),
                average_score: s.tally.average(),
            })
            .collect();
        (windows, staff)
    }
}

/// The staff of a period: those on the hall's windows now, and anyone with records in it,
/// by name.
async fn people(
    conn: &mut Conn,
    staff: &[windows::Staff],
    with_records: Vec<Uuid>,
) -> AppResult<Vec<(Uuid, String)>> {
    let mut people: Vec<(Uuid, String)> = Vec::new();
    for s in staff {
        if !people.iter().any(|(id, _)| *id == s.user_id) {
            people.push((s.user_id, s.display_name.clone()));
        }
    }
    let mut others = with_records;
    others.sort();
    others.dedup();
    for id in others {
        if !people.iter().any(|(p, _)| *p == id) {
            let name = users::get(conn, id).await?.display_name;
            people.push((id, name));
        }
    }
    people.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(people)
}

/// Computes the standings of a hall over `from..=to`; grades when `grading`.
pub(crate) async fn period_standings(
    conn: &mut Conn,
    hall: OrganizationId,
    from: NaiveDate,
    to: NaiveDate,
    grading: bool,
) -> AppResult<PeriodStandings> {
    let (ws, staff) = roster(conn, hall).await?;
    let attendance = repo::attendance_between(conn, hall, from, to).await?;
    let assessed = repo::assessments_between(conn, hall, from, to).await?;
    let thresholds = repo::grade_thresholds(conn, hall).await?;
    let mut with_records: Vec<Uuid> = attendance.iter().map(|r| r.user_id).collect();
    with_records.extend(assessed.iter().filter_map(|a| a.row.user_id));
    let people = people(conn, &staff, with_records).await?;

    let mut by_window = Vec::new();
    let mut by_staff = Vec::new();
    for a in &assessed {
        let day = DayAssessment {
            subject: a.row.window_id.or(a.row.user_id).unwrap_or_default(),
            items: a
                .items
                .iter()
                .map(|i| Item {
                    dimension: i.dimension,
                    points: i.points,
                })
                .collect(),
        };
        if a.row.window_id.is_some() {
            by_window.push(day);
        } else {
            by_staff.push(day);
        }
    }
    let mut att_window = Vec::new();
    let mut att_staff = Vec::new();
    for r in &attendance {
        let status = r.status()?;
        let covered = r.covered_by.is_some();
        att_window.push(DayAttendance {
            subject: r.window_id,
            status,
            covered,
        });
        att_staff.push(DayAttendance {
            subject: r.user_id,
            status,
            covered,
        });
    }
    let grades = grading.then_some(&thresholds);
    let window_ids: Vec<Uuid> = ws.iter().map(|w| w.id).collect();
    let w_stand = rules::standings(rules::tally(&window_ids, &by_window, &att_window), grades);
    let people_ids: Vec<Uuid> = people.iter().map(|(id, _)| *id).collect();
    let s_stand = rules::standings(rules::tally(&people_ids, &by_staff, &att_staff), grades);
    let red_flag = rules::candidates(&w_stand, &thresholds);
    let stars = rules::candidates(&s_stand, &thresholds);
    let names: HashMap<Uuid, String> = people.into_iter().collect();
    let mut wmap: HashMap<Uuid, windows::Window> = ws.into_iter().map(|w| (w.id, w)).collect();
    Ok(PeriodStandings {
        windows: w_stand
            .into_iter()
            .filter_map(|s| wmap.remove(&s.tally.subject).map(|w| (s, w)))
            .collect(),
        staff: s_stand
            .into_iter()
            .map(|s| {
                let name = names.get(&s.tally.subject).cloned().unwrap_or_default();
                (s, name)
            })
            .collect(),
        red_flag,
        stars,
        thresholds,
    })
}

/// The summary of a week, month or quarter for a hall.
pub struct Summary {
    pub hall: orgs::Organization,
    pub period: Period,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Quarters are graded.
    pub graded: bool,
    pub standings: PeriodStandings,
}

/// The summary of the period around `date` for a hall the actor sees.
pub async fn summary(
    app: &AppState,
    actor: &Actor,
    hall: OrganizationId,
    period: Period,
    date: NaiveDate,
) -> AppResult<Summary> {
    actor.require(READERS)?;
    let mut conn = app.heavy_read_conn().await?;
    let hall = visible_hall(&mut conn, actor, hall).await?;
    let (from, to) = rules::period_range(period, date);
    let graded = period == Period::Quarter;
    let standings = period_standings(&mut conn, OrganizationId(hall.id), from, to, graded).await?;
    Ok(Summary {
        hall,
        period,
        from,
        to,
        graded,
        standings,
    })
}

/// What the monthly bulletin of a hall is made of.
pub struct BulletinFacts {
    pub hall: orgs::Organization,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub standings: PeriodStandings,
    /// Per window: the cases received in the month, and those decided in it.
    pub received: BTreeMap<Uuid, CaseMeasures>,
    pub decided: BTreeMap<Uuid, CaseMeasures>,
    pub all_received: CaseMeasures,
    pub all_decided: CaseMeasures,
    /// The attendance filed at the hall's windows.
    pub attendance: AttendanceCounts,
    /// Window-days assessed, and the sum of their scores.
    pub days_assessed: u32,
    pub score_total: i64,
    pub supervision: HallMonth,
}

impl BulletinFacts {
    /// Σ daily window scores ÷ window-days assessed, two decimals.
    pub fn average_score(&self) -> Option<f64> {
        (self.days_assessed > 0).then(|| {
            let mean = self.score_total as f64 / f64::from(self.days_assessed);
            (mean * 100.0).round() / 100.0
        })
    }
}

/// The facts of the monthly bulletin of a hall the actor sees; `month` is `YYYY-MM`.
pub async fn bulletin(
    app: &AppState,
    actor: &Actor,
    month: &str,
    hall: OrganizationId,
) -> AppResult<BulletinFacts> {
    actor.require(READERS)?;
    let (from, to) = rules::parse_month(month).at("/month")?;
    let mut conn = app.heavy_read_conn().await?;
    let hall = visible_hall(&mut conn, actor, hall).await?;
    let hall_id = OrganizationId(hall.id);
    let standings = period_standings(&mut conn, hall_id, from, to, false).await?;

    // Cases: received in the month, and decided in the month, per window.
    let rows = repo::hall_case_rows(&mut conn, OrganizationId(hall.id), from, to).await?;
    let facts = facts_of(&mut conn, &rows).await?;
    let mut received: BTreeMap<Uuid, CaseMeasures> = BTreeMap::new();
    let mut decided: BTreeMap<Uuid, CaseMeasures> = BTreeMap::new();
    let (mut all_received, mut all_decided) = (CaseMeasures::default(), CaseMeasures::default());
    for (r, facts) in rows.iter().zip(&facts) {
        let Some(w) = r.window_id else { continue };
        if (from..=to).contains(&r.received_on) {
            received.entry(w).or_default().add(facts);
            all_received.add(facts);
        }
        if r.decided_on.is_some_and(|d| (from..=to).contains(&d)) {
            decided.entry(w).or_default().add(facts);
            all_decided.add(facts);
        }
    }
    let mut attendance = AttendanceCounts::default();
    let (mut days_assessed, mut score_total) = (0u32, 0i64);
    for (s, _) in &standings.windows {
        attendance.merge(&s.tally.attendance);
        days_assessed += s.tally.days_assessed;
        score_total += s.tally.score_total;
    }
    let supervision = sup_repo::hall_month(&mut conn, OrganizationId(hall.id), from, to).await?;
    Ok(BulletinFacts {
        hall,
        from,
        to,
        standings,
        received,
        decided,
        all_received,
        all_decided,
        attendance,
        days_assessed,
        score_total,
        supervision,
    })
}
